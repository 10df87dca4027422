#pragma once
// Item model of the Notes view: the session's notes on neurons (core's NeuronNotes), and the
// proxy that filters them by text and tag with core's noteMatches.
#include "salient/session/notes.h"

#include <QAbstractTableModel>
#include <QSortFilterProxyModel>

namespace salient::ui {

/**
 * One row per note in core's order (NeuronId: layer, then unit). Columns: Neuron ("L3:17"),
 * Label, Tags (comma-separated), Source ("human"/"auto"), Note (first line), Modified.
 * Qt::DisplayRole: text; Qt::ToolTipRole on every cell: the whole note; ValueRole
 * (tablevalues.h) on Neuron: layer · 1e6 + unit (sorts numerically); NeuronRole: the row's
 * NeuronId as QPoint(layer, unit). GUI thread only.
 */
class NotesModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Neuron, Label, Tags, Source, Note, Modified, ColumnCount };
    /// The row's NeuronId as QPoint(layer, unit).
    static constexpr int NeuronRole = Qt::UserRole + 10;

    using QAbstractTableModel::QAbstractTableModel;

    /// Shows @p notes (copied).
    void setNotes(const NeuronNotes &notes);
    const NeuronNotes &notes() const { return m_notes; }
    /// The note of row @p row, null when out of range.
    const NeuronNote *noteAt(int row) const;
    /// Row of the note on @p id, −1 when none.
    int rowOf(NeuronId id) const;
    /// All tags used, sorted case-insensitively, without duplicates.
    QStringList tags() const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    NeuronNotes m_notes;
};

/// Filters a NotesModel with salient::noteMatches (text: every word; tag: exact, any case);
/// sorts by ValueRole like ValueSortProxyModel. GUI thread only.
class NotesFilterModel : public QSortFilterProxyModel {
    Q_OBJECT
public:
    using QSortFilterProxyModel::QSortFilterProxyModel;
    void setText(const QString &text);
    void setTag(const QString &tag);
    QString text() const { return m_text; }
    QString tag() const { return m_tag; }

protected:
    bool filterAcceptsRow(int row, const QModelIndex &parent) const override;
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;

private:
    QString m_text;
    QString m_tag;
};

} // namespace salient::ui
