#include "util/error.h"
#include "util/shape.h"

#include <QtTest>

class TestShape : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parsesValid_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QList<qint64>>("expected");
        QTest::newRow("nchw") << u"1,3,224,224"_qs << QList<qint64>{1, 3, 224, 224};
        QTest::newRow("x-separated") << u"8x1x28x28"_qs << QList<qint64>{8, 1, 28, 28};
        QTest::newRow("ncl") << u"2,4,100"_qs << QList<qint64>{2, 4, 100};
    }
    void parsesValid()
    {
        QFETCH(QString, text);
        QFETCH(QList<qint64>, expected);
        const gkp::Shape s = gkp::parseShape(text.toStdString());
        QCOMPARE(QList<qint64>(s.begin(), s.end()), expected);
        QCOMPARE(QString::fromStdString(gkp::formatShape(s)), QString(text).replace(u'x', u','));
    }

    void rejectsInvalid_data()
    {
        QTest::addColumn<QString>("text");
        for (const char *bad : {"", "1", "1,3,,4", "1,3,a,4", "1,0,4,4", "1,-3,4,4", "1,2,3,4,5,6", "1,3,224,224,"})
            QTest::newRow(bad) << QString::fromLatin1(bad);
    }
    void rejectsInvalid()
    {
        QFETCH(QString, text);
        QVERIFY_THROWS_EXCEPTION(gkp::Error, gkp::parseShape(text.toStdString()));
    }
};

QTEST_GUILESS_MAIN(TestShape)
#include "tst_shape.moc"
