#pragma once
// Evaluation metrics (spec/NEUROX.md §6) and probe evaluation.
#include "salient/probe/probe.h"

#include <map>

namespace salient {

/// NeuroX's metric names plus Salient's macro_f1 and mse.
enum class Metric {
    Accuracy,
    F1,
    AccuracyAndF1,
    Pearson,
    Spearman,
    PearsonAndSpearman,
    Matthews,
    MacroF1,
    Mse
};
QString metricName(Metric m);
/// Parses "accuracy", "f1", "accuracy_and_f1", "pearson", "spearman", "pearson_and_spearman",
/// "matthews_corrcoef", "macro_f1", "mse". Throws salient::Error for others.
Metric metricFromName(const QString &name);

/// Score of predictions against gold. Classification metrics take class indices; Pearson/Spearman
/// and MSE take values. F1 is binary (positive class 1) and throws for > 2 classes (NeuroX uses
/// scikit-learn's default). Returns NaN for empty input.
double computeScore(Metric m, const Eigen::Ref<const VectorF> &predicted,
                    const Eigen::Ref<const VectorF> &gold);

struct Evaluation {
    Index count = 0;
    double accuracy = 0;              ///< classification: mean(pred == gold); regression: NaN
    double macroF1 = 0;               ///< classification
    double mse = 0;                   ///< regression
    std::map<QString, double> scores; ///< every applicable metric by name
    std::vector<double> perClass;     ///< per gold class (recall for accuracy); NaN = no instances
    std::vector<Index> perClassCount;
    VectorI predicted;      ///< predicted class per row (classification)
    VectorF predictedValue; ///< regression outputs
};

/// Evaluates @p probe on all rows of X (y / yValue as in trainProbe). @p zeroed: masking ablation.
Evaluation evaluateProbe(const Probe &probe, const Eigen::Ref<const RowMatrixF> &X,
                         const VectorI &y, const VectorF &yValue, const NeuronList &zeroed = {});
/// The same on rows however they are stored (features.h).
Evaluation evaluateProbe(const Probe &probe, const FeatureSource &source, const VectorI &y,
                         const VectorF &yValue, const NeuronList &zeroed = {});

} // namespace salient
