#include "io/jsoncursor.h"

#include <QByteArray>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

namespace salient::detail {

void JsonCursor::skipWhitespace()
{
    while (m_pos < m_end && (*m_pos == ' ' || *m_pos == '\t' || *m_pos == '\n' || *m_pos == '\r'))
        ++m_pos;
}

bool JsonCursor::atEnd()
{
    skipWhitespace();
    return m_pos >= m_end;
}

char JsonCursor::peek()
{
    skipWhitespace();
    return m_pos < m_end ? *m_pos : '\0';
}

bool JsonCursor::tryConsume(char c)
{
    skipWhitespace();
    if (m_pos < m_end && *m_pos == c) {
        ++m_pos;
        return true;
    }
    return false;
}

void JsonCursor::expect(char c, const char *what)
{
    if (!tryConsume(c))
        fail(QString::fromUtf8(what));
}

QString JsonCursor::describeHere() const
{
    if (m_pos >= m_end)
        return QStringLiteral("end of input");
    const auto c = static_cast<unsigned char>(*m_pos);
    if (c > 0x20 && c < 0x7f)
        return QStringLiteral("'%1'").arg(QLatin1Char(char(c)));
    return QStringLiteral("byte 0x%1").arg(uint(c), 2, 16, QLatin1Char('0'));
}

void JsonCursor::fail(const QString &expected) const
{
    throw JsonSyntaxError{offset(),
                          QStringLiteral("expected %1, found %2").arg(expected, describeHere())};
}

QString JsonCursor::readString()
{
    if (peek() != '"')
        fail(QStringLiteral("a string"));
    ++m_pos;
    QString out;
    for (;;) {
        const char *run = m_pos;
        while (m_pos < m_end && *m_pos != '"' && *m_pos != '\\'
               && static_cast<unsigned char>(*m_pos) >= 0x20)
            ++m_pos;
        if (m_pos > run)
            out.append(QString::fromUtf8(run, m_pos - run));
        if (m_pos >= m_end)
            fail(QStringLiteral("'\"' closing the string"));
        const char c = *m_pos;
        if (c == '"') {
            ++m_pos;
            return out;
        }
        if (c != '\\')
            fail(QStringLiteral("a character or an escape (control characters must be escaped)"));
        ++m_pos;
        if (m_pos >= m_end)
            fail(QStringLiteral("an escape character after '\\'"));
        switch (*m_pos) {
        case '"':
            out.append(QLatin1Char('"'));
            break;
        case '\\':
            out.append(QLatin1Char('\\'));
            break;
        case '/':
            out.append(QLatin1Char('/'));
            break;
        case 'b':
            out.append(QChar(u'\b'));
            break;
        case 'f':
            out.append(QChar(u'\f'));
            break;
        case 'n':
            out.append(QChar(u'\n'));
            break;
        case 'r':
            out.append(QChar(u'\r'));
            break;
        case 't':
            out.append(QChar(u'\t'));
            break;
        case 'u': {
            ++m_pos;
            char16_t unit = 0;
            for (int k = 0; k < 4; ++k, ++m_pos) {
                if (m_pos >= m_end)
                    fail(QStringLiteral("4 hex digits after \\u"));
                const char h = *m_pos;
                int v = -1;
                if (h >= '0' && h <= '9')
                    v = h - '0';
                else if (h >= 'a' && h <= 'f')
                    v = h - 'a' + 10;
                else if (h >= 'A' && h <= 'F')
                    v = h - 'A' + 10;
                if (v < 0)
                    fail(QStringLiteral("4 hex digits after \\u"));
                unit = char16_t((unit << 4) | v);
            }
            // Appended as a UTF-16 code unit: a \uD83D\uDE00 pair forms one character.
            out.append(QChar(unit));
            continue; // m_pos is already past the escape
        }
        default:
            fail(QStringLiteral("one of \" \\ / b f n r t u after '\\'"));
        }
        ++m_pos;
    }
}

double JsonCursor::readNumber()
{
    skipWhitespace();
    auto matches = [this](const char *word) {
        const auto n = qint64(std::strlen(word));
        if (m_end - m_pos >= n && std::memcmp(m_pos, word, size_t(n)) == 0) {
            m_pos += n;
            return true;
        }
        return false;
    };
    if (matches("NaN"))
        return std::numeric_limits<double>::quiet_NaN();
    if (matches("Infinity"))
        return std::numeric_limits<double>::infinity();
    if (matches("-Infinity"))
        return -std::numeric_limits<double>::infinity();
    const char *start = m_pos;
    auto digits = [this]() {
        const char *s = m_pos;
        while (m_pos < m_end && *m_pos >= '0' && *m_pos <= '9')
            ++m_pos;
        return m_pos > s;
    };
    if (m_pos < m_end && *m_pos == '-')
        ++m_pos;
    if (m_pos < m_end && *m_pos == '0')
        ++m_pos;
    else if (!digits())
        fail(QStringLiteral("a number"));
    if (m_pos < m_end && *m_pos == '.') {
        ++m_pos;
        if (!digits())
            fail(QStringLiteral("digits after the decimal point"));
    }
    if (m_pos < m_end && (*m_pos == 'e' || *m_pos == 'E')) {
        ++m_pos;
        if (m_pos < m_end && (*m_pos == '+' || *m_pos == '-'))
            ++m_pos;
        if (!digits())
            fail(QStringLiteral("digits in the exponent"));
    }
    double value = 0;
    const auto r = std::from_chars(start, m_pos, value);
    if (r.ec == std::errc::result_out_of_range) // like Python: 1e999 → inf, 1e-999 → 0
        value = std::strtod(std::string(start, m_pos).c_str(), nullptr);
    else if (r.ec != std::errc() || r.ptr != m_pos)
        fail(QStringLiteral("a number"));
    return value;
}

qint64 JsonCursor::readNonNegativeInteger(const char *what)
{
    skipWhitespace();
    const QString expected = QString::fromUtf8(what);
    if (m_pos >= m_end || *m_pos < '0' || *m_pos > '9')
        fail(expected);
    const char *start = m_pos;
    qint64 value = 0;
    while (m_pos < m_end && *m_pos >= '0' && *m_pos <= '9') {
        if (value > (qint64(1) << 53) / 10) {
            m_pos = start;
            fail(expected + QStringLiteral(" (at most 2^53)"));
        }
        value = value * 10 + (*m_pos - '0');
        ++m_pos;
    }
    if (m_pos - start > 1 && *start == '0') {
        m_pos = start;
        fail(expected + QStringLiteral(" (no leading zeros)"));
    }
    if (m_pos < m_end && (*m_pos == '.' || *m_pos == 'e' || *m_pos == 'E'))
        fail(expected + QStringLiteral(" (an integer)"));
    return value;
}

void JsonCursor::skipValue(int depth)
{
    if (depth > 256)
        fail(QStringLiteral("at most 256 nested arrays/objects"));
    const char c = peek();
    auto word = [this](const char *w) {
        const auto n = qint64(std::strlen(w));
        if (m_end - m_pos < n || std::memcmp(m_pos, w, size_t(n)) != 0)
            fail(QStringLiteral("a JSON value"));
        m_pos += n;
    };
    switch (c) {
    case '{':
        ++m_pos;
        if (tryConsume('}'))
            return;
        do {
            readString();
            expect(':', "':' after an object key");
            skipValue(depth + 1);
        } while (tryConsume(','));
        expect('}', "',' or '}' in an object");
        return;
    case '[':
        ++m_pos;
        if (tryConsume(']'))
            return;
        do
            skipValue(depth + 1);
        while (tryConsume(','));
        expect(']', "',' or ']' in an array");
        return;
    case '"':
        readString();
        return;
    case 't':
        word("true");
        return;
    case 'f':
        word("false");
        return;
    case 'n':
        word("null");
        return;
    default:
        readNumber();
        return;
    }
}

} // namespace salient::detail
