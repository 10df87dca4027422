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
#include <QRegularExpression>
#include <QTemporaryFile>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <future>
#include <limits>

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
    return parseIndexList(text, QStringLiteral("--") + option);
}

bool Bounds::contains(double v) const
{
    if (std::isnan(v))
        return false;
    return (openMin ? v > min : v >= min) && (openMax ? v < max : v <= max);
}

QString Bounds::text() const
{
    const double big = std::numeric_limits<double>::max();
    const auto num = [](double v) { return QString::number(v, 'g', 16); };
    const QString low = min <= -big
                            ? QString()
                            : (openMin ? QStringLiteral("> ") : QStringLiteral(">= ")) + num(min);
    const QString high = max >= big
                             ? QString()
                             : (openMax ? QStringLiteral("< ") : QStringLiteral("<= ")) + num(max);
    if (!openMin && !openMax && !low.isEmpty() && !high.isEmpty())
        return num(min) + QStringLiteral("..") + num(max);
    if (low.isEmpty() && high.isEmpty())
        return QStringLiteral("any finite number");
    if (low.isEmpty() || high.isEmpty())
        return low + high;
    return low + QStringLiteral(" and ") + high;
}

namespace {

[[noreturn]] void outOfRange(const QString &name, const QString &value, const QString &what,
                             const QString &allowed)
{
    throw Error(QStringLiteral("--%1: '%2' is %3 (allowed: %4)").arg(name, value, what, allowed));
}

} // namespace

double parseDouble(const QCommandLineParser &p, const QString &name, double fallback,
                   const Bounds &bounds)
{
    if (!p.isSet(name))
        return fallback;
    bool ok = false;
    const double v = p.value(name).trimmed().toDouble(&ok);
    if (!ok || !std::isfinite(v))
        outOfRange(name, p.value(name), QStringLiteral("not a number"), bounds.text());
    if (!bounds.contains(v))
        outOfRange(name, p.value(name), QStringLiteral("out of range"), bounds.text());
    return v;
}

long long parseInt(const QCommandLineParser &p, const QString &name, long long fallback,
                   long long min, long long max)
{
    if (!p.isSet(name))
        return fallback;
    const QString allowed = QStringLiteral("%1..%2").arg(min).arg(max);
    bool ok = false;
    const long long v = p.value(name).trimmed().toLongLong(&ok);
    if (!ok) {
        // A whole number too large for 64 bits is out of range, not malformed.
        static const QRegularExpression digits(QStringLiteral("^\\s*[-+]?[0-9]+\\s*$"));
        outOfRange(name, p.value(name),
                   digits.match(p.value(name)).hasMatch() ? QStringLiteral("out of range")
                                                          : QStringLiteral("not an integer"),
                   allowed);
    }
    if (v < min || v > max)
        outOfRange(name, p.value(name), QStringLiteral("out of range"), allowed);
    return v;
}

quint64 parseSeed(const QCommandLineParser &p, const QString &name, quint64 fallback)
{
    if (!p.isSet(name))
        return fallback;
    const QString allowed = QStringLiteral("0..%1").arg(std::numeric_limits<quint64>::max());
    const QString text = p.value(name).trimmed();
    static const QRegularExpression digits(QStringLiteral("^[-+]?[0-9]+$"));
    bool ok = false;
    const quint64 v = text.startsWith(QLatin1Char('-')) ? 0 : text.toULongLong(&ok);
    if (!ok)
        outOfRange(name, p.value(name),
                   digits.match(text).hasMatch() ? QStringLiteral("out of range")
                                                 : QStringLiteral("not an integer"),
                   allowed);
    return v;
}

std::optional<quint64> memoryBudgetFromParser(const QCommandLineParser &p)
{
    const QString name = QStringLiteral("memory-budget");
    if (!p.isSet(name))
        return std::nullopt;
    try {
        return parseByteSize(p.value(name));
    } catch (const Error &e) {
        throw Error(
            QStringLiteral("--%1: %2 (allowed: 1 byte to 1e18 bytes)").arg(name, e.message()));
    }
}

void parseCommandLine(QCommandLineParser &p, const QStringList &args, const QString &command)
{
    // Our own help options: Qt's addHelpOption() adds --help-all, which lists Qt's internal
    // options (--qmljsdebugger) that salient-cli does not take.
    p.addOption({{QStringLiteral("h"), QStringLiteral("help")},
                 QStringLiteral("Displays help on commandline options.")});
    QCommandLineOption helpAll(QStringLiteral("help-all"));
    helpAll.setFlags(QCommandLineOption::HiddenFromHelp);
    p.addOption(helpAll);
    QCommandLineOption version(QStringLiteral("version"));
    version.setFlags(QCommandLineOption::HiddenFromHelp);
    p.addOption(version);
    if (!p.parse(args))
        throw Error(QStringLiteral("%1: %2 (salient-cli %1 --help lists the options)")
                        .arg(command, p.errorText()));
    if (p.isSet(QStringLiteral("help")) || p.isSet(helpAll)) {
        QString text = p.helpText();
        // Qt names the executable only; the usage line names the subcommand.
        const qsizetype options = text.indexOf(QStringLiteral(" [options]"));
        const qsizetype eol = text.indexOf(QLatin1Char('\n'));
        if (text.startsWith(QStringLiteral("Usage: ")) && options > 0 && options < eol)
            text = QStringLiteral("Usage: salient-cli ") + command + text.mid(options);
        std::fputs(text.toLocal8Bit().constData(), stdout);
        std::fflush(stdout);
        std::exit(0);
    }
    if (p.isSet(version)) {
        std::printf("salient-cli %s\n", SALIENT_VERSION);
        std::fflush(stdout);
        std::exit(0);
    }
}

void requirePositionals(const QCommandLineParser &p, const QString &command, qsizetype min,
                        qsizetype max, const QString &what)
{
    const QStringList pos = p.positionalArguments();
    if (pos.size() > max)
        throw Error(QStringLiteral("%1: unexpected argument '%2'%3")
                        .arg(command, pos.value(max),
                             max == 0 ? QString()
                                      : QStringLiteral(" (expected exactly one %1)").arg(what)));
    if (pos.size() < min)
        throw Error(QStringLiteral("%1: expected exactly one %2").arg(command, what));
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
    p.addOption(
        {QStringLiteral("max-mismatches"),
         QStringLiteral("abort when this many lines mismatch (default 100, as NeuroX; 0 = no "
                        "limit)"),
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

namespace {

/// Says on stderr what was loaded: the train split's size (what the probes train on) and the
/// storage plan, which covers every split loaded (named, so the two sizes are not confused).
void reportLoaded(const LoadedTask &task)
{
    QStringList splits{QStringLiteral("train")};
    if (task.dev)
        splits << QStringLiteral("dev");
    if (task.test)
        splits << QStringLiteral("test");
    err(QStringLiteral("loaded train split: %1 tokens × %2 neurons (%3 MB as float32) in %4 s; %5")
            .arg(task.train->rows())
            .arg(task.train->neurons())
            .arg(matrixBytes(task.train->rows(), task.train->neurons()) / 1e6, 0, 'f', 1)
            .arg(task.loadSeconds, 0, 'f', 2)
            .arg(blasDescription()));
    err(QStringLiteral("storage of all loaded splits (%1): %2")
            .arg(splits.join(QStringLiteral(", ")), task.storage.summary()));
}

} // namespace

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
    dopt.maxMismatches = int(parseInt(p, QStringLiteral("max-mismatches"), 100, 0, kMaxIntOption));
    dopt.unseenLabelFallback = p.value(QStringLiteral("unseen-label"));
    dopt.seed = parseSeed(p, QStringLiteral("seed"), 1);
    const std::optional<quint64> budget = memoryBudgetFromParser(p); // before loading, also demo
    dopt.storage = p.isSet(QStringLiteral("storage"))
                       ? parseStorageMode(p.value(QStringLiteral("storage")))
                       : StorageMode::Auto;
    if (p.isSet(QStringLiteral("demo"))) {
        const QString prop = p.isSet(QStringLiteral("demo-property"))
                                 ? p.value(QStringLiteral("demo-property"))
                                 : QStringLiteral("pos");
        LoadedTask demo = loadDemoTask(makeDemoDataset(), prop, dopt);
        reportLoaded(demo);
        if (budget)
            err(QStringLiteral("note: --memory-budget does not apply to the built-in demo (it is "
                               "always held in memory as float32)"));
        return demo;
    }
    TaskInputs in;
    in.options = dopt;
    if (budget)
        in.memoryBudget = *budget;
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
    reportLoaded(loaded);
    return loaded;
}

/// Options of each analysis subcommand (defaults are documented in docs/cli.md and the core
/// headers).
std::vector<OptionSpec> analysisOptionSpecs(const QString &name)
{
    // The allowed values of every analysis option are here (Bounds), next to the option.
    const double big = std::numeric_limits<double>::max();
    const Bounds stride{1, 1000000};
    const Bounds fraction{0, 1, true};         // (0, 1]
    const Bounds percent{0, 100, false, true}; // [0, 100)
    const Bounds nonNegative{0, big};          // finite, >= 0
    const Bounds sizes{0, 1e9, true};          // fractions <= 1 or neuron counts
    const Bounds rows{0, double(1LL << 53)};   // tokens; 0 = all
    const Bounds gaussianK{1, 100000};
    const Bounds count{0, double(kMaxIntOption)};
    if (name == QLatin1String("probe"))
        return {{"search-stride", "search_stride", OptionSpec::Int,
                 "ranking search stride S (default 100)", stride},
                {"seeds", "seeds", OptionSpec::Int,
                 "train N probes (seeds --seed .. --seed+N-1): accuracy mean ± sd, top-k "
                 "stability, standardised vs raw ranking (default 1)",
                 Bounds{1, 1000}}};
    if (name == QLatin1String("grid-search"))
        return {{"l1-values", "l1_values", OptionSpec::DoubleList,
                 "lambda 1 grid (default 0,1e-5,1e-4,1e-3,1e-2,1e-1)", nonNegative},
                {"l2-values", "l2_values", OptionSpec::DoubleList,
                 "lambda 2 grid (default 0,1e-5,1e-4,1e-3,1e-2,1e-1)", nonNegative},
                {"keep-fraction", "keep_fraction", OptionSpec::Double,
                 "M: fraction of neurons kept by the top/random/bottom masks (default 0.2)",
                 fraction},
                {"alpha", "alpha", OptionSpec::Double, "weight of the full accuracy (default 0.5)",
                 nonNegative},
                {"beta", "beta", OptionSpec::Double,
                 "weight of the ablation difference (default 0.5)", nonNegative},
                {"score", "score", OptionSpec::String, "top-random (default), top-bottom or both"},
                {"search-stride", "search_stride", OptionSpec::Int,
                 "ranking search stride (default 100)", stride},
                {"random-seed", "random_seed", OptionSpec::Seed,
                 "seed of the random mask (default: --seed)"},
                {"selection", "selection", OptionSpec::String,
                 "winner rule: guarded (default; best score among cells within the accuracy "
                 "tolerance of the most accurate cell) or paper (best score over all cells)"},
                {"accuracy-tolerance", "accuracy_tolerance", OptionSpec::Double,
                 "guarded rule's tolerance in accuracy points (default 1)", Bounds{0, 100}}};
    if (name == QLatin1String("minimal-subset"))
        return {
            {"delta", "delta", OptionSpec::Double,
             "delta in percent of the oracle's dev accuracy (default 1)", percent},
            {"search-stride", "search_stride", OptionSpec::Int,
             "ranking search stride (default 1000)", stride},
            {"seeds", "seeds", OptionSpec::Int,
             "independent searches (default 1), each with its own oracle (seed + s); the size "
             "is reported as median and range",
             Bounds{1, 1000}},
            {"preset", "preset", OptionSpec::String,
             "candidate fractions: max_features (default) or pipeline_all"},
            {"fractions", "fractions", OptionSpec::DoubleList,
             "candidate fractions of the neurons (overrides the preset)", fraction},
            {"prefilter-threshold", "prefilter_threshold", OptionSpec::Double,
             "rank only one representative per correlation cluster (e.g. 0.3, redundancy paper)",
             Bounds{0, 1}},
            {"prefilter-rows", "prefilter_rows", OptionSpec::Int,
             "tokens used for the pre-filter's correlations (default 20000)", Bounds{1, rows.max}},
            {"ranker", "ranker", OptionSpec::String,
             "ranking: probe (weight mass, default), probeless, average_precision, gaussian"},
            {"positive-label", "positive_label", OptionSpec::String,
             "label scored against the rest by the average_precision ranker"},
            {"gaussian-k", "gaussian_k", OptionSpec::Int,
             "neurons the gaussian ranker selects greedily (default min(neurons, 50))", gaussianK}};
    if (name == QLatin1String("ablation"))
        return {{"sizes", "sizes", OptionSpec::DoubleList,
                 "fractions (all <= 1) or counts (default 0.01,0.02,0.05,0.1,0.2,0.5)", sizes},
                {"seeds", "seeds", OptionSpec::Int,
                 "repetitions (default 3): repetition s trains its own oracle with seed + s, "
                 "takes top/bottom from its ordering and draws random set s; curves show "
                 "mean ± sd",
                 Bounds{1, 1000}},
                {"mode", "mode", OptionSpec::String, "both (default), masking or retraining"},
                {"ranker", "ranker", OptionSpec::String,
                 "ranking: probe (weight mass, default), probeless, average_precision, gaussian"},
                {"positive-label", "positive_label", OptionSpec::String,
                 "label scored against the rest by the average_precision ranker"},
                {"gaussian-k", "gaussian_k", OptionSpec::Int,
                 "neurons the gaussian ranker selects greedily (default min(neurons, 50))",
                 gaussianK},
                {"search-stride", "search_stride", OptionSpec::Int,
                 "ranking search stride (default 100)", stride}};
    if (name == QLatin1String("layerwise"))
        return {{"delta", "delta", OptionSpec::Double, "LayerSelector delta in percent (default 1)",
                 percent},
                {"seeds", "seeds", OptionSpec::Int,
                 "train every layer's probe N times, probe seed + s (default 1); the best layer "
                 "is chosen on the mean",
                 Bounds{1, 1000}}};
    if (name == QLatin1String("properties"))
        return {
            {"property", "property", OptionSpec::String,
             "another property of the same sentences: NAME=TRAIN_LABELS[,DEV_LABELS] (repeatable)"},
            {"demo-properties", "demo_properties", OptionSpec::String,
             "with --demo: other demo properties, e.g. suffix"},
            {"task-name", "task_name", OptionSpec::String,
             "name of the main task's property (default task)"},
            {"top-fraction", "top_fraction", OptionSpec::Double,
             "top neurons compared per property, as a fraction (default 0.05)", fraction}};
    if (name == QLatin1String("compare"))
        return {
            {"other-train-activations", "other_train", OptionSpec::String,
             "the second model's train activations (same sentences)"},
            {"other-dev-activations", "other_dev", OptionSpec::String,
             "the second model's dev activations"},
            {"other-test-activations", "other_test", OptionSpec::String,
             "the second model's test activations"},
            {"other-demo-seed", "other_demo_seed", OptionSpec::Seed,
             "with --demo: the second model is the demo with this seed (default demo seed + 1)"},
            {"name-a", "name_a", OptionSpec::String, "name of the first model (default A)"},
            {"name-b", "name_b", OptionSpec::String, "name of the second model (default B)"},
            {"top-fraction", "top_fraction", OptionSpec::Double,
             "top neurons for the layer distribution (default 0.05)", fraction},
            {"sizes", "sizes", OptionSpec::DoubleList,
             "accuracy-curve sizes (default 0.01,0.02,0.05,0.1,0.2,0.5)", sizes}};
    if (name == QLatin1String("selectivity"))
        return {{"case-insensitive", "case_insensitive", OptionSpec::Bool,
                 "control labels per lowercased word type (default: case-sensitive, as NeuroX)"},
                {"sample-from", "sample_from", OptionSpec::String,
                 "control label distribution: same (train label frequencies, default) or uniform"},
                {"control-seed", "seed", OptionSpec::Seed,
                 "seed of the control labels (default: --seed)"},
                {"split", "split", OptionSpec::String,
                 "held-out split: auto (dev, else test; default), dev, test, or train"},
                {"neurons", "neurons", OptionSpec::IntList,
                 "also measure this neuron set (flat indices, comma-separated)", count},
                {"seeds", "seeds", OptionSpec::Int,
                 "N control tasks (control seed + s) and probe seeds (seed + s) (default 1)",
                 Bounds{1, 1000}}};
    if (name == QLatin1String("clusters"))
        return {
            {"threshold", "threshold", OptionSpec::Double,
             "distance threshold on 1 - |corr| (default 0.5; 0.3 before ranking, as the "
             "redundancy paper)",
             Bounds{0, 2}},
            {"signed", "signed", OptionSpec::Bool, "use 1 - corr instead of 1 - |corr|"},
            {"rows", "rows", OptionSpec::Int,
             "correlate over the first N tokens only (default all; cost is N x neurons^2)", rows},
            {"budget-mb", "budget_mb", OptionSpec::Double,
             "refuse when the distance matrix needs more (default 2147 MB)", Bounds{0, 1e12, true}},
            {"cluster-seed", "seed", OptionSpec::Seed,
             "seed of the representative choice (default: --seed)"}};
    if (name == QLatin1String("neuron"))
        return {{"neuron", "neuron", OptionSpec::Int, "flat neuron index layer*dims + d (required)",
                 count},
                {"split", "split", OptionSpec::String,
                 "split to profile: train (default), dev or test"},
                {"top-words", "top_words", OptionSpec::Int,
                 "at most this many top words (default 20; 0 = no cap)", count},
                {"threshold", "threshold", OptionSpec::Double,
                 "top-word score threshold, strict (default 0.1, NeuroX)"},
                {"min-count", "min_count", OptionSpec::Int,
                 "top words: leave out word types seen fewer times (default 3; 1 = NeuroX)",
                 Bounds{1, double(kMaxIntOption)}},
                {"sentences", "sentences", OptionSpec::Int,
                 "most activating sentences to list (default 10)", count},
                {"negative-sentences", "negative_sentences", OptionSpec::Int,
                 "most negative sentences (lowest minimum activation) to list (default: "
                 "--sentences; 0 = none)",
                 Bounds{0, double(kMaxIntOption)}},
                {"sentence-score", "sentence_score", OptionSpec::String,
                 "rank sentences by max (default) or max_abs activation"}};
    return {};
}

void addAnalysisOptions(QCommandLineParser &p, const std::vector<OptionSpec> &specs,
                        const std::function<QString(const OptionSpec &)> &flagOf)
{
    for (const OptionSpec &s : specs) {
        const QString flag = flagOf ? flagOf(s) : QString::fromLatin1(s.flag);
        QString help = QLatin1String(s.help);
        if (s.kind == OptionSpec::Int || s.kind == OptionSpec::Double)
            help += QStringLiteral("; allowed: ") + s.bounds.text();
        else if (s.kind == OptionSpec::DoubleList || s.kind == OptionSpec::IntList)
            help += QStringLiteral("; each: ") + s.bounds.text();
        if (s.kind == OptionSpec::Bool)
            p.addOption({flag, help});
        else
            p.addOption({flag, help, QStringLiteral("VALUE")});
    }
}

QJsonObject analysisOptionsFromParser(const QCommandLineParser &p, const QString &name,
                                      const std::vector<OptionSpec> &specs,
                                      const std::function<QString(const OptionSpec &)> &flagOf)
{
    QJsonObject o;
    QString propertyFlag = QStringLiteral("property");
    for (const OptionSpec &s : specs) {
        const QString flag = flagOf ? flagOf(s) : QString::fromLatin1(s.flag);
        if (QLatin1String(s.key) == QLatin1String("property"))
            propertyFlag = flag;
        if (!p.isSet(flag))
            continue;
        const QString key = QLatin1String(s.key);
        switch (s.kind) {
        case OptionSpec::Double:
            o[key] = parseDouble(p, flag, 0, s.bounds);
            break;
        case OptionSpec::Int:
            o[key] = double(parseInt(p, flag, 0, (long long)s.bounds.min, (long long)s.bounds.max));
            break;
        case OptionSpec::Seed:
            o[key] = QString::number(parseSeed(p, flag, 0));
            break;
        case OptionSpec::String:
            o[key] = p.value(flag);
            break;
        case OptionSpec::Bool:
            o[key] = true;
            break;
        case OptionSpec::DoubleList:
        case OptionSpec::IntList: {
            const bool integers = s.kind == OptionSpec::IntList;
            QJsonArray a;
            for (const QString &part : p.value(flag).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
                bool ok = false;
                const double v = integers ? double(part.trimmed().toLongLong(&ok))
                                          : part.trimmed().toDouble(&ok);
                if (!ok || !std::isfinite(v))
                    throw Error(QStringLiteral("--%1: '%2' is not %3 (each allowed: %4)")
                                    .arg(flag, part,
                                         integers ? QStringLiteral("an integer")
                                                  : QStringLiteral("a number"),
                                         s.bounds.text()));
                if (!s.bounds.contains(v))
                    throw Error(QStringLiteral("--%1: '%2' is out of range (each allowed: %3)")
                                    .arg(flag, part, s.bounds.text()));
                a.append(v);
            }
            o[key] = a;
            break;
        }
        }
    }
    if (name == QLatin1String("properties")) {
        QJsonArray props;
        for (const QString &v : p.values(propertyFlag)) {
            const qsizetype eq = v.indexOf(QLatin1Char('='));
            const QStringList files = v.mid(eq + 1).split(QLatin1Char(','));
            if (eq <= 0 || files.value(0).isEmpty() || files.size() > 2)
                throw Error(QStringLiteral("--%1: '%2' (expected NAME=TRAIN_LABELS[,DEV_LABELS])")
                                .arg(propertyFlag, v));
            QJsonObject prop;
            prop[QStringLiteral("name")] = v.left(eq);
            prop[QStringLiteral("train")] = QFileInfo(files[0]).absoluteFilePath();
            if (files.size() == 2)
                prop[QStringLiteral("dev")] = QFileInfo(files[1]).absoluteFilePath();
            props.append(prop);
        }
        o.remove(QStringLiteral("property"));
        if (!props.isEmpty())
            o[QStringLiteral("properties")] = props;
        if (o.contains(QStringLiteral("demo_properties")))
            o[QStringLiteral("demo_properties")] = QJsonArray::fromStringList(
                o.value(QStringLiteral("demo_properties")).toString().split(QLatin1Char(',')));
    }
    if (name == QLatin1String("compare")) {
        QJsonObject other;
        for (const char *split : {"train", "dev", "test"}) {
            const QString key = QStringLiteral("other_") + QLatin1String(split);
            if (o.contains(key))
                other[QLatin1String(split)] = QFileInfo(o.take(key).toString()).absoluteFilePath();
        }
        if (!other.isEmpty())
            o[QStringLiteral("other")] = other;
    }
    return o;
}

namespace {

/// Every analysis's specs that pipeline offers, with the analysis name.
std::vector<std::pair<QString, OptionSpec>> allAnalysisSpecs()
{
    std::vector<std::pair<QString, OptionSpec>> all;
    for (const QString &name : analysisNames())
        for (const OptionSpec &s : analysisOptionSpecs(name))
            all.emplace_back(name, s);
    return all;
}

/// The analyses (in analysisNames() order) that have flag @p flag.
QStringList analysesWithFlag(const QString &flag)
{
    QStringList out;
    for (const auto &[name, s] : allAnalysisSpecs())
        if (QLatin1String(s.flag) == flag)
            out << name;
    return out;
}

/// True when @p flag has different meanings in the analyses that have it (the qualified form
/// --ANALYSIS-FLAG then exists).
bool ambiguousFlag(const QString &flag)
{
    return analysesWithFlag(flag).size() > 1 && !sharedAnalysisFlags().contains(flag);
}

QString qualifiedFlag(const QString &analysis, const QString &flag)
{
    return analysis + QLatin1Char('-') + flag;
}

} // namespace

QStringList sharedAnalysisFlags()
{
    // Checked by hand: the same option of the same ranking / search in each analysis.
    return {QStringLiteral("search-stride"), QStringLiteral("ranker"),
            QStringLiteral("positive-label"), QStringLiteral("gaussian-k"),
            QStringLiteral("seeds")};
}

void addPipelineAnalysisOptions(QCommandLineParser &p)
{
    QStringList added;
    for (const auto &[name, s] : allAnalysisSpecs()) {
        const QString flag = QLatin1String(s.flag);
        const QStringList owners = analysesWithFlag(flag);
        if (!added.contains(flag)) {
            added << flag;
            OptionSpec bare = s;
            QString help;
            if (owners.size() == 1)
                help = QStringLiteral("%1: %2").arg(name, QLatin1String(s.help));
            else if (!ambiguousFlag(flag))
                help = QStringLiteral("%1 (each listed one): %2")
                           .arg(owners.join(QStringLiteral(", ")), QLatin1String(s.help));
            else
                help = QStringLiteral("the option of whichever of %1 is in --analyses; when "
                                      "several are, use %2")
                           .arg(owners.join(QStringLiteral(", ")), [&] {
                               QStringList q;
                               for (const QString &o : owners)
                                   q << QStringLiteral("--") + qualifiedFlag(o, flag);
                               return q.join(QStringLiteral(", "));
                           }());
            const QByteArray helpText = help.toUtf8();
            bare.help = helpText.constData();
            if (ambiguousFlag(flag) && bare.kind != OptionSpec::Bool)
                bare.kind = OptionSpec::String; // help only: each analysis's own bounds apply
            addAnalysisOptions(p, {bare});
        }
        if (ambiguousFlag(flag)) {
            const QByteArray help =
                QStringLiteral("%1: %2").arg(name, QLatin1String(s.help)).toUtf8();
            OptionSpec q = s;
            q.help = help.constData();
            addAnalysisOptions(p, {q},
                               [&](const OptionSpec &) { return qualifiedFlag(name, flag); });
        }
    }
}

QJsonObject pipelineAnalysisOptions(const QCommandLineParser &p, const QStringList &analyses)
{
    // Refuse what would be ignored or mean two things.
    QStringList checked;
    for (const auto &[name, s] : allAnalysisSpecs()) {
        const QString flag = QLatin1String(s.flag);
        if (checked.contains(flag))
            continue;
        checked << flag;
        const QStringList owners = analysesWithFlag(flag);
        QStringList listed;
        for (const QString &o : owners)
            if (analyses.contains(o))
                listed << o;
        if (ambiguousFlag(flag)) {
            for (const QString &o : owners)
                if (p.isSet(qualifiedFlag(o, flag)) && !analyses.contains(o))
                    throw Error(
                        QStringLiteral("pipeline: --%1 is an option of %2, which is not in "
                                       "--analyses (%3)")
                            .arg(qualifiedFlag(o, flag), o, analyses.join(QLatin1Char(','))));
            if (p.isSet(flag) && listed.size() > 1) {
                QStringList q;
                for (const QString &o : listed)
                    q << QStringLiteral("--") + qualifiedFlag(o, flag);
                throw Error(QStringLiteral("pipeline: --%1 means something different in %2; give "
                                           "%3 instead")
                                .arg(flag, listed.join(QStringLiteral(" and ")),
                                     q.join(QStringLiteral(" or "))));
            }
            if (p.isSet(flag) && listed.size() == 1 && p.isSet(qualifiedFlag(listed[0], flag)))
                throw Error(QStringLiteral("pipeline: give --%1 or --%2, not both")
                                .arg(flag, qualifiedFlag(listed[0], flag)));
        }
        if (p.isSet(flag) && listed.isEmpty())
            throw Error(QStringLiteral("pipeline: --%1 is an option of %2, %3 --analyses (%4)")
                            .arg(flag, owners.join(QStringLiteral(", ")),
                                 owners.size() == 1 ? QStringLiteral("which is not in")
                                                    : QStringLiteral("none of them is in"),
                                 analyses.join(QLatin1Char(','))));
    }
    QJsonObject all;
    for (const QString &name : analyses) {
        const std::vector<OptionSpec> specs = analysisOptionSpecs(name);
        const auto flagOf = [&](const OptionSpec &s) {
            const QString flag = QLatin1String(s.flag);
            return ambiguousFlag(flag) && !p.isSet(flag) ? qualifiedFlag(name, flag) : flag;
        };
        QJsonObject o = analysisOptionsFromParser(p, name, specs, flagOf);
        // The pipeline's default is kPipelineSeeds repetitions for every analysis that repeats
        // (a single probe's default stays 1): its findings come with their spread.
        const bool repeats = std::any_of(specs.begin(), specs.end(), [](const OptionSpec &s) {
            return QLatin1String(s.key) == QLatin1String("seeds");
        });
        if (repeats && !o.contains(QStringLiteral("seeds")))
            o[QStringLiteral("seeds")] = kPipelineSeeds;
        all[name] = o;
    }
    return all;
}

int &forcedThreads()
{
    static int forced = 0;
    return forced;
}

void applyThreadsOption(const QCommandLineParser &p)
{
    const int threads = int(parseInt(p, QStringLiteral("threads"), 0, 0, 4096));
    setComputeThreads(forcedThreads() > 0 ? forcedThreads() : threads);
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
    p.addOption({QStringLiteral("shuffle-block"),
                 QStringLiteral("block-shuffled order: blocks of N consecutive rows in random "
                                "order, rows shuffled within each block (sequential reads for "
                                "--storage stream; default 0 = full shuffle)"),
                 QStringLiteral("N")});
    p.addOption(
        {QStringLiteral("out"), QStringLiteral("output folder (created)"), QStringLiteral("DIR")});
}

ProbeOptions probeOptionsFromParser(const QCommandLineParser &p)
{
    ProbeOptions po;
    const Bounds nonNegative{0};
    po.l1 = parseDouble(p, QStringLiteral("l1"), 0, nonNegative);
    po.l2 = parseDouble(p, QStringLiteral("l2"), 0, nonNegative);
    po.epochs = int(parseInt(p, QStringLiteral("epochs"), 10, 1, 1000000));
    po.batchSize = int(parseInt(p, QStringLiteral("batch-size"), 32, 1, kMaxIntOption));
    po.learningRate = parseDouble(p, QStringLiteral("lr"), 1e-3, Bounds{0, 100, true});
    po.seed = parseSeed(p, QStringLiteral("seed"), 1);
    po.neuroxCompatible = p.isSet(QStringLiteral("neurox-compatible"));
    po.standardize = p.isSet(QStringLiteral("standardize"));
    po.shuffle = !p.isSet(QStringLiteral("no-shuffle"));
    po.shuffleBlockRows = int(parseInt(p, QStringLiteral("shuffle-block"), 0, 0, kMaxIntOption));
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

QStringList inputPathsFor(const QCommandLineParser &p)
{
    QStringList paths;
    if (p.isSet(QStringLiteral("demo")))
        return paths;
    for (const char *split : {"train", "dev", "test"})
        for (const char *role : {"activations", "tokens", "labels"}) {
            const QString name =
                QStringLiteral("%1-%2").arg(QLatin1String(split), QLatin1String(role));
            if (p.isSet(name))
                paths << p.value(name);
        }
    return paths;
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
