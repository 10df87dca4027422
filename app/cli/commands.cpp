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

QString points(double v)
{
    if (!std::isfinite(v))
        return QStringLiteral("n/a");
    const double shown = std::round(v * 10) / 10;
    return QString::number(shown == 0 ? 0.0 : shown, 'f', 1); // never "-0.0"
}

/**
 * After a grid search: prints the chosen cell, its accuracy cost against the most accurate cell
 * and against λ = 0, the majority baseline of the selection split and every warning on stderr,
 * and records the selection rule and tolerance it ran with into the session's options of
 * "grid-search" (so that `run` replays the same winner even if the defaults change).
 */
void reportGridSearch(Session &session, const AnalysisOutput &out)
{
    const auto *r = out.result ? std::get_if<GridSearchReport>(out.result.get()) : nullptr;
    if (!r)
        return;
    const GridSearchResult &g = r->result;
    QJsonObject recorded = session.analysisOptions.value(QStringLiteral("grid-search")).toObject();
    recorded[QStringLiteral("selection")] = gridSelectionName(g.selection);
    recorded[QStringLiteral("accuracy_tolerance")] = g.accuracyTolerance;
    session.analysisOptions[QStringLiteral("grid-search")] = recorded;
    const GridCell *w = g.winner();
    if (!w) {
        err(QStringLiteral("grid-search: no cell finished"));
        return;
    }
    const QString rule = g.selection == GridSelection::Guarded
                             ? QStringLiteral("guarded, tolerance %1 points")
                                   .arg(QString::number(g.accuracyTolerance, 'g', 4))
                             : QStringLiteral("paper");
    err(QStringLiteral("grid-search chose λ1=%1, λ2=%2 (%3): %4 accuracy %5, macro-F1 %6; cost "
                       "%7 points vs the most accurate cell, %8 points vs λ=0 (%9); majority "
                       "baseline %10 (%11)")
            .arg(w->l1)
            .arg(w->l2)
            .arg(rule, r->split)
            .arg(w->full, 0, 'f', 4)
            .arg(w->macroF1, 0, 'f', 4)
            .arg(points(g.costVsBest()), points(g.costVsZero()),
                 g.zeroCell >= 0 ? QStringLiteral("grid cell")
                                 : QStringLiteral("extra reference probe"))
            .arg(g.baseline.accuracy, 0, 'f', 4)
            .arg(g.baseline.label));
    for (const QString &warning : g.warnings)
        err(QStringLiteral("warning: ") + warning);
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

/**
 * The one place a command prints what loading the data found, before any analysis runs:
 * every split's warnings (dropped lines with files, line numbers and reasons; NaN/Inf; unseen
 * labels) and the layer-scale warning when the probe does not standardise
 * (LoadedTask::dataWarnings). Used by probe and the analysis subcommands, pipeline and run.
 */
void printDataWarnings(const LoadedTask &task, const ProbeOptions &po)
{
    for (const QString &w : task.dataWarnings(po.standardize && !po.neuroxCompatible))
        err(QStringLiteral("warning: ") + w);
}

/// "0.283 ± 0.012" with @p s over its n repetitions, or the single value.
QString meanSd(const SeedSummary &s)
{
    return s.n > 1 ? QStringLiteral("%1 (mean ± sd over %2 seeds)").arg(s.text(4)).arg(s.n)
                   : s.text(4);
}

/// The stderr summary of a selectivity or layerwise result (mean ± sd over its seeds, with the
/// majority baselines); nothing for other analyses.
void printSeedSummary(const AnalysisOutput &out)
{
    if (!out.result)
        return;
    if (const auto *ab = std::get_if<AblationReport>(out.result.get())) {
        const QString st = ablationStabilityText(*ab);
        if (!st.isEmpty())
            err(QStringLiteral("ablation: ") + st);
        return;
    }
    if (const auto *ms = std::get_if<MinimalSubsetReport>(out.result.get())) {
        if (ms->result.seedSizes.size() > 1) {
            const SeedSummary s = ms->result.sizeSummary();
            err(QStringLiteral("minimal subset: size median %1 (range %2–%3) over %4 seeds")
                    .arg(s.median)
                    .arg(s.min)
                    .arg(s.max)
                    .arg(s.n));
        }
        return;
    }
    const auto baseline = [](const MajorityBaseline &b) {
        return QStringLiteral("%1 (macro-F1 %2)")
            .arg(b.accuracy, 0, 'f', 4)
            .arg(b.macroF1, 0, 'f', 4);
    };
    if (const auto *sel = std::get_if<SelectivityReport>(out.result.get())) {
        const SelectivityResult &r = sel->result;
        for (const SelectivityEntry &e : r.sets)
            err(QStringLiteral("selectivity %1: %2 over %3 control task(s); task %4, control %5")
                    .arg(e.name, meanSd(e.selectivitySeeds))
                    .arg(r.seeds)
                    .arg(meanSd(e.taskSeeds), meanSd(e.controlSeeds)));
        err(QStringLiteral("majority baseline on %1: %2; control task majority %3")
                .arg(r.split, baseline(r.splitBaseline), meanSd(r.controlBaselineSeeds)));
    } else if (const auto *lw = std::get_if<LayerwiseReport>(out.result.get())) {
        const LayerwiseResult &r = lw->result;
        for (const LayerScore &s : r.independent)
            err(QStringLiteral("layer %1: %2 accuracy %3")
                    .arg(s.layer)
                    .arg(lw->split, meanSd(s.devSeeds)));
        if (r.bestIndependent >= 0 && std::size_t(r.bestIndependent) < r.independent.size())
            err(QStringLiteral("best layer %1 (on the mean over %2 seed(s))")
                    .arg(r.independent[std::size_t(r.bestIndependent)].layer)
                    .arg(r.seeds));
        err(QStringLiteral("majority baseline on %1: %2")
                .arg(lw->split, baseline(r.selectionBaseline)));
    }
}

/// Writes one analysis's JSON and CSV files into @p outDir; returns their names.
QStringList writeAnalysisFiles(const QString &outDir, const QString &name,
                               const AnalysisOutput &out)
{
    QStringList written{name + QStringLiteral(".json")};
    writeFileAtomic(outDir + QStringLiteral("/") + written.back(),
                    QJsonDocument(out.json).toJson());
    for (const auto &[file, csv] : out.csv) {
        written << name + QStringLiteral(".") + file;
        writeFileAtomic(outDir + QStringLiteral("/") + written.back(), csv);
    }
    return written;
}

/// Saves the session as DIR/session.json; returns the names of the files written (the session and
/// its sibling arrays file, when it has arrays).
QStringList saveSessionFiles(const QString &outDir, Session &session)
{
    saveSession(outDir + QStringLiteral("/session.json"), session);
    QStringList written{QStringLiteral("session.json")};
    if (!session.arraysFile.isEmpty())
        written << session.arraysFile;
    return written;
}

/// "wrote N files to DIR: a, b, c" on stderr.
void reportWritten(const QString &outDir, const QStringList &files)
{
    err(QStringLiteral("wrote %1 files to %2: %3")
            .arg(files.size())
            .arg(outDir, files.join(QStringLiteral(", "))));
}

} // namespace

int cmdInspect(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(
        QStringLiteral("Print the metadata of an activation file as JSON (reads metadata only).\n"
                       "Formats: NeuroX HDF5 (float32/float16) and NeuroX JSON lines."));
    p.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("activation file"));
    parseCommandLine(p, args, QStringLiteral("inspect"));
    requirePositionals(p, QStringLiteral("inspect"), 1, 1, QStringLiteral("FILE"));
    auto store = ActivationStore::open(p.positionalArguments().first());
    std::printf("%s", QJsonDocument(storeInfoJson(store->info())).toJson().constData());
    return 0;
}

int cmdNotes(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Print the notes on neurons a session holds (made in the GUI's Notes view or inspector):\n"
        "a table (neuron, source, label, tags, note) or, with --json, the session's \"notes\"\n"
        "array. --search keeps notes whose label, note, tags or neuron name contain every word;\n"
        "--tag keeps notes with that tag. Reads only the session file."));
    p.addPositionalArgument(QStringLiteral("SESSION"), QStringLiteral("session file (.json)"));
    p.addOption({QStringLiteral("json"), QStringLiteral("print JSON instead of a table")});
    p.addOption({QStringLiteral("search"),
                 QStringLiteral("only notes containing every word of TEXT (any case)"),
                 QStringLiteral("TEXT")});
    p.addOption({QStringLiteral("tag"), QStringLiteral("only notes with this tag (any case)"),
                 QStringLiteral("TAG")});
    parseCommandLine(p, args, QStringLiteral("notes"));
    requirePositionals(p, QStringLiteral("notes"), 1, 1, QStringLiteral("SESSION file"));
    const Session session = loadSession(p.positionalArguments().first());
    NeuronNotes shown;
    for (const NeuronNote &n : session.notes.all())
        if (noteMatches(n, p.value(QStringLiteral("search")), p.value(QStringLiteral("tag"))))
            shown.set(n);
    if (p.isSet(QStringLiteral("json"))) {
        std::printf("%s", QJsonDocument(notesToJson(shown)).toJson().constData());
        return 0;
    }
    if (shown.isEmpty()) {
        err(QStringLiteral("%1: no notes%2")
                .arg(p.positionalArguments().first(),
                     session.notes.isEmpty() ? QString() : QStringLiteral(" match")));
        return 0;
    }
    // Plain-text table: fixed-width columns except the last (the note, on one line).
    QStringList rows;
    const QStringList header{QStringLiteral("neuron"), QStringLiteral("source"),
                             QStringLiteral("label"), QStringLiteral("tags"),
                             QStringLiteral("note")};
    std::vector<QStringList> table{header};
    for (const NeuronNote &n : shown.all()) {
        QString text = n.text;
        text.replace(QStringLiteral("\r\n"), QStringLiteral(" / "));
        text.replace(QLatin1Char('\n'), QStringLiteral(" / "));
        table.push_back({QStringLiteral("L%1:%2").arg(n.neuron.layer).arg(n.neuron.unit),
                         noteSourceName(n.source), n.label, n.tags.join(QStringLiteral(", ")),
                         text});
    }
    std::vector<qsizetype> width(header.size(), 0);
    for (const QStringList &r : table)
        for (qsizetype c = 0; c + 1 < r.size(); ++c)
            width[std::size_t(c)] = std::max(width[std::size_t(c)], r[c].size());
    for (const QStringList &r : table) {
        QString line;
        for (qsizetype c = 0; c < r.size(); ++c)
            line += c + 1 < r.size() ? r[c].leftJustified(width[std::size_t(c)] + 2) : r[c];
        std::printf("%s\n", line.trimmed().toUtf8().constData());
    }
    return 0;
}

int cmdDemo(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Write the built-in SYNTHETIC demo dataset as NeuroX files (HDF5 activations, words, POS "
        "and suffix labels for train/dev/test) into DIR."));
    p.addOption({QStringLiteral("out"), QStringLiteral("output folder"), QStringLiteral("DIR")});
    p.addOption({QStringLiteral("seed"), QStringLiteral("generator seed (default 7)"),
                 QStringLiteral("N")});
    parseCommandLine(p, args, QStringLiteral("demo"));
    requirePositionals(p, QStringLiteral("demo"), 0, 0, {});
    if (!p.isSet(QStringLiteral("out")))
        throw Error(QStringLiteral("demo: --out DIR is required"));
    DemoOptions o;
    o.seed = parseSeed(p, QStringLiteral("seed"), 7);
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
        "statistics: activation scales differ by layer, which biases weight-based rankings\n"
        "(without L1 towards low-variance layers, whose neurons need larger weights; with a "
        "strong\n"
        "L1 towards high-variance ones, which are cheaper to use); it is off by default so that\n"
        "weights and rankings stay comparable with NeuroX, and recommended for cross-layer\n"
        "rankings (the data warnings say when the layers' scales differ more than 4x).\n\n"
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
    addDataOptions(p);
    addProbeOptions(p);
    const std::vector<OptionSpec> specs = analysisOptionSpecs(name);
    addAnalysisOptions(p, specs);
    parseCommandLine(p, args, name);
    requirePositionals(p, name, 0, 0, {});
    if (!p.isSet(QStringLiteral("out")))
        throw Error(QStringLiteral("%1: --out DIR is required").arg(name));
    applyThreadsOption(p);
    ProbeOptions po = probeOptionsFromParser(p);
    const QJsonObject analysisOptions = analysisOptionsFromParser(p, name, specs);
    const QString outDir = p.value(QStringLiteral("out"));
    requireOutputFolder(outDir);

    DatasetOptions dopt;
    // Full SHA-256 of the inputs while loading them (I/O bound), finished before training.
    std::future<std::map<QString, QString>> hashing = hashFilesInBackground(inputPathsFor(p));
    LoadedTask task = loadFromOptions(p, dopt);
    po.regression = dopt.task == TaskType::Regression;
    printDataWarnings(task, po);

    Session session = sessionFor(p, dopt, po);
    setInputHashes(session, hashing.get());
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
    reportGridSearch(session, out);
    QStringList written = writeAnalysisFiles(outDir, name, out);
    printSeedSummary(out);
    session.results[name] = out.json;
    written << saveSessionFiles(outDir, session);
    if (name == QLatin1String("probe")) {
        written << writeProbeFiles(outDir, session, task, po, out.json);
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
    reportWritten(outDir, written);
    return 0;
}

QStringList writeProbeFiles(const QString &outDir, const Session &session, const LoadedTask &task,
                            const ProbeOptions &po, const QJsonObject &probeJson)
{
    // The foundation's contract: results.json and probe.hdf5.
    writeFileAtomic(outDir + QStringLiteral("/results.json"), QJsonDocument(probeJson).toJson());
    Probe saved;
    saved.regression = po.regression;
    saved.W = session.arrays.at(QStringLiteral("probe/W"));
    saved.b = session.arrays.at(QStringLiteral("probe/b")).row(0).transpose();
    // A standardised probe's W is over (x − mean) · scale: save them with it, or the file's
    // W would be applied to raw activations.
    const auto mean = session.arrays.find(QStringLiteral("probe/mean"));
    const auto scale = session.arrays.find(QStringLiteral("probe/scale"));
    if (mean != session.arrays.end() && scale != session.arrays.end()) {
        saved.mean = mean->second.row(0).transpose();
        saved.scale = scale->second.row(0).transpose();
    }
    saved.labels = task.vocab.names;
    for (int c = 0; c < task.train->neurons(); ++c)
        saved.columns.push_back(flatNeuron(*task.train, c));
    saveProbe(outDir + QStringLiteral("/probe.hdf5"), saved,
              QJsonDocument(toJson(po)).toJson(QJsonDocument::Compact));
    return {QStringLiteral("results.json"), QStringLiteral("probe.hdf5")};
}

namespace {

/// Called after analysis @p index of the session ran, before its files are written and its
/// result stored; may amend the result JSON and the session (e.g. the probe options of the
/// analyses after it).
using AfterAnalysis = std::function<void(Session &session, qsizetype index, AnalysisOutput &out)>;

/// Runs the session's analyses in order on @p task, each with the probe options the session
/// records for it (Session::probeOptionsFor, regression from the data options), writing each
/// one's files into @p outDir (for "probe" also results.json and probe.hdf5, as `probe` writes),
/// its results and the options it ran with into the session; prints the wall time of each. Adds
/// the names of the files written to @p written. Returns an exit code.
int runSessionAnalyses(Session &session, const LoadedTask &task, const QString &outDir,
                       QStringList &written, const AfterAnalysis &after = {})
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
        reportGridSearch(session, out);
        if (after)
            after(session, i, out);
        written << writeAnalysisFiles(outDir, name, out);
        printSeedSummary(out);
        if (name == QLatin1String("probe"))
            written << writeProbeFiles(outDir, session, task, po, out.json);
        session.results[name] = out.json;
        timing[name] = double(t.nsecsElapsed()) * 1e-9;
        err(QStringLiteral("%1 done in %2 s").arg(name).arg(timing[name].toDouble(), 0, 'f', 1));
    }
    timing[QStringLiteral("total")] = double(total.nsecsElapsed()) * 1e-9;
    timing[QStringLiteral("load")] = task.loadSeconds;
    writeFileAtomic(outDir + QStringLiteral("/timing.json"), QJsonDocument(timing).toJson());
    written << QStringLiteral("timing.json");
    return 0;
}

/**
 * The pipeline's explicit step after grid-search (Algorithm 2): its winning λ1, λ2
 * (withGridWinner on the typed report) become the probe options of every analysis after it,
 * recorded per analysis in the session and as the session's probeOptions, so that `run` replays
 * them without applying anything. Adds "applied_to" (those analyses) to the grid result and says so
 * on stderr. Without a winner nothing changes and "applied_to" is empty.
 */
void applyGridSearchWinner(Session &session, qsizetype gridIndex, AnalysisOutput &grid)
{
    const QStringList later = session.analyses.mid(gridIndex + 1);
    const auto *r = grid.result ? std::get_if<GridSearchReport>(grid.result.get()) : nullptr;
    if (!r || !r->hasWinner()) {
        grid.json[QStringLiteral("applied_to")] = QJsonArray();
        err(QStringLiteral("grid-search found no winner; later analyses keep their λ"));
        return;
    }
    for (const QString &name : later)
        session.analysisProbeOptions[name] = withGridWinner(session.probeOptionsFor(name), *r);
    session.probeOptions = withGridWinner(session.probeOptions, *r);
    grid.json[QStringLiteral("applied_to")] = QJsonArray::fromStringList(later);
    const GridSearchResult &g = r->result;
    err(QStringLiteral("applying the grid-search winner λ1=%1, λ2=%2 (%3 rule; cost %4 points vs "
                       "the most accurate cell, %5 points vs λ=0) to: %6")
            .arg(r->bestL1())
            .arg(r->bestL2())
            .arg(gridSelectionName(g.selection), points(g.costVsBest()), points(g.costVsZero()),
                 later.isEmpty() ? QStringLiteral("(no later analyses)")
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
    p.addPositionalArgument(QStringLiteral("SESSION"), QStringLiteral("session file (.json)"));
    p.addOption({QStringLiteral("out"),
                 QStringLiteral("write the session and result files here instead"),
                 QStringLiteral("DIR")});
    p.addOption({QStringLiteral("allow-changed-inputs"),
                 QStringLiteral("run even if input files changed")});
    p.addOption({QStringLiteral("threads"), QStringLiteral("compute threads (default: all cores)"),
                 QStringLiteral("N")});
    parseCommandLine(p, args, QStringLiteral("run"));
    requirePositionals(p, QStringLiteral("run"), 1, 1, QStringLiteral("SESSION file"));
    applyThreadsOption(p);
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
    printDataWarnings(task, session.probeOptions);
    QStringList written;
    const int rc = runSessionAnalyses(session, task, outDir, written);
    if (rc != 0)
        return rc;
    const QString sessionOut =
        p.isSet(QStringLiteral("out")) ? outDir + QStringLiteral("/session.json") : path;
    saveSession(sessionOut, session);
    written << QFileInfo(sessionOut).fileName();
    if (!session.arraysFile.isEmpty())
        written << session.arraysFile;
    err(QStringLiteral("ran %1").arg(session.analyses.join(QStringLiteral(", "))));
    reportWritten(outDir, written);
    return 0;
}

int cmdPipeline(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Run the paper's whole analysis on one task: grid-search, probe, minimal-subset,\n"
        "ablation, selectivity (full probe and minimal set), layerwise. After grid-search its\n"
        "winning lambdas are applied to every later analysis (said on stderr, listed in\n"
        "grid-search.json \"applied_to\" and recorded per analysis in the session), so --l1/--l2\n"
        "are refused while grid-search is listed. Writes every NAME.json/CSV, results.json and\n"
        "probe.hdf5 (as `probe`), timing.json and DIR/session.json (`salient-cli run` replays it\n"
        "with the recorded options). Use --analyses to choose a subset. Every analysis that\n"
        "repeats (probe, minimal-subset, ablation, selectivity, layerwise) runs 3 seeds unless\n"
        "--seeds N is given.\n\n"
        "Every analysis's own options are accepted. An option several analyses share with the\n"
        "same meaning (--search-stride, --ranker, ...) is set for each listed analysis that has\n"
        "it. An option that means different things in two analyses (--delta, --sizes,\n"
        "--top-fraction, --split, --threshold) also has the form --ANALYSIS-OPTION (e.g.\n"
        "--minimal-subset-delta, --layerwise-delta); the bare form is refused when several\n"
        "listed analyses have it. An option of an analysis not in --analyses is refused.\n"
        "The options given are recorded per analysis in the session. Keys: docs/cli.md."));
    addDataOptions(p);
    addProbeOptions(p);
    p.addOption({QStringLiteral("analyses"),
                 QStringLiteral("comma-separated analyses (default: %1)")
                     .arg(paperPipeline().join(QLatin1Char(','))),
                 QStringLiteral("LIST")});
    addPipelineAnalysisOptions(p);
    parseCommandLine(p, args, QStringLiteral("pipeline"));
    requirePositionals(p, QStringLiteral("pipeline"), 0, 0, {});
    if (!p.isSet(QStringLiteral("out")))
        throw Error(QStringLiteral("pipeline: --out DIR is required"));
    applyThreadsOption(p);
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
    if (analyses.contains(QStringLiteral("grid-search"))
        && (p.isSet(QStringLiteral("l1")) || p.isSet(QStringLiteral("l2"))))
        throw Error(QStringLiteral(
            "pipeline: --l1/--l2 with grid-search in --analyses: the grid's winning λ1, λ2 replace "
            "them for every later analysis; drop grid-search from --analyses to use your λ, or "
            "drop --l1/--l2 to use the grid's"));
    const QJsonObject analysisOptions = pipelineAnalysisOptions(p, analyses);
    const QString outDir = p.value(QStringLiteral("out"));
    requireOutputFolder(outDir);
    DatasetOptions dopt;
    // Full SHA-256 of the inputs while loading them (I/O bound), finished before training.
    std::future<std::map<QString, QString>> hashing = hashFilesInBackground(inputPathsFor(p));
    const LoadedTask task = loadFromOptions(p, dopt);
    po.regression = dopt.task == TaskType::Regression;
    printDataWarnings(task, po);
    Session session = sessionFor(p, dopt, po);
    setInputHashes(session, hashing.get());
    session.analyses = analyses;
    for (const QString &a : analyses)
        session.analysisOptions[a] = analysisOptions.value(a).toObject();
    QStringList written;
    const int rc = runSessionAnalyses(session, task, outDir, written,
                                      [](Session &s, qsizetype index, AnalysisOutput &out) {
                                          if (s.analyses[index] == QLatin1String("grid-search"))
                                              applyGridSearchWinner(s, index, out);
                                      });
    if (rc != 0)
        return rc;
    written << saveSessionFiles(outDir, session);
    reportWritten(outDir, written);
    return 0;
}

} // namespace cli
