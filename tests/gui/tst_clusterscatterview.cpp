#include "clusterscatterview.h"
#include "document.h"
#include "model.h"

#include <QComboBox>
#include <QSignalSpy>
#include <QUndoStack>
#include <QtTest>

#include <map>

namespace {

constexpr int Timeout = 180000; // planning a model in a debug-ish build on a busy machine

int layerNamed(const Document &doc, const std::string &name)
{
    const gkp::ConvLayer *l = doc.model()->inventory().find(name);
    return l ? l->index : -1;
}

// Opens a fixture and waits for the model and (optionally) its first plan.
bool openAndPlan(Document &doc, const QString &fixture, bool waitForPlan = true)
{
    QSignalSpy changed(&doc, &Document::modelChanged);
    QSignalSpy planned(&doc, &Document::planChanged);
    doc.openModel(QStringLiteral(GKP_FIXTURES_DIR "/") + fixture);
    if (!changed.wait(Timeout))
        return false;
    return !waitForPlan || planned.wait(Timeout);
}

void saveShot(QWidget &view, const QString &name)
{
    QTest::qWait(100); // let the queued replot draw before grabbing
    const QImage shot = view.grab().toImage();
    QVERIFY(!shot.isNull());
    if (qEnvironmentVariableIsSet("GKP_SCREENSHOT_DIR"))
        QVERIFY(shot.save(qEnvironmentVariable("GKP_SCREENSHOT_DIR") + u'/' + name));
}

// Group sizes counted from the plan itself, independent of the view.
QList<int> planSizes(const gkp::LayerPlan &lp)
{
    std::map<int, int> count;
    for (int g : lp.assignment)
        ++count[g];
    QList<int> sizes;
    for (const auto &[g, n] : count)
        sizes.append(n);
    return sizes;
}

} // namespace

class TestClusterScatterView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void plantedBlocksShowTheirGroups()
    {
        Document doc;
        ClusterScatterView view(&doc);
        view.resize(900, 600);
        view.show();
        QVERIFY(openAndPlan(doc, QStringLiteral("planted_scripted.pt")));
        const int blocks = layerNamed(doc, "blocks");
        QVERIFY(blocks >= 0);
        doc.setSelectedLayer(blocks);
        QTRY_COMPARE_WITH_TIMEOUT(view.pointCount(), 16, Timeout);
        QCOMPARE(view.layer(), blocks);

        // Default settings: G = 8 equal groups of 16 / 8 filters, each in its own colour.
        const gkp::LayerPlan *lp = doc.layerPlan(blocks);
        QVERIFY(lp);
        QCOMPARE(lp->groups, 8);
        QCOMPARE(view.groupSizes(), QList<int>(8, 2));
        QCOMPARE(view.groupSizes(), planSizes(*lp));
        QCOMPARE(view.colourCount(), 8);
        QCOMPARE(view.method(), QStringLiteral("kmeans"));

        // Hovering a point names that filter and the group the plan gave it.
        for (int f : {0, 5, 15}) {
            QCOMPARE(view.filterAt(view.filterPosition(f)), f);
            const QString tip = view.filterToolTip(f);
            QVERIFY2(tip.contains(QStringLiteral("filter %1").arg(f)), qPrintable(tip));
            QVERIFY2(tip.contains(QStringLiteral("group %1").arg(lp->assignment[std::size_t(f)])), qPrintable(tip));
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
        QCOMPARE(view.colourCount(), 2);

        // G = 4 recovers the planted blocks: same-block filters share a group.
        s.groups = 4;
        doc.changeSettings(s, QStringLiteral("groups 4"));
        QVERIFY(planned.wait(Timeout));
        QCOMPARE(view.groupSizes(), QList<int>({4, 4, 4, 4}));
        QCOMPARE(view.colourCount(), 4);
        saveShot(view, QStringLiteral("clusterscatter-planted-g4.png"));
    }

    void methodComboChangesTheSettings()
    {
        Document doc;
        ClusterScatterView view(&doc);
        view.resize(900, 600);
        view.show();
        QVERIFY(openAndPlan(doc, QStringLiteral("planted_scripted.pt")));
        const int blocks = layerNamed(doc, "blocks");
        doc.setSelectedLayer(blocks);
        QTRY_COMPARE_WITH_TIMEOUT(view.pointCount(), 16, Timeout);

        auto *combo = view.findChild<QComboBox *>(QStringLiteral("clusterMethod"));
        QVERIFY(combo);
        QVERIFY(combo->isEnabled());
        const int undoBefore = doc.undoStack()->count();
        QSignalSpy planned(&doc, &Document::planChanged);
        combo->setCurrentIndex(combo->findData(QStringLiteral("smooth")));
        QCOMPARE(doc.undoStack()->count(), undoBefore + 1);
        QCOMPARE(doc.settings().cluster, std::string("smooth"));
        QVERIFY(doc.undoStack()->text(undoBefore).startsWith(QStringLiteral("Clustering: ")));
        QVERIFY(planned.wait(Timeout));
        QCOMPARE(doc.layerPlan(blocks)->cluster, std::string("smooth"));
        QCOMPARE(view.groupSizes(), QList<int>(8, 2));

        // Undo puts the combo back without pushing another command.
        doc.undoStack()->undo();
        QCOMPARE(view.method(), QStringLiteral("kmeans"));
        QCOMPARE(doc.settings().cluster, std::string("kmeans"));
        QCOMPARE(doc.undoStack()->count(), undoBefore + 1);
        QCOMPARE(doc.undoStack()->index(), undoBefore);
    }

    void stemIsGreyWithANote()
    {
        Document doc;
        ClusterScatterView view(&doc);
        view.resize(900, 600);
        view.show();
        QVERIFY(openAndPlan(doc, QStringLiteral("planted_scripted.pt")));
        const int same = layerNamed(doc, "same"); // reads the network input: excluded by default
        QVERIFY(same >= 0);
        QVERIFY(!doc.layerPlan(same));
        doc.setSelectedLayer(same);
        QTRY_COMPARE_WITH_TIMEOUT(view.pointCount(), 16, Timeout);
        QVERIFY(view.groupSizes().isEmpty());
        QCOMPARE(view.colourCount(), 1);
        QVERIFY(!view.noteText().isEmpty());
    }

    void nonPrunableDepthwiseLayerIsGrey()
    {
        Document doc;
        ClusterScatterView view(&doc);
        view.resize(900, 600);
        view.show();
        QVERIFY(openAndPlan(doc, QStringLiteral("mobilenet_v2_traced.pt"), false));
        int depthwise = -1;
        for (const gkp::ConvLayer &l : doc.model()->inventory().layers)
            if (l.groups > 1 && l.out_channels == 96) {
                depthwise = l.index;
                break;
            }
        QVERIFY(depthwise >= 0);
        doc.setSelectedLayer(depthwise);
        QTRY_COMPARE_WITH_TIMEOUT(view.pointCount(), 96, Timeout);
        QVERIFY(view.groupSizes().isEmpty());
        QCOMPARE(view.colourCount(), 1);
        QVERIFY2(view.noteText().contains(QStringLiteral("not prunable"), Qt::CaseInsensitive),
                 qPrintable(view.noteText()));
        saveShot(view, QStringLiteral("clusterscatter-depthwise.png"));
    }

    void resnetLayerWith32Groups()
    {
        Document doc;
        ClusterScatterView view(&doc);
        view.resize(900, 600);
        view.show();
        QVERIFY(openAndPlan(doc, QStringLiteral("cifar_resnet20b_traced.pt")));
        const int layer = layerNamed(doc, "layer3.1.conv2"); // 64 filters
        QVERIFY(layer >= 0);
        doc.setSelectedLayer(layer);
        QTRY_COMPARE_WITH_TIMEOUT(view.pointCount(), 64, Timeout);
        QCOMPARE(view.groupSizes(), QList<int>(8, 8));
        QCOMPARE(view.colourCount(), 8);
        saveShot(view, QStringLiteral("clusterscatter-resnet20-g8.png"));

        // 32 groups still get 32 different colours.
        QSignalSpy planned(&doc, &Document::planChanged);
        gkp::PlanSettings s = doc.settings();
        s.groups = 32;
        doc.changeSettings(s, QStringLiteral("groups 32"));
        QVERIFY(planned.wait(Timeout));
        QCOMPARE(view.groupSizes(), QList<int>(32, 2));
        QCOMPARE(view.colourCount(), 32);
        saveShot(view, QStringLiteral("clusterscatter-resnet20-g32.png"));

        // Switching to a cached layer and back does not lose the points.
        doc.setSelectedLayer(0);
        QTRY_COMPARE_WITH_TIMEOUT(view.pointCount(), 16, Timeout);
        doc.setSelectedLayer(layer);
        QCOMPARE(view.pointCount(), 64); // cached: no worker round trip
    }
};

QTEST_MAIN(TestClusterScatterView)
#include "tst_clusterscatterview.moc"
