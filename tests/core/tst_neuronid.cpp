// NeuronId / NeuronLayout: the one conversion between columns, model neurons and NeuroX flat
// indices (probe/neuronid.h).
#include "salient/analyses/experiment.h"
#include "salient/probe/neuronid.h"

#include <QtTest>

using namespace salient;

class TestNeuronId : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void layoutOfTwoLoadedLayers()
    {
        const NeuronLayout l{{3, 4}, 6};
        QCOMPARE(l.columns(), 12);
        QVERIFY(l.isColumn(0) && l.isColumn(11));
        QVERIFY(!l.isColumn(-1) && !l.isColumn(12));
        QCOMPARE(l.neuron(0), (NeuronId{3, 0}));
        QCOMPARE(l.neuron(7), (NeuronId{4, 1}));
        QVERIFY(!l.neuron(12).isValid());
        QVERIFY(!l.neuron(-1).isValid());
        QCOMPARE(l.flatIndex(0), 3 * 6);
        QCOMPARE(l.flatIndex(7), 4 * 6 + 1);
        QCOMPARE(l.flatIndex(12), -1);
        QCOMPARE(l.column(NeuronId{0, 0}), -1); // layer 0 is not loaded
        QCOMPARE(l.column(NeuronId{3, 6}), -1); // unit out of range
        QCOMPARE(l.column(NeuronId{}), -1);
        QCOMPARE(l.column(NeuronId{4, 5}), 11);
        QCOMPARE(l.columnOfFlatIndex(0), -1);
        QCOMPARE(l.columnOfFlatIndex(-3), -1);
        QCOMPARE(l.columnOfFlatIndex(5 * 6), -1);
        QCOMPARE(l.columnOfFlatIndex(3 * 6 + 2), 2);
    }

    void roundTrips()
    {
        for (const NeuronLayout &l :
             {NeuronLayout{{3, 4}, 6}, NeuronLayout{{0, 1, 2}, 4}, NeuronLayout{{5, 1}, 3}}) {
            for (int c = 0; c < l.columns(); ++c) {
                QCOMPARE(l.column(l.neuron(c)), c);
                QCOMPARE(l.columnOfFlatIndex(l.flatIndex(c)), c);
                const NeuronId id = l.neuron(c);
                QCOMPARE(l.flatIndex(c), id.layer * l.dims + id.unit);
            }
        }
    }

    void layoutOrderIsColumnOrder()
    {
        // Layers given out of file order: column order follows layerIds.
        const NeuronLayout l{{5, 1}, 3};
        QCOMPARE(l.neuron(0), (NeuronId{5, 0}));
        QCOMPARE(l.neuron(3), (NeuronId{1, 0}));
        QVERIFY((NeuronId{1, 2}) < (NeuronId{5, 0}));
        QVERIFY(!(NeuronLayout{{5, 1}, 3} == NeuronLayout{{1, 5}, 3}));
    }

    void datasetWrappersAgree()
    {
        Dataset ds;
        ds.layerIds = {3, 4};
        ds.dims = 6;
        ds.layers = 2;
        QCOMPARE(NeuronLayout::of(ds), (NeuronLayout{{3, 4}, 6}));
        for (int c = 0; c < 12; ++c) {
            QCOMPARE(flatNeuron(ds, c), NeuronLayout::of(ds).flatIndex(c));
            QCOMPARE(columnOfFlat(ds, flatNeuron(ds, c)), c);
        }
        QCOMPARE(columnOfFlat(ds, 0), -1);
    }

    void names() { QCOMPARE(neuronName(NeuronId{3, 17}), QStringLiteral("layer 3 · unit 17")); }
};

QTEST_GUILESS_MAIN(TestNeuronId)
#include "tst_neuronid.moc"
