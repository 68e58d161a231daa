// The TMI-GKP greedy grouped-kernel selection on a similarity matrix; declared in kernelselection.h.

#include "util/error.h"
#include "engine/kernelselection.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <cmath>
#include <limits>
#include <memory>
#include <set>
#include <unordered_map>

namespace gkp {

namespace {

// Exact sort key of a similarity: ascending key = descending value (total order on the bit pattern,
// the two zeros merged, as a double comparison sees them).
inline uint64_t descendingKey(double v)
{
    if (v == 0)
        v = 0.0; // -0.0 == +0.0
    uint64_t u;
    std::memcpy(&u, &v, sizeof u);
    u = (u & 0x8000000000000000ull) ? ~u : (u | 0x8000000000000000ull); // ascending in v
    return ~u;
}

// The same for the float nearest to v. Rounding to float is monotone, so a < b (as keys) for the
// floats implies a < b for the doubles; equal float keys need the exact key to be ordered.
inline uint32_t descendingKeyF(double v)
{
    float f = float(v);
    if (f == 0)
        f = 0.0f;
    uint32_t u;
    std::memcpy(&u, &f, sizeof u);
    u = (u & 0x80000000u) ? ~u : (u | 0x80000000u);
    return ~u;
}

// Cost of a candidate set of size `keep`. greedyCost and greedySelect both use this class, with
// the same summation order (pairs in index order; each pruned channel's q largest similarities
// in descending order), so equal sets get bitwise equal costs.
class CostTables
{
public:
    // Every column p of sim is presorted (value descending, then index) so the q largest over a
    // set are found by walking the column until q members are met, instead of a selection over
    // `keep` values per pruned channel. Only the first n - keep + q entries can be reached (at
    // most n - keep non-members come before the q-th member), so only those are stored.
    //
    // The order is computed by a stable LSD radix sort on the float-rounded key of each value
    // (inputs in index order, so equal keys stay in index order), then every run of equal float
    // keys is re-sorted by the exact double key: the result is exactly the (value descending,
    // index ascending) order of a comparison sort on the doubles, several times faster.
    CostTables(const std::vector<double> &sim, int n, int keep, int q)
        : m_sim(sim), m_n(n), m_depth(std::min(n, n - keep + std::clamp(q, 0, keep)))
    {
        if (q <= 0 || keep >= n)
            return;
        m_sorted.resize(size_t(n) * m_depth);
        std::vector<uint64_t> a(n), b(n);
        std::vector<std::pair<uint64_t, int>> run;
        for (int p = 0; p < n; ++p) {
            // sim is symmetric: column p is row p, read contiguously (columns of a 2048-wide
            // matrix are 16 KiB apart, a cache miss per element).
            const double *row = sim.data() + size_t(p) * n;
            sortColumn(row, n, a, b);
            // Re-sort runs of equal float keys exactly (rare for real similarities).
            for (int i = 0; i < n;) {
                const uint32_t key = uint32_t(a[i] >> 32);
                int j = i + 1;
                while (j < n && uint32_t(a[j] >> 32) == key)
                    ++j;
                if (j - i > 1 && i < m_depth) {
                    run.clear();
                    for (int k = i; k < j; ++k) {
                        const int idx = int(uint32_t(a[k]));
                        run.emplace_back(descendingKey(row[idx]), idx);
                    }
                    std::sort(run.begin(), run.end());
                    for (int k = i; k < j; ++k)
                        a[k] = (uint64_t(key) << 32) | uint32_t(run[size_t(k - i)].second);
                }
                i = j;
            }
            int32_t *out = m_sorted.data() + size_t(p) * m_depth;
            for (int i = 0; i < m_depth; ++i)
                out[i] = int32_t(uint32_t(a[i]));
        }
    }

    // kept sorted, of the size given to the constructor; inSet[k] != 0 iff k is in kept.
    double cost(const std::vector<int> &kept, const std::vector<char> &inSet, double lambda, int q) const
    {
        const int n = m_n;
        double pair = 0;
        for (size_t a = 0; a < kept.size(); ++a) {
            const double *row = m_sim.data() + size_t(kept[a]) * n;
            for (size_t b = a + 1; b < kept.size(); ++b)
                pair += row[kept[b]];
        }
        const int m = int(kept.size());
        if (q <= 0 || m >= n || lambda == 0)
            return pair;
        const int qq = std::min(q, m);
        double rep = 0;
        for (int p = 0; p < n; ++p) {
            if (inSet[p])
                continue;
            const int32_t *col = m_sorted.data() + size_t(p) * m_depth;
            const double *row = m_sim.data() + size_t(p) * n;
            double top = 0;
            for (int i = 0, found = 0; found < qq; ++i)
                if (inSet[col[i]]) {
                    top += row[col[i]];
                    ++found;
                }
            rep += top;
        }
        return pair - lambda * rep;
    }

private:
    // a = (float key << 32 | index) for every k of the row, ordered by float key, then index.
    static void sortColumn(const double *row, int n, std::vector<uint64_t> &a, std::vector<uint64_t> &b)
    {
        for (int k = 0; k < n; ++k)
            a[size_t(k)] = (uint64_t(descendingKeyF(row[k])) << 32) | uint32_t(k);
        if (n < 64) {
            std::sort(a.begin(), a.begin() + n);
            return;
        }
        uint32_t hist[4][256] = {};
        for (int k = 0; k < n; ++k) {
            const uint32_t key = uint32_t(a[size_t(k)] >> 32);
            ++hist[0][key & 255];
            ++hist[1][(key >> 8) & 255];
            ++hist[2][(key >> 16) & 255];
            ++hist[3][key >> 24];
        }
        for (int pass = 0; pass < 4; ++pass) {
            uint32_t *h = hist[pass];
            if (h[(uint32_t(a[0] >> 32) >> (8 * pass)) & 255] == uint32_t(n))
                continue; // every key has the same byte here: the pass would not move anything
            uint32_t sum = 0;
            for (int v = 0; v < 256; ++v) {
                const uint32_t c = h[v];
                h[v] = sum;
                sum += c;
            }
            const int shift = 32 + 8 * pass;
            for (int k = 0; k < n; ++k) {
                const uint64_t e = a[size_t(k)];
                b[h[(e >> shift) & 255]++] = e;
            }
            a.swap(b);
        }
    }

    const std::vector<double> &m_sim;
    int m_n;
    int m_depth;
    std::vector<int32_t> m_sorted; // per column p: the indices k by (sim[k,p] descending, k ascending)
};

typedef double v4d __attribute__((vector_size(32)));

// sums += row, then the lowest index of the minimum of sums (-1 if none is finite). One fused
// pass, vectorised four lanes wide; each lane keeps its first minimum, so the cross-lane
// reduction can break ties by index exactly as a scalar scan would.
__attribute__((target_clones("arch=x86-64-v3", "default"))) int addRowArgmin(double *sums, const double *row,
                                                                              int n)
{
    constexpr double inf = std::numeric_limits<double>::infinity();
    v4d low = {inf, inf, inf, inf}, idx = {-1, -1, -1, -1}, lane = {0, 1, 2, 3};
    const v4d four = {4, 4, 4, 4};
    int j = 0;
    for (; j + 4 <= n; j += 4) {
        v4d s, r;
        std::memcpy(&s, sums + j, sizeof s);
        std::memcpy(&r, row + j, sizeof r);
        s += r;
        std::memcpy(sums + j, &s, sizeof s);
        const auto better = s < low;
        low = better ? s : low;
        idx = better ? lane : idx;
        lane += four;
    }
    double bestV = inf;
    int best = -1;
    for (int l = 0; l < 4; ++l)
        if (idx[l] >= 0 && (low[l] < bestV || (low[l] == bestV && int(idx[l]) < best))) {
            bestV = low[l];
            best = int(idx[l]);
        }
    for (; j < n; ++j) {
        sums[j] += row[j];
        if (sums[j] < bestV) {
            bestV = sums[j];
            best = j;
        }
    }
    return best;
}

void checkArgs(const std::vector<double> &sim, int n, int keep)
{
    if (n <= 0 || sim.size() != size_t(n) * size_t(n))
        throw Error("greedy selection: similarity matrix has the wrong size");
    if (keep < 1 || keep > n)
        throw Error("greedy selection: cannot keep " + std::to_string(keep) + " of " + std::to_string(n) +
                    " channels");
}

} // namespace

double autoLambda(int n, int keep)
{
    const int q = keep / 5; // floor(0.2 m)
    if (q == 0 || keep >= n)
        return 0.0; // pruned-kernel term dropped, as in the reference code
    return (double(keep) * (keep - 1) / 2.0) / (double(n - keep) * q);
}

std::vector<int> greedyStarts(int n, int maxStarts)
{
    int count = n;
    if (maxStarts > 0)
        count = std::min(maxStarts, n);
    else if (n > kExactStartsLimit)
        count = std::clamp(kBoundedStartsBudget / n, kMinBoundedStarts, kBoundedStarts);
    std::vector<int> starts(count);
    for (int i = 0; i < count; ++i)
        starts[i] = int(int64_t(i) * n / count); // evenly spaced, starts at 0, strictly increasing
    return starts;
}

double greedyCost(const std::vector<double> &sim, int n, const std::vector<int> &kept, double lambda, int q)
{
    if (n <= 0 || sim.size() != size_t(n) * size_t(n))
        throw Error("greedy cost: similarity matrix has the wrong size");
    std::vector<int> sorted = kept;
    std::sort(sorted.begin(), sorted.end());
    if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end() ||
        (!sorted.empty() && (sorted.front() < 0 || sorted.back() >= n)))
        throw Error("greedy cost: kept set must hold distinct channels in range");
    std::vector<char> inSet(n, 0);
    for (int k : sorted)
        inSet[k] = 1;
    return CostTables(sim, n, int(sorted.size()), q).cost(sorted, inSet, lambda, q);
}

GreedyResult greedySelect(const std::vector<double> &sim, int n, int keep, std::optional<double> lambda,
                          int maxStarts)
{
    checkArgs(sim, n, keep);
    const int q = keep / 5;
    const double lam = lambda ? *lambda : autoLambda(n, keep);
    const std::vector<int> starts = greedyStarts(n, maxStarts);
    constexpr double inf = std::numeric_limits<double>::infinity();

    // Zobrist keys: a set's hash is the XOR of its members' keys, so it is order independent.
    std::vector<uint64_t> zobrist(n);
    uint64_t x = 0x9E3779B97F4A7C15ull;
    for (auto &z : zobrist) {
        x ^= x >> 12, x ^= x << 25, x ^= x >> 27;
        z = x * 0x2545F4914F6CDD1Dull;
    }
    // The continuation of a trajectory depends only on its current set, so when a start reaches a
    // set an earlier start already passed through (same size, same members), it ends in the same
    // final set; that set was costed already and ties go to the earlier start. (Summation order of
    // the running sums differs between the two, which can only matter for exact floating ties.)
    std::unordered_map<uint64_t, int> visited; // set hash (per size) -> trajectory index
    std::vector<std::vector<int>> orders;      // insertion order per trajectory
    std::unique_ptr<CostTables> tables;

    GreedyResult best;
    best.cost = inf;
    bool haveBest = false;
    std::set<std::vector<int>> costed;
    std::vector<double> sums(n);
    std::vector<char> mask(n);
    for (int s : starts) {
        const int self = int(orders.size());
        orders.emplace_back();
        std::vector<int> &order = orders.back();
        order.reserve(keep);
        std::fill(mask.begin(), mask.end(), 0);
        // sums[j] = sum over the set of sim[i, j]; selected entries are +inf, so the argmin below
        // never picks them.
        const double *row0 = sim.data() + size_t(s) * n;
        std::copy(row0, row0 + n, sums.begin());
        sums[s] = inf;
        order.push_back(s);
        mask[s] = 1;
        uint64_t hash = zobrist[s];
        bool merged = false;
        const double *pending = nullptr; // the last pick's row, added lazily by the fused pass
        while (int(order.size()) < keep) {
            int arg;
            if (pending) {
                arg = addRowArgmin(sums.data(), pending, n);
            } else {
                arg = -1;
                double low = inf;
                for (int j = 0; j < n; ++j)
                    if (sums[j] < low) {
                        low = sums[j];
                        arg = j;
                    }
            }
            if (arg < 0)
                throw Error("greedy selection: similarities must be finite");
            order.push_back(arg);
            mask[arg] = 1;
            sums[arg] = inf;
            hash ^= zobrist[arg];
            const uint64_t key = hash ^ (uint64_t(order.size()) * 0xD6E8FEB86659FD93ull);
            const auto [it, inserted] = visited.emplace(key, self);
            if (!inserted && it->second != self) {
                const std::vector<int> &other = orders[it->second];
                bool same = true;
                for (size_t i = 0; i < order.size() && same; ++i)
                    same = mask[other[i]] != 0;
                if (same) {
                    merged = true;
                    break;
                }
            }
            pending = sim.data() + size_t(arg) * n;
        }
        if (merged)
            continue;
        std::vector<int> set = order;
        std::sort(set.begin(), set.end());
        if (!costed.insert(set).second)
            continue; // an earlier start gave this set, and ties go to the earlier start
        if (!tables)
            tables = std::make_unique<CostTables>(sim, n, keep, q);
        const double cost = tables->cost(set, mask, lam, q);
        if (!haveBest || cost < best.cost) {
            best = {std::move(set), cost, s};
            haveBest = true;
        }
    }
    return best;
}

} // namespace gkp
