// Alternative neuron ranker: average precision (NeuroX 'IoU', spec/NEUROX.md §12.2). The Gaussian
// probe ranker (§12.3) is in rankers.cpp. See rankers.h for the contracts.
#include "salient/probe/rankers.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace salient {

double averagePrecision(const std::vector<float> &scores, const std::vector<char> &positive)
{
    if (scores.size() != positive.size())
        throw Error(QStringLiteral("average precision: %1 scores but %2 labels")
                        .arg(scores.size())
                        .arg(positive.size()));
    if (scores.empty())
        throw Error(QStringLiteral("average precision: no rows"));
    const size_t n = scores.size();
    Index totalPositives = 0;
    for (size_t i = 0; i < n; ++i) {
        if (!std::isfinite(scores[i]))
            throw Error(QStringLiteral("average precision: score %1 at row %2 is not finite")
                            .arg(double(scores[i]))
                            .arg(i));
        totalPositives += positive[i] ? 1 : 0;
    }
    if (totalPositives == 0)
        return 0.0;
    std::vector<int> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](int a, int b) {
        return scores[size_t(a)] > scores[size_t(b)]
               || (scores[size_t(a)] == scores[size_t(b)] && a < b);
    });
    double ap = 0, previousRecall = 0;
    Index tp = 0, seen = 0;
    size_t i = 0;
    while (i < n) {
        const float v = scores[size_t(order[i])];
        while (i < n && scores[size_t(order[i])] == v) {
            tp += positive[size_t(order[i])] ? 1 : 0;
            ++seen;
            ++i;
        }
        const double recall = double(tp) / double(totalPositives);
        const double precision = double(tp) / double(seen);
        ap += (recall - previousRecall) * precision;
        previousRecall = recall;
    }
    return ap;
}

AveragePrecisionRanking averagePrecisionRanking(const Eigen::Ref<const RowMatrixF> &X,
                                                const VectorI &y, int positiveClass,
                                                double threshold, const NeuronList &columns,
                                                const ExperimentProgress &progress, int threads)
{
    const char *fn = "average precision (NeuroX 'IoU')";
    if (y.size() != X.rows())
        throw Error(QStringLiteral("%1: X has %2 rows but y has %3 labels")
                        .arg(QLatin1String(fn))
                        .arg(X.rows())
                        .arg(y.size()));
    if (!std::isfinite(threshold) || threshold < 0)
        throw Error(QStringLiteral("%1: the activation threshold must be finite and >= 0, found %2")
                        .arg(QLatin1String(fn))
                        .arg(threshold));
    AveragePrecisionRanking out;
    out.columns = resolveColumns(X.cols(), columns, fn);
    std::vector<char> positive(size_t(y.size()));
    Index positives = 0;
    for (Index i = 0; i < y.size(); ++i) {
        positive[size_t(i)] = y(i) == positiveClass ? 1 : 0;
        positives += positive[size_t(i)];
    }
    if (positives == 0 || positives == y.size())
        throw Error(QStringLiteral("%1 needs a binary task with both positive (label %2) and "
                                   "negative rows; found %3 positive of %4 rows")
                        .arg(QLatin1String(fn))
                        .arg(positiveClass)
                        .arg(positives)
                        .arg(y.size()));
    // NeuroX compares |x| < threshold in float32 (numpy casts the Python float to the array's
    // dtype), so the comparison is done in float.
    const float t = float(threshold);
    out.score.assign(out.columns.size(), 0.0);
    ProgressRelay relay(progress, int(out.columns.size()));
    parallelFor(
        int(out.columns.size()),
        [&](int k) {
            const int c = out.columns[size_t(k)];
            std::vector<float> v(size_t(X.rows()));
            for (Index i = 0; i < X.rows(); ++i) {
                const float x = X(i, c);
                v[size_t(i)] = std::abs(x) < t ? 0.0f : x;
            }
            out.score[size_t(k)] = averagePrecision(v, positive);
            relay.step(QStringLiteral("neuron %1").arg(c));
        },
        &relay, threads);
    if (relay.cancelled()) {
        out.status = Status::Cancelled;
        return out;
    }
    std::vector<size_t> idx(out.columns.size());
    std::iota(idx.begin(), idx.end(), size_t(0));
    std::sort(idx.begin(), idx.end(), [&](size_t a, size_t b) {
        if (out.score[a] != out.score[b])
            return out.score[a] > out.score[b];
        return out.columns[a] < out.columns[b];
    });
    for (size_t i : idx)
        out.order.push_back(out.columns[i]);
    return out;
}

} // namespace salient
