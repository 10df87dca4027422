#include "salient/probe/blockprobe.h"

#include "salient/util/error.h"

#include "draws_p.h"
#include "probe_p.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace salient {

namespace {

template <typename P> void adamUpdate(P &param, const P &grad, P &m, P &v, int step, float lr)
{
    constexpr double beta1 = 0.9, beta2 = 0.999;
    constexpr float eps = 1e-8f;
    const double bc1 = 1.0 - std::pow(beta1, step);
    const double bc2 = 1.0 - std::pow(beta2, step);
    const float stepSize = float(double(lr) / bc1);
    const float bc2Sqrt = float(std::sqrt(bc2));
    m.array() = m.array() * float(beta1) + grad.array() * float(1.0 - beta1);
    v.array() = v.array() * float(beta2) + float(1.0 - beta2) * grad.array() * grad.array();
    param.array() -= stepSize * (m.array() / (v.array().sqrt() / bc2Sqrt + eps));
}

} // namespace

using namespace probe_detail;

BlockReducer::~BlockReducer() = default;

BlockTrainResult trainProbeBlock(const Eigen::Ref<const RowMatrixF> &X, const VectorI &y,
                                 int classes, const ProbeOptions &options, Index columnOffset,
                                 Index totalColumns, BlockReducer &reducer)
{
    options.validate();
    if (options.regression)
        throw Error(QStringLiteral("a feature-distributed probe is classification only"));
    if (options.standardize && !options.neuroxCompatible)
        throw Error(QStringLiteral("a feature-distributed probe does not standardise its inputs "
                                   "(leave --standardize off)"));
    const Index N = X.rows(), Kr = X.cols(), K = totalColumns;
    const int C = classes;
    if (N == 0 || C < 2 || y.size() != N)
        throw Error(QStringLiteral("feature-distributed probe: %1 rows, %2 labels, %3 classes")
                        .arg(N)
                        .arg(y.size())
                        .arg(C));
    if (columnOffset < 0 || columnOffset + Kr > K)
        throw Error(QStringLiteral("feature-distributed probe: block [%1, %2) outside %3 columns")
                        .arg(columnOffset)
                        .arg(columnOffset + Kr)
                        .arg(K));
    for (Index i = 0; i < N; ++i)
        if (y[i] < 0 || y[i] >= C)
            throw Error(QStringLiteral("class label %1 at row %2 is outside 0..%3")
                            .arg(y[i])
                            .arg(i)
                            .arg(C - 1));

    // Initialisation as trainProbe: all of W class-major, then b; keep this block's columns.
    BlockTrainResult result;
    MatrixF &W = result.W;
    VectorF &b = result.b;
    {
        std::mt19937_64 rng = engineFor(options.seed, 0);
        const float k = 1.0f / std::sqrt(float(K));
        W.resize(C, Kr);
        b.resize(C);
        for (int c = 0; c < C; ++c)
            for (Index j = 0; j < K; ++j) {
                const float w = symmetricDraw(rng, k);
                if (j >= columnOffset && j < columnOffset + Kr)
                    W(c, j - columnOffset) = w;
            }
        for (int c = 0; c < C; ++c)
            b(c) = symmetricDraw(rng, k);
    }

    const bool shuffle = options.shuffle && !options.neuroxCompatible;
    const Index B = std::min<Index>(options.batchSize, N);
    const Index batches = (N + B - 1) / B;
    const float l1 = float(options.l1), l2 = float(options.l2), lr = float(options.learningRate);
    std::vector<Index> perm(static_cast<std::size_t>(N));
    std::iota(perm.begin(), perm.end(), Index(0));
    RowMatrixF Xb(B, Kr);
    RowMatrixF Z(B, C);
    std::vector<float> packet(std::size_t(B * C + 2));
    MatrixF gW(C, Kr), mW = MatrixF::Zero(C, Kr), vW = MatrixF::Zero(C, Kr);
    VectorF gb(C), mb = VectorF::Zero(C), vb = VectorF::Zero(C);
    int step = 0;
    for (int epoch = 0; epoch < options.epochs; ++epoch) {
        if (shuffle) // the order of trainProbe, with --shuffle-block too
            epochOrder(perm, options.seed, epoch, options.shuffleBlockRows);
        double dataSum = 0, penaltySum = 0;
        for (Index bi = 0; bi < batches; ++bi) {
            const Index start = bi * B;
            const Index n = std::min<Index>(B, N - start);
            for (Index i = 0; i < n; ++i)
                Xb.row(i) = X.row(perm[std::size_t(start + i)]);
            // Partial logits and penalty sums of this block → one reduction.
            Eigen::Map<RowMatrixF> partial(packet.data(), n, C);
            partial.noalias() = Xb.topRows(n) * W.transpose();
            packet[std::size_t(n * C)] = l1 > 0.0f ? W.cwiseAbs().sum() : 0.0f;
            packet[std::size_t(n * C + 1)] = l2 > 0.0f ? W.squaredNorm() : 0.0f;
            reducer.sum(packet.data(), n * C + 2);
            auto logits = Z.topRows(n);
            logits = partial;
            logits.rowwise() += b.transpose();
            // Softmax cross-entropy as BatchKernel::dataTerm; logits become the gradient G.
            const float invB = 1.0f / float(n);
            float loss = 0.0f;
            for (Index i = 0; i < n; ++i) {
                auto z = logits.row(i);
                loss +=
                    softmaxCrossEntropyRow(z, z.maxCoeff(), y[perm[std::size_t(start + i)]], invB);
            }
            const float data = loss * invB;
            gW.noalias() = logits.transpose() * Xb.topRows(n);
            gb.noalias() = logits.colwise().sum().transpose();
            // Penalties of the whole W from the reduced sums; gradients on this block.
            float penalty = 0.0f;
            if (l1 > 0.0f) {
                penalty += l1 * packet[std::size_t(n * C)];
                gW.array() += l1 * W.array().sign();
            }
            if (l2 > 0.0f) {
                const float norm = std::sqrt(packet[std::size_t(n * C + 1)]);
                penalty += l2 * norm;
                if (norm > 0.0f)
                    gW.noalias() += (l2 / norm) * W;
            }
            if (!std::isfinite(double(data) + double(penalty))) {
                result.status = Status::Failed;
                return result;
            }
            ++step;
            adamUpdate(W, gW, mW, vW, step, lr);
            adamUpdate(b, gb, mb, vb, step, lr);
            dataSum += double(data) * double(n);
            penaltySum += double(penalty);
        }
        result.epochLoss.push_back(dataSum / double(N) + penaltySum / double(batches));
    }
    return result;
}

double blockAccuracy(const Eigen::Ref<const RowMatrixF> &X, const VectorI &y, const MatrixF &W,
                     const VectorF &b, BlockReducer &reducer, Index chunk)
{
    const Index N = X.rows();
    const int C = int(W.rows());
    if (N == 0)
        return std::nan("");
    std::vector<float> packet;
    Index correct = 0;
    for (Index s = 0; s < N; s += chunk) {
        const Index n = std::min(chunk, N - s);
        packet.resize(std::size_t(n * C));
        Eigen::Map<RowMatrixF> partial(packet.data(), n, C);
        partial.noalias() = X.middleRows(s, n) * W.transpose();
        reducer.sum(packet.data(), n * C);
        for (Index i = 0; i < n; ++i) {
            Index arg = 0;
            (partial.row(i) + b.transpose()).maxCoeff(&arg);
            correct += arg == y[s + i] ? 1 : 0;
        }
    }
    return double(correct) / double(N);
}

} // namespace salient
