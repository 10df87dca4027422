#pragma once
// Token and label files, alignment with activations, label vocabulary, and building X and y
// (spec/NEUROX.md §3–§4).
#include "salient/data/features.h"
#include "salient/io/activationstore.h"

#include <QString>
#include <QStringList>
#include <map>

namespace salient {

/// A whitespace-split text file: one sentence per line (Python str.split() semantics).
struct TextColumns {
    QString path;
    std::vector<QStringList> lines;
};

/// Reads a token or label file. Throws salient::Error on missing file or invalid UTF-8 (names the
/// line). A trailing newline does not create an extra sentence.
TextColumns readTextColumns(const QString &path);

/// Splits on Unicode whitespace as Python's str.split() does.
QStringList splitWhitespace(const QString &line);

/// Deterministic label vocabulary: names sorted by UTF-8 byte order (spec §4.2).
struct LabelVocabulary {
    QStringList names;
    std::vector<Index> trainCounts;         ///< tokens per label in train (same order as names)
    int indexOf(const QString &name) const; ///< -1 when absent
    int size() const { return int(names.size()); }
    /// Most frequent train label (ties: first by name); empty if no counts.
    QString majority() const;
    /// Names sorted by UTF-8 bytes (spec §4.2) with their counts, from one label per row.
    static LabelVocabulary fromRowLabels(const std::vector<QString> &rowLabels);
};

enum class TaskType { Classification, Regression };
QString taskTypeName(TaskType t);

/// Options for building one split's X and y.
struct DatasetOptions {
    TaskType task = TaskType::Classification;
    std::vector<int> layers;             ///< layers to keep, in this order; empty = all
    int maxMismatches = 100;             ///< NeuroX aborts at >= 100 mismatched lines (spec §3.2)
    bool ignoreStartToken = false;       ///< drop the first token/label/row of every sentence
    bool sentenceClassification = false; ///< one label per line, one activation row per record
    bool keepNonFinite = false; ///< by default sentences with NaN/Inf are excluded (spec §2.5.6)
    QString binarizedTag;       ///< non-empty: labels become tag vs "OTHER"
    bool balance = false;       ///< seeded random undersampling to the smallest class
    quint64 seed = 1;
    /// Label for dev/test labels unseen in train. Empty = the majority train label (NeuroX maps
    /// them to its task_specific_tag, usually the majority tag).
    QString unseenLabelFallback;
    /// How X is held (features.h). buildDataset needs a resolved mode (not Auto; loadTask
    /// resolves Auto against the memory budget). Streamed needs the store by shared_ptr.
    StorageMode storage = StorageMode::Float32;
};

/// What the alignment and validation found, with line numbers (0-based record = line).
struct AlignmentReport {
    struct Mismatch {
        Index line;         ///< 0-based record = line − 1
        int activationRows; ///< rows of the record in the activation file
        int tokens;         ///< words on the line of the words file
        int labels;         ///< labels on the line of the labels file
        /// Why the line was dropped, for people, e.g. "6 words, 5 labels" or "sentence 4 has 7
        /// rows in the activations, 6 words in the words file" (no file names, no line number).
        QString reason;
    };
    /// How many dropped lines a summary lists (the first ones, in file order).
    static constexpr int kListedMismatches = 10;
    QString wordsFile, labelsFile, activationsFile; ///< the split's inputs, as given
    Index lines = 0;                                ///< lines (= records) checked
    std::vector<Mismatch> mismatches;               ///< dropped lines, in file order
    std::vector<Index> nonFiniteSentences;          ///< sentences with NaN/Inf values
    Index nonFiniteRows = 0;
    Index zeroRows = 0; ///< all-zero rows ("dropped words", spec §1.10): counted, kept
    std::map<QString, Index> unseenLabels; ///< dev/test label → tokens remapped to the fallback
    QString unseenFallback;
    Index balancedAway = 0; ///< tokens removed by balancing
    QStringList warnings;
    /**
     * One line for people naming the split, the files, the count and the first
     * kListedMismatches dropped lines (1-based) with their reasons, e.g. "train: dropped 1 of 250
     * lines whose words, labels and activations disagree (words w.txt, labels l.txt,
     * activations a.hdf5): line 5 (6 words, 5 labels)". Empty when no line was dropped.
     */
    QString mismatchSummary(const QString &split) const;
};

/// One split, ready for training: X (tokens × neurons, float32, held once) and y.
struct Dataset {
    QString name;                               ///< "train", "dev", "test"
    int layers = 0, dims = 0;                   ///< of the kept layer set
    std::vector<int> layerIds;                  ///< original layer index of each kept layer
    StorageMode storage = StorageMode::Float32; ///< Float32, Float16 or Streamed
    RowMatrixF X;                               ///< Float32 storage: tokens × neurons (else empty)
    HalfMatrix X16; ///< Float16 storage: tokens × neurons as binary16 (else empty)
    std::shared_ptr<const ActivationStore> store; ///< Streamed storage: rows are read from here
    VectorI y;                                    ///< class index per row (classification)
    VectorF yValue;                               ///< value per row (regression)
    std::vector<Index> rowSentence;               ///< record index of each row
    std::vector<int> rowWord;                     ///< word position of each row
    std::vector<QString> rowToken;                ///< token text of each row
    std::vector<Index> sentences;                 ///< kept record indices
    AlignmentReport report;
    Index rows() const
    {
        return storage == StorageMode::Float32   ? X.rows()
               : storage == StorageMode::Float16 ? X16.rows
                                                 : Index(rowSentence.size());
    }
    int neurons() const { return storage == StorageMode::Float32 ? int(X.cols()) : layers * dims; }
    /// A view of the rows however they are stored; valid while this Dataset lives unchanged.
    std::unique_ptr<FeatureSource> features() const;
    /// X, or a salient::Error saying that @p analysis needs the activations in memory as float32.
    const RowMatrixF &denseX(const char *analysis) const;
};

/**
 * Activation scale of each kept layer of @p ds (same order as ds.layerIds): the root mean square
 * of the per-neuron standard deviations, sqrt(mean over the layer's neurons of each neuron's
 * population variance over all rows of @p ds), i.e. the spread that --standardize divides out.
 * Non-finite values are skipped; a layer without finite values gets 0. Reads every row once
 * (streamed storage: from the file). Throws salient::Error when reading fails.
 */
std::vector<double> layerScales(const Dataset &ds);

/**
 * Builds one split. For train pass @p vocab empty: it is built from the train labels (sorted by
 * name; binarized gives {OTHER, tag}) and returned through @p vocab. For dev/test pass the train
 * vocabulary; unseen labels map to the fallback and are counted in the report.
 * Throws salient::Error on too many mismatches, zero usable sentences, or file problems.
 */
Dataset buildDataset(const QString &name, const ActivationStore &store, const TextColumns &tokens,
                     const TextColumns &labels, const DatasetOptions &options,
                     LabelVocabulary &vocab, const LoadProgress &progress = {});
/// The same for any storage mode, Streamed included (the Dataset then shares the store).
Dataset buildDataset(const QString &name, std::shared_ptr<const ActivationStore> store,
                     const TextColumns &tokens, const TextColumns &labels,
                     const DatasetOptions &options, LabelVocabulary &vocab,
                     const LoadProgress &progress = {});

/// Bytes of the float32 training matrix for @p rows × @p neurons.
inline double matrixBytes(Index rows, Index neurons)
{
    return double(rows) * double(neurons) * 4.0;
}

} // namespace salient
