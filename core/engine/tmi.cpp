// TMI-GKP clustering choice (docs: "The TMI criterion").

#include "engine/clustering.h"
#include "util/error.h"

#include <torch/torch.h>

#include <algorithm>
#include <numeric>

namespace gkp {

namespace {

// Mean and variance (population) of the gaps between consecutive per-group TMI sums, sorted
// descending. One group has no gaps: both are 0.
std::pair<double, double> gapStats(const std::vector<double> &tmi, const std::vector<int> &assignment, int G)
{
    std::vector<double> S(G, 0.0);
    for (size_t f = 0; f < assignment.size(); ++f)
        S[assignment[f]] += tmi[f];
    std::sort(S.begin(), S.end(), std::greater<>());
    if (G < 2)
        return {0.0, 0.0};
    std::vector<double> gaps(G - 1);
    for (int i = 0; i + 1 < G; ++i)
        gaps[i] = S[i] - S[i + 1];
    const double mu = std::accumulate(gaps.begin(), gaps.end(), 0.0) / gaps.size();
    double var = 0;
    for (double g : gaps)
        var += (g - mu) * (g - mu);
    return {mu, var / gaps.size()};
}

// (ours) Rank 1 = smallest; tied values share the lowest rank ("1224" competition ranking).
std::vector<int> ranks(const std::vector<double> &v)
{
    std::vector<int> r(v.size());
    for (size_t i = 0; i < v.size(); ++i)
        r[i] = 1 + int(std::count_if(v.begin(), v.end(), [&](double x) { return x < v[i]; }));
    return r;
}

} // namespace

std::vector<int> tmiSnapshotWinners(const std::vector<std::vector<int>> &candidates,
                                    const torch::Tensor &finalWeight,
                                    const std::vector<torch::Tensor> &snapshotWeights, int G)
{
    torch::NoGradGuard noGrad;
    const int64_t cout = finalWeight.size(0);
    for (const auto &c : candidates)
        if (int64_t(c.size()) != cout)
            throw Error("TMI: a candidate partition does not cover every filter");
    const torch::Tensor absT = finalWeight.detach().to(torch::kDouble).abs().reshape({cout, -1});
    std::vector<int> winners;
    for (const torch::Tensor &snap : snapshotWeights) {
        if (!snap.sizes().equals(finalWeight.sizes()))
            throw Error("TMI: a snapshot's weight shape differs from the final weight");
        const torch::Tensor absK = snap.detach().to(torch::kDouble).abs().reshape({cout, -1});
        const torch::Tensor t = (absT - absK).abs().sum(1).contiguous();
        const std::vector<double> tmi(t.data_ptr<double>(), t.data_ptr<double>() + cout);
        std::vector<double> mus, vars;
        for (const auto &c : candidates) {
            const auto [mu, var] = gapStats(tmi, c, G);
            mus.push_back(mu);
            vars.push_back(var);
        }
        const std::vector<int> rMu = ranks(mus), rVar = ranks(vars);
        int best = 0;
        for (size_t i = 1; i < candidates.size(); ++i)
            if (0.5 * rMu[i] + rVar[i] < 0.5 * rMu[best] + rVar[best])
                best = int(i);
        winners.push_back(best);
    }
    return winners;
}

int tmiMajority(const std::vector<int> &winners, int nCandidates)
{
    std::vector<int> count(nCandidates, 0), longest(nCandidates, 0);
    for (size_t i = 0; i < winners.size();) {
        size_t j = i;
        while (j < winners.size() && winners[j] == winners[i])
            ++j;
        count[winners[i]] += int(j - i);
        longest[winners[i]] = std::max(longest[winners[i]], int(j - i));
        i = j;
    }
    int best = 0;
    for (int c = 1; c < nCandidates; ++c)
        if (count[c] > count[best] || (count[c] == count[best] && longest[c] > longest[best]))
            best = c;
    return best;
}

TmiChoice chooseByTmi(const torch::Tensor &finalWeight, const std::vector<torch::Tensor> &snapshotWeights,
                      int G, const ClusterOptions &options)
{
    TmiChoice choice;
    for (ClusterMethod m : kTmiCandidates)
        choice.candidates.push_back(clusterFilters(finalWeight, G, m, options));
    const std::vector<int> winners = tmiSnapshotWinners(choice.candidates, finalWeight, snapshotWeights, G);
    for (int w : winners)
        choice.votes.push_back(kTmiCandidates[w]);
    // Without snapshots this is index 0, kmeans: the documented fallback.
    choice.method = kTmiCandidates[tmiMajority(winners, int(choice.candidates.size()))];
    return choice;
}

} // namespace gkp
