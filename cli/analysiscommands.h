#pragma once

namespace CLI {
class App;
}

namespace gkp::cli {

void addSensitivityCommand(CLI::App &app); // gkp sensitivity
void addCompareCommand(CLI::App &app);     // gkp compare
void addFrontierCommand(CLI::App &app);    // gkp frontier

} // namespace gkp::cli
