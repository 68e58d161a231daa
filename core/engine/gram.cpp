#include "engine/gram.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace gkp {

namespace {

typedef double v4d __attribute__((vector_size(32)));

// Rows packed in blocks of 4, interleaved per column: P[b][k][r] = X[4b + r][k] (zero padded),
// so a 4x4 tile of G reads two contiguous streams.
std::vector<double> packRows(const double *X, int n, int D)
{
    const int nb = (n + 3) / 4;
    std::vector<double> P(size_t(nb) * D * 4, 0.0);
    for (int i = 0; i < n; ++i)
        for (int k = 0; k < D; ++k)
            P[(size_t(i / 4) * D + k) * 4 + i % 4] = X[size_t(i) * D + k];
    return P;
}

// One 4x4 tile. Compiled for AVX2 too when the CPU has it; the ISO C++ mode keeps FMA
// contraction off, so both versions round identically.
__attribute__((target_clones("arch=x86-64-v3", "default"))) void tile(const double *a, const double *b, int D,
                                                                       double out[16])
{
    v4d acc0 = {0, 0, 0, 0}, acc1 = acc0, acc2 = acc0, acc3 = acc0;
    for (int k = 0; k < D; ++k) {
        v4d x;
        std::memcpy(&x, b + size_t(k) * 4, sizeof x);
        const double *ak = a + size_t(k) * 4;
        acc0 += ak[0] * x;
        acc1 += ak[1] * x;
        acc2 += ak[2] * x;
        acc3 += ak[3] * x;
    }
    std::memcpy(out, &acc0, sizeof acc0);
    std::memcpy(out + 4, &acc1, sizeof acc1);
    std::memcpy(out + 8, &acc2, sizeof acc2);
    std::memcpy(out + 12, &acc3, sizeof acc3);
}

} // namespace

std::vector<double> gramMatrix(const double *X, int n, int D)
{
    const std::vector<double> P = packRows(X, n, D);
    const int nb = (n + 3) / 4;
    std::vector<double> G(size_t(n) * n);
    double t[16];
    for (int bi = 0; bi < nb; ++bi)
        for (int bj = bi; bj < nb; ++bj) {
            tile(P.data() + size_t(bi) * D * 4, P.data() + size_t(bj) * D * 4, D, t);
            for (int r = 0; r < 4; ++r)
                for (int c = 0; c < 4; ++c) {
                    const int i = bi * 4 + r, j = bj * 4 + c;
                    if (i < n && j < n && i <= j) {
                        G[size_t(i) * n + j] = t[r * 4 + c];
                        G[size_t(j) * n + i] = t[r * 4 + c];
                    }
                }
        }
    return G;
}

std::vector<double> distanceSimilarity(const double *X, int n, int D)
{
    const std::vector<double> P = packRows(X, n, D);
    const int nb = (n + 3) / 4;
    // The squared norms are the diagonal of the diagonal tiles, as in gramMatrix.
    std::vector<double> norm2(size_t(nb) * 4, 0.0);
    double t[16];
    for (int b = 0; b < nb; ++b) {
        tile(P.data() + size_t(b) * D * 4, P.data() + size_t(b) * D * 4, D, t);
        for (int r = 0; r < 4; ++r)
            norm2[size_t(b) * 4 + r] = t[r * 4 + r];
    }
    std::vector<double> S(size_t(n) * n);
    for (int bi = 0; bi < nb; ++bi)
        for (int bj = bi; bj < nb; ++bj) {
            tile(P.data() + size_t(bi) * D * 4, P.data() + size_t(bj) * D * 4, D, t);
            for (int r = 0; r < 4; ++r)
                for (int c = 0; c < 4; ++c) {
                    const int i = bi * 4 + r, j = bj * 4 + c;
                    if (i >= n || j >= n || i > j)
                        continue;
                    if (i == j) {
                        S[size_t(i) * n + i] = 1.0;
                        continue;
                    }
                    const double d2 = norm2[size_t(i)] + norm2[size_t(j)] - 2 * t[r * 4 + c];
                    const double v = 1.0 - std::sqrt(std::max(d2, 0.0));
                    S[size_t(i) * n + j] = v;
                    S[size_t(j) * n + i] = v;
                }
        }
    return S;
}

} // namespace gkp
