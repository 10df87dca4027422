#include "salient/pipeline.h"

#include "salient/clustering.h"
#include "salient/corpusanalysis.h"
#include "salient/error.h"
#include "salient/selectivity.h"
#include "salient/metrics.h"
#include "salient/ranking.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <cmath>

namespace salient {

namespace {

QJsonValue num(double v) { return std::isfinite(v) ? QJsonValue(v) : QJsonValue(QJsonValue::Null); }

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

/// The dataset column of a flat neuron index, or -1 when its layer is not loaded.
int columnOfFlat(const Dataset &ds, int flat)
{
    if (flat < 0)
        return -1;
    const int layer = flat / ds.dims, d = flat % ds.dims;
    for (size_t k = 0; k < ds.layerIds.size(); ++k)
        if (ds.layerIds[k] == layer)
            return int(k) * ds.dims + d;
    return -1;
}

/// Flat neuron indices from JSON → dataset columns; throws naming the option for bad entries.
NeuronList columnsFromJson(const Dataset &ds, const QJsonArray &flat, const QString &what)
{
    NeuronList cols;
    for (const QJsonValue v : flat) {
        const int c = columnOfFlat(ds, v.toInt(-1));
        if (!v.isDouble() || c < 0)
            throw Error(QStringLiteral("%1: neuron %2 is not among the loaded neurons (layers × dims = %3)")
                            .arg(what, QString::number(v.toDouble())).arg(ds.neurons()));
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
    const QString sample = options.value(QStringLiteral("sample_from")).toString(QStringLiteral("same"));
    if (sample != QLatin1String("same") && sample != QLatin1String("uniform"))
        throw Error(QStringLiteral("selectivity: sample_from '%1' (expected same or uniform)").arg(sample));
    so.control.sampleFrom = sample == QLatin1String("uniform") ? ControlSampling::Uniform : ControlSampling::Same;
    so.control.seed = seedOption(options, "seed", ctx.probe.seed);
    std::vector<NamedNeuronSet> sets{{QStringLiteral("all"), {}}};
    if (options.contains(QStringLiteral("neurons")))
        sets.push_back({QStringLiteral("given"),
                        columnsFromJson(*data.train, options.value(QStringLiteral("neurons")).toArray(),
                                        QStringLiteral("selectivity.neurons"))});
    // The minimal subset of the same session, when it was computed (the paper's comparison).
    if (ctx.session && ctx.session->results.contains(QStringLiteral("minimal-subset")))
        sets.push_back({QStringLiteral("minimal"),
                        columnsFromJson(*data.train,
                                        ctx.session->results.value(QStringLiteral("minimal-subset"))
                                            .toObject().value(QStringLiteral("neurons")).toArray(),
                                        QStringLiteral("minimal-subset.neurons"))});
    const SelectivityResult r = computeSelectivity(data, sets, so, ctx.progress);
    AnalysisOutput out;
    out.status = r.status;
    if (r.status != Status::Ok)
        return out;
    QJsonArray entries;
    QByteArray csv = csvLine({QStringLiteral("set"), QStringLiteral("neurons"), QStringLiteral("task_accuracy"),
                              QStringLiteral("control_accuracy"), QStringLiteral("selectivity")});
    for (const SelectivityEntry &e : r.sets) {
        QJsonObject o;
        o[QStringLiteral("set")] = e.name;
        o[QStringLiteral("neurons")] = e.neurons;
        o[QStringLiteral("task_accuracy")] = num(e.taskAccuracy);
        o[QStringLiteral("control_accuracy")] = num(e.controlAccuracy);
        o[QStringLiteral("selectivity")] = num(e.selectivity);
        entries.append(o);
        csv += csvLine({e.name, QString::number(e.neurons), QString::number(e.taskAccuracy, 'g', 10),
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
        throw Error(QStringLiteral("neuron: option 'neuron' (flat index layer·dims + d) is required"));
    const QString splitName = options.value(QStringLiteral("split")).toString(QStringLiteral("train"));
    const Dataset *ds = splitName == QLatin1String("train") ? &train
                        : splitName == QLatin1String("dev") && ctx.task->dev ? &*ctx.task->dev
                        : splitName == QLatin1String("test") && ctx.task->test ? &*ctx.task->test
                                                                                : nullptr;
    if (!ds)
        throw Error(QStringLiteral("neuron: split '%1' is not loaded").arg(splitName));
    const int flat = options.value(QStringLiteral("neuron")).toInt(-1);
    const int column = columnOfFlat(*ds, flat);
    if (column < 0)
        throw Error(QStringLiteral("neuron: %1 is not among the loaded neurons (layers %2 × %3 dims)")
                        .arg(flat).arg(ds->layers).arg(ds->dims));
    NeuronProfileOptions po;
    po.words.threshold = options.value(QStringLiteral("threshold")).toDouble(po.words.threshold);
    po.words.maxWords = options.value(QStringLiteral("top_words")).toInt(20);
    po.sentences.count = options.value(QStringLiteral("sentences")).toInt(po.sentences.count);
    if (options.value(QStringLiteral("sentence_score")).toString() == QLatin1String("max_abs"))
        po.sentences.score = SentenceScore::MaxAbs;
    const NeuronProfile p = neuronProfile(*ds, column, ctx.probe.regression ? nullptr : &ctx.task->vocab, po);
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
    QByteArray wcsv = csvLine({QStringLiteral("word"), QStringLiteral("score"), QStringLiteral("mean_abs_z"),
                               QStringLiteral("mean_activation"), QStringLiteral("count")});
    for (const TopWord &w : p.topWords) {
        QJsonObject o;
        o[QStringLiteral("word")] = w.word;
        o[QStringLiteral("score")] = num(w.score);
        o[QStringLiteral("mean_activation")] = num(w.meanActivation);
        o[QStringLiteral("count")] = double(w.count);
        words.append(o);
        wcsv += csvLine({w.word, QString::number(w.score, 'g', 8), QString::number(w.meanAbsZ, 'g', 8),
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
    co.memoryBudgetBytes = options.value(QStringLiteral("budget_mb")).toDouble(co.memoryBudgetBytes / 1e6) * 1e6;
    // Correlations over at most `rows` tokens (default all): the cost is rows × neurons².
    const Index maxRows = Index(options.value(QStringLiteral("rows")).toDouble(0));
    std::vector<Index> rows;
    if (maxRows > 0 && maxRows < train.rows())
        for (Index r = 0; r < maxRows; ++r)
            rows.push_back(r);
    const quint64 seed = seedOption(options, "seed", ctx.probe.seed);
    const IndependentNeurons ind = independentNeurons(train.X, co, seed, {}, rows, ctx.progress);
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
    QByteArray csv = csvLine({QStringLiteral("neuron"), QStringLiteral("layer"), QStringLiteral("cluster"),
                              QStringLiteral("representative")});
    std::vector<char> isRep(size_t(train.neurons()), 0);
    for (int r : ind.columns)
        isRep[size_t(r)] = 1;
    for (size_t i = 0; i < c.columns.size(); ++i) {
        const int flat = flatNeuron(train, c.columns[i]);
        labels.append(c.labels[i]);
        csv += csvLine({QString::number(flat), QString::number(flat / train.dims), QString::number(c.labels[i]),
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
    const TrainResult tr = trainProbe(train.X, train.y, train.yValue, task.vocab.names, po, {}, {}, nullptr,
                                      [&](const TrainProgress &p) {
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
    res[QStringLiteral("task")] = po.regression ? QStringLiteral("regression") : QStringLiteral("classification");
    for (const Dataset *ds : task.splits()) {
        const Evaluation e = evaluateProbe(probe, ds->X, ds->y, ds->yValue);
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
    const QStringList rowNames = po.regression ? QStringList{QStringLiteral("value")} : task.vocab.names;
    for (int c = 0; c < A.rows(); ++c)
        perLabel[rowNames.value(c)] = flatArray(train, classRanking(A, c));
    res[QStringLiteral("ranking_per_label")] = perLabel;
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
    QByteArray csv = csvLine({QStringLiteral("rank"), QStringLiteral("neuron"), QStringLiteral("layer"),
                              QStringLiteral("index_in_layer")});
    for (size_t i = 0; i < ordering.order.size(); ++i) {
        const int flat = flatNeuron(train, ordering.order[i]);
        csv += csvLine({QString::number(i + 1), QString::number(flat), QString::number(flat / train.dims),
                        QString::number(flat % train.dims)});
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
    return {QStringLiteral("probe"), QStringLiteral("selectivity"), QStringLiteral("clusters"),
            QStringLiteral("neuron")};
}

AnalysisOutput runAnalysis(const QString &name, const QJsonObject &options, AnalysisContext &context)
{
    if (name == QLatin1String("probe"))
        return runProbe(options, context);
    if (name == QLatin1String("selectivity"))
        return runSelectivity(options, context);
    if (name == QLatin1String("neuron"))
        return runNeuron(options, context);
    if (name == QLatin1String("clusters"))
        return runClusters(options, context);
    throw Error(QStringLiteral("unknown analysis '%1' (known: %2)")
                    .arg(name, analysisNames().join(QStringLiteral(", "))));
}

} // namespace salient
