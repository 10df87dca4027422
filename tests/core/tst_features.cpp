// Storage modes (features.h): float32 / float16 in memory and streamed from disk with read-ahead.
// The streamed run must equal the in-memory run bit for bit on a file larger than the budget.
#include "salient/analyses/analyses.h"
#include "salient/analyses/experiment.h"
#include "salient/data/features.h"
#include "salient/data/task.h"
#include "salient/probe/batchorder.h"
#include "salient/probe/metrics.h"
#include "salient/probe/probe.h"
#include "salient/util/error.h"

#include "testutil.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTextStream>
#include <QtTest>
#include <cstring>
#include <random>

using namespace salient;
using salient::test::sameBits;

namespace {

/// A planted task written as NeuroX files: @p sentences sentences of 5–14 words, 3 layers × @p
/// dims, 4 labels; label k raises neuron (k+1)·7 of layer 1. Returns the TaskInputs (train + dev).
TaskInputs writePlantedTask(const QString &dir, int sentences, int dims, quint64 seed = 7)
{
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> noise(0.0f, 1.0f);
    const int layers = 3;
    auto writeSplit = [&](const QString &name, int count) {
        std::vector<RowMatrixF> acts;
        QStringList texts;
        QString words, labels;
        for (int s = 0; s < count; ++s) {
            const int T = 5 + int(rng() % 10);
            RowMatrixF m(T, layers * dims);
            QStringList w, l;
            for (int t = 0; t < T; ++t) {
                const int label = int(rng() % 4);
                for (Index j = 0; j < m.cols(); ++j)
                    m(t, j) = noise(rng);
                m(t, dims + (label + 1) * 7 % dims) += 3.0f;
                w << QStringLiteral("w%1").arg(rng() % 50);
                l << QStringLiteral("L%1").arg(label);
            }
            acts.push_back(m);
            texts << w.join(QLatin1Char(' '));
            words += w.join(QLatin1Char(' ')) + QLatin1Char('\n');
            labels += l.join(QLatin1Char(' ')) + QLatin1Char('\n');
        }
        const QString base = dir + QLatin1Char('/') + name;
        writeNeuroxHdf5(base + QStringLiteral(".hdf5"), layers, dims, acts, texts);
        for (const auto &[suffix, text] : {std::pair{QStringLiteral(".words.txt"), words},
                                           std::pair{QStringLiteral(".labels.txt"), labels}}) {
            QFile f(base + suffix);
            if (!f.open(QIODevice::WriteOnly))
                qFatal("cannot write test data");
            f.write(text.toUtf8());
        }
        return SplitPaths{base + QStringLiteral(".hdf5"), base + QStringLiteral(".words.txt"),
                          base + QStringLiteral(".labels.txt")};
    };
    TaskInputs in;
    in.train = writeSplit(QStringLiteral("train"), sentences);
    in.dev = writeSplit(QStringLiteral("dev"), sentences / 4);
    return in;
}

} // namespace

class TestFeatures : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void namesSizesAndPlans()
    {
        QCOMPARE(parseStorageMode(QStringLiteral("f16")), StorageMode::Float16);
        QCOMPARE(parseStorageMode(QStringLiteral("stream")), StorageMode::Streamed);
        QCOMPARE(storageModeName(StorageMode::Float32), QStringLiteral("float32"));
        QVERIFY_THROWS_EXCEPTION(Error, parseStorageMode(QStringLiteral("disk")));
        QCOMPARE(parseByteSize(QStringLiteral("8M")), quint64(8000000));
        QCOMPARE(parseByteSize(QStringLiteral("1GiB")), quint64(1) << 30);
        QCOMPARE(parseByteSize(QStringLiteral("512")), quint64(512));
        QVERIFY_THROWS_EXCEPTION(Error, parseByteSize(QStringLiteral("lots")));
        QVERIFY_THROWS_EXCEPTION(Error, parseByteSize(QStringLiteral("0")));
        const StoragePlan fits = planStorage(StorageMode::Auto, 1e6, 8000000);
        QCOMPARE(fits.mode, StorageMode::Float32);
        const StoragePlan big = planStorage(StorageMode::Auto, 3e6, 8000000);
        QCOMPARE(big.mode, StorageMode::Streamed);
        QCOMPARE(big.residentBytes, 0.0);
        QCOMPARE(planStorage(StorageMode::Float16, 3e6, 1).residentBytes, 6e6);
        QVERIFY(defaultMemoryBudget() >= (quint64(256) << 20));
        QVERIFY(big.summary().contains(QStringLiteral("streamed")));
    }

    void halfConversionRoundsToNearestEven()
    {
        const std::vector<float> in{0.0f,
                                    -0.0f,
                                    1.0f,
                                    -2.5f,
                                    65504.0f,
                                    70000.0f,
                                    1e-8f,
                                    0.333333f,
                                    1.0009765625f,
                                    1.00048828125f /* tie → even */,
                                    std::numeric_limits<float>::infinity(),
                                    std::numeric_limits<float>::quiet_NaN(),
                                    3.0f,
                                    4.0f,
                                    5.0f,
                                    6.0f,
                                    7.0f};
        std::vector<std::uint16_t> h(in.size());
        floatsToHalf(in.data(), h.data(), Index(in.size()));
        std::vector<float> back(in.size());
        halfsToFloat(h.data(), back.data(), Index(in.size()));
        QCOMPARE(h[2], std::uint16_t(0x3c00));
        QCOMPARE(back[3], -2.5f);
        QCOMPARE(back[4], 65504.0f);
        QVERIFY(std::isinf(back[5])); // overflow → inf
        QCOMPARE(back[6], 0.0f);      // underflow → 0
        QVERIFY(std::abs(back[7] - 0.333333f) < 2e-4f);
        QCOMPARE(back[8], 1.0009765625f); // exactly representable
        QCOMPARE(back[9], 1.0f);          // halfway: rounds to even mantissa
        QVERIFY(std::isnan(back[11]));
        QCOMPARE(back[16], 7.0f); // scalar tail after the 8-wide loop
    }

    void streamedTrainingEqualsInMemoryBitForBit()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        TaskInputs in = writePlantedTask(dir.path(), 400, 32);
        const qint64 fileBytes =
            QFileInfo(in.train.activations).size() + QFileInfo(in.dev.activations).size();

        in.options.storage = StorageMode::Float32;
        const LoadedTask mem = loadTask(in);
        QCOMPARE(mem.train->storage, StorageMode::Float32);

        // A budget the data exceeds 1.5× or more: Auto must choose streaming.
        TaskInputs sin = in;
        sin.options.storage = StorageMode::Auto;
        sin.memoryBudget = quint64(double(fileBytes) / 1.6);
        QVERIFY(double(fileBytes) >= 1.5 * double(sin.memoryBudget));
        const LoadedTask streamed = loadTask(sin);
        QCOMPARE(streamed.storage.mode, StorageMode::Streamed);
        QCOMPARE(streamed.train->storage, StorageMode::Streamed);
        QCOMPARE(streamed.train->X.size(), Index(0)); // nothing resident
        QCOMPARE(streamed.train->rows(), mem.train->rows());
        QCOMPARE(streamed.train->neurons(), mem.train->neurons());
        QVERIFY(streamed.train->y == mem.train->y);

        struct Case {
            const char *name;
            int batch;
            bool shuffle;
            bool standardize;
            NeuronList columns;
        };
        const std::vector<Case> cases{
            {"shuffled batch 32", 32, true, false, {}},
            {"unshuffled batch 512 (consecutive rows)", 512, false, false, {}},
            {"standardized, column subset", 64, true, true, {3, 40, 41, 7, 90}},
        };
        for (const Case &c : cases) {
            ProbeOptions po;
            po.epochs = 2;
            po.batchSize = c.batch;
            po.shuffle = c.shuffle;
            po.standardize = c.standardize;
            po.l1 = 1e-4;
            po.seed = 11;
            const TrainResult a = trainProbe(*mem.train->features(), mem.train->y,
                                             mem.train->yValue, mem.vocab.names, po, c.columns);
            const TrainResult b =
                trainProbe(*streamed.train->features(), streamed.train->y, streamed.train->yValue,
                           streamed.vocab.names, po, c.columns);
            QCOMPARE(a.status, Status::Ok);
            QCOMPARE(b.status, Status::Ok);
            QVERIFY2(sameBits(a.probe.W, b.probe.W), c.name);
            qInfo("%s: bit-identical", c.name);
            QVERIFY2(sameBits(a.probe.b, b.probe.b), c.name);
            QVERIFY2(sameBits(a.probe.mean, b.probe.mean), c.name);
            const Evaluation ea =
                evaluateProbe(a.probe, *mem.dev->features(), mem.dev->y, mem.dev->yValue);
            const Evaluation eb = evaluateProbe(b.probe, *streamed.dev->features(), streamed.dev->y,
                                                streamed.dev->yValue);
            QCOMPARE(ea.accuracy, eb.accuracy);
            qInfo("%s: dev accuracy %.4f", c.name, ea.accuracy);
            if (c.batch == 32) // the one case with enough steps to learn the planted neurons
                QVERIFY2(ea.accuracy > 0.6, qPrintable(QString::number(ea.accuracy)));
        }
    }

    void probeAnalysesRunStreamedAndColumnAnalysesSaySo()
    {
        QTemporaryDir dir;
        TaskInputs in = writePlantedTask(dir.path(), 120, 16, 3);
        in.options.storage = StorageMode::Streamed;
        const LoadedTask task = loadTask(in);
        in.options.storage = StorageMode::Float32;
        const LoadedTask mem = loadTask(in);
        ExperimentData data{&*task.train, &*task.dev, nullptr, task.vocab.names, {}};
        data.probe.epochs = 2;
        ExperimentData memData{&*mem.train, &*mem.dev, nullptr, mem.vocab.names, data.probe};
        const SubsetScores s = retrainOnColumns(data, {1, 2, 3, 23});
        const SubsetScores m = retrainOnColumns(memData, {1, 2, 3, 23});
        QCOMPARE(s.status, Status::Ok);
        QCOMPARE(s.selection, m.selection);
        try {
            (void)task.train->denseX("correlation clustering");
            QFAIL("expected an error");
        } catch (const Error &e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(QStringLiteral("float32")), e.what());
            QVERIFY2(QString::fromUtf8(e.what()).contains(QStringLiteral("correlation clustering")),
                     e.what());
        }
    }

    void float16StaysCloseToFloat32()
    {
        QTemporaryDir dir;
        TaskInputs in = writePlantedTask(dir.path(), 300, 24, 5);
        in.options.storage = StorageMode::Float16;
        const LoadedTask half = loadTask(in);
        QCOMPARE(half.train->storage, StorageMode::Float16);
        QCOMPARE(half.storage.residentBytes * 2, half.storage.float32Bytes);
        in.options.storage = StorageMode::Float32;
        const LoadedTask full = loadTask(in);
        QCOMPARE(Index(half.train->X16.data.size()), full.train->X.size());
        // Every stored value is the float32 value rounded to binary16.
        std::vector<float> row(std::size_t(full.train->neurons()));
        halfsToFloat(half.train->X16.row(5), row.data(), full.train->neurons());
        for (int j = 0; j < full.train->neurons(); ++j)
            QVERIFY(std::abs(row[std::size_t(j)] - full.train->X(5, j))
                    <= 1e-3f * std::max(1.0f, std::abs(full.train->X(5, j))));
        ProbeOptions po;
        po.epochs = 3;
        const TrainResult a = trainProbe(*full.train->features(), full.train->y, full.train->yValue,
                                         full.vocab.names, po);
        const TrainResult b = trainProbe(*half.train->features(), half.train->y, half.train->yValue,
                                         half.vocab.names, po);
        const double accA =
            evaluateProbe(a.probe, *full.dev->features(), full.dev->y, full.dev->yValue).accuracy;
        const double accB =
            evaluateProbe(b.probe, *half.dev->features(), half.dev->y, half.dev->yValue).accuracy;
        qInfo("planted: float32 dev %.4f, float16 dev %.4f", accA, accB);
        QVERIFY2(std::abs(accA - accB) <= 0.01,
                 qPrintable(QStringLiteral("%1 vs %2").arg(accA).arg(accB)));
    }

    void float16OverflowIsAnError()
    {
        QTemporaryDir dir;
        const QString p = dir.path() + QStringLiteral("/big.hdf5");
        RowMatrixF m = RowMatrixF::Ones(2, 4);
        m(1, 2) = 1e6f;
        writeNeuroxHdf5(p, 1, 4, {m}, {QStringLiteral("a b")});
        QFile w(dir.path() + QStringLiteral("/w.txt")), l(dir.path() + QStringLiteral("/l.txt"));
        QVERIFY(w.open(QIODevice::WriteOnly) && l.open(QIODevice::WriteOnly));
        w.write("a b\n");
        l.write("X Y\n");
        w.close();
        l.close();
        TaskInputs in;
        in.train = {p, w.fileName(), l.fileName()};
        in.options.storage = StorageMode::Float16;
        try {
            (void)loadTask(in);
            QFAIL("expected an error");
        } catch (const Error &e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(QStringLiteral("float16 range")),
                     e.what());
            QVERIFY2(QString::fromUtf8(e.what()).contains(QStringLiteral("big.hdf5")), e.what());
        }
    }

    void blockShuffledOrderIsAPermutationOfSequentialBlocks()
    {
        for (const Index n : {Index(1), Index(7), Index(1000), Index(1003)}) {
            for (const Index b : {Index(1), Index(16), Index(100), Index(5000)}) {
                const auto size = static_cast<std::size_t>(n);
                std::vector<Index> perm(size), again(size), other(size);
                blockShuffledPermutation(perm, 42, 3, b);
                blockShuffledPermutation(again, 42, 3, b);
                blockShuffledPermutation(other, 42, 4, b);
                QCOMPARE(perm, again); // deterministic per (seed, epoch)
                std::vector<Index> sorted = perm;
                std::sort(sorted.begin(), sorted.end());
                for (Index i = 0; i < n; ++i)
                    QCOMPARE(sorted[std::size_t(i)], i); // a permutation
                // Positions come in whole blocks: each run holds exactly the rows of one block.
                std::size_t at = 0;
                while (at < perm.size()) {
                    const Index block = perm[at] / b;
                    const Index count = std::min(b, n - block * b);
                    for (Index r = 0; r < count; ++r)
                        QCOMPARE(perm[at + std::size_t(r)] / b, block);
                    at += std::size_t(count);
                }
                if (n >= 1000 && b <= 100)
                    QVERIFY(perm != other); // a new order every epoch
            }
        }
        // Shuffled at both levels: blocks leave their place, rows leave theirs within a block.
        std::vector<Index> perm(1000);
        blockShuffledPermutation(perm, 1, 0, 100);
        QVERIFY(perm[0] / 100 != 0 || perm[100] / 100 != 1 || perm[200] / 100 != 2);
        int moved = 0;
        for (std::size_t i = 0; i + 1 < perm.size(); ++i)
            moved += perm[i + 1] != perm[i] + 1;
        QVERIFY(moved > 500);
    }

    void streamedBlockShuffleIsDeterministicAndCloseToFullShuffle()
    {
        QTemporaryDir dir;
        TaskInputs in = writePlantedTask(dir.path(), 300, 16, 5);
        in.options.storage = StorageMode::Streamed;
        const LoadedTask streamed = loadTask(in);
        QCOMPARE(streamed.train->storage, StorageMode::Streamed);
        ProbeOptions po;
        po.epochs = 4;
        po.shuffleBlockRows = 64;
        const TrainResult a = trainProbe(*streamed.train->features(), streamed.train->y,
                                         streamed.train->yValue, streamed.vocab.names, po);
        const TrainResult b = trainProbe(*streamed.train->features(), streamed.train->y,
                                         streamed.train->yValue, streamed.vocab.names, po);
        QVERIFY(a.probe.W == b.probe.W); // bit for bit, same seed
        QVERIFY(a.probe.b == b.probe.b);
        // The reader fetches a batch's rows in file order (whole runs of a record per read) and
        // puts them back in batch order: the same weights as from memory, bit for bit.
        in.options.storage = StorageMode::Float32;
        const LoadedTask dense = loadTask(in);
        const TrainResult m = trainProbe(*dense.train->features(), dense.train->y,
                                         dense.train->yValue, dense.vocab.names, po);
        QVERIFY(sameBits(m.probe.W, a.probe.W));
        QVERIFY(sameBits(m.probe.b, a.probe.b));
        ProbeOptions full = po;
        full.shuffleBlockRows = 0;
        const TrainResult c = trainProbe(*streamed.train->features(), streamed.train->y,
                                         streamed.train->yValue, streamed.vocab.names, full);
        QVERIFY(!(a.probe.W == c.probe.W)); // the option changes the order
        const double accBlock =
            evaluateProbe(a.probe, *streamed.dev->features(), streamed.dev->y, streamed.dev->yValue)
                .accuracy;
        const double accFull =
            evaluateProbe(c.probe, *streamed.dev->features(), streamed.dev->y, streamed.dev->yValue)
                .accuracy;
        qInfo("planted, streamed: block-shuffled dev %.4f, fully shuffled dev %.4f", accBlock,
              accFull);
        QVERIFY2(std::abs(accBlock - accFull) <= 0.02,
                 qPrintable(QStringLiteral("%1 vs %2").arg(accBlock).arg(accFull)));
    }

    void streamedReadErrorReachesTheCaller()
    {
        QTemporaryDir dir;
        TaskInputs in = writePlantedTask(dir.path(), 60, 16, 9);
        in.options.storage = StorageMode::Streamed;
        const LoadedTask task = loadTask(in);
        // The file shrinks after loading (e.g. overwritten by a colleague): a clean error.
        QFile f(in.train.activations);
        QVERIFY(f.resize(f.size() / 3));
        ProbeOptions po;
        po.epochs = 1;
        try {
            (void)trainProbe(*task.train->features(), task.train->y, task.train->yValue,
                             task.vocab.names, po);
            QFAIL("expected an error");
        } catch (const Error &e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(QStringLiteral("shorter")), e.what());
            QVERIFY2(QString::fromUtf8(e.what()).contains(QStringLiteral("train.hdf5")), e.what());
        }
    }

    void cancellingAStreamedRunStopsTheReader()
    {
        QTemporaryDir dir;
        TaskInputs in = writePlantedTask(dir.path(), 200, 16, 13);
        in.options.storage = StorageMode::Streamed;
        const LoadedTask task = loadTask(in);
        ProbeOptions po;
        po.epochs = 5;
        po.batchSize = 8;
        int calls = 0;
        const TrainResult r =
            trainProbe(*task.train->features(), task.train->y, task.train->yValue, task.vocab.names,
                       po, {}, {}, nullptr, [&](const TrainProgress &) { return ++calls < 3; });
        QCOMPARE(r.status, Status::Cancelled);
        QCOMPARE(calls, 3);
    }

    void ptbPosFloat16WithinTwoTenthsOfAPoint()
    {
        SALIENT_REQUIRE_SHARED(dataTrain, "data/stories260K.ptb.train.hdf5");
        const QString d = salient::test::sharedDir() + QStringLiteral("/data/");
        TaskInputs in;
        in.train = {dataTrain, d + QStringLiteral("ptb_pos.train.words.txt"),
                    d + QStringLiteral("ptb_pos.train.labels.txt")};
        in.dev = {d + QStringLiteral("stories260K.ptb.dev.hdf5"),
                  d + QStringLiteral("ptb_pos.dev.words.txt"),
                  d + QStringLiteral("ptb_pos.dev.labels.txt")};
        ProbeOptions po; // the real-data reference settings, fewer epochs
        po.epochs = 5;
        po.batchSize = 32;
        double acc[2];
        for (int k = 0; k < 2; ++k) {
            in.options.storage = k == 0 ? StorageMode::Float32 : StorageMode::Float16;
            const LoadedTask task = loadTask(in);
            const TrainResult r = trainProbe(*task.train->features(), task.train->y,
                                             task.train->yValue, task.vocab.names, po);
            acc[k] = evaluateProbe(r.probe, *task.dev->features(), task.dev->y, task.dev->yValue)
                         .accuracy;
        }
        qInfo("ptb_pos dev accuracy: float32 %.4f, float16 %.4f (Δ %.2f points)", acc[0], acc[1],
              100.0 * (acc[1] - acc[0]));
        QVERIFY2(std::abs(acc[0] - acc[1]) <= 0.002,
                 qPrintable(QStringLiteral("%1 vs %2").arg(acc[0]).arg(acc[1])));
    }
};

QTEST_GUILESS_MAIN(TestFeatures)
#include "tst_features.moc"
