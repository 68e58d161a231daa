#pragma once

#include <CLI/App.hpp>

namespace gkp::cli {

void addExportCommand(CLI::App &app);
void addVerifyCommand(CLI::App &app);
void addBenchCommand(CLI::App &app);

} // namespace gkp::cli
