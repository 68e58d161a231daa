#include "clusterscatterview.h"

#include "document.h"
#include "grouppalette.h"
#include "model/layerstats.h"
#include "model/model.h"
#include "engine/planner.h"
#include "qcustomplotcompat.h"
#include "workerpool.h"

#include <QComboBox>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QSet>
#include <QSignalBlocker>
#include <QToolTip>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <cmath>
#include <tuple>

namespace {

struct ProjectionResult
{
    std::shared_ptr<const gkp::FilterProjection> projection;
    QString error;
};

struct PreviewResult
{
    std::shared_ptr<const gkp::LayerPlan> plan;
    QString error;
};

QString methodName(const QString &id)
{
    if (id == QStringLiteral("kmeans"))
        return ClusterScatterView::tr("k-means");
    if (id == QStringLiteral("kpca"))
        return ClusterScatterView::tr("kernel PCA");
    if (id == QStringLiteral("spectral"))
        return ClusterScatterView::tr("spectral");
    if (id == QStringLiteral("smooth"))
        return ClusterScatterView::tr("smoothness");
    if (id == QStringLiteral("tmi"))
        return ClusterScatterView::tr("TMI");
    return id;
}

QCPScatterStyle::ScatterShape qcpShape(grouppalette::Marker marker)
{
    switch (marker) {
    case grouppalette::Marker::Disc: return QCPScatterStyle::ssCircle; // ssDisc ignores the brush
    case grouppalette::Marker::Square: return QCPScatterStyle::ssSquare;
    case grouppalette::Marker::Triangle: return QCPScatterStyle::ssTriangle;
    case grouppalette::Marker::Diamond: return QCPScatterStyle::ssDiamond;
    case grouppalette::Marker::InvertedTriangle: return QCPScatterStyle::ssTriangleInverted;
    }
    return QCPScatterStyle::ssCircle;
}

// "group 3: 8 filters" without relying on a translation for the plural.
QString filtersText(const QString &pattern, int group, int filters)
{
    return pattern.arg(group).arg(filters == 1 ? ClusterScatterView::tr("1 filter")
                                               : ClusterScatterView::tr("%1 filters").arg(filters));
}

QCPScatterStyle pointStyle(const QColor &fill, QCPScatterStyle::ScatterShape shape)
{
    // A darker outline keeps light colours (yellow, light blue) visible on the white background.
    return QCPScatterStyle(shape, QPen(fill.darker(150), 1.0), QBrush(fill), 9);
}

constexpr int HoverRadius = 8; // pixels

} // namespace

bool ClusterScatterView::PreviewKey::operator<(const PreviewKey &o) const
{
    return std::tie(layer, groups, ratio, method) < std::tie(o.layer, o.groups, o.ratio, o.method);
}

ClusterScatterView::ClusterScatterView(Document *document, QWidget *parent)
    : QWidget(parent), m_document(document), m_method(new QComboBox), m_useForPlan(new QPushButton(tr("Use for Plan"))),
      m_title(new QLabel), m_note(new QLabel), m_plot(new QCustomPlot), m_groups(new QListWidget)
{
    m_method->setObjectName(QStringLiteral("clusterMethod"));
    m_method->addItem(tr("as planned"), QString());
    for (const QString &id : {QStringLiteral("kmeans"), QStringLiteral("kpca"), QStringLiteral("spectral"),
                              QStringLiteral("smooth")})
        m_method->addItem(tr("preview: %1").arg(methodName(id)), id);
    m_method->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_method->setToolTip(tr("Show the plan's groups, or cluster this layer's filters with another method "
                            "(same G and ratio) to compare; the plan is not changed"));
    auto *methodLabel = new QLabel(tr("&Groups:"));
    methodLabel->setBuddy(m_method);
    m_useForPlan->setObjectName(QStringLiteral("useForPlan"));
    m_useForPlan->setToolTip(tr("Make the previewed method the plan's clustering method for every layer (undoable)"));

    m_title->setTextFormat(Qt::RichText);
    m_title->setWordWrap(true);
    m_title->setObjectName(QStringLiteral("scatterTitle"));
    auto *top = new QHBoxLayout;
    top->addWidget(m_title, 1);
    top->addWidget(methodLabel);
    top->addWidget(m_method);
    top->addWidget(m_useForPlan);

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
    m_groups->setFixedWidth(fontMetrics().horizontalAdvance(tr("group 000: 0000 filters")) + 48);
    m_groups->setIconSize(QSize(14, 14));
    m_groups->setToolTip(tr("Filters per group: GKP groups are always of equal size"));

    m_note->setWordWrap(true);
    m_note->setObjectName(QStringLiteral("scatterNote"));
    m_note->setTextFormat(Qt::PlainText);

    auto *middle = new QHBoxLayout;
    middle->addWidget(m_plot, 1);
    middle->addWidget(m_groups);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addLayout(top);
    layout->addLayout(middle, 1);
    layout->addWidget(m_note);

    connect(m_method, &QComboBox::currentIndexChanged, this, &ClusterScatterView::onMethodChosen);
    connect(m_useForPlan, &QPushButton::clicked, this, &ClusterScatterView::usePreviewForPlan);
    connect(m_plot, &QCustomPlot::mouseMove, this, [this](QMouseEvent *e) { onMouseMove(e->pos()); });
    connect(m_plot, &QCustomPlot::mouseDoubleClick, this, [this] { refresh(); }); // refit
    connect(m_document, &Document::modelChanged, this, &ClusterScatterView::onModelChanged);
    connect(m_document, &Document::selectedLayerChanged, this, &ClusterScatterView::refresh);
    connect(m_document, &Document::planChanged, this, &ClusterScatterView::refresh);
    connect(m_document, &Document::settingsChanged, this, &ClusterScatterView::updateMethodBox);
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

void ClusterScatterView::setMethod(const QString &method)
{
    const int index = m_method->findData(method);
    if (index >= 0)
        m_method->setCurrentIndex(index);
}

QString ClusterScatterView::shownMethod() const
{
    return m_shownMethod;
}

bool ClusterScatterView::isComputing() const
{
    if (m_layer < 0 || !isVisible())
        return false;
    if (!m_cache.count(m_layer) && !m_errors.count(m_layer))
        return true; // computing, or queued behind the projection of a layer shown before
    PreviewKey key;
    return previewKey(key) && m_previewPending.count(key);
}

QString ClusterScatterView::noteText() const
{
    return m_note->text();
}

QMap<QRgb, int> ClusterScatterView::pointsPerColour() const
{
    QMap<QRgb, int> count;
    for (int i = 0; i < m_plot->graphCount(); ++i)
        if (const int n = m_plot->graph(i)->data()->size(); n > 0)
            count[m_plot->graph(i)->scatterStyle().brush().color().rgb()] += n;
    return count;
}

int ClusterScatterView::colourCount() const
{
    return int(pointsPerColour().size());
}

void ClusterScatterView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    refresh(); // nothing was computed while hidden
}

void ClusterScatterView::onModelChanged()
{
    ++m_modelSerial; // work still running for the old model is dropped when it finishes
    m_cache.clear();
    m_errors.clear();
    m_pending.clear();
    m_previews.clear();
    m_previewErrors.clear();
    m_previewPending.clear();
    {
        const QSignalBlocker block(m_method); // a new model starts with the plan's groups
        m_method->setCurrentIndex(0);
    }
    updateMethodBox();
    refresh();
}

void ClusterScatterView::updateMethodBox()
{
    const bool hasModel = m_document->model() != nullptr;
    m_method->setEnabled(hasModel);
    const QString planned = QString::fromStdString(m_document->settings().cluster);
    m_method->setItemText(0, tr("as planned (%1)").arg(methodName(planned)));
    const QString preview = method();
    m_useForPlan->setVisible(!preview.isEmpty());
    m_useForPlan->setEnabled(hasModel && !preview.isEmpty() && preview != planned);
}

void ClusterScatterView::onMethodChosen()
{
    updateMethodBox();
    refresh();
}

void ClusterScatterView::usePreviewForPlan()
{
    const QString id = method();
    if (!m_document->model() || id.isEmpty() || id.toStdString() == m_document->settings().cluster)
        return;
    gkp::PlanSettings settings = m_document->settings();
    settings.cluster = id.toStdString();
    {
        const QSignalBlocker block(m_method); // the plan now shows what was previewed
        m_method->setCurrentIndex(0);
    }
    m_document->changeSettings(settings, tr("Clustering: %1").arg(methodName(id)));
    updateMethodBox();
    refresh();
}

bool ClusterScatterView::previewKey(PreviewKey &key) const
{
    const QString id = method();
    const gkp::LayerPlan *lp = m_layer >= 0 ? m_document->layerPlan(m_layer) : nullptr;
    if (id.isEmpty() || !lp || lp->groups < 1)
        return false;
    key = PreviewKey{m_layer, lp->groups, lp->ratio, id.toStdString()};
    return true;
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
    if (!isVisible()) // docked behind another tab or closed: compute when shown
        return;
    PreviewKey key;
    if (previewKey(key) && !m_previews.count(key) && !m_previewErrors.count(key))
        requestPreview(key); // runs beside the projection; the plan's groups show meanwhile
    if (auto it = m_cache.find(m_layer); it != m_cache.end())
        rebuild(it->second.get(), {});
    else if (auto e = m_errors.find(m_layer); e != m_errors.end())
        rebuild(nullptr, e->second);
    else {
        requestProjection(m_layer);
        showMessageOnly(tr("Computing the projection of the filters…"));
    }
}

void ClusterScatterView::requestProjection(int layer)
{
    std::shared_ptr<const gkp::Model> model = m_document->sharedModel();
    // One projection at a time: while the user runs through layers, only the one selected when
    // the running projection finishes is computed next, not every layer passed on the way.
    if (!model || !m_pending.empty())
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
        // Shows it, or (the user moved on) starts the projection of the layer now selected.
        if (layer == m_layer || !m_cache.count(m_layer))
            refresh();
    });
    // The model is captured by shared_ptr so a newly opened model cannot free it mid-SVD.
    watcher->setFuture(runInWorker([model, layer]() -> ProjectionResult {
        try {
            return {std::make_shared<const gkp::FilterProjection>(gkp::filterProjection(*model, layer)), {}};
        } catch (const std::exception &e) {
            return {nullptr, QString::fromStdString(e.what())};
        }
    }));
}

void ClusterScatterView::requestPreview(const PreviewKey &key)
{
    std::shared_ptr<gkp::Planner> planner = m_document->sharedPlanner();
    std::shared_ptr<const gkp::Model> model = m_document->sharedModel();
    if (!planner || !model || m_previewPending.count(key))
        return;
    m_previewPending.insert(key);
    const quint64 serial = m_modelSerial;
    gkp::PlanSettings settings = m_document->settings();
    settings.cluster = key.method;
    auto *watcher = new QFutureWatcher<PreviewResult>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, key, serial] {
        watcher->deleteLater();
        if (serial != m_modelSerial)
            return;
        m_previewPending.erase(key);
        PreviewResult r = watcher->result();
        if (r.plan)
            m_previews[key] = std::move(r.plan);
        else
            m_previewErrors[key] = r.error;
        PreviewKey current;
        if (previewKey(current) && !(current < key) && !(key < current))
            refresh();
    });
    // Same G and ratio as the plan, the other settings (seed, selection) as the document's: only
    // the clustering differs. The planner caches clusterings, so going back and forth is cheap.
    watcher->setFuture(runInWorker([planner, model, key, settings]() -> PreviewResult {
        try {
            return {std::make_shared<const gkp::LayerPlan>(
                        planner->planLayer(key.layer, key.ratio, key.groups, settings)),
                    {}};
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
    const QString name = QString::fromStdString(l.name).toHtmlEscaped();
    QString text = l.out_channels == 1 ? tr("<b>%1</b> · 1 filter").arg(name)
                                       : tr("<b>%1</b> · %2 filters").arg(name).arg(l.out_channels);
    if (!m_sizes.isEmpty()) {
        text += tr(" · G = %1 groups of %2").arg(m_sizes.size()).arg(m_sizes.front());
        text += QStringLiteral(" · ") + methodName(m_shownMethod).toHtmlEscaped();
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
    m_shownMethod.clear();
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

    // The groups: the plan's, or a finished preview of another method.
    const gkp::LayerPlan *lp = m_document->layerPlan(m_layer);
    const gkp::LayerPlan *shown = lp;
    QString previewNote;
    PreviewKey key;
    if (previewKey(key)) {
        const QString name = methodName(QString::fromStdString(key.method));
        if (auto it = m_previews.find(key); it != m_previews.end()) {
            shown = it->second.get();
            previewNote = tr("Preview of %1 clustering with the plan's G and ratio: retained energy %2 % "
                             "(the plan's %3: %4 %). The plan is unchanged.")
                              .arg(name)
                              .arg(shown->retained_energy * 100.0, 0, 'f', 2)
                              .arg(methodName(QString::fromStdString(lp->cluster)))
                              .arg(lp->retained_energy * 100.0, 0, 'f', 2);
        } else if (auto e = m_previewErrors.find(key); e != m_previewErrors.end()) {
            previewNote = tr("Cannot cluster with %1: %2").arg(name, e->second);
        } else {
            previewNote = tr("Clustering with %1… (showing the plan's groups meanwhile)").arg(name);
        }
    }
    const bool grouped = shown && int(shown->assignment.size()) == n && shown->groups > 0;
    m_groupOf.assign(std::size_t(n), -1);
    m_sizes.clear();
    m_shownMethod = grouped ? QString::fromStdString(shown->cluster) : QString();
    if (grouped) {
        m_groupOf = shown->assignment;
        m_sizes = QList<int>(shown->groups, 0);
        for (int g : m_groupOf)
            if (g >= 0 && g < int(m_sizes.size()))
                ++m_sizes[g];
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
        graph->setData(x, y, true);
    };
    m_groups->clear();
    // Smaller markers when there are many points, so clusters stay readable.
    const double size = n > 1024 ? 5 : n > 256 ? 7 : 9;
    if (grouped) {
        for (int g = 0; g < int(m_sizes.size()); ++g) {
            QCPScatterStyle style = pointStyle(grouppalette::colour(g), qcpShape(grouppalette::marker(g)));
            style.setSize(size);
            addPoints(g, style, tr("group %1").arg(g));
            m_groups->addItem(new QListWidgetItem(grouppalette::icon(g),
                                                  filtersText(tr("group %1: %2"), g, m_sizes[g])));
        }
    } else {
        QCPScatterStyle style = pointStyle(grouppalette::unplannedColour(), QCPScatterStyle::ssCircle);
        style.setSize(size);
        addPoints(-1, style, tr("not grouped"));
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
    else if (!previewNote.isEmpty())
        note = previewNote;
    else if (!lp->note.empty())
        note = QString::fromStdString(lp->note);
    if (!method().isEmpty() && !lp && l.prunable)
        note += QLatin1Char(' ') + tr("(A preview needs the layer to be in the plan.)");
    m_note->setText(note);
    m_note->setVisible(!note.isEmpty());

    m_plot->xAxis->setLabel(tr("PC1 (%1 % of the variance)").arg(projection->explained[0] * 100.0, 0, 'f', 1));
    m_plot->yAxis->setLabel(tr("PC2 (%1 % of the variance)").arg(projection->explained[1] * 100.0, 0, 'f', 1));
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
    if (!m_plot->axisRect()->rect().contains(pos))
        return -1;
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
    const QString group =
        g >= 0 ? filtersText(tr("group %1 (%2)"), g, m_sizes.value(g)) : tr("not grouped");
    return tr("filter %1\nL2 norm %2\n%3")
        .arg(filter)
        .arg(double(m_norms.at(std::size_t(filter))), 0, 'g', 4)
        .arg(group);
}

void ClusterScatterView::onMouseMove(const QPoint &pos)
{
    const int f = filterAt(pos);
    if (f >= 0)
        QToolTip::showText(m_plot->mapToGlobal(pos), filterToolTip(f), m_plot);
    else
        QToolTip::hideText();
}
