// Every gkp command that reads a model, given an .onnx file: inspect, plan (with --layer on an
// ONNX name), export (ONNX, or TorchScript, said so), verify, bench, eval (PyTorch's accuracy for the same
// network), sensitivity, compare; errors are one line.

#include "clirunner.h"
#include "datasetfixture.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

using nlohmann::json;

namespace {

QString onnx(const char *file)
{
    return QStringLiteral(GKP_FIXTURES_DIR "/onnx/") + QString::fromLatin1(file);
}

QString ds(const std::string &relative)
{
    return QString::fromStdString(datasetPath(relative));
}

QString spec(const char *labels)
{
    return u"idx:"_qs + ds("eval/images.idx3") + u","_qs + ds(labels) + u",mean=0.5,std=0.25"_qs;
}

const json &onnxExpected()
{
    static const json j = [] {
        std::ifstream in(GKP_FIXTURES_DIR "/onnx/onnx_expected.json");
        return json::parse(in);
    }();
    return j;
}

json readJson(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return json::parse(f.readAll().toStdString());
}

} // namespace

class TestCliOnnx : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

private Q_SLOTS:
    void inspectJson()
    {
        const CliResult r = runGkp({u"inspect"_qs, onnx("densenet_opset15.onnx"), u"--json"_qs});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const json doc = json::parse(r.out.toStdString());
        const json &e = onnxExpected()["densenet_opset15"];
        QCOMPARE(doc["model_format"].get<std::string>(), std::string("onnx"));
        QCOMPARE(doc["layers"].size(), e["layers"].size());
        for (std::size_t i = 0; i < e["layers"].size(); ++i) {
            QCOMPARE(doc["layers"][i]["name"].get<std::string>(), e["layers"][i]["name"].get<std::string>());
            QCOMPARE(doc["layers"][i]["macs"].get<int64_t>(), e["layers"][i]["macs"].get<int64_t>());
        }
        QCOMPARE(doc["totals"]["conv_macs"].get<int64_t>(), e["totals"]["conv_macs"].get<int64_t>());
        // the same fields as for TorchScript
        const CliResult ts = runGkp({u"inspect"_qs, fixturePath("cifar_resnet20_scripted.pt"), u"--json"_qs});
        const json tdoc = json::parse(ts.out.toStdString());
        for (auto it = tdoc["layers"][0].begin(); it != tdoc["layers"][0].end(); ++it)
            QVERIFY2(doc["layers"][0].contains(it.key()), it.key().c_str());
        QCOMPARE(tdoc["model_format"].get<std::string>(), std::string("torchscript"));

        const CliResult table = runGkp({u"inspect"_qs, onnx("tf_style.onnx"), u"--input-shape"_qs, u"1,3,64,64"_qs});
        QVERIFY2(table.exitCode == 0, qPrintable(table.err));
        QVERIFY(table.out.contains(u"model/conv1/Conv2D"_qs));
        QVERIFY(table.out.contains(u"1x32x16x16"_qs)); // conv2 at 64x64 input: 64 / 2 / 2
        QVERIFY(table.err.contains(u"1,3,64,64 (command line)"_qs));
    }

    void planExportVerifyBench()
    {
        const QString model = onnx("resnet8_opset13.onnx");
        const QString plan = m_dir.filePath(u"plan.json"_qs);
        CliResult r = runGkp({u"plan"_qs, model, u"--ratio"_qs, u"0.5"_qs, u"--groups"_qs, u"2"_qs, u"--select"_qs,
                              u"l2"_qs, u"--layer"_qs, u"/layer1/layer1.0/conv1/Conv=ratio:0.25"_qs, u"-o"_qs, plan});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const json p = readJson(plan);
        QCOMPARE(p["model_format"].get<std::string>(), std::string("onnx"));
        QCOMPARE(p["layers"][0]["name"].get<std::string>(), std::string("/layer1/layer1.0/conv1/Conv"));
        QCOMPARE(p["layers"][0]["ratio"].get<double>(), 0.25);
        QCOMPARE(p["layers"][1]["ratio"].get<double>(), 0.5);

        // an .onnx output is a pruned ONNX file (tst_clionnxexport checks it in ONNX Runtime)
        r = runGkp({u"export"_qs, model, u"--plan"_qs, plan, u"-o"_qs, m_dir.filePath(u"pruned.onnx"_qs),
                    u"--keep-slower"_qs});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(!r.err.contains(u"written as TorchScript"_qs));
        QVERIFY(QFile::exists(m_dir.filePath(u"pruned.onnx"_qs)));

        const QString out = m_dir.filePath(u"pruned.pt"_qs);
        r = runGkp({u"export"_qs, model, u"--plan"_qs, plan, u"-o"_qs, out, u"--no-timing"_qs});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.err.count(u"written as TorchScript"_qs), 1);
        QVERIFY(r.err.contains(u"verified"_qs));
        QVERIFY(QFile::exists(out));

        r = runGkp({u"verify"_qs, model, out, u"--json"_qs});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(json::parse(r.out.toStdString())["passed"].get<bool>());

        r = runGkp({u"bench"_qs, model, out, u"--batch"_qs, u"2"_qs, u"--runs"_qs, u"2"_qs, u"--json"_qs});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const json b = json::parse(r.out.toStdString());
        QCOMPARE(b["layers"].size(), p["layers"].size()); // per pruned layer, by its ONNX name
        QCOMPARE(b["layers"][0]["name"].get<std::string>(), std::string("/layer1/layer1.0/conv1/Conv"));
    }

    // Coupled channel pruning of an ONNX model: channel families found through the translated graph
    // (residual adds, BatchNorm), a file of smaller dense convs computing what the plan counts.
    void channelPlanExportsSmallerConvs()
    {
        const QString model = onnx("resnet8_opset13.onnx");
        const QString plan = m_dir.filePath(u"channel.json"_qs), out = m_dir.filePath(u"channel.pt"_qs);
        CliResult r = runGkp({u"plan"_qs, model, u"--method"_qs, u"channel"_qs, u"--target-macs-reduction"_qs,
                              u"0.3"_qs, u"-o"_qs, plan});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        r = runGkp({u"export"_qs, model, u"--plan"_qs, plan, u"-o"_qs, out});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(r.err.contains(u"verified"_qs));
        const json p = readJson(plan);
        QVERIFY(!p["channel_groups"].empty());
        r = runGkp({u"inspect"_qs, out, u"--json"_qs});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const json e = json::parse(r.out.toStdString());
        QCOMPARE(e["totals"]["conv_macs"].get<double>(), p["totals"]["deploy_macs_after"].get<double>());
        for (const json &l : e["layers"])
            QCOMPARE(l["groups"].get<int>(), 1); // plain dense convs, no grouped form
    }

    // The same network as TorchScript and as ONNX gives PyTorch's accuracy either way.
    void evalMatchesPyTorch()
    {
        const json &e = datasetExpected()["eval"];
        const CliResult r = runGkp({u"eval"_qs, ds("eval/tiny.onnx"), u"--dataset"_qs, spec("eval/labels.idx1"),
                                    u"--batch"_qs, QString::number(e["batch"].get<int>()), u"--json"_qs});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const json doc = json::parse(r.out.toStdString());
        QCOMPARE(doc["original"]["top1"].get<double>(), e["tiny"]["top1"].get<double>());
        QCOMPARE(doc["original"]["top5"].get<double>(), e["tiny"]["top5"].get<double>());
    }

    // BatchNormalization nodes are BatchNorm modules: --recalibrate-bn re-estimates them.
    void evalRecalibratesBatchNorm()
    {
        const QString model = ds("eval/bnnet.onnx"), plan = m_dir.filePath(u"bn-plan.json"_qs);
        CliResult r = runGkp({u"plan"_qs, model, u"--ratio"_qs, u"0.5"_qs, u"--groups"_qs, u"2"_qs, u"-o"_qs, plan});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        r = runGkp({u"eval"_qs, model, u"--dataset"_qs, spec("eval/labels.idx1"), u"--plan"_qs, plan,
                    u"--recalibrate-bn"_qs, u"20"_qs, u"--calibration-data"_qs, spec("eval/labels.idx1"), u"--json"_qs});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const json doc = json::parse(r.out.toStdString());
        QVERIFY(doc.contains("masked_recalibrated"));
        // bnnet's stored statistics are deliberately wrong: recalibrated, the masked model is no worse
        QVERIFY(doc["masked_recalibrated"]["top1"].get<double>() >= doc["masked"]["top1"].get<double>());
    }

    void sensitivityAndCompare()
    {
        const QString model = ds("eval/planted.onnx"), labels = spec("eval/planted_labels.idx1");
        CliResult r = runGkp({u"sensitivity"_qs, model, u"--dataset"_qs, labels, u"--select"_qs, u"l2"_qs,
                              u"--groups"_qs, u"2"_qs, u"--ratios"_qs, u"0.5"_qs, u"--json"_qs});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const json s = json::parse(r.out.toStdString());
        QCOMPARE(s["layers"].size(), std::size_t(2));
        QCOMPARE(s["layers"][0]["name"].get<std::string>(), onnxName(model, 1));
        QCOMPARE(s["layers"][0]["drop"][0].get<double>(), 0.0); // planted: conv2 prunes dead kernels only
        QVERIFY(s["layers"][1]["drop"][0].get<double>() > 0.2);

        r = runGkp({u"compare"_qs, model, u"--dataset"_qs, labels, u"--reductions"_qs, u"0.2"_qs, u"--csv"_qs});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QStringList lines = r.out.trimmed().split(u'\n');
        QCOMPARE(lines.size(), 1 + 1 + 7); // header, unpruned, the seven methods of gkp compare
        QVERIFY(lines[1].startsWith(u"none,0,0,1,1"_qs)); // unpruned: 100 % on the planted labels
    }

    void errors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("mention");
        QTest::newRow("inspect truncated") << QStringList{u"inspect"_qs, onnx("broken_truncated.onnx")} << u"is truncated"_qs;
        QTest::newRow("plan, unsupported op")
            << QStringList{u"plan"_qs, onnx("broken_unsupported_op.onnx"), u"-o"_qs, u"/tmp/x.json"_qs}
            << u"uses op 'TopK'"_qs;
        QTest::newRow("inspect dynamic") << QStringList{u"inspect"_qs, onnx("broken_dynamic.onnx")}
                                         << u"pass --input-shape"_qs;
        QTest::newRow("bench opset 18") << QStringList{u"bench"_qs, onnx("broken_opset18.onnx")} << u"opset 18"_qs;
        QTest::newRow("eval missing data")
            << QStringList{u"eval"_qs, onnx("broken_missing_data.onnx"), u"--dataset"_qs, spec("eval/labels.idx1")}
            << u"is missing"_qs;
        QTest::newRow("inspect text") << QStringList{u"inspect"_qs, onnx("broken_text.onnx")} << u"not an ONNX file"_qs;
    }
    void errors()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, mention);
        checkOneErrorLine(runGkp(args), mention);
    }

private:
    static std::string onnxName(const QString &model, int layer)
    {
        const CliResult r = runGkp({u"inspect"_qs, model, u"--json"_qs});
        return json::parse(r.out.toStdString())["layers"][std::size_t(layer)]["name"].get<std::string>();
    }
};

QTEST_GUILESS_MAIN(TestCliOnnx)
#include "tst_clionnx.moc"
