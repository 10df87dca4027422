#pragma once
// Private to salient-cli (app/cli): what main.cpp (dispatch, usage), options.cpp (shared
// command-line options, parsing and validation) and commands.cpp (the subcommands) share.
// Every function throws salient::Error on bad input; main() turns that into exit code 2.
#include "salient/analyses/experiment.h"
#include "salient/data/task.h"
#include "salient/probe/probe.h"
#include "salient/session/session.h"

#include <QCommandLineParser>
#include <QJsonObject>
#include <QString>
#include <QStringList>
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

/// Option @p name as a number; @p fallback when not set. Throws when it is not a number.
double parseDouble(const QCommandLineParser &p, const QString &name, double fallback);

/// Option @p name as an integer; @p fallback when not set. Throws when it is not an integer.
long long parseInt(const QCommandLineParser &p, const QString &name, long long fallback);

/// Adds the data options (--train-activations, --task, --demo, ...) to @p p.
void addDataOptions(QCommandLineParser &p);

/// Loads the task the data options of @p p describe; fills @p dopt.
salient::LoadedTask loadFromOptions(const QCommandLineParser &p, salient::DatasetOptions &dopt);

/// An analysis-specific command-line option and the JSON key it sets.
struct OptionSpec {
    const char *flag;
    const char *key;
    enum Kind { Double, Int, String, Bool, DoubleList } kind;
    const char *help;
};

/// Options of each analysis subcommand (defaults are documented in docs/cli.md and the core
/// headers).
std::vector<OptionSpec> analysisOptionSpecs(const QString &name);

/// The JSON analysis options set by the flags of @p specs that @p p has.
QJsonObject analysisOptionsFromParser(const QCommandLineParser &p,
                                      const std::vector<OptionSpec> &specs);

/// Adds the probe options (--l1, --l2, --epochs, ...) to @p p.
void addProbeOptions(QCommandLineParser &p);

/// The probe options @p p sets, validated.
salient::ProbeOptions probeOptionsFromParser(const QCommandLineParser &p);

/// Progress on stderr, at most every 10 %.
salient::ExperimentProgress stderrProgress(const QString &name);

/// The session a command ran: inputs (with fingerprints), options, results.
salient::Session sessionFor(const QCommandLineParser &p, const salient::DatasetOptions &dopt,
                            const salient::ProbeOptions &po);

// ---- commands.cpp: each returns the exit code (0 ok, 3 cancelled).

int cmdInspect(const QStringList &args);
int cmdDemo(const QStringList &args);
/// One analysis subcommand (@p name is one of salient::analysisNames()).
int cmdAnalysis(const QString &name, const QStringList &args);
int cmdRun(const QStringList &args);
int cmdPipeline(const QStringList &args);

} // namespace cli
