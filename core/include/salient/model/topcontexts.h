#pragma once
// Top activating contexts from raw text (docs/live.md): NeuroX's top-words analysis without a
// labelled corpus. A text file (no labels) is streamed through the attached model in batches;
// for each selected neuron only the best N contexts are kept (a min-heap of N per neuron), so
// memory is O(neurons · N · chunk words) whatever the file's size.
//
// Threads: topActivatingContexts() runs on the calling thread (a worker, never the GUI thread);
// the forward passes use `threads` cores; progress is called on the calling thread.
#include "salient/model/attach.h"
#include "salient/probe/neuronid.h"

#include <QJsonObject>
#include <QVector>

namespace salient::model {

struct TopContextsOptions {
    int top = 10;            ///< contexts kept per neuron (>= 1)
    int maxWords = 64;       ///< a line longer than this is cut into chunks of at most this many
    int batchSentences = 16; ///< chunks per forward pass
    int threads = 0;         ///< 0 = computeThreads()
};

/// One context: a chunk of a line, scored by its highest activation of the neuron.
struct ContextHit {
    double activation = 0;      ///< max over the chunk's words of the neuron's activation
    Index line = 0;             ///< 1-based line of the text file
    int firstWord = 0;          ///< 0-based index in the line of the chunk's first word
    int word = 0;               ///< 0-based index in the chunk of the maximum (first one on ties)
    QStringList words;          ///< the chunk's words
    QVector<float> activations; ///< the neuron's activation per word of the chunk
};

struct NeuronContexts {
    NeuronId neuron;              ///< model stack layer (0 = embeddings) and unit
    std::vector<ContextHit> hits; ///< best first (see topActivatingContexts)
};

struct TopContextsResult {
    QString text; ///< the text file
    std::vector<NeuronContexts> neurons;
    Index lines = 0, chunks = 0, words = 0; ///< non-empty lines, chunks and words run
    int top = 0, maxWords = 0;
    double seconds = 0;
    QStringList warnings; ///< e.g. chunks whose words the tokenizer truncated
    bool cancelled = false;
};

/**
 * "3:17,5:2" (layer:unit of the model's stack) or NeuroX flat indices ("209" = layer·dims + unit),
 * mixed and comma-separated; duplicates removed, order kept. Throws salient::Error naming the
 * part and the model's range (layers 0..@p layers−1, units 0..@p dims−1).
 */
std::vector<NeuronId> parseNeuronList(const QString &text, int layers, int dims);

/**
 * Streams @p textPath (UTF-8; each non-blank line is a sentence, its whitespace collapsed to
 * single spaces; lines longer than options.maxWords are cut into consecutive chunks) through
 * @p m with extraction's path (extract.h: alignment, last-layer convention, aggregation) and keeps
 * per neuron the options.top chunks with the highest activation. Order (deterministic, also the
 * tie rule): activation descending, then line, then first word ascending. A NaN activation never
 * ranks. @p progress gets (bytes read, file bytes) and may cancel (cancelled = true, hits
 * so far returned). Throws salient::Error for a missing or unreadable file, invalid UTF-8 (naming
 * the line), a file without any word, no neurons, a neuron outside the model, invalid options.
 */
TopContextsResult topActivatingContexts(const AttachedModel &m, const QString &textPath,
                                        const std::vector<NeuronId> &neurons,
                                        const TopContextsOptions &options,
                                        const ExtractProgress &progress = {});

/// {"text", "model", "top", "max_words", "lines", "chunks", "words", "seconds", "warnings",
///  "neurons": [{"layer", "unit", "flat", "contexts": [{"activation", "line", "first_word",
///  "word", "token", "words": [...], "activations": [...]}]}]}
QJsonObject toJson(const TopContextsResult &r, const SessionModel &model);

} // namespace salient::model
