#include "clusterscatterview.h"

#include "document.h"
#include "grouppalette.h"
#include "layerstats.h"
#include "model.h"

#include <QComboBox>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QSet>
#include <QSignalBlocker>
#include <QToolTip>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>
#include <qcustomplot.h>

#include <algorithm>
#include <cmath>

namespace {

struct ProjectionResult
{
    std::shared_ptr<const gkp::FilterProjection> projection;
    QString error;
};

QCPScatterStyle::ScatterShape qcpShape(grouppalette::Marker marker)
{
    switch (marker) {
    case grouppalette::Marker::Disc: return QCPScatterStyle::ssDisc;
    case grouppalette::Marker::Square: return QCPScatterStyle::ssSquare;
    case grouppalette::Marker::Triangle: return QCPScatterStyle::ssTriangle;
    case grouppalette::Marker::Diamond: return QCPScatterStyle::ssDiamond;
    case grouppalette::Marker::InvertedTriangle: return QCPScatterStyle::ssTriangleInverted;
    }
    return QCPScatterStyle::ssDisc;
}

QCPScatterStyle pointStyle(const QColor &fill, QCPScatterStyle::ScatterShape shape)
{
    // A darker outline keeps light colours (yellow, light blue) visible on the white background.
    return QCPScatterStyle(shape, QPen(fill.darker(160), 1.0), QBrush(fill), 9);
}

constexpr int HoverRadius = 8; // pixels

} // namespace

ClusterScatterView::ClusterScatterView(Document *document, QWidget *parent)
    : QWidget(parent), m_document(document), m_method(new QComboBox), m_title(new QLabel), m_note(new QLabel),
      m_plot(new QCustomPlot), m_groups(new QListWidget)
{
    m_method->setObjectName(QStringLiteral("clusterMethod"));
    m_method->addItem(tr("k-means"), QStringLiteral("kmeans"));
    m_method->addItem(tr("kernel PCA"), QStringLiteral("kpca"));
    m_method->addItem(tr("spectral"), QStringLiteral("spectral"));
    m_method->addItem(tr("smoothness (data-free)"), QStringLiteral("smooth"));
    m_method->setToolTip(tr("How the filters of every layer are clustered into groups (undoable)"));
    auto *methodLabel = new QLabel(tr("&Clustering:"));
    methodLabel->setBuddy(m_method);

    m_title->setTextFormat(Qt::RichText);
    m_title->setObjectName(QStringLiteral("scatterTitle"));
    auto *top = new QHBoxLayout;
    top->addWidget(m_title, 1);
    top->addWidget(methodLabel);
    top->addWidget(m_method);

    m_plot->setObjectName(QStringLiteral("scatterPlot"));
    m_plot->setMouseTracking(true); // hover tooltips without a pressed button
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->setMinimumSize(240, 200);
    m_plot->xAxis2->setVisible(true);
    m_plot->yAxis2->setVisible(true);
    m_plot->xAxis2->setTicks(false);
    m_plot->yAxis2->setTicks(false);
    m_plot->xAxis2->setTickLabels(false);
    m_plot->yAxis2->setTickLabels(false);

    m_groups->setObjectName(QStringLiteral("groupList"));
    m_groups->setSelectionMode(QAbstractItemView::NoSelection);
    m_groups->setFocusPolicy(Qt::NoFocus);
    m_groups->setFixedWidth(fontMetrics().horizontalAdvance(tr("group 00: 000 filters")) + 56);
    m_groups->setIconSize(QSize(14, 14));

    m_note->setWordWrap(true);
    m_note->setObjectName(QStringLiteral("scatterNote"));
    m_note->setTextFormat(Qt::PlainText);

    auto *middle = new QHBoxLayout;
    middle->addWidget(m_plot, 1);
    middle->addWidget(m_groups);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addLayout(middle, 1);
    layout->addWidget(m_note);

    connect(m_method, &QComboBox::currentIndexChanged, this, &ClusterScatterView::onMethodChosen);
    connect(m_plot, &QCustomPlot::mouseMove, this, [this](QMouseEvent *e) { onMouseMove(e->pos()); });
    connect(m_document, &Document::modelChanged, this, &ClusterScatterView::onModelChanged);
    connect(m_document, &Document::selectedLayerChanged, this, &ClusterScatterView::refresh);
    connect(m_document, &Document::planChanged, this, &ClusterScatterView::refresh);
    connect(m_document, &Document::settingsChanged, this, &ClusterScatterView::syncMethod);
    connect(m_document, &Document::planningStarted, this, &ClusterScatterView::updateTitle);
    connect(m_document, &Document::planningFailed, this, &ClusterScatterView::updateTitle);

    onModelChanged();
}

ClusterScatterView::~ClusterScatterView() = default;

QWidget *ClusterScatterView::plotWidget() const
{
    return m_plot;
}

QString ClusterScatterView::method() const
{
    return m_method->currentData().toString();
}

bool ClusterScatterView::isComputing() const
{
    return m_pending.count(m_layer) > 0;
}

QString ClusterScatterView::noteText() const
{
    return m_note->text();
}

int ClusterScatterView::colourCount() const
{
    // Counted from what is drawn, not from the plan, so a styling bug shows up in the tests.
    QSet<QRgb> colours;
    for (int i = 0; i < m_plot->graphCount(); ++i)
        if (!m_plot->graph(i)->data()->isEmpty())
            colours.insert(m_plot->graph(i)->scatterStyle().brush().color().rgb());
    return int(colours.size());
}

void ClusterScatterView::onModelChanged()
{
    ++m_modelSerial; // projections still running for the old model are dropped when they finish
    m_cache.clear();
    m_errors.clear();
    m_pending.clear();
    m_method->setEnabled(m_document->model() != nullptr);
    syncMethod();
    refresh();
}

void ClusterScatterView::syncMethod()
{
    const QString current = QString::fromStdString(m_document->settings().cluster);
    const QSignalBlocker block(m_method); // reflecting the document is not a user edit
    int index = m_method->findData(current);
    if (index < 0) { // e.g. "tmi" from a loaded plan: show it rather than pretend otherwise
        m_method->addItem(current, current);
        index = m_method->count() - 1;
    }
    m_method->setCurrentIndex(index);
    updateTitle();
}

void ClusterScatterView::onMethodChosen(int index)
{
    const QString id = m_method->itemData(index).toString();
    if (!m_document->model() || id.toStdString() == m_document->settings().cluster)
        return;
    gkp::PlanSettings settings = m_document->settings();
    settings.cluster = id.toStdString();
    m_document->changeSettings(settings, tr("Clustering: %1").arg(m_method->itemText(index)));
}

void ClusterScatterView::refresh()
{
    const gkp::Model *model = m_document->model();
    m_layer = m_document->selectedLayer();
    if (!model) {
        m_layer = -1;
        showMessageOnly(tr("Open a model to see how the filters of a layer are grouped."));
        return;
    }
    if (m_layer < 0 || m_layer >= int(model->inventory().layers.size())) {
        m_layer = -1;
        showMessageOnly(tr("Select a layer to see its filters."));
        return;
    }
    updateTitle();
    if (auto it = m_cache.find(m_layer); it != m_cache.end())
        rebuild(it->second.get(), {});
    else if (auto e = m_errors.find(m_layer); e != m_errors.end())
        rebuild(nullptr, e->second);
    else {
        request(m_layer);
        showMessageOnly(tr("Computing the projection of the filters…"));
    }
}

void ClusterScatterView::request(int layer)
{
    std::shared_ptr<const gkp::Model> model = m_document->sharedModel();
    if (!model || m_pending.count(layer))
        return;
    m_pending.insert(layer);
    const quint64 serial = m_modelSerial;
    auto *watcher = new QFutureWatcher<ProjectionResult>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, layer, serial] {
        watcher->deleteLater();
        if (serial != m_modelSerial)
            return; // computed for a model that has since been replaced
        m_pending.erase(layer);
        ProjectionResult r = watcher->result();
        if (r.projection)
            m_cache[layer] = std::move(r.projection);
        else
            m_errors[layer] = r.error;
        if (layer == m_layer) // otherwise only cached: the user moved on to another layer
            refresh();
    });
    // The model is captured by shared_ptr so a newly opened model cannot free it mid-SVD.
    watcher->setFuture(QtConcurrent::run([model, layer]() -> ProjectionResult {
        try {
            return {std::make_shared<const gkp::FilterProjection>(gkp::filterProjection(*model, layer)), {}};
        } catch (const std::exception &e) {
            return {nullptr, QString::fromStdString(e.what())};
        }
    }));
}

void ClusterScatterView::updateTitle()
{
    const gkp::Model *model = m_document->model();
    if (!model || m_layer < 0 || m_layer >= int(model->inventory().layers.size())) {
        m_title->setText(tr("<b>Filter groups</b>"));
        return;
    }
    const gkp::ConvLayer &l = model->inventory().layers[std::size_t(m_layer)];
    QString text = tr("<b>%1</b> · %n filter(s)", nullptr, int(l.out_channels))
                       .arg(QString::fromStdString(l.name).toHtmlEscaped());
    if (const gkp::LayerPlan *lp = m_document->layerPlan(m_layer)) {
        const int d = lp->groups > 0 ? int(l.out_channels) / lp->groups : 0;
        text += tr(" · %n group(s) of %1", nullptr, lp->groups).arg(d);
        text += tr(" · %1").arg(QString::fromStdString(lp->cluster).toHtmlEscaped());
    }
    if (m_document->isPlanning())
        text += tr(" · <i>re-planning…</i>");
    m_title->setText(text);
}

void ClusterScatterView::showMessageOnly(const QString &note)
{
    m_plot->clearGraphs();
    m_xy.clear();
    m_norms.clear();
    m_groupOf.clear();
    m_sizes.clear();
    m_groups->clear();
    m_groups->hide();
    m_note->setText(note);
    m_note->setVisible(!note.isEmpty());
    m_plot->xAxis->setLabel(tr("PC1"));
    m_plot->yAxis->setLabel(tr("PC2"));
    updateTitle();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void ClusterScatterView::rebuild(const gkp::FilterProjection *projection, const QString &error)
{
    if (!projection) {
        showMessageOnly(tr("Cannot project the filters of this layer: %1").arg(error));
        return;
    }
    const gkp::ConvLayer &l = m_document->model()->inventory().layers[std::size_t(m_layer)];
    const int n = int(projection->filters);
    m_xy.resize(std::size_t(n));
    for (int i = 0; i < n; ++i)
        m_xy[std::size_t(i)] = QPointF(projection->xy[std::size_t(2 * i)], projection->xy[std::size_t(2 * i + 1)]);
    m_norms = projection->norms;

    const gkp::LayerPlan *lp = m_document->layerPlan(m_layer);
    const bool grouped = lp && int(lp->assignment.size()) == n && lp->groups > 0;
    m_groupOf.assign(std::size_t(n), -1);
    m_sizes.clear();
    if (grouped) {
        m_groupOf = lp->assignment;
        for (int g : m_groupOf) {
            if (g >= int(m_sizes.size()))
                m_sizes.resize(g + 1);
            if (g >= 0)
                ++m_sizes[g];
        }
    }

    m_plot->clearGraphs();
    auto addPoints = [this, n](int group, const QCPScatterStyle &style, const QString &name) {
        QVector<double> x, y;
        for (int i = 0; i < n; ++i)
            if (m_groupOf[std::size_t(i)] == group) {
                x.append(m_xy[std::size_t(i)].x());
                y.append(m_xy[std::size_t(i)].y());
            }
        if (x.isEmpty())
            return;
        QCPGraph *graph = m_plot->addGraph();
        graph->setLineStyle(QCPGraph::lsNone);
        graph->setScatterStyle(style);
        graph->setName(name);
        graph->setData(x, y);
    };
    m_groups->clear();
    if (grouped) {
        for (int g = 0; g < int(m_sizes.size()); ++g) {
            addPoints(g, pointStyle(grouppalette::colour(g), qcpShape(grouppalette::marker(g))), tr("group %1").arg(g));
            m_groups->addItem(new QListWidgetItem(grouppalette::icon(g),
                                                  tr("group %1: %n filter(s)", nullptr, m_sizes[g]).arg(g)));
        }
    } else {
        addPoints(-1, pointStyle(grouppalette::unplannedColour(), QCPScatterStyle::ssDisc), tr("not grouped"));
    }
    m_groups->setVisible(grouped);

    QString note;
    if (!l.prunable)
        note = tr("Not prunable (%1): the filters are shown without groups.").arg(QString::fromStdString(l.reason));
    else if (!grouped && m_document->plan().layers.empty() && m_document->isPlanning())
        note = tr("No plan yet: the groups appear when planning finishes.");
    else if (!grouped && l.excluded_by_default && !m_document->settings().include_stem)
        note = tr("This layer reads the network input and is not pruned by default: no groups.");
    else if (!grouped)
        note = tr("The current settings do not prune this layer: no groups.");
    else if (!lp->note.empty())
        note = QString::fromStdString(lp->note);
    m_note->setText(note);
    m_note->setVisible(!note.isEmpty());

    m_plot->xAxis->setLabel(tr("PC1 (%1 % variance)").arg(projection->explained[0] * 100.0, 0, 'f', 1));
    m_plot->yAxis->setLabel(tr("PC2 (%1 % variance)").arg(projection->explained[1] * 100.0, 0, 'f', 1));
    // Fit all points with a margin so markers at the edge are not cut by the axes.
    double x0 = 0, x1 = 0, y0 = 0, y1 = 0;
    for (const QPointF &p : m_xy) {
        x0 = std::min(x0, p.x());
        x1 = std::max(x1, p.x());
        y0 = std::min(y0, p.y());
        y1 = std::max(y1, p.y());
    }
    const double dx = std::max(x1 - x0, 1e-6), dy = std::max(y1 - y0, 1e-6);
    m_plot->xAxis->setRange(x0 - 0.08 * dx, x1 + 0.08 * dx);
    m_plot->yAxis->setRange(y0 - 0.08 * dy, y1 + 0.08 * dy);
    updateTitle();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
    Q_EMIT updated();
}

int ClusterScatterView::filterAt(const QPoint &pos) const
{
    int best = -1;
    double bestDistance = HoverRadius * HoverRadius;
    for (int i = 0; i < int(m_xy.size()); ++i) {
        const QPoint p = filterPosition(i);
        const double d = double(p.x() - pos.x()) * (p.x() - pos.x()) + double(p.y() - pos.y()) * (p.y() - pos.y());
        if (d <= bestDistance) {
            bestDistance = d;
            best = i;
        }
    }
    return best;
}

QPoint ClusterScatterView::filterPosition(int filter) const
{
    const QPointF &p = m_xy.at(std::size_t(filter));
    return QPoint(qRound(m_plot->xAxis->coordToPixel(p.x())), qRound(m_plot->yAxis->coordToPixel(p.y())));
}

QString ClusterScatterView::filterToolTip(int filter) const
{
    const int g = m_groupOf.at(std::size_t(filter));
    const QString group = g >= 0 ? tr("group %1").arg(g) : tr("not grouped");
    return tr("filter %1\nL2 norm %2\n%3").arg(filter).arg(double(m_norms.at(std::size_t(filter))), 0, 'g', 4).arg(group);
}

void ClusterScatterView::onMouseMove(const QPoint &pos)
{
    const int f = filterAt(pos);
    if (f >= 0)
        QToolTip::showText(m_plot->mapToGlobal(pos), filterToolTip(f), m_plot);
    else
        QToolTip::hideText();
}
