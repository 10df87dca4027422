#pragma once
// Private to core/src/probe: the pieces shared by probe training (probe.cpp) and probe evaluation
// (probeeval.cpp). Not installed; core only. Errors are salient::Error.
#include "salient/probe/probe.h"

#include <cmath>
#include <functional>
#include <vector>

namespace salient::probe_detail {

/// True when @p columns is exactly 0..width−1 in order.
bool isIdentity(const NeuronList &columns, Index width);

/// Throws salient::Error (naming @p what) when a column is outside 0..width−1.
void checkColumns(const NeuronList &columns, Index width, const char *what);

/// x' = (x − mean) · scale on the first @p count rows of @p buf; nothing when @p mean is empty.
void standardizeRows(RowMatrixF &buf, Index count, const VectorF &mean, const VectorF &scale);

/// Copies X(rowIndex[i], columns) into the first rows of @p buf (columns empty = all), then applies
/// the standardisation when @p mean is non-empty. One contiguous row copy per row when all columns.
void gatherRows(const Eigen::Ref<const RowMatrixF> &X, const Index *rowIndex, Index count,
                const NeuronList &columns, const VectorF &mean, const VectorF &scale,
                RowMatrixF &buf);

/// Cross-entropy of one logit row @p z (its maximum @p mx, target class @p t), returned as
/// logΣexp(z − mx) − (z_t − mx); @p z is overwritten by its gradient (softmax − onehot)·invB.
/// Shared by BatchKernel and the feature-distributed trainer (blockprobe.cpp).
template <typename Row> float softmaxCrossEntropyRow(Row &&z, float mx, int t, float invB)
{
    const float shifted = z(t) - mx;
    z.array() = (z.array() - mx).exp();
    const float sum = z.sum();
    z *= invB / sum;
    z(t) -= invB;
    return std::log(sum) - shifted;
}

/// Loss and gradient of one mini-batch (spec §5.3), in float32, with reusable buffers.
class BatchKernel {
public:
    BatchKernel(bool regression, int classes, Index inputs) : m_regression(regression)
    {
        m_gW.resize(classes, inputs);
        m_gb.resize(classes);
    }

    /// Data term (mean CE / MSE over the batch) at (W, b); gradient of that term into gW / gb.
    /// @p yIdx / @p yVal hold the batch targets (the one that applies to the task).
    float dataTerm(const Eigen::Ref<const RowMatrixF> &Xb, const MatrixF &W, const VectorF &b,
                   const int *yIdx, const float *yVal)
    {
        const Index B = Xb.rows();
        const Index C = W.rows();
        if (m_logits.rows() != B || m_logits.cols() != C)
            m_logits.resize(B, C);
        m_logits.noalias() = Xb * W.transpose();
        m_logits.rowwise() += b.transpose();
        const float invB = 1.0f / float(B);
        float loss = 0.0f;
        if (m_regression) {
            // MSE on the squeezed single output; d/d out = 2 (out − t) / B.
            for (Index i = 0; i < B; ++i) {
                const float d = m_logits(i, 0) - yVal[i];
                loss += d * d;
                m_logits(i, 0) = 2.0f * d * invB;
            }
        } else {
            // Stable log-softmax per row; CE = logΣexp(z − max) − (z_y − max);
            // d/dz = (softmax − onehot) / B. m_logits is overwritten by the gradient G.
            m_correct = 0;
            for (Index i = 0; i < B; ++i) {
                auto z = m_logits.row(i);
                Index arg = 0;
                const float mx = z.maxCoeff(&arg);
                const int t = yIdx[i];
                m_correct += arg == t ? 1 : 0;
                loss += softmaxCrossEntropyRow(z, mx, t, invB);
            }
        }
        m_gW.noalias() = m_logits.transpose() * Xb;
        m_gb.noalias() = m_logits.colwise().sum().transpose();
        return loss * invB;
    }

    MatrixF &gW() { return m_gW; }
    VectorF &gb() { return m_gb; }
    /// Rows of the last classification batch whose argmax logit (before the update) was the target.
    Index correct() const { return m_correct; }

private:
    bool m_regression;
    Index m_correct = 0;
    RowMatrixF m_logits; ///< logits, then the gradient G wrt the logits
    MatrixF m_gW;
    VectorF m_gb;
};

/// One probe of a fused training: what differs between the probes of one pass (fusedtrain.cpp).
struct FusedProbe {
    int classes = 0;
    const int *y = nullptr; ///< class targets indexed by row of X; null for regression
    float l1 = 0, l2 = 0, lr = 0;
    MatrixF W; ///< initial weights, classes × inputs
    VectorF b; ///< initial bias
};

/// What the probes of one fused training share: X, rows, columns, batch order and schedule.
struct FusedShared {
    const FeatureSource *source = nullptr;
    bool regression = false;
    const float *yValue = nullptr; ///< regression targets indexed by row of X
    std::vector<Index> order;      ///< row of X for each training position
    NeuronList gatherCols;         ///< columns of X (empty = all)
    Index inputs = 0;              ///< number of columns the probes see
    int epochs = 0;
    Index batch = 0;
    VectorF mean, scale; ///< standardisation (empty = off)
    /// Fills perm (size order.size()) with the positions of epoch e; null = unshuffled.
    std::function<void(int epoch, std::vector<Index> &perm)> permute;
    /// Most threads trainFused may use (0 = omp_get_max_threads()); 1 when groups of probes
    /// train side by side (trainProbes).
    int threads = 0;
};

/// Trains @p probes in one pass per epoch (probe.h, trainProbes). Results keep the probes' order;
/// each result's probe has W and b set (columns, labels and standardisation are left to the
/// caller).
std::vector<TrainResult> trainFused(const FusedShared &shared, std::vector<FusedProbe> &probes,
                                    const TrainCallback &callback);

/// λ1·Σ|W| + λ2·‖W‖_F (spec §5.3); adds the (sub)gradient to @p gW when @p gW is not null.
float addPenalty(const MatrixF &W, float l1, float l2, MatrixF *gW);

/// Columns / rows / targets of a probe evaluation, validated; X gathered per chunk.
void checkProbe(const Probe &probe, Index xCols);

/// All rows of X as the probe's (standardised) inputs; used by the test helpers only.
RowMatrixF probeInputs(const Probe &probe, const Eigen::Ref<const RowMatrixF> &X);

/// Throws salient::Error unless the targets fit the probe and the @p rows rows.
void checkTargets(const Probe &probe, Index rows, const VectorI &y, const VectorF &yValue);

} // namespace salient::probe_detail
