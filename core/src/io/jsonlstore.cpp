// NeuroX JSON-lines activation files (spec/NEUROX.md §2.4, §2.5 item 8, §3.1):
//   {"linex_index": i, "features": [{"token": w, "layers": [{"index": l, "values": [D]}×L]}×T]}
// one record per line. The file has no random access, so it is parsed once, streaming, and the
// values are kept in memory as float32 (T × L·D row-major per record, like NeuroX's loader).
#include "io/hdf5store_p.h"
#include "io/jsoncursor.h"

#include <QFile>
#include <algorithm>
#include <cstring>

namespace salient::detail {
namespace {

constexpr qsizetype kChunkBytes = qsizetype(1) << 20;
constexpr qsizetype kMaxLineBytes = qsizetype(1) << 30;
constexpr int kMaxIndexWarnings = 5;

class JsonLinesStore final : public ActivationStore {
public:
    JsonLinesStore(const QString &path, const LoadProgress &progress);
    void readSentence(Index sentence, float *out, Index stride,
                      const std::vector<int> &layers) const override;

private:
    QString where() const { return quotedPath(m_info.path); }
    /// Parses one non-blank line (1-based @p lineNo) into a new record.
    void parseLine(const char *data, qsizetype size, qint64 lineNo);
    void parseFeatures(JsonCursor &c, qint64 lineNo, std::vector<float> &values,
                       QStringList &tokens);
    /// One {"token": ..., "layers": [...]} object; appends its L·D values and its text.
    void parseToken(JsonCursor &c, qint64 lineNo, std::vector<float> &values, QStringList &tokens);
    /// One {"index": ..., "values": [...]} object; appends and returns its value count, which
    /// must equal D (fixed by the first layer of the file).
    int parseLayer(JsonCursor &c, qint64 lineNo, int token, int layer, std::vector<float> &values);
    [[noreturn]] void inconsistent(qint64 lineNo, int token, const QString &what) const;

    std::vector<std::vector<float>> m_data;
    QStringList m_texts;
    qint64 m_shapeLine = 0; ///< line whose first token fixed L and D
    int m_indexWarnings = 0;
};

JsonLinesStore::JsonLinesStore(const QString &path, const LoadProgress &progress)
{
    m_info.path = path;
    m_info.format = QStringLiteral("jsonl");
    m_info.dtype = DType::Float32;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        throw Error(
            QStringLiteral("Cannot open activation file %1: %2.").arg(where(), file.errorString()));
    const qint64 fileSize = std::max<qint64>(file.size(), 1);

    QByteArray buf;
    qsizetype start = 0; // first unparsed byte of buf
    qint64 consumed = 0; // bytes of the file handled so far
    qint64 lineNo = 0;
    bool sniffed = false;
    bool eof = false;
    qint64 blankLines = 0;
    for (;;) {
        qsizetype nl = buf.indexOf('\n', start);
        if (nl < 0 && !eof) {
            buf.remove(0, start);
            start = 0;
            if (buf.size() > kMaxLineBytes)
                throw Error(QStringLiteral("Cannot read JSON-lines file %1: line %2 is longer "
                                           "than %3 bytes; expected one record per line.")
                                .arg(where())
                                .arg(lineNo + 1)
                                .arg(kMaxLineBytes));
            const QByteArray chunk = file.read(kChunkBytes);
            if (chunk.isEmpty()) {
                if (file.error() != QFileDevice::NoError)
                    throw Error(QStringLiteral("Cannot read JSON-lines file %1 after line %2: %3.")
                                    .arg(where())
                                    .arg(lineNo)
                                    .arg(file.errorString()));
                eof = true;
            }
            buf.append(chunk);
            if (!sniffed) {
                // Not HDF5 (checked by the caller), so it must look like JSON lines.
                const char *p = buf.constData();
                const char *e = p + buf.size();
                while (p < e && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
                    ++p;
                if (p < e || eof) {
                    sniffed = true;
                    if (p == e)
                        throw Error(QStringLiteral("Cannot open activation file %1: expected an "
                                                   "HDF5 file or NeuroX JSON lines, found only "
                                                   "whitespace.")
                                        .arg(where()));
                    if (*p != '{') {
                        QStringList bytes;
                        for (const char *q = p; q < e && q < p + 8; ++q)
                            bytes.append(QStringLiteral("%1").arg(
                                uint(static_cast<unsigned char>(*q)), 2, 16, QLatin1Char('0')));
                        throw Error(QStringLiteral("Cannot open activation file %1: expected an "
                                                   "HDF5 file (no HDF5 signature found) or NeuroX "
                                                   "JSON lines (a line starting with '{'), found "
                                                   "bytes %2.")
                                        .arg(where(), bytes.join(QLatin1Char(' '))));
                    }
                }
            }
            continue;
        }
        const qsizetype end = nl < 0 ? buf.size() : nl;
        if (nl < 0 && end == start)
            break; // end of file after a final newline
        ++lineNo;
        const char *line = buf.constData() + start;
        const qsizetype size = end - start;
        const bool blank = std::all_of(
            line, line + size, [](char ch) { return ch == ' ' || ch == '\t' || ch == '\r'; });
        if (blank)
            ++blankLines;
        else
            parseLine(line, size, lineNo);
        consumed += size + (nl < 0 ? 0 : 1);
        start = end + (nl < 0 ? 0 : 1);
        if (progress && !progress(double(consumed) / double(fileSize)))
            throw Error(
                QStringLiteral("Loading %1 was cancelled at line %2.").arg(where()).arg(lineNo));
        if (nl < 0)
            break;
    }

    if (m_data.empty())
        throw Error(QStringLiteral("JSON-lines file %1 contains no sentences: expected one "
                                   "record per line, found none.")
                        .arg(where()));
    if (m_info.layers == 0)
        throw Error(QStringLiteral("JSON-lines file %1 has no tokens in any of its %2 records: "
                                   "expected at least one token to know the layers and dims.")
                        .arg(where())
                        .arg(m_data.size()));
    if (blankLines > 0)
        m_info.warnings.append(QStringLiteral("%1: %2 blank line(s) were ignored (NeuroX itself "
                                              "cannot read a file with blank lines).")
                                   .arg(where())
                                   .arg(blankLines));
    if (m_indexWarnings > kMaxIndexWarnings)
        m_info.warnings.append(QStringLiteral("%1: %2 more records have a linex_index that differs "
                                              "from their position.")
                                   .arg(where())
                                   .arg(m_indexWarnings - kMaxIndexWarnings));
    m_info.sentences = Index(m_data.size());
    m_info.keys = uniqueSentenceKeys(m_texts);
    m_texts.clear();
    if (progress)
        progress(1.0);
}

void JsonLinesStore::inconsistent(qint64 lineNo, int token, const QString &what) const
{
    throw Error(QStringLiteral("Inconsistent record in JSON-lines file %1, line %2, token %3: %4.")
                    .arg(where())
                    .arg(lineNo)
                    .arg(token)
                    .arg(what));
}

void JsonLinesStore::parseLine(const char *data, qsizetype size, qint64 lineNo)
{
    const qint64 bad = firstInvalidUtf8(data, size);
    if (bad >= 0)
        throw Error(QStringLiteral("Invalid text in JSON-lines file %1, line %2, column %3: "
                                   "expected UTF-8, found byte 0x%4 that is not valid UTF-8.")
                        .arg(where())
                        .arg(lineNo)
                        .arg(bad + 1)
                        .arg(uint(static_cast<unsigned char>(data[bad])), 2, 16, QLatin1Char('0')));
    JsonCursor c(data, data + size);
    std::vector<float> values;
    QStringList tokens;
    const Index record = Index(m_data.size());
    try {
        bool haveFeatures = false;
        c.expect('{', "'{' starting a record object");
        if (!c.tryConsume('}')) {
            do {
                const QString key = c.readString();
                c.expect(':', "':' after an object key");
                if (key == QLatin1String("linex_index")) {
                    const qint64 index = c.readNonNegativeInteger("an integer linex_index");
                    if (index != record && ++m_indexWarnings <= kMaxIndexWarnings)
                        m_info.warnings.append(
                            QStringLiteral("%1, line %2: linex_index is %3 but the record is "
                                           "number %4; records are taken in line order, as "
                                           "NeuroX does.")
                                .arg(where())
                                .arg(lineNo)
                                .arg(index)
                                .arg(record));
                } else if (key == QLatin1String("features")) {
                    values.clear();
                    tokens.clear();
                    parseFeatures(c, lineNo, values, tokens);
                    haveFeatures = true;
                } else {
                    c.skipValue();
                }
            } while (c.tryConsume(','));
            c.expect('}', "',' or '}' in the record object");
        }
        if (!c.atEnd())
            c.fail(QStringLiteral("the end of the line after the record object"));
        if (!haveFeatures)
            throw Error(QStringLiteral("Invalid record in JSON-lines file %1, line %2: expected a "
                                       "\"features\" array, found none.")
                            .arg(where())
                            .arg(lineNo));
    } catch (const JsonSyntaxError &e) {
        throw Error(QStringLiteral("Invalid JSON in JSON-lines file %1, line %2, column %3: %4.")
                        .arg(where())
                        .arg(lineNo)
                        .arg(e.offset + 1)
                        .arg(e.message));
    }
    m_info.wordsPerSentence.push_back(int(tokens.size()));
    m_info.totalWords += tokens.size();
    m_texts.append(tokens.join(QLatin1Char(' ')));
    values.shrink_to_fit();
    m_data.push_back(std::move(values));
}

int JsonLinesStore::parseLayer(JsonCursor &c, qint64 lineNo, int token, int layer,
                               std::vector<float> &values)
{
    int valueCount = -1;
    c.expect('{', "'{' starting a layer object");
    if (!c.tryConsume('}')) {
        do {
            const QString key = c.readString();
            c.expect(':', "':' after an object key");
            if (key == QLatin1String("values") && valueCount < 0) {
                valueCount = 0;
                c.expect('[', "'[' starting the values array");
                if (!c.tryConsume(']')) {
                    do {
                        // Python reads a double; NeuroX then casts to float32.
                        values.push_back(float(c.readNumber()));
                        ++valueCount;
                    } while (c.tryConsume(','));
                    c.expect(']', "',' or ']' in the values array");
                }
            } else {
                c.skipValue(); // "index" is the position in the stored stack; unused
            }
        } while (c.tryConsume(','));
        c.expect('}', "',' or '}' in the layer object");
    }
    if (valueCount < 0)
        inconsistent(
            lineNo, token,
            QStringLiteral("expected a \"values\" array in layer %1, found none").arg(layer));
    if (m_info.dims == 0) {
        if (valueCount == 0)
            inconsistent(lineNo, token,
                         QStringLiteral("expected at least one value in the first layer, "
                                        "found none"));
        m_info.dims = valueCount;
        m_shapeLine = lineNo;
    } else if (valueCount != m_info.dims) {
        inconsistent(lineNo, token,
                     QStringLiteral("expected %1 values in layer %2 (as in the first layer of "
                                    "line %3), found %4")
                         .arg(m_info.dims)
                         .arg(layer)
                         .arg(m_shapeLine)
                         .arg(valueCount));
    }
    return valueCount;
}

void JsonLinesStore::parseToken(JsonCursor &c, qint64 lineNo, std::vector<float> &values,
                                QStringList &tokens)
{
    const int token = int(tokens.size());
    QString text;
    bool haveLayers = false;
    int layerCount = 0;
    c.expect('{', "'{' starting a token object");
    if (!c.tryConsume('}')) {
        do {
            const QString key = c.readString();
            c.expect(':', "':' after an object key");
            if (key == QLatin1String("token")) {
                text = c.readString();
            } else if (key == QLatin1String("layers")) {
                if (haveLayers)
                    inconsistent(lineNo, token,
                                 QStringLiteral("expected one \"layers\" array, found two"));
                haveLayers = true;
                c.expect('[', "'[' starting the layers array");
                if (!c.tryConsume(']')) {
                    do
                        parseLayer(c, lineNo, token, layerCount++, values);
                    while (c.tryConsume(','));
                    c.expect(']', "',' or ']' in the layers array");
                }
            } else {
                c.skipValue();
            }
        } while (c.tryConsume(','));
        c.expect('}', "',' or '}' in the token object");
    }
    if (!haveLayers)
        inconsistent(lineNo, token, QStringLiteral("expected a \"layers\" array, found none"));
    if (m_info.layers == 0) {
        if (layerCount == 0)
            inconsistent(lineNo, token,
                         QStringLiteral("expected at least one layer, found an empty "
                                        "\"layers\" array"));
        m_info.layers = layerCount;
    } else if (layerCount != m_info.layers) {
        inconsistent(lineNo, token,
                     QStringLiteral("expected %1 layers (as in the first token of line %2), "
                                    "found %3")
                         .arg(m_info.layers)
                         .arg(m_shapeLine)
                         .arg(layerCount));
    }
    tokens.append(text);
}

void JsonLinesStore::parseFeatures(JsonCursor &c, qint64 lineNo, std::vector<float> &values,
                                   QStringList &tokens)
{
    c.expect('[', "'[' starting the features array");
    if (c.tryConsume(']'))
        return;
    do
        parseToken(c, lineNo, values, tokens);
    while (c.tryConsume(','));
    c.expect(']', "',' or ']' in the features array");
}

void JsonLinesStore::readSentence(Index sentence, float *out, Index stride,
                                  const std::vector<int> &layers) const
{
    const std::vector<int> resolved = checkReadArguments(m_info, sentence, out, stride, layers);
    const std::vector<float> &data = m_data[size_t(sentence)];
    const Index words = m_info.wordsPerSentence[size_t(sentence)];
    const Index dims = m_info.dims;
    const Index width = Index(m_info.layers) * dims;
    for (Index w = 0; w < words; ++w)
        for (size_t k = 0; k < resolved.size(); ++k)
            std::memcpy(out + w * stride + Index(k) * dims,
                        data.data() + w * width + Index(resolved[k]) * dims,
                        size_t(dims) * sizeof(float));
}

} // namespace

std::unique_ptr<ActivationStore> openJsonLinesStore(const QString &path,
                                                    const LoadProgress &progress)
{
    return std::make_unique<JsonLinesStore>(path, progress);
}

} // namespace salient::detail
