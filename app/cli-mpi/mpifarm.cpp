#include "mpifarm.h"

#include "salient/util/atomicfile.h"
#include "salient/util/error.h"

#include <QDataStream>
#include <QDir>
#include <QFile>
#include <QIODevice>
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mpi.h>
#include <mutex>
#include <numeric>
#include <omp.h>
#include <thread>

namespace salient::mpi {

namespace {

constexpr int kAssign = 11;
constexpr int kResult = 12;
constexpr int kFailure = 13;
constexpr quint32 kJournalMagic = 0x534a4e31; // "SJN1"

int envInt(const char *name)
{
    bool ok = false;
    const int v = qEnvironmentVariableIntValue(name, &ok);
    return ok ? v : -1;
}

/// loop.compute(i) as a unit: one OpenMP/Eigen thread, nested farm loops local.
QByteArray computeUnit(const FarmLoop &loop, int i)
{
    FarmUnitGuard inside;
    return loop.compute(i);
}

QByteArray receiveBytes(int source, int tag, int *from)
{
    MPI_Status st;
    MPI_Probe(source, tag, MPI_COMM_WORLD, &st);
    int count = 0;
    MPI_Get_count(&st, MPI_BYTE, &count);
    QByteArray buf(count, Qt::Uninitialized);
    MPI_Recv(buf.data(), count, MPI_BYTE, st.MPI_SOURCE, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (from)
        *from = st.MPI_SOURCE;
    return buf;
}

} // namespace

MpiFarm::MpiFarm(int rank, int size, const QString &journalDir, const QStringList &command)
    : m_rank(rank), m_size(size), m_journal(journalDir), m_command(command.join(QChar(0)).toUtf8())
{
    m_abortAfter = envInt("SALIENT_MPI_TEST_ABORT_AFTER");
    m_failUnit = envInt("SALIENT_MPI_TEST_FAIL_UNIT");
    if (m_rank != 0 || m_journal.isEmpty())
        return;
    // A journal of another command line is stale: start afresh.
    QDir dir(m_journal);
    const QString commandFile = dir.filePath(QStringLiteral("command"));
    QFile f(commandFile);
    if (dir.exists() && (!f.open(QIODevice::ReadOnly) || f.readAll() != m_command)) {
        std::fprintf(stderr, "salient-cli-mpi: discarding the journal of another command in %s\n",
                     qPrintable(m_journal));
        dir.removeRecursively();
    }
    f.close();
    if (!QDir().mkpath(m_journal))
        throw Error(
            QStringLiteral("salient-cli-mpi: cannot create the journal folder %1").arg(m_journal));
    writeFileAtomic(commandFile, m_command);
}

QString MpiFarm::unitPath(int index) const
{
    return QDir(m_journal).filePath(QStringLiteral("%1-%2.unit").arg(m_loop).arg(index));
}

bool MpiFarm::readJournal(const FarmLoop &loop, int index, QByteArray &bytes) const
{
    if (m_journal.isEmpty())
        return false;
    QFile f(unitPath(index));
    if (!f.open(QIODevice::ReadOnly))
        return false;
    QDataStream in(&f);
    quint32 magic = 0;
    QString tag;
    qint32 n = 0, i = 0;
    in >> magic >> tag >> n >> i >> bytes;
    // Written atomically, so a present file is complete; a different loop shape is not ours.
    return in.status() == QDataStream::Ok && magic == kJournalMagic && tag == loop.tag
           && n == loop.n && i == index;
}

void MpiFarm::writeJournal(const FarmLoop &loop, int index, const QByteArray &bytes)
{
    if (!m_journal.isEmpty()) {
        QByteArray out;
        QDataStream s(&out, QIODevice::WriteOnly);
        s << kJournalMagic << loop.tag << qint32(loop.n) << qint32(index) << bytes;
        writeFileAtomic(unitPath(index), out);
    }
    ++m_journaled;
    if (m_abortAfter >= 0 && m_journaled >= m_abortAfter) {
        std::fprintf(stderr,
                     "salient-cli-mpi: SALIENT_MPI_TEST_ABORT_AFTER=%d: aborting the job after %d "
                     "journaled units (test hook)\n",
                     m_abortAfter, m_journaled);
        std::fflush(stderr);
        MPI_Abort(MPI_COMM_WORLD, 9);
    }
}

void MpiFarm::clearJournal()
{
    if (m_rank == 0 && !m_journal.isEmpty())
        QDir(m_journal).removeRecursively();
}

void MpiFarm::fail(int rank, const FarmLoop &loop, int index, const QString &why) const
{
    std::fprintf(stderr, "salient-cli-mpi: rank %d failed in %s unit %d of %d: %s\n", rank,
                 qPrintable(loop.tag), index, loop.n, qPrintable(why));
    std::fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, 2);
    std::abort(); // MPI_Abort does not return
}

void MpiFarm::run(const FarmLoop &loop)
{
    ++m_loop;
    std::vector<QByteArray> results(std::size_t(loop.n));
    if (m_rank == 0)
        runRoot(loop, results);
    else
        runWorker(loop);

    // Rank 0 → all: every result, so that every rank stores the same state.
    QByteArray all;
    if (m_rank == 0) {
        QDataStream s(&all, QIODevice::WriteOnly);
        for (const QByteArray &r : results)
            s << r;
    }
    qint64 size = all.size();
    MPI_Bcast(&size, 1, MPI_INT64_T, 0, MPI_COMM_WORLD);
    if (m_rank != 0)
        all.resize(size);
    for (qint64 off = 0; off < size; off += (1 << 30)) {
        const int chunk = int(std::min<qint64>(size - off, 1 << 30));
        MPI_Bcast(all.data() + off, chunk, MPI_BYTE, 0, MPI_COMM_WORLD);
    }
    if (m_rank != 0) {
        QDataStream s(all);
        for (QByteArray &r : results)
            s >> r;
    }
    for (int i = 0; i < loop.n; ++i)
        loop.store(i, results[std::size_t(i)]);
}

void MpiFarm::runRoot(const FarmLoop &loop, std::vector<QByteArray> &results)
{
    // Largest first; equal costs in index order.
    std::vector<int> order(std::size_t(loop.n));
    std::iota(order.begin(), order.end(), 0);
    if (loop.cost)
        std::stable_sort(order.begin(), order.end(),
                         [&](int a, int b) { return loop.cost(a) > loop.cost(b); });
    std::deque<int> pending;
    int missing = 0;
    for (int i : order) {
        if (readJournal(loop, i, results[std::size_t(i)])) {
            ++m_resumed;
            continue;
        }
        pending.push_back(i);
        ++missing;
    }

    // Rank 0's own compute thread: takes units from `pending`, no MPI calls (FUNNELED).
    std::mutex mutex;
    std::condition_variable wake;
    std::deque<std::pair<int, QByteArray>> localDone;
    int localFailed = -1;
    QString localWhy;
    bool stop = false;
    auto take = [&]() -> int {
        std::lock_guard<std::mutex> lock(mutex);
        if (stop || pending.empty())
            return -1;
        const int i = pending.front();
        pending.pop_front();
        return i;
    };
    std::thread compute([&] {
        omp_set_num_threads(1);
        for (int i = take(); i >= 0; i = take()) {
            try {
                if (m_failUnit >= 0 && m_loop == 0 && i == m_failUnit)
                    throw Error(QStringLiteral("injected failure (SALIENT_MPI_TEST_FAIL_UNIT)"));
                QByteArray r = computeUnit(loop, i);
                std::lock_guard<std::mutex> lock(mutex);
                localDone.emplace_back(i, std::move(r));
            } catch (const Error &e) {
                std::lock_guard<std::mutex> lock(mutex);
                localFailed = i;
                localWhy = e.message();
            } catch (const std::exception &e) {
                std::lock_guard<std::mutex> lock(mutex);
                localFailed = i;
                localWhy = QString::fromLocal8Bit(e.what());
            }
            wake.notify_all();
            if (localFailed >= 0)
                return;
        }
    });

    // Main thread: serve the workers until every unit is in.
    int done = 0;
    auto assignNext = [&](int worker) {
        int i = take();
        MPI_Send(&i, 1, MPI_INT, worker, kAssign, MPI_COMM_WORLD);
    };
    // Every worker gets a first unit (or −1) right away.
    for (int w = 1; w < m_size; ++w)
        assignNext(w);
    while (done < missing) {
        bool idle = true;
        {
            std::unique_lock<std::mutex> lock(mutex);
            if (localFailed >= 0) {
                stop = true;
                lock.unlock();
                compute.join();
                fail(0, loop, localFailed, localWhy);
            }
            while (!localDone.empty()) {
                auto [i, r] = std::move(localDone.front());
                localDone.pop_front();
                lock.unlock();
                results[std::size_t(i)] = std::move(r);
                writeJournal(loop, i, results[std::size_t(i)]);
                ++done;
                idle = false;
                lock.lock();
            }
        }
        int flag = 0;
        MPI_Status st;
        MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
        if (flag) {
            idle = false;
            int from = 0;
            const QByteArray msg = receiveBytes(st.MPI_SOURCE, st.MPI_TAG, &from);
            QDataStream in(msg);
            qint32 i = -1;
            in >> i;
            if (st.MPI_TAG == kFailure) {
                QString why;
                in >> why;
                {
                    std::lock_guard<std::mutex> lock(mutex);
                    stop = true;
                }
                compute.join();
                fail(from, loop, i, why);
            }
            QByteArray r;
            in >> r;
            results[std::size_t(i)] = std::move(r);
            writeJournal(loop, i, results[std::size_t(i)]);
            ++done;
            assignNext(from);
        }
        if (idle) {
            // Nothing arrived: wait briefly for the local thread instead of spinning a core.
            std::unique_lock<std::mutex> lock(mutex);
            wake.wait_for(lock, std::chrono::milliseconds(2),
                          [&] { return !localDone.empty() || localFailed >= 0; });
        }
    }
    compute.join();
    if (localFailed >= 0)
        fail(0, loop, localFailed, localWhy);
}

void MpiFarm::runWorker(const FarmLoop &loop)
{
    for (;;) {
        int i = -1;
        MPI_Recv(&i, 1, MPI_INT, 0, kAssign, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        if (i < 0)
            return;
        QByteArray msg;
        QDataStream out(&msg, QIODevice::WriteOnly);
        out << qint32(i);
        int tag = kResult;
        try {
            if (m_failUnit >= 0 && m_loop == 0 && i == m_failUnit)
                throw Error(QStringLiteral("injected failure (SALIENT_MPI_TEST_FAIL_UNIT)"));
            out << computeUnit(loop, i);
        } catch (const Error &e) {
            tag = kFailure;
            out << e.message();
        } catch (const std::exception &e) {
            tag = kFailure;
            out << QString::fromLocal8Bit(e.what());
        }
        MPI_Send(msg.constData(), int(msg.size()), MPI_BYTE, 0, tag, MPI_COMM_WORLD);
        if (tag == kFailure)
            return; // rank 0 aborts the job; nothing more to do here
    }
}

} // namespace salient::mpi
