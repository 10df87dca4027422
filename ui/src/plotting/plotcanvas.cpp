#include "salient/ui/plotting/plotcanvas.h"

#include "salient/ui/export/figureexport.h"
#include "salient/util/atomicfile.h"
#include "salient/util/error.h"

#include <QLabel>
#include <algorithm>

#include <qcustomplot.h>

#include <QDir>
#include <QFileInfo>
#include <QFontMetricsF>
#include <QLocale>
#include <QVBoxLayout>

#include <cmath>
#include <functional>
#include <limits>
#include <tuple>

namespace salient::ui {

namespace {

/// Above this many cells a vector export draws the map as one lossless image instead of one
/// rectangle per run of equal colour (file size).
constexpr qint64 kMaxVectorCells = 400000;

/**
 * A QCPColorMap that, on a vectorising painter (PDF, SVG export), draws its cells as filled
 * rectangles (horizontal runs of one colour merged) instead of a scaled image, so a figure's
 * cells stay sharp at any zoom and no viewer interpolates them. On screen and in PNG it draws
 * the image as QCPColorMap does. Uninterpolated maps only.
 */
class CellColourMap : public QCPColorMap {
public:
    using QCPColorMap::QCPColorMap;

protected:
    void draw(QCPPainter *painter) override
    {
        QCPColorMapData *d = data();
        const int nk = d->keySize(), nv = d->valueSize();
        if (!painter->modes().testFlag(QCPPainter::pmVectorized) || interpolate() || nk <= 0
            || nv <= 0 || qint64(nk) * nv > kMaxVectorCells || !keyAxis() || !valueAxis()) {
            QCPColorMap::draw(painter);
            return;
        }
        QCPColorGradient g = gradient();
        const QCPRange range = dataRange();
        const bool logarithmic = dataScaleType() == QCPAxis::stLogarithmic;
        auto half = [](const QCPRange &r, int n) {
            return n > 1 ? 0.5 * (r.upper - r.lower) / (n - 1) : 0.5 * (r.upper - r.lower);
        };
        auto centre = [](const QCPRange &r, int n, int i) {
            return n > 1 ? r.lower + (r.upper - r.lower) * i / (n - 1) : 0.5 * (r.lower + r.upper);
        };
        const double hk = half(d->keyRange(), nk), hv = half(d->valueRange(), nv);
        auto colourOf = [&](int k, int v) -> QColor {
            const double value = d->cell(k, v);
            QColor c;
            if (std::isnan(value)) {
                if (g.nanHandling() == QCPColorGradient::nhTransparent)
                    return QColor(Qt::transparent);
                c = g.nanHandling() == QCPColorGradient::nhNanColor
                        ? g.nanColor()
                        : QColor::fromRgba(g.color(range.lower, range, logarithmic));
            } else {
                c = QColor::fromRgba(g.color(value, range, logarithmic));
            }
            c.setAlpha(c.alpha() * d->alpha(k, v) / 255);
            return c;
        };
        painter->save();
        painter->setAntialiasing(false);
        painter->setPen(Qt::NoPen);
        for (int v = 0; v < nv; ++v) {
            const double vc = centre(d->valueRange(), nv, v);
            int k = 0;
            while (k < nk) {
                const QColor c = colourOf(k, v);
                int end = k + 1;
                while (end < nk && colourOf(end, v) == c)
                    ++end;
                if (c.alpha() > 0) {
                    const QPointF a = coordsToPixels(centre(d->keyRange(), nk, k) - hk, vc - hv);
                    const QPointF b =
                        coordsToPixels(centre(d->keyRange(), nk, end - 1) + hk, vc + hv);
                    // A hair of overlap so viewers draw no seams between neighbouring cells.
                    QRectF cell = QRectF(a, b).normalized();
                    cell.adjust(0, 0, 0.3, 0.3);
                    painter->fillRect(cell, c);
                }
                k = end;
            }
        }
        painter->restore();
    }
};

} // namespace

PlotCanvas::PlotCanvas(QWidget *parent) : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    m_plot = new QCustomPlot(this);
    m_plot->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    layout->addWidget(m_plot);
    // The plot's own minimum (axis labels, legend) never widens the window: the canvas's
    // minimum below applies, and the plot lays itself out in what it gets.
    m_plot->setMinimumSize(1, 1);

    // Move the default axis rect into a content grid, so the title can sit above everything.
    QCPAxisRect *rect = m_plot->axisRect();
    m_plot->plotLayout()->take(rect);
    m_plot->plotLayout()->simplify();
    m_content = new QCPLayoutGrid;
    m_plot->plotLayout()->addElement(0, 0, m_content);
    m_content->addElement(0, 0, rect);
    // A little room at the edges, so rotated axis labels and legends are never cut.
    m_content->setMargins(QMargins(2, 2, 8, 4));
    m_plot->plotLayout()->setRowSpacing(0);

    connect(m_plot, &QCustomPlot::mouseDoubleClick, this, [this](QMouseEvent *) { resetView(); });
    // Small enough that a 1366 × 768 window holds every view (layouts give more when there is
    // room).
    setMinimumSize(160, 110);
}

PlotCanvas::~PlotCanvas() = default;

QCPColorMap *PlotCanvas::addColourMap(const QCPColorGradient &gradient, QCPColorScale **scale)
{
    QCustomPlot *p = m_plot;
    auto *map = new CellColourMap(p->xAxis, p->yAxis);
    map->setInterpolate(false);
    map->setTightBoundary(false);
    auto *bar = new QCPColorScale(p);
    bar->setType(QCPAxis::atRight);
    bar->setRangeDrag(false);
    bar->setRangeZoom(false);
    bar->setBarWidth(14);
    m_content->addElement(0, 1, bar);
    map->setColorScale(bar);
    map->setGradient(gradient);
    auto *group = new QCPMarginGroup(p);
    p->axisRect()->setMarginGroup(QCP::msTop | QCP::msBottom, group);
    bar->setMarginGroup(QCP::msTop | QCP::msBottom, group);
    *scale = bar;
    return map;
}

void PlotCanvas::setEmptyText(const QString &text)
{
    if (!m_empty) {
        // Covers the whole plot, opaque: an empty canvas shows what to do next, never an empty
        // (or leftover) axis that could be read as a result.
        m_empty = new QLabel(m_plot);
        m_empty->setObjectName(QStringLiteral("emptyText"));
        m_empty->setWordWrap(true);
        m_empty->setAlignment(Qt::AlignCenter);
        m_empty->setTextFormat(Qt::PlainText);
        m_empty->setMargin(12);
        m_empty->setAutoFillBackground(true);
        m_empty->setForegroundRole(QPalette::PlaceholderText);
    }
    m_empty->setText(text);
    m_empty->setToolTip(text);
    m_empty->setVisible(!text.isEmpty());
    if (!text.isEmpty()) {
        m_empty->setGeometry(QRect(QPoint(0, 0), size())); // the plot fills the canvas
        m_empty->raise();
    }
}

QString PlotCanvas::emptyText() const
{
    return m_empty ? m_empty->text() : QString();
}

void PlotCanvas::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    if (m_empty && !m_empty->isHidden())
        setEmptyText(m_empty->text());
}

QCustomPlot *PlotCanvas::plot() const
{
    return m_plot;
}

QCPLayoutGrid *PlotCanvas::contentLayout() const
{
    return m_content;
}

void PlotCanvas::setTitle(const QString &title)
{
    m_title = title;
    QCPLayoutGrid *top = m_plot->plotLayout();
    if (title.isEmpty()) {
        if (m_titleElement) {
            top->remove(m_titleElement); // deletes it
            m_titleElement = nullptr;
            top->simplify();
        }
    } else if (!m_titleElement) {
        top->insertRow(0);
        QFont font = m_plot->font();
        font.setPointSizeF(font.pointSizeF() * 1.2);
        font.setBold(true);
        m_titleElement = new QCPTextElement(m_plot, title, font);
        top->addElement(0, 0, m_titleElement);
    } else {
        m_titleElement->setText(title);
    }
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

QString PlotCanvas::title() const
{
    return m_title;
}

void PlotCanvas::updatePlotLayout() const
{
    // What QCustomPlot::updateLayout() does (it is protected): three layout passes.
    QCPLayoutGrid *top = m_plot->plotLayout();
    if (top->outerRect() != m_plot->rect())
        m_plot->setViewport(m_plot->rect());
    top->update(QCPLayoutElement::upPreparation);
    top->update(QCPLayoutElement::upMargins);
    top->update(QCPLayoutElement::upLayout);
}

void PlotCanvas::replot()
{
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void PlotCanvas::resetView()
{
    m_plot->rescaleAxes();
    m_plot->replot();
}

QStringList PlotCanvas::figureSuffixes()
{
    return {QStringLiteral("png"), QStringLiteral("svg"), QStringLiteral("pdf")};
}

bool PlotCanvas::exportFigure(const QString &path, int widthPx, int heightPx, double dpi,
                              QString *error)
{
    const int w = widthPx > 0 ? widthPx : (m_plot->width() > 1 ? m_plot->width() : 800);
    const int h = heightPx > 0 ? heightPx : (m_plot->height() > 1 ? m_plot->height() : 500);
    if (w > 20000 || h > 20000)
        return (error ? (*error = tr("Cannot export a %1 × %2 figure: the image would be too "
                                     "large.")
                                      .arg(w)
                                      .arg(h),
                         false)
                      : false);
    FigureOptions options;
    options.sizeIn = QSizeF(w / 96.0, h / 96.0);
    options.dpi = dpi;
    options.viewFonts = true;
    options.decorations = true;
    options.title = m_title;
    Figure f = figure(QStringLiteral("figure"));
    if (!f.paint) // an empty canvas still exports (axes only), as on screen
        f.paint = [this](QCPPainter &painter, const QRectF &rect, const FigureStyle &style) {
            paintFigure(painter, rect, style);
        };
    return writeFigure(f, options, path, error);
}

namespace {

/// Every text font of the plot, with a way to set and restore it.
struct FontSlot {
    std::function<QFont()> get;
    std::function<void(const QFont &)> set;
    double scale = 1.0; ///< of the figure font (legend entries are set a little smaller)
};

std::vector<FontSlot> fontSlots(QCustomPlot *plot)
{
    std::vector<FontSlot> fonts;
    auto axisSlots = [&fonts](QCPAxis *axis) {
        fonts.push_back({[axis] { return axis->labelFont(); },
                         [axis](const QFont &f) { axis->setLabelFont(f); }});
        fonts.push_back({[axis] { return axis->tickLabelFont(); },
                         [axis](const QFont &f) { axis->setTickLabelFont(f); }});
        fonts.push_back({[axis] { return axis->selectedLabelFont(); },
                         [axis](const QFont &f) { axis->setSelectedLabelFont(f); }});
        fonts.push_back({[axis] { return axis->selectedTickLabelFont(); },
                         [axis](const QFont &f) { axis->setSelectedTickLabelFont(f); }});
    };
    for (QCPLayoutElement *e : plot->plotLayout()->elements(true)) {
        if (!e)
            continue; // an empty cell of a layout grid
        if (auto *rect = qobject_cast<QCPAxisRect *>(e)) {
            for (QCPAxis *axis : rect->axes())
                if (axis)
                    axisSlots(axis);
        } else if (auto *scale = qobject_cast<QCPColorScale *>(e)) {
            axisSlots(scale->axis());
        } else if (auto *legend = qobject_cast<QCPLegend *>(e)) {
            fonts.push_back({[legend] { return legend->font(); },
                             [legend](const QFont &f) { legend->setFont(f); }});
            for (int i = 0; i < legend->itemCount(); ++i) {
                QCPAbstractLegendItem *item = legend->item(i);
                if (!item)
                    continue;
                fonts.push_back({[item] { return item->font(); },
                                 [item](const QFont &f) { item->setFont(f); }, 0.9});
            }
        } else if (auto *text = qobject_cast<QCPTextElement *>(e)) {
            fonts.push_back(
                {[text] { return text->font(); }, [text](const QFont &f) { text->setFont(f); }});
        }
    }
    for (int i = 0; i < plot->itemCount(); ++i)
        if (auto *text = qobject_cast<QCPItemText *>(plot->item(i)))
            fonts.push_back(
                {[text] { return text->font(); }, [text](const QFont &f) { text->setFont(f); }});
    return fonts;
}

} // namespace

namespace {

/// @p text with line breaks between words so that no line is wider than @p width.
QString wrapText(const QString &text, const QFontMetricsF &fm, double width)
{
    QStringList out;
    for (const QString &line : text.split(QLatin1Char('\n'))) {
        if (fm.horizontalAdvance(line) <= width) {
            out << line;
            continue;
        }
        QString current;
        for (const QString &word : line.split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
            const QString candidate = current.isEmpty() ? word : current + QLatin1Char(' ') + word;
            if (!current.isEmpty() && fm.horizontalAdvance(candidate) > width) {
                out << current;
                current = word;
            } else {
                current = candidate;
            }
        }
        out << current;
    }
    return out.join(QLatin1Char('\n'));
}

/// A legend's share of the figure height it may take before its font shrinks.
constexpr double kLegendShare = 0.38;

/// What fitLegend() changed, to restore the on-screen legend after painting a figure.
struct LegendState {
    struct Saved {
        QCPLegend *legend;
        int wrap;
        QCPLayoutGrid::FillOrder order;
        QSize icon;
        int columnSpacing;
        std::vector<std::pair<QCPAbstractPlottable *, QString>> names;
    };
    std::vector<Saved> saved;
    void restore()
    {
        for (Saved &s : saved) {
            for (auto &[plottable, name] : s.names)
                plottable->setName(name);
            s.legend->setIconSize(s.icon);
            s.legend->setColumnSpacing(s.columnSpacing);
            s.legend->setWrap(s.wrap);
            s.legend->setFillOrder(s.order, true);
        }
        saved.clear();
    }
};

/**
 * Lays @p legend out for a figure @p width wide (figure units): as many columns as fit, entry
 * names word-wrapped to their column (a word wider than the column is elided), the arrangement
 * with the smallest height; when that is taller than @p maxHeight the entry font shrinks (to 80 %
 * at most) before giving up. Entries never run past @p width. Changes are recorded in @p state.
 */
void fitLegend(QCPLegend *legend, double width, double maxHeight, LegendState &state)
{
    std::vector<QCPPlottableLegendItem *> items;
    for (int i = 0; i < legend->itemCount(); ++i)
        if (auto *item = qobject_cast<QCPPlottableLegendItem *>(legend->item(i)))
            items.push_back(item);
    const int n = int(items.size());
    if (n == 0)
        return;
    LegendState::Saved saved{
        legend, legend->wrap(), legend->fillOrder(), legend->iconSize(), legend->columnSpacing(),
        {}};
    for (QCPPlottableLegendItem *item : items)
        saved.names.emplace_back(item->plottable(), item->plottable()->name());
    const QMargins lm = legend->margins();
    const double room = std::max(20.0, width - lm.left() - lm.right());
    const QFont base = items.front()->font();

    struct Choice {
        double height = std::numeric_limits<double>::infinity();
        int cols = 1;
        double scale = 1.0;
        QSize icon;
        int spacing = 0;
        std::vector<QString> names;
    } best;
    for (double scale : {1.0, 0.9, 0.8}) {
        QFont f = base;
        f.setPointSizeF(std::max(4.0, base.pointSizeF() * scale));
        const QFontMetrics fm(f); // QCustomPlot lays legend items out with integer metrics
        const int iconH = std::max(6, fm.height() - 2);
        const QSize icon(std::min(saved.icon.width(), int(std::lround(fm.height() * 2.2))),
                         std::min(saved.icon.height(), iconH));
        const int spacing = std::min(saved.columnSpacing, int(std::lround(fm.height() * 0.8)));
        const double fixed = icon.width() + legend->iconTextPadding() + 2;
        for (int cols = n; cols >= 1; --cols) {
            const double colW = (room - (cols - 1) * spacing) / cols - fixed;
            if (colW < fm.averageCharWidth() * 6)
                continue;
            std::vector<QString> names;
            std::vector<int> lines;
            for (QCPPlottableLegendItem *item : items) {
                QStringList out;
                for (QString line : wrapText(item->plottable()->name(), QFontMetricsF(f), colW)
                                        .split(QLatin1Char('\n')))
                    out << (fm.horizontalAdvance(line) > colW
                                ? fm.elidedText(line, Qt::ElideRight, int(colW))
                                : line);
                names.push_back(out.join(QLatin1Char('\n')));
                lines.push_back(int(out.size()));
            }
            // foColumnsFirst fills rows of `cols` entries; the row height is its tallest entry.
            double height = lm.top() + lm.bottom();
            for (int r = 0; r * cols < n; ++r) {
                int tallest = 1;
                for (int c = 0; c < cols && r * cols + c < n; ++c)
                    tallest = std::max(tallest, lines[std::size_t(r * cols + c)]);
                height += std::max(double(icon.height()), double(tallest * fm.lineSpacing()))
                          + legend->rowSpacing();
            }
            if (height < best.height - 0.5)
                best = {height, cols, scale, icon, spacing, std::move(names)};
        }
        if (best.height <= maxHeight)
            break;
    }
    if (best.names.empty())
        return;
    for (int i = 0; i < n; ++i) {
        QFont f = items[std::size_t(i)]->font();
        f.setPointSizeF(std::max(4.0, base.pointSizeF() * best.scale));
        items[std::size_t(i)]->setFont(f);
        items[std::size_t(i)]->plottable()->setName(best.names[std::size_t(i)]);
    }
    legend->setIconSize(best.icon);
    legend->setColumnSpacing(best.spacing);
    legend->setFillOrder(QCPLayoutGrid::foColumnsFirst, false);
    legend->setWrap(best.cols);
    legend->setFillOrder(QCPLayoutGrid::foColumnsFirst, true);
    state.saved.push_back(std::move(saved));
}

} // namespace

void PlotCanvas::addDecoration(QCPLayerable *item)
{
    if (item)
        m_decorations.push_back(item);
}

void PlotCanvas::paintFigure(QCPPainter &painter, const QRectF &rect, const FigureStyle &style)
{
    m_paintingFigure = true;
    beginFigure();
    // The exporter draws its own title: take the canvas title row out while painting.
    const QString title = m_title;
    if (!title.isEmpty())
        setTitle(QString());
    std::vector<FontSlot> fonts;
    std::vector<QFont> saved;
    if (!style.viewFonts) {
        fonts = fontSlots(m_plot);
        for (const FontSlot &slot : fonts) {
            saved.push_back(slot.get());
            QFont f = style.font;
            if (slot.scale != 1.0)
                f.setPointSizeF(std::max(4.0, f.pointSizeF() * slot.scale));
            f.setBold(saved.back().bold());
            f.setItalic(saved.back().italic());
            slot.set(f);
        }
    }
    std::vector<std::pair<QCPLayerable *, bool>> hidden;
    if (!style.decorations)
        for (QCPLayerable *item : m_decorations)
            if (item->visible()) {
                hidden.emplace_back(item, true);
                item->setVisible(false);
            }

    // Long one-line texts (captions) wrap to the figure's width; legends get as many columns as
    // fit. Both are restored below.
    std::vector<std::pair<QCPTextElement *, QString>> texts;
    LegendState legends;
    const double avail = std::max(40.0, rect.width() - 16);
    for (QCPLayoutElement *e : m_plot->plotLayout()->elements(true)) {
        if (auto *text = qobject_cast<QCPTextElement *>(e)) {
            // Captions sit beside a colour bar or legend column: wrap to most of the width.
            const QString wrapped =
                wrapText(text->text(), QFontMetricsF(text->font()), avail * 0.6);
            if (wrapped != text->text()) {
                texts.emplace_back(text, text->text());
                text->setText(wrapped);
            }
        } else if (auto *legend = qobject_cast<QCPLegend *>(e);
                   legend && legend->visible() && !style.legends) {
            hidden.emplace_back(legend, true);
            legend->setVisible(false);
        } else if (legend && legend->visible()) {
            fitLegend(legend, avail, rect.height() * kLegendShare, legends);
        }
    }
    // One layout pass at the figure's size first, so that size-dependent tickers (layers of the
    // heatmap) and fitToFigure() see the figure's axis rects, not the screen's.
    const QRect viewport(0, 0, int(std::floor(rect.width())), int(std::floor(rect.height())));
    const QRect screenViewport = m_plot->viewport();
    m_plot->setViewport(viewport);
    for (int pass = 0; pass < 2; ++pass) {
        QCPLayoutGrid *top = m_plot->plotLayout();
        top->update(QCPLayoutElement::upPreparation);
        top->update(QCPLayoutElement::upMargins);
        top->update(QCPLayoutElement::upLayout);
        if (pass == 0)
            fitToSize();
    }
    m_lastFigure = {};
    m_lastFigure.rect = QRectF(viewport);
    for (QCPLayoutElement *e : m_plot->plotLayout()->elements(true)) {
        if (auto *legend = qobject_cast<QCPLegend *>(e); legend && legend->visible()) {
            m_lastFigure.legend = m_lastFigure.legend.united(QRectF(legend->outerRect()));
            for (int i = 0; i < legend->itemCount(); ++i) {
                auto *item = qobject_cast<QCPPlottableLegendItem *>(legend->item(i));
                if (!item)
                    continue;
                // What the item needs (icon, padding, text) against the room it got.
                const QRect text = QFontMetrics(item->font())
                                       .boundingRect(0, 0, 0, legend->iconSize().height(),
                                                     Qt::TextDontClip, item->plottable()->name());
                const int need = legend->iconSize().width() + legend->iconTextPadding()
                                 + text.width() + item->margins().left() + item->margins().right();
                if (need > item->outerRect().width() + 1
                    || item->outerRect().right() > viewport.right() + 1)
                    ++m_lastFigure.clippedLegendItems;
            }
        }
    }
    m_plot->setViewport(screenViewport);

    painter.save();
    painter.translate(rect.topLeft());
    m_plot->toPainter(&painter, int(std::floor(rect.width())), int(std::floor(rect.height())));
    painter.restore();
    for (auto &[text, old] : texts)
        text->setText(old);
    legends.restore();
    m_paintingFigure = false;
    restoreFitToSize();

    for (auto &[item, visible] : hidden)
        item->setVisible(visible);
    for (std::size_t i = 0; i < fonts.size(); ++i)
        fonts[i].set(saved[i]);
    if (!title.isEmpty())
        setTitle(title);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
    updatePlotLayout();
}

const PlotCanvas::FigureLayout &PlotCanvas::lastFigureLayout() const
{
    return m_lastFigure;
}

void PlotCanvas::fitToSize() {}

void PlotCanvas::beginFigure() {}

void PlotCanvas::restoreFitToSize() {}

Figure PlotCanvas::figure(const QString &name, const QString &caption)
{
    Figure f;
    f.name = name;
    f.title = m_title;
    f.caption = caption;
    if (m_empty && m_empty->isVisible() && !m_empty->text().isEmpty()) {
        f.why = m_empty->text();
        return f;
    }
    QPointer<PlotCanvas> self(this);
    f.paint = [self](QCPPainter &painter, const QRectF &rect, const FigureStyle &style) {
        if (self)
            self->paintFigure(painter, rect, style);
    };
    return f;
}

QByteArray PlotCanvas::csvField(const QString &text)
{
    QByteArray utf8 = text.toUtf8();
    if (utf8.contains(',') || utf8.contains('"') || utf8.contains('\n') || utf8.contains('\r')) {
        utf8.replace("\"", "\"\"");
        utf8.prepend('"');
        utf8.append('"');
    }
    return utf8;
}

QByteArray PlotCanvas::csvNumber(double value)
{
    if (std::isnan(value))
        return {};
    return QString::number(value, 'g', QLocale::FloatingPointShortest).toLatin1();
}

QByteArray PlotCanvas::csv() const
{
    QByteArray out = "series,x,y\n";
    for (int i = 0; i < m_plot->graphCount(); ++i) {
        QCPGraph *graph = m_plot->graph(i);
        const QByteArray name = csvField(graph->name());
        for (auto it = graph->data()->constBegin(); it != graph->data()->constEnd(); ++it)
            out += name + ',' + csvNumber(it->key) + ',' + csvNumber(it->value) + '\n';
    }
    return out;
}

bool PlotCanvas::exportCsv(const QString &path, QString *error) const
{
    try {
        salient::writeFileAtomic(path, csv());
    } catch (const Error &e) {
        if (error)
            *error = e.message();
        return false;
    }
    return true;
}

} // namespace salient::ui
