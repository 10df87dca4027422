#pragma once
// The "Try a sentence" computation (docs/live.md): one typed sentence through the attached model,
// with exactly the extraction's path (WordAligner → forward → aggregateWords with the session's
// last-layer convention and aggregation), so its activations equal those extractActivations()
// writes for the same line; then the probe's prediction per word, the top-k salient neurons and,
// when the sentence is in the loaded corpus, its gold labels.
//
// Threads: LiveEngine::compute() may run on any worker thread, also several at once (the engine
// is immutable apart from a lazily built corpus index guarded by std::call_once). Never call it
// on the GUI thread: a BERT-base forward takes ~0.1–1 s.
#include "salient/data/task.h"
#include "salient/model/attach.h"
#include "salient/probe/neuronid.h"
#include "salient/session/results.h"

#include <memory>
#include <mutex>
#include <unordered_map>

namespace salient::model {

enum class LiveMode {
    Words,      ///< the text split on spaces, like a corpus line (runs of spaces collapse)
    ModelTokens ///< raw text, encoded by the tokenizer; one row per model token (no aggregation)
};
QString liveModeName(LiveMode m); // "words", "tokens"

/// One sentence's activations, all layers of the model.
struct LiveSentence {
    LiveMode mode = LiveMode::Words;
    QString line;      ///< what the model encoded (Words: the words joined by single spaces)
    QStringList words; ///< one per row of X: the kept words, or the model's tokens
    /// rows × (layers · dims), layer-major (NeuroX's flat index layer·dims + unit), all layers.
    RowMatrixF X;
    int layers = 0, dims = 0;
    int droppedWords = 0; ///< words cut by the tokenizer's length limit (truncation)
    int modelTokens = 0;  ///< ids fed to the model (special tokens included)
};

/**
 * Runs @p text through @p m. Words: the text's whitespace is collapsed to single spaces and the
 * line goes through WordAligner, one forward pass and aggregateWords() with the record's
 * last-layer convention and aggregation, i.e. the same path as extractActivations(). ModelTokens:
 * encode(text, truncate) without the special tokens NeuroX drops, one row per token. Blank text
 * gives zero rows. Throws salient::Error when the encoding is longer than the model accepts.
 * @p threads: cores for the forward pass (0 = computeThreads()).
 */
LiveSentence runLiveSentence(const AttachedModel &m, const QString &text, LiveMode mode,
                             int threads = 0);

/// What the live view shows for one sentence.
struct LiveResult {
    LiveSentence sentence;
    /// rows × layout.columns(): the loaded matrix's columns (NeuronLayout) of every row.
    RowMatrixF columns;
    // The probe (empty without one): the predicted label and its softmax probability per row;
    // regression probes give the predicted value in `value` and leave `predicted` empty.
    QStringList predicted;
    std::vector<double> probability;
    std::vector<double> value;
    std::vector<int> topColumns; ///< the probe's ordering, first k (most salient first)
    // The corpus: when the Words line equals a loaded sentence (its tokens joined by spaces).
    QString goldSplit;     ///< "train", "dev" or "test"; empty when not found
    Index goldRecord = -1; ///< its record (line) index
    QStringList gold;      ///< gold label per word (empty for regression or unknown labels)
    double seconds = 0;    ///< wall time of compute()
};

/**
 * Everything the live view needs that does not change while the user types: the attached model,
 * the loaded task (may be null) and its neuron layout. compute() is const and thread-safe.
 */
class LiveEngine {
public:
    /// @p task may be null (no corpus lookup; columns then cover every model neuron).
    LiveEngine(std::shared_ptr<const AttachedModel> model, std::shared_ptr<const LoadedTask> task);
    /**
     * The sentence's activations, the loaded columns, @p probe's predictions (may be null) and
     * its top @p topK neurons, and the gold labels when the sentence is in the corpus. Throws
     * salient::Error when the probe's layout does not fit the model (different dims or layers).
     */
    LiveResult compute(const QString &text, LiveMode mode, const ProbeReport *probe, int topK,
                       int threads = 0) const;
    const NeuronLayout &layout() const { return m_layout; }
    const AttachedModel &model() const { return *m_model; }

private:
    struct CorpusHit {
        const Dataset *split = nullptr;
        Index record = -1;
        std::vector<Index> rows;
    };
    void buildIndex() const;

    std::shared_ptr<const AttachedModel> m_model;
    std::shared_ptr<const LoadedTask> m_task;
    NeuronLayout m_layout;
    mutable std::once_flag m_indexOnce;
    mutable std::unordered_map<QString, CorpusHit> m_index;
};

} // namespace salient::model
