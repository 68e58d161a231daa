#pragma once

// Coupled channel pruning: the strong structured baseline (after "Structurally Prune Anything" and
// DepGraph). Whole coupled channels (model/channeldeps.h) are removed from every conv, BatchNorm,
// depthwise conv, linear layer and channel padding that holds them, so the result is plain, smaller
// dense layers with no gathers: the fastest form structured pruning can take.

#include "engine/plan.h"

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace gkp {

class Model;
struct ChannelDependencies;

// Importance of every channel of a family under `criterion` ("l1", "l2", "group-norm"; see
// PlanSettings::importance). Higher is more important.
std::vector<double> channelImportance(const Model &model, int family, const std::string &criterion);

// Everything a channel plan removes, per holder. Channels are the holder's own (feature ids for a
// linear layer).
struct ChannelRemoval
{
    std::map<int, std::set<int64_t>> conv_out, conv_in; // conv layer -> removed channels (depthwise: both)
    std::map<std::string, std::set<int64_t>> norm;      // BatchNorm module -> removed channels
    std::map<std::string, std::set<int64_t>> linear;    // linear module -> removed input features
    std::map<int, std::pair<int64_t, int64_t>> pad;     // channel padding -> zero channels removed (front, back)
};
ChannelRemoval channelRemoval(const ChannelDependencies &deps, const std::vector<ChannelGroupPlan> &groups);

// Throws gkp::Error unless `criterion` is a channel importance (l1, l2, group-norm).
void checkChannelImportance(const std::string &criterion);

// The channel method's plan (settings.method == "channel"): a uniform ratio per family (or the
// ratio searched for settings.target_macs_reduction, counting the MACs the smaller layers compute),
// per-layer overrides naming a producer of the family (`off`, `ratio:R`), settings.protect_residual
// leaving residual families whole. Kept channels are the most important by settings.importance,
// their count rounded to settings.channel_multiple. Throws gkp::Error for bad settings.
Plan makeChannelPlan(const Model &model, const PlanSettings &settings);

// plan.layers (the G = 1 input masks) and plan.totals from plan.channel_groups.
void deriveChannelLayers(Plan &plan, const Model &model);

} // namespace gkp
