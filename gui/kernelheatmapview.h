#pragma once

#include "heatmapframe.h"
#include "model/layerstats.h"

#include <QHash>
#include <QWidget>
#include <cstdint>
#include <memory>
#include <vector>

class Document;
class QCheckBox;
class QComboBox;
class QCPColorScale;
class QCustomPlot;
class QLabel;
class QMouseEvent;

// The selected layer's Cout x Cin kernel norms as a heatmap, kept kernels in colour and pruned
// ones in grey. "Grouped order" shows the plan the way the grouped convolution sees it: filters
// sorted by (group, index), and in each group's rows its kept input channels first.
//
// The UI thread does no per-kernel work: norms, order, mask and the picture are built in a worker
// (HeatmapFrame, one pixel per kernel) and swapped in; drawing blits the picture. One build runs
// at a time; edits during it are coalesced into one more build with the document's latest state.
class KernelHeatmapView : public QWidget
{
    Q_OBJECT

public:
    explicit KernelHeatmapView(Document *document, QWidget *parent = nullptr);
    ~KernelHeatmapView() override;

    // Display state, in the current display order (row r, column j). In grouped order row r is
    // filter sourceFilter(r) and column j of that row is input channel sourceChannel(r, j).
    int displayedRows() const;
    int displayedColumns() const;
    // What is shown now; while isComputing() it may be an older state of the document.
    // True when the grouped order is shown: it was asked for and the layer has a plan.
    bool isGroupedOrder() const;
    void setGroupedOrder(bool grouped);
    gkp::Norm norm() const { return m_norm; }
    void setNorm(gkp::Norm norm);
    bool hasMask() const { return m_frame->hasMask(); }
    // A worker is building the picture of the document's current state: the display may lag.
    bool isComputing() const;
    const QImage &image() const { return m_frame->image; } // one pixel per displayed cell

    int sourceFilter(int row) const;
    int sourceChannel(int row, int col) const;
    double cellValue(int row, int col) const;
    bool cellKept(int row, int col) const; // true everywhere when the layer has no plan
    int cellGroup(int row) const;          // -1 without a plan
    QString cellToolTip(int row, int col) const;
    QString note() const;

private:
    struct Request; // what one build was asked for: layer, norm, plan, grouped wish, note

    void rebuild();
    void startBuild();
    void adopt(const Request &request, std::shared_ptr<const HeatmapFrame> frame);
    void showTitle(const Request &request);
    void updateControls();
    void updateDecorations();
    void resetRanges();
    void onMouseMove(QMouseEvent *event);
    int normKey(int layer, gkp::Norm norm) const;

    Document *m_document;
    QCustomPlot *m_plot;
    class ImagePlottable;
    ImagePlottable *m_image; // the frame's picture, one pixel per kernel
    QCPColorScale *m_scale;
    QComboBox *m_normBox;
    QCheckBox *m_groupedBox;
    QLabel *m_title;
    QLabel *m_legend;

    gkp::Norm m_norm = gkp::Norm::L1;
    bool m_wantGrouped = false;
    // Norms are a pass over all weights (16-44 ms for a 2048 x 512 layer): computed in a worker
    // once per (layer, norm) and kept until the model changes.
    QHash<int, std::shared_ptr<const gkp::KernelNorms>> m_normCache;
    quint64 m_modelSerial = 0;
    bool m_building = false, m_buildPending = false;

    // What is displayed.
    int m_layer = -1;
    std::shared_ptr<const HeatmapFrame> m_frame = std::make_shared<const HeatmapFrame>();
    QString m_note;
};
