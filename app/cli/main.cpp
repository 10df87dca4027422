// salient-cli: the headless twin of the GUI. Runs core/ on files (or the built-in demo) and writes
// JSON/HDF5 results. Exit codes: 0 ok, 1 internal failure, 2 bad input or usage, 3 cancelled.
#include "salient/analyses/pipeline.h"
#include "salient/data/demo.h"
#include "salient/data/task.h"
#include "salient/io/probeio.h"
#include "salient/probe/metrics.h"
#include "salient/probe/probe.h"
#include "salient/probe/ranking.h"
#include "salient/session/session.h"
#include "salient/util/atomicfile.h"
#include "salient/util/error.h"
#include "salient/util/runtime.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryFile>
#include <cmath>
#include <cstdio>
#include <functional>
#include <future>

using namespace salient;

namespace {

void err(const QString &s)
{
    std::fprintf(stderr, "%s\n", s.toLocal8Bit().constData());
}

/// Creates @p dir and checks that a file can be written there, before any data is loaded (an
/// unwritable --out then costs nothing). Throws salient::Error naming the folder.
void requireOutputFolder(const QString &dir)
{
    if (!QDir().mkpath(dir))
        throw Error(QStringLiteral("%1: cannot create output folder").arg(dir));
    QTemporaryFile probe(QDir(dir).filePath(QStringLiteral(".salient-write-check-XXXXXX")));
    if (!probe.open())
        throw Error(
            QStringLiteral("%1: output folder is not writable (%2)").arg(dir, probe.errorString()));
}

/// "0,2,5-7" → {0,2,5,6,7}. Throws on malformed input.
std::vector<int> parseList(const QString &text, const QString &option)
{
    std::vector<int> out;
    if (text.trimmed().isEmpty())
        return out;
    for (const QString &part : text.split(QLatin1Char(','))) {
        const QStringList range = part.trimmed().split(QLatin1Char('-'));
        bool ok1 = false, ok2 = true;
        const int a = range.value(0).toInt(&ok1);
        const int b = range.size() == 2 ? range[1].toInt(&ok2) : a;
        if (!ok1 || !ok2 || range.size() > 2 || b < a || a < 0)
            throw Error(QStringLiteral("--%1: '%2' is not a list like 0,2,5-7").arg(option, part));
        for (int x = a; x <= b; ++x)
            out.push_back(x);
    }
    return out;
}

double parseDouble(const QCommandLineParser &p, const QString &name, double fallback)
{
    if (!p.isSet(name))
        return fallback;
    bool ok = false;
    const double v = p.value(name).toDouble(&ok);
    if (!ok)
        throw Error(QStringLiteral("--%1: '%2' is not a number").arg(name, p.value(name)));
    return v;
}

long long parseInt(const QCommandLineParser &p, const QString &name, long long fallback)
{
    if (!p.isSet(name))
        return fallback;
    bool ok = false;
    const long long v = p.value(name).toLongLong(&ok);
    if (!ok)
        throw Error(QStringLiteral("--%1: '%2' is not an integer").arg(name, p.value(name)));
    return v;
}

QJsonObject storeInfoJson(const StoreInfo &info)
{
    QJsonObject o;
    o[QStringLiteral("file")] = info.path;
    o[QStringLiteral("format")] = info.format;
    o[QStringLiteral("sentences")] = double(info.sentences);
    o[QStringLiteral("layers")] = info.layers;
    o[QStringLiteral("dims")] = info.dims;
    o[QStringLiteral("neurons")] = info.neurons();
    o[QStringLiteral("dtype")] = dtypeName(info.dtype);
    o[QStringLiteral("total_words")] = double(info.totalWords);
    int longest = 0;
    for (int t : info.wordsPerSentence)
        longest = std::max(longest, t);
    o[QStringLiteral("longest_sentence")] = longest;
    o[QStringLiteral("warnings")] = QJsonArray::fromStringList(info.warnings);
    o[QStringLiteral("metadata")] = QJsonArray::fromStringList(info.metadata);
    return o;
}

int cmdInspect(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(
        QStringLiteral("Print the metadata of an activation file as JSON (reads metadata only).\n"
                       "Formats: NeuroX HDF5 (float32/float16) and NeuroX JSON lines."));
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("activation file"));
    p.process(args);
    if (p.positionalArguments().size() != 1)
        throw Error(QStringLiteral("inspect: expected exactly one FILE"));
    auto store = ActivationStore::open(p.positionalArguments().first());
    std::printf("%s", QJsonDocument(storeInfoJson(store->info())).toJson().constData());
    return 0;
}

int cmdDemo(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Write the built-in SYNTHETIC demo dataset as NeuroX files (HDF5 activations, words, POS "
        "and suffix labels for train/dev/test) into DIR."));
    p.addHelpOption();
    p.addOption({QStringLiteral("out"), QStringLiteral("output folder"), QStringLiteral("DIR")});
    p.addOption({QStringLiteral("seed"), QStringLiteral("generator seed (default 7)"),
                 QStringLiteral("N")});
    p.process(args);
    if (!p.isSet(QStringLiteral("out")))
        throw Error(QStringLiteral("demo: --out DIR is required"));
    DemoOptions o;
    o.seed = quint64(parseInt(p, QStringLiteral("seed"), 7));
    const DemoDataset demo = makeDemoDataset(o);
    writeDemoFiles(demo, p.value(QStringLiteral("out")));
    err(demo.description);
    return 0;
}

void addDataOptions(QCommandLineParser &p)
{
    for (const char *split : {"train", "dev", "test"}) {
        const QString s = QLatin1String(split);
        p.addOption({s + QStringLiteral("-activations"),
                     QStringLiteral("%1 activations (NeuroX HDF5 or JSON lines)").arg(s),
                     QStringLiteral("FILE")});
        p.addOption({s + QStringLiteral("-tokens"),
                     QStringLiteral("%1 tokens, one sentence per line").arg(s),
                     QStringLiteral("FILE")});
        p.addOption({s + QStringLiteral("-labels"),
                     QStringLiteral("%1 labels, one per token").arg(s), QStringLiteral("FILE")});
    }
    p.addOption({QStringLiteral("demo"),
                 QStringLiteral("use the built-in SYNTHETIC demo dataset instead of files")});
    p.addOption({QStringLiteral("demo-property"),
                 QStringLiteral("demo task: pos (default) or suffix"), QStringLiteral("NAME")});
    p.addOption({QStringLiteral("task"), QStringLiteral("classification (default) or regression"),
                 QStringLiteral("TYPE")});
    p.addOption({QStringLiteral("layers"),
                 QStringLiteral("layers to use, e.g. 0,3-5 (default: all; 0 = embeddings)"),
                 QStringLiteral("LIST")});
    p.addOption({QStringLiteral("binarize"), QStringLiteral("one label vs the rest ('OTHER')"),
                 QStringLiteral("LABEL")});
    p.addOption({QStringLiteral("balance"),
                 QStringLiteral("undersample every class to the smallest (seeded)")});
    p.addOption({QStringLiteral("ignore-start-token"),
                 QStringLiteral("drop the first token of every sentence")});
    p.addOption({QStringLiteral("sentence-classification"),
                 QStringLiteral("one label per line, one activation row per record")});
    p.addOption(
        {QStringLiteral("keep-non-finite"),
         QStringLiteral(
             "keep sentences with NaN/Inf activations (default: excluded with a warning)")});
    p.addOption({QStringLiteral("max-mismatches"),
                 QStringLiteral("abort when this many lines mismatch (default 100, as NeuroX)"),
                 QStringLiteral("N")});
    p.addOption({QStringLiteral("unseen-label"),
                 QStringLiteral(
                     "label for dev/test labels unseen in train (default: majority train label)"),
                 QStringLiteral("LABEL")});
    p.addOption({QStringLiteral("threads"), QStringLiteral("compute threads (default: all cores)"),
                 QStringLiteral("N")});
    p.addOption({QStringLiteral("storage"),
                 QStringLiteral("how activations are held: auto (default: float32 if within the "
                                "memory budget, else streamed), float32, float16 (half the "
                                "memory), stream (read per mini-batch from the file)"),
                 QStringLiteral("MODE")});
    p.addOption(
        {QStringLiteral("memory-budget"),
         QStringLiteral(
             "bytes the activation matrices may use, e.g. 8G (default: 70% of available memory)"),
         QStringLiteral("SIZE")});
}

LoadedTask loadFromOptions(const QCommandLineParser &p, DatasetOptions &dopt)
{
    const QString task = p.value(QStringLiteral("task"));
    if (!task.isEmpty() && task != QLatin1String("classification")
        && task != QLatin1String("regression"))
        throw Error(
            QStringLiteral("--task: '%1' (expected classification or regression)").arg(task));
    dopt.task =
        task == QLatin1String("regression") ? TaskType::Regression : TaskType::Classification;
    dopt.layers = parseList(p.value(QStringLiteral("layers")), QStringLiteral("layers"));
    dopt.binarizedTag = p.value(QStringLiteral("binarize"));
    dopt.balance = p.isSet(QStringLiteral("balance"));
    dopt.ignoreStartToken = p.isSet(QStringLiteral("ignore-start-token"));
    dopt.sentenceClassification = p.isSet(QStringLiteral("sentence-classification"));
    dopt.keepNonFinite = p.isSet(QStringLiteral("keep-non-finite"));
    dopt.maxMismatches = int(parseInt(p, QStringLiteral("max-mismatches"), 100));
    dopt.unseenLabelFallback = p.value(QStringLiteral("unseen-label"));
    dopt.seed = quint64(parseInt(p, QStringLiteral("seed"), 1));
    dopt.storage = p.isSet(QStringLiteral("storage"))
                       ? parseStorageMode(p.value(QStringLiteral("storage")))
                       : StorageMode::Auto;
    if (p.isSet(QStringLiteral("demo"))) {
        const QString prop = p.isSet(QStringLiteral("demo-property"))
                                 ? p.value(QStringLiteral("demo-property"))
                                 : QStringLiteral("pos");
        return loadDemoTask(makeDemoDataset(), prop, dopt);
    }
    TaskInputs in;
    in.options = dopt;
    if (p.isSet(QStringLiteral("memory-budget")))
        in.memoryBudget = parseByteSize(p.value(QStringLiteral("memory-budget")));
    auto paths = [&](const char *split) {
        const QString s = QLatin1String(split);
        SplitPaths sp{p.value(s + QStringLiteral("-activations")),
                      p.value(s + QStringLiteral("-tokens")),
                      p.value(s + QStringLiteral("-labels"))};
        const int given =
            int(!sp.activations.isEmpty()) + int(!sp.tokens.isEmpty()) + int(!sp.labels.isEmpty());
        if (given != 0 && given != 3)
            throw Error(
                QStringLiteral("--%1-activations, --%1-tokens and --%1-labels go together").arg(s));
        return sp;
    };
    in.train = paths("train");
    in.dev = paths("dev");
    in.test = paths("test");
    if (!in.train.isSet())
        throw Error(
            QStringLiteral("give --train-activations, --train-tokens, --train-labels (or --demo)"));
    double lastShown = -1;
    LoadedTask loaded = loadTask(in, [&](double f) {
        if (f - lastShown >= 0.1) {
            std::fprintf(stderr, "loading %3.0f%%\n", 100 * f);
            lastShown = f;
        }
        return true;
    });
    err(QStringLiteral("storage: ") + loaded.storage.summary());
    return loaded;
}

/// An analysis-specific command-line option and the JSON key it sets.
struct OptionSpec {
    const char *flag;
    const char *key;
    enum Kind { Double, Int, String, Bool, DoubleList } kind;
    const char *help;
};

/// Options of each analysis subcommand (defaults are documented in docs/cli.md and the core
/// headers).
std::vector<OptionSpec> analysisOptionSpecs(const QString &name)
{
    if (name == QLatin1String("probe"))
        return {{"search-stride", "search_stride", OptionSpec::Int,
                 "ranking search stride S (default 100)"}};
    if (name == QLatin1String("grid-search"))
        return {
            {"l1-values", "l1_values", OptionSpec::DoubleList,
             "lambda 1 grid (default 0,1e-5,1e-4,1e-3,1e-2,1e-1)"},
            {"l2-values", "l2_values", OptionSpec::DoubleList,
             "lambda 2 grid (default 0,1e-5,1e-4,1e-3,1e-2,1e-1)"},
            {"keep-fraction", "keep_fraction", OptionSpec::Double,
             "M: fraction of neurons kept by the top/random/bottom masks (default 0.2)"},
            {"alpha", "alpha", OptionSpec::Double, "weight of the full accuracy (default 0.5)"},
            {"beta", "beta", OptionSpec::Double, "weight of the ablation difference (default 0.5)"},
            {"score", "score", OptionSpec::String, "top-random (default), top-bottom or both"},
            {"search-stride", "search_stride", OptionSpec::Int,
             "ranking search stride (default 100)"},
            {"random-seed", "random_seed", OptionSpec::Int,
             "seed of the random mask (default: --seed)"}};
    if (name == QLatin1String("minimal-subset"))
        return {
            {"delta", "delta", OptionSpec::Double,
             "delta in percent of the oracle's dev accuracy (default 1)"},
            {"search-stride", "search_stride", OptionSpec::Int,
             "ranking search stride (default 1000)"},
            {"preset", "preset", OptionSpec::String,
             "candidate fractions: max_features (default) or pipeline_all"},
            {"fractions", "fractions", OptionSpec::DoubleList,
             "candidate fractions of the neurons (overrides the preset)"},
            {"prefilter-threshold", "prefilter_threshold", OptionSpec::Double,
             "rank only one representative per correlation cluster (e.g. 0.3, redundancy paper)"},
            {"prefilter-rows", "prefilter_rows", OptionSpec::Int,
             "tokens used for the pre-filter's correlations (default 20000)"},
            {"ranker", "ranker", OptionSpec::String,
             "ranking: probe (weight mass, default), probeless, average_precision, gaussian"},
            {"positive-label", "positive_label", OptionSpec::String,
             "label scored against the rest by the average_precision ranker"},
            {"gaussian-k", "gaussian_k", OptionSpec::Int,
             "neurons the gaussian ranker selects greedily (default min(neurons, 50))"}};
    if (name == QLatin1String("ablation"))
        return {{"sizes", "sizes", OptionSpec::DoubleList,
                 "fractions (all <= 1) or counts (default 0.01,0.02,0.05,0.1,0.2,0.5)"},
                {"seeds", "seeds", OptionSpec::Int, "random-set repetitions (default 3)"},
                {"mode", "mode", OptionSpec::String, "both (default), masking or retraining"},
                {"ranker", "ranker", OptionSpec::String,
                 "ranking: probe (weight mass, default), probeless, average_precision, gaussian"},
                {"positive-label", "positive_label", OptionSpec::String,
                 "label scored against the rest by the average_precision ranker"},
                {"gaussian-k", "gaussian_k", OptionSpec::Int,
                 "neurons the gaussian ranker selects greedily (default min(neurons, 50))"},
                {"search-stride", "search_stride", OptionSpec::Int,
                 "ranking search stride (default 100)"}};
    if (name == QLatin1String("layerwise"))
        return {
            {"delta", "delta", OptionSpec::Double, "LayerSelector delta in percent (default 1)"}};
    if (name == QLatin1String("properties"))
        return {
            {"property", "property", OptionSpec::String,
             "another property of the same sentences: NAME=TRAIN_LABELS[,DEV_LABELS] (repeatable)"},
            {"demo-properties", "demo_properties", OptionSpec::String,
             "with --demo: other demo properties, e.g. suffix"},
            {"task-name", "task_name", OptionSpec::String,
             "name of the main task's property (default task)"},
            {"top-fraction", "top_fraction", OptionSpec::Double,
             "top neurons compared per property, as a fraction (default 0.05)"}};
    if (name == QLatin1String("compare"))
        return {
            {"other-train-activations", "other_train", OptionSpec::String,
             "the second model's train activations (same sentences)"},
            {"other-dev-activations", "other_dev", OptionSpec::String,
             "the second model's dev activations"},
            {"other-test-activations", "other_test", OptionSpec::String,
             "the second model's test activations"},
            {"other-demo-seed", "other_demo_seed", OptionSpec::Int,
             "with --demo: the second model is the demo with this seed (default demo seed + 1)"},
            {"name-a", "name_a", OptionSpec::String, "name of the first model (default A)"},
            {"name-b", "name_b", OptionSpec::String, "name of the second model (default B)"},
            {"top-fraction", "top_fraction", OptionSpec::Double,
             "top neurons for the layer distribution (default 0.05)"},
            {"sizes", "sizes", OptionSpec::DoubleList,
             "accuracy-curve sizes (default 0.01,0.02,0.05,0.1,0.2,0.5)"}};
    if (name == QLatin1String("selectivity"))
        return {{"case-insensitive", "case_insensitive", OptionSpec::Bool,
                 "control labels per lowercased word type (default: case-sensitive, as NeuroX)"},
                {"sample-from", "sample_from", OptionSpec::String,
                 "control label distribution: same (train label frequencies, default) or uniform"},
                {"control-seed", "seed", OptionSpec::Int,
                 "seed of the control labels (default: --seed)"},
                {"split", "split", OptionSpec::String,
                 "held-out split: auto (dev, else test; default), dev, test, or train"},
                {"neurons", "neurons", OptionSpec::DoubleList,
                 "also measure this neuron set (flat indices, comma-separated)"}};
    if (name == QLatin1String("clusters"))
        return {{"threshold", "threshold", OptionSpec::Double,
                 "distance threshold on 1 - |corr| (default 0.5; 0.3 before ranking, as the "
                 "redundancy paper)"},
                {"signed", "signed", OptionSpec::Bool, "use 1 - corr instead of 1 - |corr|"},
                {"rows", "rows", OptionSpec::Int,
                 "correlate over the first N tokens only (default all; cost is N x neurons^2)"},
                {"budget-mb", "budget_mb", OptionSpec::Double,
                 "refuse when the distance matrix needs more (default 2147 MB)"},
                {"cluster-seed", "seed", OptionSpec::Int,
                 "seed of the representative choice (default: --seed)"}};
    if (name == QLatin1String("neuron"))
        return {
            {"neuron", "neuron", OptionSpec::Int, "flat neuron index layer*dims + d (required)"},
            {"split", "split", OptionSpec::String,
             "split to profile: train (default), dev or test"},
            {"top-words", "top_words", OptionSpec::Int,
             "at most this many top words (default 20; 0 = no cap)"},
            {"threshold", "threshold", OptionSpec::Double,
             "top-word score threshold, strict (default 0.1, NeuroX)"},
            {"sentences", "sentences", OptionSpec::Int,
             "most activating sentences to list (default 10)"},
            {"sentence-score", "sentence_score", OptionSpec::String,
             "rank sentences by max (default) or max_abs activation"}};
    return {};
}

QJsonObject analysisOptionsFromParser(const QCommandLineParser &p,
                                      const std::vector<OptionSpec> &specs)
{
    QJsonObject o;
    for (const OptionSpec &s : specs) {
        const QString flag = QLatin1String(s.flag);
        if (!p.isSet(flag))
            continue;
        const QString key = QLatin1String(s.key);
        switch (s.kind) {
        case OptionSpec::Double:
            o[key] = parseDouble(p, flag, 0);
            break;
        case OptionSpec::Int:
            o[key] = double(parseInt(p, flag, 0));
            break;
        case OptionSpec::String:
            o[key] = p.value(flag);
            break;
        case OptionSpec::Bool:
            o[key] = true;
            break;
        case OptionSpec::DoubleList: {
            QJsonArray a;
            for (const QString &part : p.value(flag).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
                bool ok = false;
                const double v = part.trimmed().toDouble(&ok);
                if (!ok)
                    throw Error(QStringLiteral("--%1: '%2' is not a number").arg(flag, part));
                a.append(v);
            }
            o[key] = a;
            break;
        }
        }
    }
    return o;
}

void addProbeOptions(QCommandLineParser &p)
{
    p.addOption({QStringLiteral("l1"), QStringLiteral("lambda 1, L1 penalty (default 0)"),
                 QStringLiteral("X")});
    p.addOption({QStringLiteral("l2"),
                 QStringLiteral("lambda 2, L2 (Frobenius, not squared) penalty (default 0)"),
                 QStringLiteral("X")});
    p.addOption(
        {QStringLiteral("epochs"), QStringLiteral("epochs (default 10)"), QStringLiteral("N")});
    p.addOption({QStringLiteral("batch-size"),
                 QStringLiteral("mini-batch size (default 32; 128 and 512 are common)"),
                 QStringLiteral("N")});
    p.addOption({QStringLiteral("lr"), QStringLiteral("Adam learning rate (default 0.001)"),
                 QStringLiteral("X")});
    p.addOption(
        {QStringLiteral("seed"),
         QStringLiteral("seed for initialisation, shuffling, balancing, random sets (default 1)"),
         QStringLiteral("N")});
    p.addOption({QStringLiteral("neurox-compatible"),
                 QStringLiteral("NeuroX's procedure: unshuffled batches, no standardisation")});
    p.addOption({QStringLiteral("standardize"),
                 QStringLiteral("z-score each neuron with train statistics")});
    p.addOption({QStringLiteral("no-shuffle"), QStringLiteral("consecutive unshuffled batches")});
    p.addOption(
        {QStringLiteral("out"), QStringLiteral("output folder (created)"), QStringLiteral("DIR")});
}

ProbeOptions probeOptionsFromParser(const QCommandLineParser &p)
{
    ProbeOptions po;
    po.l1 = parseDouble(p, QStringLiteral("l1"), 0);
    po.l2 = parseDouble(p, QStringLiteral("l2"), 0);
    po.epochs = int(parseInt(p, QStringLiteral("epochs"), 10));
    po.batchSize = int(parseInt(p, QStringLiteral("batch-size"), 32));
    po.learningRate = parseDouble(p, QStringLiteral("lr"), 1e-3);
    po.seed = quint64(parseInt(p, QStringLiteral("seed"), 1));
    po.neuroxCompatible = p.isSet(QStringLiteral("neurox-compatible"));
    po.standardize = p.isSet(QStringLiteral("standardize"));
    po.shuffle = !p.isSet(QStringLiteral("no-shuffle"));
    po.validate();
    return po;
}

/// Progress on stderr, at most every 10 %.
ExperimentProgress stderrProgress(const QString &name)
{
    auto last = std::make_shared<double>(-1.0);
    return [name, last](double f, const QString &stage) {
        if (f - *last >= 0.1 || f >= 1.0) {
            *last = f;
            std::fprintf(stderr, "%s: %3.0f%% %s\n", name.toLocal8Bit().constData(), 100 * f,
                         stage.toLocal8Bit().constData());
        }
        return true;
    };
}

/// Writes one analysis's JSON and CSV files into @p outDir.
void writeAnalysisFiles(const QString &outDir, const QString &name, const AnalysisOutput &out)
{
    writeFileAtomic(outDir + QStringLiteral("/") + name + QStringLiteral(".json"),
                    QJsonDocument(out.json).toJson());
    for (const auto &[file, csv] : out.csv)
        writeFileAtomic(outDir + QStringLiteral("/") + name + QStringLiteral(".") + file, csv);
}

/// The session a command ran: inputs (with fingerprints), options, results.
Session sessionFor(const QCommandLineParser &p, const DatasetOptions &dopt, const ProbeOptions &po)
{
    Session s;
    s.dataOptions = dopt;
    s.probeOptions = po;
    if (p.isSet(QStringLiteral("demo"))) {
        s.demo = true;
        s.demoProperty = p.isSet(QStringLiteral("demo-property"))
                             ? p.value(QStringLiteral("demo-property"))
                             : QStringLiteral("pos");
        return s;
    }
    for (const char *split : {"train", "dev", "test"}) {
        const QString sp = QLatin1String(split);
        if (!p.isSet(sp + QStringLiteral("-activations")))
            continue;
        s.splits[sp] = {describeInput(p.value(sp + QStringLiteral("-activations"))),
                        describeInput(p.value(sp + QStringLiteral("-tokens"))),
                        describeInput(p.value(sp + QStringLiteral("-labels")))};
    }
    return s;
}

int cmdAnalysis(const QString &name, const QStringList &args)
{
    QCommandLineParser p;
    const QString probeHelp = QStringLiteral(
        "Defaults: l1 = l2 = 0, 10 epochs, batch 32, lr 0.001, seed 1, seeded shuffling per "
        "epoch,\n"
        "no standardisation. --neurox-compatible gives NeuroX's exact procedure (unshuffled\n"
        "consecutive batches, no standardisation). --standardize z-scores every neuron with train\n"
        "statistics: activation scales differ by layer, which biases weight-based rankings "
        "towards\n"
        "low-variance layers; it is off by default so that weights and rankings stay comparable\n"
        "with NeuroX, and recommended for cross-layer rankings.\n\n"
        "Writes DIR/NAME.json (+ CSV tables) and DIR/session.json, which `salient-cli run`\n"
        "replays. Keys: docs/cli.md.");
    if (name == QLatin1String("probe"))
        p.setApplicationDescription(
            QStringLiteral(
                "Train a linear probe (Algorithm 1: logistic regression with NeuroX's elastic net\n"
                "mean CE + l1*sum|W| + l2*||W||_F, Adam), evaluate it on every split given, rank "
                "neurons\n"
                "(Algorithm 3); also writes DIR/results.json and DIR/probe.hdf5.\n\n")
            + probeHelp);
    else
        p.setApplicationDescription(QStringLiteral("Run the '%1' analysis.\n\n").arg(name)
                                    + probeHelp);
    p.addHelpOption();
    addDataOptions(p);
    addProbeOptions(p);
    const std::vector<OptionSpec> specs = analysisOptionSpecs(name);
    for (const OptionSpec &s : specs) {
        if (s.kind == OptionSpec::Bool)
            p.addOption({QLatin1String(s.flag), QLatin1String(s.help)});
        else
            p.addOption({QLatin1String(s.flag), QLatin1String(s.help), QStringLiteral("VALUE")});
    }
    p.process(args);
    if (!p.positionalArguments().isEmpty())
        throw Error(QStringLiteral("%1: unexpected argument '%2'")
                        .arg(name, p.positionalArguments().first()));
    if (!p.isSet(QStringLiteral("out")))
        throw Error(QStringLiteral("%1: --out DIR is required").arg(name));
    setComputeThreads(int(parseInt(p, QStringLiteral("threads"), 0)));
    ProbeOptions po = probeOptionsFromParser(p);
    QJsonObject analysisOptions = analysisOptionsFromParser(p, specs);
    if (name == QLatin1String("properties")) {
        QJsonArray props;
        for (const QString &v : p.values(QStringLiteral("property"))) {
            const qsizetype eq = v.indexOf(QLatin1Char('='));
            const QStringList files = v.mid(eq + 1).split(QLatin1Char(','));
            if (eq <= 0 || files.value(0).isEmpty() || files.size() > 2)
                throw Error(
                    QStringLiteral("--property: '%1' (expected NAME=TRAIN_LABELS[,DEV_LABELS])")
                        .arg(v));
            QJsonObject o;
            o[QStringLiteral("name")] = v.left(eq);
            o[QStringLiteral("train")] = QFileInfo(files[0]).absoluteFilePath();
            if (files.size() == 2)
                o[QStringLiteral("dev")] = QFileInfo(files[1]).absoluteFilePath();
            props.append(o);
        }
        analysisOptions.remove(QStringLiteral("property"));
        if (!props.isEmpty())
            analysisOptions[QStringLiteral("properties")] = props;
        if (analysisOptions.contains(QStringLiteral("demo_properties")))
            analysisOptions[QStringLiteral("demo_properties")] =
                QJsonArray::fromStringList(analysisOptions.value(QStringLiteral("demo_properties"))
                                               .toString()
                                               .split(QLatin1Char(',')));
    }
    if (name == QLatin1String("compare")) {
        QJsonObject other;
        for (const char *split : {"train", "dev", "test"}) {
            const QString key = QStringLiteral("other_") + QLatin1String(split);
            if (analysisOptions.contains(key))
                other[QLatin1String(split)] =
                    QFileInfo(analysisOptions.take(key).toString()).absoluteFilePath();
        }
        if (!other.isEmpty())
            analysisOptions[QStringLiteral("other")] = other;
    }
    const QString outDir = p.value(QStringLiteral("out"));
    requireOutputFolder(outDir);

    DatasetOptions dopt;
    LoadedTask task = loadFromOptions(p, dopt);
    po.regression = dopt.task == TaskType::Regression;
    for (const QString &w : task.warnings())
        err(QStringLiteral("warning: ") + w);
    err(QStringLiteral("loaded %1 train tokens × %2 neurons (%3 MB) in %4 s; %5")
            .arg(task.train->rows())
            .arg(task.train->neurons())
            .arg(matrixBytes(task.train->rows(), task.train->neurons()) / 1e6, 0, 'f', 1)
            .arg(task.loadSeconds, 0, 'f', 2)
            .arg(blasDescription()));

    Session session = sessionFor(p, dopt, po);
    std::future<void> hashing = hashInputsInBackground(session); // full SHA-256 while we compute
    session.analyses = {name};
    session.analysisOptions[name] = analysisOptions;
    session.analysisProbeOptions[name] = po; // what `run` replays this analysis with
    AnalysisContext ctx;
    ctx.task = &task;
    ctx.probe = po;
    ctx.session = &session;
    ctx.progress = stderrProgress(name);
    const AnalysisOutput out = runAnalysis(name, analysisOptions, ctx);
    if (out.status == Status::Cancelled)
        return 3;
    if (out.status != Status::Ok)
        throw Error(QStringLiteral("%1 failed (training diverged?)").arg(name));
    writeAnalysisFiles(outDir, name, out);
    session.results[name] = out.json;
    hashing.get();
    saveSession(outDir + QStringLiteral("/session.json"), session);
    if (name == QLatin1String("probe")) {
        // The foundation's contract: results.json and probe.hdf5.
        writeFileAtomic(outDir + QStringLiteral("/results.json"), QJsonDocument(out.json).toJson());
        Probe saved;
        saved.regression = po.regression;
        saved.W = session.arrays.at(QStringLiteral("probe/W"));
        saved.b = session.arrays.at(QStringLiteral("probe/b")).row(0).transpose();
        saved.labels = task.vocab.names;
        for (int c = 0; c < task.train->neurons(); ++c)
            saved.columns.push_back(flatNeuron(*task.train, c));
        saveProbe(outDir + QStringLiteral("/probe.hdf5"), saved,
                  QJsonDocument(toJson(po)).toJson(QJsonDocument::Compact));
        if (task.dev)
            err(QStringLiteral("dev accuracy %1")
                    .arg(out.json[QStringLiteral("dev")]
                             .toObject()[QStringLiteral("accuracy")]
                             .toDouble(),
                         0, 'f', 4));
    }
    err(QStringLiteral("wrote %1/%2.json and session.json").arg(outDir, name));
    return 0;
}

/// Called after analysis @p index of the session ran, before its files are written and its
/// result stored; may amend the result JSON and the session (e.g. the probe options of the
/// analyses after it).
using AfterAnalysis = std::function<void(Session &session, qsizetype index, AnalysisOutput &out)>;

/// Runs the session's analyses in order on @p task, each with the probe options the session
/// records for it (Session::probeOptionsFor, regression from the data options), writing each
/// one's files into @p outDir, its results and the options it ran with into the session; prints
/// the wall time of each. Returns an exit code.
int runSessionAnalyses(Session &session, const LoadedTask &task, const QString &outDir,
                       const AfterAnalysis &after = {})
{
    AnalysisContext ctx;
    ctx.task = &task;
    ctx.session = &session;
    QJsonObject timing;
    QElapsedTimer total;
    total.start();
    for (qsizetype i = 0; i < session.analyses.size(); ++i) {
        const QString name = session.analyses[i];
        // Fresh per analysis: nothing an earlier analysis did to the context carries over.
        ProbeOptions po = session.probeOptionsFor(name);
        po.regression = session.dataOptions.task == TaskType::Regression;
        po.validate();
        ctx.probe = po;
        ctx.progress = stderrProgress(name);
        QElapsedTimer t;
        t.start();
        AnalysisOutput out = runAnalysis(name, session.analysisOptions.value(name).toObject(), ctx);
        if (out.status == Status::Cancelled)
            return 3;
        if (out.status != Status::Ok)
            throw Error(QStringLiteral("%1 failed (training diverged?)").arg(name));
        session.analysisProbeOptions[name] = po;
        if (after)
            after(session, i, out);
        writeAnalysisFiles(outDir, name, out);
        session.results[name] = out.json;
        timing[name] = double(t.nsecsElapsed()) * 1e-9;
        err(QStringLiteral("%1 done in %2 s").arg(name).arg(timing[name].toDouble(), 0, 'f', 1));
    }
    timing[QStringLiteral("total")] = double(total.nsecsElapsed()) * 1e-9;
    timing[QStringLiteral("load")] = task.loadSeconds;
    writeFileAtomic(outDir + QStringLiteral("/timing.json"), QJsonDocument(timing).toJson());
    return 0;
}

/**
 * The pipeline's explicit step after grid-search (Algorithm 2): its winning λ1, λ2 (result keys
 * "best_l1", "best_l2") become the probe options of every analysis after it, recorded per
 * analysis in the session and as the session's probeOptions, so that `run` replays them without
 * applying anything. Adds "applied_to" (those analyses) to the grid result and says so on
 * stderr. Without a winner nothing changes and "applied_to" is empty.
 */
void applyGridSearchWinner(Session &session, qsizetype gridIndex, AnalysisOutput &grid)
{
    const QStringList later = session.analyses.mid(gridIndex + 1);
    const QJsonValue l1 = grid.json.value(QStringLiteral("best_l1"));
    const QJsonValue l2 = grid.json.value(QStringLiteral("best_l2"));
    if (!l1.isDouble() || !l2.isDouble()) {
        grid.json[QStringLiteral("applied_to")] = QJsonArray();
        err(QStringLiteral("grid-search found no winner; later analyses keep their λ"));
        return;
    }
    for (const QString &name : later) {
        ProbeOptions po = session.probeOptionsFor(name);
        po.l1 = l1.toDouble();
        po.l2 = l2.toDouble();
        session.analysisProbeOptions[name] = po;
    }
    session.probeOptions.l1 = l1.toDouble();
    session.probeOptions.l2 = l2.toDouble();
    grid.json[QStringLiteral("applied_to")] = QJsonArray::fromStringList(later);
    err(QStringLiteral("applying the grid-search winner λ1=%1, λ2=%2 to: %3")
            .arg(l1.toDouble())
            .arg(l2.toDouble())
            .arg(later.isEmpty() ? QStringLiteral("(no later analyses)")
                                 : later.join(QStringLiteral(", "))));
}

int cmdRun(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Run every analysis a session lists, from its recorded inputs and options, and save the\n"
        "results into the session (atomically) and as JSON/CSV files beside it (or in --out DIR).\n"
        "Refuses to run when an input file changed since the session was written, unless\n"
        "--allow-changed-inputs."));
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("SESSION"), QStringLiteral("session file (.json)"));
    p.addOption({QStringLiteral("out"),
                 QStringLiteral("write the session and result files here instead"),
                 QStringLiteral("DIR")});
    p.addOption({QStringLiteral("allow-changed-inputs"),
                 QStringLiteral("run even if input files changed")});
    p.addOption({QStringLiteral("threads"), QStringLiteral("compute threads (default: all cores)"),
                 QStringLiteral("N")});
    p.process(args);
    if (p.positionalArguments().size() != 1)
        throw Error(QStringLiteral("run: expected exactly one SESSION file"));
    setComputeThreads(int(parseInt(p, QStringLiteral("threads"), 0)));
    const QString path = p.positionalArguments().first();
    SessionCheck check;
    Session session = loadSession(path, &check);
    if (!check.ok()) {
        for (const QString &c : check.changedInputs)
            err(QStringLiteral("input changed: ") + c);
        if (!p.isSet(QStringLiteral("allow-changed-inputs")))
            throw Error(
                QStringLiteral("%1: inputs changed since the session was saved (see above); "
                               "use --allow-changed-inputs to run anyway")
                    .arg(path));
    }
    if (session.analyses.isEmpty())
        throw Error(QStringLiteral("%1: the session lists no analyses").arg(path));
    const QString outDir = p.isSet(QStringLiteral("out")) ? p.value(QStringLiteral("out"))
                                                          : QFileInfo(path).absolutePath();
    requireOutputFolder(outDir);
    const LoadedTask task = loadSessionData(session);
    const int rc = runSessionAnalyses(session, task, outDir);
    if (rc != 0)
        return rc;
    const QString sessionOut =
        p.isSet(QStringLiteral("out")) ? outDir + QStringLiteral("/session.json") : path;
    saveSession(sessionOut, session);
    err(QStringLiteral("ran %1; wrote %2")
            .arg(session.analyses.join(QStringLiteral(", ")), sessionOut));
    return 0;
}

int cmdPipeline(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Run the paper's whole analysis on one task with default options: grid-search, probe,\n"
        "minimal-subset, ablation, selectivity (full probe and minimal set), layerwise. After\n"
        "grid-search its winning lambdas are applied to every later analysis (said on stderr,\n"
        "listed in grid-search.json \"applied_to\" and recorded per analysis in the session).\n"
        "Writes every NAME.json/CSV, timing.json and DIR/session.json (`salient-cli run` replays\n"
        "it with the recorded options). Use --analyses to choose a subset."));
    p.addHelpOption();
    addDataOptions(p);
    addProbeOptions(p);
    p.addOption({QStringLiteral("analyses"),
                 QStringLiteral("comma-separated analyses (default: %1)")
                     .arg(paperPipeline().join(QLatin1Char(','))),
                 QStringLiteral("LIST")});
    p.process(args);
    if (!p.isSet(QStringLiteral("out")))
        throw Error(QStringLiteral("pipeline: --out DIR is required"));
    setComputeThreads(int(parseInt(p, QStringLiteral("threads"), 0)));
    ProbeOptions po = probeOptionsFromParser(p);
    QStringList analyses = paperPipeline();
    if (p.isSet(QStringLiteral("analyses")))
        analyses = p.value(QStringLiteral("analyses")).split(QLatin1Char(','), Qt::SkipEmptyParts);
    for (const QString &a : analyses) {
        if (!analysisNames().contains(a))
            throw Error(QStringLiteral("--analyses: unknown analysis '%1' (known: %2)")
                            .arg(a, analysisNames().join(QStringLiteral(", "))));
        // Results and recorded options are per name: a second run of a name would replace them.
        if (analyses.count(a) > 1)
            throw Error(QStringLiteral("--analyses: '%1' is listed twice").arg(a));
    }
    const QString outDir = p.value(QStringLiteral("out"));
    requireOutputFolder(outDir);
    DatasetOptions dopt;
    const LoadedTask task = loadFromOptions(p, dopt);
    po.regression = dopt.task == TaskType::Regression;
    Session session = sessionFor(p, dopt, po);
    std::future<void> hashing = hashInputsInBackground(session);
    session.analyses = analyses;
    const int rc = runSessionAnalyses(session, task, outDir,
                                      [](Session &s, qsizetype index, AnalysisOutput &out) {
                                          if (s.analyses[index] == QLatin1String("grid-search"))
                                              applyGridSearchWinner(s, index, out);
                                      });
    hashing.get();
    if (rc != 0)
        return rc;
    saveSession(outDir + QStringLiteral("/session.json"), session);
    err(QStringLiteral("wrote %1/session.json").arg(outDir));
    return 0;
}

void usage()
{
    err(QStringLiteral(
        "salient-cli " SALIENT_VERSION " — Linguistic Correlation Analysis, headless\n\n"
        "usage: salient-cli COMMAND [options]     (salient-cli COMMAND --help for details)\n\n"
        "commands:\n"
        "  inspect FILE   print an activation file's metadata as JSON\n"
        "  probe          train a probe, evaluate, rank neurons; write results.json + probe.hdf5\n"
        "  grid-search    lambda1 x lambda2 grid scored by ablation (Algorithm 2)\n"
        "  minimal-subset smallest top-n neuron set within delta of the oracle (Algorithm 4)\n"
        "  ablation       keep top/random/bottom neurons: masking and retraining curves\n"
        "  layerwise      one probe per layer, incremental probes, LayerSelector\n"
        "  selectivity    control task (Hewitt & Liang) and selectivity of the full probe (and "
        "minimal set)\n"
        "  clusters       correlation clustering of neurons (redundancy), one representative each\n"
        "  neuron         a neuron's profile: top words (z-score), per-label means, top sentences\n"
        "  properties     several properties of the same sentences: overlap of their top neurons\n"
        "  compare        two models (activation sets) on one task: overlap, layer shift, curves\n"
        "  pipeline       the paper's whole analysis (grid search ... layerwise) in one run\n"
        "  run SESSION    run every analysis a session lists (salient-cli run DIR/session.json)\n"
        "  demo           write the built-in synthetic demo dataset as NeuroX files\n\n"
        "global: --version, --help. Exit codes: 0 ok, 2 bad input, 1 failure, 3 cancelled."));
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("salient-cli"));
    QCoreApplication::setApplicationVersion(QStringLiteral(SALIENT_VERSION));
    QStringList args = app.arguments();
    if (args.size() < 2 || args[1] == QLatin1String("--help") || args[1] == QLatin1String("-h")) {
        usage();
        return args.size() < 2 ? 2 : 0;
    }
    if (args[1] == QLatin1String("--version") || args[1] == QLatin1String("-v")) {
        std::printf("salient-cli %s\n", SALIENT_VERSION);
        return 0;
    }
    const QString cmd = args[1];
    args.removeAt(1); // QCommandLineParser sees "salient-cli [options]"
    args[0] = QStringLiteral("salient-cli ") + cmd;
    try {
        if (cmd == QLatin1String("inspect"))
            return cmdInspect(args);
        if (cmd == QLatin1String("run"))
            return cmdRun(args);
        if (cmd == QLatin1String("pipeline"))
            return cmdPipeline(args);
        if (analysisNames().contains(cmd))
            return cmdAnalysis(cmd, args);
        if (cmd == QLatin1String("demo"))
            return cmdDemo(args);
        err(QStringLiteral("salient-cli: unknown command '%1'").arg(cmd));
        usage();
        return 2;
    } catch (const Error &e) {
        err(QStringLiteral("error: ") + e.message());
        return 2;
    } catch (const std::bad_alloc &) {
        err(QStringLiteral("error: out of memory"));
        return 1;
    } catch (const std::exception &e) {
        err(QStringLiteral("internal error: ") + QString::fromLocal8Bit(e.what()));
        return 1;
    }
}
