// The conv inventory of every fixture model, scripted and traced, must equal what PyTorch's own
// forward hooks reported when the fixture was generated (tests/fixtures/make_fixtures.py).

#include "util/error.h"
#include "model/model.h"
#include "model/torchmodel.h"

#include <nlohmann/json.hpp>

#include "testutil.h"

#include <QtTest>

#include <fstream>

using nlohmann::json;

namespace {

json loadExpected()
{
    std::ifstream in(GKP_FIXTURES_DIR "/expected.json");
    if (!in)
        qFatal("fixtures missing: run the fixtures.generate test first");
    return json::parse(in);
}

std::string fixture(const std::string &file)
{
    return std::string(GKP_FIXTURES_DIR "/") + file;
}

std::vector<int64_t> vec(const json &j)
{
    return j.get<std::vector<int64_t>>();
}

} // namespace

class TestModelInventory : public QObject
{
    Q_OBJECT

private:
    json m_expected;

private Q_SLOTS:
    void initTestCase() { m_expected = loadExpected(); }

    void matchesPyTorch_data()
    {
        QTest::addColumn<QString>("file");
        for (auto it = m_expected.begin(); it != m_expected.end(); ++it)
            QTest::newRow(it.key().c_str()) << QString::fromStdString(it.key());
    }

    void matchesPyTorch()
    {
        QFETCH(QString, file);
        const json &exp = m_expected.at(file.toStdString());
        gkp::LoadOptions options;
        if (!exp.at("stored_shape").get<bool>())
            options.input_shape = vec(exp.at("input_shape"));
        const gkp::Model model = gkp::Model::load(fixture(file.toStdString()), options);
        const gkp::Inventory &inv = model.inventory();

        QCOMPARE(inv.input_shape, vec(exp.at("input_shape")));
        QCOMPARE(QString::fromStdString(inv.input_shape_source),
                 exp.at("stored_shape").get<bool>() ? u"archive"_qs : u"command line"_qs);
        const json &layers = exp.at("layers");
        QCOMPARE(inv.layers.size(), layers.size());
        for (std::size_t i = 0; i < layers.size(); ++i) {
            const gkp::ConvLayer &l = inv.layers[i];
            const json &e = layers[i];
            QCOMPARE(l.index, int(i));
            QCOMPARE(l.name, e.at("name").get<std::string>());
            QCOMPARE(l.in_channels, e.at("in_channels").get<int64_t>());
            QCOMPARE(l.out_channels, e.at("out_channels").get<int64_t>());
            QCOMPARE(l.kernel, vec(e.at("kernel")));
            QCOMPARE(l.stride, vec(e.at("stride")));
            if (e.at("padding").is_array())
                QCOMPARE(l.padding, vec(e.at("padding")));
            QCOMPARE(l.dilation, vec(e.at("dilation")));
            QCOMPARE(l.groups, e.at("groups").get<int64_t>());
            QCOMPARE(l.input_shape, vec(e.at("input_shape")));
            QCOMPARE(l.output_shape, vec(e.at("output_shape")));
            QCOMPARE(l.params, e.at("params").get<int64_t>());
            QCOMPARE(l.macs, e.at("macs").get<int64_t>());
            QCOMPARE(l.prunable, e.at("prunable").get<bool>());
            QCOMPARE(l.prunable, l.reason.empty());
            QCOMPARE(l.excluded_by_default, e.at("excluded_by_default").get<bool>());
        }
        const json &t = exp.at("totals");
        QCOMPARE(inv.totals.convs, t.at("convs").get<int64_t>());
        QCOMPARE(inv.totals.prunable, t.at("prunable").get<int64_t>());
        QCOMPARE(inv.totals.conv_macs, t.at("conv_macs").get<int64_t>());
        QCOMPARE(inv.totals.params, t.at("params").get<int64_t>());
        QCOMPARE(model.impl().weights.size(), inv.layers.size());
    }

    void reasonsNameTheKind()
    {
        const gkp::Model model = gkp::Model::load(fixture("transposed_scripted.pt"));
        const auto &inv = model.inventory();
        QVERIFY(inv.find("grouped")->reason.find("grouped") != std::string::npos);
        QVERIFY(inv.find("dec")->reason.find("transposed") != std::string::npos);
        QVERIFY(inv.find("head")->reason.find("1-D") != std::string::npos);
        QVERIFY(inv.find("enc")->prunable);
        QVERIFY(inv.find("enc")->excluded_by_default);

        const gkp::Model mobile = gkp::Model::load(fixture("mobilenet_v2_traced.pt"));
        const gkp::ConvLayer *dw = mobile.inventory().find("features.1.conv.0.0");
        QVERIFY(dw);
        QVERIFY(!dw->prunable);
        QVERIFY(dw->reason.find("depthwise") != std::string::npos);
    }

    // Residual adds couple the convs that feed them; option-A shortcuts (channel zero-padding)
    // and flatten/linear cut the channel flow.
    void edgesFollowChannelFlow_data()
    {
        QTest::addColumn<QString>("file");
        QTest::newRow("scripted") << u"cifar_resnet20b_scripted.pt"_qs;
        QTest::newRow("traced") << u"cifar_resnet20b_traced.pt"_qs;
    }
    void edgesFollowChannelFlow()
    {
        QFETCH(QString, file);
        const gkp::Model model = gkp::Model::load(fixture(file.toStdString()));
        const auto &inv = model.inventory();
        auto idx = [&](const char *name) {
            const gkp::ConvLayer *l = inv.find(name);
            if (!l)
                qFatal("missing layer %s", name);
            return l->index;
        };
        const gkp::ConvLayer &c2 = inv.layers[idx("layer1.0.conv2")];
        QCOMPARE(c2.producers, std::vector<int>{idx("layer1.0.conv1")});
        QCOMPARE(gkp::toString(c2.input_source), gkp::toString(gkp::InputSource::Conv));
        // layer1.1.conv1 reads relu(bn(layer1.0.conv2) + stem output)
        const gkp::ConvLayer &n1 = inv.layers[idx("layer1.1.conv1")];
        QCOMPARE(gkp::toString(n1.input_source), gkp::toString(gkp::InputSource::Add));
        QCOMPARE(n1.producers, (std::vector<int>{idx("conv1"), idx("layer1.0.conv2")}));
        // the option-B downsample conv reads the same tensor as layer2.0.conv1
        QCOMPARE(inv.layers[idx("layer2.0.shortcut.0")].producers, inv.layers[idx("layer2.0.conv1")].producers);
        // layer2.1.conv1's input is the add of layer2.0.conv2 and the downsample only
        QCOMPARE(inv.layers[idx("layer2.1.conv1")].producers,
                 (std::vector<int>{idx("layer2.0.conv2"), idx("layer2.0.shortcut.0")}));
        QVERIFY(std::find(c2.consumers.begin(), c2.consumers.end(), idx("layer1.1.conv1")) != c2.consumers.end());
        QVERIFY(!inv.joins.empty());
        QCOMPARE(gkp::toString(inv.layers[idx("conv1")].input_source), gkp::toString(gkp::InputSource::NetworkInput));

        // Sole producer/consumer pairs: the channels one conv computes only for the next.
        QCOMPARE(gkp::soleProducer(inv, idx("layer1.0.conv2")), idx("layer1.0.conv1"));
        QCOMPARE(gkp::soleConsumer(inv, idx("layer1.0.conv1")), idx("layer1.0.conv2"));
        QCOMPARE(gkp::soleProducer(inv, idx("layer2.0.conv2")), idx("layer2.0.conv1"));
        // layer1.0.conv1 reads the stem straight, but the stem's output also feeds the residual add
        QCOMPARE(gkp::toString(inv.layers[idx("layer1.0.conv1")].input_source), gkp::toString(gkp::InputSource::Conv));
        QCOMPARE(gkp::soleProducer(inv, idx("layer1.0.conv1")), -1);
        QCOMPARE(gkp::soleConsumer(inv, idx("conv1")), -1);
        QCOMPARE(gkp::soleProducer(inv, idx("layer1.1.conv1")), -1); // reads an add
        QCOMPARE(gkp::soleConsumer(inv, idx("layer1.0.conv2")), -1); // feeds an add
        QCOMPARE(gkp::soleProducer(inv, idx("conv1")), -1);          // reads the network input
    }

    void optionAShortcutCutsFlow()
    {
        const gkp::Model model = gkp::Model::load(fixture("cifar_resnet20_scripted.pt"));
        const auto &inv = model.inventory();
        // layer2.1.conv1 reads relu(bn(layer2.0.conv2) + pad(layer1 output)): the padded
        // operand changes channels, so only layer2.0.conv2 stays a channel-aligned producer.
        QCOMPARE(inv.find("layer2.1.conv1")->producers, std::vector<int>{inv.find("layer2.0.conv2")->index});
    }

    void densenetConcatsAreJoins()
    {
        const gkp::Model model = gkp::Model::load(fixture("densenet121_scripted.pt"), {gkp::Shape{1, 3, 224, 224}});
        const auto &inv = model.inventory();
        const gkp::ConvLayer *l = inv.find("features.denseblock1.denselayer3.conv1");
        QVERIFY(l);
        QCOMPARE(gkp::toString(l->input_source), gkp::toString(gkp::InputSource::Concat));
        // reads cat(stem features, denselayer1.conv2, denselayer2.conv2) through BN+ReLU
        QCOMPARE(l->producers, (std::vector<int>{inv.find("features.conv0")->index,
                                                 inv.find("features.denseblock1.denselayer1.conv2")->index,
                                                 inv.find("features.denseblock1.denselayer2.conv2")->index}));
        const bool hasConcat = std::any_of(inv.joins.begin(), inv.joins.end(),
                                           [](const gkp::Join &j) { return j.kind == gkp::Join::Kind::Concat; });
        QVERIFY(hasConcat);
    }

    void noConvModelIsEmptyWithNote()
    {
        const gkp::Model model = gkp::Model::load(fixture("noconv_scripted.pt"));
        QVERIFY(model.inventory().layers.empty());
        QCOMPARE(model.inventory().totals.convs, 0);
        QCOMPARE(model.inventory().notes.size(), std::size_t(1));
    }

    void badFilesThrowClearErrors_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("mustMention");
        QTest::newRow("missing") << u"does_not_exist.pt"_qs << u"no such file"_qs;
        QTest::newRow("text") << u"broken_text.pt"_qs << u"not a TorchScript archive"_qs;
        QTest::newRow("empty") << u"broken_empty.pt"_qs << u"empty"_qs;
        QTest::newRow("truncated") << u"broken_truncated.pt"_qs << u"truncated or corrupt"_qs;
        QTest::newRow("state_dict") << u"broken_state_dict.pt"_qs << u"not a TorchScript model"_qs;
        QTest::newRow("pickle") << u"broken_pickle.pt"_qs << u"torch.save"_qs;
        QTest::newRow("directory") << u"."_qs << u"directory"_qs;
    }
    void badFilesThrowClearErrors()
    {
        QFETCH(QString, file);
        QFETCH(QString, mustMention);
        try {
            gkp::Model::load(fixture(file.toStdString()));
            QFAIL("no error");
        } catch (const gkp::Error &e) {
            const QString msg = QString::fromStdString(e.what());
            QVERIFY2(msg.contains(mustMention), qPrintable(msg));
            QVERIFY2(!msg.contains(u'\n'), qPrintable(msg));
        }
    }

    void wrongInputShapeNamesTheShape()
    {
        try {
            gkp::Model::load(fixture("mnist_resnet8_scripted.pt"));
            QFAIL("no error");
        } catch (const gkp::Error &e) {
            const QString msg = QString::fromStdString(e.what());
            QVERIFY2(msg.contains(u"1,3,224,224"_qs), qPrintable(msg));
            QVERIFY2(msg.contains(u"--input-shape"_qs), qPrintable(msg));
            QVERIFY2(msg.contains(u"channels"_qs), qPrintable(msg)); // the cause, not the traceback header
            QVERIFY2(!msg.contains(u'\n'), qPrintable(msg));
        }
    }
};

QTEST_GUILESS_MAIN(TestModelInventory)
#include "tst_modelinventory.moc"
