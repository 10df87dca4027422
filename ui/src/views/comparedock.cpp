#include "salient/ui/views/comparedock.h"

#include "salient/session/resultsjson.h"
#include "salient/ui/views/curvesview.h"
#include <optional>

#include "salient/ui/export/report.h"
#include "salient/ui/plotting/layerbarscanvas.h"
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

} // namespace

CompareSide compareSide(const ProbeReport &probe, const AblationReport *ablation,
                        const MinimalSubsetReport *subset, const QString &name, const QString &path)
{
    CompareSide s;
    s.name = name;
    s.path = path;
    s.layerIds = probe.layout.layerIds;
    s.dims = probe.layout.dims;
    s.labels = probe.labels;
    s.columns = probe.ordering;
    s.flat.reserve(s.columns.size());
    for (int c : s.columns)
        s.flat.push_back(probe.layout.flatIndex(c));
    s.curves = curvesFrom(ablation, subset, &s.hasCurves);
    return s;
}

CompareSide compareSideFromFile(const QString &path, const QString &name)
{
    const Session session = loadSession(path);
    auto typed = [&](const QString &analysis) -> std::optional<AnalysisResult> {
        if (!session.results.contains(analysis))
            return std::nullopt;
        return resultFromJson(analysis, session.results.value(analysis).toObject(), session.arrays);
    };
    const std::optional<AnalysisResult> probe = typed(QStringLiteral("probe"));
    if (!probe || !std::holds_alternative<ProbeReport>(*probe))
        throw Error(QStringLiteral("%1: the session has no trained probe (run \"Train probe\" and "
                                   "save it first)")
                        .arg(path));
    const std::optional<AnalysisResult> ab = typed(QStringLiteral("ablation"));
    const std::optional<AnalysisResult> ms = typed(QStringLiteral("minimal-subset"));
    return compareSide(std::get<ProbeReport>(*probe),
                       ab ? std::get_if<AblationReport>(&*ab) : nullptr,
                       ms ? std::get_if<MinimalSubsetReport>(&*ms) : nullptr, name, path);
}

Comparison compareSides(const CompareSide &a, const CompareSide &b, int k)
{
    Comparison c;
    c.k = std::max(1, k);
    const NeuronList topA(a.flat.begin(),
                          a.flat.begin()
                              + std::min<std::ptrdiff_t>(c.k, std::ptrdiff_t(a.flat.size())));
    const NeuronList topB(b.flat.begin(),
                          b.flat.begin()
                              + std::min<std::ptrdiff_t>(c.k, std::ptrdiff_t(b.flat.size())));
    c.overlap = neuronOverlap(topA, topB);
    // core has no "exclusive" list; the set differences of its inputs are formatting only.
    c.onlyA = difference(topA, topB);
    c.onlyB = difference(topB, topA);
    c.layersA = layerDistribution(a.layerIds, a.dims, a.columns, c.k);
    c.layersB = layerDistribution(b.layerIds, b.dims, b.columns, c.k);
    QStringList why;
    if (a.labels != b.labels)
        why << QObject::tr("the label sets differ");
    if (a.layerIds != b.layerIds || a.dims != b.dims)
        why << QObject::tr("the neuron layouts differ (%1 × %2 vs %3 × %4); neuron ids are not the "
                           "same neurons")
                   .arg(a.layerIds.size())
                   .arg(a.dims)
                   .arg(b.layerIds.size())
                   .arg(b.dims);
    c.sameTask = why.isEmpty();
    c.warning = why.join(QStringLiteral("; "));
    return c;
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
    m_k->setToolTip(tr("Number of top-ranked neurons of each probe that are compared"));
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
        if (label)
            *label = l;
        list = new QListWidget(box);
        list->setMinimumWidth(90);
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
}

CompareDock::~CompareDock() = default;

void CompareDock::setSides(const CompareSide &a, const CompareSide &b)
{
    m_a = a;
    m_b = b;
    m_hasB = true;
    if (!m_userK) {
        const QSignalBlocker block(m_k);
        m_k->setValue(std::max(1, std::min(a.neurons(), b.neurons()) / 20));
    }
    m_export->setEnabled(true);
    recompute();
}

void CompareDock::setSideA(const CompareSide &a)
{
    if (!m_hasB)
        return;
    m_a = a;
    recompute();
}

void CompareDock::setK(int k)
{
    m_k->setValue(k); // emits valueChanged → recompute (when the value changes)
    m_userK = true;
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
    if (!m_hasB)
        return;
    m_cmp = compareSides(m_a, m_b, m_k->value());
    const SetOverlap &o = m_cmp.overlap;
    QString text = tr("A: %1 (%2 neurons) · B: %3 (%4 neurons)\n"
                      "Top %5: %6 shared neurons · Jaccard %7 · overlap coefficient %8 · mean "
                      "layer A %9, B %10")
                       .arg(m_a.name)
                       .arg(m_a.neurons())
                       .arg(m_b.name)
                       .arg(m_b.neurons())
                       .arg(m_cmp.k)
                       .arg(o.intersection)
                       .arg(o.jaccard, 0, 'f', 3)
                       .arg(o.overlapCoefficient, 0, 'f', 3)
                       .arg(m_cmp.layersA.meanLayer, 0, 'f', 2)
                       .arg(m_cmp.layersB.meanLayer, 0, 'f', 2);
    if (!m_cmp.sameTask)
        text += tr("\nWarning: %1.").arg(m_cmp.warning);
    m_summary->setText(text);
    m_onlyALabel->setText(tr("only A (%1)").arg(m_a.name));
    m_onlyBLabel->setText(tr("only B (%1)").arg(m_b.name));
    fillLists();
    m_layers->setDistributions(m_cmp.layersA, QStringLiteral("A: ") + m_a.name, m_cmp.layersB,
                               QStringLiteral("B: ") + m_b.name);
    m_curvesA->setTitle(tr("A: %1").arg(m_a.name));
    m_curvesB->setTitle(tr("B: %1").arg(m_b.name));
    if (m_a.hasCurves)
        m_curvesA->setData(m_a.curves);
    else
        m_curvesA->clear();
    if (m_b.hasCurves)
        m_curvesB->setData(m_b.curves);
    else
        m_curvesB->clear();
}

void CompareDock::fillLists()
{
    const int dims = std::max(1, m_a.dims);
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
    j[QStringLiteral("a")] = m_a.path.isEmpty() ? m_a.name : m_a.path;
    j[QStringLiteral("b")] = m_b.path.isEmpty() ? m_b.name : m_b.path;
    j[QStringLiteral("k")] = m_cmp.k;
    j[QStringLiteral("intersection")] = double(m_cmp.overlap.intersection);
    j[QStringLiteral("union")] = double(m_cmp.overlap.unionSize);
    j[QStringLiteral("jaccard")] = m_cmp.overlap.jaccard;
    j[QStringLiteral("overlap_coefficient")] = m_cmp.overlap.overlapCoefficient;
    j[QStringLiteral("mean_layer_a")] = m_cmp.layersA.meanLayer;
    j[QStringLiteral("mean_layer_b")] = m_cmp.layersB.meanLayer;
    j[QStringLiteral("same_task")] = m_cmp.sameTask;
    j[QStringLiteral("shared")] = toArray(m_cmp.overlap.shared);
    j[QStringLiteral("only_a")] = toArray(m_cmp.onlyA);
    j[QStringLiteral("only_b")] = toArray(m_cmp.onlyB);
    return j;
}

QByteArray CompareDock::overlapCsv() const
{
    const int dims = std::max(1, m_a.dims);
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
    if (!m_hasB) {
        if (error)
            *error = tr("Nothing to export: load a session to compare first.");
        return false;
    }
    if (!writeCanvasFiles(m_layers, figureDir, tableDir, QStringLiteral("compare-layers"), 1000,
                          600, 200, root, written, error))
        return false;
    if (m_a.hasCurves
        && !writeCanvasFiles(m_curvesA, figureDir, tableDir, QStringLiteral("compare-curves-a"),
                             1000, 600, 200, root, written, error))
        return false;
    if (m_b.hasCurves
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
