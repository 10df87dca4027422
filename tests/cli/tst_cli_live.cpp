// salient-cli top-contexts and attach end to end (docs/live.md): JSON output equal to core's,
// the session's "model" object, and bad input (exit code 2 with a message naming the problem).
#include "clirun.h"
#include "salient/model/topcontexts.h"
#include "testutil.h"

#include <QJsonArray>
#include <QTemporaryDir>
#include <QtTest>

using namespace salient;
using namespace salient::test;

class TestCliLive : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void topContexts();
    void attach();
    void badInput();
};

void TestCliLive::topContexts()
{
    SALIENT_REQUIRE_SHARED(bin, "data/model/stories260K.bin");
    SALIENT_REQUIRE_SHARED(tok, "data/model/tok512.bin");
    QTemporaryDir dir;
    const QString txt = dir.filePath(QStringLiteral("t.txt"));
    {
        QFile f(txt);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("Once upon a time there was a little girl .\n\nShe liked to play in the park .\n"
                "The dog ran after the ball and the cat watched from the tree .\n");
    }
    const QString out = dir.filePath(QStringLiteral("top.json"));
    const Run r = cli({QStringLiteral("top-contexts"), QStringLiteral("--model"), bin,
                       QStringLiteral("--tokenizer"), tok, QStringLiteral("--text"), txt,
                       QStringLiteral("--neurons"), QStringLiteral("5:3,130"),
                       QStringLiteral("--top"), QStringLiteral("2"), QStringLiteral("--out"), out,
                       QStringLiteral("--threads"), QStringLiteral("1")});
    QVERIFY2(r.code == 0, r.err.constData());
    const QJsonObject j = readJson(out);
    QCOMPARE(j.value(QStringLiteral("lines")).toInt(), 3);
    const QJsonArray neurons = j.value(QStringLiteral("neurons")).toArray();
    QCOMPARE(neurons.size(), 2);
    QCOMPARE(neurons[1].toObject().value(QStringLiteral("layer")).toInt(), 2);
    QCOMPARE(neurons[1].toObject().value(QStringLiteral("unit")).toInt(), 2);
    // Equal to core's computation in this process.
    const model::AttachedModel m = model::attachModel(bin, tok, nullptr);
    model::TopContextsOptions o;
    o.top = 2;
    const auto want = model::topActivatingContexts(m, txt, {{5, 3}, {2, 2}}, o);
    for (int n = 0; n < 2; ++n) {
        const QJsonArray hits = neurons[n].toObject().value(QStringLiteral("contexts")).toArray();
        QCOMPARE(hits.size(), 2);
        for (int k = 0; k < 2; ++k) {
            const QJsonObject h = hits[k].toObject();
            QCOMPARE(h.value(QStringLiteral("line")).toInt(), int(want.neurons[n].hits[k].line));
            QCOMPARE(h.value(QStringLiteral("word")).toInt(), want.neurons[n].hits[k].word);
            QVERIFY(std::abs(h.value(QStringLiteral("activation")).toDouble()
                             - want.neurons[n].hits[k].activation)
                    < 1e-5);
        }
    }
}

void TestCliLive::attach()
{
    SALIENT_REQUIRE_SHARED(bin, "data/model/stories260K.bin");
    SALIENT_REQUIRE_SHARED(tok, "data/model/tok512.bin");
    SALIENT_REQUIRE_SHARED(acts, "data/stories260K.ptb.dev.hdf5");
    SALIENT_REQUIRE_SHARED(words, "data/ptb_pos.dev.words.txt");
    SALIENT_REQUIRE_SHARED(labels, "data/ptb_pos.dev.labels.txt");
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("s.json"));
    Session s;
    s.splits[QStringLiteral("train")] = {describeInput(acts), describeInput(words),
                                         describeInput(labels)};
    saveSession(path, s);
    const Run r = cli({QStringLiteral("attach"), path, QStringLiteral("--model"), bin,
                       QStringLiteral("--tokenizer"), tok});
    QVERIFY2(r.code == 0, r.err.constData());
    const QJsonObject model = readJson(path).value(QStringLiteral("model")).toObject();
    QCOMPARE(model.value(QStringLiteral("fingerprint")).toString(), fileSha256(bin));
    QCOMPARE(model.value(QStringLiteral("layers")).toInt(), 6);
    QCOMPARE(loadSession(path).model.dims, 64);
    // A model of another shape is refused and the session stays as it was.
    const QString bert = sharedDir() + QStringLiteral("/spec/golden/models/tiny-bert");
    if (QFileInfo::exists(bert)) {
        s.model = {};
        saveSession(path, s);
        const Run bad = cli({QStringLiteral("attach"), path, QStringLiteral("--model"), bert});
        QCOMPARE(bad.code, 2);
        QVERIFY2(bad.err.contains("do not come from this model"), bad.err.constData());
        QVERIFY(!loadSession(path).model.isSet());
    }
}

void TestCliLive::badInput()
{
    QTemporaryDir dir;
    const Run noText = cli({QStringLiteral("top-contexts"), QStringLiteral("--model"),
                            dir.filePath(QStringLiteral("m.bin")), QStringLiteral("--neurons"),
                            QStringLiteral("1:1")});
    QCOMPARE(noText.code, 2);
    QVERIFY(noText.err.contains("--text is required"));
    const QString txt = dir.filePath(QStringLiteral("t.txt"));
    {
        QFile f(txt);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("a b c\n");
    }
    const Run noModel = cli({QStringLiteral("top-contexts"), QStringLiteral("--model"),
                             dir.filePath(QStringLiteral("m.bin")), QStringLiteral("--text"), txt,
                             QStringLiteral("--neurons"), QStringLiteral("1:1")});
    QCOMPARE(noModel.code, 2);
    QVERIFY2(noModel.err.contains("does not exist"), noModel.err.constData());
    SALIENT_REQUIRE_SHARED(bin, "data/model/stories260K.bin");
    SALIENT_REQUIRE_SHARED(tok, "data/model/tok512.bin");
    const Run badNeuron = cli({QStringLiteral("top-contexts"), QStringLiteral("--model"), bin,
                               QStringLiteral("--tokenizer"), tok, QStringLiteral("--text"), txt,
                               QStringLiteral("--neurons"), QStringLiteral("7:1")});
    QCOMPARE(badNeuron.code, 2);
    QVERIFY2(badNeuron.err.contains("outside the model"), badNeuron.err.constData());
}

QTEST_GUILESS_MAIN(TestCliLive)
#include "tst_cli_live.moc"
