#pragma once
// Private to core/src/model: code-point helpers of the tokenizers (MODELS.md §4). Text is handled
// as UTF-32 (std::u32string) so that surrogate pairs are one character; Unicode properties come
// from QChar (Qt's Unicode tables, which may be a version apart from Rust's / Python's).
#include <QByteArray>
#include <QString>

#include <array>
#include <string>

namespace salient::model::detail {

using U32 = std::u32string;

U32 toU32(const QString &s);
QString fromU32(const U32 &s);
QString fromU32(const char32_t *begin, const char32_t *end);
/// UTF-8 bytes of code points [begin, end).
QByteArray utf8(const char32_t *begin, const char32_t *end);
/// Appends the UTF-8 bytes of @p c to @p out.
void appendUtf8(char32_t c, QByteArray &out);

/// Unicode White_Space (Rust char::is_whitespace, regex \s): \t..\r, space, U+0085, Z* separators.
bool isWhitespace(char32_t c);
/// General category L* (regex \p{L}).
bool isLetter(char32_t c);
/// General category N* (regex \p{N}).
bool isNumber(char32_t c);
/// General category C* (Cc, Cf, Cs, Co, Cn).
bool isOther(char32_t c);
/// General category Mn.
bool isNonSpacingMark(char32_t c);
/// BERT's punctuation: ASCII 33–47, 58–64, 91–96, 123–126, or general category P*.
bool isBertPunctuation(char32_t c);
/// General category P* only (tokenizers' Punctuation pre-tokenizer uses this plus ASCII symbols).
bool isPunctuationCategory(char32_t c);
/// The CJK ideograph blocks of BertNormalizer's handle_chinese_chars.
bool isChineseChar(char32_t c);
/// regex \w: letters, marks, decimal and letter numbers, connector punctuation.
bool isWordChar(char32_t c);

/// Full Unicode lowercase (may change the length, e.g. U+0130).
U32 lowercase(const U32 &s);
U32 normalizeNfd(const U32 &s);
U32 normalizeNfc(const U32 &s);
U32 normalizeNfkd(const U32 &s);
U32 normalizeNfkc(const U32 &s);

/// GPT-2's byte ↔ character table (MODELS.md §4.3): byte b is shown as code point byteToChar()[b].
const std::array<char32_t, 256> &byteToChar();
/// Inverse of byteToChar(); -1 for code points that are not a byte's character.
int charToByte(char32_t c);

/// "<0xNN>" with uppercase hex, as tokenizers' byte fallback spells byte tokens.
QString byteTokenName(unsigned char b);
/// The byte of a "<0xNN>" token (upper- or lowercase hex), or -1.
int parseByteToken(const QString &token);

} // namespace salient::model::detail
