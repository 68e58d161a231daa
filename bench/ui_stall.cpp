// UI-thread responsiveness of gkp-studio: opens a model in the real main window (every view
// docked and visible), runs a scripted session -- select layers, drag the global ratio slider,
// change G -- and measures the longest gap between ticks of a 5 ms timer on the UI thread. A gap
// is time the event loop could not run: a stall the user feels. Not a test; prints figures.
//
//   xvfb-run -a -s "-screen 0 1600x1000x24" build/bench/gkp-ui-stall MODEL.pt
//   (or QT_QPA_PLATFORM=offscreen build/bench/gkp-ui-stall MODEL.pt)

#include "clusterscatterview.h"
#include "controlspanel.h"
#include "document.h"
#include "kernelheatmapview.h"
#include "mainwindow.h"
#include "model/model.h"
#include "runtime/threads.h"

#include <QApplication>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QEvent>
#include <QSlider>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableView>
#include <QTimer>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <execinfo.h>
#include <pthread.h>
#include <thread>
#include <unistd.h>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace {

// --stacks: a thread that, when the UI thread has not ticked for 150 ms, makes it print its own
// stack (SIGUSR1; backtrace() unwinds without frame pointers). A diagnostic, not async-safe.
std::atomic<qint64> g_lastTickMs{0};
void printStack(int)
{
    void *frames[48];
    const int n = backtrace(frames, 48);
    static const char header[] = "---- UI thread stalled here:\n";
    (void)!write(2, header, sizeof header - 1);
    backtrace_symbols_fd(frames, n, 2);
}

// Times every event the UI thread delivers, so a stall can be traced to its receiver.
class TimedApplication : public QApplication
{
public:
    using QApplication::QApplication;
    struct Slow
    {
        double ms;
        QString what;
    };
    std::vector<Slow> slow;      // deliveries above 20 ms
    std::vector<Slow> sinceTick; // deliveries of 2 ms or more since the last timer tick
    double busySinceTick = 0;    // ms spent delivering events since the last tick

    bool notify(QObject *receiver, QEvent *event) override
    {
        if (depth++ > 0) { // only the outermost delivery: nested ones are part of it
            const bool r = QApplication::notify(receiver, event);
            --depth;
            return r;
        }
        QElapsedTimer t;
        t.start();
        const int type = int(event->type());
        const QString name = QString::fromLatin1(receiver->metaObject()->className()) + u'/' + receiver->objectName();
        const bool r = QApplication::notify(receiver, event);
        --depth;
        const double ms = t.nsecsElapsed() / 1e6;
        if (ms > 20.0)
            slow.push_back({ms, QStringLiteral("%1 event %2").arg(name).arg(type)});
        busySinceTick += ms;
        if (ms >= 2.0)
            sinceTick.push_back({ms, QStringLiteral("%1 event %2").arg(name).arg(type)});
        return r;
    }

private:
    int depth = 0;
};

struct Watchdog
{
    QElapsedTimer clock;
    qint64 last = 0;
    std::string phase = "load";
    std::map<std::string, double> maxGap; // per phase, ms
    struct Stall
    {
        double ms;
        std::string phase;
        double at;
        std::string what; // where the gap went: time in event deliveries, the largest of them
    };
    std::vector<Stall> stalls; // gaps above 20 ms

    void tick(TimedApplication &app)
    {
        const qint64 now = clock.nsecsElapsed();
        g_lastTickMs = now / 1000000;
        const double gap = (now - last) / 1e6;
        last = now;
        double &m = maxGap[phase];
        m = std::max(m, gap);
        if (gap > 20.0) {
            std::sort(app.sinceTick.begin(), app.sinceTick.end(), [](auto &a, auto &b) { return a.ms > b.ms; });
            std::string what = QStringLiteral("%1 ms in %2 deliveries of 2+ ms")
                                   .arg(app.busySinceTick, 0, 'f', 1)
                                   .arg(app.sinceTick.size())
                                   .toStdString();
            for (std::size_t i = 0; i < std::min<std::size_t>(3, app.sinceTick.size()); ++i)
                what += QStringLiteral("; %1 %2").arg(app.sinceTick[i].ms, 0, 'f', 1).arg(app.sinceTick[i].what).toStdString();
            stalls.push_back({gap, phase, now / 1e9, what});
        }
        app.sinceTick.clear();
        app.busySinceTick = 0;
    }
};

// Runs `steps` one after another, each after `waitMs` of event loop, then `done`.
void runSteps(std::vector<std::function<void()>> steps, int waitMs, std::function<void()> done)
{
    auto shared = std::make_shared<std::vector<std::function<void()>>>(std::move(steps));
    auto index = std::make_shared<std::size_t>(0);
    auto next = std::make_shared<std::function<void()>>();
    *next = [shared, index, next, waitMs, done] {
        if (*index >= shared->size()) {
            done();
            return;
        }
        (*shared)[(*index)++]();
        QTimer::singleShot(waitMs, *next);
    };
    QTimer::singleShot(0, *next);
}

// Calls `then` once the document has a current plan and no view is computing.
void whenIdle(MainWindow &w, std::function<void()> then)
{
    auto poll = std::make_shared<std::function<void()>>();
    *poll = [&w, then, poll] {
        Document *d = w.document();
        if (d->isPlanCurrent() && !d->isPlanning() && !w.heatmap()->isComputing() && !w.clusterView()->isComputing())
            then();
        else
            QTimer::singleShot(20, *poll);
    };
    QTimer::singleShot(20, *poll);
}

} // namespace

int main(int argc, char **argv)
{
    TimedApplication app(argc, argv);
    QStandardPaths::setTestModeEnabled(true); // no saved layout or recent files from the user
    if (argc < 2) {
        std::fprintf(stderr, "usage: gkp-ui-stall MODEL.pt [--layers N] [--stacks]\n");
        return 2;
    }
    const QString path = QString::fromLocal8Bit(argv[1]);
    int maxLayers = 1 << 30;
    bool stacks = false;
    for (int i = 2; i < argc; ++i) {
        if (std::string(argv[i]) == "--layers" && i + 1 < argc)
            maxLayers = std::atoi(argv[i + 1]);
        if (std::string(argv[i]) == "--stacks")
            stacks = true;
    }
    gkp::configureThreads();

    MainWindow window;
    window.resize(1500, 950);
    window.show();
    for (QDockWidget *dock : window.findChildren<QDockWidget *>())
        if (dock->objectName() != QStringLiteral("granularityDock"))
            dock->show();

    Watchdog dog;
    dog.clock.start();
    QTimer ticker;
    ticker.setTimerType(Qt::PreciseTimer);
    QObject::connect(&ticker, &QTimer::timeout, [&dog, &app] { dog.tick(app); });
    ticker.start(5);
    std::atomic<bool> quit{false};
    std::thread sampler;
    if (stacks) {
        std::signal(SIGUSR1, printStack);
        const pthread_t ui = pthread_self();
        sampler = std::thread([&quit, &dog, ui] {
            qint64 reported = -1;
            while (!quit) {
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
                const qint64 last = g_lastTickMs, now = dog.clock.elapsed();
                if (now - last > 150 && last != reported) {
                    reported = last;
                    pthread_kill(ui, SIGUSR1);
                }
            }
        });
    }

    int exitCode = 0;
    QObject::connect(window.document(), &Document::loadFailed, [&](const QString &, const QString &message) {
        std::fprintf(stderr, "cannot open: %s\n", qPrintable(message));
        exitCode = 1;
        app.quit();
    });

    auto report = [&] {
        std::printf("UI-thread stalls (longest gap between 5 ms timer ticks, ms):\n");
        for (const char *phase : {"idle", "select layers", "ratio slider", "change G"})
            std::printf("  %-16s %7.1f\n", phase, dog.maxGap[phase]);
        std::printf("  %-16s %7.1f   (model load + first plan, for reference)\n", "load", dog.maxGap["load"]);
        std::sort(dog.stalls.begin(), dog.stalls.end(), [](auto &a, auto &b) { return a.ms > b.ms; });
        std::printf("gaps above 20 ms outside load: ");
        int shown = 0;
        for (const auto &s : dog.stalls)
            if (s.phase != "load" && shown++ < 8)
                std::printf("%s%.1f (%s @%.2fs)", shown > 1 ? ", " : "", s.ms, s.phase.c_str(), s.at);
        std::printf(shown ? "\n" : "none\n");
        shown = 0;
        for (const auto &s : dog.stalls)
            if (s.phase != "load" && shown++ < 4)
                std::printf("  %.1f ms gap: %s\n", s.ms, s.what.c_str());
        double worst = 0;
        for (const auto &[phase, ms] : dog.maxGap)
            if (phase != "load")
                worst = std::max(worst, ms);
        std::printf("max stall outside load: %.1f ms\n", worst);
        std::sort(app.slow.begin(), app.slow.end(), [](auto &a, auto &b) { return a.ms > b.ms; });
        std::printf("slowest event deliveries (whole run):\n");
        for (std::size_t i = 0; i < std::min<std::size_t>(8, app.slow.size()); ++i)
            std::printf("  %7.1f ms  %s\n", app.slow[i].ms, qPrintable(app.slow[i].what));
        app.quit();
    };

    QObject::connect(window.document(), &Document::modelChanged, [&] {
        whenIdle(window, [&] {
            const gkp::Model *model = window.document()->model();
            const int layers = std::min<int>(int(model->inventory().layers.size()), maxLayers);
            std::printf("%s: %d convolutions, first plan done at %.1f s\n", qPrintable(path),
                        int(model->inventory().layers.size()), dog.clock.elapsed() / 1000.0);
            dog.phase = "idle";
            QTimer::singleShot(500, [&, layers] {
                // 1. Select every layer through the table, as clicking its rows would.
                dog.phase = "select layers";
                std::vector<std::function<void()>> select;
                for (int i = 0; i < layers; ++i)
                    select.push_back([&window, i] {
                        window.layerView()->selectRow(i);
                    });
                runSteps(select, 120, [&] {
                    whenIdle(window, [&] {
                        // 2. Drag the global ratio slider: 20 steps, one every 25 ms, there and back.
                        dog.phase = "ratio slider";
                        QSlider *slider = window.controls()->ratioSlider();
                        const int start = slider->value();
                        std::vector<std::function<void()>> drag;
                        for (int k = 1; k <= 20; ++k)
                            drag.push_back([slider, start, k] { slider->setValue(std::min(95, start + 2 * k)); });
                        for (int k = 19; k >= 0; --k)
                            drag.push_back([slider, start, k] { slider->setValue(std::min(95, start + 2 * k)); });
                        runSteps(drag, 25, [&] {
                            whenIdle(window, [&] {
                                // 3. Change G: 8 -> 4 -> 16 -> 2 -> 8, each re-planned.
                                dog.phase = "change G";
                                QSpinBox *groups = window.controls()->groupsSpin();
                                std::vector<std::function<void()>> edits;
                                for (int g : {4, 16, 2, 8})
                                    edits.push_back([groups, g] { groups->setValue(g); });
                                auto editAt = std::make_shared<std::size_t>(0);
                                auto step = std::make_shared<std::function<void()>>();
                                *step = [&, edits, editAt, step] {
                                    if (*editAt >= edits.size()) {
                                        report();
                                        return;
                                    }
                                    edits[(*editAt)++]();
                                    QTimer::singleShot(50, [&, step] { whenIdle(window, *step); });
                                };
                                (*step)();
                            });
                        });
                    });
                });
            });
        });
    });
    window.openModel(path);
    const int rc = app.exec();
    quit = true;
    if (sampler.joinable())
        sampler.join();
    return exitCode ? exitCode : rc;
}
