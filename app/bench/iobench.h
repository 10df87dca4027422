#pragma once
// salient-bench figures for reading activations (issue 16, items 1, 4, 5): the machine's memory
// copy limits beside the load rate, the whole `salient-cli probe` process against its replay
// (`salient-cli run`), and a streamed epoch read from disk against the disk's sequential rate.
#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <functional>

namespace salient {

using BenchLog = std::function<void(const QString &)>;

/// Copy rates of @p bytes (capped at 1 GiB) on this machine, GB/s: `memcpy_warm` (into touched
/// memory, one thread), `memcpy_fresh` (into freshly allocated memory: the page faults included,
/// one thread) and `copy_fresh_parallel` (fresh memory, the compute threads each copying and
/// faulting their own slice) and `copy_fresh_huge_parallel_gbps` (the same into memory advised
/// to use transparent huge pages, as the training matrix is: what a load can reach at best).
QJsonObject memoryCopyBench(double bytes, const BenchLog &log);

/// Runs `salient-cli probe` on the given files (batch @p batch, @p epochs epochs, seed 1) into a
/// temporary folder, then `salient-cli run` on the session it wrote, each as a whole process,
/// @p repeats times alternately; reports the medians and probe ÷ run. @p cli is the salient-cli
/// executable. Throws salient::Error when a process fails.
QJsonObject probeCommandBench(const QString &cli, const QString &acts, const QString &tokens,
                              const QString &labels, int batch, int epochs, int repeats,
                              const BenchLog &log);

/// Evicts @p path from the page cache (posix_fadvise DONTNEED after fdatasync) and returns the
/// fraction of its pages still resident afterwards (mincore): 0 means reads go to the disk.
double evictFromPageCache(const QString &path);

/// Bytes of this process's memory backed by transparent huge pages (AnonHugePages), 0 if unknown.
double anonHugePageBytes();

/// Sequential read rate of @p path from disk (evicted first), 8 MiB reads, GB/s.
double diskSequentialGBps(const QString &path);

} // namespace salient
