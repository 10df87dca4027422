#pragma once
// Typed results of the analyses (issue "one source of truth"). Every analysis of pipeline.h
// produces one of these reports; the JSON of a result file, the CSV tables and every GUI view
// are derived from the report (resultsjson.h), never the other way round.
//
// Index spaces: neuron lists inside a report are COLUMNS of its NeuronLayout (positions in the
// loaded matrix); JSON files hold NeuroX flat indices (NeuronLayout::flatIndex). Accuracies are
// fractions in [0, 1]; NaN means "not available" (e.g. no test split) and is null in JSON.
#include "salient/analyses/analyses.h"
#include "salient/analyses/selectivity.h"
#include "salient/probe/metrics.h"
#include "salient/probe/neuronid.h"
#include "salient/probe/probe.h"
#include "salient/probe/stability.h"
#include "salient/util/stats.h"

#include <QJsonObject>
#include <limits>
#include <optional>
#include <variant>

namespace salient {

inline constexpr double kNotAvailable = std::numeric_limits<double>::quiet_NaN();

/// A probe evaluated on one split. evaluation.predicted / predictedValue are left empty (the
/// report keeps what is shown, not per-token outputs).
struct SplitEvaluation {
    QString split; ///< "train", "dev", "test"
    Index tokens = 0, sentences = 0;
    Evaluation evaluation; ///< metrics.h
    /// Accuracy of always predicting the TRAIN majority label on this split (classification;
    /// NaN for regression or an empty split).
    double majorityAccuracy = kNotAvailable;
    QString majorityLabel; ///< the train majority label (empty for regression)
    int mismatchedLines = 0;
    /// The split's input files, as given (empty for the built-in demo and in older results).
    QString wordsFile, labelsFile, activationsFile;
    /// A line whose words, labels and activations disagree: 1-based line number and reason.
    struct DroppedLine {
        Index line = 0;
        QString reason;
    };
    /// The first AlignmentReport::kListedMismatches dropped lines (mismatchedLines counts all).
    std::vector<DroppedLine> droppedLines;
    QStringList warnings;
    /// Over the repetitions of a "probe" run with seeds ≥ 2 (ProbeReport::seedRuns); n = 0
    /// (not repeated) otherwise. Classification: accuracy and macro-F1; regression: mse.
    SeedSummary accuracySeeds, macroF1Seeds, mseSeeds;
};

/// What the probe saw of its inputs beyond each split's report (JSON "data").
struct DataDiagnostics {
    /// LoadedTask::trainLayerScale: per kept layer (layout.layerIds order), the RMS of the
    /// per-neuron standard deviations over the train tokens. Empty in older results.
    std::vector<double> layerScale;
    /// Task-level warnings (LoadedTask::scaleWarning for the options the probe ran with).
    QStringList warnings;
};

/// The scores of one probe of a repeated "probe" run, on one split.
struct SeedSplitScores {
    QString split;                   ///< "train", "dev", "test"
    double accuracy = kNotAvailable; ///< classification (NaN for regression)
    double macroF1 = kNotAvailable;  ///< classification (NaN for regression)
    double mse = kNotAvailable;      ///< regression (NaN for classification)
};

/// One probe of a repeated "probe" run (option seeds): trained like the primary probe with probe
/// seed `seed`. W is not kept; the first ProbeReport::topK of its ordering are.
struct ProbeSeedRun {
    quint64 seed = 0;
    bool standardize = false; ///< the probe's standardisation (as ProbeOptions::standardize)
    std::vector<SeedSplitScores> splits; ///< in ProbeReport::splits order
    NeuronList top;                      ///< first topK of fullOrdering(|W|, searchStride)
    /// nullptr when absent.
    const SeedSplitScores *split(const QString &name) const;
};

/// The primary probe against one trained with standardisation flipped (same seed, same data):
/// how much the ranking depends on scaling the neurons.
struct StandardizeComparison {
    ProbeSeedRun flipped;  ///< flipped.standardize == !ProbeReport::options.standardize
    RankingStability topK; ///< rankingStability({primary top-k, flipped.top}, layout, topK)
    double jaccard() const { return topK.meanJaccard; }
    double overlap() const { return topK.meanOverlap; }
    /// Mean layer of the primary's top-k (standardised or raw as ProbeReport::options).
    double meanLayerPrimary() const
    {
        return topK.meanLayers.empty() ? kNotAvailable : topK.meanLayers[0];
    }
    double meanLayerFlipped() const
    {
        return topK.meanLayers.size() < 2 ? kNotAvailable : topK.meanLayers[1];
    }
};

/// Which ranker ordered the neurons of a minimal-subset or ablation run (option "ranker").
struct RankerInfo {
    QString ranker = QStringLiteral("probe"); ///< probe, probeless, average_precision, gaussian
    QString positiveLabel;                    ///< average_precision only
    int gaussianK = 0;                        ///< gaussian only (0 otherwise)
    QStringList warnings;                     ///< gaussian only
    double prefilterThreshold = 0;            ///< 0 = no correlation pre-filter
    int prefilterRepresentatives = 0;         ///< neurons kept by the pre-filter
};

/// The "probe" analysis: one probe on all loaded neurons, evaluated and ranked.
struct ProbeReport {
    ProbeOptions options; ///< exactly the options the probe was trained with
    int searchStride = 100;
    double topFraction = 0.05;
    int fileLayers = 0; ///< layers in the file (trainInfo.layers)
    NeuronLayout layout;
    QStringList labels; ///< class names (empty for regression)
    /// W (classes × columns), b, mean/scale when standardised; columns = 0..columns()−1.
    Probe probe;
    std::vector<SplitEvaluation> splits; ///< train, dev, test as loaded
    DataDiagnostics data;                ///< layer scales and task-level data warnings
    /// THE neuron ranking every view uses: fullOrdering(|W|, searchStride) — a complete
    /// permutation of the columns, most salient first (1 = most salient).
    NeuronList ordering;
    std::vector<int> cutoffs;         ///< neuronOrdering(|W|, searchStride).cutoffs
    std::vector<NeuronList> perLabel; ///< classRanking(|W|, c) for each row c of W (columns)
    int topK = 0;                     ///< max(1, int(topFraction · columns))
    LayerDistribution layers;         ///< where the first topK of `ordering` live
    std::vector<LayerDistribution> layersPerLabel; ///< same k, per label (classification)
    std::vector<double> epochLoss, neuroxEpochLoss;
    double trainSeconds = 0, loadSeconds = 0;

    /// Repetitions (option "seeds", docs/cli.md): 1 = the single probe above. With N ≥ 2,
    /// seedRuns holds N entries, repetition s trained with seed options.seed + s; seedRuns[0] is
    /// the probe above (probe, ordering, splits are repetition 0's), and every SplitEvaluation's
    /// *Seeds summaries aggregate the N runs.
    int seeds = 1;
    std::vector<ProbeSeedRun> seedRuns;        ///< empty when seeds == 1
    std::optional<RankingStability> stability; ///< top-k stability over seedRuns (seeds ≥ 2)
    /// Option "stability_standardize" (default on when seeds ≥ 2): the primary against a probe
    /// with standardisation flipped. Absent when not requested.
    std::optional<StandardizeComparison> standardizeComparison;

    /// 1-based position of @p column in ordering; 0 when absent. O(columns): for every column
    /// at once use salienceMatrix(report, −1, mode).rankOf (0-based).
    int overallRank(int column) const;
    /// 1-based position of @p column in perLabel[label]; 0 when absent or no such label.
    int labelRank(int label, int column) const;
    /// nullptr when absent.
    const SplitEvaluation *split(const QString &name) const;
};

/**
 * Derives from @p r's seedRuns, ordering and standardizeComparison->flipped: r.stability and
 * every split's *Seeds summaries (when seedRuns has ≥ 2 runs; otherwise they are cleared) and
 * standardizeComparison->topK (k = r.topK). The one computation behind the "probe" analysis and
 * reading its result file. Throws salient::Error for top-k lists outside r.layout.
 */
void deriveSeedStatistics(ProbeReport &r);

/**
 * One line on the repetitions of @p r for the CLI, the GUI and the report, e.g. "dev accuracy
 * 0.883 ± 0.004 (3 seeds); top-19 stability: Jaccard 0.71 (min 0.64), 58 % in every seed; mean
 * layer 1.68 ± 0.05; standardised vs raw: Jaccard 0.42, mean layer 2.63 vs 1.68". Accuracy of
 * the dev split (else train; mse for regression). Empty when @p r has neither repetitions nor a
 * standardisation comparison.
 */
QString seedStabilityText(const ProbeReport &r);

/// The "grid-search" analysis (Algorithm 2). Applying the winner is an explicit step:
/// withGridWinner (pipeline.h).
struct GridSearchReport {
    GridSearchOptions options; ///< as run (threads not recorded: 0)
    ProbeOptions probe; ///< the probe settings every cell started from (λ replaced per cell)
    QString split;      ///< selection split: "dev" or "train"
    GridSearchResult result;
    bool hasWinner() const { return result.winner() != nullptr; }
    /// λ1, λ2 and score of the winner; NaN when there is none.
    double bestL1() const { return hasWinner() ? result.winner()->l1 : kNotAvailable; }
    double bestL2() const { return hasWinner() ? result.winner()->l2 : kNotAvailable; }
    double bestScore() const { return hasWinner() ? result.winner()->score : kNotAvailable; }
};

/// The "minimal-subset" analysis (Algorithm 4). options.oracle is null and options.ordering
/// empty (result.ordering is the ordering actually searched); options.preset is MaxFeatures when
/// options.fractions is given (then preset == "custom").
struct MinimalSubsetReport {
    MinimalSubsetOptions options;
    QString preset; ///< max_features, pipeline_all or custom
    RankerInfo ranker;
    ProbeOptions probe;
    NeuronLayout layout;
    QString split; ///< selection split: "dev" or "train"
    MinimalSubsetResult result;
    LayerDistribution layers; ///< where result.neurons live (k = their count)
};

/// The "ablation" analysis. options.oracle is null and options.ordering empty (result.ordering
/// is the ordering used); options.sizes are the requested sizes (result.sizes the counts).
struct AblationReport {
    AblationOptions options;
    QString mode; ///< both, masking or retraining
    RankerInfo ranker;
    ProbeOptions probe;
    NeuronLayout layout;
    QString split; ///< selection split: "dev" or "train"
    AblationResult result;
};

/// Stability of the oracles' rankings over an ablation's repetitions (AblationResult::orderings,
/// one per seed): rankingStability at k = max(1, ⌊0.05 · neurons⌋), the probe report's top-k
/// convention. nullopt with fewer than two repetitions. Derived data: JSON writes it as
/// "stability", and reading recomputes it from "orderings_per_seed".
std::optional<RankingStability> ablationStability(const AblationReport &r);
/// "oracle rankings over 3 seeds: top-19 Jaccard 0.63 (min 0.58), 68 % in every seed, mean layer
/// 1.49 ± 0.29"; "" with fewer than two repetitions.
QString ablationStabilityText(const AblationReport &r);

/// The "selectivity" analysis (control tasks). Set columns are not kept: result.sets carry
/// names, sizes and accuracies.
struct SelectivityReport {
    ProbeOptions probe;
    QString sampleFrom; ///< same or uniform
    bool caseSensitive = true;
    SelectivityResult result;
};

/// The "layerwise" analysis.
struct LayerwiseReport {
    LayerwiseOptions options; ///< threads not recorded: 0
    ProbeOptions probe;
    QString split; ///< selection split: "dev" or "train"
    LayerwiseResult result;
};

/// One model of a "compare" analysis. Mode "activations": the model's activations retrained
/// here (curve, sizes). Mode "sessions": a saved session's probe as recorded (ordering, labels,
/// the session's own ablation / minimal-subset results); curve and sizes stay empty.
struct CompareModel {
    QString name;
    /// Mode "sessions": the session file ("" for the session the analysis ran in); else "".
    QString source;
    NeuronLayout layout;
    QStringList labels; ///< class names (mode "sessions": the probe's; else the task's)
    /// Accuracy on the selection split (mode "activations": the oracle's; mode "sessions": the
    /// probe's on dev, else train, as recorded in its ProbeReport). NaN when not available.
    double accuracy = kNotAvailable;
    double testAccuracy = kNotAvailable; ///< NaN without a test split
    QString accuracySplit;               ///< "dev" or "train": the split of `accuracy`
    LayerDistribution layers;            ///< where the first CompareReport::topK of ordering live
    std::vector<int> sizes;              ///< retraining curve sizes (mode "activations")
    AblationCurve curve;                 ///< retraining ablation (mode "activations")
    /// The model's complete neuron ordering (its columns, most salient first): the retrained
    /// oracle's (mode "activations") or ProbeReport::ordering as recorded (mode "sessions").
    NeuronList ordering;
    NeuronList topNeurons; ///< first topK of ordering
    /// Mode "sessions": the accuracy-vs-neurons results stored in that session (absent when it
    /// has none).
    std::optional<AblationReport> ablation;
    std::optional<MinimalSubsetReport> minimalSubset;
    int neurons() const { return layout.columns(); }
};

/// The "compare" analysis: two models on one task — either two activation sets of the same
/// sentences (mode "activations", both retrained here) or the probes of two saved sessions
/// (mode "sessions": option "other_session", nothing retrained).
struct CompareReport {
    QString mode = QStringLiteral("activations"); ///< "activations" or "sessions"
    ProbeOptions probe;
    double topFraction = 0.05;
    int topK = 0;                          ///< k of the layer distributions and topNeurons
    int seeds = 1;                         ///< random repetitions of the retraining curves
    std::vector<CompareModel> models;      ///< A then B
    bool sameLayout = false;               ///< same layers × dims
    bool sameLabels = false;               ///< same class names in the same order
    QString warning;                       ///< why A and B may not be comparable ("" if they are)
    double meanLayerShift = kNotAvailable; ///< B's mean layer of the top-k − A's
    std::vector<TopKOverlap> overlap;      ///< of the two orderings (only when sameLayout)
};

/// Analyses without a typed view yet (clusters, neuron, properties): their JSON, and the CSV
/// tables computed with it (empty when rebuilt from JSON).
struct JsonReport {
    QJsonObject json;
    std::vector<std::pair<QString, QByteArray>> csv;
};

using AnalysisResult =
    std::variant<ProbeReport, GridSearchReport, MinimalSubsetReport, AblationReport,
                 SelectivityReport, LayerwiseReport, CompareReport, JsonReport>;

/// The analysis name of a result ("probe", "grid-search", ...); "" for a JsonReport.
QString analysisName(const AnalysisResult &r);

/// One class's weight for a neuron (NeuronSummary).
struct ClassWeight {
    int label = 0;     ///< row of W
    QString name;      ///< class name ("value" for regression)
    double weight = 0; ///< W(label, column)
    double absWeight = 0;
    int labelRank = 0; ///< 1-based rank of the neuron in that class's ranking
};

/// What the inspector and tooltips show about one neuron of a probe.
struct NeuronSummary {
    NeuronId id;
    int column = -1;
    int flatIndex = -1;
    int overallRank = 0;              ///< 1-based in ProbeReport::ordering (0 = absent)
    int neurons = 0;                  ///< columns of the layout
    std::vector<ClassWeight> classes; ///< by |W| descending (ties: ascending label)
    QString topClasses;               ///< the first 3 as "NN 0.512, JJ −0.311, DT 0.104"
};

/// Summary of @p column of @p report's probe. Throws salient::Error for an invalid column.
NeuronSummary neuronSummary(const ProbeReport &report, int column);

} // namespace salient
