#include "onnx/onnxtranslator.h"

#include "model/torchmodel.h"
#include "onnx/onnxhelpers.h"
#include "onnx/onnxnames.h"
#include "onnx/onnxops.h"
#include "onnx/onnxtensor.h"

#include <cstdlib>
#include <iostream>
#include <set>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

namespace gkp {

void checkSupportedOps(const onnx::GraphProto &graph)
{
    const onnx::NodeProto *first = nullptr;
    int firstIndex = -1;
    std::set<std::string> others;
    for (int i = 0; i < graph.node_size(); ++i) {
        const onnx::NodeProto &n = graph.node(i);
        if (findOp(n.domain(), n.op_type()))
            continue;
        const std::string op = n.domain().empty() ? n.op_type() : n.domain() + "." + n.op_type();
        if (!first) {
            first = &n;
            firstIndex = i;
        } else if (op != (first->domain().empty() ? first->op_type() : first->domain() + "." + first->op_type())) {
            others.insert(op);
        }
    }
    if (!first)
        return;
    const std::string op = first->domain().empty() ? first->op_type() : first->domain() + "." + first->op_type();
    std::string msg = "node '" + onnxNodeName(first->name(), first->op_type(), firstIndex) + "' (#" +
                      std::to_string(firstIndex) + ") uses op '" + op + "', which GKP Studio does not support";
    if (!others.empty()) {
        msg += " (other unsupported ops: ";
        int k = 0;
        for (const std::string &o : others)
            msg += (k++ ? ", " : "") + o;
        msg += ")";
    }
    throw UnsupportedOnnx(msg);
}

namespace {

struct Value
{
    std::string var;                    // TorchScript variable, empty for constants not yet used
    std::optional<at::Tensor> constant; // known at translation time
};

// One TorchScript method being generated, and the module it runs on.
struct Program
{
    torch::jit::Module module;
    std::vector<std::string> lines;
    std::set<std::string> helpers;
    std::unordered_map<std::string, std::string> constantAttrs; // ONNX value name -> "self._gkp_cN"
    int vars = 0;
    int attrs = 0;
    bool folding = false; // computing constants at translation time: no layers recorded
};

torch::jit::Module newModule(const std::string &name, const std::shared_ptr<torch::jit::CompilationUnit> &cu)
{
    torch::jit::Module m("__torch__.gkp_onnx." + name, cu, /*shouldMangle=*/true);
    m.register_attribute("training", c10::BoolType::get(), false);
    return m;
}

class Translator;

class NodeContext final : public OpContext
{
public:
    NodeContext(Translator &t, Program &p, const onnx::NodeProto &node, int index)
        : m_t(t), m_p(p), m_node(node), m_index(index)
    {
    }

    const onnx::NodeProto &node() const override { return m_node; }
    int index() const override { return m_index; }
    int64_t opset() const override;
    [[noreturn]] void unsupported(const std::string &what) const override
    {
        throw UnsupportedOnnx("node '" + layerName() + "' (" + m_node.op_type() + "): " + what);
    }
    std::string in(int i) override;
    const at::Tensor *constant(int i) const override;
    std::optional<Shape> shape(int i) const override;
    int32_t elemType(int i) const override;
    at::Tensor attrTensor(const char *name) const override;
    void set(int o, const std::string &expression) override
    {
        const std::string v = newVar();
        line(v + " = " + expression);
        alias(o, v);
    }
    void alias(int o, const std::string &variable) override;
    std::string tmp(const std::string &expression) override
    {
        const std::string v = newVar();
        line(v + " = " + expression);
        return v;
    }
    void line(const std::string &statement) override { m_p.lines.push_back(statement); }
    std::string newVar() override { return "v" + std::to_string(m_p.vars++); }
    int32_t outputElemType(int o) const override;
    std::optional<Shape> outputShape(int o) const override;
    std::string layerModule() override;
    void moduleTensor(const std::string &name, const at::Tensor &t, bool parameter) override;
    void moduleNone(const std::string &name) override
    {
        m_sub.register_attribute(name, c10::OptionalType::create(c10::TensorType::get()), c10::IValue());
    }
    void markLayer() override;
    std::string useHelper(const char *name) override
    {
        m_p.helpers.insert(name);
        return std::string("self._gkp_") + name;
    }

    std::string layerName() const { return onnxNodeName(m_node.name(), m_node.op_type(), m_index); }

private:
    Translator &m_t;
    Program &m_p;
    const onnx::NodeProto &m_node;
    int m_index;
    torch::jit::Module m_sub;
    std::string m_subName;
};

class Translator
{
public:
    Translator(const onnx::ModelProto &model, const TranslateOptions &options)
        : m_model(model), m_graph(model.graph()), m_options(options),
          m_cu(std::make_shared<torch::jit::CompilationUnit>())
    {
        for (const auto &o : model.opset_import())
            if (o.domain().empty() || o.domain() == "ai.onnx")
                m_opset = o.version();
    }

    Translation run()
    {
        checkSupportedOps(m_graph);
        for (const onnx::TensorProto &t : m_graph.initializer()) {
            try {
                m_values[t.name()].constant = tensorFromProto(t, m_options.base_dir);
            } catch (const Error &e) {
                throw Error("initializer '" + t.name() + "': " + e.what());
            }
        }
        Translation out;
        Program main{newModule("Model", m_cu), {}, {}, {}, 0, 0, false};
        std::string signature = "def forward(self";
        for (const onnx::ValueInfoProto &in : m_graph.input()) {
            if (m_values.count(in.name()) && m_values[in.name()].constant)
                continue; // IR < 4: initializers are listed as inputs too
            const std::string var = "x" + std::to_string(out.inputs.size());
            m_values[in.name()].var = var;
            signature += ", " + var + ": Tensor";
            out.inputs.push_back(in.name());
        }
        signature += "):";

        for (int i = 0; i < m_graph.node_size(); ++i) {
            const onnx::NodeProto &n = m_graph.node(i);
            if (n.op_type() == "Transpose" && n.input_size() == 1 && m_options.nchw_inputs.count(n.input(0))) {
                m_values[n.output(0)].var = m_values[n.input(0)].var; // the input arrives in NCHW already
                continue;
            }
            if (isConstantNode(n))
                fold(n, i);
            else
                emit(main, n, i);
        }

        std::vector<std::string> results;
        for (const onnx::ValueInfoProto &o : m_graph.output()) {
            results.push_back(expressionOf(main, o.name()));
            out.outputs.push_back(o.name());
        }
        if (results.empty())
            throw Error("the graph has no outputs");
        std::ostringstream src;
        src << signature << "\n";
        for (const std::string &l : main.lines)
            src << "    " << l << "\n";
        if (results.size() == 1) {
            src << "    return " << results[0] << "\n";
        } else {
            src << "    return (";
            for (std::size_t i = 0; i < results.size(); ++i)
                src << (i ? ", " : "") << results[i];
            src << ")\n";
        }
        out.code = helperSources(main.helpers) + src.str();
        define(main.module, out.code);
        main.module.eval();
        out.module = main.module;
        out.layers = std::move(m_layers);
        return out;
    }

    // --- used by NodeContext

    int64_t opset() const { return m_opset; }

    Value &value(const std::string &name)
    {
        auto it = m_values.find(name);
        if (it == m_values.end())
            throw Error("value '" + name + "' is used before it is computed (the graph is not in topological order)");
        return it->second;
    }

    const Value *findValue(const std::string &name) const
    {
        auto it = m_values.find(name);
        return it == m_values.end() ? nullptr : &it->second;
    }

    void bind(const std::string &name, const std::string &var) { m_values[name].var = var; }

    const ValueType *type(const std::string &name) const
    {
        auto it = m_options.types.find(name);
        return it == m_options.types.end() ? nullptr : &it->second;
    }

    const std::string &baseDir() const { return m_options.base_dir; }

    std::string expressionOf(Program &p, const std::string &name)
    {
        Value &v = value(name);
        if (!v.var.empty())
            return v.var;
        if (!v.constant)
            throw Error("value '" + name + "' has no producer");
        auto it = p.constantAttrs.find(name);
        if (it != p.constantAttrs.end())
            return it->second;
        const std::string attr = "_gkp_c" + std::to_string(p.attrs++);
        p.module.register_buffer(attr, *v.constant);
        return p.constantAttrs[name] = "self." + attr;
    }

    std::pair<torch::jit::Module, std::string> newLayerModule(const onnx::NodeProto &n, const std::string &layer)
    {
        std::string name = moduleNameFor(layer);
        for (int k = 2; m_moduleNames.count(name); ++k)
            name = moduleNameFor(layer) + "_" + std::to_string(k);
        m_moduleNames.insert(name);
        torch::jit::Module sub = newModule(n.op_type(), m_cu);
        return {sub, name};
    }

    void addLayer(const std::string &module, const std::string &layer, int node)
    {
        m_layers.push_back({module, layer, node});
    }

    // True the first time a module takes `t`'s storage.
    bool claim(const at::Tensor &t) { return m_claimed.insert(t.storage().unsafeGetStorageImpl()).second; }

private:
    bool isConstantNode(const onnx::NodeProto &n) const
    {
        if (!foldableOp(n.op_type()))
            return false;
        for (const std::string &in : n.input()) {
            if (in.empty())
                continue;
            const Value *v = findValue(in);
            if (!v || !v->constant)
                return false;
        }
        return true;
    }

    void fold(const onnx::NodeProto &n, int index)
    {
        if (n.op_type() == "Constant") {
            NodeContext ctx(*this, scratch(), n, index);
            m_values[n.output(0)].constant = constantAttribute(ctx);
            return;
        }
        if (n.op_type() == "Identity") {
            m_values[n.output(0)].constant = *value(n.input(0)).constant;
            return;
        }
        // Run the node's own TorchScript on its constant inputs, once.
        Program p{newModule("Fold", m_cu), {}, {}, {}, 0, 0, true};
        NodeContext ctx(*this, p, n, index);
        findOp(n.domain(), n.op_type())(ctx);
        std::vector<std::string> outs;
        std::vector<std::string> names;
        for (int o = 0; o < n.output_size(); ++o)
            if (!n.output(o).empty()) {
                outs.push_back(expressionOf(p, n.output(o)));
                names.push_back(n.output(o));
            }
        std::ostringstream src;
        src << "def forward(self) -> List[Tensor]:\n";
        for (const std::string &l : p.lines)
            src << "    " << l << "\n";
        src << "    return [";
        for (std::size_t i = 0; i < outs.size(); ++i)
            src << (i ? ", " : "") << outs[i];
        src << "]\n";
        const std::string code = helperSources(p.helpers) + src.str();
        define(p.module, code);
        c10::IValue result;
        try {
            torch::NoGradGuard noGrad;
            result = p.module.forward({});
        } catch (const std::exception &e) {
            throw Error("node '" + onnxNodeName(n.name(), n.op_type(), index) + "' (" + n.op_type() +
                        ") fails on its constant inputs: " + briefError(e));
        }
        const auto list = result.toTensorVector();
        for (std::size_t i = 0; i < names.size(); ++i) {
            m_values[names[i]].constant = list[i];
            m_values[names[i]].var.clear();
        }
    }

    Program &scratch()
    {
        if (!m_scratch)
            m_scratch = std::make_unique<Program>(Program{newModule("Unused", m_cu), {}, {}, {}, 0, 0, true});
        return *m_scratch;
    }

    at::Tensor constantAttribute(const OpContext &ctx) const
    {
        if (ctx.attr("value"))
            return ctx.attrTensor("value");
        if (const auto *a = ctx.attr("value_float"))
            return at::scalar_tensor(double(a->f()), at::kFloat);
        if (const auto *a = ctx.attr("value_int"))
            return at::scalar_tensor(a->i(), at::kLong);
        if (auto v = ctx.attrFloats("value_floats"))
            return at::tensor(*v, at::kDouble).to(at::kFloat);
        if (auto v = ctx.attrInts("value_ints"))
            return at::tensor(*v, at::kLong);
        ctx.unsupported("only tensor, float and int values are supported (not strings or sparse tensors)");
    }

    void emit(Program &p, const onnx::NodeProto &n, int index)
    {
        NodeContext ctx(*this, p, n, index);
        findOp(n.domain(), n.op_type())(ctx);
        for (const std::string &o : n.output())
            if (!o.empty() && (!m_values.count(o) || m_values[o].var.empty()))
                ctx.unsupported("output '" + o + "' is not computed (an optional output this translator does not produce)");
    }

    void define(torch::jit::Module &m, const std::string &code)
    {
        if (std::getenv("GKP_ONNX_DEBUG"))
            std::cerr << code << "\n";
        try {
            m.define(code);
        } catch (const std::exception &e) {
            throw Error("internal error: the TorchScript generated for this model does not compile: " +
                        briefError(e));
        }
    }

    const onnx::ModelProto &m_model;
    const onnx::GraphProto &m_graph;
    const TranslateOptions &m_options;
    std::shared_ptr<torch::jit::CompilationUnit> m_cu;
    int64_t m_opset = 0;
    std::unordered_map<std::string, Value> m_values;
    std::set<std::string> m_moduleNames;
    std::vector<TranslatedLayer> m_layers;
    std::unique_ptr<Program> m_scratch;
    std::unordered_set<const void *> m_claimed;
};

int64_t NodeContext::opset() const
{
    return m_t.opset();
}

std::string NodeContext::in(int i)
{
    if (!has(i))
        unsupported("input " + std::to_string(i) + " is missing");
    return m_t.expressionOf(m_p, m_node.input(i));
}

const at::Tensor *NodeContext::constant(int i) const
{
    if (!has(i))
        return nullptr;
    const Value *v = m_t.findValue(m_node.input(i));
    return v && v->constant ? &*v->constant : nullptr;
}

std::optional<Shape> NodeContext::shape(int i) const
{
    if (!has(i))
        return std::nullopt;
    if (const at::Tensor *c = constant(i))
        return Shape(c->sizes().begin(), c->sizes().end());
    const ValueType *t = m_t.type(m_node.input(i));
    return t ? t->dims : std::nullopt;
}

int32_t NodeContext::elemType(int i) const
{
    if (!has(i))
        return 0;
    const ValueType *t = m_t.type(m_node.input(i));
    return t ? t->elem_type : 0;
}

at::Tensor NodeContext::attrTensor(const char *name) const
{
    const auto *a = attr(name);
    if (!a || !a->has_t())
        unsupported(std::string("attribute '") + name + "' is not a tensor");
    try {
        return tensorFromProto(a->t(), m_t.baseDir());
    } catch (const Error &e) {
        unsupported(std::string("attribute '") + name + "': " + e.what());
    }
}

void NodeContext::alias(int o, const std::string &variable)
{
    if (wants(o))
        m_t.bind(m_node.output(o), variable);
}

int32_t NodeContext::outputElemType(int o) const
{
    const ValueType *t = wants(o) ? m_t.type(m_node.output(o)) : nullptr;
    return t ? t->elem_type : 0;
}

std::optional<Shape> NodeContext::outputShape(int o) const
{
    const ValueType *t = wants(o) ? m_t.type(m_node.output(o)) : nullptr;
    return t ? t->dims : std::nullopt;
}

std::string NodeContext::layerModule()
{
    if (m_subName.empty()) {
        auto [sub, name] = m_t.newLayerModule(m_node, layerName());
        m_sub = sub;
        m_subName = name;
        m_p.module.register_module(name, m_sub);
    }
    return "self." + m_subName;
}

void NodeContext::moduleTensor(const std::string &name, const at::Tensor &t, bool parameter)
{
    // A layer owns its tensors: one initializer several nodes read is copied for all but the first.
    const at::Tensor own = m_t.claim(t) ? t.detach() : t.detach().clone();
    m_sub.register_parameter(name, parameter ? own.requires_grad_(t.is_floating_point()) : own,
                             /*is_buffer=*/!parameter);
}

void NodeContext::markLayer()
{
    layerModule();
    if (!m_p.folding)
        m_t.addLayer(m_subName, layerName(), m_index);
}

} // namespace

Translation translateOnnx(const onnx::ModelProto &model, const TranslateOptions &options)
{
    Translator t(model, options);
    return t.run();
}

} // namespace gkp
