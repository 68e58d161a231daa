#pragma once

// Dense kernels the engine needs that must not depend on the system BLAS (Debian's default
// alternative is the unoptimised reference BLAS, which made Gram matrices the bottleneck).

#include <vector>

namespace gkp {

// G = X X^T for X [n, D] row-major, double; exactly symmetric. Result n x n row-major.
std::vector<double> gramMatrix(const double *X, int n, int D);

} // namespace gkp
