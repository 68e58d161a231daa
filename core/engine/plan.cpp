#include "engine/plan.h"

#include "engine/channelplanner.h"
#include "util/error.h"
#include "model/model.h"

#include <algorithm>
#include <cstdlib>
#include <sstream>

namespace gkp {

namespace {
double parseNumber(const std::string &text, const std::string &context)
{
    char *end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0')
        throw Error("invalid number '" + text + "' in " + context);
    return v;
}
} // namespace

LayerOverride parseLayerOverride(const std::string &text)
{
    LayerOverride o;
    std::stringstream ss(text);
    std::string item;
    while (std::getline(ss, item, ',')) {
        const auto colon = item.find(':');
        const std::string key = item.substr(0, colon);
        const std::string value = colon == std::string::npos ? std::string() : item.substr(colon + 1);
        if (key == "off" && colon == std::string::npos) {
            o.off = true;
        } else if (key == "on" && colon == std::string::npos) {
            o.include = true;
        } else if (key == "ratio") {
            const double r = parseNumber(value, "'" + text + "'");
            if (r < 0.0 || r >= 1.0)
                throw Error("ratio " + value + " in '" + text + "' must be in [0, 1)");
            o.ratio = r;
            o.include = true;
        } else if (key == "groups") {
            if (value == "auto") {
                o.groups = 0;
            } else {
                const double g = parseNumber(value, "'" + text + "'");
                if (g < 1 || g != int(g))
                    throw Error("groups '" + value + "' in '" + text + "' must be a positive integer or auto");
                o.groups = int(g);
            }
            o.include = true;
        } else {
            throw Error("unknown layer setting '" + item + "' in '" + text +
                        "': expected ratio:R, groups:G|auto, off or on");
        }
    }
    return o;
}

const LayerPlan *Plan::find(const std::string &name) const
{
    for (const LayerPlan &l : layers)
        if (l.name == name)
            return &l;
    return nullptr;
}

const LeftDense *Plan::findLeftDense(const std::string &name) const
{
    for (const LeftDense &d : left_dense)
        if (d.name == name)
            return &d;
    return nullptr;
}

std::vector<uint8_t> kernelMask(const LayerPlan &layer, int64_t inChannels)
{
    const std::size_t cout = layer.assignment.size();
    std::vector<uint8_t> mask(cout * static_cast<std::size_t>(inChannels), 0);
    for (std::size_t o = 0; o < cout; ++o)
        for (int c : layer.kept[static_cast<std::size_t>(layer.assignment[o])])
            mask[o * inChannels + c] = 1;
    return mask;
}

void updateCosts(LayerPlan &layer, const Model &model)
{
    const ConvLayer &l = model.inventory().layers.at(static_cast<std::size_t>(layer.layer));
    int64_t kernel = 1;
    for (int64_t k : l.kernel)
        kernel *= k;
    layer.macs_before = l.macs;
    layer.macs_after = l.macs / l.in_channels * layer.kept_per_group;
    layer.params_before = l.params;
    layer.params_after = l.out_channels * layer.kept_per_group * kernel + (l.has_bias ? l.out_channels : 0);
    layer.gather_width = int64_t(layer.groups) * layer.kept_per_group;
}

double planEnergy(const Plan &plan, const Model &model)
{
    const Inventory &inv = model.inventory();
    double total = 0.0, kept = 0.0;
    for (const ConvLayer &l : inv.layers) {
        const LayerPlan *lp = plan.find(l.name);
        total += double(l.macs);
        kept += double(l.macs) * (lp ? lp->retained_energy : 1.0);
    }
    return total > 0.0 ? kept / total : 1.0;
}

std::string defaultAllocation(const PlanSettings &settings)
{
    return settings.method == "channel" && settings.target_macs_reduction ? "global" : "uniform";
}

std::string methodSummary(const PlanSettings &s)
{
    if (s.method == "channel")
        return std::string("coupled channel pruning, ") + s.importance + " importance" +
               (s.allocation == "global" ? ", global allocation" : "") +
               (s.protect_residual ? ", residual streams kept whole" : "");
    return s.cluster + " + " + s.select + ", G = " + (s.groups == 0 ? std::string("auto") : std::to_string(s.groups));
}

bool keptBalancedOver(const LayerPlan &consumer, const LayerPlan &producer)
{
    if (consumer.groups != 1 || producer.groups <= 1 || consumer.kept.size() != 1 ||
        consumer.kept[0].size() % std::size_t(producer.groups) != 0)
        return false;
    std::vector<std::size_t> perGroup(std::size_t(producer.groups), 0);
    for (int c : consumer.kept[0]) {
        if (c < 0 || std::size_t(c) >= producer.assignment.size())
            return false;
        ++perGroup[std::size_t(producer.assignment[std::size_t(c)])];
    }
    return std::all_of(perGroup.begin(), perGroup.end(), [&](std::size_t n) { return n == perGroup[0]; });
}

void updateTotals(Plan &plan, const Model &model)
{
    if (plan.isChannelPlan()) {
        deriveChannelLayers(plan, model);
        return;
    }
    const Totals &t = model.inventory().totals;
    plan.totals = {t.conv_macs, t.conv_macs, t.params, t.params};
    for (const LayerPlan &l : plan.layers) {
        plan.totals.macs_after -= l.macs_before - l.macs_after;
        plan.totals.params_after -= l.params_before - l.params_after;
    }
    plan.totals.deploy_macs_after = plan.totals.macs_after;
    const Inventory &inv = model.inventory();
    // A dense sole producer computes just what its consumer's gather reads: the kept channels
    // (G = 1), or, when G*m is at most its channels, the G*m gathered ones in gather order
    // (gather-free; exportrewrite). G*m above that repeats rows only when the export finds it faster.
    for (const LayerPlan &l : plan.layers) {
        const int producer = soleProducer(inv, l.layer);
        if (producer < 0)
            continue;
        const ConvLayer &p = inv.layers[std::size_t(producer)];
        const LayerPlan *pp = plan.find(p.name);
        if (pp && pp->groups != 1 && !keptBalancedOver(l, *pp))
            continue; // a grouped producer keeps its channels unless every group loses as many
        const int64_t rows = int64_t(l.groups) * l.kept_per_group;
        if (rows > p.out_channels)
            continue;
        const int64_t macs = pp ? pp->macs_after : p.macs; // exact multiple of the output channels
        plan.totals.deploy_macs_after -= macs - macs / p.out_channels * rows;
    }
}

} // namespace gkp
