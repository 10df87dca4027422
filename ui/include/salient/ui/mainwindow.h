#pragma once
// The main window: docked views (Data, Run + jobs, Salience heatmap, Layer distribution, Ablation
// and minimal subset, Per-word activations, Neuron inspector), linked by the selected neuron.
// Every analysis runs through one JobRunner (off the GUI thread) via core's pipeline; the window
// only shows results. GUI thread only.
#include "salient/analyses/pipeline.h"
#include "salient/session/session.h"

#include <QMainWindow>
#include <QPointer>
#include <memory>
#include <optional>

class QComboBox;
class QDockWidget;
class QDoubleSpinBox;
class QDragEnterEvent;
class QDropEvent;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace salient::ui {

class CompareDock;
class DataDock;
class JobRunner;
class OpenDataDialog;
class TrainingCurveCanvas;
struct CompareSide;
struct TrainingPoint;
class JobsDock;
class LayerBarsCanvas;
class CurvesCanvas;
class NeuronInspector;
class ProbeSettingsWidget;
class SalienceHeatmapCanvas;
class WordActivationView;
enum class JobStatus;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    /// Loads the built-in demo (synthetic) in a job. Returns the job id.
    int loadDemo();
    /// Loads files in a job; errors appear as a dialog (and in lastError()). Returns the job id.
    int loadFiles(const TaskInputs &inputs);
    /// Opens a session: loads its inputs in a job and shows its stored results. Returns the job id,
    /// or −1 when the file cannot be read (a dialog says why).
    int openSession(const QString &path);
    /// Saves the session (atomic). Returns false (and shows a dialog) on failure.
    bool saveSessionAs(const QString &path);
    /// Runs analysis @p name with @p options on the loaded data in a job. Returns the job id.
    int runAnalysisJob(const QString &name, const QJsonObject &options = {});
    /// Blocks (processing events) until no job runs or @p timeoutMs passes; true when idle.
    bool waitForJobs(int timeoutMs);
    /// Writes one PNG per view into @p dir (views laid out at a fixed size). False on failure.
    bool writeScreenshots(const QString &dir);
    /// Shows errors as dialogs (default) or only records them (tests, --screenshots).
    void setInteractive(bool on) { m_interactive = on; }

    /**
     * Loads session @p path in a job and compares its probe with the open session's in the
     * Compare dock (core's rankings and overlap). Errors (unreadable file, no probe on either
     * side) appear as a dialog and in lastError(). Returns the job id, −1 when nothing to compare.
     */
    int loadCompareSession(const QString &path);

    /**
     * Writes the report folder @p dir: figures/ (every view as PNG, SVG and PDF), tables/ (every
     * table as CSV and JSON: salience matrix, ranking, curves, layer distribution, training
     * curve, inspector, comparison), session.json (+ its arrays file), params.json and
     * index.html listing everything with the figures inline (layout in docs/gui.md). The folder
     * is assembled under a temporary sibling name and renamed to @p dir at the end, so a failure
     * leaves no partial report; an existing @p dir must be empty or an earlier report (it is then
     * replaced). Returns false with a readable message in @p error (also shown as a dialog).
     * GUI thread; blocks while writing (a few seconds at most).
     */
    bool exportReport(const QString &dir, QString *error = nullptr);

    /**
     * Opens dropped (or command-line) files: a session .json opens it; activation files
     * (.hdf5/.h5/.json lines) and token/label text files open the Open-data dialog prefilled
     * (non-modal; see pendingDataDialog()); anything else gives a status-bar message.
     * @return a short description of what was done (also shown in the status bar)
     */
    QString openDroppedFiles(const QStringList &paths);

    // For tests and scripting.
    JobRunner *jobs() const { return m_jobs; }
    SalienceHeatmapCanvas *heatmap() const { return m_heatmap; }
    QComboBox *heatmapLabelChooser() const { return m_heatLabel; }
    QSpinBox *heatmapTopK() const { return m_heatTopK; }
    /// Cumulative weight-mass threshold in percent (0 = off).
    QDoubleSpinBox *heatmapMass() const { return m_heatMass; }
    CompareDock *compareDock() const { return m_compare; }
    TrainingCurveCanvas *trainingCurve() const { return m_training; }
    /// The Open-data dialog opened by the last drop (null when none is open).
    OpenDataDialog *pendingDataDialog() const;
    /// Neuron-profile results dropped because the selection had moved on (for tests).
    int staleProfilesDiscarded() const { return m_staleProfiles; }
    /// True while a neuron-profile computation for the current selection runs.
    bool profilePending() const { return m_profilePending; }
    QLineEdit *wordSearch() const { return m_search; }
    WordActivationView *wordView() const { return m_words; }
    NeuronInspector *inspector() const { return m_inspector; }
    DataDock *dataDock() const { return m_data; }
    CurvesCanvas *curves() const { return m_curves; }
    LayerBarsCanvas *layerBars() const { return m_layers; }
    const Session &session() const { return m_session; }
    const LoadedTask *task() const { return m_task.get(); }
    const std::optional<Probe> &probe() const { return m_probe; }
    int selectedNeuron() const { return m_selected; }
    QString lastError() const { return m_lastError; }

public Q_SLOTS:
    /// Selects a neuron (flat index) in every view.
    void selectNeuron(int flat);

Q_SIGNALS:
    void dataLoaded();
    void analysisFinished(const QString &name);
    void neuronSelected(int flat);
    /// The inspector and word view now show the profile of @p flat (computed off the GUI thread).
    void neuronProfileReady(int flat);
    /// The Compare dock shows a new comparison.
    void comparisonReady();

protected:
    void closeEvent(QCloseEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    void buildMenus();
    QDockWidget *addView(const QString &title, const QString &name, QWidget *widget,
                         Qt::DockWidgetArea area);
    void setTask(std::shared_ptr<LoadedTask> task, const QString &source,
                 const QString &description);
    void onAnalysisDone(const QString &name, const AnalysisOutput &out);
    void showProbe();
    /// Redraws the heatmap from the probe with the controls' label, value kind, order and top-k.
    void refreshHeatmap();
    void updateCurves();
    void highlightTokens(const QVector<int> &rows);
    void reportError(const QString &message);
    void autosave();
    void exportCurrentView();
    void addRecent(const QString &path);
    void onTrainingPoints(int id, const QVector<TrainingPoint> &points);
    void refreshCompareSideA();
    bool writeReportInto(const QString &dir, QString *error);
    void resetLayout();
    void applyDefaultDockSizes();

    JobRunner *m_jobs = nullptr;
    DataDock *m_data = nullptr;
    JobsDock *m_jobsDock = nullptr;
    ProbeSettingsWidget *m_settings = nullptr;
    SalienceHeatmapCanvas *m_heatmap = nullptr;
    LayerBarsCanvas *m_layers = nullptr;
    CurvesCanvas *m_curves = nullptr;
    QLabel *m_selectivity = nullptr;
    QComboBox *m_heatLabel = nullptr;
    QComboBox *m_heatValue = nullptr;
    QComboBox *m_heatOrder = nullptr;
    QSpinBox *m_heatTopK = nullptr;
    QDoubleSpinBox *m_heatMass = nullptr;
    CompareDock *m_compare = nullptr;
    TrainingCurveCanvas *m_training = nullptr;
    int m_trainingJob = -1; ///< job whose batches the training curve shows
    QLineEdit *m_search = nullptr;
    QLabel *m_searchCount = nullptr;
    WordActivationView *m_words = nullptr;
    NeuronInspector *m_inspector = nullptr;
    std::vector<QDockWidget *> m_docks;

    std::shared_ptr<LoadedTask> m_task; ///< written on the GUI thread only, read by jobs (shared)
    Session m_session;
    std::optional<Probe> m_probe;
    NeuronList m_ordering; ///< the probe's full ordering (dataset columns)
    int m_selected = -1;
    bool m_interactive = true;
    QString m_lastError;
    QString m_sessionPath;
    QByteArray m_defaultState;       ///< dock layout as built, for View › Reset layout
    quint64 m_profileGeneration = 0; ///< incremented per selection; older profile results are stale
    int m_staleProfiles = 0;
    bool m_profilePending = false;
    QPointer<QObject>
        m_dropDialog; ///< the OpenDataDialog of the last drop (deletes itself on close)
};

} // namespace salient::ui
