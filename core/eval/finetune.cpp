#include "eval/finetune.h"

#include "dist/communicator.h"
#include "dist/gradientbuckets.h"
#include "dist/modelstate.h"
#include "dist/sampler.h"
#include "dist/syncbatchnorm.h"
#include "util/atomicfile.h"
#include "eval/evaluate.h"
#include "engine/planjson.h"
#include "export/exporter.h"
#include "export/exportrewrite.h"
#include "model/model.h"
#include "model/torchmodel.h"
#include "onnx/onnxnames.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>
#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
#include <filesystem>

namespace gkp {

namespace {

torch::Tensor forwardLogits(torch::jit::Module &module, const torch::Tensor &images, const Dataset &data)
{
    torch::IValue out;
    try {
        out = module.forward({images});
    } catch (const std::exception &e) {
        if (std::optional<std::string> failure = takeSyncBatchNormFailure())
            throw Error(*failure);
        throw Error("the model expects a different input: dataset images are " + data.imageShape() +
                    ", and forward() fails with: " + briefError(e));
    }
    torch::Tensor logits = logitsOf(out);
    if (logits.dim() != 2 || logits.size(0) != images.size(0) || logits.size(1) < data.classes)
        throw Error("the model output is not [batch, classes >= " + std::to_string(data.classes) + "]");
    return logits;
}

struct PrunedLayer
{
    std::string name;
    int64_t kept_per_group = 0;
};

std::vector<PrunedLayer> prunedLayers(const std::string &planJson)
{
    const nlohmann::json doc = nlohmann::json::parse(planJson, nullptr, false);
    std::vector<PrunedLayer> out;
    if (doc.is_discarded() || !doc.contains("layers") || !doc["layers"].is_array())
        throw Error("the model's embedded plan is not valid JSON with a layers array");
    for (const auto &l : doc["layers"]) {
        if (!l.contains("name") || !l["name"].is_string() || !l.contains("kept_per_group") ||
            !l["kept_per_group"].is_number_integer())
            throw Error("the model's embedded plan has a layer without name or kept_per_group");
        out.push_back({l["name"].get<std::string>(), l["kept_per_group"].get<int64_t>()});
    }
    return out;
}

// A masked-dense layer: its live weight and which kernels must stay zero (1 = kept).
struct MaskedDense
{
    torch::Tensor weight;
    torch::Tensor mask; // [Cout, Cin, 1, 1]
};

std::map<std::string, torch::Tensor> parametersByName(const torch::jit::Module &module)
{
    std::map<std::string, torch::Tensor> params;
    for (const auto &p : module.named_parameters(true))
        params[p.name] = p.value;
    return params;
}

// Augmentation as resources/demo/train_demo.py: 2-pixel padding with the darkest value of each
// channel, a random crop back to size, a horizontal flip with probability 1/2. The draws are made
// for a whole (global) batch, so every rank of a data-parallel run draws the same numbers and
// takes its own samples' ones.
constexpr int64_t AugmentPad = 2;

struct AugmentDraws
{
    torch::Tensor dy, dx, flip; // int64 [n]
};

AugmentDraws drawAugmentation(int64_t n, torch::Generator &gen)
{
    AugmentDraws d;
    d.dy = torch::randint(0, 2 * AugmentPad + 1, {n}, gen, torch::kLong);
    d.dx = torch::randint(0, 2 * AugmentPad + 1, {n}, gen, torch::kLong);
    d.flip = torch::randint(0, 2, {n}, gen, torch::kLong);
    return d;
}

torch::Tensor augment(const torch::Tensor &images, const torch::Tensor &padValue, const AugmentDraws &d)
{
    const int64_t n = images.size(0), h = images.size(2), w = images.size(3), pad = AugmentPad;
    torch::Tensor padded = padValue.view({1, -1, 1, 1}).expand({n, images.size(1), h + 2 * pad, w + 2 * pad}).clone();
    padded.narrow(2, pad, h).narrow(3, pad, w).copy_(images);
    torch::Tensor out = torch::empty_like(images);
    auto dyA = d.dy.accessor<int64_t, 1>(), dxA = d.dx.accessor<int64_t, 1>();
    auto fA = d.flip.accessor<int64_t, 1>();
    for (int64_t i = 0; i < n; ++i) {
        torch::Tensor crop = padded[i].narrow(1, dyA[i], h).narrow(2, dxA[i], w);
        out[i].copy_(fA[i] ? crop.flip({2}) : crop);
    }
    return out;
}

// Validation: the whole set in one process; in a data-parallel run every rank evaluates its
// stride shard and the counts are summed, which gives the one-process figures exactly.
Accuracy validate(torch::jit::Module &module, const Dataset &data, Communicator *communicator)
{
    if (!communicator)
        return evaluate(module, data, 256);
    const torch::Tensor shard = strideShard(data.size(), communicator->rank(), communicator->size());
    Accuracy mine;
    if (shard.numel()) {
        Dataset part = data;
        part.images = data.images.index_select(0, shard);
        part.labels = data.labels.index_select(0, shard);
        mine = evaluate(module, part, 256);
    }
    torch::Tensor counts = torch::tensor({mine.top1_correct, mine.top5_correct, mine.samples}, torch::kLong);
    communicator->allReduceSum(counts, "the validation all-reduce");
    Accuracy all;
    all.top1_correct = counts[0].item<int64_t>();
    all.top5_correct = counts[1].item<int64_t>();
    all.samples = counts[2].item<int64_t>();
    all.top1 = all.samples ? double(all.top1_correct) / double(all.samples) : 0.0;
    all.top5 = all.samples ? double(all.top5_correct) / double(all.samples) : 0.0;
    return all;
}

double learningRate(const FinetuneOptions &o, int64_t step, int64_t steps, int epoch)
{
    if (o.schedule == "cosine")
        return 0.5 * o.lr * (1.0 + std::cos(M_PI * double(step) / double(std::max<int64_t>(1, steps))));
    if (o.schedule == "step")
        return o.lr * std::pow(o.step_gamma, double(epoch / std::max(1, o.step_epochs)));
    return o.lr;
}

// Module::clone() copies parameters with autograd on, which leaves them non-leaf (the optimizer
// refuses them): make every parameter a leaf again, keeping its values and requires_grad.
void makeParametersLeaves(torch::jit::Module &module)
{
    for (const auto &item : module.named_modules()) {
        torch::jit::Module sub = item.value;
        for (const auto &p : sub.named_parameters(/*recurse=*/false))
            if (!p.value.is_leaf())
                sub._ivalue()->setAttr(p.name, p.value.detach().requires_grad_(p.value.requires_grad()));
    }
}

// A pruned layer's weight: "<name>.weight", or, for a model translated from ONNX, the weight of
// the submodule its translation named after the layer.
std::map<std::string, torch::Tensor>::const_iterator findWeight(const std::map<std::string, torch::Tensor> &params,
                                                                 const std::string &layer)
{
    auto it = params.find(layer + ".weight");
    return it != params.end() ? it : params.find(moduleNameFor(layer) + ".weight");
}

} // namespace

double meanLoss(torch::jit::Module &module, const Dataset &data, int batch)
{
    module.eval();
    torch::NoGradGuard noGrad;
    double sum = 0.0;
    for (int64_t start = 0; start < data.size(); start += batch) {
        const int64_t count = std::min<int64_t>(batch, data.size() - start);
        const torch::Tensor logits = forwardLogits(module, data.images.narrow(0, start, count), data);
        sum += torch::nn::functional::cross_entropy(logits.narrow(1, 0, data.classes),
                                                    data.labels.narrow(0, start, count),
                                                    torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                   .item<double>();
    }
    return data.size() ? sum / double(data.size()) : 0.0;
}

PrunedCheck checkPrunedKernels(const torch::jit::Module &module, const std::string &planJson)
{
    PrunedCheck check;
    const auto params = parametersByName(module);
    for (const PrunedLayer &l : prunedLayers(planJson)) {
        auto it = findWeight(params, l.name);
        if (it == params.end())
            continue;
        ++check.layers;
        const torch::Tensor &w = it->second;
        if (w.dim() == 4 && w.size(1) == l.kept_per_group) {
            ++check.absent;
        } else {
            ++check.masked;
            // a masked-dense layer keeps kept_per_group nonzero kernels per filter at most
            const torch::Tensor nonzeroKernels = w.detach().abs().flatten(2).sum(2).ne(0).sum(1);
            check.nonzero_pruned += (nonzeroKernels - l.kept_per_group).clamp_min(0).sum().item<int64_t>();
        }
    }
    return check;
}

FinetuneResult finetune(torch::jit::Module &module, const std::string &planJson, const Dataset &train,
                        const Dataset *validation, const FinetuneOptions &o, const FinetuneCallback &callback)
{
    if (o.epochs < 1 || o.batch < 1 || !(o.lr > 0.0))
        throw Error("fine-tuning needs epochs >= 1, batch >= 1 and a positive learning rate");
    if (o.schedule != "cosine" && o.schedule != "step" && o.schedule != "constant")
        throw Error("unknown schedule '" + o.schedule + "': expected cosine, step or constant");
    if (train.size() == 0)
        throw Error("the training dataset is empty");
    makeParametersLeaves(module);
    std::vector<torch::Tensor> params;
    for (const auto &p : module.parameters(true))
        if (p.requires_grad())
            params.push_back(p);
    if (params.empty())
        throw Error("the model has no trainable parameters (a deploy export is frozen): fine-tune a trainable "
                    "export (gkp export --mode trainable)");

    FinetuneResult result;
    Communicator *const comm = o.communicator;
    const int ranks = comm ? comm->size() : 1;
    // Data-parallel: start from rank 0's model, train a view with synchronised BatchNorm.
    torch::jit::Module trainModule = module;
    std::optional<GradientBuckets> buckets;
    if (comm) {
        comm->checkSame({{"training images", train.size()},
                         {"validation images", validation ? validation->size() : -1},
                         {"the per-rank batch", o.batch},
                         {"epochs", o.epochs},
                         {"the seed", int64_t(o.seed)},
                         {"trainable parameters", int64_t(params.size())}});
        broadcastState(module, *comm);
        trainModule = withSyncBatchNorm(module, &result.sync_batchnorm);
        buckets.emplace(params, o.bucket_bytes);
        result.ranks = ranks;
        result.gradient_buckets = buckets->buckets();
    }

    // Masked-dense layers: the pruned kernels are the zero ones now; keep them zero.
    std::vector<MaskedDense> masked;
    {
        const auto byName = parametersByName(module);
        for (const PrunedLayer &l : prunedLayers(planJson)) {
            auto it = findWeight(byName, l.name);
            if (it == byName.end() || it->second.dim() != 4 || it->second.size(1) == l.kept_per_group)
                continue;
            const torch::Tensor w = it->second;
            masked.push_back({w, w.detach().abs().flatten(2).sum(2).ne(0).to(w.scalar_type()).view(
                                     {w.size(0), w.size(1), 1, 1})});
        }
    }

    torch::optim::SGD optimizer(
        params, torch::optim::SGDOptions(o.lr).momentum(o.momentum).weight_decay(o.weight_decay));
    torch::Generator gen = at::detail::createCPUGenerator(o.seed);
    const torch::Tensor padValue = train.images.amin({0, 2, 3});
    const int64_t n = train.size();
    const DistributedSampler sampler(n, o.batch, comm ? comm->rank() : 0, ranks);
    const int64_t perEpoch = sampler.stepsPerEpoch();
    const int64_t steps = perEpoch * o.epochs;

    FinetuneProgress p;
    p.epochs = o.epochs;
    p.steps = steps;
    double lossSum = 0.0;
    int64_t lossCount = 0;
    auto report = [&](bool validatePass) {
        if (comm) {
            torch::Tensor sums = torch::tensor({lossSum, double(lossCount)}, torch::kDouble);
            comm->allReduceSum(sums, "the loss all-reduce");
            lossSum = sums[0].item<double>();
            lossCount = int64_t(sums[1].item<double>());
        }
        p.loss = lossCount ? lossSum / double(lossCount) : 0.0;
        p.val_top1.reset();
        if (validatePass && validation) {
            p.val_top1 = validate(module, *validation, comm).top1;
            module.train(true);
        }
        lossSum = 0.0;
        lossCount = 0;
        result.history.push_back(p);
        if (callback && !callback(p))
            throw Cancelled();
    };

    module.train(true);
    trainModule.train(true);
    for (int epoch = 0; epoch < o.epochs; ++epoch) {
        p.epoch = epoch;
        const torch::Tensor order = torch::randperm(n, gen, torch::kLong);
        for (int64_t b = 0; b < perEpoch; ++b) {
            const int64_t globalCount = sampler.globalCount(b);
            torch::Tensor offsets = sampler.localOffsets(b);
            const int64_t count = offsets.numel();
            // A rank without samples this step runs a stand-in so it takes part in the
            // collectives; it contributes nothing (zero loss weight, no BatchNorm statistics).
            if (count == 0)
                offsets = torch::zeros({1}, torch::kLong);
            const torch::Tensor idx =
                order.narrow(0, b * sampler.globalBatch(), globalCount).index_select(0, offsets);
            torch::Tensor images = train.images.index_select(0, idx);
            const torch::Tensor labels = train.labels.index_select(0, idx);
            if (o.augment) {
                AugmentDraws d = drawAugmentation(globalCount, gen);
                if (comm)
                    d = {d.dy.index_select(0, offsets), d.dx.index_select(0, offsets),
                         d.flip.index_select(0, offsets)};
                images = augment(images, padValue, d);
            }
            const double lr = learningRate(o, p.step, steps, epoch);
            for (auto &group : optimizer.param_groups())
                static_cast<torch::optim::SGDOptions &>(group.options()).lr(lr);
            optimizer.zero_grad();
            torch::Tensor loss;
            if (!comm) {
                const torch::Tensor logits = forwardLogits(module, images, train);
                loss = torch::nn::functional::cross_entropy(logits.narrow(1, 0, train.classes), labels);
                loss.backward();
            } else {
                SyncBatchNormScope scope(*comm, count > 0);
                const torch::Tensor logits = forwardLogits(trainModule, images, train);
                loss = torch::nn::functional::cross_entropy(logits.narrow(1, 0, train.classes), labels);
                // summed over the ranks, these weighted gradients are the global batch's mean gradient
                (loss * (double(count) / double(globalCount))).backward();
                buckets->allReduceSum(*comm);
            }
            optimizer.step();
            {
                torch::NoGradGuard noGrad;
                for (MaskedDense &m : masked)
                    m.weight.mul_(m.mask);
            }
            if (count > 0) {
                lossSum += loss.item<double>() * double(count);
                lossCount += count;
            }
            ++p.step;
            p.lr = lr;
            const bool endOfEpoch = b + 1 == perEpoch;
            const bool validateNow = endOfEpoch || (o.eval_every > 0 && p.step % o.eval_every == 0);
            if (validateNow || p.step % std::max(1, o.report_every) == 0)
                report(validateNow);
        }
    }
    module.eval();
    if (validation)
        result.validation = validate(module, *validation, comm);
    result.pruned = checkPrunedKernels(module, planJson);
    if (comm) {
        torch::Tensor nonzero = torch::full({1}, result.pruned.nonzero_pruned, torch::kLong);
        comm->allReduceMax(nonzero, "the pruned-kernel check");
        result.pruned.nonzero_pruned = nonzero.item<int64_t>();
        result.rank_divergence = stateDivergence(module, *comm);
    }
    return result;
}

FinetuneResult finetuneFile(const std::string &exported, const Dataset &train, const Dataset *validation,
                            const FinetuneOptions &options, const std::string &output, const std::string &deployOutput,
                            const FinetuneCallback &callback)
{
    Communicator *const comm = options.communicator;
    const bool writer = !comm || comm->isMain(); // rank 0 writes; the others may not even see the path
    if (writer) {
        checkWritable(output);
        if (!deployOutput.empty())
            checkWritable(deployOutput);
    }
    LoadOptions load;
    load.analyse = false;
    const Model model = Model::load(exported, load);
    const auto &extraFiles = model.extraFiles();
    auto plan = extraFiles.find(extra::Plan);
    if (plan == extraFiles.end())
        throw Error("'" + exported + "' carries no GKP plan: fine-tune a trainable export (gkp export --mode trainable)");
    torch::jit::Module module = model.impl().module.clone();
    FinetuneResult result = finetune(module, plan->second, train, validation, options, callback);
    if (result.pruned.nonzero_pruned != 0)
        throw Error("internal: " + std::to_string(result.pruned.nonzero_pruned) +
                    " pruned weights became nonzero during fine-tuning; nothing written");
    // The ranks apply the same summed gradients, so they hold the same model up to rounding.
    if (comm && result.rank_divergence > 1e-4)
        throw Error("internal: the ranks' models differ by up to " + std::to_string(result.rank_divergence) +
                    " after fine-tuning; nothing written");
    if (!writer) {
        comm->barrier("the final barrier before rank 0 writes");
        return result;
    }

    torch::jit::ExtraFilesMap files;
    for (const auto &[key, value] : extraFiles)
        files[key] = value;
    files[extra::Version] = std::string("gkp ") + GKP_VERSION;

    // A masked-dense trainable (exported so because it trains faster) has the original's
    // architecture with the pruned kernels at zero: its deploy output is exported from it like
    // any model, in the fast deploy forms, verified against it, before the trainable is committed.
    const bool reexport = !deployOutput.empty() && result.pruned.layers > 0 && result.pruned.masked == result.pruned.layers;
    torch::jit::Module deploy;
    if (!deployOutput.empty() && !reexport) {
        deploy = freezeForDeploy(module);
        // the deploy form must compute what the trained module computes
        torch::NoGradGuard noGrad;
        const torch::Tensor x = train.images.narrow(0, 0, std::min<int64_t>(16, train.size()));
        const torch::Tensor a = forwardLogits(module, x, train), b = forwardLogits(deploy, x, train);
        const double rel = (a - b).abs().max().item<double>() / std::max(a.abs().max().item<double>(), 1e-12);
        if (rel > 1e-4)
            throw Error("the deploy form differs from the fine-tuned model (relative error " + std::to_string(rel) +
                        "); nothing written");
    }
    // Every rank finished with the same model: only now may rank 0 write.
    if (comm)
        comm->barrier("the final barrier before rank 0 writes");
    const std::string tmp = temporaryPathFor(output);
    const std::string tmpDeploy = deployOutput.empty() || reexport ? std::string() : temporaryPathFor(deployOutput);
    try {
        module.save(tmp, files);
        if (!tmpDeploy.empty())
            deploy.save(tmpDeploy, files);
        if (reexport) { // from the trained file, before it is committed: both or nothing
            LoadOptions lo;
            lo.input_shape = model.inventory().input_shape;
            lo.written_as = "the fine-tuned model " + output;
            const Model trained = Model::load(tmp, lo);
            const Plan p = planFromString(plan->second, trained);
            ExportOptions eo;
            eo.mode = ExportMode::Deploy;
            // forms timed in the plan's runtime (and batch), as gkp export does; a kept block pattern
            // is saved without latency awareness but keeps its runtime
            eo.runtime = runtimeFromString(p.settings.latency_runtime).value_or(Runtime::Frozen);
            result.deploy_export = exportModel(trained, p, deployOutput, eo);
        }
        commitTemporary(tmp, output);
        if (!tmpDeploy.empty())
            commitTemporary(tmpDeploy, deployOutput);
    } catch (const c10::Error &e) {
        removeTemporary(tmp);
        if (!tmpDeploy.empty())
            removeTemporary(tmpDeploy);
        throw Error("cannot write '" + output + "': " + briefError(e));
    } catch (...) {
        removeTemporary(tmp);
        if (!tmpDeploy.empty())
            removeTemporary(tmpDeploy);
        throw;
    }
    return result;
}

} // namespace gkp
