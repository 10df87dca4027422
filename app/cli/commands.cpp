// salient-cli: the subcommands (inspect, demo, the probe and analysis subcommands, run, pipeline).
// Each writes its results (JSON/CSV/HDF5, session.json) atomically. See cli_p.h.
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

namespace {

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

/// Writes one analysis's JSON and CSV files into @p outDir.
void writeAnalysisFiles(const QString &outDir, const QString &name, const AnalysisOutput &out)
{
    writeFileAtomic(outDir + QStringLiteral("/") + name + QStringLiteral(".json"),
                    QJsonDocument(out.json).toJson());
    for (const auto &[file, csv] : out.csv)
        writeFileAtomic(outDir + QStringLiteral("/") + name + QStringLiteral(".") + file, csv);
}

} // namespace

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
        const QString stability = seedStabilityText(std::get<ProbeReport>(*out.result));
        if (!stability.isEmpty())
            err(stability);
    }
    err(QStringLiteral("wrote %1/%2.json and session.json").arg(outDir, name));
    return 0;
}

namespace {

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

} // namespace

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

} // namespace cli
