// Writes small valid seed inputs for the fuzz targets (docs/robustness.md, "Fuzzing"):
//   make_seeds OUTDIR  →  OUTDIR/{hdf5_activations,jsonl_activations,text_corpus,session,
//                                 safetensors,model_config,tokenizer_json}/*
// Built with the targets; `cmake --build build-fuzz --target fuzz_seeds` runs it.
#include "salient/io/activationstore.h"
#include "salient/session/session.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <cstdio>

using namespace salient;

namespace {

void writeBytes(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(bytes) != bytes.size())
        throw Error(QStringLiteral("%1: cannot write").arg(path));
}

QByteArray readBytes(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        throw Error(QStringLiteral("%1: cannot read").arg(path));
    return f.readAll();
}

std::vector<RowMatrixF> sentences(const std::vector<int> &words, int layers, int dims)
{
    std::vector<RowMatrixF> out;
    for (size_t i = 0; i < words.size(); ++i) {
        RowMatrixF m(words[i], layers * dims);
        for (Index r = 0; r < m.rows(); ++r)
            for (Index c = 0; c < m.cols(); ++c)
                m(r, c) = float(int(i) * 10 + int(r)) + float(c) * 0.25f - 1.5f;
        out.push_back(std::move(m));
    }
    return out;
}

QByteArray jsonlLine(int index, const QStringList &tokens, int layers, int dims)
{
    QByteArray s = "{\"linex_index\": " + QByteArray::number(index) + ", \"features\": [";
    for (int t = 0; t < tokens.size(); ++t) {
        if (t)
            s += ", ";
        s += "{\"token\": \"" + tokens[t].toUtf8() + "\", \"layers\": [";
        for (int l = 0; l < layers; ++l) {
            if (l)
                s += ", ";
            s += "{\"index\": " + QByteArray::number(l) + ", \"values\": [";
            for (int d = 0; d < dims; ++d) {
                if (d)
                    s += ", ";
                s += QByteArray::number(double(t) - 0.5 * d + l, 'g', 6);
            }
            s += "]}";
        }
        s += "]}";
    }
    return s + "]}\n";
}

// Tokenizer seeds (fuzz_tokenizer_json): tokenizer.json \0 tokenizer_config.json \0
// special_tokens_map.json \0 model_type, small hand-made vocabularies of each supported kind.
QString S(const char *s)
{
    return QString::fromUtf8(s);
}

QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QJsonObject addedToken(int id, const QString &content)
{
    return QJsonObject{{QStringLiteral("id"), id},
                       {QStringLiteral("content"), content},
                       {QStringLiteral("single_word"), false},
                       {QStringLiteral("lstrip"), false},
                       {QStringLiteral("rstrip"), false},
                       {QStringLiteral("normalized"), false},
                       {QStringLiteral("special"), true}};
}

QJsonObject typed(const char *type, QJsonObject o = {})
{
    o[QStringLiteral("type")] = QLatin1String(type);
    return o;
}

QByteArray tokenizerSeed(const QJsonObject &tokenizer, const QJsonObject &config,
                         const QJsonObject &specialMap, const char *modelType)
{
    const QByteArray nul(1, '\0');
    return compact(tokenizer) + nul + compact(config) + nul + compact(specialMap) + nul
           + QByteArray(modelType);
}

void writeTokenizerSeeds(const QString &dir)
{
    const QString L = QStringLiteral("\u2581");
    // WordPiece (BERT): BertNormalizer, BertPreTokenizer, TemplateProcessing.
    {
        QJsonObject vocab;
        const QStringList toks = {S("[PAD]"),  S("[UNK]"), S("[CLS]"), S("[SEP]"),
                                  S("[MASK]"), S("the"),   S("c"),     S("##a"),
                                  S("##f"),    S("##e"),   S("s"),     S("##er"),
                                  S("."),      S("a"),     S("n"),     S("##i")};
        for (int i = 0; i < toks.size(); ++i)
            vocab[toks[i]] = i;
        QJsonArray added;
        for (int i = 0; i < 5; ++i)
            added.append(addedToken(i, toks[i]));
        auto special = [](const QString &t) {
            return QJsonObject{
                {QStringLiteral("SpecialToken"),
                 QJsonObject{{QStringLiteral("id"), t}, {QStringLiteral("type_id"), 0}}}};
        };
        const QJsonArray single = {
            special(S("[CLS]")),
            QJsonObject{{QStringLiteral("Sequence"), QJsonObject{{QStringLiteral("id"), S("A")},
                                                                 {QStringLiteral("type_id"), 0}}}},
            special(S("[SEP]"))};
        QJsonObject specials{{QStringLiteral("[CLS]"),
                              QJsonObject{{QStringLiteral("id"), S("[CLS]")},
                                          {QStringLiteral("ids"), QJsonArray{2}},
                                          {QStringLiteral("tokens"), QJsonArray{S("[CLS]")}}}},
                             {QStringLiteral("[SEP]"),
                              QJsonObject{{QStringLiteral("id"), S("[SEP]")},
                                          {QStringLiteral("ids"), QJsonArray{3}},
                                          {QStringLiteral("tokens"), QJsonArray{S("[SEP]")}}}}};
        const QJsonObject tok{
            {QStringLiteral("version"), S("1.0")},
            {QStringLiteral("added_tokens"), added},
            {QStringLiteral("normalizer"),
             typed("BertNormalizer", {{QStringLiteral("clean_text"), true},
                                      {QStringLiteral("handle_chinese_chars"), true},
                                      {QStringLiteral("strip_accents"), QJsonValue()},
                                      {QStringLiteral("lowercase"), true}})},
            {QStringLiteral("pre_tokenizer"), typed("BertPreTokenizer")},
            {QStringLiteral("post_processor"),
             typed("TemplateProcessing", {{QStringLiteral("single"), single},
                                          {QStringLiteral("special_tokens"), specials}})},
            {QStringLiteral("model"),
             typed("WordPiece", {{QStringLiteral("unk_token"), S("[UNK]")},
                                 {QStringLiteral("continuing_subword_prefix"), S("##")},
                                 {QStringLiteral("max_input_chars_per_word"), 100},
                                 {QStringLiteral("vocab"), vocab}})}};
        const QJsonObject config{{QStringLiteral("model_max_length"), 16},
                                 {QStringLiteral("do_lower_case"), true}};
        const QJsonObject map{{QStringLiteral("cls_token"), S("[CLS]")},
                              {QStringLiteral("sep_token"), S("[SEP]")},
                              {QStringLiteral("unk_token"), S("[UNK]")},
                              {QStringLiteral("pad_token"), S("[PAD]")},
                              {QStringLiteral("mask_token"), S("[MASK]")}};
        writeBytes(dir + QStringLiteral("wordpiece"), tokenizerSeed(tok, config, map, "bert"));
    }
    // Byte-level BPE (GPT-2): all 256 byte characters, "a b" merges, ByteLevel everywhere.
    {
        QJsonObject vocab;
        int next = 0;
        auto byteChar = [](int b) {
            const bool direct = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE;
            int n = 0;
            for (int c = 0; c < b; ++c)
                n += !((c >= 0x21 && c <= 0x7E) || (c >= 0xA1 && c <= 0xAC) || c >= 0xAE);
            return direct ? QString(QChar(b)) : QString(QChar(0x100 + n));
        };
        for (int b = 0; b < 256; ++b)
            vocab[byteChar(b)] = next++;
        const QString G = byteChar(' ');
        const QJsonArray merges = {G + S(" t"), S("h e"), G + S("t h"), G + S("th e"), S("i n")};
        QStringList results = {G + S("t"), S("he"), G + S("th"), G + S("the"), S("in")};
        for (const QString &r : results)
            vocab[r] = next++;
        vocab[QStringLiteral("<|endoftext|>")] = next;
        const QJsonObject bl{{QStringLiteral("add_prefix_space"), false},
                             {QStringLiteral("trim_offsets"), true},
                             {QStringLiteral("use_regex"), true}};
        const QJsonObject tok{
            {QStringLiteral("added_tokens"), QJsonArray{addedToken(next, S("<|endoftext|>"))}},
            {QStringLiteral("normalizer"), QJsonValue()},
            {QStringLiteral("pre_tokenizer"), typed("ByteLevel", bl)},
            {QStringLiteral("post_processor"), typed("ByteLevel", bl)},
            {QStringLiteral("decoder"), typed("ByteLevel", bl)},
            {QStringLiteral("model"), typed("BPE", {{QStringLiteral("dropout"), QJsonValue()},
                                                    {QStringLiteral("unk_token"), QJsonValue()},
                                                    {QStringLiteral("fuse_unk"), false},
                                                    {QStringLiteral("byte_fallback"), false},
                                                    {QStringLiteral("vocab"), vocab},
                                                    {QStringLiteral("merges"), merges}})}};
        const QJsonObject config{{QStringLiteral("model_max_length"), 8},
                                 {QStringLiteral("tokenizer_class"), S("GPT2Tokenizer")}};
        const QJsonObject map{{QStringLiteral("bos_token"), S("<|endoftext|>")},
                              {QStringLiteral("eos_token"), S("<|endoftext|>")},
                              {QStringLiteral("unk_token"), S("<|endoftext|>")}};
        writeBytes(dir + QStringLiteral("bytelevel"), tokenizerSeed(tok, config, map, "gpt2"));
    }
    // SentencePiece-style BPE with byte fallback (Llama, legacy normalizer), merges as pairs.
    {
        QJsonObject vocab{
            {QStringLiteral("<unk>"), 0}, {QStringLiteral("<s>"), 1}, {QStringLiteral("</s>"), 2}};
        for (int b = 0; b < 256; ++b)
            vocab[QStringLiteral("<0x%1>")
                      .arg(b, 2, 16, QLatin1Char('0'))
                      .toUpper()
                      .replace(QStringLiteral("<0X"), QStringLiteral("<0x"))] = 3 + b;
        int next = 259;
        for (const QString &t :
             {L, QStringLiteral("t"), QStringLiteral("h"), QStringLiteral("e"), QStringLiteral("a"),
              L + S("t"), L + S("a"), S("he"), L + S("the")})
            vocab[t] = next++;
        vocab[L + S("th")] = next++;
        const QJsonArray merges = {QJsonArray{L, S("t")}, QJsonArray{L, S("a")},
                                   QJsonArray{S("h"), S("e")}, QJsonArray{L + S("t"), S("h")},
                                   QJsonArray{L + S("th"), S("e")}};
        const QJsonObject tok{
            {QStringLiteral("added_tokens"),
             QJsonArray{addedToken(0, S("<unk>")), addedToken(1, S("<s>")),
                        addedToken(2, S("</s>"))}},
            {QStringLiteral("normalizer"),
             typed("Sequence",
                   {{QStringLiteral("normalizers"),
                     QJsonArray{typed("Prepend", {{QStringLiteral("prepend"), L}}),
                                typed("Replace", {{QStringLiteral("pattern"),
                                                   QJsonObject{{QStringLiteral("String"), S(" ")}}},
                                                  {QStringLiteral("content"), L}})}}})},
            {QStringLiteral("pre_tokenizer"), QJsonValue()},
            {QStringLiteral("model"), typed("BPE", {{QStringLiteral("unk_token"), S("<unk>")},
                                                    {QStringLiteral("fuse_unk"), true},
                                                    {QStringLiteral("byte_fallback"), true},
                                                    {QStringLiteral("vocab"), vocab},
                                                    {QStringLiteral("merges"), merges}})}};
        const QJsonObject config{{QStringLiteral("model_max_length"), 12},
                                 {QStringLiteral("add_bos_token"), true},
                                 {QStringLiteral("add_eos_token"), false},
                                 {QStringLiteral("tokenizer_class"), S("LlamaTokenizer")}};
        const QJsonObject map{{QStringLiteral("bos_token"), S("<s>")},
                              {QStringLiteral("eos_token"), S("</s>")},
                              {QStringLiteral("unk_token"), S("<unk>")}};
        writeBytes(dir + QStringLiteral("bytefallback"), tokenizerSeed(tok, config, map, "llama"));
        // The same model behind a Metaspace pre-tokenizer (newer conversions) and a
        // RobertaProcessing post-processor, with a Sequence of pre-tokenizers.
        QJsonObject meta = tok;
        meta[QStringLiteral("normalizer")] = typed("NFC");
        meta[QStringLiteral("pre_tokenizer")] = typed(
            "Sequence",
            {{QStringLiteral("pretokenizers"),
              QJsonArray{typed("Metaspace", {{QStringLiteral("replacement"), L},
                                             {QStringLiteral("prepend_scheme"), S("first")},
                                             {QStringLiteral("split"), true}}),
                         typed("Digits", {{QStringLiteral("individual_digits"), true}}),
                         typed("Punctuation", {{QStringLiteral("behavior"), S("Contiguous")}})}}});
        meta[QStringLiteral("post_processor")] =
            typed("RobertaProcessing", {{QStringLiteral("cls"), QJsonArray{S("<s>"), 1}},
                                        {QStringLiteral("sep"), QJsonArray{S("</s>"), 2}}});
        writeBytes(dir + QStringLiteral("metaspace"),
                   tokenizerSeed(meta, QJsonObject{{QStringLiteral("model_max_length"), 6}}, map,
                                 "mistral"));
    }
}

} // namespace

int main(int argc, char **argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: make_seeds OUTDIR\n");
        return 2;
    }
    try {
        const QDir out(QString::fromLocal8Bit(argv[1]));
        for (const char *sub : {"hdf5_activations", "jsonl_activations", "text_corpus", "session",
                                "safetensors", "model_config", "tokenizer_json"})
            if (!out.mkpath(QLatin1String(sub)))
                throw Error(
                    QStringLiteral("cannot create %1").arg(out.filePath(QLatin1String(sub))));
        const QString h5 = out.filePath(QStringLiteral("hdf5_activations/"));
        writeNeuroxHdf5(h5 + QStringLiteral("f32.hdf5"), 2, 3, sentences({2, 1, 3}, 2, 3),
                        {QStringLiteral("a b"), QStringLiteral("c"), QStringLiteral("d e f")});
        writeNeuroxHdf5(h5 + QStringLiteral("f16.hdf5"), 1, 2, sentences({1, 2}, 1, 2),
                        {QStringLiteral("x"), QStringLiteral("x")}, DType::Float16);
        writeNeuroxHdf5(h5 + QStringLiteral("unicode.hdf5"), 3, 1, sentences({1}, 3, 1),
                        {QString::fromUtf8("caf\xc3\xa9 \xf0\x9f\x98\x80")});

        const QString jl = out.filePath(QStringLiteral("jsonl_activations/"));
        writeBytes(jl + QStringLiteral("two.jsonl"),
                   jsonlLine(0, {QStringLiteral("The"), QStringLiteral("cat")}, 2, 3)
                       + jsonlLine(1, {QStringLiteral("sat")}, 2, 3));
        writeBytes(jl + QStringLiteral("one.jsonl"), jsonlLine(0, {QStringLiteral("x")}, 1, 1));
        writeBytes(jl + QStringLiteral("special.jsonl"),
                   "{\"linex_index\": 0, \"features\": [{\"token\": \"\\u00e9\\ud83d\\ude00\", "
                   "\"layers\": [{\"index\": 0, \"values\": [NaN, -Infinity, 1e-3]}]}]}\n\n");
        writeBytes(jl + QStringLiteral("sentence_to_index.json"),
                   "{\"a b\": \"0\", \"a b (Occurrence 2)\": 1, \"\\u00e9\": \"2\"}");

        const QString tc = out.filePath(QStringLiteral("text_corpus/"));
        writeBytes(tc + QStringLiteral("plain"),
                   QByteArray("\x00", 1) + "The cat sat\nA dog ran away\n" + QByteArray("\x00", 1)
                       + "DT NN VBD\nDT NN VBD RB\n");
        writeBytes(tc + QStringLiteral("options"), QByteArray("\x17", 1) + "x y\n\xc3\xa9 z\nq\n"
                                                       + QByteArray("\x00", 1) + "A B\nB A\nA\n");
        writeBytes(tc + QStringLiteral("sentence"), QByteArray("\xa0", 1) + "one two\nthree\n"
                                                        + QByteArray("\x00", 1) + "POS\nNEG\n");

        // safetensors files: little-endian u64 header length, JSON header, data.
        const QString st = out.filePath(QStringLiteral("safetensors/"));
        auto safetensors = [](const QByteArray &header, qsizetype dataBytes) {
            QByteArray padded = header;
            while (padded.size() % 8 != 0)
                padded += ' ';
            QByteArray bytes(8, '\0');
            for (int i = 0; i < 8; ++i)
                bytes[i] = char((std::uint64_t(padded.size()) >> (8 * i)) & 0xff);
            QByteArray data(dataBytes, '\0');
            for (qsizetype i = 0; i < dataBytes; ++i)
                data[i] = char(i * 37 + 11);
            return bytes + padded + data;
        };
        writeBytes(
            st + QStringLiteral("f32.safetensors"),
            safetensors(R"({"__metadata__":{"format":"pt"},"embeddings.weight":{"dtype":"F32",)"
                        R"("shape":[3,2],"data_offsets":[0,24]},"norm.bias":{"dtype":"F32",)"
                        R"("shape":[2],"data_offsets":[24,32]}})",
                        32));
        writeBytes(st + QStringLiteral("mixed.safetensors"),
                   safetensors(R"({"a":{"dtype":"BF16","shape":[2,2],"data_offsets":[8,16]},)"
                               R"("b":{"dtype":"F16","shape":[4],"data_offsets":[0,8]},)"
                               R"("s":{"dtype":"F64","shape":[],"data_offsets":[16,24]},)"
                               R"("e":{"dtype":"I8","shape":[0,3],"data_offsets":[24,24]}})",
                               24));
        writeBytes(st + QStringLiteral("empty.safetensors"), safetensors("{}", 0));

        const QString mc = out.filePath(QStringLiteral("model_config/"));
        writeBytes(
            mc + QStringLiteral("bert.json"),
            R"({"model_type": "bert", "hidden_size": 32, "num_hidden_layers": 2, )"
            R"("num_attention_heads": 2, "intermediate_size": 64, "hidden_act": "gelu", )"
            R"("max_position_embeddings": 128, "type_vocab_size": 2, "layer_norm_eps": 1e-12, )"
            R"("pad_token_id": 0, "position_embedding_type": "absolute", "vocab_size": 400})");
        writeBytes(
            mc + QStringLiteral("roberta.json"),
            R"({"model_type": "xlm-roberta", "max_position_embeddings": 514, "type_vocab_size": 1, )"
            R"("layer_norm_eps": 1e-5, "pad_token_id": 1})");
        writeBytes(mc + QStringLiteral("electra.json"),
                   R"({"model_type": "electra", "embedding_size": 128, "hidden_size": 256})");
        writeBytes(
            mc + QStringLiteral("gpt2.json"),
            R"({"model_type": "gpt2", "n_embd": 32, "n_head": 4, "n_layer": 2, "n_inner": null, )"
            R"("n_positions": 128, "activation_function": "gelu_new", "vocab_size": 497, )"
            R"("scale_attn_by_inverse_layer_idx": true})");
        writeBytes(
            mc + QStringLiteral("llama.json"),
            R"({"model_type": "llama", "hidden_size": 64, "intermediate_size": 128, )"
            R"("num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, )"
            R"("head_dim": 16, "rms_norm_eps": 1e-05, "rope_scaling": null, "rope_theta": 10000.0, )"
            R"("attention_bias": true, "mlp_bias": false, "vocab_size": 512})");
        writeBytes(
            mc + QStringLiteral("mistral.json"),
            R"({"model_type": "mistral", "sliding_window": null, "num_key_value_heads": 8})");

        // Sessions: JSON \0 arrays-HDF5, the JSON naming the arrays file "arrays.h5".
        QTemporaryDir tmp;
        if (!tmp.isValid())
            throw Error(QStringLiteral("no temporary folder"));
        auto emitSession = [&](Session s, const QString &name) {
            const QString path = tmp.filePath(name + QStringLiteral(".json"));
            saveSession(path, s);
            QJsonObject root = QJsonDocument::fromJson(readBytes(path)).object();
            QJsonObject arrays = root.value(QStringLiteral("arrays")).toObject();
            const QByteArray h5bytes = readBytes(tmp.filePath(s.arraysFile));
            arrays[QStringLiteral("file")] = QStringLiteral("arrays.h5");
            root[QStringLiteral("arrays")] = arrays;
            writeBytes(out.filePath(QStringLiteral("session/") + name),
                       QJsonDocument(root).toJson(QJsonDocument::Compact) + QByteArray("\x00", 1)
                           + h5bytes);
        };
        Session demo;
        demo.demo = true;
        demo.analyses = {QStringLiteral("probe")};
        demo.arrays[QStringLiteral("probe/W")] = sentences({3}, 1, 2).front();
        emitSession(demo, QStringLiteral("demo"));
        Session files;
        files.splits[QStringLiteral("train")] = {describeInput(h5 + QStringLiteral("f32.hdf5")),
                                                 describeInput(tc + QStringLiteral("plain")),
                                                 describeInput(tc + QStringLiteral("plain"))};
        files.arrays[QStringLiteral("a")] = sentences({1}, 1, 1).front();
        emitSession(files, QStringLiteral("files"));
        writeTokenizerSeeds(out.filePath(QStringLiteral("tokenizer_json/")));
    } catch (const Error &e) {
        std::fprintf(stderr, "make_seeds: %s\n", e.what());
        return 1;
    }
    return 0;
}
