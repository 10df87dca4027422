#pragma once
// Stability of a neuron ranking across repetitions (issue "results a careful researcher can
// publish"): how much the top-k of N orderings (e.g. probes trained with N seeds, or with and
// without standardisation) agree, and where in the model they live. Pure functions; any thread.
#include "salient/probe/neuronid.h"
#include "salient/util/matrix.h"
#include "salient/util/stats.h"

#include <vector>

namespace salient {

/**
 * Agreement of the top-k sets of several orderings (run 0 is the reference run). With k' =
 * min(k, ordering length) per run, the top-k set of a run is the first k' entries of its ordering.
 * Pairwise numbers are taken over all runs·(runs−1)/2 unordered pairs; with fewer than two runs
 * they are NaN (there is no pair), with zero runs every number is NaN.
 */
struct RankingStability {
    int k = 0;    ///< requested k
    int runs = 0; ///< number of orderings compared
    /// Mean and minimum over pairs of |A∩B| / |A∪B| (NaN when a pair's union is empty).
    double meanJaccard = 0, minJaccard = 0;
    /// Mean over pairs of |A∩B| / min(|A|, |B|) (= |A∩B| / k when both orderings have ≥ k
    /// neurons).
    double meanOverlap = 0;
    /// Fraction of run 0's top-k that is in the top-k of every run (1 for a single run; NaN when
    /// run 0's top-k is empty or there are no runs).
    double shareInAll = 0;
    /// Columns of run 0's top-k present in every run's top-k, in run 0's order.
    NeuronList inAll;
    /// Mean file layer id (NeuronLayout::neuron(c).layer, as LayerDistribution::meanLayer) of
    /// each run's top-k; NaN for an empty top-k.
    std::vector<double> meanLayers;
    /// summarizeSeeds(meanLayers): mean ± sd of the mean layer over runs.
    SeedSummary meanLayer;
};

/**
 * The stability of the top-@p k of @p orderings (columns of @p layout, most salient first; only
 * the first k entries of each are read, so top-k prefixes suffice). Throws salient::Error for
 * k < 1, a column outside @p layout or a top-k that lists a neuron twice.
 */
RankingStability rankingStability(const std::vector<NeuronList> &orderings,
                                  const NeuronLayout &layout, int k);

} // namespace salient
