#pragma once
// Neuron rankings (spec/NEUROX.md §7 and §12.1, paper Algorithm 3). All functions take the
// absolute weights A = |W| (classes × neurons, one row for regression) and return positions into
// its columns; map through Probe::columns to get flat neuron indices.
#include "salient/util/matrix.h"

#include <QtGlobal>

namespace salient {

struct NeuronSelection {
    NeuronList overall;               ///< union over classes, ascending
    std::vector<NeuronList> perClass; ///< per class, in the class's selection order
};

/// get_top_neurons: per class the shortest prefix (by |W| descending, ties by ascending index)
/// whose cumulative mass >= percentage · class total, crossing neuron included; p > 1 → all.
/// @p neuroxNumerics: numpy's pairwise float32 total and sequential float32 cumsum (spec §7.2).
NeuronSelection topNeurons(const Eigen::Ref<const MatrixF> &A, double percentage,
                           bool neuroxNumerics = true);
/// get_bottom_neurons: the same with neurons sorted ascending.
NeuronSelection bottomNeurons(const Eigen::Ref<const MatrixF> &A, double percentage,
                              bool neuroxNumerics = true);
/// get_top_neurons_hard_threshold: A_cj > max_j A_cj / fraction (strict, divides).
NeuronSelection topNeuronsHardThreshold(const Eigen::Ref<const MatrixF> &A, double fraction);
/// get_random_neurons: Bernoulli(probability) per neuron, seeded; ascending.
NeuronList randomNeurons(int neurons, double probability, quint64 seed);
/// Exactly @p count distinct random neurons (seeded), ascending.
NeuronList randomNeuronsCount(int neurons, int count, quint64 seed);

struct NeuronOrdering {
    NeuronList order;         ///< most salient first; may be shorter than the neuron count
    std::vector<int> cutoffs; ///< cumulative length after each block (S + 1 entries)
};
/// get_neuron_ordering with search stride S (default 100; 1000 for minimal-subset search).
/// Inside a block: descending max_c A_cj, ties by ascending index (Salient's deterministic choice).
NeuronOrdering neuronOrdering(const Eigen::Ref<const MatrixF> &A, int searchStride = 100);
/// get_neuron_ordering_granular; stops gracefully when |T_S| < neurons.
NeuronList neuronOrderingGranular(const Eigen::Ref<const MatrixF> &A, int granularity = 50,
                                  int searchStride = 100);
/// get_fixed_number_of_bottom_neurons: last n of neuronOrdering(A, 100).
NeuronList fixedNumberOfBottomNeurons(const Eigen::Ref<const MatrixF> &A, int n);
/// Per-class ranking: neurons by A_cj descending, ties by ascending index (full length).
NeuronList classRanking(const Eigen::Ref<const MatrixF> &A, int classIndex);

/// Probeless ranking (Antverg & Belinkov; spec §12.1): class means over labels present,
/// score_j = Σ_{c<c'} |q_cj − q_c'j|; ranking descending, ties by ascending index.
struct ProbelessRanking {
    NeuronList overall;
    VectorF overallScore;
    std::vector<NeuronList>
        perClass; ///< score_j = Σ_{c≠t} |q_tj − q_cj|; empty list for absent classes
};
ProbelessRanking probelessRanking(const Eigen::Ref<const RowMatrixF> &X, const VectorI &y,
                                  int classes);

} // namespace salient
