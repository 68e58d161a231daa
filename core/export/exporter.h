#pragma once

#include "util/error.h"
#include "engine/plan.h"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace gkp {

class Model;

enum class ExportMode { Deploy, Trainable };

// How one pruned convolution is written. All compute the masked layer exactly.
enum class LayerForm {
    Grouped,     // gather G*m channels, conv2d(groups = G)
    Split,       // G dense convs over their own gathered channels, concatenated (deploy only)
    MaskedDense, // the original dense conv with pruned kernels zeroed: never slower, not smaller
    GatherFree,  // grouped, and its sole dense producer computes the G*m gathered channels itself
                 // (repeated where groups share one): no gather; costs producer MACs when G*m > Cin
    Smaller,     // channel pruning: a plain dense conv over fewer input and output channels, no gather
};
std::string toString(LayerForm form);
std::optional<LayerForm> layerFormFromString(const std::string &name);

// Where a deploy model runs, so its forms are timed, and models benchmarked, as they will run.
enum class Runtime {
    Frozen, // the frozen TorchScript as written (torch.jit.load): NCHW tensors between ops
    // Then torch.jit.optimize_for_inference: convolution weights prepacked for oneDNN, activations
    // kept in oneDNN's blocked layout between the ops that support it. An index_select (a gather)
    // leaves that layout and comes back: two more copies of the tensor it reads.
    OneDnn,
};
std::string toString(Runtime runtime);                                  // "frozen" | "onednn"
std::optional<Runtime> runtimeFromString(const std::string &name);
std::vector<std::string> runtimeNames(); // every toString(Runtime), for option checks

// A pruned form replaces the dense conv only when it runs in under this fraction of the dense
// conv's time (a 2 % margin for noise); the export and latency-aware planning both use it.
constexpr double PrunedFormMargin = 0.98;

// Timed runs per layer form, for the exporter and the latency-aware planner alike, so a plan's
// layer timings are reused when its file is exported (the cache key includes the runs).
inline constexpr int FormTimingRuns = 5;

struct ExportOptions
{
    ExportMode mode = ExportMode::Deploy;
    // Deploy: time every form of every pruned layer on this machine and keep the fastest.
    bool choose_fastest = true;
    std::optional<LayerForm> force_form; // instead of timing (tests, benchmarks)
    int64_t timing_batch = 0;            // 0: the batch of the model's example input
    int timing_runs = FormTimingRuns;
    // Trainable, no form forced, some layer with G > 1: a training step (forward + backward) of the
    // grouped and of the masked-dense module is timed at this batch (0: about 2^20 input values,
    // 8 to 128) and the faster is written (grouped convolutions' backward pass is slow on CPUs).
    int64_t train_batch = 0;
    int train_runs = 3;
    Runtime runtime = Runtime::Frozen; // the runtime forms are timed in (OneDnn: verified there too)
    bool verify = true;
    int verify_inputs = 4;
    double tolerance = 1e-4; // max relative error
    // With verify: called with the written file as loaded back, after it passed and before it
    // replaces the output; a gkp::Error thrown here keeps it from being written (a speed check).
    std::function<void(const Model &written)> check_written;
};

struct LayerExport
{
    std::string name;
    LayerForm form = LayerForm::Grouped;
    bool gather_skipped = false;     // the gather was the identity
    bool permutation_folded = false; // output order restored by permuting consumers, not by a copy
    std::map<std::string, double> timings_ms; // form -> fastest of its runs, interleaved with the others
    double dense_ms = 0.0;                    // the original dense conv, same input
};

// A conv whose output channels nobody reads any more (every reader is a gather that skips them):
// the export removes those channels from it and its BatchNorm.
struct ChannelTrim
{
    std::string name;
    int64_t before = 0; // output channels
    int64_t after = 0;  // more than before: channels repeated for a gather-free consumer
    // Non-empty: the conv computes its channels in the gather order of this consumer, whose
    // gather is gone (gather-free form); empty: unread channels removed, gathers renumbered.
    std::string gather_order_for;
};

struct OutputError
{
    double max_abs = 0.0;
    double max_rel = 0.0; // max |a-b| / max |a|
};

struct VerifyResult
{
    bool passed = false;
    int inputs = 0;
    std::vector<OutputError> outputs; // per model output tensor (worst over inputs)
    double max_abs = 0.0, max_rel = 0.0;
    double tolerance = 1e-4;
};

// A trainable export's form choice: median training step of each candidate module.
struct TrainStepTiming
{
    int64_t batch = 0;
    double grouped_ms = 0.0;
    double masked_dense_ms = 0.0;
    LayerForm chosen = LayerForm::Grouped;
};

struct ExportResult
{
    std::string path;
    ExportMode mode = ExportMode::Deploy;
    std::vector<LayerExport> layers;
    std::vector<ChannelTrim> trimmed;
    int64_t conv_macs = 0; // per example, of the written model (known when verified)
    VerifyResult verify;
    int64_t file_bytes = 0;
    std::optional<TrainStepTiming> train_step; // trainable exports whose form was chosen by timing
};

// The batch an export times its forms at: options.timing_batch when set, else the plan's latency
// batch (a latency-aware plan's forms were chosen there), else the model's example batch.
int64_t formTimingBatch(const ExportOptions &options, const Plan &plan, const Model &model);

// Writes the pruned model as TorchScript (atomically), with the plan and the tool version in the
// archive's extra files; an output ending in .onnx gets a pruned ONNX file (onnx/onnxexport.h). With options.verify, the file is kept only when it matches the masked
// model within the tolerance (otherwise gkp::Error, and no file).
ExportResult exportModel(const Model &model, const Plan &plan, const std::string &path, const ExportOptions &options,
                         const ProgressFn &progress = {});

// What the rest of the exported graph does around one layer, for timing it as it will run.
struct TimingContext
{
    // G = 1 and the input's producer is trimmed to the kept channels (soleProducer): no gather.
    bool input_trimmed = false;
    // > 0: G = 1 and only this many output channels are read (soleConsumer keeps them with G = 1):
    // the layer computes just those.
    int64_t outputs_read = 0;
    // >= 0: G > 1 and this layer (its sole producer, a dense conv in the file) could compute the
    // G*m gathered channels itself: the gather-free form is timed too, with the producer's extra
    // rows counted.
    int gather_free_producer = -1;
    Runtime runtime = Runtime::Frozen;
    // > 0: a pruned form slower than this after its first timed run is not run again (its one
    // run stands as its time): a candidate that cannot be chosen costs little to rule out.
    double give_up_ms = 0.0;
};

// Times one pruned layer's forms (and the dense conv it replaces) on this machine, on the layer's
// input shape with the given batch (0: the model's example batch). Fills timings_ms and dense_ms.
void timeLayerForms(const Model &model, const LayerPlan &layer, int64_t batch, int runs, LayerExport &result,
                    const TimingContext &context = {});

// Loads `exported` and compares it with the masked model rebuilt from `original` and the plan
// stored inside `exported` on `inputs` random inputs; `exported` as loaded, or prepared for `runtime`.
VerifyResult verifyExport(const Model &original, const Model &exported, int inputs = 4, double tolerance = 1e-4,
                          Runtime runtime = Runtime::Frozen);

} // namespace gkp
