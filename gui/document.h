#pragma once

#include "model.h"

#include <QFutureWatcher>
#include <QObject>
#include <QString>

#include <memory>
#include <optional>

class QUndoStack;

// The one document of a GKP Studio window: the loaded model (and, later, its pruning plan) plus
// the undo stack. Views observe it; they never own data or talk to each other.
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

    int selectedLayer() const { return m_selectedLayer; }
    void setSelectedLayer(int layer);

Q_SIGNALS:
    void loadStarted(const QString &path);
    void modelChanged();
    void loadFailed(const QString &path, const QString &message);
    void selectedLayerChanged(int layer);

private:
    struct LoadResult
    {
        std::shared_ptr<gkp::Model> model;
        QString error;
    };
    void onLoadFinished();

    std::shared_ptr<gkp::Model> m_model;
    QUndoStack *m_undoStack;
    QFutureWatcher<LoadResult> m_loadWatcher;
    QString m_loadingPath;
    int m_selectedLayer = -1;
};
