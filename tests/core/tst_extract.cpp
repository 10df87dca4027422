// Native extraction against NeuroX's own outputs (spec/MODELS.md §5, §7): the golden tiny
// models' expected.{first,last,average}.hdf5 and expected.tokens.json, and the shared
// stories260K activation files (../shared/data/README.md §3). Also the streamed/resumable output
// and the bad inputs the extraction issue names.
#include "salient/io/activationstore.h"
#include "salient/model/extract.h"
#include "salient/util/float16.h"

#include "testutil.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>

using namespace salient;
using namespace salient::model;

namespace {

using test::kSanitized;

using test::golden;

struct Compare {
    QString failure; ///< empty when equal within tolerance
    double maxAbs = 0;
};

/// Stores equal: sentences, layers, dims, words per sentence, keys (when @p keys), and values
/// within |a − b| ≤ atol + rtol·|b|.
Compare compareStores(const QString &gotPath, const QString &wantPath, double atol, double rtol,
                      bool keys = true)
{
    Compare c;
    const auto got = ActivationStore::open(gotPath);
    const auto want = ActivationStore::open(wantPath);
    const StoreInfo &g = got->info(), &w = want->info();
    if (g.sentences != w.sentences || g.layers != w.layers || g.dims != w.dims) {
        c.failure = QStringLiteral("shape: got %1 sentences × %2 layers × %3, want %4 × %5 × %6")
                        .arg(g.sentences)
                        .arg(g.layers)
                        .arg(g.dims)
                        .arg(w.sentences)
                        .arg(w.layers)
                        .arg(w.dims);
        return c;
    }
    for (Index i = 0; i < g.sentences; ++i) {
        if (g.wordsPerSentence[size_t(i)] != w.wordsPerSentence[size_t(i)]) {
            c.failure = QStringLiteral("sentence %1: %2 words, want %3")
                            .arg(i)
                            .arg(g.wordsPerSentence[size_t(i)])
                            .arg(w.wordsPerSentence[size_t(i)]);
            return c;
        }
        if (keys && g.keys.value(i) != w.keys.value(i)) {
            c.failure = QStringLiteral("sentence %1: key\n  got  %2\n  want %3")
                            .arg(i)
                            .arg(g.keys.value(i), w.keys.value(i));
            return c;
        }
        const Index T = g.wordsPerSentence[size_t(i)], width = Index(g.layers) * g.dims;
        RowMatrixF a(T, width), b(T, width);
        if (T == 0)
            continue;
        got->readSentence(i, a.data(), width);
        want->readSentence(i, b.data(), width);
        for (Index t = 0; t < T; ++t)
            for (Index k = 0; k < width; ++k) {
                const double d = std::abs(double(a(t, k)) - double(b(t, k)));
                c.maxAbs = std::max(c.maxAbs, d);
                if (!(d <= atol + rtol * std::abs(double(b(t, k))))) {
                    c.failure =
                        QStringLiteral("sentence %1 word %2 layer %3 neuron %4: %5, want %6")
                            .arg(i)
                            .arg(t)
                            .arg(k / g.dims)
                            .arg(k % g.dims)
                            .arg(double(a(t, k)), 0, 'g', 9)
                            .arg(double(b(t, k)), 0, 'g', 9);
                    return c;
                }
            }
    }
    return c;
}

QJsonObject readJsonFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

void writeText(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(bytes);
}

} // namespace

class TestExtract : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void alignmentEqualsNeuroX_data();
    void alignmentEqualsNeuroX();
    void goldenActivations_data();
    void goldenActivations();
    void float16LayersDecompose();
    void stories260KReproducesSharedFiles_data();
    void stories260KReproducesSharedFiles();
    void resumeAfterInterruption();
    void badInput();
};

void TestExtract::alignmentEqualsNeuroX_data()
{
    QTest::addColumn<QString>("model");
    for (const char *m : {"tiny-bert", "tiny-gpt2", "tiny-llama"})
        QTest::newRow(m) << QString::fromLatin1(m);
}

void TestExtract::alignmentEqualsNeuroX()
{
    QFETCH(QString, model);
    if (golden(model).isEmpty() || !QFileInfo::exists(golden(model)))
        QSKIP("SKIPPED: ../shared/spec/golden/models not found; set SALIENT_SHARED_DIR");
    const LoadedModel m = loadModelAndTokenizer(golden(model));
    const QJsonObject expected =
        readJsonFile(golden(model) + QStringLiteral("/expected.tokens.json"));
    const QJsonArray sentences = expected.value(QLatin1String("sentences")).toArray();
    QVERIFY(sentences.size() >= 28);
    WordAligner aligner(*m.tokenizer);
    for (const QJsonValue &v : sentences) {
        const QJsonObject s = v.toObject();
        const QString where =
            QStringLiteral("%1 line %2").arg(model).arg(s.value(QLatin1String("index")).toInt());
        const SentenceAlignment a = aligner.align(s.value(QLatin1String("text")).toString());
        std::vector<int> ids;
        for (const QJsonValue &id : s.value(QLatin1String("input_ids")).toArray())
            ids.push_back(id.toInt());
        QVERIFY2(a.ids == ids, qPrintable(where + QStringLiteral(": input ids differ")));
        QCOMPARE(a.truncated, s.value(QLatin1String("truncated")).toBool());
        QCOMPARE(qsizetype(a.words.size()), qsizetype(s.value(QLatin1String("num_words")).toInt()));
        QCOMPARE(a.keptWords, s.value(QLatin1String("num_kept_words")).toInt());
        QVERIFY2(a.key() == s.value(QLatin1String("key")).toString(),
                 qPrintable(where
                            + QStringLiteral(": key '%1' vs '%2'")
                                  .arg(a.key(), s.value(QLatin1String("key")).toString())));
        const QJsonArray words = s.value(QLatin1String("words")).toArray();
        for (int k = 0; k < a.keptWords; ++k) {
            const QJsonObject w = words.at(k).toObject();
            QVERIFY2(a.counts[size_t(k)] == w.value(QLatin1String("count")).toInt(),
                     qPrintable(where + QStringLiteral(": word %1 count").arg(k)));
            const QJsonArray pos = w.value(QLatin1String("positions")).toArray();
            for (int j = 0; j < a.counts[size_t(k)]; ++j)
                QCOMPARE(a.positions[size_t(a.starts[size_t(k)] + j)], pos.at(j).toInt());
        }
    }
}

void TestExtract::goldenActivations_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("weights");
    QTest::addColumn<QString>("aggregation");
    for (const char *m : {"tiny-bert", "tiny-gpt2", "tiny-llama"})
        for (const char *a : {"first", "last", "average"})
            QTest::addRow("%s-%s", m, a)
                << QString::fromLatin1(m) << QString() << QString::fromLatin1(a);
    for (const char *w : {"model.fp16.safetensors", "model.bf16.safetensors"})
        QTest::addRow("tiny-llama-%s", w)
            << QStringLiteral("tiny-llama") << QString::fromLatin1(w) << QStringLiteral("average");
}

void TestExtract::goldenActivations()
{
    QFETCH(QString, model);
    QFETCH(QString, weights);
    QFETCH(QString, aggregation);
    if (golden(model).isEmpty() || !QFileInfo::exists(golden(model)))
        QSKIP("SKIPPED: ../shared/spec/golden/models not found; set SALIENT_SHARED_DIR");
    QTemporaryDir tmp;
    const QString modelPath =
        weights.isEmpty() ? golden(model) : golden(model) + QLatin1Char('/') + weights;
    const LoadedModel m = loadModelAndTokenizer(modelPath);
    ExtractOptions o;
    o.aggregation = parseAggregation(aggregation);
    o.batchSentences = 5; // several batches with padding
    const QString out = tmp.filePath(QStringLiteral("acts.hdf5"));
    const ExtractSummary s = extractActivations(
        *m.model, *m.tokenizer, golden(model) + QStringLiteral("/sentences.txt"), out, o);
    QVERIFY(!s.cancelled);
    QCOMPARE(s.outputs, QStringList{out});
    QCOMPARE(s.sentences, Index(28));
    // Line 13 (0-based) is truncated by every model, with a warning naming line 14.
    QVERIFY(std::find(s.truncatedLines.begin(), s.truncatedLines.end(), Index(13))
            != s.truncatedLines.end());
    QVERIFY(s.warnings.join(QLatin1Char('\n')).contains(QStringLiteral("line 14:")));
    const Compare c = compareStores(
        out, golden(model) + QStringLiteral("/expected.%1.hdf5").arg(aggregation), 1e-4, 1e-4);
    QVERIFY2(c.failure.isEmpty(), qPrintable(c.failure));
    qInfo("%s %s %s: max |Δ| = %.3g", qPrintable(model), qPrintable(weights),
          qPrintable(aggregation), c.maxAbs);
    QVERIFY(!QFileInfo::exists(out + QStringLiteral(".partial")));
    QVERIFY(!QFileInfo::exists(out + QStringLiteral(".partial.journal")));
}

void TestExtract::float16LayersDecompose()
{
    if (golden(QStringLiteral("tiny-bert")).isEmpty())
        QSKIP("SKIPPED: ../shared/spec/golden/models not found; set SALIENT_SHARED_DIR");
    const QString dir = golden(QStringLiteral("tiny-bert"));
    const LoadedModel m = loadModelAndTokenizer(dir);
    QTemporaryDir tmp;
    ExtractOptions o;
    o.dtype = DType::Float16;
    o.layers = {2, 0};
    o.decompose = true;
    const QString out = tmp.filePath(QStringLiteral("b.hdf5"));
    const ExtractSummary s =
        extractActivations(*m.model, *m.tokenizer, dir + QStringLiteral("/sentences.txt"), out, o);
    QCOMPARE(s.outputs, (QStringList{tmp.filePath(QStringLiteral("b-layer2.hdf5")),
                                     tmp.filePath(QStringLiteral("b-layer0.hdf5"))}));
    QVERIFY(!QFileInfo::exists(out));
    const auto want = ActivationStore::open(dir + QStringLiteral("/expected.last.hdf5"));
    for (int li = 0; li < 2; ++li) {
        const auto got = ActivationStore::open(s.outputs[li]);
        QCOMPARE(got->info().dtype, DType::Float16);
        QCOMPARE(got->info().layers, 1);
        QCOMPARE(got->info().keys, want->info().keys);
        const int layer = o.layers[size_t(li)];
        for (Index i = 0; i < got->info().sentences; ++i) {
            const Index T = got->info().wordsPerSentence[size_t(i)], D = got->info().dims;
            if (T == 0)
                continue;
            RowMatrixF a(T, D), b(T, D);
            got->readSentence(i, a.data(), D);
            want->readSentence(i, b.data(), D, {layer});
            for (Index t = 0; t < T; ++t)
                for (Index d = 0; d < D; ++d) // float16 rounding of the float32 reference
                    QVERIFY(std::abs(a(t, d) - halfToFloat(floatToHalf(b(t, d))))
                            <= 1e-3f + 2e-3f * std::abs(b(t, d)));
        }
    }
}

void TestExtract::stories260KReproducesSharedFiles_data()
{
    QTest::addColumn<QString>("words");
    QTest::addColumn<QString>("hdf5");
    const char *corpora[][2] = {
        {"ptb_pos", "ptb"}, {"conll2000_chunk", "conll2000"}, {"ud_ewt_upos", "ud_ewt"}};
    for (const auto &c : corpora)
        for (const char *split : {"dev", "test", "train"}) {
            if (kSanitized && QByteArray(split) != "dev")
                continue; // sanitizer builds: one split per corpus is enough
            QTest::addRow("%s.%s", c[1], split)
                << QStringLiteral("data/%1.%2.words.txt")
                       .arg(QLatin1String(c[0]), QLatin1String(split))
                << QStringLiteral("data/stories260K.%1.%2.hdf5")
                       .arg(QLatin1String(c[1]), QLatin1String(split));
        }
}

void TestExtract::stories260KReproducesSharedFiles()
{
    QFETCH(QString, words);
    QFETCH(QString, hdf5);
    SALIENT_REQUIRE_SHARED(modelPath, "data/model/stories260K.bin");
    const QString shared = test::sharedDir() + QLatin1Char('/');
    if (!QFileInfo::exists(shared + words) || !QFileInfo::exists(shared + hdf5))
        QSKIP("SKIPPED: ../shared/data corpus files missing");
    const LoadedModel m =
        loadModelAndTokenizer(modelPath, shared + QStringLiteral("data/model/tok512.bin"));
    QCOMPARE(m.model->info().layers, 5);
    QTemporaryDir tmp;
    ExtractOptions o;
    o.keys = KeyStyle::Text; // the shared files are keyed by the sentence text
    const QString out = tmp.filePath(QStringLiteral("s.hdf5"));
    const ExtractSummary s = extractActivations(*m.model, *m.tokenizer, shared + words, out, o);
    QVERIFY(s.truncatedLines.empty()); // README: the longest input is 296 tokens of 512
    const Compare c = compareStores(out, shared + hdf5, 1e-4, 1e-4);
    QVERIFY2(c.failure.isEmpty(), qPrintable(c.failure));
    qInfo("%s: %lld sentences, %lld tokens, %.0f tokens/s, max |Δ| = %.3g", qPrintable(hdf5),
          static_cast<long long>(s.sentences), static_cast<long long>(s.tokens), s.tokensPerSecond,
          c.maxAbs);
}

void TestExtract::resumeAfterInterruption()
{
    if (golden(QStringLiteral("tiny-gpt2")).isEmpty())
        QSKIP("SKIPPED: ../shared/spec/golden/models not found; set SALIENT_SHARED_DIR");
    const QString dir = golden(QStringLiteral("tiny-gpt2"));
    const QString sentences = dir + QStringLiteral("/sentences.txt");
    const LoadedModel m = loadModelAndTokenizer(dir);
    QTemporaryDir tmp;
    ExtractOptions o;
    o.batchSentences = 2; // windows of 8 sentences
    const QString whole = tmp.filePath(QStringLiteral("whole.hdf5"));
    extractActivations(*m.model, *m.tokenizer, sentences, whole, o);

    // Interrupted after the first window: nothing at the final name, the partial files remain.
    const QString out = tmp.filePath(QStringLiteral("out.hdf5"));
    int calls = 0;
    const ExtractSummary cut =
        extractActivations(*m.model, *m.tokenizer, sentences, out, o,
                           [&](Index done, Index) { return ++calls < 2 || done == 0; });
    QVERIFY(cut.cancelled);
    QCOMPARE(cut.sentences, Index(8));
    QVERIFY(!QFileInfo::exists(out));
    QVERIFY(QFileInfo::exists(out + QStringLiteral(".partial")));
    QVERIFY(QFileInfo::exists(out + QStringLiteral(".partial.journal")));

    // Other options: the partial file is refused, not silently used.
    ExtractOptions other = o;
    other.aggregation = Aggregation::First;
    const QString refused =
        test::errorOf([&] { extractActivations(*m.model, *m.tokenizer, sentences, out, other); });
    QVERIFY2(refused.contains(QStringLiteral("partial extraction"))
                 && refused.contains(QStringLiteral("--restart")),
             qPrintable(refused));

    // The same command resumes and gives the uninterrupted file exactly.
    const ExtractSummary resumed = extractActivations(*m.model, *m.tokenizer, sentences, out, o);
    QCOMPARE(resumed.resumedFrom, Index(8));
    QCOMPARE(resumed.sentences, Index(28));
    const Compare c = compareStores(out, whole, 0, 0);
    QVERIFY2(c.failure.isEmpty(), qPrintable(c.failure));
    QVERIFY(!QFileInfo::exists(out + QStringLiteral(".partial")));

    // A damaged partial file (journal says 8 complete sentences) is refused with its name.
    const QString out2 = tmp.filePath(QStringLiteral("out2.hdf5"));
    calls = 0;
    extractActivations(*m.model, *m.tokenizer, sentences, out2, o,
                       [&](Index done, Index) { return ++calls < 2 || done == 0; });
    {
        QFile f(out2 + QStringLiteral(".partial"));
        QVERIFY(f.open(QIODevice::ReadWrite));
        QVERIFY(f.resize(600));
    }
    const QString damaged =
        test::errorOf([&] { extractActivations(*m.model, *m.tokenizer, sentences, out2, o); });
    QVERIFY2(damaged.contains(QStringLiteral("Cannot resume from the partial file"))
                 && damaged.contains(QStringLiteral("out2.hdf5.partial")),
             qPrintable(damaged));
    // --restart starts over and succeeds.
    other = o;
    other.restart = true;
    extractActivations(*m.model, *m.tokenizer, sentences, out2, other);
    QVERIFY(compareStores(out2, whole, 0, 0).failure.isEmpty());
}

void TestExtract::badInput()
{
    if (golden(QStringLiteral("tiny-bert")).isEmpty())
        QSKIP("SKIPPED: ../shared/spec/golden/models not found; set SALIENT_SHARED_DIR");
    const QString dir = golden(QStringLiteral("tiny-bert"));
    const LoadedModel m = loadModelAndTokenizer(dir);
    QTemporaryDir tmp;
    const QString out = tmp.filePath(QStringLiteral("x.hdf5"));
    const QString utf = tmp.filePath(QStringLiteral("bad-utf8.txt"));
    writeText(utf, "a fine line\nbad \xff\xfe bytes here\n");
    QString e = test::errorOf([&] { extractActivations(*m.model, *m.tokenizer, utf, out, {}); });
    QVERIFY2(e.contains(QStringLiteral("bad-utf8.txt")) && e.contains(QStringLiteral("line 2"))
                 && e.contains(QStringLiteral("UTF-8")),
             qPrintable(e));
    const QString empty = tmp.filePath(QStringLiteral("empty-line.txt"));
    writeText(empty, "one\n\nthree\n");
    e = test::errorOf([&] { extractActivations(*m.model, *m.tokenizer, empty, out, {}); });
    QVERIFY2(e.contains(QStringLiteral("empty-line.txt"))
                 && e.contains(QStringLiteral("line 2 is empty")),
             qPrintable(e));
    e = test::errorOf([&] {
        extractActivations(*m.model, *m.tokenizer, tmp.filePath(QStringLiteral("none.txt")), out,
                           {});
    });
    QVERIFY2(e.contains(QStringLiteral("none.txt")), qPrintable(e));
    ExtractOptions o;
    o.layers = {0, 7};
    e = test::errorOf([&] {
        extractActivations(*m.model, *m.tokenizer, dir + QStringLiteral("/sentences.txt"), out, o);
    });
    QVERIFY2(e.contains(QStringLiteral("Layer 7 does not exist")), qPrintable(e));
    QVERIFY(!QFileInfo::exists(out));
    e = test::errorOf([&] { loadModelAndTokenizer(tmp.filePath(QStringLiteral("no-model"))); });
    QVERIFY2(e.contains(QStringLiteral("no-model")) && e.contains(QStringLiteral("does not exist")),
             qPrintable(e));
    // A llama2.c checkpoint without its tokenizer.bin beside it.
    SALIENT_REQUIRE_SHARED(bin, "data/model/stories260K.bin");
    e = test::errorOf([&] { loadModelAndTokenizer(bin); });
    QVERIFY2(e.contains(QStringLiteral("tokenizer")) && e.contains(QStringLiteral("--tokenizer")),
             qPrintable(e));
    // A word without subwords (U+200B, line 19 of the golden sentences) is a zero vector with a
    // warning naming its line.
    const ExtractSummary s =
        extractActivations(*m.model, *m.tokenizer, dir + QStringLiteral("/sentences.txt"), out, {});
    QVERIFY(!s.zeroWords.empty());
    QVERIFY(s.warnings.join(QLatin1Char('\n')).contains(QStringLiteral("no subword")));
}

QTEST_GUILESS_MAIN(TestExtract)
#include "tst_extract.moc"
