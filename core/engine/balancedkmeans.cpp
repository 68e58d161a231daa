// Balanced assignment (exact min-cost) and balanced k-means; declared in clustering.h.

#include "engine/clustering.h"
#include "util/error.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <set>

namespace gkp {

// Successive shortest paths for the transportation problem rows -> G groups of capacity n/G.
// Rows are inserted one at a time; each insertion follows a shortest path in the residual graph,
// which only has G group nodes: moving a member f from group a to group b costs
// cost[f][b] - cost[f][a], so edge a->b is the smallest such value over the members of a.
// Every (a, b) pair keeps its members ordered by that value, so an edge weight is O(1) and a move
// costs O(G log n). Shortest paths: Bellman-Ford on G nodes (edges can be negative; there are no
// negative cycles because the partial assignment stays optimal).
std::vector<int> balancedAssignment(const std::vector<double> &cost, int n, int G)
{
    if (G <= 0 || n < 0 || (G > 0 && n % G != 0))
        throw Error("balanced assignment: " + std::to_string(n) + " rows cannot form " + std::to_string(G) +
                    " equal groups");
    if (cost.size() != size_t(n) * size_t(G))
        throw Error("balanced assignment: cost matrix has the wrong size");
    const int cap = n / G;
    std::vector<int> group(n, -1), count(G, 0);
    using Entry = std::pair<double, int>; // (cost[f][b] - cost[f][a], f)
    std::vector<std::set<Entry>> moves(size_t(G) * G); // moves[a*G+b]
    auto c = [&](int f, int g) { return cost[size_t(f) * G + g]; };
    auto place = [&](int f, int g) {
        group[f] = g;
        ++count[g];
        for (int b = 0; b < G; ++b)
            if (b != g)
                moves[size_t(g) * G + b].emplace(c(f, b) - c(f, g), f);
    };
    auto unplace = [&](int f) {
        const int g = group[f];
        for (int b = 0; b < G; ++b)
            if (b != g)
                moves[size_t(g) * G + b].erase({c(f, b) - c(f, g), f});
        --count[g];
        group[f] = -1;
    };

    std::vector<double> dist(G);
    std::vector<int> pred(G), predRow(G);
    for (int f = 0; f < n; ++f) {
        for (int g = 0; g < G; ++g) {
            dist[g] = c(f, g);
            pred[g] = -1;
        }
        // Relative tolerance: rounding must not fake an improvement (or a negative cycle).
        double scale = 0;
        for (int g = 0; g < G; ++g)
            scale = std::max(scale, std::abs(dist[g]));
        const double eps = 1e-12 * (scale + 1);
        bool changed = true;
        for (int pass = 0; pass < G && changed; ++pass) {
            changed = false;
            for (int a = 0; a < G; ++a) {
                if (count[a] == 0)
                    continue;
                for (int b = 0; b < G; ++b) {
                    if (a == b)
                        continue;
                    const auto &s = moves[size_t(a) * G + b];
                    if (s.empty())
                        continue;
                    const double nd = dist[a] + s.begin()->first;
                    if (nd < dist[b] - eps) {
                        dist[b] = nd;
                        pred[b] = a;
                        predRow[b] = s.begin()->second;
                        changed = true;
                    }
                }
            }
        }
        int target = -1;
        for (int g = 0; g < G; ++g)
            if (count[g] < cap && (target < 0 || dist[g] < dist[target]))
                target = g;
        // Walk the path back: each predecessor's member moves one group forward.
        std::vector<std::pair<int, int>> path; // (row, to group)
        int guard = 0;
        for (int g = target; pred[g] != -1; g = pred[g]) {
            path.emplace_back(predRow[g], g);
            if (++guard > G)
                throw Error("balanced assignment: inconsistent shortest-path tree");
        }
        for (const auto &[row, to] : path) {
            unplace(row);
            place(row, to);
        }
        const int root = path.empty() ? target : pred[path.back().second];
        place(f, path.empty() ? target : root);
    }
    return group;
}

namespace {

// Uniform double in [0, 1) from the raw generator (std distributions differ between libraries).
double uniform01(std::mt19937_64 &rng) { return double(rng() >> 11) * 0x1.0p-53; }

// Squared distances [n, k] from rows of X to rows of C, clamped at 0.
torch::Tensor sqDistances(const torch::Tensor &X, const torch::Tensor &xx, const torch::Tensor &C)
{
    const torch::Tensor cc = (C * C).sum(1);
    return (xx.unsqueeze(1) + cc.unsqueeze(0) - 2 * X.matmul(C.t())).clamp_min(0);
}

struct Lloyd
{
    torch::Tensor centroids;
    double inertia = 0;
};

// tol: Lloyd also stops when the squared centroid shift falls below it (as sklearn's tol).
Lloyd kmeansOnce(const torch::Tensor &X, const torch::Tensor &xx, int G, int maxIter, double tol,
                 std::mt19937_64 &rng)
{
    const int64_t n = X.size(0);
    // k-means++ seeding.
    std::vector<int64_t> seeds{int64_t(rng() % uint64_t(n))};
    torch::Tensor best = sqDistances(X, xx, X.index({seeds[0]}).unsqueeze(0)).squeeze(1).contiguous();
    for (int k = 1; k < G; ++k) {
        const float *d = best.data_ptr<float>();
        double total = 0;
        for (int64_t i = 0; i < n; ++i)
            total += d[i];
        int64_t pick = n - 1;
        if (total > 0) {
            const double u = uniform01(rng) * total;
            double acc = 0;
            for (int64_t i = 0; i < n; ++i) {
                acc += d[i];
                if (u < acc) {
                    pick = i;
                    break;
                }
            }
        } else {
            pick = int64_t(rng() % uint64_t(n)); // all points coincide with the seeds
        }
        seeds.push_back(pick);
        const torch::Tensor dn = sqDistances(X, xx, X.index({pick}).unsqueeze(0)).squeeze(1);
        best = torch::minimum(best, dn).contiguous();
    }
    torch::Tensor C = X.index_select(0, torch::tensor(seeds, torch::kLong)).clone();

    std::vector<int64_t> labels(n, -1);
    double inertia = 0;
    for (int it = 0; it < maxIter; ++it) {
        const torch::Tensor d2 = sqDistances(X, xx, C).contiguous();
        const float *d = d2.data_ptr<float>();
        bool changed = false;
        inertia = 0;
        std::vector<double> bestD(n);
        for (int64_t i = 0; i < n; ++i) {
            int64_t arg = 0;
            for (int g = 1; g < G; ++g)
                if (d[i * G + g] < d[i * G + arg])
                    arg = g;
            bestD[i] = d[i * G + arg];
            inertia += bestD[i];
            if (labels[i] != arg) {
                labels[i] = arg;
                changed = true;
            }
        }
        if (!changed && it > 0)
            break;
        const torch::Tensor lab = torch::tensor(labels, torch::kLong);
        torch::Tensor sums = torch::zeros_like(C).index_add_(0, lab, X);
        const torch::Tensor counts = torch::bincount(lab, {}, G);
        const int64_t *cnt = counts.data_ptr<int64_t>();
        const torch::Tensor previous = C.clone();
        for (int g = 0; g < G; ++g) {
            if (cnt[g] > 0) {
                C[g] = sums[g] / double(cnt[g]);
            } else {
                // Empty cluster: reseed at the point farthest from its centroid (deterministic).
                const int64_t far = std::max_element(bestD.begin(), bestD.end()) - bestD.begin();
                C[g] = X[far];
                bestD[far] = 0;
            }
        }
        if ((C - previous).pow(2).sum().item<double>() <= tol)
            break;
    }
    return {C, inertia};
}

// Balanced inertia and assignment for fixed centroids.
std::pair<double, std::vector<int>> balancedTo(const torch::Tensor &X, const torch::Tensor &xx,
                                               const torch::Tensor &C, int G)
{
    const torch::Tensor d2 = sqDistances(X, xx, C).to(torch::kDouble).contiguous();
    const double *d = d2.data_ptr<double>();
    const int n = int(X.size(0));
    std::vector<double> cost(d, d + size_t(n) * G);
    std::vector<int> a = balancedAssignment(cost, n, G);
    double inertia = 0;
    for (int i = 0; i < n; ++i)
        inertia += cost[size_t(i) * G + a[i]];
    return {inertia, std::move(a)};
}

} // namespace

std::vector<int> balancedKMeans(const torch::Tensor &points, int G, const ClusterOptions &options)
{
    if (points.dim() != 2)
        throw Error("balanced k-means: points must be a matrix");
    const int n = int(points.size(0));
    if (G <= 0 || n % G != 0)
        throw Error("balanced k-means: " + std::to_string(n) + " points cannot form " + std::to_string(G) +
                    " equal groups");
    if (G == 1)
        return std::vector<int>(n, 0);
    if (G == n) {
        std::vector<int> a(n);
        for (int i = 0; i < n; ++i)
            a[i] = i;
        return a;
    }
    torch::NoGradGuard noGrad;
    const torch::Tensor X = points.detach().to(torch::kFloat).contiguous();
    const torch::Tensor xx = (X * X).sum(1);
    // sklearn's convergence tolerance: 1e-4 times the mean per-feature variance.
    const double tol = 1e-4 * X.var(0, false).mean().item<double>();
    std::mt19937_64 rng(options.seed);
    Lloyd best;
    best.inertia = std::numeric_limits<double>::infinity();
    for (int r = 0; r < std::max(1, options.n_init); ++r) {
        Lloyd run = kmeansOnce(X, xx, G, std::max(1, options.max_iter), tol, rng);
        if (run.inertia < best.inertia)
            best = run;
    }
    auto [inertia, assignment] = balancedTo(X, xx, best.centroids, G);
    // Balanced Lloyd: centroids of the balanced groups, exact re-assignment, while it improves.
    const int d = n / G;
    for (int round = 0; round < 20; ++round) {
        const torch::Tensor lab = torch::tensor(std::vector<int64_t>(assignment.begin(), assignment.end()));
        const torch::Tensor C = torch::zeros({G, X.size(1)}, X.options()).index_add_(0, lab, X) / double(d);
        auto [nextInertia, next] = balancedTo(X, xx, C, G);
        if (!(nextInertia < inertia * (1 - 1e-9)))
            break;
        inertia = nextInertia;
        assignment = std::move(next);
    }
    return assignment;
}

} // namespace gkp
