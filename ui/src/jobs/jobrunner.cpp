#include "salient/ui/jobs/jobrunner.h"

#include <QPointer>
#include <QRunnable>

#include <algorithm>
#include <cmath>
#include <exception>
#include <new>
#include <utility>
#include <vector>

namespace salient::ui {

namespace {
/// Minimum time between two progressed() of one job: at most ~10 signals per second.
constexpr qint64 kProgressIntervalMs = 100;
} // namespace

JobStatus toJobStatus(salient::Status status)
{
    switch (status) {
    case salient::Status::Ok:
        return JobStatus::Ok;
    case salient::Status::Cancelled:
        return JobStatus::Cancelled;
    case salient::Status::Failed:
        break;
    }
    return JobStatus::Failed;
}

QString jobStatusText(JobStatus status)
{
    switch (status) {
    case JobStatus::Ok:
        return QStringLiteral("done");
    case JobStatus::Cancelled:
        return QStringLiteral("cancelled");
    case JobStatus::OutOfMemory:
        return QStringLiteral("out of memory");
    case JobStatus::Failed:
        break;
    }
    return QStringLiteral("failed");
}

QString formatDuration(double seconds)
{
    if (!(seconds >= 0) || !std::isfinite(seconds))
        return QStringLiteral("?");
    const qint64 s = qint64(std::llround(seconds));
    if (s < 60)
        return QStringLiteral("%1 s").arg(s);
    if (s < 3600)
        return QStringLiteral("%1 min %2 s").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1 h %2 min")
        .arg(s / 3600)
        .arg((s % 3600) / 60, 2, 10, QLatin1Char('0'));
}

// ---------------------------------------------------------------------------------------------
// JobContext

JobContext::JobContext(JobRunner *runner, int id) : m_runner(runner), m_id(id)
{
    m_clock.start();
}

JobContext::~JobContext() = default;

void JobContext::begin()
{
    const std::lock_guard<std::mutex> lock(m_mutex);
    m_clock.restart();
}

bool JobContext::report(double fraction, const QString &text)
{
    if (cancelled())
        return false;
    if (!std::isfinite(fraction))
        fraction = 0.0;
    fraction = std::clamp(fraction, 0.0, 1.0);
    const std::lock_guard<std::mutex> lock(m_mutex);
    const qint64 now = m_clock.elapsed();
    if (m_lastPostMs < 0 || now - m_lastPostMs >= kProgressIntervalMs) {
        m_lastPostMs = now;
        m_pending = false;
        post(fraction, text);
    } else {
        m_pending = true;
        m_pendingFraction = fraction;
        m_pendingText = text;
    }
    return true;
}

void JobContext::setMessage(const QString &message)
{
    const std::lock_guard<std::mutex> lock(m_mutex);
    m_message = message;
}

void JobContext::flush()
{
    const std::lock_guard<std::mutex> lock(m_mutex);
    if (!m_pending) {
        if (!m_points.isEmpty())
            m_runner->postTraining(m_id, std::exchange(m_points, {}));
        return;
    }
    m_pending = false;
    m_lastPostMs = m_clock.elapsed();
    post(m_pendingFraction, m_pendingText);
}

void JobContext::post(double fraction, const QString &text)
{
    double eta = -1.0;
    if (fraction >= 1.0)
        eta = 0.0;
    else if (fraction > 0.0)
        eta = double(m_clock.elapsed()) / 1000.0 * (1.0 - fraction) / fraction;
    if (!m_points.isEmpty())
        m_runner->postTraining(m_id, std::exchange(m_points, {}));
    m_runner->postProgress(m_id, fraction, text, eta);
}

ExperimentProgress JobContext::experimentProgress()
{
    return [this](double fraction, const QString &stage) { return report(fraction, stage); };
}

TrainCallback JobContext::trainCallback(double from, double to)
{
    auto count = std::make_shared<qint64>(0);
    return [this, from, to, count](const TrainProgress &p) {
        if (cancelled())
            return false;
        const double epochs = std::max(1, p.epochs);
        const double batches = double(std::max<Index>(1, p.batches));
        const double done = (double(p.epoch) + double(p.batch + 1) / batches) / epochs;
        {
            const std::lock_guard<std::mutex> lock(m_mutex);
            m_points.push_back({double(p.epoch) + double(p.batch + 1) / batches, ++*count,
                                p.batchLoss, p.batchAccuracy});
        }
        const QString text = QStringLiteral("epoch %1/%2 · batch %3/%4 · loss %5")
                                 .arg(p.epoch + 1)
                                 .arg(p.epochs)
                                 .arg(p.batch + 1)
                                 .arg(p.batches)
                                 .arg(p.batchLoss, 0, 'g', 4);
        return report(from + (to - from) * std::min(1.0, done), text);
    };
}

// ---------------------------------------------------------------------------------------------
// JobRunner

/// One job, shared by the GUI thread (m_jobs) and the runnable on the worker.
struct JobRunner::Job {
    Job(JobRunner *runner, int jobId, const QString &jobName, Work jobWork, Done jobDone,
        Lane jobLane)
        : id(jobId), name(jobName), lane(jobLane), work(std::move(jobWork)),
          onDone(std::move(jobDone)), context(runner, jobId)
    {
    }
    enum class Phase { Queued, Running };
    const int id;
    const QString name;
    const Lane lane;
    Work work;   // worker thread (released there after it ran)
    Done onDone; // GUI thread only: moved out and called by complete(), or dropped unused
    JobContext context;
    std::mutex mutex;              // guards phase
    Phase phase = Phase::Queued;   // Running from the moment the runnable's body begins
    QRunnable *runnable = nullptr; // valid while phase == Queued (auto-deleted after it ran)
};

JobRunner::JobRunner(QObject *parent) : QObject(parent)
{
    qRegisterMetaType<salient::ui::JobStatus>("salient::ui::JobStatus");
    qRegisterMetaType<salient::ui::TrainingPoint>("salient::ui::TrainingPoint");
    qRegisterMetaType<QVector<salient::ui::TrainingPoint>>("QVector<salient::ui::TrainingPoint>");
    m_pool.setObjectName(QStringLiteral("salient-jobs"));
    m_interactivePool.setObjectName(QStringLiteral("salient-interactive-jobs"));
    for (QThreadPool *lane : {&m_pool, &m_interactivePool}) {
        lane->setMaxThreadCount(1);
        // Keep the worker thread alive: its OpenMP team is then made once, not per job.
        lane->setExpiryTimeout(-1);
    }
}

JobRunner::~JobRunner()
{
    // No handler may run from here on: drop them all on this (GUI) thread before the workers end.
    for (auto &entry : m_jobs)
        entry.second->onDone = nullptr;
    cancelAll();
    m_pool.waitForDone();
    m_interactivePool.waitForDone();
    // complete() calls posted by the last jobs are dropped with this object's pending events
    // (QObject's destructor removes them), so neither a handler nor finished() runs afterwards.
}

int JobRunner::start(const QString &name, Work work, Done onDone, Lane lane)
{
    const int id = m_nextId++;
    auto job = std::make_shared<Job>(this, id, name, std::move(work), std::move(onDone), lane);
    m_jobs.emplace(id, job);
    // The runnable holds the job; the runner's map holds it until complete() takes it out.
    QRunnable *runnable = QRunnable::create([this, job] { runJob(job); });
    job->runnable = runnable;
    Q_EMIT queued(id, name);
    pool(lane).start(runnable);
    return id;
}

QString JobRunner::jobName(int id) const
{
    const auto it = m_jobs.find(id);
    return it == m_jobs.end() ? QString() : it->second->name;
}

void JobRunner::cancel(int id)
{
    const auto it = m_jobs.find(id);
    if (it == m_jobs.end())
        return;
    const std::shared_ptr<Job> job = it->second;
    job->context.m_cancelled.store(true);
    bool taken = false;
    {
        const std::lock_guard<std::mutex> lock(job->mutex);
        // While Queued the runnable has not begun, so it is alive and tryTake() may look for it.
        if (job->phase == Job::Phase::Queued && job->runnable
            && pool(job->lane).tryTake(job->runnable)) {
            delete job->runnable; // tryTake() handed ownership back
            job->runnable = nullptr;
            taken = true;
        }
    }
    if (taken)
        postFinished(id, JobStatus::Cancelled, QStringLiteral("cancelled before it started"));
    // Otherwise it is running (or just about to): it sees the flag and finishes by itself.
}

void JobRunner::cancelAll()
{
    std::vector<int> ids;
    ids.reserve(m_jobs.size());
    for (const auto &[id, job] : m_jobs)
        ids.push_back(id);
    // Newest first: queued jobs leave the queue before the running one can hand over to them.
    for (auto it = ids.rbegin(); it != ids.rend(); ++it)
        cancel(*it);
}

void JobRunner::postProgress(int id, double fraction, const QString &text, double eta)
{
    QMetaObject::invokeMethod(
        this, [this, id, fraction, text, eta] { Q_EMIT progressed(id, fraction, text, eta); },
        Qt::QueuedConnection);
}

void JobRunner::postTraining(int id, QVector<TrainingPoint> points)
{
    QMetaObject::invokeMethod(
        this, [this, id, points = std::move(points)] { Q_EMIT trainingProgressed(id, points); },
        Qt::QueuedConnection);
}

void JobRunner::postFinished(int id, JobStatus status, const QString &message)
{
    QMetaObject::invokeMethod(
        this, [this, id, status, message] { complete(id, status, message); }, Qt::QueuedConnection);
}

void JobRunner::complete(int id, JobStatus status, const QString &message)
{
    Done done;
    if (const auto it = m_jobs.find(id); it != m_jobs.end()) {
        done = std::move(it->second->onDone);
        m_jobs.erase(it); // inactive before its handler runs: the handler may start new jobs
    }
    if (done) {
        const QPointer<JobRunner> self(this);
        done(status, message);
        done = nullptr; // release what the handler captured before finished() is emitted
        if (!self)
            return; // the handler destroyed the runner
    }
    Q_EMIT finished(id, status, message);
}

void JobRunner::runJob(const std::shared_ptr<Job> &job)
{
    {
        const std::lock_guard<std::mutex> lock(job->mutex);
        job->phase = Job::Phase::Running;
        job->runnable = nullptr;
    }
    JobContext &context = job->context;
    if (context.cancelled()) {
        postFinished(job->id, JobStatus::Cancelled, QStringLiteral("cancelled before it started"));
        return;
    }
    {
        const int id = job->id;
        const QString name = job->name;
        QMetaObject::invokeMethod(
            this, [this, id, name] { Q_EMIT started(id, name); }, Qt::QueuedConnection);
    }
    context.begin();

    JobStatus status = JobStatus::Failed;
    QString message;
    try {
        status = job->work(context);
        const std::lock_guard<std::mutex> lock(context.m_mutex);
        message = context.m_message;
    } catch (const salient::Error &e) {
        status = JobStatus::Failed;
        message = e.message();
    } catch (const std::bad_alloc &) {
        status = JobStatus::OutOfMemory;
        message = QStringLiteral("out of memory: the job needs more memory than is available");
    } catch (const std::exception &e) {
        status = JobStatus::Failed;
        message = QStringLiteral("internal error: %1").arg(QString::fromLocal8Bit(e.what()));
    } catch (...) {
        status = JobStatus::Failed;
        message = QStringLiteral("internal error: unknown exception");
    }
    if (status == JobStatus::Cancelled && message.isEmpty())
        message = QStringLiteral("cancelled");
    context.flush();
    // Release the work (and what it captured) on the worker, before the GUI learns it ended.
    job->work = nullptr;
    postFinished(job->id, status, message);
}

} // namespace salient::ui
