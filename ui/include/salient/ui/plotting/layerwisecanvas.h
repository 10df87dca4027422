#pragma once
// Layer-wise probes and LayerSelector (spec/NEUROX.md §8.2): accuracy per layer.
#include "salient/analyses/analyses.h"
#include "salient/ui/plotting/plotcanvas.h"

#include <QString>

#include <limits>

class QCPItemText;

namespace salient::ui {

/**
 * Draws a LayerwiseResult (computed by core; this class only draws it): x = original layer id
 * (integer ticks), y = accuracy on the selection split. Series:
 * - "independent probes": one probe per layer (markers and a solid line), when present;
 * - "incremental probes (layers 0..k)": the probe on the kept layers up to x (markers, dashed);
 * - "all layers": fullDev as a horizontal line;
 * - "LayerSelector threshold": the threshold as a dashed horizontal line;
 * - the selected layer (LayerwiseResult::selectedIndex) as a large ring on its incremental
 *   point, named in the legend ("selected: layer 5 (0.912)");
 * - optionally a short-dashed majority-class baseline labelled with its value (setBaseline()).
 * With LayerwiseResult::seeds N > 1 the points are the means over the N repetitions
 * (LayerScore::devSeeds) with ± sd error bars (QCPErrorBars), and the series names say so; with
 * one seed they are repetition 0's accuracies (LayerScore::dev).
 * Legend below the plot, axis labels "layer" and "accuracy". Without a result only a centred hint
 * text is drawn. Wheel zooms, drag pans, double click resets. GUI thread only.
 */
class LayerwiseCanvas : public PlotCanvas {
    Q_OBJECT
public:
    explicit LayerwiseCanvas(QWidget *parent = nullptr);
    ~LayerwiseCanvas() override;

    /**
     * Shows @p result (copied) and resets the view. A result without incremental probes shows
     * the empty state, as clear() does. A cancelled result shows the probes it finished.
     */
    void setResult(const LayerwiseResult &result);
    /// Shows the empty state (hint text, no axes). Keeps the baseline setting.
    void clear();
    /// True when a result is shown.
    bool hasResult() const;
    const LayerwiseResult &result() const;

    /// Majority-class accuracy drawn as a dotted horizontal line; NaN (default) = none.
    void setBaseline(double accuracy);
    double baseline() const;

    /// The hint drawn in the empty state (empty when a result is shown).
    QString emptyHint() const;
    /// Error bars drawn (one per point of a series; 0 with one seed). For tests and the report.
    int errorBarCount() const;
    /// Number of legend entries (for tests).
    int legendItemCount() const;
    /// Legend entry names in order (for tests and the report).
    QStringList legendNames() const;

    /**
     * The points: `series,index,layer,accuracy,test` — series ∈ independent, incremental (index
     * = kept index k, layer = original id, test empty when NaN), then `all_layers,,,fullDev,`,
     * `threshold,,,threshold,`, `selected,k,layer,dev,` (when a layer was selected) and
     * `baseline,,,accuracy,` (when set). Only the header in the empty state. With N > 1 seeds
     * accuracy and test are the means and two columns follow: accuracy_sd and seeds (N).
     */
    QByteArray csv() const override;

    /// Fits x to the layers (±0.5) and y to the accuracies shown with a margin, within −0.02..1.02.
    void resetView() override;

private:
    void rebuild();
    /// The plotted accuracy of @p s: the mean over the seeds when N > 1, else repetition 0's.
    double shownAccuracy(const LayerScore &s) const;

    LayerwiseResult m_result;
    double m_baseline = std::numeric_limits<double>::quiet_NaN();
    QCPItemText *m_hint = nullptr;
};

} // namespace salient::ui
