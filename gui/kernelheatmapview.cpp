#include "kernelheatmapview.h"

#include "document.h"
#include "model.h"

#include "qcustomplotinclude.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QToolTip>
#include <QVBoxLayout>

#include <numeric>

KernelHeatmapView::KernelHeatmapView(Document *document, QWidget *parent)
    : QWidget(parent), m_document(document), m_plot(new QCustomPlot), m_normBox(new QComboBox),
      m_groupedBox(new QCheckBox(tr("Grouped order (rows by group, kept columns first)"))), m_info(new QLabel)
{
    m_normBox->addItem(tr("L1 norm"), int(gkp::Norm::L1));
    m_normBox->addItem(tr("L2 norm"), int(gkp::Norm::L2));
    auto *top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Kernel importance:")));
    top->addWidget(m_normBox);
    top->addWidget(m_groupedBox);
    top->addStretch(1);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_plot, 1);
    layout->addWidget(m_info);
    m_info->setWordWrap(true);
    m_info->setMinimumHeight(m_info->fontMetrics().lineSpacing() * 2 + 4);

    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->axisRect()->setupFullAxesBox(true);
    m_plot->xAxis->setLabel(tr("input channel c"));
    m_plot->yAxis->setLabel(tr("output channel o (filter)"));
    m_plot->yAxis->setRangeReversed(true); // row 0 at the top, like a matrix
    for (QCPAxis *axis : {m_plot->xAxis, m_plot->yAxis}) { // channel indices are integers
        QSharedPointer<QCPAxisTickerFixed> ticker(new QCPAxisTickerFixed);
        ticker->setTickStep(1.0);
        ticker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
        axis->setTicker(ticker);
    }
    m_map = new QCPColorMap(m_plot->xAxis, m_plot->yAxis);
    m_scale = new QCPColorScale(m_plot);
    m_plot->plotLayout()->addElement(0, 1, m_scale);
    m_scale->setType(QCPAxis::atRight);
    m_map->setColorScale(m_scale);
    m_map->setInterpolate(false);
    auto *margins = new QCPMarginGroup(m_plot);
    m_plot->axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
    m_scale->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
    m_plot->setMouseTracking(true);
    connect(m_plot, &QCustomPlot::mouseMove, this, &KernelHeatmapView::onHover);

    connect(m_normBox, &QComboBox::currentIndexChanged, this,
            [this] { setNorm(gkp::Norm(m_normBox->currentData().toInt())); });
    connect(m_groupedBox, &QCheckBox::toggled, this, &KernelHeatmapView::setGroupedOrder);
    connect(document, &Document::selectedLayerChanged, this, &KernelHeatmapView::rebuild);
    connect(document, &Document::planChanged, this, &KernelHeatmapView::rebuild);
    connect(document, &Document::modelChanged, this, [this] {
        m_layer = -1;
        rebuild();
    });
    rebuild();
}

void KernelHeatmapView::setGroupedOrder(bool grouped)
{
    if (m_grouped == grouped)
        return;
    m_grouped = grouped;
    m_groupedBox->setChecked(grouped);
    rebuild();
}

void KernelHeatmapView::setNorm(gkp::Norm norm)
{
    if (m_norm == norm)
        return;
    m_norm = norm;
    m_normBox->setCurrentIndex(m_normBox->findData(int(norm)));
    m_layer = -1; // recompute norms
    rebuild();
}

void KernelHeatmapView::rebuild()
{
    const gkp::Model *model = m_document->model();
    const int layer = m_document->selectedLayer();
    if (!model || layer < 0) {
        m_rows = m_cols = 0;
        m_map->data()->clear();
        m_info->setText(tr("No layer selected."));
        m_plot->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    if (layer != m_layer) { // norms depend only on the weights: once per layer and norm
        m_norms = gkp::kernelNorms(*model, layer, m_norm);
        m_layer = layer;
    }
    const int cout = int(m_norms.out_channels), cin = int(m_norms.in_channels);
    const gkp::LayerPlan *plan = m_document->layerPlan(layer);
    m_mask = plan ? gkp::kernelMask(*plan, cin) : std::vector<uint8_t>();
    m_groupOf = plan ? plan->assignment : std::vector<int>(std::size_t(cout), 0);

    m_rowFilter.resize(std::size_t(cout));
    std::iota(m_rowFilter.begin(), m_rowFilter.end(), 0);
    std::vector<int> identity(static_cast<std::size_t>(cin));
    std::iota(identity.begin(), identity.end(), 0);
    m_colOf.assign(std::size_t(cout), identity);
    if (m_grouped && plan) {
        std::stable_sort(m_rowFilter.begin(), m_rowFilter.end(),
                         [&](int a, int b) { return m_groupOf[std::size_t(a)] < m_groupOf[std::size_t(b)]; });
        for (int r = 0; r < cout; ++r) {
            const int o = m_rowFilter[std::size_t(r)];
            std::vector<int> &cols = m_colOf[std::size_t(r)];
            std::stable_partition(cols.begin(), cols.end(),
                                  [&](int c) { return m_mask[std::size_t(o) * std::size_t(cin) + std::size_t(c)] != 0; });
        }
    }
    m_rows = cout;
    m_cols = cin;
    redraw();

    const gkp::ConvLayer &l = model->inventory().layers.at(std::size_t(layer));
    if (plan)
        m_info->setText(tr("%1: %2 x %3 kernels, G = %4, keeps %5 of %6 input channels per group; grey cells are "
                           "pruned. Retained energy %7%.")
                            .arg(QString::fromStdString(l.name))
                            .arg(cout)
                            .arg(cin)
                            .arg(plan->groups)
                            .arg(plan->kept_per_group)
                            .arg(cin)
                            .arg(plan->retained_energy * 100.0, 0, 'f', 1));
    else
        m_info->setText(tr("%1: %2 x %3 kernels, not pruned%4.")
                            .arg(QString::fromStdString(l.name))
                            .arg(cout)
                            .arg(cin)
                            .arg(l.prunable ? QString() : tr(" (%1)").arg(QString::fromStdString(l.reason))));
}

double KernelHeatmapView::cellValue(int row, int col) const
{
    const int o = m_rowFilter.at(std::size_t(row));
    const int c = m_colOf.at(std::size_t(row)).at(std::size_t(col));
    return m_norms.values.at(std::size_t(o) * std::size_t(m_cols) + std::size_t(c));
}

bool KernelHeatmapView::cellKept(int row, int col) const
{
    if (m_mask.empty())
        return true;
    const int o = m_rowFilter.at(std::size_t(row));
    const int c = m_colOf.at(std::size_t(row)).at(std::size_t(col));
    return m_mask[std::size_t(o) * std::size_t(m_cols) + std::size_t(c)] != 0;
}

void KernelHeatmapView::redraw()
{
    // Pruned kernels get a value just below the kept range, painted light grey by the first,
    // narrow band of the gradient; kept values use the rest of the (viridis) scale.
    float maxValue = 0.0f;
    for (float v : m_norms.values)
        maxValue = std::max(maxValue, v);
    const double top = std::max(1e-12, double(maxValue));
    const double below = top * 0.03;
    QCPColorMapData *data = m_map->data();
    data->setSize(m_cols, m_rows);
    data->setRange(QCPRange(0, std::max(0, m_cols - 1)), QCPRange(0, std::max(0, m_rows - 1)));
    for (int r = 0; r < m_rows; ++r)
        for (int j = 0; j < m_cols; ++j)
            data->setCell(j, r, cellKept(r, j) ? cellValue(r, j) : -below);

    // viridis (perceptually uniform, readable in grey and for colour-blind readers)
    static const QColor viridis[] = {QColor(0x44, 0x01, 0x54), QColor(0x3b, 0x52, 0x8b), QColor(0x21, 0x91, 0x8c),
                                     QColor(0x5e, 0xc9, 0x62), QColor(0xfd, 0xe7, 0x25)};
    const double cut = below / (top + below);
    QMap<double, QColor> stops;
    const QColor grey(225, 225, 225);
    stops[0.0] = grey;
    stops[cut * 0.98] = grey;
    for (int i = 0; i <= 4; ++i)
        stops[cut + (1.0 - cut) * i / 4.0] = viridis[i];
    QCPColorGradient gradient;
    gradient.setColorStops(stops);
    gradient.setLevelCount(1000);
    m_map->setGradient(gradient);
    m_map->setDataRange(QCPRange(-below, top));
    m_scale->axis()->setLabel(m_norm == gkp::Norm::L1 ? tr("kernel L1 norm (grey: pruned)")
                                                      : tr("kernel L2 norm (grey: pruned)"));
    m_plot->xAxis->setRange(-0.5, m_cols - 0.5);
    m_plot->yAxis->setRange(-0.5, m_rows - 0.5);
    m_plot->xAxis->setLabel(m_grouped ? tr("per group: kept input channels first, then pruned")
                                      : tr("input channel c"));
    m_plot->yAxis->setLabel(m_grouped ? tr("filters, sorted by group") : tr("output channel o (filter)"));
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void KernelHeatmapView::onHover(QMouseEvent *event)
{
    if (m_rows == 0)
        return;
    const int col = int(std::lround(m_plot->xAxis->pixelToCoord(event->pos().x())));
    const int row = int(std::lround(m_plot->yAxis->pixelToCoord(event->pos().y())));
    if (row < 0 || row >= m_rows || col < 0 || col >= m_cols) {
        QToolTip::hideText();
        return;
    }
    const int o = m_rowFilter[std::size_t(row)];
    const int c = m_colOf[std::size_t(row)][std::size_t(col)];
    QToolTip::showText(event->globalPosition().toPoint(),
                       tr("o = %1, c = %2\nnorm %3\n%4, group %5")
                           .arg(o)
                           .arg(c)
                           .arg(cellValue(row, col), 0, 'g', 4)
                           .arg(cellKept(row, col) ? tr("kept") : tr("pruned"))
                           .arg(m_groupOf.empty() ? 0 : m_groupOf[std::size_t(o)]),
                       m_plot);
}
