// BatchNorm recalibration, sensitivity, granularity comparison, sensitivity-aware allocation and
// fine-tuning on small fixture models (tests/fixtures/make_datasets.py): values a wrong
// implementation gets wrong, computed independently here.

#include "engine/allocation.h"
#include "eval/bnrecalibration.h"
#include "eval/comparison.h"
#include "datasetfixture.h"
#include "data/datasetspec.h"
#include "eval/evaluate.h"
#include "export/exporter.h"
#include "export/exportrewrite.h"
#include "eval/finetune.h"
#include "model/model.h"
#include "engine/planjson.h"
#include "engine/planner.h"
#include "eval/sensitivity.h"
#include "model/torchmodel.h"

#include <QTemporaryDir>
#include <QtTest>

namespace {

gkp::Dataset images(const char *labels = "eval/planted_labels.idx1", int64_t limit = -1)
{
    return gkp::loadDataset(gkp::parseDatasetSpec("idx:" + datasetPath("eval/images.idx3") + "," +
                                                  datasetPath(labels) + ",mean=0.5,std=0.25"),
                            limit);
}

gkp::Model planted()
{
    return gkp::Model::load(datasetPath("eval/planted.pt"));
}

gkp::PlanSettings l2Settings(int groups = 2)
{
    gkp::PlanSettings s;
    s.select = "l2"; // planted: the dead channels' kernels have the smallest norms
    s.groups = groups;
    s.n_init = 1;
    return s;
}

torch::Tensor param(const torch::jit::Module &m, const std::string &name)
{
    for (const auto &p : m.named_parameters(true))
        if (p.name == name)
            return p.value;
    for (const auto &b : m.named_buffers(true))
        if (b.name == name)
            return b.value;
    return {};
}

} // namespace

class TestAccuracy : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    std::string tmp(const char *name) const { return (m_dir.path() + QLatin1Char('/') + QLatin1String(name)).toStdString(); }

private Q_SLOTS:
    void recalibrationMatchesDatasetStatistics()
    {
        torch::jit::Module m = torch::jit::load(datasetPath("eval/bnnet.pt"));
        const gkp::Dataset data = images("eval/labels.idx1");
        QCOMPARE(param(m, "bn1.running_mean")[0].item<float>(), 5.0f); // the fixture's wrong stats
        const gkp::RecalibrationResult r = gkp::recalibrateBatchNorm(m, data, 16);
        QCOMPARE(r.batch_norms, 2);
        QCOMPARE(r.samples, int64_t(50));
        QVERIFY(!m.is_training());

        // Independent: the BatchNorm inputs computed directly, statistics over the whole dataset.
        torch::NoGradGuard ng;
        const torch::Tensor y1 = torch::conv2d(data.images, param(m, "conv1.weight"), param(m, "conv1.bias"), 1, 1);
        const torch::Tensor mean1 = y1.mean({0, 2, 3}), var1 = y1.var({0, 2, 3}, /*unbiased=*/false);
        const torch::Tensor bnOut = torch::relu((y1 - mean1.view({1, -1, 1, 1})) /
                                                    torch::sqrt(var1.view({1, -1, 1, 1}) + 1e-5) *
                                                    param(m, "bn1.weight").view({1, -1, 1, 1}) +
                                                param(m, "bn1.bias").view({1, -1, 1, 1}));
        QVERIFY(torch::allclose(param(m, "bn1.running_mean"), mean1, 1e-4, 1e-5));
        QVERIFY2(torch::allclose(param(m, "bn1.running_var"), var1, 5e-3, 1e-5),
                 qPrintable(QString::number((param(m, "bn1.running_var") / var1 - 1).abs().max().item<double>())));
        // bn2 sees conv2 of bn1's output normalised with the per-batch statistics of training
        // mode, which are close to, not equal to, the whole-data ones: a looser check.
        const torch::Tensor y2 = torch::conv2d(bnOut, param(m, "conv2.weight"), param(m, "conv2.bias"), 1, 1);
        QVERIFY(torch::allclose(param(m, "bn2.running_mean"), y2.mean({0, 2, 3}), 0.05, 0.02));
        // and weights untouched, eval mode output finite
        QVERIFY(torch::isfinite(m.forward({data.images}).toTensor()).all().item<bool>());
    }

    void recalibrationErrors()
    {
        const gkp::Dataset data = images("eval/labels.idx1");
        torch::jit::Module noBn = torch::jit::load(datasetPath("eval/planted.pt"));
        try {
            gkp::recalibrateBatchNorm(noBn, data, 16);
            QFAIL("no error for a model without BatchNorm");
        } catch (const gkp::Error &e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(u"no BatchNorm"_qs), e.what());
        }
        // cancelling restores the statistics
        torch::jit::Module m = torch::jit::load(datasetPath("eval/bnnet.pt"));
        QVERIFY_THROWS_EXCEPTION(gkp::Cancelled,
                                 gkp::recalibrateBatchNorm(m, data, 16, [](int done, int) { return done < 20; }));
        QCOMPARE(param(m, "bn2.running_var")[3].item<float>(), 9.0f);
    }

    void sensitivityShapeAndPlantedOrder()
    {
        const gkp::Model model = planted();
        gkp::Planner planner(model);
        const gkp::Dataset data = images();
        gkp::SensitivityOptions o;
        o.ratios = {0.25, 0.5, 0.75};
        o.batch = 16;
        int calls = 0;
        const gkp::SensitivityTable t = gkp::measureSensitivity(planner, l2Settings(), data, o, [&](int, int total) {
            ++calls;
            return total == 7;
        });
        QCOMPARE(calls, 7); // 1 + layers x ratios
        QCOMPARE(t.layers, (std::vector<std::string>{"conv2", "conv3"})); // conv1 is the stem
        QCOMPARE(t.top1.size(), std::size_t(2));
        QCOMPARE(t.top1[0].size(), std::size_t(3));
        QCOMPARE(t.baseline_top1, 1.0); // labels are the model's own predictions
        // conv2 at <= 0.5 prunes only kernels on dead channels: exactly no drop
        QCOMPARE(t.drop(0, 0), 0.0);
        QCOMPARE(t.drop(0, 1), 0.0);
        // conv3 is the sensitive one, and pruning it more does not help
        QVERIFY2(t.drop(1, 1) > 0.2, qPrintable(QString::number(t.drop(1, 1))));
        QVERIFY(t.drop(1, 2) >= t.drop(1, 0) - 0.05);
        QVERIFY(t.drop(1, 2) > t.drop(0, 2));

        // serialisation round trip, CSV shape
        const gkp::SensitivityTable back = gkp::sensitivityFromJson(gkp::sensitivityToJson(t));
        QCOMPARE(back.layers, t.layers);
        QCOMPARE(back.top1, t.top1);
        QCOMPARE(back.curves().at("conv3").drops, t.curves().at("conv3").drops);
        const QStringList lines = QString::fromStdString(gkp::sensitivityToCsv(t)).trimmed().split(u'\n');
        QCOMPARE(lines.size(), 4); // header, baseline, 2 layers
        QCOMPARE(lines[0], u"layer,top1@0.25,drop@0.25,top1@0.5,drop@0.5,top1@0.75,drop@0.75"_qs);
        QVERIFY(lines[3].startsWith(u"conv3,"_qs));
        QVERIFY_THROWS_EXCEPTION(gkp::Error, gkp::sensitivityFromJson("{\"format\": \"gkp-plan\"}"));
    }

    void comparisonShapeAndMacs()
    {
        const gkp::Model model = planted();
        gkp::Planner planner(model);
        const gkp::Dataset data = images();
        gkp::ComparisonOptions o;
        o.reductions = {0.2, 0.4};
        o.batch = 16;
        const gkp::ComparisonTable t = gkp::compareAccuracy(planner, l2Settings(), data, o);
        QCOMPARE(t.points.size(), std::size_t(2 * 7));
        QCOMPARE(t.baseline_top1, 1.0);
        for (double target : o.reductions) {
            gkp::PlanSettings s = l2Settings();
            s.target_macs_reduction = target;
            const gkp::Plan plan = planner.makePlan(s);
            const gkp::ComparisonPoint *g = t.find("gkp", target);
            QVERIFY(g);
            // structured methods: what their files compute, each meeting the target
            QCOMPARE(g->macs_reduction, plan.totals.deployMacsReduction());
            QVERIFY(g->macs_reduction >= target);
            for (const char *name : {"gkp-g1", "channel", "channel-internal"}) {
                const gkp::ComparisonPoint *p = t.find(name, target);
                QVERIFY(p);
                QVERIFY2(p->macs_reduction >= target,
                         qPrintable(QString::fromLatin1(name) + u" "_qs + QString::number(p->macs_reduction)));
                QVERIFY(p->dense);
            }
            // G = 1 trims the producers of pruned layers: planned at the target's ratio its file
            // cuts more than asked; the comparison searched a plan whose file cuts less than that
            gkp::PlanSettings g1 = s;
            g1.groups = 1;
            const double naive = planner.makePlan(g1).totals.deployMacsReduction();
            QVERIFY2(naive > target + 0.05, qPrintable(QString::number(naive)));
            QVERIFY2(t.find("gkp-g1", target)->macs_reduction < naive,
                     qPrintable(QString::number(t.find("gkp-g1", target)->macs_reduction)));
            for (const char *name : {"filter", "kernel", "weight"}) {
                const gkp::ComparisonPoint *p = t.find(name, target);
                QVERIFY(p);
                QVERIFY2(std::abs(p->macs_reduction - g->macs_reduction) < 0.02,
                         qPrintable(QString::fromLatin1(name) + u" "_qs + QString::number(p->macs_reduction)));
            }
            QVERIFY(g->dense && t.find("filter", target)->dense && !t.find("weight", target)->dense);
        }
        const QStringList lines = QString::fromStdString(gkp::comparisonToCsv(t)).trimmed().split(u'\n');
        QCOMPARE(lines.size(), 1 + 1 + 14);
        o.granularities = {"gkp", "blocks"};
        QVERIFY_THROWS_EXCEPTION(gkp::Error, gkp::compareAccuracy(planner, l2Settings(), data, o));
    }

    void allocationFollowsSensitivity()
    {
        const gkp::Model model = planted();
        gkp::Planner planner(model);
        gkp::PlanSettings s = l2Settings();
        s.target_macs_reduction = 0.3;
        s.allocation = "sensitivity";
        s.sensitivity["conv2"] = {{0.25, 0.5, 0.75}, {0.0, -0.01, 0.1}};
        s.sensitivity["conv3"] = {{0.25, 0.5, 0.75}, {0.2, 0.4, 0.6}};
        const auto reqs = planner.requests(s);
        QCOMPARE(reqs.size(), std::size_t(2));
        QVERIFY2(reqs[0].ratio > reqs[1].ratio + 0.3,
                 qPrintable(QString::number(reqs[0].ratio) + u" "_qs + QString::number(reqs[1].ratio)));
        const gkp::Plan plan = planner.makePlan(s);
        QVERIFY(plan.totals.macsReduction() >= 0.3);
        QVERIFY(plan.totals.macsReduction() < 0.3 + 0.1); // one m step of conv2 is 0.09 of all MACs
        // uniform on the same target gives both the same ratio
        gkp::PlanSettings u = s;
        u.allocation = "uniform";
        const auto ureqs = planner.requests(u);
        QCOMPARE(ureqs[0].ratio, ureqs[1].ratio);

        // recorded in the plan JSON and read back
        const gkp::Plan back = gkp::planFromString(gkp::planToString(plan), model);
        QCOMPARE(back.settings.allocation, std::string("sensitivity"));
        QVERIFY(back.settings.sensitivity == s.sensitivity);

        // a layer without data, an unreachable target
        s.sensitivity.erase("conv3");
        QVERIFY_THROWS_EXCEPTION(gkp::Error, planner.requests(s));
        s.sensitivity["conv3"] = {{0.25}, {0.1}};
        s.sensitivity["conv2"] = {{0.25}, {0.1}};
        QVERIFY_THROWS_EXCEPTION(gkp::Error, planner.requests(s)); // 0.25 of both < 0.3 of all MACs
        // curve maths: a flat start, then linear interpolation
        const gkp::SensitivityCurve c{{0.25, 0.5}, {0.0, 0.2}};
        QCOMPARE(gkp::allocation::ratioAtThreshold(c, -1.0), 0.0);
        QVERIFY(std::abs(gkp::allocation::ratioAtThreshold(c, 0.1 + 0.000375) - 0.375) < 1e-9);
        QCOMPARE(gkp::allocation::ratioAtThreshold(c, 1.0), 0.5);
    }

    void finetuneStepLowersLossAndKeepsPrunedZero_data()
    {
        QTest::addColumn<QString>("form");
        QTest::newRow("grouped") << u"grouped"_qs;
        QTest::newRow("masked-dense") << u"masked-dense"_qs;
    }
    void finetuneStepLowersLossAndKeepsPrunedZero()
    {
        QFETCH(QString, form);
        const gkp::Model model = planted();
        gkp::Planner planner(model);
        gkp::PlanSettings s = l2Settings();
        s.ratio = 0.5;
        const gkp::Plan plan = planner.makePlan(s);
        gkp::ExportOptions eo;
        eo.mode = gkp::ExportMode::Trainable;
        eo.force_form = gkp::layerFormFromString(form.toStdString());
        const std::string path = tmp("trainable.pt");
        gkp::exportModel(model, plan, path, eo);

        torch::jit::Module m = torch::jit::load(path);
        const gkp::Dataset batch = images("eval/labels.idx1", 16); // noisy labels: a real loss
        const std::string planJson = gkp::planToString(plan);
        gkp::FinetuneOptions o;
        o.epochs = 1;
        o.batch = 16;
        o.lr = 1e-4; // the fixture's logits are steep: a small step is a descent step
        o.momentum = 0.0;
        o.weight_decay = 0.0;
        o.schedule = "constant";
        o.augment = false;
        const double before = gkp::meanLoss(m, batch);
        const gkp::FinetuneResult r = gkp::finetune(m, planJson, batch, nullptr, o);
        const double after = gkp::meanLoss(m, batch);
        QCOMPARE(r.history.size(), std::size_t(1));
        QVERIFY2(after < before, qPrintable(QString::number(before) + u" -> "_qs + QString::number(after)));
        QVERIFY(r.history[0].loss > 0.0);

        QCOMPARE(r.pruned.layers, 2);
        QCOMPARE(r.pruned.nonzero_pruned, int64_t(0));
        for (const gkp::LayerPlan &l : plan.layers) {
            const torch::Tensor w = param(m, l.name + ".weight");
            if (form == u"grouped"_qs) {
                QCOMPARE(w.size(1), int64_t(l.kept_per_group)); // pruned kernels do not exist
            } else {
                QCOMPARE(w.size(1), int64_t(8));
                const std::vector<uint8_t> mask = gkp::kernelMask(l, 8);
                for (int64_t o2 = 0; o2 < 8; ++o2)
                    for (int64_t c = 0; c < 8; ++c)
                        if (!mask[std::size_t(o2 * 8 + c)])
                            QCOMPARE(w[o2][c].abs().sum().item<double>(), 0.0);
            }
        }
        QCOMPARE(r.pruned.absent, form == u"grouped"_qs ? 2 : 0);
    }

    // Trainable exports: with no form forced the exporter times a training step of the grouped and
    // the masked-dense module and writes the faster; the written file is that form in every layer.
    void trainableFormIsChosenByATrainingStep()
    {
        const gkp::Model model = planted();
        gkp::Planner planner(model);
        gkp::PlanSettings s = l2Settings();
        s.ratio = 0.5;
        const gkp::Plan plan = planner.makePlan(s);
        gkp::ExportOptions eo;
        eo.mode = gkp::ExportMode::Trainable;
        eo.train_batch = 4;
        const gkp::ExportResult r = gkp::exportModel(model, plan, tmp("timed.pt"), eo);
        QVERIFY(r.train_step.has_value());
        QCOMPARE(r.train_step->batch, int64_t(4));
        QVERIFY(r.train_step->grouped_ms > 0.0 && r.train_step->masked_dense_ms > 0.0);
        QVERIFY(r.train_step->chosen == (r.train_step->masked_dense_ms < r.train_step->grouped_ms
                                             ? gkp::LayerForm::MaskedDense
                                             : gkp::LayerForm::Grouped));
        QCOMPARE(r.layers.size(), plan.layers.size());
        torch::jit::Module m = torch::jit::load(tmp("timed.pt"));
        for (const gkp::LayerExport &e : r.layers) {
            QVERIFY(e.form == r.train_step->chosen);
            const gkp::LayerPlan *l = plan.find(e.name);
            QCOMPARE(param(m, e.name + ".weight").size(1),
                     e.form == gkp::LayerForm::Grouped ? int64_t(l->kept_per_group) : int64_t(8));
        }
        // a forced form is not timed; deploy exports time per layer instead
        eo.force_form = gkp::LayerForm::Grouped;
        QVERIFY(!gkp::exportModel(model, plan, tmp("forced.pt"), eo).train_step);
        eo.force_form.reset();
        eo.mode = gkp::ExportMode::Deploy;
        QVERIFY(!gkp::exportModel(model, plan, tmp("deploy.pt"), eo).train_step);
    }

    // A masked-dense trainable trains in the original's architecture; its deploy output is then
    // exported from the trained model (forms timed, verified) and computes what it computes. A
    // grouped trainable's deploy output is its frozen self.
    void finetunedMaskedDenseIsExportedForDeploy_data()
    {
        QTest::addColumn<QString>("form");
        QTest::newRow("masked-dense") << u"masked-dense"_qs;
        QTest::newRow("grouped") << u"grouped"_qs;
    }
    void finetunedMaskedDenseIsExportedForDeploy()
    {
        QFETCH(QString, form);
        const gkp::Model model = planted();
        gkp::Planner planner(model);
        gkp::PlanSettings s = l2Settings();
        s.ratio = 0.5;
        const gkp::Plan plan = planner.makePlan(s);
        gkp::ExportOptions eo;
        eo.mode = gkp::ExportMode::Trainable;
        eo.force_form = gkp::layerFormFromString(form.toStdString());
        gkp::exportModel(model, plan, tmp("md.pt"), eo);
        const gkp::Dataset data = images("eval/labels.idx1", 16); // noisy labels: the weights move
        gkp::FinetuneOptions o;
        o.batch = 16;
        o.lr = 1e-3;
        const gkp::FinetuneResult r = gkp::finetuneFile(tmp("md.pt"), data, nullptr, o, tmp("md_out.pt"), tmp("md_deploy.pt"));
        QCOMPARE(r.deploy_export.has_value(), form == u"masked-dense"_qs);
        torch::jit::Module a = torch::jit::load(tmp("md_out.pt")), b = torch::jit::load(tmp("md_deploy.pt"));
        a.eval();
        torch::NoGradGuard ng;
        const torch::Tensor ya = a.forward({data.images}).toTensor(), yb = b.forward({data.images}).toTensor();
        QVERIFY(torch::allclose(ya, yb, 1e-4, 1e-4));
        // trained: it no longer computes what the export did
        torch::jit::Module before = torch::jit::load(tmp("md.pt"));
        before.eval();
        QVERIFY(!torch::allclose(before.forward({data.images}).toTensor(), ya, 1e-5, 1e-5));
        if (r.deploy_export) {
            QCOMPARE(r.deploy_export->layers.size(), plan.layers.size());
            QVERIFY(r.deploy_export->verify.passed);
            // the trained pruned kernels are still zero: the deploy export's masked model is the trained one
            gkp::LoadOptions lo;
            lo.input_shape = model.inventory().input_shape;
            const gkp::Model written = gkp::Model::load(tmp("md_deploy.pt"), lo);
            QVERIFY(written.extraFiles().count(gkp::extra::Plan));
        }
    }

    void finetuneFileWritesBothOrNothing()
    {
        const gkp::Model model = planted();
        gkp::Planner planner(model);
        gkp::PlanSettings s = l2Settings();
        s.ratio = 0.5;
        gkp::ExportOptions eo;
        eo.mode = gkp::ExportMode::Trainable;
        gkp::exportModel(model, planner.makePlan(s), tmp("t2.pt"), eo);
        const gkp::Dataset data = images();
        gkp::FinetuneOptions o;
        o.batch = 16;
        o.lr = 1e-4;
        // cancelled: nothing written
        QVERIFY_THROWS_EXCEPTION(gkp::Cancelled, gkp::finetuneFile(tmp("t2.pt"), data, &data, o, tmp("out.pt"),
                                                                    tmp("out_deploy.pt"),
                                                                    [](const gkp::FinetuneProgress &) { return false; }));
        QVERIFY(!QFile::exists(QString::fromStdString(tmp("out.pt"))));
        QVERIFY(!QFile::exists(QString::fromStdString(tmp("out_deploy.pt"))));
        // done: both written, deploy equal to trainable, plan carried over
        const gkp::FinetuneResult r = gkp::finetuneFile(tmp("t2.pt"), data, &data, o, tmp("out.pt"), tmp("out_deploy.pt"));
        QVERIFY(r.validation.has_value());
        torch::jit::Module a = torch::jit::load(tmp("out.pt")), b = torch::jit::load(tmp("out_deploy.pt"));
        a.eval();
        torch::NoGradGuard ng;
        const torch::Tensor ya = a.forward({data.images}).toTensor(), yb = b.forward({data.images}).toTensor();
        QVERIFY(torch::allclose(ya, yb, 1e-4, 1e-4));
        QVERIFY(param(b, "conv2.weight").defined() == false); // frozen: no parameters
        gkp::LoadOptions lo;
        lo.analyse = false;
        QVERIFY(gkp::Model::load(tmp("out_deploy.pt"), lo).extraFiles().count(gkp::extra::Plan));
        // a model without a plan, a deploy model
        QVERIFY_THROWS_EXCEPTION(gkp::Error, gkp::finetuneFile(datasetPath("eval/planted.pt"), data, nullptr, o,
                                                                tmp("x.pt"), ""));
        try {
            gkp::finetuneFile(tmp("out_deploy.pt"), data, nullptr, o, tmp("x.pt"), "");
            QFAIL("no error for a deploy model");
        } catch (const gkp::Error &e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(u"trainable"_qs), e.what());
        }
        QVERIFY(!QFile::exists(QString::fromStdString(tmp("x.pt"))));
    }
};

QTEST_GUILESS_MAIN(TestAccuracy)
#include "tst_accuracy.moc"
