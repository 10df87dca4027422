#pragma once
// The salience matrix shown by the heatmap (layers × neurons per layer), computed from a probe's
// weights. ui/ only draws it.
#include "salient/probe/probe.h"

namespace salient {

struct ProbeReport; // session/results.h

enum class SalienceMode {
    WeightShare, ///< overall: Σ_c |W_cj| / Σ|W|; for one label: |W_cj| / Σ_j |W_cj|
    Rank, ///< 1 − rank/N of the neuron in the (overall or label) ranking, rank 0 = most salient
};

struct SalienceMatrix {
    int layers = 0, dims = 0;
    std::vector<int> layerIds; ///< original layer of each row
    RowMatrixF values;         ///< layers × dims; neurons the probe did not use are NaN
    /// For each row, the neuron index within the layer at each position when sorted by salience
    /// (descending): sortedIndex(l, p) = index of the p-th most salient neuron of layer l.
    Eigen::Matrix<int, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> sortedIndex;
    std::vector<int>
        rankOf; ///< rank (0 = most salient) of each flat position l·dims + d; -1 unused
};

/**
 * Salience of every neuron of a probe. @p label: class row, or −1 for all labels. @p layerIds
 * and @p dims describe the probe's input layout (Dataset::layerIds, dims); probe.columns are
 * dataset columns. Ranking ties by ascending index. Throws salient::Error on inconsistent sizes.
 */
SalienceMatrix salienceMatrix(const Probe &probe, const std::vector<int> &layerIds, int dims,
                              int label = -1, SalienceMode mode = SalienceMode::WeightShare);

/**
 * The salience matrix of a probe report, ranked by THE report's ranking: rankOf / Rank values come
 * from report.ordering (label −1) or report.perLabel[label], and sortedIndex orders each layer by
 * that rank, so "top-k" in the heatmap is exactly the first k of the ordering the layer
 * distribution and the inspector use. WeightShare values are the weight shares as above. Rows are
 * the report's loaded layers; rankOf is indexed by column. Throws salient::Error for a label
 * outside −1..classes−1 or a report whose probe and layout disagree.
 */
SalienceMatrix salienceMatrix(const ProbeReport &report, int label, SalienceMode mode);

/// Neurons whose cumulative weight share (most salient first) stays within @p mass (0..1], plus
/// the one that crosses it — the heatmap's threshold. Flat positions l·dims + d.
NeuronList withinCumulativeMass(const SalienceMatrix &m, double mass);

} // namespace salient
