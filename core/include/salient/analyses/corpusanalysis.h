#pragma once
// One neuron against the corpus (spec/NEUROX.md §13): its top words, its mean activation per gold
// label, and the sentences that activate it most.
//
// A neuron is a dataset column 0..neurons−1 (see experiment.h). All statistics are computed in
// double precision from the float32 activations. Ties are broken deterministically: word types
// by UTF-8 byte order of the type, sentences by ascending record index.
#include "salient/data/corpus.h"

#include <QString>
#include <QStringList>
#include <vector>

namespace salient {

/// Options of topWords (spec §13.2).
struct TopWordsOptions {
    /// Keep types whose normalised score is strictly greater than this (NeuroX min_threshold,
    /// default 0.1). Must be finite.
    double threshold = 0.1;
    /// At most this many words (0 = no cap; NeuroX num_tokens). Salient allows threshold and cap
    /// together; NeuroX raises ValueError when both are passed.
    int maxWords = 0;
    /// Word types seen fewer than this many times are left out before the scores are normalised
    /// (a type seen once is an anecdote, not a pattern). 1 (the default) keeps every type, as
    /// NeuroX does; the GUI and `salient-cli neuron` default to 3. Must be >= 1.
    int minCount = 1;
};

struct TopWord {
    QString word;        ///< the word type (token text as is, case-sensitive)
    double score = 0;    ///< mean |z| of the type divided by the maximum type score, in (0, 1]
    double meanAbsZ = 0; ///< mean |z| of the type before normalisation
    double meanActivation = 0; ///< signed mean activation of the type (tells + from − extremes)
    Index count = 0;           ///< tokens of the type
};

/**
 * get_top_words (spec §13.1): z = |(a − mean) / std| over all given tokens (population std),
 * averaged per word type; types with fewer than options.minCount tokens are dropped; the rest
 * divided by the maximum remaining type score; types with score > threshold,
 * sorted by score descending (ties: type name bytes ascending), capped at maxWords when > 0.
 * A neuron with zero variance (all activations equal) has no top words.
 * @p tokens and @p activations must have the same length. Throws salient::Error on invalid
 * options or lengths.
 */
std::vector<TopWord> topWords(const std::vector<QString> &tokens,
                              const Eigen::Ref<const VectorF> &activations,
                              const TopWordsOptions &options = {});
/// The same for column @p column of @p ds (tokens from Dataset::rowToken).
std::vector<TopWord> topWords(const Dataset &ds, int column, const TopWordsOptions &options = {});

/// Activation statistics of one gold label.
struct LabelActivation {
    int label = 0; ///< class index (into LabelVocabulary::names)
    QString name;
    Index count = 0;   ///< tokens with this gold label in the dataset
    double mean = 0;   ///< NaN when count == 0
    double stddev = 0; ///< population std; NaN when count == 0
};
/// One entry per vocabulary label, in vocabulary order (labels without tokens have count 0 and
/// NaN statistics). Throws salient::Error when y is missing or holds an index outside the
/// vocabulary, or @p column is out of range.
std::vector<LabelActivation> labelActivations(const Dataset &ds, int column,
                                              const LabelVocabulary &vocab);

/// How a sentence is scored in topSentences.
enum class SentenceScore {
    Max,    ///< maximum activation over its tokens (default)
    MaxAbs, ///< maximum |activation| over its tokens (either sign)
    /// minimum activation over its tokens; the sentences with the LOWEST minimum come first (the
    /// most negative sentences), and score is that minimum
    Min,
};

struct TopSentencesOptions {
    int count = 10; ///< sentences to return (>= 1)
    SentenceScore score = SentenceScore::Max;
};

struct SentenceActivation {
    Index sentence = 0;             ///< record index (line of the token file, 0-based)
    double score = 0;               ///< per TopSentencesOptions::score
    int peak = 0;                   ///< position in tokens of the (first) token reaching the score
    QStringList tokens;             ///< the sentence's rows in row order
    std::vector<int> words;         ///< word position of each token (Dataset::rowWord)
    std::vector<float> activations; ///< the neuron's activation for each token
};
/// The @p options.count sentences with the highest score, descending (SentenceScore::Min: the
/// lowest minimum, ascending; ties: lower record index first). Rows are grouped by
/// Dataset::rowSentence. Throws salient::Error on invalid options, column out of range, or missing
/// per-row metadata.
std::vector<SentenceActivation> topSentences(const Dataset &ds, int column,
                                             const TopSentencesOptions &options = {});

struct NeuronProfileOptions {
    TopWordsOptions words;
    TopSentencesOptions sentences;
    /// Most negative sentences (SentenceScore::Min) to list besides options.sentences; 0 = none.
    int negativeSentences = 0;
};

/// Everything above for one neuron.
struct NeuronProfile {
    int column = 0;
    int flatNeuron = 0; ///< the file's flat index (= column when the layer map is unknown)
    Index rows = 0;
    double mean = 0;   ///< over all rows
    double stddev = 0; ///< population std over all rows
    float min = 0, max = 0;
    std::vector<TopWord> topWords;
    std::vector<LabelActivation> labels; ///< empty when no vocabulary was given
    std::vector<SentenceActivation> sentences;
    /// The most negative sentences (lowest minimum activation first); empty unless
    /// NeuronProfileOptions::negativeSentences > 0.
    std::vector<SentenceActivation> negativeSentences;
};
/// Profile of column @p column of @p ds; @p vocab may be null (no per-label statistics).
NeuronProfile neuronProfile(const Dataset &ds, int column, const LabelVocabulary *vocab,
                            const NeuronProfileOptions &options = {});

} // namespace salient
