#pragma once
// A probing task's inputs (activation/token/label files per split) loaded once into Datasets.
// Shared by salient-cli, the GUI and the benchmarks: data is loaded once per run.
#include "salient/data/corpus.h"
#include "salient/data/demo.h"

#include <optional>

namespace salient {

struct SplitPaths {
    QString activations, tokens, labels;
    bool isSet() const { return !activations.isEmpty(); }
};

struct TaskInputs {
    SplitPaths train, dev, test;
    DatasetOptions options; ///< options.storage is the requested mode (Auto by default)
    /// Bytes the activation matrices may occupy; 0 = defaultMemoryBudget() (features.h).
    quint64 memoryBudget = 0;
};

/**
 * A list of non-negative integers as the CLI's --layers takes it: "0,2,5-7" → {0, 2, 5, 6, 7}
 * (order kept, ranges inclusive); empty or blank text → {}. Throws salient::Error
 * "WHAT: 'PART' is not a list like 0,2,5-7" naming @p what (e.g. "--layers") otherwise. Pure.
 */
std::vector<int> parseIndexList(const QString &text, const QString &what);

/// Layer scales differing by more than this factor (largest / smallest) raise the scale warning.
inline constexpr double kLayerScaleWarnRatio = 4.0;

struct LoadedTask {
    LabelVocabulary vocab; ///< from train; empty for regression
    StoreInfo trainInfo;   ///< metadata of the train activation file
    StoragePlan storage;   ///< how the splits' matrices are held (resolved mode)
    std::optional<Dataset> train, dev, test;
    double loadSeconds = 0;
    /// layerScales(*train): per kept layer (train->layerIds order), the RMS of the per-neuron
    /// standard deviations over the train tokens. Filled by loadTask and loadDemoTask.
    std::vector<double> trainLayerScale;
    /// The split reports' warnings (mismatched lines with files and lines, NaN/Inf, unseen
    /// labels), in train/dev/test order.
    QStringList warnings() const;
    /// Largest over smallest non-zero trainLayerScale; 1 with fewer than two such layers.
    double layerScaleRatio() const;
    /**
     * The warning that weight-based rankings compare layers of different activation scale:
     * non-empty when layerScaleRatio() > kLayerScaleWarnRatio and @p standardized is false
     * (pass ProbeOptions::standardize && !neuroxCompatible, which is what the probe applies).
     */
    QString scaleWarning(bool standardized) const;
    /// warnings() followed by scaleWarning(@p standardized) when there is one: what every
    /// command and view that loads data shows before an analysis.
    QStringList dataWarnings(bool standardized) const;
    /// The present splits, in train/dev/test order.
    std::vector<const Dataset *> splits() const;
};

/// The storage plan for @p inputs from the files' metadata only (fast; for "before a job
/// starts" displays): total tokens × kept neurons against the budget. Throws salient::Error.
StoragePlan planTaskStorage(const TaskInputs &inputs);

/// Opens and aligns every given split (train is required). Dev/test must have the train file's
/// layers and dims. Throws salient::Error naming the file and problem.
LoadedTask loadTask(const TaskInputs &inputs, const LoadProgress &progress = {});

/// The same from the built-in demo; @p property is "pos" or "suffix".
LoadedTask loadDemoTask(const DemoDataset &demo, const QString &property,
                        const DatasetOptions &options);

} // namespace salient
