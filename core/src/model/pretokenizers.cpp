// Pre-tokenizers of tokenizer.json (tokenizers/src/pre_tokenizers): BertPreTokenizer, ByteLevel
// (GPT-2 regex by hand), Metaspace, Whitespace, WhitespaceSplit, Punctuation, Digits,
// Split (String pattern), Sequence.
#include "tokenizer_p.h"

namespace salient::model::detail {
namespace {

enum class Behavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous };

struct Span {
    size_t begin, end;
    bool delimiter;
};

/// tokenizers' NormalizedString::split with a SplitDelimiterBehavior: @p spans cover the piece in
/// order; the resulting non-empty pieces are appended to @p out.
void emitSpans(const Piece &piece, const std::vector<Span> &spans, Behavior behavior,
               std::vector<Piece> &out)
{
    const U32 &t = piece.text;
    auto push = [&](size_t b, size_t e) {
        if (e > b)
            out.push_back({t.substr(b, e - b), piece.atStart && b == 0});
    };
    switch (behavior) {
    case Behavior::Removed:
        for (const Span &s : spans)
            if (!s.delimiter)
                push(s.begin, s.end);
        break;
    case Behavior::Isolated:
        for (const Span &s : spans)
            push(s.begin, s.end);
        break;
    case Behavior::Contiguous: {
        size_t i = 0;
        while (i < spans.size()) {
            size_t j = i + 1;
            if (spans[i].delimiter)
                while (j < spans.size() && spans[j].delimiter)
                    ++j;
            push(spans[i].begin, spans[j - 1].end);
            i = j;
        }
        break;
    }
    case Behavior::MergedWithPrevious: {
        size_t start = 0;
        for (const Span &s : spans)
            if (s.delimiter) {
                push(start, s.end);
                start = s.end;
            }
        push(start, t.size());
        break;
    }
    case Behavior::MergedWithNext: {
        size_t start = 0;
        for (const Span &s : spans)
            if (s.delimiter) {
                push(start, s.begin);
                start = s.begin;
            }
        push(start, t.size());
        break;
    }
    }
}

/// Spans of @p t where each code point satisfying @p isDelim is its own delimiter span.
template <typename F> std::vector<Span> charSpans(const U32 &t, F isDelim)
{
    std::vector<Span> spans;
    size_t start = 0;
    for (size_t i = 0; i < t.size(); ++i)
        if (isDelim(t[i])) {
            if (i > start)
                spans.push_back({start, i, false});
            spans.push_back({i, i + 1, true});
            start = i + 1;
        }
    if (start < t.size())
        spans.push_back({start, t.size(), false});
    return spans;
}

template <typename F> void splitEach(std::vector<Piece> &pieces, F f)
{
    std::vector<Piece> out;
    out.reserve(pieces.size());
    for (const Piece &p : pieces)
        f(p, out);
    pieces.swap(out);
}

bool isTokenizersPunct(char32_t c)
{
    return (c < 0x80 && isBertPunctuation(c)) || isPunctuationCategory(c);
}

class BertPre : public PreTokenizer {
public:
    void split(std::vector<Piece> &pieces) const override
    {
        splitEach(pieces, [](const Piece &p, std::vector<Piece> &out) {
            std::vector<Piece> words;
            emitSpans(p, charSpans(p.text, isWhitespace), Behavior::Removed, words);
            for (const Piece &w : words)
                emitSpans(w, charSpans(w.text, isBertPunctuation), Behavior::Isolated, out);
        });
    }
};

class ByteLevelPre : public PreTokenizer {
public:
    ByteLevelPre(bool prefix, bool regex) : m_prefix(prefix), m_regex(regex) {}
    void split(std::vector<Piece> &pieces) const override
    {
        const auto &table = byteToChar();
        std::vector<std::pair<size_t, size_t>> ranges;
        splitEach(pieces, [&](const Piece &p, std::vector<Piece> &out) {
            U32 text = p.text;
            if (m_prefix && (text.empty() || text.front() != ' '))
                text.insert(text.begin(), char32_t(' '));
            ranges.clear();
            if (m_regex)
                gpt2Split(text, ranges);
            else if (!text.empty())
                ranges.push_back({0, text.size()});
            for (const auto &[b, e] : ranges) {
                const QByteArray bytes = utf8(text.data() + b, text.data() + e);
                U32 mapped;
                mapped.reserve(size_t(bytes.size()));
                for (char ch : bytes)
                    mapped.push_back(table[static_cast<unsigned char>(ch)]);
                out.push_back({std::move(mapped), p.atStart && b == 0});
            }
        });
    }

private:
    bool m_prefix, m_regex;
};

enum class PrependScheme { Always, First, Never };

class MetaspacePre : public PreTokenizer {
public:
    MetaspacePre(char32_t replacement, PrependScheme scheme, bool split)
        : m_rep(replacement), m_scheme(scheme), m_split(split)
    {
    }
    void split(std::vector<Piece> &pieces) const override
    {
        splitEach(pieces, [&](const Piece &p, std::vector<Piece> &out) {
            Piece q = p;
            for (char32_t &c : q.text)
                if (c == ' ')
                    c = m_rep;
            const bool starts = !q.text.empty() && q.text.front() == m_rep;
            if (!starts
                && (m_scheme == PrependScheme::Always
                    || (m_scheme == PrependScheme::First && q.atStart)))
                q.text.insert(q.text.begin(), m_rep);
            if (!m_split) {
                if (!q.text.empty())
                    out.push_back(std::move(q));
                return;
            }
            const char32_t rep = m_rep;
            emitSpans(q, charSpans(q.text, [rep](char32_t c) { return c == rep; }),
                      Behavior::MergedWithNext, out);
        });
    }

private:
    char32_t m_rep;
    PrependScheme m_scheme;
    bool m_split;
};

/// Whitespace: regex \w+|[^\w\s]+ (whitespace removed).
class WhitespacePre : public PreTokenizer {
public:
    void split(std::vector<Piece> &pieces) const override
    {
        splitEach(pieces, [](const Piece &p, std::vector<Piece> &out) {
            const U32 &t = p.text;
            size_t i = 0;
            while (i < t.size()) {
                if (isWhitespace(t[i])) {
                    ++i;
                    continue;
                }
                const bool word = isWordChar(t[i]);
                size_t j = i + 1;
                while (j < t.size() && !isWhitespace(t[j]) && isWordChar(t[j]) == word)
                    ++j;
                out.push_back({t.substr(i, j - i), p.atStart && i == 0});
                i = j;
            }
        });
    }
};

class CharSplitPre : public PreTokenizer {
public:
    CharSplitPre(bool (*pred)(char32_t), Behavior b) : m_pred(pred), m_behavior(b) {}
    void split(std::vector<Piece> &pieces) const override
    {
        splitEach(pieces, [&](const Piece &p, std::vector<Piece> &out) {
            emitSpans(p, charSpans(p.text, m_pred), m_behavior, out);
        });
    }

private:
    bool (*m_pred)(char32_t);
    Behavior m_behavior;
};

class StringSplitPre : public PreTokenizer {
public:
    StringSplitPre(U32 pattern, Behavior b, bool invert)
        : m_pattern(std::move(pattern)), m_behavior(b), m_invert(invert)
    {
    }
    void split(std::vector<Piece> &pieces) const override
    {
        splitEach(pieces, [&](const Piece &p, std::vector<Piece> &out) {
            std::vector<Span> spans;
            size_t from = 0;
            size_t pos = p.text.find(m_pattern);
            while (pos != U32::npos) {
                if (pos > from)
                    spans.push_back({from, pos, m_invert});
                spans.push_back({pos, pos + m_pattern.size(), !m_invert});
                from = pos + m_pattern.size();
                pos = p.text.find(m_pattern, from);
            }
            if (from < p.text.size())
                spans.push_back({from, p.text.size(), m_invert});
            emitSpans(p, spans, m_behavior, out);
        });
    }

private:
    U32 m_pattern;
    Behavior m_behavior;
    bool m_invert;
};

class SequencePre : public PreTokenizer {
public:
    explicit SequencePre(std::vector<std::unique_ptr<PreTokenizer>> parts)
        : m_parts(std::move(parts))
    {
    }
    void split(std::vector<Piece> &pieces) const override
    {
        for (const auto &p : m_parts)
            p->split(pieces);
    }

private:
    std::vector<std::unique_ptr<PreTokenizer>> m_parts;
};

bool isAsciiDigit(char32_t c)
{
    return c >= '0' && c <= '9';
}

Behavior parseBehavior(const JsonIn &in, const QJsonObject &o, const QString &key, Behavior def)
{
    const auto b = in.optString(o, "behavior", key);
    if (!b)
        return def;
    static const std::pair<const char *, Behavior> names[] = {
        {"Removed", Behavior::Removed},
        {"Isolated", Behavior::Isolated},
        {"MergedWithPrevious", Behavior::MergedWithPrevious},
        {"MergedWithNext", Behavior::MergedWithNext},
        {"Contiguous", Behavior::Contiguous}};
    for (const auto &[name, value] : names)
        if (*b == QLatin1String(name))
            return value;
    in.fail(joinKey(key, "behavior"),
            QStringLiteral("unknown split behavior \"%1\" (expected Removed, Isolated, "
                           "MergedWithPrevious, MergedWithNext or Contiguous)")
                .arg(*b));
}

const char *const kSupported = "BertPreTokenizer, ByteLevel, Metaspace, Whitespace, "
                               "WhitespaceSplit, Punctuation, Digits, Split (String pattern), "
                               "Sequence";

} // namespace

void gpt2Split(const U32 &t, std::vector<std::pair<size_t, size_t>> &out)
{
    // 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
    const size_t n = t.size();
    auto isOtherSym = [](char32_t c) { return !isWhitespace(c) && !isLetter(c) && !isNumber(c); };
    size_t i = 0;
    while (i < n) {
        const char32_t c = t[i];
        if (c == '\'' && i + 1 < n) {
            const char32_t a = t[i + 1];
            if (a == 's' || a == 't' || a == 'm' || a == 'd') {
                out.push_back({i, i + 2});
                i += 2;
                continue;
            }
            if (i + 2 < n) {
                const char32_t b = t[i + 2];
                if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) {
                    out.push_back({i, i + 3});
                    i += 3;
                    continue;
                }
            }
        }
        const size_t j = (c == ' ' && i + 1 < n) ? i + 1 : i; // the optional leading space
        bool (*cls)(char32_t) = nullptr;
        if (isLetter(t[j]))
            cls = &isLetter;
        else if (isNumber(t[j]))
            cls = &isNumber;
        if (cls || isOtherSym(t[j])) {
            size_t e = j + 1;
            if (cls)
                while (e < n && cls(t[e]))
                    ++e;
            else
                while (e < n && isOtherSym(t[e]))
                    ++e;
            out.push_back({i, e});
            i = e;
            continue;
        }
        // c is whitespace: \s+(?!\S) takes the run but its last character when a non-space
        // follows (a run of one falls through to \s+).
        size_t e = i + 1;
        while (e < n && isWhitespace(t[e]))
            ++e;
        if (e < n && e - i >= 2)
            --e;
        out.push_back({i, e});
        i = e;
    }
}

std::unique_ptr<PreTokenizer> makeBertPreTokenizer()
{
    return std::make_unique<BertPre>();
}

std::unique_ptr<PreTokenizer> makeByteLevelPreTokenizer(bool addPrefixSpace, bool useRegex)
{
    return std::make_unique<ByteLevelPre>(addPrefixSpace, useRegex);
}

std::unique_ptr<PreTokenizer> parsePreTokenizer(const JsonIn &in, const QJsonValue &v,
                                                const QString &key)
{
    if (v.isNull() || v.isUndefined())
        return nullptr;
    const QJsonObject o = in.object(v, key);
    const QString type = in.string(o.value(QLatin1String("type")), joinKey(key, "type"));
    if (type == QLatin1String("BertPreTokenizer"))
        return makeBertPreTokenizer();
    if (type == QLatin1String("ByteLevel"))
        return makeByteLevelPreTokenizer(in.optBool(o, "add_prefix_space", key, true),
                                         in.optBool(o, "use_regex", key, true));
    if (type == QLatin1String("Metaspace")) {
        char32_t rep = 0x2581;
        for (const char *name : {"replacement", "str_rep"}) {
            if (const auto r = in.optString(o, name, key)) {
                const U32 u = toU32(*r);
                if (u.size() != 1)
                    in.fail(joinKey(key, name),
                            QStringLiteral("expected one character, found \"%1\"").arg(*r));
                rep = u.front();
                break;
            }
        }
        PrependScheme scheme = in.optBool(o, "add_prefix_space", key, true) ? PrependScheme::Always
                                                                            : PrependScheme::Never;
        if (const auto s = in.optString(o, "prepend_scheme", key)) {
            if (*s == QLatin1String("always"))
                scheme = PrependScheme::Always;
            else if (*s == QLatin1String("first"))
                scheme = PrependScheme::First;
            else if (*s == QLatin1String("never"))
                scheme = PrependScheme::Never;
            else
                in.fail(joinKey(key, "prepend_scheme"),
                        QStringLiteral("expected \"always\", \"first\" or \"never\", found \"%1\"")
                            .arg(*s));
        }
        return std::make_unique<MetaspacePre>(rep, scheme, in.optBool(o, "split", key, true));
    }
    if (type == QLatin1String("Whitespace"))
        return std::make_unique<WhitespacePre>();
    if (type == QLatin1String("WhitespaceSplit"))
        return std::make_unique<CharSplitPre>(&isWhitespace, Behavior::Removed);
    if (type == QLatin1String("Punctuation"))
        return std::make_unique<CharSplitPre>(&isTokenizersPunct,
                                              parseBehavior(in, o, key, Behavior::Isolated));
    if (type == QLatin1String("Digits"))
        return std::make_unique<CharSplitPre>(
            &isAsciiDigit, in.optBool(o, "individual_digits", key, false) ? Behavior::Isolated
                                                                          : Behavior::Contiguous);
    if (type == QLatin1String("Split")) {
        const U32 p = stringPattern(in, o, key);
        return std::make_unique<StringSplitPre>(p, parseBehavior(in, o, key, Behavior::Removed),
                                                in.optBool(o, "invert", key, false));
    }
    if (type == QLatin1String("Sequence")) {
        const QString k = joinKey(key, "pretokenizers");
        const QJsonArray a = in.array(o.value(QLatin1String("pretokenizers")), k);
        std::vector<std::unique_ptr<PreTokenizer>> parts;
        for (qsizetype i = 0; i < a.size(); ++i)
            if (auto p = parsePreTokenizer(in, a.at(i), indexKey(k, i)))
                parts.push_back(std::move(p));
        return std::make_unique<SequencePre>(std::move(parts));
    }
    in.fail(joinKey(key, "type"), QStringLiteral("pre-tokenizer type \"%1\" is not supported "
                                                 "(supported: %2)")
                                      .arg(type, QLatin1String(kSupported)));
}

} // namespace salient::model::detail
