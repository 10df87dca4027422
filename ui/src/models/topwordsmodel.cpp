#include "salient/ui/models/topwordsmodel.h"

#include "salient/ui/models/tablevalues.h"
#include "salient/util/csv.h"

#include <QJsonObject>
#include <algorithm>
#include <cmath>

namespace salient::ui {

namespace {

QJsonValue jsonNumber(double v)
{
    return std::isfinite(v) ? QJsonValue(v) : QJsonValue(QJsonValue::Null);
}

} // namespace

void TopWordsModel::setWords(const std::vector<TopWord> &words)
{
    beginResetModel();
    m_words = words;
    m_maxAbsMean = 0;
    for (const TopWord &w : m_words)
        if (std::isfinite(w.meanActivation))
            m_maxAbsMean = std::max(m_maxAbsMean, std::abs(w.meanActivation));
    endResetModel();
}

void TopWordsModel::clear()
{
    setWords({});
}

int TopWordsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_words.size());
}

int TopWordsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant TopWordsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= int(m_words.size()) || index.column() >= ColumnCount)
        return {};
    const TopWord &w = m_words[size_t(index.row())];
    const int column = index.column();
    if (column == Word)
        return role == Qt::DisplayRole || role == ValueRole ? QVariant(w.word) : QVariant();
    double v = 0;
    switch (column) {
    case Order:
        v = double(index.row() + 1);
        break;
    case Score:
        v = w.score;
        break;
    case MeanActivation:
        v = w.meanActivation;
        break;
    default: // Count
        v = double(w.count);
        break;
    }
    switch (role) {
    case ValueRole:
        return v;
    case Qt::DisplayRole:
        if (column == Order || column == Count)
            return QString::number(qint64(v));
        return displayNumber(v, column == Score ? 3 : 4);
    case Qt::TextAlignmentRole:
        return int(Qt::AlignRight | Qt::AlignVCenter);
    case BarScaleRole:
        return column == MeanActivation ? QVariant(m_maxAbsMean) : QVariant();
    default:
        return {};
    }
}

QVariant TopWordsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return {};
    if (role == Qt::DisplayRole) {
        const QString names[] = {tr("#"), tr("Word"), tr("Score"), tr("Mean activation"),
                                 tr("Count")};
        return names[section];
    }
    if (role == Qt::ToolTipRole) {
        const QString tips[] = {tr("Order by score (core's order)"), tr("Word type"),
                                tr("Mean |z| of the type divided by the maximum type score"),
                                tr("Signed mean activation of the type"), tr("Tokens of the type")};
        return tips[section];
    }
    return {};
}

QByteArray TopWordsModel::toCsv() const
{
    QByteArray csv =
        csvLine({QStringLiteral("word"), QStringLiteral("score"), QStringLiteral("mean_abs_z"),
                 QStringLiteral("mean_activation"), QStringLiteral("count")});
    for (const TopWord &w : m_words)
        csv += csvLine({w.word, csvNumber(w.score), csvNumber(w.meanAbsZ),
                        csvNumber(w.meanActivation), QString::number(w.count)});
    return csv;
}

QJsonArray TopWordsModel::toJson() const
{
    QJsonArray rows;
    for (const TopWord &w : m_words) {
        QJsonObject o;
        o[QStringLiteral("word")] = w.word;
        o[QStringLiteral("score")] = jsonNumber(w.score);
        o[QStringLiteral("mean_abs_z")] = jsonNumber(w.meanAbsZ);
        o[QStringLiteral("mean_activation")] = jsonNumber(w.meanActivation);
        o[QStringLiteral("count")] = double(w.count);
        rows.append(o);
    }
    return rows;
}

} // namespace salient::ui
