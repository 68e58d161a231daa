#pragma once

// Filter clustering for Grouped Kernel Pruning (docs: gkp-algorithms.md, "Filter clustering
// methods"). Pure functions on LibTorch tensors; internal to the engine, not for moc-visible headers.

#include <torch/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace gkp {

enum class ClusterMethod { KMeans, KPca, Spectral, Smooth };

struct ClusterOptions
{
    int n_init = 10;
    int max_iter = 100;
    uint64_t seed = 0;
};

// Exact minimum-cost balanced assignment. cost is n x G row-major; every group gets exactly n/G
// rows (n must be divisible by G). Returns the group id per row.
std::vector<int> balancedAssignment(const std::vector<double> &cost, int n, int G);

// Balanced k-means on the rows of points [n, D]: k-means++ seeding, Lloyd, n_init restarts keeping
// the lowest inertia, then exact balanced assignment plus balanced-Lloyd refinement while the
// balanced inertia decreases. Deterministic for a seed.
std::vector<int> balancedKMeans(const torch::Tensor &points, int G, const ClusterOptions &options);

// Cluster the filters of weight [Cout, Cin, kh, kw] into G groups of Cout/G filters. Group ids are
// canonical: groups are numbered by their smallest member (group 0 holds filter 0).
std::vector<int> clusterFilters(const torch::Tensor &weight, int G, ClusterMethod method,
                                const ClusterOptions &options);

// Renumber groups by their smallest member so that equal partitions compare equal.
std::vector<int> canonicalGroups(const std::vector<int> &assignment);

// TMI-GKP: choose among kTmiCandidates per layer from training snapshots.
// votes[k] is the winner of snapshot k; candidates[i] is the partition of kTmiCandidates[i].
struct TmiChoice
{
    ClusterMethod method;
    std::vector<ClusterMethod> votes;
    std::vector<std::vector<int>> candidates;
};
inline constexpr ClusterMethod kTmiCandidates[] = {ClusterMethod::KMeans, ClusterMethod::KPca,
                                                   ClusterMethod::Spectral};
TmiChoice chooseByTmi(const torch::Tensor &finalWeight, const std::vector<torch::Tensor> &snapshotWeights,
                      int G, const ClusterOptions &options);

// The TMI criterion on given partitions, exposed so tests can drive it with hand-made candidates:
// per snapshot, the index of the winning candidate.
std::vector<int> tmiSnapshotWinners(const std::vector<std::vector<int>> &candidates,
                                    const torch::Tensor &finalWeight,
                                    const std::vector<torch::Tensor> &snapshotWeights, int G);
// Majority vote over snapshot winners; ties go to the longest run of consecutive wins, then to the
// lower candidate index. Returns 0 for no snapshots.
int tmiMajority(const std::vector<int> &winners, int nCandidates);

std::string toString(ClusterMethod method);
std::optional<ClusterMethod> clusterMethodFromString(const std::string &name);

} // namespace gkp
