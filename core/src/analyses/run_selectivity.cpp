// The "selectivity" (control tasks) and "layerwise" analyses.
#include "pipeline_p.h"
#include "salient/analyses/selectivity.h"
#include "salient/util/error.h"

#include <cmath>
#include <optional>

namespace salient::detail {

namespace {

/// The session's minimal subset (when computed earlier) as columns of @p layout.
std::optional<NeuronList> sessionMinimalSubset(const AnalysisContext &ctx,
                                               const NeuronLayout &layout)
{
    const QString name = QStringLiteral("minimal-subset");
    if (!ctx.session || !ctx.session->results.contains(name))
        return std::nullopt;
    const AnalysisResult r = resultFromJson(name, ctx.session->results.value(name).toObject(), {});
    const MinimalSubsetReport &m = std::get<MinimalSubsetReport>(r);
    NeuronList cols;
    for (int c : m.result.neurons) {
        const NeuronId id = m.layout.neuron(c);
        const int here = layout.column(id);
        if (here < 0)
            throw Error(QStringLiteral("selectivity: the session's minimal subset has %1, which "
                                       "is not among the loaded neurons")
                            .arg(neuronName(id)));
        cols.push_back(here);
    }
    return cols;
}

} // namespace

AnalysisOutput runSelectivity(const QJsonObject &options, AnalysisContext &ctx)
{
    const ExperimentData data = experimentData(ctx);
    SelectivityReport rep;
    SelectivityOptions so;
    so.control.caseSensitive = options.value(QStringLiteral("case_sensitive")).toBool(true)
                               && !options.value(QStringLiteral("case_insensitive")).toBool(false);
    rep.sampleFrom = options.value(QStringLiteral("sample_from")).toString(QStringLiteral("same"));
    if (rep.sampleFrom != QLatin1String("same") && rep.sampleFrom != QLatin1String("uniform"))
        throw Error(QStringLiteral("selectivity: sample_from '%1' (expected same or uniform)")
                        .arg(rep.sampleFrom));
    so.control.sampleFrom = rep.sampleFrom == QLatin1String("uniform") ? ControlSampling::Uniform
                                                                       : ControlSampling::Same;
    so.control.seed = seedOption(options, "seed", ctx.probe.seed);
    so.seeds = seedsOption(options, QStringLiteral("selectivity"), 1);
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
    if (const auto minimal = sessionMinimalSubset(ctx, NeuronLayout::of(*data.train)))
        sets.push_back({QStringLiteral("minimal"), *minimal});
    rep.result = computeSelectivity(data, sets, so, ctx.progress);
    if (rep.result.status != Status::Ok)
        return statusOnly(rep.result.status);
    rep.caseSensitive = so.control.caseSensitive;
    rep.probe = ctx.probe;
    return outputOf(std::move(rep));
}

AnalysisOutput runLayerwise(const QJsonObject &options, AnalysisContext &ctx)
{
    const ExperimentData data = experimentData(ctx);
    LayerwiseReport rep;
    rep.options.deltaPercent =
        options.value(QStringLiteral("delta")).toDouble(rep.options.deltaPercent);
    rep.options.seeds = seedsOption(options, QStringLiteral("layerwise"), 1);
    rep.result = layerwiseProbes(data, rep.options, ctx.progress);
    if (rep.result.status != Status::Ok)
        return statusOnly(rep.result.status);
    rep.probe = ctx.probe;
    rep.split = selectionSplit(ctx);
    return outputOf(std::move(rep));
}

} // namespace salient::detail
