#pragma once

// Grouped-kernel selection for Grouped Kernel Pruning (docs: gkp-algorithms.md, "Grouped-kernel
// selection methods"). Pure functions; internal to the engine, not for moc-visible headers.

#include <torch/types.h>

#include <optional>
#include <string>
#include <vector>

namespace gkp {

enum class SelectMethod { Greedy, L2, GM, L2GM };

struct SelectOptions
{
    std::optional<double> lambda; // nullopt = auto: C(m,2) / ((Cin-m) * q)
    // Greedy start channels. 0 = every start when Cin <= kExactStartsLimit, otherwise
    // clamp(kBoundedStartsBudget / Cin, kMinBoundedStarts, kBoundedStarts) evenly spaced starts. N > 0 = min(N, Cin) evenly spaced starts.
    int max_starts = 0;
};
inline constexpr int kExactStartsLimit = 256;
inline constexpr int kBoundedStarts = 64;
// Wide layers get fewer starts: clamp(32768 / Cin, 16, 64) evenly spaced starts, so the work
// grows about linearly with Cin past 512 channels (Cin 512: 64 starts, 1024: 32, 2048: 16).
inline constexpr int kBoundedStartsBudget = 32768;
inline constexpr int kMinBoundedStarts = 16;

// For one filter group (members = filter indices of weight [Cout, Cin, kh, kw]) choose `keep`
// input channels. Returns them sorted.
std::vector<int> selectKernels(const torch::Tensor &weight, const std::vector<int> &members, int keep,
                               SelectMethod method, const SelectOptions &options);

// selectKernels for every group of an assignment (group ids 0..G-1). Groups run in parallel;
// the result does not depend on scheduling.
std::vector<std::vector<int>> selectKernelsForGroups(const torch::Tensor &weight,
                                                     const std::vector<int> &assignment, int G, int keep,
                                                     SelectMethod method, const SelectOptions &options);

// The TMI-GKP greedy on a similarity matrix sim (n x n, row-major). Exposed for tests.
struct GreedyResult
{
    std::vector<int> kept; // sorted
    double cost = 0;
    int start = 0;
};
GreedyResult greedySelect(const std::vector<double> &sim, int n, int keep, std::optional<double> lambda,
                          int maxStarts);
// cost(K) = sum_{i<j in K} sim[i,j] - lambda * sum_{p not in K} (sum of the q largest sim[k,p], k in K)
double greedyCost(const std::vector<double> &sim, int n, const std::vector<int> &kept, double lambda, int q);
// The auto lambda of the spec (0 when the pruned-kernel term is dropped).
double autoLambda(int n, int keep);
// The start channels greedySelect tries for maxStarts (see SelectOptions::max_starts).
std::vector<int> greedyStarts(int n, int maxStarts);

// Geometric median (Weiszfeld) of the rows of X [n, D], row-major.
std::vector<double> geometricMedian(const std::vector<double> &X, int n, int D, int iters = 100);

std::string toString(SelectMethod method);
std::optional<SelectMethod> selectMethodFromString(const std::string &name);

} // namespace gkp
