#include "dist/syncbatchnorm.h"

#include "dist/communicator.h"
#include "util/error.h"

#include <torch/csrc/jit/passes/inliner.h>
#include <torch/library.h>
#include <torch/torch.h>

namespace gkp {

namespace {

// The training thread's collective context (per thread: CPU autograd runs backward on the thread
// that called it, and tests run several ranks as threads of one process).
thread_local Communicator *g_communicator = nullptr;
thread_local bool g_contributes = true;
thread_local std::optional<std::string> g_failure;

// all_gather whose backward sums every rank's gradient of the gathered tensor and keeps this
// rank's slice: every rank's loss depends on every rank's contribution.
struct AllGather : public torch::autograd::Function<AllGather>
{
    static torch::Tensor forward(torch::autograd::AutogradContext *, const torch::Tensor &local)
    {
        return g_communicator->allGather(local, "the BatchNorm statistics all-gather");
    }
    static torch::autograd::tensor_list backward(torch::autograd::AutogradContext *,
                                                 torch::autograd::tensor_list grads)
    {
        torch::Tensor g = grads[0].contiguous().clone();
        g_communicator->allReduceSum(g, "the BatchNorm gradient all-reduce");
        return {g[g_communicator->rank()]};
    }
};

torch::Tensor syncBatchNorm(const torch::Tensor &input, const c10::optional<torch::Tensor> &weight,
                            const c10::optional<torch::Tensor> &bias,
                            const c10::optional<torch::Tensor> &runningMean,
                            const c10::optional<torch::Tensor> &runningVar, bool training, double momentum,
                            double eps, bool cudnnEnabled)
{
    if (!training || !g_communicator)
        return at::batch_norm(input, weight, bias, runningMean, runningVar, training, momentum, eps,
                              cudnnEnabled);
    const int64_t channels = input.size(1);
    std::vector<int64_t> dims{0};
    std::vector<int64_t> shape(std::size_t(input.dim()), 1);
    shape[1] = channels;
    for (int64_t d = 2; d < input.dim(); ++d)
        dims.push_back(d);
    const double count = g_contributes ? double(input.numel() / channels) : 0.0;

    // This rank's per-channel mean and sum of squared deviations (two-pass: no cancellation).
    const torch::Tensor mean = input.mean(dims);
    const torch::Tensor m2 = (input - mean.view(shape)).square().sum(dims);
    torch::Tensor local =
        torch::cat({mean.to(torch::kDouble), m2.to(torch::kDouble), torch::full({1}, count, torch::kDouble)});
    if (!g_contributes)
        local = local * 0.0;
    torch::Tensor all; // [ranks, 2C + 1]
    try {
        all = AllGather::apply(local);
    } catch (const Error &e) {
        g_failure = e.what();
        throw;
    }
    const torch::Tensor counts = all.select(1, 2 * channels).unsqueeze(1);
    const torch::Tensor total = counts.sum();
    const double n = total.item<double>();
    if (n <= 1.0)
        throw std::invalid_argument(
            "BatchNorm in training needs more than one value per channel over the global batch");
    const torch::Tensor means = all.narrow(1, 0, channels);
    const torch::Tensor globalMean = (counts * means).sum(0) / total;
    const torch::Tensor globalM2 =
        all.narrow(1, channels, channels).sum(0) + (counts * (means - globalMean).square()).sum(0);
    const torch::Tensor globalVar = globalM2 / total;

    if (runningMean && runningMean->defined() && runningVar && runningVar->defined()) {
        torch::NoGradGuard noGrad;
        runningMean->mul_(1.0 - momentum).add_(globalMean.detach().to(runningMean->scalar_type()), momentum);
        runningVar->mul_(1.0 - momentum)
            .add_((globalVar.detach() * (n / (n - 1.0))).to(runningVar->scalar_type()), momentum);
    }
    const torch::Tensor scale = (globalVar + eps).rsqrt().to(input.scalar_type());
    torch::Tensor out = (input - globalMean.to(input.scalar_type()).view(shape)) * scale.view(shape);
    if (weight && weight->defined())
        out = out * weight->view(shape);
    if (bias && bias->defined())
        out = out + bias->view(shape);
    return out;
}

} // namespace

// Same schema as aten::batch_norm, so a graph's call can be swapped in place. Composite:
// autograd records the operations above (including AllGather's backward).
TORCH_LIBRARY(gkp_dist, m)
{
    m.def("sync_batch_norm(Tensor input, Tensor? weight, Tensor? bias, Tensor? running_mean, Tensor? "
          "running_var, "
          "bool training, float momentum, float eps, bool cudnn_enabled) -> Tensor",
          &syncBatchNorm);
}

torch::jit::Module withSyncBatchNorm(const torch::jit::Module &module, int *replaced)
{
    // clone(inplace = true): new types and method graphs, the same tensors.
    torch::jit::Module out = module.clone(/*inplace=*/true);
    const std::shared_ptr<torch::jit::Graph> graph = out.get_method("forward").graph();
    torch::jit::Inline(*graph);
    const c10::Symbol batchNorm = c10::Symbol::fromQualString("aten::batch_norm");
    const c10::Symbol sync = c10::Symbol::fromQualString("gkp_dist::sync_batch_norm");
    int count = 0;
    std::vector<torch::jit::Block *> blocks{graph->block()};
    while (!blocks.empty()) {
        torch::jit::Block *block = blocks.back();
        blocks.pop_back();
        for (auto it = block->nodes().begin(); it != block->nodes().end();) {
            torch::jit::Node *node = *it;
            ++it;
            for (torch::jit::Block *sub : node->blocks())
                blocks.push_back(sub);
            if (node->kind() != batchNorm)
                continue;
            torch::jit::Node *replacement = graph->create(sync, node->inputs(), 1);
            replacement->insertBefore(node);
            replacement->output()->setType(node->output()->type());
            node->output()->replaceAllUsesWith(replacement->output());
            node->destroy();
            ++count;
        }
    }
    if (replaced)
        *replaced = count;
    return out;
}

std::optional<std::string> takeSyncBatchNormFailure()
{
    std::optional<std::string> f;
    f.swap(g_failure);
    return f;
}

SyncBatchNormScope::SyncBatchNormScope(Communicator &communicator, bool contributes)
{
    g_communicator = &communicator;
    g_contributes = contributes;
}

SyncBatchNormScope::~SyncBatchNormScope()
{
    g_communicator = nullptr;
    g_contributes = true;
}

} // namespace gkp
