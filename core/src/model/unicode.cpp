#include "unicode_p.h"

#include <QChar>
#include <QList>

namespace salient::model::detail {

U32 toU32(const QString &s)
{
    U32 out;
    out.reserve(size_t(s.size()));
    const qsizetype n = s.size();
    for (qsizetype i = 0; i < n; ++i) {
        const char16_t u = s[i].unicode();
        if (QChar::isHighSurrogate(u) && i + 1 < n && QChar::isLowSurrogate(s[i + 1].unicode())) {
            out.push_back(QChar::surrogateToUcs4(u, s[i + 1].unicode()));
            ++i;
        } else {
            out.push_back(char32_t(u)); // a lone surrogate stays a (category Cs) code point
        }
    }
    return out;
}

QString fromU32(const char32_t *begin, const char32_t *end)
{
    QString out;
    out.reserve(end - begin);
    for (const char32_t *p = begin; p != end; ++p) {
        const char32_t c = *p;
        if (c >= 0x10000 && c <= 0x10FFFF) {
            out.append(QChar(QChar::highSurrogate(c)));
            out.append(QChar(QChar::lowSurrogate(c)));
        } else if (c < 0x10000) {
            out.append(QChar(char16_t(c)));
        } else {
            out.append(QChar(QChar::ReplacementCharacter));
        }
    }
    return out;
}

QString fromU32(const U32 &s)
{
    return fromU32(s.data(), s.data() + s.size());
}

void appendUtf8(char32_t c, QByteArray &out)
{
    if ((c >= 0xD800 && c <= 0xDFFF) || c > 0x10FFFF)
        c = 0xFFFD; // not encodable; Python's "surrogatepass" is not what tokenizers do either
    if (c < 0x80) {
        out.append(char(c));
    } else if (c < 0x800) {
        out.append(char(0xC0 | (c >> 6)));
        out.append(char(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
        out.append(char(0xE0 | (c >> 12)));
        out.append(char(0x80 | ((c >> 6) & 0x3F)));
        out.append(char(0x80 | (c & 0x3F)));
    } else {
        out.append(char(0xF0 | (c >> 18)));
        out.append(char(0x80 | ((c >> 12) & 0x3F)));
        out.append(char(0x80 | ((c >> 6) & 0x3F)));
        out.append(char(0x80 | (c & 0x3F)));
    }
}

QByteArray utf8(const char32_t *begin, const char32_t *end)
{
    QByteArray out;
    out.reserve(end - begin);
    for (const char32_t *p = begin; p != end; ++p)
        appendUtf8(*p, out);
    return out;
}

bool isWhitespace(char32_t c)
{
    if (c > 0x10FFFF)
        return false;
    return QChar::isSpace(c);
}

bool isLetter(char32_t c)
{
    if (c < 0x80)
        return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
    return c <= 0x10FFFF && QChar::isLetter(c);
}

bool isNumber(char32_t c)
{
    if (c < 0x80)
        return c >= '0' && c <= '9';
    return c <= 0x10FFFF && QChar::isNumber(c);
}

bool isOther(char32_t c)
{
    if (c > 0x10FFFF)
        return true;
    switch (QChar::category(c)) {
    case QChar::Other_Control:
    case QChar::Other_Format:
    case QChar::Other_Surrogate:
    case QChar::Other_PrivateUse:
    case QChar::Other_NotAssigned:
        return true;
    default:
        return false;
    }
}

bool isNonSpacingMark(char32_t c)
{
    return c <= 0x10FFFF && QChar::category(c) == QChar::Mark_NonSpacing;
}

bool isPunctuationCategory(char32_t c)
{
    return c <= 0x10FFFF && QChar::isPunct(c);
}

bool isBertPunctuation(char32_t c)
{
    if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96)
        || (c >= 123 && c <= 126))
        return true;
    return isPunctuationCategory(c);
}

bool isChineseChar(char32_t c)
{
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF)
           || (c >= 0x20000 && c <= 0x2A6DF) || (c >= 0x2A700 && c <= 0x2B73F)
           || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B920 && c <= 0x2CEAF)
           || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

bool isWordChar(char32_t c)
{
    if (c < 0x80)
        return ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (c > 0x10FFFF)
        return false;
    switch (QChar::category(c)) {
    case QChar::Mark_NonSpacing:
    case QChar::Mark_SpacingCombining:
    case QChar::Mark_Enclosing:
    case QChar::Number_DecimalDigit:
    case QChar::Number_Letter:
    case QChar::Punctuation_Connector:
    case QChar::Letter_Uppercase:
    case QChar::Letter_Lowercase:
    case QChar::Letter_Titlecase:
    case QChar::Letter_Modifier:
    case QChar::Letter_Other:
        return true;
    default:
        return false;
    }
}

namespace {
bool isAscii(const U32 &s)
{
    for (char32_t c : s)
        if (c >= 0x80)
            return false;
    return true;
}
} // namespace

U32 lowercase(const U32 &s)
{
    if (isAscii(s)) {
        U32 out = s;
        for (char32_t &c : out)
            if (c >= 'A' && c <= 'Z')
                c += 'a' - 'A';
        return out;
    }
    return toU32(fromU32(s).toLower());
}

U32 normalizeNfd(const U32 &s)
{
    return isAscii(s) ? s : toU32(fromU32(s).normalized(QString::NormalizationForm_D));
}
U32 normalizeNfc(const U32 &s)
{
    return isAscii(s) ? s : toU32(fromU32(s).normalized(QString::NormalizationForm_C));
}
U32 normalizeNfkd(const U32 &s)
{
    return isAscii(s) ? s : toU32(fromU32(s).normalized(QString::NormalizationForm_KD));
}
U32 normalizeNfkc(const U32 &s)
{
    return isAscii(s) ? s : toU32(fromU32(s).normalized(QString::NormalizationForm_KC));
}

const std::array<char32_t, 256> &byteToChar()
{
    static const std::array<char32_t, 256> table = [] {
        std::array<char32_t, 256> t{};
        char32_t next = 0x100;
        for (int b = 0; b < 256; ++b) {
            const bool direct = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE;
            t[size_t(b)] = direct ? char32_t(b) : next++;
        }
        return t;
    }();
    return table;
}

int charToByte(char32_t c)
{
    static const std::array<int, 0x144> inverse = [] {
        std::array<int, 0x144> t{};
        t.fill(-1);
        const auto &fwd = byteToChar();
        for (int b = 0; b < 256; ++b)
            t[size_t(fwd[size_t(b)])] = b;
        return t;
    }();
    return c < inverse.size() ? inverse[c] : -1;
}

QString byteTokenName(unsigned char b)
{
    static const char hex[] = "0123456789ABCDEF";
    const char s[7] = {'<', '0', 'x', hex[b >> 4], hex[b & 15], '>', 0};
    return QString::fromLatin1(s, 6);
}

int parseByteToken(const QString &token)
{
    if (token.size() != 6 || token[0] != QLatin1Char('<') || token[1] != QLatin1Char('0')
        || token[2] != QLatin1Char('x') || token[5] != QLatin1Char('>'))
        return -1;
    auto digit = [](QChar ch) {
        const char16_t u = ch.unicode();
        if (u >= '0' && u <= '9')
            return int(u - '0');
        if (u >= 'A' && u <= 'F')
            return int(u - 'A' + 10);
        if (u >= 'a' && u <= 'f')
            return int(u - 'a' + 10);
        return -1;
    };
    const int hi = digit(token[3]), lo = digit(token[4]);
    return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

} // namespace salient::model::detail
