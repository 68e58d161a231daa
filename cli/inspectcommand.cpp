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

void printFamilies(const ChannelDependencies &deps, const Inventory &inv)
{
    Table table({"#", "family", "channels", "residual", "producers", "readers", "prunable"},
                {true, false, true, false, false, false, false});
    int prunable = 0;
    for (const ChannelFamily &f : deps.families) {
        std::string producers, readers;
        for (const ChannelMember &m : f.members) {
            const std::string name = m.layer >= 0 ? inv.layers[std::size_t(m.layer)].name : m.name;
            std::string &list = m.kind == ChannelMember::Kind::Producer || m.kind == ChannelMember::Kind::Pad
                                    ? producers
                                    : m.kind == ChannelMember::Kind::BatchNorm ? producers : readers;
            if (m.kind == ChannelMember::Kind::BatchNorm)
                continue;
            list += (list.empty() ? "" : ", ") + name + (m.offset ? "@" + std::to_string(m.offset) : "");
        }
        prunable += f.prunable;
        table.addRow({std::to_string(f.index), f.name, std::to_string(f.channels), f.residual ? "yes" : "",
                      producers.empty() ? "-" : producers, readers.empty() ? "-" : readers,
                      f.prunable ? "yes" : "no: " + f.reason});
    }
    table.print(std::cout);
    std::cout << '\n' << deps.families.size() << " channel families, " << prunable << " prunable\n";
}

} // namespace

void addInspectCommand(CLI::App &app)
{
    auto *cmd = app.add_subcommand("inspect", "List every convolution with shape, parameters, MACs and prunability");
    auto opts = std::make_shared<ModelOptions>();
    auto json = std::make_shared<bool>(false);
    auto groups = std::make_shared<bool>(false);
    auto groupsJson = std::make_shared<bool>(false);
    opts->addTo(*cmd);
    cmd->add_flag("--json", *json, "Print a JSON document instead of a table");
    cmd->add_flag("--groups", *groups,
                  "List the coupled channel families (dependency groups) instead: channels that can only be "
                  "removed together, through BatchNorm, residual adds, concats and depthwise convolutions");
    cmd->add_flag("--groups-json", *groupsJson, "The coupled channel families as a JSON document");
    cmd->callback([opts, json, groups, groupsJson] {
        const Model model = Model::load(opts->model, opts->loadOptions());
        const Inventory &inv = model.inventory();
        std::cerr << "input shape " << formatShape(inv.input_shape) << " (" << inv.input_shape_source << ")\n";
        for (const std::string &note : inv.notes)
            std::cerr << "note: " << note << '\n';
        if (*groups || *groupsJson) {
            const ChannelDependencies deps = channelDependencies(model);
            if (*groupsJson)
                std::cout << toJson(deps, inv).dump(2) << '\n';
            else
                printFamilies(deps, inv);
        } else if (*json) {
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
