#include "eval/frontier.h"

#include "engine/channelplanner.h"
#include "engine/planjson.h"
#include "engine/planner.h"
#include "eval/bnrecalibration.h"
#include "eval/evaluate.h"
#include "eval/maskedmodule.h"
#include "model/model.h"
#include "runtime/benchmark.h"
#include "util/atomicfile.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <sstream>

namespace gkp {

namespace {

std::string targetLabel(double target)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", target);
    return buf;
}

bool isChannelSetting(const std::string &groups)
{
    return groups == "channel" || groups == "channel-internal";
}

PlanSettings pointSettings(const FrontierOptions &o, const std::string &groups, double target, int64_t batch)
{
    PlanSettings s = o.settings;
    s.method = "gkp";
    s.target_macs_reduction = target;
    if (isChannelSetting(groups)) {
        // the strong baseline of gkp compare: coupled channels, one global threshold
        s.method = "channel";
        s.importance = o.channel_importance;
        s.allocation = "global";
        s.protect_residual = groups == "channel-internal";
        s.groups = 1;
        s.latency_aware = false;
        s.overrides.clear();
    } else if (groups == "auto") {
        s.groups = 0;
        s.latency_aware = true;
        // as gkp plan --latency-aware: with timing, every G is a candidate (the default energy
        // tolerance would leave only the highest-energy G, often the slowest)
        if (s.epsilon == PlanSettings{}.epsilon)
            s.epsilon = 1.0;
        s.latency_runtime = toString(o.runtime);
        s.latency_batch = batch;
    } else {
        s.groups = std::stoi(groups);
        s.latency_aware = false;
    }
    return s;
}

void checkOptions(const FrontierOptions &o)
{
    if (o.groups.empty() || o.targets.empty())
        throw Error("the frontier needs at least one group count and one MACs target");
    for (const std::string &g : o.groups) {
        if (g == "auto" || isChannelSetting(g))
            continue;
        std::size_t used = 0;
        int v = 0;
        try {
            v = std::stoi(g, &used);
        } catch (const std::exception &) {
            used = 0;
        }
        if (used != g.size() || v < 1)
            throw Error("frontier group count '" + g +
                        "': expected a positive number, auto, channel or channel-internal");
    }
    for (double t : o.targets)
        if (!(t > 0.0 && t < 1.0))
            throw Error("frontier MACs targets must be in (0, 1), not " + std::to_string(t));
    checkChannelImportance(o.channel_importance); // up front: a planning error would only skip the points
    if (o.runs < 1)
        throw Error("the frontier needs at least one timed run per point");
}

} // namespace

FrontierVerdict frontierVerdict(const std::vector<FrontierPoint> &points, double margin, double slack)
{
    FrontierVerdict v;
    const bool anyGrouped = std::any_of(points.begin(), points.end(), [](const auto &p) { return p.isGrouped(); });
    const bool anyChannel =
        std::any_of(points.begin(), points.end(), [](const auto &p) { return p.isChannelPruning(); });
    char buf[400];
    if (!anyGrouped || !anyChannel) {
        v.text = !anyGrouped ? "no point has G > 1 in most of its layers: nothing to set against channel pruning"
                             : "no channel-pruning point (channel baseline or G = 1) to set GKP against";
        return v;
    }
    for (std::size_t i = 0; i < points.size(); ++i) {
        const FrontierPoint &p = points[i];
        if (!p.isGrouped())
            continue;
        int worst = -1;
        double least = 0.0;
        for (std::size_t j = 0; j < points.size(); ++j) {
            const FrontierPoint &q = points[j];
            if (!q.isChannelPruning() || p.relativeTime() > slack * q.relativeTime())
                continue;
            const double d = p.quality() - q.quality();
            if (worst < 0 || d < least) {
                worst = int(j);
                least = d;
            }
        }
        if (worst >= 0 && (v.gkp < 0 || least > v.margin)) {
            v.gkp = int(i);
            v.channel = worst;
            v.margin = least;
        }
    }
    if (v.gkp < 0) {
        std::snprintf(buf, sizeof buf,
                      "no point with G > 1 in most of its layers runs within %.2fx of a channel-pruning point's time: "
                      "GKP does not reach channel pruning's speed here",
                      slack);
        v.text = buf;
        return v;
    }
    v.reached = v.margin >= margin - 1e-12;
    const FrontierPoint &g = points[std::size_t(v.gkp)], &c = points[std::size_t(v.channel)];
    const bool top1 = g.top1.has_value();
    std::snprintf(buf, sizeof buf,
                  "%s: GKP's best point (%s at %.0f %%, %.2fx the original's time) leads every channel-pruning point "
                  "it is at most %.2fx slower than by %+.1f %s at least (closest: %s at %.0f %%, %.2fx); %.1f needed",
                  v.reached ? "GKP beats channel pruning at equal speed" : "GKP does not beat channel pruning at equal speed",
                  g.label().c_str(), 100.0 * g.target, g.relativeTime(), slack, 100.0 * v.margin,
                  top1 ? "points of top-1" : "points of energy", c.label().c_str(), 100.0 * c.target, c.relativeTime(),
                  100.0 * margin);
    v.text = buf;
    return v;
}

void markPareto(std::vector<FrontierPoint> &points)
{
    for (FrontierPoint &p : points) {
        p.pareto = std::none_of(points.begin(), points.end(), [&](const FrontierPoint &q) {
            const bool noWorse = q.relativeTime() <= p.relativeTime() && q.quality() >= p.quality();
            const bool better = q.relativeTime() < p.relativeTime() || q.quality() > p.quality();
            return &q != &p && noWorse && better;
        });
    }
}

Frontier computeFrontier(const Model &model, const FrontierOptions &options, const ProgressFn &progress)
{
    checkOptions(options);
    const Inventory &inv = model.inventory();
    const int64_t batch = options.batch > 0 ? options.batch : inv.input_shape.at(0);
    namespace fs = std::filesystem;
    const fs::path dir = options.dir.empty() ? fs::path(".") : fs::path(options.dir);
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (!fs::is_directory(dir))
        throw Error("cannot write the frontier's plans to '" + dir.string() + "': not a directory we can create");

    Frontier f;
    f.model_file = model.path();
    f.runtime = toString(options.runtime);
    f.batch = batch;
    f.quality = options.data ? "top1" : "energy";
    f.recalibration_samples = options.calibration ? options.calibration->size() : 0;

    const int total = int(options.groups.size() * options.targets.size());
    int done = 0;
    Planner planner(model);
    std::optional<MaskedModule> masked;
    if (options.data)
        masked.emplace(model);
    std::vector<double> originals;
    for (const std::string &groups : options.groups)
        for (double target : options.targets) {
            if (progress && !progress(done, total))
                throw Cancelled();
            const PlanSettings s = pointSettings(options, groups, target, batch);
            Plan plan;
            try {
                plan = planner.makePlan(s);
            } catch (const Cancelled &) {
                throw;
            } catch (const Error &e) { // e.g. a target channel pruning cannot reach: the other points stand
                f.skipped.push_back(groups + " at " + targetLabel(target) + ": " + e.what());
                ++done;
                continue;
            }
            FrontierPoint p;
            p.groups = groups;
            p.method = s.method;
            if (plan.isChannelPlan())
                p.importance = s.importance;
            p.target = target;
            const std::string stem =
                (isChannelSetting(groups) ? "frontier-" : "frontier-G") + groups + "-" + targetLabel(target);
            p.plan = (dir / (stem + ".json")).string();
            savePlan(plan, p.plan);
            p.pruned_layers = int(plan.layers.size());
            p.plan_macs_cut = plan.totals.macsReduction();
            p.energy = planEnergy(plan, model);

            // the file: exported for the runtime (forms timed there), verified, loaded back
            ExportOptions eo;
            eo.runtime = options.runtime;
            eo.timing_batch = batch;
            const std::string file = (dir / (stem + ".pt")).string();
            const ExportResult r = exportModel(model, plan, file, eo);
            int grouped = 0;
            for (const LayerExport &e : r.layers) {
                const LayerPlan *lp = plan.find(e.name);
                grouped += lp && lp->groups > 1 && e.form != LayerForm::MaskedDense ? 1 : 0;
            }
            p.share_grouped = r.layers.empty() ? 0.0 : double(grouped) / double(r.layers.size());
            p.file_macs_cut = 1.0 - double(r.conv_macs) / double(inv.totals.conv_macs);
            {
                LoadOptions lo;
                lo.input_shape = inv.input_shape;
                const Model written = Model::load(file, lo);
                if (options.timer) {
                    std::tie(p.latency_ms, p.original_ms) = options.timer(model, written);
                } else {
                    BenchOptions bo;
                    bo.batches = {batch};
                    bo.runs = options.runs;
                    bo.runtime = options.runtime;
                    const BenchResult b = benchmarkModels({&model, &written}, bo);
                    p.original_ms = b.median_ms.at(0).at(0);
                    p.latency_ms = b.median_ms.at(1).at(0);
                }
            }
            if (!options.keep_files)
                fs::remove(file, ec);
            originals.push_back(p.original_ms);

            if (masked) {
                masked->reset();
                masked->setPlan(plan);
                if (options.calibration)
                    recalibrateBatchNorm(masked->module(), *options.calibration, options.eval_batch);
                p.top1 = evaluate(masked->module(), *options.data, options.eval_batch).top1;
            }
            f.points.push_back(std::move(p));
            ++done;
        }
    if (progress)
        progress(total, total);
    if (f.points.empty())
        throw Error("no point of the frontier could be planned: " + f.skipped.front());
    f.original_latency_ms = medianOf(originals);
    markPareto(f.points);
    f.verdict = frontierVerdict(f.points);
    return f;
}

std::string frontierToJson(const Frontier &f)
{
    nlohmann::json points = nlohmann::json::array();
    for (const FrontierPoint &p : f.points) {
        nlohmann::json j = {{"plan", p.plan},
                            {"method", p.method},
                            {"target", p.target},
                            {"pruned_layers", p.pruned_layers},
                            {"share_grouped", p.share_grouped},
                            {"plan_macs_cut", p.plan_macs_cut},
                            {"file_macs_cut", p.file_macs_cut},
                            {"latency_ms", p.latency_ms},
                            {"original_ms", p.original_ms},
                            {"speedup", p.speedup()},
                            {"energy", p.energy},
                            {"pareto", p.pareto}};
        if (p.groups == "auto")
            j["groups"] = "auto";
        else if (p.isChannel()) { // plain dense convs, as G = 1; "setting" tells the two apart
            j["groups"] = 1;
            j["importance"] = p.importance;
        } else
            j["groups"] = std::stoi(p.groups);
        j["setting"] = p.groups;
        if (p.top1)
            j["top1"] = *p.top1;
        points.push_back(std::move(j));
    }
    const nlohmann::json doc = {{"format", "gkp-frontier"},
                                {"model", f.model_file},
                                {"runtime", f.runtime},
                                {"batch", f.batch},
                                {"quality", f.quality},
                                {"recalibration_samples", f.recalibration_samples},
                                {"original_latency_ms", f.original_latency_ms},
                                {"points", points},
                                {"skipped", f.skipped},
                                {"verdict",
                                 {{"gkp_point", f.verdict.gkp},
                                  {"channel_point", f.verdict.channel},
                                  {"margin", f.verdict.margin},
                                  {"gkp_beats_channel", f.verdict.reached},
                                  {"text", f.verdict.text}}}};
    return doc.dump(1) + "\n";
}

std::string frontierToCsv(const Frontier &f)
{
    std::ostringstream out;
    out << "setting,target,pruned_layers,share_grouped,plan_macs_cut,file_macs_cut,latency_ms,original_ms,speedup,"
           "energy,top1,pareto,method,importance,plan\n";
    for (const FrontierPoint &p : f.points) {
        char buf[512];
        std::snprintf(buf, sizeof buf, "%s,%g,%d,%.4f,%.4f,%.4f,%.3f,%.3f,%.3f,%.6f,", p.groups.c_str(), p.target,
                      p.pruned_layers, p.share_grouped, p.plan_macs_cut, p.file_macs_cut, p.latency_ms, p.original_ms,
                      p.speedup(), p.energy);
        out << buf;
        if (p.top1) {
            std::snprintf(buf, sizeof buf, "%.6f", *p.top1);
            out << buf;
        }
        out << "," << (p.pareto ? 1 : 0) << "," << p.method << "," << p.importance << "," << p.plan << "\n";
    }
    return out.str();
}

} // namespace gkp
