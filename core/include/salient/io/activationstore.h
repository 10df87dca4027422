#pragma once
// One abstraction over every source of per-token activations (spec/NEUROX.md §2):
// NeuroX HDF5 files, NeuroX JSON-lines files, decomposed per-layer files, and in-memory data
// (the demo dataset, tests). Algorithms see only this interface.
//
// Threading: a store may be read from one thread at a time (HDF5 calls are serialised by the
// library anyway). Opening reads metadata only.
#include "salient/util/matrix.h"

#include <QString>
#include <QStringList>
#include <functional>
#include <memory>
#include <vector>

namespace salient {

enum class DType { Float32, Float16 };
QString dtypeName(DType t);

/// Metadata of a store, known right after open() (HDF5) or after the streaming pass (JSON lines).
struct StoreInfo {
    QString path;   ///< file (or first file) the store was opened from
    QString format; ///< "hdf5", "jsonl", "decomposed" or "memory"
    Index sentences = 0;
    int layers = 0; ///< L: layers stored (layer 0 = embeddings when the producer kept them)
    int dims = 0;   ///< D: neurons per layer
    DType dtype = DType::Float32;
    std::vector<int> wordsPerSentence; ///< T_i per record, record order
    Index totalWords = 0;
    QStringList
        keys; ///< sentence_to_index keys (full, with " (Occurrence k)"), record order; may be empty
    QStringList warnings; ///< e.g. missing sentence_to_index
    QStringList metadata; ///< "name=value" of extra root attributes, shown to the user
    int neurons() const { return layers * dims; }
};

/// Progress of a streaming pass: fraction in [0,1]; return false to cancel.
using LoadProgress = std::function<bool(double fraction)>;

class ActivationStore {
public:
    virtual ~ActivationStore() = default;
    const StoreInfo &info() const { return m_info; }

    /**
     * Reads record @p sentence as float32 into @p out, row-major, words × (layers.size()·dims):
     * out[w·stride + k·dims + d] = activation of layer layers[k], word w, neuron d.
     * @p layers empty means all layers in stored order. @p stride is the row stride of @p out in
     * floats (>= layers.size()·dims), so rows can land directly inside a larger matrix.
     * Throws salient::Error naming the file and dataset on any read problem.
     */
    virtual void readSentence(Index sentence, float *out, Index stride,
                              const std::vector<int> &layers = {}) const = 0;

    /**
     * Reads words [@p firstWord, @p firstWord + @p count) of record @p sentence, laid out as
     * readSentence lays out the whole record (row t of @p out = word firstWord + t). For streamed
     * mini-batches. The default reads the record into a per-thread scratch block and copies the
     * rows; the HDF5 store reads just those rows. Thread: as readSentence. Throws salient::Error.
     */
    virtual void readWords(Index sentence, int firstWord, int count, float *out, Index stride,
                           const std::vector<int> &layers = {}) const;

    /// Opens a file by content: HDF5 signature → hdf5; otherwise JSON lines. Throws salient::Error.
    static std::unique_ptr<ActivationStore> open(const QString &path,
                                                 const LoadProgress &progress = {});
    /// Opens decomposed `<base>-layer<k>.hdf5` files as one store, layers in the given order.
    static std::unique_ptr<ActivationStore> openDecomposed(const QStringList &paths);

protected:
    StoreInfo m_info;
};

/// In-memory store (demo dataset, tests): sentences as words × (layers·dims) row-major blocks.
class MemoryStore final : public ActivationStore {
public:
    MemoryStore(int layers, int dims, std::vector<RowMatrixF> sentences, QStringList keys = {});
    void readSentence(Index sentence, float *out, Index stride,
                      const std::vector<int> &layers = {}) const override;
    const RowMatrixF &sentence(Index i) const { return m_sentences[size_t(i)]; }

private:
    std::vector<RowMatrixF> m_sentences;
};

/**
 * Writes a NeuroX HDF5 activation file (spec/NEUROX.md §2.2): datasets "0".."N-1" of shape
 * layers × words × dims in @p dtype, then `sentence_to_index` (vlen UTF-8 JSON, ensure_ascii
 * escapes, duplicates as " (Occurrence k)"). Written to a temporary file and renamed.
 * @p sentences are words × (layers·dims) row-major; @p texts the sentence texts (keys).
 */
void writeNeuroxHdf5(const QString &path, int layers, int dims,
                     const std::vector<RowMatrixF> &sentences, const QStringList &texts,
                     DType dtype = DType::Float32);

/**
 * The same, one sentence at a time (files larger than memory): append() writes each dataset at
 * once, finish() adds sentence_to_index and renames the temporary file into place. Destroyed
 * without finish(), the temporary file is removed. Throws salient::Error naming the file.
 */
class NeuroxHdf5Writer {
public:
    NeuroxHdf5Writer(const QString &path, int layers, int dims, DType dtype = DType::Float32);
    /**
     * Resumable: writes into @p partialPath, which is kept (not removed) when the writer is
     * destroyed without finish(). With @p resumeTexts non-empty, the existing @p partialPath is
     * reopened: its datasets "0".."n-1" (n = resumeTexts.size()) must exist with this writer's
     * layers, dims and dtype and are kept, later ones are deleted; otherwise salient::Error names
     * the partial file and what did not match. flush() makes what was appended durable.
     */
    NeuroxHdf5Writer(const QString &path, const QString &partialPath, int layers, int dims,
                     DType dtype, const QStringList &resumeTexts);
    ~NeuroxHdf5Writer();
    NeuroxHdf5Writer(const NeuroxHdf5Writer &) = delete;
    NeuroxHdf5Writer &operator=(const NeuroxHdf5Writer &) = delete;
    /// @p sentence: words × (layers·dims) row-major; @p text: its key (duplicates handled).
    void append(const RowMatrixF &sentence, const QString &text);
    void finish();
    /// Flushes the file's data and metadata to the disk (H5Fflush + fsync of the file).
    void flush();
    /// Sentences in the file so far (resumed ones included).
    Index count() const;

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

/// Decodes the JSON text of sentence_to_index into (key, record index) pairs in JSON order.
/// Order-preserving; handles \uXXXX escapes incl. surrogate pairs; values as strings or ints.
std::vector<std::pair<QString, Index>> parseSentenceToIndex(const QByteArray &json,
                                                            const QString &fileForErrors);

/// Removes a trailing " (Occurrence n)" from a key, for display.
QString displaySentenceKey(const QString &key);

} // namespace salient
