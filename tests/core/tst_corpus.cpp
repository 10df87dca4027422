// Token/label files, alignment with activations, label vocabulary, building X and y
// (spec/NEUROX.md §3–§4).
#include "salient/data/corpus.h"
#include "salient/util/error.h"

#include <QTemporaryDir>
#include <QtTest>
#include <cmath>

using namespace salient;

namespace {

/// A store of @p words.size() sentences; row w of sentence s has value s*100 + w + 0.5 in every
/// neuron of layer l, plus l*0.01 (so layer reads are checkable).
std::unique_ptr<MemoryStore> makeStore(const std::vector<int> &words, int layers = 3, int dims = 4)
{
    std::vector<RowMatrixF> sentences;
    for (size_t s = 0; s < words.size(); ++s) {
        RowMatrixF m(words[s], layers * dims);
        for (int w = 0; w < words[s]; ++w)
            for (int l = 0; l < layers; ++l)
                for (int d = 0; d < dims; ++d)
                    m(w, l * dims + d) = float(s * 100 + w) + 0.5f + 0.01f * float(l);
        sentences.push_back(std::move(m));
    }
    return std::make_unique<MemoryStore>(layers, dims, std::move(sentences));
}

TextColumns cols(const QString &path, const std::vector<QString> &lines)
{
    TextColumns t;
    t.path = path;
    for (const QString &l : lines)
        t.lines.push_back(splitWhitespace(l));
    return t;
}

void expectError(const std::function<void()> &f, const QStringList &fragments)
{
    try {
        f();
    } catch (const Error &e) {
        for (const QString &frag : fragments)
            QVERIFY2(e.message().contains(frag),
                     qPrintable(QStringLiteral("'%1' lacks '%2'").arg(e.message(), frag)));
        return;
    }
    QFAIL("expected salient::Error");
}

void writeBytes(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(bytes);
}

} // namespace

class TestCorpus : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void splitLikePython_data()
    {
        QTest::addColumn<QString>("line");
        QTest::addColumn<QStringList>("expected");
        QTest::newRow("spaces") << QStringLiteral("  a  b c ")
                                << QStringList{QStringLiteral("a"), QStringLiteral("b"),
                                               QStringLiteral("c")};
        QTest::newRow("tab-cr") << QStringLiteral("a\tb\r")
                                << QStringList{QStringLiteral("a"), QStringLiteral("b")};
        QTest::newRow("nbsp-ideographic") << QStringLiteral("a\u00a0b\u3000c\u2009d")
                                          << QStringList{QStringLiteral("a"), QStringLiteral("b"),
                                                         QStringLiteral("c"), QStringLiteral("d")};
        QTest::newRow("unit-separator")
            << QStringLiteral("a\u001fb") << QStringList{QStringLiteral("a"), QStringLiteral("b")};
        QTest::newRow("zero-width-space-is-not-space")
            << QStringLiteral("a\u200bb") << QStringList{QStringLiteral("a\u200bb")};
        QTest::newRow("empty") << QString() << QStringList{};
    }
    void splitLikePython()
    {
        QFETCH(QString, line);
        QFETCH(QStringList, expected);
        QCOMPARE(splitWhitespace(line), expected);
    }

    void readTextColumnsLines()
    {
        QTemporaryDir dir;
        const QString p = dir.filePath(QStringLiteral("t.txt"));
        writeBytes(p, "a b\r\n\nc\xc3\xa9 d\n");
        const TextColumns t = readTextColumns(p);
        QCOMPARE(t.lines.size(), size_t(3)); // trailing newline adds no sentence; empty line kept
        QCOMPARE(t.lines[0], (QStringList{QStringLiteral("a"), QStringLiteral("b")}));
        QVERIFY(t.lines[1].isEmpty());
        QCOMPARE(t.lines[2][0], QStringLiteral("c\u00e9"));
    }

    void readTextColumnsErrors()
    {
        QTemporaryDir dir;
        const QString bad = dir.filePath(QStringLiteral("bad.txt"));
        writeBytes(bad, "ok line\nbad \xff\xfe byte\n");
        expectError([&] { readTextColumns(bad); },
                    {bad + QStringLiteral(":2"), QStringLiteral("invalid UTF-8")});
        expectError([&] { readTextColumns(dir.filePath(QStringLiteral("missing.txt"))); },
                    {QStringLiteral("missing.txt"), QStringLiteral("not found")});
        expectError([&] { readTextColumns(dir.path()); }, {QStringLiteral("not a regular file")});
    }

    void buildAlignsAndSortsLabels()
    {
        auto store = makeStore({2, 3, 1});
        const auto tok =
            cols(QStringLiteral("tok"),
                 {QStringLiteral("a b"), QStringLiteral("c d e"), QStringLiteral("f")});
        const auto lab =
            cols(QStringLiteral("lab"),
                 {QStringLiteral("NN VB"), QStringLiteral("DT NN \u00c9"), QStringLiteral("NN")});
        LabelVocabulary vocab;
        const Dataset ds =
            buildDataset(QStringLiteral("train"), *store, tok, lab, DatasetOptions{}, vocab);
        // Sorted by UTF-8 bytes: "DT" < "NN" < "VB" < "É" (0xC3 0x89).
        QCOMPARE(vocab.names, (QStringList{QStringLiteral("DT"), QStringLiteral("NN"),
                                           QStringLiteral("VB"), QStringLiteral("\u00c9")}));
        QCOMPARE(vocab.majority(), QStringLiteral("NN"));
        QCOMPARE(ds.rows(), Index(6));
        QCOMPARE(ds.neurons(), 12);
        QCOMPARE(ds.y[0], 1);
        QCOMPARE(ds.y[1], 2);
        QCOMPARE(ds.y[4], 3);
        QCOMPARE(ds.X(3, 0), 101.5f); // sentence 1, word 1, layer 0
        QCOMPARE(ds.rowToken[3], QStringLiteral("d"));
        QCOMPARE(ds.rowSentence[5], Index(2));
        QVERIFY(ds.report.mismatches.empty());
    }

    void layerSubsetKeepsGivenOrder()
    {
        auto store = makeStore({2});
        const auto tok = cols(QStringLiteral("tok"), {QStringLiteral("a b")});
        const auto lab = cols(QStringLiteral("lab"), {QStringLiteral("X Y")});
        DatasetOptions o;
        o.layers = {2, 0};
        LabelVocabulary vocab;
        const Dataset ds = buildDataset(QStringLiteral("train"), *store, tok, lab, o, vocab);
        QCOMPARE(ds.neurons(), 8);
        QCOMPARE(ds.X(1, 0), 1.52f);
        QCOMPARE(ds.X(1, 4), 1.5f);
        QCOMPARE(ds.layerIds, (std::vector<int>{2, 0}));
        o.layers = {3};
        vocab = {};
        expectError([&] { buildDataset(QStringLiteral("train"), *store, tok, lab, o, vocab); },
                    {QStringLiteral("layer 3"), QStringLiteral("0..2")});
    }

    void mismatchedLinesAreDroppedAndReported()
    {
        auto store = makeStore({2, 3, 2});
        const auto tok = cols(QStringLiteral("tok"), {QStringLiteral("a b"), QStringLiteral("c d"),
                                                      QStringLiteral("e f")});
        const auto lab = cols(QStringLiteral("lab"),
                              {QStringLiteral("X Y"), QStringLiteral("X Y"), QStringLiteral("X")});
        LabelVocabulary vocab;
        const Dataset ds =
            buildDataset(QStringLiteral("train"), *store, tok, lab, DatasetOptions{}, vocab);
        QCOMPARE(ds.report.mismatches.size(), size_t(2));
        QCOMPARE(ds.report.mismatches[0].line, Index(1));
        QCOMPARE(ds.report.mismatches[0].activationRows, 3);
        QCOMPARE(ds.report.mismatches[0].tokens, 2);
        QCOMPARE(ds.report.mismatches[1].line, Index(2));
        QCOMPARE(ds.report.mismatches[1].labels, 1);
        QCOMPARE(ds.rows(), Index(2));
        QCOMPARE(ds.sentences, (std::vector<Index>{0}));
        // Each dropped line says why; the report knows its files and line count.
        QCOMPARE(ds.report.mismatches[0].reason,
                 QStringLiteral("sentence 1 has 3 rows in the activations, 2 words in the words "
                                "file"));
        QCOMPARE(ds.report.mismatches[1].reason, QStringLiteral("2 words, 1 labels"));
        QCOMPARE(ds.report.wordsFile, QStringLiteral("tok"));
        QCOMPARE(ds.report.labelsFile, QStringLiteral("lab"));
        QCOMPARE(ds.report.lines, Index(3));
        const QString summary = ds.report.mismatchSummary(QStringLiteral("train"));
        QVERIFY2(summary.startsWith(QStringLiteral("train: dropped 2 of 3 lines")),
                 qPrintable(summary));
        QVERIFY2(summary.contains(QStringLiteral("words tok, labels lab"))
                     && summary.contains(QStringLiteral("lines 2 (sentence 1 has 3 rows"))
                     && summary.contains(QStringLiteral("3 (2 words, 1 labels)")),
                 qPrintable(summary));
        QCOMPARE(ds.report.warnings, QStringList{summary});
        DatasetOptions strict;
        strict.maxMismatches = 2;
        vocab = {};
        expectError([&] { buildDataset(QStringLiteral("train"), *store, tok, lab, strict, vocab); },
                    {QStringLiteral("too many mismatched lines"),
                     QStringLiteral("line 2 (sentence 1 has 3 rows in the activations, 2 words")});
    }

    void mismatchSummaryListsTheFirstTen()
    {
        AlignmentReport r;
        r.wordsFile = QStringLiteral("w.txt");
        r.labelsFile = QStringLiteral("l.txt");
        r.activationsFile = QStringLiteral("a.hdf5");
        r.lines = 300;
        QVERIFY(r.mismatchSummary(QStringLiteral("dev")).isEmpty());
        for (Index i = 0; i < 12; ++i)
            r.mismatches.push_back({i * 2, 3, 4, 3, QStringLiteral("4 words, 3 labels")});
        const QString s = r.mismatchSummary(QStringLiteral("dev"));
        QVERIFY2(s.contains(QStringLiteral("dev: dropped 12 of 300 lines")), qPrintable(s));
        QVERIFY2(s.contains(QStringLiteral("lines 1 (4 words, 3 labels), 3 (")), qPrintable(s));
        QVERIFY2(s.contains(QStringLiteral(", 19 (")) && !s.contains(QStringLiteral(", 21 ("))
                     && s.endsWith(QStringLiteral(" and 2 more")),
                 qPrintable(s));
    }

    void trailingEmptyLineIsNamed()
    {
        auto store = makeStore({2, 2});
        const auto tok = cols(QStringLiteral("tokens.txt"),
                              {QStringLiteral("a b"), QStringLiteral("c d"), QString()});
        const auto lab = cols(QStringLiteral("labels.txt"),
                              {QStringLiteral("X Y"), QStringLiteral("X Y"), QString()});
        LabelVocabulary vocab;
        expectError(
            [&] {
                buildDataset(QStringLiteral("train"), *store, tok, lab, DatasetOptions{}, vocab);
            },
            {QStringLiteral("tokens.txt: 3 lines"), QStringLiteral("the last line (3) is empty")});
        const auto tok2 =
            cols(QStringLiteral("tokens.txt"), {QStringLiteral("a b"), QStringLiteral("c d")});
        expectError(
            [&] {
                buildDataset(QStringLiteral("train"), *store, tok2, lab, DatasetOptions{}, vocab);
            },
            {QStringLiteral("labels.txt: 3 lines"), QStringLiteral("the last line (3) is empty")});
    }

    // layerScales: RMS over a layer's neurons of each neuron's population standard deviation.
    void layerScalesAreRmsOfNeuronSds()
    {
        // Layer 0: neuron 0 alternates ±1 (sd 1), neuron 1 alternates 5 ± 3 (sd 3, mean 5).
        // Layer 1: both neurons constant (sd 0). Rows 0..3 in two sentences.
        RowMatrixF a(2, 4), b(2, 4);
        a << 1, 2, 7, 7, -1, 8, 7, 7;
        b << 1, 2, 7, 7, -1, 8, 7, 7;
        MemoryStore store(2, 2, {a, b});
        const auto tok = cols(QStringLiteral("t"), {QStringLiteral("a b"), QStringLiteral("c d")});
        const auto lab = cols(QStringLiteral("l"), {QStringLiteral("X Y"), QStringLiteral("X Y")});
        LabelVocabulary vocab;
        const Dataset ds =
            buildDataset(QStringLiteral("train"), store, tok, lab, DatasetOptions{}, vocab);
        const std::vector<double> s = layerScales(ds);
        QCOMPARE(s.size(), size_t(2));
        QVERIFY2(std::abs(s[0] - std::sqrt((1.0 + 9.0) / 2.0)) < 1e-9,
                 qPrintable(QString::number(s[0])));
        QCOMPARE(s[1], 0.0);
    }

    void lineCountMismatchIsAnError()
    {
        auto store = makeStore({2, 2});
        const auto tok = cols(QStringLiteral("tokens.txt"), {QStringLiteral("a b")});
        const auto lab = cols(QStringLiteral("labels.txt"), {QStringLiteral("X Y")});
        LabelVocabulary vocab;
        expectError(
            [&] {
                buildDataset(QStringLiteral("train"), *store, tok, lab, DatasetOptions{}, vocab);
            },
            {QStringLiteral("tokens.txt"), QStringLiteral("1 lines"),
             QStringLiteral("2 sentences")});
    }

    void unseenDevLabelsMapToMajority()
    {
        auto store = makeStore({3});
        LabelVocabulary vocab;
        buildDataset(QStringLiteral("train"), *store,
                     cols(QStringLiteral("t"), {QStringLiteral("a b c")}),
                     cols(QStringLiteral("l"), {QStringLiteral("A B B")}), DatasetOptions{}, vocab);
        const Dataset dev = buildDataset(
            QStringLiteral("dev"), *store, cols(QStringLiteral("t"), {QStringLiteral("a b c")}),
            cols(QStringLiteral("l"), {QStringLiteral("A Z Z")}), DatasetOptions{}, vocab);
        QCOMPARE(dev.report.unseenLabels.at(QStringLiteral("Z")), Index(2));
        QCOMPARE(dev.report.unseenFallback, QStringLiteral("B"));
        QCOMPARE(dev.y[1], 1);
        QVERIFY(!dev.report.warnings.isEmpty());
        DatasetOptions o;
        o.unseenLabelFallback = QStringLiteral("A");
        const Dataset dev2 = buildDataset(
            QStringLiteral("dev"), *store, cols(QStringLiteral("t"), {QStringLiteral("a b c")}),
            cols(QStringLiteral("l"), {QStringLiteral("A Z Z")}), o, vocab);
        QCOMPARE(dev2.y[1], 0);
    }

    void binarizedTagIsOneOthersZero()
    {
        auto store = makeStore({3});
        DatasetOptions o;
        o.binarizedTag = QStringLiteral("NN");
        LabelVocabulary vocab;
        const Dataset ds = buildDataset(
            QStringLiteral("train"), *store, cols(QStringLiteral("t"), {QStringLiteral("a b c")}),
            cols(QStringLiteral("l"), {QStringLiteral("NN VB DT")}), o, vocab);
        QCOMPARE(vocab.names, (QStringList{QStringLiteral("OTHER"), QStringLiteral("NN")}));
        QCOMPARE(ds.y[0], 1);
        QCOMPARE(ds.y[1], 0);
        QCOMPARE(ds.y[2], 0);
    }

    void balancingIsSeededAndEqualises()
    {
        auto store = makeStore({10});
        DatasetOptions o;
        o.balance = true;
        o.seed = 5;
        const auto tok = cols(QStringLiteral("t"), {QStringLiteral("a b c d e f g h i j")});
        const auto lab = cols(QStringLiteral("l"), {QStringLiteral("A A A A A A B B C C")});
        LabelVocabulary v1, v2, v3;
        const Dataset a = buildDataset(QStringLiteral("train"), *store, tok, lab, o, v1);
        const Dataset b = buildDataset(QStringLiteral("train"), *store, tok, lab, o, v2);
        QCOMPARE(a.rows(), Index(6));
        QCOMPARE(a.report.balancedAway, Index(4));
        QCOMPARE((a.y.array() == 0).count(), Index(2));
        QCOMPARE((a.y.array() == 1).count(), Index(2));
        QCOMPARE(a.rowWord, b.rowWord);
        bool differs = false;
        for (quint64 seed = 6; seed < 16 && !differs; ++seed) {
            o.seed = seed;
            v3 = {};
            differs =
                buildDataset(QStringLiteral("train"), *store, tok, lab, o, v3).rowWord != a.rowWord;
        }
        QVERIFY(differs);
        for (Index r = 0; r < a.rows(); ++r) // rows still carry their own activations
            QCOMPARE(a.X(r, 0), float(a.rowWord[size_t(r)]) + 0.5f);
    }

    void ignoreStartToken()
    {
        auto store = makeStore({3, 2});
        DatasetOptions o;
        o.ignoreStartToken = true;
        LabelVocabulary vocab;
        const Dataset ds = buildDataset(
            QStringLiteral("train"), *store,
            cols(QStringLiteral("t"), {QStringLiteral("[CLS] a b"), QStringLiteral("[CLS] c")}),
            cols(QStringLiteral("l"), {QStringLiteral("S X Y"), QStringLiteral("S X")}), o, vocab);
        QCOMPARE(ds.rows(), Index(3));
        QCOMPARE(ds.X(0, 0), 1.5f);
        QCOMPARE(ds.X(2, 0), 101.5f);
        QCOMPARE(ds.rowToken[0], QStringLiteral("a"));
        QVERIFY(!vocab.names.contains(QStringLiteral("S")));
    }

    void nonFiniteSentencesExcludedByDefault()
    {
        std::vector<RowMatrixF> s(3, RowMatrixF::Ones(2, 4));
        s[1](1, 2) = std::nanf("");
        s[2](0, 0) = INFINITY;
        s[0].row(1).setZero(); // a legitimate "dropped word"
        MemoryStore store(1, 4, s);
        const auto tok = cols(QStringLiteral("t"), {QStringLiteral("a b"), QStringLiteral("c d"),
                                                    QStringLiteral("e f")});
        const auto lab = cols(QStringLiteral("l"), {QStringLiteral("X Y"), QStringLiteral("X Y"),
                                                    QStringLiteral("X Y")});
        LabelVocabulary vocab;
        const Dataset ds =
            buildDataset(QStringLiteral("train"), store, tok, lab, DatasetOptions{}, vocab);
        QCOMPARE(ds.rows(), Index(2));
        QCOMPARE(ds.report.nonFiniteSentences, (std::vector<Index>{1, 2}));
        QCOMPARE(ds.report.nonFiniteRows, Index(2));
        QCOMPARE(ds.report.zeroRows, Index(1));
        QVERIFY(ds.X.allFinite());
        QVERIFY(ds.report.warnings.join(QStringLiteral(" ")).contains(QStringLiteral("NaN/Inf")));
        DatasetOptions keep;
        keep.keepNonFinite = true;
        vocab = {};
        QCOMPARE(buildDataset(QStringLiteral("train"), store, tok, lab, keep, vocab).rows(),
                 Index(6));
    }

    void regressionLabels()
    {
        auto store = makeStore({2});
        DatasetOptions o;
        o.task = TaskType::Regression;
        LabelVocabulary vocab;
        const Dataset ds = buildDataset(
            QStringLiteral("train"), *store, cols(QStringLiteral("t"), {QStringLiteral("a b")}),
            cols(QStringLiteral("l"), {QStringLiteral("1.5 -2e-1")}), o, vocab);
        QCOMPARE(ds.yValue[0], 1.5f);
        QCOMPARE(ds.yValue[1], -0.2f);
        vocab = {};
        expectError(
            [&] {
                buildDataset(QStringLiteral("train"), *store,
                             cols(QStringLiteral("t"), {QStringLiteral("a b")}),
                             cols(QStringLiteral("values.txt"), {QStringLiteral("1.5 high")}), o,
                             vocab);
            },
            {QStringLiteral("values.txt:1"), QStringLiteral("'high'"),
             QStringLiteral("not a finite number")});
    }

    void sentenceClassification()
    {
        auto store = makeStore({1, 1, 2});
        DatasetOptions o;
        o.sentenceClassification = true;
        LabelVocabulary vocab;
        const Dataset ds = buildDataset(
            QStringLiteral("train"), *store,
            cols(QStringLiteral("t"),
                 {QStringLiteral("good film"), QStringLiteral("bad"), QStringLiteral("x y")}),
            cols(QStringLiteral("l"),
                 {QStringLiteral("pos"), QStringLiteral("neg"), QStringLiteral("pos")}),
            o, vocab);
        QCOMPARE(ds.rows(), Index(2));
        QCOMPARE(ds.report.mismatches.size(), size_t(1)); // record 2 has 2 rows
        QCOMPARE(ds.rowToken[0], QStringLiteral("good film"));
    }

    void noUsableSentences()
    {
        auto store = makeStore({2});
        LabelVocabulary vocab;
        expectError(
            [&] {
                buildDataset(QStringLiteral("train"), *store,
                             cols(QStringLiteral("t"), {QStringLiteral("a")}),
                             cols(QStringLiteral("l"), {QStringLiteral("X")}), DatasetOptions{},
                             vocab);
            },
            {QStringLiteral("no usable sentences")});
    }
};

QTEST_GUILESS_MAIN(TestCorpus)
#include "tst_corpus.moc"
