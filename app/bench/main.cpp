// salient-bench: measures load throughput, probe training throughput against a same-shape GEMM,
// and peak memory relative to the training matrix, on generated data. Not part of ctest.
// Figures are meant as ratios within one run (probe vs GEMM on the same machine and threads).
#include "salient/analyses/pipeline.h"
#include "salient/data/corpus.h"
#include "salient/data/features.h"
#include "salient/io/activationstore.h"
#include "salient/probe/metrics.h"
#include "salient/probe/probe.h"
#include "salient/util/error.h"
#include "salient/util/runtime.h"

#include "extractbench.h"
#include "iobench.h"
#include "livebench.h"
#include "probebench.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <cstdio>
#include <cstring>
#include <numeric>
#include <random>

using namespace salient;

namespace {

double seconds(const QElapsedTimer &t)
{
    return double(t.nsecsElapsed()) * 1e-9;
}

// Resets VmHWM so that the next peakRssBytes() covers only what follows (Linux ≥ 4.0).
void resetPeakRss()
{
    QFile f(QStringLiteral("/proc/self/clear_refs"));
    if (f.open(QIODevice::WriteOnly))
        f.write("5");
}

/// Planted data: class c is carried by neurons c·7 mod K (strong) plus noise everywhere. Written
/// one sentence at a time (files larger than memory), as @p dtype.
void generate(const QString &dir, Index tokens, int layers, int dims, int classes, int perSentence,
              quint64 seed, DType dtype)
{
    std::mt19937_64 rng(seed);
    const int K = layers * dims;
    QFile words(dir + QStringLiteral("/words.txt")), labels(dir + QStringLiteral("/labels.txt"));
    if (!words.open(QIODevice::WriteOnly) || !labels.open(QIODevice::WriteOnly))
        throw Error(QStringLiteral("%1: cannot write benchmark files").arg(dir));
    NeuroxHdf5Writer writer(dir + QStringLiteral("/acts.hdf5"), layers, dims, dtype);
    Index done = 0;
    int s = 0;
    RowMatrixF X;
    while (done < tokens) {
        const int T = int(std::min<Index>(perSentence, tokens - done));
        X.resize(T, K);
        QByteArray w, l;
        for (int t = 0; t < T; ++t) {
            float *row = X.row(t).data();
            quint64 state = rng();
            for (int k = 0; k < K; ++k) { // xorshift noise in [-1, 1)
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                row[k] = float(double(state >> 40) * (2.0 / 16777216.0) - 1.0);
            }
            const int c = int(rng() % quint64(classes));
            row[(c * 7) % K] += 2.0f;
            row[(c * 13 + 3) % K] += 1.5f;
            w += (t ? " w" : "w") + QByteArray::number(t);
            l += (t ? " c" : "c") + QByteArray::number(c);
        }
        words.write(w + '\n');
        labels.write(l + '\n');
        writer.append(X, QStringLiteral("sentence %1").arg(s++));
        done += T;
    }
    writer.finish();
}

bool sameBits(const MatrixF &a, const MatrixF &b)
{
    return a.rows() == b.rows() && a.cols() == b.cols()
           && (a.size() == 0
               || std::memcmp(a.data(), b.data(), std::size_t(a.size()) * sizeof(float)) == 0);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationVersion(QStringLiteral(SALIENT_VERSION));
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Benchmark on generated data (default 100,000 "
                                               "tokens × 13 layers × 768 dims × 44 classes)."));
    p.addHelpOption();
    p.addVersionOption();
    p.addOption({QStringLiteral("tokens"), QStringLiteral("training tokens"), QStringLiteral("N"),
                 QStringLiteral("100000")});
    p.addOption({QStringLiteral("layers"), QStringLiteral("layers"), QStringLiteral("N"),
                 QStringLiteral("13")});
    p.addOption({QStringLiteral("dims"), QStringLiteral("dims per layer"), QStringLiteral("N"),
                 QStringLiteral("768")});
    p.addOption({QStringLiteral("classes"), QStringLiteral("classes"), QStringLiteral("N"),
                 QStringLiteral("44")});
    p.addOption({QStringLiteral("epochs"), QStringLiteral("epochs per batch size"),
                 QStringLiteral("N"), QStringLiteral("1")});
    p.addOption({QStringLiteral("threads"), QStringLiteral("compute threads (0 = all cores)"),
                 QStringLiteral("N"), QStringLiteral("0")});
    p.addOption({QStringLiteral("json"), QStringLiteral("print one JSON object on stdout")});
    p.addOption({QStringLiteral("pipeline"),
                 QStringLiteral("also time the paper's pipeline (grid search, probe, minimal "
                                "subset, ablation, selectivity, layerwise)")});
    p.addOption({QStringLiteral("pipeline-epochs"),
                 QStringLiteral("epochs of every pipeline probe"), QStringLiteral("N"),
                 QStringLiteral("10")});
    p.addOption({QStringLiteral("pipeline-batch"),
                 QStringLiteral("batch size of every pipeline probe"), QStringLiteral("N"),
                 QStringLiteral("512")});
    p.addOption({QStringLiteral("storage"),
                 QStringLiteral("storage of the main runs: float32 (default), float16 or stream"),
                 QStringLiteral("MODE"), QStringLiteral("float32")});
    p.addOption({QStringLiteral("file-dtype"),
                 QStringLiteral("dtype of the generated HDF5 file: float32 (default) or float16"),
                 QStringLiteral("TYPE"), QStringLiteral("float32")});
    p.addOption({QStringLiteral("batches"), QStringLiteral("batch sizes to time, comma-separated"),
                 QStringLiteral("LIST"), QStringLiteral("512,32")});
    p.addOption({QStringLiteral("no-modes"),
                 QStringLiteral("skip the float16 and out-of-core comparison runs")});
    p.addOption(
        {QStringLiteral("grid"),
         QStringLiteral(
             "grid search over the first N of {0,1e-5,1e-4,1e-3,1e-2,1e-1} for each lambda"),
         QStringLiteral("N"), QStringLiteral("6")});
    p.addOption(
        {QStringLiteral("fused"),
         QStringLiteral("also time a fused 6 x 6 lambda grid epoch (all probes in one pass) "
                        "against a single-probe epoch, batch 512")});
    p.addOption({QStringLiteral("pipeline-seeds"),
                 QStringLiteral("with --pipeline: run it once per value, passing \"seeds\" to "
                                "every stage that takes it (e.g. default,3)"),
                 QStringLiteral("LIST"), QStringLiteral("")});
    p.addOption({QStringLiteral("command-repeats"),
                 QStringLiteral("time the whole salient-cli probe process against salient-cli "
                                "run of its session N times each (batch 512, 1 epoch; 0 = skip)"),
                 QStringLiteral("N"), QStringLiteral("3")});
    p.addOption({QStringLiteral("stream-block"),
                 QStringLiteral("rows per block of the block-shuffled streamed epoch read from "
                                "disk (compared with the disk's sequential rate)"),
                 QStringLiteral("N"), QStringLiteral("256")});
    p.addOption({QStringLiteral("workdir"),
                 QStringLiteral("write the generated files (acts.hdf5, words.txt, labels.txt) "
                                "into DIR and keep them (default: a temporary folder)"),
                 QStringLiteral("DIR")});
    p.addOption({QStringLiteral("extract"),
                 QStringLiteral("time activation extraction instead (random BERT-base- and "
                                "Llama-shaped models; stories260K end to end with --shared)")});
    p.addOption({QStringLiteral("live"),
                 QStringLiteral("time the Try-a-sentence computation instead (30 words; "
                                "stories260K and a random BERT-base; needs --shared)")});
    p.addOption({QStringLiteral("shared"), QStringLiteral("the ../shared folder (real data)"),
                 QStringLiteral("DIR")});
    p.process(app);
    if (p.isSet(QStringLiteral("live"))) {
        setComputeThreads(p.value(QStringLiteral("threads")).toInt());
        try {
            const QJsonObject r = runLiveBench(p.value(QStringLiteral("shared")), 40);
            if (p.isSet(QStringLiteral("json")))
                std::printf("%s", QJsonDocument(r).toJson().constData());
            return 0;
        } catch (const Error &e) {
            std::fprintf(stderr, "error: %s\n", e.what());
            return 2;
        }
    }
    if (p.isSet(QStringLiteral("extract"))) {
        setComputeThreads(p.value(QStringLiteral("threads")).toInt());
        try {
            const QJsonObject r = runExtractBench(32, 64, p.value(QStringLiteral("shared")));
            if (p.isSet(QStringLiteral("json")))
                std::printf("%s", QJsonDocument(r).toJson().constData());
            return 0;
        } catch (const Error &e) {
            std::fprintf(stderr, "error: %s\n", e.what());
            return 2;
        }
    }
    const Index tokens = p.value(QStringLiteral("tokens")).toLongLong();
    const int layers = p.value(QStringLiteral("layers")).toInt(),
              dims = p.value(QStringLiteral("dims")).toInt();
    const int classes = p.value(QStringLiteral("classes")).toInt(),
              epochs = p.value(QStringLiteral("epochs")).toInt();
    if (tokens < 1000 || layers < 1 || dims < 1 || classes < 2 || epochs < 1) {
        std::fprintf(stderr,
                     "salient-bench: need tokens >= 1000, layers/dims/epochs >= 1, classes >= 2\n");
        return 2;
    }
    setComputeThreads(p.value(QStringLiteral("threads")).toInt());
    const int K = layers * dims;
    auto log = [&](const QString &s) { std::fprintf(stderr, "%s\n", s.toLocal8Bit().constData()); };
    try {
        QTemporaryDir tmpDir;
        const QString workdir =
            p.isSet(QStringLiteral("workdir")) ? p.value(QStringLiteral("workdir")) : tmpDir.path();
        if (!QDir().mkpath(workdir))
            throw Error(QStringLiteral("%1: cannot create the folder").arg(workdir));
        QElapsedTimer t;
        t.start();
        const QString fileDtype = p.value(QStringLiteral("file-dtype"));
        if (fileDtype != QLatin1String("float32") && fileDtype != QLatin1String("float16"))
            throw Error(
                QStringLiteral("--file-dtype: '%1' (expected float32 or float16)").arg(fileDtype));
        const StorageMode mainMode = parseStorageMode(p.value(QStringLiteral("storage")));
        if (mainMode == StorageMode::Auto)
            throw Error(QStringLiteral("--storage: give float32, float16 or stream"));
        std::vector<int> batches;
        for (const QString &b :
             p.value(QStringLiteral("batches")).split(QLatin1Char(','), Qt::SkipEmptyParts))
            batches.push_back(std::max(1, b.toInt()));
        generate(workdir, tokens, layers, dims, classes, 25, 42,
                 fileDtype == QLatin1String("float16") ? DType::Float16 : DType::Float32);
        log(QStringLiteral("generated %1 × %2 × %3 (%4 file) in %5 s")
                .arg(tokens)
                .arg(K)
                .arg(classes)
                .arg(fileDtype)
                .arg(seconds(t), 0, 'f', 1));
        const double bytes = matrixBytes(tokens, K);
        const QString actsPath = workdir + QStringLiteral("/acts.hdf5");
        const TextColumns words = readTextColumns(workdir + QStringLiteral("/words.txt"));
        const TextColumns labs = readTextColumns(workdir + QStringLiteral("/labels.txt"));
        // Opens the file and builds the train split in @p mode; returns the read seconds.
        auto load = [&](StorageMode mode, Dataset &into, LabelVocabulary &vocab,
                        double *openSeconds) {
            QElapsedTimer lt;
            lt.start();
            std::shared_ptr<const ActivationStore> st = ActivationStore::open(actsPath);
            if (openSeconds)
                *openSeconds = seconds(lt);
            lt.restart();
            DatasetOptions o;
            o.storage = mode;
            into = buildDataset(QStringLiteral("train"), st, words, labs, o, vocab);
            return seconds(lt);
        };

        QJsonObject out;
        // Load: open (metadata) + align + read into the training matrix.
        resetPeakRss();
        const std::int64_t rssBefore = currentRssBytes();
        LabelVocabulary vocab;
        Dataset ds;
        double openSeconds = 0;
        const double loadSeconds = load(mainMode, ds, vocab, &openSeconds);
        auto store = ActivationStore::open(actsPath); // metadata for the pipeline's task
        const double hugeShare = anonHugePageBytes() / bytes;
        log(QStringLiteral("load: %1 % of the matrix is backed by transparent huge pages")
                .arg(100.0 * hugeShare, 0, 'f', 0));
        out[QStringLiteral("load_huge_page_share")] = hugeShare;
        log(QStringLiteral(
                "load (%1): open %2 s, read %3 GB in %4 s = %5 GB/s (float32-equivalent)")
                .arg(storageModeName(mainMode))
                .arg(openSeconds, 0, 'f', 3)
                .arg(bytes / 1e9, 0, 'f', 2)
                .arg(loadSeconds, 0, 'f', 2)
                .arg(bytes / 1e9 / loadSeconds, 0, 'f', 2));
        const std::unique_ptr<FeatureSource> features = ds.features();

        // Reference GEMM of the probe's own shape: (512 × K) · (K × C), same threads and flags.
        RowMatrixF a;
        {
            std::vector<Index> first(static_cast<std::size_t>(std::min<Index>(512, ds.rows())));
            std::iota(first.begin(), first.end(), Index(0));
            const Index n = features->read(first, Index(first.size()), {})->next(a);
            a.conservativeResize(n, K);
        }
        MatrixF w = MatrixF::Random(K, classes), c(a.rows(), classes);
        c.noalias() = a * w; // warm-up
        int reps = 0;
        t.restart();
        while (seconds(t) < 2.0 || reps < 5) {
            c.noalias() = a * w;
            ++reps;
        }
        const double gemmGflops = 2.0 * double(a.rows()) * K * classes * reps / seconds(t) / 1e9;
        log(QStringLiteral("gemm %1×%2·%2×%3: %4 GFLOP/s")
                .arg(a.rows())
                .arg(K)
                .arg(classes)
                .arg(gemmGflops, 0, 'f', 1));

        // The machine's reference: a square SGEMM, same threads and flags, same run.
        const double squareGflops = squareGemmGflops();
        log(QStringLiteral("square SGEMM 2048³: %1 GFLOP/s").arg(squareGflops, 0, 'f', 1));

        out[QStringLiteral("square_gemm_gflops")] = squareGflops;
        out[QStringLiteral("storage")] = storageModeName(mainMode);
        TrainResult ref512;
        double acc512 = 0, perEpoch512 = 0;
        for (int batch : batches) {
            ProbeOptions po;
            po.epochs = epochs;
            po.batchSize = batch;
            po.seed = 1;
            t.restart();
            TrainResult r = trainProbe(*features, ds.y, ds.yValue, vocab.names, po);
            const double perEpoch = seconds(t) / epochs;
            // Forward (X·Wᵀ) and weight gradient (Gᵀ·X): 2 · 2·N·K·C flops per epoch.
            const double gflops = 4.0 * double(tokens) * K * classes / perEpoch / 1e9;
            const Evaluation e = evaluateProbe(r.probe, *features, ds.y, ds.yValue);
            log(QStringLiteral("probe batch %1: %2 s/epoch, %3 GFLOP/s-equivalent (%4% of GEMM, "
                               "%7% of square SGEMM), %5 Mtoken·neuron/s, train accuracy %6")
                    .arg(batch)
                    .arg(perEpoch, 0, 'f', 2)
                    .arg(gflops, 0, 'f', 1)
                    .arg(100.0 * gflops / gemmGflops, 0, 'f', 0)
                    .arg(double(tokens) * K / perEpoch / 1e6, 0, 'f', 0)
                    .arg(e.accuracy, 0, 'f', 3)
                    .arg(100.0 * gflops / squareGflops, 0, 'f', 0));
            out[QStringLiteral("probe_s_per_epoch_b%1").arg(batch)] = perEpoch;
            out[QStringLiteral("probe_pct_square_b%1").arg(batch)] = 100.0 * gflops / squareGflops;
            out[QStringLiteral("probe_gflops_b%1").arg(batch)] = gflops;
            if (batch == 512) {
                out[QStringLiteral("probe_gflops")] = gflops;
                ref512 = std::move(r);
                acc512 = e.accuracy;
                perEpoch512 = perEpoch;
            }
        }
        if (p.isSet(QStringLiteral("fused")))
            out[QStringLiteral("fused_grid_b512")] =
                fusedGridBench(*features, ds.y, vocab.names, 512, 6, log);
        const double peakRatio = double(peakRssBytes() - rssBefore) / bytes;
        if (!p.isSet(QStringLiteral("no-modes")) && mainMode == StorageMode::Float32
            && ref512.status == Status::Ok) {
            ProbeOptions po;
            po.epochs = epochs;
            po.batchSize = 512;
            po.seed = 1;
            // Out-of-core: the same probe with every mini-batch read from the file by the
            // read-ahead thread (warm page cache); must match the in-memory weights bit for bit.
            {
                LabelVocabulary v;
                Dataset sds;
                resetPeakRss();
                const std::int64_t before = currentRssBytes();
                load(StorageMode::Streamed, sds, v, nullptr);
                t.restart();
                const TrainResult r = trainProbe(*sds.features(), sds.y, sds.yValue, v.names, po);
                const double perEpoch = seconds(t) / epochs;
                const bool ok = r.status == Status::Ok && sameBits(r.probe.W, ref512.probe.W)
                                && sameBits(r.probe.b, ref512.probe.b);
                const double rssMb = double(peakRssBytes() - before) / 1e6;
                log(QStringLiteral("out-of-core batch 512: %1 s/epoch (%2× in-memory), weights %3, "
                                   "extra peak RSS %4 MB")
                        .arg(perEpoch, 0, 'f', 2)
                        .arg(perEpoch / perEpoch512, 0, 'f', 2)
                        .arg(ok ? QStringLiteral("bit-identical") : QStringLiteral("DIFFER"))
                        .arg(rssMb, 0, 'f', 0));
                out[QStringLiteral("ooc_ok")] = ok;
                out[QStringLiteral("ooc_s_per_epoch_b512")] = perEpoch;
                out[QStringLiteral("ooc_extra_peak_rss_mb")] = rssMb;
            }
            // Streamed from disk: the file evicted from the page cache, a block-shuffled epoch
            // (sequential runs of --stream-block rows) against the disk's sequential rate.
            {
                const double fileBytes = double(QFileInfo(actsPath).size());
                const double disk = diskSequentialGBps(actsPath);
                ProbeOptions so = po;
                so.epochs = 1;
                so.shuffleBlockRows = std::max(1, p.value(QStringLiteral("stream-block")).toInt());
                LabelVocabulary v;
                Dataset sds;
                load(StorageMode::Streamed, sds, v, nullptr);
                const double resident = evictFromPageCache(actsPath);
                t.restart();
                const TrainResult r = trainProbe(*sds.features(), sds.y, sds.yValue, v.names, so);
                const double epoch = seconds(t);
                const double rate = fileBytes / epoch / 1e9;
                log(QStringLiteral("streamed from disk, block-shuffled (%1 rows), batch 512: "
                                   "%2 s/epoch = %3 GB/s of the %4 GB file; disk sequential "
                                   "%5 GB/s; ratio %6 (%7 % of the file resident at the start)")
                        .arg(so.shuffleBlockRows)
                        .arg(epoch, 0, 'f', 2)
                        .arg(rate, 0, 'f', 3)
                        .arg(fileBytes / 1e9, 0, 'f', 2)
                        .arg(disk, 0, 'f', 3)
                        .arg(rate / disk, 0, 'f', 2)
                        .arg(100.0 * resident, 0, 'f', 1));
                out[QStringLiteral("disk_sequential_gbps")] = disk;
                out[QStringLiteral("stream_disk_s_per_epoch_b512")] = epoch;
                out[QStringLiteral("stream_disk_vs_sequential")] = rate / disk;
                out[QStringLiteral("stream_disk_resident_at_start")] = resident;
                out[QStringLiteral("stream_disk_ok")] = r.status == Status::Ok;
            }
            // float16 in memory: half the bytes, compute in float32.
            {
                LabelVocabulary v;
                Dataset hds;
                resetPeakRss();
                const std::int64_t before = currentRssBytes();
                const double halfLoad = load(StorageMode::Float16, hds, v, nullptr);
                const double halfPeak = double(peakRssBytes() - before) / bytes;
                t.restart();
                const TrainResult r = trainProbe(*hds.features(), hds.y, hds.yValue, v.names, po);
                const double perEpoch = seconds(t) / epochs;
                const double acc =
                    evaluateProbe(r.probe, *hds.features(), hds.y, hds.yValue).accuracy;
                log(QStringLiteral("float16 batch 512: load %1 s, %2 s/epoch (%3× float32), train "
                                   "accuracy %4 (float32 %5), peak RSS %6 × the float32 matrix")
                        .arg(halfLoad, 0, 'f', 2)
                        .arg(perEpoch, 0, 'f', 2)
                        .arg(perEpoch / perEpoch512, 0, 'f', 2)
                        .arg(acc, 0, 'f', 4)
                        .arg(acc512, 0, 'f', 4)
                        .arg(halfPeak, 0, 'f', 3));
                out[QStringLiteral("f16_s_per_epoch_b512")] = perEpoch;
                out[QStringLiteral("f16_accuracy_delta_points")] = 100.0 * (acc - acc512);
                out[QStringLiteral("f16_peak_rss_ratio")] = halfPeak;
            }
        }
        if (const int repeats = p.value(QStringLiteral("command-repeats")).toInt(); repeats > 0)
            out[QStringLiteral("probe_command_vs_replay")] = probeCommandBench(
                QCoreApplication::applicationDirPath() + QStringLiteral("/salient-cli"), actsPath,
                workdir + QStringLiteral("/words.txt"), workdir + QStringLiteral("/labels.txt"),
                512, 1, repeats, log);
        if (p.isSet(QStringLiteral("pipeline"))) {
            // A dev split: the last 10 % of the generated tokens would need a second file; the
            // pipeline selects on train here (ExperimentData falls back to train without dev).
            LoadedTask task;
            task.vocab = vocab;
            task.trainInfo = store->info();
            task.train = std::move(ds);
            Session session;
            AnalysisContext ctx;
            ctx.task = &task;
            ctx.session = &session;
            ctx.probe.epochs = p.value(QStringLiteral("pipeline-epochs")).toInt();
            ctx.probe.batchSize = p.value(QStringLiteral("pipeline-batch")).toInt();
            const int g = std::clamp(p.value(QStringLiteral("grid")).toInt(), 1, 6);
            const double grid[] = {0, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1};
            QJsonObject gridOptions;
            QJsonArray values;
            for (int i = 0; i < g; ++i)
                values.append(grid[i]);
            gridOptions[QStringLiteral("l1_values")] = values;
            gridOptions[QStringLiteral("l2_values")] = values;
            // One run per --pipeline-seeds value ("seeds" passed to every stage that takes it;
            // none given: each stage's default), from the same starting options.
            QStringList seedRuns = p.value(QStringLiteral("pipeline-seeds"))
                                       .split(QLatin1Char(','), Qt::SkipEmptyParts);
            if (seedRuns.isEmpty())
                seedRuns << QString();
            const ProbeOptions startOptions = ctx.probe;
            const QStringList takesSeeds{QStringLiteral("probe"), QStringLiteral("minimal-subset"),
                                         QStringLiteral("ablation"), QStringLiteral("selectivity"),
                                         QStringLiteral("layerwise")};
            for (QString seedsText : seedRuns) {
                if (seedsText == QLatin1String("default"))
                    seedsText.clear(); // every stage's own default
                ctx.probe = startOptions;
                const QString suffix =
                    seedsText.isEmpty() ? QString() : QStringLiteral("_seeds%1").arg(seedsText);
                QJsonObject stages;
                QElapsedTimer all;
                all.start();
                for (const QString &name : paperPipeline()) {
                    QElapsedTimer st;
                    st.start();
                    // No held-out split in the generated data: selectivity is measured on train.
                    QJsonObject opts =
                        name == QLatin1String("grid-search") ? gridOptions
                        : name == QLatin1String("selectivity")
                            ? QJsonObject{{QStringLiteral("split"), QStringLiteral("train")}}
                            : QJsonObject();
                    if (!seedsText.isEmpty() && takesSeeds.contains(name))
                        opts[QStringLiteral("seeds")] = seedsText.toInt();
                    const AnalysisOutput o = runAnalysis(name, opts, ctx);
                    stages[name] = seconds(st);
                    log(QStringLiteral("pipeline%1 %2: %3 s")
                            .arg(suffix, name)
                            .arg(seconds(st), 0, 'f', 1));
                    if (o.status != Status::Ok)
                        throw Error(QStringLiteral("pipeline stage %1 did not finish").arg(name));
                    // Algorithm 2: the winner's λ for the stages after it (explicit, as the
                    // CLI's pipeline does).
                    if (const auto *winner = std::get_if<GridSearchReport>(o.result.get());
                        winner && winner->hasWinner())
                        ctx.probe = withGridWinner(ctx.probe, *winner);
                }
                const double total = seconds(all);
                log(QStringLiteral("pipeline%1 total %2 s (%3 epochs, batch %4, %5 x %5 grid)")
                        .arg(suffix)
                        .arg(total, 0, 'f', 1)
                        .arg(ctx.probe.epochs)
                        .arg(ctx.probe.batchSize)
                        .arg(g));
                out[QStringLiteral("pipeline_s") + suffix] = total;
                out[QStringLiteral("pipeline_stages_s") + suffix] = stages;
                out[QStringLiteral("pipeline_settings")] =
                    QStringLiteral("%1 epochs, batch %2, %3x%3 grid")
                        .arg(ctx.probe.epochs)
                        .arg(ctx.probe.batchSize)
                        .arg(g);
            }
        }
        // The load again into memory this process just released (the same size freed a moment
        // before): what loading costs once the VM's memory is backed, against the first load.
        if (mainMode == StorageMode::Float32) {
            {
                LabelVocabulary v;
                Dataset first;
                load(mainMode, first, v, nullptr);
            }
            LabelVocabulary v;
            Dataset again;
            const double s2 = load(mainMode, again, v, nullptr);
            log(QStringLiteral("reload into just-released memory: %1 GB/s (first load %2 GB/s)")
                    .arg(bytes / 1e9 / s2, 0, 'f', 2)
                    .arg(bytes / 1e9 / loadSeconds, 0, 'f', 2));
            out[QStringLiteral("reload_gbps")] = bytes / 1e9 / s2;
        }
        // The machine's limits for the load above: copying the same bytes (≤ 1 GiB) into fresh
        // pages (after peakRatio: its buffers are not the load's memory).
        {
            const QJsonObject copy = memoryCopyBench(bytes, log);
            const double limit =
                copy.value(QStringLiteral("copy_fresh_huge_parallel_gbps")).toDouble();
            log(QStringLiteral("load rate = %1 × the parallel copy into fresh huge pages")
                    .arg(bytes / 1e9 / loadSeconds / limit, 0, 'f', 2));
            for (auto it = copy.begin(); it != copy.end(); ++it)
                out[it.key()] = it.value();
            out[QStringLiteral("load_vs_fresh_copy")] = bytes / 1e9 / loadSeconds / limit;
        }
        log(QStringLiteral("peak RSS − RSS before loading = %1 × the float32 matrix")
                .arg(peakRatio, 0, 'f', 3));
        out[QStringLiteral("tokens")] = double(tokens);
        out[QStringLiteral("neurons")] = K;
        out[QStringLiteral("classes")] = classes;
        out[QStringLiteral("gemm_gflops")] = gemmGflops;
        out[QStringLiteral("load_gbps")] = bytes / 1e9 / loadSeconds;
        out[QStringLiteral("open_s")] = openSeconds;
        out[QStringLiteral("peak_rss_ratio")] = peakRatio;
        out[QStringLiteral("blas")] = blasDescription();
        out[QStringLiteral("threads")] = computeThreads();
        if (p.isSet(QStringLiteral("json")))
            std::printf("%s", QJsonDocument(out).toJson().constData());
        return 0;
    } catch (const Error &e) {
        log(QStringLiteral("error: ") + e.message());
        return 2;
    }
}
