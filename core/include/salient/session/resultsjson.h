#pragma once
// The only code that knows the keys of result files (docs/cli.md documents them): typed
// results (results.h) → JSON, CSV tables and arrays, and back. Neuron lists in JSON are NeuroX
// flat indices (NeuronLayout::flatIndex); numbers that are not available (NaN) are null.
#include "salient/session/results.h"

#include <QByteArray>
#include <QJsonObject>
#include <map>

namespace salient {

/// The result object of @p r (the same JSON salient-cli writes as NAME.json). Pure.
QJsonObject toJson(const AnalysisResult &r);
QJsonObject toJson(const ProbeReport &r);
QJsonObject toJson(const GridSearchReport &r);
QJsonObject toJson(const MinimalSubsetReport &r);
QJsonObject toJson(const AblationReport &r);
QJsonObject toJson(const SelectivityReport &r);
QJsonObject toJson(const LayerwiseReport &r);
QJsonObject toJson(const CompareReport &r);

/**
 * Rebuilds the typed result of analysis @p name from its JSON and, for "probe", the arrays
 * "probe/W", "probe/b" and, when standardised, "probe/mean", "probe/scale" (other names ignore
 * @p arrays). "clusters", "neuron" and "properties" give a JsonReport. Throws salient::Error
 * naming the analysis and the key that is missing or malformed, or an unknown analysis name.
 * resultFromJson(name, toJson(x), resultArrays(x)) gives back x (per-token predictions and
 * JsonReport CSV tables are not stored and come back empty). Probe results written before the
 * typed reports (no "layout", "top_fraction", "top_k", per-split "majority_*", a "ranking" that
 * stops at NeuroX's cutoff) are read with layers_used/dims, 0.05, the distribution's k, NaN, and
 * the ranking completed by the unranked columns in ascending order. Minimal-subset and ablation
 * results written before their ranker object was renamed "ranker" (it was "ranking") still load.
 */
AnalysisResult resultFromJson(const QString &name, const QJsonObject &json,
                              const std::map<QString, RowMatrixF> &arrays);

/// The CSV tables of a result: file name → CSV text ("ranking.csv", "csv", "curve.csv",
/// "overlap.csv", "top_words.csv"; salient-cli writes them as NAME.FILE). Pure.
std::vector<std::pair<QString, QByteArray>> csvTables(const AnalysisResult &r);

/// Arrays a result stores beside the JSON (probe: "probe/W" classes × columns, "probe/b"
/// 1 × classes, and when standardised "probe/mean", "probe/scale" 1 × columns). Pure.
std::map<QString, RowMatrixF> resultArrays(const AnalysisResult &r);

/// JSON of a layout: {"layer_ids": [...], "dims": D}.
QJsonObject toJson(const NeuronLayout &layout);
/// Throws salient::Error naming @p what when malformed.
NeuronLayout neuronLayoutFromJson(const QJsonObject &o, const QString &what);

} // namespace salient
