#pragma once
// The one figure exporter of every view (heatmap, layer bars, curves, grid search, layer-wise,
// compare, per-word text, inspector tables, training curve): the figure is laid out at its final
// physical size with text in points at that size, and written as PDF, SVG or PNG.
#include <QFont>
#include <QRectF>
#include <QSizeF>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>

class QAbstractItemModel;
class QCPPainter;
class QPainter;

namespace salient::ui {

/// Final sizes for papers and slides (FigureOptions::forPreset gives their sizes).
enum class FigurePreset {
    SingleColumn, ///< 3.3 × 2.5 in, 8 pt (one column of a two-column paper)
    DoubleColumn, ///< 7 × 3.5 in, 8 pt (the full text width)
    Slide,        ///< 10 × 5.63 in (16:9), 14 pt
    Custom,       ///< any size the user types
};

/// "single-column", "double-column", "slide", "custom" (command line and settings).
QString figurePresetName(FigurePreset preset);
/// Parses figurePresetName(); nullopt for an unknown name.
std::optional<FigurePreset> figurePresetFromName(const QString &name);

/// How a figure is written. Sizes are the final physical size; nothing is scaled afterwards.
struct FigureOptions {
    QSizeF sizeIn{3.3, 2.5};  ///< final width × height in inches (each in [0.5, 60])
    double fontPt = 8;        ///< text size in points at the final size, in [4, 72]
    double dpi = 300;         ///< PNG resolution (pixels = inches × dpi), in [24, 2400]
    bool decorations = false; ///< draw interaction marks (selected neuron / cell) too
    QString title;            ///< drawn bold above the figure when non-empty
    QString caption;          ///< drawn (word-wrapped) below the figure when non-empty
    bool viewFonts = false;   ///< keep the views' own (screen) fonts instead of fontPt

    /// The size and font of @p preset (Custom: the single-column values).
    static FigureOptions forPreset(FigurePreset preset);
};

/**
 * What a figure painter gets. Coordinates are "figure units": unitsPerInch of them per inch at
 * the final size (the screen's logical DPI, 96 on most systems), so pens and the layout of the
 * views keep their on-screen proportions; @c font has its point size resolved at unitsPerInch,
 * which every output device of the exporter uses too (text is exactly fontPt on paper).
 */
struct FigureStyle {
    QFont font;               ///< sans-serif at FigureOptions::fontPt
    bool decorations = false; ///< FigureOptions::decorations
    double unitsPerInch = 96; ///< figure units per inch
    bool viewFonts = false;   ///< FigureOptions::viewFonts: views keep their own fonts
    bool legends = true;      ///< false: plot legends are left out (a compound figure explains)
};

/// Draws a view into @p rect (figure units) with @p style. Runs on the GUI thread when it
/// renders widgets (QCustomPlot); @p painter is a QCPPainter, vectorised for PDF and SVG.
using FigurePainter =
    std::function<void(QCPPainter &painter, const QRectF &rect, const FigureStyle &style)>;

/// A view as a figure: a file name stem, a default title and caption (from the analysis) and
/// the painter. An empty @c paint means the view has nothing to export (@c why says why).
struct Figure {
    QString name;    ///< file name stem, e.g. "heatmap"
    QString title;   ///< default title offered by the export dialog
    QString caption; ///< default caption (model / data, task, λ1, λ2, seed)
    FigurePainter paint;
    QString why; ///< when paint is empty: why there is nothing to export
};

/// The formats writeFigure() understands, by suffix: {"pdf", "svg", "png"}.
QStringList figureSuffixes();
/// The file dialog filter of figureSuffixes(): "PDF (*.pdf);;SVG (*.svg);;PNG (*.png)".
QString figureFileFilter();
/**
 * @p path with the suffix of @p selectedFilter (one entry of figureFileFilter()) appended when
 * @p path has no figure suffix (so "fig" saved with the PDF filter becomes "fig.pdf"); @p path
 * unchanged when it already ends in .pdf, .svg or .png (any case).
 */
QString withFigureSuffix(const QString &path, const QString &selectedFilter);

/// Figure units per inch (see FigureStyle): the primary screen's logical DPI, 96 without one.
double figureUnitsPerInch();
/// The sans-serif figure font at @p pointSize (DejaVu Sans when installed).
QFont figureFont(double pointSize);
/// The font-family list SVG files name: "'<family>', DejaVu Sans, Helvetica, Arial, sans-serif".
QString svgFontFamilies(const QString &family);

/**
 * Writes @p figure to @p path (format by suffix, case-insensitive) at the final size of
 * @p options: PDF (page = size in points, TrueType fonts embedded, images lossless — never
 * JPEG), SVG (width/height in mm, every font-family with a sans-serif fallback list) or PNG
 * (inches × dpi pixels, the DPI stored). The title and caption of @p options are drawn above /
 * below the view. Written atomically. False and a readable @p error (may be null) on a bad
 * suffix, invalid options, a view with nothing to export or an I/O failure.
 * Thread: the thread that may run @p figure.paint (the GUI thread for widget views).
 */
bool writeFigure(const Figure &figure, const FigureOptions &options, const QString &path,
                 QString *error = nullptr);

/**
 * A figure recorded on the GUI thread and written later on any thread (the report job): the
 * drawing commands of figure.paint, title and caption included, as QPicture data, once as PDF and
 * SVG see them (vectorised) and once as PNG does. Immutable value; safe to move between threads.
 */
struct RecordedFigure {
    QString name;             ///< file name stem
    QString title;            ///< PDF/SVG document title
    FigureOptions options;    ///< final size, font and DPI it was laid out at
    double unitsPerInch = 96; ///< figure units per inch when recorded
    QByteArray vector;        ///< QPicture data for PDF and SVG
    QByteArray raster;        ///< QPicture data for PNG
};

/**
 * Records @p figure at @p options (the checks of writeFigure(): options valid, something to
 * draw). Thread: the one that may run figure.paint (the GUI thread for widget views); it costs
 * the drawing calls only, no encoding. False and @p error (may be null) when it cannot be drawn.
 */
bool recordFigure(const Figure &figure, const FigureOptions &options, RecordedFigure *out,
                  QString *error = nullptr);
/**
 * The bytes writeFigure() would write for the recorded figure in format @p suffix ("pdf",
 * "svg", "png"): same page size, fonts and lossless images. Any thread (no widget is touched).
 */
bool renderRecordedFigure(const RecordedFigure &figure, const QString &suffix, QByteArray *bytes,
                          QString *error = nullptr);

/// A readable reason when @p options are out of range; "" when valid.
QString validateFigureOptions(const FigureOptions &options);

/**
 * Draws @p model (display role, header row in bold, as many rows as fit) as a vector table in
 * @p rect with @p font, under an optional bold @p heading. Numbers (right-aligned in the model)
 * stay right-aligned. A table wider than @p rect first leaves out trailing columns (at least
 * three stay), then shrinks its font (to 75 % at most), then elides cells. Rows or columns left
 * out are named in a note below the bottom rule ("… N more rows · not shown: A, B (in the
 * CSV)"). Returns the height used. Any thread that owns @p model.
 */
double paintTable(QPainter &painter, const QRectF &rect, const QAbstractItemModel &model,
                  const QFont &font, const QString &heading = {});

} // namespace salient::ui
