#include "document.h"
#include "mainwindow.h"

#include <QMessageBox>
#include <QSignalSpy>
#include <QTableView>
#include <QtTest>

class TestMainWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

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
        QCOMPARE(model->index(0, 1).data().toString(), QStringLiteral("conv1"));
        QCOMPARE(window.document()->selectedLayer(), 0);
        // selecting a row selects the layer in the document
        window.layerView()->selectRow(3);
        QCOMPARE(window.document()->selectedLayer(), 3);
        const QImage shot = window.grab().toImage();
        QVERIFY(!shot.isNull());
        if (qEnvironmentVariableIsSet("GKP_SCREENSHOT_DIR"))
            shot.save(qEnvironmentVariable("GKP_SCREENSHOT_DIR") + QStringLiteral("/mainwindow-table.png"));
    }

    void badFileReportsAndKeepsTheOldModel()
    {
        MainWindow window;
        QSignalSpy failed(window.document(), &Document::loadFailed);
        window.openModel(QStringLiteral(GKP_FIXTURES_DIR "/broken_truncated.pt"));
        QVERIFY(failed.wait(60000));
        QVERIFY(failed.first().at(1).toString().contains(QStringLiteral("truncated")));
        auto *box = window.findChild<QMessageBox *>(QStringLiteral("loadErrorBox"));
        QVERIFY(box);
        QVERIFY(box->text().contains(QStringLiteral("truncated")));
        QVERIFY(window.document()->model() == nullptr);
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
