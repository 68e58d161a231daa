#pragma once

// Internal: TorchScript helper methods ("_gkp_<name>") the generated code calls where an ONNX op
// needs run-time shape arithmetic.

#include <set>
#include <string>

namespace gkp {

// The source of the named helpers and of the helpers they call, ready for Module::define.
std::string helperSources(const std::set<std::string> &names);

} // namespace gkp
