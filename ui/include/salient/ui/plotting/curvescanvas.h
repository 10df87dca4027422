#pragma once
// View 5 (DESIGN.md §4): accuracy vs number of neurons — ablation curves and the minimal subset.
#include "salient/analyses/analyses.h"
#include "salient/ui/plotting/plotcanvas.h"

#include <limits>
#include <vector>

class QCPItemText;

namespace salient::ui {

/// One ablation kind (masking or retraining); vectors indexed like CurvesData::sizes. Empty
/// vectors are not drawn; a line with a same-length sd vector gets a translucent ± sd band
/// (NaN entries, e.g. one seed, are left out of the band).
struct AblationSeries {
    std::vector<double> top, randomMean, randomStd, bottom;
    std::vector<double> topSd, bottomSd; ///< over seeds; empty = no band
    bool isEmpty() const { return top.empty() && randomMean.empty() && bottom.empty(); }
};

/// Everything the curves canvas draws, as plain numbers (accuracies in 0..1).
struct CurvesData {
    std::vector<double> sizes; ///< x of the ablation curves: neuron counts (> 0), increasing
    AblationSeries masking;    ///< solid lines
    AblationSeries retraining; ///< dashed lines
    /// Repetitions behind the ablation lines; > 1: the lines are means over seeds and the legend
    /// says "(mean ± sd over N seeds)".
    int seeds = 1;
    /// Majority baseline accuracy of the selection split (dashed horizontal line labelled
    /// "majority baseline (NN) 0.24"); NaN = not drawn.
    double baseline = std::numeric_limits<double>::quiet_NaN();
    QString baselineLabel; ///< the train majority label
    /// Accuracy with all neurons (horizontal line); NaN = not drawn.
    double oracle = std::numeric_limits<double>::quiet_NaN();
    /// Minimal-subset target oracle × (1 − δ/100); with @c oracle, the shaded δ band. NaN = none.
    double target = std::numeric_limits<double>::quiet_NaN();
    std::vector<double> subsetSizes;    ///< minimal-subset search: evaluated sizes
    std::vector<double> subsetAccuracy; ///< ... and their accuracies (same length)
    int chosenSize = 0;                 ///< the chosen minimal size (vertical line); ≤ 0 = none
    bool chosenIsAll = false; ///< no candidate beat the target: the chosen set is all neurons
};

/**
 * Accuracy (y) against the number of neurons kept (x): top / random (mean with a shaded ± std
 * band) / bottom, for masking (solid) and retraining (dashed); the oracle as a horizontal line;
 * the δ band between target and oracle; the minimal-subset search points and the chosen size
 * as a labelled vertical line. Colours follow NeuroX (top dodger blue, random gold, bottom
 * orange-red, all neurons lime green); markers (circle / square / triangle) and dash patterns
 * keep the lines apart in greyscale. Legend below the plot. Wheel zooms, drag pans, double click
 * resets. GUI thread only.
 */
class CurvesCanvas : public PlotCanvas {
    Q_OBJECT
public:
    explicit CurvesCanvas(QWidget *parent = nullptr);
    ~CurvesCanvas() override;

    /// Replaces everything shown by @p data and resets the view.
    void setData(const CurvesData &data);
    const CurvesData &data() const;

    /**
     * Shows the ablation curves of @p result (sizes, masking, retraining). The oracle line is
     * taken from result.oracleSelection unless a minimal subset (which brings its own oracle)
     * is shown. Keeps the minimal-subset part.
     */
    void setAblation(const AblationResult &result);
    /**
     * Shows the minimal-subset search of @p result: its curve (dev accuracies), the oracle,
     * the δ band (result.target .. result.oracleDev) and the chosen size (none unless status is
     * Ok). Keeps the ablation part.
     */
    void setMinimalSubset(const MinimalSubsetResult &result);
    /// Removes everything.
    void clear();

    /// Logarithmic x axis (default off). Sizes are neuron counts ≥ 1, so always valid.
    void setLogX(bool on);
    bool logX() const;
    /// y axis fitted to the data (on) or fixed to accuracy 0..1 (off, default).
    void setAutoY(bool on);
    bool autoY() const;

    /// Number of legend entries (for tests).
    int legendItemCount() const;

    /**
     * `series,mode,x,accuracy,std`: series ∈ top, random, bottom (mode masking/retraining; std
     * the sd over seeds when known), subset (mode retraining), oracle, target and baseline (x
     * empty), chosen (x only).
     */
    QByteArray csv() const override;

    /// Fits the axes to the data (x) and to 0..1 or the data (y).
    void resetView() override;
    /// Whether the legend stands right of the plot (one column) rather than below it (for tests).
    bool legendAtSide() const { return m_legendAtSide; }

protected:
    /// On a short, wide canvas (the 1366 × 768 layout) the legend moves right of the plot, in
    /// one column, so that the curves keep the height; otherwise it is a row below the plot.
    /// Figures always have it below (fitted by PlotCanvas::paintFigure).
    void fitToSize() override;
    void restoreFitToSize() override;
    void beginFigure() override;

private:
    void placeLegend(bool side);
    void rebuild();
    void placeChosenLabel();

    CurvesData m_data;
    QCPItemText *m_chosenLabel = nullptr; ///< owned by the plot; null when no chosen size
    bool m_logX = false;
    bool m_autoY = false;
    QCPLayoutGrid *m_legendRow = nullptr; ///< the row below the plot (owned by the plot)
    bool m_legendAtSide = false;
};

} // namespace salient::ui
