// The data-parallel building blocks (core/dist): torchrun's environment, the sampler, and, with
// two ranks as threads of this process on loopback, joining, bucketed gradient sums and
// synchronised BatchNorm against one process on the whole batch.

#include "data/datasetspec.h"
#include "datasetfixture.h"
#include "dist/communicator.h"
#include "dist/environment.h"
#include "dist/gradientbuckets.h"
#include "dist/sampler.h"
#include "dist/syncbatchnorm.h"
#include "freeport.h"

#include <QtTest>
#include <chrono>
#include <future>
#include <map>
#include <set>
#include <torch/torch.h>

using namespace std::chrono_literals;

namespace {

using Env = std::map<std::string, std::string>;

gkp::EnvironmentLookup lookupIn(const Env &env)
{
    return [env](const char *name) -> std::optional<std::string> {
        auto it = env.find(name);
        if (it == env.end())
            return std::nullopt;
        return it->second;
    };
}

gkp::DistributedEnvironment loopback(int rank, uint16_t port)
{
    gkp::DistributedEnvironment env;
    env.rank = rank;
    env.world_size = 2;
    env.master_addr = "127.0.0.1";
    env.master_port = port;
    return env;
}

// fn(rank, communicator) on two ranks of a loopback job, rank 1 on a thread of its own.
template <typename F> auto onTwoRanks(F fn)
{
    const uint16_t port = freeLoopbackPort();
    auto run = [&](int rank) {
        std::unique_ptr<gkp::Communicator> c = gkp::Communicator::join(loopback(rank, port), 20s);
        return fn(rank, *c);
    };
    auto second = std::async(std::launch::async, run, 1);
    auto first = run(0);
    return std::array<decltype(first), 2>{first, second.get()};
}

gkp::Dataset evalImages()
{
    return gkp::loadDataset(gkp::parseDatasetSpec("idx:" + datasetPath("eval/images.idx3") + "," +
                                                  datasetPath("eval/labels.idx1") + ",mean=0.5,std=0.25"));
}

// Gradients (by parameter name) and BatchNorm buffers after one backward pass.
using State = std::map<std::string, torch::Tensor>;

State gradientsAndBuffers(const torch::jit::Module &m)
{
    State s;
    for (const auto &p : m.named_parameters(true))
        s["grad:" + p.name] = p.value.grad().defined() ? p.value.grad().clone() : torch::zeros_like(p.value);
    for (const auto &b : m.named_buffers(true))
        s["buffer:" + b.name] = b.value.clone();
    return s;
}

double maxDifference(const State &a, const State &b)
{
    double d = 0.0;
    for (const auto &[name, t] : a)
        d = std::max(d, (t.to(torch::kDouble) - b.at(name).to(torch::kDouble)).abs().max().item<double>());
    return d;
}

torch::Tensor crossEntropy(torch::jit::Module &m, const torch::Tensor &x, const torch::Tensor &y)
{
    return torch::nn::functional::cross_entropy(m.forward({x}).toTensor(), y);
}

} // namespace

class TestDistributed : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void environment_data()
    {
        QTest::addColumn<QString>("variables"); // NAME=VALUE;NAME=VALUE
        QTest::addColumn<QString>(
            "expected"); // "alone", "rank R of W at HOST:PORT[ agent]", or "error: words"
        QTest::newRow("nothing set") << u""_qs << u"alone"_qs;
        QTest::newRow("one rank") << u"RANK=0;WORLD_SIZE=1"_qs << u"alone"_qs;
        QTest::newRow("torchrun")
            << u"RANK=1;WORLD_SIZE=2;LOCAL_RANK=1;MASTER_ADDR=127.0.0.1;MASTER_PORT=29511"_qs
            << u"rank 1 of 2 at 127.0.0.1:29511"_qs;
        QTest::newRow("agent store")
            << u"RANK=0;WORLD_SIZE=4;LOCAL_RANK=0;MASTER_ADDR=node0;MASTER_PORT=29400;TORCHELASTIC_USE_AGENT_STORE=True;TORCHELASTIC_RESTART_COUNT=3"_qs
            << u"rank 0 of 4 at node0:29400 agent 3"_qs;
        QTest::newRow("rank not a number")
            << u"RANK=one;WORLD_SIZE=2;MASTER_ADDR=127.0.0.1;MASTER_PORT=29511"_qs << u"error: RANK='one'"_qs;
        QTest::newRow("rank too large")
            << u"RANK=2;WORLD_SIZE=2;MASTER_ADDR=127.0.0.1;MASTER_PORT=29511"_qs << u"error: RANK='2'"_qs;
        QTest::newRow("world size zero") << u"RANK=0;WORLD_SIZE=0"_qs << u"error: WORLD_SIZE='0'"_qs;
        QTest::newRow("rank without world size") << u"RANK=0"_qs << u"error: WORLD_SIZE is not set"_qs;
        QTest::newRow("no master address")
            << u"RANK=0;WORLD_SIZE=2;MASTER_PORT=29511"_qs << u"error: MASTER_ADDR is not set"_qs;
        QTest::newRow("port out of range")
            << u"RANK=0;WORLD_SIZE=2;MASTER_ADDR=127.0.0.1;MASTER_PORT=70000"_qs
            << u"error: MASTER_PORT='70000'"_qs;
        QTest::newRow("port not a number")
            << u"RANK=0;WORLD_SIZE=2;MASTER_ADDR=127.0.0.1;MASTER_PORT=29511x"_qs
            << u"error: MASTER_PORT='29511x'"_qs;
    }
    void environment()
    {
        QFETCH(QString, variables);
        QFETCH(QString, expected);
        Env env;
        for (const QString &item : variables.split(u';', Qt::SkipEmptyParts))
            env[item.section(u'=', 0, 0).toStdString()] = item.section(u'=', 1).toStdString();
        QString got;
        try {
            const std::optional<gkp::DistributedEnvironment> e = gkp::distributedEnvironment(lookupIn(env));
            if (!e)
                got = u"alone"_qs;
            else
                got = QString::fromStdString(
                    e->describe() + " at " + e->master_addr + ":" + std::to_string(e->master_port) +
                    (e->agent_store ? " agent " + std::to_string(e->restart_count) : ""));
        } catch (const gkp::Error &e) {
            got = u"error: "_qs + QString::fromUtf8(e.what());
        }
        QVERIFY2(expected.startsWith(u"error: "_qs)
                     ? got.contains(expected.mid(7)) && got.startsWith(u"error: "_qs)
                     : got == expected,
                 qPrintable(got));
    }

    void samplerDealsEachSampleOnce_data()
    {
        QTest::addColumn<int>("samples");
        QTest::addColumn<int>("batch");
        QTest::addColumn<int>("ranks");
        QTest::newRow("50 images, 8 x 2 ranks") << 50 << 8 << 2;
        QTest::newRow("49 images: a rank gets none at the end") << 49 << 8 << 2;
        QTest::newRow("10 images, 3 x 4 ranks") << 10 << 3 << 4;
        QTest::newRow("fewer images than ranks") << 2 << 5 << 3;
        QTest::newRow("one rank") << 17 << 4 << 1;
    }
    void samplerDealsEachSampleOnce()
    {
        QFETCH(int, samples);
        QFETCH(int, batch);
        QFETCH(int, ranks);
        const torch::Tensor order = torch::randperm(samples, torch::kLong);
        const gkp::DistributedSampler one(samples, int64_t(batch) * ranks, 0,
                                          1); // one process, batch x ranks
        std::multiset<int64_t> seen;
        for (int r = 0; r < ranks; ++r)
            QCOMPARE(gkp::DistributedSampler(samples, batch, r, ranks).stepsPerEpoch(), one.stepsPerEpoch());
        for (int64_t step = 0; step < one.stepsPerEpoch(); ++step) {
            // this step's samples over all ranks = the one process's batch, shares differ by one at most
            std::set<int64_t> together;
            int64_t least = batch, most = 0;
            for (int r = 0; r < ranks; ++r) {
                const torch::Tensor mine =
                    gkp::DistributedSampler(samples, batch, r, ranks).localIndices(order, step);
                least = std::min(least, mine.numel());
                most = std::max(most, mine.numel());
                for (int64_t i = 0; i < mine.numel(); ++i) {
                    together.insert(mine[i].item<int64_t>());
                    seen.insert(mine[i].item<int64_t>());
                }
            }
            const torch::Tensor reference = one.localIndices(order, step);
            std::set<int64_t> expected;
            for (int64_t i = 0; i < reference.numel(); ++i)
                expected.insert(reference[i].item<int64_t>());
            QCOMPARE(together, expected);
            QVERIFY(most - least <= 1);
        }
        QCOMPARE(int(seen.size()), samples);
        QCOMPARE(int(std::set<int64_t>(seen.begin(), seen.end()).size()), samples); // none twice
        // one rank: exactly the one-process order
        const torch::Tensor alone = gkp::DistributedSampler(samples, batch, 0, 1).localIndices(order, 0);
        QVERIFY(torch::equal(alone, order.narrow(0, 0, std::min(batch, samples))));
    }

    void joinFailsClearly()
    {
        // rank 1 of a job whose rank 0 never comes
        const auto start = std::chrono::steady_clock::now();
        try {
            gkp::Communicator::join(loopback(1, freeLoopbackPort()), 1s);
            QFAIL("joined without a rank 0");
        } catch (const gkp::Error &e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(u"rank 1 of 2: cannot join"_qs), e.what());
        }
        // rank 0 whose rank 1 never comes
        try {
            gkp::Communicator::join(loopback(0, freeLoopbackPort()), 1s);
            QFAIL("joined without a rank 1");
        } catch (const gkp::Error &e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(u"rank 0 of 2: cannot join"_qs), e.what());
        }
        QVERIFY(std::chrono::steady_clock::now() - start < 20s);
    }

    void collectiveFailsWhenARankLeaves()
    {
        const uint16_t port = freeLoopbackPort();
        auto second = std::async(std::launch::async, [&] {
            gkp::Communicator::join(loopback(1, port), 20s); // joins, then leaves at once
        });
        std::unique_ptr<gkp::Communicator> c = gkp::Communicator::join(loopback(0, port), 20s);
        second.get();
        const auto start = std::chrono::steady_clock::now();
        torch::Tensor t = torch::ones({4});
        try {
            c->allReduceSum(t, "the test all-reduce");
            QFAIL("an all-reduce without the other rank succeeded");
        } catch (const gkp::Error &e) {
            QVERIFY2(QString::fromUtf8(e.what()).startsWith(u"rank 0 of 2: the test all-reduce failed"_qs),
                     e.what());
        }
        // noticed from the closed connection, not after the 20 s timeout
        QVERIFY(std::chrono::steady_clock::now() - start < 10s);
    }

    void gradientBucketsSumOverRanks()
    {
        const auto results = onTwoRanks([](int rank, gkp::Communicator &c) {
            std::vector<torch::Tensor> params{torch::zeros({10}), torch::zeros({10}), torch::zeros({100}),
                                              torch::zeros({3})};
            for (std::size_t k = 0; k < 3; ++k)
                params[k].mutable_grad() = torch::full_like(params[k], double(rank + 1) * double(k + 1));
            // params[3] has no gradient: counts as zeros
            gkp::GradientBuckets buckets(params, 100); // bytes: 12 | 400 | 40 + 40
            buckets.allReduceSum(c);
            std::vector<torch::Tensor> grads;
            for (auto &p : params)
                grads.push_back(p.grad());
            return std::make_pair(buckets.buckets(), grads);
        });
        for (const auto &[buckets, grads] : results) {
            QCOMPARE(buckets, std::size_t(3));
            for (std::size_t k = 0; k < 3; ++k)
                QVERIFY(torch::equal(grads[k],
                                     torch::full_like(grads[k], 3.0 * double(k + 1)))); // (1 + 2)(k + 1)
            QVERIFY(torch::equal(grads[3], torch::zeros({3})));
        }
    }

    void syncBatchNormMatchesOneProcess_data()
    {
        QTest::addColumn<int>("first");  // samples of rank 0
        QTest::addColumn<int>("second"); // samples of rank 1
        QTest::newRow("4 + 4") << 4 << 4;
        QTest::newRow("5 + 3") << 5 << 3;
        QTest::newRow("6 + 0: rank 1 stands in") << 6 << 0;
    }
    void syncBatchNormMatchesOneProcess()
    {
        QFETCH(int, first);
        QFETCH(int, second);
        const std::string path = datasetPath("eval/bnnet.pt");
        const gkp::Dataset data = evalImages();
        const int64_t total = first + second;
        const torch::Tensor x = data.images.narrow(0, 0, total), y = data.labels.narrow(0, 0, total);

        // one process, the whole batch, LibTorch's own BatchNorm
        torch::jit::Module reference = torch::jit::load(path);
        reference.train();
        crossEntropy(reference, x, y).backward();
        const State expected = gradientsAndBuffers(reference);

        const auto results = onTwoRanks([&](int rank, gkp::Communicator &c) {
            torch::jit::Module m = torch::jit::load(path);
            int replaced = 0;
            torch::jit::Module synced = gkp::withSyncBatchNorm(m, &replaced);
            synced.train();
            const int64_t count = rank == 0 ? first : second;
            const int64_t offset = rank == 0 ? 0 : first;
            const bool contributes = count > 0;
            const torch::Tensor mx = contributes ? x.narrow(0, offset, count) : x.narrow(0, 0, 1);
            const torch::Tensor my = contributes ? y.narrow(0, offset, count) : y.narrow(0, 0, 1);
            {
                gkp::SyncBatchNormScope scope(c, contributes);
                (crossEntropy(synced, mx, my) * (double(count) / double(total))).backward();
            }
            std::vector<torch::Tensor> params;
            for (const auto &p : m.parameters(true))
                params.push_back(p);
            gkp::GradientBuckets(params, 256).allReduceSum(c);
            // eval mode: plain BatchNorm on the (updated) running statistics, no collectives
            synced.eval();
            m.eval();
            torch::NoGradGuard noGrad;
            const bool evalSame = torch::equal(synced.forward({x}).toTensor(), m.forward({x}).toTensor());
            return std::make_tuple(replaced, gradientsAndBuffers(m), evalSame);
        });
        for (int rank = 0; rank < 2; ++rank) {
            const auto &[replaced, got, evalSame] = results[std::size_t(rank)];
            QCOMPARE(replaced, 2);
            const double d = maxDifference(got, expected);
            QVERIFY2(d < 1e-5, qPrintable(u"rank %1 differs from one process by %2"_qs.arg(rank).arg(d)));
            QVERIFY(evalSame);
        }
        QCOMPARE(maxDifference(std::get<1>(results[0]), std::get<1>(results[1])), 0.0);

        if (first == second) {
            // without synchronisation each half has its own statistics: the comparison above would see it
            State unsynced;
            for (int half = 0; half < 2; ++half) {
                torch::jit::Module m = torch::jit::load(path);
                m.train();
                (crossEntropy(m, x.narrow(0, half * first, first), y.narrow(0, half * first, first)) * 0.5)
                    .backward();
                for (const auto &[name, t] : gradientsAndBuffers(m))
                    unsynced[name] =
                        unsynced.count(name) && name.rfind("grad:", 0) == 0 ? unsynced[name] + t : t;
            }
            QVERIFY(maxDifference(unsynced, expected) > 1e-3);
        }
    }
};

QTEST_GUILESS_MAIN(TestDistributed)
#include "tst_distributed.moc"
