#include "salient/ui/views/analysisviews.h"

#include "salient/session/results.h"
#include "salient/ui/controller/sessioncontroller.h"
#include "salient/ui/models/evaluationmodel.h"
#include "salient/ui/plotting/gridsearchcanvas.h"
#include "salient/ui/plotting/layerwisecanvas.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>
#include <cmath>

namespace salient::ui {

namespace {

QLabel *wrappedLabel(QWidget *parent)
{
    auto *l = new QLabel(parent);
    l->setWordWrap(true);
    l->setTextFormat(Qt::PlainText);
    l->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return l;
}

/// Calls @p refresh(why) when @p name changes, is invalidated, or new data load.
template <typename View>
void follow(SessionController *c, View *view, const QString &name,
            void (View::*refresh)(const QString &))
{
    QObject::connect(c, &SessionController::dataLoaded, view,
                     [view, refresh] { (view->*refresh)({}); });
    QObject::connect(c, &SessionController::resultChanged, view,
                     [view, refresh, name](const QString &n) {
                         if (n == name)
                             (view->*refresh)({});
                     });
    QObject::connect(c, &SessionController::resultInvalidated, view,
                     [view, refresh, name](const QString &n, const QString &why) {
                         if (n == name)
                             (view->*refresh)(why);
                     });
}

QString percent(double v)
{
    return std::isfinite(v) ? QString::number(100 * v, 'f', 1) : QStringLiteral("–");
}

/// Accuracy points (already × 100) with one decimal; "–" when unknown.
QString points(double v)
{
    if (!std::isfinite(v))
        return QStringLiteral("–");
    const double shown = std::round(v * 10) / 10;
    // never "-0.0"; a typographic minus like the rest of the window
    return QString::number(shown == 0 ? 0.0 : shown, 'f', 1)
        .replace(QLatin1Char('-'), QChar(0x2212));
}

/// "1 point", "0.5 points".
QString pointsPhrase(double v)
{
    return v == 1 ? QObject::tr("1 point") : QObject::tr("%1 points").arg(v);
}

} // namespace

// ---------------------------------------------------------------------------------------------

ProbeSummaryView::ProbeSummaryView(SessionController *controller, QWidget *parent)
    : QWidget(parent), m_controller(controller)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    m_options = wrappedLabel(this);
    m_options->setObjectName(QStringLiteral("probeOptions"));
    m_model = new EvaluationModel(this);
    m_table = new QTableView(this);
    m_table->setModel(m_model);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->setSelectionMode(QAbstractItemView::NoSelection);
    layout->addWidget(m_options);
    layout->addWidget(m_table, 1);
    follow(controller, this, QStringLiteral("probe"), &ProbeSummaryView::refresh);
    refresh();
}

QString ProbeSummaryView::optionsText() const
{
    return m_options->text();
}

void ProbeSummaryView::refresh(const QString &invalidated)
{
    const ProbeReport *p = m_controller->probe();
    m_model->setReport(p);
    m_table->setVisible(p != nullptr);
    if (!p) {
        m_options->setText(invalidated.isEmpty()
                               ? tr("No probe yet: Run › Train probe.")
                               : tr("The probe was removed: %1").arg(invalidated));
        return;
    }
    const ProbeOptions &o = p->options;
    m_options->setText(tr("Probe on %1 neurons (%2 layers × %3) · λ1 = %4, λ2 = %5 · %6 epochs, "
                          "batch %7, learning rate %8, seed %9%10")
                           .arg(p->layout.columns())
                           .arg(p->layout.layerIds.size())
                           .arg(p->layout.dims)
                           .arg(o.l1)
                           .arg(o.l2)
                           .arg(o.epochs)
                           .arg(o.batchSize)
                           .arg(o.learningRate)
                           .arg(o.seed)
                           .arg(o.standardize ? tr(" · standardised") : QString()));
}

// ---------------------------------------------------------------------------------------------

GridSearchView::GridSearchView(SessionController *controller, QWidget *parent)
    : QWidget(parent), m_controller(controller)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    m_canvas = new GridSearchCanvas(this);
    m_summary = wrappedLabel(this);
    m_summary->setObjectName(QStringLiteral("gridSummary"));
    m_cost = wrappedLabel(this);
    m_cost->setObjectName(QStringLiteral("gridCost"));
    m_apply = new QPushButton(tr("Use the selected cell's λ for the next probes"), this);
    m_apply->setObjectName(QStringLiteral("gridApply"));
    m_apply->setToolTip(tr("Copies λ1 and λ2 of the selected cell (the winner unless you click "
                           "another) into the probe settings. Train the probe again to use them."));
    layout->addWidget(m_summary);
    layout->addWidget(m_canvas, 1);
    layout->addWidget(m_cost);
    auto *bar = new QHBoxLayout;
    bar->addStretch();
    bar->addWidget(m_apply);
    layout->addLayout(bar);
    connect(m_apply, &QPushButton::clicked, this, [this] {
        const GridSearchReport *g = m_controller->gridSearch();
        const int cell = m_canvas->selectedCell();
        if (!g || cell < 0 || cell >= int(g->result.cells.size()))
            return;
        const GridCell &c = g->result.cells[size_t(cell)];
        Q_EMIT applyRequested(c.l1, c.l2);
    });
    connect(m_canvas, &GridSearchCanvas::cellSelected, this, [this] { m_apply->setEnabled(true); });
    follow(controller, this, QStringLiteral("grid-search"), &GridSearchView::refresh);
    refresh();
}

QString GridSearchView::summaryText() const
{
    return m_summary->text();
}

void GridSearchView::refresh(const QString &invalidated)
{
    const GridSearchReport *g = m_controller->gridSearch();
    m_apply->setEnabled(g && g->hasWinner());
    m_cost->clear();
    m_cost->setVisible(false);
    if (!g) {
        m_canvas->clear();
        const QString howTo =
            m_controller->task()
                ? tr("Run a grid search (Run › Grid search (λ1 × λ2)) to score every λ1, λ2 "
                     "pair by accuracy against top / random / bottom ablations and choose the "
                     "probe's regularisation.")
                : tr("Load data (File › Open data files, or the built-in demo), then run a grid "
                     "search to choose the probe's λ1 and λ2.");
        m_canvas->setEmptyText(howTo);
        m_summary->setText(invalidated.isEmpty()
                               ? QString()
                               : tr("The grid search was removed: %1").arg(invalidated));
        m_summary->setVisible(!invalidated.isEmpty());
        return;
    }
    m_canvas->setEmptyText({});
    m_summary->setVisible(true);
    m_canvas->setResult(g->result);
    m_canvas->setSplitName(g->split);
    m_canvas->selectCell(g->result.best);
    const GridCell *w = g->result.winner();
    if (!w) {
        m_summary->setText(tr("No cell finished."));
        return;
    }
    // Core's numbers only: the rule, the cost against the most accurate cell and against λ = 0,
    // the majority baseline and core's warnings.
    const GridSearchResult &r = g->result;
    const QString rule =
        r.selection == GridSelection::Guarded
            ? tr("the guarded rule (best score among cells within %1 of the most accurate)")
                  .arg(pointsPhrase(r.accuracyTolerance))
            : tr("the paper's rule (best score over all cells)");
    const QString zero =
        !std::isfinite(r.costVsZero()) ? tr("– (no λ = 0 reference)")
        : r.zeroCell >= 0
            ? tr("%1 against λ = 0 (grid cell)").arg(points(r.costVsZero()))
            : tr("%1 against λ = 0 (extra reference probe)").arg(points(r.costVsZero()));
    const QString better = r.costVsZero() < -0.05
                               ? tr(" (negative: the chosen cell is more accurate than λ = 0)")
                               : QString();
    m_summary->setText(tr("Chosen by %1, score %2: λ1 = %3, λ2 = %4 (score %5, A_full %6 %, "
                          "macro-F1 %7 on %8). Majority baseline %9 % (%10).")
                           .arg(rule, r.formula)
                           .arg(w->l1)
                           .arg(w->l2)
                           .arg(w->score, 0, 'f', 3)
                           .arg(percent(w->full), percent(w->macroF1), g->split,
                                percent(r.baseline.accuracy), r.baseline.label));
    m_cost->setText(
        tr("Cost: %1 points against the most accurate cell, %2.")
            .arg(points(r.costVsBest()), zero + better)
        + (r.warnings.isEmpty()
               ? QString()
               : QLatin1Char('\n') + tr("Warning: %1").arg(r.warnings.join(tr("\nWarning: ")))));
    m_cost->setStyleSheet(
        r.warnings.isEmpty() ? QString() : QStringLiteral("color: #b00020; font-weight: bold;"));
    m_cost->setVisible(true);
}

QString GridSearchView::costText() const
{
    return m_cost->text();
}

// ---------------------------------------------------------------------------------------------

LayerwiseView::LayerwiseView(SessionController *controller, QWidget *parent)
    : QWidget(parent), m_controller(controller)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    m_summary = wrappedLabel(this);
    m_summary->setObjectName(QStringLiteral("layerwiseSummary"));
    m_canvas = new LayerwiseCanvas(this);
    layout->addWidget(m_summary);
    layout->addWidget(m_canvas, 1);
    follow(controller, this, QStringLiteral("layerwise"), &LayerwiseView::refresh);
    refresh();
}

QString LayerwiseView::summaryText() const
{
    return m_summary->text();
}

void LayerwiseView::refresh(const QString &invalidated)
{
    const LayerwiseReport *l = m_controller->layerwise();
    if (!l) {
        m_canvas->clear();
        m_canvas->setEmptyText(
            m_controller->task()
                ? tr("Run Layer-wise probes (Run view) to train one probe per layer and on "
                     "layers 0..l, and see where the property becomes decodable.")
                : tr("Load data (File › Open data files, or the built-in demo), then run "
                     "Layer-wise probes to see which layers encode the property."));
        m_summary->setText(invalidated.isEmpty()
                               ? QString()
                               : tr("The layer-wise probes were removed: %1").arg(invalidated));
        m_summary->setVisible(!invalidated.isEmpty());
        return;
    }
    m_canvas->setEmptyText({});
    m_summary->setVisible(true);
    const LayerwiseResult &r = l->result;
    m_canvas->setBaseline(r.selectionBaseline.accuracy);
    m_canvas->setResult(r);
    const int best = r.bestIndependent >= 0 ? r.independent[size_t(r.bestIndependent)].layer : -1;
    QStringList lines;
    if (r.seeds > 1) {
        const LayerScore *b = best >= 0 ? &r.independent[size_t(r.bestIndependent)] : nullptr;
        lines
            << tr("All layers: %1 % on %2 (mean over %3 seeds). Best single layer (on the mean "
                  "over %3 seeds): %4, %5. LayerSelector (δ = %6 %, on the means): layers up "
                  "to %7 reach %8 %.")
                   .arg(percent(r.fullDev), l->split)
                   .arg(r.seeds)
                   .arg(best)
                   .arg(b ? tr("accuracy %1 (%2 seeds)").arg(b->devSeeds.text(3)).arg(b->devSeeds.n)
                          : QStringLiteral("–"))
                   .arg(l->options.deltaPercent)
                   .arg(r.selectedLayer)
                   .arg(percent(r.threshold));
    } else {
        lines << tr("All layers: %1 % on %2. Best single layer: %3. LayerSelector (δ = %4 %): "
                    "layers up to %5 reach %6 %.")
                     .arg(percent(r.fullDev), l->split)
                     .arg(best)
                     .arg(l->options.deltaPercent)
                     .arg(r.selectedLayer)
                     .arg(percent(r.threshold));
    }
    const auto baseline = [](const MajorityBaseline &m) {
        return tr("%1 % (macro-F1 %2, always \u201c%3\u201d)")
            .arg(percent(m.accuracy))
            .arg(m.macroF1, 0, 'f', 3)
            .arg(m.label);
    };
    if (std::isfinite(r.selectionBaseline.accuracy)) {
        QString b = tr("Majority baseline on %1: %2").arg(l->split, baseline(r.selectionBaseline));
        if (std::isfinite(r.testBaseline.accuracy))
            b += tr("; on test: %1").arg(baseline(r.testBaseline));
        lines << b + QLatin1Char('.');
    }
    m_summary->setText(lines.join(QLatin1Char('\n')));
}

} // namespace salient::ui
