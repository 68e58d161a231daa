// Coupled channel pruning (the channel method): which channels it keeps, what it costs, and that
// its exports are physically smaller dense models computing exactly the masked model (checked here
// and from PyTorch by tests/fixtures/check_export.py).

#include "engine/channelplanner.h"
#include "engine/planjson.h"
#include "engine/planner.h"
#include "export/exporter.h"
#include "model/model.h"
#include "model/torchmodel.h"
#include "testutil.h"
#include "util/error.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <numeric>
#include <set>

namespace {

std::string fixture(const QString &file)
{
    return (QStringLiteral(GKP_FIXTURES_DIR "/") + file).toStdString();
}

gkp::PlanSettings channelSettings(double ratio, const std::string &importance = "group-norm")
{
    gkp::PlanSettings s;
    s.method = "channel";
    s.importance = importance;
    s.ratio = ratio;
    return s;
}

const gkp::ChannelGroupPlan *groupOf(const gkp::Plan &plan, const std::string &family)
{
    for (const gkp::ChannelGroupPlan &g : plan.channel_groups)
        if (g.name == family)
            return &g;
    return nullptr;
}

std::map<std::string, torch::Tensor> parameters(const std::string &path)
{
    std::map<std::string, torch::Tensor> out;
    torch::jit::Module m = torch::jit::load(path);
    for (const auto &p : m.named_parameters())
        out[p.name] = p.value.detach().to(torch::kDouble);
    return out;
}

// The k largest of `score`, sorted: what a correct selection keeps.
std::vector<int> topK(const torch::Tensor &score, int k)
{
    std::vector<int> order(std::size_t(score.size(0)));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](int a, int b) { return score[a].item<double>() > score[b].item<double>(); });
    order.resize(std::size_t(k));
    std::sort(order.begin(), order.end());
    return order;
}

} // namespace

class TestChannelPruning : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

private Q_SLOTS:
    void keepsTheMostImportantChannels();
    void groupNormCountsEveryCoupledSlice();
    void targetAndProtection();
    void globalAllocation();
    void exportsSmallerDenseModels_data();
    void exportsSmallerDenseModels();
    void planRoundTripAndForeignPlan();
};

void TestChannelPruning::keepsTheMostImportantChannels()
{
    // resnet18: layer3.1.conv1 -> bn1 -> conv2 is a family of its own; L1 importance is the L1 norm
    // of layer3.1.conv1's filters.
    const std::string file = fixture(QStringLiteral("resnet18_traced.pt"));
    gkp::LoadOptions lo;
    lo.input_shape = gkp::Shape{1, 3, 64, 64};
    const gkp::Model model = gkp::Model::load(file, lo);
    gkp::Planner planner(model);
    const gkp::Plan plan = planner.makePlan(channelSettings(0.25, "l1"));
    const gkp::ChannelGroupPlan *g = groupOf(plan, "layer3.1.conv1");
    QVERIFY(g);
    QCOMPARE(int(g->kept.size()), 192); // round(0.75 * 256)
    const auto params = parameters(file);
    const torch::Tensor l1 = params.at("layer3.1.conv1.weight").abs().flatten(1).sum(1);
    QCOMPARE(g->kept, topK(l1, 192));
    // the layers that hold it: conv1 loses filters, conv2 input channels
    const gkp::LayerPlan *conv2 = plan.find("layer3.1.conv2");
    QVERIFY(conv2);
    QCOMPARE(conv2->kept[0], g->kept);
    QCOMPARE(conv2->groups, 1);
}

void TestChannelPruning::groupNormCountsEveryCoupledSlice()
{
    // senet: se_reduce (4 channels, with bias) feeds se_expand only. Group norm of channel j:
    // sqrt(|se_reduce.weight[j]|^2 + se_reduce.bias[j]^2 + |se_expand.weight[:, j]|^2).
    const std::string file = fixture(QStringLiteral("senet_traced.pt"));
    const gkp::Model model = gkp::Model::load(file);
    const gkp::ChannelFamily *f = nullptr;
    for (const gkp::ChannelFamily &x : model.channelDependencies().families)
        if (x.name == "se_reduce")
            f = &x;
    QVERIFY(f);
    const auto p = parameters(file);
    const torch::Tensor expected = (p.at("se_reduce.weight").pow(2).flatten(1).sum(1) + p.at("se_reduce.bias").pow(2) +
                                    p.at("se_expand.weight").pow(2).sum({0, 2, 3}))
                                       .sqrt();
    const std::vector<double> got = gkp::channelImportance(model, f->index, "group-norm");
    QCOMPARE(int(got.size()), 4);
    for (int j = 0; j < 4; ++j)
        QVERIFY2(std::abs(got[std::size_t(j)] - expected[j].item<double>()) < 1e-9, qPrintable(QString::number(j)));
    // l1 counts the producer's filters only
    const std::vector<double> l1 = gkp::channelImportance(model, f->index, "l1");
    for (int j = 0; j < 4; ++j)
        QVERIFY(std::abs(l1[std::size_t(j)] - p.at("se_reduce.weight")[j].abs().sum().item<double>()) < 1e-9);
}

void TestChannelPruning::targetAndProtection()
{
    const gkp::Model model = gkp::Model::load(fixture(QStringLiteral("cifar_resnet20_scripted.pt")));
    gkp::Planner planner(model);
    gkp::PlanSettings s = channelSettings(0.0);
    s.target_macs_reduction = 0.4;
    const gkp::Plan plan = planner.makePlan(s);
    QVERIFY2(plan.totals.macsReduction() >= 0.4 && plan.totals.macsReduction() < 0.46,
             qPrintable(QString::number(plan.totals.macsReduction())));
    QCOMPARE(plan.totals.deploy_macs_after, plan.totals.macs_after); // the file computes what the plan counts
    bool residualPruned = false;
    for (const gkp::ChannelGroupPlan &g : plan.channel_groups)
        residualPruned = residualPruned || model.channelDependencies().families[std::size_t(g.family)].residual;
    QVERIFY(residualPruned);

    s.protect_residual = true; // internal channels only
    const gkp::Plan internal = planner.makePlan(s);
    QVERIFY(!internal.channel_groups.empty());
    for (const gkp::ChannelGroupPlan &g : internal.channel_groups)
        QVERIFY2(!model.channelDependencies().families[std::size_t(g.family)].residual, g.name.c_str());
    QVERIFY(internal.totals.macsReduction() >= 0.4);
    QVERIFY(!internal.find("conv1")); // the stem writes the stage-1 stream only

    // a producer switched off keeps its family whole
    s.protect_residual = false;
    s.overrides["layer2.1.conv1"].off = true;
    const gkp::Plan off = planner.makePlan(s);
    QVERIFY(!groupOf(off, "layer2.1.conv1"));
    QVERIFY(groupOf(plan, "layer2.1.conv1"));

    // unreachable: every family down to one channel cannot remove 99.9 %
    s.overrides.clear();
    s.target_macs_reduction = 0.9999;
    QVERIFY_THROWS_EXCEPTION(gkp::Error, planner.makePlan(s));
    s.target_macs_reduction.reset();
    s.importance = "l3";
    QVERIFY_THROWS_EXCEPTION(gkp::Error, planner.makePlan(s));
}

// Global allocation: one threshold on each channel's importance over its family's mean. Every
// channel it removes must rank below every channel it keeps in every other family (ties and the
// one channel a family always keeps aside), families end at different ratios, and the target holds.
void TestChannelPruning::globalAllocation()
{
    const gkp::Model model = gkp::Model::load(fixture(QStringLiteral("cifar_resnet20_scripted.pt")));
    gkp::Planner planner(model);
    gkp::PlanSettings s = channelSettings(0.0);
    s.target_macs_reduction = 0.4;
    s.allocation = "global";
    s.channel_multiple = 1;
    const gkp::Plan plan = planner.makePlan(s);
    QVERIFY2(plan.totals.macsReduction() >= 0.4 && plan.totals.macsReduction() < 0.47,
             qPrintable(QString::number(plan.totals.macsReduction())));
    double maxRemoved = 0.0, minKept = 1e300;
    std::set<double> ratios;
    for (const gkp::ChannelGroupPlan &g : plan.channel_groups) {
        const std::vector<double> imp = gkp::channelImportance(model, g.family, s.importance);
        const double mean = std::accumulate(imp.begin(), imp.end(), 0.0) / double(imp.size());
        std::vector<bool> kept(imp.size(), false);
        for (int c : g.kept)
            kept[std::size_t(c)] = true;
        for (std::size_t c = 0; c < imp.size(); ++c)
            if (!kept[c])
                maxRemoved = std::max(maxRemoved, imp[c] / mean);
            else if (g.kept.size() > 1)
                minKept = std::min(minKept, imp[c] / mean);
        ratios.insert(1.0 - double(g.kept.size()) / double(g.channels));
    }
    QVERIFY2(maxRemoved <= minKept, qPrintable(QStringLiteral("removed %1 > kept %2").arg(maxRemoved).arg(minKept)));
    QVERIFY2(ratios.size() > 2, "global allocation gave (nearly) one ratio to every family");
    // the uniform plan at the same target is a different plan, and a plan reads back as global
    s.allocation = "uniform";
    const gkp::Plan uniform = planner.makePlan(s);
    QVERIFY(uniform.channel_groups.size() != plan.channel_groups.size() ||
            !std::equal(uniform.channel_groups.begin(), uniform.channel_groups.end(), plan.channel_groups.begin(),
                        [](const auto &a, const auto &b) { return a.kept == b.kept; }));
    QCOMPARE(gkp::planFromString(gkp::planToString(plan), model).settings.allocation, std::string("global"));
    // a global allocation needs a target
    s.allocation = "global";
    s.target_macs_reduction.reset();
    QVERIFY_THROWS_EXCEPTION(gkp::Error, planner.makePlan(s));

    // GKP: a layer's ratio is the share of its input channels whose kernel-column norm over the
    // layer's mean is below one common threshold
    s.method = "gkp";
    s.target_macs_reduction = 0.4;
    const gkp::Plan gkpPlan = planner.makePlan(s);
    QVERIFY(gkpPlan.totals.macsReduction() >= 0.4 && gkpPlan.totals.macsReduction() < 0.45);
    ratios.clear();
    double maxBelow = 0.0, minAbove = 1e300; // normalised column norms each side of each layer's cut
    for (const gkp::LayerPlan &l : gkpPlan.layers) {
        ratios.insert(std::round(l.ratio * 1000.0) / 1000.0);
        const torch::Tensor w = model.impl().weights.at(std::size_t(l.layer)).detach().to(torch::kDouble);
        torch::Tensor col = w.transpose(0, 1).flatten(1).pow(2).sum(1).sqrt();
        col = std::get<0>((col / col.mean()).sort());
        const int64_t cin = col.size(0), removed = cin - l.kept_per_group;
        if (removed > 0)
            maxBelow = std::max(maxBelow, col[removed - 1].item<double>());
        if (removed < cin && l.ratio < 0.9)
            minAbove = std::min(minAbove, col[removed].item<double>());
    }
    QVERIFY2(ratios.size() > 2, "global allocation gave GKP (nearly) one ratio in every layer");
    QVERIFY2(maxBelow <= minAbove, qPrintable(QStringLiteral("%1 > %2").arg(maxBelow).arg(minAbove)));
}

void TestChannelPruning::exportsSmallerDenseModels_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("mode");
    QTest::addColumn<bool>("internalOnly");
    for (const char *f : {"senet_scripted.pt", "senet_traced.pt", "cifar_resnet20_scripted.pt", "cifar_resnet20_traced.pt",
                          "resnet18_traced.pt", "mobilenet_v2_scripted.pt", "densenet121_traced.pt"})
        for (const char *mode : {"deploy", "trainable"})
            QTest::newRow(qPrintable(QStringLiteral("%1 %2").arg(QLatin1String(f), QLatin1String(mode))))
                << QString::fromLatin1(f) << QString::fromLatin1(mode) << false;
    QTest::newRow("cifar_resnet20b_scripted internal only")
        << QStringLiteral("cifar_resnet20b_scripted.pt") << QStringLiteral("deploy") << true;
}

void TestChannelPruning::exportsSmallerDenseModels()
{
    QFETCH(QString, file);
    QFETCH(QString, mode);
    QFETCH(bool, internalOnly);
    const std::string original = fixture(file);
    gkp::LoadOptions lo;
    if (file.startsWith(u"resnet18"_qs) || file.startsWith(u"mobilenet"_qs) || file.startsWith(u"densenet"_qs))
        lo.input_shape = gkp::Shape{1, 3, 64, 64};
    const gkp::Model model = gkp::Model::load(original, lo);
    gkp::Planner planner(model);
    gkp::PlanSettings s = channelSettings(0.4);
    s.protect_residual = internalOnly;
    const gkp::Plan plan = planner.makePlan(s);
    QVERIFY(!plan.channel_groups.empty());

    gkp::ExportOptions eo;
    eo.mode = mode == u"trainable"_qs ? gkp::ExportMode::Trainable : gkp::ExportMode::Deploy;
    const std::string out = m_dir.filePath(file + u"."_qs + mode + u".pt"_qs).toStdString();
    const gkp::ExportResult r = gkp::exportModel(model, plan, out, eo);
    QVERIFY(r.verify.passed);
    for (const gkp::LayerExport &e : r.layers)
        QCOMPARE(int(e.form), int(gkp::LayerForm::Smaller));
    // the file computes exactly what the plan counts
    QCOMPARE(r.conv_macs, plan.totals.macs_after);
    QVERIFY(std::filesystem::file_size(out) < std::filesystem::file_size(original));

    // no gathers anywhere: plain smaller layers
    torch::jit::Module exported = torch::jit::load(out);
    auto graph = exported.get_method("forward").graph();
    for (const torch::jit::Node *n : graph->nodes())
        QVERIFY(n->kind() != c10::aten::index_select);
    if (eo.mode == gkp::ExportMode::Trainable) {
        int64_t params = 0;
        for (const auto &p : exported.parameters())
            params += p.numel();
        QCOMPARE(params, plan.totals.params_after);
    }

    QProcess p;
    QStringList args{QStringLiteral(GKP_SOURCE_DIR "/tests/fixtures/check_export.py"), QString::fromStdString(original),
                     QString::fromStdString(out)};
    if (eo.mode == gkp::ExportMode::Trainable)
        args << QStringLiteral("--train");
    p.start(QStringLiteral(GKP_PYTHON), args);
    QVERIFY(p.waitForFinished(300000));
    QVERIFY2(p.exitCode() == 0, qPrintable(QString::fromUtf8(p.readAllStandardOutput() + p.readAllStandardError())));
}

void TestChannelPruning::planRoundTripAndForeignPlan()
{
    const gkp::Model model = gkp::Model::load(fixture(QStringLiteral("cifar_resnet20_traced.pt")));
    gkp::Planner planner(model);
    const gkp::Plan plan = planner.makePlan(channelSettings(0.3, "l2"));
    const gkp::Plan back = gkp::planFromString(gkp::planToString(plan), model);
    QCOMPARE(back.settings.method, std::string("channel"));
    QCOMPARE(back.settings.importance, std::string("l2"));
    QCOMPARE(back.channel_groups.size(), plan.channel_groups.size());
    for (std::size_t i = 0; i < plan.channel_groups.size(); ++i)
        QCOMPARE(back.channel_groups[i].kept, plan.channel_groups[i].kept);
    QCOMPARE(back.totals.macs_after, plan.totals.macs_after);
    QCOMPARE(back.layers.size(), plan.layers.size());

    // the same plan read against another model: the family names differ
    const gkp::Model other = gkp::Model::load(fixture(QStringLiteral("senet_traced.pt")));
    try {
        (void)gkp::planFromString(gkp::planToString(plan), other);
        QFAIL("a plan for another model was accepted");
    } catch (const gkp::Error &e) {
        const std::string msg = e.what();
        QVERIFY2(msg.find("channel_groups") != std::string::npos, e.what());
    }
}

QTEST_GUILESS_MAIN(TestChannelPruning)
#include "tst_channelpruning.moc"
