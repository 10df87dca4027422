// Linear probe training (spec/NEUROX.md §5). See probe.h for the contracts.
//
// Numerics: everything that NeuroX does in float32 is done in float32 here (logits, softmax, CE,
// gradients, Adam state and update); only the reported loss sums are accumulated in double.
#include "salient/probe/probe.h"

#include "salient/probe/batchorder.h"

#include "probe_p.h"
#include "util/random_p.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>
#include <random>

namespace salient {

namespace {

// ----------------------------------------------------------------------------------------------
// Deterministic randomness. std::mt19937_64's output sequence is fixed by the standard; the
// distributions and std::shuffle are not, so the draws below are written out explicitly.

/// Engine for initialisation (stream 0) or for the permutation of epoch e (stream e + 1).
std::mt19937_64 engineFor(quint64 seed, quint64 stream)
{
    return std::mt19937_64(detail::mixSeed(
        detail::mixSeed(seed) ^ detail::mixSeed(0xD1B54A32D192ED03ULL * (stream + 1))));
}

/// Uniform integer in [0, n), n >= 1, by rejection (no modulo bias, platform independent).
quint64 boundedDraw(std::mt19937_64 &rng, quint64 n)
{
    const quint64 limit =
        std::numeric_limits<quint64>::max() - (std::numeric_limits<quint64>::max() % n + 1) % n;
    // limit + 1 is the largest multiple of n that fits (or 2^64 when n divides it).
    quint64 r = rng();
    while (r > limit)
        r = rng();
    return r % n;
}

/// Uniform float in [-k, k): 24 random bits mapped to [0, 1), then scaled.
float symmetricDraw(std::mt19937_64 &rng, float k)
{
    const float u = float(rng() >> 40) * (1.0f / 16777216.0f);
    return (2.0f * u - 1.0f) * k;
}

/// Fisher–Yates permutation of 0..n-1.
void permutation(std::vector<Index> &perm, std::mt19937_64 &rng)
{
    std::iota(perm.begin(), perm.end(), Index(0));
    for (std::size_t i = perm.size(); i > 1; --i) {
        const auto j = std::size_t(boundedDraw(rng, quint64(i)));
        std::swap(perm[i - 1], perm[j]);
    }
}

// ----------------------------------------------------------------------------------------------

QString num(double v)
{
    return QString::number(v, 'g', 10);
}

/// PyTorch Adam (β1 .9, β2 .999, eps 1e-8, spec §5.4) for one parameter tensor.
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

// ----------------------------------------------------------------------------------------------

void ProbeOptions::validate() const
{
    if (!std::isfinite(l1) || l1 < 0)
        throw Error(
            QStringLiteral("L1 penalty λ1 must be a finite number ≥ 0 (got %1)").arg(num(l1)));
    if (!std::isfinite(l2) || l2 < 0)
        throw Error(
            QStringLiteral("L2 penalty λ2 must be a finite number ≥ 0 (got %1)").arg(num(l2)));
    if (epochs < 1)
        throw Error(QStringLiteral("number of epochs must be at least 1 (got %1)").arg(epochs));
    if (batchSize < 1)
        throw Error(QStringLiteral("batch size must be at least 1 (got %1)").arg(batchSize));
    if (shuffleBlockRows < 0)
        throw Error(QStringLiteral("shuffle block must be 0 (full shuffle) or a number of rows ≥ 1 "
                                   "(got %1)")
                        .arg(shuffleBlockRows));
    if (!std::isfinite(learningRate) || learningRate <= 0)
        throw Error(QStringLiteral("learning rate must be a finite number > 0 (got %1)")
                        .arg(num(learningRate)));
}

namespace {
/// Limits the calling thread's OpenMP team (Eigen's GEMM threads) to one while alive, when asked.
class SmallWorkThreads {
public:
    explicit SmallWorkThreads(bool single) : m_previous(omp_get_max_threads()), m_active(single)
    {
        if (m_active)
            omp_set_num_threads(1);
    }
    ~SmallWorkThreads()
    {
        if (m_active)
            omp_set_num_threads(m_previous);
    }
    SmallWorkThreads(const SmallWorkThreads &) = delete;
    SmallWorkThreads &operator=(const SmallWorkThreads &) = delete;

private:
    int m_previous;
    bool m_active;
};
} // namespace

TrainResult trainProbe(const Eigen::Ref<const RowMatrixF> &X, const VectorI &y,
                       const VectorF &yValue, const QStringList &labels,
                       const ProbeOptions &options, const NeuronList &columns,
                       const std::vector<Index> &rows, const Probe *init,
                       const TrainCallback &callback)
{
    return trainProbe(DenseSource(X), y, yValue, labels, options, columns, rows, init, callback);
}

TrainResult trainProbe(const FeatureSource &source, const VectorI &y, const VectorF &yValue,
                       const QStringList &labels, const ProbeOptions &options,
                       const NeuronList &columns, const std::vector<Index> &rows, const Probe *init,
                       const TrainCallback &callback)
{
    options.validate();
    const bool regression = options.regression;
    const Index N = source.rows();
    const Index D = source.cols();
    const Eigen::Ref<const RowMatrixF> *dense = source.dense(); // null: read batches via readers

    // ---- shapes and labels
    if (N == 0)
        throw Error(QStringLiteral("cannot train a probe: X has no rows"));
    if (D == 0)
        throw Error(QStringLiteral("cannot train a probe: X has no neurons (columns)"));
    const int C = regression ? 1 : int(labels.size());
    if (!regression && C < 2)
        throw Error(
            QStringLiteral("a classification probe needs at least 2 classes (got %1)").arg(C));
    if (regression && yValue.size() != N)
        throw Error(QStringLiteral("regression targets: %1 values for %2 rows of X")
                        .arg(yValue.size())
                        .arg(N));
    if (!regression && y.size() != N)
        throw Error(
            QStringLiteral("class labels: %1 values for %2 rows of X").arg(y.size()).arg(N));
    checkColumns(columns, D, "column subset");
    for (std::size_t i = 0; i < rows.size(); ++i)
        if (rows[i] < 0 || rows[i] >= N)
            throw Error(QStringLiteral("row subset: row %1 (position %2) is out of range; X has %3 "
                                       "rows")
                            .arg(rows[i])
                            .arg(i)
                            .arg(N));
    const bool allRows = rows.empty();
    const Index Nt = allRows ? N : Index(rows.size());
    auto rowAt = [&](Index i) { return allRows ? i : rows[std::size_t(i)]; };
    // Targets are checked on the training rows only (other rows may carry other labels).
    for (Index i = 0; i < Nt; ++i) {
        const Index r = rowAt(i);
        if (regression) {
            if (!std::isfinite(yValue[r]))
                throw Error(QStringLiteral("regression target at row %1 is not finite").arg(r));
        } else if (y[r] < 0 || y[r] >= C) {
            throw Error(QStringLiteral("class label %1 at row %2 is outside 0..%3 (%4 labels)")
                            .arg(y[r])
                            .arg(r)
                            .arg(C - 1)
                            .arg(C));
        }
    }

    const bool allColumns = columns.empty() || isIdentity(columns, D);
    const NeuronList gatherCols = allColumns ? NeuronList{} : columns;
    const Index K = allColumns ? D : Index(columns.size());
    const bool shuffle = options.shuffle && !options.neuroxCompatible;
    const bool standardize = options.standardize && !options.neuroxCompatible;
    // Small mini-batch products (batch · inputs · classes below ~4 M multiply-adds) run faster on
    // one thread than split across OpenMP workers; the choice affects this thread only.
    const SmallWorkThreads threadGuard(
        double(std::min<Index>(options.batchSize, Nt)) * double(K) * double(C) < 4e6);

    Probe probe;
    probe.regression = regression;
    if (!regression)
        probe.labels = labels;
    if (allColumns) {
        probe.columns.resize(std::size_t(D));
        std::iota(probe.columns.begin(), probe.columns.end(), 0);
    } else {
        probe.columns = columns;
    }

    // ---- initialisation
    if (init) {
        if (init->W.rows() != C || init->W.cols() != K || init->b.size() != C)
            throw Error(QStringLiteral("initial probe has W %1×%2 and b %3; expected %4×%5 and %4")
                            .arg(init->W.rows())
                            .arg(init->W.cols())
                            .arg(init->b.size())
                            .arg(C)
                            .arg(K));
        probe.W = init->W;
        probe.b = init->b;
    } else {
        // U(−1/√K, 1/√K) like nn.Linear; W row by row (class-major), then b.
        std::mt19937_64 rng = engineFor(options.seed, 0);
        const float k = 1.0f / std::sqrt(float(K));
        probe.W.resize(C, K);
        probe.b.resize(C);
        for (int c = 0; c < C; ++c)
            for (Index j = 0; j < K; ++j)
                probe.W(c, j) = symmetricDraw(rng, k);
        for (int c = 0; c < C; ++c)
            probe.b(c) = symmetricDraw(rng, k);
    }

    const Index B = std::min<Index>(options.batchSize, Nt);
    std::vector<Index> order(static_cast<std::size_t>(Nt)); // row of X for each training position
    for (Index i = 0; i < Nt; ++i)
        order[std::size_t(i)] = rowAt(i);

    // ---- standardisation statistics over the training rows (population std; std 0 → scale 1)
    if (standardize) {
        Eigen::VectorXd sum = Eigen::VectorXd::Zero(K), sq = Eigen::VectorXd::Zero(K);
        const Index chunkRows = std::min<Index>(Nt, 4096);
        RowMatrixF chunk(chunkRows, K);
        // Chunks of the training rows in order, from X or from a reader (same values).
        auto passOverRows = [&](const std::function<void(Index)> &use) {
            if (dense) {
                for (Index s = 0; s < Nt; s += chunkRows) {
                    const Index n = std::min<Index>(chunkRows, Nt - s);
                    gatherRows(*dense, order.data() + s, n, gatherCols, VectorF(), VectorF(),
                               chunk);
                    use(n);
                }
                return;
            }
            auto reader = source.read(order, chunkRows, gatherCols);
            for (Index n; (n = reader->next(chunk)) > 0;)
                use(n);
        };
        passOverRows(
            [&](Index n) { sum += chunk.topRows(n).cast<double>().colwise().sum().transpose(); });
        const Eigen::VectorXd mean = sum / double(Nt);
        passOverRows([&](Index n) {
            sq += (chunk.topRows(n).cast<double>().rowwise() - mean.transpose())
                      .array()
                      .square()
                      .colwise()
                      .sum()
                      .matrix()
                      .transpose();
        });
        probe.mean = mean.cast<float>();
        probe.scale.resize(K);
        for (Index j = 0; j < K; ++j) {
            const double sd = std::sqrt(sq[j] / double(Nt));
            probe.scale[j] = (sd > 0 && std::isfinite(sd)) ? float(1.0 / sd) : 1.0f;
        }
    }

    // ---- training loop
    BatchKernel kernel(regression, C, K);
    RowMatrixF buf;
    const bool direct = allColumns && !standardize; // may slice X itself for consecutive rows
    std::vector<Index> batchRows(static_cast<std::size_t>(B));
    VectorI yb(B);
    VectorF tb(B);
    MatrixF mW = MatrixF::Zero(C, K), vW = MatrixF::Zero(C, K);
    VectorF mb = VectorF::Zero(C), vb = VectorF::Zero(C);
    const float l1 = float(options.l1), l2 = float(options.l2), lr = float(options.learningRate);
    const Index batches = (Nt + B - 1) / B;
    std::vector<Index> perm(static_cast<std::size_t>(Nt));

    TrainResult result;
    int step = 0;
    for (int epoch = 0; epoch < options.epochs; ++epoch) {
        if (shuffle) {
            if (options.shuffleBlockRows > 0) {
                blockShuffledPermutation(perm, options.seed, quint64(epoch),
                                         options.shuffleBlockRows);
            } else {
                std::mt19937_64 rng = engineFor(options.seed, quint64(epoch) + 1);
                permutation(perm, rng);
            }
        }
        std::unique_ptr<BatchReader> reader;
        if (!dense) {
            // The epoch's rows in batch order; a streamed source starts reading ahead now.
            std::vector<Index> epochOrder(static_cast<std::size_t>(Nt));
            for (Index i = 0; i < Nt; ++i)
                epochOrder[std::size_t(i)] =
                    shuffle ? order[std::size_t(perm[std::size_t(i)])] : order[std::size_t(i)];
            reader = source.read(std::move(epochOrder), B, gatherCols);
        }
        double dataSum = 0, penaltySum = 0, neuroxSum = 0;
        for (Index bi = 0; bi < batches; ++bi) {
            const Index start = bi * B;
            const Index n = std::min<Index>(B, Nt - start);
            const Index *idx = order.data() + start;
            if (shuffle) {
                for (Index i = 0; i < n; ++i)
                    batchRows[std::size_t(i)] = order[std::size_t(perm[std::size_t(start + i)])];
                idx = batchRows.data();
            }
            bool consecutive = direct && dense;
            for (Index i = 1; consecutive && i < n; ++i)
                consecutive = idx[i] == idx[0] + i;
            for (Index i = 0; i < n; ++i) {
                if (regression)
                    tb[i] = yValue[idx[i]];
                else
                    yb[i] = y[idx[i]];
            }

            float data;
            if (consecutive) {
                data = kernel.dataTerm(dense->middleRows(idx[0], n), probe.W, probe.b, yb.data(),
                                       tb.data());
            } else if (dense) {
                if (buf.rows() < B)
                    buf.resize(B, K); // allocated once, on the first gathered batch
                gatherRows(*dense, idx, n, gatherCols, probe.mean, probe.scale, buf);
                data = kernel.dataTerm(buf.topRows(n), probe.W, probe.b, yb.data(), tb.data());
            } else {
                const Index got = reader->next(buf); // the same rows, from float16 or disk
                if (got != n)
                    throw Error(QStringLiteral("batch reader delivered %1 rows, expected %2")
                                    .arg(got)
                                    .arg(n));
                standardizeRows(buf, n, probe.mean, probe.scale);
                data = kernel.dataTerm(buf.topRows(n), probe.W, probe.b, yb.data(), tb.data());
            }
            const float penalty = addPenalty(probe.W, l1, l2, &kernel.gW());
            const double batchLoss = double(data + penalty);
            if (!std::isfinite(batchLoss)) {
                // Diverged (e.g. a huge learning rate or non-finite inputs): no usable probe.
                result.status = Status::Failed;
                return result;
            }

            ++step;
            adamUpdate(probe.W, kernel.gW(), mW, vW, step, lr);
            adamUpdate(probe.b, kernel.gb(), mb, vb, step, lr);

            dataSum += double(data) * double(n);
            penaltySum += double(penalty);
            neuroxSum += batchLoss;

            if (callback) {
                TrainProgress progress;
                progress.epoch = epoch;
                progress.epochs = options.epochs;
                progress.batch = bi;
                progress.batches = batches;
                progress.batchLoss = batchLoss;
                progress.batchAccuracy = regression ? std::numeric_limits<double>::quiet_NaN()
                                                    : double(kernel.correct()) / double(n);
                if (!callback(progress)) {
                    result.status = Status::Cancelled;
                    return result; // empty probe; epochLoss holds the completed epochs only
                }
            }
        }
        // True mean loss: data term averaged over tokens + penalty averaged over batches.
        result.epochLoss.push_back(dataSum / double(Nt) + penaltySum / double(batches));
        result.neuroxEpochLoss.push_back(neuroxSum / double(Nt));
    }
    result.probe = std::move(probe);
    result.status = Status::Ok;
    return result;
}

} // namespace salient
