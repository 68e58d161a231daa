#include "onnx/onnxmodel.h"

#include "onnx/onnxfile.h"
#include "onnx/onnxmodeldata.h"
#include "onnx/onnxshapes.h"
#include "onnx/onnxtranslator.h"
#include "util/error.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

namespace gkp {

namespace fs = std::filesystem;

namespace {

std::string quoted(const std::string &path)
{
    return "'" + path + "'";
}

std::string formatDims(const onnx::ValueInfoProto &v)
{
    std::string s;
    const auto &shape = v.type().tensor_type().shape();
    for (int i = 0; i < shape.dim_size(); ++i) {
        const auto &d = shape.dim(i);
        s += (i ? "," : "") + (d.has_dim_value() ? std::to_string(d.dim_value())
                                                 : (d.has_dim_param() && !d.dim_param().empty() ? d.dim_param() : "?"));
    }
    return s;
}

// The input shape to analyse with: --input-shape, a shape this tool stored in the metadata, or the
// declared one (a dynamic batch axis becomes 1; other dynamic axes need --input-shape).
void resolveInputShape(const onnx::ValueInfoProto &input, const std::map<std::string, std::string> &extra,
                       const LoadOptions &options, const std::string &path, Inventory &inv)
{
    const ValueType declared = declaredType(input);
    if (options.input_shape) {
        if (declared.dims && declared.dims->size() != options.input_shape->size())
            throw Error(quoted(path) + ": --input-shape " + formatShape(*options.input_shape) + " has " +
                        std::to_string(options.input_shape->size()) + " axes; input '" + input.name() +
                        "' has " + std::to_string(declared.dims->size()) + " (" + formatDims(input) + ")");
        inv.input_shape = *options.input_shape;
        inv.input_shape_source = "command line";
        return;
    }
    if (auto it = extra.find(extra::InputShape); it != extra.end()) {
        try {
            inv.input_shape = parseShape(it->second);
            inv.input_shape_source = "archive";
            return;
        } catch (const Error &) {
        }
    }
    if (!declared.dims)
        throw Error(quoted(path) + ": input '" + input.name() +
                    "' has no declared shape; pass --input-shape with its shape (e.g. N,C,H,W)");
    Shape shape = *declared.dims;
    bool batchDynamic = false;
    for (std::size_t i = 0; i < shape.size(); ++i) {
        if (shape[i] > 0)
            continue;
        if (i == 0) {
            shape[0] = 1;
            batchDynamic = true;
            continue;
        }
        if (!options.analyse) { // the data decides (gkp eval); nothing runs on an example here
            inv.input_shape.clear();
            inv.input_shape_source = "model (dynamic)";
            return;
        }
        throw Error(quoted(path) + ": input '" + input.name() + "' has a dynamic shape (" + formatDims(input) +
                    "); pass --input-shape with its shape (e.g. N,C,H,W)");
    }
    inv.input_shape = shape;
    inv.input_shape_source = batchDynamic ? "model, batch 1" : "model";
}

// The model's parameters as the file stores them: floating-point initializers, without
// BatchNormalization's running statistics (buffers in PyTorch's count).
int64_t parameterElements(const onnx::GraphProto &g)
{
    std::set<std::string> statistics;
    for (const onnx::NodeProto &n : g.node())
        if (n.op_type() == "BatchNormalization")
            for (int i = 3; i < std::min(5, n.input_size()); ++i)
                statistics.insert(n.input(i));
    int64_t n = 0;
    for (const onnx::TensorProto &t : g.initializer()) {
        if (statistics.count(t.name()))
            continue;
        switch (t.data_type()) {
        case onnx::TensorProto::FLOAT:
        case onnx::TensorProto::DOUBLE:
        case onnx::TensorProto::FLOAT16:
        case onnx::TensorProto::BFLOAT16: {
            int64_t count = 1;
            for (int64_t d : t.dims())
                count *= d;
            n += count;
            break;
        }
        default: break;
        }
    }
    return n;
}

// An NHWC input that only feeds Transpose(perm 0,3,1,2) nodes, as tf2onnx graphs begin.
bool nhwcInput(const onnx::GraphProto &graph, const onnx::ValueInfoProto &input)
{
    const ValueType t = declaredType(input);
    if (t.dims && t.dims->size() != 4)
        return false;
    for (const onnx::ValueInfoProto &o : graph.output())
        if (o.name() == input.name())
            return false;
    int readers = 0;
    for (const onnx::NodeProto &n : graph.node())
        for (const std::string &in : n.input()) {
            if (in != input.name())
                continue;
            ++readers;
            if (n.op_type() != "Transpose" || !n.domain().empty())
                return false;
            std::vector<int64_t> perm;
            for (const auto &a : n.attribute())
                if (a.name() == "perm")
                    perm.assign(a.ints().begin(), a.ints().end());
            if (perm != std::vector<int64_t>{0, 3, 1, 2})
                return false;
        }
    return readers > 0;
}

// The input as forward() takes it: NCHW for an NHWC input (dimensions reordered).
onnx::ValueInfoProto asNchw(const onnx::ValueInfoProto &input)
{
    onnx::ValueInfoProto v = input;
    auto *shape = v.mutable_type()->mutable_tensor_type()->mutable_shape();
    if (shape->dim_size() == 4) {
        const auto c = shape->dim(3);
        *shape->mutable_dim(3) = shape->dim(2);
        *shape->mutable_dim(2) = shape->dim(1);
        *shape->mutable_dim(1) = c;
    }
    return v;
}

} // namespace

std::unique_ptr<Model::Impl> loadOnnxModel(const std::string &path, const LoadOptions &options)
{
    std::unique_ptr<onnx::ModelProto> proto = readOnnxModel(path);
    const onnx::GraphProto &graph = proto->graph();
    try {
        checkSupportedOps(graph);
    } catch (const Error &e) {
        throw Error(quoted(path) + ": " + e.what());
    }

    std::set<std::string> initializers;
    for (const onnx::TensorProto &t : graph.initializer())
        initializers.insert(t.name());
    std::vector<const onnx::ValueInfoProto *> inputs;
    for (const onnx::ValueInfoProto &in : graph.input())
        if (!initializers.count(in.name()))
            inputs.push_back(&in);
    if (inputs.size() != 1)
        throw Error(quoted(path) + ": the graph has " + std::to_string(inputs.size()) +
                    " inputs; GKP Studio supports models with one input tensor");
    if (graph.output_size() != 1)
        throw Error(quoted(path) + ": the graph has " + std::to_string(graph.output_size()) +
                    " outputs; GKP Studio supports models with one output tensor");
    const onnx::ValueInfoProto &input = *inputs.front();
    const int32_t inputType = declaredType(input).elem_type;
    if (inputType != onnx::TensorProto::FLOAT)
        throw Error(quoted(path) + ": input '" + input.name() + "' is of type " +
                    (inputType ? onnx::TensorProto_DataType_Name(onnx::TensorProto::DataType(inputType))
                               : std::string("unknown")) +
                    "; GKP Studio supports float inputs");

    auto impl = std::make_unique<Model::Impl>();
    impl->path = path;
    impl->format = ModelFormat::Onnx;
    for (const auto &kv : proto->metadata_props())
        if (kv.key() == extra::InputShape || kv.key() == extra::Plan || kv.key() == extra::Version)
            impl->extra_files[kv.key()] = kv.value();
    Inventory &inv = impl->inventory;
    const bool nhwc = nhwcInput(graph, input);
    resolveInputShape(nhwc ? asNchw(input) : input, impl->extra_files, options, path, inv);

    TranslateOptions topts;
    topts.base_dir = fs::path(path).parent_path().string();
    std::map<std::string, Shape> inputShapes;
    if (!inv.input_shape.empty()) {
        const Shape &s = inv.input_shape;
        inputShapes[input.name()] = nhwc ? Shape{s[0], s[2], s[3], s[1]} : s;
    }
    if (nhwc)
        topts.nchw_inputs.insert(input.name());
    topts.types = inferValueTypes(*proto, inputShapes);
    Translation translation;
    try {
        translation = translateOnnx(*proto, topts);
    } catch (const Error &e) {
        throw Error(quoted(path) + ": " + e.what());
    }
    impl->module = translation.module;

    auto data = std::make_shared<OnnxModelData>();
    data->base_dir = topts.base_dir;
    data->opset = onnxOpset(*proto);
    data->input = input.name();
    data->output = graph.output(0).name();
    data->code = translation.code;
    if (options.analyse) {
        analyseModel(*impl, options);
        // Graph analysis names layers by their module; give them their ONNX names back.
        std::map<std::string, const TranslatedLayer *> byModule;
        for (const TranslatedLayer &l : translation.layers)
            byModule[l.module] = &l;
        std::map<std::string, int> seen;
        for (ConvLayer &l : inv.layers) {
            const auto it = byModule.find(l.module);
            if (it == byModule.end()) {
                data->layer_nodes.push_back(-1);
                data->layer_modules.push_back(l.module);
                continue;
            }
            l.name = it->second->name;
            if (const int n = seen[l.name]++; n > 0)
                l.name += "#" + std::to_string(n + 1);
            data->layer_nodes.push_back(it->second->node);
            data->layer_modules.push_back(l.module);
        }
        inv.totals.params = parameterElements(graph);
        if (nhwc)
            inv.notes.push_back("NHWC input '" + input.name() + "' only feeds Transpose(0,3,1,2): read as NCHW " +
                                formatShape(inv.input_shape));
        inv.notes.insert(inv.notes.begin(), "ONNX opset " + std::to_string(data->opset) +
                                                (proto->producer_name().empty()
                                                     ? std::string()
                                                     : ", from " + proto->producer_name() + " " +
                                                           proto->producer_version()));
    }
    data->proto = std::move(*proto);
    impl->onnx = std::move(data);
    return impl;
}

} // namespace gkp
