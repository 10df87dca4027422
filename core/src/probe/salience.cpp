#include "salient/probe/salience.h"

#include "salient/session/results.h"
#include "salient/util/error.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace salient {

SalienceMatrix salienceMatrix(const Probe &probe, const std::vector<int> &layerIds, int dims,
                              int label, SalienceMode mode)
{
    const int L = int(layerIds.size());
    if (L < 1 || dims < 1)
        throw Error(
            QStringLiteral("salience: empty layout (%1 layers × %2 dims)").arg(L).arg(dims));
    if (label < -1 || label >= probe.classes())
        throw Error(
            QStringLiteral("salience: label %1 outside 0..%2").arg(label).arg(probe.classes() - 1));
    if (probe.columns.size() != size_t(probe.inputs()))
        throw Error(QStringLiteral("salience: probe has %1 weight columns but %2 column indices")
                        .arg(probe.inputs())
                        .arg(probe.columns.size()));
    const int N = L * dims;
    // Weight mass per input (double accumulation), then shares.
    std::vector<double> mass(static_cast<size_t>(N), std::nan(""));
    double total = 0;
    for (int j = 0; j < probe.inputs(); ++j) {
        const int c = probe.columns[size_t(j)];
        if (c < 0 || c >= N)
            throw Error(QStringLiteral("salience: probe column %1 outside the %2 × %3 layout")
                            .arg(c)
                            .arg(L)
                            .arg(dims));
        double m = 0;
        if (label >= 0)
            m = std::abs(double(probe.W(label, j)));
        else
            for (int k = 0; k < probe.classes(); ++k)
                m += std::abs(double(probe.W(k, j)));
        mass[size_t(c)] = m;
        total += m;
    }
    SalienceMatrix s;
    s.layers = L;
    s.dims = dims;
    s.layerIds = layerIds;
    s.values.resize(L, dims);
    s.rankOf.assign(size_t(N), -1);
    std::vector<int> order;
    for (int c = 0; c < N; ++c)
        if (!std::isnan(mass[size_t(c)]))
            order.push_back(c);
    std::stable_sort(order.begin(), order.end(),
                     [&](int a, int b) { return mass[size_t(a)] > mass[size_t(b)]; });
    for (size_t r = 0; r < order.size(); ++r)
        s.rankOf[size_t(order[r])] = int(r);
    const double used = double(order.size());
    for (int c = 0; c < N; ++c) {
        float v = std::nanf("");
        if (!std::isnan(mass[size_t(c)]))
            v = mode == SalienceMode::Rank ? float(1.0 - s.rankOf[size_t(c)] / used)
                                           : float(total > 0 ? mass[size_t(c)] / total : 0.0);
        s.values(c / dims, c % dims) = v;
    }
    s.sortedIndex.resize(L, dims);
    for (int l = 0; l < L; ++l) {
        std::vector<int> idx(static_cast<size_t>(dims));
        std::iota(idx.begin(), idx.end(), 0);
        std::stable_sort(idx.begin(), idx.end(), [&](int a, int b) {
            const float va = s.values(l, a), vb = s.values(l, b);
            if (std::isnan(va) != std::isnan(vb))
                return std::isnan(vb); // used neurons first
            return va > vb;
        });
        for (int p = 0; p < dims; ++p)
            s.sortedIndex(l, p) = idx[size_t(p)];
    }
    return s;
}

SalienceMatrix salienceMatrix(const ProbeReport &report, int label, SalienceMode mode)
{
    const NeuronLayout &layout = report.layout;
    const int N = layout.columns();
    if (report.probe.inputs() != N)
        throw Error(QStringLiteral("salience: the probe has %1 inputs, the layout %2 neurons")
                        .arg(report.probe.inputs())
                        .arg(N));
    if (label >= int(report.perLabel.size()))
        throw Error(QStringLiteral("salience: label %1 has no ranking (%2 labels)")
                        .arg(label)
                        .arg(report.perLabel.size()));
    SalienceMatrix s = salienceMatrix(report.probe, layout.layerIds, layout.dims, label,
                                      SalienceMode::WeightShare);
    const NeuronList &order = label < 0 ? report.ordering : report.perLabel[size_t(label)];
    s.rankOf.assign(size_t(N), -1);
    for (size_t r = 0; r < order.size(); ++r)
        if (layout.isColumn(order[r]))
            s.rankOf[size_t(order[r])] = int(r);
    const double used = double(order.size());
    if (mode == SalienceMode::Rank)
        for (int c = 0; c < N; ++c)
            s.values(c / layout.dims, c % layout.dims) =
                s.rankOf[size_t(c)] < 0 ? std::nanf("") : float(1.0 - s.rankOf[size_t(c)] / used);
    for (int l = 0; l < s.layers; ++l) {
        std::vector<int> idx(static_cast<size_t>(s.dims));
        std::iota(idx.begin(), idx.end(), 0);
        auto rank = [&](int d) {
            const int r = s.rankOf[size_t(l * s.dims + d)];
            return r < 0 ? N : r; // unranked last
        };
        std::stable_sort(idx.begin(), idx.end(), [&](int a, int b) { return rank(a) < rank(b); });
        for (int p = 0; p < s.dims; ++p)
            s.sortedIndex(l, p) = idx[size_t(p)];
    }
    return s;
}

NeuronList withinCumulativeMass(const SalienceMatrix &m, double mass)
{
    if (!(mass > 0 && mass <= 1))
        throw Error(
            QStringLiteral("salience: cumulative mass must be in (0, 1] (got %1)").arg(mass));
    std::vector<int> order;
    for (size_t c = 0; c < m.rankOf.size(); ++c)
        if (m.rankOf[c] >= 0)
            order.push_back(int(c));
    std::sort(order.begin(), order.end(),
              [&](int a, int b) { return m.rankOf[size_t(a)] < m.rankOf[size_t(b)]; });
    double total = 0;
    for (int c : order)
        total += m.values(c / m.dims, c % m.dims);
    NeuronList out;
    double acc = 0;
    for (int c : order) {
        out.push_back(c);
        acc += m.values(c / m.dims, c % m.dims);
        if (acc >= mass * total * (1 - 1e-6)) // float shares: tolerate rounding of the total
            break;
    }
    return out;
}

} // namespace salient
