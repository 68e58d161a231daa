#pragma once

// Internal: ONNX tensors <-> LibTorch tensors, external data. core/onnx and its tests only.

#include <onnx/onnx_pb.h>
#include <torch/types.h>

#include <optional>
#include <string>

namespace gkp {

// The LibTorch dtype of an ONNX element type; nullopt where LibTorch 1.13 has none (string,
// uint16/32/64, float8).
std::optional<c10::ScalarType> torchType(int32_t onnxType);
// "float", "int64", ...: for messages.
std::string onnxTypeName(int32_t onnxType);

// An owning, contiguous copy of `t`. External data is read relative to `baseDir` (the model's
// folder). Throws gkp::Error ("initializer 'w': ...") on unsupported types or bad sizes.
at::Tensor tensorFromProto(const onnx::TensorProto &t, const std::string &baseDir);

// `t` as a TensorProto with raw_data.
onnx::TensorProto tensorToProto(const at::Tensor &t, const std::string &name);

// A serialized TensorProto file (the input_0.pb / output_0.pb of ONNX's test data).
at::Tensor readTensorFile(const std::string &path);

// True when an initializer or Constant keeps its data in an external file.
bool hasExternalData(const onnx::ModelProto &model);

// Throws gkp::Error when an initializer (or Constant) stores its data in an external file that is
// missing or too short. `path` is the model file, for the message.
void checkExternalData(const onnx::ModelProto &model, const std::string &baseDir, const std::string &path);

} // namespace gkp
