// MainWindow, part 2: the menus and drag and drop (the window itself, its docks and their
// wiring are in mainwindow.cpp).
#include "salient/ui/mainwindow.h"

#include "salient/ui/controller/sessioncontroller.h"
#include "salient/ui/jobs/jobrunner.h"
#include "salient/ui/views/datadock.h"
#include "salient/ui/views/droppedfiles.h"
#include "salient/ui/views/interventionview.h"

#include <QApplication>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QSettings>
#include <QStatusBar>

namespace salient::ui {

void MainWindow::buildMenus()
{
    auto *file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("Open &data files…"), QKeySequence(tr("Ctrl+D")), this,
                    &MainWindow::openDataDialog);
    file->addAction(tr("Open built-in &demo"), this, [this] { loadDemo(); });
    file->addAction(tr("E&xtract activations from a model…"), this, &MainWindow::extractDialog);
    file->addAction(tr("&Open session…"), QKeySequence::Open, this, [this] {
        const QString f = QFileDialog::getOpenFileName(this, tr("Open session"), {},
                                                       tr("Salient session (*.json)"));
        if (!f.isEmpty())
            openSession(f);
    });
    auto *recent = file->addMenu(tr("Open &recent"));
    connect(recent, &QMenu::aboutToShow, this, [this, recent] {
        recent->clear();
        const QStringList files = QSettings().value(QStringLiteral("recent")).toStringList();
        for (const QString &f : files)
            recent->addAction(f, this, [this, f] { openSession(f); });
        if (files.isEmpty())
            recent->addAction(tr("(no recent sessions)"))->setEnabled(false);
        recent->addSeparator();
        recent->addAction(tr("Clear recent sessions"), this,
                          [] { QSettings().remove(QStringLiteral("recent")); });
    });
    file->addAction(tr("Load session to &compare…"), QKeySequence(tr("Ctrl+Shift+O")), this,
                    [this] {
                        const QString f = QFileDialog::getOpenFileName(
                            this, tr("Session to compare"), {}, tr("Salient session (*.json)"));
                        if (!f.isEmpty())
                            loadCompareSession(f);
                    });
    file->addAction(tr("&Save session as…"), QKeySequence::SaveAs, this, [this] {
        const QString f = QFileDialog::getSaveFileName(
            this, tr("Save session"), m_controller->sessionPath(), tr("Salient session (*.json)"));
        if (!f.isEmpty())
            saveSessionAs(f);
    });
    file->addAction(tr("&Save session"), QKeySequence::Save, this, [this] {
        QString path = m_controller->sessionPath();
        if (path.isEmpty() || path == recoveryPath())
            path = QFileDialog::getSaveFileName(this, tr("Save session"), {},
                                                tr("Salient session (*.json)"));
        if (!path.isEmpty())
            saveSessionAs(path);
    });
    file->addAction(tr("Recover &unsaved session"), this, [this] {
        if (QFileInfo::exists(recoveryPath()))
            openSession(recoveryPath());
        else
            reportError(tr("There is no recovered session."));
    });
    file->addSeparator();
    file->addAction(tr("&Export view…"), QKeySequence(tr("Ctrl+E")), this,
                    &MainWindow::exportCurrentView);
    file->addAction(tr("Export &report…"), QKeySequence(tr("Ctrl+Shift+E")), this, [this] {
        const QString dir = QFileDialog::getSaveFileName(this, tr("Export report into new folder"),
                                                         {}, tr("Folder"));
        if (!dir.isEmpty())
            startReportExport(dir); // a background job; the status bar says when it is written
    });
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);
    auto *view = menuBar()->addMenu(tr("&View"));
    for (QDockWidget *d : m_docks)
        view->addAction(d->toggleViewAction());
    view->addSeparator();
    view->addAction(tr("&Reset layout"), this, &MainWindow::resetLayout);
    auto *run = menuBar()->addMenu(tr("&Run"));
    run->addAction(tr("&Train probe"), QKeySequence(tr("Ctrl+T")), this,
                   [this] { runAnalysisJob(QStringLiteral("probe")); });
    run->addAction(tr("&Grid search (λ1 × λ2)"), this,
                   [this] { runAnalysisJob(QStringLiteral("grid-search")); });
    run->addAction(tr("&Intervention…"), this, [this] {
        for (QDockWidget *d : m_docks)
            if (d->widget() && d->widget()->isAncestorOf(m_intervention)) {
                d->show();
                d->raise();
            }
    });
    run->addAction(tr("Cancel &all jobs"), QKeySequence(tr("Ctrl+Shift+K")), m_jobs,
                   &JobRunner::cancelAll);
    auto *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Salient"), this, [this] {
        QMessageBox::about(this, tr("About Salient"),
                           tr("Salient %1\nNeuron-level interpretability of NLP models: Linguistic "
                              "Correlation Analysis (Durrani, Dalvi, Sajjad, JMLR 2023), "
                              "compatible with NeuroX.")
                               .arg(QStringLiteral(SALIENT_VERSION)));
    });
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

OpenDataDialog *MainWindow::pendingDataDialog() const
{
    return qobject_cast<OpenDataDialog *>(m_dropDialog.data());
}

QString MainWindow::openDroppedFiles(const QStringList &paths)
{
    const DroppedFiles d = classifyDroppedFiles(paths);
    const QString &session = d.session;
    const TaskInputs &inputs = d.inputs;
    const SplitPaths *splits[] = {&inputs.train, &inputs.dev, &inputs.test};
    const QStringList &unknown = d.unknown, &used = d.used;
    const bool anyData = d.anyData;
    QStringList parts;
    if (!session.isEmpty()) {
        openSession(session);
        parts << tr("Opening session %1").arg(QFileInfo(session).fileName());
    } else if (anyData) {
        if (OpenDataDialog *old = pendingDataDialog()) {
            // Several drops in a row fill one dialog.
            TaskInputs merged = old->inputs();
            SplitPaths *mergedSplits[] = {&merged.train, &merged.dev, &merged.test};
            for (int k = 0; k < 3; ++k) {
                if (!splits[k]->activations.isEmpty())
                    mergedSplits[k]->activations = splits[k]->activations;
                if (!splits[k]->tokens.isEmpty())
                    mergedSplits[k]->tokens = splits[k]->tokens;
                if (!splits[k]->labels.isEmpty())
                    mergedSplits[k]->labels = splits[k]->labels;
            }
            old->setInputs(merged);
            old->fillMissingSplits();
        } else {
            auto *dialog = new OpenDataDialog(m_jobs, this);
            dialog->setAttribute(Qt::WA_DeleteOnClose);
            dialog->setInputs(inputs);
            dialog->fillMissingSplits();
            connect(dialog, &QDialog::accepted, this,
                    [this, dialog] { loadFromDataDialog(*dialog); });
            m_dropDialog = dialog;
            if (m_interactive)
                dialog->open();
        }
        parts << tr("Open data: %1 (check the fields and press OK)")
                     .arg(used.join(QStringLiteral(", ")));
    }
    if (!unknown.isEmpty())
        parts << tr("Not a Salient session, activation (.hdf5, .h5, .json) or token/label text "
                    "file: %1")
                     .arg(unknown.join(QStringLiteral(", ")));
    const QString message =
        parts.isEmpty() ? tr("Nothing to open.") : parts.join(QStringLiteral(" · "));
    if (session.isEmpty() && !anyData)
        reportError(message);
    else
        statusBar()->showMessage(message, 10000);
    return message;
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    const QMimeData *mime = event->mimeData();
    if (mime && mime->hasUrls()) {
        for (const QUrl &u : mime->urls())
            if (u.isLocalFile()) {
                event->acceptProposedAction();
                return;
            }
    }
    event->ignore();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    QStringList paths;
    if (const QMimeData *mime = event->mimeData())
        for (const QUrl &u : mime->urls())
            if (u.isLocalFile())
                paths << u.toLocalFile();
    if (paths.isEmpty()) {
        event->ignore();
        return;
    }
    event->acceptProposedAction();
    // Dialogs opened from inside a drop would block the drag source: open after it returns.
    QMetaObject::invokeMethod(
        this, [this, paths] { openDroppedFiles(paths); }, Qt::QueuedConnection);
}

} // namespace salient::ui
