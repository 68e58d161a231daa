#include "inspectcommand.h"

#include "model/inventoryjson.h"
#include "options.h"
#include "table.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <iostream>

namespace gkp::cli {

namespace {

std::string dims(const Shape &s, char sep = 'x')
{
    return formatShape(s, sep);
}

void printTable(const Model &model)
{
    const Inventory &inv = model.inventory();
    std::cout << model.path() << (model.format() == ModelFormat::Onnx ? " (ONNX)" : "") << ": input "
              << formatShape(inv.input_shape) << " (" << inv.input_shape_source << ")\n";
    if (auto it = model.extraFiles().find(extra::Plan); it != model.extraFiles().end())
        std::cout << "GKP-pruned model: the plan it was exported with is stored in the archive\n";
    std::cout << '\n';
    Table table({"#", "layer", "type", "in", "out", "kernel", "stride", "groups", "output", "params", "MACs",
                 "prunable"},
                {true, false, false, true, true, false, false, true, false, true, true, false});
    for (const ConvLayer &l : inv.layers) {
        std::string prunable = l.prunable ? (l.excluded_by_default ? "yes (stem, excluded by default)" : "yes")
                                          : "no: " + l.reason;
        table.addRow({std::to_string(l.index), l.name, toString(l.kind), std::to_string(l.in_channels),
                      std::to_string(l.out_channels), dims(l.kernel), dims(l.stride), std::to_string(l.groups),
                      dims(l.output_shape), humanCount(double(l.params)), humanCount(double(l.macs)), prunable});
    }
    table.print(std::cout);
    std::cout << "\n"
              << inv.totals.convs << " convolutions, " << inv.totals.prunable << " prunable; conv MACs "
              << humanCount(double(inv.totals.conv_macs)) << " per image; parameters "
              << humanCount(double(inv.totals.params)) << '\n';
}

} // namespace

void addInspectCommand(CLI::App &app)
{
    auto *cmd = app.add_subcommand("inspect", "List every convolution with shape, parameters, MACs and prunability");
    auto opts = std::make_shared<ModelOptions>();
    auto json = std::make_shared<bool>(false);
    opts->addTo(*cmd);
    cmd->add_flag("--json", *json, "Print a JSON document instead of a table");
    cmd->callback([opts, json] {
        const Model model = Model::load(opts->model, opts->loadOptions());
        const Inventory &inv = model.inventory();
        std::cerr << "input shape " << formatShape(inv.input_shape) << " (" << inv.input_shape_source << ")\n";
        for (const std::string &note : inv.notes)
            std::cerr << "note: " << note << '\n';
        if (*json) {
            nlohmann::json doc = toJson(inv);
            doc["model_format"] = toString(model.format());
            if (auto it = model.extraFiles().find(extra::Plan); it != model.extraFiles().end()) {
                doc["gkp_pruned"] = true;
                doc["plan"] = nlohmann::json::parse(it->second, nullptr, /*allow_exceptions=*/false);
            }
            if (auto it = model.extraFiles().find(extra::Version); it != model.extraFiles().end())
                doc["written_by"] = it->second;
            std::cout << doc.dump(2) << '\n';
        } else {
            printTable(model);
        }
    });
}

} // namespace gkp::cli
