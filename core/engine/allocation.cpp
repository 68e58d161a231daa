#include "engine/allocation.h"

#include "util/error.h"

#include <algorithm>
#include <numeric>

namespace gkp::allocation {

namespace {

// Knots of the adjusted curve: (0, 0) and the measured points, drops made non-decreasing.
std::vector<std::pair<double, double>> knots(const SensitivityCurve &c)
{
    std::vector<std::pair<double, double>> k{{0.0, 0.0}};
    double running = 0.0;
    for (std::size_t i = 0; i < c.ratios.size(); ++i) {
        running = std::max(running, std::max(0.0, c.drops[i]));
        if (c.ratios[i] > 0.0)
            k.emplace_back(c.ratios[i], running + TieSlope * c.ratios[i]);
    }
    return k;
}

} // namespace

void checkCurve(const SensitivityCurve &c, const std::string &layer)
{
    if (c.ratios.empty() || c.ratios.size() != c.drops.size())
        throw Error("sensitivity of '" + layer + "': expected as many drops as ratios, at least one");
    for (std::size_t i = 0; i < c.ratios.size(); ++i) {
        if (!(c.ratios[i] >= 0.0 && c.ratios[i] < 1.0))
            throw Error("sensitivity of '" + layer + "': ratio " + std::to_string(c.ratios[i]) + " is not in [0, 1)");
        if (i > 0 && c.ratios[i] <= c.ratios[i - 1])
            throw Error("sensitivity of '" + layer + "': ratios must be ascending");
    }
    if (c.ratios.back() <= 0.0)
        throw Error("sensitivity of '" + layer + "': needs a measured ratio above 0");
}

double maxThreshold(const SensitivityCurve &curve)
{
    return knots(curve).back().second;
}

double ratioAtThreshold(const SensitivityCurve &curve, double threshold)
{
    const auto k = knots(curve);
    if (threshold >= k.back().second)
        return k.back().first;
    // The adjusted curve is strictly increasing: find the segment that crosses the threshold.
    for (std::size_t i = 1; i < k.size(); ++i) {
        if (k[i].second <= threshold)
            continue;
        const auto [r0, d0] = k[i - 1];
        const auto [r1, d1] = k[i];
        if (threshold <= d0)
            return r0;
        return r0 + (r1 - r0) * (threshold - d0) / (d1 - d0);
    }
    return k.back().first;
}

std::vector<double> normalisedAscending(std::vector<double> scores)
{
    const double mean = std::accumulate(scores.begin(), scores.end(), 0.0) / double(std::max<std::size_t>(1, scores.size()));
    for (double &x : scores)
        x = mean > 0 ? x / mean : 1.0;
    std::sort(scores.begin(), scores.end());
    return scores;
}

double shareBelow(const std::vector<double> &sorted, double x)
{
    if (sorted.empty())
        return 0.0;
    return double(std::lower_bound(sorted.begin(), sorted.end(), x) - sorted.begin()) / double(sorted.size());
}

} // namespace gkp::allocation
