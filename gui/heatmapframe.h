#pragma once

#include "model/layerstats.h"
#include "engine/plan.h"

#include <QImage>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

// Everything the kernel heatmap shows of one layer, ready to draw: the display order, the mask
// and the picture itself (one pixel per kernel). Built off the UI thread by buildHeatmapFrame()
// (a ResNet-50 layer has a million kernels); the view only swaps it in and blits the image.
struct HeatmapFrame
{
    std::shared_ptr<const gkp::KernelNorms> norms; // Cout x Cin, original order
    gkp::Norm norm = gkp::Norm::L1;
    int64_t rows = 0, cols = 0;
    bool grouped = false;            // rows by (group, index), each group's kept columns first
    std::vector<uint8_t> mask;       // Cout x Cin in original order; empty: no plan
    std::vector<int> assignment;     // group per filter; empty: no plan
    int groups = 0, keptPerGroup = 0;
    std::vector<int> rowSource;              // display row -> filter
    std::vector<std::vector<int>> colOrders; // per group (or one, identity): display col -> channel
    float top = 0.0f;                        // largest norm: the colour scale's upper end
    QImage image;                            // cols x rows; pixel (j, r) is display cell (r, j)

    bool hasMask() const { return !mask.empty(); }
    int sourceChannel(int row, int col) const;
    bool kept(int row, int col) const;
    double value(int row, int col) const;
};

// Kept kernels are coloured by norm on keptGradient() (0 .. top), pruned ones grey on
// prunedGradient(): hue says kept, brightness says how large. `grouped` is honoured only when
// there is a plan. Pure function of its inputs; safe to run in any thread.
HeatmapFrame buildHeatmapFrame(std::shared_ptr<const gkp::KernelNorms> norms,
                               const std::optional<gkp::LayerPlan> &plan, bool grouped);

class QCPColorGradient;
QCPColorGradient keptGradient();
QCPColorGradient prunedGradient();
