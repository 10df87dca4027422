// Long on purpose: one test class for JobRunner and JobsDock, every job status and cancel path.
// JobRunner and JobsDock (STYLE.md guidelines 4 and 11): jobs end with the right status, progress
// is throttled, cancel works for running and queued jobs, exceptions map to statuses, and the
// GUI thread's event loop keeps running while a real probe trains on the worker.
#include "salient/ui/jobs/jobrunner.h"
#include "salient/ui/jobs/jobsdock.h"

#include "salient/probe/probe.h"
#include "salient/util/error.h"
#include "salient/util/runtime.h"

#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTimer>
#include <QtTest>

#include <atomic>
#include <chrono>
#include <memory>
#include <new>
#include <thread>

using salient::ui::JobContext;
using salient::ui::JobRunner;
using salient::ui::JobStatus;

namespace {

constexpr int kWaitMs = 60000; // generous: a busy 2-core CI machine must not fail on timing

qint64 steadyMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

/// Synthetic activations: @p rows × @p cols in [−1, 1) from a cheap hash (fast to fill even for
/// gigabytes), and 3 classes planted in columns 3 and 7.
struct Synthetic {
    salient::RowMatrixF X;
    salient::VectorI y;
    QStringList labels{QStringLiteral("A"), QStringLiteral("B"), QStringLiteral("C")};
};

std::shared_ptr<Synthetic> makeSynthetic(salient::Index rows, salient::Index cols)
{
    auto data = std::make_shared<Synthetic>();
    data->X.resize(rows, cols);
    data->y.resize(rows);
    const auto fill = [&data, cols](salient::Index first, salient::Index last) {
        for (salient::Index r = first; r < last; ++r) {
            float *row = data->X.row(r).data();
            quint64 state = 0x9E3779B97F4A7C15ull * quint64(r + 1);
            for (salient::Index c = 0; c < cols; ++c) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                row[c] = float(state >> 40) * (2.0f / 16777216.0f) - 1.0f;
            }
            const float v = row[3] + 0.5f * row[std::min<salient::Index>(7, cols - 1)];
            data->y[r] = v < -0.4f ? 0 : (v < 0.4f ? 1 : 2);
        }
    };
    // Rows in parallel chunks: gigabytes fill in seconds.
    const salient::Index parts = std::max(1u, std::min(8u, std::thread::hardware_concurrency()));
    std::vector<std::thread> threads;
    for (salient::Index p = 0; p < parts; ++p)
        threads.emplace_back(fill, rows * p / parts, rows * (p + 1) / parts);
    for (std::thread &t : threads)
        t.join();
    return data;
}

} // namespace

class TestJobRunner : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void okJobResultReadableAfterFinished();
    void progressThrottledInTightLoop();
    void progressThrottledOverTime();
    void cancelRunningTraining();
    void cancelQueuedJobDoesNotRun();
    void errorsMapToStatus_data();
    void errorsMapToStatus();
    void workReturnedStatusAndMessage();
    void destructorCancelsAndWaits();
    void backToBackJobsEachGetTheirOwnResult();
    void handlerOfJobQueuedBehindAnother();
    void handlerOfJobCancelledWhileQueued();
    void handlerMayStartAnotherJob();
    void interactiveJobCompletesWhileComputeRuns();
    void interactiveQueuedJobCancels();
    void destroyingRunnerCallsNoHandler();
    void guiStaysResponsiveWhileTraining();
    void dockShowsRowsAndCancelButtonCancels();
    void formatDuration();
};

void TestJobRunner::initTestCase()
{
    QVERIFY(QMetaType::fromType<JobStatus>().isValid());
}

void TestJobRunner::okJobResultReadableAfterFinished()
{
    JobRunner runner;
    QSignalSpy startedSpy(&runner, &JobRunner::started);
    QSignalSpy finishedSpy(&runner, &JobRunner::finished);
    auto result = std::make_shared<std::vector<double>>();
    const int id = runner.start(QStringLiteral("squares"), [result](JobContext &ctx) {
        for (int i = 0; i < 1000; ++i)
            result->push_back(double(i) * i);
        ctx.setMessage(QStringLiteral("1000 squares"));
        return JobStatus::Ok;
    });
    QVERIFY(id > 0);
    QVERIFY(runner.isRunning());
    QVERIFY(runner.isActive(id));
    QCOMPARE(runner.jobName(id), QStringLiteral("squares"));
    QTRY_COMPARE_WITH_TIMEOUT(finishedSpy.count(), 1, kWaitMs);
    QCOMPARE(startedSpy.count(), 1);
    QCOMPARE(startedSpy.at(0).at(0).toInt(), id);
    QCOMPARE(startedSpy.at(0).at(1).toString(), QStringLiteral("squares"));
    QCOMPARE(finishedSpy.at(0).at(0).toInt(), id);
    QCOMPARE(finishedSpy.at(0).at(1).value<JobStatus>(), JobStatus::Ok);
    QCOMPARE(finishedSpy.at(0).at(2).toString(), QStringLiteral("1000 squares"));
    // Read only after finished(): the queued signal orders the worker's writes before this.
    QCOMPARE(result->size(), std::size_t(1000));
    QCOMPARE(result->back(), 999.0 * 999.0);
    QVERIFY(!runner.isRunning());
    QVERIFY(!runner.isActive(id));
    // Ids are never reused.
    const int second =
        runner.start(QStringLiteral("noop"), [](JobContext &) { return JobStatus::Ok; });
    QVERIFY(second > id);
    QTRY_COMPARE_WITH_TIMEOUT(finishedSpy.count(), 2, kWaitMs);
}

void TestJobRunner::progressThrottledInTightLoop()
{
    JobRunner runner;
    QSignalSpy progressSpy(&runner, &JobRunner::progressed);
    QSignalSpy finishedSpy(&runner, &JobRunner::finished);
    auto calls = std::make_shared<int>(0);
    auto seconds = std::make_shared<double>(0);
    const int id = runner.start(QStringLiteral("tight"), [calls, seconds](JobContext &ctx) {
        QElapsedTimer clock;
        clock.start();
        constexpr int n = 100000;
        for (int i = 0; i < n; ++i) {
            if (!ctx.report(double(i + 1) / n, QStringLiteral("step")))
                return JobStatus::Cancelled;
            ++*calls;
        }
        *seconds = double(clock.nsecsElapsed()) / 1e9;
        return JobStatus::Ok;
    });
    QTRY_COMPARE_WITH_TIMEOUT(finishedSpy.count(), 1, kWaitMs);
    QCOMPARE(finishedSpy.at(0).at(1).value<JobStatus>(), JobStatus::Ok);
    QCOMPARE(*calls, 100000);
    // At most ~10 per second plus the first and the final one; never anywhere near 100,000.
    const int emitted = int(progressSpy.count());
    qInfo("100,000 reports in %.3f s gave %d progressed signals", *seconds, emitted);
    QVERIFY(emitted >= 1);
    QVERIFY2(emitted <= 10 * *seconds + 3 && emitted <= 40, qPrintable(QString::number(emitted)));
    double previous = -1;
    for (const QList<QVariant> &args : progressSpy) {
        QCOMPARE(args.at(0).toInt(), id);
        QVERIFY(args.at(1).toDouble() >= previous);
        previous = args.at(1).toDouble();
    }
    // The final report always arrives, with its ETA 0.
    QCOMPARE(progressSpy.last().at(1).toDouble(), 1.0);
    QCOMPARE(progressSpy.last().at(2).toString(), QStringLiteral("step"));
    QCOMPARE(progressSpy.last().at(3).toDouble(), 0.0);
}

void TestJobRunner::progressThrottledOverTime()
{
    // Reports every millisecond for ~1.2 s: about 12 signals, with ETAs once a fraction is known.
    JobRunner runner;
    QSignalSpy progressSpy(&runner, &JobRunner::progressed);
    QSignalSpy finishedSpy(&runner, &JobRunner::finished);
    auto seconds = std::make_shared<double>(0);
    runner.start(QStringLiteral("timed"), [seconds](JobContext &ctx) {
        QElapsedTimer clock;
        clock.start();
        ctx.report(0.0, QStringLiteral("starting"));
        while (clock.elapsed() < 1200) {
            ctx.report(double(clock.elapsed()) / 1200.0, QStringLiteral("working"));
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        ctx.report(1.0, QStringLiteral("done"));
        *seconds = double(clock.nsecsElapsed()) / 1e9;
        return JobStatus::Ok;
    });
    QTRY_COMPARE_WITH_TIMEOUT(finishedSpy.count(), 1, kWaitMs);
    const int emitted = int(progressSpy.count());
    qInfo("%.2f s of reports every 1 ms gave %d progressed signals", *seconds, emitted);
    // ~10 per second, plus the first and the final one.
    QVERIFY2(emitted >= 3 && emitted <= 10 * *seconds + 3, qPrintable(QString::number(emitted)));
    QCOMPARE(progressSpy.first().at(3).toDouble(), -1.0); // fraction 0: ETA unknown
    bool someEta = false;
    for (const QList<QVariant> &args : progressSpy) {
        const double f = args.at(1).toDouble(), eta = args.at(3).toDouble();
        if (f > 0.1 && f < 1.0) {
            someEta = true;
            // Elapsed·(1−f)/f for a linear job: the remaining part of 1.2 s (wide margin).
            QVERIFY2(eta >= 0 && eta < 10, qPrintable(QString::number(eta)));
        }
    }
    QVERIFY(someEta);
    QCOMPARE(progressSpy.last().at(1).toDouble(), 1.0);
    QCOMPARE(progressSpy.last().at(2).toString(), QStringLiteral("done"));
}

void TestJobRunner::cancelRunningTraining()
{
    // A real core probe training that would take minutes; cancelled after its first progress.
    const auto data = makeSynthetic(4000, 256);
    JobRunner runner;
    QSignalSpy progressSpy(&runner, &JobRunner::progressed);
    QSignalSpy finishedSpy(&runner, &JobRunner::finished);
    auto trained = std::make_shared<salient::TrainResult>();
    const int id = runner.start(QStringLiteral("long training"), [data, trained](JobContext &ctx) {
        salient::ProbeOptions options;
        options.epochs = 100000;
        options.batchSize = 32;
        *trained = salient::trainProbe(data->X, data->y, {}, data->labels, options, {}, {}, nullptr,
                                       ctx); // the context converts to a TrainCallback
        return salient::ui::toJobStatus(trained->status);
    });
    QTRY_VERIFY_WITH_TIMEOUT(progressSpy.count() >= 1, kWaitMs);
    QVERIFY(progressSpy.first().at(2).toString().startsWith(QStringLiteral("epoch 1/100000")));
    QElapsedTimer clock;
    clock.start();
    runner.cancel(id);
    QTRY_COMPARE_WITH_TIMEOUT(finishedSpy.count(), 1, kWaitMs);
    qInfo("running training ended %lld ms after cancel()", clock.elapsed());
    QCOMPARE(finishedSpy.at(0).at(0).toInt(), id);
    QCOMPARE(finishedSpy.at(0).at(1).value<JobStatus>(), JobStatus::Cancelled);
    QCOMPARE(trained->status, salient::Status::Cancelled);
    QVERIFY(!runner.isRunning());
}

void TestJobRunner::cancelQueuedJobDoesNotRun()
{
    JobRunner runner;
    QSignalSpy startedSpy(&runner, &JobRunner::started);
    QSignalSpy queuedSpy(&runner, &JobRunner::queued);
    QSignalSpy finishedSpy(&runner, &JobRunner::finished);
    auto blockerRunning = std::make_shared<std::atomic<bool>>(false);
    const int blocker = runner.start(QStringLiteral("blocker"), [blockerRunning](JobContext &ctx) {
        blockerRunning->store(true);
        QElapsedTimer clock;
        clock.start();
        while (!ctx.cancelled() && clock.elapsed() < kWaitMs)
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        return ctx.cancelled() ? JobStatus::Cancelled : JobStatus::Ok;
    });
    auto ran = std::make_shared<std::atomic<bool>>(false);
    const int queuedId = runner.start(QStringLiteral("queued"), [ran](JobContext &) {
        ran->store(true);
        return JobStatus::Ok;
    });
    QCOMPARE(queuedSpy.count(), 2);
    QCOMPARE(runner.activeCount(), 2);
    QTRY_VERIFY_WITH_TIMEOUT(blockerRunning->load(), kWaitMs);

    runner.cancel(queuedId);
    QCOMPARE(finishedSpy.count(), 0); // delivered through the event loop, not from cancel()
    QTRY_COMPARE_WITH_TIMEOUT(finishedSpy.count(), 1, kWaitMs);
    QCOMPARE(finishedSpy.at(0).at(0).toInt(), queuedId);
    QCOMPARE(finishedSpy.at(0).at(1).value<JobStatus>(), JobStatus::Cancelled);
    QVERIFY(runner.isActive(blocker)); // the running job is untouched
    QVERIFY(!runner.isActive(queuedId));

    runner.cancel(blocker);
    QTRY_COMPARE_WITH_TIMEOUT(finishedSpy.count(), 2, kWaitMs);
    QCOMPARE(finishedSpy.at(1).at(0).toInt(), blocker);
    QCOMPARE(finishedSpy.at(1).at(1).value<JobStatus>(), JobStatus::Cancelled);
    QVERIFY(!ran->load());
    QCOMPARE(startedSpy.count(), 1); // only the blocker ever started
    QCOMPARE(startedSpy.at(0).at(0).toInt(), blocker);
    QVERIFY(!runner.isRunning());
    runner.cancel(blocker); // finished ids are ignored
    runner.cancel(12345);   // unknown ids too
    QTest::qWait(50);
    QCOMPARE(finishedSpy.count(), 2);
}

void TestJobRunner::errorsMapToStatus_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<JobStatus>("status");
    QTest::addColumn<QString>("message");
    QTest::newRow("salient::Error")
        << 0 << JobStatus::Failed
        << QStringLiteral("labels.txt line 7: expected 12 tokens, found 11");
    QTest::newRow("std::bad_alloc") << 1 << JobStatus::OutOfMemory << QString();
    QTest::newRow("std::runtime_error")
        << 2 << JobStatus::Failed << QStringLiteral("internal error: oops");
    QTest::newRow("int") << 3 << JobStatus::Failed
                         << QStringLiteral("internal error: unknown exception");
    QTest::newRow("real allocation failure") << 4 << JobStatus::OutOfMemory << QString();
}

void TestJobRunner::errorsMapToStatus()
{
    QFETCH(int, kind);
    QFETCH(JobStatus, status);
    QFETCH(QString, message);
    JobRunner runner;
    QSignalSpy finishedSpy(&runner, &JobRunner::finished);
    runner.start(QStringLiteral("throws"), [kind](JobContext &) -> JobStatus {
        switch (kind) {
        case 0:
            throw salient::Error(QStringLiteral("labels.txt line 7: expected 12 tokens, found 11"));
        case 1:
            throw std::bad_alloc();
        case 2:
            throw std::runtime_error("oops");
        case 3:
            throw 42;
        default: {
            // Far beyond any address space: Eigen reports it as std::bad_alloc.
            salient::RowMatrixF huge(Eigen::Index(1) << 31, Eigen::Index(1) << 31);
            return huge.rows() > 0 ? JobStatus::Ok : JobStatus::Failed;
        }
        }
    });
    QTRY_COMPARE_WITH_TIMEOUT(finishedSpy.count(), 1, kWaitMs);
    QCOMPARE(finishedSpy.at(0).at(1).value<JobStatus>(), status);
    const QString got = finishedSpy.at(0).at(2).toString();
    if (message.isEmpty())
        QVERIFY(got.contains(QStringLiteral("memory")));
    else
        QCOMPARE(got, message);
    // The runner keeps working after a failure.
    runner.start(QStringLiteral("after"), [](JobContext &) { return JobStatus::Ok; });
    QTRY_COMPARE_WITH_TIMEOUT(finishedSpy.count(), 2, kWaitMs);
    QCOMPARE(finishedSpy.at(1).at(1).value<JobStatus>(), JobStatus::Ok);
}

void TestJobRunner::workReturnedStatusAndMessage()
{
    JobRunner runner;
    QSignalSpy finishedSpy(&runner, &JobRunner::finished);
    runner.start(QStringLiteral("fails"), [](JobContext &ctx) {
        ctx.setMessage(QStringLiteral("no dev split"));
        return JobStatus::Failed;
    });
    runner.start(QStringLiteral("gives up"), [](JobContext &) { return JobStatus::Cancelled; });
    QTRY_COMPARE_WITH_TIMEOUT(finishedSpy.count(), 2, kWaitMs);
    QCOMPARE(finishedSpy.at(0).at(1).value<JobStatus>(), JobStatus::Failed);
    QCOMPARE(finishedSpy.at(0).at(2).toString(), QStringLiteral("no dev split"));
    QCOMPARE(finishedSpy.at(1).at(1).value<JobStatus>(), JobStatus::Cancelled);
    QCOMPARE(finishedSpy.at(1).at(2).toString(), QStringLiteral("cancelled"));
    QCOMPARE(salient::ui::toJobStatus(salient::Status::Failed), JobStatus::Failed);
}

void TestJobRunner::destructorCancelsAndWaits()
{
    auto sawCancel = std::make_shared<std::atomic<bool>>(false);
    auto running = std::make_shared<std::atomic<bool>>(false);
    auto queuedRan = std::make_shared<std::atomic<bool>>(false);
    {
        JobRunner runner;
        runner.start(QStringLiteral("spins"), [sawCancel, running](JobContext &ctx) {
            running->store(true);
            QElapsedTimer clock;
            clock.start();
            while (!ctx.cancelled() && clock.elapsed() < kWaitMs)
                std::this_thread::sleep_for(std::chrono::milliseconds(2));
            sawCancel->store(ctx.cancelled());
            return JobStatus::Cancelled;
        });
        runner.start(QStringLiteral("never"), [queuedRan](JobContext &) {
            queuedRan->store(true);
            return JobStatus::Ok;
        });
        QTRY_VERIFY_WITH_TIMEOUT(running->load(), kWaitMs);
    }
    QVERIFY(sawCancel->load()); // the destructor returned only after the work did
    QVERIFY(!queuedRan->load());
}

namespace {

/// A work that spins until cancelled (or kWaitMs), setting @p running once it began.
JobRunner::Work spinUntilCancelled(std::shared_ptr<std::atomic<bool>> running)
{
    return [running](JobContext &ctx) {
        running->store(true);
        QElapsedTimer clock;
        clock.start();
        while (!ctx.cancelled() && clock.elapsed() < kWaitMs)
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        return ctx.cancelled() ? JobStatus::Cancelled : JobStatus::Ok;
    };
}

/// What one Done handler saw, for the per-job completion tests.
struct Completion {
    int id = 0;
    JobStatus status = JobStatus::Failed;
    QString message;
    int result = -1;               // the job's result object read inside the handler
    qsizetype finishedBefore = -1; // finished() signals already emitted when the handler ran
    bool activeInside = true;      // runner.isActive(id) inside the handler
};

} // namespace

void TestJobRunner::backToBackJobsEachGetTheirOwnResult()
{
    // The bug this replaces: a one-shot slot on the shared finished() signal is consumed by
    // whichever job ends first, so the second job's result was dropped. Here each job has its own
    // handler; both run exactly once, with their own result, in order, right before finished().
    JobRunner runner;
    QSignalSpy finishedSpy(&runner, &JobRunner::finished);
    std::vector<Completion> calls;
    int ids[2] = {0, 0};
    for (int k = 0; k < 2; ++k) {
        auto result = std::make_shared<int>(-1);
        const int value = 100 + k;
        ids[k] = runner.start(
            QStringLiteral("job %1").arg(k),
            [result, value](JobContext &ctx) {
                *result = value;
                ctx.setMessage(QStringLiteral("result %1").arg(value));
                return JobStatus::Ok;
            },
            [&calls, &runner, &finishedSpy, result, k, &ids](JobStatus status,
                                                             const QString &message) {
                calls.push_back({ids[k], status, message, *result, finishedSpy.count(),
                                 runner.isActive(ids[k])});
            });
    }
    QTRY_COMPARE_WITH_TIMEOUT(finishedSpy.count(), 2, kWaitMs);
    QTest::qWait(20); // nothing more arrives
    QCOMPARE(calls.size(), std::size_t(2));
    for (int k = 0; k < 2; ++k) {
        QCOMPARE(calls[k].id, ids[k]);
        QCOMPARE(calls[k].status, JobStatus::Ok);
        QCOMPARE(calls[k].message, QStringLiteral("result %1").arg(100 + k));
        QCOMPARE(calls[k].result, 100 + k);
        QCOMPARE(calls[k].finishedBefore, qsizetype(k)); // before its own finished()
        QVERIFY(!calls[k].activeInside);
        QCOMPARE(finishedSpy.at(k).at(0).toInt(), ids[k]);
    }
}

void TestJobRunner::handlerOfJobQueuedBehindAnother()
{
    // A job whose handler is given while another job (e.g. a checksum) runs ahead of it and ends
    // first: the first job's end does not consume or trigger the second's handler.
    JobRunner runner;
    QSignalSpy finishedSpy(&runner, &JobRunner::finished);
    QStringList log; // what reached the GUI thread, in order
    connect(&runner, &JobRunner::finished, this,
            [&log](int id) { log << QStringLiteral("finished %1").arg(id); });
    auto aheadRunning = std::make_shared<std::atomic<bool>>(false);
    auto release = std::make_shared<std::atomic<bool>>(false);
    const int ahead =
        runner.start(QStringLiteral("checksum"), [aheadRunning, release](JobContext &ctx) {
            aheadRunning->store(true);
            while (!release->load())
                std::this_thread::sleep_for(std::chrono::milliseconds(2));
            ctx.setMessage(QStringLiteral("checksum done"));
            return JobStatus::Ok;
        });
    QTRY_VERIFY_WITH_TIMEOUT(aheadRunning->load(), kWaitMs);
    auto result = std::make_shared<QString>();
    std::vector<Completion> calls;
    const int mine = runner.start(
        QStringLiteral("load"),
        [result](JobContext &) {
            *result = QStringLiteral("loaded");
            return JobStatus::Ok;
        },
        [&calls, &log, result](JobStatus status, const QString &message) {
            log << QStringLiteral("handler");
            calls.push_back({0, status, message, int(result->size()), 0, false});
        });
    QCOMPARE(runner.activeCount(), 2);
    release->store(true);
    QTRY_COMPARE_WITH_TIMEOUT(finishedSpy.count(), 2, kWaitMs);
    QTest::qWait(20); // nothing more arrives
    // The other job's end is not this handler's business: it runs once, for its own job.
    QCOMPARE(log, (QStringList{QStringLiteral("finished %1").arg(ahead), QStringLiteral("handler"),
                               QStringLiteral("finished %1").arg(mine)}));
    QCOMPARE(calls.size(), std::size_t(1));
    QCOMPARE(calls[0].status, JobStatus::Ok);
    QCOMPARE(calls[0].message, QString());
    QCOMPARE(calls[0].result, int(QStringLiteral("loaded").size()));
}

void TestJobRunner::handlerOfJobCancelledWhileQueued()
{
    JobRunner runner;
    QSignalSpy finishedSpy(&runner, &JobRunner::finished);
    QSignalSpy startedSpy(&runner, &JobRunner::started);
    auto running = std::make_shared<std::atomic<bool>>(false);
    int blockerCalls = 0;
    JobStatus blockerStatus = JobStatus::Ok;
    const int blocker = runner.start(QStringLiteral("blocker"), spinUntilCancelled(running),
                                     [&](JobStatus status, const QString &) {
                                         ++blockerCalls;
                                         blockerStatus = status;
                                     });
    QTRY_VERIFY_WITH_TIMEOUT(running->load(), kWaitMs);
    auto ran = std::make_shared<std::atomic<bool>>(false);
    std::vector<Completion> calls;
    const int queuedId = runner.start(
        QStringLiteral("queued"),
        [ran](JobContext &) {
            ran->store(true);
            return JobStatus::Ok;
        },
        [&calls, &finishedSpy](JobStatus status, const QString &message) {
            calls.push_back({0, status, message, 0, finishedSpy.count(), false});
        });
    runner.cancel(queuedId);
    QVERIFY(calls.empty()); // delivered through the event loop, not from inside cancel()
    QTRY_COMPARE_WITH_TIMEOUT(calls.size(), std::size_t(1), kWaitMs);
    QCOMPARE(calls[0].status, JobStatus::Cancelled);
    QCOMPARE(calls[0].message, QStringLiteral("cancelled before it started"));
    QCOMPARE(calls[0].finishedBefore, qsizetype(0));
    QTRY_COMPARE_WITH_TIMEOUT(finishedSpy.count(), 1, kWaitMs);
    QCOMPARE(finishedSpy.at(0).at(0).toInt(), queuedId);
    QCOMPARE(blockerCalls, 0);

    runner.cancel(blocker);
    QTRY_COMPARE_WITH_TIMEOUT(finishedSpy.count(), 2, kWaitMs);
    QCOMPARE(blockerCalls, 1);
    QCOMPARE(blockerStatus, JobStatus::Cancelled);
    QCOMPARE(calls.size(), std::size_t(1));
    QVERIFY(!ran->load());
    QCOMPARE(startedSpy.count(), 1);
}

void TestJobRunner::handlerMayStartAnotherJob()
{
    // A chain: the first job's handler starts the second; both handlers run once.
    JobRunner runner;
    QSignalSpy finishedSpy(&runner, &JobRunner::finished);
    QStringList order;
    const auto ok = [](JobContext &) { return JobStatus::Ok; };
    runner.start(QStringLiteral("first"), ok, [&](JobStatus, const QString &) {
        order << QStringLiteral("first");
        QVERIFY(!runner.isRunning());
        runner.start(QStringLiteral("second"), ok,
                     [&](JobStatus, const QString &) { order << QStringLiteral("second"); });
        QVERIFY(runner.isRunning());
    });
    QTRY_COMPARE_WITH_TIMEOUT(finishedSpy.count(), 2, kWaitMs);
    QCOMPARE(order, (QStringList{QStringLiteral("first"), QStringLiteral("second")}));
}

void TestJobRunner::interactiveJobCompletesWhileComputeRuns()
{
    JobRunner runner;
    QSignalSpy finishedSpy(&runner, &JobRunner::finished);
    QSignalSpy startedSpy(&runner, &JobRunner::started);
    QSignalSpy progressSpy(&runner, &JobRunner::progressed);
    auto running = std::make_shared<std::atomic<bool>>(false);
    const int training = runner.start(QStringLiteral("long training"), spinUntilCancelled(running));
    // A second Compute job waits behind it; the Interactive one must not.
    auto computeQueuedRan = std::make_shared<std::atomic<bool>>(false);
    const int queuedCompute =
        runner.start(QStringLiteral("queued compute"), [computeQueuedRan](JobContext &) {
            computeQueuedRan->store(true);
            return JobStatus::Ok;
        });
    QTRY_VERIFY_WITH_TIMEOUT(running->load(), kWaitMs);

    auto profile = std::make_shared<std::vector<double>>();
    std::vector<Completion> calls;
    const int interactive = runner.start(
        QStringLiteral("neuron profile"),
        [profile](JobContext &ctx) {
            for (int i = 0; i < 10; ++i)
                profile->push_back(i * 0.5);
            ctx.report(1.0, QStringLiteral("profile"));
            ctx.setMessage(QStringLiteral("10 values"));
            return JobStatus::Ok;
        },
        [&calls, profile](JobStatus status, const QString &message) {
            calls.push_back({0, status, message, int(profile->size()), 0, false});
        },
        JobRunner::Lane::Interactive);
    QVERIFY(interactive > queuedCompute);
    QTRY_COMPARE_WITH_TIMEOUT(calls.size(), std::size_t(1), kWaitMs);
    QCOMPARE(calls[0].status, JobStatus::Ok);
    QCOMPARE(calls[0].message, QStringLiteral("10 values"));
    QCOMPARE(calls[0].result, 10);
    // The long Compute job is still running and the queued one has not started.
    QVERIFY(runner.isActive(training));
    QVERIFY(runner.isActive(queuedCompute));
    QVERIFY(!computeQueuedRan->load());
    QCOMPARE(finishedSpy.count(), 1);
    QCOMPARE(finishedSpy.at(0).at(0).toInt(), interactive);
    // Same signals as a Compute job: queued → started → progressed → finished.
    QCOMPARE(startedSpy.count(), 2);
    QCOMPARE(startedSpy.at(1).at(0).toInt(), interactive);
    QCOMPARE(progressSpy.count(), 1);
    QCOMPARE(progressSpy.at(0).at(0).toInt(), interactive);

    runner.cancel(training);
    QTRY_COMPARE_WITH_TIMEOUT(finishedSpy.count(), 3, kWaitMs);
    QCOMPARE(finishedSpy.at(1).at(0).toInt(), training);
    QCOMPARE(finishedSpy.at(1).at(1).value<JobStatus>(), JobStatus::Cancelled);
    QCOMPARE(finishedSpy.at(2).at(0).toInt(), queuedCompute);
    QCOMPARE(finishedSpy.at(2).at(1).value<JobStatus>(), JobStatus::Ok);
}

void TestJobRunner::interactiveQueuedJobCancels()
{
    // Interactive jobs queue among themselves; a queued one cancels without running.
    JobRunner runner;
    QSignalSpy finishedSpy(&runner, &JobRunner::finished);
    auto running = std::make_shared<std::atomic<bool>>(false);
    const int first = runner.start(QStringLiteral("slow profile"), spinUntilCancelled(running), {},
                                   JobRunner::Lane::Interactive);
    auto ran = std::make_shared<std::atomic<bool>>(false);
    JobStatus seen = JobStatus::Ok;
    int calls = 0;
    const int second = runner.start(
        QStringLiteral("next profile"),
        [ran](JobContext &) {
            ran->store(true);
            return JobStatus::Ok;
        },
        [&](JobStatus status, const QString &) {
            ++calls;
            seen = status;
        },
        JobRunner::Lane::Interactive);
    QTRY_VERIFY_WITH_TIMEOUT(running->load(), kWaitMs);
    runner.cancel(second);
    QTRY_COMPARE_WITH_TIMEOUT(calls, 1, kWaitMs);
    QCOMPARE(seen, JobStatus::Cancelled);
    QVERIFY(runner.isActive(first));
    runner.cancelAll();
    QTRY_COMPARE_WITH_TIMEOUT(finishedSpy.count(), 2, kWaitMs);
    QCOMPARE(finishedSpy.at(1).at(0).toInt(), first);
    QCOMPARE(finishedSpy.at(1).at(1).value<JobStatus>(), JobStatus::Cancelled);
    QVERIFY(!ran->load());
    QCOMPARE(calls, 1);
}

void TestJobRunner::destroyingRunnerCallsNoHandler()
{
    // Jobs in every state when the runner goes: running and queued on both lanes, and one whose
    // work already returned but whose completion is still in the event queue. None of their
    // handlers runs, during or after the destructor, and what they captured is released.
    auto calls = std::make_shared<int>(0);
    auto token = std::make_shared<int>(0); // captured by every handler
    const auto handler = [calls, token](JobStatus, const QString &) { ++*calls; };
    auto doneRunning = std::make_shared<std::atomic<bool>>(false);
    {
        JobRunner runner;
        auto computeRunning = std::make_shared<std::atomic<bool>>(false);
        auto interactiveRunning = std::make_shared<std::atomic<bool>>(false);
        runner.start(
            QStringLiteral("quick"),
            [doneRunning](JobContext &) {
                doneRunning->store(true);
                return JobStatus::Ok;
            },
            handler, JobRunner::Lane::Interactive);
        // Wait without processing events: its completion stays posted, undelivered.
        QElapsedTimer clock;
        clock.start();
        while (!doneRunning->load() && clock.elapsed() < kWaitMs)
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        QVERIFY(doneRunning->load());
        runner.start(QStringLiteral("compute"), spinUntilCancelled(computeRunning), handler);
        runner.start(QStringLiteral("compute queued"), spinUntilCancelled(computeRunning), handler);
        runner.start(QStringLiteral("interactive"), spinUntilCancelled(interactiveRunning), handler,
                     JobRunner::Lane::Interactive);
        runner.start(QStringLiteral("interactive queued"), spinUntilCancelled(interactiveRunning),
                     handler, JobRunner::Lane::Interactive);
        clock.restart();
        while ((!computeRunning->load() || !interactiveRunning->load())
               && clock.elapsed() < kWaitMs)
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        QVERIFY(computeRunning->load() && interactiveRunning->load());
        QCOMPARE(*calls, 0);
    }
    QCoreApplication::processEvents();
    QTest::qWait(50);
    QCOMPARE(*calls, 0);
    QCOMPARE(token.use_count(), long(2)); // `token` and the local `handler`
}

void TestJobRunner::guiStaysResponsiveWhileTraining()
{
    // Size: the issue asks for 100,000 tokens × 9,984 neurons (4 GB of float32). By default this
    // test uses 20,000 × 9,984 (800 MB) at batch 512 for 2 epochs: one epoch trains in ~0.3 s on
    // a quiet 2-core machine (a short window to measure) and in ~4 s on a loaded one, so CI runs
    // it in seconds. SALIENT_TEST_FULL_SIZE=1 runs the full 100,000 rows for 1 epoch when at
    // least 10 GB are available (4 GB peak RSS, ~25 s on 2 cores).
    salient::Index rows = 20000;
    const salient::Index cols = 9984;
    int epochs = 2;
    if (qEnvironmentVariableIntValue("SALIENT_TEST_FULL_SIZE") == 1) {
        if (salient::availableMemoryBytes() >= (qint64(10) << 30)) {
            rows = 100000;
            epochs = 1;
        } else {
            qWarning("SALIENT_TEST_FULL_SIZE: less than 10 GB available; using 20,000 rows");
        }
    }

    JobRunner runner;
    QSignalSpy finishedSpy(&runner, &JobRunner::finished);
    QSignalSpy progressSpy(&runner, &JobRunner::progressed);
    auto trainStart = std::make_shared<std::atomic<qint64>>(0);
    auto trainEnd = std::make_shared<std::atomic<qint64>>(0);
    auto generateMs = std::make_shared<std::atomic<qint64>>(0);
    auto accuracyOk = std::make_shared<std::atomic<bool>>(false);
    runner.start(QStringLiteral("responsiveness"), [rows, cols, epochs, trainStart, trainEnd,
                                                    generateMs, accuracyOk](JobContext &ctx) {
        const qint64 t0 = steadyMs();
        ctx.report(0.0, QStringLiteral("generating"));
        const auto data = makeSynthetic(rows, cols);
        generateMs->store(steadyMs() - t0);
        salient::ProbeOptions options;
        options.epochs = epochs;
        options.batchSize = 512;
        options.learningRate = 1e-2;
        trainStart->store(steadyMs());
        const salient::TrainResult r =
            salient::trainProbe(data->X, data->y, {}, data->labels, options, {}, {}, nullptr,
                                ctx.trainCallback(0.05, 1.0));
        trainEnd->store(steadyMs());
        // Sanity: the planted neurons carry real weight (the probe did train).
        if (r.status == salient::Status::Ok)
            accuracyOk->store(r.probe.W.col(3).cwiseAbs().maxCoeff()
                              > r.probe.W.col(100).cwiseAbs().maxCoeff());
        return salient::ui::toJobStatus(r.status);
    });

    std::vector<qint64> ticks;
    ticks.reserve(100000);
    QTimer timer;
    timer.setInterval(20);
    connect(&timer, &QTimer::timeout, this, [&ticks] { ticks.push_back(steadyMs()); });
    timer.start();
    QVERIFY(finishedSpy.wait(600000));
    timer.stop();
    QCOMPARE(finishedSpy.at(0).at(1).value<JobStatus>(), JobStatus::Ok);
    QVERIFY(accuracyOk->load());

    const qint64 begin = trainStart->load(), end = trainEnd->load();
    const qint64 duration = end - begin;
    int during = 0;
    qint64 maxGap = 0, previous = begin;
    for (qint64 t : ticks) {
        if (t < begin)
            continue;
        if (t > end)
            break;
        ++during;
        maxGap = std::max(maxGap, t - previous);
        previous = t;
    }
    maxGap = std::max(maxGap, end - previous);
    // Whole job (generation + training) too: the event loop never stalled.
    qint64 maxGapJob = 0;
    for (std::size_t i = 1; i < ticks.size(); ++i)
        maxGapJob = std::max(maxGapJob, ticks[i] - ticks[i - 1]);
    qInfo("%lld x %lld, %d epochs: generation %lld ms, training %lld ms (%s); 20 ms timer fired %d "
          "times "
          "during training (ideal %lld), max gap %lld ms; whole job: %zu ticks, max gap %lld ms; "
          "%lld progressed signals",
          qint64(rows), qint64(cols), epochs, generateMs->load(), duration,
          qPrintable(salient::blasDescription()), during, duration / 20, maxGap, ticks.size(),
          maxGapJob, qint64(progressSpy.count()));
    // Generous bounds: a quarter of the ideal tick count and no gap above one second.
    QVERIFY2(during >= std::max<qint64>(3, duration / 20 / 4),
             qPrintable(QStringLiteral("%1 ticks in %2 ms").arg(during).arg(duration)));
    QVERIFY2(maxGap < 1000, qPrintable(QStringLiteral("max gap %1 ms").arg(maxGap)));
    QVERIFY2(maxGapJob < 1000, qPrintable(QStringLiteral("max gap %1 ms").arg(maxGapJob)));
}

void TestJobRunner::dockShowsRowsAndCancelButtonCancels()
{
    JobRunner runner;
    salient::ui::JobsDock dock(&runner);
    dock.resize(420, 360);
    dock.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dock));
    QCOMPARE(dock.rowCount(), 0);
    QSignalSpy startedSpy(&runner, &JobRunner::started);
    QSignalSpy finishedSpy(&runner, &JobRunner::finished);

    const auto spinner = [](JobContext &ctx) {
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < kWaitMs) {
            if (!ctx.report(std::min(0.9, double(clock.elapsed()) / 2000.0),
                            QStringLiteral("spinning")))
                return JobStatus::Cancelled;
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        return JobStatus::Ok;
    };
    const int first = runner.start(QStringLiteral("grid search"), spinner);
    const int second = runner.start(QStringLiteral("ablation"), spinner);
    QCOMPARE(dock.rowCount(), 2);
    for (int id : {first, second}) {
        QVERIFY(dock.findChild<QWidget *>(QStringLiteral("job-%1").arg(id)));
        QVERIFY(dock.findChild<QProgressBar *>(QStringLiteral("jobProgress-%1").arg(id)));
        QVERIFY(dock.findChild<QPushButton *>(QStringLiteral("jobCancel-%1").arg(id)));
    }
    QCOMPARE(dock.findChild<QLabel *>(QStringLiteral("jobName-%1").arg(second))->text(),
             QStringLiteral("ablation"));
    auto *status1 = dock.findChild<QLabel *>(QStringLiteral("jobStatus-%1").arg(first));
    auto *status2 = dock.findChild<QLabel *>(QStringLiteral("jobStatus-%1").arg(second));
    auto *bar1 = dock.findChild<QProgressBar *>(QStringLiteral("jobProgress-%1").arg(first));
    QCOMPARE(status2->text(), QStringLiteral("queued"));
    QTRY_VERIFY_WITH_TIMEOUT(bar1->value() > 0, kWaitMs);
    QVERIFY(status1->text().startsWith(QStringLiteral("spinning")));
    QTRY_VERIFY_WITH_TIMEOUT(status1->text().contains(QStringLiteral("ETA")), kWaitMs);

    // Cancel the queued job with its own button: it ends Cancelled; the first keeps running.
    auto *cancel2 = dock.findChild<QPushButton *>(QStringLiteral("jobCancel-%1").arg(second));
    QVERIFY(cancel2->isVisible());
    QTest::mouseClick(cancel2, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(finishedSpy.count(), 1, kWaitMs);
    QCOMPARE(finishedSpy.at(0).at(0).toInt(), second);
    QCOMPARE(finishedSpy.at(0).at(1).value<JobStatus>(), JobStatus::Cancelled);
    QCOMPARE(status2->text(), QStringLiteral("cancelled"));
    QVERIFY(!cancel2->isVisible());
    QVERIFY(runner.isActive(first));

    // Then the running one.
    auto *cancel1 = dock.findChild<QPushButton *>(QStringLiteral("jobCancel-%1").arg(first));
    QTest::mouseClick(cancel1, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(finishedSpy.count(), 2, kWaitMs);
    QCOMPARE(finishedSpy.at(1).at(0).toInt(), first);
    QCOMPARE(finishedSpy.at(1).at(1).value<JobStatus>(), JobStatus::Cancelled);
    QCOMPARE(status1->text(), QStringLiteral("cancelled"));
    QCOMPARE(startedSpy.count(), 1);

    // A failing job shows its message; Ok shows done with a full bar.
    const int failing = runner.start(QStringLiteral("bad"), [](JobContext &) -> JobStatus {
        throw salient::Error(QStringLiteral("no labels"));
    });
    const int fine = runner.start(QStringLiteral("fine"), [](JobContext &ctx) {
        ctx.report(0.5, QStringLiteral("half"));
        return JobStatus::Ok;
    });
    QTRY_COMPARE_WITH_TIMEOUT(finishedSpy.count(), 4, kWaitMs);
    QCOMPARE(dock.findChild<QLabel *>(QStringLiteral("jobStatus-%1").arg(failing))->text(),
             QStringLiteral("failed: no labels"));
    QCOMPARE(dock.findChild<QLabel *>(QStringLiteral("jobStatus-%1").arg(fine))->text(),
             QStringLiteral("done"));
    auto *fineBar = dock.findChild<QProgressBar *>(QStringLiteral("jobProgress-%1").arg(fine));
    QCOMPARE(fineBar->value(), fineBar->maximum());
    QCOMPARE(dock.rowCount(), 4);

    auto *clear = dock.findChild<QPushButton *>(QStringLiteral("clearFinishedJobs"));
    QVERIFY(clear && clear->isEnabled());
    QTest::mouseClick(clear, Qt::LeftButton);
    QCOMPARE(dock.rowCount(), 0);
}

void TestJobRunner::formatDuration()
{
    QCOMPARE(salient::ui::formatDuration(-1), QStringLiteral("?"));
    QCOMPARE(salient::ui::formatDuration(7.4), QStringLiteral("7 s"));
    QCOMPARE(salient::ui::formatDuration(185), QStringLiteral("3 min 05 s"));
    QCOMPARE(salient::ui::formatDuration(7620), QStringLiteral("2 h 07 min"));
}

QTEST_MAIN(TestJobRunner)
#include "tst_jobrunner.moc"
