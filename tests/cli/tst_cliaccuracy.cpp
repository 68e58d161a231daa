// gkp sensitivity / compare / finetune / plan --sensitivity as a user runs them: output shapes on
// a tiny fixture, and one clear error line for bad datasets, bad models and missing options.

#include "clirunner.h"
#include "datasetfixture.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using nlohmann::json;

namespace {

QString ds(const std::string &relative)
{
    return QString::fromStdString(datasetPath(relative));
}

QString plantedSpec()
{
    return u"idx:"_qs + ds("eval/images.idx3") + u","_qs + ds("eval/planted_labels.idx1") + u",mean=0.5,std=0.25"_qs;
}

} // namespace

class TestCliAccuracy : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

private Q_SLOTS:
    void sensitivityJsonAndCsv()
    {
        const QString out = m_dir.filePath(u"s.json"_qs);
        CliResult r = runGkp({u"sensitivity"_qs, ds("eval/planted.pt"), u"--dataset"_qs, plantedSpec(), u"--select"_qs,
                              u"l2"_qs, u"--groups"_qs, u"2"_qs, u"--ratios"_qs, u"0.25,0.5,0.75"_qs, u"--json"_qs,
                              u"-o"_qs, out});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QFile f(out);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const json doc = json::parse(f.readAll().toStdString());
        QCOMPARE(doc["format"].get<std::string>(), std::string("gkp-sensitivity"));
        QCOMPARE(doc["layers"].size(), std::size_t(2));
        QCOMPARE(doc["layers"][1]["drop"].size(), std::size_t(3));
        QCOMPARE(doc["layers"][0]["drop"][1].get<double>(), 0.0); // planted: conv2 prunes dead kernels
        QVERIFY(doc["layers"][1]["drop"][1].get<double>() > 0.2);

        r = runGkp({u"sensitivity"_qs, ds("eval/planted.pt"), u"--dataset"_qs, plantedSpec(), u"--ratios"_qs, u"0.5"_qs,
                    u"--csv"_qs});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.out.trimmed().split(u'\n').size(), 4);

        // the plan follows it: conv2 (insensitive) pruned more than conv3
        const QString plan = m_dir.filePath(u"p.json"_qs);
        r = runGkp({u"plan"_qs, ds("eval/planted.pt"), u"--target-macs-reduction"_qs, u"0.3"_qs, u"--sensitivity"_qs,
                    out, u"--select"_qs, u"l2"_qs, u"--groups"_qs, u"2"_qs, u"-q"_qs, u"-o"_qs, plan});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QFile pf(plan);
        QVERIFY(pf.open(QIODevice::ReadOnly));
        const json p = json::parse(pf.readAll().toStdString());
        QCOMPARE(p["settings"]["allocation"].get<std::string>(), std::string("sensitivity"));
        QVERIFY(p["layers"][0]["ratio"].get<double>() > p["layers"][1]["ratio"].get<double>());
        QVERIFY(p["totals"]["macs_reduction"].get<double>() >= 0.3);
    }

    void compareCsv()
    {
        const CliResult r = runGkp({u"compare"_qs, ds("eval/planted.pt"), u"--dataset"_qs, plantedSpec(),
                                    u"--reductions"_qs, u"0.2,0.4"_qs, u"--csv"_qs});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QStringList lines = r.out.trimmed().split(u'\n');
        QCOMPARE(lines.size(), 1 + 1 + 2 * 7);
        QCOMPARE(lines[0], u"granularity,target,macs_reduction,top1,top5,dense"_qs);
    }

    // gkp frontier with a dataset: top-1 per point (the planted model has no BatchNorm), plans beside -o, the
    // JSON fields a user scripts against, atomically written
    void frontierJson()
    {
        const QString out = m_dir.filePath(u"frontier/f.json"_qs);
        QDir().mkpath(m_dir.filePath(u"frontier"_qs));
        const CliResult r = runGkp({u"frontier"_qs, ds("eval/planted.pt"), u"--dataset"_qs, plantedSpec(),
                                    u"--groups"_qs, u"channel,2"_qs, u"--targets"_qs, u"0.2,0.4"_qs, u"--runs"_qs, u"2"_qs,
                                    u"--select"_qs, u"l2"_qs, u"--json"_qs, u"-o"_qs, out});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QFile f(out);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const json doc = json::parse(f.readAll().toStdString());
        QCOMPARE(doc["format"].get<std::string>(), std::string("gkp-frontier"));
        QCOMPARE(doc["runtime"].get<std::string>(), std::string("frozen"));
        QVERIFY(doc["original_latency_ms"].get<double>() > 0);
        QCOMPARE(doc["points"].size(), std::size_t(4));
        int pareto = 0;
        for (const json &p : doc["points"]) {
            const QString plan = QString::fromStdString(p["plan"].get<std::string>());
            QVERIFY2(QFile::exists(plan) && plan.startsWith(m_dir.filePath(u"frontier/"_qs)), qPrintable(plan));
            QVERIFY(p["top1"].get<double>() >= 0.0 && p["top1"].get<double>() <= 1.0);
            QVERIFY(p["latency_ms"].get<double>() > 0);
            QVERIFY(p["plan_macs_cut"].get<double>() > 0.1);
            // what the file computes: layers slower pruned than dense here are written masked-dense
            QVERIFY(p["file_macs_cut"].get<double>() >= 0.0 && p["file_macs_cut"].get<double>() < 1.0);
            pareto += p["pareto"].get<bool>() ? 1 : 0;
            // the channel baseline: plain dense convs (groups 1), told apart by method and setting
            const bool channel = p["setting"] == "channel";
            QCOMPARE(p["method"].get<std::string>(), std::string(channel ? "channel" : "gkp"));
            QCOMPARE(p["groups"].get<int>(), channel ? 1 : 2);
            if (channel) {
                QCOMPARE(p["importance"].get<std::string>(), std::string("group-norm"));
                QCOMPARE(p["share_grouped"].get<double>(), 0.0);
            }
        }
        QVERIFY(pareto >= 1);
        QVERIFY(doc["verdict"]["text"].get<std::string>().find("channel") != std::string::npos);
        QVERIFY(doc["verdict"].contains("gkp_beats_channel"));
        QVERIFY(r.err.contains(u"Pareto"_qs));
        QVERIFY(!QFile::exists(m_dir.filePath(u"frontier/frontier-channel-0.2.pt"_qs))); // files not kept by default
    }

    void errors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("mention");
        const QString model = ds("eval/planted.pt");
        QTest::newRow("sensitivity, missing dataset dir")
            << QStringList{u"sensitivity"_qs, model, u"--dataset"_qs, u"mnist:/nonexistent/dir"_qs} << u"/nonexistent"_qs;
        QTest::newRow("compare, bad spec")
            << QStringList{u"compare"_qs, model, u"--dataset"_qs, u"bogus:thing"_qs} << u"bogus"_qs;
        QTest::newRow("sensitivity, bad model")
            << QStringList{u"sensitivity"_qs, ds("eval/images.idx3"), u"--dataset"_qs, plantedSpec()} << u"images.idx3"_qs;
        QTest::newRow("sensitivity, bad ratios")
            << QStringList{u"sensitivity"_qs, model, u"--dataset"_qs, plantedSpec(), u"--ratios"_qs, u"0.5,2"_qs}
            << u"--ratios"_qs;
        QTest::newRow("finetune, not an export")
            << QStringList{u"finetune"_qs, model, u"--dataset"_qs, plantedSpec(), u"-o"_qs, u"/tmp/gkp-never.pt"_qs}
            << u"trainable export"_qs;
        QTest::newRow("frontier, bad group count")
            << QStringList{u"frontier"_qs, model, u"--groups"_qs, u"1,x"_qs} << u"'x'"_qs;
        QTest::newRow("frontier, recalibration without data")
            << QStringList{u"frontier"_qs, model, u"--recalibrate-bn"_qs, u"10"_qs} << u"--dataset"_qs;
        QTest::newRow("plan --sensitivity without target")
            << QStringList{u"plan"_qs, model, u"--sensitivity"_qs, u"/nonexistent.json"_qs} << u"--target-macs-reduction"_qs;
        QTest::newRow("plan, bad sensitivity file")
            << QStringList{u"plan"_qs, model, u"--target-macs-reduction"_qs, u"0.3"_qs, u"--sensitivity"_qs,
                           ds("eval/images.idx3")}
            << u"sensitivity"_qs;
    }
    void errors()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, mention);
        checkOneErrorLine(runGkp(args), mention);
        QVERIFY(!QFile::exists(u"/tmp/gkp-never.pt"_qs));
    }
};

QTEST_GUILESS_MAIN(TestCliAccuracy)
#include "tst_cliaccuracy.moc"
