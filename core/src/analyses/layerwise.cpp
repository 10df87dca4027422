// Layer-wise probes and LayerSelector (spec/NEUROX.md §8.2). See analyses.h for the contracts.
#include "salient/analyses/analyses.h"

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
}

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
    const int independentCount = options.independent ? L : 0;
    const int total = independentCount + L;
    ProgressRelay relay(progress, total);
    const TrainCallback cancel = cancelCallback(relay);
    std::vector<SubsetScores> scores(static_cast<std::size_t>(total));
    std::vector<char> finished(static_cast<std::size_t>(total), 0);
    // Incremental probes first in the task order: the last (all layers) is the longest.
    parallelFor(
        total,
        [&](int t) {
            const bool incremental = t < L;
            const int k = incremental ? L - 1 - t : t - L;
            const int from = incremental ? 0 : k * dims;
            NeuronList cols(std::size_t((k + 1) * dims - from));
            std::iota(cols.begin(), cols.end(), from);
            scores[std::size_t(t)] = retrainOnColumns(data, cols, cancel);
            if (scores[std::size_t(t)].status != Status::Ok)
                return;
            finished[std::size_t(t)] = 1;
            relay.step(incremental
                           ? QStringLiteral("layers 0..%1").arg(train.layerIds[std::size_t(k)])
                           : QStringLiteral("layer %1").arg(train.layerIds[std::size_t(k)]));
        },
        &relay, options.threads);
    if (std::find(finished.begin(), finished.end(), 0) != finished.end()) {
        result.status = Status::Cancelled;
        return result;
    }

    for (int k = 0; k < L; ++k) {
        const SubsetScores &s = scores[std::size_t(L - 1 - k)];
        result.incremental.push_back({train.layerIds[std::size_t(k)], s.selection, s.test});
    }
    for (int k = 0; k < independentCount; ++k) {
        const SubsetScores &s = scores[std::size_t(L + k)];
        result.independent.push_back({train.layerIds[std::size_t(k)], s.selection, s.test});
        if (result.bestIndependent < 0
            || s.selection > result.independent[std::size_t(result.bestIndependent)].dev)
            result.bestIndependent = k;
    }
    result.fullDev = result.incremental.back().dev;
    result.threshold = (1.0 - options.deltaPercent / 100.0) * result.fullDev;
    result.selectedIndex = L - 1;
    for (int k = 0; k < L; ++k) {
        if (result.incremental[std::size_t(k)].dev > result.threshold) {
            result.selectedIndex = k;
            break;
        }
    }
    result.selectedLayer = train.layerIds[std::size_t(result.selectedIndex)];
    return result;
}

} // namespace salient
