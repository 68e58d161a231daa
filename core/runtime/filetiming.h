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

// A file this tool wrote, timed whole against its original.
struct FileSpeed
{
    double original_ms = 0.0, file_ms = 0.0; // medians
    std::string runtime;                     // "frozen", "onednn" or "onnxruntime"
    int64_t batch = 0;
    int runs = 0;
    double speedup() const { return file_ms > 0.0 ? original_ms / file_ms : 0.0; }
};

// The speed-up below which gkp export and the GUI's export dialog do not write a deploy file:
// at most 5 % slower, the noise of a 7-run median on this machine.
inline constexpr double DefaultMinSpeedup = 1.0 / 1.05;

// Times `written` against `original`, prepared alike (frozen; `runtime` applied to both), in
// `runs` interleaved runs at `batch`; in ONNX Runtime instead when `written` is an ONNX file
// (gkp::Error saying what to install when it is missing).
FileSpeed timeAgainstOriginal(const Model &original, const Model &written, Runtime runtime, int64_t batch, int runs,
                              const ProgressFn &progress = {});

// "the pruned file runs slower than the original here: 5.120 ms against 4.800 ms (0.94x, below
// <limit>; medians of 7 interleaved runs, frozen runtime, batch 1); no file written", for a file
// whose speed-up is under the limit (`limit` names it as the caller lets the user set it).
std::string slowFileMessage(const FileSpeed &speed, const std::string &limit);

} // namespace gkp
