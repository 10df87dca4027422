#include "salient/ui/views/curvesview.h"

#include "salient/ui/controller/sessioncontroller.h"

#include <QCheckBox>
#include <QLabel>
#include <QVBoxLayout>
#include <cmath>

namespace salient::ui {

namespace {

AblationSeries seriesOf(const AblationCurve &c)
{
    return {c.top, c.randomMean, c.randomStd, c.bottom};
}

} // namespace

CurvesData curvesFrom(const AblationReport *ablation, const MinimalSubsetReport *subset, bool *any)
{
    CurvesData d;
    if (ablation) {
        const AblationResult &r = ablation->result;
        d.sizes.assign(r.sizes.begin(), r.sizes.end());
        d.masking = seriesOf(r.masking);
        d.retraining = seriesOf(r.retraining);
        d.oracle = r.oracleSelection;
    }
    if (subset) {
        const MinimalSubsetResult &r = subset->result;
        d.oracle = r.oracleDev;
        d.target = r.target;
        for (const SubsetPoint &p : r.curve) {
            d.subsetSizes.push_back(p.size);
            d.subsetAccuracy.push_back(p.dev);
        }
        d.chosenSize = r.size;
        d.chosenIsAll = r.allNeurons;
    }
    if (any)
        *any = ablation || subset;
    return d;
}

QString selectivityText(const SelectivityReport &report)
{
    const SelectivityResult &r = report.result;
    const auto f1 = [](double v) {
        return std::isfinite(v) ? QObject::tr(" (macro-F1 %1)").arg(v, 0, 'f', 3) : QString();
    };
    QStringList parts;
    for (const SelectivityEntry &e : r.sets) {
        if (r.seeds > 1)
            parts << QObject::tr("%1 (%2 neurons): selectivity %3 over %4 control tasks; task %5, "
                                 "control %6 (mean ± sd; seed 0: %7)")
                         .arg(e.name)
                         .arg(e.neurons)
                         .arg(e.selectivitySeeds.text(3))
                         .arg(e.selectivitySeeds.n)
                         .arg(e.taskSeeds.text(3), e.controlSeeds.text(3))
                         .arg(QObject::tr("task %1%2, control %3%4")
                                  .arg(e.taskAccuracy, 0, 'f', 3)
                                  .arg(f1(e.taskMacroF1))
                                  .arg(e.controlAccuracy, 0, 'f', 3)
                                  .arg(f1(e.controlMacroF1)));
        else
            parts << QObject::tr("%1 (%2 neurons): task %3%4, control %5%6, selectivity %7")
                         .arg(e.name)
                         .arg(e.neurons)
                         .arg(e.taskAccuracy, 0, 'f', 3)
                         .arg(f1(e.taskMacroF1))
                         .arg(e.controlAccuracy, 0, 'f', 3)
                         .arg(f1(e.controlMacroF1))
                         .arg(e.selectivity, 0, 'f', 3);
    }
    QString text =
        QObject::tr("Selectivity on %1 — ").arg(r.split) + parts.join(QStringLiteral(" · "));
    QStringList baselines;
    if (std::isfinite(r.splitBaseline.accuracy))
        baselines << QObject::tr("majority baseline on %1: %2%3")
                         .arg(r.split)
                         .arg(r.splitBaseline.accuracy, 0, 'f', 3)
                         .arg(f1(r.splitBaseline.macroF1));
    if (std::isfinite(r.testBaseline.accuracy) && r.split != QLatin1String("test"))
        baselines << QObject::tr("on test: %1%2")
                         .arg(r.testBaseline.accuracy, 0, 'f', 3)
                         .arg(f1(r.testBaseline.macroF1));
    if (std::isfinite(r.controlBaseline.accuracy))
        baselines << (r.seeds > 1 ? QObject::tr("control task majority: %1 (%2 control tasks)")
                                        .arg(r.controlBaselineSeeds.text(3))
                                        .arg(r.controlBaselineSeeds.n)
                                  : QObject::tr("control task majority: %1")
                                        .arg(r.controlBaseline.accuracy, 0, 'f', 3));
    if (!baselines.isEmpty())
        text += QStringLiteral(". ") + baselines.join(QStringLiteral("; ")) + QLatin1Char('.');
    return text;
}

CurvesView::CurvesView(SessionController *controller, QWidget *parent)
    : QWidget(parent), m_controller(controller)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    m_status = new QLabel(this);
    m_status->setWordWrap(true);
    m_status->setTextFormat(Qt::PlainText);
    m_curves = new CurvesCanvas(this);
    m_selectivity = new QLabel(this);
    m_selectivity->setObjectName(QStringLiteral("selectivity"));
    m_selectivity->setWordWrap(true);
    m_selectivity->setTextFormat(Qt::PlainText);
    auto *logX = new QCheckBox(tr("log scale for the number of neurons"), this);
    logX->setObjectName(QStringLiteral("curvesLogX"));
    connect(logX, &QCheckBox::toggled, m_curves, &CurvesCanvas::setLogX);
    layout->addWidget(m_status);
    layout->addWidget(logX);
    layout->addWidget(m_curves, 1);
    layout->addWidget(m_selectivity);
    auto relevant = [](const QString &name) {
        return name == QLatin1String("ablation") || name == QLatin1String("minimal-subset")
               || name == QLatin1String("selectivity");
    };
    connect(m_controller, &SessionController::dataLoaded, this, [this] {
        m_invalidated.clear();
        refresh();
    });
    connect(m_controller, &SessionController::resultChanged, this,
            [this, relevant](const QString &name) {
                if (relevant(name)) {
                    m_invalidated.clear();
                    refresh();
                }
            });
    connect(m_controller, &SessionController::resultInvalidated, this,
            [this, relevant](const QString &name, const QString &why) {
                if (!relevant(name))
                    return;
                m_invalidated = tr("%1 removed: %2").arg(name, why);
                refresh();
            });
    refresh();
}

QString CurvesView::statusText() const
{
    return m_status->text();
}

QString CurvesView::selectivityLine() const
{
    return m_selectivity->text();
}

void CurvesView::refresh()
{
    const AblationReport *ab = m_controller->ablation();
    const MinimalSubsetReport *ms = m_controller->minimalSubset();
    const SelectivityReport *sel = m_controller->selectivity();
    bool any = false;
    const CurvesData d = curvesFrom(ab, ms, &any);
    if (any)
        m_curves->setData(d);
    else
        m_curves->clear();
    QStringList status;
    if (!any)
        status << tr("Run Minimal subset or Ablation curves to see accuracy against the number "
                     "of neurons.");
    else if (const auto po = m_controller->resultOptions())
        status
            << tr("Computed with λ1 = %1, λ2 = %2, seed %3.").arg(po->l1).arg(po->l2).arg(po->seed);
    if (!m_invalidated.isEmpty())
        status << m_invalidated;
    m_status->setText(status.join(QLatin1Char(' ')));
    m_selectivity->setText(sel ? selectivityText(*sel) : QString());
    m_selectivity->setVisible(sel != nullptr);
}

} // namespace salient::ui
