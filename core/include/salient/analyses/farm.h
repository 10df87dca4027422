#pragma once
// Work distribution for the independent units (probe trainings) of an analysis, MPI-free.
//
// farmFor() is parallelFor for units whose result can be turned into bytes: compute(i) returns
// unit i's result serialised, store(i, bytes) puts it into the caller's result. Without a
// scheduler (salient-cli, the GUI) both run on this process through parallelFor. With a
// UnitScheduler installed (salient-cli-mpi installs one that hands units to MPI ranks) the
// scheduler decides which process computes which unit, and store() is called on EVERY process
// for EVERY unit, so that all processes continue with the same state.
//
// Contract for callers: every process of a farmed run executes the same analysis code on the
// same data, so it reaches the same farmFor calls in the same order with the same n; compute()
// must be deterministic (same bytes for the same i on any process) and must not depend on
// anything store() of the same loop writes. An empty QByteArray means "not finished" (cancelled
// or failed training status): store() is still called with it.
#include "salient/analyses/experiment.h"

#include <QByteArray>
#include <QString>
#include <functional>

namespace salient {

/// One farmed loop. tag names it in journals and error messages ("grid-search cell").
struct FarmLoop {
    QString tag;
    int n = 0;
    std::function<QByteArray(int)> compute;
    std::function<void(int, const QByteArray &)> store;
    /// Relative cost of unit i (e.g. input columns); schedulers hand out larger units first.
    /// Empty = all equal.
    std::function<double(int)> cost;
    const ProgressRelay *relay = nullptr; ///< local execution stops early once cancelled
    int threads = 0;                      ///< local execution: parallelFor threads
};

/// Decides where the units of a farmed loop are computed. run() is called on the thread that
/// called farmFor, never concurrently, and must call loop.store for every unit before returning
/// (or throw salient::Error).
class UnitScheduler {
public:
    virtual ~UnitScheduler();
    virtual void run(const FarmLoop &loop) = 0;
};

/// Installs the process-wide scheduler (not owned; nullptr = local execution). Call before any
/// analysis runs, from the main thread.
void setUnitScheduler(UnitScheduler *scheduler);

/// True when farmFor on this thread would go to an installed scheduler (not nested in a unit or
/// a parallel loop). Analyses use it to run an outer loop sequentially so that its inner loops
/// are farmed.
bool farmingActive();

/// Runs the units of @p loop: through the installed scheduler when farmingActive(), else
/// through parallelFor (compute then store on the worker thread). Units nested inside a unit or
/// a parallelFor body always run locally.
void farmFor(const FarmLoop &loop);

/// Marks the calling thread as inside a unit for the lifetime of the guard (nested farmFor
/// calls then run locally). Schedulers wrap compute() in it; parallelFor bodies get it too.
class FarmUnitGuard {
public:
    FarmUnitGuard();
    ~FarmUnitGuard();
    FarmUnitGuard(const FarmUnitGuard &) = delete;
    FarmUnitGuard &operator=(const FarmUnitGuard &) = delete;
};

} // namespace salient
