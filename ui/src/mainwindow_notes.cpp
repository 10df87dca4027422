// MainWindow, part 3: neuron notes (issue 12 item 8). The controller owns the notes (saved in the
// session); this file wires the Notes dock, the inspector's note row, the note editor and the
// heatmap tooltip to it.
#include "salient/ui/mainwindow.h"

#include "salient/ui/controller/sessioncontroller.h"
#include "salient/ui/plotting/salienceheatmapcanvas.h"
#include "salient/ui/views/neuroninspector.h"
#include "salient/ui/views/notesview.h"
#include "salient/ui/views/salienceview.h"

#include <QAction>
#include <QDockWidget>
#include <QStatusBar>

namespace salient::ui {

void MainWindow::setUpNotes()
{
    m_notesView = new NotesView(this);
    QDockWidget *dock =
        addView(tr("Notes"), QStringLiteral("notes"), m_notesView, Qt::BottomDockWidgetArea);
    // Tabbed with the inspector (its dock holds a scroll area around it), which stays in front.
    QDockWidget *inspectorDock = nullptr;
    for (QDockWidget *d : m_docks)
        if (d->objectName() == QLatin1String("inspector"))
            inspectorDock = d;
    if (inspectorDock) {
        tabifyDockWidget(inspectorDock, dock);
        inspectorDock->raise();
    }

    const auto refresh = [this] {
        m_notesView->setNotes(m_controller->notes());
        m_inspector->setNote(m_controller->note(m_inspector->summary().id));
    };
    connect(m_controller, &SessionController::notesChanged, this, [this, refresh] {
        refresh();
        autosave();
    });
    connect(this, &MainWindow::neuronProfileReady, this, refresh);

    connect(m_inspector, &NeuronInspector::noteEditRequested, this,
            [this] { editNote(m_inspector->summary().id); });
    connect(m_inspector, &NeuronInspector::noteRemoveRequested, this,
            [this] { m_controller->removeNote(m_inspector->summary().id); });
    connect(m_notesView, &NotesView::editRequested, this, [this](NeuronId id) { editNote(id); });
    connect(m_notesView, &NotesView::removeRequested, this,
            [this](NeuronId id) { m_controller->removeNote(id); });
    connect(m_notesView, &NotesView::neuronActivated, this, [this](NeuronId id) {
        const int column = m_controller->layout().column(id);
        if (column >= 0)
            m_controller->selectColumn(column);
        else
            statusBar()->showMessage(
                tr("%1 is not among the loaded neurons (load its layer to select it)")
                    .arg(neuronName(id)),
                8000);
    });

    // The heatmap's tooltip names the neuron's note.
    heatmap()->setNoteProvider([this](int column) {
        const NeuronNote *n = m_controller->note(m_controller->layout().neuron(column));
        if (!n)
            return QString();
        QString line = tr("note: %1").arg(n->label.isEmpty() ? tr("(no label)") : n->label);
        if (!n->tags.isEmpty())
            line += QStringLiteral(" [%1]").arg(n->tags.join(QStringLiteral(", ")));
        if (!n->text.isEmpty())
            line += QLatin1Char('\n') + n->text.left(300);
        return line;
    });

    auto *bookmark = new QAction(tr("Add or edit the selected neuron's note"), this);
    bookmark->setShortcut(QKeySequence(tr("Ctrl+B")));
    connect(bookmark, &QAction::triggered, this, [this] {
        if (!editNote(m_controller->selectedNeuron()))
            statusBar()->showMessage(tr("Select a neuron first (heatmap or ranking)."), 5000);
    });
    addAction(bookmark);
    refresh();
}

NoteDialog *MainWindow::editNote(NeuronId id)
{
    if (!id.isValid())
        return nullptr;
    if (NoteDialog *old = pendingNoteDialog())
        old->close();
    NeuronNote note;
    note.neuron = id;
    if (const NeuronNote *existing = m_controller->note(id))
        note = *existing;
    auto *dialog = new NoteDialog(note, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        if (m_controller->setNote(dialog->note()))
            statusBar()->showMessage(tr("Note saved on %1 (saved with the session)")
                                         .arg(neuronName(dialog->note().neuron)),
                                     5000);
    });
    m_noteDialog = dialog;
    if (m_interactive)
        dialog->open();
    return dialog;
}

NoteDialog *MainWindow::pendingNoteDialog() const
{
    return qobject_cast<NoteDialog *>(m_noteDialog.data());
}

} // namespace salient::ui
