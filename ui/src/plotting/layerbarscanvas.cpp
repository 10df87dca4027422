#include "salient/ui/plotting/layerbarscanvas.h"

#include <qcustomplot.h>

#include <algorithm>
#include <cmath>
#include <map>

namespace salient::ui {

namespace {

// Okabe–Ito blue and orange: distinct for every common colour-vision deficiency and in grey.
const QColor kColours[] = {QColor(0x00, 0x72, 0xb2), QColor(0xe6, 0x9f, 0x00)};
constexpr int kMaxCountLabels = 24; ///< layers per series up to which counts are printed
constexpr int kMaxLayerTicks = 24;  ///< more layers: label every n-th

} // namespace

LayerBarsCanvas::LayerBarsCanvas(QWidget *parent) : PlotCanvas(parent)
{
    QCustomPlot *p = plot();
    p->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    p->axisRect()->setRangeDrag(Qt::Horizontal);
    p->axisRect()->setRangeZoom(Qt::Horizontal);
    p->xAxis->setLabel(tr("layer"));
    p->xAxis->grid()->setVisible(false);
    p->xAxis->setSubTicks(false);
    p->xAxis->setTicker(QSharedPointer<QCPAxisTickerText>::create());
    auto yTicker = QSharedPointer<QCPAxisTickerFixed>::create();
    yTicker->setTickStep(1.0);
    yTicker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    p->yAxis->setTicker(yTicker);
    p->yAxis->setSubTicks(false);
    p->yAxis->setNumberFormat(QStringLiteral("f"));
    p->yAxis->setNumberPrecision(0);
    // Legend in a row above the plot, laid out horizontally and centred between two empty
    // elements; the row exists only while the legend is shown (see rebuild()).
    p->axisRect()->insetLayout()->take(p->legend);
    m_legendRow = new QCPLayoutGrid;
    m_legendRow->addElement(0, 0, new QCPLayoutElement(p));
    m_legendRow->addElement(0, 1, p->legend);
    m_legendRow->addElement(0, 2, new QCPLayoutElement(p));
    m_legendRow->setColumnStretchFactors({1.0, 0.001, 1.0});
    m_legendRow->setColumnSpacing(0);
    p->legend->setLayer(QStringLiteral("legend"));
    p->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    p->legend->setBorderPen(Qt::NoPen);
    p->legend->setMargins(QMargins(2, 2, 2, 0));
    contentLayout()->insertRow(0);
    contentLayout()->addElement(0, 0, m_legendRow);
    contentLayout()->setRowStretchFactor(0, 0.001);
    rebuild();
}

LayerBarsCanvas::~LayerBarsCanvas() = default;

void LayerBarsCanvas::setDistribution(const LayerDistribution &distribution, const QString &name)
{
    m_series = {distribution};
    m_names = QStringList{name};
    rebuild();
}

void LayerBarsCanvas::setDistributions(const LayerDistribution &a, const QString &nameA,
                                       const LayerDistribution &b, const QString &nameB)
{
    m_series = {a, b};
    m_names = QStringList{nameA, nameB};
    rebuild();
}

void LayerBarsCanvas::clear()
{
    m_series.clear();
    m_names.clear();
    rebuild();
}

int LayerBarsCanvas::seriesCount() const
{
    return int(m_series.size());
}

void LayerBarsCanvas::rebuild()
{
    QCustomPlot *p = plot();
    p->clearPlottables();
    p->clearItems();

    // The union of layer ids, and the smallest gap between neighbours (bar width unit).
    std::vector<int> ids;
    for (const LayerDistribution &d : m_series)
        ids.insert(ids.end(), d.layerIds.begin(), d.layerIds.end());
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    double gap = 1.0;
    for (std::size_t i = 1; i < ids.size(); ++i)
        gap = i == 1 ? ids[i] - ids[i - 1] : std::min(gap, double(ids[i] - ids[i - 1]));

    auto ticker = qSharedPointerDynamicCast<QCPAxisTickerText>(p->xAxis->ticker());
    ticker->clear();
    const int step = std::max(1, int(ids.size() + kMaxLayerTicks - 1) / kMaxLayerTicks);
    for (std::size_t i = 0; i < ids.size(); i += std::size_t(step))
        ticker->addTick(ids[i], QString::number(ids[i]));

    const int n = int(m_series.size());
    double loLayer = 0, hiLayer = 0;
    if (!ids.empty()) {
        loLayer = *std::min_element(ids.begin(), ids.end());
        hiLayer = *std::max_element(ids.begin(), ids.end());
    }
    QCPBarsGroup *group = n > 1 ? new QCPBarsGroup(p) : nullptr;
    if (group) {
        group->setSpacingType(QCPBarsGroup::stPlotCoords);
        group->setSpacing(0.02 * gap);
    }
    const double width = 0.8 * gap / std::max(1, n);
    bool anyName = false;
    int total = -1;
    bool sameTotal = true;
    for (int s = 0; s < n; ++s) {
        const LayerDistribution &d = m_series[std::size_t(s)];
        const QColor colour = kColours[s % 2];
        auto *bars = new QCPBars(p->xAxis, p->yAxis);
        bars->setWidthType(QCPBars::wtPlotCoords);
        bars->setWidth(width);
        bars->setPen(QPen(colour.darker(130), 1.0));
        bars->setBrush(colour);
        const std::size_t m = std::min(d.layerIds.size(), d.counts.size());
        for (std::size_t i = 0; i < m; ++i)
            bars->addData(d.layerIds[i], d.counts[i]);
        if (group)
            bars->setBarsGroup(group);
        const QString name = m_names.value(s);
        anyName = anyName || !name.isEmpty();
        QString label = name.isEmpty() ? tr("neurons") : name;
        // One series: its mean is labelled on its line; the legend would repeat it and be cut
        // in a narrow dock. Two series: the legend tells their means apart.
        if (n > 1 && std::isfinite(d.meanLayer))
            label += tr(" (mean layer %1)").arg(d.meanLayer, 0, 'f', 1);
        bars->setName(label);
        if (total >= 0 && total != d.total)
            sameTotal = false;
        total = d.total;

        // Count above each bar (positioned at the bar's centre within the group).
        if (int(m) <= kMaxCountLabels) {
            const double offset = n > 1 ? (s - (n - 1) / 2.0) * (width + 0.02 * gap) : 0.0;
            for (std::size_t i = 0; i < m; ++i) {
                if (d.counts[i] == 0)
                    continue;
                auto *text = new QCPItemText(p);
                text->position->setCoords(d.layerIds[i] + offset, d.counts[i]);
                text->setPositionAlignment(Qt::AlignHCenter | Qt::AlignBottom);
                text->setText(QString::number(d.counts[i]));
                text->setColor(colour.darker(160));
                QFont f = p->font();
                f.setPointSizeF(f.pointSizeF() * 0.8);
                text->setFont(f);
                text->setClipToAxisRect(true);
            }
        }
        // Mean layer as a dashed vertical line in the series colour, labelled at the top.
        if (std::isfinite(d.meanLayer)) {
            const QColor dark = colour.darker(130);
            auto *line = new QCPItemStraightLine(p);
            line->setPen(QPen(dark, 2.0, s == 0 ? Qt::DashLine : Qt::DotLine));
            line->point1->setCoords(d.meanLayer, 0);
            line->point2->setCoords(d.meanLayer, 1);
            auto *meanText = new QCPItemText(p);
            meanText->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
            meanText->position->setCoords(d.meanLayer, 0.01 + 0.07 * s);
            // Label on the side of the line with more room, so it is never cut at the edge.
            const bool rightHalf = d.meanLayer > (loLayer + hiLayer) / 2.0;
            meanText->setPositionAlignment((rightHalf ? Qt::AlignRight : Qt::AlignLeft)
                                           | Qt::AlignTop);
            meanText->setPadding(QMargins(3, 1, 3, 1));
            meanText->setBrush(QColor(255, 255, 255, 215));
            meanText->setColor(dark);
            meanText->setText(tr("mean %1").arg(d.meanLayer, 0, 'f', 1));
            meanText->setClipToAxisRect(true);
        }
    }
    const bool legend = n > 1 || anyName;
    p->legend->setVisible(legend);
    // An invisible element still takes its minimum size: add or remove the legend row.
    const bool inLayout =
        contentLayout()->hasElement(0, 0) && contentLayout()->element(0, 0) == m_legendRow;
    if (legend && !inLayout) {
        contentLayout()->insertRow(0);
        contentLayout()->addElement(0, 0, m_legendRow);
        contentLayout()->setRowStretchFactor(0, 0.001);
    } else if (!legend && inLayout) {
        contentLayout()->take(m_legendRow);
        contentLayout()->simplify();
    }
    if (n == 0)
        p->yAxis->setLabel(tr("neurons among the top k"));
    else if (sameTotal)
        p->yAxis->setLabel(tr("neurons among the top %1").arg(total));
    else
        p->yAxis->setLabel(tr("neurons among the top k"));
    resetView();
}

void LayerBarsCanvas::resetView()
{
    QCustomPlot *p = plot();
    int lo = 0, hi = 1, maxCount = 1;
    bool first = true;
    for (const LayerDistribution &d : m_series) {
        for (int id : d.layerIds) {
            lo = first ? id : std::min(lo, id);
            hi = first ? id : std::max(hi, id);
            first = false;
        }
        for (int c : d.counts)
            maxCount = std::max(maxCount, c);
    }
    p->xAxis->setRange(lo - 0.7, hi + 0.7);
    // Headroom for the count labels and, above them, the mean-layer labels.
    p->yAxis->setRange(0, std::ceil(maxCount * 1.3 + 0.5));
    p->replot(QCustomPlot::rpQueuedReplot);
}

QByteArray LayerBarsCanvas::csv() const
{
    QByteArray out = "layer";
    for (std::size_t s = 0; s < m_series.size(); ++s) {
        const QString name = m_names.value(int(s));
        out += ','
               + csvField(name.isEmpty() ? (s == 0 ? QStringLiteral("count")
                                                   : QStringLiteral("count %1").arg(s + 1))
                                         : name);
    }
    out += '\n';
    std::map<int, std::vector<int>> rows;
    for (std::size_t s = 0; s < m_series.size(); ++s) {
        const LayerDistribution &d = m_series[s];
        for (std::size_t i = 0; i < std::min(d.layerIds.size(), d.counts.size()); ++i) {
            auto &row = rows[d.layerIds[i]];
            row.resize(m_series.size(), 0);
            row[s] += d.counts[i];
        }
    }
    for (const auto &[layer, counts] : rows) {
        out += QByteArray::number(layer);
        for (int c : counts)
            out += ',' + QByteArray::number(c);
        out += '\n';
    }
    return out;
}

} // namespace salient::ui
