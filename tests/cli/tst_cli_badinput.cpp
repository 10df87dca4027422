// Bad inputs through the real salient-cli (docs/robustness.md, "Bad inputs"): each case must end
// with exit code 2 and a message naming the file (and line or dataset) and what was expected;
// and child-process validation of untrusted files (salient/isolation.h): good file, malformed
// file, a checker that crashes (SIGSEGV) and one that hangs (killed on timeout).
#include "salient/io/activationstore.h"
#include "salient/io/isolation.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include "clirun.h"

#include <cmath>
#include <csignal>

using namespace salient;

namespace {

using salient::test::cli;
using salient::test::Run;

bool writeFile(const QString &path, const QByteArray &bytes, bool executable = false)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(bytes) != bytes.size())
        return false;
    f.close();
    if (executable)
        f.setPermissions(f.permissions() | QFileDevice::ExeOwner | QFileDevice::ExeGroup
                         | QFileDevice::ExeOther);
    return true;
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

/// A small learnable task: @p sentences sentences of 4 words, labels A/B (or only A when
/// @p singleClass); neuron 1 of layer 1 carries the label. Writes BASE.hdf5, BASE.words.txt,
/// BASE.labels.txt. @p nanSentence (>= 0) gets a NaN activation. @p dims: neurons per layer.
void writeTask(const QString &base, int sentences, bool singleClass = false, int nanSentence = -1,
               int dims = 4)
{
    const int L = 2, T = 4;
    std::vector<RowMatrixF> acts;
    QStringList texts;
    QByteArray words, labels;
    for (int s = 0; s < sentences; ++s) {
        RowMatrixF m = RowMatrixF::Zero(T, L * dims);
        QStringList w, l;
        for (int t = 0; t < T; ++t) {
            const bool a = singleClass || (s + t) % 2 == 0;
            for (int c = 0; c < L * dims; ++c)
                m(t, c) = float((s * 7 + t * 3 + c) % 11) / 11.0f - 0.5f;
            m(t, dims + 1) = a ? 2.0f : -2.0f;
            w << QStringLiteral("w%1").arg((s + t) % 9);
            l << (a ? QStringLiteral("A") : QStringLiteral("B"));
        }
        if (s == nanSentence)
            m(1, 2) = std::nanf("");
        acts.push_back(m);
        texts << w.join(QLatin1Char(' '));
        words += w.join(QLatin1Char(' ')).toUtf8() + '\n';
        labels += l.join(QLatin1Char(' ')).toUtf8() + '\n';
    }
    writeNeuroxHdf5(base + QStringLiteral(".hdf5"), L, dims, acts, texts);
    QVERIFY(writeFile(base + QStringLiteral(".words.txt"), words));
    QVERIFY(writeFile(base + QStringLiteral(".labels.txt"), labels));
}

QStringList probeArgs(const QString &train, const QString &out, const QString &dev = {})
{
    QStringList a{QStringLiteral("probe"),
                  QStringLiteral("--train-activations"),
                  train + QStringLiteral(".hdf5"),
                  QStringLiteral("--train-tokens"),
                  train + QStringLiteral(".words.txt"),
                  QStringLiteral("--train-labels"),
                  train + QStringLiteral(".labels.txt"),
                  QStringLiteral("--epochs"),
                  QStringLiteral("2"),
                  QStringLiteral("--out"),
                  out};
    if (!dev.isEmpty())
        a << QStringLiteral("--dev-activations") << dev + QStringLiteral(".hdf5")
          << QStringLiteral("--dev-tokens") << dev + QStringLiteral(".words.txt")
          << QStringLiteral("--dev-labels") << dev + QStringLiteral(".labels.txt");
    return a;
}

#define VERIFY_ERR_CONTAINS(run, text)                                                             \
    QVERIFY2(QString::fromLocal8Bit((run).err).contains(text),                                     \
             qPrintable(QStringLiteral("stderr lacks \"%1\": %2")                                  \
                            .arg(text, QString::fromLocal8Bit((run).err))))

} // namespace

class TestCliBadInput : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString path(const QString &name) const { return m_dir.filePath(name); }
    QString m_task; // a good small task (base path)

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_task = path(QStringLiteral("task"));
        writeTask(m_task, 24);
        const Run r = cli(probeArgs(m_task, path(QStringLiteral("ok-out"))));
        QVERIFY2(r.code == 0, r.err.constData()); // the fixture itself is good
    }

    // ---- bad inputs through the CLI -----------------------------------------------------------

    void emptyLabelFile()
    {
        const QString base = path(QStringLiteral("empty-labels"));
        writeTask(base, 6);
        QVERIFY(writeFile(base + QStringLiteral(".labels.txt"), {}));
        const Run r = cli(probeArgs(base, path(QStringLiteral("o1"))));
        QCOMPARE(r.code, 2);
        VERIFY_ERR_CONTAINS(r, base + QStringLiteral(".labels.txt"));
        VERIFY_ERR_CONTAINS(r, QStringLiteral("0 lines"));
    }

    void labelLineMissingWords()
    {
        // Every line of the label file has one label fewer than its tokens: each line is dropped
        // (as NeuroX) and, over the --max-mismatches limit, the run stops naming the first line.
        const QString base = path(QStringLiteral("short-labels"));
        writeTask(base, 6);
        QByteArray labels;
        for (int s = 0; s < 6; ++s)
            labels += "A B A\n";
        QVERIFY(writeFile(base + QStringLiteral(".labels.txt"), labels));
        const Run r = cli(probeArgs(base, path(QStringLiteral("o2")))
                          << QStringLiteral("--max-mismatches") << QStringLiteral("2"));
        QCOMPARE(r.code, 2);
        VERIFY_ERR_CONTAINS(r, QStringLiteral("too many mismatched lines"));
        VERIFY_ERR_CONTAINS(r, QStringLiteral("line 1"));
        VERIFY_ERR_CONTAINS(r, base + QStringLiteral(".labels.txt"));
    }

    void singleClassTask()
    {
        const QString base = path(QStringLiteral("one-class"));
        writeTask(base, 6, true);
        const Run r = cli(probeArgs(base, path(QStringLiteral("o3"))));
        QCOMPARE(r.code, 2);
        VERIFY_ERR_CONTAINS(r, QStringLiteral("at least 2 classes"));
        VERIFY_ERR_CONTAINS(r, QStringLiteral("got 1"));
    }

    void mismatchedTrainDevFiles()
    {
        const QString dev = path(QStringLiteral("dev-5dims"));
        writeTask(dev, 6, false, -1, 5);
        const Run r = cli(probeArgs(m_task, path(QStringLiteral("o4")), dev));
        QCOMPARE(r.code, 2);
        VERIFY_ERR_CONTAINS(r, dev + QStringLiteral(".hdf5"));
        VERIFY_ERR_CONTAINS(r, QStringLiteral("2 layers × 5 dims"));
        VERIFY_ERR_CONTAINS(r, m_task + QStringLiteral(".hdf5"));
        VERIFY_ERR_CONTAINS(r, QStringLiteral("2 × 4"));
    }

    void nanActivationsAreExcludedWithAWarning()
    {
        const QString base = path(QStringLiteral("nan"));
        writeTask(base, 12, false, 3);
        const QString out = path(QStringLiteral("o5"));
        const Run r = cli(probeArgs(base, out));
        QVERIFY2(r.code == 0, r.err.constData());
        VERIFY_ERR_CONTAINS(r, QStringLiteral("warning:"));
        VERIFY_ERR_CONTAINS(r, QStringLiteral("NaN/Inf"));
        const QJsonObject train =
            QJsonDocument::fromJson(readFile(out + QStringLiteral("/results.json")))
                .object()[QStringLiteral("train")]
                .toObject();
        QCOMPARE(train[QStringLiteral("tokens")].toInt(), 11 * 4); // the NaN sentence is left out
    }

    void unwritableOutputFolder()
    {
        // A path below a regular file can never be created, also for root.
        const QString file = path(QStringLiteral("a-file"));
        QVERIFY(writeFile(file, "x"));
        const QString out = file + QStringLiteral("/out");
        const Run r = cli(probeArgs(m_task, out));
        QCOMPARE(r.code, 2);
        VERIFY_ERR_CONTAINS(r, out);
        VERIFY_ERR_CONTAINS(r, QStringLiteral("cannot create output folder"));
    }

    // An existing folder where nothing can be written (procfs refuses new files, also for root):
    // refused before the data is loaded, not after the analysis ran.
    void existingUnwritableFolderRefusedBeforeLoading()
    {
        const Run r = cli(probeArgs(m_task, QStringLiteral("/proc/self")));
        QCOMPARE(r.code, 2);
        VERIFY_ERR_CONTAINS(r, QStringLiteral("/proc/self: output folder is not writable"));
        QVERIFY2(!r.err.contains("loaded "), r.err.constData());
    }

    void demoIntoUnwritableFolder()
    {
        const QString out = path(QStringLiteral("a-file")) + QStringLiteral("/demo");
        QVERIFY(writeFile(path(QStringLiteral("a-file")), "x"));
        const Run r = cli({QStringLiteral("demo"), QStringLiteral("--out"), out});
        QCOMPARE(r.code, 2);
        VERIFY_ERR_CONTAINS(r, out);
    }

    void inspectMalformedHdf5()
    {
        // A truncated HDF5 file and one whose dataset has the wrong rank.
        const QByteArray whole = readFile(m_task + QStringLiteral(".hdf5"));
        QVERIFY(whole.size() > 1000);
        const QString half = path(QStringLiteral("half.hdf5"));
        QVERIFY(writeFile(half, whole.left(whole.size() / 2)));
        const Run r = cli({QStringLiteral("inspect"), half});
        QCOMPARE(r.code, 2);
        VERIFY_ERR_CONTAINS(r, half);
        VERIFY_ERR_CONTAINS(r, QStringLiteral("truncated"));
        QVERIFY(!r.err.contains("HDF5-DIAG"));
        QVERIFY(r.out.isEmpty());
    }

    // ---- command-line usage ------------------------------------------------------------------

    // Every numeric option is range-checked before any data is loaded: exit 2, naming the
    // option, the value and the allowed range (instead of e.g. int(10000000000) = 1410065408).
    void numericOptionsAreRangeChecked_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("option");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("allowed");
        const auto row = [](const char *tag, const QString &command, const QString &option,
                            const QString &value, const QString &allowed) {
            QTest::newRow(tag) << QStringList{command, QStringLiteral("--demo"), option, value}
                               << option << value << allowed;
        };
        const QString probe = QStringLiteral("probe");
        row("epochs-overflow", probe, QStringLiteral("--epochs"), QStringLiteral("10000000000"),
            QStringLiteral("1..1000000"));
        row("epochs-huge", probe, QStringLiteral("--epochs"),
            QStringLiteral("99999999999999999999999"), QStringLiteral("1..1000000"));
        row("batch-zero", probe, QStringLiteral("--batch-size"), QStringLiteral("0"),
            QStringLiteral("1..2147483647"));
        row("threads-negative", probe, QStringLiteral("--threads"), QStringLiteral("-3"),
            QStringLiteral("0..4096"));
        row("seed-negative", probe, QStringLiteral("--seed"), QStringLiteral("-1"),
            QStringLiteral("0..18446744073709551615"));
        row("seed-over-64-bit", probe, QStringLiteral("--seed"),
            QStringLiteral("18446744073709551616"), QStringLiteral("0..18446744073709551615"));
        row("budget-with-demo", probe, QStringLiteral("--memory-budget"), QStringLiteral("8X"),
            QStringLiteral("1 byte to 1e18 bytes"));
        row("max-mismatches-negative", probe, QStringLiteral("--max-mismatches"),
            QStringLiteral("-1"), QStringLiteral("0..2147483647"));
        row("search-stride", probe, QStringLiteral("--search-stride"), QStringLiteral("0"),
            QStringLiteral("1..1000000"));
        row("lr", probe, QStringLiteral("--lr"), QStringLiteral("0"),
            QStringLiteral("> 0 and <= 100"));
        row("ablation-seeds", QStringLiteral("ablation"), QStringLiteral("--seeds"),
            QStringLiteral("0"), QStringLiteral("1..1000"));
        row("ablation-sizes", QStringLiteral("ablation"), QStringLiteral("--sizes"),
            QStringLiteral("0.1,-2"), QStringLiteral("> 0 and <= 1000000000"));
        row("gaussian-k", QStringLiteral("minimal-subset"), QStringLiteral("--gaussian-k"),
            QStringLiteral("0"), QStringLiteral("1..100000"));
        row("prefilter-rows", QStringLiteral("minimal-subset"), QStringLiteral("--prefilter-rows"),
            QStringLiteral("-5"), QStringLiteral("1..9007199254740992"));
        row("delta", QStringLiteral("minimal-subset"), QStringLiteral("--delta"),
            QStringLiteral("100"), QStringLiteral(">= 0 and < 100"));
        row("random-seed", QStringLiteral("grid-search"), QStringLiteral("--random-seed"),
            QStringLiteral("abc"), QStringLiteral("0..18446744073709551615"));
        row("control-seed", QStringLiteral("selectivity"), QStringLiteral("--control-seed"),
            QStringLiteral("-5"), QStringLiteral("0..18446744073709551615"));
        row("top-words", QStringLiteral("neuron"), QStringLiteral("--top-words"),
            QStringLiteral("-1"), QStringLiteral("0..2147483647"));
        row("top-fraction", QStringLiteral("compare"), QStringLiteral("--top-fraction"),
            QStringLiteral("2"), QStringLiteral("> 0 and <= 1"));
        row("rows", QStringLiteral("clusters"), QStringLiteral("--rows"), QStringLiteral("1e3"),
            QStringLiteral("0..9007199254740992"));
        QTest::newRow("demo-seed")
            << QStringList{QStringLiteral("demo"), QStringLiteral("--seed"), QStringLiteral("-2")}
            << QStringLiteral("--seed") << QStringLiteral("-2")
            << QStringLiteral("0..18446744073709551615");
    }
    void numericOptionsAreRangeChecked()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, option);
        QFETCH(QString, value);
        QFETCH(QString, allowed);
        const Run r = cli(args << QStringLiteral("--out") << path(QStringLiteral("range")));
        QCOMPARE(r.code, 2);
        VERIFY_ERR_CONTAINS(r,
                            option + QStringLiteral(": '") + value.split(QLatin1Char(',')).last());
        VERIFY_ERR_CONTAINS(r, QStringLiteral("allowed: ") + allowed);
        QVERIFY2(!r.err.contains("loaded "), r.err.constData()); // refused before loading
    }

    // A value in range is still accepted (the bounds are not off by one): 0 = no limit.
    void maxMismatchesZeroMeansNoLimit()
    {
        const QString base = path(QStringLiteral("short-labels-0"));
        writeTask(base, 6);
        QByteArray labels;
        for (int s = 0; s < 6; ++s)
            labels += s == 0 ? "A B A\n" : "A B A B\n";
        QVERIFY(writeFile(base + QStringLiteral(".labels.txt"), labels));
        const Run r = cli(probeArgs(base, path(QStringLiteral("o-nolimit")))
                          << QStringLiteral("--max-mismatches") << QStringLiteral("0"));
        QVERIFY2(r.code == 0, r.err.constData());
        const Run one = cli(probeArgs(base, path(QStringLiteral("o-limit1")))
                            << QStringLiteral("--max-mismatches") << QStringLiteral("1"));
        QCOMPARE(one.code, 2);
        VERIFY_ERR_CONTAINS(one, QStringLiteral("too many mismatched lines"));
    }

    // Usage errors (unknown option, missing value, wrong positional count) exit 2 with the
    // message on stderr; --help and --version exit 0.
    void usageErrorsExitTwo_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("fragment");
        QTest::newRow("unknown-option")
            << QStringList{QStringLiteral("probe"), QStringLiteral("--demo"),
                           QStringLiteral("--frobnicate")}
            << QStringLiteral("Unknown option 'frobnicate'");
        QTest::newRow("missing-value")
            << QStringList{QStringLiteral("probe"), QStringLiteral("--demo"),
                           QStringLiteral("--out")}
            << QStringLiteral("Missing value after '--out'");
        QTest::newRow("extra-positional")
            << QStringList{QStringLiteral("probe"), QStringLiteral("--demo"),
                           QStringLiteral("stray"), QStringLiteral("--out"), QStringLiteral("x")}
            << QStringLiteral("unexpected argument 'stray'");
        QTest::newRow("inspect-two-files")
            << QStringList{QStringLiteral("inspect"), QStringLiteral("a"), QStringLiteral("b")}
            << QStringLiteral("unexpected argument 'b'");
        QTest::newRow("inspect-no-file") << QStringList{QStringLiteral("inspect")}
                                         << QStringLiteral("expected exactly one FILE");
        QTest::newRow("run-no-session")
            << QStringList{QStringLiteral("run")} << QStringLiteral("expected exactly one SESSION");
        QTest::newRow("run-unknown-option")
            << QStringList{QStringLiteral("run"), QStringLiteral("s.json"), QStringLiteral("--x")}
            << QStringLiteral("Unknown option 'x'");
        QTest::newRow("pipeline-extra")
            << QStringList{QStringLiteral("pipeline"), QStringLiteral("--demo"),
                           QStringLiteral("extra"), QStringLiteral("--out"), QStringLiteral("x")}
            << QStringLiteral("unexpected argument 'extra'");
        QTest::newRow("demo-unknown")
            << QStringList{QStringLiteral("demo"), QStringLiteral("--bogus")}
            << QStringLiteral("Unknown option 'bogus'");
        QTest::newRow("unknown-command")
            << QStringList{QStringLiteral("frobnicate")} << QStringLiteral("unknown command");
    }
    void usageErrorsExitTwo()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, fragment);
        const Run r = cli(args);
        QCOMPARE(r.code, 2);
        VERIFY_ERR_CONTAINS(r, fragment);
        QVERIFY(r.out.isEmpty());
    }

    // Every subcommand's help names it in the usage line, exits 0, and no help (--help-all
    // included) lists Qt's internal options.
    void helpNamesTheSubcommand()
    {
        const QStringList commands{QStringLiteral("inspect"),     QStringLiteral("probe"),
                                   QStringLiteral("grid-search"), QStringLiteral("minimal-subset"),
                                   QStringLiteral("ablation"),    QStringLiteral("layerwise"),
                                   QStringLiteral("selectivity"), QStringLiteral("clusters"),
                                   QStringLiteral("neuron"),      QStringLiteral("properties"),
                                   QStringLiteral("compare"),     QStringLiteral("pipeline"),
                                   QStringLiteral("run"),         QStringLiteral("demo")};
        for (const QString &c : commands) {
            for (const QString &flag :
                 {QStringLiteral("--help"), QStringLiteral("-h"), QStringLiteral("--help-all")}) {
                const Run r = cli({c, flag});
                QVERIFY2(r.code == 0, qPrintable(c + flag + QString::fromLocal8Bit(r.err)));
                QVERIFY2(r.out.startsWith(
                             QStringLiteral("Usage: salient-cli %1 [options]").arg(c).toUtf8()),
                         qPrintable(c + QStringLiteral(": ") + QString::fromUtf8(r.out.left(80))));
                QVERIFY2(!r.out.contains("qmljsdebugger"), qPrintable(c + flag));
            }
            const Run v = cli({c, QStringLiteral("--version")});
            QCOMPARE(v.code, 0);
            QVERIFY(v.out.startsWith("salient-cli "));
        }
        const Run top = cli({QStringLiteral("--help")});
        QCOMPARE(top.code, 0);
        QVERIFY(!top.err.contains("qmljsdebugger"));
    }

    // ---- child-process validation (salient/isolation.h) -----------------------------------------

    void isolatedCheckGoodFile()
    {
        const IsolatedCheck c = checkFileInChildProcess(m_task + QStringLiteral(".hdf5"), 60000,
                                                        QStringLiteral(SALIENT_CLI));
        QVERIFY2(c.ok(), qPrintable(c.message));
        QCOMPARE(c.exitCode, 0);
        QVERIFY(c.message.isEmpty());
        const QJsonObject info = QJsonDocument::fromJson(c.output).object();
        QCOMPARE(info[QStringLiteral("format")].toString(), QStringLiteral("hdf5"));
        QCOMPARE(info[QStringLiteral("sentences")].toInt(), 24);
        QCOMPARE(info[QStringLiteral("dims")].toInt(), 4);
    }

    void isolatedCheckMalformedFile_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("fragment");
        QTest::newRow("not-hdf5") << QByteArray("GIF89a this is not an activation file\n")
                                  << QStringLiteral("no HDF5 signature");
        QTest::newRow("truncated")
            << readFile(m_task + QStringLiteral(".hdf5")).left(3000) << QStringLiteral("truncated");
        QTest::newRow("empty") << QByteArray() << QStringLiteral("empty");
    }
    void isolatedCheckMalformedFile()
    {
        QFETCH(QByteArray, content);
        QFETCH(QString, fragment);
        const QString bad =
            path(QStringLiteral("bad-%1.hdf5").arg(QString::fromLatin1(QTest::currentDataTag())));
        QVERIFY(writeFile(bad, content));
        const IsolatedCheck c = checkFileInChildProcess(bad, 60000, QStringLiteral(SALIENT_CLI));
        QVERIFY(!c.ok());
        QCOMPARE(c.result, IsolatedCheck::Result::BadInput);
        QCOMPARE(c.exitCode, 2);
        QVERIFY2(c.message.contains(bad), qPrintable(c.message));
        QVERIFY2(c.message.contains(fragment), qPrintable(c.message));
        QVERIFY2(!c.message.startsWith(QStringLiteral("error:")), qPrintable(c.message));
    }

    // The files on which fuzzing crashed, hung or over-allocated inside libhdf5 itself
    // (fuzz/hdf5-crashes/): the child-process check turns each into a message naming the file.
    void libhdf5FindingsStayInTheChild()
    {
        const QDir dir(QStringLiteral(SALIENT_SOURCE_DIR "/fuzz/hdf5-crashes"));
        const QStringList files = dir.entryList({QStringLiteral("*.hdf5")}, QDir::Files);
        QCOMPARE(files.size(), 3);
        for (const QString &name : files) {
            const QString file = dir.filePath(name);
            const IsolatedCheck c =
                checkFileInChildProcess(file, 5000, QStringLiteral(SALIENT_CLI));
            QVERIFY2(!c.ok(), qPrintable(name));
            QVERIFY2(c.message.contains(file), qPrintable(c.message));
            if (name.contains(QStringLiteral("hang")))
                QCOMPARE(c.result, IsolatedCheck::Result::TimedOut);
            qInfo("%s: %s", qPrintable(name), qPrintable(c.message));
        }
    }

    void isolatedCheckCrash()
    {
        // A checker that dies from SIGSEGV, as the HDF5 library does on some damaged files.
        const QString script = path(QStringLiteral("crash.sh"));
        QVERIFY(writeFile(script, "#!/bin/sh\nkill -SEGV $$\n", true));
        const QString file = m_task + QStringLiteral(".hdf5");
        const IsolatedCheck c = checkFileInChildProcess(file, 60000, script);
        QCOMPARE(c.result, IsolatedCheck::Result::Crashed);
        QCOMPARE(c.signal, int(SIGSEGV));
        QVERIFY2(
            c.message.contains(
                QStringLiteral(
                    "malformed file: the HDF5 reader crashed (signal %1, SIGSEGV) while reading")
                    .arg(SIGSEGV)),
            qPrintable(c.message));
        QVERIFY2(c.message.contains(file), qPrintable(c.message));
    }

    void isolatedCheckTimeout()
    {
        // A checker that never finishes is killed after the timeout.
        const QString script = path(QStringLiteral("hang.sh"));
        QVERIFY(writeFile(script, "#!/bin/sh\nexec sleep 60\n", true));
        const QString file = m_task + QStringLiteral(".hdf5");
        QElapsedTimer t;
        t.start();
        const IsolatedCheck c = checkFileInChildProcess(file, 700, script);
        QVERIFY2(t.elapsed() < 10000, qPrintable(QString::number(t.elapsed())));
        QCOMPARE(c.result, IsolatedCheck::Result::TimedOut);
        QVERIFY2(c.message.contains(QStringLiteral("did not finish within 0.7 s")),
                 qPrintable(c.message));
        QVERIFY2(c.message.contains(file), qPrintable(c.message));
    }

    void isolatedCheckOtherFailures()
    {
        // Exit code 1 (internal failure): its text is passed on.
        const QString script = path(QStringLiteral("fail.sh"));
        QVERIFY(writeFile(script, "#!/bin/sh\necho 'error: out of memory' >&2\nexit 1\n", true));
        const IsolatedCheck f =
            checkFileInChildProcess(m_task + QStringLiteral(".hdf5"), 60000, script);
        QCOMPARE(f.result, IsolatedCheck::Result::Failed);
        QCOMPARE(f.exitCode, 1);
        QVERIFY2(f.message.contains(QStringLiteral("exit code 1"))
                     && f.message.contains(QStringLiteral("out of memory")),
                 qPrintable(f.message));
        // A checker that does not exist.
        const QString none = path(QStringLiteral("no-such-salient-cli"));
        const IsolatedCheck n =
            checkFileInChildProcess(m_task + QStringLiteral(".hdf5"), 60000, none);
        QCOMPARE(n.result, IsolatedCheck::Result::Failed);
        QVERIFY2(n.message.contains(none) && n.message.contains(QStringLiteral("did not start")),
                 qPrintable(n.message));
    }

    void isolatedCheckerResolution()
    {
        QCOMPARE(isolatedCheckerPath(QStringLiteral("/x/cli")), QStringLiteral("/x/cli"));
        const QByteArray saved = qgetenv("SALIENT_CLI");
        qputenv("SALIENT_CLI", SALIENT_CLI);
        QCOMPARE(isolatedCheckerPath(), QStringLiteral(SALIENT_CLI));
        const IsolatedCheck c = checkFileInChildProcess(m_task + QStringLiteral(".hdf5"), 60000);
        if (saved.isNull())
            qunsetenv("SALIENT_CLI");
        else
            qputenv("SALIENT_CLI", saved);
        QVERIFY2(c.ok(), qPrintable(c.message));
        QCOMPARE(c.checker, QStringLiteral(SALIENT_CLI));
    }
};

QTEST_GUILESS_MAIN(TestCliBadInput)
#include "tst_cli_badinput.moc"
