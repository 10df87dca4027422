#pragma once
// Session files (versioned JSON + a sibling HDF5 file for large arrays), shared by the GUI and
// salient-cli. A session records the inputs (paths, sizes, content fingerprints, SHA-256), every
// option and seed, the analyses to run and their results, so that `salient-cli run` in a fresh
// process reproduces every number.
//
// Saving is atomic for the pair: the arrays go to a new, uniquely named HDF5 file (temporary
// name, then rename), then the JSON (temporary name, then rename — the commit point), and only
// then is the previous arrays file removed. An interruption at any point leaves the previous
// session readable and consistent.
#include "salient/data/corpus.h"
#include "salient/data/task.h"
#include "salient/probe/probe.h"
#include "salient/session/notes.h"

#include <QJsonObject>
#include <future>
#include <map>

namespace salient {

/// One input file as recorded in a session.
struct InputFile {
    QString path;        ///< absolute path
    qint64 size = -1;    ///< bytes
    QString fingerprint; ///< quick content fingerprint (fileFingerprint)
    QString sha256;      ///< full SHA-256 (hex), empty until computed
};

/// Both hashes are standard SHA-256 computed with libcrypto (util/sha256.h); sessions written
/// with Qt's implementation hold the same values.
/// Quick content fingerprint: SHA-256 over the size and three 64 KiB samples (start, middle,
/// end), hex. Reads at most 192 KiB, so it is instant for any file. Throws salient::Error.
QString fileFingerprint(const QString &path);
/// Full SHA-256 (hex), streamed in 4 MiB blocks; @p progress may cancel (returns empty then).
QString fileSha256(const QString &path, const LoadProgress &progress = {});
/// Records @p path (made absolute) with size and fingerprint; sha256 only when @p fullHash.
InputFile describeInput(const QString &path, bool fullHash = false);

/// The model a session is attached to (key "model"; absent = none): the checkpoint the
/// activation files came from, so the live view, top contexts and interventions can run it.
/// Written by core/model/attach.h; plain data here (the session never loads the model).
struct SessionModel {
    QString path;                 ///< absolute: HF folder or llama2.c .bin
    QString tokenizer;            ///< absolute tokenizer path given at attach ("" = the default)
    QString fingerprint;          ///< SHA-256 (hex) of the checkpoint file(s) (attach.h)
    QString tokenizerFingerprint; ///< SHA-256 (hex) of the tokenizer file(s)
    QString kind;                 ///< config.json model_type, or "llama2.c"
    int layers = 0;               ///< hidden-state stack entries (blocks + 1), as files count them
    int dims = 0;                 ///< hidden size
    QString lastLayer;            ///< "norm" or "raw": the stack convention used (extract.h)
    QString aggregation;          ///< "first", "last" or "average": subwords → word
    bool isSet() const { return !path.isEmpty(); }
};

struct Session;
/// Starts computing the full SHA-256 of every input file of @p session on a background thread
/// and stores them in its InputFile::sha256. The caller must wait (get()) before reading or
/// saving the session's inputs; get() rethrows a read error.
std::future<void> hashInputsInBackground(Session &session);
/// Full SHA-256 (hex) of each existing file of @p paths (keys: absolute paths, as describeInput
/// records them; missing files are left out, the loader reports them), one file after another
/// on a new thread. Start it before loading the same files, while loading is I/O bound (page
/// faults, reads), and wait (get()) before training, so hashing never shares the cores with
/// compute. get() rethrows a read error.
std::future<std::map<QString, QString>> hashFilesInBackground(const QStringList &paths);
/// Stores hashes from hashFilesInBackground in the InputFile::sha256 of matching paths.
void setInputHashes(Session &session, const std::map<QString, QString> &sha256ByPath);

struct Session {
    static constexpr int kVersion = 1;
    int version = kVersion;
    // Inputs: either the built-in demo or files per split.
    bool demo = false;
    quint64 demoSeed = 7;
    QString demoProperty = QStringLiteral("pos");
    std::map<QString, std::array<InputFile, 3>>
        splits; ///< "train"/"dev"/"test" → acts, tokens, labels
    DatasetOptions dataOptions;
    /// Probe options of analyses without an entry in analysisProbeOptions (and of sessions
    /// written before per-analysis options existed); the options a new analysis starts from.
    ProbeOptions probeOptions;
    /// name → the probe options that analysis ran (or runs) with. `salient-cli run` replays each
    /// analysis with these (see probeOptionsFor), so a session records what each result used.
    std::map<QString, ProbeOptions> analysisProbeOptions;
    QStringList analyses;                 ///< names, run in this order by `salient-cli run`
    QJsonObject analysisOptions;          ///< name → options object
    QJsonObject results;                  ///< name → result object (numbers, curves, rankings)
    std::map<QString, RowMatrixF> arrays; ///< large arrays (e.g. "probe/W"), saved in the HDF5 file
    QString arraysFile;                   ///< file name of the sibling HDF5 (set by load/save)
    /// Notes on neurons (key "notes"; absent in older sessions = none). Not used by any analysis.
    NeuronNotes notes;
    /// How the GUI showed the session (key "view"): an object the GUI writes and reads back
    /// (settings, selection, layout). Core never interprets it. Empty for sessions written
    /// without it (and then not saved).
    QJsonObject view;
    /// The attached model (key "model"); !model.isSet() when none.
    SessionModel model;

    /// The task inputs to load (throws for a demo session: use loadSessionData).
    TaskInputs taskInputs() const;
    /// The probe options analysis @p name runs with: its analysisProbeOptions entry, else
    /// probeOptions (sessions written before per-analysis options existed).
    ProbeOptions probeOptionsFor(const QString &name) const;
};

/// Loads the data a session describes (demo or files), once.
LoadedTask loadSessionData(const Session &session, const LoadProgress &progress = {});

/// Failure injection for tests: save() throws salient::Error right after this step.
enum class SaveStep { None, ArraysTemporaryWritten, ArraysRenamed, JsonTemporaryWritten };

/// Saves atomically (see the file comment). Throws salient::Error naming the path on failure;
/// the previous session then stays intact.
void saveSession(const QString &path, Session &session, SaveStep failAfter = SaveStep::None);

struct SessionCheck {
    QStringList changedInputs; ///< readable messages: missing files, size or content changes
    bool ok() const { return changedInputs.isEmpty(); }
};

/**
 * Loads a session. Throws salient::Error for unreadable or invalid files, another version
 * ("session version 2, this Salient reads version 1"), invalid probe options (naming the key,
 * e.g. "analysis_probe_options.probe"), or arrays that do not match the JSON.
 * Input files are checked (existence, size, fingerprint) and the differences returned in
 * @p check (not thrown), so the caller decides whether to proceed.
 */
Session loadSession(const QString &path, SessionCheck *check = nullptr);

/// The "model" object of a session file, and back (throws salient::Error naming the key).
QJsonObject toJson(const SessionModel &m);
SessionModel sessionModelFromJson(const QJsonObject &o, const QString &where);

/// JSON forms of the option structs (also used in result files).
QJsonObject toJson(const DatasetOptions &o);
QJsonObject toJson(const ProbeOptions &o);
DatasetOptions datasetOptionsFromJson(const QJsonObject &o);
ProbeOptions probeOptionsFromJson(const QJsonObject &o);

} // namespace salient
