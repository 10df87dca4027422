#pragma once
// Per-word activations from a model, exactly as NeuroX's transformers_extractor writes them
// (spec/MODELS.md §5, spec/NEUROX.md §1–2): word alignment through context strings, first / last /
// average aggregation, truncation, NeuroX HDF5 files (optionally one per layer), streamed to disk
// and resumable after an interruption.
//
// Threads: extractActivations() runs on the calling thread (a worker, never the GUI thread) and
// uses ExtractOptions::threads cores for the forward passes; progress is called on that thread.
#include "salient/io/activationstore.h"
#include "salient/model/tokenizer.h"
#include "salient/model/transformer.h"

#include <QString>
#include <QStringList>
#include <functional>
#include <unordered_map>
#include <vector>

namespace salient::model {

enum class Aggregation { First, Last, Average };
QString aggregationName(Aggregation a);         // "first", "last", "average"
Aggregation parseAggregation(const QString &s); // throws salient::Error naming the choices

/// How one input line maps onto the model's tokens (MODELS.md §5 steps 1–4 and 6).
struct SentenceAlignment {
    QStringList words;          ///< line.split(' ') — NeuroX's words, empty strings included
    std::vector<int> ids;       ///< encode(line, truncation=True), special tokens included
    std::vector<int> positions; ///< indices into ids of the non-dropped tokens (T' of them)
    std::vector<int> counts;    ///< per word: subword count from its context string
    std::vector<int> starts;    ///< per kept word: first index into positions
    int keptWords = 0;          ///< words before the truncation point
    bool truncated = false;     ///< keptWords < words.size()
    QStringList wordKeys;       ///< per kept word: its tokens concatenated ("" for 0 subwords)
    QString key() const { return wordKeys.join(QLatin1Char(' ')); }
};

/**
 * Aligns lines with NeuroX's rules. Counts are cached by context string for the aligner's life,
 * as NeuroX caches them for a corpus. Not thread-safe (the cache); one per extraction.
 */
class WordAligner {
public:
    explicit WordAligner(const Tokenizer &tokenizer);
    SentenceAlignment align(const QString &line);

private:
    int count(const QString &context, int extra);
    const Tokenizer &m_tok;
    std::vector<int> m_dropped;
    std::unordered_map<QString, int> m_cache;
};

/**
 * Word vectors of one sentence: words × (layers.size() · hidden), row-major, layer-major blocks
 * (the NeuroxHdf5Writer layout), from the model's stack @p states (l = 0..L, T × hidden each).
 * @p layers are stack indices in output order. With @p roundToHalf every token vector is rounded to
 * binary16 before aggregation (NeuroX's --dtype float16).
 */
RowMatrixF aggregateWords(const SentenceAlignment &a, const std::vector<RowMatrixF> &states,
                          const std::vector<int> &layers, Aggregation aggregation,
                          bool roundToHalf);

enum class KeyStyle {
    Tokens, ///< NeuroX: the kept words' subword tokens concatenated, joined by spaces
    Text    ///< the input line itself (the convention of ../shared/data's stories260K files)
};

struct ExtractOptions {
    Aggregation aggregation = Aggregation::Last;
    DType dtype = DType::Float32;
    std::vector<int> layers; ///< stack indices (0 = embeddings) in output order; empty = all
    bool decompose = false;  ///< one file <base>-layer<k>.hdf5 per kept layer
    LastLayer lastLayer = LastLayer::Default;
    KeyStyle keys = KeyStyle::Tokens;
    int threads = 0;         ///< 0 = computeThreads()
    int batchSentences = 16; ///< sentences per forward pass
    bool restart = false;    ///< discard a partial extraction instead of resuming it
};

struct ExtractSummary {
    QString model, family, tokenizer;
    int modelLayers = 0;     ///< stack entries the model has (blocks + 1)
    std::vector<int> layers; ///< stack indices written
    int hidden = 0;
    Index sentences = 0, words = 0, tokens = 0;
    std::vector<Index> truncatedLines; ///< 0-based line numbers that lost words
    std::vector<Index> zeroWords;      ///< 0-based lines with a word of no subword (zero vector)
    Index resumedFrom = 0;             ///< sentences taken from a partial earlier run
    double seconds = 0.0;
    double tokensPerSecond = 0.0; ///< forward-pass tokens of this run / its wall time
    QStringList outputs;          ///< files written
    QStringList warnings;         ///< one line each, naming the line they concern
    bool cancelled = false;
};

/// (sentences done, total); returns false to cancel. Called on the extracting thread.
using ExtractProgress = std::function<bool(Index done, Index total)>;

/**
 * Reads @p sentencesPath (UTF-8, one sentence per line, words separated by single spaces),
 * runs @p model in batches and writes NeuroX HDF5 file(s) at @p outPath. The output appears only
 * when complete (temporary name, then rename). Interrupted runs leave `<out>.partial` and
 * `<out>.partial.journal`: running the same extraction again (same model file, sentences file and
 * options) resumes after the last complete batch; a partial file whose journal does not match is
 * refused with a message (ExtractOptions::restart discards it). A cancelled run returns
 * cancelled = true and keeps the partial files for resuming.
 * Bad input (invalid UTF-8, empty lines, unreadable file) throws salient::Error naming file and
 * line.
 */
ExtractSummary extractActivations(const Transformer &model, const Tokenizer &tokenizer,
                                  const QString &sentencesPath, const QString &outPath,
                                  const ExtractOptions &options,
                                  const ExtractProgress &progress = {});

/// The model and its tokenizer, as the CLI and GUI load them: a HF folder (tokenizer from the
/// folder) or a llama2.c .bin (@p tokenizerPath, else tokenizer.bin beside it).
struct LoadedModel {
    std::unique_ptr<Transformer> model;
    std::unique_ptr<Tokenizer> tokenizer;
};
LoadedModel loadModelAndTokenizer(const QString &modelPath, const QString &tokenizerPath = {});

} // namespace salient::model
