// λ grid search (Algorithm 2, spec/NEUROX.md §9). See analyses.h for the contracts.
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

} // namespace salient
