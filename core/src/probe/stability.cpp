#include "salient/probe/stability.h"

#include "salient/util/error.h"

#include <algorithm>
#include <iterator>
#include <limits>

namespace salient {

RankingStability rankingStability(const std::vector<NeuronList> &orderings,
                                  const NeuronLayout &layout, int k)
{
    if (k < 1)
        throw Error(QStringLiteral("ranking stability: k must be >= 1, got %1").arg(k));
    const double nan = std::numeric_limits<double>::quiet_NaN();
    RankingStability s;
    s.k = k;
    s.runs = int(orderings.size());
    s.meanJaccard = s.minJaccard = s.meanOverlap = s.shareInAll = nan;

    // Sorted top-k set of every run, validated.
    std::vector<NeuronList> sets;
    sets.reserve(orderings.size());
    for (size_t r = 0; r < orderings.size(); ++r) {
        const NeuronList &o = orderings[r];
        NeuronList top(o.begin(),
                       o.begin() + std::min<std::ptrdiff_t>(k, std::ptrdiff_t(o.size())));
        double layerSum = 0;
        for (int c : top) {
            if (!layout.isColumn(c))
                throw Error(QStringLiteral("ranking stability: run %1 lists column %2, outside "
                                           "the layout's %3 columns")
                                .arg(r)
                                .arg(c)
                                .arg(layout.columns()));
            layerSum += layout.neuron(c).layer;
        }
        s.meanLayers.push_back(top.empty() ? nan : layerSum / double(top.size()));
        std::sort(top.begin(), top.end());
        if (std::adjacent_find(top.begin(), top.end()) != top.end())
            throw Error(
                QStringLiteral("ranking stability: the top-%1 of run %2 lists a neuron twice")
                    .arg(k)
                    .arg(r));
        sets.push_back(std::move(top));
    }
    s.meanLayer = summarizeSeeds(s.meanLayers);
    if (sets.empty())
        return s;

    // Pairwise agreement.
    double jaccardSum = 0, overlapSum = 0, minJaccard = std::numeric_limits<double>::infinity();
    int jaccardPairs = 0, overlapPairs = 0;
    for (size_t a = 0; a < sets.size(); ++a) {
        for (size_t b = a + 1; b < sets.size(); ++b) {
            NeuronList shared;
            std::set_intersection(sets[a].begin(), sets[a].end(), sets[b].begin(), sets[b].end(),
                                  std::back_inserter(shared));
            const double inter = double(shared.size());
            const double unionSize = double(sets[a].size() + sets[b].size()) - inter;
            const double smaller = double(std::min(sets[a].size(), sets[b].size()));
            if (unionSize > 0) {
                const double j = inter / unionSize;
                jaccardSum += j;
                minJaccard = std::min(minJaccard, j);
                ++jaccardPairs;
            }
            if (smaller > 0) {
                overlapSum += inter / smaller;
                ++overlapPairs;
            }
        }
    }
    if (jaccardPairs > 0) {
        s.meanJaccard = jaccardSum / jaccardPairs;
        s.minJaccard = minJaccard;
    }
    if (overlapPairs > 0)
        s.meanOverlap = overlapSum / overlapPairs;

    // Run 0's top-k neurons found in every run, in run 0's order.
    const NeuronList &first = orderings.front();
    const size_t k0 = sets.front().size();
    for (size_t i = 0; i < k0; ++i) {
        const int c = first[i];
        bool everywhere = true;
        for (size_t r = 1; r < sets.size() && everywhere; ++r)
            everywhere = std::binary_search(sets[r].begin(), sets[r].end(), c);
        if (everywhere)
            s.inAll.push_back(c);
    }
    if (k0 > 0)
        s.shareInAll = double(s.inAll.size()) / double(k0);
    return s;
}

} // namespace salient
