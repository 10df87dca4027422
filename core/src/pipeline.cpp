#include "salient/pipeline.h"

#include "salient/error.h"
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
    return {QStringLiteral("probe")};
}

AnalysisOutput runAnalysis(const QString &name, const QJsonObject &options, AnalysisContext &context)
{
    if (name == QLatin1String("probe"))
        return runProbe(options, context);
    throw Error(QStringLiteral("unknown analysis '%1' (known: %2)")
                    .arg(name, analysisNames().join(QStringLiteral(", "))));
}

} // namespace salient
