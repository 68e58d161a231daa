#include "kernelheatmapview.h"

#include "document.h"
#include "model/model.h"
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

// The frame's picture as a plottable: cell (row r, column j) covers [j - 0.5, j + 0.5] x
// [r - 0.5, r + 0.5]. Drawing is one scaled blit (nearest neighbour) of the prepared image.
class KernelHeatmapView::ImagePlottable : public QCPAbstractPlottable
{
public:
    explicit ImagePlottable(QCPAxis *keyAxis, QCPAxis *valueAxis) : QCPAbstractPlottable(keyAxis, valueAxis)
    {
        setSelectable(QCP::stNone);
    }
    void setImage(const QImage &image) { m_image = image; }

    double selectTest(const QPointF &, bool, QVariant * = nullptr) const override { return -1.0; }
    QCPRange getKeyRange(bool &foundRange, QCP::SignDomain = QCP::sdBoth) const override
    {
        foundRange = !m_image.isNull();
        return QCPRange(-0.5, m_image.width() - 0.5);
    }
    QCPRange getValueRange(bool &foundRange, QCP::SignDomain = QCP::sdBoth, const QCPRange & = QCPRange()) const override
    {
        foundRange = !m_image.isNull();
        return QCPRange(-0.5, m_image.height() - 0.5);
    }

protected:
    void draw(QCPPainter *painter) override
    {
        if (m_image.isNull())
            return;
        // The view's y axis is reversed (filter 0 on top), so the image's first row goes on top.
        const QRectF target(coordsToPixels(-0.5, -0.5), coordsToPixels(m_image.width() - 0.5, m_image.height() - 0.5));
        painter->save();
        painter->setRenderHint(QPainter::SmoothPixmapTransform, false); // one kernel, one flat cell
        painter->drawImage(target, m_image);
        painter->restore();
    }
    void drawLegendIcon(QCPPainter *, const QRectF &) const override {}

private:
    QImage m_image;
};

struct KernelHeatmapView::Request
{
    int layer = -1;
    gkp::Norm norm = gkp::Norm::L1;
    bool grouped = false;
    std::optional<gkp::LayerPlan> plan;
    QString note; // why the layer has no mask, if it has none
};

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
    m_image = new ImagePlottable(m_plot->xAxis, m_plot->yAxis);
    m_scale = new QCPColorScale(m_plot);
    m_scale->setType(QCPAxis::atRight);
    m_scale->setBarWidth(14);
    m_plot->plotLayout()->addElement(0, 1, m_scale);
    m_scale->setGradient(keptGradient()); // the kept kernels' colours; pruned ones are grey
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
    return int(m_frame->rows);
}

int KernelHeatmapView::displayedColumns() const
{
    return int(m_frame->cols);
}

bool KernelHeatmapView::isGroupedOrder() const
{
    return m_frame->grouped;
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
    return m_frame->rowSource.at(std::size_t(row));
}

int KernelHeatmapView::sourceChannel(int row, int col) const
{
    return m_frame->sourceChannel(row, col);
}

double KernelHeatmapView::cellValue(int row, int col) const
{
    return m_frame->value(row, col);
}

bool KernelHeatmapView::cellKept(int row, int col) const
{
    return m_frame->kept(row, col);
}

int KernelHeatmapView::cellGroup(int row) const
{
    return m_frame->assignment.empty() ? -1 : m_frame->assignment.at(std::size_t(sourceFilter(row)));
}

QString KernelHeatmapView::cellToolTip(int row, int col) const
{
    if (row < 0 || col < 0 || row >= m_frame->rows || col >= m_frame->cols)
        return {};
    QString text =
        tr("filter o = %1, input channel c = %2").arg(sourceFilter(row)).arg(sourceChannel(row, col));
    text += QLatin1Char('\n') + (m_frame->norm == gkp::Norm::L1 ? tr("L1 norm = %1") : tr("L2 norm = %1"))
                                    .arg(cellValue(row, col), 0, 'g', 4);
    if (hasMask())
        text += QLatin1Char('\n') +
                (cellKept(row, col) ? tr("kept, group %1") : tr("pruned, group %1")).arg(cellGroup(row));
    return text;
}

QString KernelHeatmapView::note() const
{
    return m_note;
}

int KernelHeatmapView::normKey(int layer, gkp::Norm norm) const
{
    return layer * 2 + (norm == gkp::Norm::L2 ? 1 : 0);
}

bool KernelHeatmapView::isComputing() const
{
    return m_building || m_buildPending;
}

void KernelHeatmapView::rebuild()
{
    if (m_building) {
        m_buildPending = true; // one more build when this one is done, with the state of then
        return;
    }
    startBuild();
}

void KernelHeatmapView::startBuild()
{
    m_buildPending = false;
    std::shared_ptr<const gkp::Model> model = m_document->sharedModel();
    Request request;
    request.layer = m_document->selectedLayer();
    request.norm = m_norm;
    request.grouped = m_wantGrouped;
    if (!model || request.layer < 0 || request.layer >= int(model->inventory().layers.size())) {
        adopt(Request{}, std::make_shared<const HeatmapFrame>());
        return;
    }
    const gkp::ConvLayer &info = model->inventory().layers[std::size_t(request.layer)];
    if (const gkp::LayerPlan *plan = m_document->layerPlan(request.layer))
        request.plan = *plan; // a copy: the document may replan while the worker runs
    else if (info.prunable && info.excluded_by_default && !m_document->settings().include_stem)
        request.note = tr("Not pruned: this layer reads the network input and is excluded by default. Norms only, "
                          "no mask.");
    else if (!info.prunable)
        request.note = tr("Not prunable (%1): norms only, no mask.").arg(QString::fromStdString(info.reason));
    else
        request.note = tr("Not pruned by the current plan: norms only, no mask.");

    const int key = normKey(request.layer, request.norm);
    std::shared_ptr<const gkp::KernelNorms> norms = m_normCache.value(key);
    if (!norms && request.layer != m_layer) {
        // A pass over all weights first: say so rather than show the previous layer meanwhile.
        adopt(Request{}, std::make_shared<const HeatmapFrame>());
        m_title->setText(tr("<b>%1</b> — computing the kernel norms…")
                             .arg(QString::fromStdString(info.name).toHtmlEscaped()));
    }

    m_building = true;
    const quint64 serial = m_modelSerial;
    using Result = std::shared_ptr<const HeatmapFrame>;
    auto *watcher = new QFutureWatcher<Result>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, request, key, serial] {
        watcher->deleteLater();
        m_building = false;
        if (serial == m_modelSerial) { // else built from a model that has since been replaced
            const Result frame = watcher->result();
            if (m_normCache.size() > 64) // bound the memory a long session can pin
                m_normCache.clear();
            m_normCache.insert(key, frame->norms);
            // A newer request may be waiting; this frame is still newer than what is shown, which
            // keeps a dragged slider live. Only a frame of another layer than the selected waits.
            if (request.layer == m_document->selectedLayer())
                adopt(request, frame);
        }
        if (m_buildPending)
            startBuild();
    });
    // The model is held by shared_ptr: opening another one cannot free it under the worker.
    watcher->setFuture(runInWorker([model, request, norms]() -> Result {
        std::shared_ptr<const gkp::KernelNorms> n = norms;
        if (!n) {
            try {
                n = std::make_shared<const gkp::KernelNorms>(gkp::kernelNorms(*model, request.layer, request.norm));
            } catch (const std::exception &) {
                n = std::make_shared<const gkp::KernelNorms>(); // shown as an empty layer
            }
        }
        auto frame = std::make_shared<HeatmapFrame>(buildHeatmapFrame(n, request.plan, request.grouped));
        frame->norm = request.norm;
        return frame;
    }));
}

void KernelHeatmapView::adopt(const Request &request, std::shared_ptr<const HeatmapFrame> frame)
{
    const bool reframe = request.layer != m_layer || frame->rows != m_frame->rows ||
                         frame->cols != m_frame->cols || frame->grouped != m_frame->grouped;
    m_layer = request.layer;
    m_frame = std::move(frame);
    m_note = m_frame->hasMask() ? QString() : request.note;
    m_image->setImage(m_frame->image);
    m_scale->setDataRange(QCPRange(0.0, std::max(double(m_frame->top), 1e-30)));
    showTitle(request);
    updateDecorations();
    updateControls();
    if (reframe)
        resetRanges(); // rows mean something else now; a zoom into the old picture is meaningless
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void KernelHeatmapView::showTitle(const Request &request)
{
    const gkp::Model *model = m_document->model();
    if (request.layer < 0 || !model) {
        m_title->setText(tr("No layer selected."));
        return;
    }
    const gkp::ConvLayer &info = model->inventory().layers[std::size_t(request.layer)];
    QString title = tr("<b>%1</b> — %2 × %3 kernels")
                        .arg(QString::fromStdString(info.name).toHtmlEscaped())
                        .arg(m_frame->rows)
                        .arg(m_frame->cols);
    if (hasMask())
        title += tr(", G = %1, %2 of %3 input channels kept per group, retained energy %4 %")
                     .arg(m_frame->groups)
                     .arg(m_frame->keptPerGroup)
                     .arg(m_frame->cols)
                     .arg(request.plan->retained_energy * 100.0, 0, 'f', 1);
    m_title->setText(title);
}

void KernelHeatmapView::updateDecorations()
{
    m_plot->clearItems();
    const bool grouped = isGroupedOrder();
    m_scale->axis()->setLabel(m_frame->norm == gkp::Norm::L1 ? tr("kernel L1 norm  ‖W[o, c]‖₁")
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
    if (grouped && m_frame->groups <= 64) {
        QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
        const double size = double(m_frame->rows) / double(m_frame->groups);
        for (int g = 0; g < m_frame->groups; ++g)
            ticker->addTick((g + 0.5) * size - 0.5, tr("g%1").arg(g));
        m_plot->yAxis->setTicker(ticker);
    } else {
        m_plot->yAxis->setTicker(integerTicker());
    }
    if (!grouped || m_frame->groups > 256) // hundreds of lines would hide the cells they separate
        return;

    const QPen groupPen(QColor(0x20, 0x20, 0x20), 1.5);
    for (int r = 1; r < m_frame->rows; ++r) {
        if (cellGroup(r) == cellGroup(r - 1))
            continue;
        auto *line = new QCPItemStraightLine(m_plot);
        line->setPen(groupPen);
        line->point1->setCoords(0, r - 0.5);
        line->point2->setCoords(1, r - 0.5);
    }
    if (m_frame->keptPerGroup < m_frame->cols) {
        auto *split = new QCPItemStraightLine(m_plot);
        split->setPen(QPen(QColor(0xd0, 0x20, 0x20), 2.0, Qt::DashLine));
        split->point1->setCoords(m_frame->keptPerGroup - 0.5, 0);
        split->point2->setCoords(m_frame->keptPerGroup - 0.5, 1);
    }
}

void KernelHeatmapView::updateControls()
{
    const bool masked = hasMask();
    m_groupedBox->setEnabled(masked);
    {
        const QSignalBlocker block(m_groupedBox); // the wish survives layers without a plan
        m_groupedBox->setChecked(m_wantGrouped && masked);
    }
    {
        const QSignalBlocker block(m_normBox);
        m_normBox->setCurrentIndex(m_norm == gkp::Norm::L2 ? 1 : 0);
    }
    if (m_frame->rows == 0) {
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
    m_plot->xAxis->setRange(-0.5, std::max<int64_t>(m_frame->cols, 1) - 0.5);
    m_plot->yAxis->setRange(-0.5, std::max<int64_t>(m_frame->rows, 1) - 0.5);
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
