// The "compare" analysis: two activation sets of the same sentences on one task.
#include "pipeline_p.h"
#include "salient/analyses/selectivity.h"
#include "salient/util/error.h"

namespace salient::detail {

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
    CompareReport rep;
    rep.probe = ctx.probe;
    rep.topFraction = options.value(QStringLiteral("top_fraction")).toDouble(0.05);
    AblationOptions ao;
    ao.sizes = doubleList(options, "sizes", {0.01, 0.02, 0.05, 0.1, 0.2, 0.5});
    ao.seeds = options.value(QStringLiteral("seeds")).toInt(1);
    ao.masking = false;
    ao.retraining = true;
    rep.seeds = ao.seeds;
    std::vector<NeuronList> orders;
    const std::pair<const LoadedTask *, QString> both[] = {
        {ctx.task, options.value(QStringLiteral("name_a")).toString(QStringLiteral("A"))},
        {&other, options.value(QStringLiteral("name_b")).toString(QStringLiteral("B"))}};
    int step = 0;
    for (const auto &[t, name] : both) {
        AnalysisContext sub = ctx;
        sub.task = t;
        sub.progress = {};
        const ExperimentData data = experimentData(sub);
        AblationResult r = ablationCurves(data, ao);
        if (r.status != Status::Ok)
            return statusOnly(r.status);
        CompareModel m;
        m.name = name;
        m.layout = NeuronLayout::of(*t->train);
        const int k = std::max(1, int(rep.topFraction * m.layout.columns()));
        m.accuracy = r.oracleSelection;
        m.testAccuracy = r.oracleTest;
        m.layers = layerDistribution(m.layout.layerIds, m.layout.dims, r.ordering, k);
        m.sizes = r.sizes;
        m.curve = std::move(r.retraining);
        m.topNeurons =
            NeuronList(r.ordering.begin(),
                       r.ordering.begin() + std::min<size_t>(size_t(k), r.ordering.size()));
        rep.models.push_back(std::move(m));
        orders.push_back(std::move(r.ordering));
        if (ctx.progress && !ctx.progress(double(++step) / 2.0, name))
            return statusOnly(Status::Cancelled);
    }
    rep.sameLayout = rep.models[0].layout == rep.models[1].layout;
    rep.meanLayerShift = rep.models[1].layers.meanLayer - rep.models[0].layers.meanLayer;
    if (rep.sameLayout) {
        std::vector<int> ks;
        for (double f : doubleList(options, "overlap_fractions", {0.01, 0.05, 0.1, 0.2}))
            ks.push_back(std::max(1, int(f * train.neurons())));
        rep.overlap = topKOverlap(orders[0], orders[1], ks);
    }
    return outputOf(std::move(rep));
}

} // namespace salient::detail
