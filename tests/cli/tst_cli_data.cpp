// Data diagnostics through the real binary: dropped lines named by file, line and reason (stderr
// and JSON), the trailing-empty-line message, the layer-scale warning (and its absence with
// --standardize), pipeline and run printing the same data warnings as probe, and one
// convention for standardised probes (ranking from W of the standardised inputs, mean/scale saved,
// replay identical).
#include "salient/analyses/analyses.h"
#include "salient/data/task.h"
#include "salient/io/probeio.h"
#include "salient/probe/metrics.h"
#include "salient/session/session.h"

#include <QJsonArray>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include "clirun.h"
#include "taskfiles.h"

using namespace salient;
using salient::test::cli;
using salient::test::readJson;
using salient::test::Run;

namespace {

QStringList dataArgs(const test::TaskFiles &train, const test::TaskFiles &dev)
{
    return {QStringLiteral("--train-activations"),
            train.activations,
            QStringLiteral("--train-tokens"),
            train.words,
            QStringLiteral("--train-labels"),
            train.labels,
            QStringLiteral("--dev-activations"),
            dev.activations,
            QStringLiteral("--dev-tokens"),
            dev.words,
            QStringLiteral("--dev-labels"),
            dev.labels,
            QStringLiteral("--epochs"),
            QStringLiteral("2")};
}

/// Exactly equal shapes and values (Eigen's == asserts on a shape mismatch).
bool sameMatrix(const RowMatrixF &a, const RowMatrixF &b)
{
    return a.rows() == b.rows() && a.cols() == b.cols() && a == b;
}

/// The "warning: ..." lines of a run's stderr, in order.
QStringList warningLines(const Run &r)
{
    QStringList out;
    for (const QString &line : QString::fromUtf8(r.err).split(QLatin1Char('\n')))
        if (line.startsWith(QLatin1String("warning: ")))
            out << line;
    return out;
}

} // namespace

class TestCliData : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString path(const QString &name) const { return m_dir.filePath(name); }

private Q_SLOTS:
    // One extra token on line 5 of the train words file: exit 0, stderr names the file, the line
    // and why; the probe result lists line 5 with the split's files.
    void extraTokenOnLine5IsNamed()
    {
        const auto train = test::writeTaskFiles(m_dir.path(), QStringLiteral("t5"), 250, {1, 1, 1});
        const auto dev = test::writeTaskFiles(m_dir.path(), QStringLiteral("d5"), 40, {1, 1, 1}, 9);
        QVERIFY(test::addTokens(train.words, {5}));
        const QString out = path(QStringLiteral("o5"));
        const Run r = cli(QStringList{QStringLiteral("probe")} + dataArgs(train, dev)
                          + QStringList{QStringLiteral("--out"), out});
        QVERIFY2(r.code == 0, r.err.constData());
        const QString err = QString::fromUtf8(r.err);
        QVERIFY2(err.contains(QStringLiteral("train: dropped 1 of 250 lines")), r.err.constData());
        QVERIFY2(err.contains(train.words) && err.contains(train.labels), r.err.constData());
        QVERIFY2(err.contains(
                     QRegularExpression(QStringLiteral("\\bline 5 \\(\\d+ words, \\d+ labels\\)"))),
                 r.err.constData());
        const QJsonObject tr =
            readJson(out + QStringLiteral("/results.json"))[QStringLiteral("train")].toObject();
        QCOMPARE(tr[QStringLiteral("mismatched_lines")].toInt(), 1);
        QCOMPARE(tr[QStringLiteral("words_file")].toString(), train.words);
        QCOMPARE(tr[QStringLiteral("labels_file")].toString(), train.labels);
        QCOMPARE(tr[QStringLiteral("activations_file")].toString(), train.activations);
        const QJsonArray lines = tr[QStringLiteral("mismatches")].toArray();
        QCOMPARE(lines.size(), 1);
        QCOMPARE(lines[0].toObject()[QStringLiteral("line")].toInt(), 5);
        QVERIFY(lines[0].toObject()[QStringLiteral("reason")].toString().contains(
            QStringLiteral("words")));
        // dev is clean: no lines listed, its own files named.
        const QJsonObject dv =
            readJson(out + QStringLiteral("/results.json"))[QStringLiteral("dev")].toObject();
        QCOMPARE(dv[QStringLiteral("mismatched_lines")].toInt(), 0);
        QVERIFY(dv[QStringLiteral("mismatches")].toArray().isEmpty());
        QCOMPARE(dv[QStringLiteral("words_file")].toString(), dev.words);
    }

    // Twelve bad lines: the first ten are listed (stderr and JSON), the count says 12.
    void twelveBadLinesListTen()
    {
        const auto train =
            test::writeTaskFiles(m_dir.path(), QStringLiteral("t12"), 250, {1, 1, 1});
        const auto dev =
            test::writeTaskFiles(m_dir.path(), QStringLiteral("d12"), 40, {1, 1, 1}, 9);
        std::vector<int> bad;
        for (int l = 20; l < 32; ++l)
            bad.push_back(l);
        QVERIFY(test::addTokens(train.words, bad));
        const QString out = path(QStringLiteral("o12"));
        const Run r = cli(QStringList{QStringLiteral("probe")} + dataArgs(train, dev)
                          + QStringList{QStringLiteral("--out"), out});
        QVERIFY2(r.code == 0, r.err.constData());
        const QString err = QString::fromUtf8(r.err);
        QVERIFY2(err.contains(QStringLiteral("dropped 12 of 250 lines")), r.err.constData());
        QVERIFY2(err.contains(QStringLiteral("lines 20 ("))
                     && err.contains(QStringLiteral(", 29 ("))
                     && !err.contains(QStringLiteral(", 30 ("))
                     && err.contains(QStringLiteral("and 2 more")),
                 r.err.constData());
        const QJsonObject tr =
            readJson(out + QStringLiteral("/results.json"))[QStringLiteral("train")].toObject();
        QCOMPARE(tr[QStringLiteral("mismatched_lines")].toInt(), 12);
        const QJsonArray lines = tr[QStringLiteral("mismatches")].toArray();
        QCOMPARE(lines.size(), 10);
        for (int k = 0; k < 10; ++k)
            QCOMPARE(lines[k].toObject()[QStringLiteral("line")].toInt(), 20 + k);
    }

    // A trailing empty line is an error (as in NeuroX) that says the last line is empty.
    void trailingEmptyLineIsNamed()
    {
        const auto train = test::writeTaskFiles(m_dir.path(), QStringLiteral("te"), 250, {1, 1, 1});
        const auto dev = test::writeTaskFiles(m_dir.path(), QStringLiteral("de"), 40, {1, 1, 1}, 9);
        QVERIFY(test::addTokens(train.words, {}, QByteArrayLiteral("\n")));
        const Run r = cli(QStringList{QStringLiteral("probe")} + dataArgs(train, dev)
                          + QStringList{QStringLiteral("--out"), path(QStringLiteral("oe"))});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("251 lines") && r.err.contains("the last line (251) is empty"),
                 r.err.constData());
        QVERIFY2(QString::fromUtf8(r.err).contains(train.words), r.err.constData());
    }

    // Layers whose scales differ 10×: warned on stderr and in JSON "data.warnings" unless the
    // probe standardises; equal scales never warn. The measured scales are in "data.layer_scale".
    void scaleWarningUnlessStandardized()
    {
        const auto train =
            test::writeTaskFiles(m_dir.path(), QStringLiteral("ts"), 120, {1, 1, 10});
        const auto dev =
            test::writeTaskFiles(m_dir.path(), QStringLiteral("ds"), 30, {1, 1, 10}, 9);
        const QString out = path(QStringLiteral("os"));
        const Run r = cli(QStringList{QStringLiteral("probe")} + dataArgs(train, dev)
                          + QStringList{QStringLiteral("--out"), out});
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY2(r.err.contains("activation scales differ") && r.err.contains("--standardize"),
                 r.err.constData());
        const QJsonObject data =
            readJson(out + QStringLiteral("/results.json"))[QStringLiteral("data")].toObject();
        QCOMPARE(data[QStringLiteral("warnings")].toArray().size(), 1);
        QCOMPARE(data[QStringLiteral("layer_scale_measure")].toString(),
                 QStringLiteral("rms_neuron_sd"));
        const QJsonArray scale = data[QStringLiteral("layer_scale")].toArray();
        QCOMPARE(scale.size(), 3);
        // ±1 by label plus N(0, 0.5): sd ≈ sqrt(1 + 0.25) ≈ 1.12 per unit of layer scale.
        QVERIFY2(std::abs(scale[0].toDouble() - 1.118) < 0.1,
                 qPrintable(QString::number(scale[0].toDouble())));
        QVERIFY2(std::abs(scale[2].toDouble() / scale[0].toDouble() - 10.0) < 1.0,
                 qPrintable(QString::number(scale[2].toDouble())));

        const QString outStd = path(QStringLiteral("os-std"));
        const Run s =
            cli(QStringList{QStringLiteral("probe")} + dataArgs(train, dev)
                + QStringList{QStringLiteral("--standardize"), QStringLiteral("--out"), outStd});
        QVERIFY2(s.code == 0, s.err.constData());
        QVERIFY2(!s.err.contains("activation scales differ"), s.err.constData());
        QVERIFY(readJson(outStd + QStringLiteral("/results.json"))[QStringLiteral("data")]
                    .toObject()[QStringLiteral("warnings")]
                    .toArray()
                    .isEmpty());

        // NeuroX-compatible mode ignores --standardize, so the warning stays.
        const Run n = cli(QStringList{QStringLiteral("probe")} + dataArgs(train, dev)
                          + QStringList{QStringLiteral("--standardize"),
                                        QStringLiteral("--neurox-compatible"),
                                        QStringLiteral("--out"), path(QStringLiteral("os-nx"))});
        QVERIFY2(n.code == 0 && n.err.contains("activation scales differ"), n.err.constData());

        const auto flatTrain =
            test::writeTaskFiles(m_dir.path(), QStringLiteral("tf"), 120, {1, 2, 3});
        const auto flatDev =
            test::writeTaskFiles(m_dir.path(), QStringLiteral("df"), 30, {1, 2, 3}, 9);
        const Run f = cli(QStringList{QStringLiteral("probe")} + dataArgs(flatTrain, flatDev)
                          + QStringList{QStringLiteral("--out"), path(QStringLiteral("of"))});
        QVERIFY2(f.code == 0, f.err.constData());
        QVERIFY2(!f.err.contains("activation scales differ"), f.err.constData());
    }

    // pipeline and run print exactly the data warnings probe prints (mismatches and scale).
    void pipelineAndRunPrintTheProbeWarnings()
    {
        const auto train =
            test::writeTaskFiles(m_dir.path(), QStringLiteral("tp"), 150, {1, 1, 10});
        const auto dev =
            test::writeTaskFiles(m_dir.path(), QStringLiteral("dp"), 30, {1, 1, 10}, 9);
        QVERIFY(test::addTokens(train.words, {5}));
        QVERIFY(test::addTokens(dev.labels, {2}));
        const Run probe = cli(QStringList{QStringLiteral("probe")} + dataArgs(train, dev)
                              + QStringList{QStringLiteral("--out"), path(QStringLiteral("op"))});
        QVERIFY2(probe.code == 0, probe.err.constData());
        const QStringList expected = warningLines(probe);
        QCOMPARE(expected.size(), 3); // train mismatch, dev mismatch, scale
        QVERIFY(expected[0].contains(QStringLiteral("train: dropped 1 of 150")));
        QVERIFY(expected[1].contains(QStringLiteral("dev: dropped 1 of 30"))
                && expected[1].contains(dev.labels));
        QVERIFY(expected[2].contains(QStringLiteral("activation scales differ")));
        const QString pipeOut = path(QStringLiteral("opipe"));
        const Run pipe =
            cli(QStringList{QStringLiteral("pipeline"), QStringLiteral("--analyses"),
                            QStringLiteral("probe")}
                + dataArgs(train, dev) + QStringList{QStringLiteral("--out"), pipeOut});
        QVERIFY2(pipe.code == 0, pipe.err.constData());
        QCOMPARE(warningLines(pipe), expected);
        const Run run = cli({QStringLiteral("run"), pipeOut + QStringLiteral("/session.json"),
                             QStringLiteral("--out"), path(QStringLiteral("orun"))});
        QVERIFY2(run.code == 0, run.err.constData());
        QCOMPARE(warningLines(run), expected);
    }

    // A standardised probe keeps one convention: W is over the standardised inputs, the ranking
    // is |W| of that W, probe.hdf5 and the session arrays hold the same W and mean/scale, applying
    // them reproduces the reported accuracy, and `run` replays identical numbers.
    void standardizedProbeOneConvention()
    {
        const auto train =
            test::writeTaskFiles(m_dir.path(), QStringLiteral("tz"), 120, {1, 1, 10});
        const auto dev =
            test::writeTaskFiles(m_dir.path(), QStringLiteral("dz"), 30, {1, 1, 10}, 9);
        const QString out = path(QStringLiteral("oz"));
        const Run r = cli(QStringList{QStringLiteral("probe")} + dataArgs(train, dev)
                          + QStringList{QStringLiteral("--standardize"), QStringLiteral("--l1"),
                                        QStringLiteral("1e-3"), QStringLiteral("--out"), out});
        QVERIFY2(r.code == 0, r.err.constData());
        const Probe saved = loadProbe(out + QStringLiteral("/probe.hdf5"));
        QCOMPARE(saved.mean.size(), Index(12));
        QCOMPARE(saved.scale.size(), Index(12));
        // scale = 1/sd: layer 2's neurons (10× the spread) get about a tenth of layer 0's.
        QVERIFY2(saved.scale[0] / saved.scale[8] > 5,
                 qPrintable(QString::number(saved.scale[0] / saved.scale[8])));
        const Session session = loadSession(out + QStringLiteral("/session.json"));
        QVERIFY(sameMatrix(RowMatrixF(saved.W), session.arrays.at(QStringLiteral("probe/W"))));
        QVERIFY(sameMatrix(RowMatrixF(saved.mean.transpose()),
                           session.arrays.at(QStringLiteral("probe/mean"))));
        QVERIFY(sameMatrix(RowMatrixF(saved.scale.transpose()),
                           session.arrays.at(QStringLiteral("probe/scale"))));

        const QJsonObject res = readJson(out + QStringLiteral("/results.json"));
        const NeuronList ordering = fullOrdering(saved.W.cwiseAbs(), 100);
        const QJsonArray ranking = res[QStringLiteral("ranking")].toArray();
        QCOMPARE(ranking.size(), qsizetype(ordering.size()));
        for (size_t i = 0; i < ordering.size(); ++i) // all layers loaded: flat index = column
            QCOMPARE(ranking[qsizetype(i)].toInt(), ordering[i]);

        TaskInputs in;
        in.train = {train.activations, train.words, train.labels};
        in.dev = {dev.activations, dev.words, dev.labels};
        in.options.storage = StorageMode::Float32;
        const LoadedTask task = loadTask(in);
        const Evaluation e = evaluateProbe(saved, task.dev->X, task.dev->y, task.dev->yValue);
        QCOMPARE(e.accuracy,
                 res[QStringLiteral("dev")].toObject()[QStringLiteral("accuracy")].toDouble());

        const QString rerun = path(QStringLiteral("oz-run"));
        const Run replay = cli({QStringLiteral("run"), out + QStringLiteral("/session.json"),
                                QStringLiteral("--out"), rerun});
        QVERIFY2(replay.code == 0, replay.err.constData());
        QJsonObject a = readJson(out + QStringLiteral("/probe.json"));
        QJsonObject b = readJson(rerun + QStringLiteral("/probe.json"));
        a.remove(QStringLiteral("timing"));
        b.remove(QStringLiteral("timing"));
        QVERIFY(!a.isEmpty());
        QCOMPARE(b, a);
        const Session replayed = loadSession(rerun + QStringLiteral("/session.json"));
        for (const char *name : {"probe/W", "probe/b", "probe/mean", "probe/scale"})
            QVERIFY2(sameMatrix(replayed.arrays.at(QLatin1String(name)),
                                session.arrays.at(QLatin1String(name))),
                     name);
    }
};

QTEST_GUILESS_MAIN(TestCliData)
#include "tst_cli_data.moc"
