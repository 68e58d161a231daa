#include "workerpool.h"

#include <QThread>
#include <QThreadPool>

QThreadPool *workerPool()
{
    static QThreadPool *pool = [] {
        auto *p = new QThreadPool; // lives until exit, like the global pool
        p->setMaxThreadCount(std::max(2, QThread::idealThreadCount()));
        p->setObjectName(QStringLiteral("gkp-workers"));
        return p;
    }();
    return pool;
}
