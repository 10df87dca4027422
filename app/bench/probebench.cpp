#include "probebench.h"

#include "salient/probe/probe.h"

#include <QElapsedTimer>
#include <algorithm>
#include <cstring>

namespace salient {

namespace {
double seconds(const QElapsedTimer &t)
{
    return double(t.nsecsElapsed()) * 1e-9;
}
} // namespace

double squareGemmGflops(int n, double seconds_)
{
    const MatrixF a = MatrixF::Random(n, n), b = MatrixF::Random(n, n);
    MatrixF c(n, n);
    c.noalias() = a * b; // warm-up
    QElapsedTimer t;
    t.start();
    int reps = 0;
    while (seconds(t) < seconds_ || reps < 2) {
        c.noalias() = a * b;
        ++reps;
    }
    return 2.0 * double(n) * double(n) * double(n) * reps / seconds(t) / 1e9;
}

QJsonObject fusedGridBench(const FeatureSource &features, const VectorI &y,
                           const QStringList &labels, int batch, int side,
                           const std::function<void(const QString &)> &log)
{
    const double grid[] = {0, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1};
    side = std::clamp(side, 1, 6);
    ProbeOptions po;
    po.epochs = 1;
    po.batchSize = batch;
    po.seed = 1;
    QElapsedTimer t;
    t.start();
    const TrainResult single = trainProbe(features, y, VectorF(), labels, po);
    const double singleSeconds = seconds(t);
    std::vector<ProbeJob> jobs;
    for (int i = 0; i < side; ++i)
        for (int j = 0; j < side; ++j) {
            ProbeJob job;
            job.options = po;
            job.options.l1 = grid[i];
            job.options.l2 = grid[j];
            jobs.push_back(job);
        }
    t.restart();
    const std::vector<TrainResult> fused = trainProbes(features, y, VectorF(), labels, jobs);
    const double fusedSeconds = seconds(t);
    const MatrixF &a = single.probe.W, &b = fused.front().probe.W;
    const bool identical =
        single.status == Status::Ok && fused.front().status == Status::Ok && a.rows() == b.rows()
        && a.cols() == b.cols()
        && std::memcmp(a.data(), b.data(), std::size_t(a.size()) * sizeof(float)) == 0;
    const int probes = side * side;
    log(QStringLiteral("fused %1×%1 grid, batch %2: %3 s/epoch for %4 probes = %5 single-probe "
                       "epochs (single probe %6 s/epoch; %7× less than %4 separate); (0,0) cell "
                       "%8 the single probe")
            .arg(side)
            .arg(batch)
            .arg(fusedSeconds, 0, 'f', 2)
            .arg(probes)
            .arg(fusedSeconds / singleSeconds, 0, 'f', 1)
            .arg(singleSeconds, 0, 'f', 2)
            .arg(probes * singleSeconds / fusedSeconds, 0, 'f', 1)
            .arg(identical ? QStringLiteral("bit-identical to") : QStringLiteral("DIFFERS from")));
    QJsonObject o;
    o[QStringLiteral("single_s")] = singleSeconds;
    o[QStringLiteral("fused_s")] = fusedSeconds;
    o[QStringLiteral("probes")] = probes;
    o[QStringLiteral("ratio")] = fusedSeconds / singleSeconds;
    o[QStringLiteral("identical")] = identical;
    return o;
}

} // namespace salient
