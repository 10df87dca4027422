#pragma once
// Private to core/src/analyses: the helpers shared by the probe-based analyses (analyses.cpp,
// gridsearch.cpp, minimalsubset.cpp, ablation.cpp, layerwise.cpp). Not installed; core only.
// Every function throws salient::Error on bad input, as its callers do.
#include "salient/analyses/analyses.h"

#include <QString>
#include <limits>

namespace salient::analyses_detail {

const double kNaN = std::numeric_limits<double>::quiet_NaN();

/// A number for messages: up to 6 significant digits.
QString num(double v);

/// Throws unless the probe settings describe a classification task (@p analysis names the caller).
void requireClassification(const ExperimentData &data, const QString &analysis);

/// Throws naming @p what unless @p v is finite.
void requireFinite(double v, const QString &what);

/// Every column of 0..neurons−1 not in @p keep, ascending: the `zeroed` list of a "keep" mask.
NeuronList complementOf(const NeuronList &keep, int neurons);

/// The first @p n entries of @p list (all when shorter).
NeuronList prefix(const NeuronList &list, int n);

/// The last @p n entries of @p list (all when shorter).
NeuronList suffix(const NeuronList &list, int n);

/// Maps positions into a probe's inputs to dataset columns.
NeuronList toColumns(const Probe &probe, const NeuronList &positions);

/// |W| of @p probe; throws naming @p what when the weights are not finite.
MatrixF absWeights(const Probe &probe, const QString &what);

/// Accuracy of @p probe on @p ds with the columns @p zeroed masked.
double accuracyOf(const Probe &probe, const Dataset &ds, const NeuronList &zeroed = {});

/// Accuracy on the test split, NaN when there is none.
double testAccuracyOf(const Probe &probe, const ExperimentData &data);

/// A given oracle must be a classification probe on all dataset columns, in order.
void checkOracle(const Probe &oracle, const ExperimentData &data, const QString &analysis);

/// Trains the oracle on all columns (or returns status Cancelled).
TrainResult trainOracle(const ExperimentData &data, const TrainCallback &callback);

/// How many probes of @p classes × @p inputs weights one fused training (trainProbes) takes at
/// most: weights, gradient and Adam state within ~1 GiB, at least 1.
int fusedGroupSize(int classes, int inputs);

/// A training callback that stops when @p relay is cancelled; @p relay must outlive it.
TrainCallback cancelCallback(const ProgressRelay &relay);

/// A caller-given ranking (dataset columns): checked for range and repeats; with @p complete the
/// columns it lacks are appended in ascending order.
NeuronList checkedOrdering(const NeuronList &ordering, int neurons, bool complete);

} // namespace salient::analyses_detail
