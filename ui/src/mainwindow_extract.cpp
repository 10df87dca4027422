// File › Extract activations…: the dialog, the job, and the offer to open the result.
#include "salient/ui/jobs/jobrunner.h"
#include "salient/ui/mainwindow.h"
#include "salient/ui/views/datadock.h"
#include "salient/ui/views/extractdialog.h"

#include <QFileInfo>
#include <QMessageBox>
#include <QStatusBar>

namespace salient::ui {

void MainWindow::extractDialog()
{
    ExtractDialog dialog(this);
    if (dialog.exec() == QDialog::Accepted)
        extractActivations(dialog.request());
}

int MainWindow::extractActivations(const ExtractRequest &request)
{
    return startExtractionJob(
        m_jobs, request,
        [this, request](JobStatus status, const QString &message, const ExtractJobResult &r) {
            if (status == JobStatus::Cancelled) {
                statusBar()->showMessage(tr("Extraction %1").arg(message), 15000);
                return;
            }
            if (status != JobStatus::Ok)
                return; // the runner's finished() handler shows failures
            const model::ExtractSummary &s = r.summary;
            QString text = tr("Extracted %1 sentences (%2 words, %3 layers × %4) from %5 at %6 "
                              "tokens/s.")
                               .arg(s.sentences)
                               .arg(s.words)
                               .arg(s.layers.size())
                               .arg(s.hidden)
                               .arg(QFileInfo(s.model).fileName())
                               .arg(s.tokensPerSecond, 0, 'f', 0);
            if (!s.truncatedLines.empty())
                text += tr(" %1 lines were truncated (the model's length limit): %2.")
                            .arg(s.truncatedLines.size())
                            .arg(s.warnings.value(0));
            statusBar()->showMessage(text, 20000);
            // The result with its sentences and the labels file that matches them by name.
            TaskInputs inputs;
            inputs.train.activations = s.outputs.value(0);
            inputs.train.tokens = request.sentences;
            inputs.train.labels = matchingLabelsFile(request.sentences);
            m_extractionInputs = inputs;
            if (!m_interactive || request.options.decompose)
                return;
            const auto answer = QMessageBox::question(
                this, tr("Extraction finished"),
                text + QLatin1String("\n\n")
                    + tr("Open the activations with %1 and %2?")
                          .arg(QFileInfo(inputs.train.tokens).fileName(),
                               inputs.train.labels.isEmpty()
                                   ? tr("a labels file (none found by name)")
                                   : QFileInfo(inputs.train.labels).fileName()));
            if (answer != QMessageBox::Yes)
                return;
            OpenDataDialog open(m_jobs, this);
            open.setInputs(inputs);
            if (open.exec() == QDialog::Accepted)
                loadFiles(open.inputs());
        });
}

} // namespace salient::ui
