#include "salient/ui/mainwindow.h"

#include "salient/ui/controller/sessioncontroller.h"
#include "salient/ui/export/reportwriter.h"
#include "salient/ui/jobs/jobrunner.h"
#include "salient/ui/jobs/jobsdock.h"
#include "salient/ui/plotting/curvescanvas.h"
#include "salient/ui/plotting/layerbarscanvas.h"
#include "salient/ui/plotting/salienceheatmapcanvas.h"
#include "salient/ui/plotting/trainingcurvecanvas.h"
#include "salient/ui/views/analysisviews.h"
#include "salient/ui/views/comparedock.h"
#include "salient/ui/views/curvesview.h"
#include "salient/ui/views/datadock.h"
#include "salient/ui/views/droppedfiles.h"
#include "salient/ui/views/neuroninspector.h"
#include "salient/ui/views/neuronpresenter.h"
#include "salient/ui/views/probesettings.h"
#include "salient/ui/views/salienceview.h"
#include "salient/ui/views/wordactivationview.h"
#include "salient/util/error.h"

#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QElapsedTimer>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QStatusBar>
#include <QThread>
#include <QTimer>
#include <QVBoxLayout>

namespace salient::ui {

namespace {

QString recoveryPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)
           + QStringLiteral("/recovery/session.json");
}

/// Version of the dock layout stored in QSettings ("window/state"). Bump it whenever the
/// default docks or their default sizes change, so an older saved state does not override them.
constexpr int kLayoutVersion = 3;

/// "folder/file.json": enough to tell two sessions apart in legends.
QString shortName(const QString &path)
{
    const QFileInfo fi(path);
    return fi.absoluteDir().dirName() + QLatin1Char('/') + fi.fileName();
}

} // namespace

MainWindow::MainWindow(QWidget *parent) : QMainWindow(parent)
{
    setWindowTitle(tr("Salient"));
    resize(1400, 900);
    setDockNestingEnabled(true);
    m_jobs = new JobRunner(this);
    m_controller = new SessionController(m_jobs, this);

    m_data = new DataDock(this);
    auto *run = new QWidget(this);
    auto *runLayout = new QVBoxLayout(run);
    m_settings = new ProbeSettingsWidget(run);
    runLayout->addWidget(m_settings);
    const std::pair<const char *, const char *> buttons[] = {
        {"probe", "Train probe"},
        {"grid-search", "Grid search (λ1 × λ2)"},
        {"minimal-subset", "Minimal subset"},
        {"ablation", "Ablation curves"},
        {"selectivity", "Control task / selectivity"},
        {"layerwise", "Layer-wise probes"}};
    for (const auto &[name, label] : buttons) {
        auto *b = new QPushButton(tr(label), run);
        b->setObjectName(QStringLiteral("run-") + QLatin1String(name));
        const QString analysis = QLatin1String(name);
        connect(b, &QPushButton::clicked, this, [this, analysis] { runAnalysisJob(analysis); });
        runLayout->addWidget(b);
    }
    m_jobsDock = new JobsDock(m_jobs, run);
    runLayout->addWidget(m_jobsDock, 1);

    m_layers = new LayerBarsCanvas(this);
    m_salience = new SalienceView(m_controller, m_layers, this);
    m_curvesView = new CurvesView(m_controller, this);
    m_probeSummary = new ProbeSummaryView(m_controller, this);
    m_grid = new GridSearchView(m_controller, this);
    m_layerwise = new LayerwiseView(m_controller, this);
    auto *wordsBox = new QWidget(this);
    auto *wordsLayout = new QVBoxLayout(wordsBox);
    wordsLayout->setContentsMargins(2, 2, 2, 2);
    auto *searchBar = new QHBoxLayout;
    m_search = new QLineEdit(wordsBox);
    m_search->setPlaceholderText(tr("Search words or labels (Enter: next match)"));
    m_search->setClearButtonEnabled(true);
    m_searchCount = new QLabel(wordsBox);
    searchBar->addWidget(m_search, 1);
    searchBar->addWidget(m_searchCount);
    auto *scheme = new QComboBox(wordsBox);
    scheme->addItems({tr("NeuroX red/blue"), tr("diverging (colour-blind safe)")});
    auto *norm = new QComboBox(wordsBox);
    norm->addItems({tr("scale per sentence"), tr("one scale for all")});
    searchBar->addWidget(scheme);
    searchBar->addWidget(norm);
    wordsLayout->addLayout(searchBar);
    m_words = new WordActivationView(wordsBox);
    wordsLayout->addWidget(m_words, 1);
    connect(m_search, &QLineEdit::textChanged, this, [this](const QString &text) {
        const int n = m_words->search(text);
        m_searchCount->setText(text.isEmpty() ? QString() : tr("%n match(es)", nullptr, n));
    });
    connect(m_search, &QLineEdit::returnPressed, this, [this] { m_words->nextMatch(); });
    connect(scheme, &QComboBox::currentIndexChanged, this, [this](int i) {
        m_words->setColourScheme(i == 1 ? WordActivationView::ColourScheme::Diverging
                                        : WordActivationView::ColourScheme::NeuroX);
    });
    connect(norm, &QComboBox::currentIndexChanged, this, [this](int i) {
        m_words->setNormalisation(i == 1 ? WordActivationView::Normalisation::Global
                                         : WordActivationView::Normalisation::PerSentence);
    });
    m_inspector = new NeuronInspector(this);
    m_neuron = new NeuronPresenter(m_controller, m_jobs, m_inspector, m_words, this);
    connect(m_inspector, &NeuronInspector::wordActivated, m_search, &QLineEdit::setText);
    m_training = new TrainingCurveCanvas(this);
    m_training->setTitle(tr("Probe training (live)"));
    m_training->setMinimumHeight(160);
    m_compare = new CompareDock(this);

    auto *central = new QLabel(this);
    central->setMaximumSize(0, 0);
    setCentralWidget(central);
    addView(tr("Data"), QStringLiteral("data"), m_data, Qt::LeftDockWidgetArea); // 0
    addView(tr("Run"), QStringLiteral("run"), run, Qt::LeftDockWidgetArea);      // 1
    addView(tr("Salience heatmap"), QStringLiteral("heatmap"), m_salience,
            Qt::RightDockWidgetArea); // 2
    addView(tr("Per-word activations"), QStringLiteral("words"), wordsBox,
            Qt::RightDockWidgetArea); // 3
    addView(tr("Layer distribution"), QStringLiteral("layers"), m_layers,
            Qt::BottomDockWidgetArea); // 4
    addView(tr("Ablation and minimal subset"), QStringLiteral("ablation"), m_curvesView,
            Qt::BottomDockWidgetArea); // 5
    addView(tr("Neuron inspector"), QStringLiteral("inspector"), m_inspector,
            Qt::BottomDockWidgetArea); // 6
    addView(tr("Training curve"), QStringLiteral("training"), m_training,
            Qt::LeftDockWidgetArea);                                                        // 7
    addView(tr("Compare"), QStringLiteral("compare"), m_compare, Qt::BottomDockWidgetArea); // 8
    addView(tr("Probe"), QStringLiteral("probe"), m_probeSummary, Qt::LeftDockWidgetArea);  // 9
    addView(tr("Grid search"), QStringLiteral("grid"), m_grid, Qt::BottomDockWidgetArea);   // 10
    addView(tr("Layer-wise probes"), QStringLiteral("layerwise"), m_layerwise,
            Qt::BottomDockWidgetArea); // 11
    // The training curve below Data/Run (split before tabifying: a split of a tabbed dock would
    // become another tab); the probe's accuracy tabbed with the training curve; Compare, grid
    // search and layer-wise tabbed with the curves.
    splitDockWidget(m_docks[0], m_docks[7], Qt::Vertical);
    tabifyDockWidget(m_docks[0], m_docks[1]);
    m_docks[1]->raise();
    tabifyDockWidget(m_docks[7], m_docks[9]);
    m_docks[9]->raise();
    for (int k : {8, 10, 11})
        tabifyDockWidget(m_docks[5], m_docks[size_t(k)]);
    m_docks[5]->raise();
    m_defaultState = saveState(kLayoutVersion);
    buildMenus();
    setAcceptDrops(true);

    connect(m_data, &DataDock::demoRequested, this, [this] { loadDemo(); });
    connect(m_data, &DataDock::openFilesRequested, this, &MainWindow::openDataDialog);
    connect(m_words, &WordActivationView::tokensSelected, this, [this](const QVector<int> &) {
        statusBar()->showMessage(tr("Tokens selected"), 3000);
    });
    connect(m_jobs, &JobRunner::trainingProgressed, this, &MainWindow::onTrainingPoints);
    connect(m_compare, &CompareDock::loadRequested, this,
            [this](const QString &path) { loadCompareSession(path); });
    connect(m_compare, &CompareDock::exportFailed, this, &MainWindow::reportError);
    connect(m_grid, &GridSearchView::applyRequested, this, [this](double l1, double l2) {
        ProbeOptions po = m_settings->options();
        po.l1 = l1;
        po.l2 = l2;
        m_settings->setOptions(po);
        statusBar()->showMessage(
            tr("Probe settings now use λ1 = %1, λ2 = %2; train the probe to apply them.")
                .arg(l1)
                .arg(l2),
            10000);
    });
    connect(m_jobs, &JobRunner::finished, this,
            [this](int, JobStatus status, const QString &message) {
                if (status == JobStatus::Failed || status == JobStatus::OutOfMemory)
                    reportError(message.isEmpty() ? jobStatusText(status) : message);
            });

    // The controller's state drives the window.
    connect(m_controller, &SessionController::errorOccurred, this, &MainWindow::reportError);
    connect(m_controller, &SessionController::dataLoaded, this, [this] {
        m_data->showTask(*m_controller->task(), m_controller->sourceName(),
                         m_controller->session().demo ? tr("built-in demo dataset (SYNTHETIC)")
                                                      : QString());
        m_training->clear();
        m_trainingJob = -1;
        m_settings->setOptions(m_controller->session().probeOptions);
        setWindowTitle(tr("Salient — %1").arg(m_controller->sourceName()));
    });
    connect(m_controller, &SessionController::resultChanged, this, [this](const QString &name) {
        if (name == QLatin1String("probe"))
            refreshCompareSideA();
        autosave();
        Q_EMIT analysisFinished(name);
    });
    connect(m_controller, &SessionController::resultInvalidated, this,
            [this](const QString &name, const QString &why) {
                statusBar()->showMessage(tr("%1 removed: %2").arg(name, why), 10000);
            });
    connect(m_controller, &SessionController::trainingStarted, this,
            [this](int id, const ProbeOptions &po) {
                m_training->clear();
                m_training->setTitle(tr("Probe training (live) · λ1 %1 · λ2 %2 · seed %3")
                                         .arg(po.l1)
                                         .arg(po.l2)
                                         .arg(po.seed));
                m_trainingJob = id;
            });
    connect(m_controller, &SessionController::neuronSelected, this, [this](int column) {
        if (column >= 0) {
            const NeuronId id = m_controller->layout().neuron(column);
            statusBar()->showMessage(tr("Selected %1").arg(neuronName(id)), 5000);
        }
        Q_EMIT neuronSelected(column);
    });
    connect(m_controller, &SessionController::sessionPathChanged, this,
            [this](const QString &path) {
                if (!path.isEmpty() && path != recoveryPath())
                    addRecent(path);
            });
    connect(m_neuron, &NeuronPresenter::profileReady, this, &MainWindow::neuronProfileReady);
    connect(m_neuron, &NeuronPresenter::failed, this, &MainWindow::reportError);

    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    // A state saved by an older layout version is ignored, so new default docks and sizes apply.
    bool restored = false;
    if (settings.value(QStringLiteral("window/layoutVersion")).toInt() == kLayoutVersion)
        restored = restoreState(settings.value(QStringLiteral("window/state")).toByteArray(),
                                kLayoutVersion);
    if (!restored) // once the window has its size (the sizes are proportions of it)
        QTimer::singleShot(0, this, &MainWindow::applyDefaultDockSizes);
    statusBar()->showMessage(tr("Ready"));
}

MainWindow::~MainWindow() = default;

SalienceHeatmapCanvas *MainWindow::heatmap() const
{
    return m_salience->canvas();
}
QComboBox *MainWindow::heatmapLabelChooser() const
{
    return m_salience->labelChooser();
}
QSpinBox *MainWindow::heatmapTopK() const
{
    return m_salience->topK();
}
QDoubleSpinBox *MainWindow::heatmapMass() const
{
    return m_salience->mass();
}
CurvesCanvas *MainWindow::curves() const
{
    return m_curvesView->canvas();
}
int MainWindow::staleProfilesDiscarded() const
{
    return m_neuron->staleDiscarded();
}
bool MainWindow::profilePending() const
{
    return m_neuron->pending();
}
const Session &MainWindow::session() const
{
    return m_controller->session();
}
const LoadedTask *MainWindow::task() const
{
    return m_controller->task();
}
const ProbeReport *MainWindow::probe() const
{
    return m_controller->probe();
}
int MainWindow::selectedColumn() const
{
    return m_controller->selectedColumn();
}
NeuronId MainWindow::selectedNeuron() const
{
    return m_controller->selectedNeuron();
}
void MainWindow::selectColumn(int column)
{
    m_controller->selectColumn(column);
}

QDockWidget *MainWindow::addView(const QString &title, const QString &name, QWidget *widget,
                                 Qt::DockWidgetArea area)
{
    auto *dock = new QDockWidget(title, this);
    dock->setObjectName(name);
    dock->setWidget(widget);
    addDockWidget(area, dock);
    m_docks.push_back(dock);
    return dock;
}

void MainWindow::openDataDialog()
{
    OpenDataDialog dialog(this);
    if (dialog.exec() == QDialog::Accepted)
        loadFiles(dialog.inputs());
}

void MainWindow::buildMenus()
{
    auto *file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("Open &data files…"), QKeySequence(tr("Ctrl+D")), this,
                    &MainWindow::openDataDialog);
    file->addAction(tr("Open built-in &demo"), this, [this] { loadDemo(); });
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
    file->addAction(tr("&Export current view…"), QKeySequence(tr("Ctrl+E")), this,
                    &MainWindow::exportCurrentView);
    file->addAction(tr("Export &report…"), QKeySequence(tr("Ctrl+Shift+E")), this, [this] {
        const QString dir = QFileDialog::getSaveFileName(this, tr("Export report into new folder"),
                                                         {}, tr("Folder"));
        if (dir.isEmpty())
            return;
        QString error;
        if (exportReport(dir, &error))
            statusBar()->showMessage(tr("Report written to %1 (open index.html)").arg(dir), 10000);
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

void MainWindow::reportError(const QString &message)
{
    m_lastError = message;
    statusBar()->showMessage(message, 10000);
    if (m_interactive)
        QMessageBox::warning(this, tr("Salient"), message);
}

int MainWindow::loadDemo()
{
    return m_controller->loadDemo();
}

int MainWindow::loadFiles(const TaskInputs &inputs)
{
    return m_controller->loadFiles(inputs);
}

int MainWindow::openSession(const QString &path)
{
    SessionCheck check;
    const int id = m_controller->openSession(path, &check);
    if (id >= 0 && !check.ok())
        reportError(tr("Inputs changed since the session was saved:\n%1")
                        .arg(check.changedInputs.join(QLatin1Char('\n'))));
    return id;
}

bool MainWindow::saveSessionAs(const QString &path)
{
    QString error;
    if (!m_controller->saveSession(path, &error)) {
        reportError(error);
        return false;
    }
    statusBar()->showMessage(tr("Saved %1").arg(path), 5000);
    return true;
}

void MainWindow::addRecent(const QString &path)
{
    QSettings s;
    QStringList r = s.value(QStringLiteral("recent")).toStringList();
    r.removeAll(path);
    r.prepend(path);
    s.setValue(QStringLiteral("recent"), r.mid(0, 10));
}

int MainWindow::runAnalysisJob(const QString &name, const QJsonObject &options)
{
    return m_controller->runAnalysis(name, m_settings->options(), options);
}

void MainWindow::autosave()
{
    const QString path = recoveryPath();
    QDir().mkpath(QFileInfo(path).absolutePath());
    // Recovery is best effort; the user's own session files are untouched.
    m_controller->writeSessionCopy(path, nullptr);
}

void MainWindow::exportCurrentView()
{
    // The view that has focus (or contains it); the heatmap when none does.
    PlotCanvas *canvas = nullptr;
    for (QWidget *w = QApplication::focusWidget(); w && !canvas; w = w->parentWidget())
        canvas = qobject_cast<PlotCanvas *>(w);
    if (!canvas)
        canvas = heatmap();
    const QString f = QFileDialog::getSaveFileName(this, tr("Export figure"), {},
                                                   tr("PNG (*.png);;SVG (*.svg);;PDF (*.pdf)"));
    if (f.isEmpty())
        return;
    QString error;
    if (!canvas->exportFigure(f, 1600, 900, 300, &error))
        reportError(error);
}

bool MainWindow::waitForJobs(int timeoutMs)
{
    QElapsedTimer t;
    t.start();
    while (m_jobs->isRunning() && t.elapsed() < timeoutMs) {
        QApplication::processEvents(QEventLoop::AllEvents, 50);
        QThread::msleep(5);
    }
    QApplication::processEvents();
    return !m_jobs->isRunning();
}

bool MainWindow::writeScreenshots(const QString &dir)
{
    if (!QDir().mkpath(dir))
        return false;
    bool ok = grab().save(dir + QStringLiteral("/main.png"));
    for (QDockWidget *d : m_docks) {
        QWidget *w = d->widget();
        const QSize old = w->size();
        w->resize(1100, 650);
        ok = w->grab().save(dir + QStringLiteral("/") + d->objectName() + QStringLiteral(".png"))
             && ok;
        w->resize(old);
    }
    return ok;
}

int MainWindow::loadCompareSession(const QString &path)
{
    // The dock renders the controller's "compare" result (core's analysis, replayed by
    // salient-cli run); comparisonReady follows each report it shows.
    m_compare->setController(m_controller);
    connect(m_compare, &CompareDock::reportShown, this, &MainWindow::comparisonReady,
            Qt::UniqueConnection);
    if (!m_controller->probe()) {
        reportError(tr("Train a probe (or open a session with one) before comparing with "
                       "another session."));
        return -1;
    }
    const QString pathA = m_controller->sessionPath();
    const QString other = QFileInfo(path).absoluteFilePath();
    const int id = m_controller->runAnalysis(
        QStringLiteral("compare"), m_controller->session().probeOptionsFor(QStringLiteral("probe")),
        {{QStringLiteral("other_session"), other},
         {QStringLiteral("name_a"), pathA.isEmpty() ? tr("open session") : shortName(pathA)},
         {QStringLiteral("name_b"), shortName(other)}});
    if (id >= 0)
        for (QDockWidget *d : m_docks)
            if (d->widget() == m_compare) {
                d->show();
                d->raise();
            }
    return id;
}

void MainWindow::refreshCompareSideA()
{
    // The probe changed: the dock (following the controller) re-runs a comparison whose side A
    // no longer matches; here it only needs to be attached (a session opened with a comparison).
    m_compare->setController(m_controller);
    connect(m_compare, &CompareDock::reportShown, this, &MainWindow::comparisonReady,
            Qt::UniqueConnection);
}

void MainWindow::onTrainingPoints(int id, const QVector<TrainingPoint> &points)
{
    if (id == m_trainingJob)
        m_training->addPoints(points);
}

void MainWindow::applyDefaultDockSizes()
{
    // Narrow settings column, the heatmap and word view large; the layer bars wide enough for
    // their mean-layer labels, the inspector for its class table.
    const int w = std::max(width(), 1000), h = std::max(height(), 700);
    resizeDocks({m_docks[0], m_docks[2]}, {w * 27 / 100, w * 73 / 100}, Qt::Horizontal);
    resizeDocks({m_docks[0], m_docks[7]}, {h * 60 / 100, h * 27 / 100}, Qt::Vertical);
    resizeDocks({m_docks[2], m_docks[3], m_docks[4]}, {h * 34 / 100, h * 32 / 100, h * 30 / 100},
                Qt::Vertical);
    resizeDocks({m_docks[4], m_docks[5], m_docks[6]}, {w * 24 / 100, w * 42 / 100, w * 34 / 100},
                Qt::Horizontal);
}

void MainWindow::resetLayout()
{
    restoreState(m_defaultState, kLayoutVersion);
    for (QDockWidget *d : m_docks)
        d->show();
    applyDefaultDockSizes();
}

bool MainWindow::exportReport(const QString &dir, QString *error)
{
    ReportSources src;
    src.controller = m_controller;
    src.title = windowTitle();
    src.salience = m_salience;
    src.layers = m_layers;
    src.curves = m_curvesView;
    src.grid = m_grid;
    src.layerwise = m_layerwise;
    src.training = m_training;
    src.words = m_words;
    src.inspector = m_inspector;
    src.compare = m_compare;
    src.dataReport = m_data->reportText();
    QString why;
    if (!writeReport(src, dir, &why)) {
        if (error)
            *error = why;
        reportError(why);
        return false;
    }
    statusBar()->showMessage(tr("Report written to %1").arg(dir), 10000);
    return true;
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    QSettings s;
    s.setValue(QStringLiteral("window/geometry"), saveGeometry());
    s.setValue(QStringLiteral("window/state"), saveState(kLayoutVersion));
    s.setValue(QStringLiteral("window/layoutVersion"), kLayoutVersion);
    m_jobs->cancelAll();
    event->accept();
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
        } else {
            auto *dialog = new OpenDataDialog(this);
            dialog->setAttribute(Qt::WA_DeleteOnClose);
            dialog->setInputs(inputs);
            connect(dialog, &QDialog::accepted, this,
                    [this, dialog] { loadFiles(dialog->inputs()); });
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
