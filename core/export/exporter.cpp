#include "export/exporter.h"

#include "util/atomicfile.h"

#include <ATen/Parallel.h>
#include "export/exportrewrite.h"
#include "model/model.h"
#include "engine/planjson.h"
#include "model/torchmodel.h"
#include "onnx/onnxexport.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <mutex>
#include <set>
#include <sstream>

namespace gkp {

std::string toString(LayerForm form)
{
    switch (form) {
    case LayerForm::Grouped: return "grouped";
    case LayerForm::Split: return "split";
    case LayerForm::MaskedDense: return "masked-dense";
    case LayerForm::GatherFree: return "gather-free";
    case LayerForm::Smaller: return "smaller";
    }
    return "?";
}

std::optional<LayerForm> layerFormFromString(const std::string &name)
{
    for (LayerForm f : {LayerForm::Grouped, LayerForm::Split, LayerForm::MaskedDense, LayerForm::GatherFree})
        if (toString(f) == name)
            return f;
    return std::nullopt;
}

std::string toString(Runtime runtime)
{
    return runtime == Runtime::OneDnn ? "onednn" : "frozen";
}

std::vector<std::string> runtimeNames()
{
    return {toString(Runtime::Frozen), toString(Runtime::OneDnn)};
}

std::optional<Runtime> runtimeFromString(const std::string &name)
{
    for (Runtime r : {Runtime::Frozen, Runtime::OneDnn})
        if (toString(r) == name)
            return r;
    return std::nullopt;
}

namespace {

// Times ways of computing the same result interleaved (one run of each, then the next round), so
// a busy moment on the machine hits all of them alike, and keeps each one's fastest run: other work
// only ever adds time, so the minimum is the figure it disturbs least. `slowerThan` (when given)
// names the forms to run no more: their time so far already rules them out.
std::map<std::string, double> fastestMs(const std::map<std::string, std::function<void()>> &forms, int runs,
                                        const std::function<bool(const std::string &, const std::map<std::string, double> &)>
                                            &slowerThan = {})
{
    for (const auto &form : forms)
        form.second(); // warm-up: allocations, oneDNN primitive creation
    std::map<std::string, double> best;
    std::set<std::string> dropped;
    for (int i = 0; i < std::max(1, runs); ++i) {
        if (i > 0 && slowerThan)
            for (const auto &form : forms)
                if (slowerThan(form.first, best))
                    dropped.insert(form.first);
        for (const auto &[name, run] : forms) {
            if (dropped.count(name))
                continue;
            const auto start = std::chrono::steady_clock::now();
            run();
            const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
            auto it = best.find(name);
            if (it == best.end() || ms < it->second)
                best[name] = ms;
        }
    }
    return best;
}

// One convolution of a form: over the input gathered by `gather` (undefined: the input as it is).
struct FormConv
{
    torch::Tensor gather, weight;
    c10::optional<torch::Tensor> bias;
    int64_t groups = 1;
};

// A conv's weight prepacked for oneDNN (as optimize_for_inference stores it), for timing.
FormConv prepacked(const FormConv &c, const ConvLayer &conv)
{
    FormConv p = c;
    p.weight = at::mkldnn_reorder_conv2d_weight(c.weight.to_mkldnn(), conv.padding, conv.stride, conv.dilation, c.groups);
    return p;
}

// What a layer's form timings depend on: shapes and sizes, never the weights' values or which
// channels are kept. Layers alike (ResNet's repeated blocks, the same layer in the next plan of a
// sweep) are timed once per process.
std::string timingKey(const ConvLayer &conv, const LayerPlan &l, int64_t batch, int runs, const TimingContext &context,
                      const ConvLayer *producer, bool hasBias)
{
    std::ostringstream key;
    auto conv2d = [&](const ConvLayer &c) {
        key << formatShape(c.input_shape) << '/' << c.out_channels << 'x' << c.in_channels << 'x'
            << formatShape(c.kernel) << '/' << formatShape(c.stride) << '/' << formatShape(c.padding) << '/'
            << formatShape(c.dilation) << '|';
    };
    conv2d(conv);
    key << toString(context.runtime) << '|' << batch << '|' << runs << '|' << at::get_num_threads() << '|' << hasBias
        << '|' << l.groups << 'x' << l.kept_per_group << '|' << context.input_trimmed << '|' << context.outputs_read;
    if (producer)
        conv2d(*producer);
    return key.str();
}

std::mutex timingCacheMutex;
std::map<std::string, LayerExport> timingCache;

} // namespace

void timeLayerForms(const Model &model, const LayerPlan &l, int64_t batch, int runs, LayerExport &e,
                    const TimingContext &context)
{
    torch::NoGradGuard noGrad;
    const ConvLayer &conv = model.inventory().layers.at(std::size_t(l.layer));
    e.name = l.name;
    if (batch <= 0 && !conv.input_shape.empty()) // the example's batch: one cache entry with an explicit one
        batch = conv.input_shape[0];
    const bool freeProducer = context.gather_free_producer >= 0 && l.groups > 1;
    const std::string key =
        timingKey(conv, l, batch, runs, context,
                  freeProducer ? &model.inventory().layers.at(std::size_t(context.gather_free_producer)) : nullptr,
                  model.impl().biases.at(std::size_t(l.layer)).has_value());
    {
        std::lock_guard<std::mutex> lock(timingCacheMutex);
        if (auto it = timingCache.find(key); it != timingCache.end()) {
            e.timings_ms = it->second.timings_ms;
            e.dense_ms = it->second.dense_ms;
            return;
        }
    }
    Shape shape = conv.input_shape;
    if (shape.size() == 4 && batch > 0)
        shape[0] = batch;
    const torch::Tensor x = torch::randn(shape);
    const torch::Tensor w = model.impl().weights.at(std::size_t(l.layer)).detach().to(torch::kFloat);
    const std::optional<torch::Tensor> b = model.impl().biases.at(std::size_t(l.layer));
    GroupedLayer gl = groupedLayer(l, w, b);
    const c10::optional<torch::Tensor> bias = b ? c10::optional<torch::Tensor>(*b) : c10::nullopt;
    // Only the output channels a G = 1 next layer reads are computed (the same number from each
    // group of a grouped layer); the filters are in group order, so the first ones of each group.
    const int64_t perGroup = gl.weight.size(0) / l.groups;
    const int64_t readPerGroup =
        context.outputs_read > 0 ? std::min(perGroup, std::max<int64_t>(1, context.outputs_read / l.groups)) : perGroup;
    if (readPerGroup < perGroup) {
        std::vector<int64_t> rows;
        for (int g = 0; g < l.groups; ++g)
            for (int64_t i = 0; i < readPerGroup; ++i)
                rows.push_back(g * perGroup + i);
        const torch::Tensor index = indexTensor(rows);
        gl.weight = gl.weight.index_select(0, index).contiguous();
        if (gl.bias)
            gl.bias = gl.bias->index_select(0, index).contiguous();
    }
    const c10::optional<torch::Tensor> gbias = gl.bias ? c10::optional<torch::Tensor>(*gl.bias) : c10::nullopt;

    // Pruned forms produce filters in group order; count the copy that restores the original
    // order (it is skipped when the order folds into the consumers, so this errs on the safe side),
    // except where a G = 1 next layer reads them (its columns absorb the order).
    const bool permuted = l.groups > 1 && context.outputs_read <= 0;
    // G = 1 with a trimmed neighbour: a plain conv over the kept channels; its input arrives
    // trimmed (no gather).
    const bool trimmedInput = context.input_trimmed && l.groups == 1;
    const torch::Tensor kept = trimmedInput ? x.index_select(1, gl.gather) : torch::Tensor();
    FormConv dense{torch::Tensor(), w, bias, 1};
    FormConv grouped{trimmedInput ? torch::Tensor() : gl.gather, gl.weight, gbias, l.groups};
    std::vector<FormConv> split;
    if (l.groups > 1) {
        const int64_t m = l.kept_per_group, d = readPerGroup;
        for (int g = 0; g < l.groups; ++g)
            split.push_back({gl.gather.narrow(0, g * m, m).contiguous(), gl.weight.narrow(0, g * d, d).contiguous(),
                             gl.bias ? c10::optional<torch::Tensor>(gl.bias->narrow(0, g * d, d).contiguous())
                                     : c10::nullopt,
                             1});
    }
    const torch::Tensor restore = permuted ? gl.inverse : torch::Tensor();
    // Gather-free: the producer computes the G*m gathered channels (rows repeated) instead of its
    // own; its cost difference is part of this form's time.
    const ConvLayer *producer = nullptr;
    torch::Tensor px, pw, pwGather;
    if (context.gather_free_producer >= 0 && l.groups > 1) {
        producer = &model.inventory().layers.at(std::size_t(context.gather_free_producer));
        Shape ps = producer->input_shape;
        if (ps.size() == 4 && batch > 0)
            ps[0] = batch;
        px = torch::randn(ps);
        pw = model.impl().weights.at(std::size_t(context.gather_free_producer)).detach().to(torch::kFloat);
        pwGather = pw.index_select(0, gl.gather).contiguous();
    }

    std::map<std::string, std::function<void()>> forms;
    if (context.runtime == Runtime::OneDnn) {
        // As optimize_for_inference runs the model: activations stay in oneDNN's blocked layout
        // from op to op, weights are prepacked; an index_select (gather, order restore, the
        // concatenation of split convs) converts to NCHW and back.
        auto relayout = [](const torch::Tensor &t, const torch::Tensor &index) {
            return t.to_dense().index_select(1, index).to_mkldnn();
        };
        auto run = [&conv, relayout](const torch::Tensor &in, const FormConv &c) {
            return at::mkldnn_convolution(c.gather.defined() ? relayout(in, c.gather) : in, c.weight, c.bias,
                                          conv.padding, conv.stride, conv.dilation, c.groups);
        };
        auto restored = [restore, relayout](const torch::Tensor &y) { return restore.defined() ? relayout(y, restore) : y; };
        const torch::Tensor xm = x.to_mkldnn(), keptm = trimmedInput ? kept.to_mkldnn() : torch::Tensor();
        const FormConv densep = prepacked(dense, conv), groupedp = prepacked(grouped, conv);
        std::vector<FormConv> splitp;
        for (const FormConv &c : split)
            splitp.push_back(prepacked(c, conv));
        forms["masked-dense"] = [=] { run(xm, densep); };
        forms["grouped"] = [=] { restored(run(trimmedInput ? keptm : xm, groupedp)); };
        if (producer) {
            const ConvLayer &pc = *producer;
            const torch::Tensor pxm = px.to_mkldnn();
            const FormConv own = prepacked({torch::Tensor(), pw, c10::nullopt, 1}, pc),
                           repeated = prepacked({torch::Tensor(), pwGather, c10::nullopt, 1}, pc);
            const FormConv freeConv = prepacked({torch::Tensor(), gl.weight, gbias, l.groups}, conv);
            auto prun = [&pc](const torch::Tensor &in, const FormConv &c) {
                return at::mkldnn_convolution(in, c.weight, c.bias, pc.padding, pc.stride, pc.dilation, 1);
            };
            // the grouped conv reads the repeated producer's output: time both, minus the producer's own
            forms["gather-free"] = [=] { restored(run(prun(pxm, repeated), freeConv)); };
            forms["producer"] = [=] { prun(pxm, own); };
        }
        if (!split.empty())
            forms["split"] = [=] {
                std::vector<torch::Tensor> parts;
                for (const FormConv &c : splitp)
                    parts.push_back(run(xm, c).to_dense());
                torch::Tensor y = torch::cat(parts, 1);
                if (restore.defined())
                    y = y.index_select(1, restore);
                y.to_mkldnn();
            };
    } else {
        auto run = [&conv](const torch::Tensor &in, const FormConv &c) {
            return torch::conv2d(c.gather.defined() ? in.index_select(1, c.gather) : in, c.weight, c.bias, conv.stride,
                                 conv.padding, conv.dilation, c.groups);
        };
        auto restored = [restore](const torch::Tensor &y) { return restore.defined() ? y.index_select(1, restore) : y; };
        forms["masked-dense"] = [&] { run(x, dense); };
        forms["grouped"] = [&] { restored(run(trimmedInput ? kept : x, grouped)); };
        if (producer) {
            auto prun = [producer](const torch::Tensor &in, const torch::Tensor &weight) {
                return torch::conv2d(in, weight, {}, producer->stride, producer->padding, producer->dilation, 1);
            };
            const FormConv freeConv{torch::Tensor(), gl.weight, gbias, l.groups};
            forms["gather-free"] = [&, prun, freeConv] { restored(run(prun(px, pwGather), freeConv)); };
            forms["producer"] = [&, prun] { prun(px, pw); };
        }
        if (!split.empty())
            forms["split"] = [&] {
                std::vector<torch::Tensor> parts;
                for (const FormConv &c : split)
                    parts.push_back(run(x, c));
                restored(torch::cat(parts, 1));
            };
    }
    // A pruned form's own time: the gather-free one's minus the producer's as it runs otherwise.
    auto ownMs = [](const std::string &form, const std::map<std::string, double> &best) {
        double ms = best.at(form);
        if (form == "gather-free")
            if (auto it = best.find("producer"); it != best.end())
                ms -= it->second;
        return ms;
    };
    const double giveUp = context.give_up_ms;
    e.timings_ms = fastestMs(forms, runs, [&](const std::string &form, const std::map<std::string, double> &best) {
        return giveUp > 0 && form != "masked-dense" && form != "producer" && ownMs(form, best) > giveUp;
    });
    if (auto it = e.timings_ms.find("producer"); it != e.timings_ms.end()) {
        // the gather-free form's own share: the producer as it would run otherwise is not its cost
        e.timings_ms.at("gather-free") = std::max(0.0, ownMs("gather-free", e.timings_ms));
        e.timings_ms.erase(it);
    }
    e.dense_ms = e.timings_ms.at("masked-dense");
    std::lock_guard<std::mutex> lock(timingCacheMutex);
    timingCache[key] = e;
}

namespace {

LayerForm fastestForm(const LayerExport &e)
{
    // A pruned form must beat the dense conv it replaces (PrunedFormMargin); else keep it dense.
    LayerForm best = LayerForm::MaskedDense;
    double bestMs = e.dense_ms * PrunedFormMargin;
    for (const auto &[name, ms] : e.timings_ms)
        if (name != "masked-dense" && ms < bestMs) {
            bestMs = ms;
            best = *layerFormFromString(name);
        }
    return best;
}

std::vector<torch::Tensor> outputTensors(const c10::IValue &v)
{
    std::vector<torch::Tensor> out;
    if (v.isTensor()) {
        out.push_back(v.toTensor());
    } else if (v.isTuple()) {
        for (const auto &e : v.toTupleRef().elements())
            for (auto &t : outputTensors(e))
                out.push_back(t);
    } else if (v.isList()) {
        for (const auto &e : v.toListRef())
            for (auto &t : outputTensors(e))
                out.push_back(t);
    } else if (v.isGenericDict()) {
        for (const auto &kv : v.toGenericDict())
            for (auto &t : outputTensors(kv.value()))
                out.push_back(t);
    }
    return out;
}

VerifyResult compareModules(torch::jit::Module &reference, torch::jit::Module &candidate, const Shape &inputShape,
                            int inputs, double tolerance)
{
    torch::NoGradGuard noGrad;
    reference.eval();
    candidate.eval();
    VerifyResult r;
    r.tolerance = tolerance;
    at::Generator gen = at::detail::createCPUGenerator(1234);
    for (int i = 0; i < inputs; ++i) {
        const torch::Tensor x = torch::randn(inputShape, gen);
        const auto a = outputTensors(reference.forward({x}));
        const auto b = outputTensors(candidate.forward({x}));
        if (a.size() != b.size())
            throw Error("verification failed: the models return different numbers of tensors");
        r.outputs.resize(a.size());
        for (std::size_t k = 0; k < a.size(); ++k) {
            if (a[k].sizes() != b[k].sizes())
                throw Error("verification failed: output " + std::to_string(k) + " has shape " +
                            c10::str(b[k].sizes()) + ", expected " + c10::str(a[k].sizes()));
            const torch::Tensor fa = a[k].to(torch::kDouble), fb = b[k].to(torch::kDouble);
            const double absErr = (fa - fb).abs().max().item<double>();
            const double scale = std::max(fa.abs().max().item<double>(), 1e-12);
            r.outputs[k].max_abs = std::max(r.outputs[k].max_abs, absErr);
            r.outputs[k].max_rel = std::max(r.outputs[k].max_rel, absErr / scale);
            r.max_abs = std::max(r.max_abs, absErr);
            r.max_rel = std::max(r.max_rel, absErr / scale);
        }
        ++r.inputs;
    }
    r.passed = r.max_rel <= tolerance;
    return r;
}

} // namespace

VerifyResult verifyExport(const Model &original, const Model &exported, int inputs, double tolerance,
                          Runtime runtime)
{
    auto it = exported.extraFiles().find(extra::Plan);
    if (it == exported.extraFiles().end())
        throw Error("'" + exported.path() + "' carries no GKP plan: it was not exported by gkp");
    const Plan plan = planFromString(it->second, original);
    torch::jit::Module masked = buildMaskedModule(original, plan);
    torch::jit::Module candidate = forRuntime(exported.impl().module, runtime);
    return compareModules(masked, candidate, original.inventory().input_shape, inputs, tolerance);
}

void writeVerified(const Model &model, const std::string &path, const ExportOptions &options, ExportResult &result,
                   const std::function<void(const std::string &tmp)> &write, const std::function<void()> &beforeCommit)
{
    const std::string tmp = temporaryPathFor(path);
    try {
        write(tmp);
        if (options.verify) {
            // Verify what is on disk, loaded back, against the masked model.
            LoadOptions lo;
            lo.input_shape = model.inventory().input_shape;
            lo.written_as = path;
            const Model written = Model::load(tmp, lo);
            result.conv_macs = written.inventory().totals.conv_macs;
            result.verify = verifyExport(model, written, options.verify_inputs, options.tolerance);
            if (written.format() == ModelFormat::TorchScript && options.runtime != Runtime::Frozen &&
                options.mode == ExportMode::Deploy && result.verify.passed) {
                result.verify = verifyExport(model, written, options.verify_inputs, options.tolerance, options.runtime);
                if (!result.verify.passed)
                    throw Error("verification failed in the " + toString(options.runtime) +
                                " runtime only (max relative error " + std::to_string(result.verify.max_rel) +
                                "; the file as loaded matches): PyTorch 1.13's torch.jit.optimize_for_inference "
                                "miscomputes hardswish and relu6 on oneDNN tensors whose channel count is not a "
                                "multiple of 16; plan with --channel-multiple 16 or export for the frozen runtime; "
                                "no file written");
            }
            if (!result.verify.passed)
                throw Error("verification failed: max relative error " + std::to_string(result.verify.max_rel) +
                            " > " + std::to_string(options.tolerance) + "; no file written");
            if (options.check_written)
                options.check_written(written);
        }
        if (beforeCommit)
            beforeCommit();
        commitTemporary(tmp, path);
    } catch (const c10::Error &e) {
        removeTemporary(tmp);
        throw Error("cannot write '" + path + "': " + briefError(e));
    } catch (...) {
        removeTemporary(tmp);
        throw;
    }
    std::error_code ec;
    result.file_bytes = int64_t(std::filesystem::file_size(path, ec));
}

int64_t formTimingBatch(const ExportOptions &options, const Plan &plan, const Model &model)
{
    if (options.timing_batch > 0)
        return options.timing_batch;
    if (plan.settings.latency_batch > 0) // also a kept block pattern, saved without latency awareness
        return plan.settings.latency_batch;
    return model.inventory().input_shape.at(0);
}

namespace {

// Median time of a training step (forward, a loss, backward) of each module, interleaved runs
// after one warm-up step each, on one random batch.
std::vector<double> timeTrainingSteps(std::vector<torch::jit::Module> &modules, const torch::Tensor &input, int runs)
{
    std::vector<std::vector<double>> ms(modules.size());
    for (torch::jit::Module &m : modules)
        m.train();
    for (int r = 0; r <= runs; ++r)
        for (std::size_t i = 0; i < modules.size(); ++i) {
            const auto t0 = std::chrono::steady_clock::now();
            const torch::IValue out = modules[i].forward({input});
            torch::Tensor y = out.isTuple() ? out.toTupleRef().elements().at(0).toTensor() : out.toTensor();
            y.to(torch::kFloat).pow(2).mean().backward();
            for (const torch::Tensor &p : modules[i].parameters())
                if (p.grad().defined())
                    p.mutable_grad() = torch::Tensor();
            const double elapsed = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
            if (r > 0) // the first step warms up
                ms[i].push_back(elapsed);
        }
    std::vector<double> medians;
    for (std::vector<double> &v : ms) {
        std::sort(v.begin(), v.end());
        medians.push_back(v[v.size() / 2]);
    }
    return medians;
}

// About 2^20 input values per batch, 8 to 128 images: a training batch for timing, not for memory.
int64_t trainTimingBatch(const Shape &input)
{
    int64_t perImage = 1;
    for (std::size_t i = 1; i < input.size(); ++i)
        perImage *= std::max<int64_t>(1, input[i]);
    return std::clamp<int64_t>((int64_t(1) << 20) / perImage, 8, 128);
}

} // namespace

ExportResult exportModel(const Model &model, const Plan &plan, const std::string &path, const ExportOptions &options,
                         const ProgressFn &progress)
{
    if (isOnnxOutput(path))
        return exportOnnxModel(model, plan, path, options, progress);
    checkWritable(path);
    ExportResult result;
    result.path = path;
    result.mode = options.mode;
    const int total = int(plan.layers.size()) + 2;
    auto report = [&](int done) {
        if (progress && !progress(done, total))
            throw Cancelled();
    };

    std::map<std::string, LayerForm> forms;
    std::map<std::string, LayerExport> timings;
    const int64_t batch = formTimingBatch(options, plan, model);
    // Channel plans have one form: plain smaller convs.
    for (std::size_t i = 0; i < (plan.isChannelPlan() ? 0 : plan.layers.size()); ++i) {
        const LayerPlan &l = plan.layers[i];
        if (options.force_form) {
            forms[l.name] = *options.force_form;
        } else if (options.mode == ExportMode::Deploy && options.choose_fastest) {
            // With G = 1 the gather vanishes when the producer stays a dense conv (it is then
            // trimmed to the kept channels): time the layer as it will run.
            // A grouped layer over such a producer can have it compute the gathered channels.
            // A grouped producer is trimmed too when this G = 1 layer keeps as many of its channels
            // per group, and a G = 1 consumer's kept channels are all this layer must compute.
            TimingContext context;
            const Inventory &inv = model.inventory();
            const int producer = soleProducer(inv, l.layer);
            const LayerPlan *p = producer >= 0 ? plan.find(inv.layers[std::size_t(producer)].name) : nullptr;
            bool producerDense = false; // a dense conv in the file
            if (producer >= 0) {
                const auto f = p ? forms.find(p->name) : forms.end();
                producerDense = !p || p->groups == 1 || (f != forms.end() && f->second == LayerForm::MaskedDense);
            }
            context.input_trimmed = l.groups == 1 && (producerDense || (p && keptBalancedOver(l, *p)));
            if (l.groups > 1 && producerDense)
                context.gather_free_producer = producer;
            const int consumer = soleConsumer(inv, l.layer);
            const LayerPlan *c = consumer >= 0 ? plan.find(inv.layers[std::size_t(consumer)].name) : nullptr;
            if (c && c->groups == 1 && (l.groups == 1 || keptBalancedOver(*c, l)))
                context.outputs_read = c->kept_per_group;
            context.runtime = options.runtime;
            LayerExport e;
            timeLayerForms(model, l, batch, options.timing_runs, e, context);
            forms[l.name] = fastestForm(e);
            timings[l.name] = e;
        }
        report(int(i));
    }

    const bool grouped = std::any_of(plan.layers.begin(), plan.layers.end(), [](const LayerPlan &l) { return l.groups > 1; });
    if (options.mode == ExportMode::Trainable && options.choose_fastest && !options.force_form &&
        !plan.isChannelPlan() && grouped) {
        // Fine-tuning runs forward and backward: grouped convolutions' backward pass is slow on
        // CPUs (the demo at G = 8: about 5x a dense step). Time a step of each form, keep the
        // faster; a masked-dense trainable keeps the original's architecture, so gkp finetune's
        // deploy output is exported with the fast deploy forms after training.
        TrainStepTiming t;
        t.batch = options.train_batch > 0 ? options.train_batch : trainTimingBatch(model.inventory().input_shape);
        std::vector<torch::jit::Module> candidates;
        for (LayerForm f : {LayerForm::Grouped, LayerForm::MaskedDense}) {
            std::map<std::string, LayerForm> all;
            for (const LayerPlan &l : plan.layers)
                all[l.name] = f;
            std::vector<LayerExport> ignored;
            // through a save and load, as gkp finetune gets it: parameters are leaves then
            std::stringstream bytes;
            buildPrunedModule(model, plan, options.mode, all, ignored).save(bytes);
            candidates.push_back(torch::jit::load(bytes));
        }
        Shape shape = model.inventory().input_shape;
        shape.at(0) = t.batch;
        const torch::Tensor x = torch::randn(shape);
        const std::vector<double> ms = timeTrainingSteps(candidates, x, std::max(1, options.train_runs));
        t.grouped_ms = ms.at(0);
        t.masked_dense_ms = ms.at(1);
        t.chosen = t.masked_dense_ms < t.grouped_ms ? LayerForm::MaskedDense : LayerForm::Grouped;
        for (const LayerPlan &l : plan.layers)
            forms[l.name] = t.chosen;
        result.train_step = t;
    }
    torch::jit::Module pruned = buildPrunedModule(model, plan, options.mode, forms, result.layers, &result.trimmed);
    for (LayerExport &e : result.layers)
        if (auto it = timings.find(e.name); it != timings.end()) {
            e.timings_ms = it->second.timings_ms;
            e.dense_ms = it->second.dense_ms;
        }
    report(total - 2);

    writeVerified(
        model, path, options, result,
        [&](const std::string &tmp) {
            torch::jit::ExtraFilesMap extraFiles{{extra::Plan, planToString(plan)},
                                                 {extra::Version, std::string("gkp ") + GKP_VERSION},
                                                 {extra::InputShape, formatShape(model.inventory().input_shape)}};
            pruned.save(tmp, extraFiles);
        },
        [&] { report(total - 1); });
    report(total);
    return result;
}

} // namespace gkp
