// salient-cli extract end to end: the golden tiny models and stories260K through the real binary.
#include "salient/io/activationstore.h"

#include "clirun.h"
#include "testutil.h"

#include <QJsonArray>
#include <QTemporaryDir>
#include <QtTest>

using namespace salient;
using salient::test::cli;

class TestCliExtract : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void goldenGpt2Summary()
    {
        SALIENT_REQUIRE_SHARED(dir, "spec/golden/models/tiny-gpt2");
        QTemporaryDir tmp;
        const QString out = tmp.filePath(QStringLiteral("g.hdf5"));
        const auto r =
            cli({QStringLiteral("extract"), QStringLiteral("--model"), dir,
                 QStringLiteral("--sentences"), dir + QStringLiteral("/sentences.txt"),
                 QStringLiteral("--out"), out, QStringLiteral("--threads"), QStringLiteral("1")});
        QVERIFY2(r.code == 0, r.err.constData());
        const QJsonObject j = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(j.value(QLatin1String("family")).toString(), QStringLiteral("gpt2"));
        QCOMPARE(j.value(QLatin1String("sentences")).toInt(), 28);
        QCOMPARE(j.value(QLatin1String("dims")).toInt(), 32);
        QCOMPARE(j.value(QLatin1String("layers")).toArray().size(), 3);
        QCOMPARE(j.value(QLatin1String("aggregation")).toString(), QStringLiteral("last"));
        QVERIFY(j.value(QLatin1String("truncated_lines")).toArray().contains(14)); // 1-based
        QVERIFY(j.value(QLatin1String("tokens_per_second")).toDouble() > 0);
        QVERIFY(r.err.contains("warning:") && r.err.contains("line 14: truncated"));
        QVERIFY(r.err.contains("28 / 28 sentences"));
        const auto got = ActivationStore::open(out);
        const auto want = ActivationStore::open(dir + QStringLiteral("/expected.last.hdf5"));
        QCOMPARE(got->info().keys, want->info().keys);
        QCOMPARE(got->info().wordsPerSentence, want->info().wordsPerSentence);
    }

    void layersAndFloat16()
    {
        SALIENT_REQUIRE_SHARED(dir, "spec/golden/models/tiny-llama");
        QTemporaryDir tmp;
        const QString out = tmp.filePath(QStringLiteral("l.hdf5"));
        const auto r =
            cli({QStringLiteral("extract"), QStringLiteral("--model"), dir,
                 QStringLiteral("--sentences"), dir + QStringLiteral("/sentences.txt"),
                 QStringLiteral("--out"), out, QStringLiteral("--layers"), QStringLiteral("2,0"),
                 QStringLiteral("--dtype"), QStringLiteral("float16"),
                 QStringLiteral("--aggregation"), QStringLiteral("average")});
        QVERIFY2(r.code == 0, r.err.constData());
        const auto got = ActivationStore::open(out);
        QCOMPARE(got->info().layers, 2);
        QCOMPARE(got->info().dtype, DType::Float16);
    }

    void llama2cWithTokenizer()
    {
        SALIENT_REQUIRE_SHARED(bin, "data/model/stories260K.bin");
        QTemporaryDir tmp;
        const QString sentences = tmp.filePath(QStringLiteral("s.txt"));
        {
            QFile f(sentences);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("Once upon a time there was a girl .\nShe liked the park .\n");
        }
        const QString out = tmp.filePath(QStringLiteral("s.hdf5"));
        const auto r =
            cli({QStringLiteral("extract"), QStringLiteral("--model"), bin,
                 QStringLiteral("--tokenizer"),
                 test::sharedDir() + QStringLiteral("/data/model/tok512.bin"),
                 QStringLiteral("--sentences"), sentences, QStringLiteral("--out"), out});
        QVERIFY2(r.code == 0, r.err.constData());
        const QJsonObject j = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(j.value(QLatin1String("model_type")).toString(), QStringLiteral("llama2.c"));
        QCOMPARE(j.value(QLatin1String("words")).toInt(), 14);
        QCOMPARE(ActivationStore::open(out)->info().layers, 6);
    }

    void badInput()
    {
        SALIENT_REQUIRE_SHARED(dir, "spec/golden/models/tiny-bert");
        QTemporaryDir tmp;
        const QString out = tmp.filePath(QStringLiteral("b.hdf5"));
        auto r = cli({QStringLiteral("extract"), QStringLiteral("--sentences"),
                      dir + QStringLiteral("/sentences.txt"), QStringLiteral("--out"), out});
        QCOMPARE(r.code, 2);
        QVERIFY(r.err.contains("--model is required"));
        r = cli({QStringLiteral("extract"), QStringLiteral("--model"), dir,
                 QStringLiteral("--sentences"), dir + QStringLiteral("/sentences.txt"),
                 QStringLiteral("--out"), out, QStringLiteral("--aggregation"),
                 QStringLiteral("mean")});
        QCOMPARE(r.code, 2);
        QVERIFY(r.err.contains("first, last or average"));
        const QString bad = tmp.filePath(QStringLiteral("bad.txt"));
        {
            QFile f(bad);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("good line\nsecond line\nbad \xc3\x28 here\n");
        }
        r = cli({QStringLiteral("extract"), QStringLiteral("--model"), dir,
                 QStringLiteral("--sentences"), bad, QStringLiteral("--out"), out});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("bad.txt") && r.err.contains("line 3") && r.err.contains("UTF-8"),
                 r.err.constData());
        // A file that is not a model.
        r = cli({QStringLiteral("extract"), QStringLiteral("--model"), bad,
                 QStringLiteral("--sentences"), bad, QStringLiteral("--out"), out});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("bad.txt"), r.err.constData());
        QVERIFY(!QFileInfo::exists(out));
    }
};

QTEST_GUILESS_MAIN(TestCliExtract)
#include "tst_cli_extract.moc"
