#include "evalcommand.h"

#include "eval/bnrecalibration.h"
#include "datasetoptions.h"
#include "data/datasetspec.h"
#include "eval/evaluate.h"
#include "export/exportrewrite.h"
#include "engine/planjson.h"
#include "model/model.h"
#include "progressbar.h"
#include "table.h"
#include "model/torchmodel.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

namespace gkp::cli {

namespace {

struct EvalOptions
{
    std::string model;
    std::string dataset;
    std::string plan;
    std::string exported;
    int64_t limit = -1;
    int batch = 64;
    bool json = false;
    int64_t recalibrate = 0; // BatchNorm recalibration images (0: off)
    std::string calibration;  // recalibration dataset SPEC (default: the training split)
};

struct Variant
{
    std::string name; // key in the JSON output: "original", "masked", "exported" (+ "_recalibrated")
    torch::jit::Module module;
    bool recalibrate = false; // a pruned variant: also evaluated after BatchNorm recalibration
};

// The models evaluated besides the original: the masked model (the original with the --plan
// masks applied) and an exported model. Plans are validated against the model analysed at the
// dataset's image shape.
std::vector<Variant> otherVariants(const EvalOptions &options, const Dataset &data)
{
    std::vector<Variant> variants;
    if (options.plan.empty() && options.exported.empty())
        return variants;
    LoadOptions load;
    load.input_shape = Shape{1, data.channels(), data.height(), data.width()};
    const Model analysed = Model::load(options.model, load);
    if (!options.plan.empty())
        variants.push_back({"masked", buildMaskedModule(analysed, loadPlan(options.plan, analysed)), true});
    if (!options.exported.empty()) {
        LoadOptions raw;
        raw.analyse = false;
        variants.push_back({"exported", Model::load(options.exported, raw).impl().module, true});
    }
    return variants;
}

std::string percent(double fraction)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f%%", 100.0 * fraction);
    return buf;
}

void run(const EvalOptions &options)
{
    LoadOptions load;
    load.analyse = false; // the dataset decides the input shape; evaluate() reports a mismatch
    const Model model = Model::load(options.model, load);
    const Dataset data = loadDatasetFor(options.dataset, model.inventory(), options.limit);
    Dataset calibration;
    if (options.recalibrate > 0)
        calibration = loadTrainingSplit(options.dataset, options.calibration, model.inventory(), options.recalibrate,
                                        "recalibration data", "--calibration-data");

    std::vector<Variant> variants = otherVariants(options, data);
    variants.insert(variants.begin(), Variant{"original", model.impl().module});
    nlohmann::json doc = nlohmann::json::object();
    Table table({"model", "top-1", "top-5", "samples"}, {false, true, true, true});
    std::vector<std::string> notes;
    auto score = [&](const std::string &name, torch::jit::Module &module) {
        Accuracy acc;
        {
            ProgressBar bar("evaluating " + name);
            acc = evaluate(module, data, options.batch, bar.callback());
        }
        doc[name] = {{"top1", acc.top1}, {"top5", acc.top5}, {"samples", acc.samples}};
        table.addRow({name, percent(acc.top1), percent(acc.top5), std::to_string(acc.samples)});
    };
    for (Variant &v : variants) {
        score(v.name, v.module);
        if (!v.recalibrate || options.recalibrate <= 0)
            continue;
        torch::jit::Module copy = v.module.clone();
        try {
            ProgressBar bar("recalibrating " + v.name);
            recalibrateBatchNorm(copy, calibration, std::max(options.batch, 32), bar.callback());
        } catch (const Cancelled &) {
            throw;
        } catch (const Error &e) {
            notes.push_back(v.name + "_recalibrated: not evaluated: " + e.what());
            continue;
        }
        score(v.name + "_recalibrated", copy);
    }
    for (const std::string &n : notes)
        std::cerr << n << '\n';
    if (options.json) {
        std::cout << doc.dump(2) << '\n';
    } else {
        std::cout << options.model << " on " << data.summary() << "\n\n";
        table.print(std::cout);
        if (data.classes < 5)
            std::cout << "\n(fewer than 5 classes: top-5 is reported equal to top-1)\n";
        if (options.recalibrate > 0)
            std::cout << "\n*_recalibrated: the same model after re-estimating its BatchNorm statistics on "
                      << calibration.size() << " images of " << calibration.description
                      << " (weights unchanged); the other rows use the statistics as stored\n";
    }
}

} // namespace

void addEvalCommand(CLI::App &app)
{
    auto *cmd = app.add_subcommand("eval", "Top-1/top-5 accuracy of a model on a dataset");
    auto opts = std::make_shared<EvalOptions>();
    cmd->add_option("model", opts->model, "Model: TorchScript (.pt) or ONNX (.onnx)")->required();
    cmd->add_option("--dataset", opts->dataset, DatasetHelp)->required();
    cmd->add_option("--limit", opts->limit, "Evaluate only the first N samples")->check(CLI::PositiveNumber);
    cmd->add_option("--batch", opts->batch, "Images per forward pass")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    cmd->add_flag("--json", opts->json,
                  "Print {\"original\": {\"top1\", \"top5\", \"samples\"}} (fractions)");
    cmd->add_option("--plan", opts->plan, "Also evaluate the model masked by this plan");
    cmd->add_option("--exported", opts->exported, "Also evaluate this exported model (gkp export)");
    cmd->add_option("--recalibrate-bn", opts->recalibrate,
                    "Also evaluate the masked/exported models after re-estimating BatchNorm statistics on N "
                    "training images (reported as *_recalibrated)")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--calibration-data", opts->calibration,
                    "Dataset SPEC for --recalibrate-bn (default: the training split of --dataset)");
    cmd->callback([opts] { run(*opts); });
}

} // namespace gkp::cli
