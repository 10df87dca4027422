#include "salient/ui/plotting/curvescanvas.h"

#include <qcustomplot.h>

#include <algorithm>
#include <cmath>

namespace salient::ui {

namespace {

// NeuroX's colours; gold is darkened a little so its line stays visible on white.
const QColor kTop(0x1e, 0x90, 0xff);    // dodgerblue
const QColor kRandom(0xd4, 0xa0, 0x00); // gold, darkened
const QColor kRandomBand(0xff, 0xd7, 0x00);
const QColor kBottom(0xff, 0x45, 0x00); // orangered
const QColor kFull(0x32, 0xcd, 0x32);   // limegreen
const QColor kOracleLine(0x22, 0x8b, 0x22);
const QColor kSubset(0x33, 0x33, 0x33);
const QColor kChosen(0x76, 0x2a, 0x83);
const QColor kBaseline(0x55, 0x55, 0x55);

bool finite(double v)
{
    return std::isfinite(v);
}

QCPScatterStyle marker(QCPScatterStyle::ScatterShape shape, const QColor &colour, bool filled)
{
    return QCPScatterStyle(shape, QPen(colour, 1.5), filled ? QBrush(colour) : QBrush(Qt::white),
                           7);
}

} // namespace

CurvesCanvas::CurvesCanvas(QWidget *parent) : PlotCanvas(parent)
{
    QCustomPlot *p = plot();
    p->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    p->xAxis->setLabel(tr("number of neurons kept"));
    p->yAxis->setLabel(tr("accuracy"));
    // Legend in a row below the plot, three entries per row (top / random / bottom of one
    // ablation kind), centred between two empty elements, so it never hides a curve and
    // leaves the plot its full width.
    p->axisRect()->insetLayout()->take(p->legend);
    auto *row = new QCPLayoutGrid;
    m_legendRow = row;
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
    p->legend->setVisible(true);
    p->legend->setBorderPen(Qt::NoPen);
    p->legend->setMargins(QMargins(4, 0, 4, 6));
    p->legend->setRowSpacing(0);
    p->legend->setColumnSpacing(12);
    connect(p->xAxis, qOverload<const QCPRange &>(&QCPAxis::rangeChanged), this,
            &CurvesCanvas::placeChosenLabel);
    QFont small = p->font();
    small.setPointSizeF(small.pointSizeF() * 0.9);
    p->legend->setFont(small);
    p->legend->setIconSize(32, 14);
    // Where the legend goes depends on the laid-out size: decide before each replot.
    connect(p, &QCustomPlot::beforeReplot, this, [this] { fitToSize(); });
    rebuild();
}

void CurvesCanvas::placeLegend(bool side)
{
    if (side == m_legendAtSide)
        return;
    QCustomPlot *p = plot();
    QCPLegend *legend = p->legend;
    if (side) {
        m_legendRow->take(legend); // its cell stays, empty, between the two spacers
        contentLayout()->addElement(0, 1, legend);
        contentLayout()->setColumnStretchFactors({1.0, 0.001});
        legend->setWrap(1);
        legend->setMargins(QMargins(6, 0, 4, 0));
    } else {
        contentLayout()->take(legend);
        contentLayout()->simplify();
        m_legendRow->addElement(0, 1, legend);
        m_legendRow->setColumnStretchFactors({1.0, 0.001, 1.0});
        legend->setWrap(3);
        legend->setMargins(QMargins(4, 0, 4, 6));
    }
    legend->setFillOrder(QCPLayoutGrid::foColumnsFirst, true);
    m_legendAtSide = side;
}

void CurvesCanvas::beginFigure()
{
    placeLegend(false); // figures fit their own legend below the plot (PlotCanvas::paintFigure)
}

void CurvesCanvas::fitToSize()
{
    if (paintingFigure())
        return;
    // Below the plot the legend takes ⌈n / 3⌉ rows plus the x axis (~3 lines); at the side it
    // takes about 14 average characters of width. Side when the plot would keep less than 90 px
    // (or 40 % of the height) below it and the canvas is at least twice as wide as high.
    QCustomPlot *p = plot();
    const QRect vp = p->viewport();
    const int n = p->legend->itemCount();
    const QFontMetrics fm(p->legend->font());
    const int rows = (n + 2) / 3;
    const int below = vp.height() - rows * std::max(fm.height(), p->legend->iconSize().height())
                      - 3 * QFontMetrics(p->xAxis->labelFont()).height();
    const bool side =
        n > 0 && vp.width() >= 2 * vp.height() && (below < 90 || below < vp.height() * 2 / 5);
    placeLegend(side);
}

void CurvesCanvas::restoreFitToSize()
{
    fitToSize(); // the screen's viewport is back: decide for it
}

CurvesCanvas::~CurvesCanvas() = default;

void CurvesCanvas::setData(const CurvesData &data)
{
    m_data = data;
    rebuild();
}

const CurvesData &CurvesCanvas::data() const
{
    return m_data;
}

void CurvesCanvas::setAblation(const AblationResult &result)
{
    m_data.sizes.assign(result.sizes.begin(), result.sizes.end());
    m_data.seeds = std::max(1, int(result.orderings.size()));
    const bool means = m_data.seeds > 1;
    auto copy = [means](const AblationCurve &curve) {
        AblationSeries s;
        const bool have = means && curve.topMean.size() == curve.top.size();
        s.top = have ? curve.topMean : curve.top;
        s.topSd = have ? curve.topSd : std::vector<double>{};
        s.randomMean = curve.randomMean;
        s.randomStd = curve.randomStd;
        s.bottom = have ? curve.bottomMean : curve.bottom;
        s.bottomSd = have ? curve.bottomSd : std::vector<double>{};
        return s;
    };
    m_data.masking = copy(result.masking);
    m_data.retraining = copy(result.retraining);
    // A baseline that was not computed (no label) is not drawn.
    const bool baseline = !result.baselineSelection.label.isEmpty();
    m_data.baseline =
        baseline ? result.baselineSelection.accuracy : std::numeric_limits<double>::quiet_NaN();
    m_data.baselineLabel = result.baselineSelection.label;
    if (!finite(m_data.target))
        m_data.oracle = result.oracleSelection;
    rebuild();
}

void CurvesCanvas::setMinimalSubset(const MinimalSubsetResult &result)
{
    m_data.subsetSizes.clear();
    m_data.subsetAccuracy.clear();
    for (const SubsetPoint &point : result.curve) {
        m_data.subsetSizes.push_back(point.size);
        m_data.subsetAccuracy.push_back(point.dev);
    }
    m_data.oracle = result.oracleDev;
    m_data.target = result.target;
    const bool ok = result.status == Status::Ok && result.size > 0;
    m_data.chosenSize = ok ? result.size : 0;
    m_data.chosenIsAll = ok && result.allNeurons;
    if (!result.baselineSelection.label.isEmpty()
        && std::isfinite(result.baselineSelection.accuracy)) {
        m_data.baseline = result.baselineSelection.accuracy;
        m_data.baselineLabel = result.baselineSelection.label;
    }
    rebuild();
}

void CurvesCanvas::clear()
{
    m_data = CurvesData();
    rebuild();
}

void CurvesCanvas::setLogX(bool on)
{
    m_logX = on;
    rebuild();
}

bool CurvesCanvas::logX() const
{
    return m_logX;
}

void CurvesCanvas::setAutoY(bool on)
{
    m_autoY = on;
    resetView();
}

bool CurvesCanvas::autoY() const
{
    return m_autoY;
}

int CurvesCanvas::legendItemCount() const
{
    return plot()->legend->itemCount();
}

void CurvesCanvas::rebuild()
{
    QCustomPlot *p = plot();
    p->clearGraphs();
    p->clearItems();
    m_chosenLabel = nullptr;

    if (m_logX) {
        p->xAxis->setScaleType(QCPAxis::stLogarithmic);
        auto ticker = QSharedPointer<QCPAxisTickerLog>::create();
        ticker->setLogBase(10);
        ticker->setSubTickCount(8);
        p->xAxis->setTicker(ticker);
        p->xAxis->setNumberFormat(QStringLiteral("g"));
    } else {
        p->xAxis->setScaleType(QCPAxis::stLinear);
        p->xAxis->setTicker(QSharedPointer<QCPAxisTicker>::create());
        p->xAxis->setNumberFormat(QStringLiteral("g"));
    }

    const std::vector<double> &x = m_data.sizes;
    auto addLine = [&](const std::vector<double> &y, const QString &name, const QColor &colour,
                       Qt::PenStyle style, QCPScatterStyle::ScatterShape shape, bool filled) {
        if (y.empty())
            return;
        QCPGraph *g = p->addGraph();
        g->setName(name);
        g->setPen(QPen(colour, 2.0, style));
        g->setScatterStyle(marker(shape, colour, filled));
        const std::size_t n = std::min(x.size(), y.size());
        for (std::size_t i = 0; i < n; ++i)
            if (finite(y[i]) && (!m_logX || x[i] > 0))
                g->addData(x[i], y[i]);
    };
    // A translucent mean ± sd band: two graphs off the legend, the upper filled down to the lower
    // (QCPGraph::setChannelFillGraph). Named "<line> − sd" / "<line> + sd" for tests.
    auto addBand = [&](const std::vector<double> &mean, const std::vector<double> &sd,
                       const QString &name, QColor fill, int alpha) {
        if (mean.empty() || sd.size() != mean.size())
            return;
        const std::size_t n = std::min(x.size(), mean.size());
        bool any = false;
        for (std::size_t i = 0; i < n; ++i)
            any = any || (finite(mean[i]) && finite(sd[i]));
        if (!any)
            return;
        QCPGraph *lower = p->addGraph();
        QCPGraph *upper = p->addGraph();
        for (QCPGraph *g : {lower, upper}) {
            g->setPen(Qt::NoPen);
            g->removeFromLegend();
        }
        fill.setAlpha(alpha);
        upper->setBrush(fill);
        upper->setChannelFillGraph(lower);
        for (std::size_t i = 0; i < n; ++i) {
            if (!finite(mean[i]) || !finite(sd[i]) || (m_logX && x[i] <= 0))
                continue;
            lower->addData(x[i], mean[i] - sd[i]);
            upper->addData(x[i], mean[i] + sd[i]);
        }
        lower->setName(name + QStringLiteral(" − sd"));
        upper->setName(name + QStringLiteral(" + sd"));
    };
    struct Kind {
        const AblationSeries *series;
        QString label;
        Qt::PenStyle style;
        bool filled;
        int bandAlpha;
    };
    const Kind kinds[] = {
        {&m_data.masking, tr("masking"), Qt::SolidLine, true, 70},
        {&m_data.retraining, tr("retraining"), Qt::DashLine, false, 45},
    };
    // "top (masking)": over seeds the line is the mean and the band ± sd, which the view's
    // status line and a figure's caption say ("mean ± sd over 3 seeds"); short names keep the
    // legend beside the plot on screen and to two short columns in a single-column figure.
    auto lineName = [&](const QString &line, const Kind &k, const std::vector<double> &) {
        return tr("%1 (%2)").arg(line, k.label);
    };
    // Bands first, so every line is drawn over them.
    for (const Kind &k : kinds) {
        addBand(k.series->top, k.series->topSd, tr("top (%1)").arg(k.label), kTop, k.bandAlpha / 2);
        addBand(k.series->randomMean, k.series->randomStd, tr("random (%1)").arg(k.label),
                kRandomBand, k.bandAlpha);
        addBand(k.series->bottom, k.series->bottomSd, tr("bottom (%1)").arg(k.label), kBottom,
                k.bandAlpha / 2);
    }
    for (const Kind &k : kinds) {
        if (k.series->isEmpty())
            continue;
        addLine(k.series->top, lineName(tr("top"), k, k.series->topSd), kTop, k.style,
                QCPScatterStyle::ssCircle, k.filled);
        addLine(k.series->randomMean, lineName(tr("random"), k, k.series->randomStd), kRandom,
                k.style, QCPScatterStyle::ssSquare, k.filled);
        addLine(k.series->bottom, lineName(tr("bottom"), k, k.series->bottomSd), kBottom, k.style,
                QCPScatterStyle::ssTriangle, k.filled);
    }

    // Minimal-subset search points (retrained probes on the first n neurons).
    if (!m_data.subsetSizes.empty()) {
        QCPGraph *g = p->addGraph();
        g->setName(tr("minimal-subset search"));
        g->setPen(QPen(kSubset, 1.2, Qt::DotLine));
        g->setScatterStyle(
            QCPScatterStyle(QCPScatterStyle::ssDiamond, QPen(kSubset, 1.5), QBrush(kSubset), 8));
        const std::size_t n = std::min(m_data.subsetSizes.size(), m_data.subsetAccuracy.size());
        for (std::size_t i = 0; i < n; ++i)
            if (finite(m_data.subsetAccuracy[i]) && (!m_logX || m_data.subsetSizes[i] > 0))
                g->addData(m_data.subsetSizes[i], m_data.subsetAccuracy[i]);
    }

    // δ band between target and oracle, across the whole x range.
    if (finite(m_data.oracle) && finite(m_data.target)) {
        QColor fill = kFull;
        fill.setAlpha(55);
        auto *band = new QCPItemRect(p);
        band->setLayer(QStringLiteral("background"));
        band->setPen(Qt::NoPen);
        band->setBrush(fill);
        band->setClipToAxisRect(true);
        band->topLeft->setTypeX(QCPItemPosition::ptAxisRectRatio);
        band->bottomRight->setTypeX(QCPItemPosition::ptAxisRectRatio);
        band->topLeft->setCoords(0, std::max(m_data.oracle, m_data.target));
        band->bottomRight->setCoords(1, std::min(m_data.oracle, m_data.target));
        // Legend entry: an empty graph with the band's brush.
        QCPGraph *entry = p->addGraph();
        entry->setPen(Qt::NoPen);
        entry->setBrush(fill);
        const double delta = m_data.oracle > 0 ? 100.0 * (1.0 - m_data.target / m_data.oracle) : 0;
        entry->setName(
            tr("δ = %1% band (target %2)").arg(delta, 0, 'g', 3).arg(m_data.target, 0, 'f', 3));
    }
    if (finite(m_data.oracle)) {
        const QPen pen(kOracleLine, 2.0, Qt::DashDotLine);
        auto *line = new QCPItemStraightLine(p);
        line->setPen(pen);
        line->point1->setCoords(1, m_data.oracle);
        line->point2->setCoords(2, m_data.oracle);
        QCPGraph *entry = p->addGraph();
        entry->setPen(pen);
        entry->setName(tr("all neurons (%1)").arg(m_data.oracle, 0, 'f', 3));
    }
    if (finite(m_data.baseline)) {
        const QPen pen(kBaseline, 1.5, Qt::DashLine);
        auto *line = new QCPItemStraightLine(p);
        line->setObjectName(QStringLiteral("majorityBaseline"));
        line->setPen(pen);
        line->point1->setCoords(1, m_data.baseline);
        line->point2->setCoords(2, m_data.baseline);
        QCPGraph *entry = p->addGraph();
        entry->setPen(pen);
        entry->setName(tr("majority baseline (%1) %2")
                           .arg(m_data.baselineLabel)
                           .arg(m_data.baseline, 0, 'f', 2));
    }
    if (m_data.chosenSize > 0) {
        const QPen pen(kChosen, 1.8, Qt::DashLine);
        auto *line = new QCPItemStraightLine(p);
        line->setPen(pen);
        line->point1->setCoords(m_data.chosenSize, 0);
        line->point2->setCoords(m_data.chosenSize, 1);
        auto *label = new QCPItemText(p);
        m_chosenLabel = label;
        label->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
        label->position->setCoords(m_data.chosenSize, 0.04);
        label->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
        label->setPadding(QMargins(4, 1, 4, 1));
        label->setColor(kChosen);
        label->setBrush(QColor(255, 255, 255, 215));
        label->setClipToAxisRect(true);
        label->setText(m_data.chosenIsAll
                           ? tr("minimal set = all %1 neurons").arg(m_data.chosenSize)
                           : tr("minimal n = %1").arg(m_data.chosenSize));
    }
    p->legend->setVisible(p->legend->itemCount() > 0);
    resetView();
}

void CurvesCanvas::resetView()
{
    QCustomPlot *p = plot();
    double xMin = std::numeric_limits<double>::infinity(), xMax = -xMin;
    double yMin = std::numeric_limits<double>::infinity(), yMax = -yMin;
    for (int i = 0; i < p->graphCount(); ++i) {
        const QCPGraph *g = p->graph(i);
        for (auto it = g->data()->constBegin(); it != g->data()->constEnd(); ++it) {
            xMin = std::min(xMin, it->key);
            xMax = std::max(xMax, it->key);
            yMin = std::min(yMin, it->value);
            yMax = std::max(yMax, it->value);
        }
    }
    if (m_data.chosenSize > 0) {
        xMin = std::min(xMin, double(m_data.chosenSize));
        xMax = std::max(xMax, double(m_data.chosenSize));
    }
    for (double v : {m_data.oracle, m_data.target, m_data.baseline})
        if (finite(v)) {
            yMin = std::min(yMin, v);
            yMax = std::max(yMax, v);
        }
    if (!finite(xMin)) {
        xMin = 1;
        xMax = 100;
    }
    if (m_logX) {
        xMin = std::max(xMin, 1e-3);
        xMax = std::max(xMax, xMin * 10);
        p->xAxis->setRange(xMin / 1.3, xMax * 1.3);
    } else {
        const double pad = std::max(1.0, 0.04 * (xMax - std::min(0.0, xMin)));
        p->xAxis->setRange(std::min(0.0, xMin) - pad, xMax + pad);
    }
    if (m_autoY && finite(yMin)) {
        const double pad = std::max(0.01, 0.06 * (yMax - yMin));
        p->yAxis->setRange(yMin - pad, yMax + pad);
    } else {
        p->yAxis->setRange(-0.02, 1.02);
    }
    placeChosenLabel();
    p->replot(QCustomPlot::rpQueuedReplot);
}

void CurvesCanvas::placeChosenLabel()
{
    if (!m_chosenLabel)
        return;
    // Right of the line in the left part of the plot, left of it near the right edge.
    const QCPAxis *x = plot()->xAxis;
    const QCPRange r = x->range();
    const double c = m_data.chosenSize;
    const double frac = m_logX && r.lower > 0 && c > 0
                            ? std::log(c / r.lower) / std::log(r.upper / r.lower)
                            : (c - r.lower) / r.size();
    m_chosenLabel->setPositionAlignment((frac > 0.6 ? Qt::AlignRight : Qt::AlignLeft)
                                        | Qt::AlignTop);
}

QByteArray CurvesCanvas::csv() const
{
    QByteArray out = "series,mode,x,accuracy,std\n";
    const std::vector<double> &x = m_data.sizes;
    auto rows = [&](const char *series, const char *mode, const std::vector<double> &y,
                    const std::vector<double> *sd) {
        const std::size_t n = std::min(x.size(), y.size());
        for (std::size_t i = 0; i < n; ++i) {
            const double s = sd && i < sd->size() ? (*sd)[i] : std::nan("");
            out += QByteArray(series) + ',' + mode + ',' + csvNumber(x[i]) + ',' + csvNumber(y[i])
                   + ',' + csvNumber(s) + '\n';
        }
    };
    for (const auto &[series, mode] :
         {std::pair{&m_data.masking, "masking"}, std::pair{&m_data.retraining, "retraining"}}) {
        rows("top", mode, series->top, &series->topSd);
        rows("random", mode, series->randomMean, &series->randomStd);
        rows("bottom", mode, series->bottom, &series->bottomSd);
    }
    const std::size_t n = std::min(m_data.subsetSizes.size(), m_data.subsetAccuracy.size());
    for (std::size_t i = 0; i < n; ++i)
        out += "subset,retraining," + csvNumber(m_data.subsetSizes[i]) + ','
               + csvNumber(m_data.subsetAccuracy[i]) + ",\n";
    if (finite(m_data.oracle))
        out += "oracle,,," + csvNumber(m_data.oracle) + ",\n";
    if (finite(m_data.target))
        out += "target,,," + csvNumber(m_data.target) + ",\n";
    if (finite(m_data.baseline))
        out += "baseline,,," + csvNumber(m_data.baseline) + ",\n";
    if (m_data.chosenSize > 0)
        out += "chosen,," + QByteArray::number(m_data.chosenSize) + ",,\n";
    return out;
}

} // namespace salient::ui
