// MainWindow, part 4: the model in the loop (docs/live.md). The "Try a sentence" dock (tabbed with
// the per-word view) and the Model menu: attach a model, try a sentence, top contexts in a text.
// The controller owns the attached model; SentenceView shows core's results.
#include "salient/ui/mainwindow.h"

#include "salient/model/attach.h"
#include "salient/ui/controller/sessioncontroller.h"
#include "salient/ui/views/sentenceview.h"

#include <QAction>
#include <QComboBox>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QFrame>
#include <QLineEdit>
#include <QMenuBar>
#include <QScrollArea>
#include <QStatusBar>

namespace salient::ui {

void MainWindow::setUpLive()
{
    m_sentence = new SentenceView(m_controller, m_jobs, this);
    // In a frameless scroll area, so the dock can shrink below the view's own minimum (the window
    // must fit a 1280 × 720 screen).
    auto *scroll = new QScrollArea(this);
    scroll->setObjectName(QStringLiteral("liveScroll"));
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(m_sentence);
    QDockWidget *dock =
        addView(tr("Try a sentence"), QStringLiteral("live"), scroll, Qt::RightDockWidgetArea);
    for (QDockWidget *d : m_docks)
        if (d->objectName() == QLatin1String("words")) {
            tabifyDockWidget(d, dock);
            d->raise();
        }
    // The per-word view's colour scheme applies here too (one legend for both views).
    if (auto *scheme = findChild<QComboBox *>(QStringLiteral("wordsScheme")))
        connect(scheme, &QComboBox::currentIndexChanged, m_sentence, [this](int i) {
            m_sentence->setColourScheme(i == 1 ? WordActivationView::ColourScheme::Diverging
                                               : WordActivationView::ColourScheme::NeuroX);
        });
    connect(m_controller, &SessionController::modelAttached, this, [this] {
        const auto model = m_controller->attachedModel();
        if (!model)
            return;
        QString text = tr("Model attached: %1").arg(model::describeSessionModel(model->record));
        if (!m_controller->modelWarnings().isEmpty())
            text += QStringLiteral(" — ") + m_controller->modelWarnings().join(QLatin1Char(' '));
        statusBar()->showMessage(text, 15000);
        autosave();
    });
}

void MainWindow::buildModelMenu()
{
    auto *menu = new QMenu(tr("&Model"), this);
    menu->addAction(tr("&Attach model…"), this, [this] {
        const QString path = QFileDialog::getOpenFileName(
            this, tr("Attach the model the activations came from"), {},
            tr("Model (*.bin config.json *.safetensors);;All files (*)"));
        if (path.isEmpty())
            return;
        QString tokenizer;
        const QFileInfo fi(path);
        if (fi.suffix() == QLatin1String("bin")
            && !QFileInfo::exists(fi.absoluteDir().filePath(QStringLiteral("tokenizer.bin"))))
            tokenizer = QFileDialog::getOpenFileName(this, tr("Its tokenizer (llama2.c .bin)"),
                                                     fi.absolutePath(),
                                                     tr("Tokenizer (*.bin);;All files (*)"));
        attachModel(fi.fileName() == QLatin1String("config.json") ? fi.absolutePath() : path,
                    tokenizer);
    });
    menu->addAction(tr("&Try a sentence"), this, [this] {
        for (QDockWidget *d : m_docks)
            if (d->objectName() == QLatin1String("live")) {
                d->show();
                d->raise();
            }
        m_sentence->input()->setFocus();
    });
    menu->addAction(tr("Top &contexts in a text file…"), this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Text file"), {},
                                                          tr("Text (*.txt);;All files (*)"));
        if (path.isEmpty())
            return;
        for (QDockWidget *d : m_docks)
            if (d->objectName() == QLatin1String("live")) {
                d->show();
                d->raise();
            }
        m_sentence->runTopContexts(path);
    });
    const QList<QAction *> menus = menuBar()->actions();
    menuBar()->insertMenu(menus.isEmpty() ? nullptr : menus.last(), menu); // before Help
}

int MainWindow::attachModel(const QString &modelPath, const QString &tokenizerPath)
{
    return m_controller->attachModel(modelPath, tokenizerPath);
}

} // namespace salient::ui
