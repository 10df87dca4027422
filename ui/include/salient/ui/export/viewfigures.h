#pragma once
// Every view as a Figure (figureexport.h): which widget is a view, what its figure shows and the
// caption that names the analysis it came from. GUI thread only.
#include "salient/ui/export/figureexport.h"

class QWidget;

namespace salient::ui {

class CompareDock;
class NeuronInspector;
class SessionController;

/**
 * The exportable view that is @p widget or contains it: a SalienceView (its heatmap), a
 * CurvesView, GridSearchView or LayerwiseView (their canvas), a WordActivationView, a
 * NeuronInspector, a CompareDock or any other PlotCanvas (layer bars, training curve); nullptr
 * when none.
 */
QWidget *figureViewOf(QWidget *widget);

/**
 * The figure of @p view (one figureViewOf() returns) with its name, title and a caption from
 * @p controller (may be null): the data, the task and the probe options (λ1, λ2, seed) of the
 * result it shows. A view with nothing to show gives a Figure with an empty paint and a reason.
 */
Figure figureForView(QWidget *view, const SessionController *controller);

/// "Data: …; task: …; probe λ1 = …, λ2 = …, seed …" for the result @p resultName ("" = the probe
/// or the first result); "" before data is loaded.
QString analysisCaption(const SessionController &controller, const QString &resultName = {});

/// The inspector's neuron as a figure: its summary line, the per-class table and the top-words
/// table (as sorted on screen) as vector tables.
Figure inspectorFigure(NeuronInspector *inspector);
/// The Compare dock's figure: the layer distributions of A and B above, the two curves below.
Figure compareFigure(CompareDock *compare);

} // namespace salient::ui
