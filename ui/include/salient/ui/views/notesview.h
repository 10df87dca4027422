#pragma once
// The Notes view (issue 12 item 8): the session's bookmarks and annotations on neurons, listed,
// searchable by text and tag; and the dialog that edits one note. Neither holds state of its
// own: the SessionController owns the notes, MainWindow wires the signals.
#include "salient/session/notes.h"

#include <QDialog>
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTableView;

namespace salient::ui {

class NotesFilterModel;
class NotesModel;

/**
 * A table of notes (NotesModel) behind a filter (NotesFilterModel): a search field (every word
 * must occur in the label, note, tags or neuron name) and a tag chooser ("All tags" or one).
 * Double-click or Enter on a row emits neuronActivated; Edit… and Remove act on the current row.
 * When there are no notes a hint says how to add one. GUI thread only.
 */
class NotesView : public QWidget {
    Q_OBJECT
public:
    explicit NotesView(QWidget *parent = nullptr);

    /// Shows @p notes (copied); keeps the search text, the tag when it still exists, and the
    /// current row's neuron when it still has a note.
    void setNotes(const NeuronNotes &notes);

    QLineEdit *searchField() const { return m_search; }
    /// Item 0 is "All tags" (no filter); the others are the tags in use.
    QComboBox *tagChooser() const { return m_tag; }
    QTableView *table() const { return m_table; }
    const NotesModel *model() const { return m_model; }
    /// Rows shown after filtering.
    int shownCount() const;
    /// The NeuronId of shown row @p row (invalid when out of range).
    NeuronId neuronAt(int row) const;
    /// The hint shown when there are no notes (hidden otherwise).
    QLabel *emptyHint() const { return m_empty; }

Q_SIGNALS:
    /// A row was activated (double-click, Enter): select this neuron.
    void neuronActivated(salient::NeuronId id);
    void editRequested(salient::NeuronId id);
    void removeRequested(salient::NeuronId id);

private:
    NeuronId currentNeuron() const;
    void updateButtons();

    NotesModel *m_model = nullptr;
    NotesFilterModel *m_filter = nullptr;
    QLineEdit *m_search = nullptr;
    QComboBox *m_tag = nullptr;
    QTableView *m_table = nullptr;
    QLabel *m_empty = nullptr;
    QPushButton *m_edit = nullptr;
    QPushButton *m_remove = nullptr;
};

/**
 * Edits one note: short label, tags (comma-separated), free note (several lines) and source
 * (human/auto). The neuron is fixed (named in the title). note() returns the edited note with
 * normalised tags. GUI thread only.
 */
class NoteDialog : public QDialog {
    Q_OBJECT
public:
    explicit NoteDialog(const NeuronNote &note, QWidget *parent = nullptr);
    NeuronNote note() const;

    QLineEdit *labelField() const { return m_label; }
    QLineEdit *tagsField() const { return m_tags; }
    QPlainTextEdit *textField() const { return m_text; }
    QComboBox *sourceChooser() const { return m_source; }

private:
    NeuronNote m_note;
    QLineEdit *m_label = nullptr;
    QLineEdit *m_tags = nullptr;
    QPlainTextEdit *m_text = nullptr;
    QComboBox *m_source = nullptr;
};

} // namespace salient::ui
