#pragma once

// Internal header: LibTorch side of gkp::Model. Not for moc-visible or GUI headers.

#include "model/model.h"

#include <torch/script.h>

#include <memory>
#include <mutex>

namespace gkp {

struct Model::Impl
{
    std::string path;
    torch::jit::Module module;
    Inventory inventory;
    std::map<std::string, std::string> extra_files;
    // Per inventory layer: the conv's weight parameter (shares storage with the module).
    std::vector<torch::Tensor> weights;
    std::vector<std::optional<torch::Tensor>> biases;
    std::once_flag dependencies_once;
    std::unique_ptr<ChannelDependencies> dependencies;
};

// The first line of a c10::Error/std::exception message, without LibTorch's backtrace.
std::string briefError(const std::exception &e);

} // namespace gkp
