// gkp plan / export / verify / bench as a user runs them.

#include "clirunner.h"

#include <nlohmann/json.hpp>

#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <csignal>
#include <fstream>

using nlohmann::json;

class TestCliPlan : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString path(const char *name) const { return m_dir.filePath(QString::fromUtf8(name)); }

private Q_SLOTS:
    void planExportVerifyInspect()
    {
        const QString model = fixturePath("cifar_resnet20b_scripted.pt");
        CliResult r = runGkp({u"plan"_qs, model, u"--groups"_qs, u"4"_qs, u"--ratio"_qs, u"0.5"_qs, u"--layer"_qs,
                              u"layer3.2.conv2=ratio:0.25,groups:auto"_qs, u"-o"_qs, path("plan.json")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(r.err.contains(u"layers pruned"_qs));
        std::ifstream in(path("plan.json").toStdString());
        const json plan = json::parse(in);
        QCOMPARE(plan["format"], "gkp-plan");
        QCOMPARE(plan["layers"].size(), std::size_t(20));
        QCOMPARE(plan["layers"][0]["groups"], 4);
        QCOMPARE(plan["layers"].back()["requested_groups"], "auto");

        // (this test is about the chain; whether a fixture this small gets faster is not its point)
        r = runGkp({u"export"_qs, model, u"--plan"_qs, path("plan.json"), u"--mode"_qs, u"deploy"_qs, u"-o"_qs,
                    path("pruned.pt"), u"--keep-slower"_qs});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(r.err.contains(u"verified"_qs));
        QVERIFY(r.err.contains(u"whole file: "_qs));

        r = runGkp({u"verify"_qs, model, path("pruned.pt"), u"--json"_qs});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(json::parse(r.out.toStdString())["passed"].get<bool>());

        r = runGkp({u"inspect"_qs, path("pruned.pt"), u"--json"_qs});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const json doc = json::parse(r.out.toStdString());
        QVERIFY(doc["gkp_pruned"].get<bool>());
        QCOMPARE(doc["plan"]["layers"].size(), std::size_t(20));

        // the exported model against another original: a clear error
        r = runGkp({u"verify"_qs, fixturePath("transposed_scripted.pt"), path("pruned.pt")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.err.startsWith(u"gkp: error: "_qs));

        r = runGkp({u"bench"_qs, model, path("pruned.pt"), u"--batch"_qs, u"1,4"_qs, u"--runs"_qs, u"3"_qs,
                    u"--json"_qs});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const json bench = json::parse(r.out.toStdString());
        QCOMPARE(bench["results"].size(), std::size_t(2));
        QVERIFY(bench["results"][1]["speedup"].get<double>() > 0);
        QCOMPARE(bench["layers"].size(), std::size_t(20));
    }

    // --latency-aware without --epsilon lets time choose among every G (the default tolerance would
    // leave only the highest-energy, slowest G); an explicit --epsilon is kept.
    // A deploy file timed whole slower than the original is not written unless asked: every layer
    // split into 16 convolutions behind gathers (one filter each in the 16-filter layers) runs about
    // 2x slower than ResNet-20's dense convs (0.45-0.47x measured; with 8 the margin was too thin
    // for a loaded CI machine: it once came out within 5 %).
    // A deploy file is timed whole against the original after verification; one under
    // --min-speedup (by default: more than 5 % slower) is not written, and leaves no temporary
    // file, unless --keep-slower. No file here is 1000x faster than its original, so the refusal
    // does not depend on this machine's speed; the figures reported are checked for consistency only.
    void slowFileRefused()
    {
        const QString model = fixturePath("cifar_resnet20_traced.pt");
        CliResult r = runGkp({u"plan"_qs, model, u"--groups"_qs, u"2"_qs, u"--ratio"_qs, u"0.5"_qs, u"-q"_qs,
                              u"-o"_qs, path("g2.json")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QString out = path("refused.pt");
        r = runGkp({u"export"_qs, model, u"--plan"_qs, path("g2.json"), u"--min-speedup"_qs, u"1000"_qs, u"-o"_qs, out});
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.contains(u"no file written"_qs) && r.err.contains(u"--keep-slower"_qs) &&
                     r.err.contains(u"--min-speedup 1e+03"_qs),
                 qPrintable(r.err));
        QCOMPARE(r.err.count(u"error:"_qs), 1);
        QVERIFY(!QFileInfo::exists(out));
        const QStringList left = QDir(m_dir.path()).entryList({u"*refused.pt*"_qs}, QDir::Files | QDir::Hidden);
        QVERIFY2(left.isEmpty(), qPrintable(left.join(u' ')));

        r = runGkp({u"export"_qs, model, u"--plan"_qs, path("g2.json"), u"--min-speedup"_qs, u"1000"_qs, u"-o"_qs, out,
                    u"--keep-slower"_qs});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(QFileInfo::exists(out));
        // the figures it reports: original -> written, and their ratio
        const QRegularExpressionMatch m =
            QRegularExpression(u"whole file: ([0-9.]+) ms -> ([0-9.]+) ms \\(([0-9.]+)x"_qs).match(r.err);
        QVERIFY2(m.hasMatch(), qPrintable(r.err));
        const double before = m.captured(1).toDouble(), after = m.captured(2).toDouble();
        QVERIFY(before > 0 && after > 0);
        QVERIFY(std::abs(m.captured(3).toDouble() - before / after) <= 0.006);
        // a trainable file is not timed
        r = runGkp({u"export"_qs, model, u"--plan"_qs, path("g2.json"), u"--mode"_qs, u"trainable"_qs,
                    u"--min-speedup"_qs, u"1000"_qs, u"-o"_qs, path("trainable.pt")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(!r.err.contains(u"whole file"_qs));
    }

    // gkp plan rounds kept channels to multiples of 8 on layers of at least 128 channels unless told
    // otherwise (GKP: kept inputs per group; a channel plan: kept channels per family); narrower
    // layers keep what the ratio asks (ResNet-18: 64-512 channels, ratio 0.3).
    void wideLayersAlignedByDefault()
    {
        const QString model = fixturePath("resnet18_scripted.pt");
        CliResult r = runGkp({u"inspect"_qs, model, u"--json"_qs});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        std::map<std::string, int64_t> cin;
        const json inventory = json::parse(r.out.toStdString());
        for (const json &l : inventory["layers"])
            cin[l["name"].get<std::string>()] = l["in_channels"].get<int64_t>();
        for (const QString &multiple : {QString(), u"1"_qs}) {
            for (const QString &method : {u"gkp"_qs, u"channel"_qs}) {
                QStringList args{u"plan"_qs, model, u"--method"_qs, method, u"--ratio"_qs, u"0.3"_qs, u"--groups"_qs,
                                 u"2"_qs, u"-q"_qs, u"-o"_qs, path("aligned.json")};
                if (!multiple.isEmpty())
                    args << u"--channel-multiple"_qs << multiple;
                r = runGkp(args);
                QVERIFY2(r.exitCode == 0, qPrintable(r.err));
                std::ifstream in(path("aligned.json").toStdString());
                const json plan = json::parse(in);
                std::vector<std::pair<int64_t, int64_t>> counts; // (channels, kept)
                if (method == u"gkp"_qs)
                    for (const json &l : plan["layers"])
                        counts.push_back({cin.at(l["name"].get<std::string>()), l["kept_per_group"].get<int64_t>()});
                else
                    for (const json &g : plan["channel_groups"])
                        counts.push_back({g["channels"].get<int64_t>(), int64_t(g["kept"].size())});
                int wideUnaligned = 0, narrow = 0;
                for (const auto &[channels, kept] : counts) {
                    if (channels >= 128)
                        wideUnaligned += kept % 8 != 0 ? 1 : 0;
                    else if (kept == std::llround(0.7 * double(channels)))
                        ++narrow;
                }
                QVERIFY2(narrow > 0, qPrintable(method));
                if (multiple.isEmpty())
                    QCOMPARE(wideUnaligned, 0);
                else // 0.7 x 128 = 89.6 -> 90
                    QVERIFY2(wideUnaligned > 0, qPrintable(method));
                QCOMPARE(plan["settings"]["channel_multiple"].get<int>(), multiple.isEmpty() ? 0 : 1);
            }
        }
    }

    void latencyAwareEpsilonDefault()
    {
        const QString model = fixturePath("cifar_resnet20_scripted.pt");
        for (const bool given : {false, true}) {
            QStringList args{u"plan"_qs, model, u"--groups"_qs, u"auto"_qs, u"--latency-aware"_qs, u"--ratio"_qs,
                             u"0.5"_qs, u"--select"_qs, u"l2"_qs, u"-q"_qs, u"-o"_qs, path("latency.json")};
            if (given)
                args << u"--epsilon"_qs << u"0.02"_qs;
            const CliResult r = runGkp(args);
            QVERIFY2(r.exitCode == 0, qPrintable(r.err));
            std::ifstream in(path("latency.json").toStdString());
            const json plan = json::parse(in);
            QCOMPARE(plan["settings"]["epsilon"].get<double>(), given ? 0.02 : 1.0);
        }
    }

    // With a MACs target, latency-aware planning ends by exporting and timing whole deploy files
    // (its per-layer plan and the block pattern) and says which it kept; the kept one is what the
    // plan file holds, and its settings say how it was made.
    void latencyAwareTimesWholeFiles()
    {
        const QString model = fixturePath("cifar_resnet20b_scripted.pt");
        const CliResult r = runGkp({u"plan"_qs, model, u"--groups"_qs, u"auto"_qs, u"--latency-aware"_qs,
                                    u"--target-macs-reduction"_qs, u"0.3"_qs, u"--select"_qs, u"l2"_qs, u"--n-init"_qs,
                                    u"1"_qs, u"-o"_qs, path("whole.json")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        std::ifstream in(path("whole.json").toStdString());
        const json plan = json::parse(in);
        const std::string note = plan["note"].get<std::string>();
        QVERIFY2(note.find("whole deploy files timed in the frozen runtime at batch 1") != std::string::npos,
                 note.c_str());
        QVERIFY2(r.err.contains(QString::fromStdString(note)), qPrintable(r.err)); // and printed
        const bool pattern = note.find("kept the block pattern") != std::string::npos;
        QVERIFY(pattern || note.find("kept the per-layer plan") != std::string::npos);
        QCOMPARE(plan["settings"]["protect_residual"].get<bool>(), pattern);
        QCOMPARE(plan["settings"]["latency_aware"].get<bool>(), !pattern);
        int grouped = 0;
        for (const json &l : plan["layers"])
            grouped += l["groups"].get<int>() == 2 ? 1 : 0;
        if (pattern)
            QCOMPARE(grouped, 9); // every block's conv2
        QVERIFY(plan["totals"]["macs_reduction"].get<double>() >= 0.3);
    }

    void badInputs_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("mustMention");
        const QString model = fixturePath("cifar_resnet20b_scripted.pt");
        QTest::newRow("unwritable output") << QStringList{u"plan"_qs, model, u"-o"_qs, u"/nonexistent/p.json"_qs}
                                           << u"does not exist"_qs;
        QTest::newRow("unknown layer") << QStringList{u"plan"_qs, model, u"--layer"_qs, u"nope=off"_qs}
                                       << u"no convolution"_qs;
        QTest::newRow("bad override") << QStringList{u"plan"_qs, model, u"--layer"_qs, u"conv1=speed:2"_qs}
                                      << u"unknown layer setting"_qs;
        QTest::newRow("bad groups") << QStringList{u"plan"_qs, model, u"--groups"_qs, u"many"_qs} << u"--groups"_qs;
        QTest::newRow("unreachable target")
            << QStringList{u"plan"_qs, model, u"--target-macs-reduction"_qs, u"0.99"_qs} << u"not reachable"_qs;
        QTest::newRow("broken plan") << QStringList{u"export"_qs, model, u"--plan"_qs, fixturePath("broken_text.pt"),
                                                    u"-o"_qs, u"/tmp/never.pt"_qs}
                                     << u"invalid plan"_qs;
    }
    void badInputs()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, mustMention);
        const CliResult r = runGkp(args);
        QVERIFY(!r.crashed);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(mustMention), qPrintable(r.err));
        QVERIFY(!QFile::exists(u"/tmp/never.pt"_qs));
    }

    // Ctrl-C during a long plan: exit 130 and no output file (not even a temporary one).
    void interruptLeavesNoFile()
    {
        QProcess p;
        const QString out = path("interrupted.json");
        p.start(QStringLiteral(GKP_CLI_PATH), {u"plan"_qs, fixturePath("densenet121_scripted.pt"), u"--cluster"_qs,
                                               u"spectral"_qs, u"-o"_qs, out});
        QVERIFY(p.waitForStarted());
        QTest::qWait(6000); // past model loading, into planning
        ::kill(pid_t(p.processId()), SIGINT);
        QVERIFY(p.waitForFinished(120000));
        if (p.exitCode() == 0)
            QSKIP("planning finished before the interrupt arrived");
        QCOMPARE(p.exitCode(), 130);
        QVERIFY(!QFile::exists(out));
        QCOMPARE(QDir(m_dir.path()).entryList({u".interrupted*"_qs}, QDir::Files | QDir::Hidden).size(), 0);
    }
};

QTEST_GUILESS_MAIN(TestCliPlan)
#include "tst_cliplan.moc"
