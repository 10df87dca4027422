// Ranking stability (probe/stability.h) on hand-made orderings, and the "probe" analysis with
// option "seeds": repetition 0 is exactly the single-seed probe, the repetitions' spread is small
// and their top-k agree on the planted demo neurons, and the standardisation comparison is there
// when asked for.
#include "salient/analyses/pipeline.h"
#include "salient/data/demo.h"
#include "salient/probe/stability.h"

#include "testutil.h"

#include <QtTest>
#include <cmath>

using namespace salient;
using salient::test::errorOf;

class TestStability : public QObject {
    Q_OBJECT

    // Two kept layers (file ids 0 and 3), 2 units each: columns 0, 1 → layer 0; 2, 3 → layer 3.
    const NeuronLayout m_layout{{0, 3}, 2};

    DemoDataset m_demo = [] {
        DemoOptions d;
        d.trainSentences = 300;
        d.devSentences = 80;
        d.testSentences = 80;
        return makeDemoDataset(d);
    }();
    LoadedTask m_task;

    AnalysisContext context()
    {
        AnalysisContext ctx;
        ctx.task = &m_task;
        ctx.probe.epochs = 4;
        ctx.probe.seed = 11;
        return ctx;
    }

    static const ProbeReport &probeOf(const AnalysisOutput &out)
    {
        return std::get<ProbeReport>(*out.result);
    }

private Q_SLOTS:
    void initTestCase() { m_task = loadDemoTask(m_demo, QStringLiteral("pos"), DatasetOptions{}); }

    void identicalOrderingsAreFullyStable()
    {
        const NeuronList o{3, 1, 0, 2};
        const RankingStability s = rankingStability({o, o, o}, m_layout, 2);
        QCOMPARE(s.k, 2);
        QCOMPARE(s.runs, 3);
        QCOMPARE(s.meanJaccard, 1.0);
        QCOMPARE(s.minJaccard, 1.0);
        QCOMPARE(s.meanOverlap, 1.0);
        QCOMPARE(s.shareInAll, 1.0);
        QCOMPARE(s.inAll, (NeuronList{3, 1}));
        // Top-2 = columns 3 (layer 3) and 1 (layer 0): mean layer 1.5 in every run, no spread.
        QCOMPARE(s.meanLayers, (std::vector<double>{1.5, 1.5, 1.5}));
        QCOMPARE(s.meanLayer.n, 3);
        QCOMPARE(s.meanLayer.mean, 1.5);
        QCOMPARE(s.meanLayer.sd, 0.0);
    }

    void disjointTopKShareNothing()
    {
        const RankingStability s = rankingStability({{0, 1, 2, 3}, {2, 3, 0, 1}}, m_layout, 2);
        QCOMPARE(s.meanJaccard, 0.0);
        QCOMPARE(s.minJaccard, 0.0);
        QCOMPARE(s.meanOverlap, 0.0);
        QCOMPARE(s.shareInAll, 0.0);
        QVERIFY(s.inAll.empty());
        QCOMPARE(s.meanLayers, (std::vector<double>{0.0, 3.0}));
        QCOMPARE(s.meanLayer.mean, 1.5);
        QCOMPARE(s.meanLayer.sd, std::sqrt(4.5)); // sample sd of {0, 3}
    }

    void partialAgreementAveragesPairs()
    {
        // Top-2 sets {0,1}, {0,2}, {0,1}: pairs J = 1/3, 1, 1/3; overlaps 1/2, 1, 1/2.
        const RankingStability s =
            rankingStability({{0, 1, 2, 3}, {2, 0, 1, 3}, {1, 0, 3, 2}}, m_layout, 2);
        QCOMPARE(s.runs, 3);
        QVERIFY(std::abs(s.meanJaccard - (1.0 / 3 + 1 + 1.0 / 3) / 3) < 1e-12);
        QVERIFY(std::abs(s.minJaccard - 1.0 / 3) < 1e-12);
        QVERIFY(std::abs(s.meanOverlap - 2.0 / 3) < 1e-12);
        // Of run 0's top-2 {0, 1}, only 0 is in every run.
        QCOMPARE(s.shareInAll, 0.5);
        QCOMPARE(s.inAll, (NeuronList{0}));
        QCOMPARE(s.meanLayers, (std::vector<double>{0.0, 1.5, 0.0}));
    }

    void shortOrderingsAndSingleRun()
    {
        // k beyond the ordering: the whole ordering is the top-k.
        const RankingStability s = rankingStability({{0, 2}, {2, 0}}, m_layout, 10);
        QCOMPARE(s.meanJaccard, 1.0);
        QCOMPARE(s.shareInAll, 1.0);
        // One run: no pair (NaN), trivially all of it in every run, no spread.
        const RankingStability one = rankingStability({{1, 2}}, m_layout, 2);
        QVERIFY(std::isnan(one.meanJaccard) && std::isnan(one.minJaccard));
        QVERIFY(std::isnan(one.meanOverlap));
        QCOMPARE(one.shareInAll, 1.0);
        QCOMPARE(one.meanLayer.mean, 1.5);
        QVERIFY(std::isnan(one.meanLayer.sd));
        const RankingStability none = rankingStability({}, m_layout, 2);
        QCOMPARE(none.runs, 0);
        QVERIFY(std::isnan(none.shareInAll) && none.meanLayer.n == 0);
    }

    void badInputNamesTheProblem()
    {
        QVERIFY(errorOf([&] {
                    rankingStability({{0, 1}}, m_layout, 0);
                }).contains(QStringLiteral("k must be")));
        QVERIFY(errorOf([&] {
                    rankingStability({{0, 4}}, m_layout, 2);
                }).contains(QStringLiteral("column 4")));
        QVERIFY(errorOf([&] {
                    rankingStability({{0, 1}, {2, 2}}, m_layout, 2);
                }).contains(QStringLiteral("twice")));
        // Only the top-k is read: a repeat beyond it does not matter.
        QCOMPARE(rankingStability({{0, 1, 1}}, m_layout, 2).runs, 1);
    }

    void seedsRepeatTheProbe()
    {
        AnalysisContext single = context();
        const AnalysisOutput one = runAnalysis(QStringLiteral("probe"), {}, single);
        QCOMPARE(one.status, Status::Ok);
        const ProbeReport &a = probeOf(one);
        QCOMPARE(a.seeds, 1);
        QVERIFY(a.seedRuns.empty() && !a.stability && !a.standardizeComparison);
        QCOMPARE(a.split(QStringLiteral("dev"))->accuracySeeds.n, 0);

        AnalysisContext ctx = context();
        const AnalysisOutput three =
            runAnalysis(QStringLiteral("probe"), {{QStringLiteral("seeds"), 3}}, ctx);
        QCOMPARE(three.status, Status::Ok);
        const ProbeReport &r = probeOf(three);
        QCOMPARE(r.seeds, 3);
        QCOMPARE(r.seedRuns.size(), size_t(3));
        // Repetition 0 is exactly the single-seed probe.
        QVERIFY(r.probe.W == a.probe.W);
        QVERIFY(r.probe.b == a.probe.b);
        QCOMPARE(r.ordering, a.ordering);
        QCOMPARE(r.options.seed, a.options.seed);
        QCOMPARE(r.split(QStringLiteral("dev"))->evaluation.accuracy,
                 a.split(QStringLiteral("dev"))->evaluation.accuracy);
        QCOMPARE(r.seedRuns[0].top, NeuronList(a.ordering.begin(), a.ordering.begin() + a.topK));
        for (size_t s = 0; s < 3; ++s) {
            QCOMPARE(r.seedRuns[s].seed, quint64(11 + s));
            QCOMPARE(r.seedRuns[s].top.size(), size_t(r.topK));
            QCOMPARE(r.seedRuns[s].splits.size(), r.splits.size());
        }
        QCOMPARE(r.seedRuns[0].split(QStringLiteral("dev"))->accuracy,
                 a.split(QStringLiteral("dev"))->evaluation.accuracy);
        // Different seeds train different probes.
        QVERIFY(r.seedRuns[1].split(QStringLiteral("train"))->accuracy
                    != r.seedRuns[2].split(QStringLiteral("train"))->accuracy
                || r.seedRuns[1].top != r.seedRuns[2].top);

        const SplitEvaluation &dev = *r.split(QStringLiteral("dev"));
        QCOMPARE(dev.accuracySeeds.n, 3);
        QVERIFY(std::isfinite(dev.accuracySeeds.sd) && dev.accuracySeeds.sd < 0.05);
        QVERIFY(std::isfinite(dev.macroF1Seeds.sd));
        QVERIFY(dev.accuracySeeds.min <= dev.evaluation.accuracy
                && dev.evaluation.accuracy <= dev.accuracySeeds.max);
        QCOMPARE(dev.mseSeeds.n, 0); // classification

        // The planted neurons lead every seed's ranking.
        QVERIFY(r.stability);
        QCOMPARE(r.stability->runs, 3);
        QCOMPARE(r.stability->k, r.topK);
        qInfo("demo top-%d stability: Jaccard %.2f (min %.2f), share in all %.2f, mean layer %s",
              r.topK, r.stability->meanJaccard, r.stability->minJaccard, r.stability->shareInAll,
              qPrintable(r.stability->meanLayer.text(2)));
        // Chance agreement of two random top-9 of 192 neurons is a Jaccard of about 0.025.
        QVERIFY(r.stability->meanJaccard >= 0.4);
        QVERIFY(r.stability->minJaccard >= 0.3);
        QVERIFY(r.stability->shareInAll >= 0.5);
        // The neurons every seed agrees on are planted POS neurons (primary or echo).
        int planted = 0;
        for (int c : r.stability->inAll) {
            const NeuronId id = r.layout.neuron(c);
            for (const PlantedNeuron &p : m_demo.planted)
                if (p.task == QLatin1String("pos") && p.layer == id.layer && p.dim == id.unit) {
                    ++planted;
                    break;
                }
        }
        qInfo("%d of the %zu neurons in every seed's top-%d are planted", planted,
              r.stability->inAll.size(), r.topK);
        QCOMPARE(size_t(planted), r.stability->inAll.size());
        QCOMPARE(r.stability->meanLayers[0], r.layers.meanLayer);

        // Standardisation flipped by default with seeds ≥ 2: same seed, other scaling.
        QVERIFY(r.standardizeComparison);
        const StandardizeComparison &c = *r.standardizeComparison;
        QCOMPARE(c.flipped.standardize, !r.options.standardize);
        QCOMPARE(c.flipped.seed, r.options.seed);
        QCOMPARE(c.topK.runs, 2);
        QVERIFY(c.jaccard() >= 0 && c.jaccard() <= 1);
        QCOMPARE(c.meanLayerPrimary(), r.layers.meanLayer);
        QVERIFY(std::isfinite(c.meanLayerFlipped()));
        QVERIFY(std::isfinite(c.flipped.split(QStringLiteral("dev"))->accuracy));
    }

    void standardizeComparisonOnRequest()
    {
        AnalysisContext ctx = context();
        const AnalysisOutput off = runAnalysis(
            QStringLiteral("probe"),
            {{QStringLiteral("seeds"), 2}, {QStringLiteral("stability_standardize"), false}}, ctx);
        QVERIFY(probeOf(off).stability && !probeOf(off).standardizeComparison);
        ctx.probe.standardize = true;
        const AnalysisOutput on = runAnalysis(
            QStringLiteral("probe"), {{QStringLiteral("stability_standardize"), true}}, ctx);
        const ProbeReport &r = probeOf(on);
        QVERIFY(r.seedRuns.empty() && !r.stability);
        QVERIFY(r.standardizeComparison);
        QVERIFY(!r.standardizeComparison->flipped.standardize); // raw against standardised
    }

    void badSeedsOptions()
    {
        AnalysisContext ctx = context();
        for (const QJsonValue &v :
             {QJsonValue(0), QJsonValue(1001), QJsonValue(2.5), QJsonValue(QStringLiteral("3"))}) {
            const QString e = errorOf([&] {
                runAnalysis(QStringLiteral("probe"), {{QStringLiteral("seeds"), v}}, ctx);
            });
            QVERIFY2(e.contains(QStringLiteral("seeds must be an integer in 1..1000")),
                     qPrintable(e));
        }
        QVERIFY(errorOf([&] {
                    runAnalysis(QStringLiteral("probe"),
                                {{QStringLiteral("stability_standardize"), 1}}, ctx);
                }).contains(QStringLiteral("stability_standardize")));
        ctx.probe.neuroxCompatible = true;
        ctx.probe.shuffle = false;
        QVERIFY(errorOf([&] {
                    runAnalysis(QStringLiteral("probe"),
                                {{QStringLiteral("stability_standardize"), true}}, ctx);
                }).contains(QStringLiteral("neurox_compatible")));
    }
};

QTEST_GUILESS_MAIN(TestStability)
#include "tst_stability.moc"
