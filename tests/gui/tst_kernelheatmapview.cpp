#include "document.h"
#include "kernelheatmapview.h"
#include "torchmodel.h"

#include <QSignalSpy>
#include <QUndoStack>
#include <QtTest>

#include <algorithm>

class TestKernelHeatmapView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void showsNormsAndMask()
    {
        Document doc;
        KernelHeatmapView view(&doc);
        view.resize(900, 600);
        view.show();
        QSignalSpy loaded(&doc, &Document::modelChanged), planned(&doc, &Document::planChanged);
        doc.openModel(QStringLiteral(GKP_FIXTURES_DIR "/cifar_resnet20b_traced.pt"));
        QVERIFY(loaded.wait(60000));
        QVERIFY(planned.wait(60000));
        const int layer = 8; // layer2.0.conv2: 32 x 32 kernels
        doc.setSelectedLayer(layer);
        QCOMPARE(view.displayedRows(), 32);
        QCOMPARE(view.displayedColumns(), 32);

        // original order: L1 norms computed here from the weights, mask from the plan
        const torch::Tensor w = doc.model()->impl().weights[layer].detach();
        const gkp::LayerPlan *plan = doc.layerPlan(layer);
        QVERIFY(plan);
        const std::vector<uint8_t> mask = gkp::kernelMask(*plan, 32);
        std::vector<double> original;
        for (int o = 0; o < 32; ++o)
            for (int c = 0; c < 32; ++c) {
                QVERIFY(std::abs(view.cellValue(o, c) - w[o][c].abs().sum().item<double>()) < 1e-4);
                QCOMPARE(view.cellKept(o, c), mask[std::size_t(o * 32 + c)] != 0);
                original.push_back(view.cellValue(o, c));
            }

        // grouped order: rows sorted by group, each row's kept columns first
        view.setGroupedOrder(true);
        std::vector<double> grouped;
        for (int r = 0; r < 32; ++r) {
            for (int j = 0; j < 32; ++j) {
                QCOMPARE(view.cellKept(r, j), j < plan->kept_per_group);
                grouped.push_back(view.cellValue(r, j));
            }
        }
        std::sort(original.begin(), original.end());
        std::sort(grouped.begin(), grouped.end());
        QCOMPARE(grouped, original);
        QTest::qWait(50); // let the queued replot happen before grabbing
        if (qEnvironmentVariableIsSet("GKP_SCREENSHOT_DIR"))
            view.grab().save(qEnvironmentVariable("GKP_SCREENSHOT_DIR") + QStringLiteral("/heatmap-grouped.png"));

        // a ratio change updates the mask
        gkp::PlanSettings s = doc.settings();
        s.ratio = 0.75;
        doc.changeSettings(s, QStringLiteral("ratio"));
        QVERIFY(planned.wait(60000));
        int kept = 0;
        for (int j = 0; j < 32; ++j)
            kept += view.cellKept(0, j) ? 1 : 0;
        QCOMPARE(kept, 8);
        view.setGroupedOrder(false);
        QTest::qWait(50);
        if (qEnvironmentVariableIsSet("GKP_SCREENSHOT_DIR"))
            view.grab().save(qEnvironmentVariable("GKP_SCREENSHOT_DIR") + QStringLiteral("/heatmap.png"));
    }
};

QTEST_MAIN(TestKernelHeatmapView)
#include "tst_kernelheatmapview.moc"
