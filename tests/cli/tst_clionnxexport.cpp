// gkp export MODEL.onnx -o OUT.onnx: pruned ONNX files, checked by ONNX's own checker (python3-onnx,
// full check) and run by ONNX Runtime (onnxruntime-node through tools/ort-run.mjs) against the
// masked original, which tests/fixtures/onnx_export_check.py builds from the original file and the
// plan alone (pruned kernels zeroed).

#include "clirunner.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <cmath>
#include <random>

using nlohmann::json;

namespace {

QString onnxFixture(const QString &name)
{
    return QStringLiteral(GKP_FIXTURES_DIR "/onnx/") + name + u".onnx"_qs;
}

CliResult runProcess(const QString &program, const QStringList &args)
{
    QProcess p;
    p.start(program, args);
    p.closeWriteChannel();
    CliResult r;
    r.crashed = !p.waitForFinished(600000) || p.exitStatus() == QProcess::CrashExit;
    r.exitCode = p.exitCode();
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

CliResult python(const QStringList &args)
{
    return runProcess(QStringLiteral(GKP_PYTHON),
                      QStringList{QStringLiteral(GKP_SOURCE_DIR "/tests/fixtures/onnx_export_check.py")} + args);
}

json describe(const QString &model)
{
    const CliResult r = python({u"describe"_qs, model});
    if (r.exitCode != 0)
        return {{"error", r.err.toStdString()}};
    return json::parse(r.out.toStdString());
}

json readJson(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return json::parse(f.readAll().toStdString(), nullptr, false);
}

bool writeFloats(const QString &path, const std::vector<float> &v)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) &&
           f.write(reinterpret_cast<const char *>(v.data()), qint64(v.size() * sizeof(float))) == qint64(v.size() * 4);
}

std::vector<float> readFloats(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    const QByteArray b = f.readAll();
    std::vector<float> v(std::size_t(b.size()) / sizeof(float));
    std::memcpy(v.data(), b.constData(), v.size() * sizeof(float));
    return v;
}

// max |a - b| / max |a|; infinity when the sizes differ or nothing was read.
double relativeError(const std::vector<float> &a, const std::vector<float> &b)
{
    if (a.size() != b.size() || a.empty())
        return INFINITY;
    double diff = 0.0, scale = 1e-12;
    for (std::size_t i = 0; i < a.size(); ++i) {
        diff = std::max(diff, std::abs(double(a[i]) - double(b[i])));
        scale = std::max(scale, std::abs(double(a[i])));
    }
    return diff / scale;
}

} // namespace

class TestCliOnnxExport : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_node;

    QString path(const QString &name) const { return m_dir.filePath(name); }

    // ONNX Runtime's output for `model` on `input` (raw float32 of shape `dims`); empty on failure
    // (the failure is logged).
    std::vector<float> ort(const QString &model, const QString &input, const QString &dims)
    {
        const QString out = input + u"."_qs + QFileInfo(model).completeBaseName() + u".out"_qs;
        const CliResult r = runProcess(m_node, {QStringLiteral(GKP_SOURCE_DIR "/tools/ort-run.mjs"), model, input,
                                                dims, out});
        if (r.exitCode != 0) {
            qWarning("%s", qPrintable(r.err));
            return {};
        }
        return readFloats(out);
    }

    // ONNX Runtime: the pruned file equals the masked original (built from the original and the plan
    // alone) on `inputs` random inputs, and the masking is real (it changes the original's output).
    void compareWithMaskedInOnnxRuntime(const QString &original, const QString &plan, const QString &pruned,
                                        const QString &tag, int inputs)
    {
        const QString masked = path(tag + u".masked.onnx"_qs);
        const CliResult r = python({u"mask"_qs, original, plan, masked});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QStringList dims;
        const json described = describe(original);
        for (const json &d : described["input_dims"])
            dims << QString::number(d.get<int64_t>() > 0 ? d.get<int64_t>() : 2);
        int64_t count = 1;
        for (const QString &d : dims)
            count *= d.toLongLong();
        std::mt19937 gen(uint32_t(qHash(tag)));
        std::normal_distribution<float> normal;
        for (int k = 0; k < inputs; ++k) {
            std::vector<float> x(static_cast<std::size_t>(count));
            for (float &v : x)
                v = normal(gen);
            const QString input = path(tag + u".in"_qs + QString::number(k));
            QVERIFY(writeFloats(input, x));
            const auto reference = ort(masked, input, dims.join(u','));
            const auto candidate = ort(pruned, input, dims.join(u','));
            const auto unpruned = ort(original, input, dims.join(u','));
            QVERIFY(!reference.empty());
            const double err = relativeError(reference, candidate);
            QVERIFY2(err <= 1e-4, qPrintable(u"relative error "_qs + QString::number(err)));
            QVERIFY2(relativeError(unpruned, reference) > 1e-3, "masking changed nothing");
        }
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_node = QStandardPaths::findExecutable(u"node"_qs);
        const bool ci = qEnvironmentVariable("CI") == u"true"_qs;
        QString missing;
        if (m_node.isEmpty()) {
            missing = u"node (Debian package nodejs) is not installed"_qs;
        } else {
            qputenv("GKP_ORT_DIR", GKP_ORT_DIR);
            const CliResult r = runProcess(m_node, {u"-e"_qs, u"require(process.env.GKP_ORT_DIR + "
                                                              "'/node_modules/onnxruntime-node')"_qs});
            if (r.exitCode != 0)
                missing = u"onnxruntime-node is not installed in " GKP_ORT_DIR
                          " (tools/build.sh installs it: ONNXRUNTIME_NODE_INSTALL=skip npm install --prefix "
                          "build/ort --ignore-scripts onnxruntime-node@1.30.0)"_qs;
        }
        if (!missing.isEmpty()) {
            if (ci)
                QFAIL(qPrintable(u"CI=true and "_qs + missing));
            QSKIP(qPrintable(missing + u": ONNX Runtime checks skipped"_qs));
        }
    }

    void matchesMaskedOriginalInOnnxRuntime_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<int>("groups");
        QTest::addColumn<QString>("mode");
        QTest::addColumn<QString>("form"); // empty: the default (grouped); "channel": a channel plan
        // residual adds with option-A shortcuts (Slice + Pad), opsets 11 and 17, BatchNorm kept or fused
        QTest::newRow("resnet8 opset 11 G=2 deploy") << u"resnet8_opset11"_qs << 2 << u"deploy"_qs << QString();
        QTest::newRow("resnet8 opset 17 G=4 trainable") << u"resnet8_opset17"_qs << 4 << u"trainable"_qs << QString();
        QTest::newRow("resnet8 opset 13 G=4 deploy split") << u"resnet8_opset13"_qs << 4 << u"deploy"_qs << u"split"_qs;
        QTest::newRow("resnet8 opset 13 G=4 masked-dense")
            << u"resnet8_opset13"_qs << 4 << u"deploy"_qs << u"masked-dense"_qs;
        QTest::newRow("resnet8 fused G=2 deploy") << u"resnet8_fused"_qs << 2 << u"deploy"_qs << QString();
        QTest::newRow("resnet8b opset 9 G=4 deploy") << u"resnet8b_opset9"_qs << 4 << u"deploy"_qs << QString();
        // concat of every earlier feature map
        QTest::newRow("densenet opset 11 G=2 deploy") << u"densenet_opset11"_qs << 2 << u"deploy"_qs << QString();
        QTest::newRow("densenet opset 15 G=4 trainable") << u"densenet_opset15"_qs << 4 << u"trainable"_qs << QString();
        // depthwise convs, dynamic batch
        QTest::newRow("mobilenet opset 11 G=4 deploy") << u"mobilenet_opset11"_qs << 4 << u"deploy"_qs << QString();
        QTest::newRow("mobilenet opset 14 G=2 trainable") << u"mobilenet_opset14"_qs << 2 << u"trainable"_qs << QString();
        // tf2onnx-style: NHWC input, Mul + Add BatchNorm, depthwise, explicit Pad
        QTest::newRow("tf_style G=2 deploy") << u"tf_style"_qs << 2 << u"deploy"_qs << QString();
        QTest::newRow("tf_style G=4 trainable") << u"tf_style"_qs << 4 << u"trainable"_qs << QString();
        // unnamed nodes, a residual add right after the pruned conv
        QTest::newRow("unnamed G=2 deploy") << u"unnamed"_qs << 2 << u"deploy"_qs << QString();
        // coupled channel pruning: smaller Conv, BatchNormalization and Gemm initializers
        QTest::newRow("resnet8b opset 9 channel deploy") << u"resnet8b_opset9"_qs << 1 << u"deploy"_qs << u"channel"_qs;
        QTest::newRow("densenet opset 15 channel deploy") << u"densenet_opset15"_qs << 1 << u"deploy"_qs << u"channel"_qs;
        QTest::newRow("mobilenet opset 14 channel trainable")
            << u"mobilenet_opset14"_qs << 1 << u"trainable"_qs << u"channel"_qs;
        QTest::newRow("unnamed external data G=4 deploy") << u"unnamed_external"_qs << 4 << u"deploy"_qs << QString();
    }

    void matchesMaskedOriginalInOnnxRuntime()
    {
        QFETCH(QString, model);
        QFETCH(int, groups);
        QFETCH(QString, mode);
        QFETCH(QString, form);
        const QString original = onnxFixture(model);
        const QString tag = model + u"_"_qs + QString::number(groups) + mode + form;
        const QString plan = path(tag + u".plan.json"_qs), pruned = path(tag + u".onnx"_qs);
        const bool channel = form == u"channel"_qs;
        CliResult r = runGkp(channel ? QStringList{u"plan"_qs, original, u"--method"_qs, u"channel"_qs,
                                                   u"--target-macs-reduction"_qs, u"0.3"_qs, u"-o"_qs, plan}
                                     : QStringList{u"plan"_qs, original, u"--groups"_qs, QString::number(groups),
                                                   u"--ratio"_qs, u"0.5"_qs, u"-o"_qs, plan});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const json p = readJson(plan);
        QVERIFY(!p["layers"].empty());
        // (speed is the benchmarks' business: a tiny file slower than its original is written too)
        QStringList args{u"export"_qs, original, u"--plan"_qs, plan, u"-o"_qs, pruned, u"--mode"_qs, mode,
                         u"--keep-slower"_qs};
        if (!form.isEmpty() && !channel)
            args << u"--form"_qs << form;
        r = runGkp(args);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains(u"verified"_qs), qPrintable(r.err));
        // a deploy file is timed whole against the original in ONNX Runtime
        QCOMPARE(r.err.contains(u"onnxruntime runtime, batch"_qs), mode == u"deploy"_qs);
        QVERIFY(!r.err.contains(u"written as TorchScript"_qs));

        // ONNX's checker, opset and IR version kept, the plan in the metadata, group = G
        const json before = describe(original), after = describe(pruned);
        QVERIFY2(after.value("checker", false), after.dump().c_str());
        QCOMPARE(after["opset"], before["opset"]);
        QCOMPARE(after["ir_version"], before["ir_version"]);
        QCOMPARE(after["input_dims"], before["input_dims"]);
        QVERIFY(after["metadata"].dump().find("gkp_plan.json") != std::string::npos);
        bool someGrouped = false;
        for (const json &l : p["layers"]) {
            const json *conv = nullptr;
            for (const json &c : after["convs"])
                if (c["name"] == l["name"])
                    conv = &c;
            if (form == u"split"_qs) {
                QVERIFY2(!conv, l["name"].get<std::string>().c_str()); // became G convs and a Concat
                continue;
            }
            QVERIFY2(conv, l["name"].get<std::string>().c_str());
            if (channel) { // a plain Conv over the kept input channels only
                QCOMPARE((*conv)["group"].get<int>(), 1);
                QCOMPARE((*conv)["weight"][1].get<std::size_t>(), l["kept"][0].size());
                continue;
            }
            const int expectedGroups = form == u"masked-dense"_qs ? 1 : l["groups"].get<int>();
            QCOMPARE((*conv)["group"].get<int>(), expectedGroups);
            if (form.isEmpty())
                QCOMPARE((*conv)["weight"][1].get<int>(), l["kept_per_group"].get<int>());
            someGrouped = someGrouped || expectedGroups == groups;
        }
        if (form.isEmpty() || channel) {
            QVERIFY(someGrouped || channel);
            // external data counts with its model (unnamed_external.data)
            const QFileInfo data(QStringLiteral(GKP_FIXTURES_DIR "/onnx/") + model + u".data"_qs);
            const qint64 originalBytes = QFileInfo(original).size() + (data.exists() ? data.size() : 0);
            // the plan in metadata_props is a few KB: on the tiny hand-built graphs that outweighs the weights saved
            const qint64 prunedBytes = QFileInfo(pruned).size() - after["metadata_bytes"].get<qint64>();
            QVERIFY2(prunedBytes < originalBytes, qPrintable(QString::number(prunedBytes) + u" >= "_qs +
                                                             QString::number(originalBytes)));
            if (!model.startsWith(u"unnamed"_qs))
                QVERIFY(QFileInfo(pruned).size() < originalBytes);
        }
        // deploy folds every BatchNormalization that follows a Conv into it; trainable keeps them all
        if (mode == u"deploy"_qs)
            QCOMPARE(after["bn_after_conv"].get<int>(), 0);
        else
            QCOMPARE(after["ops"].value("BatchNormalization", 0), before["ops"].value("BatchNormalization", 0));
        if (mode == u"deploy"_qs && before["bn_after_conv"].get<int>() > 0)
            QVERIFY(after["ops"].value("BatchNormalization", 0) < before["ops"]["BatchNormalization"].get<int>());

        compareWithMaskedInOnnxRuntime(original, plan, pruned, tag, 3);
        if (QTest::currentTestFailed())
            return;

        // gkp verify and gkp inspect read the pruned file like a TorchScript export
        r = runGkp({u"verify"_qs, original, pruned, u"--json"_qs});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(json::parse(r.out.toStdString())["passed"].get<bool>());
        r = runGkp({u"inspect"_qs, pruned, u"--json"_qs});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const json inspected = json::parse(r.out.toStdString());
        QCOMPARE(inspected["plan"]["layers"].size(), p["layers"].size());
        QCOMPARE(inspected["plan"]["layers"][0]["assignment"], p["layers"][0]["assignment"]);
    }

    // Deploy: a grouped layer whose input a dense Conv computes for it alone (through Relu, its
    // BatchNormalization folded) loses its Gather: that Conv computes the G*m gathered channels in
    // gather order. With G*m = Cin (G = 2, r = 0.5) always, and the file then computes exactly the
    // plan's deploy MACs; with G*m = 2 Cin (G = 4) only as --form gather-free (the Conv's rows
    // repeated). Trainable files keep every Gather. Here only each block's second conv is planned:
    // its producer is the block's first (a residual stream feeds the first, read by the shortcut too).
    // Latency-aware planning for ONNX Runtime: the whole-file step exports both candidates as
    // .onnx files and times them there, the plan says so and keeps the runtime, and its export is
    // timed there and equals the masked original. A TorchScript model is refused up front.
    void latencyAwarePlanForOnnxRuntime()
    {
        const QString original = onnxFixture(u"resnet8b_opset9"_qs);
        const QString plan = path(u"ortlatency.plan.json"_qs), pruned = path(u"ortlatency.onnx"_qs);
        CliResult r = runGkp({u"plan"_qs, original, u"--groups"_qs, u"auto"_qs, u"--latency-aware"_qs,
                              u"--target-macs-reduction"_qs, u"0.3"_qs, u"--runtime"_qs, u"onnxruntime"_qs,
                              u"--n-init"_qs, u"1"_qs, u"--select"_qs, u"l2"_qs, u"-o"_qs, plan});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const json p = readJson(plan);
        const std::string note = p["note"].get<std::string>();
        QVERIFY2(note.find("whole deploy files timed in ONNX Runtime") != std::string::npos, note.c_str());
        QVERIFY2(note.find("kept the") != std::string::npos, note.c_str());
        QCOMPARE(p["settings"]["latency_runtime"].get<std::string>(), std::string("onnxruntime"));
        r = runGkp({u"export"_qs, original, u"--plan"_qs, plan, u"-o"_qs, pruned, u"--keep-slower"_qs});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains(u"onnxruntime runtime, batch"_qs), qPrintable(r.err));
        compareWithMaskedInOnnxRuntime(original, plan, pruned, u"ortlatency"_qs, 2);

        r = runGkp({u"plan"_qs, fixturePath("cifar_resnet20b_scripted.pt"), u"--groups"_qs, u"auto"_qs,
                    u"--latency-aware"_qs, u"--target-macs-reduction"_qs, u"0.3"_qs, u"--runtime"_qs,
                    u"onnxruntime"_qs, u"-o"_qs, path(u"never.json"_qs)});
        checkOneErrorLine(r, u"times ONNX files"_qs);
        QVERIFY(!QFile::exists(path(u"never.json"_qs)));
    }

    void gatherFreeInOnnxRuntime_data()
    {
        QTest::addColumn<int>("groups");
        QTest::addColumn<QString>("mode");
        QTest::addColumn<QString>("form");
        QTest::addColumn<bool>("free");
        QTest::newRow("G*m = Cin, deploy") << 2 << u"deploy"_qs << QString() << true;
        QTest::newRow("G*m = 2 Cin, deploy") << 4 << u"deploy"_qs << QString() << false;
        QTest::newRow("G*m = 2 Cin, forced gather-free") << 4 << u"deploy"_qs << u"gather-free"_qs << true;
        QTest::newRow("G*m = Cin, trainable") << 2 << u"trainable"_qs << QString() << false;
    }

    void gatherFreeInOnnxRuntime()
    {
        QFETCH(int, groups);
        QFETCH(QString, mode);
        QFETCH(QString, form);
        QFETCH(bool, free);
        const QString original = onnxFixture(u"resnet8b_opset9"_qs);
        const QString tag = u"gatherfree_"_qs + QString::number(groups) + mode + form;
        const QString plan = path(tag + u".plan.json"_qs), pruned = path(tag + u".onnx"_qs);
        CliResult r = runGkp({u"inspect"_qs, original, u"--json"_qs});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const json inv = json::parse(r.out.toStdString());
        QStringList args{u"plan"_qs, original, u"--groups"_qs, QString::number(groups), u"--ratio"_qs, u"0.5"_qs,
                         u"-o"_qs, plan};
        std::map<std::string, int64_t> outChannels;
        for (const json &l : inv["layers"]) {
            const std::string name = l["name"].get<std::string>();
            outChannels[name] = l["out_channels"].get<int64_t>();
            if (name.find("conv2") == std::string::npos && l["prunable"].get<bool>())
                args << u"--layer"_qs << QString::fromStdString(name) + u"=off"_qs;
        }
        r = runGkp(args);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const json p = readJson(plan);
        QCOMPARE(p["layers"].size(), std::size_t(3)); // one block per stage
        args = QStringList{u"export"_qs, original, u"--plan"_qs, plan, u"-o"_qs, pruned, u"--mode"_qs, mode,
                           u"--keep-slower"_qs};
        if (!form.isEmpty())
            args << u"--form"_qs << form;
        r = runGkp(args);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));

        const json after = describe(pruned);
        QVERIFY2(after.value("checker", false), after.dump().c_str());
        for (const json &l : p["layers"]) {
            std::string producer = l["name"].get<std::string>();
            producer.replace(producer.find("conv2"), 5, "conv1");
            const json *conv = nullptr, *prod = nullptr;
            for (const json &c : after["convs"]) {
                conv = c["name"] == l["name"] ? &c : conv;
                prod = c["name"] == producer ? &c : prod;
            }
            QVERIFY2(conv && prod, producer.c_str());
            QCOMPARE((*conv)["group"].get<int>(), groups);
            QCOMPARE((*conv)["reads_gather"].get<bool>(), !free);
            const int64_t gathered = groups * l["kept_per_group"].get<int64_t>();
            const int64_t rows = (*prod)["weight"][0].get<int64_t>();
            if (free)
                QCOMPARE(rows, gathered); // in gather order, repeated where groups share a channel
            else
                QVERIFY(rows <= outChannels.at(producer)); // its own channels (those no group reads may go)
            QCOMPARE((*conv)["weight"][1].get<int64_t>(), l["kept_per_group"].get<int64_t>());
        }
        if (free && form.isEmpty()) { // the plan predicts the file exactly
            r = runGkp({u"inspect"_qs, pruned, u"--json"_qs});
            QVERIFY2(r.exitCode == 0, qPrintable(r.err));
            QCOMPARE(json::parse(r.out.toStdString())["totals"]["conv_macs"].get<int64_t>(),
                     p["totals"]["deploy_macs_after"].get<int64_t>());
        }
        compareWithMaskedInOnnxRuntime(original, plan, pruned, tag, 2);
    }

    // gkp bench --runtime onnxruntime: ONNX files timed in ONNX Runtime through tools/ort-run.mjs --serve
    void benchInOnnxRuntime()
    {
        const QString original = onnxFixture(u"mobilenet_opset11"_qs), plan = path(u"bench.plan.json"_qs),
                      pruned = path(u"bench.onnx"_qs);
        CliResult r = runGkp({u"plan"_qs, original, u"--groups"_qs, u"2"_qs, u"-o"_qs, plan});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        r = runGkp({u"export"_qs, original, u"--plan"_qs, plan, u"-o"_qs, pruned, u"--keep-slower"_qs});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        r = runGkp({u"bench"_qs, original, pruned, u"--runtime"_qs, u"onnxruntime"_qs, u"--batch"_qs, u"1,3"_qs,
                    u"--runs"_qs, u"4"_qs, u"--json"_qs});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const json b = json::parse(r.out.toStdString());
        QCOMPARE(b["runtime"].get<std::string>(), std::string("onnxruntime"));
        QCOMPARE(b["results"].size(), std::size_t(2));
        for (const json &row : b["results"]) {
            QCOMPARE(row["median_ms"].size(), std::size_t(2));
            for (const json &ms : row["median_ms"])
                QVERIFY(ms.get<double>() > 0.0);
            QVERIFY(row["min_ms"][0].get<double>() <= row["median_ms"][0].get<double>());
        }
        // an NHWC (tf2onnx) file is fed in its own layout
        r = runGkp({u"bench"_qs, onnxFixture(u"tf_style"_qs), u"--runtime"_qs, u"onnxruntime"_qs, u"--batch"_qs,
                    u"2"_qs, u"--runs"_qs, u"2"_qs});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        // a file declared with batch 1 runs at batch 1 only
        r = runGkp({u"bench"_qs, onnxFixture(u"resnet8_opset13"_qs), u"--runtime"_qs, u"onnxruntime"_qs,
                    u"--batch"_qs, u"3"_qs, u"--runs"_qs, u"1"_qs});
        checkOneErrorLine(r, u"takes batch 1 only"_qs);
        // TorchScript files are not ONNX Runtime's
        r = runGkp({u"bench"_qs, fixturePath("cifar_resnet20_scripted.pt"), u"--runtime"_qs, u"onnxruntime"_qs,
                    u"--batch"_qs, u"1"_qs, u"--runs"_qs, u"1"_qs});
        checkOneErrorLine(r, u"times ONNX files"_qs);
        // no runner: one line saying where it should be
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"GKP_ORT_RUNNER"_qs, path(u"no-such-runner.mjs"_qs));
        p.setProcessEnvironment(env);
        p.start(QStringLiteral(GKP_CLI_PATH), {u"bench"_qs, original, u"--runtime"_qs, u"onnxruntime"_qs,
                                                u"--batch"_qs, u"1"_qs, u"--runs"_qs, u"1"_qs});
        QVERIFY(p.waitForFinished(120000));
        CliResult missing;
        missing.exitCode = p.exitCode();
        missing.crashed = p.exitStatus() == QProcess::CrashExit;
        missing.err = QString::fromUtf8(p.readAllStandardError());
        checkOneErrorLine(missing, u"GKP_ORT_RUNNER"_qs);
    }

    void errors_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("plan");   // file name in the test folder
        QTest::addColumn<QString>("output"); // empty: in the test folder
        QTest::addColumn<QString>("mention");
        QTest::newRow("plan for another model") << onnxFixture(u"densenet_opset11"_qs) << u"resnet.plan.json"_qs
                                                << QString() << u"resnet.plan.json"_qs;
        QTest::newRow("corrupt plan") << onnxFixture(u"resnet8_opset13"_qs) << u"corrupt.plan.json"_qs << QString()
                                      << u"corrupt.plan.json"_qs;
        QTest::newRow("unwritable path") << onnxFixture(u"resnet8_opset13"_qs) << u"resnet.plan.json"_qs
                                         << u"/proc/no-such-dir/out.onnx"_qs << u"/proc/no-such-dir/out.onnx"_qs;
        QTest::newRow("channel plan that changes a channel Pad")
            << onnxFixture(u"resnet8_opset13"_qs) << u"channel.plan.json"_qs << QString() << u"channel padding"_qs;
        QTest::newRow("TorchScript model to .onnx")
            << fixturePath("cifar_resnet20_scripted.pt") << u"resnet20.plan.json"_qs << QString()
            << u"ONNX models only"_qs;
    }

    void errors()
    {
        QFETCH(QString, model);
        QFETCH(QString, plan);
        QFETCH(QString, output);
        QFETCH(QString, mention);
        if (!QFile::exists(path(u"resnet.plan.json"_qs))) {
            const CliResult r = runGkp({u"plan"_qs, onnxFixture(u"resnet8_opset13"_qs), u"--groups"_qs, u"2"_qs,
                                        u"-o"_qs, path(u"resnet.plan.json"_qs)});
            QVERIFY2(r.exitCode == 0, qPrintable(r.err));
            QFile good(path(u"resnet.plan.json"_qs)), bad(path(u"corrupt.plan.json"_qs));
            QVERIFY(good.open(QIODevice::ReadOnly) && bad.open(QIODevice::WriteOnly));
            const QByteArray text = good.readAll();
            bad.write(text.left(text.size() / 2)); // cut off in the middle
        }
        if (plan == u"resnet20.plan.json"_qs || plan == u"channel.plan.json"_qs) {
            QStringList args{u"plan"_qs, model, u"--groups"_qs, u"2"_qs, u"-o"_qs, path(plan)};
            if (plan == u"channel.plan.json"_qs)
                args << u"--method"_qs << u"channel"_qs << u"--target-macs-reduction"_qs << u"0.3"_qs;
            const CliResult r = runGkp(args);
            QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        }
        const QString out = output.isEmpty() ? path(u"bad-input.onnx"_qs) : output;
        const CliResult r = runGkp({u"export"_qs, model, u"--plan"_qs, path(plan), u"-o"_qs, out});
        checkOneErrorLine(r, mention);
        QVERIFY(!QFile::exists(out));
        const QStringList left = QDir(m_dir.path()).entryList({u".bad-input.onnx*"_qs}, QDir::Hidden | QDir::Files);
        QVERIFY2(left.isEmpty(), qPrintable(left.join(u' '))); // no temporary file left
    }
};

QTEST_GUILESS_MAIN(TestCliOnnxExport)
#include "tst_clionnxexport.moc"
