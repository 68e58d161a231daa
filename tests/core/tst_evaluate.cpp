// gkp::evaluate() against the accuracy PyTorch computes for the same TorchScript model on the
// same data (tests/fixtures/make_datasets.py): the same sample count and the same number of
// correct top-1 and top-5 predictions, and clear errors when model and data do not fit.

#include "datasetfixture.h"
#include "data/datasetspec.h"
#include "eval/evaluate.h"

#include <QtTest>

using nlohmann::json;

namespace {

torch::jit::Module loadModule(const char *file)
{
    return torch::jit::load(datasetPath(std::string("eval/") + file));
}

gkp::Dataset evalData(const char *labels = "labels.idx1", int64_t limit = -1)
{
    return gkp::loadDataset(gkp::parseDatasetSpec("idx:" + datasetPath("eval/images.idx3") + "," +
                                                  datasetPath(std::string("eval/") + labels) +
                                                  ",mean=0.5,std=0.25"),
                            limit);
}

const json &reference(const char *key)
{
    return datasetExpected()["eval"][key];
}

int batchSize()
{
    return datasetExpected()["eval"]["batch"].get<int>();
}

void compare(const gkp::Accuracy &acc, const json &want)
{
    QCOMPARE(acc.samples, want["samples"].get<int64_t>());
    QCOMPARE(acc.top1_correct, want["top1_correct"].get<int64_t>());
    QCOMPARE(acc.top5_correct, want["top5_correct"].get<int64_t>());
    QCOMPARE(acc.top1, want["top1"].get<double>());
    QCOMPARE(acc.top5, want["top5"].get<double>());
}

QString errorOf(const std::function<void()> &f)
{
    try {
        f();
    } catch (const gkp::Error &e) {
        return QString::fromUtf8(e.what());
    }
    return u"(no error)"_qs;
}

} // namespace

class TestEvaluate : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void matchesPyTorch()
    {
        torch::jit::Module m = loadModule("tiny.pt");
        const gkp::Accuracy acc = gkp::evaluate(m, evalData(), batchSize());
        compare(acc, reference("tiny"));
        // The fixture makes a third of the labels right on purpose: neither 0 nor 1 is a pass by accident.
        QVERIFY(acc.top1 > 0.0 && acc.top1 < 1.0 && acc.top5 > acc.top1);
    }

    void limitTakesTheFirstSamples()
    {
        torch::jit::Module m = loadModule("tiny.pt");
        compare(gkp::evaluate(m, evalData("labels.idx1", 20), batchSize()), reference("tiny_limit20"));
    }

    void tupleOutputAndFewerThanFiveClasses()
    {
        torch::jit::Module m = loadModule("tiny3_tuple.pt");
        const gkp::Accuracy acc = gkp::evaluate(m, evalData("labels3.idx1"), batchSize());
        compare(acc, reference("tiny3_tuple"));
        QCOMPARE(acc.top5, acc.top1); // documented: top-5 equals top-1 below 5 outputs
    }

    void progressAndCancel()
    {
        torch::jit::Module m = loadModule("tiny.pt");
        const gkp::Dataset data = evalData();
        std::vector<int> done;
        gkp::evaluate(m, data, 16, [&](int d, int total) {
            done.push_back(d);
            return total == 50;
        });
        QCOMPARE(done, (std::vector<int>{16, 32, 48, 50}));
        int calls = 0;
        QVERIFY_THROWS_EXCEPTION(gkp::Cancelled,
                                 gkp::evaluate(m, data, 16, [&](int, int) { return ++calls < 2; }));
        QCOMPARE(calls, 2);
    }

    void errors()
    {
        const gkp::Dataset data = evalData();
        torch::jit::Module rgb = loadModule("tiny_rgb.pt");
        QString message = errorOf([&] { gkp::evaluate(rgb, data, 16); });
        QVERIFY2(message.contains(u"the model expects a different input: dataset images are 1x8x8"_qs),
                 qPrintable(message));
        QVERIFY2(message.contains(u"3 channels"_qs), qPrintable(message)); // LibTorch's reason is kept
        QVERIFY2(!message.contains(u'\n'), qPrintable(message));

        torch::jit::Module spatial = loadModule("spatial_output.pt");
        message = errorOf([&] { gkp::evaluate(spatial, data, 16); });
        QVERIFY2(message.contains(u"the model output is 16x1x8x8 for a batch of 16 images"_qs),
                 qPrintable(message));

        torch::jit::Module three = loadModule("tiny3_tuple.pt");
        message = errorOf([&] { gkp::evaluate(three, data, 16); });
        QVERIFY2(message.contains(u"the model has 3 outputs per image but the dataset has 10 classes"_qs),
                 qPrintable(message));

        torch::jit::Module tiny = loadModule("tiny.pt");
        message = errorOf([&] { gkp::evaluate(tiny, data, 0); });
        QVERIFY2(message.contains(u"batch size must be at least 1"_qs), qPrintable(message));
        message = errorOf([&] { gkp::evaluate(tiny, gkp::Dataset{}, 8); });
        QVERIFY2(message.contains(u"the dataset is empty"_qs), qPrintable(message));
    }
};

QTEST_GUILESS_MAIN(TestEvaluate)
#include "tst_evaluate.moc"
