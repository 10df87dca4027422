#pragma once
// View 8 (DESIGN.md §4): two sessions (models) on the same task — overlap of their top-k
// neurons, their layer distributions side by side and their accuracy-vs-neurons curves.
// Every number comes from core (fullOrdering, layerDistribution, neuronOverlap); this file only
// gathers a session's stored probe into those calls and shows the results.
#include "salient/analyses/analyses.h"
#include "salient/analyses/selectivity.h"
#include "salient/session/results.h"
#include "salient/session/session.h"
#include "salient/ui/plotting/curvescanvas.h"

#include <QWidget>

class QLabel;
class QListWidget;
class QPushButton;
class QSpinBox;

namespace salient::ui {

class LayerBarsCanvas;

/// One side of a comparison: a session's probe as core ranked it.
struct CompareSide {
    QString name;              ///< shown in legends (the session's file name)
    QString path;              ///< session file ("" for the open, unsaved session)
    std::vector<int> layerIds; ///< original layer id of each kept layer of the probe
    int dims = 0;              ///< neurons per layer
    QStringList labels;        ///< the probe's classes
    NeuronList columns;        ///< fullOrdering(|W|, stride): dataset columns, most salient first
    NeuronList flat;   ///< the same as flat neuron indices (layerIds[c / dims]·dims + c % dims)
    CurvesData curves; ///< stored ablation / minimal-subset curves
    bool hasCurves = false;
    int neurons() const { return int(columns.size()); }
};

/**
 * A side from typed results: the probe's ordering (core's, not recomputed) and the curves of the
 * same session (either may be null). Pure.
 */
CompareSide compareSide(const ProbeReport &probe, const AblationReport *ablation,
                        const MinimalSubsetReport *subset, const QString &name,
                        const QString &path = {});

/**
 * Reads session @p path and its typed results (resultFromJson) and makes its side. Throws
 * salient::Error naming the file when it cannot be read or has no probe. Any thread.
 */
CompareSide compareSideFromFile(const QString &path, const QString &name);

/// What the Compare view shows for one k: core's numbers plus the two exclusive lists.
struct Comparison {
    int k = 0;
    SetOverlap overlap;      ///< core's neuronOverlap of the two top-k sets (flat neurons)
    NeuronList onlyA, onlyB; ///< top-k of one side not in the other's (ascending)
    LayerDistribution layersA, layersB;
    bool sameTask = true; ///< same labels and neuron layout
    QString warning;      ///< why the sessions may not be comparable ("" when they are)
};

/// Compares the top @p k neurons of @p a and @p b (core's neuronOverlap, layerDistribution).
Comparison compareSides(const CompareSide &a, const CompareSide &b, int k);

/**
 * The Compare dock: "Load session to compare…" (emits loadRequested; the main window loads and
 * ranks it in a job and calls setSides), a top-k spin box (default 5 % of the neurons), a
 * summary (count, Jaccard, overlap coefficient, mean layers), the shared / only-A / only-B
 * neuron lists, the two layer distributions side by side and each session's curves.
 * "Export…" writes every figure (PNG, SVG, PDF) and table (CSV, JSON) into a folder.
 * GUI thread only.
 */
class CompareDock : public QWidget {
    Q_OBJECT
public:
    explicit CompareDock(QWidget *parent = nullptr);
    ~CompareDock() override;

    /// Shows the comparison of @p a (the open session) with @p b; keeps k when set by the user.
    void setSides(const CompareSide &a, const CompareSide &b);
    /// Replaces side A only (the open session's probe changed); no-op without side B.
    void setSideA(const CompareSide &a);
    bool hasComparison() const { return m_hasB; }
    const Comparison &comparison() const { return m_cmp; }
    const CompareSide &sideA() const { return m_a; }
    const CompareSide &sideB() const { return m_b; }
    /// Sets k (top-k neurons compared) and recomputes.
    void setK(int k);
    int k() const;

    QString summaryText() const;
    LayerBarsCanvas *layerBars() const { return m_layers; }
    CurvesCanvas *curvesA() const { return m_curvesA; }
    CurvesCanvas *curvesB() const { return m_curvesB; }

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

private:
    void recompute();
    void fillLists();

    CompareSide m_a, m_b;
    bool m_hasB = false;
    bool m_userK = false;
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
