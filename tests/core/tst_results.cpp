// Typed results (session/results.h) and their one JSON form (session/resultsjson.h): every report
// from a real run on the demo survives toJson → text → resultFromJson; the probe report's layout,
// ranking, salience matrix and neuron summaries agree with each other and with the JSON; a grid
// search never changes the context.
#include "salient/analyses/pipeline.h"
#include "salient/probe/salience.h"
#include "salient/session/resultsjson.h"
#include "salient/util/stats.h"

#include "testutil.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <set>

using namespace salient;
using salient::test::errorOf;

namespace {

DemoDataset smallDemo()
{
    DemoOptions d;
    d.trainSentences = 160;
    d.devSentences = 50;
    d.testSentences = 50;
    return makeDemoDataset(d);
}

/// JSON → text → JSON, as a result file goes to disk and back.
QJsonObject throughText(const QJsonObject &o)
{
    return QJsonDocument::fromJson(QJsonDocument(o).toJson()).object();
}

} // namespace

class TestResults : public QObject {
    Q_OBJECT

    DemoDataset m_demo = smallDemo();
    LoadedTask m_all, m_34;
    Session m_session;

    AnalysisContext context(const LoadedTask &task, Session *session = nullptr)
    {
        AnalysisContext ctx;
        ctx.task = &task;
        ctx.probe.epochs = 3;
        ctx.probe.seed = 3;
        ctx.session = session;
        return ctx;
    }

    /// Runs @p name and checks the round trip of its typed result; returns the output.
    AnalysisOutput runAndRoundTrip(const QString &name, const QJsonObject &options,
                                   const LoadedTask &task, Session *session = nullptr)
    {
        AnalysisContext ctx = context(task, session);
        const AnalysisOutput out = runAnalysis(name, options, ctx);
        if (out.status != Status::Ok || !out.result) {
            qWarning("%s did not finish", qPrintable(name));
            return {};
        }
        const QJsonObject json = toJson(*out.result);
        if (json != out.json || csvTables(*out.result) != out.csv) {
            qWarning("%s: output json/csv differ from toJson/csvTables", qPrintable(name));
            return {};
        }
        const AnalysisResult back =
            resultFromJson(name, throughText(json), resultArrays(*out.result));
        if (back.index() != out.result->index() || toJson(back) != json) {
            qWarning("%s: round trip differs", qPrintable(name));
            return {};
        }
        if (!std::holds_alternative<JsonReport>(back) && csvTables(back) != out.csv) {
            qWarning("%s: CSV of the round trip differs", qPrintable(name));
            return {};
        }
        return out;
    }

private Q_SLOTS:
    // The one "mean ± sd" convention: sample sd (ddof = 1), NaN skipped, n = 1 has no spread.
    void seedSummaryConvention()
    {
        const SeedSummary s = summarizeSeeds({0.80, 0.90, std::nan(""), 0.85});
        QCOMPARE(s.n, 3);
        QVERIFY(std::abs(s.mean - 0.85) < 1e-12);
        QVERIFY(std::abs(s.sd - 0.05) < 1e-12); // sqrt((0.0025 + 0.0025) / 2)
        QCOMPARE(s.median, 0.85);
        QCOMPARE(s.min, 0.80);
        QCOMPARE(s.max, 0.90);
        QCOMPARE(s.text(2), QStringLiteral("0.85 ± 0.05"));
        const SeedSummary one = summarizeSeeds({0.5});
        QVERIFY(std::isnan(one.sd));
        QCOMPARE(one.text(1), QStringLiteral("0.5"));
        const SeedSummary none = summarizeSeeds({});
        QCOMPARE(none.n, 0);
        QVERIFY(std::isnan(none.mean));
        QCOMPARE(none.text(), QStringLiteral("—"));
        const SeedSummary even = summarizeSeeds({4, 1, 3, 2});
        QCOMPARE(even.median, 2.5);
    }

    void initTestCase()
    {
        m_all = loadDemoTask(m_demo, QStringLiteral("pos"), DatasetOptions{});
        DatasetOptions two;
        two.layers = {3, 4};
        m_34 = loadDemoTask(m_demo, QStringLiteral("pos"), two);
        QCOMPARE(m_34.train->layerIds, (std::vector<int>{3, 4}));
        m_session.demo = true;
        m_session.demoSeed = m_demo.options.seed;
    }

    void probeReportOnLayers34()
    {
        const AnalysisOutput out = runAndRoundTrip(QStringLiteral("probe"), {}, m_34);
        QVERIFY(out.result);
        const auto &r = std::get<ProbeReport>(*out.result);
        const int dims = m_34.train->dims;
        QCOMPARE(r.layout, (NeuronLayout{{3, 4}, dims}));
        QCOMPARE(r.fileLayers, 6);
        QCOMPARE(int(r.ordering.size()), 2 * dims);
        QCOMPARE(std::set<int>(r.ordering.begin(), r.ordering.end()).size(), size_t(2 * dims));
        // JSON ranking: only flat indices of layers 3–4, in the order of r.ordering.
        const QJsonArray ranking = out.json[QStringLiteral("ranking")].toArray();
        QCOMPARE(ranking.size(), qsizetype(r.ordering.size()));
        for (qsizetype i = 0; i < ranking.size(); ++i) {
            const int flat = ranking[i].toInt();
            QVERIFY2(flat >= 3 * dims && flat < 5 * dims, qPrintable(QString::number(flat)));
            const int column = r.layout.columnOfFlatIndex(flat);
            QCOMPARE(r.overallRank(column), int(i) + 1);
        }
        QCOMPARE(
            out.json.value(QStringLiteral("layout")).toObject().value(QStringLiteral("layer_ids")),
            QJsonValue(QJsonArray{3, 4}));
        // Neuron summaries: NeuronId in layer 3/4, W's column, classes by |W| descending.
        for (int column : {0, dims - 1, dims, 2 * dims - 1, r.ordering.front()}) {
            const NeuronSummary s = neuronSummary(r, column);
            QCOMPARE(s.id, r.layout.neuron(column));
            QVERIFY(s.id.layer == 3 || s.id.layer == 4);
            QCOMPARE(s.id.layer, column < dims ? 3 : 4);
            QCOMPARE(s.flatIndex, s.id.layer * dims + s.id.unit);
            QCOMPARE(s.overallRank, r.overallRank(column));
            QCOMPARE(s.neurons, 2 * dims);
            QCOMPARE(int(s.classes.size()), r.probe.classes());
            for (size_t i = 0; i < s.classes.size(); ++i) {
                const ClassWeight &w = s.classes[i];
                QCOMPARE(w.weight, double(r.probe.W(w.label, column)));
                QCOMPARE(w.name, r.labels[w.label]);
                QCOMPARE(w.labelRank, r.labelRank(w.label, column));
                QVERIFY(w.labelRank >= 1);
                if (i > 0)
                    QVERIFY(s.classes[i - 1].absWeight >= w.absWeight);
            }
            QVERIFY(s.topClasses.startsWith(s.classes[0].name + QLatin1Char(' ')));
        }
        QVERIFY_THROWS_EXCEPTION(Error, neuronSummary(r, 2 * dims));
        QVERIFY(r.split(QStringLiteral("dev")) && !r.split(QStringLiteral("nope")));
    }

    void probeReportTypedRoundTrip()
    {
        // Standardised: mean/scale travel as arrays beside the JSON.
        AnalysisContext ctx = context(m_34);
        ctx.probe.standardize = true;
        const AnalysisOutput out = runAnalysis(QStringLiteral("probe"), {}, ctx);
        QCOMPARE(out.status, Status::Ok);
        const auto &x = std::get<ProbeReport>(*out.result);
        const auto arrays = resultArrays(*out.result);
        QVERIFY(arrays.count(QStringLiteral("probe/mean"))
                && arrays.count(QStringLiteral("probe/scale")));
        const AnalysisResult back =
            resultFromJson(QStringLiteral("probe"), throughText(out.json), arrays);
        const auto &y = std::get<ProbeReport>(back);
        QVERIFY(y.options.standardize);
        QCOMPARE(y.options.seed, x.options.seed);
        QCOMPARE(y.options.epochs, x.options.epochs);
        QCOMPARE(y.searchStride, x.searchStride);
        QCOMPARE(y.topFraction, x.topFraction);
        QCOMPARE(y.topK, x.topK);
        QCOMPARE(y.fileLayers, x.fileLayers);
        QCOMPARE(y.layout, x.layout);
        QCOMPARE(y.labels, x.labels);
        QVERIFY(y.probe.W == x.probe.W);
        QVERIFY(y.probe.b == x.probe.b);
        QVERIFY(y.probe.mean == x.probe.mean && x.probe.mean.size() == x.layout.columns());
        QVERIFY(y.probe.scale == x.probe.scale);
        QCOMPARE(y.probe.columns, x.probe.columns);
        QCOMPARE(y.ordering, x.ordering);
        QCOMPARE(y.cutoffs, x.cutoffs);
        QCOMPARE(y.perLabel, x.perLabel);
        QCOMPARE(y.layers.counts, x.layers.counts);
        QCOMPARE(y.layers.layerIds, x.layers.layerIds);
        QCOMPARE(y.layers.total, x.layers.total);
        QCOMPARE(y.layers.meanLayer, x.layers.meanLayer);
        QCOMPARE(y.layersPerLabel.size(), x.layersPerLabel.size());
        for (size_t c = 0; c < x.layersPerLabel.size(); ++c)
            QCOMPARE(y.layersPerLabel[c].counts, x.layersPerLabel[c].counts);
        QCOMPARE(y.epochLoss, x.epochLoss);
        QCOMPARE(y.neuroxEpochLoss, x.neuroxEpochLoss);
        QCOMPARE(y.trainSeconds, x.trainSeconds);
        QCOMPARE(y.splits.size(), x.splits.size());
        for (size_t i = 0; i < x.splits.size(); ++i) {
            const SplitEvaluation &a = x.splits[i], &b = y.splits[i];
            QCOMPARE(b.split, a.split);
            QCOMPARE(b.tokens, a.tokens);
            QCOMPARE(b.sentences, a.sentences);
            QCOMPARE(b.majorityAccuracy, a.majorityAccuracy);
            QCOMPARE(b.majorityLabel, a.majorityLabel);
            QCOMPARE(b.evaluation.count, a.evaluation.count);
            QCOMPARE(b.evaluation.accuracy, a.evaluation.accuracy);
            QCOMPARE(b.evaluation.macroF1, a.evaluation.macroF1);
            QCOMPARE(b.evaluation.perClassCount, a.evaluation.perClassCount);
            QCOMPARE(b.evaluation.perClass.size(), a.evaluation.perClass.size());
            for (size_t c = 0; c < a.evaluation.perClass.size(); ++c)
                QVERIFY(b.evaluation.perClass[c] == a.evaluation.perClass[c]
                        || (std::isnan(a.evaluation.perClass[c])
                            && std::isnan(b.evaluation.perClass[c])));
            QCOMPARE(b.evaluation.scores.size(), a.evaluation.scores.size());
        }
        // The ranking in JSON is the same ordering, as flat indices.
        const QJsonArray ranking = out.json[QStringLiteral("ranking")].toArray();
        for (size_t i = 0; i < x.ordering.size(); ++i)
            QCOMPARE(ranking[qsizetype(i)].toInt(), x.layout.flatIndex(x.ordering[i]));
    }

    void typedRoundTripOfAnalyses()
    {
        AnalysisContext ctx = context(m_34);
        const AnalysisOutput sub =
            runAnalysis(QStringLiteral("minimal-subset"),
                        {{QStringLiteral("fractions"), QJsonArray{0.1, 0.5}}}, ctx);
        const auto &m = std::get<MinimalSubsetReport>(*sub.result);
        const AnalysisResult mBack =
            resultFromJson(QStringLiteral("minimal-subset"), throughText(sub.json), {});
        const auto &m2 = std::get<MinimalSubsetReport>(mBack);
        QCOMPARE(m2.result.neurons, m.result.neurons);
        QCOMPARE(m2.result.ordering, m.result.ordering);
        QCOMPARE(m2.result.size, m.result.size);
        QCOMPARE(m2.result.target, m.result.target);
        QCOMPARE(m2.options.fractions, m.options.fractions);
        QCOMPARE(m2.options.searchStride, m.options.searchStride);
        QCOMPARE(m2.layers.counts, m.layers.counts);
        QCOMPARE(m2.layers.total, m.layers.total);
        QCOMPARE(m2.ranker.ranker, QStringLiteral("probe"));

        const AnalysisOutput lw = runAnalysis(QStringLiteral("layerwise"), {}, ctx);
        const auto &l = std::get<LayerwiseReport>(*lw.result);
        const AnalysisResult lBack =
            resultFromJson(QStringLiteral("layerwise"), throughText(lw.json), {});
        const auto &l2 = std::get<LayerwiseReport>(lBack);
        QCOMPARE(l2.result.selectedIndex, l.result.selectedIndex);
        QCOMPARE(l2.result.selectedLayer, l.result.selectedLayer);
        QCOMPARE(l2.result.bestIndependent, l.result.bestIndependent);
        QCOMPARE(l2.result.incremental.size(), l.result.incremental.size());
        QCOMPARE(l2.result.incremental.back().dev, l.result.incremental.back().dev);
        QCOMPARE(l2.split, QStringLiteral("dev"));
    }

    // Seeds and baselines of selectivity and layerwise: written, read back, CSV columns; files
    // without the new keys still load (one seed, baselines not available).
    void selectivityAndLayerwiseSeedsRoundTrip()
    {
        const AnalysisOutput sel =
            runAndRoundTrip(QStringLiteral("selectivity"), {{QStringLiteral("seeds"), 2}}, m_34);
        QVERIFY(sel.result);
        const auto &s = std::get<SelectivityReport>(*sel.result).result;
        QCOMPARE(s.seeds, 2);
        QCOMPARE(sel.json.value(QStringLiteral("seeds")).toInt(), 2);
        const QJsonObject all = sel.json.value(QStringLiteral("sets")).toArray().at(0).toObject();
        const QJsonObject ss = all.value(QStringLiteral("selectivity_seeds")).toObject();
        QCOMPARE(ss.value(QStringLiteral("n")).toInt(), 2);
        QCOMPARE(ss.value(QStringLiteral("sd")).toDouble(), s.sets[0].selectivitySeeds.sd);
        QCOMPARE(all.value(QStringLiteral("task_macro_f1")).toDouble(), s.sets[0].taskMacroF1);
        QCOMPARE(sel.json.value(QStringLiteral("majority_baseline"))
                     .toObject()
                     .value(QStringLiteral("accuracy"))
                     .toDouble(),
                 s.splitBaseline.accuracy);
        QVERIFY(sel.json.value(QStringLiteral("test_majority_baseline"))
                    .toObject()
                    .value(QStringLiteral("accuracy"))
                    .isDouble());
        QCOMPARE(sel.json.value(QStringLiteral("control_majority_baseline"))
                     .toObject()
                     .value(QStringLiteral("label"))
                     .toString(),
                 s.controlBaseline.label);
        QVERIFY(sel.csv.front().second.startsWith(
            "set,neurons,task_accuracy,control_accuracy,selectivity,task_macro_f1,"
            "control_macro_f1,seeds,task_accuracy_mean,task_accuracy_sd"));

        // An older file: no seeds, summaries, macro-F1 or baselines.
        QJsonObject old = sel.json;
        for (const char *k :
             {"seeds", "selectivity_seeds", "majority_baseline", "test_majority_baseline",
              "control_majority_baseline", "control_majority_baseline_seeds"})
            old.remove(QLatin1String(k));
        QJsonArray sets = old.value(QStringLiteral("sets")).toArray();
        for (qsizetype i = 0; i < sets.size(); ++i) {
            QJsonObject e = sets[i].toObject();
            for (const char *k : {"task_macro_f1", "control_macro_f1", "task_accuracy_seeds",
                                  "control_accuracy_seeds", "selectivity_seeds"})
                e.remove(QLatin1String(k));
            sets[i] = e;
        }
        old[QStringLiteral("sets")] = sets;
        const AnalysisResult oldBack = resultFromJson(QStringLiteral("selectivity"), old, {});
        const auto &o = std::get<SelectivityReport>(oldBack).result;
        QCOMPARE(o.seeds, 1);
        QCOMPARE(o.sets[0].selectivity, s.sets[0].selectivity);
        QCOMPARE(o.sets[0].selectivitySeeds.n, 1);
        QCOMPARE(o.sets[0].selectivitySeeds.mean, s.sets[0].selectivity);
        QVERIFY(std::isnan(o.sets[0].taskMacroF1));
        QVERIFY(std::isnan(o.splitBaseline.accuracy));
        QVERIFY(std::isnan(o.controlBaseline.accuracy));

        const AnalysisOutput lw =
            runAndRoundTrip(QStringLiteral("layerwise"), {{QStringLiteral("seeds"), 2}}, m_34);
        QVERIFY(lw.result);
        const auto &l = std::get<LayerwiseReport>(*lw.result);
        QCOMPARE(l.options.seeds, 2);
        QCOMPARE(l.result.seeds, 2);
        QCOMPARE(l.result.independent[0].devSeeds.n, 2);
        const QJsonObject layer0 =
            lw.json.value(QStringLiteral("independent")).toArray().at(0).toObject();
        QCOMPARE(layer0.value(QStringLiteral("dev_accuracy_seeds"))
                     .toObject()
                     .value(QStringLiteral("mean"))
                     .toDouble(),
                 l.result.independent[0].devSeeds.mean);
        QCOMPARE(layer0.value(QStringLiteral("dev_macro_f1")).toDouble(),
                 l.result.independent[0].devMacroF1);
        QCOMPARE(lw.json.value(QStringLiteral("majority_baseline"))
                     .toObject()
                     .value(QStringLiteral("macro_f1"))
                     .toDouble(),
                 l.result.selectionBaseline.macroF1);
        QVERIFY(lw.csv.front().second.startsWith(
            "kind,layer,dev_accuracy,test_accuracy,dev_macro_f1,test_macro_f1,seeds,dev_mean"));
        QJsonObject oldLw = lw.json;
        for (const char *k : {"seeds", "majority_baseline", "test_majority_baseline"})
            oldLw.remove(QLatin1String(k));
        for (const char *series : {"independent", "incremental"}) {
            QJsonArray a = oldLw.value(QLatin1String(series)).toArray();
            for (qsizetype i = 0; i < a.size(); ++i) {
                QJsonObject e = a[i].toObject();
                for (const char *k :
                     {"dev_macro_f1", "test_macro_f1", "dev_accuracy_seeds", "test_accuracy_seeds"})
                    e.remove(QLatin1String(k));
                a[i] = e;
            }
            oldLw[QLatin1String(series)] = a;
        }
        const AnalysisResult oldLwBack = resultFromJson(QStringLiteral("layerwise"), oldLw, {});
        const auto &ol = std::get<LayerwiseReport>(oldLwBack);
        QCOMPARE(ol.options.seeds, 1);
        QCOMPARE(ol.result.independent[0].devSeeds.n, 1);
        QCOMPARE(ol.result.independent[0].devSeeds.mean, l.result.independent[0].dev);
        QVERIFY(std::isnan(ol.result.selectionBaseline.accuracy));

        // "seeds" must be an integer in 1..1000.
        AnalysisContext ctx = context(m_34);
        for (const QJsonValue &bad :
             {QJsonValue(0), QJsonValue(2.5), QJsonValue(1001), QJsonValue(QStringLiteral("3"))}) {
            QVERIFY_THROWS_EXCEPTION(Error, runAnalysis(QStringLiteral("selectivity"),
                                                        {{QStringLiteral("seeds"), bad}}, ctx));
            QVERIFY_THROWS_EXCEPTION(Error, runAnalysis(QStringLiteral("layerwise"),
                                                        {{QStringLiteral("seeds"), bad}}, ctx));
        }
    }

    void probeMajorityBaseline()
    {
        const AnalysisOutput out = runAndRoundTrip(QStringLiteral("probe"), {}, m_all);
        QVERIFY(out.result);
        const auto &r = std::get<ProbeReport>(*out.result);
        const int majority = m_all.vocab.indexOf(m_all.vocab.majority());
        QVERIFY(majority >= 0);
        QCOMPARE(int(r.splits.size()), 3);
        for (const Dataset *ds : m_all.splits()) {
            const SplitEvaluation *s = r.split(ds->name);
            QVERIFY(s);
            Index hits = 0;
            for (Index i = 0; i < ds->y.size(); ++i)
                hits += ds->y[i] == majority;
            QCOMPARE(s->majorityAccuracy, double(hits) / double(ds->y.size()));
            QCOMPARE(s->majorityLabel, m_all.vocab.majority());
            QVERIFY(s->majorityAccuracy > 0 && s->majorityAccuracy < 1);
            QCOMPARE(out.json.value(ds->name)
                         .toObject()
                         .value(QStringLiteral("majority_accuracy"))
                         .toDouble(),
                     s->majorityAccuracy);
        }
        // The probe beats the baseline on the planted data.
        QVERIFY(r.split(QStringLiteral("dev"))->evaluation.accuracy
                > r.split(QStringLiteral("dev"))->majorityAccuracy);
    }

    void salienceTopKIsTheOrderingPrefix()
    {
        AnalysisContext ctx = context(m_34);
        const AnalysisOutput out = runAnalysis(QStringLiteral("probe"), {}, ctx);
        const auto &r = std::get<ProbeReport>(*out.result);
        for (int label = -1; label < int(r.perLabel.size()); ++label) {
            const NeuronList &order = label < 0 ? r.ordering : r.perLabel[size_t(label)];
            for (const SalienceMode mode : {SalienceMode::WeightShare, SalienceMode::Rank}) {
                const SalienceMatrix m = salienceMatrix(r, label, mode);
                QCOMPARE(m.layerIds, (std::vector<int>{3, 4}));
                for (int k : {1, 5, r.topK, r.layout.columns()}) {
                    std::set<int> topOfMatrix, prefix(order.begin(), order.begin() + k);
                    for (size_t c = 0; c < m.rankOf.size(); ++c)
                        if (m.rankOf[c] >= 0 && m.rankOf[c] < k)
                            topOfMatrix.insert(int(c));
                    QCOMPARE(topOfMatrix, prefix);
                }
                // Within a layer, sortedIndex follows the same ranking.
                for (int l = 0; l < m.layers; ++l)
                    for (int p = 1; p < m.dims; ++p)
                        QVERIFY(m.rankOf[size_t(l * m.dims + m.sortedIndex(l, p - 1))]
                                < m.rankOf[size_t(l * m.dims + m.sortedIndex(l, p))]);
            }
        }
        // The layer distribution counts the same top-k.
        std::vector<int> counts(2, 0);
        for (int i = 0; i < r.topK; ++i)
            ++counts[size_t(r.ordering[size_t(i)] / r.layout.dims)];
        QCOMPARE(r.layers.counts, counts);
        QVERIFY_THROWS_EXCEPTION(
            Error, salienceMatrix(r, int(r.perLabel.size()), SalienceMode::WeightShare));
    }

    void gridSearchDoesNotChangeTheContext()
    {
        const QJsonObject options{{QStringLiteral("l1_values"), QJsonArray{0.0, 1e-2}},
                                  {QStringLiteral("l2_values"), QJsonArray{0.0}}};
        AnalysisContext ctx = context(m_all);
        ctx.probe.l1 = 0.5;
        ctx.probe.l2 = 0.25;
        const ProbeOptions before = ctx.probe;
        const AnalysisOutput out = runAnalysis(QStringLiteral("grid-search"), options, ctx);
        QCOMPARE(out.status, Status::Ok);
        QCOMPARE(ctx.probe.l1, before.l1);
        QCOMPARE(ctx.probe.l2, before.l2);
        const auto &g = std::get<GridSearchReport>(*out.result);
        QVERIFY(g.hasWinner());
        const ProbeOptions applied = withGridWinner(before, g);
        QCOMPARE(applied.l1, g.bestL1());
        QCOMPARE(applied.l2, g.bestL2());
        QCOMPARE(applied.seed, before.seed);
        QCOMPARE(out.json[QStringLiteral("best_l1")].toDouble(), g.bestL1());
        QVERIFY(!out.json.contains(QStringLiteral("applied_to_later_analyses")));
        // Explicit step only: no winner → error; the removed option → readable error.
        GridSearchReport empty;
        QVERIFY(std::isnan(empty.bestScore()));
        QVERIFY(errorOf([&] { withGridWinner(before, empty); }).contains(QStringLiteral("winner")));
        QJsonObject apply = options;
        apply[QStringLiteral("apply_best")] = true;
        const QString msg =
            errorOf([&] { runAnalysis(QStringLiteral("grid-search"), apply, ctx); });
        QVERIFY2(msg.contains(QStringLiteral("apply_best"))
                     && msg.contains(QStringLiteral("explicit")),
                 qPrintable(msg));
        QCOMPARE(ctx.probe.l1, before.l1);
        QVERIFY(runAndRoundTrip(QStringLiteral("grid-search"), options, m_all).result);
    }

    // The winner rule, its tolerance, eligibility, costs, the λ = 0 reference, the majority
    // baseline and the warnings survive the round trip; an older file without them loads as the
    // paper's rule (what produced it).
    void gridSelectionRoundTrip()
    {
        const AnalysisOutput paper =
            runAndRoundTrip(QStringLiteral("grid-search"),
                            {{QStringLiteral("l1_values"), QJsonArray{0.0, 1e-2}},
                             {QStringLiteral("l2_values"), QJsonArray{0.0}},
                             {QStringLiteral("selection"), QStringLiteral("paper")},
                             {QStringLiteral("accuracy_tolerance"), 2.5}},
                            m_all);
        QVERIFY(paper.result);
        const QJsonObject j = paper.json;
        QCOMPARE(j[QStringLiteral("selection")].toString(), QStringLiteral("paper"));
        QCOMPARE(j[QStringLiteral("accuracy_tolerance")].toDouble(), 2.5);
        const QJsonObject zero = j[QStringLiteral("zero_reference")].toObject();
        QCOMPARE(zero[QStringLiteral("source")].toString(), QStringLiteral("cell"));
        QCOMPARE(zero[QStringLiteral("cell")].toInt(), 0);
        const QJsonArray cells = j[QStringLiteral("cells")].toArray();
        QCOMPARE(zero[QStringLiteral("full")].toDouble(),
                 cells[0].toObject()[QStringLiteral("full")].toDouble());
        for (const QJsonValue &c : cells) {
            QVERIFY(c.toObject()[QStringLiteral("eligible")].toBool()); // paper: all compete
            QVERIFY(c.toObject()[QStringLiteral("macro_f1")].toDouble() > 0);
        }
        const QJsonObject base = j[QStringLiteral("majority_baseline")].toObject();
        QVERIFY(base[QStringLiteral("accuracy")].toDouble() > 0);
        QVERIFY(!base[QStringLiteral("label")].toString().isEmpty());
        QVERIFY(j[QStringLiteral("cost_vs_best_points")].isDouble());
        QVERIFY(j[QStringLiteral("cost_vs_zero_points")].isDouble());
        QVERIFY(j[QStringLiteral("warnings")].isArray());
        const auto &g = std::get<GridSearchReport>(*paper.result);
        QCOMPARE(j[QStringLiteral("warnings")].toArray().size(),
                 qsizetype(g.result.warnings.size()));
        QCOMPARE(j[QStringLiteral("cost_vs_best_points")].toDouble(), g.result.costVsBest());

        // Without a (0, 0) cell: an extra λ = 0 probe is the reference.
        const AnalysisOutput extra =
            runAndRoundTrip(QStringLiteral("grid-search"),
                            {{QStringLiteral("l1_values"), QJsonArray{1e-3}},
                             {QStringLiteral("l2_values"), QJsonArray{1e-3}}},
                            m_all);
        QVERIFY(extra.result);
        const QJsonObject ez = extra.json[QStringLiteral("zero_reference")].toObject();
        QCOMPARE(ez[QStringLiteral("source")].toString(), QStringLiteral("extra_probe"));
        QCOMPARE(ez[QStringLiteral("cell")].toInt(), -1);
        QCOMPARE(ez[QStringLiteral("full")].toDouble(), zero[QStringLiteral("full")].toDouble());
        QCOMPARE(extra.json[QStringLiteral("selection")].toString(), QStringLiteral("guarded"));
        QCOMPARE(extra.json[QStringLiteral("accuracy_tolerance")].toDouble(), 1.0);

        // An older file: none of the new keys.
        QJsonObject old = j;
        for (const char *key :
             {"selection", "accuracy_tolerance", "best_accuracy_cell", "zero_reference",
              "cost_vs_best_points", "cost_vs_zero_points", "majority_baseline", "warnings"})
            old.remove(QLatin1String(key));
        QJsonArray oldCells;
        for (const QJsonValue &c : cells) {
            QJsonObject o = c.toObject();
            o.remove(QStringLiteral("eligible"));
            o.remove(QStringLiteral("macro_f1"));
            oldCells.append(o);
        }
        old[QStringLiteral("cells")] = oldCells;
        const auto back = std::get<GridSearchReport>(
            resultFromJson(QStringLiteral("grid-search"), throughText(old), {}));
        QCOMPARE(back.result.selection, GridSelection::Paper);
        QCOMPARE(back.options.selection, GridSelection::Paper);
        QCOMPARE(back.result.best, g.result.best);
        QCOMPARE(back.result.zeroCell, 0);
        QCOMPARE(back.result.costVsBest(), g.result.costVsBest());
        QCOMPARE(back.result.warnings, g.result.warnings);
        QVERIFY(std::isnan(back.result.cells[0].macroF1));
        QVERIFY(std::isnan(back.result.baseline.accuracy));
        // A bad rule name is a readable error naming the key.
        QJsonObject bad = j;
        bad[QStringLiteral("selection")] = QStringLiteral("foo");
        QVERIFY(errorOf([&] {
                    resultFromJson(QStringLiteral("grid-search"), throughText(bad), {});
                }).contains(QStringLiteral("selection")));
        // Bad options are readable errors.
        AnalysisContext ctx = context(m_all);
        QVERIFY(errorOf([&] {
                    runAnalysis(QStringLiteral("grid-search"),
                                {{QStringLiteral("selection"), QStringLiteral("foo")}}, ctx);
                }).contains(QStringLiteral("paper or guarded")));
        QVERIFY(errorOf([&] {
                    runAnalysis(QStringLiteral("grid-search"),
                                {{QStringLiteral("accuracy_tolerance"), -1}}, ctx);
                }).contains(QStringLiteral("[0, 100]")));
    }

    void roundTripOfEveryReport()
    {
        Session session = m_session;
        const AnalysisOutput subset = runAndRoundTrip(
            QStringLiteral("minimal-subset"),
            {{QStringLiteral("fractions"), QJsonArray{0.05, 0.2, 0.5}}}, m_34, &session);
        QVERIFY(subset.result);
        const auto &m = std::get<MinimalSubsetReport>(*subset.result);
        QCOMPARE(m.layout, (NeuronLayout{{3, 4}, m_34.train->dims}));
        QCOMPARE(m.preset, QStringLiteral("custom"));
        QVERIFY(!m.result.neurons.empty());
        session.results[QStringLiteral("minimal-subset")] = subset.json;

        const AnalysisOutput ablation = runAndRoundTrip(
            QStringLiteral("ablation"),
            {{QStringLiteral("sizes"), QJsonArray{0.1, 0.5}}, {QStringLiteral("seeds"), 2}}, m_34);
        QVERIFY(ablation.result);
        const auto &a = std::get<AblationReport>(*ablation.result);
        QCOMPARE(a.result.retraining.random.size(), size_t(2));
        QCOMPARE(int(a.result.ordering.size()), a.layout.columns());

        QVERIFY(runAndRoundTrip(QStringLiteral("ablation"),
                                {{QStringLiteral("sizes"), QJsonArray{0.2}},
                                 {QStringLiteral("seeds"), 1},
                                 {QStringLiteral("mode"), QStringLiteral("masking")},
                                 {QStringLiteral("ranker"), QStringLiteral("probeless")}},
                                m_34)
                    .result);

        // Selectivity picks up the session's minimal subset through its typed form.
        const AnalysisOutput sel =
            runAndRoundTrip(QStringLiteral("selectivity"), {}, m_34, &session);
        QVERIFY(sel.result);
        const auto &s = std::get<SelectivityReport>(*sel.result);
        QCOMPARE(int(s.result.sets.size()), 2);
        QCOMPARE(s.result.sets[1].name, QStringLiteral("minimal"));
        QCOMPARE(s.result.sets[1].neurons, int(m.result.neurons.size()));

        const AnalysisOutput lw = runAndRoundTrip(QStringLiteral("layerwise"), {}, m_all);
        QVERIFY(lw.result);
        QCOMPARE(int(std::get<LayerwiseReport>(*lw.result).result.independent.size()), 6);

        const AnalysisOutput cmp = runAndRoundTrip(
            QStringLiteral("compare"),
            {{QStringLiteral("sizes"), QJsonArray{0.1}}, {QStringLiteral("top_fraction"), 0.1}},
            m_all, &session);
        QVERIFY(cmp.result);
        const auto &c = std::get<CompareReport>(*cmp.result);
        QCOMPARE(int(c.models.size()), 2);
        QVERIFY(c.sameLayout);
        QVERIFY(!c.overlap.empty());

        const AnalysisOutput clusters =
            runAndRoundTrip(QStringLiteral("clusters"), {{QStringLiteral("rows"), 300}}, m_34);
        QVERIFY(clusters.result);
        QVERIFY(std::holds_alternative<JsonReport>(*clusters.result));
        QVERIFY(!clusters.csv.empty());
    }

    /// Trains a probe (seed @p seed, λ1 @p l1) and, with @p ablation, an ablation into
    /// @p session on @p task; returns the probe's report.
    ProbeReport probeAndAblation(Session &session, const LoadedTask &task, quint64 seed, double l1,
                                 bool ablation)
    {
        AnalysisContext ctx = context(task, &session);
        ctx.probe.seed = seed;
        ctx.probe.l1 = l1;
        const AnalysisOutput p = runAnalysis(QStringLiteral("probe"), {}, ctx);
        session.results[QStringLiteral("probe")] = p.json; // arrays: stored by the analysis
        if (ablation) {
            const AnalysisOutput a = runAnalysis(
                QStringLiteral("ablation"),
                {{QStringLiteral("sizes"), QJsonArray{0.1, 0.5}}, {QStringLiteral("seeds"), 1}},
                ctx);
            session.results[QStringLiteral("ablation")] = a.json;
        }
        return std::get<ProbeReport>(*p.result);
    }

    // Mode "sessions": the probes of two saved sessions as recorded, each with its own curves.
    void compareSessions()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        Session a = m_session, b = m_session;
        const ProbeReport pa = probeAndAblation(a, m_34, 3, 0.001, true);
        const ProbeReport pb = probeAndAblation(b, m_34, 9, 0.01, true);
        QVERIFY(pa.ordering != pb.ordering);
        const QString pathB = dir.filePath(QStringLiteral("b.json"));
        saveSession(pathB, b);

        const AnalysisOutput out = runAndRoundTrip(
            QStringLiteral("compare"), {{QStringLiteral("other_session"), pathB}}, m_34, &a);
        QVERIFY(out.result);
        const auto &c = std::get<CompareReport>(*out.result);
        QCOMPARE(c.mode, QStringLiteral("sessions"));
        QCOMPARE(int(c.models.size()), 2);
        const CompareModel &ma = c.models[0], &mb = c.models[1];
        QCOMPARE(ma.name, QStringLiteral("A"));
        QCOMPARE(mb.name, QStringLiteral("b.json"));
        QCOMPARE(mb.source, pathB);
        // The recorded orderings, not re-ranked; the probes' own accuracies.
        QCOMPARE(ma.ordering, pa.ordering);
        QCOMPARE(mb.ordering, pb.ordering);
        QCOMPARE(ma.accuracy, pa.split(QStringLiteral("dev"))->evaluation.accuracy);
        QCOMPARE(mb.accuracy, pb.split(QStringLiteral("dev"))->evaluation.accuracy);
        QCOMPARE(ma.accuracySplit, QStringLiteral("dev"));
        QCOMPARE(ma.labels, pa.labels);
        const int neurons = m_34.train->neurons();
        QCOMPARE(c.topK, std::max(1, int(0.05 * neurons)));
        QCOMPARE(ma.layers.counts, layerDistribution(*m_34.train, pa.ordering, c.topK).counts);
        QCOMPARE(mb.layers.counts, layerDistribution(*m_34.train, pb.ordering, c.topK).counts);
        QVERIFY(c.sameLayout);
        QVERIFY(c.sameLabels);
        QVERIFY(c.warning.isEmpty());
        // Overlap recomputed here from the two probes' orderings.
        QVERIFY(c.overlap.size() >= 2);
        QVERIFY(std::any_of(c.overlap.begin(), c.overlap.end(),
                            [&](const TopKOverlap &o) { return o.k == c.topK; }));
        for (const TopKOverlap &o : c.overlap) {
            const std::set<int> sa(pa.ordering.begin(), pa.ordering.begin() + o.k),
                sb(pb.ordering.begin(), pb.ordering.begin() + o.k);
            Index shared = 0;
            for (int n : sa)
                shared += sb.count(n);
            QCOMPARE(o.intersection, shared);
            QCOMPARE(o.fraction, double(shared) / o.k);
        }
        // Each side's curves are its own session's ablation, and they differ.
        QVERIFY(ma.ablation && mb.ablation);
        QVERIFY(!ma.minimalSubset && !mb.minimalSubset);
        QCOMPARE(toJson(*ma.ablation), a.results.value(QStringLiteral("ablation")).toObject());
        QCOMPARE(toJson(*mb.ablation), b.results.value(QStringLiteral("ablation")).toObject());
        QVERIFY(ma.ablation->result.retraining.top != mb.ablation->result.retraining.top);

        // overlap_k and top_k are honoured.
        AnalysisContext ctx = context(m_34, &a);
        const AnalysisOutput k7 = runAnalysis(QStringLiteral("compare"),
                                              {{QStringLiteral("other_session"), pathB},
                                               {QStringLiteral("top_k"), 7},
                                               {QStringLiteral("overlap_k"), QJsonArray{3, 1}}},
                                              ctx);
        const auto &c7 = std::get<CompareReport>(*k7.result);
        QCOMPARE(c7.topK, 7);
        QCOMPARE(int(c7.models[1].topNeurons.size()), 7);
        QCOMPARE(int(c7.overlap.size()), 2);
        QCOMPARE(c7.overlap[0].k, 1);
        QCOMPARE(c7.overlap[1].k, 3);

        // Another label set: a warning, and still a result.
        Session other = m_session;
        other.demoProperty = QStringLiteral("suffix");
        DatasetOptions two;
        two.layers = {3, 4};
        const LoadedTask suffix = loadDemoTask(m_demo, QStringLiteral("suffix"), two);
        probeAndAblation(other, suffix, 5, 0.001, false);
        const QString pathS = dir.filePath(QStringLiteral("suffix.json"));
        saveSession(pathS, other);
        const AnalysisOutput ws = runAndRoundTrip(QStringLiteral("compare"),
                                                  {{QStringLiteral("other_session"), pathS},
                                                   {QStringLiteral("name_b"), QStringLiteral("S")}},
                                                  m_34, &a);
        QVERIFY(ws.result);
        const auto &cs = std::get<CompareReport>(*ws.result);
        QVERIFY(!cs.sameLabels);
        QVERIFY(cs.sameLayout);
        QVERIFY2(cs.warning.contains(QStringLiteral("label sets differ")), qPrintable(cs.warning));
        QVERIFY(!cs.models[1].ablation);
        QCOMPARE(cs.models[1].name, QStringLiteral("S"));

        // Without a probe (either side), or with both modes' options: a readable error.
        Session none = m_session;
        QVERIFY(errorOf([&] {
                    AnalysisContext x = context(m_34, &none);
                    runAnalysis(QStringLiteral("compare"),
                                {{QStringLiteral("other_session"), pathB}}, x);
                }).contains(QStringLiteral("no trained probe")));
        const QString pathNone = dir.filePath(QStringLiteral("none.json"));
        saveSession(pathNone, none);
        const QString noneError = errorOf([&] {
            runAnalysis(QStringLiteral("compare"), {{QStringLiteral("other_session"), pathNone}},
                        ctx);
        });
        QVERIFY2(noneError.contains(pathNone)
                     && noneError.contains(QStringLiteral("no trained probe")),
                 qPrintable(noneError));
        QVERIFY(errorOf([&] {
                    runAnalysis(
                        QStringLiteral("compare"),
                        {{QStringLiteral("other_session"), pathB},
                         {QStringLiteral("other"), QJsonObject{{QStringLiteral("train"), pathB}}}},
                        ctx);
                }).contains(QStringLiteral("exclude")));
    }

    void malformedJsonNamesTheKey()
    {
        AnalysisContext ctx = context(m_34);
        const AnalysisOutput out = runAnalysis(QStringLiteral("probe"), {}, ctx);
        const auto arrays = resultArrays(*out.result);
        QJsonObject j = out.json;
        j.remove(QStringLiteral("ranking_cutoffs"));
        QVERIFY(errorOf([&] {
                    resultFromJson(QStringLiteral("probe"), j, arrays);
                }).contains(QStringLiteral("ranking_cutoffs")));
        j = out.json;
        j[QStringLiteral("ranking")] = QJsonArray{0}; // layer 0 is not loaded
        QVERIFY(errorOf([&] {
                    resultFromJson(QStringLiteral("probe"), j, arrays);
                }).contains(QStringLiteral("ranking")));
        QVERIFY(errorOf([&] {
                    resultFromJson(QStringLiteral("probe"), out.json, {});
                }).contains(QStringLiteral("probe/W")));
        QVERIFY(errorOf([&] {
                    resultFromJson(QStringLiteral("nope"), out.json, {});
                }).contains(QStringLiteral("nope")));
    }

    // One meaning per key: "ranking" is a neuron list (probe); the ranker of minimal-subset and
    // ablation is the object "ranker". Files with the older object form "ranking" still load.
    void rankerObjectKeyAndOlderForm()
    {
        AnalysisContext ctx = context(m_34);
        const std::pair<QString, QJsonObject> runs[] = {
            {QStringLiteral("minimal-subset"),
             {{QStringLiteral("fractions"), QJsonArray{0.1, 0.5}},
              {QStringLiteral("ranker"), QStringLiteral("probeless")}}},
            {QStringLiteral("ablation"),
             {{QStringLiteral("sizes"), QJsonArray{0.2}},
              {QStringLiteral("seeds"), 1},
              {QStringLiteral("mode"), QStringLiteral("masking")},
              {QStringLiteral("ranker"), QStringLiteral("probeless")}}}};
        for (const auto &[name, options] : runs) {
            const AnalysisOutput out = runAnalysis(name, options, ctx);
            QVERIFY2(out.json[QStringLiteral("ranker")].isObject(), qPrintable(name));
            QVERIFY2(!out.json.contains(QStringLiteral("ranking")), qPrintable(name));
            QCOMPARE(out.json[QStringLiteral("ranker")].toObject()[QStringLiteral("ranker")],
                     QJsonValue(QStringLiteral("probeless")));
            QJsonObject old = out.json;
            old[QStringLiteral("ranking")] = old.take(QStringLiteral("ranker"));
            const AnalysisResult back = resultFromJson(name, old, {});
            const RankerInfo &r = name == QLatin1String("ablation")
                                      ? std::get<AblationReport>(back).ranker
                                      : std::get<MinimalSubsetReport>(back).ranker;
            QCOMPARE(r.ranker, QStringLiteral("probeless"));
            old.remove(QStringLiteral("ranking"));
            QVERIFY(errorOf([&] {
                        resultFromJson(name, old, {});
                    }).contains(QStringLiteral("'ranker'")));
        }
    }

    // The data diagnostics (layer scales, task warnings, split files, dropped lines) round-trip;
    // results written before them load with them empty.
    void probeDataDiagnosticsRoundTrip()
    {
        AnalysisContext ctx = context(m_34);
        const AnalysisOutput out = runAnalysis(QStringLiteral("probe"), {}, ctx);
        ProbeReport x = std::get<ProbeReport>(*out.result);
        QCOMPARE(x.data.layerScale, m_34.trainLayerScale); // the probe reports the task's scales
        QVERIFY(!x.data.layerScale.empty());
        x.data.layerScale = {0.5, 9.0};
        x.data.warnings = {QStringLiteral("train activation scales differ 18.0×")};
        SplitEvaluation &train = x.splits[0];
        train.wordsFile = QStringLiteral("w.txt");
        train.labelsFile = QStringLiteral("l.txt");
        train.activationsFile = QStringLiteral("a.hdf5");
        train.mismatchedLines = 12;
        train.droppedLines = {{5, QStringLiteral("6 words, 5 labels")},
                              {9, QStringLiteral("sentence 8 has 7 rows in the activations, 6 "
                                                 "words in the words file")}};
        const QJsonObject json = toJson(x);
        const AnalysisResult back =
            resultFromJson(QStringLiteral("probe"), throughText(json), resultArrays(*out.result));
        const auto &y = std::get<ProbeReport>(back);
        QCOMPARE(y.data.layerScale, x.data.layerScale);
        QCOMPARE(y.data.warnings, x.data.warnings);
        const SplitEvaluation &b = y.splits[0];
        QCOMPARE(b.wordsFile, train.wordsFile);
        QCOMPARE(b.labelsFile, train.labelsFile);
        QCOMPARE(b.activationsFile, train.activationsFile);
        QCOMPARE(b.mismatchedLines, 12);
        QCOMPARE(b.droppedLines.size(), size_t(2));
        QCOMPARE(b.droppedLines[1].line, Index(9));
        QCOMPARE(b.droppedLines[1].reason, train.droppedLines[1].reason);

        QJsonObject old = json;
        old.remove(QStringLiteral("data"));
        QJsonObject oldTrain = old[QStringLiteral("train")].toObject();
        for (const char *key : {"words_file", "labels_file", "activations_file", "mismatches"})
            oldTrain.remove(QLatin1String(key));
        old[QStringLiteral("train")] = oldTrain;
        const AnalysisResult older =
            resultFromJson(QStringLiteral("probe"), old, resultArrays(*out.result));
        const auto &z = std::get<ProbeReport>(older);
        QVERIFY(z.data.layerScale.empty() && z.data.warnings.isEmpty());
        QVERIFY(z.splits[0].wordsFile.isEmpty() && z.splits[0].droppedLines.empty());
        QCOMPARE(z.splits[0].mismatchedLines, 12);
    }

    /// Seeds aggregates, per-seed orderings and majority baselines of ablation and minimal
    /// subset round-trip; files without those keys still load (one seed, NaN baselines).
    void seedsAndBaselinesRoundTrip()
    {
        const AnalysisOutput ab =
            runAndRoundTrip(QStringLiteral("ablation"),
                            {{QStringLiteral("sizes"), QJsonArray{0.2}},
                             {QStringLiteral("seeds"), 2},
                             {QStringLiteral("mode"), QStringLiteral("retraining")}},
                            m_34);
        QVERIFY(ab.result);
        const auto &a = std::get<AblationReport>(*ab.result);
        const QJsonObject curve =
            ab.json[QStringLiteral("curves")].toObject()[QStringLiteral("retraining")].toObject();
        for (const char *key :
             {"top_mean", "top_sd", "bottom_mean", "bottom_sd", "top_per_seed", "bottom_per_seed",
              "top_macro_f1", "random_macro_f1", "bottom_macro_f1"})
            QVERIFY2(curve.contains(QLatin1String(key)), key);
        QCOMPARE(ab.json[QStringLiteral("orderings_per_seed")].toArray().size(), 2);
        const AnalysisResult aBack =
            resultFromJson(QStringLiteral("ablation"), throughText(ab.json), {});
        const auto &a2 = std::get<AblationReport>(aBack);
        QCOMPARE(a2.result.orderings, a.result.orderings);
        // The oracles' ranking stability is derived from the per-seed orderings: written as
        // "stability", equal after reading, and absent for one repetition.
        const std::optional<RankingStability> st = ablationStability(a);
        QVERIFY(st && st->runs == 2 && st->k == std::max(1, int(0.05 * a.layout.columns())));
        QCOMPARE(ab.json[QStringLiteral("stability")].toObject()[QStringLiteral("k")].toInt(),
                 st->k);
        QCOMPARE(ablationStability(a2)->meanJaccard, st->meanJaccard);
        QVERIFY(ablationStabilityText(a).contains(QStringLiteral("over 2 seeds")));
        AblationReport single = a;
        single.result.orderings.resize(1);
        QVERIFY(!ablationStability(single) && ablationStabilityText(single).isEmpty());
        QVERIFY(!toJson(AnalysisResult(single)).contains(QStringLiteral("stability")));
        QCOMPARE(a2.result.retraining.topSd, a.result.retraining.topSd);
        QCOMPARE(a2.result.retraining.bottomPerSeed, a.result.retraining.bottomPerSeed);
        QCOMPARE(a2.result.retraining.randomF1, a.result.retraining.randomF1);
        QCOMPARE(a2.result.baselineSelection.label, a.result.baselineSelection.label);
        QCOMPARE(a2.result.baselineSelection.accuracy, a.result.baselineSelection.accuracy);
        QCOMPARE(a2.result.baselineTest.tokens, a.result.baselineTest.tokens);
        QVERIFY(a.result.baselineSelection.accuracy > 0 && a.result.baselineSelection.accuracy < 1);
        QVERIFY(ab.csv.front().second.startsWith("mode,neurons,top,random_mean,random_std,bottom,"
                                                 "top_mean,top_sd"));

        const AnalysisOutput ms = runAndRoundTrip(
            QStringLiteral("minimal-subset"),
            {{QStringLiteral("fractions"), QJsonArray{0.1, 0.5}}, {QStringLiteral("seeds"), 2}},
            m_34);
        QVERIFY(ms.result);
        const auto &m = std::get<MinimalSubsetReport>(*ms.result);
        QCOMPARE(int(m.result.seedSizes.size()), 2);
        QCOMPARE(m.options.seeds, 2);
        const QJsonObject sizeSeeds = ms.json[QStringLiteral("size_seeds")].toObject();
        QCOMPARE(sizeSeeds[QStringLiteral("n")].toInt(), 2);
        QCOMPARE(sizeSeeds[QStringLiteral("median")].toDouble(),
                 0.5 * (m.result.seedSizes[0] + m.result.seedSizes[1]));
        const AnalysisResult mBack =
            resultFromJson(QStringLiteral("minimal-subset"), throughText(ms.json), {});
        const auto &m2 = std::get<MinimalSubsetReport>(mBack);
        QCOMPARE(m2.result.seedSizes, m.result.seedSizes);
        QCOMPARE(m2.result.seedOracleDev, m.result.seedOracleDev);
        QCOMPARE(m2.options.seeds, 2);
        QCOMPARE(m2.result.curve.front().devF1, m.result.curve.front().devF1);
        QCOMPARE(m2.result.baselineTest.accuracy, m.result.baselineTest.accuracy);

        // Older files: none of the new keys.
        QJsonObject oldA = ab.json;
        for (const char *key : {"orderings_per_seed", "majority_baseline"})
            oldA.remove(QLatin1String(key));
        QJsonObject oldCurve = curve;
        for (const char *key :
             {"top_mean", "top_sd", "bottom_mean", "bottom_sd", "top_per_seed", "bottom_per_seed",
              "top_macro_f1", "random_macro_f1", "bottom_macro_f1"})
            oldCurve.remove(QLatin1String(key));
        oldA[QStringLiteral("curves")] = QJsonObject{{QStringLiteral("retraining"), oldCurve}};
        const auto a3 =
            std::get<AblationReport>(resultFromJson(QStringLiteral("ablation"), oldA, {}));
        QCOMPARE(a3.result.orderings, std::vector<NeuronList>{a.result.ordering});
        QVERIFY(a3.result.retraining.topMean.empty());
        QCOMPARE(a3.result.retraining.top, a.result.retraining.top);
        QVERIFY(std::isnan(a3.result.baselineSelection.accuracy));
        QVERIFY(!csvTables(AnalysisResult(a3)).empty());
        QJsonObject oldM = ms.json;
        for (const char *key :
             {"seeds", "sizes_per_seed", "size_seeds", "oracle_dev_accuracy_per_seed",
              "oracle_dev_accuracy_seeds", "oracle_test_accuracy_per_seed", "majority_baseline"})
            oldM.remove(QLatin1String(key));
        QJsonArray oldPoints;
        for (const QJsonValue v : oldM[QStringLiteral("curve")].toArray()) {
            QJsonObject o = v.toObject();
            o.remove(QStringLiteral("dev_macro_f1"));
            o.remove(QStringLiteral("test_macro_f1"));
            oldPoints.append(o);
        }
        oldM[QStringLiteral("curve")] = oldPoints;
        const auto m3 = std::get<MinimalSubsetReport>(
            resultFromJson(QStringLiteral("minimal-subset"), oldM, {}));
        QCOMPARE(m3.options.seeds, 1);
        QCOMPARE(m3.result.seedSizes, std::vector<int>{m.result.size});
        QVERIFY(std::isnan(m3.result.curve.front().devF1));
        QVERIFY(std::isnan(m3.result.baselineSelection.accuracy));
    }

    // Repetitions (option "seeds") and the standardisation comparison survive JSON → text →
    // report; the per-seed CSV lists every probe.
    void repeatedProbeRoundTrip()
    {
        const AnalysisOutput out =
            runAndRoundTrip(QStringLiteral("probe"), {{QStringLiteral("seeds"), 3}}, m_34);
        QVERIFY(out.result);
        const auto &x = std::get<ProbeReport>(*out.result);
        const AnalysisResult back = resultFromJson(QStringLiteral("probe"), throughText(out.json),
                                                   resultArrays(*out.result));
        const auto &y = std::get<ProbeReport>(back);
        QCOMPARE(y.seeds, 3);
        QCOMPARE(y.seedRuns.size(), size_t(3));
        for (size_t s = 0; s < 3; ++s) {
            QCOMPARE(y.seedRuns[s].seed, x.seedRuns[s].seed);
            QCOMPARE(y.seedRuns[s].top, x.seedRuns[s].top);
            QCOMPARE(y.seedRuns[s].split(QStringLiteral("dev"))->accuracy,
                     x.seedRuns[s].split(QStringLiteral("dev"))->accuracy);
        }
        QVERIFY(y.stability && x.stability);
        QCOMPARE(y.stability->meanJaccard, x.stability->meanJaccard);
        QCOMPARE(y.stability->shareInAll, x.stability->shareInAll);
        QCOMPARE(y.stability->inAll, x.stability->inAll);
        QCOMPARE(y.stability->meanLayers, x.stability->meanLayers);
        const SplitEvaluation &dx = *x.split(QStringLiteral("dev")),
                              &dy = *y.split(QStringLiteral("dev"));
        QCOMPARE(dy.accuracySeeds.n, 3);
        QCOMPARE(dy.accuracySeeds.mean, dx.accuracySeeds.mean);
        QCOMPARE(dy.accuracySeeds.sd, dx.accuracySeeds.sd);
        QVERIFY(y.standardizeComparison && x.standardizeComparison);
        QCOMPARE(y.standardizeComparison->flipped.top, x.standardizeComparison->flipped.top);
        QCOMPARE(y.standardizeComparison->jaccard(), x.standardizeComparison->jaccard());
        QCOMPARE(y.standardizeComparison->meanLayerFlipped(),
                 x.standardizeComparison->meanLayerFlipped());
        // The documented keys.
        const QJsonObject dev = out.json[QStringLiteral("dev")].toObject();
        QCOMPARE(dev[QStringLiteral("accuracy_seeds")].toObject()[QStringLiteral("n")].toInt(), 3);
        QVERIFY(dev[QStringLiteral("macro_f1_seeds")].toObject().contains(QStringLiteral("sd")));
        QCOMPARE(out.json[QStringLiteral("seed_runs")].toArray().size(), 3);
        const QJsonObject st = out.json[QStringLiteral("stability")].toObject();
        for (const char *key : {"k", "runs", "mean_jaccard", "min_jaccard", "mean_overlap",
                                "share_in_all", "in_all", "mean_layers", "mean_layer_seeds"})
            QVERIFY2(st.contains(QLatin1String(key)), key);
        const QJsonObject sc = out.json[QStringLiteral("standardize_comparison")].toObject();
        for (const char *key : {"seed", "standardize", "scores", "top", "jaccard", "overlap",
                                "mean_layer_primary", "mean_layer_flipped"})
            QVERIFY2(sc.contains(QLatin1String(key)), key);
        // seeds.csv: header + 3 repetitions + the flipped probe.
        QByteArray seedsCsv;
        for (const auto &[name, bytes] : out.csv)
            if (name == QLatin1String("seeds.csv"))
                seedsCsv = bytes;
        QCOMPARE(seedsCsv.count('\n'), 5);
        QVERIFY(
            seedsCsv.startsWith("run,seed,standardize,train_accuracy,train_macro_f1,dev_accuracy"));
        // A run count that disagrees with "seeds" is malformed.
        QJsonObject bad = out.json;
        bad[QStringLiteral("seeds")] = 4;
        QVERIFY(errorOf([&] {
                    resultFromJson(QStringLiteral("probe"), bad, resultArrays(*out.result));
                }).contains(QStringLiteral("seed_runs")));
    }

    void olderProbeResultsStillLoad()
    {
        AnalysisContext ctx = context(m_34);
        const AnalysisOutput out = runAnalysis(QStringLiteral("probe"), {}, ctx);
        const auto &x = std::get<ProbeReport>(*out.result);
        QJsonObject old = out.json;
        for (const char *key : {"layout", "top_fraction", "top_k", "probe_options", "seeds"})
            old.remove(QLatin1String(key));
        QJsonObject dev = old[QStringLiteral("dev")].toObject();
        dev.remove(QStringLiteral("majority_accuracy"));
        dev.remove(QStringLiteral("majority_label"));
        old[QStringLiteral("dev")] = dev;
        // NeuroX's ordering alone (stops at the last cutoff).
        const int cut = x.cutoffs.back();
        QVERIFY(cut > 0 && cut <= x.layout.columns());
        QJsonArray shortRanking;
        for (int i = 0; i < cut; ++i)
            shortRanking.append(x.layout.flatIndex(x.ordering[size_t(i)]));
        old[QStringLiteral("ranking")] = shortRanking;
        const AnalysisResult back =
            resultFromJson(QStringLiteral("probe"), old, resultArrays(*out.result));
        const auto &y = std::get<ProbeReport>(back);
        QCOMPARE(y.layout, x.layout);
        QCOMPARE(y.ordering, x.ordering);
        QCOMPARE(y.topK, x.topK);
        QCOMPARE(y.topFraction, 0.05);
        QVERIFY(std::isnan(y.split(QStringLiteral("dev"))->majorityAccuracy));
        QVERIFY(!std::isnan(y.split(QStringLiteral("train"))->majorityAccuracy));
    }
};

QTEST_GUILESS_MAIN(TestResults)
#include "tst_results.moc"
