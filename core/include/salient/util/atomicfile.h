#pragma once
// Whole-file writes that either replace the file completely or leave the previous one untouched.
#include <QByteArray>
#include <QString>

namespace salient {

/**
 * Writes @p bytes to @p path atomically: into a temporary file in the same folder, flushed and
 * fsync'ed, then renamed over @p path (QSaveFile). Readers see either the previous file or the
 * complete new one, never a partial or missing file; on failure the previous file is untouched
 * and the temporary file removed. Throws salient::Error naming @p path. Safe to call from any
 * thread for distinct paths.
 */
void writeFileAtomic(const QString &path, const QByteArray &bytes);

/**
 * For files written by a library that needs a path (HDF5): makes the complete file
 * @p temporary durable (fsync) and renames it over @p path in one atomic step (POSIX rename
 * replaces an existing @p path; there is no moment without a file at @p path). @p temporary must
 * be in the same folder as @p path. On failure @p temporary is removed, the previous @p path is
 * untouched, and salient::Error naming @p path is thrown.
 */
void replaceFileAtomic(const QString &temporary, const QString &path);

} // namespace salient
