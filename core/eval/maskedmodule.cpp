#include "eval/maskedmodule.h"

#include "engine/channelplanner.h"
#include "util/error.h"
#include "model/model.h"
#include "model/torchmodel.h"

#include <map>

namespace gkp {

MaskedModule::MaskedModule(const Model &model) : m_model(model)
{
    m_module = model.impl().module.clone();
    m_module.eval();
    std::map<std::string, torch::Tensor> params;
    for (const auto &p : m_module.named_parameters(/*recurse=*/true))
        params[p.name] = p.value;
    for (const ConvLayer &l : model.inventory().layers) {
        auto it = params.find(l.module + ".weight");
        m_weights.push_back(it == params.end() ? torch::Tensor() : it->second);
        m_originalWeights.push_back(it == params.end() ? torch::Tensor() : it->second.detach().clone());
    }
    for (const auto &b : m_module.named_buffers(/*recurse=*/true))
        m_buffers.emplace_back(b.value, b.value.detach().clone());
}

void MaskedModule::setMask(int layer, const torch::Tensor &mask)
{
    const torch::Tensor &live = m_weights.at(std::size_t(layer));
    if (!live.defined())
        throw Error("cannot mask '" + m_model.inventory().layers.at(std::size_t(layer)).name +
                    "': its weight is not a parameter named <layer>.weight");
    torch::NoGradGuard noGrad;
    const torch::Tensor &orig = m_originalWeights[std::size_t(layer)];
    live.copy_(orig * mask.to(orig.scalar_type()));
}

void MaskedModule::setPlanMask(const LayerPlan &layer)
{
    const torch::Tensor &orig = m_originalWeights.at(std::size_t(layer.layer));
    if (!orig.defined())
        return setMask(layer.layer, torch::ones({1})); // throws the message
    const int64_t cout = orig.size(0), cin = orig.size(1);
    const std::vector<uint8_t> mask = kernelMask(layer, cin);
    setMask(layer.layer, torch::from_blob(const_cast<uint8_t *>(mask.data()), {cout, cin, 1, 1}, torch::kUInt8).clone());
}

void MaskedModule::setPlan(const Plan &plan)
{
    for (const LayerPlan &l : plan.layers)
        setPlanMask(l);
    if (!plan.isChannelPlan())
        return;
    torch::NoGradGuard noGrad;
    const ChannelRemoval removal = channelRemoval(m_model.channelDependencies(), plan.channel_groups);
    for (const auto &[name, features] : removal.linear) {
        auto it = m_linears.find(name);
        if (it == m_linears.end()) {
            torch::Tensor live;
            for (const auto &p : m_module.named_parameters(/*recurse=*/true))
                if (p.name == name + ".weight")
                    live = p.value;
            if (!live.defined())
                throw Error("cannot mask '" + name + "': its weight is not a parameter named <layer>.weight");
            it = m_linears.emplace(name, std::make_pair(live, live.detach().clone())).first;
        }
        const std::vector<int64_t> ids(features.begin(), features.end());
        it->second.first.copy_(it->second.second.index_fill(1, torch::tensor(ids, torch::kLong), 0.0));
    }
}

void MaskedModule::reset()
{
    torch::NoGradGuard noGrad;
    for (auto &[name, weights] : m_linears)
        weights.first.copy_(weights.second);
    for (std::size_t i = 0; i < m_weights.size(); ++i)
        if (m_weights[i].defined())
            m_weights[i].copy_(m_originalWeights[i]);
    for (auto &[live, saved] : m_buffers)
        live.copy_(saved);
    m_module.eval();
}

} // namespace gkp
