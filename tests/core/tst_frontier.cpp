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

// A point of the verdict's tests: time relative to the original, top-1, its sweep setting.
gkp::FrontierPoint rated(const std::string &groups, double relative, double top1, double shareGrouped)
{
    gkp::FrontierPoint p;
    p.groups = groups;
    p.method = groups.rfind("channel", 0) == 0 ? "channel" : "gkp";
    p.importance = p.method == "channel" ? "group-norm" : "";
    p.latency_ms = relative;
    p.original_ms = 1.0;
    p.top1 = top1;
    p.share_grouped = shareGrouped;
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

    void verdictSetsGkpAgainstChannelPruningAtEqualSpeed()
    {
        // GKP G = 8 at 0.80 of the original's time, 0.90 top-1; channel points at 0.75 (0.86) and
        // 0.60 (0.80); a G = 1 point at 0.70 (0.84). G 8 is at most 1.10x slower than the first
        // (0.80 <= 0.825) but not the others (0.80 > 0.66, 0.77): its margin is 0.90 - 0.86 = 0.04.
        std::vector<gkp::FrontierPoint> pts = {rated("8", 0.80, 0.90, 1.0), rated("channel", 0.75, 0.86, 0.0),
                                               rated("channel", 0.60, 0.80, 0.0), rated("1", 0.70, 0.84, 0.0)};
        gkp::FrontierVerdict v = gkp::frontierVerdict(pts);
        QCOMPARE(v.gkp, 0);
        QCOMPARE(v.channel, 1);
        QVERIFY(std::abs(v.margin - 0.04) < 1e-12);
        QVERIFY(v.reached);
        QVERIFY(v.text.find("beats channel pruning") != std::string::npos);
        // a G = 1 point as fast and nearly as good: it is channel pruning too, and the lead shrinks
        pts.push_back(rated("1", 0.78, 0.885, 0.0));
        v = gkp::frontierVerdict(pts);
        QCOMPARE(v.channel, 4);
        QVERIFY(std::abs(v.margin - 0.015) < 1e-12);
        QVERIFY(!v.reached);
        QVERIFY(v.text.find("does not beat") != std::string::npos);
        // the best GKP point by its least margin wins: a slower, better G = 2 point faces every
        // channel point slower than 1/1.10 of its time (here all), so its least margin is negative
        pts.push_back(rated("2", 1.20, 0.91, 0.9));
        v = gkp::frontierVerdict(pts);
        QCOMPARE(v.gkp, 0);
        // a point grouped in only some layers is not GKP's: nothing to compare
        std::vector<gkp::FrontierPoint> few = {rated("auto", 0.7, 0.95, 0.4), rated("channel", 0.7, 0.80, 0.0)};
        v = gkp::frontierVerdict(few);
        QCOMPARE(v.gkp, -1);
        QVERIFY(!v.reached);
        // GKP slower than 1.10x every channel point: said so, not reached
        few = {rated("8", 1.0, 0.95, 1.0), rated("channel", 0.8, 0.80, 0.0)};
        v = gkp::frontierVerdict(few);
        QCOMPARE(v.gkp, -1);
        QVERIFY(v.text.find("does not reach channel pruning's speed") != std::string::npos);
    }

    void channelPointsArePlannedCoupledAndCountedFromTheFile()
    {
        const gkp::Model model = gkp::Model::load(GKP_FIXTURES_DIR "/cifar_resnet20_scripted.pt");
        const double before = double(model.inventory().totals.conv_macs);
        gkp::FrontierOptions o;
        o.groups = {"channel", "channel-internal", "2"};
        o.targets = {0.3, 0.97};
        o.channel_importance = "l1";
        o.settings.select = "l2";
        o.settings.n_init = 1;
        o.dir = m_dir.filePath(u"channel"_qs).toStdString();
        o.keep_files = true;
        o.timer = [&](const gkp::Model &original, const gkp::Model &file) {
            return std::make_pair(double(file.inventory().totals.conv_macs) / 1e6,
                                  double(original.inventory().totals.conv_macs) / 1e6);
        };
        const gkp::Frontier f = gkp::computeFrontier(model, o);
        // 97 % is out of channel pruning's reach with the residual streams whole: skipped, said why
        bool internalSkipped = false;
        for (const std::string &s : f.skipped)
            internalSkipped = internalSkipped || (s.rfind("channel-internal at 0.97", 0) == 0 &&
                                                  s.find("not reachable") != std::string::npos);
        QVERIFY2(internalSkipped, f.skipped.empty() ? "nothing skipped" : f.skipped.front().c_str());
        int channelPoints = 0;
        for (const gkp::FrontierPoint &p : f.points) {
            const gkp::Plan plan = gkp::loadPlan(p.plan, model);
            if (p.groups == "2") {
                QVERIFY(!plan.isChannelPlan());
                QCOMPARE(p.method, std::string("gkp"));
                continue;
            }
            ++channelPoints;
            QVERIFY(plan.isChannelPlan());
            QCOMPARE(p.method, std::string("channel"));
            QCOMPARE(p.importance, std::string("l1"));
            QCOMPARE(plan.settings.importance, std::string("l1"));
            QCOMPARE(plan.settings.allocation, std::string("global"));
            QCOMPARE(plan.settings.protect_residual, p.groups == "channel-internal");
            QCOMPARE(p.share_grouped, 0.0);
            // plain smaller dense convs: what the file computes is what the plan counts
            const gkp::Model written =
                gkp::Model::load(std::filesystem::path(p.plan).replace_extension(".pt").string());
            QCOMPARE(p.file_macs_cut, 1.0 - double(written.inventory().totals.conv_macs) / before);
            QVERIFY2(std::abs(p.file_macs_cut - plan.totals.deployMacsReduction()) < 0.02,
                     qPrintable(QString::number(p.file_macs_cut)));
            QVERIFY(p.file_macs_cut >= p.target - 0.02);
            for (const auto &w : written.inventory().layers)
                QCOMPARE(w.groups, int64_t(1));
        }
        QCOMPARE(channelPoints, 3); // channel at both targets, internal at 0.3
        const nlohmann::json doc = nlohmann::json::parse(gkp::frontierToJson(f));
        for (const auto &p : doc["points"]) {
            QVERIFY(p["groups"].is_number_integer());
            if (p["method"] == "channel") {
                QCOMPARE(p["groups"].get<int>(), 1);
                QVERIFY(p["setting"].get<std::string>().rfind("channel", 0) == 0);
            }
        }
        QCOMPARE(doc["skipped"].size(), f.skipped.size());
        QCOMPARE(doc["verdict"]["text"].get<std::string>(), f.verdict.text);
        // nothing plannable at all is an error, not an empty frontier
        o.groups = {"channel-internal"};
        o.targets = {0.97};
        QVERIFY_THROWS_EXCEPTION(gkp::Error, gkp::computeFrontier(model, o));
        o.groups = {"channel"};
        o.channel_importance = "l3";
        QVERIFY_THROWS_EXCEPTION(gkp::Error, gkp::computeFrontier(model, o));
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
