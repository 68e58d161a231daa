#pragma once

// The accuracy-latency frontier: a sweep of plans (GKP group counts and the coupled channel-pruning
// baseline x MACs targets), each exported for a runtime and timed side by side with the original
// prepared the same way, with its retained kernel energy or, given a dataset, its top-1 after
// BatchNorm recalibration; the points no other point beats on both latency and quality are the
// Pareto frontier, and the verdict says whether GKP beats channel pruning at equal speed.

#include "data/dataset.h"
#include "engine/plan.h"
#include "export/exporter.h"
#include "util/error.h"

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace gkp {

class Model;

struct FrontierPoint
{
    std::string plan;           // path of the point's plan JSON (written beside the output)
    std::string groups;         // the sweep's setting: "1", "2", ..., "auto" (latency-aware GKP), or
                                // "channel" / "channel-internal" (coupled channel pruning)
    std::string method = "gkp"; // "gkp" or "channel"
    std::string importance;     // channel method: its criterion (l1, l2, group-norm)
    double target = 0.0;        // requested conv-MACs reduction of the plan
    int pruned_layers = 0;
    double share_grouped = 0.0; // fraction of its pruned layers written with G > 1 (not masked-dense)
    double plan_macs_cut = 0.0; // the plan's count
    double file_macs_cut = 0.0; // what the written file computes
    double latency_ms = 0.0;    // median of the file in the runtime
    double original_ms = 0.0;   // the original's median in the same interleaved runs
    double energy = 0.0;        // retained kernel energy, MACs-weighted over every conv (unpruned: 1)
    std::optional<double> top1; // with a dataset: the masked model, BatchNorm recalibrated
    bool pareto = false;

    double speedup() const { return latency_ms > 0.0 ? original_ms / latency_ms : 0.0; }
    // Time relative to the original timed in the same interleaved runs (the machine's drift between
    // points cancels); the latency itself when the original's is unknown.
    double relativeTime() const { return original_ms > 0.0 ? latency_ms / original_ms : latency_ms; }
    double quality() const { return top1 ? *top1 : energy; }
    bool isChannel() const { return method == "channel"; }
    // Channel pruning in the comparison's sense: the coupled baseline and GKP with G = 1 (both
    // write plain dense convs); GKP proper has G > 1 in most of its written layers.
    bool isChannelPruning() const { return isChannel() || groups == "1"; }
    bool isGrouped() const { return !isChannel() && share_grouped > 0.5; }
    // "G 8", "G auto", "channel (group-norm)": the setting as reports name it
    std::string label() const { return isChannel() ? groups + " (" + importance + ")" : "G " + groups; }
};

// Does GKP beat channel pruning at equal speed? The best GKP point (G > 1 in most of its layers)
// by its least margin over every channel-pruning point it runs at most `slack` times slower than.
struct FrontierVerdict
{
    int gkp = -1;       // index of that GKP point (-1: no GKP point has a channel point to face)
    int channel = -1;   // the channel-pruning point nearest to it in quality among those it faces
    double margin = 0.0; // quality of gkp minus that of channel (top-1 or energy, as a fraction)
    bool reached = false; // margin >= the required one
    std::string text;   // one sentence saying so, or why there is nothing to compare
};

struct Frontier
{
    std::string model_file;
    std::string runtime;
    int64_t batch = 0;
    double original_latency_ms = 0.0; // median over the points' runs of the original
    std::string quality;              // "top1" or "energy"
    int64_t recalibration_samples = 0;
    std::vector<FrontierPoint> points;
    std::vector<std::string> skipped; // points that could not be planned, with the reason
    FrontierVerdict verdict;
};

struct FrontierOptions
{
    // GKP group counts, "auto", and the channel baselines "channel" (coupled, global allocation) and
    // "channel-internal" (the same, residual streams kept whole)
    std::vector<std::string> groups{"channel", "1", "2", "4", "8", "auto"};
    std::string channel_importance = "group-norm";
    std::vector<double> targets{0.2, 0.3, 0.4, 0.5, 0.6};
    PlanSettings settings; // everything else of the plans (clustering, selection, ...)
    Runtime runtime = Runtime::Frozen;
    int64_t batch = 0; // 0: the model's example batch
    int runs = 10;
    std::string dir;         // where the plans (and, with keep_files, the exported models) go
    bool keep_files = false; // keep each point's exported model (frontier-G<g>-<t>.pt, frontier-channel-<t>.pt)
    const Dataset *data = nullptr;        // top-1 on it (else retained energy)
    const Dataset *calibration = nullptr; // BatchNorm recalibration before each evaluation
    int eval_batch = 256;
    // Instead of benchmarking (tests): {file ms, original ms} of a written file.
    std::function<std::pair<double, double>(const Model &original, const Model &file)> timer;
};

// Throws gkp::Error (bad groups or targets, unwritable directory), gkp::Cancelled.
Frontier computeFrontier(const Model &model, const FrontierOptions &options, const ProgressFn &progress = {});

// Marks the points no other point dominates (at most as slow relative to the original, and at
// least as good, one strictly).
void markPareto(std::vector<FrontierPoint> &points);

// The verdict over marked points: GKP must lead by `margin` (0.03: three points of top-1) every
// channel-pruning point it is at most `slack` (1.10) times slower than.
FrontierVerdict frontierVerdict(const std::vector<FrontierPoint> &points, double margin = 0.03, double slack = 1.10);

std::string frontierToJson(const Frontier &frontier); // {"format": "gkp-frontier", "runtime", "batch", ...}
std::string frontierToCsv(const Frontier &frontier);

} // namespace gkp
