#include "plancommand.h"

#include "util/atomicfile.h"
#include "options.h"
#include "engine/planjson.h"
#include "engine/planner.h"
#include "runtime/onnxruntimebench.h"
#include "progressbar.h"
#include "eval/sensitivity.h"
#include "table.h"

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>

namespace gkp::cli {

namespace {

struct PlanOptions
{
    ModelOptions model;
    PlanSettings settings;
    std::string groups = "8";
    std::string lambda = "auto";
    std::vector<std::string> layers;
    std::optional<double> target;
    std::string output;
    std::string sensitivity;
    std::string allocation = "auto";
    bool json = false;
    bool quiet = false;
};

std::string percent(double fraction)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f %%", fraction * 100.0);
    return buf;
}

std::string fixed(double v, int digits)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.*f", digits, v);
    return buf;
}

PlanSettings resolve(PlanOptions &o)
{
    PlanSettings s = o.settings;
    if (o.groups == "auto") {
        s.groups = 0;
    } else {
        try {
            std::size_t used = 0;
            s.groups = std::stoi(o.groups, &used);
            if (used != o.groups.size() || s.groups < 1)
                throw std::invalid_argument(o.groups);
        } catch (const std::exception &) {
            throw Error("--groups '" + o.groups + "': expected a positive integer or auto");
        }
    }
    if (o.lambda != "auto") {
        try {
            s.lambda = std::stod(o.lambda);
        } catch (const std::exception &) {
            throw Error("--lambda '" + o.lambda + "': expected auto or a number");
        }
    }
    s.target_macs_reduction = o.target;
    s.allocation = o.allocation != "auto" ? o.allocation : o.sensitivity.empty() ? defaultAllocation(s) : "uniform";
    if (!o.sensitivity.empty()) {
        if (!o.target)
            throw Error("--sensitivity allocates a MACs target: give --target-macs-reduction too");
        if (s.allocation != "uniform")
            throw Error("--sensitivity and --allocation " + s.allocation + " both choose how the target is spread: give one");
        s.allocation = "sensitivity";
        s.sensitivity = loadSensitivity(o.sensitivity).curves();
    }
    for (const std::string &spec : o.layers) {
        const auto eq = spec.find('=');
        if (eq == std::string::npos || eq == 0)
            throw Error("--layer '" + spec + "': expected NAME=ratio:R,groups:G|auto,off");
        s.overrides[spec.substr(0, eq)] = parseLayerOverride(spec.substr(eq + 1));
        const auto &groups = s.overrides[spec.substr(0, eq)].groups;
        if (s.method == "channel" && groups && *groups != 1)
            throw Error("--layer " + spec.substr(0, eq) + ": channel pruning has no group count");
    }
    return s;
}

void printSummary(const Plan &plan, const Model &model, double seconds)
{
    if (plan.isChannelPlan())
        std::cerr << methodSummary(plan.settings) << ": " << plan.channel_groups.size()
                  << " channel families pruned\n";
    Table table({"layer", "G", "m/Cin", "ratio", "cluster", "energy", "MACs", "MACs after", "note"},
                {false, true, true, true, false, true, true, true, false});
    for (const LayerPlan &l : plan.layers) {
        const ConvLayer &conv = model.inventory().layers[std::size_t(l.layer)];
        table.addRow({l.name, std::to_string(l.groups),
                      std::to_string(l.kept_per_group) + "/" + std::to_string(conv.in_channels), fixed(l.ratio, 4),
                      l.cluster, fixed(l.retained_energy, 4), humanCount(double(l.macs_before)),
                      humanCount(double(l.macs_after)), l.note});
    }
    table.print(std::cerr);
    if (!plan.left_dense.empty()) {
        std::cerr << "\nleft dense (no pruned form ran faster than the dense conv; the MACs target is met by the "
                     "other layers):\n";
        for (const LeftDense &d : plan.left_dense)
            std::cerr << "  " << d.name << ": " << fixed(d.pruned_ms, 3) << " ms pruned vs " << fixed(d.dense_ms, 3)
                      << " ms dense\n";
    }
    if (!plan.note.empty())
        std::cerr << "\n" << plan.note << "\n";
    const PlanTotals &t = plan.totals;
    std::cerr << "\n"
              << plan.layers.size() << " layers pruned; conv MACs " << humanCount(double(t.macs_before)) << " -> "
              << humanCount(double(t.macs_after)) << " (-" << percent(t.macsReduction()) << "); parameters "
              << humanCount(double(t.params_before)) << " -> " << humanCount(double(t.params_after)) << " (-"
              << percent(t.paramsReduction()) << "); planned in " << fixed(seconds, 2) << " s\n";
    if (t.deploy_macs_after != t.macs_after)
        std::cerr << "a deploy export computes about " << humanCount(double(t.deploy_macs_after)) << " conv MACs (-"
                  << percent(t.deployMacsReduction())
                  << "): a dense producer read by one pruned layer computes only the channels that "
                     "layer's gather reads (G = 1: the kept ones; G*m at most its channels: the gathered "
                     "ones, no gather)\n";
}

} // namespace

void addPlanCommand(CLI::App &app)
{
    auto *cmd = app.add_subcommand("plan", "Cluster filters and select grouped kernels: write a pruning plan (JSON)");
    auto o = std::make_shared<PlanOptions>();
    o->settings = defaultPlanSettings();
    o->model.addTo(*cmd);
    cmd->add_option("-o,--output", o->output, "Write the plan to this JSON file (atomically)");
    cmd->add_option("--method", o->settings.method,
                    "gkp: grouped kernel pruning (the options below); channel: coupled channel pruning, whole "
                    "channels removed from every layer that holds them (residual adds, concats, depthwise convs)")
        ->capture_default_str()
        ->check(CLI::IsMember({"gkp", "channel"}));
    cmd->add_option("--importance", o->settings.importance,
                    "channel method: l1 or l2 (norm of the channel's filters), group-norm (norm over every coupled "
                    "slice: filters, BatchNorm, reader columns)")
        ->capture_default_str()
        ->check(CLI::IsMember({"l1", "l2", "group-norm"}));
    cmd->add_flag("--protect-residual,--internal-only", o->settings.protect_residual,
                  "Leave residual streams whole: the channel method prunes only channels no residual add couples; "
                  "GKP leaves the layers that read a residual stream unpruned");
    cmd->add_option("--ratio", o->settings.ratio, "Fraction of grouped kernels pruned in every group")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 0.999));
    cmd->add_option("--target-macs-reduction", o->target,
                    "Find the uniform ratio that removes this fraction of all conv MACs (e.g. 0.43)")
        ->check(CLI::Range(0.0, 0.999));
    cmd->add_option("--allocation", o->allocation,
                    "How --target-macs-reduction is spread: uniform (one ratio everywhere) or global (one threshold "
                    "on each channel's importance over its family's or layer's mean; at 43 % on the demo the channel "
                    "method got 89.4 % top-1 against 84.2 % uniform, GKP 88.3 % against 87.4 %); auto: global for "
                    "the channel method with a target, else uniform")
        ->capture_default_str()
        ->check(CLI::IsMember({"auto", "uniform", "global"}));
    cmd->add_option("--sensitivity", o->sensitivity,
                    "With --target-macs-reduction: spread the target by this sensitivity file (gkp sensitivity "
                    "--json): less sensitive layers are pruned more");
    cmd->add_option("--groups", o->groups, "Group count G per layer, or auto (flexible group count)")
        ->capture_default_str();
    cmd->add_option("--cluster", o->settings.cluster, "Filter clustering: kmeans, kpca, spectral, smooth, tmi")
        ->capture_default_str()
        ->check(CLI::IsMember({"kmeans", "kpca", "spectral", "smooth", "tmi"}));
    cmd->add_option("--select", o->settings.select, "Grouped-kernel selection: greedy, l2, gm, l2gm")
        ->capture_default_str()
        ->check(CLI::IsMember({"greedy", "l2", "gm", "l2gm"}));
    cmd->add_option("--lambda", o->lambda, "Greedy selection lambda: auto or a number")->capture_default_str();
    cmd->add_option("--max-starts", o->settings.max_starts,
                    "Greedy start channels (0: all when Cin <= 256, else 64 evenly spaced)")
        ->capture_default_str();
    cmd->add_option("--layer", o->layers, "Per-layer override NAME=ratio:R,groups:G|auto,off (repeatable)");
    cmd->add_flag("--include-stem", o->settings.include_stem, "Also prune convolutions that read the network input");
    cmd->add_option("--seed", o->settings.seed, "Random seed (k-means++ seeding)")->capture_default_str();
    cmd->add_option("--n-init", o->settings.n_init, "k-means restarts")->capture_default_str()->check(CLI::Range(1, 1000));
    cmd->add_option("--max-groups", o->settings.max_groups, "auto groups: largest G tried")->capture_default_str();
    auto *epsilon = cmd->add_option("--epsilon", o->settings.epsilon,
                                    "auto groups: energy tolerance (with --latency-aware the default is 1: every "
                                    "G is a candidate and the fastest wins)")
                        ->capture_default_str();
    cmd->add_flag("--latency-aware", o->settings.latency_aware,
                  "auto groups: among near-best-energy G, keep the one whose pruned layer runs fastest here; with "
                  "--target-macs-reduction, then time the whole deploy file against the block pattern's (G = 2 "
                  "without gathers behind dense producers, G = 1 elsewhere) and keep the faster");
    cmd->add_option("--latency-batch", o->settings.latency_batch, "Batch size for --latency-aware timing");
    cmd->add_option("--latency-slack", o->settings.latency_slack,
                    "--latency-aware: a G at most this fraction slower than the layer's fastest may be kept for its "
                    "higher retained energy (0: the fastest wins)")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 10.0));
    std::vector<std::string> runtimes = runtimeNames();
    runtimes.push_back(OnnxRuntimeName);
    cmd->add_option("--runtime", o->settings.latency_runtime,
                    "Where --latency-aware times layers and whole files: frozen (the exported file as loaded), "
                    "onednn (after torch.jit.optimize_for_inference), or, for ONNX models, onnxruntime (whole "
                    ".onnx files in ONNX Runtime; the layers in LibTorch, frozen)")
        ->capture_default_str()
        ->check(CLI::IsMember(runtimes));
    cmd->add_option("--channel-multiple", o->settings.channel_multiple,
                    "Round kept input channels per group (and kept channels of a channel plan) to a multiple "
                    "of N (8 suits AVX2 kernels and ONNX Runtime); 1: no rounding; 0: 8 on layers of at least "
                    "128 channels, none on narrower ones")
        ->capture_default_str()
        ->check(CLI::Range(0, 1024));
    cmd->add_option("--snapshots", o->settings.snapshots,
                    "TMI: training snapshot files or folders of .pt files (same architecture)");
    cmd->add_flag("--json", o->json, "Print the plan JSON on stdout");
    cmd->add_flag("-q,--quiet", o->quiet, "No per-layer summary");
    cmd->callback([o, epsilon] {
        // Latency-aware with the default tolerance leaves only the highest-energy G (the largest,
        // slowest one) as a candidate: the file then keeps every layer dense. Let time decide.
        if (o->settings.latency_aware && epsilon->count() == 0)
            o->settings.epsilon = 1.0;
        const PlanSettings settings = resolve(*o);
        if (!o->output.empty())
            checkWritable(o->output);
        const Model model = Model::load(o->model.model, o->model.loadOptions());
        std::cerr << "input shape " << formatShape(model.inventory().input_shape) << " ("
                  << model.inventory().input_shape_source << ")\n";
        if (settings.cluster == "tmi" && settings.snapshots.empty())
            std::cerr << "warning: --cluster tmi needs training snapshots (--snapshots); using kmeans\n";
        Planner planner(model);
        const auto start = std::chrono::steady_clock::now();
        Plan plan;
        {
            ProgressBar bar("planning");
            plan = planner.makePlan(settings, bar.callback());
        }
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (!o->quiet)
            printSummary(plan, model, seconds);
        if (ProgressBar::interrupted())
            throw Cancelled();
        if (!o->output.empty()) {
            savePlan(plan, o->output);
            std::cerr << "wrote " << o->output << '\n';
        }
        if (o->json)
            std::cout << planToString(plan);
    });
}

} // namespace gkp::cli
