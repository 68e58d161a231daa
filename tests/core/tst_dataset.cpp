// Dataset readers against files with known contents (tests/fixtures/make_datasets.py): exact
// normalised pixel values, labels, class ids, --limit, and a clear message for every bad file.

#include "datasetfixture.h"
#include "data/datasetspec.h"
#include "data/idxreader.h"

#include <QtTest>

using nlohmann::json;

namespace {

gkp::Dataset load(const std::string &spec, int64_t limit = -1)
{
    return gkp::loadDataset(gkp::parseDatasetSpec(spec), limit);
}

// What (x / 255 - mean) / std gives in float32, operation by operation like the reader.
float normalised(int pixel, float mean, float std)
{
    const float x = float(pixel) / 255.0f;
    return (x - mean) / std;
}

// Compares every image value with the expected raw pixels under the given normalisation.
void checkPixels(const gkp::Dataset &data, const json &expected, const gkp::Normalization &norm,
                 int64_t count)
{
    const std::vector<int> pixels = expected["pixels"].get<std::vector<int>>();
    const std::vector<int64_t> shape = expected["shape"].get<std::vector<int64_t>>();
    const int64_t channels = shape[1], plane = shape[2] * shape[3];
    QCOMPARE(data.images.sizes().vec(), (std::vector<int64_t>{count, shape[1], shape[2], shape[3]}));
    QCOMPARE(data.images.scalar_type(), torch::kFloat);
    const torch::Tensor flat = data.images.contiguous().view(-1);
    const float *got = flat.data_ptr<float>();
    for (int64_t i = 0; i < count * channels * plane; ++i) {
        const std::size_t c = std::size_t((i / plane) % channels);
        const float want = normalised(pixels[std::size_t(i)], norm.mean[c % norm.mean.size()],
                                      norm.std[c % norm.std.size()]);
        if (got[i] != want)
            QFAIL(qPrintable(QStringLiteral("value %1: got %2, expected %3 (raw pixel %4)")
                                 .arg(i)
                                 .arg(double(got[i]), 0, 'g', 9)
                                 .arg(double(want), 0, 'g', 9)
                                 .arg(pixels[std::size_t(i)])));
    }
}

std::vector<int64_t> labelsOf(const gkp::Dataset &data)
{
    const torch::Tensor l = data.labels.contiguous();
    return std::vector<int64_t>(l.data_ptr<int64_t>(), l.data_ptr<int64_t>() + l.numel());
}

std::vector<int64_t> expectedLabels(const json &j, std::size_t count = SIZE_MAX)
{
    std::vector<int64_t> v = j.get<std::vector<int64_t>>();
    v.resize(std::min(v.size(), count));
    return v;
}

} // namespace

namespace QTest {
template <> inline char *toString(const std::vector<int64_t> &v)
{
    std::string s;
    for (int64_t x : v)
        s += (s.empty() ? "" : ",") + std::to_string(x);
    return qstrdup(s.c_str());
}
} // namespace QTest

class TestDataset : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void idxPixelsExact_data()
    {
        QTest::addColumn<QString>("files");
        QTest::addColumn<QString>("options");
        QTest::addColumn<float>("mean");
        QTest::addColumn<float>("std");
        QTest::newRow("raw, identity") << u"idx/images.idx3,idx/labels.idx1"_qs << QString() << 0.0f << 1.0f;
        QTest::newRow("gzip") << u"idx/images.idx3.gz,idx/labels.idx1.gz"_qs << QString() << 0.0f << 1.0f;
        QTest::newRow("mixed, normalised") << u"idx/images.idx3.gz,idx/labels.idx1"_qs
                                           << u",mean=0.2860,std=0.3530"_qs << 0.2860f << 0.3530f;
    }
    void idxPixelsExact()
    {
        QFETCH(QString, files);
        QFETCH(QString, options);
        QFETCH(float, mean);
        QFETCH(float, std);
        const QStringList parts = files.split(u',');
        const std::string spec = "idx:" + datasetPath(parts[0].toStdString()) + "," +
                                 datasetPath(parts[1].toStdString()) + options.toStdString();
        const gkp::Dataset data = load(spec);
        const json &exp = datasetExpected()["idx"];
        checkPixels(data, exp, {{mean}, {std}}, 7);
        QCOMPARE(labelsOf(data), expectedLabels(exp["labels"]));
        QCOMPARE(data.classes, int64_t(10)); // largest label 9, plus one
        QCOMPARE(data.imageShape(), std::string("1x5x4"));
    }

    void mnistDirectories()
    {
        const json &exp = datasetExpected()["idx"];
        // Test split gzipped, default MNIST normalisation.
        const gkp::Dataset test = load("mnist:" + datasetPath("mnist"));
        checkPixels(test, exp, gkp::normalization::mnist(), 7);
        QCOMPARE(test.classes, int64_t(10));
        // Train split raw (3 images); Fashion-MNIST normalisation for the same files.
        const gkp::Dataset train = load("fashion-mnist:" + datasetPath("mnist") + ":train");
        checkPixels(train, exp, gkp::normalization::fashionMnist(), 3);
        QCOMPARE(labelsOf(train), expectedLabels(exp["labels"], 3));
        QVERIFY(train.description.find("Fashion-MNIST train") == 0);
    }

    void idxLimit()
    {
        const json &exp = datasetExpected()["idx"];
        const gkp::Dataset data =
            load("idx:" + datasetPath("idx/images.idx3.gz") + "," + datasetPath("idx/labels.idx1.gz"), 3);
        checkPixels(data, exp, gkp::normalization::identity(), 3);
        QCOMPARE(labelsOf(data), expectedLabels(exp["labels"], 3));
        QCOMPARE(data.classes, int64_t(10)); // from all labels, not only the kept ones
    }

    void idxErrors_data()
    {
        QTest::addColumn<QString>("spec");
        QTest::addColumn<QStringList>("mustMention");
        const auto idx = [](const char *images, const char *labels) {
            return QString::fromStdString("idx:" + datasetPath(std::string("idx/") + images) + "," +
                                          datasetPath(std::string("idx/") + labels));
        };
        QTest::newRow("truncated") << idx("images_truncated.idx3", "labels.idx1")
                                   << QStringList{u"images_truncated.idx3' is truncated"_qs,
                                                  u"images 0..6"_qs};
        QTest::newRow("truncated gzip") << idx("images_truncated.idx3.gz", "labels.idx1")
                                        << QStringList{u"images_truncated.idx3.gz' is truncated"_qs};
        QTest::newRow("trailing data")
            << idx("images_trailing.idx3", "labels.idx1") << QStringList{u"has data after the 7 images"_qs};
        QTest::newRow("wrong magic") << idx("wrong_magic.idx3", "labels.idx1")
                                     << QStringList{u"wrong_magic.idx3' is not an IDX images file"_qs,
                                                    u"0x12340803"_qs, u"expected 0x00000803"_qs};
        QTest::newRow("float elements") << idx("float_type.idx3", "labels.idx1")
                                        << QStringList{u"another element type"_qs, u"0x00000d03"_qs};
        QTest::newRow("labels as images")
            << idx("labels.idx1", "labels.idx1") << QStringList{u"labels.idx1' has 1 dimensions"_qs};
        QTest::newRow("images as labels")
            << idx("images.idx3", "images.idx3")
            << QStringList{u"images.idx3' has 3 dimensions"_qs, u"IDX labels file has 1"_qs};
        QTest::newRow("count mismatch")
            << idx("images.idx3", "labels_short.idx1")
            << QStringList{u"has 7 images but"_qs, u"labels_short.idx1' has 6 labels"_qs};
        QTest::newRow("empty") << idx("empty.idx3", "labels.idx1")
                               << QStringList{u"empty.idx3' is truncated"_qs, u"header"_qs};
        QTest::newRow("header only") << idx("header_only.idx3", "labels.idx1")
                                     << QStringList{u"header_only.idx3' is truncated"_qs, u"header"_qs};
        QTest::newRow("not gzip") << idx("not_gzip.idx3.gz", "labels.idx1")
                                  << QStringList{u"not_gzip.idx3.gz"_qs};
        QTest::newRow("missing") << idx("nope.idx3", "labels.idx1")
                                 << QStringList{u"cannot open"_qs, u"nope.idx3': no such file"_qs};
        QTest::newRow("label range") << QString::fromStdString("mnist:" + datasetPath("mnist_badlabel"))
                                     << QStringList{
                                            u"label 12 of sample 2 is out of range for 10 classes"_qs};
        QTest::newRow("not an mnist dir") << QString::fromStdString("mnist:" + datasetPath("cifar10"))
                                          << QStringList{u"has no t10k-images-idx3-ubyte[.gz]"_qs};
        QTest::newRow("no mnist dir") << QString::fromStdString("fashion-mnist:" + datasetPath("nowhere"))
                                      << QStringList{u"no such directory"_qs};
    }
    void idxErrors() { expectError(); }

    void cifarPixelsExact_data()
    {
        QTest::addColumn<QString>("spec");
        QTest::addColumn<QString>("key");
        QTest::addColumn<bool>("ten");
        QTest::newRow("cifar10 dir") << QString::fromStdString("cifar10:" + datasetPath("cifar10"))
                                     << u"cifar10"_qs << true;
        QTest::newRow("cifar10 file")
            << QString::fromStdString("cifar10:" + datasetPath("cifar10/test_batch.bin")) << u"cifar10"_qs
            << true;
        QTest::newRow("cifar100 dir")
            << QString::fromStdString("cifar100:" + datasetPath("cifar100") + ":test") << u"cifar100"_qs
            << false;
    }
    void cifarPixelsExact()
    {
        QFETCH(QString, spec);
        QFETCH(QString, key);
        QFETCH(bool, ten);
        const gkp::Dataset data = load(spec.toStdString());
        const json &exp = datasetExpected()[key.toStdString()];
        checkPixels(data, exp, ten ? gkp::normalization::cifar10() : gkp::normalization::cifar100(), 3);
        QCOMPARE(labelsOf(data), expectedLabels(exp["labels"])); // CIFAR-100: the fine label
        QCOMPARE(data.classes, int64_t(ten ? 10 : 100));
    }

    void cifarTrainSplitAndLimit()
    {
        const gkp::Dataset train = load("cifar10:" + datasetPath("cifar10") + ":train");
        QCOMPARE(labelsOf(train), expectedLabels(datasetExpected()["cifar10_train_labels"]));
        const gkp::Dataset limited = load("cifar10:" + datasetPath("cifar10") + ":train", 2); // across files
        QCOMPARE(labelsOf(limited), expectedLabels(datasetExpected()["cifar10_train_labels"], 2));
        QCOMPARE(labelsOf(load("cifar100:" + datasetPath("cifar100") + ":train")),
                 (std::vector<int64_t>{5, 6}));
    }

    void cifarGreyAndResize()
    {
        const json &exp = datasetExpected()["cifar10"];
        const gkp::Dataset grey = load("cifar10:" + datasetPath("cifar10") + ",channels=1,mean=0,std=1");
        QCOMPARE(grey.imageShape(), std::string("1x32x32"));
        const std::vector<int> p = exp["pixels"].get<std::vector<int>>();
        const int plane = 32 * 32, pixel = 5 * 32 + 7; // record 0, row 5, column 7
        const float luma =
            (0.299f * p[pixel] + 0.587f * p[plane + pixel] + 0.114f * p[2 * plane + pixel]) / 255.0f;
        QVERIFY(std::abs(grey.images[0][0][5][7].item<float>() - luma) < 1e-6f);
        const gkp::Dataset small = load("cifar10:" + datasetPath("cifar10") + ",size=16x8");
        QCOMPARE(small.images.sizes().vec(), (std::vector<int64_t>{3, 3, 16, 8}));
    }

    void cifarErrors_data()
    {
        QTest::addColumn<QString>("spec");
        QTest::addColumn<QStringList>("mustMention");
        QTest::newRow("truncated") << QString::fromStdString("cifar10:" +
                                                             datasetPath("cifar10_truncated.bin"))
                                   << QStringList{u"cifar10_truncated.bin' is not a CIFAR-10 binary batch"_qs,
                                                  u"9119 bytes"_qs, u"3073-byte record"_qs};
        QTest::newRow("cifar100 truncated")
            << QString::fromStdString("cifar100:" + datasetPath("cifar100_truncated.bin"))
            << QStringList{u"not a CIFAR-100 binary batch"_qs, u"3074-byte record"_qs};
        QTest::newRow("other format") << QString::fromStdString("cifar10:" + datasetPath("cifar100/test.bin"))
                                      << QStringList{u"not a multiple"_qs};
        QTest::newRow("label range") << QString::fromStdString("cifar10:" +
                                                               datasetPath("cifar10_badlabel.bin"))
                                     << QStringList{u"label 10 of record 1 is out of range for CIFAR-10"_qs};
        QTest::newRow("missing split") << QString::fromStdString("cifar100:" + datasetPath("cifar10"))
                                       << QStringList{u"has no test.bin"_qs};
        QTest::newRow("missing") << QString::fromStdString("cifar10:" + datasetPath("nope"))
                                 << QStringList{u"no such file"_qs};
    }
    void cifarErrors() { expectError(); }

    void folderClassesAndColours()
    {
        const json &exp = datasetExpected()["folder"];
        const gkp::Dataset data = load("folder:" + datasetPath("folder") + ",size=3x3,mean=0,std=1");
        const auto labels = expectedLabels(exp["labels"]);
        QCOMPARE(labelsOf(data), labels);
        QCOMPARE(data.classes, int64_t(2));
        QCOMPARE(data.class_names, (std::vector<std::string>{"cat", "dog"}));
        QCOMPARE(data.imageShape(), std::string("3x3x3"));
        for (std::size_t i = 0; i < labels.size(); ++i) {
            const std::string file = exp["files"][i];
            const bool lossy = file.find(".jpg") != std::string::npos;
            for (int c = 0; c < 3; ++c) {
                const float want = float(exp["colours"][i][c].get<int>()) / 255.0f;
                const torch::Tensor plane = data.images[int64_t(i)][c];
                const float tolerance =
                    lossy ? 4.0f / 255.0f : 0.0f; // JPEG may shift a solid colour slightly
                QVERIFY2((plane - want).abs().max().item<float>() <= tolerance,
                         qPrintable(QString::fromStdString(file + " channel " + std::to_string(c))));
            }
        }
        if (!exp["jpeg"].get<bool>())
            qWarning("PIL was missing when the fixtures were made: JPEG decoding is not covered");
    }

    void folderGreyAndLimit()
    {
        const gkp::Dataset grey =
            load("folder:" + datasetPath("folder") + ",size=2x2,channels=1,mean=0,std=1", 100);
        QCOMPARE(grey.imageShape(), std::string("1x2x2"));
        const int64_t greyIndex = int64_t(labelsOf(grey).size()) - 2; // dog/c.png, solid 128
        QCOMPARE(grey.images[greyIndex].max().item<float>(), 128.0f / 255.0f);
        QCOMPARE(grey.images[greyIndex].min().item<float>(), 128.0f / 255.0f);
        const gkp::Dataset one = load("folder:" + datasetPath("folder"), 1);
        QCOMPARE(one.size(), int64_t(1));
        QCOMPARE(one.classes, int64_t(2));
        QCOMPARE(one.imageShape(), std::string("3x224x224")); // the documented default
    }

    void folderResizeExact()
    {
        const json &exp = datasetExpected()["folder_resize"];
        const gkp::Dataset data = load("folder:" + datasetPath("folder_resize") + ",size=4x4,mean=0,std=1");
        const std::vector<int> want = exp["pixels"].get<std::vector<int>>();
        const torch::Tensor got = data.images[0].contiguous().view(-1);
        QCOMPARE(got.numel(), int64_t(want.size()));
        for (std::size_t i = 0; i < want.size(); ++i)
            QCOMPARE(got[int64_t(i)].item<float>(), float(want[i]) / 255.0f);
    }

    void folderErrors_data()
    {
        QTest::addColumn<QString>("spec");
        QTest::addColumn<QStringList>("mustMention");
        const auto folder = [](const char *dir) {
            return QString::fromStdString("folder:" + datasetPath(dir));
        };
        QTest::newRow("flat") << folder("folder_flat")
                              << QStringList{u"has images but no class subfolders"_qs};
        QTest::newRow("one class") << folder("folder_one")
                                   << QStringList{u"single class subfolder ('only')"_qs};
        QTest::newRow("corrupt") << folder("folder_corrupt")
                                 << QStringList{u"cannot decode image"_qs, u"b/broken.png"_qs};
        QTest::newRow("no images") << folder("folder_empty") << QStringList{u"has no PNG or JPEG images"_qs};
        QTest::newRow("missing") << folder("nope") << QStringList{u"no such directory"_qs};
        QTest::newRow("a file") << folder("idx/images.idx3") << QStringList{u"is not a directory"_qs};
    }
    void folderErrors() { expectError(); }

    void progressAndCancel()
    {
        const gkp::DatasetSpec spec = gkp::parseDatasetSpec("cifar10:" + datasetPath("cifar10") + ":train");
        int lastDone = -1, lastTotal = -1;
        gkp::loadDataset(spec, -1, [&](int done, int total) {
            lastDone = done;
            lastTotal = total;
            return true;
        });
        QCOMPARE(lastDone, 5);
        QCOMPARE(lastTotal, 5);
        int calls = 0;
        QVERIFY_THROWS_EXCEPTION(gkp::Cancelled,
                                 gkp::loadDataset(spec, -1, [&](int, int) { return ++calls < 2; }));
        QCOMPARE(calls, 2); // stopped at the first "no"
    }

private:
    void expectError()
    {
        QFETCH(QString, spec);
        QFETCH(QStringList, mustMention);
        try {
            load(spec.toStdString());
            QFAIL("no error");
        } catch (const gkp::Error &e) {
            const QString message = QString::fromUtf8(e.what());
            for (const QString &part : mustMention)
                QVERIFY2(message.contains(part), qPrintable(u"'"_qs + part + u"' not in: "_qs + message));
            QVERIFY2(!message.contains(u'\n'), qPrintable(message));
        }
    }
};

QTEST_GUILESS_MAIN(TestDataset)
#include "tst_dataset.moc"
