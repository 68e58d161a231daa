#pragma once

// Internal: reading .onnx files with libonnx (parse, opset check, checker). Includes protobuf
// headers, so only core/onnx and its tests include it.

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <memory>
#include <string>

namespace gkp {

inline constexpr int64_t MinOnnxOpset = 9;
inline constexpr int64_t MaxOnnxOpset = 17;

struct OnnxReadOptions
{
    // Accept opsets 1-8 as well. Only the conformance test sets it: ONNX's pytorch-converted and
    // pytorch-operator cases are opset 6 and some node cases older; models the tool opens must be 9-17.
    bool legacy_opsets = false;
    bool check = true; // run onnx::checker::check_model
};

// Reads and parses `path`, checks its opset and runs the ONNX checker. Throws gkp::Error with a
// one-line message naming the file on any failure. External data stays external (see
// onnxtensor.h); missing external files are reported here.
std::unique_ptr<onnx::ModelProto> readOnnxModel(const std::string &path, const OnnxReadOptions &options = {});

// The ai.onnx opset the model imports (0 when none).
int64_t onnxOpset(const onnx::ModelProto &model);

} // namespace gkp
