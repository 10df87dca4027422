// Neuron rankings from probe weights (spec/NEUROX.md §7, paper Algorithm 3) and the probeless
// ranking (§12.1).
//
// Conventions shared by every function here:
// - A = |W| must be finite and non-negative; anything else throws salient::Error. (Non-negative
//   weights make every cumulative sum non-decreasing, which the prefix searches rely on.)
// - Inside a class, neurons are sorted by A_cj descending (bottom: ascending) with ties broken by
//   ascending index. NeuroX uses numpy's unstable argsort (reversed for "top"), so its tie order
//   is arbitrary; the *length* of a mass prefix does not depend on the tie order, only which of
//   several equal-weight neurons at the boundary is taken (§7.4).
// - Inside an ordering block (and a granular chunk): descending max_c A_cj, ties by ascending
//   index. NeuroX's order there is CPython set iteration order (§7.1); compare at block level.
//
// NeuroX numerics (§7.2), used when neuroxNumerics is true and always by the orderings:
// - class total = numpy's pairwise float32 sum of the row *in index order* (NeuroX calls
//   np.sum(weights[c, :]) on the unsorted row; only the cumulative sum uses the sorted order);
// - cumulative sum = sequential float32 sum over the sorted row (np.cumsum);
// - threshold = total · percentage in float64 (numpy 1.x: np.float32 scalar × Python float gives
//   float64), then cast to float32 for the comparison cumsum >= threshold (value-based casting of
//   a float64 scalar against a float32 array).
// With neuroxNumerics false, the cumulative sum is accumulated in double and the total is its last
// element, so p = 1 always stops exactly at the last non-zero neuron.
#include <QtGlobal> // quint64, used by salient/ranking.h

#include "salient/probe/ranking.h"

#include "salient/util/error.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numeric>
#include <random>

namespace salient {

namespace {

enum class SortDirection { Descending, Ascending };

/// Throws unless every entry of @p A is finite and >= 0.
void checkWeights(const Eigen::Ref<const MatrixF> &A, const char *function)
{
    for (Index j = 0; j < A.cols(); ++j) {
        for (Index c = 0; c < A.rows(); ++c) {
            const float v = A(c, j);
            if (!std::isfinite(v) || v < 0.0f) {
                throw Error(QStringLiteral("%1: expected absolute probe weights (finite, >= 0), "
                                           "found %2 at class %3, neuron %4")
                                .arg(QLatin1String(function))
                                .arg(double(v))
                                .arg(c)
                                .arg(j));
            }
        }
    }
}

/// numpy's pairwise summation of a contiguous float32 range (numpy/core/src/umath/
/// loops_utils.h.src, the kernel of np.add.reduce): fewer than 8 elements are added in a plain
/// loop; up to 128 elements use 8 interleaved accumulators combined as
/// ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)), then the remaining n % 8 elements are added one by one;
/// longer ranges are split at n/2 rounded down to a multiple of 8 and the halves summed
/// recursively. Must not be compiled with -ffast-math (the order of additions is the contract).
float pairwiseSum(const float *a, std::size_t n)
{
    if (n < 8) {
        float res = 0.0f;
        for (std::size_t i = 0; i < n; ++i)
            res += a[i];
        return res;
    }
    if (n <= 128) {
        float r[8];
        for (std::size_t j = 0; j < 8; ++j)
            r[j] = a[j];
        std::size_t i = 8;
        for (; i < n - n % 8; i += 8) {
            for (std::size_t j = 0; j < 8; ++j)
                r[j] += a[i + j];
        }
        float res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; ++i)
            res += a[i];
        return res;
    }
    std::size_t n2 = n / 2;
    n2 -= n2 % 8;
    return pairwiseSum(a, n2) + pairwiseSum(a + n2, n - n2);
}

/// Positions 0..n-1 sorted by @p values (descending or ascending), ties by ascending position.
std::vector<int> sortedPositions(const std::vector<float> &values, SortDirection direction)
{
    std::vector<int> order(values.size());
    std::iota(order.begin(), order.end(), 0);
    if (direction == SortDirection::Descending) {
        std::sort(order.begin(), order.end(), [&values](int x, int y) {
            const float vx = values[std::size_t(x)];
            const float vy = values[std::size_t(y)];
            return vx > vy || (vx == vy && x < y);
        });
    } else {
        std::sort(order.begin(), order.end(), [&values](int x, int y) {
            const float vx = values[std::size_t(x)];
            const float vy = values[std::size_t(y)];
            return vx < vy || (vx == vy && x < y);
        });
    }
    return order;
}

std::vector<float> rowOf(const Eigen::Ref<const MatrixF> &A, Index c)
{
    std::vector<float> row(std::size_t(A.cols()));
    for (Index j = 0; j < A.cols(); ++j)
        row[std::size_t(j)] = A(c, j);
    return row;
}

/// One class row sorted once, with its cumulative mass curve. prefixLength(p) is the length of
/// the shortest sorted prefix whose cumulative sum reaches p · total (crossing neuron included),
/// or the whole row when no prefix reaches it (p > 1, NaN, or rounding; §7.1).
class MassCurve {
public:
    MassCurve(const std::vector<float> &row, SortDirection direction, bool neuroxNumerics)
        : m_order(sortedPositions(row, direction)), m_neurox(neuroxNumerics)
    {
        const std::size_t n = row.size();
        if (m_neurox) {
            m_total = double(pairwiseSum(row.data(), n));
            m_cumF.reserve(n);
            float acc = 0.0f;
            for (std::size_t i = 0; i < n; ++i) {
                acc += row[std::size_t(m_order[i])];
                m_cumF.push_back(acc);
            }
        } else {
            m_cumD.reserve(n);
            double acc = 0.0;
            for (std::size_t i = 0; i < n; ++i) {
                acc += double(row[std::size_t(m_order[i])]);
                m_cumD.push_back(acc);
            }
            m_total = n > 0 ? m_cumD.back() : 0.0;
        }
    }

    const std::vector<int> &order() const { return m_order; }

    int prefixLength(double percentage) const
    {
        const std::size_t n = m_order.size();
        std::size_t pos = 0;
        bool reached = false;
        if (m_neurox) {
            const float threshold = float(m_total * percentage);
            pos = std::size_t(std::lower_bound(m_cumF.begin(), m_cumF.end(), threshold)
                              - m_cumF.begin());
            reached = pos < n && m_cumF[pos] >= threshold;
        } else {
            const double threshold = m_total * percentage;
            pos = std::size_t(std::lower_bound(m_cumD.begin(), m_cumD.end(), threshold)
                              - m_cumD.begin());
            reached = pos < n && m_cumD[pos] >= threshold;
        }
        return int(reached ? pos + 1 : n);
    }

private:
    std::vector<int> m_order;
    bool m_neurox;
    double m_total = 0.0;
    std::vector<float> m_cumF;
    std::vector<double> m_cumD;
};

std::vector<MassCurve> massCurves(const Eigen::Ref<const MatrixF> &A, SortDirection direction,
                                  bool neuroxNumerics)
{
    std::vector<MassCurve> curves;
    curves.reserve(std::size_t(A.rows()));
    for (Index c = 0; c < A.rows(); ++c)
        curves.emplace_back(rowOf(A, c), direction, neuroxNumerics);
    return curves;
}

/// Ascending list of the positions flagged in @p mask.
NeuronList flagged(const std::vector<char> &mask)
{
    NeuronList out;
    for (std::size_t j = 0; j < mask.size(); ++j) {
        if (mask[j])
            out.push_back(int(j));
    }
    return out;
}

NeuronSelection massSelection(const Eigen::Ref<const MatrixF> &A, double percentage,
                              bool neuroxNumerics, SortDirection direction, const char *function)
{
    checkWeights(A, function);
    NeuronSelection result;
    std::vector<char> inUnion(std::size_t(A.cols()), 0);
    for (const MassCurve &curve : massCurves(A, direction, neuroxNumerics)) {
        const int length = curve.prefixLength(percentage);
        NeuronList selected(curve.order().begin(), curve.order().begin() + length);
        for (int j : selected)
            inUnion[std::size_t(j)] = 1;
        result.perClass.push_back(std::move(selected));
    }
    result.overall = flagged(inUnion);
    return result;
}

/// max_c A_cj per column (0 for a matrix without rows): the within-block sort key.
std::vector<float> columnMax(const Eigen::Ref<const MatrixF> &A)
{
    std::vector<float> key(std::size_t(A.cols()), 0.0f);
    if (A.rows() > 0) {
        for (Index j = 0; j < A.cols(); ++j)
            key[std::size_t(j)] = A.col(j).maxCoeff();
    }
    return key;
}

/// Salient's deterministic order inside a block or chunk (§7.4): descending max_c A_cj, ties by
/// ascending index.
void sortBlock(NeuronList &block, const std::vector<float> &key)
{
    std::sort(block.begin(), block.end(), [&key](int x, int y) {
        const float kx = key[std::size_t(x)];
        const float ky = key[std::size_t(y)];
        return kx > ky || (kx == ky && x < y);
    });
}

/// The blocks T_k \ ∪_{k'<k} T_k' for k = 0..S (S + 1 entries, possibly empty, unsorted), where
/// T_k is the overall top set at mass k / S with NeuroX numerics. Each class is sorted once; the
/// prefix lengths are non-decreasing in k, so block k collects, per class, the sorted positions
/// between the previous and the current prefix length that no earlier block holds.
std::vector<NeuronList> orderingBlocks(const Eigen::Ref<const MatrixF> &A, int searchStride,
                                       const char *function)
{
    if (searchStride < 1) {
        throw Error(QStringLiteral("%1: the search stride must be at least 1, found %2")
                        .arg(QLatin1String(function))
                        .arg(searchStride));
    }
    checkWeights(A, function);
    const std::vector<MassCurve> curves = massCurves(A, SortDirection::Descending, true);
    std::vector<int> previous(curves.size(), 0);
    std::vector<char> seen(std::size_t(A.cols()), 0);
    std::vector<NeuronList> blocks(std::size_t(searchStride) + 1);
    for (int k = 0; k <= searchStride; ++k) {
        // Python's k / S: a correctly rounded double division, as here.
        const double percentage = double(k) / double(searchStride);
        NeuronList &block = blocks[std::size_t(k)];
        for (std::size_t c = 0; c < curves.size(); ++c) {
            const int length = curves[c].prefixLength(percentage);
            const std::vector<int> &order = curves[c].order();
            for (int i = previous[c]; i < length; ++i) {
                const int j = order[std::size_t(i)];
                if (!seen[std::size_t(j)]) {
                    seen[std::size_t(j)] = 1;
                    block.push_back(j);
                }
            }
            previous[c] = std::max(previous[c], length);
        }
    }
    return blocks;
}

/// Uniform integer in [0, bound) from @p rng by rejection (no modulo bias), bound >= 1. Written
/// out because std::uniform_int_distribution's output is implementation-defined.
std::uint64_t boundedDraw(std::mt19937_64 &rng, std::uint64_t bound)
{
    // Largest multiple of bound that fits in 2^64, minus one; draws above it are rejected.
    const std::uint64_t limit = std::numeric_limits<std::uint64_t>::max()
                                - (std::numeric_limits<std::uint64_t>::max() % bound + 1) % bound;
    std::uint64_t x = rng();
    while (x > limit)
        x = rng();
    return x % bound;
}

/// Uniform double in [0, 1) with 53 random bits.
double unitDraw(std::mt19937_64 &rng)
{
    return double(rng() >> 11) * 0x1.0p-53;
}

/// Positions sorted by @p score descending, ties by ascending position.
NeuronList rankDescending(const std::vector<double> &score)
{
    NeuronList order(score.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&score](int x, int y) {
        const double sx = score[std::size_t(x)];
        const double sy = score[std::size_t(y)];
        return sx > sy || (sx == sy && x < y);
    });
    return order;
}

} // namespace

NeuronSelection topNeurons(const Eigen::Ref<const MatrixF> &A, double percentage,
                           bool neuroxNumerics)
{
    return massSelection(A, percentage, neuroxNumerics, SortDirection::Descending, "topNeurons");
}

NeuronSelection bottomNeurons(const Eigen::Ref<const MatrixF> &A, double percentage,
                              bool neuroxNumerics)
{
    return massSelection(A, percentage, neuroxNumerics, SortDirection::Ascending, "bottomNeurons");
}

NeuronSelection topNeuronsHardThreshold(const Eigen::Ref<const MatrixF> &A, double fraction)
{
    checkWeights(A, "topNeuronsHardThreshold");
    NeuronSelection result;
    std::vector<char> inUnion(std::size_t(A.cols()), 0);
    for (Index c = 0; c < A.rows(); ++c) {
        NeuronList selected;
        // NeuroX: A_cj > np.max(A_c) / fraction — a float64 quotient compared after a cast to
        // float32 (§7.2). fraction = 0 gives +inf or NaN in numpy: nothing is selected.
        if (A.cols() > 0 && fraction != 0.0) {
            const float threshold = float(double(A.row(c).maxCoeff()) / fraction);
            for (Index j = 0; j < A.cols(); ++j) {
                if (A(c, j) > threshold) {
                    selected.push_back(int(j));
                    inUnion[std::size_t(j)] = 1;
                }
            }
        }
        result.perClass.push_back(std::move(selected));
    }
    result.overall = flagged(inUnion);
    return result;
}

NeuronList randomNeurons(int neurons, double probability, quint64 seed)
{
    if (neurons < 0)
        throw Error(QStringLiteral("randomNeurons: negative neuron count %1").arg(neurons));
    // NeuroX draws U(0,1) per neuron and keeps it when the draw is <= probability (§7.1).
    std::mt19937_64 rng(seed);
    NeuronList out;
    for (int j = 0; j < neurons; ++j) {
        if (unitDraw(rng) <= probability)
            out.push_back(j);
    }
    return out;
}

NeuronList randomNeuronsCount(int neurons, int count, quint64 seed)
{
    if (neurons < 0 || count < 0 || count > neurons) {
        throw Error(QStringLiteral("randomNeuronsCount: cannot draw %1 distinct neurons out of %2")
                        .arg(count)
                        .arg(neurons));
    }
    // Partial Fisher–Yates shuffle: the first count slots are a uniform random subset.
    std::mt19937_64 rng(seed);
    NeuronList pool(static_cast<std::size_t>(neurons));
    std::iota(pool.begin(), pool.end(), 0);
    for (int i = 0; i < count; ++i) {
        const auto pick =
            std::size_t(i) + std::size_t(boundedDraw(rng, std::uint64_t(neurons - i)));
        std::swap(pool[std::size_t(i)], pool[pick]);
    }
    pool.resize(std::size_t(count));
    std::sort(pool.begin(), pool.end());
    return pool;
}

NeuronOrdering neuronOrdering(const Eigen::Ref<const MatrixF> &A, int searchStride)
{
    const std::vector<NeuronList> blocks = orderingBlocks(A, searchStride, "neuronOrdering");
    const std::vector<float> key = columnMax(A);
    NeuronOrdering result;
    result.cutoffs.reserve(blocks.size());
    for (NeuronList block : blocks) {
        sortBlock(block, key);
        result.order.insert(result.order.end(), block.begin(), block.end());
        result.cutoffs.push_back(int(result.order.size()));
    }
    return result;
}

NeuronList neuronOrderingGranular(const Eigen::Ref<const MatrixF> &A, int granularity,
                                  int searchStride)
{
    if (granularity < 1) {
        throw Error(QStringLiteral("neuronOrderingGranular: the granularity must be at least 1, "
                                   "found %1")
                        .arg(granularity));
    }
    const std::vector<NeuronList> blocks =
        orderingBlocks(A, searchStride, "neuronOrderingGranular");
    const std::vector<float> key = columnMax(A);
    // |T_k| = total size of blocks 0..k (the sets are nested).
    std::vector<long long> size(blocks.size());
    long long running = 0;
    for (std::size_t k = 0; k < blocks.size(); ++k) {
        running += static_cast<long long>(blocks[k].size());
        size[k] = running;
    }
    // NeuroX: for i = 0, g, 2g, ... <= D, advance k until |T_k| >= i and append T_k minus the
    // neurons already ordered as one chunk (skipped when empty). When D is not a multiple of g
    // the last i is below D and the tail of T_S may be left out, as in NeuroX. Where NeuroX
    // raises IndexError (|T_S| < i), Salient appends T_S minus the ordered neurons as a last
    // chunk and stops (§7.4).
    NeuronList order;
    std::size_t k = 0;
    std::size_t appendedUpTo = 0; // blocks [0, appendedUpTo) are in the ordering
    const long long neurons = A.cols();
    for (long long i = 0; i <= neurons; i += granularity) {
        while (k < blocks.size() && size[k] < i)
            ++k;
        const bool exhausted = k == blocks.size();
        if (exhausted)
            k = blocks.size() - 1;
        NeuronList chunk;
        for (; appendedUpTo <= k; ++appendedUpTo) {
            const NeuronList &block = blocks[appendedUpTo];
            chunk.insert(chunk.end(), block.begin(), block.end());
        }
        sortBlock(chunk, key);
        order.insert(order.end(), chunk.begin(), chunk.end());
        if (exhausted)
            break;
    }
    return order;
}

NeuronList fixedNumberOfBottomNeurons(const Eigen::Ref<const MatrixF> &A, int n)
{
    // The last n of the ordering at S = 100, most salient first. Deviation: n <= 0 gives an empty
    // list (NeuroX's ordering[-0:] would return the whole ordering); n beyond the ordering's
    // length gives the whole ordering, as in NeuroX.
    const NeuronOrdering ordering = neuronOrdering(A, 100);
    if (n <= 0)
        return {};
    const std::size_t take = std::min(std::size_t(n), ordering.order.size());
    return NeuronList(ordering.order.end() - std::ptrdiff_t(take), ordering.order.end());
}

NeuronList classRanking(const Eigen::Ref<const MatrixF> &A, int classIndex)
{
    if (classIndex < 0 || classIndex >= A.rows()) {
        throw Error(QStringLiteral("classRanking: class index %1 out of range (%2 classes)")
                        .arg(classIndex)
                        .arg(A.rows()));
    }
    checkWeights(A, "classRanking");
    return sortedPositions(rowOf(A, classIndex), SortDirection::Descending);
}

ProbelessRanking probelessRanking(const Eigen::Ref<const RowMatrixF> &X, const VectorI &y,
                                  int classes)
{
    if (y.size() != X.rows()) {
        throw Error(QStringLiteral("probelessRanking: %1 labels for %2 rows of activations")
                        .arg(y.size())
                        .arg(X.rows()));
    }
    if (classes < 0)
        throw Error(QStringLiteral("probelessRanking: negative class count %1").arg(classes));
    const Index D = X.cols();
    const auto width = std::size_t(D);

    // Class means in double over the labels present (§12.1). The order of classes does not change
    // any score, so NeuroX's first-appearance order is not reproduced.
    std::vector<std::vector<double>> sums(static_cast<std::size_t>(classes));
    std::vector<long long> counts(std::size_t(classes), 0);
    for (Index r = 0; r < X.rows(); ++r) {
        const int label = y[r];
        if (label < 0 || label >= classes) {
            throw Error(QStringLiteral("probelessRanking: label %1 at row %2 is outside 0..%3")
                            .arg(label)
                            .arg(r)
                            .arg(classes - 1));
        }
        std::vector<double> &sum = sums[std::size_t(label)];
        if (sum.empty())
            sum.assign(width, 0.0);
        const float *row = X.row(r).data();
        for (std::size_t j = 0; j < width; ++j)
            sum[j] += double(row[j]);
        ++counts[std::size_t(label)];
    }
    std::vector<int> present;
    for (int c = 0; c < classes; ++c) {
        if (counts[std::size_t(c)] > 0) {
            present.push_back(c);
            for (double &v : sums[std::size_t(c)])
                v /= double(counts[std::size_t(c)]);
        }
    }
    const auto &means = sums;

    // Per tag t: Σ_{c≠t} |q_t − q_c|. Overall: Σ_{c<c'} |q_c − q_c'| (half the sum of the tag
    // scores, hence the same ranking).
    ProbelessRanking result;
    result.perClass.assign(std::size_t(classes), NeuronList{});
    std::vector<double> overall(width, 0.0);
    std::vector<double> tagScore(width);
    for (std::size_t a = 0; a < present.size(); ++a) {
        const std::vector<double> &qt = means[std::size_t(present[a])];
        std::fill(tagScore.begin(), tagScore.end(), 0.0);
        for (std::size_t b = 0; b < present.size(); ++b) {
            if (b == a)
                continue;
            const std::vector<double> &qc = means[std::size_t(present[b])];
            for (std::size_t j = 0; j < width; ++j) {
                const double d = std::abs(qt[j] - qc[j]);
                tagScore[j] += d;
                if (b > a)
                    overall[j] += d;
            }
        }
        result.perClass[std::size_t(present[a])] = rankDescending(tagScore);
    }
    result.overall = rankDescending(overall);
    result.overallScore.resize(D);
    for (Index j = 0; j < D; ++j)
        result.overallScore[j] = float(overall[std::size_t(j)]);
    return result;
}

} // namespace salient
