#pragma once
// File › Export report…: one folder with every figure, every result and the session that
// replays them, written from what the window shows (the controller's typed results and the
// views that render them).
#include "salient/ui/export/figureexport.h"
#include "salient/ui/jobs/jobrunner.h"

#include <QString>

namespace salient::ui {

class CompareDock;
class CurvesView;
class GridSearchView;
class InterventionView;
class LayerBarsCanvas;
class LayerwiseView;
class NeuronInspector;
class SalienceView;
class SessionController;
class TrainingCurveCanvas;
class WordActivationView;

/// What a report is made of; every pointer must be valid (views may be empty).
struct ReportSources {
    const SessionController *controller = nullptr;
    QString title; ///< the window title (names the data)
    SalienceView *salience = nullptr;
    LayerBarsCanvas *layers = nullptr;
    CurvesView *curves = nullptr;
    GridSearchView *grid = nullptr;
    LayerwiseView *layerwise = nullptr;
    TrainingCurveCanvas *training = nullptr;
    WordActivationView *words = nullptr;
    NeuronInspector *inspector = nullptr;
    CompareDock *compare = nullptr;
    InterventionView *intervention = nullptr; ///< may be null (no intervention figures)
    QString dataReport;                       ///< the Data dock's validation report
    /// Size, font and PNG DPI of every figure (the same exporter as File › Export view…);
    /// default: the double-column preset at 300 DPI.
    FigureOptions figures = FigureOptions::forPreset(FigurePreset::DoubleColumn);
};

/**
 * Starts writing the report folder @p dir as a background job of @p runner (Interactive lane,
 * shown in the Jobs dock with progress; cancel leaves nothing behind):
 * - results/NAME.json and results/NAME.FILE.csv: every result the window shows, exactly as core
 *   serialises it (the same files `salient-cli run session.json` writes, number for number);
 * - figures/: every non-empty view as PDF, SVG and PNG at sources.figures (writeFigure: final
 *   size, text in points, fonts embedded, no JPEG), the inspector's tables included; tables/: the
 *   views' data (CSV + JSON), the inspector's neuron (from core's summary and profile), the data
 *   report and the neuron notes;
 * - session.json (+ arrays): replays every result with the probe options it was computed with;
 * - params.json and index.html, which label every result with its own λ1, λ2 and seed.
 *
 * Threads: this call (GUI thread) checks @p dir and snapshots the data (results, tables, the
 * session) at once. The views' figures draw widgets (QCustomPlot), so they are recorded on the
 * GUI thread one figure per event-loop turn (recordFigure: drawing calls only); the job encodes
 * them (PDF, SVG, PNG) and writes every file on its worker. The folder is assembled under a
 * hidden sibling name and renamed at the end, so a failure or cancel leaves nothing behind; an
 * existing @p dir must be empty or an earlier report (replaced only at the end).
 *
 * @return the job id; −1 and a readable @p error when nothing can be reported or @p dir cannot
 * hold a report. @p onDone gets Ok with the folder's path, Cancelled, or Failed with the reason.
 */
int startReportJob(JobRunner *runner, const ReportSources &sources, const QString &dir,
                   JobRunner::Done onDone, QString *error);

} // namespace salient::ui
