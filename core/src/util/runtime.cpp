#include "salient/util/runtime.h"

#include <Eigen/Core>
#include <QFile>
#include <QThread>
#include <omp.h>
#include <sys/mman.h>

#ifdef SALIENT_HAVE_OPENBLAS
extern "C" {
void openblas_set_num_threads(int);
int openblas_get_num_threads(void);
char *openblas_get_corename(void);
char *openblas_get_config(void);
}
#endif

namespace salient {

namespace detail {
bool cpuSupportsBuild();
}

void setComputeThreads(int threads)
{
    (void)detail::cpuSupportsBuild(); // keeps the start-up CPU check linked into every program
    if (threads <= 0)
        threads = QThread::idealThreadCount();
    // Eigen follows the calling thread's OpenMP setting (omp_get_max_threads), which code can then
    // narrow per thread (small products, parallel loops); Eigen::setNbThreads would fix it
    // globally.
    omp_set_num_threads(threads);
#ifdef SALIENT_HAVE_OPENBLAS
    openblas_set_num_threads(threads);
#endif
}

int computeThreads()
{
#ifdef SALIENT_HAVE_OPENBLAS
    return openblas_get_num_threads();
#else
    return Eigen::nbThreads();
#endif
}

QString blasDescription()
{
#ifdef SALIENT_HAVE_OPENBLAS
    return QStringLiteral("%1 (%2 kernels), %3 threads")
        .arg(QString::fromLatin1(openblas_get_config()).trimmed(),
             QString::fromLatin1(openblas_get_corename()))
        .arg(openblas_get_num_threads());
#else
    // Referencing the CPU check keeps its object (and its start-up constructor) linked in.
    const bool cpuOk = detail::cpuSupportsBuild();
    return QStringLiteral("Eigen %1.%2.%3 kernels (%4%5), OpenMP, %6 threads")
        .arg(EIGEN_WORLD_VERSION)
        .arg(EIGEN_MAJOR_VERSION)
        .arg(EIGEN_MINOR_VERSION)
#if defined(__AVX2__) && defined(__FMA__)
        .arg(QStringLiteral("AVX2+FMA"))
#else
        .arg(QLatin1String(Eigen::SimdInstructionSetsInUse()))
#endif
        .arg(cpuOk ? QString() : QStringLiteral(", CPU lacks them!"))
        .arg(Eigen::nbThreads());
#endif
}

namespace {
std::int64_t procField(const char *file, const QByteArray &field)
{
    QFile f(QString::fromLatin1(file));
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    const QList<QByteArray> lines = f.readAll().split('\n');
    for (const QByteArray &line : lines) {
        if (line.startsWith(field)) {
            const QList<QByteArray> parts = line.mid(field.size()).simplified().split(' ');
            return parts.isEmpty() ? 0 : parts.first().toLongLong() * 1024; // values are kB
        }
    }
    return 0;
}
} // namespace

void adviseHugePages(void *data, std::size_t bytes)
{
    constexpr std::uintptr_t huge = std::uintptr_t(2) << 20;
    const auto begin = reinterpret_cast<std::uintptr_t>(data);
    const std::uintptr_t first = (begin + huge - 1) & ~(huge - 1),
                         last = (begin + bytes) & ~(huge - 1);
    if (last > first)
        madvise(reinterpret_cast<void *>(first), last - first, MADV_HUGEPAGE);
}

std::int64_t currentRssBytes()
{
    return procField("/proc/self/status", "VmRSS:");
}
std::int64_t peakRssBytes()
{
    return procField("/proc/self/status", "VmHWM:");
}
std::int64_t availableMemoryBytes()
{
    return procField("/proc/meminfo", "MemAvailable:");
}

} // namespace salient
