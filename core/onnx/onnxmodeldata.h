#pragma once

// Internal: what an ONNX model keeps of its file, for exporting pruned ONNX files later (the
// ModelProto as read, and the node each inventory layer came from). Includes protobuf headers.

#include <onnx/onnx_pb.h>

#include <string>
#include <vector>

namespace gkp {

struct OnnxModelData
{
    onnx::ModelProto proto; // as read: external data stays external (relative to base_dir)
    std::string base_dir;
    int64_t opset = 0;
    std::string input, output;    // graph input and output names
    std::vector<int> layer_nodes; // per inventory layer: its node's index in graph.node
    std::vector<std::string> layer_modules; // per inventory layer: its submodule in the translated module
    std::string code;             // the generated TorchScript source
};

} // namespace gkp
