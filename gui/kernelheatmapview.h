#pragma once

#include "layerstats.h"

#include <QWidget>

#include <vector>

class Document;
class QCheckBox;
class QComboBox;
class QCustomPlot;
class QCPColorMap;
class QCPColorScale;
class QLabel;

// Kernel-importance heatmap of the selected layer: Cout x Cin kernel norms (rows = filters,
// columns = input channels), pruned kernels greyed out. "Grouped order" sorts rows by group and,
// inside each group, puts the kept columns first, so the grouped-convolution structure shows.
class KernelHeatmapView : public QWidget
{
    Q_OBJECT

public:
    explicit KernelHeatmapView(Document *document, QWidget *parent = nullptr);

    bool isGroupedOrder() const { return m_grouped; }
    void setGroupedOrder(bool grouped);
    void setNorm(gkp::Norm norm);
    int displayedRows() const { return m_rows; }
    int displayedColumns() const { return m_cols; }
    // In display order: the norm and whether the kernel is kept.
    double cellValue(int row, int col) const;
    bool cellKept(int row, int col) const;

private:
    void rebuild();
    void redraw();
    void onHover(QMouseEvent *event);

    Document *m_document;
    QCustomPlot *m_plot;
    QCPColorMap *m_map;
    QCPColorScale *m_scale;
    QComboBox *m_normBox;
    QCheckBox *m_groupedBox;
    QLabel *m_info;
    gkp::Norm m_norm = gkp::Norm::L1;
    bool m_grouped = false;
    int m_layer = -1;
    gkp::KernelNorms m_norms;
    int m_rows = 0, m_cols = 0;
    std::vector<int> m_rowFilter;          // display row -> filter o
    std::vector<std::vector<int>> m_colOf; // display row -> (display col -> input channel c)
    std::vector<uint8_t> m_mask;           // Cout x Cin, empty when the layer is not planned
    std::vector<int> m_groupOf;            // filter -> group
};
