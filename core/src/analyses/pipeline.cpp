#include "salient/analyses/pipeline.h"

#include "salient/analyses/analyses.h"
#include "salient/analyses/clustering.h"
#include "salient/analyses/corpusanalysis.h"
#include "salient/analyses/selectivity.h"
#include "salient/probe/metrics.h"
#include "salient/probe/rankers.h"
#include "salient/probe/ranking.h"
#include "salient/util/error.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <cmath>

namespace salient {

namespace {

QJsonValue num(double v)
{
    return std::isfinite(v) ? QJsonValue(v) : QJsonValue(QJsonValue::Null);
}

const Dataset &trainOf(const AnalysisContext &ctx)
{
    if (!ctx.task || !ctx.task->train)
        throw Error(QStringLiteral("analysis: no training data loaded"));
    return *ctx.task->train;
}

/// Dataset columns → the file's flat neuron indices.
QJsonArray flatArray(const Dataset &ds, const NeuronList &columns)
{
    QJsonArray a;
    for (int c : columns)
        a.append(flatNeuron(ds, c));
    return a;
}

QJsonObject evaluationJson(const Evaluation &e, const QStringList &labels, bool regression)
{
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
    return o;
}

/// Flat neuron indices from JSON → dataset columns; throws naming the option for bad entries.
NeuronList columnsFromJson(const Dataset &ds, const QJsonArray &flat, const QString &what)
{
    NeuronList cols;
    for (const QJsonValue v : flat) {
        const int c = columnOfFlat(ds, v.toInt(-1));
        if (!v.isDouble() || c < 0)
            throw Error(
                QStringLiteral("%1: neuron %2 is not among the loaded neurons (layers × dims = %3)")
                    .arg(what, QString::number(v.toDouble()))
                    .arg(ds.neurons()));
        cols.push_back(c);
    }
    return cols;
}

ExperimentData experimentData(const AnalysisContext &ctx)
{
    ExperimentData d;
    d.train = &trainOf(ctx);
    d.dev = ctx.task->dev ? &*ctx.task->dev : nullptr;
    d.test = ctx.task->test ? &*ctx.task->test : nullptr;
    d.labels = ctx.task->vocab.names;
    d.probe = ctx.probe;
    d.validate();
    return d;
}

quint64 seedOption(const QJsonObject &o, const char *key, quint64 fallback)
{
    const QJsonValue v = o.value(QLatin1String(key));
    if (v.isString())
        return v.toString().toULongLong();
    return v.isDouble() ? quint64(v.toDouble()) : fallback;
}

AnalysisOutput runSelectivity(const QJsonObject &options, AnalysisContext &ctx)
{
    const ExperimentData data = experimentData(ctx);
    SelectivityOptions so;
    so.control.caseSensitive = options.value(QStringLiteral("case_sensitive")).toBool(true)
                               && !options.value(QStringLiteral("case_insensitive")).toBool(false);
    const QString sample =
        options.value(QStringLiteral("sample_from")).toString(QStringLiteral("same"));
    if (sample != QLatin1String("same") && sample != QLatin1String("uniform"))
        throw Error(
            QStringLiteral("selectivity: sample_from '%1' (expected same or uniform)").arg(sample));
    so.control.sampleFrom =
        sample == QLatin1String("uniform") ? ControlSampling::Uniform : ControlSampling::Same;
    so.control.seed = seedOption(options, "seed", ctx.probe.seed);
    const QString split = options.value(QStringLiteral("split")).toString(QStringLiteral("auto"));
    if (split == QLatin1String("train"))
        so.split = SelectivitySplit::Train;
    else if (split == QLatin1String("dev"))
        so.split = SelectivitySplit::Dev;
    else if (split == QLatin1String("test"))
        so.split = SelectivitySplit::Test;
    else if (split != QLatin1String("auto"))
        throw Error(QStringLiteral("selectivity: split '%1' (expected auto, dev, test or train)")
                        .arg(split));
    std::vector<NamedNeuronSet> sets{{QStringLiteral("all"), {}}};
    if (options.contains(QStringLiteral("neurons")))
        sets.push_back(
            {QStringLiteral("given"),
             columnsFromJson(*data.train, options.value(QStringLiteral("neurons")).toArray(),
                             QStringLiteral("selectivity.neurons"))});
    // The minimal subset of the same session, when it was computed (the paper's comparison).
    if (ctx.session && ctx.session->results.contains(QStringLiteral("minimal-subset")))
        sets.push_back({QStringLiteral("minimal"),
                        columnsFromJson(*data.train,
                                        ctx.session->results.value(QStringLiteral("minimal-subset"))
                                            .toObject()
                                            .value(QStringLiteral("neurons"))
                                            .toArray(),
                                        QStringLiteral("minimal-subset.neurons"))});
    const SelectivityResult r = computeSelectivity(data, sets, so, ctx.progress);
    AnalysisOutput out;
    out.status = r.status;
    if (r.status != Status::Ok)
        return out;
    QJsonArray entries;
    QByteArray csv =
        csvLine({QStringLiteral("set"), QStringLiteral("neurons"), QStringLiteral("task_accuracy"),
                 QStringLiteral("control_accuracy"), QStringLiteral("selectivity")});
    for (const SelectivityEntry &e : r.sets) {
        QJsonObject o;
        o[QStringLiteral("set")] = e.name;
        o[QStringLiteral("neurons")] = e.neurons;
        o[QStringLiteral("task_accuracy")] = num(e.taskAccuracy);
        o[QStringLiteral("control_accuracy")] = num(e.controlAccuracy);
        o[QStringLiteral("selectivity")] = num(e.selectivity);
        entries.append(o);
        csv += csvLine(
            {e.name, QString::number(e.neurons), QString::number(e.taskAccuracy, 'g', 10),
             QString::number(e.controlAccuracy, 'g', 10), QString::number(e.selectivity, 'g', 10)});
    }
    const SelectivityEntry &all = r.sets.front();
    QJsonObject &j = out.json;
    j[QStringLiteral("task_accuracy")] = num(all.taskAccuracy);
    j[QStringLiteral("control_accuracy")] = num(all.controlAccuracy);
    j[QStringLiteral("selectivity")] = num(all.selectivity);
    j[QStringLiteral("sets")] = entries;
    j[QStringLiteral("split")] = r.split;
    j[QStringLiteral("control_seed")] = QString::number(r.seed);
    j[QStringLiteral("control_classes")] = r.controlClasses;
    j[QStringLiteral("control_types")] = double(r.controlTypes);
    j[QStringLiteral("case_sensitive")] = so.control.caseSensitive;
    j[QStringLiteral("sample_from")] = sample;
    out.csv.emplace_back(QStringLiteral("csv"), csv);
    return out;
}

AnalysisOutput runNeuron(const QJsonObject &options, AnalysisContext &ctx)
{
    const Dataset &train = trainOf(ctx);
    if (!options.contains(QStringLiteral("neuron")))
        throw Error(
            QStringLiteral("neuron: option 'neuron' (flat index layer·dims + d) is required"));
    const QString splitName =
        options.value(QStringLiteral("split")).toString(QStringLiteral("train"));
    const Dataset *ds = splitName == QLatin1String("train")                    ? &train
                        : splitName == QLatin1String("dev") && ctx.task->dev   ? &*ctx.task->dev
                        : splitName == QLatin1String("test") && ctx.task->test ? &*ctx.task->test
                                                                               : nullptr;
    if (!ds)
        throw Error(QStringLiteral("neuron: split '%1' is not loaded").arg(splitName));
    const int flat = options.value(QStringLiteral("neuron")).toInt(-1);
    const int column = columnOfFlat(*ds, flat);
    if (column < 0)
        throw Error(
            QStringLiteral("neuron: %1 is not among the loaded neurons (layers %2 × %3 dims)")
                .arg(flat)
                .arg(ds->layers)
                .arg(ds->dims));
    NeuronProfileOptions po;
    po.words.threshold = options.value(QStringLiteral("threshold")).toDouble(po.words.threshold);
    po.words.maxWords = options.value(QStringLiteral("top_words")).toInt(20);
    po.sentences.count = options.value(QStringLiteral("sentences")).toInt(po.sentences.count);
    if (options.value(QStringLiteral("sentence_score")).toString() == QLatin1String("max_abs"))
        po.sentences.score = SentenceScore::MaxAbs;
    const NeuronProfile p =
        neuronProfile(*ds, column, ctx.probe.regression ? nullptr : &ctx.task->vocab, po);
    AnalysisOutput out;
    QJsonObject &j = out.json;
    j[QStringLiteral("neuron")] = flat;
    j[QStringLiteral("layer")] = flat / ds->dims;
    j[QStringLiteral("index_in_layer")] = flat % ds->dims;
    j[QStringLiteral("split")] = splitName;
    j[QStringLiteral("tokens")] = double(p.rows);
    j[QStringLiteral("mean")] = num(p.mean);
    j[QStringLiteral("std")] = num(p.stddev);
    j[QStringLiteral("min")] = num(p.min);
    j[QStringLiteral("max")] = num(p.max);
    QJsonArray words;
    QByteArray wcsv =
        csvLine({QStringLiteral("word"), QStringLiteral("score"), QStringLiteral("mean_abs_z"),
                 QStringLiteral("mean_activation"), QStringLiteral("count")});
    for (const TopWord &w : p.topWords) {
        QJsonObject o;
        o[QStringLiteral("word")] = w.word;
        o[QStringLiteral("score")] = num(w.score);
        o[QStringLiteral("mean_activation")] = num(w.meanActivation);
        o[QStringLiteral("count")] = double(w.count);
        words.append(o);
        wcsv +=
            csvLine({w.word, QString::number(w.score, 'g', 8), QString::number(w.meanAbsZ, 'g', 8),
                     QString::number(w.meanActivation, 'g', 8), QString::number(w.count)});
    }
    j[QStringLiteral("top_words")] = words;
    QJsonArray labels;
    for (const LabelActivation &l : p.labels) {
        QJsonObject o;
        o[QStringLiteral("label")] = l.name;
        o[QStringLiteral("count")] = double(l.count);
        o[QStringLiteral("mean")] = num(l.mean);
        o[QStringLiteral("std")] = num(l.stddev);
        labels.append(o);
    }
    j[QStringLiteral("per_label")] = labels;
    QJsonArray sentences;
    for (const SentenceActivation &s : p.sentences) {
        QJsonObject o;
        o[QStringLiteral("sentence")] = double(s.sentence);
        o[QStringLiteral("score")] = num(s.score);
        o[QStringLiteral("tokens")] = QJsonArray::fromStringList(s.tokens);
        QJsonArray acts;
        for (float a : s.activations)
            acts.append(num(a));
        o[QStringLiteral("activations")] = acts;
        sentences.append(o);
    }
    j[QStringLiteral("top_sentences")] = sentences;
    out.csv.emplace_back(QStringLiteral("top_words.csv"), wcsv);
    return out;
}

AnalysisOutput runClusters(const QJsonObject &options, AnalysisContext &ctx)
{
    const Dataset &train = trainOf(ctx);
    ClusteringOptions co;
    co.threshold = options.value(QStringLiteral("threshold")).toDouble(co.threshold);
    co.absoluteCorrelation = !options.value(QStringLiteral("signed")).toBool(false);
    co.memoryBudgetBytes =
        options.value(QStringLiteral("budget_mb")).toDouble(co.memoryBudgetBytes / 1e6) * 1e6;
    // Correlations over at most `rows` tokens (default all): the cost is rows × neurons².
    const Index maxRows = Index(options.value(QStringLiteral("rows")).toDouble(0));
    std::vector<Index> rows;
    if (maxRows > 0 && maxRows < train.rows())
        for (Index r = 0; r < maxRows; ++r)
            rows.push_back(r);
    const quint64 seed = seedOption(options, "seed", ctx.probe.seed);
    const IndependentNeurons ind = independentNeurons(train.denseX("correlation clustering"), co,
                                                      seed, {}, rows, ctx.progress);
    AnalysisOutput out;
    out.status = ind.status;
    if (ind.status != Status::Ok)
        return out;
    const ClusteringResult &c = ind.clustering;
    QJsonObject &j = out.json;
    j[QStringLiteral("threshold")] = co.threshold;
    j[QStringLiteral("absolute_correlation")] = co.absoluteCorrelation;
    j[QStringLiteral("linkage")] = QStringLiteral("average");
    j[QStringLiteral("neurons")] = train.neurons();
    j[QStringLiteral("rows_used")] = double(rows.empty() ? train.rows() : Index(rows.size()));
    j[QStringLiteral("cluster_count")] = c.clusterCount;
    j[QStringLiteral("memory_bytes")] = c.memoryBytes;
    j[QStringLiteral("seed")] = QString::number(seed);
    QJsonArray labels;
    QByteArray csv = csvLine({QStringLiteral("neuron"), QStringLiteral("layer"),
                              QStringLiteral("cluster"), QStringLiteral("representative")});
    std::vector<char> isRep(size_t(train.neurons()), 0);
    for (int r : ind.columns)
        isRep[size_t(r)] = 1;
    for (size_t i = 0; i < c.columns.size(); ++i) {
        const int flat = flatNeuron(train, c.columns[i]);
        labels.append(c.labels[i]);
        csv += csvLine({QString::number(flat), QString::number(flat / train.dims),
                        QString::number(c.labels[i]),
                        isRep[size_t(c.columns[i])] ? QStringLiteral("1") : QStringLiteral("0")});
    }
    j[QStringLiteral("labels")] = labels; // cluster (1..K) of each neuron, in neuron order
    j[QStringLiteral("representatives")] = flatArray(train, ind.columns);
    j[QStringLiteral("constant_neurons")] = flatArray(train, c.degenerateColumns);
    std::vector<int> sizes(size_t(c.clusterCount), 0);
    for (int l : c.labels)
        ++sizes[size_t(l - 1)];
    int largest = 0;
    for (int sz : sizes)
        largest = std::max(largest, sz);
    j[QStringLiteral("largest_cluster")] = largest;
    out.csv.emplace_back(QStringLiteral("csv"), csv);
    return out;
}

std::vector<double> doubleList(const QJsonObject &o, const char *key,
                               const std::vector<double> &fallback)
{
    const QJsonValue v = o.value(QLatin1String(key));
    if (v.isUndefined() || v.isNull())
        return fallback;
    if (!v.isArray())
        throw Error(
            QStringLiteral("option '%1' must be a list of numbers").arg(QLatin1String(key)));
    std::vector<double> out;
    for (const QJsonValue x : v.toArray()) {
        if (!x.isDouble())
            throw Error(
                QStringLiteral("option '%1' must be a list of numbers").arg(QLatin1String(key)));
        out.push_back(x.toDouble());
    }
    return out;
}

QJsonArray numArray(const std::vector<double> &v)
{
    QJsonArray a;
    for (double x : v)
        a.append(num(x));
    return a;
}

/// The neuron ranking an analysis uses (dataset columns, most salient first), from option
/// "ranker": "probe" (default: empty = the oracle's weight-mass ordering, Algorithm 3),
/// "probeless" (class-mean differences), "average_precision" (NeuroX 'IoU'; needs
/// "positive_label"), "gaussian" (greedy mutual-information selection of "gaussian_k" neurons,
/// default min(neurons, 50); at most 1,000 neurons).
NeuronList rankerOrdering(const QJsonObject &options, const AnalysisContext &ctx, QJsonObject &info)
{
    const QString ranker =
        options.value(QStringLiteral("ranker")).toString(QStringLiteral("probe"));
    info[QStringLiteral("ranker")] = ranker;
    const Dataset &train = trainOf(ctx);
    if (ranker == QLatin1String("probe"))
        return {};
    if (ranker == QLatin1String("probeless"))
        return probelessRanking(train.denseX("the probeless ranking"), train.y,
                                ctx.task->vocab.size())
            .overall;
    if (ranker == QLatin1String("average_precision")) {
        const QString label = options.value(QStringLiteral("positive_label")).toString();
        const int c = ctx.task->vocab.indexOf(label);
        if (c < 0)
            throw Error(
                QStringLiteral("ranker average_precision: positive_label '%1' is not a train label")
                    .arg(label));
        info[QStringLiteral("positive_label")] = label;
        const AveragePrecisionRanking r =
            averagePrecisionRanking(train.denseX("the AP ranking"), train.y, c);
        if (r.status != Status::Ok)
            throw Error(QStringLiteral("ranker average_precision was cancelled"));
        return r.order;
    }
    if (ranker == QLatin1String("gaussian")) {
        if (train.neurons() > 1000)
            throw Error(
                QStringLiteral(
                    "ranker gaussian: %1 neurons; the Gaussian probe needs D² memory per class "
                    "and is meant for at most ~400 (select layers with --layers)")
                    .arg(train.neurons()));
        const int k =
            options.value(QStringLiteral("gaussian_k")).toInt(std::min(train.neurons(), 50));
        const GaussianRanking g = gaussianRanking(experimentData(ctx), k);
        if (g.selection.status != Status::Ok)
            throw Error(QStringLiteral("ranker gaussian was cancelled"));
        info[QStringLiteral("gaussian_k")] = k;
        info[QStringLiteral("warnings")] = QJsonArray::fromStringList(g.warnings);
        return g.selection.order;
    }
    throw Error(
        QStringLiteral(
            "unknown ranker '%1' (expected probe, probeless, average_precision or gaussian)")
            .arg(ranker));
}

AnalysisOutput runGridSearch(const QJsonObject &options, AnalysisContext &ctx)
{
    const ExperimentData data = experimentData(ctx);
    GridSearchOptions go;
    go.l1Values = doubleList(options, "l1_values", go.l1Values);
    go.l2Values = doubleList(options, "l2_values", go.l2Values);
    go.keepFraction = options.value(QStringLiteral("keep_fraction")).toDouble(go.keepFraction);
    go.alpha = options.value(QStringLiteral("alpha")).toDouble(go.alpha);
    go.beta = options.value(QStringLiteral("beta")).toDouble(go.beta);
    if (options.contains(QStringLiteral("score")))
        go.score = gridScoreFromName(options.value(QStringLiteral("score")).toString());
    go.searchStride = options.value(QStringLiteral("search_stride")).toInt(go.searchStride);
    go.randomSeed = seedOption(options, "random_seed", 0);
    const GridSearchResult r = gridSearch(data, go, ctx.progress);
    AnalysisOutput out;
    out.status = r.status;
    if (r.status != Status::Ok)
        return out;
    QJsonObject &j = out.json;
    j[QStringLiteral("l1_values")] = numArray(go.l1Values);
    j[QStringLiteral("l2_values")] = numArray(go.l2Values);
    j[QStringLiteral("keep_fraction")] = go.keepFraction;
    j[QStringLiteral("kept_neurons")] = r.kept;
    j[QStringLiteral("alpha")] = r.alpha;
    j[QStringLiteral("beta")] = r.beta;
    j[QStringLiteral("score")] = gridScoreName(r.score);
    j[QStringLiteral("formula")] = r.formula;
    j[QStringLiteral("split")] = data.dev ? QStringLiteral("dev") : QStringLiteral("train");
    QJsonArray cells;
    QByteArray csv =
        csvLine({QStringLiteral("l1"), QStringLiteral("l2"), QStringLiteral("full"),
                 QStringLiteral("top"), QStringLiteral("random"), QStringLiteral("bottom"),
                 QStringLiteral("score"), QStringLiteral("test")});
    for (const GridCell &c : r.cells) {
        QJsonObject o;
        o[QStringLiteral("l1")] = c.l1;
        o[QStringLiteral("l2")] = c.l2;
        o[QStringLiteral("full")] = num(c.full);
        o[QStringLiteral("top")] = num(c.top);
        o[QStringLiteral("random")] = num(c.random);
        o[QStringLiteral("bottom")] = num(c.bottom);
        o[QStringLiteral("score")] = num(c.score);
        o[QStringLiteral("test")] = num(c.test);
        cells.append(o);
        csv += csvLine({QString::number(c.l1), QString::number(c.l2),
                        QString::number(c.full, 'g', 10), QString::number(c.top, 'g', 10),
                        QString::number(c.random, 'g', 10), QString::number(c.bottom, 'g', 10),
                        QString::number(c.score, 'g', 10), QString::number(c.test, 'g', 10)});
    }
    j[QStringLiteral("cells")] = cells;
    j[QStringLiteral("best")] = r.best;
    if (const GridCell *w = r.winner()) {
        j[QStringLiteral("best_l1")] = w->l1;
        j[QStringLiteral("best_l2")] = w->l2;
        j[QStringLiteral("best_score")] = num(w->score);
        // Algorithm 2 chooses λ for everything after it (option apply_best, default true).
        const bool apply = options.value(QStringLiteral("apply_best")).toBool(true);
        j[QStringLiteral("applied_to_later_analyses")] = apply;
        if (apply) {
            ctx.probe.l1 = w->l1;
            ctx.probe.l2 = w->l2;
        }
    }
    out.csv.emplace_back(QStringLiteral("csv"), csv);
    return out;
}

AnalysisOutput runMinimalSubset(const QJsonObject &options, AnalysisContext &ctx)
{
    const ExperimentData data = experimentData(ctx);
    const Dataset &train = *data.train;
    MinimalSubsetOptions mo;
    mo.deltaPercent = options.value(QStringLiteral("delta")).toDouble(mo.deltaPercent);
    mo.searchStride = options.value(QStringLiteral("search_stride")).toInt(mo.searchStride);
    const QString preset =
        options.value(QStringLiteral("preset")).toString(QStringLiteral("max_features"));
    if (preset != QLatin1String("max_features") && preset != QLatin1String("pipeline_all"))
        throw Error(
            QStringLiteral("minimal-subset: preset '%1' (expected max_features or pipeline_all)")
                .arg(preset));
    mo.preset = preset == QLatin1String("pipeline_all") ? SubsetSizePreset::PipelineAll
                                                        : SubsetSizePreset::MaxFeatures;
    mo.fractions = doubleList(options, "fractions", {});
    QJsonObject rankerInfo;
    mo.ordering = rankerOrdering(options, ctx, rankerInfo);
    // Optional pre-filter (redundancy paper): rank only one representative per correlation
    // cluster (threshold on 1 − |corr|, e.g. 0.3), over at most `prefilter_rows` tokens.
    Probe oracle;
    const double pre = options.value(QStringLiteral("prefilter_threshold")).toDouble(0);
    if (pre > 0) {
        ClusteringOptions co;
        co.threshold = pre;
        const Index maxRows =
            Index(options.value(QStringLiteral("prefilter_rows")).toDouble(20000));
        std::vector<Index> rows;
        for (Index r = 0; r < std::min(maxRows, train.rows()); ++r)
            rows.push_back(r);
        const IndependentNeurons ind = independentNeurons(train.denseX("correlation clustering"),
                                                          co, ctx.probe.seed, {}, rows);
        if (ind.status != Status::Ok) {
            AnalysisOutput out;
            out.status = ind.status;
            return out;
        }
        NeuronList base = mo.ordering;
        if (base.empty()) {
            const TrainResult tr =
                trainProbe(*train.features(), train.y, train.yValue, data.labels, data.probe);
            if (tr.status != Status::Ok) {
                AnalysisOutput out;
                out.status = tr.status;
                return out;
            }
            oracle = tr.probe;
            mo.oracle = &oracle;
            base = fullOrdering(oracle.W.cwiseAbs(), mo.searchStride);
        }
        std::vector<char> keep(size_t(train.neurons()), 0);
        for (int c : ind.columns)
            keep[size_t(c)] = 1;
        mo.ordering.clear();
        for (int c : base)
            if (keep[size_t(c)])
                mo.ordering.push_back(c);
        rankerInfo[QStringLiteral("prefilter_threshold")] = pre;
        rankerInfo[QStringLiteral("prefilter_representatives")] = int(ind.columns.size());
    }
    const MinimalSubsetResult r = minimalSubset(data, mo, ctx.progress);
    AnalysisOutput out;
    out.status = r.status;
    if (r.status != Status::Ok)
        return out;
    QJsonObject &j = out.json;
    j[QStringLiteral("ranking")] = rankerInfo;
    j[QStringLiteral("size")] = r.size;
    j[QStringLiteral("fraction")] = double(r.size) / train.neurons();
    j[QStringLiteral("neurons")] = flatArray(train, r.neurons);
    j[QStringLiteral("all_neurons")] = r.allNeurons;
    j[QStringLiteral("dev_accuracy")] = num(r.dev);
    j[QStringLiteral("test_accuracy")] = num(r.test);
    j[QStringLiteral("oracle_dev_accuracy")] = num(r.oracleDev);
    j[QStringLiteral("oracle_test_accuracy")] = num(r.oracleTest);
    j[QStringLiteral("target")] = num(r.target);
    j[QStringLiteral("delta_percent")] = mo.deltaPercent;
    j[QStringLiteral("search_stride")] = mo.searchStride;
    j[QStringLiteral("preset")] = mo.fractions.empty() ? preset : QStringLiteral("custom");
    j[QStringLiteral("selection_split")] =
        data.dev ? QStringLiteral("dev") : QStringLiteral("train");
    j[QStringLiteral("notes")] = QJsonArray::fromStringList(r.notes);
    QJsonArray curve;
    QByteArray csv = csvLine({QStringLiteral("neurons"), QStringLiteral("dev_accuracy"),
                              QStringLiteral("test_accuracy")});
    for (const SubsetPoint &p : r.curve) {
        QJsonObject o;
        o[QStringLiteral("size")] = p.size;
        o[QStringLiteral("dev_accuracy")] = num(p.dev);
        o[QStringLiteral("test_accuracy")] = num(p.test);
        curve.append(o);
        csv += csvLine({QString::number(p.size), QString::number(p.dev, 'g', 10),
                        QString::number(p.test, 'g', 10)});
    }
    j[QStringLiteral("curve")] = curve;
    const LayerDistribution dist = layerDistribution(train, r.neurons, int(r.neurons.size()));
    QJsonObject perLayer;
    for (size_t k = 0; k < dist.layerIds.size(); ++k)
        perLayer[QString::number(dist.layerIds[k])] = dist.counts[k];
    j[QStringLiteral("layer_counts")] = perLayer;
    j[QStringLiteral("mean_layer")] = num(dist.meanLayer);
    out.csv.emplace_back(QStringLiteral("curve.csv"), csv);
    return out;
}

QJsonObject curveJson(const AblationCurve &c)
{
    QJsonObject o;
    o[QStringLiteral("top")] = numArray(c.top);
    o[QStringLiteral("random")] = numArray(c.randomMean);
    o[QStringLiteral("random_std")] = numArray(c.randomStd);
    o[QStringLiteral("bottom")] = numArray(c.bottom);
    return o;
}

AnalysisOutput runAblation(const QJsonObject &options, AnalysisContext &ctx)
{
    const ExperimentData data = experimentData(ctx);
    AblationOptions ao;
    ao.sizes = doubleList(options, "sizes", ao.sizes);
    ao.seeds = options.value(QStringLiteral("seeds")).toInt(ao.seeds);
    ao.searchStride = options.value(QStringLiteral("search_stride")).toInt(ao.searchStride);
    const QString mode = options.value(QStringLiteral("mode")).toString(QStringLiteral("both"));
    if (mode != QLatin1String("both") && mode != QLatin1String("masking")
        && mode != QLatin1String("retraining"))
        throw Error(
            QStringLiteral("ablation: mode '%1' (expected both, masking or retraining)").arg(mode));
    ao.masking = mode != QLatin1String("retraining");
    ao.retraining = mode != QLatin1String("masking");
    QJsonObject rankerInfo;
    ao.ordering = rankerOrdering(options, ctx, rankerInfo);
    const AblationResult r = ablationCurves(data, ao, ctx.progress);
    AnalysisOutput out;
    out.status = r.status;
    if (r.status != Status::Ok)
        return out;
    QJsonObject &j = out.json;
    j[QStringLiteral("ranking")] = rankerInfo;
    QJsonArray sizes;
    for (int n : r.sizes)
        sizes.append(n);
    j[QStringLiteral("sizes")] = sizes;
    j[QStringLiteral("neurons")] = data.train->neurons();
    j[QStringLiteral("seeds")] = ao.seeds;
    j[QStringLiteral("oracle_accuracy")] = num(r.oracleSelection);
    j[QStringLiteral("oracle_test_accuracy")] = num(r.oracleTest);
    j[QStringLiteral("split")] = data.dev ? QStringLiteral("dev") : QStringLiteral("train");
    QJsonObject curves;
    QByteArray csv = csvLine({QStringLiteral("mode"), QStringLiteral("neurons"),
                              QStringLiteral("top"), QStringLiteral("random_mean"),
                              QStringLiteral("random_std"), QStringLiteral("bottom")});
    for (const AblationCurve *c : {&r.masking, &r.retraining}) {
        if (c->top.empty())
            continue;
        curves[c->mode] = curveJson(*c);
        for (size_t i = 0; i < r.sizes.size(); ++i)
            csv +=
                csvLine({c->mode, QString::number(r.sizes[i]), QString::number(c->top[i], 'g', 10),
                         QString::number(c->randomMean[i], 'g', 10),
                         QString::number(c->randomStd[i], 'g', 10),
                         QString::number(c->bottom[i], 'g', 10)});
    }
    j[QStringLiteral("curves")] = curves;
    out.csv.emplace_back(QStringLiteral("csv"), csv);
    return out;
}

AnalysisOutput runLayerwise(const QJsonObject &options, AnalysisContext &ctx)
{
    const ExperimentData data = experimentData(ctx);
    LayerwiseOptions lo;
    lo.deltaPercent = options.value(QStringLiteral("delta")).toDouble(lo.deltaPercent);
    const LayerwiseResult r = layerwiseProbes(data, lo, ctx.progress);
    AnalysisOutput out;
    out.status = r.status;
    if (r.status != Status::Ok)
        return out;
    QJsonObject &j = out.json;
    auto scores = [](const std::vector<LayerScore> &v) {
        QJsonArray a;
        for (const LayerScore &s : v) {
            QJsonObject o;
            o[QStringLiteral("layer")] = s.layer;
            o[QStringLiteral("dev_accuracy")] = num(s.dev);
            o[QStringLiteral("test_accuracy")] = num(s.test);
            a.append(o);
        }
        return a;
    };
    j[QStringLiteral("independent")] = scores(r.independent);
    j[QStringLiteral("incremental")] = scores(r.incremental);
    j[QStringLiteral("full_dev_accuracy")] = num(r.fullDev);
    j[QStringLiteral("threshold")] = num(r.threshold);
    j[QStringLiteral("delta_percent")] = lo.deltaPercent;
    j[QStringLiteral("selected_layer")] = r.selectedLayer;
    j[QStringLiteral("best_independent_layer")] =
        r.bestIndependent >= 0 ? r.independent[size_t(r.bestIndependent)].layer : -1;
    QByteArray csv = csvLine({QStringLiteral("kind"), QStringLiteral("layer"),
                              QStringLiteral("dev_accuracy"), QStringLiteral("test_accuracy")});
    for (const auto &[kind, v] : {std::pair{QStringLiteral("independent"), &r.independent},
                                  std::pair{QStringLiteral("incremental"), &r.incremental}})
        for (const LayerScore &s : *v)
            csv += csvLine({kind, QString::number(s.layer), QString::number(s.dev, 'g', 10),
                            QString::number(s.test, 'g', 10)});
    out.csv.emplace_back(QStringLiteral("csv"), csv);
    return out;
}

/// Labels of another property for the rows of @p ds (same sentences and words), read from a
/// label file aligned with the same token file. @p vocab is built when empty (train).
VectorI relabelRows(const Dataset &ds, const TextColumns &labels, LabelVocabulary &vocab)
{
    std::vector<QString> rowLabels(size_t(ds.rows()));
    for (Index r = 0; r < ds.rows(); ++r) {
        const Index line = ds.rowSentence[size_t(r)];
        const int word = ds.rowWord[size_t(r)];
        if (line >= Index(labels.lines.size()) || word >= labels.lines[size_t(line)].size())
            throw Error(
                QStringLiteral(
                    "%1:%2: expected at least %3 labels on this line (one per token), found %4")
                    .arg(labels.path)
                    .arg(line + 1)
                    .arg(word + 1)
                    .arg(line < Index(labels.lines.size()) ? labels.lines[size_t(line)].size()
                                                           : 0));
        rowLabels[size_t(r)] = labels.lines[size_t(line)][word];
    }
    if (vocab.names.isEmpty())
        vocab = LabelVocabulary::fromRowLabels(rowLabels);
    const int fallback = vocab.indexOf(vocab.majority());
    VectorI y(ds.rows());
    for (Index r = 0; r < ds.rows(); ++r) {
        const int k = vocab.indexOf(rowLabels[size_t(r)]);
        y[r] = k >= 0 ? k : fallback;
    }
    return y;
}

QJsonObject distributionJson(const LayerDistribution &d)
{
    QJsonObject o;
    for (size_t k = 0; k < d.layerIds.size(); ++k)
        o[QString::number(d.layerIds[k])] = d.counts[k];
    QJsonObject j;
    j[QStringLiteral("counts")] = o;
    j[QStringLiteral("mean_layer")] = num(d.meanLayer);
    j[QStringLiteral("k")] = d.total;
    return j;
}

/// Trains the context's probe on @p y, returns (dev accuracy, full ordering) for one property.
std::pair<double, NeuronList> probeAndOrder(const AnalysisContext &ctx, const Dataset &train,
                                            const VectorI &y, const Dataset *dev,
                                            const VectorI *yDev, const QStringList &labels)
{
    const TrainResult r = trainProbe(*train.features(), y, train.yValue, labels, ctx.probe);
    if (r.status != Status::Ok)
        throw Error(QStringLiteral("probe training failed or was cancelled"));
    const double acc = dev && yDev
                           ? evaluateProbe(r.probe, *dev->features(), *yDev, dev->yValue).accuracy
                           : evaluateProbe(r.probe, *train.features(), y, train.yValue).accuracy;
    return {acc, fullOrdering(r.probe.W.cwiseAbs(), 100)};
}

AnalysisOutput runProperties(const QJsonObject &options, AnalysisContext &ctx)
{
    const Dataset &train = trainOf(ctx);
    const Dataset *dev = ctx.task->dev ? &*ctx.task->dev : nullptr;
    if (ctx.probe.regression)
        throw Error(QStringLiteral("properties: classification only"));
    const double fraction = options.value(QStringLiteral("top_fraction")).toDouble(0.05);
    if (!(fraction > 0 && fraction <= 1))
        throw Error(
            QStringLiteral("properties: top_fraction must be in (0, 1] (got %1)").arg(fraction));
    const int k = std::max(1, int(fraction * train.neurons()));
    struct Prop {
        QString name;
        double accuracy;
        NeuronList order;
    };
    std::vector<Prop> props;
    // The session's own task first.
    {
        const auto [acc, order] =
            probeAndOrder(ctx, train, train.y, dev, dev ? &dev->y : nullptr, ctx.task->vocab.names);
        props.push_back(
            {options.value(QStringLiteral("task_name")).toString(QStringLiteral("task")), acc,
             order});
    }
    QJsonArray list = options.value(QStringLiteral("properties")).toArray();
    if (ctx.session && ctx.session->demo)
        for (const QJsonValue v : options.value(QStringLiteral("demo_properties")).toArray()) {
            QJsonObject o;
            o[QStringLiteral("name")] = v.toString();
            o[QStringLiteral("demo")] = true;
            list.append(o);
        }
    if (list.isEmpty())
        throw Error(QStringLiteral(
            "properties: give at least one other property (name + train [+ dev] label files)"));
    int step = 0;
    for (const QJsonValue v : list) {
        const QJsonObject o = v.toObject();
        const QString name = o.value(QStringLiteral("name")).toString();
        TextColumns trainLabels, devLabels;
        if (o.value(QStringLiteral("demo")).toBool()) {
            DemoOptions d;
            d.seed = ctx.session->demoSeed;
            const DemoDataset demo = makeDemoDataset(d);
            if (name != QLatin1String("pos") && name != QLatin1String("suffix"))
                throw Error(QStringLiteral(
                                "properties: the demo has the properties pos and suffix, not '%1'")
                                .arg(name));
            trainLabels = name == QLatin1String("pos") ? demo.train.pos : demo.train.suffix;
            devLabels = name == QLatin1String("pos") ? demo.dev.pos : demo.dev.suffix;
        } else {
            const QString tl = o.value(QStringLiteral("train")).toString();
            if (name.isEmpty() || tl.isEmpty())
                throw Error(QStringLiteral(
                    "properties: each property needs a name and a train label file"));
            trainLabels = readTextColumns(tl);
            if (dev && o.contains(QStringLiteral("dev")))
                devLabels = readTextColumns(o.value(QStringLiteral("dev")).toString());
        }
        LabelVocabulary vocab;
        const VectorI y = relabelRows(train, trainLabels, vocab);
        if (vocab.size() < 2)
            throw Error(
                QStringLiteral("properties: '%1' has fewer than 2 labels in train").arg(name));
        VectorI yDev;
        const bool haveDev = dev && !devLabels.lines.empty();
        if (haveDev)
            yDev = relabelRows(*dev, devLabels, vocab);
        const auto [acc, order] = probeAndOrder(ctx, train, y, haveDev ? dev : nullptr,
                                                haveDev ? &yDev : nullptr, vocab.names);
        props.push_back({name, acc, order});
        if (ctx.progress && !ctx.progress(double(++step) / double(list.size()), name)) {
            AnalysisOutput out;
            out.status = Status::Cancelled;
            return out;
        }
    }
    AnalysisOutput out;
    QJsonObject &j = out.json;
    j[QStringLiteral("top_k")] = k;
    QJsonArray arr;
    std::vector<NamedNeuronSet> sets;
    for (const Prop &p : props) {
        const NeuronList top(p.order.begin(),
                             p.order.begin() + std::min<size_t>(size_t(k), p.order.size()));
        QJsonObject o;
        o[QStringLiteral("name")] = p.name;
        o[QStringLiteral("accuracy")] = num(p.accuracy);
        o[QStringLiteral("top_neurons")] = flatArray(train, top);
        o[QStringLiteral("layer_distribution")] =
            distributionJson(layerDistribution(train, p.order, k));
        arr.append(o);
        sets.push_back({p.name, top});
    }
    j[QStringLiteral("properties")] = arr;
    j[QStringLiteral("accuracy_split")] = dev ? QStringLiteral("dev") : QStringLiteral("train");
    const OverlapMatrix m = overlapMatrix(sets);
    QJsonArray inter, jac;
    QByteArray csv = csvLine(QStringList{QStringLiteral("property")} + m.names);
    for (Index a = 0; a < m.intersection.rows(); ++a) {
        QJsonArray ri, rj;
        QStringList cells{m.names[a]};
        for (Index b = 0; b < m.intersection.cols(); ++b) {
            ri.append(m.intersection(a, b));
            rj.append(num(m.jaccard(a, b)));
            cells << QString::number(m.intersection(a, b));
        }
        inter.append(ri);
        jac.append(rj);
        csv += csvLine(cells);
    }
    j[QStringLiteral("names")] = QJsonArray::fromStringList(m.names);
    j[QStringLiteral("overlap")] = inter;
    j[QStringLiteral("jaccard")] = jac;
    out.csv.emplace_back(QStringLiteral("overlap.csv"), csv);
    return out;
}

AnalysisOutput runCompare(const QJsonObject &options, AnalysisContext &ctx)
{
    const Dataset &train = trainOf(ctx);
    if (ctx.probe.regression)
        throw Error(QStringLiteral("compare: classification only"));
    if (!ctx.session)
        throw Error(QStringLiteral("compare: needs the session's inputs"));
    // The other model's activations on the same sentences, tokens and labels.
    LoadedTask other;
    if (ctx.session->demo) {
        DemoOptions d;
        d.seed = seedOption(options, "other_demo_seed", ctx.session->demoSeed + 1);
        other =
            loadDemoTask(makeDemoDataset(d), ctx.session->demoProperty, ctx.session->dataOptions);
    } else {
        TaskInputs in = ctx.session->taskInputs();
        const QJsonObject acts = options.value(QStringLiteral("other")).toObject();
        if (!acts.contains(QStringLiteral("train")))
            throw Error(QStringLiteral(
                "compare: option other.train (the second model's train activations) is required"));
        in.train.activations = acts.value(QStringLiteral("train")).toString();
        in.dev.activations =
            in.dev.isSet() ? acts.value(QStringLiteral("dev")).toString() : QString();
        in.test.activations =
            in.test.isSet() ? acts.value(QStringLiteral("test")).toString() : QString();
        if (in.dev.activations.isEmpty())
            in.dev = {};
        if (in.test.activations.isEmpty())
            in.test = {};
        other = loadTask(in);
    }
    const QString nameA = options.value(QStringLiteral("name_a")).toString(QStringLiteral("A"));
    const QString nameB = options.value(QStringLiteral("name_b")).toString(QStringLiteral("B"));
    const double fraction = options.value(QStringLiteral("top_fraction")).toDouble(0.05);
    AblationOptions ao;
    ao.sizes = doubleList(options, "sizes", {0.01, 0.02, 0.05, 0.1, 0.2, 0.5});
    ao.seeds = options.value(QStringLiteral("seeds")).toInt(1);
    ao.masking = false;
    ao.retraining = true;
    AnalysisOutput out;
    QJsonArray models;
    std::vector<NeuronList> orders;
    const std::pair<const LoadedTask *, QString> both[] = {{ctx.task, nameA}, {&other, nameB}};
    int step = 0;
    for (const auto &[t, name] : both) {
        AnalysisContext sub = ctx;
        sub.task = t;
        sub.progress = {};
        const ExperimentData data = experimentData(sub);
        const AblationResult r = ablationCurves(data, ao);
        if (r.status != Status::Ok) {
            out.status = r.status;
            return out;
        }
        const int k = std::max(1, int(fraction * t->train->neurons()));
        QJsonObject m;
        m[QStringLiteral("name")] = name;
        m[QStringLiteral("neurons")] = t->train->neurons();
        m[QStringLiteral("accuracy")] = num(r.oracleSelection);
        m[QStringLiteral("test_accuracy")] = num(r.oracleTest);
        m[QStringLiteral("layer_distribution")] =
            distributionJson(layerDistribution(*t->train, r.ordering, k));
        QJsonArray sizes;
        for (int n : r.sizes)
            sizes.append(n);
        QJsonObject curve = curveJson(r.retraining);
        curve[QStringLiteral("sizes")] = sizes;
        m[QStringLiteral("curve")] = curve;
        m[QStringLiteral("top_neurons")] =
            flatArray(*t->train, NeuronList(r.ordering.begin(), r.ordering.begin() + k));
        models.append(m);
        orders.push_back(r.ordering);
        if (ctx.progress && !ctx.progress(double(++step) / 2.0, name)) {
            out.status = Status::Cancelled;
            return out;
        }
    }
    QJsonObject &j = out.json;
    j[QStringLiteral("models")] = models;
    const bool sameLayout =
        other.train->neurons() == train.neurons() && other.train->layerIds == train.layerIds;
    j[QStringLiteral("same_layout")] = sameLayout;
    const double meanA = models[0]
                             .toObject()[QStringLiteral("layer_distribution")]
                             .toObject()[QStringLiteral("mean_layer")]
                             .toDouble();
    const double meanB = models[1]
                             .toObject()[QStringLiteral("layer_distribution")]
                             .toObject()[QStringLiteral("mean_layer")]
                             .toDouble();
    j[QStringLiteral("mean_layer_shift")] = num(meanB - meanA);
    if (sameLayout) {
        std::vector<int> ks;
        for (double f : doubleList(options, "overlap_fractions", {0.01, 0.05, 0.1, 0.2}))
            ks.push_back(std::max(1, int(f * train.neurons())));
        QJsonArray ov;
        QByteArray csv = csvLine({QStringLiteral("k"), QStringLiteral("intersection"),
                                  QStringLiteral("fraction"), QStringLiteral("jaccard")});
        for (const TopKOverlap &o : topKOverlap(orders[0], orders[1], ks)) {
            QJsonObject e;
            e[QStringLiteral("k")] = o.k;
            e[QStringLiteral("intersection")] = double(o.intersection);
            e[QStringLiteral("fraction")] = num(o.fraction);
            e[QStringLiteral("jaccard")] = num(o.jaccard);
            ov.append(e);
            csv += csvLine({QString::number(o.k), QString::number(o.intersection),
                            QString::number(o.fraction, 'g', 10),
                            QString::number(o.jaccard, 'g', 10)});
        }
        j[QStringLiteral("overlap")] = ov;
        out.csv.emplace_back(QStringLiteral("overlap.csv"), csv);
    }
    return out;
}

AnalysisOutput runProbe(const QJsonObject &options, AnalysisContext &ctx)
{
    const Dataset &train = trainOf(ctx);
    const LoadedTask &task = *ctx.task;
    const int stride = options.value(QStringLiteral("search_stride")).toInt(100);
    if (stride < 1)
        throw Error(QStringLiteral("probe: search_stride must be >= 1 (got %1)").arg(stride));
    ProbeOptions po = ctx.probe;
    po.validate();
    QElapsedTimer timer;
    timer.start();
    const int totalBatches = int((train.rows() + po.batchSize - 1) / po.batchSize) * po.epochs;
    int done = 0;
    const TrainResult tr = trainProbe(
        *train.features(), train.y, train.yValue, task.vocab.names, po, {}, {}, nullptr,
        [&](const TrainProgress &p) {
            if (ctx.onBatch && !ctx.onBatch(p))
                return false;
            ++done;
            if (!ctx.progress || (p.batch + 1 != p.batches && done % 64 != 0))
                return true;
            return ctx.progress(double(done) / totalBatches,
                                QStringLiteral("epoch %1/%2").arg(p.epoch + 1).arg(p.epochs));
        });
    const double trainSeconds = double(timer.nsecsElapsed()) * 1e-9;
    AnalysisOutput out;
    out.status = tr.status;
    if (tr.status != Status::Ok)
        return out;
    const Probe &probe = tr.probe;
    QJsonObject &res = out.json;
    res[QStringLiteral("layers")] = task.trainInfo.layers;
    res[QStringLiteral("dims")] = task.trainInfo.dims;
    res[QStringLiteral("neurons")] = train.neurons();
    QJsonArray usedLayers;
    for (int l : train.layerIds)
        usedLayers.append(l);
    res[QStringLiteral("layers_used")] = usedLayers;
    res[QStringLiteral("labels")] = QJsonArray::fromStringList(task.vocab.names);
    res[QStringLiteral("task")] =
        po.regression ? QStringLiteral("regression") : QStringLiteral("classification");
    for (const Dataset *ds : task.splits()) {
        const Evaluation e = evaluateProbe(probe, *ds->features(), ds->y, ds->yValue);
        QJsonObject o = evaluationJson(e, task.vocab.names, po.regression);
        o[QStringLiteral("tokens")] = double(ds->rows());
        o[QStringLiteral("sentences")] = double(ds->sentences.size());
        o[QStringLiteral("mismatched_lines")] = double(ds->report.mismatches.size());
        o[QStringLiteral("warnings")] = QJsonArray::fromStringList(ds->report.warnings);
        res[ds->name] = o;
    }
    const MatrixF A = probe.W.cwiseAbs();
    const NeuronOrdering ordering = neuronOrdering(A, stride);
    res[QStringLiteral("ranking")] = flatArray(train, ordering.order);
    QJsonArray cutoffs;
    for (int c : ordering.cutoffs)
        cutoffs.append(c);
    res[QStringLiteral("ranking_cutoffs")] = cutoffs;
    QJsonObject perLabel;
    const QStringList rowNames =
        po.regression ? QStringList{QStringLiteral("value")} : task.vocab.names;
    for (int c = 0; c < A.rows(); ++c)
        perLabel[rowNames.value(c)] = flatArray(train, classRanking(A, c));
    res[QStringLiteral("ranking_per_label")] = perLabel;
    // Where the neurons live: the top 5 % per layer, overall and per label.
    const int topK = std::max(
        1, int(options.value(QStringLiteral("top_fraction")).toDouble(0.05) * train.neurons()));
    QJsonObject where = distributionJson(layerDistribution(train, fullOrdering(A, stride), topK));
    if (!po.regression) {
        QJsonObject labelDist;
        const std::vector<LayerDistribution> per =
            labelLayerDistributions(train.layerIds, train.dims, probe, topK);
        for (size_t c = 0; c < per.size(); ++c)
            labelDist[task.vocab.names.value(qsizetype(c))] = distributionJson(per[c]);
        where[QStringLiteral("per_label")] = labelDist;
    }
    res[QStringLiteral("layer_distribution")] = where;
    QJsonObject opts = toJson(po);
    opts[QStringLiteral("search_stride")] = stride;
    res[QStringLiteral("options")] = opts;
    QJsonArray losses, nxLosses;
    for (double l : tr.epochLoss)
        losses.append(num(l));
    for (double l : tr.neuroxEpochLoss)
        nxLosses.append(num(l));
    res[QStringLiteral("epoch_loss")] = losses;
    res[QStringLiteral("neurox_epoch_loss")] = nxLosses;
    QJsonObject timing;
    timing[QStringLiteral("load_s")] = task.loadSeconds;
    timing[QStringLiteral("train_s")] = trainSeconds;
    res[QStringLiteral("timing")] = timing;
    if (ctx.session) {
        ctx.session->arrays[QStringLiteral("probe/W")] = probe.W;
        ctx.session->arrays[QStringLiteral("probe/b")] = RowMatrixF(probe.b.transpose());
    }
    QByteArray csv = csvLine({QStringLiteral("rank"), QStringLiteral("neuron"),
                              QStringLiteral("layer"), QStringLiteral("index_in_layer")});
    for (size_t i = 0; i < ordering.order.size(); ++i) {
        const int flat = flatNeuron(train, ordering.order[i]);
        csv += csvLine({QString::number(i + 1), QString::number(flat),
                        QString::number(flat / train.dims), QString::number(flat % train.dims)});
    }
    out.csv.emplace_back(QStringLiteral("ranking.csv"), csv);
    return out;
}

} // namespace

QByteArray csvLine(const QStringList &cells)
{
    QByteArray line;
    for (qsizetype i = 0; i < cells.size(); ++i) {
        if (i)
            line += ',';
        QByteArray c = cells[i].toUtf8();
        if (c.contains(',') || c.contains('"') || c.contains('\n') || c.contains('\r')) {
            c.replace("\"", "\"\"");
            c = '"' + c + '"';
        }
        line += c;
    }
    return line + "\r\n";
}

QStringList analysisNames()
{
    return {QStringLiteral("probe"),          QStringLiteral("grid-search"),
            QStringLiteral("minimal-subset"), QStringLiteral("ablation"),
            QStringLiteral("selectivity"),    QStringLiteral("layerwise"),
            QStringLiteral("clusters"),       QStringLiteral("neuron"),
            QStringLiteral("properties"),     QStringLiteral("compare")};
}

QStringList paperPipeline()
{
    return {QStringLiteral("grid-search"),    QStringLiteral("probe"),
            QStringLiteral("minimal-subset"), QStringLiteral("ablation"),
            QStringLiteral("selectivity"),    QStringLiteral("layerwise")};
}

AnalysisOutput runAnalysis(const QString &name, const QJsonObject &options,
                           AnalysisContext &context)
{
    if (name == QLatin1String("probe"))
        return runProbe(options, context);
    if (name == QLatin1String("selectivity"))
        return runSelectivity(options, context);
    if (name == QLatin1String("neuron"))
        return runNeuron(options, context);
    if (name == QLatin1String("clusters"))
        return runClusters(options, context);
    if (name == QLatin1String("grid-search"))
        return runGridSearch(options, context);
    if (name == QLatin1String("minimal-subset"))
        return runMinimalSubset(options, context);
    if (name == QLatin1String("ablation"))
        return runAblation(options, context);
    if (name == QLatin1String("layerwise"))
        return runLayerwise(options, context);
    if (name == QLatin1String("properties"))
        return runProperties(options, context);
    if (name == QLatin1String("compare"))
        return runCompare(options, context);
    throw Error(QStringLiteral("unknown analysis '%1' (known: %2)")
                    .arg(name, analysisNames().join(QStringLiteral(", "))));
}

} // namespace salient
