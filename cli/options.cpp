#include "options.h"

#include <CLI/CLI.hpp>

namespace gkp::cli {

void ModelOptions::addTo(CLI::App &command, const std::string &modelHelp)
{
    command.add_option("model", model, modelHelp)->required();
    command.add_option("--input-shape", input_shape,
                       "Example input shape N,C,H,W (default: the shape stored in the archive or declared by the ONNX file, else 1,3,224,224)");
}

LoadOptions ModelOptions::loadOptions() const
{
    LoadOptions o;
    if (!input_shape.empty())
        o.input_shape = parseShape(input_shape);
    return o;
}

PlanSettings defaultPlanSettings()
{
    PlanSettings s;
    s.channel_multiple = 0;
    return s;
}

} // namespace gkp::cli
