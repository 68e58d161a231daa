#pragma once

#include "data/dataset.h"
#include "util/error.h"
#include "engine/plan.h"

#include <map>
#include <string>
#include <vector>

namespace gkp {

class Communicator;
class Planner;

// Per-layer sensitivity: top-1 accuracy when one prunable layer at a time is pruned with GKP at
// each ratio (the planner's clustering/selection/G settings), every other layer untouched.
struct SensitivityTable
{
    std::string model_file;
    std::string dataset;       // Dataset::summary() of the evaluation data
    int64_t samples = 0;       // evaluation images
    int64_t recalibration_samples = 0; // 0: BatchNorm statistics left as trained
    std::string method;        // "kmeans + greedy, G = 8"
    double baseline_top1 = 0.0;
    std::vector<double> ratios;
    std::vector<std::string> layers;
    std::vector<std::vector<double>> top1; // [layer][ratio]

    double drop(std::size_t layer, std::size_t ratio) const { return baseline_top1 - top1[layer][ratio]; }
    // The drop curves, for PlanSettings::sensitivity.
    std::map<std::string, SensitivityCurve> curves() const;
};

struct SensitivityOptions
{
    std::vector<double> ratios{0.25, 0.5, 0.75};
    int batch = 256;
    // When set, BatchNorm statistics are re-estimated on this data after pruning each variant,
    // before it is evaluated.
    const Dataset *recalibration = nullptr;
    // Data-parallel (gkp sensitivity under torchrun): the evaluations are split over the ranks.
    Communicator *communicator = nullptr;
};

// Evaluates the unpruned model and then layers x ratios one-shot variants on `data`. The layers
// are those `settings` prunes (its ratio, target and ratio overrides are ignored). Progress
// counts evaluated variants (1 + layers x ratios). Throws gkp::Error, gkp::Cancelled.
// With options.communicator, every rank calls this with the same arguments: the evaluations (the
// baseline, then layer-major (layer, ratio) pairs) are split into contiguous blocks, one per
// rank, so most layers are clustered on one rank only; each variant is evaluated from the
// restored model as in one process, and the values are summed over the ranks (each is set on one
// rank only, so the sum is exact): every rank returns the whole table, equal to one process's.
// Progress then counts this rank's evaluations.
SensitivityTable measureSensitivity(Planner &planner, const PlanSettings &settings, const Dataset &data,
                                    const SensitivityOptions &options, const ProgressFn &progress = {});

// CSV: one row per layer, columns layer, then top1@r and drop@r for every ratio; a first row
// "(none)" holds the baseline. JSON: {"format": "gkp-sensitivity", "version": 1, ...fields...,
// "layers": [{"name", "top1": [...], "drop": [...]}]} with fractions.
std::string sensitivityToCsv(const SensitivityTable &table);
std::string sensitivityToJson(const SensitivityTable &table);
// Throws gkp::Error naming the bad field.
SensitivityTable sensitivityFromJson(const std::string &text);
SensitivityTable loadSensitivity(const std::string &path);

} // namespace gkp
