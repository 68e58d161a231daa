#pragma once

#include "util/error.h"
#include "export/exporter.h"
#include "util/shape.h"

#include <string>
#include <vector>

namespace gkp {

class Model;

struct BenchOptions
{
    std::vector<int64_t> batches{1, 8, 32};
    int runs = 20;
    int warmup = 3;
    bool freeze = true; // freeze models that are not frozen yet (BatchNorm folded), like a deploy export
    // Inputs in channels-last (NHWC) memory, for every model alike: oneDNN convolutions then keep
    // that layout instead of converting each activation, which on this CPU is faster for both.
    bool channels_last = false;
    // Runtime::OneDnn: every model (frozen first) passed through torch.jit.optimize_for_inference.
    Runtime runtime = Runtime::Frozen;
};

struct BenchResult
{
    std::vector<std::string> models;
    std::vector<int64_t> batches;
    // [model][batch]
    std::vector<std::vector<double>> median_ms, min_ms;
};

// The median of `values` (the mean of the middle two for an even count); 0 for none.
double medianOf(std::vector<double> values);

// Times whole models on random inputs of their example shape at each batch size. With several
// models the runs are interleaved (A, B, A, B, ...) so machine noise hits all alike.
BenchResult benchmarkModels(const std::vector<const Model *> &models, const BenchOptions &options,
                            const ProgressFn &progress = {});

} // namespace gkp
