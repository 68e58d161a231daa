#include "controlspanel.h"
#include "document.h"
#include "documenttestutil.h"
#include "exportdialog.h"
#include "layertablemodel.h"
#include "mainwindow.h"
#include "engine/planjson.h"
#include "engine/planner.h"
#include "model/model.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QMessageBox>
#include <QSettings>
#include <QSignalSpy>
#include <QSlider>
#include <QTableView>
#include <QTemporaryDir>
#include <QUndoStack>
#include <QtTest>

#include <filesystem>

namespace {
bool waitForPlan(Document *d)
{
    if (d->isPlanCurrent() && !d->isPlanning())
        return true;
    QSignalSpy spy(d, &Document::planChanged);
    QSignalSpy failed(d, &Document::planningFailed);
    QElapsedTimer clock;
    clock.start();
    while (spy.isEmpty() && failed.isEmpty() && clock.elapsed() < 120000)
        QTest::qWait(20);
    if (!failed.isEmpty())
        qWarning("planning failed: %s", qPrintable(failed.first().first().toString()));
    return !spy.isEmpty();
}

// Opens the scripted ResNet-20 fixture in `window` and waits for its model and first plan.
bool openFixtureAndPlan(MainWindow &window)
{
    return openAndPlan(*window.document(), QStringLiteral(GKP_FIXTURES_DIR "/cifar_resnet20b_scripted.pt"), 60000);
}

void saveShot(QWidget *w, const QString &name)
{
    QTest::qWait(100); // queued replots of the plots happen first
    if (qEnvironmentVariableIsSet("GKP_SCREENSHOT_DIR"))
        w->grab().save(qEnvironmentVariable("GKP_SCREENSHOT_DIR") + u'/' + name);
}
} // namespace

class TestMainWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QSettings().remove(QStringLiteral("mainwindow")); // every window starts from the default layout
    }

    // The default layout gives the heatmap and cluster docks the window's full height (beside the
    // model summary, not above it); a layout the user left behind replaces it at the next start.
    void defaultAndRememberedLayout()
    {
        const auto dock = [](MainWindow &w, const char *name) {
            return w.findChild<QDockWidget *>(QString::fromLatin1(name));
        };
        int summaryHeight = 0;
        {
            MainWindow window;
            window.show();
            QVERIFY(QTest::qWaitForWindowExposed(&window));
            QDockWidget *heatmap = dock(window, "heatmapDock"), *cluster = dock(window, "clusterDock"),
                        *summary = dock(window, "summaryDock");
            QVERIFY(heatmap && cluster && summary);
            QCOMPARE(window.dockWidgetArea(heatmap), Qt::RightDockWidgetArea);
            QCOMPARE(window.dockWidgetArea(summary), Qt::BottomDockWidgetArea);
            QVERIFY(summary->geometry().right() < heatmap->geometry().left());
            QVERIFY(cluster->geometry().bottom() >= summary->geometry().bottom());
            QVERIFY2(heatmap->height() >= window.height() * 4 / 10, qPrintable(QString::number(heatmap->height())));
            QVERIFY(cluster->height() >= window.height() * 4 / 10);

            // the user moves a dock, makes the summary taller, then quits
            window.addDockWidget(Qt::LeftDockWidgetArea, cluster);
            window.resizeDocks({summary}, {window.height() / 2}, Qt::Vertical);
            QTRY_VERIFY(summary->height() > window.height() * 4 / 10);
            summaryHeight = summary->height();
            window.close();
        }
        MainWindow again;
        again.show();
        QVERIFY(QTest::qWaitForWindowExposed(&again));
        QCOMPARE(again.dockWidgetArea(dock(again, "clusterDock")), Qt::LeftDockWidgetArea);
        QCOMPARE(again.dockWidgetArea(dock(again, "heatmapDock")), Qt::RightDockWidgetArea);
        QCOMPARE(dock(again, "summaryDock")->height(), summaryHeight);
        QSettings().remove(QStringLiteral("mainwindow"));
    }

    void openingAFixturePopulatesTheTable()
    {
        MainWindow window;
        window.show();
        QSignalSpy changed(window.document(), &Document::modelChanged);
        window.openModel(QStringLiteral(GKP_FIXTURES_DIR "/cifar_resnet20b_traced.pt"));
        QVERIFY(window.document()->isLoading());
        QVERIFY(changed.wait(60000));
        QAbstractItemModel *model = window.layerView()->model();
        QCOMPARE(model->rowCount(), 21); // ResNet-20: stem + 18 block convs + 2 downsample 1x1 convs
        QCOMPARE(model->index(0, LayerTableModel::Name).data().toString(), QStringLiteral("conv1"));
        // it opens on the first layer the plan prunes, not on the stem
        QCOMPARE(window.document()->selectedLayer(), 1);
        QVERIFY(window.layerView()->selectionModel()->isRowSelected(1, {}));
        window.layerView()->selectRow(3);
        QCOMPARE(window.document()->selectedLayer(), 3);
        QVERIFY(waitForPlan(window.document()));
        // the stem is excluded by default; every other layer is planned at the default G = 8
        QCOMPARE(model->index(0, LayerTableModel::Ratio).data().toString(), QStringLiteral("not pruned"));
        QCOMPARE(model->index(3, LayerTableModel::Groups).data().toString(), QStringLiteral("8"));
        window.resize(1400, 860);
        saveShot(&window, QStringLiteral("mainwindow.png"));

        // A layer a latency-aware plan left dense says so, with its timings.
        gkp::Plan plan = window.document()->plan();
        const auto third = std::find_if(plan.layers.begin(), plan.layers.end(),
                                        [](const gkp::LayerPlan &l) { return l.layer == 3; });
        QVERIFY(third != plan.layers.end());
        plan.left_dense.push_back({third->name, 5.6, 4.1});
        plan.layers.erase(third);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("left-dense.json"));
        gkp::savePlan(plan, path.toStdString());
        window.document()->loadPlan(path);
        QVERIFY(waitForPlan(window.document()));
        QCOMPARE(model->index(3, LayerTableModel::Ratio).data().toString(), QStringLiteral("left dense"));
        QVERIFY(model->index(3, LayerTableModel::Ratio).data(Qt::ToolTipRole).toString().contains(u"5.600 ms"_qs));
        QCOMPARE(model->index(4, LayerTableModel::Ratio).data().toString(), QStringLiteral("43.8%"));
        window.layerView()->selectRow(3);
        bool said = false;
        for (const QLabel *label : window.controls()->findChildren<QLabel *>())
            said = said || label->text().contains(u"is left dense: pruned it ran in 5.600 ms, dense in 4.100 ms"_qs);
        QVERIFY(said);
        saveShot(&window, QStringLiteral("mainwindow-left-dense.png"));
    }

    // A ratio edit updates the plan, the table and the totals; undo restores the plan exactly.
    void ratioEditAndUndo()
    {
        MainWindow window;
        Document *d = window.document();
        QVERIFY(openFixtureAndPlan(window));
        const std::string before = gkp::planToString(d->plan());
        const int64_t macsBefore = d->plan().totals.macs_after;
        const QString keptBefore = window.layerView()->model()->index(5, LayerTableModel::Kept).data().toString();

        window.controls()->ratioSpin()->setValue(0.75);
        QCOMPARE(d->undoStack()->count(), 1);
        QVERIFY(waitForPlan(d));
        QCOMPARE(d->settings().ratio, 0.75);
        QVERIFY(d->plan().totals.macs_after < macsBefore);
        const gkp::LayerPlan *lp = d->layerPlan(5);
        QVERIFY(lp);
        QCOMPARE(lp->kept_per_group, 4); // round(0.25 * 16)
        QVERIFY(window.layerView()->model()->index(5, LayerTableModel::Kept).data().toString() != keptBefore);

        d->undoStack()->undo();
        QVERIFY(waitForPlan(d));
        QCOMPARE(gkp::planToString(d->plan()), before);
        d->undoStack()->redo();
        QVERIFY(waitForPlan(d));
        QCOMPARE(d->layerPlan(5)->kept_per_group, 4);

        // a per-layer G edit through the table
        QAbstractItemModel *m = window.layerView()->model();
        QVERIFY(m->setData(m->index(7, LayerTableModel::Groups), 2));
        QVERIFY(waitForPlan(d));
        QCOMPARE(d->layerPlan(7)->groups, 2);
        QCOMPARE(d->undoStack()->count(), 2);

        // kept channels in multiples of 8: 64-channel layers at ratio 0.75 keep 16 -> 16, 32-channel
        // ones 8 -> 8, 16-channel ones 4 -> 8; one undoable edit
        window.controls()->alignChannelsCheck()->setChecked(true);
        QVERIFY(waitForPlan(d));
        QCOMPARE(d->settings().channel_multiple, 8);
        QCOMPARE(d->undoStack()->count(), 3);
        QCOMPARE(d->layerPlan(5)->kept_per_group, 8);
        for (const gkp::LayerPlan &l : d->plan().layers)
            QVERIFY2(l.kept_per_group % 8 == 0, l.name.c_str());
        d->undoStack()->undo();
        QVERIFY(waitForPlan(d));
        QCOMPARE(d->settings().channel_multiple, 1);
        QCOMPARE(d->layerPlan(5)->kept_per_group, 4);
        QVERIFY(!window.controls()->alignChannelsCheck()->isChecked());

        // coupled channel pruning: one undoable edit; every pruned layer is G = 1 and the totals
        // count the filters the families lose too (the file computes them)
        ControlsPanel *c = window.controls();
        c->methodCombo()->setCurrentIndex(c->methodCombo()->findData(QStringLiteral("channel")));
        QVERIFY(waitForPlan(d));
        QCOMPARE(d->settings().method, std::string("channel"));
        QVERIFY(d->plan().isChannelPlan());
        QVERIFY(!d->plan().channel_groups.empty());
        for (const gkp::LayerPlan &l : d->plan().layers)
            QCOMPARE(l.groups, 1);
        QCOMPARE(d->plan().totals.deploy_macs_after, d->plan().totals.macs_after);
        QVERIFY(!c->groupsSpin()->isEnabled()); // a GKP setting
        c->protectResidualCheck()->setChecked(true);
        QVERIFY(waitForPlan(d));
        for (const gkp::ChannelGroupPlan &g : d->plan().channel_groups)
            QVERIFY2(!d->model()->channelDependencies().families[std::size_t(g.family)].residual, g.name.c_str());
        d->undoStack()->undo();
        d->undoStack()->undo();
        QVERIFY(waitForPlan(d));
        QCOMPARE(d->settings().method, std::string("gkp"));
        QVERIFY(!d->plan().isChannelPlan());
        QCOMPARE(c->methodCombo()->currentData().toString(), QStringLiteral("gkp"));
    }

    void exportFromTheDialogWritesAVerifiedFile()
    {
        MainWindow window;
        Document *d = window.document();
        QVERIFY(openFixtureAndPlan(window));
        QTemporaryDir dir;
        ExportDialog dialog(d);
        const QString out = dir.filePath(QStringLiteral("exported.pt"));
        dialog.setOutputPath(out);
        QSignalSpy finished(&dialog, &ExportDialog::exportFinished);
        // A deploy file under the speed limit is timed whole and not written (a limit no file meets,
        // so this does not depend on how fast this machine runs it); the message says so and how.
        dialog.setMinSpeedup(1000.0);
        dialog.startExport();
        QVERIFY(dialog.isRunning());
        QVERIFY(finished.wait(300000));
        QVERIFY(!finished.first().at(0).toBool());
        QVERIFY2(dialog.resultText().contains(QStringLiteral("no file written")) &&
                     dialog.resultText().contains(QStringLiteral("interleaved runs, frozen runtime, batch 1")) &&
                     dialog.resultText().contains(QStringLiteral("Write the file even when it runs slower")),
                 qPrintable(dialog.resultText()));
        QVERIFY(!std::filesystem::exists(out.toStdString()));
        QVERIFY(QDir(dir.path()).isEmpty()); // no temporary file left
        // "keep slower" writes it, with the whole-file timing it was judged by
        dialog.setKeepSlower(true);
        finished.clear();
        dialog.startExport();
        QVERIFY(finished.wait(300000));
        QVERIFY2(finished.first().at(0).toBool(), qPrintable(dialog.resultText()));
        QVERIFY(dialog.lastExportVerified());
        QVERIFY(std::filesystem::exists(out.toStdString()));
        QVERIFY(dialog.resultText().contains(QStringLiteral("Verified")));
        QVERIFY2(dialog.resultText().contains(QStringLiteral("timed before the file was written")),
                 qPrintable(dialog.resultText()));
        QVERIFY(!dialog.resultText().contains(QStringLiteral("oneDNN")));
        dialog.resize(700, 420);
        saveShot(&dialog, QStringLiteral("export-dialog.png"));

        // The oneDNN runtime: forms timed, file verified and both models benchmarked there.
        QVERIFY(dialog.runtime() == gkp::Runtime::Frozen); // the plan's latency runtime
        dialog.setRuntime(gkp::Runtime::OneDnn);
        const QString outOneDnn = dir.filePath(QStringLiteral("exported-onednn.pt"));
        dialog.setOutputPath(outOneDnn);
        dialog.startExport();
        QVERIFY(finished.wait(300000));
        QVERIFY2(finished.last().at(0).toBool(), qPrintable(dialog.resultText()));
        QVERIFY(dialog.lastExportVerified());
        QVERIFY(std::filesystem::exists(outOneDnn.toStdString()));
        QVERIFY(dialog.resultText().contains(QStringLiteral("oneDNN runtime")));

        // A plan made for the oneDNN runtime opens the dialog there.
        gkp::PlanSettings s = d->settings();
        s.groups = 0;
        s.latency_aware = true;
        s.latency_runtime = "onednn";
        d->changeSettings(s, QStringLiteral("latency-aware, oneDNN"));
        QVERIFY(waitForPlan(d));
        QVERIFY(window.controls()->oneDnnCheck()->isChecked());
        QVERIFY(window.controls()->oneDnnCheck()->isEnabled());
        QVERIFY(ExportDialog(d).runtime() == gkp::Runtime::OneDnn);
        window.controls()->oneDnnCheck()->setChecked(false);
        QVERIFY(waitForPlan(d));
        QCOMPARE(d->settings().latency_runtime, std::string("frozen"));
        d->undoStack()->undo(); // back to the plan made for the oneDNN runtime
        QVERIFY(waitForPlan(d));
        QVERIFY(window.controls()->oneDnnCheck()->isChecked());
        d->undoStack()->undo(); // before latency-aware: the option is not offered
        QVERIFY(waitForPlan(d));
        QVERIFY(!window.controls()->oneDnnCheck()->isEnabled());
        QCOMPARE(d->settings().latency_runtime, std::string("frozen"));
    }

    void badFileReportsAndKeepsTheOldModel()
    {
        MainWindow window;
        QSignalSpy failed(window.document(), &Document::loadFailed);
        window.openModel(QStringLiteral(GKP_FIXTURES_DIR "/broken_truncated.pt"));
        QVERIFY(failed.wait(60000));
        QVERIFY(failed.first().at(1).toString().contains(QStringLiteral("truncated")));
        auto *box = window.findChild<QMessageBox *>(QStringLiteral("errorBox"));
        QVERIFY(box);
        QVERIFY(box->text().contains(QStringLiteral("truncated")));
        QVERIFY(window.document()->model() == nullptr);
    }

    // Bad input with a model open and planned: one message naming the cause, and the document
    // (model, plan, undo history) exactly as it was.
    void badInputLeavesTheDocumentAsItWas_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<bool>("isPlan");
        QTest::addColumn<QString>("mustMention");
        QTest::newRow("corrupt model") << QStringLiteral("broken_truncated.pt") << false << QStringLiteral("truncated");
        QTest::newRow("foreign file as a model")
            << QStringLiteral("broken_text.pt") << false << QStringLiteral("not a TorchScript archive");
        QTest::newRow("state dict as a model")
            << QStringLiteral("broken_state_dict.pt") << false << QStringLiteral("not a TorchScript model");
        QTest::newRow("plan for another model") << QStringLiteral("@other") << true << QStringLiteral("another model");
        QTest::newRow("broken plan") << QStringLiteral("broken_text.pt") << true << QStringLiteral("invalid plan");
        QTest::newRow("plan that is not there") << QStringLiteral("@missing") << true << QStringLiteral("missing.json");
    }
    void badInputLeavesTheDocumentAsItWas()
    {
        QFETCH(QString, file);
        QFETCH(bool, isPlan);
        QFETCH(QString, mustMention);
        QTemporaryDir dir;
        QString path = QStringLiteral(GKP_FIXTURES_DIR "/") + file;
        if (file == QStringLiteral("@other")) { // a valid plan, made for a different network
            const gkp::Model other = gkp::Model::load(GKP_FIXTURES_DIR "/planted_scripted.pt");
            gkp::Planner planner(other);
            gkp::PlanSettings s;
            s.n_init = 1;
            path = dir.filePath(QStringLiteral("other.json"));
            gkp::savePlan(planner.makePlan(s), path.toStdString());
        } else if (file == QStringLiteral("@missing")) {
            path = dir.filePath(QStringLiteral("missing.json"));
        }

        MainWindow window;
        Document *d = window.document();
        QVERIFY(openFixtureAndPlan(window));
        const std::string modelPath = d->model()->path();
        const std::string planBefore = gkp::planToString(d->plan());
        const int undoBefore = d->undoStack()->count();
        QVERIFY(window.findChildren<QMessageBox *>(QStringLiteral("errorBox")).isEmpty());

        if (isPlan) {
            window.loadPlanFile(path);
        } else {
            QSignalSpy failed(d, &Document::loadFailed);
            window.openModel(path);
            QVERIFY(failed.wait(60000));
        }
        QTest::qWait(50);
        const QList<QMessageBox *> boxes = window.findChildren<QMessageBox *>(QStringLiteral("errorBox"));
        QCOMPARE(boxes.size(), 1);
        QVERIFY2(boxes.front()->text().contains(mustMention, Qt::CaseInsensitive), qPrintable(boxes.front()->text()));
        QVERIFY2(!boxes.front()->text().contains(u'\n'), qPrintable(boxes.front()->text())); // one message
        QCOMPARE(d->model()->path(), modelPath);
        QVERIFY(waitForPlan(d));
        QCOMPARE(gkp::planToString(d->plan()), planBefore);
        QCOMPARE(d->undoStack()->count(), undoBefore);
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
