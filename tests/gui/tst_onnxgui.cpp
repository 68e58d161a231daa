// An ONNX model in the GUI: dropped on the window, shown by every view, planned and exported;
// a broken one reported. Expected values from tests/fixtures/make_onnx_fixtures.py.

#include "clusterscatterview.h"
#include "document.h"
#include "exportdialog.h"
#include "granularityview.h"
#include "kernelheatmapview.h"
#include "layertablemodel.h"
#include "mainwindow.h"
#include "model/model.h"
#include "modelsummaryview.h"

#include <QDockWidget>
#include <QDropEvent>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QMimeData>
#include <QSettings>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>

namespace {

QString fixture(const QString &name)
{
    return QStringLiteral(GKP_FIXTURES_DIR "/onnx/") + name;
}

QJsonObject expected(const QString &name)
{
    QFile f(fixture(QStringLiteral("onnx_expected.json")));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(f.readAll()).object().value(name).toObject();
}

bool waitForPlan(Document *d)
{
    QSignalSpy spy(d, &Document::planChanged);
    return (d->isPlanCurrent() && !d->isPlanning()) || spy.wait(120000);
}

void drop(QWidget *target, const QString &path)
{
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(path)});
    QDragEnterEvent enter(QPoint(50, 50), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(target, &enter);
    QDropEvent dropEvent(QPointF(50, 50), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(target, &dropEvent);
}

} // namespace

class TestOnnxGui : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QSettings().remove(QStringLiteral("mainwindow"));
        QSettings().remove(QStringLiteral("recentFiles"));
    }

    void droppedOnnxModelInEveryView()
    {
        const QString path = fixture(QStringLiteral("mobilenet_opset11.onnx"));
        const QJsonObject e = expected(QStringLiteral("mobilenet_opset11"));
        const QJsonArray layers = e.value(u"layers"_qs).toArray();
        QCOMPARE(layers.size(), 6);

        MainWindow window;
        window.resize(1400, 860);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        Document *d = window.document();
        QSignalSpy changed(d, &Document::modelChanged);
        drop(&window, path);
        QVERIFY(changed.wait(60000));
        QVERIFY(d->model()->format() == gkp::ModelFormat::Onnx);
        QVERIFY(QSettings().value(QStringLiteral("recentFiles")).toStringList().contains(path));

        // layer table: the ONNX node names, the depthwise layers not prunable
        QAbstractItemModel *table = window.layerView()->model();
        QCOMPARE(table->rowCount(), 6);
        for (int i = 0; i < 6; ++i)
            QCOMPARE(table->index(i, LayerTableModel::Name).data().toString(),
                     layers[i].toObject().value(u"name"_qs).toString());
        QVERIFY(waitForPlan(d));
        QCOMPARE(table->index(0, LayerTableModel::Ratio).data().toString(), QStringLiteral("not pruned")); // stem
        QVERIFY(d->layerPlan(2)); // "/pw/pw.0/Conv", 16 -> 32, 1x1

        // kernel heatmap of the selected layer, with the plan's mask
        window.layerView()->selectRow(2);
        QCOMPARE(d->selectedLayer(), 2);
        QTRY_VERIFY_WITH_TIMEOUT(!window.heatmap()->isComputing() && window.heatmap()->displayedRows() == 32, 30000);
        QCOMPARE(window.heatmap()->displayedColumns(), 16);
        QVERIFY(window.heatmap()->hasMask());

        // filter clusters: one point per filter of the selected layer
        QTRY_VERIFY_WITH_TIMEOUT(window.clusterView()->layer() == 2 && !window.clusterView()->isComputing(), 30000);
        QCOMPARE(window.clusterView()->pointCount(), 32);

        // model summary: a bar per conv, the totals the fixture script computed
        QCOMPARE(window.summary()->barCount(), 6);
        QCOMPARE(qint64(window.summary()->macsBefore()), qint64(e.value(u"totals"_qs)[u"conv_macs"_qs].toDouble()));
        QCOMPARE(qint64(window.summary()->barMacsBefore(2)), qint64(layers[2].toObject()[u"macs"_qs].toDouble()));
        QVERIFY(window.summary()->macsAfter() < window.summary()->macsBefore());

        // pruning granularity view, shown from the View menu
        auto *granularity = window.findChild<GranularityView *>(QStringLiteral("granularityView"));
        QVERIFY(granularity);
        window.findChild<QDockWidget *>(QStringLiteral("granularityDock"))->show();
        QTRY_VERIFY_WITH_TIMEOUT(granularity->resultsLayer() == 2 && !granularity->isComputing(), 60000);
        QCOMPARE(int(granularity->results().size()), 6);
        QTest::qWait(100);
        if (qEnvironmentVariableIsSet("GKP_SCREENSHOT_DIR"))
            window.grab().save(qEnvironmentVariable("GKP_SCREENSHOT_DIR") + u"/mainwindow-onnx.png"_qs);

        // export: TorchScript, said so, verified
        QTemporaryDir dir;
        ExportDialog dialog(d);
        auto *note = dialog.findChild<QLabel *>(QStringLiteral("onnxNote"));
        QVERIFY(note);
        QVERIFY(note->text().contains(u"TorchScript"_qs));
        const QString out = dir.filePath(QStringLiteral("mobilenet-gkp.pt"));
        dialog.setOutputPath(out);
        dialog.setKeepSlower(true); // how fast this machine runs it is not what this test checks
        QSignalSpy finished(&dialog, &ExportDialog::exportFinished);
        dialog.startExport();
        QVERIFY(finished.wait(300000));
        QVERIFY2(finished.first().at(0).toBool(), qPrintable(dialog.resultText()));
        QVERIFY(dialog.lastExportVerified());
        QVERIFY(std::filesystem::exists(out.toStdString()));
        // and as a pruned ONNX file (the default name for an ONNX model), read back with its plan
        const QString onnxOut = dir.filePath(QStringLiteral("mobilenet-gkp.onnx"));
        dialog.setOutputPath(onnxOut);
        finished.clear();
        dialog.startExport();
        QVERIFY(finished.wait(300000));
        QVERIFY2(finished.first().at(0).toBool(), qPrintable(dialog.resultText()));
        QVERIFY(dialog.lastExportVerified());
        const gkp::Model written = gkp::Model::load(onnxOut.toStdString());
        QVERIFY(written.format() == gkp::ModelFormat::Onnx);
        QVERIFY(written.extraFiles().count(gkp::extra::Plan));
        if (qEnvironmentVariableIsSet("GKP_SCREENSHOT_DIR")) {
            dialog.resize(700, 440);
            QTest::qWait(100);
            dialog.grab().save(qEnvironmentVariable("GKP_SCREENSHOT_DIR") + u"/export-dialog-onnx.png"_qs);
        }
    }

    void torchScriptExportDialogHasNoOnnxNote()
    {
        MainWindow window;
        QSignalSpy changed(window.document(), &Document::modelChanged);
        window.openModel(QStringLiteral(GKP_FIXTURES_DIR "/cifar_resnet20b_scripted.pt"));
        QVERIFY(changed.wait(60000));
        ExportDialog dialog(window.document());
        QVERIFY(!dialog.findChild<QLabel *>(QStringLiteral("onnxNote")));
    }

    void brokenOnnxModelIsReported()
    {
        MainWindow window;
        QSignalSpy failed(window.document(), &Document::loadFailed);
        window.openModel(fixture(QStringLiteral("broken_unsupported_op.onnx")));
        QVERIFY(failed.wait(60000));
        const QString message = failed.first().at(1).toString();
        QVERIFY2(message.contains(u"uses op 'TopK', which GKP Studio does not support"_qs), qPrintable(message));
        QVERIFY(window.document()->model() == nullptr);
    }
};

QTEST_MAIN(TestOnnxGui)
#include "tst_onnxgui.moc"
