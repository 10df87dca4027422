// salient-cli: the command-line options the subcommands share (data, probe and per-analysis
// options), their parsing and validation. See cli_p.h.
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

#include "cli_p.h"

using namespace salient;

namespace cli {

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

/// Options of each analysis subcommand (defaults are documented in docs/cli.md and the core
/// headers).
std::vector<OptionSpec> analysisOptionSpecs(const QString &name)
{
    if (name == QLatin1String("probe"))
        return {{"search-stride", "search_stride", OptionSpec::Int,
                 "ranking search stride S (default 100)"},
                {"seeds", "seeds", OptionSpec::Int,
                 "train N probes (seeds --seed .. --seed+N-1): accuracy mean ± sd, top-k "
                 "stability, standardised vs raw ranking (default 1)"}};
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

} // namespace cli
