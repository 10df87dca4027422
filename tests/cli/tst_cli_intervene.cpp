// salient-cli intervene / generate end to end on stories260K and the shared PTB POS data: the
// documented greedy story from BOS, k = 0 equals the clean run exactly, the result is saved in
// the session and `run` replays it to the same numbers, bad input is refused clearly.
#include "salient/session/session.h"

#include "clirun.h"
#include "testutil.h"

#include <QJsonArray>
#include <QTemporaryDir>
#include <QtTest>

using namespace salient;
using salient::test::cli;

class TestCliIntervene : public QObject {
    Q_OBJECT
    QTemporaryDir m_tmp;
    QString m_data, m_session;

    QStringList model() const
    {
        return {QStringLiteral("--model"), m_data + QStringLiteral("/model/stories260K.bin"),
                QStringLiteral("--tokenizer"), m_data + QStringLiteral("/model/tok512.bin")};
    }

    /// A probe session on PTB POS (train = the dev split's 250 sentences, for speed).
    bool makeSession()
    {
        if (!m_session.isEmpty())
            return true;
        const QString dir = m_tmp.filePath(QStringLiteral("probe"));
        const auto r = cli(
            {QStringLiteral("probe"), QStringLiteral("--train-activations"),
             m_data + QStringLiteral("/stories260K.ptb.dev.hdf5"), QStringLiteral("--train-tokens"),
             m_data + QStringLiteral("/ptb_pos.dev.words.txt"), QStringLiteral("--train-labels"),
             m_data + QStringLiteral("/ptb_pos.dev.labels.txt"), QStringLiteral("--epochs"),
             QStringLiteral("3"), QStringLiteral("--out"), dir, QStringLiteral("--threads"),
             QStringLiteral("1")});
        if (r.code != 0) {
            qWarning("%s", r.err.constData());
            return false;
        }
        m_session = dir + QStringLiteral("/session.json");
        return true;
    }

private Q_SLOTS:
    void generateFromBos()
    {
        SALIENT_REQUIRE_SHARED(data, "data/model/stories260K.bin");
        m_data = test::sharedDir() + QStringLiteral("/data");
        const auto r = cli(QStringList{QStringLiteral("generate")} + model()
                           + QStringList{QStringLiteral("--tokens"), QStringLiteral("40")});
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY2(r.out.startsWith("Once upon a time, there was a little girl named Lily. She "
                                  "loved to play outside in the park."),
                 r.out.constData());
        // An intervention changes the story; the JSON form names it.
        const auto hit = cli(QStringList{QStringLiteral("generate")} + model()
                             + QStringList{QStringLiteral("--tokens"), QStringLiteral("40"),
                                           QStringLiteral("--json"), QStringLiteral("--intervene"),
                                           QStringLiteral("0-63:zero")});
        QCOMPARE(hit.code, 2); // "0-63" is not a neuron list
        QVERIFY(hit.err.contains("Neuron '0-63'"));
        QStringList all;
        for (int u = 0; u < 64; ++u)
            all << QStringLiteral("1:%1").arg(u);
        const auto hit2 =
            cli(QStringList{QStringLiteral("generate")} + model()
                + QStringList{QStringLiteral("--tokens"), QStringLiteral("20"),
                              QStringLiteral("--json"), QStringLiteral("--intervene"),
                              all.join(QLatin1Char(',')) + QStringLiteral(":value=1")});
        QVERIFY2(hit2.code == 0, hit2.err.constData());
        const QJsonObject j = QJsonDocument::fromJson(hit2.out).object();
        QVERIFY(!j.value(QLatin1String("text"))
                     .toString()
                     .startsWith(QLatin1String("Once upon a time, there was a little girl")));
        QCOMPARE(j.value(QLatin1String("prompt_ids")).toArray(), QJsonArray{1});
    }

    void interveneSaveReopenReplay()
    {
        SALIENT_REQUIRE_SHARED(data, "data/model/stories260K.bin");
        m_data = test::sharedDir() + QStringLiteral("/data");
        QVERIFY(makeSession());
        const QString out = m_tmp.filePath(QStringLiteral("iv"));
        const auto r = cli(
            QStringList{QStringLiteral("intervene"), m_session} + model()
            + QStringList{
                QStringLiteral("--sizes"), QStringLiteral("0,3"), QStringLiteral("--draws"),
                QStringLiteral("2"), QStringLiteral("--max-sentences"), QStringLiteral("12"),
                QStringLiteral("--text"), m_data + QStringLiteral("/ptb_pos.test.words.txt"),
                QStringLiteral("--text-lines"), QStringLiteral("4"), QStringLiteral("--threads"),
                QStringLiteral("1"), QStringLiteral("--out"), out});
        QVERIFY2(r.code == 0, r.err.constData());
        const QJsonObject j = test::readJson(out + QStringLiteral("/intervention.json"));
        const QJsonObject clean = j.value(QLatin1String("clean")).toObject();
        const double acc = clean.value(QLatin1String("accuracy")).toDouble();
        const double loss = clean.value(QLatin1String("loss")).toDouble();
        QVERIFY(acc > 0.5 && acc <= 1.0);
        QVERIFY(loss > 0.5 && loss < 10);
        // Re-extracted clean activations give the probe's accuracy on the file's activations.
        QCOMPARE(acc, j.value(QLatin1String("file_accuracy")).toDouble());
        const QJsonArray top = j.value(QLatin1String("top")).toArray();
        const QJsonArray random = j.value(QLatin1String("random")).toArray();
        QCOMPARE(top.size(), 2);
        QCOMPARE(random.size(), 2);
        // k = 0 is the clean run exactly.
        QCOMPARE(top[0].toObject().value(QLatin1String("accuracy")).toDouble(), acc);
        QCOMPARE(top[0].toObject().value(QLatin1String("loss")).toDouble(), loss);
        QCOMPARE(random[0].toObject().value(QLatin1String("loss")).toDouble(), loss);
        QCOMPARE(top[1].toObject().value(QLatin1String("neurons")).toArray().size(), 3);
        QCOMPARE(random[1].toObject().value(QLatin1String("accuracies")).toArray().size(), 2);
        QVERIFY(top[1].toObject().value(QLatin1String("loss")).toDouble() != loss);
        QVERIFY(QFileInfo::exists(out + QStringLiteral("/intervention.curve.csv")));

        // Saved in the session; reopening keeps it; `run` replays it to the same numbers.
        const Session s = loadSession(out + QStringLiteral("/session.json"));
        QVERIFY(s.analyses.contains(QStringLiteral("intervention")));
        QCOMPARE(s.results.value(QLatin1String("intervention")).toObject(), j);
        const QString replay = m_tmp.filePath(QStringLiteral("replay"));
        const auto rr = cli({QStringLiteral("run"), out + QStringLiteral("/session.json"),
                             QStringLiteral("--out"), replay, QStringLiteral("--threads"),
                             QStringLiteral("1")});
        QVERIFY2(rr.code == 0, rr.err.constData());
        const QJsonObject again = test::readJson(replay + QStringLiteral("/intervention.json"));
        for (const char *key : {"clean", "top", "random", "file_accuracy", "sizes"})
            QCOMPARE(again.value(QLatin1String(key)), j.value(QLatin1String(key)));
    }

    void handPickedAndMean()
    {
        SALIENT_REQUIRE_SHARED(data, "data/model/stories260K.bin");
        m_data = test::sharedDir() + QStringLiteral("/data");
        QVERIFY(makeSession());
        const QString out = m_tmp.filePath(QStringLiteral("list"));
        const auto r = cli(QStringList{QStringLiteral("intervene"), m_session} + model()
                           + QStringList{QStringLiteral("--neurons"), QStringLiteral("1:5,70,200"),
                                         QStringLiteral("--mode"), QStringLiteral("mean"),
                                         QStringLiteral("--max-sentences"), QStringLiteral("8"),
                                         QStringLiteral("--draws"), QStringLiteral("1"),
                                         QStringLiteral("--out"), out});
        QVERIFY2(r.code == 0, r.err.constData());
        const QJsonObject j = test::readJson(out + QStringLiteral("/intervention.json"));
        QCOMPARE(j.value(QLatin1String("mode")).toString(), QStringLiteral("mean"));
        QCOMPARE(
            j.value(QLatin1String("list")).toObject().value(QLatin1String("neurons")).toArray(),
            (QJsonArray{69, 70, 200}));
        QVERIFY(j.value(QLatin1String("clean")).toObject().value(QLatin1String("loss")).isNull());
        QCOMPARE(j.value(QLatin1String("random")).toArray().size(), 1); // control of size 3
    }

    void badInput()
    {
        SALIENT_REQUIRE_SHARED(data, "data/model/stories260K.bin");
        m_data = test::sharedDir() + QStringLiteral("/data");
        QVERIFY(makeSession());
        const QString out = m_tmp.filePath(QStringLiteral("bad"));
        auto run = [&](const QStringList &extra, const QStringList &modelArgs) {
            return cli(QStringList{QStringLiteral("intervene"), m_session} + modelArgs + extra
                       + QStringList{QStringLiteral("--max-sentences"), QStringLiteral("2"),
                                     QStringLiteral("--sizes"), QStringLiteral("1"),
                                     QStringLiteral("--draws"), QStringLiteral("1"),
                                     QStringLiteral("--out"), out});
        };
        auto r = run({QStringLiteral("--mode"), QStringLiteral("half")}, model());
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("expected zero, mean or value:X"), r.err.constData());
        r = run({QStringLiteral("--neurons"), QStringLiteral("384")}, model());
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("Neuron 384 (layer 6, unit 0) does not exist"), r.err.constData());
        r = run({QStringLiteral("--neurons"), QStringLiteral("2:64")}, model());
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("unit 64 does not exist"), r.err.constData());
        SALIENT_REQUIRE_SHARED(gpt2, "spec/golden/models/tiny-gpt2");
        r = run({}, {QStringLiteral("--model"), gpt2});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("do not come from the model"), r.err.constData());
        r = cli({QStringLiteral("generate"), QStringLiteral("--model"), gpt2,
                 QStringLiteral("--intervene"), QStringLiteral("1:5:mean")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("mode mean needs activations"), r.err.constData());
        SALIENT_REQUIRE_SHARED(bert, "spec/golden/models/tiny-bert");
        r = cli({QStringLiteral("generate"), QStringLiteral("--model"), bert,
                 QStringLiteral("--prompt"), QStringLiteral("hello")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("needs a decoder model"), r.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestCliIntervene)
#include "tst_cli_intervene.moc"
