#pragma once
// The main window: menus, docks and drag and drop (mainwindow.cpp: docks and their wiring;
// mainwindow_menus.cpp: menus and drag and drop). The session state lives in a
// SessionController (ui/controller), the views render what it gives them (ui/views), the
// report is written by ui/export. GUI thread only.
#include "salient/probe/neuronid.h"
#include "salient/session/results.h"
#include "salient/session/session.h"
#include "salient/ui/export/figureexport.h"

#include <QMainWindow>
#include <QPointer>
#include <vector>

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
class InterventionView;
struct ExtractRequest;
class CurvesCanvas;
class CurvesView;
class DataDock;
class GridSearchView;
class JobRunner;
class JobsDock;
class LayerBarsCanvas;
class LayerwiseView;
class NeuronInspector;
class NeuronPresenter;
class NoteDialog;
class NotesView;
class OpenDataDialog;
class ProbeSettingsWidget;
class ProbeSummaryView;
class RunPanel;
class SalienceHeatmapCanvas;
class SalienceView;
class SentenceView;
class SessionController;
class TrainingCurveCanvas;
class WordActivationView;
struct TrainingPoint;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    /// Loads the built-in demo (synthetic) in a job. Returns the job id.
    int loadDemo();
    /// Loads files in a job; errors appear as a dialog (and in lastError()). Returns the job id.
    int loadFiles(const TaskInputs &inputs);
    /**
     * Loads what Open-data dialog @p dialog holds: its files and data options, with the probe
     * settings' options and the dialog's standardise choice as the new session's probe options.
     * A data set that loads is added to the dialog's recent list. Returns the job id.
     */
    int loadFromDataDialog(const OpenDataDialog &dialog);
    /// Opens a session: loads its inputs in a job and shows its stored results. Returns the job
    /// id, or −1 when the file cannot be read (a dialog says why).
    int openSession(const QString &path);
    /// Saves the session (atomic). Returns false (and shows a dialog) on failure.
    bool saveSessionAs(const QString &path);
    /// Runs analysis @p name with the Run dock's probe settings and @p options, on top of the Run
    /// dock's analysis options (RunPanel::analysisOptions, e.g. the probe's seeds; a key in
    /// @p options wins). Returns the job id.
    int runAnalysisJob(const QString &name, const QJsonObject &options = {});
    /// Blocks (processing events) until no job runs or @p timeoutMs passes; true when idle.
    bool waitForJobs(int timeoutMs);
    /**
     * How the window shows the session, saved in it (Session::view) by every save and autosave:
     * {"heatmap": SalienceView::viewState(), "selected": {"layer", "unit"} (absent when none),
     * "training": {"title", "points": [[batch, epoch, loss, accuracy], …]} (the training curve,
     * accuracy null for regression), "dock_state": base64 of QMainWindow::saveState,
     * "layout_version"}.
     */
    QJsonObject viewState() const;
    /// Restores viewState() output (done when a session opens); absent or unusable parts keep
    /// what the window shows (a dock state of another layout version is ignored).
    void restoreViewState(const QJsonObject &view);
    /// Writes one PNG per view into @p dir (views laid out at a fixed size). False on failure.
    bool writeScreenshots(const QString &dir);
    /// Shrinks (and moves) the window into its screen's available geometry (never below its
    /// minimum size); with @p reset, takes the default size where it fits. The app calls it once
    /// the window is shown and laid out; View › Reset layout calls it with @p reset.
    void fitToScreen(bool reset);
    /// Shows errors as dialogs (default) or only records them (tests, --screenshots).
    void setInteractive(bool on) { m_interactive = on; }

    /**
     * Runs core's "compare" analysis of the open session's probe with the probe of session
     * @p path (option other_session) through the controller; the Compare dock shows the result
     * and salient-cli run replays it. Errors (unreadable file, no probe on either side) appear as
     * a dialog and in lastError(). Returns the job id, −1 when there is no probe to compare.
     */
    int loadCompareSession(const QString &path);

    /**
     * File › Export report…: writes the report folder @p dir (layout in docs/gui.md) from what
     * the window shows (every figure, every result as CSV + JSON, the session that replays it and
     * index.html) as a background job in the Jobs dock with progress and cancel (startReportJob:
     * figures recorded on the GUI thread one per event-loop turn, encoded and written by the
     * job). The status bar says when it is written; failures appear as a dialog and in
     * lastError(). @return the job id, −1 (and @p error) when it cannot start.
     */
    int startReportExport(const QString &dir, QString *error = nullptr);
    /// startReportExport() and waits for the job (event loop running): headless
    /// `--export-report` and tests. False with a readable message in @p error (also cancel).
    bool exportReport(const QString &dir, QString *error = nullptr);
    /// Size, font and DPI of the report's figures (default: the double-column preset).
    void setReportFigures(const FigureOptions &options) { m_reportFigures = options; }

    /**
     * Opens dropped (or command-line) files: a session .json opens it; activation files and
     * token/label text files open the Open-data dialog prefilled (non-modal; see
     * pendingDataDialog()); anything else gives a status-bar message.
     * @return a short description of what was done (also shown in the status bar)
     */
    QString openDroppedFiles(const QStringList &paths);

    /**
     * Extracts activations from a model (File › Extract activations…) as a Compute job with
     * progress, ETA and cancel. When it succeeds, offers to open the result with its sentences
     * and the matching labels file (an Open-data dialog, prefilled; see lastExtractionInputs()).
     * Errors appear as a dialog and in lastError(). Returns the job id.
     */
    int extractActivations(const ExtractRequest &request);
    /// The inputs offered after the last successful extraction (empty before), for tests.
    TaskInputs lastExtractionInputs() const { return m_extractionInputs; }

    /// Model › Attach model…: attaches @p modelPath (+ @p tokenizerPath) to the session through
    /// the controller (a job; errors appear as a dialog). Returns the job id, −1 without data.
    int attachModel(const QString &modelPath, const QString &tokenizerPath = {});
    /// The "Try a sentence" view (a dock tabbed with the per-word view).
    SentenceView *sentenceView() const { return m_sentence; }

    // For tests and scripting.
    SessionController *controller() const { return m_controller; }
    JobRunner *jobs() const { return m_jobs; }
    ProbeSettingsWidget *probeSettings() const { return m_settings; }
    RunPanel *runPanel() const { return m_run; }
    SalienceView *salienceView() const { return m_salience; }
    SalienceHeatmapCanvas *heatmap() const;
    QComboBox *heatmapLabelChooser() const;
    QSpinBox *heatmapTopK() const;
    /// Cumulative weight-mass threshold in percent (0 = off).
    QDoubleSpinBox *heatmapMass() const;
    CompareDock *compareDock() const { return m_compare; }
    TrainingCurveCanvas *trainingCurve() const { return m_training; }
    GridSearchView *gridSearchView() const { return m_grid; }
    LayerwiseView *layerwiseView() const { return m_layerwise; }
    ProbeSummaryView *probeSummary() const { return m_probeSummary; }
    /// The Open-data dialog opened by the last drop (null when none is open).
    OpenDataDialog *pendingDataDialog() const;
    /// Neuron-profile results dropped because the selection had moved on (for tests).
    int staleProfilesDiscarded() const;
    /// True while a neuron-profile computation for the current selection runs.
    bool profilePending() const;
    QLineEdit *wordSearch() const { return m_search; }
    WordActivationView *wordView() const { return m_words; }
    NeuronInspector *inspector() const { return m_inspector; }
    DataDock *dataDock() const { return m_data; }
    CurvesView *curvesView() const { return m_curvesView; }
    CurvesCanvas *curves() const;
    LayerBarsCanvas *layerBars() const { return m_layers; }
    const Session &session() const;
    const LoadedTask *task() const;
    /// The probe the window shows (null when none).
    const ProbeReport *probe() const;
    /// The selected neuron as a column of the loaded matrix (−1 = none).
    int selectedColumn() const;
    /// The selected neuron of the model.
    NeuronId selectedNeuron() const;
    /// The Notes view (a dock tabbed with the inspector).
    NotesView *notesView() const { return m_notesView; }
    /**
     * Opens the note editor for neuron @p id (its note, or a new one), non-modal (window-modal
     * when interactive); Save stores it through the controller. Returns the dialog (also
     * pendingNoteDialog() until it closes), null for an invalid neuron.
     */
    NoteDialog *editNote(NeuronId id);
    NoteDialog *pendingNoteDialog() const;
    QString lastError() const { return m_lastError; }
    /// The session autosaved after every result (File › Recover unsaved session).
    static QString recoveryPath();

public Q_SLOTS:
    /// Selects column @p column of the loaded matrix in every view.
    void selectColumn(int column);

Q_SIGNALS:
    /// An analysis result is now shown (after every view updated).
    void analysisFinished(const QString &name);
    /// The selection moved to column @p column.
    void neuronSelected(int column);
    /// The inspector and word view now show the profile of column @p column.
    void neuronProfileReady(int column);
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
    void reportError(const QString &message);
    void autosave();
    void exportCurrentView();
    /// The export dialog for @p view (figureexport.h), then the file.
    void exportView(QWidget *view);
    /// "Export figure…" in every view's context menu.
    void installFigureMenus();
    void addRecent(const QString &path);
    void onTrainingPoints(int id, const QVector<TrainingPoint> &points);
    /// Restores the default docks and sizes and fits the window to its screen (View menu).
    void resetLayout();

    void applyDefaultDockSizes();
    void openDataDialog();
    void extractDialog();
    /// mainwindow_notes.cpp: the Notes dock, the inspector's note row and the heatmap tooltip.
    void setUpNotes();
    /// mainwindow_live.cpp: the Try-a-sentence dock, and the Model menu (after buildMenus).
    void setUpLive();
    void buildModelMenu();

    TaskInputs m_extractionInputs;
    FigureOptions m_reportFigures = FigureOptions::forPreset(FigurePreset::DoubleColumn);
    JobRunner *m_jobs = nullptr;
    SessionController *m_controller = nullptr;
    NeuronPresenter *m_neuron = nullptr;
    DataDock *m_data = nullptr;
    ProbeSettingsWidget *m_settings = nullptr;
    RunPanel *m_run = nullptr;
    ProbeSummaryView *m_probeSummary = nullptr;
    SalienceView *m_salience = nullptr;
    LayerBarsCanvas *m_layers = nullptr;
    CurvesView *m_curvesView = nullptr;
    GridSearchView *m_grid = nullptr;
    LayerwiseView *m_layerwise = nullptr;
    CompareDock *m_compare = nullptr;
    InterventionView *m_intervention = nullptr; ///< Run › Intervention… (issue 14)
    TrainingCurveCanvas *m_training = nullptr;
    int m_trainingJob = -1; ///< job whose batches the training curve shows
    QLineEdit *m_search = nullptr;
    WordActivationView *m_words = nullptr;
    NeuronInspector *m_inspector = nullptr;
    std::vector<QDockWidget *> m_docks;

    bool m_interactive = true;
    /// The default dock sizes still wait for the shown window's final size (fitToScreen).
    bool m_defaultSizesPending = false;
    QString m_lastError;
    QByteArray m_defaultState;      ///< dock layout as built, for View › Reset layout
    QPointer<QObject> m_dropDialog; ///< the OpenDataDialog of the last drop
    NotesView *m_notesView = nullptr;
    SentenceView *m_sentence = nullptr;
    QPointer<QObject> m_noteDialog; ///< the NoteDialog being edited
};

} // namespace salient::ui
