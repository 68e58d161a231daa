// The Analysis window and the Fine-tune dialog on a tiny fixture model and dataset: the charts
// get one curve per layer / granularity with one point per measured value, the numbers agree
// with the plan, fine-tuning writes both files with a live plot, Cancel writes nothing.

#include "analysiswindow.h"
#include "datasetfixture.h"
#include "documenttestutil.h"
#include "export/exporter.h"
#include "finetunedialog.h"
#include "engine/planner.h"
#include "eval/frontier.h"
#include "qcustomplotcompat.h"

#include <QTabWidget>
#include <QTemporaryDir>

namespace {

QString plantedSpec()
{
    return QStringLiteral("idx:") + QString::fromStdString(datasetPath("eval/images.idx3")) + u',' +
           QString::fromStdString(datasetPath("eval/planted_labels.idx1")) + QStringLiteral(",mean=0.5,std=0.25");
}

// The planted fixture opened and re-planned with fast settings (l2 selection, one k-means start;
// `groups` > 0 sets G).
bool openPlanted(Document &document, int groups = 0)
{
    if (!openAndPlan(document, QString::fromStdString(datasetPath("eval/planted.pt"))))
        return false;
    gkp::PlanSettings s = document.settings();
    s.select = "l2";
    if (groups > 0)
        s.groups = groups;
    s.n_init = 1;
    QSignalSpy planned(&document, &Document::planChanged);
    document.changeSettings(s, QStringLiteral("test settings"));
    return planned.wait(60000);
}

// The planted labels, every image, BatchNorm statistics as stored.
DatasetChoice plantedChoice()
{
    DatasetChoice c;
    c.spec = plantedSpec();
    c.limit = 0;
    c.recalibration = 0;
    return c;
}

} // namespace

class TestAnalysis : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
    }

    void sensitivityAndComparisonCharts()
    {
        Document document;
        QVERIFY(openPlanted(document, 2));
        AnalysisWindow w(&document);
        w.setDatasetChoice(plantedChoice());
        w.setRatios(QStringLiteral("0.25, 0.5"));
        QSignalSpy finished(&w, &AnalysisWindow::finished);
        w.startSensitivity();
        QVERIFY(w.isRunning());
        QVERIFY(finished.wait(120000));
        QVERIFY2(finished.takeFirst().at(0).toBool(), qPrintable(w.statusText()));
        QCustomPlot *plot = w.sensitivityPlot();
        QCOMPARE(plot->graphCount(), 2); // conv2, conv3 (the stem is not pruned)
        QCOMPARE(plot->graph(0)->name(), QStringLiteral("conv2"));
        for (int i = 0; i < 2; ++i)
            QCOMPARE(plot->graph(i)->dataCount(), 3); // unpruned + 2 ratios
        // planted: conv2 loses nothing at 0.25 and 0.5, conv3 does
        QCOMPARE(plot->graph(0)->data()->at(2)->value, 0.0);
        QVERIFY(plot->graph(1)->data()->at(2)->value > 10.0);
        saveScreenshot(w, QStringLiteral("analysis-sensitivity.png"));
        // the legend beside the curves, its frame (drawn one pixel past its rectangle) inside the
        // plot and its top level with the axis rect's
        const QRect legend = plot->legend->outerRect();
        QVERIFY2(legend.x() + legend.width() < plot->width(),
                 qPrintable(
                     QStringLiteral("%1 + %2 >= %3").arg(legend.x()).arg(legend.width()).arg(plot->width())));
        QVERIFY(legend.left() > plot->axisRect()->right());
        QCOMPARE(legend.top(), plot->axisRect()->top());

        w.setReductions(QStringLiteral("0.2, 0.4"));
        w.startComparison();
        QVERIFY(finished.wait(120000));
        QVERIFY2(finished.takeFirst().at(0).toBool(), qPrintable(w.statusText()));
        QCustomPlot *cmp = w.comparisonPlot();
        QCOMPARE(cmp->graphCount(), 7);
        for (int i = 0; i < 7; ++i)
            QCOMPARE(cmp->graph(i)->dataCount(), 2);
        // the GKP curve's x values are what the plans' files compute
        gkp::PlanSettings t = document.settings();
        t.target_macs_reduction = 0.4;
        const gkp::Plan plan = document.planner()->makePlan(t);
        QCOMPARE(cmp->graph(0)->data()->at(1)->key, 100.0 * plan.totals.deployMacsReduction());
        w.findChild<QTabWidget *>()->setCurrentIndex(1); // the picture shows the comparison chart
        saveScreenshot(w, QStringLiteral("analysis-comparison.png"));

        QVERIFY(document.settings().allocation == "uniform");
        w.useSensitivityForAllocation();
        QCOMPARE(document.settings().allocation, std::string("sensitivity"));
        QCOMPARE(document.settings().sensitivity.size(), std::size_t(2));
        document.undoStack()->undo();
        QCOMPARE(document.settings().allocation, std::string("uniform"));
    }

    // The frontier tab: one scatter per sweep setting (channel pruning as squares) and the Pareto
    // line, each point where its file was measured; the status says whether GKP beat channel
    // pruning at equal speed; clicking a point loads that plan into the document, one undoable step.
    void frontierChartLoadsAPlan()
    {
        Document document;
        QVERIFY(openPlanted(document));
        const gkp::PlanSettings s = document.settings();
        AnalysisWindow w(&document);
        w.setDatasetChoice(plantedChoice());
        w.setFrontierSweep(QStringLiteral("channel, 2"), QStringLiteral("0.2, 0.4"));
        w.setFrontierAccuracy(true);
        QSignalSpy finished(&w, &AnalysisWindow::finished);
        w.startFrontier();
        QVERIFY(w.isRunning());
        QVERIFY(finished.wait(300000));
        QVERIFY2(finished.takeFirst().at(0).toBool(), qPrintable(w.statusText()));
        const gkp::Frontier *f = w.frontier();
        QVERIFY(f);
        QCOMPARE(int(f->points.size()), 4);
        QCustomPlot *plot = w.frontierPlot();
        QCOMPARE(plot->graphCount(), 3); // channel pruning, G = 2, the frontier
        QCOMPARE(plot->graph(0)->scatterStyle().shape(), QCPScatterStyle::ssSquare);
        QVERIFY(plot->graph(0)->name().contains(u"channel pruning"_qs));
        QCOMPARE(plot->graph(1)->scatterStyle().shape(), QCPScatterStyle::ssDisc);
        QVERIFY2(w.statusText().contains(u"channel-pruning point"_qs) || w.statusText().contains(u"channel pruning"_qs),
                 qPrintable(w.statusText()));
        int pareto = 0;
        for (const gkp::FrontierPoint &p : f->points) {
            QVERIFY(p.top1);
            pareto += p.pareto ? 1 : 0;
        }
        QCOMPARE(plot->graph(2)->dataCount(), pareto);
        for (int g = 0; g < 2; ++g) {
            QCOMPARE(plot->graph(g)->dataCount(), 2);
            const std::string groups = g == 0 ? "channel" : "2";
            for (int i = 0; i < 2; ++i) { // every datum is one of that G's points, at its relative time and top-1
                const double key = plot->graph(g)->data()->at(i)->key, value = plot->graph(g)->data()->at(i)->value;
                QVERIFY(std::any_of(f->points.begin(), f->points.end(), [&](const gkp::FrontierPoint &p) {
                    return p.groups == groups && p.relativeTime() == key && 100.0 * *p.top1 == value &&
                           p.isChannel() == (g == 0);
                }));
            }
        }
        w.findChild<QTabWidget *>()->setCurrentIndex(2);
        w.resize(900, 640);
        w.show();
        QTest::qWait(200);
        plot->replot();

        // a click on the G = 2 graph's first point loads its plan
        const QPointF px = plot->graph(1)->coordsToPixels(plot->graph(1)->data()->at(0)->key,
                                                          plot->graph(1)->data()->at(0)->value);
        const int before = document.undoStack()->count();
        QTest::mouseClick(plot, Qt::LeftButton, {}, px.toPoint());
        QTRY_VERIFY_WITH_TIMEOUT(w.markedFrontierPoint() >= 0, 5000);
        const gkp::FrontierPoint &chosen = f->points[std::size_t(w.markedFrontierPoint())];
        QCOMPARE(chosen.groups, std::string("2"));
        // the ring sits on the chosen point, also after the plot is laid out again
        w.resize(1000, 700);
        QTest::qWait(100);
        plot->replot();
        QCPItemEllipse *ring = nullptr;
        for (int i = 0; i < plot->itemCount(); ++i)
            if (plot->item(i)->objectName() == u"marked"_qs)
                ring = qobject_cast<QCPItemEllipse *>(plot->item(i));
        QVERIFY(ring);
        const QPointF centre = (ring->topLeft->pixelPosition() + ring->bottomRight->pixelPosition()) / 2.0;
        const QPointF at(plot->xAxis->coordToPixel(chosen.relativeTime()), plot->yAxis->coordToPixel(100.0 * *chosen.top1));
        QVERIFY2(QLineF(centre, at).length() < 1.0, qPrintable(QString::number(QLineF(centre, at).length())));
        QCOMPARE(document.undoStack()->count(), before + 1);
        QCOMPARE(document.settings().groups, 2);
        QCOMPARE(document.settings().target_macs_reduction.value_or(-1), chosen.target);
        saveScreenshot(w, QStringLiteral("analysis-frontier.png"));
        document.undoStack()->undo();
        QCOMPARE(document.settings().groups, s.groups);
    }

    void finetuneDialog()
    {
        const gkp::Model model = gkp::Model::load(datasetPath("eval/planted.pt"));
        gkp::Planner planner(model);
        gkp::PlanSettings s;
        s.select = "l2";
        s.groups = 2;
        s.ratio = 0.5;
        s.n_init = 1;
        gkp::ExportOptions eo;
        eo.mode = gkp::ExportMode::Trainable;
        const QString input = m_dir.filePath(QStringLiteral("trainable.pt"));
        gkp::exportModel(model, planner.makePlan(s), input.toStdString(), eo);

        FinetuneDialog d;
        d.setInputPath(input);
        d.setDatasetSpec(plantedSpec());
        d.setEpochs(2);
        d.setLearningRate(0.0001);
        // Without augmentation every step sees the same 50 images, so the plotted loss follows the
        // weights: with random crops of these 8x8 images the loss of frozen weights swings between
        // about 12 and 70 from one epoch's draw to the next, and the curve says nothing.
        d.setAugment(false);
        const QString out = m_dir.filePath(QStringLiteral("ft.pt")), deploy = m_dir.filePath(QStringLiteral("ft_d.pt"));
        d.setOutputPaths(out, deploy);
        QSignalSpy finished(&d, &FinetuneDialog::finished);

        d.start();
        d.cancel();
        QVERIFY(finished.wait(120000));
        QCOMPARE(finished.takeFirst().at(0).toBool(), false);
        QVERIFY(!QFile::exists(out) && !QFile::exists(deploy));

        d.start();
        QVERIFY(finished.wait(120000));
        QVERIFY2(finished.takeFirst().at(0).toBool(), qPrintable(d.resultText()));
        QVERIFY(QFile::exists(out) && QFile::exists(deploy));
        QTest::qWait(50); // queued plot updates
        // 50 images in batches of 128: one step per epoch, a report with validation each epoch
        QCOMPARE(d.plot()->graph(0)->dataCount(), 2);
        QCOMPARE(d.plot()->graph(1)->dataCount(), 2);
        // One SGD step at lr 1e-4 lowers the loss of the whole set (10.26 -> 4.79, as PyTorch's
        // SGD does); a step of the wrong sign raises it, a missing step leaves it.
        const double loss0 = d.plot()->graph(0)->data()->at(0)->value,
                     loss1 = d.plot()->graph(0)->data()->at(1)->value;
        QVERIFY2(loss1 < 0.9 * loss0, qPrintable(QStringLiteral("%1 -> %2").arg(loss0).arg(loss1)));
        // the first and last points (validation markers) lie inside the axes, not on their ends
        const QCPRange steps = d.plot()->xAxis->range(), losses = d.plot()->yAxis->range();
        QVERIFY(steps.lower < 1.0 && steps.upper > 2.0);
        QVERIFY(losses.lower < loss1 && losses.upper > loss0);
        QVERIFY(d.resultText().contains(QStringLiteral("0 nonzero pruned weights")));
        saveScreenshot(d, QStringLiteral("finetune-dialog.png"));
    }
};

QTEST_MAIN(TestAnalysis)
#include "tst_analysis.moc"
