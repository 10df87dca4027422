#pragma once
// View 2 (DESIGN.md §4, Run): the live loss / accuracy curve of the probe being trained.
#include "salient/ui/jobs/jobrunner.h"
#include "salient/ui/plotting/plotcanvas.h"

#include <QVector>

class QCPGraph;

namespace salient::ui {

/**
 * Batch loss (left axis, blue) and batch training accuracy (right axis, 0..1, orange) against
 * epochs (fractional: 1.5 = half way through the second epoch), with axis titles and a legend.
 * Points are appended as the job runner delivers them (JobRunner::trainingProgressed, throttled);
 * the curve stays after the job ended until clear() (the next training). Regression probes have
 * NaN accuracy: only the loss is drawn. GUI thread only.
 */
class TrainingCurveCanvas : public PlotCanvas {
    Q_OBJECT
public:
    explicit TrainingCurveCanvas(QWidget *parent = nullptr);
    ~TrainingCurveCanvas() override;

    /// Appends @p points (in training order) and rescales the axes to show all of them.
    void addPoints(const QVector<TrainingPoint> &points);
    /// Removes every point (a new training starts); until points arrive the canvas says how to
    /// get some (emptyText()).
    void clear();
    /// Points received since the last clear().
    int pointCount() const { return int(m_points.size()); }
    const QVector<TrainingPoint> &points() const { return m_points; }

    /// `batch,epoch,loss,accuracy`: one row per point (accuracy empty when NaN).
    QByteArray csv() const override;
    void resetView() override;

private:
    QVector<TrainingPoint> m_points;
    QCPGraph *m_loss = nullptr;
    QCPGraph *m_accuracy = nullptr;
};

} // namespace salient::ui
