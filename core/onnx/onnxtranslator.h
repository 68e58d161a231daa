#pragma once

// Internal: translation of an ONNX graph into an executable TorchScript module.
//
// Initializers become module attributes; every Conv (and ConvTranspose) with a constant weight gets
// a submodule named after its layer holding `weight` and `bias` parameters, and every
// BatchNormalization with constant tensors one with `weight`, `bias`, `running_mean` and
// `running_var`, called through aten::conv2d / aten::batch_norm: graph analysis, masking,
// BatchNorm recalibration and export then treat the module like one PyTorch scripted. Nodes
// whose inputs are all constants are computed once at translation time.

#include "onnx/onnxshapes.h"
#include "util/error.h"

#include <onnx/onnx_pb.h>
#include <torch/script.h>

#include <map>
#include <set>
#include <string>
#include <vector>

namespace gkp {

// An ONNX feature the translator does not cover (an op outside the supported set, or a supported
// op used in an unsupported way). A gkp::Error, so users get its one-line message; the conformance
// test counts these cases as skipped.
class UnsupportedOnnx : public Error
{
public:
    using Error::Error;
};

struct TranslateOptions
{
    std::string base_dir; // folder of the model file, for external data
    ValueTypes types;     // static element types and shapes (inferValueTypes)
    // NHWC graph inputs read only by Transpose(perm 0,3,1,2) (how tf2onnx graphs start): forward()
    // takes them as NCHW and the transposes disappear.
    std::set<std::string> nchw_inputs;
};

struct TranslatedLayer
{
    std::string module; // attribute name of the submodule in the translated module
    std::string name;   // the layer's name (node name, or <OpType>_<index>)
    int node = -1;      // index in graph.node
};

struct Translation
{
    torch::jit::Module module;            // eval mode
    std::vector<std::string> inputs;      // graph inputs that are not initializers, in forward() order
    std::vector<std::string> outputs;     // forward() returns one tensor, or a tuple of several
    std::vector<TranslatedLayer> layers;  // Conv / ConvTranspose nodes with a constant weight
    std::string code;                     // the generated TorchScript source
};

// Throws UnsupportedOnnx naming the first node whose op the translator lacks (and how many more).
void checkSupportedOps(const onnx::GraphProto &graph);

// Throws gkp::Error (UnsupportedOnnx for unsupported features) with a one-line message.
Translation translateOnnx(const onnx::ModelProto &model, const TranslateOptions &options);

} // namespace gkp
