#pragma once
// Shared by the libFuzzer targets (docs/robustness.md, "Fuzzing"): a per-process scratch folder
// that every input is written into (the readers take paths), and a quiet Qt message handler.
#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QString>
#include <QtGlobal>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <unistd.h>

namespace salient::fuzz {

/// The process's scratch folder, created on first use and removed at exit.
inline const QString &scratchDir()
{
    static const QString dir = [] {
        std::string tmpl = (qEnvironmentVariableIsSet("TMPDIR") ? qgetenv("TMPDIR").toStdString()
                                                                : std::string("/tmp"))
                           + "/salient-fuzz-XXXXXX";
        if (!::mkdtemp(tmpl.data()))
            std::abort();
        static std::string removeAtExit;
        removeAtExit = tmpl;
        std::atexit([] { QDir(QString::fromStdString(removeAtExit)).removeRecursively(); });
        // Qt warnings (e.g. from QJsonDocument) would only slow the fuzzer down.
        qInstallMessageHandler([](QtMsgType, const QMessageLogContext &, const QString &) {});
        return QString::fromStdString(tmpl);
    }();
    return dir;
}

/// Writes @p size bytes to scratchDir()/@p name (truncating) and returns the path.
inline QString writeFile(const char *name, const std::uint8_t *data, std::size_t size)
{
    const QString path = scratchDir() + QLatin1Char('/') + QLatin1String(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        std::abort();
    if (size > 0 && f.write(reinterpret_cast<const char *>(data), qint64(size)) != qint64(size))
        std::abort();
    f.close();
    return path;
}

/// Removes scratchDir()/@p name if present.
inline void removeFile(const char *name)
{
    QFile::remove(scratchDir() + QLatin1Char('/') + QLatin1String(name));
}

/// Largest sentence (words × neurons floats) a target reads: a tiny file may declare a huge
/// shape (HDF5 fill values), which is legitimate; reading it would only measure malloc.
constexpr long long kMaxFloatsPerRead = 1 << 20;
/// Sentences read per input at most.
constexpr long long kMaxSentencesRead = 256;

} // namespace salient::fuzz
