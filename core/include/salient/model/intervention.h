#pragma once
// Neuron interventions in a model's forward pass (issue 14, docs/intervention.md): set chosen
// neurons of the hidden-state stack to zero, to a mean, or to a given value at their layer while
// the model runs, and measure what changes — greedy/sampled generation, mean next-token loss on a
// text set, and per-word activations re-extracted with the intervention (so a probe can be
// evaluated on them).
//
// Neurons are NeuroX flat indices of the activation file: layer · hidden + unit, layer 0 = the
// embeddings, layer l = the output of block l (the hidden-state stack index, extract.h). The
// intervention is applied through ForwardOptions::hook after stack entry l is computed, to every
// token position of every sequence, before block l + 1 reads it: it changes entry l and, through
// the model, the entries after it; entries before l are untouched.
//
// Threads: every function runs on the calling thread (never the GUI thread) and uses @p threads
// cores for the forward passes (0 = computeThreads()). Errors: salient::Error naming the neuron,
// layer, file and line, and what was expected.
#include "salient/model/extract.h"

#include <QString>
#include <QStringList>
#include <cstdint>
#include <functional>
#include <vector>

namespace salient::model {

enum class InterventionMode { Zero, Mean, Value };
/// "zero", "mean", "value:X".
QString interventionModeText(InterventionMode mode, double value);

struct NeuronIntervention {
    int layer = 0; ///< stack index: 0 = embeddings, 1..layers = block outputs
    int unit = 0;  ///< 0..hidden−1
    float value = 0.0f;
};

/// What a forward pass sets. Empty = the clean model (the hook is not even installed).
struct Intervention {
    std::vector<NeuronIntervention> neurons;
    bool empty() const { return neurons.empty(); }
    /// The hook that applies it (empty function when empty()).
    std::function<void(int b, int l, RowMatrixF &states)> hook() const;
};

/**
 * The intervention setting flat neurons @p flat (layer · hidden + unit) of @p model to zero, to
 * @p means[flat] (Mean) or to @p value. Throws salient::Error for a flat index outside
 * 0..(layers + 1) · hidden − 1 (naming the neuron, its layer and the model's layers × hidden), for
 * Mean when @p means has no entry for it, and for duplicates.
 */
Intervention makeIntervention(const ModelInfo &model, const std::vector<int> &flat,
                              InterventionMode mode, double value,
                              const std::vector<double> &means = {});

/**
 * Parses "zero", "mean" or "value:X" (X a finite number). Throws salient::Error naming the
 * choices otherwise.
 */
InterventionMode parseInterventionMode(const QString &text, double *value);

/// "3,70,129" or "1:5,2:17" (layer:unit) → flat indices for a model of @p hidden units. Throws
/// salient::Error naming the bad entry. The range is checked by makeIntervention.
std::vector<int> parseNeuronList(const QString &text, int hidden);

struct GenerateOptions {
    int tokens = 256;         ///< tokens to generate at most (stops early at BOS/EOS)
    double temperature = 0.0; ///< 0 = greedy (argmax); > 0 samples from softmax(logits / T)
    std::uint64_t seed = 42;  ///< sampling seed (ignored when greedy)
    int threads = 0;          ///< 0 = computeThreads()
    LastLayer lastLayer = LastLayer::Default;
};

struct Generation {
    std::vector<int> promptIds; ///< the prompt's encoding (or {BOS} for an empty prompt)
    std::vector<int> generated; ///< the new ids, without the stop token
    QString text;               ///< decode(promptIds + generated), leading dummy space removed
    bool stopped = false;       ///< ended at a BOS/EOS token before @p tokens
};

/**
 * Generates a continuation of @p prompt (empty = start from BOS, the tokenizer's first dropped
 * special id) with @p intervention applied at every step: greedy (argmax, ties → lowest id) unless
 * options.temperature > 0, then sampled with a std::mt19937_64 seeded with options.seed. Stops at
 * a BOS/EOS (dropped special) token or after options.tokens, or at the model's maxPositions.
 * Decoder models only (throws otherwise, as Transformer::logits does).
 */
Generation generate(const Transformer &model, const Tokenizer &tokenizer, const QString &prompt,
                    const GenerateOptions &options, const Intervention &intervention = {});

struct LossResult {
    double meanLoss = 0;     ///< mean cross-entropy (nats) over every predicted token
    std::int64_t tokens = 0; ///< predicted tokens (sum over lines of ids − 1)
    int lines = 0;
};

/**
 * Mean next-token loss over @p lines (each encoded with truncation; a line predicts ids[1..] from
 * ids[..−1], so a tokenizer that adds BOS predicts every token of the text), with @p intervention.
 * Lines of fewer than 2 ids are skipped. Throws for encoder models, and when no line gives a
 * prediction.
 */
LossResult nextTokenLoss(const Transformer &model, const Tokenizer &tokenizer,
                         const QStringList &lines, const Intervention &intervention = {},
                         int threads = 0, LastLayer lastLayer = LastLayer::Default);

/**
 * Text lines of @p path (UTF-8), empty lines skipped, at most @p maxLines (0 = all). Throws
 * salient::Error naming the file when it is unreadable, not UTF-8 or has no text.
 */
QStringList readTextLines(const QString &path, int maxLines = 0);

/**
 * Per-word activations of @p lines as extractActivations() computes them (same alignment,
 * aggregation and layers; float32), in memory, with @p intervention applied: one words ×
 * (layers.size() · hidden) matrix per line. Layers are stack indices (empty = all). Errors as
 * extractActivations (lines too long, layers out of range).
 */
std::vector<RowMatrixF> extractWordsInMemory(const Transformer &model, const Tokenizer &tokenizer,
                                             const QStringList &lines,
                                             const ExtractOptions &options,
                                             const Intervention &intervention = {});

} // namespace salient::model
