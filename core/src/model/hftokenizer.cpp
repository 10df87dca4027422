// Hugging Face tokenizers (MODELS.md §4): tokenizer.json → pipeline, special tokens and
// model_max_length from tokenizer_config.json / special_tokens_map.json, the encode pipeline.
#include "tokenizer_p.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonParseError>

#include <algorithm>
#include <cmath>

namespace salient::model {
namespace detail {
namespace {

/// Largest id accepted anywhere (a guard against absurd allocations; real vocabularies are
/// below 300k).
constexpr qint64 kMaxId = (1 << 24) - 1;

QString quoted(const QString &s)
{
    return QLatin1Char('"') + s + QLatin1Char('"');
}

QJsonObject parseJsonObject(const QByteArray &bytes, const QString &file)
{
    QJsonParseError err{};
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &err);
    if (err.error != QJsonParseError::NoError)
        throw Error(QStringLiteral("%1: not valid JSON at byte %2: %3")
                        .arg(file)
                        .arg(err.offset)
                        .arg(err.errorString()));
    if (!doc.isObject())
        throw Error(QStringLiteral("%1: expected a JSON object at the top level").arg(file));
    return doc.object();
}

QString sibling(const QString &file, const char *name)
{
    const QFileInfo fi(file);
    if (!file.contains(QLatin1Char('/')))
        return QLatin1String(name);
    return fi.path() + QLatin1Char('/') + QLatin1String(name);
}

// ---------------------------------------------------------------------------------------------

class HfTokenizer : public Tokenizer {
public:
    HfTokenizer(HfParts parts, std::vector<char> special, AddedMatcher raw, AddedMatcher normalized,
                int maxLength, std::vector<int> dropped, QString description)
        : m_p(std::move(parts)), m_special(std::move(special)), m_raw(std::move(raw)),
          m_normalized(std::move(normalized)), m_maxLength(maxLength),
          m_dropped(std::move(dropped)), m_description(std::move(description))
    {
    }

    std::vector<int> encode(const QString &text, bool truncate) const override
    {
        const U32 t = toU32(text);
        std::vector<int> ids;
        std::vector<Piece> pieces;
        auto modelPieces = [&](U32 seg, bool atStart) {
            pieces.clear();
            if (!seg.empty())
                pieces.push_back({std::move(seg), atStart});
            if (m_p.preTokenizer)
                m_p.preTokenizer->split(pieces);
            for (const Piece &p : pieces)
                m_p.model->tokenize(p.text, ids);
        };
        auto normalizedSegment = [&](U32 seg, bool atStart) {
            if (seg.empty())
                return;
            if (m_p.normalizer)
                m_p.normalizer->normalize(seg);
            if (m_normalized.empty()) {
                modelPieces(std::move(seg), atStart);
                return;
            }
            size_t from = 0;
            for (const AddedMatcher::Match &m : m_normalized.find(seg)) {
                if (m.begin > from)
                    modelPieces(seg.substr(from, m.begin - from), atStart && from == 0);
                ids.push_back(m.id);
                from = m.end;
            }
            if (from < seg.size())
                modelPieces(seg.substr(from), atStart && from == 0);
        };
        size_t from = 0;
        if (!m_raw.empty()) {
            for (const AddedMatcher::Match &m : m_raw.find(t)) {
                if (m.begin > from)
                    normalizedSegment(t.substr(from, m.begin - from), from == 0);
                ids.push_back(m.id);
                from = m.end;
            }
        }
        if (from < t.size())
            normalizedSegment(t.substr(from), from == 0);

        const qint64 added = qint64(m_p.prefix.size() + m_p.suffix.size());
        if (truncate && m_maxLength != INT_MAX) {
            const qint64 keep = std::max<qint64>(0, qint64(m_maxLength) - added);
            if (qint64(ids.size()) > keep)
                ids.resize(size_t(keep));
        }
        std::vector<int> out;
        out.reserve(ids.size() + size_t(added));
        out.insert(out.end(), m_p.prefix.begin(), m_p.prefix.end());
        out.insert(out.end(), ids.begin(), ids.end());
        out.insert(out.end(), m_p.suffix.begin(), m_p.suffix.end());
        return out;
    }

    QString idToToken(int id) const override
    {
        return id >= 0 && size_t(id) < m_p.tokens.size() ? m_p.tokens[size_t(id)] : QString();
    }
    int vocabSize() const override { return int(m_p.tokens.size()); }
    int modelMaxLength() const override { return m_maxLength; }
    std::vector<int> droppedSpecialIds() const override { return m_dropped; }
    QString describe() const override { return m_description; }

    QString decode(const std::vector<int> &ids) const override
    {
        QByteArray bytes;
        bool first = true;
        for (int id : ids) {
            if (id < 0 || size_t(id) >= m_p.tokens.size())
                throw Error(QStringLiteral("%1: cannot decode id %2 (vocabulary size %3)")
                                .arg(m_p.source)
                                .arg(id)
                                .arg(m_p.tokens.size()));
            if (m_special[size_t(id)])
                continue;
            const QString &tok = m_p.tokens[size_t(id)];
            switch (m_p.decodeStyle) {
            case DecodeStyle::WordPiece:
                if (!first && !m_p.wordPiecePrefix.isEmpty()
                    && tok.startsWith(m_p.wordPiecePrefix)) {
                    bytes += tok.mid(m_p.wordPiecePrefix.size()).toUtf8();
                } else {
                    if (!first)
                        bytes += ' ';
                    bytes += tok.toUtf8();
                }
                break;
            case DecodeStyle::ByteLevel:
                for (char32_t c : toU32(tok)) {
                    const int b = charToByte(c);
                    if (b >= 0)
                        bytes += char(b);
                    else
                        appendUtf8(c, bytes);
                }
                break;
            case DecodeStyle::SentencePiece: {
                const int b = parseByteToken(tok);
                if (b >= 0) {
                    bytes += char(b);
                } else {
                    QString s = tok;
                    s.replace(QChar(0x2581), QLatin1Char(' '));
                    bytes += s.toUtf8();
                }
                break;
            }
            }
            first = false;
        }
        return QString::fromUtf8(bytes);
    }

private:
    HfParts m_p;
    std::vector<char> m_special;
    AddedMatcher m_raw, m_normalized;
    int m_maxLength;
    std::vector<int> m_dropped;
    QString m_description;
};

// ---------------------------------------------------------------------------------------------
// tokenizer.json sections.

/// model.vocab as (token, id) pairs, validated: ids in [0, kMaxId], no id used twice.
std::vector<std::pair<QString, int>> parseVocab(const JsonIn &in, const QJsonValue &v,
                                                const QString &key)
{
    if (v.isArray())
        in.fail(key, QStringLiteral("expected an object {token: id}, found an array (a Unigram "
                                    "vocabulary? supported models: WordPiece, BPE)"));
    const QJsonObject o = in.object(v, key);
    std::vector<std::pair<QString, int>> out;
    out.reserve(size_t(o.size()));
    for (auto it = o.begin(); it != o.end(); ++it) {
        const QJsonValue e = it.value();
        const double d = e.isDouble() ? e.toDouble() : -1.0;
        // The error key is only built on failure (50k entries for GPT-2).
        const int id =
            d >= 0 && d <= double(kMaxId) && d == std::floor(d)
                ? int(d)
                : int(in.integer(e, key + QStringLiteral("[\"%1\"]").arg(it.key()), 0, kMaxId));
        out.emplace_back(it.key(), id);
    }
    return out;
}

/// Fills @p tokens (id → string) from the vocabulary pairs; duplicate ids are an error.
void fillTable(const JsonIn &in, const QString &key,
               const std::vector<std::pair<QString, int>> &vocab, qint64 extraEntries,
               std::vector<QString> &tokens)
{
    int maxId = -1;
    for (const auto &[tok, id] : vocab)
        maxId = std::max(maxId, id);
    // Sparse ids would make the id table huge for a tiny file.
    const qint64 bound = 4 * (qint64(vocab.size()) + extraEntries) + 65536;
    if (maxId >= bound)
        in.fail(
            key,
            QStringLiteral("id %1 is out of range for %2 entries").arg(maxId).arg(vocab.size()));
    tokens.assign(size_t(maxId + 1), QString());
    std::vector<char> used(size_t(maxId + 1), 0);
    for (const auto &[tok, id] : vocab) {
        if (used[size_t(id)])
            in.fail(key, QStringLiteral("id %1 is used by both \"%2\" and \"%3\"")
                             .arg(id)
                             .arg(tokens[size_t(id)], tok));
        used[size_t(id)] = 1;
        tokens[size_t(id)] = tok;
    }
}

QHash<QString, int> vocabHash(const std::vector<std::pair<QString, int>> &vocab)
{
    QHash<QString, int> h;
    h.reserve(qsizetype(vocab.size()));
    for (const auto &[tok, id] : vocab)
        h.insert(tok, id);
    return h;
}

int requireToken(const JsonIn &in, const QHash<QString, int> &vocab, const QString &token,
                 const QString &key, const char *where)
{
    const auto it = vocab.constFind(token);
    if (it == vocab.cend())
        in.fail(key,
                QStringLiteral("token %1 is not in %2").arg(quoted(token), QLatin1String(where)));
    return it.value();
}

void parseMerges(const JsonIn &in, const QJsonValue &v, const QString &key,
                 const QHash<QString, int> &vocab, MergeTable &merges)
{
    const QJsonArray a = in.array(v, key);
    merges.reserve(a.size());
    for (qsizetype i = 0; i < a.size(); ++i) {
        const QJsonValue m = a.at(i);
        QString left, right;
        if (m.isString()) {
            const QString s = m.toString();
            const qsizetype space = s.indexOf(QLatin1Char(' '));
            if (space <= 0 || space + 1 >= s.size() || s.indexOf(QLatin1Char(' '), space + 1) >= 0)
                in.fail(indexKey(key, i), QStringLiteral("expected \"left right\" (two tokens "
                                                         "separated by one space), found %1")
                                              .arg(JsonIn::describe(m)));
            left = s.left(space);
            right = s.mid(space + 1);
        } else if (m.isArray()) {
            const QJsonArray pair = m.toArray();
            const QString k = indexKey(key, i);
            if (pair.size() != 2)
                in.fail(k, QStringLiteral("expected a pair [left, right], found %1 elements")
                               .arg(pair.size()));
            left = in.string(pair.at(0), indexKey(k, 0));
            right = in.string(pair.at(1), indexKey(k, 1));
        } else {
            in.expected(indexKey(key, i), "a merge \"left right\" or [left, right]", m);
        }
        const auto l = vocab.constFind(left), r = vocab.constFind(right),
                   merged = vocab.constFind(left + right);
        if (l == vocab.cend() || r == vocab.cend() || merged == vocab.cend()) {
            const QString k = indexKey(key, i);
            requireToken(in, vocab, left, k, "model.vocab");
            requireToken(in, vocab, right, k, "model.vocab");
            requireToken(in, vocab, left + right, k, "model.vocab");
        }
        merges.insert(l.value(), r.value(), int(i), merged.value());
    }
}

struct PostProcessor {
    std::vector<int> prefix, suffix;
};

PostProcessor parsePostProcessor(const JsonIn &in, const QJsonValue &v, const QString &key,
                                 const std::vector<QString> &tokens)
{
    PostProcessor out;
    if (v.isNull() || v.isUndefined())
        return out;
    const QJsonObject o = in.object(v, key);
    const QString type = in.string(o.value(QLatin1String("type")), joinKey(key, "type"));
    auto checkId = [&](qint64 id, const QString &k) {
        if (id >= qint64(tokens.size()))
            in.fail(k, QStringLiteral("id %1 is out of range (vocabulary size %2)")
                           .arg(id)
                           .arg(tokens.size()));
        return int(id);
    };
    if (type == QLatin1String("ByteLevel"))
        return out;
    if (type == QLatin1String("BertProcessing") || type == QLatin1String("RobertaProcessing")) {
        auto pairId = [&](const char *name) {
            const QString k = joinKey(key, name);
            const QJsonArray pair = in.array(o.value(QLatin1String(name)), k);
            if (pair.size() != 2)
                in.fail(k,
                        QStringLiteral("expected [token, id], found %1 elements").arg(pair.size()));
            in.string(pair.at(0), indexKey(k, 0));
            return checkId(in.integer(pair.at(1), indexKey(k, 1), 0, kMaxId), indexKey(k, 1));
        };
        out.prefix = {pairId("cls")};
        out.suffix = {pairId("sep")};
        return out;
    }
    if (type == QLatin1String("TemplateProcessing")) {
        const QString sk = joinKey(key, "special_tokens");
        const QJsonValue stv = o.value(QLatin1String("special_tokens"));
        const QJsonObject specials = stv.isUndefined() ? QJsonObject() : in.object(stv, sk);
        auto specialIds = [&](const QString &name, const QString &where) {
            if (!specials.contains(name))
                in.fail(
                    where,
                    QStringLiteral("special token %1 is not defined in %2").arg(quoted(name), sk));
            const QString k = sk + QStringLiteral("[\"%1\"]").arg(name);
            const QJsonObject s = in.object(specials.value(name), k);
            const QJsonArray ids =
                in.array(s.value(QLatin1String("ids")), k + QLatin1String(".ids"));
            std::vector<int> r;
            for (qsizetype i = 0; i < ids.size(); ++i)
                r.push_back(checkId(
                    in.integer(ids.at(i), indexKey(k + QLatin1String(".ids"), i), 0, kMaxId),
                    indexKey(k + QLatin1String(".ids"), i)));
            return r;
        };
        const QString k = joinKey(key, "single");
        const QJsonValue single = o.value(QLatin1String("single"));
        // Items: {"SpecialToken": {"id": name}}, {"Sequence": {"id": "A"}}; or the string form
        // "[CLS]:0 $A:0 [SEP]:0".
        std::vector<std::pair<bool, QString>> items; // (isSequence, name)
        if (single.isString()) {
            const QStringList parts = single.toString().split(QLatin1Char(' '), Qt::SkipEmptyParts);
            for (const QString &part : parts) {
                QString name = part;
                const qsizetype colon = name.lastIndexOf(QLatin1Char(':'));
                if (colon > 0)
                    name = name.left(colon);
                if (name.startsWith(QLatin1Char('$')))
                    items.emplace_back(true,
                                       name.mid(1).isEmpty() ? QStringLiteral("A") : name.mid(1));
                else
                    items.emplace_back(false, name);
            }
        } else {
            const QJsonArray a = in.array(single, k);
            for (qsizetype i = 0; i < a.size(); ++i) {
                const QString ik = indexKey(k, i);
                const QJsonObject item = in.object(a.at(i), ik);
                if (item.contains(QLatin1String("SpecialToken"))) {
                    const QJsonObject st = in.object(item.value(QLatin1String("SpecialToken")),
                                                     ik + QLatin1String(".SpecialToken"));
                    items.emplace_back(false, in.string(st.value(QLatin1String("id")),
                                                        ik + QLatin1String(".SpecialToken.id")));
                } else if (item.contains(QLatin1String("Sequence"))) {
                    const QJsonObject sq = in.object(item.value(QLatin1String("Sequence")),
                                                     ik + QLatin1String(".Sequence"));
                    items.emplace_back(true, in.string(sq.value(QLatin1String("id")),
                                                       ik + QLatin1String(".Sequence.id")));
                } else {
                    in.fail(ik, QStringLiteral("expected {\"SpecialToken\": ...} or "
                                               "{\"Sequence\": ...}"));
                }
            }
        }
        int sequences = 0;
        for (const auto &[isSeq, name] : items) {
            if (isSeq) {
                if (name != QLatin1String("A") && name != QLatin1String("0"))
                    in.fail(k, QStringLiteral("a single-sequence template may only use sequence "
                                              "A, found %1")
                                   .arg(quoted(name)));
                ++sequences;
                continue;
            }
            const std::vector<int> ids = specialIds(name, k);
            auto &dst = sequences == 0 ? out.prefix : out.suffix;
            dst.insert(dst.end(), ids.begin(), ids.end());
        }
        if (sequences != 1)
            in.fail(k, QStringLiteral("expected the sequence A exactly once, found it %1 times")
                           .arg(sequences));
        return out;
    }
    if (type == QLatin1String("Sequence")) {
        const QString k = joinKey(key, "processors");
        const QJsonArray a = in.array(o.value(QLatin1String("processors")), k);
        for (qsizetype i = 0; i < a.size(); ++i) {
            const PostProcessor p = parsePostProcessor(in, a.at(i), indexKey(k, i), tokens);
            out.prefix.insert(out.prefix.begin(), p.prefix.begin(), p.prefix.end());
            out.suffix.insert(out.suffix.end(), p.suffix.begin(), p.suffix.end());
        }
        return out;
    }
    in.fail(joinKey(key, "type"),
            QStringLiteral("post-processor type \"%1\" is not supported (supported: "
                           "TemplateProcessing, BertProcessing, RobertaProcessing, ByteLevel, "
                           "Sequence)")
                .arg(type));
}

bool hasType(const QJsonValue &v, const QString &type, int depth = 0)
{
    if (depth > 16)
        return false;
    if (v.isArray()) {
        for (const QJsonValue &e : v.toArray())
            if (hasType(e, type, depth + 1))
                return true;
        return false;
    }
    if (!v.isObject())
        return false;
    const QJsonObject o = v.toObject();
    if (o.value(QLatin1String("type")).toString() == type)
        return true;
    for (const char *list : {"normalizers", "pretokenizers", "decoders"})
        if (hasType(o.value(QLatin1String(list)), type, depth + 1))
            return true;
    return false;
}

bool lowercases(const QJsonValue &normalizer)
{
    if (hasType(normalizer, QStringLiteral("Lowercase")))
        return true;
    const QJsonObject o = normalizer.toObject();
    if (o.value(QLatin1String("type")).toString() == QLatin1String("BertNormalizer"))
        return o.value(QLatin1String("lowercase")).toBool(true);
    for (const QJsonValue &n : o.value(QLatin1String("normalizers")).toArray())
        if (lowercases(n))
            return true;
    return false;
}

std::optional<QString> specialValue(const JsonIn &in, const QJsonValue &v, const QString &key)
{
    if (v.isNull() || v.isUndefined())
        return std::nullopt;
    if (v.isString())
        return v.toString();
    if (v.isObject())
        return in.string(v.toObject().value(QLatin1String("content")),
                         key + QLatin1String(".content"));
    in.expected(key, "a string or {\"content\": ...}", v);
}

} // namespace

// ---------------------------------------------------------------------------------------------

void AddedMatcher::add(const U32 &content, int id, bool singleWord, bool lstrip, bool rstrip)
{
    if (content.empty())
        return;
    m_tokens.push_back({content, id, singleWord, lstrip, rstrip});
    std::vector<int> &list = m_byFirst[content.front()];
    list.push_back(int(m_tokens.size() - 1));
    std::stable_sort(list.begin(), list.end(), [this](int a, int b) {
        return m_tokens[size_t(a)].content.size() > m_tokens[size_t(b)].content.size();
    });
}

std::vector<AddedMatcher::Match> AddedMatcher::find(const U32 &text) const
{
    std::vector<Match> out;
    const size_t n = text.size();
    size_t lastEnd = 0;
    size_t i = 0;
    while (i < n) {
        const auto it = m_byFirst.constFind(text[i]);
        bool matched = false;
        if (it != m_byFirst.cend()) {
            for (int idx : *it) {
                const Entry &e = m_tokens[size_t(idx)];
                const size_t len = e.content.size();
                if (len > n - i || text.compare(i, len, e.content) != 0)
                    continue;
                if (e.singleWord
                    && ((i > 0 && isWordChar(text[i - 1]))
                        || (i + len < n && isWordChar(text[i + len]))))
                    continue;
                size_t b = i, en = i + len;
                if (e.lstrip)
                    while (b > lastEnd && isWhitespace(text[b - 1]))
                        --b;
                if (e.rstrip)
                    while (en < n && isWhitespace(text[en]))
                        ++en;
                out.push_back({b, en, e.id});
                lastEnd = en;
                i = en;
                matched = true;
                break;
            }
        }
        if (!matched)
            ++i;
    }
    return out;
}

TokenizerSettings readSettings(const QByteArray &config, const QString &configFile,
                               const QByteArray &specialMap, const QString &specialMapFile)
{
    TokenizerSettings s;
    if (!config.isEmpty())
        s.config = parseJsonObject(config, configFile);
    QJsonObject map;
    if (!specialMap.isEmpty())
        map = parseJsonObject(specialMap, specialMapFile);
    const JsonIn cin(configFile), min(specialMapFile);
    // special_tokens_map.json overrides tokenizer_config.json (transformers' _from_pretrained).
    for (const char *attr : {"bos_token", "eos_token", "unk_token", "sep_token", "pad_token",
                             "cls_token", "mask_token"}) {
        const QString a = QLatin1String(attr);
        const bool fromMap = map.contains(a);
        const std::optional<QString> v =
            fromMap ? specialValue(min, map.value(a), a) : specialValue(cin, s.config.value(a), a);
        if (!v)
            continue;
        s.special.emplace_back(a, *v);
        if (a == QLatin1String("unk_token"))
            s.unk = v;
        else if (a == QLatin1String("bos_token"))
            s.bos = v;
        else if (a == QLatin1String("eos_token"))
            s.eos = v;
        else if (a == QLatin1String("cls_token"))
            s.cls = v;
        else if (a == QLatin1String("sep_token"))
            s.sep = v;
    }
    const QString addKey = QStringLiteral("additional_special_tokens");
    const bool addFromMap = map.contains(addKey);
    const QJsonValue add = addFromMap ? map.value(addKey) : s.config.value(addKey);
    const JsonIn &ain = addFromMap ? min : cin;
    if (!add.isNull() && !add.isUndefined()) {
        const QJsonArray a = ain.array(add, addKey);
        for (qsizetype i = 0; i < a.size(); ++i)
            if (const auto v = specialValue(ain, a.at(i), indexKey(addKey, i)))
                s.additional.push_back(*v);
    }
    const QJsonValue ml = s.config.value(QLatin1String("model_max_length"));
    if (!ml.isUndefined() && !ml.isNull()) {
        if (!ml.isDouble() || !std::isfinite(ml.toDouble()) || ml.toDouble() < 0)
            cin.expected(QStringLiteral("model_max_length"), "a non-negative number", ml);
        const double d = ml.toDouble();
        s.maxLength = d > 1e20 || d >= double(INT_MAX) ? INT_MAX : int(d);
    }
    if (const auto c = cin.optString(s.config, "tokenizer_class", QString()))
        s.tokenizerClass = *c;
    return s;
}

std::unique_ptr<Tokenizer> assembleTokenizer(HfParts parts, const TokenizerSettings &settings)
{
    // transformers' PreTrainedTokenizerFast adds every special token to the added vocabulary
    // (new ids for strings the vocabulary lacks).
    QHash<QString, int> lookup;
    lookup.reserve(qsizetype(parts.tokens.size()));
    for (size_t id = 0; id < parts.tokens.size(); ++id)
        if (!parts.tokens[id].isEmpty() && !lookup.contains(parts.tokens[id]))
            lookup.insert(parts.tokens[id], int(id));
    QHash<QString, int> addedIndex;
    for (size_t i = 0; i < parts.added.size(); ++i)
        if (!addedIndex.contains(parts.added[i].content)) {
            addedIndex.insert(parts.added[i].content, int(i));
            lookup.insert(parts.added[i].content, parts.added[i].id);
        }
    QStringList all;
    for (const auto &[attr, content] : settings.special)
        if (!all.contains(content))
            all.push_back(content);
    for (const QString &content : settings.additional)
        if (!all.contains(content))
            all.push_back(content);
    for (const QString &content : all) {
        if (content.isEmpty())
            continue;
        if (const auto it = addedIndex.constFind(content); it != addedIndex.cend()) {
            parts.added[size_t(it.value())].special = true;
            continue;
        }
        int id = lookup.value(content, -1);
        if (id < 0) {
            id = int(parts.tokens.size());
            parts.tokens.push_back(content);
            lookup.insert(content, id);
        }
        AddedToken t;
        t.content = content;
        t.id = id;
        t.special = true;
        addedIndex.insert(content, int(parts.added.size()));
        parts.added.push_back(t);
    }
    auto idOf = [&](const std::optional<QString> &tok, const char *attr) {
        if (!tok)
            throw Error(QStringLiteral("%1: %2 is needed by the post-processor but not set in "
                                       "tokenizer_config.json / special_tokens_map.json")
                            .arg(parts.source, QLatin1String(attr)));
        const int id = lookup.value(*tok, -1);
        if (id < 0)
            throw Error(QStringLiteral("%1: %2 %3 is not in the vocabulary")
                            .arg(parts.source, QLatin1String(attr), quoted(*tok)));
        return id;
    };
    if (parts.llamaPost) {
        const QString configName = QStringLiteral("tokenizer_config.json");
        auto flag = [&](const char *name, bool def) {
            const QJsonValue v = settings.config.value(QLatin1String(name));
            if (v.isUndefined() || v.isNull())
                return def;
            if (!v.isBool())
                throw Error(QStringLiteral("%1: key '%2': expected true or false, found %3")
                                .arg(configName, QLatin1String(name), JsonIn::describe(v)));
            return v.toBool();
        };
        parts.prefix.clear();
        parts.suffix.clear();
        if (flag("add_bos_token", true))
            parts.prefix.push_back(idOf(settings.bos, "bos_token"));
        if (flag("add_eos_token", false))
            parts.suffix.push_back(idOf(settings.eos, "eos_token"));
    }

    std::vector<char> special(parts.tokens.size(), 0);
    AddedMatcher raw, normalized;
    for (const AddedToken &t : parts.added) {
        if (t.special)
            special[size_t(t.id)] = 1;
        U32 content = toU32(t.content);
        if (t.normalized && parts.normalizer) {
            parts.normalizer->normalize(content);
            normalized.add(content, t.id, t.singleWord, t.lstrip, t.rstrip);
        } else if (t.normalized) {
            normalized.add(content, t.id, t.singleWord, t.lstrip, t.rstrip);
        } else {
            raw.add(content, t.id, t.singleWord, t.lstrip, t.rstrip);
        }
    }
    std::vector<int> dropped;
    for (const QString &content : all)
        if (!content.isEmpty() && (!settings.unk || content != *settings.unk))
            dropped.push_back(lookup.value(content));
    std::sort(dropped.begin(), dropped.end());
    dropped.erase(std::unique(dropped.begin(), dropped.end()), dropped.end());

    const QString description = QStringLiteral("%1, %2 tokens, %3")
                                    .arg(parts.modelName)
                                    .arg(parts.tokens.size())
                                    .arg(QFileInfo(parts.source).fileName());
    return std::make_unique<HfTokenizer>(std::move(parts), std::move(special), std::move(raw),
                                         std::move(normalized), settings.maxLength,
                                         std::move(dropped), description);
}

} // namespace detail

using namespace detail;

std::unique_ptr<Tokenizer> parseHfTokenizerJson(const QByteArray &tokenizerJson,
                                                const QByteArray &tokenizerConfig,
                                                const QByteArray &specialTokensMap,
                                                const QString &modelType,
                                                const QString &fileForErrors)
{
    const TokenizerSettings settings =
        readSettings(tokenizerConfig, sibling(fileForErrors, "tokenizer_config.json"),
                     specialTokensMap, sibling(fileForErrors, "special_tokens_map.json"));
    const JsonIn in(fileForErrors);
    const QJsonObject root = parseJsonObject(tokenizerJson, fileForErrors);

    HfParts parts;
    parts.source = fileForErrors;
    const QJsonObject model =
        in.object(root.value(QLatin1String("model")), QStringLiteral("model"));
    QString type;
    if (const auto t = in.optString(model, "type", QStringLiteral("model")))
        type = *t;
    else if (model.contains(QLatin1String("merges")))
        type = QStringLiteral("BPE");
    else if (model.value(QLatin1String("vocab")).isArray())
        type = QStringLiteral("Unigram");
    else if (model.contains(QLatin1String("continuing_subword_prefix")))
        type = QStringLiteral("WordPiece");
    else
        type = QStringLiteral("WordLevel");
    if (type != QLatin1String("WordPiece") && type != QLatin1String("BPE"))
        in.fail(QStringLiteral("model.type"),
                QStringLiteral("model type \"%1\" is not supported (supported: WordPiece, BPE)")
                    .arg(type));

    const QString vk = QStringLiteral("model.vocab");
    const std::vector<std::pair<QString, int>> vocab =
        parseVocab(in, model.value(QLatin1String("vocab")), vk);
    const QJsonValue addedV = root.value(QLatin1String("added_tokens"));
    const QJsonArray addedA = addedV.isNull() || addedV.isUndefined()
                                  ? QJsonArray()
                                  : in.array(addedV, QStringLiteral("added_tokens"));
    fillTable(in, vk, vocab, addedA.size(), parts.tokens);
    QHash<QString, int> vocabMap = vocabHash(vocab);

    const QString mk = QStringLiteral("model");
    if (type == QLatin1String("WordPiece")) {
        WordPieceConfig c;
        const QString unk = in.optString(model, "unk_token", mk).value_or(QStringLiteral("[UNK]"));
        c.unkId = requireToken(in, vocabMap, unk, QStringLiteral("model.unk_token"), "model.vocab");
        c.prefix =
            in.optString(model, "continuing_subword_prefix", mk).value_or(QStringLiteral("##"));
        const QJsonValue mx = model.value(QLatin1String("max_input_chars_per_word"));
        if (!mx.isUndefined() && !mx.isNull())
            c.maxInputChars =
                int(in.integer(mx, QStringLiteral("model.max_input_chars_per_word"), 0, 1 << 20));
        parts.wordPiecePrefix = c.prefix;
        c.vocab = std::move(vocabMap);
        parts.model = makeWordPiece(std::move(c));
        parts.decodeStyle = DecodeStyle::WordPiece;
        parts.modelName = lowercases(root.value(QLatin1String("normalizer")))
                              ? QStringLiteral("WordPiece (uncased)")
                              : QStringLiteral("WordPiece (cased)");
    } else {
        BpeConfig c;
        const QJsonValue dropout = model.value(QLatin1String("dropout"));
        if (!dropout.isNull() && !dropout.isUndefined()) {
            if (!dropout.isDouble())
                in.expected(QStringLiteral("model.dropout"), "null or a number", dropout);
            if (dropout.toDouble() != 0.0)
                in.fail(QStringLiteral("model.dropout"),
                        QStringLiteral("BPE dropout %1 is random; only null or 0 is supported")
                            .arg(dropout.toDouble()));
        }
        if (const auto unk = in.optString(model, "unk_token", mk))
            c.unkId =
                requireToken(in, vocabMap, *unk, QStringLiteral("model.unk_token"), "model.vocab");
        c.fuseUnk = in.optBool(model, "fuse_unk", mk, false);
        c.byteFallback = in.optBool(model, "byte_fallback", mk, false);
        c.ignoreMerges = in.optBool(model, "ignore_merges", mk, false);
        c.prefix = in.optString(model, "continuing_subword_prefix", mk).value_or(QString());
        c.suffix = in.optString(model, "end_of_word_suffix", mk).value_or(QString());
        parseMerges(in, model.value(QLatin1String("merges")), QStringLiteral("model.merges"),
                    vocabMap, c.merges);
        c.vocab = std::move(vocabMap);
        const bool byteFallback = c.byteFallback;
        parts.model = makeBpe(std::move(c));
        const bool byteLevel =
            hasType(root.value(QLatin1String("pre_tokenizer")), QStringLiteral("ByteLevel"))
            || hasType(root.value(QLatin1String("decoder")), QStringLiteral("ByteLevel"));
        parts.decodeStyle = byteLevel ? DecodeStyle::ByteLevel : DecodeStyle::SentencePiece;
        parts.modelName = byteLevel      ? QStringLiteral("byte-level BPE")
                          : byteFallback ? QStringLiteral("BPE with byte fallback")
                                         : QStringLiteral("BPE");
    }

    // added_tokens: ids may extend the table; an id already in the vocabulary must hold the same
    // string.
    for (qsizetype i = 0; i < addedA.size(); ++i) {
        const QString k = indexKey(QStringLiteral("added_tokens"), i);
        const QJsonObject o = in.object(addedA.at(i), k);
        AddedToken t;
        const qint64 bound = 4 * (qint64(vocab.size()) + addedA.size()) + 65536;
        t.id = int(in.integer(o.value(QLatin1String("id")), k + QLatin1String(".id"), 0,
                              std::min<qint64>(kMaxId, bound)));
        t.content = in.string(o.value(QLatin1String("content")), k + QLatin1String(".content"));
        if (t.content.isEmpty())
            in.fail(k + QLatin1String(".content"), QStringLiteral("expected a non-empty string"));
        t.special = in.optBool(o, "special", k, false);
        t.singleWord = in.optBool(o, "single_word", k, false);
        t.lstrip = in.optBool(o, "lstrip", k, false);
        t.rstrip = in.optBool(o, "rstrip", k, false);
        t.normalized = in.optBool(o, "normalized", k, !t.special);
        if (size_t(t.id) >= parts.tokens.size())
            parts.tokens.resize(size_t(t.id) + 1);
        QString &slot = parts.tokens[size_t(t.id)];
        if (slot.isEmpty())
            slot = t.content;
        else if (slot != t.content)
            in.fail(k + QLatin1String(".id"),
                    QStringLiteral("id %1 is %2 in the vocabulary but %3 here")
                        .arg(t.id)
                        .arg(quoted(slot), quoted(t.content)));
        parts.added.push_back(std::move(t));
    }

    parts.normalizer =
        parseNormalizer(in, root.value(QLatin1String("normalizer")), QStringLiteral("normalizer"));
    parts.preTokenizer = parsePreTokenizer(in, root.value(QLatin1String("pre_tokenizer")),
                                           QStringLiteral("pre_tokenizer"));
    const PostProcessor post = parsePostProcessor(in, root.value(QLatin1String("post_processor")),
                                                  QStringLiteral("post_processor"), parts.tokens);
    parts.prefix = post.prefix;
    parts.suffix = post.suffix;
    const QString cls = settings.tokenizerClass;
    parts.llamaPost = cls == QLatin1String("LlamaTokenizer")
                      || cls == QLatin1String("LlamaTokenizerFast")
                      || (cls.isEmpty() && modelType == QLatin1String("llama"));
    return assembleTokenizer(std::move(parts), settings);
}

namespace {

QByteArray readWhole(const QString &path, bool optional)
{
    QFile f(path);
    if (!f.exists()) {
        if (optional)
            return {};
        throw Error(QStringLiteral("%1: file not found").arg(path));
    }
    if (!f.open(QIODevice::ReadOnly))
        throw Error(QStringLiteral("%1: cannot open: %2").arg(path, f.errorString()));
    constexpr qint64 kMaxBytes = qint64(1) << 30;
    if (f.size() > kMaxBytes)
        throw Error(QStringLiteral("%1: %2 bytes is too large for a tokenizer file (limit 1 GiB)")
                        .arg(path)
                        .arg(f.size()));
    const QByteArray bytes = f.readAll();
    if (bytes.size() != f.size())
        throw Error(QStringLiteral("%1: read error: %2").arg(path, f.errorString()));
    return bytes;
}

} // namespace

std::unique_ptr<Tokenizer> loadHfTokenizer(const QString &folder, const QString &modelType)
{
    const QDir dir(folder);
    if (!dir.exists())
        throw Error(QStringLiteral("%1: folder not found").arg(folder));
    const QString json = dir.filePath(QStringLiteral("tokenizer.json"));
    const QString configFile = dir.filePath(QStringLiteral("tokenizer_config.json"));
    const QString mapFile = dir.filePath(QStringLiteral("special_tokens_map.json"));
    const QByteArray config = readWhole(configFile, true);
    const QByteArray map = readWhole(mapFile, true);
    if (QFileInfo::exists(json))
        return parseHfTokenizerJson(readWhole(json, false), config, map, modelType, json);
    const TokenizerSettings settings = readSettings(config, configFile, map, mapFile);
    return loadSlowTokenizer(folder, modelType, settings);
}

} // namespace salient::model
