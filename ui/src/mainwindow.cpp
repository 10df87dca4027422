#include "salient/ui/mainwindow.h"

#include "salient/analyses.h"
#include "salient/corpusanalysis.h"
#include "salient/demo.h"
#include "salient/error.h"
#include "salient/ranking.h"
#include "salient/salience.h"
#include "salient/ui/datadock.h"
#include "salient/ui/jobrunner.h"
#include "salient/ui/jobsdock.h"
#include "salient/ui/neuroninspector.h"
#include "salient/ui/plotting/curvescanvas.h"
#include "salient/ui/plotting/layerbarscanvas.h"
#include "salient/ui/plotting/salienceheatmapcanvas.h"
#include "salient/ui/probesettings.h"
#include "salient/ui/wordactivationview.h"

#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QComboBox>
#include <QElapsedTimer>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QJsonArray>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QThread>
#include <QVBoxLayout>
#include <cmath>

namespace salient::ui {

namespace {

std::vector<double> doubles(const QJsonValue &v)
{
    std::vector<double> out;
    for (const QJsonValue x : v.toArray())
        out.push_back(x.isDouble() ? x.toDouble() : std::nan(""));
    return out;
}

AblationSeries seriesFrom(const QJsonObject &c)
{
    AblationSeries s;
    s.top = doubles(c.value(QStringLiteral("top")));
    s.randomMean = doubles(c.value(QStringLiteral("random")));
    s.randomStd = doubles(c.value(QStringLiteral("random_std")));
    s.bottom = doubles(c.value(QStringLiteral("bottom")));
    return s;
}

QString recoveryPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/recovery/session.json");
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
        {"probe", "Train probe"},           {"grid-search", "Grid search (λ1 × λ2)"},
        {"minimal-subset", "Minimal subset"}, {"ablation", "Ablation curves"},
        {"selectivity", "Control task / selectivity"}, {"layerwise", "Layer-wise probes"}};
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
    heatBar->addStretch();
    heatLayout->addLayout(heatBar);
    m_heatmap = new SalienceHeatmapCanvas(heat);
    heatLayout->addWidget(m_heatmap, 1);
    for (QComboBox *c : {m_heatLabel, m_heatValue, m_heatOrder})
        connect(c, &QComboBox::currentIndexChanged, this, &MainWindow::refreshHeatmap);
    connect(m_heatTopK, &QSpinBox::valueChanged, this, &MainWindow::refreshHeatmap);
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

    auto *central = new QLabel(this);
    central->setMaximumSize(0, 0);
    setCentralWidget(central);
    addView(tr("Data"), QStringLiteral("data"), m_data, Qt::LeftDockWidgetArea);
    addView(tr("Run"), QStringLiteral("run"), run, Qt::LeftDockWidgetArea);
    addView(tr("Salience heatmap"), QStringLiteral("heatmap"), heat, Qt::RightDockWidgetArea);
    addView(tr("Per-word activations"), QStringLiteral("words"), wordsBox, Qt::RightDockWidgetArea);
    addView(tr("Layer distribution"), QStringLiteral("layers"), m_layers, Qt::BottomDockWidgetArea);
    addView(tr("Ablation and minimal subset"), QStringLiteral("ablation"), ablation, Qt::BottomDockWidgetArea);
    addView(tr("Neuron inspector"), QStringLiteral("inspector"), m_inspector, Qt::BottomDockWidgetArea);
    tabifyDockWidget(m_docks[0], m_docks[1]);
    m_docks[1]->raise();
    // Default proportions: narrow settings column, the heatmap and word view large.
    resizeDocks({m_docks[0], m_docks[2]}, {360, 1040}, Qt::Horizontal);
    resizeDocks({m_docks[2], m_docks[3], m_docks[4]}, {330, 330, 240}, Qt::Vertical);
    resizeDocks({m_docks[4], m_docks[5], m_docks[6]}, {300, 640, 460}, Qt::Horizontal);
    buildMenus();

    connect(m_heatmap, &SalienceHeatmapCanvas::neuronClicked, this, &MainWindow::selectNeuron);
    connect(m_words, &WordActivationView::tokensSelected, this, &MainWindow::highlightTokens);
    connect(m_data, &DataDock::demoRequested, this, [this] { loadDemo(); });
    connect(m_data, &DataDock::openFilesRequested, this, [this] {
        OpenDataDialog dialog(this);
        if (dialog.exec() == QDialog::Accepted)
            loadFiles(dialog.inputs());
    });
    connect(m_jobs, &JobRunner::finished, this, [this](int, JobStatus status, const QString &message) {
        if (status == JobStatus::Failed || status == JobStatus::OutOfMemory)
            reportError(message.isEmpty() ? jobStatusText(status) : message);
        statusBar()->showMessage(tr("Job %1%2").arg(jobStatusText(status), message.isEmpty() ? QString() : QStringLiteral(": ") + message), 8000);
    });

    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    statusBar()->showMessage(tr("Ready"));
}

MainWindow::~MainWindow() = default;

QDockWidget *MainWindow::addView(const QString &title, const QString &name, QWidget *widget, Qt::DockWidgetArea area)
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
        const QString f = QFileDialog::getOpenFileName(this, tr("Open session"), {}, tr("Salient session (*.json)"));
        if (!f.isEmpty())
            openSession(f);
    });
    auto *recent = file->addMenu(tr("Open &recent"));
    connect(recent, &QMenu::aboutToShow, this, [this, recent] {
        recent->clear();
        for (const QString &f : QSettings().value(QStringLiteral("recent")).toStringList())
            recent->addAction(f, this, [this, f] { openSession(f); });
    });
    file->addAction(tr("&Save session as…"), QKeySequence::SaveAs, this, [this] {
        const QString f = QFileDialog::getSaveFileName(this, tr("Save session"), m_sessionPath, tr("Salient session (*.json)"));
        if (!f.isEmpty())
            saveSessionAs(f);
    });
    file->addAction(tr("&Save session"), QKeySequence::Save, this, [this] {
        if (m_sessionPath.isEmpty()) {
            const QString f = QFileDialog::getSaveFileName(this, tr("Save session"), {}, tr("Salient session (*.json)"));
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
    file->addAction(tr("&Export figure of the heatmap…"), QKeySequence(tr("Ctrl+E")), this, &MainWindow::exportCurrentView);
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);
    auto *view = menuBar()->addMenu(tr("&View"));
    for (QDockWidget *d : m_docks)
        view->addAction(d->toggleViewAction());
    auto *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Salient"), this, [this] {
        QMessageBox::about(this, tr("About Salient"),
                           tr("Salient %1\nNeuron-level interpretability of NLP models: Linguistic Correlation "
                              "Analysis (Durrani, Dalvi, Sajjad, JMLR 2023), compatible with NeuroX.")
                               .arg(QStringLiteral(SALIENT_VERSION)));
    });
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
    const int id = m_jobs->start(tr("Load demo dataset"), [result, description, dopt](JobContext &ctx) {
        ctx.report(0.1, QStringLiteral("generating"));
        const DemoDataset demo = makeDemoDataset();
        *description = demo.description;
        *result = std::make_shared<LoadedTask>(loadDemoTask(demo, QStringLiteral("pos"), dopt));
        return JobStatus::Ok;
    });
    connect(m_jobs, &JobRunner::finished, this, [this, id, result, description](int done, JobStatus status) {
        if (done != id || status != JobStatus::Ok)
            return;
        m_session = Session{};
        m_session.demo = true;
        m_sessionPath.clear();
        setTask(*result, tr("built-in demo dataset (SYNTHETIC)"), *description);
        setWindowTitle(tr("Salient — built-in demo dataset (synthetic)"));
    }, Qt::SingleShotConnection);
    return id;
}

int MainWindow::loadFiles(const TaskInputs &inputs)
{
    auto result = std::make_shared<std::shared_ptr<LoadedTask>>();
    const int id = m_jobs->start(tr("Load %1").arg(QFileInfo(inputs.train.activations).fileName()),
                                 [result, inputs](JobContext &ctx) {
                                     *result = std::make_shared<LoadedTask>(
                                         loadTask(inputs, [&ctx](double f) { return ctx.report(f, QStringLiteral("reading")); }));
                                     return JobStatus::Ok;
                                 });
    connect(m_jobs, &JobRunner::finished, this, [this, id, result, inputs](int done, JobStatus status) {
        if (done != id || status != JobStatus::Ok)
            return;
        m_session = Session{};
        m_session.dataOptions = inputs.options;
        const std::pair<QString, const SplitPaths *> splits[] = {
            {QStringLiteral("train"), &inputs.train}, {QStringLiteral("dev"), &inputs.dev}, {QStringLiteral("test"), &inputs.test}};
        try {
            for (const auto &[name, p] : splits)
                if (p->isSet())
                    m_session.splits[name] = {describeInput(p->activations), describeInput(p->tokens), describeInput(p->labels)};
        } catch (const Error &e) {
            reportError(e.message());
        }
        m_sessionPath.clear();
        setTask(*result, inputs.train.activations, {});
        setWindowTitle(tr("Salient — %1").arg(QFileInfo(inputs.train.activations).fileName()));
        // Full SHA-256 of the inputs in the background, recorded in the session when done.
        auto hashed = std::make_shared<Session>(m_session);
        const int hashJob = m_jobs->start(tr("Checksum inputs (SHA-256)"), [hashed](JobContext &) {
            hashInputsInBackground(*hashed).get();
            return JobStatus::Ok;
        });
        connect(m_jobs, &JobRunner::finished, this, [this, hashJob, hashed](int doneId, JobStatus st) {
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
        }, Qt::SingleShotConnection);
    }, Qt::SingleShotConnection);
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
        reportError(tr("Inputs changed since the session was saved:\n%1").arg(check.changedInputs.join(QLatin1Char('\n'))));
    auto result = std::make_shared<std::shared_ptr<LoadedTask>>();
    auto session = std::make_shared<Session>(std::move(loaded));
    const int id = m_jobs->start(tr("Open session %1").arg(QFileInfo(path).fileName()), [result, session](JobContext &ctx) {
        *result = std::make_shared<LoadedTask>(
            loadSessionData(*session, [&ctx](double f) { return ctx.report(f, QStringLiteral("reading")); }));
        return JobStatus::Ok;
    });
    connect(m_jobs, &JobRunner::finished, this, [this, id, result, session, path](int done, JobStatus status) {
        if (done != id || status != JobStatus::Ok)
            return;
        m_session = *session;
        m_sessionPath = path == recoveryPath() ? QString() : path;
        m_settings->setOptions(m_session.probeOptions);
        setTask(*result, path, m_session.demo ? tr("built-in demo dataset (SYNTHETIC)") : QString());
        // Show the stored results.
        if (m_session.arrays.count(QStringLiteral("probe/W")))
            showProbe();
        updateCurves();
        setWindowTitle(tr("Salient — %1").arg(QFileInfo(path).fileName()));
        if (path != recoveryPath())
            addRecent(path);
    }, Qt::SingleShotConnection);
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

void MainWindow::setTask(std::shared_ptr<LoadedTask> task, const QString &source, const QString &description)
{
    m_task = std::move(task);
    m_probe.reset();
    m_ordering.clear();
    m_selected = -1;
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
    const int id = m_jobs->start(name, [task, session, out, po, name, options](JobContext &ctx) {
        AnalysisContext ac;
        ac.task = task.get();
        ac.probe = po;
        ac.session = session.get();
        ac.progress = ctx.experimentProgress();
        *out = runAnalysis(name, options, ac);
        return toJobStatus(out->status);
    });
    connect(m_jobs, &JobRunner::finished, this, [this, id, session, out, name, options, po, task](int done, JobStatus status) {
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
    }, Qt::SingleShotConnection);
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
    p.b = m_session.arrays.count(QStringLiteral("probe/b")) ? VectorF(m_session.arrays.at(QStringLiteral("probe/b")).row(0).transpose())
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
        std::sort(order.begin(), order.end(), [&](int a, int b) { return std::abs(W(a, c)) > std::abs(W(b, c)); });
        QStringList parts;
        for (size_t i = 0; i < std::min<size_t>(3, order.size()); ++i)
            parts << QStringLiteral("%1 %2").arg(labels[order[i]]).arg(double(W(order[i], c)), 0, 'f', 3);
        return parts.join(QStringLiteral(", "));
    });
    m_ordering = fullOrdering(p.W.cwiseAbs(), 100);
    const int k = std::max(1, train.neurons() / 20);
    m_layers->setDistribution(layerDistribution(train, m_ordering, k), tr("top %1 (5 %)").arg(k));
    if (!m_ordering.empty())
        selectNeuron(flatNeuron(train, m_ordering.front()));
}

void MainWindow::refreshHeatmap()
{
    if (!m_probe || !m_task || !m_task->train)
        return;
    const Dataset &train = *m_task->train;
    const int label = std::max(0, m_heatLabel->currentIndex()) - 1;
    const SalienceMode mode = m_heatValue->currentIndex() == 1 ? SalienceMode::Rank : SalienceMode::WeightShare;
    const SalienceMatrix s = salienceMatrix(*m_probe, train.layerIds, train.dims, label, mode);
    m_heatmap->setMatrix(s, mode);
    m_heatmap->setOrder(m_heatOrder->currentIndex() == 1 ? SalienceHeatmapCanvas::Order::BySalience
                                                         : SalienceHeatmapCanvas::Order::ByIndex);
    if (m_heatTopK->value() > 0)
        m_heatmap->setKeptNeurons(SalienceHeatmapCanvas::topK(s, m_heatTopK->value()));
    else
        m_heatmap->clearKeptNeurons();
    if (m_selected >= 0)
        m_heatmap->selectNeuron(m_selected);
}

void MainWindow::updateCurves()
{
    CurvesData d;
    const QJsonObject ab = m_session.results.value(QStringLiteral("ablation")).toObject();
    if (!ab.isEmpty()) {
        d.sizes = doubles(ab.value(QStringLiteral("sizes")));
        const QJsonObject curves = ab.value(QStringLiteral("curves")).toObject();
        d.masking = seriesFrom(curves.value(QStringLiteral("masking")).toObject());
        d.retraining = seriesFrom(curves.value(QStringLiteral("retraining")).toObject());
        d.oracle = ab.value(QStringLiteral("oracle_accuracy")).toDouble(std::nan(""));
    }
    const QJsonObject ms = m_session.results.value(QStringLiteral("minimal-subset")).toObject();
    if (!ms.isEmpty()) {
        d.oracle = ms.value(QStringLiteral("oracle_dev_accuracy")).toDouble(d.oracle);
        d.target = ms.value(QStringLiteral("target")).toDouble(std::nan(""));
        for (const QJsonValue p : ms.value(QStringLiteral("curve")).toArray()) {
            d.subsetSizes.push_back(p.toObject().value(QStringLiteral("size")).toDouble());
            d.subsetAccuracy.push_back(p.toObject().value(QStringLiteral("dev_accuracy")).toDouble());
        }
        d.chosenSize = ms.value(QStringLiteral("size")).toInt();
        d.chosenIsAll = ms.value(QStringLiteral("all_neurons")).toBool();
    }
    if (!ab.isEmpty() || !ms.isEmpty())
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
        m_selectivity->setText(tr("Selectivity on %1 — ").arg(sel.value(QStringLiteral("split")).toString()) + parts.join(QStringLiteral(" · ")));
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
    NeuronProfileOptions po;
    po.words.maxWords = 20;
    po.sentences.count = 12;
    const NeuronProfile profile = neuronProfile(train, column, m_probe && !m_probe->regression ? &m_task->vocab : nullptr, po);
    NeuronInfo info = neuronInfoFor(train, column, m_probe ? &*m_probe : nullptr);
    if (m_probe) {
        info.neuronCount = train.neurons();
        const auto it = std::find(m_ordering.begin(), m_ordering.end(), column);
        info.globalRank = it == m_ordering.end() ? 0 : int(it - m_ordering.begin()) + 1;
        const MatrixF A = m_probe->W.cwiseAbs();
        for (int c = 0; c < A.rows(); ++c) {
            const NeuronList r = classRanking(A, c);
            info.labelRanks.push_back(int(std::find(r.begin(), r.end(), column) - r.begin()) + 1);
        }
    }
    m_inspector->setNeuron(info, profile);
    WordActivationData words = wordDataFromTopSentences(train, column, profile.sentences, &m_task->vocab);
    words.title = tr("Layer %1 · neuron %2 (flat %3): most activating sentences").arg(flat / train.dims).arg(flat % train.dims).arg(flat);
    m_words->setData(std::move(words));
    statusBar()->showMessage(tr("Neuron %1 (layer %2, index %3)").arg(flat).arg(flat / train.dims).arg(flat % train.dims), 5000);
    Q_EMIT neuronSelected(flat);
}

void MainWindow::highlightTokens(const QVector<int> &rows)
{
    if (!m_task || !m_task->train || rows.isEmpty())
        return;
    const Dataset &train = *m_task->train;
    // The neurons most active on the selected tokens: largest mean |activation|.
    Eigen::VectorXd mean = Eigen::VectorXd::Zero(train.neurons());
    for (int r : rows)
        if (r >= 0 && r < train.rows())
            mean += train.X.row(r).transpose().cast<double>().cwiseAbs();
    std::vector<int> order(size_t(train.neurons()));
    std::iota(order.begin(), order.end(), 0);
    const size_t k = std::min<size_t>(10, order.size());
    std::partial_sort(order.begin(), order.begin() + long(k), order.end(), [&](int a, int b) { return mean[a] > mean[b]; });
    NeuronList keep;
    for (size_t i = 0; i < k; ++i)
        keep.push_back(flatNeuron(train, order[i]));
    m_heatmap->setKeptNeurons(keep);
    statusBar()->showMessage(tr("Heatmap: the %1 neurons most active on the selected tokens").arg(k), 8000);
}

void MainWindow::exportCurrentView()
{
    const QString f = QFileDialog::getSaveFileName(this, tr("Export figure"), {}, tr("PNG (*.png);;SVG (*.svg);;PDF (*.pdf)"));
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
        ok = w->grab().save(dir + QStringLiteral("/") + d->objectName() + QStringLiteral(".png")) && ok;
        w->resize(old);
    }
    return ok;
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    QSettings s;
    s.setValue(QStringLiteral("window/geometry"), saveGeometry());
    s.setValue(QStringLiteral("window/state"), saveState());
    m_jobs->cancelAll();
    event->accept();
}

} // namespace salient::ui
