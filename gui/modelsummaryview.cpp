#include "modelsummaryview.h"

#include "document.h"
#include "layertablemodel.h"
#include "model.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QToolTip>
#include <qcustomplot.h>

#include <algorithm>

namespace {

const QColor BeforeColour(0xb9, 0xd3, 0xee); // light: what the unpruned layer costs
const QColor AfterColour(0x1f, 0x4e, 0x89);  // dark: what is left after pruning
const QColor SelectionColour(0xff, 0xe8, 0x8c);

// Up to this many layers every bar gets its name as a tick label; beyond, indices only (the
// tooltip still names the layer) so labels never overlap.
constexpr int MaxNamedTicks = 32;

QString shortName(const std::string &name)
{
    const QString s = QString::fromStdString(name);
    return s.size() <= 16 ? s : QStringLiteral("…") + s.right(15);
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
    m_plot->setMinimumSize(300, 200);
    m_plot->addLayer(QStringLiteral("selection"), m_plot->layer(QStringLiteral("main")), QCustomPlot::limBelow);

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
    m_plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    m_plot->xAxis->setLabel(tr("convolution (execution order)"));
    m_plot->xAxis->grid()->setVisible(false);
    m_plot->xAxis->setTickLabelRotation(60);

    m_totals->setObjectName(QStringLiteral("totalsPanel"));
    m_totals->setTextFormat(Qt::RichText);
    m_totals->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_totals->setWordWrap(true);
    m_totals->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_totals->setFixedWidth(fontMetrics().averageCharWidth() * 36); // fits "000.00 MB → 000.00 MB  −00.0 %"

    auto *layout = new QHBoxLayout(this);
    layout->addWidget(m_plot, 1);
    layout->addWidget(m_totals);

    connect(m_plot, &QCustomPlot::mouseMove, this, [this](QMouseEvent *e) { onMouseMove(e->pos()); });
    connect(m_plot, &QCustomPlot::mouseRelease, this, [this](QMouseEvent *e) {
        if (e->button() == Qt::LeftButton)
            onClick(e->pos());
    });
    connect(m_document, &Document::modelChanged, this, &ModelSummaryView::rebuild);
    connect(m_document, &Document::planChanged, this, &ModelSummaryView::rebuild);
    connect(m_document, &Document::settingsChanged, this, &ModelSummaryView::updateTotals);
    connect(m_document, &Document::planningStarted, this, &ModelSummaryView::updateTotals);
    connect(m_document, &Document::planningFailed, this, &ModelSummaryView::updateTotals);
    connect(m_document, &Document::selectedLayerChanged, this, [this] {
        updateSelection();
        m_plot->replot(QCustomPlot::rpQueuedReplot);
    });
    rebuild();
}

QWidget *ModelSummaryView::plotWidget() const
{
    return m_plot;
}

bool ModelSummaryView::isComputing() const
{
    return m_document->model() && m_document->isPlanning();
}

void ModelSummaryView::rebuild()
{
    m_before.clear();
    m_after.clear();
    const gkp::Model *model = m_document->model();
    QSharedPointer<QCPAxisTickerText> names(new QCPAxisTickerText);
    double peak = 0;
    if (model) {
        for (const gkp::ConvLayer &l : model->inventory().layers) {
            const gkp::LayerPlan *lp = m_document->layerPlan(l.index);
            m_before.push_back(double(l.macs));
            m_after.push_back(lp ? double(lp->macs_after) : double(l.macs));
            peak = std::max(peak, double(l.macs));
            names->addTick(l.index, shortName(l.name));
        }
    }
    const int n = int(m_before.size());
    if (n <= MaxNamedTicks) {
        m_plot->xAxis->setTicker(names);
        m_plot->xAxis->setTickLabelRotation(n > 8 ? 60 : 0);
    } else {
        m_plot->xAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
        m_plot->xAxis->setTickLabelRotation(0);
    }

    // Axis in K/M/G MACs so tick labels stay short.
    m_scale = 1;
    QString label = tr("conv MACs per image");
    if (peak >= 1e9) {
        m_scale = 1e9;
        label = tr("conv MACs per image (billions)");
    } else if (peak >= 1e6) {
        m_scale = 1e6;
        label = tr("conv MACs per image (millions)");
    } else if (peak >= 1e3) {
        m_scale = 1e3;
        label = tr("conv MACs per image (thousands)");
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
    m_plot->xAxis->setRange(-0.7, std::max(n, 1) - 0.3);
    m_plot->yAxis->setRange(0, std::max(peak / m_scale, 1e-9) * 1.12); // headroom for the legend
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
        m_totalsPlain = tr("No model");
        m_totals->setText(tr("<h3>No model</h3><p>Open a model to see its compute and size.</p>"));
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
    const QLocale locale;
    const auto bytes = [&locale](int64_t params) { return locale.formattedDataSize(params * 4); };
    const int pruned = planned ? int(plan.layers.size()) : 0;

    struct Row
    {
        QString label, value, change;
    };
    const Row rows[] = {
        {tr("Conv MACs / image"),
         tr("%1 → %2").arg(humanCount(m_totalBefore), humanCount(m_totalAfter)), tr("−%1").arg(percent(t.macsReduction()))},
        {tr("Parameters"),
         tr("%1 → %2").arg(humanCount(double(t.params_before)), humanCount(double(t.params_after))),
         tr("−%1").arg(percent(t.paramsReduction()))},
        {tr("Size on disk (float32)"), tr("%1 → %2").arg(bytes(t.params_before), bytes(t.params_after)), QString()},
        {tr("Pruned layers"), tr("%1 of %2 prunable").arg(pruned).arg(inv.totals.prunable),
         tr("(%n conv(s))", nullptr, int(inv.totals.convs))},
    };
    QString html = tr("<h3>Totals</h3>");
    QString plain;
    if (isComputing()) {
        html += tr("<p><i>Computing the plan…</i></p>");
        plain += tr("Computing the plan…") + u'\n';
    } else if (!planned) {
        html += tr("<p><i>No plan yet.</i></p>");
        plain += tr("No plan yet.") + u'\n';
    }
    html += QStringLiteral("<table cellspacing=3>");
    for (const Row &r : rows) {
        html += QStringLiteral("<tr><td colspan=2><b>%1</b></td></tr><tr><td>%2</td><td align=right>%3</td></tr>")
                    .arg(r.label.toHtmlEscaped(), r.value.toHtmlEscaped(), r.change.toHtmlEscaped());
        plain += QStringLiteral("%1: %2 %3\n").arg(r.label, r.value, r.change).trimmed() + u'\n';
    }
    html += QStringLiteral("</table>");
    m_totals->setText(html);
    m_totalsPlain = plain.trimmed();
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
