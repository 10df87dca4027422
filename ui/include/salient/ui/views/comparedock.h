#pragma once
// View 8 (DESIGN.md §4): two models on the same task — overlap of their top-k neurons, their
// layer distributions side by side and their accuracy-vs-neurons curves. It renders core's
// "compare" analysis (CompareReport, mode "sessions" when it compares two saved sessions), which
// the controller runs and records, so `salient-cli run` replays it. For another k it calls core's
// neuronOverlap and layerDistribution on the report's orderings; nothing is ranked here.
#include "salient/analyses/analyses.h"
#include "salient/analyses/selectivity.h"
#include "salient/session/results.h"
#include "salient/ui/plotting/curvescanvas.h"

#include <QJsonObject>
#include <QPointer>
#include <QWidget>

class QLabel;
class QListWidget;
class QPushButton;
class QSpinBox;

namespace salient::ui {

class LayerBarsCanvas;
class SessionController;

/// What the Compare view shows for one k: core's numbers on the report's orderings.
struct Comparison {
    int k = 0;
    /// core's neuronOverlap of the two top-k sets as flat neuron indices (empty when the
    /// layouts differ: then neuron ids are not the same neurons).
    SetOverlap overlap;
    NeuronList onlyA, onlyB;            ///< top-k flat indices of one side not in the other's
    LayerDistribution layersA, layersB; ///< core's layerDistribution of each ordering at k
};

/**
 * Comparison of the first @p k neurons of the two models of @p report (core's neuronOverlap on
 * flat indices when report.sameLayout, core's layerDistribution). Throws salient::Error when the
 * report does not hold two models with complete orderings. Pure.
 */
Comparison compareAt(const CompareReport &report, int k);

/// The curves a model of @p report brings (its session's ablation / minimal subset, or the
/// retraining curve of mode "activations"); @p any: whether there is any.
CurvesData compareCurves(const CompareModel &model, bool *any = nullptr);

/**
 * The Compare dock: "Load session to compare…" (emits loadRequested; the main window asks the
 * controller to run the "compare" analysis), a top-k spin box (default the report's top_k), a
 * summary (count, Jaccard, overlap coefficient, mean layers, the report's warning), the shared /
 * only-A / only-B neuron lists, the two layer distributions side by side and each model's
 * curves. "Export…" writes every figure (PNG, SVG, PDF) and table (CSV, JSON) into a folder.
 *
 * With a controller (setController) it shows the controller's "compare" result whenever
 * resultChanged("compare") fires, clears on dataLoaded / resultInvalidated("compare"), and asks
 * the controller to run the same comparison again when the open session's probe, ablation or
 * minimal subset no longer matches side A of the shown one. GUI thread only.
 */
class CompareDock : public QWidget {
    Q_OBJECT
public:
    explicit CompareDock(QWidget *parent = nullptr);
    ~CompareDock() override;

    /// Follows @p controller (not owned; must outlive the dock). Idempotent; shows its compare
    /// result at once if it holds one.
    void setController(SessionController *controller);

    /// Shows @p report; k becomes report.topK unless the user chose one. Throws salient::Error
    /// for a report that compareAt rejects (nothing changes then).
    void setReport(const CompareReport &report);
    /// Shows nothing but @p why.
    void clearReport(const QString &why = {});
    bool hasComparison() const { return m_has; }
    const CompareReport &report() const { return m_report; }
    const Comparison &comparison() const { return m_cmp; }
    /// Sets k (top-k neurons compared) and recomputes.
    void setK(int k);
    int k() const;

    QString summaryText() const;
    LayerBarsCanvas *layerBars() const { return m_layers; }
    CurvesCanvas *curvesA() const { return m_curvesA; }
    CurvesCanvas *curvesB() const { return m_curvesB; }
    /// Whether model A / B of the shown report has curves.
    bool hasCurvesA() const { return m_hasCurvesA; }
    bool hasCurvesB() const { return m_hasCurvesB; }

    /**
     * Writes the figures compare-layers and compare-curves-a/-b (when present) as PNG, SVG and
     * PDF into @p figureDir, their data and compare-overlap as CSV and JSON into @p tableDir
     * (both must exist; may be equal). False and @p error on the first failure. The written
     * paths, relative to @p root, are appended to @p written (may be null).
     */
    bool exportTo(const QString &figureDir, const QString &tableDir, const QString &root,
                  QStringList *written, QString *error) const;
    /// The overlap table: JSON object with k, counts, jaccard and the three lists.
    QJsonObject overlapJson() const;
    /// `list,neuron,layer,index_in_layer` with list ∈ shared, only_a, only_b.
    QByteArray overlapCsv() const;

Q_SIGNALS:
    /// The user chose a session file to compare with.
    void loadRequested(const QString &path);
    /// A figure/table export failed (message for the main window's error dialog).
    void exportFailed(const QString &message);
    /// A report is shown (setReport succeeded).
    void reportShown();

private:
    void recompute();
    void fillLists();
    void showControllerResult();
    /// Re-runs the last comparison when side A no longer matches the controller's results.
    void rerunIfStale();

    QPointer<SessionController> m_controller;
    CompareReport m_report;
    QJsonObject m_lastOptions; ///< options of the last shown controller result (mode sessions)
    bool m_has = false;
    bool m_userK = false;
    bool m_hasCurvesA = false, m_hasCurvesB = false;
    Comparison m_cmp;
    QPushButton *m_load = nullptr;
    QPushButton *m_export = nullptr;
    QSpinBox *m_k = nullptr;
    QLabel *m_summary = nullptr;
    QListWidget *m_shared = nullptr, *m_onlyA = nullptr, *m_onlyB = nullptr;
    QLabel *m_onlyALabel = nullptr, *m_onlyBLabel = nullptr;
    LayerBarsCanvas *m_layers = nullptr;
    CurvesCanvas *m_curvesA = nullptr, *m_curvesB = nullptr;
};

} // namespace salient::ui
