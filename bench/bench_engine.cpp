// Prints how long the per-layer GKP engine takes on random weights (G = 8, r = 0.4375).

#include "engine/clustering.h"
#include "engine/kernelselection.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>

namespace {

double msSince(std::chrono::steady_clock::time_point t0)
{
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

} // namespace

// Optional argument "select": only the selection-only part (for profiling).
// Optional argument "resnet50": clustering and selection time per distinct ResNet-50 conv shape
// (random weights; one layer at a time, groups in parallel), weighted by how often it occurs.
int main(int argc, char **argv)
{
    const bool selectOnly = argc > 1 && std::string(argv[1]) == "select";
    torch::manual_seed(0);
    const int G = 8;
    const double r = 0.4375;
    if (argc > 1 && std::string(argv[1]) == "resnet50") {
        const std::vector<std::pair<std::vector<int64_t>, int>> shapes = {
            {{64, 64, 1, 1}, 1},     {{64, 64, 3, 3}, 3},     {{64, 256, 1, 1}, 2},    {{128, 128, 3, 3}, 4},
            {{128, 256, 1, 1}, 1},   {{128, 512, 1, 1}, 3},   {{256, 64, 1, 1}, 4},    {{256, 256, 3, 3}, 6},
            {{256, 512, 1, 1}, 1},   {{256, 1024, 1, 1}, 5},  {{512, 128, 1, 1}, 4},   {{512, 256, 1, 1}, 1},
            {{512, 512, 3, 3}, 3},   {{512, 1024, 1, 1}, 1},  {{512, 2048, 1, 1}, 2},  {{1024, 256, 1, 1}, 6},
            {{1024, 512, 1, 1}, 1},  {{2048, 512, 1, 1}, 3},  {{2048, 1024, 1, 1}, 1}};
        std::printf("%-16s %5s %6s %12s %12s %12s\n", "shape", "count", "keep", "kmeans ms", "select ms", "x count ms");
        double totalC = 0, totalS = 0;
        for (const auto &[shape, count] : shapes) {
            const torch::Tensor w = torch::randn(shape);
            const int cin = int(shape[1]);
            const int keep = std::clamp(int(std::lround((1 - r) * cin)), 1, cin);
            auto t0 = std::chrono::steady_clock::now();
            const std::vector<int> a = gkp::clusterFilters(w, G, gkp::ClusterMethod::KMeans, {});
            const double tc = msSince(t0);
            t0 = std::chrono::steady_clock::now();
            gkp::selectKernelsForGroups(w, a, G, keep, gkp::SelectMethod::Greedy, {});
            const double ts = msSince(t0);
            totalC += tc * count;
            totalS += ts * count;
            char name[64];
            std::snprintf(name, sizeof name, "%ldx%ldx%ldx%ld", long(shape[0]), long(shape[1]), long(shape[2]),
                          long(shape[3]));
            std::printf("%-16s %5d %6d %12.1f %12.1f %12.1f\n", name, count, keep, tc, ts, (tc + ts) * count);
        }
        std::printf("total: kmeans %.0f ms, select %.0f ms\n", totalC, totalS);
        return 0;
    }
    std::printf("threads: %d\n", at::get_num_threads());
    std::printf("%-16s %6s %12s %14s %10s\n", "shape", "keep", "kmeans ms", "select ms", "total ms");
    const std::vector<std::vector<int64_t>> shapes = {{16, 16, 3, 3},   {64, 64, 3, 3},    {256, 256, 3, 3},
                                                      {512, 512, 3, 3}, {2048, 512, 1, 1}, {512, 2048, 1, 1}};
    for (const auto &shape : shapes) {
        if (selectOnly)
            break;
        const torch::Tensor w = torch::randn(shape);
        const int cin = int(shape[1]);
        const int keep = std::clamp(int(std::lround((1 - r) * cin)), 1, cin);
        auto t0 = std::chrono::steady_clock::now();
        const std::vector<int> a = gkp::clusterFilters(w, G, gkp::ClusterMethod::KMeans, {});
        const double tc = msSince(t0);
        t0 = std::chrono::steady_clock::now();
        const auto kept = gkp::selectKernelsForGroups(w, a, G, keep, gkp::SelectMethod::Greedy, {});
        const double ts = msSince(t0);
        char name[64];
        std::snprintf(name, sizeof name, "%ldx%ldx%ldx%ld", long(shape[0]), long(shape[1]), long(shape[2]),
                      long(shape[3]));
        std::printf("%-16s %6d %12.1f %14.1f %10.1f\n", name, keep, tc, ts, tc + ts);
    }
    // The "ratio changed" path: the clustering is reused, only the selection reruns.
    const torch::Tensor w = torch::randn({512, 512, 3, 3});
    const std::vector<int> a = gkp::clusterFilters(w, G, gkp::ClusterMethod::KMeans, {});
    for (const char *label : {"greedy", "l2", "gm", "l2gm"}) {
        const auto method = *gkp::selectMethodFromString(label);
        const int reps = 3;
        double best = 1e300;
        for (int i = 0; i < reps; ++i) {
            const auto t0 = std::chrono::steady_clock::now();
            gkp::selectKernelsForGroups(w, a, G, 288, method, {});
            best = std::min(best, msSince(t0));
        }
        std::printf("selection only 512x512x3x3 %-6s 8 groups: %.1f ms (best of %d)\n", label, best, reps);
    }
    return 0;
}
