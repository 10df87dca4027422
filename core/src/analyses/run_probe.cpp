// The "probe" analysis: one probe on all loaded neurons, evaluated on every split and ranked.
#include "pipeline_p.h"
#include "salient/probe/metrics.h"
#include "salient/probe/ranking.h"

#include <QElapsedTimer>

namespace salient::detail {

namespace {

/// The fraction of @p ds's tokens whose gold label is the train majority label (classification).
double majorityAccuracy(const Dataset &ds, int majority)
{
    if (majority < 0 || ds.y.size() == 0)
        return kNotAvailable;
    return double((ds.y.array() == majority).count()) / double(ds.y.size());
}

} // namespace

AnalysisOutput runProbe(const QJsonObject &options, AnalysisContext &ctx)
{
    const Dataset &train = trainOf(ctx);
    const LoadedTask &task = *ctx.task;
    const int stride = options.value(QStringLiteral("search_stride")).toInt(100);
    if (stride < 1)
        throw Error(QStringLiteral("probe: search_stride must be >= 1 (got %1)").arg(stride));
    const double topFraction = options.value(QStringLiteral("top_fraction")).toDouble(0.05);
    if (!(topFraction > 0 && topFraction <= 1))
        throw Error(
            QStringLiteral("probe: top_fraction must be in (0, 1] (got %1)").arg(topFraction));
    ProbeOptions po = ctx.probe;
    po.validate();
    QElapsedTimer timer;
    timer.start();
    const int totalBatches = int((train.rows() + po.batchSize - 1) / po.batchSize) * po.epochs;
    int done = 0;
    TrainResult tr = trainProbe(
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
    if (tr.status != Status::Ok)
        return statusOnly(tr.status);

    ProbeReport r;
    r.options = po;
    r.searchStride = stride;
    r.topFraction = topFraction;
    r.fileLayers = task.trainInfo.layers;
    r.layout = NeuronLayout::of(train);
    r.labels = task.vocab.names;
    r.probe = std::move(tr.probe);
    const int majority = po.regression ? -1 : task.vocab.indexOf(task.vocab.majority());
    for (const Dataset *ds : task.splits()) {
        SplitEvaluation s;
        s.split = ds->name;
        s.tokens = ds->rows();
        s.sentences = Index(ds->sentences.size());
        s.evaluation = evaluateProbe(r.probe, *ds->features(), ds->y, ds->yValue);
        s.evaluation.predicted.resize(0);
        s.evaluation.predictedValue.resize(0);
        if (!po.regression) {
            s.majorityLabel = task.vocab.majority();
            s.majorityAccuracy = majorityAccuracy(*ds, majority);
        }
        const AlignmentReport &rep = ds->report;
        s.mismatchedLines = int(rep.mismatches.size());
        s.wordsFile = rep.wordsFile;
        s.labelsFile = rep.labelsFile;
        s.activationsFile = rep.activationsFile;
        for (size_t k = 0;
             k < std::min<size_t>(AlignmentReport::kListedMismatches, rep.mismatches.size()); ++k)
            s.droppedLines.push_back({rep.mismatches[k].line + 1, rep.mismatches[k].reason});
        s.warnings = ds->report.warnings;
        r.splits.push_back(std::move(s));
    }
    r.data.layerScale = task.trainLayerScale;
    const QString scale = task.scaleWarning(po.standardize && !po.neuroxCompatible);
    if (!scale.isEmpty())
        r.data.warnings << scale;
    const MatrixF A = r.probe.W.cwiseAbs();
    r.cutoffs = neuronOrdering(A, stride).cutoffs;
    r.ordering = fullOrdering(A, stride);
    for (int c = 0; c < A.rows(); ++c)
        r.perLabel.push_back(classRanking(A, c));
    r.topK = std::max(1, int(topFraction * r.layout.columns()));
    r.layers = layerDistribution(r.layout.layerIds, r.layout.dims, r.ordering, r.topK);
    if (!po.regression)
        for (const NeuronList &order : r.perLabel)
            r.layersPerLabel.push_back(
                layerDistribution(r.layout.layerIds, r.layout.dims, order, r.topK));
    r.epochLoss = std::move(tr.epochLoss);
    r.neuroxEpochLoss = std::move(tr.neuroxEpochLoss);
    r.loadSeconds = task.loadSeconds;
    r.trainSeconds = trainSeconds;
    AnalysisOutput out = outputOf(std::move(r));
    if (ctx.session)
        for (auto &[name, array] : resultArrays(*out.result))
            ctx.session->arrays[name] = array;
    return out;
}

} // namespace salient::detail
