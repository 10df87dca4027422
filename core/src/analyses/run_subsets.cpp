// The "minimal-subset" (Algorithm 4) and "ablation" analyses.
#include "pipeline_p.h"
#include "salient/analyses/clustering.h"
#include "salient/util/error.h"

namespace salient::detail {

AnalysisOutput runMinimalSubset(const QJsonObject &options, AnalysisContext &ctx)
{
    const ExperimentData data = experimentData(ctx);
    const Dataset &train = *data.train;
    MinimalSubsetReport rep;
    MinimalSubsetOptions mo;
    mo.deltaPercent = options.value(QStringLiteral("delta")).toDouble(mo.deltaPercent);
    mo.searchStride = options.value(QStringLiteral("search_stride")).toInt(mo.searchStride);
    mo.seeds = seedsOption(options, QStringLiteral("minimal-subset"), mo.seeds);
    const QString preset =
        options.value(QStringLiteral("preset")).toString(QStringLiteral("max_features"));
    if (preset != QLatin1String("max_features") && preset != QLatin1String("pipeline_all"))
        throw Error(
            QStringLiteral("minimal-subset: preset '%1' (expected max_features or pipeline_all)")
                .arg(preset));
    mo.preset = preset == QLatin1String("pipeline_all") ? SubsetSizePreset::PipelineAll
                                                        : SubsetSizePreset::MaxFeatures;
    mo.fractions = doubleList(options, "fractions", {});
    mo.ordering = rankerOrdering(options, ctx, rep.ranker);
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
        if (ind.status != Status::Ok)
            return statusOnly(ind.status);
        NeuronList base = mo.ordering;
        if (base.empty()) {
            const TrainResult tr =
                trainProbe(*train.features(), train.y, train.yValue, data.labels, data.probe);
            if (tr.status != Status::Ok)
                return statusOnly(tr.status);
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
        rep.ranker.prefilterThreshold = pre;
        rep.ranker.prefilterRepresentatives = int(ind.columns.size());
    }
    rep.result = minimalSubset(data, mo, ctx.progress);
    if (rep.result.status != Status::Ok)
        return statusOnly(rep.result.status);
    rep.options = mo;
    rep.options.oracle = nullptr;
    rep.options.ordering.clear();
    if (!mo.fractions.empty())
        rep.options.preset = SubsetSizePreset::MaxFeatures;
    rep.preset = mo.fractions.empty() ? preset : QStringLiteral("custom");
    rep.probe = ctx.probe;
    rep.layout = NeuronLayout::of(train);
    rep.split = selectionSplit(ctx);
    rep.layers = layerDistribution(rep.layout.layerIds, rep.layout.dims, rep.result.neurons,
                                   int(rep.result.neurons.size()));
    return outputOf(std::move(rep));
}

AnalysisOutput runAblation(const QJsonObject &options, AnalysisContext &ctx)
{
    const ExperimentData data = experimentData(ctx);
    AblationReport rep;
    AblationOptions &ao = rep.options;
    ao.sizes = doubleList(options, "sizes", ao.sizes);
    ao.seeds = seedsOption(options, QStringLiteral("ablation"), ao.seeds);
    ao.searchStride = options.value(QStringLiteral("search_stride")).toInt(ao.searchStride);
    rep.mode = options.value(QStringLiteral("mode")).toString(QStringLiteral("both"));
    if (rep.mode != QLatin1String("both") && rep.mode != QLatin1String("masking")
        && rep.mode != QLatin1String("retraining"))
        throw Error(QStringLiteral("ablation: mode '%1' (expected both, masking or retraining)")
                        .arg(rep.mode));
    ao.masking = rep.mode != QLatin1String("retraining");
    ao.retraining = rep.mode != QLatin1String("masking");
    ao.ordering = rankerOrdering(options, ctx, rep.ranker);
    rep.result = ablationCurves(data, ao, ctx.progress);
    if (rep.result.status != Status::Ok)
        return statusOnly(rep.result.status);
    ao.ordering.clear(); // result.ordering is the ordering used
    ao.oracle = nullptr;
    rep.probe = ctx.probe;
    rep.layout = NeuronLayout::of(*data.train);
    rep.split = selectionSplit(ctx);
    return outputOf(std::move(rep));
}

} // namespace salient::detail
