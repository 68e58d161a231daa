// The accuracy-latency frontier: Pareto marking, the sweep's points against the files it writes
// (a faked timer makes latency a known function of the written file), JSON, and bad options.

#include "eval/frontier.h"
#include "engine/planjson.h"
#include "model/model.h"
#include "util/error.h"

#include <nlohmann/json.hpp>

#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>

namespace {

gkp::FrontierPoint point(double ms, double energy)
{
    gkp::FrontierPoint p;
    p.latency_ms = ms;
    p.energy = energy;
    return p;
}

} // namespace

class TestFrontier : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

private Q_SLOTS:
    void paretoMarksUndominatedPoints()
    {
        std::vector<gkp::FrontierPoint> pts = {point(10, 0.90), point(8, 0.80), point(12, 0.85), point(8, 0.80),
                                               point(5, 0.50), point(9, 0.70), point(10, 0.95)};
        gkp::markPareto(pts);
        // (10, 0.90) is beaten by (10, 0.95): as fast and better; (12, 0.85) by both of them;
        // (9, 0.70) by (8, 0.80); equal points do not beat each other
        const std::vector<bool> expected = {false, true, false, true, true, false, true};
        for (std::size_t i = 0; i < pts.size(); ++i)
            QVERIFY2(pts[i].pareto == expected[i], qPrintable(QString::number(i)));
        // top-1, when known, is the quality instead of energy
        std::vector<gkp::FrontierPoint> acc = {point(10, 0.99), point(12, 0.10)};
        acc[0].top1 = 0.5;
        acc[1].top1 = 0.9;
        gkp::markPareto(acc);
        QVERIFY(acc[0].pareto && acc[1].pareto);
    }

    void sweepWritesPlansAndMeasuresTheFiles()
    {
        const gkp::Model model = gkp::Model::load(GKP_FIXTURES_DIR "/cifar_resnet20_scripted.pt");
        const double before = double(model.inventory().totals.conv_macs);
        gkp::FrontierOptions o;
        o.groups = {"1", "4"};
        o.targets = {0.3, 0.5};
        o.settings.select = "l2";
        o.settings.n_init = 1;
        o.dir = m_dir.filePath(u"sweep"_qs).toStdString();
        o.keep_files = true;
        int calls = 0;
        // latency proportional to the file's conv MACs: the frontier is then known from the files
        o.timer = [&](const gkp::Model &original, const gkp::Model &file) {
            ++calls;
            return std::make_pair(double(file.inventory().totals.conv_macs) / 1e6,
                                  double(original.inventory().totals.conv_macs) / 1e6);
        };
        int lastDone = -1;
        const gkp::Frontier f = gkp::computeFrontier(model, o, [&](int done, int total) {
            lastDone = done;
            return total == 4;
        });
        QCOMPARE(lastDone, 4);
        QCOMPARE(calls, 4);
        QCOMPARE(int(f.points.size()), 4);
        QCOMPARE(f.quality, std::string("energy"));
        QCOMPARE(f.original_latency_ms, before / 1e6);
        for (const gkp::FrontierPoint &p : f.points) {
            // the plan on disk is the point's plan
            const gkp::Plan plan = gkp::loadPlan(p.plan, model);
            QCOMPARE(plan.settings.target_macs_reduction.value_or(-1), p.target);
            for (const gkp::LayerPlan &l : plan.layers)
                QCOMPARE(l.groups, std::stoi(p.groups));
            QCOMPARE(p.pruned_layers, int(plan.layers.size()));
            QCOMPARE(p.energy, gkp::planEnergy(plan, model));
            QVERIFY(p.energy > 0.0 && p.energy < 1.0);
            // the file on disk is what was timed and counted
            const std::string file = std::filesystem::path(p.plan).replace_extension(".pt").string();
            const gkp::Model written = gkp::Model::load(file);
            QCOMPARE(p.latency_ms, double(written.inventory().totals.conv_macs) / 1e6);
            QCOMPARE(p.file_macs_cut, 1.0 - double(written.inventory().totals.conv_macs) / before);
            QVERIFY(p.file_macs_cut >= 0.0 && p.file_macs_cut <= p.plan_macs_cut + 0.35); // forms slower
            // than dense here are written masked-dense; trimmed producers cut more than the plan
            if (p.groups == "1")
                QCOMPARE(p.share_grouped, 0.0);
            QVERIFY(p.share_grouped >= 0.0 && p.share_grouped <= 1.0);
        }
        // the fastest and the best point are always on the frontier
        auto fastest = std::min_element(f.points.begin(), f.points.end(),
                                        [](const auto &a, const auto &b) { return a.latency_ms < b.latency_ms; });
        auto best = std::max_element(f.points.begin(), f.points.end(),
                                     [](const auto &a, const auto &b) { return a.energy < b.energy; });
        QVERIFY(fastest->pareto && best->pareto);

        const nlohmann::json doc = nlohmann::json::parse(gkp::frontierToJson(f));
        QCOMPARE(doc["runtime"].get<std::string>(), std::string("frozen"));
        QCOMPARE(doc["batch"].get<int64_t>(), model.inventory().input_shape.at(0));
        QCOMPARE(doc["original_latency_ms"].get<double>(), before / 1e6);
        QCOMPARE(doc["points"].size(), std::size_t(4));
        for (const auto &p : doc["points"]) {
            QVERIFY(p["groups"].is_number_integer());
            for (const char *key : {"plan", "share_grouped", "file_macs_cut", "latency_ms", "energy", "pareto"})
                QVERIFY2(p.contains(key), key);
            QVERIFY(!p.contains("top1"));
        }
        const QStringList csv = QString::fromStdString(gkp::frontierToCsv(f)).trimmed().split(u'\n');
        QCOMPARE(csv.size(), 5);
    }

    void badOptionsAreRefused()
    {
        const gkp::Model model = gkp::Model::load(GKP_FIXTURES_DIR "/cifar_resnet20_scripted.pt");
        gkp::FrontierOptions o;
        o.dir = m_dir.path().toStdString();
        o.groups = {"two"};
        QVERIFY_THROWS_EXCEPTION(gkp::Error, gkp::computeFrontier(model, o));
        o.groups = {"2"};
        o.targets = {1.5};
        QVERIFY_THROWS_EXCEPTION(gkp::Error, gkp::computeFrontier(model, o));
        o.targets = {0.3};
        o.dir = "/proc/no-such-dir/frontier";
        QVERIFY_THROWS_EXCEPTION(gkp::Error, gkp::computeFrontier(model, o));
    }
};

QTEST_GUILESS_MAIN(TestFrontier)
#include "tst_frontier.moc"
