#include "salient/ui/mainwindow.h"

#include "salient/io/isolation.h"

#include "salient/analyses/analyses.h"
#include "salient/analyses/corpusanalysis.h"
#include "salient/data/demo.h"
#include "salient/probe/ranking.h"
#include "salient/probe/salience.h"
#include "salient/ui/export/report.h"
#include "salient/ui/jobs/jobrunner.h"
#include "salient/ui/jobs/jobsdock.h"
#include "salient/ui/plotting/curvescanvas.h"
#include "salient/ui/plotting/layerbarscanvas.h"
#include "salient/ui/plotting/salienceheatmapcanvas.h"
#include "salient/ui/plotting/trainingcurvecanvas.h"
#include "salient/ui/views/comparedock.h"
#include "salient/ui/views/datadock.h"
#include "salient/ui/views/neuroninspector.h"
#include "salient/ui/views/probesettings.h"
#include "salient/ui/views/wordactivationview.h"
#include "salient/util/error.h"

#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QElapsedTimer>
#include <QFileDialog>
#include <QFileInfo>
#include <QFutureWatcher>
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
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableWidget>
#include <QThread>
#include <QTimer>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>
#include <cmath>

namespace salient::ui {

namespace {

QString recoveryPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)
           + QStringLiteral("/recovery/session.json");
}

/// Version of the dock layout stored in QSettings ("window/state"). Bump it whenever the
/// default docks or their default sizes change, so an older saved state does not override them.
constexpr int kLayoutVersion = 2;

/// What a background neuron-profile computation returns to the GUI thread.
struct ProfileResult {
    NeuronInfo info;
    NeuronProfile profile;
    WordActivationData words;
};

/// A QTableWidget as CSV (header row, then the cells' display text).
QByteArray tableCsv(const QTableWidget *t)
{
    auto field = [](const QString &v) {
        QByteArray b = v.toUtf8();
        if (b.contains(',') || b.contains('"') || b.contains('\n')) {
            b.replace("\"", "\"\"");
            b = '"' + b + '"';
        }
        return b;
    };
    QByteArray out;
    for (int c = 0; c < t->columnCount(); ++c) {
        const QTableWidgetItem *h = t->horizontalHeaderItem(c);
        out += (c ? "," : "") + field(h ? h->text() : QString::number(c));
    }
    out += '\n';
    for (int r = 0; r < t->rowCount(); ++r) {
        for (int c = 0; c < t->columnCount(); ++c) {
            const QTableWidgetItem *i = t->item(r, c);
            out += (c ? "," : "") + field(i ? i->text() : QString());
        }
        out += '\n';
    }
    return out;
}

QJsonObject inputJson(const InputFile &f)
{
    QJsonObject o;
    o[QStringLiteral("path")] = f.path;
    o[QStringLiteral("size")] = double(f.size);
    o[QStringLiteral("fingerprint")] = f.fingerprint;
    if (!f.sha256.isEmpty())
        o[QStringLiteral("sha256")] = f.sha256;
    return o;
}

/// Which Open-data field a dropped file fills: 0 activations, 1 tokens, 2 labels, −1 unknown.
int dataRole(const QFileInfo &fi)
{
    const QString suffix = fi.suffix().toLower();
    if (suffix == QLatin1String("hdf5") || suffix == QLatin1String("h5")
        || suffix == QLatin1String("json") || suffix == QLatin1String("jsonl"))
        return 0;
    if (suffix == QLatin1String("txt") || suffix == QLatin1String("tsv")
        || suffix == QLatin1String("conll") || suffix.isEmpty()) {
        const QString name = fi.fileName().toLower();
        return name.contains(QLatin1String("label")) || name.contains(QLatin1String("tag")) ? 2 : 1;
    }
    return -1;
}

/// Split of a dropped file from its name: 1 dev, 2 test, 0 train (default).
int dataSplit(const QFileInfo &fi)
{
    const QString name = fi.fileName().toLower();
    if (name.contains(QLatin1String("dev")) || name.contains(QLatin1String("valid")))
        return 1;
    if (name.contains(QLatin1String("test")))
        return 2;
    return 0;
}

/// True when @p path is a Salient session file ("format": "salient-session"). Reads at most
/// 64 KiB, or the whole file when it is at most 16 MiB (NeuroX JSON-lines activations are
/// usually larger and never carry that key).
bool looksLikeSession(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return false;
    const QByteArray head = f.peek(1 << 16);
    if (!head.trimmed().startsWith('{'))
        return false;
    if (head.contains("\"salient-session\""))
        return true;
    if (f.size() > (16 << 20))
        return false;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll());
    return doc.isObject()
           && doc.object().value(QStringLiteral("format")).toString()
                  == QLatin1String("salient-session");
}

} // namespace

MainWindow::MainWindow(QWidget *parent) : QMainWindow(parent)
{
    setWindowTitle(tr("Salient"));
    resize(1400, 900);
    setDockNestingEnabled(true);
    m_jobs = new JobRunner(this);

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

    // Heatmap with its controls: label (all or one), value (weight share or rank), order, top-k.
    auto *heat = new QWidget(this);
    auto *heatLayout = new QVBoxLayout(heat);
    heatLayout->setContentsMargins(2, 2, 2, 2);
    auto *heatBar = new QHBoxLayout;
    m_heatLabel = new QComboBox(heat);
    m_heatLabel->setObjectName(QStringLiteral("heatmapLabel"));
    m_heatValue = new QComboBox(heat);
    m_heatValue->addItems({tr("share of weight mass"), tr("rank score (1 − rank/N)")});
    m_heatOrder = new QComboBox(heat);
    m_heatOrder->addItems({tr("neurons by index"), tr("sorted by salience in each layer")});
    m_heatTopK = new QSpinBox(heat);
    m_heatTopK->setRange(0, 1 << 20);
    m_heatTopK->setSpecialValueText(tr("all"));
    m_heatTopK->setObjectName(QStringLiteral("heatmapTopK"));
    heatBar->addWidget(new QLabel(tr("Label"), heat));
    heatBar->addWidget(m_heatLabel);
    heatBar->addWidget(m_heatValue);
    heatBar->addWidget(m_heatOrder);
    heatBar->addWidget(new QLabel(tr("top-k"), heat));
    heatBar->addWidget(m_heatTopK);
    m_heatMass = new QDoubleSpinBox(heat);
    m_heatMass->setObjectName(QStringLiteral("heatmapMass"));
    m_heatMass->setRange(0.0, 100.0);
    m_heatMass->setDecimals(1);
    m_heatMass->setSingleStep(5.0);
    m_heatMass->setSuffix(QStringLiteral(" %"));
    m_heatMass->setSpecialValueText(tr("all"));
    m_heatMass->setToolTip(
        tr("Show only the most salient neurons that together hold this share of the "
           "probe's weight mass (the neuron crossing it included); with top-k, both apply"));
    heatBar->addWidget(new QLabel(tr("cumulative mass"), heat));
    heatBar->addWidget(m_heatMass);
    heatBar->addStretch();
    heatLayout->addLayout(heatBar);
    m_heatmap = new SalienceHeatmapCanvas(heat);
    heatLayout->addWidget(m_heatmap, 1);
    for (QComboBox *c : {m_heatLabel, m_heatValue, m_heatOrder})
        connect(c, &QComboBox::currentIndexChanged, this, &MainWindow::refreshHeatmap);
    connect(m_heatTopK, &QSpinBox::valueChanged, this, &MainWindow::refreshHeatmap);
    connect(m_heatMass, &QDoubleSpinBox::valueChanged, this, &MainWindow::refreshHeatmap);
    m_layers = new LayerBarsCanvas(this);
    auto *ablation = new QWidget(this);
    auto *abLayout = new QVBoxLayout(ablation);
    m_curves = new CurvesCanvas(ablation);
    m_selectivity = new QLabel(ablation);
    m_selectivity->setTextFormat(Qt::PlainText);
    abLayout->addWidget(m_curves, 1);
    abLayout->addWidget(m_selectivity);
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
    wordsLayout->addLayout(searchBar);
    m_words = new WordActivationView(wordsBox);
    wordsLayout->addWidget(m_words, 1);
    connect(m_search, &QLineEdit::textChanged, this, [this](const QString &text) {
        const int n = m_words->search(text);
        m_searchCount->setText(text.isEmpty() ? QString() : tr("%n match(es)", nullptr, n));
    });
    connect(m_search, &QLineEdit::returnPressed, this, [this] { m_words->nextMatch(); });
    m_inspector = new NeuronInspector(this);
    m_training = new TrainingCurveCanvas(this);
    m_training->setTitle(tr("Probe training (live)"));
    m_training->setMinimumHeight(160);
    m_compare = new CompareDock(this);

    auto *central = new QLabel(this);
    central->setMaximumSize(0, 0);
    setCentralWidget(central);
    addView(tr("Data"), QStringLiteral("data"), m_data, Qt::LeftDockWidgetArea);
    addView(tr("Run"), QStringLiteral("run"), run, Qt::LeftDockWidgetArea);
    addView(tr("Salience heatmap"), QStringLiteral("heatmap"), heat, Qt::RightDockWidgetArea);
    addView(tr("Per-word activations"), QStringLiteral("words"), wordsBox, Qt::RightDockWidgetArea);
    addView(tr("Layer distribution"), QStringLiteral("layers"), m_layers, Qt::BottomDockWidgetArea);
    addView(tr("Ablation and minimal subset"), QStringLiteral("ablation"), ablation,
            Qt::BottomDockWidgetArea);
    addView(tr("Neuron inspector"), QStringLiteral("inspector"), m_inspector,
            Qt::BottomDockWidgetArea);
    addView(tr("Training curve"), QStringLiteral("training"), m_training, Qt::LeftDockWidgetArea);
    addView(tr("Compare"), QStringLiteral("compare"), m_compare, Qt::BottomDockWidgetArea);
    // The training curve below Data/Run (split before tabifying: a split of a tabbed dock
    // would become another tab), Compare tabbed with the curves.
    splitDockWidget(m_docks[0], m_docks[7], Qt::Vertical);
    tabifyDockWidget(m_docks[0], m_docks[1]);
    m_docks[1]->raise();
    tabifyDockWidget(m_docks[5], m_docks[8]);
    m_docks[5]->raise();
    m_defaultState = saveState(kLayoutVersion);
    buildMenus();
    setAcceptDrops(true);

    connect(m_heatmap, &SalienceHeatmapCanvas::neuronClicked, this, &MainWindow::selectNeuron);
    connect(m_words, &WordActivationView::tokensSelected, this, &MainWindow::highlightTokens);
    connect(m_data, &DataDock::demoRequested, this, [this] { loadDemo(); });
    connect(m_data, &DataDock::openFilesRequested, this, [this] {
        OpenDataDialog dialog(this);
        if (dialog.exec() == QDialog::Accepted)
            loadFiles(dialog.inputs());
    });
    connect(m_jobs, &JobRunner::trainingProgressed, this, &MainWindow::onTrainingPoints);
    connect(m_compare, &CompareDock::loadRequested, this,
            [this](const QString &path) { loadCompareSession(path); });
    connect(m_compare, &CompareDock::exportFailed, this, &MainWindow::reportError);
    connect(m_jobs, &JobRunner::finished, this,
            [this](int, JobStatus status, const QString &message) {
                if (status == JobStatus::Failed || status == JobStatus::OutOfMemory)
                    reportError(message.isEmpty() ? jobStatusText(status) : message);
                statusBar()->showMessage(
                    tr("Job %1%2")
                        .arg(jobStatusText(status),
                             message.isEmpty() ? QString() : QStringLiteral(": ") + message),
                    8000);
            });

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

void MainWindow::buildMenus()
{
    auto *file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("Open &data files…"), QKeySequence(tr("Ctrl+D")), this, [this] {
        OpenDataDialog dialog(this);
        if (dialog.exec() == QDialog::Accepted)
            loadFiles(dialog.inputs());
    });
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
        const QString f = QFileDialog::getSaveFileName(this, tr("Save session"), m_sessionPath,
                                                       tr("Salient session (*.json)"));
        if (!f.isEmpty())
            saveSessionAs(f);
    });
    file->addAction(tr("&Save session"), QKeySequence::Save, this, [this] {
        if (m_sessionPath.isEmpty()) {
            const QString f = QFileDialog::getSaveFileName(this, tr("Save session"), {},
                                                           tr("Salient session (*.json)"));
            if (!f.isEmpty())
                saveSessionAs(f);
        } else {
            saveSessionAs(m_sessionPath);
        }
    });
    file->addAction(tr("Recover &unsaved session"), this, [this] {
        if (QFileInfo::exists(recoveryPath()))
            openSession(recoveryPath());
        else
            reportError(tr("There is no recovered session."));
    });
    file->addSeparator();
    file->addAction(tr("&Export figure of the heatmap…"), QKeySequence(tr("Ctrl+E")), this,
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
    run->addAction(tr("Cancel &all jobs"), QKeySequence(tr("Ctrl+Shift+K")), m_jobs,
                   &JobRunner::cancelAll);
    auto *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Salient"), this, [this] {
        QMessageBox::about(
            this, tr("About Salient"),
            tr("Salient %1\nNeuron-level interpretability of NLP models: Linguistic Correlation "
               "Analysis (Durrani, Dalvi, Sajjad, JMLR 2023), compatible with NeuroX.")
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
    auto result = std::make_shared<std::shared_ptr<LoadedTask>>();
    auto description = std::make_shared<QString>();
    const DatasetOptions dopt = m_session.dataOptions;
    const int id =
        m_jobs->start(tr("Load demo dataset"), [result, description, dopt](JobContext &ctx) {
            ctx.report(0.1, QStringLiteral("generating"));
            const DemoDataset demo = makeDemoDataset();
            *description = demo.description;
            *result = std::make_shared<LoadedTask>(loadDemoTask(demo, QStringLiteral("pos"), dopt));
            return JobStatus::Ok;
        });
    connect(
        m_jobs, &JobRunner::finished, this,
        [this, id, result, description](int done, JobStatus status) {
            if (done != id || status != JobStatus::Ok)
                return;
            m_session = Session{};
            m_session.demo = true;
            m_sessionPath.clear();
            setTask(*result, tr("built-in demo dataset (SYNTHETIC)"), *description);
            setWindowTitle(tr("Salient — built-in demo dataset (synthetic)"));
        },
        Qt::SingleShotConnection);
    return id;
}

int MainWindow::loadFiles(const TaskInputs &inputs)
{
    auto result = std::make_shared<std::shared_ptr<LoadedTask>>();
    const int id = m_jobs->start(
        tr("Load %1").arg(QFileInfo(inputs.train.activations).fileName()),
        [result, inputs](JobContext &ctx) {
            // The HDF5 library can crash or hang on some malformed
            // files: read each activation file's metadata in a child
            // process first, so such a file costs an error dialog, not
            // the session. Without a checker binary, load in-process.
            for (const SplitPaths *sp : {&inputs.train, &inputs.dev, &inputs.test}) {
                if (!sp->isSet())
                    continue;
                ctx.report(0.0, QStringLiteral("checking %1 in a separate process")
                                    .arg(QFileInfo(sp->activations).fileName()));
                const IsolatedCheck check = checkFileInChildProcess(sp->activations, 60000);
                if (check.result == IsolatedCheck::Result::BadInput
                    || check.result == IsolatedCheck::Result::Crashed
                    || check.result == IsolatedCheck::Result::TimedOut)
                    throw Error(check.message);
                if (ctx.cancelled())
                    return JobStatus::Cancelled;
            }
            *result = std::make_shared<LoadedTask>(loadTask(
                inputs, [&ctx](double f) { return ctx.report(f, QStringLiteral("reading")); }));
            return JobStatus::Ok;
        });
    connect(
        m_jobs, &JobRunner::finished, this,
        [this, id, result, inputs](int done, JobStatus status) {
            if (done != id || status != JobStatus::Ok)
                return;
            m_session = Session{};
            m_session.dataOptions = inputs.options;
            const std::pair<QString, const SplitPaths *> splits[] = {
                {QStringLiteral("train"), &inputs.train},
                {QStringLiteral("dev"), &inputs.dev},
                {QStringLiteral("test"), &inputs.test}};
            try {
                for (const auto &[name, p] : splits)
                    if (p->isSet())
                        m_session.splits[name] = {describeInput(p->activations),
                                                  describeInput(p->tokens),
                                                  describeInput(p->labels)};
            } catch (const Error &e) {
                reportError(e.message());
            }
            m_sessionPath.clear();
            setTask(*result, inputs.train.activations, {});
            setWindowTitle(tr("Salient — %1").arg(QFileInfo(inputs.train.activations).fileName()));
            // Full SHA-256 of the inputs in the background, recorded in the session when done.
            auto hashed = std::make_shared<Session>(m_session);
            const int hashJob =
                m_jobs->start(tr("Checksum inputs (SHA-256)"), [hashed](JobContext &) {
                    hashInputsInBackground(*hashed).get();
                    return JobStatus::Ok;
                });
            connect(
                m_jobs, &JobRunner::finished, this,
                [this, hashJob, hashed](int doneId, JobStatus st) {
                    if (doneId != hashJob || st != JobStatus::Ok)
                        return;
                    for (auto &[name, files] : m_session.splits) {
                        const auto it = hashed->splits.find(name);
                        if (it == hashed->splits.end())
                            continue;
                        for (size_t k = 0; k < files.size(); ++k)
                            if (files[k].path == it->second[k].path)
                                files[k].sha256 = it->second[k].sha256;
                    }
                },
                Qt::SingleShotConnection);
        },
        Qt::SingleShotConnection);
    return id;
}

int MainWindow::openSession(const QString &path)
{
    SessionCheck check;
    Session loaded;
    try {
        loaded = loadSession(path, &check);
    } catch (const Error &e) {
        reportError(e.message());
        return -1;
    }
    if (!check.ok())
        reportError(tr("Inputs changed since the session was saved:\n%1")
                        .arg(check.changedInputs.join(QLatin1Char('\n'))));
    auto result = std::make_shared<std::shared_ptr<LoadedTask>>();
    auto session = std::make_shared<Session>(std::move(loaded));
    const int id = m_jobs->start(
        tr("Open session %1").arg(QFileInfo(path).fileName()), [result, session](JobContext &ctx) {
            *result = std::make_shared<LoadedTask>(loadSessionData(
                *session, [&ctx](double f) { return ctx.report(f, QStringLiteral("reading")); }));
            return JobStatus::Ok;
        });
    connect(
        m_jobs, &JobRunner::finished, this,
        [this, id, result, session, path](int done, JobStatus status) {
            if (done != id || status != JobStatus::Ok)
                return;
            m_session = *session;
            m_sessionPath = path == recoveryPath() ? QString() : path;
            m_settings->setOptions(m_session.probeOptions);
            setTask(*result, path,
                    m_session.demo ? tr("built-in demo dataset (SYNTHETIC)") : QString());
            // Show the stored results.
            if (m_session.arrays.count(QStringLiteral("probe/W")))
                showProbe();
            updateCurves();
            setWindowTitle(tr("Salient — %1").arg(QFileInfo(path).fileName()));
            if (path != recoveryPath())
                addRecent(path);
        },
        Qt::SingleShotConnection);
    return id;
}

bool MainWindow::saveSessionAs(const QString &path)
{
    try {
        m_session.probeOptions = m_settings->options();
        saveSession(path, m_session);
        m_sessionPath = path;
        addRecent(path);
        statusBar()->showMessage(tr("Saved %1").arg(path), 5000);
        return true;
    } catch (const Error &e) {
        reportError(e.message());
        return false;
    }
}

void MainWindow::addRecent(const QString &path)
{
    QSettings s;
    QStringList r = s.value(QStringLiteral("recent")).toStringList();
    r.removeAll(path);
    r.prepend(path);
    s.setValue(QStringLiteral("recent"), r.mid(0, 10));
}

void MainWindow::setTask(std::shared_ptr<LoadedTask> task, const QString &source,
                         const QString &description)
{
    m_task = std::move(task);
    m_probe.reset();
    m_ordering.clear();
    m_selected = -1;
    ++m_profileGeneration; // a profile still computing belongs to the old data
    m_profilePending = false;
    m_inspector->setBusy(false);
    m_data->showTask(*m_task, source, description);
    m_curves->clear();
    m_selectivity->clear();
    Q_EMIT dataLoaded();
}

int MainWindow::runAnalysisJob(const QString &name, const QJsonObject &options)
{
    if (!m_task) {
        reportError(tr("Load data first (File › Open data files, or the built-in demo)."));
        return -1;
    }
    ProbeOptions po = m_settings->options();
    po.regression = m_session.dataOptions.task == TaskType::Regression;
    try {
        po.validate();
    } catch (const Error &e) {
        reportError(e.message());
        return -1;
    }
    auto task = m_task;
    auto session = std::make_shared<Session>(m_session);
    auto out = std::make_shared<AnalysisOutput>();
    const bool live = name == QLatin1String("probe") && task->train;
    // Streamed / float16 data: the job title says so (its progress is then the reading progress).
    const QString jobTitle =
        task->storage.mode == StorageMode::Float32
            ? name
            : QStringLiteral("%1 · %2").arg(name, task->storage.mode == StorageMode::Streamed
                                                      ? tr("streamed from disk")
                                                      : tr("float16"));
    const int id = m_jobs->start(jobTitle, [task, session, out, po, name, options,
                                            live](JobContext &ctx) {
        AnalysisContext ac;
        ac.task = task.get();
        ac.probe = po;
        ac.session = session.get();
        if (live) {
            // Per-batch loss and accuracy feed the live curve and the job's progress; the
            // pipeline's own coarse progress then only carries cancellation.
            ac.onBatch = ctx.trainCallback(0.0, 1.0);
            ac.progress = [&ctx](double, const QString &) { return !ctx.cancelled(); };
        } else {
            ac.progress = [&ctx](double f, const QString &stage) { return ctx.report(f, stage); };
        }
        *out = runAnalysis(name, options, ac);
        return toJobStatus(out->status);
    });
    if (live) {
        m_training->clear();
        m_training->setTitle(tr("Probe training (live) · λ1 %1 · λ2 %2 · seed %3")
                                 .arg(po.l1)
                                 .arg(po.l2)
                                 .arg(po.seed));
        m_trainingJob = id;
    }
    connect(
        m_jobs, &JobRunner::finished, this,
        [this, id, session, out, name, options, po, task](int done, JobStatus status) {
            if (done != id || status != JobStatus::Ok || task != m_task)
                return;
            m_session.probeOptions = po;
            if (!m_session.analyses.contains(name))
                m_session.analyses << name;
            m_session.analysisOptions[name] = options;
            m_session.results[name] = out->json;
            for (auto &[k, v] : session->arrays)
                m_session.arrays[k] = v;
            onAnalysisDone(name, *out);
        },
        Qt::SingleShotConnection);
    return id;
}

void MainWindow::onAnalysisDone(const QString &name, const AnalysisOutput &)
{
    if (name == QLatin1String("probe"))
        showProbe();
    updateCurves();
    autosave();
    Q_EMIT analysisFinished(name);
}

void MainWindow::autosave()
{
    const QString path = recoveryPath();
    QDir().mkpath(QFileInfo(path).absolutePath());
    try {
        saveSession(path, m_session);
    } catch (const Error &) {
        // Recovery is best effort; the user's own session files are untouched.
    }
}

void MainWindow::showProbe()
{
    if (!m_task || !m_task->train || !m_session.arrays.count(QStringLiteral("probe/W")))
        return;
    const Dataset &train = *m_task->train;
    Probe p;
    p.W = m_session.arrays.at(QStringLiteral("probe/W"));
    if (p.W.cols() != train.neurons())
        return; // stored for another layer selection
    p.b = m_session.arrays.count(QStringLiteral("probe/b"))
              ? VectorF(m_session.arrays.at(QStringLiteral("probe/b")).row(0).transpose())
              : VectorF::Zero(p.W.rows());
    p.labels = m_task->vocab.names;
    p.regression = p.labels.isEmpty();
    for (int c = 0; c < train.neurons(); ++c)
        p.columns.push_back(c);
    m_probe = p;
    {
        const QSignalBlocker block(m_heatLabel);
        m_heatLabel->clear();
        m_heatLabel->addItem(tr("all labels"));
        m_heatLabel->addItems(p.labels);
    }
    refreshHeatmap();
    const QStringList labels = p.labels;
    const MatrixF W = p.W;
    const Dataset *ds = &train;
    m_heatmap->setClassWeightProvider([W, labels, ds](int flat) {
        const int c = columnOfFlat(*ds, flat);
        if (c < 0 || labels.isEmpty())
            return QString();
        std::vector<int> order(size_t(W.rows()));
        std::iota(order.begin(), order.end(), 0);
        std::sort(order.begin(), order.end(),
                  [&](int a, int b) { return std::abs(W(a, c)) > std::abs(W(b, c)); });
        QStringList parts;
        for (size_t i = 0; i < std::min<size_t>(3, order.size()); ++i)
            parts << QStringLiteral("%1 %2")
                         .arg(labels[order[i]])
                         .arg(double(W(order[i], c)), 0, 'f', 3);
        return parts.join(QStringLiteral(", "));
    });
    m_ordering = fullOrdering(p.W.cwiseAbs(), 100);
    const int k = std::max(1, train.neurons() / 20);
    m_layers->setDistribution(layerDistribution(train, m_ordering, k), tr("top %1 (5 %)").arg(k));
    if (!m_ordering.empty())
        selectNeuron(flatNeuron(train, m_ordering.front()));
    refreshCompareSideA();
}

void MainWindow::refreshHeatmap()
{
    if (!m_probe || !m_task || !m_task->train)
        return;
    const Dataset &train = *m_task->train;
    const int label = std::max(0, m_heatLabel->currentIndex()) - 1;
    const SalienceMode mode =
        m_heatValue->currentIndex() == 1 ? SalienceMode::Rank : SalienceMode::WeightShare;
    const SalienceMatrix s = salienceMatrix(*m_probe, train.layerIds, train.dims, label, mode);
    m_heatmap->setMatrix(s, mode);
    m_heatmap->setOrder(m_heatOrder->currentIndex() == 1 ? SalienceHeatmapCanvas::Order::BySalience
                                                         : SalienceHeatmapCanvas::Order::ByIndex);
    // Thresholds: top-k (core's ranks) and/or cumulative weight mass (core's
    // withinCumulativeMass); with both, a neuron is shown when it passes both.
    const int k = m_heatTopK->value();
    const double mass = m_heatMass->value() / 100.0;
    if (k > 0 && mass > 0) {
        NeuronList a = SalienceHeatmapCanvas::topK(s, k), b = withinCumulativeMass(s, mass), both;
        std::sort(a.begin(), a.end());
        std::sort(b.begin(), b.end());
        std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(both));
        m_heatmap->setKeptNeurons(both);
    } else if (k > 0) {
        m_heatmap->setKeptNeurons(SalienceHeatmapCanvas::topK(s, k));
    } else if (mass > 0) {
        m_heatmap->setKeptNeurons(withinCumulativeMass(s, mass));
    } else {
        m_heatmap->clearKeptNeurons();
    }
    if (m_selected >= 0)
        m_heatmap->selectNeuron(m_selected);
}

void MainWindow::updateCurves()
{
    bool any = false;
    const CurvesData d = curvesFromSession(m_session, &any);
    if (any)
        m_curves->setData(d);
    const QJsonObject sel = m_session.results.value(QStringLiteral("selectivity")).toObject();
    if (!sel.isEmpty()) {
        QStringList parts;
        for (const QJsonValue v : sel.value(QStringLiteral("sets")).toArray()) {
            const QJsonObject o = v.toObject();
            parts << tr("%1 (%2 neurons): task %3, control %4, selectivity %5")
                         .arg(o.value(QStringLiteral("set")).toString())
                         .arg(o.value(QStringLiteral("neurons")).toInt())
                         .arg(o.value(QStringLiteral("task_accuracy")).toDouble(), 0, 'f', 3)
                         .arg(o.value(QStringLiteral("control_accuracy")).toDouble(), 0, 'f', 3)
                         .arg(o.value(QStringLiteral("selectivity")).toDouble(), 0, 'f', 3);
        }
        m_selectivity->setText(
            tr("Selectivity on %1 — ").arg(sel.value(QStringLiteral("split")).toString())
            + parts.join(QStringLiteral(" · ")));
    }
}

void MainWindow::selectNeuron(int flat)
{
    if (!m_task || !m_task->train)
        return;
    const Dataset &train = *m_task->train;
    const int column = columnOfFlat(train, flat);
    if (column < 0)
        return;
    m_selected = flat;
    m_heatmap->selectNeuron(flat);
    // The profile (a pass over every token) and the per-label ranks run on a pool thread; the
    // inspector keeps the previous neuron with a busy hint. A result whose generation is no
    // longer current (the selection moved on) is dropped.
    const quint64 generation = ++m_profileGeneration;
    m_profilePending = true;
    m_inspector->setBusy(true);
    const std::shared_ptr<LoadedTask> task = m_task;
    const std::optional<Probe> probe = m_probe;
    const NeuronList ordering = m_ordering;
    const QString title = tr("Layer %1 · neuron %2 (flat %3): most activating sentences")
                              .arg(flat / train.dims)
                              .arg(flat % train.dims)
                              .arg(flat);
    auto *watcher = new QFutureWatcher<ProfileResult>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, generation, flat, task] {
        watcher->deleteLater();
        if (generation != m_profileGeneration || task != m_task) {
            ++m_staleProfiles;
            return;
        }
        m_profilePending = false;
        m_inspector->setBusy(false);
        try {
            ProfileResult r = watcher->result();
            m_inspector->setNeuron(r.info, r.profile);
            m_words->setData(std::move(r.words));
        } catch (const std::exception &e) {
            reportError(tr("Neuron profile failed: %1").arg(QString::fromLocal8Bit(e.what())));
            return;
        }
        Q_EMIT neuronProfileReady(flat);
    });
    watcher->setFuture(QtConcurrent::run([task, probe, ordering, column, title] {
        const Dataset &ds = *task->train;
        NeuronProfileOptions po;
        po.words.maxWords = 20;
        po.sentences.count = 12;
        ProfileResult r;
        const bool inMemory = ds.storage == StorageMode::Float32;
        if (inMemory) // profiles read columns of X: float32 in memory only (core says why
                      // otherwise)
            r.profile =
                neuronProfile(ds, column, probe && !probe->regression ? &task->vocab : nullptr, po);
        r.info = neuronInfoFor(ds, column, probe ? &*probe : nullptr);
        if (probe) {
            r.info.neuronCount = ds.neurons();
            const auto it = std::find(ordering.begin(), ordering.end(), column);
            r.info.globalRank = it == ordering.end() ? 0 : int(it - ordering.begin()) + 1;
            const MatrixF A = probe->W.cwiseAbs();
            for (int c = 0; c < A.rows(); ++c) {
                const NeuronList rk = classRanking(A, c);
                r.info.labelRanks.push_back(
                    int(std::find(rk.begin(), rk.end(), column) - rk.begin()) + 1);
            }
        }
        if (inMemory) {
            r.words = wordDataFromTopSentences(ds, column, r.profile.sentences, &task->vocab);
            r.words.title = title;
        } else {
            r.words.title =
                QObject::tr("Per-word activations need the activations in memory as float32; this "
                            "data is held as %1. Reload it with storage \"In memory, float32\".")
                    .arg(storageModeName(ds.storage));
        }
        return r;
    }));
    statusBar()->showMessage(tr("Neuron %1 (layer %2, index %3)")
                                 .arg(flat)
                                 .arg(flat / train.dims)
                                 .arg(flat % train.dims),
                             5000);
    Q_EMIT neuronSelected(flat);
}

void MainWindow::highlightTokens(const QVector<int> &rows)
{
    if (!m_task || !m_task->train || rows.isEmpty())
        return;
    const Dataset &train = *m_task->train;
    if (train.storage != StorageMode::Float32)
        return; // token rows are not in memory (float16 / streamed)
    // The neurons most active on the selected tokens: largest mean |activation|.
    Eigen::VectorXd mean = Eigen::VectorXd::Zero(train.neurons());
    for (int r : rows)
        if (r >= 0 && r < train.rows())
            mean += train.X.row(r).transpose().cast<double>().cwiseAbs();
    std::vector<int> order(size_t(train.neurons()));
    std::iota(order.begin(), order.end(), 0);
    const size_t k = std::min<size_t>(10, order.size());
    std::partial_sort(order.begin(), order.begin() + long(k), order.end(),
                      [&](int a, int b) { return mean[a] > mean[b]; });
    NeuronList keep;
    for (size_t i = 0; i < k; ++i)
        keep.push_back(flatNeuron(train, order[i]));
    m_heatmap->setKeptNeurons(keep);
    statusBar()->showMessage(
        tr("Heatmap: the %1 neurons most active on the selected tokens").arg(k), 8000);
}

void MainWindow::exportCurrentView()
{
    const QString f = QFileDialog::getSaveFileName(this, tr("Export figure"), {},
                                                   tr("PNG (*.png);;SVG (*.svg);;PDF (*.pdf)"));
    if (f.isEmpty())
        return;
    QString error;
    if (!m_heatmap->exportFigure(f, 1600, 900, 300, &error))
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

namespace {

/// "folder/file.json": enough to tell two sessions apart in legends.
QString shortName(const QString &path)
{
    const QFileInfo fi(path);
    return fi.absoluteDir().dirName() + QLatin1Char('/') + fi.fileName();
}

} // namespace

int MainWindow::loadCompareSession(const QString &path)
{
    if (!m_session.arrays.count(QStringLiteral("probe/W"))
        || !m_session.results.contains(QStringLiteral("probe"))) {
        reportError(tr(
            "Train a probe (or open a session with one) before comparing with another session."));
        return -1;
    }
    auto a = std::make_shared<Session>(m_session);
    auto sides = std::make_shared<std::pair<CompareSide, CompareSide>>();
    const QString pathA = m_sessionPath;
    const QString nameA = pathA.isEmpty() ? tr("open session") : shortName(pathA);
    const int id = m_jobs->start(
        tr("Compare with %1").arg(QFileInfo(path).fileName()),
        [a, sides, path, pathA, nameA](JobContext &ctx) {
            ctx.report(0.1, QStringLiteral("reading %1").arg(QFileInfo(path).fileName()));
            const Session b = loadSession(path);
            if (!ctx.report(0.5, QStringLiteral("ranking")))
                return JobStatus::Cancelled;
            sides->first = compareSideFromSession(*a, nameA, pathA);
            sides->second = compareSideFromSession(b, shortName(path), path);
            return JobStatus::Ok;
        });
    connect(
        m_jobs, &JobRunner::finished, this,
        [this, id, sides](int done, JobStatus status) {
            if (done != id || status != JobStatus::Ok)
                return;
            m_compare->setSides(sides->first, sides->second);
            for (QDockWidget *d : m_docks)
                if (d->widget() == m_compare) {
                    d->show();
                    d->raise();
                }
            Q_EMIT comparisonReady();
        },
        Qt::SingleShotConnection);
    return id;
}

void MainWindow::refreshCompareSideA()
{
    if (!m_compare->hasComparison() || !m_session.arrays.count(QStringLiteral("probe/W")))
        return;
    auto a = std::make_shared<Session>(m_session);
    auto side = std::make_shared<CompareSide>();
    const QString pathA = m_sessionPath;
    const QString nameA = pathA.isEmpty() ? tr("open session") : shortName(pathA);
    const int id =
        m_jobs->start(tr("Compare: rank the new probe"), [a, side, pathA, nameA](JobContext &) {
            *side = compareSideFromSession(*a, nameA, pathA);
            return JobStatus::Ok;
        });
    connect(
        m_jobs, &JobRunner::finished, this,
        [this, id, side](int done, JobStatus status) {
            if (done != id || status != JobStatus::Ok)
                return;
            m_compare->setSideA(*side);
            Q_EMIT comparisonReady();
        },
        Qt::SingleShotConnection);
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

OpenDataDialog *MainWindow::pendingDataDialog() const
{
    return qobject_cast<OpenDataDialog *>(m_dropDialog.data());
}

QString MainWindow::openDroppedFiles(const QStringList &paths)
{
    QString session;
    TaskInputs inputs;
    SplitPaths *splits[] = {&inputs.train, &inputs.dev, &inputs.test};
    QStringList unknown, used;
    bool anyData = false;
    for (const QString &p : paths) {
        const QFileInfo fi(p);
        if (!fi.isFile()) {
            unknown << fi.fileName();
            continue;
        }
        const QString suffix = fi.suffix().toLower();
        if (suffix == QLatin1String("json") && looksLikeSession(fi.absoluteFilePath())) {
            if (session.isEmpty())
                session = fi.absoluteFilePath();
            continue;
        }
        const int role = dataRole(fi);
        if (role < 0) {
            unknown << fi.fileName();
            continue;
        }
        SplitPaths &sp = *splits[dataSplit(fi)];
        QString *field[] = {&sp.activations, &sp.tokens, &sp.labels};
        *field[role] = fi.absoluteFilePath();
        used << fi.fileName();
        anyData = true;
    }
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

bool MainWindow::exportReport(const QString &dirPath, QString *error)
{
    auto fail = [&](const QString &message) {
        if (error)
            *error = message;
        reportError(message);
        return false;
    };
    if (!m_task)
        return fail(tr("Nothing to report: load data (and run an analysis) first."));
    const QFileInfo target(QDir::cleanPath(QFileInfo(dirPath).absoluteFilePath()));
    const QString name = target.fileName();
    QDir parent = target.absoluteDir();
    if (name.isEmpty())
        return fail(tr("%1: not a valid report folder name").arg(dirPath));
    if (!parent.exists() && !QDir().mkpath(parent.absolutePath()))
        return fail(tr("%1: cannot create the parent folder").arg(parent.absolutePath()));
    bool replace = false;
    if (target.exists()) {
        if (!target.isDir())
            return fail(tr("%1 exists and is not a folder").arg(target.filePath()));
        const QDir existing(target.filePath());
        const bool empty = existing.isEmpty(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden);
        const bool earlierReport = existing.exists(QStringLiteral("index.html"))
                                   && existing.exists(QStringLiteral("params.json"));
        if (!empty && !earlierReport)
            return fail(tr("%1 exists and is not empty (and is not an earlier Salient report): "
                           "choose a new folder")
                            .arg(target.filePath()));
        replace = true;
    }
    const QString suffix = QString::number(QCoreApplication::applicationPid());
    const QString staging = parent.filePath(QStringLiteral(".%1.partial-%2").arg(name, suffix));
    QDir(staging).removeRecursively();
    if (!QDir().mkpath(staging))
        return fail(tr("%1: cannot create a folder there").arg(parent.absolutePath()));
    QString why;
    bool ok = false;
    try {
        ok = writeReportInto(staging, &why);
    } catch (const std::exception &e) {
        why = QString::fromLocal8Bit(e.what());
    }
    if (!ok) {
        QDir(staging).removeRecursively();
        return fail(tr("The report was not written (nothing was left behind): %1").arg(why));
    }
    QString backup;
    if (replace) {
        backup = parent.filePath(QStringLiteral(".%1.old-%2").arg(name, suffix));
        QDir(backup).removeRecursively();
        if (!parent.rename(name, QFileInfo(backup).fileName())) {
            QDir(staging).removeRecursively();
            return fail(tr("%1: cannot replace the earlier report (is a file in it open?)")
                            .arg(target.filePath()));
        }
    }
    if (!parent.rename(QFileInfo(staging).fileName(), name)) {
        if (!backup.isEmpty())
            parent.rename(QFileInfo(backup).fileName(), name);
        QDir(staging).removeRecursively();
        return fail(tr("%1: cannot move the finished report into place").arg(target.filePath()));
    }
    if (!backup.isEmpty())
        QDir(backup).removeRecursively();
    statusBar()->showMessage(tr("Report written to %1").arg(target.filePath()), 10000);
    return true;
}

bool MainWindow::writeReportInto(const QString &dir, QString *error)
{
    const QString figures = dir + QStringLiteral("/figures");
    const QString tables = dir + QStringLiteral("/tables");
    if (!QDir().mkpath(figures) || !QDir().mkpath(tables)) {
        *error = tr("%1: cannot create sub-folders").arg(dir);
        return false;
    }
    struct Section {
        QString title, base, note;
        QStringList files;
    };
    std::vector<Section> sections;
    QStringList tableFiles;
    auto canvas = [&](PlotCanvas *c, const QString &title, const QString &base, int w, int h,
                      const QString &note = {}) {
        Section s{title, base, note, {}};
        if (!writeCanvasFiles(c, figures, tables, base, w, h, 150, dir, &s.files, error))
            return false;
        sections.push_back(s);
        return true;
    };
    auto table = [&](const QString &base, const QByteArray &csv, const QJsonDocument &json) {
        const QString c = tables + QLatin1Char('/') + base + QStringLiteral(".csv");
        const QString j = tables + QLatin1Char('/') + base + QStringLiteral(".json");
        if (!csv.isNull()) {
            if (!writeFileAtomic(c, csv, error))
                return false;
            tableFiles << QStringLiteral("tables/") + base + QStringLiteral(".csv");
        }
        if (!writeFileAtomic(j, json.toJson(QJsonDocument::Indented), error))
            return false;
        tableFiles << QStringLiteral("tables/") + base + QStringLiteral(".json");
        return true;
    };

    const Dataset &train = *m_task->train;
    if (m_probe) {
        if (!canvas(m_heatmap, tr("Salience heatmap"), QStringLiteral("heatmap"), 1600, 700,
                    tr("Colour: %1; label: %2")
                        .arg(m_heatValue->currentText(), m_heatLabel->currentText())))
            return false;
        // The overall salience matrix exactly as core computes it (layers × neurons).
        const SalienceMatrix sm =
            salienceMatrix(*m_probe, train.layerIds, train.dims, -1, SalienceMode::WeightShare);
        QByteArray csv = "layer";
        for (int d = 0; d < sm.dims; ++d)
            csv += ",n" + QByteArray::number(d);
        csv += '\n';
        QJsonArray rows;
        for (int l = 0; l < sm.layers; ++l) {
            csv += QByteArray::number(sm.layerIds[std::size_t(l)]);
            QJsonArray row;
            for (int d = 0; d < sm.dims; ++d) {
                const float v = sm.values(l, d);
                csv +=
                    ',' + (std::isfinite(v) ? QByteArray::number(double(v), 'g', 9) : QByteArray());
                row.append(std::isfinite(v) ? QJsonValue(double(v)) : QJsonValue());
            }
            csv += '\n';
            rows.append(row);
        }
        QJsonObject mj;
        mj[QStringLiteral("kind")] = QStringLiteral("share of weight mass, all labels");
        QJsonArray ids;
        for (int id : sm.layerIds)
            ids.append(id);
        mj[QStringLiteral("layer_ids")] = ids;
        mj[QStringLiteral("dims")] = sm.dims;
        mj[QStringLiteral("values")] = rows;
        if (!table(QStringLiteral("salience_matrix"), csv, QJsonDocument(mj)))
            return false;
        // The ranking used by every view (core's fullOrdering of |W|).
        QByteArray rcsv = "rank,neuron,layer,index_in_layer,column\n";
        QJsonArray overall;
        for (std::size_t i = 0; i < m_ordering.size(); ++i) {
            const int flat = flatNeuron(train, m_ordering[i]);
            rcsv += QByteArray::number(qulonglong(i + 1)) + ',' + QByteArray::number(flat) + ','
                    + QByteArray::number(flat / train.dims) + ','
                    + QByteArray::number(flat % train.dims) + ','
                    + QByteArray::number(m_ordering[i]) + '\n';
            overall.append(flat);
        }
        QJsonObject rj;
        rj[QStringLiteral("overall")] = overall;
        const QJsonObject probeResult = m_session.results.value(QStringLiteral("probe")).toObject();
        if (probeResult.contains(QStringLiteral("ranking_per_label")))
            rj[QStringLiteral("per_label")] =
                probeResult.value(QStringLiteral("ranking_per_label"));
        if (!table(QStringLiteral("ranking"), rcsv, QJsonDocument(rj)))
            return false;
        if (!canvas(m_layers, tr("Layer distribution"), QStringLiteral("layers"), 1000, 600))
            return false;
    }
    if (!m_curves->data().sizes.empty() || !m_curves->data().subsetSizes.empty())
        if (!canvas(m_curves, tr("Ablation and minimal subset"), QStringLiteral("curves"), 1200,
                    700, m_selectivity->text()))
            return false;
    if (m_training->pointCount() > 0)
        if (!canvas(m_training, tr("Training curve"), QStringLiteral("training"), 1000, 500))
            return false;
    if (m_words->sentenceCount() > 0) {
        Section s{tr("Per-word activations"), QStringLiteral("words"), m_words->data().title, {}};
        WordActivationView::ExportOptions eo;
        eo.width = 1000;
        for (const QString &suffix :
             {QStringLiteral("png"), QStringLiteral("svg"), QStringLiteral("pdf")}) {
            const QString path = figures + QStringLiteral("/words.") + suffix;
            if (!m_words->exportFigure(path, eo, error))
                return false;
            s.files << QStringLiteral("figures/words.") + suffix;
        }
        sections.push_back(s);
    }
    if (m_selected >= 0) {
        const NeuronInfo &info = m_inspector->info();
        QJsonObject ij;
        ij[QStringLiteral("flat")] = info.flatIndex;
        ij[QStringLiteral("layer")] = info.layer;
        ij[QStringLiteral("index_in_layer")] = info.indexInLayer;
        ij[QStringLiteral("global_rank")] = info.globalRank;
        ij[QStringLiteral("neurons")] = info.neuronCount;
        ij[QStringLiteral("summary")] = m_inspector->summaryText();
        ij[QStringLiteral("classes")] = csvToJson(tableCsv(m_inspector->classTable()));
        ij[QStringLiteral("top_words")] = csvToJson(tableCsv(m_inspector->topWordsTable()));
        if (!table(QStringLiteral("inspector_classes"), tableCsv(m_inspector->classTable()),
                   QJsonDocument(csvToJson(tableCsv(m_inspector->classTable()))))
            || !table(QStringLiteral("inspector_top_words"), tableCsv(m_inspector->topWordsTable()),
                      QJsonDocument(csvToJson(tableCsv(m_inspector->topWordsTable()))))
            || !table(QStringLiteral("inspector"), QByteArray(), QJsonDocument(ij)))
            return false;
    }
    QStringList compareFiles;
    if (m_compare->hasComparison()) {
        if (!m_compare->exportTo(figures, tables, dir, &compareFiles, error))
            return false;
        Section s{tr("Compare"), QStringLiteral("compare"), m_compare->summaryText(), {}};
        for (const QString &f : compareFiles)
            (f.startsWith(QStringLiteral("figures/")) ? s.files : tableFiles) << f;
        sections.push_back(s);
    }
    if (!writeFileAtomic(tables + QStringLiteral("/data_report.txt"), m_data->reportText().toUtf8(),
                         error))
        return false;
    tableFiles << QStringLiteral("tables/data_report.txt");

    // The parameters that produced all of the above.
    Session session = m_session;
    session.probeOptions = m_settings->options();
    try {
        saveSession(dir + QStringLiteral("/session.json"), session);
    } catch (const Error &e) {
        *error = e.message();
        return false;
    }
    QJsonObject params;
    params[QStringLiteral("salient_version")] = QStringLiteral(SALIENT_VERSION);
    params[QStringLiteral("created")] = QDateTime::currentDateTimeUtc().toString(Qt::ISODate);
    params[QStringLiteral("source_session")] = m_sessionPath;
    const ProbeOptions po = session.probeOptions;
    params[QStringLiteral("probe_options")] = toJson(po);
    params[QStringLiteral("lambda1")] = po.l1;
    params[QStringLiteral("lambda2")] = po.l2;
    QJsonObject seeds;
    seeds[QStringLiteral("probe")] = QString::number(po.seed);
    seeds[QStringLiteral("data")] = QString::number(session.dataOptions.seed);
    if (session.demo)
        seeds[QStringLiteral("demo")] = QString::number(session.demoSeed);
    params[QStringLiteral("seeds")] = seeds;
    params[QStringLiteral("data_options")] = toJson(session.dataOptions);
    QJsonObject inputs;
    if (session.demo)
        inputs[QStringLiteral("demo")] =
            QStringLiteral("built-in synthetic demo dataset, property %1")
                .arg(session.demoProperty);
    for (const auto &[split, files] : session.splits) {
        QJsonObject f;
        f[QStringLiteral("activations")] = inputJson(files[0]);
        f[QStringLiteral("tokens")] = inputJson(files[1]);
        f[QStringLiteral("labels")] = inputJson(files[2]);
        inputs[split] = f;
    }
    params[QStringLiteral("inputs")] = inputs;
    params[QStringLiteral("analyses")] = QJsonArray::fromStringList(session.analyses);
    params[QStringLiteral("analysis_options")] = session.analysisOptions;
    QJsonObject view;
    view[QStringLiteral("heatmap_label")] = m_heatLabel->currentText();
    view[QStringLiteral("heatmap_value")] = m_heatValue->currentText();
    view[QStringLiteral("heatmap_top_k")] = m_heatTopK->value();
    view[QStringLiteral("heatmap_cumulative_mass_percent")] = m_heatMass->value();
    view[QStringLiteral("selected_neuron")] = m_selected;
    if (m_compare->hasComparison()) {
        view[QStringLiteral("compare_with")] = m_compare->sideB().path;
        view[QStringLiteral("compare_top_k")] = m_compare->k();
    }
    params[QStringLiteral("view")] = view;
    if (!writeFileAtomic(dir + QStringLiteral("/params.json"), QJsonDocument(params).toJson(),
                         error))
        return false;

    // index.html: everything listed, figures inline.
    auto esc = [](const QString &t) { return t.toHtmlEscaped(); };
    QString html;
    html += QStringLiteral(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Salient report</title>\n"
        "<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}"
        "img{max-width:100%;border:1px solid #ddd}code{background:#f4f4f4}</style></head><body>\n");
    html += QStringLiteral("<h1>Salient report</h1>\n<p>%1 · Salient %2 · %3</p>\n")
                .arg(esc(windowTitle()), QStringLiteral(SALIENT_VERSION),
                     params.value(QStringLiteral("created")).toString());
    if (session.demo)
        html += QStringLiteral("<p><b>Data: the built-in SYNTHETIC demo dataset.</b></p>\n");
    html += QStringLiteral(
                "<p>Probe: λ1 = %1, λ2 = %2, %3 epochs, batch %4, learning rate %5, seed %6. "
                "All parameters and input fingerprints: <a href=\"params.json\">params.json</a>; "
                "replay with <code>salient-cli run session.json</code> (<a "
                "href=\"session.json\">session.json</a>).</p>\n")
                .arg(po.l1)
                .arg(po.l2)
                .arg(po.epochs)
                .arg(po.batchSize)
                .arg(po.learningRate)
                .arg(po.seed);
    for (const Section &s : sections) {
        html += QStringLiteral("<h2>%1</h2>\n").arg(esc(s.title));
        if (!s.note.isEmpty())
            html += QStringLiteral("<p>%1</p>\n")
                        .arg(esc(s.note).replace(QLatin1Char('\n'), QStringLiteral("<br>")));
        QStringList links;
        for (const QString &f : s.files) {
            if (f.endsWith(QStringLiteral(".png")))
                html += QStringLiteral("<p><img src=\"%1\" alt=\"%2\"></p>\n")
                            .arg(esc(f), esc(s.title));
            links << QStringLiteral("<a href=\"%1\">%1</a>").arg(esc(f));
        }
        html += QStringLiteral("<p>Files: %1</p>\n").arg(links.join(QStringLiteral(" · ")));
    }
    html += QStringLiteral("<h2>Tables</h2>\n<ul>\n");
    for (const QString &f : tableFiles)
        html += QStringLiteral("<li><a href=\"%1\">%1</a></li>\n").arg(esc(f));
    html += QStringLiteral("</ul>\n</body></html>\n");
    return writeFileAtomic(dir + QStringLiteral("/index.html"), html.toUtf8(), error);
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
