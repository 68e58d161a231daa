// `gkp inspect` as a user runs it: JSON that agrees with PyTorch, and one clear line on stderr
// with a non-zero exit for every bad input.

#include "clirunner.h"

#include <nlohmann/json.hpp>

#include <QtTest>

#include <fstream>

using nlohmann::json;

class TestCliInspect : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void jsonAgreesWithPyTorch_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("shape");
        QTest::newRow("resnet18 traced") << u"resnet18_traced.pt"_qs << u"1,3,224,224"_qs;
        QTest::newRow("mobilenet_v2 scripted") << u"mobilenet_v2_scripted.pt"_qs << QString();
        QTest::newRow("cifar stored shape") << u"cifar_resnet20_traced.pt"_qs << QString();
    }
    void jsonAgreesWithPyTorch()
    {
        QFETCH(QString, file);
        QFETCH(QString, shape);
        QStringList args{u"inspect"_qs, fixturePath(file.toUtf8().constData()), u"--json"_qs};
        if (!shape.isEmpty())
            args << u"--input-shape"_qs << shape;
        const CliResult r = runGkp(args);
        QVERIFY2(r.exitCode == 0 && !r.crashed, qPrintable(r.err));
        const json doc = json::parse(r.out.toStdString());
        std::ifstream in(GKP_FIXTURES_DIR "/expected.json");
        const json exp = json::parse(in).at(file.toStdString());

        for (const char *key : {"input_shape", "layers", "totals"})
            QVERIFY2(doc.contains(key), key);
        QCOMPARE(doc["input_shape"], exp["input_shape"]);
        QCOMPARE(doc["layers"].size(), exp["layers"].size());
        const char *keys[] = {"name", "in_channels", "out_channels", "kernel", "stride", "padding", "dilation",
                              "groups", "input_shape", "output_shape", "params", "macs", "prunable", "reason",
                              "excluded_by_default"};
        for (std::size_t i = 0; i < exp["layers"].size(); ++i) {
            const json &got = doc["layers"][i];
            const json &want = exp["layers"][i];
            for (const char *key : keys)
                QVERIFY2(got.contains(key), key);
            for (const char *key : {"name", "in_channels", "out_channels", "kernel", "stride", "groups",
                                    "output_shape", "params", "macs", "prunable", "excluded_by_default"})
                QVERIFY2(got[key] == want[key], qPrintable(QString::fromStdString(
                                                    got["name"].dump() + " " + key + ": " + got[key].dump() +
                                                    " != " + want[key].dump())));
            QCOMPARE(got["reason"].is_null(), got["prunable"].get<bool>());
        }
        for (const char *key : {"conv_macs", "params", "convs", "prunable"})
            QVERIFY2(doc["totals"][key] == exp["totals"][key], key);
    }

    void tableIsReadable()
    {
        const CliResult r = runGkp({u"inspect"_qs, fixturePath("transposed_scripted.pt")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains(u"ConvTranspose2d"_qs));
        QVERIFY(r.out.contains(u"no: transposed convolution"_qs));
        QVERIFY(r.out.contains(u"4 convolutions, 1 prunable"_qs));
        QVERIFY(r.err.contains(u"1,3,16,16 (archive)"_qs)); // says which shape was used
    }

    void errorsAreOneClearLine_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("mustMention");
        QTest::newRow("missing") << QStringList{u"inspect"_qs, fixturePath("nope.pt")} << u"no such file"_qs;
        QTest::newRow("text") << QStringList{u"inspect"_qs, fixturePath("broken_text.pt")}
                              << u"not a TorchScript archive"_qs;
        QTest::newRow("truncated") << QStringList{u"inspect"_qs, fixturePath("broken_truncated.pt")}
                                   << u"truncated"_qs;
        QTest::newRow("wrong shape") << QStringList{u"inspect"_qs, fixturePath("mnist_resnet8_traced.pt")}
                                     << u"--input-shape"_qs;
        QTest::newRow("bad shape text") << QStringList{u"inspect"_qs, fixturePath("resnet18_traced.pt"),
                                                       u"--input-shape"_qs, u"1,3,x"_qs}
                                        << u"invalid input shape"_qs;
    }
    void errorsAreOneClearLine()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, mustMention);
        const CliResult r = runGkp(args);
        QVERIFY(!r.crashed);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(mustMention), qPrintable(r.err));
        QVERIFY2(r.err.startsWith(u"gkp: error: "_qs), qPrintable(r.err));
        QCOMPARE(r.err.count(u'\n'), 1);
        QVERIFY(r.out.isEmpty());
    }

    void modelWithoutConvsIsNotAnError()
    {
        const CliResult r = runGkp({u"inspect"_qs, fixturePath("noconv_traced.pt"), u"--json"_qs});
        QCOMPARE(r.exitCode, 0);
        const json doc = json::parse(r.out.toStdString());
        QVERIFY(doc["layers"].empty());
        QVERIFY(r.err.contains(u"no convolutions"_qs));
    }

    void versionFlag()
    {
        const CliResult r = runGkp({u"--version"_qs});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.startsWith(u"gkp "_qs));
    }
};

QTEST_GUILESS_MAIN(TestCliInspect)
#include "tst_cliinspect.moc"
