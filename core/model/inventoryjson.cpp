#include "model/inventoryjson.h"

#include <nlohmann/json.hpp>

namespace gkp {

nlohmann::json toJson(const ConvLayer &l, const Inventory &inv)
{
    auto names = [&](const std::vector<int> &ids) {
        nlohmann::json a = nlohmann::json::array();
        for (int i : ids)
            a.push_back(inv.layers[i].name);
        return a;
    };
    return {
        {"name", l.name},
        {"kind", toString(l.kind)},
        {"in_channels", l.in_channels},
        {"out_channels", l.out_channels},
        {"kernel", l.kernel},
        {"stride", l.stride},
        {"padding", l.padding},
        {"dilation", l.dilation},
        {"groups", l.groups},
        {"bias", l.has_bias},
        {"input_shape", l.input_shape},
        {"output_shape", l.output_shape},
        {"params", l.params},
        {"macs", l.macs},
        {"prunable", l.prunable},
        {"reason", l.prunable ? nlohmann::json(nullptr) : nlohmann::json(l.reason)},
        {"excluded_by_default", l.excluded_by_default},
        {"input_source", toString(l.input_source)},
        {"producers", names(l.producers)},
        {"consumers", names(l.consumers)},
    };
}

nlohmann::json toJson(const Inventory &inv)
{
    nlohmann::json layers = nlohmann::json::array();
    for (const ConvLayer &l : inv.layers)
        layers.push_back(toJson(l, inv));
    nlohmann::json joins = nlohmann::json::array();
    for (const Join &j : inv.joins) {
        nlohmann::json ops = nlohmann::json::array();
        for (const auto &op : j.operands) {
            nlohmann::json names = nlohmann::json::array();
            for (int i : op)
                names.push_back(inv.layers[i].name);
            ops.push_back(names);
        }
        joins.push_back({{"kind", j.kind == Join::Kind::Add ? "add" : "concat"}, {"operands", ops}});
    }
    return {
        {"input_shape", inv.input_shape},
        {"input_shape_source", inv.input_shape_source},
        {"layers", layers},
        {"joins", joins},
        {"totals",
         {{"conv_macs", inv.totals.conv_macs},
          {"params", inv.totals.params},
          {"convs", inv.totals.convs},
          {"prunable", inv.totals.prunable}}},
        {"notes", inv.notes},
    };
}

nlohmann::json toJson(const ChannelDependencies &deps, const Inventory &inv)
{
    nlohmann::json families = nlohmann::json::array();
    for (const ChannelFamily &f : deps.families) {
        nlohmann::json members = nlohmann::json::array();
        for (const ChannelMember &m : f.members) {
            nlohmann::json j = {{"kind", toString(m.kind)},
                                {"name", m.layer >= 0 ? inv.layers[std::size_t(m.layer)].name : m.name},
                                {"offset", m.offset}};
            if (m.kind == ChannelMember::Kind::Linear)
                j["stride"] = m.stride;
            if (m.kind == ChannelMember::Kind::Pad)
                j["side"] = m.front ? "front" : "back";
            members.push_back(j);
        }
        nlohmann::json j = {{"index", f.index},       {"name", f.name},         {"channels", f.channels},
                            {"residual", f.residual}, {"prunable", f.prunable}, {"members", members}};
        if (!f.prunable)
            j["reason"] = f.reason;
        families.push_back(j);
    }
    nlohmann::json pads = nlohmann::json::array();
    for (const ChannelPad &p : deps.pads)
        pads.push_back({{"index", p.index}, {"front", p.front}, {"back", p.back}});
    return {{"families", families}, {"pads", pads}};
}

} // namespace gkp
