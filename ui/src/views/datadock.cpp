#include "salient/ui/views/datadock.h"

#include "salient/ui/jobs/jobrunner.h"

#include "salient/session/session.h"
#include "salient/util/error.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QTextBrowser>
#include <QTimer>
#include <QVBoxLayout>
#include <cmath>
#include <memory>
#include <optional>

namespace salient::ui {

namespace {
const char *const kSplits[] = {"train", "dev", "test"};
const char *const kRoles[] = {"Activations", "Tokens", "Labels"};

QString g_settingsPath; ///< OpenDataDialog::setSettingsPath (GUI thread)

std::unique_ptr<QSettings> dataSettings()
{
    return g_settingsPath.isEmpty()
               ? std::make_unique<QSettings>()
               : std::make_unique<QSettings>(g_settingsPath, QSettings::IniFormat);
}

/// @p word in the case style of @p like ("TRAIN" → "DEV", "Train" → "Dev", else lower case).
QString matchCase(const QString &word, const QString &like)
{
    if (like == like.toUpper())
        return word.toUpper();
    if (like.front().isUpper())
        return word.left(1).toUpper() + word.mid(1);
    return word;
}

QJsonObject splitJson(const SplitPaths &p)
{
    return {{QStringLiteral("activations"), p.activations},
            {QStringLiteral("tokens"), p.tokens},
            {QStringLiteral("labels"), p.labels}};
}

SplitPaths splitFromJson(const QJsonObject &o)
{
    return {o.value(QStringLiteral("activations")).toString(),
            o.value(QStringLiteral("tokens")).toString(),
            o.value(QStringLiteral("labels")).toString()};
}

/// The remembered form of a data set (paths, data options, standardise).
QJsonObject inputsJson(const TaskInputs &in, bool standardize)
{
    QJsonObject o;
    o[QStringLiteral("train")] = splitJson(in.train);
    o[QStringLiteral("dev")] = splitJson(in.dev);
    o[QStringLiteral("test")] = splitJson(in.test);
    o[QStringLiteral("options")] = toJson(in.options);
    o[QStringLiteral("memory_budget")] = QString::number(in.memoryBudget);
    o[QStringLiteral("standardize")] = standardize;
    return o;
}

/// The inverse; nullopt for a malformed entry (settings edited by hand, older versions).
std::optional<std::pair<TaskInputs, bool>> inputsFromJson(const QJsonObject &o)
{
    TaskInputs in;
    in.train = splitFromJson(o.value(QStringLiteral("train")).toObject());
    if (!in.train.isSet())
        return std::nullopt;
    in.dev = splitFromJson(o.value(QStringLiteral("dev")).toObject());
    in.test = splitFromJson(o.value(QStringLiteral("test")).toObject());
    try {
        in.options = datasetOptionsFromJson(o.value(QStringLiteral("options")).toObject());
    } catch (const Error &) {
        return std::nullopt;
    }
    in.memoryBudget = o.value(QStringLiteral("memory_budget")).toString().toULongLong();
    return std::make_pair(in, o.value(QStringLiteral("standardize")).toBool());
}

} // namespace

QString siblingSplitFile(const QString &trainPath, const QString &split)
{
    const QFileInfo fi(trainPath);
    const QString name = fi.fileName();
    static const QRegularExpression train(QStringLiteral("(?<![A-Za-z])(train)(?![A-Za-z])"),
                                          QRegularExpression::CaseInsensitiveOption);
    if (name.isEmpty() || !train.match(name).hasMatch())
        return {};
    QStringList words{split};
    if (split == QLatin1String("dev"))
        words << QStringLiteral("valid") << QStringLiteral("validation") << QStringLiteral("val");
    for (const QString &w : words) {
        QString candidate;
        qsizetype last = 0;
        auto it = train.globalMatch(name);
        while (it.hasNext()) {
            const QRegularExpressionMatch m = it.next();
            candidate += name.mid(last, m.capturedStart(1) - last) + matchCase(w, m.captured(1));
            last = m.capturedEnd(1);
        }
        candidate += name.mid(last);
        const QString path = fi.dir().filePath(candidate);
        if (QFileInfo(path).isFile())
            return path;
    }
    return {};
}

void OpenDataDialog::setSettingsPath(const QString &iniPath)
{
    g_settingsPath = iniPath;
}

std::vector<TaskInputs> OpenDataDialog::recentDataSets()
{
    std::vector<TaskInputs> out;
    const QJsonArray list =
        QJsonDocument::fromJson(dataSettings()->value(QStringLiteral("data/recent")).toByteArray())
            .array();
    for (const QJsonValue v : list)
        if (const auto entry = inputsFromJson(v.toObject()))
            out.push_back(entry->first);
    return out;
}

void OpenDataDialog::addRecentDataSet(const TaskInputs &inputs, bool standardize)
{
    auto settings = dataSettings();
    const QJsonArray old =
        QJsonDocument::fromJson(settings->value(QStringLiteral("data/recent")).toByteArray())
            .array();
    QJsonArray list{inputsJson(inputs, standardize)};
    for (const QJsonValue v : old) {
        const auto entry = inputsFromJson(v.toObject());
        if (!entry || list.size() >= kMaxRecent)
            continue;
        const SplitPaths &t = entry->first.train;
        if (t.activations == inputs.train.activations && t.tokens == inputs.train.tokens
            && t.labels == inputs.train.labels)
            continue;
        list.append(v);
    }
    settings->setValue(QStringLiteral("data/recent"),
                       QJsonDocument(list).toJson(QJsonDocument::Compact));
}

OpenDataDialog::OpenDataDialog(JobRunner *jobs, QWidget *parent) : QDialog(parent), m_jobs(jobs)
{
    setWindowTitle(tr("Open probing data"));
    auto *layout = new QVBoxLayout(this);
    m_recent = new QComboBox(this);
    m_recent->setObjectName(QStringLiteral("recentDataSets"));
    m_recent->setToolTip(tr("Data sets opened before, with their options"));
    auto *recentRow = new QHBoxLayout;
    recentRow->addWidget(new QLabel(tr("Recent:"), this));
    recentRow->addWidget(m_recent, 1);
    layout->addLayout(recentRow);
    auto *grid = new QGridLayout;
    for (int r = 0; r < 3; ++r)
        grid->addWidget(new QLabel(tr(kRoles[r]), this), 0, 1 + 2 * r, 1, 2);
    for (int s = 0; s < 3; ++s) {
        grid->addWidget(
            new QLabel(QLatin1String(kSplits[s]) + (s == 0 ? tr(" (required)") : QString()), this),
            1 + s, 0);
        for (int r = 0; r < 3; ++r) {
            auto *edit = new QLineEdit(this);
            edit->setObjectName(QStringLiteral("%1-%2").arg(
                QLatin1String(kSplits[s]), QString::fromLatin1(kRoles[r]).toLower()));
            edit->setMinimumWidth(220);
            auto *browse = new QPushButton(tr("…"), this);
            browse->setToolTip(tr("Browse"));
            browse->setMaximumWidth(32);
            const QString filter =
                r == 0 ? tr("Activations (*.hdf5 *.h5 *.json *.jsonl);;All files (*)")
                       : tr("Text (*.txt);;All files (*)");
            connect(browse, &QPushButton::clicked, this, [this, edit, filter] {
                const QString f =
                    QFileDialog::getOpenFileName(this, tr("Choose a file"), edit->text(), filter);
                if (!f.isEmpty())
                    edit->setText(f);
            });
            connect(edit, &QLineEdit::textChanged, this, &OpenDataDialog::scheduleEstimate);
            if (s == 0)
                connect(edit, &QLineEdit::textChanged, this, [this, r] { autofill(r); });
            grid->addWidget(edit, 1 + s, 1 + 2 * r);
            grid->addWidget(browse, 1 + s, 2 + 2 * r);
            m_fields[s][r] = edit;
        }
    }
    layout->addLayout(grid);
    auto *help = new QLabel(tr("One sentence per line; tokens and labels separated by whitespace. "
                               "Activations: NeuroX HDF5 or JSON lines. Dev and test are filled "
                               "from the train names (train \u2192 dev/test) when such files "
                               "exist."),
                            this);
    help->setWordWrap(true);
    layout->addWidget(help);

    // The data options of salient-cli, mapped to the same core options.
    auto *options = new QGroupBox(tr("Data options (as salient-cli)"), this);
    auto *form = new QFormLayout(options);
    m_task = new QComboBox(options);
    m_task->setObjectName(QStringLiteral("taskType"));
    m_task->addItem(tr("Classification (labels)"), int(TaskType::Classification));
    m_task->addItem(tr("Regression (numeric labels)"), int(TaskType::Regression));
    m_task->setToolTip(tr("--task: classification (default) or regression"));
    m_layers = new QLineEdit(options);
    m_layers->setObjectName(QStringLiteral("layers"));
    m_layers->setPlaceholderText(tr("all (e.g. 0,3-5; 0 = embeddings)"));
    m_layers->setToolTip(tr("--layers: the layers to load, in this order"));
    m_binarize = new QLineEdit(options);
    m_binarize->setObjectName(QStringLiteral("binarize"));
    m_binarize->setPlaceholderText(tr("no (e.g. NN: NN vs OTHER)"));
    m_binarize->setToolTip(tr("--binarize: one label against the rest ('OTHER')"));
    m_balance = new QCheckBox(tr("Balance classes (undersample to the smallest, seeded)"), options);
    m_balance->setObjectName(QStringLiteral("balance"));
    m_balance->setToolTip(tr("--balance"));
    m_standardize =
        new QCheckBox(tr("Standardise neurons (z-score with train statistics)"), options);
    m_standardize->setObjectName(QStringLiteral("standardize"));
    m_standardize->setToolTip(tr("--standardize: a probe option, set in the Run dock's probe "
                                 "settings for the loaded data"));
    form->addRow(tr("Task:"), m_task);
    form->addRow(tr("Layers:"), m_layers);
    form->addRow(tr("Binarize:"), m_binarize);
    form->addRow(m_balance);
    form->addRow(m_standardize);
    layout->addWidget(options);
    connect(m_layers, &QLineEdit::textChanged, this, &OpenDataDialog::scheduleEstimate);
    // Storage: where the activation matrices live while probes train (features.h).
    auto *memory = new QHBoxLayout;
    memory->addWidget(new QLabel(tr("Storage:"), this));
    m_storage = new QComboBox(this);
    m_storage->setObjectName(QStringLiteral("storage"));
    m_storage->addItem(tr("Automatic (in memory if it fits, else streamed)"),
                       int(StorageMode::Auto));
    m_storage->addItem(tr("In memory, float32"), int(StorageMode::Float32));
    m_storage->addItem(tr("In memory, float16 (half the memory)"), int(StorageMode::Float16));
    m_storage->addItem(tr("Streamed from disk (out of core)"), int(StorageMode::Streamed));
    m_storage->setToolTip(
        tr("float16 halves the memory (compute stays float32). Streamed reads every mini-batch "
           "from the file with a read-ahead thread; neuron profiles and per-word views then "
           "need a float32 reload."));
    memory->addWidget(m_storage);
    memory->addWidget(new QLabel(tr("Memory budget:"), this));
    m_budget = new QDoubleSpinBox(this);
    m_budget->setObjectName(QStringLiteral("memoryBudget"));
    m_budget->setDecimals(0);
    m_budget->setRange(1.0, 1e8);
    m_budget->setSingleStep(1000.0);
    m_budget->setSuffix(tr(" MB"));
    m_budget->setValue(std::round(double(defaultMemoryBudget()) / 1e6));
    m_budget->setToolTip(
        tr("Bytes the activation matrices may occupy (default: 70 % of the available memory)."));
    memory->addWidget(m_budget);
    memory->addStretch();
    layout->addLayout(memory);
    m_estimate = new QLabel(tr("Memory: choose the train activations to see the estimate."), this);
    m_estimate->setObjectName(QStringLiteral("memoryEstimate"));
    m_estimate->setWordWrap(true);
    layout->addWidget(m_estimate);
    m_debounce = new QTimer(this);
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(300);
    connect(m_debounce, &QTimer::timeout, this, &OpenDataDialog::runEstimate);
    connect(m_storage, &QComboBox::currentIndexChanged, this, &OpenDataDialog::scheduleEstimate);
    connect(m_budget, &QDoubleSpinBox::valueChanged, this, &OpenDataDialog::scheduleEstimate);

    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("dataDialogError"));
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: #b00020;"));
    m_error->setVisible(false);
    layout->addWidget(m_error);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Open | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &OpenDataDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);

    fillRecentChooser();
    connect(m_recent, &QComboBox::activated, this, [this](int i) {
        const std::vector<TaskInputs> recent = recentDataSets();
        if (i <= 0 || i > int(recent.size()))
            return;
        const QJsonArray list =
            QJsonDocument::fromJson(
                dataSettings()->value(QStringLiteral("data/recent")).toByteArray())
                .array();
        setInputs(recent[std::size_t(i - 1)]);
        for (const QJsonValue v : list)
            if (const auto e = inputsFromJson(v.toObject());
                e && e->first.train.activations == recent[std::size_t(i - 1)].train.activations)
                setStandardize(e->second);
        m_recent->setCurrentIndex(0);
    });
    restoreLast();
}

void OpenDataDialog::fillRecentChooser()
{
    m_recent->clear();
    const std::vector<TaskInputs> recent = recentDataSets();
    m_recent->addItem(recent.empty() ? tr("(no recent data sets)")
                                     : tr("Choose a recent data set\u2026"));
    for (const TaskInputs &in : recent) {
        const QFileInfo fi(in.train.activations);
        m_recent->addItem(tr("%1  (%2)").arg(fi.fileName(), fi.absolutePath()));
        m_recent->setItemData(m_recent->count() - 1, in.train.activations, Qt::ToolTipRole);
    }
    m_recent->setEnabled(!recent.empty());
}

void OpenDataDialog::restoreLast()
{
    const QJsonObject last =
        QJsonDocument::fromJson(dataSettings()->value(QStringLiteral("data/last")).toByteArray())
            .object();
    if (const auto e = inputsFromJson(last)) {
        setInputs(e->first);
        setStandardize(e->second);
    }
}

void OpenDataDialog::autofill(int role)
{
    const QString train = m_fields[0][role]->text().trimmed();
    for (int s : {1, 2}) {
        QLineEdit *f = m_fields[s][role];
        // Never overwrite what the user typed: only empty fields or our own earlier fill.
        if (!f->text().isEmpty() && f->text() != m_autoFilled[s][role])
            continue;
        const QString guess = siblingSplitFile(train, QLatin1String(kSplits[s]));
        m_autoFilled[s][role] = guess;
        f->setText(guess);
    }
}

void OpenDataDialog::fillMissingSplits()
{
    for (int r = 0; r < 3; ++r)
        autofill(r);
}

bool OpenDataDialog::standardize() const
{
    return m_standardize->isChecked();
}

void OpenDataDialog::setStandardize(bool on)
{
    m_standardize->setChecked(on);
}

QString OpenDataDialog::validationError() const
{
    return m_error->isHidden() ? QString() : m_error->text();
}

void OpenDataDialog::accept()
{
    QString why;
    const TaskInputs in = inputs();
    if (in.train.activations.isEmpty() || in.train.tokens.isEmpty() || in.train.labels.isEmpty())
        why = tr("Give the train activations, tokens and labels.");
    else
        try {
            parseIndexList(m_layers->text(), tr("Layers"));
        } catch (const Error &e) {
            why = e.message();
        }
    if (!why.isEmpty()) {
        m_error->setText(why);
        m_error->setVisible(true);
        return;
    }
    m_error->setVisible(false);
    // Remembered before the load: a load that fails does not lose what was typed.
    dataSettings()->setValue(
        QStringLiteral("data/last"),
        QJsonDocument(inputsJson(in, standardize())).toJson(QJsonDocument::Compact));
    QDialog::accept();
}

TaskInputs OpenDataDialog::inputs() const
{
    TaskInputs in;
    SplitPaths *splits[] = {&in.train, &in.dev, &in.test};
    for (int s = 0; s < 3; ++s)
        *splits[s] = {m_fields[s][0]->text().trimmed(), m_fields[s][1]->text().trimmed(),
                      m_fields[s][2]->text().trimmed()};
    in.options.storage = StorageMode(m_storage->currentData().toInt());
    in.options.task = TaskType(m_task->currentData().toInt());
    try {
        in.options.layers = parseIndexList(m_layers->text(), tr("Layers"));
    } catch (const Error &) {
        in.options.layers.clear(); // accept() refuses the text
    }
    in.options.binarizedTag = m_binarize->text().trimmed();
    in.options.balance = m_balance->isChecked();
    in.memoryBudget = quint64(m_budget->value() * 1e6);
    return in;
}

QString OpenDataDialog::memoryEstimate() const
{
    return m_estimate->text();
}

void OpenDataDialog::scheduleEstimate()
{
    ++m_estimateGeneration;
    m_debounce->start();
}

void OpenDataDialog::runEstimate()
{
    const TaskInputs in = inputs();
    if (in.train.activations.isEmpty()) {
        m_estimate->setText(tr("Memory: choose the train activations to see the estimate."));
        return;
    }
    m_estimate->setText(tr("Memory: estimating…"));
    const int generation = m_estimateGeneration;
    // Metadata only (no activations read), on the runner's Interactive lane; untrusted files are
    // validated in a child process before the load itself.
    auto text = std::make_shared<QString>();
    QPointer<OpenDataDialog> self(this);
    m_jobs->start(
        tr("Estimate memory"),
        [in, text](JobContext &) {
            try {
                *text = QObject::tr("Memory: %1").arg(planTaskStorage(in).summary());
            } catch (const Error &e) {
                *text = QObject::tr("Memory: cannot estimate yet (%1)").arg(e.message());
            }
            return JobStatus::Ok;
        },
        [self, text, generation](JobStatus status, const QString &) {
            OpenDataDialog *dialog = self.data(); // null once the dialog is gone
            if (dialog && status == JobStatus::Ok && generation == dialog->m_estimateGeneration)
                dialog->m_estimate->setText(*text);
        },
        JobRunner::Lane::Interactive);
}

void OpenDataDialog::setInputs(const TaskInputs &in)
{
    const SplitPaths *splits[] = {&in.train, &in.dev, &in.test};
    for (int s = 0; s < 3; ++s) {
        m_fields[s][0]->setText(splits[s]->activations);
        m_fields[s][1]->setText(splits[s]->tokens);
        m_fields[s][2]->setText(splits[s]->labels);
    }
    m_storage->setCurrentIndex(std::max(0, m_storage->findData(int(in.options.storage))));
    m_task->setCurrentIndex(std::max(0, m_task->findData(int(in.options.task))));
    QStringList layers;
    for (int l : in.options.layers)
        layers << QString::number(l);
    m_layers->setText(layers.join(QLatin1Char(',')));
    m_binarize->setText(in.options.binarizedTag);
    m_balance->setChecked(in.options.balance);
    if (in.memoryBudget > 0)
        m_budget->setValue(std::round(double(in.memoryBudget) / 1e6));
}

QString validationReport(const LoadedTask &task, const QString &source)
{
    QStringList out;
    const StoreInfo &info = task.trainInfo;
    out << QObject::tr("Source: %1").arg(source);
    out << QObject::tr("Activations: %1 layers × %2 neurons = %3 neurons per token (%4, %5)")
               .arg(info.layers)
               .arg(info.dims)
               .arg(info.neurons())
               .arg(info.format, dtypeName(info.dtype));
    for (const Dataset *d : task.splits()) {
        out << QString();
        out << QObject::tr("[%1] %2 sentences, %3 tokens, %4 neurons used (layers %5)")
                   .arg(d->name)
                   .arg(d->sentences.size())
                   .arg(d->rows())
                   .arg(d->neurons())
                   .arg([d] {
                       QStringList l;
                       for (int x : d->layerIds)
                           l << QString::number(x);
                       return l.join(QLatin1Char(','));
                   }());
        const double f32 = matrixBytes(d->rows(), d->neurons());
        out << (d->storage == StorageMode::Float32
                    ? QObject::tr("    training matrix: %1 (float32, held once)")
                          .arg(formatBytes(f32))
                : d->storage == StorageMode::Float16
                    ? QObject::tr("    training matrix: %1 (float16 in memory; %2 as float32)")
                          .arg(formatBytes(f32 / 2), formatBytes(f32))
                    : QObject::tr(
                          "    training matrix: streamed from the file (%1 as float32 not held)")
                          .arg(formatBytes(f32)));
        const AlignmentReport &r = d->report;
        if (!r.mismatches.empty()) {
            out << QObject::tr("    dropped %1 of %2 lines whose words, labels and activations "
                               "disagree:")
                       .arg(r.mismatches.size())
                       .arg(r.lines);
            out << QObject::tr("      words %1, labels %2, activations %3")
                       .arg(r.wordsFile, r.labelsFile, r.activationsFile);
            for (size_t i = 0; i < std::min<size_t>(r.mismatches.size(), 20); ++i) {
                const auto &m = r.mismatches[i];
                out << QObject::tr("      line %1: %2").arg(m.line + 1).arg(m.reason);
            }
            if (r.mismatches.size() > 20)
                out << QObject::tr("      … and %1 more").arg(r.mismatches.size() - 20);
        }
        if (!r.nonFiniteSentences.empty())
            out << QObject::tr("    %1 sentences with NaN/Inf values (%2 rows)")
                       .arg(r.nonFiniteSentences.size())
                       .arg(r.nonFiniteRows);
        if (r.zeroRows > 0)
            out << QObject::tr("    %1 all-zero rows (words without subwords)").arg(r.zeroRows);
        for (const auto &[label, n] : r.unseenLabels)
            out << QObject::tr("    label '%1' unseen in train: %2 tokens mapped to '%3'")
                       .arg(label)
                       .arg(n)
                       .arg(r.unseenFallback);
        const QString listed = r.mismatchSummary(d->name); // shown line by line above
        for (const QString &w : r.warnings)
            if (w != listed)
                out << QObject::tr("    warning: %1").arg(w);
    }
    if (!task.trainLayerScale.empty() && task.train) {
        out << QString();
        QStringList scales;
        for (size_t l = 0; l < task.trainLayerScale.size() && l < task.train->layerIds.size(); ++l)
            scales << QStringLiteral("%1: %2")
                          .arg(task.train->layerIds[l])
                          .arg(task.trainLayerScale[l], 0, 'g', 3);
        out << QObject::tr("Activation scale per layer (train; RMS of per-neuron standard "
                           "deviations): %1; largest / smallest %2×")
                   .arg(scales.join(QStringLiteral(", ")))
                   .arg(task.layerScaleRatio(), 0, 'f', 2); // 3.99× is not "4.0×" (warns > 4)
        const QString scale = task.scaleWarning(false);
        if (!scale.isEmpty())
            out << QObject::tr("warning (while the probe's Standardise option is off, the "
                               "default): %1")
                       .arg(scale);
    }
    if (!task.vocab.names.isEmpty()) {
        out << QString();
        out << QObject::tr("Labels (%1, sorted by name):").arg(task.vocab.size());
        QStringList labels;
        for (int i = 0; i < task.vocab.size(); ++i)
            labels << QStringLiteral("%1 (%2)")
                          .arg(task.vocab.names[i])
                          .arg(task.vocab.trainCounts.empty() ? 0
                                                              : task.vocab.trainCounts[size_t(i)]);
        out << QStringLiteral("    ") + labels.join(QStringLiteral("  "));
    }
    for (const QString &w : info.warnings)
        out << QObject::tr("warning: %1").arg(w);
    out << QString();
    out << QObject::tr("Memory: %1").arg(task.storage.summary());
    if (task.storage.mode != StorageMode::Float32)
        out << QObject::tr("    probes and probe-based analyses read %1; per-word views and neuron "
                           "profiles "
                           "need a float32 reload")
                   .arg(task.storage.mode == StorageMode::Float16
                            ? QObject::tr("float16 rows widened per mini-batch")
                            : QObject::tr("mini-batches from the file"));
    return out.join(QLatin1Char('\n'));
}

DataDock::DataDock(QWidget *parent) : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    auto *buttons = new QHBoxLayout;
    auto *open = new QPushButton(tr("Open files…"), this);
    auto *demo = new QPushButton(tr("Built-in demo"), this);
    open->setObjectName(QStringLiteral("openFiles"));
    buttons->addWidget(open);
    buttons->addWidget(demo);
    buttons->addStretch();
    layout->addLayout(buttons);
    m_view = new QTextBrowser(this);
    m_view->setLineWrapMode(QTextEdit::WidgetWidth);
    layout->addWidget(m_view, 1);
    connect(open, &QPushButton::clicked, this, &DataDock::openFilesRequested);
    connect(demo, &QPushButton::clicked, this, &DataDock::demoRequested);
}

void DataDock::showTask(const LoadedTask &task, const QString &source, const QString &description)
{
    m_text = (description.isEmpty() ? QString() : description + QStringLiteral("\n\n"))
             + validationReport(task, source);
    m_view->setPlainText(m_text); // plain text: tokens and labels are never markup
}

} // namespace salient::ui
