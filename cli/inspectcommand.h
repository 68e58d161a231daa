#pragma once

#include <CLI/App.hpp>

namespace gkp::cli {

void addInspectCommand(CLI::App &app);

} // namespace gkp::cli
