// Evaluation metrics (spec/NEUROX.md §6). All scores are computed in double precision.
#include "salient/probe/metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace salient {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct MetricEntry {
    Metric metric;
    const char *name;
};
constexpr MetricEntry kMetrics[] = {
    {Metric::Accuracy, "accuracy"},
    {Metric::F1, "f1"},
    {Metric::AccuracyAndF1, "accuracy_and_f1"},
    {Metric::Pearson, "pearson"},
    {Metric::Spearman, "spearman"},
    {Metric::PearsonAndSpearman, "pearson_and_spearman"},
    {Metric::Matthews, "matthews_corrcoef"},
    {Metric::MacroF1, "macro_f1"},
    {Metric::Mse, "mse"},
};

/// Class indices from float-encoded labels (rounded; labels are small integers).
std::vector<long> toLabels(const Eigen::Ref<const VectorF> &v)
{
    std::vector<long> out(static_cast<std::size_t>(v.size()));
    for (Index i = 0; i < v.size(); ++i)
        out[std::size_t(i)] = std::lround(v[i]);
    return out;
}

/// Sorted union of the labels in both vectors.
std::vector<long> labelSet(const std::vector<long> &a, const std::vector<long> &b)
{
    std::vector<long> s(a);
    s.insert(s.end(), b.begin(), b.end());
    std::sort(s.begin(), s.end());
    s.erase(std::unique(s.begin(), s.end()), s.end());
    return s;
}

double accuracy(const std::vector<long> &p, const std::vector<long> &g)
{
    std::size_t hits = 0;
    for (std::size_t i = 0; i < p.size(); ++i)
        hits += p[i] == g[i] ? 1 : 0;
    return double(hits) / double(p.size());
}

/// F1 of one label treated as positive: 2TP / (2TP + FP + FN); 0 when undefined (scikit-learn's
/// zero_division default, which also warns).
double f1For(long label, const std::vector<long> &p, const std::vector<long> &g)
{
    double tp = 0, fp = 0, fn = 0;
    for (std::size_t i = 0; i < p.size(); ++i) {
        const bool pp = p[i] == label, gg = g[i] == label;
        tp += pp && gg ? 1 : 0;
        fp += pp && !gg ? 1 : 0;
        fn += !pp && gg ? 1 : 0;
    }
    const double denom = 2 * tp + fp + fn;
    return denom > 0 ? 2 * tp / denom : 0.0;
}

/// scikit-learn f1_score default: binary, pos_label = 1 (spec §6.2).
double binaryF1(const std::vector<long> &p, const std::vector<long> &g)
{
    const std::vector<long> labels = labelSet(p, g);
    if (labels.size() > 2)
        throw Error(QStringLiteral("metric \"f1\" is binary (positive class 1, as in NeuroX / "
                                   "scikit-learn) but the data has %1 classes; use \"macro_f1\"")
                        .arg(labels.size()));
    for (long l : labels)
        if (l != 0 && l != 1)
            throw Error(QStringLiteral("metric \"f1\" needs class indices 0 and 1 (positive class "
                                       "1); found class %1")
                            .arg(l));
    return f1For(1, p, g);
}

/// Mean F1 over the labels present in gold or predictions (scikit-learn average="macro").
double macroF1(const std::vector<long> &p, const std::vector<long> &g)
{
    const std::vector<long> labels = labelSet(p, g);
    double sum = 0;
    for (long l : labels)
        sum += f1For(l, p, g);
    return sum / double(labels.size());
}

/// scikit-learn matthews_corrcoef (multiclass form; 0 when a marginal is constant).
double matthews(const std::vector<long> &p, const std::vector<long> &g)
{
    const std::vector<long> labels = labelSet(p, g);
    auto pos = [&](long l) {
        return std::size_t(std::lower_bound(labels.begin(), labels.end(), l) - labels.begin());
    };
    std::vector<double> t(labels.size(), 0.0), pr(labels.size(), 0.0);
    double correct = 0;
    for (std::size_t i = 0; i < p.size(); ++i) {
        t[pos(g[i])] += 1;
        pr[pos(p[i])] += 1;
        correct += p[i] == g[i] ? 1 : 0;
    }
    const double s = double(p.size());
    double tp = 0, pp = 0, tt = 0;
    for (std::size_t k = 0; k < labels.size(); ++k) {
        tp += t[k] * pr[k];
        pp += pr[k] * pr[k];
        tt += t[k] * t[k];
    }
    const double covYtYp = correct * s - tp;
    const double covYpYp = s * s - pp;
    const double covYtYt = s * s - tt;
    if (covYpYp * covYtYt == 0)
        return 0.0;
    return covYtYp / std::sqrt(covYtYt * covYpYp);
}

/// Pearson r; NaN when fewer than 2 values or either side is constant (SciPy returns NaN).
double pearson(const std::vector<double> &a, const std::vector<double> &b)
{
    const std::size_t n = a.size();
    if (n < 2)
        return kNaN;
    const double ma = std::accumulate(a.begin(), a.end(), 0.0) / double(n);
    const double mb = std::accumulate(b.begin(), b.end(), 0.0) / double(n);
    double sab = 0, saa = 0, sbb = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double da = a[i] - ma, db = b[i] - mb;
        sab += da * db;
        saa += da * da;
        sbb += db * db;
    }
    if (saa == 0 || sbb == 0)
        return kNaN;
    return std::clamp(sab / std::sqrt(saa * sbb), -1.0, 1.0);
}

/// 1-based ranks with ties given their average rank (SciPy rankdata "average").
std::vector<double> averageRanks(const std::vector<double> &v)
{
    std::vector<std::size_t> idx(v.size());
    std::iota(idx.begin(), idx.end(), std::size_t(0));
    std::stable_sort(idx.begin(), idx.end(),
                     [&](std::size_t i, std::size_t j) { return v[i] < v[j]; });
    std::vector<double> rank(v.size());
    for (std::size_t s = 0; s < idx.size();) {
        std::size_t e = s + 1;
        while (e < idx.size() && v[idx[e]] == v[idx[s]])
            ++e;
        const double avg = 0.5 * double(s + 1 + e); // mean of ranks s+1 .. e
        for (std::size_t k = s; k < e; ++k)
            rank[idx[k]] = avg;
        s = e;
    }
    return rank;
}

std::vector<double> toDouble(const Eigen::Ref<const VectorF> &v)
{
    std::vector<double> out(static_cast<std::size_t>(v.size()));
    for (Index i = 0; i < v.size(); ++i)
        out[std::size_t(i)] = double(v[i]);
    return out;
}

bool anyNaN(const std::vector<double> &v)
{
    return std::any_of(v.begin(), v.end(), [](double x) { return std::isnan(x); });
}

double spearman(const std::vector<double> &a, const std::vector<double> &b)
{
    if (anyNaN(a) || anyNaN(b))
        return kNaN; // SciPy's default nan_policy="propagate"
    return pearson(averageRanks(a), averageRanks(b));
}

} // namespace

QString metricName(Metric m)
{
    for (const MetricEntry &e : kMetrics)
        if (e.metric == m)
            return QString::fromLatin1(e.name);
    return QString();
}

Metric metricFromName(const QString &name)
{
    const QString key = name.trimmed();
    for (const MetricEntry &e : kMetrics)
        if (key == QLatin1String(e.name))
            return e.metric;
    QStringList known;
    for (const MetricEntry &e : kMetrics)
        known << QString::fromLatin1(e.name);
    throw Error(QStringLiteral("unknown metric \"%1\"; expected one of: %2")
                    .arg(name, known.join(QStringLiteral(", "))));
}

double computeScore(Metric m, const Eigen::Ref<const VectorF> &predicted,
                    const Eigen::Ref<const VectorF> &gold)
{
    if (predicted.size() != gold.size())
        throw Error(QStringLiteral("metric \"%1\": %2 predictions for %3 gold values")
                        .arg(metricName(m))
                        .arg(predicted.size())
                        .arg(gold.size()));
    if (predicted.size() == 0)
        return kNaN;
    switch (m) {
    case Metric::Accuracy:
        return accuracy(toLabels(predicted), toLabels(gold));
    case Metric::F1:
        return binaryF1(toLabels(predicted), toLabels(gold));
    case Metric::AccuracyAndF1: {
        const std::vector<long> p = toLabels(predicted), g = toLabels(gold);
        return 0.5 * (accuracy(p, g) + binaryF1(p, g));
    }
    case Metric::Matthews:
        return matthews(toLabels(predicted), toLabels(gold));
    case Metric::MacroF1:
        return macroF1(toLabels(predicted), toLabels(gold));
    case Metric::Pearson:
        return pearson(toDouble(predicted), toDouble(gold));
    case Metric::Spearman:
        return spearman(toDouble(predicted), toDouble(gold));
    case Metric::PearsonAndSpearman: {
        const std::vector<double> p = toDouble(predicted), g = toDouble(gold);
        return 0.5 * (pearson(p, g) + spearman(p, g));
    }
    case Metric::Mse: {
        double sum = 0;
        for (Index i = 0; i < predicted.size(); ++i) {
            const double d = double(predicted[i]) - double(gold[i]);
            sum += d * d;
        }
        return sum / double(predicted.size());
    }
    }
    throw Error(QStringLiteral("unknown metric"));
}

namespace {
Evaluation evaluateOutputs(const Probe &probe, const MatrixF &out, const VectorI &y,
                           const VectorF &yValue);
} // namespace

Evaluation evaluateProbe(const Probe &probe, const Eigen::Ref<const RowMatrixF> &X,
                         const VectorI &y, const VectorF &yValue, const NeuronList &zeroed)
{
    return evaluateOutputs(probe, probeOutputs(probe, X, zeroed), y, yValue);
}

Evaluation evaluateProbe(const Probe &probe, const FeatureSource &source, const VectorI &y,
                         const VectorF &yValue, const NeuronList &zeroed)
{
    return evaluateOutputs(probe, probeOutputs(probe, source, zeroed), y, yValue);
}

namespace {
Evaluation evaluateOutputs(const Probe &probe, const MatrixF &out, const VectorI &y,
                           const VectorF &yValue)
{
    const Index N = out.rows();
    Evaluation ev;
    ev.count = N;

    if (probe.regression) {
        if (yValue.size() != N)
            throw Error(QStringLiteral("regression targets: %1 values for %2 rows of X")
                            .arg(yValue.size())
                            .arg(N));
        ev.predictedValue = out.col(0); // flattened (spec §6.1 quirk avoided)
        ev.accuracy = kNaN;
        ev.macroF1 = kNaN;
        ev.mse = computeScore(Metric::Mse, ev.predictedValue, yValue);
        for (Metric m :
             {Metric::Mse, Metric::Pearson, Metric::Spearman, Metric::PearsonAndSpearman})
            ev.scores[metricName(m)] =
                m == Metric::Mse ? ev.mse : computeScore(m, ev.predictedValue, yValue);
        return ev;
    }

    const int C = probe.classes();
    if (y.size() != N)
        throw Error(
            QStringLiteral("class labels: %1 values for %2 rows of X").arg(y.size()).arg(N));
    for (Index i = 0; i < N; ++i)
        if (y[i] < 0 || y[i] >= C)
            throw Error(
                QStringLiteral("gold class %1 at row %2 is outside the probe's classes 0..%3")
                    .arg(y[i])
                    .arg(i)
                    .arg(C - 1));

    // argmax, ties → lowest index (a NaN logit never wins).
    ev.predicted.resize(N);
    for (Index i = 0; i < N; ++i) {
        int best = 0;
        for (int c = 1; c < C; ++c)
            if (out(i, c) > out(i, best))
                best = c;
        ev.predicted[i] = best;
    }

    ev.perClassCount.assign(std::size_t(C), 0);
    std::vector<Index> hits(std::size_t(C), 0);
    for (Index i = 0; i < N; ++i) {
        ++ev.perClassCount[std::size_t(y[i])];
        if (ev.predicted[i] == y[i])
            ++hits[std::size_t(y[i])];
    }
    ev.perClass.resize(std::size_t(C));
    for (int c = 0; c < C; ++c)
        ev.perClass[std::size_t(c)] =
            ev.perClassCount[std::size_t(c)] > 0
                ? double(hits[std::size_t(c)]) / double(ev.perClassCount[std::size_t(c)])
                : kNaN;

    ev.mse = kNaN;
    const VectorF pred = ev.predicted.cast<float>();
    const VectorF gold = y.cast<float>();
    ev.accuracy = computeScore(Metric::Accuracy, pred, gold);
    ev.macroF1 = computeScore(Metric::MacroF1, pred, gold);
    ev.scores[metricName(Metric::Accuracy)] = ev.accuracy;
    ev.scores[metricName(Metric::MacroF1)] = ev.macroF1;
    ev.scores[metricName(Metric::Matthews)] = computeScore(Metric::Matthews, pred, gold);
    if (C == 2) { // binary F1 is defined only for two classes (spec §6.3)
        ev.scores[metricName(Metric::F1)] = computeScore(Metric::F1, pred, gold);
        ev.scores[metricName(Metric::AccuracyAndF1)] =
            computeScore(Metric::AccuracyAndF1, pred, gold);
    }
    return ev;
}
} // namespace

} // namespace salient
