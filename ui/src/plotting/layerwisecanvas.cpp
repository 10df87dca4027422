#include "salient/ui/plotting/layerwisecanvas.h"

#include <qcustomplot.h>

#include <algorithm>
#include <cmath>

namespace salient::ui {

namespace {

// Okabe–Ito colours (colour-blind safe); markers and dash patterns also tell the series apart.
const QColor kIndependent(0x00, 0x72, 0xb2); // blue
const QColor kIncremental(0xe6, 0x9f, 0x00); // orange
const QColor kAllLayers(0x00, 0x9e, 0x73);   // bluish green
const QColor kThreshold(0xd5, 0x5e, 0x00);   // vermillion
const QColor kSelected(0x00, 0x00, 0x00);
const QColor kBaseline(0x77, 0x77, 0x77);

} // namespace

LayerwiseCanvas::LayerwiseCanvas(QWidget *parent) : PlotCanvas(parent)
{
    QCustomPlot *p = plot();
    p->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    p->xAxis->setLabel(tr("layer"));
    p->yAxis->setLabel(tr("accuracy"));
    auto xTicker = QSharedPointer<QCPAxisTickerFixed>::create();
    xTicker->setTickStep(1.0);
    xTicker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples); // integers, thinned when many
    p->xAxis->setTicker(xTicker);
    p->xAxis->setSubTicks(false);

    // Legend in a row below the plot, centred between two empty elements (as CurvesCanvas).
    p->axisRect()->insetLayout()->take(p->legend);
    auto *row = new QCPLayoutGrid;
    contentLayout()->addElement(1, 0, row);
    contentLayout()->setRowStretchFactor(1, 0.001);
    row->addElement(0, 0, new QCPLayoutElement(p));
    row->addElement(0, 1, p->legend);
    row->addElement(0, 2, new QCPLayoutElement(p));
    row->setColumnStretchFactors({1.0, 0.001, 1.0});
    row->setColumnSpacing(0);
    p->legend->setWrap(3);
    p->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    p->legend->setLayer(QStringLiteral("legend"));
    p->legend->setBorderPen(Qt::NoPen);
    p->legend->setMargins(QMargins(4, 0, 4, 6));
    p->legend->setRowSpacing(0);
    p->legend->setColumnSpacing(12);
    QFont small = p->font();
    small.setPointSizeF(small.pointSizeF() * 0.9);
    p->legend->setFont(small);
    p->legend->setIconSize(32, 14);

    m_hint = new QCPItemText(p);
    m_hint->setClipToAxisRect(false);
    m_hint->position->setType(QCPItemPosition::ptViewportRatio);
    m_hint->position->setCoords(0.5, 0.5);
    m_hint->setPositionAlignment(Qt::AlignCenter);
    QFont hintFont = p->font();
    hintFont.setPointSizeF(hintFont.pointSizeF() * 1.1);
    m_hint->setFont(hintFont);
    m_hint->setColor(QColor(0x66, 0x66, 0x66));
    m_hint->setSelectable(false);
    m_hint->setText(tr("Run layer-wise probes to see accuracy per layer"));
    rebuild();
}

LayerwiseCanvas::~LayerwiseCanvas() = default;

double LayerwiseCanvas::shownAccuracy(const LayerScore &s) const
{
    return m_result.seeds > 1 ? s.devSeeds.mean : s.dev;
}

int LayerwiseCanvas::errorBarCount() const
{
    int n = 0;
    for (int i = 0; i < plot()->plottableCount(); ++i)
        if (auto *bars = qobject_cast<QCPErrorBars *>(plot()->plottable(i)))
            n += bars->dataCount();
    return n;
}

void LayerwiseCanvas::setResult(const LayerwiseResult &result)
{
    m_result = result;
    if (m_result.incremental.empty() && m_result.independent.empty())
        m_result = LayerwiseResult{};
    rebuild();
}

void LayerwiseCanvas::clear()
{
    m_result = LayerwiseResult{};
    rebuild();
}

bool LayerwiseCanvas::hasResult() const
{
    return !m_result.incremental.empty() || !m_result.independent.empty();
}

const LayerwiseResult &LayerwiseCanvas::result() const
{
    return m_result;
}

void LayerwiseCanvas::setBaseline(double accuracy)
{
    m_baseline = std::isfinite(accuracy) ? accuracy : std::numeric_limits<double>::quiet_NaN();
    rebuild();
}

double LayerwiseCanvas::baseline() const
{
    return m_baseline;
}

QString LayerwiseCanvas::emptyHint() const
{
    return m_hint->visible() ? m_hint->text() : QString();
}

int LayerwiseCanvas::legendItemCount() const
{
    // QCPLegend::itemCount() counts the cells of its wrapped grid, empty ones included.
    return int(legendNames().size());
}

QStringList LayerwiseCanvas::legendNames() const
{
    QStringList names;
    const QCPLegend *legend = plot()->legend;
    for (int i = 0; i < legend->itemCount(); ++i)
        if (auto *item = qobject_cast<QCPPlottableLegendItem *>(legend->item(i)))
            names << item->plottable()->name();
    return names;
}

void LayerwiseCanvas::rebuild()
{
    QCustomPlot *p = plot();
    p->clearPlottables(); // graphs and their error bars
    // Items other than the hint are the horizontal lines of the previous result.
    for (int i = p->itemCount() - 1; i >= 0; --i)
        if (p->item(i) != m_hint)
            p->removeItem(i);
    const bool has = hasResult();
    m_hint->setVisible(!has);
    p->xAxis->setVisible(has);
    p->yAxis->setVisible(has);
    if (!has) {
        p->legend->setVisible(false);
        resetView();
        return;
    }

    // With N > 1 seeds the points are the means over the repetitions with ± sd error bars.
    const bool seeded = m_result.seeds > 1;
    const QString seedsNote = seeded ? tr(" (mean ± sd, %1 seeds)").arg(m_result.seeds) : QString();
    const auto addSeries = [&](const std::vector<LayerScore> &scores, const QString &name,
                               const QColor &colour, Qt::PenStyle style,
                               QCPScatterStyle::ScatterShape shape) {
        if (scores.empty())
            return;
        QCPGraph *g = p->addGraph();
        g->setName(name + seedsNote);
        g->setPen(QPen(colour, 2.0, style));
        g->setScatterStyle(QCPScatterStyle(shape, QPen(colour, 1.5), QBrush(colour), 7));
        QVector<double> sd;
        for (const LayerScore &s : scores) {
            const double y = shownAccuracy(s);
            if (!std::isfinite(y))
                continue;
            g->addData(s.layer, y);
            sd << (std::isfinite(s.devSeeds.sd) ? s.devSeeds.sd : 0.0);
        }
        if (!seeded)
            return;
        auto *bars = new QCPErrorBars(p->xAxis, p->yAxis);
        bars->removeFromLegend();
        bars->setDataPlottable(g);
        bars->setData(sd);
        bars->setPen(QPen(colour, 1.4));
        bars->setWhiskerWidth(8);
    };
    addSeries(m_result.independent, tr("independent probes"), kIndependent, Qt::SolidLine,
              QCPScatterStyle::ssCircle);
    addSeries(m_result.incremental, tr("incremental probes (layers 0..k)"), kIncremental,
              Qt::DashLine, QCPScatterStyle::ssSquare);

    const auto addLevel = [p](double y, const QString &name, const QPen &pen) {
        if (!std::isfinite(y))
            return;
        auto *line = new QCPItemStraightLine(p);
        line->setPen(pen);
        line->point1->setCoords(0, y);
        line->point2->setCoords(1, y);
        QCPGraph *entry = p->addGraph(); // legend entry only: no data
        entry->setPen(pen);
        entry->setName(name);
    };
    if (!m_result.incremental.empty()) {
        addLevel(m_result.fullDev, tr("all layers (%1)").arg(m_result.fullDev, 0, 'f', 3),
                 QPen(kAllLayers, 2.0, Qt::SolidLine));
        addLevel(m_result.threshold,
                 tr("LayerSelector threshold (%1)").arg(m_result.threshold, 0, 'f', 3),
                 QPen(kThreshold, 1.6, Qt::DashLine));
    }
    QPen baselinePen(kBaseline, 1.6, Qt::CustomDashLine);
    baselinePen.setDashPattern({2.0, 3.0}); // short dashes: not the threshold's long ones
    addLevel(m_baseline, tr("majority class (%1)").arg(m_baseline, 0, 'f', 3), baselinePen);

    const int k = m_result.selectedIndex;
    if (k >= 0 && k < int(m_result.incremental.size())) {
        const LayerScore &s = m_result.incremental[std::size_t(k)];
        QCPGraph *g = p->addGraph();
        g->setName(tr("selected: layer %1 (%2)").arg(s.layer).arg(shownAccuracy(s), 0, 'f', 3));
        g->setLineStyle(QCPGraph::lsNone);
        g->setPen(QPen(kSelected, 2.5));
        g->setScatterStyle(
            QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(kSelected, 2.5), Qt::NoBrush, 17));
        g->addData(s.layer, shownAccuracy(s));
    }
    p->legend->setVisible(legendItemCount() > 0);
    resetView();
}

void LayerwiseCanvas::resetView()
{
    QCustomPlot *p = plot();
    double xMin = std::numeric_limits<double>::infinity(), xMax = -xMin;
    double yMin = xMin, yMax = -xMin;
    const auto extend = [&](double x, double y) {
        if (std::isfinite(x)) {
            xMin = std::min(xMin, x);
            xMax = std::max(xMax, x);
        }
        if (std::isfinite(y)) {
            yMin = std::min(yMin, y);
            yMax = std::max(yMax, y);
        }
    };
    const bool seeded = m_result.seeds > 1;
    for (const auto *scores : {&m_result.independent, &m_result.incremental})
        for (const LayerScore &s : *scores) {
            const double y = shownAccuracy(s);
            const double sd = seeded && std::isfinite(s.devSeeds.sd) ? s.devSeeds.sd : 0.0;
            extend(double(s.layer), y - sd);
            extend(double(s.layer), y + sd);
        }
    if (!m_result.incremental.empty()) {
        extend(std::nan(""), m_result.fullDev);
        extend(std::nan(""), m_result.threshold);
    }
    if (hasResult())
        extend(std::nan(""), m_baseline);
    if (!std::isfinite(xMin)) {
        xMin = 0;
        xMax = 1;
    }
    if (!std::isfinite(yMin)) {
        yMin = 0;
        yMax = 1;
    }
    p->xAxis->setRange(xMin - 0.5, xMax + 0.5);
    const double pad = std::max(0.02, 0.08 * (yMax - yMin));
    p->yAxis->setRange(std::max(-0.02, yMin - pad), std::min(1.02, yMax + pad));
    p->replot(QCustomPlot::rpQueuedReplot);
}

QByteArray LayerwiseCanvas::csv() const
{
    const bool seeded = m_result.seeds > 1;
    QByteArray out = seeded ? "series,index,layer,accuracy,test,accuracy_sd,seeds\n"
                            : "series,index,layer,accuracy,test\n";
    const auto rows = [&](const char *series, const std::vector<LayerScore> &scores) {
        for (std::size_t k = 0; k < scores.size(); ++k) {
            const LayerScore &s = scores[k];
            out += QByteArray(series) + ',' + QByteArray::number(qulonglong(k)) + ','
                   + QByteArray::number(s.layer) + ',' + csvNumber(shownAccuracy(s)) + ','
                   + csvNumber(seeded ? s.testSeeds.mean : s.test);
            if (seeded)
                out += ',' + csvNumber(s.devSeeds.sd) + ',' + QByteArray::number(s.devSeeds.n);
            out += '\n';
        }
    };
    rows("independent", m_result.independent);
    rows("incremental", m_result.incremental);
    if (!m_result.incremental.empty()) {
        out += "all_layers,,," + csvNumber(m_result.fullDev) + ",\n";
        out += "threshold,,," + csvNumber(m_result.threshold) + ",\n";
    }
    const int k = m_result.selectedIndex;
    if (k >= 0 && k < int(m_result.incremental.size())) {
        const LayerScore &s = m_result.incremental[std::size_t(k)];
        out += "selected," + QByteArray::number(k) + ',' + QByteArray::number(s.layer) + ','
               + csvNumber(shownAccuracy(s)) + ",\n";
    }
    if (hasResult() && std::isfinite(m_baseline))
        out += "baseline,,," + csvNumber(m_baseline) + ",\n";
    return out;
}

} // namespace salient::ui
