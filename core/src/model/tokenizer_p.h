#pragma once
// Private to core/src/model: the building blocks of the Hugging Face tokenizer pipeline
// (MODELS.md §4) — normalizers, pre-tokenizers, WordPiece/BPE models, added-token matching — and
// the JSON helpers that turn tokenizer.json into them. All components are immutable after
// construction except the BPE piece cache, which is guarded by a mutex (encode() is thread-safe).
#include "salient/model/tokenizer.h"
#include "unicode_p.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>

#include <climits>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace salient::model::detail {

// ---------------------------------------------------------------------------------------------
// JSON access with errors "<file>: key '<path>': expected <what>, found <what>".

class JsonIn {
public:
    explicit JsonIn(QString file) : m_file(std::move(file)) {}
    const QString &file() const { return m_file; }

    [[noreturn]] void fail(const QString &key, const QString &message) const;
    [[noreturn]] void expected(const QString &key, const char *what, const QJsonValue &found) const;
    static QString describe(const QJsonValue &v);

    QJsonObject object(const QJsonValue &v, const QString &key) const;
    QJsonArray array(const QJsonValue &v, const QString &key) const;
    QString string(const QJsonValue &v, const QString &key) const;
    /// An integer in [lo, hi] (JSON numbers without fraction).
    qint64 integer(const QJsonValue &v, const QString &key, qint64 lo, qint64 hi) const;
    bool boolean(const QJsonValue &v, const QString &key) const;
    /// Member @p name of @p o; absent or null → @p def.
    bool optBool(const QJsonObject &o, const char *name, const QString &path, bool def) const;
    /// Member @p name of @p o as a string; absent or null → nullopt.
    std::optional<QString> optString(const QJsonObject &o, const char *name,
                                     const QString &path) const;

private:
    QString m_file;
};

QString joinKey(const QString &path, const char *name);
QString indexKey(const QString &path, qsizetype i);
/// The non-empty literal of member "pattern" of @p o, which must be {"String": ...} (Replace
/// normalizers and Split pre-tokenizers; regex patterns are refused naming the key).
U32 stringPattern(const JsonIn &in, const QJsonObject &o, const QString &key);

// ---------------------------------------------------------------------------------------------
// Pipeline pieces.

/// A piece of text between pipeline stages. @c atStart: it begins at offset 0 of the original
/// text (Metaspace's prepend_scheme "first" prepends only there).
struct Piece {
    U32 text;
    bool atStart = false;
};

class Normalizer {
public:
    virtual ~Normalizer() = default;
    virtual void normalize(U32 &text) const = 0;
};

class PreTokenizer {
public:
    virtual ~PreTokenizer() = default;
    /// Replaces @p pieces by their splits; empty pieces are dropped.
    virtual void split(std::vector<Piece> &pieces) const = 0;
};

class Model {
public:
    virtual ~Model() = default;
    /// Appends the ids of one pre-tokenized piece to @p out.
    virtual void tokenize(const U32 &piece, std::vector<int> &out) const = 0;
};

std::unique_ptr<Normalizer> parseNormalizer(const JsonIn &in, const QJsonValue &v,
                                            const QString &key);
std::unique_ptr<PreTokenizer> parsePreTokenizer(const JsonIn &in, const QJsonValue &v,
                                                const QString &key);

/// BertNormalizer (MODELS.md §4.2); @p nfc adds the slow BertTokenizer's NFC step (after
/// cleaning and CJK spacing).
std::unique_ptr<Normalizer> makeBertNormalizer(bool cleanText, bool chineseChars, bool stripAccents,
                                               bool lowercase, bool nfc);
std::unique_ptr<PreTokenizer> makeBertPreTokenizer();
std::unique_ptr<PreTokenizer> makeByteLevelPreTokenizer(bool addPrefixSpace, bool useRegex);
/// Splits @p text into GPT-2 regex pieces (MODELS.md §4.3), as [begin, end) index pairs.
void gpt2Split(const U32 &text, std::vector<std::pair<size_t, size_t>> &out);

// ---------------------------------------------------------------------------------------------
// Models.

struct WordPieceConfig {
    QHash<QString, int> vocab;
    int unkId = 0;
    QString prefix = QStringLiteral("##");
    int maxInputChars = 100;
};
std::unique_ptr<Model> makeWordPiece(WordPieceConfig c);

/// Pair → (rank, merged id) for BPE merging; lower rank merges first, ties leftmost first.
class MergeTable {
public:
    struct Entry {
        int rank;
        int id;
    };
    void insert(int left, int right, int rank, int id); ///< keeps the first entry of a pair
    const Entry *find(int left, int right) const
    {
        const auto it = m_map.constFind(key(left, right));
        return it == m_map.cend() ? nullptr : &it.value();
    }
    qsizetype size() const { return m_map.size(); }
    void reserve(qsizetype n) { m_map.reserve(n); }

private:
    static quint64 key(int l, int r) { return (quint64(quint32(l)) << 32) | quint32(r); }
    QHash<quint64, Entry> m_map;
};

/// Merges @p ids in place: repeatedly the adjacent pair with the lowest rank, leftmost first
/// among equal ranks (tokenizers' word.rs merge_all; llama2.c's highest-score loop when ranks
/// are dense score ranks). O(n log n).
void applyMerges(std::vector<int> &ids, const MergeTable &merges);

struct BpeConfig {
    QHash<QString, int> vocab;
    MergeTable merges;
    int unkId = -1; ///< -1: unknown characters are dropped (tokenizers without unk_token)
    bool fuseUnk = false;
    bool byteFallback = false;
    bool ignoreMerges = false;
    QString prefix; ///< continuing_subword_prefix
    QString suffix; ///< end_of_word_suffix
};
std::unique_ptr<Model> makeBpe(BpeConfig c);

// ---------------------------------------------------------------------------------------------
// Added tokens: cut out of the text before normalization (normalized=false) or after it.

struct AddedToken {
    QString content;
    int id = 0;
    bool special = false;
    bool singleWord = false;
    bool lstrip = false;
    bool rstrip = false;
    bool normalized = false;
};

class AddedMatcher {
public:
    struct Match {
        size_t begin, end; ///< code points of the text, lstrip/rstrip whitespace included
        int id;
    };
    /// @p contents are matched as given (already normalized when matching normalized text).
    void add(const U32 &content, int id, bool singleWord, bool lstrip, bool rstrip);
    bool empty() const { return m_tokens.empty(); }
    /// Leftmost-longest non-overlapping matches in @p text, in order.
    std::vector<Match> find(const U32 &text) const;

private:
    struct Entry {
        U32 content;
        int id;
        bool singleWord, lstrip, rstrip;
    };
    std::vector<Entry> m_tokens;
    QHash<char32_t, std::vector<int>> m_byFirst; ///< first code point → entries, longest first
};

// ---------------------------------------------------------------------------------------------
// The assembled Hugging Face tokenizer.

enum class DecodeStyle { WordPiece, ByteLevel, SentencePiece };

struct HfParts {
    QString source; ///< file named in describe() ("tokenizer.json", "vocab.txt", ...)
    QString modelName;
    std::vector<QString> tokens; ///< id → string; holes are empty
    std::vector<AddedToken> added;
    std::unique_ptr<Normalizer> normalizer;
    std::unique_ptr<PreTokenizer> preTokenizer;
    std::unique_ptr<Model> model;
    std::vector<int> prefix, suffix; ///< post-processor special tokens around one sequence
    /// LlamaTokenizerFast: the post-processor is rebuilt from add_bos_token / add_eos_token.
    bool llamaPost = false;
    DecodeStyle decodeStyle = DecodeStyle::SentencePiece;
    QString wordPiecePrefix;
};

/// tokenizer_config.json + special_tokens_map.json (MODELS.md §4.1).
struct TokenizerSettings {
    QJsonObject config;                               ///< tokenizer_config.json (empty when absent)
    std::vector<std::pair<QString, QString>> special; ///< attribute → content, §4.1 order
    QStringList additional;                           ///< additional_special_tokens
    std::optional<QString> unk, bos, eos, cls, sep;
    int maxLength = INT_MAX;
    QString tokenizerClass;
};
TokenizerSettings readSettings(const QByteArray &config, const QString &configFile,
                               const QByteArray &specialMap, const QString &specialMapFile);

/// Finishes @p parts: registers the special tokens (adding missing ones as new ids, as
/// transformers does), builds the matchers, dropped ids and description.
std::unique_ptr<Tokenizer> assembleTokenizer(HfParts parts, const TokenizerSettings &settings);

/// The slow-file tokenizers (vocab.txt; vocab.json + merges.txt) of @p folder.
std::unique_ptr<Tokenizer> loadSlowTokenizer(const QString &folder, const QString &modelType,
                                             const TokenizerSettings &settings);

} // namespace salient::model::detail
