// Exported models compute what the masked model computes: checked in C++ against a masked model
// built here independently, and from PyTorch by tests/fixtures/check_export.py.

#include "runtime/benchmark.h"
#include "util/error.h"
#include "export/exporter.h"
#include "export/exportrewrite.h"
#include "model/model.h"
#include "engine/planjson.h"
#include "engine/planner.h"
#include "testutil.h"
#include "model/torchmodel.h"

#include <torch/optim/sgd.h>

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>

namespace {

std::string fixture(const QString &file)
{
    return (QStringLiteral(GKP_FIXTURES_DIR "/") + file).toStdString();
}

// The masked model, built without any of the exporter's code: load, then zero pruned kernels
// of each planned layer through the module's named parameters.
torch::jit::Module independentMasked(const std::string &path, const gkp::Plan &plan)
{
    torch::jit::Module m = torch::jit::load(path);
    m.eval();
    std::map<std::string, torch::Tensor> params;
    for (const auto &p : m.named_parameters())
        params[p.name] = p.value;
    torch::NoGradGuard ng;
    for (const gkp::LayerPlan &l : plan.layers) {
        torch::Tensor w = params.at(l.name + ".weight");
        for (int64_t o = 0; o < w.size(0); ++o) {
            const auto &kept = l.kept[std::size_t(l.assignment[std::size_t(o)])];
            for (int64_t c = 0; c < w.size(1); ++c)
                if (!std::binary_search(kept.begin(), kept.end(), int(c)))
                    w[o][c].zero_();
        }
    }
    return m;
}

torch::Tensor firstOutput(const c10::IValue &v)
{
    if (v.isTensor())
        return v.toTensor();
    if (v.isTuple())
        return firstOutput(v.toTupleRef().elements()[0]);
    if (v.isList())
        return firstOutput(v.toListRef()[0]);
    throw std::runtime_error("unexpected output");
}

double maxRelError(torch::jit::Module &a, torch::jit::Module &b, const gkp::Shape &shape)
{
    torch::NoGradGuard ng;
    a.eval();
    b.eval();
    double worst = 0;
    for (int i = 0; i < 3; ++i) {
        const torch::Tensor x = torch::randn(shape);
        const torch::Tensor ya = firstOutput(a.forward({x})), yb = firstOutput(b.forward({x}));
        worst = std::max(worst, ((ya - yb).abs().max() / ya.abs().max()).item<double>());
    }
    return worst;
}

// The exported module against the original masked independently of the exporter.
double errorAgainstMasked(const std::string &original, const gkp::Plan &plan, torch::jit::Module &exported,
                          const gkp::Shape &shape)
{
    torch::jit::Module masked = independentMasked(original, plan);
    return maxRelError(masked, exported, shape);
}

} // namespace

class TestExport : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    gkp::Plan makePlan(const gkp::Model &model, int groups, double ratio)
    {
        gkp::Planner planner(model);
        gkp::PlanSettings s;
        s.groups = groups;
        s.ratio = ratio;
        s.n_init = 1;
        s.select = "l2"; // fast; selection quality is not what this test is about
        return planner.makePlan(s);
    }

    void runPythonCheck(const std::string &original, const std::string &exported, bool train)
    {
        QProcess p;
        QStringList args{QStringLiteral(GKP_SOURCE_DIR "/tests/fixtures/check_export.py"),
                         QString::fromStdString(original), QString::fromStdString(exported)};
        if (train)
            args << QStringLiteral("--train");
        p.start(QStringLiteral(GKP_PYTHON), args);
        QVERIFY(p.waitForFinished(300000));
        const QString out = QString::fromUtf8(p.readAllStandardOutput() + p.readAllStandardError());
        QVERIFY2(p.exitCode() == 0, qPrintable(out));
    }

private Q_SLOTS:
    void roundTrips_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("mode");
        QTest::addColumn<QString>("form");
        QTest::addColumn<int>("groups");
        const char *files[] = {"cifar_resnet20_scripted.pt", "cifar_resnet20b_traced.pt", "mobilenet_v2_traced.pt",
                               "densenet121_scripted.pt", "resnet18_scripted.pt"};
        for (const char *f : files)
            for (const char *mode : {"deploy", "trainable"})
                QTest::newRow((std::string(f) + " " + mode).c_str())
                    << QString::fromLatin1(f) << QString::fromLatin1(mode) << QStringLiteral("grouped") << 4;
        for (const char *form : {"split", "masked-dense", "timed"})
            QTest::newRow((std::string("cifar_resnet20b_scripted deploy ") + form).c_str())
                << QStringLiteral("cifar_resnet20b_scripted.pt") << QStringLiteral("deploy") << QString::fromLatin1(form)
                << 8;
        QTest::newRow("resnet18 channel pruning G=1") << QStringLiteral("resnet18_traced.pt") << QStringLiteral("deploy")
                                                      << QStringLiteral("grouped") << 1;
    }
    void roundTrips()
    {
        QFETCH(QString, file);
        QFETCH(QString, mode);
        QFETCH(QString, form);
        QFETCH(int, groups);
        const std::string original = fixture(file);
        gkp::LoadOptions lo;
        if (file.startsWith(u"resnet18"_qs) || file.startsWith(u"mobilenet"_qs) || file.startsWith(u"densenet"_qs))
            lo.input_shape = gkp::Shape{1, 3, 64, 64}; // these fixtures work at any size; keep the test quick
        const gkp::Model model = gkp::Model::load(original, lo);
        const gkp::Plan plan = makePlan(model, groups, 0.5);
        QVERIFY(!plan.layers.empty());

        gkp::ExportOptions eo;
        eo.mode = mode == u"trainable"_qs ? gkp::ExportMode::Trainable : gkp::ExportMode::Deploy;
        if (form != u"timed"_qs)
            eo.force_form = gkp::layerFormFromString(form.toStdString());
        eo.timing_runs = 2;
        const std::string out = m_dir.filePath(file + u"."_qs + mode + form + u".pt"_qs).toStdString();
        const gkp::ExportResult r = gkp::exportModel(model, plan, out, eo);
        QVERIFY(r.verify.passed);
        QCOMPARE(r.layers.size(), plan.layers.size());
        QVERIFY(std::filesystem::exists(out));

        // independent masked model vs the file on disk
        torch::jit::Module exported = torch::jit::load(out);
        const double err = errorAgainstMasked(original, plan, exported, model.inventory().input_shape);
        QVERIFY2(err <= 1e-4, qPrintable(QString::number(err)));

        // provenance
        const gkp::Model reloaded = gkp::Model::load(out, lo);
        QVERIFY(reloaded.extraFiles().count(gkp::extra::Plan));
        QVERIFY(reloaded.extraFiles().count(gkp::extra::Version));
        QCOMPARE(gkp::planFromString(reloaded.extraFiles().at(gkp::extra::Plan), model).layers.size(),
                 plan.layers.size());

        if (form == u"grouped"_qs) {
            // really smaller: the pruned convs hold only kept weights
            int64_t before = 0, after = 0;
            for (const auto &p : torch::jit::load(original).parameters())
                before += p.numel();
            for (const auto &p : exported.parameters())
                after += p.numel();
            for (const auto &a : exported.attributes())
                if (a.isTensor() && eo.mode == gkp::ExportMode::Deploy)
                    after += a.toTensor().numel();
            if (eo.mode == gkp::ExportMode::Trainable)
                QCOMPARE(after, plan.totals.params_after);
            QVERIFY(std::filesystem::file_size(out) < std::filesystem::file_size(original));
        }
        if (groups == 1 && eo.mode == gkp::ExportMode::Deploy) {
            // channel pruning: producers lose the output channels no gather reads, so the file
            // computes less than the plan counts (the plan counts only the pruned convs' inputs)
            QVERIFY(!r.trimmed.empty());
            for (const gkp::ChannelTrim &t : r.trimmed)
                QVERIFY2(t.after < t.before, t.name.c_str());
            QCOMPARE(r.conv_macs, reloaded.inventory().totals.conv_macs);
            QVERIFY(r.conv_macs < plan.totals.macs_after);
            QCOMPARE(r.conv_macs, plan.totals.deploy_macs_after); // the plan's estimate is exact here
        }
        runPythonCheck(original, out, eo.mode == gkp::ExportMode::Trainable);
    }

    // Gather-free form: a grouped layer whose sole producer is a dense conv (through BatchNorm and
    // ReLU) loses its gather; the producer computes the G*m gathered channels itself, repeating
    // those groups share, and the file's MACs count those extra rows. A layer whose input is a
    // residual stream (read by others too) keeps its gather.
    void gatherFreeForm_data()
    {
        QTest::addColumn<QString>("pruned"); // the layers of each block that are planned
        QTest::addColumn<QString>("form");
        QTest::addColumn<int>("groups");
        QTest::addColumn<bool>("free"); // every planned layer is expected to lose its gather
        QTest::newRow("sole producers, forced") << u"conv2"_qs << u"gather-free"_qs << 4 << true;
        QTest::newRow("residual readers, forced") << u"conv1"_qs << u"gather-free"_qs << 4 << false;
        // G*m = 2 Cin: repeats cost producer MACs, so only a forced or timed choice makes them
        QTest::newRow("sole producers, grouped") << u"conv2"_qs << u"grouped"_qs << 4 << false;
        // G*m = Cin: no more producer rows than before, always gather-free
        QTest::newRow("sole producers, G*m = Cin") << u"conv2"_qs << u"grouped"_qs << 2 << true;
    }

    void gatherFreeForm()
    {
        QFETCH(QString, pruned);
        QFETCH(QString, form);
        QFETCH(int, groups);
        QFETCH(bool, free);
        const std::string original = fixture(u"cifar_resnet20b_scripted.pt"_qs);
        const gkp::Model model = gkp::Model::load(original);
        const gkp::Inventory &inv = model.inventory();
        gkp::Planner planner(model);
        gkp::PlanSettings s;
        s.groups = groups;
        s.ratio = 0.5;
        s.n_init = 1;
        s.select = "l2";
        for (const gkp::ConvLayer &l : inv.layers)
            if (l.name.size() < 5 || l.name.substr(l.name.size() - 5) != pruned.toStdString())
                s.overrides[l.name].off = true;
        const gkp::Plan plan = planner.makePlan(s);
        QVERIFY(!plan.layers.empty());
        gkp::ExportOptions eo;
        eo.force_form = gkp::layerFormFromString(form.toStdString());
        QVERIFY(eo.force_form);
        const std::string out =
            m_dir.filePath(u"gatherfree_%1_%2_%3.pt"_qs.arg(pruned, form).arg(groups)).toStdString();
        const gkp::ExportResult r = gkp::exportModel(model, plan, out, eo);
        QVERIFY(r.verify.passed);

        torch::jit::Module exported = torch::jit::load(out);
        const double err = errorAgainstMasked(original, plan, exported, inv.input_shape);
        QVERIFY2(err <= 1e-4, qPrintable(QString::number(err)));

        // gathers left in the written graph, and the MACs the file computes, counted here from the
        // plan: a grouped conv computes m of Cin inputs per filter; a producer that repeats
        // channels computes G*m rows instead of its own
        int gathers = 0; // index_selects a conv reads (others restore a grouped layer's output order)
        for (const torch::jit::Node *n : exported.get_method("forward").graph()->nodes())
            if (n->kind() == c10::aten::index_select)
                for (const torch::jit::Use &u : n->output()->uses())
                    gathers += u.user->kind() == c10::aten::conv2d && u.offset == 0 ? 1 : 0;
        const bool sole = pruned == u"conv2"_qs;
        std::map<int, double> macs;
        for (const gkp::ConvLayer &l : inv.layers)
            macs[l.index] = double(l.macs);
        for (const gkp::LayerPlan &l : plan.layers) {
            const gkp::ConvLayer &c = inv.layers[std::size_t(l.layer)];
            macs[l.layer] = double(c.macs) * l.kept_per_group / double(c.in_channels);
            const int producer = gkp::soleProducer(inv, l.layer);
            QCOMPARE(producer >= 0, sole); // a residual stream has other readers
            if (free) {
                const gkp::ConvLayer &p = inv.layers[std::size_t(producer)];
                macs[producer] = double(p.macs) * (l.groups * l.kept_per_group) / double(p.out_channels);
            }
        }
        double expected = 0;
        for (const auto &[layer, m] : macs)
            expected += m;
        const gkp::Model reloaded = gkp::Model::load(out);
        QCOMPARE(r.conv_macs, reloaded.inventory().totals.conv_macs);
        for (const gkp::LayerExport &e : r.layers) {
            QCOMPARE(gkp::toString(e.form), gkp::toString(free ? gkp::LayerForm::GatherFree : gkp::LayerForm::Grouped));
            QCOMPARE(e.gather_skipped, free);
        }
        int inGatherOrder = 0;
        for (const gkp::ChannelTrim &t : r.trimmed)
            inGatherOrder += t.gather_order_for.empty() ? 0 : 1;
        QCOMPARE(inGatherOrder, free ? int(plan.layers.size()) : 0);
        QCOMPARE(gathers, free ? 0 : int(plan.layers.size()));
        if (free)
            QCOMPARE(double(r.conv_macs), expected);
        if (free && form == u"grouped"_qs) // the plan predicts the gather-free rows it always gets
            QCOMPARE(r.conv_macs, plan.totals.deploy_macs_after);
        else // producers keep their channels, or lose those no gather reads
            QVERIFY(double(r.conv_macs) <= expected);
        runPythonCheck(original, out, false);
    }

    // A G = 1 layer behind a grouped sole producer keeps as many of its channels per group
    // (the planner balances it), so the deploy export drops the producer's unread filters, its
    // groups staying equal, and the G = 1 layer reads it with no gather (the order the grouped
    // producer writes is absorbed into its weight columns).
    void groupedProducerTrimmedForItsDenseConsumer()
    {
        const std::string original = fixture(u"cifar_resnet20b_scripted.pt"_qs);
        const gkp::Model model = gkp::Model::load(original);
        const gkp::Inventory &inv = model.inventory();
        gkp::Planner planner(model);
        gkp::PlanSettings s;
        s.groups = 1;
        s.ratio = 0.5;
        s.n_init = 1;
        using gkptest::endsWith;
        for (const gkp::ConvLayer &l : inv.layers)
            if (endsWith(l.name, "conv1"))
                s.overrides[l.name].groups = 2;
            else if (!endsWith(l.name, "conv2"))
                s.overrides[l.name].off = true;
        const gkp::Plan plan = planner.makePlan(s);
        std::map<std::string, int64_t> expectedRows; // grouped producer -> channels its consumer keeps
        for (const gkp::LayerPlan &l : plan.layers) {
            const int producer = gkp::soleProducer(inv, l.layer);
            if (!endsWith(l.name, "conv2") || producer < 0)
                continue;
            const gkp::LayerPlan *p = plan.find(inv.layers[std::size_t(producer)].name);
            QVERIFY(p && p->groups == 2 && l.groups == 1);
            QVERIFY2(gkp::keptBalancedOver(l, *p), l.name.c_str());
            expectedRows[p->name] = l.kept_per_group;
        }
        QVERIFY(expectedRows.size() >= 6);

        gkp::ExportOptions eo;
        eo.force_form = gkp::LayerForm::Grouped;
        const std::string out = m_dir.filePath(u"balanced.pt"_qs).toStdString();
        const gkp::ExportResult r = gkp::exportModel(model, plan, out, eo);
        QVERIFY(r.verify.passed);
        torch::jit::Module exported = torch::jit::load(out);
        const double err = errorAgainstMasked(original, plan, exported, inv.input_shape);
        QVERIFY2(err <= 1e-4, qPrintable(QString::number(err)));

        std::map<std::string, int64_t> trimmed;
        for (const gkp::ChannelTrim &t : r.trimmed)
            if (expectedRows.count(t.name))
                trimmed[t.name] = t.after;
        QCOMPARE(trimmed, expectedRows);
        // the grouped convs keep G = 2 with fewer filters; the dense ones read them directly
        int grouped = 0, gatheredDense = 0;
        for (const torch::jit::Node *n : exported.get_method("forward").graph()->nodes()) {
            if (n->kind() != c10::aten::conv2d)
                continue;
            const int64_t g = torch::jit::toIValue(n->input(6))->toInt();
            const torch::Tensor w = torch::jit::toIValue(n->input(1))->toTensor();
            if (g == 2) {
                ++grouped;
                QVERIFY(std::any_of(expectedRows.begin(), expectedRows.end(),
                                    [&](const auto &e) { return e.second == w.size(0); }));
            }
            if (g == 1 && n->input(0)->node()->kind() == c10::aten::index_select)
                ++gatheredDense;
        }
        QCOMPARE(grouped, int(expectedRows.size()));
        QCOMPARE(gatheredDense, 0);
        QCOMPARE(r.conv_macs, plan.totals.deploy_macs_after); // the plan predicts the trim
        runPythonCheck(original, out, false);
    }

    // The oneDNN runtime (torch.jit.optimize_for_inference): forms timed as it runs them, the
    // export verified there too, and the optimized module still computes the masked model.
    void oneDnnRuntime()
    {
        QCOMPARE(gkp::runtimeFromString("onednn"), std::optional<gkp::Runtime>(gkp::Runtime::OneDnn));
        QCOMPARE(gkp::runtimeFromString("frozen"), std::optional<gkp::Runtime>(gkp::Runtime::Frozen));
        QVERIFY(!gkp::runtimeFromString("mkl"));
        const std::string original = fixture(u"cifar_resnet20b_scripted.pt"_qs);
        const gkp::Model model = gkp::Model::load(original);
        const gkp::Plan plan = makePlan(model, 4, 0.5);
        gkp::ExportOptions eo;
        eo.runtime = gkp::Runtime::OneDnn;
        eo.timing_runs = 2;
        const std::string out = m_dir.filePath(u"onednn.pt"_qs).toStdString();
        const gkp::ExportResult r = gkp::exportModel(model, plan, out, eo);
        QVERIFY(r.verify.passed);
        for (const gkp::LayerExport &e : r.layers) {
            QVERIFY2(e.dense_ms > 0 && e.timings_ms.count("grouped") && e.timings_ms.count("split"), e.name.c_str());
            QCOMPARE(e.timings_ms.at("masked-dense"), e.dense_ms);
        }

        const gkp::Model written = gkp::Model::load(out);
        torch::jit::Module optimized = gkp::forRuntime(written.impl().module, gkp::Runtime::OneDnn);
        auto count = [](torch::jit::Module &m, const char *kind) {
            int n = 0;
            for (const torch::jit::Node *node : m.get_method("forward").graph()->nodes())
                n += node->kind().toQualString() == std::string(kind);
            return n;
        };
        QCOMPARE(count(optimized, "prim::mkldnn_convolution"), int(model.inventory().layers.size()));
        torch::jit::Module asLoaded = written.impl().module;
        QCOMPARE(count(asLoaded, "prim::mkldnn_convolution"), 0); // a clone was optimized, not the model
        const double err = errorAgainstMasked(original, plan, optimized, model.inventory().input_shape);
        QVERIFY2(err <= 1e-4, qPrintable(QString::number(err)));
        QVERIFY(gkp::verifyExport(model, written, 2, 1e-4, gkp::Runtime::OneDnn).passed);

        gkp::BenchOptions bo;
        bo.batches = {2};
        bo.runs = 1;
        bo.runtime = gkp::Runtime::OneDnn;
        const gkp::BenchResult br = gkp::benchmarkModels({&model, &written}, bo);
        QVERIFY(br.median_ms[0][0] > 0 && br.median_ms[1][0] > 0);
    }

    void benchFeedsChannelsLastWhenAsked()
    {
        // A module that records whether its input arrived channels-last (NHWC).
        // (From a file: torch.jit.script needs the class's source.)
        const QString path = m_dir.filePath(u"nhwc-probe.pt"_qs), script = m_dir.filePath(u"nhwc-probe.py"_qs);
        QFile source(script);
        QVERIFY(source.open(QIODevice::WriteOnly));
        source.write("import sys, torch\n"
                     "class Probe(torch.nn.Module):\n"
                     "    def __init__(self):\n"
                     "        super().__init__()\n"
                     "        self.conv = torch.nn.Conv2d(3, 4, 3)\n"
                     "        self.nhwc = False\n"
                     "    def forward(self, x):\n"
                     "        self.nhwc = x.is_contiguous(memory_format=torch.channels_last)\n"
                     "        return self.conv(x)\n"
                     "torch.jit.script(Probe().eval()).save(sys.argv[1])\n");
        source.close();
        QProcess python;
        python.start(QStringLiteral(GKP_PYTHON), {script, path});
        QVERIFY(python.waitForFinished(120000));
        QCOMPARE(python.exitCode(), 0);
        const gkp::Model model = gkp::Model::load(path.toStdString(), {gkp::Shape{1, 3, 8, 8}});
        gkp::BenchOptions bo;
        bo.batches = {2};
        bo.runs = 1;
        bo.freeze = false; // time the module itself, so its attribute is the one the test reads
        gkp::benchmarkModels({&model}, bo);
        QVERIFY(!model.impl().module.attr("nhwc").toBool());
        bo.channels_last = true;
        gkp::benchmarkModels({&model}, bo);
        QVERIFY(model.impl().module.attr("nhwc").toBool());
    }

    void trainableStepKeepsPrunedWeightsPruned()
    {
        const std::string original = fixture(u"cifar_resnet20b_scripted.pt"_qs);
        const gkp::Model model = gkp::Model::load(original);
        const gkp::Plan plan = makePlan(model, 4, 0.5);
        gkp::ExportOptions eo;
        eo.mode = gkp::ExportMode::Trainable;
        eo.force_form = gkp::LayerForm::Grouped; // the grouped form (unforced, the faster-training form is written)
        const std::string out = m_dir.filePath(u"trainable-step.pt"_qs).toStdString();
        gkp::exportModel(model, plan, out, eo);
        torch::jit::Module m = torch::jit::load(out);
        m.train();
        std::vector<torch::Tensor> params;
        for (const auto &p : m.parameters())
            params.push_back(p);
        torch::optim::SGD opt(params, torch::optim::SGDOptions(0.05));
        const torch::Tensor x = torch::randn({4, 3, 32, 32});
        const torch::Tensor before = m.attr("layer2").toModule().attr("0").toModule().attr("conv1").toModule()
                                         .attr("weight").toTensor().clone();
        opt.zero_grad();
        const torch::Tensor loss = firstOutput(m.forward({x})).pow(2).mean();
        loss.backward();
        opt.step();
        const torch::Tensor afterW = m.attr("layer2").toModule().attr("0").toModule().attr("conv1").toModule()
                                         .attr("weight").toTensor();
        QCOMPARE(afterW.size(1), int64_t(plan.find("layer2.0.conv1")->kept_per_group));
        QVERIFY(!torch::equal(before, afterW));
        // after the step the model is still exactly a GKP-structured model: export again from it
        // is not needed; its grouped weight has no slot for pruned kernels by construction.
    }

    void badInputsLeaveNoFile()
    {
        const gkp::Model model = gkp::Model::load(fixture(u"cifar_resnet20b_scripted.pt"_qs));
        const gkp::Model other = gkp::Model::load(fixture(u"transposed_scripted.pt"_qs));
        const gkp::Plan plan = makePlan(model, 4, 0.5);
        const std::string out = m_dir.filePath(u"bad.pt"_qs).toStdString();
        // a plan for another model does not even load
        QVERIFY_THROWS_EXCEPTION(gkp::Error, gkp::planFromString(gkp::planToString(plan), other));
        // an unwritable path
        gkp::ExportOptions eo;
        eo.force_form = gkp::LayerForm::Grouped;
        QVERIFY_THROWS_EXCEPTION(gkp::Error, gkp::exportModel(model, plan, "/nonexistent/out.pt", eo));
        QVERIFY(!std::filesystem::exists(out));
        QCOMPARE(QDir(m_dir.path()).entryList({u".bad*"_qs}, QDir::Files | QDir::Hidden).size(), 0);
    }
};

QTEST_GUILESS_MAIN(TestExport)
#include "tst_export.moc"
