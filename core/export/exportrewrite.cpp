#include "export/exportrewrite.h"

#include "engine/channelplanner.h"
#include "model/graphanalysis.h"
#include "model/model.h"
#include "model/torchmodel.h"

#include <torch/csrc/jit/api/module.h>
#include <torch/csrc/jit/ir/ir.h>
#include <torch/csrc/jit/passes/constant_propagation.h>
#include <torch/csrc/jit/passes/dead_code_elimination.h>
#include <torch/csrc/jit/passes/graph_rewrite_helper.h>
#include <torch/csrc/jit/passes/inliner.h>

#include <algorithm>
#include <numeric>
#include <sstream>
#include <set>
#include <unordered_set>

namespace gkp {

using torch::jit::Node;
using torch::jit::Value;

torch::Tensor indexTensor(const std::vector<int64_t> &v)
{
    return torch::tensor(v, torch::kLong);
}

bool isIdentity(const std::vector<int64_t> &v, int64_t n)
{
    if (int64_t(v.size()) != n)
        return false;
    for (int64_t i = 0; i < n; ++i)
        if (v[std::size_t(i)] != i)
            return false;
    return true;
}

namespace {

// Module object at an attribute path (e.g. {"layer1", "0", "conv1"}).
torch::jit::Module moduleAt(const torch::jit::Module &root, const std::vector<std::string> &path)
{
    torch::jit::Module m = root;
    for (const std::string &p : path)
        m = m.attr(p).toModule();
    return m;
}

void setTensorAttr(torch::jit::Module &m, const std::string &name, torch::Tensor t)
{
    // Same attribute, new per-instance value: safe even when several instances share one JIT type.
    // Parameters stay trainable (the trainable export is fine-tuned from here).
    const c10::IValue old = m.attr(name);
    if (old.isTensor() && old.toTensor().requires_grad())
        t = t.detach().set_requires_grad(true);
    m._ivalue()->setAttr(name, t);
}

std::optional<torch::Tensor> optionalTensorAttr(const torch::jit::Module &m, const std::string &name)
{
    if (!m.hasattr(name))
        return std::nullopt;
    const c10::IValue v = m.attr(name);
    return v.isTensor() ? std::optional<torch::Tensor>(v.toTensor()) : std::nullopt;
}

bool isParamFreeChannelwise(const Node *n)
{
    static const std::unordered_set<std::string> ops = {
        "aten::relu", "aten::relu_", "aten::relu6", "aten::relu6_", "aten::hardtanh", "aten::hardtanh_",
        "aten::sigmoid", "aten::silu", "aten::silu_", "aten::gelu", "aten::hardswish", "aten::hardswish_",
        "aten::leaky_relu", "aten::leaky_relu_", "aten::elu", "aten::dropout", "aten::feature_dropout",
        "aten::max_pool2d", "aten::avg_pool2d", "aten::adaptive_avg_pool2d", "aten::contiguous", "aten::clone"};
    return ops.count(n->kind().toQualString()) > 0;
}

// Dotted name of the module owning the attribute at `path` ({"layer1", "0", "conv1", "weight"} ->
// "layer1.0.conv1"); empty for an attribute of the root module.
std::string ownerName(const std::vector<std::string> &path)
{
    std::string name;
    for (std::size_t i = 0; i + 1 < path.size(); ++i)
        name += (i ? "." : "") + path[i];
    return name;
}

std::optional<torch::Tensor> constantTensor(const Value *v)
{
    if (v->node()->kind() != c10::prim::Constant)
        return std::nullopt;
    const auto iv = torch::jit::toIValue(v);
    return iv && iv->isTensor() ? std::optional<torch::Tensor>(iv->toTensor()) : std::nullopt;
}

// The constant channel indices of `s` = index_select(t, 1, constant), if it is one.
std::optional<std::vector<int64_t>> constantGather(const Node *s, const Value *t)
{
    if (s->kind() != c10::aten::index_select || s->input(0) != t)
        return std::nullopt;
    const auto dim = torch::jit::toIValue(s->input(1));
    const auto idx = constantTensor(s->input(2));
    if (!dim || !dim->isInt() || dim->toInt() != 1 || !idx || idx->dim() != 1)
        return std::nullopt;
    const torch::Tensor it = idx->to(torch::kLong).contiguous();
    return std::vector<int64_t>(it.data_ptr<int64_t>(), it.data_ptr<int64_t>() + it.numel());
}

// The dense conv `t` comes from through single-use, parameter-free channel-wise ops (on a frozen
// graph BatchNorm is folded into it), with constant weights; nullptr if there is none.
Node *channelwiseProducer(Value *t, bool allowGrouped = false)
{
    Node *p = t->node();
    while (p->kind() != c10::aten::conv2d) {
        if (!isParamFreeChannelwise(p) || p->inputs().empty() || p->input(0)->uses().size() != 1 ||
            p->owningBlock() != t->node()->owningBlock())
            return nullptr;
        p = p->input(0)->node();
    }
    const auto w = constantTensor(p->input(1));
    const auto b = constantTensor(p->input(2));
    const auto groups = torch::jit::toIValue(p->input(6));
    const bool noBias = p->input(2)->type()->kind() == c10::TypeKind::NoneType;
    if (!w || (!b && !noBias) || !groups || !groups->isInt() || (groups->toInt() != 1 && !allowGrouped) ||
        p->owningBlock() != t->node()->owningBlock())
        return nullptr;
    return p;
}

// Makes conv `p` compute output channels `rows` (original channel ids, in this order, repeats allowed).
void setProducerRows(torch::jit::Graph &graph, Node *p, const std::vector<int64_t> &rows)
{
    const torch::Tensor w = *constantTensor(p->input(1));
    const auto b = constantTensor(p->input(2));
    const torch::Tensor index = indexTensor(rows);
    torch::jit::WithInsertPoint guard(p);
    p->replaceInput(1, graph.insertConstant(w.index_select(0, index).contiguous()));
    if (b)
        p->replaceInput(2, graph.insertConstant(b->index_select(0, index).contiguous()));
}

// The convs (groups = 1, constant weight) that are the only readers of `v`, as their input; empty
// when anything else reads it.
std::vector<Node *> denseConvReaders(const Value *v)
{
    std::vector<Node *> convs;
    for (const torch::jit::Use &u : v->uses()) {
        const auto groups = u.user->kind() == c10::aten::conv2d ? torch::jit::toIValue(u.user->input(6)) : c10::nullopt;
        if (u.offset != 0 || !groups || !groups->isInt() || groups->toInt() != 1 || !constantTensor(u.user->input(1)))
            return {};
        convs.push_back(u.user);
    }
    return convs;
}

// `s` gathers every channel of its input once, in the order `idx`, for dense convs only: they read
// the input as it is, their weight columns permuted to match, and the gather goes.
bool absorbPermutation(torch::jit::Graph &graph, Node *s, const std::vector<int64_t> &idx)
{
    const std::vector<Node *> convs = denseConvReaders(s->output());
    if (convs.empty())
        return false;
    std::vector<int64_t> inverse(idx.size(), -1);
    for (std::size_t j = 0; j < idx.size(); ++j) {
        if (idx[j] < 0 || idx[j] >= int64_t(idx.size()) || inverse[std::size_t(idx[j])] >= 0)
            return false;
        inverse[std::size_t(idx[j])] = int64_t(j);
    }
    for (Node *c : convs)
        if (constantTensor(c->input(1))->size(1) != int64_t(idx.size()))
            return false;
    // y = conv(x[idx], W) = conv(x, W[:, inverse])
    const torch::Tensor columns = indexTensor(inverse);
    for (Node *c : convs) {
        torch::jit::WithInsertPoint guard(c);
        c->replaceInput(1, graph.insertConstant(constantTensor(c->input(1))->index_select(1, columns).contiguous()));
    }
    s->output()->replaceAllUsesWith(s->input(0));
    s->destroy();
    return true;
}

// `t` is read only by constant gathers. If it comes from a conv (channelwiseProducer), drop the
// conv's output channels no gather reads and renumber the gathers, removing those that become the
// identity and those that only reorder the channels for dense convs (absorbPermutation). A grouped
// conv loses channels only when every group keeps as many (its groups stay equal).
// Returns the channel counts.
std::optional<std::pair<int64_t, int64_t>> trimProducer(torch::jit::Graph &graph, Value *t, Node **producer)
{
    std::vector<Node *> readers;
    std::vector<std::vector<int64_t>> gathers;
    for (const torch::jit::Use &u : t->uses()) {
        auto g = constantGather(u.user, t);
        if (u.offset != 0 || !g || u.user->owningBlock() != t->node()->owningBlock())
            return std::nullopt;
        readers.push_back(u.user);
        gathers.push_back(std::move(*g));
    }
    Node *p = channelwiseProducer(t, true);
    if (!p)
        return std::nullopt;
    const int64_t channels = constantTensor(p->input(1))->size(0);
    const int64_t groups = torch::jit::toIValue(p->input(6))->toInt();
    std::vector<int64_t> keep, position(static_cast<std::size_t>(channels), -1);
    for (const auto &g : gathers)
        for (int64_t c : g) {
            if (c < 0 || c >= channels)
                return std::nullopt;
            position[std::size_t(c)] = 0;
        }
    for (int64_t c = 0; c < channels; ++c)
        if (position[std::size_t(c)] == 0) {
            position[std::size_t(c)] = int64_t(keep.size());
            keep.push_back(c);
        }
    if (keep.empty() || int64_t(keep.size()) == channels)
        return std::nullopt;
    if (groups > 1) {
        if (channels % groups != 0 || int64_t(keep.size()) % groups != 0)
            return std::nullopt;
        std::vector<int64_t> perGroup(std::size_t(groups), 0);
        for (int64_t c : keep)
            ++perGroup[std::size_t(c / (channels / groups))];
        if (std::any_of(perGroup.begin(), perGroup.end(), [&](int64_t n) { return n != perGroup[0]; }))
            return std::nullopt;
    }

    setProducerRows(graph, p, keep);
    for (std::size_t i = 0; i < readers.size(); ++i) {
        std::vector<int64_t> idx;
        for (int64_t c : gathers[i])
            idx.push_back(position[std::size_t(c)]);
        Node *s = readers[i];
        if (isIdentity(idx, int64_t(keep.size()))) {
            s->output()->replaceAllUsesWith(t);
            s->destroy();
        } else if (int64_t(idx.size()) != int64_t(keep.size()) || !absorbPermutation(graph, s, idx)) {
            torch::jit::WithInsertPoint guard(s);
            s->replaceInput(2, graph.insertConstant(indexTensor(idx)));
        }
    }
    *producer = p;
    return std::make_pair(channels, int64_t(keep.size()));
}

// Gather-free form: `s` = index_select(t, 1, idx) is the only reader of `t`, which comes from a
// dense conv (channelwiseProducer). The conv computes its channels in gather order instead
// (its rows permuted, and repeated where groups share a channel; channel-wise ops in between act
// on each channel alone, so the result is exact) and the gather goes. Repeats cost producer MACs:
// only with `grow`, or where the conv then computes no more channels than before.
std::optional<std::pair<int64_t, int64_t>> producerInGatherOrder(torch::jit::Graph &graph, Node *s, bool grow,
                                                                 Node **producer)
{
    Value *t = s->input(0);
    const auto idx = constantGather(s, t);
    if (!idx || t->uses().size() != 1 || s->owningBlock() != t->node()->owningBlock())
        return std::nullopt;
    Node *p = channelwiseProducer(t);
    if (!p)
        return std::nullopt;
    const int64_t channels = constantTensor(p->input(1))->size(0);
    if (idx->empty() || (!grow && int64_t(idx->size()) > channels))
        return std::nullopt;
    for (int64_t c : *idx)
        if (c < 0 || c >= channels)
            return std::nullopt;
    setProducerRows(graph, p, *idx);
    s->output()->replaceAllUsesWith(t);
    s->destroy();
    *producer = p;
    return std::make_pair(channels, int64_t(idx->size()));
}

// Output channels of a dense conv that nothing reads are computed for nothing (with G = 1 the
// gather of the consumer skips them). On a frozen graph (BatchNorm folded, weights constant),
// a conv whose output only one gather reads computes its channels in gather order (repeats only
// for the consumers named in `grow`), and other convs lose the channels no gather reads;
// `names` are the conv names in graph order before freezing.
void removeDeadChannels(torch::jit::Module &frozen, const std::vector<std::string> &names,
                        const std::set<std::string> &grow, std::vector<ChannelTrim> &trims)
{
    auto graph = frozen.get_method("forward").graph();
    const std::vector<Node *> convs = collectNodes(graph->block(), isConvolution);
    const bool named = convs.size() == names.size();
    auto nameOf = [&](const Node *conv) {
        const auto at = std::find(convs.begin(), convs.end(), conv) - convs.begin();
        std::string name = named && at < std::ptrdiff_t(convs.size()) ? names[std::size_t(at)] : std::string();
        return name.empty() ? "conv #" + std::to_string(at) : name;
    };
    // The gathered tensors first: rewriting one removes gathers (nodes) but never a tensor another reads.
    std::vector<Value *> gathered;
    for (Node *s : collectNodes(graph->block(), [](const Node *n) { return n->kind() == c10::aten::index_select; }))
        if (std::find(gathered.begin(), gathered.end(), s->input(0)) == gathered.end())
            gathered.push_back(s->input(0));
    for (Value *t : gathered) {
        Node *s = t->uses().size() == 1 ? t->uses()[0].user : nullptr;
        // the consumer that reads a sole gather (for its name), if it is a conv
        std::string consumer;
        if (s && s->kind() == c10::aten::index_select)
            for (const torch::jit::Use &u : s->output()->uses())
                if (isConvolution(u.user) && std::find(convs.begin(), convs.end(), u.user) != convs.end())
                    consumer = nameOf(u.user);
        Node *producer = nullptr;
        if (auto counts = s && s->kind() == c10::aten::index_select
                              ? producerInGatherOrder(*graph, s, !consumer.empty() && grow.count(consumer), &producer)
                              : std::nullopt) {
            trims.push_back({nameOf(producer), counts->first, counts->second, consumer});
        } else if (auto trimmed = trimProducer(*graph, t, &producer)) {
            trims.push_back({nameOf(producer), trimmed->first, trimmed->second, {}});
        }
    }
    torch::jit::EliminateDeadCode(graph);
}

// Conv names (module path of the weight) in graph order; empty for convs without a module weight.
std::vector<std::string> convNamesInOrder(const torch::jit::Module &module)
{
    auto graph = module.get_method("forward").graph()->copy();
    torch::jit::Inline(*graph);
    const Value *self = graph->inputs()[0];
    std::vector<std::string> names;
    for (Node *n : collectNodes(graph->block(), isConvolution))
        names.push_back(ownerName(attributePath(n->input(1), self)));
    return names;
}

// One rewriting session over a deep clone of the model with an inlined forward graph.
class Rewriter
{
public:
    Rewriter(const Model &model, ExportMode mode) : m_model(model), m_mode(mode)
    {
        m_module = model.impl().module.clone();
        m_module.eval();
        m_graph = m_module.get_method("forward").graph();
        torch::jit::Inline(*m_graph);
        torch::jit::graph_rewrite_helper::replaceConvolutionWithAtenConv(m_graph);
        m_self = m_graph->inputs()[0];
        for (Node *n : collectNodes(m_graph->block(), isConvolution)) {
            const auto path = attributePath(n->input(1), m_self);
            if (path.empty())
                continue;
            const std::string name = ownerName(path);
            if (m_convs.count(name))
                m_shared.insert(name); // called twice: never fold a permutation into it
            m_convs[name] = n;
            m_sites[name].push_back(n);
            m_paths[name] = std::vector<std::string>(path.begin(), path.end() - 1);
        }
    }

    torch::jit::Module &module() { return m_module; }

    void applyMasks(const Plan &plan)
    {
        for (const LayerPlan &l : plan.layers) {
            torch::jit::Module conv = moduleAt(m_module, pathOf(moduleOf(l)));
            setTensorAttr(conv, "weight", maskedWeight(l, conv.attr("weight").toTensor()));
        }
        if (!plan.isChannelPlan())
            return;
        // A removed channel that reaches a linear layer: its input features are zeroed too.
        const ChannelRemoval removal = channelRemoval(m_model.channelDependencies(), plan.channel_groups);
        for (const auto &[name, features] : removal.linear) {
            torch::jit::Module linear = moduleAt(m_module, splitPath(name));
            torch::Tensor w = linear.attr("weight").toTensor().detach().clone();
            w.index_fill_(1, indexTensor({features.begin(), features.end()}), 0.0);
            setTensorAttr(linear, "weight", w);
        }
    }

    // Coupled channel pruning: every holder of a removed channel loses it. The graph keeps its ops;
    // only tensors (and the group count of depthwise convs, and channel paddings) change.
    void removeChannels(const Plan &plan, std::vector<LayerExport> &report)
    {
        torch::jit::ConstantPropagation(m_graph, /*ignore_custom_classes=*/true); // as channelDependencies saw it
        const Inventory &inv = m_model.inventory();
        const ChannelRemoval removal = channelRemoval(m_model.channelDependencies(), plan.channel_groups);
        auto find = [](const auto &map, const auto &key) -> const std::set<int64_t> * {
            auto it = map.find(key);
            return it == map.end() ? nullptr : &it->second;
        };
        for (const ConvLayer &l : inv.layers) {
            const std::set<int64_t> *out = find(removal.conv_out, l.index), *in = find(removal.conv_in, l.index);
            if (!out && !in)
                continue;
            torch::jit::Module conv = moduleAt(m_module, pathOf(l.module));
            torch::Tensor w = conv.attr("weight").toTensor().detach();
            const bool depthwise = l.groups > 1 && l.groups == l.in_channels;
            const torch::Tensor rows = keptIndex(l.out_channels, out);
            w = w.index_select(0, rows);
            if (!depthwise)
                w = w.index_select(1, keptIndex(l.in_channels, in));
            setTensorAttr(conv, "weight", w.contiguous());
            if (auto b = optionalTensorAttr(conv, "bias"))
                setTensorAttr(conv, "bias", b->detach().index_select(0, rows).contiguous());
            if (depthwise)
                for (Node *n : m_sites.at(l.module)) {
                    torch::jit::WithInsertPoint guard(n);
                    n->replaceInput(6, m_graph->insertConstant(rows.numel()));
                }
            LayerExport e;
            e.name = l.name;
            e.form = LayerForm::Smaller;
            e.gather_skipped = true;
            e.permutation_folded = true; // nothing to restore
            report.push_back(e);
        }
        for (const auto &[name, removed] : removal.norm) {
            torch::jit::Module bn = moduleAt(m_module, splitPath(name));
            const torch::Tensor k = keptIndex(bn.attr("running_mean").toTensor().size(0), &removed);
            for (const char *attr : {"weight", "bias", "running_mean", "running_var"})
                if (auto t = optionalTensorAttr(bn, attr))
                    setTensorAttr(bn, attr, t->detach().index_select(0, k).contiguous());
        }
        for (const auto &[name, removed] : removal.linear) {
            torch::jit::Module linear = moduleAt(m_module, splitPath(name));
            const torch::Tensor w = linear.attr("weight").toTensor().detach();
            setTensorAttr(linear, "weight", w.index_select(1, keptIndex(w.size(1), &removed)).contiguous());
        }
        if (!removal.pad.empty()) {
            const std::vector<Node *> pads = channelPads();
            for (const auto &[index, counts] : removal.pad) {
                if (index >= int(pads.size()))
                    throw Error("cannot export: channel padding #" + std::to_string(index) + " not found in the graph");
                Node *n = pads[std::size_t(index)];
                const ChannelPad &before = m_model.channelDependencies().pads.at(std::size_t(index));
                std::vector<int64_t> amounts = {0, 0, 0, 0, before.front - counts.first, before.back - counts.second};
                for (std::size_t i = 0; i < 4; ++i)
                    amounts[i] = padAmounts(n).at(i);
                torch::jit::WithInsertPoint guard(n);
                n->replaceInput(1, m_graph->insertConstant(c10::IValue(amounts)));
            }
        }
        torch::jit::EliminateDeadCode(m_graph);
    }

    void rewrite(const Plan &plan, const std::map<std::string, LayerForm> &forms, std::vector<LayerExport> &report)
    {
        for (const LayerPlan &l : plan.layers) {
            LayerExport e;
            e.name = l.name;
            auto it = forms.find(l.name);
            e.form = it == forms.end() ? LayerForm::Grouped : it->second;
            if (m_mode == ExportMode::Trainable && (e.form == LayerForm::Split || e.form == LayerForm::GatherFree))
                e.form = LayerForm::Grouped; // one parameter per layer keeps training simple
            rewriteLayer(l, e);
            report.push_back(e);
        }
        torch::jit::EliminateDeadCode(m_graph);
    }

private:
    static std::vector<std::string> splitPath(const std::string &dotted)
    {
        std::vector<std::string> parts;
        std::stringstream ss(dotted);
        std::string p;
        while (std::getline(ss, p, '.'))
            parts.push_back(p);
        return parts;
    }

    // The pad amounts of an F.pad node: constants, or a list of constants and int attributes.
    std::vector<int64_t> padAmounts(const Node *n) const
    {
        if (auto iv = torch::jit::toIValue(n->input(1)); iv && iv->isIntList())
            return iv->toIntVector();
        std::vector<int64_t> out;
        if (n->input(1)->node()->kind() != c10::prim::ListConstruct)
            return out;
        for (const Value *item : n->input(1)->node()->inputs()) {
            if (auto c = torch::jit::toIValue(item); c && c->isInt()) {
                out.push_back(c->toInt());
                continue;
            }
            const auto path = attributePath(item, m_self);
            if (path.empty())
                return {};
            torch::jit::Module owner = moduleAt(m_module, std::vector<std::string>(path.begin(), path.end() - 1));
            const c10::IValue v = owner.attr(path.back());
            if (!v.isInt())
                return {};
            out.push_back(v.toInt());
        }
        return out;
    }

    // The channel paddings in graph order, as channelDependencies numbers them.
    std::vector<Node *> channelPads() const
    {
        std::vector<Node *> out;
        for (Node *n : collectNodes(m_graph->block(), [](const Node *n) {
                 return n->kind() == c10::aten::constant_pad_nd || n->kind() == c10::aten::pad;
             }))
            if (const auto a = padAmounts(n); a.size() == 6 && (a[4] != 0 || a[5] != 0))
                out.push_back(n);
        return out;
    }
    // The conv's module path: the layer's name, except for ONNX models (inventory.h).
    const std::string &moduleOf(const LayerPlan &l) const { return m_model.inventory().layers.at(l.layer).module; }

    const std::vector<std::string> &pathOf(const std::string &name) const
    {
        auto it = m_paths.find(name);
        if (it == m_paths.end())
            throw Error("cannot export: no convolution '" + name + "' with a parameter weight in the model graph");
        return it->second;
    }

    // Position of each original input channel in the tensor this conv receives.
    std::vector<int64_t> inputPositions(const std::string &name, int64_t cin) const
    {
        const auto it = m_inputOrder.find(name);
        return channelPositions(it == m_inputOrder.end() ? nullptr : &it->second, cin);
    }

    void rewriteLayer(const LayerPlan &l, LayerExport &e)
    {
        Node *conv = m_convs.at(moduleOf(l));
        if (conv->kind() != c10::aten::conv2d)
            throw Error("cannot export '" + l.name + "': unsupported convolution op " +
                        std::string(conv->kind().toQualString()));
        torch::jit::Module convModule = moduleAt(m_module, pathOf(moduleOf(l)));
        const torch::Tensor w = convModule.attr("weight").toTensor().detach();
        const std::optional<torch::Tensor> b = optionalTensorAttr(convModule, "bias");
        const int64_t cin = w.size(1);
        const std::vector<int64_t> pos = inputPositions(moduleOf(l), cin);
        // input order of this conv, as original channel ids per position
        std::vector<int64_t> order(static_cast<std::size_t>(cin));
        for (int64_t c = 0; c < cin; ++c)
            order[std::size_t(pos[std::size_t(c)])] = c;

        if (e.form == LayerForm::MaskedDense) {
            torch::Tensor wm = maskedWeight(l, w).index_select(1, indexTensor(order));
            setTensorAttr(convModule, "weight", wm);
            e.gather_skipped = true;
            return;
        }

        const GroupedLayer gl = groupedLayer(l, w, b);
        std::vector<int64_t> gather(static_cast<std::size_t>(gl.gather.numel()));
        for (std::size_t i = 0; i < gather.size(); ++i)
            gather[i] = pos[std::size_t(gl.gather[int64_t(i)].item<int64_t>())];

        torch::jit::WithInsertPoint guard(conv);
        Value *out = nullptr;
        if (e.form == LayerForm::Grouped || e.form == LayerForm::GatherFree) { // gather-free: see freezeForDeploy
            setTensorAttr(convModule, "weight", gl.weight);
            if (b)
                setTensorAttr(convModule, "bias", *gl.bias);
            if (isIdentity(gather, cin)) {
                e.gather_skipped = true;
            } else {
                Value *idx = m_graph->insertConstant(indexTensor(gather));
                Value *gx = m_graph->insert(c10::aten::index_select, {conv->input(0), int64_t(1), idx});
                conv->replaceInput(0, gx);
            }
            conv->replaceInput(6, m_graph->insertConstant(int64_t(l.groups)));
            out = conv->output();
        } else { // Split: G dense convs on their own channels, concatenated (deploy: constants)
            const int64_t m = l.kept_per_group, d = w.size(0) / l.groups;
            std::vector<Value *> parts;
            for (int g = 0; g < l.groups; ++g) {
                const std::vector<int64_t> idx(gather.begin() + g * m, gather.begin() + (g + 1) * m);
                Value *gx = m_graph->insert(c10::aten::index_select,
                                            {conv->input(0), int64_t(1), m_graph->insertConstant(indexTensor(idx))});
                Value *wg = m_graph->insertConstant(gl.weight.narrow(0, g * d, d).contiguous());
                Value *bg = b ? m_graph->insertConstant(gl.bias->narrow(0, g * d, d).contiguous())
                              : m_graph->insertConstant(c10::IValue());
                parts.push_back(m_graph->insert(c10::aten::conv2d, {gx, wg, bg, conv->input(3), conv->input(4),
                                                                     conv->input(5), int64_t(1)}));
            }
            Value *list = m_graph->insertNode(m_graph->createList(parts[0]->type(), parts))->output();
            out = m_graph->insert(c10::aten::cat, {list, int64_t(1)});
            // The dead conv is left to EliminateDeadCode (rewrite()): destroying it here would leave
            // the graph's insert point, which the guard above set to it, dangling for restoreOrder.
            conv->output()->replaceAllUsesWith(out);
        }
        std::vector<int64_t> perm(static_cast<std::size_t>(gl.permutation.numel()));
        for (std::size_t i = 0; i < perm.size(); ++i)
            perm[i] = gl.permutation[int64_t(i)].item<int64_t>();
        e.permutation_folded = restoreOrder(out, perm);
    }

    // `v` holds the conv's output channels in order `perm` (position r = original channel perm[r]).
    // Push that order through parameter-free channel-wise ops and BatchNorm (permuting its
    // per-channel tensors); where every remaining consumer is a dense conv, fold the order into
    // them. Otherwise restore the original order with one index_select. Returns true if folded.
    // The uses of `v` that see its channel order: all but shape queries (BatchNorm's scripted
    // input-dimension check reads input.dim(), which a permutation does not change).
    static std::vector<torch::jit::Use> orderedUses(const Value *v)
    {
        std::vector<torch::jit::Use> out;
        for (const torch::jit::Use &u : v->uses())
            if (u.user->kind() != c10::aten::dim && u.user->kind() != c10::aten::size &&
                u.user->kind() != c10::aten::len)
                out.push_back(u);
        return out;
    }

    bool restoreOrder(Value *v, const std::vector<int64_t> &perm)
    {
        const torch::Tensor permT = indexTensor(perm);
        while (orderedUses(v).size() == 1) {
            Node *user = orderedUses(v)[0].user;
            if (user->owningBlock() != v->node()->owningBlock() || user->input(0) != v)
                break;
            if (isParamFreeChannelwise(user)) {
                v = user->output(0);
                continue;
            }
            if (user->kind() == c10::aten::batch_norm && permuteBatchNorm(user, permT)) {
                v = user->output();
                continue;
            }
            break;
        }
        const std::vector<torch::jit::Use> uses = orderedUses(v);
        bool foldable = !uses.empty();
        for (const torch::jit::Use &u : uses) {
            Node *c = u.user;
            const std::string name = convName(c);
            foldable = foldable && c->kind() == c10::aten::conv2d && u.offset == 0 && !name.empty() &&
                       !m_shared.count(name) && !m_inputOrder.count(name) && isDenseConv(c) &&
                       c->owningBlock() == v->node()->owningBlock();
        }
        if (foldable) {
            for (const torch::jit::Use &u : uses) {
                const std::string name = convName(u.user);
                m_inputOrder[name] = perm;
                if (!m_pruned.count(name)) { // never rewritten: permute its weight columns now
                    torch::jit::Module cm = moduleAt(m_module, m_paths.at(name));
                    setTensorAttr(cm, "weight", cm.attr("weight").toTensor().detach().index_select(1, permT));
                }
            }
            return true;
        }
        std::vector<int64_t> inverse(perm.size());
        for (std::size_t r = 0; r < perm.size(); ++r)
            inverse[std::size_t(perm[r])] = int64_t(r);
        if (isIdentity(inverse, int64_t(inverse.size())))
            return true;
        torch::jit::WithInsertPoint guard(v->node()->next());
        Value *restored = m_graph->insert(c10::aten::index_select,
                                          {v, int64_t(1), m_graph->insertConstant(indexTensor(inverse))});
        v->replaceAllUsesAfterNodeWith(restored->node(), restored);
        return false;
    }

    std::string convName(const Node *n) const
    {
        if (n->kind() != c10::aten::conv2d)
            return {};
        for (const auto &[name, node] : m_convs)
            if (node == n)
                return name;
        return {};
    }

    bool isDenseConv(const Node *n) const
    {
        auto groups = torch::jit::toIValue(n->input(6));
        return groups && groups->isInt() && groups->toInt() == 1;
    }

    bool permuteBatchNorm(Node *bn, const torch::Tensor &perm)
    {
        // inputs: input, weight, bias, running_mean, running_var, training, momentum, eps, cudnn
        std::vector<std::vector<std::string>> paths;
        for (int i = 1; i <= 4; ++i) {
            const Value *v = bn->input(std::size_t(i));
            if (v->type()->kind() == c10::TypeKind::NoneType) {
                paths.emplace_back();
                continue;
            }
            auto p = attributePath(v, m_self);
            if (p.empty())
                return false;
            paths.push_back(p);
        }
        // The module must feed no other batch_norm: its tensors are about to change order.
        std::string key;
        for (const auto &p : paths)
            if (!p.empty())
                key = ownerName(p);
        if (key.empty() || !m_permutedBatchNorms.insert(key).second)
            return false;
        for (const auto &p : paths) {
            if (p.empty())
                continue;
            torch::jit::Module owner = moduleAt(m_module, std::vector<std::string>(p.begin(), p.end() - 1));
            const c10::IValue t = owner.attr(p.back());
            if (!t.isTensor())
                continue;
            setTensorAttr(owner, p.back(), t.toTensor().detach().index_select(0, perm));
        }
        return true;
    }

public:
    void markPruned(const Plan &plan)
    {
        for (const LayerPlan &l : plan.layers)
            m_pruned.insert(moduleOf(l));
    }

private:
    const Model &m_model;
    ExportMode m_mode;
    torch::jit::Module m_module;
    std::shared_ptr<torch::jit::Graph> m_graph;
    Value *m_self = nullptr;
    std::map<std::string, Node *> m_convs;
    std::map<std::string, std::vector<Node *>> m_sites; // every call site (both branches of an if)
    std::map<std::string, std::vector<std::string>> m_paths;
    std::set<std::string> m_shared, m_pruned, m_permutedBatchNorms;
    std::map<std::string, std::vector<int64_t>> m_inputOrder; // conv -> original channel per input position
};

} // namespace

torch::Tensor maskedWeight(const LayerPlan &layer, const torch::Tensor &weight)
{
    const int64_t cout = weight.size(0), cin = weight.size(1);
    const std::vector<uint8_t> mask = kernelMask(layer, cin);
    torch::Tensor m = torch::from_blob(const_cast<uint8_t *>(mask.data()), {cout, cin, 1, 1}, torch::kUInt8)
                          .to(weight.scalar_type());
    return (weight.detach() * m).contiguous();
}

GroupedLayer groupedLayer(const LayerPlan &layer, const torch::Tensor &weight, const std::optional<torch::Tensor> &bias)
{
    const int64_t cout = weight.size(0);
    std::vector<int64_t> perm(static_cast<std::size_t>(cout));
    std::iota(perm.begin(), perm.end(), 0);
    std::stable_sort(perm.begin(), perm.end(), [&](int64_t a, int64_t b) {
        return layer.assignment[std::size_t(a)] < layer.assignment[std::size_t(b)];
    });
    std::vector<int64_t> inverse(perm.size()), gather;
    for (std::size_t r = 0; r < perm.size(); ++r)
        inverse[std::size_t(perm[r])] = int64_t(r);
    for (const auto &k : layer.kept)
        gather.insert(gather.end(), k.begin(), k.end());

    GroupedLayer gl;
    gl.permutation = indexTensor(perm);
    gl.inverse = indexTensor(inverse);
    gl.gather = indexTensor(gather);
    const int64_t d = cout / layer.groups;
    std::vector<torch::Tensor> rows;
    const torch::Tensor wp = weight.detach().index_select(0, gl.permutation);
    for (int g = 0; g < layer.groups; ++g)
        rows.push_back(wp.narrow(0, g * d, d).index_select(1, indexTensor({layer.kept[std::size_t(g)].begin(),
                                                                             layer.kept[std::size_t(g)].end()})));
    gl.weight = torch::cat(rows, 0).contiguous();
    if (bias)
        gl.bias = bias->detach().index_select(0, gl.permutation).contiguous();
    return gl;
}

torch::jit::Module buildMaskedModule(const Model &model, const Plan &plan)
{
    Rewriter r(model, ExportMode::Trainable);
    r.applyMasks(plan);
    return r.module();
}

torch::jit::Module buildPrunedModule(const Model &model, const Plan &plan, ExportMode mode,
                                     const std::map<std::string, LayerForm> &forms, std::vector<LayerExport> &report,
                                     std::vector<ChannelTrim> *trims)
{
    Rewriter r(model, mode);
    if (plan.isChannelPlan()) {
        r.removeChannels(plan, report);
        return mode == ExportMode::Trainable ? r.module() : freezeForDeploy(r.module(), trims);
    }
    r.markPruned(plan);
    r.rewrite(plan, forms, report);
    if (mode == ExportMode::Trainable)
        return r.module();
    std::set<std::string> grow; // module paths of the layers whose producer may repeat channels
    for (const LayerExport &e : report)
        if (e.form == LayerForm::GatherFree)
            if (const ConvLayer *l = model.inventory().find(e.name))
                grow.insert(l->module);
    std::vector<ChannelTrim> changed;
    torch::jit::Module frozen = freezeForDeploy(r.module(), &changed, grow);
    // Trims are named by module path: report the layers' names. A grouped layer whose producer now
    // computes its gather is gather-free; one planned so that could not be (no sole dense producer)
    // keeps its gather and says so.
    auto layerName = [&](const std::string &module) {
        for (const ConvLayer &l : model.inventory().layers)
            if (!l.module.empty() && l.module == module)
                return l.name;
        return module;
    };
    for (ChannelTrim &t : changed) {
        t.name = layerName(t.name);
        if (!t.gather_order_for.empty())
            t.gather_order_for = layerName(t.gather_order_for);
    }
    for (LayerExport &e : report) {
        if (e.form != LayerForm::Grouped && e.form != LayerForm::GatherFree)
            continue;
        const bool freed = std::any_of(changed.begin(), changed.end(),
                                       [&](const ChannelTrim &t) { return t.gather_order_for == e.name; });
        const LayerPlan *lp = plan.find(e.name);
        if (freed) {
            if (lp && lp->groups > 1)
                e.form = LayerForm::GatherFree;
            e.gather_skipped = true;
        } else if (e.form == LayerForm::GatherFree) {
            e.form = LayerForm::Grouped;
        }
    }
    if (trims)
        *trims = std::move(changed);
    return frozen;
}

torch::jit::Module freezeForDeploy(const torch::jit::Module &module, std::vector<ChannelTrim> *trims,
                                   const std::set<std::string> &grow)
{
    torch::jit::Module m = module; // torch::jit::freeze works on its own clone
    if (m.is_training()) {
        m = module.clone();
        m.eval();
    }
    const std::vector<std::string> names = convNamesInOrder(m);
    torch::jit::Module frozen = torch::jit::freeze(m);
    std::vector<ChannelTrim> removed;
    removeDeadChannels(frozen, names, grow, removed);
    if (trims)
        *trims = std::move(removed);
    return frozen;
}

std::vector<int64_t> channelPositions(const std::vector<int64_t> *order, int64_t n)
{
    std::vector<int64_t> pos(static_cast<std::size_t>(n));
    std::iota(pos.begin(), pos.end(), 0);
    if (order)
        for (std::size_t j = 0; j < order->size(); ++j)
            pos[std::size_t((*order)[j])] = int64_t(j);
    return pos;
}

torch::Tensor keptIndex(int64_t n, const std::set<int64_t> *removed)
{
    std::vector<int64_t> k;
    for (int64_t c = 0; c < n; ++c)
        if (!removed || !removed->count(c))
            k.push_back(c);
    return indexTensor(k);
}

torch::jit::Module buildFrozenOriginal(const Model &model)
{
    Rewriter r(model, ExportMode::Deploy);
    return freezeForDeploy(r.module());
}

torch::jit::Module forRuntime(const torch::jit::Module &frozen, Runtime runtime)
{
    if (runtime == Runtime::Frozen)
        return frozen;
    torch::jit::Module m = frozen.clone();
    return torch::jit::optimize_for_inference(m);
}

} // namespace gkp
