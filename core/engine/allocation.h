#pragma once

#include "engine/plan.h"

#include <functional>
#include <vector>

namespace gkp {

// Sensitivity-aware ratio allocation for a MACs target.
//
// A layer's drop curve d(r) is the piecewise-linear curve through (0, 0) and its measured
// points, made non-decreasing (running maximum, negatives clipped to 0: a measured gain is
// noise, not a reason to prune more), plus a tie-break slope TieSlope * r so that flat stretches
// still order the ratios (layers with equally flat curves then move together, like uniform).
// For a threshold t, the layer's ratio is the largest r in [0, last measured ratio] with
// d(r) <= t: less sensitive layers get larger ratios. The threshold is the smallest t (found by
// bisection) whose ratios reach the MACs target, exactly as the uniform search does for its one
// ratio.
namespace allocation {

inline constexpr double TieSlope = 1e-3;

// Throws gkp::Error when the curve is empty, unsorted, or lengths differ.
void checkCurve(const SensitivityCurve &curve, const std::string &layer);

// The largest ratio in [0, curve.ratios.back()] whose adjusted drop is <= threshold.
double ratioAtThreshold(const SensitivityCurve &curve, double threshold);

// The adjusted drop at the largest measured ratio: thresholds above it change nothing.
double maxThreshold(const SensitivityCurve &curve);

// Global allocation (the channel method's families, GKP's layers): scores over their mean,
// ascending, so units of different widths and depths compare on one threshold.
std::vector<double> normalisedAscending(std::vector<double> scores);

// The share of `sorted` (ascending) below x: a unit's pruned fraction at the global threshold x.
double shareBelow(const std::vector<double> &sorted, double x);

} // namespace allocation

} // namespace gkp
