#include "salient/util/atomicfile.h"

#include "salient/util/error.h"

#include <QFile>
#include <QSaveFile>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <unistd.h>

namespace salient {

void writeFileAtomic(const QString &path, const QByteArray &bytes)
{
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        throw Error(QStringLiteral("%1: cannot write: %2").arg(path, f.errorString()));
    if (f.write(bytes) != bytes.size()) {
        const QString why = f.errorString();
        f.cancelWriting();
        throw Error(QStringLiteral("%1: write failed (disk full?): %2").arg(path, why));
    }
    // commit() flushes, fsyncs and renames the temporary file over path.
    if (!f.commit())
        throw Error(QStringLiteral("%1: cannot replace the file: %2").arg(path, f.errorString()));
}

void replaceFileAtomic(const QString &temporary, const QString &path)
{
    QFile f(temporary);
    if (!f.open(QIODevice::ReadOnly) || ::fsync(f.handle()) != 0) {
        const QString why = f.errorString();
        f.close();
        QFile::remove(temporary);
        throw Error(QStringLiteral("%1: cannot finish writing %2: %3").arg(path, temporary, why));
    }
    f.close();
    if (std::rename(QFile::encodeName(temporary).constData(), QFile::encodeName(path).constData())
        != 0) {
        const int err = errno;
        QFile::remove(temporary);
        throw Error(QStringLiteral("%1: cannot replace the file: %2")
                        .arg(path, QString::fromLocal8Bit(std::strerror(err))));
    }
}

} // namespace salient
