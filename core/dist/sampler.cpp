#include "dist/sampler.h"

#include <algorithm>
#include <torch/torch.h>

namespace gkp {

DistributedSampler::DistributedSampler(int64_t samples, int64_t perRankBatch, int rank, int ranks)
    : m_samples(samples), m_batch(perRankBatch), m_rank(rank), m_ranks(ranks)
{
}

int64_t DistributedSampler::stepsPerEpoch() const
{
    return (m_samples + globalBatch() - 1) / globalBatch();
}

int64_t DistributedSampler::globalCount(int64_t step) const
{
    return std::clamp<int64_t>(m_samples - step * globalBatch(), 0, globalBatch());
}

torch::Tensor DistributedSampler::localOffsets(int64_t step) const
{
    const int64_t count = globalCount(step);
    if (m_rank >= count)
        return torch::empty({0}, torch::kLong);
    return torch::arange(m_rank, count, m_ranks, torch::kLong);
}

torch::Tensor DistributedSampler::localIndices(const torch::Tensor &order, int64_t step) const
{
    return order.narrow(0, step * globalBatch(), globalCount(step)).index_select(0, localOffsets(step));
}

torch::Tensor strideShard(int64_t samples, int rank, int ranks)
{
    if (rank >= samples)
        return torch::empty({0}, torch::kLong);
    return torch::arange(rank, samples, ranks, torch::kLong);
}

} // namespace gkp
