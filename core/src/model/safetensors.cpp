#include "salient/model/safetensors.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QJsonValue>
#include <algorithm>
#include <cstring>

namespace salient::model {

namespace {

struct DTypeName {
    const char *name;
    DType dtype;
    int size;
};
constexpr DTypeName kDTypes[] = {
    {"F64", DType::F64, 8},   {"F32", DType::F32, 4},        {"F16", DType::F16, 2},
    {"BF16", DType::BF16, 2}, {"I64", DType::I64, 8},        {"I32", DType::I32, 4},
    {"I16", DType::I16, 2},   {"I8", DType::I8, 1},          {"U64", DType::U64, 8},
    {"U32", DType::U32, 4},   {"U16", DType::U16, 2},        {"U8", DType::U8, 1},
    {"BOOL", DType::Bool, 1}, {"F8_E5M2", DType::F8E5M2, 1}, {"F8_E4M3", DType::F8E4M3, 1},
};

constexpr int kMaxRank = 16;
// Largest integer a JSON number (a double) holds exactly.
constexpr double kMaxExactInteger = 9007199254740992.0;

bool mulOverflows(std::uint64_t a, std::uint64_t b, std::uint64_t &out)
{
    return __builtin_mul_overflow(a, b, &out);
}

std::uint64_t jsonUnsigned(const QJsonValue &v, const QString &file, const QString &what)
{
    const double d = v.toDouble(-1.0);
    if (!v.isDouble() || !(d >= 0.0) || d > kMaxExactInteger || d != double(std::uint64_t(d)))
        throw Error(QStringLiteral("%1: safetensors header: %2 must be a non-negative integer")
                        .arg(file, what));
    return std::uint64_t(d);
}

} // namespace

int dtypeSize(DType d)
{
    for (const auto &e : kDTypes)
        if (e.dtype == d)
            return e.size;
    return 0;
}

QString dtypeName(DType d)
{
    for (const auto &e : kDTypes)
        if (e.dtype == d)
            return QLatin1String(e.name);
    return QStringLiteral("?");
}

std::int64_t TensorInfo::elements() const
{
    std::int64_t n = 1;
    for (std::int64_t s : shape)
        n *= s;
    return n;
}

SafetensorsHeader parseSafetensorsHeader(const char *bytes, std::uint64_t available,
                                         std::uint64_t fileSize, const QString &file)
{
    if (available > fileSize)
        available = fileSize;
    if (fileSize < 8)
        throw Error(
            QStringLiteral("%1: not a safetensors file: %2 bytes, a header needs at least 8")
                .arg(file)
                .arg(fileSize));
    std::uint64_t n = 0;
    for (int i = 7; i >= 0; --i)
        n = (n << 8) | std::uint8_t(bytes[i]);
    if (n > kMaxSafetensorsHeader)
        throw Error(QStringLiteral("%1: safetensors header length %2 exceeds the limit of %3 bytes "
                                   "(not a safetensors file?)")
                        .arg(file)
                        .arg(n)
                        .arg(kMaxSafetensorsHeader));
    if (n > fileSize - 8)
        throw Error(QStringLiteral("%1: safetensors header length %2 runs past the end of the file "
                                   "(%3 bytes)")
                        .arg(file)
                        .arg(n)
                        .arg(fileSize));
    if (n + 8 > available)
        throw Error(QStringLiteral("%1: safetensors header: only %2 of %3 header bytes available")
                        .arg(file)
                        .arg(available)
                        .arg(n + 8));
    if (n < 2 || bytes[8] != '{')
        throw Error(
            QStringLiteral("%1: safetensors header is not a JSON object (first byte must be "
                           "'{')")
                .arg(file));

    QJsonParseError perr{};
    const QJsonDocument doc =
        QJsonDocument::fromJson(QByteArray::fromRawData(bytes + 8, qsizetype(n)), &perr);
    if (perr.error != QJsonParseError::NoError || !doc.isObject())
        throw Error(QStringLiteral("%1: safetensors header is not valid JSON (%2 at byte %3)")
                        .arg(file, perr.errorString())
                        .arg(8 + perr.offset));

    SafetensorsHeader h;
    h.headerLength = n;
    h.dataStart = 8 + n;
    const std::uint64_t dataSize = fileSize - h.dataStart;
    const QJsonObject root = doc.object();
    for (auto it = root.begin(); it != root.end(); ++it) {
        const QString key = it.key();
        if (key == QLatin1String("__metadata__")) {
            if (!it.value().isObject())
                throw Error(QStringLiteral("%1: safetensors header: __metadata__ must be an object "
                                           "of strings")
                                .arg(file));
            const QJsonObject meta = it.value().toObject();
            for (auto m = meta.begin(); m != meta.end(); ++m) {
                if (!m.value().isString())
                    throw Error(QStringLiteral("%1: safetensors header: __metadata__ value of '%2' "
                                               "must be a string")
                                    .arg(file, m.key()));
                h.metadata.insert(m.key(), m.value().toString());
            }
            continue;
        }
        const QString what = QStringLiteral("tensor '%1'").arg(key);
        if (!it.value().isObject())
            throw Error(
                QStringLiteral("%1: safetensors header: %2 must be an object").arg(file, what));
        const QJsonObject o = it.value().toObject();
        TensorInfo t;
        t.name = key;
        const QString dt = o.value(QStringLiteral("dtype")).toString();
        int size = 0;
        for (const auto &e : kDTypes)
            if (dt == QLatin1String(e.name)) {
                t.dtype = e.dtype;
                size = e.size;
            }
        if (size == 0)
            throw Error(QStringLiteral("%1: safetensors header: %2 has unknown dtype '%3' (known: "
                                       "F64 F32 F16 BF16 I64 I32 I16 I8 U64 U32 U16 U8 BOOL "
                                       "F8_E5M2 F8_E4M3)")
                            .arg(file, what, dt));
        const QJsonValue shapeV = o.value(QStringLiteral("shape"));
        if (!shapeV.isArray())
            throw Error(
                QStringLiteral("%1: safetensors header: %2 has no shape array").arg(file, what));
        const QJsonArray shape = shapeV.toArray();
        if (shape.size() > kMaxRank)
            throw Error(
                QStringLiteral("%1: safetensors header: %2 has rank %3, at most %4 supported")
                    .arg(file, what)
                    .arg(shape.size())
                    .arg(kMaxRank));
        std::uint64_t elements = 1;
        bool overflow = false;
        for (const QJsonValue &d : shape) {
            const std::uint64_t dim = jsonUnsigned(d, file, what + QStringLiteral(" shape entry"));
            overflow = overflow || mulOverflows(elements, dim, elements);
            t.shape.push_back(std::int64_t(dim));
        }
        std::uint64_t bytesNeeded = 0;
        if (overflow || mulOverflows(elements, std::uint64_t(size), bytesNeeded)
            || bytesNeeded > dataSize)
            throw Error(
                QStringLiteral("%1: safetensors header: %2 claims %3 × %4 bytes, more than "
                               "the file's %5 data bytes")
                    .arg(file, what,
                         overflow ? QStringLiteral("(overflowing)") : QString::number(elements))
                    .arg(size)
                    .arg(dataSize));
        const QJsonArray offs = o.value(QStringLiteral("data_offsets")).toArray();
        if (offs.size() != 2)
            throw Error(QStringLiteral("%1: safetensors header: %2 needs data_offsets [begin, end]")
                            .arg(file, what));
        t.begin = jsonUnsigned(offs[0], file, what + QStringLiteral(" data_offsets"));
        t.end = jsonUnsigned(offs[1], file, what + QStringLiteral(" data_offsets"));
        if (t.end < t.begin || t.end > dataSize)
            throw Error(
                QStringLiteral("%1: safetensors header: %2 data_offsets [%3, %4] lie outside "
                               "the data section [0, %5]")
                    .arg(file, what)
                    .arg(t.begin)
                    .arg(t.end)
                    .arg(dataSize));
        if (t.end - t.begin != bytesNeeded)
            throw Error(QStringLiteral("%1: safetensors header: %2 data_offsets span %3 bytes, its "
                                       "dtype %4 and shape need %5")
                            .arg(file, what)
                            .arg(t.end - t.begin)
                            .arg(dt)
                            .arg(bytesNeeded));
        h.tensors.push_back(std::move(t));
    }

    // Contiguous from 0, no gaps or overlaps, ending at the end of the file.
    std::vector<const TensorInfo *> sorted;
    sorted.reserve(h.tensors.size());
    for (const TensorInfo &t : h.tensors)
        sorted.push_back(&t);
    std::stable_sort(sorted.begin(), sorted.end(), [](const TensorInfo *a, const TensorInfo *b) {
        return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
    });
    std::uint64_t pos = 0;
    for (const TensorInfo *t : sorted) {
        if (t->begin < pos)
            throw Error(QStringLiteral("%1: safetensors header: tensor '%2' [%3, %4] overlaps the "
                                       "previous tensor, which ends at %5")
                            .arg(file, t->name)
                            .arg(t->begin)
                            .arg(t->end)
                            .arg(pos));
        if (t->begin > pos)
            throw Error(
                QStringLiteral("%1: safetensors header: gap before tensor '%2': it starts at "
                               "%3, the previous data ends at %4")
                    .arg(file, t->name)
                    .arg(t->begin)
                    .arg(pos));
        pos = t->end;
    }
    if (pos != dataSize)
        throw Error(QStringLiteral("%1: safetensors header: tensors cover %2 data bytes, the file "
                                   "has %3 after the header")
                        .arg(file)
                        .arg(pos)
                        .arg(dataSize));
    return h;
}

SafetensorsFile::SafetensorsFile(const QString &path)
    : path_(path), file_(std::make_unique<QFile>(path))
{
    if (!file_->open(QIODevice::ReadOnly))
        throw Error(QStringLiteral("%1: cannot open (%2)").arg(path, file_->errorString()));
    const qint64 size = file_->size();
    if (size < 8)
        throw Error(
            QStringLiteral("%1: not a safetensors file: %2 bytes, a header needs at least 8")
                .arg(path)
                .arg(size));
    map_ = reinterpret_cast<const std::byte *>(file_->map(0, size));
    if (!map_)
        throw Error(QStringLiteral("%1: cannot memory-map (%2)").arg(path, file_->errorString()));
    header_ = parseSafetensorsHeader(reinterpret_cast<const char *>(map_), std::uint64_t(size),
                                     std::uint64_t(size), path);
    for (int i = 0; i < int(header_.tensors.size()); ++i)
        index_.insert(header_.tensors[size_t(i)].name, i);
}

SafetensorsFile::~SafetensorsFile() = default;

const TensorInfo *SafetensorsFile::find(const QString &name) const
{
    const auto it = index_.constFind(name);
    return it == index_.constEnd() ? nullptr : &header_.tensors[size_t(*it)];
}

const std::byte *SafetensorsFile::data(const TensorInfo &t) const
{
    return map_ + header_.dataStart + t.begin;
}

} // namespace salient::model
