// The paper's probe-based analyses (spec/NEUROX.md §8–§10), split by analysis: this file holds the
// helpers they share (analyses_p.h), the full neuron ordering and the layer distribution of top
// neurons; gridsearch.cpp (Algorithm 2, §9), minimalsubset.cpp (Algorithm 4, §10), ablation.cpp
// (§8.1/§8.3) and layerwise.cpp (§8.2) hold the rest. See analyses.h for the contracts.
#include "salient/analyses/analyses.h"

#include "analyses_p.h"
#include "salient/probe/metrics.h"
#include "salient/probe/ranking.h"
#include "salient/util/error.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace salient {

using namespace analyses_detail;

namespace analyses_detail {

QString num(double v)
{
    return QString::number(v, 'g', 6);
}

void requireClassification(const ExperimentData &data, const QString &analysis)
{
    if (data.probe.regression)
        throw Error(QStringLiteral("%1 scores probes by accuracy and needs a classification task; "
                                   "the probe is a regression probe")
                        .arg(analysis));
}

void requireFinite(double v, const QString &what)
{
    if (!std::isfinite(v))
        throw Error(QStringLiteral("%1 must be a finite number (got %2)").arg(what, num(v)));
}

/// Every column of 0..neurons−1 not in @p keep, ascending: the `zeroed` list of a "keep" mask.
NeuronList complementOf(const NeuronList &keep, int neurons)
{
    std::vector<char> kept(std::size_t(neurons), 0);
    for (int c : keep)
        kept[std::size_t(c)] = 1;
    NeuronList out;
    out.reserve(std::size_t(neurons) - std::min(keep.size(), std::size_t(neurons)));
    for (int c = 0; c < neurons; ++c)
        if (!kept[std::size_t(c)])
            out.push_back(c);
    return out;
}

NeuronList prefix(const NeuronList &list, int n)
{
    return NeuronList(list.begin(),
                      list.begin() + std::min<std::ptrdiff_t>(n, std::ptrdiff_t(list.size())));
}

NeuronList suffix(const NeuronList &list, int n)
{
    return NeuronList(list.end() - std::min<std::ptrdiff_t>(n, std::ptrdiff_t(list.size())),
                      list.end());
}

/// Maps positions into a probe's inputs to dataset columns.
NeuronList toColumns(const Probe &probe, const NeuronList &positions)
{
    if (probe.columns.empty())
        return positions;
    NeuronList out;
    out.reserve(positions.size());
    for (int p : positions)
        out.push_back(probe.columns[std::size_t(p)]);
    return out;
}

MatrixF absWeights(const Probe &probe, const QString &what)
{
    if (!probe.W.allFinite())
        throw Error(QStringLiteral("%1: the probe's weights are not finite (training diverged); "
                                   "lower the learning rate or the penalties")
                        .arg(what));
    return probe.W.cwiseAbs();
}

int fusedGroupSize(int classes, int inputs)
{
    // W, m, v and the gradient: ~4 floats per weight (classes padded to whole kernel tiles).
    const double perProbe = 16.0 * double((std::max(classes, 1) + 7) / 8 * 8) * double(inputs);
    return int(std::clamp(std::floor(double(1ULL << 30) / std::max(perProbe, 1.0)), 1.0, 4096.0));
}

double accuracyOf(const Probe &probe, const Dataset &ds, const NeuronList &zeroed)
{
    return evaluateProbe(probe, *ds.features(), ds.y, ds.yValue, zeroed).accuracy;
}

double testAccuracyOf(const Probe &probe, const ExperimentData &data)
{
    return data.test ? accuracyOf(probe, *data.test) : kNaN;
}

/// A given oracle must be a classification probe on all dataset columns, in order.
void checkOracle(const Probe &oracle, const ExperimentData &data, const QString &analysis)
{
    const int D = data.train->neurons();
    if (oracle.regression)
        throw Error(QStringLiteral("%1: the given oracle is a regression probe").arg(analysis));
    if (oracle.inputs() != D)
        throw Error(
            QStringLiteral("%1: the given oracle has %2 inputs but the data has %3 neurons; "
                           "it must be trained on all neurons")
                .arg(analysis)
                .arg(oracle.inputs())
                .arg(D));
    for (std::size_t j = 0; j < oracle.columns.size(); ++j)
        if (oracle.columns[j] != int(j))
            throw Error(QStringLiteral("%1: the given oracle's inputs are not the dataset columns "
                                       "0..%2 in order (input %3 is column %4)")
                            .arg(analysis)
                            .arg(D - 1)
                            .arg(j)
                            .arg(oracle.columns[j]));
    if (oracle.classes() != int(data.labels.size()))
        throw Error(QStringLiteral("%1: the given oracle has %2 classes but the task has %3 labels")
                        .arg(analysis)
                        .arg(oracle.classes())
                        .arg(data.labels.size()));
}

/// Trains the oracle on all columns (or returns status Cancelled).
TrainResult trainOracle(const ExperimentData &data, const TrainCallback &callback)
{
    return trainProbe(*data.train->features(), data.train->y, data.train->yValue, data.labels,
                      data.probe, {}, {}, nullptr, callback);
}

TrainCallback cancelCallback(const ProgressRelay &relay)
{
    return [&relay](const TrainProgress &) { return !relay.cancelled(); };
}

/// A caller-given ranking (dataset columns): checked for range and repeats; with @p complete the
/// columns it lacks are appended in ascending order.
NeuronList checkedOrdering(const NeuronList &ordering, int neurons, bool complete)
{
    std::vector<char> seen(std::size_t(neurons), 0);
    for (int c : ordering) {
        if (c < 0 || c >= neurons)
            throw Error(QStringLiteral("ranking: column %1 outside 0..%2").arg(c).arg(neurons - 1));
        if (seen[std::size_t(c)])
            throw Error(QStringLiteral("ranking: column %1 appears twice").arg(c));
        seen[std::size_t(c)] = 1;
    }
    NeuronList out = ordering;
    if (complete)
        for (int c = 0; c < neurons; ++c)
            if (!seen[std::size_t(c)])
                out.push_back(c);
    return out;
}

} // namespace analyses_detail

NeuronList fullOrdering(const Eigen::Ref<const MatrixF> &A, int searchStride)
{
    NeuronList order = neuronOrdering(A, searchStride).order;
    const int D = int(A.cols());
    const NeuronList rest = complementOf(order, D);
    order.insert(order.end(), rest.begin(), rest.end());
    return order;
}

// ------------------------------------------------------------------------------------------------
// Layer distribution

LayerDistribution layerDistribution(const std::vector<int> &layerIds, int dims,
                                    const NeuronList &ordering, int k)
{
    if (dims < 1)
        throw Error(
            QStringLiteral("layer distribution: dims must be at least 1 (got %1)").arg(dims));
    if (k < 0)
        throw Error(QStringLiteral("layer distribution: k must be ≥ 0 (got %1)").arg(k));
    const int neurons = int(layerIds.size()) * dims;
    LayerDistribution d;
    d.layerIds = layerIds;
    d.counts.assign(layerIds.size(), 0);
    d.total = std::min(k, int(ordering.size()));
    double sum = 0;
    for (int i = 0; i < d.total; ++i) {
        const int c = ordering[std::size_t(i)];
        if (c < 0 || c >= neurons)
            throw Error(QStringLiteral("layer distribution: column %1 is outside the %2 layers × "
                                       "%3 dims")
                            .arg(c)
                            .arg(layerIds.size())
                            .arg(dims));
        const std::size_t layer = std::size_t(c / dims);
        ++d.counts[layer];
        sum += layerIds[layer];
    }
    d.meanLayer = d.total > 0 ? sum / double(d.total) : kNaN;
    return d;
}

LayerDistribution layerDistribution(const Dataset &layout, const NeuronList &ordering, int k)
{
    return layerDistribution(layout.layerIds, layout.dims, ordering, k);
}

std::vector<LayerDistribution> labelLayerDistributions(const std::vector<int> &layerIds, int dims,
                                                       const Probe &probe, int k)
{
    const MatrixF A = absWeights(probe, QStringLiteral("layer distribution"));
    std::vector<LayerDistribution> out;
    for (int c = 0; c < int(A.rows()); ++c)
        out.push_back(layerDistribution(layerIds, dims, toColumns(probe, classRanking(A, c)), k));
    return out;
}

} // namespace salient
