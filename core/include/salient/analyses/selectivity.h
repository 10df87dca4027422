#pragma once
// Control tasks and selectivity (spec/NEUROX.md §11, Hewitt & Liang 2019), and overlap of neuron
// sets (several properties at once, model comparison).
//
// Columns: neuron sets are dataset columns 0..neurons−1 as everywhere in the experiments (see
// experiment.h); map them with NeuronLayout (probe/neuronid.h) for output.
#include "salient/analyses/experiment.h"
#include "salient/util/stats.h"

#include <QString>
#include <QStringList>
#include <limits>
#include <vector>

namespace salient {

/// Where a control label's probability comes from (NeuroX's `sample_from`).
enum class ControlSampling {
    Same,    ///< "same": the train label frequencies (NeuroX default)
    Uniform, ///< "uniform": 1/K for every control label
};

/// Options of the control task (spec §11.3).
struct ControlTaskOptions {
    /// Word types are the token text as is (NeuroX default true); false lowercases them
    /// (QString::toLower, Unicode-aware), so "The" and "the" share one control label.
    bool caseSensitive = true;
    ControlSampling sampleFrom = ControlSampling::Same; ///< default "same" as NeuroX
    /// Seed of the per-type draws. NeuroX uses numpy's unseeded global RNG (not reproducible);
    /// Salient draws from std::mt19937_64 seeded from this value and records it.
    quint64 seed = 1;
};

/**
 * Control labels for every row of the given splits (spec §11.2, seeded as §11.3 asks).
 *
 * K = number of distinct class indices present in train.y. Control class k (0..K−1) has the
 * probability of the k-th train label in order of first appearance in train (NeuroX's Counter
 * order), or 1/K with ControlSampling::Uniform. Rows are traversed train → dev → test in row
 * order (Dataset::rowToken); a word type seen for the first time draws its control class by
 * inverse CDF from a 53-bit uniform double; later tokens of the type reuse it. Types seen only in
 * dev/test get fresh draws too, so the map spans the whole vocabulary.
 */
struct ControlTask {
    VectorI train, dev, test; ///< control class per row; dev/test empty when the split is absent
    QStringList labels;       ///< neutral names "c0".."cK−1", never the real tag names
    int classes = 0;          ///< K
    std::vector<double> distribution; ///< probability of each control class (sums to 1)
    std::vector<int> sourceLabel; ///< train class index whose frequency class k got (−1 = uniform)
    Index types = 0;              ///< size of the type → control class map (all splits)
    quint64 seed = 1;
    ControlTaskOptions options;
};

/// Builds the control task. @p dev and @p test may be null. Every given split needs one
/// rowToken per row and train needs class labels (y). Throws salient::Error when train is empty,
/// tokens or labels are missing, or train has fewer than 2 distinct labels.
ControlTask makeControlTask(const Dataset &train, const Dataset *dev, const Dataset *test,
                            const ControlTaskOptions &options = {});

/// The split on which selectivity is measured.
enum class SelectivitySplit {
    Auto, ///< dev when present, else test (Salient default; spec §11.3 suggests test)
    Dev,
    Test,
    Train, ///< as NeuroX's README demonstration; not held-out, only on explicit request
};

/// A named set of dataset columns, e.g. {"all", {}} or {"minimal", {...}}. Empty columns = all.
struct NamedNeuronSet {
    QString name;
    NeuronList columns;
};

struct SelectivityOptions {
    ControlTaskOptions control;
    SelectivitySplit split = SelectivitySplit::Auto;
    int threads = 0; ///< parallel probes (0 = all cores)
    /// Repetitions N (1..1000, default 1): repetition s draws its control task with seed
    /// control.seed + s and trains both probes with probe seed data.probe.seed + s. Repetition 0
    /// is the primary result (SelectivityEntry's accuracies).
    int seeds = 1;
};

/// Selectivity of one neuron set: both probes trained with ExperimentData::probe on the same
/// columns of train, scored on the same held-out split.
struct SelectivityEntry {
    QString name;
    int neurons = 0;            ///< columns used (all neurons when the set was empty)
    double taskAccuracy = 0;    ///< accuracy of the probe on the real labels
    double controlAccuracy = 0; ///< accuracy of the probe on the control labels
    double selectivity = 0;     ///< taskAccuracy − controlAccuracy (in [−1, 1])
    double taskMacroF1 = std::numeric_limits<double>::quiet_NaN();    ///< task probe, rep. 0
    double controlMacroF1 = std::numeric_limits<double>::quiet_NaN(); ///< control probe, rep. 0
    /// Over the N repetitions (N control tasks, probe seeds + s); n = N.
    SeedSummary taskSeeds, controlSeeds, selectivitySeeds;
};

struct SelectivityResult {
    Status status = Status::Ok;         ///< Cancelled: entries are incomplete and must not be shown
    std::vector<SelectivityEntry> sets; ///< in the order of the input sets
    QString split;                      ///< the split actually used: "dev", "test" or "train"
    quint64 seed = 1;                   ///< control task seed
    quint64 probeSeed = 1;              ///< ExperimentData::probe.seed (both probes)
    int controlClasses = 0;             ///< K
    Index controlTypes = 0;             ///< word types in the control map
    int seeds = 1;                      ///< repetitions N (control seeds seed..seed+N−1)
    /// Train-majority baselines of the real task (majorityBaseline) on `split` and on test
    /// (NaN numbers without a test split).
    MajorityBaseline splitBaseline, testBaseline;
    /// The control task's own majority baseline, repetition 0: always predicting the most
    /// frequent control label of train, scored against the control labels of `split`. A
    /// control accuracy near it means the control probe learned nothing beyond the prior.
    MajorityBaseline controlBaseline;
    SeedSummary controlBaselineSeeds; ///< its accuracy over the N control tasks
};

/**
 * Selectivity = task accuracy − control accuracy (spec §11.1) for every set in @p sets, with
 * the control task built from @p data's splits (makeControlTask). The 2·sets probes are
 * independent and run in parallel (parallelFor); @p progress is called once per finished probe
 * and may cancel. With options.seeds = N every probe pair is trained N times (repetition s:
 * control task seed + s, probe seed + s), 2·sets·N probes in all. Classification only. Throws
 * salient::Error for invalid data/options (seeds outside 1..1000), a requested split that is
 * absent, a set with out-of-range or duplicate columns, or an empty @p sets. Deterministic for
 * the probe seed, the control seed and N.
 */
SelectivityResult computeSelectivity(const ExperimentData &data,
                                     const std::vector<NamedNeuronSet> &sets,
                                     const SelectivityOptions &options = {},
                                     const ExperimentProgress &progress = {});

/// The same with a prepared control task (e.g. to share one across calls); @p control must
/// have been built from data.train/dev/test. It is repetition 0; repetitions s ≥ 1 build their
/// own with control.options and seed control.seed + s.
SelectivityResult computeSelectivity(const ExperimentData &data,
                                     const std::vector<NamedNeuronSet> &sets,
                                     const ControlTask &control,
                                     const SelectivityOptions &options = {},
                                     const ExperimentProgress &progress = {});

// ---- Overlap of neuron sets (pure functions; inputs are treated as sets, duplicates ignored) ----

/// Overlap of two neuron sets. Undefined ratios (both sets empty; overlap coefficient with an
/// empty set) are NaN.
struct SetOverlap {
    Index sizeA = 0, sizeB = 0; ///< distinct neurons in each set
    Index intersection = 0;
    Index unionSize = 0;
    double jaccard = 0;            ///< |A∩B| / |A∪B|
    double overlapCoefficient = 0; ///< |A∩B| / min(|A|, |B|)
    NeuronList shared;             ///< A∩B, ascending
};
SetOverlap neuronOverlap(const NeuronList &a, const NeuronList &b);

/// Overlap of the top-k prefixes of two orderings (most salient first).
struct TopKOverlap {
    int k = 0;          ///< requested k
    int kA = 0, kB = 0; ///< prefix lengths used: min(k, ordering length)
    Index intersection = 0;
    double fraction = 0; ///< intersection / min(kA, kB) (NaN when an ordering is empty)
    double jaccard = 0;  ///< intersection / |prefixA ∪ prefixB|
};
/// One entry per k in @p ks (order kept). Throws salient::Error for k < 1 or an ordering that
/// repeats a neuron.
std::vector<TopKOverlap> topKOverlap(const NeuronList &orderA, const NeuronList &orderB,
                                     const std::vector<int> &ks);

/// Pairwise overlaps of N named sets; all matrices are N × N and symmetric.
struct OverlapMatrix {
    QStringList names;
    Eigen::MatrixXd intersection;       ///< diagonal = set size
    Eigen::MatrixXd jaccard;            ///< diagonal = 1 (NaN for an empty set)
    Eigen::MatrixXd overlapCoefficient; ///< diagonal = 1 (NaN for an empty set)
};
/// Here an empty column list means the empty set (not "all neurons").
OverlapMatrix overlapMatrix(const std::vector<NamedNeuronSet> &sets);

} // namespace salient
