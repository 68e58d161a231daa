// Coupled channel families (dependency groups) against groups derived by hand from each fixture's
// source (tests/fixtures/models.py, torchvision), scripted and traced alike.

#include "model/channeldeps.h"
#include "model/model.h"
#include "testutil.h"

#include <QtTest>

#include <algorithm>
#include <set>

namespace {

std::string fixture(const QString &file)
{
    return (QStringLiteral(GKP_FIXTURES_DIR "/") + file).toStdString();
}

// "producer stem@0", "linear fc@0/4": one member, named as the tests below write them.
std::string describe(const gkp::ChannelMember &m, const gkp::Inventory &inv)
{
    std::string name = m.layer >= 0 ? inv.layers[std::size_t(m.layer)].name : m.name;
    if (m.kind == gkp::ChannelMember::Kind::Pad)
        name += m.front ? ".front" : ".back";
    std::string s = gkp::toString(m.kind) + " " + name + "@" + std::to_string(m.offset);
    if (m.kind == gkp::ChannelMember::Kind::Linear)
        s += "/" + std::to_string(m.stride);
    return s;
}

std::set<std::string> members(const gkp::ChannelFamily &f, const gkp::Inventory &inv)
{
    std::set<std::string> out;
    for (const gkp::ChannelMember &m : f.members)
        out.insert(describe(m, inv));
    return out;
}

// The family that holds `member` (as describe() writes it), or null.
const gkp::ChannelFamily *familyWith(const gkp::ChannelDependencies &deps, const gkp::Inventory &inv,
                                     const std::string &member)
{
    for (const gkp::ChannelFamily &f : deps.families)
        if (members(f, inv).count(member))
            return &f;
    return nullptr;
}

std::set<std::string> parseSet(const QStringList &items)
{
    std::set<std::string> out;
    for (const QString &s : items)
        out.insert(s.toStdString());
    return out;
}

} // namespace

class TestChannelDeps : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void families_data();
    void families();
    void blockedChannels();
    void cachedOnTheModel();
};

void TestChannelDeps::families_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("anyMember"); // finds the family
    QTest::addColumn<int>("channels");
    QTest::addColumn<bool>("residual");
    QTest::addColumn<QStringList>("expected"); // every member of it
    QTest::addColumn<int>("familyCount");

    for (const char *form : {"scripted", "traced"}) {
        const QString senet = QStringLiteral("senet_%1.pt").arg(QLatin1String(form));
        // the depthwise conv passes the stem's channels on; the SE product ties the expand conv to
        // them, the residual add ties the projection to them
        QTest::newRow(qPrintable(senet + QStringLiteral(" stem")))
            << senet << QStringLiteral("producer stem@0") << 16 << true
            << QStringList{QStringLiteral("producer stem@0"), QStringLiteral("producer se_expand@0"),
                           QStringLiteral("producer project@0"), QStringLiteral("depthwise dw@0"),
                           QStringLiteral("batchnorm bn0@0"), QStringLiteral("batchnorm bn1@0"),
                           QStringLiteral("batchnorm bn_project@0"), QStringLiteral("consumer se_reduce@0"),
                           QStringLiteral("consumer project@0"), QStringLiteral("consumer head@0")}
            << 3;
        QTest::newRow(qPrintable(senet + QStringLiteral(" squeeze")))
            << senet << QStringLiteral("producer se_reduce@0") << 4 << false
            << QStringList{QStringLiteral("producer se_reduce@0"), QStringLiteral("consumer se_expand@0")} << 3;
        // 2x2 average pool, flatten: 4 linear features per channel
        QTest::newRow(qPrintable(senet + QStringLiteral(" head")))
            << senet << QStringLiteral("producer head@0") << 32 << false
            << QStringList{QStringLiteral("producer head@0"), QStringLiteral("batchnorm bn2@0"),
                           QStringLiteral("linear fc@0/4")}
            << 3;

        const QString r18 = QStringLiteral("resnet18_%1.pt").arg(QLatin1String(form));
        QTest::newRow(qPrintable(r18 + QStringLiteral(" stage 1 stream")))
            << r18 << QStringLiteral("producer conv1@0") << 64 << true
            << QStringList{QStringLiteral("producer conv1@0"), QStringLiteral("batchnorm bn1@0"),
                           QStringLiteral("producer layer1.0.conv2@0"), QStringLiteral("batchnorm layer1.0.bn2@0"),
                           QStringLiteral("producer layer1.1.conv2@0"), QStringLiteral("batchnorm layer1.1.bn2@0"),
                           QStringLiteral("consumer layer1.0.conv1@0"), QStringLiteral("consumer layer1.1.conv1@0"),
                           QStringLiteral("consumer layer2.0.conv1@0"),
                           QStringLiteral("consumer layer2.0.downsample.0@0")}
            << 12;
        QTest::newRow(qPrintable(r18 + QStringLiteral(" stage 4 stream into fc")))
            << r18 << QStringLiteral("linear fc@0/1") << 512 << true
            << QStringList{QStringLiteral("producer layer4.0.conv2@0"), QStringLiteral("batchnorm layer4.0.bn2@0"),
                           QStringLiteral("producer layer4.0.downsample.0@0"),
                           QStringLiteral("batchnorm layer4.0.downsample.1@0"),
                           QStringLiteral("producer layer4.1.conv2@0"), QStringLiteral("batchnorm layer4.1.bn2@0"),
                           QStringLiteral("consumer layer4.1.conv1@0"), QStringLiteral("linear fc@0/1")}
            << 12;
        QTest::newRow(qPrintable(r18 + QStringLiteral(" block internal")))
            << r18 << QStringLiteral("producer layer3.1.conv1@0") << 256 << false
            << QStringList{QStringLiteral("producer layer3.1.conv1@0"), QStringLiteral("batchnorm layer3.1.bn1@0"),
                           QStringLiteral("consumer layer3.1.conv2@0")}
            << 12;

        // option-A shortcuts pad the stream with zero channels: the stage-1 stream is channels 8..23
        // of stage 2 and 24..39 of stage 3; stage 2's front zeros are channels 0..7 of its stream
        const QString c20 = QStringLiteral("cifar_resnet20_%1.pt").arg(QLatin1String(form));
        QStringList stream1;
        for (const char *b : {"layer1.0", "layer1.1", "layer1.2"})
            stream1 << QStringLiteral("producer %1.conv2@0").arg(QLatin1String(b))
                    << QStringLiteral("batchnorm %1.bn2@0").arg(QLatin1String(b))
                    << QStringLiteral("consumer %1.conv1@0").arg(QLatin1String(b));
        for (const char *b : {"layer2.0", "layer2.1", "layer2.2"})
            stream1 << QStringLiteral("producer %1.conv2@8").arg(QLatin1String(b))
                    << QStringLiteral("batchnorm %1.bn2@8").arg(QLatin1String(b));
        for (const char *b : {"layer3.0", "layer3.1", "layer3.2"})
            stream1 << QStringLiteral("producer %1.conv2@24").arg(QLatin1String(b))
                    << QStringLiteral("batchnorm %1.bn2@24").arg(QLatin1String(b));
        stream1 << QStringLiteral("producer conv1@0") << QStringLiteral("batchnorm bn1@0")
                << QStringLiteral("consumer layer2.0.conv1@0") << QStringLiteral("consumer layer2.1.conv1@8")
                << QStringLiteral("consumer layer2.2.conv1@8") << QStringLiteral("consumer layer3.0.conv1@8")
                << QStringLiteral("consumer layer3.1.conv1@24") << QStringLiteral("consumer layer3.2.conv1@24")
                << QStringLiteral("linear linear@24/1");
        QTest::newRow(qPrintable(c20 + QStringLiteral(" stage 1 stream through pads")))
            << c20 << QStringLiteral("producer conv1@0") << 16 << true << stream1 << 14;
        QStringList front2;
        for (const char *b : {"layer2.0", "layer2.1", "layer2.2"})
            front2 << QStringLiteral("producer %1.conv2@0").arg(QLatin1String(b))
                   << QStringLiteral("batchnorm %1.bn2@0").arg(QLatin1String(b));
        for (const char *b : {"layer3.0", "layer3.1", "layer3.2"})
            front2 << QStringLiteral("producer %1.conv2@16").arg(QLatin1String(b))
                   << QStringLiteral("batchnorm %1.bn2@16").arg(QLatin1String(b));
        front2 << QStringLiteral("pad pad#0.front@0") << QStringLiteral("consumer layer2.1.conv1@0")
               << QStringLiteral("consumer layer2.2.conv1@0") << QStringLiteral("consumer layer3.0.conv1@0")
               << QStringLiteral("consumer layer3.1.conv1@16") << QStringLiteral("consumer layer3.2.conv1@16")
               << QStringLiteral("linear linear@16/1");
        QTest::newRow(qPrintable(c20 + QStringLiteral(" stage 2 front zeros")))
            << c20 << QStringLiteral("pad pad#0.front@0") << 8 << true << front2 << 14;

        // concats: a dense layer's new channels are read at their offset by every later layer
        const QString dn = QStringLiteral("densenet121_%1.pt").arg(QLatin1String(form));
        QStringList conv2 = {QStringLiteral("producer features.denseblock1.denselayer1.conv2@0")};
        for (int l = 2; l <= 6; ++l)
            conv2 << QStringLiteral("consumer features.denseblock1.denselayer%1.conv1@64").arg(l)
                  << QStringLiteral("batchnorm features.denseblock1.denselayer%1.norm1@64").arg(l);
        conv2 << QStringLiteral("consumer features.transition1.conv@64")
              << QStringLiteral("batchnorm features.transition1.norm@64");
        QTest::newRow(qPrintable(dn + QStringLiteral(" concat offsets")))
            << dn << QStringLiteral("producer features.denseblock1.denselayer1.conv2@0") << 32 << false << conv2
            << 120;

        // inverted residuals: expansion -> depthwise -> projection; projections joined by the skip
        const QString mb = QStringLiteral("mobilenet_v2_%1.pt").arg(QLatin1String(form));
        QTest::newRow(qPrintable(mb + QStringLiteral(" expansion through depthwise")))
            << mb << QStringLiteral("producer features.2.conv.0.0@0") << 96 << false
            << QStringList{QStringLiteral("producer features.2.conv.0.0@0"),
                           QStringLiteral("batchnorm features.2.conv.0.1@0"),
                           QStringLiteral("depthwise features.2.conv.1.0@0"),
                           QStringLiteral("batchnorm features.2.conv.1.1@0"),
                           QStringLiteral("consumer features.2.conv.2@0")}
            << 25;
        QTest::newRow(qPrintable(mb + QStringLiteral(" skip-joined projections")))
            << mb << QStringLiteral("producer features.2.conv.2@0") << 24 << true
            << QStringList{QStringLiteral("producer features.2.conv.2@0"), QStringLiteral("batchnorm features.2.conv.3@0"),
                           QStringLiteral("producer features.3.conv.2@0"), QStringLiteral("batchnorm features.3.conv.3@0"),
                           QStringLiteral("consumer features.3.conv.0.0@0"),
                           QStringLiteral("consumer features.4.conv.0.0@0")}
            << 25;
    }
}

void TestChannelDeps::families()
{
    QFETCH(QString, file);
    QFETCH(QString, anyMember);
    QFETCH(int, channels);
    QFETCH(bool, residual);
    QFETCH(QStringList, expected);
    QFETCH(int, familyCount);
    const gkp::Model model = gkp::Model::load(fixture(file));
    const gkp::Inventory &inv = model.inventory();
    const gkp::ChannelDependencies &deps = model.channelDependencies();
    QCOMPARE(int(deps.families.size()), familyCount);
    const gkp::ChannelFamily *f = familyWith(deps, inv, anyMember.toStdString());
    QVERIFY2(f, qPrintable(anyMember));
    QCOMPARE(f->channels, int64_t(channels));
    QCOMPARE(f->residual, residual);
    QVERIFY2(f->prunable, f->reason.c_str());
    QCOMPARE(members(*f, inv), parseSet(expected));
}

void TestChannelDeps::blockedChannels()
{
    // MobileNet-V2's last 1x1 conv feeds a flatten + linear after dropout: prunable; its input
    // layer (the stem) reads the network input, which is never a family member.
    const gkp::Model mb = gkp::Model::load(fixture(QStringLiteral("mobilenet_v2_traced.pt")));
    for (const gkp::ChannelFamily &f : mb.channelDependencies().families)
        for (const gkp::ChannelMember &m : f.members)
            QVERIFY(!(m.kind == gkp::ChannelMember::Kind::Consumer && m.layer == 0)); // the stem's input
    // The transposed/grouped fixture: channels a grouped conv reads cannot be removed alone.
    const gkp::Model tr = gkp::Model::load(fixture(QStringLiteral("transposed_traced.pt")));
    const gkp::ChannelFamily *enc = tr.channelDependencies().producedBy(0);
    QVERIFY(enc);
    QVERIFY(!enc->prunable);
    QVERIFY2(enc->reason.find("grouped") != std::string::npos, enc->reason.c_str());
}

void TestChannelDeps::cachedOnTheModel()
{
    const gkp::Model model = gkp::Model::load(fixture(QStringLiteral("senet_traced.pt")));
    QCOMPARE(&model.channelDependencies(), &model.channelDependencies());
}

QTEST_GUILESS_MAIN(TestChannelDeps)
#include "tst_channeldeps.moc"
