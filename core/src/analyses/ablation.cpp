// Ablation curves: masking and retraining (spec/NEUROX.md §8.1/§8.3). See analyses.h for the
// contracts.
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
// Ablation

void AblationOptions::validate() const
{
    if (sizes.empty())
        throw Error(QStringLiteral("ablation: the list of sizes must not be empty"));
    const bool fractionsMode =
        std::all_of(sizes.begin(), sizes.end(), [](double v) { return v <= 1; });
    for (double v : sizes) {
        if (!std::isfinite(v) || v <= 0)
            throw Error(QStringLiteral("ablation: sizes must be positive (got %1)").arg(num(v)));
        if (!fractionsMode && v != std::floor(v))
            throw Error(QStringLiteral("ablation: sizes above 1 are neuron counts and must be "
                                       "whole numbers (got %1); give all sizes as fractions ≤ 1 "
                                       "or all as counts")
                            .arg(num(v)));
    }
    if (seeds < 1)
        throw Error(QStringLiteral("ablation: the number of random seeds must be at least 1 "
                                   "(got %1)")
                        .arg(seeds));
    if (searchStride < 1)
        throw Error(QStringLiteral("ablation: the search stride must be at least 1 (got %1)")
                        .arg(searchStride));
    if (!masking && !retraining)
        throw Error(QStringLiteral("ablation: choose masking, retraining or both"));
}

AblationResult ablationCurves(const ExperimentData &data, const AblationOptions &options,
                              const ExperimentProgress &progress)
{
    options.validate();
    data.validate();
    requireClassification(data, QStringLiteral("ablation"));
    if (options.oracle)
        checkOracle(*options.oracle, data, QStringLiteral("ablation"));

    const int D = data.train->neurons();
    const Dataset &sel = data.selection();
    AblationResult result;
    const bool fractionsMode =
        std::all_of(options.sizes.begin(), options.sizes.end(), [](double v) { return v <= 1; });
    for (double v : options.sizes) {
        int n = 0;
        if (fractionsMode) {
            n = std::max(1, int(std::floor(v * double(D))));
        } else {
            if (v > double(D))
                throw Error(
                    QStringLiteral("ablation: size %1 exceeds the %2 neurons").arg(num(v)).arg(D));
            n = int(v);
        }
        result.sizes.push_back(n);
    }
    std::sort(result.sizes.begin(), result.sizes.end());
    result.sizes.erase(std::unique(result.sizes.begin(), result.sizes.end()), result.sizes.end());
    const std::size_t S = result.sizes.size();
    const int seeds = options.seeds;

    // Tasks: per mode, per size, slot 0 = top, 1 = bottom, 2.. = random seeds.
    const int slots = 2 + seeds;
    const int perMode = int(S) * slots;
    const int modes = (options.masking ? 1 : 0) + (options.retraining ? 1 : 0);
    ProgressRelay relay(progress, perMode * modes + (options.oracle ? 0 : 1));
    const TrainCallback cancel = cancelCallback(relay);

    TrainResult trained;
    if (!options.oracle) {
        trained = trainOracle(data, cancel);
        if (trained.status != Status::Ok) {
            result.status = trained.status;
            return result;
        }
        relay.step(QStringLiteral("oracle"));
    }
    const Probe &oracle = options.oracle ? *options.oracle : trained.probe;
    result.oracleSelection = accuracyOf(oracle, sel);
    result.oracleTest = testAccuracyOf(oracle, data);
    result.ordering =
        options.ordering.empty()
            ? toColumns(oracle, fullOrdering(absWeights(oracle, QStringLiteral("ablation")),
                                             options.searchStride))
            : checkedOrdering(options.ordering, int(data.train->neurons()), true);

    // The kept columns of every (size, slot), shared by both modes.
    std::vector<std::vector<NeuronList>> keep(S, std::vector<NeuronList>(std::size_t(slots)));
    for (std::size_t i = 0; i < S; ++i) {
        const int n = result.sizes[i];
        keep[i][0] = prefix(result.ordering, n);
        keep[i][1] = suffix(result.ordering, n);
        for (int s = 0; s < seeds; ++s)
            keep[i][std::size_t(2 + s)] = randomNeuronsCount(D, n, data.probe.seed + quint64(s));
    }

    std::vector<int> modeOf;
    if (options.masking)
        modeOf.push_back(0);
    if (options.retraining)
        modeOf.push_back(1);
    // acc[mode][size][slot]; NaN = not finished.
    std::vector<std::vector<std::vector<double>>> acc(
        2, std::vector<std::vector<double>>(S, std::vector<double>(std::size_t(slots), kNaN)));
    std::vector<char> finished(std::size_t(perMode * modes), 0);
    static const QString slotName[] = {QStringLiteral("top"), QStringLiteral("bottom")};
    parallelFor(
        perMode * modes,
        [&](int t) {
            const int mode = modeOf[std::size_t(t / perMode)];
            const std::size_t i = std::size_t((t % perMode) / slots);
            const int slot = (t % perMode) % slots;
            const NeuronList &cols = keep[i][std::size_t(slot)];
            double a = kNaN;
            if (mode == 0) {
                a = accuracyOf(oracle, sel, complementOf(cols, D));
            } else {
                const SubsetScores s = retrainOnColumns(data, cols, cancel);
                if (s.status != Status::Ok)
                    return;
                a = s.selection;
            }
            acc[std::size_t(mode)][i][std::size_t(slot)] = a;
            finished[std::size_t(t)] = 1;
            relay.step(
                QStringLiteral("%1 n=%2 %3")
                    .arg(mode == 0 ? QStringLiteral("masking") : QStringLiteral("retraining"))
                    .arg(result.sizes[i])
                    .arg(slot < 2 ? slotName[slot]
                                  : QStringLiteral("random seed %1").arg(slot - 2)));
        },
        &relay, options.threads);
    if (std::find(finished.begin(), finished.end(), 0) != finished.end())
        result.status = Status::Cancelled;

    for (int mode : modeOf) {
        AblationCurve &curve = mode == 0 ? result.masking : result.retraining;
        curve.mode = mode == 0 ? QStringLiteral("masking") : QStringLiteral("retraining");
        for (std::size_t i = 0; i < S; ++i) {
            const std::vector<double> &a = acc[std::size_t(mode)][i];
            curve.top.push_back(a[0]);
            curve.bottom.push_back(a[1]);
            std::vector<double> r(a.begin() + 2, a.end());
            double mean = 0;
            for (double v : r)
                mean += v;
            mean /= double(r.size());
            double var = 0;
            for (double v : r)
                var += (v - mean) * (v - mean);
            curve.randomMean.push_back(mean);
            curve.randomStd.push_back(std::sqrt(var / double(r.size())));
            curve.random.push_back(std::move(r));
        }
    }
    return result;
}

} // namespace salient
