// `gkp eval` as a user runs it: the JSON agrees with PyTorch's accuracy for the same model and
// data, --limit works, options that are not available yet say so, and every error is one line.

#include "clirunner.h"
#include "datasetfixture.h"

#include <QTemporaryDir>
#include <QtTest>
#include <filesystem>

using nlohmann::json;

namespace {

QString ds(const std::string &relative)
{
    return QString::fromStdString(datasetPath(relative));
}

QString evalSpec(const char *labels = "eval/labels.idx1")
{
    return u"idx:"_qs + ds("eval/images.idx3") + u","_qs + ds(labels) + u",mean=0.5,std=0.25"_qs;
}

QString batch()
{
    return QString::number(datasetExpected()["eval"]["batch"].get<int>());
}

// The last stderr line is the error; nothing else on stderr may look like one.
// ... and nothing on stdout (eval prints its results there)
void checkOneErrorLineNoOutput(const CliResult &r, const QString &mustMention)
{
    QVERIFY2(r.out.isEmpty(), qPrintable(r.out));
    checkOneErrorLine(r, mustMention);
}

} // namespace

class TestCliEval : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void jsonMatchesPyTorch_data()
    {
        QTest::addColumn<QStringList>("extra");
        QTest::addColumn<QString>("key");
        QTest::newRow("all") << QStringList{} << u"tiny"_qs;
        QTest::newRow("limit 20") << QStringList{u"--limit"_qs, u"20"_qs} << u"tiny_limit20"_qs;
    }
    void jsonMatchesPyTorch()
    {
        QFETCH(QStringList, extra);
        QFETCH(QString, key);
        const CliResult r = runGkp(QStringList{u"eval"_qs, ds("eval/tiny.pt"), u"--dataset"_qs, evalSpec(),
                                               u"--batch"_qs, batch(), u"--json"_qs} +
                                   extra);
        QVERIFY2(r.exitCode == 0 && !r.crashed, qPrintable(r.err));
        const json doc = json::parse(r.out.toStdString());
        const json &want = datasetExpected()["eval"][key.toStdString()];
        QCOMPARE(doc.size(), std::size_t(1)); // only "original" until masked/exported exist
        const json &got = doc.at("original");
        QCOMPARE(got.at("samples").get<int64_t>(), want["samples"].get<int64_t>());
        QCOMPARE(got.at("top1").get<double>(), want["top1"].get<double>());
        QCOMPARE(got.at("top5").get<double>(), want["top5"].get<double>());
        QVERIFY2(!r.err.contains(u'\r'), "no progress bar when stderr is not a terminal");
    }

    void textOutput()
    {
        const CliResult r =
            runGkp({u"eval"_qs, ds("eval/tiny.pt"), u"--dataset"_qs, evalSpec(), u"--batch"_qs, batch()});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const json &want = datasetExpected()["eval"]["tiny"];
        const QString top1 = QString::number(100.0 * want["top1"].get<double>(), 'f', 2) + u'%';
        const QString top5 = QString::number(100.0 * want["top5"].get<double>(), 'f', 2) + u'%';
        QVERIFY2(r.out.contains(u"original"_qs) && r.out.contains(top1) && r.out.contains(top5),
                 qPrintable(r.out));
        QVERIFY2(r.out.contains(u"50 images 1x8x8, 10 classes"_qs), qPrintable(r.out));
    }

    // The masked model (original x plan masks) and the exported model predict the same classes.
    void maskedAndExported()
    {
        QTemporaryDir dir;
        const QString plan = dir.filePath(u"plan.json"_qs), zero = dir.filePath(u"zero.json"_qs),
                      exported = dir.filePath(u"exported.pt"_qs);
        const QStringList shape{u"--input-shape"_qs, u"1,1,8,8"_qs};
        CliResult r = runGkp(QStringList{u"plan"_qs, ds("eval/tiny.pt"), u"--groups"_qs, u"2"_qs, u"--ratio"_qs,
                                         u"0.5"_qs, u"-o"_qs, plan} + shape);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        r = runGkp(QStringList{u"plan"_qs, ds("eval/tiny.pt"), u"--ratio"_qs, u"0"_qs, u"-o"_qs, zero} + shape);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        r = runGkp(QStringList{u"export"_qs, ds("eval/tiny.pt"), u"--plan"_qs, plan, u"-o"_qs, exported, u"--keep-slower"_qs} + shape);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));

        r = runGkp({u"eval"_qs, ds("eval/tiny.pt"), u"--dataset"_qs, evalSpec(), u"--plan"_qs, plan, u"--exported"_qs,
                    exported, u"--json"_qs});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const json doc = json::parse(r.out.toStdString());
        for (const char *k : {"original", "masked", "exported"})
            QVERIFY2(doc.contains(k), k);
        QCOMPARE(doc["masked"]["samples"], doc["original"]["samples"]);
        QCOMPARE(doc["masked"]["top1"].get<double>(), doc["exported"]["top1"].get<double>());
        QCOMPARE(doc["masked"]["top5"].get<double>(), doc["exported"]["top5"].get<double>());

        r = runGkp({u"eval"_qs, ds("eval/tiny.pt"), u"--dataset"_qs, evalSpec(), u"--plan"_qs, zero, u"--json"_qs});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const json same = json::parse(r.out.toStdString());
        QCOMPARE(same["masked"]["top1"].get<double>(), same["original"]["top1"].get<double>()); // nothing pruned
    }

    void errors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("mustMention");
        QTest::newRow("bad spec") << QStringList{u"eval"_qs, ds("eval/tiny.pt"), u"--dataset"_qs,
                                                 u"imagenet"_qs}
                                  << u"unknown dataset 'imagenet'"_qs;
        QTest::newRow("wrong input") << QStringList{u"eval"_qs, ds("eval/tiny_rgb.pt"), u"--dataset"_qs,
                                                    evalSpec()}
                                     << u"dataset images are 1x8x8"_qs;
        QTest::newRow("missing data")
            << QStringList{u"eval"_qs, ds("eval/tiny.pt"), u"--dataset"_qs, u"cifar10:"_qs + ds("nope.bin")}
            << u"no such file"_qs;
        QTest::newRow("broken data") << QStringList{u"eval"_qs, ds("eval/tiny.pt"), u"--dataset"_qs,
                                                    u"cifar10:"_qs + ds("cifar10_truncated.bin")}
                                     << u"not a multiple of the 3073-byte record"_qs;
        QTest::newRow("missing model")
            << QStringList{u"eval"_qs, ds("nope.pt"), u"--dataset"_qs, evalSpec()} << u"no such file"_qs;
    }
    void errors()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, mustMention);
        checkOneErrorLineNoOutput(runGkp(args), mustMention);
    }

    void installedFashionMnist()
    {
        if (!std::filesystem::exists("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"))
            QSKIP("Debian package dataset-fashion-mnist is not installed");
        const CliResult r =
            runGkp({u"eval"_qs, ds("eval/tiny.pt"), u"--dataset"_qs, u"fashion-mnist:test,size=8x8"_qs,
                    u"--limit"_qs, u"100"_qs, u"--json"_qs});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(json::parse(r.out.toStdString())["original"]["samples"].get<int>(), 100);
        QVERIFY2(r.err.contains(u"Fashion-MNIST test"_qs), qPrintable(r.err));
    }
};

QTEST_GUILESS_MAIN(TestCliEval)
#include "tst_clieval.moc"
