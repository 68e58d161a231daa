#pragma once

#include "util/error.h"
#include "export/exporter.h"
#include "engine/plan.h"

#include <functional>
#include <memory>
#include <optional>
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

    // Latency-aware auto G with a MACs target ends by timing whole deploy files: the per-layer
    // plan's and the block pattern's (blockPatternSettings), and keeps the faster (Plan::note says
    // what was measured). The timer returns median ms per plan, then the original's. Default:
    // timeDeployFiles (runtime/filetiming.h) in the settings' runtime and batch. Tests replace it.
    using FileTimer = std::function<std::vector<double>(const std::vector<const Plan *> &plans, const PlanSettings &settings)>;
    void setFileTimer(FileTimer timer);

    // The block pattern for a MACs target: layers that read a residual stream stay dense
    // (protect_residual), every planned layer whose input a dense conv computes for it alone gets
    // G = 2 at a ratio of at least 0.5 (G*m <= Cin: the producer computes the gathered channels,
    // no gather and no extra MACs), every other planned layer G = 1 (behind a G = 2 layer it keeps
    // as many channels from each group, so the export also drops that layer's unread filters: a
    // bottleneck's 3x3 conv becomes G = 2 with half its filters). One ratio is searched so the
    // plan meets the target. Explicit settings (no target, not latency-aware); nullopt when no layer
    // qualifies, the settings ask for no target, or the target is out of reach this way.
    std::optional<PlanSettings> blockPatternSettings(const PlanSettings &settings) const;

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

    // The whole-file step of latency-aware planning (setFileTimer): `plan` becomes the faster of
    // itself and the block pattern's plan, with a note of the times.
    void chooseByWholeFile(Plan &plan, const PlanSettings &settings, const ProgressFn &progress);

    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace gkp
