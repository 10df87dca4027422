// The built-in demo dataset as planted ground truth: determinism, file round trip, and the
// probe + ranking recovering the planted neurons where the paper says they live.
#include "salient/data/demo.h"
#include "salient/data/task.h"
#include "salient/probe/metrics.h"
#include "salient/probe/probe.h"
#include "salient/probe/ranking.h"

#include <QTemporaryDir>
#include <QtTest>
#include <set>

using namespace salient;

class TestDemo : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void deterministic()
    {
        DemoOptions o;
        o.trainSentences = 30;
        const DemoDataset a = makeDemoDataset(o), b = makeDemoDataset(o);
        QCOMPARE(a.train.tokens.lines, b.train.tokens.lines);
        QVERIFY(a.train.store->sentence(7).isApprox(b.train.store->sentence(7), 0.0f));
        o.seed = 8;
        const DemoDataset c = makeDemoDataset(o);
        QVERIFY(a.train.tokens.lines != c.train.tokens.lines);
        QVERIFY(a.description.contains(QStringLiteral("SYNTHETIC")));
    }

    void suffixRule_data()
    {
        QTest::addColumn<QString>("word");
        QTest::addColumn<QString>("label");
        QTest::newRow("ing") << QStringLiteral("walking") << QStringLiteral("ing");
        QTest::newRow("longest") << QStringLiteral("nation") << QStringLiteral("tion");
        QTest::newRow("short") << QStringLiteral("dogs") << QStringLiteral("NONE");
        QTest::newRow("two-before") << QStringLiteral("sting") << QStringLiteral("ing");
        QTest::newRow("non-alpha") << QStringLiteral("walk-ing") << QStringLiteral("NONE");
        QTest::newRow("case") << QStringLiteral("Quickly") << QStringLiteral("ly");
    }
    void suffixRule()
    {
        QFETCH(QString, word);
        QFETCH(QString, label);
        QCOMPARE(suffixLabel(word), label);
    }

    void filesRoundTrip()
    {
        DemoOptions o;
        o.trainSentences = 40;
        o.devSentences = o.testSentences = 10;
        const DemoDataset demo = makeDemoDataset(o);
        QTemporaryDir dir;
        writeDemoFiles(demo, dir.path());
        TaskInputs in;
        auto paths = [&](const QString &s) {
            const QString base = dir.path() + QStringLiteral("/demo.") + s;
            return SplitPaths{base + QStringLiteral(".hdf5"), base + QStringLiteral(".words.txt"),
                              base + QStringLiteral(".pos.txt")};
        };
        in.train = paths(QStringLiteral("train"));
        in.dev = paths(QStringLiteral("dev"));
        const LoadedTask fromFiles = loadTask(in);
        const LoadedTask fromMemory = loadDemoTask(demo, QStringLiteral("pos"), DatasetOptions{});
        QCOMPARE(fromFiles.vocab.names, fromMemory.vocab.names);
        QCOMPARE(fromFiles.train->X.rows(), fromMemory.train->X.rows());
        QVERIFY(fromFiles.train->X == fromMemory.train->X);
        QVERIFY(fromFiles.train->y == fromMemory.train->y);
    }

    // Planted ground truth: POS neurons in layer L-2, suffix neurons in layer 1.
    void probeRecoversPlantedNeurons_data()
    {
        QTest::addColumn<QString>("property");
        QTest::addColumn<int>("plantedLayer");
        QTest::newRow("pos") << QStringLiteral("pos") << 4;
        QTest::newRow("suffix") << QStringLiteral("suffix") << 1;
    }
    void probeRecoversPlantedNeurons()
    {
        QFETCH(QString, property);
        QFETCH(int, plantedLayer);
        const DemoDataset demo = makeDemoDataset();
        const LoadedTask task = loadDemoTask(demo, property, DatasetOptions{});
        ProbeOptions po;
        po.epochs = 10;
        po.batchSize = 32;
        po.learningRate = 1e-3;
        po.l1 = 1e-4;
        po.l2 = 1e-4;
        const TrainResult r =
            trainProbe(task.train->X, task.train->y, task.train->yValue, task.vocab.names, po);
        QCOMPARE(r.status, Status::Ok);
        const Evaluation dev = evaluateProbe(r.probe, task.dev->X, task.dev->y, task.dev->yValue);
        qInfo("%s: dev accuracy %.4f", qPrintable(property), dev.accuracy);
        QVERIFY2(dev.accuracy > 0.97, qPrintable(QString::number(dev.accuracy)));

        const MatrixF A = r.probe.W.cwiseAbs();
        const int D = demo.options.dims;
        // Per label: its planted neuron is among the 3 largest positive weights of its row
        // (negative weights on other labels' neurons may be as large in |W|, and correlated
        // planted neurons — e.g. suffix "ing" for VBG — may compete).
        std::set<int> planted; // every planted neuron, both tasks, echoes included
        for (const PlantedNeuron &pn : demo.planted)
            planted.insert(pn.flat(D));
        int checked = 0;
        for (const PlantedNeuron &pn : demo.planted) {
            if (pn.task != property || !pn.primary)
                continue;
            const int c = task.vocab.indexOf(pn.label);
            QVERIFY(c >= 0);
            const float w = r.probe.W(c, pn.flat(D));
            const Index larger = (r.probe.W.row(c).array() > w).count();
            QVERIFY2(larger < 3,
                     qPrintable(QStringLiteral("label %1: planted %2 has %3 larger weights")
                                    .arg(pn.label)
                                    .arg(pn.flat(D))
                                    .arg(larger)));
            ++checked;
        }
        QVERIFY(checked >= 5);
        // Algorithm 3's global ordering puts the planted neurons first.
        const NeuronOrdering ord = neuronOrdering(A, 100);
        int hits = 0;
        for (int i = 0; i < checked; ++i)
            hits += planted.count(ord.order[size_t(i)]) ? 1 : 0;
        qInfo("%s: %d of the top %d neurons are planted", qPrintable(property), hits, checked);
        QVERIFY(hits >= checked * 8 / 10);
        // Where the knowledge lives: the most common layer among the top-k global neurons.
        std::vector<int> perLayer(size_t(demo.options.layers), 0);
        for (size_t i = 0; i < size_t(checked) && i < ord.order.size(); ++i)
            ++perLayer[size_t(ord.order[i] / D)];
        const int modeLayer =
            int(std::max_element(perLayer.begin(), perLayer.end()) - perLayer.begin());
        QCOMPARE(modeLayer, plantedLayer);
    }
};

QTEST_GUILESS_MAIN(TestDemo)
#include "tst_demo.moc"
