#include "salient/session/resultsjson.h"

#include "salient/session/session.h"
#include "salient/util/csv.h"
#include "salient/util/error.h"

#include <QJsonArray>
#include <cmath>

namespace salient {

namespace {

// ------------------------------------------------------------------------------------------------
// Writing

QJsonValue num(double v)
{
    return std::isfinite(v) ? QJsonValue(v) : QJsonValue(QJsonValue::Null);
}

QJsonArray numArray(const std::vector<double> &v)
{
    QJsonArray a;
    for (double x : v)
        a.append(num(x));
    return a;
}

QJsonArray intArray(const std::vector<int> &v)
{
    QJsonArray a;
    for (int x : v)
        a.append(x);
    return a;
}

/// Columns → NeuroX flat indices.
QJsonArray flatArray(const NeuronLayout &layout, const NeuronList &columns)
{
    QJsonArray a;
    for (int c : columns)
        a.append(layout.flatIndex(c));
    return a;
}

/// An aggregate over N repetitions (util/stats.h), written next to its primary key as
/// "<key>_seeds" (docs/cli.md).
QJsonObject seedSummaryJson(const SeedSummary &s)
{
    QJsonObject o;
    o[QStringLiteral("n")] = s.n;
    o[QStringLiteral("mean")] = num(s.mean);
    o[QStringLiteral("sd")] = num(s.sd);
    o[QStringLiteral("median")] = num(s.median);
    o[QStringLiteral("min")] = num(s.min);
    o[QStringLiteral("max")] = num(s.max);
    return o;
}

/// A train-majority baseline (analyses/experiment.h).
QJsonObject majorityBaselineJson(const MajorityBaseline &b)
{
    QJsonObject o;
    o[QStringLiteral("label")] = b.label;
    o[QStringLiteral("accuracy")] = num(b.accuracy);
    o[QStringLiteral("macro_f1")] = num(b.macroF1);
    o[QStringLiteral("tokens")] = double(b.tokens);
    return o;
}

QString seedText(quint64 seed)
{
    return QString::number(seed);
}

QJsonObject distributionJson(const LayerDistribution &d)
{
    QJsonObject counts;
    for (size_t k = 0; k < d.layerIds.size(); ++k)
        counts[QString::number(d.layerIds[k])] = d.counts[k];
    QJsonObject j;
    j[QStringLiteral("counts")] = counts;
    j[QStringLiteral("mean_layer")] = num(d.meanLayer);
    j[QStringLiteral("k")] = d.total;
    return j;
}

/// One repetition of a "probe" run: seed, standardisation, scores per split, top-k (flat).
QJsonObject seedRunJson(const ProbeSeedRun &run, const NeuronLayout &layout, bool regression)
{
    QJsonObject o;
    o[QStringLiteral("seed")] = seedText(run.seed);
    o[QStringLiteral("standardize")] = run.standardize;
    QJsonObject scores;
    for (const SeedSplitScores &s : run.splits) {
        QJsonObject e;
        if (regression) {
            e[QStringLiteral("mse")] = num(s.mse);
        } else {
            e[QStringLiteral("accuracy")] = num(s.accuracy);
            e[QStringLiteral("macro_f1")] = num(s.macroF1);
        }
        scores[s.split] = e;
    }
    o[QStringLiteral("scores")] = scores;
    o[QStringLiteral("top")] = flatArray(layout, run.top);
    return o;
}

QJsonObject stabilityJson(const RankingStability &s, const NeuronLayout &layout)
{
    QJsonObject o;
    o[QStringLiteral("k")] = s.k;
    o[QStringLiteral("runs")] = s.runs;
    o[QStringLiteral("mean_jaccard")] = num(s.meanJaccard);
    o[QStringLiteral("min_jaccard")] = num(s.minJaccard);
    o[QStringLiteral("mean_overlap")] = num(s.meanOverlap);
    o[QStringLiteral("share_in_all")] = num(s.shareInAll);
    o[QStringLiteral("in_all")] = flatArray(layout, s.inAll);
    o[QStringLiteral("mean_layers")] = numArray(s.meanLayers);
    o[QStringLiteral("mean_layer")] = num(s.meanLayers.empty() ? kNotAvailable : s.meanLayers[0]);
    o[QStringLiteral("mean_layer_seeds")] = seedSummaryJson(s.meanLayer);
    return o;
}

QJsonObject rankerJson(const RankerInfo &r)
{
    QJsonObject o;
    o[QStringLiteral("ranker")] = r.ranker;
    if (!r.positiveLabel.isEmpty())
        o[QStringLiteral("positive_label")] = r.positiveLabel;
    if (r.gaussianK > 0)
        o[QStringLiteral("gaussian_k")] = r.gaussianK;
    if (r.ranker == QLatin1String("gaussian") || !r.warnings.isEmpty())
        o[QStringLiteral("warnings")] = QJsonArray::fromStringList(r.warnings);
    if (r.prefilterThreshold > 0) {
        o[QStringLiteral("prefilter_threshold")] = r.prefilterThreshold;
        o[QStringLiteral("prefilter_representatives")] = r.prefilterRepresentatives;
    }
    return o;
}

/// "majority_baseline": the selection split's and the test split's.
QJsonObject baselinesJson(const MajorityBaseline &selection, const MajorityBaseline &test)
{
    QJsonObject o;
    o[QStringLiteral("selection")] = majorityBaselineJson(selection);
    o[QStringLiteral("test")] = majorityBaselineJson(test);
    return o;
}

QJsonArray nestedArray(const std::vector<std::vector<double>> &v)
{
    QJsonArray a;
    for (const std::vector<double> &r : v)
        a.append(numArray(r));
    return a;
}

QJsonObject curveJson(const AblationCurve &c)
{
    QJsonObject o;
    o[QStringLiteral("top")] = numArray(c.top);
    o[QStringLiteral("random")] = numArray(c.randomMean);
    o[QStringLiteral("random_std")] = numArray(c.randomStd);
    o[QStringLiteral("bottom")] = numArray(c.bottom);
    QJsonArray perSeed;
    for (const std::vector<double> &r : c.random)
        perSeed.append(numArray(r));
    o[QStringLiteral("random_per_seed")] = perSeed;
    // Seeds aggregates and macro-F1 (absent in older files; written when computed).
    const std::pair<const char *, const std::vector<double> *> arrays[] = {
        {"top_mean", &c.topMean},        {"top_sd", &c.topSd},
        {"bottom_mean", &c.bottomMean},  {"bottom_sd", &c.bottomSd},
        {"top_macro_f1", &c.topF1},      {"random_macro_f1", &c.randomF1},
        {"bottom_macro_f1", &c.bottomF1}};
    for (const auto &[key, values] : arrays)
        if (!values->empty())
            o[QLatin1String(key)] = numArray(*values);
    if (!c.topPerSeed.empty())
        o[QStringLiteral("top_per_seed")] = nestedArray(c.topPerSeed);
    if (!c.bottomPerSeed.empty())
        o[QStringLiteral("bottom_per_seed")] = nestedArray(c.bottomPerSeed);
    return o;
}

QJsonObject evaluationJson(const SplitEvaluation &s, const QStringList &labels, bool regression)
{
    const Evaluation &e = s.evaluation;
    QJsonObject o;
    o[QStringLiteral("count")] = double(e.count);
    if (!regression) {
        o[QStringLiteral("accuracy")] = num(e.accuracy);
        o[QStringLiteral("macro_f1")] = num(e.macroF1);
        QJsonObject pc, counts;
        for (int c = 0; c < labels.size() && size_t(c) < e.perClass.size(); ++c) {
            pc[labels[c]] = num(e.perClass[size_t(c)]);
            counts[labels[c]] = double(e.perClassCount[size_t(c)]);
        }
        o[QStringLiteral("per_class")] = pc;
        o[QStringLiteral("per_class_count")] = counts;
    } else {
        o[QStringLiteral("mse")] = num(e.mse);
    }
    QJsonObject scores;
    for (const auto &[k, v] : e.scores)
        scores[k] = num(v);
    o[QStringLiteral("scores")] = scores;
    o[QStringLiteral("tokens")] = double(s.tokens);
    o[QStringLiteral("sentences")] = double(s.sentences);
    o[QStringLiteral("mismatched_lines")] = double(s.mismatchedLines);
    o[QStringLiteral("words_file")] = s.wordsFile;
    o[QStringLiteral("labels_file")] = s.labelsFile;
    o[QStringLiteral("activations_file")] = s.activationsFile;
    QJsonArray dropped;
    for (const SplitEvaluation::DroppedLine &d : s.droppedLines) {
        QJsonObject line;
        line[QStringLiteral("line")] = double(d.line);
        line[QStringLiteral("reason")] = d.reason;
        dropped.append(line);
    }
    o[QStringLiteral("mismatches")] = dropped;
    o[QStringLiteral("warnings")] = QJsonArray::fromStringList(s.warnings);
    o[QStringLiteral("majority_accuracy")] = num(s.majorityAccuracy);
    o[QStringLiteral("majority_label")] = s.majorityLabel;
    // Only for repeated runs (seeds ≥ 2); absent otherwise.
    if (!regression && s.accuracySeeds.n > 0) {
        o[QStringLiteral("accuracy_seeds")] = seedSummaryJson(s.accuracySeeds);
        o[QStringLiteral("macro_f1_seeds")] = seedSummaryJson(s.macroF1Seeds);
    }
    if (regression && s.mseSeeds.n > 0)
        o[QStringLiteral("mse_seeds")] = seedSummaryJson(s.mseSeeds);
    return o;
}

QStringList rowNames(const ProbeReport &r)
{
    return r.options.regression ? QStringList{QStringLiteral("value")} : r.labels;
}

// ------------------------------------------------------------------------------------------------
// CSV

using Tables = std::vector<std::pair<QString, QByteArray>>;

Tables csvOf(const ProbeReport &r)
{
    QByteArray csv = csvLine({QStringLiteral("rank"), QStringLiteral("neuron"),
                              QStringLiteral("layer"), QStringLiteral("index_in_layer")});
    for (size_t i = 0; i < r.ordering.size(); ++i) {
        const NeuronId id = r.layout.neuron(r.ordering[i]);
        csv += csvLine({QString::number(i + 1), QString::number(r.layout.flatIndex(r.ordering[i])),
                        QString::number(id.layer), QString::number(id.unit)});
    }
    Tables tables{{QStringLiteral("ranking.csv"), csv}};
    if (r.seedRuns.empty() && !r.standardizeComparison)
        return tables;
    // One row per probe: the repetitions, then the standardisation-flipped probe.
    QStringList header{QStringLiteral("run"), QStringLiteral("seed"),
                       QStringLiteral("standardize")};
    for (const SplitEvaluation &s : r.splits) {
        if (r.options.regression) {
            header << s.split + QStringLiteral("_mse");
        } else {
            header << s.split + QStringLiteral("_accuracy")
                   << s.split + QStringLiteral("_macro_f1");
        }
    }
    QByteArray seeds = csvLine(header);
    auto row = [&](const QString &name, const ProbeSeedRun &run) {
        QStringList cells{name, seedText(run.seed),
                          run.standardize ? QStringLiteral("true") : QStringLiteral("false")};
        for (const SplitEvaluation &s : r.splits) {
            const SeedSplitScores *sc = run.split(s.split);
            if (r.options.regression) {
                cells << csvNumber(sc ? sc->mse : kNotAvailable);
            } else {
                cells << csvNumber(sc ? sc->accuracy : kNotAvailable)
                      << csvNumber(sc ? sc->macroF1 : kNotAvailable);
            }
        }
        seeds += csvLine(cells);
    };
    for (size_t i = 0; i < r.seedRuns.size(); ++i)
        row(QString::number(i), r.seedRuns[i]);
    if (r.standardizeComparison)
        row(QStringLiteral("standardize_flipped"), r.standardizeComparison->flipped);
    tables.emplace_back(QStringLiteral("seeds.csv"), seeds);
    return tables;
}

Tables csvOf(const GridSearchReport &r)
{
    QByteArray csv =
        csvLine({QStringLiteral("l1"), QStringLiteral("l2"), QStringLiteral("full"),
                 QStringLiteral("top"), QStringLiteral("random"), QStringLiteral("bottom"),
                 QStringLiteral("score"), QStringLiteral("test"), QStringLiteral("macro_f1"),
                 QStringLiteral("eligible"), QStringLiteral("chosen")});
    for (size_t i = 0; i < r.result.cells.size(); ++i) {
        const GridCell &c = r.result.cells[i];
        csv +=
            csvLine({QString::number(c.l1), QString::number(c.l2), csvNumber(c.full),
                     csvNumber(c.top), csvNumber(c.random), csvNumber(c.bottom), csvNumber(c.score),
                     csvNumber(c.test), csvNumber(c.macroF1), QString::number(int(c.eligible)),
                     QString::number(int(int(i) == r.result.best))});
    }
    return {{QStringLiteral("csv"), csv}};
}

Tables csvOf(const MinimalSubsetReport &r)
{
    QByteArray csv = csvLine({QStringLiteral("neurons"), QStringLiteral("dev_accuracy"),
                              QStringLiteral("test_accuracy"), QStringLiteral("dev_macro_f1"),
                              QStringLiteral("test_macro_f1")});
    for (const SubsetPoint &p : r.result.curve)
        csv += csvLine({QString::number(p.size), csvNumber(p.dev), csvNumber(p.test),
                        csvNumber(p.devF1), csvNumber(p.testF1)});
    QByteArray seeds =
        csvLine({QStringLiteral("seed"), QStringLiteral("size"),
                 QStringLiteral("oracle_dev_accuracy"), QStringLiteral("oracle_test_accuracy")});
    const MinimalSubsetResult &m = r.result;
    for (size_t s = 0; s < m.seedSizes.size(); ++s)
        seeds +=
            csvLine({QString::number(s), QString::number(m.seedSizes[s]),
                     csvNumber(s < m.seedOracleDev.size() ? m.seedOracleDev[s] : kNotAvailable),
                     csvNumber(s < m.seedOracleTest.size() ? m.seedOracleTest[s] : kNotAvailable)});
    return {{QStringLiteral("curve.csv"), csv}, {QStringLiteral("seeds.csv"), seeds}};
}

Tables csvOf(const AblationReport &r)
{
    QByteArray csv = csvLine(
        {QStringLiteral("mode"), QStringLiteral("neurons"), QStringLiteral("top"),
         QStringLiteral("random_mean"), QStringLiteral("random_std"), QStringLiteral("bottom"),
         QStringLiteral("top_mean"), QStringLiteral("top_sd"), QStringLiteral("bottom_mean"),
         QStringLiteral("bottom_sd"), QStringLiteral("top_macro_f1"),
         QStringLiteral("random_macro_f1"), QStringLiteral("bottom_macro_f1")});
    // Arrays absent from older files are written as empty cells.
    auto at = [](const std::vector<double> &v, size_t i) {
        return csvNumber(i < v.size() ? v[i] : kNotAvailable);
    };
    for (const AblationCurve *c : {&r.result.masking, &r.result.retraining}) {
        if (c->top.empty())
            continue;
        for (size_t i = 0; i < r.result.sizes.size(); ++i)
            csv += csvLine({c->mode, QString::number(r.result.sizes[i]), csvNumber(c->top[i]),
                            csvNumber(c->randomMean[i]), csvNumber(c->randomStd[i]),
                            csvNumber(c->bottom[i]), at(c->topMean, i), at(c->topSd, i),
                            at(c->bottomMean, i), at(c->bottomSd, i), at(c->topF1, i),
                            at(c->randomF1, i), at(c->bottomF1, i)});
    }
    return {{QStringLiteral("csv"), csv}};
}

Tables csvOf(const SelectivityReport &r)
{
    QByteArray csv =
        csvLine({QStringLiteral("set"), QStringLiteral("neurons"), QStringLiteral("task_accuracy"),
                 QStringLiteral("control_accuracy"), QStringLiteral("selectivity"),
                 QStringLiteral("task_macro_f1"), QStringLiteral("control_macro_f1"),
                 QStringLiteral("seeds"), QStringLiteral("task_accuracy_mean"),
                 QStringLiteral("task_accuracy_sd"), QStringLiteral("control_accuracy_mean"),
                 QStringLiteral("control_accuracy_sd"), QStringLiteral("selectivity_mean"),
                 QStringLiteral("selectivity_sd")});
    for (const SelectivityEntry &e : r.result.sets)
        csv += csvLine({e.name, QString::number(e.neurons), csvNumber(e.taskAccuracy),
                        csvNumber(e.controlAccuracy), csvNumber(e.selectivity),
                        csvNumber(e.taskMacroF1), csvNumber(e.controlMacroF1),
                        QString::number(e.selectivitySeeds.n), csvNumber(e.taskSeeds.mean),
                        csvNumber(e.taskSeeds.sd), csvNumber(e.controlSeeds.mean),
                        csvNumber(e.controlSeeds.sd), csvNumber(e.selectivitySeeds.mean),
                        csvNumber(e.selectivitySeeds.sd)});
    return {{QStringLiteral("csv"), csv}};
}

Tables csvOf(const LayerwiseReport &r)
{
    QByteArray csv = csvLine(
        {QStringLiteral("kind"), QStringLiteral("layer"), QStringLiteral("dev_accuracy"),
         QStringLiteral("test_accuracy"), QStringLiteral("dev_macro_f1"),
         QStringLiteral("test_macro_f1"), QStringLiteral("seeds"), QStringLiteral("dev_mean"),
         QStringLiteral("dev_sd"), QStringLiteral("test_mean"), QStringLiteral("test_sd")});
    for (const auto &[kind, v] : {std::pair{QStringLiteral("independent"), &r.result.independent},
                                  std::pair{QStringLiteral("incremental"), &r.result.incremental}})
        for (const LayerScore &s : *v)
            csv += csvLine({kind, QString::number(s.layer), csvNumber(s.dev), csvNumber(s.test),
                            csvNumber(s.devMacroF1), csvNumber(s.testMacroF1),
                            QString::number(s.devSeeds.n), csvNumber(s.devSeeds.mean),
                            csvNumber(s.devSeeds.sd), csvNumber(s.testSeeds.mean),
                            csvNumber(s.testSeeds.sd)});
    return {{QStringLiteral("csv"), csv}};
}

Tables csvOf(const CompareReport &r)
{
    if (!r.sameLayout)
        return {};
    QByteArray csv = csvLine({QStringLiteral("k"), QStringLiteral("intersection"),
                              QStringLiteral("fraction"), QStringLiteral("jaccard")});
    for (const TopKOverlap &o : r.overlap)
        csv += csvLine({QString::number(o.k), QString::number(o.intersection),
                        csvNumber(o.fraction), csvNumber(o.jaccard)});
    return {{QStringLiteral("overlap.csv"), csv}};
}

Tables csvOf(const JsonReport &r)
{
    return r.csv;
}

} // namespace

// ------------------------------------------------------------------------------------------------

QJsonObject toJson(const NeuronLayout &layout)
{
    QJsonObject o;
    o[QStringLiteral("layer_ids")] = intArray(layout.layerIds);
    o[QStringLiteral("dims")] = layout.dims;
    return o;
}

QJsonObject toJson(const ProbeReport &r)
{
    QJsonObject res;
    res[QStringLiteral("layers")] = r.fileLayers;
    res[QStringLiteral("dims")] = r.layout.dims;
    res[QStringLiteral("neurons")] = r.layout.columns();
    res[QStringLiteral("layers_used")] = intArray(r.layout.layerIds);
    res[QStringLiteral("layout")] = toJson(r.layout);
    res[QStringLiteral("labels")] = QJsonArray::fromStringList(r.labels);
    res[QStringLiteral("task")] =
        r.options.regression ? QStringLiteral("regression") : QStringLiteral("classification");
    for (const SplitEvaluation &s : r.splits)
        res[s.split] = evaluationJson(s, r.labels, r.options.regression);
    QJsonObject data;
    data[QStringLiteral("layer_scale")] = numArray(r.data.layerScale);
    data[QStringLiteral("layer_scale_measure")] = QStringLiteral("rms_neuron_sd");
    data[QStringLiteral("warnings")] = QJsonArray::fromStringList(r.data.warnings);
    res[QStringLiteral("data")] = data;
    res[QStringLiteral("ranking")] = flatArray(r.layout, r.ordering);
    res[QStringLiteral("ranking_cutoffs")] = intArray(r.cutoffs);
    QJsonObject perLabel;
    const QStringList names = rowNames(r);
    for (size_t c = 0; c < r.perLabel.size(); ++c)
        perLabel[names.value(qsizetype(c))] = flatArray(r.layout, r.perLabel[c]);
    res[QStringLiteral("ranking_per_label")] = perLabel;
    QJsonObject where = distributionJson(r.layers);
    if (!r.options.regression) {
        QJsonObject labelDist;
        for (size_t c = 0; c < r.layersPerLabel.size(); ++c)
            labelDist[r.labels.value(qsizetype(c))] = distributionJson(r.layersPerLabel[c]);
        where[QStringLiteral("per_label")] = labelDist;
    }
    res[QStringLiteral("layer_distribution")] = where;
    res[QStringLiteral("top_fraction")] = r.topFraction;
    res[QStringLiteral("top_k")] = r.topK;
    QJsonObject opts = toJson(r.options);
    opts[QStringLiteral("search_stride")] = r.searchStride;
    res[QStringLiteral("options")] = opts;
    res[QStringLiteral("probe_options")] = toJson(r.options);
    res[QStringLiteral("epoch_loss")] = numArray(r.epochLoss);
    res[QStringLiteral("neurox_epoch_loss")] = numArray(r.neuroxEpochLoss);
    QJsonObject timing;
    timing[QStringLiteral("load_s")] = r.loadSeconds;
    timing[QStringLiteral("train_s")] = r.trainSeconds;
    res[QStringLiteral("timing")] = timing;
    res[QStringLiteral("seeds")] = r.seeds;
    if (!r.seedRuns.empty()) {
        QJsonArray runs;
        for (const ProbeSeedRun &run : r.seedRuns)
            runs.append(seedRunJson(run, r.layout, r.options.regression));
        res[QStringLiteral("seed_runs")] = runs;
    }
    if (r.stability)
        res[QStringLiteral("stability")] = stabilityJson(*r.stability, r.layout);
    if (r.standardizeComparison) {
        const StandardizeComparison &c = *r.standardizeComparison;
        QJsonObject o = seedRunJson(c.flipped, r.layout, r.options.regression);
        o[QStringLiteral("k")] = c.topK.k;
        o[QStringLiteral("jaccard")] = num(c.jaccard());
        o[QStringLiteral("overlap")] = num(c.overlap());
        o[QStringLiteral("mean_layer_primary")] = num(c.meanLayerPrimary());
        o[QStringLiteral("mean_layer_flipped")] = num(c.meanLayerFlipped());
        res[QStringLiteral("standardize_comparison")] = o;
    }
    return res;
}

QJsonObject toJson(const GridSearchReport &r)
{
    const GridSearchResult &g = r.result;
    QJsonObject j;
    j[QStringLiteral("l1_values")] = numArray(r.options.l1Values);
    j[QStringLiteral("l2_values")] = numArray(r.options.l2Values);
    j[QStringLiteral("keep_fraction")] = r.options.keepFraction;
    j[QStringLiteral("kept_neurons")] = g.kept;
    j[QStringLiteral("alpha")] = g.alpha;
    j[QStringLiteral("beta")] = g.beta;
    j[QStringLiteral("score")] = gridScoreName(g.score);
    j[QStringLiteral("formula")] = g.formula;
    j[QStringLiteral("split")] = r.split;
    j[QStringLiteral("search_stride")] = r.options.searchStride;
    j[QStringLiteral("random_seed")] = seedText(r.options.randomSeed);
    QJsonArray cells;
    for (const GridCell &c : g.cells) {
        QJsonObject o;
        o[QStringLiteral("l1")] = c.l1;
        o[QStringLiteral("l2")] = c.l2;
        o[QStringLiteral("full")] = num(c.full);
        o[QStringLiteral("top")] = num(c.top);
        o[QStringLiteral("random")] = num(c.random);
        o[QStringLiteral("bottom")] = num(c.bottom);
        o[QStringLiteral("score")] = num(c.score);
        o[QStringLiteral("test")] = num(c.test);
        o[QStringLiteral("macro_f1")] = num(c.macroF1);
        o[QStringLiteral("eligible")] = c.eligible;
        cells.append(o);
    }
    j[QStringLiteral("cells")] = cells;
    j[QStringLiteral("best")] = g.best;
    j[QStringLiteral("selection")] = gridSelectionName(g.selection);
    j[QStringLiteral("accuracy_tolerance")] = g.accuracyTolerance;
    j[QStringLiteral("best_accuracy_cell")] = g.bestAccuracy;
    QJsonObject zero;
    zero[QStringLiteral("source")] =
        g.zeroCell >= 0 ? QStringLiteral("cell") : QStringLiteral("extra_probe");
    zero[QStringLiteral("cell")] = g.zeroCell;
    zero[QStringLiteral("full")] = num(g.zeroFull);
    j[QStringLiteral("zero_reference")] = zero;
    j[QStringLiteral("cost_vs_best_points")] = num(g.costVsBest());
    j[QStringLiteral("cost_vs_zero_points")] = num(g.costVsZero());
    j[QStringLiteral("majority_baseline")] = majorityBaselineJson(g.baseline);
    j[QStringLiteral("warnings")] = QJsonArray::fromStringList(g.warnings);
    if (const GridCell *w = g.winner()) {
        j[QStringLiteral("best_l1")] = w->l1;
        j[QStringLiteral("best_l2")] = w->l2;
        j[QStringLiteral("best_score")] = num(w->score);
    }
    j[QStringLiteral("probe_options")] = toJson(r.probe);
    return j;
}

QJsonObject toJson(const MinimalSubsetReport &r)
{
    const MinimalSubsetResult &m = r.result;
    QJsonObject j;
    j[QStringLiteral("ranker")] = rankerJson(r.ranker);
    j[QStringLiteral("size")] = m.size;
    j[QStringLiteral("fraction")] = num(double(m.size) / r.layout.columns());
    j[QStringLiteral("neurons")] = flatArray(r.layout, m.neurons);
    j[QStringLiteral("all_neurons")] = m.allNeurons;
    j[QStringLiteral("dev_accuracy")] = num(m.dev);
    j[QStringLiteral("test_accuracy")] = num(m.test);
    j[QStringLiteral("oracle_dev_accuracy")] = num(m.oracleDev);
    j[QStringLiteral("oracle_test_accuracy")] = num(m.oracleTest);
    j[QStringLiteral("target")] = num(m.target);
    j[QStringLiteral("delta_percent")] = r.options.deltaPercent;
    j[QStringLiteral("search_stride")] = r.options.searchStride;
    j[QStringLiteral("preset")] = r.preset;
    j[QStringLiteral("fractions")] = numArray(r.options.fractions);
    j[QStringLiteral("selection_split")] = r.split;
    j[QStringLiteral("notes")] = QJsonArray::fromStringList(m.notes);
    QJsonArray curve;
    for (const SubsetPoint &p : m.curve) {
        QJsonObject o;
        o[QStringLiteral("size")] = p.size;
        o[QStringLiteral("dev_accuracy")] = num(p.dev);
        o[QStringLiteral("test_accuracy")] = num(p.test);
        o[QStringLiteral("dev_macro_f1")] = num(p.devF1);
        o[QStringLiteral("test_macro_f1")] = num(p.testF1);
        curve.append(o);
    }
    j[QStringLiteral("curve")] = curve;
    j[QStringLiteral("seeds")] = r.options.seeds;
    j[QStringLiteral("sizes_per_seed")] = intArray(m.seedSizes);
    j[QStringLiteral("size_seeds")] = seedSummaryJson(m.sizeSummary());
    j[QStringLiteral("oracle_dev_accuracy_per_seed")] = numArray(m.seedOracleDev);
    j[QStringLiteral("oracle_dev_accuracy_seeds")] =
        seedSummaryJson(summarizeSeeds(m.seedOracleDev));
    j[QStringLiteral("oracle_test_accuracy_per_seed")] = numArray(m.seedOracleTest);
    j[QStringLiteral("majority_baseline")] = baselinesJson(m.baselineSelection, m.baselineTest);
    QJsonObject perLayer;
    for (size_t k = 0; k < r.layers.layerIds.size(); ++k)
        perLayer[QString::number(r.layers.layerIds[k])] = r.layers.counts[k];
    j[QStringLiteral("layer_counts")] = perLayer;
    j[QStringLiteral("mean_layer")] = num(r.layers.meanLayer);
    j[QStringLiteral("ordering")] = flatArray(r.layout, m.ordering);
    j[QStringLiteral("layout")] = toJson(r.layout);
    j[QStringLiteral("probe_options")] = toJson(r.probe);
    return j;
}

QJsonObject toJson(const AblationReport &r)
{
    const AblationResult &a = r.result;
    QJsonObject j;
    j[QStringLiteral("ranker")] = rankerJson(r.ranker);
    j[QStringLiteral("mode")] = r.mode;
    j[QStringLiteral("sizes")] = intArray(a.sizes);
    j[QStringLiteral("requested_sizes")] = numArray(r.options.sizes);
    j[QStringLiteral("neurons")] = r.layout.columns();
    j[QStringLiteral("seeds")] = r.options.seeds;
    j[QStringLiteral("search_stride")] = r.options.searchStride;
    j[QStringLiteral("oracle_accuracy")] = num(a.oracleSelection);
    j[QStringLiteral("oracle_test_accuracy")] = num(a.oracleTest);
    j[QStringLiteral("split")] = r.split;
    QJsonObject curves;
    for (const AblationCurve *c : {&a.masking, &a.retraining})
        if (!c->top.empty())
            curves[c->mode] = curveJson(*c);
    j[QStringLiteral("curves")] = curves;
    j[QStringLiteral("ordering")] = flatArray(r.layout, a.ordering);
    QJsonArray orderings;
    for (const NeuronList &o : a.orderings)
        orderings.append(flatArray(r.layout, o));
    j[QStringLiteral("orderings_per_seed")] = orderings;
    if (const std::optional<RankingStability> st = ablationStability(r))
        j[QStringLiteral("stability")] = stabilityJson(*st, r.layout);
    j[QStringLiteral("majority_baseline")] = baselinesJson(a.baselineSelection, a.baselineTest);
    j[QStringLiteral("layout")] = toJson(r.layout);
    j[QStringLiteral("probe_options")] = toJson(r.probe);
    return j;
}

QJsonObject toJson(const SelectivityReport &r)
{
    const SelectivityResult &s = r.result;
    QJsonObject j;
    QJsonArray entries;
    for (const SelectivityEntry &e : s.sets) {
        QJsonObject o;
        o[QStringLiteral("set")] = e.name;
        o[QStringLiteral("neurons")] = e.neurons;
        o[QStringLiteral("task_accuracy")] = num(e.taskAccuracy);
        o[QStringLiteral("control_accuracy")] = num(e.controlAccuracy);
        o[QStringLiteral("selectivity")] = num(e.selectivity);
        o[QStringLiteral("task_macro_f1")] = num(e.taskMacroF1);
        o[QStringLiteral("control_macro_f1")] = num(e.controlMacroF1);
        o[QStringLiteral("task_accuracy_seeds")] = seedSummaryJson(e.taskSeeds);
        o[QStringLiteral("control_accuracy_seeds")] = seedSummaryJson(e.controlSeeds);
        o[QStringLiteral("selectivity_seeds")] = seedSummaryJson(e.selectivitySeeds);
        entries.append(o);
    }
    if (!s.sets.empty()) {
        const SelectivityEntry &all = s.sets.front();
        j[QStringLiteral("task_accuracy")] = num(all.taskAccuracy);
        j[QStringLiteral("control_accuracy")] = num(all.controlAccuracy);
        j[QStringLiteral("selectivity")] = num(all.selectivity);
        j[QStringLiteral("selectivity_seeds")] = seedSummaryJson(all.selectivitySeeds);
    }
    j[QStringLiteral("seeds")] = s.seeds;
    j[QStringLiteral("majority_baseline")] = majorityBaselineJson(s.splitBaseline);
    j[QStringLiteral("test_majority_baseline")] = majorityBaselineJson(s.testBaseline);
    j[QStringLiteral("control_majority_baseline")] = majorityBaselineJson(s.controlBaseline);
    j[QStringLiteral("control_majority_baseline_seeds")] = seedSummaryJson(s.controlBaselineSeeds);
    j[QStringLiteral("sets")] = entries;
    j[QStringLiteral("split")] = s.split;
    j[QStringLiteral("control_seed")] = seedText(s.seed);
    j[QStringLiteral("probe_seed")] = seedText(s.probeSeed);
    j[QStringLiteral("control_classes")] = s.controlClasses;
    j[QStringLiteral("control_types")] = double(s.controlTypes);
    j[QStringLiteral("case_sensitive")] = r.caseSensitive;
    j[QStringLiteral("sample_from")] = r.sampleFrom;
    j[QStringLiteral("probe_options")] = toJson(r.probe);
    return j;
}

QJsonObject toJson(const LayerwiseReport &r)
{
    const LayerwiseResult &l = r.result;
    QJsonObject j;
    auto scores = [](const std::vector<LayerScore> &v) {
        QJsonArray a;
        for (const LayerScore &s : v) {
            QJsonObject o;
            o[QStringLiteral("layer")] = s.layer;
            o[QStringLiteral("dev_accuracy")] = num(s.dev);
            o[QStringLiteral("test_accuracy")] = num(s.test);
            o[QStringLiteral("dev_macro_f1")] = num(s.devMacroF1);
            o[QStringLiteral("test_macro_f1")] = num(s.testMacroF1);
            o[QStringLiteral("dev_accuracy_seeds")] = seedSummaryJson(s.devSeeds);
            o[QStringLiteral("test_accuracy_seeds")] = seedSummaryJson(s.testSeeds);
            a.append(o);
        }
        return a;
    };
    j[QStringLiteral("independent")] = scores(l.independent);
    j[QStringLiteral("incremental")] = scores(l.incremental);
    j[QStringLiteral("full_dev_accuracy")] = num(l.fullDev);
    j[QStringLiteral("threshold")] = num(l.threshold);
    j[QStringLiteral("delta_percent")] = r.options.deltaPercent;
    j[QStringLiteral("seeds")] = r.options.seeds;
    j[QStringLiteral("majority_baseline")] = majorityBaselineJson(l.selectionBaseline);
    j[QStringLiteral("test_majority_baseline")] = majorityBaselineJson(l.testBaseline);
    j[QStringLiteral("independent_probes")] = r.options.independent;
    j[QStringLiteral("selected_index")] = l.selectedIndex;
    j[QStringLiteral("selected_layer")] = l.selectedLayer;
    j[QStringLiteral("best_independent_index")] = l.bestIndependent;
    j[QStringLiteral("best_independent_layer")] =
        l.bestIndependent >= 0 && size_t(l.bestIndependent) < l.independent.size()
            ? l.independent[size_t(l.bestIndependent)].layer
            : -1;
    j[QStringLiteral("split")] = r.split;
    j[QStringLiteral("probe_options")] = toJson(r.probe);
    return j;
}

QJsonObject toJson(const CompareReport &r)
{
    const bool sessions = r.mode == QLatin1String("sessions");
    QJsonObject j;
    QJsonArray models;
    for (const CompareModel &m : r.models) {
        QJsonObject o;
        o[QStringLiteral("name")] = m.name;
        if (sessions)
            o[QStringLiteral("source")] = m.source;
        o[QStringLiteral("neurons")] = m.neurons();
        o[QStringLiteral("layout")] = toJson(m.layout);
        o[QStringLiteral("labels")] = QJsonArray::fromStringList(m.labels);
        o[QStringLiteral("accuracy")] = num(m.accuracy);
        o[QStringLiteral("accuracy_split")] = m.accuracySplit;
        o[QStringLiteral("test_accuracy")] = num(m.testAccuracy);
        o[QStringLiteral("layer_distribution")] = distributionJson(m.layers);
        if (sessions) {
            if (m.ablation)
                o[QStringLiteral("ablation")] = toJson(*m.ablation);
            if (m.minimalSubset)
                o[QStringLiteral("minimal_subset")] = toJson(*m.minimalSubset);
        } else {
            QJsonObject curve = curveJson(m.curve);
            curve[QStringLiteral("sizes")] = intArray(m.sizes);
            o[QStringLiteral("curve")] = curve;
        }
        o[QStringLiteral("ordering")] = flatArray(m.layout, m.ordering);
        o[QStringLiteral("top_neurons")] = flatArray(m.layout, m.topNeurons);
        models.append(o);
    }
    j[QStringLiteral("mode")] = r.mode;
    j[QStringLiteral("models")] = models;
    j[QStringLiteral("same_layout")] = r.sameLayout;
    j[QStringLiteral("same_labels")] = r.sameLabels;
    j[QStringLiteral("warning")] = r.warning;
    j[QStringLiteral("mean_layer_shift")] = num(r.meanLayerShift);
    if (r.sameLayout) {
        QJsonArray ov;
        for (const TopKOverlap &o : r.overlap) {
            QJsonObject e;
            e[QStringLiteral("k")] = o.k;
            e[QStringLiteral("k_a")] = o.kA;
            e[QStringLiteral("k_b")] = o.kB;
            e[QStringLiteral("intersection")] = double(o.intersection);
            e[QStringLiteral("fraction")] = num(o.fraction);
            e[QStringLiteral("jaccard")] = num(o.jaccard);
            ov.append(e);
        }
        j[QStringLiteral("overlap")] = ov;
    }
    j[QStringLiteral("top_fraction")] = r.topFraction;
    j[QStringLiteral("top_k")] = r.topK;
    j[QStringLiteral("seeds")] = r.seeds;
    j[QStringLiteral("probe_options")] = toJson(r.probe);
    return j;
}

QJsonObject toJson(const AnalysisResult &r)
{
    return std::visit(
        [](const auto &x) -> QJsonObject {
            if constexpr (std::is_same_v<std::decay_t<decltype(x)>, JsonReport>)
                return x.json;
            else
                return toJson(x);
        },
        r);
}

std::vector<std::pair<QString, QByteArray>> csvTables(const AnalysisResult &r)
{
    return std::visit([](const auto &x) { return csvOf(x); }, r);
}

std::map<QString, RowMatrixF> resultArrays(const AnalysisResult &r)
{
    std::map<QString, RowMatrixF> out;
    if (const ProbeReport *p = std::get_if<ProbeReport>(&r)) {
        out[QStringLiteral("probe/W")] = p->probe.W;
        out[QStringLiteral("probe/b")] = RowMatrixF(p->probe.b.transpose());
        if (p->probe.mean.size() > 0) {
            out[QStringLiteral("probe/mean")] = RowMatrixF(p->probe.mean.transpose());
            out[QStringLiteral("probe/scale")] = RowMatrixF(p->probe.scale.transpose());
        }
    }
    return out;
}

} // namespace salient
