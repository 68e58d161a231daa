#pragma once

#include <string>

namespace gkp {

// 1234567 -> "1.23M": the compact counts (MACs, parameters) the CLI and the GUI show.
std::string humanCount(double value);

} // namespace gkp
