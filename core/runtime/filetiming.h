#pragma once

#include "util/error.h"
#include "export/exporter.h"

#include <cstdint>
#include <string>
#include <vector>

namespace gkp {

class Model;
struct Plan;

// Whole deploy files of `plans` for `model`, each exported as `gkp export` would (forms timed in
// `runtime` at `batch`, verified against the masked model) into a temporary folder, loaded back
// and timed with the original, prepared alike, in interleaved runs at `batch`. `runtime` is a
// toString(Runtime) or OnnxRuntimeName (ONNX models only: .onnx files timed in ONNX Runtime,
// forms chosen in the frozen runtime). Returns the median ms of each plan's file, then the
// original's. The folder is removed either way. Throws gkp::Error when a plan does not export or
// the runtime is missing.
std::vector<double> timeDeployFiles(const Model &model, const std::vector<const Plan *> &plans,
                                    const std::string &runtime, int64_t batch, int runs,
                                    const ProgressFn &progress = {});

} // namespace gkp
