#include "salient/ui/plotting/trainingcurvecanvas.h"

#include <qcustomplot.h>

#include <algorithm>
#include <cmath>

namespace salient::ui {

TrainingCurveCanvas::TrainingCurveCanvas(QWidget *parent) : PlotCanvas(parent)
{
    QCustomPlot *p = plot();
    p->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    p->xAxis->setLabel(tr("epoch"));
    p->yAxis->setLabel(tr("batch loss"));
    p->yAxis2->setVisible(true);
    p->yAxis2->setLabel(tr("batch train accuracy"));
    p->yAxis2->setRange(0, 1);
    const QColor blue(0x00, 0x72, 0xb2), orange(0xe6, 0x9f, 0x00); // Okabe–Ito, colour-blind safe
    m_loss = p->addGraph(p->xAxis, p->yAxis);
    m_loss->setName(tr("loss (left axis)"));
    m_loss->setPen(QPen(blue, 1.5));
    m_accuracy = p->addGraph(p->xAxis, p->yAxis2);
    m_accuracy->setName(tr("train accuracy (right axis)"));
    m_accuracy->setPen(QPen(orange, 1.5, Qt::DashLine));
    p->yAxis->setLabelColor(blue);
    p->yAxis2->setLabelColor(orange.darker(130));
    p->legend->setVisible(true);
    p->legend->setBorderPen(Qt::NoPen);
    p->legend->setBrush(QColor(255, 255, 255, 210));
    QFont small = p->font();
    small.setPointSizeF(small.pointSizeF() * 0.85);
    p->legend->setFont(small);
    p->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    clear();
}

TrainingCurveCanvas::~TrainingCurveCanvas() = default;

void TrainingCurveCanvas::addPoints(const QVector<TrainingPoint> &points)
{
    for (const TrainingPoint &t : points) {
        m_points.push_back(t);
        m_loss->addData(t.epoch, t.loss);
        if (std::isfinite(t.accuracy))
            m_accuracy->addData(t.epoch, t.accuracy);
    }
    if (!m_points.isEmpty())
        setEmptyText({});
    resetView();
}

void TrainingCurveCanvas::clear()
{
    m_points.clear();
    m_loss->data()->clear();
    m_accuracy->data()->clear();
    setEmptyText(tr("Train a probe (Run › Train probe): its loss and training accuracy appear "
                    "here while it trains."));
    resetView();
}

QByteArray TrainingCurveCanvas::csv() const
{
    QByteArray out = "batch,epoch,loss,accuracy\n";
    for (const TrainingPoint &t : m_points)
        out += QByteArray::number(t.batch) + ',' + csvNumber(t.epoch) + ',' + csvNumber(t.loss)
               + ',' + csvNumber(t.accuracy) + '\n';
    return out;
}

void TrainingCurveCanvas::resetView()
{
    QCustomPlot *p = plot();
    if (m_points.isEmpty()) {
        p->xAxis->setRange(0, 1);
        p->yAxis->setRange(0, 1);
    } else {
        bool found = false;
        const QCPRange x = m_loss->getKeyRange(found);
        p->xAxis->setRange(0, std::max(found ? x.upper : 1.0, 1e-6));
        const QCPRange y = m_loss->getValueRange(found);
        if (found)
            p->yAxis->setRange(std::min(0.0, y.lower), y.upper > 0 ? y.upper * 1.05 : 1.0);
    }
    p->yAxis2->setRange(0, 1.02);
    replot();
}

} // namespace salient::ui
