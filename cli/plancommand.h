#pragma once

#include <CLI/App.hpp>

namespace gkp::cli {

void addPlanCommand(CLI::App &app);

} // namespace gkp::cli
