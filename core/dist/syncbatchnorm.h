#pragma once

// Internal (LibTorch): BatchNorm whose batch statistics are those of the global batch of a
// data-parallel job (SyncBatchNorm), for TorchScript modules.

#include <optional>
#include <string>
#include <torch/script.h>

namespace gkp {

class Communicator;

// A module that shares `module`'s parameters and buffers (changing one changes the other) and
// whose forward computes every BatchNorm in training mode from the statistics of the whole
// global batch: each rank's per-channel count, mean and squared deviations are all-gathered and
// combined (Chan's parallel formula); backward all-reduces the statistics' gradients, so the
// summed gradients equal one process's on the global batch. Running statistics are updated from
// the global statistics, so they stay identical on every rank. In eval() mode, or outside a
// SyncBatchNormScope, it computes exactly what `module` computes. `replaced` receives the
// number of BatchNorm calls rewritten. Never save the result: save `module`.
torch::jit::Module withSyncBatchNorm(const torch::jit::Module &module, int *replaced = nullptr);

// While alive, synchronised BatchNorm calls talk over `communicator`. A rank with no samples in
// a step still runs its forward (on a stand-in sample) to take part in the collectives, with
// `contributes` false: its statistics then count for nothing.
class SyncBatchNormScope
{
public:
    SyncBatchNormScope(Communicator &communicator, bool contributes);
    ~SyncBatchNormScope();
    SyncBatchNormScope(const SyncBatchNormScope &) = delete;
    SyncBatchNormScope &operator=(const SyncBatchNormScope &) = delete;
};

// The message of a collective that failed inside a synchronised BatchNorm forward (the
// TorchScript interpreter rewraps what operators throw), cleared by the call.
std::optional<std::string> takeSyncBatchNormFailure();

} // namespace gkp
