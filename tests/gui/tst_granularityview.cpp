#include "documenttestutil.h"
#include "granularitypanel.h"
#include "granularityview.h"
#include "engine/plan.h"

#include <algorithm>

namespace {

const QString Fixture = QStringLiteral(GKP_FIXTURES_DIR "/cifar_resnet20b_traced.pt");
constexpr int Layer = 15;      // layer3.0.conv2, 64 x 64
constexpr int OtherLayer = 10; // layer2.1.conv1, 32 x 32
constexpr int Stem = 0;

} // namespace

class TestGranularityView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(openAndPlan(m_document, Fixture));
    }

    void init() { m_document.setSelectedLayer(-1); }

    void comparesSixGranularitiesAtTheSameKeptFraction()
    {
        GranularityView view(&m_document);
        view.resize(900, 600);
        view.show();
        QSignalSpy changed(&view, &GranularityView::resultsChanged);
        m_document.setSelectedLayer(Layer);
        QVERIFY(view.isComputing()); // off the UI thread
        QVERIFY(changed.wait(60000));
        QCOMPARE(view.resultsLayer(), Layer);
        const std::vector<gkp::GranularityResult> &r = view.results();
        QCOMPARE(int(r.size()), 6);
        const char *names[] = {"weight", "kernel", "grouped kernel", "gkp-g1", "channel", "filter"};
        const bool dense[] = {false, false, true, true, true, true};
        const gkp::LayerPlan *plan = m_document.layerPlan(Layer);
        const double expected = double(plan->kept_per_group) / 64.0;
        for (std::size_t i = 0; i < 6; ++i) {
            QCOMPARE(QString::fromStdString(r[i].name), QString::fromLatin1(names[i]));
            QCOMPARE(r[i].dense, dense[i]);
            QCOMPARE(r[i].out_channels, 64);
            QCOMPARE(r[i].in_channels, 64);
            QVERIFY2(qAbs(r[i].kept_fraction - expected) <= 0.01, qPrintable(QStringLiteral("%1: %2 vs %3")
                                                                                 .arg(QLatin1String(names[i]))
                                                                                 .arg(r[i].kept_fraction)
                                                                                 .arg(expected)));
        }
        // The GKP panel is the plan itself.
        QVERIFY(qAbs(r[2].retained_energy - plan->retained_energy) < 1e-6);
        const std::vector<uint8_t> mask = gkp::kernelMask(*plan, 64);
        QVERIFY(std::equal(mask.begin(), mask.end(), r[2].kept.begin(),
                           [](uint8_t m, float k) { return float(m) == k; }));
        // Magnitude pruning of single weights keeps the most energy of all at a given fraction.
        for (std::size_t i = 1; i < 6; ++i)
            QVERIFY(r[0].retained_energy >= r[i].retained_energy);

        // The panels show them: titles in order, a Cout x Cin picture with dark (kept) pixels
        // exactly where the GKP mask keeps.
        const QList<GranularityPanel *> panels = view.findChildren<GranularityPanel *>();
        QCOMPARE(panels.size(), 6);
        QVERIFY(panels[2]->title().contains(QStringLiteral("GKP")));
        const QImage image = panels[2]->mask();
        QCOMPARE(image.size(), QSize(64, 64));
        for (int o = 0; o < 64; ++o)
            for (int c = 0; c < 64; ++c)
                QCOMPARE(qGray(image.pixel(c, o)) < 128, mask[std::size_t(o * 64 + c)] != 0);
        QVERIFY(view.statusText().contains(QStringLiteral("layer3.0.conv2")));
        saveScreenshot(view, QStringLiteral("granularity-900x600.png"));
        view.resize(1400, 520);
        saveScreenshot(view, QStringLiteral("granularity-1400x520.png"));
    }

    void staleResultsAreDropped()
    {
        GranularityView view(&m_document);
        view.show(); // shows "select a layer" synchronously, before we listen
        QList<int> shown;
        connect(&view, &GranularityView::resultsChanged, &view, [&] { shown.append(view.resultsLayer()); });
        m_document.setSelectedLayer(Layer);
        QVERIFY(view.isComputing());
        m_document.setSelectedLayer(OtherLayer); // while the first comparison runs
        QTRY_VERIFY_WITH_TIMEOUT(!shown.isEmpty() && !view.isComputing(), 60000);
        QCOMPARE(shown, QList<int>{OtherLayer}); // never the superseded layer's results
        QCOMPARE(int(view.results().size()), 6);
        QCOMPARE(view.results()[0].out_channels, 32);
    }

    void hiddenViewDoesNotCompute()
    {
        GranularityView view(&m_document);
        m_document.setSelectedLayer(Layer);
        QVERIFY(!view.isComputing());
        QSignalSpy changed(&view, &GranularityView::resultsChanged);
        view.show(); // becomes visible: catches up
        QVERIFY(view.isComputing());
        QVERIFY(changed.wait(60000));
        QCOMPARE(view.resultsLayer(), Layer);
    }

    void unprunedLayerSaysSo()
    {
        GranularityView view(&m_document);
        view.resize(900, 600);
        view.show();
        m_document.setSelectedLayer(Stem);
        QVERIFY(!m_document.layerPlan(Stem));
        QVERIFY(view.results().empty());
        QVERIFY(!view.isComputing());
        QVERIFY(view.statusText().contains(QStringLiteral("conv1")));
        saveScreenshot(view, QStringLiteral("granularity-stem.png"));
    }

private:
    Document m_document;
};

QTEST_MAIN(TestGranularityView)
#include "tst_granularityview.moc"
