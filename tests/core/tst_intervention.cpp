// Neuron interventions (model/intervention.h) on the golden tiny models and stories260K: an empty
// intervention is the clean run bit for bit; zeroing a neuron changes exactly that neuron at its
// layer and nothing before it; generation from BOS reproduces llama2.c's documented story; the
// next-token loss and re-extraction see the intervention; bad input is refused clearly.
#include "salient/io/activationstore.h"
#include "salient/model/intervention.h"

#include "testutil.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace salient;
using salient::test::sameBits;
using namespace salient::model;

namespace {

const std::vector<std::vector<int>> kBatch{{5, 9, 3, 7, 11, 2}, {4, 8, 15, 16}};

} // namespace

class TestIntervention : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void zeroingOneNeuron_data()
    {
        QTest::addColumn<QString>("model");
        QTest::newRow("tiny-bert") << "tiny-bert";
        QTest::newRow("tiny-gpt2") << "tiny-gpt2";
        QTest::newRow("tiny-llama") << "tiny-llama";
        QTest::newRow("random-llama") << "";
    }

    void zeroingOneNeuron()
    {
        QFETCH(QString, model);
        std::unique_ptr<Transformer> t;
        if (model.isEmpty()) {
            t = makeRandomTransformer(Family::Llama, 3, 16, 4, 2, 24, 32, 64, 7);
        } else {
            SALIENT_REQUIRE_SHARED(dir, "spec/golden/models");
            t = loadTransformer(dir + QLatin1Char('/') + model);
        }
        const ModelInfo &info = t->info();
        ForwardOptions clean;
        clean.threads = 1;
        const auto ref = t->forward(kBatch, clean);

        // k = 0: the clean run exactly.
        ForwardOptions none = clean;
        none.hook = Intervention{}.hook();
        QVERIFY(!none.hook);
        const auto same = t->forward(kBatch, none);
        for (size_t b = 0; b < kBatch.size(); ++b)
            for (int l = 0; l <= info.layers; ++l)
                QVERIFY(sameBits(same[b][size_t(l)], ref[b][size_t(l)]));

        for (int layer = 0; layer <= info.layers; ++layer) {
            const int unit = (3 * layer + 1) % info.hidden;
            const Intervention iv =
                makeIntervention(info, {layer * info.hidden + unit}, InterventionMode::Zero, 0);
            ForwardOptions o = clean;
            o.hook = iv.hook();
            const auto got = t->forward(kBatch, o);
            for (size_t b = 0; b < kBatch.size(); ++b) {
                for (int l = 0; l < layer; ++l)
                    QVERIFY2(
                        sameBits(got[b][size_t(l)], ref[b][size_t(l)]),
                        qPrintable(QStringLiteral("layer %1 before %2 changed").arg(l).arg(layer)));
                const RowMatrixF &g = got[b][size_t(layer)];
                const RowMatrixF &r = ref[b][size_t(layer)];
                QVERIFY(g.col(unit).isZero(0));
                QVERIFY(!r.col(unit).isZero(0)); // the intervention did change something
                for (int c = 0; c < info.hidden; ++c)
                    if (c != unit)
                        QVERIFY(std::memcmp(g.col(c).eval().data(), r.col(c).eval().data(),
                                            size_t(g.rows()) * sizeof(float))
                                == 0);
                if (layer < info.layers) // and the model carries it on
                    QVERIFY(!sameBits(got[b][size_t(layer + 1)], ref[b][size_t(layer + 1)]));
            }
        }
        // value:X sets the neuron to X at its layer.
        const Intervention v =
            makeIntervention(info, {info.hidden + 2}, InterventionMode::Value, 2.5);
        ForwardOptions o = clean;
        o.hook = v.hook();
        const auto got = t->forward(kBatch, o);
        QVERIFY((got[0][1].col(2).array() == 2.5f).all());
    }

    void logitsAndLossSeeTheIntervention()
    {
        SALIENT_REQUIRE_SHARED(dir, "spec/golden/models/tiny-gpt2");
        const LoadedModel lm = loadModelAndTokenizer(dir);
        const QStringList lines{QStringLiteral("The cat sat on the mat."),
                                QStringLiteral("A dog runs in the park every day.")};
        const LossResult clean = nextTokenLoss(*lm.model, *lm.tokenizer, lines, {}, 1);
        const LossResult again = nextTokenLoss(*lm.model, *lm.tokenizer, lines, Intervention{}, 1);
        QCOMPARE(again.meanLoss, clean.meanLoss); // exactly
        QVERIFY(clean.tokens > 10 && std::isfinite(clean.meanLoss) && clean.meanLoss > 0);
        const ModelInfo &info = lm.model->info();
        std::vector<int> all;
        for (int u = 0; u < info.hidden; ++u)
            all.push_back(1 * info.hidden + u);
        const LossResult hit =
            nextTokenLoss(*lm.model, *lm.tokenizer, lines,
                          makeIntervention(info, all, InterventionMode::Value, 3.0), 1);
        QVERIFY(hit.meanLoss != clean.meanLoss);
        // Encoders have no next-token loss.
        SALIENT_REQUIRE_SHARED(bert, "spec/golden/models/tiny-bert");
        const LoadedModel b = loadModelAndTokenizer(bert);
        QVERIFY(!test::errorOf([&] { nextTokenLoss(*b.model, *b.tokenizer, lines); }).isEmpty());
    }

    void reextractionMatchesExtraction()
    {
        SALIENT_REQUIRE_SHARED(dir, "spec/golden/models/tiny-llama");
        const LoadedModel lm = loadModelAndTokenizer(dir);
        QTemporaryDir tmp;
        const QString sentences = dir + QStringLiteral("/sentences.txt");
        ExtractOptions eo;
        eo.threads = 1;
        const QString out = tmp.filePath(QStringLiteral("x.hdf5"));
        (void)extractActivations(*lm.model, *lm.tokenizer, sentences, out, eo);
        const auto store = ActivationStore::open(out);
        QFile f(sentences);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QStringList lines = QString::fromUtf8(f.readAll()).split(QLatin1Char('\n'));
        while (!lines.isEmpty() && lines.back().isEmpty())
            lines.removeLast();
        const auto words = extractWordsInMemory(*lm.model, *lm.tokenizer, lines, eo);
        QCOMPARE(Index(words.size()), store->info().sentences);
        for (Index s = 0; s < Index(words.size()); ++s) {
            RowMatrixF file(words[size_t(s)].rows(), words[size_t(s)].cols());
            store->readSentence(s, file.data(), file.cols());
            QVERIFY2(sameBits(file, words[size_t(s)]), qPrintable(QString::number(s)));
        }
        // With a neuron of the last layer zeroed, only that column differs.
        const ModelInfo &info = lm.model->info();
        const int flat = info.layers * info.hidden + 5;
        const auto hit =
            extractWordsInMemory(*lm.model, *lm.tokenizer, lines, eo,
                                 makeIntervention(info, {flat}, InterventionMode::Zero, 0));
        for (size_t s = 0; s < words.size(); ++s) {
            QVERIFY(hit[s].col(flat).isZero(0));
            RowMatrixF a = hit[s], b = words[s];
            a.col(flat).setZero();
            b.col(flat).setZero();
            QVERIFY(sameBits(a, b));
        }
    }

    void storiesGreedyFromBos()
    {
        SALIENT_REQUIRE_SHARED(bin, "data/model/stories260K.bin");
        const LoadedModel lm = loadModelAndTokenizer(
            bin, test::sharedDir() + QStringLiteral("/data/model/tok512.bin"));
        GenerateOptions go;
        go.tokens = 40;
        const Generation g = generate(*lm.model, *lm.tokenizer, QString(), go);
        QCOMPARE(g.promptIds, std::vector<int>{1});
        QVERIFY2(g.text.startsWith(QStringLiteral("Once upon a time, there was a little girl named "
                                                  "Lily. She loved to play outside in the park.")),
                 qPrintable(g.text));
        // The same with an empty intervention; sampling is seeded.
        QCOMPARE(generate(*lm.model, *lm.tokenizer, QString(), go, Intervention{}).text, g.text);
        go.temperature = 1.0;
        go.seed = 3;
        QCOMPARE(generate(*lm.model, *lm.tokenizer, QStringLiteral("Once"), go).text,
                 generate(*lm.model, *lm.tokenizer, QStringLiteral("Once"), go).text);
        // Zeroing every unit of the embeddings' output changes the story.
        go.temperature = 0;
        std::vector<int> all;
        for (int u = 0; u < 64; ++u)
            all.push_back(u);
        const Generation hit =
            generate(*lm.model, *lm.tokenizer, QString(), go,
                     makeIntervention(lm.model->info(), all, InterventionMode::Zero, 0));
        QVERIFY(hit.text != g.text);
    }

    void badInput()
    {
        const auto t = makeRandomTransformer(Family::Gpt2, 2, 8, 2, 2, 16, 20, 32, 1);
        const ModelInfo &info = t->info();
        QString e = test::errorOf([&] { makeIntervention(info, {24}, InterventionMode::Zero, 0); });
        QVERIFY2(e.contains(QLatin1String("Neuron 24 (layer 3, unit 0) does not exist"))
                     && e.contains(QLatin1String("layers 0 (embeddings) to 2 of 8 units")),
                 qPrintable(e));
        e = test::errorOf([&] { makeIntervention(info, {3, 3}, InterventionMode::Zero, 0); });
        QVERIFY(e.contains(QLatin1String("listed twice")));
        e = test::errorOf([&] { makeIntervention(info, {3}, InterventionMode::Mean, 0, {}); });
        QVERIFY2(e.contains(QLatin1String("no mean activation")), qPrintable(e));
        QCOMPARE(
            makeIntervention(info, {3}, InterventionMode::Mean, 0, std::vector<double>(24, 0.25))
                .neurons.front()
                .value,
            0.25f);
        e = test::errorOf([] { parseInterventionMode(QStringLiteral("half"), nullptr); });
        QVERIFY(e.contains(QLatin1String("expected zero, mean or value:X")));
        e = test::errorOf([] { parseInterventionMode(QStringLiteral("value:nan"), nullptr); });
        QVERIFY(!e.isEmpty());
        double v = 0;
        QCOMPARE(parseInterventionMode(QStringLiteral("value:-1.5"), &v), InterventionMode::Value);
        QCOMPARE(v, -1.5);
        QCOMPARE(parseNeuronList(QStringLiteral("3, 1:2"), 8), (std::vector<int>{3, 10}));
        QVERIFY(test::errorOf([] {
                    parseNeuronList(QStringLiteral("1:9"), 8);
                }).contains(QLatin1String("unit 9 does not exist")));
        QVERIFY(!test::errorOf([] { parseNeuronList(QStringLiteral("x"), 8); }).isEmpty());
        QVERIFY(!test::errorOf([] { parseNeuronList(QStringLiteral(""), 8); }).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestIntervention)
#include "tst_intervention.moc"
