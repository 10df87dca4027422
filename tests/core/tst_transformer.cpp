// Transformer forward passes against the golden hidden states of spec/MODELS.md §7, llama2.c's
// stories260K reference generation (data README §3), batching, the intervention hook, and the
// refusal of malformed checkpoints (safetensors lies, config/tensor mismatches, truncation).
#include "salient/model/modelconfig.h"
#include "salient/model/safetensors.h"
#include "salient/model/transformer.h"
#include "testutil.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <functional>
#include <hdf5.h>
#include <thread>

using namespace salient;
using namespace salient::model;
using salient::test::errorOf;

namespace {

struct Expected {
    std::vector<int> ids;
    std::vector<RowMatrixF> stack; // [l] = T × H
};

/// Dataset "<line>" of expected.hidden.hdf5: float [L+1, T, H] with attribute input_ids.
Expected readExpected(const QString &path, int line)
{
    Expected e;
    const hid_t file = H5Fopen(QFile::encodeName(path).constData(), H5F_ACC_RDONLY, H5P_DEFAULT);
    if (file < 0)
        throw Error(path + QStringLiteral(": cannot open"));
    const QByteArray name = QByteArray::number(line);
    const hid_t d = H5Dopen2(file, name.constData(), H5P_DEFAULT);
    const hid_t space = H5Dget_space(d);
    hsize_t dims[3] = {0, 0, 0};
    if (d < 0 || H5Sget_simple_extent_ndims(space) != 3
        || H5Sget_simple_extent_dims(space, dims, nullptr) != 3)
        throw Error(path + QStringLiteral(": dataset %1 is not 3-D").arg(line));
    std::vector<float> raw(dims[0] * dims[1] * dims[2]);
    H5Dread(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data());
    const hid_t a = H5Aopen(d, "input_ids", H5P_DEFAULT);
    const hid_t aspace = H5Aget_space(a);
    std::vector<long long> ids(size_t(H5Sget_simple_extent_npoints(aspace)));
    H5Aread(a, H5T_NATIVE_LLONG, ids.data());
    H5Sclose(aspace);
    H5Aclose(a);
    H5Sclose(space);
    H5Dclose(d);
    H5Fclose(file);
    for (long long v : ids)
        e.ids.push_back(int(v));
    for (hsize_t l = 0; l < dims[0]; ++l)
        e.stack.push_back(Eigen::Map<RowMatrixF>(raw.data() + l * dims[1] * dims[2], Index(dims[1]),
                                                 Index(dims[2])));
    return e;
}

/// max |a − b|, or +inf when shapes differ; @p ok is cleared when |a−b| > 1e-4 + 1e-4·|b|.
double compare(const RowMatrixF &a, const RowMatrixF &b, bool &ok)
{
    if (a.rows() != b.rows() || a.cols() != b.cols()) {
        ok = false;
        return INFINITY;
    }
    double worst = 0;
    for (Index i = 0; i < a.size(); ++i) {
        const double diff = std::abs(double(a.data()[i]) - double(b.data()[i]));
        worst = std::max(worst, diff);
        if (!(diff <= 1e-4 + 1e-4 * std::abs(double(b.data()[i]))))
            ok = false;
    }
    return worst;
}

void writeFile(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(f.write(bytes), bytes.size());
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

/// A safetensors file: u64 header length, @p header, @p data.
QByteArray safetensors(const QByteArray &header, const QByteArray &data, std::uint64_t n = 0)
{
    if (n == 0)
        n = std::uint64_t(header.size());
    QByteArray out(8, '\0');
    for (int i = 0; i < 8; ++i)
        out[i] = char((n >> (8 * i)) & 0xff);
    return out + header + data;
}

/// @p src's tensors re-written as F32 under @p prefix; @p edit may change a tensor's shape/data.
QByteArray rewriteSafetensors(
    const QString &src, const QByteArray &prefix,
    const std::function<void(QString &, std::vector<std::int64_t> &, QByteArray &)> &edit = {},
    const std::vector<std::pair<QByteArray, std::int64_t>> &zeroVectors = {})
{
    const SafetensorsFile sf(src);
    QByteArray header = "{";
    QByteArray data;
    for (const auto &[name, n] : zeroVectors) {
        header += "\"" + name + "\":{\"dtype\":\"F32\",\"shape\":["
                  + QByteArray::number(qlonglong(n)) + "],\"data_offsets\":["
                  + QByteArray::number(data.size()) + "," + QByteArray::number(data.size() + n * 4)
                  + "]},";
        data += QByteArray(qsizetype(n) * 4, '\0');
    }
    for (size_t i = 0; i < sf.header().tensors.size(); ++i) {
        const TensorInfo &t = sf.header().tensors[i];
        QString name = t.name;
        std::vector<std::int64_t> shape = t.shape;
        QByteArray bytes(reinterpret_cast<const char *>(sf.data(t)), qsizetype(t.end - t.begin));
        if (edit)
            edit(name, shape, bytes);
        QByteArray dims;
        for (size_t k = 0; k < shape.size(); ++k)
            dims += (k ? "," : "") + QByteArray::number(qlonglong(shape[k]));
        header += (i ? ",\"" : "\"") + prefix + name.toUtf8() + "\":{\"dtype\":\"F32\",\"shape\":["
                  + dims + "],\"data_offsets\":[" + QByteArray::number(data.size()) + ","
                  + QByteArray::number(data.size() + bytes.size()) + "]}";
        data += bytes;
    }
    return safetensors(header + "}", data);
}

/// The llama2.c tokenizer (tok512.bin): id → bytes.
std::vector<QByteArray> readLlama2cVocab(const QString &path)
{
    const QByteArray b = readAll(path);
    std::vector<QByteArray> vocab;
    qsizetype pos = 4; // int32 max_token_length
    while (pos + 8 <= b.size()) {
        std::int32_t len = 0;
        std::memcpy(&len, b.constData() + pos + 4, 4); // after the float32 score
        pos += 8;
        if (len < 0 || pos + len > b.size())
            break;
        vocab.push_back(b.mid(pos, len));
        pos += len;
    }
    return vocab;
}

} // namespace

class TestTransformer : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void goldenHiddenStates_data();
    void goldenHiddenStates();
    void batchedEqualsUnbatched_data();
    void batchedEqualsUnbatched();
    void hookCalledPerLayer();
    void lastLayerRawVsFinalNorm();
    void stories260kGreedyGeneration();
    void robertaAndElectraFromBert();
    void llamaBiases();
    void gpt2PrefixAndBuffers();
    void concurrentForwards();
    void randomModelsAllFamilies();
    void configParsing();
    void refusesBadCheckpoints();
    void refusesSafetensorsLies();
    void refusesTruncatedLlama2c();
};

void TestTransformer::goldenHiddenStates_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("weights");
    QTest::addColumn<QString>("dtype");
    QTest::newRow("tiny-bert") << "tiny-bert"
                               << ""
                               << "F32";
    QTest::newRow("tiny-gpt2") << "tiny-gpt2"
                               << ""
                               << "F32";
    QTest::newRow("tiny-llama F32") << "tiny-llama"
                                    << ""
                                    << "F32";
    QTest::newRow("tiny-llama F16") << "tiny-llama"
                                    << "model.fp16.safetensors"
                                    << "F16";
    QTest::newRow("tiny-llama BF16") << "tiny-llama"
                                     << "model.bf16.safetensors"
                                     << "BF16";
}

void TestTransformer::goldenHiddenStates()
{
    QFETCH(QString, model);
    QFETCH(QString, weights);
    QFETCH(QString, dtype);
    SALIENT_REQUIRE_SHARED(dir, "spec/golden/models");
    const QString folder = dir + QLatin1Char('/') + model;
    const auto t =
        loadTransformer(weights.isEmpty() ? folder : folder + QLatin1Char('/') + weights);
    QCOMPARE(t->info().weightDtype, dtype);
    QCOMPARE(t->info().layers, 2);
    double worst = 0;
    for (int line = 0; line < 6; ++line) {
        const Expected e = readExpected(folder + QStringLiteral("/expected.hidden.hdf5"), line);
        QVERIFY(!e.ids.empty());
        const auto out = t->forward({e.ids});
        QCOMPARE(out.size(), size_t(1));
        QCOMPARE(out[0].size(), e.stack.size());
        for (size_t l = 0; l < e.stack.size(); ++l) {
            bool ok = true;
            worst = std::max(worst, compare(out[0][l], e.stack[l], ok));
            if (!ok)
                QFAIL(qPrintable(QStringLiteral("line %1 layer %2 differs beyond 1e-4 + 1e-4·|b|")
                                     .arg(line)
                                     .arg(l)));
        }
    }
    qInfo("%s: max |delta| over lines 0-5, all layers: %.3g",
          qPrintable(model + QLatin1Char(' ') + dtype), worst);
}

void TestTransformer::batchedEqualsUnbatched_data()
{
    QTest::addColumn<QString>("model");
    QTest::newRow("tiny-bert") << "tiny-bert";
    QTest::newRow("tiny-gpt2") << "tiny-gpt2";
    QTest::newRow("tiny-llama") << "tiny-llama";
}

void TestTransformer::batchedEqualsUnbatched()
{
    QFETCH(QString, model);
    SALIENT_REQUIRE_SHARED(dir, "spec/golden/models");
    const QString folder = dir + QLatin1Char('/') + model;
    const auto t = loadTransformer(folder);
    std::vector<std::vector<int>> batch;
    for (int line = 0; line < 6; ++line)
        batch.push_back(readExpected(folder + QStringLiteral("/expected.hidden.hdf5"), line).ids);
    batch.push_back({});                 // empty sequence
    batch.push_back({batch[0].front()}); // one token
    QVERIFY(batch[0].size() != batch[1].size() || batch[1].size() != batch[2].size());
    for (int threads : {1, 2}) {
        ForwardOptions o;
        o.threads = threads;
        const auto together = t->forward(batch, o);
        QCOMPARE(together.size(), batch.size());
        for (size_t b = 0; b < batch.size(); ++b) {
            const auto alone = t->forward({batch[b]}, o);
            for (int l = 0; l <= t->info().layers; ++l) {
                bool ok = true;
                compare(together[b][size_t(l)], alone[0][size_t(l)], ok);
                QVERIFY2(ok, qPrintable(QStringLiteral("sentence %1 layer %2").arg(b).arg(l)));
                QCOMPARE(together[b][size_t(l)].rows(), Index(batch[b].size()));
            }
        }
    }
}

void TestTransformer::hookCalledPerLayer()
{
    SALIENT_REQUIRE_SHARED(dir, "spec/golden/models");
    for (const char *name : {"tiny-bert", "tiny-gpt2", "tiny-llama"}) {
        const QString folder = dir + QLatin1Char('/') + QLatin1String(name);
        const auto t = loadTransformer(folder);
        const int L = t->info().layers;
        const std::vector<std::vector<int>> batch = {
            readExpected(folder + QStringLiteral("/expected.hidden.hdf5"), 0).ids,
            readExpected(folder + QStringLiteral("/expected.hidden.hdf5"), 1).ids};
        const auto plain = t->forward(batch);
        for (int target = 0; target <= L; ++target) {
            std::vector<std::vector<int>> calls(batch.size());
            ForwardOptions o;
            o.hook = [&](int b, int l, RowMatrixF &states) {
                calls[size_t(b)].push_back(l);
                QCOMPARE(states.rows(), Index(batch[size_t(b)].size()));
                if (b == 1 && l == target)
                    states.col(3).setConstant(5.0f); // an intervention on neuron 3
            };
            const auto hooked = t->forward(batch, o);
            for (size_t b = 0; b < batch.size(); ++b) {
                QCOMPARE(calls[b].size(), size_t(L + 1));
                for (int l = 0; l <= L; ++l)
                    QCOMPARE(calls[b][size_t(l)], l);
            }
            for (int l = 0; l <= L; ++l) {
                // Sentence 0 untouched; sentence 1 untouched below the target layer.
                QVERIFY(hooked[0][size_t(l)] == plain[0][size_t(l)]);
                const bool same = hooked[1][size_t(l)] == plain[1][size_t(l)];
                QCOMPARE(same, l < target);
            }
            QVERIFY((hooked[1][size_t(target)].col(3).array() == 5.0f).all());
        }
        // Bad hooks are refused.
        ForwardOptions bad;
        bad.hook = [](int, int, RowMatrixF &s) { s.resize(1, 1); };
        QVERIFY(
            errorOf([&] { (void)t->forward(batch, bad); }).contains(QLatin1String("hook changed")));
    }
}

void TestTransformer::lastLayerRawVsFinalNorm()
{
    SALIENT_REQUIRE_SHARED(dir, "spec/golden/models");
    SALIENT_REQUIRE_SHARED(bin, "data/model/stories260K.bin");
    for (const QString &path :
         {dir + QStringLiteral("/tiny-llama"), dir + QStringLiteral("/tiny-gpt2"), bin}) {
        const auto t = loadTransformer(path);
        const std::vector<int> ids = {1, 5, 9, 33, 60, 7};
        ForwardOptions raw, norm, def;
        raw.lastLayer = LastLayer::Raw;
        norm.lastLayer = LastLayer::FinalNorm;
        const auto a = t->forward({ids}, raw)[0];
        const auto b = t->forward({ids}, norm)[0];
        const auto c = t->forward({ids}, def)[0];
        const int L = t->info().layers;
        for (int l = 0; l < L; ++l)
            QVERIFY(a[size_t(l)] == b[size_t(l)]);
        QVERIFY(!(a[size_t(L)] == b[size_t(L)]));
        // Default: FinalNorm for HF folders, Raw for llama2.c.
        QVERIFY(c[size_t(L)] == (path == bin ? a[size_t(L)] : b[size_t(L)]));
        // The logits do not depend on the convention.
        const RowMatrixF la = t->logits(ids, raw);
        const RowMatrixF lb = t->logits(ids, norm);
        QCOMPARE(la.rows(), Index(ids.size()));
        QCOMPARE(la.cols(), Index(t->info().vocabSize));
        QVERIFY((la - lb).cwiseAbs().maxCoeff() < 1e-5f);
    }
}

void TestTransformer::stories260kGreedyGeneration()
{
    SALIENT_REQUIRE_SHARED(bin, "data/model/stories260K.bin");
    SALIENT_REQUIRE_SHARED(tok, "data/model/tok512.bin");
    const auto t = loadTransformer(bin);
    QCOMPARE(t->info().modelType, QStringLiteral("llama2.c"));
    QCOMPARE(t->info().layers, 5);
    QCOMPARE(t->info().hidden, 64);
    QCOMPARE(t->info().vocabSize, 512);
    QCOMPARE(t->info().parameters, std::int64_t(260032));
    const auto vocab = readLlama2cVocab(tok);
    QCOMPARE(vocab.size(), size_t(512));
    std::vector<int> ids = {1}; // BOS
    QByteArray text;
    for (int step = 0; step < 60; ++step) {
        const RowMatrixF logits = t->logits(ids);
        Index next = 0;
        logits.row(logits.rows() - 1).maxCoeff(&next);
        QByteArray piece = vocab[size_t(next)];
        if (ids.size() == 1
            && piece.startsWith(' ')) // llama2.c drops the dummy-prefix space after BOS
            piece = piece.mid(1);
        text += piece;
        ids.push_back(int(next));
    }
    qInfo("stories260K greedy: %s", text.constData());
    QVERIFY2(
        text.startsWith("Once upon a time, there was a little girl named Lily. She loved to play "
                        "outside in the park."),
        text.constData());
}

void TestTransformer::robertaAndElectraFromBert()
{
    // RoBERTa = BERT with position ids padding_idx + 1 + i: a RoBERTa checkpoint whose position
    // table is tiny-bert's shifted down by pad + 1 = 2 rows reproduces tiny-bert's hidden states
    // (inputs without the pad id). ELECTRA with embedding_size = hidden_size equals BERT.
    SALIENT_REQUIRE_SHARED(dir, "spec/golden/models/tiny-bert");
    QTemporaryDir tmp;
    QString config = QString::fromUtf8(readAll(dir + QStringLiteral("/config.json")));
    QString roberta = config;
    roberta.replace(QLatin1String("\"model_type\": \"bert\""),
                    QLatin1String("\"model_type\": \"roberta\""));
    roberta.replace(QLatin1String("\"pad_token_id\": 0"), QLatin1String("\"pad_token_id\": 1"));
    roberta.replace(QLatin1String("\"max_position_embeddings\": 128"),
                    QLatin1String("\"max_position_embeddings\": 130"));
    QDir().mkpath(tmp.filePath(QStringLiteral("roberta")));
    writeFile(tmp.filePath(QStringLiteral("roberta/config.json")), roberta.toUtf8());
    writeFile(tmp.filePath(QStringLiteral("roberta/model.safetensors")),
              rewriteSafetensors(
                  dir + QStringLiteral("/model.safetensors"), "roberta.",
                  [](const QString &name, std::vector<std::int64_t> &shape, QByteArray &bytes) {
                      if (name == QLatin1String("embeddings.position_embeddings.weight")) {
                          shape[0] += 2;
                          bytes = QByteArray(int(shape[1]) * 2 * 4, '\x7f') + bytes;
                      }
                  }));
    QString electra = config;
    electra.replace(QLatin1String("\"model_type\": \"bert\""),
                    QLatin1String("\"model_type\": \"electra\""));
    electra.replace(QLatin1String("\"hidden_size\": 32"),
                    QLatin1String("\"hidden_size\": 32, \"embedding_size\": 32"));
    QDir().mkpath(tmp.filePath(QStringLiteral("electra")));
    writeFile(tmp.filePath(QStringLiteral("electra/config.json")), electra.toUtf8());
    writeFile(tmp.filePath(QStringLiteral("electra/model.safetensors")),
              rewriteSafetensors(dir + QStringLiteral("/model.safetensors"), "electra."));
    const auto r = loadTransformer(tmp.filePath(QStringLiteral("roberta")));
    const auto el = loadTransformer(tmp.filePath(QStringLiteral("electra")));
    QCOMPARE(r->info().family, Family::Roberta);
    QCOMPARE(r->info().maxPositions, 128);
    QCOMPARE(el->info().family, Family::Electra);
    for (int line = 0; line < 6; ++line) {
        const Expected e = readExpected(dir + QStringLiteral("/expected.hidden.hdf5"), line);
        QVERIFY(std::find(e.ids.begin(), e.ids.end(), 1) == e.ids.end());
        const auto a = r->forward({e.ids})[0];
        const auto b = el->forward({e.ids})[0];
        for (size_t l = 0; l < e.stack.size(); ++l) {
            bool ok = true;
            compare(a[l], e.stack[l], ok);
            compare(b[l], e.stack[l], ok);
            QVERIFY2(ok, qPrintable(QStringLiteral("line %1 layer %2").arg(line).arg(l)));
        }
    }
    // A pad token takes position row padding_idx and does not advance the others.
    const auto withPad = r->forward({{2, 1, 50, 3}})[0][0];
    const auto noPad = r->forward({{2, 50, 3}})[0][0];
    QVERIFY((withPad.row(2) - noPad.row(1)).cwiseAbs().maxCoeff() < 1e-6f);
}

void TestTransformer::llamaBiases()
{
    // attention_bias / mlp_bias: zero biases reproduce the bias-free golden model; the bias
    // tensors are then required.
    SALIENT_REQUIRE_SHARED(dir, "spec/golden/models/tiny-llama");
    QTemporaryDir tmp;
    QString config = QString::fromUtf8(readAll(dir + QStringLiteral("/config.json")));
    config.replace(QLatin1String("\"attention_bias\": false"),
                   QLatin1String("\"attention_bias\": true"));
    config.replace(QLatin1String("\"mlp_bias\": false"), QLatin1String("\"mlp_bias\": true"));
    std::vector<std::pair<QByteArray, std::int64_t>> biases;
    for (int l = 0; l < 2; ++l) {
        const QByteArray p = "model.layers." + QByteArray::number(l) + ".";
        biases.insert(biases.end(), {{p + "self_attn.q_proj.bias", 64},
                                     {p + "self_attn.k_proj.bias", 32},
                                     {p + "self_attn.v_proj.bias", 32},
                                     {p + "self_attn.o_proj.bias", 64},
                                     {p + "mlp.gate_proj.bias", 128},
                                     {p + "mlp.up_proj.bias", 128},
                                     {p + "mlp.down_proj.bias", 64}});
    }
    QDir().mkpath(tmp.filePath(QStringLiteral("biased")));
    writeFile(tmp.filePath(QStringLiteral("biased/config.json")), config.toUtf8());
    writeFile(tmp.filePath(QStringLiteral("biased/model.safetensors")),
              rewriteSafetensors(dir + QStringLiteral("/model.safetensors"), "", {}, biases));
    const auto t = loadTransformer(tmp.filePath(QStringLiteral("biased")));
    const Expected e = readExpected(dir + QStringLiteral("/expected.hidden.hdf5"), 3);
    const auto out = t->forward({e.ids})[0];
    for (size_t l = 0; l < e.stack.size(); ++l) {
        bool ok = true;
        compare(out[l], e.stack[l], ok);
        QVERIFY(ok);
    }
    biases.pop_back();
    writeFile(tmp.filePath(QStringLiteral("biased/model.safetensors")),
              rewriteSafetensors(dir + QStringLiteral("/model.safetensors"), "", {}, biases));
    const QString err = errorOf([&] { loadTransformer(tmp.filePath(QStringLiteral("biased"))); });
    QVERIFY2(err.contains(QLatin1String("'layers.1.mlp.down_proj.bias' is missing")),
             qPrintable(err));
}

void TestTransformer::gpt2PrefixAndBuffers()
{
    // A GPT2LMHeadModel-style file: "transformer." names, mask buffers and an lm_head, which the
    // hidden states ignore.
    SALIENT_REQUIRE_SHARED(dir, "spec/golden/models/tiny-gpt2");
    QTemporaryDir tmp;
    QDir().mkpath(tmp.filePath(QStringLiteral("head")));
    writeFile(tmp.filePath(QStringLiteral("head/config.json")),
              readAll(dir + QStringLiteral("/config.json")));
    writeFile(tmp.filePath(QStringLiteral("head/model.safetensors")),
              rewriteSafetensors(dir + QStringLiteral("/model.safetensors"), "transformer.", {},
                                 {{"transformer.h.0.attn.bias", 16},
                                  {"transformer.h.0.attn.masked_bias", 1},
                                  {"h.1.attn.bias", 16},
                                  {"lm_head.weight", 497 * 32}}));
    // A misshapen lm_head.weight (here a vector) is refused at load: logits() would read it.
    QString e = errorOf([&] { loadTransformer(tmp.filePath(QStringLiteral("head"))); });
    QVERIFY2(e.contains(QLatin1String("'lm_head.weight' has shape [15904]")), qPrintable(e));
    writeFile(tmp.filePath(QStringLiteral("head/model.safetensors")),
              rewriteSafetensors(dir + QStringLiteral("/model.safetensors"), "transformer.", {},
                                 {{"transformer.h.0.attn.bias", 16},
                                  {"transformer.h.0.attn.masked_bias", 1},
                                  {"h.1.attn.bias", 16}}));
    const auto t = loadTransformer(tmp.filePath(QStringLiteral("head")));
    const Expected ex = readExpected(dir + QStringLiteral("/expected.hidden.hdf5"), 2);
    const auto out = t->forward({ex.ids})[0];
    for (size_t l = 0; l < ex.stack.size(); ++l) {
        bool ok = true;
        compare(out[l], ex.stack[l], ok);
        QVERIFY(ok);
    }
}

void TestTransformer::concurrentForwards()
{
    // A loaded model is immutable: forwards from several threads at once give the sequential
    // results exactly.
    SALIENT_REQUIRE_SHARED(dir, "spec/golden/models/tiny-llama");
    const auto t = loadTransformer(dir + QStringLiteral("/model.fp16.safetensors"));
    const std::vector<std::vector<int>> batch = {{1, 40, 50, 60, 70}, {1, 300, 200}};
    ForwardOptions o;
    o.threads = 1;
    const auto reference = t->forward(batch, o);
    std::vector<std::vector<std::vector<RowMatrixF>>> results(4);
    std::vector<std::thread> threads;
    for (size_t i = 0; i < results.size(); ++i)
        threads.emplace_back([&, i] {
            for (int r = 0; r < 20; ++r)
                results[i] = t->forward(batch, o);
        });
    for (auto &th : threads)
        th.join();
    for (const auto &r : results)
        for (size_t b = 0; b < batch.size(); ++b)
            for (size_t l = 0; l < r[b].size(); ++l)
                QVERIFY(r[b][l] == reference[b][l]);
}

void TestTransformer::randomModelsAllFamilies()
{
    // Every family runs, batched equals unbatched, and the stack has layers + 1 entries.
    for (Family f : {Family::Bert, Family::Roberta, Family::Electra, Family::Gpt2, Family::Llama}) {
        const auto t = makeRandomTransformer(f, 2, 32, 4, 2, 48, 50, 16, 7);
        QCOMPARE(t->info().family, f);
        const std::vector<std::vector<int>> batch = {
            {2, 3, 4, 5, 6}, {7, 1, 8}, {9, 10, 11, 12, 13, 14, 15}};
        const auto together = t->forward(batch);
        for (size_t b = 0; b < batch.size(); ++b) {
            const auto alone = t->forward({batch[b]});
            QCOMPARE(together[b].size(), size_t(3));
            for (size_t l = 0; l < 3; ++l) {
                bool ok = true;
                compare(together[b][l], alone[0][l], ok);
                QVERIFY2(ok, qPrintable(familyName(f)));
                QCOMPARE(together[b][l].cols(), Index(32));
                QVERIFY(together[b][l].allFinite());
            }
        }
        QVERIFY(errorOf([&] {
                    (void)t->forward({{50}});
                }).contains(QLatin1String("outside the vocabulary")));
        if (f != Family::Llama)
            QVERIFY(errorOf([&] {
                        (void)t->forward({std::vector<int>(17, 2)});
                    }).contains(QLatin1String("at most 16")));
        const bool decoder = f == Family::Gpt2 || f == Family::Llama;
        QCOMPARE(errorOf([&] { (void)t->logits({2, 3}); }).isEmpty(), decoder);
    }
}

void TestTransformer::configParsing()
{
    const QString f = QStringLiteral("config.json");
    // Class defaults.
    const ModelConfig bert = parseModelConfig(R"({"model_type": "bert"})", f);
    QCOMPARE(bert.hidden, 768);
    QCOMPARE(bert.layers, 12);
    QCOMPARE(bert.intermediate, 3072);
    QCOMPARE(bert.normEps, 1e-12);
    const ModelConfig gpt =
        parseModelConfig(R"({"model_type": "gpt2", "n_embd": 64, "n_head": 4})", f);
    QCOMPARE(gpt.intermediate, 256);
    QCOMPARE(gpt.activation, QStringLiteral("gelu_new"));
    const ModelConfig llama = parseModelConfig(
        R"({"model_type": "llama", "hidden_size": 64, "num_attention_heads": 4, "num_key_value_heads": null})",
        f);
    QCOMPARE(llama.kvHeads, 4);
    QCOMPARE(llama.headDim, 16);
    const ModelConfig roberta = parseModelConfig(R"({"model_type": "xlm-roberta"})", f);
    QCOMPARE(roberta.family, Family::Roberta);
    QCOMPARE(roberta.padTokenId, 1);
    const ModelConfig mistral =
        parseModelConfig(R"({"model_type": "mistral", "sliding_window": null})", f);
    QCOMPARE(mistral.slidingWindow, 0);
    QCOMPARE(mistral.kvHeads, 8);
    // Refusals name the key.
    QVERIFY(errorOf([&] {
                parseModelConfig(R"({"model_type": "t5"})", f);
            }).contains(QLatin1String("'model_type' = \"t5\"")));
    QVERIFY(errorOf([&] {
                parseModelConfig(R"({"model_type": "t5"})", f);
            }).contains(QLatin1String("bert, roberta")));
    QVERIFY(errorOf([&] {
                parseModelConfig(
                    R"({"model_type": "llama", "rope_scaling": {"type": "linear", "factor": 2}})",
                    f);
            }).contains(QLatin1String("'rope_scaling'")));
    QVERIFY(errorOf([&] {
                parseModelConfig(
                    R"({"model_type": "bert", "position_embedding_type": "relative_key"})", f);
            }).contains(QLatin1String("'position_embedding_type'")));
    QVERIFY(errorOf([&] {
                parseModelConfig(R"({"model_type": "bert", "hidden_size": "big"})", f);
            }).contains(QLatin1String("config.json: key 'hidden_size'")));
    QVERIFY(errorOf([&] {
                parseModelConfig(
                    R"({"model_type": "bert", "hidden_size": 100, "num_attention_heads": 3})", f);
            }).contains(QLatin1String("multiple")));
    QVERIFY(errorOf([&] {
                parseModelConfig(R"({"model_type": "gpt2", "activation_function": "mish"})", f);
            }).contains(QLatin1String("'activation_function'")));
    QVERIFY(errorOf([&] {
                parseModelConfig("[1, 2]", f);
            }).startsWith(QLatin1String("config.json: not a JSON object")));
    QVERIFY(errorOf([&] {
                parseModelConfig(R"({"model_type": "bert", "num_hidden_layers": 1e12})", f);
            }).contains(QLatin1String("num_hidden_layers")));
}

void TestTransformer::refusesBadCheckpoints()
{
    SALIENT_REQUIRE_SHARED(dir, "spec/golden/models/tiny-bert");
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString config = QString::fromUtf8(readAll(dir + QStringLiteral("/config.json")));
    const QByteArray weights = readAll(dir + QStringLiteral("/model.safetensors"));

    // Missing config.json.
    QDir().mkpath(tmp.filePath(QStringLiteral("noconfig")));
    writeFile(tmp.filePath(QStringLiteral("noconfig/model.safetensors")), weights);
    QString e = errorOf([&] { loadTransformer(tmp.filePath(QStringLiteral("noconfig"))); });
    QVERIFY2(e.contains(QLatin1String("no config.json")) && e.contains(QLatin1String("noconfig")),
             qPrintable(e));

    // Missing weights.
    QDir().mkpath(tmp.filePath(QStringLiteral("noweights")));
    writeFile(tmp.filePath(QStringLiteral("noweights/config.json")), config.toUtf8());
    e = errorOf([&] { loadTransformer(tmp.filePath(QStringLiteral("noweights"))); });
    QVERIFY2(e.contains(QLatin1String("no weights"))
                 && e.contains(QLatin1String("model.safetensors")),
             qPrintable(e));

    // Config disagrees with the tensors: intermediate_size 64 → 65.
    QDir().mkpath(tmp.filePath(QStringLiteral("mismatch")));
    QString bad = config;
    bad.replace(QLatin1String("\"intermediate_size\": 64"),
                QLatin1String("\"intermediate_size\": 65"));
    QVERIFY(bad != config);
    writeFile(tmp.filePath(QStringLiteral("mismatch/config.json")), bad.toUtf8());
    writeFile(tmp.filePath(QStringLiteral("mismatch/model.safetensors")), weights);
    e = errorOf([&] { loadTransformer(tmp.filePath(QStringLiteral("mismatch"))); });
    QVERIFY2(e.contains(QLatin1String(
                 "tensor 'encoder.layer.0.intermediate.dense.weight' has shape [64, 32]"))
                 && e.contains(QLatin1String("implies [65, 32]"))
                 && e.contains(QLatin1String("config.json")),
             qPrintable(e));

    // A tensor missing: a GPT-2 config beside BERT weights.
    QDir().mkpath(tmp.filePath(QStringLiteral("wrongfamily")));
    writeFile(tmp.filePath(QStringLiteral("wrongfamily/config.json")),
              readAll(dir + QStringLiteral("/../tiny-gpt2/config.json")));
    writeFile(tmp.filePath(QStringLiteral("wrongfamily/model.safetensors")), weights);
    e = errorOf([&] { loadTransformer(tmp.filePath(QStringLiteral("wrongfamily"))); });
    QVERIFY2(e.contains(QLatin1String("tensor 'wte.weight' is missing"))
                 && e.contains(QLatin1String("transformer.wte.weight")),
             qPrintable(e));

    // Prefixed names (a head-class checkpoint) load, and sharded checkpoints too.
    {
        QDir().mkpath(tmp.filePath(QStringLiteral("sharded")));
        writeFile(tmp.filePath(QStringLiteral("sharded/config.json")), config.toUtf8());
        writeFile(tmp.filePath(QStringLiteral("sharded/shard-1.safetensors")), weights);
        const SafetensorsFile sf(dir + QStringLiteral("/model.safetensors"));
        QByteArray map = "{\"metadata\": {}, \"weight_map\": {";
        for (size_t i = 0; i < sf.header().tensors.size(); ++i)
            map += (i ? ", \"" : "\"") + sf.header().tensors[i].name.toUtf8()
                   + "\": \"shard-1.safetensors\"";
        map += "}}";
        writeFile(tmp.filePath(QStringLiteral("sharded/model.safetensors.index.json")), map);
        const auto t = loadTransformer(tmp.filePath(QStringLiteral("sharded")));
        QCOMPARE(t->info().layers, 2);
        const auto ref = loadTransformer(dir);
        QVERIFY(t->forward({{2, 50, 60, 3}})[0][2] == ref->forward({{2, 50, 60, 3}})[0][2]);
        // A shard the index names but that is absent.
        map.replace("\"shard-1.safetensors\"}}", "\"shard-2.safetensors\"}}");
        writeFile(tmp.filePath(QStringLiteral("sharded/model.safetensors.index.json")), map);
        e = errorOf([&] { loadTransformer(tmp.filePath(QStringLiteral("sharded"))); });
        QVERIFY2(e.contains(QLatin1String("shard-2.safetensors"))
                     && e.contains(QLatin1String("missing")),
                 qPrintable(e));
        map.replace("\"shard-2.safetensors\"}}", "\"../x.safetensors\"}}");
        writeFile(tmp.filePath(QStringLiteral("sharded/model.safetensors.index.json")), map);
        e = errorOf([&] { loadTransformer(tmp.filePath(QStringLiteral("sharded"))); });
        QVERIFY2(e.contains(QLatin1String("same folder")), qPrintable(e));
    }
    {
        // Re-write the weights with the "bert." prefix and TF-era LayerNorm names gamma/beta.
        QDir().mkpath(tmp.filePath(QStringLiteral("prefixed")));
        writeFile(tmp.filePath(QStringLiteral("prefixed/model.safetensors")),
                  rewriteSafetensors(
                      dir + QStringLiteral("/model.safetensors"), "bert.",
                      [](QString &name, std::vector<std::int64_t> &, QByteArray &) {
                          if (name.contains(QLatin1String("LayerNorm.")))
                              name.replace(QLatin1String(".weight"), QLatin1String(".gamma"))
                                  .replace(QLatin1String(".bias"), QLatin1String(".beta"));
                      }));
        writeFile(tmp.filePath(QStringLiteral("prefixed/config.json")), config.toUtf8());
        const auto t = loadTransformer(tmp.filePath(QStringLiteral("prefixed")));
        const auto ref = loadTransformer(dir);
        QVERIFY(t->forward({{2, 50, 60, 3}})[0][2] == ref->forward({{2, 50, 60, 3}})[0][2]);
    }

    // A random file that is not a model.
    QByteArray noise(4096, '\0');
    for (int i = 0; i < noise.size(); ++i)
        noise[i] = char((i * 7919 + 13) % 251);
    writeFile(tmp.filePath(QStringLiteral("noise.dat")), noise);
    e = errorOf([&] { loadTransformer(tmp.filePath(QStringLiteral("noise.dat"))); });
    QVERIFY2(e.contains(QLatin1String("not a model")) && e.contains(QLatin1String("noise.dat")),
             qPrintable(e));
    writeFile(tmp.filePath(QStringLiteral("noise.bin")), noise);
    e = errorOf([&] { loadTransformer(tmp.filePath(QStringLiteral("noise.bin"))); });
    QVERIFY2(e.contains(QLatin1String("noise.bin")) && e.contains(QLatin1String("llama2.c")),
             qPrintable(e));
    QDir().mkpath(tmp.filePath(QStringLiteral("noisy")));
    writeFile(tmp.filePath(QStringLiteral("noisy/config.json")), config.toUtf8());
    writeFile(tmp.filePath(QStringLiteral("noisy/model.safetensors")), noise);
    e = errorOf([&] { loadTransformer(tmp.filePath(QStringLiteral("noisy"))); });
    QVERIFY2(e.contains(QLatin1String("model.safetensors"))
                 && e.contains(QLatin1String("header length")),
             qPrintable(e));
    e = errorOf([&] { loadTransformer(tmp.filePath(QStringLiteral("absent"))); });
    QVERIFY2(e.contains(QLatin1String("absent")), qPrintable(e));
}

void TestTransformer::refusesSafetensorsLies()
{
    const QString f = QStringLiteral("lies.safetensors");
    auto parse = [&](const QByteArray &bytes) {
        return errorOf([&] {
            (void)parseSafetensorsHeader(bytes.constData(), std::uint64_t(bytes.size()),
                                         std::uint64_t(bytes.size()), f);
        });
    };
    const QByteArray data(16, '\x01');
    // A valid one first.
    const QByteArray good = safetensors(
        R"({"__metadata__":{"format":"pt"},"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]},"a":{"dtype":"F16","shape":[2,2],"data_offsets":[0,8]}})",
        data);
    QCOMPARE(parse(good), QString());
    const SafetensorsHeader h = parseSafetensorsHeader(good.constData(), std::uint64_t(good.size()),
                                                       std::uint64_t(good.size()), f);
    QCOMPARE(h.tensors.size(), size_t(2));
    QCOMPARE(h.metadata.value(QStringLiteral("format")), QStringLiteral("pt"));

    QString e =
        parse(safetensors(R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[8,24]}})", data));
    QVERIFY2(e.contains(QLatin1String("tensor 'a'")) && e.contains(QLatin1String("outside")),
             qPrintable(e));
    e = parse(safetensors(
        R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[3],"data_offsets":[4,16]}})",
        data));
    QVERIFY2(e.contains(QLatin1String("overlaps")) && e.contains(QLatin1String("'b'")),
             qPrintable(e));
    e = parse(safetensors(
        R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}})",
        data));
    QVERIFY2(e.contains(QLatin1String("gap before tensor 'b'")), qPrintable(e));
    e = parse(safetensors(R"({"a":{"dtype":"Q4","shape":[4],"data_offsets":[0,16]}})", data));
    QVERIFY2(e.contains(QLatin1String("unknown dtype 'Q4'"))
                 && e.contains(QLatin1String("tensor 'a'")),
             qPrintable(e));
    e = parse(safetensors(R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", data,
                          std::uint64_t(1) << 60));
    QVERIFY2(e.contains(QLatin1String("header length")) && e.contains(QLatin1String("exceeds")),
             qPrintable(e));
    e = parse(
        safetensors(R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", data, 5000));
    QVERIFY2(e.contains(QLatin1String("past the end")), qPrintable(e));
    e = parse(safetensors(
        R"({"a":{"dtype":"F32","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,16]}})",
        data));
    QVERIFY2(e.contains(QLatin1String("overflowing")) && e.contains(QLatin1String("tensor 'a'")),
             qPrintable(e));
    e = parse(safetensors(
        R"({"a":{"dtype":"F32","shape":[1000000000,1000],"data_offsets":[0,16]}})", data));
    QVERIFY2(e.contains(QLatin1String("more than the file's 16 data bytes")), qPrintable(e));
    e = parse(safetensors(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,16]}})", data));
    QVERIFY2(e.contains(QLatin1String("need 12")), qPrintable(e));
    e = parse(safetensors(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", data));
    QVERIFY2(e.contains(QLatin1String("cover 8")), qPrintable(e));
    e = parse(safetensors(R"({"a":{"dtype":"F32","shape":[-4],"data_offsets":[0,16]}})", data));
    QVERIFY2(e.contains(QLatin1String("non-negative integer")), qPrintable(e));
    e = parse(safetensors("[1,2]", data));
    QVERIFY2(e.contains(QLatin1String("not a JSON object")), qPrintable(e));
    e = parse(QByteArray("abc"));
    QVERIFY2(e.contains(QLatin1String("lies.safetensors")), qPrintable(e));
    // Scalars and empty tensors are legal.
    QCOMPARE(
        parse(safetensors(
            R"({"s":{"dtype":"F32","shape":[],"data_offsets":[0,4]},"z":{"dtype":"F32","shape":[0,5],"data_offsets":[4,4]}})",
            QByteArray(4, '\0'))),
        QString());

    // Through the loader, the message names the file.
    QTemporaryDir tmp;
    const QString path = tmp.filePath(QStringLiteral("x.safetensors"));
    writeFile(path,
              safetensors(R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[8,24]}})", data));
    e = errorOf([&] { SafetensorsFile sf(path); });
    QVERIFY2(e.startsWith(path), qPrintable(e));
}

void TestTransformer::refusesTruncatedLlama2c()
{
    SALIENT_REQUIRE_SHARED(bin, "data/model/stories260K.bin");
    QTemporaryDir tmp;
    const QByteArray full = readAll(bin);
    QCOMPARE(full.size(), 1056540);
    const QString cut = tmp.filePath(QStringLiteral("cut.bin"));
    writeFile(cut, full.left(full.size() - 1000));
    QString e = errorOf([&] { loadTransformer(cut); });
    QVERIFY2(e.contains(QLatin1String("cut.bin")) && e.contains(QLatin1String("1056540"))
                 && e.contains(QLatin1String("truncated")),
             qPrintable(e));
    // An absurd header (huge dim) is refused before any size computation overflows.
    QByteArray absurd = full.left(4096);
    const std::int32_t big = 1 << 30;
    std::memcpy(absurd.data(), &big, 4);
    const QString ab = tmp.filePath(QStringLiteral("absurd.bin"));
    writeFile(ab, absurd);
    e = errorOf([&] { loadTransformer(ab); });
    QVERIFY2(e.contains(QLatin1String("absurd.bin"))
                 && e.contains(QLatin1String("not a llama2.c checkpoint")),
             qPrintable(e));
    // Unshared classifier (negative vocab_size) needs the extra matrix.
    QByteArray unshared = full;
    const std::int32_t neg = -512;
    std::memcpy(unshared.data() + 20, &neg, 4);
    const QString un = tmp.filePath(QStringLiteral("unshared.bin"));
    writeFile(un, unshared);
    e = errorOf([&] { loadTransformer(un); });
    QVERIFY2(e.contains(QLatin1String("own classifier")) && e.contains(QLatin1String("truncated")),
             qPrintable(e));
    // With the classifier appended (a copy of the embedding) it loads and predicts the same.
    writeFile(un, unshared + full.mid(28, 512 * 64 * 4));
    const auto t = loadTransformer(un);
    const auto ref = loadTransformer(bin);
    QVERIFY((t->logits({1, 400, 300}) - ref->logits({1, 400, 300})).cwiseAbs().maxCoeff() == 0.0f);
}

QTEST_GUILESS_MAIN(TestTransformer)
#include "tst_transformer.moc"
