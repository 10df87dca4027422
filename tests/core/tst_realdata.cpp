// Real data from ../shared/data (PTB sample POS on stories260K activations). Skips visibly when
// the folder is absent.
#include "salient/data/task.h"
#include "salient/probe/metrics.h"
#include "salient/probe/probe.h"
#include "salient/probe/ranking.h"
#include "testutil.h"

#include <QtTest>

using namespace salient;

class TestRealData : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void ptbPosReachesDevAccuracy()
    {
        SALIENT_REQUIRE_SHARED(dataTrain, "data/stories260K.ptb.train.hdf5");
        const QString d = salient::test::sharedDir() + QStringLiteral("/data/");
        TaskInputs in;
        in.train = {dataTrain, d + QStringLiteral("ptb_pos.train.words.txt"),
                    d + QStringLiteral("ptb_pos.train.labels.txt")};
        in.dev = {d + QStringLiteral("stories260K.ptb.dev.hdf5"),
                  d + QStringLiteral("ptb_pos.dev.words.txt"),
                  d + QStringLiteral("ptb_pos.dev.labels.txt")};
        in.test = {d + QStringLiteral("stories260K.ptb.test.hdf5"),
                   d + QStringLiteral("ptb_pos.test.words.txt"),
                   d + QStringLiteral("ptb_pos.test.labels.txt")};
        const LoadedTask task = loadTask(in);
        QCOMPARE(task.train->rows(), Index(23551));
        QCOMPARE(task.dev->rows(), Index(6258));
        QCOMPARE(task.train->neurons(), 384);
        QCOMPARE(task.vocab.size(), 43);
        QVERIFY(task.train->report.mismatches.empty());

        ProbeOptions po; // all layers, λ1 = λ2 = 0, batch 32, 10 epochs, lr 0.001
        po.epochs = 10;
        po.batchSize = 32;
        po.learningRate = 1e-3;
        const TrainResult r =
            trainProbe(task.train->X, task.train->y, task.train->yValue, task.vocab.names, po);
        QCOMPARE(r.status, Status::Ok);
        const Evaluation dev = evaluateProbe(r.probe, task.dev->X, task.dev->y, task.dev->yValue);
        const Evaluation test =
            evaluateProbe(r.probe, task.test->X, task.test->y, task.test->yValue);
        qInfo("ptb_pos: dev accuracy %.4f, test accuracy %.4f", dev.accuracy, test.accuracy);
        QVERIFY2(dev.accuracy >= 0.84, qPrintable(QString::number(dev.accuracy)));

        const NeuronOrdering ord = neuronOrdering(r.probe.W.cwiseAbs(), 100);
        QVERIFY(ord.order.size() > 300);
    }

    void unseenDevLabelsAreCounted()
    {
        SALIENT_REQUIRE_SHARED(trainActs, "data/stories260K.conll2000.train.hdf5");
        const QString d = salient::test::sharedDir() + QStringLiteral("/data/");
        TaskInputs in;
        in.train = {trainActs, d + QStringLiteral("conll2000_chunk.train.words.txt"),
                    d + QStringLiteral("conll2000_chunk.train.labels.txt")};
        in.dev = {d + QStringLiteral("stories260K.conll2000.dev.hdf5"),
                  d + QStringLiteral("conll2000_chunk.dev.words.txt"),
                  d + QStringLiteral("conll2000_chunk.dev.labels.txt")};
        const LoadedTask task = loadTask(in);
        QCOMPARE(task.vocab.size(), 19);
        QCOMPARE(task.dev->rows(), Index(3641));
        QCOMPARE(task.vocab.majority(), QStringLiteral("I-NP"));
    }
};

QTEST_GUILESS_MAIN(TestRealData)
#include "tst_realdata.moc"
