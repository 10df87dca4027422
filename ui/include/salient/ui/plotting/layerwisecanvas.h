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
 * - optionally a dotted majority-class baseline (setBaseline()).
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
    /// Number of legend entries (for tests).
    int legendItemCount() const;
    /// Legend entry names in order (for tests and the report).
    QStringList legendNames() const;

    /**
     * The points: `series,index,layer,accuracy,test` — series ∈ independent, incremental (index
     * = kept index k, layer = original id, test empty when NaN), then `all_layers,,,fullDev,`,
     * `threshold,,,threshold,`, `selected,k,layer,dev,` (when a layer was selected) and
     * `baseline,,,accuracy,` (when set). Only the header in the empty state.
     */
    QByteArray csv() const override;

    /// Fits x to the layers (±0.5) and y to the accuracies shown with a margin, within −0.02..1.02.
    void resetView() override;

private:
    void rebuild();

    LayerwiseResult m_result;
    double m_baseline = std::numeric_limits<double>::quiet_NaN();
    QCPItemText *m_hint = nullptr;
};

} // namespace salient::ui
