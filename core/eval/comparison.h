#pragma once

#include "data/dataset.h"
#include "util/error.h"
#include "engine/plan.h"

#include <string>
#include <vector>

namespace gkp {

class Planner;

// Model accuracy vs conv-MACs reduction for each pruning granularity, one-shot, mask view.
//
// For every target reduction the GKP plan is made with the given settings (uniform or sensitivity
// allocation); every other granularity then prunes the same layers at the same per-layer kept
// fraction m / Cin (granularity.h: filter = L1 of filters, channel = the GKP pipeline with G = 1,
// kernel = L1 of single kernels, weight = |w|). MACs convention, the same for all: a layer's
// MACs after pruning are its MACs times the fraction of its weights that are nonzero. For GKP and
// channel pruning that is exactly the dense count of the exported grouped layer; for kernel and
// weight pruning it counts sparse MACs (they need sparse kernels to realise it); for filter
// pruning in the mask view, the zeroed output channels still feed the next layers (BatchNorm
// shifts make them nonzero), so only the layer's own MACs are counted.
struct ComparisonPoint
{
    std::string granularity; // "gkp", "filter", "channel", "kernel", "weight"
    double target = 0.0;         // requested conv-MACs reduction
    double macs_reduction = 0.0; // achieved, under the convention above
    double top1 = 0.0, top5 = 0.0;
    bool dense = false; // runs on standard dense kernels
};

struct ComparisonTable
{
    std::string model_file;
    std::string dataset;
    int64_t samples = 0;
    int64_t recalibration_samples = 0; // 0: BatchNorm statistics left as trained
    std::string method;                // GKP settings used
    double baseline_top1 = 0.0, baseline_top5 = 0.0;
    std::vector<double> reductions;
    std::vector<std::string> granularities;
    std::vector<ComparisonPoint> points; // reductions x granularities, reduction-major

    const ComparisonPoint *find(const std::string &granularity, double target) const;
};

struct ComparisonOptions
{
    std::vector<double> reductions{0.2, 0.3, 0.43, 0.5};
    std::vector<std::string> granularities{"gkp", "filter", "channel", "kernel", "weight"};
    int batch = 256;
    const Dataset *recalibration = nullptr; // re-estimate BatchNorm statistics on it per variant
};

inline const std::vector<std::string> &comparisonGranularities()
{
    static const std::vector<std::string> all{"gkp", "filter", "channel", "kernel", "weight"};
    return all;
}

// Progress counts evaluated variants (1 + reductions x granularities). Throws gkp::Error
// (unknown granularity, unreachable target), gkp::Cancelled.
ComparisonTable compareAccuracy(Planner &planner, const PlanSettings &settings, const Dataset &data,
                                const ComparisonOptions &options, const ProgressFn &progress = {});

std::string comparisonToCsv(const ComparisonTable &table);  // granularity,target,macs_reduction,top1,top5,dense
std::string comparisonToJson(const ComparisonTable &table); // {"format": "gkp-comparison", ...}

} // namespace gkp
