#include "salient/ui/models/tablevalues.h"

#include <cmath>
#include <limits>

namespace salient::ui {

QString displayNumber(double v, int digits)
{
    if (!std::isfinite(v))
        return QStringLiteral("\u2014");
    QString s = QString::number(v, 'g', digits);
    if (s.startsWith(QLatin1Char('-')))
        s.replace(0, 1, QChar(0x2212));
    return s;
}

ValueSortProxyModel::ValueSortProxyModel(QObject *parent) : QSortFilterProxyModel(parent)
{
    setSortRole(ValueRole);
}

bool ValueSortProxyModel::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    const QVariant a = left.data(sortRole());
    const QVariant b = right.data(sortRole());
    if (a.typeId() == QMetaType::QString || b.typeId() == QMetaType::QString)
        return a.toString().localeAwareCompare(b.toString()) < 0;
    const double inf = std::numeric_limits<double>::infinity();
    double x = a.toDouble(), y = b.toDouble();
    if (std::isnan(x))
        x = -inf;
    if (std::isnan(y))
        y = -inf;
    return x < y;
}

} // namespace salient::ui
