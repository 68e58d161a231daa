#include "granularityview.h"

#include "document.h"
#include "granularitypanel.h"
#include "model/model.h"
#include "engine/planner.h"
#include "workerpool.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace {

constexpr int Granularities = 6; // weight, kernel, grouped kernel, GKP with G = 1, coupled channel, filter

// Names and criteria are written here rather than taken from the core's strings so they
// are translated.
QString displayName(const std::string &name)
{
    if (name == "weight")
        return GranularityView::tr("Weight");
    if (name == "kernel")
        return GranularityView::tr("Kernel");
    if (name == "grouped kernel")
        return GranularityView::tr("Grouped kernel (GKP)");
    if (name == "gkp-g1")
        return GranularityView::tr("GKP, G = 1");
    if (name == "channel")
        return GranularityView::tr("Channel (coupled)");
    if (name == "filter")
        return GranularityView::tr("Filter");
    return QString::fromStdString(name);
}

QString criterion(const gkp::GranularityResult &r, const gkp::LayerPlan &plan)
{
    if (r.name == "weight")
        return GranularityView::tr("largest |w|, value by value");
    if (r.name == "kernel")
        return GranularityView::tr("largest L1 norm, kernel by kernel");
    if (r.name == "grouped kernel")
        return GranularityView::tr("%1 clustering, %2 selection, G = %3")
            .arg(QString::fromStdString(plan.cluster), QString::fromStdString(plan.select))
            .arg(plan.groups);
    if (r.name == "gkp-g1")
        return GranularityView::tr("the GKP pipeline with G = 1 (%1 selection)")
            .arg(QString::fromStdString(plan.select));
    if (r.name == "channel")
        return r.criterion.find("no input channel") != std::string::npos
                   ? GranularityView::tr("coupled channels: none of this layer's inputs can be removed")
                   : GranularityView::tr("coupled channels, group norm over every layer holding them");
    if (r.name == "filter")
        return GranularityView::tr("largest L1 norm, filter by filter");
    return QString::fromStdString(r.criterion);
}

} // namespace

GranularityView::GranularityView(Document *document, QWidget *parent)
    : QWidget(parent), m_document(document), m_status(new QLabel)
{
    m_status->setWordWrap(true);
    m_status->setTextFormat(Qt::RichText);
    m_panelBox = new QWidget;
    auto *panels = new QHBoxLayout(m_panelBox);
    panels->setContentsMargins(0, 0, 0, 0);
    panels->setSpacing(6);
    for (int i = 0; i < Granularities; ++i) {
        auto *panel = new GranularityPanel;
        m_panels.append(panel);
        panels->addWidget(panel, 1, Qt::AlignTop);
    }
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(m_status);
    layout->addWidget(m_panelBox, 1);
    layout->addStretch(0); // takes the height while the panels are hidden

    connect(&m_watcher, &QFutureWatcherBase::finished, this, &GranularityView::onFinished);
    connect(m_document, &Document::modelChanged, this, [this] {
        m_results.clear(); // they describe a model that is gone
        m_resultsLayer = -1;
        invalidate();
    });
    connect(m_document, &Document::selectedLayerChanged, this, &GranularityView::invalidate);
    connect(m_document, &Document::planChanged, this, &GranularityView::invalidate);
    invalidate();
}

// The worker holds its own references to the model and planner, so it may outlive the view
// and the document; its result is then dropped with the watcher.
GranularityView::~GranularityView() = default;

QString GranularityView::statusText() const
{
    return m_status->text();
}

void GranularityView::setPanelsVisible(bool visible)
{
    // Five empty frames say nothing; without a comparison the status line is the whole view.
    m_panelBox->setVisible(visible);
    static_cast<QVBoxLayout *>(layout())->setStretch(2, visible ? 0 : 1);
}

void GranularityView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    start();
}

void GranularityView::invalidate()
{
    ++m_generation;
    m_dirty = true;
    if (m_resultsLayer != m_document->selectedLayer()) {
        // Another layer's masks under this layer's name would mislead; show nothing meanwhile.
        m_results.clear();
        m_resultsLayer = -1;
        for (GranularityPanel *panel : std::as_const(m_panels))
            panel->clear(tr("Computing…"));
    }
    if (isVisible())
        start();
}

void GranularityView::start()
{
    if (!m_dirty || m_watcher.isRunning()) // a running job restarts us when it finishes
        return;
    m_dirty = false;
    const gkp::Model *model = m_document->model();
    const int layer = m_document->selectedLayer();
    const gkp::LayerPlan *plan = model && layer >= 0 ? m_document->layerPlan(layer) : nullptr;
    if (!plan) {
        m_results.clear();
        m_resultsLayer = -1;
        QString text;
        if (!model || layer < 0 || layer >= int(model->inventory().layers.size()))
            text = tr("Select a layer to compare pruning granularities.");
        else if (!model->inventory().layers[std::size_t(layer)].prunable)
            text = tr("<b>%1</b> is not prunable (%2): nothing to compare.")
                       .arg(QString::fromStdString(model->inventory().layers[std::size_t(layer)].name)
                                .toHtmlEscaped(),
                            QString::fromStdString(model->inventory().layers[std::size_t(layer)].reason)
                                .toHtmlEscaped());
        else if (model->inventory().layers[std::size_t(layer)].excluded_by_default &&
                 !m_document->settings().include_stem)
            text = tr("<b>%1</b> reads the network input and is not pruned by default: nothing to compare.")
                       .arg(QString::fromStdString(model->inventory().layers[std::size_t(layer)].name)
                                .toHtmlEscaped());
        else
            text = tr("<b>%1</b> is not pruned by the current plan: nothing to compare.")
                       .arg(QString::fromStdString(model->inventory().layers[std::size_t(layer)].name)
                                .toHtmlEscaped());
        m_status->setText(text);
        for (GranularityPanel *panel : std::as_const(m_panels))
            panel->clear();
        setPanelsVisible(false);
        Q_EMIT resultsChanged();
        return;
    }
    setPanelsVisible(true);
    m_status->setText(
        tr("Comparing granularities for <b>%1</b>…").arg(QString::fromStdString(plan->name).toHtmlEscaped()));
    // Copies and shared references only: the document may move on while this runs.
    std::shared_ptr<gkp::Planner> planner = m_document->sharedPlanner();
    std::shared_ptr<const gkp::Model> keepModel = m_document->sharedModel();
    const gkp::LayerPlan layerPlan = *plan;
    const gkp::PlanSettings settings = m_document->plan().settings;
    const quint64 generation = m_generation;
    m_watcher.setFuture(runInWorker([planner, keepModel, layerPlan, settings, generation, layer]() {
        Job job;
        job.generation = generation;
        job.layer = layer;
        try {
            job.results = gkp::compareGranularities(*planner, layerPlan, settings);
            for (const gkp::GranularityResult &r : job.results) // a million pixels each on big layers
                job.images.append(GranularityPanel::maskImage(r));
        } catch (const std::exception &e) {
            job.error = QString::fromStdString(e.what());
        }
        return job;
    }));
}

void GranularityView::onFinished()
{
    Job job = m_watcher.result();
    if (job.generation != m_generation) { // superseded: its layer or plan is no longer current
        if (isVisible())
            start();
        return;
    }
    if (!job.error.isEmpty()) {
        m_status->setText(tr("Comparison failed: %1").arg(job.error.toHtmlEscaped()));
        m_results.clear();
        m_resultsLayer = -1;
        for (GranularityPanel *panel : std::as_const(m_panels))
            panel->clear();
        setPanelsVisible(false);
        Q_EMIT resultsChanged();
        return;
    }
    m_results = std::move(job.results);
    m_resultsLayer = job.layer;
    showResults(job.images);
    Q_EMIT resultsChanged();
}

void GranularityView::showResults(const QList<QImage> &images)
{
    const gkp::LayerPlan *plan = m_document->layerPlan(m_resultsLayer);
    if (!plan || m_results.empty())
        return;
    const gkp::GranularityResult &first = m_results.front();
    m_status->setText(
        tr("<b>%1</b>: %2 × %3 kernels pruned five ways at the same kept fraction (%4 of %5 input channels, "
           "%6 %). Rows: filters o; columns: input channels c; <b>dark</b> = kept, <b>light</b> = pruned.")
            .arg(QString::fromStdString(plan->name).toHtmlEscaped())
            .arg(first.out_channels)
            .arg(first.in_channels)
            .arg(plan->kept_per_group)
            .arg(first.in_channels)
            .arg(100.0 * plan->kept_per_group / double(first.in_channels), 0, 'f', 1));
    for (int i = 0; i < m_panels.size(); ++i) {
        if (i >= int(m_results.size())) {
            m_panels[i]->clear();
            continue;
        }
        const gkp::GranularityResult &r = m_results[std::size_t(i)];
        m_panels[i]->setResult(r, images.value(i), displayName(r.name), criterion(r, *plan),
                               r.name == "grouped kernel");
    }
}
