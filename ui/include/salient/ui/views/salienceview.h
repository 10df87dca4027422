#pragma once
// View 3 and 4 (DESIGN.md §4): the salience heatmap with its controls, and the layer
// distribution of the same top-k. Both render the controller's ProbeReport: the heatmap's ranks,
// its top-k and the layer bars all come from the report's one ordering (1 = most salient).
#include <QJsonObject>
#include <QWidget>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QSpinBox;

namespace salient::ui {

class LayerBarsCanvas;
class SalienceHeatmapCanvas;
class SessionController;

/**
 * Heatmap controls (label, value kind, order, top-k, cumulative mass), the canvas and a hint line
 * that says what to do (no probe yet), why the map is empty (result invalidated) or how to read it
 * (λ1 = 0 spreads the weight mass). A click selects the neuron through the controller; the
 * controller's selection is marked. The top-k set also drives @p layers (when given): the layer
 * distribution of the first k neurons of the same ordering (the report's top-k when k = all).
 * Under the map, a wrapping line reports the ranking's stability across seeds (when the probe was
 * repeated). GUI thread only.
 */
class SalienceView : public QWidget {
    Q_OBJECT
public:
    SalienceView(SessionController *controller, LayerBarsCanvas *layers, QWidget *parent = nullptr);
    ~SalienceView() override;

    SalienceHeatmapCanvas *canvas() const { return m_heatmap; }
    QComboBox *labelChooser() const { return m_label; }
    QComboBox *valueChooser() const { return m_value; }
    QSpinBox *topK() const { return m_topK; }
    QDoubleSpinBox *mass() const { return m_mass; }
    /// The hint shown above the map ("" when none).
    QString hint() const;
    /// The stability line under the map: seedStabilityText of a probe trained with several seeds
    /// or a standardisation comparison; "" (and hidden) otherwise.
    QString stabilityText() const;

    /// Redraws from the controller's probe with the controls' settings (clears without one).
    void refresh();

    /**
     * The controls' settings as saved in a session's view state: {"label": name ("" = all
     * labels), "value": "weight_share" | "rank", "order": "index" | "salience", "top_k": k
     * (0 = all), "mass_percent": % (0 = all), "colour_map": name}.
     */
    QJsonObject viewState() const;
    /// Applies viewState() output; missing keys, unknown labels or colour maps keep the current
    /// setting. Redraws once.
    void restoreViewState(const QJsonObject &state);

private:
    void clearMap(const QString &hint);
    void refreshLayers();
    /// The λ1 = 0 hint: depends on the probe and on whether a grid search chose λ1 = 0.
    void updateHint();

    SessionController *m_controller;
    LayerBarsCanvas *m_layers;
    QComboBox *m_label = nullptr;
    QComboBox *m_value = nullptr;
    QComboBox *m_order = nullptr;
    QSpinBox *m_topK = nullptr;
    QDoubleSpinBox *m_mass = nullptr;
    QLabel *m_hint = nullptr;
    SalienceHeatmapCanvas *m_heatmap = nullptr;
    QLabel *m_stability = nullptr;
};

} // namespace salient::ui
