#include "salient/ui/mainwindow.h"

#include "salient/ui/controller/sessioncontroller.h"
#include "salient/ui/export/figureexportdialog.h"
#include "salient/ui/export/reportwriter.h"
#include "salient/ui/export/viewfigures.h"
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
#include "salient/ui/views/interventionview.h"
#include "salient/ui/views/neuroninspector.h"
#include "salient/ui/views/neuronpresenter.h"
#include "salient/ui/views/panels.h"
#include "salient/ui/views/probesettings.h"
#include "salient/ui/views/salienceview.h"
#include "salient/ui/views/wordactivationview.h"
#include "salient/util/error.h"

#include <QAction>
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
#include <QFrame>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPointer>
#include <QPushButton>
#include <QScreen>
#include <QScrollArea>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QStatusBar>
#include <QThread>
#include <QTimer>
#include <QVBoxLayout>

#include <cmath>
#include <memory>

namespace salient::ui {

namespace {

/// Version of the dock layout stored in QSettings ("window/state"). Bump it whenever the
/// default docks or their default sizes change, so an older saved state does not override them.
constexpr int kLayoutVersion = 6;

/// The window's size when the screen has room for it (View › Reset layout, first start).
constexpr QSize kDefaultSize(1400, 900);

/// @p w in a frameless scroll area: a dense view keeps its own minimum size inside, and the dock
/// around it can shrink (the window must fit a 1366 × 768 screen).
QScrollArea *scrolled(QWidget *w, const QString &name, QWidget *parent)
{
    auto *scroll = new QScrollArea(parent);
    scroll->setObjectName(name);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(w);
    return scroll;
}

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
    resize(kDefaultSize);
    setDockNestingEnabled(true);
    // The left column (data, run, jobs, training) takes the full height; the bottom docks sit
    // under the heatmap only.
    setCorner(Qt::BottomLeftCorner, Qt::LeftDockWidgetArea);
    m_jobs = new JobRunner(this);
    m_controller = new SessionController(m_jobs, this);

    m_data = new DataDock(this);
    auto *run = new RunPanel(m_jobs, this);
    m_run = run;
    m_settings = run->settings();
    connect(run, &RunPanel::runRequested, this,
            [this](const QString &name) { runAnalysisJob(name); });

    m_layers = new LayerBarsCanvas(this);
    m_salience = new SalienceView(m_controller, m_layers, this);
    m_curvesView = new CurvesView(m_controller, this);
    m_probeSummary = new ProbeSummaryView(m_controller, this);
    m_grid = new GridSearchView(m_controller, this);
    m_layerwise = new LayerwiseView(m_controller, this);
    auto *wordsBox = new WordsPanel(this);
    m_words = wordsBox->view();
    m_search = wordsBox->search();
    m_inspector = new NeuronInspector(this);
    m_neuron = new NeuronPresenter(m_controller, m_jobs, m_inspector, m_words, this);
    connect(m_inspector, &NeuronInspector::wordActivated, m_search, &QLineEdit::setText);
    m_training = new TrainingCurveCanvas(this);
    m_training->setTitle(tr("Probe training (live)"));
    m_training->setMinimumHeight(120);
    m_compare = new CompareDock(this);
    m_compare->setController(m_controller);
    connect(m_compare, &CompareDock::reportShown, this, &MainWindow::comparisonReady);
    m_intervention = new InterventionView(m_controller, m_jobs, this);

    // Every view is a dock. The empty central widget takes no width, but may take height: the
    // row it shares with the heatmap and word docks must be free to grow, or those docks stay at
    // their minimum height and the bottom row absorbs all spare height.
    auto *central = new QLabel(this);
    central->setMaximumWidth(0);
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
    addView(tr("Neuron inspector"), QStringLiteral("inspector"),
            scrolled(m_inspector, QStringLiteral("inspectorScroll"), this),
            Qt::BottomDockWidgetArea); // 6
    addView(tr("Training curve"), QStringLiteral("training"), m_training,
            Qt::LeftDockWidgetArea); // 7
    // Scrolled: its lists and curves would otherwise set the bottom row's minimum height.
    addView(tr("Compare"), QStringLiteral("compare"),
            scrolled(m_compare, QStringLiteral("compareScroll"), this),
            Qt::BottomDockWidgetArea);                                                     // 8
    addView(tr("Probe"), QStringLiteral("probe"), m_probeSummary, Qt::LeftDockWidgetArea); // 9
    addView(tr("Grid search"), QStringLiteral("grid"), m_grid, Qt::BottomDockWidgetArea);  // 10
    addView(tr("Layer-wise probes"), QStringLiteral("layerwise"), m_layerwise,
            Qt::BottomDockWidgetArea); // 11
    addView(tr("Intervention"), QStringLiteral("intervention"),
            scrolled(m_intervention, QStringLiteral("interventionScroll"), this),
            Qt::BottomDockWidgetArea); // 12
    // The training curve below Data/Run (split before tabifying: a split of a tabbed dock would
    // become another tab); the probe's accuracy tabbed with the training curve; Compare, grid
    // search and layer-wise tabbed with the curves.
    splitDockWidget(m_docks[0], m_docks[7], Qt::Vertical);
    tabifyDockWidget(m_docks[0], m_docks[1]);
    m_docks[1]->raise();
    tabifyDockWidget(m_docks[7], m_docks[9]);
    m_docks[9]->raise();
    for (int k : {8, 10, 11, 12})
        tabifyDockWidget(m_docks[5], m_docks[size_t(k)]);
    m_docks[5]->raise();
    setUpNotes();
    setUpLive();
    m_defaultState = saveState(kLayoutVersion);
    buildMenus();
    buildModelMenu();
    installFigureMenus();
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
        // The probe's repetitions as the session recorded them (a new session: 1), so that
        // training again repeats what the views show.
        m_run->probeSeeds()->setValue(m_controller->session()
                                          .analysisOptions.value(QStringLiteral("probe"))
                                          .toObject()
                                          .value(QStringLiteral("seeds"))
                                          .toInt(1));
        setWindowTitle(tr("Salient — %1").arg(m_controller->sourceName()));
    });
    connect(m_controller, &SessionController::resultChanged, this, [this](const QString &name) {
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
    connect(m_controller, &SessionController::sessionOpened, this, &MainWindow::restoreViewState);
    connect(m_neuron, &NeuronPresenter::profileReady, this, &MainWindow::neuronProfileReady);
    connect(m_neuron, &NeuronPresenter::failed, this, &MainWindow::reportError);

    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    // A state saved by an older layout version is ignored, so new default docks and sizes apply.
    bool restored = false;
    if (settings.value(QStringLiteral("window/layoutVersion")).toInt() == kLayoutVersion)
        restored = restoreState(settings.value(QStringLiteral("window/state")).toByteArray(),
                                kLayoutVersion);
    fitToScreen(false);
    // Once the window has its size (the sizes are proportions of it); again after the app's
    // first fitToScreen, which may shrink the shown window into the screen.
    m_defaultSizesPending = !restored;
    if (!restored)
        QTimer::singleShot(0, this, &MainWindow::applyDefaultDockSizes);
    statusBar()->showMessage(tr("Ready"));
}

MainWindow::~MainWindow() = default;

QString MainWindow::recoveryPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)
           + QStringLiteral("/recovery/session.json");
}

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
    OpenDataDialog dialog(m_jobs, this);
    if (dialog.exec() == QDialog::Accepted)
        loadFromDataDialog(dialog);
}

int MainWindow::loadFromDataDialog(const OpenDataDialog &dialog)
{
    const TaskInputs inputs = dialog.inputs();
    const bool standardize = dialog.standardize();
    ProbeOptions po = m_settings->options();
    po.standardize = standardize;
    const int id = m_controller->loadFiles(inputs, po);
    // Remembered as a recent data set once it has loaded.
    auto connection = std::make_shared<QMetaObject::Connection>();
    *connection =
        connect(m_jobs, &JobRunner::finished, this,
                [id, inputs, standardize, connection](int job, JobStatus status, const QString &) {
                    if (job != id)
                        return;
                    QObject::disconnect(*connection);
                    if (status == JobStatus::Ok)
                        OpenDataDialog::addRecentDataSet(inputs, standardize);
                });
    return id;
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
    m_controller->setViewState(viewState());
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
    QJsonObject merged = m_run->analysisOptions(name);
    for (auto it = options.begin(); it != options.end(); ++it)
        merged[it.key()] = it.value();
    return m_controller->runAnalysis(name, m_settings->options(), merged);
}

void MainWindow::autosave()
{
    const QString path = recoveryPath();
    QDir().mkpath(QFileInfo(path).absolutePath());
    // Recovery is best effort; the user's own session files are untouched.
    m_controller->setViewState(viewState());
    m_controller->writeSessionCopy(path, nullptr);
}

void MainWindow::exportCurrentView()
{
    // The view that has focus (or contains it); the heatmap when none does.
    QWidget *view = figureViewOf(QApplication::focusWidget());
    exportView(view ? view : m_salience);
}

void MainWindow::exportView(QWidget *view)
{
    QString error;
    const QString path = FigureExportDialog::run(this, figureForView(view, m_controller), &error);
    if (!error.isEmpty())
        reportError(error);
    else if (!path.isEmpty())
        statusBar()->showMessage(tr("Figure written to %1").arg(path), 10000);
}

void MainWindow::installFigureMenus()
{
    for (QWidget *view :
         std::initializer_list<QWidget *>{m_salience, m_layers, m_curvesView, m_grid, m_layerwise,
                                          m_training, m_words, m_inspector, m_compare}) {
        auto *action = new QAction(tr("Export figure…"), view);
        connect(action, &QAction::triggered, this, [this, view] { exportView(view); });
        view->addAction(action);
        view->setContextMenuPolicy(Qt::ActionsContextMenu);
    }
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
            if (d->widget() && d->widget()->isAncestorOf(m_compare)) {
                d->show();
                d->raise();
            }
    return id;
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
    // The heatmap gets the largest share (its layer labels and colour-bar title need height);
    // on short screens (1366 × 768) the settings column gives the probe table more room.
    const bool shortScreen = h < 900;
    resizeDocks({m_docks[0], m_docks[7]},
                shortScreen ? QList<int>{h * 52 / 100, h * 40 / 100}
                            : QList<int>{h * 60 / 100, h * 27 / 100},
                Qt::Vertical);
    // The bottom row is its own dock area: its height is set through one of its docks, then
    // the right area's split (one resizeDocks call across both areas leaves the split as is).
    const QList<int> share = shortScreen ? QList<int>{42, 20, 34} : QList<int>{44, 22, 30};
    resizeDocks({m_docks[4]}, {h * share[2] / 100}, Qt::Vertical);
    resizeDocks({m_docks[2], m_docks[3]}, {h * share[0] / 100, h * share[1] / 100}, Qt::Vertical);
    resizeDocks({m_docks[4], m_docks[5], m_docks[6]}, {w * 24 / 100, w * 42 / 100, w * 34 / 100},
                Qt::Horizontal);
}

void MainWindow::fitToScreen(bool reset)
{
    const QScreen *screen = this->screen() ? this->screen() : QGuiApplication::primaryScreen();
    if (!screen)
        return;
    const QRect avail = screen->availableGeometry();
    // The window frame (title bar, borders) is known once the window is shown.
    const QMargins frame(geometry().left() - frameGeometry().left(),
                         geometry().top() - frameGeometry().top(),
                         frameGeometry().right() - geometry().right(),
                         frameGeometry().bottom() - geometry().bottom());
    const QSize room = avail.size().shrunkBy(frame).expandedTo(minimumSizeHint());
    const QSize target = reset ? kDefaultSize.boundedTo(room) : size().boundedTo(room);
    if (target != size())
        resize(target);
    if (!avail.contains(frameGeometry()))
        move(avail.topLeft());
    if (m_defaultSizesPending && isVisible()) {
        m_defaultSizesPending = false;
        applyDefaultDockSizes();
    }
}

void MainWindow::resetLayout()
{
    if (isMaximized() || isFullScreen())
        showNormal();
    restoreState(m_defaultState, kLayoutVersion);
    for (QDockWidget *d : m_docks)
        d->show();
    fitToScreen(true);
    // Once the resize is applied (the dock sizes are proportions of the window).
    applyDefaultDockSizes();
    QTimer::singleShot(0, this, &MainWindow::applyDefaultDockSizes);
}

int MainWindow::startReportExport(const QString &dir, QString *error)
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
    src.intervention = m_intervention;
    src.dataReport = m_data->reportText();
    src.figures = m_reportFigures;
    QString why;
    QPointer<MainWindow> self(this);
    const int id = startReportJob(
        m_jobs, src, dir,
        [self, dir](JobStatus status, const QString &message) {
            if (!self)
                return;
            if (status == JobStatus::Ok)
                self->statusBar()->showMessage(
                    tr("Report written to %1 (open index.html)").arg(dir), 10000);
            else if (status == JobStatus::Cancelled)
                self->statusBar()->showMessage(message, 10000);
            else
                self->reportError(message.isEmpty() ? jobStatusText(status) : message);
        },
        &why);
    if (id < 0) {
        if (error)
            *error = why;
        reportError(why);
    }
    return id;
}

bool MainWindow::exportReport(const QString &dir, QString *error)
{
    bool finished = false;
    JobStatus status = JobStatus::Failed;
    QString message;
    const int id = startReportExport(dir, error);
    if (id < 0)
        return false;
    const QMetaObject::Connection done =
        connect(m_jobs, &JobRunner::finished, this, [&](int job, JobStatus s, const QString &m) {
            if (job != id)
                return;
            finished = true;
            status = s;
            message = m;
        });
    while (!finished) {
        QApplication::processEvents(QEventLoop::AllEvents, 50);
        if (!finished)
            QThread::msleep(2);
    }
    disconnect(done);
    if (status != JobStatus::Ok && error)
        *error = message.isEmpty() ? jobStatusText(status) : message;
    return status == JobStatus::Ok;
}

QJsonObject MainWindow::viewState() const
{
    QJsonObject view;
    view[QStringLiteral("heatmap")] = m_salience->viewState();
    const NeuronId selected = m_controller->selectedNeuron();
    if (selected.isValid())
        view[QStringLiteral("selected")] = QJsonObject{{QStringLiteral("layer"), selected.layer},
                                                       {QStringLiteral("unit"), selected.unit}};
    const QVector<TrainingPoint> &points = m_training->points();
    if (!points.isEmpty()) {
        // At most ~4000 points (every n-th and the last): enough for the curve's shape.
        const qsizetype step = std::max<qsizetype>(1, points.size() / 4000);
        QJsonArray rows;
        for (qsizetype i = 0; i < points.size(); ++i) {
            if (i % step != 0 && i != points.size() - 1)
                continue;
            const TrainingPoint &t = points[i];
            rows.append(QJsonArray{double(t.batch), t.epoch, t.loss,
                                   std::isfinite(t.accuracy) ? QJsonValue(t.accuracy)
                                                             : QJsonValue(QJsonValue::Null)});
        }
        view[QStringLiteral("training")] = QJsonObject{
            {QStringLiteral("title"), m_training->title()}, {QStringLiteral("points"), rows}};
    }
    view[QStringLiteral("dock_state")] = QString::fromLatin1(saveState(kLayoutVersion).toBase64());
    view[QStringLiteral("layout_version")] = kLayoutVersion;
    return view;
}

void MainWindow::restoreViewState(const QJsonObject &view)
{
    if (view.isEmpty())
        return;
    if (view.value(QStringLiteral("layout_version")).toInt() == kLayoutVersion)
        restoreState(
            QByteArray::fromBase64(view.value(QStringLiteral("dock_state")).toString().toLatin1()),
            kLayoutVersion);
    if (view.contains(QStringLiteral("heatmap")))
        m_salience->restoreViewState(view.value(QStringLiteral("heatmap")).toObject());
    const QJsonObject training = view.value(QStringLiteral("training")).toObject();
    const QJsonArray rows = training.value(QStringLiteral("points")).toArray();
    if (!rows.isEmpty() && m_training->points().isEmpty()) {
        QVector<TrainingPoint> points;
        for (const QJsonValue &v : rows) {
            const QJsonArray r = v.toArray();
            if (r.size() != 4)
                continue;
            TrainingPoint t;
            t.batch = qint64(r[0].toDouble());
            t.epoch = r[1].toDouble();
            t.loss = r[2].toDouble();
            t.accuracy = r[3].isDouble() ? r[3].toDouble() : std::nan("");
            points.push_back(t);
        }
        m_training->setTitle(training.value(QStringLiteral("title")).toString());
        m_training->addPoints(points);
        m_trainingJob = -1;
    }
    const QJsonObject selected = view.value(QStringLiteral("selected")).toObject();
    if (!selected.isEmpty()) {
        const int column = m_controller->layout().column(
            NeuronId{selected.value(QStringLiteral("layer")).toInt(-1),
                     selected.value(QStringLiteral("unit")).toInt(-1)});
        if (column >= 0)
            m_controller->selectColumn(column);
    }
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

} // namespace salient::ui
