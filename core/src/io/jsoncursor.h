#pragma once
// Private to core/src/io: a small strict JSON reader over a byte range, used by the NeuroX
// JSON-lines store (jsonlstore.cpp) and the decomposed-store manifest (activationstore.cpp).
// Nothing here is part of the public API.
#include <QString>
#include <QtGlobal>

namespace salient::detail {

/// A syntax problem found by JsonCursor: byte offset in the parsed text and message
/// ("expected ..., found ...").
struct JsonSyntaxError {
    qint64 offset;
    QString message;
};

/**
 * Minimal strict JSON reader over a byte range (RFC 8259 plus Python's NaN/Infinity/-Infinity
 * for numbers). Strings are decoded to UTF-16: raw bytes must be valid UTF-8 (checked by the
 * caller), \uXXXX escapes are appended as code units so surrogate pairs combine. Every method
 * throws JsonSyntaxError on malformed input; none reads outside [begin, end).
 */
class JsonCursor {
public:
    JsonCursor(const char *begin, const char *end) : m_begin(begin), m_pos(begin), m_end(end) {}

    void skipWhitespace();
    /// Skips whitespace; true at the end of the range.
    bool atEnd();
    /// Skips whitespace; the next byte or 0 at the end.
    char peek();
    /// Skips whitespace; consumes @p c if it is next and returns whether it was.
    bool tryConsume(char c);
    /// Skips whitespace; consumes @p c or throws "expected <what>, found ...".
    void expect(char c, const char *what);
    QString readString();
    /// A JSON number (or NaN/Infinity/-Infinity) as double.
    double readNumber();
    /// A JSON integer without fraction or exponent, in [0, 2^53].
    qint64 readNonNegativeInteger(const char *what);
    /// Skips any JSON value, nesting at most 256 deep.
    void skipValue(int depth = 0);
    qint64 offset() const { return m_pos - m_begin; }
    [[noreturn]] void fail(const QString &expected) const;
    /// Describes the byte at the current position ("'x'", "end of input", "byte 0x8f").
    QString describeHere() const;

private:
    const char *m_begin;
    const char *m_pos;
    const char *m_end;
};

} // namespace salient::detail
