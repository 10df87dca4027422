#pragma once
// View 3 (DESIGN.md §4): the salience heatmap, layers × neurons coloured by salience.
#include "salient/probe/salience.h"
#include "salient/ui/plotting/colormaps.h"
#include "salient/ui/plotting/plotcanvas.h"

#include <QPoint>
#include <QSharedPointer>

#include <functional>
#include <vector>

class QCPAxisTicker;
class QCPColorMap;
class QCPColorScale;
class QCPItemRect;
class QMouseEvent;

namespace salient::ui {

/**
 * Draws a SalienceMatrix (computed by core; this class only draws it) as one QCPColorMap without
 * interpolation: x = neuron position within the layer, y = layer row (row 0 at the bottom, tick
 * labels show the original layer ids), a colour bar with a title, and NaN (neurons the probe did
 * not use) in light grey. The map data are set once per change; there is one plot object for
 * all cells, so 48 × 8,192 matrices stay smooth.
 *
 * Interaction: mouse wheel zooms, drag pans, double click resets the view; hovering shows
 * tooltipAt(); a click (press and release within a few pixels) selects the neuron under the
 * cursor, marks it and emits neuronClicked().
 *
 * Coordinates used by the accessors: @c layerRow is the matrix row (0..layers−1); @c x is the
 * horizontal cell position as drawn — the unit index in Order::ByIndex, its salience position
 * within the layer in Order::BySalience. A neuron is named by its @c column: the position in
 * the loaded matrix, layerRow · dims + unit (core's column space, see NeuronLayout).
 * GUI thread only.
 */
class SalienceHeatmapCanvas : public PlotCanvas {
    Q_OBJECT
public:
    /// How neurons are laid out along x.
    enum class Order {
        ByIndex,    ///< x = neuron index within the layer (default)
        BySalience, ///< x = position when sorted by salience within each layer
                    ///< (SalienceMatrix::sortedIndex)
    };
    /// Returns a short HTML-free description of a neuron's top classes and weights (e.g.
    /// "NOUN 0.41, VERB 0.22"), or an empty string; called with a column position.
    using ClassWeightProvider = std::function<QString(int column)>;

    explicit SalienceHeatmapCanvas(QWidget *parent = nullptr);
    ~SalienceHeatmapCanvas() override;

    /**
     * Shows @p matrix (copied). @p kind selects the colour bar title ("share of weight mass" or
     * "rank score") and the colour range ([0, max] resp. [0, 1]). Clears the threshold and the
     * selection and resets the view. An empty matrix (0 layers) clears the plot.
     */
    void setMatrix(const SalienceMatrix &matrix, SalienceMode kind = SalienceMode::WeightShare);
    const SalienceMatrix &matrix() const;
    SalienceMode valueKind() const;

    /// Lays neurons out by index (default) or sorted by salience within each layer; keeps the
    /// threshold and selection (the marker moves with its neuron).
    void setOrder(Order order);
    Order order() const;

    /**
     * Shows only the neurons in @p keep (column positions; e.g. the top-k of the ranking or
     * salient::withinCumulativeMass()); the others are drawn transparent (background). Positions
     * outside the matrix are ignored. The colour range is unchanged.
     */
    void setKeptNeurons(const NeuronList &keep);
    /// Shows every neuron again (default).
    void clearKeptNeurons();
    /// True when a threshold is active.
    bool hasThreshold() const;
    /// True when the neuron at @p column is drawn (no threshold, or it is kept).
    bool isShown(int column) const;

    /// The column positions of the @p k most salient neurons (SalienceMatrix::rankOf < k), for a
    /// top-k threshold. Pure selection over core's ranks.
    static NeuronList topK(const SalienceMatrix &matrix, int k);

    /// Sets the provider used by tooltipAt() for the top classes (empty function = none).
    void setClassWeightProvider(ClassWeightProvider provider);
    /// Sets the provider of the neuron's note for tooltipAt() (a column → one or more lines, ""
    /// = no note; empty function = none). The provider is called on the GUI thread.
    void setNoteProvider(ClassWeightProvider provider);

    /// Colour map of the cells and colour bar (default viridis).
    void setColourMap(ColourMap map);
    ColourMap colourMap() const;

    /// Logarithmic colour scale (default off): colours from the smallest positive value (at most
    /// six decades below the largest) to the largest; zeros get the lowest colour.
    void setLogScale(bool on);
    bool logScale() const;

    /// Column drawn at (@p layerRow, @p x), or −1 outside the matrix.
    int columnAt(int layerRow, int x) const;
    /// The value drawn at (@p layerRow, @p x), read back from the colour map's data (NaN for
    /// unused neurons and outside the matrix).
    double valueAt(int layerRow, int x) const;

    /**
     * Tooltip text of the cell at (@p layerRow, @p x): original layer id, neuron index, column
     * position, rank (1 = most salient, of the neurons the probe used), value, and — when a
     * class-weight provider is set — its text, and the neuron's note when a note provider is set.
     * Empty outside the matrix.
     */
    QString tooltipAt(int layerRow, int x) const;

    /// Centre of the cell of @p column in widget coordinates of plot() (= of this canvas), for
    /// the current zoom; (−1, −1) for an invalid position. Lays the plot out first if needed.
    QPoint pixelForNeuron(int column) const;

    /// Marks the cell of @p column with a visible outline (−1 clears). Does not emit.
    void selectNeuron(int column);
    /// The marked neuron, −1 when none.
    int selectedNeuron() const;

    /**
     * Long-format CSV of the matrix as drawn, one row per cell in drawing order (layer rows,
     * then x): `layer,unit,column,x,rank,value,shown` — layer = original id, rank 1-based (empty
     * when unused), value empty for NaN, shown 1/0 for the threshold.
     */
    QByteArray csv() const override;

    /// Shows the whole matrix.
    void resetView() override;

Q_SIGNALS:
    /// The user clicked the cell of @p column (the canvas has already selected it).
    void neuronClicked(int column);

protected:
    /// Wraps the colour-bar title to the bar's height (it is drawn vertically beside the bar).
    void fitToSize() override;
    void restoreFitToSize() override;

private:
    void rebuildMap();
    void updateAxes();
    void updateMarker();
    bool cellAtPixel(const QPointF &pos, int *layerRow, int *x) const;
    int xForColumn(int column) const;
    void onMouseMove(QMouseEvent *event);
    void onMousePress(QMouseEvent *event);
    void onMouseRelease(QMouseEvent *event);

    SalienceMatrix m_matrix;
    SalienceMode m_kind = SalienceMode::WeightShare;
    Order m_order = Order::ByIndex;
    ColourMap m_colourMap = ColourMap::Viridis;
    bool m_log = false;
    std::vector<unsigned char> m_keep; ///< per column position; empty = no threshold
    std::vector<int> m_positionOf;     ///< per column position: its x in Order::BySalience
    ClassWeightProvider m_classWeights;
    ClassWeightProvider m_notes;
    int m_selected = -1;
    int m_used = 0; ///< neurons with a rank (used by the probe)
    QPointF m_pressPos;
    bool m_pressed = false;

    QCPColorMap *m_map = nullptr;
    QCPColorScale *m_scale = nullptr;
    /// The colour bar's ticker (its tick count follows the bar's length).
    QSharedPointer<QCPAxisTicker> m_scaleTicker;
    int m_screenTickCount = 0; ///< the bar's on-screen tick count while a figure is painted
    QString m_scaleLabel;      ///< the colour-bar title before fitToSize() wrapped it
    QCPItemRect *m_markerOuter = nullptr;
    QCPItemRect *m_markerInner = nullptr;
};

} // namespace salient::ui
