#pragma once

#include "model/model.h"
#include "engine/plan.h"

#include <QFutureWatcher>
#include <QObject>
#include <QString>
#include <QTimer>

#include <atomic>
#include <memory>
#include <optional>

class QUndoStack;
namespace gkp {
class Planner;
}

// The one document of a GKP Studio window: the loaded model, the pruning settings and the plan
// computed from them, and the undo stack. Views observe it; they never own data or talk to each
// other. Every plan edit is an undo command that changes the settings; the plan follows in a
// worker thread (coalesced, stale results dropped), so the UI thread never waits for it.
class Document : public QObject
{
    Q_OBJECT

public:
    explicit Document(QObject *parent = nullptr);
    ~Document() override;

    // Loads in a worker thread; emits loadStarted, then modelChanged or loadFailed.
    void openModel(const QString &path, std::optional<gkp::Shape> inputShape = std::nullopt);
    bool isLoading() const;

    const gkp::Model *model() const { return m_model.get(); }
    QString modelPath() const;
    QUndoStack *undoStack() const { return m_undoStack; }
    gkp::Planner *planner() const { return m_planner.get(); }
    // Shared ownership for view workers: a model replaced, or a document destroyed, while such a
    // worker runs stays alive until the worker lets go of it.
    std::shared_ptr<const gkp::Model> sharedModel() const { return m_model; }
    std::shared_ptr<gkp::Planner> sharedPlanner() const { return m_planner; }

    // --- pruning settings and plan
    const gkp::PlanSettings &settings() const { return m_settings; }
    const gkp::Plan &plan() const { return m_plan; }
    bool isPlanCurrent() const; // the plan reflects the current settings
    bool isPlanning() const;
    const gkp::LayerPlan *layerPlan(int layer) const;

    // Edits: each pushes one undo command. `text` is the undo entry's title.
    void changeSettings(const gkp::PlanSettings &settings, const QString &text, int mergeId = -1);
    void setLayerOverride(int layer, const gkp::LayerOverride &o, const QString &text);
    void clearLayerOverride(int layer, const QString &text);
    // Replaces settings and plan with a plan file's (undoable); throws gkp::Error.
    void loadPlan(const QString &path);
    void savePlan(const QString &path) const; // throws gkp::Error

    // Used by undo commands only: applies without pushing a command.
    void applySettings(const gkp::PlanSettings &settings);
    void applyPlan(const gkp::PlanSettings &settings, const gkp::Plan &plan);

    void cancelPlanning();

    int selectedLayer() const { return m_selectedLayer; }
    void setSelectedLayer(int layer);

Q_SIGNALS:
    void loadStarted(const QString &path);
    void modelChanged();
    void loadFailed(const QString &path, const QString &message);
    void settingsChanged();
    void planningStarted();
    void planningProgress(int done, int total);
    void planChanged();
    void planningFailed(const QString &message);
    void selectedLayerChanged(int layer);

private:
    struct LoadResult
    {
        std::shared_ptr<gkp::Model> model;
        QString error;
    };
    struct PlanResult
    {
        std::optional<gkp::Plan> plan;
        QString error;
        bool cancelled = false;
        quint64 generation = 0;
    };
    void onLoadFinished();
    void schedulePlanning();
    void startPlanning();
    void onPlanningFinished();

    std::shared_ptr<gkp::Model> m_model;
    std::shared_ptr<gkp::Planner> m_planner;
    QUndoStack *m_undoStack;
    QFutureWatcher<LoadResult> m_loadWatcher;
    QString m_loadingPath;
    int m_selectedLayer = -1;

    gkp::PlanSettings m_settings;
    gkp::Plan m_plan;
    quint64 m_generation = 0;     // bumped by every settings change
    quint64 m_planGeneration = 0; // generation m_plan was computed for
    QTimer m_coalesce;
    QFutureWatcher<PlanResult> m_planWatcher;
    std::shared_ptr<std::atomic<bool>> m_cancel;
};
