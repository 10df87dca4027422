#pragma once
// The one way the GUI runs a computation (STYLE.md guideline 4 and §5, DESIGN.md §3): two private
// single-thread pools (lanes), an atomic cancel flag per job, throttled progress, and a final
// status delivered to the GUI thread both to the job's own completion handler and through queued
// signals.
#include "salient/analyses/experiment.h"
#include "salient/probe/probe.h"
#include "salient/util/error.h"

#include <QElapsedTimer>
#include <QMetaType>
#include <QObject>
#include <QString>
#include <QThreadPool>
#include <QVector>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>

namespace salient::ui {

/// How a job ended. Registered as a metatype (queued signals, QSignalSpy, QVariant).
enum class JobStatus {
    Ok,          ///< the work returned Ok; its result object is complete
    Cancelled,   ///< cancelled while running (work returned Cancelled) or before it started
    OutOfMemory, ///< the work threw std::bad_alloc
    Failed,      ///< the work threw (salient::Error or anything else) or returned Failed
};

/// core's Status as a JobStatus (Ok → Ok, Cancelled → Cancelled, Failed → Failed).
JobStatus toJobStatus(salient::Status status);
/// "done", "cancelled", "out of memory" or "failed".
QString jobStatusText(JobStatus status);
/// A duration for people: "8 s", "3 min 05 s", "2 h 07 min"; "?" when negative (unknown).
QString formatDuration(double seconds);

/// One training batch as the live loss/accuracy plot shows it.
struct TrainingPoint {
    double epoch = 0; ///< fractional epochs done after this batch: epoch + (batch + 1) / batches
    qint64 batch = 0; ///< batches done since training started (1-based, over all epochs)
    double loss = 0;  ///< TrainProgress::batchLoss
    double accuracy =
        0; ///< TrainProgress::batchAccuracy (train accuracy of the batch; NaN for regression)
};

class JobRunner;

/**
 * What a job's work sees of its runner: the cancel flag and a progress sink. Created by the
 * runner, passed by reference to the work on the worker thread, valid only while the work runs
 * (never keep a pointer or one of the adapters beyond it).
 *
 * Thread: report(), cancelled() and the adapters may be called from any thread, also from
 * several at once (e.g. from a parallelFor body); setMessage() from the work's thread.
 */
class JobContext {
public:
    JobContext(const JobContext &) = delete;
    JobContext &operator=(const JobContext &) = delete;
    ~JobContext();

    /// The job's id as returned by JobRunner::start().
    int id() const { return m_id; }
    /// True once JobRunner::cancel()/cancelAll() was called for this job. Lock-free.
    bool cancelled() const { return m_cancelled.load(std::memory_order_relaxed); }

    /**
     * Reports progress: @p fraction of the work done, in [0, 1] (clamped; non-finite → 0), and a
     * short stage text. Cheap enough to call per batch: the runner emits progressed() at most
     * about 10 times per second per job (the first report at once) and, after the work returned,
     * always emits the last report if it was held back.
     * @return false once the job is cancelled (the report is then dropped), true otherwise.
     */
    bool report(double fraction, const QString &text);

    /// Sets the message of finished() for a work that returns without throwing (e.g. a summary
    /// for Ok, or the reason for Failed). Default: empty for Ok, "cancelled" for Cancelled.
    void setMessage(const QString &message);

    /// An ExperimentProgress that forwards to report() (and so returns false once cancelled).
    ExperimentProgress experimentProgress();
    /**
     * A TrainCallback for salient::trainProbe that reports epoch/batch progress mapped to
     * [@p from, @p to] of the job (text "epoch e/E · batch b/B · loss x") and returns false once
     * cancelled. Use a sub-range when the job trains after other stages. Every batch is also
     * recorded as a TrainingPoint; the points are delivered in order by
     * JobRunner::trainingProgressed() together with the throttled progress (so at most ~10
     * signals per second), the last ones before finished(). One training per callback object:
     * a second training restarts the batch count.
     */
    TrainCallback trainCallback(double from = 0.0, double to = 1.0);
    /// Lets the context itself be given to core functions: `trainProbe(..., nullptr, ctx)`,
    /// `AnalysisContext::progress = ctx`.
    operator ExperimentProgress() { return experimentProgress(); }
    operator TrainCallback() { return trainCallback(); }

private:
    friend class JobRunner;
    JobContext(JobRunner *runner, int id);
    /// Worker thread, when the work starts: restarts the clock that ETA is measured from.
    void begin();
    /// Worker thread, after the work returned: emits a held-back last report.
    void flush();
    /// Posts one progressed() to the GUI thread; m_mutex held.
    void post(double fraction, const QString &text);

    JobRunner *m_runner;
    const int m_id;
    std::atomic<bool> m_cancelled{false};
    std::mutex m_mutex;       // guards everything below
    QElapsedTimer m_clock;    // since the work started (ETA)
    qint64 m_lastPostMs = -1; // m_clock time of the last progressed(); −1 = none yet
    bool m_pending = false;   // a report newer than the last progressed()
    double m_pendingFraction = 0;
    QString m_pendingText;
    QString m_message;
    QVector<TrainingPoint> m_points; // recorded since the last post
};

/**
 * Runs jobs on two lanes, each a private QThreadPool with one thread that runs its jobs one at a
 * time in the order started:
 * - Lane::Compute: the long, heavy jobs (training, grid search, ablation); runtime.h: one heavy
 *   job at a time, its kernels use every core. Further Compute jobs wait in its queue.
 * - Lane::Interactive: short jobs the user waits on (a neuron's profile, a ranking of a loaded
 *   probe), so they never queue behind a long training. They run concurrently with the Compute
 *   job and share the cores with it; keep them short (seconds).
 * Ids, signals, progress and cancel work the same on both lanes; ids are unique over both.
 *
 * Thread and ownership: created, used and destroyed on the GUI thread; the work runs on a lane's
 * thread. Every signal and every Done handler runs on the runner's (GUI) thread, delivered through
 * the event loop (started/progressed/finished and the handler) or at once (queued), so slots and
 * handlers never run on a worker. The destructor cancels every job of both lanes and waits for the
 * running ones to return; no handler and no signal is delivered after (nor during) it.
 *
 * Results: the work lambda captures a std::shared_ptr to its result object and fills it on the
 * worker; the job's Done handler reads it (it runs on the GUI thread after the work returned: the
 * runner's queued delivery is the synchronisation point), and only when the status is Ok. Give
 * every job that has a result its own handler; do not connect a one-shot slot to the shared
 * finished() signal to pick one job's result out of it (another job may end first).
 *
 * Per job the sequence is: queued → started → progressed* → Done handler → finished; a job
 * cancelled before it started gets queued → Done(Cancelled) → finished(Cancelled) without
 * started, and its work never runs.
 */
class JobRunner : public QObject {
    Q_OBJECT
public:
    /// The computation: runs on the worker thread, returns how it ended. Exceptions are caught
    /// there: salient::Error → Failed (its message), std::bad_alloc → OutOfMemory, anything
    /// else → Failed ("internal error: ...").
    using Work = std::function<JobStatus(JobContext &)>;
    /// Called once on the runner's (GUI) thread when the job ends, before finished() is emitted;
    /// also for a job cancelled before it started. Never called after the runner is destroyed.
    /// @p message is the same as finished()'s. The job is no longer active when it runs
    /// (isActive() is false), so it may start or cancel other jobs. Destroyed on the GUI thread.
    using Done = std::function<void(JobStatus status, const QString &message)>;
    /// Which single-thread pool a job runs on (see the class documentation).
    enum class Lane {
        Compute,     ///< long heavy jobs, one at a time in order (the default)
        Interactive, ///< short jobs the user waits on; never wait behind a Compute job
    };

    explicit JobRunner(QObject *parent = nullptr);
    /// Cancels all jobs and blocks until the running work returned; no signal is delivered after.
    ~JobRunner() override;

    /**
     * Queues @p work under the display name @p name on @p lane. Emits queued() before returning.
     * @p onDone (optional) receives the job's status and message on the GUI thread right before
     * finished() for this job, exactly once, unless the runner is destroyed first.
     * @return the job id (> 0, increasing over both lanes, never reused by this runner).
     */
    int start(const QString &name, Work work, Done onDone = {}, Lane lane = Lane::Compute);

    /// True while any job of either lane is queued or running, i.e. until its Done handler runs.
    bool isRunning() const { return !m_jobs.empty(); }
    /// True while job @p id is queued or running.
    bool isActive(int id) const { return m_jobs.count(id) != 0; }
    /// Number of jobs queued or running.
    int activeCount() const { return int(m_jobs.size()); }
    /// The name job @p id was started with (empty once finished).
    QString jobName(int id) const;

public Q_SLOTS:
    /**
     * Cancels job @p id: a running job sees its flag (JobContext::cancelled(), report() returns
     * false) and ends when its work returns; a queued job is removed from the queue and finishes
     * Cancelled without running. Unknown or finished ids are ignored. finished() always arrives
     * later through the event loop, never from inside this call.
     */
    void cancel(int id);
    /// Cancels every queued and running job of both lanes (newest first, so no queued one starts).
    void cancelAll();

Q_SIGNALS:
    /// Job @p id was queued (emitted synchronously from start()).
    void queued(int id, const QString &name);
    /// Job @p id began running on its lane's worker.
    void started(int id, const QString &name);
    /**
     * Throttled progress of job @p id (at most ~10 per second; the last report always arrives
     * before finished()). @p etaSeconds: remaining time estimated from the elapsed time and
     * @p fraction; −1 when unknown (no fraction yet).
     */
    void progressed(int id, double fraction, const QString &text, double etaSeconds);
    /**
     * Training batches of job @p id recorded since the previous emission (in order; see
     * JobContext::trainCallback()). Emitted just before the matching progressed().
     */
    void trainingProgressed(int id, const QVector<salient::ui::TrainingPoint> &points);
    /// Job @p id ended (after its Done handler returned); @p message is the error for
    /// Failed/OutOfMemory, or the work's message.
    void finished(int id, salient::ui::JobStatus status, const QString &message);

private:
    friend class JobContext;
    struct Job;
    /// Any thread: delivers a signal for job @p id through the GUI thread's event loop.
    void postProgress(int id, double fraction, const QString &text, double eta);
    void postTraining(int id, QVector<TrainingPoint> points);
    void postFinished(int id, JobStatus status, const QString &message);
    /// Worker thread: the body of a job's runnable.
    void runJob(const std::shared_ptr<Job> &job);
    /// GUI thread: job @p id ended; removes it, calls its handler, emits finished().
    void complete(int id, JobStatus status, const QString &message);
    QThreadPool &pool(Lane lane) { return lane == Lane::Interactive ? m_interactivePool : m_pool; }

    QThreadPool m_pool;                         // Lane::Compute
    QThreadPool m_interactivePool;              // Lane::Interactive
    std::map<int, std::shared_ptr<Job>> m_jobs; // queued or running; GUI thread only
    int m_nextId = 1;
};

} // namespace salient::ui

Q_DECLARE_METATYPE(salient::ui::JobStatus)
Q_DECLARE_METATYPE(salient::ui::TrainingPoint)
