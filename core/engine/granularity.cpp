#include "engine/granularity.h"

#include "model/model.h"
#include "engine/channelplanner.h"
#include "engine/planner.h"
#include "model/torchmodel.h"

#include <algorithm>
#include <limits>
#include <numeric>

namespace gkp {

namespace {

// Indices of the `keep` largest scores; ties go to the lower index (stable, deterministic).
std::vector<int64_t> topIndices(const std::vector<double> &score, int64_t keep)
{
    std::vector<int64_t> idx(score.size());
    std::iota(idx.begin(), idx.end(), 0);
    keep = std::clamp<int64_t>(keep, 0, int64_t(idx.size()));
    std::partial_sort(idx.begin(), idx.begin() + keep, idx.end(), [&](int64_t a, int64_t b) {
        return score[std::size_t(a)] > score[std::size_t(b)] || (score[std::size_t(a)] == score[std::size_t(b)] && a < b);
    });
    idx.resize(std::size_t(keep));
    return idx;
}

struct LayerWeights
{
    int64_t cout, cin, k;
    std::vector<double> w; // Cout x Cin x k
    double total = 0.0;
};

LayerWeights weightsOf(const Model &model, int layer)
{
    torch::Tensor t = model.impl().weights.at(std::size_t(layer)).detach().to(torch::kDouble).contiguous();
    LayerWeights lw{t.size(0), t.size(1), t.numel() / (t.size(0) * t.size(1)), {}, 0.0};
    lw.w.assign(t.data_ptr<double>(), t.data_ptr<double>() + t.numel());
    for (double v : lw.w)
        lw.total += v * v;
    return lw;
}

GranularityResult fromKernelMask(const std::string &name, const std::string &criterion, const LayerWeights &lw,
                                 const std::vector<uint8_t> &mask, bool dense)
{
    GranularityResult r{name, criterion, std::vector<float>(mask.begin(), mask.end()), lw.cout, lw.cin};
    double kept = 0.0;
    int64_t count = 0;
    for (int64_t i = 0; i < lw.cout * lw.cin; ++i) {
        if (!mask[std::size_t(i)])
            continue;
        ++count;
        for (int64_t j = 0; j < lw.k; ++j)
            kept += lw.w[std::size_t(i * lw.k + j)] * lw.w[std::size_t(i * lw.k + j)];
    }
    r.kept_fraction = double(count) / double(lw.cout * lw.cin);
    r.retained_energy = lw.total > 0 ? kept / lw.total : 1.0;
    r.dense = dense;
    return r;
}

} // namespace

std::vector<GranularityResult> compareGranularities(Planner &planner, const LayerPlan &gkp,
                                                    const PlanSettings &settings)
{
    const LayerWeights lw = weightsOf(planner.model(), gkp.layer);
    const double fraction = double(gkp.kept_per_group) / double(lw.cin);
    std::vector<GranularityResult> out;

    { // weight: magnitude of single values
        std::vector<double> mag(lw.w.size());
        for (std::size_t i = 0; i < mag.size(); ++i)
            mag[i] = std::abs(lw.w[i]);
        const auto keep = topIndices(mag, std::llround(fraction * double(mag.size())));
        std::vector<uint8_t> keptW(mag.size(), 0);
        for (int64_t i : keep)
            keptW[std::size_t(i)] = 1;
        GranularityResult r{"weight", "|w|, per value", std::vector<float>(std::size_t(lw.cout * lw.cin), 0.0f),
                            lw.cout, lw.cin};
        double kept = 0.0;
        for (std::size_t i = 0; i < keptW.size(); ++i)
            if (keptW[i]) {
                r.kept[i / std::size_t(lw.k)] += 1.0f / float(lw.k);
                kept += lw.w[i] * lw.w[i];
            }
        r.kept_fraction = double(keep.size()) / double(mag.size());
        r.retained_energy = lw.total > 0 ? kept / lw.total : 1.0;
        r.dense = false;
        r.weight_mask = std::move(keptW);
        out.push_back(std::move(r));
    }
    { // kernel: L1 norm of each kh x kw kernel
        std::vector<double> l1(std::size_t(lw.cout * lw.cin), 0.0);
        for (std::size_t i = 0; i < lw.w.size(); ++i)
            l1[i / std::size_t(lw.k)] += std::abs(lw.w[i]);
        std::vector<uint8_t> mask(l1.size(), 0);
        for (int64_t i : topIndices(l1, std::llround(fraction * double(l1.size()))))
            mask[std::size_t(i)] = 1;
        out.push_back(fromKernelMask("kernel", "L1 of each kernel", lw, mask, false));
    }
    out.push_back(fromKernelMask("grouped kernel",
                                 "GKP: " + gkp.cluster + " clustering, " + gkp.select + " selection, G = " +
                                     std::to_string(gkp.groups),
                                 lw, kernelMask(gkp, lw.cin), true));
    { // GKP with G = 1: the same pipeline with one group
        const LayerPlan channel = planner.planLayer(gkp.layer, gkp.ratio, 1, settings);
        out.push_back(fromKernelMask("gkp-g1", "GKP with G = 1 (" + gkp.select + " selection)", lw,
                                     kernelMask(channel, lw.cin), true));
    }
    { // coupled channel pruning: this layer's input channels by the group norm of their coupled
      // channel; channels no prunable family holds (network input, blocked) stay
        std::vector<double> score(std::size_t(lw.cin), std::numeric_limits<double>::infinity());
        const ChannelDependencies &deps = planner.model().channelDependencies();
        bool any = false;
        for (const ChannelFamily &f : deps.families) {
            if (!f.prunable)
                continue;
            for (const ChannelMember &m : f.members)
                if (m.kind == ChannelMember::Kind::Consumer && m.layer == gkp.layer) {
                    const std::vector<double> imp = channelImportance(planner.model(), f.index, "group-norm");
                    for (int64_t j = 0; j < f.channels; ++j)
                        score[std::size_t(m.offset + j)] = imp[std::size_t(j)];
                    any = true;
                }
        }
        std::vector<uint8_t> mask(std::size_t(lw.cout * lw.cin), 0);
        for (int64_t c : topIndices(score, gkp.kept_per_group))
            for (int64_t o = 0; o < lw.cout; ++o)
                mask[std::size_t(o * lw.cin + c)] = 1;
        out.push_back(fromKernelMask("channel",
                                     any ? "coupled channel pruning (group norm over every layer holding the channel)"
                                         : "coupled channel pruning: no input channel of this layer can be removed",
                                     lw, mask, true));
    }
    { // filter: L1 norm of whole filters
        std::vector<double> l1(std::size_t(lw.cout), 0.0);
        for (std::size_t i = 0; i < lw.w.size(); ++i)
            l1[i / std::size_t(lw.cin * lw.k)] += std::abs(lw.w[i]);
        std::vector<uint8_t> mask(std::size_t(lw.cout * lw.cin), 0);
        for (int64_t o : topIndices(l1, std::max<int64_t>(1, std::llround(fraction * double(lw.cout)))))
            std::fill(mask.begin() + o * lw.cin, mask.begin() + (o + 1) * lw.cin, 1);
        out.push_back(fromKernelMask("filter", "L1 of each filter", lw, mask, true));
    }
    return out;
}

} // namespace gkp
