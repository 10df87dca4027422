#include "salient/ui/views/notesview.h"

#include "salient/ui/models/notesmodel.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPoint>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

namespace salient::ui {

NotesView::NotesView(QWidget *parent) : QWidget(parent)
{
    auto *lay = new QVBoxLayout(this);
    lay->setContentsMargins(6, 6, 6, 6);
    lay->setSpacing(4);

    m_search = new QLineEdit(this);
    m_search->setPlaceholderText(tr("Search notes (label, note, tags, L3:17)"));
    m_search->setClearButtonEnabled(true);
    m_tag = new QComboBox(this);
    m_tag->addItem(tr("All tags"));
    m_tag->setToolTip(tr("Show only notes with this tag"));
    auto *filterRow = new QHBoxLayout;
    filterRow->addWidget(m_search, 1);
    filterRow->addWidget(m_tag);
    lay->addLayout(filterRow);

    m_model = new NotesModel(this);
    m_filter = new NotesFilterModel(this);
    m_filter->setSourceModel(m_model);
    m_table = new QTableView(this);
    m_table->setModel(m_filter);
    m_table->verticalHeader()->setVisible(false);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(NotesModel::Neuron, Qt::AscendingOrder);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(NotesModel::Note, QHeaderView::Stretch);
    m_table->horizontalHeader()->setStretchLastSection(false);
    lay->addWidget(m_table, 1);

    m_empty = new QLabel(tr("No notes yet. Select a neuron (heatmap or ranking) and choose "
                            "\u201cAdd note\u2026\u201d in the neuron inspector to bookmark and "
                            "annotate it."),
                         this);
    m_empty->setWordWrap(true);
    m_empty->setObjectName(QStringLiteral("notesEmptyHint"));
    m_empty->setStyleSheet(QStringLiteral("color: palette(mid); font-style: italic;"));
    lay->addWidget(m_empty);

    m_edit = new QPushButton(tr("Edit\u2026"), this);
    m_remove = new QPushButton(tr("Remove"), this);
    auto *buttons = new QHBoxLayout;
    buttons->addStretch(1);
    buttons->addWidget(m_edit);
    buttons->addWidget(m_remove);
    lay->addLayout(buttons);

    connect(m_search, &QLineEdit::textChanged, m_filter, &NotesFilterModel::setText);
    connect(m_tag, &QComboBox::currentIndexChanged, this, [this](int i) {
        m_filter->setTag(i <= 0 ? QString() : m_tag->itemText(i));
        updateButtons();
    });
    connect(m_table, &QTableView::activated, this, [this](const QModelIndex &index) {
        const NeuronId id = neuronAt(index.row());
        if (id.isValid())
            Q_EMIT neuronActivated(id);
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &NotesView::updateButtons);
    connect(m_edit, &QPushButton::clicked, this, [this] {
        if (const NeuronId id = currentNeuron(); id.isValid())
            Q_EMIT editRequested(id);
    });
    connect(m_remove, &QPushButton::clicked, this, [this] {
        if (const NeuronId id = currentNeuron(); id.isValid())
            Q_EMIT removeRequested(id);
    });
    setNotes({});
}

void NotesView::setNotes(const NeuronNotes &notes)
{
    const NeuronId current = currentNeuron();
    const QString tag = m_tag->currentIndex() > 0 ? m_tag->currentText() : QString();
    m_model->setNotes(notes);
    {
        const QSignalBlocker block(m_tag);
        m_tag->clear();
        m_tag->addItem(tr("All tags"));
        m_tag->addItems(m_model->tags());
        const int i = tag.isEmpty() ? 0 : m_tag->findText(tag);
        m_tag->setCurrentIndex(i < 0 ? 0 : i);
        m_filter->setTag(m_tag->currentIndex() > 0 ? m_tag->currentText() : QString());
    }
    m_empty->setVisible(notes.isEmpty());
    if (current.isValid())
        for (int r = 0; r < shownCount(); ++r)
            if (neuronAt(r) == current)
                m_table->setCurrentIndex(m_filter->index(r, 0));
    updateButtons();
}

int NotesView::shownCount() const
{
    return m_filter->rowCount();
}

NeuronId NotesView::neuronAt(int row) const
{
    if (row < 0 || row >= m_filter->rowCount())
        return {};
    const QPoint p = m_filter->index(row, 0).data(NotesModel::NeuronRole).toPoint();
    return {p.x(), p.y()};
}

NeuronId NotesView::currentNeuron() const
{
    const QModelIndex i = m_table->currentIndex();
    return i.isValid() ? neuronAt(i.row()) : NeuronId{};
}

void NotesView::updateButtons()
{
    const bool any = currentNeuron().isValid();
    m_edit->setEnabled(any);
    m_remove->setEnabled(any);
}

NoteDialog::NoteDialog(const NeuronNote &note, QWidget *parent) : QDialog(parent), m_note(note)
{
    setWindowTitle(tr("Note on %1").arg(neuronName(note.neuron)));
    auto *form = new QFormLayout;
    m_label = new QLineEdit(note.label, this);
    m_label->setPlaceholderText(tr("e.g. plural nouns"));
    m_label->setMaxLength(200);
    m_tags = new QLineEdit(note.tags.join(QStringLiteral(", ")), this);
    m_tags->setPlaceholderText(tr("comma-separated, e.g. noun, number"));
    m_text = new QPlainTextEdit(note.text, this);
    m_text->setPlaceholderText(tr("What this neuron seems to do, evidence, open questions"));
    m_source = new QComboBox(this);
    m_source->addItem(tr("human (written by a person)"), noteSourceName(NoteSource::Human));
    m_source->addItem(tr("auto (written by a tool)"), noteSourceName(NoteSource::Auto));
    m_source->setCurrentIndex(note.source == NoteSource::Auto ? 1 : 0);
    form->addRow(tr("&Label:"), m_label);
    form->addRow(tr("&Tags:"), m_tags);
    form->addRow(tr("&Note:"), m_text);
    form->addRow(tr("&Source:"), m_source);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *lay = new QVBoxLayout(this);
    lay->addLayout(form, 1);
    lay->addWidget(buttons);
    resize(460, 320);
}

NeuronNote NoteDialog::note() const
{
    NeuronNote n = m_note;
    n.label = m_label->text().trimmed();
    n.tags = parseTags(m_tags->text());
    n.text = m_text->toPlainText();
    n.source = m_source->currentIndex() == 1 ? NoteSource::Auto : NoteSource::Human;
    return n;
}

} // namespace salient::ui
