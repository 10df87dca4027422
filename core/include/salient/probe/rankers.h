#pragma once
// Alternative neuron rankers (spec/NEUROX.md §12.2, §12.3, §12.6):
// - average precision (NeuroX 'IoU'): per neuron, scikit-learn's average_precision_score of its
//   (thresholded) activation for a binary task "tag vs rest";
// - the Gaussian probe (Torroba Hennigen et al., EMNLP 2020): per-class Gaussians with a
//   conjugate prior and greedy forward selection by training-set mutual information.
// Both work on a column subset (e.g. the representatives of correlation clustering, §12.4) and
// report dataset columns (positions of X), never flat neuron indices.
#include "salient/analyses/experiment.h"
#include "salient/util/error.h"
#include "salient/util/matrix.h"

#include <Eigen/Core>
#include <QStringList>
#include <vector>

namespace salient {

// ---------------------------------------------------------------------------------------------
// Average precision (NeuroX 'IoU'), spec §12.2
// ---------------------------------------------------------------------------------------------

/**
 * scikit-learn's average_precision_score for binary labels: scores sorted descending, one
 * operating point per *distinct* score (tied scores enter together),
 * AP = Σ_k (R_k − R_{k−1}) · P_k with P_k = TP_k / (TP_k + FP_k), R_k = TP_k / P.
 * @p positive[i] != 0 marks a positive. Throws salient::Error on a size mismatch, an empty
 * input or a non-finite score (scikit-learn rejects NaN/Inf). Without positives the result is 0
 * (scikit-learn's value, with its warning).
 */
double averagePrecision(const std::vector<float> &scores, const std::vector<char> &positive);

/**
 * Result of averagePrecisionRanking().
 */
struct AveragePrecisionRanking {
    Status status = Status::Ok;
    NeuronList columns;        ///< the scored columns of X, in the order given
    std::vector<double> score; ///< AP of columns[i]
    NeuronList order;          ///< columns of X by descending AP, ties by ascending column
};

/**
 * Average precision (NeuroX 'IoU') ranking, spec §12.2: positives are the rows with
 * y == @p positiveClass (the task is "that label vs rest"); each neuron's activation, with
 * |x| < @p threshold (default 0.05) read as 0, scores the positives by averagePrecision().
 * Unlike NeuroX the threshold is applied to a per-column copy; the caller's X is not modified.
 * Memory: one column copy (rows × (4 + 4) bytes) per worker thread.
 * @param columns  columns of X to score (empty = all).
 * Throws salient::Error when y and X disagree in rows, the threshold is negative or not finite,
 * a column is out of range, or the rows do not contain both positives and negatives.
 * Progress: one step per column; cancel → status Cancelled and empty order.
 */
AveragePrecisionRanking
averagePrecisionRanking(const Eigen::Ref<const RowMatrixF> &X, const VectorI &y, int positiveClass,
                        double threshold = 0.05, const NeuronList &columns = {},
                        const ExperimentProgress &progress = {}, int threads = 0);

// ---------------------------------------------------------------------------------------------
// Gaussian probe, spec §12.3
// ---------------------------------------------------------------------------------------------

/// NeuroX's advice (get_neuron_ordering docstring): keep the modelled and selected neuron counts
/// below about 400; above, Gaussian results carry a warning.
inline constexpr int kGaussianNeuronWarning = 400;

/**
 * Per-class Gaussians with the conjugate prior of NeuroX (spec §12.3), over D modelled columns:
 * μ0 = the class's empirical mean, Λ0 = diag(unbiased empirical variances, as np.cov),
 * ν0 = D + 2, κ0 = 0.01; μ* = (κ0·μ0 + N·μ̂)/(κ0 + N) (= μ̂); Σ* = (Λ0 + S)/(ν0 + N + D + 2) with
 * S the scatter matrix. Log prior = log(N_c / N). Classes without training rows are skipped
 * (never predicted), as NeuroX does. Memory: C · D² · 8 bytes for the covariances.
 */
struct GaussianProbe {
    int classes = 0;                         ///< label range 0..classes−1
    NeuronList columns;                      ///< modelled columns of X (D = size)
    std::vector<Index> counts;               ///< training rows per class
    Eigen::VectorXd logPrior;                ///< log(N_c / N); −inf for absent classes
    std::vector<Eigen::VectorXd> mean;       ///< μ* per class (D)
    std::vector<Eigen::MatrixXd> covariance; ///< Σ* per class (D × D), positive definite
    std::vector<double> eigenShift;          ///< per class: total diagonal added by the fixes
    QStringList warnings;
    bool present(int c) const { return counts[size_t(c)] > 0; }
    int dims() const { return int(columns.size()); }
};

/**
 * NeuroX's negative-eigenvalue fix (spec §12.3): when λ_min(Σ) < 0 (SelfAdjointEigenSolver),
 * Σ −= 10·λ_min·I. Salient addition: if afterwards λ_min is still below
 * 1e-8 · max(trace/D, 1e-300) (e.g. a neuron constant within the class gives λ_min = 0), that
 * floor is restored by adding (floor − λ_min)·I, so every principal sub-block is positive
 * definite. Returns the total added to the diagonal (0 when nothing was needed).
 */
double fixCovariance(Eigen::MatrixXd &sigma);

/// Bytes of trainGaussianProbe() for @p classes × @p neurons: 8·C·D² (covariances) + 8·D²
/// (eigen workspace).
double gaussianProbeMemoryBytes(int classes, Index neurons);

/**
 * Trains the Gaussian probe on the rows of X with labels y in 0..classes−1.
 * @param columns  columns of X to model (empty = all); use a pre-filter for large D.
 * @param memoryBudgetBytes  refuse (salient::Error) when gaussianProbeMemoryBytes() exceeds it
 *                           (default 2 GiB).
 * Throws salient::Error on a row mismatch, labels out of range, fewer than 2 classes present,
 * non-finite values, or an out-of-range column. Warns above kGaussianNeuronWarning columns.
 */
GaussianProbe trainGaussianProbe(const Eigen::Ref<const RowMatrixF> &X, const VectorI &y,
                                 int classes, const NeuronList &columns = {},
                                 double memoryBudgetBytes = 2.0 * 1024.0 * 1024.0 * 1024.0);

/**
 * Log posterior log p(c | x_sel) (rows × classes, −inf for absent classes) under the probe's
 * Gaussians restricted to @p selected (columns of X that the probe models, any order; empty =
 * all modelled columns): log N(x_sel; μ*_sel, Σ*_sel) + log prior, normalised by log-sum-exp.
 * Uses the Cholesky factor (LLT) of each class's selected sub-covariance.
 */
Eigen::MatrixXd gaussianLogPosterior(const GaussianProbe &probe,
                                     const Eigen::Ref<const RowMatrixF> &X,
                                     const NeuronList &selected = {});

/// argmax_c of gaussianLogPosterior (ties: lowest class).
VectorI gaussianPredict(const GaussianProbe &probe, const Eigen::Ref<const RowMatrixF> &X,
                        const NeuronList &selected = {});

/// Accuracy of gaussianPredict on (X, y) — NeuroX evaluate_probe with selected_neurons.
double gaussianAccuracy(const GaussianProbe &probe, const Eigen::Ref<const RowMatrixF> &X,
                        const VectorI &y, const NeuronList &selected = {});

/**
 * Mutual information in bits on (X, y) as NeuroX's _predict: (H(prior of y on these rows) −
 * mean_i(−log p(y_i | x_i))) / ln 2, entropies in nats.
 */
double gaussianMutualInformation(const GaussianProbe &probe, const Eigen::Ref<const RowMatrixF> &X,
                                 const VectorI &y, const NeuronList &selected = {});

/**
 * Result of gaussianGreedySelection().
 */
struct GaussianSelection {
    Status status = Status::Ok;
    NeuronList order;                      ///< columns of X, in selection order
    std::vector<double> mutualInformation; ///< training MI (bits) after each selection
    std::vector<double> trainAccuracy;     ///< training accuracy after each selection
    bool manyNeurons = false;              ///< D or k above kGaussianNeuronWarning
    QStringList warnings;
};

/**
 * get_neuron_ordering (spec §12.3): greedy forward selection of @p k neurons; each step adds the
 * candidate that maximises the training-set mutual information in bits (ties: the first
 * candidate in column order, as NeuroX's strict '>'). @p X and @p y must be the training rows.
 * Efficient step: per class the Cholesky factor L of Σ*[S,S] and the whitened residuals
 * L⁻¹(x_S − μ_S) of every row are computed once per step; a candidate j then only needs
 * l = L⁻¹Σ*[S,j], d² = Σ*[j,j] − |l|² and one matrix–vector product, i.e. the Cholesky factor of
 * the (s+1) × (s+1) sub-block by extension. Candidates run in parallel (parallelFor).
 * Memory: 8 · C · k · rows bytes of residuals + 8 · C · rows per thread.
 * Throws salient::Error when k < 1 or k > D, or on the same problems as gaussianLogPosterior.
 * Progress: one step per candidate evaluation; cancel → status Cancelled with the neurons
 * selected so far.
 */
GaussianSelection gaussianGreedySelection(const GaussianProbe &probe,
                                          const Eigen::Ref<const RowMatrixF> &X, const VectorI &y,
                                          int k, const ExperimentProgress &progress = {},
                                          int threads = 0);

/**
 * Convenience for the experiment runner: trains on data.train restricted to @p columns (empty =
 * all), selects @p k neurons greedily and reports the accuracy of the selected neurons on the
 * selection split (dev, else train) and on test (NaN without test).
 */
struct GaussianRanking {
    GaussianSelection selection;
    double selectionAccuracy = 0;
    double testAccuracy = 0;
    QStringList warnings; ///< probe and selection warnings
};
GaussianRanking gaussianRanking(const ExperimentData &data, int k, const NeuronList &columns = {},
                                const ExperimentProgress &progress = {});

} // namespace salient
