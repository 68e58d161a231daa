#pragma once

// Internal header: LibTorch side of gkp::Model. Not for moc-visible or GUI headers.

#include "model/model.h"

#include <torch/script.h>

#include <memory>
#include <mutex>

namespace gkp {

struct OnnxModelData; // onnx/onnxmodel.h: the parsed ModelProto and where each layer came from

struct Model::Impl
{
    std::string path;
    ModelFormat format = ModelFormat::TorchScript;
    torch::jit::Module module;
    Inventory inventory;
    std::map<std::string, std::string> extra_files;
    // Per inventory layer: the conv's weight parameter (shares storage with the module).
    std::vector<torch::Tensor> weights;
    std::vector<std::optional<torch::Tensor>> biases;
    std::once_flag dependencies_once;
    std::unique_ptr<ChannelDependencies> dependencies;
    std::shared_ptr<const OnnxModelData> onnx; // ONNX models only
};

// Fills the inventory (layers, joins, totals, notes), weights and biases of a loaded module by
// running it once on a random example input of inventory.input_shape. Shared by the back ends.
void analyseModel(Model::Impl &impl, const LoadOptions &options);

// The first line of a c10::Error/std::exception message, without LibTorch's backtrace.
std::string briefError(const std::exception &e);

} // namespace gkp
