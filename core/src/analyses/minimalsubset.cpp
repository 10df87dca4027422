// Minimal neuron subset (Algorithm 4, spec/NEUROX.md §10). See analyses.h for the contracts.
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
// Minimal subset

std::vector<double> subsetSizeFractions(SubsetSizePreset preset)
{
    std::vector<double> p;
    // Fractions are written as k / 1000 (or k / 100) so that each equals the decimal literal the
    // authors' Python lists hold (e.g. 0.007, not 7 · 0.001).
    if (preset == SubsetSizePreset::MaxFeatures) {
        for (int k = 1; k <= 99; ++k)
            p.push_back(double(k) / 1000.0);
        for (int k = 10; k <= 50; k += 5)
            p.push_back(double(k) / 100.0);
    } else {
        for (int k = 1; k <= 5; ++k)
            p.push_back(double(k) / 1000.0);
        for (int k = 1; k <= 10; ++k)
            p.push_back(double(k) / 100.0);
        for (int k = 15; k <= 50; k += 5)
            p.push_back(double(k) / 100.0);
    }
    for (int k = 6; k <= 9; ++k)
        p.push_back(double(k) / 10.0);
    return p;
}

void MinimalSubsetOptions::validate() const
{
    if (!std::isfinite(deltaPercent) || deltaPercent < 0 || deltaPercent >= 100)
        throw Error(QStringLiteral("minimal subset: δ must be a percentage in [0, 100) (got %1)")
                        .arg(num(deltaPercent)));
    if (searchStride < 1)
        throw Error(QStringLiteral("minimal subset: the search stride must be at least 1 (got %1)")
                        .arg(searchStride));
    for (double p : fractions)
        if (!std::isfinite(p) || p <= 0 || p > 1)
            throw Error(QStringLiteral("minimal subset: size fractions must be in (0, 1] (got %1)")
                            .arg(num(p)));
    if (seeds < 1 || seeds > 1000)
        throw Error(QStringLiteral("minimal subset: the number of seeds (repetitions) must be in "
                                   "1..1000 (got %1)")
                        .arg(seeds));
    if (window < 1)
        throw Error(QStringLiteral("minimal subset: the parallel window must be at least 1 "
                                   "(got %1)")
                        .arg(window));
}

std::vector<int> subsetCandidateSizes(const std::vector<double> &fractions, int neurons,
                                      int orderingLength, QStringList *notes)
{
    std::vector<int> sizes;
    for (double p : fractions) {
        // int(p × neurons) truncates as Python's int() does (spec §10.2).
        int n = int(p * double(neurons));
        if (n < 1)
            continue;
        if (n > orderingLength) {
            if (notes)
                notes->append(QStringLiteral("size %1 (p = %2) exceeds the ordering's %3 neurons; "
                                             "the whole ordering is used")
                                  .arg(n)
                                  .arg(num(p))
                                  .arg(orderingLength));
            n = orderingLength;
            if (n < 1)
                continue;
        }
        sizes.push_back(n);
    }
    std::sort(sizes.begin(), sizes.end());
    sizes.erase(std::unique(sizes.begin(), sizes.end()), sizes.end());
    return sizes;
}

int firstAboveTarget(const std::vector<SubsetPoint> &curve, double target)
{
    for (std::size_t i = 0; i < curve.size(); ++i)
        if (curve[i].dev > target)
            return int(i);
    return -1;
}

SeedSummary MinimalSubsetResult::sizeSummary() const
{
    return summarizeSeeds(std::vector<double>(seedSizes.begin(), seedSizes.end()));
}

namespace {

/// One search (one repetition) with its oracle: target, ordering, the sequential rule. Progress
/// steps are labelled with @p tag ("" or "seed 2 ").
MinimalSubsetResult searchOnce(const ExperimentData &data, const Probe &oracle,
                               const MinimalSubsetOptions &options,
                               const std::vector<double> &fractions, ProgressRelay &relay,
                               const TrainCallback &cancel, const QString &tag)
{
    const int D = data.train->neurons();
    MinimalSubsetResult result;
    result.oracleDev = accuracyOf(oracle, data.selection());
    result.oracleTest = testAccuracyOf(oracle, data);
    result.target = result.oracleDev * (1.0 - options.deltaPercent / 100.0);
    const MatrixF A = absWeights(oracle, QStringLiteral("minimal neuron subset"));
    result.ordering = options.ordering.empty()
                          ? toColumns(oracle, neuronOrdering(A, options.searchStride).order)
                          : checkedOrdering(options.ordering, D, false);
    const std::vector<int> sizes =
        subsetCandidateSizes(fractions, D, int(result.ordering.size()), &result.notes);

    // Sequential rule over increasing sizes, evaluated `window` sizes at a time. Each retraining is
    // deterministic (same seed, same columns), so speculation cannot change the outcome; points
    // past the chosen size are dropped.
    std::size_t next = 0;
    int chosen = -1;
    while (next < sizes.size() && chosen < 0) {
        if (relay.cancelled()) {
            result.status = Status::Cancelled;
            return result;
        }
        const int w = int(std::min<std::size_t>(std::size_t(options.window), sizes.size() - next));
        std::vector<SubsetScores> scores(static_cast<std::size_t>(w));
        std::vector<char> finished(static_cast<std::size_t>(w), 0);
        // Each size of the window is one farmed unit (farm.h).
        FarmLoop loop;
        loop.tag = QStringLiteral("minimal-subset %1size").arg(tag);
        loop.n = w;
        loop.relay = &relay;
        loop.threads = w;
        loop.cost = [&](int k) { return double(sizes[next + std::size_t(k)]); };
        loop.compute = [&](int k) {
            const int n = sizes[next + std::size_t(k)];
            return farmio::scoresBytes(retrainOnColumns(data, prefix(result.ordering, n), cancel));
        };
        loop.store = [&](int k, const QByteArray &bytes) {
            scores[std::size_t(k)] = farmio::scoresOf(bytes);
            if (scores[std::size_t(k)].status == Status::Ok) {
                finished[std::size_t(k)] = 1;
                relay.step(QStringLiteral("%1n=%2").arg(tag).arg(sizes[next + std::size_t(k)]));
            }
        };
        farmFor(loop);
        // Points in size order: an unfinished one before any decision means cancelled (the
        // finished prefix stays in the curve); once a point qualifies the rest is speculation.
        for (int k = 0; k < w; ++k) {
            if (!finished[std::size_t(k)]) {
                result.status = Status::Cancelled;
                return result;
            }
            const SubsetScores &s = scores[std::size_t(k)];
            result.curve.push_back(
                {sizes[next + std::size_t(k)], s.selection, s.test, s.selectionF1, s.testF1});
            if (firstAboveTarget(result.curve, result.target) >= 0)
                break;
        }
        chosen = firstAboveTarget(result.curve, result.target);
        next += std::size_t(w);
    }

    if (chosen >= 0) {
        result.curve.resize(std::size_t(chosen) + 1);
        const SubsetPoint &p = result.curve.back();
        result.size = p.size;
        result.neurons = prefix(result.ordering, p.size);
        result.dev = p.dev;
        result.test = p.test;
    } else {
        result.allNeurons = true;
        result.size = D;
        result.neurons = options.ordering.empty()
                             ? toColumns(oracle, fullOrdering(A, options.searchStride))
                             : checkedOrdering(options.ordering, D, true);
        result.dev = result.oracleDev;
        result.test = result.oracleTest;
        result.notes.append(QStringLiteral("no candidate size beat the target %1; the minimal set "
                                           "is all %2 neurons")
                                .arg(num(result.target))
                                .arg(D));
    }
    return result;
}

} // namespace

MinimalSubsetResult minimalSubset(const ExperimentData &data, const MinimalSubsetOptions &options,
                                  const ExperimentProgress &progress)
{
    options.validate();
    data.validate();
    requireClassification(data, QStringLiteral("minimal neuron subset"));
    if (options.oracle)
        checkOracle(*options.oracle, data, QStringLiteral("minimal neuron subset"));

    const int D = data.train->neurons();
    const int R = options.seeds;
    const std::vector<double> fractions =
        options.fractions.empty() ? subsetSizeFractions(options.preset) : options.fractions;
    const int plannedSizes = int(subsetCandidateSizes(fractions, D, D).size());
    ProgressRelay relay(progress, R * plannedSizes + (options.oracle ? R - 1 : R));
    const TrainCallback cancel = cancelCallback(relay);

    // Repetition s: its own oracle (probe seed + s; repetition 0 = options.oracle when given) and
    // its own search. Repetitions run in parallel; each is deterministic for its seed.
    std::vector<MinimalSubsetResult> runs(static_cast<std::size_t>(R));
    std::vector<char> done(std::size_t(R), 0);
    // Farmed (farm.h): the oracles are farmed first, then the repetitions run one after another
    // with their retraining windows spread over the processes; the outcome is the same (each
    // repetition is deterministic for its seed).
    const bool farmed = farmingActive();
    std::vector<TrainResult> oracles(static_cast<std::size_t>(R));
    if (farmed) {
        FarmLoop loop;
        loop.tag = QStringLiteral("minimal-subset oracle");
        loop.n = R;
        loop.relay = &relay;
        loop.compute = [&](int s) -> QByteArray {
            QByteArray out;
            QDataStream o(&out, QIODevice::WriteOnly);
            if (s == 0 && options.oracle) {
                o << qint32(Status::Ok);
                return out;
            }
            ExperimentData d = data;
            d.probe.seed = data.probe.seed + quint64(s);
            const TrainResult t = trainOracle(d, cancel);
            o << qint32(t.status);
            if (t.status == Status::Ok)
                farmio::putProbe(o, t.probe);
            return out;
        };
        loop.store = [&](int s, const QByteArray &bytes) {
            TrainResult &t = oracles[std::size_t(s)];
            if (bytes.isEmpty()) {
                t.status = Status::Cancelled;
                return;
            }
            QDataStream in(bytes);
            qint32 st = 0;
            in >> st;
            t.status = Status(st);
            if (t.status == Status::Ok && !(s == 0 && options.oracle))
                t.probe = farmio::getProbe(in);
        };
        farmFor(loop);
    }
    const auto repetition = [&](int s) {
        MinimalSubsetResult &run = runs[std::size_t(s)];
        ExperimentData d = data;
        d.probe.seed = data.probe.seed + quint64(s);
        const QString tag = R == 1 ? QString() : QStringLiteral("seed %1 ").arg(s);
        TrainResult &trained = oracles[std::size_t(s)];
        if (!(s == 0 && options.oracle)) {
            if (!farmed)
                trained = trainOracle(d, cancel);
            if (trained.status != Status::Ok) {
                run.status = trained.status;
                return;
            }
            relay.step(tag + QStringLiteral("oracle"));
        }
        run = searchOnce(d, s == 0 && options.oracle ? *options.oracle : trained.probe, options,
                         fractions, relay, cancel, tag);
        done[std::size_t(s)] = 1;
    };
    if (farmed)
        for (int s = 0; s < R && !relay.cancelled(); ++s)
            repetition(s);
    else
        parallelFor(R, repetition, &relay);

    MinimalSubsetResult result = std::move(runs[0]);
    if (!done[0] && result.status == Status::Ok)
        result.status = Status::Cancelled;
    for (int s = 1; s < R && result.status == Status::Ok; ++s)
        if (!done[std::size_t(s)] || runs[std::size_t(s)].status != Status::Ok)
            result.status = runs[std::size_t(s)].status == Status::Ok ? Status::Cancelled
                                                                      : runs[std::size_t(s)].status;
    if (result.status != Status::Ok) {
        result.size = 0;
        result.neurons.clear();
        return result;
    }
    for (int s = 0; s < R; ++s) {
        const MinimalSubsetResult &run = s == 0 ? result : runs[std::size_t(s)];
        result.seedSizes.push_back(run.size);
        result.seedOracleDev.push_back(run.oracleDev);
        result.seedOracleTest.push_back(run.oracleTest);
    }
    result.baselineSelection = majorityBaseline(data, &data.selection());
    result.baselineTest = majorityBaseline(data, data.test);
    return result;
}

} // namespace salient
