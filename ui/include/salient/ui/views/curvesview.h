#pragma once
// View 5 (DESIGN.md §4): ablation and minimal-subset curves with the selectivity line, rendered
// from the controller's typed results; each part says when it is missing or out of date.
#include "salient/session/results.h"
#include "salient/ui/plotting/curvescanvas.h"

#include <QWidget>

class QLabel;

namespace salient::ui {

class SessionController;

/// The curves canvas's data from typed results (either may be null). @p any: whether any is set.
CurvesData curvesFrom(const AblationReport *ablation, const MinimalSubsetReport *subset,
                      bool *any = nullptr);

/// "Minimal subset: size median 12 (range 9–15) over 3 seeds; …; majority baseline (NN) 0.242 on
/// dev, 0.250 on test (macro-F1 0.027)." ("Minimal subset: 12 neurons (dev 0.951); …" for 1 seed).
QString minimalSubsetText(const MinimalSubsetReport &report);

/// One line per selectivity set: "all (384 neurons): task 0.883, control 0.603, selectivity 0.280".
QString selectivityText(const SelectivityReport &report);

/**
 * The curves canvas, a status line naming the probe options the curves were computed with, and
 * the selectivity text (wrapped). Listens to the controller: new data clear it, a new or
 * invalidated ablation / minimal-subset / selectivity result redraws it. Without curves the
 * canvas says which analysis draws them; without a selectivity result its line says how to get
 * one (selectivityHint()). GUI thread only.
 */
class CurvesView : public QWidget {
    Q_OBJECT
public:
    explicit CurvesView(SessionController *controller, QWidget *parent = nullptr);
    CurvesCanvas *canvas() const { return m_curves; }
    /// The status line and the selectivity text as shown.
    QString statusText() const;
    /// The selectivity result's text ("" without a selectivity result).
    QString selectivityLine() const;
    /// What the selectivity line says without a result ("" when there is one).
    QString selectivityHint() const;
    void refresh();

protected:
    /// A short view (under ~330 px, the 1366 × 768 default layout) shows two lines of text
    /// below the curves instead of five, so the plot keeps its height.
    void resizeEvent(QResizeEvent *event) override;

private:
    SessionController *m_controller;
    QWidget *m_texts = nullptr; ///< the scrolled box of the status and selectivity texts
    CurvesCanvas *m_curves = nullptr;
    QLabel *m_status = nullptr;
    QLabel *m_selectivity = nullptr;
    QString m_invalidated; ///< why results were dropped since the last refresh ("" = none)
    bool m_hasSelectivity = false;
};

} // namespace salient::ui
