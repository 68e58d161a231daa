#include "eval/comparison.h"

#include "eval/bnrecalibration.h"
#include "eval/evaluate.h"
#include "engine/granularity.h"
#include "eval/maskedmodule.h"
#include "model/model.h"
#include "engine/planner.h"
#include "model/torchmodel.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <algorithm>
#include <cstdio>
#include <sstream>

namespace gkp {

namespace {

torch::Tensor maskTensor(const GranularityResult &g, const torch::Tensor &weightShape)
{
    if (!g.weight_mask.empty())
        return torch::from_blob(const_cast<uint8_t *>(g.weight_mask.data()), weightShape.sizes(), torch::kUInt8)
            .to(torch::kFloat);
    // kernel-level masks: kept is exactly 0 or 1 per kernel
    return torch::from_blob(const_cast<float *>(g.kept.data()), {g.out_channels, g.in_channels, 1, 1}, torch::kFloat)
        .clone();
}

} // namespace

const ComparisonPoint *ComparisonTable::find(const std::string &granularity, double target) const
{
    for (const ComparisonPoint &p : points)
        if (p.granularity == granularity && std::abs(p.target - target) < 1e-9)
            return &p;
    return nullptr;
}

std::string comparisonMethodName(const std::string &g, const std::string &importance, const std::string &allocation)
{
    if (g == "gkp")
        return "GKP (grouped kernel)";
    if (g == "gkp-g1")
        return "GKP with G = 1";
    if (g == "channel")
        return "coupled channel pruning (" + importance + ", " + allocation + ")";
    if (g == "channel-internal")
        return "coupled channel pruning (" + importance + ", " + allocation + "), internal channels only";
    if (g == "filter")
        return "filter (L1, mask view)";
    if (g == "kernel")
        return "kernel (L1, sparse MACs)";
    return "weight (|w|, sparse MACs)";
}

namespace {

// A plan whose exported file removes `target` of the conv MACs. The plan counts the pruned layers'
// inputs; a deploy export also drops producer channels no one reads (G = 1), so where the two
// differ the plan's target is searched until the file's count meets it.
Plan planAtFileMacs(Planner &planner, PlanSettings s, double target)
{
    s.target_macs_reduction = target;
    Plan plan = planner.makePlan(s);
    if (plan.totals.deployMacsReduction() <= target + 0.002)
        return plan;
    double lo = 0.0, hi = target;
    for (int i = 0; i < 14 && hi - lo > 1e-4; ++i) {
        s.target_macs_reduction = 0.5 * (lo + hi);
        Plan p = planner.makePlan(s);
        if (p.totals.deployMacsReduction() >= target) {
            hi = *s.target_macs_reduction;
            plan = std::move(p);
        } else {
            lo = *s.target_macs_reduction;
        }
    }
    return plan;
}

} // namespace

ComparisonTable compareAccuracy(Planner &planner, const PlanSettings &settings, const Dataset &data,
                                const ComparisonOptions &options, const ProgressFn &progress)
{
    for (const std::string &g : options.granularities)
        if (std::find(comparisonGranularities().begin(), comparisonGranularities().end(), g) ==
            comparisonGranularities().end())
            throw Error("unknown granularity '" + g +
                        "': expected gkp, gkp-g1, channel, channel-internal, filter, kernel or weight");
    if (options.reductions.empty() || options.granularities.empty())
        throw Error("the comparison needs at least one reduction and one granularity");
    for (double r : options.reductions)
        if (!(r > 0.0 && r < 1.0))
            throw Error("MACs reductions must be in (0, 1), not " + std::to_string(r));

    const Model &model = planner.model();
    const Inventory &inv = model.inventory();
    ComparisonTable table;
    table.model_file = model.path();
    table.dataset = data.summary();
    table.samples = data.size();
    table.recalibration_samples = options.recalibration ? options.recalibration->size() : 0;
    table.method = methodSummary(settings) + ", " + settings.allocation + " allocation; channel baselines: " +
                   options.channel_importance + " importance, " + options.channel_allocation + " allocation";
    table.reductions = options.reductions;
    table.granularities = options.granularities;

    const int total = int(1 + options.reductions.size() * options.granularities.size());
    int done = 0;
    auto step = [&] { reportProgress(progress, ++done, total); };
    MaskedModule masked(model);
    const Accuracy base = evaluate(masked.module(), data, options.batch);
    table.baseline_top1 = base.top1;
    table.baseline_top5 = base.top5;
    step();

    auto evaluateMasked = [&] {
        if (options.recalibration)
            recalibrateBatchNorm(masked.module(), *options.recalibration, options.batch);
        return evaluate(masked.module(), data, options.batch);
    };
    PlanSettings gkpSettings = settings;
    gkpSettings.method = "gkp";
    const double totalMacs = double(inv.totals.conv_macs);
    for (double target : options.reductions) {
        const Plan plan = planAtFileMacs(planner, gkpSettings, target);
        // per layer: the granularities' masks at the GKP plan's kept fraction
        std::vector<std::vector<GranularityResult>> perLayer;
        for (const LayerPlan &lp : plan.layers)
            perLayer.push_back(compareGranularities(planner, lp, gkpSettings));
        for (const std::string &g : options.granularities) {
            masked.reset();
            if (g == "gkp" || g == "gkp-g1" || g == "channel" || g == "channel-internal") {
                PlanSettings s = gkpSettings;
                if (g == "gkp-g1") {
                    s.groups = 1;
                    for (auto &[name, o] : s.overrides)
                        if (o.groups)
                            o.groups = 1;
                } else if (g != "gkp") {
                    s.method = "channel";
                    s.importance = options.channel_importance;
                    s.allocation = options.channel_allocation;
                    s.protect_residual = g == "channel-internal";
                    s.overrides.clear();
                }
                const Plan p = g == "gkp" ? plan : planAtFileMacs(planner, s, target);
                masked.setPlan(p);
                const Accuracy acc = evaluateMasked();
                table.points.push_back({g, target, p.totals.deployMacsReduction(), acc.top1, acc.top5, true});
                step();
                continue;
            }
            double removed = 0.0;
            bool dense = true;
            for (std::size_t i = 0; i < plan.layers.size(); ++i) {
                const LayerPlan &lp = plan.layers[i];
                const ConvLayer &conv = inv.layers.at(std::size_t(lp.layer));
                const GranularityResult *r = nullptr;
                for (const GranularityResult &x : perLayer[i])
                    if (x.name == g)
                        r = &x;
                if (!r)
                    throw Error("internal: no " + g + " mask for " + lp.name);
                const torch::Tensor shape = model.impl().weights.at(std::size_t(lp.layer));
                masked.setMask(lp.layer, maskTensor(*r, shape));
                // kept_fraction counts kernels (weights for "weight"): the nonzero-weight share
                removed += double(conv.macs) * (1.0 - r->kept_fraction);
                dense = dense && r->dense;
            }
            const Accuracy acc = evaluateMasked();
            table.points.push_back({g, target, totalMacs > 0 ? removed / totalMacs : 0.0, acc.top1, acc.top5, dense});
            step();
        }
    }
    return table;
}

std::string comparisonToCsv(const ComparisonTable &t)
{
    std::ostringstream out;
    out << "granularity,target,macs_reduction,top1,top5,dense\n";
    char buf[160];
    std::snprintf(buf, sizeof buf, "none,0,0,%.6g,%.6g,true\n", t.baseline_top1, t.baseline_top5);
    out << buf;
    for (const ComparisonPoint &p : t.points) {
        std::snprintf(buf, sizeof buf, "%s,%.6g,%.6g,%.6g,%.6g,%s\n", p.granularity.c_str(), p.target,
                      p.macs_reduction, p.top1, p.top5, p.dense ? "true" : "false");
        out << buf;
    }
    return out.str();
}

std::string comparisonToJson(const ComparisonTable &t)
{
    nlohmann::json points = nlohmann::json::array();
    for (const ComparisonPoint &p : t.points)
        points.push_back({{"granularity", p.granularity},
                          {"target", p.target},
                          {"macs_reduction", p.macs_reduction},
                          {"top1", p.top1},
                          {"top5", p.top5},
                          {"dense", p.dense}});
    const nlohmann::json doc = {{"format", "gkp-comparison"},
                                {"version", 1},
                                {"model_file", t.model_file},
                                {"dataset", t.dataset},
                                {"samples", t.samples},
                                {"recalibration_samples", t.recalibration_samples},
                                {"method", t.method},
                                {"baseline", {{"top1", t.baseline_top1}, {"top5", t.baseline_top5}}},
                                {"reductions", t.reductions},
                                {"granularities", t.granularities},
                                {"points", points}};
    return doc.dump(1) + "\n";
}

} // namespace gkp
