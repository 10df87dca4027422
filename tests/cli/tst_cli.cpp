// Long on purpose: one test class driving the real binary through every subcommand end to end.
// salient-cli end to end, through the real binary: inspect, probe (demo and files), demo, and the
// bad-input exit code 2 with a message naming the problem.
#include "salient/data/demo.h"
#include "salient/io/probeio.h"
#include "salient/session/session.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include <algorithm>

#include "clirun.h"

using namespace salient;

namespace {

using salient::test::cli;
using salient::test::Run;

using salient::test::readJson;

/**
 * The first difference between two JSON values as "path: a vs b", or empty when equal. Numbers
 * must be exactly equal (no tolerance). Object keys in @p excluded (at any depth) are skipped on
 * both sides.
 */
QString jsonDifference(const QJsonValue &a, const QJsonValue &b, const QString &path,
                       const QStringList &excluded)
{
    if (a.type() != b.type())
        return QStringLiteral("%1: type %2 vs %3").arg(path).arg(int(a.type())).arg(int(b.type()));
    if (a.isObject()) {
        const QJsonObject oa = a.toObject(), ob = b.toObject();
        QStringList keys = oa.keys() + ob.keys();
        keys.removeDuplicates();
        for (const QString &k : keys) {
            if (excluded.contains(k))
                continue;
            if (!oa.contains(k) || !ob.contains(k))
                return QStringLiteral("%1.%2: present on one side only").arg(path, k);
            const QString d = jsonDifference(oa[k], ob[k], path + QLatin1Char('.') + k, excluded);
            if (!d.isEmpty())
                return d;
        }
        return {};
    }
    if (a.isArray()) {
        const QJsonArray xa = a.toArray(), xb = b.toArray();
        if (xa.size() != xb.size())
            return QStringLiteral("%1: %2 vs %3 elements").arg(path).arg(xa.size()).arg(xb.size());
        for (qsizetype i = 0; i < xa.size(); ++i) {
            const QString d =
                jsonDifference(xa[i], xb[i], QStringLiteral("%1[%2]").arg(path).arg(i), excluded);
            if (!d.isEmpty())
                return d;
        }
        return {};
    }
    if (a.isDouble() && a.toDouble() != b.toDouble())
        return QStringLiteral("%1: %2 vs %3")
            .arg(path)
            .arg(a.toDouble(), 0, 'g', 17)
            .arg(b.toDouble(), 0, 'g', 17);
    if (a != b)
        return QStringLiteral("%1: %2 vs %3")
            .arg(path, a.toVariant().toString(), b.toVariant().toString());
    return {};
}

/// The probe options a session records for @p name ("analysis_probe_options").
QJsonObject recordedProbeOptions(const QString &sessionPath, const QString &name)
{
    return readJson(sessionPath)[QStringLiteral("analysis_probe_options")]
        .toObject()[name]
        .toObject();
}

} // namespace

class TestCli : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString demoDir() const { return m_dir.filePath(QStringLiteral("demo")); }
    QString demoFile(const QString &split, const QString &kind) const
    {
        return demoDir() + QStringLiteral("/demo.") + split + QStringLiteral(".") + kind;
    }

private Q_SLOTS:
    void initTestCase()
    {
        const Run r = cli({QStringLiteral("demo"), QStringLiteral("--out"), demoDir()});
        QCOMPARE(r.code, 0);
        QVERIFY(QFile::exists(demoFile(QStringLiteral("train"), QStringLiteral("hdf5"))));
    }

    void version()
    {
        const Run r = cli({QStringLiteral("--version")});
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.contains("salient-cli " SALIENT_VERSION));
    }

    void noCommandIsUsageError()
    {
        const Run r = cli({});
        QCOMPARE(r.code, 2);
        QVERIFY(r.err.contains("usage"));
        QCOMPARE(cli({QStringLiteral("frobnicate")}).code, 2);
    }

    void inspectPrintsMetadata()
    {
        const Run r = cli(
            {QStringLiteral("inspect"), demoFile(QStringLiteral("dev"), QStringLiteral("hdf5"))});
        QCOMPARE(r.code, 0);
        const QJsonObject o = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(o[QStringLiteral("format")].toString(), QStringLiteral("hdf5"));
        QCOMPARE(o[QStringLiteral("sentences")].toInt(), 200);
        QCOMPARE(o[QStringLiteral("layers")].toInt(), 6);
        QCOMPARE(o[QStringLiteral("dims")].toInt(), 32);
        QCOMPARE(o[QStringLiteral("dtype")].toString(), QStringLiteral("float32"));
        QVERIFY(o[QStringLiteral("total_words")].toInt() > 1000);
    }

    // Issue 12 item 3: `neuron` leaves out word types seen fewer than --min-count times (default
    // 3), records the value, and lists the most negative sentences (lowest minimum first).
    void neuronMinCountAndNegativeSentences()
    {
        const QString out = m_dir.filePath(QStringLiteral("neuron-min-count"));
        const auto profile = [&](const QStringList &extra) {
            const Run r = cli(QStringList{QStringLiteral("neuron"), QStringLiteral("--demo"),
                                          QStringLiteral("--neuron"), QStringLiteral("130"),
                                          QStringLiteral("--top-words"), QStringLiteral("0"),
                                          QStringLiteral("--out"), out}
                              + extra);
            if (r.code != 0)
                qWarning("%s", r.err.constData());
            return r.code == 0 ? readJson(out + QStringLiteral("/neuron.json")) : QJsonObject();
        };
        const QJsonObject byDefault = profile({});
        QCOMPARE(byDefault[QStringLiteral("min_count")].toInt(), 3);
        const QJsonArray words = byDefault[QStringLiteral("top_words")].toArray();
        QVERIFY(!words.isEmpty());
        for (const QJsonValue w : words)
            QVERIFY(w.toObject()[QStringLiteral("count")].toInt() >= 3);
        // The demo's vocabulary is small (every type is seen at least 37 times in train), so the
        // filter is checked with a large minimum over every type (threshold −1 keeps all).
        const QStringList everyType{QStringLiteral("--threshold"), QStringLiteral("-1")};
        const QJsonObject all =
            profile(everyType + QStringList{QStringLiteral("--min-count"), QStringLiteral("1")});
        const QJsonObject frequent =
            profile(everyType + QStringList{QStringLiteral("--min-count"), QStringLiteral("100")});
        QCOMPARE(all[QStringLiteral("min_count")].toInt(), 1);
        int rare = 0;
        for (const QJsonValue w : all[QStringLiteral("top_words")].toArray())
            rare += w.toObject()[QStringLiteral("count")].toInt() < 100 ? 1 : 0;
        QVERIFY2(rare > 0, "some demo word type is seen fewer than 100 times");
        const QJsonArray kept = frequent[QStringLiteral("top_words")].toArray();
        QCOMPARE(kept.size() + rare, all[QStringLiteral("top_words")].toArray().size());
        for (const QJsonValue w : kept)
            QVERIFY(w.toObject()[QStringLiteral("count")].toInt() >= 100);
        // Normalised over the kept types: the best one scores 1.
        QCOMPARE(kept[0].toObject()[QStringLiteral("score")].toDouble(), 1.0);

        const QJsonArray negative = byDefault[QStringLiteral("negative_sentences")].toArray();
        QCOMPARE(negative.size(), 10); // default: as many as --sentences
        double previous = -1e300;
        for (const QJsonValue v : negative) {
            const QJsonObject o = v.toObject();
            double lowest = 1e300;
            for (const QJsonValue a : o[QStringLiteral("activations")].toArray())
                lowest = std::min(lowest, a.toDouble());
            QCOMPARE(o[QStringLiteral("score")].toDouble(), lowest);
            QVERIFY(lowest >= previous); // ascending: most negative first
            previous = lowest;
        }
        QVERIFY(negative[0].toObject()[QStringLiteral("score")].toDouble()
                < byDefault[QStringLiteral("top_sentences")]
                      .toArray()[0]
                      .toObject()[QStringLiteral("score")]
                      .toDouble());
        QVERIFY(profile({QStringLiteral("--negative-sentences"),
                         QStringLiteral("0")})[QStringLiteral("negative_sentences")]
                    .toArray()
                    .isEmpty());
        const Run bad =
            cli({QStringLiteral("neuron"), QStringLiteral("--demo"), QStringLiteral("--neuron"),
                 QStringLiteral("130"), QStringLiteral("--min-count"), QStringLiteral("0"),
                 QStringLiteral("--out"), out});
        QCOMPARE(bad.code, 2);
        QVERIFY2(bad.err.contains("--min-count"), bad.err.constData());
    }

    // Issue 12 item 8: `salient-cli notes SESSION` prints a session's notes as a table or JSON,
    // filtered by --search / --tag; a session without notes says so.
    void notesCommand()
    {
        Session s;
        s.demo = true;
        NeuronNote a;
        a.neuron = {4, 2};
        a.label = QStringLiteral("sentence end");
        a.tags = {QStringLiteral("pos"), QStringLiteral("punct")};
        a.text = QStringLiteral("fires on the full stop\nand on '?'");
        NeuronNote b;
        b.neuron = {1, 30};
        b.label = QStringLiteral("suffix -ing");
        b.tags = {QStringLiteral("suffix")};
        b.source = NoteSource::Auto;
        s.notes.set(a);
        s.notes.set(b);
        QDir().mkpath(m_dir.filePath(QStringLiteral("notes")));
        const QString path = m_dir.filePath(QStringLiteral("notes/session.json"));
        saveSession(path, s);

        const Run table = cli({QStringLiteral("notes"), path});
        QCOMPARE(table.code, 0);
        const QList<QByteArray> lines = table.out.trimmed().split('\n');
        QCOMPARE(lines.size(), 3);
        QVERIFY2(lines[0].startsWith("neuron") && lines[0].contains("label"), lines[0].constData());
        QVERIFY2(lines[1].startsWith("L1:30") && lines[1].contains("auto")
                     && lines[1].contains("suffix -ing"),
                 lines[1].constData());
        QVERIFY2(lines[2].startsWith("L4:2") && lines[2].contains("human")
                     && lines[2].contains("pos, punct")
                     && lines[2].contains("fires on the full stop / and on '?'"),
                 lines[2].constData());

        const Run json = cli({QStringLiteral("notes"), path, QStringLiteral("--json")});
        QCOMPARE(json.code, 0);
        const NeuronNotes parsed =
            notesFromJson(QJsonDocument::fromJson(json.out).array(), QStringLiteral("stdout"));
        QVERIFY(parsed == s.notes);

        const Run tagged =
            cli({QStringLiteral("notes"), path, QStringLiteral("--tag"), QStringLiteral("SUFFIX")});
        QCOMPARE(tagged.code, 0);
        QVERIFY(tagged.out.contains("L1:30") && !tagged.out.contains("L4:2"));
        const Run searched = cli({QStringLiteral("notes"), path, QStringLiteral("--search"),
                                  QStringLiteral("full stop"), QStringLiteral("--json")});
        QCOMPARE(searched.code, 0);
        QCOMPARE(QJsonDocument::fromJson(searched.out).array().size(), 1);

        Session empty;
        empty.demo = true;
        const QString emptyPath = m_dir.filePath(QStringLiteral("notes/empty.json"));
        saveSession(emptyPath, empty);
        const Run none = cli({QStringLiteral("notes"), emptyPath});
        QCOMPARE(none.code, 0);
        QVERIFY2(none.err.contains("no notes"), none.err.constData());
        QCOMPARE(cli({QStringLiteral("notes")}).code, 2);
        const Run help = cli({QStringLiteral("notes"), QStringLiteral("--help")});
        QCOMPARE(help.code, 0);
        QVERIFY(help.out.contains("--tag") && help.out.contains("--json"));
        const Run usage = cli({QStringLiteral("--help")});
        QVERIFY(usage.err.contains("notes SESSION"));
    }

    void inspectBadFiles_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("fragment");
        QTest::newRow("garbage") << QByteArray("this is not an activation file\n")
                                 << QStringLiteral("garbage.bin");
        QTest::newRow("empty") << QByteArray() << QStringLiteral("garbage.bin");
    }
    void inspectBadFiles()
    {
        QFETCH(QByteArray, content);
        QFETCH(QString, fragment);
        const QString path = m_dir.filePath(QStringLiteral("garbage.bin"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(content);
        f.close();
        const Run r = cli({QStringLiteral("inspect"), path});
        QCOMPARE(r.code, 2);
        QVERIFY2(QString::fromUtf8(r.err).contains(fragment), r.err.constData());
        QVERIFY(r.out.isEmpty());
        QVERIFY(!r.err.contains("HDF5-DIAG")); // no library error-stack dump
        const Run missing =
            cli({QStringLiteral("inspect"), m_dir.filePath(QStringLiteral("nope.hdf5"))});
        QCOMPARE(missing.code, 2);
        QVERIFY(missing.err.contains("nope.hdf5"));
    }

    void probeOnDemo()
    {
        const QString out = m_dir.filePath(QStringLiteral("probe-demo"));
        const Run r =
            cli({QStringLiteral("probe"), QStringLiteral("--demo"), QStringLiteral("--epochs"),
                 QStringLiteral("5"), QStringLiteral("--out"), out});
        QVERIFY2(r.code == 0, r.err.constData());
        // What was loaded (train) and what the storage plan covers (every split) are named, and
        // every file written is listed.
        QVERIFY2(r.err.contains("loaded train split: "), r.err.constData());
        QVERIFY2(r.err.contains("storage of all loaded splits (train, dev, test): in memory"),
                 r.err.constData());
        QVERIFY2(r.err.contains("wrote 6 files to "), r.err.constData());
        for (const char *file : {"probe.json", "probe.ranking.csv", "session.json",
                                 "session.arrays-", "results.json", "probe.hdf5"})
            QVERIFY2(r.err.contains(file), file);
        const QJsonObject res = readJson(out + QStringLiteral("/results.json"));
        for (const char *key : {"layers", "dims", "neurons", "labels", "train", "dev", "test",
                                "ranking", "ranking_per_label", "options", "timing"})
            QVERIFY2(res.contains(QLatin1String(key)), key);
        QCOMPARE(res[QStringLiteral("neurons")].toInt(), 192);
        const double dev =
            res[QStringLiteral("dev")].toObject()[QStringLiteral("accuracy")].toDouble();
        QVERIFY2(dev > 0.9, qPrintable(QString::number(dev)));
        QVERIFY(
            res[QStringLiteral("dev")].toObject()[QStringLiteral("per_class")].toObject().contains(
                QStringLiteral("NN")));
        QVERIFY(res[QStringLiteral("timing")].toObject().contains(QStringLiteral("train_s")));
        QVERIFY(res[QStringLiteral("timing")].toObject().contains(QStringLiteral("load_s")));
        const QJsonArray ranking = res[QStringLiteral("ranking")].toArray();
        QVERIFY(ranking.size() > 100 && ranking.size() <= 192);
        QVERIFY(res[QStringLiteral("ranking_per_label")]
                    .toObject()[QStringLiteral("NN")]
                    .toArray()
                    .size()
                == 192);
        const Probe p = loadProbe(out + QStringLiteral("/probe.hdf5"));
        QCOMPARE(p.W.cols(), 192);
        QCOMPARE(p.labels,
                 QStringList({QStringLiteral("."), QStringLiteral("DT"), QStringLiteral("IN"),
                              QStringLiteral("JJ"), QStringLiteral("NN"), QStringLiteral("NNS"),
                              QStringLiteral("RB"), QStringLiteral("VBD"), QStringLiteral("VBG"),
                              QStringLiteral("VBZ")}));
    }

    void probeWithSeeds()
    {
        const QString out = m_dir.filePath(QStringLiteral("probe-seeds"));
        const Run r =
            cli({QStringLiteral("probe"), QStringLiteral("--demo"), QStringLiteral("--epochs"),
                 QStringLiteral("3"), QStringLiteral("--seeds"), QStringLiteral("3"),
                 QStringLiteral("--out"), out});
        QVERIFY2(r.code == 0, r.err.constData());
        const QJsonObject res = readJson(out + QStringLiteral("/probe.json"));
        QCOMPARE(res[QStringLiteral("seeds")].toInt(), 3);
        QCOMPARE(res[QStringLiteral("seed_runs")].toArray().size(), 3);
        const QJsonObject acc =
            res[QStringLiteral("dev")].toObject()[QStringLiteral("accuracy_seeds")].toObject();
        for (const char *key : {"n", "mean", "sd", "median", "min", "max"})
            QVERIFY2(acc.contains(QLatin1String(key)), key);
        QCOMPARE(acc[QStringLiteral("n")].toInt(), 3);
        QVERIFY(
            res[QStringLiteral("stability")].toObject().contains(QStringLiteral("mean_jaccard")));
        QVERIFY(res[QStringLiteral("standardize_comparison")].toObject().contains(
            QStringLiteral("jaccard")));
        QVERIFY(QFile::exists(out + QStringLiteral("/probe.seeds.csv")));
        // The stderr summary.
        QVERIFY2(r.err.contains("(3 seeds); top-9 stability: Jaccard "), r.err.constData());
        QVERIFY2(r.err.contains("% in every seed; mean layer "), r.err.constData());
        QVERIFY2(r.err.contains("; standardised vs raw: Jaccard "), r.err.constData());
        // Out of range: a readable error naming the option.
        const Run bad = cli({QStringLiteral("probe"), QStringLiteral("--demo"),
                             QStringLiteral("--seeds"), QStringLiteral("0"),
                             QStringLiteral("--out"), m_dir.filePath(QStringLiteral("bad-seeds"))});
        QCOMPARE(bad.code, 2); // a usage error, refused before loading
        QVERIFY2(bad.err.contains("--seeds: '0' is out of range (allowed: 1..1000)"),
                 bad.err.constData());
    }

    void probeFromFilesWithLayerSubset()
    {
        const QString out = m_dir.filePath(QStringLiteral("probe-files"));
        QStringList args{QStringLiteral("probe")};
        for (const QString &s : {QStringLiteral("train"), QStringLiteral("dev")}) {
            args << QStringLiteral("--%1-activations").arg(s) << demoFile(s, QStringLiteral("hdf5"))
                 << QStringLiteral("--%1-tokens").arg(s) << demoFile(s, QStringLiteral("words.txt"))
                 << QStringLiteral("--%1-labels").arg(s)
                 << demoFile(s, QStringLiteral("suffix.txt"));
        }
        args << QStringLiteral("--layers") << QStringLiteral("1,3")
             << QStringLiteral("--neurox-compatible") << QStringLiteral("--epochs")
             << QStringLiteral("3") << QStringLiteral("--out") << out;
        const Run r = cli(args);
        QVERIFY2(r.code == 0, r.err.constData());
        const QJsonObject res = readJson(out + QStringLiteral("/results.json"));
        QCOMPARE(res[QStringLiteral("neurons")].toInt(), 64);
        QVERIFY(!res.contains(QStringLiteral("test")));
        QVERIFY(res[QStringLiteral("options")]
                    .toObject()[QStringLiteral("neurox_compatible")]
                    .toBool());
        // NeuroX-compatible training is unshuffled: the record says what ran.
        QCOMPARE(res[QStringLiteral("options")].toObject()[QStringLiteral("shuffle")],
                 QJsonValue(false));
        QCOMPARE(res[QStringLiteral("options")].toObject()[QStringLiteral("standardize")],
                 QJsonValue(false));
        // Flat indices refer to the original layers 1 and 3: 32..63 and 96..127.
        for (const QJsonValue v : res[QStringLiteral("ranking")].toArray()) {
            const int n = v.toInt();
            QVERIFY2((n >= 32 && n < 64) || (n >= 96 && n < 128), qPrintable(QString::number(n)));
        }
    }

    // --storage stream (or a budget the data exceeds) reads mini-batches from the file and gives
    // the numbers of the in-memory run; bad modes and sizes are usage errors.
    void probeStreamedMatchesInMemory()
    {
        auto run = [&](const QString &name, const QStringList &extra) {
            const QString out = m_dir.filePath(name);
            QStringList args{QStringLiteral("probe")};
            for (const QString &s : {QStringLiteral("train"), QStringLiteral("dev")}) {
                args << QStringLiteral("--%1-activations").arg(s)
                     << demoFile(s, QStringLiteral("hdf5")) << QStringLiteral("--%1-tokens").arg(s)
                     << demoFile(s, QStringLiteral("words.txt"))
                     << QStringLiteral("--%1-labels").arg(s)
                     << demoFile(s, QStringLiteral("pos.txt"));
            }
            args << QStringLiteral("--epochs") << QStringLiteral("2") << QStringLiteral("--out")
                 << out << extra;
            const Run r = cli(args);
            return std::pair{r, readJson(out + QStringLiteral("/results.json"))};
        };
        const auto [memRun, mem] = run(QStringLiteral("probe-mem"),
                                       {QStringLiteral("--storage"), QStringLiteral("float32")});
        QVERIFY2(memRun.code == 0, memRun.err.constData());
        QVERIFY2(memRun.err.contains("in memory (float32)"), memRun.err.constData());
        const auto [streamRun, streamed] =
            run(QStringLiteral("probe-stream"),
                {QStringLiteral("--memory-budget"), QStringLiteral("64k")});
        QVERIFY2(streamRun.code == 0, streamRun.err.constData());
        QVERIFY2(streamRun.err.contains("streamed from disk"), streamRun.err.constData());
        QVERIFY(!mem[QStringLiteral("ranking")].toArray().isEmpty());
        QCOMPARE(streamed[QStringLiteral("ranking")], mem[QStringLiteral("ranking")]);
        QCOMPARE(streamed[QStringLiteral("dev")], mem[QStringLiteral("dev")]);
        const auto [badMode, unused1] =
            run(QStringLiteral("probe-bad"), {QStringLiteral("--storage"), QStringLiteral("disk")});
        QCOMPARE(badMode.code, 2);
        QVERIFY2(badMode.err.contains("unknown storage mode 'disk'"), badMode.err.constData());
        const auto [badSize, unused2] =
            run(QStringLiteral("probe-bad2"),
                {QStringLiteral("--memory-budget"), QStringLiteral("lots")});
        QCOMPARE(badSize.code, 2);
        QVERIFY2(badSize.err.contains("'lots' is not a size"), badSize.err.constData());
    }

    // A session written by a command reruns in a fresh process with identical numbers.
    void sessionRerunReproducesNumbers()
    {
        const QString out = m_dir.filePath(QStringLiteral("session-files"));
        QStringList args{QStringLiteral("probe")};
        for (const QString &s : {QStringLiteral("train"), QStringLiteral("dev")}) {
            args << QStringLiteral("--%1-activations").arg(s) << demoFile(s, QStringLiteral("hdf5"))
                 << QStringLiteral("--%1-tokens").arg(s) << demoFile(s, QStringLiteral("words.txt"))
                 << QStringLiteral("--%1-labels").arg(s) << demoFile(s, QStringLiteral("pos.txt"));
        }
        args << QStringLiteral("--epochs") << QStringLiteral("3") << QStringLiteral("--seed")
             << QStringLiteral("11") << QStringLiteral("--l1") << QStringLiteral("1e-4")
             << QStringLiteral("--out") << out;
        const Run first = cli(args);
        QVERIFY2(first.code == 0, first.err.constData());
        QVERIFY(QFile::exists(out + QStringLiteral("/session.json")));
        QVERIFY(QFile::exists(out + QStringLiteral("/probe.ranking.csv")));
        // The inputs carry their full SHA-256 (computed in the background during the run).
        const QJsonObject acts =
            readJson(out + QStringLiteral("/session.json"))[QStringLiteral("inputs")]
                .toObject()[QStringLiteral("train")]
                .toObject()[QStringLiteral("activations")]
                .toObject();
        QCOMPARE(acts[QStringLiteral("sha256")].toString(),
                 fileSha256(demoFile(QStringLiteral("train"), QStringLiteral("hdf5"))));
        QJsonObject a = readJson(out + QStringLiteral("/probe.json"));
        const QString rerun = m_dir.filePath(QStringLiteral("session-rerun"));
        const Run second = cli({QStringLiteral("run"), out + QStringLiteral("/session.json"),
                                QStringLiteral("--out"), rerun});
        QVERIFY2(second.code == 0, second.err.constData());
        QJsonObject b = readJson(rerun + QStringLiteral("/probe.json"));
        a.remove(QStringLiteral("timing"));
        b.remove(QStringLiteral("timing"));
        QVERIFY(!a.isEmpty());
        QCOMPARE(b, a);
        QCOMPARE(b[QStringLiteral("options")].toObject()[QStringLiteral("seed")].toString(),
                 QStringLiteral("11"));

        // A changed input makes `run` refuse, naming the file.
        const QString labels = m_dir.filePath(QStringLiteral("changed.pos.txt"));
        QFile::copy(demoFile(QStringLiteral("dev"), QStringLiteral("pos.txt")), labels);
        args[args.indexOf(demoFile(QStringLiteral("dev"), QStringLiteral("pos.txt")))] = labels;
        args[args.indexOf(out)] = m_dir.filePath(QStringLiteral("session-changed"));
        QCOMPARE(cli(args).code, 0);
        QFile f(labels);
        QVERIFY(f.open(QIODevice::Append));
        f.write("NN\n");
        f.close();
        const Run refused = cli({QStringLiteral("run"),
                                 m_dir.filePath(QStringLiteral("session-changed/session.json"))});
        QCOMPARE(refused.code, 2);
        QVERIFY2(refused.err.contains("changed.pos.txt") && refused.err.contains("inputs changed"),
                 refused.err.constData());
        const Run badSession = cli({QStringLiteral("run"), labels});
        QCOMPARE(badSession.code, 2);
    }

    // Each analysis subcommand on the planted demo: the documented keys and the planted answer.
    void analysesOnDemo()
    {
        const QString out = m_dir.filePath(QStringLiteral("analyses"));
        QByteArray lastErr; // stderr of the last run
        auto run = [&](const QString &name, const QStringList &extra) {
            const Run r =
                cli(QStringList{name, QStringLiteral("--demo"), QStringLiteral("--epochs"),
                                QStringLiteral("4"), QStringLiteral("--out"), out}
                    + extra);
            lastErr = r.err;
            if (r.code != 0)
                qWarning("%s", r.err.constData());
            return r.code == 0
                       ? readJson(out + QStringLiteral("/") + name + QStringLiteral(".json"))
                       : QJsonObject();
        };
        const QJsonObject ms = run(QStringLiteral("minimal-subset"), {});
        for (const char *key :
             {"size", "neurons", "dev_accuracy", "test_accuracy", "oracle_dev_accuracy", "curve"})
            QVERIFY2(ms.contains(QLatin1String(key)), key);
        // 10 POS neurons planted in layer 4 (+ 10 weaker echoes in layer 3).
        QVERIFY2(ms[QStringLiteral("size")].toInt() <= 30,
                 qPrintable(QString::number(ms[QStringLiteral("size")].toInt())));
        QCOMPARE(ms[QStringLiteral("neurons")].toArray().size(),
                 ms[QStringLiteral("size")].toInt());
        QVERIFY(ms[QStringLiteral("dev_accuracy")].toDouble()
                > ms[QStringLiteral("target")].toDouble());
        QVERIFY(QFile::exists(out + QStringLiteral("/minimal-subset.curve.csv")));

        const QJsonObject sel =
            run(QStringLiteral("selectivity"), {QStringLiteral("--seeds"), QStringLiteral("2")});
        for (const char *key :
             {"task_accuracy", "control_accuracy", "selectivity", "selectivity_seeds",
              "majority_baseline", "control_majority_baseline"})
            QVERIFY2(sel.contains(QLatin1String(key)), key);
        QVERIFY(sel[QStringLiteral("selectivity")].toDouble() > 0.1);
        QCOMPARE(sel[QStringLiteral("seeds")].toInt(), 2);
        QCOMPARE(sel[QStringLiteral("selectivity_seeds")].toObject()[QStringLiteral("n")].toInt(),
                 2);
        QVERIFY2(lastErr.contains("selectivity all: ")
                     && lastErr.contains("(mean ± sd over 2 seeds) over 2 control task(s)"),
                 lastErr.constData());

        const QJsonObject ab =
            run(QStringLiteral("ablation"), {QStringLiteral("--sizes"), QStringLiteral("10,40")});
        for (const QString &mode : {QStringLiteral("masking"), QStringLiteral("retraining")}) {
            const QJsonObject c = ab[QStringLiteral("curves")].toObject()[mode].toObject();
            QCOMPARE(c[QStringLiteral("top")].toArray().size(), 2);
            QVERIFY2(c[QStringLiteral("top")].toArray()[0].toDouble()
                         > c[QStringLiteral("bottom")].toArray()[0].toDouble() + 0.3,
                     qPrintable(mode));
            QVERIFY(c.contains(QStringLiteral("random"))
                    && c.contains(QStringLiteral("random_std")));
        }

        const QJsonObject grid = run(QStringLiteral("grid-search"),
                                     {QStringLiteral("--l1-values"), QStringLiteral("0,0.001"),
                                      QStringLiteral("--l2-values"), QStringLiteral("0"),
                                      QStringLiteral("--selection"), QStringLiteral("paper")});
        const QJsonArray cells = grid[QStringLiteral("cells")].toArray();
        QCOMPARE(cells.size(), 2);
        double best = -1;
        for (const QJsonValue c : cells) {
            const QJsonObject o = c.toObject();
            const double score = 0.5 * o[QStringLiteral("full")].toDouble()
                                 + 0.5
                                       * (o[QStringLiteral("top")].toDouble()
                                          - o[QStringLiteral("random")].toDouble());
            QVERIFY(qAbs(score - o[QStringLiteral("score")].toDouble()) < 1e-12);
            best = std::max(best, score);
        }
        QCOMPARE(grid[QStringLiteral("best_score")].toDouble(), best);

        const QJsonObject lw =
            run(QStringLiteral("layerwise"), {QStringLiteral("--seeds"), QStringLiteral("2")});
        QCOMPARE(lw[QStringLiteral("best_independent_layer")].toInt(), 4);
        QCOMPARE(lw[QStringLiteral("independent")].toArray().size(), 6);
        QCOMPARE(lw[QStringLiteral("independent")]
                     .toArray()[0]
                     .toObject()[QStringLiteral("dev_accuracy_seeds")]
                     .toObject()[QStringLiteral("n")]
                     .toInt(),
                 2);
        QVERIFY2(lastErr.contains("best layer 4 (on the mean over 2 seed(s))"),
                 lastErr.constData());

        const QJsonObject cl = run(QStringLiteral("clusters"), {});
        QCOMPARE(cl[QStringLiteral("labels")].toArray().size(), 192);
        QVERIFY(cl[QStringLiteral("cluster_count")].toInt() > 100);

        // Neuron 130 = layer 4, dim 2: planted for the POS tag "." — its top word is ".".
        const QJsonObject ne =
            run(QStringLiteral("neuron"), {QStringLiteral("--neuron"), QStringLiteral("130")});
        QCOMPARE(ne[QStringLiteral("top_words")]
                     .toArray()[0]
                     .toObject()[QStringLiteral("word")]
                     .toString(),
                 QStringLiteral("."));

        const QJsonObject pr = run(QStringLiteral("properties"),
                                   {QStringLiteral("--demo-properties"), QStringLiteral("suffix")});
        QCOMPARE(pr[QStringLiteral("names")].toArray().size(), 2);
        const QJsonArray props = pr[QStringLiteral("properties")].toArray();
        // Suffix knowledge sits lower than POS in the demo (layer 1 vs 4).
        QVERIFY(props[1]
                    .toObject()[QStringLiteral("layer_distribution")]
                    .toObject()[QStringLiteral("mean_layer")]
                    .toDouble()
                < props[0]
                      .toObject()[QStringLiteral("layer_distribution")]
                      .toObject()[QStringLiteral("mean_layer")]
                      .toDouble());

        const QJsonObject cmp = run(QStringLiteral("compare"), {});
        QCOMPARE(cmp[QStringLiteral("models")].toArray().size(), 2);
        QVERIFY(!cmp[QStringLiteral("overlap")].toArray().isEmpty());

        const QJsonObject pf =
            run(QStringLiteral("minimal-subset"),
                {QStringLiteral("--prefilter-threshold"), QStringLiteral("0.3")});
        QVERIFY(pf[QStringLiteral("ranker")]
                    .toObject()[QStringLiteral("prefilter_representatives")]
                    .toInt()
                > 100);
        QVERIFY(pf[QStringLiteral("size")].toInt() >= 1);
        const QJsonObject probe = run(QStringLiteral("probe"), {});
        const QJsonObject where = probe[QStringLiteral("layer_distribution")].toObject();
        QCOMPARE(where[QStringLiteral("k")].toInt(), 9); // 5 % of 192
        QVERIFY(where[QStringLiteral("counts")].toObject()[QStringLiteral("4")].toInt()
                >= 5); // POS planted in layer 4
        QVERIFY(where[QStringLiteral("per_label")].toObject().contains(QStringLiteral("NN")));

        const QJsonObject pl = run(QStringLiteral("minimal-subset"),
                                   {QStringLiteral("--ranker"), QStringLiteral("probeless")});
        QCOMPARE(pl[QStringLiteral("ranker")].toObject()[QStringLiteral("ranker")].toString(),
                 QStringLiteral("probeless"));

        const Run bad =
            cli({QStringLiteral("neuron"), QStringLiteral("--demo"), QStringLiteral("--neuron"),
                 QStringLiteral("5000"), QStringLiteral("--out"), out});
        QCOMPARE(bad.code, 2);
        QVERIFY2(bad.err.contains("5000"), bad.err.constData());
        const Run badRanker =
            cli({QStringLiteral("ablation"), QStringLiteral("--demo"), QStringLiteral("--ranker"),
                 QStringLiteral("magic"), QStringLiteral("--out"), out});
        QCOMPARE(badRanker.code, 2);
        QVERIFY(badRanker.err.contains("unknown ranker"));
    }

    // The paper's pipeline as one session, replayed in a fresh process: identical numbers. The
    // grid-search winner is applied to the later analyses as an explicit, recorded step (per
    // analysis in the session), so `run` reproduces the pipeline without applying anything.
    // grid-search's winner rule: the default guarded rule against the paper's, both stated on
    // stderr with the cost; the replay reproduces the winner; bad values are usage errors.
    void gridSearchSelection()
    {
        const auto gridRun = [&](const QString &dir, const QStringList &extra) {
            return cli(QStringList{QStringLiteral("grid-search"), QStringLiteral("--demo"),
                                   QStringLiteral("--epochs"), QStringLiteral("3"),
                                   QStringLiteral("--l1-values"), QStringLiteral("0,0.01,0.1"),
                                   QStringLiteral("--l2-values"), QStringLiteral("0,0.001"),
                                   QStringLiteral("--out"), m_dir.filePath(dir)}
                       + extra);
        };
        const Run guarded = gridRun(QStringLiteral("grid-guarded"), {});
        QVERIFY2(guarded.code == 0, guarded.err.constData());
        const Run paper = gridRun(QStringLiteral("grid-paper"),
                                  {QStringLiteral("--selection"), QStringLiteral("paper")});
        QVERIFY2(paper.code == 0, paper.err.constData());
        const QJsonObject g =
            readJson(m_dir.filePath(QStringLiteral("grid-guarded/grid-search.json")));
        const QJsonObject p =
            readJson(m_dir.filePath(QStringLiteral("grid-paper/grid-search.json")));
        QCOMPARE(g[QStringLiteral("selection")].toString(), QStringLiteral("guarded"));
        QCOMPARE(g[QStringLiteral("accuracy_tolerance")].toDouble(), 1.0);
        QCOMPARE(p[QStringLiteral("selection")].toString(), QStringLiteral("paper"));
        // Same cells (same seeds); the guarded winner costs at most ε, the paper's has the top
        // score.
        const QString same = jsonDifference(g[QStringLiteral("cells")], p[QStringLiteral("cells")],
                                            QStringLiteral("cells"), {QStringLiteral("eligible")});
        QVERIFY2(same.isEmpty(), qPrintable(same));
        QVERIFY(g[QStringLiteral("cost_vs_best_points")].toDouble() <= 1.0 + 1e-9);
        double top = -1e9;
        for (const QJsonValue c : p[QStringLiteral("cells")].toArray())
            top = std::max(top, c.toObject()[QStringLiteral("score")].toDouble());
        QCOMPARE(p[QStringLiteral("best_score")].toDouble(), top);
        QVERIFY(g[QStringLiteral("best_score")].toDouble() <= top);
        QVERIFY(
            g[QStringLiteral("majority_baseline")].toObject()[QStringLiteral("accuracy")].toDouble()
            > 0);
        for (const Run *r : {&guarded, &paper}) {
            QVERIFY2(r->err.contains("grid-search chose λ1="), r->err.constData());
            QVERIFY2(r->err.contains("points vs the most accurate cell"), r->err.constData());
            QVERIFY2(r->err.contains("points vs λ=0 (grid cell)"), r->err.constData());
            QVERIFY2(r->err.contains("majority baseline"), r->err.constData());
        }
        QVERIFY2(guarded.err.contains("(guarded, tolerance 1 points)"), guarded.err.constData());
        // A cost above 2 points is a warning on stderr and in the JSON.
        const bool paperWarns = p[QStringLiteral("cost_vs_best_points")].toDouble() > 2.0;
        QCOMPARE(p[QStringLiteral("warnings")].toArray().isEmpty(), !paperWarns);
        QCOMPARE(paper.err.contains("warning: the chosen cell"), paperWarns);
        // The session records the rule: `run` replays the same winner.
        const QString session = m_dir.filePath(QStringLiteral("grid-guarded/session.json"));
        QCOMPARE(readJson(session)[QStringLiteral("analysis_options")]
                     .toObject()[QStringLiteral("grid-search")]
                     .toObject()[QStringLiteral("selection")]
                     .toString(),
                 QStringLiteral("guarded"));
        const QString again = m_dir.filePath(QStringLiteral("grid-guarded-again"));
        const Run replay = cli({QStringLiteral("run"), session, QStringLiteral("--out"), again});
        QVERIFY2(replay.code == 0, replay.err.constData());
        const QJsonObject r = readJson(again + QStringLiteral("/grid-search.json"));
        const QString d = jsonDifference(g, r, QStringLiteral("grid"), {});
        QVERIFY2(d.isEmpty(), qPrintable(d));

        // Usage errors, named.
        const Run badRule = gridRun(QStringLiteral("grid-bad"),
                                    {QStringLiteral("--selection"), QStringLiteral("foo")});
        QVERIFY(badRule.code != 0);
        QVERIFY2(badRule.err.contains("'foo'") && badRule.err.contains("paper or guarded"),
                 badRule.err.constData());
        const Run badTolerance =
            gridRun(QStringLiteral("grid-bad"),
                    {QStringLiteral("--accuracy-tolerance"), QStringLiteral("-1")});
        QCOMPARE(badTolerance.code, 2);
        QVERIFY2(badTolerance.err.contains("--accuracy-tolerance: '-1' is out of range (allowed: "
                                           "0..100)"),
                 badTolerance.err.constData());
        QCOMPARE(badRule.code, 2);
        QCOMPARE(badTolerance.code, 2);
    }

    void pipelineSessionReplays()
    {
        const QString out = m_dir.filePath(QStringLiteral("pipeline"));
        // The default λ1 = 0 is not on this grid: a later analysis reporting λ1 = best_l1 got the
        // winner. (--l1 itself is refused while grid-search is listed.)
        const Run first =
            cli({QStringLiteral("pipeline"), QStringLiteral("--demo"), QStringLiteral("--epochs"),
                 QStringLiteral("3"), QStringLiteral("--l1-values"), QStringLiteral("1e-4,1e-3"),
                 QStringLiteral("--l2-values"), QStringLiteral("0,1e-3"), QStringLiteral("--out"),
                 out});
        QVERIFY2(first.code == 0, first.err.constData());
        const QJsonObject grid = readJson(out + QStringLiteral("/grid-search.json"));
        QVERIFY(grid[QStringLiteral("best_l1")].isDouble());
        const double bestL1 = grid[QStringLiteral("best_l1")].toDouble();
        const double bestL2 = grid[QStringLiteral("best_l2")].toDouble();
        QVERIFY(bestL1 != 0);
        const QStringList later{QStringLiteral("probe"), QStringLiteral("minimal-subset"),
                                QStringLiteral("ablation"), QStringLiteral("selectivity"),
                                QStringLiteral("layerwise")};
        QCOMPARE(grid[QStringLiteral("applied_to")].toVariant().toStringList(), later);
        QVERIFY2(first.err.contains("applying the grid-search winner λ1="), first.err.constData());
        QVERIFY2(first.err.contains("to: probe, minimal-subset, ablation, selectivity, layerwise"),
                 first.err.constData());
        // The probe ran with the winner; the session records it for every later analysis, and
        // the options grid-search itself ran with.
        const QJsonObject probeOpts =
            readJson(out + QStringLiteral("/probe.json"))[QStringLiteral("options")].toObject();
        QCOMPARE(probeOpts[QStringLiteral("l1")].toDouble(), bestL1);
        QCOMPARE(probeOpts[QStringLiteral("l2")].toDouble(), bestL2);
        const QString sessionPath = out + QStringLiteral("/session.json");
        QCOMPARE(
            recordedProbeOptions(sessionPath, QStringLiteral("grid-search"))[QStringLiteral("l1")]
                .toDouble(),
            0.0);
        for (const QString &name : later) {
            const QJsonObject o = recordedProbeOptions(sessionPath, name);
            QCOMPARE(o[QStringLiteral("l1")].toDouble(), bestL1);
            QCOMPARE(o[QStringLiteral("l2")].toDouble(), bestL2);
            QCOMPARE(o[QStringLiteral("epochs")].toInt(), 3);
        }
        const QJsonObject sessionProbe =
            readJson(sessionPath)[QStringLiteral("probe_options")].toObject();
        QCOMPARE(sessionProbe[QStringLiteral("l1")].toDouble(), bestL1);

        const QString again = m_dir.filePath(QStringLiteral("pipeline-again"));
        const Run second =
            cli({QStringLiteral("run"), sessionPath, QStringLiteral("--out"), again});
        QVERIFY2(second.code == 0, second.err.constData());
        QVERIFY2(!second.err.contains("applying"), second.err.constData());
        // Every result JSON, every number, exactly. Excluded: "timing" (wall-clock seconds), and
        // grid-search's "applied_to" (the record of the pipeline's step; `run` applies nothing,
        // it replays the recorded per-analysis options compared below).
        const QStringList excluded{QStringLiteral("timing"), QStringLiteral("applied_to")};
        const QStringList files =
            QDir(out).entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name);
        QStringList compared;
        for (const QString &f : files) {
            if (f == QLatin1String("session.json") || f == QLatin1String("timing.json"))
                continue;
            const QJsonObject a = readJson(out + QLatin1Char('/') + f);
            const QJsonObject b = readJson(again + QLatin1Char('/') + f);
            QVERIFY2(!a.isEmpty(), qPrintable(f));
            const QString d = jsonDifference(a, b, f, excluded);
            QVERIFY2(d.isEmpty(), qPrintable(d));
            compared << f;
        }
        // grid-search + the later ones + results.json (the probe's, as `probe` writes it)
        QCOMPARE(compared.size(), qsizetype(1 + later.size() + 1));
        QVERIFY(compared.contains(QStringLiteral("probe.json")));
        QVERIFY(compared.contains(QStringLiteral("results.json")));
        const QJsonObject s1 = readJson(sessionPath),
                          s2 = readJson(again + QStringLiteral("/session.json"));
        for (const char *key : {"results", "analysis_probe_options", "probe_options"}) {
            const QString d = jsonDifference(s1[QLatin1String(key)], s2[QLatin1String(key)],
                                             QLatin1String(key), excluded);
            QVERIFY2(d.isEmpty(), qPrintable(d));
        }
        QVERIFY(QFile::exists(out + QStringLiteral("/timing.json")));
        // Selectivity includes the minimal set computed earlier in the same run.
        const QJsonArray sets =
            readJson(out + QStringLiteral("/selectivity.json"))[QStringLiteral("sets")].toArray();
        QCOMPARE(sets.size(), 2);
        QCOMPARE(sets[1].toObject()[QStringLiteral("set")].toString(), QStringLiteral("minimal"));
    }

    // pipeline takes every analysis's options: a shared flag (--search-stride) sets every listed
    // analysis that has it, an ambiguous one (--delta) needs its qualified form; the options are
    // recorded per analysis and replayed by `run`. pipeline writes the probe's results.json and
    // probe.hdf5 as `probe` does. Contradictory options are usage errors.
    void pipelineTakesAnalysisOptions()
    {
        const QString out = m_dir.filePath(QStringLiteral("pipeline-options"));
        const QStringList base{QStringLiteral("pipeline"), QStringLiteral("--demo"),
                               QStringLiteral("--epochs"), QStringLiteral("2"),
                               QStringLiteral("--out"),    out};
        const QString analyses = QStringLiteral("probe,minimal-subset,layerwise");
        const Run r =
            cli(base
                + QStringList{QStringLiteral("--analyses"), analyses,
                              QStringLiteral("--search-stride"), QStringLiteral("50"),
                              QStringLiteral("--minimal-subset-delta"), QStringLiteral("3"),
                              QStringLiteral("--layerwise-delta"), QStringLiteral("4"),
                              QStringLiteral("--fractions"), QStringLiteral("0.1,0.5")});
        QVERIFY2(r.code == 0, r.err.constData());
        const QJsonObject opts =
            readJson(out + QStringLiteral("/session.json"))[QStringLiteral("analysis_options")]
                .toObject();
        const auto opt = [&](const char *analysis, const char *key) {
            return opts[QLatin1String(analysis)].toObject()[QLatin1String(key)];
        };
        QCOMPARE(opt("probe", "search_stride").toDouble(), 50.0);
        QCOMPARE(opt("minimal-subset", "search_stride").toDouble(), 50.0);
        QCOMPARE(opt("minimal-subset", "delta").toDouble(), 3.0);
        QCOMPARE(opt("layerwise", "delta").toDouble(), 4.0);
        QVERIFY(!opts[QStringLiteral("probe")].toObject().contains(QStringLiteral("delta")));
        // The pipeline's default: 3 seeds for every analysis that repeats, recorded for replay.
        for (const char *a : {"probe", "minimal-subset", "layerwise"})
            QVERIFY2(opt(a, "seeds").toInt() == 3, a);
        QCOMPARE(readJson(out + QStringLiteral("/probe.json"))[QStringLiteral("seeds")].toInt(), 3);
        const QJsonObject subset = readJson(out + QStringLiteral("/minimal-subset.json"));
        QCOMPARE(subset[QStringLiteral("delta_percent")].toDouble(), 3.0);
        QCOMPARE(subset[QStringLiteral("search_stride")].toInt(), 50);
        QCOMPARE(readJson(out + QStringLiteral("/layerwise.json"))[QStringLiteral("delta_percent")]
                     .toDouble(),
                 4.0);
        // The same files as `probe`: results.json (= probe.json) and the trained probe.
        QCOMPARE(readJson(out + QStringLiteral("/results.json")),
                 readJson(out + QStringLiteral("/probe.json")));
        QCOMPARE(loadProbe(out + QStringLiteral("/probe.hdf5")).W.cols(), 192);
        for (const char *file : {"results.json", "probe.hdf5", "minimal-subset.json",
                                 "layerwise.json", "timing.json", "session.json"})
            QVERIFY2(r.err.contains(file), file);
        // `run` replays the recorded options.
        const QString again = m_dir.filePath(QStringLiteral("pipeline-options-again"));
        const Run replay = cli({QStringLiteral("run"), out + QStringLiteral("/session.json"),
                                QStringLiteral("--out"), again});
        QVERIFY2(replay.code == 0, replay.err.constData());
        QCOMPARE(readJson(again
                          + QStringLiteral("/minimal-subset.json"))[QStringLiteral("delta_percent")]
                     .toDouble(),
                 3.0);
        QVERIFY(QFile::exists(again + QStringLiteral("/probe.hdf5")));

        // Refused (before loading): bare --delta with two analyses that have it; --l1 with
        // grid-search; an option of an analysis not listed; a qualified option of an analysis not
        // listed.
        const struct {
            QStringList extra;
            const char *fragment;
        } refused[] = {
            {{QStringLiteral("--analyses"), analyses, QStringLiteral("--delta"),
              QStringLiteral("2")},
             "give --minimal-subset-delta or --layerwise-delta"},
            {{QStringLiteral("--l1"), QStringLiteral("0.01")}, "drop grid-search from --analyses"},
            {{QStringLiteral("--analyses"), QStringLiteral("grid-search,probe"),
              QStringLiteral("--l2"), QStringLiteral("0.01")},
             "drop --l1/--l2"},
            {{QStringLiteral("--analyses"), QStringLiteral("probe"), QStringLiteral("--neuron"),
              QStringLiteral("3")},
             "--neuron is an option of neuron, which is not in --analyses"},
            {{QStringLiteral("--analyses"), QStringLiteral("probe"),
              QStringLiteral("--layerwise-delta"), QStringLiteral("3")},
             "--layerwise-delta is an option of layerwise, which is not in --analyses"},
            {{QStringLiteral("--analyses"), QStringLiteral("probe,layerwise"),
              QStringLiteral("--layerwise-delta"), QStringLiteral("300")},
             "--layerwise-delta: '300' is out of range"},
            // The bare form when only one listed analysis has it: that analysis's option.
            {{QStringLiteral("--analyses"), QStringLiteral("probe,layerwise"),
              QStringLiteral("--delta"), QStringLiteral("300")},
             "--delta: '300' is out of range"},
        };
        for (const auto &c : refused) {
            const Run bad = cli(base + c.extra);
            QCOMPARE(bad.code, 2);
            QVERIFY2(bad.err.contains(c.fragment), bad.err.constData());
            QVERIFY2(!bad.err.contains("loaded "), bad.err.constData());
        }
    }

    // A session whose analyses ran with different λ (probe with λ1 = 0, minimal-subset with
    // λ1 = 0.01) replays each with its own options, not the session-wide ones.
    void sessionReplaysEachAnalysisWithItsOwnProbeOptions()
    {
        const auto runOne = [&](const QString &name, const QString &l1, const QString &dir) {
            const Run r = cli({name, QStringLiteral("--demo"), QStringLiteral("--epochs"),
                               QStringLiteral("2"), QStringLiteral("--l1"), l1,
                               QStringLiteral("--out"), m_dir.filePath(dir)});
            return r;
        };
        const Run probe =
            runOne(QStringLiteral("probe"), QStringLiteral("0"), QStringLiteral("mixed-probe"));
        QVERIFY2(probe.code == 0, probe.err.constData());
        const Run subset = runOne(QStringLiteral("minimal-subset"), QStringLiteral("0.01"),
                                  QStringLiteral("mixed-subset"));
        QVERIFY2(subset.code == 0, subset.err.constData());
        const Run subset0 = runOne(QStringLiteral("minimal-subset"), QStringLiteral("0"),
                                   QStringLiteral("mixed-subset0"));
        QVERIFY2(subset0.code == 0, subset0.err.constData());
        const QJsonObject subsetResult =
            readJson(m_dir.filePath(QStringLiteral("mixed-subset/minimal-subset.json")));
        // λ matters for this analysis (else the test below could not fail).
        QVERIFY(!jsonDifference(
                     subsetResult,
                     readJson(m_dir.filePath(QStringLiteral("mixed-subset0/minimal-subset.json"))),
                     QStringLiteral("minimal-subset"), {})
                     .isEmpty());

        // One session: the probe's (λ1 = 0 session-wide) plus minimal-subset with λ1 = 0.01.
        const QString probeSession = m_dir.filePath(QStringLiteral("mixed-probe/session.json"));
        QJsonObject root = readJson(probeSession);
        const QJsonObject subsetSession =
            readJson(m_dir.filePath(QStringLiteral("mixed-subset/session.json")));
        QCOMPARE(recordedProbeOptions(m_dir.filePath(QStringLiteral("mixed-subset/session.json")),
                                      QStringLiteral("minimal-subset"))[QStringLiteral("l1")]
                     .toDouble(),
                 0.01);
        QJsonArray analyses = root[QStringLiteral("analyses")].toArray();
        analyses.append(QStringLiteral("minimal-subset"));
        root[QStringLiteral("analyses")] = analyses;
        QJsonObject perAnalysis = root[QStringLiteral("analysis_probe_options")].toObject();
        perAnalysis[QStringLiteral("minimal-subset")] =
            subsetSession[QStringLiteral("analysis_probe_options")]
                .toObject()[QStringLiteral("minimal-subset")];
        root[QStringLiteral("analysis_probe_options")] = perAnalysis;
        QCOMPARE(root[QStringLiteral("probe_options")].toObject()[QStringLiteral("l1")].toDouble(),
                 0.0);
        const QString merged = m_dir.filePath(QStringLiteral("mixed-probe/merged.json"));
        QFile f(merged);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QJsonDocument(root).toJson());
        f.close();

        const QString replay = m_dir.filePath(QStringLiteral("mixed-replay"));
        const Run r = cli({QStringLiteral("run"), merged, QStringLiteral("--out"), replay});
        QVERIFY2(r.code == 0, r.err.constData());
        const QStringList excluded{QStringLiteral("timing")};
        QString d = jsonDifference(
            readJson(m_dir.filePath(QStringLiteral("mixed-probe/probe.json"))),
            readJson(replay + QStringLiteral("/probe.json")), QStringLiteral("probe"), excluded);
        QVERIFY2(d.isEmpty(), qPrintable(d));
        d = jsonDifference(subsetResult, readJson(replay + QStringLiteral("/minimal-subset.json")),
                           QStringLiteral("minimal-subset"), excluded);
        QVERIFY2(d.isEmpty(), qPrintable(d));
        // The replayed session keeps both analyses' own options.
        QCOMPARE(recordedProbeOptions(replay + QStringLiteral("/session.json"),
                                      QStringLiteral("minimal-subset"))[QStringLiteral("l1")]
                     .toDouble(),
                 0.01);
        QCOMPARE(recordedProbeOptions(replay + QStringLiteral("/session.json"),
                                      QStringLiteral("probe"))[QStringLiteral("l1")]
                     .toDouble(),
                 0.0);
    }

    void probeBadInput_data()
    {
        QTest::addColumn<QStringList>("extra");
        QTest::addColumn<QString>("fragment");
        QTest::newRow("no-out") << QStringList{QStringLiteral("--demo")} << QStringLiteral("--out");
        QTest::newRow("bad-l1") << QStringList{QStringLiteral("--demo"), QStringLiteral("--l1"),
                                               QStringLiteral("abc"), QStringLiteral("--out"),
                                               QStringLiteral("x")}
                                << QStringLiteral("--l1");
        QTest::newRow("negative-l2")
            << QStringList{QStringLiteral("--demo"), QStringLiteral("--l2"), QStringLiteral("-1"),
                           QStringLiteral("--out"), QStringLiteral("x")}
            << QStringLiteral("2");
        QTest::newRow("zero-epochs")
            << QStringList{QStringLiteral("--demo"), QStringLiteral("--epochs"),
                           QStringLiteral("0"), QStringLiteral("--out"), QStringLiteral("x")}
            << QStringLiteral("poch");
        QTest::newRow("bad-layers")
            << QStringList{QStringLiteral("--demo"), QStringLiteral("--layers"),
                           QStringLiteral("1-x"), QStringLiteral("--out"), QStringLiteral("x")}
            << QStringLiteral("--layers");
        QTest::newRow("no-data") << QStringList{QStringLiteral("--out"), QStringLiteral("x")}
                                 << QStringLiteral("--train-activations");
        QTest::newRow("missing-file") << QStringList{QStringLiteral("--train-activations"),
                                                     QStringLiteral("/nonexistent/a.hdf5"),
                                                     QStringLiteral("--train-tokens"),
                                                     QStringLiteral("t"),
                                                     QStringLiteral("--train-labels"),
                                                     QStringLiteral("l"),
                                                     QStringLiteral("--out"),
                                                     QStringLiteral("x")}
                                      << QStringLiteral("/nonexistent/a.hdf5");
    }
    void probeBadInput()
    {
        QFETCH(QStringList, extra);
        QFETCH(QString, fragment);
        QDir::setCurrent(m_dir.path());
        const Run r = cli(QStringList{QStringLiteral("probe")} + extra);
        QCOMPARE(r.code, 2);
        QVERIFY2(QString::fromUtf8(r.err).contains(fragment), r.err.constData());
    }

    void probeMismatchedTokensNamesFile()
    {
        // Token file with one line fewer than the activation file's sentences.
        const QString tok = m_dir.filePath(QStringLiteral("short.words.txt"));
        QFile in(demoFile(QStringLiteral("dev"), QStringLiteral("words.txt")));
        QVERIFY(in.open(QIODevice::ReadOnly));
        QList<QByteArray> lines = in.readAll().split('\n');
        lines.removeLast(); // trailing empty
        lines.removeLast();
        QFile outFile(tok);
        QVERIFY(outFile.open(QIODevice::WriteOnly));
        outFile.write(lines.join('\n') + '\n');
        outFile.close();
        const Run r = cli({QStringLiteral("probe"), QStringLiteral("--train-activations"),
                           demoFile(QStringLiteral("dev"), QStringLiteral("hdf5")),
                           QStringLiteral("--train-tokens"), tok, QStringLiteral("--train-labels"),
                           demoFile(QStringLiteral("dev"), QStringLiteral("pos.txt")),
                           QStringLiteral("--out"), m_dir.filePath(QStringLiteral("o"))});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("short.words.txt") && r.err.contains("199 lines"),
                 r.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
