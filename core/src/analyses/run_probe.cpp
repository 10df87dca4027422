// The "probe" analysis: one probe on all loaded neurons, evaluated on every split and ranked.
#include "pipeline_p.h"
#include "salient/analyses/farm.h"

#include "farm_p.h"
#include "salient/probe/metrics.h"
#include "salient/probe/ranking.h"

#include <QElapsedTimer>
#include <cmath>

namespace salient::detail {

namespace {

/// The fraction of @p ds's tokens whose gold label is the train majority label (classification).
double majorityAccuracy(const Dataset &ds, int majority)
{
    if (majority < 0 || ds.y.size() == 0)
        return kNotAvailable;
    return double((ds.y.array() == majority).count()) / double(ds.y.size());
}

/// The scores of @p probe on every split and the top-@p k of its ranking.
ProbeSeedRun seedRunOf(const Probe &probe, const ProbeOptions &po, const LoadedTask &task,
                       int stride, int k)
{
    ProbeSeedRun run;
    run.seed = po.seed;
    run.standardize = po.standardize && !po.neuroxCompatible;
    for (const Dataset *ds : task.splits()) {
        const Evaluation e = evaluateProbe(probe, *ds->features(), ds->y, ds->yValue);
        SeedSplitScores sc;
        sc.split = ds->name;
        if (po.regression) {
            sc.mse = e.mse;
        } else {
            sc.accuracy = e.accuracy;
            sc.macroF1 = e.macroF1;
        }
        run.splits.push_back(sc);
    }
    const NeuronList order = fullOrdering(probe.W.cwiseAbs(), stride);
    run.top.assign(order.begin(), order.begin() + std::min<std::ptrdiff_t>(k, order.size()));
    return run;
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
    const int seeds = seedsOption(options, QStringLiteral("probe"), 1);
    const QJsonValue flipOption = options.value(QStringLiteral("stability_standardize"));
    if (!flipOption.isUndefined() && !flipOption.isNull() && !flipOption.isBool())
        throw Error(QStringLiteral("probe: stability_standardize must be true or false"));
    ProbeOptions po = ctx.probe;
    po.validate();
    // NeuroX-compatible training never standardises, so there is nothing to flip: off by
    // default there, an error when asked for.
    const bool flip = flipOption.toBool(seeds >= 2 && !po.neuroxCompatible);
    if (flip && po.neuroxCompatible)
        throw Error(QStringLiteral("probe: stability_standardize needs standardisation, which "
                                   "neurox_compatible training turns off"));
    // Probes besides the primary one: repetitions 1..seeds−1, then the flipped probe.
    const int extra = seeds - 1 + (flip ? 1 : 0);
    const double primaryShare = 1.0 / double(1 + extra);
    QElapsedTimer timer;
    timer.start();
    const int totalBatches = int((train.rows() + po.batchSize - 1) / po.batchSize) * po.epochs;
    int done = 0;
    // Unshuffled, the repetitions' seeds change only the initialisation: the primary and the
    // other seeds share the batch order and train in one fused pass (each probe bit-identical
    // to its separate training). Shuffled, every seed has its own order: trained separately.
    // Farmed over MPI ranks (farm.h), each seed is its own unit instead (same bits either way).
    const bool fuseSeeds = seeds >= 2 && !(po.shuffle && !po.neuroxCompatible) && !farmingActive();
    std::vector<ProbeJob> seedJobs(static_cast<std::size_t>(fuseSeeds ? seeds : 1));
    for (int i = 0; i < int(seedJobs.size()); ++i) {
        seedJobs[std::size_t(i)].options = po;
        seedJobs[std::size_t(i)].options.seed = po.seed + quint64(i);
    }
    std::vector<TrainResult> fusedRuns = trainProbes(
        *train.features(), train.y, train.yValue, task.vocab.names, seedJobs, {}, {},
        [&](const TrainProgress &p) {
            if (ctx.onBatch && !ctx.onBatch(p))
                return false;
            ++done;
            if (!ctx.progress || (p.batch + 1 != p.batches && done % 64 != 0))
                return true;
            return ctx.progress(primaryShare * double(done) / totalBatches,
                                QStringLiteral("epoch %1/%2").arg(p.epoch + 1).arg(p.epochs));
        });
    TrainResult tr = std::move(fusedRuns.front());
    if (tr.status != Status::Ok)
        return statusOnly(tr.status);

    // The other probes, in parallel; the primary above is trained exactly as with seeds = 1.
    const int topK = std::max(1, int(topFraction * NeuronLayout::of(train).columns()));
    std::vector<ProbeSeedRun> runs(static_cast<size_t>(extra));
    std::vector<Status> statuses(size_t(extra), Status::Ok);
    if (extra > 0) {
        ProgressRelay relay(
            [&](double f, const QString &stage) {
                return !ctx.progress || ctx.progress(primaryShare + (1 - primaryShare) * f, stage);
            },
            extra);
        // Each extra probe is one farmed unit (farm.h): status + its ProbeSeedRun as bytes.
        FarmLoop loop;
        loop.tag = QStringLiteral("probe seed");
        loop.n = extra;
        loop.relay = &relay;
        loop.compute = [&](int i) -> QByteArray {
            ProbeOptions o = po;
            const bool isFlip = i == seeds - 1;
            if (isFlip)
                o.standardize = !po.standardize;
            else
                o.seed = po.seed + quint64(i + 1);
            const TrainResult t =
                fuseSeeds && !isFlip
                    ? std::move(fusedRuns[std::size_t(i + 1)])
                    : trainProbe(*train.features(), train.y, train.yValue, task.vocab.names, o, {},
                                 {}, nullptr,
                                 [&](const TrainProgress &) { return !relay.cancelled(); });
            QByteArray out;
            QDataStream w(&out, QIODevice::WriteOnly);
            w << qint32(t.status);
            if (t.status != Status::Ok)
                return out;
            const ProbeSeedRun run = seedRunOf(t.probe, o, task, stride, topK);
            w << run.seed << run.standardize << qint32(run.splits.size());
            for (const SeedSplitScores &sp : run.splits) {
                w << sp.split;
                for (double v : {sp.accuracy, sp.macroF1, sp.mse})
                    farmio::putDouble(w, v);
            }
            w << QList<int>(run.top.begin(), run.top.end());
            return out;
        };
        loop.store = [&](int i, const QByteArray &bytes) {
            const bool isFlip = i == seeds - 1;
            if (bytes.isEmpty()) {
                statuses[size_t(i)] = Status::Cancelled;
                relay.step(QString());
                return;
            }
            QDataStream in(bytes);
            qint32 st = 0;
            in >> st;
            statuses[size_t(i)] = Status(st);
            if (statuses[size_t(i)] != Status::Ok) {
                relay.step(QString());
                return;
            }
            ProbeSeedRun &run = runs[size_t(i)];
            qint32 splits = 0;
            in >> run.seed >> run.standardize >> splits;
            for (qint32 k = 0; k < splits; ++k) {
                SeedSplitScores sp;
                in >> sp.split;
                sp.accuracy = farmio::getDouble(in);
                sp.macroF1 = farmio::getDouble(in);
                sp.mse = farmio::getDouble(in);
                run.splits.push_back(sp);
            }
            QList<int> top;
            in >> top;
            run.top.assign(top.begin(), top.end());
            relay.step(isFlip ? QStringLiteral("standardisation flipped")
                              : QStringLiteral("seed %1 of %2").arg(i + 2).arg(seeds));
        };
        farmFor(loop);
        if (relay.cancelled())
            return statusOnly(Status::Cancelled);
        for (Status st : statuses)
            if (st != Status::Ok)
                return statusOnly(st);
    }
    const double trainSeconds = double(timer.nsecsElapsed()) * 1e-9;

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
    r.topK = topK;
    r.layers = layerDistribution(r.layout.layerIds, r.layout.dims, r.ordering, r.topK);
    if (!po.regression)
        for (const NeuronList &order : r.perLabel)
            r.layersPerLabel.push_back(
                layerDistribution(r.layout.layerIds, r.layout.dims, order, r.topK));
    if (seeds >= 2 || flip) {
        // Repetition 0 is the primary probe: its scores and ranking as evaluated above.
        ProbeSeedRun primary;
        primary.seed = po.seed;
        primary.standardize = po.standardize && !po.neuroxCompatible;
        for (const SplitEvaluation &e : r.splits) {
            SeedSplitScores sc;
            sc.split = e.split;
            if (po.regression) {
                sc.mse = e.evaluation.mse;
            } else {
                sc.accuracy = e.evaluation.accuracy;
                sc.macroF1 = e.evaluation.macroF1;
            }
            primary.splits.push_back(sc);
        }
        primary.top.assign(r.ordering.begin(),
                           r.ordering.begin()
                               + std::min<std::ptrdiff_t>(topK, std::ptrdiff_t(r.ordering.size())));
        if (flip) {
            StandardizeComparison cmp;
            cmp.flipped = std::move(runs.back());
            runs.pop_back();
            r.standardizeComparison = std::move(cmp);
        }
        if (seeds >= 2) {
            r.seeds = seeds;
            r.seedRuns.push_back(std::move(primary));
            for (ProbeSeedRun &run : runs)
                r.seedRuns.push_back(std::move(run));
        }
        deriveSeedStatistics(r);
    }
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
