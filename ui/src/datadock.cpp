#include "salient/ui/datadock.h"

#include <QDialogButtonBox>
#include <QFileDialog>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace salient::ui {

namespace {
const char *const kSplits[] = {"train", "dev", "test"};
const char *const kRoles[] = {"Activations", "Tokens", "Labels"};
} // namespace

OpenDataDialog::OpenDataDialog(QWidget *parent) : QDialog(parent)
{
    setWindowTitle(tr("Open probing data"));
    auto *layout = new QVBoxLayout(this);
    auto *grid = new QGridLayout;
    for (int r = 0; r < 3; ++r)
        grid->addWidget(new QLabel(tr(kRoles[r]), this), 0, 1 + 2 * r, 1, 2);
    for (int s = 0; s < 3; ++s) {
        grid->addWidget(new QLabel(QLatin1String(kSplits[s]) + (s == 0 ? tr(" (required)") : QString()), this),
                        1 + s, 0);
        for (int r = 0; r < 3; ++r) {
            auto *edit = new QLineEdit(this);
            edit->setObjectName(QStringLiteral("%1-%2").arg(QLatin1String(kSplits[s]), QString::fromLatin1(kRoles[r]).toLower()));
            edit->setMinimumWidth(220);
            auto *browse = new QPushButton(tr("…"), this);
            browse->setToolTip(tr("Browse"));
            browse->setMaximumWidth(32);
            const QString filter = r == 0 ? tr("Activations (*.hdf5 *.h5 *.json *.jsonl);;All files (*)")
                                          : tr("Text (*.txt);;All files (*)");
            connect(browse, &QPushButton::clicked, this, [this, edit, filter] {
                const QString f = QFileDialog::getOpenFileName(this, tr("Choose a file"), edit->text(), filter);
                if (!f.isEmpty())
                    edit->setText(f);
            });
            grid->addWidget(edit, 1 + s, 1 + 2 * r);
            grid->addWidget(browse, 1 + s, 2 + 2 * r);
            m_fields[s][r] = edit;
        }
    }
    layout->addLayout(grid);
    layout->addWidget(new QLabel(tr("One sentence per line; tokens and labels separated by whitespace. "
                                    "Activations: NeuroX HDF5 or JSON lines."), this));
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
    return in;
}

void OpenDataDialog::setInputs(const TaskInputs &in)
{
    const SplitPaths *splits[] = {&in.train, &in.dev, &in.test};
    for (int s = 0; s < 3; ++s) {
        m_fields[s][0]->setText(splits[s]->activations);
        m_fields[s][1]->setText(splits[s]->tokens);
        m_fields[s][2]->setText(splits[s]->labels);
    }
}

QString validationReport(const LoadedTask &task, const QString &source)
{
    QStringList out;
    const StoreInfo &info = task.trainInfo;
    out << QObject::tr("Source: %1").arg(source);
    out << QObject::tr("Activations: %1 layers × %2 neurons = %3 neurons per token (%4, %5)")
               .arg(info.layers).arg(info.dims).arg(info.neurons()).arg(info.format, dtypeName(info.dtype));
    for (const Dataset *d : task.splits()) {
        out << QString();
        out << QObject::tr("[%1] %2 sentences, %3 tokens, %4 neurons used (layers %5)")
                   .arg(d->name).arg(d->sentences.size()).arg(d->rows()).arg(d->neurons())
                   .arg([d] {
                       QStringList l;
                       for (int x : d->layerIds)
                           l << QString::number(x);
                       return l.join(QLatin1Char(','));
                   }());
        out << QObject::tr("    training matrix: %1 MB (float32, held once)")
                   .arg(matrixBytes(d->rows(), d->neurons()) / 1e6, 0, 'f', 1);
        const AlignmentReport &r = d->report;
        if (!r.mismatches.empty()) {
            out << QObject::tr("    %1 mismatched lines dropped:").arg(r.mismatches.size());
            for (size_t i = 0; i < std::min<size_t>(r.mismatches.size(), 20); ++i) {
                const auto &m = r.mismatches[i];
                out << QObject::tr("      line %1: %2 activation rows, %3 tokens, %4 labels")
                           .arg(m.line + 1).arg(m.activationRows).arg(m.tokens).arg(m.labels);
            }
            if (r.mismatches.size() > 20)
                out << QObject::tr("      … and %1 more").arg(r.mismatches.size() - 20);
        }
        if (!r.nonFiniteSentences.empty())
            out << QObject::tr("    %1 sentences with NaN/Inf values (%2 rows)").arg(r.nonFiniteSentences.size()).arg(r.nonFiniteRows);
        if (r.zeroRows > 0)
            out << QObject::tr("    %1 all-zero rows (words without subwords)").arg(r.zeroRows);
        for (const auto &[label, n] : r.unseenLabels)
            out << QObject::tr("    label '%1' unseen in train: %2 tokens mapped to '%3'").arg(label).arg(n).arg(r.unseenFallback);
        for (const QString &w : r.warnings)
            out << QObject::tr("    warning: %1").arg(w);
    }
    if (!task.vocab.names.isEmpty()) {
        out << QString();
        out << QObject::tr("Labels (%1, sorted by name):").arg(task.vocab.size());
        QStringList labels;
        for (int i = 0; i < task.vocab.size(); ++i)
            labels << QStringLiteral("%1 (%2)").arg(task.vocab.names[i]).arg(task.vocab.trainCounts.empty() ? 0 : task.vocab.trainCounts[size_t(i)]);
        out << QStringLiteral("    ") + labels.join(QStringLiteral("  "));
    }
    for (const QString &w : info.warnings)
        out << QObject::tr("warning: %1").arg(w);
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
    m_text = (description.isEmpty() ? QString() : description + QStringLiteral("\n\n")) + validationReport(task, source);
    m_view->setPlainText(m_text); // plain text: tokens and labels are never markup
}

} // namespace salient::ui
