// The "grid-search" analysis (Algorithm 2) and the explicit step that applies its winner.
#include "pipeline_p.h"
#include "salient/util/error.h"

namespace salient {

ProbeOptions withGridWinner(const ProbeOptions &po, const GridSearchReport &r)
{
    const GridCell *w = r.result.winner();
    if (!w)
        throw Error(QStringLiteral("grid-search: the grid has no winner (no finished cell)"));
    ProbeOptions out = po;
    out.l1 = w->l1;
    out.l2 = w->l2;
    return out;
}

namespace detail {

AnalysisOutput runGridSearch(const QJsonObject &options, AnalysisContext &ctx)
{
    if (options.contains(QStringLiteral("apply_best")))
        throw Error(QStringLiteral(
            "grid-search: option 'apply_best' is no longer accepted: a grid search never "
            "changes the probe settings; applying the winning λ1, λ2 is an explicit step now "
            "(salient-cli pipeline and run apply it after grid-search; remove the option)"));
    const ExperimentData data = experimentData(ctx);
    GridSearchReport r;
    GridSearchOptions &go = r.options;
    go.l1Values = doubleList(options, "l1_values", go.l1Values);
    go.l2Values = doubleList(options, "l2_values", go.l2Values);
    go.keepFraction = options.value(QStringLiteral("keep_fraction")).toDouble(go.keepFraction);
    go.alpha = options.value(QStringLiteral("alpha")).toDouble(go.alpha);
    go.beta = options.value(QStringLiteral("beta")).toDouble(go.beta);
    if (options.contains(QStringLiteral("score")))
        go.score = gridScoreFromName(options.value(QStringLiteral("score")).toString());
    go.searchStride = options.value(QStringLiteral("search_stride")).toInt(go.searchStride);
    go.randomSeed = seedOption(options, "random_seed", 0);
    if (options.contains(QStringLiteral("selection"))) {
        const QJsonValue v = options.value(QStringLiteral("selection"));
        if (!v.isString())
            throw Error(QStringLiteral("grid-search: option 'selection' must be \"paper\" or "
                                       "\"guarded\""));
        go.selection = gridSelectionFromName(v.toString());
    }
    if (options.contains(QStringLiteral("accuracy_tolerance"))) {
        const QJsonValue v = options.value(QStringLiteral("accuracy_tolerance"));
        if (!v.isDouble())
            throw Error(QStringLiteral("grid-search: option 'accuracy_tolerance' must be a number "
                                       "of accuracy points in [0, 100]"));
        go.accuracyTolerance = v.toDouble();
    }
    go.validate();
    r.result = gridSearch(data, go, ctx.progress);
    if (r.result.status != Status::Ok)
        return statusOnly(r.result.status);
    r.probe = ctx.probe;
    r.split = selectionSplit(ctx);
    return outputOf(std::move(r));
}

} // namespace detail
} // namespace salient
