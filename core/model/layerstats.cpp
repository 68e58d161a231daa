#include "model/layerstats.h"

#include "model/model.h"
#include "model/torchmodel.h"

namespace gkp {

KernelNorms kernelNorms(const Model &model, int layer, Norm norm)
{
    torch::NoGradGuard noGrad;
    const torch::Tensor w = model.impl().weights.at(std::size_t(layer)).detach().to(torch::kFloat);
    const torch::Tensor k = w.flatten(2);
    const torch::Tensor n = (norm == Norm::L1 ? k.abs().sum(2) : k.pow(2).sum(2).sqrt()).contiguous();
    KernelNorms out;
    out.out_channels = w.size(0);
    out.in_channels = w.size(1);
    out.values.assign(n.data_ptr<float>(), n.data_ptr<float>() + n.numel());
    return out;
}

FilterProjection filterProjection(const Model &model, int layer)
{
    torch::NoGradGuard noGrad;
    const torch::Tensor w = model.impl().weights.at(std::size_t(layer)).detach().to(torch::kDouble);
    const torch::Tensor f = w.reshape({w.size(0), -1});
    const torch::Tensor centred = f - f.mean(0, true);
    FilterProjection out;
    out.filters = w.size(0);
    torch::Tensor xy = torch::zeros({w.size(0), 2}, torch::kDouble);
    // SVD of the centred data: U * S gives the principal coordinates.
    auto [u, s, v] = torch::linalg_svd(centred, /*full_matrices=*/false);
    const int64_t k = std::min<int64_t>(2, s.size(0));
    if (k > 0) {
        xy.narrow(1, 0, k).copy_(u.narrow(1, 0, k) * s.narrow(0, 0, k));
        // Fix the sign of each axis (largest |coordinate| positive) so views do not flip.
        for (int64_t a = 0; a < k; ++a) {
            const torch::Tensor col = xy.select(1, a);
            const int64_t i = col.abs().argmax().item<int64_t>();
            if (col[i].item<double>() < 0)
                col.neg_();
        }
        const double total = s.pow(2).sum().item<double>();
        for (int64_t a = 0; a < k; ++a)
            out.explained[a] = total > 0 ? s[a].item<double>() * s[a].item<double>() / total : 0.0;
    }
    const torch::Tensor xyf = xy.to(torch::kFloat).contiguous();
    out.xy.assign(xyf.data_ptr<float>(), xyf.data_ptr<float>() + xyf.numel());
    const torch::Tensor norms = f.pow(2).sum(1).sqrt().to(torch::kFloat).contiguous();
    out.norms.assign(norms.data_ptr<float>(), norms.data_ptr<float>() + norms.numel());
    return out;
}

} // namespace gkp
