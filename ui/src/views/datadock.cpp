#include "salient/ui/views/datadock.h"

#include "salient/ui/jobs/jobrunner.h"

#include "salient/util/error.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QPushButton>
#include <QTextBrowser>
#include <QTimer>
#include <QVBoxLayout>
#include <cmath>
#include <memory>

namespace salient::ui {

namespace {
const char *const kSplits[] = {"train", "dev", "test"};
const char *const kRoles[] = {"Activations", "Tokens", "Labels"};
} // namespace

OpenDataDialog::OpenDataDialog(JobRunner *jobs, QWidget *parent) : QDialog(parent), m_jobs(jobs)
{
    setWindowTitle(tr("Open probing data"));
    auto *layout = new QVBoxLayout(this);
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
            grid->addWidget(edit, 1 + s, 1 + 2 * r);
            grid->addWidget(browse, 1 + s, 2 + 2 * r);
            m_fields[s][r] = edit;
        }
    }
    layout->addLayout(grid);
    layout->addWidget(
        new QLabel(tr("One sentence per line; tokens and labels separated by whitespace. "
                      "Activations: NeuroX HDF5 or JSON lines."),
                   this));
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

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Open | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
}

TaskInputs OpenDataDialog::inputs() const
{
    TaskInputs in;
    SplitPaths *splits[] = {&in.train, &in.dev, &in.test};
    for (int s = 0; s < 3; ++s)
        *splits[s] = {m_fields[s][0]->text().trimmed(), m_fields[s][1]->text().trimmed(),
                      m_fields[s][2]->text().trimmed()};
    in.options.storage = StorageMode(m_storage->currentData().toInt());
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
