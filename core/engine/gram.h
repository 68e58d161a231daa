#pragma once

// Dense kernels the engine needs that must not depend on the system BLAS (Debian's default
// alternative is the unoptimised reference BLAS, which made Gram matrices the bottleneck).

#include <vector>

namespace gkp {

// G = X X^T for X [n, D] row-major, double; exactly symmetric. Result n x n row-major.
std::vector<double> gramMatrix(const double *X, int n, int D);

// S[i, j] = 1 - ||X[i] - X[j]||_2 for X [n, D], via the same Gram tiles as gramMatrix (so bitwise
// equal to computing it from gramMatrix(X) as g_ii + g_jj - 2 g_ij, clamped at 0), without storing
// the Gram matrix. Exactly symmetric, unit diagonal.
std::vector<double> distanceSimilarity(const double *X, int n, int D);

} // namespace gkp
