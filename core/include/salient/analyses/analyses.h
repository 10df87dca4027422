#pragma once
// The paper's probe-based analyses on top of the experiment infrastructure (experiment.h):
// - λ grid search (paper Algorithm 2, spec/NEUROX.md §9),
// - minimal neuron subset (paper Algorithm 4, spec §10),
// - ablation curves, masking and retraining kept distinct (spec §8.1, §8.3),
// - independent / incremental layer-wise probes and LayerSelector (spec §8.2),
// - where the top neurons live (per layer, per label).
//
// Every analysis works in dataset columns 0..neurons−1 (see experiment.h), is a blocking call,
// validates its options before the data, reports progress through ExperimentProgress (returning
// false cancels; the result then has status Cancelled and keeps what was finished), and is
// deterministic for data.probe.seed. Accuracies are on ExperimentData::selection() (dev, else
// train) unless named "test" (NaN without a test split). Classification only: every analysis
// that scores accuracy throws salient::Error for a regression probe.
#include "salient/analyses/experiment.h"
#include "salient/util/stats.h"

#include <QString>
#include <QStringList>
#include <limits>
#include <vector>

namespace salient {

/**
 * The complete neuron ordering used by every analysis here: neuronOrdering(A, searchStride)
 * (spec §7.1, paper Algorithm 3) followed by the neurons it never selected, in ascending index.
 * Always a permutation of 0..A.cols()−1. "Bottom n neurons" = its last n entries.
 * @param A |W| (classes × neurons)
 * @param searchStride S of get_neuron_ordering (≥ 1; 100 = NeuroX default)
 */
NeuronList fullOrdering(const Eigen::Ref<const MatrixF> &A, int searchStride = 100);

// ------------------------------------------------------------------------------------------------
// λ grid search (Algorithm 2, spec §9)

/// Which ablation difference the grid-search score rewards (spec §9.2 and its competing readings).
enum class GridScore {
    TopMinusRandom, ///< S = α·A_full + β·(A_top − A_random)   (default; spec §9.3)
    TopMinusBottom, ///< S = α·A_full + β·(A_top − A_bottom)
    Both,           ///< S = α·A_full + β·((A_top − A_random) + (A_top − A_bottom)) / 2
};
/// "top-random", "top-bottom", "both".
QString gridScoreName(GridScore score);
/// Parses the names above; throws salient::Error for others.
GridScore gridScoreFromName(const QString &name);
/// Human-readable formula with the weights filled in, e.g. "0.5·A_full + 0.5·(A_top − A_random)".
QString gridScoreFormula(GridScore score, double alpha, double beta);

/// How the grid search picks its winner among the finished cells.
enum class GridSelection {
    /// The paper's rule (Algorithm 2): the highest score over all cells. The score rewards
    /// sparsity (A_top − A_random) and can trade away a lot of A_full for it.
    Paper,
    /// Default: only cells whose A_full is within GridSearchOptions::accuracyTolerance points of
    /// the most accurate cell's A_full compete on the score (the paper's preference among nearly
    /// equally accurate probes).
    Guarded,
};
/// "paper", "guarded".
QString gridSelectionName(GridSelection selection);
/// Parses the names above; throws salient::Error for others.
GridSelection gridSelectionFromName(const QString &name);

/// A chosen cell losing more than this many accuracy points (against the most accurate cell or
/// against λ = 0) is reported as a warning.
inline constexpr double kGridCostWarningPoints = 2.0;

struct GridSearchOptions {
    /// λ1 values (rows of the grid); default {0, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1}. Finite, ≥ 0.
    std::vector<double> l1Values{0.0, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1};
    /// λ2 values (columns of the grid); default {0, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1}. Finite, ≥ 0.
    std::vector<double> l2Values{0.0, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1};
    /// M: fraction of the neurons kept by the top / random / bottom masks, in (0, 1]; default
    /// 0.2. Kept count n = max(1, ⌊M · neurons⌋).
    double keepFraction = 0.2;
    double alpha = 0.5; ///< weight of A_full; default 0.5, finite
    double beta = 0.5;  ///< weight of the ablation difference; default 0.5, finite
    GridScore score = GridScore::TopMinusRandom;
    int searchStride = 100; ///< S of the ordering (Algorithm 3); default 100
    GridSelection selection = GridSelection::Guarded; ///< winner rule; default Guarded
    /// ε of GridSelection::Guarded in accuracy points (1 = 0.01 of A_full); default 1. In
    /// [0, 100]. Recorded but unused by GridSelection::Paper.
    double accuracyTolerance = 1.0;
    /// Seed of the random mask (randomNeuronsCount); default 0 = data.probe.seed.
    quint64 randomSeed = 0;
    int threads = 0; ///< workers for the cells; 0 = all cores
    /// Throws salient::Error with a readable message for an invalid value.
    void validate() const;
};

/// One (λ1, λ2) cell. Accuracies on the selection split; the masks are applied to the cell's own
/// trained probe (masking ablation, no retraining).
struct GridCell {
    double l1 = 0, l2 = 0;
    bool done = false;     ///< false when the search was cancelled before this cell finished
    double full = 0;       ///< A_full: all neurons
    double top = 0;        ///< A_top: only the first n of fullOrdering(|W|, S) kept
    double random = 0;     ///< A_random: only n seeded random neurons kept
    double bottom = 0;     ///< A_bottom: only the last n of fullOrdering kept
    double score = 0;      ///< gridCellScore(this, ...)
    double test = 0;       ///< A_full on the test split (NaN without one), reported only
    double macroF1 = 0;    ///< macro-F1 of the full probe on the selection split (NaN if unknown)
    bool eligible = false; ///< competed on the score under the result's selection rule
};

/// The score of a cell from its stored accuracies (pure).
double gridCellScore(const GridCell &cell, GridScore score, double alpha, double beta);

/// The most accurate finished cell (highest A_full, ties → first); −1 when none is done (pure).
int bestAccuracyCell(const std::vector<GridCell> &cells);
/**
 * Whether a finished cell competes on the score (pure): always under GridSelection::Paper; under
 * Guarded when bestFull − cell.full ≤ tolerancePoints / 100 (with a 1e-9 allowance for rounding,
 * so a cell exactly ε below the best is eligible). A cell not done is never eligible.
 * @param bestFull A_full of bestAccuracyCell()
 */
bool gridCellEligible(const GridCell &cell, double bestFull, GridSelection selection,
                      double tolerancePoints);
/**
 * The winner (pure): the eligible cell (gridCellEligible) with the highest score, ties → first;
 * −1 when no cell is done. @p tolerancePoints in accuracy points (1 = 0.01).
 */
int selectGridWinner(const std::vector<GridCell> &cells, GridSelection selection,
                     double tolerancePoints);

struct GridSearchResult {
    Status status = Status::Ok;
    std::vector<GridCell> cells; ///< row-major: cells[i·l2Values.size() + j] = (l1[i], l2[j])
    int rows = 0, cols = 0;      ///< l1Values.size(), l2Values.size()
    int best = -1; ///< winner: selectGridWinner(cells, selection, accuracyTolerance); −1 if none
    int kept = 0;  ///< n, neurons kept by each mask
    GridScore score = GridScore::TopMinusRandom;
    double alpha = 0.5, beta = 0.5;
    QString formula;                                  ///< gridScoreFormula() of the settings used
    GridSelection selection = GridSelection::Guarded; ///< the rule that chose best
    double accuracyTolerance = 1.0;                   ///< ε of that rule, accuracy points
    int bestAccuracy = -1;                            ///< bestAccuracyCell(cells); −1 if none
    /// The λ1 = λ2 = 0 reference: the index of the (0, 0) cell, or −1 when the grid lacks it and
    /// an extra λ = 0 probe was trained with the same options (then only zeroFull is known).
    int zeroCell = -1;
    double zeroFull =
        std::numeric_limits<double>::quiet_NaN(); ///< A_full of the λ = 0 reference on the
                                                  ///< selection split; NaN if unknown
    /// Always predicting the train majority label, scored on the selection split.
    MajorityBaseline baseline{QString(), std::numeric_limits<double>::quiet_NaN(),
                              std::numeric_limits<double>::quiet_NaN(), 0};
    /// Readable warnings (gridWarnings()): a cost above kGridCostWarningPoints.
    QStringList warnings;
    const GridCell *winner() const { return best >= 0 ? &cells[std::size_t(best)] : nullptr; }
    /// A_full(most accurate cell) − A_full(winner), in accuracy points; NaN without a winner.
    double costVsBest() const;
    /// A_full(λ = 0 reference) − A_full(winner), in accuracy points; NaN without either.
    double costVsZero() const;
};

/**
 * Recomputes the selection fields of @p result from its cells, selection and accuracyTolerance
 * (pure apart from @p result): every cell's eligible flag, bestAccuracy and best, then warnings
 * (gridWarnings(result, split)). zeroCell is set to the (0, 0) cell when the grid has one
 * (zeroFull then its A_full); otherwise both are kept as they are.
 */
void applyGridSelection(GridSearchResult &result, const QString &split = {});

/**
 * The warnings of a grid result (pure): one line each when the winner costs more than
 * kGridCostWarningPoints accuracy points against the most accurate cell or against λ = 0, naming
 * the cells, both costs and the rule. Empty without a winner.
 * @param split the selection split's name for the text ("dev", "train")
 */
QStringList gridWarnings(const GridSearchResult &result, const QString &split = {});

/**
 * λ grid search (paper Algorithm 2; spec §9.2 reading, §9.3). For each cell, in parallel: train a
 * probe on all neurons with data.probe and (λ1, λ2) replaced, score it on the selection split with
 * all neurons and with only the top / random / bottom n neurons kept (the others zeroed), and
 * compute the score. The winner is chosen by options.selection (applyGridSelection). When the
 * grid has no (0, 0) cell, one extra probe with λ1 = λ2 = 0 is trained as the λ = 0 reference
 * (one more progress step). Progress: one step per cell ("λ1=… λ2=…").
 * Throws salient::Error for invalid options or data, or a regression probe.
 */
GridSearchResult gridSearch(const ExperimentData &data, const GridSearchOptions &options,
                            const ExperimentProgress &progress = {});

// ------------------------------------------------------------------------------------------------
// Minimal neuron subset (Algorithm 4, spec §10)

/// Candidate fraction lists of the authors' code (spec §10.2).
enum class SubsetSizePreset {
    MaxFeatures, ///< run_max_features.py: 0.001…0.099 step 0.001, 0.10…0.50 step 0.05, 0.6…0.9
    PipelineAll, ///< run_pipeline_all.py: 0.001…0.005, 0.01…0.10 step 0.01, 0.15…0.50, 0.6…0.9
};
/// The fractions p of a preset, ascending.
std::vector<double> subsetSizeFractions(SubsetSizePreset preset);

struct MinimalSubsetOptions {
    /// δ in percent: target = oracle dev accuracy × (1 − δ/100); default 1. In [0, 100).
    double deltaPercent = 1.0;
    int searchStride = 1000; ///< S of the oracle's ordering; default 1000 (run_max_features.py)
    SubsetSizePreset preset = SubsetSizePreset::MaxFeatures; ///< default run_max_features.py
    /// User fractions p in (0, 1]; non-empty overrides the preset. Any order (sizes are sorted).
    std::vector<double> fractions;
    /// A trained oracle (on all dataset columns, in order) to use instead of training one; it must
    /// outlive the call. nullptr (default) = train it with data.probe.
    const Probe *oracle = nullptr;
    /// A ranking from another ranker (dataset columns, most salient first) to use instead of the
    /// oracle's weight ordering; empty (default) = neuronOrdering(|W_oracle|, searchStride).
    NeuronList ordering;
    /// Sizes retrained in parallel ahead of the sequential rule (speculation); 1 = strictly
    /// sequential. Default 2. The result is identical for every value.
    int window = 2;
    /// Independent searches (Seeds convention): repetition s = 0..seeds−1 trains its own oracle
    /// with probe seed data.probe.seed + s (repetition 0 uses @c oracle when given), takes that
    /// oracle's ordering (a given @c ordering is shared by every repetition), retrains its
    /// subsets with the same seed and chooses its own size. Repetition 0 is the primary result.
    /// Default 1, in 1..1000.
    int seeds = 1;
    void validate() const;
};

/// One evaluated size: a fresh probe retrained on the first @c size neurons of the ordering.
struct SubsetPoint {
    int size = 0;
    double dev = 0;    ///< accuracy on the selection split
    double test = 0;   ///< NaN without a test split
    double devF1 = 0;  ///< macro-F1 on the selection split
    double testF1 = 0; ///< macro-F1 on the test split; NaN without one
};

/**
 * The candidate sizes n = int(p · neurons) for @p fractions, in increasing order: sizes < 1 and
 * repeated sizes are skipped; sizes above @p orderingLength become orderingLength (then
 * de-duplicated), with one note in @p notes (may be nullptr) per clamped fraction.
 */
std::vector<int> subsetCandidateSizes(const std::vector<double> &fractions, int neurons,
                                      int orderingLength, QStringList *notes = nullptr);

/// The strict rule of spec §10.2: index of the first point whose dev is STRICTLY greater than
/// @p target, −1 when none.
int firstAboveTarget(const std::vector<SubsetPoint> &curve, double target);

struct MinimalSubsetResult {
    Status status = Status::Ok;
    int size = 0;             ///< chosen n (all neurons when none qualified)
    NeuronList neurons;       ///< the chosen dataset columns, most salient first
    bool allNeurons = false;  ///< no candidate beat the target: the minimal set = all neurons
    double dev = 0, test = 0; ///< accuracies of the chosen size (the oracle's when allNeurons)
    double oracleDev = 0, oracleTest = 0;
    double target = 0;              ///< oracleDev × (1 − δ/100)
    std::vector<SubsetPoint> curve; ///< every evaluated size up to the chosen one, increasing
    NeuronList ordering; ///< neuronOrdering(|W_oracle|, S).order (may be shorter than all)
    QStringList notes;   ///< e.g. sizes clamped to the ordering's length
    /// Per repetition s = 0..seeds−1 (element 0 = the primary result above): the chosen size and
    /// the oracle's accuracies. One element when seeds = 1.
    std::vector<int> seedSizes;
    std::vector<double> seedOracleDev, seedOracleTest;
    /// Always predicting the train majority label, on the selection split and on the test split
    /// (NaN without one): what every accuracy above must be compared with.
    MajorityBaseline baselineSelection, baselineTest;
    /// summarizeSeeds of seedSizes: the size as median and range (min–max) over repetitions.
    SeedSummary sizeSummary() const;
};

/**
 * Minimal neuron subset (Algorithm 4; spec §10.2/§10.3). Oracle on all neurons, target from δ,
 * ordering with stride S, then for each candidate size in increasing order a fresh probe on
 * ordering[:n] (retrainOnColumns, the oracle's hyper-parameters and seed); stops at the first size
 * whose dev accuracy is strictly above target. With options.seeds = N the search runs N times
 * (one oracle per repetition, see MinimalSubsetOptions::seeds), repetitions in parallel;
 * deterministic. Progress: one step per trained oracle and one per size ("seed 1 n=40"). A
 * cancelled search returns status Cancelled with the primary repetition's sizes finished before
 * the first unfinished one in @c curve and no choice (size 0).
 */
MinimalSubsetResult minimalSubset(const ExperimentData &data, const MinimalSubsetOptions &options,
                                  const ExperimentProgress &progress = {});

// ------------------------------------------------------------------------------------------------
// Ablation curves (spec §8.1, §8.3)

struct AblationOptions {
    /// Sizes: fractions of the neurons when every value is ≤ 1 (n = max(1, ⌊f · neurons⌋)),
    /// otherwise neuron counts (integers ≤ neurons). Default fractions
    /// {0.01, 0.02, 0.05, 0.1, 0.2, 0.5}. Sorted and de-duplicated after conversion.
    std::vector<double> sizes{0.01, 0.02, 0.05, 0.1, 0.2, 0.5};
    /// Repetitions (Seeds convention), in 1..1000; default 3. Repetition s trains its own oracle
    /// with probe seed data.probe.seed + s (repetition 0 uses @c oracle when given), takes top and
    /// bottom from that oracle's ordering (a given @c ordering is shared by every repetition),
    /// draws random set s with seed data.probe.seed + s, and retrains with probe seed + s.
    int seeds = 3;
    int searchStride = 100;        ///< S of the oracle's ordering; default 100
    bool masking = true;           ///< zero the other columns of the trained oracle (no retraining)
    bool retraining = true;        ///< retrain a fresh probe on the kept columns
    const Probe *oracle = nullptr; ///< as MinimalSubsetOptions::oracle
    /// A ranking from another ranker (dataset columns); completed with the missing columns in
    /// ascending order. Empty (default) = fullOrdering(|W_oracle|, searchStride).
    NeuronList ordering;
    int threads = 0; ///< workers for the retrainings; 0 = all cores
    void validate() const;
};

/// One ablation kind. All vectors are indexed like AblationResult::sizes; accuracies on the
/// selection split. top / bottom are repetition 0's (the primary result); the mean / sd arrays
/// are summarizeSeeds over the repetitions (sample sd, ddof = 1; NaN with one repetition).
struct AblationCurve {
    QString mode; ///< "masking" or "retraining"
    std::vector<double> top, randomMean, randomStd, bottom;
    std::vector<std::vector<double>> random; ///< [size][repetition]
    std::vector<double> topMean, topSd, bottomMean, bottomSd;
    std::vector<std::vector<double>> topPerSeed, bottomPerSeed; ///< [size][repetition]
    /// Macro-F1 on the selection split of repetition 0 (random: random set 0); may be empty in
    /// results written before they existed.
    std::vector<double> topF1, randomF1, bottomF1;
};

struct AblationResult {
    Status status = Status::Ok;
    std::vector<int> sizes;     ///< neuron counts, increasing
    AblationCurve masking;      ///< empty vectors when options.masking is false
    AblationCurve retraining;   ///< empty vectors when options.retraining is false
    double oracleSelection = 0; ///< the oracle's accuracy with all neurons
    double oracleTest = 0;      ///< NaN without a test split
    NeuronList ordering;        ///< fullOrdering(|W_oracle|, S) of repetition 0
    /// The ordering of every repetition (element 0 = ordering); for ranking-stability summaries.
    std::vector<NeuronList> orderings;
    /// Always predicting the train majority label, on the selection split and on the test split
    /// (NaN without one).
    MajorityBaseline baselineSelection, baselineTest;
};

/**
 * Ablation curves: keep the top / random (seeds) / bottom n neurons of the oracle's full ordering,
 * by masking the oracle and by retraining (all evaluations run in parallel). Progress: one step
 * for the oracle (when trained) and one per evaluation ("retraining n=13 random seed 1").
 * Cancelled: status Cancelled, unfinished entries NaN (do not use the curves).
 */
AblationResult ablationCurves(const ExperimentData &data, const AblationOptions &options,
                              const ExperimentProgress &progress = {});

// ------------------------------------------------------------------------------------------------
// Layer-wise probes and LayerSelector (spec §8.2)

struct LayerwiseOptions {
    /// δ_layer in percent: LayerSelector threshold = (1 − δ/100) × full-probe dev; default 1.
    double deltaPercent = 1.0;
    bool independent = true; ///< one probe per kept layer; default on
    int threads = 0;         ///< 0 = all cores
    /// Repetitions N (1..1000, default 1): repetition s trains every probe with probe seed
    /// data.probe.seed + s. Repetition 0 fills LayerScore::dev/test as with one seed.
    int seeds = 1;
    /// Throws salient::Error for δ outside [0, 100) or seeds outside 1..1000.
    void validate() const;
};

struct LayerScore {
    int layer = 0;   ///< original layer id (Dataset::layerIds)
    double dev = 0;  ///< accuracy on the selection split, repetition 0
    double test = 0; ///< accuracy on test, repetition 0; NaN without a test split
    double devMacroF1 = std::numeric_limits<double>::quiet_NaN();  ///< repetition 0
    double testMacroF1 = std::numeric_limits<double>::quiet_NaN(); ///< repetition 0; NaN w/o test
    SeedSummary devSeeds;  ///< selection-split accuracy over the N repetitions (n = N)
    SeedSummary testSeeds; ///< test accuracy over the N repetitions (n = 0 without test)
};

struct LayerwiseResult {
    Status status = Status::Ok;
    std::vector<LayerScore> independent; ///< per kept layer, in the dataset's kept order
    /// [k] = probe on kept layers 0..k (dataset order); the last one is the full probe.
    std::vector<LayerScore> incremental;
    int seeds = 1; ///< repetitions N
    /// Full-probe selection accuracy the threshold is taken from: the mean over the N
    /// repetitions (incremental.back().devSeeds.mean; = incremental.back().dev for one seed).
    double fullDev = 0;
    double threshold = 0;   ///< (1 − δ/100) × fullDev
    int selectedIndex = -1; ///< LayerSelector: smallest k with mean incremental[k] dev > threshold
    int selectedLayer = -1; ///< its original layer id (the last layer when none qualifies)
    /// Kept index of the best independent probe by MEAN selection accuracy over the N
    /// repetitions (ties → first); with one seed the repetition-0 accuracy.
    int bestIndependent = -1;
    /// Train-majority baselines (majorityBaseline): on the selection split and on test (NaN
    /// numbers without a test split).
    MajorityBaseline selectionBaseline, testBaseline;
};

/**
 * Independent and incremental layer-wise probes (spec §8.2) with LayerSelector, each trained
 * options.seeds times (probe seed + s). All probes are independent retrainings run in parallel;
 * progress one step per probe. Deterministic for the probe seed and N.
 */
LayerwiseResult layerwiseProbes(const ExperimentData &data, const LayerwiseOptions &options,
                                const ExperimentProgress &progress = {});

// ------------------------------------------------------------------------------------------------
// Where the neurons live (pure functions)

struct LayerDistribution {
    std::vector<int> layerIds; ///< original id of each kept layer
    std::vector<int> counts;   ///< neurons of the top-k per kept layer
    int total = 0;             ///< min(k, ordering length)
    double meanLayer = 0;      ///< mean original layer id over the top-k (NaN when empty)
};

/**
 * Counts per kept layer of the first @p k entries of @p ordering (dataset columns; column c is in
 * kept layer c / dims). Throws salient::Error for a column outside the layout or k < 0.
 */
LayerDistribution layerDistribution(const std::vector<int> &layerIds, int dims,
                                    const NeuronList &ordering, int k);
/// The same with the layout of @p layout (layerIds, dims).
LayerDistribution layerDistribution(const Dataset &layout, const NeuronList &ordering, int k);

/**
 * Per label (row of W): the layer distribution of the top-@p k neurons of that label's own ranking
 * classRanking(|W|, c) (spec §7.1), mapped through probe.columns to dataset columns.
 */
std::vector<LayerDistribution> labelLayerDistributions(const std::vector<int> &layerIds, int dims,
                                                       const Probe &probe, int k);

} // namespace salient
