#include "salient/ui/plotting/colormaps.h"

#include <qcustomplot.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <span>

namespace salient::ui {

namespace {

// Stop tables, evenly spaced from 0 to 1. Values are the published colours of each map
// (viridis / cividis as sampled by viridisLite at 13 and 10 points, ColorBrewer 11-class
// diverging schemes).
constexpr std::array<QRgb, 13> kViridis{
    0x440154, 0x481f70, 0x443a83, 0x3b528b, 0x31688e, 0x287c8e, 0x21908c,
    0x20a486, 0x35b779, 0x5dc863, 0x8fd744, 0xc7e020, 0xfde725,
};
constexpr std::array<QRgb, 10> kCividis{
    0x00204d, 0x00336f, 0x39486b, 0x575c6d, 0x707173,
    0x8a8779, 0xa69d75, 0xc4b56c, 0xe4cf5b, 0xffea46,
};
// RdBu reversed: low values blue, high values red.
constexpr std::array<QRgb, 11> kRdBu{
    0x053061, 0x2166ac, 0x4393c3, 0x92c5de, 0xd1e5f0, 0xf7f7f7,
    0xfddbc7, 0xf4a582, 0xd6604d, 0xb2182b, 0x67001f,
};
constexpr std::array<QRgb, 11> kPuOr{
    0x7f3b08, 0xb35806, 0xe08214, 0xfdb863, 0xfee0b6, 0xf7f7f7,
    0xd8daeb, 0xb2abd2, 0x8073ac, 0x542788, 0x2d004b,
};

std::span<const QRgb> stops(ColourMap map)
{
    switch (map) {
    case ColourMap::Viridis:
        return kViridis;
    case ColourMap::Cividis:
        return kCividis;
    case ColourMap::RdBu:
        return kRdBu;
    case ColourMap::PuOr:
        return kPuOr;
    }
    return kViridis;
}

} // namespace

QString colourMapName(ColourMap map)
{
    switch (map) {
    case ColourMap::Viridis:
        return QStringLiteral("viridis");
    case ColourMap::Cividis:
        return QStringLiteral("cividis");
    case ColourMap::RdBu:
        return QStringLiteral("rdbu");
    case ColourMap::PuOr:
        return QStringLiteral("puor");
    }
    return QStringLiteral("viridis");
}

ColourMap colourMapFromName(const QString &name, ColourMap fallback)
{
    const QString n = name.trimmed().toLower();
    for (ColourMap m : {ColourMap::Viridis, ColourMap::Cividis, ColourMap::RdBu, ColourMap::PuOr})
        if (colourMapName(m) == n)
            return m;
    return fallback;
}

QStringList colourMapNames()
{
    return {colourMapName(ColourMap::Viridis), colourMapName(ColourMap::Cividis),
            colourMapName(ColourMap::RdBu), colourMapName(ColourMap::PuOr)};
}

bool isDiverging(ColourMap map)
{
    return map == ColourMap::RdBu || map == ColourMap::PuOr;
}

QCPColorGradient colourGradient(ColourMap map, const QColor &nanColour)
{
    QCPColorGradient g;
    g.clearColorStops();
    const std::span<const QRgb> s = stops(map);
    QMap<double, QColor> m;
    for (std::size_t i = 0; i < s.size(); ++i)
        m.insert(double(i) / double(s.size() - 1), QColor::fromRgb(s[i]));
    g.setColorStops(m);
    g.setColorInterpolation(QCPColorGradient::ciRGB);
    g.setLevelCount(350);
    if (nanColour.alpha() == 0) {
        g.setNanHandling(QCPColorGradient::nhTransparent);
    } else {
        g.setNanHandling(QCPColorGradient::nhNanColor);
        g.setNanColor(nanColour);
    }
    return g;
}

QColor colourAt(ColourMap map, double t)
{
    const std::span<const QRgb> s = stops(map);
    t = std::clamp(std::isnan(t) ? 0.0 : t, 0.0, 1.0);
    const double pos = t * double(s.size() - 1);
    const std::size_t i = std::min(std::size_t(pos), s.size() - 2);
    const double f = pos - double(i);
    const QColor a = QColor::fromRgb(s[i]), b = QColor::fromRgb(s[i + 1]);
    return QColor::fromRgbF(float(a.redF() + f * (b.redF() - a.redF())),
                            float(a.greenF() + f * (b.greenF() - a.greenF())),
                            float(a.blueF() + f * (b.blueF() - a.blueF())));
}

} // namespace salient::ui
