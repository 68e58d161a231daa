#include "document.h"
#include "model.h"
#include "modelsummaryview.h"

#include <QSignalSpy>
#include <QtTest>

namespace {

constexpr int Timeout = 180000;

bool openAndPlan(Document &doc, const QString &fixture)
{
    QSignalSpy changed(&doc, &Document::modelChanged);
    QSignalSpy planned(&doc, &Document::planChanged);
    doc.openModel(QStringLiteral(GKP_FIXTURES_DIR "/") + fixture);
    return changed.wait(Timeout) && planned.wait(Timeout);
}

void saveShot(QWidget &view, const QString &name)
{
    QTest::qWait(100); // let the queued replot draw before grabbing
    const QImage shot = view.grab().toImage();
    QVERIFY(!shot.isNull());
    if (qEnvironmentVariableIsSet("GKP_SCREENSHOT_DIR"))
        QVERIFY(shot.save(qEnvironmentVariable("GKP_SCREENSHOT_DIR") + u'/' + name));
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
        QVERIFY(openAndPlan(doc, QStringLiteral("cifar_resnet20b_traced.pt")));
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

        // The panel states the reduction, computed here independently.
        const QString text = view.totalsText();
        const double reduction = 100.0 * (1.0 - double(plan.totals.macs_after) / double(inv.totals.conv_macs));
        QVERIFY2(text.contains(QLocale().toString(reduction, 'f', 1) + QStringLiteral(" %")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("%1 of %2").arg(plan.layers.size()).arg(inv.totals.prunable)),
                 qPrintable(text));
        QVERIFY2(text.contains(QLocale().formattedDataSize(plan.totals.params_before * 4)), qPrintable(text));
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
    }

    void clickingABarSelectsTheLayer()
    {
        Document doc;
        ModelSummaryView view(&doc);
        view.resize(900, 600);
        view.show();
        QVERIFY(openAndPlan(doc, QStringLiteral("cifar_resnet20b_traced.pt")));
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
        saveShot(view, QStringLiteral("modelsummary-resnet20-selected.png"));
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
        saveShot(view, QStringLiteral("modelsummary-mobilenet-unplanned.png"));
    }
};

QTEST_MAIN(TestModelSummaryView)
#include "tst_modelsummaryview.moc"
