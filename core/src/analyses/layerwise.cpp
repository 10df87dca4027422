// Layer-wise probes and LayerSelector (spec/NEUROX.md §8.2). See analyses.h for the contracts.
#include "salient/analyses/analyses.h"
#include "salient/analyses/farm.h"

#include "farm_p.h"

#include "analyses_p.h"
#include "salient/probe/metrics.h"
#include "salient/probe/ranking.h"
#include "salient/util/error.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace salient {

using namespace analyses_detail;

// ------------------------------------------------------------------------------------------------
// Layer-wise

void LayerwiseOptions::validate() const
{
    if (!std::isfinite(deltaPercent) || deltaPercent < 0 || deltaPercent >= 100)
        throw Error(QStringLiteral("layer-wise probes: δ_layer must be a percentage in [0, 100) "
                                   "(got %1)")
                        .arg(num(deltaPercent)));
    if (seeds < 1 || seeds > 1000)
        throw Error(
            QStringLiteral("layer-wise probes: seeds must be in 1..1000 (got %1)").arg(seeds));
}

namespace {

/// One layer-wise probe's scores (accuracy and macro-F1 on the selection split and test).
using LayerProbeScores = SubsetScores;

/// A probe trained on @p columns of train with probe seed data.probe.seed + @p repetition.
LayerProbeScores layerProbe(const ExperimentData &data, const NeuronList &columns, int repetition,
                            const TrainCallback &callback)
{
    ExperimentData d = data;
    d.probe.seed = data.probe.seed + quint64(repetition);
    return retrainOnColumns(d, columns, callback);
}

/// The layer score of probe slot @p t: repetition 0's numbers and the summaries over all N.
LayerScore layerScore(int layer, const std::vector<LayerProbeScores> &scores, int t, int N)
{
    const LayerProbeScores &first = scores[std::size_t(t) * std::size_t(N)];
    LayerScore out;
    out.layer = layer;
    out.dev = first.selection;
    out.test = first.test;
    out.devMacroF1 = first.selectionF1;
    out.testMacroF1 = first.testF1;
    std::vector<double> dev, test;
    for (int s = 0; s < N; ++s) {
        dev.push_back(scores[std::size_t(t) * std::size_t(N) + std::size_t(s)].selection);
        test.push_back(scores[std::size_t(t) * std::size_t(N) + std::size_t(s)].test);
    }
    out.devSeeds = summarizeSeeds(dev);
    out.testSeeds = summarizeSeeds(test);
    return out;
}

} // namespace

LayerwiseResult layerwiseProbes(const ExperimentData &data, const LayerwiseOptions &options,
                                const ExperimentProgress &progress)
{
    options.validate();
    data.validate();
    requireClassification(data, QStringLiteral("layer-wise probes"));
    const Dataset &train = *data.train;
    const int L = train.layers, dims = train.dims;
    if (L < 1 || dims < 1 || L * dims != train.neurons() || int(train.layerIds.size()) != L)
        throw Error(QStringLiteral("layer-wise probes: the training split's layout (%1 layers × %2 "
                                   "dims, %3 layer ids) does not match its %4 neurons")
                        .arg(L)
                        .arg(dims)
                        .arg(train.layerIds.size())
                        .arg(train.neurons()));

    LayerwiseResult result;
    const int N = options.seeds;
    result.seeds = N;
    const int independentCount = options.independent ? L : 0;
    const int slots = independentCount + L; // probe slots, each trained N times
    const int total = slots * N;
    ProgressRelay relay(progress, total);
    const TrainCallback cancel = cancelCallback(relay);
    std::vector<LayerProbeScores> scores(static_cast<std::size_t>(total));
    std::vector<char> finished(static_cast<std::size_t>(total), 0);
    // Job j = slot·N + repetition. Incremental probes first in the slot order: the last (all
    // layers) is the longest.
    // Job j is one farmed unit (farm.h); larger column sets are scheduled first.
    const auto columnsOf = [&](int j) {
        const int t = j / N;
        const bool incremental = t < L;
        const int k = incremental ? L - 1 - t : t - L;
        const int from = incremental ? 0 : k * dims;
        NeuronList cols(std::size_t((k + 1) * dims - from));
        std::iota(cols.begin(), cols.end(), from);
        return cols;
    };
    FarmLoop loop;
    loop.tag = QStringLiteral("layerwise probe");
    loop.n = total;
    loop.relay = &relay;
    loop.threads = options.threads;
    loop.cost = [&](int j) { return double(columnsOf(j).size()); };
    loop.compute = [&](int j) {
        return farmio::scoresBytes(layerProbe(data, columnsOf(j), j % N, cancel));
    };
    loop.store = [&](int j, const QByteArray &bytes) {
        scores[std::size_t(j)] = farmio::scoresOf(bytes);
        if (scores[std::size_t(j)].status != Status::Ok)
            return;
        finished[std::size_t(j)] = 1;
        const int t = j / N, rep = j % N;
        const bool incremental = t < L;
        const int k = incremental ? L - 1 - t : t - L;
        const QString what =
            incremental ? QStringLiteral("layers 0..%1").arg(train.layerIds[std::size_t(k)])
                        : QStringLiteral("layer %1").arg(train.layerIds[std::size_t(k)]);
        relay.step(N > 1 ? QStringLiteral("%1 seed %2").arg(what).arg(rep) : what);
    };
    farmFor(loop);
    if (std::find(finished.begin(), finished.end(), 0) != finished.end()) {
        result.status = Status::Cancelled;
        return result;
    }

    for (int k = 0; k < L; ++k)
        result.incremental.push_back(
            layerScore(train.layerIds[std::size_t(k)], scores, L - 1 - k, N));
    for (int k = 0; k < independentCount; ++k) {
        result.independent.push_back(layerScore(train.layerIds[std::size_t(k)], scores, L + k, N));
        if (result.bestIndependent < 0
            || result.independent.back().devSeeds.mean
                   > result.independent[std::size_t(result.bestIndependent)].devSeeds.mean)
            result.bestIndependent = k;
    }
    result.fullDev = result.incremental.back().devSeeds.mean;
    result.threshold = (1.0 - options.deltaPercent / 100.0) * result.fullDev;
    result.selectedIndex = L - 1;
    for (int k = 0; k < L; ++k) {
        if (result.incremental[std::size_t(k)].devSeeds.mean > result.threshold) {
            result.selectedIndex = k;
            break;
        }
    }
    result.selectedLayer = train.layerIds[std::size_t(result.selectedIndex)];
    result.selectionBaseline = majorityBaseline(data, &data.selection());
    result.testBaseline = majorityBaseline(data, data.test);
    return result;
}

} // namespace salient
