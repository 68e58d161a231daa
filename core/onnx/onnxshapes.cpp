#include "onnx/onnxshapes.h"

#include <onnx/shape_inference/implementation.h>

namespace gkp {

ValueType declaredType(const onnx::ValueInfoProto &v)
{
    ValueType t;
    if (!v.has_type() || !v.type().has_tensor_type())
        return t;
    const auto &tt = v.type().tensor_type();
    t.elem_type = tt.elem_type();
    if (tt.has_shape()) {
        Shape dims;
        for (const auto &d : tt.shape().dim())
            dims.push_back(d.has_dim_value() ? d.dim_value() : -1);
        t.dims = dims;
    }
    return t;
}

ValueTypes inferValueTypes(const onnx::ModelProto &model, const std::map<std::string, Shape> &inputShapes,
                           std::string *failure)
{
    onnx::ModelProto copy;
    copy.set_ir_version(model.ir_version());
    *copy.mutable_opset_import() = model.opset_import();
    *copy.mutable_functions() = model.functions();
    onnx::GraphProto *g = copy.mutable_graph();
    const onnx::GraphProto &src = model.graph();
    *g->mutable_node() = src.node();
    *g->mutable_input() = src.input();
    *g->mutable_output() = src.output();
    *g->mutable_value_info() = src.value_info();
    for (const onnx::TensorProto &t : src.initializer()) {
        onnx::TensorProto *c = g->add_initializer();
        int64_t count = 1;
        for (int64_t d : t.dims())
            count *= d;
        if (count <= 64 && t.data_location() != onnx::TensorProto::EXTERNAL) { // shape data for propagation
            *c = t;
        } else {
            c->set_name(t.name());
            c->set_data_type(t.data_type());
            *c->mutable_dims() = t.dims();
        }
    }
    for (onnx::ValueInfoProto &in : *g->mutable_input()) {
        auto it = inputShapes.find(in.name());
        if (it == inputShapes.end() || !in.type().has_tensor_type())
            continue;
        auto *shape = in.mutable_type()->mutable_tensor_type()->mutable_shape();
        shape->clear_dim();
        for (int64_t d : it->second)
            shape->add_dim()->set_dim_value(d);
    }

    ValueTypes types;
    for (const onnx::TensorProto &t : src.initializer())
        types[t.name()] = {t.data_type(), Shape(t.dims().begin(), t.dims().end())};
    try {
        onnx::ShapeInferenceOptions options(/*check_type=*/false, /*strict_mode=*/0, /*data_prop=*/true);
        onnx::shape_inference::InferShapes(copy, onnx::OpSchemaRegistry::Instance(), options);
    } catch (const std::exception &e) {
        if (failure)
            *failure = e.what();
    }
    for (const auto *list : {&g->input(), &g->value_info(), &g->output()})
        for (const onnx::ValueInfoProto &v : *list) {
            ValueType t = declaredType(v);
            if (t.elem_type != 0 || t.dims)
                types[v.name()] = t;
        }
    return types;
}

} // namespace gkp
