// WordActivationView::exportFigure: the whole document as PNG, SVG or PDF (paintDocument with
// fixed black-on-white ink), written atomically.
#include "salient/ui/views/wordactivationview.h"

#include "salient/ui/export/figureexport.h"
#include "salient/util/error.h"

#include <qcustomplot.h>

#include <QEvent>
#include <QFileInfo>
#include <QFontMetricsF>
#include <QHelpEvent>
#include <QImage>
#include <QKeyEvent>
#include <QLinearGradient>
#include <QMouseEvent>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QPointer>
#include <QSaveFile>
#include <QScrollBar>
#include <QSet>
#include <QSvgGenerator>
#include <QTextOption>
#include <QToolTip>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>

namespace salient::ui {

void WordActivationView::paintFigure(QPainter &p, const QRectF &rect, const FigureStyle &style)
{
    // Tokens in the figure font (pixel size in figure units), laid out at the figure's width.
    m_figureFont = style.font;
    if (!style.viewFonts)
        m_figureFont.setPixelSize(
            std::max(4, int(std::lround(style.font.pointSizeF() * style.unitsPerInch / 72.0))));
    else
        m_figureFont = tokenFont();
    m_useFigureFont = true;
    const Layout L = computeLayout(std::max(50.0, rect.width()));
    m_useFigureFont = false;
    // Whole sentences only: cut below the last sentence that fits.
    double bottom = std::max({L.title.bottom(), L.legendBar.bottom(), L.caption.bottom()});
    for (const SentenceLayout &s : L.sentences)
        if (s.bounds.bottom() <= rect.height() && s.bounds.bottom() > bottom)
            bottom = s.bounds.bottom();
    const QRectF shown(0, 0, rect.width(), std::min(rect.height(), bottom + 2));
    p.save();
    p.translate(rect.topLeft());
    p.setClipRect(shown);
    p.setRenderHint(QPainter::TextAntialiasing, true);
    m_useFigureFont = true;
    paintDocument(p, L, shown, false);
    m_useFigureFont = false;
    p.restore();
}

Figure WordActivationView::figure()
{
    Figure f;
    f.name = QStringLiteral("words");
    f.title = m_data.title;
    if (m_data.sentences.empty()) {
        f.why = tr("The per-word view shows no sentences: select a neuron first.");
        return f;
    }
    QPointer<WordActivationView> self(this);
    f.paint = [self](QCPPainter &painter, const QRectF &rect, const FigureStyle &style) {
        if (self)
            self->paintFigure(painter, rect, style);
    };
    return f;
}

bool WordActivationView::exportFigure(const QString &path, const ExportOptions &options,
                                      QString *error)
{
    auto fail = [error](const QString &message) {
        if (error)
            *error = message;
        return false;
    };
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix != QStringLiteral("png") && suffix != QStringLiteral("svg")
        && suffix != QStringLiteral("pdf"))
        return fail(tr("Unknown figure format \"%1\": use .png, .svg or .pdf.").arg(suffix));
    if (!(options.scale > 0) || options.scale > 16)
        return fail(tr("The PNG scale must be in (0, 16]."));
    if (options.dpi < 36 || options.dpi > 2400)
        return fail(tr("The resolution must be between 36 and 2400 dpi."));
    if (options.width < 0 || options.width > 20000)
        return fail(tr("The figure width must be between 200 and 20000 pixels."));

    const double width =
        options.width > 0 ? std::max(200, options.width) : std::max(200, viewport()->width());
    const Layout L = computeLayout(width);
    const QSizeF size(width, std::ceil(L.height));
    const QRectF all(QPointF(0, 0), size);

    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return fail(tr("Cannot write %1: %2").arg(path, file.errorString()));

    auto paint = [&](QPainter &p) {
        p.setRenderHint(QPainter::TextAntialiasing, true);
        p.fillRect(all, options.background);
        paintDocument(p, L, all, false);
    };

    if (suffix == QStringLiteral("png")) {
        const QSize px(int(std::ceil(size.width() * options.scale)),
                       int(std::ceil(size.height() * options.scale)));
        if (qint64(px.width()) * px.height() > 400'000'000)
            return fail(tr("The image would be too large (%1 × %2 pixels); lower the scale.")
                            .arg(px.width())
                            .arg(px.height()));
        QImage image(px, QImage::Format_ARGB32_Premultiplied);
        if (image.isNull())
            return fail(
                tr("Not enough memory for a %1 × %2 image.").arg(px.width()).arg(px.height()));
        image.setDevicePixelRatio(options.scale);
        const int dpm = int(std::lround(options.dpi / 0.0254));
        image.setDotsPerMeterX(dpm);
        image.setDotsPerMeterY(dpm);
        {
            QPainter p(&image);
            paint(p);
        }
        if (!image.save(&file, "PNG"))
            return fail(tr("Cannot encode the PNG image %1.").arg(path));
    } else if (suffix == QStringLiteral("svg")) {
        QSvgGenerator gen;
        gen.setOutputDevice(&file);
        gen.setSize(size.toSize());
        gen.setViewBox(all);
        gen.setResolution(96);
        gen.setTitle(m_data.title);
        gen.setDescription(tr("Per-word activations (Salient)"));
        QPainter p;
        if (!p.begin(&gen))
            return fail(tr("Cannot start the SVG writer for %1.").arg(path));
        paint(p);
        p.end();
    } else {
        QPdfWriter writer(&file);
        writer.setResolution(options.dpi);
        writer.setTitle(m_data.title);
        writer.setCreator(QStringLiteral("Salient"));
        // 96 logical pixels per inch, 72 points per inch.
        writer.setPageSize(
            QPageSize(size * 72.0 / 96.0, QPageSize::Point, QString(), QPageSize::ExactMatch));
        writer.setPageMargins(QMarginsF(0, 0, 0, 0));
        QPainter p;
        if (!p.begin(&writer))
            return fail(tr("Cannot start the PDF writer for %1.").arg(path));
        p.scale(options.dpi / 96.0, options.dpi / 96.0);
        paint(p);
        p.end();
    }
    if (file.error() != QFileDevice::NoError || !file.commit())
        return fail(tr("Cannot write %1: %2").arg(path, file.errorString()));
    return true;
}

} // namespace salient::ui
