// Correlation clustering of neurons (spec/NEUROX.md §12.4, §12.6).
//
// Numerics:
// - Column means and scales 1/sqrt(Σ(x − mean)²) are accumulated in float64 over the selected
//   rows (two passes). Standardised values z = (x − mean)·scale are formed chunk by chunk in
//   float32 (they are centred, |z| <= 1), multiplied in float32 by Eigen, and each chunk's B × B
//   product is added into a float64 Gram block, so the sum over many rows is accumulated in
//   double while the heavy product runs at float speed. r = Σ z_i z_j is clamped to [−1, 1].
// - Degenerate columns (any non-finite value, or min == max over the rows) have r = 0 with
//   every other column, as NeuroX's NaN → 0 after np.corrcoef (spec §12.4). Detecting constants
//   by min == max avoids a spurious tiny variance from rounding the mean.
// - Average linkage by the nearest-neighbour chain on the condensed float32 matrix; the
//   Lance–Williams update is computed in double and stored in float.
#include "salient/analyses/clustering.h"

#include <QStringList>
#include <QThread>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

namespace salient {

namespace {

constexpr int kBlock = kCorrelationBlock;
constexpr int kChunk = kCorrelationRowChunk;

int resolveThreads(int threads)
{
    return threads > 0 ? threads : std::max(1, QThread::idealThreadCount());
}

QString megabytes(double bytes)
{
    return QStringLiteral("%1 MB").arg(bytes / 1e6, 0, 'f', 1);
}

void checkRows(Index available, const std::vector<Index> &rows, const char *function)
{
    for (Index r : rows) {
        if (r < 0 || r >= available)
            throw Error(QStringLiteral("%1: row %2 is out of range (X has %3 rows)")
                            .arg(QLatin1String(function))
                            .arg(r)
                            .arg(available));
    }
}

/// Uniform integer in [0, n) from a 64-bit generator without modulo bias (rejection of the
/// lowest 2^64 mod n values).
quint64 boundedDraw(std::mt19937_64 &rng, quint64 n)
{
    const quint64 limit = (~n + 1) % n; // 2^64 mod n
    for (;;) {
        const quint64 x = rng();
        if (x >= limit)
            return x % n;
    }
}

} // namespace

double clusteringMemoryBytes(Index neurons, int threads)
{
    const double d = double(std::max<Index>(neurons, 0));
    const double perThread = 2.0 * 4.0 * kChunk * kBlock + 8.0 * kBlock * kBlock;
    return condensedMatrixBytes(std::max<Index>(neurons, 1)) + 96.0 * d
           + double(resolveThreads(threads)) * perThread;
}

CondensedDistances correlationDissimilarity(const Eigen::Ref<const RowMatrixF> &X,
                                            bool absoluteCorrelation, const NeuronList &columns,
                                            const std::vector<Index> &rows,
                                            const ExperimentProgress &progress, int threads)
{
    const char *fn = "correlation clustering";
    const NeuronList cols = resolveColumns(X.cols(), columns, fn);
    checkRows(X.rows(), rows, fn);
    const Index R = rows.empty() ? X.rows() : Index(rows.size());
    const Index D = Index(cols.size());
    if (R < 2)
        throw Error(QStringLiteral("%1: needs at least 2 rows (tokens), found %2")
                        .arg(QLatin1String(fn))
                        .arg(R));
    if (D < 2)
        throw Error(
            QStringLiteral("%1: needs at least 2 neurons, found %2").arg(QLatin1String(fn)).arg(D));
    auto rowAt = [&](Index r) { return rows.empty() ? r : rows[size_t(r)]; };

    // Pass 1: sums, min, max, finiteness. Pass 2: centred sums of squares.
    std::vector<double> mean(size_t(D), 0.0), scale(size_t(D), 0.0);
    std::vector<float> lo(size_t(D), std::numeric_limits<float>::infinity());
    std::vector<float> hi(size_t(D), -std::numeric_limits<float>::infinity());
    std::vector<char> bad(size_t(D), 0);
    for (Index r = 0; r < R; ++r) {
        const float *p = X.data() + rowAt(r) * X.outerStride();
        for (Index k = 0; k < D; ++k) {
            const float v = p[cols[size_t(k)]];
            if (!std::isfinite(v)) {
                bad[size_t(k)] = 1;
                continue;
            }
            mean[size_t(k)] += double(v);
            lo[size_t(k)] = std::min(lo[size_t(k)], v);
            hi[size_t(k)] = std::max(hi[size_t(k)], v);
        }
    }
    CondensedDistances out;
    out.n = D;
    for (Index k = 0; k < D; ++k) {
        mean[size_t(k)] /= double(R);
        if (bad[size_t(k)] || !(lo[size_t(k)] < hi[size_t(k)])) {
            bad[size_t(k)] = 1;
            out.degenerate.push_back(int(k));
        }
    }
    for (Index r = 0; r < R; ++r) {
        const float *p = X.data() + rowAt(r) * X.outerStride();
        for (Index k = 0; k < D; ++k) {
            if (bad[size_t(k)])
                continue;
            const double c = double(p[cols[size_t(k)]]) - mean[size_t(k)];
            scale[size_t(k)] += c * c;
        }
    }
    for (Index k = 0; k < D; ++k)
        scale[size_t(k)] = bad[size_t(k)] ? 0.0 : 1.0 / std::sqrt(scale[size_t(k)]);

    out.values.assign(size_t(D) * size_t(D - 1) / 2, 1.0f);
    const int blocks = int((D + kBlock - 1) / kBlock);
    std::vector<std::pair<int, int>> pairs;
    for (int i = 0; i < blocks; ++i)
        for (int j = i; j < blocks; ++j)
            pairs.emplace_back(i, j);

    // Standardised float32 values of rows [r0, r0 + n) × block b.
    auto standardise = [&](RowMatrixF &Z, int b, Index r0, Index n) {
        const Index c0 = Index(b) * kBlock;
        const Index w = std::min<Index>(kBlock, D - c0);
        Z.resize(n, w);
        for (Index r = 0; r < n; ++r) {
            const float *p = X.data() + rowAt(r0 + r) * X.outerStride();
            float *z = Z.row(r).data();
            for (Index k = 0; k < w; ++k) {
                const size_t g = size_t(c0 + k);
                z[k] = bad[g] ? 0.0f : float((double(p[cols[g]]) - mean[g]) * scale[g]);
            }
        }
    };

    ProgressRelay relay(progress, int(pairs.size()));
    parallelFor(
        int(pairs.size()),
        [&](int t) {
            const int bi = pairs[size_t(t)].first, bj = pairs[size_t(t)].second;
            const Index ci = Index(bi) * kBlock, cj = Index(bj) * kBlock;
            const Index wi = std::min<Index>(kBlock, D - ci), wj = std::min<Index>(kBlock, D - cj);
            RowMatrixF Zi, Zj;
            MatrixF Gf(wi, wj);
            Eigen::MatrixXd G = Eigen::MatrixXd::Zero(wi, wj);
            for (Index r0 = 0; r0 < R; r0 += kChunk) {
                if (relay.cancelled())
                    return;
                const Index n = std::min<Index>(kChunk, R - r0);
                standardise(Zi, bi, r0, n);
                if (bi == bj) {
                    Gf.noalias() = Zi.transpose() * Zi;
                } else {
                    standardise(Zj, bj, r0, n);
                    Gf.noalias() = Zi.transpose() * Zj;
                }
                G += Gf.cast<double>();
            }
            for (Index p = 0; p < wi; ++p) {
                const Index gi = ci + p;
                for (Index q = (bi == bj ? p + 1 : 0); q < wj; ++q) {
                    const Index gj = cj + q;
                    double r = 0.0;
                    if (!bad[size_t(gi)] && !bad[size_t(gj)])
                        r = std::clamp(G(p, q), -1.0, 1.0);
                    const double dis = absoluteCorrelation ? 1.0 - std::abs(r) : 1.0 - r;
                    out.values[condensedIndex(D, gi, gj)] = float(dis);
                }
            }
            relay.step(QStringLiteral("correlation block %1/%2").arg(t + 1).arg(pairs.size()));
        },
        &relay, threads);
    if (relay.cancelled()) {
        out.status = Status::Cancelled;
        out.values.clear();
        out.values.shrink_to_fit();
    }
    return out;
}

std::vector<LinkageMerge> averageLinkage(std::vector<float> &distances, Index n,
                                         const ExperimentProgress &progress, Status *status)
{
    if (status)
        *status = Status::Ok;
    if (n < 1)
        throw Error(QStringLiteral("average linkage: needs at least 1 point"));
    if (distances.size() != size_t(n) * size_t(n - 1) / 2)
        throw Error(QStringLiteral("average linkage: expected %1 condensed distances for %2 "
                                   "points, found %3")
                        .arg(size_t(n) * size_t(n - 1) / 2)
                        .arg(n)
                        .arg(distances.size()));
    for (size_t i = 0; i < distances.size(); ++i) {
        if (!std::isfinite(distances[i]))
            throw Error(QStringLiteral("average linkage: distance %1 is not finite").arg(i));
    }
    struct Raw {
        int x, y;
        float h;
    };
    std::vector<Raw> raw;
    raw.reserve(size_t(n > 0 ? n - 1 : 0));
    std::vector<int> size(size_t(n), 1);
    std::vector<char> active(size_t(n), 1);
    std::vector<int> chain;
    chain.reserve(size_t(n));
    float *d = distances.data();
    const size_t nn = size_t(n);
    const Index reportEvery = std::max<Index>(1, n / 100);

    for (Index step = 0; step + 1 < n; ++step) {
        if (chain.empty()) {
            int first = 0;
            while (!active[size_t(first)])
                ++first;
            chain.push_back(first);
        }
        int a = 0, b = 0;
        float best = 0;
        for (;;) {
            a = chain.back();
            const int prev = chain.size() > 1 ? chain[chain.size() - 2] : -1;
            b = prev;
            best =
                prev >= 0 ? d[condensedIndex(n, a, prev)] : std::numeric_limits<float>::infinity();
            const size_t ua = size_t(a);
            // k < a: index n·k − k(k+1)/2 + a − k − 1, stepping by n − k − 2.
            size_t idx = ua - 1;
            for (size_t k = 0; k < ua; ++k) {
                if (active[k] && d[idx] < best) {
                    best = d[idx];
                    b = int(k);
                }
                idx += nn - k - 2;
            }
            // k > a: contiguous row of the upper triangle.
            const size_t base = nn * ua - ua * (ua + 1) / 2;
            for (size_t k = ua + 1; k < nn; ++k) {
                const float v = d[base + (k - ua - 1)];
                if (active[k] && v < best) {
                    best = v;
                    b = int(k);
                }
            }
            if (b == prev)
                break;
            chain.push_back(b);
        }
        chain.pop_back();
        chain.pop_back();
        const int x = std::min(a, b), y = std::max(a, b);
        const double nx = size[size_t(x)], ny = size[size_t(y)];
        raw.push_back({x, y, best});
        // The merged cluster lives in slot y; x is retired.
        active[size_t(x)] = 0;
        for (Index k = 0; k < n; ++k) {
            if (!active[size_t(k)] || k == y)
                continue;
            float &dy = d[condensedIndex(n, k, y)];
            const double v =
                (nx * double(d[condensedIndex(n, k, x)]) + ny * double(dy)) / (nx + ny);
            dy = float(v);
        }
        size[size_t(y)] = int(nx + ny);
        if (progress && (step + 1) % reportEvery == 0) {
            if (!progress(double(step + 1) / double(n - 1),
                          QStringLiteral("linkage %1/%2").arg(step + 1).arg(n - 1))) {
                if (status)
                    *status = Status::Cancelled;
                return {};
            }
        }
    }

    // SciPy: stable sort by height, then number clusters with a union-find (n + i for merge i).
    std::stable_sort(raw.begin(), raw.end(), [](const Raw &l, const Raw &r) { return l.h < r.h; });
    std::vector<int> parent(size_t(2 * n), -1);
    std::vector<int> clusterSize(size_t(2 * n), 1);
    auto find = [&](int v) {
        while (parent[size_t(v)] >= 0)
            v = parent[size_t(v)];
        return v;
    };
    std::vector<LinkageMerge> merges;
    merges.reserve(raw.size());
    for (size_t i = 0; i < raw.size(); ++i) {
        const int rx = find(raw[i].x), ry = find(raw[i].y);
        const int newId = int(n) + int(i);
        parent[size_t(rx)] = newId;
        parent[size_t(ry)] = newId;
        clusterSize[size_t(newId)] = clusterSize[size_t(rx)] + clusterSize[size_t(ry)];
        merges.push_back(
            {std::min(rx, ry), std::max(rx, ry), double(raw[i].h), clusterSize[size_t(newId)]});
    }
    return merges;
}

std::vector<int> cutTree(const std::vector<LinkageMerge> &merges, Index n, double threshold)
{
    if (n < 1)
        throw Error(QStringLiteral("cut tree: needs at least 1 point"));
    if (merges.size() != size_t(n - 1))
        throw Error(QStringLiteral("cut tree: expected %1 merges for %2 points, found %3")
                        .arg(n - 1)
                        .arg(n)
                        .arg(merges.size()));
    if (!std::isfinite(threshold) || threshold < 0)
        throw Error(QStringLiteral("cut tree: the distance threshold must be finite and >= 0, "
                                   "found %1")
                        .arg(threshold));
    // rep[c]: one point of cluster c; maxDist[c]: SciPy's max height in c's subtree.
    std::vector<int> rep(size_t(2 * n - 1));
    std::vector<double> maxDist(size_t(2 * n - 1), 0.0);
    std::iota(rep.begin(), rep.begin() + n, 0);
    std::vector<int> parent(static_cast<size_t>(n));
    std::iota(parent.begin(), parent.end(), 0);
    auto find = [&](int v) {
        while (parent[size_t(v)] != v) {
            parent[size_t(v)] = parent[size_t(parent[size_t(v)])];
            v = parent[size_t(v)];
        }
        return v;
    };
    for (size_t i = 0; i < merges.size(); ++i) {
        const LinkageMerge &m = merges[i];
        const int self = int(n) + int(i);
        if (m.a < 0 || m.b < 0 || m.a >= self || m.b >= self)
            throw Error(QStringLiteral("cut tree: merge %1 refers to cluster %2/%3, which does not "
                                       "exist yet")
                            .arg(i)
                            .arg(m.a)
                            .arg(m.b));
        rep[size_t(self)] = rep[size_t(m.a)];
        maxDist[size_t(self)] = std::max({m.height, maxDist[size_t(m.a)], maxDist[size_t(m.b)]});
        if (maxDist[size_t(self)] <= threshold) {
            const int ra = find(rep[size_t(m.a)]), rb = find(rep[size_t(m.b)]);
            if (ra != rb)
                parent[size_t(std::max(ra, rb))] = std::min(ra, rb);
        }
    }
    std::vector<int> labels(static_cast<size_t>(n));
    std::vector<int> labelOfRoot(size_t(n), 0);
    int next = 0;
    for (Index p = 0; p < n; ++p) {
        const int r = find(int(p));
        if (labelOfRoot[size_t(r)] == 0)
            labelOfRoot[size_t(r)] = ++next;
        labels[size_t(p)] = labelOfRoot[size_t(r)];
    }
    return labels;
}

ClusteringResult correlationClusters(const Eigen::Ref<const RowMatrixF> &X,
                                     const ClusteringOptions &options, const NeuronList &columns,
                                     const std::vector<Index> &rows,
                                     const ExperimentProgress &progress)
{
    const char *fn = "correlation clustering";
    if (!std::isfinite(options.threshold) || options.threshold < 0)
        throw Error(QStringLiteral("%1: the distance threshold must be finite and >= 0, found %2")
                        .arg(QLatin1String(fn))
                        .arg(options.threshold));
    ClusteringResult result;
    result.columns = resolveColumns(X.cols(), columns, fn);
    const Index D = Index(result.columns.size());
    result.memoryBytes = clusteringMemoryBytes(D, options.threads);
    if (result.memoryBytes > options.memoryBudgetBytes)
        throw Error(QStringLiteral("%1 of %2 neurons needs about %3 (condensed distance matrix "
                                   "%4 + workspace), more than the memory budget of %5. Cluster "
                                   "fewer neurons (e.g. one layer at a time) or raise the budget.")
                        .arg(QLatin1String(fn))
                        .arg(D)
                        .arg(megabytes(result.memoryBytes))
                        .arg(megabytes(condensedMatrixBytes(D)))
                        .arg(megabytes(options.memoryBudgetBytes)));

    ExperimentProgress corrProgress, linkProgress;
    if (progress) {
        corrProgress = [&](double f, const QString &s) { return progress(0.7 * f, s); };
        linkProgress = [&](double f, const QString &s) { return progress(0.7 + 0.3 * f, s); };
    }
    CondensedDistances dist = correlationDissimilarity(
        X, options.absoluteCorrelation, result.columns, rows, corrProgress, options.threads);
    if (dist.status != Status::Ok) {
        result.status = dist.status;
        return result;
    }
    for (int p : dist.degenerate)
        result.degenerateColumns.push_back(result.columns[size_t(p)]);
    Status st = Status::Ok;
    result.linkage = averageLinkage(dist.values, D, linkProgress, &st);
    dist.values.clear();
    dist.values.shrink_to_fit();
    if (st != Status::Ok) {
        result.status = st;
        result.linkage.clear();
        return result;
    }
    result.labels = cutTree(result.linkage, D, options.threshold);
    result.clusterCount =
        result.labels.empty() ? 0 : *std::max_element(result.labels.begin(), result.labels.end());
    if (progress)
        progress(1.0, QStringLiteral("clusters: %1").arg(result.clusterCount));
    return result;
}

NeuronList clusterRepresentatives(const ClusteringResult &result, quint64 seed)
{
    if (result.status != Status::Ok)
        throw Error(QStringLiteral("cluster representatives: the clustering did not finish"));
    if (result.labels.size() != result.columns.size())
        throw Error(QStringLiteral("cluster representatives: %1 labels for %2 columns")
                        .arg(result.labels.size())
                        .arg(result.columns.size()));
    std::vector<NeuronList> members(size_t(result.clusterCount));
    for (size_t i = 0; i < result.labels.size(); ++i) {
        const int l = result.labels[i];
        if (l < 1 || l > result.clusterCount)
            throw Error(QStringLiteral("cluster representatives: label %1 outside 1..%2")
                            .arg(l)
                            .arg(result.clusterCount));
        members[size_t(l - 1)].push_back(result.columns[i]);
    }
    std::mt19937_64 rng(seed);
    NeuronList out;
    out.reserve(members.size());
    for (const NeuronList &m : members) {
        if (m.empty())
            continue;
        out.push_back(m[size_t(boundedDraw(rng, quint64(m.size())))]);
    }
    std::sort(out.begin(), out.end());
    return out;
}

IndependentNeurons independentNeurons(const Eigen::Ref<const RowMatrixF> &X,
                                      const ClusteringOptions &options, quint64 seed,
                                      const NeuronList &columns, const std::vector<Index> &rows,
                                      const ExperimentProgress &progress)
{
    IndependentNeurons out;
    out.clustering = correlationClusters(X, options, columns, rows, progress);
    out.status = out.clustering.status;
    if (out.status == Status::Ok)
        out.columns = clusterRepresentatives(out.clustering, seed);
    return out;
}

} // namespace salient
