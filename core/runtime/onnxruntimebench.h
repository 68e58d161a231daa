#pragma once

// ONNX Runtime as a runtime to time ONNX files in: tools/ort-run.mjs (Node + the npm package
// onnxruntime-node) run as a child process, spoken to over stdin/stdout.

#include "runtime/benchmark.h"

#include <string>
#include <vector>

namespace gkp {

// The runtime name for ONNX Runtime where a LibTorch Runtime (export/exporter.h) is not enough:
// gkp bench and export --runtime, and latency-aware planning of ONNX models, whose whole-file
// step then times the candidate .onnx files there (per-layer candidates stay timed in LibTorch).
inline constexpr const char *OnnxRuntimeName = "onnxruntime";

// tools/ort-run.mjs: $GKP_ORT_RUNNER, else tools/ort-run.mjs in a folder above the running
// executable (a build inside the source tree); empty when there is none.
std::string findOrtRunner();

// Times ONNX files (every model must have been read from one) in ONNX Runtime on random inputs
// of each file's declared input layout at each batch size, the models interleaved round by round;
// options.runs runs per model and batch, threadCount() intra-op threads. Throws gkp::Error with one
// line saying what is missing (node, onnxruntime-node, the runner) and how to install it.
BenchResult benchmarkInOnnxRuntime(const std::vector<const Model *> &models, const BenchOptions &options,
                                   const ProgressFn &progress = {});

} // namespace gkp
