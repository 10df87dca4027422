#include "salient/analyses/pipeline.h"

#include "pipeline_p.h"
#include "salient/probe/rankers.h"
#include "salient/probe/ranking.h"
#include "salient/util/error.h"

#include <cmath>

namespace salient {

namespace detail {

const Dataset &trainOf(const AnalysisContext &ctx)
{
    if (!ctx.task || !ctx.task->train)
        throw Error(QStringLiteral("analysis: no training data loaded"));
    return *ctx.task->train;
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

QString selectionSplit(const AnalysisContext &ctx)
{
    return ctx.task && ctx.task->dev ? QStringLiteral("dev") : QStringLiteral("train");
}

quint64 seedOption(const QJsonObject &o, const char *key, quint64 fallback)
{
    const QJsonValue v = o.value(QLatin1String(key));
    if (v.isString())
        return v.toString().toULongLong();
    return v.isDouble() ? quint64(v.toDouble()) : fallback;
}

int seedsOption(const QJsonObject &o, const QString &analysis, int fallback)
{
    const QJsonValue v = o.value(QStringLiteral("seeds"));
    if (v.isUndefined() || v.isNull())
        return fallback;
    const double d = v.toDouble(std::nan(""));
    if (!v.isDouble() || d != std::floor(d) || d < 1 || d > 1000)
        throw Error(
            QStringLiteral("%1: seeds must be an integer in 1..1000 (got %2)")
                .arg(analysis, v.isDouble() ? QString::number(d) : v.toVariant().toString()));
    return int(d);
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

NeuronList columnsFromJson(const Dataset &ds, const QJsonArray &flat, const QString &what)
{
    const NeuronLayout layout = NeuronLayout::of(ds);
    NeuronList cols;
    for (const QJsonValue v : flat) {
        const int c = layout.columnOfFlatIndex(v.toInt(-1));
        if (!v.isDouble() || c < 0)
            throw Error(
                QStringLiteral("%1: neuron %2 is not among the loaded neurons (layers × dims = %3)")
                    .arg(what, QString::number(v.toDouble()))
                    .arg(ds.neurons()));
        cols.push_back(c);
    }
    return cols;
}

NeuronList rankerOrdering(const QJsonObject &options, const AnalysisContext &ctx, RankerInfo &info)
{
    const QString ranker =
        options.value(QStringLiteral("ranker")).toString(QStringLiteral("probe"));
    info.ranker = ranker;
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
        info.positiveLabel = label;
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
        info.gaussianK = k;
        info.warnings = g.warnings;
        return g.selection.order;
    }
    throw Error(
        QStringLiteral(
            "unknown ranker '%1' (expected probe, probeless, average_precision or gaussian)")
            .arg(ranker));
}

AnalysisOutput outputOf(AnalysisResult result)
{
    AnalysisOutput out;
    auto r = std::make_shared<const AnalysisResult>(std::move(result));
    out.json = toJson(*r);
    out.csv = csvTables(*r);
    out.result = std::move(r);
    return out;
}

AnalysisOutput statusOnly(Status status)
{
    AnalysisOutput out;
    out.status = status;
    return out;
}

} // namespace detail

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
    using namespace detail;
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
    if (name == QLatin1String("intervention"))
        return runIntervention(options, context);
    throw Error(QStringLiteral("unknown analysis '%1' (known: %2)")
                    .arg(name, analysisNames().join(QStringLiteral(", "))));
}

} // namespace salient
