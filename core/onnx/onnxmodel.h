#pragma once

// Internal: the ONNX back end of gkp::Model. No protobuf here (see onnxmodeldata.h).

#include "model/torchmodel.h"

#include <memory>
#include <string>

namespace gkp {

// True when `head` (the first bytes of a file) starts like a serialized ONNX ModelProto: every
// top-level protobuf field in it is one of ModelProto's, with the right wire type.
bool looksLikeOnnx(const std::string &head);

// Reads, checks and translates an ONNX file into the same Impl a TorchScript file gives (module,
// inventory with the ONNX layer names, weights), plus OnnxModelData. Throws gkp::Error.
std::unique_ptr<Model::Impl> loadOnnxModel(const std::string &path, const LoadOptions &options);

} // namespace gkp
