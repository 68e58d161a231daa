#pragma once

#include "data/dataset.h"
#include "util/error.h"

#include <cstdint>
#include <torch/script.h>

namespace gkp {

struct Accuracy
{
    double top1 = 0.0; // fraction of samples whose label is the highest-scoring output
    double top5 = 0.0; // ... among the five highest; equals top1 when the model has < 5 outputs
    int64_t samples = 0;
    int64_t top1_correct = 0;
    int64_t top5_correct = 0;
};

// Classification accuracy of `module` on `data`, in batches of `batch` images, in eval() mode
// without autograd. The model must return logits [N, K] with K >= data.classes (a tuple or list
// output contributes its first element). Label i is compared with output column i, so a model
// with more outputs than the dataset has classes is scored on its first `classes` ids.
// Throws gkp::Error when the dataset's images do not fit the model or the output is not
// [N, K]; gkp::Cancelled when progress(done samples, total) returns false.
// A classifier's scores from its forward output: the tensor itself, or the first element of a
// tuple or list output (recursively). gkp::Error for anything else.
torch::Tensor logitsOf(const torch::IValue &output);

Accuracy evaluate(torch::jit::Module &module, const Dataset &data, int batch,
                  const ProgressFn &progress = {});

} // namespace gkp
