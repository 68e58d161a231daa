#include "model/graphanalysis.h"

#include "util/error.h"
#include "model/torchmodel.h"

#include <torch/csrc/jit/api/function_impl.h>
#include <torch/csrc/jit/ir/ir.h>
#include <torch/csrc/jit/passes/constant_propagation.h>
#include <torch/csrc/jit/passes/inliner.h>
#include <torch/csrc/jit/runtime/custom_operator.h>
#include <torch/csrc/jit/runtime/graph_executor.h>

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

namespace gkp {

using torch::jit::Node;
using torch::jit::Value;

namespace {

// ---------------------------------------------------------------------------------------------
// The recording op: inserted after every convolution, it records the shapes the conv really saw.

struct ProbeRecord
{
    int site = 0;
    Shape input, weight, output;
};

thread_local std::vector<ProbeRecord> *t_records = nullptr;

Shape shapeOf(const at::Tensor &t)
{
    return Shape(t.sizes().begin(), t.sizes().end());
}

torch::jit::RegisterOperators s_probeOps({torch::jit::Operator(
    "gkp::probe(int site, Tensor input, Tensor weight, Tensor output) -> ()",
    [](torch::jit::Stack &stack) {
        const at::Tensor output = torch::jit::pop(stack).toTensor();
        const at::Tensor weight = torch::jit::pop(stack).toTensor();
        const at::Tensor input = torch::jit::pop(stack).toTensor();
        const int site = static_cast<int>(torch::jit::pop(stack).toInt());
        if (t_records)
            t_records->push_back({site, shapeOf(input), shapeOf(weight), shapeOf(output)});
    },
    c10::AliasAnalysisKind::CONSERVATIVE)});

// ---------------------------------------------------------------------------------------------
// Convolution sites in the inlined graph.

struct ConvSite
{
    Node *node = nullptr;
    int dims = 2;
    bool transposed = false;
    std::vector<std::string> weight_path; // attribute path of the weight
    std::optional<Shape> stride, padding, dilation;
    std::optional<std::string> padding_mode; // "same" / "valid" string padding
    std::optional<int64_t> groups;
    std::vector<std::string> bias_path; // attribute path of the bias, when it is one
    bool bias_is_none = false;          // statically None
};

std::optional<Shape> constIntList(const Value *v)
{
    auto iv = torch::jit::toIValue(v);
    if (!iv)
        return std::nullopt;
    if (iv->isIntList())
        return iv->toIntVector();
    if (iv->isInt())
        return Shape{iv->toInt()};
    if (iv->isTuple()) {
        Shape out;
        for (const auto &e : iv->toTupleRef().elements()) {
            if (!e.isInt())
                return std::nullopt;
            out.push_back(e.toInt());
        }
        return out;
    }
    return std::nullopt;
}

std::optional<int64_t> constInt(const Value *v)
{
    auto iv = torch::jit::toIValue(v);
    if (iv && iv->isInt())
        return iv->toInt();
    return std::nullopt;
}

Shape expand(const std::optional<Shape> &s, int dims, int64_t fallback)
{
    if (!s || s->empty())
        return Shape(dims, fallback);
    if (s->size() == 1 && dims > 1)
        return Shape(dims, s->front());
    return *s;
}

void collectInto(torch::jit::Block *block, const std::function<bool(const Node *)> &keep, std::vector<Node *> &out)
{
    for (Node *n : block->nodes()) {
        if (keep(n))
            out.push_back(n);
        for (torch::jit::Block *b : n->blocks())
            collectInto(b, keep, out);
    }
}

ConvSite describeSite(Node *n, const Value *self)
{
    ConvSite s;
    s.node = n;
    const std::string kind = n->kind().toQualString();
    auto dimsFromName = [](const std::string &name) { return name[name.size() - 2] - '0'; }; // "...conv2d"
    if (kind == "aten::conv1d" || kind == "aten::conv2d" || kind == "aten::conv3d") {
        s.dims = dimsFromName(kind);
        s.stride = constIntList(n->input(3));
        if (auto iv = torch::jit::toIValue(n->input(4)); iv && iv->isString())
            s.padding_mode = iv->toStringRef();
        else
            s.padding = constIntList(n->input(4));
        s.dilation = constIntList(n->input(5));
        s.groups = constInt(n->input(6));
    } else if (kind.rfind("aten::conv_transpose", 0) == 0) {
        s.dims = dimsFromName(kind);
        s.transposed = true;
        s.stride = constIntList(n->input(3));
        s.padding = constIntList(n->input(4));
        s.groups = constInt(n->input(6));
        s.dilation = constIntList(n->input(7));
    } else { // aten::_convolution / aten::convolution
        s.dims = -1; // from the weight at run time
        s.stride = constIntList(n->input(3));
        s.padding = constIntList(n->input(4));
        s.dilation = constIntList(n->input(5));
        auto t = torch::jit::toIValue(n->input(6));
        s.transposed = t && t->isBool() && t->toBool();
        s.groups = constInt(n->input(8));
    }
    s.weight_path = attributePath(n->input(1), self);
    s.bias_path = attributePath(n->input(2), self);
    s.bias_is_none = n->input(2)->type()->kind() == c10::TypeKind::NoneType;
    return s;
}

ConvKind kindOf(int dims, bool transposed)
{
    switch (dims) {
    case 1: return transposed ? ConvKind::ConvTranspose1d : ConvKind::Conv1d;
    case 3: return transposed ? ConvKind::ConvTranspose3d : ConvKind::Conv3d;
    default: return transposed ? ConvKind::ConvTranspose2d : ConvKind::Conv2d;
    }
}

std::string join(const std::vector<std::string> &parts, std::size_t count)
{
    std::string out;
    for (std::size_t i = 0; i < count && i < parts.size(); ++i)
        out += (i ? "." : "") + parts[i];
    return out;
}

// Follows an attribute path from the module object; nullopt when any step is missing.
std::optional<c10::IValue> resolveAttribute(const torch::jit::Module &module, const std::vector<std::string> &path,
                                            bool *is_parameter = nullptr)
{
    c10::IValue cur = module._ivalue();
    for (std::size_t i = 0; i < path.size(); ++i) {
        if (!cur.isObject())
            return std::nullopt;
        auto obj = cur.toObject();
        auto slot = obj->type()->findAttributeSlot(path[i]);
        if (!slot)
            return std::nullopt;
        if (is_parameter && i + 1 == path.size())
            *is_parameter = obj->type()->is_parameter(*slot);
        cur = obj->getSlot(*slot);
    }
    return cur;
}

// ---------------------------------------------------------------------------------------------
// Channel flow: which conv outputs reach a value through ops that keep channels aligned.

struct Flow
{
    bool raw = false;             // derived from the network input without passing a conv
    std::set<int> convs;          // conv sites whose channels this value carries
    InputSource via = InputSource::Other;
};

bool isChannelwise(const std::string &k)
{
    static const std::unordered_set<std::string> ops = {
        "aten::batch_norm", "aten::instance_norm", "aten::relu", "aten::relu_", "aten::relu6", "aten::relu6_",
        "aten::hardtanh", "aten::hardtanh_", "aten::sigmoid", "aten::sigmoid_", "aten::tanh", "aten::tanh_",
        "aten::silu", "aten::silu_", "aten::gelu", "aten::hardswish", "aten::hardswish_", "aten::hardsigmoid",
        "aten::hardsigmoid_", "aten::leaky_relu", "aten::leaky_relu_", "aten::elu", "aten::elu_", "aten::selu",
        "aten::selu_", "aten::celu", "aten::mish", "aten::prelu", "aten::softplus", "aten::dropout",
        "aten::dropout_", "aten::feature_dropout", "aten::feature_dropout_", "aten::alpha_dropout",
        "aten::feature_alpha_dropout", "aten::max_pool1d", "aten::max_pool2d", "aten::max_pool3d",
        "aten::max_pool2d_with_indices", "aten::avg_pool1d", "aten::avg_pool2d", "aten::avg_pool3d",
        "aten::adaptive_avg_pool1d", "aten::adaptive_avg_pool2d", "aten::adaptive_avg_pool3d",
        "aten::adaptive_max_pool1d", "aten::adaptive_max_pool2d", "aten::adaptive_max_pool3d",
        "aten::contiguous", "aten::clone", "aten::detach", "aten::clamp", "aten::clamp_", "aten::clamp_min",
        "aten::clamp_min_", "aten::clamp_max", "aten::reflection_pad2d",
        "aten::replication_pad2d", "aten::upsample_nearest2d", "aten::upsample_bilinear2d", "aten::neg",
        "aten::abs", "aten::exp", "aten::sqrt", "aten::to", "aten::type_as", "aten::identity"};
    return ops.count(k) > 0;
}

// Channel-wise ops, plus padding and slicing that only touch spatial dimensions.
bool keepsChannels(const Node *n, const std::string &k)
{
    if (k == "aten::constant_pad_nd" || k == "aten::pad") {
        auto pad = constIntList(n->input(1)); // (left, right, top, bottom, front, back): 6 entries reach channels of NCHW
        return pad && pad->size() <= 4;
    }
    if (k == "aten::slice") {
        auto dim = constInt(n->input(1));
        return dim && (*dim >= 2 || *dim <= -1) && *dim != -3;
    }
    return isChannelwise(k);
}

bool isElementwiseBinary(const std::string &k)
{
    static const std::unordered_set<std::string> ops = {"aten::add", "aten::add_", "aten::sub", "aten::sub_",
                                                        "aten::mul", "aten::mul_", "aten::div", "aten::div_",
                                                        "aten::maximum", "aten::minimum"};
    return ops.count(k) > 0;
}

class FlowAnalysis
{
public:
    FlowAnalysis(const std::unordered_map<const Node *, int> &siteOf) : m_siteOf(siteOf) {}

    void run(torch::jit::Graph &graph)
    {
        for (std::size_t i = 1; i < graph.inputs().size(); ++i)
            m_flow[graph.inputs()[i]].raw = true;
        visit(graph.block());
    }

    // Flow at the input of every conv site.
    std::map<int, Flow> siteInputs;
    std::vector<Join> joins; // operands are conv site ids here

private:
    const Flow &flowOf(const Value *v)
    {
        static const Flow none;
        auto it = m_flow.find(v);
        return it == m_flow.end() ? none : it->second;
    }

    bool isTensor(const Value *v) const { return v->type()->kind() == c10::TypeKind::TensorType; }

    void visit(torch::jit::Block *block)
    {
        for (Node *n : block->nodes())
            visitNode(n);
    }

    void visitNode(Node *n)
    {
        const std::string k = n->kind().toQualString();
        bool raw = false;
        for (const Value *in : n->inputs())
            if (isTensor(in) || in->type()->kind() == c10::TypeKind::ListType)
                raw = raw || flowOf(in).raw;

        if (auto it = m_siteOf.find(n); it != m_siteOf.end()) {
            siteInputs[it->second] = flowOf(n->input(0));
            Flow out;
            out.convs = {it->second};
            out.via = InputSource::Conv;
            m_flow[n->output()] = out;
            return;
        }
        if (n->kind() == c10::prim::If || n->kind() == c10::prim::Loop) {
            for (torch::jit::Block *b : n->blocks()) {
                // Loop: block inputs are (iteration, carried...), node inputs (trip count, condition, carried...).
                if (n->kind() == c10::prim::Loop)
                    for (std::size_t i = 1; i < b->inputs().size() && i + 1 < n->inputs().size(); ++i)
                        m_flow[b->inputs()[i]] = flowOf(n->input(i + 1));
                visit(b);
            }
            for (std::size_t i = 0; i < n->outputs().size(); ++i) {
                Flow merged;
                bool first = true, same = true;
                const std::size_t offset = n->kind() == c10::prim::Loop ? 1 : 0;
                for (torch::jit::Block *b : n->blocks()) {
                    if (i + offset >= b->outputs().size())
                        continue;
                    const Flow &f = flowOf(b->outputs()[i + offset]);
                    merged.raw = merged.raw || f.raw;
                    if (first)
                        merged.convs = f.convs, merged.via = f.via;
                    else if (f.convs != merged.convs)
                        same = false;
                    first = false;
                }
                if (!same)
                    merged.convs.clear(), merged.via = InputSource::Other;
                m_flow[n->outputs()[i]] = merged;
            }
            return;
        }
        if (n->kind() == c10::prim::ListConstruct || n->kind() == c10::prim::TupleConstruct) {
            Flow f;
            f.raw = raw;
            m_flow[n->output()] = f;
            m_listItems[n->output()] = {n->inputs().begin(), n->inputs().end()};
            return;
        }
        if (k == "aten::append" && m_listItems.count(n->input(0))) { // scripted DenseNet grows its feature list
            m_listItems[n->input(0)].push_back(n->input(1));
            m_flow[n->input(0)].raw = m_flow[n->input(0)].raw || flowOf(n->input(1)).raw;
            return;
        }
        if (keepsChannels(n, k) && n->inputs().size() > 0 && isTensor(n->input(0))) {
            Flow f = flowOf(n->input(0));
            f.raw = f.raw || raw;
            m_flow[n->outputs()[0]] = f;
            for (std::size_t i = 1; i < n->outputs().size(); ++i)
                m_flow[n->outputs()[i]].raw = raw;
            return;
        }
        if (isElementwiseBinary(k) && n->inputs().size() >= 2) {
            const bool t0 = isTensor(n->input(0)), t1 = isTensor(n->input(1));
            Flow f;
            f.raw = raw;
            if (t0 && t1) {
                const Flow &a = flowOf(n->input(0)), &b = flowOf(n->input(1));
                f.convs = a.convs;
                f.convs.insert(b.convs.begin(), b.convs.end());
                if (!a.convs.empty() && !b.convs.empty()) {
                    f.via = InputSource::Add;
                    joins.push_back({Join::Kind::Add, {sorted(a.convs), sorted(b.convs)}});
                } else {
                    f.via = a.convs.empty() ? b.via : a.via;
                }
            } else if (t0) {
                f = flowOf(n->input(0));
                f.raw = f.raw || raw;
            }
            m_flow[n->output()] = f;
            return;
        }
        if (k == "aten::cat" || k == "aten::concat") {
            Flow f;
            f.raw = raw;
            auto items = m_listItems.find(n->input(0));
            auto dim = constInt(n->input(1));
            if (items != m_listItems.end() && dim && (*dim == 1 || *dim == -3)) {
                Join join{Join::Kind::Concat, {}};
                for (const Value *part : items->second) {
                    const Flow &pf = flowOf(part);
                    f.raw = f.raw || pf.raw;
                    f.convs.insert(pf.convs.begin(), pf.convs.end());
                    join.operands.push_back(sorted(pf.convs));
                }
                f.via = InputSource::Concat;
                joins.push_back(std::move(join));
            } else {
                f.raw = f.raw || flowOf(n->input(0)).raw;
            }
            m_flow[n->output()] = f;
            return;
        }
        // Anything else mixes or reshapes channels: the flow is cut; only "raw" survives.
        for (Value *out : n->outputs())
            m_flow[out].raw = raw && isTensor(out);
        for (torch::jit::Block *b : n->blocks())
            visit(b);
    }

    static std::vector<int> sorted(const std::set<int> &s) { return {s.begin(), s.end()}; }

    const std::unordered_map<const Node *, int> &m_siteOf;
    std::unordered_map<const Value *, Flow> m_flow;
    std::unordered_map<const Value *, std::vector<const Value *>> m_listItems; // tensor lists as built so far
};

std::string reasonNotPrunable(const ConvLayer &l, bool weight_is_parameter)
{
    if (l.kind == ConvKind::ConvTranspose1d || l.kind == ConvKind::ConvTranspose2d ||
        l.kind == ConvKind::ConvTranspose3d)
        return "transposed convolution";
    if (l.kind == ConvKind::Conv1d)
        return "1-D convolution";
    if (l.kind == ConvKind::Conv3d)
        return "3-D convolution";
    if (l.groups > 1 && l.groups == l.in_channels)
        return "depthwise convolution (groups = in_channels = " + std::to_string(l.groups) + ")";
    if (l.groups > 1)
        return "grouped convolution (groups = " + std::to_string(l.groups) + ")";
    if (!weight_is_parameter)
        return "weight is computed at run time, not a module parameter";
    if (l.times_called > 1)
        return "called " + std::to_string(l.times_called) + " times (shared weights)";
    return {};
}

} // namespace

std::vector<Node *> collectNodes(torch::jit::Block *block, const std::function<bool(const Node *)> &keep)
{
    std::vector<Node *> out;
    collectInto(block, keep, out);
    return out;
}

bool isConvolution(const Node *node)
{
    static const std::unordered_set<std::string> kinds = {
        "aten::conv1d", "aten::conv2d", "aten::conv3d", "aten::conv_transpose1d", "aten::conv_transpose2d",
        "aten::conv_transpose3d", "aten::_convolution", "aten::convolution"};
    return kinds.count(node->kind().toQualString()) > 0;
}

std::vector<std::string> attributePath(const Value *value, const Value *self)
{
    std::vector<std::string> parts;
    const Value *v = value;
    while (v != self) {
        const Node *n = v->node();
        if (n->kind() != c10::prim::GetAttr)
            return {};
        parts.push_back(n->s(c10::attr::name));
        v = n->input(0);
    }
    std::reverse(parts.begin(), parts.end());
    return parts;
}

GraphAnalysis analyseGraph(torch::jit::Module &module, const torch::Tensor &input)
{
    auto graph = module.get_method("forward").graph()->copy();
    torch::jit::Inline(*graph);
    torch::jit::ConstantPropagation(graph, /*ignore_custom_classes=*/true);
    const Value *self = graph->inputs()[0];

    const std::vector<Node *> nodes = collectNodes(graph->block(), isConvolution);
    std::vector<ConvSite> sites;
    std::unordered_map<const Node *, int> siteOf;
    for (Node *n : nodes) {
        siteOf[n] = static_cast<int>(sites.size());
        sites.push_back(describeSite(n, self));
    }

    FlowAnalysis flow(siteOf);
    flow.run(*graph);

    // Instrument and run once.
    for (std::size_t i = 0; i < sites.size(); ++i) {
        Node *conv = sites[i].node;
        torch::jit::WithInsertPoint guard(conv->next());
        Value *id = graph->insertConstant(static_cast<int64_t>(i));
        Node *probe = graph->create(c10::Symbol::fromQualString("gkp::probe"),
                                    {id, conv->input(0), conv->input(1), conv->output()}, 0);
        graph->insertNode(probe);
    }
    std::vector<ProbeRecord> records;
    {
        t_records = &records;
        struct Reset { ~Reset() { t_records = nullptr; } } reset;
        torch::jit::GraphFunction fn("gkp_probe", graph, nullptr);
        torch::jit::Stack stack{module._ivalue(), input};
        torch::NoGradGuard noGrad;
        torch::jit::GraphOptimizerEnabledGuard noOpt(false);
        fn.run(stack);
    }

    GraphAnalysis out;
    std::vector<int> layerOfSite(sites.size(), -1);
    std::map<std::string, int> nameCount;
    std::vector<bool> weightIsParam;
    for (const ProbeRecord &r : records) {
        if (layerOfSite[r.site] >= 0) {
            ++out.layers[layerOfSite[r.site]].times_called;
            continue;
        }
        const ConvSite &s = sites[r.site];
        ConvLayer l;
        l.index = static_cast<int>(out.layers.size());
        const int dims = s.dims > 0 ? s.dims : static_cast<int>(r.weight.size()) - 2;
        l.kind = kindOf(dims, s.transposed);
        l.groups = s.groups.value_or(1);
        if (s.transposed) {
            l.in_channels = r.weight[0];
            l.out_channels = r.weight[1] * l.groups;
        } else {
            l.out_channels = r.weight[0];
            l.in_channels = r.weight[1] * l.groups;
        }
        l.kernel = Shape(r.weight.begin() + 2, r.weight.end());
        l.stride = expand(s.stride, dims, 1);
        l.dilation = expand(s.dilation, dims, 1);
        if (s.padding_mode) { // "same" keeps the size at stride 1; "valid" pads nothing
            l.padding = Shape(dims, 0);
            if (*s.padding_mode == "same")
                for (int d = 0; d < dims; ++d)
                    l.padding[d] = l.dilation[d] * (l.kernel[d] - 1) / 2;
        } else {
            l.padding = expand(s.padding, dims, 0);
        }
        l.input_shape = r.input;
        l.output_shape = r.output;

        bool weightIsParameter = false;
        std::optional<c10::IValue> weight;
        if (!s.weight_path.empty())
            weight = resolveAttribute(module, s.weight_path, &weightIsParameter);
        std::optional<torch::Tensor> bias;
        l.has_bias = !s.bias_is_none;
        if (!s.bias_path.empty()) { // Optional[Tensor] attribute: None when the module has bias=False
            auto b = resolveAttribute(module, s.bias_path);
            l.has_bias = b && b->isTensor();
            if (l.has_bias)
                bias = b->toTensor();
        }
        if (!s.weight_path.empty())
            l.name = join(s.weight_path, s.weight_path.size() - 1);
        l.module = l.name;
        if (l.name.empty())
            l.name = "conv#" + std::to_string(r.site);
        if (int n = nameCount[l.name]++; n > 0)
            l.name += "#" + std::to_string(n + 1);
        const int64_t weightNumel = numel(r.weight);
        l.params = weightNumel + (l.has_bias ? l.out_channels : 0);
        const Shape &spatialShape = s.transposed ? r.input : r.output; // per image, batched or not
        int64_t spatial = 1;
        for (std::size_t d = spatialShape.size() - dims; d < spatialShape.size(); ++d)
            spatial *= spatialShape[d];
        l.macs = weightNumel * spatial;

        out.weights.push_back(weight && weight->isTensor() ? weight->toTensor() : torch::Tensor());
        out.biases.push_back(bias);
        layerOfSite[r.site] = l.index;
        out.layers.push_back(std::move(l));
        weightIsParam.push_back(weightIsParameter);
    }
    for (ConvLayer &l : out.layers) {
        l.reason = reasonNotPrunable(l, weightIsParam[l.index]);
        l.prunable = l.reason.empty();
    }

    // Edges and joins, in layer indices.
    auto toLayers = [&](const std::vector<int> &siteIds) {
        std::vector<int> ls;
        for (int s : siteIds)
            if (layerOfSite[s] >= 0)
                ls.push_back(layerOfSite[s]);
        std::sort(ls.begin(), ls.end());
        return ls;
    };
    for (std::size_t s = 0; s < sites.size(); ++s) {
        const int li = layerOfSite[s];
        if (li < 0)
            continue;
        ConvLayer &l = out.layers[li];
        const Flow &f = flow.siteInputs[static_cast<int>(s)];
        l.excluded_by_default = f.raw;
        l.input_source = f.raw && f.convs.empty() ? InputSource::NetworkInput
                         : f.convs.empty()         ? InputSource::Other
                                                   : f.via;
        l.producers = toLayers({f.convs.begin(), f.convs.end()});
        for (int p : l.producers)
            out.layers[p].consumers.push_back(li);
    }
    for (ConvLayer &l : out.layers)
        std::sort(l.consumers.begin(), l.consumers.end());
    for (const Join &j : flow.joins) {
        Join lj{j.kind, {}};
        for (const auto &op : j.operands)
            lj.operands.push_back(toLayers(op));
        out.joins.push_back(std::move(lj));
    }

    int unused = 0;
    std::string unusedNames;
    for (std::size_t s = 0; s < sites.size(); ++s)
        if (layerOfSite[s] < 0) {
            ++unused;
            if (unused <= 5)
                unusedNames += (unused > 1 ? ", " : "") +
                               (sites[s].weight_path.empty() ? std::string("?")
                                                             : join(sites[s].weight_path, sites[s].weight_path.size() - 1));
        }
    if (unused > 0)
        out.notes.push_back(std::to_string(unused) + " convolution(s) not executed on the example input (" +
                            unusedNames + (unused > 5 ? ", ..." : "") + "); they are not listed");
    return out;
}

} // namespace gkp
