// Analyses without a typed view yet (clusters, neuron, properties): they build their JSON and CSV
// tables directly and return them as a JsonReport.
#include "pipeline_p.h"
#include "salient/analyses/clustering.h"
#include "salient/analyses/corpusanalysis.h"
#include "salient/analyses/selectivity.h"
#include "salient/probe/metrics.h"
#include "salient/util/error.h"

#include <cmath>

namespace salient::detail {

namespace {

QJsonValue num(double v)
{
    return std::isfinite(v) ? QJsonValue(v) : QJsonValue(QJsonValue::Null);
}

/// Dataset columns → the file's flat neuron indices.
QJsonArray flatArray(const Dataset &ds, const NeuronList &columns)
{
    const NeuronLayout layout = NeuronLayout::of(ds);
    QJsonArray a;
    for (int c : columns)
        a.append(layout.flatIndex(c));
    return a;
}

/// A finished JSON-native analysis: its JSON and CSV become the JsonReport.
AnalysisOutput jsonOutput(AnalysisOutput out)
{
    if (out.status != Status::Ok)
        return out;
    return outputOf(JsonReport{std::move(out.json), std::move(out.csv)});
}

} // namespace

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
    const int column = NeuronLayout::of(*ds).columnOfFlatIndex(flat);
    if (column < 0)
        throw Error(
            QStringLiteral("neuron: %1 is not among the loaded neurons (layers %2 × %3 dims)")
                .arg(flat)
                .arg(ds->layers)
                .arg(ds->dims));
    NeuronProfileOptions po;
    po.words.threshold = options.value(QStringLiteral("threshold")).toDouble(po.words.threshold);
    po.words.maxWords = options.value(QStringLiteral("top_words")).toInt(20);
    // 3 as in the GUI: a word type seen once or twice is not a pattern (1 = NeuroX).
    po.words.minCount = options.value(QStringLiteral("min_count")).toInt(3);
    po.sentences.count = options.value(QStringLiteral("sentences")).toInt(po.sentences.count);
    po.negativeSentences =
        options.value(QStringLiteral("negative_sentences")).toInt(po.sentences.count);
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
    const auto sentencesJson = [](const std::vector<SentenceActivation> &list) {
        QJsonArray sentences;
        for (const SentenceActivation &s : list) {
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
        return sentences;
    };
    j[QStringLiteral("min_count")] = po.words.minCount;
    j[QStringLiteral("top_sentences")] = sentencesJson(p.sentences);
    j[QStringLiteral("negative_sentences")] = sentencesJson(p.negativeSentences);
    out.csv.emplace_back(QStringLiteral("top_words.csv"), wcsv);
    return jsonOutput(std::move(out));
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
        const int flat = NeuronLayout::of(train).flatIndex(c.columns[i]);
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
    return jsonOutput(std::move(out));
}

/// Labels of another property for the rows of @p ds (same sentences and words), read from a
/// label file aligned with the same token file. @p vocab is built when empty (train).
static VectorI relabelRows(const Dataset &ds, const TextColumns &labels, LabelVocabulary &vocab)
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

static QJsonObject distributionJson(const LayerDistribution &d)
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
static std::pair<double, NeuronList> probeAndOrder(const AnalysisContext &ctx, const Dataset &train,
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
    return jsonOutput(std::move(out));
}

} // namespace salient::detail
