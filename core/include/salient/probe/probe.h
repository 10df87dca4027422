#pragma once
// Linear probes (spec/NEUROX.md §5, paper Algorithm 1): multinomial logistic regression (or linear
// regression) with NeuroX's elastic-net loss, trained with PyTorch-style Adam.
#include "salient/data/features.h"
#include "salient/util/error.h"
#include "salient/util/matrix.h"

#include <QString>
#include <QStringList>
#include <functional>
#include <optional>
#include <vector>

namespace salient {

struct ProbeOptions {
    bool regression = false; ///< linear regression probe (MSE) instead of logistic (CE)
    double l1 = 0.0;         ///< λ1 · Σ|W| added to every batch loss (not normalised), W only
    double l2 = 0.0;         ///< λ2 · ‖W‖_F (not squared), W only
    int epochs = 10;
    int batchSize = 32; ///< NeuroX API default; presets 32 / 128 / 512
    double learningRate = 1e-3;
    quint64 seed = 1;    ///< drives initialisation and shuffling
    bool shuffle = true; ///< seeded permutation per epoch; NeuroX-compatible mode: false
    /// With shuffle: 0 = full permutation of the rows; > 0 = block-shuffled order
    /// (blockShuffledPermutation, blocks of this many consecutive rows), for streamed files.
    int shuffleBlockRows = 0;
    bool standardize = false; ///< z-score each neuron with train mean/std before training
    /// NeuroX-compatible: consecutive unshuffled batches, no standardisation (overrides both).
    bool neuroxCompatible = false;
    /// Throws salient::Error with a readable message for invalid values.
    void validate() const;
};

/// A trained probe. Columns are the flat neuron indices it was trained on.
struct Probe {
    bool regression = false;
    MatrixF W;           ///< classes × inputs (1 row for regression)
    VectorF b;           ///< classes
    NeuronList columns;  ///< flat neuron index of each input (size = W.cols())
    QStringList labels;  ///< class names (empty for regression)
    VectorF mean, scale; ///< standardisation (empty when off): x' = (x − mean) · scale
    int classes() const { return int(W.rows()); }
    int inputs() const { return int(W.cols()); }
};

struct TrainProgress {
    int epoch = 0; ///< 0-based
    int epochs = 0;
    Index batch = 0; ///< 0-based within the epoch
    Index batches = 0;
    double batchLoss = 0; ///< full loss of this batch (CE/MSE + penalties)
    /// Training accuracy of this batch before its update (argmax = target); NaN for regression.
    double batchAccuracy = 0;
};
/// Called after every batch (from the training thread); return false to cancel.
using TrainCallback = std::function<bool(const TrainProgress &)>;

struct TrainResult {
    Status status = Status::Ok;
    Probe probe;                   ///< valid only when status == Ok
    std::vector<double> epochLoss; ///< true mean training loss per epoch (data term + penalties)
    std::vector<double> neuroxEpochLoss; ///< NeuroX's printed value Σ_batches L_batch / N
};

/**
 * Trains a probe on rows @p rows (empty = all) and columns @p columns (empty = all) of @p X.
 * Classification: @p y holds class indices 0..C−1 with C = @p labels.size() >= 2.
 * Regression: @p yValue. @p init, when given, is the starting W/b (golden tests, warm starts);
 * otherwise U(±1/√inputs) from the seed (PyTorch's nn.Linear default).
 * Never copies X: mini-batches are gathered per batch. Thread: any; blocking.
 * Throws salient::Error on invalid options or shapes.
 */
TrainResult trainProbe(const Eigen::Ref<const RowMatrixF> &X, const VectorI &y,
                       const VectorF &yValue, const QStringList &labels,
                       const ProbeOptions &options, const NeuronList &columns = {},
                       const std::vector<Index> &rows = {}, const Probe *init = nullptr,
                       const TrainCallback &callback = {});

/// The same on rows however they are stored (features.h): float32 in memory, float16, or
/// streamed from disk with read-ahead. For the same seed and batch order, Float32 and Streamed
/// give bit-identical weights (same batch values, same arithmetic).
TrainResult trainProbe(const FeatureSource &source, const VectorI &y, const VectorF &yValue,
                       const QStringList &labels, const ProbeOptions &options,
                       const NeuronList &columns = {}, const std::vector<Index> &rows = {},
                       const Probe *init = nullptr, const TrainCallback &callback = {});

/// One probe of a fused training (trainProbes). What may differ between the probes of one call:
/// λ1, λ2, the learning rate, the targets and labels, the initial weights and, when the batch order
/// does not depend on it (no shuffling), the seed. Everything else in @p options must be equal.
struct ProbeJob {
    ProbeOptions options;
    const VectorI *y = nullptr; ///< class targets (classification); null = the call's y
    QStringList labels;         ///< class names of y; empty = the call's labels
    const Probe *init = nullptr;
};

/// True when probes with options @p a and @p b see the same batches in the same order, so that
/// trainProbes can train them in one pass (same epochs, batch size, shuffling, standardisation,
/// task kind and, when shuffling, seed).
bool sameBatchOrder(const ProbeOptions &a, const ProbeOptions &b);

/**
 * Trains several probes on the same rows and columns of @p source in one pass over the data
 * ("fused"): every mini-batch is gathered once and feeds all probes through one wide product
 * (forward X_b·[W1ᵀ W2ᵀ …], gradient X_bᵀ·[G1 G2 …]). Result i is bit-identical to
 * trainProbe(source, job i's targets, …, job i's options) — on any thread count — because both
 * run the same kernels with a fixed blocking, each probe padded to whole kernel tiles.
 * Throws salient::Error when two jobs do not have the same batch order (sameBatchOrder) or on the
 * errors of trainProbe. A probe that diverges stops (status Failed) without stopping the others.
 * @p callback sees job 0's progress after each batch; returning false cancels every probe.
 * Memory: 4 × Σ classes × inputs floats for the weights and Adam state. Thread: any; blocking.
 */
std::vector<TrainResult> trainProbes(const FeatureSource &source, const VectorI &y,
                                     const VectorF &yValue, const QStringList &labels,
                                     const std::vector<ProbeJob> &jobs,
                                     const NeuronList &columns = {},
                                     const std::vector<Index> &rows = {},
                                     const TrainCallback &callback = {});

/// Logits (rows × classes) of @p probe on rows of X. @p zeroed: flat neurons whose input is set to
/// 0 (masking ablation, spec §8.1), applied after standardisation.
MatrixF probeOutputs(const Probe &probe, const Eigen::Ref<const RowMatrixF> &X,
                     const NeuronList &zeroed = {});

/// The same on rows however they are stored (read in chunks of 4,096 rows).
MatrixF probeOutputs(const Probe &probe, const FeatureSource &source,
                     const NeuronList &zeroed = {});

/// Mean loss (data term + penalties) on the given rows, exactly as NeuroX defines it; for tests.
double probeLoss(const Probe &probe, const Eigen::Ref<const RowMatrixF> &X, const VectorI &y,
                 const VectorF &yValue, double l1, double l2);

/// Gradient of probeLoss wrt W and b (analytic), for the finite-difference test.
void probeGradient(const Probe &probe, const Eigen::Ref<const RowMatrixF> &X, const VectorI &y,
                   const VectorF &yValue, double l1, double l2, MatrixF &gW, VectorF &gb);

} // namespace salient
