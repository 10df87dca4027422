#include "salient/session/results.h"

#include "salient/util/error.h"

#include <algorithm>
#include <cmath>

namespace salient {

namespace {
int positionOf(const NeuronList &list, int column)
{
    const auto it = std::find(list.begin(), list.end(), column);
    return it == list.end() ? 0 : int(it - list.begin()) + 1;
}
} // namespace

int ProbeReport::overallRank(int column) const
{
    return positionOf(ordering, column);
}

int ProbeReport::labelRank(int label, int column) const
{
    if (label < 0 || size_t(label) >= perLabel.size())
        return 0;
    return positionOf(perLabel[size_t(label)], column);
}

const SplitEvaluation *ProbeReport::split(const QString &name) const
{
    for (const SplitEvaluation &s : splits)
        if (s.split == name)
            return &s;
    return nullptr;
}

const SeedSplitScores *ProbeSeedRun::split(const QString &name) const
{
    for (const SeedSplitScores &s : splits)
        if (s.split == name)
            return &s;
    return nullptr;
}

void deriveSeedStatistics(ProbeReport &r)
{
    const int k = std::max(1, r.topK);
    r.stability.reset();
    for (SplitEvaluation &e : r.splits)
        e.accuracySeeds = e.macroF1Seeds = e.mseSeeds = SeedSummary{};
    if (r.seedRuns.size() >= 2) {
        std::vector<NeuronList> tops;
        for (const ProbeSeedRun &run : r.seedRuns)
            tops.push_back(run.top);
        r.stability = rankingStability(tops, r.layout, k);
        for (SplitEvaluation &e : r.splits) {
            std::vector<double> acc, f1, mse;
            for (const ProbeSeedRun &run : r.seedRuns) {
                const SeedSplitScores *sc = run.split(e.split);
                acc.push_back(sc ? sc->accuracy : kNotAvailable);
                f1.push_back(sc ? sc->macroF1 : kNotAvailable);
                mse.push_back(sc ? sc->mse : kNotAvailable);
            }
            e.accuracySeeds = summarizeSeeds(acc);
            e.macroF1Seeds = summarizeSeeds(f1);
            e.mseSeeds = summarizeSeeds(mse);
        }
    }
    if (r.standardizeComparison) {
        const NeuronList primaryTop(
            r.ordering.begin(),
            r.ordering.begin() + std::min<std::ptrdiff_t>(k, std::ptrdiff_t(r.ordering.size())));
        r.standardizeComparison->topK =
            rankingStability({primaryTop, r.standardizeComparison->flipped.top}, r.layout, k);
    }
}

QString seedStabilityText(const ProbeReport &r)
{
    QStringList parts;
    auto fixed = [](double v, int decimals) {
        return std::isfinite(v) ? QString::number(v, 'f', decimals) : QStringLiteral("—");
    };
    if (r.seedRuns.size() >= 2) {
        const SplitEvaluation *s = r.split(QStringLiteral("dev"));
        if (!s)
            s = r.split(QStringLiteral("train"));
        if (s) {
            const SeedSummary &m = r.options.regression ? s->mseSeeds : s->accuracySeeds;
            parts << QStringLiteral("%1 %2 %3 (%4 seeds)")
                         .arg(s->split,
                              r.options.regression ? QStringLiteral("mse")
                                                   : QStringLiteral("accuracy"),
                              m.text(r.options.regression ? 4 : 3))
                         .arg(r.seedRuns.size());
        }
    }
    if (r.stability) {
        const RankingStability &st = *r.stability;
        parts << QStringLiteral("top-%1 stability: Jaccard %2 (min %3), %4 % in every seed")
                     .arg(st.k)
                     .arg(fixed(st.meanJaccard, 2), fixed(st.minJaccard, 2),
                          fixed(100 * st.shareInAll, 0));
        parts << QStringLiteral("mean layer %1").arg(st.meanLayer.text(2));
    }
    if (r.standardizeComparison) {
        const StandardizeComparison &c = *r.standardizeComparison;
        const bool primaryStandardized = !c.flipped.standardize;
        const double standardized =
            primaryStandardized ? c.meanLayerPrimary() : c.meanLayerFlipped();
        const double raw = primaryStandardized ? c.meanLayerFlipped() : c.meanLayerPrimary();
        parts << QStringLiteral("standardised vs raw: Jaccard %1, mean layer %2 vs %3")
                     .arg(fixed(c.jaccard(), 2), fixed(standardized, 2), fixed(raw, 2));
    }
    return parts.join(QStringLiteral("; "));
}

std::optional<RankingStability> ablationStability(const AblationReport &r)
{
    if (r.result.orderings.size() < 2 || r.layout.columns() < 1)
        return std::nullopt;
    const int k = std::max(1, int(0.05 * r.layout.columns()));
    return rankingStability(r.result.orderings, r.layout, k);
}

QString ablationStabilityText(const AblationReport &r)
{
    const std::optional<RankingStability> st = ablationStability(r);
    if (!st)
        return {};
    const auto fixed = [](double v, int decimals) {
        return std::isfinite(v) ? QString::number(v, 'f', decimals) : QStringLiteral("—");
    };
    return QStringLiteral("oracle rankings over %1 seeds: top-%2 Jaccard %3 (min %4), %5 % in "
                          "every seed, mean layer %6")
        .arg(st->runs)
        .arg(st->k)
        .arg(fixed(st->meanJaccard, 2), fixed(st->minJaccard, 2), fixed(100 * st->shareInAll, 0),
             st->meanLayer.text(2));
}

QString analysisName(const AnalysisResult &r)
{
    static const char *const names[] = {"probe",       "grid-search", "minimal-subset", "ablation",
                                        "selectivity", "layerwise",   "compare",        ""};
    return QLatin1String(names[r.index()]);
}

NeuronSummary neuronSummary(const ProbeReport &report, int column)
{
    if (!report.layout.isColumn(column) || column >= report.probe.inputs())
        throw Error(QStringLiteral("neuron summary: column %1 is outside the probe's %2 inputs")
                        .arg(column)
                        .arg(report.probe.inputs()));
    NeuronSummary s;
    s.id = report.layout.neuron(column);
    s.column = column;
    s.flatIndex = report.layout.flatIndex(column);
    s.overallRank = report.overallRank(column);
    s.neurons = report.layout.columns();
    for (int c = 0; c < report.probe.classes(); ++c) {
        ClassWeight w;
        w.label = c;
        w.name = report.options.regression ? QStringLiteral("value") : report.labels.value(c);
        w.weight = double(report.probe.W(c, column));
        w.absWeight = std::abs(w.weight);
        w.labelRank = report.labelRank(c, column);
        s.classes.push_back(w);
    }
    std::stable_sort(
        s.classes.begin(), s.classes.end(),
        [](const ClassWeight &a, const ClassWeight &b) { return a.absWeight > b.absWeight; });
    QStringList parts;
    for (size_t i = 0; i < std::min<size_t>(3, s.classes.size()); ++i)
        parts << QStringLiteral("%1 %2").arg(s.classes[i].name).arg(s.classes[i].weight, 0, 'f', 3);
    s.topClasses = parts.join(QStringLiteral(", "));
    return s;
}

} // namespace salient
