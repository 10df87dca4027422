// The "compare" analysis: two models on one task. Mode "activations" retrains on two activation
// sets of the same sentences; mode "sessions" (option "other_session") compares the probe of the
// context's session with the probe of another saved session, as both were recorded.
#include "pipeline_p.h"
#include "salient/analyses/selectivity.h"
#include "salient/util/error.h"

#include <QFileInfo>
#include <algorithm>
#include <cmath>
#include <optional>

namespace salient::detail {

namespace {

/// Result @p name of @p session read typed; nullopt when the session does not hold it.
template <typename T>
std::optional<T> storedResult(const Session &session, const QString &name, const QString &where)
{
    if (!session.results.contains(name))
        return std::nullopt;
    AnalysisResult r;
    try {
        r = resultFromJson(name, session.results.value(name).toObject(), session.arrays);
    } catch (const Error &e) {
        throw Error(QStringLiteral("compare: %1: %2").arg(where, e.message()));
    }
    if (!std::holds_alternative<T>(r))
        throw Error(
            QStringLiteral("compare: %1: result '%2' has an unexpected form").arg(where, name));
    return std::get<T>(std::move(r));
}

/// Side of mode "sessions": @p session's probe (required) and its stored curves.
CompareModel sessionModel(const Session &session, const QString &where, const QString &name,
                          const QString &source)
{
    const std::optional<ProbeReport> probe =
        storedResult<ProbeReport>(session, QStringLiteral("probe"), where);
    if (!probe)
        throw Error(QStringLiteral("compare: %1 has no trained probe (run the probe analysis and "
                                   "save the session first)")
                        .arg(where));
    CompareModel m;
    m.name = name;
    m.source = source;
    m.layout = probe->layout;
    m.labels = probe->labels;
    const SplitEvaluation *sel = probe->split(QStringLiteral("dev"));
    if (!sel)
        sel = probe->split(QStringLiteral("train"));
    if (sel) {
        m.accuracy = sel->evaluation.accuracy;
        m.accuracySplit = sel->split;
    }
    if (const SplitEvaluation *test = probe->split(QStringLiteral("test")))
        m.testAccuracy = test->evaluation.accuracy;
    m.ordering = probe->ordering; // the probe's own ranking, never re-ranked
    m.ablation = storedResult<AblationReport>(session, QStringLiteral("ablation"), where);
    m.minimalSubset =
        storedResult<MinimalSubsetReport>(session, QStringLiteral("minimal-subset"), where);
    return m;
}

/// k values of option "overlap_k" (integers ≥ 1), else the default fractions of @p neurons
/// plus @p topK; ascending, without repeats.
std::vector<int> overlapKs(const QJsonObject &options, int neurons, int topK)
{
    std::vector<int> ks;
    if (options.contains(QStringLiteral("overlap_k"))) {
        for (double v : doubleList(options, "overlap_k", {})) {
            if (!(v >= 1) || v != std::floor(v))
                throw Error(QStringLiteral("compare: option overlap_k must be a list of integers "
                                           "≥ 1 (got %1)")
                                .arg(v));
            ks.push_back(int(v));
        }
    } else {
        for (double f : doubleList(options, "overlap_fractions", {0.01, 0.05, 0.1, 0.2}))
            ks.push_back(std::max(1, int(f * neurons)));
        ks.push_back(topK);
    }
    std::sort(ks.begin(), ks.end());
    ks.erase(std::unique(ks.begin(), ks.end()), ks.end());
    return ks;
}

/// sameLayout, sameLabels, warning, meanLayerShift and (same layout only) the overlap.
void finish(CompareReport &rep, const std::vector<int> &ks)
{
    const CompareModel &a = rep.models[0], &b = rep.models[1];
    rep.sameLayout = a.layout == b.layout;
    rep.sameLabels = a.labels == b.labels;
    QStringList why;
    if (!rep.sameLabels)
        why << QStringLiteral("the label sets differ (%1: %2 labels, %3: %4 labels)")
                   .arg(a.name)
                   .arg(a.labels.size())
                   .arg(b.name)
                   .arg(b.labels.size());
    if (!rep.sameLayout)
        why << QStringLiteral("the neuron layouts differ (%1 layers × %2 vs %3 layers × %4); "
                              "neuron ids are not the same neurons, so no overlap is computed")
                   .arg(a.layout.layerIds.size())
                   .arg(a.layout.dims)
                   .arg(b.layout.layerIds.size())
                   .arg(b.layout.dims);
    rep.warning = why.join(QStringLiteral("; "));
    rep.meanLayerShift = b.layers.meanLayer - a.layers.meanLayer;
    if (rep.sameLayout)
        rep.overlap = topKOverlap(a.ordering, b.ordering, ks);
}

AnalysisOutput runCompareSessions(const QJsonObject &options, AnalysisContext &ctx)
{
    if (options.contains(QStringLiteral("other")))
        throw Error(QStringLiteral(
            "compare: options other_session and other exclude each other (compare two saved "
            "sessions, or the session's data with another activation set)"));
    if (!ctx.session)
        throw Error(QStringLiteral("compare: option other_session needs the current session"));
    const QString path = options.value(QStringLiteral("other_session")).toString();
    if (path.isEmpty())
        throw Error(QStringLiteral("compare: option other_session must be a session file path"));
    if (ctx.progress && !ctx.progress(0.0, QStringLiteral("reading %1").arg(path)))
        return statusOnly(Status::Cancelled);
    const Session other = loadSession(path);

    CompareReport rep;
    rep.mode = QStringLiteral("sessions");
    rep.seeds = 0; // nothing is retrained
    rep.topFraction = options.value(QStringLiteral("top_fraction")).toDouble(0.05);
    if (!(rep.topFraction > 0 && rep.topFraction <= 1))
        throw Error(QStringLiteral("compare: option top_fraction must be in (0, 1]"));
    rep.models.push_back(sessionModel(
        *ctx.session, QStringLiteral("the current session"),
        options.value(QStringLiteral("name_a")).toString(QStringLiteral("A")), QString()));
    rep.models.push_back(sessionModel(
        other, path, options.value(QStringLiteral("name_b")).toString(QFileInfo(path).fileName()),
        path));
    const std::optional<ProbeReport> probeA =
        storedResult<ProbeReport>(*ctx.session, QStringLiteral("probe"), QStringLiteral("A"));
    rep.probe = probeA->options;
    const int neurons = std::min(rep.models[0].neurons(), rep.models[1].neurons());
    if (options.contains(QStringLiteral("top_k"))) {
        const double k = options.value(QStringLiteral("top_k")).toDouble(-1);
        if (!(k >= 1) || k != std::floor(k))
            throw Error(QStringLiteral("compare: option top_k must be an integer ≥ 1"));
        rep.topK = int(k);
    } else {
        rep.topK = std::max(1, int(rep.topFraction * neurons));
    }
    for (CompareModel &m : rep.models) {
        m.layers = layerDistribution(m.layout.layerIds, m.layout.dims, m.ordering, rep.topK);
        m.topNeurons =
            NeuronList(m.ordering.begin(),
                       m.ordering.begin() + std::min<size_t>(size_t(rep.topK), m.ordering.size()));
    }
    finish(rep, overlapKs(options, neurons, rep.topK));
    if (ctx.progress && !ctx.progress(1.0, QStringLiteral("compared")))
        return statusOnly(Status::Cancelled);
    return outputOf(std::move(rep));
}

AnalysisOutput runCompareActivations(const QJsonObject &options, AnalysisContext &ctx)
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
                "compare: option other.train (the second model's train activations) or "
                "other_session (a saved session to compare with) is required"));
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
    rep.mode = QStringLiteral("activations");
    rep.probe = ctx.probe;
    rep.topFraction = options.value(QStringLiteral("top_fraction")).toDouble(0.05);
    AblationOptions ao;
    ao.sizes = doubleList(options, "sizes", {0.01, 0.02, 0.05, 0.1, 0.2, 0.5});
    ao.seeds = seedsOption(options, QStringLiteral("compare"), 1);
    ao.masking = false;
    ao.retraining = true;
    rep.seeds = ao.seeds;
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
        m.labels = t->vocab.names;
        const int k = std::max(1, int(rep.topFraction * m.layout.columns()));
        m.accuracy = r.oracleSelection;
        m.accuracySplit = selectionSplit(sub);
        m.testAccuracy = r.oracleTest;
        m.layers = layerDistribution(m.layout.layerIds, m.layout.dims, r.ordering, k);
        m.sizes = r.sizes;
        m.curve = std::move(r.retraining);
        m.topNeurons =
            NeuronList(r.ordering.begin(),
                       r.ordering.begin() + std::min<size_t>(size_t(k), r.ordering.size()));
        m.ordering = std::move(r.ordering);
        rep.models.push_back(std::move(m));
        if (ctx.progress && !ctx.progress(double(++step) / 2.0, name))
            return statusOnly(Status::Cancelled);
    }
    rep.topK = rep.models[0].layers.total;
    std::vector<int> ks;
    for (double f : doubleList(options, "overlap_fractions", {0.01, 0.05, 0.1, 0.2}))
        ks.push_back(std::max(1, int(f * train.neurons())));
    finish(rep, ks);
    return outputOf(std::move(rep));
}

} // namespace

AnalysisOutput runCompare(const QJsonObject &options, AnalysisContext &ctx)
{
    if (options.contains(QStringLiteral("other_session")))
        return runCompareSessions(options, ctx);
    return runCompareActivations(options, ctx);
}

} // namespace salient::detail
