#include "dist/gradientbuckets.h"

#include "dist/communicator.h"

#include <torch/torch.h>

namespace gkp {

GradientBuckets::GradientBuckets(std::vector<torch::Tensor> params, int64_t bucketBytes)
    : m_params(std::move(params))
{
    int64_t bytes = 0;
    for (std::size_t k = m_params.size(); k-- > 0;) {
        const int64_t size = m_params[k].numel() * int64_t(m_params[k].element_size());
        if (m_buckets.empty() || bytes + size > bucketBytes ||
            m_params[k].scalar_type() != m_params[m_buckets.back().front()].scalar_type()) {
            m_buckets.emplace_back();
            bytes = 0;
        }
        m_buckets.back().push_back(k);
        bytes += size;
    }
}

void GradientBuckets::allReduceSum(Communicator &communicator)
{
    std::vector<torch::Tensor> flat;
    flat.reserve(m_buckets.size());
    {
        torch::NoGradGuard noGrad;
        for (const auto &bucket : m_buckets) {
            std::vector<torch::Tensor> parts;
            for (std::size_t k : bucket) {
                torch::Tensor &p = m_params[k];
                if (!p.grad().defined())
                    p.mutable_grad() = torch::zeros_like(p);
                parts.push_back(p.grad().reshape({-1}));
            }
            flat.push_back(torch::cat(parts));
        }
    }
    communicator.allReduceSum(flat, "the gradient all-reduce");
    torch::NoGradGuard noGrad;
    for (std::size_t b = 0; b < m_buckets.size(); ++b) {
        int64_t offset = 0;
        for (std::size_t k : m_buckets[b]) {
            torch::Tensor g = m_params[k].mutable_grad();
            g.copy_(flat[b].narrow(0, offset, g.numel()).view_as(g));
            offset += g.numel();
        }
    }
}

} // namespace gkp
