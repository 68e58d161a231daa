#include "eval/bnrecalibration.h"

#include "model/torchmodel.h"

#include <cmath>

namespace gkp {

namespace {

struct BatchNormState
{
    torch::jit::Module module;
    torch::Tensor mean, var, tracked; // live buffers (tracked may be undefined)
    torch::Tensor savedMean, savedVar, savedTracked;
    double momentum = 0.0; // the factor of the module's own running-stat update, probed once
    bool updates = false;
    // sums over batches, weighted by batch size, in double
    torch::Tensor sumMean, sumVar, sumMeanSq;
};

torch::Tensor tensorAttr(const torch::jit::Module &m, const char *name)
{
    if (!m.hasattr(name))
        return {};
    const c10::IValue v = m.attr(name);
    return v.isTensor() ? v.toTensor() : torch::Tensor();
}

std::vector<BatchNormState> findBatchNorms(const torch::jit::Module &root)
{
    std::vector<BatchNormState> out;
    for (const auto &item : root.named_modules()) {
        torch::Tensor mean = tensorAttr(item.value, "running_mean");
        torch::Tensor var = tensorAttr(item.value, "running_var");
        if (!mean.defined() || !var.defined() || mean.dim() != 1 || var.sizes() != mean.sizes())
            continue;
        BatchNormState s;
        s.module = item.value;
        s.mean = mean;
        s.var = var;
        s.tracked = tensorAttr(item.value, "num_batches_tracked");
        s.savedMean = mean.clone();
        s.savedVar = var.clone();
        if (s.tracked.defined())
            s.savedTracked = s.tracked.clone();
        out.push_back(std::move(s));
    }
    return out;
}

void reset(std::vector<BatchNormState> &bns, double meanValue)
{
    for (BatchNormState &s : bns) {
        s.mean.fill_(meanValue);
        s.var.fill_(0.0);
        if (s.tracked.defined())
            s.tracked.zero_(); // momentum None: factor 1 / (0 + 1) = 1
    }
}

void restore(std::vector<BatchNormState> &bns)
{
    for (BatchNormState &s : bns) {
        s.mean.copy_(s.savedMean);
        s.var.copy_(s.savedVar);
        if (s.tracked.defined())
            s.tracked.copy_(s.savedTracked);
    }
}

} // namespace

RecalibrationResult recalibrateBatchNorm(torch::jit::Module &module, const Dataset &data, int batch,
                                         const ProgressFn &progress)
{
    if (batch < 2)
        throw Error("BatchNorm recalibration needs batches of at least 2 images, not " + std::to_string(batch));
    const int64_t n = data.size();
    if (n < 2)
        throw Error("BatchNorm recalibration needs at least 2 images; the dataset has " + std::to_string(n));
    torch::NoGradGuard noGrad;
    std::vector<BatchNormState> bns = findBatchNorms(module);
    if (bns.empty())
        throw Error("the model has no BatchNorm statistics to recalibrate (a deploy export has BatchNorm folded "
                    "into its convolutions: recalibrate the masked model or a trainable export)");

    module.eval();
    for (BatchNormState &s : bns)
        s.module.train(true);
    auto forward = [&](const torch::Tensor &images) {
        try {
            module.forward({images});
        } catch (const std::exception &e) {
            throw Error("BatchNorm recalibration: forward() fails on " + data.imageShape() +
                        " images: " + briefError(e));
        }
    };

    RecalibrationResult result;
    try {
        for (int64_t start = 0; start < n; start += batch) {
            int64_t count = std::min<int64_t>(batch, n - start);
            if (n - start - count == 1)
                ++count; // never leave a batch of one image (no variance)
            const torch::Tensor images = data.images.narrow(0, start, count);
            if (start == 0) {
                // Probe each module's update factor: from mean 1 the update gives (1 - f) + f * m,
                // from mean 0 it gives f * m.
                reset(bns, 1.0);
                forward(images);
                std::vector<torch::Tensor> fromOne;
                for (BatchNormState &s : bns)
                    fromOne.push_back(s.mean.clone());
                reset(bns, 0.0);
                forward(images);
                for (std::size_t i = 0; i < bns.size(); ++i) {
                    const double f = 1.0 - (fromOne[i] - bns[i].mean).to(torch::kDouble).mean().item<double>();
                    bns[i].momentum = f;
                    bns[i].updates = f > 1e-6 && f <= 1.0 + 1e-6;
                }
            } else {
                reset(bns, 0.0);
                forward(images);
            }
            bool any = false;
            for (BatchNormState &s : bns) {
                if (!s.updates)
                    continue;
                any = true;
                const torch::Tensor m = s.mean.to(torch::kDouble) / s.momentum;
                const torch::Tensor v = s.var.to(torch::kDouble) / s.momentum;
                const double w = double(count);
                if (!s.sumMean.defined()) {
                    s.sumMean = m * w;
                    s.sumVar = v * w;
                    s.sumMeanSq = m * m * w;
                } else {
                    s.sumMean += m * w;
                    s.sumVar += v * w;
                    s.sumMeanSq += m * m * w;
                }
            }
            if (!any)
                throw Error("BatchNorm statistics do not change in training mode (a model traced in eval mode "
                            "has them fixed): cannot recalibrate");
            result.samples += count;
            start += count - std::min<int64_t>(batch, n - start); // account for a merged last image
            reportProgress(progress, result.samples, n);
        }
    } catch (...) {
        restore(bns);
        module.eval();
        throw;
    }

    const double total = double(result.samples);
    for (BatchNormState &s : bns) {
        if (!s.updates) {
            s.mean.copy_(s.savedMean);
            s.var.copy_(s.savedVar);
            if (s.tracked.defined())
                s.tracked.copy_(s.savedTracked);
            continue;
        }
        const torch::Tensor mean = s.sumMean / total;
        // within-batch variance + variance of the batch means
        const torch::Tensor var = s.sumVar / total + (s.sumMeanSq / total - mean * mean).clamp_min(0.0);
        s.mean.copy_(mean.to(s.mean.scalar_type()));
        s.var.copy_(var.to(s.var.scalar_type()));
        if (s.tracked.defined())
            s.tracked.fill_(int64_t(std::ceil(total / batch)));
        ++result.batch_norms;
    }
    module.eval();
    return result;
}

} // namespace gkp
