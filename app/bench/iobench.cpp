#include "iobench.h"

#include "salient/util/error.h"
#include "salient/util/runtime.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <sys/mman.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace salient {

namespace {

double seconds(const QElapsedTimer &t)
{
    return double(t.nsecsElapsed()) * 1e-9;
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : v[v.size() / 2];
}

// Runs one process to completion; its wall seconds. Throws with its stderr when it fails.
double timedRun(const QString &program, const QStringList &args)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::SeparateChannels);
    QElapsedTimer t;
    t.start();
    p.start(program, args);
    if (!p.waitForStarted(-1))
        throw Error(QStringLiteral("%1: cannot start (%2)").arg(program, p.errorString()));
    p.waitForFinished(-1);
    const double s = seconds(t);
    if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0)
        throw Error(QStringLiteral("%1 %2 failed (exit %3): %4")
                        .arg(program, args.join(QLatin1Char(' ')))
                        .arg(p.exitCode())
                        .arg(QString::fromLocal8Bit(p.readAllStandardError()).right(600)));
    return s;
}

// Every thread copies its own slice of @p src into one fresh allocation (its page faults taken in
// parallel); GB/s. With @p huge, the destination is 2 MiB-aligned with huge pages advised.
double parallelCopyIntoFresh(const char *src, std::size_t n, int threads, bool huge)
{
    constexpr std::size_t align = std::size_t(2) << 20;
    const std::size_t size = (n + align - 1) / align * align;
    std::unique_ptr<char, decltype(&std::free)> dst(
        static_cast<char *>(std::aligned_alloc(align, size)), &std::free);
    if (!dst)
        throw Error(QStringLiteral("memory copy bench: cannot allocate %1 bytes").arg(size));
    if (huge)
        adviseHugePages(dst.get(), size);
    QElapsedTimer t;
    t.start();
    std::vector<std::thread> pool;
    for (int i = 0; i < threads; ++i)
        pool.emplace_back([&, i] {
            const std::size_t a = n * std::size_t(i) / std::size_t(threads),
                              b = n * std::size_t(i + 1) / std::size_t(threads);
            std::memcpy(dst.get() + a, src + a, b - a);
        });
    for (std::thread &th : pool)
        th.join();
    return double(n) / seconds(t) / 1e9;
}

// Reads @p path sequentially in 8 MiB reads; GB/s.
double readWholeFile(const QString &path)
{
    const QByteArray native = QFile::encodeName(path);
    const int fd = ::open(native.constData(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        throw Error(QStringLiteral("%1: cannot open for the disk read").arg(path));
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    std::vector<char> buf(8u << 20);
    QElapsedTimer t;
    t.start();
    double total = 0;
    for (;;) {
        const ssize_t got = ::read(fd, buf.data(), buf.size());
        if (got <= 0)
            break;
        total += double(got);
    }
    const double s = seconds(t);
    ::close(fd);
    return total / s / 1e9;
}

} // namespace

QJsonObject memoryCopyBench(double bytes, const BenchLog &log)
{
    const std::size_t n = std::size_t(std::min(bytes, double(1 << 30)));
    std::unique_ptr<char[]> src(new char[n]);
    std::memset(src.get(), 1, n);
    QElapsedTimer t;
    // One thread into fresh pages (every page faulted and zeroed by the kernel first).
    std::unique_ptr<char[]> dst(new char[n]);
    t.start();
    std::memcpy(dst.get(), src.get(), n);
    const double fresh = double(n) / seconds(t) / 1e9;
    // One thread into the same, now resident pages.
    t.restart();
    std::memcpy(dst.get(), src.get(), n);
    const double warm = double(n) / seconds(t) / 1e9;
    dst.reset();
    // Every compute thread copies its own slice into fresh pages: the faults run in parallel.
    const int threads = std::max(1, computeThreads());
    const double parallel = parallelCopyIntoFresh(src.get(), n, threads, false);
    // The same with transparent huge pages advised, as the training matrix is allocated: the
    // best a load into a new matrix can do on this machine.
    const double huge = parallelCopyIntoFresh(src.get(), n, threads, true);
    log(QStringLiteral("memory copy of %1 GB: %2 GB/s into resident pages, %3 GB/s into fresh "
                       "pages (1 thread), %4 GB/s into fresh pages (%5 threads), %6 GB/s into "
                       "fresh huge pages "
                       "(%5 threads)")
            .arg(double(n) / 1e9, 0, 'f', 2)
            .arg(warm, 0, 'f', 2)
            .arg(fresh, 0, 'f', 2)
            .arg(parallel, 0, 'f', 2)
            .arg(threads)
            .arg(huge, 0, 'f', 2));
    return QJsonObject{{QStringLiteral("memcpy_warm_gbps"), warm},
                       {QStringLiteral("memcpy_fresh_gbps"), fresh},
                       {QStringLiteral("copy_fresh_parallel_gbps"), parallel},
                       {QStringLiteral("copy_fresh_huge_parallel_gbps"), huge}};
}

QJsonObject probeCommandBench(const QString &cli, const QString &acts, const QString &tokens,
                              const QString &labels, int batch, int epochs, int repeats,
                              const BenchLog &log)
{
    QTemporaryDir tmp;
    if (!tmp.isValid())
        throw Error(QStringLiteral("probe command bench: cannot create a temporary folder"));
    const QString threads = QString::number(std::max(1, computeThreads()));
    readWholeFile(acts); // both commands read a warm file (an earlier figure may have evicted it)
    std::vector<double> probe, replay;
    for (int r = 0; r < std::max(1, repeats); ++r) {
        const QString out = tmp.filePath(QStringLiteral("probe%1").arg(r));
        probe.push_back(timedRun(
            cli, {QStringLiteral("probe"), QStringLiteral("--train-activations"), acts,
                  QStringLiteral("--train-tokens"), tokens, QStringLiteral("--train-labels"),
                  labels, QStringLiteral("--batch-size"), QString::number(batch),
                  QStringLiteral("--epochs"), QString::number(epochs), QStringLiteral("--threads"),
                  threads, QStringLiteral("--out"), out}));
        replay.push_back(
            timedRun(cli, {QStringLiteral("run"), out + QStringLiteral("/session.json"),
                           QStringLiteral("--threads"), threads, QStringLiteral("--out"),
                           tmp.filePath(QStringLiteral("run%1").arg(r))}));
        log(QStringLiteral("salient-cli probe (whole process) %1 s, salient-cli run of its "
                           "session %2 s")
                .arg(probe.back(), 0, 'f', 2)
                .arg(replay.back(), 0, 'f', 2));
    }
    const double p = median(probe), q = median(replay);
    log(QStringLiteral("probe command vs replay, batch %1, %2 epochs, medians of %3: %4 s vs %5 s "
                       "= %6×")
            .arg(batch)
            .arg(epochs)
            .arg(probe.size())
            .arg(p, 0, 'f', 2)
            .arg(q, 0, 'f', 2)
            .arg(p / q, 0, 'f', 3));
    return QJsonObject{{QStringLiteral("probe_command_s"), p},
                       {QStringLiteral("replay_s"), q},
                       {QStringLiteral("ratio"), p / q},
                       {QStringLiteral("batch"), batch},
                       {QStringLiteral("epochs"), epochs}};
}

double evictFromPageCache(const QString &path)
{
    const QByteArray native = QFile::encodeName(path);
    const int fd = ::open(native.constData(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        throw Error(QStringLiteral("%1: cannot open to evict from the page cache").arg(path));
    struct stat st {};
    ::fstat(fd, &st);
    ::fdatasync(fd);
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    double resident = 1.0;
    if (st.st_size > 0) {
        void *m = ::mmap(nullptr, std::size_t(st.st_size), PROT_READ, MAP_SHARED, fd, 0);
        if (m != MAP_FAILED) {
            const long page = ::sysconf(_SC_PAGESIZE);
            const std::size_t pages =
                (std::size_t(st.st_size) + std::size_t(page) - 1) / std::size_t(page);
            std::vector<unsigned char> v(pages);
            if (::mincore(m, std::size_t(st.st_size), v.data()) == 0)
                resident =
                    double(std::count_if(v.begin(), v.end(), [](unsigned char c) { return c & 1; }))
                    / double(pages);
            ::munmap(m, std::size_t(st.st_size));
        }
    }
    ::close(fd);
    return resident;
}

double anonHugePageBytes()
{
    QFile f(QStringLiteral("/proc/self/smaps_rollup"));
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : f.readAll().split('\n'))
        if (line.startsWith("AnonHugePages:"))
            return line.mid(14).simplified().split(' ').value(0).toDouble() * 1024.0;
    return 0;
}

double diskSequentialGBps(const QString &path)
{
    evictFromPageCache(path);
    return readWholeFile(path);
}

} // namespace salient
