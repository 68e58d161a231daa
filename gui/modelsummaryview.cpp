#include "modelsummaryview.h"

#include "document.h"
#include "layertablemodel.h"
#include "model/model.h"
#include "qcustomplotcompat.h"

#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QToolTip>

#include <algorithm>
#include <cmath>
#include <vector>

namespace {

const QColor BeforeColour(0xb9, 0xd3, 0xee); // light: what the unpruned layer costs
const QColor AfterColour(0x1f, 0x4e, 0x89);  // dark: what is left after pruning
const QColor SelectionColour(0xff, 0xe8, 0x8c);

// Below this plot height the axis shows layer numbers instead of rotated names.
constexpr int NamedTicksMinHeight = 360;

QString shortName(const std::string &name)
{
    const QString s = QString::fromStdString(name);
    return s.size() <= 20 ? s : QStringLiteral("…") + s.right(19);
}

QString percent(double fraction)
{
    return QLocale().toString(fraction * 100.0, 'f', 1) + QStringLiteral(" %");
}

} // namespace

ModelSummaryView::ModelSummaryView(Document *document, QWidget *parent)
    : QWidget(parent), m_document(document), m_plot(new QCustomPlot), m_totals(new QLabel)
{
    m_plot->setObjectName(QStringLiteral("summaryPlot"));
    m_plot->setMouseTracking(true);
    m_plot->setMinimumSize(300, 180);
    m_plot->addLayer(QStringLiteral("selection"), m_plot->layer(QStringLiteral("main")), QCustomPlot::limBelow);
    // Its own paint buffer: selecting another layer redraws the highlight only, not the bars.
    m_plot->layer(QStringLiteral("selection"))->setMode(QCPLayer::lmBuffered);

    m_selection = new QCPItemRect(m_plot);
    m_selection->setLayer(QStringLiteral("selection"));
    m_selection->setPen(Qt::NoPen);
    m_selection->setBrush(SelectionColour);
    m_selection->setVisible(false);

    m_barsBefore = new QCPBars(m_plot->xAxis, m_plot->yAxis);
    m_barsBefore->setName(tr("before pruning"));
    m_barsBefore->setPen(QPen(BeforeColour.darker(130)));
    m_barsBefore->setBrush(BeforeColour);
    m_barsBefore->setWidth(0.8);
    // Drawn over the "before" bars at the same x: the light part left visible is what pruning removes.
    m_barsAfter = new QCPBars(m_plot->xAxis, m_plot->yAxis);
    m_barsAfter->setName(tr("after pruning"));
    m_barsAfter->setPen(Qt::NoPen);
    m_barsAfter->setBrush(AfterColour);
    m_barsAfter->setWidth(0.8);

    m_plot->legend->setVisible(true);
    m_plot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst); // one row: low, over the headroom
    m_plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    m_plot->xAxis->setLabel(tr("convolution (execution order)"));
    m_plot->xAxis->grid()->setVisible(false);
    m_plot->xAxis->setTickLabelRotation(-60);
    m_plot->xAxis->setSubTicks(false);
    // Wheel zooms and drag pans along the layers only: with 50+ layers, zoom in to read the names.
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->axisRect()->setRangeDrag(Qt::Horizontal);
    m_plot->axisRect()->setRangeZoom(Qt::Horizontal);
    m_plot->setToolTip(tr("Click a bar to select its layer; wheel to zoom, drag to scroll, double-click to fit"));

    m_totals->setObjectName(QStringLiteral("totalsPanel"));
    m_totals->setTextFormat(Qt::RichText);
    m_totals->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_totals->setWordWrap(true);
    m_totals->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_totals->setFixedWidth(totalsWidth());
    m_totals->setToolTip(tr("Size: the model file as loaded, and an estimate of the deploy export: kept "
                            "parameters × 4 bytes, plus the file's own code and metadata, plus the int64 "
                            "channel indices the grouped convolutions gather with"));

    auto *layout = new QHBoxLayout(this);
    layout->addWidget(m_plot, 1);
    layout->addWidget(m_totals);

    connect(m_plot, &QCustomPlot::mouseMove, this, [this](QMouseEvent *e) { onMouseMove(e->pos()); });
    connect(m_plot, &QCustomPlot::mouseDoubleClick, this, [this] {
        m_plot->xAxis->setRange(-0.7, std::max(barCount(), 1) - 0.3);
        m_plot->replot(QCustomPlot::rpQueuedReplot);
    });
    connect(m_plot->xAxis, qOverload<const QCPRange &>(&QCPAxis::rangeChanged), this, [this] {
        clampRange();
        updateTicks();
    });
    connect(m_plot, &QCustomPlot::afterLayout, this, &ModelSummaryView::updateTicks); // axis width known
    connect(m_plot, &QCustomPlot::mousePress, this, [this](QMouseEvent *e) { m_pressPos = e->pos(); });
    connect(m_plot, &QCustomPlot::mouseRelease, this, [this](QMouseEvent *e) {
        // A click, not the end of a drag that scrolled the layers.
        if (e->button() == Qt::LeftButton && (e->pos() - m_pressPos).manhattanLength() <= 4)
            onClick(e->pos());
    });
    connect(m_document, &Document::modelChanged, this, [this] {
        const gkp::Model *model = m_document->model();
        m_fileBytes = model ? QFileInfo(QString::fromStdString(model->path())).size() : 0;
        rebuild();
        m_plot->xAxis->setRange(-0.7, std::max(barCount(), 1) - 0.3); // a new model: show all of it
    });
    connect(m_document, &Document::planChanged, this, &ModelSummaryView::rebuild);
    connect(m_document, &Document::settingsChanged, this, &ModelSummaryView::updateTotals);
    connect(m_document, &Document::planningStarted, this, &ModelSummaryView::updateTotals);
    connect(m_document, &Document::planningFailed, this, &ModelSummaryView::updateTotals);
    connect(m_document, &Document::selectedLayerChanged, this, [this] {
        updateSelection();
        m_plot->layer(QStringLiteral("selection"))->replot();
    });
    rebuild();
}

int ModelSummaryView::totalsWidth() const
{
    // The totals table with every row on one line, in the UI's language (German row names are
    // much longer than the English ones) and with the widest figures: "000.00 MiB → 000.00 MiB".
    const QFontMetrics fm = m_totals->fontMetrics();
    const QString size = QStringLiteral("000.00 MiB"), count = QStringLiteral("000");
    const auto widest = [&fm](std::initializer_list<QString> texts) {
        int w = 0;
        for (const QString &t : texts)
            w = std::max(w, fm.horizontalAdvance(t));
        return w;
    };
    const int labels = widest({tr("Conv MACs"), tr("MACs (deployed)"), tr("Parameters"),
                               tr("Size (deploy, est.)"), tr("Pruned layers")});
    const int values = widest({tr("%1 → %2").arg(size, size), tr("%1 of %2 prunable").arg(count, count)});
    const int changes = widest({tr("−%1").arg(percent(0.999)), tr("%1 convs").arg(count)});
    return labels + values + changes + 3 * 2 * 2 /* cell padding */ + fm.horizontalAdvance(QStringLiteral("    ")) + 8;
}

QWidget *ModelSummaryView::plotWidget() const
{
    return m_plot;
}

bool ModelSummaryView::isComputing() const
{
    // Right after an edit the plan is stale even before the (coalesced) planning starts.
    return m_document->model() && (m_document->isPlanning() || !m_document->isPlanCurrent());
}

void ModelSummaryView::rebuild()
{
    m_before.clear();
    m_after.clear();
    const gkp::Model *model = m_document->model();
    double peak = 0;
    if (model) {
        for (const gkp::ConvLayer &l : model->inventory().layers) {
            const gkp::LayerPlan *lp = m_document->layerPlan(l.index);
            m_before.push_back(double(l.macs));
            m_after.push_back(lp ? double(lp->macs_after) : double(l.macs));
            peak = std::max(peak, double(l.macs));
        }
    }
    const int n = int(m_before.size());
    m_tickStep = 0; // relabel

    // Axis in K/M/G MACs so tick labels stay short.
    m_scale = 1;
    QString label = tr("MACs / image");
    if (peak >= 1e9) {
        m_scale = 1e9;
        label = tr("MACs / image (G)");
    } else if (peak >= 1e6) {
        m_scale = 1e6;
        label = tr("MACs / image (M)");
    } else if (peak >= 1e3) {
        m_scale = 1e3;
        label = tr("MACs / image (K)");
    }
    m_plot->yAxis->setLabel(label);
    QVector<double> x, before, after;
    for (int i = 0; i < n; ++i) {
        x.append(i);
        before.append(m_before[std::size_t(i)] / m_scale);
        after.append(m_after[std::size_t(i)] / m_scale);
    }
    m_barsBefore->setData(x, before, true);
    m_barsAfter->setData(x, after, true);
    clampRange();
    updateTicks();
    m_plot->yAxis->setRange(0, std::max(peak / m_scale, 1e-9) * 1.5); // headroom for the legend (one row, top right)
    updateSelection();
    updateTotals();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void ModelSummaryView::updateSelection()
{
    const int layer = m_document->selectedLayer();
    const bool visible = layer >= 0 && layer < barCount();
    m_selection->setVisible(visible);
    if (visible) {
        m_selection->topLeft->setCoords(layer - 0.5, m_plot->yAxis->range().upper);
        m_selection->bottomRight->setCoords(layer + 0.5, 0);
    }
}

void ModelSummaryView::updateTotals()
{
    const gkp::Model *model = m_document->model();
    if (!model) {
        m_totalBefore = m_totalAfter = 0;
        m_exportBytes = 0;
        m_totalsPlain = tr("No model");
        m_totals->setText(tr("<b>No model</b><p>Open a TorchScript model (<b>File ▸ Open Model</b>) "
                             "saved with <code>torch.jit.script</code> or <code>torch.jit.trace</code>, or an "
                             "ONNX model from any framework, or drop a <code>.pt</code> or <code>.onnx</code> "
                             "file on this window.</p>"));
        return;
    }
    const gkp::Inventory &inv = model->inventory();
    const gkp::Plan &plan = m_document->plan();
    // Until the first plan arrives (macs_before == 0), "after" is the unpruned model.
    const bool planned = plan.totals.macs_before > 0;
    gkp::PlanTotals t = plan.totals;
    if (!planned) {
        t.macs_before = t.macs_after = inv.totals.conv_macs;
        t.params_before = t.params_after = inv.totals.params;
    }
    m_totalBefore = double(t.macs_before);
    m_totalAfter = double(t.macs_after);
    // The deploy export keeps the file's code and metadata (its size beyond the float32 weights),
    // stores the kept weights, and adds int64 gather indices (G x m per pruned layer) plus at most
    // one output permutation (Cout) per layer.
    const qint64 overhead = std::max<qint64>(0, m_fileBytes - qint64(t.params_before) * 4);
    qint64 indices = 0;
    if (planned)
        for (const gkp::LayerPlan &lp : plan.layers)
            indices += (lp.gather_width + qint64(lp.assignment.size())) * 8;
    m_exportBytes = qint64(t.params_after) * 4 + overhead + indices;
    const double sizeReduction = m_fileBytes > 0 ? 1.0 - double(m_exportBytes) / double(m_fileBytes) : 0.0;
    const QLocale locale;
    const int pruned = planned ? int(plan.layers.size()) : 0;

    const auto change = [planned](double reduction) {
        return planned ? tr("−%1").arg(percent(reduction)) : QString(); // nothing to compare before a plan
    };
    struct Row
    {
        QString label, value, change;
    };
    std::vector<Row> rows = {
        {tr("Conv MACs"), tr("%1 → %2").arg(humanCount(m_totalBefore), humanCount(m_totalAfter)),
         change(t.macsReduction())},
        {tr("Parameters"), tr("%1 → %2").arg(humanCount(double(t.params_before)), humanCount(double(t.params_after))),
         change(t.paramsReduction())},
        {tr("Size (deploy, est.)"),
         tr("%1 → %2").arg(locale.formattedDataSize(m_fileBytes), locale.formattedDataSize(m_exportBytes)),
         change(sizeReduction)},
        {tr("Pruned layers"), tr("%1 of %2 prunable").arg(pruned).arg(inv.totals.prunable),
         tr("%1 convs").arg(inv.totals.convs)},
    };
    if (planned && t.deploy_macs_after != t.macs_after) // sole producers compute only what is read
        rows.insert(rows.begin() + 1,
                    {tr("MACs (deployed)"),
                     tr("%1 → %2").arg(humanCount(m_totalBefore), humanCount(double(t.deploy_macs_after))),
                     change(t.deployMacsReduction())});
    // One line per figure; non-breaking spaces keep "a → b" together when the dock is narrow.
    const auto keep = [](const QString &text) { return text.toHtmlEscaped().replace(u' ', QChar(0x00A0)); };
    QString html = tr("<b>%1</b>").arg(QFileInfo(QString::fromStdString(model->path())).fileName().toHtmlEscaped());
    // the core names where the example input shape came from; say it in the UI's language
    QString source = QString::fromStdString(inv.input_shape_source);
    if (inv.input_shape_source == "archive")
        source = tr("stored in the archive");
    else if (inv.input_shape_source == "command line")
        source = tr("as given");
    else if (inv.input_shape_source == "default")
        source = tr("default");
    html += tr("<br>Input %1 (%2)")
                .arg(QString::fromStdString(gkp::formatShape(inv.input_shape, 'x')).toHtmlEscaped(),
                     source.toHtmlEscaped());
    QString plain;
    if (isComputing()) {
        html += tr("<br><i>Computing the plan…</i>");
        plain += tr("Computing the plan…") + u'\n';
    } else if (!planned) {
        html += tr("<br><i>No plan yet.</i>");
        plain += tr("No plan yet.") + u'\n';
    }
    html += QStringLiteral("<table cellspacing=0 cellpadding=2 style='margin-top:4px'>");
    for (const Row &r : rows) {
        html += QStringLiteral("<tr><td>%1</td><td>%2</td><td align=right>%3</td></tr>")
                    .arg(keep(r.label), keep(r.value), keep(r.change));
        plain += QStringLiteral("%1: %2 %3").arg(r.label, r.value, r.change).trimmed() + u'\n';
    }
    html += QStringLiteral("</table>");
    for (const std::string &note : inv.notes)
        html += tr("<p><i>Note: %1</i></p>").arg(QString::fromStdString(note).toHtmlEscaped());
    if (planned && !plan.note.empty()) { // how latency-aware planning chose between whole files
        html += QStringLiteral("<p><i>%1</i></p>").arg(QString::fromStdString(plan.note).toHtmlEscaped());
        plain += QString::fromStdString(plan.note) + u'\n';
    }
    m_totals->setText(html);
    m_totalsPlain = plain.trimmed();
}

double ModelSummaryView::barMacsBefore(int layer) const
{
    auto it = m_barsBefore->data()->findBegin(layer, false);
    return it != m_barsBefore->data()->constEnd() && it->key == layer ? it->value * m_scale : -1.0;
}

double ModelSummaryView::barMacsAfter(int layer) const
{
    auto it = m_barsAfter->data()->findBegin(layer, false);
    return it != m_barsAfter->data()->constEnd() && it->key == layer ? it->value * m_scale : -1.0;
}

QString ModelSummaryView::barLabel(int layer) const
{
    auto *names = dynamic_cast<QCPAxisTickerText *>(m_plot->xAxis->ticker().data());
    return names ? names->ticks().value(layer) : QString();
}

void ModelSummaryView::clampRange()
{
    // Never scroll past the layers or zoom out beyond all of them.
    const double lo = -0.7, hi = std::max(barCount(), 1) - 0.3;
    QCPRange r = m_plot->xAxis->range();
    const double size = std::min(std::max(r.size(), 3.0), hi - lo);
    double start = std::clamp(r.lower, lo, hi - size);
    const QCPRange clamped(start, start + size);
    if (std::abs(clamped.lower - r.lower) > 1e-9 || std::abs(clamped.upper - r.upper) > 1e-9) {
        const QSignalBlocker block(m_plot->xAxis);
        m_plot->xAxis->setRange(clamped);
    }
}

void ModelSummaryView::updateTicks()
{
    // Names need room under the axis (rotated, up to 20 characters); in a short dock the bars
    // would be squashed, so layer numbers (the table's # column) stand in and the tooltip names
    // the layer. Either way every label the width allows: names need about a line height each.
    const bool names = m_plot->height() >= NamedTicksMinHeight;
    const int room = names ? fontMetrics().height() + 2 : fontMetrics().horizontalAdvance(QStringLiteral("000")) + 6;
    const double perBar = m_plot->axisRect()->width() / std::max(m_plot->xAxis->range().size(), 1.0);
    const int step = std::max(1, int(std::ceil(room / std::max(perBar, 1e-3))));
    const int key = names ? step : -step;
    if (key == m_tickStep)
        return;
    m_tickStep = key;
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    if (const gkp::Model *model = m_document->model())
        for (const gkp::ConvLayer &l : model->inventory().layers)
            if (l.index % step == 0)
                ticker->addTick(l.index, names ? shortName(l.name) : QString::number(l.index));
    m_plot->xAxis->setTicker(ticker);
    m_plot->xAxis->setTickLabelRotation(names ? -60 : 0); // the end of each name under its bar
    m_plot->xAxis->setLabel(names ? tr("convolution (execution order)") : tr("convolution # (execution order)"));
    m_plot->replot(QCustomPlot::rpQueuedReplot); // the new labels show on the next draw
}

int ModelSummaryView::barAt(const QPoint &pos) const
{
    if (!m_plot->axisRect()->rect().contains(pos))
        return -1;
    const double x = m_plot->xAxis->pixelToCoord(pos.x());
    const int i = qRound(x);
    return i >= 0 && i < barCount() && std::abs(x - i) <= 0.5 ? i : -1;
}

QPoint ModelSummaryView::barCentre(int layer) const
{
    return QPoint(qRound(m_plot->xAxis->coordToPixel(layer)),
                  qRound(m_plot->yAxis->coordToPixel(m_before.at(std::size_t(layer)) / m_scale / 2)));
}

QString ModelSummaryView::barToolTip(int layer) const
{
    const gkp::ConvLayer &l = m_document->model()->inventory().layers.at(std::size_t(layer));
    const double before = m_before.at(std::size_t(layer)), after = m_after.at(std::size_t(layer));
    QString status;
    if (!l.prunable)
        status = tr("not prunable: %1").arg(QString::fromStdString(l.reason));
    else if (!m_document->layerPlan(layer))
        status = tr("not pruned");
    else
        status = tr("pruned: −%1 MACs").arg(percent(before > 0 ? 1.0 - after / before : 0.0));
    return tr("%1 (layer %2)\nbefore: %3 MACs\nafter: %4 MACs\n%5")
        .arg(QString::fromStdString(l.name))
        .arg(layer)
        .arg(humanCount(before), humanCount(after), status);
}

void ModelSummaryView::onMouseMove(const QPoint &pos)
{
    const int layer = barAt(pos);
    if (layer >= 0)
        QToolTip::showText(m_plot->mapToGlobal(pos), barToolTip(layer), m_plot);
    else
        QToolTip::hideText();
}

void ModelSummaryView::onClick(const QPoint &pos)
{
    const int layer = barAt(pos);
    if (layer >= 0)
        m_document->setSelectedLayer(layer);
}
