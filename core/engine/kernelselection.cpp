// Grouped-kernel selection per filter group: greedy (TMI-GKP), l2, gm, l2gm.

#include "util/error.h"
#include "engine/gram.h"
#include "engine/kernelselection.h"

#include <torch/torch.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <thread>
#include <cmath>
#include <numeric>

namespace gkp {

namespace {

// X[c] = W[members, c].flatten(): one row per grouped kernel, [Cin, d*kh*kw], double.
torch::Tensor groupedKernels(const torch::Tensor &weight, const std::vector<int> &members)
{
    const torch::Tensor idx = torch::tensor(std::vector<int64_t>(members.begin(), members.end()));
    const torch::Tensor Wg = weight.detach().index_select(0, idx).to(torch::kDouble);
    return Wg.transpose(0, 1).reshape({weight.size(1), -1}).contiguous();
}

// sim[i, j] = 1 - ||X[i] - X[j]||, via the Gram matrix; exactly symmetric with a unit diagonal.
std::vector<double> similarity(const torch::Tensor &X)
{
    return distanceSimilarity(X.data_ptr<double>(), int(X.size(0)), int(X.size(1)));
}

std::vector<double> toVector(const torch::Tensor &X)
{
    const double *p = X.data_ptr<double>();
    return std::vector<double>(p, p + X.numel());
}

std::vector<double> rowNorms(const std::vector<double> &X, int n, int D)
{
    std::vector<double> out(n);
    for (int i = 0; i < n; ++i) {
        double s = 0;
        for (int k = 0; k < D; ++k)
            s += X[size_t(i) * D + k] * X[size_t(i) * D + k];
        out[i] = std::sqrt(s);
    }
    return out;
}

std::vector<double> distancesTo(const std::vector<double> &X, int n, int D, const std::vector<double> &y)
{
    std::vector<double> out(n);
    for (int i = 0; i < n; ++i) {
        double s = 0;
        for (int k = 0; k < D; ++k) {
            const double v = X[size_t(i) * D + k] - y[k];
            s += v * v;
        }
        out[i] = std::sqrt(s);
    }
    return out;
}

// The `keep` indices with the largest score (ties: lowest index), sorted.
std::vector<int> topByScore(const std::vector<double> &score, int keep)
{
    std::vector<int> order(score.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return score[a] > score[b]; });
    std::vector<int> kept(order.begin(), order.begin() + keep);
    std::sort(kept.begin(), kept.end());
    return kept;
}

} // namespace

std::vector<double> geometricMedian(const std::vector<double> &X, int n, int D, int iters)
{
    if (n <= 0 || D <= 0 || X.size() != size_t(n) * size_t(D))
        throw Error("geometric median: matrix has the wrong size");
    std::vector<double> y(D, 0.0), next(D);
    for (int i = 0; i < n; ++i)
        for (int k = 0; k < D; ++k)
            y[k] += X[size_t(i) * D + k] / n;
    double scale = 0;
    for (double v : X)
        scale = std::max(scale, std::abs(v));
    const double tiny = 1e-12 * (scale + 1e-300);
    for (int it = 0; it < iters; ++it) {
        const std::vector<double> d = distancesTo(X, n, D, y);
        std::fill(next.begin(), next.end(), 0.0);
        double wsum = 0;
        for (int i = 0; i < n; ++i) {
            if (d[i] <= tiny)
                continue; // Weiszfeld is undefined at a data point; skip the coincident row
            const double w = 1.0 / d[i];
            wsum += w;
            for (int k = 0; k < D; ++k)
                next[k] += w * X[size_t(i) * D + k];
        }
        if (wsum == 0)
            break; // every row coincides with y
        double move = 0;
        for (int k = 0; k < D; ++k) {
            next[k] /= wsum;
            move += (next[k] - y[k]) * (next[k] - y[k]);
        }
        y.swap(next);
        if (std::sqrt(move) <= tiny)
            break;
    }
    return y;
}

std::vector<int> selectKernels(const torch::Tensor &weight, const std::vector<int> &members, int keep,
                               SelectMethod method, const SelectOptions &options)
{
    if (weight.dim() != 4)
        throw Error("select kernels: weight must be [Cout, Cin, kh, kw]");
    const int cin = int(weight.size(1));
    if (keep < 1 || keep > cin)
        throw Error("select kernels: cannot keep " + std::to_string(keep) + " of " + std::to_string(cin) +
                    " channels");
    if (members.empty())
        throw Error("select kernels: empty filter group");
    if (keep == cin) {
        std::vector<int> all(cin);
        std::iota(all.begin(), all.end(), 0);
        return all;
    }
    torch::NoGradGuard noGrad;
    const torch::Tensor X = groupedKernels(weight, members);
    const int D = int(X.size(1));
    switch (method) {
    case SelectMethod::Greedy:
        return greedySelect(similarity(X), cin, keep, options.lambda, options.max_starts).kept;
    case SelectMethod::L2:
        return topByScore(rowNorms(toVector(X), cin, D), keep);
    case SelectMethod::GM: {
        const std::vector<double> x = toVector(X);
        const std::vector<double> dist = distancesTo(x, cin, D, geometricMedian(x, cin, D));
        // Prune the Cin-m rows closest to the median = keep the m farthest (ties: lowest index kept).
        return topByScore(dist, keep);
    }
    case SelectMethod::L2GM: {
        const std::vector<double> x = toVector(X);
        const std::vector<double> norm = rowNorms(x, cin, D);
        const std::vector<double> dist = distancesTo(x, cin, D, geometricMedian(x, cin, D));
        const double maxNorm = *std::max_element(norm.begin(), norm.end());
        const double maxDist = *std::max_element(dist.begin(), dist.end());
        std::vector<double> score(cin);
        for (int c = 0; c < cin; ++c)
            score[c] = (maxNorm > 0 ? norm[c] / maxNorm : 0.0) + (maxDist > 0 ? dist[c] / maxDist : 0.0);
        return topByScore(score, keep);
    }
    }
    throw Error("select kernels: unknown method");
}

std::vector<std::vector<int>> selectKernelsForGroups(const torch::Tensor &weight,
                                                     const std::vector<int> &assignment, int G, int keep,
                                                     SelectMethod method, const SelectOptions &options)
{
    std::vector<std::vector<int>> members(G);
    for (size_t f = 0; f < assignment.size(); ++f) {
        if (assignment[f] < 0 || assignment[f] >= G)
            throw Error("select kernels: group id out of range");
        members[assignment[f]].push_back(int(f));
    }
    std::vector<std::vector<int>> kept(G);
    // Groups are independent and each writes only its own slot, so the result does not depend on
    // scheduling. Plain threads: LibTorch's intra-op pool may be configured to a single thread.
    const int workers = std::max(1, std::min<int>(G, int(std::thread::hardware_concurrency())));
    std::atomic<int> next{0};
    std::vector<std::exception_ptr> errors(G);
    auto work = [&] {
        for (int g = next++; g < G; g = next++) {
            try {
                kept[g] = selectKernels(weight, members[g], keep, method, options);
            } catch (...) {
                errors[g] = std::current_exception();
            }
        }
    };
    std::vector<std::thread> pool;
    for (int t = 1; t < workers; ++t)
        pool.emplace_back(work);
    work();
    for (auto &t : pool)
        t.join();
    for (const auto &e : errors)
        if (e)
            std::rethrow_exception(e);
    return kept;
}

std::string toString(SelectMethod method)
{
    switch (method) {
    case SelectMethod::Greedy:
        return "greedy";
    case SelectMethod::L2:
        return "l2";
    case SelectMethod::GM:
        return "gm";
    case SelectMethod::L2GM:
        return "l2gm";
    }
    return "greedy";
}

std::optional<SelectMethod> selectMethodFromString(const std::string &name)
{
    for (SelectMethod m : {SelectMethod::Greedy, SelectMethod::L2, SelectMethod::GM, SelectMethod::L2GM})
        if (toString(m) == name)
            return m;
    return std::nullopt;
}

} // namespace gkp
