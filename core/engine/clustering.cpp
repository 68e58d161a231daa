// Filter clustering methods (kmeans, kpca, spectral, smooth) and their names.

#include "engine/clustering.h"
#include "util/error.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace gkp {

namespace {

torch::Tensor flattenFilters(const torch::Tensor &weight)
{
    return weight.detach().reshape({weight.size(0), -1}).to(torch::kDouble).contiguous();
}

// Kernel-PCA embedding with K = 0.5 (F F^T)^2 + 0.5 RBF(F), gamma = 1/(Cin kh kw). Keeps every
// component with a non-negligible positive eigenvalue (sklearn's default with n_components=None).
torch::Tensor kpcaEmbedding(const torch::Tensor &weight)
{
    const torch::Tensor F = flattenFilters(weight);
    const int64_t n = F.size(0);
    const double gamma = 1.0 / double(F.size(1));
    const torch::Tensor gram = F.matmul(F.t());
    const torch::Tensor sq = gram.diagonal();
    const torch::Tensor d2 = (sq.unsqueeze(1) + sq.unsqueeze(0) - 2 * gram).clamp_min(0);
    torch::Tensor K = 0.5 * gram.pow(2) + 0.5 * torch::exp(-gamma * d2);
    // Centre in feature space.
    const torch::Tensor rowMean = K.mean(1, true);
    K = K - rowMean - rowMean.t() + K.mean();
    K = 0.5 * (K + K.t());
    auto [evals, evecs] = torch::linalg_eigh(K, "L"); // ascending
    const double top = evals[n - 1].item<double>();
    std::vector<int64_t> keep;
    for (int64_t i = n - 1; i >= 0; --i)
        if (evals[i].item<double>() > std::max(top, 0.0) * 1e-10)
            keep.push_back(i);
    if (keep.empty())
        return torch::zeros({n, 1}, torch::kFloat); // all filters identical in feature space
    const torch::Tensor idx = torch::tensor(keep, torch::kLong);
    return (evecs.index_select(1, idx) * evals.index_select(0, idx).sqrt().unsqueeze(0)).to(torch::kFloat);
}

// Spectral embedding: cosine-distance mutual kNN graph (k = 16, capped at Cout-1), random-walk
// Laplacian, eigenvectors of the max(G, Cout/8) smallest eigenvalues.
torch::Tensor spectralEmbedding(const torch::Tensor &weight, int G)
{
    torch::Tensor F = flattenFilters(weight);
    const int64_t n = F.size(0);
    F = F / F.norm(2, 1, true).clamp_min(1e-12);
    const torch::Tensor dist = (1 - F.matmul(F.t())).contiguous();
    const double *d = dist.data_ptr<double>();
    const int k = int(std::min<int64_t>(16, n - 1));
    std::vector<char> knn(size_t(n) * n, 0);
    std::vector<int> order(n);
    for (int64_t i = 0; i < n; ++i) {
        std::iota(order.begin(), order.end(), 0);
        // Self first, then nearest; ties by index so the graph is deterministic.
        std::partial_sort(order.begin(), order.begin() + std::min<int64_t>(n, k + 1), order.end(),
                          [&](int a, int b) {
                              const double da = a == i ? -1e300 : d[i * n + a];
                              const double db = b == i ? -1e300 : d[i * n + b];
                              return da < db || (da == db && a < b);
                          });
        for (int j = 1; j <= k; ++j)
            knn[size_t(i) * n + order[j]] = 1;
    }
    // (ours) A self-loop on every node keeps the degree positive when a filter has no mutual
    // neighbour, so the random-walk Laplacian stays defined.
    torch::Tensor A = torch::eye(n, torch::kDouble);
    double *a = A.data_ptr<double>();
    for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 0; j < n; ++j)
            if (i != j && knn[size_t(i) * n + j] && knn[size_t(j) * n + i])
                a[i * n + j] = 1;
    // L_rw u = lambda u  <=>  L_sym v = lambda v with u = D^{-1/2} v.
    const torch::Tensor dinv = A.sum(1).rsqrt();
    const torch::Tensor Lsym = torch::eye(n, torch::kDouble) - dinv.unsqueeze(1) * A * dinv.unsqueeze(0);
    auto [evals, evecs] = torch::linalg_eigh(0.5 * (Lsym + Lsym.t()), "L");
    const int64_t nev = std::min<int64_t>(n, std::max<int64_t>(G, n / 8));
    return (evecs.narrow(1, 0, nev) * dinv.unsqueeze(1)).to(torch::kFloat);
}

// Smoothness S(f) = sum over kernel cells of |w^2 - neighbour^2| over the 3x3 neighbourhood,
// summed over input channels; filters sorted by S (ties by index), labels dealt in snake order.
std::vector<int> smoothGroups(const torch::Tensor &weight, int G)
{
    const torch::Tensor W = weight.detach().to(torch::kDouble).contiguous();
    const int64_t cout = W.size(0), cin = W.size(1), kh = W.size(2), kw = W.size(3);
    const double *w = W.data_ptr<double>();
    std::vector<double> S(cout, 0.0);
    for (int64_t o = 0; o < cout; ++o) {
        double s = 0;
        for (int64_t c = 0; c < cin; ++c) {
            const double *k = w + (o * cin + c) * kh * kw;
            for (int64_t y = 0; y < kh; ++y)
                for (int64_t x = 0; x < kw; ++x)
                    for (int64_t dy = -1; dy <= 1; ++dy)
                        for (int64_t dx = -1; dx <= 1; ++dx) {
                            const int64_t ny = y + dy, nx = x + dx;
                            if ((dy == 0 && dx == 0) || ny < 0 || nx < 0 || ny >= kh || nx >= kw)
                                continue;
                            const double a = k[y * kw + x], b = k[ny * kw + nx];
                            s += std::abs(a * a - b * b);
                        }
        }
        S[o] = s;
    }
    std::vector<int> order(cout);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return S[a] < S[b]; });
    std::vector<int> assignment(cout);
    for (int64_t i = 0; i < cout; ++i) {
        const int round = int(i / G), pos = int(i % G);
        assignment[order[i]] = round % 2 == 0 ? pos : G - 1 - pos;
    }
    return assignment;
}

} // namespace

std::vector<int> canonicalGroups(const std::vector<int> &assignment)
{
    std::vector<int> map, out(assignment.size());
    for (size_t i = 0; i < assignment.size(); ++i) {
        const int g = assignment[i];
        if (g >= int(map.size()))
            map.resize(g + 1, -1);
        if (map[g] < 0)
            map[g] = int(std::count_if(map.begin(), map.end(), [](int v) { return v >= 0; }));
        out[i] = map[g];
    }
    return out;
}

std::vector<int> clusterFilters(const torch::Tensor &weight, int G, ClusterMethod method,
                                const ClusterOptions &options)
{
    if (weight.dim() != 4)
        throw Error("cluster filters: weight must be [Cout, Cin, kh, kw]");
    const int64_t cout = weight.size(0);
    if (G <= 0 || cout % G != 0)
        throw Error("cluster filters: " + std::to_string(cout) + " filters cannot form " + std::to_string(G) +
                    " equal groups");
    torch::NoGradGuard noGrad;
    std::vector<int> a;
    switch (method) {
    case ClusterMethod::KMeans:
        a = balancedKMeans(flattenFilters(weight).to(torch::kFloat), G, options);
        break;
    case ClusterMethod::KPca:
        a = balancedKMeans(kpcaEmbedding(weight), G, options);
        break;
    case ClusterMethod::Spectral:
        a = balancedKMeans(spectralEmbedding(weight, G), G, options);
        break;
    case ClusterMethod::Smooth:
        a = smoothGroups(weight, G);
        break;
    }
    return canonicalGroups(a);
}

std::string toString(ClusterMethod method)
{
    switch (method) {
    case ClusterMethod::KMeans:
        return "kmeans";
    case ClusterMethod::KPca:
        return "kpca";
    case ClusterMethod::Spectral:
        return "spectral";
    case ClusterMethod::Smooth:
        return "smooth";
    }
    return "kmeans";
}

std::optional<ClusterMethod> clusterMethodFromString(const std::string &name)
{
    for (ClusterMethod m : {ClusterMethod::KMeans, ClusterMethod::KPca, ClusterMethod::Spectral,
                            ClusterMethod::Smooth})
        if (toString(m) == name)
            return m;
    return std::nullopt;
}

} // namespace gkp
