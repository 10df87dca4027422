#include "salient/util/stats.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace salient {

SeedSummary summarizeSeeds(const std::vector<double> &values)
{
    const double nan = std::numeric_limits<double>::quiet_NaN();
    std::vector<double> v;
    for (double x : values)
        if (std::isfinite(x))
            v.push_back(x);
    SeedSummary s;
    s.n = int(v.size());
    if (v.empty()) {
        s.mean = s.sd = s.median = s.min = s.max = nan;
        return s;
    }
    std::sort(v.begin(), v.end());
    double sum = 0;
    for (double x : v)
        sum += x;
    s.mean = sum / double(v.size());
    double ss = 0;
    for (double x : v)
        ss += (x - s.mean) * (x - s.mean);
    s.sd = v.size() > 1 ? std::sqrt(ss / double(v.size() - 1)) : nan;
    const std::size_t h = v.size() / 2;
    s.median = v.size() % 2 ? v[h] : 0.5 * (v[h - 1] + v[h]);
    s.min = v.front();
    s.max = v.back();
    return s;
}

QString SeedSummary::text(int decimals) const
{
    if (n == 0)
        return QStringLiteral("—");
    if (!std::isfinite(sd))
        return QString::number(mean, 'f', decimals);
    return QStringLiteral("%1 ± %2").arg(mean, 0, 'f', decimals).arg(sd, 0, 'f', decimals);
}

} // namespace salient
