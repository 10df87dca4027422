// The classic tokenizer files, used when a folder has no tokenizer.json: vocab.txt (BERT
// WordPiece, transformers' BertTokenizer) and vocab.json + merges.txt (GPT-2 / RoBERTa byte-level
// BPE, GPT2Tokenizer / RobertaTokenizer).
#include "tokenizer_p.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonParseError>

namespace salient::model::detail {
namespace {

QByteArray readFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        throw Error(QStringLiteral("%1: cannot open: %2").arg(path, f.errorString()));
    if (f.size() > (qint64(1) << 30))
        throw Error(QStringLiteral("%1: too large for a tokenizer file (limit 1 GiB)").arg(path));
    return f.readAll();
}

/// Lines as Python's universal-newline readlines() sees them (\n, \r\n and \r end a line).
QStringList textLines(const QByteArray &bytes)
{
    QString text = QString::fromUtf8(bytes);
    text.replace(QStringLiteral("\r\n"), QStringLiteral("\n"));
    text.replace(QLatin1Char('\r'), QLatin1Char('\n'));
    QStringList lines = text.split(QLatin1Char('\n'));
    if (!lines.isEmpty() && lines.back().isEmpty())
        lines.removeLast(); // the final newline ends the last line, it does not start one
    return lines;
}

bool configBool(const TokenizerSettings &s, const char *name, bool def, const QString &configFile)
{
    const QJsonValue v = s.config.value(QLatin1String(name));
    if (v.isUndefined() || v.isNull())
        return def;
    if (!v.isBool())
        throw Error(QStringLiteral("%1: key '%2': expected true or false, found %3")
                        .arg(configFile, QLatin1String(name), JsonIn::describe(v)));
    return v.toBool();
}

int tokenId(const QHash<QString, int> &vocab, const QString &token, const QString &file,
            const char *role)
{
    const auto it = vocab.constFind(token);
    if (it == vocab.cend())
        throw Error(QStringLiteral("%1: the %2 \"%3\" is not in the vocabulary")
                        .arg(file, QLatin1String(role), token));
    return it.value();
}

std::unique_ptr<Tokenizer> loadVocabTxt(const QString &folder, const TokenizerSettings &s)
{
    const QDir dir(folder);
    const QString file = dir.filePath(QStringLiteral("vocab.txt"));
    const QString configFile = dir.filePath(QStringLiteral("tokenizer_config.json"));
    HfParts parts;
    parts.source = file;
    const QStringList lines = textLines(readFile(file));
    if (lines.isEmpty())
        throw Error(QStringLiteral("%1: empty vocabulary").arg(file));
    WordPieceConfig c;
    parts.tokens.reserve(size_t(lines.size()));
    for (qsizetype i = 0; i < lines.size(); ++i) {
        parts.tokens.push_back(lines[i]);
        c.vocab.insert(lines[i], int(i)); // a repeated line: the last id wins, as in load_vocab
    }
    const bool lower = configBool(s, "do_lower_case", true, configFile);
    const QJsonValue sa = s.config.value(QLatin1String("strip_accents"));
    bool strip = lower;
    if (!sa.isUndefined() && !sa.isNull()) {
        if (!sa.isBool())
            throw Error(QStringLiteral("%1: key 'strip_accents': expected null, true or false, "
                                       "found %2")
                            .arg(configFile, JsonIn::describe(sa)));
        strip = sa.toBool();
    }
    parts.normalizer = makeBertNormalizer(
        true, configBool(s, "tokenize_chinese_chars", true, configFile), strip, lower, true);
    parts.preTokenizer = makeBertPreTokenizer();
    c.unkId = tokenId(c.vocab, s.unk.value_or(QStringLiteral("[UNK]")), file, "unk_token");
    const int cls = tokenId(c.vocab, s.cls.value_or(QStringLiteral("[CLS]")), file, "cls_token");
    const int sep = tokenId(c.vocab, s.sep.value_or(QStringLiteral("[SEP]")), file, "sep_token");
    parts.prefix = {cls};
    parts.suffix = {sep};
    parts.wordPiecePrefix = c.prefix;
    parts.model = makeWordPiece(std::move(c));
    parts.decodeStyle = DecodeStyle::WordPiece;
    parts.modelName =
        lower ? QStringLiteral("WordPiece (uncased)") : QStringLiteral("WordPiece (cased)");
    return assembleTokenizer(std::move(parts), s);
}

std::unique_ptr<Tokenizer> loadVocabJsonMerges(const QString &folder, const QString &modelType,
                                               const TokenizerSettings &s)
{
    const QDir dir(folder);
    const QString vocabFile = dir.filePath(QStringLiteral("vocab.json"));
    const QString mergesFile = dir.filePath(QStringLiteral("merges.txt"));
    const QString configFile = dir.filePath(QStringLiteral("tokenizer_config.json"));
    const JsonIn in(vocabFile);
    QJsonParseError err{};
    const QJsonDocument doc = QJsonDocument::fromJson(readFile(vocabFile), &err);
    if (err.error != QJsonParseError::NoError)
        throw Error(QStringLiteral("%1: not valid JSON at byte %2: %3")
                        .arg(vocabFile)
                        .arg(err.offset)
                        .arg(err.errorString()));
    if (!doc.isObject())
        throw Error(QStringLiteral("%1: expected an object {token: id}").arg(vocabFile));
    const QJsonObject o = doc.object();
    HfParts parts;
    parts.source = vocabFile;
    BpeConfig c;
    int maxId = -1;
    for (auto it = o.begin(); it != o.end(); ++it) {
        const int id = int(in.integer(it.value(), QStringLiteral("\"%1\"").arg(it.key()), 0,
                                      4 * qint64(o.size()) + 65536));
        c.vocab.insert(it.key(), id);
        maxId = std::max(maxId, id);
    }
    parts.tokens.assign(size_t(maxId + 1), QString());
    for (auto it = c.vocab.cbegin(); it != c.vocab.cend(); ++it) {
        QString &slot = parts.tokens[size_t(it.value())];
        if (!slot.isEmpty())
            throw Error(QStringLiteral("%1: id %2 is used by both \"%3\" and \"%4\"")
                            .arg(vocabFile)
                            .arg(it.value())
                            .arg(slot, it.key()));
        slot = it.key();
    }
    const QStringList lines = textLines(readFile(mergesFile));
    int rank = 0;
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QString &line = lines[i];
        if ((i == 0 && line.startsWith(QLatin1String("#version"))) || line.trimmed().isEmpty())
            continue;
        const QStringList pair = line.split(QLatin1Char(' '), Qt::SkipEmptyParts);
        auto where = [&] { return QStringLiteral("%1: line %2").arg(mergesFile).arg(i + 1); };
        if (pair.size() != 2)
            throw Error(
                QStringLiteral("%1: expected \"left right\", found \"%2\"").arg(where(), line));
        auto id = [&](const QString &t) {
            const int v = c.vocab.value(t, -1);
            if (v < 0)
                throw Error(
                    QStringLiteral("%1: token \"%2\" is not in %3").arg(where(), t, vocabFile));
            return v;
        };
        const int left = id(pair[0]);
        const int right = id(pair[1]);
        c.merges.insert(left, right, rank++, id(pair[0] + pair[1]));
    }
    if (s.unk)
        c.unkId = c.vocab.value(*s.unk, -1);
    parts.preTokenizer =
        makeByteLevelPreTokenizer(configBool(s, "add_prefix_space", false, configFile), true);
    const bool roberta =
        s.tokenizerClass.startsWith(QLatin1String("Roberta"))
        || (s.tokenizerClass.isEmpty()
            && (modelType == QLatin1String("roberta") || modelType == QLatin1String("camembert")));
    const QHash<QString, int> &vocab = c.vocab;
    if (roberta) {
        parts.prefix = {tokenId(vocab, s.cls.value_or(s.bos.value_or(QStringLiteral("<s>"))),
                                vocabFile, "cls_token")};
        parts.suffix = {tokenId(vocab, s.sep.value_or(s.eos.value_or(QStringLiteral("</s>"))),
                                vocabFile, "sep_token")};
    } else if (configBool(s, "add_bos_token", false, configFile)) {
        if (!s.bos)
            throw Error(QStringLiteral("%1: add_bos_token is true but bos_token is not set")
                            .arg(configFile));
        parts.prefix = {tokenId(vocab, *s.bos, vocabFile, "bos_token")};
    }
    parts.model = makeBpe(std::move(c));
    parts.decodeStyle = DecodeStyle::ByteLevel;
    parts.modelName = QStringLiteral("byte-level BPE");
    return assembleTokenizer(std::move(parts), s);
}

} // namespace

std::unique_ptr<Tokenizer> loadSlowTokenizer(const QString &folder, const QString &modelType,
                                             const TokenizerSettings &settings)
{
    const QDir dir(folder);
    if (QFileInfo::exists(dir.filePath(QStringLiteral("vocab.txt"))))
        return loadVocabTxt(folder, settings);
    const bool vocabJson = QFileInfo::exists(dir.filePath(QStringLiteral("vocab.json")));
    const bool merges = QFileInfo::exists(dir.filePath(QStringLiteral("merges.txt")));
    if (vocabJson && merges)
        return loadVocabJsonMerges(folder, modelType, settings);
    QStringList found;
    for (const char *name : {"vocab.json", "merges.txt", "tokenizer.model", "spiece.model",
                             "sentencepiece.bpe.model", "vocab.txt"})
        if (QFileInfo::exists(dir.filePath(QLatin1String(name))))
            found.push_back(QLatin1String(name));
    throw Error(QStringLiteral("%1: no supported tokenizer files (supported: tokenizer.json; "
                               "vocab.txt; vocab.json + merges.txt), found %2")
                    .arg(folder, found.isEmpty() ? QStringLiteral("none")
                                                 : found.join(QStringLiteral(", "))));
}

} // namespace salient::model::detail
