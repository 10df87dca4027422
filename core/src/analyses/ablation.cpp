// Ablation curves: masking and retraining (spec/NEUROX.md §8.1/§8.3). See analyses.h for the
// contracts.
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
    if (seeds < 1 || seeds > 1000)
        throw Error(QStringLiteral("ablation: the number of seeds (repetitions) must be in "
                                   "1..1000 (got %1)")
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
    const int R = options.seeds;
    result.baselineSelection = majorityBaseline(data, &sel);
    result.baselineTest = majorityBaseline(data, data.test);

    // Tasks: per mode, per repetition, per size, slot 0 = top, 1 = bottom, 2 = random.
    constexpr int slots = 3;
    const int perSeed = int(S) * slots;
    const int perMode = perSeed * R;
    const int modes = (options.masking ? 1 : 0) + (options.retraining ? 1 : 0);
    const int oraclesToTrain = options.oracle ? R - 1 : R;
    ProgressRelay relay(progress, perMode * modes + oraclesToTrain);
    const TrainCallback cancel = cancelCallback(relay);
    // Repetition s's data: probe seed + s (oracle and retrainings).
    auto seedData = [&data](int s) {
        ExperimentData d = data;
        d.probe.seed = data.probe.seed + quint64(s);
        return d;
    };

    // One oracle per repetition (repetition 0 = options.oracle when given), in parallel.
    std::vector<TrainResult> trained(static_cast<std::size_t>(R));
    std::vector<char> oracleReady(std::size_t(R), 0);
    FarmLoop oracles; // one farmed unit per repetition's oracle (farm.h)
    oracles.tag = QStringLiteral("ablation oracle");
    oracles.n = R;
    oracles.relay = &relay;
    oracles.threads = options.threads;
    oracles.compute = [&](int s) -> QByteArray {
        if (s == 0 && options.oracle)
            return QByteArray("given");
        const TrainResult t = trainOracle(seedData(s), cancel);
        QByteArray out;
        QDataStream o(&out, QIODevice::WriteOnly);
        o << qint32(t.status);
        if (t.status == Status::Ok)
            farmio::putProbe(o, t.probe);
        return out;
    };
    oracles.store = [&](int s, const QByteArray &bytes) {
        if (s == 0 && options.oracle) {
            oracleReady[0] = 1;
            return;
        }
        if (bytes.isEmpty()) {
            trained[std::size_t(s)].status = Status::Cancelled;
            return;
        }
        QDataStream in(bytes);
        qint32 status = 0;
        in >> status;
        trained[std::size_t(s)].status = Status(status);
        if (trained[std::size_t(s)].status != Status::Ok)
            return;
        trained[std::size_t(s)].probe = farmio::getProbe(in);
        oracleReady[std::size_t(s)] = 1;
        relay.step(R == 1 ? QStringLiteral("oracle") : QStringLiteral("oracle seed %1").arg(s));
    };
    farmFor(oracles);
    for (int s = 0; s < R; ++s) {
        if (oracleReady[std::size_t(s)])
            continue;
        const Status st = trained[std::size_t(s)].status;
        result.status = st == Status::Ok ? Status::Cancelled : st;
        return result;
    }
    auto oracleOf = [&](int s) -> const Probe & {
        return s == 0 && options.oracle ? *options.oracle : trained[std::size_t(s)].probe;
    };
    const Probe &oracle = oracleOf(0);
    result.oracleSelection = accuracyOf(oracle, sel);
    result.oracleTest = testAccuracyOf(oracle, data);
    const NeuronList given =
        options.ordering.empty()
            ? NeuronList{}
            : checkedOrdering(options.ordering, int(data.train->neurons()), true);
    for (int s = 0; s < R; ++s)
        result.orderings.push_back(
            options.ordering.empty() ? toColumns(
                oracleOf(s), fullOrdering(absWeights(oracleOf(s), QStringLiteral("ablation")),
                                          options.searchStride))
                                     : given);
    result.ordering = result.orderings[0];

    // The kept columns of every (repetition, size, slot), shared by both modes.
    std::vector<std::vector<std::vector<NeuronList>>> keep(
        std::size_t(R), std::vector<std::vector<NeuronList>>(S, std::vector<NeuronList>(slots)));
    for (int s = 0; s < R; ++s)
        for (std::size_t i = 0; i < S; ++i) {
            const int n = result.sizes[i];
            const NeuronList &ord = result.orderings[std::size_t(s)];
            keep[std::size_t(s)][i][0] = prefix(ord, n);
            keep[std::size_t(s)][i][1] = suffix(ord, n);
            keep[std::size_t(s)][i][2] = randomNeuronsCount(D, n, data.probe.seed + quint64(s));
        }

    std::vector<int> modeOf;
    if (options.masking)
        modeOf.push_back(0);
    if (options.retraining)
        modeOf.push_back(1);
    // acc / f1 [mode][repetition][size][slot]; NaN = not finished.
    using Grid = std::vector<std::vector<std::vector<std::vector<double>>>>;
    const Grid blank(2, std::vector<std::vector<std::vector<double>>>(
                            std::size_t(R),
                            std::vector<std::vector<double>>(S, std::vector<double>(slots, kNaN))));
    Grid acc = blank, f1 = blank;
    std::vector<char> finished(std::size_t(perMode * modes), 0);
    static const QString slotName[] = {QStringLiteral("top"), QStringLiteral("bottom"),
                                       QStringLiteral("random")};
    // Every (mode, repetition, size, slot) is one farmed unit (farm.h); retrainings on more
    // columns are scheduled first.
    struct Task {
        int mode, s;
        std::size_t i;
        int slot;
    };
    const auto taskOf = [&](int t) {
        return Task{modeOf[std::size_t(t / perMode)], (t % perMode) / perSeed,
                    std::size_t((t % perSeed) / slots), t % slots};
    };
    FarmLoop curves;
    curves.tag = QStringLiteral("ablation point");
    curves.n = perMode * modes;
    curves.relay = &relay;
    curves.threads = options.threads;
    curves.cost = [&](int t) {
        const Task k = taskOf(t);
        return k.mode == 0 ? 0.01 * double(D)
                           : double(keep[std::size_t(k.s)][k.i][std::size_t(k.slot)].size());
    };
    curves.compute = [&](int t) -> QByteArray {
        const Task k = taskOf(t);
        const NeuronList &cols = keep[std::size_t(k.s)][k.i][std::size_t(k.slot)];
        if (k.mode == 0) {
            const Evaluation e = evaluateProbe(oracleOf(k.s), *sel.features(), sel.y, sel.yValue,
                                               complementOf(cols, D));
            return farmio::doubles({e.accuracy, e.macroF1});
        }
        const SubsetScores sc = retrainOnColumns(seedData(k.s), cols, cancel);
        if (sc.status != Status::Ok)
            return {};
        return farmio::doubles({sc.selection, sc.selectionF1});
    };
    curves.store = [&](int t, const QByteArray &bytes) {
        if (bytes.isEmpty())
            return;
        const Task k = taskOf(t);
        QDataStream in(bytes);
        acc[std::size_t(k.mode)][std::size_t(k.s)][k.i][std::size_t(k.slot)] =
            farmio::getDouble(in);
        f1[std::size_t(k.mode)][std::size_t(k.s)][k.i][std::size_t(k.slot)] = farmio::getDouble(in);
        finished[std::size_t(t)] = 1;
        relay.step(QStringLiteral("%1 n=%2 %3 seed %4")
                       .arg(k.mode == 0 ? QStringLiteral("masking") : QStringLiteral("retraining"))
                       .arg(result.sizes[k.i])
                       .arg(slotName[k.slot])
                       .arg(k.s));
    };
    farmFor(curves);
    if (std::find(finished.begin(), finished.end(), 0) != finished.end())
        result.status = Status::Cancelled;

    for (int mode : modeOf) {
        AblationCurve &curve = mode == 0 ? result.masking : result.retraining;
        curve.mode = mode == 0 ? QStringLiteral("masking") : QStringLiteral("retraining");
        const auto &a = acc[std::size_t(mode)];
        const auto &f = f1[std::size_t(mode)];
        for (std::size_t i = 0; i < S; ++i) {
            std::vector<double> perSlot[slots];
            for (int s = 0; s < R; ++s)
                for (int k = 0; k < slots; ++k)
                    perSlot[k].push_back(a[std::size_t(s)][i][std::size_t(k)]);
            const SeedSummary top = summarizeSeeds(perSlot[0]);
            const SeedSummary bottom = summarizeSeeds(perSlot[1]);
            const SeedSummary random = summarizeSeeds(perSlot[2]);
            curve.top.push_back(perSlot[0][0]);
            curve.bottom.push_back(perSlot[1][0]);
            curve.topMean.push_back(top.mean);
            curve.topSd.push_back(top.sd);
            curve.bottomMean.push_back(bottom.mean);
            curve.bottomSd.push_back(bottom.sd);
            curve.randomMean.push_back(random.mean);
            curve.randomStd.push_back(random.sd);
            curve.topPerSeed.push_back(std::move(perSlot[0]));
            curve.bottomPerSeed.push_back(std::move(perSlot[1]));
            curve.random.push_back(std::move(perSlot[2]));
            curve.topF1.push_back(f[0][i][0]);
            curve.bottomF1.push_back(f[0][i][1]);
            curve.randomF1.push_back(f[0][i][2]);
        }
    }
    return result;
}

} // namespace salient
