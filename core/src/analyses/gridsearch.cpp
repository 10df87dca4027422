// λ grid search (Algorithm 2, spec/NEUROX.md §9). See analyses.h for the contracts.
#include "farm_p.h"
#include "salient/analyses/analyses.h"
#include "salient/analyses/farm.h"

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

QString gridSelectionName(GridSelection selection)
{
    switch (selection) {
    case GridSelection::Paper:
        return QStringLiteral("paper");
    case GridSelection::Guarded:
        return QStringLiteral("guarded");
    }
    return {};
}

GridSelection gridSelectionFromName(const QString &name)
{
    for (GridSelection s : {GridSelection::Paper, GridSelection::Guarded})
        if (name == gridSelectionName(s))
            return s;
    throw Error(
        QStringLiteral("unknown grid-search selection '%1' (expected paper or guarded)").arg(name));
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
    if (!std::isfinite(accuracyTolerance) || accuracyTolerance < 0 || accuracyTolerance > 100)
        throw Error(QStringLiteral("grid search: the accuracy tolerance must be in [0, 100] "
                                   "accuracy points (got %1)")
                        .arg(num(accuracyTolerance)));
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

int bestAccuracyCell(const std::vector<GridCell> &cells)
{
    int best = -1;
    for (int i = 0; i < int(cells.size()); ++i) {
        const GridCell &c = cells[std::size_t(i)];
        if (c.done && (best < 0 || c.full > cells[std::size_t(best)].full))
            best = i;
    }
    return best;
}

bool gridCellEligible(const GridCell &cell, double bestFull, GridSelection selection,
                      double tolerancePoints)
{
    if (!cell.done)
        return false;
    if (selection == GridSelection::Paper)
        return true;
    return 100.0 * (bestFull - cell.full) <= tolerancePoints + 1e-9;
}

int selectGridWinner(const std::vector<GridCell> &cells, GridSelection selection,
                     double tolerancePoints)
{
    const int top = bestAccuracyCell(cells);
    if (top < 0)
        return -1;
    const double bestFull = cells[std::size_t(top)].full;
    int best = -1;
    for (int i = 0; i < int(cells.size()); ++i) {
        const GridCell &c = cells[std::size_t(i)];
        if (!gridCellEligible(c, bestFull, selection, tolerancePoints))
            continue;
        if (best < 0 || c.score > cells[std::size_t(best)].score)
            best = i;
    }
    return best;
}

double GridSearchResult::costVsBest() const
{
    const GridCell *w = winner();
    if (!w || bestAccuracy < 0)
        return kNaN;
    return 100.0 * (cells[std::size_t(bestAccuracy)].full - w->full);
}

double GridSearchResult::costVsZero() const
{
    const GridCell *w = winner();
    if (!w || !std::isfinite(zeroFull))
        return kNaN;
    return 100.0 * (zeroFull - w->full);
}

void applyGridSelection(GridSearchResult &result, const QString &split)
{
    result.bestAccuracy = bestAccuracyCell(result.cells);
    const double bestFull =
        result.bestAccuracy >= 0 ? result.cells[std::size_t(result.bestAccuracy)].full : kNaN;
    for (GridCell &c : result.cells)
        c.eligible = result.bestAccuracy >= 0
                     && gridCellEligible(c, bestFull, result.selection, result.accuracyTolerance);
    result.best = selectGridWinner(result.cells, result.selection, result.accuracyTolerance);
    for (int i = 0; i < int(result.cells.size()); ++i) {
        const GridCell &c = result.cells[std::size_t(i)];
        if (c.l1 == 0 && c.l2 == 0) {
            result.zeroCell = i;
            result.zeroFull = c.done ? c.full : kNaN;
            break;
        }
    }
    result.warnings = gridWarnings(result, split);
}

QStringList gridWarnings(const GridSearchResult &result, const QString &split)
{
    QStringList out;
    const GridCell *w = result.winner();
    if (!w)
        return out;
    const QString on = split.isEmpty() ? QString() : QStringLiteral(" on %1").arg(split);
    const QString chosen = QStringLiteral("the chosen cell λ1=%1, λ2=%2 (rule %3)")
                               .arg(num(w->l1), num(w->l2), gridSelectionName(result.selection));
    const double vsBest = result.costVsBest();
    if (std::isfinite(vsBest) && vsBest > kGridCostWarningPoints + 1e-9) {
        const GridCell &b = result.cells[std::size_t(result.bestAccuracy)];
        out << QStringLiteral("%1 is %2 accuracy points%3 below the most accurate cell λ1=%4, "
                              "λ2=%5 (%6 vs %7)")
                   .arg(chosen, QString::number(vsBest, 'f', 1), on, num(b.l1), num(b.l2),
                        QString::number(w->full, 'f', 4), QString::number(b.full, 'f', 4));
    }
    const double vsZero = result.costVsZero();
    if (std::isfinite(vsZero) && vsZero > kGridCostWarningPoints + 1e-9)
        out << QStringLiteral("%1 is %2 accuracy points%3 below the plain probe λ1=λ2=0 (%4 vs "
                              "%5, %6)")
                   .arg(chosen, QString::number(vsZero, 'f', 1), on,
                        QString::number(w->full, 'f', 4), QString::number(result.zeroFull, 'f', 4),
                        result.zeroCell >= 0 ? QStringLiteral("grid cell")
                                             : QStringLiteral("extra reference probe"));
    return out;
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
    result.selection = options.selection;
    result.accuracyTolerance = options.accuracyTolerance;
    result.baseline = majorityBaseline(data, &sel);
    bool hasZeroCell = false;
    for (double l1 : options.l1Values) {
        for (double l2 : options.l2Values) {
            GridCell cell;
            cell.l1 = l1;
            cell.l2 = l2;
            cell.test = kNaN;
            cell.macroF1 = kNaN;
            hasZeroCell = hasZeroCell || (l1 == 0 && l2 == 0);
            result.cells.push_back(cell);
        }
    }

    const int n = result.kept;
    const quint64 seed = options.randomSeed != 0 ? options.randomSeed : data.probe.seed;
    const NeuronList randomZeroed = complementOf(randomNeuronsCount(D, n, seed), D);
    const int total = int(result.cells.size());
    // Without a (0, 0) cell, task `total` trains the λ = 0 reference probe.
    const int tasks = total + (hasZeroCell ? 0 : 1);
    ProgressRelay relay(progress, tasks);
    const TrainCallback cancel = cancelCallback(relay);

    // Every cell (and the λ = 0 reference) shares X, the seed and so the batch order: the probes
    // train together, one pass over X per epoch for all of them (trainProbes; each probe equals
    // its separate training bit for bit). Groups are capped in memory (weights + Adam state).
    std::vector<ProbeJob> jobs(static_cast<std::size_t>(tasks));
    for (int i = 0; i < tasks; ++i) {
        ProbeOptions &po = jobs[std::size_t(i)].options;
        po = data.probe;
        po.l1 = i == total ? 0.0 : result.cells[std::size_t(i)].l1;
        po.l2 = i == total ? 0.0 : result.cells[std::size_t(i)].l2;
    }
    // Farmed over MPI ranks (farm.h), every cell is its own unit and trains alone instead (the
    // same bits either way).
    const bool fused = !farmingActive();
    std::vector<TrainResult> trained(static_cast<std::size_t>(tasks));
    for (TrainResult &t : trained)
        t.status = Status::Cancelled; // groups not reached after a cancel
    const int perGroup = fusedGroupSize(data.labels.size(), data.train->neurons());
    for (int g0 = 0; fused && g0 < tasks && !relay.cancelled(); g0 += perGroup) {
        const int g1 = std::min(tasks, g0 + perGroup);
        const std::vector<ProbeJob> group(jobs.begin() + g0, jobs.begin() + g1);
        std::vector<TrainResult> r =
            trainProbes(*data.train->features(), data.train->y, data.train->yValue, data.labels,
                        group, {}, {}, cancel);
        for (int i = g0; i < g1; ++i)
            trained[std::size_t(i)] = std::move(r[std::size_t(i - g0)]);
    }

    bool zeroDone = hasZeroCell;
    // Each task is one farmed unit (farm.h): its numbers as bytes, stored on every process.
    FarmLoop loop;
    loop.tag = QStringLiteral("grid-search cell");
    loop.n = tasks;
    loop.relay = &relay;
    loop.threads = options.threads;
    loop.compute = [&](int i) -> QByteArray {
        const ProbeOptions &po = jobs[std::size_t(i)].options;
        TrainResult own;
        if (!fused)
            own = trainProbe(*data.train->features(), data.train->y, data.train->yValue,
                             data.labels, po, {}, {}, nullptr, cancel);
        const TrainResult &trainedProbe = fused ? trained[std::size_t(i)] : own;
        if (trainedProbe.status != Status::Ok)
            return {};
        const Probe &probe = trainedProbe.probe;
        if (i == total)
            return farmio::doubles({accuracyOf(probe, sel)});
        const QString stage = QStringLiteral("λ1=%1 λ2=%2").arg(num(po.l1), num(po.l2));
        const NeuronList order = toColumns(
            probe, fullOrdering(absWeights(probe, QStringLiteral("grid search (%1)").arg(stage)),
                                options.searchStride));
        const Evaluation full = evaluateProbe(probe, *sel.features(), sel.y, sel.yValue);
        return farmio::doubles({full.accuracy, full.macroF1,
                                accuracyOf(probe, sel, complementOf(prefix(order, n), D)),
                                accuracyOf(probe, sel, randomZeroed),
                                accuracyOf(probe, sel, complementOf(suffix(order, n), D)),
                                testAccuracyOf(probe, data)});
    };
    loop.store = [&](int i, const QByteArray &bytes) {
        if (bytes.isEmpty())
            return;
        QDataStream in(bytes);
        if (i == total) {
            result.zeroFull = farmio::getDouble(in);
            zeroDone = true;
            relay.step(QStringLiteral("λ1=0 λ2=0 (reference)"));
            return;
        }
        GridCell &cell = result.cells[std::size_t(i)];
        cell.full = farmio::getDouble(in);
        cell.macroF1 = farmio::getDouble(in);
        cell.top = farmio::getDouble(in);
        cell.random = farmio::getDouble(in);
        cell.bottom = farmio::getDouble(in);
        cell.test = farmio::getDouble(in);
        cell.score = gridCellScore(cell, options.score, options.alpha, options.beta);
        cell.done = true;
        relay.step(QStringLiteral("λ1=%1 λ2=%2").arg(num(cell.l1), num(cell.l2)));
    };
    farmFor(loop);

    for (const GridCell &cell : result.cells)
        if (!cell.done)
            result.status = Status::Cancelled;
    if (!zeroDone)
        result.status = Status::Cancelled;
    applyGridSelection(result, data.dev ? QStringLiteral("dev") : QStringLiteral("train"));
    return result;
}

} // namespace salient
