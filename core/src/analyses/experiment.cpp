#include "salient/analyses/experiment.h"

#include "salient/analyses/farm.h"

#include "salient/probe/metrics.h"
#include "salient/util/error.h"

#include <QThread>
#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <mutex>
#include <numeric>
#include <omp.h>

namespace salient {

void ExperimentData::validate() const
{
    if (!train)
        throw Error(QStringLiteral("experiment: no training split"));
    for (const Dataset *d : {dev, test})
        if (d && d->neurons() != train->neurons())
            throw Error(QStringLiteral("experiment: the %1 split has %2 neurons, train has %3")
                            .arg(d->name)
                            .arg(d->neurons())
                            .arg(train->neurons()));
    if (!probe.regression && labels.size() < 2)
        throw Error(QStringLiteral("experiment: classification needs at least 2 labels (found %1)")
                        .arg(labels.size()));
    probe.validate();
}

ProgressRelay::ProgressRelay(const ExperimentProgress &callback, int total)
    : m_callback(callback), m_total(std::max(total, 1))
{
}

bool ProgressRelay::step(const QString &stage)
{
    const int done = ++m_done;
    if (m_cancelled.load())
        return false;
    if (m_callback) {
        std::lock_guard<std::mutex> lock(m_mutex); // serialises the user's callback

        if (!m_callback(double(done) / double(m_total), stage))
            m_cancelled.store(true);
    }
    return !m_cancelled.load();
}

void parallelFor(int n, const std::function<void(int)> &body, const ProgressRelay *relay,
                 int threads)
{
    if (n <= 0)
        return;
    if (threads <= 0)
        threads = QThread::idealThreadCount();
    threads = std::max(1, std::min(threads, n));
    std::exception_ptr error;
    std::mutex errorMutex;
    std::atomic<bool> failed{false};
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
    for (int i = 0; i < n; ++i) {
        if (failed.load() || (relay && relay->cancelled()))
            continue;
        try {
            FarmUnitGuard inside; // a farmFor nested in this body runs locally
            body(i);
        } catch (...) {
            std::lock_guard<std::mutex> lock(errorMutex);
            if (!error)
                error = std::current_exception();
            failed.store(true);
        }
    }
    if (error)
        std::rethrow_exception(error);
}

NeuronList resolveColumns(Index available, const NeuronList &columns, const char *function)
{
    NeuronList out;
    if (columns.empty()) {
        out.resize(size_t(available));
        std::iota(out.begin(), out.end(), 0);
        return out;
    }
    for (int c : columns) {
        if (c < 0 || c >= available)
            throw Error(QStringLiteral("%1: column %2 is out of range (X has %3 columns)")
                            .arg(QLatin1String(function))
                            .arg(c)
                            .arg(available));
    }
    return columns;
}

MajorityBaseline majorityBaseline(const ExperimentData &data, const Dataset *split)
{
    const double nan = std::numeric_limits<double>::quiet_NaN();
    MajorityBaseline b;
    b.accuracy = b.macroF1 = nan;
    if (!split || !data.train || data.probe.regression || split->y.size() == 0
        || data.train->y.size() == 0 || data.labels.isEmpty())
        return b;
    b.tokens = split->y.size();
    std::vector<Index> counts(std::size_t(data.labels.size()), 0);
    for (Index i = 0; i < data.train->y.size(); ++i) {
        const int c = data.train->y[i];
        if (c >= 0 && c < int(counts.size()))
            ++counts[std::size_t(c)];
    }
    const int majority = int(std::max_element(counts.begin(), counts.end()) - counts.begin());
    b.label = data.labels[majority];
    const VectorF gold = split->y.cast<float>();
    const VectorF predicted = VectorF::Constant(gold.size(), float(majority));
    b.accuracy = computeScore(Metric::Accuracy, predicted, gold);
    b.macroF1 = computeScore(Metric::MacroF1, predicted, gold);
    return b;
}

SubsetScores retrainOnColumns(const ExperimentData &data, const NeuronList &columns,
                              const TrainCallback &callback)
{
    SubsetScores s;
    const TrainResult r = trainProbe(*data.train->features(), data.train->y, data.train->yValue,
                                     data.labels, data.probe, columns, {}, nullptr, callback);
    s.status = r.status;
    if (r.status != Status::Ok)
        return s;
    // The probe's inputs are `columns`; evaluate on the same columns of the other splits.
    const Dataset &sel = data.selection();
    const Evaluation e = evaluateProbe(r.probe, *sel.features(), sel.y, sel.yValue);
    s.selection = e.accuracy;
    s.selectionF1 = e.macroF1;
    s.test = s.testF1 = std::nan("");
    if (data.test) {
        const Evaluation t =
            evaluateProbe(r.probe, *data.test->features(), data.test->y, data.test->yValue);
        s.test = t.accuracy;
        s.testF1 = t.macroF1;
    }
    return s;
}

} // namespace salient
