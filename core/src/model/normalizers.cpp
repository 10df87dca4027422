// Normalizers of tokenizer.json (tokenizers/src/normalizers): BertNormalizer, Sequence, Prepend,
// Replace (string patterns), NFC/NFD/NFKC/NFKD, Lowercase, Strip, StripAccents.
#include "tokenizer_p.h"

namespace salient::model::detail {
namespace {

class BertNormalizer : public Normalizer {
public:
    BertNormalizer(bool clean, bool chinese, bool strip, bool lower, bool nfc)
        : m_clean(clean), m_chinese(chinese), m_strip(strip), m_lower(lower), m_nfc(nfc)
    {
    }
    void normalize(U32 &text) const override
    {
        if (m_clean) {
            U32 out;
            out.reserve(text.size());
            for (char32_t c : text) {
                if (c == 0 || c == 0xFFFD)
                    continue;
                const bool tnr = c == '\t' || c == '\n' || c == '\r';
                if (!tnr && isOther(c))
                    continue;
                out.push_back(tnr || isWhitespace(c) ? char32_t(' ') : c);
            }
            text.swap(out);
        }
        if (m_chinese) {
            bool any = false;
            for (char32_t c : text)
                any = any || isChineseChar(c);
            if (any) {
                U32 out;
                out.reserve(text.size() + 16);
                for (char32_t c : text) {
                    if (isChineseChar(c)) {
                        out.push_back(' ');
                        out.push_back(c);
                        out.push_back(' ');
                    } else {
                        out.push_back(c);
                    }
                }
                text.swap(out);
            }
        }
        if (m_nfc)
            text = normalizeNfc(text); // slow BertTokenizer: after cleaning, before lowercasing
        if (m_strip) {
            text = normalizeNfd(text);
            std::erase_if(text, [](char32_t c) { return isNonSpacingMark(c); });
        }
        if (m_lower)
            text = lowercase(text);
    }

private:
    bool m_clean, m_chinese, m_strip, m_lower, m_nfc;
};

class SequenceNormalizer : public Normalizer {
public:
    explicit SequenceNormalizer(std::vector<std::unique_ptr<Normalizer>> parts)
        : m_parts(std::move(parts))
    {
    }
    void normalize(U32 &text) const override
    {
        for (const auto &p : m_parts)
            p->normalize(text);
    }

private:
    std::vector<std::unique_ptr<Normalizer>> m_parts;
};

class PrependNormalizer : public Normalizer {
public:
    explicit PrependNormalizer(U32 prefix) : m_prefix(std::move(prefix)) {}
    void normalize(U32 &text) const override
    {
        if (!text.empty())
            text.insert(0, m_prefix);
    }

private:
    U32 m_prefix;
};

class ReplaceNormalizer : public Normalizer {
public:
    ReplaceNormalizer(U32 pattern, U32 content)
        : m_pattern(std::move(pattern)), m_content(std::move(content))
    {
    }
    void normalize(U32 &text) const override
    {
        size_t pos = text.find(m_pattern);
        if (pos == U32::npos)
            return;
        U32 out;
        out.reserve(text.size());
        size_t from = 0;
        while (pos != U32::npos) {
            out.append(text, from, pos - from);
            out.append(m_content);
            from = pos + m_pattern.size();
            pos = text.find(m_pattern, from);
        }
        out.append(text, from, U32::npos);
        text.swap(out);
    }

private:
    U32 m_pattern, m_content;
};

class FunctionNormalizer : public Normalizer {
public:
    explicit FunctionNormalizer(U32 (*f)(const U32 &)) : m_f(f) {}
    void normalize(U32 &text) const override { text = m_f(text); }

private:
    U32 (*m_f)(const U32 &);
};

class StripNormalizer : public Normalizer {
public:
    StripNormalizer(bool left, bool right) : m_left(left), m_right(right) {}
    void normalize(U32 &text) const override
    {
        size_t b = 0, e = text.size();
        if (m_left)
            while (b < e && isWhitespace(text[b]))
                ++b;
        if (m_right)
            while (e > b && isWhitespace(text[e - 1]))
                --e;
        text = text.substr(b, e - b);
    }

private:
    bool m_left, m_right;
};

class StripAccentsNormalizer : public Normalizer {
public:
    void normalize(U32 &text) const override
    {
        std::erase_if(text, [](char32_t c) { return isNonSpacingMark(c); });
    }
};

const char *const kSupported = "BertNormalizer, Sequence, Prepend, Replace (String pattern), NFC, "
                               "NFD, NFKC, NFKD, Lowercase, Strip, StripAccents";

} // namespace

std::unique_ptr<Normalizer> makeBertNormalizer(bool cleanText, bool chineseChars, bool stripAccents,
                                               bool lowercase, bool nfc)
{
    return std::make_unique<BertNormalizer>(cleanText, chineseChars, stripAccents, lowercase, nfc);
}

std::unique_ptr<Normalizer> parseNormalizer(const JsonIn &in, const QJsonValue &v,
                                            const QString &key)
{
    if (v.isNull() || v.isUndefined())
        return nullptr;
    const QJsonObject o = in.object(v, key);
    const QString type = in.string(o.value(QLatin1String("type")), joinKey(key, "type"));
    if (type == QLatin1String("BertNormalizer")) {
        const bool lower = in.optBool(o, "lowercase", key, true);
        return makeBertNormalizer(in.optBool(o, "clean_text", key, true),
                                  in.optBool(o, "handle_chinese_chars", key, true),
                                  in.optBool(o, "strip_accents", key, lower), lower, false);
    }
    if (type == QLatin1String("Sequence")) {
        const QString k = joinKey(key, "normalizers");
        const QJsonArray a = in.array(o.value(QLatin1String("normalizers")), k);
        std::vector<std::unique_ptr<Normalizer>> parts;
        for (qsizetype i = 0; i < a.size(); ++i)
            if (auto p = parseNormalizer(in, a.at(i), indexKey(k, i)))
                parts.push_back(std::move(p));
        return std::make_unique<SequenceNormalizer>(std::move(parts));
    }
    if (type == QLatin1String("Prepend"))
        return std::make_unique<PrependNormalizer>(
            toU32(in.string(o.value(QLatin1String("prepend")), joinKey(key, "prepend"))));
    if (type == QLatin1String("Replace")) {
        const U32 p = stringPattern(in, o, key);
        return std::make_unique<ReplaceNormalizer>(
            p, toU32(in.string(o.value(QLatin1String("content")), joinKey(key, "content"))));
    }
    if (type == QLatin1String("NFC"))
        return std::make_unique<FunctionNormalizer>(&normalizeNfc);
    if (type == QLatin1String("NFD"))
        return std::make_unique<FunctionNormalizer>(&normalizeNfd);
    if (type == QLatin1String("NFKC"))
        return std::make_unique<FunctionNormalizer>(&normalizeNfkc);
    if (type == QLatin1String("NFKD"))
        return std::make_unique<FunctionNormalizer>(&normalizeNfkd);
    if (type == QLatin1String("Lowercase"))
        return std::make_unique<FunctionNormalizer>(&lowercase);
    if (type == QLatin1String("Strip"))
        return std::make_unique<StripNormalizer>(in.optBool(o, "strip_left", key, true),
                                                 in.optBool(o, "strip_right", key, true));
    if (type == QLatin1String("StripAccents"))
        return std::make_unique<StripAccentsNormalizer>();
    in.fail(joinKey(key, "type"), QStringLiteral("normalizer type \"%1\" is not supported "
                                                 "(supported: %2)")
                                      .arg(type, QLatin1String(kSupported)));
}

} // namespace salient::model::detail
