#pragma once
// salient-cli-mpi: the MPI UnitScheduler (salient/analyses/farm.h) and its journal.
//
// Protocol (MPI_COMM_WORLD, MPI_THREAD_FUNNELED): every rank runs the same command, so every
// rank reaches the same farmed loops in the same order. In each loop rank 0 hands out unit
// indices one at a time, largest cost first (tag kAssign; −1 = no more work); a worker answers
// with the unit's result bytes (tag kResult: int32 index + bytes) or a failure (tag kFailure:
// text). Rank 0 computes units too, on one extra thread, while its main thread serves the
// workers. When every unit is in, rank 0 broadcasts all results (index order) and every rank
// calls loop.store for every unit, so all ranks continue with identical state.
//
// Equality with a single process: every unit, on any rank, is computed with ONE OpenMP/Eigen
// thread (the rank's compute threads are forced to 1, rank 0's compute thread sets 1 too), and
// a training is deterministic given its seed and thread count; results travel as raw bytes
// (floats bit-exact). So the session equals `salient-cli-mpi` with -np 1 and `salient-cli
// --threads 1` with the same options, whatever the number of ranks or the order units finish in.
//
// Journal (rank 0, when a folder is set): each finished unit is written atomically to
// FOLDER/L-I.unit (loop L of this run, unit I) with the command line, loop tag and size; a
// re-run of the same command takes journaled units instead of computing them. A journal of a
// different command line is discarded. clearJournal() removes it after a successful run.
//
// Failures: a unit that throws on any rank ends the job with MPI_Abort after rank 0 printed
// "salient-cli-mpi: rank R failed in TAG unit I of N: MESSAGE".
#include "salient/analyses/farm.h"

#include <QString>
#include <QStringList>

namespace salient::mpi {

class MpiFarm : public UnitScheduler {
public:
    /// @p journalDir empty = no journal. @p command identifies the run (the argument list).
    MpiFarm(int rank, int size, const QString &journalDir, const QStringList &command);
    void run(const FarmLoop &loop) override;
    /// Rank 0: removes the journal folder (after the session was written).
    void clearJournal();
    /// Units taken from the journal / computed by this process so far.
    int resumedUnits() const { return m_resumed; }

private:
    void runRoot(const FarmLoop &loop, std::vector<QByteArray> &results);
    void runWorker(const FarmLoop &loop);
    QString unitPath(int index) const;
    bool readJournal(const FarmLoop &loop, int index, QByteArray &bytes) const;
    void writeJournal(const FarmLoop &loop, int index, const QByteArray &bytes);
    [[noreturn]] void fail(int rank, const FarmLoop &loop, int index, const QString &why) const;

    int m_rank = 0;
    int m_size = 1;
    QString m_journal;
    QByteArray m_command;
    int m_loop = -1;       ///< index of the current farmed loop in this run
    int m_journaled = 0;   ///< units journaled by this run (test hook)
    int m_abortAfter = -1; ///< SALIENT_MPI_TEST_ABORT_AFTER: abort after that many units
    int m_failUnit = -1;   ///< SALIENT_MPI_TEST_FAIL_UNIT: that unit of loop 0 throws on rank ≥1
    int m_resumed = 0;
};

} // namespace salient::mpi
