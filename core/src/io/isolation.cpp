// Child-process validation of untrusted activation files: see salient/isolation.h.
#include "salient/io/isolation.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QProcess>

#include <QStandardPaths>
#include <csignal>
#include <sys/resource.h>

namespace salient {

namespace {

QString signalName(int sig)
{
    switch (sig) {
    case SIGSEGV:
        return QStringLiteral("SIGSEGV");
    case SIGBUS:
        return QStringLiteral("SIGBUS");
    case SIGABRT:
        return QStringLiteral("SIGABRT");
    case SIGFPE:
        return QStringLiteral("SIGFPE");
    case SIGILL:
        return QStringLiteral("SIGILL");
    case SIGKILL:
        return QStringLiteral("SIGKILL");
    case SIGTERM:
        return QStringLiteral("SIGTERM");
    case SIGXFSZ:
        return QStringLiteral("SIGXFSZ");
    case SIGXCPU:
        return QStringLiteral("SIGXCPU");
    default:
        return {};
    }
}

QString seconds(int ms)
{
    return ms % 1000 == 0 ? QString::number(ms / 1000) : QString::number(ms / 1000.0, 'f', 1);
}

} // namespace

QString isolatedCheckerPath(const QString &cliPath)
{
    if (!cliPath.isEmpty())
        return cliPath;
    const QString env = qEnvironmentVariable("SALIENT_CLI");
    if (!env.isEmpty())
        return env;
    if (QCoreApplication::instance()) {
        const QString beside =
            QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("salient-cli"));
        if (QFileInfo(beside).isExecutable())
            return beside;
    }
    const QString onPath = QStandardPaths::findExecutable(QStringLiteral("salient-cli"));
    return onPath.isEmpty() ? QStringLiteral("salient-cli") : onPath;
}

IsolatedCheck checkFileInChildProcess(const QString &activationPath, int timeoutMs,
                                      const QString &cliPath)
{
    IsolatedCheck r;
    r.checker = isolatedCheckerPath(cliPath);
    const QString file = QDir::toNativeSeparators(activationPath);
    if (timeoutMs <= 0)
        timeoutMs = 30000;

    QProcess proc;
    proc.setProgram(r.checker);
    proc.setArguments({QStringLiteral("inspect"), activationPath});
    proc.setStandardInputFile(QProcess::nullDevice());
#if !defined(__SANITIZE_ADDRESS__) && !defined(SALIENT_NO_CHILD_MEMORY_LIMIT)
    // A damaged file can make libhdf5 allocate whatever length it claims (fuzzing found 3 GB for
    // one string): cap the checker's address space so that fails fast inside the child. (ASan
    // builds reserve terabytes of shadow address space, so they run without the cap.)
    proc.setChildProcessModifier([] {
        const rlim_t cap = rlim_t(4) << 30; // 4 GiB: metadata of any real file fits easily
        struct rlimit rl;
        if (::getrlimit(RLIMIT_AS, &rl) == 0
            && (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > cap)) {
            rl.rlim_cur = cap;
            ::setrlimit(RLIMIT_AS, &rl);
        }
    });
#endif
    proc.start();
    if (!proc.waitForStarted(qMax(timeoutMs, 5000))) {
        r.result = IsolatedCheck::Result::Failed;
        r.message = QStringLiteral("%1: cannot check the file: the checker %2 did not start (%3)")
                        .arg(file, r.checker, proc.errorString());
        return r;
    }
    if (!proc.waitForFinished(timeoutMs)) {
        proc.kill();
        proc.waitForFinished(5000);
        r.result = IsolatedCheck::Result::TimedOut;
        r.message =
            QStringLiteral("malformed file: reading %1 did not finish within %2 s (the check was "
                           "stopped; the HDF5 reader may be looping on a damaged file)")
                .arg(file, seconds(timeoutMs));
        return r;
    }
    r.output = proc.readAllStandardOutput();
    const QString err = QString::fromLocal8Bit(proc.readAllStandardError()).trimmed();

    if (proc.exitStatus() == QProcess::CrashExit) {
        // Qt reports the terminating signal as the exit code of a crashed child on Unix.
        r.result = IsolatedCheck::Result::Crashed;
        r.signal = proc.exitCode();
        const QString name = signalName(r.signal);
        QString what =
            r.signal > 0 ? QStringLiteral("signal %1").arg(r.signal) : QStringLiteral("a signal");
        if (!name.isEmpty())
            what += QStringLiteral(", ") + name;
        r.message = QStringLiteral("malformed file: the HDF5 reader crashed (%1) while reading %2")
                        .arg(what, file);
        if (r.signal == SIGKILL)
            r.message += QStringLiteral(" (killed: perhaps out of memory)");
        return r;
    }
    r.exitCode = proc.exitCode();
    if (r.exitCode == 0) {
        r.result = IsolatedCheck::Result::Ok;
        return r;
    }
    QString text = err;
    if (text.startsWith(QLatin1String("error: ")))
        text = text.mid(7);
    if (r.exitCode == 2) {
        r.result = IsolatedCheck::Result::BadInput;
        r.message =
            text.isEmpty() ? QStringLiteral("%1: not a readable activation file").arg(file) : text;
        return r;
    }
    r.result = IsolatedCheck::Result::Failed;
    r.message = QStringLiteral("%1: the check failed (exit code %2)%3")
                    .arg(file)
                    .arg(r.exitCode)
                    .arg(text.isEmpty() ? QString() : QStringLiteral(": ") + text);
    return r;
}

} // namespace salient
