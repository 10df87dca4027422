#pragma once
// The λ grid search (paper Algorithm 2, spec/NEUROX.md §9) as a λ1 × λ2 heat table.
#include "salient/analyses/analyses.h"
#include "salient/ui/plotting/colormaps.h"
#include "salient/ui/plotting/plotcanvas.h"

#include <QPoint>
#include <QPointF>
#include <QString>

#include <vector>

class QComboBox;
class QCPColorMap;
class QCPColorScale;
class QCPItemRect;
class QCPItemText;
class QCPTextElement;
class QMouseEvent;

namespace salient::ui {

/**
 * Draws a GridSearchResult (computed by core; this class only draws it) as a heat table: one row
 * per λ1 value (first value at the top), one column per λ2 value, categorical tick labels with the
 * λ values (they are log-spaced and include 0), each cell coloured by and labelled with the value
 * of the chosen term (3 decimals), a colour bar titled with that term, the winning cell
 * (GridSearchResult::best) outlined in black and white, cells that were not done (the search was
 * cancelled) in light grey labelled "–", and cells the guarded rule excluded (isExcluded()) faded
 * under a translucent white veil. A caption line below the table names the split the accuracies
 * are on, the kept count n, the score formula and the winner rule; it is part of exported figures.
 *
 * A chooser (a QComboBox above the plot, object name "gridTerm"; not part of exported figures)
 * selects the term shown, as does setTerm(). Hovering a cell shows tooltipForCell(); a click
 * (press and release within a few pixels) selects the cell, outlines it (dashed, magenta) and
 * emits cellSelected(). Without a result the canvas draws only a centred hint text.
 *
 * Cell index: the index into GridSearchResult::cells, row-major (row · cols + col).
 * Coordinates: as for every PlotCanvas, pixels are in plot() coordinates (the plot sits below the
 * chooser here, so they differ from the canvas's own by the chooser row's height).
 * GUI thread only.
 */
class GridSearchCanvas : public PlotCanvas {
    Q_OBJECT
public:
    /// The value a cell shows.
    enum class Term {
        Score,          ///< GridCell::score (default)
        Full,           ///< A_full
        Top,            ///< A_top
        Random,         ///< A_random
        Bottom,         ///< A_bottom
        TopMinusRandom, ///< A_top − A_random
    };
    /// Every term, in chooser order.
    static std::vector<Term> terms();
    /// Display name: "score", "A_full", "A_top", "A_random", "A_bottom", "A_top − A_random".
    static QString termName(Term term);
    /// The value of @p term for @p cell (pure; no check of GridCell::done).
    static double termValue(const GridCell &cell, Term term);

    explicit GridSearchCanvas(QWidget *parent = nullptr);
    ~GridSearchCanvas() override;

    /**
     * Shows @p result (copied). Clears the selection and resets the view. A result without cells
     * (rows or cols 0, or cells.size() ≠ rows · cols) shows the empty state, as clear() does.
     */
    void setResult(const GridSearchResult &result);
    /// Shows the empty state (hint text, no axes) and clears the selection.
    void clear();
    /// True when a result is shown (false in the empty state).
    bool hasResult() const;
    /// The result shown (empty in the empty state).
    const GridSearchResult &result() const;

    /// Selects the term shown (also updates the chooser); keeps the selection.
    void setTerm(Term term);
    Term term() const;

    /**
     * The split the accuracies were computed on, as a word for the caption ("dev", "train");
     * default "selection". The caption reads "Accuracies on the dev split · …".
     */
    void setSplitName(const QString &split);
    QString splitName() const;
    /// The caption line as drawn (empty in the empty state).
    QString caption() const;
    /// The hint drawn in the empty state (empty when a result is shown).
    QString emptyHint() const;

    /// Colour map of the cells and the colour bar (default viridis).
    void setColourMap(ColourMap map);
    ColourMap colourMap() const;

    /// The value shown in cell @p index for the current term; NaN for a cell not done or an
    /// invalid index.
    double valueAt(int index) const;
    /// The label drawn in cell @p index: the value with 3 decimals, "–" for a cell not done;
    /// empty for an invalid index.
    QString cellLabel(int index) const;
    /// Tooltip of cell @p index: its λ1, λ2, every term (and A_test when finite), and whether it
    /// is the winner or was not done. Empty for an invalid index.
    QString tooltipForCell(int index) const;

    /// True when cell @p index was done but did not compete on the score under the guarded rule
    /// (GridCell::eligible false); such cells are drawn faded. False for an invalid index.
    bool isExcluded(int index) const;

    /// The cell under @p pos (plot() coordinates), or −1.
    int cellAt(const QPointF &pos) const;
    /// Centre of cell @p index in plot() coordinates; (−1, −1) for an invalid index. Lays the
    /// plot out first if needed.
    QPoint pixelForCell(int index) const;

    /// Selects and outlines cell @p index (−1 or an invalid index clears). Does not emit.
    void selectCell(int index);
    /// The selected cell, −1 when none.
    int selectedCell() const;

    /**
     * One row per cell in index order, with a header:
     * `index,lambda1,lambda2,done,score,A_full,A_top,A_random,A_bottom,A_top_minus_random,
     * A_test,winner` — terms empty for cells not done and A_test empty when NaN; done and winner
     * are 1/0. Only the header in the empty state.
     */
    QByteArray toCsv() const;
    /// The data export of the base class: toCsv().
    QByteArray csv() const override;

    /// Shows the whole table.
    void resetView() override;

Q_SIGNALS:
    /// The user clicked cell @p index (the canvas has already selected it).
    void cellSelected(int index);

private:
    void rebuild();
    void updateMarkers();
    void updateCaption();
    void placeRect(QCPItemRect *item, int index, double inset) const;
    void onMouseMove(QMouseEvent *event);
    void onMousePress(QMouseEvent *event);
    void onMouseRelease(QMouseEvent *event);

    GridSearchResult m_result;
    Term m_term = Term::Score;
    ColourMap m_colourMap = ColourMap::Viridis;
    QString m_split = QStringLiteral("selection");
    int m_selected = -1;
    QPointF m_pressPos;
    bool m_pressed = false;

    QComboBox *m_chooser = nullptr;
    QCPColorMap *m_map = nullptr;
    QCPColorScale *m_scale = nullptr;
    QCPTextElement *m_caption = nullptr;
    QCPItemText *m_hint = nullptr;
    std::vector<QCPItemText *> m_labels; ///< one per cell, owned by the plot
    std::vector<QCPItemRect *> m_fades;  ///< one per excluded cell, owned by the plot
    QCPItemRect *m_winnerOuter = nullptr;
    QCPItemRect *m_winnerInner = nullptr;
    QCPItemRect *m_selection = nullptr;
};

} // namespace salient::ui
