#include "salient/ui/plotting/plotcanvas.h"

#include "salient/util/atomicfile.h"
#include "salient/util/error.h"

#include <QLabel>
#include <algorithm>

#include <qcustomplot.h>

#include <QDir>
#include <QFileInfo>
#include <QImage>
#include <QLocale>
#include <QSvgGenerator>
#include <QTemporaryFile>
#include <QVBoxLayout>

#include <cmath>
#include <filesystem>
#include <system_error>

namespace salient::ui {

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
    auto *map = new QCPColorMap(p->xAxis, p->yAxis);
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
    auto fail = [error](const QString &message) {
        if (error)
            *error = message;
        return false;
    };
    const QFileInfo info(path);
    const QString suffix = info.suffix().toLower();
    if (!figureSuffixes().contains(suffix))
        return fail(tr("Cannot export “%1”: the file name must end in .png, .svg or .pdf.")
                        .arg(info.fileName()));
    if (!(dpi >= 24 && dpi <= 2400))
        return fail(
            tr("Cannot export at %1 DPI: choose a resolution between 24 and 2400.").arg(dpi));
    const int w = widthPx > 0 ? widthPx : (m_plot->width() > 1 ? m_plot->width() : 800);
    const int h = heightPx > 0 ? heightPx : (m_plot->height() > 1 ? m_plot->height() : 500);
    if (w > 20000 || h > 20000 || double(w) * double(h) * (dpi / 96.0) * (dpi / 96.0) > 4.0e8)
        return fail(tr("Cannot export a %1 × %2 figure at %3 DPI: the image would be too large.")
                        .arg(w)
                        .arg(h)
                        .arg(dpi));
    const QDir dir = info.absoluteDir();
    if (!dir.exists())
        return fail(tr("Cannot export to “%1”: the folder does not exist.").arg(dir.path()));

    // Reserve a unique temporary name next to the target, then render into it and rename.
    QTemporaryFile tmp(
        dir.filePath(QStringLiteral(".%1.XXXXXX.%2").arg(info.completeBaseName(), suffix)));
    if (!tmp.open())
        return fail(tr("Cannot write in “%1”: %2").arg(dir.path(), tmp.errorString()));
    const QString tmpPath = tmp.fileName();
    tmp.close();

    QString renderError;
    const bool ok = renderTo(tmpPath, suffix, w, h, dpi, &renderError);
    // Rendering at another size re-laid the plot out; restore the on-screen layout.
    m_plot->replot(QCustomPlot::rpQueuedReplot);
    updatePlotLayout();
    if (!ok)
        return fail(renderError);
    QFile::setPermissions(tmpPath, QFileDevice::ReadOwner | QFileDevice::WriteOwner
                                       | QFileDevice::ReadGroup | QFileDevice::ReadOther);
    std::error_code ec;
    std::filesystem::rename(std::filesystem::path(tmpPath.toStdString()),
                            std::filesystem::path(info.absoluteFilePath().toStdString()), ec);
    if (ec)
        return fail(tr("Cannot write “%1”: %2")
                        .arg(info.absoluteFilePath(), QString::fromStdString(ec.message())));
    tmp.setAutoRemove(false);
    return true;
}

bool PlotCanvas::renderTo(const QString &file, const QString &suffix, int w, int h, double dpi,
                          QString *error)
{
    if (suffix == QLatin1String("pdf")) {
        if (!m_plot->savePdf(file, w, h, QCP::epNoCosmetic, QStringLiteral("Salient"), m_title)) {
            *error = tr("Could not write the PDF file.");
            return false;
        }
        return true;
    }
    if (suffix == QLatin1String("svg")) {
        QSvgGenerator generator;
        generator.setFileName(file);
        generator.setSize(QSize(w, h));
        generator.setViewBox(QRect(0, 0, w, h));
        generator.setResolution(96);
        generator.setTitle(m_title);
        generator.setDescription(QStringLiteral("Figure exported by Salient"));
        QCPPainter painter;
        if (!painter.begin(&generator)) {
            *error = tr("Could not write the SVG file.");
            return false;
        }
        painter.setMode(QCPPainter::pmVectorized);
        painter.setMode(QCPPainter::pmNonCosmetic);
        m_plot->toPainter(&painter, w, h);
        painter.end();
        if (QFileInfo(file).size() == 0) {
            *error = tr("Could not write the SVG file.");
            return false;
        }
        return true;
    }
    // PNG: render at the DPI-scaled size; the DPI is stored only after painting, so text keeps
    // its on-screen proportions (fonts are resolved at the image's default 96 DPI).
    const double scale = dpi / 96.0;
    QImage image(std::max(1, int(std::lround(w * scale))), std::max(1, int(std::lround(h * scale))),
                 QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::white);
    {
        QCPPainter painter(&image);
        if (std::abs(scale - 1.0) > 1e-9) {
            painter.setMode(QCPPainter::pmNonCosmetic);
            painter.scale(scale, scale);
        }
        m_plot->toPainter(&painter, w, h);
    }
    const int dotsPerMeter = int(std::lround(dpi / 0.0254));
    image.setDotsPerMeterX(dotsPerMeter);
    image.setDotsPerMeterY(dotsPerMeter);
    if (!image.save(file, "PNG")) {
        *error = tr("Could not write the PNG file.");
        return false;
    }
    return true;
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
