#include "documenttestutil.h"
#include "heatmapframe.h"
#include "kernelheatmapview.h"
#include "model/model.h"
#include "engine/plan.h"
#include "engine/planner.h"
#include "qcustomplotcompat.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QUndoStack>
#include <algorithm>

namespace {

const QString Fixture = QStringLiteral(GKP_FIXTURES_DIR "/cifar_resnet20b_traced.pt");
constexpr int Layer = 15; // layer3.0.conv2, 64 x 64 kernels
constexpr int Stem = 0;   // conv1: not pruned by default

// The kernel norms of one layer as PyTorch computes them: a check independent of our C++.
QJsonObject torchNorms(const QString &path, const QString &layerName)
{
    const QString script =
        QStringLiteral("import json, sys, torch\n"
                       "m = torch.jit.load(sys.argv[1])\n"
                       "w = dict(m.named_parameters())[sys.argv[2] + '.weight'].detach().double()\n"
                       "k = w.flatten(2)\n"
                       "print(json.dumps({'l1': k.abs().sum(2).flatten().tolist(),"
                       " 'l2': k.pow(2).sum(2).sqrt().flatten().tolist()}))\n");
    QProcess python;
    python.start(QStringLiteral(GKP_PYTHON), {QStringLiteral("-c"), script, path, layerName});
    if (!python.waitForFinished(120000) || python.exitCode() != 0) {
        qWarning() << python.readAllStandardError();
        return {};
    }
    return QJsonDocument::fromJson(python.readAllStandardOutput()).object();
}

int keptInRow(const KernelHeatmapView &view, int row)
{
    int n = 0;
    for (int j = 0; j < view.displayedColumns(); ++j)
        n += view.cellKept(row, j) ? 1 : 0;
    return n;
}

// The norms come from a worker: wait until the selected layer's are shown.
bool ready(const KernelHeatmapView &view)
{
    return QTest::qWaitFor([&view] { return !view.isComputing(); }, 60000);
}

} // namespace

class TestKernelHeatmapView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(openAndPlan(m_document, Fixture));
        QVERIFY(m_document.layerPlan(Layer));
        m_torch = torchNorms(Fixture, QStringLiteral("layer3.0.conv2"));
        QCOMPARE(m_torch.value(QStringLiteral("l1")).toArray().size(), 64 * 64);
    }

    void init() { m_document.setSelectedLayer(Layer); }

    void originalOrderShowsNormsAndPlanMask()
    {
        KernelHeatmapView view(&m_document);
        view.resize(900, 600);
        view.show();
        QVERIFY(ready(view));
        QCOMPARE(view.displayedRows(), 64);
        QCOMPARE(view.displayedColumns(), 64);
        QVERIFY(!view.isGroupedOrder());
        QVERIFY(view.hasMask());
        const QJsonArray l1 = m_torch.value(QStringLiteral("l1")).toArray();
        const gkp::LayerPlan *plan = m_document.layerPlan(Layer);
        const std::vector<uint8_t> mask = gkp::kernelMask(*plan, 64);
        for (int o = 0; o < 64; ++o)
            for (int c = 0; c < 64; ++c) {
                QCOMPARE(view.sourceFilter(o), o);
                QVERIFY2(qAbs(view.cellValue(o, c) - l1[o * 64 + c].toDouble()) < 1e-5,
                         qPrintable(QStringLiteral("o %1 c %2").arg(o).arg(c)));
                QCOMPARE(view.cellKept(o, c), mask[std::size_t(o * 64 + c)] != 0);
            }
        const QString tip = view.cellToolTip(5, 7);
        QVERIFY(tip.contains(QStringLiteral("o = 5")));
        QVERIFY(tip.contains(QStringLiteral("c = 7")));
        QVERIFY(tip.contains(mask[5 * 64 + 7] ? QStringLiteral("kept") : QStringLiteral("pruned")));
        QVERIFY(tip.contains(QStringLiteral("group %1").arg(plan->assignment[5])));
        saveScreenshot(view, QStringLiteral("heatmap-original.png"));
    }

    void l2NormMatchesTorch()
    {
        KernelHeatmapView view(&m_document);
        view.setNorm(gkp::Norm::L2);
        QVERIFY(view.isComputing()); // off the UI thread
        QVERIFY(ready(view));
        const QJsonArray l2 = m_torch.value(QStringLiteral("l2")).toArray();
        for (int i = 0; i < 64 * 64; ++i)
            QVERIFY(qAbs(view.cellValue(i / 64, i % 64) - l2[i].toDouble()) < 1e-5);
        QVERIFY(view.cellToolTip(0, 0).contains(QStringLiteral("L2")));
    }

    void groupedOrderPermutesRowsAndPutsKeptFirst()
    {
        KernelHeatmapView view(&m_document);
        view.resize(900, 600);
        view.show();
        QVERIFY(ready(view));
        std::vector<double> before;
        for (int r = 0; r < 64; ++r)
            for (int j = 0; j < 64; ++j)
                before.push_back(view.cellValue(r, j));
        view.setGroupedOrder(true);
        QVERIFY(ready(view));
        QVERIFY(view.isGroupedOrder());
        const gkp::LayerPlan *plan = m_document.layerPlan(Layer);
        const QJsonArray l1 = m_torch.value(QStringLiteral("l1")).toArray();
        std::vector<double> after;
        std::vector<int> filters;
        const int m = plan->kept_per_group;
        for (int r = 0; r < 64; ++r) {
            const int o = view.sourceFilter(r), g = view.cellGroup(r);
            filters.push_back(o);
            QCOMPARE(g, plan->assignment[std::size_t(o)]);
            if (r > 0) { // sorted by (group, filter index)
                const int prev = view.sourceFilter(r - 1);
                QVERIFY(view.cellGroup(r - 1) < g || (view.cellGroup(r - 1) == g && prev < o));
            }
            for (int j = 0; j < 64; ++j) {
                after.push_back(view.cellValue(r, j));
                QCOMPARE(view.cellKept(r, j), j < m); // kept first, then pruned
                if (j < m)
                    QCOMPARE(view.sourceChannel(r, j), plan->kept[std::size_t(g)][std::size_t(j)]);
                QVERIFY(qAbs(view.cellValue(r, j) - l1[o * 64 + view.sourceChannel(r, j)].toDouble()) < 1e-5);
            }
        }
        std::sort(filters.begin(), filters.end());
        for (int o = 0; o < 64; ++o)
            QCOMPARE(filters[std::size_t(o)], o); // a permutation
        std::sort(before.begin(), before.end());
        std::sort(after.begin(), after.end());
        QVERIFY(before == after);
        saveScreenshot(view, QStringLiteral("heatmap-grouped.png"));
    }

    void ratioChangeUpdatesTheMask()
    {
        KernelHeatmapView view(&m_document);
        view.setGroupedOrder(true);
        QVERIFY(ready(view));
        const int before = m_document.layerPlan(Layer)->kept_per_group;
        QCOMPARE(keptInRow(view, 0), before);
        gkp::PlanSettings s = m_document.settings();
        s.ratio = 0.25;
        QSignalSpy planned(&m_document, &Document::planChanged);
        m_document.changeSettings(s, QStringLiteral("ratio"));
        QVERIFY(planned.wait(120000));
        QVERIFY(ready(view));
        const int after = m_document.layerPlan(Layer)->kept_per_group;
        QCOMPARE(after, gkp::Planner::keptPerGroup(64, 0.25));
        QVERIFY(after != before);
        for (int r = 0; r < view.displayedRows(); ++r)
            QCOMPARE(keptInRow(view, r), after);
        m_document.undoStack()->undo(); // back to the default plan for the other tests
        QVERIFY(planned.wait(120000));
        QVERIFY(ready(view));
        QCOMPARE(keptInRow(view, 0), before);
    }

    void unplannedLayerShowsNormsWithoutMask()
    {
        KernelHeatmapView view(&m_document);
        view.resize(900, 600);
        view.show();
        QVERIFY(ready(view));
        view.setGroupedOrder(true);
        m_document.setSelectedLayer(Stem);
        QVERIFY(ready(view));
        QVERIFY(!m_document.layerPlan(Stem));
        QCOMPARE(view.displayedRows(), 16);
        QCOMPARE(view.displayedColumns(), 3);
        QVERIFY(!view.hasMask());
        QVERIFY(!view.isGroupedOrder()); // no plan, no groups to sort by
        QVERIFY(!view.note().isEmpty());
        QCOMPARE(view.cellGroup(0), -1);
        const gkp::KernelNorms norms = gkp::kernelNorms(*m_document.model(), Stem, gkp::Norm::L1);
        for (int o = 0; o < 16; ++o)
            for (int c = 0; c < 3; ++c) {
                QVERIFY(view.cellKept(o, c));
                QCOMPARE(view.cellValue(o, c), double(norms.values[std::size_t(o * 3 + c)]));
            }
        saveScreenshot(view, QStringLiteral("heatmap-stem-unmasked.png"));
    }

    void plotDrawsEachCellWhereItBelongs()
    {
        // The picture is blitted, not drawn cell by cell: each cell's centre on screen must show
        // that cell's colour (a picture drawn upside down or shifted by one fails).
        KernelHeatmapView view(&m_document);
        view.setGroupedOrder(true);
        view.resize(900, 900);
        view.show();
        QVERIFY(ready(view));
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        auto *plot = view.findChild<QCustomPlot *>(QStringLiteral("kernelHeatmapPlot"));
        QVERIFY(plot);
        plot->replot();
        const QImage screen = plot->toPixmap().toImage();
        const QImage &cells = view.image();
        QCOMPARE(cells.width(), 64);
        QCOMPARE(cells.height(), 64);
        const qreal dpr = plot->devicePixelRatioF();
        for (int r = 0; r < 64; ++r)
            for (int j = 0; j < 64; ++j) {
                const QPoint at(qRound(plot->xAxis->coordToPixel(j) * dpr), qRound(plot->yAxis->coordToPixel(r) * dpr));
                QVERIFY2(screen.pixel(at) == cells.pixel(j, r),
                         qPrintable(QStringLiteral("row %1 col %2").arg(r).arg(j)));
            }
        // Filter 0 is on top (matrix convention): row 0's centre lies above row 63's.
        QVERIFY(plot->yAxis->coordToPixel(0) < plot->yAxis->coordToPixel(63));
    }

    void bigLayerPictureShowsMaskAndNorms()
    {
        // A ResNet-50-sized 1x1 conv (2048 x 512), made by PyTorch for this test. How fast its
        // picture is built and shown is measured by bench/ui_stall.cpp (gkp-ui-stall), not here.
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("big.pt"));
        QProcess python;
        python.start(QStringLiteral(GKP_PYTHON),
                     {QStringLiteral("-c"),
                      QStringLiteral("import sys, torch\n"
                                     "torch.manual_seed(0)\n"
                                     "m = torch.nn.Sequential(torch.nn.Conv2d(3, 512, 1), torch.nn.ReLU(),"
                                     " torch.nn.Conv2d(512, 2048, 1)).eval()\n"
                                     "torch.jit.trace(m, torch.randn(1, 3, 4, 4)).save(sys.argv[1])\n"),
                      path});
        QVERIFY(python.waitForFinished(120000));
        QCOMPARE(python.exitCode(), 0);
        Document document;
        QSignalSpy loaded(&document, &Document::modelChanged);
        document.openModel(path);
        QVERIFY(loaded.wait(60000));
        gkp::PlanSettings s = document.settings();
        s.cluster = "smooth"; // cheap methods: this test checks the picture
        s.select = "l2";
        QSignalSpy planned(&document, &Document::planChanged);
        document.changeSettings(s, QStringLiteral("fast"));
        QVERIFY(planned.wait(120000));
        document.setSelectedLayer(1);
        const gkp::LayerPlan *plan = document.layerPlan(1);
        QVERIFY(plan);

        KernelHeatmapView view(&document);
        view.resize(900, 600);
        view.show();
        view.setGroupedOrder(true);
        QVERIFY(view.isComputing()); // built in a worker
        QVERIFY(ready(view));
        QVERIFY(view.isGroupedOrder());
        QCOMPARE(view.displayedRows(), 2048);
        QCOMPARE(view.displayedColumns(), 512);
        const QImage &picture = view.image();
        QCOMPARE(picture.size(), QSize(512, 2048));
        double top = 0;
        for (int r = 0; r < 2048; ++r)
            for (int j = 0; j < 512; ++j)
                top = std::max(top, view.cellValue(r, j));
        QCPColorGradient kept = keptGradient(), pruned = prunedGradient();
        auto close = [](QRgb a, QRgb b) { // within one of the 512 gradient levels
            return qAbs(qRed(a) - qRed(b)) <= 2 && qAbs(qGreen(a) - qGreen(b)) <= 2 && qAbs(qBlue(a) - qBlue(b)) <= 2;
        };
        int keptCells = 0;
        for (int r = 0; r < 2048; ++r)
            for (int j = 0; j < 512; ++j) {
                const QRgb px = picture.pixel(j, r);
                const double v = view.cellValue(r, j);
                const bool isKept = view.cellKept(r, j);
                keptCells += isKept ? 1 : 0;
                QCOMPARE(isKept, j < plan->kept_per_group); // grouped order: kept columns first
                const QRgb want = (isKept ? kept : pruned).color(v, QCPRange(0, top));
                QVERIFY2(close(px, want), qPrintable(QStringLiteral("row %1 col %2").arg(r).arg(j)));
                QCOMPARE(qRed(px) == qGreen(px) && qGreen(px) == qBlue(px), !isKept); // grey = pruned
            }
        QCOMPARE(keptCells, 2048 * plan->kept_per_group);
        saveScreenshot(view, QStringLiteral("heatmap-2048x512-grouped.png"));
    }

private:
    Document m_document;
    QJsonObject m_torch;
};

QTEST_MAIN(TestKernelHeatmapView)
#include "tst_kernelheatmapview.moc"
