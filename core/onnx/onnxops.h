#pragma once

// Internal: the ONNX ops the translator supports. Each op is an emitter that writes TorchScript
// statements for one node through an OpContext (onnxtranslator.cpp implements it).

#include "util/shape.h"

#include <onnx/onnx_pb.h>
#include <torch/types.h>

#include <optional>
#include <string>
#include <vector>

namespace gkp {

class OpContext
{
public:
    virtual ~OpContext() = default;

    virtual const onnx::NodeProto &node() const = 0;
    virtual int index() const = 0;   // position in graph.node
    virtual int64_t opset() const = 0; // ai.onnx opset of the model
    // Throws gkp::Error "node 'name' (OpType): <what>".
    [[noreturn]] virtual void unsupported(const std::string &what) const = 0;

    // Inputs. `in` is a TorchScript expression of the tensor (a constant becomes a module attribute).
    int inputs() const { return node().input_size(); }
    bool has(int i) const { return i < inputs() && !node().input(i).empty(); }
    virtual std::string in(int i) = 0;
    virtual const at::Tensor *constant(int i) const = 0; // known value, or null
    std::optional<std::vector<int64_t>> constInts(int i) const;
    std::optional<std::vector<double>> constDoubles(int i) const;
    // A List[int] expression of a 1-D integer input: a literal when constant.
    std::string intsOf(int i);
    virtual std::optional<Shape> shape(int i) const = 0; // static shape; unknown dims are -1
    int rank(int i) const;                             // -1 when unknown
    virtual int32_t elemType(int i) const = 0;        // onnx::TensorProto::DataType, 0 unknown
    // True/false when the input's element type is known to be floating point or not.
    std::optional<bool> floating(int i) const;

    // Attributes.
    const onnx::AttributeProto *attr(const char *name) const;
    int64_t attrInt(const char *name, int64_t fallback) const;
    double attrFloat(const char *name, double fallback) const;
    std::string attrString(const char *name, const std::string &fallback) const;
    std::optional<std::vector<int64_t>> attrInts(const char *name) const;
    std::optional<std::vector<double>> attrFloats(const char *name) const;
    virtual at::Tensor attrTensor(const char *name) const = 0;

    // Outputs.
    int outputs() const { return node().output_size(); }
    bool wants(int o) const { return o < outputs() && !node().output(o).empty(); }
    virtual void set(int o, const std::string &expression) = 0; // "vN = expression", bound to output o
    virtual void alias(int o, const std::string &variable) = 0; // output o is that variable
    virtual std::string tmp(const std::string &expression) = 0; // a temporary variable
    virtual void line(const std::string &statement) = 0;
    virtual std::string newVar() = 0;
    virtual int32_t outputElemType(int o) const = 0; // from shape inference, 0 unknown
    virtual std::optional<Shape> outputShape(int o) const = 0;

    // Module state. A layer submodule holds a node's weights under this node's layer name
    // (Conv, BatchNormalization), so graph analysis, masking and export find them.
    virtual std::string layerModule() = 0; // "self.<name>", created on first use
    virtual void moduleTensor(const std::string &name, const at::Tensor &t, bool parameter) = 0;
    virtual void moduleNone(const std::string &name) = 0; // Optional[Tensor] attribute set to None
    virtual void markLayer() = 0;                           // this node's submodule is an inventory layer
    virtual std::string useHelper(const char *name) = 0;    // "self._gkp_<name>"
};

using OpEmitter = void (*)(OpContext &);

// The emitter for an op of the ai.onnx domain, or null.
OpEmitter findOp(const std::string &domain, const std::string &opType);
// Ops whose value can be computed at translation time when every input is a constant.
bool foldableOp(const std::string &opType);
std::vector<std::string> supportedOps();

// Registration, one function per file of emitters.
struct OpTable;
void addMathOps(OpTable &table);
void addNnOps(OpTable &table);
void addTensorOps(OpTable &table);
void addOp(OpTable &table, const char *type, OpEmitter emit);

// TorchScript literals.
std::string lit(int64_t v);
std::string lit(double v);
std::string lit(const std::vector<int64_t> &v);
std::string lit(const std::vector<double> &v);
std::string litBool(bool v);
// The c10::ScalarType number TorchScript code passes as dtype, for an ONNX element type.
std::string dtypeOf(int32_t onnxType, const OpContext &ctx);

// Pads in ONNX order (begin of every axis, then end) -> the last-axis-first pairs
// torch.constant_pad_nd takes, dropping leading axes without padding.
std::vector<int64_t> torchPads(const std::vector<int64_t> &onnxPads);

} // namespace gkp
