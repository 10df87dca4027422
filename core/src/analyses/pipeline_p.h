#pragma once
// Private helpers shared by the analysis runners (run_*.cpp) of pipeline.h: option parsing and
// the one conversion of a typed result into an AnalysisOutput. Not installed; core only.
#include "salient/analyses/pipeline.h"
#include "salient/session/resultsjson.h"

#include <QJsonArray>

namespace salient::detail {

/// The loaded train split; throws salient::Error when there is none.
const Dataset &trainOf(const AnalysisContext &ctx);
/// The context's splits and probe settings, validated.
ExperimentData experimentData(const AnalysisContext &ctx);
/// "dev" when the task has a dev split, else "train" (the selection split).
QString selectionSplit(const AnalysisContext &ctx);

/// Option "seeds" (repetitions, the Seeds convention of every analysis): an integer in 1..1000;
/// @p fallback when absent. Throws salient::Error naming @p analysis otherwise.
int seedsOption(const QJsonObject &o, const QString &analysis, int fallback);

/// A 64-bit seed option (number or decimal text); @p fallback when absent.
quint64 seedOption(const QJsonObject &o, const char *key, quint64 fallback);
/// A list-of-numbers option; @p fallback when absent or null; throws naming the key otherwise.
std::vector<double> doubleList(const QJsonObject &o, const char *key,
                               const std::vector<double> &fallback);
/// Flat neuron indices from JSON → dataset columns; throws naming @p what for bad entries.
NeuronList columnsFromJson(const Dataset &ds, const QJsonArray &flat, const QString &what);

/// The neuron ranking an analysis uses (dataset columns, most salient first), from option
/// "ranker" (see docs/cli.md); empty for "probe" (the oracle's own ordering). Fills @p info.
NeuronList rankerOrdering(const QJsonObject &options, const AnalysisContext &ctx, RankerInfo &info);

/// The output of a finished analysis: the result, its JSON and CSV tables (converted once).
AnalysisOutput outputOf(AnalysisResult result);
/// The output of an analysis that did not finish (no result).
AnalysisOutput statusOnly(Status status);

AnalysisOutput runProbe(const QJsonObject &options, AnalysisContext &ctx);
AnalysisOutput runGridSearch(const QJsonObject &options, AnalysisContext &ctx);
AnalysisOutput runMinimalSubset(const QJsonObject &options, AnalysisContext &ctx);
AnalysisOutput runAblation(const QJsonObject &options, AnalysisContext &ctx);
AnalysisOutput runSelectivity(const QJsonObject &options, AnalysisContext &ctx);
AnalysisOutput runLayerwise(const QJsonObject &options, AnalysisContext &ctx);
AnalysisOutput runCompare(const QJsonObject &options, AnalysisContext &ctx);
AnalysisOutput runClusters(const QJsonObject &options, AnalysisContext &ctx);
AnalysisOutput runNeuron(const QJsonObject &options, AnalysisContext &ctx);
AnalysisOutput runProperties(const QJsonObject &options, AnalysisContext &ctx);
/// The "intervention" analysis (run_intervention.cpp): needs ctx.session's probe and a model.
AnalysisOutput runIntervention(const QJsonObject &options, AnalysisContext &ctx);

} // namespace salient::detail
