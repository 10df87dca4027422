// Long on purpose: one test class for every analysis of analyses.h, each with its error cases.
// Tests of the paper's analyses (analyses.h): λ grid search (spec/NEUROX.md §9), minimal neuron
// subset (§10), ablation curves (§8.1), layer-wise probes and LayerSelector (§8.2), and the layer
// distribution of top neurons. Synthetic data with planted informative columns keeps the file
// fast; the demo dataset and ../shared/data (skipped visibly when absent) add realistic checks.
#include <QtTest>

#include "salient/analyses/analyses.h"
#include "salient/data/demo.h"
#include "salient/data/task.h"
#include "salient/probe/metrics.h"
#include "salient/probe/ranking.h"
#include "salient/util/error.h"
#include "testutil.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <set>

using namespace salient;

namespace {

/// Splits with @p informative planted columns among noise columns. Classes 0..informative−1
/// (uniform); column informativeColumns[c] is 3 + N(0,1) for class c and N(0,1) otherwise; every
/// other column is N(0,1). Layout: layers × dims with dims = 5.
struct Planted {
    Dataset train, dev, test;
    QStringList labels;
    NeuronList informativeColumns;
    ExperimentData data() const
    {
        ExperimentData d;
        d.train = &train;
        d.dev = &dev;
        d.test = &test;
        d.labels = labels;
        d.probe.epochs = 10;
        d.probe.batchSize = 32;
        d.probe.learningRate = 1e-2;
        d.probe.seed = 11;
        return d;
    }
};

Dataset plantedSplit(const QString &name, int rows, int neurons, const NeuronList &informative,
                     std::mt19937_64 &rng)
{
    Dataset ds;
    ds.name = name;
    ds.dims = 5;
    ds.layers = neurons / ds.dims;
    for (int l = 0; l < ds.layers; ++l)
        ds.layerIds.push_back(l);
    ds.X.resize(rows, neurons);
    ds.y.resize(rows);
    std::normal_distribution<float> noise(0.0f, 1.0f);
    const int classes = int(informative.size());
    for (int r = 0; r < rows; ++r) {
        const int c = int(rng() % std::uint64_t(classes));
        ds.y[r] = c;
        for (int j = 0; j < neurons; ++j)
            ds.X(r, j) = noise(rng);
        ds.X(r, informative[std::size_t(c)]) += 3.0f;
    }
    return ds;
}

Planted makePlanted(int neurons = 65, quint64 seed = 3)
{
    Planted p;
    // Spread over the columns (65 neurons: 8, 19, 32, 48, 61); needs neurons ≥ 10.
    p.informativeColumns = {neurons / 8, neurons * 3 / 10, neurons / 2, neurons * 3 / 4,
                            neurons - 4};
    std::mt19937_64 rng(seed);
    p.train = plantedSplit(QStringLiteral("train"), 1000, neurons, p.informativeColumns, rng);
    p.dev = plantedSplit(QStringLiteral("dev"), 500, neurons, p.informativeColumns, rng);
    p.test = plantedSplit(QStringLiteral("test"), 500, neurons, p.informativeColumns, rng);
    for (std::size_t c = 0; c < p.informativeColumns.size(); ++c)
        p.labels.append(QStringLiteral("C%1").arg(c));
    return p;
}

/// Share of the most frequent class in @p ds.
double majorityShare(const Dataset &ds, int classes)
{
    std::vector<int> counts(std::size_t(classes), 0);
    for (Index r = 0; r < ds.rows(); ++r)
        ++counts[std::size_t(ds.y[r])];
    return double(*std::max_element(counts.begin(), counts.end())) / double(ds.rows());
}

/// The most frequent class of @p ds (ties: lowest index).
int majorityLabel(const Dataset &ds, int classes)
{
    std::vector<int> counts(std::size_t(classes), 0);
    for (Index r = 0; r < ds.rows(); ++r)
        ++counts[std::size_t(ds.y[r])];
    return int(std::max_element(counts.begin(), counts.end()) - counts.begin());
}

/// Share of the rows of @p ds with label @p label.
double labelShare(const Dataset &ds, int label)
{
    Index n = 0;
    for (Index r = 0; r < ds.rows(); ++r)
        n += ds.y[r] == label ? 1 : 0;
    return double(n) / double(ds.rows());
}

/// A dataset of layers × dims where only kept layer @p signalLayer carries the class (3 classes,
/// a one-hot code of strength 2.5 over its first 3 dims plus noise).
Dataset layeredSplit(const QString &name, int rows, const std::vector<int> &layerIds, int dims,
                     int signalLayer, std::mt19937_64 &rng)
{
    Dataset ds;
    ds.name = name;
    ds.layers = int(layerIds.size());
    ds.dims = dims;
    ds.layerIds = layerIds;
    ds.X.resize(rows, ds.layers * dims);
    ds.y.resize(rows);
    std::normal_distribution<float> noise(0.0f, 1.0f);
    for (int r = 0; r < rows; ++r) {
        const int c = int(rng() % 3);
        ds.y[r] = c;
        for (int j = 0; j < ds.layers * dims; ++j)
            ds.X(r, j) = noise(rng);
        ds.X(r, signalLayer * dims + c) += 2.5f;
    }
    return ds;
}

} // namespace

class TestAnalyses : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // ---- full ordering -------------------------------------------------------------------------
    void fullOrderingIsPermutationWithOrderingPrefix()
    {
        std::mt19937_64 rng(5);
        std::uniform_real_distribution<float> u(0.0f, 1.0f);
        MatrixF A(3, 40);
        for (Index i = 0; i < A.size(); ++i)
            A.data()[i] = u(rng);
        A.col(17).setZero(); // never selected by any class before the end
        for (int stride : {1, 3, 100}) {
            const NeuronList order = neuronOrdering(A, stride).order;
            const NeuronList full = fullOrdering(A, stride);
            QCOMPARE(int(full.size()), 40);
            QVERIFY(std::equal(order.begin(), order.end(), full.begin()));
            QCOMPARE(std::set<int>(full.begin(), full.end()).size(), std::size_t(40));
            // The tail after the ordering is ascending.
            QVERIFY(std::is_sorted(full.begin() + std::ptrdiff_t(order.size()), full.end()));
        }
        // A short ordering: stride 1 selects few neurons; the rest follows in ascending order.
        MatrixF B = MatrixF::Zero(1, 6);
        B(0, 4) = 1.0f;
        const NeuronList shortOrder = neuronOrdering(B, 1).order;
        const NeuronList full = fullOrdering(B, 1);
        QCOMPARE(full.front(), 4);
        NeuronList expectedTail;
        for (int j = 0; j < 6; ++j)
            if (std::find(shortOrder.begin(), shortOrder.end(), j) == shortOrder.end())
                expectedTail.push_back(j);
        QVERIFY(std::equal(expectedTail.begin(), expectedTail.end(),
                           full.begin() + std::ptrdiff_t(shortOrder.size())));
    }

    // ---- grid search
    // -----------------------------------------------------------------------------
    void gridCellScoreFormulas()
    {
        GridCell c;
        c.full = 0.9;
        c.top = 0.8;
        c.random = 0.5;
        c.bottom = 0.3;
        QCOMPARE(gridCellScore(c, GridScore::TopMinusRandom, 0.5, 0.5), 0.5 * 0.9 + 0.5 * 0.3);
        QCOMPARE(gridCellScore(c, GridScore::TopMinusBottom, 0.5, 0.5), 0.5 * 0.9 + 0.5 * 0.5);
        QCOMPARE(gridCellScore(c, GridScore::Both, 0.2, 1.0), 0.2 * 0.9 + (0.3 + 0.5) / 2.0);
        for (GridScore s : {GridScore::TopMinusRandom, GridScore::TopMinusBottom, GridScore::Both})
            QCOMPARE(gridScoreFromName(gridScoreName(s)), s);
        QVERIFY_THROWS_EXCEPTION(Error, gridScoreFromName(QStringLiteral("top-middle")));
        QCOMPARE(gridScoreFormula(GridScore::TopMinusRandom, 0.5, 0.5),
                 QStringLiteral("0.5·A_full + 0.5·(A_top − A_random)"));
    }

    void gridSearchOnPlantedData_data()
    {
        QTest::addColumn<int>("score");
        QTest::newRow("top-random") << int(GridScore::TopMinusRandom);
        QTest::newRow("both") << int(GridScore::Both);
    }
    void gridSearchOnPlantedData()
    {
        QFETCH(int, score);
        const Planted p = makePlanted();
        GridSearchOptions o;
        o.l1Values = {0.0, 1e-3};
        o.l2Values = {0.0, 1e-2};
        o.score = GridScore(score);
        o.alpha = 0.4;
        o.beta = 0.6;
        o.selection = GridSelection::Paper; // the paper's rule: the maximum score wins
        int calls = 0;
        double lastFraction = 0;
        const GridSearchResult r = gridSearch(p.data(), o, [&](double f, const QString &) {
            ++calls;
            lastFraction = f;
            return true;
        });
        QCOMPARE(r.status, Status::Ok);
        QCOMPARE(r.rows, 2);
        QCOMPARE(r.cols, 2);
        QCOMPARE(int(r.cells.size()), 4);
        QCOMPARE(r.kept, 13); // ⌊0.2 · 65⌋
        QCOMPARE(calls, 4);
        QCOMPARE(lastFraction, 1.0);
        QCOMPARE(r.formula, gridScoreFormula(o.score, 0.4, 0.6));
        for (int i = 0; i < 4; ++i) {
            const GridCell &c = r.cells[std::size_t(i)];
            QVERIFY(c.done);
            QCOMPARE(c.l1, o.l1Values[std::size_t(i / 2)]);
            QCOMPARE(c.l2, o.l2Values[std::size_t(i % 2)]);
            // Recomputed by hand from the stored accuracies.
            const double expected =
                o.score == GridScore::TopMinusRandom
                    ? 0.4 * c.full + 0.6 * (c.top - c.random)
                    : 0.4 * c.full + 0.6 * ((c.top - c.random) + (c.top - c.bottom)) / 2.0;
            QCOMPARE(c.score, expected);
            // Planted data: the probe is good, the top 13 neurons hold the 5 informative ones.
            QVERIFY2(c.full > 0.85, qPrintable(QString::number(c.full)));
            QVERIFY2(c.top > c.random && c.top > c.bottom,
                     qPrintable(QStringLiteral("top %1 random %2 bottom %3")
                                    .arg(c.top)
                                    .arg(c.random)
                                    .arg(c.bottom)));
            QVERIFY(std::isfinite(c.test));
        }
        // The winner is the best cell, ties to the first.
        QVERIFY(r.best >= 0);
        QVERIFY(r.winner() == &r.cells[std::size_t(r.best)]);
        for (int i = 0; i < 4; ++i) {
            const double s = r.cells[std::size_t(i)].score;
            QVERIFY(s <= r.winner()->score);
            if (i < r.best)
                QVERIFY(s < r.winner()->score);
        }
        qInfo("grid (%s): winner λ1=%g λ2=%g score %.4f full %.4f top %.4f random %.4f bottom %.4f",
              qPrintable(gridScoreName(o.score)), r.winner()->l1, r.winner()->l2, r.winner()->score,
              r.winner()->full, r.winner()->top, r.winner()->random, r.winner()->bottom);
    }

    // Grid cells train together (trainProbes); each cell must score exactly what its probe
    // trained alone scores (fused training is bit-identical to separate training).
    void gridSearchFusedEqualsSeparate()
    {
        const Planted p = makePlanted();
        const ExperimentData data = p.data();
        GridSearchOptions o;
        o.l1Values = {0.0, 1e-3, 1e-2};
        o.l2Values = {1e-4, 1e-2};
        const GridSearchResult r = gridSearch(data, o);
        QCOMPARE(r.status, Status::Ok);
        QCOMPARE(int(r.cells.size()), 6);
        const Dataset &sel = data.selection();
        for (const GridCell &c : r.cells) {
            ProbeOptions po = data.probe;
            po.l1 = c.l1;
            po.l2 = c.l2;
            const TrainResult alone = trainProbe(*data.train->features(), data.train->y,
                                                 data.train->yValue, data.labels, po);
            QCOMPARE(alone.status, Status::Ok);
            const Evaluation e = evaluateProbe(alone.probe, *sel.features(), sel.y, sel.yValue);
            QCOMPARE(c.full, e.accuracy);
            QCOMPARE(c.macroF1, e.macroF1);
        }
        // No (0, 0) cell: the λ = 0 reference probe trained in the same pass.
        ProbeOptions po = data.probe;
        po.l1 = po.l2 = 0;
        const TrainResult zero =
            trainProbe(*data.train->features(), data.train->y, data.train->yValue, data.labels, po);
        QCOMPARE(r.zeroCell, -1);
        QCOMPARE(r.zeroFull,
                 evaluateProbe(zero.probe, *sel.features(), sel.y, sel.yValue).accuracy);
    }

    void gridSearchCancels()
    {
        const Planted p = makePlanted();
        GridSearchOptions o;
        o.l1Values = {0.0, 1e-4, 1e-3};
        o.l2Values = {0.0};
        o.threads = 1;
        const GridSearchResult r =
            gridSearch(p.data(), o, [](double, const QString &) { return false; });
        QCOMPARE(r.status, Status::Cancelled);
        QCOMPARE(int(std::count_if(r.cells.begin(), r.cells.end(),
                                   [](const GridCell &c) { return c.done; })),
                 1);
        QCOMPARE(r.best, 0); // the winner among the finished cells
    }

    void gridSearchRejectsInvalidOptions()
    {
        const Planted p = makePlanted(20);
        const ExperimentData data = p.data();
        GridSearchOptions o;
        o.l1Values.clear();
        QVERIFY_THROWS_EXCEPTION(Error, gridSearch(data, o));
        o = {};
        o.l2Values = {0.0, -1e-3};
        QVERIFY_THROWS_EXCEPTION(Error, gridSearch(data, o));
        o = {};
        o.l1Values = {std::nan("")};
        QVERIFY_THROWS_EXCEPTION(Error, gridSearch(data, o));
        for (double m : {0.0, -0.1, 1.5}) {
            o = {};
            o.keepFraction = m;
            QVERIFY_THROWS_EXCEPTION(Error, gridSearch(data, o));
        }
        o = {};
        o.searchStride = 0;
        QVERIFY_THROWS_EXCEPTION(Error, gridSearch(data, o));
        // The message is readable and names the problem.
        o = {};
        o.keepFraction = 2.0;
        try {
            gridSearch(data, o);
            QFAIL("no error");
        } catch (const Error &e) {
            QVERIFY2(e.message().contains(QStringLiteral("(0, 1]")), qPrintable(e.message()));
        }
        // Regression makes no sense for an accuracy-based score.
        ExperimentData reg = data;
        reg.probe.regression = true;
        QVERIFY_THROWS_EXCEPTION(Error, gridSearch(reg, GridSearchOptions{}));
        // The guarded rule's tolerance is in accuracy points, 0..100.
        for (double t : {-1.0, 100.5, std::nan("")}) {
            o = {};
            o.accuracyTolerance = t;
            QVERIFY_THROWS_EXCEPTION(Error, gridSearch(data, o));
        }
        QVERIFY_THROWS_EXCEPTION(Error, gridSelectionFromName(QStringLiteral("foo")));
        for (GridSelection s : {GridSelection::Paper, GridSelection::Guarded})
            QCOMPARE(gridSelectionFromName(gridSelectionName(s)), s);
    }

    // A hand-made 2×2 grid shaped like the user's PTB POS measurement: the sparse cell (λ1 = 1e-2)
    // has the highest score but 15 points less A_full than λ = 0.
    static GridSearchResult handGrid()
    {
        GridSearchResult r;
        r.rows = 2;
        r.cols = 2;
        auto cell = [](double l1, double l2, double full, double score) {
            GridCell c;
            c.l1 = l1;
            c.l2 = l2;
            c.full = full;
            c.score = score;
            c.done = true;
            return c;
        };
        r.cells = {cell(0, 0, 0.883, 0.50), cell(0, 1e-4, 0.878, 0.55), cell(1e-2, 0, 0.740, 0.60),
                   cell(1e-2, 1e-4, 0.727, 0.70)};
        return r;
    }

    void gridSelectionRules()
    {
        const GridSearchResult h = handGrid();
        QCOMPARE(bestAccuracyCell(h.cells), 0);
        // The paper's rule takes the sparse, inaccurate cell; the guarded rule does not.
        QCOMPARE(selectGridWinner(h.cells, GridSelection::Paper, 1.0), 3);
        QCOMPARE(selectGridWinner(h.cells, GridSelection::Guarded, 1.0), 1);
        // Tolerance boundary: cell 1 is exactly 0.5 points below the best.
        QCOMPARE(selectGridWinner(h.cells, GridSelection::Guarded, 0.5), 1);
        QCOMPARE(selectGridWinner(h.cells, GridSelection::Guarded, 0.49), 0);
        QCOMPARE(selectGridWinner(h.cells, GridSelection::Guarded, 0.0), 0);
        QCOMPARE(selectGridWinner(h.cells, GridSelection::Guarded, 14.3), 2);  // 0.883 − 0.740
        QCOMPARE(selectGridWinner(h.cells, GridSelection::Guarded, 15.59), 2); // not yet 0.727
        QCOMPARE(selectGridWinner(h.cells, GridSelection::Guarded, 15.6), 3);  // 0.883 − 0.727
        QCOMPARE(selectGridWinner(h.cells, GridSelection::Guarded, 100.0), 3); // = paper
        // Ties → the first eligible cell; cells not done never compete; nothing done → −1.
        std::vector<GridCell> tie = h.cells;
        tie[1].score = tie[0].score;
        QCOMPARE(selectGridWinner(tie, GridSelection::Guarded, 1.0), 0);
        tie[0].done = false;
        QCOMPARE(bestAccuracyCell(tie), 1);
        QCOMPARE(selectGridWinner(tie, GridSelection::Guarded, 1.0), 1);
        for (GridCell &c : tie)
            c.done = false;
        QCOMPARE(selectGridWinner(tie, GridSelection::Paper, 1.0), -1);
    }

    void gridCostsAndWarnings()
    {
        // Paper rule on the hand grid: 15.6 points below both the best cell and λ = 0 (the (0, 0)
        // cell), so two warnings.
        GridSearchResult r = handGrid();
        r.selection = GridSelection::Paper;
        applyGridSelection(r, QStringLiteral("dev"));
        QCOMPARE(r.best, 3);
        QCOMPARE(r.bestAccuracy, 0);
        QCOMPARE(r.zeroCell, 0);
        QCOMPARE(r.zeroFull, 0.883);
        QVERIFY(std::abs(r.costVsBest() - 15.6) < 1e-9);
        QVERIFY(std::abs(r.costVsZero() - 15.6) < 1e-9);
        for (const GridCell &c : r.cells)
            QVERIFY(c.eligible);
        QCOMPARE(r.warnings.size(), 2);
        QVERIFY2(r.warnings[0].contains(QStringLiteral("15.6 accuracy points on dev below the most "
                                                       "accurate cell")),
                 qPrintable(r.warnings[0]));
        QVERIFY2(r.warnings[1].contains(QStringLiteral("λ1=λ2=0"))
                     && r.warnings[1].contains(QStringLiteral("grid cell")),
                 qPrintable(r.warnings[1]));
        // Guarded (ε = 1 point): 0.5 points cost, no warning; only cells 0 and 1 were eligible.
        r.selection = GridSelection::Guarded;
        r.accuracyTolerance = 1.0;
        applyGridSelection(r);
        QCOMPARE(r.best, 1);
        QVERIFY(std::abs(r.costVsBest() - 0.5) < 1e-9);
        QVERIFY(r.warnings.isEmpty());
        QCOMPARE(std::vector<bool>({r.cells[0].eligible, r.cells[1].eligible, r.cells[2].eligible,
                                    r.cells[3].eligible}),
                 std::vector<bool>({true, true, false, false}));
        // Warning threshold: above 2 points, not at 2.
        r.accuracyTolerance = 14.3;
        applyGridSelection(r);
        QCOMPARE(r.best, 2);
        QCOMPARE(r.warnings.size(), 2);
        GridSearchResult edge = handGrid();
        edge.cells[1].full = 0.863; // exactly 2 points below
        edge.accuracyTolerance = 2.0;
        applyGridSelection(edge);
        QCOMPARE(edge.best, 1);
        QVERIFY(std::abs(edge.costVsBest() - 2.0) < 1e-9);
        QVERIFY2(edge.warnings.isEmpty(), qPrintable(edge.warnings.join(QLatin1Char('\n'))));
        edge.cells[1].full = 0.862;
        applyGridSelection(edge);
        QCOMPARE(edge.best, 0); // 2.1 points: outside ε = 2, the λ = 0 cell wins
        edge.accuracyTolerance = 2.1;
        applyGridSelection(edge);
        QCOMPARE(edge.best, 1);
        QCOMPARE(edge.warnings.size(), 2);
        // Without a (0, 0) cell the reference is whatever zeroFull the search recorded.
        GridSearchResult noZero = handGrid();
        noZero.cells.erase(noZero.cells.begin());
        noZero.rows = 1;
        noZero.cols = 3;
        noZero.selection = GridSelection::Paper;
        applyGridSelection(noZero);
        QCOMPARE(noZero.zeroCell, -1);
        QVERIFY(std::isnan(noZero.costVsZero()));
        noZero.zeroFull = 0.9;
        applyGridSelection(noZero);
        QVERIFY(std::abs(noZero.costVsZero() - 17.3) < 1e-9);
        QVERIFY(std::abs(noZero.costVsBest() - 15.1) < 1e-9);
        QVERIFY(noZero.warnings.last().contains(QStringLiteral("extra reference probe")));
    }

    void gridSearchGuardedOnPlantedData()
    {
        // With and without a (0, 0) cell: the λ = 0 reference is the cell or an extra probe.
        const Planted p = makePlanted();
        GridSearchOptions o;
        o.l1Values = {1e-3, 1e-1};
        o.l2Values = {0.0, 1e-2};
        o.threads = 1;
        int calls = 0;
        const GridSearchResult r = gridSearch(p.data(), o, [&](double, const QString &) {
            ++calls;
            return true;
        });
        QCOMPARE(r.status, Status::Ok);
        QCOMPARE(calls, 5); // four cells + the λ = 0 reference probe
        QCOMPARE(r.selection, GridSelection::Guarded);
        QCOMPARE(r.zeroCell, -1);
        QVERIFY(std::isfinite(r.zeroFull) && r.zeroFull > 0.85);
        QCOMPARE(r.best, selectGridWinner(r.cells, GridSelection::Guarded, 1.0));
        QVERIFY(r.costVsBest() <= 1.0 + 1e-9);
        QCOMPARE(r.baseline.accuracy, majorityBaseline(p.data(), &p.dev).accuracy);
        QVERIFY(r.best >= 0);
        QVERIFY(r.baseline.accuracy > 0 && r.baseline.accuracy < r.cells[std::size_t(r.best)].full);
        for (const GridCell &c : r.cells) {
            QVERIFY(std::isfinite(c.macroF1) && c.macroF1 > 0 && c.macroF1 <= 1);
            QCOMPARE(c.eligible,
                     100 * (r.cells[std::size_t(r.bestAccuracy)].full - c.full) <= 1.0 + 1e-9);
        }
        o.l1Values = {0.0, 1e-1};
        calls = 0;
        const GridSearchResult withZero = gridSearch(p.data(), o, [&](double, const QString &) {
            ++calls;
            return true;
        });
        QCOMPARE(calls, 4);
        QCOMPARE(withZero.zeroCell, 0);
        QCOMPARE(withZero.zeroFull, withZero.cells[0].full);
        // The extra reference is the same probe as the (0, 0) cell (same options, same seed).
        QCOMPARE(withZero.zeroFull, r.zeroFull);
    }

    // ---- minimal subset
    // --------------------------------------------------------------------------
    void strictTargetRule()
    {
        const std::vector<SubsetPoint> curve{{1, 0.5, 0}, {2, 0.8, 0}, {3, 0.81, 0}};
        QCOMPARE(firstAboveTarget(curve, 0.8), 2); // equal to the target is not enough
        QCOMPARE(firstAboveTarget(curve, 0.79), 1);
        QCOMPARE(firstAboveTarget(curve, 0.81), -1);
        QCOMPARE(firstAboveTarget({}, 0.0), -1);
    }

    void candidateSizes()
    {
        QStringList notes;
        const std::vector<int> sizes =
            subsetCandidateSizes({0.9, 0.001, 0.002, 0.02, 0.04, 0.041, 0.5}, 50, 30, &notes);
        // int(0.05) = int(0.1) = 0 skipped; 0.041·50 = 2.05 → 2 repeated; 45 > 30 → 30.
        QCOMPARE(sizes, (std::vector<int>{1, 2, 25, 30}));
        QCOMPARE(notes.size(), 1);
        QVERIFY(notes.front().contains(QStringLiteral("45")));
        const std::vector<double> mf = subsetSizeFractions(SubsetSizePreset::MaxFeatures);
        QCOMPARE(int(mf.size()), 99 + 9 + 4);
        QCOMPARE(mf.front(), 0.001);
        QCOMPARE(mf[98], 0.099);
        QCOMPARE(mf[99], 0.10);
        QCOMPARE(mf.back(), 0.9);
        QVERIFY(std::is_sorted(mf.begin(), mf.end()));
        const std::vector<double> pa = subsetSizeFractions(SubsetSizePreset::PipelineAll);
        QCOMPARE(int(pa.size()), 5 + 10 + 8 + 4);
        QCOMPARE(pa[4], 0.005);
        QCOMPARE(pa[5], 0.01);
        QCOMPARE(pa[14], 0.10);
        QCOMPARE(pa[15], 0.15);
        QVERIFY(std::is_sorted(pa.begin(), pa.end()));
        // Python: int(0.007 * 1000) == 7, int(0.29 * 100) == 28 (truncation, as in the authors'
        // code).
        QCOMPARE(subsetCandidateSizes({0.007}, 1000, 1000), std::vector<int>{7});
        QCOMPARE(subsetCandidateSizes({0.29}, 100, 100), std::vector<int>{28});
    }

    void minimalSubsetOnPlantedData()
    {
        const Planted p = makePlanted();
        MinimalSubsetOptions o; // δ = 1 %, stride 1000, run_max_features.py list
        int steps = 0;
        const MinimalSubsetResult r = minimalSubset(p.data(), o, [&](double, const QString &) {
            ++steps;
            return true;
        });
        QCOMPARE(r.status, Status::Ok);
        QVERIFY(!r.allNeurons);
        QCOMPARE(r.target, r.oracleDev * 0.99);
        QVERIFY(r.dev > r.target);
        QVERIFY2(r.size <= 5 + 3, qPrintable(QString::number(r.size)));
        QCOMPARE(int(r.neurons.size()), r.size);
        QCOMPARE(r.neurons, NeuronList(r.ordering.begin(), r.ordering.begin() + r.size));
        // The ordering starts with the planted columns.
        const std::set<int> top5(r.ordering.begin(), r.ordering.begin() + 5);
        QCOMPARE(top5, std::set<int>(p.informativeColumns.begin(), p.informativeColumns.end()));
        // Curve: increasing sizes, all before the chosen one at or below the target.
        QVERIFY(!r.curve.empty());
        QCOMPARE(r.curve.back().size, r.size);
        QCOMPARE(r.curve.back().dev, r.dev);
        for (std::size_t i = 0; i + 1 < r.curve.size(); ++i) {
            QVERIFY(r.curve[i].size < r.curve[i + 1].size);
            QVERIFY(r.curve[i].dev <= r.target);
        }
        QVERIFY(std::isfinite(r.test) && std::isfinite(r.oracleTest));
        QVERIFY(steps >= 1 + int(r.curve.size()));
        qInfo("minimal subset (planted, 65 neurons): oracle dev %.4f target %.4f → n=%d dev %.4f "
              "test %.4f after %d sizes",
              r.oracleDev, r.target, r.size, r.dev, r.test, int(r.curve.size()));

        // Strictly sequential evaluation gives the identical result; a given oracle too.
        MinimalSubsetOptions seq = o;
        seq.window = 1;
        const MinimalSubsetResult s = minimalSubset(p.data(), seq);
        QCOMPARE(s.size, r.size);
        QCOMPARE(s.dev, r.dev);
        QCOMPARE(int(s.curve.size()), int(r.curve.size()));
        for (std::size_t i = 0; i < s.curve.size(); ++i) {
            QCOMPARE(s.curve[i].size, r.curve[i].size);
            QCOMPARE(s.curve[i].dev, r.curve[i].dev);
        }
        const ExperimentData d = p.data();
        const TrainResult oracle =
            trainProbe(p.train.X, p.train.y, p.train.yValue, p.labels, d.probe);
        MinimalSubsetOptions given = o;
        given.oracle = &oracle.probe;
        given.window = 3;
        const MinimalSubsetResult g = minimalSubset(d, given);
        QCOMPARE(g.size, r.size);
        QCOMPARE(g.oracleDev, r.oracleDev);
        QCOMPARE(g.dev, r.dev);
    }

    void minimalSubsetSkipsZeroSizes()
    {
        const Planted p = makePlanted(50);
        MinimalSubsetOptions o;
        o.fractions = {0.001, 0.002}; // int(0.05) = int(0.1) = 0: both skipped
        const MinimalSubsetResult r = minimalSubset(p.data(), o);
        QCOMPARE(r.status, Status::Ok);
        QVERIFY(r.curve.empty());
        QVERIFY(r.allNeurons);
        QCOMPARE(r.size, 50);
        QCOMPARE(int(r.neurons.size()), 50);
        QCOMPARE(r.dev, r.oracleDev);
        // Repeated sizes are evaluated once: 0.04·50 = 2 and 0.041·50 = 2.05 → 2.
        o.fractions = {0.04, 0.041};
        const MinimalSubsetResult twice = minimalSubset(p.data(), o);
        QCOMPARE(int(twice.curve.size()), 1);
        QCOMPARE(twice.curve.front().size, 2);
        // Invalid options.
        o.fractions = {0.0};
        QVERIFY_THROWS_EXCEPTION(Error, minimalSubset(p.data(), o));
        o = {};
        o.deltaPercent = -1;
        QVERIFY_THROWS_EXCEPTION(Error, minimalSubset(p.data(), o));
        o = {};
        o.window = 0;
        QVERIFY_THROWS_EXCEPTION(Error, minimalSubset(p.data(), o));
    }

    void minimalSubsetCancelKeepsDoneSizes()
    {
        const Planted p = makePlanted();
        MinimalSubsetOptions o;
        o.window = 1;
        int calls = 0;
        // Call 1 = oracle, calls 2 and 3 = the first two sizes; cancel at the third.
        const MinimalSubsetResult r =
            minimalSubset(p.data(), o, [&](double, const QString &) { return ++calls < 3; });
        QCOMPARE(r.status, Status::Cancelled);
        QCOMPARE(int(r.curve.size()), 2);
        const std::vector<int> sizes =
            subsetCandidateSizes(subsetSizeFractions(SubsetSizePreset::MaxFeatures), 65, 65);
        QCOMPARE(r.curve[0].size, sizes[0]);
        QCOMPARE(r.curve[1].size, sizes[1]);
        QVERIFY(r.curve[1].dev > 0);

        // With speculation the kept points are still a prefix of the candidate sizes.
        o.window = 2;
        calls = 0;
        const MinimalSubsetResult w =
            minimalSubset(p.data(), o, [&](double, const QString &) { return ++calls < 2; });
        QCOMPARE(w.status, Status::Cancelled);
        QVERIFY(w.curve.size() <= 2);
        for (std::size_t i = 0; i < w.curve.size(); ++i)
            QCOMPARE(w.curve[i].size, sizes[i]);
    }

    void minimalSubsetSeeds()
    {
        const Planted p = makePlanted();
        MinimalSubsetOptions o;
        o.fractions = {0.05, 0.1, 0.2, 0.5};
        o.seeds = 3;
        const ExperimentData d = p.data();
        const MinimalSubsetResult r = minimalSubset(d, o);
        QCOMPARE(r.status, Status::Ok);
        QCOMPARE(int(r.seedSizes.size()), 3);
        QCOMPARE(int(r.seedOracleDev.size()), 3);
        QCOMPARE(int(r.seedOracleTest.size()), 3);
        QCOMPARE(r.seedSizes[0], r.size);
        QCOMPARE(r.seedOracleDev[0], r.oracleDev);
        // Median and range by hand.
        std::vector<int> sorted = r.seedSizes;
        std::sort(sorted.begin(), sorted.end());
        const SeedSummary size = r.sizeSummary();
        QCOMPARE(size.n, 3);
        QCOMPARE(size.median, double(sorted[1]));
        QCOMPARE(size.min, double(sorted[0]));
        QCOMPARE(size.max, double(sorted[2]));
        // Repetition 0 is the seeds = 1 result; repetition 2 is a seeds = 1 search with seed + 2.
        MinimalSubsetOptions one = o;
        one.seeds = 1;
        const MinimalSubsetResult r0 = minimalSubset(d, one);
        QCOMPARE(r0.seedSizes, std::vector<int>{r0.size});
        QCOMPARE(r.size, r0.size);
        QCOMPARE(r.neurons, r0.neurons);
        QCOMPARE(r.ordering, r0.ordering);
        QCOMPARE(r.dev, r0.dev);
        QCOMPARE(int(r.curve.size()), int(r0.curve.size()));
        for (std::size_t i = 0; i < r.curve.size(); ++i) {
            QCOMPARE(r.curve[i].dev, r0.curve[i].dev);
            QCOMPARE(r.curve[i].devF1, r0.curve[i].devF1);
            QVERIFY(r.curve[i].devF1 > 0 && r.curve[i].devF1 <= 1);
            QVERIFY(std::isfinite(r.curve[i].testF1));
        }
        ExperimentData d2 = d;
        d2.probe.seed = d.probe.seed + 2;
        const MinimalSubsetResult r2 = minimalSubset(d2, one);
        QCOMPARE(r.seedSizes[2], r2.size);
        QCOMPARE(r.seedOracleDev[2], r2.oracleDev);
        QVERIFY(r.seedOracleDev[2] != r.seedOracleDev[0]); // another oracle
        // Majority baseline: the train majority label's share of dev and test, by hand.
        const int major = majorityLabel(p.train, 5);
        QCOMPARE(r.baselineSelection.label, p.labels[major]);
        QVERIFY(std::abs(r.baselineSelection.accuracy - labelShare(p.dev, major)) < 1e-6);
        QVERIFY(std::abs(r.baselineTest.accuracy - labelShare(p.test, major)) < 1e-6);
        QCOMPARE(r.baselineSelection.tokens, p.dev.rows());
        o.seeds = 0;
        QVERIFY_THROWS_EXCEPTION(Error, minimalSubset(d, o));
    }

    // ---- ablation
    // --------------------------------------------------------------------------------
    void ablationSeedsOnDemo()
    {
        DemoOptions dopt;
        dopt.trainSentences = 200;
        dopt.devSentences = 60;
        dopt.testSentences = 30;
        const DemoDataset demo = makeDemoDataset(dopt);
        const LoadedTask task = loadDemoTask(demo, QStringLiteral("pos"), DatasetOptions{});
        ExperimentData d;
        d.train = &*task.train;
        d.dev = &*task.dev;
        d.test = &*task.test;
        d.labels = task.vocab.names;
        d.probe.epochs = 5;
        d.probe.learningRate = 1e-2;
        d.probe.standardize = true;
        d.probe.seed = 5;
        AblationOptions o;
        o.sizes = {0.1, 0.3};
        o.seeds = 3;
        const AblationResult r = ablationCurves(d, o);
        QCOMPARE(r.status, Status::Ok);
        QCOMPARE(int(r.orderings.size()), 3);
        QCOMPARE(r.orderings[0], r.ordering);
        QVERIFY(r.orderings[1] != r.orderings[0]); // each repetition's own oracle

        // Repetition 0 = a run whose oracle is the seed-0 probe.
        const TrainResult oracle =
            trainProbe(*d.train->features(), d.train->y, d.train->yValue, d.labels, d.probe);
        AblationOptions one = o;
        one.seeds = 1;
        one.oracle = &oracle.probe;
        const AblationResult r1 = ablationCurves(d, one);
        QCOMPARE(r1.ordering, r.ordering);
        for (const auto &[c, c1] :
             {std::pair{&r.masking, &r1.masking}, std::pair{&r.retraining, &r1.retraining}}) {
            QCOMPARE(c->top, c1->top);
            QCOMPARE(c->bottom, c1->bottom);
            QCOMPARE(c->topF1, c1->topF1);
            for (std::size_t i = 0; i < r.sizes.size(); ++i) {
                QCOMPARE(c->random[i][0], c1->random[i][0]);
                QCOMPARE(int(c->topPerSeed[i].size()), 3);
                QCOMPARE(c->topPerSeed[i][0], c->top[i]);
                QCOMPARE(c->bottomPerSeed[i][0], c->bottom[i]);
                const SeedSummary t = summarizeSeeds(c->topPerSeed[i]);
                QCOMPARE(c->topMean[i], t.mean);
                QCOMPARE(c->topSd[i], t.sd);
                QCOMPARE(c->bottomSd[i], summarizeSeeds(c->bottomPerSeed[i]).sd);
                QCOMPARE(c->randomStd[i], summarizeSeeds(c->random[i]).sd);
                // Three repetitions: finite spreads; one: NaN.
                QVERIFY(std::isfinite(c->topSd[i]) && std::isfinite(c->bottomSd[i])
                        && std::isfinite(c->randomStd[i]));
                QVERIFY(std::isnan(c1->topSd[i]) && std::isnan(c1->bottomSd[i])
                        && std::isnan(c1->randomStd[i]));
                QCOMPARE(c1->topMean[i], c1->top[i]);
                // Planted neurons: top > random > bottom on average.
                QVERIFY2(c->topMean[i] > c->randomMean[i] && c->randomMean[i] > c->bottomMean[i],
                         qPrintable(QStringLiteral("%1 n=%2: top %3 random %4 bottom %5")
                                        .arg(c->mode)
                                        .arg(r.sizes[i])
                                        .arg(c->topMean[i])
                                        .arg(c->randomMean[i])
                                        .arg(c->bottomMean[i])));
                QVERIFY(c->topF1[i] > 0 && c->topF1[i] <= 1);
                QVERIFY(c->randomF1[i] >= 0 && c->bottomF1[i] >= 0);
            }
        }
        // Majority baseline of dev and test: the train majority label's share, by hand.
        const int classes = int(d.labels.size());
        const int major = majorityLabel(*d.train, classes);
        QCOMPARE(r.baselineSelection.label, d.labels[major]);
        QVERIFY(std::abs(r.baselineSelection.accuracy - labelShare(*d.dev, major)) < 1e-6);
        QVERIFY(std::abs(r.baselineTest.accuracy - labelShare(*d.test, major)) < 1e-6);
        QVERIFY(r.baselineSelection.macroF1 > 0 && r.baselineSelection.macroF1 < 0.5);
        qInfo("ablation demo seeds 3 retraining n=%d: top %.3f±%.3f random %.3f±%.3f bottom "
              "%.3f±%.3f (majority %.3f)",
              r.sizes[0], r.retraining.topMean[0], r.retraining.topSd[0],
              r.retraining.randomMean[0], r.retraining.randomStd[0], r.retraining.bottomMean[0],
              r.retraining.bottomSd[0], r.baselineSelection.accuracy);
    }

    // ---- ablation
    // --------------------------------------------------------------------------------
    void ablationOnPlantedData()
    {
        const Planted p = makePlanted();
        AblationOptions o;
        o.sizes = {5, 13}; // counts (> 1)
        const AblationResult r = ablationCurves(p.data(), o);
        QCOMPARE(r.status, Status::Ok);
        QCOMPARE(r.sizes, (std::vector<int>{5, 13}));
        QCOMPARE(int(r.ordering.size()), 65);
        const double majority = majorityShare(p.dev, 5);
        QVERIFY(r.oracleSelection > 0.85);
        for (const AblationCurve *c : {&r.masking, &r.retraining}) {
            QCOMPARE(int(c->top.size()), 2);
            QCOMPARE(int(c->bottom.size()), 2);
            QCOMPARE(int(c->random.size()), 2);
            for (std::size_t i = 0; i < 2; ++i) {
                QVERIFY2(c->top[i] > 0.85, qPrintable(QString::number(c->top[i])));
                QVERIFY2(c->bottom[i] < majority + 0.1,
                         qPrintable(QStringLiteral("%1 bottom %2 majority %3")
                                        .arg(c->mode)
                                        .arg(c->bottom[i])
                                        .arg(majority)));
                QVERIFY(c->randomMean[i] < c->top[i]);
                QVERIFY(c->randomMean[i] > c->bottom[i] - 0.05);
                QVERIFY(c->randomStd[i] >= 0);
                QCOMPARE(int(c->random[i].size()), 3);
                double mean = 0;
                for (double v : c->random[i])
                    mean += v;
                mean /= 3;
                QVERIFY(std::abs(c->randomMean[i] - mean) < 1e-12);
                double var = 0;
                for (double v : c->random[i])
                    var += (v - mean) * (v - mean);
                QVERIFY(std::abs(c->randomStd[i] - std::sqrt(var / 2)) < 1e-12); // sample sd
            }
            qInfo("ablation %s (n=5, 13): top %.3f %.3f  random %.3f±%.3f %.3f±%.3f  bottom %.3f "
                  "%.3f (majority %.3f)",
                  qPrintable(c->mode), c->top[0], c->top[1], c->randomMean[0], c->randomStd[0],
                  c->randomMean[1], c->randomStd[1], c->bottom[0], c->bottom[1], majority);
        }
        QCOMPARE(r.masking.mode, QStringLiteral("masking"));
        QCOMPARE(r.retraining.mode, QStringLiteral("retraining"));
        // Random draws differ between seeds at n = 13 (some hit informative columns, some not).
        QVERIFY(r.retraining.random[1][0] != r.retraining.random[1][1]
                || r.retraining.random[1][1] != r.retraining.random[1][2]);

        // Default fractions on 65 neurons: ⌊0.01·65⌋ = 0 → 1, 1, 3, 6, 13, 32 (de-duplicated).
        AblationOptions def;
        def.retraining = false;
        const AblationResult m = ablationCurves(p.data(), def);
        QCOMPARE(m.sizes, (std::vector<int>{1, 3, 6, 13, 32}));
        QVERIFY(m.retraining.top.empty());
        QCOMPARE(int(m.masking.top.size()), 5);

        AblationOptions bad;
        bad.sizes = {2.5, 10};
        QVERIFY_THROWS_EXCEPTION(Error, ablationCurves(p.data(), bad));
        bad.sizes = {100};
        QVERIFY_THROWS_EXCEPTION(Error, ablationCurves(p.data(), bad));
        bad = {};
        bad.seeds = 0;
        QVERIFY_THROWS_EXCEPTION(Error, ablationCurves(p.data(), bad));
    }

    // ---- layer-wise
    // ------------------------------------------------------------------------------
    void layerwiseFindsPlantedLayer()
    {
        std::mt19937_64 rng(9);
        const std::vector<int> ids{1, 3, 5, 7}; // kept layers; signal in kept index 2 = layer 5
        const Dataset train = layeredSplit(QStringLiteral("train"), 900, ids, 8, 2, rng);
        const Dataset dev = layeredSplit(QStringLiteral("dev"), 400, ids, 8, 2, rng);
        ExperimentData d;
        d.train = &train;
        d.dev = &dev;
        d.labels = {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")};
        d.probe.learningRate = 1e-2;
        d.probe.seed = 4;
        const LayerwiseResult r = layerwiseProbes(d, LayerwiseOptions{});
        QCOMPARE(r.status, Status::Ok);
        QCOMPARE(int(r.independent.size()), 4);
        QCOMPARE(int(r.incremental.size()), 4);
        for (int k = 0; k < 4; ++k) {
            QCOMPARE(r.independent[std::size_t(k)].layer, ids[std::size_t(k)]);
            QCOMPARE(r.incremental[std::size_t(k)].layer, ids[std::size_t(k)]);
            QVERIFY(std::isnan(r.independent[std::size_t(k)].test)); // no test split
        }
        QCOMPARE(r.fullDev, r.incremental.back().dev);
        QCOMPARE(r.threshold, 0.99 * r.fullDev);
        QCOMPARE(r.selectedIndex, 2);
        QCOMPARE(r.selectedLayer, 5);
        QCOMPARE(r.bestIndependent, 2);
        QVERIFY(r.incremental[1].dev < 0.5); // layers 1, 3 only: near chance (1/3)
        qInfo("layer-wise (planted in layer 5): independent %.3f %.3f %.3f %.3f; incremental "
              "%.3f %.3f %.3f %.3f",
              r.independent[0].dev, r.independent[1].dev, r.independent[2].dev,
              r.independent[3].dev, r.incremental[0].dev, r.incremental[1].dev,
              r.incremental[2].dev, r.incremental[3].dev);

        LayerwiseOptions bad;
        bad.deltaPercent = 100;
        QVERIFY_THROWS_EXCEPTION(Error, layerwiseProbes(d, bad));
    }

    void layerwiseOnDemo()
    {
        DemoOptions dopt;
        dopt.trainSentences = 300;
        dopt.devSentences = 100;
        dopt.testSentences = 50;
        const DemoDataset demo = makeDemoDataset(dopt);
        for (const QString &property : {QStringLiteral("pos"), QStringLiteral("suffix")}) {
            const LoadedTask task = loadDemoTask(demo, property, DatasetOptions{});
            ExperimentData d;
            d.train = &*task.train;
            d.dev = &*task.dev;
            d.test = &*task.test;
            d.labels = task.vocab.names;
            d.probe.learningRate = 1e-2;
            d.probe.standardize = true;
            LayerwiseOptions o;
            const LayerwiseResult r = layerwiseProbes(d, o);
            QCOMPARE(r.status, Status::Ok);
            const int planted = property == QLatin1String("pos") ? dopt.layers - 2 : 1;
            QString line;
            for (const LayerScore &s : r.independent)
                line += QStringLiteral(" %1").arg(s.dev, 0, 'f', 3);
            qInfo("demo %s: independent dev per layer%s; selector → layer %d; best single layer %d",
                  qPrintable(property), qPrintable(line), r.selectedLayer,
                  r.independent[std::size_t(r.bestIndependent)].layer);
            QCOMPARE(r.independent[std::size_t(r.bestIndependent)].layer, planted);
        }
    }

    // Seeds: every layer's probe trained N times (probe seed + s); the best layer on the mean.
    void layerwiseSeedsOnDemo()
    {
        DemoOptions dopt;
        dopt.trainSentences = 150;
        dopt.devSentences = 50;
        dopt.testSentences = 40;
        const DemoDataset demo = makeDemoDataset(dopt);
        const LoadedTask task = loadDemoTask(demo, QStringLiteral("pos"), DatasetOptions{});
        ExperimentData d{&*task.train, &*task.dev, &*task.test, task.vocab.names, {}};
        d.probe.epochs = 3;
        d.probe.learningRate = 1e-2;
        d.probe.seed = 2;
        LayerwiseOptions three;
        three.seeds = 3;
        const LayerwiseResult r3 = layerwiseProbes(d, three);
        const LayerwiseResult r1 = layerwiseProbes(d, LayerwiseOptions{});
        QCOMPARE(r3.status, Status::Ok);
        QCOMPARE(r3.seeds, 3);
        QCOMPARE(r1.seeds, 1);
        QCOMPARE(r3.independent.size(), r1.independent.size());
        // Repetition s = a one-seed run with probe seed + s.
        std::vector<LayerwiseResult> reps{r1};
        for (quint64 s = 1; s < 3; ++s) {
            ExperimentData ds = d;
            ds.probe.seed = d.probe.seed + s;
            reps.push_back(layerwiseProbes(ds, LayerwiseOptions{}));
        }
        int argmax = -1;
        for (const auto &[series, one] : {std::pair{&r3.independent, &r1.independent},
                                          std::pair{&r3.incremental, &r1.incremental}}) {
            for (std::size_t k = 0; k < series->size(); ++k) {
                const LayerScore &s3 = (*series)[k], &s1 = (*one)[k];
                QCOMPARE(s3.layer, s1.layer);
                QCOMPARE(s3.dev, s1.dev); // repetition 0 kept
                QCOMPARE(s3.test, s1.test);
                QCOMPARE(s3.devMacroF1, s1.devMacroF1);
                QCOMPARE(s3.testMacroF1, s1.testMacroF1);
                QVERIFY(s3.devMacroF1 > 0 && s3.devMacroF1 <= 1);
                QCOMPARE(s3.devSeeds.n, 3);
                QCOMPARE(s3.testSeeds.n, 3);
                QVERIFY(std::isfinite(s3.devSeeds.sd));
                std::vector<double> dev;
                const bool independent = series == &r3.independent;
                for (const LayerwiseResult &r : reps)
                    dev.push_back((independent ? r.independent : r.incremental)[k].dev);
                QCOMPARE(s3.devSeeds.mean, summarizeSeeds(dev).mean);
                QCOMPARE(s3.devSeeds.sd, summarizeSeeds(dev).sd);
                QCOMPARE(s1.devSeeds.n, 1);
                if (independent
                    && (argmax < 0
                        || s3.devSeeds.mean > r3.independent[std::size_t(argmax)].devSeeds.mean))
                    argmax = int(k);
            }
        }
        QCOMPARE(r3.bestIndependent, argmax);
        QCOMPARE(r3.fullDev, r3.incremental.back().devSeeds.mean);
        QCOMPARE(r1.fullDev, r1.incremental.back().dev);
        QCOMPARE(r3.selectionBaseline.accuracy, majorityBaseline(d, d.dev).accuracy);
        QCOMPARE(r3.testBaseline.macroF1, majorityBaseline(d, d.test).macroF1);
        QVERIFY(r3.independent[std::size_t(r3.bestIndependent)].devSeeds.mean
                > r3.selectionBaseline.accuracy);

        LayerwiseOptions bad;
        bad.seeds = 0;
        QVERIFY_THROWS_EXCEPTION(Error, layerwiseProbes(d, bad));
        bad.seeds = 1001;
        QVERIFY_THROWS_EXCEPTION(Error, layerwiseProbes(d, bad));
    }

    // ---- layer distribution
    // ----------------------------------------------------------------------
    void layerDistributionCounts()
    {
        const std::vector<int> ids{0, 2, 4}; // kept layers, 3 dims each: columns 0-2, 3-5, 6-8
        const NeuronList ordering{8, 0, 4, 5, 1, 7};
        const LayerDistribution d = layerDistribution(ids, 3, ordering, 4);
        QCOMPARE(d.layerIds, ids);
        QCOMPARE(d.counts, (std::vector<int>{1, 2, 1})); // 8 → layer 4, 0 → 0, 4 and 5 → 2
        QCOMPARE(d.total, 4);
        QCOMPARE(d.meanLayer, (4.0 + 0.0 + 2.0 + 2.0) / 4.0);
        const LayerDistribution all = layerDistribution(ids, 3, ordering, 100);
        QCOMPARE(all.total, 6);
        QCOMPARE(all.counts, (std::vector<int>{2, 2, 2}));
        QVERIFY(std::isnan(layerDistribution(ids, 3, ordering, 0).meanLayer));
        QVERIFY_THROWS_EXCEPTION(Error, layerDistribution(ids, 3, NeuronList{9}, 1));
        QVERIFY_THROWS_EXCEPTION(Error, layerDistribution(ids, 3, ordering, -1));

        // Per label: each label's own ranking of |W|.
        Probe probe;
        probe.W = MatrixF::Zero(2, 6);
        probe.b = VectorF::Zero(2);
        probe.W(0, 5) = -3.0f; // label 0: columns 5, 4 → layer 2 (id 4) twice
        probe.W(0, 4) = 2.0f;
        probe.W(0, 0) = 0.5f;
        probe.W(1, 0) = 1.0f; // label 1: columns 0 (layer id 0), 2 (layer id 2)
        probe.W(1, 2) = -0.9f;
        probe.columns = {0, 1, 2, 3, 4, 5};
        const std::vector<int> ids2{0, 2, 4};
        const std::vector<LayerDistribution> per = labelLayerDistributions(ids2, 2, probe, 2);
        QCOMPARE(int(per.size()), 2);
        QCOMPARE(per[0].counts, (std::vector<int>{0, 0, 2}));
        QCOMPARE(per[1].counts, (std::vector<int>{1, 1, 0}));
        // Columns map through probe.columns (a probe on a subset).
        probe.columns = {6, 7, 8, 9, 10, 11};
        const std::vector<int> ids3{0, 1, 2, 3, 4, 5};
        const std::vector<LayerDistribution> mapped = labelLayerDistributions(ids3, 2, probe, 2);
        QCOMPARE(mapped[0].counts, (std::vector<int>{0, 0, 0, 0, 0, 2}));
    }

    // ---- real data
    // -------------------------------------------------------------------------------
    void realDataSuffixNeuronsSitLowerThanChunking()
    {
        SALIENT_REQUIRE_SHARED(ptbTrain, "data/stories260K.ptb.train.hdf5");
        SALIENT_REQUIRE_SHARED(conllTrain, "data/stories260K.conll2000.train.hdf5");
        const QString dir = salient::test::sharedDir() + QStringLiteral("/data/");
        auto inputs = [&](const QString &corpus, const QString &task) {
            TaskInputs in;
            for (const QString &split : {QStringLiteral("train"), QStringLiteral("dev")}) {
                SplitPaths sp{dir + QStringLiteral("stories260K.%1.%2.hdf5").arg(corpus, split),
                              dir + QStringLiteral("%1.%2.words.txt").arg(task, split),
                              dir + QStringLiteral("%1.%2.labels.txt").arg(task, split)};
                (split == QLatin1String("train") ? in.train : in.dev) = sp;
            }
            return in;
        };
        ProbeOptions po;
        po.batchSize = 128;
        po.epochs = 10;
        po.standardize = true;
        const int k = 20;
        double mean[2] = {0, 0};
        const QString names[2] = {QStringLiteral("ptb_suffix"), QStringLiteral("conll2000_chunk")};
        const QString corpora[2] = {QStringLiteral("ptb"), QStringLiteral("conll2000")};
        for (int t = 0; t < 2; ++t) {
            const LoadedTask task = loadTask(inputs(corpora[t], names[t]));
            const TrainResult r =
                trainProbe(task.train->X, task.train->y, task.train->yValue, task.vocab.names, po);
            QCOMPARE(r.status, Status::Ok);
            const double dev =
                evaluateProbe(r.probe, task.dev->X, task.dev->y, task.dev->yValue).accuracy;
            const NeuronList order = fullOrdering(r.probe.W.cwiseAbs(), 100);
            const LayerDistribution dist = layerDistribution(*task.train, order, k);
            mean[t] = dist.meanLayer;
            QString counts;
            for (std::size_t l = 0; l < dist.counts.size(); ++l)
                counts += QStringLiteral(" L%1:%2").arg(dist.layerIds[l]).arg(dist.counts[l]);
            qInfo("%s: dev %.4f, top-%d neurons per layer%s, mean layer %.2f", qPrintable(names[t]),
                  dev, k, qPrintable(counts), dist.meanLayer);
        }
        // The paper: lexical (suffix) neurons sit lower than syntactic (chunking) ones (§15).
        QVERIFY2(
            mean[0] < mean[1],
            qPrintable(
                QStringLiteral("suffix mean layer %1, chunking %2").arg(mean[0]).arg(mean[1])));
    }
};

QTEST_GUILESS_MAIN(TestAnalyses)
#include "tst_analyses.moc"
