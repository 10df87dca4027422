#include "salient/analyses/corpusanalysis.h"
#include "salient/probe/neuronid.h"

#include "salient/util/error.h"

#include <QByteArray>
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <unordered_map>

namespace salient {

namespace {

void checkColumn(const Dataset &ds, int column, const char *what)
{
    if (column < 0 || column >= ds.neurons())
        throw Error(QStringLiteral("%1: neuron column %2 is out of range; the %3 split has "
                                   "columns 0..%4")
                        .arg(QString::fromLatin1(what))
                        .arg(column)
                        .arg(ds.name)
                        .arg(ds.neurons() - 1));
}

void checkTopWordsOptions(const TopWordsOptions &o)
{
    if (!std::isfinite(o.threshold))
        throw Error(QStringLiteral("top words: the threshold must be a finite number"));
    if (o.maxWords < 0)
        throw Error(QStringLiteral("top words: the word cap must be >= 0 (0 = no cap), got %1")
                        .arg(o.maxWords));
    if (o.minCount < 1)
        throw Error(
            QStringLiteral("top words: the minimum count must be >= 1, got %1").arg(o.minCount));
}

VectorF columnOf(const Dataset &ds, int column)
{
    return ds.denseX("neuron profiles").col(column);
}

struct TypeAccumulator {
    double sumAbsZ = 0;
    double sumActivation = 0;
    Index count = 0;
};

} // namespace

std::vector<TopWord> topWords(const std::vector<QString> &tokens,
                              const Eigen::Ref<const VectorF> &activations,
                              const TopWordsOptions &options)
{
    checkTopWordsOptions(options);
    if (Index(tokens.size()) != activations.size())
        throw Error(QStringLiteral("top words: %1 tokens but %2 activations")
                        .arg(tokens.size())
                        .arg(activations.size()));
    const Index n = activations.size();
    if (n == 0)
        return {};
    // Zero variance (min == max) → no top words. Checked exactly rather than via std == 0, which
    // rounding could miss for constant non-representable values.
    if (activations.minCoeff() == activations.maxCoeff())
        return {};
    double sum = 0;
    for (Index i = 0; i < n; ++i)
        sum += double(activations[i]);
    const double mean = sum / double(n);
    double ss = 0;
    for (Index i = 0; i < n; ++i) {
        const double d = double(activations[i]) - mean;
        ss += d * d;
    }
    const double sd = std::sqrt(ss / double(n)); // population std (numpy's default)
    if (!(sd > 0) || !std::isfinite(sd))
        return {};

    std::unordered_map<QString, TypeAccumulator> types;
    for (Index i = 0; i < n; ++i) {
        TypeAccumulator &t = types[tokens[std::size_t(i)]];
        t.sumAbsZ += std::abs((double(activations[i]) - mean) / sd);
        t.sumActivation += double(activations[i]);
        ++t.count;
    }
    std::vector<TopWord> all;
    all.reserve(types.size());
    double maxScore = 0;
    for (const auto &[word, t] : types) {
        if (t.count < Index(options.minCount))
            continue;
        TopWord w;
        w.word = word;
        w.count = t.count;
        w.meanAbsZ = t.sumAbsZ / double(t.count);
        w.meanActivation = t.sumActivation / double(t.count);
        maxScore = std::max(maxScore, w.meanAbsZ);
        all.push_back(std::move(w));
    }
    if (!(maxScore > 0))
        return {};

    std::vector<TopWord> kept;
    std::vector<QByteArray> keys;
    for (TopWord &w : all) {
        w.score = w.meanAbsZ / maxScore;
        if (w.score > options.threshold) // strict, as NeuroX
            kept.push_back(std::move(w));
    }
    // Sort with precomputed UTF-8 keys for the tie rule.
    std::vector<std::size_t> idx(kept.size());
    keys.reserve(kept.size());
    for (std::size_t i = 0; i < kept.size(); ++i) {
        idx[i] = i;
        keys.push_back(kept[i].word.toUtf8());
    }
    std::sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) {
        if (kept[a].score != kept[b].score)
            return kept[a].score > kept[b].score;
        return keys[a] < keys[b];
    });
    std::size_t limit = idx.size();
    if (options.maxWords > 0)
        limit = std::min(limit, std::size_t(options.maxWords));
    std::vector<TopWord> out;
    out.reserve(limit);
    for (std::size_t i = 0; i < limit; ++i)
        out.push_back(std::move(kept[idx[i]]));
    return out;
}

std::vector<TopWord> topWords(const Dataset &ds, int column, const TopWordsOptions &options)
{
    checkTopWordsOptions(options);
    checkColumn(ds, column, "top words");
    if (Index(ds.rowToken.size()) != ds.rows())
        throw Error(QStringLiteral("top words: the %1 split has %2 tokens for %3 rows")
                        .arg(ds.name)
                        .arg(ds.rowToken.size())
                        .arg(ds.rows()));
    return topWords(ds.rowToken, columnOf(ds, column), options);
}

std::vector<LabelActivation> labelActivations(const Dataset &ds, int column,
                                              const LabelVocabulary &vocab)
{
    checkColumn(ds, column, "label activations");
    if (ds.y.size() != ds.rows())
        throw Error(QStringLiteral("label activations: the %1 split has %2 labels for %3 rows "
                                   "(a classification task is needed)")
                        .arg(ds.name)
                        .arg(ds.y.size())
                        .arg(ds.rows()));
    const int K = vocab.size();
    std::vector<double> sum(std::size_t(K), 0.0);
    std::vector<Index> count(std::size_t(K), 0);
    for (Index i = 0; i < ds.rows(); ++i) {
        const int c = ds.y[i];
        if (c < 0 || c >= K)
            throw Error(QStringLiteral("label activations: row %1 of the %2 split has class %3; "
                                       "the vocabulary has %4 labels")
                            .arg(i)
                            .arg(ds.name)
                            .arg(c)
                            .arg(K));
        sum[std::size_t(c)] += double(ds.denseX("neuron profiles")(i, column));
        ++count[std::size_t(c)];
    }
    std::vector<double> ss(std::size_t(K), 0.0);
    for (Index i = 0; i < ds.rows(); ++i) {
        const auto c = std::size_t(ds.y[i]);
        const double d =
            double(ds.denseX("neuron profiles")(i, column)) - sum[c] / double(count[c]);
        ss[c] += d * d;
    }
    std::vector<LabelActivation> out(static_cast<std::size_t>(K));
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (int c = 0; c < K; ++c) {
        LabelActivation &l = out[std::size_t(c)];
        l.label = c;
        l.name = vocab.names[c];
        l.count = count[std::size_t(c)];
        l.mean = l.count > 0 ? sum[std::size_t(c)] / double(l.count) : nan;
        l.stddev = l.count > 0 ? std::sqrt(ss[std::size_t(c)] / double(l.count)) : nan;
    }
    return out;
}

std::vector<SentenceActivation> topSentences(const Dataset &ds, int column,
                                             const TopSentencesOptions &options)
{
    if (options.count < 1)
        throw Error(
            QStringLiteral("top sentences: the count must be >= 1, got %1").arg(options.count));
    checkColumn(ds, column, "top sentences");
    const auto rows = std::size_t(ds.rows());
    if (ds.rowSentence.size() != rows || ds.rowToken.size() != rows)
        throw Error(QStringLiteral("top sentences: the %1 split lacks per-row sentence indices or "
                                   "tokens (%2 / %3 for %4 rows)")
                        .arg(ds.name)
                        .arg(ds.rowSentence.size())
                        .arg(ds.rowToken.size())
                        .arg(ds.rows()));
    const bool hasWords = ds.rowWord.size() == rows;

    // Rows per sentence, in row order (rows of a sentence need not be contiguous).
    std::map<Index, std::vector<Index>> groups;
    for (std::size_t i = 0; i < rows; ++i)
        groups[ds.rowSentence[i]].push_back(Index(i));

    struct Scored {
        Index sentence;
        double score;
        int peak;
    };
    std::vector<Scored> scored;
    scored.reserve(groups.size());
    for (const auto &[sentence, members] : groups) {
        double best = -std::numeric_limits<double>::infinity();
        int peak = 0;
        for (std::size_t k = 0; k < members.size(); ++k) {
            const double a = double(ds.denseX("neuron profiles")(members[k], column));
            // Min ranks by −a so that the largest value is the most negative activation.
            const double v = options.score == SentenceScore::MaxAbs ? std::abs(a)
                             : options.score == SentenceScore::Min  ? -a
                                                                    : a;
            if (v > best) { // first token reaching the maximum
                best = v;
                peak = int(k);
            }
        }
        scored.push_back({sentence, best, peak});
    }
    // NaN activations sort last (comparisons with NaN are false; treat as −∞).
    const auto key = [](double s) {
        return std::isnan(s) ? -std::numeric_limits<double>::infinity() : s;
    };
    const std::size_t n = std::min(scored.size(), std::size_t(options.count));
    std::partial_sort(scored.begin(), scored.begin() + std::ptrdiff_t(n), scored.end(),
                      [&](const Scored &a, const Scored &b) {
                          if (key(a.score) != key(b.score))
                              return key(a.score) > key(b.score);
                          return a.sentence < b.sentence;
                      });
    std::vector<SentenceActivation> out;
    out.reserve(n);
    for (std::size_t s = 0; s < n; ++s) {
        SentenceActivation sa;
        sa.sentence = scored[s].sentence;
        sa.score = options.score == SentenceScore::Min ? -scored[s].score : scored[s].score;
        sa.peak = scored[s].peak;
        for (Index r : groups[sa.sentence]) {
            sa.tokens.push_back(ds.rowToken[std::size_t(r)]);
            sa.words.push_back(hasWords ? ds.rowWord[std::size_t(r)] : int(sa.words.size()));
            sa.activations.push_back(ds.denseX("neuron profiles")(r, column));
        }
        out.push_back(std::move(sa));
    }
    return out;
}

NeuronProfile neuronProfile(const Dataset &ds, int column, const LabelVocabulary *vocab,
                            const NeuronProfileOptions &options)
{
    checkTopWordsOptions(options.words);
    if (options.sentences.count < 1)
        throw Error(QStringLiteral("neuron profile: the sentence count must be >= 1, got %1")
                        .arg(options.sentences.count));
    if (options.negativeSentences < 0)
        throw Error(QStringLiteral("neuron profile: the negative sentence count must be >= 0 "
                                   "(0 = none), got %1")
                        .arg(options.negativeSentences));
    checkColumn(ds, column, "neuron profile");

    NeuronProfile p;
    p.column = column;
    const NeuronLayout layout = NeuronLayout::of(ds);
    p.flatNeuron = layout.columns() == ds.neurons() ? layout.flatIndex(column) : column;
    p.rows = ds.rows();
    if (p.rows > 0) {
        const VectorF a = columnOf(ds, column);
        double sum = 0;
        for (Index i = 0; i < a.size(); ++i)
            sum += double(a[i]);
        p.mean = sum / double(a.size());
        double ss = 0;
        for (Index i = 0; i < a.size(); ++i)
            ss += (double(a[i]) - p.mean) * (double(a[i]) - p.mean);
        p.stddev = std::sqrt(ss / double(a.size()));
        p.min = a.minCoeff();
        p.max = a.maxCoeff();
    }
    p.topWords = topWords(ds, column, options.words);
    if (vocab)
        p.labels = labelActivations(ds, column, *vocab);
    p.sentences = topSentences(ds, column, options.sentences);
    if (options.negativeSentences > 0) {
        TopSentencesOptions negative;
        negative.count = options.negativeSentences;
        negative.score = SentenceScore::Min;
        p.negativeSentences = topSentences(ds, column, negative);
    }
    return p;
}

} // namespace salient
