// salient-bench --extract: forward-pass throughput of the extraction on random-weight models of
// real shapes (BERT-base, a Llama of similar size), against the same run's GEMM rate, and the peak
// memory against the weights' size. With ../shared present, also an end-to-end extraction of a
// real corpus with stories260K (tokenizer, alignment, HDF5 output included).
#include "extractbench.h"

#include "salient/model/extract.h"
#include "salient/util/runtime.h"

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QTemporaryDir>
#include <cstdio>
#include <random>

using namespace salient;
using namespace salient::model;

namespace {

double secondsOf(const QElapsedTimer &t)
{
    return double(t.nsecsElapsed()) * 1e-9;
}

void log(const QString &s)
{
    std::fprintf(stderr, "%s\n", s.toLocal8Bit().constData());
}

struct Shape {
    const char *name;
    Family family;
    int layers, hidden, heads, kvHeads, intermediate, vocab, maxPositions;
};

/// Multiply-adds × 2 per token of the dense layers and attention, for a sequence of length T.
double flopsPerToken(const Shape &s, int T)
{
    const double H = s.hidden, I = s.intermediate, d = double(s.hidden) / s.heads;
    double dense = 0;
    if (s.family == Family::Llama)
        dense = H * (H + 2.0 * s.kvHeads * d) + H * H + 3.0 * H * I; // q,k,v + o + gate/up/down
    else
        dense = 4.0 * H * H + 2.0 * H * I; // q,k,v,o + ffn in/out
    const double attention = 2.0 * T * H; // q·kᵀ and p·v per query (average causal: half; ignored)
    return 2.0 * s.layers * (dense + attention);
}

/// Same-run reference: float32 GEMM of the shape of the FFN's first product at batch × T rows.
double gemmGflops(Index rows, Index inner, Index cols)
{
    RowMatrixF a = RowMatrixF::Random(rows, inner), b = RowMatrixF::Random(inner, cols),
               c(rows, cols);
    c.noalias() = a * b;
    QElapsedTimer t;
    t.start();
    int reps = 0;
    while (secondsOf(t) < 1.5 || reps < 3) {
        c.noalias() = a * b;
        ++reps;
    }
    return 2.0 * double(rows) * inner * cols * reps / secondsOf(t) / 1e9;
}

void resetPeak()
{
    QFile f(QStringLiteral("/proc/self/clear_refs"));
    if (f.open(QIODevice::WriteOnly))
        f.write("5");
}

} // namespace

QJsonObject runExtractBench(int sentenceTokens, int sentences, const QString &sharedDir)
{
    QJsonObject out;
    QJsonArray models;
    const Shape shapes[] = {
        {"bert-base", Family::Bert, 12, 768, 12, 12, 3072, 30522, 512},
        {"llama-768", Family::Llama, 12, 768, 12, 4, 2048, 32000, 4096},
    };
    for (const Shape &s : shapes) {
        resetPeak();
        const std::int64_t rssBefore = currentRssBytes();
        QElapsedTimer t;
        t.start();
        const auto model = makeRandomTransformer(s.family, s.layers, s.hidden, s.heads, s.kvHeads,
                                                 s.intermediate, s.vocab, s.maxPositions, 7);
        const double build = secondsOf(t);
        std::mt19937 rng(11);
        std::uniform_int_distribution<int> id(5, s.vocab - 1);
        std::vector<std::vector<int>> corpus(static_cast<size_t>(sentences));
        for (auto &seq : corpus) {
            seq.resize(size_t(sentenceTokens));
            for (int &x : seq)
                x = id(rng);
        }
        QJsonObject m;
        m[QStringLiteral("model")] = QString::fromLatin1(s.name);
        m[QStringLiteral("weights_mb")] = double(model->info().weightBytes) / 1e6;
        m[QStringLiteral("build_s")] = build;
        const double gemm = gemmGflops(Index(16) * sentenceTokens, s.hidden, s.intermediate);
        m[QStringLiteral("gemm_gflops")] = gemm;
        log(QStringLiteral("%1: %2 blocks × %3, %4 MB of weights; GEMM %5×%6·%6×%7: %8 GFLOP/s")
                .arg(QLatin1String(s.name))
                .arg(s.layers)
                .arg(s.hidden)
                .arg(double(model->info().weightBytes) / 1e6, 0, 'f', 0)
                .arg(16 * sentenceTokens)
                .arg(s.hidden)
                .arg(s.intermediate)
                .arg(gemm, 0, 'f', 1));
        for (int batch : {1, 16}) {
            (void)model->forward({corpus[0]}); // warm-up
            t.restart();
            Index tokens = 0;
            for (size_t b0 = 0; b0 < corpus.size(); b0 += size_t(batch)) {
                std::vector<std::vector<int>> ids(
                    corpus.begin() + long(b0),
                    corpus.begin() + long(std::min(corpus.size(), b0 + size_t(batch))));
                const auto states = model->forward(ids);
                for (const auto &seq : ids)
                    tokens += Index(seq.size());
            }
            const double secs = secondsOf(t);
            const double tps = double(tokens) / secs;
            const double gflops = tps * flopsPerToken(s, sentenceTokens) / 1e9;
            log(QStringLiteral("  batch %1 × %2 tokens: %3 tokens/s, %4 GFLOP/s-equivalent (%5% "
                               "of the GEMM rate)")
                    .arg(batch)
                    .arg(sentenceTokens)
                    .arg(tps, 0, 'f', 0)
                    .arg(gflops, 0, 'f', 1)
                    .arg(100.0 * gflops / gemm, 0, 'f', 0));
            m[QStringLiteral("tokens_per_s_b%1").arg(batch)] = tps;
            m[QStringLiteral("gflops_b%1").arg(batch)] = gflops;
            m[QStringLiteral("gemm_share_b%1").arg(batch)] = gflops / gemm;
        }
        const double peak = double(peakRssBytes() - rssBefore);
        m[QStringLiteral("peak_over_weights")] = peak / double(model->info().weightBytes);
        log(QStringLiteral("  peak memory − before = %1 MB = %2 × the weights")
                .arg(peak / 1e6, 0, 'f', 0)
                .arg(peak / double(model->info().weightBytes), 0, 'f', 2));
        models.append(m);
    }
    out[QStringLiteral("models")] = models;

    // End to end on real data: stories260K over the PTB train sentences.
    const QString bin = sharedDir + QStringLiteral("/data/model/stories260K.bin");
    const QString words = sharedDir + QStringLiteral("/data/ptb_pos.train.words.txt");
    if (!sharedDir.isEmpty() && QFileInfo::exists(bin) && QFileInfo::exists(words)) {
        const LoadedModel m =
            loadModelAndTokenizer(bin, sharedDir + QStringLiteral("/data/model/tok512.bin"));
        QTemporaryDir tmp;
        QElapsedTimer t;
        t.start();
        const ExtractSummary s = extractActivations(*m.model, *m.tokenizer, words,
                                                    tmp.filePath(QStringLiteral("x.hdf5")), {});
        const double secs = secondsOf(t);
        log(QStringLiteral("stories260K end to end on ptb_pos.train: %1 sentences, %2 tokens in "
                           "%3 s (%4 tokens/s incl. tokenization, alignment and HDF5)")
                .arg(s.sentences)
                .arg(s.tokens)
                .arg(secs, 0, 'f', 2)
                .arg(double(s.tokens) / secs, 0, 'f', 0));
        out[QStringLiteral("stories260k_tokens_per_s")] = double(s.tokens) / secs;
    } else {
        log(QStringLiteral("stories260K end to end: skipped (../shared/data not found)"));
    }
    out[QStringLiteral("threads")] = computeThreads();
    return out;
}
