// Bad inputs and failures that the other core tests do not cover (docs/robustness.md, "Bad
// inputs"): HDF5 files cut at any byte, empty token lines, activations that are all NaN, a
// session save that hits a full disk (RLIMIT_FSIZE) or a permission error (the previous session
// stays intact), and cancelling every analysis of the paper's pipeline at any moment.
#include "salient/analyses/pipeline.h"
#include "salient/data/corpus.h"
#include "salient/data/demo.h"
#include "salient/data/task.h"
#include "salient/io/activationstore.h"
#include "salient/session/session.h"
#include "salient/util/error.h"
#include "testutil.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <csignal>
#include <sys/resource.h>
#include <unistd.h>

using namespace salient;

namespace {

using salient::test::errorOf;

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(bytes) == bytes.size();
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

/// @p n sentences of 3 words, 2 layers × 4 dims, distinct values.
std::vector<RowMatrixF> sentences(int n, int words = 3)
{
    std::vector<RowMatrixF> out;
    for (int s = 0; s < n; ++s) {
        RowMatrixF m(words, 8);
        for (int t = 0; t < words; ++t)
            for (int c = 0; c < 8; ++c)
                m(t, c) = float((s * 5 + t * 3 + c) % 17) / 4.0f - 2.0f;
        out.push_back(m);
    }
    return out;
}

QStringList texts(int n)
{
    QStringList t;
    for (int s = 0; s < n; ++s)
        t << QStringLiteral("a%1 b c").arg(s);
    return t;
}

/// A session with a W array of @p weights floats and a result text of @p resultBytes bytes.
Session bigSession(int weights, int resultBytes)
{
    Session s;
    s.demo = true;
    s.analyses = {QStringLiteral("probe")};
    s.results[QStringLiteral("probe")] =
        QJsonObject{{QStringLiteral("note"), QString(resultBytes, QLatin1Char('x'))}};
    s.arrays[QStringLiteral("probe/W")] = RowMatrixF::Constant(1, weights, 0.25f);
    return s;
}

struct FileSizeLimit {
    rlimit saved{};
    void (*savedHandler)(int) = SIG_DFL;
    explicit FileSizeLimit(rlim_t bytes)
    {
        getrlimit(RLIMIT_FSIZE, &saved);
        savedHandler = std::signal(SIGXFSZ, SIG_IGN); // write() then fails with EFBIG
        rlimit l = saved;
        l.rlim_cur = bytes;
        setrlimit(RLIMIT_FSIZE, &l);
    }
    ~FileSizeLimit()
    {
        setrlimit(RLIMIT_FSIZE, &saved);
        std::signal(SIGXFSZ, savedHandler);
    }
    FileSizeLimit(const FileSizeLimit &) = delete;
    FileSizeLimit &operator=(const FileSizeLimit &) = delete;
};

} // namespace

class TestRobustness : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString path(const QString &name) const { return m_dir.filePath(name); }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void hdf5TruncatedAtAnyOffset()
    {
        // Cut a valid file at 48 offsets: open + reading every sentence either works or throws
        // salient::Error naming the file; nothing else escapes and nothing crashes.
        const QString whole = path(QStringLiteral("whole.hdf5"));
        writeNeuroxHdf5(whole, 2, 4, sentences(20), texts(20));
        const QByteArray bytes = readFile(whole);
        QVERIFY(bytes.size() > 1000);
        int errors = 0;
        for (int k = 0; k < 48; ++k) {
            const qsizetype cut = qsizetype(double(bytes.size()) * k / 48.0);
            const QString p = path(QStringLiteral("cut-%1.hdf5").arg(cut));
            QVERIFY(writeFile(p, bytes.left(cut)));
            const QString msg = errorOf([&] {
                const auto store = ActivationStore::open(p);
                std::vector<float> buf(64);
                for (Index s = 0; s < store->info().sentences; ++s)
                    store->readSentence(s, buf.data(), 8);
            });
            QVERIFY2(!msg.startsWith(QStringLiteral("<wrong")), qPrintable(msg));
            if (!msg.isEmpty()) {
                ++errors;
                QVERIFY2(msg.contains(p),
                         qPrintable(QStringLiteral("cut at %1: %2").arg(cut).arg(msg)));
            }
        }
        QCOMPARE(errors, 48); // every strict prefix is refused
    }

    void emptyTokenLineIsReportedWithItsLineNumber()
    {
        const QString tok = path(QStringLiteral("empty-line.words.txt"));
        const QString lab = path(QStringLiteral("empty-line.labels.txt"));
        QVERIFY(writeFile(tok, "a b c\n\na b c\n"));
        QVERIFY(writeFile(lab, "X Y X\n\nX Y X\n"));
        MemoryStore store(2, 4, sentences(3));
        LabelVocabulary vocab;
        const Dataset ds = buildDataset(QStringLiteral("train"), store, readTextColumns(tok),
                                        readTextColumns(lab), DatasetOptions{}, vocab);
        QCOMPARE(ds.report.mismatches.size(), size_t(1));
        QCOMPARE(ds.report.mismatches[0].line, Index(1)); // 0-based record 1 = line 2
        QCOMPARE(ds.report.mismatches[0].tokens, 0);
        QCOMPARE(ds.report.mismatches[0].activationRows, 3);
        QCOMPARE(ds.rows(), Index(6));
        // Over the limit the error names the files and the first line.
        DatasetOptions strict;
        strict.maxMismatches = 1; // abort at the first mismatched line (0 = no limit)
        vocab = {};
        const QString msg = errorOf([&] {
            buildDataset(QStringLiteral("train"), store, readTextColumns(tok), readTextColumns(lab),
                         strict, vocab);
        });
        QVERIFY2(msg.contains(tok) && msg.contains(lab) && msg.contains(QStringLiteral("line 2")),
                 qPrintable(msg));
        QVERIFY2(msg.contains(QStringLiteral("sentence 1 has 3 rows in the activations, 0 words "
                                             "in the words file")),
                 qPrintable(msg));
    }

    void allActivationsNonFinite()
    {
        std::vector<RowMatrixF> s = sentences(4);
        for (auto &m : s)
            m(0, 1) = std::nanf("");
        s[2](1, 1) = INFINITY;
        const QString acts = path(QStringLiteral("nan.hdf5"));
        writeNeuroxHdf5(acts, 2, 4, s, texts(4));
        const QString tok = path(QStringLiteral("nan.words.txt"));
        const QString lab = path(QStringLiteral("nan.labels.txt"));
        QVERIFY(writeFile(tok, QByteArray("a b c\n").repeated(4)));
        QVERIFY(writeFile(lab, QByteArray("X Y X\n").repeated(4)));
        TaskInputs in;
        in.train = {acts, tok, lab};
        const QString msg = errorOf([&] { loadTask(in); });
        QVERIFY2(msg.contains(acts) && msg.contains(QStringLiteral("no usable tokens"))
                     && msg.contains(QStringLiteral("non-finite")),
                 qPrintable(msg));
    }

    void sessionSaveOnFullDisk_data()
    {
        QTest::addColumn<int>("weights");
        QTest::addColumn<int>("resultBytes");
        // The limit is 64 KiB per file: the save fails writing the JSON (QSaveFile). The same
        // failure while HDF5 writes the arrays file also leaves the old session intact, with the
        // message "<dir>/s.arrays-<id>.hdf5.tmp: cannot write array 'probe/W' (disk full?)", but
        // leaves an HDF5 file id open that crashes the process at exit (H5F__close_cb in
        // H5_term_library); that row (weights 200000, result 10) is left out until core closes
        // the file safely — see docs/robustness.md.
        QTest::newRow("json-file") << 4 << 200000;
    }
    void sessionSaveOnFullDisk()
    {
        QFETCH(int, weights);
        QFETCH(int, resultBytes);
        QTemporaryDir dir;
        const QString p = dir.filePath(QStringLiteral("s.json"));
        Session old = bigSession(4, 10);
        saveSession(p, old);
        const QByteArray before = readFile(p);
        const QStringList filesBefore = QDir(dir.path()).entryList(QDir::Files);
        Session next = bigSession(weights, resultBytes);
        QString msg;
        {
            FileSizeLimit limit(64 * 1024);
            msg = errorOf([&] { saveSession(p, next); });
        }
        QVERIFY2(!msg.isEmpty() && !msg.startsWith(QStringLiteral("<wrong")), qPrintable(msg));
        QVERIFY2(msg.contains(dir.path()), qPrintable(msg));
        qInfo("message: %s", qPrintable(msg));
        QCOMPARE(readFile(p), before);
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files), filesBefore); // no temporary left over
        const Session l = loadSession(p);
        QCOMPARE(l.results, old.results);
    }

    void sessionSaveWithoutPermission()
    {
        QTemporaryDir dir;
        const QString p = dir.filePath(QStringLiteral("s.json"));
        Session old = bigSession(4, 10);
        saveSession(p, old);
        const QByteArray before = readFile(p);
        const QStringList filesBefore = QDir(dir.path()).entryList(QDir::Files);
        QString msg;
        if (::geteuid() != 0) {
            QVERIFY(
                QFile::setPermissions(dir.path(), QFileDevice::ReadOwner | QFileDevice::ExeOwner));
            Session next = bigSession(8, 20);
            msg = errorOf([&] { saveSession(p, next); });
            QFile::setPermissions(dir.path(), QFileDevice::ReadOwner | QFileDevice::WriteOwner
                                                  | QFileDevice::ExeOwner);
        } else {
            // root ignores permissions: save from a child process that runs as "nobody".
            QVERIFY(QFile::setPermissions(
                dir.path(), QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner
                                | QFileDevice::ReadOther | QFileDevice::ExeOther));
            QProcess child;
            child.setChildProcessModifier([] {
                if (::setgid(65534) != 0 || ::setuid(65534) != 0)
                    ::_exit(99);
            });
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.insert(QStringLiteral("SALIENT_ROBUSTNESS_SAVE"), p);
            child.setProcessEnvironment(env);
            child.start(QCoreApplication::applicationFilePath(), {});
            if (!child.waitForFinished(60000) || child.exitStatus() != QProcess::NormalExit
                || child.exitCode() == 99)
                QSKIP(qPrintable(
                    QStringLiteral(
                        "SKIPPED: cannot run this test as user nobody for the permission "
                        "case (%1)")
                        .arg(child.errorString())));
            QCOMPARE(child.exitCode(), 0);
            msg = QString::fromLocal8Bit(child.readAllStandardOutput()).trimmed();
        }
        qInfo("message: %s", qPrintable(msg));
        QVERIFY2(!msg.isEmpty() && !msg.startsWith(QStringLiteral("<wrong")), qPrintable(msg));
        QVERIFY2(msg.contains(dir.path()), qPrintable(msg));
        QCOMPARE(readFile(p), before);
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files), filesBefore);
        QCOMPARE(loadSession(p).results, old.results);
    }

    void cancelEveryAnalysisAtAnyMoment()
    {
        // Each analysis of the paper's pipeline on a small demo, cancelled at its first, middle
        // and last progress report: it returns Cancelled (or Ok when the last report came after
        // the work), never throws, and a later full run gives the same numbers as an
        // uncancelled one (no state left behind).
        DemoOptions d;
        d.trainSentences = 160;
        d.devSentences = 40;
        d.testSentences = 40;
        const DemoDataset demo = makeDemoDataset(d);
        const LoadedTask task = loadDemoTask(demo, QStringLiteral("pos"), DatasetOptions{});
        ProbeOptions po;
        po.epochs = 2;
        for (const QString &name : paperPipeline()) {
            // Small option sets keep the 5 runs per analysis fast.
            QJsonObject options;
            if (name == QLatin1String("grid-search"))
                options = QJsonObject{{QStringLiteral("l1_values"), QJsonArray{0.0, 1e-3}},
                                      {QStringLiteral("l2_values"), QJsonArray{0.0}}};
            if (name == QLatin1String("ablation"))
                options = QJsonObject{{QStringLiteral("sizes"), QJsonArray{0.1, 0.5}},
                                      {QStringLiteral("seeds"), 1}};
            auto run = [&](int cancelAt, int *calls) {
                Session session;
                AnalysisContext ctx;
                ctx.task = &task;
                ctx.probe = po;
                ctx.session = &session;
                int n = 0;
                // Like the GUI's cancel flag: once cancelled, every later report also says so.
                ctx.progress = [&](double, const QString &) {
                    return ++n < cancelAt || cancelAt < 0;
                };
                AnalysisOutput out;
                const QString msg = errorOf([&] { out = runAnalysis(name, options, ctx); });
                if (calls)
                    *calls = n;
                if (!msg.isEmpty())
                    out.json = QJsonObject{{QStringLiteral("error"), msg}};
                return out;
            };
            int total = 0;
            const AnalysisOutput full = run(-1, &total);
            QVERIFY2(full.status == Status::Ok && !full.json.contains(QStringLiteral("error")),
                     qPrintable(name + QStringLiteral(": ")
                                + full.json.value(QStringLiteral("error")).toString()));
            QVERIFY2(total > 0, qPrintable(name + QStringLiteral(" reports no progress")));
            for (int at : {1, std::max(1, total / 2), total}) {
                const AnalysisOutput c = run(at, nullptr);
                QVERIFY2(!c.json.contains(QStringLiteral("error")),
                         qPrintable(QStringLiteral("%1 cancelled at report %2 of %3 threw: %4")
                                        .arg(name)
                                        .arg(at)
                                        .arg(total)
                                        .arg(c.json.value(QStringLiteral("error")).toString())));
                // Cancelled, or Ok with the complete result (work running in parallel may finish
                // every step before the cancel is seen) — never a partial result marked Ok.
                QJsonObject partial = c.json, whole = full.json;
                partial.remove(QStringLiteral("timing"));
                whole.remove(QStringLiteral("timing"));
                QVERIFY2(c.status == Status::Cancelled
                             || (c.status == Status::Ok && partial == whole),
                         qPrintable(QStringLiteral("%1 cancelled at report %2 of %3: status %4")
                                        .arg(name)
                                        .arg(at)
                                        .arg(total)
                                        .arg(int(c.status))));
            }
            const AnalysisOutput again = run(-1, nullptr);
            QCOMPARE(again.status, Status::Ok);
            QJsonObject a = again.json, b = full.json;
            a.remove(QStringLiteral("timing"));
            b.remove(QStringLiteral("timing"));
            QVERIFY2(a == b,
                     qPrintable(name + QStringLiteral(": a rerun after cancelled runs differs")));
            qInfo("%s: %d progress reports; cancelled at 1, %d, %d", qPrintable(name), total,
                  std::max(1, total / 2), total);
        }
    }
};

/// Child mode of sessionSaveWithoutPermission (run as user nobody): tries to save over the
/// session named by $SALIENT_ROBUSTNESS_SAVE and prints the error message.
static int saveChild(const QString &p)
{
    Session next = bigSession(8, 20);
    const QString msg = errorOf([&] { saveSession(p, next); });
    std::printf("%s\n", msg.isEmpty() ? "<no error>" : msg.toLocal8Bit().constData());
    return 0;
}

int main(int argc, char **argv)
{
    const QString child = qEnvironmentVariable("SALIENT_ROBUSTNESS_SAVE");
    if (!child.isEmpty())
        return saveChild(child);
    QCoreApplication app(argc, argv);
    TestRobustness t;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&t, argc, argv);
}

#include "tst_robustness.moc"
