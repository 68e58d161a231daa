#pragma once

// Internal (LibTorch): a private copy of a model whose convolution weights can be masked and put
// back cheaply, for evaluating many one-shot pruning variants (sensitivity, comparison).

#include "engine/plan.h"

#include <torch/script.h>

#include <map>
#include <string>

namespace gkp {

class Model;

class MaskedModule
{
public:
    explicit MaskedModule(const Model &model); // a deep clone; the model is not changed

    torch::jit::Module &module() { return m_module; }

    // Multiplies the layer's original weight by `mask` (broadcastable to the weight: [Cout, Cin,
    // 1, 1] for kernel masks, the full shape for weight masks).
    void setMask(int layer, const torch::Tensor &mask);
    void setPlanMask(const LayerPlan &layer);
    // Every layer of the plan; for a channel plan also the columns of linear layers that read
    // removed channels.
    void setPlan(const Plan &plan);
    // Original weights and BatchNorm statistics (all buffers) back.
    void reset();

private:
    const Model &m_model;
    torch::jit::Module m_module;
    std::vector<torch::Tensor> m_weights;           // live weight per inventory layer (undefined: not found)
    std::vector<torch::Tensor> m_originalWeights;
    std::vector<std::pair<torch::Tensor, torch::Tensor>> m_buffers; // live, saved copy
    std::map<std::string, std::pair<torch::Tensor, torch::Tensor>> m_linears; // live weight, original
};

} // namespace gkp
