// Tokenizers (core/include/salient/model/tokenizer.h) against the golden Hugging Face folders of
// ../shared/spec/golden/models (MODELS.md §4, §5, §7) and llama2.c's tok512.bin; bad inputs.
#include "salient/model/tokenizer.h"
#include "testutil.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <thread>

using namespace salient;
using namespace salient::model;

namespace {

QByteArray readAll(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

void writeAll(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    QVERIFY2(f.open(QIODevice::WriteOnly | QIODevice::Truncate), qPrintable(path));
    QCOMPARE(f.write(bytes), bytes.size());
}

std::vector<int> intVector(const QJsonValue &v)
{
    std::vector<int> out;
    for (const QJsonValue &e : v.toArray())
        out.push_back(e.toInt());
    return out;
}

QString idsText(const std::vector<int> &ids)
{
    QStringList s;
    for (int id : ids)
        s.push_back(QString::number(id));
    return s.join(QLatin1Char(' '));
}

/// NeuroX's context strings (MODELS.md §5 step 1) and the tokens subtracted in step 3.
std::vector<std::pair<QString, int>> contexts(const QString &line)
{
    const QStringList words = line.split(QLatin1Char(' '));
    std::vector<std::pair<QString, int>> out;
    if (words.size() == 1) {
        out.emplace_back(words[0] + QStringLiteral(" a"), 1);
        return out;
    }
    for (qsizetype i = 0; i < words.size(); ++i) {
        if (i == 0)
            out.emplace_back(words[i] + QStringLiteral(" a"), 1);
        else if (i + 1 == words.size())
            out.emplace_back(QStringLiteral("a ") + words[i], 1);
        else
            out.emplace_back(QStringLiteral("a ") + words[i] + QStringLiteral(" a"), 2);
    }
    return out;
}

/// Every check of expected.tokens.json against @p tok.
void checkGolden(const Tokenizer &tok, const QString &expectedFile)
{
    const QJsonObject exp = QJsonDocument::fromJson(readAll(expectedFile)).object();
    QVERIFY2(!exp.isEmpty(), qPrintable(expectedFile));
    QCOMPARE(tok.modelMaxLength(), exp.value(QLatin1String("model_max_length")).toInt());
    const std::vector<int> dropped =
        intVector(exp.value(QLatin1String("special_token_ids_dropped")));
    QCOMPARE(tok.droppedSpecialIds(), dropped);
    const QJsonArray sentences = exp.value(QLatin1String("sentences")).toArray();
    QVERIFY(sentences.size() > 20);
    int truncatedSeen = 0;
    for (const QJsonValue &sv : sentences) {
        const QJsonObject s = sv.toObject();
        const QString text = s.value(QLatin1String("text")).toString();
        const QString where = QStringLiteral("sentence %1 \"%2\"")
                                  .arg(s.value(QLatin1String("index")).toInt())
                                  .arg(text.left(60));
        const std::vector<int> ids = tok.encode(text, true);
        const std::vector<int> expected = intVector(s.value(QLatin1String("input_ids")));
        QVERIFY2(ids == expected, qPrintable(where + QStringLiteral(":\n got      ") + idsText(ids)
                                             + QStringLiteral("\n expected ") + idsText(expected)));
        const QJsonArray tokens = s.value(QLatin1String("input_tokens")).toArray();
        QCOMPARE(qsizetype(ids.size()), tokens.size());
        for (size_t i = 0; i < ids.size(); ++i)
            QVERIFY2(
                tok.idToToken(ids[i]) == tokens.at(qsizetype(i)).toString(),
                qPrintable(where
                           + QStringLiteral(": token %1 is \"%2\", expected \"%3\"")
                                 .arg(i)
                                 .arg(tok.idToToken(ids[i]), tokens.at(qsizetype(i)).toString())));
        if (s.value(QLatin1String("truncated")).toBool()) {
            ++truncatedSeen;
            QCOMPARE(int(ids.size()), tok.modelMaxLength());
            QVERIFY2(tok.encode(text, false).size() > ids.size(), qPrintable(where));
        } else {
            QCOMPARE(tok.encode(text, false), ids);
        }
        // MODELS.md §5 step 3: the per-word counts NeuroX derives from the context strings.
        const auto ctx = contexts(text);
        const QJsonArray words = s.value(QLatin1String("words")).toArray();
        QCOMPARE(qsizetype(ctx.size()), words.size());
        for (size_t w = 0; w < ctx.size(); ++w) {
            std::vector<int> c = tok.encode(ctx[w].first, false);
            std::erase_if(
                c, [&](int id) { return std::binary_search(dropped.begin(), dropped.end(), id); });
            const int count = int(c.size()) - ctx[w].second;
            const int want =
                words.at(qsizetype(w)).toObject().value(QLatin1String("count")).toInt();
            QVERIFY2(count == want, qPrintable(where
                                               + QStringLiteral(": word %1 \"%2\" count %3, "
                                                                "expected %4")
                                                     .arg(w)
                                                     .arg(ctx[w].first)
                                                     .arg(count)
                                                     .arg(want)));
        }
    }
    QCOMPARE(truncatedSeen, 1);
}

QString modelType(const QString &folder)
{
    return QJsonDocument::fromJson(readAll(folder + QStringLiteral("/config.json")))
        .object()
        .value(QLatin1String("model_type"))
        .toString();
}

QByteArray tinyBpeJson(const QByteArray &mergesJson, const QByteArray &extra = {})
{
    return "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0, \"b\": 1, \"ab\": 2, \"<unk>\": "
           "3},"
           " \"merges\": "
           + mergesJson + ", \"unk_token\": \"<unk>\"}" + extra + "}";
}

} // namespace

class TestTokenizer : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void goldenTokenizerJson_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("describe");
        QTest::newRow("tiny-bert")
            << QStringLiteral("tiny-bert")
            << QStringLiteral("WordPiece (uncased), 400 tokens, tokenizer.json");
        QTest::newRow("tiny-gpt2") << QStringLiteral("tiny-gpt2")
                                   << QStringLiteral("byte-level BPE, 497 tokens, tokenizer.json");
        QTest::newRow("tiny-llama")
            << QStringLiteral("tiny-llama")
            << QStringLiteral("BPE with byte fallback, 512 tokens, tokenizer.json");
    }
    void goldenTokenizerJson()
    {
        QFETCH(QString, name);
        QFETCH(QString, describe);
        SALIENT_REQUIRE_SHARED(goldens, "spec/golden/models");
        const QString folder = goldens + QLatin1Char('/') + name;
        const auto tok = loadHfTokenizer(folder, modelType(folder));
        QCOMPARE(tok->describe(), describe);
        checkGolden(*tok, folder + QStringLiteral("/expected.tokens.json"));
    }

    void goldenSlowFiles_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QStringList>("files");
        QTest::newRow("tiny-bert")
            << QStringLiteral("tiny-bert") << QStringList{QStringLiteral("vocab.txt")};
        QTest::newRow("tiny-gpt2")
            << QStringLiteral("tiny-gpt2")
            << QStringList{QStringLiteral("vocab.json"), QStringLiteral("merges.txt")};
    }
    void goldenSlowFiles()
    {
        QFETCH(QString, name);
        QFETCH(QStringList, files);
        SALIENT_REQUIRE_SHARED(goldens, "spec/golden/models");
        const QString folder = goldens + QLatin1Char('/') + name;
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        files << QStringLiteral("tokenizer_config.json")
              << QStringLiteral("special_tokens_map.json");
        for (const QString &f : files)
            QVERIFY(QFile::copy(folder + QLatin1Char('/') + f, tmp.filePath(f)));
        const auto tok = loadHfTokenizer(tmp.path(), modelType(folder));
        QVERIFY2(tok->describe().endsWith(files.front()), qPrintable(tok->describe()));
        checkGolden(*tok, folder + QStringLiteral("/expected.tokens.json"));
    }

    void parseFromBytesMatchesFolder()
    {
        SALIENT_REQUIRE_SHARED(folder, "spec/golden/models/tiny-llama");
        const auto a = loadHfTokenizer(folder, QStringLiteral("llama"));
        const auto b = parseHfTokenizerJson(
            readAll(folder + QStringLiteral("/tokenizer.json")),
            readAll(folder + QStringLiteral("/tokenizer_config.json")),
            readAll(folder + QStringLiteral("/special_tokens_map.json")), QStringLiteral("llama"),
            folder + QStringLiteral("/tokenizer.json"));
        const QString text = QString::fromUtf8("Great \xf0\x9f\x91\x8d job , Zo\xc3\xab !");
        QCOMPARE(a->encode(text, true), b->encode(text, true));
        QCOMPARE(b->vocabSize(), 512);
        // Byte fallback: 👍 is <0xF0><0x9F><0x91><0x8D>.
        const std::vector<int> ids = b->encode(text, false);
        QStringList toks;
        for (int id : ids)
            toks << b->idToToken(id);
        QVERIFY2(
            toks.join(QLatin1Char(' ')).contains(QStringLiteral("<0xF0> <0x9F> <0x91> <0x8D>")),
            qPrintable(toks.join(QLatin1Char(' '))));
        QCOMPARE(b->decode(ids), QLatin1Char(' ') + text);
    }

    void llamaPostProcessorFollowsConfig()
    {
        SALIENT_REQUIRE_SHARED(folder, "spec/golden/models/tiny-llama");
        const QByteArray json = readAll(folder + QStringLiteral("/tokenizer.json"));
        QJsonObject cfg =
            QJsonDocument::fromJson(readAll(folder + QStringLiteral("/tokenizer_config.json")))
                .object();
        cfg[QStringLiteral("add_bos_token")] = false;
        cfg[QStringLiteral("add_eos_token")] = true;
        const auto tok =
            parseHfTokenizerJson(json, QJsonDocument(cfg).toJson(), {}, QStringLiteral("llama"),
                                 QStringLiteral("tokenizer.json"));
        const std::vector<int> ids = tok->encode(QStringLiteral("the cat"), true);
        QVERIFY(!ids.empty());
        QVERIFY(ids.front() != 1);
        QCOMPARE(ids.back(), 2);
        // Truncation keeps model_max_length − 1 text tokens and then adds </s>.
        const std::vector<int> longIds =
            tok->encode(QStringLiteral("the cat ").repeated(200), true);
        QCOMPARE(int(longIds.size()), 128);
        QCOMPARE(longIds.back(), 2);
        // Without a tokenizer_class and for another model type the file's template applies.
        cfg.remove(QStringLiteral("tokenizer_class"));
        const auto other =
            parseHfTokenizerJson(json, QJsonDocument(cfg).toJson(), {}, QStringLiteral("mistral"),
                                 QStringLiteral("tokenizer.json"));
        QCOMPARE(other->encode(QStringLiteral("the cat"), true).front(), 1);
    }

    void llama2cPierre()
    {
        SALIENT_REQUIRE_SHARED(path, "data/model/tok512.bin");
        const auto tok = loadLlama2cTokenizer(path, 512);
        QCOMPARE(tok->vocabSize(), 512);
        QCOMPARE(tok->modelMaxLength(), 512);
        QCOMPARE(tok->droppedSpecialIds(), (std::vector<int>{1, 2}));
        const std::vector<int> ids = tok->encode(QStringLiteral("Pierre"), true);
        QStringList toks;
        for (int id : ids)
            toks << tok->idToToken(id);
        QCOMPARE(toks,
                 (QStringList{QStringLiteral("<s>"), QString(QChar(0x2581)), QStringLiteral("P"),
                              QStringLiteral("i"), QStringLiteral("er"), QStringLiteral("re")}));
        QCOMPARE(tok->decode(ids), QStringLiteral(" Pierre"));
        QCOMPARE(tok->encode(QString(), true), std::vector<int>{1});
        // Characters outside the vocabulary fall back to byte tokens 3 + byte.
        const std::vector<int> snow = tok->encode(QString::fromUtf8("\xe2\x98\x83"), false);
        QCOMPARE(snow, (std::vector<int>{1, ids[1], 3 + 0xE2, 3 + 0x98, 3 + 0x83}));
        QCOMPARE(tok->idToToken(3 + 0xE2), QStringLiteral("<0xE2>"));
    }

    void llama2cRoundTripsPtb()
    {
        SALIENT_REQUIRE_SHARED(path, "data/model/tok512.bin");
        SALIENT_REQUIRE_SHARED(words, "data/ptb_pos.dev.words.txt");
        const auto tok = loadLlama2cTokenizer(path, 512);
        const QStringList lines =
            QString::fromUtf8(readAll(words)).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QVERIFY(lines.size() > 200);
        qint64 tokens = 0;
        for (const QString &line : lines) {
            const std::vector<int> ids = tok->encode(line, true);
            QCOMPARE(ids.front(), 1);
            QVERIFY(std::count(ids.begin(), ids.end(), 1) == 1);
            QCOMPARE(tok->decode(ids), QLatin1Char(' ') + line);
            // data/README.md §3: the line's encoding is the concatenation of its words'.
            std::vector<int> concat{1};
            for (const QString &w : line.split(QLatin1Char(' '))) {
                const std::vector<int> wi = tok->encode(w, false);
                concat.insert(concat.end(), wi.begin() + 1, wi.end());
            }
            QCOMPARE(ids, concat);
            tokens += qint64(ids.size());
        }
        QVERIFY(tokens > 3 * lines.size());
        // Truncation to seq_len: BOS + the first maxLength − 1 tokens.
        const auto short8 = loadLlama2cTokenizer(path, 8);
        const std::vector<int> full = tok->encode(lines.front(), false);
        const std::vector<int> cut = short8->encode(lines.front(), true);
        QCOMPARE(cut, std::vector<int>(full.begin(), full.begin() + 8));
    }

    void concurrentEncodeIsConsistent()
    {
        SALIENT_REQUIRE_SHARED(folder, "spec/golden/models/tiny-gpt2");
        const auto tok = loadHfTokenizer(folder, QStringLiteral("gpt2"));
        const QStringList lines =
            QString::fromUtf8(readAll(folder + QStringLiteral("/sentences.txt")))
                .split(QLatin1Char('\n'));
        std::vector<std::vector<int>> serial;
        for (const QString &l : lines)
            serial.push_back(tok->encode(l, false));
        const auto fresh = loadHfTokenizer(folder, QStringLiteral("gpt2")); // empty cache
        std::vector<std::vector<std::vector<int>>> results(4);
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t)
            threads.emplace_back([&, t] {
                for (const QString &l : lines)
                    results[size_t(t)].push_back(fresh->encode(l, false));
            });
        for (auto &th : threads)
            th.join();
        for (const auto &r : results)
            QVERIFY(r == serial);
    }

    void handWrittenPipelines()
    {
        // GPT-2 regex corner cases through a byte-level BPE without merges: one id per byte.
        const QByteArray json =
            "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0, \"b\": 1, \"\\u0120\": 2, "
            "\"\\u0120a\": 3, \"'\": 4, \"s\": 5, \"'s\": 6, \"\\u010a\": 7, \"1\": 8, \"!\": 9, "
            "\"<x>\": 10},"
            " \"merges\": [[\"\\u0120\", \"a\"], \"' s\"]},"
            " \"pre_tokenizer\": {\"type\": \"ByteLevel\", \"add_prefix_space\": false,"
            " \"use_regex\": true},"
            " \"added_tokens\": [{\"id\": 10, \"content\": \"<x>\", \"special\": true,"
            " \"normalized\": false}]}";
        const auto tok = parseHfTokenizerJson(json, {}, {}, QStringLiteral("gpt2"),
                                              QStringLiteral("t/tokenizer.json"));
        auto tokens = [&](const QString &text) {
            QStringList out;
            for (int id : tok->encode(text, false))
                out << tok->idToToken(id);
            return out.join(QLatin1Char('|'));
        };
        const QString G(QChar(0x120)), C(QChar(0x10a));
        QCOMPARE(tokens(QStringLiteral("a's")), QStringLiteral("a|'s"));
        QCOMPARE(tokens(QStringLiteral("a  a")),
                 QStringLiteral("a|") + G + QStringLiteral("|") + G + QStringLiteral("a"));
        QCOMPARE(tokens(QStringLiteral("a a\n")),
                 QStringLiteral("a|") + G + QStringLiteral("a|") + C);
        QCOMPARE(tokens(QStringLiteral("a<x>b")), QStringLiteral("a|<x>|b"));
        QCOMPARE(tokens(QStringLiteral("!1a")), QStringLiteral("!|1|a"));
        QCOMPARE(tok->decode(tok->encode(QStringLiteral("a  a<x>"), false)),
                 QStringLiteral("a  a"));

        // Metaspace (prepend_scheme first, no split) + byte fallback + fused unknowns.
        const QByteArray sp =
            "{\"model\": {\"type\": \"BPE\", \"byte_fallback\": false, \"fuse_unk\": true,"
            " \"unk_token\": \"<unk>\", \"vocab\": {\"<unk>\": 0, \"\\u2581\": 1, \"a\": 2, "
            "\"\\u2581a\": 3}, \"merges\": [\"\\u2581 a\"]},"
            " \"pre_tokenizer\": {\"type\": \"Metaspace\", \"replacement\": \"\\u2581\","
            " \"prepend_scheme\": \"first\", \"split\": false}}";
        const auto meta = parseHfTokenizerJson(sp, {}, {}, QStringLiteral("t5"),
                                               QStringLiteral("tokenizer.json"));
        QCOMPARE(meta->encode(QStringLiteral("a a"), false), (std::vector<int>{3, 3}));
        QCOMPARE(meta->encode(QStringLiteral("a xyz a"), false), (std::vector<int>{3, 1, 0, 3}));
        // No tokenizer_config.json: model_max_length is unlimited, nothing is truncated.
        QCOMPARE(meta->modelMaxLength(), INT_MAX);
    }

    void addedTokenOptionsAndPostProcessors()
    {
        // "<m>" swallows the whitespace on its left (lstrip); "AB" is matched after the
        // Lowercase normalizer, as "ab" (normalized: true); the post-processor is a Sequence.
        const QByteArray json = tinyBpeJson(
            "[\"a b\"]",
            ", \"normalizer\": {\"type\": \"Lowercase\"}, \"pre_tokenizer\": {\"type\": "
            "\"WhitespaceSplit\"}, \"added_tokens\": [{\"id\": 4, \"content\": \"<m>\", "
            "\"lstrip\": true, \"special\": true, \"normalized\": false}, {\"id\": 5, "
            "\"content\": \"AB\", \"special\": false, \"normalized\": true}], "
            "\"post_processor\": {\"type\": \"Sequence\", \"processors\": [{\"type\": "
            "\"RobertaProcessing\", \"cls\": [\"a\", 0], \"sep\": [\"b\", 1]}, {\"type\": "
            "\"ByteLevel\"}]}");
        const auto tok = parseHfTokenizerJson(json, "{\"model_max_length\": 5}", {}, QString(),
                                              QStringLiteral("tokenizer.json"));
        QCOMPARE(tok->encode(QStringLiteral("a <m>b AB"), false),
                 (std::vector<int>{0, 0, 4, 1, 5, 1}));
        QCOMPARE(tok->encode(QStringLiteral("A B ab"), false), (std::vector<int>{0, 0, 1, 5, 1}));
        // Truncation keeps 5 − 2 tokens between the special ones.
        QCOMPARE(tok->encode(QStringLiteral("a b a b a b"), true),
                 (std::vector<int>{0, 0, 1, 0, 1}));
        QCOMPARE(tok->vocabSize(), 6);
        // An unknown character becomes <unk>; the special "<m>" is skipped by decode.
        QCOMPARE(tok->encode(QStringLiteral("x"), false), (std::vector<int>{0, 3, 1}));
        QCOMPARE(tok->decode({2, 4, 2}), QStringLiteral("abab"));
    }

    void badTokenizerJson_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("needle");
        QTest::newRow("not json") << QByteArray("{\"model\": ") << QStringLiteral("not valid JSON");
        QTest::newRow("array top") << QByteArray("[]") << QStringLiteral("JSON object");
        QTest::newRow("no model") << QByteArray("{}") << QStringLiteral("key 'model'");
        QTest::newRow("unigram")
            << QByteArray("{\"model\": {\"type\": \"Unigram\", \"vocab\": [[\"a\", -1.0]]}}")
            << QStringLiteral("\"Unigram\" is not supported (supported: WordPiece, BPE)");
        QTest::newRow("wordlevel")
            << QByteArray("{\"model\": {\"type\": \"WordLevel\", \"vocab\": {\"a\": 0}}}")
            << QStringLiteral("\"WordLevel\" is not supported (supported: WordPiece, BPE)");
        QTest::newRow("vocab type")
            << QByteArray("{\"model\": {\"type\": \"BPE\", \"vocab\": 3, \"merges\": []}}")
            << QStringLiteral("key 'model.vocab': expected an object");
        QTest::newRow("id type") << tinyBpeJson("[]").replace("\"b\": 1", "\"b\": \"1\"")
                                 << QStringLiteral("key 'model.vocab[\"b\"]': expected an integer");
        QTest::newRow("negative id") << tinyBpeJson("[]").replace("\"b\": 1", "\"b\": -1")
                                     << QStringLiteral("key 'model.vocab[\"b\"]'");
        QTest::newRow("huge id") << tinyBpeJson("[]").replace("\"b\": 1", "\"b\": 9000000")
                                 << QStringLiteral("out of range");
        QTest::newRow("duplicate id") << tinyBpeJson("[]").replace("\"b\": 1", "\"b\": 0")
                                      << QStringLiteral("id 0 is used by both");
        QTest::newRow("merge unknown")
            << tinyBpeJson("[\"a c\"]") << QStringLiteral("key 'model.merges[0]': token \"c\"");
        QTest::newRow("merge result unknown")
            << tinyBpeJson("[\"b a\"]") << QStringLiteral("token \"ba\" is not in model.vocab");
        QTest::newRow("merge shape")
            << tinyBpeJson("[\"a b c\"]") << QStringLiteral("key 'model.merges[0]'");
        QTest::newRow("merge pair")
            << tinyBpeJson("[[\"a\"]]") << QStringLiteral("key 'model.merges[0]'");
        QTest::newRow("merges type") << tinyBpeJson("{}") << QStringLiteral("key 'model.merges'");
        QTest::newRow("unk missing")
            << QByteArray("{\"model\": {\"type\": \"WordPiece\", \"vocab\": {\"a\": 0}}}")
            << QStringLiteral("key 'model.unk_token': token \"[UNK]\"");
        QTest::newRow("normalizer")
            << tinyBpeJson("[]", ", \"normalizer\": {\"type\": \"Precompiled\"}")
            << QStringLiteral("key 'normalizer.type': normalizer type \"Precompiled\"");
        QTest::newRow("regex replace")
            << tinyBpeJson("[]", ", \"normalizer\": {\"type\": \"Replace\", \"pattern\": "
                                 "{\"Regex\": \" +\"}, \"content\": \" \"}")
            << QStringLiteral("key 'normalizer.pattern'");
        QTest::newRow("pre_tokenizer")
            << tinyBpeJson("[]", ", \"pre_tokenizer\": {\"type\": \"Sequence\", \"pretokenizers\": "
                                 "[{\"type\": \"Nope\"}]}")
            << QStringLiteral("key 'pre_tokenizer.pretokenizers[0].type'");
        QTest::newRow("template id")
            << tinyBpeJson("[]", ", \"post_processor\": {\"type\": \"TemplateProcessing\", "
                                 "\"single\": [{\"SpecialToken\": {\"id\": \"X\"}}, {\"Sequence\": "
                                 "{\"id\": \"A\"}}], \"special_tokens\": {\"X\": {\"id\": \"X\", "
                                 "\"ids\": [77]}}}")
            << QStringLiteral("id 77 is out of range");
        QTest::newRow("template name")
            << tinyBpeJson("[]", ", \"post_processor\": {\"type\": \"TemplateProcessing\", "
                                 "\"single\": [{\"SpecialToken\": {\"id\": \"Y\"}}, {\"Sequence\": "
                                 "{\"id\": \"A\"}}], \"special_tokens\": {}}")
            << QStringLiteral("special token \"Y\" is not defined");
        QTest::newRow("added clash")
            << tinyBpeJson("[]", ", \"added_tokens\": [{\"id\": 0, \"content\": \"zz\"}]")
            << QStringLiteral("key 'added_tokens[0].id': id 0 is \"a\"");
        QTest::newRow("added type")
            << tinyBpeJson("[]", ", \"added_tokens\": [{\"id\": 4, \"content\": 5}]")
            << QStringLiteral("key 'added_tokens[0].content': expected a string");
        QTest::newRow("dropout") << tinyBpeJson("[]").replace("\"unk_token\"",
                                                              "\"dropout\": 0.1, \"unk_token\"")
                                 << QStringLiteral("key 'model.dropout'");
    }
    void badTokenizerJson()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, needle);
        const QString err = test::errorOf([&] {
            parseHfTokenizerJson(json, {}, {}, QStringLiteral("gpt2"),
                                 QStringLiteral("/m/tokenizer.json"));
        });
        QVERIFY2(err.startsWith(QStringLiteral("/m/tokenizer.json: ")), qPrintable(err));
        QVERIFY2(err.contains(needle), qPrintable(err));
    }

    void badConfigFiles()
    {
        const QByteArray json = tinyBpeJson("[]");
        QString err = test::errorOf([&] {
            parseHfTokenizerJson(json, "{\"model_max_length\": \"x\"}", {}, QString(),
                                 QStringLiteral("/m/tokenizer.json"));
        });
        QVERIFY2(err.startsWith(QStringLiteral("/m/tokenizer_config.json: key 'model_max_length'")),
                 qPrintable(err));
        err = test::errorOf([&] {
            parseHfTokenizerJson(json, {}, "{\"unk_token\": 3}", QString(),
                                 QStringLiteral("/m/tokenizer.json"));
        });
        QVERIFY2(err.startsWith(QStringLiteral("/m/special_tokens_map.json: key 'unk_token'")),
                 qPrintable(err));
        err = test::errorOf([&] {
            parseHfTokenizerJson(json, "{", {}, QString(), QStringLiteral("/m/tokenizer.json"));
        });
        QVERIFY2(err.startsWith(QStringLiteral("/m/tokenizer_config.json: not valid JSON")),
                 qPrintable(err));
        // A special token missing from the vocabulary gets a new id (as transformers adds it).
        const auto tok = parseHfTokenizerJson(json, "{\"model_max_length\": 1e30}",
                                              "{\"mask_token\": {\"content\": \"<mask>\"}}",
                                              QString(), QStringLiteral("tokenizer.json"));
        QCOMPARE(tok->vocabSize(), 5);
        QCOMPARE(tok->idToToken(4), QStringLiteral("<mask>"));
        QCOMPARE(tok->droppedSpecialIds(), std::vector<int>{4});
        QCOMPARE(tok->encode(QStringLiteral("ab<mask>a"), true), (std::vector<int>{0, 1, 4, 0}));
        QCOMPARE(tok->modelMaxLength(), INT_MAX);
    }

    void badFolders()
    {
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        QString err = test::errorOf([&] { loadHfTokenizer(tmp.path(), QStringLiteral("bert")); });
        QVERIFY2(err.contains(QStringLiteral("no supported tokenizer files")), qPrintable(err));
        writeAll(tmp.filePath(QStringLiteral("tokenizer.model")), "x");
        err = test::errorOf([&] { loadHfTokenizer(tmp.path(), QStringLiteral("llama")); });
        QVERIFY2(err.contains(QStringLiteral("found tokenizer.model")), qPrintable(err));
        writeAll(tmp.filePath(QStringLiteral("vocab.json")), "{\"a\": 0, \"b\": 1}");
        writeAll(tmp.filePath(QStringLiteral("merges.txt")), "#version: 0.2\na c\n");
        err = test::errorOf([&] { loadHfTokenizer(tmp.path(), QStringLiteral("gpt2")); });
        QVERIFY2(err.contains(QStringLiteral("merges.txt: line 2: token \"c\"")), qPrintable(err));
        writeAll(tmp.filePath(QStringLiteral("vocab.txt")), "a\nb\n");
        err = test::errorOf([&] { loadHfTokenizer(tmp.path(), QStringLiteral("bert")); });
        QVERIFY2(err.contains(QStringLiteral("vocab.txt: the unk_token \"[UNK]\"")),
                 qPrintable(err));
    }

    void badLlama2cFiles()
    {
        auto header = [](qint32 maxLen) {
            return QByteArray(reinterpret_cast<const char *>(&maxLen), 4);
        };
        auto token = [](float score, qint32 len, const QByteArray &bytes) {
            return QByteArray(reinterpret_cast<const char *>(&score), 4)
                   + QByteArray(reinterpret_cast<const char *>(&len), 4) + bytes;
        };
        QByteArray valid =
            header(6) + token(0, 5, "<unk>") + token(0, 3, "<s>") + token(0, 4, "</s>");
        for (int b = 0; b < 256; ++b)
            valid += token(
                0, 6, "<0x" + QByteArray::number(b, 16).rightJustified(2, '0').toUpper() + ">");
        valid += token(-1, 1, "a") + token(-2, 1, "b") + token(-0.5f, 2, "ab");
        const auto tok = parseLlama2cTokenizer(valid, 16, QStringLiteral("t.bin"));
        QCOMPARE(tok->vocabSize(), 262);
        QCOMPARE(tok->encode(QStringLiteral("ab"), false), (std::vector<int>{1, 3 + ' ', 261}));

        auto check = [](const QByteArray &bytes, const QString &needle) {
            const QString err =
                test::errorOf([&] { parseLlama2cTokenizer(bytes, 16, QStringLiteral("t.bin")); });
            QVERIFY2(err.startsWith(QStringLiteral("t.bin: ")) && err.contains(needle),
                     qPrintable(err + QStringLiteral(" / expected: ") + needle));
        };
        check(QByteArray("\x01\x00", 2), QStringLiteral("truncated at byte 0"));
        check(header(-3), QStringLiteral("byte 0: max_token_length -3"));
        check(valid.left(valid.size() - 1),
              QStringLiteral("truncated at byte %1: token 261 needs 2 "
                             "bytes, 1 left")
                  .arg(valid.size() - 2));
        check(valid.left(valid.size() - 7), QStringLiteral("token 261 needs a float32 score"));
        check(header(6) + token(0, -5, {}), QStringLiteral("byte 8: token 0 has length -5"));
        check(header(6) + token(0, 600, {}), QStringLiteral("token 0 has length 600"));
        check(header(6) + token(0, 1, "a"), QStringLiteral("1 tokens; expected at least 259"));
        QByteArray badByte = valid;
        badByte.replace("<0x41>", "<0x99>");
        check(badByte, QStringLiteral("token 68 is \"<0x99>\""));
        QByteArray nanScore = valid;
        const float nan = std::numeric_limits<float>::quiet_NaN();
        nanScore.replace(4, 4, QByteArray(reinterpret_cast<const char *>(&nan), 4));
        check(nanScore, QStringLiteral("byte 4: token 0 has a non-finite score"));
        const QString err =
            test::errorOf([] { loadLlama2cTokenizer(QStringLiteral("/nonexistent/tok.bin"), 8); });
        QVERIFY2(err.startsWith(QStringLiteral("/nonexistent/tok.bin: cannot open")),
                 qPrintable(err));
    }
};

QTEST_GUILESS_MAIN(TestTokenizer)
#include "tst_tokenizer.moc"
