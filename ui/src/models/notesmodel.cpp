#include "salient/ui/models/notesmodel.h"

#include "salient/ui/models/tablevalues.h"

#include <QPoint>
#include <algorithm>

namespace salient::ui {

namespace {

QString neuronText(NeuronId id)
{
    return QStringLiteral("L%1:%2").arg(id.layer).arg(id.unit);
}

QString firstLine(const QString &text)
{
    const qsizetype eol = text.indexOf(QLatin1Char('\n'));
    return eol < 0 ? text : text.left(eol) + QStringLiteral(" \u2026");
}

} // namespace

void NotesModel::setNotes(const NeuronNotes &notes)
{
    beginResetModel();
    m_notes = notes;
    endResetModel();
}

const NeuronNote *NotesModel::noteAt(int row) const
{
    return row >= 0 && row < m_notes.size() ? &m_notes.all()[std::size_t(row)] : nullptr;
}

int NotesModel::rowOf(NeuronId id) const
{
    const auto &all = m_notes.all();
    for (std::size_t i = 0; i < all.size(); ++i)
        if (all[i].neuron == id)
            return int(i);
    return -1;
}

QStringList NotesModel::tags() const
{
    QStringList out;
    for (const NeuronNote &n : m_notes.all())
        for (const QString &t : n.tags)
            if (std::none_of(out.begin(), out.end(), [&](const QString &o) {
                    return o.compare(t, Qt::CaseInsensitive) == 0;
                }))
                out << t;
    std::sort(out.begin(), out.end(), [](const QString &a, const QString &b) {
        return a.compare(b, Qt::CaseInsensitive) < 0;
    });
    return out;
}

int NotesModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_notes.size();
}

int NotesModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant NotesModel::data(const QModelIndex &index, int role) const
{
    const NeuronNote *n = index.isValid() ? noteAt(index.row()) : nullptr;
    if (!n || index.column() >= ColumnCount)
        return {};
    if (role == NeuronRole)
        return QPoint(n->neuron.layer, n->neuron.unit);
    if (role == Qt::ToolTipRole) {
        QString tip = QStringLiteral("<qt><b>%1</b>").arg(neuronName(n->neuron).toHtmlEscaped());
        if (!n->label.isEmpty())
            tip += QStringLiteral(" \u2014 ") + n->label.toHtmlEscaped();
        if (!n->tags.isEmpty())
            tip += QStringLiteral("<br/>")
                   + tr("tags: %1").arg(n->tags.join(QStringLiteral(", "))).toHtmlEscaped();
        tip += QStringLiteral("<br/>")
               + tr("source: %1").arg(noteSourceName(n->source)).toHtmlEscaped();
        if (!n->text.isEmpty())
            tip += QStringLiteral("<br/>")
                   + n->text.toHtmlEscaped().replace(QLatin1Char('\n'), QStringLiteral("<br/>"));
        return tip + QStringLiteral("</qt>");
    }
    if (role != Qt::DisplayRole && role != ValueRole)
        return {};
    switch (index.column()) {
    case Neuron:
        return role == ValueRole ? QVariant(double(n->neuron.layer) * 1e6 + n->neuron.unit)
                                 : QVariant(neuronText(n->neuron));
    case Label:
        return n->label;
    case Tags:
        return n->tags.join(QStringLiteral(", "));
    case Source:
        return noteSourceName(n->source);
    case Note:
        return role == ValueRole ? n->text : firstLine(n->text);
    default: // Modified
        return n->modified;
    }
}

QVariant NotesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return {};
    if (role == Qt::DisplayRole) {
        const QString names[] = {tr("Neuron"), tr("Label"), tr("Tags"),
                                 tr("Source"), tr("Note"),  tr("Modified (UTC)")};
        return names[section];
    }
    if (role == Qt::ToolTipRole && section == Neuron)
        return tr("Layer and unit of the model's neuron (double-click a row to select it)");
    return {};
}

void NotesFilterModel::setText(const QString &text)
{
    m_text = text;
    invalidateFilter();
}

void NotesFilterModel::setTag(const QString &tag)
{
    m_tag = tag;
    invalidateFilter();
}

bool NotesFilterModel::filterAcceptsRow(int row, const QModelIndex &parent) const
{
    const auto *m = qobject_cast<const NotesModel *>(sourceModel());
    if (parent.isValid() || !m)
        return true;
    const NeuronNote *n = m->noteAt(row);
    return n && noteMatches(*n, m_text, m_tag);
}

bool NotesFilterModel::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    const QVariant a = left.data(ValueRole), b = right.data(ValueRole);
    if (a.typeId() == QMetaType::Double && b.typeId() == QMetaType::Double)
        return a.toDouble() < b.toDouble();
    return a.toString().localeAwareCompare(b.toString()) < 0;
}

} // namespace salient::ui
