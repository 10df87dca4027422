#include "salient/ui/views/curvesview.h"

#include "salient/ui/controller/sessioncontroller.h"

#include <QCheckBox>
#include <QLabel>
#include <QResizeEvent>
#include <QScrollArea>
#include <QVBoxLayout>
#include <cmath>

namespace salient::ui {

namespace {

/// With seeds > 1 the top / bottom lines are the means over seeds with their sd; otherwise (or
/// for files without those arrays) repetition 0's values without a band.
AblationSeries seriesOf(const AblationCurve &c, int seeds)
{
    AblationSeries s{c.top, c.randomMean, c.randomStd, c.bottom, {}, {}};
    if (seeds > 1 && c.topMean.size() == c.top.size() && c.bottomMean.size() == c.bottom.size()) {
        s.top = c.topMean;
        s.topSd = c.topSd;
        s.bottom = c.bottomMean;
        s.bottomSd = c.bottomSd;
    }
    return s;
}

QString baselineText(const MajorityBaseline &selection, const MajorityBaseline &test,
                     const QString &split)
{
    if (selection.label.isEmpty() || !std::isfinite(selection.accuracy))
        return {};
    QString t = QObject::tr("majority baseline (%1) %2 on %3")
                    .arg(selection.label)
                    .arg(selection.accuracy, 0, 'f', 3)
                    .arg(split.isEmpty() ? QObject::tr("the selection split") : split);
    if (std::isfinite(test.accuracy))
        t += QObject::tr(", %1 on test").arg(test.accuracy, 0, 'f', 3);
    return t + QObject::tr(" (macro-F1 %1)").arg(selection.macroF1, 0, 'f', 3);
}

} // namespace

CurvesData curvesFrom(const AblationReport *ablation, const MinimalSubsetReport *subset, bool *any)
{
    CurvesData d;
    if (ablation) {
        const AblationResult &r = ablation->result;
        d.sizes.assign(r.sizes.begin(), r.sizes.end());
        d.seeds = ablation->options.seeds;
        d.masking = seriesOf(r.masking, d.seeds);
        d.retraining = seriesOf(r.retraining, d.seeds);
        d.oracle = r.oracleSelection;
        // A baseline that was not computed (no label) is not drawn.
        if (!r.baselineSelection.label.isEmpty())
            d.baseline = r.baselineSelection.accuracy;
        d.baselineLabel = r.baselineSelection.label;
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
        if (!r.baselineSelection.label.isEmpty() && std::isfinite(r.baselineSelection.accuracy)) {
            d.baseline = r.baselineSelection.accuracy;
            d.baselineLabel = r.baselineSelection.label;
        }
    }
    if (any)
        *any = ablation || subset;
    return d;
}

QString minimalSubsetText(const MinimalSubsetReport &report)
{
    const MinimalSubsetResult &r = report.result;
    QString t;
    const SeedSummary size = r.sizeSummary();
    if (size.n > 1)
        t = QObject::tr("Minimal subset: size median %1 (range %2–%3) over %4 seeds; repetition 0 "
                        "chose %5 neurons (dev %6)")
                .arg(size.median, 0, 'g', 6)
                .arg(size.min, 0, 'g', 6)
                .arg(size.max, 0, 'g', 6)
                .arg(size.n)
                .arg(r.size)
                .arg(r.dev, 0, 'f', 3);
    else
        t = QObject::tr("Minimal subset: %1 neurons (dev %2)").arg(r.size).arg(r.dev, 0, 'f', 3);
    const QString b = baselineText(r.baselineSelection, r.baselineTest, report.split);
    return t + (b.isEmpty() ? QStringLiteral(".") : QStringLiteral("; ") + b + QLatin1Char('.'));
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
    // The long texts (status, selectivity) scroll in a box of at most five lines below the
    // plot, so that on a short screen (768 px) the curves keep most of the dock's height.
    auto *texts = new QWidget(this);
    auto *textLayout = new QVBoxLayout(texts);
    textLayout->setContentsMargins(0, 0, 0, 0);
    textLayout->addWidget(m_status);
    textLayout->addWidget(m_selectivity);
    textLayout->addStretch(1);
    auto *scroll = new QScrollArea(this);
    scroll->setObjectName(QStringLiteral("curvesTexts"));
    scroll->setWidget(texts);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroll->setMaximumHeight(5 * fontMetrics().lineSpacing() + 6); // resizeEvent adapts it
    scroll->setMinimumHeight(fontMetrics().lineSpacing() + 6); // one line when the dock is short
    m_texts = scroll;
    scroll->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Maximum);
    layout->addWidget(logX);
    layout->addWidget(m_curves, 1);
    layout->addWidget(scroll);
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
    return m_hasSelectivity ? m_selectivity->text() : QString();
}

QString CurvesView::selectivityHint() const
{
    return m_hasSelectivity ? QString() : m_selectivity->text();
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
    const QString howTo = m_controller->task()
                              ? tr("Run Minimal subset or Ablation curves (Run view) to see "
                                   "accuracy against the number of neurons.")
                              : tr("Load data (File › Open data files, or the built-in demo), "
                                   "then run Minimal subset or Ablation curves to see accuracy "
                                   "against the number of neurons.");
    m_curves->setEmptyText(any                       ? QString()
                           : m_invalidated.isEmpty() ? howTo
                                                     : m_invalidated + QLatin1Char('\n') + howTo);
    QStringList status;
    if (!any)
        status << tr("No curves yet.");
    else if (const auto po = m_controller->resultOptions())
        status
            << tr("Computed with λ1 = %1, λ2 = %2, seed %3.").arg(po->l1).arg(po->l2).arg(po->seed);
    if (ab) {
        QString t = tr("Ablation: %1 size(s)").arg(ab->result.sizes.size());
        if (ab->options.seeds > 1)
            t += tr(", mean ± sd over %1 seeds (each with its own oracle)").arg(ab->options.seeds);
        const QString b =
            baselineText(ab->result.baselineSelection, ab->result.baselineTest, ab->split);
        status << t
                      + (b.isEmpty() ? QStringLiteral(".")
                                     : QStringLiteral("; ") + b + QLatin1Char('.'));
        const QString st = ablationStabilityText(*ab);
        if (!st.isEmpty())
            status << tr("Ranking stability: %1.").arg(st);
    }
    if (ms)
        status << minimalSubsetText(*ms);
    if (!m_invalidated.isEmpty())
        status << m_invalidated;
    m_status->setText(status.join(QLatin1Char(' ')));
    m_hasSelectivity = sel != nullptr;
    m_selectivity->setText(
        sel ? selectivityText(*sel)
            : tr("Selectivity: run Control task / selectivity (after Minimal subset) to compare "
                 "the probe's accuracy on the task with a control task of random labels."));
    m_selectivity->setForegroundRole(sel ? QPalette::WindowText : QPalette::PlaceholderText);
}

void CurvesView::resizeEvent(QResizeEvent *event)
{
    const int lines = height() < 330 ? 2 : 5;
    m_texts->setMaximumHeight(lines * fontMetrics().lineSpacing() + 6);
    QWidget::resizeEvent(event);
}

} // namespace salient::ui
