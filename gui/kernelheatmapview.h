#pragma once

#include "layerstats.h"

#include <QHash>
#include <QSet>
#include <QWidget>
#include <cstdint>
#include <memory>
#include <vector>

class Document;
class QCheckBox;
class QComboBox;
class QCPColorMap;
class QCPColorScale;
class QCustomPlot;
class QLabel;
class QMouseEvent;

// The selected layer's Cout x Cin kernel norms as a heatmap, kept kernels in colour and pruned
// ones in grey. "Grouped order" shows the plan the way the grouped convolution sees it: filters
// sorted by (group, index), and in each group's rows its kept input channels first.
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
    // True when the grouped order is shown: it was asked for and the layer has a plan.
    bool isGroupedOrder() const;
    void setGroupedOrder(bool grouped);
    gkp::Norm norm() const { return m_norm; }
    void setNorm(gkp::Norm norm);
    bool hasMask() const { return !m_mask.empty(); }
    // The selected layer's norms are being computed (in a worker): nothing is displayed yet.
    bool isComputing() const;

    int sourceFilter(int row) const;
    int sourceChannel(int row, int col) const;
    double cellValue(int row, int col) const;
    bool cellKept(int row, int col) const; // true everywhere when the layer has no plan
    int cellGroup(int row) const;          // -1 without a plan
    QString cellToolTip(int row, int col) const;
    QString note() const;

private:
    void rebuild();
    void updateControls();
    void fillColorMap();
    void updateDecorations();
    void resetRanges();
    void onMouseMove(QMouseEvent *event);
    const gkp::KernelNorms *norms(int layer); // nullptr: requested from a worker, rebuild() follows
    int normKey(int layer) const;

    Document *m_document;
    QCustomPlot *m_plot;
    QCPColorMap *m_map; // norms encoded with the mask: kept in colour, pruned in grey
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
    QSet<int> m_normPending;
    quint64 m_modelSerial = 0;

    // What is displayed, derived from the document on every rebuild.
    int m_layer = -1;
    int64_t m_rows = 0, m_cols = 0;
    const gkp::KernelNorms *m_norms = nullptr;
    std::vector<uint8_t> m_mask;   // Cout x Cin in original order; empty: no plan
    std::vector<int> m_assignment; // group per filter
    int m_groups = 0, m_keptPerGroup = 0;
    std::vector<int> m_rowSource;              // display row -> filter
    std::vector<std::vector<int>> m_colOrders; // per group (or one, identity): display col -> channel
    QString m_note;
};
