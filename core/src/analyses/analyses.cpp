// The paper's probe-based analyses: λ grid search (Algorithm 2, spec/NEUROX.md §9), minimal neuron
// subset (Algorithm 4, §10), ablation curves (§8.1/§8.3), layer-wise probes and LayerSelector
// (§8.2), and the layer distribution of top neurons. See analyses.h for the contracts.
#include "salient/analyses/analyses.h"

#include "salient/probe/metrics.h"
#include "salient/probe/ranking.h"
#include "salient/util/error.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace salient {

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();

QString num(double v)
{
    return QString::number(v, 'g', 6);
}

void requireClassification(const ExperimentData &data, const QString &analysis)
{
    if (data.probe.regression)
        throw Error(QStringLiteral("%1 scores probes by accuracy and needs a classification task; "
                                   "the probe is a regression probe")
                        .arg(analysis));
}

void requireFinite(double v, const QString &what)
{
    if (!std::isfinite(v))
        throw Error(QStringLiteral("%1 must be a finite number (got %2)").arg(what, num(v)));
}

/// Every column of 0..neurons−1 not in @p keep, ascending: the `zeroed` list of a "keep" mask.
NeuronList complementOf(const NeuronList &keep, int neurons)
{
    std::vector<char> kept(std::size_t(neurons), 0);
    for (int c : keep)
        kept[std::size_t(c)] = 1;
    NeuronList out;
    out.reserve(std::size_t(neurons) - std::min(keep.size(), std::size_t(neurons)));
    for (int c = 0; c < neurons; ++c)
        if (!kept[std::size_t(c)])
            out.push_back(c);
    return out;
}

NeuronList prefix(const NeuronList &list, int n)
{
    return NeuronList(list.begin(),
                      list.begin() + std::min<std::ptrdiff_t>(n, std::ptrdiff_t(list.size())));
}

NeuronList suffix(const NeuronList &list, int n)
{
    return NeuronList(list.end() - std::min<std::ptrdiff_t>(n, std::ptrdiff_t(list.size())),
                      list.end());
}

/// Maps positions into a probe's inputs to dataset columns.
NeuronList toColumns(const Probe &probe, const NeuronList &positions)
{
    if (probe.columns.empty())
        return positions;
    NeuronList out;
    out.reserve(positions.size());
    for (int p : positions)
        out.push_back(probe.columns[std::size_t(p)]);
    return out;
}

MatrixF absWeights(const Probe &probe, const QString &what)
{
    if (!probe.W.allFinite())
        throw Error(QStringLiteral("%1: the probe's weights are not finite (training diverged); "
                                   "lower the learning rate or the penalties")
                        .arg(what));
    return probe.W.cwiseAbs();
}

double accuracyOf(const Probe &probe, const Dataset &ds, const NeuronList &zeroed = {})
{
    return evaluateProbe(probe, *ds.features(), ds.y, ds.yValue, zeroed).accuracy;
}

double testAccuracyOf(const Probe &probe, const ExperimentData &data)
{
    return data.test ? accuracyOf(probe, *data.test) : kNaN;
}

/// A given oracle must be a classification probe on all dataset columns, in order.
void checkOracle(const Probe &oracle, const ExperimentData &data, const QString &analysis)
{
    const int D = data.train->neurons();
    if (oracle.regression)
        throw Error(QStringLiteral("%1: the given oracle is a regression probe").arg(analysis));
    if (oracle.inputs() != D)
        throw Error(
            QStringLiteral("%1: the given oracle has %2 inputs but the data has %3 neurons; "
                           "it must be trained on all neurons")
                .arg(analysis)
                .arg(oracle.inputs())
                .arg(D));
    for (std::size_t j = 0; j < oracle.columns.size(); ++j)
        if (oracle.columns[j] != int(j))
            throw Error(QStringLiteral("%1: the given oracle's inputs are not the dataset columns "
                                       "0..%2 in order (input %3 is column %4)")
                            .arg(analysis)
                            .arg(D - 1)
                            .arg(j)
                            .arg(oracle.columns[j]));
    if (oracle.classes() != int(data.labels.size()))
        throw Error(QStringLiteral("%1: the given oracle has %2 classes but the task has %3 labels")
                        .arg(analysis)
                        .arg(oracle.classes())
                        .arg(data.labels.size()));
}

/// Trains the oracle on all columns (or returns status Cancelled).
TrainResult trainOracle(const ExperimentData &data, const TrainCallback &callback)
{
    return trainProbe(*data.train->features(), data.train->y, data.train->yValue, data.labels,
                      data.probe, {}, {}, nullptr, callback);
}

TrainCallback cancelCallback(const ProgressRelay &relay)
{
    return [&relay](const TrainProgress &) { return !relay.cancelled(); };
}

} // namespace

/// A caller-given ranking (dataset columns): checked for range and repeats; with @p complete the
/// columns it lacks are appended in ascending order.
static NeuronList checkedOrdering(const NeuronList &ordering, int neurons, bool complete)
{
    std::vector<char> seen(std::size_t(neurons), 0);
    for (int c : ordering) {
        if (c < 0 || c >= neurons)
            throw Error(QStringLiteral("ranking: column %1 outside 0..%2").arg(c).arg(neurons - 1));
        if (seen[std::size_t(c)])
            throw Error(QStringLiteral("ranking: column %1 appears twice").arg(c));
        seen[std::size_t(c)] = 1;
    }
    NeuronList out = ordering;
    if (complete)
        for (int c = 0; c < neurons; ++c)
            if (!seen[std::size_t(c)])
                out.push_back(c);
    return out;
}

NeuronList fullOrdering(const Eigen::Ref<const MatrixF> &A, int searchStride)
{
    NeuronList order = neuronOrdering(A, searchStride).order;
    const int D = int(A.cols());
    const NeuronList rest = complementOf(order, D);
    order.insert(order.end(), rest.begin(), rest.end());
    return order;
}

// ------------------------------------------------------------------------------------------------
// Grid search

QString gridScoreName(GridScore score)
{
    switch (score) {
    case GridScore::TopMinusRandom:
        return QStringLiteral("top-random");
    case GridScore::TopMinusBottom:
        return QStringLiteral("top-bottom");
    case GridScore::Both:
        return QStringLiteral("both");
    }
    return {};
}

GridScore gridScoreFromName(const QString &name)
{
    for (GridScore s : {GridScore::TopMinusRandom, GridScore::TopMinusBottom, GridScore::Both})
        if (name == gridScoreName(s))
            return s;
    throw Error(QStringLiteral("unknown grid-search score '%1' (expected top-random, top-bottom or "
                               "both)")
                    .arg(name));
}

QString gridScoreFormula(GridScore score, double alpha, double beta)
{
    const QString head = QStringLiteral("%1·A_full + %2·").arg(num(alpha), num(beta));
    switch (score) {
    case GridScore::TopMinusRandom:
        return head + QStringLiteral("(A_top − A_random)");
    case GridScore::TopMinusBottom:
        return head + QStringLiteral("(A_top − A_bottom)");
    case GridScore::Both:
        return head + QStringLiteral("((A_top − A_random) + (A_top − A_bottom))/2");
    }
    return {};
}

void GridSearchOptions::validate() const
{
    if (l1Values.empty() || l2Values.empty())
        throw Error(QStringLiteral("grid search: the λ1 and λ2 value lists must not be empty "
                                   "(got %1 λ1 and %2 λ2 values)")
                        .arg(l1Values.size())
                        .arg(l2Values.size()));
    for (double v : l1Values)
        if (!std::isfinite(v) || v < 0)
            throw Error(QStringLiteral("grid search: λ1 values must be finite and ≥ 0 (got %1)")
                            .arg(num(v)));
    for (double v : l2Values)
        if (!std::isfinite(v) || v < 0)
            throw Error(QStringLiteral("grid search: λ2 values must be finite and ≥ 0 (got %1)")
                            .arg(num(v)));
    if (!std::isfinite(keepFraction) || keepFraction <= 0 || keepFraction > 1)
        throw Error(QStringLiteral("grid search: the kept fraction M must be in (0, 1] (got %1)")
                        .arg(num(keepFraction)));
    requireFinite(alpha, QStringLiteral("grid search: α"));
    requireFinite(beta, QStringLiteral("grid search: β"));
    if (searchStride < 1)
        throw Error(QStringLiteral("grid search: the search stride must be at least 1 (got %1)")
                        .arg(searchStride));
}

double gridCellScore(const GridCell &cell, GridScore score, double alpha, double beta)
{
    switch (score) {
    case GridScore::TopMinusRandom:
        return alpha * cell.full + beta * (cell.top - cell.random);
    case GridScore::TopMinusBottom:
        return alpha * cell.full + beta * (cell.top - cell.bottom);
    case GridScore::Both:
        return alpha * cell.full
               + beta * ((cell.top - cell.random) + (cell.top - cell.bottom)) / 2.0;
    }
    return kNaN;
}

GridSearchResult gridSearch(const ExperimentData &data, const GridSearchOptions &options,
                            const ExperimentProgress &progress)
{
    options.validate();
    data.validate();
    requireClassification(data, QStringLiteral("grid search"));

    const int D = data.train->neurons();
    const Dataset &sel = data.selection();
    GridSearchResult result;
    result.rows = int(options.l1Values.size());
    result.cols = int(options.l2Values.size());
    result.kept = std::clamp(int(std::floor(options.keepFraction * D)), 1, D);
    result.score = options.score;
    result.alpha = options.alpha;
    result.beta = options.beta;
    result.formula = gridScoreFormula(options.score, options.alpha, options.beta);
    for (double l1 : options.l1Values) {
        for (double l2 : options.l2Values) {
            GridCell cell;
            cell.l1 = l1;
            cell.l2 = l2;
            cell.test = kNaN;
            result.cells.push_back(cell);
        }
    }

    const int n = result.kept;
    const quint64 seed = options.randomSeed != 0 ? options.randomSeed : data.probe.seed;
    const NeuronList randomZeroed = complementOf(randomNeuronsCount(D, n, seed), D);
    const int total = int(result.cells.size());
    ProgressRelay relay(progress, total);
    const TrainCallback cancel = cancelCallback(relay);

    parallelFor(
        total,
        [&](int i) {
            GridCell &cell = result.cells[std::size_t(i)];
            ProbeOptions po = data.probe;
            po.l1 = cell.l1;
            po.l2 = cell.l2;
            const TrainResult trained =
                trainProbe(*data.train->features(), data.train->y, data.train->yValue, data.labels,
                           po, {}, {}, nullptr, cancel);
            if (trained.status != Status::Ok)
                return;
            const Probe &probe = trained.probe;
            const QString stage = QStringLiteral("λ1=%1 λ2=%2").arg(num(cell.l1), num(cell.l2));
            const NeuronList order = toColumns(
                probe,
                fullOrdering(absWeights(probe, QStringLiteral("grid search (%1)").arg(stage)),
                             options.searchStride));
            cell.full = accuracyOf(probe, sel);
            cell.top = accuracyOf(probe, sel, complementOf(prefix(order, n), D));
            cell.random = accuracyOf(probe, sel, randomZeroed);
            cell.bottom = accuracyOf(probe, sel, complementOf(suffix(order, n), D));
            cell.test = testAccuracyOf(probe, data);
            cell.score = gridCellScore(cell, options.score, options.alpha, options.beta);
            cell.done = true;
            relay.step(stage);
        },
        &relay, options.threads);

    for (int i = 0; i < total; ++i) {
        const GridCell &cell = result.cells[std::size_t(i)];
        if (!cell.done) {
            result.status = Status::Cancelled;
            continue;
        }
        if (result.best < 0 || cell.score > result.cells[std::size_t(result.best)].score)
            result.best = i;
    }
    return result;
}

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

// ------------------------------------------------------------------------------------------------
// Layer distribution

LayerDistribution layerDistribution(const std::vector<int> &layerIds, int dims,
                                    const NeuronList &ordering, int k)
{
    if (dims < 1)
        throw Error(
            QStringLiteral("layer distribution: dims must be at least 1 (got %1)").arg(dims));
    if (k < 0)
        throw Error(QStringLiteral("layer distribution: k must be ≥ 0 (got %1)").arg(k));
    const int neurons = int(layerIds.size()) * dims;
    LayerDistribution d;
    d.layerIds = layerIds;
    d.counts.assign(layerIds.size(), 0);
    d.total = std::min(k, int(ordering.size()));
    double sum = 0;
    for (int i = 0; i < d.total; ++i) {
        const int c = ordering[std::size_t(i)];
        if (c < 0 || c >= neurons)
            throw Error(QStringLiteral("layer distribution: column %1 is outside the %2 layers × "
                                       "%3 dims")
                            .arg(c)
                            .arg(layerIds.size())
                            .arg(dims));
        const std::size_t layer = std::size_t(c / dims);
        ++d.counts[layer];
        sum += layerIds[layer];
    }
    d.meanLayer = d.total > 0 ? sum / double(d.total) : kNaN;
    return d;
}

LayerDistribution layerDistribution(const Dataset &layout, const NeuronList &ordering, int k)
{
    return layerDistribution(layout.layerIds, layout.dims, ordering, k);
}

std::vector<LayerDistribution> labelLayerDistributions(const std::vector<int> &layerIds, int dims,
                                                       const Probe &probe, int k)
{
    const MatrixF A = absWeights(probe, QStringLiteral("layer distribution"));
    std::vector<LayerDistribution> out;
    for (int c = 0; c < int(A.rows()); ++c)
        out.push_back(layerDistribution(layerIds, dims, toColumns(probe, classRanking(A, c)), k));
    return out;
}

} // namespace salient
