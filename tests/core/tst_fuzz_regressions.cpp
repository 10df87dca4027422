// Regression tests for problems found by the sanitizers and the libFuzzer targets (fuzz/,
// docs/robustness.md): each feeds the reproducer to the reader and expects a clean
// salient::Error (or a clean load), never a crash, UB report or runaway allocation.
// Reproducers are embedded here or generated with the HDF5 C API (a few hundred bytes each);
// binary ones found by the fuzzer live in tests/data/fuzz/<target>/.
#include "salient/data/corpus.h"
#include "salient/io/activationstore.h"
#include "salient/session/session.h"
#include "salient/util/error.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <hdf5.h>

using namespace salient;

namespace {

void writeAll(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(f.write(bytes), bytes.size());
}

/// A session JSON naming one array, stored in @p arraysFile beside it.
QByteArray sessionWithArray(const QString &arraysFile, const QString &name)
{
    return QStringLiteral(
               R"({"format":"salient-session","version":1,"inputs":{"demo":{"seed":"7"}},)"
               R"("arrays":{"file":"%1","names":["%2"]}})")
        .arg(arraysFile, name)
        .toUtf8();
}

/// An HDF5 file with one chunked float32 dataset "a" of @p rows × @p cols and no data written:
/// a few hundred bytes that claim any number of values.
bool writeHollowArray(const QString &path, hsize_t rows, hsize_t cols)
{
    const hid_t f =
        H5Fcreate(QFile::encodeName(path).constData(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (f < 0)
        return false;
    const hsize_t dims[2] = {rows, cols};
    const hid_t space = H5Screate_simple(2, dims, nullptr);
    const hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    const hsize_t chunk[2] = {std::min<hsize_t>(rows, 1 << 14), std::min<hsize_t>(cols, 1 << 15)};
    H5Pset_chunk(dcpl, 2, chunk);
    const hid_t ds = H5Dcreate2(f, "a", H5T_IEEE_F32LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    const bool ok = space >= 0 && ds >= 0;
    H5Dclose(ds);
    H5Pclose(dcpl);
    H5Sclose(space);
    H5Fclose(f);
    return ok;
}

} // namespace

class TestFuzzRegressions : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void sessionSeedOutOfRange_data();
    void sessionSeedOutOfRange();
    void sessionInputSizeOutOfRange();
    void sessionArraysShapeOverflow();
    void sessionArraysHollowDataset();
    void sentenceClassificationIgnoreStartToken_data();
    void sentenceClassificationIgnoreStartToken();
    void reproducerFiles();
};

// UBSan (clang, float-cast-overflow): quint64(double) of a negative or huge JSON number in
// seedFrom (core/src/session.cpp) was undefined behaviour.
void TestFuzzRegressions::sessionSeedOutOfRange_data()
{
    QTest::addColumn<QByteArray>("seed");
    QTest::newRow("negative") << QByteArray("-1");
    QTest::newRow("huge") << QByteArray("1e300");
    QTest::newRow("fraction") << QByteArray("0.5");
    QTest::newRow("2^64") << QByteArray("18446744073709551616");
}

void TestFuzzRegressions::sessionSeedOutOfRange()
{
    QFETCH(QByteArray, seed);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("s.json"));
    for (const char *where : {"data_options", "probe_options"}) {
        writeAll(path, R"({"format":"salient-session","version":1,"inputs":{"demo":{"seed":"7"}},")"
                           + QByteArray(where) + R"(":{"seed":)" + seed + "}}");
        QVERIFY_THROWS_EXCEPTION(Error, loadSession(path));
    }
    // A whole number in range is still accepted (older sessions wrote seeds as numbers).
    writeAll(path, R"({"format":"salient-session","version":1,"inputs":{"demo":{"seed":"7"}},)"
                   R"("data_options":{"seed":12345}})");
    QCOMPARE(loadSession(path).dataOptions.seed, quint64(12345));
}

// UBSan (float-cast-overflow): qint64(double) of an input's "size" (1e300) in loadSession.
void TestFuzzRegressions::sessionInputSizeOutOfRange()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("s.json"));
    const QString input = dir.filePath(QStringLiteral("tokens.txt"));
    writeAll(input, "a b\n");
    QByteArray files;
    for (const char *role : {"activations", "tokens", "labels"})
        files += QByteArray(files.isEmpty() ? "" : ",") + "\"" + role + R"(":{"path":")"
                 + input.toUtf8() + R"(","size":1e300})";
    writeAll(path,
             R"({"format":"salient-session","version":1,"inputs":{"train":{)" + files + "}}}");
    SessionCheck check;
    const Session s = loadSession(path, &check);
    QCOMPARE(s.splits.at(QStringLiteral("train"))[0].size, qint64(-1)); // unknown, not UB
    QVERIFY(!check.ok());                                               // reported as changed
}

// A forged arrays file claiming 2^33 × 2^33 values: the product overflowed hsize_t, passed the
// size check and made Eigen throw std::bad_alloc (not a salient::Error) from loadSession.
void TestFuzzRegressions::sessionArraysShapeOverflow()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    if (!writeHollowArray(dir.filePath(QStringLiteral("arrays.h5")), hsize_t(1) << 33,
                          hsize_t(1) << 33))
        QSKIP("this HDF5 cannot create the 2^33 × 2^33 test dataset");
    const QString path = dir.filePath(QStringLiteral("s.json"));
    writeAll(path, sessionWithArray(QStringLiteral("arrays.h5"), QStringLiteral("a")));
    QVERIFY_THROWS_EXCEPTION(Error, loadSession(path));
}

// A 1 KiB arrays file claiming 65536 × 65536 values (16 GiB): it was allocated and filled with
// HDF5's fill value before anything noticed that no data was stored.
void TestFuzzRegressions::sessionArraysHollowDataset()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(writeHollowArray(dir.filePath(QStringLiteral("arrays.h5")), 65536, 65536));
    const QString path = dir.filePath(QStringLiteral("s.json"));
    writeAll(path, sessionWithArray(QStringLiteral("arrays.h5"), QStringLiteral("a")));
    try {
        loadSession(path);
        QFAIL("expected salient::Error");
    } catch (const Error &e) {
        QVERIFY2(e.message().contains(QStringLiteral("incomplete")), qPrintable(e.message()));
    }
}

// fuzz_text_corpus (UBSan "reference binding to null pointer", an out-of-bounds read of the
// label arrays in buildDataset, core/src/corpus.cpp): sentence classification with
// ignoreStartToken skipped each line's only label, leaving fewer labels than rows.
// Reproducer: fc 22 69 00 65 72 75 74 (options 0xfc; tokens `"i`; labels `erut`).
void TestFuzzRegressions::sentenceClassificationIgnoreStartToken_data()
{
    QTest::addColumn<bool>("regression");
    QTest::newRow("classification") << false;
    QTest::newRow("regression") << true;
}

void TestFuzzRegressions::sentenceClassificationIgnoreStartToken()
{
    QFETCH(bool, regression);
    std::vector<RowMatrixF> rows;
    for (int i = 0; i < 3; ++i)
        rows.push_back(RowMatrixF::Constant(1, 4, float(i)));
    const MemoryStore store(2, 2, std::move(rows));
    TextColumns tokens{QStringLiteral("t.txt"),
                       {{QStringLiteral("a")}, {QStringLiteral("b")}, {QStringLiteral("c")}}};
    TextColumns labels{QStringLiteral("l.txt"),
                       regression ? std::vector<QStringList>{{QStringLiteral("1.5")},
                                                             {QStringLiteral("-2")},
                                                             {QStringLiteral("3")}}
                                  : std::vector<QStringList>{{QStringLiteral("POS")},
                                                             {QStringLiteral("NEG")},
                                                             {QStringLiteral("POS")}}};
    DatasetOptions o;
    o.task = regression ? TaskType::Regression : TaskType::Classification;
    o.sentenceClassification = true;
    o.ignoreStartToken = true;
    LabelVocabulary vocab;
    const Dataset ds = buildDataset(QStringLiteral("train"), store, tokens, labels, o, vocab);
    QCOMPARE(ds.rows(), Index(3));
    if (regression) {
        QCOMPARE(ds.yValue.size(), Index(3));
        QCOMPARE(ds.yValue[0], 1.5f);
        QCOMPARE(ds.yValue[1], -2.f);
    } else {
        QCOMPARE(vocab.names, QStringList({QStringLiteral("NEG"), QStringLiteral("POS")}));
        QCOMPARE(ds.y.size(), Index(3));
        QCOMPARE(ds.y[0], 1);
        QCOMPARE(ds.y[1], 0);
    }
}

// Reproducer files from fuzzing runs, tests/data/fuzz/<target>/<name>: each must give a clean
// salient::Error (or load) in the reader its target exercises.
void TestFuzzRegressions::reproducerFiles()
{
    const QDir root(QStringLiteral(SALIENT_SOURCE_DIR "/tests/data/fuzz"));
    if (!root.exists())
        QSKIP("no reproducer files");
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    int count = 0;
    QDirIterator it(root.path(), QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString file = it.next();
        const QString target = QFileInfo(file).dir().dirName();
        QFile f(file);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray bytes = f.readAll();
        ++count;
        try {
            if (target == QLatin1String("fuzz_hdf5_activations")
                || target == QLatin1String("fuzz_jsonl_activations")) {
                const QString path = dir.filePath(QStringLiteral("input"));
                writeAll(path, bytes);
                const auto store = ActivationStore::open(path);
                const StoreInfo &info = store->info();
                std::vector<float> buf;
                for (Index i = 0; i < std::min<Index>(info.sentences, 256); ++i) {
                    const qint64 n = qint64(info.wordsPerSentence[size_t(i)]) * info.neurons();
                    if (n > (1 << 20))
                        continue;
                    buf.assign(size_t(n) + 1, 0.f);
                    store->readSentence(i, buf.data(), info.neurons());
                }
            } else if (target == QLatin1String("fuzz_session")) {
                const qsizetype sep = bytes.indexOf('\0');
                const QString path = dir.filePath(QStringLiteral("session.json"));
                writeAll(path, sep < 0 ? bytes : bytes.left(sep));
                QFile::remove(dir.filePath(QStringLiteral("arrays.h5")));
                if (sep >= 0)
                    writeAll(dir.filePath(QStringLiteral("arrays.h5")), bytes.mid(sep + 1));
                SessionCheck check;
                loadSession(path, &check);
            } else {
                QFAIL(qPrintable(QStringLiteral("%1: unknown target folder").arg(file)));
            }
        } catch (const Error &) {
            // the clean outcome
        }
    }
    qInfo("%d reproducer file(s) replayed", count);
}

QTEST_GUILESS_MAIN(TestFuzzRegressions)
#include "tst_fuzz_regressions.moc"
