#pragma once
// salient-bench figures for probe training (issue 16): the machine's square-SGEMM rate, and the
// epoch of a fused λ grid (all cells in one pass over X) against a single probe's epoch.
#include "salient/data/features.h"
#include "salient/util/matrix.h"

#include <QJsonObject>
#include <QStringList>
#include <functional>

namespace salient {

/// Rate of a square n × n · n × n float product (Eigen, the compute threads), GFLOP/s: the
/// machine's reference peak for the probe ratios. Runs for about @p seconds.
double squareGemmGflops(int n = 2048, double seconds = 1.5);

/// One epoch of a single probe (λ = 0) and one epoch of a fused @p side × @p side grid (λ1, λ2
/// from {0, 1e-5, …, 1e-1}) on the same data and batch size; whether the grid's (0, 0) probe is
/// bit-identical to the single one. Keys: single_s, fused_s, probes, ratio, identical.
QJsonObject fusedGridBench(const FeatureSource &features, const VectorI &y,
                           const QStringList &labels, int batch, int side,
                           const std::function<void(const QString &)> &log);

} // namespace salient
