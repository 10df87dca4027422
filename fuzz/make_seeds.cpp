// Writes small valid seed inputs for the fuzz targets (docs/robustness.md, "Fuzzing"):
//   make_seeds OUTDIR  →  OUTDIR/{hdf5_activations,jsonl_activations,text_corpus,session,
//                                 safetensors,model_config}/*
// Built with the targets; `cmake --build build-fuzz --target fuzz_seeds` runs it.
#include "salient/io/activationstore.h"
#include "salient/session/session.h"

#include <QDir>
#include <QFile>
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
                                "safetensors", "model_config"})
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
    } catch (const Error &e) {
        std::fprintf(stderr, "make_seeds: %s\n", e.what());
        return 1;
    }
    return 0;
}
