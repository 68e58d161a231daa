#include "heatmapframe.h"

#include "qcustomplotcompat.h"

#include <algorithm>
#include <array>
#include <numeric>

namespace {

// Viridis: perceptually uniform and readable in greyscale, so norms compare fairly across cells.
const QColor Viridis[] = {QColor(0x44, 0x01, 0x54), QColor(0x3b, 0x52, 0x8b), QColor(0x21, 0x91, 0x8c),
                          QColor(0x5e, 0xc9, 0x62), QColor(0xfd, 0xe7, 0x25)};
// Pruned kernels: light greys with no hue, so they never read as part of the colour scale, yet
// still show their norm (what was thrown away); darker = larger.
const QColor PrunedLight(0xee, 0xee, 0xee), PrunedDark(0x9a, 0x9a, 0x9a);
constexpr int Levels = 512;

} // namespace

QCPColorGradient keptGradient()
{
    QCPColorGradient g;
    g.clearColorStops();
    for (int i = 0; i < 5; ++i)
        g.setColorStopAt(i / 4.0, Viridis[i]);
    g.setLevelCount(Levels);
    return g;
}

QCPColorGradient prunedGradient()
{
    QCPColorGradient g;
    g.clearColorStops();
    g.setColorStopAt(0.0, PrunedLight);
    g.setColorStopAt(1.0, PrunedDark);
    g.setLevelCount(Levels);
    return g;
}

int HeatmapFrame::sourceChannel(int row, int col) const
{
    const int o = rowSource.at(std::size_t(row));
    const std::vector<int> &order = grouped ? colOrders.at(std::size_t(assignment.at(std::size_t(o)))) : colOrders.at(0);
    return order.at(std::size_t(col));
}

bool HeatmapFrame::kept(int row, int col) const
{
    if (mask.empty())
        return true;
    return mask.at(std::size_t(rowSource.at(std::size_t(row)) * cols + sourceChannel(row, col))) != 0;
}

double HeatmapFrame::value(int row, int col) const
{
    return norms->values.at(std::size_t(rowSource.at(std::size_t(row)) * cols + sourceChannel(row, col)));
}

HeatmapFrame buildHeatmapFrame(std::shared_ptr<const gkp::KernelNorms> norms,
                               const std::optional<gkp::LayerPlan> &plan, bool grouped)
{
    HeatmapFrame f;
    f.norms = std::move(norms);
    f.rows = f.norms->out_channels;
    f.cols = f.norms->in_channels;
    const int rows = int(f.rows), cols = int(f.cols);
    if (plan && int64_t(plan->assignment.size()) == f.rows) {
        f.mask = gkp::kernelMask(*plan, f.cols);
        f.assignment = plan->assignment;
        f.groups = plan->groups;
        f.keptPerGroup = plan->kept_per_group;
    }
    f.grouped = grouped && f.hasMask();

    f.rowSource.resize(std::size_t(rows));
    std::iota(f.rowSource.begin(), f.rowSource.end(), 0);
    if (f.grouped) {
        // Filters by (group, index): the permutation P of the grouped-convolution view.
        std::stable_sort(f.rowSource.begin(), f.rowSource.end(), [&f](int a, int b) {
            return f.assignment[std::size_t(a)] < f.assignment[std::size_t(b)];
        });
        f.colOrders.resize(std::size_t(f.groups));
        std::vector<uint8_t> isKept(static_cast<std::size_t>(cols));
        for (int g = 0; g < f.groups; ++g) {
            std::vector<int> &order = f.colOrders[std::size_t(g)];
            order = plan->kept[std::size_t(g)];
            std::fill(isKept.begin(), isKept.end(), 0);
            for (int c : order)
                isKept[std::size_t(c)] = 1;
            for (int c = 0; c < cols; ++c)
                if (!isKept[std::size_t(c)])
                    order.push_back(c);
        }
    } else {
        f.colOrders.assign(1, std::vector<int>(std::size_t(cols)));
        std::iota(f.colOrders[0].begin(), f.colOrders[0].end(), 0);
    }
    if (rows == 0 || cols == 0)
        return f;

    const float *values = f.norms->values.data();
    f.top = std::max(*std::max_element(values, values + std::ptrdiff_t(rows) * cols), 1e-30f);
    // One colour per gradient level, looked up per cell: a million kernels colour in milliseconds.
    std::array<QRgb, Levels> keptLut, prunedLut;
    QCPColorGradient keptColours = keptGradient(), prunedColours = prunedGradient();
    for (int i = 0; i < Levels; ++i) {
        keptLut[std::size_t(i)] = keptColours.color(i, QCPRange(0, Levels - 1));
        prunedLut[std::size_t(i)] = prunedColours.color(i, QCPRange(0, Levels - 1));
    }
    const float scale = float(Levels - 1) / f.top;
    auto level = [scale](float v) { return std::size_t(std::clamp(int(v * scale + 0.5f), 0, Levels - 1)); };

    f.image = QImage(cols, rows, QImage::Format_RGB32);
    for (int r = 0; r < rows; ++r) {
        const int o = f.rowSource[std::size_t(r)];
        const int *order =
            (f.grouped ? f.colOrders[std::size_t(f.assignment[std::size_t(o)])] : f.colOrders[0]).data();
        const float *src = values + std::ptrdiff_t(o) * cols;
        auto *dst = reinterpret_cast<QRgb *>(f.image.scanLine(r));
        if (f.mask.empty()) {
            for (int j = 0; j < cols; ++j)
                dst[j] = keptLut[level(src[order[j]])];
        } else {
            const uint8_t *mask = f.mask.data() + std::ptrdiff_t(o) * cols;
            for (int j = 0; j < cols; ++j) {
                const int c = order[j];
                dst[j] = (mask[c] ? keptLut : prunedLut)[level(src[c])];
            }
        }
    }
    return f;
}
