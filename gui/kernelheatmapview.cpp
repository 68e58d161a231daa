#include "kernelheatmapview.h"

#include "document.h"
#include "model.h"
#include "qcustomplotcompat.h"
#include "workerpool.h"

#include <QCheckBox>
#include <QFutureWatcher>
#include <QtConcurrent/QtConcurrentRun>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>
#include <QToolTip>
#include <QVBoxLayout>
#include <algorithm>
#include <numeric>

namespace {

// One colour map shows kept and pruned kernels: a pruned kernel's norm is stored in [0, PrunedTop]
// and drawn in greys, a kept one's in [KeptBottom, 1] and drawn in colour. One map instead of a
// grey map under a half-transparent colour map halves the colouring work of a redraw. The gap
// between the two bands keeps gradient quantisation from mixing them up.
constexpr double PrunedTop = 0.45, KeptBottom = 0.55;
constexpr int GradientLevels = 512;

// Lets the view write a colour map's cells in one pass: setCell() costs a call and a bounds
// check per cell, which shows on layers with a million kernels.
class DirectColorMapData : public QCPColorMapData
{
public:
    DirectColorMapData() : QCPColorMapData(1, 1, QCPRange(0, 1), QCPRange(0, 1)) {}
    double *cells()
    {
        mDataModified = true;
        return mData;
    }
    void setBounds(const QCPRange &bounds) { mDataBounds = bounds; }
};

// Viridis: perceptually uniform and readable in greyscale, so norms compare fairly across cells.
const QColor Viridis[] = {QColor(0x44, 0x01, 0x54), QColor(0x3b, 0x52, 0x8b), QColor(0x21, 0x91, 0x8c),
                          QColor(0x5e, 0xc9, 0x62), QColor(0xfd, 0xe7, 0x25)};
// Pruned kernels: light greys with no hue, so they never read as part of the colour scale, yet
// still show their norm (what was thrown away); darker = larger.
const QColor PrunedLight(0xee, 0xee, 0xee), PrunedDark(0x9a, 0x9a, 0x9a);

QCPColorGradient scaleGradient()
{
    QCPColorGradient g;
    g.clearColorStops();
    for (int i = 0; i < 5; ++i)
        g.setColorStopAt(i / 4.0, Viridis[i]);
    g.setLevelCount(GradientLevels);
    return g;
}

QCPColorGradient mapGradient()
{
    QCPColorGradient g;
    g.clearColorStops();
    g.setColorStopAt(0.0, PrunedLight);
    g.setColorStopAt(PrunedTop, PrunedDark);
    for (int i = 0; i < 5; ++i)
        g.setColorStopAt(KeptBottom + (1.0 - KeptBottom) * i / 4.0, Viridis[i]);
    g.setLevelCount(GradientLevels);
    return g;
}

} // namespace

KernelHeatmapView::KernelHeatmapView(Document *document, QWidget *parent)
    : QWidget(parent), m_document(document), m_plot(new QCustomPlot), m_normBox(new QComboBox),
      m_groupedBox(new QCheckBox(tr("Grouped order"))), m_title(new QLabel), m_legend(new QLabel)
{
    m_normBox->addItem(tr("L1 norm"));
    m_normBox->addItem(tr("L2 norm"));
    m_normBox->setToolTip(tr("Norm of each kh × kw kernel W[o, c]"));
    m_groupedBox->setToolTip(tr("Sort filters by (group, index) and show each group's kept input channels "
                                "first, as the grouped convolution sees them"));
    auto *fit = new QToolButton;
    fit->setText(tr("Fit"));
    fit->setToolTip(tr("Show the whole layer (or double-click the plot)"));

    m_title->setTextFormat(Qt::RichText);
    m_title->setWordWrap(true);
    m_legend->setWordWrap(true);
    m_legend->setTextFormat(Qt::RichText);

    auto *controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Norm:")));
    controls->addWidget(m_normBox);
    controls->addSpacing(12);
    controls->addWidget(m_groupedBox);
    controls->addWidget(fit);
    controls->addStretch(1);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(m_title);
    layout->addLayout(controls);
    layout->addWidget(m_plot, 1);
    layout->addWidget(m_legend);

    m_plot->setObjectName(QStringLiteral("kernelHeatmapPlot"));
    m_plot->setMouseTracking(true); // hover tooltips without a pressed button
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->yAxis->setRangeReversed(true); // matrix convention: filter 0 on top
    m_plot->xAxis->setTickLabelPadding(3);
    m_map = new QCPColorMap(m_plot->xAxis, m_plot->yAxis);
    m_map->setData(new DirectColorMapData, false);
    m_map->setGradient(mapGradient());
    m_map->setDataRange(QCPRange(0.0, 1.0)); // the encoding's range; the scale shows the norms
    m_map->setInterpolate(false);            // one kernel, one flat cell
    m_map->setTightBoundary(false);
    m_scale = new QCPColorScale(m_plot);
    m_scale->setType(QCPAxis::atRight);
    m_scale->setBarWidth(14);
    m_plot->plotLayout()->addElement(0, 1, m_scale);
    m_scale->setGradient(scaleGradient()); // not linked to the map: it shows the kept band only
    auto *margins = new QCPMarginGroup(m_plot);
    m_plot->axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
    m_scale->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
    m_plot->axisRect()->setBackground(palette().color(QPalette::Base));

    connect(m_normBox, &QComboBox::currentIndexChanged, this,
            [this](int index) { setNorm(index == 1 ? gkp::Norm::L2 : gkp::Norm::L1); });
    connect(m_groupedBox, &QCheckBox::toggled, this, &KernelHeatmapView::setGroupedOrder);
    connect(fit, &QToolButton::clicked, this, &KernelHeatmapView::resetRanges);
    connect(m_plot, &QCustomPlot::mouseDoubleClick, this, [this] { resetRanges(); });
    connect(m_plot, &QCustomPlot::mouseMove, this, &KernelHeatmapView::onMouseMove);

    connect(m_document, &Document::modelChanged, this, [this] {
        ++m_modelSerial; // norms still being computed for the old model are dropped
        m_normCache.clear();
        m_normPending.clear();
        m_layer = -1;
        rebuild();
    });
    connect(m_document, &Document::selectedLayerChanged, this, &KernelHeatmapView::rebuild);
    connect(m_document, &Document::planChanged, this, &KernelHeatmapView::rebuild);
    rebuild();
}

KernelHeatmapView::~KernelHeatmapView() = default;

int KernelHeatmapView::displayedRows() const
{
    return int(m_rows);
}

int KernelHeatmapView::displayedColumns() const
{
    return int(m_cols);
}

bool KernelHeatmapView::isGroupedOrder() const
{
    return m_wantGrouped && !m_mask.empty();
}

void KernelHeatmapView::setGroupedOrder(bool grouped)
{
    if (grouped == m_wantGrouped)
        return;
    m_wantGrouped = grouped;
    rebuild();
}

void KernelHeatmapView::setNorm(gkp::Norm norm)
{
    if (norm == m_norm)
        return;
    m_norm = norm;
    rebuild();
}

int KernelHeatmapView::sourceFilter(int row) const
{
    return m_rowSource.at(std::size_t(row));
}

int KernelHeatmapView::sourceChannel(int row, int col) const
{
    const int o = sourceFilter(row);
    const std::vector<int> &order =
        isGroupedOrder() ? m_colOrders.at(std::size_t(m_assignment[std::size_t(o)])) : m_colOrders.at(0);
    return order.at(std::size_t(col));
}

double KernelHeatmapView::cellValue(int row, int col) const
{
    const int o = sourceFilter(row), c = sourceChannel(row, col);
    return m_norms->values.at(std::size_t(o * m_cols + c));
}

bool KernelHeatmapView::cellKept(int row, int col) const
{
    if (m_mask.empty())
        return true;
    return m_mask.at(std::size_t(sourceFilter(row) * m_cols + sourceChannel(row, col))) != 0;
}

int KernelHeatmapView::cellGroup(int row) const
{
    return m_assignment.empty() ? -1 : m_assignment.at(std::size_t(sourceFilter(row)));
}

QString KernelHeatmapView::cellToolTip(int row, int col) const
{
    if (row < 0 || col < 0 || row >= m_rows || col >= m_cols)
        return {};
    QString text =
        tr("filter o = %1, input channel c = %2").arg(sourceFilter(row)).arg(sourceChannel(row, col));
    text += QLatin1Char('\n') + (m_norm == gkp::Norm::L1 ? tr("L1 norm = %1") : tr("L2 norm = %1"))
                                    .arg(cellValue(row, col), 0, 'g', 4);
    if (!m_mask.empty())
        text += QLatin1Char('\n') +
                (cellKept(row, col) ? tr("kept, group %1") : tr("pruned, group %1")).arg(cellGroup(row));
    return text;
}

QString KernelHeatmapView::note() const
{
    return m_note;
}

int KernelHeatmapView::normKey(int layer) const
{
    return layer * 2 + (m_norm == gkp::Norm::L2 ? 1 : 0);
}

bool KernelHeatmapView::isComputing() const
{
    const gkp::Model *model = m_document->model();
    const int layer = m_document->selectedLayer();
    return model && layer >= 0 && layer < int(model->inventory().layers.size()) &&
           m_normPending.contains(normKey(layer));
}

const gkp::KernelNorms *KernelHeatmapView::norms(int layer)
{
    const int key = normKey(layer);
    if (auto it = m_normCache.constFind(key); it != m_normCache.constEnd())
        return it.value().get();
    if (m_normPending.contains(key))
        return nullptr;
    std::shared_ptr<const gkp::Model> model = m_document->sharedModel();
    if (!model)
        return nullptr;
    m_normPending.insert(key);
    const gkp::Norm norm = m_norm;
    const quint64 serial = m_modelSerial;
    using Result = std::shared_ptr<const gkp::KernelNorms>;
    auto *watcher = new QFutureWatcher<Result>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, key, serial] {
        watcher->deleteLater();
        if (serial != m_modelSerial)
            return; // a model that has since been replaced
        m_normPending.remove(key);
        if (m_normCache.size() > 64) // bound the memory a long session can pin
            m_normCache.clear();
        m_normCache.insert(key, watcher->result());
        if (key == normKey(m_document->selectedLayer()))
            rebuild();
    });
    // The model is held by shared_ptr: opening another one cannot free it under the worker.
    watcher->setFuture(runInWorker([model, layer, norm]() -> Result {
        try {
            return std::make_shared<const gkp::KernelNorms>(gkp::kernelNorms(*model, layer, norm));
        } catch (const std::exception &) {
            return std::make_shared<const gkp::KernelNorms>(); // shown as an empty layer
        }
    }));
    return nullptr;
}

void KernelHeatmapView::rebuild()
{
    const gkp::Model *model = m_document->model();
    const int layer = m_document->selectedLayer();
    const int64_t oldRows = m_rows, oldCols = m_cols;
    const bool layerChanged = layer != m_layer;
    const bool wasGrouped = isGroupedOrder();
    m_layer = layer;
    m_norms = nullptr;
    m_mask.clear();
    m_assignment.clear();
    m_groups = m_keptPerGroup = 0;
    m_rows = m_cols = 0;
    m_rowSource.clear();
    m_colOrders.clear();
    m_note.clear();

    const bool validLayer = model && layer >= 0 && layer < int(model->inventory().layers.size());
    if (validLayer)
        m_norms = norms(layer);
    if (!validLayer) {
        m_title->setText(tr("No layer selected."));
    } else if (!m_norms) {
        m_title->setText(tr("<b>%1</b> — computing the kernel norms…")
                             .arg(QString::fromStdString(model->inventory().layers[std::size_t(layer)].name)
                                      .toHtmlEscaped()));
    } else {
        const gkp::ConvLayer &info = model->inventory().layers[std::size_t(layer)];
        m_rows = m_norms->out_channels;
        m_cols = m_norms->in_channels;
        const gkp::LayerPlan *plan = m_document->layerPlan(layer);
        if (plan && int64_t(plan->assignment.size()) == m_rows) {
            m_mask = gkp::kernelMask(*plan, m_cols);
            m_assignment = plan->assignment;
            m_groups = plan->groups;
            m_keptPerGroup = plan->kept_per_group;
        } else if (info.prunable && info.excluded_by_default && !m_document->settings().include_stem) {
            m_note =
                tr("Not pruned: this layer reads the network input and is excluded by default. Norms only, "
                   "no mask.");
        } else if (!info.prunable) {
            m_note = tr("Not prunable (%1): norms only, no mask.").arg(QString::fromStdString(info.reason));
        } else {
            m_note = tr("Not pruned by the current plan: norms only, no mask.");
        }
        QString title = tr("<b>%1</b> — %2 × %3 kernels")
                            .arg(QString::fromStdString(info.name).toHtmlEscaped())
                            .arg(m_rows)
                            .arg(m_cols);
        if (!m_mask.empty())
            title += tr(", G = %1, %2 of %3 input channels kept per group, retained energy %4 %")
                         .arg(m_groups)
                         .arg(m_keptPerGroup)
                         .arg(m_cols)
                         .arg(plan->retained_energy * 100.0, 0, 'f', 1);
        m_title->setText(title);
    }

    m_rowSource.resize(std::size_t(m_rows));
    std::iota(m_rowSource.begin(), m_rowSource.end(), 0);
    if (isGroupedOrder()) {
        // Filters by (group, index): the permutation P of the grouped-convolution view.
        std::stable_sort(m_rowSource.begin(), m_rowSource.end(), [this](int a, int b) {
            return m_assignment[std::size_t(a)] < m_assignment[std::size_t(b)];
        });
        const gkp::LayerPlan *plan = m_document->layerPlan(layer);
        m_colOrders.resize(std::size_t(m_groups));
        std::vector<uint8_t> isKept(static_cast<std::size_t>(m_cols));
        for (int g = 0; g < m_groups; ++g) {
            std::vector<int> &order = m_colOrders[std::size_t(g)];
            order = plan->kept[std::size_t(g)];
            std::fill(isKept.begin(), isKept.end(), 0);
            for (int c : order)
                isKept[std::size_t(c)] = 1;
            for (int c = 0; c < m_cols; ++c)
                if (!isKept[std::size_t(c)])
                    order.push_back(c);
        }
    } else {
        m_colOrders.assign(1, std::vector<int>(std::size_t(m_cols)));
        std::iota(m_colOrders[0].begin(), m_colOrders[0].end(), 0);
    }

    fillColorMap();
    updateDecorations();
    updateControls();
    if (layerChanged || oldRows != m_rows || oldCols != m_cols || wasGrouped != isGroupedOrder())
        resetRanges(); // rows mean something else now; a zoom into the old picture is meaningless
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void KernelHeatmapView::fillColorMap()
{
    m_map->setVisible(m_rows > 0);
    if (m_rows == 0)
        return;
    auto *data = static_cast<DirectColorMapData *>(m_map->data());
    const int rows = int(m_rows), cols = int(m_cols);
    data->setSize(cols, rows);
    data->setRange(QCPRange(0, cols - 1), QCPRange(0, rows - 1));
    const float *values = m_norms->values.data();
    const float top = std::max(*std::max_element(values, values + std::ptrdiff_t(rows) * cols), 1e-30f);
    m_scale->setDataRange(QCPRange(0.0, double(top)));
    const double keptScale = (1.0 - KeptBottom) / double(top), prunedScale = PrunedTop / double(top);
    double *cells = data->cells();
    const bool grouped = isGroupedOrder();
    for (int r = 0; r < rows; ++r) {
        const int o = m_rowSource[std::size_t(r)];
        const int *order =
            (grouped ? m_colOrders[std::size_t(m_assignment[std::size_t(o)])] : m_colOrders[0]).data();
        const float *src = values + std::ptrdiff_t(o) * cols;
        double *dst = cells + std::ptrdiff_t(r) * cols;
        if (m_mask.empty()) {
            for (int j = 0; j < cols; ++j)
                dst[j] = KeptBottom + keptScale * double(src[order[j]]);
        } else {
            const uint8_t *mask = m_mask.data() + std::ptrdiff_t(o) * cols;
            for (int j = 0; j < cols; ++j) {
                const int c = order[j];
                dst[j] = mask[c] ? KeptBottom + keptScale * double(src[c]) : prunedScale * double(src[c]);
            }
        }
    }
    data->setBounds(QCPRange(0.0, 1.0));
}

void KernelHeatmapView::updateDecorations()
{
    m_plot->clearItems();
    const bool grouped = isGroupedOrder();
    m_scale->axis()->setLabel(m_norm == gkp::Norm::L1 ? tr("kernel L1 norm  ‖W[o, c]‖₁")
                                                      : tr("kernel L2 norm  ‖W[o, c]‖₂"));
    if (grouped) {
        m_plot->xAxis->setLabel(
            tr("input channels of the row's group: kept (left of the line), then pruned"));
        m_plot->yAxis->setLabel(tr("output channel o (filter), sorted by group"));
    } else {
        m_plot->xAxis->setLabel(tr("input channel c"));
        m_plot->yAxis->setLabel(tr("output channel o (filter)"));
    }

    auto integerTicker = [] {
        QSharedPointer<QCPAxisTickerFixed> ticker(new QCPAxisTickerFixed);
        ticker->setTickStep(1.0);
        ticker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples); // never a tick between two kernels
        return ticker;
    };
    m_plot->xAxis->setTicker(integerTicker());
    m_plot->xAxis->setSubTicks(false); // nothing lies between two channels
    m_plot->yAxis->setSubTicks(false);
    // Group names on the row axis while they fit; with many small groups the lines say enough.
    if (grouped && m_groups <= 64) {
        QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
        const double size = double(m_rows) / double(m_groups);
        for (int g = 0; g < m_groups; ++g)
            ticker->addTick((g + 0.5) * size - 0.5, tr("g%1").arg(g));
        m_plot->yAxis->setTicker(ticker);
    } else {
        m_plot->yAxis->setTicker(integerTicker());
    }
    if (!grouped || m_groups > 256) // hundreds of lines would hide the cells they separate
        return;

    const QPen groupPen(QColor(0x20, 0x20, 0x20), 1.5);
    for (int r = 1; r < m_rows; ++r) {
        if (cellGroup(r) == cellGroup(r - 1))
            continue;
        auto *line = new QCPItemStraightLine(m_plot);
        line->setPen(groupPen);
        line->point1->setCoords(0, r - 0.5);
        line->point2->setCoords(1, r - 0.5);
    }
    if (m_keptPerGroup < m_cols) {
        auto *split = new QCPItemStraightLine(m_plot);
        split->setPen(QPen(QColor(0xd0, 0x20, 0x20), 2.0, Qt::DashLine));
        split->point1->setCoords(m_keptPerGroup - 0.5, 0);
        split->point2->setCoords(m_keptPerGroup - 0.5, 1);
    }
}

void KernelHeatmapView::updateControls()
{
    const bool masked = !m_mask.empty();
    m_groupedBox->setEnabled(masked);
    {
        const QSignalBlocker block(m_groupedBox); // the wish survives layers without a plan
        m_groupedBox->setChecked(m_wantGrouped && masked);
    }
    {
        const QSignalBlocker block(m_normBox);
        m_normBox->setCurrentIndex(m_norm == gkp::Norm::L2 ? 1 : 0);
    }
    if (m_rows == 0) {
        m_legend->clear();
    } else if (!masked) {
        m_legend->setText(m_note);
    } else {
        QString text = tr("<b>Coloured</b> cells: kept kernels (colour = norm, see the scale). "
                          "<b>Grey</b> cells: pruned kernels (darker grey = larger norm).");
        if (isGroupedOrder())
            text += QLatin1Char(' ') + tr("Black lines separate filter groups; the red dashed line separates "
                                          "each group's kept input channels from its pruned ones.");
        m_legend->setText(text);
    }
}

void KernelHeatmapView::resetRanges()
{
    m_plot->xAxis->setRange(-0.5, std::max<int64_t>(m_cols, 1) - 0.5);
    m_plot->yAxis->setRange(-0.5, std::max<int64_t>(m_rows, 1) - 0.5);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void KernelHeatmapView::onMouseMove(QMouseEvent *event)
{
    const QPointF pos = event->position();
    const int col = qRound(m_plot->xAxis->pixelToCoord(pos.x()));
    const int row = qRound(m_plot->yAxis->pixelToCoord(pos.y()));
    const QString text =
        m_plot->axisRect()->rect().contains(pos.toPoint()) ? cellToolTip(row, col) : QString();
    if (text.isEmpty())
        QToolTip::hideText();
    else
        QToolTip::showText(event->globalPosition().toPoint(), text, m_plot);
}
