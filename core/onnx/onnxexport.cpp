#include "onnx/onnxexport.h"

#include "engine/channelplanner.h"
#include "engine/planjson.h"
#include "export/exportrewrite.h"
#include "model/torchmodel.h"
#include "onnx/onnxfile.h"
#include "onnx/onnxmodeldata.h"
#include "onnx/onnxnames.h"
#include "onnx/onnxtensor.h"
#include "util/atomicfile.h"

#include <onnx/checker.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <set>

namespace gkp {

namespace fs = std::filesystem;

bool isOnnxOutput(const std::string &path)
{
    std::string ext = fs::path(path).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return ext == ".onnx";
}

namespace {

std::vector<int64_t> toVector(const at::Tensor &t)
{
    const at::Tensor c = t.to(at::kLong).contiguous();
    return std::vector<int64_t>(c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel());
}

const onnx::AttributeProto *findAttr(const onnx::NodeProto &n, const std::string &name)
{
    for (const auto &a : n.attribute())
        if (a.name() == name)
            return &a;
    return nullptr;
}

int64_t attrInt(const onnx::NodeProto &n, const std::string &name, int64_t fallback)
{
    const auto *a = findAttr(n, name);
    return a && a->type() == onnx::AttributeProto::INT ? a->i() : fallback;
}

float attrFloat(const onnx::NodeProto &n, const std::string &name, float fallback)
{
    const auto *a = findAttr(n, name);
    return a && a->type() == onnx::AttributeProto::FLOAT ? a->f() : fallback;
}

void setAttrInt(onnx::NodeProto &n, const std::string &name, int64_t value)
{
    for (auto &a : *n.mutable_attribute())
        if (a.name() == name) {
            a.set_type(onnx::AttributeProto::INT);
            a.set_i(value);
            return;
        }
    auto *a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(value);
}

// Ops that act on each channel alone and have no per-channel parameters: a channel order passes
// through them unchanged.
bool isChannelwise(const onnx::NodeProto &n)
{
    static const std::set<std::string> ops = {"Relu", "LeakyRelu", "Elu", "Selu", "Sigmoid", "HardSigmoid",
                                              "HardSwish", "Tanh", "Softplus", "Softsign", "Clip", "MaxPool",
                                              "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "Identity",
                                              "Dropout", "Mish", "ThresholdedRelu", "Celu"};
    if (!n.domain().empty() || !ops.count(n.op_type()))
        return false;
    return true; // Clip: min and max are scalars (inputs from opset 11 on, attributes before)
}

// One export: the model's ModelProto, rewritten in place.
class Surgery
{
public:
    Surgery(const Model &model, const OnnxModelData &data, onnx::ModelProto &proto)
        : m_model(model), m_data(data), m_proto(proto), m_graph(*proto.mutable_graph())
    {
        for (std::size_t k = 0; k < data.layer_nodes.size(); ++k)
            if (data.layer_nodes[k] >= 0)
                m_layerOfNode[data.layer_nodes[k]] = int(k);
        index();
    }

    void rewriteLayers(const Plan &plan, std::optional<LayerForm> force, ExportMode mode,
                       std::vector<LayerExport> &report, const std::function<void(int)> &progress)
    {
        m_plan = &plan;
        m_before.assign(std::size_t(m_graph.node_size()), {});
        m_after.assign(std::size_t(m_graph.node_size()), {});
        for (const LayerPlan &l : plan.layers)
            if (l.layer >= 0 && std::size_t(l.layer) < m_data.layer_nodes.size())
                m_planned.insert(m_data.layer_nodes[std::size_t(l.layer)]);
        // Unnamed Conv nodes are called <OpType>_<index>; nodes inserted before them would change
        // that index: they get the name they had, so the file's layers keep the plan's names.
        const auto &layers = m_model.inventory().layers;
        for (std::size_t k = 0; k < m_data.layer_nodes.size() && k < layers.size(); ++k)
            if (const int ni = m_data.layer_nodes[k]; ni >= 0 && m_graph.node(ni).name().empty())
                m_graph.mutable_node(ni)->set_name(fresh(layers[k].name));
        // Node indices shift as nodes are inserted and folded away; node names stay (a name two
        // layers share names neither).
        std::set<std::string> shared;
        for (std::size_t k = 0; k < m_data.layer_nodes.size() && k < layers.size(); ++k)
            if (const int ni = m_data.layer_nodes[k]; ni >= 0)
                if (!m_layerOfName.emplace(m_graph.node(ni).name(), layers[k].name).second)
                    shared.insert(m_graph.node(ni).name());
        for (const std::string &n : shared)
            m_layerOfName.erase(n);
        int done = 0;
        for (const LayerPlan &l : plan.layers) {
            LayerExport e;
            e.name = l.name;
            e.form = force.value_or(LayerForm::Grouped);
            if (e.form == LayerForm::GatherFree) { // the producer is rewritten after (producersInGatherOrder)
                e.form = LayerForm::Grouped;
                m_growFor.insert(l.name);
            }
            if (mode == ExportMode::Trainable && e.form == LayerForm::Split)
                e.form = LayerForm::Grouped;
            rewriteLayer(l, e);
            report.push_back(e);
            progress(++done);
        }
        // Insert the new nodes where they belong (topological order kept).
        google::protobuf::RepeatedPtrField<onnx::NodeProto> nodes;
        for (int i = 0; i < m_graph.node_size(); ++i) {
            for (auto &n : m_before[std::size_t(i)])
                *nodes.Add() = std::move(n);
            *nodes.Add() = m_graph.node(i);
            for (auto &n : m_after[std::size_t(i)])
                *nodes.Add() = std::move(n);
        }
        m_graph.mutable_node()->Swap(&nodes);
        index();
    }

    // Coupled channel pruning: every Conv, BatchNormalization and Gemm that holds a removed channel
    // loses it (smaller initializers; a depthwise Conv's group follows its channels).
    void removeChannels(const Plan &plan, std::vector<LayerExport> &report)
    {
        const ChannelRemoval removal = channelRemoval(m_model.channelDependencies(), plan.channel_groups);
        if (!removal.pad.empty())
            throw Error("this channel plan changes a channel padding (a Pad on the channel axis, as option-A "
                        "shortcuts use); pruned ONNX files do not rewrite those yet: give a .pt output");
        auto find = [](const auto &map, const auto &key) -> const std::set<int64_t> * {
            auto it = map.find(key);
            return it == map.end() ? nullptr : &it->second;
        };
        const Inventory &inv = m_model.inventory();
        for (const ConvLayer &l : inv.layers) {
            const std::set<int64_t> *out = find(removal.conv_out, l.index), *in = find(removal.conv_in, l.index);
            if (!out && !in)
                continue;
            const int ni = std::size_t(l.index) < m_data.layer_nodes.size() ? m_data.layer_nodes[std::size_t(l.index)] : -1;
            if (ni < 0 || m_graph.node(ni).op_type() != "Conv")
                throw Error("cannot remove channels of '" + l.name + "' in the ONNX graph: it is not a Conv node");
            at::Tensor w = m_model.impl().weights.at(std::size_t(l.index)).detach().to(at::kFloat);
            const bool depthwise = l.groups > 1 && l.groups == l.in_channels;
            const at::Tensor rows = keptIndex(l.out_channels, out);
            w = w.index_select(0, rows);
            if (!depthwise)
                w = w.index_select(1, keptIndex(l.in_channels, in));
            else
                setAttrInt(*m_graph.mutable_node(ni), "group", rows.numel());
            setInput(ni, 1, w.contiguous());
            const onnx::NodeProto &conv = m_graph.node(ni);
            if (conv.input_size() > 2 && !conv.input(2).empty())
                if (auto b = m_model.impl().biases.at(std::size_t(l.index)))
                    setInput(ni, 2, b->detach().to(at::kFloat).index_select(0, rows).contiguous());
            LayerExport e;
            e.name = l.name;
            e.form = LayerForm::Smaller;
            e.gather_skipped = true;
            e.permutation_folded = true;
            report.push_back(e);
        }
        // BatchNorm and linear modules are named after their nodes (onnxnames.h)
        std::map<std::string, int> byModule;
        for (int i = 0; i < m_graph.node_size(); ++i)
            byModule.emplace(moduleNameFor(onnxNodeName(m_graph.node(i).name(), m_graph.node(i).op_type(), i)), i);
        auto nodeOf = [&](const std::string &module, const char *op) {
            auto it = byModule.find(module);
            if (it == byModule.end() || m_graph.node(it->second).op_type() != op)
                throw Error("cannot remove channels of '" + onnxNameFromModule(module) + "': no " + op +
                            " node of that name in the ONNX graph");
            return it->second;
        };
        for (const auto &[name, removed] : removal.norm) {
            const int ni = nodeOf(name, "BatchNormalization");
            for (int k = 1; k <= 4; ++k) {
                const auto t = initializer(m_graph.node(ni).input(k));
                if (!t)
                    throw Error("cannot remove channels of '" + onnxNameFromModule(name) +
                                "': its BatchNormalization tensors are not constants");
                setInput(ni, k, t->index_select(0, keptIndex(t->size(0), &removed)).contiguous());
            }
        }
        for (const auto &[name, removed] : removal.linear) {
            const int ni = nodeOf(name, "Gemm");
            const auto w = initializer(m_graph.node(ni).input(1));
            if (!w || w->dim() != 2)
                throw Error("cannot remove channels of '" + onnxNameFromModule(name) + "': its weight is not a constant");
            const bool transB = attrInt(m_graph.node(ni), "transB", 0) != 0;
            const int axis = transB ? 1 : 0; // the input-feature axis of B
            setInput(ni, 1, w->index_select(axis, keptIndex(w->size(axis), &removed)).contiguous());
        }
        m_graph.clear_value_info(); // channel counts changed; the shapes are inferred again by readers
    }

    // Deploy: a BatchNormalization whose input only it reads, from a Conv with constant weights,
    // becomes part of that Conv.
    int foldBatchNorms()
    {
        std::set<int> removed;
        for (int i = 0; i < m_graph.node_size(); ++i) {
            const onnx::NodeProto &bn = m_graph.node(i);
            if (bn.op_type() != "BatchNormalization" || !bn.domain().empty() || bn.input_size() < 5)
                continue;
            bool extraOutputs = false;
            for (int o = 1; o < bn.output_size(); ++o)
                extraOutputs = extraOutputs || !bn.output(o).empty();
            if (extraOutputs || attrInt(bn, "training_mode", 0) != 0)
                continue;
            const std::string &x = bn.input(0);
            auto p = m_producer.find(x);
            if (p == m_producer.end() || uses(x).size() != 1 || m_outputs.count(x))
                continue;
            onnx::NodeProto &conv = *m_graph.mutable_node(p->second);
            if (conv.op_type() != "Conv" || !conv.domain().empty() || conv.output_size() != 1)
                continue;
            const auto w = initializer(conv.input(1));
            const bool hasBias = conv.input_size() > 2 && !conv.input(2).empty();
            const auto b = hasBias ? initializer(conv.input(2)) : std::optional<at::Tensor>(at::Tensor());
            std::vector<at::Tensor> params;
            for (int k = 1; k <= 4; ++k)
                if (auto t = initializer(bn.input(k)))
                    params.push_back(t->to(at::kDouble).flatten());
            if (!w || !b || params.size() != 4 || w->dim() < 3 || params[0].numel() != w->size(0))
                continue;
            const double eps = attrFloat(bn, "epsilon", 1e-5f);
            const at::Tensor scale = params[0] / (params[3] + eps).sqrt();
            std::vector<int64_t> shape(std::size_t(w->dim()), 1);
            shape[0] = -1;
            const at::Tensor fw = (w->to(at::kDouble) * scale.view(shape)).to(w->scalar_type());
            const at::Tensor bias0 = hasBias ? b->to(at::kDouble).flatten() : torch::zeros_like(params[0]);
            const at::Tensor fb = ((bias0 - params[2]) * scale + params[1]).to(w->scalar_type());
            setInput(p->second, 1, fw, "_folded");
            if (hasBias) {
                setInput(p->second, 2, fb, "_folded");
            } else {
                while (conv.input_size() < 2)
                    conv.add_input();
                const std::string name = fresh(conv.output(0) + "_bias");
                addInitializer(fb, name);
                conv.add_input(name);
            }
            for (int k = 1; k <= 4; ++k)
                m_replaced.insert(bn.input(k));
            conv.set_output(0, bn.output(0));
            removed.insert(i);
        }
        removeNodes(removed);
        return int(removed.size());
    }

    // Deploy, once BatchNormalization is folded: where Gathers (axis 1, constant indices) are the
    // only readers of a tensor that a Conv computes (through single-reader channel-wise ops, which
    // act on each channel alone), the Conv computes what they read instead. One Gather reading a
    // dense Conv: the Conv's rows (and bias) in its order, repeated where groups share a channel
    // (only for the layers in `m_growFor`, or where that computes no more channels than before),
    // and the Gather goes (the gather-free form). Otherwise the channels no Gather reads go (from a
    // grouped Conv only when its groups stay equal) and the Gathers are renumbered. The report
    // says which layers lost their gather.
    void producersInGatherOrder(std::vector<LayerExport> &report, std::vector<ChannelTrim> &trims)
    {
        index();
        std::vector<std::string> gathered; // tensors Gathers read, in graph order
        for (const auto &n : m_graph.node())
            if (constantGather(n) && std::find(gathered.begin(), gathered.end(), n.input(0)) == gathered.end())
                gathered.push_back(n.input(0));
        std::set<int> removed;
        for (const std::string &t : gathered) {
            std::vector<int> readers; // the Gathers reading t: every reader must be one
            for (const auto &[u, slot] : uses(t))
                if (slot == 0 && constantGather(m_graph.node(u)) && !removed.count(u))
                    readers.push_back(u);
            if (readers.empty() || readers.size() != uses(t).size() || m_outputs.count(t))
                continue;
            std::vector<std::string> chain; // tensors from the Conv's output to t
            const int p = channelwiseProducer(t, chain);
            if (p < 0)
                continue;
            const at::Tensor w = *initializer(m_graph.node(p).input(1));
            const int64_t channels = w.size(0), groups = attrInt(m_graph.node(p), "group", 1);
            std::vector<std::vector<int64_t>> idx;
            for (int r : readers)
                idx.push_back(toVector(*initializer(m_graph.node(r).input(1))));
            bool valid = true;
            for (auto &v : idx)
                for (int64_t &c : v) {
                    c = c < 0 ? c + channels : c; // Gather takes negative indices from the end
                    valid = valid && c >= 0 && c < channels;
                }
            if (!valid)
                continue;
            const onnx::NodeProto &g0 = m_graph.node(readers[0]);
            const std::string consumer = readers.size() == 1 ? consumerLayer(g0.output(0)) : std::string();
            const bool grow = !consumer.empty() && m_growFor.count(consumer);
            if (readers.size() == 1 && groups == 1 && (grow || int64_t(idx[0].size()) <= channels) &&
                !m_outputs.count(g0.output(0)) && readOnlyByNodes(g0.output(0))) {
                setProducerRows(p, idx[0], chain);
                dropGather(readers[0], removed, report);
                trims.push_back({layerOfNode(p), channels, int64_t(idx[0].size()), consumer});
                continue;
            }
            std::set<int64_t> read;
            for (const auto &v : idx)
                read.insert(v.begin(), v.end());
            if (int64_t(read.size()) >= channels || read.empty())
                continue;
            const std::vector<int64_t> keep(read.begin(), read.end());
            if (groups > 1) { // a grouped Conv keeps equal groups: as many channels left in each
                std::vector<int64_t> perGroup(std::size_t(groups), 0);
                for (int64_t c : keep)
                    ++perGroup[std::size_t(c / (channels / groups))];
                if (channels % groups != 0 ||
                    std::any_of(perGroup.begin(), perGroup.end(), [&](int64_t n) { return n != perGroup[0]; }))
                    continue;
            }
            std::map<int64_t, int64_t> at;
            for (std::size_t k = 0; k < keep.size(); ++k)
                at[keep[k]] = int64_t(k);
            setProducerRows(p, keep, chain);
            for (std::size_t k = 0; k < readers.size(); ++k) {
                std::vector<int64_t> renumbered;
                for (int64_t c : idx[k])
                    renumbered.push_back(at.at(c));
                // A Gather of every channel left reorders them at most: the identity goes, a
                // permutation folds into the columns of a dense Conv that alone reads it.
                const std::set<int64_t> distinct(renumbered.begin(), renumbered.end());
                const bool all = renumbered.size() == keep.size() && distinct.size() == keep.size();
                const std::string out = m_graph.node(readers[k]).output(0);
                const int conv = uses(out).size() == 1 ? uses(out).front().first : -1;
                const bool folds = all && conv >= 0 && uses(out).front().second == 0 && !m_outputs.count(out) &&
                                   m_graph.node(conv).op_type() == "Conv" && attrInt(m_graph.node(conv), "group", 1) == 1 &&
                                   initializer(m_graph.node(conv).input(1));
                if (all && isIdentity(renumbered, int64_t(keep.size())) && !m_outputs.count(out) && readOnlyByNodes(out)) {
                    dropGather(readers[k], removed, report);
                } else if (folds) {
                    std::vector<int64_t> inverse(renumbered.size());
                    for (std::size_t j = 0; j < renumbered.size(); ++j)
                        inverse[std::size_t(renumbered[j])] = int64_t(j);
                    setInput(conv, 1, initializer(m_graph.node(conv).input(1))->index_select(1, indexTensor(inverse)).contiguous());
                    dropGather(readers[k], removed, report);
                } else {
                    setInput(readers[k], 1, indexTensor(renumbered));
                }
            }
            trims.push_back({layerOfNode(p), channels, int64_t(keep.size()), {}});
        }
        removeNodes(removed);
    }

    // Initializers this export made unused go, with their graph inputs (IR < 4) and the shape
    // information of tensors no node produces any more.
    void tidy()
    {
        // Identity and Constant nodes whose values this export replaced and nobody reads any more go,
        // then the initializers they and the rewritten nodes read.
        for (bool changed = true; changed;) {
            index();
            changed = false;
            google::protobuf::RepeatedPtrField<onnx::NodeProto> nodes;
            for (const auto &n : m_graph.node()) {
                const bool dead = (n.op_type() == "Identity" || n.op_type() == "Constant") && n.domain().empty() &&
                                  n.output_size() == 1 && m_replaced.count(n.output(0)) &&
                                  uses(n.output(0)).empty() && !m_outputs.count(n.output(0));
                if (dead) {
                    for (const auto &in : n.input())
                        m_replaced.insert(in);
                    changed = true;
                } else {
                    *nodes.Add() = n;
                }
            }
            m_graph.mutable_node()->Swap(&nodes);
        }
        index();
        std::set<std::string> gone;
        for (const std::string &name : m_replaced)
            if (uses(name).empty() && !m_outputs.count(name))
                gone.insert(name);
        auto *inits = m_graph.mutable_initializer();
        for (int i = inits->size() - 1; i >= 0; --i)
            if (gone.count(inits->Get(i).name()))
                inits->DeleteSubrange(i, 1);
        auto *inputs = m_graph.mutable_input();
        for (int i = inputs->size() - 1; i >= 0; --i)
            if (gone.count(inputs->Get(i).name()))
                inputs->DeleteSubrange(i, 1);
        std::set<std::string> produced;
        for (const auto &n : m_graph.node())
            for (const auto &o : n.output())
                produced.insert(o);
        auto *info = m_graph.mutable_value_info();
        for (int i = info->size() - 1; i >= 0; --i)
            if (!produced.count(info->Get(i).name()))
                info->DeleteSubrange(i, 1);
    }

    // External data of tensors this export did not rewrite, read into the file (for an output in
    // another folder, where the relative locations would not resolve).
    void inlineExternalData()
    {
        for (auto &t : *m_graph.mutable_initializer())
            if (t.data_location() == onnx::TensorProto::EXTERNAL)
                t = tensorToProto(tensorFromProto(t, m_data.base_dir), t.name());
        for (auto &n : *m_graph.mutable_node())
            if (n.op_type() == "Constant")
                for (auto &a : *n.mutable_attribute())
                    if (a.has_t() && a.t().data_location() == onnx::TensorProto::EXTERNAL)
                        *a.mutable_t() = tensorToProto(tensorFromProto(a.t(), m_data.base_dir), a.t().name());
    }

private:
    using Use = std::pair<int, int>; // node index, input slot (-1: read inside a subgraph)

    void collectSubgraphUses(const onnx::GraphProto &g, int node)
    {
        for (const auto &n : g.node()) {
            for (const auto &in : n.input())
                m_uses[in].push_back({node, -1});
            for (const auto &a : n.attribute()) {
                if (a.has_g())
                    collectSubgraphUses(a.g(), node);
                for (const auto &sg : a.graphs())
                    collectSubgraphUses(sg, node);
            }
        }
    }

    void index()
    {
        m_producer.clear();
        m_uses.clear();
        // m_names only grows: names handed out for nodes not yet in the graph stay taken
        m_inits.clear();
        m_outputs.clear();
        for (int i = 0; i < m_graph.node_size(); ++i) {
            const onnx::NodeProto &n = m_graph.node(i);
            for (int k = 0; k < n.input_size(); ++k)
                if (!n.input(k).empty())
                    m_uses[n.input(k)].push_back({i, k});
            for (const auto &o : n.output()) {
                m_producer[o] = i;
                m_names.insert(o);
            }
            m_names.insert(n.name());
            for (const auto &a : n.attribute()) {
                if (a.has_g())
                    collectSubgraphUses(a.g(), i);
                for (const auto &sg : a.graphs())
                    collectSubgraphUses(sg, i);
            }
        }
        for (int i = 0; i < m_graph.initializer_size(); ++i) {
            m_inits[m_graph.initializer(i).name()] = i;
            m_names.insert(m_graph.initializer(i).name());
        }
        for (const auto &in : m_graph.input())
            m_names.insert(in.name());
        for (const auto &o : m_graph.output()) {
            m_outputs.insert(o.name());
            m_names.insert(o.name());
        }
        for (const auto &v : m_graph.value_info())
            m_names.insert(v.name());
    }

    const std::vector<Use> &uses(const std::string &name) const
    {
        static const std::vector<Use> none;
        auto it = m_uses.find(name);
        return it == m_uses.end() ? none : it->second;
    }

    std::string fresh(const std::string &base)
    {
        std::string name = base;
        for (int k = 2; m_names.count(name); ++k)
            name = base + "_" + std::to_string(k);
        m_names.insert(name);
        return name;
    }

    // The constant value `name` holds: an initializer, or a Constant node or an Identity of one
    // (torch.onnx.export writes Identity nodes for initializers with equal contents).
    std::optional<at::Tensor> initializer(const std::string &name, int depth = 0) const
    {
        if (auto it = m_inits.find(name); it != m_inits.end())
            return tensorFromProto(m_graph.initializer(it->second), m_data.base_dir);
        auto p = m_producer.find(name);
        if (p == m_producer.end() || depth > 8)
            return std::nullopt;
        const onnx::NodeProto &n = m_graph.node(p->second);
        if (!n.domain().empty())
            return std::nullopt;
        if (n.op_type() == "Identity" && n.input_size() == 1)
            return initializer(n.input(0), depth + 1);
        if (n.op_type() == "Constant")
            if (const auto *a = findAttr(n, "value"); a && a->has_t())
                return tensorFromProto(a->t(), m_data.base_dir);
        return std::nullopt;
    }

    void addInitializer(const at::Tensor &t, const std::string &name)
    {
        *m_graph.add_initializer() = tensorToProto(t, name);
        m_inits[name] = m_graph.initializer_size() - 1;
        if (m_proto.ir_version() < 4) { // initializers must be graph inputs there
            auto *in = m_graph.add_input();
            in->set_name(name);
            auto *tt = in->mutable_type()->mutable_tensor_type();
            tt->set_elem_type(m_graph.initializer(m_graph.initializer_size() - 1).data_type());
            for (int64_t d : t.sizes())
                tt->mutable_shape()->add_dim()->set_dim_value(d);
        }
    }

    // Node input `slot` becomes the constant `t`: its initializer rewritten in place when only this
    // input reads it (the name stays), else a new initializer (the old one may then go, tidy()).
    void setInput(int ni, int slot, at::Tensor t, const std::string &suffix = "_gkp")
    {
        onnx::NodeProto &node = *m_graph.mutable_node(ni);
        const std::string old = node.input(slot);
        auto it = m_inits.find(old);
        if (it != m_inits.end()) // keep the stored element type
            if (auto type = torchType(m_graph.initializer(it->second).data_type()))
                t = t.to(*type);
        if (it != m_inits.end() && uses(old).size() == 1 && !m_outputs.count(old)) {
            *m_graph.mutable_initializer(it->second) = tensorToProto(t, old);
            return;
        }
        const std::string name = fresh((old.empty() ? node.name() + "_input" + std::to_string(slot) : old) + suffix);
        addInitializer(t, name);
        node.set_input(slot, name);
        auto &u = m_uses[old];
        u.erase(std::remove(u.begin(), u.end(), Use{ni, slot}), u.end());
        m_uses[name].push_back({ni, slot});
        m_replaced.insert(old);
    }


    // The nodes at these indices leave the graph (the others keep their order).
    void removeNodes(const std::set<int> &removed)
    {
        google::protobuf::RepeatedPtrField<onnx::NodeProto> nodes;
        for (int i = 0; i < m_graph.node_size(); ++i)
            if (!removed.count(i))
                *nodes.Add() = m_graph.node(i);
        m_graph.mutable_node()->Swap(&nodes);
        index();
    }

    // Gather `r` goes: its readers read its input instead. The layer reading it is reported gather-free
    // (or, with G = 1, as reading its input directly).
    void dropGather(int r, std::set<int> &removed, std::vector<LayerExport> &report)
    {
        const onnx::NodeProto &g = m_graph.node(r);
        const std::string out = g.output(0), in = g.input(0);
        const std::string consumer = consumerLayer(out);
        for (const auto &[u, slot] : std::vector<Use>(uses(out)))
            m_graph.mutable_node(u)->set_input(slot, in);
        m_replaced.insert(g.input(1));
        removed.insert(r);
        for (LayerExport &e : report)
            if (e.name == consumer) {
                e.gather_skipped = true;
                if (const LayerPlan *l = m_plan ? m_plan->find(consumer) : nullptr; l && l->groups > 1)
                    e.form = LayerForm::GatherFree;
            }
        index();
    }

    // A Gather along the channel axis (axis 1 of a 4-D tensor) by a constant 1-D index.
    bool constantGather(const onnx::NodeProto &n) const
    {
        if (n.op_type() != "Gather" || !n.domain().empty() || n.input_size() != 2 || attrInt(n, "axis", 0) != 1)
            return false;
        const auto idx = initializer(n.input(1));
        return idx && idx->dim() == 1 && idx->numel() > 0;
    }

    // Every reader of `v` is a node input of this graph (none inside a subgraph).
    bool readOnlyByNodes(const std::string &v) const
    {
        const auto &u = uses(v);
        return std::none_of(u.begin(), u.end(), [](const Use &x) { return x.second < 0; });
    }

    // The Conv (constant weights) whose output reaches `t` through channel-wise ops
    // alone, each tensor on the way read by the next op only; -1 when there is none. `chain`
    // receives those tensors, the Conv's output first.
    int channelwiseProducer(const std::string &t, std::vector<std::string> &chain) const
    {
        std::string v = t;
        for (int depth = 0; depth < 16; ++depth) {
            chain.insert(chain.begin(), v);
            if (v != t && (uses(v).size() != 1 || m_outputs.count(v) || !readOnlyByNodes(v)))
                return -1;
            const auto p = m_producer.find(v);
            if (p == m_producer.end())
                return -1;
            const onnx::NodeProto &n = m_graph.node(p->second);
            for (int o = 1; o < n.output_size(); ++o)
                if (!n.output(o).empty())
                    return -1;
            if (n.op_type() == "Conv" && n.domain().empty()) {
                const auto w = initializer(n.input(1));
                const bool hasBias = n.input_size() > 2 && !n.input(2).empty();
                if (!w || w->dim() < 3 || (hasBias && !initializer(n.input(2))))
                    return -1;
                return p->second;
            }
            if (!isChannelwise(n) || n.input_size() < 1)
                return -1;
            v = n.input(0);
        }
        return -1;
    }

    // Conv `p` computes the channels `rows` (of its own, in that order); the shapes recorded for the
    // tensors from it to the Gathers are dropped (readers infer them again).
    void setProducerRows(int p, const std::vector<int64_t> &rows, const std::vector<std::string> &chain)
    {
        const onnx::NodeProto &conv = m_graph.node(p);
        const at::Tensor r = indexTensor(rows);
        setInput(p, 1, initializer(conv.input(1))->index_select(0, r).contiguous());
        if (conv.input_size() > 2 && !conv.input(2).empty())
            setInput(p, 2, initializer(conv.input(2))->flatten().index_select(0, r).contiguous());
        const std::set<std::string> names(chain.begin(), chain.end());
        auto *info = m_graph.mutable_value_info();
        for (int i = info->size() - 1; i >= 0; --i)
            if (names.count(info->Get(i).name()))
                info->DeleteSubrange(i, 1);
    }

    // The layer a tensor feeds: the Conv of a planned or unplanned layer reading it; empty if none.
    std::string consumerLayer(const std::string &v) const
    {
        for (const auto &[u, slot] : uses(v))
            if (slot == 0 && m_graph.node(u).op_type() == "Conv")
                if (auto it = m_layerOfName.find(m_graph.node(u).name()); it != m_layerOfName.end())
                    return it->second;
        return {};
    }

    std::string layerOfNode(int ni) const
    {
        const std::string &name = m_graph.node(ni).name();
        const auto it = m_layerOfName.find(name);
        return it != m_layerOfName.end() ? it->second : name;
    }

    onnx::NodeProto gatherNode(const std::string &input, const std::vector<int64_t> &idx, const std::string &output,
                               const std::string &base)
    {
        const std::string indices = fresh(base + "_indices");
        addInitializer(indexTensor(idx), indices);
        onnx::NodeProto g;
        g.set_op_type("Gather");
        g.set_name(fresh(base));
        g.add_input(input);
        g.add_input(indices);
        g.add_output(output);
        auto *a = g.add_attribute();
        a->set_name("axis");
        a->set_type(onnx::AttributeProto::INT);
        a->set_i(1);
        return g;
    }

    // Position of each original input channel in the tensor node `ni` receives.
    std::vector<int64_t> inputPositions(int ni, int64_t cin) const
    {
        const auto it = m_inputOrder.find(ni);
        return channelPositions(it == m_inputOrder.end() ? nullptr : &it->second, cin);
    }

    void rewriteLayer(const LayerPlan &l, LayerExport &e)
    {
        const int ni = l.layer >= 0 && std::size_t(l.layer) < m_data.layer_nodes.size()
                           ? m_data.layer_nodes[std::size_t(l.layer)]
                           : -1;
        if (ni < 0 || ni >= m_graph.node_size() || m_graph.node(ni).op_type() != "Conv")
            throw Error("cannot export '" + l.name + "' as ONNX: it is not a Conv node of the graph");
        onnx::NodeProto &conv = *m_graph.mutable_node(ni);
        if (conv.output_size() != 1)
            throw Error("cannot export '" + l.name + "' as ONNX: the Conv has " + std::to_string(conv.output_size()) +
                        " outputs");
        const at::Tensor w = m_model.impl().weights.at(std::size_t(l.layer)).detach().to(at::kFloat);
        const std::optional<at::Tensor> b = m_model.impl().biases.at(std::size_t(l.layer));
        const bool hasBias = conv.input_size() > 2 && !conv.input(2).empty();
        const int64_t cin = w.size(1);
        const std::vector<int64_t> pos = inputPositions(ni, cin);
        std::vector<int64_t> order(static_cast<std::size_t>(cin));
        for (int64_t c = 0; c < cin; ++c)
            order[std::size_t(pos[std::size_t(c)])] = c;

        if (e.form == LayerForm::MaskedDense) {
            setInput(ni, 1, maskedWeight(l, w).index_select(1, indexTensor(order)));
            e.gather_skipped = true;
            return;
        }
        const GroupedLayer gl = groupedLayer(l, w, hasBias ? b : std::nullopt);
        std::vector<int64_t> gather = toVector(gl.gather);
        for (int64_t &c : gather)
            c = pos[std::size_t(c)];
        const std::string base = conv.name().empty() ? conv.output(0) : conv.name();
        const std::string x = conv.input(0);

        if (e.form == LayerForm::Split) {
            // G dense Convs over their own gathered channels, concatenated; the node becomes the Concat.
            const int64_t m = l.kept_per_group, d = w.size(0) / l.groups;
            std::vector<std::string> parts;
            for (int g = 0; g < l.groups; ++g) {
                const std::vector<int64_t> idx(gather.begin() + g * m, gather.begin() + (g + 1) * m);
                const std::string gx = fresh(base + "_gkp_split" + std::to_string(g) + "_in");
                m_before[std::size_t(ni)].push_back(gatherNode(x, idx, gx, base + "_gkp_split" + std::to_string(g) + "_gather"));
                onnx::NodeProto part = conv;
                part.set_name(fresh(base + "_gkp_split" + std::to_string(g)));
                part.set_input(0, gx);
                const std::string wn = fresh(base + "_gkp_split" + std::to_string(g) + "_weight");
                addInitializer(gl.weight.narrow(0, g * d, d).contiguous(), wn);
                part.set_input(1, wn);
                if (hasBias) {
                    const std::string bn = fresh(base + "_gkp_split" + std::to_string(g) + "_bias");
                    addInitializer(gl.bias->narrow(0, g * d, d).contiguous(), bn);
                    part.set_input(2, bn);
                }
                setAttrInt(part, "group", 1);
                part.set_output(0, fresh(base + "_gkp_split" + std::to_string(g) + "_out"));
                parts.push_back(part.output(0));
                m_before[std::size_t(ni)].push_back(part);
            }
            for (int k = 1; k < conv.input_size(); ++k)
                m_replaced.insert(conv.input(k));
            const std::string out = conv.output(0), name = conv.name();
            conv.Clear();
            conv.set_op_type("Concat");
            conv.set_name(name);
            for (const std::string &p : parts)
                conv.add_input(p);
            conv.add_output(out);
            setAttrInt(conv, "axis", 1);
            index(); // the node's inputs changed: refresh the uses (m_before/m_after stay per node index)
        } else {
            setInput(ni, 1, gl.weight);
            if (hasBias)
                setInput(ni, 2, *gl.bias);
            setAttrInt(conv, "group", l.groups);
            if (isIdentity(gather, cin)) {
                e.gather_skipped = true;
            } else {
                const std::string gx = fresh(base + "_gkp_gathered");
                m_before[std::size_t(ni)].push_back(gatherNode(x, gather, gx, base + "_gkp_gather"));
                conv.set_input(0, gx);
            }
        }
        e.permutation_folded = restoreOrder(ni, toVector(gl.permutation));
    }

    // The output of node `ni` holds its channels in order `perm` (position r = original channel
    // perm[r]). Push that order through single-reader channel-wise ops and BatchNormalization
    // (permuting its tensors); where every reader left is a dense Conv, fold it into them. Otherwise
    // one Gather restores the original order. True if folded.
    bool restoreOrder(int ni, const std::vector<int64_t> &perm)
    {
        const at::Tensor permT = indexTensor(perm);
        int producer = ni;
        std::string v = m_graph.node(ni).output(0);
        while (!m_outputs.count(v) && uses(v).size() == 1) {
            const auto [u, slot] = uses(v).front();
            const onnx::NodeProto &n = m_graph.node(u);
            if (slot != 0 || n.output_size() < 1)
                break;
            bool extra = false;
            for (int o = 1; o < n.output_size(); ++o)
                extra = extra || !n.output(o).empty();
            if (extra)
                break;
            if (isChannelwise(n) || (n.op_type() == "BatchNormalization" && permuteBatchNorm(u, permT))) {
                v = n.output(0);
                producer = u;
                continue;
            }
            break;
        }
        bool foldable = !m_outputs.count(v) && !uses(v).empty();
        for (const auto &[u, slot] : uses(v)) {
            const onnx::NodeProto &c = m_graph.node(u);
            foldable = foldable && slot == 0 && c.op_type() == "Conv" && c.domain().empty() &&
                       attrInt(c, "group", 1) == 1 && m_layerOfNode.count(u) && !m_inputOrder.count(u) &&
                       std::count_if(uses(v).begin(), uses(v).end(), [u = u](const Use &x) { return x.first == u; }) == 1;
        }
        if (foldable) {
            for (const auto &[u, slot] : std::vector<Use>(uses(v))) {
                m_inputOrder[u] = perm;
                if (!m_planned.count(u)) { // never rewritten: permute its weight's input channels now
                    const int layer = m_layerOfNode.at(u);
                    const at::Tensor w = m_model.impl().weights.at(std::size_t(layer)).detach().to(at::kFloat);
                    setInput(u, 1, w.index_select(1, permT));
                }
            }
            return true;
        }
        std::vector<int64_t> inverse(perm.size());
        for (std::size_t r = 0; r < perm.size(); ++r)
            inverse[std::size_t(perm[r])] = int64_t(r);
        if (isIdentity(inverse, int64_t(inverse.size())))
            return true;
        onnx::NodeProto &p = *m_graph.mutable_node(producer);
        const std::string grouped = fresh(v + "_gkp_grouped_order");
        p.set_output(0, grouped);
        const std::string base = (m_graph.node(ni).name().empty() ? v : m_graph.node(ni).name()) + "_gkp_restore";
        m_after[std::size_t(producer)].push_back(gatherNode(grouped, inverse, v, base));
        return false;
    }

    bool permuteBatchNorm(int u, const at::Tensor &perm)
    {
        const onnx::NodeProto &bn = m_graph.node(u);
        if (bn.input_size() < 5 || !bn.domain().empty())
            return false;
        std::vector<at::Tensor> params;
        for (int k = 1; k <= 4; ++k) {
            auto t = initializer(bn.input(k));
            if (!t || t->dim() != 1 || t->size(0) != perm.numel())
                return false;
            params.push_back(*t);
        }
        for (int k = 1; k <= 4; ++k)
            setInput(u, k, params[std::size_t(k - 1)].index_select(0, perm));
        return true;
    }

    const Model &m_model;
    const OnnxModelData &m_data;
    onnx::ModelProto &m_proto;
    onnx::GraphProto &m_graph;
    std::map<int, int> m_layerOfNode; // node index -> inventory layer
    std::set<int> m_planned;          // node indices of the planned convs
    std::map<std::string, int> m_producer;
    std::map<std::string, std::vector<Use>> m_uses;
    std::map<std::string, int> m_inits;
    std::set<std::string> m_names, m_outputs, m_replaced;
    std::map<int, std::vector<int64_t>> m_inputOrder; // node -> original channel per input position
    std::map<std::string, std::string> m_layerOfName;  // Conv node name -> layer name
    std::set<std::string> m_growFor;                   // layers asked for in the gather-free form
    const Plan *m_plan = nullptr;                      // the plan rewriteLayers wrote
    std::vector<std::vector<onnx::NodeProto>> m_before, m_after;
};

void setMetadata(onnx::ModelProto &proto, const std::string &key, const std::string &value)
{
    for (auto &kv : *proto.mutable_metadata_props())
        if (kv.key() == key) {
            kv.set_value(value);
            return;
        }
    auto *kv = proto.add_metadata_props();
    kv->set_key(key);
    kv->set_value(value);
}

std::string firstLine(std::string s)
{
    if (const auto nl = s.find('\n'); nl != std::string::npos)
        s.resize(nl);
    return s;
}

} // namespace

Shape onnxFileInputShape(const Model &model, int64_t batch)
{
    if (model.format() != ModelFormat::Onnx || !model.impl().onnx)
        throw Error("'" + model.path() + "' is not an ONNX file");
    const OnnxModelData &data = *model.impl().onnx;
    Shape nchw = model.inventory().input_shape;
    if (nchw.empty())
        throw Error("'" + model.path() + "': its input shape is not known; pass --input-shape");
    nchw[0] = batch;
    std::vector<int64_t> declared;
    for (const auto &in : data.proto.graph().input())
        if (in.name() == data.input)
            for (const auto &d : in.type().tensor_type().shape().dim())
                declared.push_back(d.has_dim_value() ? d.dim_value() : 0);
    if (!declared.empty() && declared[0] > 0 && declared[0] != batch)
        throw Error("'" + model.path() + "' takes batch " + std::to_string(declared[0]) +
                    " only (its input is declared with that batch); pass --batch " + std::to_string(declared[0]));
    auto fits = [&](const Shape &s) {
        if (declared.size() != s.size())
            return declared.empty();
        for (std::size_t i = 1; i < s.size(); ++i)
            if (declared[i] > 0 && declared[i] != s[i])
                return false;
        return true;
    };
    if (fits(nchw))
        return nchw;
    if (nchw.size() == 4 && fits(Shape{nchw[0], nchw[2], nchw[3], nchw[1]}))
        return {nchw[0], nchw[2], nchw[3], nchw[1]};
    throw Error("'" + model.path() + "': its declared input does not match the input shape " + formatShape(nchw));
}

ExportResult exportOnnxModel(const Model &model, const Plan &plan, const std::string &path,
                             const ExportOptions &options, const ProgressFn &progress)
{
    if (model.format() != ModelFormat::Onnx || !model.impl().onnx)
        throw Error("cannot write '" + path + "': ONNX files are written for ONNX models only; give a .pt output "
                    "(TorchScript), then torch.onnx.export can convert a deploy export");
    checkWritable(path);
    ExportResult result;
    result.path = path;
    result.mode = options.mode;
    const int total = int(plan.layers.size()) + 2;
    auto report = [&](int done) {
        if (progress && !progress(done, total))
            throw Cancelled();
    };

    const OnnxModelData &data = *model.impl().onnx;
    onnx::ModelProto proto = data.proto; // the model as read: every other node, name and setting stays
    Surgery surgery(model, data, proto);
    try {
        if (plan.isChannelPlan())
            surgery.removeChannels(plan, result.layers);
        else
            surgery.rewriteLayers(plan, options.force_form, options.mode, result.layers, report);
    } catch (const Error &e) {
        throw Error("cannot write '" + path + "': " + e.what());
    }
    if (options.mode == ExportMode::Deploy) {
        surgery.foldBatchNorms();
        if (!plan.isChannelPlan())
            surgery.producersInGatherOrder(result.layers, result.trimmed);
    }
    surgery.tidy();
    std::error_code ec;
    const bool sameFolder = fs::equivalent(fs::absolute(fs::path(path)).parent_path(),
                                           fs::absolute(fs::path(model.path())).parent_path(), ec);
    if (hasExternalData(proto) && !sameFolder)
        surgery.inlineExternalData();
    setMetadata(proto, extra::Plan, planToString(plan));
    setMetadata(proto, extra::Version, std::string("gkp ") + GKP_VERSION);
    setMetadata(proto, extra::InputShape, formatShape(model.inventory().input_shape));
    report(total - 2);

    auto check = [&](const auto &model) {
        try {
            onnx::checker::check_model(model);
        } catch (const std::exception &e) {
            throw Error("cannot write '" + path + "': the pruned model fails the ONNX checker: " + firstLine(e.what()));
        }
    };
    writeVerified(
        model, path, options, result,
        [&](const std::string &tmp) {
            if (!hasExternalData(proto))
                check(proto);
            {
                std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
                if (!out || !proto.SerializeToOstream(&out))
                    throw Error("cannot write '" + path + "': writing the temporary file failed");
                out.close();
                if (!out)
                    throw Error("cannot write '" + path + "': writing the temporary file failed");
            }
            if (hasExternalData(proto))
                check(tmp); // the checker reads the external data beside the file
        },
        [&] { report(total - 1); });
    report(total);
    return result;
}

} // namespace gkp
