#include "salient/ui/views/salienceview.h"

#include "salient/analyses/analyses.h"
#include "salient/probe/salience.h"
#include "salient/session/results.h"
#include "salient/ui/controller/sessioncontroller.h"
#include "salient/ui/plotting/colormaps.h"
#include "salient/ui/plotting/layerbarscanvas.h"
#include "salient/ui/plotting/salienceheatmapcanvas.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QJsonObject>
#include <QLabel>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QVBoxLayout>
#include <algorithm>

namespace salient::ui {

SalienceView::SalienceView(SessionController *controller, LayerBarsCanvas *layers, QWidget *parent)
    : QWidget(parent), m_controller(controller), m_layers(layers)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    auto *bar = new QHBoxLayout;
    m_label = new QComboBox(this);
    m_label->setObjectName(QStringLiteral("heatmapLabel"));
    m_label->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_label->setMinimumContentsLength(8);
    m_value = new QComboBox(this);
    m_value->addItems({tr("share of weight mass"), tr("rank score (1 − rank/N)")});
    m_order = new QComboBox(this);
    m_order->addItems({tr("neurons by index"), tr("sorted by salience in each layer")});
    m_topK = new QSpinBox(this);
    m_topK->setRange(0, 1 << 20);
    m_topK->setSpecialValueText(tr("all"));
    m_topK->setObjectName(QStringLiteral("heatmapTopK"));
    m_topK->setToolTip(tr("Show only the k most salient neurons of the probe's ranking (overall "
                          "rank by weight mass, 1 = most salient); the layer distribution shows "
                          "the same k"));
    m_mass = new QDoubleSpinBox(this);
    m_mass->setObjectName(QStringLiteral("heatmapMass"));
    m_mass->setRange(0.0, 100.0);
    m_mass->setDecimals(1);
    m_mass->setSingleStep(5.0);
    m_mass->setSuffix(QStringLiteral(" %"));
    m_mass->setSpecialValueText(tr("all"));
    m_mass->setToolTip(tr("Show only the most salient neurons that together hold this share of "
                          "the probe's weight mass (the neuron crossing it included); with "
                          "top-k, both apply"));
    bar->addWidget(new QLabel(tr("Label"), this));
    bar->addWidget(m_label);
    bar->addWidget(m_value);
    bar->addWidget(m_order);
    // The thresholds and colours on a second row: one row would be ~760 pixels wide.
    bar->addStretch();
    layout->addLayout(bar);
    bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("top-k"), this));
    bar->addWidget(m_topK);
    bar->addWidget(new QLabel(tr("mass"), this));
    bar->addWidget(m_mass);
    auto *colours = new QComboBox(this);
    colours->setObjectName(QStringLiteral("heatmapColours"));
    colours->addItems(colourMapNames());
    colours->setToolTip(tr("Colour map (viridis and cividis are colour-blind safe)"));
    bar->addWidget(colours);
    auto *logScale = new QCheckBox(tr("log"), this);
    logScale->setObjectName(QStringLiteral("heatmapLogScale"));
    logScale->setToolTip(tr("Logarithmic colour scale: tells apart small values (zeros get the "
                            "lowest colour)"));
    bar->addWidget(logScale);
    bar->addStretch();
    // Narrow docks elide the choices instead of widening the window (full text in the tooltip).
    for (QComboBox *c : {m_value, m_order, colours}) {
        c->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
        c->setMinimumContentsLength(8);
    }
    for (QComboBox *c : {m_value, m_order}) {
        c->setToolTip(c->currentText());
        connect(c, &QComboBox::currentTextChanged, c, &QComboBox::setToolTip);
    }
    layout->addLayout(bar);
    m_hint = new QLabel(this);
    m_hint->setObjectName(QStringLiteral("heatmapHint"));
    m_hint->setWordWrap(true);
    m_hint->setTextFormat(Qt::PlainText);
    layout->addWidget(m_hint);
    m_heatmap = new SalienceHeatmapCanvas(this);
    layout->addWidget(m_heatmap, 1);
    // Wraps to the width it is given and never widens the window (Ignored horizontally).
    m_stability = new QLabel(this);
    m_stability->setObjectName(QStringLiteral("heatmapStability"));
    m_stability->setWordWrap(true);
    m_stability->setTextFormat(Qt::PlainText);
    m_stability->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_stability->setToolTip(
        tr("Probes trained with several seeds (Run › Seeds): accuracy mean ± sd, how much their "
           "top-k agree (Jaccard; share of the first seed's top-k found in every seed), the mean "
           "layer of each seed's top-k, and the ranking of a probe with standardisation flipped"));
    m_stability->hide();
    layout->addWidget(m_stability);

    for (QComboBox *c : {m_label, m_value, m_order})
        connect(c, &QComboBox::currentIndexChanged, this, &SalienceView::refresh);
    connect(m_topK, &QSpinBox::valueChanged, this, &SalienceView::refresh);
    connect(m_mass, &QDoubleSpinBox::valueChanged, this, &SalienceView::refresh);
    connect(colours, &QComboBox::currentTextChanged, this,
            [this](const QString &name) { m_heatmap->setColourMap(colourMapFromName(name)); });
    connect(logScale, &QCheckBox::toggled, m_heatmap, &SalienceHeatmapCanvas::setLogScale);
    connect(m_heatmap, &SalienceHeatmapCanvas::neuronClicked, m_controller,
            [this](int column) { m_controller->selectColumn(column); });
    connect(m_controller, &SessionController::neuronSelected, this,
            [this](int column) { m_heatmap->selectNeuron(column); });
    connect(m_controller, &SessionController::dataLoaded, this, [this] {
        clearMap(tr("Train a probe (Run › Train probe) to see the salience of every "
                    "neuron."));
    });
    connect(m_controller, &SessionController::resultChanged, this, [this](const QString &name) {
        if (name == QLatin1String("grid-search") && m_controller->probe())
            updateHint(); // without a probe the hint says what to do first
        if (name != QLatin1String("probe"))
            return;
        const ProbeReport *p = m_controller->probe();
        const QSignalBlocker block(m_label);
        m_label->clear();
        m_label->addItem(tr("all labels"));
        if (p)
            m_label->addItems(p->labels);
        refresh();
    });
    connect(m_controller, &SessionController::resultInvalidated, this,
            [this](const QString &name, const QString &why) {
                if (name == QLatin1String("probe"))
                    clearMap(tr("The probe is out of date: %1").arg(why));
            });
    clearMap(tr("Load data (File › Open data files, or the built-in demo), then train a probe."));
}

SalienceView::~SalienceView() = default;

QString SalienceView::hint() const
{
    return m_hint->isVisible() ? m_hint->text() : QString();
}

QString SalienceView::stabilityText() const
{
    return m_stability->isHidden() ? QString() : m_stability->text();
}

void SalienceView::clearMap(const QString &hint)
{
    m_heatmap->setMatrix(SalienceMatrix{});
    m_heatmap->setClassWeightProvider({});
    m_heatmap->setEmptyText(hint);
    m_hint->setText(hint);
    m_hint->setVisible(!hint.isEmpty());
    m_stability->clear();
    m_stability->hide();
    if (m_layers) {
        m_layers->clear();
        m_layers->setEmptyText(
            hint + QLatin1Char('\n')
            + tr("The layer distribution then shows in which layers its top-k neurons lie."));
    }
}

void SalienceView::refresh()
{
    const ProbeReport *p = m_controller->probe();
    if (!p)
        return;
    const int label = std::max(0, m_label->currentIndex()) - 1;
    const SalienceMode mode =
        m_value->currentIndex() == 1 ? SalienceMode::Rank : SalienceMode::WeightShare;
    const SalienceMatrix s = salienceMatrix(*p, label, mode);
    m_heatmap->setEmptyText({});
    m_heatmap->setMatrix(s, mode);
    m_heatmap->setOrder(m_order->currentIndex() == 1 ? SalienceHeatmapCanvas::Order::BySalience
                                                     : SalienceHeatmapCanvas::Order::ByIndex);
    // Thresholds: top-k (the report's ordering) and/or cumulative weight mass; with both, a
    // neuron is shown when it passes both.
    const int k = m_topK->value();
    const double mass = m_mass->value() / 100.0;
    if (k > 0 && mass > 0) {
        NeuronList a = SalienceHeatmapCanvas::topK(s, k), b = withinCumulativeMass(s, mass), both;
        std::sort(a.begin(), a.end());
        std::sort(b.begin(), b.end());
        std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(both));
        m_heatmap->setKeptNeurons(both);
    } else if (k > 0) {
        m_heatmap->setKeptNeurons(SalienceHeatmapCanvas::topK(s, k));
    } else if (mass > 0) {
        m_heatmap->setKeptNeurons(withinCumulativeMass(s, mass));
    } else {
        m_heatmap->clearKeptNeurons();
    }
    // The provider outlives this call: it shares the controller's report (no copy of W).
    const std::shared_ptr<const AnalysisResult> shared =
        m_controller->sharedResult(QStringLiteral("probe"));
    m_heatmap->setClassWeightProvider([shared](int column) {
        return neuronSummary(std::get<ProbeReport>(*shared), column).topClasses;
    });
    m_heatmap->selectNeuron(m_controller->selectedColumn());
    updateHint();
    const QString stability = seedStabilityText(*p);
    m_stability->setText(stability.isEmpty() ? QString() : tr("Seeds: %1.").arg(stability));
    m_stability->setVisible(!stability.isEmpty());
    refreshLayers();
}

QJsonObject SalienceView::viewState() const
{
    QJsonObject o;
    o[QStringLiteral("label")] = m_label->currentIndex() > 0 ? m_label->currentText() : QString();
    o[QStringLiteral("value")] =
        m_value->currentIndex() == 1 ? QStringLiteral("rank") : QStringLiteral("weight_share");
    o[QStringLiteral("order")] =
        m_order->currentIndex() == 1 ? QStringLiteral("salience") : QStringLiteral("index");
    o[QStringLiteral("top_k")] = m_topK->value();
    o[QStringLiteral("mass_percent")] = m_mass->value();
    if (const auto *colours = findChild<QComboBox *>(QStringLiteral("heatmapColours")))
        o[QStringLiteral("colour_map")] = colours->currentText();
    if (const auto *log = findChild<QCheckBox *>(QStringLiteral("heatmapLogScale")))
        o[QStringLiteral("log_scale")] = log->isChecked();
    return o;
}

void SalienceView::restoreViewState(const QJsonObject &state)
{
    {
        const QSignalBlocker b1(m_label), b2(m_value), b3(m_order), b4(m_topK), b5(m_mass);
        const QString label = state.value(QStringLiteral("label")).toString();
        const int labelIndex = label.isEmpty() ? 0 : m_label->findText(label);
        if (labelIndex >= 0 && state.contains(QStringLiteral("label")))
            m_label->setCurrentIndex(labelIndex);
        if (state.contains(QStringLiteral("value")))
            m_value->setCurrentIndex(
                state.value(QStringLiteral("value")).toString() == QLatin1String("rank") ? 1 : 0);
        if (state.contains(QStringLiteral("order")))
            m_order->setCurrentIndex(
                state.value(QStringLiteral("order")).toString() == QLatin1String("salience") ? 1
                                                                                             : 0);
        if (state.contains(QStringLiteral("top_k")))
            m_topK->setValue(state.value(QStringLiteral("top_k")).toInt());
        if (state.contains(QStringLiteral("mass_percent")))
            m_mass->setValue(state.value(QStringLiteral("mass_percent")).toDouble());
    }
    // The colour map applies through the combo box's own signal.
    auto *colours = findChild<QComboBox *>(QStringLiteral("heatmapColours"));
    const int colour =
        colours ? colours->findText(state.value(QStringLiteral("colour_map")).toString()) : -1;
    if (colour >= 0)
        colours->setCurrentIndex(colour);
    // The log scale likewise through the check box's signal; absent in older sessions = off.
    if (auto *log = findChild<QCheckBox *>(QStringLiteral("heatmapLogScale")))
        log->setChecked(state.value(QStringLiteral("log_scale")).toBool(false));
    refresh();
}

void SalienceView::refreshLayers()
{
    const ProbeReport *p = m_controller->probe();
    if (!m_layers || !p)
        return;
    const int label = std::max(0, m_label->currentIndex()) - 1;
    const NeuronList &order =
        label < 0 || label >= int(p->perLabel.size()) ? p->ordering : p->perLabel[size_t(label)];
    const int k = m_topK->value() > 0 ? m_topK->value() : p->topK;
    const QString which = label < 0 ? tr("all labels") : m_label->currentText();
    m_layers->setEmptyText({});
    m_layers->setDistribution(layerDistribution(p->layout.layerIds, p->layout.dims, order,
                                                std::min<int>(k, int(order.size()))),
                              tr("top %1 · %2").arg(k).arg(which));
}

void SalienceView::updateHint()
{
    QString hint;
    const ProbeReport *p = m_controller->probe();
    if (p && p->options.l1 == 0) {
        const GridSearchReport *grid = m_controller->gridSearch();
        hint = grid && grid->hasWinner() && grid->bestL1() == 0
                   ? tr("λ1 = 0, as the grid search chose: the weight mass spreads over many "
                        "neurons, so the map is nearly uniform; read the ranking with its seed "
                        "stability (Seeds > 1).")
                   : tr("λ1 = 0: without the L1 penalty the weight mass spreads over many "
                        "neurons, so the map is nearly uniform. A grid search (Run › Grid search) "
                        "finds a λ1 that concentrates it.");
    }
    m_hint->setText(hint);
    m_hint->setVisible(!hint.isEmpty());
}

} // namespace salient::ui
