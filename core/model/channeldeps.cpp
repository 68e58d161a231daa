#include "model/channeldeps.h"

#include "model/graphanalysis.h"
#include "model/torchmodel.h"

#include <torch/csrc/jit/ir/ir.h>
#include <torch/csrc/jit/passes/constant_propagation.h>
#include <torch/csrc/jit/passes/inliner.h>

#include <algorithm>
#include <limits>
#include <map>
#include <numeric>
#include <optional>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

namespace gkp {

using torch::jit::Node;
using torch::jit::Value;

std::string toString(ChannelMember::Kind kind)
{
    switch (kind) {
    case ChannelMember::Kind::Producer: return "producer";
    case ChannelMember::Kind::Consumer: return "consumer";
    case ChannelMember::Kind::Depthwise: return "depthwise";
    case ChannelMember::Kind::BatchNorm: return "batchnorm";
    case ChannelMember::Kind::Linear: return "linear";
    case ChannelMember::Kind::Pad: return "pad";
    }
    return "?";
}

bool ChannelFamily::produces(int layer) const
{
    return std::any_of(members.begin(), members.end(), [&](const ChannelMember &m) {
        return m.kind == ChannelMember::Kind::Producer && m.layer == layer;
    });
}

bool ChannelFamily::hasProducer() const
{
    return std::any_of(members.begin(), members.end(),
                       [](const ChannelMember &m) { return m.kind == ChannelMember::Kind::Producer; });
}

const ChannelFamily *ChannelDependencies::producedBy(int layer) const
{
    for (const ChannelFamily &f : families)
        if (f.produces(layer))
            return &f;
    return nullptr;
}

namespace {

// A member of one coupled channel, before families are formed: `channel` is the member's own.
struct SlotMember
{
    ChannelMember::Kind kind;
    int layer;
    std::string name;
    int64_t channel;
    int64_t stride;
    int pad;
    bool front;

    auto identity() const { return std::make_tuple(int(kind), layer, name, pad, front, stride); }
};

// Union-find over channel slots; a root carries the reason its group cannot be pruned, if any.
class Slots
{
public:
    int create()
    {
        m_parent.push_back(int(m_parent.size()));
        m_reason.emplace_back();
        m_joined.push_back(false);
        m_members.emplace_back();
        return int(m_parent.size()) - 1;
    }
    int find(int s)
    {
        while (m_parent[std::size_t(s)] != s) {
            m_parent[std::size_t(s)] = m_parent[std::size_t(m_parent[std::size_t(s)])];
            s = m_parent[std::size_t(s)];
        }
        return s;
    }
    void unite(int a, int b, bool joined)
    {
        a = find(a), b = find(b);
        if (a != b) {
            m_parent[std::size_t(b)] = a;
            if (m_reason[std::size_t(a)].empty())
                m_reason[std::size_t(a)] = m_reason[std::size_t(b)];
            m_joined[std::size_t(a)] = m_joined[std::size_t(a)] || m_joined[std::size_t(b)];
        }
        if (joined)
            m_joined[std::size_t(a)] = true;
    }
    void block(int s, const std::string &reason)
    {
        s = find(s);
        if (m_reason[std::size_t(s)].empty())
            m_reason[std::size_t(s)] = reason;
    }
    void add(int s, SlotMember m) { m_members[std::size_t(s)].push_back(std::move(m)); }

    std::size_t size() const { return m_parent.size(); }
    const std::string &reason(int root) const { return m_reason[std::size_t(root)]; }
    bool joined(int root) const { return m_joined[std::size_t(root)]; }
    const std::vector<SlotMember> &members(int s) const { return m_members[std::size_t(s)]; }

private:
    std::vector<int> m_parent;
    std::vector<std::string> m_reason;
    std::vector<bool> m_joined;
    std::vector<std::vector<SlotMember>> m_members;
};

// What is known of a tensor's channels: one slot per channel, or nothing (network input, mixed).
struct Channels
{
    std::vector<int> slots;
    bool flattened = false; // after flatten(1): channel c covers a block of features
};

std::optional<int64_t> constInt(const Value *v)
{
    auto iv = torch::jit::toIValue(v);
    if (iv && iv->isInt())
        return iv->toInt();
    return std::nullopt;
}

std::optional<std::vector<int64_t>> constInts(const Value *v)
{
    auto iv = torch::jit::toIValue(v);
    if (iv && iv->isIntList())
        return iv->toIntVector();
    return std::nullopt;
}

bool isTensor(const Value *v)
{
    return v->type()->kind() == c10::TypeKind::TensorType;
}

bool passesChannels(const Node *n, const std::string &k)
{
    static const std::unordered_set<std::string> ops = {
        "aten::relu", "aten::relu_", "aten::relu6", "aten::relu6_", "aten::hardtanh", "aten::hardtanh_",
        "aten::sigmoid", "aten::sigmoid_", "aten::tanh", "aten::tanh_", "aten::silu", "aten::silu_", "aten::gelu",
        "aten::hardswish", "aten::hardswish_", "aten::hardsigmoid", "aten::hardsigmoid_", "aten::leaky_relu",
        "aten::leaky_relu_", "aten::elu", "aten::elu_", "aten::selu", "aten::selu_", "aten::celu", "aten::mish",
        "aten::softplus", "aten::dropout", "aten::dropout_", "aten::feature_dropout", "aten::feature_dropout_",
        "aten::alpha_dropout", "aten::feature_alpha_dropout", "aten::max_pool2d", "aten::avg_pool2d",
        "aten::adaptive_avg_pool2d", "aten::adaptive_max_pool2d", "aten::contiguous", "aten::clone",
        "aten::detach", "aten::clamp", "aten::clamp_", "aten::clamp_min", "aten::clamp_min_", "aten::clamp_max",
        "aten::reflection_pad2d", "aten::replication_pad2d", "aten::upsample_nearest2d",
        "aten::upsample_bilinear2d", "aten::neg", "aten::abs", "aten::exp", "aten::sqrt", "aten::to",
        "aten::type_as", "aten::identity"};
    if (ops.count(k))
        return true;
    if (k == "aten::slice") { // spatial slicing (x[:, :, ::2, ::2]) keeps the channels
        auto dim = constInt(n->input(1));
        if (dim && (*dim == 0 || *dim >= 2 || (*dim < 0 && *dim != -3)))
            return true;
        // x[:, :] slices the channels from the first to the last: the identity
        auto start = torch::jit::toIValue(n->input(2)), end = torch::jit::toIValue(n->input(3));
        auto step = constInt(n->input(4));
        const bool fromFirst = start && (start->isNone() || (start->isInt() && start->toInt() == 0));
        const bool toLast = end && (end->isNone() || (end->isInt() && end->toInt() >= (int64_t(1) << 62)));
        return fromFirst && toLast && step == std::optional<int64_t>(1);
    }
    if (k == "aten::mean" || k == "aten::amax") { // global pooling over the spatial dimensions
        auto dims = constInts(n->input(1));
        if (!dims || dims->empty())
            return false;
        return std::all_of(dims->begin(), dims->end(), [](int64_t d) { return d >= 2 || (d < 0 && d != -3); });
    }
    return false;
}

// Ops that read a tensor's metadata only: pruning a channel changes nothing they compute wrongly.
bool readsShapeOnly(const std::string &k)
{
    return k == "aten::size" || k == "aten::dim" || k == "aten::len" || k == "prim::shape" ||
           k == "aten::__isnot__" || k == "aten::__is__" || k == "prim::device" || k == "prim::dtype" ||
           k == "aten::numel";
}

class Analysis
{
public:
    Analysis(const Model &model, const Value *self) : m_model(model), m_self(self)
    {
        const Inventory &inv = model.inventory();
        for (const ConvLayer &l : inv.layers)
            if (!l.module.empty())
                m_layerByName.emplace(l.module, l.index); // a conv called twice: its first call
    }

    void run(torch::jit::Graph &graph)
    {
        visit(graph.block());
        for (const Value *out : graph.outputs())
            blockValue(out, "reaches the model output");
    }

    ChannelDependencies result();

private:
    const Channels *channelsOf(const Value *v) const
    {
        auto it = m_values.find(v);
        return it == m_values.end() ? nullptr : &it->second;
    }

    void blockValue(const Value *v, const std::string &reason)
    {
        if (const Channels *c = channelsOf(v))
            for (int s : c->slots)
                m_slots.block(s, reason);
        if (auto it = m_lists.find(v); it != m_lists.end())
            for (const Value *item : it->second)
                blockValue(item, reason);
    }

    std::vector<int> freshSlots(int64_t n)
    {
        std::vector<int> s(static_cast<std::size_t>(n));
        for (int &x : s)
            x = m_slots.create();
        return s;
    }

    void addMembers(const std::vector<int> &slots, ChannelMember::Kind kind, int layer, const std::string &name = {},
                    int64_t stride = 1)
    {
        for (std::size_t j = 0; j < slots.size(); ++j)
            m_slots.add(slots[j], {kind, layer, name, int64_t(j), stride, -1, false});
    }

    void visit(torch::jit::Block *block)
    {
        for (Node *n : block->nodes())
            visitNode(n);
    }

    void blockInputs(Node *n, const std::string &reason)
    {
        for (const Value *in : n->inputs())
            blockValue(in, reason);
    }

    std::string opReason(const std::string &k) const { return "read by " + k; }

    void visitConv(Node *n, const std::string &k)
    {
        const std::string name = ownerPath(n->input(1));
        auto it = m_layerByName.find(name);
        const Channels *in = channelsOf(n->input(0));
        if (it == m_layerByName.end() || (k != "aten::conv2d" && k != "aten::_convolution" && k != "aten::convolution")) {
            blockInputs(n, "read by a convolution with a computed weight or of another kind");
            return;
        }
        const ConvLayer &l = m_model.inventory().layers[std::size_t(it->second)];
        if (l.kind != ConvKind::Conv2d || l.times_called > 1 || !m_seenConv.insert(l.index).second) {
            blockInputs(n, "read by " + l.name + " (" + (l.times_called > 1 ? "shared weights" : toString(l.kind)) + ")");
            return;
        }
        const bool depthwise = l.groups > 1 && l.groups == l.in_channels && l.out_channels == l.in_channels;
        if (in && int64_t(in->slots.size()) != l.in_channels) {
            blockValue(n->input(0), "channel count mismatch at " + l.name);
            in = nullptr;
        }
        if (depthwise) {
            if (in) {
                addMembers(in->slots, ChannelMember::Kind::Depthwise, l.index);
                m_values[n->output()] = {in->slots, false};
            }
            return;
        }
        if (l.groups > 1) {
            if (in)
                blockValue(n->input(0), "read by the grouped convolution " + l.name);
            m_values[n->output()] = {freshSlots(l.out_channels), false};
            for (int s : m_values[n->output()].slots)
                m_slots.block(s, "written by the grouped convolution " + l.name);
            return;
        }
        if (in)
            addMembers(in->slots, ChannelMember::Kind::Consumer, l.index);
        Channels out{freshSlots(l.out_channels), false};
        addMembers(out.slots, ChannelMember::Kind::Producer, l.index);
        m_values[n->output()] = std::move(out);
    }

    std::string ownerPath(const Value *v) const
    {
        const std::vector<std::string> path = attributePath(v, m_self);
        std::string name;
        for (std::size_t i = 0; i + 1 < path.size(); ++i)
            name += (i ? "." : "") + path[i];
        return name;
    }

    void visitNode(Node *n)
    {
        const std::string k = n->kind().toQualString();
        if (isConvolution(n)) {
            visitConv(n, k);
            return;
        }
        if (n->kind() == c10::prim::GetAttr || n->kind() == c10::prim::Constant || readsShapeOnly(k))
            return;
        if (n->kind() == c10::prim::ListConstruct || n->kind() == c10::prim::TupleConstruct) {
            m_lists[n->output()] = {n->inputs().begin(), n->inputs().end()};
            return;
        }
        if (n->kind() == c10::prim::If) {
            // A branch on a module attribute (self.use_res_connect) always goes one way: follow it.
            if (const auto taken = knownBool(n->input(0))) {
                torch::jit::Block *b = n->blocks()[*taken ? 0 : 1];
                visit(b);
                for (std::size_t i = 0; i < n->outputs().size(); ++i) {
                    if (const Channels *c = channelsOf(b->outputs()[i]))
                        m_values[n->outputs()[i]] = *c;
                    if (auto it = m_lists.find(b->outputs()[i]); it != m_lists.end())
                        m_lists[n->outputs()[i]] = it->second;
                }
                return;
            }
            for (torch::jit::Block *b : n->blocks())
                visit(b);
            for (std::size_t i = 0; i < n->outputs().size(); ++i) {
                std::optional<Channels> merged;
                bool unknown = false;
                for (torch::jit::Block *b : n->blocks()) {
                    const Channels *c = channelsOf(b->outputs()[i]);
                    if (!c) {
                        unknown = true;
                        continue;
                    }
                    if (!merged) {
                        merged = *c;
                    } else if (merged->slots.size() == c->slots.size() && merged->flattened == c->flattened) {
                        for (std::size_t j = 0; j < c->slots.size(); ++j)
                            m_slots.unite(merged->slots[j], c->slots[j], false);
                    } else {
                        unknown = true;
                    }
                }
                if (unknown) {
                    for (torch::jit::Block *b : n->blocks())
                        blockValue(b->outputs()[i], "differs between the branches of an if");
                } else if (merged) {
                    m_values[n->outputs()[i]] = *merged;
                }
            }
            return;
        }
        if (n->kind() == c10::prim::Loop) {
            blockInputs(n, "carried through a loop");
            for (torch::jit::Block *b : n->blocks())
                visit(b);
            for (torch::jit::Block *b : n->blocks())
                for (const Value *v : b->outputs())
                    blockValue(v, "carried through a loop");
            return;
        }
        if (k == "aten::append" && m_lists.count(n->input(0))) { // scripted DenseNet grows its feature list
            m_lists[n->input(0)].push_back(n->input(1));
            return;
        }
        if (k == "aten::__getitem__" && m_lists.count(n->input(0))) {
            const auto &items = m_lists[n->input(0)];
            auto i = constInt(n->input(1));
            if (i && *i < 0)
                *i += int64_t(items.size());
            if (i && *i >= 0 && *i < int64_t(items.size())) {
                if (const Channels *c = channelsOf(items[std::size_t(*i)]))
                    m_values[n->output()] = *c;
                return;
            }
            blockValue(n->input(0), opReason(k));
            return;
        }
        if (k == "aten::batch_norm") {
            const Channels *in = channelsOf(n->input(0));
            const std::string name = ownerPath(n->input(1));
            if (!in)
                return;
            if (name.empty() || !m_seenNorm.insert(name).second) {
                blockValue(n->input(0), name.empty() ? "normalised with computed statistics" : "normalised by " + name + " twice");
                return;
            }
            addMembers(in->slots, ChannelMember::Kind::BatchNorm, -1, name);
            m_values[n->output()] = *in;
            return;
        }
        if (passesChannels(n, k)) {
            if (const Channels *in = channelsOf(n->input(0)); in && !in->flattened)
                m_values[n->outputs()[0]] = *in;
            else if (in)
                blockValue(n->input(0), opReason(k) + " after a flatten");
            for (std::size_t i = 1; i < n->inputs().size(); ++i)
                blockValue(n->input(i), opReason(k));
            return;
        }
        if (k == "aten::add" || k == "aten::add_" || k == "aten::sub" || k == "aten::sub_" || k == "aten::mul" ||
            k == "aten::mul_" || k == "aten::div" || k == "aten::div_" || k == "aten::maximum" ||
            k == "aten::minimum") {
            visitElementwise(n, k);
            return;
        }
        if (k == "aten::cat" || k == "aten::concat") {
            visitConcat(n, k);
            return;
        }
        if (k == "aten::constant_pad_nd" || k == "aten::pad") {
            visitPad(n, k);
            return;
        }
        if (k == "aten::flatten" || k == "aten::view" || k == "aten::reshape") {
            visitFlatten(n, k);
            return;
        }
        if (k == "aten::linear") {
            visitLinear(n);
            return;
        }
        blockInputs(n, opReason(k));
        for (torch::jit::Block *b : n->blocks())
            visit(b);
    }

    void visitElementwise(Node *n, const std::string &k)
    {
        const Value *a = n->input(0), *b = n->input(1);
        if (!isTensor(b)) { // x * 0.5, x + 1: the channels pass
            if (const Channels *c = channelsOf(a))
                m_values[n->output()] = *c;
            return;
        }
        const Channels *ca = channelsOf(a), *cb = channelsOf(b);
        if (ca && cb && ca->slots.size() == cb->slots.size() && ca->flattened == cb->flattened) {
            for (std::size_t j = 0; j < ca->slots.size(); ++j)
                m_slots.unite(ca->slots[j], cb->slots[j], true);
            m_values[n->output()] = *ca;
            return;
        }
        // One operand of unknown channels (the network input, a constant, a broadcast): the channels
        // of the other would have to line up with something this analysis cannot see.
        blockInputs(n, opReason(k) + " with an operand of unknown channels");
    }

    void visitConcat(Node *n, const std::string &k)
    {
        auto items = m_lists.find(n->input(0));
        auto dim = constInt(n->input(1));
        if (items == m_lists.end() || !dim || (*dim != 1 && *dim != -3)) {
            blockInputs(n, dim && *dim != 1 && *dim != -3 ? opReason(k) + " over another dimension" : opReason(k));
            return;
        }
        Channels out;
        for (const Value *item : items->second) {
            const Channels *c = channelsOf(item);
            if (!c || c->flattened) {
                blockValue(n->input(0), "concatenated with channels of unknown origin");
                return;
            }
            out.slots.insert(out.slots.end(), c->slots.begin(), c->slots.end());
        }
        m_values[n->output()] = std::move(out);
    }

    void visitPad(Node *n, const std::string &k)
    {
        const Channels *in = channelsOf(n->input(0));
        auto pad = intList(n->input(1));
        // Channel paddings are numbered in graph order whatever reaches them (the export finds them so).
        const bool overChannels = pad && pad->size() == 6 && ((*pad)[4] != 0 || (*pad)[5] != 0);
        const int index = overChannels ? int(m_pads.size()) : -1;
        if (overChannels)
            m_pads.push_back({index, (*pad)[4], (*pad)[5]});
        if (!in)
            return;
        auto arg = [&](std::size_t i) {
            return n->inputs().size() > i ? torch::jit::toIValue(n->input(i)) : std::optional<c10::IValue>();
        };
        const auto mode = k == "aten::pad" ? arg(2) : std::optional<c10::IValue>();
        const bool constantMode = k == "aten::constant_pad_nd" || (mode && mode->isString() && mode->toStringRef() == "constant");
        const auto value = k == "aten::constant_pad_nd" ? arg(2) : arg(3);
        const bool zero = value && ((value->isDouble() && value->toDouble() == 0.0) ||
                                    (value->isInt() && value->toInt() == 0) || value->isNone());
        if (!pad || pad->size() > 6 || (pad->size() > 4 && !constantMode)) {
            blockValue(n->input(0), "padded by amounts this analysis cannot read");
            return;
        }
        if (!overChannels) { // spatial padding only
            m_values[n->output()] = *in;
            return;
        }
        if (!zero || (*pad)[4] < 0 || (*pad)[5] < 0) {
            blockValue(n->input(0), "padded over channels with a non-zero value");
            return;
        }
        Channels out;
        const std::string name = "pad#" + std::to_string(index);
        for (int64_t j = 0; j < (*pad)[4]; ++j) {
            const int s = m_slots.create();
            m_slots.add(s, {ChannelMember::Kind::Pad, -1, name, j, 1, index, true});
            out.slots.push_back(s);
        }
        out.slots.insert(out.slots.end(), in->slots.begin(), in->slots.end());
        for (int64_t j = 0; j < (*pad)[5]; ++j) {
            const int s = m_slots.create();
            m_slots.add(s, {ChannelMember::Kind::Pad, -1, name, j, 1, index, false});
            out.slots.push_back(s);
        }
        m_values[n->output()] = std::move(out);
    }

    void visitFlatten(Node *n, const std::string &k)
    {
        const Channels *in = channelsOf(n->input(0));
        if (!in)
            return;
        bool flattens = false;
        if (k == "aten::flatten") {
            auto start = constInt(n->input(1)), end = constInt(n->input(2));
            flattens = start && *start == 1 && end && *end == -1;
        } else if (auto items = m_lists.find(n->input(1)); items != m_lists.end() && items->second.size() == 2) {
            // x.view(x.size(0), -1): the usual flatten of CIFAR models
            auto last = constInt(items->second[1]);
            const Node *first = items->second[0]->node();
            const bool batch = first->kind().toQualString() == std::string("aten::size") &&
                               constInt(first->input(1)) == std::optional<int64_t>(0);
            flattens = last && *last == -1 && (batch || constInt(items->second[0]));
        }
        if (!flattens || in->flattened) {
            blockValue(n->input(0), opReason(k));
            return;
        }
        m_values[n->output()] = {in->slots, true};
    }

    void visitLinear(Node *n)
    {
        const Channels *in = channelsOf(n->input(0));
        const std::string name = ownerPath(n->input(1));
        if (!in)
            return;
        std::optional<c10::IValue> w;
        if (!name.empty())
            w = resolveAttr(n->input(1));
        if (name.empty() || !w || !w->isTensor() || w->toTensor().dim() != 2 || !m_seenLinear.insert(name).second) {
            blockValue(n->input(0), "read by a linear layer with a computed or shared weight");
            return;
        }
        const int64_t features = w->toTensor().size(1), channels = int64_t(in->slots.size());
        if (channels == 0 || features % channels != 0 || (!in->flattened && features != channels)) {
            blockValue(n->input(0), "read by the linear layer " + name + " in a layout this analysis cannot follow");
            return;
        }
        addMembers(in->slots, ChannelMember::Kind::Linear, -1, name, features / channels);
    }

    // A bool known before running: a constant, a bool module attribute, `not`, or an if on one
    // (TorchScript compiles `a and b` to one).
    std::optional<bool> knownBool(const Value *v, int depth = 0) const
    {
        if (depth > 16)
            return std::nullopt;
        if (auto iv = torch::jit::toIValue(v); iv && iv->isBool())
            return iv->toBool();
        const Node *n = v->node();
        if (n->kind() == c10::prim::GetAttr) {
            auto a = resolveAttr(v);
            return a && a->isBool() ? std::optional<bool>(a->toBool()) : std::nullopt;
        }
        if (n->kind() == c10::aten::__not__)
            if (auto b = knownBool(n->input(0), depth + 1))
                return !*b;
        if (n->kind() == c10::prim::If) {
            const auto cond = knownBool(n->input(0), depth + 1);
            if (!cond)
                return std::nullopt;
            const std::size_t i = std::size_t(std::find(n->outputs().begin(), n->outputs().end(), v) - n->outputs().begin());
            return knownBool(n->blocks()[*cond ? 0 : 1]->outputs()[i], depth + 1);
        }
        return std::nullopt;
    }

    // A constant int list, or one built from constants and int module attributes (self.pad).
    std::optional<std::vector<int64_t>> intList(const Value *v) const
    {
        if (auto c = constInts(v))
            return c;
        if (v->node()->kind() != c10::prim::ListConstruct)
            return std::nullopt;
        std::vector<int64_t> out;
        for (const Value *item : v->node()->inputs()) {
            if (auto c = constInt(item)) {
                out.push_back(*c);
                continue;
            }
            auto a = item->node()->kind() == c10::prim::GetAttr ? resolveAttr(item) : std::nullopt;
            if (!a || !a->isInt())
                return std::nullopt;
            out.push_back(a->toInt());
        }
        return out;
    }

    std::optional<c10::IValue> resolveAttr(const Value *v) const
    {
        if (attributePath(v, m_self).empty())
            return std::nullopt;
        const std::vector<std::string> path = attributePath(v, m_self);
        c10::IValue cur = m_model.impl().module._ivalue();
        for (const std::string &p : path) {
            if (!cur.isObject())
                return std::nullopt;
            auto obj = cur.toObject();
            auto slot = obj->type()->findAttributeSlot(p);
            if (!slot)
                return std::nullopt;
            cur = obj->getSlot(*slot);
        }
        return cur;
    }

    const Model &m_model;
    const Value *m_self;
    std::map<std::string, int> m_layerByName;
    std::unordered_set<int> m_seenConv;
    std::unordered_set<std::string> m_seenNorm, m_seenLinear;
    Slots m_slots;
    std::unordered_map<const Value *, Channels> m_values;
    std::unordered_map<const Value *, std::vector<const Value *>> m_lists;
    std::vector<ChannelPad> m_pads;
};

ChannelDependencies Analysis::result()
{
    // Coupled groups: slots by root, each with its members.
    std::map<int, std::vector<SlotMember>> groups;
    for (std::size_t s = 0; s < m_slots.size(); ++s) {
        const auto &ms = m_slots.members(int(s));
        auto &g = groups[m_slots.find(int(s))];
        g.insert(g.end(), ms.begin(), ms.end());
    }
    // Families: groups with the same members (up to the channel), channels in member order.
    struct Pending
    {
        int root;
        std::vector<SlotMember> members; // sorted by identity
    };
    std::map<std::vector<decltype(SlotMember{}.identity())>, std::vector<Pending>> byKey;
    for (auto &[root, members] : groups) {
        if (members.empty())
            continue;
        std::sort(members.begin(), members.end(), [](const SlotMember &a, const SlotMember &b) {
            return std::make_tuple(a.identity(), a.channel) < std::make_tuple(b.identity(), b.channel);
        });
        std::vector<decltype(SlotMember{}.identity())> key;
        for (const SlotMember &m : members)
            key.push_back(m.identity());
        byKey[key].push_back({root, members});
    }
    ChannelDependencies out;
    out.pads = m_pads;
    for (auto &[key, pending] : byKey) {
        std::sort(pending.begin(), pending.end(),
                  [](const Pending &a, const Pending &b) { return a.members[0].channel < b.members[0].channel; });
        // Split where a member's channel does not advance by one from the previous group.
        std::size_t start = 0;
        for (std::size_t i = 1; i <= pending.size(); ++i) {
            bool contiguous = i < pending.size();
            for (std::size_t m = 0; contiguous && m < key.size(); ++m)
                contiguous = pending[i].members[m].channel == pending[i - 1].members[m].channel + 1;
            if (contiguous)
                continue;
            ChannelFamily f;
            f.index = int(out.families.size());
            f.channels = int64_t(i - start);
            for (const SlotMember &m : pending[start].members) {
                ChannelMember cm;
                cm.kind = m.kind;
                cm.layer = m.layer;
                cm.name = m.name;
                cm.offset = m.channel;
                cm.stride = m.stride;
                cm.pad = m.pad;
                cm.front = m.front;
                f.members.push_back(cm);
            }
            for (std::size_t g = start; g < i; ++g) {
                f.residual = f.residual || m_slots.joined(pending[g].root);
                if (f.reason.empty())
                    f.reason = m_slots.reason(pending[g].root);
            }
            f.prunable = f.reason.empty();
            const Inventory &inv = m_model.inventory();
            for (const ChannelMember &m : f.members)
                if (m.kind == ChannelMember::Kind::Producer) {
                    f.name = inv.layers[std::size_t(m.layer)].name;
                    break;
                }
            if (f.name.empty())
                f.name = f.members.front().layer >= 0 ? inv.layers[std::size_t(f.members.front().layer)].name
                                                      : f.members.front().name;
            if (f.prunable && !std::any_of(f.members.begin(), f.members.end(), [](const ChannelMember &m) {
                    return m.kind == ChannelMember::Kind::Consumer || m.kind == ChannelMember::Kind::Linear;
                }) && !f.hasProducer()) {
                f.prunable = false;
                f.reason = "read by nothing";
            }
            out.families.push_back(std::move(f));
            start = i;
        }
    }
    // Execution order of the first producer (or member) keeps the listing stable and readable.
    auto firstLayer = [](const ChannelFamily &f) {
        int best = std::numeric_limits<int>::max();
        for (const ChannelMember &m : f.members)
            if (m.layer >= 0)
                best = std::min(best, m.kind == ChannelMember::Kind::Producer ? m.layer : m.layer + 1);
        return std::make_tuple(f.hasProducer() ? 0 : 1, best, f.members.front().offset);
    };
    std::stable_sort(out.families.begin(), out.families.end(),
                     [&](const ChannelFamily &a, const ChannelFamily &b) { return firstLayer(a) < firstLayer(b); });
    for (std::size_t i = 0; i < out.families.size(); ++i)
        out.families[i].index = int(i);
    return out;
}

} // namespace

ChannelDependencies channelDependencies(const Model &model)
{
    torch::jit::Module module = model.impl().module;
    auto graph = module.get_method("forward").graph()->copy();
    torch::jit::Inline(*graph);
    torch::jit::ConstantPropagation(graph, /*ignore_custom_classes=*/true);
    Analysis analysis(model, graph->inputs()[0]);
    analysis.run(*graph);
    return analysis.result();
}

} // namespace gkp
