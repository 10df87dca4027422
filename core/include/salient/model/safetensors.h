#pragma once
// safetensors files (spec/MODELS.md §1.1): header validation and a memory-mapped reader.
//
// Contracts: parseSafetensorsHeader() validates everything the header claims against the real
// file size before anything proportional to a claimed size is allocated (header length ≤
// 100,000,000 and inside the file; known dtypes; ranks ≤ 16; overflow-checked element and byte
// counts; ranges contiguous from 0 without gaps or overlaps and ending at the end of the file).
// A SafetensorsFile maps the file read-only; tensor data pointers stay valid as long as the
// object lives. Both are thread-safe for reading once constructed. Errors: salient::Error naming
// the file, the tensor (or header key) and what was expected vs found.
#include "salient/util/error.h"

#include <QFile>
#include <QHash>
#include <QString>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace salient::model {

enum class DType {
    F64,
    F32,
    F16,
    BF16,
    I64,
    I32,
    I16,
    I8,
    U64,
    U32,
    U16,
    U8,
    Bool,
    F8E5M2,
    F8E4M3
};
/// Bytes per element (1 for BOOL and the F8 variants).
int dtypeSize(DType d);
/// The safetensors spelling: "F32", "BF16", "F8_E4M3", ...
QString dtypeName(DType d);

struct TensorInfo {
    QString name;
    DType dtype = DType::F32;
    std::vector<std::int64_t> shape; ///< empty = scalar
    std::uint64_t begin = 0;         ///< byte offsets relative to the data section (8 + N)
    std::uint64_t end = 0;
    std::int64_t elements() const; ///< product of shape (validated not to overflow)
};

struct SafetensorsHeader {
    std::uint64_t headerLength = 0;  ///< N
    std::uint64_t dataStart = 0;     ///< 8 + N
    std::vector<TensorInfo> tensors; ///< in header order
    QHash<QString, QString> metadata;
};

/// Largest header length N accepted (the reference reader's limit).
constexpr std::uint64_t kMaxSafetensorsHeader = 100'000'000;

/**
 * Parses and validates the header of a safetensors file of @p fileSize bytes whose first
 * @p available bytes are at @p bytes (at least 8 + N of them are needed; fewer → Error). @p file
 * names the file in messages. Entry point of the fuzz target fuzz_safetensors.
 */
SafetensorsHeader parseSafetensorsHeader(const char *bytes, std::uint64_t available,
                                         std::uint64_t fileSize, const QString &file);

class SafetensorsFile {
public:
    /// Maps @p path read-only and validates its header.
    explicit SafetensorsFile(const QString &path);
    ~SafetensorsFile();
    SafetensorsFile(const SafetensorsFile &) = delete;
    SafetensorsFile &operator=(const SafetensorsFile &) = delete;

    const QString &path() const { return path_; }
    const SafetensorsHeader &header() const { return header_; }
    /// The tensor called @p name, or nullptr.
    const TensorInfo *find(const QString &name) const;
    /// First byte of @p t's data (inside the mapping; not necessarily aligned).
    const std::byte *data(const TensorInfo &t) const;

private:
    QString path_;
    std::unique_ptr<QFile> file_;
    const std::byte *map_ = nullptr;
    SafetensorsHeader header_;
    QHash<QString, int> index_;
};

} // namespace salient::model
