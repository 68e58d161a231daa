#pragma once

#include "util/shape.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace gkp {

class Model;

// Per-layer override from the command line / GUI: "ratio:R,groups:G|auto,off".
struct LayerOverride
{
    std::optional<double> ratio;
    std::optional<int> groups; // 0 means "auto"
    bool off = false;          // exclude this layer
    bool include = false;      // include a layer excluded by default (the stem)
};
LayerOverride parseLayerOverride(const std::string &text); // throws gkp::Error

// One layer's measured sensitivity (gkp sensitivity): top-1 accuracy drop, as a fraction, when
// that layer alone is pruned at each ratio. Ratios ascending, same length as drops.
struct SensitivityCurve
{
    std::vector<double> ratios;
    std::vector<double> drops;
    bool operator==(const SensitivityCurve &o) const { return ratios == o.ratios && drops == o.drops; }
};

// What the user asked for. Everything a plan was made with, so it can be reproduced.
struct PlanSettings
{
    // "gkp": grouped kernel pruning of each layer's input (the settings below). "channel": coupled
    // channel pruning (engine/channelplanner.h): whole channels of a dependency family removed from
    // every conv, BatchNorm and linear layer that holds them; the result is plain smaller convs.
    std::string method = "gkp";
    // channel method: how a coupled channel's importance is measured. "l1": L1 norm of its filters
    // in every producer; "l2": their L2 norm; "group-norm": the L2 norm over every coupled slice
    // (filters, BatchNorm weight and bias, reader columns).
    std::string importance = "group-norm";
    // Leave every channel family that a residual add or product couples unpruned ("internal channels
    // only"): the channel method keeps the residual streams whole, GKP keeps the layers that read them.
    bool protect_residual = false;
    std::string cluster = "kmeans"; // kmeans | kpca | spectral | smooth | tmi
    std::string select = "greedy";  // greedy | l2 | gm | l2gm
    int groups = 8;                 // 0 = auto (flexible group count)
    double ratio = 0.4375;          // fraction of grouped kernels pruned per group
    std::optional<double> target_macs_reduction; // fraction of total conv MACs to remove; overrides ratio
    // How a MACs target is spread over layers: "uniform" (one ratio for every layer) or
    // "sensitivity" (each layer gets the largest ratio whose measured drop stays under one common
    // threshold, the threshold searched so the target is met; see engine/allocation.h) or "global"
    // (one threshold on each channel's importance over its channel family's mean, channel method,
    // or its layer's mean, GKP; the layer's or family's ratio is the share below it).
    std::string allocation = "uniform";
    std::map<std::string, SensitivityCurve> sensitivity; // per layer name; used by "sensitivity"
    std::optional<double> lambda;                // greedy lambda; nullopt = auto
    int max_starts = 0;                          // greedy starts; 0 = default rule
    bool include_stem = false;
    uint64_t seed = 0;
    int n_init = 10;
    int max_groups = 32;     // auto: largest G tried
    double epsilon = 0.005;  // auto: energy tolerance
    bool latency_aware = false; // auto: time candidate forms on this machine, keep the fastest
    int64_t latency_batch = 0;  // batch for that timing; 0 = the model's example batch
    // Latency-aware: a candidate at most this fraction slower than a layer's fastest one may be
    // kept for its higher retained energy (finer groups keep more; 0: the fastest always wins).
    // 0.6: ResNet-50 in oneDNN keeps G > 1 where 41 % of the planned MACs are (0.15: G = 1 everywhere).
    double latency_slack = 0.6;
    // Kept input channels per group rounded to a multiple of this (8: what an AVX2 kernel
    // computes at once; a conv over 176 channels runs faster than over 179). 1 = off; 0 = 8 on
    // layers and channel families of at least 128 channels, 1 on narrower ones (gkp plan's
    // default: ONNX Runtime ran an aligned ResNet-50 channel plan 1.64x, the unaligned 1.02-1.16x).
    int channel_multiple = 1;
    // Where latency-aware timing runs the forms (exporter.h, Runtime): "frozen" or "onednn".
    std::string latency_runtime = "frozen";
    std::vector<std::string> snapshots; // TMI: snapshot files
    std::map<std::string, LayerOverride> overrides;
};

struct LayerPlan
{
    std::string name;
    int layer = -1; // index in the model inventory
    int groups = 1;
    int requested_groups = 1; // what was asked (0 = auto); differs from groups when infeasible
    int kept_per_group = 0;
    double ratio = 0.0;
    std::string cluster; // method actually used for this layer
    std::string select;
    std::vector<int> assignment;         // group id per filter, length Cout
    std::vector<std::vector<int>> kept;  // per group: sorted kept input channels
    double retained_energy = 1.0;
    int64_t macs_before = 0, macs_after = 0;
    int64_t params_before = 0, params_after = 0;
    int64_t gather_width = 0; // G * m channels gathered
    std::string note;         // e.g. "G = 8 does not divide 20: used 5"
};

struct PlanTotals
{
    int64_t macs_before = 0, macs_after = 0;     // every conv of the model
    int64_t params_before = 0, params_after = 0; // every parameter of the model
    // What a deploy export computes: macs_after less the output channels a sole producer of a
    // G = 1 layer no longer computes (soleProducer: the export removes the channels nobody reads;
    // from a grouped producer only when keptBalancedOver), plus nothing for gather-free producers
    // that compute at most their own channel count.
    int64_t deploy_macs_after = 0;
    double macsReduction() const { return macs_before ? 1.0 - double(macs_after) / double(macs_before) : 0.0; }
    double deployMacsReduction() const
    {
        return macs_before ? 1.0 - double(deploy_macs_after) / double(macs_before) : 0.0;
    }
    double paramsReduction() const
    {
        return params_before ? 1.0 - double(params_after) / double(params_before) : 0.0;
    }
};

// A layer latency-aware planning left unpruned: none of its pruned forms ran faster than its
// dense conv on this machine, so a MACs target is reached by the other layers instead.
struct LeftDense
{
    std::string name;
    double pruned_ms = 0.0, dense_ms = 0.0; // the fastest pruned candidate, and the dense conv
};

// Coupled channel pruning of one channel family (ChannelDependencies): the channels kept.
struct ChannelGroupPlan
{
    int family = -1;      // index in channelDependencies(model).families
    std::string name;     // the family's name, checked when a plan is read back
    int64_t channels = 0; // before pruning
    double ratio = 0.0;   // requested fraction removed
    std::vector<int> kept; // sorted family channel ids
};

struct Plan
{
    static constexpr int FormatVersion = 1;
    std::string tool_version;
    std::string model_file;
    std::string model_format; // toString(ModelFormat) of the model planned: "torchscript", "onnx"
    Shape input_shape;
    PlanSettings settings;
    // Pruned layers only, in execution order. For the channel method: every conv that loses input
    // channels, as G = 1 (what the masked model zeroes); channel_groups say what is removed.
    std::vector<LayerPlan> layers;
    std::vector<ChannelGroupPlan> channel_groups; // channel method only: families that lose channels
    // Channel method: kept input features of each linear layer that reads a pruned family (the
    // masked model zeroes the rest); derived from channel_groups like the layers.
    std::map<std::string, std::vector<int64_t>> linear_kept;
    std::vector<LeftDense> left_dense;
    // How the plan was chosen when latency-aware planning timed whole deploy files of candidate
    // plans against the original (Planner::makePlan); empty otherwise.
    std::string note;
    PlanTotals totals;

    bool isChannelPlan() const { return settings.method == "channel"; }
    const LayerPlan *find(const std::string &name) const;
    const LeftDense *findLeftDense(const std::string &name) const;
};

// The mask view of a layer plan: mask[o * Cin + c] = 1 iff c is kept by o's group.
std::vector<uint8_t> kernelMask(const LayerPlan &layer, int64_t inChannels);

// True when `consumer` (G = 1) keeps as many of `producer`'s output channels from each of its
// groups: a deploy export then removes the unread filters of the grouped producer too (its groups
// stay equal) and the gather before the consumer goes. False when `producer` has G = 1.
bool keptBalancedOver(const LayerPlan &consumer, const LayerPlan &producer);

// Recomputes MACs/params of a layer plan and the totals from the model inventory.
void updateCosts(LayerPlan &layer, const Model &model);
void updateTotals(Plan &plan, const Model &model);

// Retained kernel energy of a plan, weighted by each conv's MACs (convs it leaves alone count 1).
double planEnergy(const Plan &plan, const Model &model);

// The allocation a MACs target is spread by when the user chooses none (gkp plan --allocation
// auto, the GUI): one global threshold for the channel method with a target (its strong form,
// Torch-Pruning's global ranking), one uniform ratio otherwise.
std::string defaultAllocation(const PlanSettings &settings);

// "kmeans + greedy, G = 8" (or "G = auto"): how the layers are planned, for reports.
std::string methodSummary(const PlanSettings &settings);

} // namespace gkp
