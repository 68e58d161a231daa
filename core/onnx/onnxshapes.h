#pragma once

// Internal: element types and static shapes of an ONNX graph's values, from ONNX shape inference
// with the inputs fixed to the example shapes.

#include "util/shape.h"

#include <onnx/onnx_pb.h>

#include <map>
#include <optional>
#include <string>
#include <unordered_map>

namespace gkp {

struct ValueType
{
    int32_t elem_type = 0;          // onnx::TensorProto::DataType, 0 = unknown
    std::optional<Shape> dims;      // rank known; an unknown dimension is -1
};

using ValueTypes = std::unordered_map<std::string, ValueType>;

// The declared type of a graph input/output/value_info entry.
ValueType declaredType(const onnx::ValueInfoProto &v);

// Runs onnx::shape_inference::InferShapes on a copy of `model` (large initializers without their
// data) whose inputs named in `inputShapes` have those shapes. Never throws: a model shape
// inference cannot handle gives the types it could infer before failing (`failure` says why).
ValueTypes inferValueTypes(const onnx::ModelProto &model, const std::map<std::string, Shape> &inputShapes,
                           std::string *failure = nullptr);

} // namespace gkp
