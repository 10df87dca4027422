#pragma once
// A classification probe whose inputs (neurons) are split into column blocks held by different
// processes (salient-cli-mpi probe --distribute features, docs/cluster.md). MPI-free: the one
// collective it needs is a BlockReducer the caller provides.
//
// Per mini-batch each process computes its partial logits Xb_r · W_rᵀ (batch × classes) and its
// partial penalty sums (Σ|W_r|, Σ W_r²); one reducer.sum over those batch·classes + 2 floats is
// all the communication. Softmax, loss, the gradient wrt the logits and b are then identical on
// every process; each updates only its block of W (Adam, as trainProbe).
//
// Equality with trainProbe (same options, same seed): initialisation draws, epoch permutations
// (full or block-shuffled, ProbeOptions::shuffleBlockRows) and the per-element arithmetic are the
// same; only the logits' sum over neurons is split into one
// partial sum per block, so W differs by float rounding (docs/performance.md states the measured
// max |ΔW|). With one block it is trainProbe's computation.
#include "salient/probe/probe.h"

namespace salient {

/// Sums arrays over the processes of a feature-distributed probe.
class BlockReducer {
public:
    virtual ~BlockReducer();
    /// Replaces @p values (the same @p count on every process) by their sum over the processes.
    /// Must give bit-identical results on every process (e.g. gather, then add in process order).
    virtual void sum(float *values, Index count) = 0;
};

struct BlockTrainResult {
    Status status = Status::Ok;
    MatrixF W;                     ///< classes × this process's columns
    VectorF b;                     ///< classes (the same on every process)
    std::vector<double> epochLoss; ///< as TrainResult::epochLoss (the same on every process)
};

/**
 * Trains this process's block: @p X holds all training rows and columns
 * [columnOffset, columnOffset + X.cols()) of the probe's @p totalColumns inputs; @p y the class of
 * every row (0..classes−1). Classification only, no standardisation (throws salient::Error
 * otherwise). Every process must call it with the same rows, labels, options and totalColumns.
 */
BlockTrainResult trainProbeBlock(const Eigen::Ref<const RowMatrixF> &X, const VectorI &y,
                                 int classes, const ProbeOptions &options, Index columnOffset,
                                 Index totalColumns, BlockReducer &reducer);

/// Accuracy of a block-distributed probe on rows @p X (this process's columns) with labels @p y;
/// the same value on every process. Reduces @p chunk rows × classes at a time.
double blockAccuracy(const Eigen::Ref<const RowMatrixF> &X, const VectorI &y, const MatrixF &W,
                     const VectorF &b, BlockReducer &reducer, Index chunk = 4096);

} // namespace salient
