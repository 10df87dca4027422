// Forward passes of spec/MODELS.md §3 (float32, Eigen) and the checkpoint loaders (HF folders,
// llama2.c .bin). Weights stay where they are stored: F32 safetensors/.bin data is used in place
// from the read-only mapping (zero copy); F16/BF16 matrices stay in their stored precision and are
// converted to float32 chunk by chunk right before each product (scratch ≤ kChunkFloats floats per
// product), so a half-precision checkpoint needs half the memory of a float32 one. Vectors (norm
// weights, biases) are converted once at load.
#include "salient/model/transformer.h"

#include "salient/model/modelconfig.h"
#include "salient/model/safetensors.h"
#include "salient/util/float16.h"
#include "salient/util/runtime.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QSet>
#include <bit>
#include <climits>
#include <cmath>
#include <cstring>
#include <omp.h>
#include <unordered_map>

namespace salient::model {

QString familyName(Family f)
{
    switch (f) {
    case Family::Bert:
        return QStringLiteral("bert");
    case Family::Roberta:
        return QStringLiteral("roberta");
    case Family::Electra:
        return QStringLiteral("electra");
    case Family::Gpt2:
        return QStringLiteral("gpt2");
    case Family::Llama:
        return QStringLiteral("llama");
    }
    return QStringLiteral("?");
}

namespace {

/// Largest float32 scratch of one weight conversion (16 MiB).
constexpr Index kChunkFloats = Index(1) << 22;

/// A row-major weight matrix (or vector: rows = 1) where it is stored; data aligned to its dtype.
struct Weight {
    const std::byte *data = nullptr;
    DType dtype = DType::F32;
    Index rows = 0;
    Index cols = 0;
    bool present() const { return data != nullptr; }
};

/// Rows [r0, r0 + n) of @p w as float32 into @p out (n · cols floats).
void toFloat(const Weight &w, Index r0, Index n, float *out)
{
    const Index count = n * w.cols;
    const Index first = r0 * w.cols;
    switch (w.dtype) {
    case DType::F32:
        std::memcpy(out, reinterpret_cast<const float *>(w.data) + first, size_t(count) * 4);
        return;
    case DType::F16:
        halfsToFloat(reinterpret_cast<const std::uint16_t *>(w.data) + first, out, count);
        return;
    case DType::BF16: {
        const auto *src = reinterpret_cast<const std::uint16_t *>(w.data) + first;
        for (Index i = 0; i < count; ++i)
            out[i] = std::bit_cast<float>(std::uint32_t(src[i]) << 16);
        return;
    }
    default:
        throw Error(
            QStringLiteral("internal: weight dtype %1 not convertible").arg(dtypeName(w.dtype)));
    }
}

VectorF vectorOf(const Weight &w)
{
    VectorF v(w.rows * w.cols);
    if (v.size())
        toFloat(w, 0, w.rows, v.data());
    return v;
}

using ConstMap = Eigen::Map<const RowMatrixF>;

/// Y = X·Wᵀ (+ b) for nn.Linear (W out × in), or X·W (+ b) for GPT-2's Conv1D (W in × out).
void linear(const RowMatrixF &X, const Weight &W, const VectorF &b, bool conv1d, RowMatrixF &Y)
{
    const Index out = conv1d ? W.cols : W.rows;
    Y.resize(X.rows(), out);
    if (W.dtype == DType::F32) {
        const ConstMap M(reinterpret_cast<const float *>(W.data), W.rows, W.cols);
        if (conv1d)
            Y.noalias() = X * M;
        else
            Y.noalias() = X * M.transpose();
    } else {
        const Index chunk =
            std::max<Index>(1, std::min<Index>(W.rows, kChunkFloats / std::max<Index>(1, W.cols)));
        RowMatrixF Wc(chunk, W.cols);
        if (conv1d)
            Y.setZero();
        for (Index r0 = 0; r0 < W.rows; r0 += chunk) {
            const Index n = std::min(chunk, W.rows - r0);
            toFloat(W, r0, n, Wc.data());
            if (conv1d)
                Y.noalias() += X.middleCols(r0, n) * Wc.topRows(n);
            else
                Y.middleCols(r0, n).noalias() = X * Wc.topRows(n).transpose();
        }
    }
    if (b.size())
        Y.rowwise() += b.transpose();
}

/// Runs fn(begin, end) over row ranges on up to @p threads OpenMP threads.
template <typename F> void parallelRows(Index rows, int threads, F &&fn)
{
    const Index grain = 16;
    const Index chunks = (rows + grain - 1) / grain;
#pragma omp parallel for schedule(static) num_threads(threads) if (chunks > 1 && threads > 1)
    for (Index c = 0; c < chunks; ++c)
        fn(c * grain, std::min(rows, (c + 1) * grain));
}

void layerNorm(RowMatrixF &X, const VectorF &w, const VectorF &b, float eps, int threads)
{
    parallelRows(X.rows(), threads, [&](Index r0, Index r1) {
        for (Index r = r0; r < r1; ++r) {
            auto row = X.row(r);
            const float mean = row.mean();
            row.array() -= mean;
            const float var = row.squaredNorm() / float(row.size());
            const float inv = 1.0f / std::sqrt(var + eps);
            row = (row.array() * inv * w.transpose().array() + b.transpose().array()).matrix();
        }
    });
}

void rmsNorm(const RowMatrixF &X, const VectorF &w, float eps, RowMatrixF &Y, int threads)
{
    Y.resize(X.rows(), X.cols());
    parallelRows(X.rows(), threads, [&](Index r0, Index r1) {
        for (Index r = r0; r < r1; ++r) {
            const float ms = X.row(r).squaredNorm() / float(X.cols());
            const float inv = 1.0f / std::sqrt(ms + eps);
            Y.row(r) = (X.row(r).array() * inv * w.transpose().array()).matrix();
        }
    });
}

enum class Act { Gelu, GeluTanh, Relu, Silu, QuickGelu };

Act actOf(const QString &name)
{
    if (name == QLatin1String("gelu"))
        return Act::Gelu;
    if (name == QLatin1String("gelu_new"))
        return Act::GeluTanh;
    if (name == QLatin1String("relu"))
        return Act::Relu;
    if (name == QLatin1String("quick_gelu"))
        return Act::QuickGelu;
    return Act::Silu;
}

inline float activate(Act a, float x)
{
    switch (a) {
    case Act::Gelu:
        return 0.5f * x * (1.0f + std::erf(x * 0.70710678118654752f));
    case Act::GeluTanh:
        return 0.5f * x * (1.0f + std::tanh(0.79788456080286536f * (x + 0.044715f * x * x * x)));
    case Act::Relu:
        return x > 0.0f ? x : 0.0f;
    case Act::Silu:
        return x / (1.0f + std::exp(-x));
    case Act::QuickGelu:
        return x / (1.0f + std::exp(-1.702f * x));
    }
    return x;
}

void activateInPlace(RowMatrixF &X, Act a, int threads, const RowMatrixF *mul = nullptr)
{
    const Index cols = X.cols();
    parallelRows(X.rows(), threads, [&](Index r0, Index r1) {
        for (Index r = r0; r < r1; ++r) {
            float *x = X.row(r).data();
            for (Index c = 0; c < cols; ++c)
                x[c] = activate(a, x[c]);
            if (mul) {
                const float *m = mul->row(r).data();
                for (Index c = 0; c < cols; ++c)
                    x[c] *= m[c];
            }
        }
    });
}

/// Row offsets and lengths of the packed sequences.
struct Packing {
    std::vector<Index> offset;
    std::vector<Index> length;
    Index total = 0;
    Index longest = 0;
};

using StridedConst = Eigen::Map<const RowMatrixF, 0, Eigen::OuterStride<>>;
using Strided = Eigen::Map<RowMatrixF, 0, Eigen::OuterStride<>>;

/**
 * Multi-head attention per sequence: q (stride qs), k, v (strides ks, vs) hold head h at columns
 * h·d … h·d+d−1; query head h reads kv head h / (nh / nkv). out: total × nh·d.
 */
void attention(const float *q, Index qs, const float *k, Index ks, const float *v, Index vs,
               const Packing &p, int nh, int nkv, int d, float scale, bool causal, int threads,
               RowMatrixF &out)
{
    out.resize(p.total, Index(nh) * d);
    const int group = nh / nkv;
    const int jobs = int(p.length.size()) * nh;
    const Index os = out.cols();
    float *o = out.data();
#pragma omp parallel for schedule(dynamic) num_threads(threads) if (threads > 1 && jobs > 1)
    for (int job = 0; job < jobs; ++job) {
        const int b = job / nh;
        const int h = job % nh;
        const int kvh = h / group;
        const Index off = p.offset[size_t(b)];
        const Index T = p.length[size_t(b)];
        if (T == 0)
            continue;
        const StridedConst Q(q + off * qs + Index(h) * d, T, d, Eigen::OuterStride<>(qs));
        const StridedConst K(k + off * ks + Index(kvh) * d, T, d, Eigen::OuterStride<>(ks));
        const StridedConst V(v + off * vs + Index(kvh) * d, T, d, Eigen::OuterStride<>(vs));
        RowMatrixF S(T, T);
        S.noalias() = Q * K.transpose();
        for (Index i = 0; i < T; ++i) {
            const Index n = causal ? i + 1 : T;
            auto row = S.row(i).head(n);
            row *= scale;
            const float mx = row.maxCoeff();
            row = (row.array() - mx).exp().matrix();
            row /= row.sum();
            if (n < T)
                S.row(i).tail(T - n).setZero();
        }
        Strided O(o + off * os + Index(h) * d, T, d, Eigen::OuterStride<>(os));
        O.noalias() = S * V;
    }
}

/// Rotary embedding in place on columns [0, heads·d) of X for the packed sequences' positions.
/// HF's half-split pairs (i, i + d/2), or llama2.c's interleaved pairs (2i, 2i + 1).
void rope(RowMatrixF &X, int heads, int d, const Packing &p, const std::vector<float> &cosT,
          const std::vector<float> &sinT, bool interleaved, int threads)
{
    const int half = d / 2;
    const int nb = int(p.length.size());
#pragma omp parallel for schedule(dynamic) num_threads(threads) if (threads > 1 && nb > 1)
    for (int b = 0; b < nb; ++b) {
        for (Index t = 0; t < p.length[size_t(b)]; ++t) {
            float *row = X.row(p.offset[size_t(b)] + t).data();
            const float *c = cosT.data() + t * half;
            const float *s = sinT.data() + t * half;
            for (int h = 0; h < heads; ++h) {
                float *x = row + Index(h) * d;
                for (int i = 0; i < half; ++i) {
                    const int a = interleaved ? 2 * i : i;
                    const int z = interleaved ? 2 * i + 1 : i + half;
                    const float x0 = x[a];
                    const float x1 = x[z];
                    x[a] = x0 * c[i] - x1 * s[i];
                    x[z] = x1 * c[i] + x0 * s[i];
                }
            }
        }
    }
}

class OmpThreads {
public:
    explicit OmpThreads(int n) : saved_(omp_get_max_threads()) { omp_set_num_threads(n); }
    ~OmpThreads() { omp_set_num_threads(saved_); }
    OmpThreads(const OmpThreads &) = delete;
    OmpThreads &operator=(const OmpThreads &) = delete;

private:
    int saved_;
};

struct Layer {
    // BERT: q k v o, fc1 = intermediate.dense, fc2 = output.dense; n1/n2 = attention/output LN.
    // GPT-2: q = c_attn (fused, Conv1D), o = c_proj, fc1 = mlp.c_fc, fc2 = mlp.c_proj; n1/n2 =
    // ln_1/2. Llama: q k v o, fc1 = gate_proj, up = up_proj, fc2 = down_proj; n1/n2 = RMSNorm
    // weights.
    Weight q, k, v, o, fc1, fc2, up;
    VectorF qb, kb, vb, ob, fc1b, fc2b, upb;
    VectorF n1w, n1b, n2w, n2b;
};

class TransformerImpl final : public Transformer {
public:
    ModelInfo info_;
    ModelConfig cfg_;
    LastLayer defaultLast_ = LastLayer::FinalNorm;
    bool interleavedRope_ = false;
    Act act_ = Act::Gelu;

    // Storage the weights point into.
    std::vector<std::shared_ptr<SafetensorsFile>> files_;
    std::unique_ptr<QFile> binFile_;
    std::vector<std::unique_ptr<std::uint32_t[]>> owned_;

    Weight wordEmb_, posEmb_, typeEmb_, embProj_, head_;
    VectorF embNormW_, embNormB_, embProjB_, finalNormW_, finalNormB_;
    std::vector<Layer> layers_;

    const ModelInfo &info() const override { return info_; }

    std::vector<std::vector<RowMatrixF>> forward(const std::vector<std::vector<int>> &batch,
                                                 const ForwardOptions &options) const override
    {
        std::vector<std::vector<RowMatrixF>> stack(batch.size());
        for (auto &s : stack)
            s.resize(size_t(info_.layers) + 1);
        (void)run(batch, options, &stack);
        return stack;
    }

    RowMatrixF logits(const std::vector<int> &ids, const ForwardOptions &options) const override
    {
        if (cfg_.family != Family::Gpt2 && cfg_.family != Family::Llama)
            throw Error(
                QStringLiteral("%1: logits() needs a decoder model (gpt2, llama); this is %2")
                    .arg(info_.source, info_.modelType));
        if (!head_.present())
            throw Error(QStringLiteral("%1: the checkpoint has no LM head").arg(info_.source));
        const int threads = options.threads > 0 ? options.threads : computeThreads();
        OmpThreads guard(threads);
        RowMatrixF X = run({ids}, options, nullptr);
        if (resolve(options.lastLayer) == LastLayer::Raw)
            X = finalNorm(X, threads);
        RowMatrixF Y;
        linear(X, head_, VectorF(), false, Y);
        return Y;
    }

    LastLayer resolve(LastLayer l) const { return l == LastLayer::Default ? defaultLast_ : l; }

    RowMatrixF finalNorm(const RowMatrixF &X, int threads) const
    {
        if (cfg_.family == Family::Gpt2) {
            RowMatrixF Y = X;
            layerNorm(Y, finalNormW_, finalNormB_, float(cfg_.normEps), threads);
            return Y;
        }
        if (cfg_.family == Family::Llama) {
            RowMatrixF Y;
            rmsNorm(X, finalNormW_, float(cfg_.normEps), Y, threads);
            return Y;
        }
        return X;
    }

    Packing pack(const std::vector<std::vector<int>> &batch) const
    {
        Packing p;
        for (size_t b = 0; b < batch.size(); ++b) {
            const auto &ids = batch[b];
            if (Index(ids.size()) > info_.maxPositions)
                throw Error(
                    QStringLiteral("%1: sequence %2 has %3 tokens; the model accepts at most %4")
                        .arg(info_.source)
                        .arg(b)
                        .arg(ids.size())
                        .arg(info_.maxPositions));
            for (size_t t = 0; t < ids.size(); ++t)
                if (ids[t] < 0 || ids[t] >= info_.vocabSize)
                    throw Error(
                        QStringLiteral("%1: sequence %2, position %3: token id %4 is outside "
                                       "the vocabulary [0, %5)")
                            .arg(info_.source)
                            .arg(b)
                            .arg(t)
                            .arg(ids[t])
                            .arg(info_.vocabSize));
            p.offset.push_back(p.total);
            p.length.push_back(Index(ids.size()));
            p.total += Index(ids.size());
            p.longest = std::max(p.longest, Index(ids.size()));
        }
        return p;
    }

    void gather(const Weight &table, int row, float *out) const { toFloat(table, row, 1, out); }

    RowMatrixF embed(const std::vector<std::vector<int>> &batch, const Packing &p,
                     int threads) const
    {
        const Index width = cfg_.embeddingSize;
        RowMatrixF X(p.total, width);
        std::vector<float> tmp(static_cast<size_t>(width));
        for (size_t b = 0; b < batch.size(); ++b) {
            const auto &ids = batch[b];
            int roberta = cfg_.padTokenId; // running RoBERTa position id
            for (size_t t = 0; t < ids.size(); ++t) {
                float *x = X.row(p.offset[b] + Index(t)).data();
                gather(wordEmb_, ids[t], x);
                Eigen::Map<Eigen::RowVectorXf> xr(x, width);
                const Eigen::Map<const Eigen::RowVectorXf> tr(tmp.data(), width);
                switch (cfg_.family) {
                case Family::Llama:
                    break;
                case Family::Gpt2:
                    gather(posEmb_, int(t), tmp.data());
                    xr += tr;
                    break;
                case Family::Roberta: {
                    const int pos = ids[t] == cfg_.padTokenId ? cfg_.padTokenId : ++roberta;
                    gather(posEmb_, pos, tmp.data());
                    xr += tr;
                    gather(typeEmb_, 0, tmp.data());
                    xr += tr;
                    break;
                }
                case Family::Bert:
                case Family::Electra:
                    gather(posEmb_, int(t), tmp.data());
                    xr += tr;
                    gather(typeEmb_, 0, tmp.data());
                    xr += tr;
                    break;
                }
            }
        }
        if (cfg_.family == Family::Bert || cfg_.family == Family::Roberta
            || cfg_.family == Family::Electra)
            layerNorm(X, embNormW_, embNormB_, float(cfg_.normEps), threads);
        if (embProj_.present()) {
            RowMatrixF Y;
            linear(X, embProj_, embProjB_, false, Y);
            return Y;
        }
        return X;
    }

    /// The packed stack's last entry (per options.lastLayer); fills @p stack when given.
    RowMatrixF run(const std::vector<std::vector<int>> &batch, const ForwardOptions &options,
                   std::vector<std::vector<RowMatrixF>> *stack) const
    {
        const Packing p = pack(batch);
        const int threads = options.threads > 0 ? options.threads : computeThreads();
        OmpThreads guard(threads);
        const auto &hook = options.hook;
        const LastLayer last = resolve(options.lastLayer);
        const int L = info_.layers;
        const Index H = cfg_.hidden;
        RowMatrixF X = embed(batch, p, threads);

        auto publish = [&](int l) {
            if (!stack && !hook)
                return;
            for (size_t b = 0; b < batch.size(); ++b) {
                RowMatrixF m = X.middleRows(p.offset[b], p.length[b]);
                if (hook) {
                    hook(int(b), l, m);
                    if (m.rows() != p.length[b] || m.cols() != H)
                        throw Error(QStringLiteral("forward hook changed the shape of layer %1 of "
                                                   "sentence %2 from %3 × %4 to %5 × %6")
                                        .arg(l)
                                        .arg(b)
                                        .arg(p.length[b])
                                        .arg(H)
                                        .arg(m.rows())
                                        .arg(m.cols()));
                    X.middleRows(p.offset[b], p.length[b]) = m;
                }
                if (stack)
                    (*stack)[b][size_t(l)] = std::move(m);
            }
        };
        publish(0);

        std::vector<float> cosT, sinT;
        if (cfg_.family == Family::Llama) {
            const int half = cfg_.headDim / 2;
            cosT.resize(size_t(p.longest * half));
            sinT.resize(cosT.size());
            for (int i = 0; i < half; ++i) {
                const double inv = 1.0 / std::pow(cfg_.ropeTheta, 2.0 * i / cfg_.headDim);
                for (Index t = 0; t < p.longest; ++t) {
                    cosT[size_t(t * half + i)] = float(std::cos(double(t) * inv));
                    sinT[size_t(t * half + i)] = float(std::sin(double(t) * inv));
                }
            }
        }

        RowMatrixF Q, K, V, A, T1, T2, T3;
        const int d = cfg_.headDim;
        for (int l = 0; l < L; ++l) {
            const Layer &w = layers_[size_t(l)];
            switch (cfg_.family) {
            case Family::Bert:
            case Family::Roberta:
            case Family::Electra:
                linear(X, w.q, w.qb, false, Q);
                linear(X, w.k, w.kb, false, K);
                linear(X, w.v, w.vb, false, V);
                attention(Q.data(), Q.cols(), K.data(), K.cols(), V.data(), V.cols(), p, cfg_.heads,
                          cfg_.heads, d, 1.0f / std::sqrt(float(d)), false, threads, A);
                linear(A, w.o, w.ob, false, T1);
                T1 += X;
                layerNorm(T1, w.n1w, w.n1b, float(cfg_.normEps), threads);
                linear(T1, w.fc1, w.fc1b, false, T2);
                activateInPlace(T2, act_, threads);
                linear(T2, w.fc2, w.fc2b, false, X);
                X += T1;
                layerNorm(X, w.n2w, w.n2b, float(cfg_.normEps), threads);
                break;
            case Family::Gpt2: {
                T1 = X;
                layerNorm(T1, w.n1w, w.n1b, float(cfg_.normEps), threads);
                linear(T1, w.q, w.qb, true, Q); // fused q | k | v
                float scale = cfg_.scaleAttnWeights ? 1.0f / std::sqrt(float(d)) : 1.0f;
                if (cfg_.scaleAttnByInverseLayerIdx)
                    scale /= float(l + 1);
                const Index s = Q.cols();
                attention(Q.data(), s, Q.data() + H, s, Q.data() + 2 * H, s, p, cfg_.heads,
                          cfg_.heads, d, scale, true, threads, A);
                linear(A, w.o, w.ob, true, T2);
                X += T2;
                T1 = X;
                layerNorm(T1, w.n2w, w.n2b, float(cfg_.normEps), threads);
                linear(T1, w.fc1, w.fc1b, true, T2);
                activateInPlace(T2, act_, threads);
                linear(T2, w.fc2, w.fc2b, true, T3);
                X += T3;
                break;
            }
            case Family::Llama: {
                rmsNorm(X, w.n1w, float(cfg_.normEps), T1, threads);
                linear(T1, w.q, w.qb, false, Q);
                linear(T1, w.k, w.kb, false, K);
                linear(T1, w.v, w.vb, false, V);
                rope(Q, cfg_.heads, d, p, cosT, sinT, interleavedRope_, threads);
                rope(K, cfg_.kvHeads, d, p, cosT, sinT, interleavedRope_, threads);
                attention(Q.data(), Q.cols(), K.data(), K.cols(), V.data(), V.cols(), p, cfg_.heads,
                          cfg_.kvHeads, d, 1.0f / std::sqrt(float(d)), true, threads, A);
                linear(A, w.o, w.ob, false, T2);
                X += T2;
                rmsNorm(X, w.n2w, float(cfg_.normEps), T1, threads);
                linear(T1, w.fc1, w.fc1b, false, T2);
                linear(T1, w.up, w.upb, false, T3);
                activateInPlace(T2, act_, threads, &T3);
                linear(T2, w.fc2, w.fc2b, false, T3);
                X += T3;
                break;
            }
            }
            if (l == L - 1 && last == LastLayer::FinalNorm)
                X = finalNorm(X, threads);
            publish(l + 1);
        }
        return X;
    }
};

// ---------------------------------------------------------------------------------------------
// Loading

QString shapeText(const std::vector<std::int64_t> &s)
{
    QStringList parts;
    for (std::int64_t v : s)
        parts << QString::number(v);
    return QLatin1Char('[') + parts.join(QStringLiteral(", ")) + QLatin1Char(']');
}

/// A Weight for data that may be misaligned for its dtype: copied into owned storage then.
Weight place(TransformerImpl &m, const std::byte *data, DType dtype, Index rows, Index cols)
{
    Weight w{data, dtype, rows, cols};
    const auto size = std::uintptr_t(dtypeSize(dtype));
    if (std::bit_cast<std::uintptr_t>(data) % size != 0) {
        const size_t bytes = size_t(rows * cols) * size_t(size);
        m.owned_.push_back(std::make_unique_for_overwrite<std::uint32_t[]>((bytes + 3) / 4));
        std::memcpy(m.owned_.back().get(), data, bytes);
        w.data = reinterpret_cast<const std::byte *>(m.owned_.back().get());
    }
    return w;
}

struct Located {
    const SafetensorsFile *file = nullptr;
    const TensorInfo *info = nullptr;
};

class HfWeights {
public:
    HfWeights(TransformerImpl &m, QString prefix, QString configPath)
        : m_(m), prefix_(std::move(prefix)), configPath_(std::move(configPath))
    {
    }

    void add(const std::shared_ptr<SafetensorsFile> &f, const QSet<QString> *only = nullptr)
    {
        for (const TensorInfo &t : f->header().tensors) {
            if (only && !only->contains(t.name))
                continue;
            const auto seen = tensors_.find(t.name);
            if (seen != tensors_.end())
                throw Error(QStringLiteral("%1: tensor '%2' also appears in %3")
                                .arg(f->path(), t.name, seen->second.file->path()));
            tensors_.emplace(t.name, Located{f.get(), &t});
        }
        m_.files_.push_back(f);
    }

    bool has(const QString &name) const { return locate(name).info != nullptr; }

    /// A required matrix (or vector when @p cols = 0) of the given shape.
    Weight get(const QString &name, Index rows, Index cols, bool required = true)
    {
        const Located loc = locate(name);
        if (!loc.info) {
            if (!required)
                return {};
            throw Error(QStringLiteral("%1: tensor '%2' is missing (looked for '%2'%3 in %4)")
                            .arg(folder(), name,
                                 prefix_.isEmpty()
                                     ? QString()
                                     : QStringLiteral(" and '%1%2'").arg(prefix_, name),
                                 files()));
        }
        const TensorInfo &t = *loc.info;
        const std::vector<std::int64_t> expected =
            cols == 0 ? std::vector<std::int64_t>{rows} : std::vector<std::int64_t>{rows, cols};
        if (t.shape != expected)
            throw Error(QStringLiteral("%1: tensor '%2' has shape %3, but %4 implies %5")
                            .arg(loc.file->path(), t.name, shapeText(t.shape), configPath_,
                                 shapeText(expected)));
        if (t.dtype != DType::F32 && t.dtype != DType::F16 && t.dtype != DType::BF16)
            throw Error(QStringLiteral("%1: tensor '%2' has dtype %3; supported: F32, F16, BF16")
                            .arg(loc.file->path(), t.name, dtypeName(t.dtype)));
        const Index r = rows;
        const Index c = cols == 0 ? 1 : cols;
        const Weight w =
            place(m_, loc.file->data(t), t.dtype, cols == 0 ? 1 : r, cols == 0 ? r : c);
        if (!name.startsWith(QLatin1String("lm_head"))) {
            m_.info_.parameters += r * c;
            m_.info_.weightBytes += r * c * dtypeSize(t.dtype);
            bytesByDtype_[dtypeName(t.dtype)] += r * c * dtypeSize(t.dtype);
        }
        return w;
    }
    VectorF vec(const QString &name, Index n, bool required = true)
    {
        const Weight w = get(name, n, 0, required);
        return w.present() ? vectorOf(w) : VectorF();
    }

    QString dominantDtype() const
    {
        QString best;
        std::int64_t most = -1;
        for (auto it = bytesByDtype_.begin(); it != bytesByDtype_.end(); ++it)
            if (it.value() > most) {
                most = it.value();
                best = it.key();
            }
        return best;
    }

private:
    /// @p name, else with the family prefix; LayerNorm weight/bias also under the TF-era names
    /// gamma/beta (bert-base-uncased and other converted checkpoints; HF renames them at load).
    Located locate(const QString &name) const
    {
        auto find = [&](const QString &n) {
            auto it = tensors_.find(n);
            if (it == tensors_.end() && !prefix_.isEmpty())
                it = tensors_.find(prefix_ + n);
            return it == tensors_.end() ? Located{} : it->second;
        };
        Located found = find(name);
        if (!found.info && name.contains(QLatin1String("LayerNorm."))) {
            if (name.endsWith(QLatin1String(".weight")))
                found = find(name.chopped(6) + QStringLiteral("gamma"));
            else if (name.endsWith(QLatin1String(".bias")))
                found = find(name.chopped(4) + QStringLiteral("beta"));
        }
        return found;
    }
    QString folder() const { return QFileInfo(configPath_).absolutePath(); }
    QString files() const
    {
        QStringList names;
        for (const auto &f : m_.files_)
            names << QFileInfo(f->path()).fileName();
        return names.join(QStringLiteral(", "));
    }

    TransformerImpl &m_;
    QString prefix_;
    QString configPath_;
    std::unordered_map<QString, Located> tensors_;
    QHash<QString, std::int64_t> bytesByDtype_;
};

QString prefixOf(Family f)
{
    switch (f) {
    case Family::Bert:
        return QStringLiteral("bert.");
    case Family::Roberta:
        return QStringLiteral("roberta.");
    case Family::Electra:
        return QStringLiteral("electra.");
    case Family::Gpt2:
        return QStringLiteral("transformer.");
    case Family::Llama:
        return QStringLiteral("model.");
    }
    return {};
}

QByteArray readSmallFile(const QString &path, qint64 limit)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        throw Error(QStringLiteral("%1: cannot open (%2)").arg(path, f.errorString()));
    if (f.size() > limit)
        throw Error(QStringLiteral("%1: %2 bytes, more than the %3 expected of this file")
                        .arg(path)
                        .arg(f.size())
                        .arg(limit));
    return f.readAll();
}

void finishInfo(TransformerImpl &m)
{
    const ModelConfig &c = m.cfg_;
    m.info_.family = c.family;
    m.info_.layers = c.layers;
    m.info_.hidden = c.hidden;
    m.info_.vocabSize = c.vocabSize;
    m.act_ = actOf(c.activation);
    switch (c.family) {
    case Family::Bert:
    case Family::Electra:
        m.info_.maxPositions = c.maxPositionEmbeddings;
        break;
    case Family::Roberta:
        m.info_.maxPositions = c.maxPositionEmbeddings - c.padTokenId - 1;
        break;
    case Family::Gpt2:
        m.info_.maxPositions = c.maxPositionEmbeddings;
        break;
    case Family::Llama:
        m.info_.maxPositions = c.slidingWindow > 0 ? c.slidingWindow : INT_MAX;
        break;
    }
}

/// Binds every weight the forward pass of @p m.cfg_ uses (HF names without prefix).
void bindHf(TransformerImpl &m, HfWeights &w)
{
    const ModelConfig &c = m.cfg_;
    const Index H = c.hidden;
    const Index I = c.intermediate;
    const Index E = c.embeddingSize;
    const Index V = c.vocabSize;
    m.layers_.resize(size_t(c.layers));
    auto L = [](int l, const char *rest) {
        return QStringLiteral("%1.%2").arg(l).arg(QLatin1String(rest));
    };
    switch (c.family) {
    case Family::Bert:
    case Family::Roberta:
    case Family::Electra:
        m.wordEmb_ = w.get(QStringLiteral("embeddings.word_embeddings.weight"), V, E);
        m.posEmb_ = w.get(QStringLiteral("embeddings.position_embeddings.weight"),
                          c.maxPositionEmbeddings, E);
        m.typeEmb_ =
            w.get(QStringLiteral("embeddings.token_type_embeddings.weight"), c.typeVocabSize, E);
        m.embNormW_ = w.vec(QStringLiteral("embeddings.LayerNorm.weight"), E);
        m.embNormB_ = w.vec(QStringLiteral("embeddings.LayerNorm.bias"), E);
        if (c.family == Family::Electra && E != H) {
            m.embProj_ = w.get(QStringLiteral("embeddings_project.weight"), H, E);
            m.embProjB_ = w.vec(QStringLiteral("embeddings_project.bias"), H);
        }
        for (int l = 0; l < c.layers; ++l) {
            Layer &y = m.layers_[size_t(l)];
            const QString p = QStringLiteral("encoder.layer.");
            y.q = w.get(p + L(l, "attention.self.query.weight"), H, H);
            y.qb = w.vec(p + L(l, "attention.self.query.bias"), H);
            y.k = w.get(p + L(l, "attention.self.key.weight"), H, H);
            y.kb = w.vec(p + L(l, "attention.self.key.bias"), H);
            y.v = w.get(p + L(l, "attention.self.value.weight"), H, H);
            y.vb = w.vec(p + L(l, "attention.self.value.bias"), H);
            y.o = w.get(p + L(l, "attention.output.dense.weight"), H, H);
            y.ob = w.vec(p + L(l, "attention.output.dense.bias"), H);
            y.n1w = w.vec(p + L(l, "attention.output.LayerNorm.weight"), H);
            y.n1b = w.vec(p + L(l, "attention.output.LayerNorm.bias"), H);
            y.fc1 = w.get(p + L(l, "intermediate.dense.weight"), I, H);
            y.fc1b = w.vec(p + L(l, "intermediate.dense.bias"), I);
            y.fc2 = w.get(p + L(l, "output.dense.weight"), H, I);
            y.fc2b = w.vec(p + L(l, "output.dense.bias"), H);
            y.n2w = w.vec(p + L(l, "output.LayerNorm.weight"), H);
            y.n2b = w.vec(p + L(l, "output.LayerNorm.bias"), H);
        }
        break;
    case Family::Gpt2:
        m.wordEmb_ = w.get(QStringLiteral("wte.weight"), V, H);
        m.posEmb_ = w.get(QStringLiteral("wpe.weight"), c.maxPositionEmbeddings, H);
        for (int l = 0; l < c.layers; ++l) {
            Layer &y = m.layers_[size_t(l)];
            const QString p = QStringLiteral("h.");
            y.n1w = w.vec(p + L(l, "ln_1.weight"), H);
            y.n1b = w.vec(p + L(l, "ln_1.bias"), H);
            y.q = w.get(p + L(l, "attn.c_attn.weight"), H, 3 * H);
            y.qb = w.vec(p + L(l, "attn.c_attn.bias"), 3 * H);
            y.o = w.get(p + L(l, "attn.c_proj.weight"), H, H);
            y.ob = w.vec(p + L(l, "attn.c_proj.bias"), H);
            y.n2w = w.vec(p + L(l, "ln_2.weight"), H);
            y.n2b = w.vec(p + L(l, "ln_2.bias"), H);
            y.fc1 = w.get(p + L(l, "mlp.c_fc.weight"), H, I);
            y.fc1b = w.vec(p + L(l, "mlp.c_fc.bias"), I);
            y.fc2 = w.get(p + L(l, "mlp.c_proj.weight"), I, H);
            y.fc2b = w.vec(p + L(l, "mlp.c_proj.bias"), H);
        }
        m.finalNormW_ = w.vec(QStringLiteral("ln_f.weight"), H);
        m.finalNormB_ = w.vec(QStringLiteral("ln_f.bias"), H);
        m.head_ = w.has(QStringLiteral("lm_head.weight"))
                      ? w.get(QStringLiteral("lm_head.weight"), V, H)
                      : m.wordEmb_;
        break;
    case Family::Llama: {
        const Index qd = Index(c.heads) * c.headDim;
        const Index kd = Index(c.kvHeads) * c.headDim;
        m.wordEmb_ = w.get(QStringLiteral("embed_tokens.weight"), V, H);
        for (int l = 0; l < c.layers; ++l) {
            Layer &y = m.layers_[size_t(l)];
            const QString p = QStringLiteral("layers.");
            const bool ab = c.attentionBias;
            const bool mb = c.mlpBias;
            y.n1w = w.vec(p + L(l, "input_layernorm.weight"), H);
            y.q = w.get(p + L(l, "self_attn.q_proj.weight"), qd, H);
            y.k = w.get(p + L(l, "self_attn.k_proj.weight"), kd, H);
            y.v = w.get(p + L(l, "self_attn.v_proj.weight"), kd, H);
            y.o = w.get(p + L(l, "self_attn.o_proj.weight"), H, qd);
            if (ab) {
                y.qb = w.vec(p + L(l, "self_attn.q_proj.bias"), qd);
                y.kb = w.vec(p + L(l, "self_attn.k_proj.bias"), kd);
                y.vb = w.vec(p + L(l, "self_attn.v_proj.bias"), kd);
                y.ob = w.vec(p + L(l, "self_attn.o_proj.bias"), H);
            }
            y.n2w = w.vec(p + L(l, "post_attention_layernorm.weight"), H);
            y.fc1 = w.get(p + L(l, "mlp.gate_proj.weight"), I, H);
            y.up = w.get(p + L(l, "mlp.up_proj.weight"), I, H);
            y.fc2 = w.get(p + L(l, "mlp.down_proj.weight"), H, I);
            if (mb) {
                y.fc1b = w.vec(p + L(l, "mlp.gate_proj.bias"), I);
                y.upb = w.vec(p + L(l, "mlp.up_proj.bias"), I);
                y.fc2b = w.vec(p + L(l, "mlp.down_proj.bias"), H);
            }
        }
        m.finalNormW_ = w.vec(QStringLiteral("norm.weight"), H);
        m.head_ = w.has(QStringLiteral("lm_head.weight"))
                      ? w.get(QStringLiteral("lm_head.weight"), V, H)
                      : m.wordEmb_;
        break;
    }
    }
    m.defaultLast_ = LastLayer::FinalNorm;
}

bool plainFileName(const QString &name)
{
    return !name.isEmpty() && !name.contains(QLatin1Char('/')) && !name.contains(QLatin1Char('\\'))
           && name != QLatin1String(".") && name != QLatin1String("..");
}

std::unique_ptr<Transformer> loadHf(const QString &folder, const QString &weightsFile)
{
    const QString configPath = QDir(folder).filePath(QStringLiteral("config.json"));
    if (!QFileInfo::exists(configPath))
        throw Error(QStringLiteral("%1: no config.json in this folder (a Hugging Face checkpoint "
                                   "needs config.json beside model.safetensors)")
                        .arg(folder));
    auto m = std::make_unique<TransformerImpl>();
    m->cfg_ = parseModelConfig(readSmallFile(configPath, 16 << 20), configPath);
    m->info_.modelType = m->cfg_.modelType;
    m->info_.source = weightsFile.isEmpty() ? folder : weightsFile;
    finishInfo(*m);
    HfWeights w(*m, prefixOf(m->cfg_.family), configPath);

    QString weights = weightsFile;
    if (weights.isEmpty()) {
        const QString single = QDir(folder).filePath(QStringLiteral("model.safetensors"));
        const QString index = QDir(folder).filePath(QStringLiteral("model.safetensors.index.json"));
        if (QFileInfo::exists(single))
            weights = single;
        else if (QFileInfo::exists(index))
            weights = index;
        else
            throw Error(QStringLiteral("%1: no weights: neither model.safetensors nor "
                                       "model.safetensors.index.json (PyTorch .bin weights are not "
                                       "read; convert them to safetensors)")
                            .arg(folder));
    }
    if (weights.endsWith(QLatin1String(".index.json"))) {
        const QJsonDocument doc = QJsonDocument::fromJson(readSmallFile(weights, 64 << 20));
        const QJsonObject map = doc.object().value(QStringLiteral("weight_map")).toObject();
        if (!doc.isObject() || map.isEmpty())
            throw Error(QStringLiteral("%1: not a safetensors index (expected an object with a "
                                       "non-empty \"weight_map\": {tensor: shard file})")
                            .arg(weights));
        QHash<QString, QSet<QString>> byShard;
        for (auto it = map.begin(); it != map.end(); ++it) {
            const QString shard = it.value().toString();
            if (!plainFileName(shard))
                throw Error(
                    QStringLiteral("%1: weight_map entry '%2' must name a shard file in the "
                                   "same folder, found \"%3\"")
                        .arg(weights, it.key(), shard));
            byShard[shard].insert(it.key());
        }
        QStringList shards = byShard.keys();
        shards.sort();
        for (const QString &shard : shards) {
            const QString path = QDir(folder).filePath(shard);
            if (!QFileInfo::exists(path))
                throw Error(QStringLiteral("%1: shard %2 named in the weight_map is missing")
                                .arg(weights, shard));
            auto f = std::make_shared<SafetensorsFile>(path);
            for (const QString &name : byShard[shard])
                if (!f->find(name))
                    throw Error(QStringLiteral("%1: tensor '%2' is not in %3, where the weight_map "
                                               "of %4 puts it")
                                    .arg(path, name, shard, QFileInfo(weights).fileName()));
            w.add(f, &byShard[shard]);
        }
    } else {
        if (!QFileInfo::exists(weights))
            throw Error(QStringLiteral("%1: weights file not found").arg(weights));
        w.add(std::make_shared<SafetensorsFile>(weights));
    }
    bindHf(*m, w);
    m->info_.weightDtype = w.dominantDtype();
    return m;
}

// llama2.c legacy checkpoint (data README §3).
std::unique_ptr<Transformer> loadLlama2c(const QString &path)
{
    auto m = std::make_unique<TransformerImpl>();
    m->binFile_ = std::make_unique<QFile>(path);
    QFile &f = *m->binFile_;
    if (!f.open(QIODevice::ReadOnly))
        throw Error(QStringLiteral("%1: cannot open (%2)").arg(path, f.errorString()));
    const qint64 size = f.size();
    if (size < 28)
        throw Error(
            QStringLiteral("%1: not a llama2.c checkpoint: %2 bytes, the header alone has 28")
                .arg(path)
                .arg(size));
    const uchar *map = f.map(0, size);
    if (!map)
        throw Error(QStringLiteral("%1: cannot memory-map (%2)").arg(path, f.errorString()));
    std::int32_t h[7];
    std::memcpy(h, map, sizeof h);
    const std::int32_t dim = h[0], hidden = h[1], layers = h[2], heads = h[3], kvHeads = h[4],
                       vocab = h[5], seqLen = h[6];
    const bool shared = vocab > 0;
    const std::int64_t V = std::abs(std::int64_t(vocab));
    const bool sane = dim >= 2 && dim <= (1 << 16) && hidden >= 1 && hidden <= (1 << 20)
                      && layers >= 1 && layers <= 1024 && heads >= 1 && heads <= dim
                      && dim % heads == 0 && (dim / heads) % 2 == 0 && kvHeads >= 1
                      && kvHeads <= heads && heads % kvHeads == 0 && V >= 1 && V <= (1 << 22)
                      && seqLen >= 1 && seqLen <= (1 << 24);
    if (!sane)
        throw Error(QStringLiteral("%1: not a llama2.c checkpoint: header (dim %2, hidden_dim %3, "
                                   "n_layers %4, n_heads %5, n_kv_heads %6, vocab_size %7, seq_len "
                                   "%8) is not a consistent model")
                        .arg(path)
                        .arg(dim)
                        .arg(hidden)
                        .arg(layers)
                        .arg(heads)
                        .arg(kvHeads)
                        .arg(vocab)
                        .arg(seqLen));
    const std::int64_t D = dim, F = hidden, L = layers;
    const std::int64_t hd = D / heads;
    const std::int64_t kvDim = hd * kvHeads;
    std::int64_t floats = V * D + L * D + L * D * D + 2 * L * kvDim * D + L * D * D + L * D
                          + 3 * L * F * D + D + std::int64_t(seqLen) * hd;
    if (!shared)
        floats += V * D;
    const std::int64_t expected = 28 + 4 * floats;
    if (size != expected)
        throw Error(
            QStringLiteral("%1: llama2.c checkpoint (dim %2, %3 layers, vocab %4%5) must have "
                           "%6 bytes, the file has %7%8")
                .arg(path)
                .arg(dim)
                .arg(layers)
                .arg(V)
                .arg(shared ? QString() : QStringLiteral(", own classifier"))
                .arg(expected)
                .arg(size)
                .arg(size < expected ? QStringLiteral(" (truncated)") : QString()));

    ModelConfig &c = m->cfg_;
    c.family = Family::Llama;
    c.modelType = QStringLiteral("llama2.c");
    c.vocabSize = int(V);
    c.hidden = dim;
    c.layers = layers;
    c.heads = heads;
    c.kvHeads = kvHeads;
    c.headDim = int(hd);
    c.intermediate = hidden;
    c.maxPositionEmbeddings = seqLen;
    c.activation = QStringLiteral("silu");
    c.normEps = 1e-5;
    c.ropeTheta = 10000.0;
    c.embeddingSize = dim;
    c.tieWordEmbeddings = shared;
    m->info_.modelType = c.modelType;
    m->info_.source = path;
    finishInfo(*m);
    m->interleavedRope_ = true;
    m->defaultLast_ = LastLayer::Raw;

    const auto *p = reinterpret_cast<const std::byte *>(map) + 28;
    auto take = [&](std::int64_t rows, std::int64_t cols) {
        Weight w{p, DType::F32, rows, cols};
        p += rows * cols * 4;
        return w;
    };
    auto perLayer = [&](std::int64_t rows, std::int64_t cols) {
        std::vector<Weight> ws;
        for (std::int64_t l = 0; l < L; ++l)
            ws.push_back(take(rows, cols));
        return ws;
    };
    m->wordEmb_ = take(V, D);
    const auto rmsAtt = perLayer(1, D), wq = perLayer(D, D), wk = perLayer(kvDim, D),
               wv = perLayer(kvDim, D), wo = perLayer(D, D), rmsFfn = perLayer(1, D),
               w1 = perLayer(F, D), w2 = perLayer(D, F), w3 = perLayer(F, D);
    m->finalNormW_ = vectorOf(take(1, D));
    p += std::int64_t(seqLen) * hd * 4; // the two unused RoPE tables
    m->head_ = shared ? m->wordEmb_ : take(V, D);
    m->layers_.resize(size_t(L));
    for (std::int64_t l = 0; l < L; ++l) {
        Layer &y = m->layers_[size_t(l)];
        y.n1w = vectorOf(rmsAtt[size_t(l)]);
        y.q = wq[size_t(l)];
        y.k = wk[size_t(l)];
        y.v = wv[size_t(l)];
        y.o = wo[size_t(l)];
        y.n2w = vectorOf(rmsFfn[size_t(l)]);
        y.fc1 = w1[size_t(l)];
        y.fc2 = w2[size_t(l)];
        y.up = w3[size_t(l)];
    }
    m->info_.parameters = floats - std::int64_t(seqLen) * hd - (shared ? 0 : V * D);
    m->info_.weightBytes = m->info_.parameters * 4;
    m->info_.weightDtype = QStringLiteral("F32");
    return m;
}

// Random weights (benchmarks): a splitmix64 stream, uniform with standard deviation 0.02.
class RandomFill {
public:
    explicit RandomFill(std::uint64_t seed) : s_(seed) {}
    Weight matrix(TransformerImpl &m, Index rows, Index cols)
    {
        const Index n = rows * cols;
        m.owned_.push_back(std::make_unique_for_overwrite<std::uint32_t[]>(size_t(n)));
        auto *f = reinterpret_cast<float *>(m.owned_.back().get());
        const float a = 0.02f * std::sqrt(3.0f);
        for (Index i = 0; i < n; ++i)
            f[i] = a * (2.0f * float(next() >> 40) * (1.0f / 16777216.0f) - 1.0f);
        m.info_.parameters += n;
        return Weight{reinterpret_cast<const std::byte *>(f), DType::F32, rows, cols};
    }

private:
    std::uint64_t next()
    {
        std::uint64_t z = (s_ += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    std::uint64_t s_;
};

} // namespace

std::unique_ptr<Transformer> loadTransformer(const QString &path)
{
    const QFileInfo fi(path);
    if (!fi.exists())
        throw Error(QStringLiteral("%1: no such file or folder").arg(path));
    if (fi.isDir())
        return loadHf(fi.absoluteFilePath(), QString());
    const QString name = fi.fileName();
    if (name.endsWith(QLatin1String(".safetensors"))
        || name.endsWith(QLatin1String(".safetensors.index.json")))
        return loadHf(fi.absolutePath(), fi.absoluteFilePath());
    if (name == QLatin1String("config.json"))
        return loadHf(fi.absolutePath(), QString());
    if (name.endsWith(QLatin1String(".bin"))) {
        if (name == QLatin1String("pytorch_model.bin"))
            throw Error(QStringLiteral("%1: PyTorch .bin weights are not read; convert the "
                                       "checkpoint to safetensors")
                            .arg(path));
        return loadLlama2c(fi.absoluteFilePath());
    }
    throw Error(QStringLiteral("%1: not a model: expected a Hugging Face checkpoint folder "
                               "(config.json + model.safetensors or model.safetensors.index.json), "
                               "a .safetensors file inside one, or a llama2.c .bin checkpoint; "
                               "families: bert, roberta, xlm-roberta, camembert, electra, gpt2, "
                               "llama, mistral")
                    .arg(path));
}

std::unique_ptr<Transformer> makeRandomTransformer(Family family, int layers, int hidden, int heads,
                                                   int kvHeads, int intermediate, int vocab,
                                                   int maxPositions, std::uint64_t seed)
{
    const bool llama = family == Family::Llama;
    if (layers < 1 || hidden < 2 || heads < 1 || hidden % heads != 0 || intermediate < 1
        || vocab < 1 || maxPositions < 1
        || (llama && (kvHeads < 1 || heads % kvHeads != 0 || (hidden / heads) % 2)))
        throw Error(
            QStringLiteral("makeRandomTransformer: inconsistent shape (layers %1, hidden %2, "
                           "heads %3, kv heads %4, intermediate %5, vocab %6, positions %7)")
                .arg(layers)
                .arg(hidden)
                .arg(heads)
                .arg(kvHeads)
                .arg(intermediate)
                .arg(vocab)
                .arg(maxPositions));
    auto m = std::make_unique<TransformerImpl>();
    ModelConfig &c = m->cfg_;
    c.family = family;
    c.modelType = familyName(family);
    c.vocabSize = vocab;
    c.hidden = hidden;
    c.layers = layers;
    c.heads = heads;
    c.kvHeads = llama ? kvHeads : heads;
    c.headDim = hidden / heads;
    c.intermediate = intermediate;
    c.typeVocabSize = 2;
    c.padTokenId = family == Family::Roberta ? 1 : 0;
    c.maxPositionEmbeddings =
        family == Family::Roberta ? maxPositions + c.padTokenId + 1 : maxPositions;
    c.embeddingSize = family == Family::Electra ? std::max(1, hidden / 4) : hidden;
    c.activation =
        llama ? QStringLiteral("silu")
              : (family == Family::Gpt2 ? QStringLiteral("gelu_new") : QStringLiteral("gelu"));
    c.normEps = family == Family::Gpt2 ? 1e-5 : (llama ? 1e-6 : 1e-12);
    m->info_.modelType = c.modelType;
    m->info_.source = QStringLiteral("random %1 model (seed %2)").arg(c.modelType).arg(seed);
    m->info_.weightDtype = QStringLiteral("F32");
    finishInfo(*m);
    m->defaultLast_ = LastLayer::FinalNorm;

    RandomFill r(seed);
    const Index H = hidden, I = intermediate, E = c.embeddingSize, V = vocab;
    const Index qd = Index(c.heads) * c.headDim, kd = Index(c.kvHeads) * c.headDim;
    auto ones = [&](Index n) {
        m->info_.parameters += n;
        return VectorF::Ones(n).eval();
    };
    auto zeros = [&](Index n) {
        m->info_.parameters += n;
        return VectorF::Zero(n).eval();
    };
    m->wordEmb_ = r.matrix(*m, V, E);
    if (family != Family::Llama)
        m->posEmb_ = r.matrix(*m, c.maxPositionEmbeddings, E);
    const bool encoder =
        family == Family::Bert || family == Family::Roberta || family == Family::Electra;
    if (encoder) {
        m->typeEmb_ = r.matrix(*m, 2, E);
        m->embNormW_ = ones(E);
        m->embNormB_ = zeros(E);
        if (E != H) {
            m->embProj_ = r.matrix(*m, H, E);
            m->embProjB_ = zeros(H);
        }
    }
    m->layers_.resize(size_t(layers));
    for (Layer &y : m->layers_) {
        if (family == Family::Gpt2) {
            y.q = r.matrix(*m, H, 3 * H);
            y.qb = zeros(3 * H);
            y.o = r.matrix(*m, H, H);
            y.ob = zeros(H);
            y.fc1 = r.matrix(*m, H, I);
            y.fc1b = zeros(I);
            y.fc2 = r.matrix(*m, I, H);
            y.fc2b = zeros(H);
        } else {
            y.q = r.matrix(*m, qd, H);
            y.k = r.matrix(*m, kd, H);
            y.v = r.matrix(*m, kd, H);
            y.o = r.matrix(*m, H, qd);
            y.fc1 = r.matrix(*m, I, H);
            y.fc2 = r.matrix(*m, H, I);
            if (llama) {
                y.up = r.matrix(*m, I, H);
            } else {
                y.qb = zeros(H);
                y.kb = zeros(H);
                y.vb = zeros(H);
                y.ob = zeros(H);
                y.fc1b = zeros(I);
                y.fc2b = zeros(H);
            }
        }
        y.n1w = ones(H);
        y.n2w = ones(H);
        if (!llama) {
            y.n1b = zeros(H);
            y.n2b = zeros(H);
        }
    }
    if (family == Family::Gpt2 || llama) {
        m->finalNormW_ = ones(H);
        if (!llama)
            m->finalNormB_ = zeros(H);
        m->head_ = m->wordEmb_;
    }
    m->info_.weightBytes = m->info_.parameters * 4;
    return m;
}

} // namespace salient::model
