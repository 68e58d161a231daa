#include "engine/channelplanner.h"

#include "engine/allocation.h"
#include "engine/planner.h"
#include "model/channeldeps.h"
#include "model/model.h"
#include "model/torchmodel.h"
#include "util/error.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>
#include <sstream>

namespace gkp {

namespace {

// The tensor attribute `attr` of the submodule at dotted `path` ("layer1.0.bn1"), or undefined.
torch::Tensor moduleTensor(const Model &model, const std::string &path, const std::string &attr)
{
    torch::jit::Module m = model.impl().module;
    std::stringstream ss(path);
    std::string part;
    while (std::getline(ss, part, '.')) {
        if (!m.hasattr(part) || !m.attr(part).isModule())
            return {};
        m = m.attr(part).toModule();
    }
    if (!m.hasattr(attr))
        return {};
    const c10::IValue v = m.attr(attr);
    return v.isTensor() ? v.toTensor().detach().to(torch::kDouble) : torch::Tensor();
}

const ConvLayer &layerOf(const Model &model, int layer)
{
    return model.inventory().layers.at(std::size_t(layer));
}

torch::Tensor convWeight(const Model &model, int layer)
{
    const torch::Tensor &w = model.impl().weights.at(std::size_t(layer));
    if (!w.defined())
        throw Error("channel pruning: the weight of '" + layerOf(model, layer).name + "' is not a parameter");
    return w.detach().to(torch::kDouble);
}

} // namespace

std::vector<double> channelImportance(const Model &model, int family, const std::string &criterion)
{
    const ChannelFamily &f = model.channelDependencies().families.at(std::size_t(family));
    const int64_t n = f.channels;
    torch::Tensor l1 = torch::zeros({n}, torch::kDouble), sq = torch::zeros({n}, torch::kDouble),
                  all = torch::zeros({n}, torch::kDouble);
    for (const ChannelMember &m : f.members) {
        switch (m.kind) {
        case ChannelMember::Kind::Producer:
        case ChannelMember::Kind::Depthwise: {
            const torch::Tensor rows = convWeight(model, m.layer).narrow(0, m.offset, n).flatten(1);
            l1 += rows.abs().sum(1);
            sq += rows.pow(2).sum(1);
            all += rows.pow(2).sum(1);
            if (const auto &b = model.impl().biases.at(std::size_t(m.layer)))
                all += b->detach().to(torch::kDouble).narrow(0, m.offset, n).pow(2);
            break;
        }
        case ChannelMember::Kind::Consumer:
            all += convWeight(model, m.layer).narrow(1, m.offset, n).transpose(0, 1).flatten(1).pow(2).sum(1);
            break;
        case ChannelMember::Kind::BatchNorm:
            for (const char *attr : {"weight", "bias"})
                if (const torch::Tensor t = moduleTensor(model, m.name, attr); t.defined())
                    all += t.narrow(0, m.offset, n).pow(2);
            break;
        case ChannelMember::Kind::Linear:
            if (const torch::Tensor w = moduleTensor(model, m.name, "weight"); w.defined())
                all += w.narrow(1, m.offset * m.stride, n * m.stride)
                           .reshape({w.size(0), n, m.stride})
                           .pow(2)
                           .sum(c10::IntArrayRef({0, 2}));
            break;
        case ChannelMember::Kind::Pad: // always zero: no importance
            break;
        }
    }
    torch::Tensor score = criterion == "l1" ? l1 : criterion == "l2" ? sq.sqrt() : all.sqrt();
    score = score.contiguous();
    return {score.data_ptr<double>(), score.data_ptr<double>() + n};
}

ChannelRemoval channelRemoval(const ChannelDependencies &deps, const std::vector<ChannelGroupPlan> &groups)
{
    ChannelRemoval r;
    for (const ChannelGroupPlan &g : groups) {
        const ChannelFamily &f = deps.families.at(std::size_t(g.family));
        std::vector<bool> kept(std::size_t(f.channels), false);
        for (int c : g.kept)
            kept.at(std::size_t(c)) = true;
        for (int64_t j = 0; j < f.channels; ++j) {
            if (kept[std::size_t(j)])
                continue;
            for (const ChannelMember &m : f.members) {
                const int64_t c = m.offset + j;
                switch (m.kind) {
                case ChannelMember::Kind::Producer: r.conv_out[m.layer].insert(c); break;
                case ChannelMember::Kind::Consumer: r.conv_in[m.layer].insert(c); break;
                case ChannelMember::Kind::Depthwise:
                    r.conv_out[m.layer].insert(c);
                    r.conv_in[m.layer].insert(c);
                    break;
                case ChannelMember::Kind::BatchNorm: r.norm[m.name].insert(c); break;
                case ChannelMember::Kind::Linear:
                    for (int64_t k = 0; k < m.stride; ++k)
                        r.linear[m.name].insert(c * m.stride + k);
                    break;
                case ChannelMember::Kind::Pad:
                    (m.front ? r.pad[m.pad].first : r.pad[m.pad].second) += 1;
                    break;
                }
            }
        }
    }
    return r;
}

namespace {

int64_t removedCount(const std::map<int, std::set<int64_t>> &m, int layer)
{
    auto it = m.find(layer);
    return it == m.end() ? 0 : int64_t(it->second.size());
}

int64_t kernelSize(const ConvLayer &l)
{
    int64_t k = 1;
    for (int64_t x : l.kernel)
        k *= x;
    return k;
}

// MACs and parameters of every conv after `removal` (plus BatchNorm and linear parameters).
void channelTotals(const Model &model, const ChannelRemoval &removal, PlanTotals &t)
{
    const Inventory &inv = model.inventory();
    t = {inv.totals.conv_macs, inv.totals.conv_macs, inv.totals.params, inv.totals.params};
    for (const ConvLayer &l : inv.layers) {
        const int64_t out = l.out_channels - removedCount(removal.conv_out, l.index);
        const int64_t in = l.in_channels - removedCount(removal.conv_in, l.index);
        const bool depthwise = l.groups > 1 && l.groups == l.in_channels;
        // macs = Cout * Cin/groups * k * spatial: scale by what is left of each factor
        const double keep = depthwise ? double(out) / double(l.out_channels)
                                      : double(out) / double(l.out_channels) * double(in) / double(l.in_channels);
        t.macs_after -= l.macs - int64_t(std::llround(double(l.macs) * keep));
        const int64_t weightsAfter = depthwise ? out * kernelSize(l) : out * (in / l.groups) * kernelSize(l);
        t.params_after -= l.params - weightsAfter - (l.has_bias ? out : 0);
    }
    for (const auto &[name, removed] : removal.norm)
        t.params_after -= 2 * int64_t(removed.size()); // weight and bias (running statistics are buffers)
    for (const auto &[name, removed] : removal.linear) {
        const torch::Tensor w = moduleTensor(model, name, "weight");
        t.params_after -= int64_t(removed.size()) * (w.defined() ? w.size(0) : 0);
    }
    t.deploy_macs_after = t.macs_after;
}

} // namespace

void deriveChannelLayers(Plan &plan, const Model &model)
{
    const Inventory &inv = model.inventory();
    const ChannelDependencies &deps = model.channelDependencies();
    const ChannelRemoval removal = channelRemoval(deps, plan.channel_groups);
    plan.layers.clear();
    for (const ConvLayer &l : inv.layers) {
        const bool depthwise = l.groups > 1 && l.groups == l.in_channels;
        const int64_t outRemoved = removedCount(removal.conv_out, l.index);
        const auto in = removal.conv_in.find(l.index);
        if (depthwise || (in == removal.conv_in.end() && outRemoved == 0))
            continue;
        LayerPlan lp;
        lp.name = l.name;
        lp.layer = l.index;
        lp.groups = lp.requested_groups = 1;
        lp.cluster = "-";
        lp.select = plan.settings.importance;
        lp.assignment.assign(std::size_t(l.out_channels), 0);
        std::vector<int> kept;
        for (int64_t c = 0; c < l.in_channels; ++c)
            if (in == removal.conv_in.end() || !in->second.count(c))
                kept.push_back(int(c));
        lp.kept = {kept};
        lp.kept_per_group = int(kept.size());
        lp.ratio = 1.0 - double(kept.size()) / double(l.in_channels);
        const int64_t out = l.out_channels - outRemoved;
        const double keep = double(out) / double(l.out_channels) * double(kept.size()) / double(l.in_channels);
        lp.macs_before = l.macs;
        lp.macs_after = int64_t(std::llround(double(l.macs) * keep));
        lp.params_before = l.params;
        lp.params_after = out * int64_t(kept.size()) * kernelSize(l) + (l.has_bias ? out : 0);
        lp.gather_width = 0;
        // energy of the kernels that stay: kept filters x kept input channels
        const torch::Tensor w = convWeight(model, l.index).pow(2).flatten(2).sum(2); // Cout x Cin
        torch::Tensor rows = torch::ones({l.out_channels}, torch::kDouble);
        if (auto o = removal.conv_out.find(l.index); o != removal.conv_out.end())
            for (int64_t c : o->second)
                rows[c] = 0.0;
        torch::Tensor cols = torch::zeros({l.in_channels}, torch::kDouble);
        for (int c : kept)
            cols[c] = 1.0;
        const double total = w.sum().item<double>();
        lp.retained_energy = total > 0 ? (w * rows.unsqueeze(1) * cols.unsqueeze(0)).sum().item<double>() / total : 1.0;
        lp.note = "channel pruning (" + plan.settings.importance + "): keeps " + std::to_string(out) + " of " +
                  std::to_string(l.out_channels) + " filters and " + std::to_string(kept.size()) + " of " +
                  std::to_string(l.in_channels) + " input channels";
        plan.layers.push_back(std::move(lp));
    }
    plan.linear_kept.clear();
    for (const auto &[name, removed] : removal.linear) {
        const torch::Tensor w = moduleTensor(model, name, "weight");
        std::vector<int64_t> &kept = plan.linear_kept[name];
        for (int64_t f = 0; f < (w.defined() ? w.size(1) : 0); ++f)
            if (!removed.count(f))
                kept.push_back(f);
    }
    channelTotals(model, removal, plan.totals);
}

void checkChannelImportance(const std::string &criterion)
{
    if (criterion != "l1" && criterion != "l2" && criterion != "group-norm")
        throw Error("unknown channel importance '" + criterion + "': expected l1, l2 or group-norm");
}

Plan makeChannelPlan(const Model &model, const PlanSettings &settings)
{
    checkChannelImportance(settings.importance);
    const Inventory &inv = model.inventory();
    const ChannelDependencies &deps = model.channelDependencies();
    for (const auto &[name, o] : settings.overrides) {
        const ConvLayer *l = inv.find(name);
        if (!l)
            throw Error("--layer " + name + ": the model has no convolution of that name");
        // a group count is a GKP setting: kept for a switch back to GKP, unused here
    }

    // The families to prune and each one's fixed ratio (a producer's override), if any.
    struct Request
    {
        int family;
        std::optional<double> ratio;
    };
    std::vector<Request> requests;
    for (const ChannelFamily &f : deps.families) {
        if (!f.prunable || (settings.protect_residual && f.residual))
            continue;
        Request r{f.index, std::nullopt};
        bool off = false;
        for (const ChannelMember &m : f.members) {
            if (m.kind != ChannelMember::Kind::Producer)
                continue;
            auto it = settings.overrides.find(inv.layers[std::size_t(m.layer)].name);
            if (it == settings.overrides.end())
                continue;
            off = off || it->second.off;
            if (it->second.ratio)
                r.ratio = *it->second.ratio;
        }
        if (!off)
            requests.push_back(r);
    }

    const int multiple = std::max(0, settings.channel_multiple); // 0: by each family's width
    const bool global = settings.allocation == "global";
    if (!global && settings.allocation != "uniform")
        throw Error("unknown allocation '" + settings.allocation + "' for channel pruning: expected uniform or global");
    std::map<int, std::vector<double>> importance; // family -> per channel
    auto importanceOf = [&](int family) -> const std::vector<double> & {
        if (!importance.count(family))
            importance[family] = channelImportance(model, family, settings.importance);
        return importance[family];
    };
    // global: a channel's importance over its family's mean, so families of different widths and
    // depths compare (Torch-Pruning's global ranking); one threshold on it instead of one ratio.
    std::map<int, std::vector<double>> normalised; // family -> ascending normalised importance
    if (global)
        for (const Request &r : requests) {
            if (r.ratio)
                continue;
            normalised[r.family] = allocation::normalisedAscending(importanceOf(r.family));
        }
    // Kept count of a family at level x: the uniform ratio x, or (global) the channels whose
    // normalised importance is at least x; a fixed ratio stays. At least one channel is kept.
    auto keptAt = [&](const Request &r, double x) {
        const ChannelFamily &f = deps.families[std::size_t(r.family)];
        double ratio = r.ratio.value_or(x);
        if (global && !r.ratio)
            ratio = allocation::shareBelow(normalised.at(r.family), x);
        return std::pair{Planner::keptPerGroup(f.channels, ratio, multiple), ratio};
    };
    // The plan at level x; kept channels by importance.
    auto groupsAt = [&](double x, bool select) {
        std::vector<ChannelGroupPlan> groups;
        for (const Request &r : requests) {
            const ChannelFamily &f = deps.families[std::size_t(r.family)];
            const auto [keep, ratio] = keptAt(r, x);
            if (keep >= f.channels)
                continue;
            ChannelGroupPlan g{f.index, f.name, f.channels, ratio, {}};
            std::vector<int> order(std::size_t(f.channels));
            std::iota(order.begin(), order.end(), 0);
            if (select) {
                const std::vector<double> &imp = importanceOf(f.index);
                std::stable_sort(order.begin(), order.end(),
                                 [&](int a, int b) { return imp[std::size_t(a)] > imp[std::size_t(b)]; });
            }
            g.kept.assign(order.begin(), order.begin() + keep);
            std::sort(g.kept.begin(), g.kept.end());
            groups.push_back(std::move(g));
        }
        return groups;
    };

    double x = settings.ratio;
    if (global && !settings.target_macs_reduction)
        throw Error("global allocation spreads a MACs target: give --target-macs-reduction");
    if (settings.target_macs_reduction) {
        // MACs depend on the counts only: search the level on unselected (first-k) channels.
        const double target = *settings.target_macs_reduction;
        auto reductionAt = [&](double r) {
            PlanTotals t;
            channelTotals(model, channelRemoval(deps, groupsAt(r, false)), t);
            return t.macsReduction();
        };
        double hiLimit = 0.999;
        for (const auto &[family, v] : normalised)
            hiLimit = std::max(hiLimit, v.back() * 1.001);
        if (reductionAt(hiLimit) < target)
            throw Error("a " + std::to_string(int(std::lround(target * 1000)) / 10.0).substr(0, 5) +
                        " % conv-MACs reduction is not reachable by channel pruning: removing all but one channel of "
                        "every prunable family removes " +
                        std::to_string(reductionAt(hiLimit) * 100.0).substr(0, 5) + " %");
        double lo = 0.0, hi = hiLimit;
        for (int i = 0; i < 50; ++i) {
            const double mid = 0.5 * (lo + hi);
            (reductionAt(mid) >= target ? hi : lo) = mid;
        }
        x = hi;
    }

    Plan plan;
    plan.tool_version = GKP_VERSION;
    plan.model_file = model.path();
    plan.input_shape = inv.input_shape;
    plan.settings = settings;
    plan.model_format = toString(model.format());
    plan.channel_groups = groupsAt(x, true);
    deriveChannelLayers(plan, model);
    return plan;
}

} // namespace gkp
