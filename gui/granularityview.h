#pragma once

#include "engine/granularity.h"

#include <QFutureWatcher>
#include <QImage>
#include <QList>
#include <QWidget>
#include <vector>

class Document;
class GranularityPanel;
class QLabel;

// The teaching view: the selected layer pruned at the same kept fraction by weight, kernel,
// grouped-kernel, channel and filter pruning, side by side, with what each keeps of the weight
// energy and whether standard dense kernels can run the result.
// The comparison re-plans the layer with G = 1, which takes tens of ms on big layers, so it runs
// in a worker; a newer request supersedes a running one, and results of superseded requests are
// dropped. It only runs while the view is visible.
class GranularityView : public QWidget
{
    Q_OBJECT

public:
    explicit GranularityView(Document *document, QWidget *parent = nullptr);
    ~GranularityView() override;

    // The results on display (empty when the layer has no plan), in the order of
    // gkp::compareGranularities: weight, kernel, grouped kernel, channel, filter.
    const std::vector<gkp::GranularityResult> &results() const { return m_results; }
    int resultsLayer() const { return m_resultsLayer; } // -1 when nothing is shown
    bool isComputing() const { return m_watcher.isRunning(); }
    QString statusText() const;

Q_SIGNALS:
    void resultsChanged();

protected:
    void showEvent(QShowEvent *event) override;

private:
    struct Job
    {
        quint64 generation = 0;
        int layer = -1;
        std::vector<gkp::GranularityResult> results;
        QList<QImage> images;
        QString error;
    };
    void invalidate();
    void start();
    void onFinished();
    void showResults(const QList<QImage> &images);
    void setPanelsVisible(bool visible);

    Document *m_document;
    QLabel *m_status;
    QWidget *m_panelBox;
    QList<GranularityPanel *> m_panels;
    QFutureWatcher<Job> m_watcher;
    quint64 m_generation = 0; // bumped by every change the comparison depends on
    bool m_dirty = true;      // the results do not reflect the document
    std::vector<gkp::GranularityResult> m_results;
    int m_resultsLayer = -1;
};
