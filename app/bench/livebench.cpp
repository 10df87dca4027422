// salient-bench --live: latency of the live sentence view's computation (docs/live.md).
#include "livebench.h"

#include "salient/model/livesentence.h"
#include "salient/util/runtime.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <numeric>
#include <random>

using namespace salient;
using namespace salient::model;

namespace {

void log(const QString &s)
{
    std::fprintf(stderr, "%s\n", s.toLocal8Bit().constData());
}

/// A probe of @p classes random rows over every neuron of @p m (its cost is part of a live step).
ProbeReport randomProbe(const AttachedModel &m, int classes)
{
    ProbeReport r;
    r.layout.dims = m.record.dims;
    r.layout.layerIds.resize(size_t(m.record.layers));
    std::iota(r.layout.layerIds.begin(), r.layout.layerIds.end(), 0);
    const int C = r.layout.columns();
    std::mt19937 rng(7);
    std::normal_distribution<float> n(0.f, 0.05f);
    r.probe.W = MatrixF::NullaryExpr(classes, C, [&] { return n(rng); });
    r.probe.b = VectorF::Zero(classes);
    for (int k = 0; k < classes; ++k)
        r.labels << QStringLiteral("L%1").arg(k);
    r.probe.labels = r.labels;
    r.ordering.resize(size_t(C));
    std::iota(r.ordering.begin(), r.ordering.end(), 0);
    return r;
}

QJsonObject time(const QString &name, const std::shared_ptr<const AttachedModel> &m,
                 const QString &sentence, int repeats)
{
    const LiveEngine engine(m, nullptr);
    const ProbeReport probe = randomProbe(*m, 44);
    LiveResult first = engine.compute(sentence, LiveMode::Words, &probe, 16); // warm-up
    std::vector<double> ms, cpu;
    for (int i = 0; i < repeats; ++i) {
        QElapsedTimer t;
        const std::clock_t c0 = std::clock(); // process CPU time, all threads
        t.start();
        const LiveResult r = engine.compute(sentence, LiveMode::Words, &probe, 16);
        ms.push_back(double(t.nsecsElapsed()) / 1e6);
        cpu.push_back(1000.0 * double(std::clock() - c0) / CLOCKS_PER_SEC);
    }
    std::sort(ms.begin(), ms.end());
    std::sort(cpu.begin(), cpu.end());
    const double median = ms[ms.size() / 2];
    // CPU time barely depends on other processes' load: on an idle machine the wall time is
    // about cpu / threads (the forward pass is parallel).
    const double cpuMedian = cpu[cpu.size() / 2];
    QJsonObject j;
    j[QStringLiteral("model")] = name;
    j[QStringLiteral("words")] = int(first.sentence.words.size());
    j[QStringLiteral("model_tokens")] = first.sentence.modelTokens;
    j[QStringLiteral("median_ms")] = median;
    j[QStringLiteral("min_ms")] = ms.front();
    j[QStringLiteral("max_ms")] = ms.back();
    j[QStringLiteral("median_cpu_ms")] = cpuMedian;
    j[QStringLiteral("repeats")] = repeats;
    j[QStringLiteral("threads")] = computeThreads();
    log(QStringLiteral("live %1: %2 words (%3 model tokens): median %4 ms, min %5, max %6 over %7 "
                       "runs, %8 threads; median CPU time %9 ms")
            .arg(name)
            .arg(first.sentence.words.size())
            .arg(first.sentence.modelTokens)
            .arg(median, 0, 'f', 2)
            .arg(ms.front(), 0, 'f', 2)
            .arg(ms.back(), 0, 'f', 2)
            .arg(repeats)
            .arg(computeThreads())
            .arg(cpuMedian, 0, 'f', 2));
    return j;
}

} // namespace

QJsonObject runLiveBench(const QString &sharedDir, int repeats)
{
    const QString data = sharedDir + QStringLiteral("/data/model/");
    const QString bert = sharedDir + QStringLiteral("/spec/golden/models/tiny-bert");
    if (sharedDir.isEmpty() || !QFileInfo::exists(data + QStringLiteral("stories260K.bin"))
        || !QFileInfo::exists(bert))
        throw Error(QStringLiteral("--live needs --shared DIR with data/model/stories260K.bin and "
                                   "spec/golden/models/tiny-bert (its tokenizer)."));
    // 30 words, a plain English sentence (PTB-like tokenisation).
    const QString sentence = QStringLiteral(
        "The company said its third-quarter profit rose 12 % to $ 4.5 million , or 21 cents a "
        "share , as sales of products grew faster than analysts expected .");
    QJsonArray runs;
    auto stories = std::make_shared<AttachedModel>(attachModel(
        data + QStringLiteral("stories260K.bin"), data + QStringLiteral("tok512.bin"), nullptr));
    runs.append(time(QStringLiteral("stories260K"), stories, sentence, repeats));

    // BERT-base shape with random weights, the golden tiny BERT's WordPiece tokenizer.
    QElapsedTimer t;
    t.start();
    auto base = std::make_shared<AttachedModel>();
    base->model = makeRandomTransformer(Family::Bert, 12, 768, 12, 12, 3072, 30522, 512, 1);
    base->tokenizer = loadHfTokenizer(bert, QStringLiteral("bert"));
    base->record.path = QStringLiteral("random BERT-base");
    base->record.kind = QStringLiteral("bert");
    base->record.layers = 13;
    base->record.dims = 768;
    base->record.lastLayer = QStringLiteral("norm");
    base->record.aggregation = QStringLiteral("last");
    log(QStringLiteral("random BERT-base built in %1 s").arg(t.nsecsElapsed() / 1e9, 0, 'f', 1));
    runs.append(time(QStringLiteral("bert-base-random"), base, sentence, std::max(3, repeats / 4)));
    QJsonObject j;
    j[QStringLiteral("live")] = runs;
    return j;
}
