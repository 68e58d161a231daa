// Document's planning worker and model replacement: the worker shares the planner and model it
// plans with, so a model opened while a plan runs (or waits for a thread) frees nothing under it,
// the stale plan is dropped, and the old planner and model go once the worker lets go of them.

#include "documenttestutil.h"
#include "model/model.h"
#include "engine/planner.h"
#include "workerpool.h"

#include <QSemaphore>
#include <QThreadPool>
#include <algorithm>
#include <memory>

namespace {

// Occupies every thread of the worker pool until release() (or destruction), so that work the
// Document queues waits, holding whatever its job holds. The semaphores are shared with the
// blocking jobs: they outlive this object until the last job has returned.
class PoolBlocker
{
public:
    PoolBlocker() : m_threads(workerPool()->maxThreadCount())
    {
        for (int i = 0; i < m_threads; ++i)
            workerPool()->start([s = m_state] {
                s->running.release();
                s->gate.acquire();
            });
    }
    ~PoolBlocker() { release(); }
    bool allBlocked() { return m_state->running.tryAcquire(m_threads, 30000); }
    void release(int threads = -1) // all by default
    {
        const int n = threads < 0 ? m_threads - m_released : std::min(threads, m_threads - m_released);
        m_state->gate.release(n);
        m_released += n;
    }

private:
    struct State
    {
        QSemaphore running, gate;
    };
    const int m_threads;
    const std::shared_ptr<State> m_state = std::make_shared<State>();
    int m_released = 0;
};

QString fixture(const char *name)
{
    return QStringLiteral(GKP_FIXTURES_DIR "/") + QString::fromLatin1(name);
}

} // namespace

class TestDocument : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    // A queued plan holds a reference to the planner (a raw pointer would not); the reference goes
    // when the job is done.
    void planningWorkerSharesThePlanner()
    {
        Document d;
        QVERIFY(openAndPlan(d, fixture("cifar_resnet20b_scripted.pt")));
        const std::weak_ptr<gkp::Planner> planner = d.sharedPlanner();
        QTRY_COMPARE(planner.use_count(), 1L);

        PoolBlocker blocker;
        QVERIFY(blocker.allBlocked());
        QSignalSpy started(&d, &Document::planningStarted);
        QSignalSpy planned(&d, &Document::planChanged);
        gkp::PlanSettings s = d.settings();
        s.ratio = 0.25;
        d.changeSettings(s, QStringLiteral("ratio"));
        QVERIFY(started.wait(10000));
        QVERIFY(d.isPlanning());
        QVERIFY2(planner.use_count() >= 2, qPrintable(QString::number(planner.use_count())));

        blocker.release();
        QVERIFY(planned.wait(120000));
        QCOMPARE(d.settings().ratio, 0.25);
        QVERIFY(d.isPlanCurrent());
        QTRY_COMPARE(planner.use_count(), 1L); // the finished job let go of it
    }

    // A model opened while a plan for the old one waits: the old planner and model stay alive for
    // that worker, its result is dropped, the new model gets its own plan, and the old planner and
    // model are freed once the worker is done.
    void openingAModelWhilePlanning()
    {
        Document d;
        QVERIFY(openAndPlan(d, fixture("cifar_resnet20b_scripted.pt")));
        std::weak_ptr<gkp::Planner> oldPlanner = d.sharedPlanner();
        std::weak_ptr<const gkp::Model> oldModel = d.sharedModel();

        PoolBlocker blocker; // destroyed before the document: the document waits for its workers
        QVERIFY(blocker.allBlocked());
        QSignalSpy started(&d, &Document::planningStarted);
        QSignalSpy loaded(&d, &Document::modelChanged);
        d.openModel(fixture("cifar_resnet20_traced.pt"));
        gkp::PlanSettings s = d.settings();
        s.ratio = 0.25;
        d.changeSettings(s, QStringLiteral("ratio")); // a plan of the old model, queued after the load
        QVERIFY(started.wait(10000));
        QVERIFY(oldPlanner.use_count() >= 2);

        // One thread: the load, then the old plan, which runs after the document has dropped its
        // planner and model (or while it drops them).
        blocker.release(1);
        QVERIFY(loaded.wait(60000));
        QCOMPARE(d.model()->inventory().layers.size(), std::size_t(19)); // not the old 21
        QVERIFY(d.sharedPlanner() != oldPlanner.lock());
        QVERIFY(!d.isPlanCurrent());
        QSignalSpy planned(&d, &Document::planChanged);
        QVERIFY(planned.wait(120000));
        QVERIFY(d.isPlanCurrent());
        // the new model's plan at its default settings, not the old model's ratio edit
        QCOMPARE(d.settings().ratio, gkp::PlanSettings().ratio);
        const gkp::Plan expected = gkp::Planner(*d.model()).makePlan(d.settings());
        QCOMPARE(d.plan().layers.size(), expected.layers.size());
        for (std::size_t i = 0; i < expected.layers.size(); ++i) {
            QCOMPARE(d.plan().layers[i].name, expected.layers[i].name);
            QCOMPARE(d.plan().layers[i].kept_per_group, expected.layers[i].kept_per_group);
        }
        QTRY_VERIFY(oldPlanner.expired());
        QTRY_VERIFY(oldModel.expired());
    }
};

QTEST_MAIN(TestDocument)
#include "tst_document.moc"
