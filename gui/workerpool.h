#pragma once

#include <QtConcurrent/QtConcurrentRun>

#include <utility>

class QThreadPool;

// The thread pool for the real work of the views and the Document (loading, planning,
// projections, norms, exports). Not QThreadPool::globalInstance(): Qt itself runs short tasks
// there from the UI thread and waits for them (the raster paint engine splits large fills across
// it), so seconds of planning queued in the global pool would stall painting.
QThreadPool *workerPool();

// Lowers the calling thread's CPU priority below the UI thread's (Linux: nice +5; threads it
// starts inherit it), so painting and input get a core first on a busy machine. Once per thread.
void lowerWorkerPriority();

// QtConcurrent::run in workerPool(), at the lowered priority.
template <typename F>
auto runInWorker(F &&f)
{
    return QtConcurrent::run(workerPool(), [f = std::forward<F>(f)]() mutable {
        lowerWorkerPriority();
        return f();
    });
}
