#pragma once
// The job list of the Run view (DESIGN.md §4.2): one row per job with its name, a progress bar,
// a status line with ETA and a Cancel button while the job is queued or running. Running and
// queued jobs come first; finished ones are collapsed under "Finished (n)".
#include "salient/ui/jobs/jobrunner.h"

#include <QPointer>
#include <QWidget>

#include <map>

class QLabel;
class QProgressBar;
class QPushButton;
class QScrollArea;
class QToolButton;
class QVBoxLayout;

namespace salient::ui {

/**
 * Shows the jobs of one JobRunner; the main window puts it in a QDockWidget.
 *
 * Rows appear when a job is queued (or, for jobs queued before the dock existed, at their first
 * signal) and stay after the job finished, showing "done", "cancelled", "failed: message" or
 * "out of memory: message", until "Clear finished" removes them; at most maxFinishedRows()
 * finished rows are kept (oldest dropped first).
 *
 * Order: running jobs first, then queued ones (each in start order), then a "Finished (n)"
 * toggle under which the finished jobs are listed newest first; the finished section is collapsed
 * unless the user expands it. The list is never shorter than one job row, so a running job's
 * progress bar and ETA are visible without scrolling.
 *
 * Object names (for tests and style sheets), with N the job id: row "job-N", label
 * "jobName-N", bar "jobProgress-N", status "jobStatus-N", button "jobCancel-N"; the dock's own
 * buttons "cancelAllJobs", "clearFinishedJobs" and the toggle "finishedJobsToggle".
 *
 * Thread: GUI thread only. Ownership: does not own the runner, which must outlive the dock or
 * be destroyed first (the dock then just stops updating).
 */
class JobsDock : public QWidget {
    Q_OBJECT
public:
    explicit JobsDock(JobRunner *runner, QWidget *parent = nullptr);
    ~JobsDock() override;

    /// Number of rows shown (active and finished jobs).
    int rowCount() const { return int(m_rows.size()); }
    /// Finished rows kept before the oldest is dropped (default 20).
    int maxFinishedRows() const { return m_maxFinishedRows; }
    void setMaxFinishedRows(int rows);
    /// Job ids in display order: running, queued, then finished (newest first).
    QList<int> rowOrder() const;
    /// True when the finished jobs are listed (the "Finished (n)" section is expanded).
    bool finishedExpanded() const;
    void setFinishedExpanded(bool expanded);

public Q_SLOTS:
    /// Removes the rows of finished jobs.
    void clearFinished();

private:
    struct Row {
        QWidget *widget = nullptr;
        QLabel *name = nullptr;
        QProgressBar *bar = nullptr;
        QLabel *status = nullptr;
        QPushButton *cancel = nullptr;
        bool running = false;
        bool finished = false;
    };
    Row &rowFor(int id, const QString &name);
    void onQueued(int id, const QString &name);
    void onStarted(int id, const QString &name);
    void onProgressed(int id, double fraction, const QString &text, double etaSeconds);
    void onFinished(int id, JobStatus status, const QString &message);
    void removeRow(int id);
    void trimFinished();
    void updateButtons();
    /// Puts every row in its section and place (class comment) and updates the toggle.
    void arrange();

    QPointer<JobRunner> m_runner;
    QWidget *m_list = nullptr;
    QVBoxLayout *m_activeLayout = nullptr;
    QVBoxLayout *m_finishedLayout = nullptr;
    QWidget *m_finishedBox = nullptr;
    QToolButton *m_finishedToggle = nullptr;
    QScrollArea *m_scroll = nullptr;
    QPushButton *m_cancelAll = nullptr;
    QPushButton *m_clearFinished = nullptr;
    QLabel *m_empty = nullptr;
    std::map<int, Row> m_rows; // by job id, i.e. in start order
    int m_maxFinishedRows = 20;
};

} // namespace salient::ui
