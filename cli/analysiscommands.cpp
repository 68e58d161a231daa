#include "analysiscommands.h"

#include "util/atomicfile.h"
#include "eval/comparison.h"
#include "eval/frontier.h"
#include "datasetoptions.h"
#include "distributedoptions.h"
#include "options.h"
#include "model/model.h"
#include "engine/planner.h"
#include "progressbar.h"
#include "eval/sensitivity.h"
#include "table.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>

namespace gkp::cli {

namespace {

// What the sensitivity and compare commands share: the model, the data, the GKP method and the
// output format.
struct AnalysisOptions
{
    std::string model;
    std::string dataset;
    int64_t limit = -1;
    int batch = 256;
    int64_t recalibrate = 0;
    std::string calibration;
    PlanSettings settings = defaultPlanSettings();
    std::string groups = "8";
    std::string lambda = "auto";
    bool csv = false, json = false;
    std::string output;
};

// GKP's clustering and selection options (resolveMethod reads --lambda).
void addMethodOptions(CLI::App &cmd, AnalysisOptions &o)
{
    cmd.add_option("--cluster", o.settings.cluster, "Filter clustering: kmeans, kpca, spectral, smooth")
        ->capture_default_str()
        ->check(CLI::IsMember({"kmeans", "kpca", "spectral", "smooth"}));
    cmd.add_option("--select", o.settings.select, "Grouped-kernel selection: greedy, l2, gm, l2gm")
        ->capture_default_str()
        ->check(CLI::IsMember({"greedy", "l2", "gm", "l2gm"}));
    cmd.add_option("--lambda", o.lambda, "Greedy selection lambda: auto or a number")->capture_default_str();
    cmd.add_option("--seed", o.settings.seed, "Random seed (k-means++ seeding)")->capture_default_str();
    cmd.add_flag("--include-stem", o.settings.include_stem, "Also prune convolutions that read the network input");
}

void addCommonOptions(CLI::App &cmd, AnalysisOptions &o)
{
    cmd.add_option("model", o.model, "Model: TorchScript (.pt) or ONNX (.onnx)")->required();
    cmd.add_option("--dataset", o.dataset, DatasetHelp)->required();
    cmd.add_option("--limit", o.limit, "Evaluate on the first N samples only")->check(CLI::PositiveNumber);
    cmd.add_option("--batch", o.batch, "Images per forward pass")->check(CLI::PositiveNumber)->capture_default_str();
    cmd.add_option("--recalibrate-bn", o.recalibrate,
                   "Re-estimate BatchNorm statistics on N training images after pruning each variant")
        ->check(CLI::PositiveNumber);
    cmd.add_option("--calibration-data", o.calibration,
                   "Dataset SPEC for --recalibrate-bn (default: the training split of --dataset)");
    cmd.add_option("--groups", o.groups, "GKP group count G, or auto")->capture_default_str();
    addMethodOptions(cmd, o);
    auto *csv = cmd.add_flag("--csv", o.csv, "CSV output");
    cmd.add_flag("--json", o.json, "JSON output")->excludes(csv);
    cmd.add_option("-o,--output", o.output, "Write the output to this file (atomically) instead of stdout");
}

void resolveMethod(AnalysisOptions &o)
{
    if (o.groups == "auto") {
        o.settings.groups = 0;
    } else {
        try {
            std::size_t used = 0;
            o.settings.groups = std::stoi(o.groups, &used);
            if (used != o.groups.size() || o.settings.groups < 1)
                throw std::invalid_argument(o.groups);
        } catch (const std::exception &) {
            throw Error("--groups '" + o.groups + "': expected a positive integer or auto");
        }
    }
    if (o.lambda != "auto") {
        try {
            o.settings.lambda = std::stod(o.lambda);
        } catch (const std::exception &) {
            throw Error("--lambda '" + o.lambda + "': expected auto or a number");
        }
    }
}

std::vector<double> parseFractions(const std::string &text, const std::string &option)
{
    std::vector<double> out;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        const std::size_t comma = text.find(',', pos);
        const std::string item = text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
        try {
            std::size_t used = 0;
            const double v = std::stod(item, &used);
            if (used != item.size() || !(v > 0.0 && v < 1.0))
                throw std::invalid_argument(item);
            out.push_back(v);
        } catch (const std::exception &) {
            throw Error(option + " '" + text + "': expected comma-separated fractions in (0, 1), e.g. 0.25,0.5,0.75");
        }
        if (comma == std::string::npos)
            break;
        pos = comma + 1;
    }
    return out;
}

std::string percent(double fraction)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f%%", 100.0 * fraction);
    return buf;
}

struct Loaded
{
    Model model;
    Dataset data;
    Dataset calibration;
};

Loaded loadInputs(const AnalysisOptions &o)
{
    LoadOptions raw;
    raw.analyse = false;
    const Model probe = Model::load(o.model, raw);
    Dataset data = loadDatasetFor(o.dataset, probe.inventory(), o.limit);
    LoadOptions load;
    load.input_shape = Shape{1, data.channels(), data.height(), data.width()};
    Model model = Model::load(o.model, load);
    Dataset calibration;
    if (o.recalibrate > 0)
        calibration = loadTrainingSplit(o.dataset, o.calibration, model.inventory(), o.recalibrate,
                                        "recalibration data", "--calibration-data");
    return {std::move(model), std::move(data), std::move(calibration)};
}

// Writes machine output (CSV or JSON) to -o or stdout; the human table goes to stderr when a
// file or machine format is asked for, else to stdout.
void emit(const AnalysisOptions &o, const std::string &csv, const std::string &json, const Table &human,
          const std::string &footer)
{
    const bool machine = o.csv || o.json || !o.output.empty();
    std::ostream &humanOut = machine ? std::cerr : std::cout;
    human.print(humanOut);
    humanOut << footer;
    if (!machine)
        return;
    const bool asCsv = o.csv || (!o.json && o.output.size() >= 4 && o.output.substr(o.output.size() - 4) == ".csv");
    const std::string &text = asCsv ? csv : json;
    if (o.output.empty()) {
        std::cout << text;
    } else {
        writeFileAtomically(o.output, text);
        std::cerr << "wrote " << o.output << '\n';
    }
}

std::string recalibrationNote(const AnalysisOptions &o, const Dataset &calibration)
{
    if (o.recalibrate <= 0)
        return "BatchNorm statistics as stored (no recalibration)\n";
    return "every pruned variant evaluated after re-estimating BatchNorm statistics on " +
           std::to_string(calibration.size()) + " images of " + calibration.description + "\n";
}

} // namespace

void addSensitivityCommand(CLI::App &app)
{
    auto *cmd = app.add_subcommand("sensitivity",
                                   "Per-layer sensitivity: top-1 when one layer at a time is pruned with GKP at each ratio");
    auto o = std::make_shared<AnalysisOptions>();
    auto ratios = std::make_shared<std::string>("0.25,0.5,0.75");
    auto distributed = std::make_shared<DistributedOptions>();
    addCommonOptions(*cmd, *o);
    cmd->add_option("--ratios", *ratios, "Comma-separated pruning ratios")->capture_default_str();
    distributed->addTo(*cmd);
    cmd->callback([o, ratios, distributed] {
        resolveMethod(*o);
        SensitivityOptions so;
        so.ratios = parseFractions(*ratios, "--ratios");
        so.batch = o->batch;
        // Under torchrun the evaluations are split over the ranks; rank 0 writes the merged table.
        const std::unique_ptr<Communicator> communicator = distributed->join();
        so.communicator = communicator.get();
        const bool mainRank = !communicator || communicator->isMain();
        if (!o->output.empty() && mainRank)
            checkWritable(o->output);
        const Loaded in = loadInputs(*o);
        so.recalibration = o->recalibrate > 0 ? &in.calibration : nullptr;
        Planner planner(in.model);
        SensitivityTable t;
        if (mainRank) {
            ProgressBar bar("measuring");
            t = measureSensitivity(planner, o->settings, in.data, so, bar.callback());
        } else {
            t = measureSensitivity(planner, o->settings, in.data, so,
                                   [](int, int) { return !ProgressBar::interrupted(); });
        }
        if (!mainRank) {
            if (ProgressBar::interrupted())
                throw Cancelled();
            return;
        }
        std::vector<std::string> headers{"layer"};
        std::vector<bool> right{false};
        for (double r : t.ratios) {
            char buf[48];
            std::snprintf(buf, sizeof buf, "drop @ %.2f", r);
            headers.push_back(buf);
            right.push_back(true);
        }
        Table table(headers, right);
        for (std::size_t l = 0; l < t.layers.size(); ++l) {
            std::vector<std::string> row{t.layers[l]};
            for (std::size_t r = 0; r < t.ratios.size(); ++r)
                row.push_back(percent(t.drop(l, r)));
            table.addRow(row);
        }
        const std::string footer = "\nunpruned top-1 " + percent(t.baseline_top1) + " on " + t.dataset + "; " +
                                   t.method + "; drop = unpruned top-1 minus top-1 with that layer pruned\n" +
                                   recalibrationNote(*o, in.calibration);
        if (ProgressBar::interrupted())
            throw Cancelled();
        emit(*o, sensitivityToCsv(t), sensitivityToJson(t), table, footer);
    });
}

void addCompareCommand(CLI::App &app)
{
    auto *cmd = app.add_subcommand(
        "compare", "Accuracy vs conv-MACs reduction for GKP, coupled channel, filter, kernel and weight pruning "
                   "(one-shot; structured methods matched at the MACs their exported files compute)");
    auto o = std::make_shared<AnalysisOptions>();
    auto reductions = std::make_shared<std::string>("0.2,0.3,0.43,0.5");
    auto granularities = std::make_shared<std::vector<std::string>>();
    auto sensitivity = std::make_shared<std::string>();
    addCommonOptions(*cmd, *o);
    cmd->add_option("--reductions", *reductions, "Comma-separated conv-MACs reductions")->capture_default_str();
    auto channelImportance = std::make_shared<std::string>("group-norm");
    cmd->add_option("--granularity", *granularities,
                    "Only these (repeatable): gkp, gkp-g1 (GKP with G = 1), channel (coupled channel pruning), "
                    "channel-internal (the same, residual streams whole), filter, kernel, weight")
        ->check(CLI::IsMember(comparisonGranularities()));
    cmd->add_option("--channel-importance", *channelImportance,
                    "Criterion of the channel baselines: l1, l2 or group-norm")
        ->capture_default_str()
        ->check(CLI::IsMember({"l1", "l2", "group-norm"}));
    cmd->add_option("--sensitivity", *sensitivity,
                    "Allocate per-layer ratios by this sensitivity file (gkp sensitivity --json) instead of uniformly");
    auto channelAllocation = std::make_shared<std::string>("global");
    cmd->add_option("--channel-allocation", *channelAllocation,
                    "How the channel baselines spread the target: global (channels ranked across families by "
                    "importance over the family's mean) or uniform (one ratio per family)")
        ->capture_default_str()
        ->check(CLI::IsMember({"global", "uniform"}));
    cmd->callback([o, reductions, granularities, sensitivity, channelImportance, channelAllocation] {
        resolveMethod(*o);
        ComparisonOptions co;
        co.channel_importance = *channelImportance;
        co.channel_allocation = *channelAllocation;
        co.reductions = parseFractions(*reductions, "--reductions");
        if (!granularities->empty())
            co.granularities = *granularities;
        co.batch = o->batch;
        if (!sensitivity->empty()) {
            o->settings.allocation = "sensitivity";
            o->settings.sensitivity = loadSensitivity(*sensitivity).curves();
        }
        if (!o->output.empty())
            checkWritable(o->output);
        const Loaded in = loadInputs(*o);
        co.recalibration = o->recalibrate > 0 ? &in.calibration : nullptr;
        Planner planner(in.model);
        ComparisonTable t;
        {
            ProgressBar bar("comparing");
            t = compareAccuracy(planner, o->settings, in.data, co, bar.callback());
        }
        Table table({"granularity", "method", "target", "MACs cut", "top-1", "top-5", "dense"},
                    {false, false, true, true, true, true, false});
        for (const ComparisonPoint &p : t.points)
            table.addRow({p.granularity, comparisonMethodName(p.granularity, co.channel_importance, co.channel_allocation), percent(p.target),
                          percent(p.macs_reduction), percent(p.top1), percent(p.top5), p.dense ? "yes" : "no (sparse)"});
        const std::string footer =
            "\nunpruned top-1 " + percent(t.baseline_top1) + " on " + t.dataset + "; GKP: " + t.method +
            "\nMACs cut: for gkp, gkp-g1 and the channel methods what the exported file computes (each plan "
            "searched to meet the target in the file); for kernel/weight the MACs of nonzero weights (sparse), "
            "for filter a filter's own MACs\n" +
            recalibrationNote(*o, in.calibration);
        if (ProgressBar::interrupted())
            throw Cancelled();
        emit(*o, comparisonToCsv(t), comparisonToJson(t), table, footer);
    });
}

void addFrontierCommand(CLI::App &app)
{
    auto *cmd = app.add_subcommand(
        "frontier", "Accuracy-latency frontier: GKP plans over group counts and MACs targets and the coupled "
                    "channel-pruning baseline, each exported for the runtime and timed against the original "
                    "(interleaved medians); the Pareto points marked, and whether GKP beats channel pruning at "
                    "equal speed");
    auto o = std::make_shared<AnalysisOptions>();
    auto groups = std::make_shared<std::string>("channel,1,2,4,8,auto");
    auto frontierImportance = std::make_shared<std::string>("group-norm");
    auto gkpAllocation = std::make_shared<std::string>("uniform");
    auto targets = std::make_shared<std::string>("0.2,0.3,0.4,0.5,0.6");
    auto runtime = std::make_shared<std::string>("frozen");
    auto timingBatch = std::make_shared<int64_t>(0);
    auto runs = std::make_shared<int>(10);
    auto plansDir = std::make_shared<std::string>();
    auto keep = std::make_shared<bool>(false);
    cmd->add_option("model", o->model, "Model: TorchScript (.pt) or ONNX (.onnx)")->required();
    cmd->add_option("--groups", *groups,
                    "Comma-separated settings: group counts, auto (latency-aware flexible G), channel (coupled "
                    "channel pruning, global allocation) and channel-internal (the same, residual streams whole)")
        ->capture_default_str();
    cmd->add_option("--channel-importance", *frontierImportance,
                    "Criterion of the channel points: l1, l2 or group-norm")
        ->capture_default_str()
        ->check(CLI::IsMember({"l1", "l2", "group-norm"}));
    cmd->add_option("--allocation", *gkpAllocation,
                    "How the GKP points spread their target: uniform (one ratio) or global (one threshold on each "
                    "input channel's kernel-column norm over its layer's mean); the channel points always spread "
                    "theirs globally")
        ->capture_default_str()
        ->check(CLI::IsMember({"uniform", "global"}));
    cmd->add_option("--targets", *targets, "Comma-separated conv-MACs reductions the plans target")
        ->capture_default_str();
    cmd->add_option("--runtime", *runtime,
                    "Where the files run: frozen (as loaded) or onednn (after torch.jit.optimize_for_inference)")
        ->capture_default_str()
        ->check(CLI::IsMember(runtimeNames()));
    cmd->add_option("--batch", *timingBatch, "Batch the files are exported for and timed at (default: the model's)")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--runs", *runs, "Timed runs per point (interleaved with the original)")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    cmd->add_option("--dataset", o->dataset,
                    std::string("Evaluate top-1 (masked model) on this dataset instead of retained energy. ") +
                        DatasetHelp);
    cmd->add_option("--limit", o->limit, "Evaluate on the first N samples only")->check(CLI::PositiveNumber);
    cmd->add_option("--eval-batch", o->batch, "Images per forward pass when evaluating")->capture_default_str();
    cmd->add_option("--recalibrate-bn", o->recalibrate,
                    "Re-estimate BatchNorm statistics on N training images before evaluating each point")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--calibration-data", o->calibration,
                    "Dataset SPEC for --recalibrate-bn (default: the training split of --dataset)");
    addMethodOptions(*cmd, *o);
    cmd->add_option("--plans-dir", *plansDir,
                    "Where each point's plan JSON goes (default: beside -o, else the current directory)");
    cmd->add_flag("--keep-files", *keep, "Keep each point's exported model (frontier-G<g>-<target>.pt, frontier-channel-<target>.pt) beside its plan");
    auto *csv = cmd->add_flag("--csv", o->csv, "CSV output");
    cmd->add_flag("--json", o->json, "JSON output")->excludes(csv);
    cmd->add_option("-o,--output", o->output, "Write the output to this file (atomically) instead of stdout");
    cmd->callback([o, groups, targets, runtime, timingBatch, runs, plansDir, keep, frontierImportance,
                   gkpAllocation] {
        if (o->recalibrate > 0 && o->dataset.empty())
            throw Error("--recalibrate-bn needs --dataset: BatchNorm is recalibrated before evaluating top-1");
        o->groups = "1"; // the sweep sets G per point; resolveMethod then reads --lambda
        resolveMethod(*o);
        FrontierOptions fo;
        fo.groups.clear();
        std::stringstream list(*groups);
        for (std::string g; std::getline(list, g, ',');)
            fo.groups.push_back(g);
        fo.targets = parseFractions(*targets, "--targets");
        fo.channel_importance = *frontierImportance;
        fo.runtime = *runtimeFromString(*runtime);
        fo.batch = *timingBatch;
        fo.runs = *runs;
        fo.settings = o->settings;
        fo.settings.allocation = *gkpAllocation;
        fo.keep_files = *keep;
        fo.eval_batch = o->batch;
        if (!o->output.empty())
            checkWritable(o->output);
        fo.dir = !plansDir->empty()    ? *plansDir
                 : !o->output.empty() ? std::filesystem::path(o->output).parent_path().string()
                                      : std::string();
        std::optional<Loaded> in;
        std::optional<Model> modelOnly;
        if (!o->dataset.empty()) {
            in.emplace(loadInputs(*o));
            fo.data = &in->data;
            fo.calibration = o->recalibrate > 0 ? &in->calibration : nullptr;
        } else {
            modelOnly.emplace(Model::load(o->model));
        }
        const Model &model = in ? in->model : *modelOnly;
        Frontier f;
        {
            ProgressBar bar("frontier");
            f = computeFrontier(model, fo, bar.callback());
        }
        const std::string quality = f.quality == "top1" ? "top-1" : "energy";
        Table table({"setting", "target", "file MACs cut", "grouped layers", "latency ms", "speed-up", quality, "pareto"},
                    {true, true, true, true, true, true, true, false});
        for (const FrontierPoint &p : f.points) {
            char ms[32], speed[32];
            std::snprintf(ms, sizeof ms, "%.2f", p.latency_ms);
            std::snprintf(speed, sizeof speed, "%.2fx", p.speedup());
            table.addRow({p.label(), percent(p.target), percent(p.file_macs_cut), percent(p.share_grouped), ms, speed,
                          percent(p.quality()), p.pareto ? "*" : ""});
        }
        char original[64];
        std::snprintf(original, sizeof original, "%.2f", f.original_latency_ms);
        std::string footer = "\noriginal " + std::string(original) + " ms (median over the points' runs) in the " +
                             f.runtime + " runtime at batch " + std::to_string(f.batch) +
                             "; latency and speed-up of each written file against the original in the same "
                             "interleaved runs; * = on the Pareto frontier (no point better and faster relative to the original, "
                             "so the machine's drift between points cancels)\n";
        if (f.quality == "top1")
            footer += recalibrationNote(*o, in->calibration);
        else
            footer += "energy: retained kernel energy (squared L2 of the kept weights), MACs-weighted over every conv\n";
        const bool anyFaster = std::any_of(f.points.begin(), f.points.end(), [](const FrontierPoint &p) {
            return p.speedup() > 1.0 && p.share_grouped > 0.5;
        });
        if (!anyFaster)
            footer += "no point with G > 1 in most of its layers ran faster than the original here\n";
        footer += f.verdict.text + "\n";
        for (const std::string &s : f.skipped)
            footer += "skipped " + s + "\n";
        if (ProgressBar::interrupted())
            throw Cancelled();
        emit(*o, frontierToCsv(f), frontierToJson(f), table, footer);
    });
}

} // namespace gkp::cli
