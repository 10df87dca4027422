#pragma once
// Process-wide runtime facts and the threading policy.
//
// Threading policy: the cores belong to the numeric kernels. One heavy job (probe training,
// a grid-search cell, ...) runs at a time and its matrix products use every core: Eigen's GEMM
// threaded by OpenMP (or OpenBLAS threads in a -DSALIENT_USE_BLAS=ON build), threads =
// setComputeThreads(), default all cores. Jobs queued from the GUI run one after another on a
// single compute thread, never side by side, so kernel threads never oversubscribe the cores.
// Debian's HDF5 is built thread-safe (the library serialises its calls); bulk reads of
// contiguous datasets bypass it with preadv.
#include <QString>
#include <cstddef>
#include <cstdint>

namespace salient {

/// Sets the threads used by BLAS and Eigen (0 = number of cores). Call from the main thread
/// before starting jobs.
void setComputeThreads(int threads);
int computeThreads();
/// "OpenBLAS 0.3.21 (Haswell kernels), 2 threads" or "Eigen (no BLAS)".
QString blasDescription();
/// Resident memory of this process now / at its peak (VmRSS / VmHWM), bytes; 0 if unknown.
std::int64_t currentRssBytes();
std::int64_t peakRssBytes();
/// Asks the kernel to back [data, data+bytes) with transparent huge pages (madvise), which cuts
/// the first-touch page-fault cost of a large fresh matrix. A hint: silently ignored if refused.
void adviseHugePages(void *data, std::size_t bytes);
/// Memory available to new allocations (MemAvailable), bytes; 0 if unknown.
std::int64_t availableMemoryBytes();

} // namespace salient
