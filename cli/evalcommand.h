#pragma once

#include <CLI/App.hpp>

namespace gkp::cli {

// `gkp eval MODEL.pt --dataset SPEC`: top-1/top-5 accuracy on a dataset.
void addEvalCommand(CLI::App &app);

} // namespace gkp::cli
