// Linear probe training (spec/NEUROX.md §5). See probe.h for the contracts.
//
// Numerics: everything that NeuroX does in float32 is done in float32 here (logits, softmax, CE,
// gradients, Adam state and update); only the reported loss sums are accumulated in double.
#include "salient/probe/probe.h"

#include "draws_p.h"
#include "probe_p.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <functional>
#include <limits>
#include <mutex>
#include <numeric>
#include <omp.h>
#include <random>

namespace salient {

namespace {

QString num(double v)
{
    return QString::number(v, 'g', 10);
}

} // namespace

using namespace probe_detail;

// ----------------------------------------------------------------------------------------------

void ProbeOptions::validate() const
{
    if (!std::isfinite(l1) || l1 < 0)
        throw Error(
            QStringLiteral("L1 penalty λ1 must be a finite number ≥ 0 (got %1)").arg(num(l1)));
    if (!std::isfinite(l2) || l2 < 0)
        throw Error(
            QStringLiteral("L2 penalty λ2 must be a finite number ≥ 0 (got %1)").arg(num(l2)));
    if (epochs < 1)
        throw Error(QStringLiteral("number of epochs must be at least 1 (got %1)").arg(epochs));
    if (batchSize < 1)
        throw Error(QStringLiteral("batch size must be at least 1 (got %1)").arg(batchSize));
    if (shuffleBlockRows < 0)
        throw Error(QStringLiteral("shuffle block must be 0 (full shuffle) or a number of rows ≥ 1 "
                                   "(got %1)")
                        .arg(shuffleBlockRows));
    if (!std::isfinite(learningRate) || learningRate <= 0)
        throw Error(QStringLiteral("learning rate must be a finite number > 0 (got %1)")
                        .arg(num(learningRate)));
}

TrainResult trainProbe(const Eigen::Ref<const RowMatrixF> &X, const VectorI &y,
                       const VectorF &yValue, const QStringList &labels,
                       const ProbeOptions &options, const NeuronList &columns,
                       const std::vector<Index> &rows, const Probe *init,
                       const TrainCallback &callback)
{
    return trainProbe(DenseSource(X), y, yValue, labels, options, columns, rows, init, callback);
}

bool sameBatchOrder(const ProbeOptions &a, const ProbeOptions &b)
{
    const bool shuffleA = a.shuffle && !a.neuroxCompatible;
    const bool shuffleB = b.shuffle && !b.neuroxCompatible;
    const bool standardizeA = a.standardize && !a.neuroxCompatible;
    const bool standardizeB = b.standardize && !b.neuroxCompatible;
    return a.regression == b.regression && a.epochs == b.epochs && a.batchSize == b.batchSize
           && shuffleA == shuffleB && standardizeA == standardizeB
           && (!shuffleA || (a.seed == b.seed && a.shuffleBlockRows == b.shuffleBlockRows));
}

namespace {

/**
 * Trains @p probes with trainFused: in one pass when their products are large enough to use
 * every thread, otherwise in groups whose weights and Adam state stay in a core's cache,
 * trained side by side, one thread each (one fused pass over small probes spent its time
 * streaming the optimiser state of all of them through memory every batch, and waiting at
 * barriers: on PTB POS, 384 neurons × 45 classes, batch 32, a 6 × 6 grid took 1.7× the time of
 * 37 separate single-threaded trainings run two at a time). In-memory float32 data only (each
 * group reads X itself). Results are the same bits either way: a probe's arithmetic does not
 * depend on its group or thread count. The callback hears the lowest-numbered group still
 * running (so progress moves forward); any group stops when it asks to cancel. The probes are
 * moved out of @p probes.
 */
std::vector<TrainResult> trainFusedGroups(const probe_detail::FusedShared &shared,
                                          std::vector<probe_detail::FusedProbe> &probes,
                                          const TrainCallback &callback)
{
    const int threads = std::max(1, omp_get_max_threads());
    const Index P = Index(probes.size());
    int maxC = 1;
    for (const probe_detail::FusedProbe &p : probes)
        maxC = std::max(maxC, p.classes);
    // A probe's own products run on one thread below ~4 M multiply-adds per batch (fusedtrain).
    const bool small = double(shared.batch) * double(shared.inputs) * double(maxC) < 4e6;
    if (threads < 2 || P < 2 || !small || !shared.source->dense())
        return probe_detail::trainFused(shared, probes, callback);
    // W, m, v and the gradient: 16 bytes per weight; groups of at most ~512 KiB of state.
    const double perProbe = 16.0 * double(maxC) * double(shared.inputs);
    const Index perGroup = std::max<Index>(1, Index((512.0 * 1024.0) / perProbe));
    const Index groups =
        std::max<Index>(std::min<Index>(P, threads), (P + perGroup - 1) / perGroup);
    std::vector<std::vector<probe_detail::FusedProbe>> part(static_cast<std::size_t>(groups));
    std::vector<std::vector<TrainResult>> out(static_cast<std::size_t>(groups));
    for (Index g = 0; g < groups; ++g)
        for (Index p = P * g / groups; p < P * (g + 1) / groups; ++p)
            part[std::size_t(g)].push_back(std::move(probes[std::size_t(p)]));
    probe_detail::FusedShared one = shared;
    one.threads = 1;
    std::mutex mutex;
    std::atomic<bool> stop{false};
    std::atomic<Index> reporter{0};
    std::vector<unsigned char> finished(static_cast<std::size_t>(groups), 0);
    std::exception_ptr error;
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
    for (Index g = 0; g < groups; ++g) {
        const TrainCallback cb = [&, g](const TrainProgress &progress) {
            if (stop.load())
                return false;
            if (!callback || reporter.load() != g)
                return true;
            const std::lock_guard<std::mutex> lock(mutex);
            if (!callback(progress))
                stop = true;
            return !stop.load();
        };
        try {
            out[std::size_t(g)] = probe_detail::trainFused(one, part[std::size_t(g)], cb);
        } catch (...) {
            const std::lock_guard<std::mutex> lock(mutex);
            if (!error)
                error = std::current_exception();
            stop = true;
        }
        const std::lock_guard<std::mutex> lock(mutex);
        finished[std::size_t(g)] = 1;
        Index r = reporter.load();
        while (r < groups && finished[std::size_t(r)])
            ++r;
        reporter = r;
    }
    if (error)
        std::rethrow_exception(error);
    std::vector<TrainResult> results;
    results.reserve(std::size_t(P));
    for (Index g = 0; g < groups; ++g) {
        for (TrainResult &r : out[std::size_t(g)])
            results.push_back(std::move(r));
    }
    return results;
}

} // namespace

TrainResult trainProbe(const FeatureSource &source, const VectorI &y, const VectorF &yValue,
                       const QStringList &labels, const ProbeOptions &options,
                       const NeuronList &columns, const std::vector<Index> &rows, const Probe *init,
                       const TrainCallback &callback)
{
    ProbeJob job;
    job.options = options;
    job.init = init;
    return std::move(
        trainProbes(source, y, yValue, labels, {job}, columns, rows, callback).front());
}

std::vector<TrainResult> trainProbes(const FeatureSource &source, const VectorI &y,
                                     const VectorF &yValue, const QStringList &labels,
                                     const std::vector<ProbeJob> &jobs, const NeuronList &columns,
                                     const std::vector<Index> &rows, const TrainCallback &callback)
{
    if (jobs.empty())
        return {};
    for (const ProbeJob &job : jobs)
        job.options.validate();
    const ProbeOptions &options = jobs.front().options;
    for (std::size_t j = 1; j < jobs.size(); ++j)
        if (!sameBatchOrder(options, jobs[j].options))
            throw Error(QStringLiteral("fused probe training: probe %1 does not share the batch "
                                       "order of probe 0 (task kind, epochs, batch size, "
                                       "shuffling, standardisation and, when shuffling, the seed "
                                       "must be equal)")
                            .arg(j));
    const bool regression = options.regression;
    const Index N = source.rows();
    const Index D = source.cols();
    const Eigen::Ref<const RowMatrixF> *dense = source.dense(); // null: read batches via readers

    // ---- shapes (shared)
    if (N == 0)
        throw Error(QStringLiteral("cannot train a probe: X has no rows"));
    if (D == 0)
        throw Error(QStringLiteral("cannot train a probe: X has no neurons (columns)"));
    if (regression && yValue.size() != N)
        throw Error(QStringLiteral("regression targets: %1 values for %2 rows of X")
                        .arg(yValue.size())
                        .arg(N));
    checkColumns(columns, D, "column subset");
    for (std::size_t i = 0; i < rows.size(); ++i)
        if (rows[i] < 0 || rows[i] >= N)
            throw Error(QStringLiteral("row subset: row %1 (position %2) is out of range; X has %3 "
                                       "rows")
                            .arg(rows[i])
                            .arg(i)
                            .arg(N));
    const bool allRows = rows.empty();
    const Index Nt = allRows ? N : Index(rows.size());
    auto rowAt = [&](Index i) { return allRows ? i : rows[std::size_t(i)]; };
    if (regression)
        for (Index i = 0; i < Nt; ++i)
            if (!std::isfinite(yValue[rowAt(i)]))
                throw Error(
                    QStringLiteral("regression target at row %1 is not finite").arg(rowAt(i)));

    const bool allColumns = columns.empty() || isIdentity(columns, D);
    const NeuronList gatherCols = allColumns ? NeuronList{} : columns;
    const Index K = allColumns ? D : Index(columns.size());
    const bool shuffle = options.shuffle && !options.neuroxCompatible;
    const bool standardize = options.standardize && !options.neuroxCompatible;

    // ---- per probe: targets, labels, initialisation
    std::vector<Probe> heads(jobs.size());
    std::vector<FusedProbe> fused(jobs.size());
    for (std::size_t j = 0; j < jobs.size(); ++j) {
        const ProbeJob &job = jobs[j];
        const VectorI &yj = job.y ? *job.y : y;
        const QStringList &lj = job.labels.isEmpty() ? labels : job.labels;
        const int C = regression ? 1 : int(lj.size());
        if (!regression && C < 2)
            throw Error(
                QStringLiteral("a classification probe needs at least 2 classes (got %1)").arg(C));
        if (!regression && yj.size() != N)
            throw Error(
                QStringLiteral("class labels: %1 values for %2 rows of X").arg(yj.size()).arg(N));
        // Targets are checked on the training rows only (other rows may carry other labels).
        if (!regression)
            for (Index i = 0; i < Nt; ++i) {
                const Index r = rowAt(i);
                if (yj[r] < 0 || yj[r] >= C)
                    throw Error(
                        QStringLiteral("class label %1 at row %2 is outside 0..%3 (%4 labels)")
                            .arg(yj[r])
                            .arg(r)
                            .arg(C - 1)
                            .arg(C));
            }
        Probe &probe = heads[j];
        probe.regression = regression;
        if (!regression)
            probe.labels = lj;
        if (allColumns) {
            probe.columns.resize(std::size_t(D));
            std::iota(probe.columns.begin(), probe.columns.end(), 0);
        } else {
            probe.columns = columns;
        }
        FusedProbe &f = fused[j];
        f.classes = C;
        f.y = regression ? nullptr : yj.data();
        f.l1 = float(job.options.l1);
        f.l2 = float(job.options.l2);
        f.lr = float(job.options.learningRate);
        if (job.init) {
            const Probe *init = job.init;
            if (init->W.rows() != C || init->W.cols() != K || init->b.size() != C)
                throw Error(
                    QStringLiteral("initial probe has W %1×%2 and b %3; expected %4×%5 and %4")
                        .arg(init->W.rows())
                        .arg(init->W.cols())
                        .arg(init->b.size())
                        .arg(C)
                        .arg(K));
            f.W = init->W;
            f.b = init->b;
        } else {
            // U(−1/√K, 1/√K) like nn.Linear; W row by row (class-major), then b.
            std::mt19937_64 rng = engineFor(job.options.seed, 0);
            const float k = 1.0f / std::sqrt(float(K));
            f.W.resize(C, K);
            f.b.resize(C);
            for (int c = 0; c < C; ++c)
                for (Index jj = 0; jj < K; ++jj)
                    f.W(c, jj) = symmetricDraw(rng, k);
            for (int c = 0; c < C; ++c)
                f.b(c) = symmetricDraw(rng, k);
        }
    }

    probe_detail::FusedShared shared;
    shared.source = &source;
    shared.regression = regression;
    shared.yValue = regression ? yValue.data() : nullptr;
    shared.order.resize(static_cast<std::size_t>(Nt)); // row of X for each training position
    for (Index i = 0; i < Nt; ++i)
        shared.order[std::size_t(i)] = rowAt(i);
    shared.gatherCols = gatherCols;
    shared.inputs = K;
    shared.epochs = options.epochs;
    shared.batch = std::min<Index>(options.batchSize, Nt);
    if (shuffle) {
        const quint64 seed = options.seed;
        const int blockRows = options.shuffleBlockRows;
        shared.permute = [seed, blockRows](int epoch, std::vector<Index> &perm) {
            epochOrder(perm, seed, epoch, blockRows);
        };
    }
    const std::vector<Index> &order = shared.order;

    // ---- standardisation statistics over the training rows (population std; std 0 → scale 1)
    if (standardize) {
        Eigen::VectorXd sum = Eigen::VectorXd::Zero(K), sq = Eigen::VectorXd::Zero(K);
        const Index chunkRows = std::min<Index>(Nt, 4096);
        RowMatrixF chunk(chunkRows, K);
        // Chunks of the training rows in order, from X or from a reader (same values).
        auto passOverRows = [&](const std::function<void(Index)> &use) {
            if (dense) {
                for (Index s = 0; s < Nt; s += chunkRows) {
                    const Index n = std::min<Index>(chunkRows, Nt - s);
                    gatherRows(*dense, order.data() + s, n, gatherCols, VectorF(), VectorF(),
                               chunk);
                    use(n);
                }
                return;
            }
            auto reader = source.read(order, chunkRows, gatherCols);
            for (Index n; (n = reader->next(chunk)) > 0;)
                use(n);
        };
        passOverRows(
            [&](Index n) { sum += chunk.topRows(n).cast<double>().colwise().sum().transpose(); });
        const Eigen::VectorXd mean = sum / double(Nt);
        passOverRows([&](Index n) {
            sq += (chunk.topRows(n).cast<double>().rowwise() - mean.transpose())
                      .array()
                      .square()
                      .colwise()
                      .sum()
                      .matrix()
                      .transpose();
        });
        shared.mean = mean.cast<float>();
        shared.scale.resize(K);
        for (Index j = 0; j < K; ++j) {
            const double sd = std::sqrt(sq[j] / double(Nt));
            shared.scale[j] = (sd > 0 && std::isfinite(sd)) ? float(1.0 / sd) : 1.0f;
        }
    }

    // ---- training loop (fusedtrain.cpp)
    std::vector<TrainResult> results = trainFusedGroups(shared, fused, callback);
    for (std::size_t j = 0; j < results.size(); ++j) {
        if (results[j].status != Status::Ok)
            continue;
        Probe &probe = heads[j];
        probe.W = std::move(results[j].probe.W);
        probe.b = std::move(results[j].probe.b);
        probe.mean = shared.mean;
        probe.scale = shared.scale;
        results[j].probe = std::move(probe);
    }
    return results;
}

} // namespace salient
