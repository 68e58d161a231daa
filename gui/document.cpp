#include "document.h"

#include "changesettingscommand.h"
#include "util/error.h"
#include "loadplancommand.h"
#include "engine/planjson.h"
#include "engine/planner.h"
#include "workerpool.h"

#include <QPointer>
#include <QUndoStack>
#include <QtConcurrent/QtConcurrentRun>

Document::Document(QObject *parent) : QObject(parent), m_undoStack(new QUndoStack(this))
{
    connect(&m_loadWatcher, &QFutureWatcherBase::finished, this, &Document::onLoadFinished);
    connect(&m_planWatcher, &QFutureWatcherBase::finished, this, &Document::onPlanningFinished);
    m_coalesce.setSingleShot(true);
    m_coalesce.setInterval(60); // a slider drag becomes one plan per pause, not one per pixel
    connect(&m_coalesce, &QTimer::timeout, this, &Document::startPlanning);
}

Document::~Document()
{
    cancelPlanning();
    m_planWatcher.waitForFinished();
    m_loadWatcher.waitForFinished();
}

void Document::openModel(const QString &path, std::optional<gkp::Shape> inputShape)
{
    if (isLoading())
        return;
    m_loadingPath = path;
    Q_EMIT loadStarted(path);
    m_loadWatcher.setFuture(runInWorker([path, inputShape]() -> LoadResult {
        try {
            gkp::LoadOptions options;
            options.input_shape = inputShape;
            return {std::make_shared<gkp::Model>(gkp::Model::load(path.toStdString(), options)), {}};
        } catch (const std::exception &e) {
            return {nullptr, QString::fromStdString(e.what())};
        }
    }));
}

bool Document::isLoading() const
{
    return m_loadWatcher.isRunning();
}

QString Document::modelPath() const
{
    return m_model ? QString::fromStdString(m_model->path()) : QString();
}

void Document::setSelectedLayer(int layer)
{
    if (layer == m_selectedLayer)
        return;
    m_selectedLayer = layer;
    Q_EMIT selectedLayerChanged(layer);
}

void Document::onLoadFinished()
{
    LoadResult result = m_loadWatcher.result();
    if (!result.model) {
        Q_EMIT loadFailed(m_loadingPath, result.error);
        return;
    }
    cancelPlanning(); // a running plan shares the old planner and model: they live until it returns
    m_planner.reset();
    m_model = std::move(result.model);
    m_planner = std::make_shared<gkp::Planner>(*m_model);
    m_undoStack->clear();
    m_selectedLayer = -1;
    m_settings = gkp::PlanSettings();
    m_plan = gkp::Plan();
    m_planGeneration = 0;
    ++m_generation;
    Q_EMIT modelChanged();
    Q_EMIT settingsChanged();
    schedulePlanning();
    // The first layer the default plan prunes (not the stem, excluded by default), else the first
    // prunable one, else the first.
    int first = -1, planned = -1;
    for (const gkp::ConvLayer &l : m_model->inventory().layers) {
        if (l.prunable && first < 0)
            first = l.index;
        if (l.prunable && !l.excluded_by_default && planned < 0)
            planned = l.index;
    }
    setSelectedLayer(planned >= 0 ? planned : first >= 0 ? first : (m_model->inventory().layers.empty() ? -1 : 0));
}

bool Document::isPlanCurrent() const
{
    return m_planGeneration == m_generation;
}

bool Document::isPlanning() const
{
    return m_planWatcher.isRunning() || m_coalesce.isActive();
}

const gkp::LayerPlan *Document::layerPlan(int layer) const
{
    for (const gkp::LayerPlan &l : m_plan.layers)
        if (l.layer == layer)
            return &l;
    return nullptr;
}

void Document::changeSettings(const gkp::PlanSettings &settings, const QString &text, int mergeId)
{
    if (!m_model)
        return;
    m_undoStack->push(new ChangeSettingsCommand(this, m_settings, settings, text, mergeId));
}

void Document::setLayerOverride(int layer, const gkp::LayerOverride &o, const QString &text)
{
    if (!m_model)
        return;
    gkp::PlanSettings s = m_settings;
    s.overrides[m_model->inventory().layers.at(std::size_t(layer)).name] = o;
    changeSettings(s, text);
}

void Document::clearLayerOverride(int layer, const QString &text)
{
    if (!m_model)
        return;
    gkp::PlanSettings s = m_settings;
    s.overrides.erase(m_model->inventory().layers.at(std::size_t(layer)).name);
    changeSettings(s, text);
}

void Document::loadPlan(const QString &path)
{
    if (!m_model)
        throw gkp::Error(tr("Open a model before loading a plan.").toStdString());
    const gkp::Plan plan = gkp::loadPlan(path.toStdString(), *m_model);
    m_undoStack->push(new LoadPlanCommand(this, m_settings, m_plan, plan, tr("Load Plan")));
}

void Document::savePlan(const QString &path) const
{
    if (!isPlanCurrent())
        throw gkp::Error(tr("The plan is still being computed; save again in a moment.").toStdString());
    gkp::savePlan(m_plan, path.toStdString());
}

void Document::applySettings(const gkp::PlanSettings &settings)
{
    m_settings = settings;
    ++m_generation;
    Q_EMIT settingsChanged();
    schedulePlanning();
}

void Document::applyPlan(const gkp::PlanSettings &settings, const gkp::Plan &plan)
{
    cancelPlanning();
    m_coalesce.stop();
    m_settings = settings;
    m_plan = plan;
    m_planGeneration = ++m_generation;
    Q_EMIT settingsChanged();
    Q_EMIT planChanged();
}

void Document::cancelPlanning()
{
    if (m_cancel)
        m_cancel->store(true);
}

void Document::schedulePlanning()
{
    cancelPlanning(); // a newer request supersedes the running one
    m_coalesce.start();
}

void Document::startPlanning()
{
    if (!m_model || !m_planner)
        return;
    if (m_planWatcher.isRunning()) { // wait for the cancelled run to unwind, then start
        m_coalesce.start();
        return;
    }
    auto cancel = std::make_shared<std::atomic<bool>>(false);
    m_cancel = cancel;
    const gkp::PlanSettings settings = m_settings;
    const quint64 generation = m_generation;
    std::optional<gkp::Plan> previous;
    if (m_planGeneration != 0)
        previous = m_plan;
    // Shared ownership: a model opened while this runs replaces the document's planner and model
    // but not the worker's; the planner refers to its model, so the worker keeps both.
    std::shared_ptr<gkp::Planner> planner = m_planner;
    Q_EMIT planningStarted();
    QPointer<Document> self(this);
    m_planWatcher.setFuture(runInWorker([=, model = m_model]() -> PlanResult {
        PlanResult r;
        r.generation = generation;
        try {
            auto progress = [cancel, self](int done, int total) {
                if (self)
                    QMetaObject::invokeMethod(self.data(), [self, done, total] {
                        if (self)
                            Q_EMIT self->planningProgress(done, total);
                    });
                return !cancel->load();
            };
            r.plan = planner->makePlan(settings, progress, previous ? &*previous : nullptr);
        } catch (const gkp::Cancelled &) {
            r.cancelled = true;
        } catch (const std::exception &e) {
            r.error = QString::fromStdString(e.what());
        }
        return r;
    }));
}

void Document::onPlanningFinished()
{
    PlanResult r = m_planWatcher.result();
    if (r.cancelled || r.generation != m_generation)
        return; // stale: a newer request is queued
    if (!r.plan) {
        Q_EMIT planningFailed(r.error);
        return;
    }
    m_plan = std::move(*r.plan);
    m_planGeneration = r.generation;
    Q_EMIT planChanged();
}
