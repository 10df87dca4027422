#pragma once
// Base of every plotting canvas: owns one QCustomPlot, a title, figure export and CSV of the data.
#include <QByteArray>
#include <QRectF>
#include <QString>
#include <QWidget>

#include <vector>

class QCustomPlot;
class QCPColorGradient;
class QCPColorMap;
class QCPColorScale;
class QCPLayerable;
class QCPLayoutGrid;
class QCPPainter;
class QCPTextElement;
class QLabel;

namespace salient::ui {

struct Figure;
struct FigureStyle;

/**
 * A QWidget that owns one QCustomPlot (filling the widget, no margins) and knows how to export
 * it. Subclasses put their axis rect, colour scale and legend in contentLayout(); the optional
 * title sits in a row above it, so it is part of every exported figure.
 *
 * All functions: GUI thread only (or the thread owning a headless QApplication, e.g. salient-cli
 * on the offscreen platform).
 */
class PlotCanvas : public QWidget {
    Q_OBJECT
public:
    explicit PlotCanvas(QWidget *parent = nullptr);
    ~PlotCanvas() override;

    /// The owned plot (never null; owned by this widget). Its coordinates equal the canvas's own,
    /// since it fills the widget. Exposed for tests and for event simulation.
    QCustomPlot *plot() const;

    /// Title drawn above the plot and included in exports; empty (default) = no title row.
    void setTitle(const QString &title);
    QString title() const;

    /**
     * Writes the figure to @p path through writeFigure() (figureexport.h), format by suffix
     * (case-insensitive), at the physical size widthPx / 96 × heightPx / 96 inches with the
     * canvas's on-screen fonts (its title on top):
     * - `.png`: (widthPx × heightPx) · dpi / 96 pixels, DPI stored in the file;
     * - `.svg` / `.pdf`: vector, colour-map cells as rectangles, fonts embedded (PDF) or named
     *   with a sans-serif fallback list (SVG), images lossless.
     * Written atomically; the on-screen plot is unchanged. For paper figures at a preset size
     * and font use figure() with writeFigure().
     * @param widthPx logical width; ≤ 0 = the widget's current width (800 when not laid out)
     * @param heightPx logical height; ≤ 0 = the widget's current height (500 when not laid out)
     * @param dpi PNG resolution in dots per inch, default 300; must be in [24, 2400]
     * @param error receives a readable message on failure (may be nullptr)
     * @return true on success
     */
    bool exportFigure(const QString &path, int widthPx = 0, int heightPx = 0, double dpi = 300,
                      QString *error = nullptr);

    /// Suffixes exportFigure() understands: {"png", "svg", "pdf"}.
    static QStringList figureSuffixes();

    /**
     * Draws the plot into @p rect (figure units, see FigureStyle) of @p painter, laid out at that
     * size: every axis, tick, legend and item text in @p style's font (the canvas title is left
     * out: the exporter draws its own), interaction marks (selection) only when
     * style.decorations. With a vectorised painter (PDF, SVG) colour-map cells are drawn as
     * rectangles. The on-screen plot is unchanged afterwards. GUI thread.
     */
    void paintFigure(QCPPainter &painter, const QRectF &rect, const FigureStyle &style);

    /// Geometry of the last paintFigure() in figure units, relative to its rect (for checks).
    struct FigureLayout {
        QRectF rect;                ///< the figure's plot area, (0, 0, width, height)
        QRectF legend;              ///< union of the visible legends' outer rects (null: none)
        int clippedLegendItems = 0; ///< legend entries narrower than their text or past the right
    };
    const FigureLayout &lastFigureLayout() const;

    /// This canvas as a Figure for writeFigure(): name @p name, title(), and @p caption; empty
    /// (with a reason) when the canvas shows nothing (an empty-state text is set).
    Figure figure(const QString &name, const QString &caption = {});
    /// The legend entries' bounding box in the last paintFigure() (figure units, relative to its
    /// rect; null when it drew no legend). For tests: the legend must fit the figure.
    QRectF lastFigureLegendRect() const { return m_lastFigure.legend; }

    /**
     * The data shown, as UTF-8 CSV with a header row (RFC 4180 quoting, '\n' line ends, NaN as
     * an empty field). The default lists every QCPGraph as rows "series,x,y".
     */
    virtual QByteArray csv() const;

    /// Writes csv() atomically (core's writeFileAtomic) to @p path; false and @p error on failure.
    bool exportCsv(const QString &path, QString *error = nullptr) const;

    /// Restores the canvas's default axis ranges (also bound to double click) and replots.
    virtual void resetView();

    /// Replots now (queued repaint); call after changing what is shown.
    void replot();

    /**
     * An empty-state message that covers the plot, centred (e.g. "Train a probe to see
     * salience"); "" hides it. It explains an empty canvas on screen and is never exported.
     */
    void setEmptyText(const QString &text);
    QString emptyText() const;

protected:
    void resizeEvent(QResizeEvent *event) override;

    /// The grid below the title where subclasses place the axis rect (initially at (0, 0)) and
    /// their colour scale / legend. Never null.
    QCPLayoutGrid *contentLayout() const;

    /**
     * Adds an uninterpolated colour map on the default axes with its colour scale (bar) at the
     * right of the axis rect, aligned to it, coloured by @p gradient. Both are owned by the plot.
     * @param scale receives the colour scale (not null)
     */
    QCPColorMap *addColourMap(const QCPColorGradient &gradient, QCPColorScale **scale);

    /**
     * Adapts size-dependent texts (e.g. wraps a colour-bar title to the bar's height) to the
     * current layout; paintFigure() calls it after a layout pass at the figure's size and
     * restoreFitToSize() after painting. Default: nothing.
     */
    virtual void fitToSize();
    /// Undoes fitToSize() for the on-screen plot. Default: nothing.
    virtual void restoreFitToSize();
    /// Called first when a figure is painted, before its legends and texts are fitted: puts
    /// screen-only arrangements back to the figure's layout. Default: nothing.
    virtual void beginFigure();
    /// True while paintFigure() lays out and paints a figure (fitToSize() sees the figure).
    bool paintingFigure() const { return m_paintingFigure; }

    /// Registers an interaction mark (selection outline, hover): hidden in figures unless
    /// FigureStyle::decorations. The item stays owned by the plot and must not be removed from it.
    void addDecoration(QCPLayerable *item);

    /// Lays the plot out for the current widget size without painting, so that axis
    /// coordToPixel() is valid (e.g. right after show/resize, before the first paint).
    void updatePlotLayout() const;

    /// Quotes one CSV field when needed (comma, quote, newline).
    static QByteArray csvField(const QString &text);
    /// A number for CSV: empty for NaN, shortest round-trip representation otherwise.
    static QByteArray csvNumber(double value);

private:
    bool m_paintingFigure = false;
    QCustomPlot *m_plot = nullptr;
    QCPLayoutGrid *m_content = nullptr;
    QCPTextElement *m_titleElement = nullptr;
    QString m_title;
    QLabel *m_empty = nullptr;                 ///< empty-state overlay (child of the plot)
    std::vector<QCPLayerable *> m_decorations; ///< owned by the plot, live as long as it
    FigureLayout m_lastFigure;
};

} // namespace salient::ui
