#pragma once
// File › Export report…: one folder with every figure, every result and the session that
// replays them, written from what the window shows (the controller's typed results and the
// views that render them).
#include "salient/ui/export/figureexport.h"

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
 * Writes the report folder @p dir:
 * - results/NAME.json and results/NAME.FILE.csv: every result the window shows, exactly as core
 *   serialises it (the same files `salient-cli run session.json` writes, number for number);
 * - figures/: every non-empty view as PDF, SVG and PNG at sources.figures (writeFigure: final
 *   size, text in points, fonts embedded, no JPEG), the inspector's tables included; tables/: the
 * views' data (CSV + JSON), the inspector's neuron (from core's summary and profile) and the data
 * report;
 * - session.json (+ arrays): replays every result with the probe options it was computed with;
 * - params.json and index.html, which label every result with its own λ1, λ2 and seed.
 * The folder is assembled under a temporary sibling name and renamed at the end, so a failure
 * leaves nothing behind; an existing @p dir must be empty or an earlier report (replaced).
 * False with a readable message in @p error. GUI thread (renders the views' canvases).
 */
bool writeReport(const ReportSources &sources, const QString &dir, QString *error);

} // namespace salient::ui
