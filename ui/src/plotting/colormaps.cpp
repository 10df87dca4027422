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

// magma as sampled by matplotlib at 0, 0.1, …, 1; ColorBrewer Greys (9 classes), white to black.
constexpr std::array<QRgb, 11> kMagma{
    0x000004, 0x140e36, 0x3b0f70, 0x641a80, 0x8c2981, 0xb73779,
    0xde4968, 0xf7705c, 0xfe9f6d, 0xfecf92, 0xfcfdbf,
};
constexpr std::array<QRgb, 9> kGreys{
    0xffffff, 0xf0f0f0, 0xd9d9d9, 0xbdbdbd, 0x969696, 0x737373, 0x525252, 0x252525, 0x000000,
};

constexpr std::array<ColourMap, 6> kAllMaps{ColourMap::Viridis, ColourMap::Cividis,
                                            ColourMap::Magma,   ColourMap::Greys,
                                            ColourMap::RdBu,    ColourMap::PuOr};

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
    case ColourMap::Magma:
        return kMagma;
    case ColourMap::Greys:
        return kGreys;
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
    case ColourMap::Magma:
        return QStringLiteral("magma");
    case ColourMap::Greys:
        return QStringLiteral("greys");
    }
    return QStringLiteral("viridis");
}

ColourMap colourMapFromName(const QString &name, ColourMap fallback)
{
    const QString n = name.trimmed().toLower();
    for (ColourMap m : kAllMaps)
        if (colourMapName(m) == n)
            return m;
    return fallback;
}

QStringList colourMapNames()
{
    QStringList names;
    for (ColourMap m : kAllMaps)
        names << colourMapName(m);
    return names;
}

bool isDiverging(ColourMap map)
{
    return map == ColourMap::RdBu || map == ColourMap::PuOr;
}

QColor defaultNanColour(ColourMap map)
{
    return map == ColourMap::Greys ? QColor(0xf4, 0xc7, 0xc3) : QColor(0xd4, 0xd4, 0xd4);
}

QCPColorGradient colourGradient(ColourMap map, const QColor &nanColourIn)
{
    const QColor nanColour = nanColourIn.isValid() ? nanColourIn : defaultNanColour(map);
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
