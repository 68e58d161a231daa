// ONNX models through gkp::Model: inventories against what tests/fixtures/make_onnx_fixtures.py
// computes from the ONNX files itself, outputs against PyTorch's, names, channel flow, errors, and
// the downstream stages (BatchNorm recalibration, planning, export) on a translated model.

#include "data/dataset.h"
#include "engine/planjson.h"
#include "engine/planner.h"
#include "eval/bnrecalibration.h"
#include "eval/maskedmodule.h"
#include "export/exporter.h"
#include "export/exportrewrite.h"
#include "model/model.h"
#include "model/torchmodel.h"
#include "onnx/onnxmodeldata.h"
#include "onnx/onnxnames.h"
#include "onnx/onnxtensor.h"
#include "testutil.h"
#include "util/error.h"

#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

using nlohmann::json;

namespace {

std::string fixture(const std::string &file)
{
    return std::string(GKP_FIXTURES_DIR "/onnx/") + file;
}

const json &expected()
{
    static const json j = [] {
        std::ifstream in(fixture("onnx_expected.json"));
        return json::parse(in);
    }();
    return j;
}

gkp::Shape shapeOf(const json &a)
{
    return a.get<gkp::Shape>();
}

double relError(const torch::Tensor &a, const torch::Tensor &b)
{
    return ((a - b).abs().max() / b.abs().max().clamp_min(1e-12)).item<double>();
}

} // namespace

class TestOnnxModel : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    void fixtureRows()
    {
        QTest::addColumn<QString>("name");
        for (auto it = expected().begin(); it != expected().end(); ++it)
            QTest::newRow(it.key().c_str()) << QString::fromStdString(it.key());
    }

    gkp::Plan makePlan(const gkp::Model &model, int groups, double ratio)
    {
        gkp::Planner planner(model);
        gkp::PlanSettings s;
        s.groups = groups;
        s.ratio = ratio;
        s.n_init = 1;
        s.select = "l2";
        return planner.makePlan(s);
    }

private Q_SLOTS:
    void inventory_data() { fixtureRows(); }
    void inventory()
    {
        QFETCH(QString, name);
        const json &e = expected().at(name.toStdString());
        const gkp::Model model = gkp::Model::load(fixture(name.toStdString() + ".onnx"));
        QVERIFY(model.format() == gkp::ModelFormat::Onnx);
        const gkp::Inventory &inv = model.inventory();
        QCOMPARE(inv.input_shape, shapeOf(e["input_shape"]));
        const json &layers = e["layers"];
        QCOMPARE(inv.layers.size(), layers.size());
        for (std::size_t i = 0; i < layers.size(); ++i) {
            const gkp::ConvLayer &l = inv.layers[i];
            const json &x = layers[i];
            const QByteArray where = QByteArray::number(qulonglong(i)) + " " + QByteArray::fromStdString(l.name);
            QVERIFY2(l.name == x["name"].get<std::string>(), where);
            QCOMPARE(l.in_channels, x["in_channels"].get<int64_t>());
            QCOMPARE(l.out_channels, x["out_channels"].get<int64_t>());
            QCOMPARE(l.kernel, shapeOf(x["kernel"]));
            QCOMPARE(l.stride, shapeOf(x["stride"]));
            QCOMPARE(l.groups, x["groups"].get<int64_t>());
            QCOMPARE(l.output_shape, shapeOf(x["output_shape"]));
            QCOMPARE(l.macs, x["macs"].get<int64_t>());
            QCOMPARE(l.params, x["params"].get<int64_t>());
            QVERIFY2(l.prunable == x["prunable"].get<bool>(), where + " " + QByteArray::fromStdString(l.reason));
            QVERIFY2(l.excluded_by_default == x["excluded_by_default"].get<bool>(), where);
            QCOMPARE(model.impl().onnx->layer_nodes[i], x["node"].get<int>());
            QCOMPARE(l.module, gkp::moduleNameFor(l.name));
        }
        QCOMPARE(inv.totals.conv_macs, e["totals"]["conv_macs"].get<int64_t>());
        QCOMPARE(inv.totals.params, e["totals"]["params"].get<int64_t>());
        QCOMPARE(inv.totals.convs, e["totals"]["convs"].get<int64_t>());
        QCOMPARE(inv.totals.prunable, e["totals"]["prunable"].get<int64_t>());
        QCOMPARE(model.impl().onnx->opset, e["opset"].get<int64_t>());
    }

    // The translated module computes what PyTorch computed for the same input, on a batch of 2
    // while the model was analysed at batch 1 (shape sub-graphs are evaluated at run time).
    void outputs_data() { fixtureRows(); }
    void outputs()
    {
        QFETCH(QString, name);
        const std::string base = fixture(name.toStdString());
        const gkp::Model model = gkp::Model::load(base + ".onnx");
        const torch::Tensor x = gkp::readTensorFile(base + ".input.pb");
        const torch::Tensor want = gkp::readTensorFile(base + ".output.pb");
        torch::NoGradGuard noGrad;
        const torch::Tensor got = model.impl().module.forward({x}).toTensor();
        QCOMPARE(gkp::Shape(got.sizes().begin(), got.sizes().end()), gkp::Shape(want.sizes().begin(), want.sizes().end()));
        const double err = relError(got, want);
        QVERIFY2(err < 1e-5, qPrintable(QString::number(err)));
    }

    void names()
    {
        QCOMPARE(gkp::moduleNameFor("Conv_0"), std::string("Conv_0"));
        QCOMPARE(gkp::moduleNameFor("conv1"), std::string("conv1"));
        QCOMPARE(gkp::moduleNameFor("/stem/stem.0/Conv"), std::string("o__2fstem_2fstem_2e0_2fConv"));
        QCOMPARE(gkp::moduleNameFor("a_b"), std::string("a_b"));
        QCOMPARE(gkp::moduleNameFor("_a"), std::string("o___a"));
        QCOMPARE(gkp::moduleNameFor("o_x"), std::string("o_o__x")); // never equal to an escaped name
        QCOMPARE(gkp::moduleNameFor("training"), std::string("o_training"));
        QCOMPARE(gkp::moduleNameFor("1x1"), std::string("o_1x1"));
        for (const char *n : {"Conv_0", "/stem/stem.0/Conv", "a_b", "_a", "o_x", "training", "model/bn1/add:0"})
            QCOMPARE(gkp::onnxNameFromModule(gkp::moduleNameFor(n)), std::string(n));
        QCOMPARE(gkp::onnxNodeName("", "Conv", 7), std::string("Conv_7"));
        QCOMPARE(gkp::onnxNodeName("stem", "Conv", 7), std::string("stem"));

        const gkp::Model model = gkp::Model::load(fixture("unnamed.onnx"));
        std::vector<std::string> names;
        for (const gkp::ConvLayer &l : model.inventory().layers)
            names.push_back(l.name);
        QCOMPARE(names, (std::vector<std::string>{"Conv_0", "Conv_2", "Conv_4"}));
        QVERIFY(model.inventory().find("Conv_2"));
    }

    // Channel flow as the TorchScript inventory reports it: residual adds and concats are joins,
    // producers are found through BatchNorm, ReLU6 (Clip), Mul + Add, padding; the tf2onnx input
    // Transpose still leaves the first conv reading the network input.
    void channelFlow()
    {
        {
            const gkp::Model m = gkp::Model::load(fixture("resnet8b_opset9.onnx"));
            int adds = 0;
            for (const gkp::Join &j : m.inventory().joins)
                adds += j.kind == gkp::Join::Kind::Add && j.operands.size() == 2;
            QCOMPARE(adds, 3);
            QVERIFY(m.inventory().layers[1].input_source == gkp::InputSource::Conv);
            QCOMPARE(m.inventory().layers[1].producers, (std::vector<int>{0}));
        }
        {
            const gkp::Model m = gkp::Model::load(fixture("densenet_opset11.onnx"));
            const gkp::Inventory &inv = m.inventory();
            const gkp::ConvLayer &transition = inv.layers.back();
            QVERIFY(transition.input_source == gkp::InputSource::Concat);
            QCOMPARE(transition.producers, (std::vector<int>{0, 1, 2, 3}));
            int concats = 0;
            for (const gkp::Join &j : inv.joins)
                concats += j.kind == gkp::Join::Kind::Concat;
            QCOMPARE(concats, 4);
        }
        {
            const gkp::Model m = gkp::Model::load(fixture("tf_style.onnx"));
            const gkp::Inventory &inv = m.inventory();
            QVERIFY(inv.layers[0].input_source == gkp::InputSource::NetworkInput);
            QCOMPARE(inv.layers[1].producers, (std::vector<int>{0})); // through Mul, Add, Clip
            QCOMPARE(inv.layers[2].producers, (std::vector<int>{1}));
            QCOMPARE(inv.layers[3].producers, (std::vector<int>{2})); // through the Pad node
            QCOMPARE(inv.layers[1].reason, std::string("depthwise convolution (groups = in_channels = 16)"));
        }
    }

    void errors_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("message");
        QTest::newRow("text") << "broken_text.onnx" << "is not an ONNX file (it does not start like a serialized ModelProto)";
        QTest::newRow("empty") << "broken_empty.onnx" << "is not an ONNX file: the file is empty";
        QTest::newRow("truncated") << "broken_truncated.onnx" << "is truncated: the ONNX protobuf ends inside a field";
        QTest::newRow("opset 18") << "broken_opset18.onnx" << "uses ONNX opset 18; GKP Studio reads opsets 9 to 17";
        QTest::newRow("opset 7") << "broken_opset7.onnx" << "uses ONNX opset 7; GKP Studio reads opsets 9 to 17";
        QTest::newRow("op") << "broken_unsupported_op.onnx"
                            << "node 'select_top' (#1) uses op 'TopK', which GKP Studio does not support";
        QTest::newRow("dynamic") << "broken_dynamic.onnx"
                                 << "input 'x' has a dynamic shape (N,3,H,W); pass --input-shape";
        QTest::newRow("external data") << "broken_missing_data.onnx"
                                       << "external data file 'broken_missing_data.data' of tensor 'w' is missing";
        QTest::newRow("no file") << "nothing_here.onnx" << "no such file";
    }
    void errors()
    {
        QFETCH(QString, file);
        QFETCH(QString, message);
        try {
            gkp::Model::load(fixture(file.toStdString()));
            QFAIL("no error");
        } catch (const gkp::Error &e) {
            const QString what = QString::fromUtf8(e.what());
            QVERIFY2(what.contains(message), qPrintable(what));
            QVERIFY2(what.contains(u'\'' + QString::fromStdString(fixture(file.toStdString())) + u'\''),
                     qPrintable(what)); // names the file
            QVERIFY2(!what.contains(u'\n'), qPrintable(what));
        }
    }

    void dynamicShapeWithInputShape()
    {
        const gkp::Model m = gkp::Model::load(fixture("broken_dynamic.onnx"), {gkp::Shape{2, 3, 10, 12}});
        QCOMPARE(m.inventory().layers.size(), std::size_t(1));
        QCOMPARE(m.inventory().layers[0].output_shape, (gkp::Shape{2, 4, 8, 10}));
        QCOMPARE(m.inventory().input_shape_source, std::string("command line"));
        // a batch-only dynamic shape needs no --input-shape
        const gkp::Model mobile = gkp::Model::load(fixture("mobilenet_opset11.onnx"));
        QCOMPARE(mobile.inventory().input_shape_source, std::string("model, batch 1"));
        QVERIFY_THROWS_EXCEPTION(gkp::Error, gkp::Model::load(fixture("broken_dynamic.onnx"), {gkp::Shape{3, 10, 12}}));
    }

    // Content decides, not the name: an ONNX file called .pt opens as ONNX.
    void detectedByContent()
    {
        const QString copy = m_dir.filePath(u"looks-like-torchscript.pt"_qs);
        QVERIFY(QFile::copy(QString::fromStdString(fixture("unnamed.onnx")), copy));
        const gkp::Model m = gkp::Model::load(copy.toStdString());
        QVERIFY(m.format() == gkp::ModelFormat::Onnx);
        QCOMPARE(m.inventory().layers.size(), std::size_t(3));
    }

    void externalData()
    {
        const gkp::Model a = gkp::Model::load(fixture("unnamed.onnx"));
        const gkp::Model b = gkp::Model::load(fixture("unnamed_external.onnx"));
        QVERIFY(a.impl().onnx->proto.graph().initializer(0).has_raw_data());
        QCOMPARE(b.impl().onnx->proto.graph().initializer(0).data_location(), onnx::TensorProto::EXTERNAL);
        for (std::size_t i = 0; i < a.impl().weights.size(); ++i)
            QVERIFY(torch::equal(a.impl().weights[i], b.impl().weights[i]));
    }

    // BatchNormalization nodes become BatchNorm modules: recalibration finds and updates them.
    void batchNormRecalibration()
    {
        const gkp::Model model = gkp::Model::load(fixture("resnet8_opset13.onnx"));
        QCOMPARE(expected()["resnet8_opset13"]["batch_norms"].get<int>(), 7);
        torch::jit::Module m = model.impl().module.clone();
        gkp::Dataset data;
        data.images = torch::randn({16, 3, 32, 32}) * 3 + 1;
        data.labels = torch::zeros({16}, torch::kLong);
        data.classes = 10;
        const torch::Tensor x = data.images.narrow(0, 0, 4);
        torch::NoGradGuard noGrad;
        const torch::Tensor before = m.forward({x}).toTensor();
        const gkp::RecalibrationResult r = gkp::recalibrateBatchNorm(m, data, 8);
        QCOMPARE(r.batch_norms, 7);
        QVERIFY(relError(m.forward({x}).toTensor(), before) > 1e-3); // the statistics changed
        QVERIFY(relError(model.impl().module.forward({x}).toTensor(), before) < 1e-6); // on the clone only
    }

    // Planning, masking and both export modes on a translated model; the plan records the format
    // and uses the ONNX names; a deploy export folds the BatchNorms.
    void planAndExport()
    {
        const gkp::Model model = gkp::Model::load(fixture("mobilenet_opset14.onnx"));
        const gkp::Plan plan = makePlan(model, 2, 0.5);
        QVERIFY(!plan.layers.empty());
        QCOMPARE(plan.model_format, std::string("onnx"));
        QVERIFY(plan.layers.front().name.rfind("/", 0) == 0); // "/pw/pw.0/Conv"
        const json doc = json::parse(gkp::planToString(plan));
        QCOMPARE(doc["model_format"].get<std::string>(), std::string("onnx"));
        QCOMPARE(gkp::planFromString(gkp::planToString(plan), model).layers.size(), plan.layers.size());

        gkp::MaskedModule masked(model);
        for (const gkp::LayerPlan &l : plan.layers)
            masked.setPlanMask(l);
        for (const char *mode : {"deploy", "trainable"}) {
            gkp::ExportOptions eo;
            eo.mode = std::string(mode) == "deploy" ? gkp::ExportMode::Deploy : gkp::ExportMode::Trainable;
            eo.force_form = gkp::LayerForm::Grouped;
            const std::string out = m_dir.filePath(QString::fromLatin1(mode) + u".pt"_qs).toStdString();
            const gkp::ExportResult r = gkp::exportModel(model, plan, out, eo);
            QVERIFY(r.verify.passed);
            QCOMPARE(r.layers.front().name, plan.layers.front().name);
            torch::jit::Module exported = torch::jit::load(out);
            const torch::Tensor x = torch::randn({3, 3, 64, 64});
            torch::NoGradGuard noGrad;
            const double err = relError(exported.forward({x}).toTensor(), masked.module().forward({x}).toTensor());
            QVERIFY2(err < 1e-4, qPrintable(QString::number(err)));
            int batchNorms = 0;
            for (const torch::jit::Node *n : exported.get_method("forward").graph()->nodes())
                batchNorms += n->kind() == c10::aten::batch_norm;
            if (eo.mode == gkp::ExportMode::Deploy)
                QCOMPARE(batchNorms, 0);
            const gkp::Model written = gkp::Model::load(out);
            QVERIFY(written.format() == gkp::ModelFormat::TorchScript);
            if (eo.mode == gkp::ExportMode::Trainable) // layers keep their ONNX names in the export
                QCOMPARE(written.inventory().layers[2].name, model.inventory().layers[2].name);
            QVERIFY(gkp::verifyExport(model, written).passed);
        }
    }

    // A plan made for the TorchScript form of a network is refused for an ONNX model (names differ
    // anyway; the format says why).
    void planFormatMismatch()
    {
        const gkp::Model model = gkp::Model::load(fixture("unnamed.onnx"));
        json doc = json::parse(gkp::planToString(makePlan(model, 2, 0.5)));
        doc["model_format"] = "torchscript";
        try {
            gkp::planFromString(doc.dump(), model);
            QFAIL("no error");
        } catch (const gkp::Error &e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(u"made for a torchscript model"_qs), e.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestOnnxModel)
#include "tst_onnxmodel.moc"
