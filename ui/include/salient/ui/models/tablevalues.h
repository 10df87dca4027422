#pragma once
// What Salient's table models share: the item-data roles the views read, the display format of a
// number, and the proxy that sorts by the number behind a cell.
#include <QSortFilterProxyModel>
#include <QString>

namespace salient::ui {

/// Item-data roles of Salient's table models (besides Qt::DisplayRole's formatted text).
enum TableRole {
    /// The value behind a cell: a double for numbers (NaN = unknown / not available), the text
    /// for text columns. Sorting, bars and exports read this, never the display text.
    ValueRole = Qt::UserRole,
    /// double > 0: the view draws a signed bar of ValueRole / scale behind the number (absent or
    /// 0 = no bar).
    BarScaleRole = Qt::UserRole + 1,
};

/// @p v as a cell shows it: @p digits significant digits, U+2212 for the minus sign, an em dash
/// for a non-finite value. Pure.
QString displayNumber(double v, int digits = 4);

/**
 * A QSortFilterProxyModel that sorts by ValueRole: numbers numerically with unknown (NaN) values
 * first ascending (last when sorted descending), text locale-aware. GUI thread only.
 */
class ValueSortProxyModel : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit ValueSortProxyModel(QObject *parent = nullptr);

protected:
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;
};

} // namespace salient::ui
