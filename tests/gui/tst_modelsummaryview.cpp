#include "documenttestutil.h"
#include "model/model.h"
#include "layertablemodel.h"
#include "modelsummaryview.h"

#include <QFileInfo>
#include <QWidget>

namespace {

constexpr int Timeout = 180000;

bool openFixture(Document &doc, const QString &fixture)
{
    return ::openAndPlan(doc, QStringLiteral(GKP_FIXTURES_DIR "/") + fixture, Timeout);
}

void saveShot(QWidget &view, const QString &name)
{
    saveScreenshot(view, name);
}

} // namespace

class TestModelSummaryView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void noModel()
    {
        Document doc;
        ModelSummaryView view(&doc);
        QCOMPARE(view.barCount(), 0);
        QCOMPARE(view.macsBefore(), 0.0);
        QVERIFY(!view.totalsText().isEmpty());
    }

    void barsAndTotalsFollowThePlan()
    {
        Document doc;
        ModelSummaryView view(&doc);
        view.resize(900, 600);
        view.show();
        QVERIFY(openFixture(doc, QStringLiteral("cifar_resnet20b_traced.pt")));
        const gkp::Inventory &inv = doc.model()->inventory();
        const gkp::Plan &plan = doc.plan();
        QVERIFY(!plan.layers.empty());

        QCOMPARE(view.barCount(), int(inv.layers.size()));
        QCOMPARE(view.barCount(), 21);
        QCOMPARE(view.macsBefore(), double(inv.totals.conv_macs));
        QCOMPARE(view.macsAfter(), double(plan.totals.macs_after));
        QVERIFY(view.macsAfter() < view.macsBefore());
        // The bars add up to the totals: every conv is drawn once, pruned or not.
        double before = 0, after = 0;
        for (int i = 0; i < view.barCount(); ++i) {
            before += view.barMacsBefore(i);
            after += view.barMacsAfter(i);
            QVERIFY(view.barMacsAfter(i) <= view.barMacsBefore(i));
        }
        QCOMPARE(before, double(inv.totals.conv_macs));
        QCOMPARE(after, double(plan.totals.macs_after));
        QVERIFY(!doc.layerPlan(0)); // the stem is not pruned by default: its bars are equal
        QCOMPARE(view.barMacsAfter(0), view.barMacsBefore(0));
        // Each pruned layer's bars are the plan's own numbers; the others are the inventory's.
        for (const gkp::LayerPlan &lp : plan.layers) {
            QCOMPARE(view.barMacsBefore(lp.layer), double(lp.macs_before));
            QCOMPARE(view.barMacsAfter(lp.layer), double(lp.macs_after));
        }
        for (const gkp::ConvLayer &l : inv.layers)
            if (!doc.layerPlan(l.index))
                QCOMPARE(view.barMacsAfter(l.index), double(l.macs));
        // 21 layers fit by name under the axis at this width.
        QCOMPARE(view.barLabel(7), QString::fromStdString(inv.layers[7].name));

        // Size on disk: the file as loaded, and the deploy estimate = kept params x 4 bytes + the
        // file's overhead beyond its float32 weights + int64 gather and permutation indices.
        const qint64 file = QFileInfo(QStringLiteral(GKP_FIXTURES_DIR "/cifar_resnet20b_traced.pt")).size();
        QCOMPARE(view.fileBytes(), file);
        qint64 indices = 0;
        for (const gkp::LayerPlan &lp : plan.layers)
            indices += (lp.gather_width + qint64(lp.assignment.size())) * 8;
        const qint64 estimate = plan.totals.params_after * 4 + (file - plan.totals.params_before * 4) + indices;
        QCOMPARE(view.exportBytesEstimate(), estimate);
        QVERIFY(estimate < file);

        // The panel states the reduction, computed here independently.
        const QString text = view.totalsText();
        const double reduction = 100.0 * (1.0 - double(plan.totals.macs_after) / double(inv.totals.conv_macs));
        QVERIFY2(text.contains(QLocale().toString(reduction, 'f', 1) + QStringLiteral(" %")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("%1 of %2").arg(plan.layers.size()).arg(inv.totals.prunable)),
                 qPrintable(text));
        QVERIFY2(text.contains(QLocale().formattedDataSize(estimate)), qPrintable(text));
        QVERIFY2(text.contains(QLocale().formattedDataSize(file)), qPrintable(text));
        const double params = 100.0 * (1.0 - double(plan.totals.params_after) / double(plan.totals.params_before));
        QVERIFY2(text.contains(QLocale().toString(params, 'f', 1) + QStringLiteral(" %")), qPrintable(text));
        QVERIFY2(text.contains(humanCount(double(plan.totals.macs_after))), qPrintable(text));
        QVERIFY(!view.isComputing());
        saveShot(view, QStringLiteral("modelsummary-resnet20.png"));

        // A higher ratio: "computing…" until the new plan arrives, then fewer MACs.
        QSignalSpy planned(&doc, &Document::planChanged);
        const double oldAfter = view.macsAfter();
        gkp::PlanSettings s = doc.settings();
        s.ratio = 0.75;
        doc.changeSettings(s, QStringLiteral("ratio"));
        QVERIFY(view.isComputing());
        QVERIFY2(view.totalsText().contains(QStringLiteral("Computing")), qPrintable(view.totalsText()));
        QVERIFY(planned.wait(Timeout));
        QVERIFY(!view.isComputing());
        QVERIFY(!view.totalsText().contains(QStringLiteral("Computing")));
        QVERIFY(view.macsAfter() < oldAfter);
        QCOMPARE(view.macsAfter(), double(doc.plan().totals.macs_after));
        QVERIFY(!view.totalsText().contains(QStringLiteral("MACs (deployed)"))); // G > 1: nothing shrinks more

        // G = 1: producers read only by a G = 1 layer lose channels in a deploy export; the panel
        // shows that total too, the plan's estimate (exact, see tst_export).
        s.groups = 1;
        doc.changeSettings(s, QStringLiteral("G = 1"));
        QVERIFY(planned.wait(Timeout));
        const gkp::PlanTotals &t = doc.plan().totals;
        QVERIFY(t.deploy_macs_after < t.macs_after);
        const QString g1 = view.totalsText();
        QVERIFY2(g1.contains(QStringLiteral("MACs (deployed)")), qPrintable(g1));
        QVERIFY2(g1.contains(humanCount(double(t.deploy_macs_after))), qPrintable(g1));
        const double deployCut = 100.0 * (1.0 - double(t.deploy_macs_after) / double(t.macs_before));
        QVERIFY2(g1.contains(QLocale().toString(deployCut, 'f', 1) + QStringLiteral(" %")), qPrintable(g1));
        saveShot(view, QStringLiteral("modelsummary-resnet20-g1.png"));

        // How latency-aware planning chose between whole files is shown with the plan.
        QVERIFY(!g1.contains(QStringLiteral("whole deploy files")));
        gkp::Plan noted = doc.plan();
        noted.note = "latency-aware: whole deploy files timed in the frozen runtime at batch 1; kept the block pattern";
        doc.applyPlan(doc.settings(), noted);
        QVERIFY2(view.totalsText().contains(QString::fromStdString(noted.note)), qPrintable(view.totalsText()));
        saveShot(view, QStringLiteral("modelsummary-resnet20-note.png"));
    }

    void clickingABarSelectsTheLayer()
    {
        Document doc;
        ModelSummaryView view(&doc);
        view.resize(900, 600);
        view.show();
        QVERIFY(openFixture(doc, QStringLiteral("cifar_resnet20b_traced.pt")));
        QTest::qWait(100); // the plot lays out its axes in the queued replot

        QCOMPARE(view.barAt(view.barCentre(7)), 7);
        QTest::mouseClick(view.plotWidget(), Qt::LeftButton, {}, view.barCentre(7));
        QCOMPARE(doc.selectedLayer(), 7);
        QTest::mouseClick(view.plotWidget(), Qt::LeftButton, {}, view.barCentre(12));
        QCOMPARE(doc.selectedLayer(), 12);
        // Outside the axis rect (tick labels, margins) nothing changes.
        QCOMPARE(view.barAt(QPoint(2, 2)), -1);
        QTest::mouseClick(view.plotWidget(), Qt::LeftButton, {}, QPoint(2, 2));
        QCOMPARE(doc.selectedLayer(), 12);
        saveShot(view, QStringLiteral("model-summary.png"));
    }

    void selectingALayerElsewhereMovesTheHighlightOnly()
    {
        Document doc;
        ModelSummaryView view(&doc);
        view.resize(900, 600);
        view.show();
        QVERIFY(openFixture(doc, QStringLiteral("cifar_resnet20b_traced.pt")));
        doc.setSelectedLayer(4);
        QCOMPARE(doc.selectedLayer(), 4);
        QCOMPARE(view.barAt(view.barCentre(4)), 4);
    }

    void manyLayersUseIndexTicks()
    {
        Document doc;
        ModelSummaryView view(&doc);
        view.resize(900, 600);
        view.show();
        QSignalSpy changed(&doc, &Document::modelChanged);
        doc.openModel(QStringLiteral(GKP_FIXTURES_DIR "/mobilenet_v2_traced.pt"));
        QVERIFY(changed.wait(Timeout));
        QCOMPARE(view.barCount(), int(doc.model()->inventory().layers.size()));
        QCOMPARE(view.macsBefore(), double(doc.model()->inventory().totals.conv_macs));
        QCOMPARE(view.macsAfter(), view.macsBefore()); // no plan yet: nothing pruned
        const int n = view.barCount();
        QVERIFY(n > 50);
        QTest::qWait(100); // laid out: the labels are thinned to fit the width
        auto labelled = [&view](int from, int to) {
            int count = 0;
            for (int i = from; i < to; ++i)
                count += view.barLabel(i).isEmpty() ? 0 : 1;
            return count;
        };
        const int all = labelled(0, n);
        QVERIFY2(all > 5 && all < n, qPrintable(QString::number(all)));
        // Rotated labels need a line height each: no more than the axis width holds.
        QVERIFY(all * view.fontMetrics().height() <= view.plotWidget()->width());
        saveShot(view, QStringLiteral("modelsummary-mobilenet-unplanned.png"));
        // Zoomed in on ten layers, every one is named.
        QWheelEvent wheel(QPointF(view.plotWidget()->width() / 2, view.plotWidget()->height() / 2),
                          view.plotWidget()->mapToGlobal(QPointF(view.plotWidget()->width() / 2, 100)), QPoint(),
                          QPoint(0, 120 * 8), Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
        QApplication::sendEvent(view.plotWidget(), &wheel);
        QTest::qWait(100);
        int visible = 0, named = 0;
        for (int i = 0; i < n; ++i)
            if (view.barAt(view.barCentre(i)) == i) {
                ++visible;
                named += view.barLabel(i).isEmpty() ? 0 : 1;
            }
        QVERIFY2(visible >= 3 && visible < n / 2, qPrintable(QString::number(visible)));
        QCOMPARE(named, visible);

        // In a short dock the axis numbers the layers instead of naming them.
        view.resize(900, 240);
        QTest::qWait(100);
        int first = 0;
        while (first < n && view.barAt(view.barCentre(first)) != first)
            ++first;
        QVERIFY(first < n);
        QCOMPARE(view.barLabel(first), QString::number(first)); // zoomed in: every layer labelled
    }
};

QTEST_MAIN(TestModelSummaryView)
#include "tst_modelsummaryview.moc"
