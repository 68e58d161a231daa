#pragma once

// Internal (LibTorch): summing gradients over the ranks of a data-parallel job.

#include <cstdint>
#include <torch/types.h>
#include <vector>

namespace gkp {

class Communicator;

// The parameters' gradients grouped into buckets of at most `bucketBytes` (in reverse parameter
// order, as DDP's buckets approximate the order backward produces them; a parameter larger
// than a bucket gets one of its own). allReduceSum() flattens each bucket into one tensor,
// launches every bucket's all-reduce, then copies the sums back into the gradients. An
// undefined gradient counts as zeros and becomes zeros.
class GradientBuckets
{
public:
    GradientBuckets(std::vector<torch::Tensor> params, int64_t bucketBytes);

    std::size_t buckets() const { return m_buckets.size(); }
    void allReduceSum(Communicator &communicator);

private:
    std::vector<torch::Tensor> m_params;
    std::vector<std::vector<std::size_t>> m_buckets; // indices into m_params
};

} // namespace gkp
