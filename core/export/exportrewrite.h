#pragma once

// Internal: building pruned and masked TorchScript modules from a model and a plan.

#include "export/exporter.h"

#include <torch/script.h>

#include <functional>
#include <set>
#include <string>

namespace gkp {

// The original model with every planned layer's pruned kernels set to zero (the reference the
// export must reproduce). A deep clone: the model is not changed.
torch::jit::Module buildMaskedModule(const Model &model, const Plan &plan);

// The pruned model: each planned conv rewritten in `forms[name]` (Grouped when absent). Trainable
// mode keeps parameters (BatchNorm too); deploy mode returns a frozen module (BatchNorm folded).
// `report` receives one entry per planned layer.
torch::jit::Module buildPrunedModule(const Model &model, const Plan &plan, ExportMode mode,
                                     const std::map<std::string, LayerForm> &forms, std::vector<LayerExport> &report,
                                     std::vector<ChannelTrim> *trims = nullptr);

// The deploy form of a module: eval() mode, frozen (constants folded, BatchNorm folded into the
// convolutions); a conv whose output only one gather reads computes its channels in gather order
// and the gather goes (repeating channels, which costs MACs, only for the consumers, by module
// path, in `grow`); other convs lose the output channels no gather reads. `trims` lists both.
// Used by deploy exports and by fine-tuning's deploy output.
torch::jit::Module freezeForDeploy(const torch::jit::Module &module, std::vector<ChannelTrim> *trims = nullptr,
                                   const std::set<std::string> &grow = {});

// The original model frozen the same way as a deploy export (for fair benchmarks).
torch::jit::Module buildFrozenOriginal(const Model &model);

// A frozen module prepared for `runtime`: itself for Frozen; for OneDnn a clone passed through
// torch::jit::optimize_for_inference (cannot be saved: it holds oneDNN tensors).
torch::jit::Module forRuntime(const torch::jit::Module &frozen, Runtime runtime);

// Per-layer pruned tensors of the GKP construction (docs: "grouped-convolution view").
struct GroupedLayer
{
    torch::Tensor permutation;  // P: filters sorted by (group, index), int64 [Cout]
    torch::Tensor inverse;      // P^-1, int64 [Cout]
    torch::Tensor gather;       // concat(kept[g]) as original channel ids, int64 [G*m]
    torch::Tensor weight;       // Wg [Cout, m, kh, kw]
    std::optional<torch::Tensor> bias; // bias[P]
};
GroupedLayer groupedLayer(const LayerPlan &layer, const torch::Tensor &weight, const std::optional<torch::Tensor> &bias);

// The export's last step, for every format: `write(tmp)` writes the file into a temporary beside
// `path`; with options.verify, what is on disk is loaded back, its conv MACs go into `result` and it
// is compared with the masked model (a deploy TorchScript file also in options.runtime); then
// `beforeCommit` runs (progress, Cancel) and the temporary becomes `path`. On any failure:
// gkp::Error and no file. Fills result.file_bytes.
void writeVerified(const Model &model, const std::string &path, const ExportOptions &options, ExportResult &result,
                   const std::function<void(const std::string &tmp)> &write, const std::function<void()> &beforeCommit);

// Channel indices as an int64 tensor.
torch::Tensor indexTensor(const std::vector<int64_t> &v);
// True when v is 0, 1, ..., n-1.
bool isIdentity(const std::vector<int64_t> &v, int64_t n);

// Where each of the channels 0..n-1 sits in a tensor whose channel j is order[j] (null: in place).
std::vector<int64_t> channelPositions(const std::vector<int64_t> *order, int64_t n);

// The indices 0..n-1 not in `removed` (all when null), as an int64 tensor.
torch::Tensor keptIndex(int64_t n, const std::set<int64_t> *removed);

// W * mask for one layer.
torch::Tensor maskedWeight(const LayerPlan &layer, const torch::Tensor &weight);

} // namespace gkp
