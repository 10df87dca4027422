#include "salient/ui/plotting/salienceheatmapcanvas.h"

#include <qcustomplot.h>

#include <QToolTip>

#include <algorithm>
#include <cmath>
#include <limits>

namespace salient::ui {

namespace {

/// Layer tick labels are at least this many label heights apart.
constexpr double kLayerLabelSpacing = 1.6;

/**
 * Layer ticks thinned by the pixels the axis has: every n-th layer (n = 1, 2, 5, 10, 20, …) so
 * that labels are at least kLayerLabelSpacing label heights apart at the axis rect's current
 * height; labels are the layer ids. GUI thread (reads the axis's layout).
 */
class LayerTicker : public QCPAxisTicker {
public:
    explicit LayerTicker(QCPAxis *axis) : m_axis(axis) {}
    std::vector<int> ids;

protected:
    double getTickStep(const QCPRange &range) override
    {
        const QCPAxisRect *rect = m_axis->axisRect();
        const double px = rect && rect->height() > 0 ? rect->height() : 300.0;
        const double labelH = QFontMetricsF(m_axis->tickLabelFont()).height();
        const double fit = std::max(1.0, std::floor(px / (labelH * kLayerLabelSpacing)));
        const double visible = std::max(1.0, range.size());
        double step = 1;
        for (double decade = 1; visible / step > fit; decade *= 10)
            for (double m : {1.0, 2.0, 5.0}) {
                step = m * decade;
                if (visible / step <= fit)
                    break;
            }
        return step;
    }
    int getSubTickCount(double) override { return 0; }
    QVector<double> createTickVector(double step, const QCPRange &range) override
    {
        QVector<double> ticks;
        const int last = int(ids.size()) - 1;
        const int lo = std::max(0, int(std::ceil(range.lower)));
        const int hi = std::min(last, int(std::floor(range.upper)));
        const int s = std::max(1, int(std::lround(step)));
        for (int l = (lo + s - 1) / s * s; l <= hi; l += s)
            ticks << l;
        return ticks;
    }
    QString getTickLabel(double tick, const QLocale &, QChar, int) override
    {
        const int l = int(std::lround(tick));
        return l >= 0 && l < int(ids.size()) ? QString::number(ids[std::size_t(l)]) : QString();
    }

private:
    QCPAxis *m_axis;
};
/// Smallest size of the selection marker in pixels.
constexpr double kMarkerMinPx = 9.0;

QCPRange cellRange(int n)
{
    return n > 1 ? QCPRange(0, n - 1) : QCPRange(-0.5, 0.5);
}

} // namespace

SalienceHeatmapCanvas::SalienceHeatmapCanvas(QWidget *parent) : PlotCanvas(parent)
{
    QCustomPlot *p = plot();
    QCPAxisRect *rect = p->axisRect();
    p->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    p->setNoAntialiasingOnDrag(true);
    rect->setRangeDrag(Qt::Horizontal | Qt::Vertical);
    rect->setRangeZoom(Qt::Horizontal | Qt::Vertical);
    p->xAxis->grid()->setVisible(false);
    p->yAxis->grid()->setVisible(false);
    p->xAxis->setLabel(tr("neuron (index within layer)"));
    p->yAxis->setLabel(tr("layer"));
    auto xTicker = QSharedPointer<QCPAxisTickerFixed>::create();
    xTicker->setTickStep(1.0);
    xTicker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    p->xAxis->setTicker(xTicker);
    p->yAxis->setTicker(QSharedPointer<LayerTicker>::create(p->yAxis));
    p->xAxis->setSubTicks(false);
    p->yAxis->setSubTicks(false);
    // Ticks point outwards so they do not hide cells.
    for (QCPAxis *axis : {p->xAxis, p->yAxis}) {
        axis->setTickLengthIn(0);
        axis->setTickLengthOut(4);
    }

    m_map = addColourMap(colourGradient(m_colourMap), &m_scale);

    // Selection marker: a dark outline with a light inner outline, visible on every colour.
    m_markerOuter = new QCPItemRect(p);
    m_markerOuter->setPen(QPen(QColor(0, 0, 0), 3.0));
    m_markerInner = new QCPItemRect(p);
    m_markerInner->setPen(QPen(QColor(255, 255, 255), 1.2));
    for (QCPItemRect *item : {m_markerOuter, m_markerInner}) {
        item->setBrush(Qt::NoBrush);
        item->setSelectable(false);
        item->setVisible(false);
        addDecoration(item);
    }

    p->setMouseTracking(true);
    connect(p, &QCustomPlot::mouseMove, this, &SalienceHeatmapCanvas::onMouseMove);
    connect(p, &QCustomPlot::mousePress, this, &SalienceHeatmapCanvas::onMousePress);
    connect(p, &QCustomPlot::mouseRelease, this, &SalienceHeatmapCanvas::onMouseRelease);
    // The marker's minimum pixel size depends on the zoom.
    connect(p, &QCustomPlot::beforeReplot, this, &SalienceHeatmapCanvas::updateMarker);
    // Layer ticks and the colour-bar title depend on the laid-out size: lay out at the current
    // size before each replot (the replot's own pass then sees the right axis rect).
    connect(p, &QCustomPlot::beforeReplot, this, [this] {
        restoreFitToSize();
        updatePlotLayout();
        fitToSize();
    });
    updateAxes();
}

SalienceHeatmapCanvas::~SalienceHeatmapCanvas() = default;

void SalienceHeatmapCanvas::setMatrix(const SalienceMatrix &matrix, SalienceMode kind)
{
    m_matrix = matrix;
    m_kind = kind;
    m_keep.clear();
    m_selected = -1;
    m_used = int(std::count_if(m_matrix.rankOf.begin(), m_matrix.rankOf.end(),
                               [](int r) { return r >= 0; }));
    const int L = m_matrix.layers, D = m_matrix.dims;
    m_positionOf.assign(std::size_t(std::max(0, L * D)), 0);
    const bool sortedOk = m_matrix.sortedIndex.rows() == L && m_matrix.sortedIndex.cols() == D;
    for (int l = 0; l < L; ++l)
        for (int x = 0; x < D; ++x) {
            const int d = sortedOk ? m_matrix.sortedIndex(l, x) : x;
            if (d >= 0 && d < D)
                m_positionOf[std::size_t(l * D + d)] = x;
        }
    rebuildMap();
    updateAxes();
    resetView();
}

const SalienceMatrix &SalienceHeatmapCanvas::matrix() const
{
    return m_matrix;
}

SalienceMode SalienceHeatmapCanvas::valueKind() const
{
    return m_kind;
}

void SalienceHeatmapCanvas::setOrder(Order order)
{
    if (order == m_order)
        return;
    m_order = order;
    rebuildMap();
    updateAxes();
    updateMarker();
    replot();
}

SalienceHeatmapCanvas::Order SalienceHeatmapCanvas::order() const
{
    return m_order;
}

void SalienceHeatmapCanvas::setKeptNeurons(const NeuronList &keep)
{
    const int n = m_matrix.layers * m_matrix.dims;
    m_keep.assign(std::size_t(std::max(0, n)), 0);
    for (int column : keep)
        if (column >= 0 && column < n)
            m_keep[std::size_t(column)] = 1;
    rebuildMap();
    replot();
}

void SalienceHeatmapCanvas::clearKeptNeurons()
{
    m_keep.clear();
    rebuildMap();
    replot();
}

bool SalienceHeatmapCanvas::hasThreshold() const
{
    return !m_keep.empty();
}

bool SalienceHeatmapCanvas::isShown(int column) const
{
    if (column < 0 || column >= m_matrix.layers * m_matrix.dims)
        return false;
    return m_keep.empty() || m_keep[std::size_t(column)] != 0;
}

NeuronList SalienceHeatmapCanvas::topK(const SalienceMatrix &matrix, int k)
{
    NeuronList out;
    for (std::size_t c = 0; c < matrix.rankOf.size(); ++c)
        if (matrix.rankOf[c] >= 0 && matrix.rankOf[c] < k)
            out.push_back(int(c));
    return out;
}

void SalienceHeatmapCanvas::setNoteProvider(ClassWeightProvider provider)
{
    m_notes = std::move(provider);
}

void SalienceHeatmapCanvas::setClassWeightProvider(ClassWeightProvider provider)
{
    m_classWeights = std::move(provider);
}

void SalienceHeatmapCanvas::setColourMap(ColourMap map)
{
    m_colourMap = map;
    m_map->setGradient(m_keep.empty() ? colourGradient(map) : colourGradient(map, Qt::transparent));
    replot();
}

ColourMap SalienceHeatmapCanvas::colourMap() const
{
    return m_colourMap;
}

void SalienceHeatmapCanvas::setLogScale(bool on)
{
    if (on == m_log)
        return;
    m_log = on;
    rebuildMap();
    replot();
}

bool SalienceHeatmapCanvas::logScale() const
{
    return m_log;
}

void SalienceHeatmapCanvas::rebuildMap()
{
    QCPColorMapData *data = m_map->data();
    const int L = m_matrix.layers, D = m_matrix.dims;
    if (L <= 0 || D <= 0 || m_matrix.values.rows() != L || m_matrix.values.cols() != D) {
        data->clear();
        m_map->setVisible(false);
        return;
    }
    m_map->setVisible(true);
    if (data->keySize() != D || data->valueSize() != L)
        data->setSize(D, L);
    data->setRange(cellRange(D), cellRange(L));
    data->clearAlpha();
    const bool threshold = !m_keep.empty();
    // NaN cells ignore the alpha channel: with a threshold they become transparent too.
    m_map->setGradient(threshold ? colourGradient(m_colourMap, Qt::transparent)
                                 : colourGradient(m_colourMap));
    float maxValue = 0;
    float minPositive = std::numeric_limits<float>::infinity();
    for (int l = 0; l < L; ++l) {
        for (int x = 0; x < D; ++x) {
            const int d = m_order == Order::BySalience ? m_matrix.sortedIndex(l, x) : x;
            const float v = m_matrix.values(l, d);
            data->setCell(x, l, double(v));
            if (!std::isnan(v))
                maxValue = std::max(maxValue, v);
            if (v > 0)
                minPositive = std::min(minPositive, v);
            if (threshold && !m_keep[std::size_t(l * D + d)])
                data->setAlpha(x, l, 0);
        }
    }
    const double upper =
        m_kind == SalienceMode::Rank ? 1.0 : (maxValue > 0 ? double(maxValue) : 1.0);
    // Log scale: from the smallest positive value (at most 6 decades below the top); zeros are
    // drawn in the lowest colour.
    const QCPAxis::ScaleType type = m_log ? QCPAxis::stLogarithmic : QCPAxis::stLinear;
    m_scale->setDataScaleType(type);
    m_scaleTicker = m_log
                        ? QSharedPointer<QCPAxisTicker>(QSharedPointer<QCPAxisTickerLog>::create())
                        : QSharedPointer<QCPAxisTicker>::create();
    m_scale->axis()->setTicker(m_scaleTicker);
    m_scale->axis()->setNumberFormat(m_log ? QStringLiteral("eb") : QStringLiteral("gb"));
    const double lower =
        m_log ? std::max(upper * 1e-6,
                         std::isfinite(minPositive) ? double(minPositive) : upper * 1e-3)
              : 0.0;
    m_map->setDataRange(QCPRange(lower, upper > lower ? upper : lower * 10));
}

void SalienceHeatmapCanvas::updateAxes()
{
    QCustomPlot *p = plot();
    p->xAxis->setLabel(m_order == Order::BySalience ? tr("neuron (sorted by salience)")
                                                    : tr("neuron (index within layer)"));
    m_scaleLabel = m_kind == SalienceMode::Rank ? tr("rank score") : tr("share of weight mass");
    m_scale->axis()->setLabel(m_scaleLabel);
    if (auto ticker = qSharedPointerDynamicCast<LayerTicker>(p->yAxis->ticker())) {
        ticker->ids.clear();
        for (int l = 0; l < m_matrix.layers; ++l)
            ticker->ids.push_back(
                l < int(m_matrix.layerIds.size()) ? m_matrix.layerIds[std::size_t(l)] : l);
    }
}

void SalienceHeatmapCanvas::fitToSize()
{
    // Tick labels along the bar at least ~2.2 lines apart (they overlapped on a short map).
    const int barLength = std::max(1, m_scale->rect().height());
    const QFontMetrics tickFm(m_scale->axis()->tickLabelFont());
    if (m_scaleTicker) {
        if (paintingFigure() && m_screenTickCount == 0)
            m_screenTickCount = m_scaleTicker->tickCount(); // restored after the figure
        m_scaleTicker->setTickCount(std::clamp(int(barLength / (2.2 * tickFm.height())), 2, 6));
    }
    // The title runs along the bar: wrap it to the bar's inner length, elide a word still too long.
    const double room = std::max(20, m_scale->rect().height() - 2);
    const QFontMetricsF fm(m_scale->axis()->labelFont());
    if (fm.horizontalAdvance(m_scaleLabel) <= room) {
        m_scale->axis()->setLabel(m_scaleLabel);
        return;
    }
    QStringList lines;
    QString current;
    for (const QString &word : m_scaleLabel.split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
        const QString candidate = current.isEmpty() ? word : current + QLatin1Char(' ') + word;
        if (!current.isEmpty() && fm.horizontalAdvance(candidate) > room) {
            lines << current;
            current = word;
        } else {
            current = candidate;
        }
    }
    lines << current;
    for (QString &line : lines)
        line = fm.elidedText(line, Qt::ElideRight, room);
    m_scale->axis()->setLabel(lines.join(QLatin1Char('\n')));
}

void SalienceHeatmapCanvas::restoreFitToSize()
{
    if (m_scaleTicker && m_screenTickCount > 0 && !paintingFigure()) {
        m_scaleTicker->setTickCount(m_screenTickCount);
        m_screenTickCount = 0;
    }
    m_scale->axis()->setLabel(m_scaleLabel);
}

void SalienceHeatmapCanvas::resetView()
{
    QCustomPlot *p = plot();
    const int L = std::max(1, m_matrix.layers), D = std::max(1, m_matrix.dims);
    p->xAxis->setRange(-0.5, D - 0.5);
    p->yAxis->setRange(-0.5, L - 0.5);
    p->replot(QCustomPlot::rpQueuedReplot);
}

int SalienceHeatmapCanvas::columnAt(int layerRow, int x) const
{
    const int L = m_matrix.layers, D = m_matrix.dims;
    if (layerRow < 0 || layerRow >= L || x < 0 || x >= D)
        return -1;
    const int d = m_order == Order::BySalience ? m_matrix.sortedIndex(layerRow, x) : x;
    return layerRow * D + d;
}

double SalienceHeatmapCanvas::valueAt(int layerRow, int x) const
{
    QCPColorMapData *data = m_map->data();
    if (layerRow < 0 || x < 0 || x >= data->keySize() || layerRow >= data->valueSize())
        return std::nan("");
    return data->cell(x, layerRow);
}

int SalienceHeatmapCanvas::xForColumn(int column) const
{
    const int D = m_matrix.dims;
    if (column < 0 || column >= m_matrix.layers * D)
        return -1;
    return m_order == Order::BySalience ? m_positionOf[std::size_t(column)] : column % D;
}

QString SalienceHeatmapCanvas::tooltipAt(int layerRow, int x) const
{
    const int column = columnAt(layerRow, x);
    if (column < 0)
        return {};
    const int D = m_matrix.dims;
    const int layerId = layerRow < int(m_matrix.layerIds.size())
                            ? m_matrix.layerIds[std::size_t(layerRow)]
                            : layerRow;
    QStringList lines;
    lines << tr("layer %1 · unit %2").arg(layerId).arg(column % D);
    const int rank =
        column < int(m_matrix.rankOf.size()) ? m_matrix.rankOf[std::size_t(column)] : -1;
    const double value = double(m_matrix.values(layerRow, column % D));
    if (rank < 0 || std::isnan(value)) {
        lines << tr("not used by the probe");
    } else {
        lines << tr("rank by weight mass %1 of %2 (1 = most salient)").arg(rank + 1).arg(m_used);
        lines << (m_kind == SalienceMode::Rank ? tr("rank score %1").arg(value, 0, 'f', 4)
                                               : tr("share of weight mass %1 (%2%)")
                                                     .arg(value, 0, 'g', 4)
                                                     .arg(100.0 * value, 0, 'g', 3));
    }
    if (m_order == Order::BySalience)
        lines << tr("position %1 of %2 in its layer").arg(x + 1).arg(D);
    if (!isShown(column))
        lines << tr("outside the threshold");
    if (m_classWeights) {
        const QString classes = m_classWeights(column);
        if (!classes.isEmpty())
            lines << tr("top classes: %1").arg(classes);
    }
    if (m_notes) {
        const QString note = m_notes(column);
        if (!note.isEmpty())
            lines << note;
    }
    return lines.join(QLatin1Char('\n'));
}

QPoint SalienceHeatmapCanvas::pixelForNeuron(int column) const
{
    const int x = xForColumn(column);
    if (x < 0)
        return {-1, -1};
    updatePlotLayout();
    const int l = column / m_matrix.dims;
    const QCustomPlot *p = plot();
    return QPointF(p->xAxis->coordToPixel(x), p->yAxis->coordToPixel(l)).toPoint();
}

void SalienceHeatmapCanvas::selectNeuron(int column)
{
    m_selected = xForColumn(column) >= 0 ? column : -1;
    updateMarker();
    replot();
}

int SalienceHeatmapCanvas::selectedNeuron() const
{
    return m_selected;
}

void SalienceHeatmapCanvas::updateMarker()
{
    const int x = xForColumn(m_selected);
    const bool visible = x >= 0;
    m_markerOuter->setVisible(visible);
    m_markerInner->setVisible(visible);
    if (!visible)
        return;
    const int l = m_selected / m_matrix.dims;
    // At least kMarkerMinPx wide and tall, so the marker stays visible on sub-pixel cells.
    const QCustomPlot *p = plot();
    const double pxPerX = std::abs(p->xAxis->coordToPixel(1) - p->xAxis->coordToPixel(0));
    const double pxPerY = std::abs(p->yAxis->coordToPixel(1) - p->yAxis->coordToPixel(0));
    const double hx = pxPerX > 0 ? std::max(0.5, 0.5 * kMarkerMinPx / pxPerX) : 0.5;
    const double hy = pxPerY > 0 ? std::max(0.5, 0.5 * kMarkerMinPx / pxPerY) : 0.5;
    for (QCPItemRect *item : {m_markerOuter, m_markerInner}) {
        item->topLeft->setCoords(x - hx, l + hy);
        item->bottomRight->setCoords(x + hx, l - hy);
    }
}

bool SalienceHeatmapCanvas::cellAtPixel(const QPointF &pos, int *layerRow, int *x) const
{
    const QCustomPlot *p = plot();
    if (!p->axisRect()->rect().contains(pos.toPoint()) || m_matrix.layers <= 0)
        return false;
    const double key = p->xAxis->pixelToCoord(pos.x());
    const double value = p->yAxis->pixelToCoord(pos.y());
    const int cx = int(std::floor(key + 0.5));
    const int cl = int(std::floor(value + 0.5));
    if (cx < 0 || cx >= m_matrix.dims || cl < 0 || cl >= m_matrix.layers)
        return false;
    *layerRow = cl;
    *x = cx;
    return true;
}

QByteArray SalienceHeatmapCanvas::csv() const
{
    QByteArray out = "layer,unit,column,x,rank,value,shown\n";
    const int L = m_matrix.layers, D = m_matrix.dims;
    out.reserve(qsizetype(L) * D * 32);
    for (int l = 0; l < L; ++l) {
        const QByteArray layer = QByteArray::number(
            l < int(m_matrix.layerIds.size()) ? m_matrix.layerIds[std::size_t(l)] : l);
        for (int x = 0; x < D; ++x) {
            const int column = columnAt(l, x);
            const int rank =
                column < int(m_matrix.rankOf.size()) ? m_matrix.rankOf[std::size_t(column)] : -1;
            out += layer + ',' + QByteArray::number(column % D) + ',' + QByteArray::number(column)
                   + ',' + QByteArray::number(x) + ','
                   + (rank >= 0 ? QByteArray::number(rank + 1) : QByteArray()) + ','
                   + csvNumber(double(m_matrix.values(l, column % D))) + ','
                   + (isShown(column) ? '1' : '0') + '\n';
        }
    }
    return out;
}

void SalienceHeatmapCanvas::onMouseMove(QMouseEvent *event)
{
    int l = 0, x = 0;
    if (event->buttons() == Qt::NoButton && cellAtPixel(event->position(), &l, &x)) {
        QToolTip::showText(event->globalPosition().toPoint(), tooltipAt(l, x), plot());
    } else {
        QToolTip::hideText();
    }
}

void SalienceHeatmapCanvas::onMousePress(QMouseEvent *event)
{
    m_pressed = event->button() == Qt::LeftButton;
    m_pressPos = event->position();
}

void SalienceHeatmapCanvas::onMouseRelease(QMouseEvent *event)
{
    const bool click = m_pressed && event->button() == Qt::LeftButton
                       && (event->position() - m_pressPos).manhattanLength() <= 4;
    m_pressed = false;
    int l = 0, x = 0;
    if (!click || !cellAtPixel(event->position(), &l, &x))
        return;
    const int column = columnAt(l, x);
    selectNeuron(column);
    Q_EMIT neuronClicked(column);
}

} // namespace salient::ui
