#pragma once

#include "engine/plan.h"

#include <string>
#include <vector>

namespace gkp {

class Planner;

// One pruning granularity applied to one layer at the same kept fraction as a GKP layer plan,
// for the teaching view: what is kept, how much weight energy survives, and whether the result
// is a dense model standard kernels run.
struct GranularityResult
{
    std::string name;       // "weight", "kernel", "grouped kernel", "gkp-g1", "channel", "filter"
    std::string criterion;  // how it chose
    std::vector<float> kept; // Cout x Cin: fraction of each kernel's weights kept (0..1)
    int64_t out_channels = 0, in_channels = 0;
    double kept_fraction = 0.0;   // of all weights
    double retained_energy = 0.0; // ||W * mask||^2 / ||W||^2
    bool dense = false;           // runs as dense (possibly grouped) convolutions
    std::vector<uint8_t> weight_mask = {}; // "weight" only: the kept single values, Cout x Cin x kh x kw
};

// weight (magnitude), kernel (L1), grouped kernel (the plan), gkp-g1 (G = 1 of the same GKP
// pipeline), channel (coupled channel pruning: the layer's input channels ranked by the group norm
// of the coupled channel each belongs to), filter (L1), in that order, all at the plan's kept
// fraction m / Cin.
std::vector<GranularityResult> compareGranularities(Planner &planner, const LayerPlan &gkp,
                                                    const PlanSettings &settings);

} // namespace gkp
