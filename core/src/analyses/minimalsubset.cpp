// Minimal neuron subset (Algorithm 4, spec/NEUROX.md §10). See analyses.h for the contracts.
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

MinimalSubsetResult minimalSubset(const ExperimentData &data, const MinimalSubsetOptions &options,
                                  const ExperimentProgress &progress)
{
    options.validate();
    data.validate();
    requireClassification(data, QStringLiteral("minimal neuron subset"));
    if (options.oracle)
        checkOracle(*options.oracle, data, QStringLiteral("minimal neuron subset"));

    const int D = data.train->neurons();
    const std::vector<double> fractions =
        options.fractions.empty() ? subsetSizeFractions(options.preset) : options.fractions;
    const int plannedSizes = int(subsetCandidateSizes(fractions, D, D).size());
    ProgressRelay relay(progress, plannedSizes + (options.oracle ? 0 : 1));
    const TrainCallback cancel = cancelCallback(relay);

    MinimalSubsetResult result;
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
        parallelFor(
            w,
            [&](int k) {
                const int n = sizes[next + std::size_t(k)];
                scores[std::size_t(k)] = retrainOnColumns(data, prefix(result.ordering, n), cancel);
                if (scores[std::size_t(k)].status == Status::Ok) {
                    finished[std::size_t(k)] = 1;
                    relay.step(QStringLiteral("n=%1").arg(n));
                }
            },
            &relay, w);
        // Points in size order: an unfinished one before any decision means cancelled (the
        // finished prefix stays in the curve); once a point qualifies the rest is speculation.
        for (int k = 0; k < w; ++k) {
            if (!finished[std::size_t(k)]) {
                result.status = Status::Cancelled;
                return result;
            }
            const SubsetScores &s = scores[std::size_t(k)];
            result.curve.push_back({sizes[next + std::size_t(k)], s.selection, s.test});
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

} // namespace salient
