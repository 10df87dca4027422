#include "salient/ui/export/figureexport.h"

#include "salient/ui/export/report.h"

#include <qcustomplot.h>

#include <QAbstractItemModel>
#include <QBuffer>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFontMetricsF>
#include <QGuiApplication>
#include <QImage>
#include <QPageSize>
#include <QPdfWriter>
#include <QPicture>
#include <QRegularExpression>
#include <QScreen>
#include <QSvgGenerator>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace salient::ui {

namespace {

/// Space between the title / caption and the view, in points.
constexpr double kGapPt = 3.0;

} // namespace

QString figurePresetName(FigurePreset preset)
{
    switch (preset) {
    case FigurePreset::SingleColumn:
        return QStringLiteral("single-column");
    case FigurePreset::DoubleColumn:
        return QStringLiteral("double-column");
    case FigurePreset::Slide:
        return QStringLiteral("slide");
    case FigurePreset::Custom:
        return QStringLiteral("custom");
    }
    return QStringLiteral("custom");
}

std::optional<FigurePreset> figurePresetFromName(const QString &name)
{
    const QString n = name.trimmed().toLower();
    for (FigurePreset p : {FigurePreset::SingleColumn, FigurePreset::DoubleColumn,
                           FigurePreset::Slide, FigurePreset::Custom})
        if (figurePresetName(p) == n)
            return p;
    return std::nullopt;
}

FigureOptions FigureOptions::forPreset(FigurePreset preset)
{
    FigureOptions o;
    switch (preset) {
    case FigurePreset::SingleColumn:
    case FigurePreset::Custom:
        o.sizeIn = {3.3, 2.5};
        o.fontPt = 8;
        break;
    case FigurePreset::DoubleColumn:
        o.sizeIn = {7.0, 3.5};
        o.fontPt = 8;
        break;
    case FigurePreset::Slide:
        o.sizeIn = {10.0, 5.63};
        o.fontPt = 14;
        break;
    }
    return o;
}

QStringList figureSuffixes()
{
    return {QStringLiteral("pdf"), QStringLiteral("svg"), QStringLiteral("png")};
}

QString figureFileFilter()
{
    return QStringLiteral("PDF (*.pdf);;SVG (*.svg);;PNG (*.png)");
}

QString withFigureSuffix(const QString &path, const QString &selectedFilter)
{
    if (path.isEmpty() || figureSuffixes().contains(QFileInfo(path).suffix().toLower()))
        return path;
    static const QRegularExpression pattern(QStringLiteral("\\*\\.(\\w+)"));
    const QRegularExpressionMatch m = pattern.match(selectedFilter);
    const QString suffix = m.hasMatch() ? m.captured(1).toLower() : QStringLiteral("pdf");
    return path + QLatin1Char('.') + suffix;
}

double figureUnitsPerInch()
{
    const QScreen *screen = QGuiApplication::primaryScreen();
    const double dpi = screen ? screen->logicalDotsPerInchY() : 96.0;
    return dpi >= 48 && dpi <= 480 ? std::round(dpi) : 96.0;
}

QFont figureFont(double pointSize)
{
    QFont f;
    const QStringList families = QFontDatabase::families();
    QStringList wanted;
    for (const char *name : {"DejaVu Sans", "Liberation Sans", "Arial", "Helvetica"})
        if (families.contains(QLatin1String(name)))
            wanted << QLatin1String(name);
    if (!wanted.isEmpty())
        f.setFamilies(wanted);
    f.setStyleHint(QFont::SansSerif);
    f.setPointSizeF(pointSize);
    return f;
}

QString svgFontFamilies(const QString &family)
{
    QStringList list;
    const QString f = family.trimmed();
    if (!f.isEmpty())
        list << QStringLiteral("'%1'").arg(f);
    for (const char *fallback : {"DejaVu Sans", "Helvetica", "Arial", "sans-serif"})
        if (f.compare(QLatin1String(fallback), Qt::CaseInsensitive) != 0)
            list << QLatin1String(fallback);
    return list.join(QStringLiteral(", "));
}

QString validateFigureOptions(const FigureOptions &o)
{
    auto in = [](double v, double lo, double hi) { return v >= lo && v <= hi; };
    if (!in(o.sizeIn.width(), 0.5, 60) || !in(o.sizeIn.height(), 0.5, 60))
        return QObject::tr("The figure size must be between 0.5 and 60 inches (13–1524 mm) on "
                           "each side; it is %1 × %2 in.")
            .arg(o.sizeIn.width(), 0, 'g', 4)
            .arg(o.sizeIn.height(), 0, 'g', 4);
    if (!in(o.fontPt, 4, 72))
        return QObject::tr("The font size must be between 4 and 72 pt; it is %1 pt.").arg(o.fontPt);
    if (!in(o.dpi, 24, 2400))
        return QObject::tr("The PNG resolution must be between 24 and 2400 DPI; it is %1.")
            .arg(o.dpi);
    if (o.sizeIn.width() * o.dpi * o.sizeIn.height() * o.dpi > 4.0e8)
        return QObject::tr("A %1 × %2 in figure at %3 DPI would be too large an image; lower "
                           "the DPI.")
            .arg(o.sizeIn.width(), 0, 'g', 4)
            .arg(o.sizeIn.height(), 0, 'g', 4)
            .arg(o.dpi);
    return {};
}

namespace {

/// Title, view and caption, laid out in @p all (figure units).
void paintComposed(QCPPainter &painter, const QRectF &all, const Figure &figure,
                   const FigureOptions &options, const FigureStyle &style)
{
    const double unitsPerPt = style.unitsPerInch / 72.0;
    const double gap = kGapPt * unitsPerPt;
    const QRectF inner = all.adjusted(gap * 0.5, gap * 0.5, -gap * 0.5, -gap * 0.5);
    QRectF view = inner;
    if (!options.title.isEmpty()) {
        QFont tf = style.font;
        tf.setPointSizeF(options.fontPt + 1);
        tf.setBold(true);
        const QFontMetricsF fm(tf);
        const QRectF box = fm.boundingRect(
            inner, Qt::TextWordWrap | Qt::AlignHCenter | Qt::AlignTop, options.title);
        painter.setFont(tf);
        painter.setPen(Qt::black);
        painter.drawText(QRectF(inner.left(), inner.top(), inner.width(), box.height()),
                         Qt::TextWordWrap | Qt::AlignHCenter | Qt::AlignTop, options.title);
        view.setTop(inner.top() + box.height() + gap);
    }
    if (!options.caption.isEmpty()) {
        QFont cf = style.font;
        cf.setPointSizeF(std::max(4.0, options.fontPt - 1));
        const QFontMetricsF fm(cf);
        const QRectF box = fm.boundingRect(inner, Qt::TextWordWrap | Qt::AlignLeft | Qt::AlignTop,
                                           options.caption);
        const QRectF captionRect(inner.left(), inner.bottom() - box.height(), inner.width(),
                                 box.height());
        painter.setFont(cf);
        painter.setPen(QColor(0x33, 0x33, 0x33));
        painter.drawText(captionRect, Qt::TextWordWrap | Qt::AlignLeft | Qt::AlignTop,
                         options.caption);
        view.setBottom(captionRect.top() - gap);
    }
    if (view.height() < 4 * unitsPerPt)
        return; // title and caption take the whole figure: nothing is left for the view
    painter.save();
    figure.paint(painter, view, style);
    painter.restore();
}

/// Appends a sans-serif fallback list to every font-family attribute QSvgGenerator wrote.
QByteArray withSvgFallbacks(const QByteArray &svg)
{
    QString text = QString::fromUtf8(svg);
    static const QRegularExpression attr(QStringLiteral("font-family=\"([^\"]*)\""));
    QString out;
    qsizetype last = 0;
    for (auto it = attr.globalMatch(text); it.hasNext();) {
        const QRegularExpressionMatch m = it.next();
        out += QStringView(text).mid(last, m.capturedStart() - last);
        QString family = m.captured(1);
        family.remove(QLatin1Char('\'')).remove(QStringLiteral("&apos;"));
        family = family.section(QLatin1Char(','), 0, 0).trimmed();
        out += QStringLiteral("font-family=\"%1\"").arg(svgFontFamilies(family));
        last = m.capturedEnd();
    }
    out += QStringView(text).mid(last);
    return out.toUtf8();
}

} // namespace

namespace {

/// Paints a whole figure (title, view, caption) into a device whose figure rectangle is @p all;
/// @p vector: the device is PDF or SVG (QCustomPlot's vectorised mode).
using ComposedPainter = std::function<void(QCPPainter &painter, const QRectF &all, bool vector)>;

/// The style every output device of the exporter uses for @p options.
FigureStyle styleFor(const FigureOptions &options)
{
    FigureStyle style;
    style.unitsPerInch = figureUnitsPerInch();
    style.font = figureFont(options.fontPt);
    style.decorations = options.decorations;
    style.viewFonts = options.viewFonts;
    return style;
}

/// The file bytes of a figure in format @p suffix ("pdf", "svg" or "png"; options valid).
/// Thread: the one that may run @p paint.
bool renderBytes(const QString &suffix, const FigureOptions &options, double upi,
                 const QString &title, const ComposedPainter &paint, QByteArray *out,
                 QString *error)
{
    auto fail = [error](const QString &message) {
        if (error)
            *error = message;
        return false;
    };
    const QRectF all(0, 0, options.sizeIn.width() * upi, options.sizeIn.height() * upi);
    QByteArray bytes;
    if (suffix == QLatin1String("png")) {
        const QSize px(std::max(1, int(std::lround(options.sizeIn.width() * options.dpi))),
                       std::max(1, int(std::lround(options.sizeIn.height() * options.dpi))));
        QImage image(px, QImage::Format_ARGB32_Premultiplied);
        if (image.isNull())
            return fail(QObject::tr("Not enough memory for a %1 × %2 image.")
                            .arg(px.width())
                            .arg(px.height()));
        image.fill(Qt::white);
        // Fonts resolve at the image's DPI: figure units while painting, the real DPI after.
        const int unitDpm = int(std::lround(upi / 0.0254));
        image.setDotsPerMeterX(unitDpm);
        image.setDotsPerMeterY(unitDpm);
        {
            QCPPainter painter(&image);
            painter.setRenderHint(QPainter::TextAntialiasing, true);
            painter.scale(double(px.width()) / all.width(), double(px.height()) / all.height());
            painter.setMode(QCPPainter::pmNonCosmetic);
            paint(painter, all, false);
        }
        const int dpm = int(std::lround(options.dpi / 0.0254));
        image.setDotsPerMeterX(dpm);
        image.setDotsPerMeterY(dpm);
        QBuffer buffer(&bytes);
        buffer.open(QIODevice::WriteOnly);
        if (!image.save(&buffer, "PNG"))
            return fail(QObject::tr("Cannot encode the PNG image."));
    } else if (suffix == QLatin1String("svg")) {
        QBuffer buffer(&bytes);
        buffer.open(QIODevice::WriteOnly);
        QSvgGenerator generator;
        generator.setOutputDevice(&buffer);
        generator.setSize(all.size().toSize());
        generator.setViewBox(all);
        generator.setResolution(int(upi));
        generator.setTitle(title);
        generator.setDescription(QStringLiteral("Figure exported by Salient"));
        QCPPainter painter;
        if (!painter.begin(&generator))
            return fail(QObject::tr("Could not start the SVG writer."));
        painter.setMode(QCPPainter::pmVectorized);
        painter.setMode(QCPPainter::pmNonCosmetic);
        paint(painter, all, true);
        painter.end();
        buffer.close();
        bytes = withSvgFallbacks(bytes);
    } else {
        QBuffer buffer(&bytes);
        buffer.open(QIODevice::WriteOnly);
        QPdfWriter writer(&buffer);
        writer.setResolution(int(upi));
        writer.setCreator(QStringLiteral("Salient"));
        writer.setTitle(title);
        writer.setPageSize(
            QPageSize(options.sizeIn * 72.0, QPageSize::Point, QString(), QPageSize::ExactMatch));
        writer.setPageMargins(QMarginsF(0, 0, 0, 0));
        QCPPainter painter;
        if (!painter.begin(&writer))
            return fail(QObject::tr("Could not start the PDF writer."));
        // Images (colour bars, large heatmaps) are stored lossless (Flate), never as JPEG.
        painter.setRenderHint(QPainter::LosslessImageRendering, true);
        painter.setMode(QCPPainter::pmVectorized);
        painter.setMode(QCPPainter::pmNonCosmetic);
        // The page may be a fraction of a point smaller than asked (QPageSize rounds to points).
        const QRectF page(QPointF(0, 0), QSizeF(writer.width(), writer.height()));
        paint(painter, all.intersected(page.isEmpty() ? all : page), true);
        painter.end();
    }
    *out = bytes;
    return true;
}

/// writeFigure()'s checks of @p figure and @p options; "" when it can be drawn.
QString figureProblem(const Figure &figure, const FigureOptions &options)
{
    if (const QString why = validateFigureOptions(options); !why.isEmpty())
        return why;
    if (!figure.paint)
        return figure.why.isEmpty() ? QObject::tr("This view has nothing to export yet.")
                                    : figure.why;
    return {};
}

} // namespace

bool writeFigure(const Figure &figure, const FigureOptions &options, const QString &path,
                 QString *error)
{
    auto fail = [error](const QString &message) {
        if (error)
            *error = message;
        return false;
    };
    const QFileInfo info(path);
    const QString suffix = info.suffix().toLower();
    if (!figureSuffixes().contains(suffix))
        return fail(QObject::tr("Cannot export “%1”: the file name must end in .pdf, .svg or "
                                ".png.")
                        .arg(info.fileName()));
    if (const QString why = figureProblem(figure, options); !why.isEmpty())
        return fail(why);
    if (!info.absoluteDir().exists())
        return fail(QObject::tr("Cannot export to “%1”: the folder does not exist.")
                        .arg(info.absolutePath()));
    const FigureStyle style = styleFor(options);
    QByteArray bytes;
    QString why;
    if (!renderBytes(
            suffix, options, style.unitsPerInch,
            options.title.isEmpty() ? figure.title : options.title,
            [&](QCPPainter &painter, const QRectF &all, bool) {
                paintComposed(painter, all, figure, options, style);
            },
            &bytes, &why))
        return fail(QStringLiteral("%1: %2").arg(path, why));
    return writeFileAtomic(path, bytes, error);
}

bool recordFigure(const Figure &figure, const FigureOptions &options, RecordedFigure *out,
                  QString *error)
{
    if (const QString why = figureProblem(figure, options); !why.isEmpty()) {
        if (error)
            *error = why;
        return false;
    }
    const FigureStyle style = styleFor(options);
    const double upi = style.unitsPerInch;
    const QRectF all(0, 0, options.sizeIn.width() * upi, options.sizeIn.height() * upi);
    RecordedFigure r;
    r.name = figure.name;
    r.title = options.title.isEmpty() ? figure.title : options.title;
    r.options = options;
    r.unitsPerInch = upi;
    for (const bool vector : {true, false}) {
        QPicture picture;
        {
            QCPPainter painter(&picture);
            if (vector) {
                painter.setRenderHint(QPainter::LosslessImageRendering, true);
                painter.setMode(QCPPainter::pmVectorized);
            } else {
                painter.setRenderHint(QPainter::TextAntialiasing, true);
            }
            painter.setMode(QCPPainter::pmNonCosmetic);
            paintComposed(painter, all, figure, options, style);
        }
        (vector ? r.vector : r.raster) = QByteArray(picture.data(), qsizetype(picture.size()));
    }
    *out = std::move(r);
    return true;
}

bool renderRecordedFigure(const RecordedFigure &figure, const QString &suffix, QByteArray *bytes,
                          QString *error)
{
    if (!figureSuffixes().contains(suffix)) {
        if (error)
            *error = QObject::tr("Unknown figure format “%1”.").arg(suffix);
        return false;
    }
    QPicture vector, raster;
    vector.setData(figure.vector.constData(), uint(figure.vector.size()));
    raster.setData(figure.raster.constData(), uint(figure.raster.size()));
    QString why;
    if (!renderBytes(
            suffix, figure.options, figure.unitsPerInch, figure.title,
            [&](QCPPainter &painter, const QRectF &, bool isVector) {
                painter.save();
                (isVector ? vector : raster).play(&painter);
                painter.restore();
            },
            bytes, &why)) {
        if (error)
            *error = QStringLiteral("%1.%2: %3").arg(figure.name, suffix, why);
        return false;
    }
    return true;
}

double paintTable(QPainter &painter, const QRectF &rect, const QAbstractItemModel &model,
                  const QFont &fontIn, const QString &heading)
{
    // Columns at their natural widths in the figure's font (header bold, up to 50 rows).
    const int allCols = model.columnCount();
    auto naturalWidths = [&](const QFont &f) {
        QFont b = f;
        b.setBold(true);
        const QFontMetricsF m(f), mb(b);
        std::vector<double> w(std::size_t(std::max(allCols, 0)), 0.0);
        for (int c = 0; c < allCols; ++c) {
            double v = mb.horizontalAdvance(
                model.headerData(c, Qt::Horizontal, Qt::DisplayRole).toString());
            for (int r = 0; r < std::min(model.rowCount(), 50); ++r)
                v = std::max(v, m.horizontalAdvance(model.index(r, c).data().toString()));
            w[std::size_t(c)] = v + 2 * m.height() * 0.35;
        }
        return w;
    };
    // A table wider than the figure first leaves out trailing columns (at least three stay; the
    // footer names them, the CSV has them), then is set in a smaller font (down to 75 %), and
    // only then elides cells: the figure keeps the font the user asked for where it can.
    QFont font = fontIn;
    int cols = allCols;
    {
        const std::vector<double> natural = naturalWidths(font);
        double total = std::accumulate(natural.begin(), natural.end(), 0.0);
        while (cols > 3 && total > rect.width())
            total -= natural[std::size_t(--cols)];
        if (total > rect.width() && font.pointSizeF() > 0)
            font.setPointSizeF(font.pointSizeF() * std::max(0.75, rect.width() / total));
    }
    QStringList omitted;
    for (int c = cols; c < allCols; ++c)
        omitted << model.headerData(c, Qt::Horizontal, Qt::DisplayRole).toString();
    const QFontMetricsF fm(font);
    QFont bold = font;
    bold.setBold(true);
    const QFontMetricsF bm(bold);
    const double pad = fm.height() * 0.35;
    const double rowH = fm.height() * 1.25;
    double y = rect.top();
    painter.save();
    painter.setPen(Qt::black);
    if (!heading.isEmpty()) {
        painter.setFont(bold);
        painter.drawText(QRectF(rect.left(), y, rect.width(), rowH),
                         Qt::AlignLeft | Qt::AlignVCenter,
                         bm.elidedText(heading, Qt::ElideRight, rect.width()));
        y += rowH;
    }
    const int rows = model.rowCount();
    if (cols <= 0) {
        painter.restore();
        return y - rect.top();
    }
    // Natural column widths (header and the rows that can be shown), shrunk to fit.
    const int maxRows = std::max(0, int((rect.bottom() - y) / rowH) - 1);
    std::vector<double> width(std::size_t(cols), 0.0);
    for (int c = 0; c < cols; ++c) {
        width[std::size_t(c)] =
            bm.horizontalAdvance(model.headerData(c, Qt::Horizontal, Qt::DisplayRole).toString());
        for (int r = 0; r < std::min(rows, maxRows); ++r)
            width[std::size_t(c)] =
                std::max(width[std::size_t(c)],
                         fm.horizontalAdvance(model.index(r, c).data(Qt::DisplayRole).toString()));
        width[std::size_t(c)] += 2 * pad;
    }
    double total = 0;
    for (double w : width)
        total += w;
    const double scale = total > rect.width() ? rect.width() / total : 1.0;
    for (double &w : width)
        w *= scale;
    const double tableW = std::min(total, rect.width());

    auto alignmentOf = [&](int r, int c) {
        const QVariant a = model.index(r, c).data(Qt::TextAlignmentRole);
        const Qt::Alignment h = a.isValid() ? Qt::Alignment(a.toInt()) & Qt::AlignHorizontal_Mask
                                            : Qt::Alignment(Qt::AlignLeft);
        return h | Qt::AlignVCenter;
    };
    auto drawRow = [&](int r, const QFontMetricsF &metrics) {
        double x = rect.left();
        for (int c = 0; c < cols; ++c) {
            const double w = width[std::size_t(c)];
            const QString text =
                r < 0 ? model.headerData(c, Qt::Horizontal, Qt::DisplayRole).toString()
                      : model.index(r, c).data(Qt::DisplayRole).toString();
            const QRectF cell(x + pad, y, std::max(0.0, w - 2 * pad), rowH);
            painter.drawText(cell, r < 0 ? (Qt::AlignLeft | Qt::AlignVCenter) : alignmentOf(r, c),
                             metrics.elidedText(text, Qt::ElideRight, cell.width()));
            x += w;
        }
        y += rowH;
    };
    const double thin = fm.height() / 16.0;
    painter.setFont(bold);
    painter.setPen(QPen(Qt::black, thin * 1.5));
    painter.drawLine(QPointF(rect.left(), y), QPointF(rect.left() + tableW, y));
    drawRow(-1, bm);
    painter.drawLine(QPointF(rect.left(), y), QPointF(rect.left() + tableW, y));
    painter.setFont(font);
    // A note under the table when rows are cut or columns left out; it wraps over the figure's
    // width (never elided: it says what the figure leaves out) and takes the place of rows.
    const bool footer = rows > maxRows || !omitted.isEmpty();
    auto noteText = [&](int shownRows) {
        QStringList parts;
        if (rows > shownRows)
            parts << QObject::tr("… %1 more rows").arg(rows - shownRows);
        if (!omitted.isEmpty())
            parts << QObject::tr("not shown: %1 (in the CSV)")
                         .arg(omitted.join(QStringLiteral(", ")));
        return parts.join(QStringLiteral(" · "));
    };
    auto noteRowsFor = [&](int shownRows) {
        const QRectF box = fm.boundingRect(QRectF(0, 0, rect.width(), 1e9),
                                           Qt::AlignLeft | Qt::TextWordWrap, noteText(shownRows));
        return std::max(1, int(std::ceil((box.height() + 0.25 * fm.height()) / rowH - 1e-9)));
    };
    int noteRows = 0;
    int shown = rows;
    if (footer) {
        noteRows = 1;
        for (int pass = 0; pass < 2; ++pass) // the row count's digits may change the wrap
            noteRows = noteRowsFor(std::min(rows, std::max(0, maxRows - noteRows)));
        shown = std::min(rows, std::max(0, maxRows - noteRows));
    }
    for (int r = 0; r < shown; ++r)
        drawRow(r, fm);
    // The bottom rule closes the table; the note stands below it.
    painter.setPen(QPen(Qt::black, thin * 1.5));
    painter.drawLine(QPointF(rect.left(), y), QPointF(rect.left() + tableW, y));
    if (footer) {
        painter.setPen(QColor(80, 80, 80));
        painter.drawText(QRectF(rect.left(), y, rect.width(), noteRows * rowH),
                         Qt::AlignLeft | Qt::AlignVCenter | Qt::TextWordWrap, noteText(shown));
        y += noteRows * rowH;
    }
    painter.restore();
    return y - rect.top();
}

} // namespace salient::ui
