#include "util/error.h"
#include "engine/gram.h"
#include "engine/kernelselection.h"
#include "testutil.h"

#include <QtTest>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <random>

Q_DECLARE_METATYPE(std::vector<int>)

namespace {

// Hand case (symmetric, unit diagonal):
//        0     1     2     3
//   0  1.0   0.5   0.2   0.9
//   1  0.5   1.0  -0.3   0.4
//   2  0.2  -0.3   1.0   0.1
//   3  0.9   0.4   0.1   1.0
const std::vector<double> kSim4 = {1.0, 0.5, 0.2, 0.9, 0.5, 1.0, -0.3, 0.4,
                                   0.2, -0.3, 1.0, 0.1, 0.9, 0.4, 0.1, 1.0};

std::vector<double> randomSim(int n, uint64_t seed)
{
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(-1.0, 1.0);
    std::vector<double> s(size_t(n) * n);
    for (int i = 0; i < n; ++i) {
        s[size_t(i) * n + i] = 1.0;
        for (int j = i + 1; j < n; ++j)
            s[size_t(i) * n + j] = s[size_t(j) * n + i] = u(rng);
    }
    return s;
}

// Independent, deliberately naive greedy (spec steps 3-5), costing every start with greedyCost.
gkp::GreedyResult naiveGreedy(const std::vector<double> &sim, int n, int keep, double lambda)
{
    gkp::GreedyResult best;
    best.cost = INFINITY;
    for (int s = 0; s < n; ++s) {
        std::vector<int> set{s};
        while (int(set.size()) < keep) {
            int arg = -1;
            double low = INFINITY;
            for (int j = 0; j < n; ++j) {
                if (std::find(set.begin(), set.end(), j) != set.end())
                    continue;
                double sum = 0;
                for (int i : set)
                    sum += sim[size_t(i) * n + j];
                if (sum < low) {
                    low = sum;
                    arg = j;
                }
            }
            set.push_back(arg);
        }
        std::sort(set.begin(), set.end());
        const double c = gkp::greedyCost(sim, n, set, lambda, keep / 5);
        if (c < best.cost - 1e-12)
            best = {set, c, s};
    }
    return best;
}

// Similarities full of ties for the sorted tables: exact ties (quarters), distinct doubles that
// round to the same float (0.5 + k * 2^-40), signed zeros, and plain values, mixed per entry.
std::vector<double> tieHeavySim(int n, uint64_t seed)
{
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(-1.0, 1.0);
    std::vector<double> s(size_t(n) * n);
    for (int i = 0; i < n; ++i) {
        s[size_t(i) * n + i] = 1.0;
        for (int j = i + 1; j < n; ++j) {
            double v = u(rng);
            switch (rng() % 4) {
            case 0:
                v = std::round(v * 4) / 4;
                break;
            case 1:
                v = 0.5 + std::ldexp(double(rng() % 8), -40);
                break;
            case 2:
                v = (rng() % 2) ? -0.0 : 0.0;
                break;
            default:
                break;
            }
            s[size_t(i) * n + j] = s[size_t(j) * n + i] = v;
        }
    }
    return s;
}

// The spec's cost, computed the obvious way: pairs in index order, then for each pruned channel the
// members' similarities sorted descending and the first q summed in that order.
double naiveCost(const std::vector<double> &sim, int n, const std::vector<int> &kept, double lambda, int q)
{
    double pair = 0;
    for (size_t a = 0; a < kept.size(); ++a)
        for (size_t b = a + 1; b < kept.size(); ++b)
            pair += sim[size_t(kept[a]) * n + kept[b]];
    const int m = int(kept.size());
    if (q <= 0 || m >= n || lambda == 0)
        return pair;
    double rep = 0;
    for (int p = 0; p < n; ++p) {
        if (std::find(kept.begin(), kept.end(), p) != kept.end())
            continue;
        std::vector<double> v;
        for (int k : kept)
            v.push_back(sim[size_t(k) * n + p]);
        std::sort(v.begin(), v.end(), std::greater<double>());
        double top = 0;
        for (int i = 0; i < std::min(q, m); ++i)
            top += v[size_t(i)];
        rep += top;
    }
    return pair - lambda * rep;
}

// weight [2, Cin, 1, 1] whose filter 0 holds the given values: X[c] = {values[c]} for members {0}.
torch::Tensor weight1d(const std::vector<float> &values)
{
    torch::Tensor w = torch::zeros({2, int64_t(values.size()), 1, 1});
    for (size_t c = 0; c < values.size(); ++c)
        w[0][c][0][0] = values[c];
    return w;
}

} // namespace

class TestKernelSelection : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void greedyCostHand_data()
    {
        QTest::addColumn<std::vector<int>>("kept");
        QTest::addColumn<double>("lambda");
        QTest::addColumn<int>("q");
        QTest::addColumn<double>("expected");
        // {1,2}: pairs -0.3; q=0 -> no pruned term.
        QTest::newRow("pair-only") << std::vector<int>{1, 2} << 2.0 << 0 << -0.3;
        // {1,2}, q=1, lambda=2: pruned 0 -> max(0.5, 0.2) = 0.5; pruned 3 -> max(0.4, 0.1) = 0.4;
        // cost = -0.3 - 2 * 0.9 = -2.1.
        QTest::newRow("q1") << std::vector<int>{2, 1} << 2.0 << 1 << -2.1;
        // {1,2,3}, q=2, lambda=0.5: pairs -0.3 + 0.4 + 0.1 = 0.2; pruned 0 -> 0.9 + 0.5 = 1.4;
        // cost = 0.2 - 0.7 = -0.5.
        QTest::newRow("q2") << std::vector<int>{1, 2, 3} << 0.5 << 2 << -0.5;
        // {0,3}, q=1, lambda=1: pair 0.9; pruned 1 -> max(0.5, 0.4); pruned 2 -> max(0.2, 0.1);
        // cost = 0.9 - 0.7 = 0.2.
        QTest::newRow("q1-b") << std::vector<int>{0, 3} << 1.0 << 1 << 0.2;
    }
    void greedyCostHand()
    {
        QFETCH(std::vector<int>, kept);
        QFETCH(double, lambda);
        QFETCH(int, q);
        QFETCH(double, expected);
        QVERIFY(std::abs(gkp::greedyCost(kSim4, 4, kept, lambda, q) - expected) < 1e-12);
    }

    void greedySelectHand_data()
    {
        QTest::addColumn<int>("keep");
        QTest::addColumn<std::vector<int>>("expected");
        QTest::addColumn<double>("cost");
        QTest::addColumn<int>("start");
        // keep 2 (q = 0): start s adds argmin_j sim[s,j]:
        //   0 -> {0,2} 0.2;  1 -> {1,2} -0.3;  2 -> {1,2} -0.3;  3 -> {2,3} 0.1. Best {1,2}, start 1.
        QTest::newRow("keep2") << 2 << std::vector<int>{1, 2} << -0.3 << 1;
        // keep 3: start 0: sums 1:.5 2:.2 3:.9 -> add 2; sums 1:.2 3:1.0 -> add 1: {0,1,2} = 0.4.
        //   start 1: 0:.5 2:-.3 3:.4 -> 2; 0:.7 3:.5 -> 3: {1,2,3} = 0.2. Starts 2, 3 also give {1,2,3}.
        QTest::newRow("keep3") << 3 << std::vector<int>{1, 2, 3} << 0.2 << 1;
        // keep 1: every singleton costs 0; ties go to the lowest start.
        QTest::newRow("keep1") << 1 << std::vector<int>{0} << 0.0 << 0;
        // keep all: pairs .5 + .2 + .9 - .3 + .4 + .1 = 1.8, start 0.
        QTest::newRow("keep-all") << 4 << std::vector<int>{0, 1, 2, 3} << 1.8 << 0;
    }
    void greedySelectHand()
    {
        QFETCH(int, keep);
        QFETCH(std::vector<int>, expected);
        QFETCH(double, cost);
        QFETCH(int, start);
        const gkp::GreedyResult r = gkp::greedySelect(kSim4, 4, keep, std::nullopt, 0);
        QCOMPARE(r.kept, expected);
        QVERIFY2(std::abs(r.cost - cost) < 1e-12, QByteArray::number(r.cost).constData());
        QCOMPARE(r.start, start);
    }

    void autoLambda()
    {
        // m = 5 of 10: q = 1, lambda = C(5,2) / (5 * 1) = 2.
        QCOMPARE(gkp::autoLambda(10, 5), 2.0);
        // m = 10 of 16: q = 2, lambda = 45 / (6 * 2) = 3.75.
        QCOMPARE(gkp::autoLambda(16, 10), 3.75);
        QCOMPARE(gkp::autoLambda(10, 4), 0.0);  // q = 0: term dropped
        QCOMPARE(gkp::autoLambda(10, 10), 0.0); // nothing pruned
        const std::vector<double> sim = randomSim(10, 3);
        const gkp::GreedyResult r = gkp::greedySelect(sim, 10, 5, std::nullopt, 0);
        QVERIFY(std::abs(r.cost - gkp::greedyCost(sim, 10, r.kept, 2.0, 1)) < 1e-12);
    }

    void greedyMatchesNaive_data()
    {
        QTest::addColumn<int>("n");
        QTest::addColumn<int>("keep");
        QTest::addColumn<double>("lambda");
        for (int n : {6, 9, 13, 20})
            for (int keep : {1, 3, 5, n / 2 + 2, n - 1})
                for (double lambda : {0.0, 1.0, 2.5})
                    QTest::newRow(qPrintable(QStringLiteral("n%1-m%2-l%3").arg(n).arg(keep).arg(lambda)))
                        << n << keep << lambda;
    }
    void greedyMatchesNaive()
    {
        QFETCH(int, n);
        QFETCH(int, keep);
        QFETCH(double, lambda);
        const std::vector<double> sim = randomSim(n, uint64_t(n * 100 + keep));
        const gkp::GreedyResult expected = naiveGreedy(sim, n, keep, lambda);
        const gkp::GreedyResult r = gkp::greedySelect(sim, n, keep, lambda, 0);
        QCOMPARE(r.kept, expected.kept);
        QCOMPARE(r.start, expected.start);
        QVERIFY(std::abs(r.cost - expected.cost) < 1e-12);
        QCOMPARE(r.cost, gkp::greedyCost(sim, n, r.kept, lambda, keep / 5)); // bitwise: same summation
    }

    // greedyCost's presorted tables (radix sort on float keys, exact re-sort of float ties) must give
    // bitwise the cost of the naive sort-per-channel formula, on random sets and the greedy's own.
    void greedyCostMatchesNaiveBitwise()
    {
        std::mt19937_64 rng(42);
        for (int trial = 0; trial < 60; ++trial) {
            const int n = trial < 40 ? 2 + int(rng() % 90) : 100 + int(rng() % 300); // both sort paths
            const std::vector<double> sim = trial % 2 ? tieHeavySim(n, uint64_t(trial)) : randomSim(n, uint64_t(trial));
            const int keep = 1 + int(rng() % uint64_t(n));
            std::vector<int> all(static_cast<size_t>(n));
            std::iota(all.begin(), all.end(), 0);
            std::shuffle(all.begin(), all.end(), rng);
            std::vector<int> kept(all.begin(), all.begin() + keep);
            std::sort(kept.begin(), kept.end());
            const double lambda = gkp::autoLambda(n, keep) + 0.5;
            const double a = gkp::greedyCost(sim, n, kept, lambda, keep / 5);
            const double b = naiveCost(sim, n, kept, lambda, keep / 5);
            QCOMPARE(std::memcmp(&a, &b, sizeof a), 0);
            const gkp::GreedyResult r = gkp::greedySelect(sim, n, keep, std::nullopt, trial % 3 ? 0 : 7);
            const double c = naiveCost(sim, n, r.kept, gkp::autoLambda(n, keep), keep / 5);
            QCOMPARE(std::memcmp(&r.cost, &c, sizeof c), 0);
        }
    }

    // The fused similarity must equal the formula on the stored Gram matrix bit for bit.
    void distanceSimilarityMatchesGram()
    {
        std::mt19937_64 rng(7);
        std::normal_distribution<double> nd;
        for (auto [n, D] : {std::pair{1, 3}, {5, 1}, {7, 9}, {33, 18}, {130, 64}}) {
            std::vector<double> X(size_t(n) * D);
            for (double &x : X)
                x = nd(rng);
            if (n > 4)
                std::copy(X.begin(), X.begin() + D, X.begin() + 2 * D); // duplicate rows: distance 0
            const std::vector<double> g = gkp::gramMatrix(X.data(), n, D);
            const std::vector<double> s = gkp::distanceSimilarity(X.data(), n, D);
            for (int i = 0; i < n; ++i)
                for (int j = 0; j < n; ++j) {
                    double e = 1.0;
                    if (i != j) {
                        const int a = std::min(i, j), b = std::max(i, j);
                        const double d2 = g[size_t(a) * n + a] + g[size_t(b) * n + b] - 2 * g[size_t(a) * n + b];
                        e = 1.0 - std::sqrt(std::max(d2, 0.0));
                    }
                    const double v = s[size_t(i) * n + j];
                    QCOMPARE(std::memcmp(&v, &e, sizeof v), 0);
                }
        }
    }

    void lambdaMatters()
    {
        // The pruned-kernel term must be able to change the choice: over a few random matrices at
        // least one picks a different set with lambda 0 and a large lambda.
        bool differs = false;
        for (uint64_t seed = 0; seed < 20 && !differs; ++seed) {
            const std::vector<double> sim = randomSim(15, seed);
            differs = gkp::greedySelect(sim, 15, 8, 0.0, 0).kept != gkp::greedySelect(sim, 15, 8, 50.0, 0).kept;
        }
        QVERIFY(differs);
    }

    void starts()
    {
        QCOMPARE(gkp::greedyStarts(5, 0), (std::vector<int>{0, 1, 2, 3, 4}));
        QCOMPARE(gkp::greedyStarts(10, 4), (std::vector<int>{0, 2, 5, 7}));
        QCOMPARE(int(gkp::greedyStarts(256, 0).size()), 256);
        const std::vector<int> bounded = gkp::greedyStarts(512, 0);
        QCOMPARE(int(bounded.size()), gkp::kBoundedStarts);
        QCOMPARE(bounded[1], 8);
    }

    void l2Hand()
    {
        // |X| = 3, 1, 2, 5, 2: keep 2 -> {0, 3}; keep 3 -> ties 2/4 at norm 2 go to index 2.
        const torch::Tensor w = weight1d({-3, 1, 2, 5, -2});
        QCOMPARE(gkp::selectKernels(w, {0}, 2, gkp::SelectMethod::L2, {}), (std::vector<int>{0, 3}));
        QCOMPARE(gkp::selectKernels(w, {0}, 3, gkp::SelectMethod::L2, {}), (std::vector<int>{0, 2, 3}));
    }

    void gmHand()
    {
        // 1-D points 0, 1, 2, 10, 11: the geometric median is the median, 2; distances 2, 1, 0, 8, 9.
        // Pruning the 2 closest (2 and 1) keeps {0, 3, 4}.
        const std::vector<double> X = {0, 1, 2, 10, 11};
        QVERIFY(std::abs(gkp::geometricMedian(X, 5, 1)[0] - 2.0) < 1e-6);
        const torch::Tensor w = weight1d({0, 1, 2, 10, 11});
        QCOMPARE(gkp::selectKernels(w, {0}, 3, gkp::SelectMethod::GM, {}), (std::vector<int>{0, 3, 4}));
        // l2gm: norms 0,1,2,10,11 (/11) + distances 2,1,0,8,9 (/9): scores 0.22, 0.20, 0.18, 1.80, 2.0
        // -> keep 3: {0, 3, 4}; keep 4 adds 1 (0.202) over 2 (0.182).
        QCOMPARE(gkp::selectKernels(w, {0}, 4, gkp::SelectMethod::L2GM, {}), (std::vector<int>{0, 1, 3, 4}));
    }

    void geometricMedian2d()
    {
        // The corners of a square (0,0),(2,0),(0,2),(2,2): by symmetry the median is the centre.
        // Weiszfeld starts at the mean, which is already the centre, so also try an asymmetric set:
        // (0,0),(4,0),(0,3): the Fermat point, where the unit vectors to the corners sum to zero.
        const std::vector<double> X = {0, 0, 2, 0, 0, 2, 2, 2};
        const std::vector<double> y = gkp::geometricMedian(X, 4, 2);
        QVERIFY(std::abs(y[0] - 1) < 1e-9 && std::abs(y[1] - 1) < 1e-9);
        const std::vector<double> T = {0, 0, 4, 0, 0, 3};
        const std::vector<double> f = gkp::geometricMedian(T, 3, 2, 1000);
        double gx = 0, gy = 0;
        for (int i = 0; i < 3; ++i) {
            const double dx = T[2 * i] - f[0], dy = T[2 * i + 1] - f[1], d = std::hypot(dx, dy);
            gx += dx / d;
            gy += dy / d;
        }
        QVERIFY2(std::hypot(gx, gy) < 1e-6, QByteArray::number(std::hypot(gx, gy)).constData());
    }

    void everyMethodKeepsDistinctSorted_data()
    {
        QTest::addColumn<QString>("method");
        for (const char *m : {"greedy", "l2", "gm", "l2gm"})
            QTest::newRow(m) << QString::fromLatin1(m);
    }
    void everyMethodKeepsDistinctSorted()
    {
        QFETCH(QString, method);
        const auto m = gkp::selectMethodFromString(method.toStdString());
        QVERIFY(m);
        QCOMPARE(QString::fromStdString(gkp::toString(*m)), method);
        torch::manual_seed(5);
        const torch::Tensor w = torch::randn({16, 40, 3, 3});
        std::vector<int> assignment(16);
        for (int f = 0; f < 16; ++f)
            assignment[f] = f % 4;
        for (int keep : {1, 7, 23, 40}) {
            const auto kept = gkp::selectKernelsForGroups(w, assignment, 4, keep, *m, {});
            QCOMPARE(int(kept.size()), 4);
            for (const auto &k : kept) {
                QCOMPARE(int(k.size()), keep);
                QVERIFY(std::is_sorted(k.begin(), k.end()));
                QVERIFY(std::adjacent_find(k.begin(), k.end()) == k.end());
                QVERIFY(k.front() >= 0 && k.back() < 40);
            }
            // Parallel groups give what one group at a time gives.
            std::vector<int> members{2, 6, 10, 14};
            QCOMPARE(kept[2], gkp::selectKernels(w, members, keep, *m, {}));
        }
    }

    void greedyOnWeightsUsesDistances()
    {
        // Channels 0 and 1 identical, channel 2 far away: keep 2 must not keep both twins.
        torch::Tensor w = torch::zeros({2, 3, 1, 1});
        w[0][0][0][0] = 1;
        w[0][1][0][0] = 1;
        w[0][2][0][0] = -4;
        w[1][2][0][0] = 3;
        // sim: (0,1) = 1, (0,2) = (1,2) = 1 - sqrt(25 + 9). Best pair {0,2} (start 0).
        QCOMPARE(gkp::selectKernels(w, {0, 1}, 2, gkp::SelectMethod::Greedy, {}), (std::vector<int>{0, 2}));
    }

    void rejectsBadArguments()
    {
        const torch::Tensor w = torch::randn({4, 6, 3, 3});
        QVERIFY_THROWS_EXCEPTION(gkp::Error, gkp::selectKernels(w, {0}, 0, gkp::SelectMethod::L2, {}));
        QVERIFY_THROWS_EXCEPTION(gkp::Error, gkp::selectKernels(w, {0}, 7, gkp::SelectMethod::L2, {}));
        QVERIFY_THROWS_EXCEPTION(gkp::Error, gkp::greedySelect(kSim4, 3, 2, std::nullopt, 0));
        QVERIFY(!gkp::selectMethodFromString("nope"));
    }
};

QTEST_GUILESS_MAIN(TestKernelSelection)
#include "tst_kernelselection.moc"
