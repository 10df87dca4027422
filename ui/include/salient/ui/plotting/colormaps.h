#pragma once
// Colour-blind-safe colour maps for the plotting canvases. QCustomPlot 2.1 ships no perceptually
// uniform presets, so Salient defines its own gradients from the published stop values.
#include <QColor>
#include <QString>
#include <QStringList>

class QCPColorGradient;

namespace salient::ui {

/// The colour maps a canvas offers. Sequential maps go from low (dark) to high (bright), except
/// greys, which goes from white (low) to black (high) as printed figures expect.
enum class ColourMap {
    Viridis, ///< sequential, perceptually uniform (matplotlib's default since 2.0)
    Cividis, ///< sequential, optimised for deuteranopia/protanopia (Nuñez et al. 2018)
    RdBu,    ///< diverging blue – white – red (ColorBrewer RdBu, reversed so low = blue)
    PuOr,    ///< diverging orange – white – purple (ColorBrewer PuOr)
    Magma,   ///< sequential, perceptually uniform, black – purple – light yellow (matplotlib)
    Greys,   ///< sequential white – black (ColorBrewer Greys), for greyscale print
};

/// Stable lower-case name of @p map ("viridis", "cividis", "rdbu", "puor", "magma", "greys"),
/// for settings and CLI.
QString colourMapName(ColourMap map);
/// Parses colourMapName(); returns @p fallback for an unknown name.
ColourMap colourMapFromName(const QString &name, ColourMap fallback = ColourMap::Viridis);
/// All names: the sequential maps first (viridis, cividis, magma, greys), then the diverging ones.
QStringList colourMapNames();
/// True for the diverging maps (their midpoint is meant for the value 0).
bool isDiverging(ColourMap map);

/**
 * The gradient of @p map: RGB interpolation between the published stops, 350 levels, NaN drawn
 * in @p nanColour (default: defaultNanColour(map), distinct from the map's colours).
 * @param map which map
 * @param nanColour colour of NaN cells; pass Qt::transparent to show the background instead
 */
QCPColorGradient colourGradient(ColourMap map, const QColor &nanColour = QColor());

/// The colour of NaN cells (neurons a probe did not use) for @p map: a light grey, or a pale
/// rose for greys (where a grey would read as a value).
QColor defaultNanColour(ColourMap map);

/// Colour of @p map at @p t in [0, 1] (clamped), for legends and item colours outside QCustomPlot.
QColor colourAt(ColourMap map, double t);

} // namespace salient::ui
