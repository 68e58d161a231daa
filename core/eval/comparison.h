#pragma once

#include "data/dataset.h"
#include "util/error.h"
#include "engine/plan.h"

#include <string>
#include <vector>

namespace gkp {

class Planner;

// Model accuracy vs conv-MACs reduction for each pruning method, one-shot, masked models.
//
// Structured methods are matched at the MACs their exported files compute (the deploy count), not
// at the plan's count: "gkp" (the given settings), "gkp-g1" (the same pipeline with G = 1, whose
// producers lose the channels no one reads, so its plan is searched until the file meets the
// target), "channel" (coupled channel pruning, engine/channelplanner.h, with the options' importance
// criterion: the strong baseline) and "channel-internal" (the same, residual streams left whole).
// "filter" (L1 of filters), "kernel" (L1 of kernels) and "weight" (|w|) prune the GKP plan's layers
// at its per-layer kept fraction m / Cin, counted as a layer's MACs times its share of nonzero
// weights: sparse MACs for kernel and weight pruning (they need sparse kernels to realise them),
// only the layer's own MACs for filter pruning in the mask view (its zeroed output channels still
// feed the next layers).
struct ComparisonPoint
{
    std::string granularity; // comparisonGranularities()
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

inline const std::vector<std::string> &comparisonGranularities()
{
    static const std::vector<std::string> all{"gkp",    "gkp-g1", "channel", "channel-internal",
                                              "filter", "kernel", "weight"};
    return all;
}
// "coupled channel pruning (group-norm)", "GKP with G = 1", ...: how a method prunes, for reports.
std::string comparisonMethodName(const std::string &granularity, const std::string &channelImportance,
                                 const std::string &channelAllocation = "global");

struct ComparisonOptions
{
    std::vector<double> reductions{0.2, 0.3, 0.43, 0.5};
    std::vector<std::string> granularities = comparisonGranularities();
    std::string channel_importance = "group-norm"; // criterion of "channel" and "channel-internal"
    // How their target is spread (PlanSettings::allocation): "global" ranks channels across families
    // by importance over the family's mean (the strong baseline: 89.4 % against 84.2 % uniform on
    // the demo at 43 %), "uniform" gives every family one ratio.
    std::string channel_allocation = "global";
    int batch = 256;
    const Dataset *recalibration = nullptr; // re-estimate BatchNorm statistics on it per variant
};


// Progress counts evaluated variants (1 + reductions x granularities). Throws gkp::Error
// (unknown granularity, unreachable target), gkp::Cancelled.
ComparisonTable compareAccuracy(Planner &planner, const PlanSettings &settings, const Dataset &data,
                                const ComparisonOptions &options, const ProgressFn &progress = {});

std::string comparisonToCsv(const ComparisonTable &table);  // granularity,target,macs_reduction,top1,top5,dense
std::string comparisonToJson(const ComparisonTable &table); // {"format": "gkp-comparison", ...}

} // namespace gkp
