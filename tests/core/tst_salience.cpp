// The heatmap's salience matrix (core computes it; ui only draws it).
#include "salient/probe/salience.h"
#include "salient/util/error.h"

#include <QtTest>
#include <cmath>

using namespace salient;

class TestSalience : public QObject {
    Q_OBJECT
    Probe probe() const
    {
        Probe p;
        p.W.resize(2, 6);
        p.W << 1, -2, 0, 4, 0.5f, 0, //
            -1, 0, 0, 2, 0.5f, 1;
        p.b = VectorF::Zero(2);
        p.columns = {0, 1, 2, 3, 4, 5};
        p.labels = {QStringLiteral("A"), QStringLiteral("B")};
        return p;
    }

private Q_SLOTS:
    void weightShareOverall()
    {
        const SalienceMatrix s = salienceMatrix(probe(), {0, 3}, 3);
        // Mass per neuron: 2, 2, 0, 6, 1, 1 → total 12.
        QCOMPARE(s.values(0, 0), 2.0f / 12);
        QCOMPARE(s.values(1, 0), 6.0f / 12);
        QCOMPARE(s.values(0, 2), 0.0f);
        QCOMPARE(s.layerIds, (std::vector<int>{0, 3}));
        QCOMPARE(s.rankOf[3], 0);
        QCOMPARE(s.rankOf[0], 1); // tie 0/1 → ascending index
        QCOMPARE(s.rankOf[1], 2);
        QCOMPARE(s.rankOf[2], 5);
        QCOMPARE(s.sortedIndex(1, 0), 0);
        QCOMPARE(s.sortedIndex(0, 2), 2);
        QVERIFY(std::abs(s.values.sum() - 1.0f) < 1e-6f);
    }

    void perLabelAndRank()
    {
        const SalienceMatrix s = salienceMatrix(probe(), {0, 1}, 3, 1);
        // Label B: 1, 0, 0, 2, 0.5, 1 → total 4.5.
        QCOMPARE(s.values(1, 0), float(2 / 4.5));
        const SalienceMatrix r = salienceMatrix(probe(), {0, 1}, 3, -1, SalienceMode::Rank);
        QCOMPARE(r.values(1, 0), 1.0f);               // rank 0
        QCOMPARE(r.values(0, 2), float(1 - 5 / 6.0)); // rank 5
    }

    void unusedNeuronsAreNaN()
    {
        Probe p = probe();
        p.W = p.W.leftCols(2).eval();
        p.columns = {4, 1};
        const SalienceMatrix s = salienceMatrix(p, {0, 1}, 3);
        QVERIFY(std::isnan(s.values(0, 0)));
        QVERIFY(!std::isnan(s.values(1, 1)));
        QCOMPARE(s.rankOf[0], -1);
        QCOMPARE(s.sortedIndex(0, 0), 1); // used neuron first
    }

    void cumulativeMassThreshold()
    {
        const SalienceMatrix s = salienceMatrix(probe(), {0, 1}, 3);
        QCOMPARE(withinCumulativeMass(s, 0.5), (NeuronList{3}));    // 6/12 reaches 50 %
        QCOMPARE(withinCumulativeMass(s, 0.6), (NeuronList{3, 0})); // crossing neuron included
        QCOMPARE(withinCumulativeMass(s, 1.0).size(), size_t(5));   // neuron 2 has no weight
        QVERIFY_THROWS_EXCEPTION(Error, withinCumulativeMass(s, 0.0));
        QVERIFY_THROWS_EXCEPTION(Error, salienceMatrix(probe(), {0}, 3));
        QVERIFY_THROWS_EXCEPTION(Error, salienceMatrix(probe(), {0, 1}, 3, 2));
    }
};

QTEST_GUILESS_MAIN(TestSalience)
#include "tst_salience.moc"
