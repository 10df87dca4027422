// The model in the loop (docs/live.md): attaching a model to a session (fingerprint, layers × dims
// check, session round trip), the live sentence equal to extraction of the same line (stories260K
// and the golden tiny models), the live engine's probe and corpus lookup, and top activating
// contexts equal to a brute-force computation, plus bad input.
#include "salient/analyses/analyses.h"
#include "salient/data/task.h"
#include "salient/model/attach.h"
#include "salient/model/livesentence.h"
#include "salient/model/topcontexts.h"
#include "testutil.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>
#include <algorithm>
#include <cmath>

using namespace salient;
using namespace salient::model;

namespace {

using test::golden;

using test::readLines;

void writeText(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    QCOMPARE(f.write(bytes), bytes.size());
}

/// Max |a − b| when the shapes agree and every value is within atol + rtol·|b|; −1 otherwise.
double within(const RowMatrixF &a, const RowMatrixF &b, double atol, double rtol)
{
    if (a.rows() != b.rows() || a.cols() != b.cols())
        return -1;
    double worst = 0;
    for (Index i = 0; i < a.rows(); ++i)
        for (Index j = 0; j < a.cols(); ++j) {
            const double d = std::abs(double(a(i, j)) - double(b(i, j)));
            if (!(d <= atol + rtol * std::abs(double(b(i, j)))))
                return -1;
            worst = std::max(worst, d);
        }
    return worst;
}

RowMatrixF readRecord(const ActivationStore &store, Index record)
{
    const StoreInfo &info = store.info();
    const Index width = Index(info.layers) * info.dims;
    RowMatrixF m(info.wordsPerSentence[size_t(record)], width);
    if (m.rows() > 0)
        store.readSentence(record, m.data(), width);
    return m;
}

} // namespace

class TestLive : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void attachStories260K();
    void attachMismatch();
    void sessionRoundTrip();
    void liveEqualsExtractionStories260K();
    void liveEqualsExtractionGolden_data();
    void liveEqualsExtractionGolden();
    void modelTokensMode();
    void engineProbeAndGold();
    void topContextsEqualBruteForce();
    void badInput();
};

void TestLive::attachStories260K()
{
    SALIENT_REQUIRE_SHARED(bin, "data/model/stories260K.bin");
    SALIENT_REQUIRE_SHARED(tok, "data/model/tok512.bin");
    SALIENT_REQUIRE_SHARED(acts, "data/stories260K.ptb.dev.hdf5");
    const auto store = ActivationStore::open(acts);
    const AttachedModel a = attachModel(bin, tok, &store->info());
    QCOMPARE(a.record.kind, QStringLiteral("llama2.c"));
    QCOMPARE(a.record.layers, 6);
    QCOMPARE(a.record.dims, 64);
    QCOMPARE(a.record.lastLayer, QStringLiteral("raw"));
    QCOMPARE(a.record.aggregation, QStringLiteral("last"));
    QCOMPARE(a.record.fingerprint, fileSha256(bin)); // one file: its own SHA-256
    QCOMPARE(a.record.tokenizerFingerprint, fileSha256(tok));
    QVERIFY(a.model && a.tokenizer);
    // The shared files record the model's SHA-256; it matched (no warning about it).
    QVERIFY2(a.warnings.isEmpty(), qPrintable(a.warnings.join(QLatin1Char('\n'))));
    // Reloading the recorded model checks the fingerprint again.
    const AttachedModel again = loadSessionModel(a.record);
    QCOMPARE(again.record.fingerprint, a.record.fingerprint);
    QVERIFY(describeSessionModel(a.record).contains(QStringLiteral("6 layers × 64")));
}

void TestLive::attachMismatch()
{
    const QString bert = golden(QStringLiteral("tiny-bert"));
    if (bert.isEmpty())
        QSKIP("SKIPPED: ../shared/spec/golden/models not found; set SALIENT_SHARED_DIR");
    SALIENT_REQUIRE_SHARED(acts, "data/stories260K.ptb.dev.hdf5");
    const auto store = ActivationStore::open(acts);
    const QString why = test::errorOf([&] { attachModel(bert, {}, &store->info()); });
    QVERIFY2(why.contains(QStringLiteral("6 layers × 64 dims")), qPrintable(why));
    QVERIFY2(why.contains(QStringLiteral("do not come from this model")), qPrintable(why));
    QVERIFY2(why.contains(QStringLiteral("stories260K.ptb.dev.hdf5")), qPrintable(why));
    // Same shape, another checkpoint: the model_sha256 attribute tells them apart.
    const AttachedModel ok = attachModel(bert, {}, nullptr);
    StoreInfo same;
    same.path = QStringLiteral("/tmp/x.hdf5");
    same.layers = ok.record.layers;
    same.dims = ok.record.dims;
    QVERIFY(modelMismatch(ok.record, same).isEmpty());
    same.metadata << QStringLiteral("model_sha256=") + QString(64, QLatin1Char('0'));
    QVERIFY(modelMismatch(ok.record, same).contains(QStringLiteral("another checkpoint")));
    // A --layers subset of the same model cannot be matched.
    same.metadata.clear();
    same.layers = 1;
    QVERIFY(modelMismatch(ok.record, same).contains(QStringLiteral("--layers subset")));
    // The fingerprint of a folder covers config.json and the weights.
    const QStringList files = checkpointFiles(bert);
    QVERIFY(files.size() >= 2);
    QVERIFY(files.first().endsWith(QStringLiteral("config.json")));
}

void TestLive::sessionRoundTrip()
{
    QTemporaryDir dir;
    Session s;
    s.demo = true;
    s.model.path = QStringLiteral("/models/stories260K.bin");
    s.model.tokenizer = QStringLiteral("/models/tok512.bin");
    s.model.fingerprint = QStringLiteral("ab12");
    s.model.kind = QStringLiteral("llama2.c");
    s.model.layers = 6;
    s.model.dims = 64;
    s.model.lastLayer = QStringLiteral("raw");
    s.model.aggregation = QStringLiteral("last");
    const QString path = dir.filePath(QStringLiteral("s.json"));
    saveSession(path, s);
    const Session back = loadSession(path);
    QCOMPARE(back.model.path, s.model.path);
    QCOMPARE(back.model.fingerprint, s.model.fingerprint);
    QCOMPARE(back.model.layers, 6);
    QCOMPARE(back.model.dims, 64);
    QCOMPARE(back.model.lastLayer, QStringLiteral("raw"));
    // Without a model the key is absent (older sessions read unchanged).
    Session none;
    none.demo = true;
    saveSession(path, none);
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QVERIFY(!f.readAll().contains("\"model\""));
    QVERIFY(!loadSession(path).model.isSet());
    // A malformed model object names the key.
    QJsonObject bad = toJson(s.model);
    bad[QStringLiteral("dims")] = QStringLiteral("64");
    QVERIFY(test::errorOf([&] {
                sessionModelFromJson(bad, QStringLiteral("s.json: model"));
            }).contains(QStringLiteral("model.dims")));
}

void TestLive::liveEqualsExtractionStories260K()
{
    SALIENT_REQUIRE_SHARED(bin, "data/model/stories260K.bin");
    SALIENT_REQUIRE_SHARED(tok, "data/model/tok512.bin");
    SALIENT_REQUIRE_SHARED(acts, "data/stories260K.ptb.dev.hdf5");
    SALIENT_REQUIRE_SHARED(words, "data/ptb_pos.dev.words.txt");
    const AttachedModel m = attachModel(bin, tok, nullptr);
    const QStringList lines = readLines(words, 8);
    QCOMPARE(lines.size(), 8);
    // 1. Against the shared files (extracted by the reference pipeline): extraction tolerance.
    const auto store = ActivationStore::open(acts);
    for (int i = 0; i < lines.size(); ++i) {
        const LiveSentence s = runLiveSentence(m, lines[i], LiveMode::Words, 1);
        QCOMPARE(s.words, lines[i].split(QLatin1Char(' ')));
        const double d = within(s.X, readRecord(*store, i), 1e-4, 1e-4);
        QVERIFY2(d >= 0, qPrintable(QStringLiteral("line %1 differs from the shared file").arg(i)));
    }
    // 2. Against salient's own extraction of the same lines, one sentence per batch (the same
    // forward pass): bit for bit. Typing extra spaces does not change the line.
    QTemporaryDir dir;
    const QString txt = dir.filePath(QStringLiteral("s.txt"));
    writeText(txt, lines.join(QLatin1Char('\n')).toUtf8() + '\n');
    ExtractOptions o;
    o.batchSentences = 1;
    o.threads = 1;
    extractActivations(*m.model, *m.tokenizer, txt, dir.filePath(QStringLiteral("o.hdf5")), o);
    const auto ours = ActivationStore::open(dir.filePath(QStringLiteral("o.hdf5")));
    for (int i = 0; i < lines.size(); ++i) {
        const QString typed = QStringLiteral("  ")
                              + QString(lines[i]).replace(QLatin1Char(' '), QStringLiteral("   "));
        const LiveSentence s = runLiveSentence(m, typed, LiveMode::Words, 1);
        QCOMPARE(s.line, lines[i]);
        QVERIFY2(within(s.X, readRecord(*ours, i), 0, 0) == 0,
                 qPrintable(QStringLiteral("line %1 is not bit-identical").arg(i)));
    }
}

void TestLive::liveEqualsExtractionGolden_data()
{
    QTest::addColumn<QString>("model");
    QTest::newRow("tiny-bert") << QStringLiteral("tiny-bert");
    QTest::newRow("tiny-gpt2") << QStringLiteral("tiny-gpt2");
    QTest::newRow("tiny-llama") << QStringLiteral("tiny-llama");
}

void TestLive::liveEqualsExtractionGolden()
{
    QFETCH(QString, model);
    const QString dir = golden(model);
    if (dir.isEmpty() || !QFileInfo::exists(dir))
        QSKIP("SKIPPED: ../shared/spec/golden/models not found; set SALIENT_SHARED_DIR");
    const AttachedModel m = attachModel(dir, {}, nullptr);
    QCOMPARE(m.record.lastLayer, QStringLiteral("norm"));
    const QStringList lines = readLines(dir + QStringLiteral("/sentences.txt"), 1000);
    const auto want = ActivationStore::open(dir + QStringLiteral("/expected.last.hdf5"));
    QCOMPARE(Index(lines.size()), want->info().sentences);
    for (int i = 0; i < lines.size(); ++i) {
        const LiveSentence s = runLiveSentence(m, lines[i], LiveMode::Words, 1);
        const RowMatrixF expected = readRecord(*want, i);
        QVERIFY2(within(s.X, expected, 1e-4, 1e-4) >= 0,
                 qPrintable(QStringLiteral("%1 line %2: %3 × %4 vs expected %5 × %6 or values")
                                .arg(model)
                                .arg(i)
                                .arg(s.X.rows())
                                .arg(s.X.cols())
                                .arg(expected.rows())
                                .arg(expected.cols())));
    }
}

void TestLive::modelTokensMode()
{
    const QString dir = golden(QStringLiteral("tiny-bert"));
    if (dir.isEmpty())
        QSKIP("SKIPPED: ../shared/spec/golden/models not found; set SALIENT_SHARED_DIR");
    const AttachedModel m = attachModel(dir, {}, nullptr);
    const QString text = QStringLiteral("The debtors, unexpectedly, paid.");
    const LiveSentence s = runLiveSentence(m, text, LiveMode::ModelTokens, 1);
    const std::vector<int> ids = m.tokenizer->encode(text, true);
    // [CLS] and [SEP] are dropped: one row per remaining token, the token's hidden states.
    QCOMPARE(s.X.rows(), Index(ids.size()) - 2);
    QCOMPARE(s.words.first(), m.tokenizer->idToToken(ids[1]));
    const auto states = m.model->forward({ids}, m.forwardOptions());
    for (int l = 0; l < s.layers; ++l)
        for (Index r = 0; r < s.X.rows(); ++r)
            QVERIFY(s.X.row(r).segment(Index(l) * s.dims, s.dims)
                    == states.front()[size_t(l)].row(r + 1));
    // Blank text: no rows, no error.
    QCOMPARE(runLiveSentence(m, QStringLiteral("   "), LiveMode::Words).X.rows(), Index(0));
}

void TestLive::engineProbeAndGold()
{
    SALIENT_REQUIRE_SHARED(bin, "data/model/stories260K.bin");
    SALIENT_REQUIRE_SHARED(tok, "data/model/tok512.bin");
    SALIENT_REQUIRE_SHARED(acts, "data/stories260K.ptb.dev.hdf5");
    SALIENT_REQUIRE_SHARED(words, "data/ptb_pos.dev.words.txt");
    SALIENT_REQUIRE_SHARED(labels, "data/ptb_pos.dev.labels.txt");
    TaskInputs in;
    in.train = {acts, words, labels};
    in.options.layers = {5, 2}; // a subset in another order: columns map through the layout
    auto task = std::make_shared<const LoadedTask>(loadTask(in));
    auto m = std::make_shared<const AttachedModel>(attachModel(bin, tok, &task->trainInfo));
    const Dataset &ds = *task->train;
    ProbeOptions po;
    po.epochs = 2;
    po.batchSize = 128;
    const TrainResult tr = trainProbe(ds.X, ds.y, ds.yValue, task->vocab.names, po);
    QCOMPARE(tr.status, Status::Ok);
    ProbeReport report;
    report.probe = tr.probe;
    report.layout = NeuronLayout::of(ds);
    report.labels = task->vocab.names;
    report.ordering = fullOrdering(tr.probe.W.cwiseAbs(), 100);
    const LiveEngine engine(m, task);
    const QStringList lines = readLines(words, 3);
    const QStringList goldLines = readLines(labels, 3);
    Index firstRow = 0;
    for (int i = 0; i < 3; ++i) {
        const LiveResult r = engine.compute(lines[i], LiveMode::Words, &report, 8, 1);
        const Index n = r.sentence.X.rows();
        QCOMPARE(r.goldSplit, QStringLiteral("train"));
        QCOMPARE(r.goldRecord, Index(i));
        QCOMPARE(r.gold, goldLines[i].split(QLatin1Char(' ')));
        QCOMPARE(r.columns.cols(), Index(report.layout.columns()));
        QCOMPARE(r.topColumns.size(), size_t(8));
        QCOMPARE(r.topColumns.front(), report.ordering.front());
        // The loaded columns equal the dataset's rows of that sentence within extraction
        // tolerance, and so do the probe's probabilities.
        const RowMatrixF stored = ds.X.middleRows(firstRow, n);
        QVERIFY(within(r.columns, stored, 1e-4, 1e-4) >= 0);
        const MatrixF out = probeOutputs(tr.probe, stored);
        for (Index w = 0; w < n; ++w) {
            Index best = 0;
            const double top = double(out.row(w).maxCoeff(&best));
            double sum = 0;
            for (Index k = 0; k < out.cols(); ++k)
                sum += std::exp(double(out(w, k)) - top);
            QVERIFY(std::abs(r.probability[size_t(w)] - 1.0 / sum) < 1e-3);
            if (1.0 / sum > 0.5) // a clear winner cannot flip within the tolerance
                QCOMPARE(r.predicted[w], task->vocab.names[int(best)]);
        }
        firstRow += n;
    }
    // A sentence not in the corpus: no gold labels, predictions still there.
    const LiveResult novel = engine.compute(QStringLiteral("Once upon a time there was a cat"),
                                            LiveMode::Words, &report, 4, 1);
    QVERIFY(novel.goldSplit.isEmpty());
    QCOMPARE(novel.predicted.size(), 8);
    // Raw-text mode never looks the corpus up.
    QVERIFY(engine.compute(lines[0], LiveMode::ModelTokens, &report, 4, 1).goldSplit.isEmpty());
}

void TestLive::topContextsEqualBruteForce()
{
    SALIENT_REQUIRE_SHARED(bin, "data/model/stories260K.bin");
    SALIENT_REQUIRE_SHARED(tok, "data/model/tok512.bin");
    SALIENT_REQUIRE_SHARED(words, "data/ptb_pos.dev.words.txt");
    const AttachedModel m = attachModel(bin, tok, nullptr);
    QTemporaryDir dir;
    const QString txt = dir.filePath(QStringLiteral("raw.txt"));
    // Raw text: blank lines, runs of spaces, long lines (chunked at 7 words).
    QStringList lines = readLines(words, 14);
    lines.insert(3, QString());
    lines[5] = QStringLiteral("  ") + lines[5] + QStringLiteral("   ");
    writeText(txt, lines.join(QLatin1Char('\n')).toUtf8());
    const std::vector<NeuronId> neurons =
        parseNeuronList(QStringLiteral("5:3, 2:17,0:0,131,5:3"), 6, 64);
    QCOMPARE(neurons.size(), size_t(4)); // 131 = 2:3; the duplicate 5:3 dropped
    QCOMPARE(neurons[3], (NeuronId{2, 3}));
    TopContextsOptions o;
    o.top = 6;
    o.maxWords = 7;
    o.batchSentences = 5;
    o.threads = 1;
    const TopContextsResult r = topActivatingContexts(m, txt, neurons, o);
    QCOMPARE(r.lines, Index(14));
    // Brute force: every chunk alone, every activation kept, sorted by the documented order.
    struct Row {
        double a;
        Index line;
        int first, word;
    };
    std::vector<std::vector<Row>> all(neurons.size());
    Index chunks = 0;
    for (int li = 0; li < lines.size(); ++li) {
        const QStringList w = lines[li].simplified().split(QLatin1Char(' '), Qt::SkipEmptyParts);
        for (int start = 0; start < w.size(); start += 7) {
            ++chunks;
            const LiveSentence s =
                runLiveSentence(m, w.mid(start, 7).join(QLatin1Char(' ')), LiveMode::Words, 1);
            for (size_t n = 0; n < neurons.size(); ++n) {
                const Index col = Index(neurons[n].layer) * 64 + neurons[n].unit;
                Index best = 0;
                for (Index k = 1; k < s.X.rows(); ++k)
                    if (s.X(k, col) > s.X(best, col))
                        best = k;
                all[n].push_back({double(s.X(best, col)), li + 1, start, int(best)});
            }
        }
    }
    QCOMPARE(r.chunks, chunks);
    for (size_t n = 0; n < neurons.size(); ++n) {
        std::sort(all[n].begin(), all[n].end(), [](const Row &a, const Row &b) {
            return a.a != b.a ? a.a > b.a : a.line != b.line ? a.line < b.line : a.first < b.first;
        });
        const auto &hits = r.neurons[n].hits;
        QCOMPARE(hits.size(), size_t(6));
        for (size_t k = 0; k < hits.size(); ++k) {
            QCOMPARE(hits[k].line, all[n][k].line);
            QCOMPARE(hits[k].firstWord, all[n][k].first);
            QCOMPARE(hits[k].word, all[n][k].word);
            QVERIFY(std::abs(hits[k].activation - all[n][k].a) <= 1e-5);
            QCOMPARE(double(hits[k].activations[hits[k].word]), hits[k].activation);
        }
    }
    // The JSON names every neuron and context.
    const QJsonObject j = toJson(r, m.record);
    QCOMPARE(j.value(QStringLiteral("neurons")).toArray().size(), 4);
    // Deterministic: a second run (other batch size) gives the same order.
    o.batchSentences = 2;
    const TopContextsResult again = topActivatingContexts(m, txt, neurons, o);
    for (size_t n = 0; n < neurons.size(); ++n)
        for (size_t k = 0; k < 6; ++k)
            QCOMPARE(again.neurons[n].hits[k].line, r.neurons[n].hits[k].line);
}

void TestLive::badInput()
{
    QTemporaryDir dir;
    // Missing model.
    QVERIFY(test::errorOf([&] {
                attachModel(dir.filePath(QStringLiteral("nope.bin")), {}, nullptr);
            }).contains(QStringLiteral("does not exist")));
    SALIENT_REQUIRE_SHARED(bin, "data/model/stories260K.bin");
    SALIENT_REQUIRE_SHARED(tok, "data/model/tok512.bin");
    // A llama2.c model without its tokenizer.
    QVERIFY(test::errorOf([&] {
                attachModel(bin, dir.filePath(QStringLiteral("t.bin")), nullptr);
            }).contains(QStringLiteral("needs its tokenizer")));
    const AttachedModel m = attachModel(bin, tok, nullptr);
    // Wrong dims.
    StoreInfo other;
    other.path = QStringLiteral("other.hdf5");
    other.layers = 13;
    other.dims = 768;
    QVERIFY(test::errorOf([&] {
                attachModel(bin, tok, &other);
            }).contains(QStringLiteral("13 layers × 768 dims")));
    // A recorded model whose file changed.
    SessionModel changed = m.record;
    changed.fingerprint = QString(64, QLatin1Char('f'));
    QVERIFY(test::errorOf([&] { loadSessionModel(changed); }).contains(QStringLiteral("changed")));
    // Top contexts: missing text, empty text, invalid UTF-8, bad neurons, bad options.
    const std::vector<NeuronId> one{{1, 2}};
    TopContextsOptions o;
    QVERIFY(test::errorOf([&] {
                topActivatingContexts(m, dir.filePath(QStringLiteral("missing.txt")), one, o);
            }).contains(QStringLiteral("does not exist")));
    const QString empty = dir.filePath(QStringLiteral("empty.txt"));
    writeText(empty, "\n   \n\n");
    QVERIFY(test::errorOf([&] {
                topActivatingContexts(m, empty, one, o);
            }).contains(QStringLiteral("has no words")));
    const QString bad = dir.filePath(QStringLiteral("bad.txt"));
    writeText(bad, "fine line\nbad \xff byte\n");
    QVERIFY(test::errorOf([&] {
                topActivatingContexts(m, bad, one, o);
            }).contains(QStringLiteral("line 2: invalid UTF-8")));
    QVERIFY(test::errorOf([&] {
                parseNeuronList(QStringLiteral("6:0"), 6, 64);
            }).contains(QStringLiteral("outside the model")));
    QVERIFY(test::errorOf([&] {
                parseNeuronList(QStringLiteral("x"), 6, 64);
            }).contains(QStringLiteral("not a neuron")));
    QVERIFY(test::errorOf([&] {
                parseNeuronList(QStringLiteral(" , "), 6, 64);
            }).contains(QStringLiteral("No neuron")));
    QVERIFY(test::errorOf([&] {
                topActivatingContexts(m, bad, {{9, 0}}, o);
            }).contains(QStringLiteral("does not exist")));
    o.top = 0;
    QVERIFY(test::errorOf([&] {
                topActivatingContexts(m, empty, one, o);
            }).contains(QStringLiteral(">= 1")));
}

QTEST_GUILESS_MAIN(TestLive)
#include "tst_live.moc"
