#pragma once

#include <cstdint>
#include <torch/types.h>

namespace gkp {

// How a data-parallel job splits each epoch of a training set, like PyTorch's DistributedSampler
// but without its padding, so no sample is seen twice in an epoch. Every rank draws the same
// permutation of the samples for the epoch (same seed); global batch b is its positions
// [b * ranks * batch, ...) and rank r takes the positions r, r + ranks, r + 2 ranks, ... of it.
// With one rank this is exactly the one-process order. The last global batch may be short: its
// samples are dealt out the same way, so a rank may get one fewer than another, or none when it
// holds fewer samples than there are ranks (that rank then contributes nothing to the step).
class DistributedSampler
{
public:
    DistributedSampler(int64_t samples, int64_t perRankBatch, int rank, int ranks);

    int64_t globalBatch() const { return m_batch * m_ranks; }
    int64_t stepsPerEpoch() const;
    // Samples in global batch `step` (of all ranks).
    int64_t globalCount(int64_t step) const;
    // This rank's offsets inside global batch `step` (int64, possibly empty).
    torch::Tensor localOffsets(int64_t step) const;
    // This rank's sample indices of global batch `step` in the epoch's `order`.
    torch::Tensor localIndices(const torch::Tensor &order, int64_t step) const;

private:
    int64_t m_samples, m_batch;
    int m_rank, m_ranks;
};

// Indices rank, rank + ranks, ... below `samples`: a rank's share of an evaluation set.
torch::Tensor strideShard(int64_t samples, int rank, int ranks);

} // namespace gkp
