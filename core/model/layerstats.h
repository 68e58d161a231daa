#pragma once

#include <cstdint>
#include <vector>

namespace gkp {

class Model;

// Per-layer numbers the views draw, computed from the model's weights (torch stays inside).
struct KernelNorms
{
    int64_t out_channels = 0, in_channels = 0;
    std::vector<float> values; // Cout x Cin, row-major: the L1 or L2 norm of each kh x kw kernel
};
enum class Norm { L1, L2 };
KernelNorms kernelNorms(const Model &model, int layer, Norm norm);

struct FilterProjection
{
    int64_t filters = 0;
    std::vector<float> xy;     // 2 per filter: coordinates on the first two principal axes
    std::vector<float> norms;  // L2 norm of each filter
    double explained[2] = {0, 0}; // fraction of variance on each axis
};
// PCA of the flattened filters W.reshape(Cout, -1), centred; deterministic (SVD).
FilterProjection filterProjection(const Model &model, int layer);

} // namespace gkp
