#pragma once

#include "datasetdialog.h"

#include <QFutureWatcher>
#include <QTemporaryDir>
#include <QWidget>

#include <atomic>
#include <memory>

class Document;
class QCustomPlot;
class QLabel;
class QLineEdit;
class QCheckBox;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTabWidget;
namespace gkp {
struct SensitivityTable;
struct ComparisonTable;
struct Frontier;
} // namespace gkp

// Analysis ▸ Sensitivity and Comparison: per-layer accuracy-drop curves (one layer pruned at a
// time) and accuracy vs conv-MACs reduction per pruning granularity, measured on a dataset in a
// worker (progress, Cancel), drawn with QCustomPlot, saved as CSV/JSON. A sensitivity result can
// drive the document's MACs-target allocation. The third tab is the accuracy-latency frontier
// (gkp frontier): plans over group counts and MACs targets, each exported and timed against the
// original; clicking a point loads its plan into the document (undoable).
class AnalysisWindow : public QWidget
{
    Q_OBJECT

public:
    explicit AnalysisWindow(Document *document, QWidget *parent = nullptr);
    ~AnalysisWindow() override;

    void setDatasetChoice(const DatasetChoice &choice);
    DatasetChoice datasetChoice() const { return m_choice; }
    void setRatios(const QString &text);     // "0.25, 0.5, 0.75"
    void setReductions(const QString &text); // "0.2, 0.3, 0.43, 0.5"
    void startSensitivity();
    void startComparison();
    void setFrontierSweep(const QString &groups, const QString &targets); // "1, 2, auto", "0.3, 0.5"
    void setFrontierAccuracy(bool onDataset); // top-1 on the dataset, else retained energy
    void startFrontier();
    void cancel();
    bool isRunning() const;
    QString statusText() const;

    // Draw results (also used by the workers' completion).
    void showSensitivity(const gkp::SensitivityTable &table);
    void showComparison(const gkp::ComparisonTable &table);
    void showFrontier(const gkp::Frontier &frontier);
    QCustomPlot *frontierPlot() const { return m_frontierPlot; }
    const gkp::Frontier *frontier() const { return m_frontier.get(); }
    int markedFrontierPoint() const { return m_markedPoint; }
    // Loads point `index`'s plan into the document (one undoable step) and marks it.
    void loadFrontierPoint(int index);
    QCustomPlot *sensitivityPlot() const { return m_sensitivityPlot; }
    QCustomPlot *comparisonPlot() const { return m_comparisonPlot; }
    // Sets the document's allocation to the measured sensitivity (undoable).
    void useSensitivityForAllocation();

Q_SIGNALS:
    void finished(bool ok);

private:
    struct Outcome
    {
        std::shared_ptr<gkp::SensitivityTable> sensitivity;
        std::shared_ptr<gkp::ComparisonTable> comparison;
        std::shared_ptr<gkp::Frontier> frontier;
        QString error;
        bool cancelled = false;
    };
    void chooseDataset();
    void onFinished();
    void setBusy(bool busy, const QString &status);
    void save(bool sensitivity, bool frontier = false);
    std::function<bool(int, int)> progressCallback();

    Document *m_document;
    DatasetChoice m_choice;
    QLabel *m_datasetLabel;
    QTabWidget *m_tabs;
    QLineEdit *m_ratios;
    QLineEdit *m_reductions;
    QCheckBox *m_sensitivityAllocation;
    QCustomPlot *m_sensitivityPlot;
    QCustomPlot *m_comparisonPlot;
    QPushButton *m_runSensitivity, *m_runComparison, *m_useAllocation, *m_saveSensitivity, *m_saveComparison;
    QLineEdit *m_frontierGroups, *m_frontierTargets;
    QCheckBox *m_frontierAccuracy;
    QSpinBox *m_frontierBatch;
    QCustomPlot *m_frontierPlot;
    QPushButton *m_runFrontier, *m_saveFrontier;
    std::shared_ptr<gkp::Frontier> m_frontier;
    std::vector<std::vector<int>> m_frontierGraphPoints; // per graph: the point index of each datum
    int m_markedPoint = -1;
    QTemporaryDir m_frontierDir; // the points' plans
    QPushButton *m_cancelButton;
    QProgressBar *m_progress;
    QLabel *m_status;
    QFutureWatcher<Outcome> m_watcher;
    std::shared_ptr<std::atomic<bool>> m_cancel;
    std::shared_ptr<gkp::SensitivityTable> m_sensitivity;
    std::shared_ptr<gkp::ComparisonTable> m_comparison;
};
