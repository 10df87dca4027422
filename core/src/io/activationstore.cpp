// ActivationStore dispatch (open by content, decomposed files), MemoryStore, and the small text
// helpers shared by the HDF5 and JSON-lines stores (spec/NEUROX.md §2); the JSON reader is in
// jsoncursor.cpp.
#include "salient/io/activationstore.h"

#include "io/hdf5store_p.h"
#include "io/jsoncursor.h"
#include "salient/util/error.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSet>
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>

namespace salient {

QString dtypeName(DType t)
{
    switch (t) {
    case DType::Float32:
        return QStringLiteral("float32");
    case DType::Float16:
        return QStringLiteral("float16");
    }
    return QStringLiteral("unknown");
}

namespace detail {

QString quotedPath(const QString &path)
{
    return QLatin1Char('\'') + QDir::toNativeSeparators(path) + QLatin1Char('\'');
}

void requireReadableFile(const QString &path, const QString &what)
{
    const QString prefix = QStringLiteral("Cannot open %1 %2: ").arg(what, quotedPath(path));
    if (path.isEmpty())
        throw Error(QStringLiteral("Cannot open %1: no file name given.").arg(what));
    const QFileInfo fi(path);
    if (!fi.exists())
        throw Error(prefix + QStringLiteral("the file does not exist."));
    if (fi.isDir())
        throw Error(prefix + QStringLiteral("it is a directory; expected a file."));
    if (!fi.isFile())
        throw Error(prefix + QStringLiteral("it is not a regular file; expected a file."));
    QFile f(path);
    if (!fi.isReadable() || !f.open(QIODevice::ReadOnly))
        throw Error(prefix + QStringLiteral("the file is not readable (%1).").arg(f.errorString()));
    if (f.size() == 0)
        throw Error(prefix
                    + QStringLiteral("the file is empty (0 bytes); expected an HDF5 or "
                                     "JSON-lines activation file."));
}

bool hasHdf5Signature(const QString &path)
{
    static const char signature[8] = {'\x89', 'H', 'D', 'F', '\r', '\n', '\x1a', '\n'};
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return false;
    const qint64 size = f.size();
    // The superblock is at 0 or after a user block of 512, 1024, 2048, ... bytes.
    for (qint64 offset = 0; offset + 8 <= size; offset = offset == 0 ? 512 : offset * 2) {
        char buf[8];
        if (!f.seek(offset) || f.read(buf, 8) != 8)
            return false;
        if (std::memcmp(buf, signature, 8) == 0)
            return true;
    }
    return false;
}

std::vector<int> checkReadArguments(const StoreInfo &info, Index sentence, const float *out,
                                    Index stride, const std::vector<int> &layers)
{
    const QString where =
        info.path.isEmpty() ? QStringLiteral("the in-memory store") : quotedPath(info.path);
    if (sentence < 0 || sentence >= info.sentences)
        throw Error(QStringLiteral("Cannot read sentence %1 of %2: expected an index in 0..%3.")
                        .arg(sentence)
                        .arg(where)
                        .arg(info.sentences - 1));
    std::vector<int> resolved = layers;
    if (resolved.empty()) {
        resolved.resize(size_t(info.layers));
        for (int l = 0; l < info.layers; ++l)
            resolved[size_t(l)] = l;
    }
    for (int l : resolved) {
        if (l < 0 || l >= info.layers)
            throw Error(QStringLiteral("Cannot read layer %1 of %2: expected a layer in 0..%3.")
                            .arg(l)
                            .arg(where)
                            .arg(info.layers - 1));
    }
    const Index width = Index(resolved.size()) * info.dims;
    if (stride < width)
        throw Error(QStringLiteral("Cannot read sentence %1 of %2: row stride %3 is smaller than "
                                   "the %4 values of a row (%5 layers × %6 dims).")
                        .arg(sentence)
                        .arg(where)
                        .arg(stride)
                        .arg(width)
                        .arg(resolved.size())
                        .arg(info.dims));
    if (out == nullptr && info.wordsPerSentence[size_t(sentence)] > 0)
        throw Error(QStringLiteral("Cannot read sentence %1 of %2: no output buffer given.")
                        .arg(sentence)
                        .arg(where));
    return resolved;
}

std::vector<int> checkWordRange(const StoreInfo &info, Index sentence, int firstWord, int count,
                                const float *out, Index stride, const std::vector<int> &layers)
{
    std::vector<int> resolved = checkReadArguments(info, sentence, out, stride, layers);
    const int T = info.wordsPerSentence[size_t(sentence)];
    if (firstWord < 0 || count < 0 || firstWord > T - count)
        throw Error(QStringLiteral("Cannot read words %1..%2 of sentence %3 of %4: the sentence "
                                   "has %5 words.")
                        .arg(firstWord)
                        .arg(firstWord + count - 1)
                        .arg(sentence)
                        .arg(info.path.isEmpty() ? QStringLiteral("the in-memory store")
                                                 : quotedPath(info.path))
                        .arg(T));
    return resolved;
}

qint64 firstInvalidUtf8(const char *data, qint64 size)
{
    const auto *p = reinterpret_cast<const unsigned char *>(data);
    qint64 i = 0;
    while (i < size) {
        const unsigned char c = p[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        int len = 0;
        std::uint32_t cp = 0;
        if (c >= 0xc2 && c <= 0xdf) {
            len = 2;
            cp = c & 0x1fu;
        } else if (c >= 0xe0 && c <= 0xef) {
            len = 3;
            cp = c & 0x0fu;
        } else if (c >= 0xf0 && c <= 0xf4) {
            len = 4;
            cp = c & 0x07u;
        } else {
            return i;
        }
        if (i + len > size)
            return i;
        for (int k = 1; k < len; ++k) {
            if ((p[i + k] & 0xc0u) != 0x80u)
                return i;
            cp = (cp << 6) | (p[i + k] & 0x3fu);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff
            || (cp >= 0xd800 && cp <= 0xdfff))
            return i;
        i += len;
    }
    return -1;
}

QByteArray pythonJsonString(const QString &s)
{
    static const char hex[] = "0123456789abcdef";
    QByteArray out;
    out.reserve(s.size() + 2);
    out.append('"');
    for (const QChar qc : s) {
        const char16_t c = qc.unicode();
        switch (c) {
        case u'"':
            out.append("\\\"");
            continue;
        case u'\\':
            out.append("\\\\");
            continue;
        case u'\n':
            out.append("\\n");
            continue;
        case u'\r':
            out.append("\\r");
            continue;
        case u'\t':
            out.append("\\t");
            continue;
        case u'\b':
            out.append("\\b");
            continue;
        case u'\f':
            out.append("\\f");
            continue;
        default:
            break;
        }
        if (c >= 0x20 && c <= 0x7e) {
            out.append(char(c));
        } else { // UTF-16 code units, so non-BMP characters come out as surrogate pairs
            const char esc[6] = {
                '\\',        'u', hex[(c >> 12) & 0xf], hex[(c >> 8) & 0xf], hex[(c >> 4) & 0xf],
                hex[c & 0xf]};
            out.append(esc, 6);
        }
    }
    out.append('"');
    return out;
}

QStringList uniqueSentenceKeys(const QStringList &texts)
{
    QStringList keys;
    keys.reserve(texts.size());
    QSet<QString> seen;
    for (const QString &text : texts) {
        QString key = text;
        for (int k = 2; seen.contains(key); ++k)
            key = text + QStringLiteral(" (Occurrence %1)").arg(k);
        seen.insert(key);
        keys.append(key);
    }
    return keys;
}

// --- Decomposed store ---------------------------------------------------------------------------

namespace {

/// Several files with the same records read as one store; layer k of the store is layer
/// m_layerMap[k].second of file m_layerMap[k].first.
class DecomposedStore final : public ActivationStore {
public:
    explicit DecomposedStore(std::vector<std::unique_ptr<ActivationStore>> parts)
        : m_parts(std::move(parts))
    {
        const StoreInfo &first = m_parts.front()->info();
        m_info.path = first.path;
        m_info.format = QStringLiteral("decomposed");
        m_info.sentences = first.sentences;
        m_info.dims = first.dims;
        m_info.wordsPerSentence = first.wordsPerSentence;
        m_info.totalWords = first.totalWords;
        bool allHalf = true;
        for (size_t p = 0; p < m_parts.size(); ++p) {
            const StoreInfo &in = m_parts[p]->info();
            for (int l = 0; l < in.layers; ++l)
                m_layerMap.emplace_back(int(p), l);
            m_info.layers += in.layers;
            allHalf = allHalf && in.dtype == DType::Float16;
            if (m_info.keys.isEmpty())
                m_info.keys = in.keys;
            m_info.warnings += in.warnings;
            for (const QString &m : in.metadata)
                if (!m_info.metadata.contains(m))
                    m_info.metadata.append(m);
        }
        m_info.dtype = allHalf ? DType::Float16 : DType::Float32;
    }

    void readSentence(Index sentence, float *out, Index stride,
                      const std::vector<int> &layers) const override
    {
        const std::vector<int> resolved = checkReadArguments(m_info, sentence, out, stride, layers);
        if (m_info.wordsPerSentence[size_t(sentence)] == 0)
            return;
        for (size_t k = 0; k < resolved.size(); ++k) {
            const auto &[part, local] = m_layerMap[size_t(resolved[k])];
            m_parts[size_t(part)]->readSentence(sentence, out + Index(k) * m_info.dims, stride,
                                                {local});
        }
    }

private:
    std::vector<std::unique_ptr<ActivationStore>> m_parts;
    std::vector<std::pair<int, int>> m_layerMap;
};

} // namespace
} // namespace detail

void ActivationStore::readWords(Index sentence, int firstWord, int count, float *out, Index stride,
                                const std::vector<int> &layers) const
{
    const std::vector<int> resolved =
        detail::checkWordRange(m_info, sentence, firstWord, count, out, stride, layers);
    if (count == 0)
        return;
    const int T = m_info.wordsPerSentence[size_t(sentence)];
    const Index width = Index(resolved.size()) * m_info.dims;
    thread_local RowMatrixF scratch;
    scratch.resize(T, width);
    readSentence(sentence, scratch.data(), width, resolved);
    for (int t = 0; t < count; ++t)
        std::memcpy(out + Index(t) * stride, scratch.row(firstWord + t).data(),
                    size_t(width) * sizeof(float));
}

std::unique_ptr<ActivationStore> ActivationStore::open(const QString &path,
                                                       const LoadProgress &progress)
{
    detail::requireReadableFile(path, QStringLiteral("activation file"));
    if (detail::hasHdf5Signature(path)) {
        auto store = detail::openHdf5Store(path);
        if (progress)
            progress(1.0);
        return store;
    }
    return detail::openJsonLinesStore(path, progress);
}

std::unique_ptr<ActivationStore> ActivationStore::openDecomposed(const QStringList &paths)
{
    using detail::quotedPath;
    if (paths.isEmpty())
        throw Error(QStringLiteral("Cannot open decomposed activation files: no files given."));
    std::vector<std::unique_ptr<ActivationStore>> parts;
    for (const QString &p : paths)
        parts.push_back(open(p));
    const StoreInfo &a = parts.front()->info();
    for (size_t i = 1; i < parts.size(); ++i) {
        const StoreInfo &b = parts[i]->info();
        const QString prefix =
            QStringLiteral("Decomposed activation files %1 and %2 do not match: ")
                .arg(quotedPath(a.path), quotedPath(b.path));
        if (b.sentences != a.sentences)
            throw Error(prefix
                        + QStringLiteral("expected the same records, found %1 and %2 "
                                         "sentences.")
                              .arg(a.sentences)
                              .arg(b.sentences));
        if (b.dims != a.dims)
            throw Error(prefix
                        + QStringLiteral("expected the same dims per layer, found %1 and %2.")
                              .arg(a.dims)
                              .arg(b.dims));
        for (Index s = 0; s < a.sentences; ++s) {
            const int ta = a.wordsPerSentence[size_t(s)];
            const int tb = b.wordsPerSentence[size_t(s)];
            if (ta != tb)
                throw Error(prefix
                            + QStringLiteral("record %1 has %2 words in the first file and "
                                             "%3 in the second; expected the same.")
                                  .arg(s)
                                  .arg(ta)
                                  .arg(tb));
            if (!a.keys.isEmpty() && !b.keys.isEmpty() && a.keys[s] != b.keys[s])
                throw Error(prefix
                            + QStringLiteral("record %1 is \"%2\" in the first file and "
                                             "\"%3\" in the second; expected the same "
                                             "sentence.")
                                  .arg(s)
                                  .arg(a.keys[s].left(80), b.keys[s].left(80)));
        }
    }
    return std::make_unique<detail::DecomposedStore>(std::move(parts));
}

// --- MemoryStore --------------------------------------------------------------------------------

MemoryStore::MemoryStore(int layers, int dims, std::vector<RowMatrixF> sentences, QStringList keys)
    : m_sentences(std::move(sentences))
{
    if (layers < 1 || dims < 1 || Index(layers) * dims > std::numeric_limits<int>::max())
        throw Error(
            QStringLiteral("In-memory activation store: expected layers >= 1 and dims >= 1, "
                           "found %1 layers and %2 dims.")
                .arg(layers)
                .arg(dims));
    if (!keys.isEmpty() && size_t(keys.size()) != m_sentences.size())
        throw Error(QStringLiteral("In-memory activation store: expected one key per sentence "
                                   "(%1), found %2 keys.")
                        .arg(m_sentences.size())
                        .arg(keys.size()));
    m_info.format = QStringLiteral("memory");
    m_info.layers = layers;
    m_info.dims = dims;
    m_info.sentences = Index(m_sentences.size());
    m_info.keys = std::move(keys);
    m_info.wordsPerSentence.reserve(m_sentences.size());
    for (size_t i = 0; i < m_sentences.size(); ++i) {
        const RowMatrixF &m = m_sentences[i];
        if (m.cols() != Index(layers) * dims || m.rows() > std::numeric_limits<int>::max())
            throw Error(QStringLiteral("In-memory activation store: sentence %1 is %2 × %3; "
                                       "expected words × %4 (%5 layers × %6 dims).")
                            .arg(i)
                            .arg(m.rows())
                            .arg(m.cols())
                            .arg(Index(layers) * dims)
                            .arg(layers)
                            .arg(dims));
        m_info.wordsPerSentence.push_back(int(m.rows()));
        m_info.totalWords += m.rows();
    }
}

void MemoryStore::readSentence(Index sentence, float *out, Index stride,
                               const std::vector<int> &layers) const
{
    const std::vector<int> resolved =
        detail::checkReadArguments(m_info, sentence, out, stride, layers);
    const RowMatrixF &m = m_sentences[size_t(sentence)];
    const Index dims = m_info.dims;
    for (Index w = 0; w < m.rows(); ++w) {
        const float *row = m.data() + w * m.cols();
        for (size_t k = 0; k < resolved.size(); ++k)
            std::memcpy(out + w * stride + Index(k) * dims, row + Index(resolved[k]) * dims,
                        size_t(dims) * sizeof(float));
    }
}

// --- sentence_to_index --------------------------------------------------------------------------

std::vector<std::pair<QString, Index>> parseSentenceToIndex(const QByteArray &json,
                                                            const QString &fileForErrors)
{
    const QString where =
        QStringLiteral("dataset 'sentence_to_index' of %1").arg(detail::quotedPath(fileForErrors));
    const qint64 bad = detail::firstInvalidUtf8(json.constData(), json.size());
    if (bad >= 0)
        throw Error(QStringLiteral("Invalid text in %1: expected UTF-8 JSON, found byte 0x%2 that "
                                   "is not valid UTF-8 at byte %3.")
                        .arg(where)
                        .arg(uint(static_cast<unsigned char>(json[bad])), 2, 16, QLatin1Char('0'))
                        .arg(bad));
    std::vector<std::pair<QString, Index>> entries;
    detail::JsonCursor c(json.constData(), json.constData() + json.size());
    try {
        c.expect('{', "'{' starting a JSON object that maps sentences to record indices");
        if (!c.tryConsume('}')) {
            do {
                if (c.peek() != '"')
                    c.fail(QStringLiteral("a sentence (a JSON string key)"));
                QString key = c.readString();
                c.expect(':', "':' after the sentence key");
                Index index = 0;
                if (c.peek() == '"') {
                    const qint64 at = c.offset();
                    const QString value = c.readString();
                    bool ok = !value.isEmpty() && value.size() <= 15
                              && (value.size() == 1 || value[0] != QLatin1Char('0'));
                    for (const QChar ch : value)
                        ok = ok && ch >= QLatin1Char('0') && ch <= QLatin1Char('9');
                    if (!ok)
                        throw detail::JsonSyntaxError{
                            at, QStringLiteral("expected a record index such as \"17\", found "
                                               "\"%1\"")
                                    .arg(value.left(40))};
                    index = value.toLongLong();
                } else {
                    index = c.readNonNegativeInteger(
                        "a record index (a string such as \"17\" or a non-negative integer)");
                }
                entries.emplace_back(std::move(key), index);
            } while (c.tryConsume(','));
            c.expect('}', "',' or '}'");
        }
        if (!c.atEnd())
            c.fail(QStringLiteral("the end of the JSON text"));
    } catch (const detail::JsonSyntaxError &e) {
        throw Error(QStringLiteral("Invalid JSON in %1 at byte %2: %3.")
                        .arg(where)
                        .arg(e.offset)
                        .arg(e.message));
    }
    return entries;
}

QString displaySentenceKey(const QString &key)
{
    static const QString marker = QStringLiteral(" (Occurrence ");
    if (!key.endsWith(QLatin1Char(')')))
        return key;
    const qsizetype pos = key.lastIndexOf(marker);
    if (pos < 0)
        return key;
    const qsizetype first = pos + marker.size();
    const qsizetype last = key.size() - 1; // the ')'
    if (first >= last)
        return key;
    for (qsizetype i = first; i < last; ++i)
        if (!key[i].isDigit() || key[i].unicode() > 0x7f)
            return key;
    return key.left(pos);
}

} // namespace salient
