#pragma once

#include "data/dataset.h"
#include "util/error.h"
#include "eval/evaluate.h"
#include "export/exporter.h"

#include <functional>
#include <optional>
#include <string>
#include <torch/script.h>
#include <vector>

namespace gkp {

class Communicator;

struct FinetuneOptions
{
    int epochs = 1;
    int batch = 128;
    double lr = 0.01;
    double momentum = 0.9;
    double weight_decay = 5e-4;
    std::string schedule = "cosine"; // cosine (per step, to 0) | step (x gamma every step_epochs) | constant
    int step_epochs = 1;
    double step_gamma = 0.1;
    bool augment = true;  // random crop with 2-pixel padding + horizontal flip (as resources/demo/train_demo.py)
    uint64_t seed = 0;    // shuffling and augmentation
    int report_every = 10; // steps between progress reports
    int eval_every = 0;    // steps between validation passes (0: at the end of every epoch only)
    // Data-parallel over the communicator's ranks when set (gkp finetune under torchrun): `batch`
    // is per rank, so the global batch is batch x ranks. See finetune().
    Communicator *communicator = nullptr;
    int64_t bucket_bytes = 25 << 20; // gradient all-reduce bucket size (DDP's default)
};

struct FinetuneProgress
{
    int epoch = 0; // 0-based
    int epochs = 0;
    int64_t step = 0; // steps done so far
    int64_t steps = 0; // total
    double loss = 0.0; // mean training loss since the last report
    double lr = 0.0;
    std::optional<double> val_top1; // set on reports that follow a validation pass
};

// Return false to cancel.
using FinetuneCallback = std::function<bool(const FinetuneProgress &)>;

struct PrunedCheck
{
    int layers = 0;             // pruned layers found in the module
    int absent = 0;             // of which the pruned kernels do not exist (grouped weight [Cout, m, kh, kw])
    int masked = 0;             // of which the pruned kernels are kept at zero (masked-dense form)
    int64_t nonzero_pruned = 0; // pruned weights that are not zero (must be 0)
};

struct FinetuneResult
{
    std::vector<FinetuneProgress> history;
    std::optional<Accuracy> validation; // after training, when validation data was given
    PrunedCheck pruned;
    // Data-parallel runs only:
    int ranks = 1;
    int sync_batchnorm = 0;           // BatchNorm calls synchronised over the ranks
    std::size_t gradient_buckets = 0; // all-reduces per step for the gradients
    double rank_divergence = 0.0;     // largest parameter/buffer difference between ranks at the end
    // finetuneFile's deploy output of a masked-dense trainable: exported from the trained model
    // (forms timed, verified) rather than frozen as it trained
    std::optional<ExportResult> deploy_export;
};

// Fine-tunes a trainable export in place: SGD with momentum and weight decay, the chosen
// learning-rate schedule, cross-entropy on `train` (shuffled every epoch). The pruned kernels of
// the layers named in the module's embedded plan (`planJson`, the archive's gkp_plan.json) stay
// absent (grouped form) or are re-zeroed after every step (masked-dense form). Leaves the module
// in eval() mode. Throws gkp::Error (not trainable: no parameters, as in a frozen deploy export),
// gkp::Cancelled when the callback returns false.
//
// With options.communicator, every rank runs this with the same arguments: rank 0's model is
// broadcast first; each epoch's shuffled order is the same on every rank and DistributedSampler
// deals each global batch out; each rank's loss is weighted by its share of the global batch
// and the gradients are summed over the ranks in buckets (for equal shares: averaged); BatchNorm
// uses the global batch's statistics (withSyncBatchNorm), so the run computes what one process
// with batch x ranks computes, and augmentation draws are made for the global batch so they
// agree too. Validation is sharded (each rank evaluates every ranks-th image, the counts are
// summed); reported losses are the global batch's. At the end the ranks' models are compared
// (rank_divergence) and the pruned-kernel check covers every rank. A rank that stops makes the
// others fail with gkp::Error at their next collective.
FinetuneResult finetune(torch::jit::Module &module, const std::string &planJson, const Dataset &train,
                        const Dataset *validation, const FinetuneOptions &options, const FinetuneCallback &callback = {});

// Mean cross-entropy of the module on `data` in eval() mode, without autograd.
double meanLoss(torch::jit::Module &module, const Dataset &data, int batch = 256);

// Checks the embedded plan's pruned kernels in `module`.
PrunedCheck checkPrunedKernels(const torch::jit::Module &module, const std::string &planJson);

// The file-level job of `gkp finetune` and the GUI: loads `exported` (a trainable export),
// fine-tunes it, checks the pruned kernels, and writes the trainable result to `output` and, when
// `deployOutput` is not empty, its deploy form (eval, frozen with BatchNorm folded, as a deploy
// export) after checking it matches the trainable result. Both files are written atomically and
// only once training finished (nothing is written on error or cancel). The plan, version and
// input shape are carried over into both archives. Data-parallel: every rank trains, rank 0
// alone checks the deploy form and writes, after a barrier that every rank reached with a
// finished, consistent model (so a rank that died leaves no file).
FinetuneResult finetuneFile(const std::string &exported, const Dataset &train, const Dataset *validation,
                            const FinetuneOptions &options, const std::string &output, const std::string &deployOutput,
                            const FinetuneCallback &callback = {});

} // namespace gkp
