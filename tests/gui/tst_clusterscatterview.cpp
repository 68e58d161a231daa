#include "clusterscatterview.h"
#include "documenttestutil.h"
#include "grouppalette.h"
#include "model/layerstats.h"
#include "model/model.h"
#include "engine/planner.h"

#include <QComboBox>
#include <QPushButton>
#include <QSet>
#include <QUndoStack>

#include <map>

namespace {

constexpr int Timeout = 180000; // planning on a busy 2-core machine

QString fixture(const char *name)
{
    return QStringLiteral(GKP_FIXTURES_DIR "/") + QLatin1String(name);
}

int layerNamed(const Document &doc, const std::string &name)
{
    const gkp::ConvLayer *l = doc.model()->inventory().find(name);
    return l ? l->index : -1;
}

// Group sizes counted from an assignment, independent of the view.
QList<int> sizesOf(const std::vector<int> &assignment)
{
    std::map<int, int> count;
    for (int g : assignment)
        ++count[g];
    QList<int> sizes;
    for (const auto &[g, n] : count)
        sizes.append(n);
    return sizes;
}

// What is drawn: G colours, each on exactly Cout / G points.
bool drawsEqualGroups(const ClusterScatterView &view, int groups, int filters)
{
    const QMap<QRgb, int> drawn = view.pointsPerColour();
    if (drawn.size() != groups) {
        qWarning() << "colours drawn:" << drawn.size() << "expected" << groups;
        return false;
    }
    for (auto it = drawn.begin(); it != drawn.end(); ++it)
        if (it.value() != filters / groups) {
            qWarning() << "colour" << Qt::hex << it.key() << "has" << Qt::dec << it.value() << "points";
            return false;
        }
    return true;
}

bool waitIdle(const ClusterScatterView &view)
{
    return QTest::qWaitFor([&view] { return !view.isComputing() && view.pointCount() > 0; }, Timeout);
}

} // namespace

class TestClusterScatterView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void paletteColoursAreDistinct()
    {
        QSet<QRgb> seen;
        for (int g = 0; g < grouppalette::distinctColours(); ++g) {
            const QColor c = grouppalette::colour(g);
            QVERIFY2(!seen.contains(c.rgb()), qPrintable(QStringLiteral("group %1 repeats a colour").arg(g)));
            QVERIFY(c.rgb() != grouppalette::unplannedColour().rgb());
            seen.insert(c.rgb());
        }
        QVERIFY(grouppalette::distinctColours() >= 64);
    }

    void plantedBlocksShowTheirGroups()
    {
        Document doc;
        ClusterScatterView view(&doc);
        view.resize(900, 600);
        QVERIFY(openAndPlan(doc, fixture("planted_scripted.pt"), Timeout));
        const int blocks = layerNamed(doc, "blocks");
        QVERIFY(blocks >= 0);
        doc.setSelectedLayer(blocks); // (the document may open on it: it is the first planned layer)
        view.show();                  // nothing is computed while the view is hidden
        QVERIFY(view.isComputing());  // the projection runs in a worker
        QVERIFY(waitIdle(view));
        QCOMPARE(view.pointCount(), 16);
        QCOMPARE(view.layer(), blocks);

        // Default settings: G = 8 equal groups of 16 / 8 filters, each in its own colour.
        const gkp::LayerPlan *lp = doc.layerPlan(blocks);
        QVERIFY(lp);
        QCOMPARE(lp->groups, 8);
        QCOMPARE(view.groupSizes(), QList<int>(8, 2));
        QCOMPARE(view.groupSizes(), sizesOf(lp->assignment));
        QVERIFY(drawsEqualGroups(view, 8, 16));
        QCOMPARE(view.method(), QString()); // as planned
        QCOMPARE(view.shownMethod(), QStringLiteral("kmeans"));

        // Hovering a point names that filter, its norm and the group the plan gave it.
        const gkp::FilterProjection projection = gkp::filterProjection(*doc.model(), blocks);
        for (int f : {0, 5, 15}) {
            QCOMPARE(view.filterAt(view.filterPosition(f)), f);
            const QString tip = view.filterToolTip(f);
            QVERIFY2(tip.contains(QStringLiteral("filter %1\n").arg(f)), qPrintable(tip));
            QVERIFY2(tip.contains(QStringLiteral("group %1 ").arg(lp->assignment[std::size_t(f)])), qPrintable(tip));
            QVERIFY2(tip.contains(QString::number(double(projection.norms[std::size_t(f)]), 'g', 4)), qPrintable(tip));
        }
        QCOMPARE(view.filterAt(QPoint(-100, -100)), -1);

        // Fewer groups: the view follows the new plan.
        QSignalSpy planned(&doc, &Document::planChanged);
        gkp::PlanSettings s = doc.settings();
        s.groups = 2;
        doc.changeSettings(s, QStringLiteral("groups 2"));
        QVERIFY(planned.wait(Timeout));
        QCOMPARE(view.pointCount(), 16);
        QCOMPARE(view.groupSizes(), QList<int>({8, 8}));
        QVERIFY(drawsEqualGroups(view, 2, 16));

        // G = 4 recovers the planted blocks: 4 groups of 4.
        s.groups = 4;
        doc.changeSettings(s, QStringLiteral("groups 4"));
        QVERIFY(planned.wait(Timeout));
        QCOMPARE(view.groupSizes(), QList<int>({4, 4, 4, 4}));
        QVERIFY(drawsEqualGroups(view, 4, 16));
        saveScreenshot(view, QStringLiteral("clusterscatter-planted-g4.png"));
    }

    void previewingAnotherMethodRecomputesTheGroups()
    {
        Document doc;
        ClusterScatterView view(&doc);
        view.resize(900, 600);
        view.show();
        QVERIFY(openAndPlan(doc, fixture("cifar_resnet20b_traced.pt"), Timeout));
        const int layer = layerNamed(doc, "layer3.1.conv2"); // 64 filters, G = 8
        QVERIFY(layer >= 0);
        doc.setSelectedLayer(layer);
        QVERIFY(waitIdle(view));
        const gkp::LayerPlan planned = *doc.layerPlan(layer);
        QCOMPARE(planned.cluster, std::string("kmeans"));
        QCOMPARE(view.shownAssignment(), planned.assignment);
        const int undoBefore = doc.undoStack()->count();

        auto *combo = view.findChild<QComboBox *>(QStringLiteral("clusterMethod"));
        QVERIFY(combo && combo->isEnabled());
        auto *use = view.findChild<QPushButton *>(QStringLiteral("useForPlan"));
        QVERIFY(use);
        combo->setCurrentIndex(combo->findData(QStringLiteral("smooth")));
        QCOMPARE(view.method(), QStringLiteral("smooth"));
        QVERIFY(view.isComputing()); // clustering in a worker
        QVERIFY(waitIdle(view));
        QCOMPARE(view.shownMethod(), QStringLiteral("smooth"));

        // The groups are the smoothness clustering of this layer with the plan's G and ratio,
        // computed here directly, and they differ from the k-means groups.
        gkp::PlanSettings s = doc.settings();
        s.cluster = "smooth";
        const gkp::LayerPlan expected = doc.planner()->planLayer(layer, planned.ratio, planned.groups, s);
        QCOMPARE(view.shownAssignment(), expected.assignment);
        QVERIFY(view.shownAssignment() != planned.assignment);
        QCOMPARE(view.groupSizes(), QList<int>(8, 8));
        QVERIFY(drawsEqualGroups(view, 8, 64));
        QVERIFY2(view.noteText().contains(QStringLiteral("Preview")), qPrintable(view.noteText()));
        const int f = 9;
        QVERIFY(view.filterToolTip(f).contains(
            QStringLiteral("group %1 ").arg(expected.assignment[std::size_t(f)])));
        // A preview leaves the plan alone.
        QCOMPARE(doc.settings().cluster, std::string("kmeans"));
        QCOMPARE(doc.undoStack()->count(), undoBefore);
        saveScreenshot(view, QStringLiteral("clusterscatter-preview-smooth.png"));

        // Spectral: another worker round trip, still equal sizes.
        view.setMethod(QStringLiteral("spectral"));
        QVERIFY(waitIdle(view));
        QCOMPARE(view.shownMethod(), QStringLiteral("spectral"));
        QCOMPARE(view.groupSizes(), QList<int>(8, 8));
        QVERIFY(drawsEqualGroups(view, 8, 64));

        // "Use for Plan" makes it the plan's method, as one undoable edit.
        QVERIFY(use->isVisible() && use->isEnabled());
        QSignalSpy plannedSpy(&doc, &Document::planChanged);
        use->click();
        QCOMPARE(doc.settings().cluster, std::string("spectral"));
        QCOMPARE(doc.undoStack()->count(), undoBefore + 1);
        QCOMPARE(view.method(), QString()); // back to the plan's groups
        QVERIFY(plannedSpy.wait(Timeout));
        QCOMPARE(doc.layerPlan(layer)->cluster, std::string("spectral"));
        QVERIFY(waitIdle(view));
        QCOMPARE(view.shownMethod(), QStringLiteral("spectral"));
        QCOMPARE(view.shownAssignment(), doc.layerPlan(layer)->assignment);

        // Undo restores k-means.
        doc.undoStack()->undo();
        QVERIFY(plannedSpy.wait(Timeout));
        QCOMPARE(doc.settings().cluster, std::string("kmeans"));
        QCOMPARE(view.shownAssignment(), planned.assignment);
    }

    void stemIsGreyWithANote()
    {
        Document doc;
        ClusterScatterView view(&doc);
        view.resize(900, 600);
        view.show();
        QVERIFY(openAndPlan(doc, fixture("planted_scripted.pt"), Timeout));
        const int same = layerNamed(doc, "same"); // reads the network input: excluded by default
        QVERIFY(same >= 0);
        QVERIFY(!doc.layerPlan(same));
        doc.setSelectedLayer(same);
        QVERIFY(waitIdle(view));
        QCOMPARE(view.pointCount(), 16);
        QVERIFY(view.groupSizes().isEmpty());
        QCOMPARE(view.colourCount(), 1);
        QVERIFY(!view.noteText().isEmpty());
    }

    void resnetLayerWith8And32Groups()
    {
        Document doc;
        ClusterScatterView view(&doc);
        view.resize(900, 600);
        view.show();
        QVERIFY(openAndPlan(doc, fixture("cifar_resnet20b_traced.pt"), Timeout));
        const int layer = layerNamed(doc, "layer3.1.conv2"); // 64 filters
        QVERIFY(layer >= 0);
        doc.setSelectedLayer(layer);
        QVERIFY(waitIdle(view));
        QCOMPARE(view.pointCount(), 64);
        QCOMPARE(view.groupSizes(), QList<int>(8, 8));
        QVERIFY(drawsEqualGroups(view, 8, 64));
        saveScreenshot(view, QStringLiteral("cluster-scatter.png"));

        // 32 groups still get 32 different colours, two points each.
        QSignalSpy planned(&doc, &Document::planChanged);
        gkp::PlanSettings s = doc.settings();
        s.groups = 32;
        doc.changeSettings(s, QStringLiteral("groups 32"));
        QVERIFY(planned.wait(Timeout));
        QCOMPARE(view.groupSizes(), QList<int>(32, 2));
        QVERIFY(drawsEqualGroups(view, 32, 64));
        saveScreenshot(view, QStringLiteral("clusterscatter-resnet20-g32.png"));

        // Switching to another layer and back does not lose the points; the way back is cached.
        doc.setSelectedLayer(1);
        QVERIFY(waitIdle(view));
        QCOMPARE(view.pointCount(), 16);
        doc.setSelectedLayer(layer);
        QVERIFY(!view.isComputing());
        QCOMPARE(view.pointCount(), 64);
    }
};

QTEST_MAIN(TestClusterScatterView)
#include "tst_clusterscatterview.moc"
