#pragma once
// Views of the probe's evaluation, the λ grid search and the layer-wise probes, each rendering
// the controller's typed result and saying when there is none or it is out of date.
#include <QWidget>

class QLabel;
class QPushButton;
class QTableView;

namespace salient::ui {

class EvaluationModel;
class GridSearchCanvas;
class LayerwiseCanvas;
class SessionController;

/// The probe's train/dev/test accuracy, macro-F1 and majority baseline (an item model) with the
/// options it was trained with. GUI thread only.
class ProbeSummaryView : public QWidget {
    Q_OBJECT
public:
    explicit ProbeSummaryView(SessionController *controller, QWidget *parent = nullptr);
    QTableView *table() const { return m_table; }
    EvaluationModel *model() const { return m_model; }
    /// The options line as shown.
    QString optionsText() const;

private:
    void refresh(const QString &invalidated = {});
    SessionController *m_controller;
    EvaluationModel *m_model = nullptr;
    QTableView *m_table = nullptr;
    QLabel *m_options = nullptr;
};

/**
 * The λ1 × λ2 heat table of a grid search with the chosen cell and the cost of choosing it; a
 * button applies the selected cell's λ (default: the winner's) to the probe settings through
 * applyRequested() — an explicit, recorded step. GUI thread only.
 */
class GridSearchView : public QWidget {
    Q_OBJECT
public:
    explicit GridSearchView(SessionController *controller, QWidget *parent = nullptr);
    GridSearchCanvas *canvas() const { return m_canvas; }
    QPushButton *applyButton() const { return m_apply; }
    QString summaryText() const;
    /// The line under the grid (object name "gridCost"): the chosen cell's accuracy cost against
    /// the most accurate cell and against λ = 0, then core's warnings ("Warning: …", shown in
    /// red); empty without a winner.
    QString costText() const;

Q_SIGNALS:
    /// The user asked to use these λ for the next probes.
    void applyRequested(double l1, double l2);

private:
    void refresh(const QString &invalidated = {});
    SessionController *m_controller;
    GridSearchCanvas *m_canvas = nullptr;
    QLabel *m_summary = nullptr;
    QLabel *m_cost = nullptr;
    QPushButton *m_apply = nullptr;
};

/// Accuracy per layer (independent and incremental probes) with the all-layers line and the
/// selected layer. GUI thread only.
class LayerwiseView : public QWidget {
    Q_OBJECT
public:
    explicit LayerwiseView(SessionController *controller, QWidget *parent = nullptr);
    LayerwiseCanvas *canvas() const { return m_canvas; }
    QString summaryText() const;

private:
    void refresh(const QString &invalidated = {});
    SessionController *m_controller;
    LayerwiseCanvas *m_canvas = nullptr;
    QLabel *m_summary = nullptr;
};

} // namespace salient::ui
