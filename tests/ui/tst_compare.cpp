// Issue "one source of truth": Compare in the GUI is core's "compare" analysis (mode
// "sessions"), recorded in the session, so salient-cli run replays it. Offscreen, real jobs,
// real session files, the real salient-cli: two sessions with different λ and seeds, each with
// its own ablation; the dock shows each session's own curves, core's overlap, and the replay
// gives the same compare JSON.
#include "salient/analyses/selectivity.h"
#include "salient/session/resultsjson.h"
#include "salient/ui/controller/sessioncontroller.h"
#include "salient/ui/mainwindow.h"
#include "salient/ui/views/comparedock.h"
#include "salient/ui/views/probesettings.h"

#define SALIENT_CLI SALIENT_CLI_PATH
#include "clirun.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace salient;
using namespace salient::ui;

namespace {

ProbeOptions quickProbe(double l1, quint64 seed)
{
    ProbeOptions po;
    po.epochs = 3;
    po.batchSize = 64;
    po.l1 = l1;
    po.seed = seed;
    return po;
}

bool run(MainWindow &w, const QString &name, const QJsonObject &options = {})
{
    return w.runAnalysisJob(name, options) >= 0 && w.waitForJobs(600000);
}

const QJsonObject kAblation{{QStringLiteral("sizes"), QJsonArray{0.05, 0.2}},
                            {QStringLiteral("seeds"), 1},
                            {QStringLiteral("mode"), QStringLiteral("retraining")}};

/// Result @p name of session file @p path, typed.
template <typename T> T stored(const QString &path, const QString &name)
{
    const Session s = loadSession(path);
    return std::get<T>(resultFromJson(name, s.results.value(name).toObject(), s.arrays));
}

/// The first @p k of @p p's ordering as flat indices.
NeuronList topFlat(const ProbeReport &p, int k)
{
    NeuronList out;
    for (int i = 0; i < k && i < int(p.ordering.size()); ++i)
        out.push_back(p.layout.flatIndex(p.ordering[size_t(i)]));
    return out;
}

} // namespace

class TestCompare : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase()
    {
        qputenv("SALIENT_CLI", SALIENT_CLI_PATH); // the checker of untrusted files
        QVERIFY(m_dir.isValid());
    }

    void compareIsCoresAnalysisAndReplays()
    {
        const QString pathA = m_dir.filePath(QStringLiteral("a.json"));
        const QString pathB = m_dir.filePath(QStringLiteral("b.json"));
        {
            MainWindow w;
            w.setInteractive(false);
            w.probeSettings()->setOptions(quickProbe(0.001, 3));
            QVERIFY(w.loadDemo() >= 0 && w.waitForJobs(120000));
            QVERIFY(run(w, QStringLiteral("probe")));
            QVERIFY(run(w, QStringLiteral("ablation"), kAblation));
            QVERIFY(w.saveSessionAs(pathA));
            // Other λ and seed: the old ablation is invalidated; a new one for this probe.
            w.probeSettings()->setOptions(quickProbe(0.01, 9));
            QVERIFY(run(w, QStringLiteral("probe")));
            QVERIFY(!w.controller()->ablation());
            QVERIFY(run(w, QStringLiteral("ablation"), kAblation));
            QVERIFY(w.saveSessionAs(pathB));
        }
        const ProbeReport pa = stored<ProbeReport>(pathA, QStringLiteral("probe"));
        const ProbeReport pb = stored<ProbeReport>(pathB, QStringLiteral("probe"));
        const AblationReport aa = stored<AblationReport>(pathA, QStringLiteral("ablation"));
        const AblationReport ab = stored<AblationReport>(pathB, QStringLiteral("ablation"));
        QVERIFY(pa.ordering != pb.ordering);
        QVERIFY(aa.result.retraining.top != ab.result.retraining.top);

        MainWindow w;
        w.setInteractive(false);
        QVERIFY(w.openSession(pathA) >= 0 && w.waitForJobs(120000));
        QVERIFY(w.controller()->probe());
        CompareDock *d = w.compareDock();
        QVERIFY(!d->hasComparison());
        QSignalSpy ready(&w, &MainWindow::comparisonReady);
        QVERIFY(w.loadCompareSession(pathB) >= 0);
        QVERIFY(w.waitForJobs(120000));
        QCOMPARE(ready.count(), 1);
        QVERIFY(d->hasComparison());

        // The dock shows the controller's result: core's analysis, recorded in the session.
        const AnalysisResult *r = w.controller()->result(QStringLiteral("compare"));
        QVERIFY(r);
        const CompareReport &c = std::get<CompareReport>(*r);
        QCOMPARE(toJson(d->report()), toJson(c));
        QCOMPARE(c.mode, QStringLiteral("sessions"));
        QCOMPARE(c.models[0].ordering, pa.ordering);
        QCOMPARE(c.models[1].ordering, pb.ordering);
        QVERIFY(w.controller()->session().analyses.contains(QStringLiteral("compare")));

        // Each side's curves are its own session's: B's are not A's.
        QVERIFY(d->hasCurvesA() && d->hasCurvesB());
        QCOMPARE(d->curvesA()->data().retraining.top, aa.result.retraining.top);
        QCOMPARE(d->curvesB()->data().retraining.top, ab.result.retraining.top);
        QVERIFY(d->curvesA()->data().retraining.top != d->curvesB()->data().retraining.top);

        // Default k is the report's; every k's overlap is core's on the two recorded probes.
        const int neurons = pa.layout.columns();
        QCOMPARE(d->k(), std::max(1, int(0.05 * neurons)));
        QCOMPARE(d->k(), c.topK);
        for (int k : {d->k(), 7, 60}) {
            d->setK(k);
            const SetOverlap o = neuronOverlap(topFlat(pa, k), topFlat(pb, k));
            QCOMPARE(d->comparison().k, k);
            QCOMPARE(d->comparison().overlap.intersection, o.intersection);
            QCOMPARE(d->comparison().overlap.shared, o.shared);
            QCOMPARE(d->comparison().overlap.jaccard, o.jaccard);
            QCOMPARE(d->comparison().layersB.counts,
                     layerDistribution(pb.layout.layerIds, pb.layout.dims, pb.ordering, k).counts);
            QVERIFY(d->summaryText().contains(QStringLiteral("%1 shared").arg(o.intersection)));
        }
        for (const TopKOverlap &t : c.overlap) {
            const SetOverlap o = neuronOverlap(topFlat(pa, t.k), topFlat(pb, t.k));
            QCOMPARE(t.intersection, o.intersection);
        }

        // The saved session lists "compare"; salient-cli run reproduces the same compare JSON.
        const QString pathC = m_dir.filePath(QStringLiteral("c.json"));
        QVERIFY(w.saveSessionAs(pathC));
        const QJsonObject gui =
            loadSession(pathC).results.value(QStringLiteral("compare")).toObject();
        QCOMPARE(gui, toJson(c));
        const QString replay = m_dir.filePath(QStringLiteral("replay"));
        QVERIFY(QDir().mkpath(replay));
        const test::Run cli =
            test::cli({QStringLiteral("run"), pathC, QStringLiteral("--out"), replay});
        QVERIFY2(cli.code == 0, cli.err.constData());
        const QJsonObject replayed = test::readJson(replay + QStringLiteral("/compare.json"));
        QVERIFY(!replayed.isEmpty());
        QCOMPARE(
            QJsonDocument(replayed).toJson(),
            QJsonDocument(QJsonDocument::fromJson(QJsonDocument(gui).toJson()).object()).toJson());

        // Retraining A with other λ: the old comparison goes, and the dock asks for the same
        // comparison of the new probe (its ablation was invalidated: no curves for A).
        w.probeSettings()->setOptions(quickProbe(0.005, 4));
        QVERIFY(run(w, QStringLiteral("probe")));
        QVERIFY(w.waitForJobs(120000));
        const AnalysisResult *again = w.controller()->result(QStringLiteral("compare"));
        QVERIFY(again);
        const CompareReport &c2 = std::get<CompareReport>(*again);
        QCOMPARE(c2.models[0].ordering, w.controller()->probe()->ordering);
        QVERIFY(!c2.models[0].ablation);
        QCOMPARE(c2.models[1].ordering, pb.ordering);
        QVERIFY(d->hasComparison() && !d->hasCurvesA() && d->hasCurvesB());

        // No probe: nothing to compare, a readable error.
        MainWindow empty;
        empty.setInteractive(false);
        QCOMPARE(empty.loadCompareSession(pathB), -1);
        QVERIFY(!empty.lastError().isEmpty());
    }
};

QTEST_MAIN(TestCompare)
#include "tst_compare.moc"
