#pragma once

// The accuracy-latency frontier: a sweep of GKP plans (group counts x MACs targets), each exported
// for a runtime and timed side by side with the original prepared the same way, with its retained
// kernel energy or, given a dataset, its top-1 after BatchNorm recalibration; the points no other
// point beats on both latency and quality are the Pareto frontier.

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
    std::string groups;         // the G setting: "1", "2", ..., or "auto" (latency-aware)
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
};

struct FrontierOptions
{
    std::vector<std::string> groups{"1", "2", "4", "8", "auto"};
    std::vector<double> targets{0.2, 0.3, 0.4, 0.5, 0.6};
    PlanSettings settings; // everything else of the plans (clustering, selection, ...)
    Runtime runtime = Runtime::Frozen;
    int64_t batch = 0; // 0: the model's example batch
    int runs = 10;
    std::string dir;         // where the plans (and, with keep_files, the exported models) go
    bool keep_files = false; // keep each point's exported model (frontier-G-T.pt)
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

// Retained kernel energy of a plan, weighted by each conv's MACs (convs it leaves alone count 1).
double planEnergy(const Plan &plan, const Model &model);

std::string frontierToJson(const Frontier &frontier); // {"format": "gkp-frontier", "runtime", "batch", ...}
std::string frontierToCsv(const Frontier &frontier);

} // namespace gkp
