// Plan JSON: exact round trip, and every validation error names the first bad field by path.

#include "util/error.h"
#include "model/model.h"
#include "engine/planjson.h"
#include "engine/planner.h"
#include "testutil.h"

#include <nlohmann/json.hpp>

#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <functional>

using nlohmann::json;

class TestPlanJson : public QObject
{
    Q_OBJECT

    std::unique_ptr<gkp::Model> m_model;
    gkp::Plan m_plan;

private Q_SLOTS:
    void initTestCase()
    {
        m_model = std::make_unique<gkp::Model>(gkp::Model::load(GKP_FIXTURES_DIR "/cifar_resnet20b_scripted.pt"));
        gkp::Planner planner(*m_model);
        gkp::PlanSettings s;
        s.groups = 4;
        s.ratio = 0.5;
        s.n_init = 2;
        s.overrides["layer3.2.conv2"] = gkp::parseLayerOverride("ratio:0.25,groups:auto");
        m_plan = planner.makePlan(s);
        QVERIFY(m_plan.layers.size() == 20); // every conv but the stem
    }

    void roundTripIsExact()
    {
        const std::string text = gkp::planToString(m_plan);
        const gkp::Plan back = gkp::planFromString(text, *m_model);
        QCOMPARE(back.layers.size(), m_plan.layers.size());
        for (std::size_t i = 0; i < back.layers.size(); ++i) {
            const gkp::LayerPlan &a = m_plan.layers[i], &b = back.layers[i];
            QCOMPARE(b.name, a.name);
            QCOMPARE(b.groups, a.groups);
            QCOMPARE(b.requested_groups, a.requested_groups);
            QCOMPARE(b.kept_per_group, a.kept_per_group);
            QCOMPARE(b.assignment, a.assignment);
            QVERIFY(b.kept == a.kept);
            QCOMPARE(b.retained_energy, a.retained_energy);
            QCOMPARE(b.macs_after, a.macs_after);
            QCOMPARE(b.params_after, a.params_after);
            QCOMPARE(b.cluster, a.cluster);
        }
        QCOMPARE(back.settings.groups, 4);
        QCOMPARE(back.settings.overrides.at("layer3.2.conv2").ratio.value(), 0.25);
        QCOMPARE(back.settings.overrides.at("layer3.2.conv2").groups.value(), 0);
        QCOMPARE(back.totals.macs_after, m_plan.totals.macs_after);
        QCOMPARE(gkp::planToString(back), text);
    }

    void validationNamesTheField_data()
    {
        QTest::addColumn<std::function<void(json &)>>("mutate");
        QTest::addColumn<QString>("path");
        using M = std::function<void(json &)>;
        QTest::newRow("format") << M([](json &j) { j["format"] = "other"; }) << u"format"_qs;
        QTest::newRow("version") << M([](json &j) { j["version"] = 99; }) << u"version"_qs;
        QTest::newRow("settings missing") << M([](json &j) { j["settings"].erase("ratio"); }) << u"settings.ratio"_qs;
        QTest::newRow("settings type") << M([](json &j) { j["settings"]["cluster"] = "magic"; })
                                       << u"settings.cluster"_qs;
        QTest::newRow("unknown layer") << M([](json &j) { j["layers"][2]["name"] = "nope"; }) << u"layers[2].name"_qs;
        QTest::newRow("duplicate layer") << M([](json &j) { j["layers"][1]["name"] = j["layers"][0]["name"]; })
                                         << u"layers[1].name"_qs;
        QTest::newRow("groups not dividing") << M([](json &j) { j["layers"][0]["groups"] = 3; })
                                             << u"layers[0].groups"_qs;
        QTest::newRow("assignment length") << M([](json &j) { j["layers"][0]["assignment"].erase(0); })
                                           << u"layers[0].assignment"_qs;
        QTest::newRow("assignment range") << M([](json &j) { j["layers"][0]["assignment"][5] = 4; })
                                          << u"layers[0].assignment[5]"_qs;
        QTest::newRow("unbalanced") << M([](json &j) {
            auto &a = j["layers"][0]["assignment"];
            a[0] = (a[0].get<int>() + 1) % 4;
        }) << u"layers[0].assignment: group"_qs;
        QTest::newRow("kept count") << M([](json &j) { j["layers"][0]["kept"].erase(1); }) << u"layers[0].kept"_qs;
        QTest::newRow("kept length") << M([](json &j) { j["layers"][3]["kept"][1].erase(0); })
                                     << u"layers[3].kept[1]"_qs;
        QTest::newRow("kept range") << M([](json &j) { j["layers"][0]["kept"][0][7] = 16; })
                                    << u"layers[0].kept[0][7]"_qs;
        QTest::newRow("kept unsorted") << M([](json &j) {
            auto &k = j["layers"][0]["kept"][2];
            std::swap(k[0], k[1]);
        }) << u"layers[0].kept[2][1]"_qs;
        QTest::newRow("kept type") << M([](json &j) { j["layers"][4]["kept"][0][0] = "x"; })
                                   << u"layers[4].kept[0][0]"_qs;
        QTest::newRow("energy range") << M([](json &j) { j["layers"][0]["retained_energy"] = 1.5; })
                                      << u"layers[0].retained_energy"_qs;
        QTest::newRow("not an object") << M([](json &j) { j = json::array(); }) << u"document"_qs;
    }
    void validationNamesTheField()
    {
        QFETCH(std::function<void(json &)>, mutate);
        QFETCH(QString, path);
        json doc = gkp::toJson(m_plan);
        mutate(doc);
        try {
            gkp::planFromJson(doc, *m_model);
            QFAIL("accepted a bad plan");
        } catch (const gkp::Error &e) {
            const QString msg = QString::fromUtf8(e.what());
            QVERIFY2(msg.contains(QStringLiteral("invalid plan: ") + path), qPrintable(msg));
        }
    }

    void notPrunableLayerIsRejected()
    {
        const gkp::Model other = gkp::Model::load(GKP_FIXTURES_DIR "/transposed_scripted.pt");
        json doc = gkp::toJson(m_plan);
        doc["layers"] = json::array({doc["layers"][0]});
        doc["layers"][0]["name"] = "grouped";
        try {
            gkp::planFromJson(doc, other);
            QFAIL("accepted");
        } catch (const gkp::Error &e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(u"not prunable"_qs), e.what());
        }
    }

    void brokenTextAndFiles()
    {
        QVERIFY_THROWS_EXCEPTION(gkp::Error, gkp::planFromString("{\"format\": ", *m_model));
        try {
            gkp::loadPlan("/nonexistent/plan.json", *m_model);
            QFAIL("accepted");
        } catch (const gkp::Error &e) {
            QVERIFY(QString::fromUtf8(e.what()).contains(u"cannot open plan"_qs));
        }
    }

    void saveIsAtomicAndReportsUnwritablePaths()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(u"plan.json"_qs).toStdString();
        gkp::savePlan(m_plan, path);
        QCOMPARE(gkp::loadPlan(path, *m_model).layers.size(), m_plan.layers.size());
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).size(), 1); // no temp file left
        QVERIFY_THROWS_EXCEPTION(gkp::Error, gkp::savePlan(m_plan, "/nonexistent-dir/plan.json"));
        QVERIFY_THROWS_EXCEPTION(gkp::Error, gkp::savePlan(m_plan, dir.path().toStdString()));
    }
};

QTEST_GUILESS_MAIN(TestPlanJson)
#include "tst_planjson.moc"
