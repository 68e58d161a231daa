#pragma once

class QThreadPool;

// The thread pool for the real work of the views and the Document (loading, planning,
// projections, norms, exports). Not QThreadPool::globalInstance(): Qt itself runs short tasks
// there from the UI thread and waits for them (the raster paint engine splits large fills across
// it), so seconds of planning queued in the global pool would stall painting.
QThreadPool *workerPool();
