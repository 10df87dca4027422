// Tests of the per-neuron corpus analysis (spec/NEUROX.md §13): top words, per-label activation,
// most activating sentences. Expected values are worked out by hand in the comments.
#include "salient/analyses/corpusanalysis.h"
#include "salient/data/demo.h"
#include "salient/data/task.h"
#include "salient/probe/neuronid.h"
#include "salient/util/error.h"

#include <QtTest>

#include <algorithm>
#include <cmath>
#include <map>

using namespace salient;

namespace {

/// A hand-made split: sentence s holds the rows listed for it, in order.
Dataset makeSplit(const RowMatrixF &X, const VectorI &y, const std::vector<QString> &tokens,
                  const std::vector<Index> &rowSentence)
{
    Dataset ds;
    ds.name = QStringLiteral("train");
    ds.layers = 1;
    ds.dims = int(X.cols());
    ds.layerIds = {0};
    ds.X = X;
    ds.y = y;
    ds.rowToken = tokens;
    ds.rowSentence = rowSentence;
    std::map<Index, int> position;
    for (Index s : rowSentence)
        ds.rowWord.push_back(position[s]++);
    for (const auto &[s, n] : position) {
        Q_UNUSED(n);
        ds.sentences.push_back(s);
    }
    return ds;
}

QStringList split(const char *text)
{
    return QString::fromLatin1(text).split(QLatin1Char(' '));
}

std::vector<QString> toVector(const QStringList &l)
{
    return {l.begin(), l.end()};
}

VectorF vec(std::initializer_list<float> v)
{
    VectorF out(Index(v.size()));
    Index i = 0;
    for (float x : v)
        out[i++] = x;
    return out;
}

} // namespace

class TestCorpusAnalysis : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void neuronFiringOnOneTypeHasItAsTopWord()
    {
        // "cat" fires (5), every other token 0. n = 8, 2 cats: mean 1.25, population std
        // sqrt((2·3.75² + 6·1.25²)/8) = sqrt(4.6875) = 2.1651. |z|: cat 1.7321, others 0.5774.
        // Normalised: cat 1, others 1/3 (> 0.1, kept with the default threshold).
        const std::vector<QString> tokens = toVector(split("the cat sat on the mat a cat"));
        const VectorF a = vec({0, 5, 0, 0, 0, 0, 0, 5});
        const std::vector<TopWord> w = topWords(tokens, a);
        QCOMPARE(int(w.size()), 6);
        QCOMPARE(w[0].word, QStringLiteral("cat"));
        QCOMPARE(w[0].score, 1.0);
        QCOMPARE(w[0].count, Index(2));
        QCOMPARE(w[0].meanActivation, 5.0);
        QVERIFY(std::abs(w[0].meanAbsZ - std::sqrt(3.0)) < 1e-12);
        // Ties at 1/3 are broken by type bytes: a, mat, on, sat, the.
        QStringList rest;
        for (std::size_t i = 1; i < w.size(); ++i) {
            rest << w[i].word;
            QVERIFY(std::abs(w[i].score - 1.0 / 3.0) < 1e-12);
        }
        QCOMPARE(rest, split("a mat on sat the"));
        QCOMPARE(w[5].count, Index(2)); // "the"
    }

    void thresholdIsStrictAndCapWorks()
    {
        const std::vector<QString> tokens = toVector(split("the cat sat on the mat a cat"));
        const VectorF a = vec({0, 5, 0, 0, 0, 0, 0, 5});
        TopWordsOptions o;
        // The other types score 1/3 up to rounding: use the exact value topWords reports.
        const double other = topWords(tokens, a)[1].score;
        o.threshold = other;
        std::vector<TopWord> w = topWords(tokens, a, o);
        QCOMPARE(int(w.size()), 1); // strict >
        QCOMPARE(w[0].word, QStringLiteral("cat"));
        o.threshold = std::nextafter(other, 0.0);
        QCOMPARE(int(topWords(tokens, a, o).size()), 6);
        o.threshold = 1.0;
        QVERIFY(topWords(tokens, a, o).empty()); // even the best (1.0) is not > 1
        o.threshold = 0.1;
        o.maxWords = 3;
        w = topWords(tokens, a, o);
        QCOMPARE(int(w.size()), 3);
        QCOMPARE(w[2].word, QStringLiteral("mat"));
        o.maxWords = -1;
        QVERIFY_THROWS_EXCEPTION(Error, topWords(tokens, a, o));
        o.maxWords = 0;
        o.threshold = std::nan("");
        QVERIFY_THROWS_EXCEPTION(Error, topWords(tokens, a, o));
        QVERIFY_THROWS_EXCEPTION(Error, topWords(tokens, vec({1, 2}), TopWordsOptions{}));
    }

    void signedMeanTellsNegativeExtremes()
    {
        // "no" fires −4, "yes" +1, others 0: mean −7/6, so |z| ranks "no" (dev 17/6) before
        // "yes" (13/6, score 13/17) and the rest (7/6); the signed means tell the signs apart.
        const std::vector<QString> tokens = toVector(split("no yes x y z no"));
        const VectorF a = vec({-4, 1, 0, 0, 0, -4});
        const std::vector<TopWord> w = topWords(tokens, a);
        QCOMPARE(w[0].word, QStringLiteral("no"));
        QCOMPARE(w[0].meanActivation, -4.0);
        QCOMPARE(w[1].word, QStringLiteral("yes"));
        QCOMPARE(w[1].meanActivation, 1.0);
        QVERIFY(std::abs(w[1].score - 13.0 / 17.0) < 1e-9);
    }

    void zeroVarianceHasNoTopWords()
    {
        const std::vector<QString> tokens = toVector(split("a b c d"));
        QVERIFY(topWords(tokens, vec({0.1f, 0.1f, 0.1f, 0.1f})).empty());
        QVERIFY(topWords(tokens, vec({0, 0, 0, 0})).empty());
        QVERIFY(topWords({}, VectorF()).empty());
    }

    void datasetColumnAndLabelMeans()
    {
        // 2 sentences; column 0 = gold-label signal, column 1 = constant.
        // Labels: A = {1, 3} (mean 2, std 1), B = {10} (mean 10, std 0), C absent.
        RowMatrixF X(3, 2);
        // clang-format off
        X << 1, 7,
             10, 7,
             3, 7;
        // clang-format on
        VectorI y(3);
        y << 0, 1, 0;
        const Dataset ds = makeSplit(X, y, toVector(split("x y x")), {0, 0, 1});
        LabelVocabulary vocab;
        vocab.names = split("A B C");
        const std::vector<LabelActivation> l = labelActivations(ds, 0, vocab);
        QCOMPARE(int(l.size()), 3);
        QCOMPARE(l[0].name, QStringLiteral("A"));
        QCOMPARE(l[0].count, Index(2));
        QCOMPARE(l[0].mean, 2.0);
        QCOMPARE(l[0].stddev, 1.0);
        QCOMPARE(l[1].mean, 10.0);
        QCOMPARE(l[1].stddev, 0.0);
        QCOMPARE(l[2].count, Index(0));
        QVERIFY(std::isnan(l[2].mean));
        QVERIFY(topWords(ds, 1).empty());
        const std::vector<TopWord> w = topWords(ds, 0);
        QCOMPARE(w[0].word, QStringLiteral("y"));
        QVERIFY_THROWS_EXCEPTION(Error, topWords(ds, 2));
        LabelVocabulary small;
        small.names = split("A");
        QVERIFY_THROWS_EXCEPTION(Error, labelActivations(ds, 0, small));
    }

    void topSentencesOrder()
    {
        // Sentence 0: 1 5 2   → max 5,  max|a| 5
        // Sentence 1: −9 0    → max 0,  max|a| 9
        // Sentence 2: 5 1     → max 5 (tie with 0: lower index first), max|a| 5
        // Sentence 3: 3       → max 3
        // Rows of sentence 2 are interleaved with sentence 3 to check grouping.
        RowMatrixF X(8, 1);
        X << 1, 5, 2, -9, 0, 5, 3, 1;
        const std::vector<Index> sent{0, 0, 0, 1, 1, 2, 3, 2};
        const Dataset ds = makeSplit(X, VectorI::Zero(8), toVector(split("a b c d e f g h")), sent);
        TopSentencesOptions o;
        o.count = 3;
        std::vector<SentenceActivation> s = topSentences(ds, 0, o);
        QCOMPARE(int(s.size()), 3);
        QCOMPARE(s[0].sentence, Index(0));
        QCOMPARE(s[0].score, 5.0);
        QCOMPARE(s[0].peak, 1);
        QCOMPARE(s[0].tokens, split("a b c"));
        QCOMPARE(s[0].activations, std::vector<float>({1, 5, 2}));
        QCOMPARE(s[0].words, std::vector<int>({0, 1, 2}));
        QCOMPARE(s[1].sentence, Index(2));
        QCOMPARE(s[1].tokens, split("f h"));
        QCOMPARE(s[1].peak, 0);
        QCOMPARE(s[2].sentence, Index(3));
        o.score = SentenceScore::MaxAbs;
        o.count = 10;
        s = topSentences(ds, 0, o);
        QCOMPARE(int(s.size()), 4);
        QCOMPARE(s[0].sentence, Index(1));
        QCOMPARE(s[0].score, 9.0);
        QCOMPARE(s[1].sentence, Index(0));
        QCOMPARE(s[2].sentence, Index(2));
        QCOMPARE(s[3].sentence, Index(3));
        o.count = 0;
        QVERIFY_THROWS_EXCEPTION(Error, topSentences(ds, 0, o));

        // Min: by the lowest minimum, ascending; score = that minimum.
        // Minima: s0 1 (row 0), s1 −9, s2 1 (row 7), s3 3 → order 1, 0, 2 (tie: lower first), 3.
        o.score = SentenceScore::Min;
        o.count = 10;
        s = topSentences(ds, 0, o);
        QCOMPARE(int(s.size()), 4);
        QCOMPARE(s[0].sentence, Index(1));
        QCOMPARE(s[0].score, -9.0);
        QCOMPARE(s[0].peak, 0);
        QCOMPARE(s[1].sentence, Index(0));
        QCOMPARE(s[1].score, 1.0);
        QCOMPARE(s[2].sentence, Index(2));
        QCOMPARE(s[2].peak, 1);
        QCOMPARE(s[3].sentence, Index(3));
    }

    // Issue 12 item 3: top words dominated by types seen once ("arm ×1"). minCount drops them
    // before normalisation, so the remaining scores are relative to the eligible types.
    void topWordsMinCount()
    {
        // Tokens: "r" once with a huge activation, "a" ×3 high, "b" ×3 low, "c" ×2 high.
        const std::vector<QString> tokens = toVector(split("r a a a b b b c c"));
        const VectorF a = vec({100, 5, 5, 5, 0, 0, 0, 5, 5});
        TopWordsOptions o;
        o.threshold = 0;
        std::vector<TopWord> all = topWords(tokens, a, o);
        QCOMPARE(all.front().word, QStringLiteral("r")); // NeuroX: the once-seen type first
        QCOMPARE(all.front().count, Index(1));
        o.minCount = 3;
        std::vector<TopWord> w = topWords(tokens, a, o);
        QCOMPARE(int(w.size()), 2);
        for (const TopWord &t : w)
            QVERIFY2(t.count >= 3, qPrintable(t.word));
        // The best eligible type is normalised to 1 (not to r's score).
        QCOMPARE(w.front().score, 1.0);
        o.minCount = 2;
        QCOMPARE(int(topWords(tokens, a, o).size()), 3);
        o.minCount = 4;
        QVERIFY(topWords(tokens, a, o).empty());
        o.minCount = 0;
        QVERIFY_THROWS_EXCEPTION(Error, topWords(tokens, a, o));
    }

    // Issue 12 item 3: the most negative sentences of a demo neuron are those with the lowest
    // minimum activation (checked against a brute-force pass over every sentence).
    void negativeSentencesOnDemo()
    {
        const DemoDataset demo = makeDemoDataset();
        const LoadedTask task = loadDemoTask(demo, QStringLiteral("pos"), DatasetOptions{});
        const Dataset &ds = *task.train;
        QVERIFY(!demo.planted.empty());
        const PlantedNeuron &planted = demo.planted.front();
        const int column = NeuronLayout::of(ds).columnOfFlatIndex(planted.flat(ds.dims));
        QVERIFY(column >= 0);
        NeuronProfileOptions o;
        o.sentences.count = 5;
        o.negativeSentences = 5;
        o.words.minCount = 3;
        const NeuronProfile p = neuronProfile(ds, column, &task.vocab, o);
        QCOMPARE(int(p.negativeSentences.size()), 5);
        std::map<Index, double> minOf;
        for (Index r = 0; r < ds.rows(); ++r) {
            const double v = double(ds.X(r, column));
            auto [it, fresh] = minOf.emplace(ds.rowSentence[std::size_t(r)], v);
            if (!fresh)
                it->second = std::min(it->second, v);
        }
        std::vector<std::pair<double, Index>> sorted;
        for (const auto &[s, m] : minOf)
            sorted.emplace_back(m, s);
        std::sort(sorted.begin(), sorted.end());
        QVERIFY(sorted.front().first < 0); // the demo neuron does go negative
        for (int i = 0; i < 5; ++i) {
            QCOMPARE(p.negativeSentences[std::size_t(i)].sentence, sorted[std::size_t(i)].second);
            QCOMPARE(p.negativeSentences[std::size_t(i)].score, sorted[std::size_t(i)].first);
            const auto &acts = p.negativeSentences[std::size_t(i)].activations;
            QCOMPARE(double(*std::min_element(acts.begin(), acts.end())),
                     sorted[std::size_t(i)].first);
        }
        // The positive list is a different, highest-first list.
        QVERIFY(p.sentences.front().score > p.negativeSentences.front().score);
        for (const TopWord &w : p.topWords)
            QVERIFY2(w.count >= 3, qPrintable(w.word));
        o.negativeSentences = -1;
        QVERIFY_THROWS_EXCEPTION(Error, neuronProfile(ds, column, &task.vocab, o));
    }

    void profileCombinesEverything()
    {
        RowMatrixF X(4, 3);
        // clang-format off
        X << 0, 0, 1,
             0, 0, 2,
             0, 0, 3,
             0, 0, 10;
        // clang-format on
        VectorI y(4);
        y << 0, 0, 1, 1;
        Dataset ds = makeSplit(X, y, toVector(split("a b a c")), {0, 0, 1, 1});
        ds.layers = 3;
        ds.dims = 1;
        ds.layerIds = {0, 2, 5};
        LabelVocabulary vocab;
        vocab.names = split("N V");
        NeuronProfileOptions o;
        o.sentences.count = 1;
        const NeuronProfile p = neuronProfile(ds, 2, &vocab, o);
        QCOMPARE(p.column, 2);
        QCOMPARE(p.flatNeuron, 5);
        QCOMPARE(p.rows, Index(4));
        QCOMPARE(p.mean, 4.0);
        QCOMPARE(p.min, 1.0f);
        QCOMPARE(p.max, 10.0f);
        QCOMPARE(p.topWords[0].word, QStringLiteral("c"));
        QCOMPARE(int(p.labels.size()), 2);
        QCOMPARE(p.labels[1].mean, 6.5);
        QCOMPARE(int(p.sentences.size()), 1);
        QCOMPARE(p.sentences[0].sentence, Index(1));
        QVERIFY(neuronProfile(ds, 0, nullptr).labels.empty());
        QVERIFY_THROWS_EXCEPTION(Error, neuronProfile(ds, 3, nullptr));
    }
};

QTEST_GUILESS_MAIN(TestCorpusAnalysis)
#include "tst_corpusanalysis.moc"
