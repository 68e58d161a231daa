#pragma once

#include "engine/plan.h"
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

// The settings every planning command starts from: PlanSettings' defaults, kept channels
// aligned to multiples of 8 on layers of at least 128 channels (channel_multiple 0).
PlanSettings defaultPlanSettings();

} // namespace gkp::cli
