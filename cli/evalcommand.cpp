#include "evalcommand.h"

#include "datasetspec.h"
#include "evaluate.h"
#include "exportrewrite.h"
#include "planjson.h"
#include "model.h"
#include "progressbar.h"
#include "table.h"
#include "torchmodel.h"

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
};

struct Variant
{
    std::string name; // key in the JSON output: "original", later "masked", "exported"
    torch::jit::Module module;
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
        variants.push_back({"masked", buildMaskedModule(analysed, loadPlan(options.plan, analysed))});
    if (!options.exported.empty()) {
        LoadOptions raw;
        raw.analyse = false;
        variants.push_back({"exported", Model::load(options.exported, raw).impl().module});
    }
    return variants;
}

std::string percent(double fraction)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f%%", 100.0 * fraction);
    return buf;
}

// An image folder has no natural size: use the model's stored input shape when it has one.
void sizeFolderFromModel(DatasetSpec &spec, const Inventory &inventory)
{
    if (spec.format != DatasetFormat::Folder || inventory.input_shape_source != "archive" ||
        inventory.input_shape.size() != 4)
        return;
    const Shape &s = inventory.input_shape;
    if (!spec.channels && (s[1] == 1 || s[1] == 3))
        spec.channels = int(s[1]);
    if (!spec.height && !spec.width) {
        spec.height = int(s[2]);
        spec.width = int(s[3]);
    }
    std::cerr << "image folder: using the model's stored input shape " << formatShape(s)
              << " for channels and size unless the spec gives them\n";
}

void run(const EvalOptions &options)
{
    DatasetSpec spec = parseDatasetSpec(options.dataset);

    LoadOptions load;
    load.analyse = false; // the dataset decides the input shape; evaluate() reports a mismatch
    const Model model = Model::load(options.model, load);
    sizeFolderFromModel(spec, model.inventory());

    Dataset data;
    {
        ProgressBar bar("loading dataset");
        data = loadDataset(spec, options.limit, bar.callback());
    }
    std::cerr << "dataset: " << data.summary() << '\n';

    std::vector<Variant> variants = otherVariants(options, data);
    variants.insert(variants.begin(), Variant{"original", model.impl().module});
    nlohmann::json doc = nlohmann::json::object();
    Table table({"model", "top-1", "top-5", "samples"}, {false, true, true, true});
    for (Variant &v : variants) {
        Accuracy acc;
        {
            ProgressBar bar("evaluating " + v.name);
            acc = evaluate(v.module, data, options.batch, bar.callback());
        }
        doc[v.name] = {{"top1", acc.top1}, {"top5", acc.top5}, {"samples", acc.samples}};
        table.addRow({v.name, percent(acc.top1), percent(acc.top5), std::to_string(acc.samples)});
    }
    if (options.json) {
        std::cout << doc.dump(2) << '\n';
    } else {
        std::cout << options.model << " on " << data.summary() << "\n\n";
        table.print(std::cout);
        if (data.classes < 5)
            std::cout << "\n(fewer than 5 classes: top-5 is reported equal to top-1)\n";
    }
}

} // namespace

void addEvalCommand(CLI::App &app)
{
    auto *cmd = app.add_subcommand("eval", "Top-1/top-5 accuracy of a model on a dataset");
    auto opts = std::make_shared<EvalOptions>();
    cmd->add_option("model", opts->model, "TorchScript model (.pt)")->required();
    cmd->add_option(
           "--dataset", opts->dataset,
           "Dataset SPEC: fashion-mnist[:test|train], mnist:DIR, idx:IMAGES,LABELS, cifar10:FILE_OR_DIR, "
           "cifar100:FILE_OR_DIR, folder:DIR, with ,size=HxW ,channels=N ,mean=a/b/c ,std=a/b/c "
           "(see docs/datasets.md)")
        ->required();
    cmd->add_option("--limit", opts->limit, "Evaluate only the first N samples")->check(CLI::PositiveNumber);
    cmd->add_option("--batch", opts->batch, "Images per forward pass")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    cmd->add_flag("--json", opts->json,
                  "Print {\"original\": {\"top1\", \"top5\", \"samples\"}} (fractions)");
    cmd->add_option("--plan", opts->plan, "Also evaluate the model masked by this plan");
    cmd->add_option("--exported", opts->exported, "Also evaluate this exported model (gkp export)");
    cmd->callback([opts] { run(*opts); });
}

} // namespace gkp::cli
