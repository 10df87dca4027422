#pragma once
// Private to core/src: pieces shared by activationstore.cpp (dispatch, MemoryStore, text
// helpers), hdf5store.cpp (NeuroX HDF5 files) and jsonlstore.cpp (NeuroX JSON lines).
// Nothing here is part of the public API.
#include "salient/io/activationstore.h"
#include "salient/util/error.h"

#include <QByteArray>
#include <QString>
#include <cstdint>
#include <memory>
#include <vector>

namespace salient::detail {

/// 'path' in native separators, quoted, for error messages.
QString quotedPath(const QString &path);

/// Throws salient::Error unless @p path is an existing, readable, non-empty regular file.
/// @p what names the file's role in the message ("activation file", "HDF5 file", ...).
void requireReadableFile(const QString &path, const QString &what);

/// True when the HDF5 format signature is at offset 0, 512, 1024, 2048, ... (user block).
bool hasHdf5Signature(const QString &path);

/// Opens a NeuroX HDF5 file (metadata only). Throws salient::Error.
std::unique_ptr<ActivationStore> openHdf5Store(const QString &path);

/// Parses a NeuroX JSON-lines file in one streaming pass. Throws salient::Error (also when
/// @p progress returns false: the message then says the load was cancelled).
std::unique_ptr<ActivationStore> openJsonLinesStore(const QString &path,
                                                    const LoadProgress &progress);

/**
 * Validates the arguments of ActivationStore::readSentence against @p info and returns the layer
 * list to read (all layers in stored order when @p layers is empty). Throws salient::Error naming
 * the file of @p info.
 */
std::vector<int> checkReadArguments(const StoreInfo &info, Index sentence, const float *out,
                                    Index stride, const std::vector<int> &layers);

/// checkReadArguments plus the word range [firstWord, firstWord + count) of the record.
std::vector<int> checkWordRange(const StoreInfo &info, Index sentence, int firstWord, int count,
                                const float *out, Index stride, const std::vector<int> &layers);

/// Offset of the first byte that is not part of valid UTF-8 (overlongs, surrogates and code
/// points above U+10FFFF are invalid), or -1 when all @p size bytes are valid.
qint64 firstInvalidUtf8(const char *data, qint64 size);

/// Key with Python json.dumps defaults (ensure_ascii=True): quoted, every character outside
/// 0x20..0x7E escaped, non-BMP characters as surrogate pairs, lowercase hex.
QByteArray pythonJsonString(const QString &s);

/// NeuroX's duplicate rule: a text seen before becomes "<text> (Occurrence k)", k = 2, 3, ...,
/// the first k that makes it unique. Returns the keys in input order.
QStringList uniqueSentenceKeys(const QStringList &texts);

} // namespace salient::detail
