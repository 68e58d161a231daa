#pragma once

#include "model/model.h"

#include <CLI/App.hpp>
#include <string>

namespace gkp::cli {

// Options every model-reading command shares.
struct ModelOptions
{
    std::string model;
    std::string input_shape;

    void addTo(CLI::App &command, const std::string &modelHelp = "Model: TorchScript (.pt) or ONNX (.onnx)");
    LoadOptions loadOptions() const;
};

} // namespace gkp::cli
