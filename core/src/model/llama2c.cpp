// llama2.c's tokenizer.bin (data/README.md §3): int32 max_token_length, then per token float32
// score, int32 byte length, bytes. Encoding as llama2.c's encode(): dummy-prefix space, one token
// per UTF-8 character (else byte tokens 3 + byte), then repeatedly merge the adjacent pair whose
// concatenation is the vocabulary string with the highest score (leftmost on ties).
#include "tokenizer_p.h"

#include <QFile>
#include <QFileInfo>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

namespace salient::model {
namespace {

using detail::MergeTable;

constexpr int kBos = 1;
constexpr int kEos = 2;
constexpr int kFirstByteToken = 3;

class Llama2cTokenizer : public Tokenizer {
public:
    Llama2cTokenizer(std::vector<QByteArray> pieces, std::vector<float> scores, int maxLength,
                     const QString &file)
        : m_pieces(std::move(pieces)), m_maxLength(maxLength), m_file(file)
    {
        for (size_t id = 0; id < m_pieces.size(); ++id) {
            const QByteArray &p = m_pieces[id];
            if (!m_lookup.contains(p))
                m_lookup.insert(p, int(id)); // llama2.c's str_lookup finds one of them
            if (!p.isEmpty() && p.size() <= 4 && !m_charLookup.contains(packed(p.data(), p.size())))
                m_charLookup.insert(packed(p.data(), p.size()), int(id));
        }
        // Dense score ranks: equal scores share a rank so that ties go to the leftmost pair.
        std::vector<float> distinct = scores;
        std::sort(distinct.begin(), distinct.end(), std::greater<float>());
        distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
        auto rankOf = [&](float s) {
            return int(std::lower_bound(distinct.begin(), distinct.end(), s, std::greater<float>())
                       - distinct.begin());
        };
        for (size_t id = 0; id < m_pieces.size(); ++id) {
            const QByteArray &p = m_pieces[id];
            if (m_lookup.value(p) != int(id))
                continue;
            for (qsizetype k = 1; k < p.size(); ++k) {
                const int l = m_lookup.value(p.left(k), -1);
                const int r = m_lookup.value(p.mid(k), -1);
                if (l >= 0 && r >= 0)
                    m_merges.insert(l, r, rankOf(scores[id]), int(id));
            }
        }
        m_display.reserve(m_pieces.size());
        for (size_t id = 0; id < m_pieces.size(); ++id) {
            QString s = QString::fromUtf8(m_pieces[id]);
            if (id == size_t(kBos) || id == size_t(kEos))
                s = s.trimmed(); // stored as "\n<s>\n" / "\n</s>\n"
            s.replace(QLatin1Char(' '), QChar(0x2581));
            m_display.push_back(s);
        }
    }

    std::vector<int> encode(const QString &text, bool truncate) const override
    {
        std::vector<int> ids{kBos};
        if (!text.isEmpty()) {
            const QByteArray utf8 = text.toUtf8();
            std::string bytes(1, ' '); // the dummy prefix
            bytes.append(utf8.constData(), size_t(utf8.size()));
            const qsizetype n = qsizetype(bytes.size());
            ids.reserve(size_t(n) + 1);
            for (qsizetype i = 0; i < n;) {
                qsizetype j = i + 1;
                while (j < n && (static_cast<unsigned char>(bytes[j]) & 0xC0) == 0x80 && j - i < 4)
                    ++j;
                // (Not QHash<QByteArray> on a slice: Qt's hash reads 16-byte blocks past it.)
                const auto it = m_charLookup.constFind(packed(bytes.data() + i, j - i));
                if (it != m_charLookup.cend()) {
                    ids.push_back(it.value());
                } else {
                    for (qsizetype k = i; k < j; ++k)
                        ids.push_back(kFirstByteToken + static_cast<unsigned char>(bytes[k]));
                }
                i = j;
            }
            // llama2.c also puts BOS in front before merging.
            detail::applyMerges(ids, m_merges);
        }
        if (truncate && qint64(ids.size()) > qint64(m_maxLength))
            ids.resize(size_t(m_maxLength));
        return ids;
    }

    QString idToToken(int id) const override
    {
        return id >= 0 && size_t(id) < m_display.size() ? m_display[size_t(id)] : QString();
    }
    int vocabSize() const override { return int(m_pieces.size()); }
    int modelMaxLength() const override { return m_maxLength; }
    std::vector<int> droppedSpecialIds() const override { return {kBos, kEos}; }
    QString describe() const override
    {
        return QStringLiteral("llama2.c BPE with byte fallback, %1 tokens, %2")
            .arg(m_pieces.size())
            .arg(QFileInfo(m_file).fileName());
    }

    QString decode(const std::vector<int> &ids) const override
    {
        QByteArray bytes;
        for (int id : ids) {
            if (id < 0 || size_t(id) >= m_pieces.size())
                throw Error(QStringLiteral("%1: cannot decode id %2 (vocabulary size %3)")
                                .arg(m_file)
                                .arg(id)
                                .arg(m_pieces.size()));
            if (id == kBos || id == kEos)
                continue;
            if (id >= kFirstByteToken && id < kFirstByteToken + 256)
                bytes += char(id - kFirstByteToken);
            else
                bytes += m_pieces[size_t(id)];
        }
        return QString::fromUtf8(bytes);
    }

private:
    /// Up to 4 bytes and their count as one key (the UTF-8 characters llama2.c looks up).
    static quint64 packed(const char *p, qsizetype n)
    {
        quint64 k = quint64(n) << 32;
        for (qsizetype i = 0; i < n; ++i)
            k |= quint64(static_cast<unsigned char>(p[i])) << (8 * i);
        return k;
    }

    std::vector<QByteArray> m_pieces;
    std::vector<QString> m_display;
    QHash<QByteArray, int> m_lookup;
    QHash<quint64, int> m_charLookup; ///< tokens of 1–4 bytes
    MergeTable m_merges;
    int m_maxLength;
    QString m_file;
};

template <typename T> T readLe(const char *p)
{
    T v;
    std::memcpy(&v, p, sizeof v); // x86-64 and aarch64 are little-endian, as the format
    return v;
}

} // namespace

std::unique_ptr<Tokenizer> parseLlama2cTokenizer(const QByteArray &bytes, int maxLength,
                                                 const QString &file)
{
    static_assert(Q_BYTE_ORDER == Q_LITTLE_ENDIAN, "llama2.c files are little-endian");
    if (maxLength < 1)
        throw Error(
            QStringLiteral("%1: maximum length %2 must be at least 1").arg(file).arg(maxLength));
    const qint64 size = bytes.size();
    if (size < 4)
        throw Error(QStringLiteral("%1: truncated at byte 0: expected the int32 max_token_length, "
                                   "found %2 bytes")
                        .arg(file)
                        .arg(size));
    const char *data = bytes.constData();
    const qint32 maxTokenLength = readLe<qint32>(data);
    if (maxTokenLength < 1 || maxTokenLength > 65536)
        throw Error(QStringLiteral("%1: byte 0: max_token_length %2 is out of range (1..65536)")
                        .arg(file)
                        .arg(maxTokenLength));
    std::vector<QByteArray> pieces;
    std::vector<float> scores;
    qint64 off = 4;
    while (off < size) {
        const qsizetype id = qsizetype(pieces.size());
        if (size - off < 8)
            throw Error(QStringLiteral("%1: truncated at byte %2: token %3 needs a float32 score "
                                       "and an int32 length (8 bytes), %4 left")
                            .arg(file)
                            .arg(off)
                            .arg(id)
                            .arg(size - off));
        const float score = readLe<float>(data + off);
        const qint32 len = readLe<qint32>(data + off + 4);
        if (!std::isfinite(score))
            throw Error(QStringLiteral("%1: byte %2: token %3 has a non-finite score")
                            .arg(file)
                            .arg(off)
                            .arg(id));
        if (len < 0 || len > maxTokenLength)
            throw Error(QStringLiteral("%1: byte %2: token %3 has length %4 (expected 0..%5, the "
                                       "max_token_length)")
                            .arg(file)
                            .arg(off + 4)
                            .arg(id)
                            .arg(len)
                            .arg(maxTokenLength));
        off += 8;
        if (size - off < len)
            throw Error(QStringLiteral("%1: truncated at byte %2: token %3 needs %4 bytes, %5 left")
                            .arg(file)
                            .arg(off)
                            .arg(id)
                            .arg(len)
                            .arg(size - off));
        pieces.emplace_back(data + off, len);
        scores.push_back(score);
        off += len;
    }
    if (pieces.size() < size_t(kFirstByteToken + 256))
        throw Error(QStringLiteral("%1: %2 tokens; expected at least 259 (<unk>, <s>, </s> and the "
                                   "256 byte tokens <0x00>..<0xFF>)")
                        .arg(file)
                        .arg(pieces.size()));
    for (int b = 0; b < 256; ++b) {
        const QByteArray &p = pieces[size_t(kFirstByteToken + b)];
        if (detail::parseByteToken(QString::fromLatin1(p)) != b)
            throw Error(QStringLiteral("%1: token %2 is \"%3\", expected the byte token %4 "
                                       "(ids 3..258 must be <0x00>..<0xFF>)")
                            .arg(file)
                            .arg(kFirstByteToken + b)
                            .arg(QString::fromUtf8(p), detail::byteTokenName(quint8(b))));
    }
    return std::make_unique<Llama2cTokenizer>(std::move(pieces), std::move(scores), maxLength,
                                              file);
}

std::unique_ptr<Tokenizer> loadLlama2cTokenizer(const QString &path, int maxLength)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        throw Error(QStringLiteral("%1: cannot open: %2").arg(path, f.errorString()));
    if (f.size() > (qint64(1) << 30))
        throw Error(QStringLiteral("%1: too large for a tokenizer file (limit 1 GiB)").arg(path));
    return parseLlama2cTokenizer(f.readAll(), maxLength, path);
}

} // namespace salient::model
