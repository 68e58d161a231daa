// The dataset SPEC grammar of `gkp eval --dataset`: what each form means, and a one-line error
// naming the problem for everything else. No files are read here.

#include "data/datasetspec.h"

#include <QtTest>

using gkp::DatasetFormat;

Q_DECLARE_METATYPE(gkp::DatasetFormat)

class TestDatasetSpec : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parses_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<DatasetFormat>("format");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("labels");
        QTest::addColumn<QString>("split");
        QTest::newRow("installed") << u"fashion-mnist"_qs << DatasetFormat::FashionMnist << QString()
                                   << QString() << u"test"_qs;
        QTest::newRow("installed train") << u"fashion-mnist:train"_qs << DatasetFormat::FashionMnist
                                         << QString() << QString() << u"train"_qs;
        QTest::newRow("mnist dir split") << u"mnist:/data/mnist:train"_qs << DatasetFormat::Mnist
                                         << u"/data/mnist"_qs << QString() << u"train"_qs;
        QTest::newRow("dir named test")
            << u"mnist:/data/test"_qs << DatasetFormat::Mnist << u"/data/test"_qs << QString() << u"test"_qs;
        QTest::newRow("idx") << u"idx:a.gz,b.gz"_qs << DatasetFormat::Idx << u"a.gz"_qs << u"b.gz"_qs
                             << u"test"_qs;
        QTest::newRow("cifar10 train") << u"cifar10:/c10:train,size=64x64"_qs << DatasetFormat::Cifar10
                                       << u"/c10"_qs << QString() << u"train"_qs;
        QTest::newRow("cifar-100 file")
            << u"CIFAR-100:f.bin"_qs << DatasetFormat::Cifar100 << u"f.bin"_qs << QString() << u"test"_qs;
        QTest::newRow("folder") << u"folder:imgs/x"_qs << DatasetFormat::Folder << u"imgs/x"_qs << QString()
                                << u"test"_qs;
    }
    void parses()
    {
        QFETCH(QString, text);
        QFETCH(DatasetFormat, format);
        QFETCH(QString, path);
        QFETCH(QString, labels);
        QFETCH(QString, split);
        const gkp::DatasetSpec spec = gkp::parseDatasetSpec(text.toStdString());
        QCOMPARE(spec.format, format);
        QCOMPARE(QString::fromStdString(spec.path), path);
        QCOMPARE(QString::fromStdString(spec.labels_path), labels);
        QCOMPARE(QString::fromStdString(spec.split), split);
    }

    void parsesOptions()
    {
        const gkp::DatasetSpec s =
            gkp::parseDatasetSpec("folder:imgs,size=28x32,channels=1,mean=0.5,std=0.25/0.5/2");
        QCOMPARE(s.height.value_or(0), 28);
        QCOMPARE(s.width.value_or(0), 32);
        QCOMPARE(s.channels.value_or(0), 1);
        QCOMPARE(s.mean, std::vector<float>{0.5f});
        QCOMPARE(s.std, (std::vector<float>{0.25f, 0.5f, 2.0f}));

        const gkp::DatasetSpec square = gkp::parseDatasetSpec("idx:a,b,size=16,classes=4");
        QCOMPARE(square.height.value_or(0), 16);
        QCOMPARE(square.width.value_or(0), 16);
        QCOMPARE(square.classes, int64_t(4));
        QVERIFY(!square.channels);
        QVERIFY(square.mean.empty());
    }

    void defaultNormalisation()
    {
        // The bundled demo model was trained with (x/255 - 0.2860) / 0.3530.
        QCOMPARE(gkp::defaultNormalization(DatasetFormat::FashionMnist).mean, std::vector<float>{0.2860f});
        QCOMPARE(gkp::defaultNormalization(DatasetFormat::FashionMnist).std, std::vector<float>{0.3530f});
        QCOMPARE(gkp::defaultNormalization(DatasetFormat::Mnist).mean, std::vector<float>{0.1307f});
        QCOMPARE(gkp::defaultNormalization(DatasetFormat::Cifar10).std,
                 (std::vector<float>{0.2470f, 0.2435f, 0.2616f}));
        QCOMPARE(gkp::defaultNormalization(DatasetFormat::Folder).mean,
                 (std::vector<float>{0.485f, 0.456f, 0.406f}));
        // Three values for a grey view average; one value is repeated for colour.
        const gkp::Normalization grey = gkp::normalization::cifar10().forChannels(1);
        QCOMPARE(grey.mean.size(), std::size_t(1));
        QVERIFY(std::abs(grey.mean[0] - (0.4914f + 0.4822f + 0.4465f) / 3) < 1e-6f);
        QCOMPARE(gkp::normalization::mnist().forChannels(3).std,
                 (std::vector<float>{0.3081f, 0.3081f, 0.3081f}));
    }

    void rejects_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("mustMention");
        QTest::newRow("empty") << QString() << u"empty dataset spec"_qs;
        QTest::newRow("unknown kind") << u"imagenet:/x"_qs << u"unknown dataset 'imagenet:/x'"_qs;
        QTest::newRow("idx one file") << u"idx:a.idx3"_qs << u"idx:IMAGES,LABELS"_qs;
        QTest::newRow("idx no files") << u"idx"_qs << u"idx:IMAGES,LABELS"_qs;
        QTest::newRow("cifar no path") << u"cifar10"_qs << u"FILE_OR_DIR"_qs;
        QTest::newRow("cifar split only") << u"cifar100:train"_qs << u"FILE_OR_DIR"_qs;
        QTest::newRow("folder no dir") << u"folder:"_qs << u"folder:DIR"_qs;
        QTest::newRow("zero size") << u"mnist,size=0x4"_qs << u"invalid size '0'"_qs;
        QTest::newRow("bad size") << u"mnist,size=abc"_qs << u"invalid size"_qs;
        QTest::newRow("three dims") << u"mnist,size=1x2x3"_qs << u"expected HxW"_qs;
        QTest::newRow("two channels") << u"mnist,channels=2"_qs << u"1 (grey) or 3 (RGB)"_qs;
        QTest::newRow("four channels") << u"mnist,channels=4"_qs << u"invalid channel count '4'"_qs;
        QTest::newRow("two means") << u"mnist,mean=1/2"_qs << u"1 value or 3"_qs;
        QTest::newRow("bad mean") << u"mnist,mean=x"_qs << u"invalid mean 'x'"_qs;
        QTest::newRow("zero std") << u"mnist,std=0"_qs << u"must be positive"_qs;
        QTest::newRow("unknown option") << u"mnist,foo=1"_qs << u"unknown dataset option 'foo=1'"_qs;
        QTest::newRow("stray token") << u"mnist,extra"_qs << u"unexpected 'extra'"_qs;
        QTest::newRow("classes not idx") << u"mnist,classes=3"_qs << u"idx: datasets only"_qs;
        QTest::newRow("idx three files") << u"idx:a,b,c"_qs << u"unexpected 'c'"_qs;
    }
    void rejects()
    {
        QFETCH(QString, text);
        QFETCH(QString, mustMention);
        try {
            gkp::parseDatasetSpec(text.toStdString());
            QFAIL("no error");
        } catch (const gkp::Error &e) {
            const QString message = QString::fromUtf8(e.what());
            QVERIFY2(message.contains(mustMention), qPrintable(message));
            QVERIFY2(!message.contains(u'\n'), qPrintable(message));
        }
    }
};

QTEST_GUILESS_MAIN(TestDatasetSpec)
#include "tst_datasetspec.moc"
