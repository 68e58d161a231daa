#pragma once

// Internal: conv discovery and channel-flow analysis on an inlined TorchScript graph.

#include "model/inventory.h"

#include <torch/script.h>

#include <functional>
#include <vector>

namespace gkp {

// Builds the convolution inventory of `module` by inlining its forward graph, instrumenting every
// convolution with a recording op and running it once on `input`. Weights/biases are returned
// per layer (empty tensors for convs whose weight is not a module attribute).
struct GraphAnalysis
{
    std::vector<ConvLayer> layers;
    std::vector<Join> joins;
    std::vector<torch::Tensor> weights;
    std::vector<std::optional<torch::Tensor>> biases;
    std::vector<std::string> notes;
};

GraphAnalysis analyseGraph(torch::jit::Module &module, const torch::Tensor &input);

// The module attribute path ("layer1.0.conv1.weight") of a value reached from the graph's `self`
// input through prim::GetAttr nodes; empty when the value is computed.
std::vector<std::string> attributePath(const torch::jit::Value *value, const torch::jit::Value *self);

bool isConvolution(const torch::jit::Node *node);

// Every node of `block` and its nested blocks, in order, for which `keep(node)` holds.
std::vector<torch::jit::Node *> collectNodes(torch::jit::Block *block,
                                             const std::function<bool(const torch::jit::Node *)> &keep);

} // namespace gkp
