// Linear probe evaluation (spec/NEUROX.md §5, §8.1): outputs with masking, loss and gradient, and
// the helpers they share with training (probe_p.h). See probe.h for the contracts.
#include "salient/probe/probe.h"

#include "probe_p.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace salient {

namespace probe_detail {

bool isIdentity(const NeuronList &columns, Index width)
{
    if (Index(columns.size()) != width)
        return false;
    for (std::size_t j = 0; j < columns.size(); ++j)
        if (columns[j] != int(j))
            return false;
    return true;
}

void checkColumns(const NeuronList &columns, Index width, const char *what)
{
    for (std::size_t j = 0; j < columns.size(); ++j) {
        if (columns[j] < 0 || columns[j] >= width)
            throw Error(QStringLiteral("%1: column %2 (position %3) is out of range; X has %4 "
                                       "neurons (valid 0..%5)")
                            .arg(QString::fromLatin1(what))
                            .arg(columns[j])
                            .arg(j)
                            .arg(width)
                            .arg(width - 1));
    }
}

/// x' = (x − mean) · scale on the first @p count rows of @p buf; nothing when @p mean is empty.
void standardizeRows(RowMatrixF &buf, Index count, const VectorF &mean, const VectorF &scale)
{
    if (mean.size() > 0) {
        auto block = buf.topRows(count);
        block = ((block.rowwise() - mean.transpose()).array().rowwise() * scale.transpose().array())
                    .matrix();
    }
}

/// Copies X(rowIndex[i], columns) into the first rows of @p buf (columns empty = all), then applies
/// the standardisation when @p mean is non-empty. One contiguous row copy per row when all columns.
void gatherRows(const Eigen::Ref<const RowMatrixF> &X, const Index *rowIndex, Index count,
                const NeuronList &columns, const VectorF &mean, const VectorF &scale,
                RowMatrixF &buf)
{
    gatherDenseRows(X, rowIndex, count, columns, buf);
    standardizeRows(buf, count, mean, scale);
}

/// λ1·Σ|W| + λ2·‖W‖_F (spec §5.3); adds the (sub)gradient to @p gW when @p gW is not null.
float addPenalty(const MatrixF &W, float l1, float l2, MatrixF *gW)
{
    float penalty = 0.0f;
    if (l1 > 0.0f) {
        penalty += l1 * W.cwiseAbs().sum();
        if (gW)
            gW->array() += l1 * W.array().sign(); // sign(0) = 0
    }
    if (l2 > 0.0f) {
        const float norm = W.norm();
        penalty += l2 * norm;
        if (gW && norm > 0.0f)
            gW->noalias() += (l2 / norm) * W; // gradient defined as 0 when ‖W‖_F = 0
    }
    return penalty;
}

/// Columns / rows / targets of a probe evaluation, validated; X gathered per chunk.
void checkProbe(const Probe &probe, Index xCols)
{
    if (probe.W.size() == 0 || probe.b.size() != probe.W.rows())
        throw Error(QStringLiteral("probe is empty or inconsistent (W %1×%2, b %3)")
                        .arg(probe.W.rows())
                        .arg(probe.W.cols())
                        .arg(probe.b.size()));
    if (!probe.columns.empty() && Index(probe.columns.size()) != probe.W.cols())
        throw Error(QStringLiteral("probe has %1 inputs but %2 column indices")
                        .arg(probe.W.cols())
                        .arg(probe.columns.size()));
    if (probe.columns.empty() && probe.W.cols() != xCols)
        throw Error(QStringLiteral("probe has %1 inputs but X has %2 neurons")
                        .arg(probe.W.cols())
                        .arg(xCols));
    checkColumns(probe.columns, xCols, "probe");
    if (probe.mean.size() != 0
        && (probe.mean.size() != probe.W.cols() || probe.scale.size() != probe.W.cols()))
        throw Error(QStringLiteral("probe standardisation has %1 means / %2 scales for %3 inputs")
                        .arg(probe.mean.size())
                        .arg(probe.scale.size())
                        .arg(probe.W.cols()));
}

/// All rows of X as the probe's (standardised) inputs; used by the test helpers only.
RowMatrixF probeInputs(const Probe &probe, const Eigen::Ref<const RowMatrixF> &X)
{
    checkProbe(probe, X.cols());
    RowMatrixF buf(X.rows(), probe.W.cols());
    std::vector<Index> idx(static_cast<std::size_t>(X.rows()));
    std::iota(idx.begin(), idx.end(), Index(0));
    const NeuronList cols = isIdentity(probe.columns, X.cols()) ? NeuronList{} : probe.columns;
    gatherRows(X, idx.data(), X.rows(), cols, probe.mean, probe.scale, buf);
    return buf;
}

void checkTargets(const Probe &probe, Index rows, const VectorI &y, const VectorF &yValue)
{
    if (rows == 0)
        throw Error(QStringLiteral("no rows to evaluate the probe loss on"));
    if (probe.regression) {
        if (yValue.size() != rows)
            throw Error(QStringLiteral("regression targets: %1 values for %2 rows")
                            .arg(yValue.size())
                            .arg(rows));
    } else {
        if (y.size() != rows)
            throw Error(
                QStringLiteral("class labels: %1 values for %2 rows").arg(y.size()).arg(rows));
        for (Index i = 0; i < rows; ++i)
            if (y[i] < 0 || y[i] >= probe.classes())
                throw Error(QStringLiteral("class label %1 at row %2 is outside 0..%3")
                                .arg(y[i])
                                .arg(i)
                                .arg(probe.classes() - 1));
    }
}

} // namespace probe_detail

using namespace probe_detail;

MatrixF probeOutputs(const Probe &probe, const Eigen::Ref<const RowMatrixF> &X,
                     const NeuronList &zeroed)
{
    checkProbe(probe, X.cols());
    checkColumns(zeroed, X.cols(), "zeroed neurons");
    const Index N = X.rows();
    const Index K = probe.W.cols();
    MatrixF out(N, probe.W.rows());
    if (N == 0)
        return out;

    // Masking (spec §8.1): a zeroed input contributes nothing, which is exactly a zero weight
    // column; this equals zeroing the (standardised) input and never touches X.
    std::vector<Index> kept; // probe input positions not zeroed (when masking)
    if (!zeroed.empty()) {
        std::vector<char> isZeroed(std::size_t(X.cols()), 0);
        for (int z : zeroed)
            isZeroed[std::size_t(z)] = 1;
        for (Index j = 0; j < K; ++j) {
            const int flat = probe.columns.empty() ? int(j) : probe.columns[std::size_t(j)];
            if (!isZeroed[std::size_t(flat)])
                kept.push_back(j);
        }
    }
    const bool identity = probe.columns.empty() || isIdentity(probe.columns, X.cols());
    // Reused per thread: no fresh multi-MB buffer (and its page faults) per call.
    thread_local RowMatrixF buf;
    thread_local MatrixF Wk;
    const Index chunk = std::min<Index>(N, 2048);
    if (!zeroed.empty() && Index(kept.size()) * 2 <= K) {
        // Most inputs masked (top / random / bottom keeps): multiply only the kept columns, the
        // same sum without the zero terms (equal up to float rounding order).
        const Index k = Index(kept.size());
        NeuronList cols(kept.size());
        VectorF mean, scale;
        if (probe.mean.size() > 0) {
            mean.resize(k);
            scale.resize(k);
        }
        Wk.resize(probe.W.rows(), k);
        for (Index j = 0; j < k; ++j) {
            const Index pos = kept[std::size_t(j)];
            cols[std::size_t(j)] =
                probe.columns.empty() ? int(pos) : probe.columns[std::size_t(pos)];
            Wk.col(j) = probe.W.col(pos);
            if (probe.mean.size() > 0) {
                mean[j] = probe.mean[pos];
                scale[j] = probe.scale[pos];
            }
        }
        out.setZero();
        if (k > 0) {
            if (buf.rows() < chunk || buf.cols() != k)
                buf.resize(chunk, k);
            std::vector<Index> idx(static_cast<std::size_t>(chunk));
            for (Index s = 0; s < N; s += chunk) {
                const Index n = std::min<Index>(chunk, N - s);
                std::iota(idx.begin(), idx.begin() + n, s);
                gatherRows(X, idx.data(), n, cols, mean, scale, buf);
                out.middleRows(s, n).noalias() = buf.topRows(n) * Wk.transpose();
            }
        }
        out.rowwise() += probe.b.transpose();
        return out;
    }
    const MatrixF *W = &probe.W;
    if (!zeroed.empty()) {
        Wk = probe.W;
        std::vector<char> keep(std::size_t(K), 0);
        for (Index j : kept)
            keep[std::size_t(j)] = 1;
        for (Index j = 0; j < K; ++j)
            if (!keep[std::size_t(j)])
                Wk.col(j).setZero();
        W = &Wk;
    }

    if (identity && probe.mean.size() == 0) {
        out.noalias() = X * W->transpose();
        out.rowwise() += probe.b.transpose();
        return out;
    }
    const NeuronList cols = identity ? NeuronList{} : probe.columns;
    if (buf.rows() < chunk || buf.cols() != K)
        buf.resize(chunk, K);
    std::vector<Index> idx(static_cast<std::size_t>(chunk));
    for (Index s = 0; s < N; s += chunk) {
        const Index n = std::min<Index>(chunk, N - s);
        std::iota(idx.begin(), idx.begin() + n, s);
        gatherRows(X, idx.data(), n, cols, probe.mean, probe.scale, buf);
        out.middleRows(s, n).noalias() = buf.topRows(n) * W->transpose();
    }
    out.rowwise() += probe.b.transpose();
    return out;
}

MatrixF probeOutputs(const Probe &probe, const FeatureSource &source, const NeuronList &zeroed)
{
    if (const Eigen::Ref<const RowMatrixF> *dense = source.dense())
        return probeOutputs(probe, *dense, zeroed);
    checkProbe(probe, source.cols());
    checkColumns(zeroed, source.cols(), "zeroed neurons");
    const Index N = source.rows();
    MatrixF out(N, probe.W.rows());
    if (N == 0)
        return out;
    MatrixF W = probe.W;
    if (!zeroed.empty()) {
        std::vector<char> isZeroed(std::size_t(source.cols()), 0);
        for (int z : zeroed)
            isZeroed[std::size_t(z)] = 1;
        for (Index j = 0; j < W.cols(); ++j) {
            const int flat = probe.columns.empty() ? int(j) : probe.columns[std::size_t(j)];
            if (isZeroed[std::size_t(flat)])
                W.col(j).setZero();
        }
    }
    const bool identity = probe.columns.empty() || isIdentity(probe.columns, source.cols());
    std::vector<Index> order(static_cast<std::size_t>(N));
    std::iota(order.begin(), order.end(), Index(0));
    const Index chunk = std::min<Index>(N, 4096);
    auto reader = source.read(std::move(order), chunk, identity ? NeuronList{} : probe.columns);
    RowMatrixF buf;
    Index s = 0;
    for (Index n; (n = reader->next(buf)) > 0; s += n) {
        standardizeRows(buf, n, probe.mean, probe.scale);
        out.middleRows(s, n).noalias() = buf.topRows(n) * W.transpose();
    }
    out.rowwise() += probe.b.transpose();
    return out;
}

double probeLoss(const Probe &probe, const Eigen::Ref<const RowMatrixF> &X, const VectorI &y,
                 const VectorF &yValue, double l1, double l2)
{
    checkTargets(probe, X.rows(), y, yValue);
    const RowMatrixF inputs = probeInputs(probe, X);
    BatchKernel kernel(probe.regression, probe.classes(), probe.inputs());
    const float data = kernel.dataTerm(inputs, probe.W, probe.b, y.data(), yValue.data());
    return double(data) + double(addPenalty(probe.W, float(l1), float(l2), nullptr));
}

void probeGradient(const Probe &probe, const Eigen::Ref<const RowMatrixF> &X, const VectorI &y,
                   const VectorF &yValue, double l1, double l2, MatrixF &gW, VectorF &gb)
{
    checkTargets(probe, X.rows(), y, yValue);
    const RowMatrixF inputs = probeInputs(probe, X);
    BatchKernel kernel(probe.regression, probe.classes(), probe.inputs());
    kernel.dataTerm(inputs, probe.W, probe.b, y.data(), yValue.data());
    addPenalty(probe.W, float(l1), float(l2), &kernel.gW());
    gW = kernel.gW();
    gb = kernel.gb();
}

} // namespace salient
