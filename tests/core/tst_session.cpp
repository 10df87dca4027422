// Session files: options round trip, atomic save of JSON + arrays, version and input checks,
// interrupted saves leaving the previous session intact.
#include "salient/data/demo.h"
#include "salient/session/session.h"
#include "salient/util/atomicfile.h"
#include "salient/util/error.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QtTest>

using namespace salient;

namespace {

QString errorOf(const std::function<void()> &f)
{
    try {
        f();
    } catch (const Error &e) {
        return e.message();
    }
    return QString();
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

void writeAll(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(bytes);
}

} // namespace

class TestSession : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString file(const QString &name) const { return m_dir.filePath(name); }

    Session makeSession()
    {
        Session s;
        for (const QString &split : {QStringLiteral("train"), QStringLiteral("dev")}) {
            const QString base = file(QStringLiteral("inputs/demo.") + split);
            s.splits[split] = {describeInput(base + QStringLiteral(".hdf5")),
                               describeInput(base + QStringLiteral(".words.txt")),
                               describeInput(base + QStringLiteral(".pos.txt"))};
        }
        s.dataOptions.layers = {1, 3};
        s.dataOptions.seed = 0xfedcba9876543210ULL;
        s.probeOptions.l1 = 1e-4;
        s.probeOptions.seed = 0x8000000000000001ULL;
        s.probeOptions.standardize = true;
        s.analyses = {QStringLiteral("probe"), QStringLiteral("minimal-subset")};
        QJsonObject ms;
        ms[QStringLiteral("delta")] = 1.0;
        s.analysisOptions[QStringLiteral("minimal-subset")] = ms;
        QJsonObject res;
        res[QStringLiteral("dev_accuracy")] = 0.987654321;
        s.results[QStringLiteral("probe")] = res;
        RowMatrixF w(3, 4);
        w << 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12.5f;
        s.arrays[QStringLiteral("probe/W")] = w;
        s.arrays[QStringLiteral("probe/b")] = RowMatrixF::Constant(1, 3, -0.25f);
        return s;
    }

private Q_SLOTS:
    void initTestCase()
    {
        DemoOptions o;
        o.trainSentences = 30;
        o.devSentences = o.testSentences = 10;
        writeDemoFiles(makeDemoDataset(o), file(QStringLiteral("inputs")));
    }

    void optionsRoundTrip()
    {
        DatasetOptions d;
        d.task = TaskType::Regression;
        d.layers = {4, 0};
        d.binarizedTag = QStringLiteral("NN");
        d.balance = true;
        d.seed = 0xffffffffffffffffULL;
        d.maxMismatches = 7;
        const DatasetOptions d2 = datasetOptionsFromJson(toJson(d));
        QCOMPARE(d2.task, d.task);
        QCOMPARE(d2.layers, d.layers);
        QCOMPARE(d2.binarizedTag, d.binarizedTag);
        QCOMPARE(d2.seed, d.seed);
        QCOMPARE(d2.maxMismatches, 7);
        ProbeOptions p;
        p.l2 = 0.125;
        p.epochs = 3;
        p.batchSize = 512;
        p.seed = 0x123456789abcdef0ULL;
        p.neuroxCompatible = true;
        const ProbeOptions p2 = probeOptionsFromJson(toJson(p));
        QCOMPARE(p2.l2, p.l2);
        QCOMPARE(p2.epochs, 3);
        QCOMPARE(p2.batchSize, 512);
        QCOMPARE(p2.seed, p.seed);
        QVERIFY(p2.neuroxCompatible);
        // Shuffling and standardisation are off under NeuroX compatibility, whatever the flags
        // say: the JSON records what ran, and reading it back trains the same way.
        p.shuffle = true;
        p.standardize = true;
        const QJsonObject j = toJson(p);
        QCOMPARE(j.value(QStringLiteral("shuffle")), QJsonValue(false));
        QCOMPARE(j.value(QStringLiteral("standardize")), QJsonValue(false));
        p.neuroxCompatible = false;
        QCOMPARE(toJson(p).value(QStringLiteral("shuffle")), QJsonValue(true));
        QCOMPARE(toJson(p).value(QStringLiteral("standardize")), QJsonValue(true));
        // The block-shuffled order round-trips; absent in older sessions (full shuffle).
        p.shuffleBlockRows = 4096;
        QCOMPARE(probeOptionsFromJson(toJson(p)).shuffleBlockRows, 4096);
        QJsonObject old = toJson(p);
        old.remove(QStringLiteral("shuffle_block"));
        QCOMPARE(probeOptionsFromJson(old).shuffleBlockRows, 0);
    }

    void saveAndLoad()
    {
        Session s = makeSession();
        const QString path = file(QStringLiteral("s1.json"));
        saveSession(path, s);
        SessionCheck check;
        const Session l = loadSession(path, &check);
        QVERIFY2(check.ok(), qPrintable(check.changedInputs.join(QStringLiteral("; "))));
        QCOMPARE(l.splits.size(), size_t(2));
        QCOMPARE(l.splits.at(QStringLiteral("dev"))[2].path,
                 s.splits.at(QStringLiteral("dev"))[2].path);
        QCOMPARE(l.dataOptions.layers, (std::vector<int>{1, 3}));
        QCOMPARE(l.dataOptions.seed, s.dataOptions.seed);
        QCOMPARE(l.probeOptions.seed, s.probeOptions.seed);
        QCOMPARE(l.analyses, s.analyses);
        QCOMPARE(l.results, s.results);
        QCOMPARE(l.analysisOptions, s.analysisOptions);
        QVERIFY(l.arrays.at(QStringLiteral("probe/W")) == s.arrays.at(QStringLiteral("probe/W")));
        QVERIFY(l.arrays.at(QStringLiteral("probe/b")) == s.arrays.at(QStringLiteral("probe/b")));
        const TaskInputs in = l.taskInputs();
        QVERIFY(in.train.isSet() && in.dev.isSet() && !in.test.isSet());
        // A second save replaces the arrays file and removes the old one.
        const QString firstArrays = s.arraysFile;
        saveSession(path, s);
        QVERIFY(s.arraysFile != firstArrays);
        QVERIFY(!QFile::exists(file(firstArrays)));
        QVERIFY(QFile::exists(file(s.arraysFile)));
    }

    // Issue 12 item 8: notes on neurons survive save and reopen, with every field; a session
    // without notes has no "notes" key; malformed notes are errors naming the entry.
    void notesSurviveSaveAndReopen()
    {
        Session s = makeSession();
        NeuronNote a;
        a.neuron = {4, 2};
        a.label = QStringLiteral("sentence end");
        a.tags = {QStringLiteral(" pos "), QStringLiteral("punct"), QStringLiteral("pos")};
        a.text = QStringLiteral("Fires on \".\" — line 1\nline 2, with \"quotes\"");
        a.modified = QStringLiteral("2026-12-02T17:00:00Z");
        NeuronNote b;
        b.neuron = {1, 30};
        b.label = QStringLiteral("suffix -ing");
        b.source = NoteSource::Auto;
        s.notes.set(a);
        s.notes.set(b);
        QCOMPARE(s.notes.size(), 2);
        QCOMPARE(s.notes.all().front().neuron, (NeuronId{1, 30})); // sorted by neuron
        QCOMPARE(s.notes.find({4, 2})->tags,
                 (QStringList{QStringLiteral("pos"), QStringLiteral("punct")}));
        const QString path = file(QStringLiteral("notes.json"));
        saveSession(path, s);
        const Session l = loadSession(path);
        QVERIFY(l.notes == s.notes);
        QCOMPARE(l.notes.find({4, 2})->text, a.text);
        QCOMPARE(l.notes.find({1, 30})->source, NoteSource::Auto);
        QVERIFY(!l.notes.find({4, 3}));

        // Replace and remove.
        Session m = l;
        NeuronNote a2 = *m.notes.find({4, 2});
        a2.label = QStringLiteral("full stop");
        m.notes.set(a2);
        QCOMPARE(m.notes.size(), 2);
        QVERIFY(m.notes.remove({1, 30}));
        QVERIFY(!m.notes.remove({1, 30}));
        saveSession(path, m);
        const Session l2 = loadSession(path);
        QCOMPARE(l2.notes.size(), 1);
        QCOMPARE(l2.notes.find({4, 2})->label, QStringLiteral("full stop"));

        // No notes: no key.
        Session none = makeSession();
        const QString nonePath = file(QStringLiteral("nonotes.json"));
        saveSession(nonePath, none);
        QFile f(nonePath);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY(!QJsonDocument::fromJson(f.readAll()).object().contains(QStringLiteral("notes")));
        QVERIFY(loadSession(nonePath).notes.isEmpty());

        // Search: words in label/text/tags/name, and an exact tag.
        QVERIFY(noteMatches(a, QStringLiteral("QUOTES end")));
        QVERIFY(noteMatches(a, QStringLiteral("L4:2")));
        QVERIFY(noteMatches(a, {}, QStringLiteral("Punct")));
        QVERIFY(!noteMatches(a, {}, QStringLiteral("pun")));
        QVERIFY(!noteMatches(b, QStringLiteral("quotes")));
        QCOMPARE(parseTags(QStringLiteral("a, b,,a , c")),
                 (QStringList{QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")}));

        // Malformed entries name the entry and key.
        const auto fails = [](const char *json, const char *expected) {
            const QJsonArray arr = QJsonDocument::fromJson(json).array();
            try {
                notesFromJson(arr, QStringLiteral("notes"));
            } catch (const Error &e) {
                QVERIFY2(e.message().contains(QLatin1String(expected)), qPrintable(e.message()));
                return;
            }
            QFAIL(json);
        };
        fails(R"([{"layer": -1, "unit": 0}])", "notes[0].layer");
        fails(R"([{"layer": 1}])", "notes[0].unit");
        fails(R"([{"layer": 1, "unit": 2, "source": "robot"}])", "notes[0].source");
        fails(R"([{"layer": 1, "unit": 2, "tags": "x"}])", "notes[0].tags");
        fails(R"([{"layer": 1, "unit": 2}, {"layer": 1, "unit": 2}])", "notes[1]");
        fails(R"([3])", "notes[0]");

        // CSV: header and quoted multi-line text.
        const QByteArray csv = notesToCsv(l.notes);
        QVERIFY(csv.startsWith("layer,unit,label,tags,source,modified,text\r\n"));
        QVERIFY(csv.contains("1,30,suffix -ing,,auto,"));
        QVERIFY(csv.contains("4,2,sentence end,pos; punct,human,2026-12-02T17:00:00Z,"));
        QVERIFY(csv.contains("\"Fires on \"\".\"\" — line 1\nline 2, with \"\"quotes\"\"\""));
    }

    // Per-analysis probe options: saved, loaded, and the fallback for analyses without an entry.
    void analysisProbeOptionsRoundTrip()
    {
        Session s = makeSession();
        ProbeOptions grid = s.probeOptions;
        ProbeOptions later = s.probeOptions;
        later.l1 = 0.001;
        later.l2 = 0.25;
        later.epochs = 4;
        s.analysisProbeOptions[QStringLiteral("grid-search")] = grid;
        s.analysisProbeOptions[QStringLiteral("minimal-subset")] = later;
        const QString path = file(QStringLiteral("per-analysis.json"));
        saveSession(path, s);
        const QJsonObject saved = QJsonDocument::fromJson(readAll(path))
                                      .object()[QStringLiteral("analysis_probe_options")]
                                      .toObject();
        QCOMPARE(saved.keys(),
                 (QStringList{QStringLiteral("grid-search"), QStringLiteral("minimal-subset")}));
        QCOMPARE(
            saved[QStringLiteral("minimal-subset")].toObject()[QStringLiteral("l2")].toDouble(),
            0.25);
        const Session l = loadSession(path);
        QCOMPARE(l.analysisProbeOptions.size(), size_t(2));
        const ProbeOptions m = l.probeOptionsFor(QStringLiteral("minimal-subset"));
        QCOMPARE(m.l1, 0.001);
        QCOMPARE(m.l2, 0.25);
        QCOMPARE(m.epochs, 4);
        QCOMPARE(m.seed, s.probeOptions.seed); // 64-bit seed survives per entry too
        QVERIFY(m.standardize);
        QCOMPARE(l.probeOptionsFor(QStringLiteral("grid-search")).l1, 1e-4);
        // "probe" has no entry: the session-wide options.
        QCOMPARE(l.probeOptionsFor(QStringLiteral("probe")).l1, 1e-4);
        QCOMPARE(l.probeOptionsFor(QStringLiteral("probe")).l2, 0.0);
    }

    // A session written before per-analysis options existed (no "analysis_probe_options" key)
    // loads, and every analysis falls back to "probe_options".
    void sessionWithoutAnalysisProbeOptionsFallsBack()
    {
        Session s = makeSession();
        s.analysisProbeOptions[QStringLiteral("probe")].l1 = 0.5;
        const QString path = file(QStringLiteral("old.json"));
        saveSession(path, s);
        QJsonObject root = QJsonDocument::fromJson(readAll(path)).object();
        QVERIFY(root.contains(QStringLiteral("analysis_probe_options")));
        root.remove(QStringLiteral("analysis_probe_options"));
        writeAll(path, QJsonDocument(root).toJson());
        const Session l = loadSession(path);
        QVERIFY(l.analysisProbeOptions.empty());
        QCOMPARE(l.probeOptionsFor(QStringLiteral("probe")).l1, 1e-4);
        QCOMPARE(l.probeOptionsFor(QStringLiteral("minimal-subset")).seed, s.probeOptions.seed);
    }

    // The GUI's view state (opaque to core) round-trips; a session without it, or with a
    // malformed one, loads with an empty view and the same results.
    void viewStateRoundTripsAndIsOptional()
    {
        Session s = makeSession();
        const QString path = file(QStringLiteral("view.json"));
        saveSession(path, s);
        QVERIFY(!QJsonDocument::fromJson(readAll(path)).object().contains(QStringLiteral("view")));
        QVERIFY(loadSession(path).view.isEmpty());
        s.view[QStringLiteral("heatmap")] = QJsonObject{{QStringLiteral("top_k"), 25}};
        s.view[QStringLiteral("dock_state")] = QStringLiteral("AAAA/w==");
        saveSession(path, s);
        const Session l = loadSession(path);
        QCOMPARE(l.view, s.view);
        QCOMPARE(l.results, s.results);
        QJsonObject root = QJsonDocument::fromJson(readAll(path)).object();
        root[QStringLiteral("view")] = QStringLiteral("not an object");
        writeAll(path, QJsonDocument(root).toJson());
        const Session m = loadSession(path);
        QVERIFY(m.view.isEmpty());
        QCOMPARE(m.results, s.results);
    }

    // A grid search recorded before the winner rule existed (its result has no "selection") ran
    // the paper's rule: loading records that rule, so `run` replays the same winner. A result
    // with a rule, or options naming one, are left as they are.
    void olderGridSearchReplaysThePaperRule()
    {
        const QString grid = QStringLiteral("grid-search");
        Session s = makeSession();
        s.analyses = {grid};
        s.results[grid] = QJsonObject{{QStringLiteral("best"), 3}};
        const QString path = file(QStringLiteral("old-grid.json"));
        saveSession(path, s);
        QCOMPARE(loadSession(path).analysisOptions[grid].toObject()[QStringLiteral("selection")],
                 QJsonValue(QStringLiteral("paper")));
        s.results[grid] = QJsonObject{{QStringLiteral("selection"), QStringLiteral("guarded")}};
        saveSession(path, s);
        QVERIFY(!loadSession(path).analysisOptions[grid].toObject().contains(
            QStringLiteral("selection")));
        s.results[grid] = QJsonObject{{QStringLiteral("best"), 3}};
        s.analysisOptions[grid] =
            QJsonObject{{QStringLiteral("selection"), QStringLiteral("guarded")}};
        saveSession(path, s);
        QCOMPARE(loadSession(path).analysisOptions[grid].toObject()[QStringLiteral("selection")],
                 QJsonValue(QStringLiteral("guarded")));
    }

    void invalidAnalysisProbeOptions_data()
    {
        QTest::addColumn<QByteArray>("value");
        QTest::addColumn<QString>("message");
        QTest::newRow("not an object") << QByteArray("[1]") << QStringLiteral("is not an object");
        QTest::newRow("negative l1") << QByteArray(R"({"probe": {"l1": -1}})")
                                     << QStringLiteral("analysis_probe_options.probe: L1 penalty");
        QTest::newRow("l2 as text") << QByteArray(R"({"probe": {"l2": "0.1"}})")
                                    << QStringLiteral("analysis_probe_options.probe: 'l2' is not");
        QTest::newRow("zero epochs") << QByteArray(R"({"ablation": {"epochs": 0}})")
                                     << QStringLiteral("analysis_probe_options.ablation: number");
        QTest::newRow("entry not an object")
            << QByteArray(R"({"probe": 3})")
            << QStringLiteral("analysis_probe_options.probe is not an object");
        QTest::newRow("bad seed") << QByteArray(R"({"probe": {"seed": "x"}})")
                                  << QStringLiteral("analysis_probe_options.probe: session: seed");
    }

    // An invalid entry is refused with an error naming the key (not silently defaulted).
    void invalidAnalysisProbeOptions()
    {
        QFETCH(QByteArray, value);
        QFETCH(QString, message);
        Session s = makeSession();
        const QString path = file(QStringLiteral("invalid-per-analysis.json"));
        saveSession(path, s);
        QJsonObject root = QJsonDocument::fromJson(readAll(path)).object();
        root[QStringLiteral("analysis_probe_options")] =
            QJsonDocument::fromJson("{\"v\": " + value + "}").object()[QStringLiteral("v")];
        writeAll(path, QJsonDocument(root).toJson());
        const QString e = errorOf([&] { loadSession(path); });
        QVERIFY2(e.contains(message), qPrintable(e));
        QVERIFY2(e.contains(path), qPrintable(e));
    }

    void changedInputsAreReported()
    {
        QTemporaryDir dir;
        const QString words = dir.filePath(QStringLiteral("w.txt"));
        QFile::copy(file(QStringLiteral("inputs/demo.train.words.txt")), words);
        Session s = makeSession();
        s.splits[QStringLiteral("train")][1] = describeInput(words);
        const QString path = file(QStringLiteral("s2.json"));
        saveSession(path, s);
        QByteArray bytes = readAll(words);
        bytes[0] = bytes[0] == 'a' ? 'b' : 'a'; // same size, different content
        writeAll(words, bytes);
        SessionCheck check;
        loadSession(path, &check);
        QCOMPARE(check.changedInputs.size(), qsizetype(1));
        QVERIFY(check.changedInputs[0].contains(QStringLiteral("different content")));
        writeAll(words, bytes + "x\n");
        check = {};
        loadSession(path, &check);
        QVERIFY(check.changedInputs[0].contains(QStringLiteral("size was")));
        QFile::remove(words);
        check = {};
        loadSession(path, &check);
        QVERIFY(check.changedInputs[0].contains(QStringLiteral("missing")));
    }

    void badSessionFiles()
    {
        const QString path = file(QStringLiteral("s3.json"));
        Session s = makeSession();
        saveSession(path, s);
        QJsonObject root = QJsonDocument::fromJson(readAll(path)).object();
        root[QStringLiteral("version")] = 2;
        const QString v2 = file(QStringLiteral("v2.json"));
        writeAll(v2, QJsonDocument(root).toJson());
        QVERIFY(errorOf([&] {
                    loadSession(v2);
                }).contains(QStringLiteral("session version 2, this Salient")));
        writeAll(file(QStringLiteral("bad.json")), "{ not json");
        QVERIFY(errorOf([&] {
                    loadSession(file(QStringLiteral("bad.json")));
                }).contains(QStringLiteral("invalid JSON")));
        writeAll(file(QStringLiteral("other.json")), "{\"a\": 1}");
        QVERIFY(errorOf([&] {
                    loadSession(file(QStringLiteral("other.json")));
                }).contains(QStringLiteral("not a Salient session")));
        QVERIFY(errorOf([&] {
                    loadSession(file(QStringLiteral("none.json")));
                }).contains(QStringLiteral("not found")));
        // Arrays file tampered with → refused.
        QFile arrays(file(s.arraysFile));
        QVERIFY(arrays.open(QIODevice::Append));
        arrays.write("garbage");
        arrays.close();
        QVERIFY(errorOf([&] { loadSession(path); }).contains(QStringLiteral("does not match")));
        QVERIFY(errorOf([&] {
                    Session t = makeSession();
                    saveSession(file(QStringLiteral("no/such/dir/s.json")), t);
                }).contains(QStringLiteral("does not exist")));
    }

    void interruptedSaveKeepsPreviousSession_data()
    {
        QTest::addColumn<int>("step");
        QTest::newRow("arrays-temporary") << int(SaveStep::ArraysTemporaryWritten);
        QTest::newRow("arrays-renamed") << int(SaveStep::ArraysRenamed);
        QTest::newRow("json-temporary") << int(SaveStep::JsonTemporaryWritten);
    }
    void interruptedSaveKeepsPreviousSession()
    {
        QFETCH(int, step);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s.json"));
        Session s = makeSession();
        saveSession(path, s);
        const QByteArray before = readAll(path);
        const QStringList filesBefore = QDir(dir.path()).entryList(QDir::Files);
        Session changed = makeSession();
        changed.results[QStringLiteral("probe")] =
            QJsonObject{{QStringLiteral("dev_accuracy"), 0.5}};
        changed.arrays[QStringLiteral("probe/W")].setConstant(42.0f);
        changed.arraysFile = s.arraysFile;
        QVERIFY(errorOf([&] {
                    saveSession(path, changed, SaveStep(step));
                }).contains(QStringLiteral("interrupted")));
        QCOMPARE(readAll(path), before);
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files), filesBefore);
        const Session l = loadSession(path);
        QCOMPARE(l.results, s.results);
        QVERIFY(l.arrays.at(QStringLiteral("probe/W")) == s.arrays.at(QStringLiteral("probe/W")));
    }

    void movedFolderFindsInputsByRelativePath()
    {
        QTemporaryDir dir;
        QDir().mkpath(dir.filePath(QStringLiteral("a/inputs")));
        for (const QString &f : QDir(file(QStringLiteral("inputs"))).entryList(QDir::Files))
            QFile::copy(file(QStringLiteral("inputs/") + f),
                        dir.filePath(QStringLiteral("a/inputs/") + f));
        Session s;
        const QString base = dir.filePath(QStringLiteral("a/inputs/demo.train"));
        s.splits[QStringLiteral("train")] = {describeInput(base + QStringLiteral(".hdf5")),
                                             describeInput(base + QStringLiteral(".words.txt")),
                                             describeInput(base + QStringLiteral(".pos.txt"))};
        saveSession(dir.filePath(QStringLiteral("a/s.json")), s);
        QVERIFY(
            QDir().rename(dir.filePath(QStringLiteral("a")), dir.filePath(QStringLiteral("b"))));
        SessionCheck check;
        const Session l = loadSession(dir.filePath(QStringLiteral("b/s.json")), &check);
        QVERIFY2(check.ok(), qPrintable(check.changedInputs.join(QStringLiteral("; "))));
        QVERIFY(
            l.splits.at(QStringLiteral("train"))[0].path.contains(QStringLiteral("/b/inputs/")));
        const LoadedTask t = loadSessionData(l);
        QVERIFY(t.train->rows() > 100);
    }

    // writeFileAtomic replaces the whole file or nothing, and leaves no temporary file behind;
    // replaceFileAtomic renames over an existing file and removes the temporary on failure.
    void atomicFileWrites()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("out.json"));
        writeFileAtomic(path, "first");
        QCOMPARE(readAll(path), QByteArray("first"));
        writeFileAtomic(path, "second, longer");
        QCOMPARE(readAll(path), QByteArray("second, longer"));
        writeFileAtomic(path, QByteArray());
        QVERIFY(QFile::exists(path));
        QCOMPARE(readAll(path), QByteArray());
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden),
                 QStringList{QStringLiteral("out.json")});
        const QString missing = dir.filePath(QStringLiteral("no/such/folder/out.json"));
        QVERIFY(errorOf([&] { writeFileAtomic(missing, "x"); }).contains(missing));

        const QString tmp = dir.filePath(QStringLiteral("new.tmp"));
        writeAll(tmp, "replacement");
        writeFileAtomic(path, "old");
        replaceFileAtomic(tmp, path);
        QCOMPARE(readAll(path), QByteArray("replacement"));
        QVERIFY(!QFile::exists(tmp));
        // A missing temporary: error naming the target, which stays as it was.
        QVERIFY(errorOf([&] { replaceFileAtomic(tmp, path); }).contains(path));
        QCOMPARE(readAll(path), QByteArray("replacement"));
        // Renaming into a missing folder fails: the temporary is removed.
        writeAll(tmp, "orphan");
        QVERIFY(errorOf([&] { replaceFileAtomic(tmp, missing); }).contains(missing));
        QVERIFY(!QFile::exists(tmp));
    }

    void sha256Streams()
    {
        const QString p = file(QStringLiteral("abc.txt"));
        writeAll(p, "abc");
        QCOMPARE(
            fileSha256(p),
            QStringLiteral("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
        QVERIFY(fileFingerprint(p)
                != fileFingerprint(file(QStringLiteral("inputs/demo.dev.words.txt"))));
        // FIPS 180-2 vector: one million 'a'.
        const QString million = file(QStringLiteral("million-a.txt"));
        writeAll(million, QByteArray(1000000, 'a'));
        QCOMPARE(
            fileSha256(million),
            QStringLiteral("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
        // Sessions written before libcrypto hashed with Qt's SHA-256: the same digests, so their
        // recorded sha256 and fingerprint values still match (files over several 4 MiB reads).
        const QString big = file(QStringLiteral("big.bin"));
        QByteArray bytes(9 * 1024 * 1024 + 123, Qt::Uninitialized);
        QRandomGenerator rng(11);
        for (char &c : bytes)
            c = char(rng.generate() & 0xff);
        writeAll(big, bytes);
        QCOMPARE(fileSha256(big),
                 QString::fromLatin1(
                     QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex()));
        QCryptographicHash quick(QCryptographicHash::Sha256);
        constexpr qsizetype kSample = 64 * 1024;
        quick.addData(QByteArray::number(bytes.size()));
        quick.addData(bytes.left(kSample));
        quick.addData(bytes.mid(bytes.size() / 2 - kSample / 2, kSample));
        quick.addData(bytes.right(kSample));
        QCOMPARE(fileFingerprint(big), QString::fromLatin1(quick.result().toHex()));
        const QString empty = file(QStringLiteral("empty.bin"));
        writeAll(empty, {});
        QCOMPARE(
            fileSha256(empty),
            QStringLiteral("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
        // The CLI's hashing while loading: keyed by absolute path, missing files left out.
        Session s;
        s.splits[QStringLiteral("train")] = {describeInput(big), describeInput(p),
                                             describeInput(million)};
        QVERIFY(s.splits[QStringLiteral("train")][0].sha256.isEmpty());
        const std::map<QString, QString> sha =
            hashFilesInBackground({big, p, million, p, file(QStringLiteral("missing"))}).get();
        QCOMPARE(sha.size(), size_t(3));
        setInputHashes(s, sha);
        QCOMPARE(s.splits[QStringLiteral("train")][0].sha256, fileSha256(big));
        QCOMPARE(s.splits[QStringLiteral("train")][1].sha256, fileSha256(p));
        QCOMPARE(s.splits[QStringLiteral("train")][2].sha256, fileSha256(million));
    }
};

QTEST_GUILESS_MAIN(TestSession)
#include "tst_session.moc"
