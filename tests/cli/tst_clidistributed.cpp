// gkp finetune and gkp sensitivity as data-parallel jobs: two ranks started the way torchrun
// starts them (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT on 127.0.0.1), against one
// process; and the ways such a job goes wrong (bad variables, no master, a rank that dies) ending
// in one clear error line and no output file. Every process is bounded in time and killed if it
// outlives its test.

#include "clirunner.h"
#include "datasetfixture.h"
#include "freeport.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcessEnvironment>
#include <QTemporaryDir>
#include <QtTest>
#include <memory>
#include <torch/script.h>

namespace {

QString ds(const std::string &relative)
{
    return QString::fromStdString(datasetPath(relative));
}

QString evalSpec()
{
    return u"idx:"_qs + ds("eval/images.idx3") + u","_qs + ds("eval/labels.idx1") + u",mean=0.5,std=0.25"_qs;
}

QString plantedSpec()
{
    return u"idx:"_qs + ds("eval/images.idx3") + u","_qs + ds("eval/planted_labels.idx1") +
           u",mean=0.5,std=0.25"_qs;
}

// A gkp process; killed when its test ends early.
class GkpProcess
{
public:
    // rank < 0: alone, without any of torchrun's variables.
    GkpProcess(const QStringList &args, int rank = -1, uint16_t port = 0, int worldSize = 2)
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const char *v : {"RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT",
                              "TORCHELASTIC_USE_AGENT_STORE"})
            env.remove(QString::fromLatin1(v));
        env.insert(u"OMP_NUM_THREADS"_qs, u"1"_qs); // as torchrun sets it
        if (rank >= 0) {
            env.insert(u"RANK"_qs, QString::number(rank));
            env.insert(u"LOCAL_RANK"_qs, QString::number(rank));
            env.insert(u"WORLD_SIZE"_qs, QString::number(worldSize));
            env.insert(u"MASTER_ADDR"_qs, u"127.0.0.1"_qs);
            env.insert(u"MASTER_PORT"_qs, QString::number(port));
        }
        m_process.setProcessEnvironment(env);
        m_process.start(QStringLiteral(GKP_CLI_PATH), args);
        m_process.closeWriteChannel();
    }
    ~GkpProcess()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }
    QProcess &process() { return m_process; }

    CliResult finish(int timeoutMs = 120000)
    {
        CliResult r;
        if (!m_process.waitForFinished(timeoutMs)) {
            m_process.kill();
            m_process.waitForFinished(5000);
            r.crashed = true;
        }
        r.crashed = r.crashed || m_process.exitStatus() == QProcess::CrashExit;
        r.exitCode = m_process.exitCode();
        r.out = m_out + QString::fromUtf8(m_process.readAllStandardOutput());
        r.err = m_err + QString::fromUtf8(m_process.readAllStandardError());
        return r;
    }
    // Waits until stderr shows `text` (keeping what was read).
    bool waitForStderr(const QString &text, int timeoutMs)
    {
        QElapsedTimer t;
        t.start();
        while (!m_err.contains(text) && t.elapsed() < timeoutMs &&
               m_process.state() != QProcess::NotRunning) {
            m_process.waitForReadyRead(200);
            m_err += QString::fromUtf8(m_process.readAllStandardError());
            m_out += QString::fromUtf8(m_process.readAllStandardOutput());
        }
        return m_err.contains(text);
    }

private:
    QProcess m_process;
    QString m_out, m_err;
};

// Both ranks with the same arguments, except `perRank` (appended, %1 = rank).
std::array<CliResult, 2> runTwoRanks(const QStringList &args, const QStringList &perRank,
                                     int timeoutMs = 120000)
{
    const uint16_t port = freeLoopbackPort();
    std::array<std::unique_ptr<GkpProcess>, 2> ranks;
    for (int r = 0; r < 2; ++r) {
        QStringList a = args;
        for (const QString &p : perRank)
            a << p.arg(r);
        ranks[std::size_t(r)] = std::make_unique<GkpProcess>(a, r, port);
    }
    return {ranks[0]->finish(timeoutMs), ranks[1]->finish(timeoutMs)};
}

// As checkOneErrorLine (clirunner.h), but it counts "gkp: error" lines, not every "error".
void checkOneGkpErrorLine(const CliResult &r, const QString &mustMention)
{
    QVERIFY2(r.exitCode == 1 && !r.crashed, qPrintable(r.err));
    const QStringList lines = r.err.trimmed().split(u'\n');
    QVERIFY2(lines.last().startsWith(u"gkp: error: "_qs), qPrintable(r.err));
    QVERIFY2(lines.last().contains(mustMention), qPrintable(r.err));
    QCOMPARE(r.err.count(u"gkp: error"_qs), 1);
}

using State = std::map<std::string, torch::Tensor>;

State stateOf(const QString &path)
{
    torch::jit::Module m = torch::jit::load(path.toStdString());
    State s;
    for (const auto &p : m.named_parameters(true))
        s[p.name] = p.value.detach().clone();
    for (const auto &b : m.named_buffers(true))
        s[b.name] = b.value.detach().clone();
    return s;
}

double maxDifference(const State &a, const State &b)
{
    double d = 0.0;
    for (const auto &[name, t] : a)
        d = std::max(d, (t.to(torch::kDouble) - b.at(name).to(torch::kDouble)).abs().max().item<double>());
    return d;
}

QString lineWith(const QString &text, const QString &start)
{
    for (const QString &l : text.split(u'\n'))
        if (l.startsWith(start))
            return l;
    return {};
}

} // namespace

class TestCliDistributed : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString path(const QString &name) const { return m_dir.filePath(name); }

    // A .pt or temporary file left in the directory besides the inputs.
    QStringList outputsIn() const
    {
        QStringList out;
        for (const QString &f : QDir(m_dir.path()).entryList(QDir::Files))
            if (f != u"trainable.pt"_qs && f != u"plan.json"_qs)
                out << f;
        return out;
    }

    // --limit `limit` (none when 0), --dist-timeout `timeout` seconds
    QStringList finetuneArgs(int limit, int batch, int epochs = 2, int timeout = 60) const
    {
        QStringList a{u"finetune"_qs, path(u"trainable.pt"_qs), u"--dataset"_qs, evalSpec(), u"--val-limit"_qs,
                      u"37"_qs, u"--epochs"_qs, QString::number(epochs), u"--batch"_qs, QString::number(batch),
                      u"--lr"_qs, u"0.05"_qs, u"--seed"_qs, u"7"_qs, u"--bucket-mb"_qs, u"0.0005"_qs,
                      u"--dist-timeout"_qs, QString::number(timeout)};
        if (limit > 0)
            a << u"--limit"_qs << QString::number(limit);
        return a;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        // bnnet: conv -> BatchNorm twice; conv2 pruned to 2 of 4 input channels per group (G = 2)
        CliResult r = runGkp({u"plan"_qs, ds("eval/bnnet.pt"), u"--ratio"_qs, u"0.5"_qs, u"--groups"_qs,
                              u"2"_qs, u"--select"_qs, u"l2"_qs, u"-q"_qs, u"-o"_qs, path(u"plan.json"_qs)});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        r = runGkp({u"export"_qs, ds("eval/bnnet.pt"), u"--plan"_qs, path(u"plan.json"_qs), u"--mode"_qs,
                    u"trainable"_qs, u"--form"_qs, u"grouped"_qs, u"-o"_qs, path(u"trainable.pt"_qs)});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    }
    void cleanup()
    {
        for (const QString &f : outputsIn())
            QFile::remove(path(f));
    }

    void twoRanksEqualOneProcess_data()
    {
        QTest::addColumn<int>("limit");
        QTest::newRow("50 images: the last global batch is 1 + 1") << 50;
        QTest::newRow("49 images: rank 1 has none in the last step") << 49;
    }
    void twoRanksEqualOneProcess()
    {
        QFETCH(int, limit);
        const int batch = 8;
        const auto ranks = runTwoRanks(finetuneArgs(limit, batch), {u"-o"_qs, path(u"rank%1.pt"_qs)});
        for (const CliResult &r : ranks)
            QVERIFY2(r.exitCode == 0 && !r.crashed, qPrintable(r.err));
        const CliResult alone =
            GkpProcess(finetuneArgs(limit, 2 * batch) << u"-o"_qs << path(u"alone.pt"_qs)).finish();
        QVERIFY2(alone.exitCode == 0, qPrintable(alone.err));

        // rank 0 wrote; rank 1 wrote nothing and printed nothing on stdout
        QVERIFY(QFile::exists(path(u"rank0.pt"_qs)));
        QVERIFY(!QFile::exists(path(u"rank1.pt"_qs)));
        QCOMPARE(ranks[1].out, QString());
        QVERIFY2(
            ranks[0].out.contains(u"data-parallel over 2 ranks: global batch 16 (8 per rank), 2 BatchNorm "
                                  u"synchronised"_qs),
            qPrintable(ranks[0].out));
        QVERIFY2(ranks[0].out.contains(u"ranks differ by 0 "_qs), qPrintable(ranks[0].out));

        // the same weights and BatchNorm statistics as one process with the global batch
        const State distributed = stateOf(path(u"rank0.pt"_qs)), single = stateOf(path(u"alone.pt"_qs));
        const State start = stateOf(path(u"trainable.pt"_qs));
        const double d = maxDifference(distributed, single);
        QVERIFY2(d < 1e-4, qPrintable(u"max difference %1"_qs.arg(d)));
        QVERIFY(maxDifference(distributed, start) > 1e-2); // and training did move them
        // sharded validation counts the same images
        const QString validation = lineWith(ranks[0].out, u"validation top-1"_qs);
        QVERIFY(!validation.isEmpty());
        QCOMPARE(validation, lineWith(alone.out, u"validation top-1"_qs));
        // pruned kernels stayed absent: conv2 holds 2 input channels per group, as exported
        QCOMPARE(distributed.at("conv2.weight").sizes().vec(), (std::vector<int64_t>{8, 2, 3, 3}));
        QVERIFY2(ranks[0].out.contains(
                     u"1 with the pruned kernels absent (grouped), 0 masked-dense, 0 nonzero"_qs),
                 qPrintable(ranks[0].out));

        // the comparison can fail: one process with the per-rank batch ends elsewhere
        const CliResult small =
            GkpProcess(finetuneArgs(limit, batch) << u"-o"_qs << path(u"small.pt"_qs)).finish();
        QVERIFY2(small.exitCode == 0, qPrintable(small.err));
        QVERIFY(maxDifference(stateOf(path(u"small.pt"_qs)), single) > 1e-3);
    }

    void aRankDies_data()
    {
        QTest::addColumn<int>("victim");
        QTest::newRow("rank 1 killed") << 1;
        QTest::newRow("rank 0 killed") << 0;
    }
    void aRankDies()
    {
        QFETCH(int, victim);
        const uint16_t port = freeLoopbackPort();
        // long enough to be killed in the middle: 25 steps per epoch, 400 epochs
        std::array<std::unique_ptr<GkpProcess>, 2> ranks;
        for (int r = 0; r < 2; ++r)
            ranks[std::size_t(r)] = std::make_unique<GkpProcess>(
                finetuneArgs(50, 1, 400) << u"-o"_qs << path(u"out.pt"_qs), r, port);
        QVERIFY2(ranks[0]->waitForStderr(u"step 20/"_qs, 60000), "rank 0 never reported progress");
        ranks[std::size_t(victim)]->process().kill();
        QElapsedTimer t;
        t.start();
        const CliResult survivor = ranks[std::size_t(1 - victim)]->finish(30000);
        ranks[std::size_t(victim)]->finish(5000);
        checkOneGkpErrorLine(survivor, u"rank %1 of 2: "_qs.arg(1 - victim));
        QVERIFY2(survivor.err.contains(u"another rank stopped"_qs), qPrintable(survivor.err));
        QVERIFY2(t.elapsed() < 20000,
                 "the survivor waited for its timeout instead of noticing the closed connection");
        QCOMPARE(outputsIn(), QStringList());
    }

    void ranksDisagree()
    {
        // rank 0 trains on 40 images, rank 1 on 41: both stop before training, nothing written
        const auto ranks = runTwoRanks(finetuneArgs(0, 8), {u"--limit"_qs, u"4%1"_qs, u"-o"_qs, path(u"out%1.pt"_qs)});
        for (const CliResult &r : ranks)
            checkOneGkpErrorLine(r, u"the ranks disagree on training images (rank 0: 40, rank 1: 41)"_qs);
        QCOMPARE(outputsIn(), QStringList());
    }

    void badEnvironment_data()
    {
        QTest::addColumn<QStringList>("variables");
        QTest::addColumn<QString>("mention");
        QTest::newRow("rank not a number")
            << QStringList{u"RANK=first"_qs, u"WORLD_SIZE=2"_qs} << u"RANK='first'"_qs;
        QTest::newRow("rank beyond the world")
            << QStringList{u"RANK=2"_qs, u"WORLD_SIZE=2"_qs} << u"RANK='2'"_qs;
        QTest::newRow("no master address")
            << QStringList{u"RANK=0"_qs, u"WORLD_SIZE=2"_qs, u"MASTER_PORT=29500"_qs}
            << u"MASTER_ADDR is not set"_qs;
        QTest::newRow("bad port") << QStringList{u"RANK=0"_qs, u"WORLD_SIZE=2"_qs,
                                                 u"MASTER_ADDR=127.0.0.1"_qs, u"MASTER_PORT=65536"_qs}
                                  << u"MASTER_PORT='65536'"_qs;
    }
    void badEnvironment()
    {
        QFETCH(QStringList, variables);
        QFETCH(QString, mention);
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const QString &v : variables)
            env.insert(v.section(u'=', 0, 0), v.section(u'=', 1));
        p.setProcessEnvironment(env);
        p.start(QStringLiteral(GKP_CLI_PATH), finetuneArgs(50, 8) << u"-o"_qs << path(u"out.pt"_qs));
        QVERIFY(p.waitForFinished(30000));
        CliResult r;
        r.exitCode = p.exitCode();
        r.err = QString::fromUtf8(p.readAllStandardError());
        checkOneGkpErrorLine(r, mention);
        QCOMPARE(outputsIn(), QStringList());
    }

    void unreachableMaster()
    {
        QElapsedTimer t;
        t.start();
        // rank 1 of a job whose rank 0 never starts, and rank 0 of a job whose rank 1 never starts
        for (int rank = 0; rank < 2; ++rank) {
            const CliResult r = GkpProcess(finetuneArgs(50, 8, 2, 2) << u"-o"_qs << path(u"out.pt"_qs), rank,
                                           freeLoopbackPort())
                                    .finish(30000);
            checkOneGkpErrorLine(r, u"rank %1 of 2: cannot join"_qs.arg(rank));
        }
        QVERIFY(t.elapsed() < 40000);
        QCOMPARE(outputsIn(), QStringList());
    }

    void sensitivityTwoRanksEqualOneProcess_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::newRow("planted, 2 layers x 3 ratios") << QStringList{
            u"sensitivity"_qs, ds("eval/planted.pt"), u"--dataset"_qs, plantedSpec(),  u"--select"_qs,
            u"l2"_qs,          u"--groups"_qs,        u"2"_qs,         u"--ratios"_qs, u"0.25,0.5,0.75"_qs,
            u"--json"_qs};
        QTest::newRow("bnnet, BatchNorm recalibrated per variant")
            << QStringList{u"sensitivity"_qs, ds("eval/bnnet.pt"),      u"--dataset"_qs,
                           evalSpec(),        u"--groups"_qs,           u"2"_qs,
                           u"--ratios"_qs,    u"0.25,0.5,0.75"_qs,      u"--recalibrate-bn"_qs,
                           u"20"_qs,          u"--calibration-data"_qs, evalSpec(),
                           u"--csv"_qs};
    }
    void sensitivityTwoRanksEqualOneProcess()
    {
        QFETCH(QStringList, args);
        const auto ranks = runTwoRanks(args, {u"-o"_qs, path(u"rank%1.txt"_qs)});
        for (const CliResult &r : ranks)
            QVERIFY2(r.exitCode == 0 && !r.crashed, qPrintable(r.err));
        const CliResult alone = GkpProcess(QStringList(args) << u"-o"_qs << path(u"alone.txt"_qs)).finish();
        QVERIFY2(alone.exitCode == 0, qPrintable(alone.err));
        QVERIFY(!QFile::exists(path(u"rank1.txt"_qs)));
        QFile a(path(u"rank0.txt"_qs)), b(path(u"alone.txt"_qs));
        QVERIFY(a.open(QIODevice::ReadOnly) && b.open(QIODevice::ReadOnly));
        const QByteArray merged = a.readAll();
        QCOMPARE(merged, b.readAll());
        QVERIFY(merged.count('\n') >= 3);
    }
};

QTEST_GUILESS_MAIN(TestCliDistributed)
#include "tst_clidistributed.moc"
