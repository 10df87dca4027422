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
