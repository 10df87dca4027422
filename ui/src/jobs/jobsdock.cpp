#include "salient/ui/jobs/jobsdock.h"

#include <QFrame>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace salient::ui {

namespace {
constexpr int kBarRange = 1000; // progress bar resolution: 0.1 %

QString idName(const char *prefix, int id)
{
    return QLatin1String(prefix) + QString::number(id);
}
} // namespace

JobsDock::JobsDock(JobRunner *runner, QWidget *parent) : QWidget(parent), m_runner(runner)
{
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(4, 4, 4, 4);

    auto *buttons = new QHBoxLayout;
    m_cancelAll = new QPushButton(tr("Cancel all"), this);
    m_cancelAll->setObjectName(QStringLiteral("cancelAllJobs"));
    m_cancelAll->setToolTip(tr("Cancel the running job and every queued job"));
    m_clearFinished = new QPushButton(tr("Clear finished"), this);
    m_clearFinished->setObjectName(QStringLiteral("clearFinishedJobs"));
    buttons->addWidget(m_cancelAll);
    buttons->addWidget(m_clearFinished);
    buttons->addStretch(1);
    outer->addLayout(buttons);

    m_scroll = new QScrollArea(this);
    m_scroll->setObjectName(QStringLiteral("jobList"));
    m_scroll->setWidgetResizable(true);
    m_scroll->setFrameShape(QFrame::NoFrame);
    m_scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_list = new QWidget(m_scroll);
    auto *rows = new QVBoxLayout(m_list);
    rows->setContentsMargins(0, 0, 0, 0);
    m_empty =
        new QLabel(tr("No jobs yet. Analyses started from the Run view appear here."), m_list);
    m_empty->setObjectName(QStringLiteral("noJobs"));
    m_empty->setWordWrap(true);
    rows->addWidget(m_empty);
    m_activeLayout = new QVBoxLayout;
    m_activeLayout->setContentsMargins(0, 0, 0, 0);
    rows->addLayout(m_activeLayout);
    m_finishedToggle = new QToolButton(m_list);
    m_finishedToggle->setObjectName(QStringLiteral("finishedJobsToggle"));
    m_finishedToggle->setCheckable(true);
    m_finishedToggle->setAutoRaise(true);
    m_finishedToggle->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_finishedToggle->setArrowType(Qt::RightArrow);
    m_finishedToggle->setToolTip(tr("Show or hide the jobs that ended"));
    m_finishedToggle->hide();
    rows->addWidget(m_finishedToggle);
    m_finishedBox = new QWidget(m_list);
    m_finishedLayout = new QVBoxLayout(m_finishedBox);
    m_finishedLayout->setContentsMargins(0, 0, 0, 0);
    m_finishedBox->hide();
    rows->addWidget(m_finishedBox);
    rows->addStretch(1);
    m_scroll->setWidget(m_list);
    outer->addWidget(m_scroll, 1);
    connect(m_finishedToggle, &QToolButton::toggled, this,
            [this](bool on) { setFinishedExpanded(on); });

    if (runner) {
        connect(runner, &JobRunner::queued, this, &JobsDock::onQueued);
        connect(runner, &JobRunner::started, this, &JobsDock::onStarted);
        connect(runner, &JobRunner::progressed, this, &JobsDock::onProgressed);
        connect(runner, &JobRunner::finished, this, &JobsDock::onFinished);
        connect(m_cancelAll, &QPushButton::clicked, runner, &JobRunner::cancelAll);
    }
    connect(m_clearFinished, &QPushButton::clicked, this, &JobsDock::clearFinished);
    updateButtons();
    arrange();
}

JobsDock::~JobsDock() = default;

void JobsDock::setMaxFinishedRows(int rows)
{
    m_maxFinishedRows = std::max(0, rows);
    trimFinished();
}

JobsDock::Row &JobsDock::rowFor(int id, const QString &name)
{
    const auto it = m_rows.find(id);
    if (it != m_rows.end())
        return it->second;

    Row row;
    auto *frame = new QFrame(m_list);
    frame->setObjectName(idName("job-", id));
    frame->setFrameShape(QFrame::StyledPanel);
    auto *grid = new QGridLayout(frame);
    grid->setContentsMargins(6, 4, 6, 4);
    row.widget = frame;
    row.name = new QLabel(name.isEmpty() && m_runner ? m_runner->jobName(id) : name, frame);
    row.name->setObjectName(idName("jobName-", id));
    row.name->setWordWrap(true); // long file names never widen the window
    row.name->setToolTip(row.name->text());
    QFont bold = row.name->font();
    bold.setBold(true);
    row.name->setFont(bold);
    row.bar = new QProgressBar(frame);
    row.bar->setObjectName(idName("jobProgress-", id));
    row.bar->setRange(0, kBarRange);
    row.bar->setValue(0);
    row.status = new QLabel(tr("queued"), frame);
    row.status->setObjectName(idName("jobStatus-", id));
    row.status->setWordWrap(true);
    row.status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    row.cancel = new QPushButton(tr("Cancel"), frame);
    row.cancel->setObjectName(idName("jobCancel-", id));
    row.cancel->setToolTip(tr("Cancel this job"));
    grid->addWidget(row.name, 0, 0);
    grid->addWidget(row.cancel, 0, 1, 2, 1, Qt::AlignTop);
    grid->addWidget(row.bar, 1, 0);
    grid->addWidget(row.status, 2, 0, 1, 2);
    grid->setColumnStretch(0, 1);
    connect(row.cancel, &QPushButton::clicked, this, [this, id] {
        if (m_runner)
            m_runner->cancel(id);
        const auto found = m_rows.find(id);
        if (found != m_rows.end() && !found->second.finished) {
            found->second.cancel->setEnabled(false);
            found->second.status->setText(tr("cancelling…"));
        }
    });

    auto &inserted = m_rows.emplace(id, row).first->second;
    arrange();
    updateButtons();
    return inserted;
}

void JobsDock::onQueued(int id, const QString &name)
{
    rowFor(id, name);
}

void JobsDock::onStarted(int id, const QString &name)
{
    Row &row = rowFor(id, name);
    if (row.finished)
        return;
    row.running = true;
    arrange();
    if (!row.cancel->isEnabled())
        return;
    row.status->setText(tr("running"));
}

void JobsDock::onProgressed(int id, double fraction, const QString &text, double etaSeconds)
{
    Row &row = rowFor(id, QString());
    if (row.finished)
        return;
    if (!row.running) {
        row.running = true;
        arrange();
    }
    row.bar->setValue(int(std::lround(std::clamp(fraction, 0.0, 1.0) * kBarRange)));
    if (!row.cancel->isEnabled())
        return; // keep "cancelling…" until it ends
    QString status = text;
    if (etaSeconds >= 0 && fraction < 1.0) {
        const QString eta = tr("ETA %1").arg(formatDuration(etaSeconds));
        status = status.isEmpty() ? eta : status + QStringLiteral(" — ") + eta;
    }
    row.status->setText(status.isEmpty() ? tr("running") : status);
}

void JobsDock::onFinished(int id, JobStatus status, const QString &message)
{
    Row &row = rowFor(id, QString());
    row.finished = true;
    row.running = false;
    row.cancel->hide();
    row.cancel->setEnabled(false);
    QString text = jobStatusText(status);
    switch (status) {
    case JobStatus::Ok:
        row.bar->setValue(kBarRange);
        if (!message.isEmpty())
            text += QStringLiteral(": ") + message;
        break;
    case JobStatus::Cancelled:
        break;
    case JobStatus::OutOfMemory:
    case JobStatus::Failed:
        if (!message.isEmpty())
            text += QStringLiteral(": ") + message;
        break;
    }
    row.status->setText(text);
    row.status->setToolTip(message);
    trimFinished();
    arrange();
    updateButtons();
}

void JobsDock::clearFinished()
{
    std::vector<int> done;
    for (const auto &[id, row] : m_rows)
        if (row.finished)
            done.push_back(id);
    for (int id : done)
        removeRow(id);
    arrange();
    updateButtons();
}

void JobsDock::removeRow(int id)
{
    const auto it = m_rows.find(id);
    if (it == m_rows.end())
        return;
    m_activeLayout->removeWidget(it->second.widget);
    m_finishedLayout->removeWidget(it->second.widget);
    it->second.widget->hide();
    it->second.widget->deleteLater();
    m_rows.erase(it);
}

void JobsDock::trimFinished()
{
    int finished = 0;
    for (const auto &[id, row] : m_rows)
        finished += row.finished ? 1 : 0;
    // m_rows is ordered by id, i.e. oldest first.
    for (auto it = m_rows.begin(); finished > m_maxFinishedRows && it != m_rows.end();) {
        const int id = it->first;
        const bool drop = it->second.finished;
        ++it;
        if (drop) {
            removeRow(id);
            --finished;
        }
    }
}

QList<int> JobsDock::rowOrder() const
{
    QList<int> running, queued, finished;
    for (const auto &[id, row] : m_rows)
        (row.finished ? finished : row.running ? running : queued).push_back(id);
    std::reverse(finished.begin(), finished.end()); // newest first
    return running + queued + finished;
}

bool JobsDock::finishedExpanded() const
{
    return m_finishedToggle->isChecked();
}

void JobsDock::setFinishedExpanded(bool expanded)
{
    if (m_finishedToggle->isChecked() != expanded) {
        m_finishedToggle->setChecked(expanded); // re-enters through toggled()
        return;
    }
    m_finishedToggle->setArrowType(expanded ? Qt::DownArrow : Qt::RightArrow);
    m_finishedBox->setVisible(expanded);
}

void JobsDock::arrange()
{
    int finished = 0, active = 0;
    for (int id : rowOrder()) {
        const Row &row = m_rows.at(id);
        QVBoxLayout *target = row.finished ? m_finishedLayout : m_activeLayout;
        const int index = row.finished ? finished++ : active++;
        // Moving a widget between layouts reparents it: only touch rows out of place.
        if (target->indexOf(row.widget) != index) {
            m_activeLayout->removeWidget(row.widget);
            m_finishedLayout->removeWidget(row.widget);
            row.widget->setParent(target == m_finishedLayout ? m_finishedBox : m_list);
            target->insertWidget(index, row.widget);
            row.widget->show();
        }
    }
    m_empty->setVisible(m_rows.empty());
    m_finishedToggle->setText(tr("Finished (%1)").arg(finished));
    m_finishedToggle->setVisible(finished > 0);
    // Tall enough for one job row (name, bar, a two-line status), so the running job's
    // progress and ETA never need scrolling.
    int rowHeight = 0;
    for (const auto &[id, row] : m_rows)
        if (!row.finished)
            rowHeight = std::max(rowHeight, row.widget->sizeHint().height());
    if (rowHeight == 0)
        rowHeight = m_empty->sizeHint().height();
    m_scroll->setMinimumHeight(rowHeight + m_finishedToggle->sizeHint().height() + 8);
}

void JobsDock::updateButtons()
{
    bool active = false, finished = false;
    for (const auto &[id, row] : m_rows) {
        active = active || !row.finished;
        finished = finished || row.finished;
    }
    m_cancelAll->setEnabled(active && m_runner);
    m_clearFinished->setEnabled(finished);
}

} // namespace salient::ui
