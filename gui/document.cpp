#include "document.h"

#include "error.h"

#include <QUndoStack>
#include <QtConcurrent/QtConcurrentRun>

Document::Document(QObject *parent) : QObject(parent), m_undoStack(new QUndoStack(this))
{
    connect(&m_loadWatcher, &QFutureWatcherBase::finished, this, &Document::onLoadFinished);
}

Document::~Document()
{
    m_loadWatcher.waitForFinished();
}

void Document::openModel(const QString &path, std::optional<gkp::Shape> inputShape)
{
    if (isLoading())
        return;
    m_loadingPath = path;
    Q_EMIT loadStarted(path);
    m_loadWatcher.setFuture(QtConcurrent::run([path, inputShape]() -> LoadResult {
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
    m_model = std::move(result.model);
    m_undoStack->clear();
    m_selectedLayer = -1;
    Q_EMIT modelChanged();
    setSelectedLayer(m_model->inventory().layers.empty() ? -1 : 0);
}
