#pragma once
// The one session state of the desktop app (STYLE.md §5: typed results flow one way; derived
// state is invalidated, not left behind). A non-widget QObject that owns the loaded data, the
// session record and the typed results computed from them, starts every job through the
// JobRunner and tells the views what changed through typed signals. Views render only what it
// gives them; nothing here draws.
#include "salient/analyses/pipeline.h"
#include "salient/probe/neuronid.h"
#include "salient/session/results.h"
#include "salient/session/session.h"

#include <QObject>
#include <map>
#include <memory>
#include <optional>

namespace salient::model {
struct AttachedModel;
}

namespace salient::ui {

class JobRunner;

/**
 * Owns what the window shows: the loaded task (data), the Session (inputs, options, results as
 * saved and replayed) and the typed results (ProbeReport, GridSearchReport, ...), plus the
 * selected neuron (a column of the loaded matrix).
 *
 * Consistency rules (each tested in tests/ui/tst_controller.cpp):
 * - Loading data (demo, files, a session) replaces the task, clears every result and the
 *   selection, and emits dataLoaded() before anything else; a session's stored results are then
 *   read back typed (resultFromJson) and announced with resultChanged().
 * - A job's result is applied only if the data it ran on are still loaded (data generation);
 *   otherwise it is discarded and the job's message says so.
 * - All results shown share one set of probe options (grid search aside, which ignores λ): a new
 *   result computed with other probe options invalidates every result computed with different
 *   ones (resultInvalidated() with the reason). A new minimal subset invalidates the selectivity
 *   that used the old one.
 * - Each analysis is recorded in the session with exactly the probe options it ran with
 *   (Session::analysisProbeOptions), so `salient-cli run` replays every number.
 *
 * Thread: GUI thread only. Jobs run on the runner's threads and hand their typed results back
 * through the runner's per-job completion handler.
 */
class SessionController : public QObject {
    Q_OBJECT
public:
    /// @p jobs must outlive the controller.
    explicit SessionController(JobRunner *jobs, QObject *parent = nullptr);
    ~SessionController() override;

    // --- state -------------------------------------------------------------------------------
    /// The loaded data (null before the first load). Shared with running jobs (read-only).
    const LoadedTask *task() const { return m_task.get(); }
    /// The same, shared: a job holds it so the data outlive a reload while it runs.
    std::shared_ptr<const LoadedTask> sharedTask() const { return m_task; }
    /// Incremented by every data load; results of jobs started on an older generation are dropped.
    quint64 dataGeneration() const { return m_generation; }
    /// The loaded neurons (empty before a load).
    const NeuronLayout &layout() const { return m_layout; }
    const Session &session() const { return m_session; }
    /// The session file the data came from or was last saved to ("" for unsaved data).
    QString sessionPath() const { return m_sessionPath; }
    /// "built-in demo dataset (SYNTHETIC)", a session or activation file name; "" before a load.
    QString sourceName() const { return m_source; }
    /// The probe options of the shown results (the probe's when there is one), if any result.
    std::optional<ProbeOptions> resultOptions() const;

    const ProbeReport *probe() const { return get<ProbeReport>(QStringLiteral("probe")); }
    const GridSearchReport *gridSearch() const
    {
        return get<GridSearchReport>(QStringLiteral("grid-search"));
    }
    const MinimalSubsetReport *minimalSubset() const
    {
        return get<MinimalSubsetReport>(QStringLiteral("minimal-subset"));
    }
    const AblationReport *ablation() const
    {
        return get<AblationReport>(QStringLiteral("ablation"));
    }
    const SelectivityReport *selectivity() const
    {
        return get<SelectivityReport>(QStringLiteral("selectivity"));
    }
    const LayerwiseReport *layerwise() const
    {
        return get<LayerwiseReport>(QStringLiteral("layerwise"));
    }
    /// The typed result of analysis @p name, null when absent.
    const AnalysisResult *result(const QString &name) const;
    /// The same result, shared (immutable): a job or a deferred callback keeps it alive even
    /// when the controller replaces or invalidates it meanwhile.
    std::shared_ptr<const AnalysisResult> sharedResult(const QString &name) const;
    /// Names of the results held, in the session's order.
    QStringList resultNames() const;

    /// The selected neuron as a column of the loaded matrix, −1 when none.
    int selectedColumn() const { return m_selected; }
    /// The selected neuron of the model (invalid when none).
    NeuronId selectedNeuron() const { return m_layout.neuron(m_selected); }

    // --- actions -----------------------------------------------------------------------------
    /// Loads the built-in synthetic demo in a job. Returns the job id.
    int loadDemo();
    /// Loads files in a job (each activation file is first checked in a child process). The new
    /// session's probe options are @p probe when given (e.g. the Open-data dialog's
    /// --standardize), else the defaults.
    int loadFiles(const TaskInputs &inputs, const std::optional<ProbeOptions> &probe = {});
    /// Opens a session: reads it now (errors → errorOccurred, returns −1), loads its data in a
    /// job, then shows its stored results. @p check receives changed-input messages.
    int openSession(const QString &path, SessionCheck *check = nullptr);
    /// Saves the session atomically; false and @p error on failure.
    bool saveSession(const QString &path, QString *error);
    /// Writes the session to @p path without making it the session's file (reports, recovery).
    bool writeSessionCopy(const QString &path, QString *error) const;
    /// Records how the window shows the session (Session::view, opaque here), saved with it.
    void setViewState(const QJsonObject &view) { m_session.view = view; }

    /**
     * Runs analysis @p name with probe options @p probe and @p options on the loaded data.
     * The result replaces the previous one of that name and invalidates what it contradicts
     * (class comment). Returns the job id, −1 when there is no data or the options are invalid
     * (errorOccurred says why).
     */
    int runAnalysis(const QString &name, const ProbeOptions &probe,
                    const QJsonObject &options = {});

    /// Selects column @p column (−1 clears); emits neuronSelected() when it changes or @p force.
    void selectColumn(int column, bool force = false);

    // --- neuron notes (saved in the session; see salient/session/notes.h) --------------------
    const NeuronNotes &notes() const { return m_session.notes; }
    /// The note on @p id, null when none (valid until the notes change).
    const NeuronNote *note(NeuronId id) const { return m_session.notes.find(id); }
    /**
     * Adds @p note or replaces the note on the same neuron, with modified set to the current UTC
     * time; emits notesChanged(). False (and errorOccurred) for an invalid neuron.
     */
    bool setNote(NeuronNote note);
    /// Removes the note on @p id; emits notesChanged() and returns true when there was one.
    bool removeNote(NeuronId id);

    // --- the attached model (docs/live.md; sessioncontroller_model.cpp) -----------------------
    /// The model the session is attached to, loaded (null when none, or until an opened
    /// session's model is reloaded). Shared and immutable: live jobs hold it while they run.
    std::shared_ptr<const model::AttachedModel> attachedModel() const { return m_model; }
    /**
     * Loads @p modelPath (+ @p tokenizerPath) in a job on the Interactive lane, fingerprints it
     * and checks it against the loaded train activation file (model/attach.h); on success records
     * it in the session (Session::model) and emits modelAttached(). A mismatch or load error ends
     * the job Failed with the message (JobRunner::finished; the window shows it). Returns the job
     * id, −1 without data.
     */
    int attachModel(const QString &modelPath, const QString &tokenizerPath = {});
    /**
     * Attaches an already loaded model (scripting, tests, benchmarks): recorded in the session
     * as given, without the fingerprint or shape check attachModel() does; emits modelAttached().
     */
    void useModel(std::shared_ptr<const model::AttachedModel> model);
    /// Warnings of the last attach (e.g. no model_sha256 attribute to compare with).
    QStringList modelWarnings() const { return m_modelWarnings; }

Q_SIGNALS:
    /// attachedModel() changed: attached, reloaded with an opened session, or cleared by a load.
    void modelAttached();
    /// New data are loaded: every view clears what it showed.
    void dataLoaded();
    /// Result @p name was added or replaced (read it with result()/probe()/...).
    void resultChanged(const QString &name);
    /// Result @p name no longer holds (removed); @p why is shown where it was.
    void resultInvalidated(const QString &name, const QString &why);
    /// The selection moved to @p column (−1 = none).
    void neuronSelected(int column);
    /// A probe training job started: its id (for the live curve) and options.
    void trainingStarted(int jobId, const salient::ProbeOptions &options);
    /// Something failed; @p message names what and why.
    void errorOccurred(const QString &message);
    /// The session was saved to or opened from @p path.
    void sessionPathChanged(const QString &path);
    /// The notes changed: one added, edited or removed, or all replaced by a load (after
    /// dataLoaded()).
    void notesChanged();
    /// An opened session's data and stored results are shown (after their resultChanged() and
    /// the default selection): the window may now restore @p view, the view state the file
    /// held (session().view may meanwhile have been overwritten by an autosave).
    void sessionOpened(const QJsonObject &view);

private:
    template <typename T> const T *get(const QString &name) const
    {
        const auto it = m_results.find(name);
        return it == m_results.end() ? nullptr : std::get_if<T>(it->second.get());
    }
    /// Replaces the task and clears every result (dataLoaded()).
    void setTask(std::shared_ptr<const LoadedTask> task, Session session, const QString &source,
                 const QString &path);
    /// Records @p result of @p name computed with @p po, invalidating what it contradicts.
    void applyResult(const QString &name, const ProbeOptions &po,
                     std::shared_ptr<const AnalysisResult> result, const QJsonObject &options);
    void invalidate(const QString &name, const QString &why);
    void hashInputs();
    /// sessioncontroller_model.cpp: clears the model on a data load, reloads an opened session's.
    void setUpModel();

    JobRunner *m_jobs;
    std::shared_ptr<const LoadedTask> m_task;
    NeuronLayout m_layout;
    quint64 m_generation = 0;
    Session m_session;
    QString m_sessionPath;
    QString m_source;
    std::map<QString, std::shared_ptr<const AnalysisResult>> m_results;
    int m_selected = -1;
    std::shared_ptr<const model::AttachedModel> m_model;
    QStringList m_modelWarnings;
};

/// True when results computed with @p a and @p b may be shown together: equal options, λ1/λ2
/// ignored when either analysis is a grid search (it scans λ itself).
bool compatibleProbeOptions(const ProbeOptions &a, const ProbeOptions &b, bool ignoreLambda);

} // namespace salient::ui
