#pragma once
// Where a split's activation matrix lives while probes train on it (issue "speed and scale"):
//   Float32  — in memory as float32 (RowMatrixF, the default; every analysis works on it);
//   Float16  — in memory as IEEE binary16 (half the bytes; rows are widened to float32 per
//              mini-batch, so compute stays float32);
//   Streamed — not in memory: mini-batches are read from the activation file by a read-ahead
//              thread while the previous batch trains, so disk and compute overlap.
// Probes, evaluation and every probe-based analysis (grid search, minimal subset, ablation,
// selectivity, layer-wise) read rows through FeatureSource and give bit-identical results in
// Float32 and Streamed mode for the same seed and batch order. Analyses that need columns of X
// (neuron profiles, clustering, probeless / AP / Gaussian rankers) need Float32 and say so.
#include "salient/io/activationstore.h"
#include "salient/util/float16.h" // HalfMatrix rows: floatsToHalf / halfsToFloat
#include "salient/util/matrix.h"

#include <QString>
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace salient {

enum class StorageMode { Auto, Float32, Float16, Streamed };
QString storageModeName(StorageMode m); ///< "auto", "float32", "float16", "stream"
/// Parses a name of storageModeName (also "f32", "f16", "streamed"); throws salient::Error.
StorageMode parseStorageMode(const QString &name);

/// Default memory budget for activation matrices: 70 % of MemAvailable (runtime.h; at least 256
/// MiB, 4 GiB when unknown).
quint64 defaultMemoryBudget();
/// Parses "8G", "512M", "1.5GiB", "1000000" (bytes); throws salient::Error.
quint64 parseByteSize(const QString &text);
QString formatBytes(double bytes); ///< "3.8 GB" (decimal units)

/// The plan for holding @p values activation values (all splits) under @p budgetBytes:
/// Auto → Float32 when 4·values fits the budget, otherwise Streamed (float16 changes numbers,
/// so it is only used when asked for). Explicit modes are kept as given.
struct StoragePlan {
    StorageMode mode = StorageMode::Float32;
    double float32Bytes = 0;  ///< bytes of the float32 matrices
    double residentBytes = 0; ///< bytes the chosen mode keeps resident (matrices only)
    quint64 budgetBytes = 0;
    QString summary() const; ///< e.g. "in memory (float32): 3.8 GB of a 16.1 GB budget"
};
StoragePlan planStorage(StorageMode requested, double values, quint64 budgetBytes);

/// Delivers the mini-batches of one pass, in order. Thread: next() from one thread only.
class BatchReader {
public:
    virtual ~BatchReader() = default;
    /// Fills the first rows of @p out (resized when too small: at least batch × width) with the
    /// next batch; returns its row count, 0 after the last batch. Throws salient::Error.
    virtual Index next(RowMatrixF &out) = 0;
};

/**
 * Rows of a tokens × neurons activation matrix, however they are stored.
 * Thread: const methods may be called from several threads at once (parallel probes); each
 * BatchReader belongs to the thread that consumes it. A source does not own the rows' storage
 * and must not outlive it (the Dataset or matrix it views).
 */
class FeatureSource {
public:
    virtual ~FeatureSource() = default;
    virtual Index rows() const = 0;
    virtual Index cols() const = 0;
    /// The float32 matrix when the rows are in memory as float32 (zero-copy paths), else null.
    virtual const Eigen::Ref<const RowMatrixF> *dense() const { return nullptr; }
    /**
     * A reader of the batches order[0..B), order[B..2B), ...: rows @p order (row indices), columns
     * @p columns (empty = all), @p batch rows per batch (the last may be shorter). Streaming
     * sources start reading ahead at once.
     */
    virtual std::unique_ptr<BatchReader> read(std::vector<Index> order, Index batch,
                                              NeuronList columns) const = 0;
    /// Storage description for messages and reports ("float32 in memory", ...).
    virtual StorageMode mode() const = 0;
};

/// A view of a float32 matrix in memory (no copy). @p X must outlive the source.
class DenseSource final : public FeatureSource {
public:
    explicit DenseSource(const Eigen::Ref<const RowMatrixF> &X) : m_X(X) {}
    Index rows() const override { return m_X.rows(); }
    Index cols() const override { return m_X.cols(); }
    const Eigen::Ref<const RowMatrixF> *dense() const override { return &m_X; }
    std::unique_ptr<BatchReader> read(std::vector<Index> order, Index batch,
                                      NeuronList columns) const override;
    StorageMode mode() const override { return StorageMode::Float32; }

private:
    Eigen::Ref<const RowMatrixF> m_X;
};

/// Row-major binary16 matrix in memory: rows × cols values.
struct HalfMatrix {
    Index rows = 0, cols = 0;
    std::vector<std::uint16_t> data;
    const std::uint16_t *row(Index r) const { return data.data() + r * cols; }
    std::uint16_t *row(Index r) { return data.data() + r * cols; }
};

class HalfSource final : public FeatureSource {
public:
    explicit HalfSource(const HalfMatrix &X) : m_X(X) {}
    Index rows() const override { return m_X.rows; }
    Index cols() const override { return m_X.cols; }
    std::unique_ptr<BatchReader> read(std::vector<Index> order, Index batch,
                                      NeuronList columns) const override;
    StorageMode mode() const override { return StorageMode::Float16; }

private:
    const HalfMatrix &m_X;
};

/**
 * Rows read from an activation store on demand: row r is word @p rowWord[r] of record
 * @p rowSentence[r], layers @p layers. Each reader runs one read-ahead thread that keeps up to
 * @p depth batches ready (memory: depth × batch × cols floats). Reads of consecutive words of a
 * record are merged.
 */
class StreamedSource final : public FeatureSource {
public:
    StreamedSource(std::shared_ptr<const ActivationStore> store,
                   const std::vector<Index> &rowSentence, const std::vector<int> &rowWord,
                   std::vector<int> layers, int depth = 3);
    Index rows() const override { return Index(m_rowSentence.size()); }
    Index cols() const override { return m_cols; }
    std::unique_ptr<BatchReader> read(std::vector<Index> order, Index batch,
                                      NeuronList columns) const override;
    StorageMode mode() const override { return StorageMode::Streamed; }
    /// Bytes read from the store by all readers so far (for read-progress displays).
    quint64 bytesRead() const;

private:
    std::shared_ptr<const ActivationStore> m_store;
    const std::vector<Index> &m_rowSentence;
    const std::vector<int> &m_rowWord;
    std::vector<int> m_layers;
    Index m_cols = 0;
    int m_depth = 3;
    std::shared_ptr<std::atomic<quint64>> m_bytesRead; ///< shared with the readers
};

/// Copies rows @p order[0..n) (columns: all or @p columns) of @p X into the first rows of @p out.
void gatherDenseRows(const Eigen::Ref<const RowMatrixF> &X, const Index *order, Index n,
                     const NeuronList &columns, RowMatrixF &out);

} // namespace salient
