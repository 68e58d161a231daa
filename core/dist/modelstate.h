#pragma once

// Internal (LibTorch): keeping a module's state identical on every rank of a data-parallel job.

#include <torch/script.h>

namespace gkp {

class Communicator;

// Every parameter and buffer (BatchNorm statistics included) of `module` set to rank 0's values,
// as DistributedDataParallel does when it wraps a model.
void broadcastState(torch::jit::Module &module, Communicator &communicator);

// The largest difference of any parameter or buffer between rank 0 and any other rank (0 when
// the ranks stayed in step, as they should: they apply the same summed gradients).
double stateDivergence(const torch::jit::Module &module, Communicator &communicator);

} // namespace gkp
