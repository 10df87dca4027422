#include "salient/ui/views/comparedock.h"

#include "salient/session/resultsjson.h"
#include "salient/ui/controller/sessioncontroller.h"
#include "salient/ui/export/report.h"
#include "salient/ui/plotting/layerbarscanvas.h"
#include "salient/ui/views/curvesview.h"
#include "salient/util/error.h"

#include <QDir>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace salient::ui {

namespace {

/// Compare's k before any probe is loaded.
constexpr int kDefaultTopK = 20;

/// Elements of sorted @p a not in sorted @p b.
NeuronList difference(NeuronList a, NeuronList b)
{
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    NeuronList out;
    std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
    return out;
}

QJsonArray toArray(const NeuronList &l)
{
    QJsonArray a;
    for (int n : l)
        a.append(n);
    return a;
}

/// The first @p k of @p m's ordering as flat neuron indices.
NeuronList topFlat(const CompareModel &m, int k)
{
    NeuronList out;
    const size_t n = std::min(size_t(k), m.ordering.size());
    out.reserve(n);
    for (size_t i = 0; i < n; ++i)
        out.push_back(m.layout.flatIndex(m.ordering[i]));
    return out;
}

QString accuracyText(const CompareModel &m)
{
    if (std::isnan(m.accuracy))
        return QObject::tr("%1 neurons").arg(m.neurons());
    return QObject::tr("%1 neurons, %2 accuracy %3")
        .arg(m.neurons())
        .arg(m.accuracySplit.isEmpty() ? QStringLiteral("selection") : m.accuracySplit)
        .arg(m.accuracy, 0, 'f', 3);
}

} // namespace

Comparison compareAt(const CompareReport &report, int k)
{
    if (report.models.size() != 2)
        throw Error(QStringLiteral("compare: the report holds %1 models, expected 2")
                        .arg(report.models.size()));
    for (const CompareModel &m : report.models)
        if (int(m.ordering.size()) != m.neurons())
            throw Error(QStringLiteral("compare: model %1 has no complete neuron ordering (a "
                                       "result written by an older version; run it again)")
                            .arg(m.name));
    const CompareModel &a = report.models[0], &b = report.models[1];
    Comparison c;
    c.k = std::max(1, k);
    if (report.sameLayout) {
        const NeuronList ta = topFlat(a, c.k), tb = topFlat(b, c.k);
        c.overlap = neuronOverlap(ta, tb);
        // core has no "exclusive" list; the set differences of its inputs are formatting only.
        c.onlyA = difference(ta, tb);
        c.onlyB = difference(tb, ta);
    }
    c.layersA = layerDistribution(a.layout.layerIds, a.layout.dims, a.ordering, c.k);
    c.layersB = layerDistribution(b.layout.layerIds, b.layout.dims, b.ordering, c.k);
    return c;
}

CurvesData compareCurves(const CompareModel &model, bool *any)
{
    if (!model.sizes.empty()) { // mode "activations": the retraining curve computed there
        AblationReport r;
        r.result.sizes = model.sizes;
        r.result.retraining = model.curve;
        r.result.oracleSelection = model.accuracy;
        return curvesFrom(&r, nullptr, any);
    }
    return curvesFrom(model.ablation ? &*model.ablation : nullptr,
                      model.minimalSubset ? &*model.minimalSubset : nullptr, any);
}

CompareDock::CompareDock(QWidget *parent) : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    auto *bar = new QHBoxLayout;
    m_load = new QPushButton(tr("Load session to compare…"), this);
    m_load->setObjectName(QStringLiteral("compareLoad"));
    m_k = new QSpinBox(this);
    m_k->setObjectName(QStringLiteral("compareTopK"));
    m_k->setRange(1, 1 << 20);
    m_k->setValue(kDefaultTopK); // until a probe gives its own top-k
    m_k->setToolTip(tr("Number of top-ranked neurons of each probe that are compared (default: "
                       "the probe's top-k, %1 without a probe)")
                        .arg(kDefaultTopK));
    m_export = new QPushButton(tr("Export…"), this);
    m_export->setToolTip(
        tr("Write every figure (PNG, SVG, PDF) and table (CSV, JSON) of this view into a folder"));
    m_export->setEnabled(false);
    bar->addWidget(m_load);
    bar->addWidget(new QLabel(tr("top-k"), this));
    bar->addWidget(m_k);
    bar->addStretch();
    bar->addWidget(m_export);
    layout->addLayout(bar);
    m_summary = new QLabel(
        tr("Load a second session (a probe trained on the same task with another model) to "
           "compare where the two models keep the property."),
        this);
    m_summary->setObjectName(QStringLiteral("compareSummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextFormat(Qt::PlainText);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_summary);

    auto *split = new QSplitter(Qt::Horizontal, this);
    auto *lists = new QWidget(split);
    auto *listLayout = new QHBoxLayout(lists);
    listLayout->setContentsMargins(0, 0, 0, 0);
    auto column = [&](const QString &title, QListWidget *&list, QLabel **label) {
        auto *box = new QWidget(lists);
        auto *v = new QVBoxLayout(box);
        v->setContentsMargins(0, 0, 0, 0);
        auto *l = new QLabel(title, box);
        l->setWordWrap(true); // "only A (a long session name)" never widens the window
        if (label)
            *label = l;
        list = new QListWidget(box);
        list->setMinimumWidth(60);
        v->addWidget(l);
        v->addWidget(list, 1);
        listLayout->addWidget(box);
    };
    column(tr("shared"), m_shared, nullptr);
    column(tr("only A"), m_onlyA, &m_onlyALabel);
    column(tr("only B"), m_onlyB, &m_onlyBLabel);
    m_shared->setObjectName(QStringLiteral("compareShared"));
    m_onlyA->setObjectName(QStringLiteral("compareOnlyA"));
    m_onlyB->setObjectName(QStringLiteral("compareOnlyB"));
    auto *tabs = new QTabWidget(split);
    m_layers = new LayerBarsCanvas(tabs);
    m_layers->setTitle(tr("Where the top-k neurons live"));
    tabs->addTab(m_layers, tr("Layer distribution"));
    auto *curves = new QWidget(tabs);
    auto *curvesLayout = new QHBoxLayout(curves);
    curvesLayout->setContentsMargins(0, 0, 0, 0);
    m_curvesA = new CurvesCanvas(curves);
    m_curvesB = new CurvesCanvas(curves);
    curvesLayout->addWidget(m_curvesA);
    curvesLayout->addWidget(m_curvesB);
    tabs->addTab(curves, tr("Accuracy vs neurons"));
    split->addWidget(lists);
    split->addWidget(tabs);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 3);
    layout->addWidget(split, 1);

    connect(m_load, &QPushButton::clicked, this, [this] {
        const QString f = QFileDialog::getOpenFileName(this, tr("Session to compare"), {},
                                                       tr("Salient session (*.json)"));
        if (!f.isEmpty())
            Q_EMIT loadRequested(f);
    });
    connect(m_k, &QSpinBox::valueChanged, this, [this] {
        m_userK = true;
        recompute();
    });
    connect(m_export, &QPushButton::clicked, this, [this] {
        const QString dir =
            QFileDialog::getExistingDirectory(this, tr("Export the comparison into folder"));
        if (dir.isEmpty())
            return;
        QString error;
        if (!exportTo(dir, dir, dir, nullptr, &error))
            Q_EMIT exportFailed(error);
    });
    clearReport();
}

CompareDock::~CompareDock() = default;

void CompareDock::setController(SessionController *controller)
{
    if (!controller || m_controller == controller)
        return;
    if (m_controller)
        disconnect(m_controller, nullptr, this, nullptr);
    m_controller = controller;
    connect(controller, &SessionController::dataLoaded, this, [this] {
        m_lastOptions = {};
        m_userK = false;
        clearReport();
        const QSignalBlocker block(m_k);
        m_k->setValue(kDefaultTopK);
    });
    connect(controller, &SessionController::resultChanged, this, [this](const QString &name) {
        // Before a comparison, k follows the open session's top-k (what its heatmap and layer
        // bars count), unless the user chose one.
        if (name == QLatin1String("probe") && !m_has && !m_userK && m_controller->probe()) {
            const QSignalBlocker block(m_k);
            m_k->setValue(std::max(1, m_controller->probe()->topK));
        }
        if (name == QLatin1String("compare"))
            showControllerResult();
        else if (name == QLatin1String("probe") || name == QLatin1String("ablation")
                 || name == QLatin1String("minimal-subset"))
            rerunIfStale();
    });
    connect(controller, &SessionController::resultInvalidated, this,
            [this](const QString &name, const QString &why) {
                if (name == QLatin1String("compare"))
                    clearReport(tr("The comparison was removed: %1").arg(why));
            });
    showControllerResult();
}

void CompareDock::showControllerResult()
{
    const AnalysisResult *r =
        m_controller ? m_controller->result(QStringLiteral("compare")) : nullptr;
    const CompareReport *c = r ? std::get_if<CompareReport>(r) : nullptr;
    if (!c)
        return;
    try {
        setReport(*c);
    } catch (const Error &e) {
        clearReport(e.message());
        return;
    }
    m_lastOptions =
        c->mode == QLatin1String("sessions")
            ? m_controller->session().analysisOptions.value(QStringLiteral("compare")).toObject()
            : QJsonObject();
}

void CompareDock::rerunIfStale()
{
    if (!m_controller || m_lastOptions.isEmpty())
        return;
    const ProbeReport *probe = m_controller->probe();
    if (!probe)
        return;
    const AnalysisResult *r = m_controller->result(QStringLiteral("compare"));
    if (const CompareReport *c = r ? std::get_if<CompareReport>(r) : nullptr) {
        const CompareModel &a = c->models.front();
        const AblationReport *ab = m_controller->ablation();
        const MinimalSubsetReport *ms = m_controller->minimalSubset();
        const bool current = a.ordering == probe->ordering && a.layout == probe->layout
                             && a.labels == probe->labels && bool(ab) == bool(a.ablation)
                             && (!ab || toJson(*ab) == toJson(*a.ablation))
                             && bool(ms) == bool(a.minimalSubset)
                             && (!ms || toJson(*ms) == toJson(*a.minimalSubset));
        if (current)
            return;
    }
    m_controller->runAnalysis(QStringLiteral("compare"),
                              m_controller->session().probeOptionsFor(QStringLiteral("probe")),
                              m_lastOptions);
}

void CompareDock::setReport(const CompareReport &report)
{
    const int k = m_userK ? m_k->value() : std::max(1, report.topK);
    m_cmp = compareAt(report, k); // throws before anything changes
    m_report = report;
    m_has = true;
    {
        const QSignalBlocker block(m_k);
        m_k->setValue(k);
    }
    bool any = false;
    const CurvesData ca = compareCurves(m_report.models[0], &any);
    m_hasCurvesA = any;
    const CurvesData cb = compareCurves(m_report.models[1], &any);
    m_hasCurvesB = any;
    const QString nameA = m_report.models[0].name, nameB = m_report.models[1].name;
    m_curvesA->setTitle(tr("A: %1").arg(nameA));
    m_curvesB->setTitle(tr("B: %1").arg(nameB));
    const QString noCurves = tr("This session has no ablation or minimal-subset curves: run "
                                "them in it to compare accuracy against the number of neurons.");
    if (m_hasCurvesA)
        m_curvesA->setData(ca);
    else
        m_curvesA->clear();
    m_curvesA->setEmptyText(m_hasCurvesA ? QString() : noCurves);
    if (m_hasCurvesB)
        m_curvesB->setData(cb);
    else
        m_curvesB->clear();
    m_curvesB->setEmptyText(m_hasCurvesB ? QString() : noCurves);
    m_layers->setEmptyText({});
    m_export->setEnabled(true);
    recompute();
    Q_EMIT reportShown();
}

void CompareDock::clearReport(const QString &why)
{
    m_has = false;
    m_report = {};
    m_cmp = {};
    m_hasCurvesA = m_hasCurvesB = false;
    m_export->setEnabled(false);
    m_summary->setText(why.isEmpty() ? tr("Load a second session (a probe trained on the same "
                                          "task with another model) to compare where the two "
                                          "models keep the property.")
                                     : why);
    m_shared->clear();
    m_onlyA->clear();
    m_onlyB->clear();
    m_layers->clear();
    m_curvesA->clear();
    m_curvesB->clear();
    const QString howTo = tr("Load a second session (Load session to compare…) to see where "
                             "each model's top-k neurons live.");
    m_layers->setEmptyText(howTo);
    m_curvesA->setEmptyText(howTo);
    m_curvesB->setEmptyText(howTo);
}

void CompareDock::setK(int k)
{
    m_userK = true;
    const QSignalBlocker block(m_k);
    m_k->setValue(k);
    recompute();
}

int CompareDock::k() const
{
    return m_k->value();
}

QString CompareDock::summaryText() const
{
    return m_summary->text();
}

void CompareDock::recompute()
{
    if (!m_has)
        return;
    m_cmp = compareAt(m_report, m_k->value());
    const CompareModel &a = m_report.models[0], &b = m_report.models[1];
    const SetOverlap &o = m_cmp.overlap;
    QString text =
        tr("A: %1 (%2) · B: %3 (%4)\n").arg(a.name, accuracyText(a), b.name, accuracyText(b));
    if (m_report.sameLayout)
        text += tr("Top %1: %2 shared neurons · Jaccard %3 · overlap coefficient %4 · ")
                    .arg(m_cmp.k)
                    .arg(o.intersection)
                    .arg(o.jaccard, 0, 'f', 3)
                    .arg(o.overlapCoefficient, 0, 'f', 3);
    else
        text += tr("Top %1: no overlap (different neuron layouts) · ").arg(m_cmp.k);
    text += tr("mean layer A %1, B %2")
                .arg(m_cmp.layersA.meanLayer, 0, 'f', 2)
                .arg(m_cmp.layersB.meanLayer, 0, 'f', 2);
    if (!m_report.warning.isEmpty())
        text += tr("\nWarning: %1.").arg(m_report.warning);
    m_summary->setText(text);
    m_onlyALabel->setText(tr("only A (%1)").arg(a.name));
    m_onlyBLabel->setText(tr("only B (%1)").arg(b.name));
    fillLists();
    m_layers->setDistributions(m_cmp.layersA, QStringLiteral("A: ") + a.name, m_cmp.layersB,
                               QStringLiteral("B: ") + b.name);
}

void CompareDock::fillLists()
{
    const int dims = std::max(1, m_report.models[0].layout.dims);
    auto fill = [dims](QListWidget *list, const NeuronList &neurons) {
        list->clear();
        for (int n : neurons)
            list->addItem(QStringLiteral("%1  (L%2 · %3)").arg(n).arg(n / dims).arg(n % dims));
    };
    fill(m_shared, m_cmp.overlap.shared);
    fill(m_onlyA, m_cmp.onlyA);
    fill(m_onlyB, m_cmp.onlyB);
}

QJsonObject CompareDock::overlapJson() const
{
    QJsonObject j;
    if (!m_has)
        return j;
    const CompareModel &a = m_report.models[0], &b = m_report.models[1];
    j[QStringLiteral("a")] = a.source.isEmpty() ? a.name : a.source;
    j[QStringLiteral("b")] = b.source.isEmpty() ? b.name : b.source;
    j[QStringLiteral("k")] = m_cmp.k;
    j[QStringLiteral("intersection")] = double(m_cmp.overlap.intersection);
    j[QStringLiteral("union")] = double(m_cmp.overlap.unionSize);
    j[QStringLiteral("jaccard")] = m_cmp.overlap.jaccard;
    j[QStringLiteral("overlap_coefficient")] = m_cmp.overlap.overlapCoefficient;
    j[QStringLiteral("mean_layer_a")] = m_cmp.layersA.meanLayer;
    j[QStringLiteral("mean_layer_b")] = m_cmp.layersB.meanLayer;
    j[QStringLiteral("same_layout")] = m_report.sameLayout;
    j[QStringLiteral("same_labels")] = m_report.sameLabels;
    j[QStringLiteral("warning")] = m_report.warning;
    j[QStringLiteral("shared")] = toArray(m_cmp.overlap.shared);
    j[QStringLiteral("only_a")] = toArray(m_cmp.onlyA);
    j[QStringLiteral("only_b")] = toArray(m_cmp.onlyB);
    return j;
}

QByteArray CompareDock::overlapCsv() const
{
    const int dims = m_has ? std::max(1, m_report.models[0].layout.dims) : 1;
    QByteArray out = "list,neuron,layer,index_in_layer\n";
    const std::pair<const char *, const NeuronList *> lists[] = {
        {"shared", &m_cmp.overlap.shared}, {"only_a", &m_cmp.onlyA}, {"only_b", &m_cmp.onlyB}};
    for (const auto &[name, l] : lists)
        for (int n : *l)
            out += QByteArray(name) + ',' + QByteArray::number(n) + ','
                   + QByteArray::number(n / dims) + ',' + QByteArray::number(n % dims) + '\n';
    return out;
}

bool CompareDock::exportTo(const QString &figureDir, const QString &tableDir, const QString &root,
                           QStringList *written, QString *error) const
{
    if (!m_has) {
        if (error)
            *error = tr("Nothing to export: load a session to compare first.");
        return false;
    }
    if (!writeCanvasFiles(m_layers, figureDir, tableDir, QStringLiteral("compare-layers"), 1000,
                          600, 200, root, written, error))
        return false;
    if (m_hasCurvesA
        && !writeCanvasFiles(m_curvesA, figureDir, tableDir, QStringLiteral("compare-curves-a"),
                             1000, 600, 200, root, written, error))
        return false;
    if (m_hasCurvesB
        && !writeCanvasFiles(m_curvesB, figureDir, tableDir, QStringLiteral("compare-curves-b"),
                             1000, 600, 200, root, written, error))
        return false;
    const QString csv = tableDir + QStringLiteral("/compare-overlap.csv");
    const QString json = tableDir + QStringLiteral("/compare-overlap.json");
    if (!writeFileAtomic(csv, overlapCsv(), error)
        || !writeFileAtomic(json, QJsonDocument(overlapJson()).toJson(), error))
        return false;
    if (written)
        *written << QDir(root).relativeFilePath(csv) << QDir(root).relativeFilePath(json);
    return true;
}

} // namespace salient::ui
