#pragma once
// The main window: docked views (Data, Run + jobs, Salience heatmap, Layer distribution, Ablation
// and minimal subset, Per-word activations, Neuron inspector), linked by the selected neuron.
// Every analysis runs through one JobRunner (off the GUI thread) via core's pipeline; the window
// only shows results. GUI thread only.
#include "salient/pipeline.h"
#include "salient/session.h"

#include <QMainWindow>
#include <memory>
#include <optional>

class QComboBox;
class QDockWidget;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace salient::ui {

class DataDock;
class JobRunner;
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

    // For tests and scripting.
    JobRunner *jobs() const { return m_jobs; }
    SalienceHeatmapCanvas *heatmap() const { return m_heatmap; }
    QComboBox *heatmapLabelChooser() const { return m_heatLabel; }
    QSpinBox *heatmapTopK() const { return m_heatTopK; }
    QLineEdit *wordSearch() const { return m_search; }
    WordActivationView *wordView() const { return m_words; }
    NeuronInspector *inspector() const { return m_inspector; }
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

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void buildMenus();
    QDockWidget *addView(const QString &title, const QString &name, QWidget *widget, Qt::DockWidgetArea area);
    void setTask(std::shared_ptr<LoadedTask> task, const QString &source, const QString &description);
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
};

} // namespace salient::ui
