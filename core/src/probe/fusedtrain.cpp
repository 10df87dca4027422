// The mini-batch loop of probe training, for one probe or for many probes that share X and the
// batch order (probe.h: trainProbe, trainProbes; probe_p.h: trainFused).
//
// One batch = one OpenMP parallel region: gather the rows (all threads), forward product, softmax
// per row, then the weight gradient in row chunks of the inputs, each chunk followed at once by
// the penalty gradient and the Adam update of the same weights while they are in cache.
//
// Bit-identity between a probe trained alone and inside a wide product (and across thread
// counts) rests on three rules:
// 1. the products run Eigen's GEMM kernel with a fixed blocking (depth blocks of kKc, row blocks
//    a multiple of the kernel's row tile), so each output element is accumulated in the same
//    order whatever the product's width, the split between threads or the batch;
// 2. the probes are the *columns* of both products (logits = X_b·Wᵀ with batch rows as kernel
//    rows; gradientᵀ = X_bᵀ·G with inputs as kernel rows); each probe is padded to whole column
//    tiles and thread splits fall on tile boundaries, so a column never changes kernel path;
// 3. everything else (softmax, bias gradient, penalty sums, Adam) runs per probe on aligned
//    scratch in a fixed order that depends neither on the other probes nor on the threads.
#include "probe_p.h"

#include <atomic>
#include <omp.h>

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <limits>

namespace salient::probe_detail {

namespace {

using GebpTraits = Eigen::internal::gebp_traits<float, float>;
constexpr Index kMr = GebpTraits::mr; ///< rows of the kernel's widest tile
constexpr Index kNr = GebpTraits::nr; ///< columns of the kernel's tile
constexpr Index kKc = 256;            ///< depth of one packed block (fixed: it sets the sum order)
constexpr Index kMaxMc = 64 * kMr;
constexpr Index kMaxNc = 2048;

Index roundUp(Index v, Index m)
{
    return (v + m - 1) / m * m;
}

class FixedBlocking : public Eigen::internal::level3_blocking<float, float> {
public:
    FixedBlocking(Index mc, Index nc, Index kc, float *a, float *b)
    {
        m_mc = mc;
        m_nc = nc;
        m_kc = kc;
        m_blockA = a;
        m_blockB = b;
    }
};

/// Packing buffers of one thread; grown on first use, then reused (no allocation per batch).
struct GemmSpace {
    std::vector<float, Eigen::aligned_allocator<float>> a, b;
};

/// res (rows × cols, column-major, leading dimension ldr) = lhs · rhs; rhs column-major.
template <int LhsOrder>
void fixedGemm(Index rows, Index cols, Index depth, const float *lhs, Index lhsStride,
               const float *rhs, Index rhsStride, float *res, Index ldr, GemmSpace &space)
{
    for (Index j = 0; j < cols; ++j)
        std::fill_n(res + j * ldr, rows, 0.0f);
    if (rows == 0 || cols == 0 || depth == 0)
        return;
    const Index kc = std::min(kKc, depth);
    const Index mc = std::min(roundUp(rows, kMr), kMaxMc);
    const Index nc = std::min(roundUp(cols, kNr), kMaxNc);
    if (space.a.size() < std::size_t(kc * mc))
        space.a.resize(std::size_t(kKc * std::max(mc, Index(kMr))));
    if (space.b.size() < std::size_t(kc * nc))
        space.b.resize(std::size_t(kKc * std::max(nc, Index(kNr))));
    FixedBlocking blocking(mc, nc, kc, space.a.data(), space.b.data());
    Eigen::internal::general_matrix_matrix_product<Index, float, LhsOrder, false, float,
                                                   Eigen::ColMajor, false, Eigen::ColMajor,
                                                   1>::run(rows, cols, depth, lhs, lhsStride, rhs,
                                                           rhsStride, res, 1, ldr, 1.0f, blocking,
                                                           nullptr);
}

/// Per-probe scalars of one Adam step (PyTorch, spec §5.4).
struct AdamStep {
    float stepSize = 0, bc2Sqrt = 0;
};
constexpr double kBeta1 = 0.9, kBeta2 = 0.999;
constexpr float kEps = 1e-8f;

AdamStep adamStep(int step, float lr)
{
    const double bc1 = 1.0 - std::pow(kBeta1, step);
    const double bc2 = 1.0 - std::pow(kBeta2, step);
    return {float(double(lr) / bc1), float(std::sqrt(bc2))};
}

/// One Adam update of n parameters with gradient g (penalties already added).
inline void adamScalar(float &p, float g, float &m, float &v, AdamStep s)
{
    m = m * float(kBeta1) + g * float(1.0 - kBeta1);
    v = v * float(kBeta2) + float(1.0 - kBeta2) * g * g;
    p -= s.stepSize * (m / (std::sqrt(v) / s.bc2Sqrt + kEps));
}

/// Penalty gradient + Adam on n consecutive weights of one class, then (with Stats: the probe
/// has a penalty, whose next value needs them) Σ|w| and Σw² of the new weights added per row
/// into ra / rs.
template <bool L1, bool L2, bool Stats = true>
void adamRows(float *__restrict w, float *__restrict m, float *__restrict v,
              const float *__restrict gd, Index n, float l1, float l2Coef, AdamStep s,
              double *__restrict ra, double *__restrict rs)
{
    const float b1 = float(kBeta1), b2 = float(kBeta2);
    const float c1 = float(1.0 - kBeta1), c2 = float(1.0 - kBeta2);
    for (Index r = 0; r < n; ++r) {
        float g = gd[r];
        if constexpr (L1)
            g += l1 * float((w[r] > 0.0f) - (w[r] < 0.0f)); // sign(0) = 0
        if constexpr (L2)
            g += l2Coef * w[r];
        m[r] = m[r] * b1 + g * c1;
        v[r] = v[r] * b2 + c2 * g * g;
        w[r] -= s.stepSize * (m[r] / (std::sqrt(v[r]) / s.bc2Sqrt + kEps));
        if constexpr (Stats) {
            const double wd = double(w[r]);
            ra[r] += std::abs(wd);
            rs[r] += wd * wd;
        }
    }
}

struct ProbeState {
    int C = 0;
    Index col0 = 0; ///< first column of this probe in the padded parameter matrices
    bool alive = true;
    float l1 = 0, l2 = 0, lr = 0;
    const int *y = nullptr;
    VectorF b, mb, vb, gb;
    double absSum = 0, sqSum = 0; ///< Σ|W| and Σ W² of the current weights
    // per batch
    float data = 0, penalty = 0, l2Coef = 0;
    Index correct = 0;
    AdamStep step;
    // per epoch
    double dataSum = 0, penaltySum = 0, neuroxSum = 0;
    TrainResult result;
};

} // namespace

std::vector<TrainResult> trainFused(const FusedShared &sh, std::vector<FusedProbe> &probes,
                                    const TrainCallback &callback)
{
    const Index P = Index(probes.size());
    const Index K = sh.inputs;
    const Index Nt = Index(sh.order.size());
    const Index B = std::min<Index>(sh.batch, Nt);
    const bool regression = sh.regression;
    const Eigen::Ref<const RowMatrixF> *dense = sh.source->dense();
    const bool standardize = sh.mean.size() > 0;
    const bool direct = dense && sh.gatherCols.empty() && !standardize;

    std::vector<ProbeState> st(static_cast<std::size_t>(P));
    Index width = 0;
    int maxC = 1;
    for (Index p = 0; p < P; ++p) {
        ProbeState &s = st[std::size_t(p)];
        const FusedProbe &f = probes[std::size_t(p)];
        s.C = f.classes;
        s.col0 = width;
        width += roundUp(f.classes, kNr);
        maxC = std::max(maxC, f.classes);
        s.l1 = f.l1;
        s.l2 = f.l2;
        s.lr = f.lr;
        s.y = f.y;
        s.b = f.b;
        s.mb = VectorF::Zero(f.classes);
        s.vb = VectorF::Zero(f.classes);
        s.gb = VectorF::Zero(f.classes);
    }
    // Parameters transposed (inputs × padded columns): probe p is a contiguous column block.
    MatrixF Wt = MatrixF::Zero(K, width), mW = MatrixF::Zero(K, width),
            vW = MatrixF::Zero(K, width);
    for (Index p = 0; p < P; ++p) {
        Wt.middleCols(st[std::size_t(p)].col0, probes[std::size_t(p)].classes) =
            probes[std::size_t(p)].W.transpose();
        probes[std::size_t(p)].W.resize(0, 0);
    }
    // Per input row and probe: Σ_c |w| and Σ_c w² (fixed order → P- and thread-independent).
    Eigen::MatrixXd rowAbs = Eigen::MatrixXd::Zero(K, P), rowSq = Eigen::MatrixXd::Zero(K, P);
    auto rowStats = [&](Index p, Index k0, Index n) {
        const ProbeState &s = st[std::size_t(p)];
        double *ra = rowAbs.col(p).data() + k0;
        double *rs = rowSq.col(p).data() + k0;
        std::fill_n(ra, n, 0.0);
        std::fill_n(rs, n, 0.0);
        for (int c = 0; c < s.C; ++c) {
            const float *w = Wt.col(s.col0 + c).data() + k0;
            for (Index r = 0; r < n; ++r) {
                ra[r] += std::abs(double(w[r]));
                rs[r] += double(w[r]) * double(w[r]);
            }
        }
    };
    auto sumStats = [&](Index p) {
        ProbeState &s = st[std::size_t(p)];
        double a = 0, q = 0;
        for (Index k = 0; k < K; ++k) {
            a += rowAbs(k, p);
            q += rowSq(k, p);
        }
        s.absSum = a;
        s.sqSum = q;
    };
    for (Index p = 0; p < P; ++p) {
        rowStats(p, 0, K);
        sumStats(p);
    }

    // Small products run faster on one thread than split (the old rule: < ~4 M multiply-adds).
    // Inside another active parallel region (analyses' parallelFor) a nested region would have
    // one thread: run the batch directly instead.
    const int threads =
        double(B) * double(K) * double(width) < 4e6 || omp_in_parallel()
            ? 1
            : std::max(1, sh.threads > 0 ? std::min(sh.threads, omp_get_max_threads())
                                         : omp_get_max_threads());
    std::vector<GemmSpace> spaces(static_cast<std::size_t>(threads));
    std::vector<VectorF> scratch(static_cast<std::size_t>(threads), VectorF(maxC));
    // Weight-gradient chunks: rows of the inputs, a multiple of the kernel's row tile, about
    // 64 K floats of gradient each (stays in cache for the Adam pass that follows), but at least
    // 20 row tiles (G is repacked per chunk: wide fused products want fewer, taller chunks).
    // Every thread needs work: at most ⌈K / (2 · threads)⌉ rows per chunk (K = 384 made one
    // chunk, and the gradient + Adam of a fused grid ran on one thread while the other waited).
    // The chunking does not change a result: each element's sum runs over the batch in the
    // fixed blocking whatever the chunk.
    const Index chunkRows =
        std::min({roundUp(K, kMr), std::max<Index>(20 * kMr, (65536 / width) / kMr * kMr),
                  std::max<Index>(kMr, roundUp((K + 2 * threads - 1) / (2 * threads), kMr))});
    const Index chunks = (K + chunkRows - 1) / chunkRows;
    std::vector<MatrixF> gchunk(static_cast<std::size_t>(threads), MatrixF(chunkRows, width));
    std::atomic<Index> nextChunk{0}; // the next weight-gradient chunk a thread takes

    RowMatrixF xb;       // gathered batch (allocated on the first gathered batch)
    MatrixF Z(B, width); // logits, then the gradient wrt the logits (column-major)
    MatrixF rowLoss(B, P);
    std::vector<unsigned char> rowCorrect(static_cast<std::size_t>(B * P));
    std::vector<Index> batchRows(static_cast<std::size_t>(B));
    std::vector<Index> perm(static_cast<std::size_t>(Nt));
    const Index batches = (Nt + B - 1) / B;
    int step = 0;

    auto finish = [&](Status status) {
        std::vector<TrainResult> out;
        for (Index p = 0; p < P; ++p) {
            ProbeState &s = st[std::size_t(p)];
            TrainResult r = std::move(s.result);
            if (status != Status::Ok) {
                r.status = status;
            } else if (!s.alive) {
                r.status = Status::Failed;
            } else {
                r.status = Status::Ok;
                r.probe.W = Wt.middleCols(s.col0, s.C).transpose();
                r.probe.b = s.b;
            }
            out.push_back(std::move(r));
        }
        return out;
    };

    for (int epoch = 0; epoch < sh.epochs; ++epoch) {
        if (sh.permute)
            sh.permute(epoch, perm);
        std::unique_ptr<BatchReader> reader;
        if (!dense) {
            std::vector<Index> epochOrder(static_cast<std::size_t>(Nt));
            for (Index i = 0; i < Nt; ++i)
                epochOrder[std::size_t(i)] = sh.permute
                                                 ? sh.order[std::size_t(perm[std::size_t(i)])]
                                                 : sh.order[std::size_t(i)];
            reader = sh.source->read(std::move(epochOrder), B, sh.gatherCols);
        }
        for (ProbeState &s : st)
            s.dataSum = s.penaltySum = s.neuroxSum = 0;
        for (Index bi = 0; bi < batches; ++bi) {
            const Index start = bi * B;
            const Index n = std::min<Index>(B, Nt - start);
            const Index *idx = sh.order.data() + start;
            if (sh.permute) {
                for (Index i = 0; i < n; ++i)
                    batchRows[std::size_t(i)] = sh.order[std::size_t(perm[std::size_t(start + i)])];
                idx = batchRows.data();
            }
            bool consecutive = direct;
            for (Index i = 1; consecutive && i < n; ++i)
                consecutive = idx[i] == idx[0] + i;
            const float *xptr = nullptr;
            Index ldx = K;
            bool gatherHere = false;
            if (consecutive) {
                xptr = dense->data() + idx[0] * dense->outerStride();
                ldx = dense->outerStride();
            } else if (dense) {
                if (xb.rows() < B)
                    xb.resize(B, K);
                xptr = xb.data();
                gatherHere = true;
            } else {
                const Index got = reader->next(xb); // the same rows, from float16 or disk
                if (got != n)
                    throw Error(QStringLiteral("batch reader delivered %1 rows, expected %2")
                                    .arg(got)
                                    .arg(n));
                standardizeRows(xb, n, sh.mean, sh.scale);
                xptr = xb.data();
            }
            const float invB = 1.0f / float(n);
            ++step;

            // One batch, run by thread tid of nt: no OpenMP construct inside (a team of one
            // still pays a futex wake per barrier, ~6 µs each on this VM, five per batch);
            // sync() is a barrier of the team when nt > 1. Rows and chunks are split by hand.
            nextChunk.store(0);
            const auto batchStep = [&](const int tid, const int nt, const auto &sync) {
                GemmSpace &space = spaces[std::size_t(tid)];
                const Index rowLo = n * tid / nt, rowHi = n * (tid + 1) / nt;
                if (gatherHere) {
                    const int *cols = sh.gatherCols.data();
                    for (Index i = rowLo; i < rowHi; ++i) {
                        const float *src = dense->row(idx[i]).data();
                        float *dst = xb.row(i).data();
                        if (sh.gatherCols.empty())
                            std::copy_n(src, K, dst);
                        else
                            for (Index j = 0; j < K; ++j)
                                dst[j] = src[cols[j]];
                        if (standardize)
                            for (Index j = 0; j < K; ++j)
                                dst[j] = (dst[j] - sh.mean[j]) * sh.scale[j];
                    }
                    sync();
                }
                // Forward: Z = X_b · Wᵀ. Split the smaller packing: batch rows (each thread packs
                // all weights) or probe columns (each thread packs the whole batch).
                if (width < n) {
                    const Index R = roundUp((n + nt - 1) / nt, kMr);
                    const Index r0 = std::min(n, tid * R), r1 = std::min(n, r0 + R);
                    if (r1 > r0)
                        fixedGemm<Eigen::RowMajor>(r1 - r0, width, K, xptr + r0 * ldx, ldx,
                                                   Wt.data(), K, Z.data() + r0, B, space);
                } else {
                    const Index Cc = roundUp((width + nt - 1) / nt, kNr);
                    const Index c0 = std::min(width, tid * Cc), c1 = std::min(width, c0 + Cc);
                    if (c1 > c0)
                        fixedGemm<Eigen::RowMajor>(n, c1 - c0, K, xptr, ldx, Wt.data() + c0 * K, K,
                                                   Z.data() + c0 * B, B, space);
                }
                sync();
                // Loss and gradient wrt the logits, per row and probe (spec §5.3).
                VectorF &z = scratch[std::size_t(tid)];
                for (Index i = rowLo; i < rowHi; ++i) {
                    for (Index p = 0; p < P; ++p) {
                        const ProbeState &s = st[std::size_t(p)];
                        float *col = Z.data() + s.col0 * B + i; // stride B
                        if (!s.alive) {
                            for (int c = 0; c < s.C; ++c)
                                col[c * B] = 0.0f;
                            continue;
                        }
                        if (regression) {
                            // MSE on the squeezed single output; d/d out = 2 (out − t) / B.
                            const float d = (col[0] + s.b[0]) - sh.yValue[idx[i]];
                            rowLoss(i, p) = d * d;
                            col[0] = 2.0f * d * invB;
                            continue;
                        }
                        // Logits = product + bias. Stable log-softmax: CE = logΣexp(z − max) − (z_y
                        // − max); d/dz = (softmax − onehot) / B, on aligned scratch.
                        auto zc = z.head(s.C);
                        for (int c = 0; c < s.C; ++c)
                            zc[c] = col[c * B] + s.b[c];
                        Index arg = 0;
                        const float mx = zc.maxCoeff(&arg);
                        const int t = s.y[idx[i]];
                        rowCorrect[std::size_t(i * P + p)] = arg == t ? 1 : 0;
                        const float shifted = zc[t] - mx;
                        zc.array() = (zc.array() - mx).exp();
                        const float sum = zc.sum();
                        rowLoss(i, p) = std::log(sum) - shifted;
                        zc *= invB / sum;
                        zc[t] -= invB;
                        for (int c = 0; c < s.C; ++c)
                            col[c * B] = zc[c];
                    }
                }
                sync();
                if (tid == 0) {
                    for (Index p = 0; p < P; ++p) {
                        ProbeState &s = st[std::size_t(p)];
                        if (!s.alive)
                            continue;
                        float loss = 0.0f;
                        Index correct = 0;
                        for (Index i = 0; i < n; ++i) {
                            loss += rowLoss(i, p);
                            correct += regression ? 0 : rowCorrect[std::size_t(i * P + p)];
                        }
                        s.correct = correct;
                        s.data = loss * invB;
                        float penalty = 0.0f;
                        s.l2Coef = 0.0f;
                        if (s.l1 > 0.0f)
                            penalty += s.l1 * float(s.absSum);
                        if (s.l2 > 0.0f) {
                            const float norm = float(std::sqrt(s.sqSum));
                            penalty += s.l2 * norm;
                            if (norm > 0.0f)
                                s.l2Coef = s.l2 / norm; // gradient 0 when ‖W‖_F = 0
                        }
                        s.penalty = penalty;
                        if (!std::isfinite(double(s.data + penalty))) {
                            // Diverged (a huge learning rate, non-finite inputs): no usable probe.
                            s.alive = false;
                            continue;
                        }
                        s.step = adamStep(step, s.lr);
                        for (int c = 0; c < s.C; ++c) {
                            const float *g = Z.data() + (s.col0 + c) * B;
                            float sum = 0.0f;
                            for (Index i = 0; i < n; ++i)
                                sum += g[i];
                            adamScalar(s.b[c], sum, s.mb[c], s.vb[c], s.step);
                        }
                    }
                }
                sync();
                // Weight gradient (X_bᵀ·G) by input chunks, each followed by penalty + Adam.
                MatrixF &g = gchunk[std::size_t(tid)];
                for (Index ch; (ch = nextChunk.fetch_add(1)) < chunks;) {
                    const Index k0 = ch * chunkRows;
                    const Index rows = std::min(chunkRows, K - k0);
                    fixedGemm<Eigen::ColMajor>(rows, width, n, xptr + k0, ldx, Z.data(), B,
                                               g.data(), chunkRows, space);
                    for (Index p = 0; p < P; ++p) {
                        const ProbeState &s = st[std::size_t(p)];
                        if (!s.alive)
                            continue;
                        // Plain loops of IEEE-exact operations (this file is built with
                        // -fno-math-errno and without contraction), so vector and scalar lanes
                        // give the same bits and the alignment of a block, which depends on P,
                        // cannot change a result. (Eigen's fast-math packet sqrt is approximate.)
                        double *ra = rowAbs.col(p).data() + k0;
                        double *rs = rowSq.col(p).data() + k0;
                        // Without a penalty Σ|W| and ‖W‖ are never used: not computed.
                        const bool stats = s.l1 > 0.0f || s.l2 > 0.0f;
                        if (stats) {
                            std::fill_n(ra, rows, 0.0);
                            std::fill_n(rs, rows, 0.0);
                        }
                        const float l1 = s.l1, l2c = s.l2Coef;
                        const AdamStep as = s.step;
                        for (int c = 0; c < s.C; ++c) {
                            const Index col = s.col0 + c;
                            const float *gd = g.data() + col * chunkRows;
                            float *w = Wt.data() + col * K + k0;
                            float *m = mW.data() + col * K + k0;
                            float *v = vW.data() + col * K + k0;
                            if (l1 > 0.0f && l2c != 0.0f)
                                adamRows<true, true>(w, m, v, gd, rows, l1, l2c, as, ra, rs);
                            else if (l1 > 0.0f)
                                adamRows<true, false>(w, m, v, gd, rows, l1, l2c, as, ra, rs);
                            else if (l2c != 0.0f)
                                adamRows<false, true>(w, m, v, gd, rows, l1, l2c, as, ra, rs);
                            else if (stats)
                                adamRows<false, false>(w, m, v, gd, rows, l1, l2c, as, ra, rs);
                            else
                                adamRows<false, false, false>(w, m, v, gd, rows, l1, l2c, as, ra,
                                                              rs);
                        }
                    }
                }
            };
            if (threads > 1) {
#pragma omp parallel num_threads(threads)
                batchStep(omp_get_thread_num(), omp_get_num_threads(), [] {
#pragma omp barrier
                });
            } else {
                batchStep(0, 1, [] {});
            }

            for (Index p = 0; p < P; ++p) {
                ProbeState &s = st[std::size_t(p)];
                if (!s.alive)
                    continue;
                if (s.l1 > 0.0f || s.l2 > 0.0f)
                    sumStats(p);
                const double batchLoss = double(s.data + s.penalty);
                s.dataSum += double(s.data) * double(n);
                s.penaltySum += double(s.penalty);
                s.neuroxSum += batchLoss;
            }
            if (std::none_of(st.begin(), st.end(), [](const ProbeState &s) { return s.alive; }))
                return finish(Status::Ok); // all diverged: every result says Failed

            if (callback) {
                const ProbeState &s = st.front();
                TrainProgress progress;
                progress.epoch = epoch;
                progress.epochs = sh.epochs;
                progress.batch = bi;
                progress.batches = batches;
                progress.batchLoss = double(s.data + s.penalty);
                progress.batchAccuracy = regression ? std::numeric_limits<double>::quiet_NaN()
                                                    : double(s.correct) / double(n);
                if (!callback(progress))
                    return finish(Status::Cancelled); // empty probes; completed epochs' losses
            }
        }
        for (ProbeState &s : st) {
            if (!s.alive)
                continue;
            // True mean loss: data term averaged over tokens + penalty averaged over batches.
            s.result.epochLoss.push_back(s.dataSum / double(Nt) + s.penaltySum / double(batches));
            s.result.neuroxEpochLoss.push_back(s.neuroxSum / double(Nt));
        }
    }
    return finish(Status::Ok);
}

} // namespace salient::probe_detail
