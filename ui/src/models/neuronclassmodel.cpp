#include "salient/ui/models/neuronclassmodel.h"

#include "salient/ui/models/tablevalues.h"
#include "salient/util/csv.h"

#include <QJsonObject>
#include <algorithm>
#include <cmath>
#include <limits>

namespace salient::ui {

namespace {

QJsonValue jsonNumber(double v)
{
    return std::isfinite(v) ? QJsonValue(v) : QJsonValue(QJsonValue::Null);
}

} // namespace

void NeuronClassModel::setNeuron(const NeuronSummary &summary, const NeuronProfile &profile)
{
    beginResetModel();
    m_classes = summary.classes;
    m_labels = profile.labels;
    m_rows.clear();
    m_maxAbsWeight = 0;
    m_maxAbsMean = 0;
    auto statsOf = [this](const QString &name) {
        for (size_t i = 0; i < m_labels.size(); ++i)
            if (m_labels[i].name == name)
                return int(i);
        return -1;
    };
    for (size_t i = 0; i < m_classes.size(); ++i)
        m_rows.push_back({m_classes[i].name, int(i), statsOf(m_classes[i].name)});
    for (size_t i = 0; i < m_labels.size(); ++i) {
        const QString &name = m_labels[i].name;
        if (std::none_of(m_rows.begin(), m_rows.end(),
                         [&](const Row &r) { return r.name == name; }))
            m_rows.push_back({name, -1, int(i)});
    }
    for (const ClassWeight &c : m_classes)
        if (std::isfinite(c.absWeight))
            m_maxAbsWeight = std::max(m_maxAbsWeight, c.absWeight);
    for (const LabelActivation &l : m_labels)
        if (std::isfinite(l.mean))
            m_maxAbsMean = std::max(m_maxAbsMean, std::abs(l.mean));
    endResetModel();
}

void NeuronClassModel::clear()
{
    setNeuron({}, {});
}

QString NeuronClassModel::className(int row) const
{
    return row >= 0 && row < int(m_rows.size()) ? m_rows[size_t(row)].name : QString();
}

const ClassWeight *NeuronClassModel::classWeight(int row) const
{
    if (row < 0 || row >= int(m_rows.size()) || m_rows[size_t(row)].weight < 0)
        return nullptr;
    return &m_classes[size_t(m_rows[size_t(row)].weight)];
}

const LabelActivation *NeuronClassModel::labelActivation(int row) const
{
    if (row < 0 || row >= int(m_rows.size()) || m_rows[size_t(row)].stats < 0)
        return nullptr;
    return &m_labels[size_t(m_rows[size_t(row)].stats)];
}

double NeuronClassModel::value(const Row &row, int column) const
{
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const ClassWeight *w = row.weight >= 0 ? &m_classes[size_t(row.weight)] : nullptr;
    const LabelActivation *s = row.stats >= 0 ? &m_labels[size_t(row.stats)] : nullptr;
    switch (column) {
    case Weight:
        return w ? w->weight : nan;
    case AbsWeight:
        return w ? w->absWeight : nan;
    case Rank:
        return w && w->labelRank > 0 ? double(w->labelRank) : nan;
    case Tokens:
        return s ? double(s->count) : nan;
    case Mean:
        return s ? s->mean : nan;
    case Std:
        return s ? s->stddev : nan;
    default:
        return nan;
    }
}

int NeuronClassModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int NeuronClassModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant NeuronClassModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= int(m_rows.size()) || index.column() >= ColumnCount)
        return {};
    const Row &row = m_rows[size_t(index.row())];
    const int column = index.column();
    if (column == Class)
        return role == Qt::DisplayRole || role == ValueRole ? QVariant(row.name) : QVariant();
    const double v = column == Order ? double(index.row() + 1) : value(row, column);
    switch (role) {
    case ValueRole:
        return v;
    case Qt::DisplayRole:
        if (column == Order || column == Rank || column == Tokens)
            return std::isfinite(v) ? QString::number(qint64(v)) : displayNumber(v);
        return displayNumber(v);
    case Qt::TextAlignmentRole:
        return int(Qt::AlignRight | Qt::AlignVCenter);
    case BarScaleRole:
        if (column == Weight)
            return m_maxAbsWeight;
        if (column == Mean)
            return m_maxAbsMean;
        return {};
    default:
        return {};
    }
}

QVariant NeuronClassModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return {};
    if (role == Qt::DisplayRole) {
        const QString names[] = {tr("#"),    tr("Class"),  tr("Weight"), tr("|W|"),
                                 tr("Rank"), tr("Tokens"), tr("Mean"),   tr("Std")};
        return names[section];
    }
    if (role == Qt::ToolTipRole) {
        const QString tips[] = {tr("Order by |W| (core's order)"),
                                tr("Class (gold label)"),
                                tr("Probe weight of this neuron for the class"),
                                tr("Absolute probe weight"),
                                tr("Rank of this neuron for the class (1 = most salient)"),
                                tr("Tokens with this gold label"),
                                tr("Mean activation on tokens with this gold label"),
                                tr("Standard deviation of the activation on those tokens")};
        return tips[section];
    }
    return {};
}

QByteArray NeuronClassModel::toCsv() const
{
    QByteArray csv =
        csvLine({QStringLiteral("label"), QStringLiteral("weight"), QStringLiteral("abs_weight"),
                 QStringLiteral("label_rank"), QStringLiteral("tokens"), QStringLiteral("mean"),
                 QStringLiteral("std")});
    for (const Row &row : m_rows) {
        QStringList cells{row.name};
        if (row.weight >= 0) {
            const ClassWeight &w = m_classes[size_t(row.weight)];
            cells << csvNumber(w.weight) << csvNumber(w.absWeight) << QString::number(w.labelRank);
        } else {
            cells << QString() << QString() << QString();
        }
        if (row.stats >= 0) {
            const LabelActivation &s = m_labels[size_t(row.stats)];
            cells << QString::number(s.count) << csvNumber(s.mean) << csvNumber(s.stddev);
        } else {
            cells << QString() << QString() << QString();
        }
        csv += csvLine(cells);
    }
    return csv;
}

QJsonArray NeuronClassModel::toJson() const
{
    QJsonArray rows;
    for (const Row &row : m_rows) {
        QJsonObject o;
        o[QStringLiteral("label")] = row.name;
        if (row.weight >= 0) {
            const ClassWeight &w = m_classes[size_t(row.weight)];
            o[QStringLiteral("weight")] = jsonNumber(w.weight);
            o[QStringLiteral("abs_weight")] = jsonNumber(w.absWeight);
            o[QStringLiteral("label_rank")] = w.labelRank;
        }
        if (row.stats >= 0) {
            const LabelActivation &s = m_labels[size_t(row.stats)];
            o[QStringLiteral("tokens")] = double(s.count);
            o[QStringLiteral("mean")] = jsonNumber(s.mean);
            o[QStringLiteral("std")] = jsonNumber(s.stddev);
        }
        rows.append(o);
    }
    return rows;
}

} // namespace salient::ui
