// The whole-model planner: invariants of every layer plan, group-count rules, ratio targets,
// overrides, determinism, and the granularity baselines.

#include "util/error.h"
#include "engine/channelplanner.h"
#include "engine/granularity.h"
#include "model/model.h"
#include "engine/planjson.h"
#include "engine/planner.h"
#include "model/torchmodel.h"
#include "testutil.h"

#include <QtTest>

#include <mutex>
#include <numeric>
#include <set>

class TestPlanner : public QObject
{
    Q_OBJECT

    // Latency-aware auto G at r = 0.5, every G a candidate, one k-means start.
    static gkp::PlanSettings latencyAutoSettings(double slack)
    {
        gkp::PlanSettings s;
        s.n_init = 1;
        s.groups = 0;
        s.latency_aware = true;
        s.epsilon = 1.0;
        s.ratio = 0.5;
        s.latency_slack = slack;
        return s;
    }
    static gkp::Model load(const char *file) { return gkp::Model::load(std::string(GKP_FIXTURES_DIR "/") + file); }

    static void checkInvariants(const gkp::Plan &plan, const gkp::Model &model)
    {
        for (const gkp::LayerPlan &l : plan.layers) {
            const gkp::ConvLayer &conv = model.inventory().layers[std::size_t(l.layer)];
            QCOMPARE(l.name, conv.name);
            QCOMPARE(int64_t(l.assignment.size()), conv.out_channels);
            QCOMPARE(conv.out_channels % l.groups, 0);
            std::vector<int> sizes(std::size_t(l.groups), 0);
            for (int g : l.assignment)
                ++sizes[std::size_t(g)];
            for (int s : sizes)
                QCOMPARE(int64_t(s), conv.out_channels / l.groups);
            QCOMPARE(int(l.kept.size()), l.groups);
            for (const auto &k : l.kept) {
                QCOMPARE(int(k.size()), l.kept_per_group);
                QVERIFY(std::is_sorted(k.begin(), k.end()));
                QCOMPARE(std::set<int>(k.begin(), k.end()).size(), k.size());
                QVERIFY(k.front() >= 0 && k.back() < conv.in_channels);
            }
            // behind a grouped sole producer: as many from each of its groups (a multiple of its G)
            const int producer = gkp::soleProducer(model.inventory(), l.layer);
            const gkp::LayerPlan *p =
                producer >= 0 ? plan.find(model.inventory().layers[std::size_t(producer)].name) : nullptr;
            const int64_t asked = gkp::Planner::keptPerGroup(conv.in_channels, l.ratio);
            if (p && p->groups > 1 && l.groups == 1) {
                QVERIFY2(gkp::keptBalancedOver(l, *p), l.name.c_str());
                QVERIFY(std::abs(int64_t(l.kept_per_group) - asked) <= p->groups / 2);
            } else {
                QCOMPARE(int64_t(l.kept_per_group), asked);
            }
            QVERIFY(l.retained_energy > 0.0 && l.retained_energy <= 1.0 + 1e-9);
            QCOMPARE(l.macs_after * conv.in_channels, conv.macs * l.kept_per_group);
        }
    }

private Q_SLOTS:
    void helperRules()
    {
        QCOMPARE(gkp::Planner::feasibleGroups(16, 8), 8);
        QCOMPARE(gkp::Planner::feasibleGroups(20, 8), 5);
        QCOMPARE(gkp::Planner::feasibleGroups(7, 8), 7);
        QCOMPARE(gkp::Planner::feasibleGroups(9, 2), 1);
        QCOMPARE(gkp::Planner::keptPerGroup(16, 0.4375), 9);
        QCOMPARE(gkp::Planner::keptPerGroup(64, 0.4375), 36);
        QCOMPARE(gkp::Planner::keptPerGroup(3, 0.99), 1);
        QCOMPARE(gkp::Planner::keptPerGroup(10, 0.0), 10);
        // aligned to a multiple: the nearest one, at least one, all channels when none are pruned
        QCOMPARE(gkp::Planner::keptPerGroup(256, 0.30, 8), 176); // 179 -> 176
        QCOMPARE(gkp::Planner::keptPerGroup(1024, 0.30, 8), 720); // 717 -> 720
        QCOMPARE(gkp::Planner::keptPerGroup(64, 0.97, 8), 8);     // 2 -> at least 8
        QCOMPARE(gkp::Planner::keptPerGroup(10, 0.0, 8), 10);
        QCOMPARE(gkp::Planner::keptPerGroup(6, 0.5, 8), 3);       // fewer channels than the multiple
        // 0: aligned from 128 channels on, as asked below
        QCOMPARE(gkp::Planner::keptPerGroup(256, 0.30, 0), 176);
        QCOMPARE(gkp::Planner::keptPerGroup(128, 0.4375, 0), 72); // 72 already
        QCOMPARE(gkp::Planner::keptPerGroup(130, 0.30, 0), 88);   // 91 -> 88
        QCOMPARE(gkp::Planner::keptPerGroup(127, 0.30, 0), 89);
        QCOMPARE(gkp::Planner::keptPerGroup(64, 0.4375, 0), 36);
        QCOMPARE(gkp::Planner::groupCandidates(16, 32), (std::vector<int>{1, 2, 4, 8}));
        QCOMPARE(gkp::Planner::groupCandidates(12, 4), (std::vector<int>{1, 2, 3, 4}));
    }

    void everyMethodKeepsInvariants_data()
    {
        QTest::addColumn<QString>("cluster");
        QTest::addColumn<QString>("select");
        for (const char *c : {"kmeans", "kpca", "spectral", "smooth"})
            for (const char *s : {"greedy", "l2", "gm", "l2gm"})
                QTest::newRow((std::string(c) + "/" + s).c_str()) << QString::fromLatin1(c) << QString::fromLatin1(s);
    }
    void everyMethodKeepsInvariants()
    {
        QFETCH(QString, cluster);
        QFETCH(QString, select);
        const gkp::Model model = load("cifar_resnet20_traced.pt");
        gkp::Planner planner(model);
        gkp::PlanSettings s;
        s.cluster = cluster.toStdString();
        s.select = select.toStdString();
        s.n_init = 2;
        s.groups = 4;
        const gkp::Plan plan = planner.makePlan(s);
        QCOMPARE(plan.layers.size(), std::size_t(18)); // 19 convs of ResNet-20 option A, stem excluded
        checkInvariants(plan, model);
        for (const gkp::LayerPlan &l : plan.layers)
            QCOMPARE(l.cluster, s.cluster);
    }

    void infeasibleGroupCountIsReported()
    {
        const gkp::Model model = load("cifar_resnet20_traced.pt");
        gkp::Planner planner(model);
        gkp::PlanSettings s;
        s.groups = 12; // divides none of 16, 32, 64
        s.n_init = 1;
        const gkp::Plan plan = planner.makePlan(s);
        for (const gkp::LayerPlan &l : plan.layers) {
            QCOMPARE(l.requested_groups, 12);
            QCOMPARE(l.groups, 8);
            QVERIFY(!l.note.empty());
        }
    }

    void autoGroupsFollowsStructure()
    {
        const gkp::Model model = load("planted_scripted.pt");
        gkp::Planner planner(model);
        gkp::PlanSettings s;
        s.n_init = 4;
        s.select = "l2"; // energy-driven selection, so retained energy shows the planted structure
        const gkp::LayerPlan same = planner.planLayer(model.inventory().find("same")->index, 0.75, 0, s);
        QCOMPARE(same.groups, 1); // identical filters: grouping buys nothing
        const gkp::LayerPlan blocks = planner.planLayer(model.inventory().find("blocks")->index, 0.75, 0, s);
        QCOMPARE(blocks.groups, 4); // the planted blocks
        QVERIFY(blocks.retained_energy > 0.999);
        const gkp::LayerPlan one = planner.planLayer(blocks.layer, 0.75, 1, s);
        QVERIFY(one.retained_energy < 0.5);
    }

    void targetReductionIsMetWithTheSmallestRatio()
    {
        const gkp::Model model = load("cifar_resnet20b_traced.pt");
        gkp::Planner planner(model);
        gkp::PlanSettings s;
        s.target_macs_reduction = 0.43;
        s.n_init = 1;
        const auto reqs = planner.requests(s);
        const gkp::Plan plan = planner.makePlan(s);
        QVERIFY2(plan.totals.macsReduction() >= 0.43, qPrintable(QString::number(plan.totals.macsReduction())));
        // a slightly smaller ratio misses the target
        gkp::PlanSettings lower = s;
        lower.target_macs_reduction.reset();
        lower.ratio = reqs.front().ratio - 0.01;
        double removed = 0;
        for (const auto &r : planner.requests(lower)) {
            const auto &l = model.inventory().layers[std::size_t(r.layer)];
            removed += double(l.macs) * double(l.in_channels - gkp::Planner::keptPerGroup(l.in_channels, r.ratio)) /
                       double(l.in_channels);
        }
        QVERIFY(removed / double(model.inventory().totals.conv_macs) < 0.43);

        s.target_macs_reduction = 0.999;
        QVERIFY_THROWS_EXCEPTION(gkp::Error, planner.makePlan(s));

        // aligned channel counts: every pruned layer keeps a multiple of 8, target still met
        s.target_macs_reduction = 0.43;
        s.channel_multiple = 8;
        const gkp::Plan aligned = planner.makePlan(s);
        QVERIFY(aligned.totals.macsReduction() >= 0.43);
        bool changed = false;
        for (const gkp::LayerPlan &l : aligned.layers) {
            QVERIFY2(l.kept_per_group % 8 == 0, l.name.c_str());
            QCOMPARE(int64_t(l.kept[0].size()), int64_t(l.kept_per_group));
            changed = changed || l.kept_per_group != plan.find(l.name)->kept_per_group;
        }
        QVERIFY(changed); // not a no-op on this model (16/32/64-channel layers at ratio ~0.45)
        QCOMPARE(gkp::planFromString(gkp::planToString(aligned), model).settings.channel_multiple, 8);
    }

    // Latency-aware with a MACs target: layers whose pruned forms are no faster than their dense
    // conv are left unpruned and the target is reached by the others (timings faked, so the test
    // decides which layers are slow).
    void latencyAwareLeavesSlowerLayersDense()
    {
        const gkp::Model model = load("cifar_resnet20b_traced.pt");
        gkp::Planner planner(model);
        auto endsWithConv1 = [](const std::string &n) { return gkptest::endsWith(n, "conv1"); };
        int timedCalls = 0;
        planner.setLayerTimer([&](const gkp::LayerPlan &c, const gkp::TimingContext &, gkp::LayerExport &e) {
            ++timedCalls;
            e.dense_ms = 1.0;
            e.timings_ms = {{"masked-dense", 1.0}, {"grouped", endsWithConv1(c.name) ? 1.5 : 0.5}};
        });
        gkp::PlanSettings s;
        s.n_init = 1;
        s.groups = 0;
        s.latency_aware = true;
        s.target_macs_reduction = 0.35;
        std::set<std::string> slow;
        for (const auto &r : planner.requests(s))
            if (endsWithConv1(model.inventory().layers[std::size_t(r.layer)].name))
                slow.insert(model.inventory().layers[std::size_t(r.layer)].name);
        QVERIFY(slow.size() >= 8);
        // the whole-file step finds the per-layer plan faster (latencyAwareTimesWholeFiles)
        planner.setFileTimer([](const std::vector<const gkp::Plan *> &, const gkp::PlanSettings &) {
            return std::vector<double>{1.0, 2.0, 3.0};
        });
        const gkp::Plan plan = planner.makePlan(s);
        QVERIFY(timedCalls > 0);
        QVERIFY2(gkptest::contains(plan.note, "kept the per-layer plan"), plan.note.c_str());
        std::set<std::string> left;
        for (const gkp::LeftDense &d : plan.left_dense) {
            left.insert(d.name);
            QCOMPARE(d.pruned_ms, 1.5);
            QCOMPARE(d.dense_ms, 1.0);
            QVERIFY2(!plan.find(d.name), d.name.c_str());
        }
        QCOMPARE(left, slow);
        QVERIFY2(plan.totals.macsReduction() >= 0.35, qPrintable(QString::number(plan.totals.macsReduction())));
        for (const gkp::LayerPlan &l : plan.layers)
            QVERIFY2(l.ratio > 0.4, l.name.c_str()); // the others carry the whole target
        QVERIFY(plan.settings.overrides.empty()); // what the user asked stays as asked
        checkInvariants(plan, model);

        // The plan file keeps them; a left-dense layer that is also pruned is refused.
        const gkp::Plan reloaded = gkp::planFromString(gkp::planToString(plan), model);
        QCOMPARE(reloaded.left_dense.size(), plan.left_dense.size());
        QCOMPARE(reloaded.left_dense.front().name, plan.left_dense.front().name);
        std::string text = gkp::planToString(plan);
        const std::string first = "\"name\": \"" + plan.left_dense.front().name + "\"";
        text.replace(text.rfind(first), first.size(), "\"name\": \"" + plan.layers.front().name + "\"");
        QVERIFY_THROWS_EXCEPTION(gkp::Error, gkp::planFromString(text, model));

        // Without a target the ratio is what was asked: nothing is left out.
        gkp::PlanSettings byRatio = s;
        byRatio.target_macs_reduction.reset();
        const gkp::Plan asked = planner.makePlan(byRatio);
        QVERIFY(asked.left_dense.empty());
        for (const std::string &name : slow)
            QVERIFY(asked.find(name));

        // When every layer is slower pruned, layers are left dense only while the others stay at
        // or below ratio 0.7 (beyond it accuracy collapses); the rest stay pruned, and the plan says so.
        planner.setLayerTimer([](const gkp::LayerPlan &, const gkp::TimingContext &, gkp::LayerExport &e) {
            e.dense_ms = 1.0;
            e.timings_ms = {{"masked-dense", 1.0}, {"grouped", 2.0}};
        });
        const gkp::Plan allSlow = planner.makePlan(s);
        QVERIFY(!allSlow.left_dense.empty());
        QVERIFY(!allSlow.layers.empty());
        double most = 0.0;
        for (const gkp::LayerPlan &l : allSlow.layers)
            most = std::max(most, l.ratio);
        QVERIFY2(most <= 0.7 + 1e-9, qPrintable(QString::number(most)));
        QVERIFY2(most > 0.6, qPrintable(QString::number(most))); // as many left dense as the cap allows
        for (const gkp::LeftDense &d : allSlow.left_dense)
            QVERIFY2(!allSlow.find(d.name), d.name.c_str());
        QVERIFY2(gkptest::contains(allSlow.note, "stay pruned"), allSlow.note.c_str());
        QVERIFY(allSlow.totals.macsReduction() >= 0.35);
        checkInvariants(allSlow, model);
    }

    // Behind a grouped sole producer a G = 1 layer keeps the same number of channels from each of
    // the producer's groups, the most energetic of each (its column energies over every filter).
    void balancedBehindGroupedProducer()
    {
        const gkp::Model model = load("cifar_resnet20_traced.pt");
        const gkp::Inventory &inv = model.inventory();
        gkp::Planner planner(model);
        gkp::PlanSettings s;
        s.n_init = 1;
        s.groups = 1;
        s.ratio = 0.6;
        for (const gkp::ConvLayer &l : inv.layers)
            if (gkptest::endsWith(l.name, "conv1"))
                s.overrides[l.name].groups = 4;
        const gkp::Plan plan = planner.makePlan(s);
        checkInvariants(plan, model);
        int balanced = 0;
        for (const gkp::LayerPlan &l : plan.layers) {
            const int producer = gkp::soleProducer(inv, l.layer);
            const gkp::LayerPlan *p = producer >= 0 ? plan.find(inv.layers[std::size_t(producer)].name) : nullptr;
            if (!p || p->groups == 1)
                continue;
            ++balanced;
            QCOMPARE(l.groups, 1);
            QVERIFY(gkp::keptBalancedOver(l, *p));
            const torch::Tensor column = model.impl().weights[std::size_t(l.layer)].detach().to(torch::kDouble)
                                             .pow(2).sum({0, 2, 3});
            const std::set<int> kept(l.kept[0].begin(), l.kept[0].end());
            for (int g = 0; g < p->groups; ++g) {
                double minKept = 1e300, maxDropped = -1.0;
                for (std::size_t c = 0; c < p->assignment.size(); ++c)
                    if (p->assignment[c] == g) {
                        const double e = column[int64_t(c)].item<double>();
                        (kept.count(int(c)) ? minKept : maxDropped) =
                            kept.count(int(c)) ? std::min(minKept, e) : std::max(maxDropped, e);
                    }
                QVERIFY2(minKept >= maxDropped, l.name.c_str());
            }
        }
        QVERIFY(balanced >= 6);
        // the deploy count removes the grouped producers' unread filters
        double expected = double(plan.totals.macs_after);
        for (const gkp::LayerPlan &l : plan.layers) {
            const int producer = gkp::soleProducer(inv, l.layer);
            if (const gkp::LayerPlan *p = producer >= 0 ? plan.find(inv.layers[std::size_t(producer)].name) : nullptr)
                expected -= double(p->macs_after) * (1.0 - double(l.kept_per_group) / double(inv.layers[std::size_t(producer)].out_channels));
        }
        QCOMPARE(double(plan.totals.deploy_macs_after), expected);
    }

    // Latency-aware: a G within the slack of the fastest one is kept when it retains more energy;
    // with no slack the fastest wins.
    void latencySlackTradesEnergyForTime()
    {
        const gkp::Model model = load("cifar_resnet20_traced.pt");
        gkp::Planner planner(model);
        planner.setLayerTimer([](const gkp::LayerPlan &c, const gkp::TimingContext &, gkp::LayerExport &e) {
            e.dense_ms = 10.0;
            e.timings_ms = {{"masked-dense", 10.0}, {"grouped", c.groups == 1 ? 5.0 : c.groups == 2 ? 5.5 : 8.0}};
        });
        gkp::PlanSettings s = latencyAutoSettings(0.0);
        const gkp::Plan fastest = planner.makePlan(s);
        for (const gkp::LayerPlan &l : fastest.layers)
            QCOMPARE(l.groups, 1);
        s.latency_slack = 0.15; // 5.5 ms is within, 8 ms is not
        const gkp::Plan slack = planner.makePlan(s);
        int two = 0;
        for (const gkp::LayerPlan &l : slack.layers) {
            QVERIFY(l.groups == 1 || l.groups == 2);
            // candidates are compared by the energy an L2 selection keeps...
            gkp::PlanSettings screening = s;
            screening.latency_aware = false;
            screening.select = "l2";
            const double e1 = planner.planLayer(l.layer, 0.5, 1, screening).retained_energy;
            const double e2 = planner.planLayer(l.layer, 0.5, 2, screening).retained_energy;
            QCOMPARE(l.groups, e2 > e1 ? 2 : 1);
            two += l.groups == 2 ? 1 : 0;
            // ...and the chosen G is then selected with the settings' method (greedy)
            gkp::PlanSettings fixed = s;
            fixed.latency_aware = false;
            QCOMPARE(l.select, std::string("greedy"));
            if (l.note.find("groups (the export trims it)") == std::string::npos) // not re-balanced
                QVERIFY2(l.kept == planner.planLayer(l.layer, 0.5, l.groups, fixed).kept, l.name.c_str());
        }
        QVERIFY(two > 0);
    }

    // Latency-aware candidates: at least 8 filters per group, and after two G in a row far slower
    // than the fastest (over twice its slack), larger G are not timed.
    void latencyCandidatesRuledOut()
    {
        const gkp::Model model = load("cifar_resnet20_traced.pt");
        const gkp::Inventory &inv = model.inventory();
        gkp::Planner planner(model);
        std::map<std::string, std::set<int>> timed;
        std::mutex m;
        planner.setLayerTimer([&](const gkp::LayerPlan &c, const gkp::TimingContext &context, gkp::LayerExport &e) {
            std::lock_guard<std::mutex> lock(m);
            timed[c.name].insert(c.groups);
            // the first candidate has no limit yet; the others are told theirs
            QCOMPARE(context.give_up_ms > 0, c.groups > 1);
            e.dense_ms = 10.0;
            e.timings_ms = {{"masked-dense", 10.0}, {"grouped", c.groups == 1 ? 5.0 : 30.0 * c.groups}};
        });
        gkp::PlanSettings s = latencyAutoSettings(0.5);
        const gkp::Plan plan = planner.makePlan(s);
        int wide = 0;
        for (const gkp::LayerPlan &l : plan.layers) {
            QCOMPARE(l.groups, 1);
            const int64_t filters = inv.layers[std::size_t(l.layer)].out_channels;
            std::set<int> expected{1};
            for (int g : gkp::Planner::groupCandidates(filters, s.max_groups))
                if (g > 1 && filters / g >= 8 && expected.size() < 3) // G = 1, then two ruled out
                    expected.insert(g);
            QCOMPARE(timed[l.name], expected);
            wide += filters >= 64 ? 1 : 0; // G = 8 is a candidate there, never timed
        }
        QVERIFY(wide > 0);
    }

    // A layer timed before its reader was decided is chosen again in the context the decided plan
    // gives it: conv1 is fast grouped only while conv2 reads a part of its output as G = 1; once
    // conv2 takes G = 2 (fastest for it) and reads everything, conv1 must fall back to G = 1.
    void latencyChoiceRetimedInItsFinalContext()
    {
        const gkp::Model model = load("cifar_resnet20_traced.pt");
        gkp::Planner planner(model);
        planner.setLayerTimer([](const gkp::LayerPlan &c, const gkp::TimingContext &context, gkp::LayerExport &e) {
            const bool second = gkptest::endsWith(c.name, "conv2");
            double grouped = 5.0;
            if (c.groups == 2)
                grouped = second ? 3.0 : context.outputs_read > 0 ? 4.0 : 20.0;
            else if (c.groups > 2)
                grouped = 30.0;
            e.dense_ms = 10.0;
            e.timings_ms = {{"masked-dense", 10.0}, {"grouped", grouped}};
        });
        gkp::PlanSettings s = latencyAutoSettings(0.0);
        const gkp::Plan plan = planner.makePlan(s);
        int retimed = 0;
        for (const gkp::LayerPlan &l : plan.layers) {
            if (gkptest::endsWith(l.name, "conv2")) {
                QCOMPARE(l.groups, 2);
            } else if (gkptest::endsWith(l.name, "conv1") && l.name != "conv1") {
                QCOMPARE(l.groups, 1);
                retimed += l.note.find("timed again") != std::string::npos ? 1 : 0;
            }
        }
        QCOMPARE(retimed, 9); // every block's conv1 was first chosen G = 2
    }

    // Latency-aware auto G with a target ends by timing whole deploy files: the per-layer plan
    // against the block pattern (residual readers dense, G = 2 behind a dense conv that computes
    // the layer's input alone, G = 1 elsewhere), and keeps the faster; the file timer is faked so
    // the test decides which.
    void latencyAwareTimesWholeFiles()
    {
        const gkp::Model model = load("cifar_resnet20b_traced.pt");
        const gkp::Inventory &inv = model.inventory();
        gkp::Planner planner(model);
        planner.setLayerTimer([](const gkp::LayerPlan &c, const gkp::TimingContext &, gkp::LayerExport &e) {
            e.dense_ms = 1.0;
            e.timings_ms = {{"masked-dense", 1.0}, {"grouped", 0.4 + 0.01 * c.groups}};
        });
        gkp::PlanSettings s;
        s.n_init = 1;
        s.groups = 0;
        s.latency_aware = true;
        s.target_macs_reduction = 0.30;

        // The pattern: which layers, which G, and one ratio that meets the target.
        const std::optional<gkp::PlanSettings> pattern = planner.blockPatternSettings(s);
        QVERIFY(pattern);
        QVERIFY(pattern->protect_residual && !pattern->latency_aware && !pattern->target_macs_reduction);
        const std::vector<gkp::Planner::Request> reqs = planner.requests(*pattern);
        std::set<int> planned;
        for (const auto &r : reqs)
            planned.insert(r.layer);
        int paired = 0;
        for (const auto &r : reqs) {
            const gkp::ConvLayer &conv = inv.layers[std::size_t(r.layer)];
            const int producer = gkp::soleProducer(inv, r.layer);
            const bool behindDense = producer >= 0 && !planned.count(producer);
            QCOMPARE(r.groups, behindDense ? 2 : 1);
            QVERIFY2(gkptest::endsWith(conv.name, "conv2"), conv.name.c_str()); // conv1 and shortcuts read the stream
            if (behindDense) {
                ++paired;
                QVERIFY(r.ratio >= 0.5); // G*m <= Cin: no gather, no extra producer rows
            }
        }
        QCOMPARE(paired, 9);
        const gkp::Plan direct = planner.makePlan(*pattern);
        QVERIFY2(direct.totals.macsReduction() >= 0.30 && direct.totals.macsReduction() < 0.32,
                 qPrintable(QString::number(direct.totals.macsReduction())));
        checkInvariants(direct, model);
        // No target, or a target out of the pattern's reach: no pattern.
        gkp::PlanSettings byRatio = s;
        byRatio.target_macs_reduction.reset();
        QVERIFY(!planner.blockPatternSettings(byRatio));
        gkp::PlanSettings far = s;
        far.target_macs_reduction = 0.6; // beyond the nine conv2s' share of the MACs
        QVERIFY(!planner.blockPatternSettings(far));

        struct Case
        {
            std::vector<double> ms; // per-layer plan, pattern, original
            bool patternKept;
            bool slower;
        };
        for (const Case &c : {Case{{10.0, 8.0, 12.0}, true, false}, Case{{8.0, 10.0, 12.0}, false, false},
                              Case{{13.0, 14.0, 12.0}, false, true}}) {
            int calls = 0;
            bool askedLatencyAware = false;
            std::vector<bool> grouped; // per plan given to the timer: G = 2 in every paired layer
            planner.setFileTimer([&](const std::vector<const gkp::Plan *> &plans, const gkp::PlanSettings &asked) {
                ++calls;
                grouped.clear();
                for (const gkp::Plan *p : plans)
                    grouped.push_back(p->settings.protect_residual &&
                                      std::count_if(p->layers.begin(), p->layers.end(),
                                                    [](const gkp::LayerPlan &l) { return l.groups == 2; }) == 9);
                askedLatencyAware = asked.latency_aware;
                return c.ms;
            });
            const gkp::Plan plan = planner.makePlan(s);
            QCOMPARE(calls, 1);
            QVERIFY(askedLatencyAware); // timed as the user asked (runtime, batch)
            QCOMPARE(grouped, (std::vector<bool>{false, true}));
            QVERIFY2(gkptest::contains(plan.note, c.patternKept ? "kept the block pattern" : "kept the per-layer plan"),
                     plan.note.c_str());
            QCOMPARE(gkptest::contains(plan.note, "cannot be met faster than dense"), c.slower);
            QCOMPARE(plan.settings.protect_residual, c.patternKept);
            QCOMPARE(plan.settings.latency_aware, !c.patternKept);
            QVERIFY(plan.totals.macsReduction() >= 0.30);
            checkInvariants(plan, model);
            if (c.patternKept) { // its settings reproduce it without any timing
                const gkp::Plan again = planner.makePlan(plan.settings);
                QCOMPARE(again.layers.size(), plan.layers.size());
                for (std::size_t i = 0; i < plan.layers.size(); ++i) {
                    QCOMPARE(again.layers[i].groups, plan.layers[i].groups);
                    QCOMPARE(again.layers[i].kept, plan.layers[i].kept);
                }
                QVERIFY(again.note.empty());
            }
            QCOMPARE(gkp::planFromString(gkp::planToString(plan), model).note, plan.note);
        }
        // within 3 % of each other the plan that keeps more kernel energy (MACs-weighted) is kept
        auto energyOf = [&](const gkp::Plan &p) {
            double total = 0.0, kept = 0.0;
            for (const gkp::ConvLayer &l : model.inventory().layers) {
                const gkp::LayerPlan *lp = p.find(l.name);
                total += double(l.macs);
                kept += double(l.macs) * (lp ? lp->retained_energy : 1.0);
            }
            return kept / total;
        };
        planner.setFileTimer([](const std::vector<const gkp::Plan *> &, const gkp::PlanSettings &) {
            return std::vector<double>{8.0, 10.0, 12.0};
        });
        const gkp::Plan perLayer = planner.makePlan(s);
        const gkp::Plan blocks = planner.makePlan(*planner.blockPatternSettings(s));
        QVERIFY(energyOf(perLayer) != energyOf(blocks));
        const bool blocksKeepMore = energyOf(blocks) > energyOf(perLayer);
        for (const std::vector<double> &ms : {std::vector<double>{10.0, 10.2, 12.0}, std::vector<double>{10.2, 10.0, 12.0}}) {
            planner.setFileTimer([&](const std::vector<const gkp::Plan *> &, const gkp::PlanSettings &) { return ms; });
            const gkp::Plan tied = planner.makePlan(s);
            QVERIFY2(gkptest::contains(tied.note, "within 3 %"), tied.note.c_str());
            QVERIFY2(gkptest::contains(tied.note, blocksKeepMore ? "kept the block pattern" : "kept the per-layer plan"),
                     tied.note.c_str());
            QCOMPARE(tied.settings.protect_residual, blocksKeepMore);
        }
        planner.setFileTimer([](const std::vector<const gkp::Plan *> &, const gkp::PlanSettings &) -> std::vector<double> {
            throw gkp::Error("no room left on device");
        });
        const gkp::Plan untimed = planner.makePlan(s);
        QVERIFY2(gkptest::contains(untimed.note, "no room left on device"), untimed.note.c_str());
        QVERIFY(untimed.settings.latency_aware);
    }

    void overrides()
    {
        const gkp::Model model = load("cifar_resnet20b_traced.pt");
        gkp::Planner planner(model);
        gkp::PlanSettings s;
        s.n_init = 1;
        s.overrides["layer1.0.conv1"] = gkp::parseLayerOverride("off");
        s.overrides["layer2.0.conv2"] = gkp::parseLayerOverride("ratio:0.25,groups:2");
        s.overrides["conv1"] = gkp::parseLayerOverride("ratio:0.5");
        const gkp::Plan plan = planner.makePlan(s);
        QVERIFY(!plan.find("layer1.0.conv1"));
        QCOMPARE(plan.find("layer2.0.conv2")->groups, 2);
        QCOMPARE(plan.find("layer2.0.conv2")->kept_per_group, 24);
        QVERIFY(plan.find("conv1")); // a ratio override includes the stem
        QCOMPARE(plan.find("layer3.0.conv1")->groups, 8);

        s.overrides["no.such.layer"] = gkp::parseLayerOverride("off");
        QVERIFY_THROWS_EXCEPTION(gkp::Error, planner.makePlan(s));
        QVERIFY_THROWS_EXCEPTION(gkp::Error, gkp::parseLayerOverride("ratio:1.5"));
        QVERIFY_THROWS_EXCEPTION(gkp::Error, gkp::parseLayerOverride("groups:-2"));
        QVERIFY_THROWS_EXCEPTION(gkp::Error, gkp::parseLayerOverride("speed:3"));
    }

    // Same seed, same plan, whether layers run in the parallel whole-model path or one by one.
    void deterministicAndScheduleIndependent()
    {
        const gkp::Model model = load("cifar_resnet20b_scripted.pt");
        gkp::PlanSettings s;
        s.n_init = 3;
        s.seed = 42;
        gkp::Planner a(model), b(model);
        const gkp::Plan pa = a.makePlan(s, [](int, int) { return true; });
        for (const gkp::LayerPlan &l : pa.layers) {
            const gkp::LayerPlan one = b.planLayer(l.layer, s.ratio, s.groups, s);
            QCOMPARE(one.assignment, l.assignment);
            QVERIFY(one.kept == l.kept);
        }
        s.seed = 43;
        const gkp::Plan pc = gkp::Planner(model).makePlan(s);
        bool anyDifferent = false;
        for (std::size_t i = 0; i < pa.layers.size(); ++i)
            anyDifferent = anyDifferent || pa.layers[i].assignment != pc.layers[i].assignment;
        QVERIFY(anyDifferent);
    }

    // Re-planning with the previous plan reuses unchanged layers and equals planning afresh.
    void incrementalReplanEqualsFresh()
    {
        const gkp::Model model = load("cifar_resnet20b_traced.pt");
        gkp::PlanSettings s;
        s.n_init = 2;
        gkp::Planner planner(model);
        const gkp::Plan first = planner.makePlan(s);
        gkp::PlanSettings edited = s;
        edited.overrides["layer2.1.conv1"] = gkp::parseLayerOverride("ratio:0.75,groups:2");
        const gkp::Plan incremental = planner.makePlan(edited, {}, &first);
        const gkp::Plan fresh = gkp::Planner(model).makePlan(edited);
        QCOMPARE(incremental.layers.size(), fresh.layers.size());
        for (std::size_t i = 0; i < fresh.layers.size(); ++i) {
            QCOMPARE(incremental.layers[i].name, fresh.layers[i].name);
            QCOMPARE(incremental.layers[i].assignment, fresh.layers[i].assignment);
            QVERIFY(incremental.layers[i].kept == fresh.layers[i].kept);
        }
        QCOMPARE(incremental.find("layer2.1.conv1")->groups, 2);
        QCOMPARE(incremental.totals.macs_after, fresh.totals.macs_after);
        // a method change invalidates every layer
        gkp::PlanSettings other = edited;
        other.select = "l2";
        const gkp::Plan changed = planner.makePlan(other, {}, &incremental);
        QCOMPARE(changed.find("layer1.0.conv1")->select, std::string("l2"));
    }

    void cancelStops()
    {
        const gkp::Model model = load("cifar_resnet20b_scripted.pt");
        gkp::Planner planner(model);
        gkp::PlanSettings s;
        QVERIFY_THROWS_EXCEPTION(gkp::Cancelled, planner.makePlan(s, [](int, int) { return false; }));
    }

    void protectResidualLeavesStreamReadersDense()
    {
        const gkp::Model model = load("cifar_resnet20b_traced.pt");
        gkp::Planner planner(model);
        gkp::PlanSettings s;
        s.n_init = 1;
        s.select = "l2";
        s.protect_residual = true;
        const gkp::Plan plan = planner.makePlan(s);
        // BasicBlocks: conv1 reads the stream, conv2 reads conv1 only
        for (const char *block : {"layer1.1", "layer2.1", "layer3.2"}) {
            QVERIFY2(!plan.find(std::string(block) + ".conv1"), block);
            QVERIFY2(plan.find(std::string(block) + ".conv2"), block);
        }
        QVERIFY(!plan.find("layer2.0.shortcut.0"));
        // a layer's own setting still wins
        s.overrides["layer2.1.conv1"].ratio = 0.5;
        QVERIFY(planner.makePlan(s).find("layer2.1.conv1"));
    }

    void granularityBaselines()
    {
        const gkp::Model model = load("cifar_resnet20b_traced.pt");
        gkp::Planner planner(model);
        gkp::PlanSettings s;
        s.n_init = 2;
        const gkp::LayerPlan gkpLayer = planner.planLayer(model.inventory().find("layer2.1.conv1")->index, 0.5, 4, s);
        const auto results = gkp::compareGranularities(planner, gkpLayer, s);
        QCOMPARE(results.size(), std::size_t(6));
        const char *names[] = {"weight", "kernel", "grouped kernel", "gkp-g1", "channel", "filter"};
        for (std::size_t i = 0; i < 6; ++i) {
            QCOMPARE(results[i].name, std::string(names[i]));
            QVERIFY(std::abs(results[i].kept_fraction - 0.5) < 0.01);
            QCOMPARE(results[i].kept.size(), std::size_t(32 * 32));
            // magnitude pruning keeps the most energy for a given number of weights
            QVERIFY(results[0].retained_energy >= results[i].retained_energy - 1e-9);
        }
        QCOMPARE(results[2].retained_energy, gkpLayer.retained_energy);
        QVERIFY(!results[0].dense && !results[1].dense && results[2].dense && results[3].dense && results[4].dense &&
                results[5].dense);
        // channel pruning (both kinds) removes whole columns, filter pruning whole rows
        for (std::size_t k : {3, 4})
            for (int c = 0; c < 32; ++c)
                for (int o = 1; o < 32; ++o)
                    QCOMPARE(results[k].kept[std::size_t(o * 32 + c)], results[k].kept[std::size_t(c)]);
        for (int o = 0; o < 32; ++o)
            for (int c = 1; c < 32; ++c)
                QCOMPARE(results[5].kept[std::size_t(o * 32 + c)], results[5].kept[std::size_t(o * 32)]);
        // coupled channel pruning keeps the input channels whose coupled channel has the largest
        // group norm: layer2.1.conv1 reads the stage-2 stream
        const gkp::ChannelFamily *stream = nullptr;
        for (const gkp::ChannelFamily &f : model.channelDependencies().families)
            for (const gkp::ChannelMember &m : f.members)
                if (m.kind == gkp::ChannelMember::Kind::Consumer && m.layer == gkpLayer.layer)
                    stream = &f;
        QVERIFY(stream);
        QCOMPARE(stream->channels, int64_t(32));
        const std::vector<double> imp = gkp::channelImportance(model, stream->index, "group-norm");
        std::vector<int> order(imp.size());
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(),
                         [&](int a, int b) { return imp[std::size_t(a)] > imp[std::size_t(b)]; });
        for (std::size_t r = 0; r < order.size(); ++r)
            QCOMPARE(results[4].kept[std::size_t(order[r])], r < 16 ? 1.0f : 0.0f);
    }
};

QTEST_GUILESS_MAIN(TestPlanner)
#include "tst_planner.moc"
