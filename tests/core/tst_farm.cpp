// The work-distribution hook of the analyses (salient/analyses/farm.h), without MPI: a scheduler
// that computes the units in reverse order, hands their bytes through a copy and stores them
// must give exactly the results of local execution (grid search, ablation, layer-wise, minimal
// subset with seeds), and nested loops must stay local.
#include "salient/analyses/analyses.h"
#include "salient/analyses/farm.h"
#include "salient/data/demo.h"
#include "salient/data/task.h"
#include "salient/util/runtime.h"

#include <QtTest>
#include <cmath>

using namespace salient;

namespace {

/// Computes every unit on the calling thread, last unit first, then stores copies in index order.
class ReverseScheduler : public UnitScheduler {
public:
    int loops = 0, units = 0, nested = 0;
    void run(const FarmLoop &loop) override
    {
        ++loops;
        if (!farmingActive())
            ++nested; // must not happen: run() is only reached from outside units
        std::vector<QByteArray> bytes(std::size_t(loop.n));
        for (int i = loop.n - 1; i >= 0; --i) {
            FarmUnitGuard inside;
            QVERIFY(!farmingActive());
            bytes[std::size_t(i)] = loop.compute(i);
        }
        for (int i = 0; i < loop.n; ++i)
            loop.store(i,
                       QByteArray(bytes[std::size_t(i)].constData(), bytes[std::size_t(i)].size()));
        units += loop.n;
    }
};

/// Bit-equal doubles (NaN equals NaN).
bool same(double a, double b)
{
    return (std::isnan(a) && std::isnan(b)) || a == b;
}
bool same(const std::vector<double> &a, const std::vector<double> &b)
{
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (!same(a[i], b[i]))
            return false;
    return true;
}

} // namespace

class TestFarm : public QObject {
    Q_OBJECT

    DemoDataset m_demo;
    LoadedTask m_task;
    ExperimentData m_data;

private Q_SLOTS:
    void initTestCase()
    {
        setComputeThreads(1); // both runs single-threaded: the comparison is exact
        DemoOptions dopt;
        dopt.trainSentences = 150;
        dopt.devSentences = 40;
        dopt.testSentences = 30;
        m_demo = makeDemoDataset(dopt);
        m_task = loadDemoTask(m_demo, QStringLiteral("pos"), DatasetOptions{});
        m_data.train = &*m_task.train;
        m_data.dev = &*m_task.dev;
        m_data.test = &*m_task.test;
        m_data.labels = m_task.vocab.names;
        m_data.probe.epochs = 2;
        m_data.probe.learningRate = 1e-2;
        m_data.probe.seed = 11;
    }

    void farmedEqualsLocal()
    {
        GridSearchOptions go;
        go.l1Values = {0.0, 1e-3};
        go.l2Values = {0.0, 1e-2};
        AblationOptions ao;
        ao.sizes = {0.1, 0.3};
        ao.seeds = 2;
        LayerwiseOptions lo;
        lo.seeds = 2;
        MinimalSubsetOptions mo;
        mo.seeds = 2;

        const GridSearchResult g0 = gridSearch(m_data, go);
        const AblationResult a0 = ablationCurves(m_data, ao);
        const LayerwiseResult l0 = layerwiseProbes(m_data, lo);
        const MinimalSubsetResult m0 = minimalSubset(m_data, mo);

        ReverseScheduler farm;
        setUnitScheduler(&farm);
        const GridSearchResult g1 = gridSearch(m_data, go);
        const AblationResult a1 = ablationCurves(m_data, ao);
        const LayerwiseResult l1 = layerwiseProbes(m_data, lo);
        const MinimalSubsetResult m1 = minimalSubset(m_data, mo);
        setUnitScheduler(nullptr);

        QCOMPARE(farm.nested, 0);
        QVERIFY(farm.loops >= 6); // grid, 2 ablation loops, layerwise, subset oracles + windows
        QCOMPARE(g1.status, Status::Ok);
        QCOMPARE(g1.cells.size(), g0.cells.size());
        for (std::size_t i = 0; i < g0.cells.size(); ++i) {
            const GridCell &x = g0.cells[i], &y = g1.cells[i];
            QVERIFY(x.done && y.done);
            QVERIFY(same(x.full, y.full) && same(x.top, y.top) && same(x.random, y.random)
                    && same(x.bottom, y.bottom) && same(x.test, y.test)
                    && same(x.macroF1, y.macroF1) && same(x.score, y.score));
        }
        QVERIFY(same(g0.zeroFull, g1.zeroFull));
        QCOMPARE(a1.status, Status::Ok);
        QCOMPARE(a1.ordering, a0.ordering);
        for (const auto &[x, y] :
             {std::pair{&a0.masking, &a1.masking}, std::pair{&a0.retraining, &a1.retraining}}) {
            QVERIFY(!x->top.empty());
            QVERIFY(same(x->top, y->top) && same(x->bottom, y->bottom)
                    && same(x->randomMean, y->randomMean) && same(x->topF1, y->topF1));
        }
        QCOMPARE(l1.incremental.size(), l0.incremental.size());
        for (std::size_t k = 0; k < l0.incremental.size(); ++k)
            QVERIFY(same(l0.incremental[k].dev, l1.incremental[k].dev)
                    && same(l0.incremental[k].devSeeds.mean, l1.incremental[k].devSeeds.mean));
        for (std::size_t k = 0; k < l0.independent.size(); ++k)
            QVERIFY(same(l0.independent[k].test, l1.independent[k].test));
        QCOMPARE(m1.size, m0.size);
        QCOMPARE(m1.neurons, m0.neurons);
        QCOMPARE(m1.curve.size(), m0.curve.size());
        for (std::size_t k = 0; k < m0.curve.size(); ++k)
            QVERIFY(same(m0.curve[k].dev, m1.curve[k].dev)
                    && same(m0.curve[k].testF1, m1.curve[k].testF1));
    }
};

QTEST_GUILESS_MAIN(TestFarm)
#include "tst_farm.moc"
