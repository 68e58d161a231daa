#pragma once

#include "data/dataset.h"
#include "util/error.h"

#include <cstdint>
#include <torch/script.h>

namespace gkp {

struct RecalibrationResult
{
    int batch_norms = 0; // BatchNorm modules whose statistics were re-estimated
    int64_t samples = 0; // images fed
};

// Re-estimates the running mean and variance of every BatchNorm module of `module` (masked,
// exported trainable, or original) from `data`, in batches of `batch`, without autograd; weights
// are untouched. Only the BatchNorm modules are switched to training mode during the passes (no
// dropout), and the module is left in eval() mode.
//
// The estimates are the statistics of the whole of `data`, independent of how it is batched:
// running_mean = the mean of each channel's BatchNorm input over all images and positions;
// running_var = the pooled variance (per-batch unbiased variances and the spread of the batch
// means, weighted by batch size), equal to the dataset variance up to a relative O(1 / (batch *
// H * W)). Per-batch statistics are read back exactly from the module's own momentum update, so
// scripted and traced-in-training-mode BatchNorm work alike.
//
// Throws gkp::Error when no BatchNorm statistics can be updated (none present, BatchNorm folded
// into convolutions as in deploy exports, or traced in eval mode), gkp::Cancelled when progress
// returns false (the statistics are then restored).
RecalibrationResult recalibrateBatchNorm(torch::jit::Module &module, const Dataset &data, int batch = 128,
                                         const ProgressFn &progress = {});

} // namespace gkp
