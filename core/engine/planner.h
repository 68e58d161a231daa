#pragma once

#include "util/error.h"
#include "export/exporter.h"
#include "engine/plan.h"

#include <functional>
#include <memory>
#include <set>

namespace gkp {

class Model;

// Turns PlanSettings into a Plan for a model: clusters each layer's filters, selects grouped
// kernels, picks group counts and ratios. Clusterings are cached per (layer, G, method, seed), so
// changing only a ratio re-runs selection only. Layers run in parallel; every result depends only
// on the settings and the seed, never on thread scheduling. Thread-safe.
class Planner
{
public:
    explicit Planner(const Model &model);
    ~Planner();
    Planner(const Planner &) = delete;
    Planner &operator=(const Planner &) = delete;

    const Model &model() const;

    // Throws gkp::Error for bad settings (unknown layer in an override, unreachable target...),
    // gkp::Cancelled when `progress` returns false.
    // With `previous`, layers whose request is unchanged (same methods, seed, ratio, G) are reused
    // as they are, so an edit to one layer re-plans that layer only.
    Plan makePlan(const PlanSettings &settings, const ProgressFn &progress = {}, const Plan *previous = nullptr);

    // One layer with an explicit ratio and group count (0 = auto), using the other settings.
    LayerPlan planLayer(int layer, double ratio, int groups, const PlanSettings &settings);

    // The layers `settings` prunes, in execution order, with their ratio and requested G; resolves
    // a MACs-reduction target into a ratio (cheap: MACs do not depend on the clustering).
    struct Request
    {
        int layer;
        double ratio;
        int groups; // 0 = auto
    };
    std::vector<Request> requests(const PlanSettings &settings) const;

    static int feasibleGroups(int64_t outChannels, int requested); // largest divisor <= requested
    // round((1-r) Cin) in [1, Cin]; with multiple > 1, then to the nearest multiple of it
    // (at least one multiple; all Cin when nothing is pruned or Cin is smaller). Multiple 0
    // (gkp plan's default): 8 where Cin >= 128, else 1.
    static int keptPerGroup(int64_t inChannels, double ratio, int multiple = 1);
    // Candidates of the flexible group count: divisors G of Cout with Cout/G >= 2, G <= maxGroups, and 1.
    static std::vector<int> groupCandidates(int64_t outChannels, int maxGroups);

    // ||W * mask||^2 / ||W||^2 for a layer plan.
    double retainedEnergy(const LayerPlan &layer) const;

    // Drops cached clusterings (e.g. after the model's weights changed).
    void clearCache();

    // How latency-aware planning times one candidate's forms (fills timings_ms and dense_ms).
    // Default: timeLayerForms on this machine at the settings' latency batch. Tests replace it.
    using LayerTimer = std::function<void(const LayerPlan &candidate, const TimingContext &context, LayerExport &result)>;
    void setLayerTimer(LayerTimer timer);

private:
    // One planning pass over the layers `effective` prunes (settings plus layers left dense);
    // `timed` receives each latency-timed layer's fastest candidate and dense times, `screened` its
    // index (it was chosen on screening settings: finishPlan). With `chosen`,
    // a latency-timed layer times only the G it has there (when still a good candidate).
    Plan planOnce(const PlanSettings &settings, const PlanSettings &effective, const ProgressFn &progress,
                  const Plan *previous, std::vector<LeftDense> &timed, std::set<int> &screened,
                  const Plan *chosen = nullptr);

    // Clusters and selects the `screened` layers (latency-aware candidates chosen on screening
    // settings) as the settings say, balances G = 1 layers behind grouped producers and counts the
    // totals.
    void finishPlan(Plan &plan, const PlanSettings &settings, const std::set<int> &screened,
                    const ProgressFn &progress);

    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace gkp
