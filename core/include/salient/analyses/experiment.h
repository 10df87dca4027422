#pragma once
// Shared ground for the paper's experiments (grid search, minimal subset, ablation, selectivity,
// layer-wise, clustering, ...): the loaded splits, the probe settings, progress/cancel, and a
// parallel loop for independent probes.
//
// Columns: every analysis works in the dataset's column indices 0..neurons−1 (the kept layers,
// in order: column = k·dims + d for kept layer k). Callers map them to the file's flat neuron
// index with NeuronLayout (probe/neuronid.h) for output.
//
// Threading: analyses are blocking calls, safe to run on any one thread. Independent probes
// inside an analysis run in parallel through parallelFor (OpenMP); Eigen's products inside a
// parallel region then run single-threaded, so the cores are shared, not oversubscribed.
#include "salient/data/corpus.h"
#include "salient/probe/neuronid.h"
#include "salient/probe/probe.h"

#include <QString>
#include <atomic>
#include <functional>
#include <mutex>

namespace salient {

/// The splits an experiment runs on. train is required; dev is used for selection (falls back
/// to train with a warning when absent); test is optional and only reported.
struct ExperimentData {
    const Dataset *train = nullptr;
    const Dataset *dev = nullptr;
    const Dataset *test = nullptr;
    QStringList labels; ///< class names (classification)
    ProbeOptions probe; ///< settings of every probe the experiment trains (incl. seed)
    /// The split used for selection: dev, else train.
    const Dataset &selection() const { return dev ? *dev : *train; }
    /// Throws salient::Error when train is missing, splits disagree in neurons, or no labels.
    void validate() const;
};

/// Progress of an experiment: fraction in [0,1] and a short stage text ("λ1=1e-3 λ2=0", "n=40").
/// Returns false to cancel. Called from worker threads but never concurrently (serialised).
using ExperimentProgress = std::function<bool(double fraction, const QString &stage)>;

/// Thread-safe progress/cancel relay for parallel loops: counts finished steps out of @p total,
/// serialises calls to the user's callback, and latches cancellation.
class ProgressRelay {
public:
    ProgressRelay(const ExperimentProgress &callback, int total);
    /// Reports one more finished step; returns false once cancelled.
    bool step(const QString &stage);
    bool cancelled() const { return m_cancelled.load(); }

private:
    ExperimentProgress m_callback;
    int m_total;
    std::atomic<int> m_done{0};
    std::atomic<bool> m_cancelled{false};
    std::mutex m_mutex;
};

/// Runs body(i) for i in [0, n) on up to @p threads workers (0 = all cores) with dynamic
/// scheduling. Stops handing out work once @p relay is cancelled. The first exception thrown by
/// a body is rethrown on the calling thread after all workers stopped.
void parallelFor(int n, const std::function<void(int)> &body, const ProgressRelay *relay = nullptr,
                 int threads = 0);

/// Accuracy (classification) of a probe freshly trained on @p columns (dataset columns, order
/// kept) of train, scored on a split. Deterministic for the probe seed.
struct SubsetScores {
    Status status = Status::Ok;
    double selection = 0;   ///< on ExperimentData::selection()
    double test = 0;        ///< NaN without a test split
    double selectionF1 = 0; ///< macro-F1 (Evaluation::macroF1) on ExperimentData::selection()
    double testF1 = 0;      ///< NaN without a test split
};
SubsetScores retrainOnColumns(const ExperimentData &data, const NeuronList &columns,
                              const TrainCallback &callback = {});

/// The baseline of every accuracy (issue "results a careful researcher can publish"): always
/// predicting the TRAIN majority label, scored on one split. Classification only; for a
/// regression probe, a null split or an empty split every number is NaN and label is "".
struct MajorityBaseline {
    QString label;       ///< the train majority label (ties: lowest class index)
    double accuracy = 0; ///< fraction of the split's tokens with that label
    double macroF1 = 0;  ///< scikit-learn macro-F1 of the constant prediction (metrics.h)
    Index tokens = 0;    ///< rows of the split
};
/// Majority baseline of @p data on @p split (normally &data.selection() or data.test).
MajorityBaseline majorityBaseline(const ExperimentData &data, const Dataset *split);

/// @p columns checked against @p available columns; empty → all columns 0..available−1.
/// Throws salient::Error naming @p function for an out-of-range column.
NeuronList resolveColumns(Index available, const NeuronList &columns, const char *function);

/// The dataset's flat neuron index (layerIds[k]·dims + d) of a column; −1 for an invalid column.
/// Thin wrapper kept for ui/ and app/; new code uses NeuronLayout (probe/neuronid.h).
inline int flatNeuron(const Dataset &ds, int column)
{
    return NeuronLayout::of(ds).flatIndex(column);
}

/// The dataset column of flat neuron index @p flat, or −1 when its layer is not loaded.
/// Thin wrapper kept for ui/ and app/; new code uses NeuronLayout (probe/neuronid.h).
inline int columnOfFlat(const Dataset &ds, int flat)
{
    return NeuronLayout::of(ds).columnOfFlatIndex(flat);
}

} // namespace salient
