#pragma once
// Private to salient-cli (app/cli): what main.cpp (dispatch, usage), options.cpp (shared
// command-line options, parsing and validation) and commands.cpp (the subcommands) share.
// Every function throws salient::Error on bad input; main() turns that into exit code 2.
#include "salient/analyses/experiment.h"
#include "salient/data/task.h"
#include "salient/probe/probe.h"
#include "salient/session/session.h"

#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <functional>
#include <limits>
#include <optional>
#include <vector>

namespace cli {

// ---- options.cpp

/// Writes @p s and a newline to stderr.
void err(const QString &s);

/// Creates @p dir and checks that a file can be written there, before any data is loaded (an
/// unwritable --out then costs nothing). Throws salient::Error naming the folder.
void requireOutputFolder(const QString &dir);

/// "0,2,5-7" → {0,2,5,6,7}. Throws on malformed input.
std::vector<int> parseList(const QString &text, const QString &option);

/**
 * The allowed values of a numeric option, in one place per option (the OptionSpec tables and the
 * probe/data option parsers in options.cpp): min..max, each end inclusive unless open. A value
 * outside (or NaN) is a usage error naming the option, the value and text().
 */
struct Bounds {
    double min = -std::numeric_limits<double>::max();
    double max = std::numeric_limits<double>::max();
    bool openMin = false;
    bool openMax = false;
    bool contains(double v) const;
    /// "1..1000000", "> 0 and <= 1", ">= 0", ...
    QString text() const;
};

/// Largest integer options take (every count an int holds; also exact as a JSON double).
inline constexpr long long kMaxIntOption = std::numeric_limits<int>::max();

/// Option @p name as a finite number within @p bounds; @p fallback when not set. Throws
/// salient::Error "--NAME: 'VALUE' ..." naming the allowed range otherwise.
double parseDouble(const QCommandLineParser &p, const QString &name, double fallback,
                   const Bounds &bounds = {});

/// Option @p name as an integer in [@p min, @p max]; @p fallback when not set. Throws
/// salient::Error "--NAME: 'VALUE' ..." naming the allowed range otherwise.
long long parseInt(const QCommandLineParser &p, const QString &name, long long fallback,
                   long long min, long long max);

/// Option @p name as a 64-bit seed (0..2^64-1); @p fallback when not set. Throws like parseInt.
quint64 parseSeed(const QCommandLineParser &p, const QString &name, quint64 fallback);

/// Option --memory-budget as bytes, when given (validated whenever given, also with --demo).
std::optional<quint64> memoryBudgetFromParser(const QCommandLineParser &p);

/**
 * Adds -h/--help (and the hidden --help-all, --version) to @p p, parses @p args and handles
 * them: help is printed on stdout with "Usage: salient-cli COMMAND [options] ..." (and without
 * Qt's internal options) and the process exits 0; --version prints the version and exits 0. An
 * unknown option or a missing value throws salient::Error (exit code 2) naming @p command.
 */
void parseCommandLine(QCommandLineParser &p, const QStringList &args, const QString &command);

/// Throws salient::Error (exit 2) unless @p p has between @p min and @p max positional
/// arguments; @p what names them ("FILE", "SESSION file").
void requirePositionals(const QCommandLineParser &p, const QString &command, qsizetype min,
                        qsizetype max, const QString &what);

/// Adds the data options (--train-activations, --task, --demo, ...) to @p p.
void addDataOptions(QCommandLineParser &p);

/// Loads the task the data options of @p p describe; fills @p dopt. Prints on stderr which splits
/// were loaded (and their float32 size) and the storage plan of all splits.
salient::LoadedTask loadFromOptions(const QCommandLineParser &p, salient::DatasetOptions &dopt);

/// An analysis-specific command-line option and the JSON key it sets.
struct OptionSpec {
    const char *flag;
    const char *key;
    /// Seed: 0..2^64-1, written as decimal text (JSON doubles lose bits). DoubleList, IntList:
    /// comma-separated, each value within bounds.
    enum Kind { Double, Int, Seed, String, Bool, DoubleList, IntList } kind;
    const char *help;
    Bounds bounds = {}; ///< Double, Int, DoubleList, IntList: allowed values
};

/// Options of each analysis subcommand (defaults are documented in docs/cli.md and the core
/// headers).
std::vector<OptionSpec> analysisOptionSpecs(const QString &name);

/// Adds the options of @p specs to @p p; @p flagOf gives each one's flag (default: its own).
void addAnalysisOptions(QCommandLineParser &p, const std::vector<OptionSpec> &specs,
                        const std::function<QString(const OptionSpec &)> &flagOf = {});

/**
 * The JSON options of analysis @p name set by the flags of @p specs that @p p has (@p flagOf as
 * for addAnalysisOptions), validated against their bounds; with the analysis's own structure
 * (properties: "properties" [{name, train, dev}] from the repeatable --property; compare: "other"
 * {train, dev, test}, absolute paths).
 */
QJsonObject
analysisOptionsFromParser(const QCommandLineParser &p, const QString &name,
                          const std::vector<OptionSpec> &specs,
                          const std::function<QString(const OptionSpec &)> &flagOf = {});

/**
 * pipeline: the options of every analysis, so that `pipeline` accepts each analysis's flags.
 * A flag that several analyses have sets the key of every listed analysis with it when it means
 * the same in all of them (sharedAnalysisFlags()); otherwise the analysis-qualified form
 * --ANALYSIS-FLAG exists too, and the bare form is refused when two listed analyses have it.
 */
void addPipelineAnalysisOptions(QCommandLineParser &p);

/// Flags that mean the same in every analysis that has them (pipeline applies them to all).
QStringList sharedAnalysisFlags();

/// Repetitions (option "seeds") of every pipeline analysis that repeats, unless --seeds is given.
inline constexpr int kPipelineSeeds = 3;

/// pipeline: the JSON options of each of @p analyses from @p p (see addPipelineAnalysisOptions).
/// Throws salient::Error (exit 2) for an ambiguous bare flag (naming the qualified forms) and for
/// an option of an analysis not in @p analyses. Analyses with a "seeds" option get
/// kPipelineSeeds unless --seeds is given.
QJsonObject pipelineAnalysisOptions(const QCommandLineParser &p, const QStringList &analyses);

/// Sets the compute threads from --threads (0..4096; 0 = all cores, the default), or to
/// forcedThreads() when that is set.
void applyThreadsOption(const QCommandLineParser &p);

/// salient-cli-mpi: every rank computes with this many threads whatever --threads says (0 = not
/// forced). Set once at start-up, before any command runs.
int &forcedThreads();

/// Adds the probe options (--l1, --l2, --epochs, ...) to @p p.
void addProbeOptions(QCommandLineParser &p);

/// The probe options @p p sets, validated.
salient::ProbeOptions probeOptionsFromParser(const QCommandLineParser &p);

/// Progress on stderr, at most every 10 %.
salient::ExperimentProgress stderrProgress(const QString &name);

/// The input files named by --{train,dev,test}-{activations,tokens,labels} (none under --demo).
QStringList inputPathsFor(const QCommandLineParser &p);
/// The session a command ran: inputs (with fingerprints), options, results.
salient::Session sessionFor(const QCommandLineParser &p, const salient::DatasetOptions &dopt,
                            const salient::ProbeOptions &po);

// ---- commands.cpp: each returns the exit code (0 ok, 3 cancelled).

int cmdInspect(const QStringList &args);
int cmdDemo(const QStringList &args);
int cmdExtract(const QStringList &args);     // extract.cpp
int cmdTopContexts(const QStringList &args); // live.cpp
int cmdAttach(const QStringList &args);      // live.cpp
int cmdIntervene(const QStringList &args);   // intervene.cpp
int cmdGenerate(const QStringList &args);    // intervene.cpp
/// notes SESSION [--json] [--search TEXT] [--tag TAG]: the session's neuron notes.
int cmdNotes(const QStringList &args);
/// One analysis subcommand (@p name is one of salient::analysisNames()).
int cmdAnalysis(const QString &name, const QStringList &args);
int cmdRun(const QStringList &args);
/// The files `probe` writes besides NAME.json: results.json (the probe's JSON) and probe.hdf5
/// (the trained probe of @p session's arrays "probe/W", "probe/b"), into @p outDir. Returns their
/// names.
QStringList writeProbeFiles(const QString &outDir, const salient::Session &session,
                            const salient::LoadedTask &task, const salient::ProbeOptions &po,
                            const QJsonObject &probeJson);
int cmdPipeline(const QStringList &args);

// ---- modelcommands.cpp: shared by the model commands (extract, top-contexts, attach, intervene,
// generate).

/// Adds --model (help @p modelHelp; empty = "Hugging Face checkpoint folder, or llama2.c .bin
/// file") and --tokenizer to @p p.
void addModelOptions(QCommandLineParser &p, const QString &modelHelp = {});

/// @p v as a JSON array of numbers.
QJsonArray intArray(const std::vector<int> &v);

/// Writes @p json (indented) to stdout and flushes it.
void printJson(const QJsonObject &json);

/// Rate limit of a progress callback's stderr lines: at most one a second, and always the last.
/// Construction starts the clock. Not thread-safe (one callback thread).
class ProgressThrottle {
public:
    ProgressThrottle();
    /// True when a line should be printed now for @p done of @p total (then it counts as printed).
    bool due(salient::Index done, salient::Index total);
    /// Seconds from construction to the last line let through.
    double seconds() const;

private:
    QElapsedTimer m_clock;
    qint64 m_last = -1; ///< ms of the last line let through; −1 = none yet
};

} // namespace cli
