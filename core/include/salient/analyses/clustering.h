#pragma once
// Correlation clustering of neurons (spec/NEUROX.md §12.4, §12.6; "Analyzing Redundancy",
// EMNLP 2020): Pearson correlation of the columns of X, dissimilarity 1 − |r| (or 1 − r),
// average-linkage hierarchical clustering cut at a distance threshold, and one seeded random
// representative per cluster (the "independent neurons" used to pre-filter a later ranking).
//
// Memory: the dissimilarities are held once as a condensed float32 matrix of D(D−1)/2 entries
// (≈ 200 MB for 9,984 neurons; NeuroX holds a D × D float64 matrix, ≈ 0.8 GB). Call
// clusteringMemoryBytes() before running to show the cost; correlationClusters() refuses with a
// readable salient::Error when the estimate exceeds ClusteringOptions::memoryBudgetBytes.
#include "salient/analyses/experiment.h"
#include "salient/util/error.h"
#include "salient/util/matrix.h"

#include <QtGlobal>
#include <utility>
#include <vector>

namespace salient {

/**
 * Settings of correlationClusters().
 */
struct ClusteringOptions {
    /// true (default, NeuroX's use_abs_correlation=True): dissimilarity 1 − |r| in [0, 1];
    /// false: 1 − r in [0, 2] (anti-correlated neurons are far apart).
    bool absoluteCorrelation = true;
    /// Distance threshold t of SciPy's fcluster(criterion="distance"): merges at height <= t are
    /// applied, so every flat cluster has cophenetic distance <= t. Default 0.5 (NeuroX); the
    /// redundancy paper uses 0.3 before ranking (see kPreFilterThreshold).
    double threshold = 0.5;
    /// Refuse (salient::Error) when clusteringMemoryBytes() exceeds this many bytes.
    /// Default 2 GiB (≈ 32,000 neurons). Use +infinity to disable.
    double memoryBudgetBytes = 2.0 * 1024.0 * 1024.0 * 1024.0;
    /// Worker threads for the correlation blocks (0 = all cores).
    int threads = 0;
};

/// Distance threshold used before ranking in the redundancy paper (spec §12.6).
inline constexpr double kPreFilterThreshold = 0.3;

/// Neurons per column block of the blockwise correlation (the Gram is formed block pair by block
/// pair) and rows per chunk inside a block pair.
inline constexpr int kCorrelationBlock = 256;
inline constexpr int kCorrelationRowChunk = 2048;

/**
 * Estimated peak memory in bytes of correlationClusters() on @p neurons columns with @p threads
 * workers (0 = all cores):
 *   condensed = 4 · D(D−1)/2                       (float32 dissimilarities)
 *   workspace = 96 · D                            (means, scales, chain, sizes, merges, labels)
 *             + threads · (2 · 4 · 2048 · 256      (two standardised float32 row chunks)
 *                          + 8 · 256 · 256)        (one float64 Gram block)
 * X itself is not copied and not counted.
 */
double clusteringMemoryBytes(Index neurons, int threads = 0);

/// The condensed-matrix part of the estimate: 4 · D(D−1)/2 bytes.
inline double condensedMatrixBytes(Index neurons)
{
    return 4.0 * double(neurons) * double(neurons - 1) / 2.0;
}

/// Position of the pair (i, j), i != j, in a condensed matrix of @p n points (SciPy order:
/// row-major upper triangle without the diagonal).
inline size_t condensedIndex(Index n, Index i, Index j)
{
    if (i > j)
        std::swap(i, j);
    return size_t(n) * size_t(i) - size_t(i) * size_t(i + 1) / 2 + size_t(j - i - 1);
}

/**
 * Pairwise dissimilarities of columns, condensed (SciPy order), float32.
 */
struct CondensedDistances {
    Status status = Status::Ok;
    Index n = 0;
    std::vector<float> values;   ///< n(n−1)/2 entries
    std::vector<int> degenerate; ///< positions (into the column list) of constant/NaN columns
};

/**
 * Pearson-correlation dissimilarities of the columns of @p X (spec §12.4), computed blockwise:
 * per-column mean and scale in float64 (two passes over the selected rows); then for every pair
 * of 256-column blocks, chunks of 2048 rows are standardised into float32 (centred, so no
 * cancellation), multiplied in float32 by Eigen and the chunk products accumulated in a float64
 * B × B Gram. X is never copied as a whole. Columns with a non-finite value or min == max get
 * correlation 0 with every other column (dissimilarity 1); r is clamped to [−1, 1].
 * @param columns  columns of X to use, in this order (empty = all).
 * @param rows     rows of X to use (empty = all); needs >= 2 rows.
 * Progress fractions run over block pairs; cancelling returns status Cancelled and no values.
 */
CondensedDistances
correlationDissimilarity(const Eigen::Ref<const RowMatrixF> &X, bool absoluteCorrelation = true,
                         const NeuronList &columns = {}, const std::vector<Index> &rows = {},
                         const ExperimentProgress &progress = {}, int threads = 0);

/// One merge of a hierarchical clustering, in SciPy's linkage-matrix convention: cluster ids
/// 0..n−1 are the points, n + i is the cluster formed by merge i; a < b.
struct LinkageMerge {
    int a = 0;
    int b = 0;
    double height = 0; ///< average-linkage distance of the merge
    int size = 0;      ///< points in the new cluster
};

/**
 * Average-linkage (UPGMA) clustering of a condensed dissimilarity matrix with the
 * nearest-neighbour-chain algorithm (O(n²) time, no extra n² memory) and the Lance–Williams
 * update d(k, a∪b) = (|a|·d(k,a) + |b|·d(k,b)) / (|a| + |b|), computed in float64 and stored
 * in float32. Ties: the chain's previous element first, then the lowest index. Merges are then
 * sorted by height (stable) and numbered as SciPy's linkage does. @p distances is overwritten.
 * Returns an empty list with status Cancelled when @p progress returns false.
 */
std::vector<LinkageMerge> averageLinkage(std::vector<float> &distances, Index n,
                                         const ExperimentProgress &progress = {},
                                         Status *status = nullptr);

/**
 * Flat clusters of fcluster(Z, t, criterion="distance"): merges with height <= @p threshold are
 * applied (the merges are sorted by height, so each cluster's cophenetic distance is <= t).
 * Labels 1..K, numbered by first appearance in point order (deterministic; SciPy numbers them
 * by tree traversal instead, so compare partitions, not label values).
 */
std::vector<int> cutTree(const std::vector<LinkageMerge> &merges, Index n, double threshold);

/**
 * Result of correlationClusters().
 */
struct ClusteringResult {
    Status status = Status::Ok;
    NeuronList columns;                ///< the clustered columns of X (labels[i] is columns[i]'s)
    std::vector<int> labels;           ///< 1..K, first appearance in column order
    int clusterCount = 0;              ///< K
    std::vector<LinkageMerge> linkage; ///< sorted by height (ids are positions in columns)
    NeuronList degenerateColumns;      ///< constant or non-finite columns (correlation 0)
    double memoryBytes = 0;            ///< clusteringMemoryBytes() of this run
};

/**
 * create_correlation_clusters (spec §12.4): correlation dissimilarities of the columns of @p X
 * (see correlationDissimilarity), average linkage, cut at options.threshold.
 * Throws salient::Error for fewer than 2 rows/columns, out-of-range rows/columns, a threshold
 * that is not finite and >= 0, or when clusteringMemoryBytes() exceeds the budget (the message
 * states both figures). Progress: correlation 0–0.7, linkage 0.7–1; cancel → status Cancelled.
 */
ClusteringResult correlationClusters(const Eigen::Ref<const RowMatrixF> &X,
                                     const ClusteringOptions &options = {},
                                     const NeuronList &columns = {},
                                     const std::vector<Index> &rows = {},
                                     const ExperimentProgress &progress = {});

/**
 * One neuron per cluster, drawn uniformly among the cluster's columns with std::mt19937_64
 * seeded by @p seed (unbiased rejection draw; clusters visited in label order 1..K). Returns
 * columns of X, sorted ascending. Deterministic per seed.
 */
NeuronList clusterRepresentatives(const ClusteringResult &result, quint64 seed);

/**
 * extract_independent_neurons (spec §12.4): the pre-filter for a later ranking. Clusters the
 * columns and returns one seeded representative per cluster (ascending) with the clustering.
 */
struct IndependentNeurons {
    Status status = Status::Ok;
    NeuronList columns; ///< representatives, ascending — restrict the ranking to these
    ClusteringResult clustering;
};
IndependentNeurons independentNeurons(const Eigen::Ref<const RowMatrixF> &X,
                                      const ClusteringOptions &options, quint64 seed,
                                      const NeuronList &columns = {},
                                      const std::vector<Index> &rows = {},
                                      const ExperimentProgress &progress = {});

} // namespace salient
