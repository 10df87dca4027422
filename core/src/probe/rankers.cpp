// Alternative neuron ranker: the Gaussian probe with greedy mutual-information selection
// (spec/NEUROX.md §12.3). Average precision (NeuroX 'IoU', §12.2) is in averageprecision.cpp.
#include "salient/probe/rankers.h"

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>
#include <QThread>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace salient {

namespace {

constexpr double kLog2Pi = 1.8378770664093454835606594728112; // log(2π)
constexpr Index kRowChunk = 4096;

void checkLabels(const VectorI &y, Index rows, int classes, const char *function)
{
    if (y.size() != rows)
        throw Error(QStringLiteral("%1: X has %2 rows but y has %3 labels")
                        .arg(QLatin1String(function))
                        .arg(rows)
                        .arg(y.size()));
    for (Index i = 0; i < y.size(); ++i) {
        if (y(i) < 0 || y(i) >= classes)
            throw Error(QStringLiteral("%1: label %2 at row %3 is outside 0..%4")
                            .arg(QLatin1String(function))
                            .arg(y(i))
                            .arg(i)
                            .arg(classes - 1));
    }
}

/// Entropy in nats of the label distribution of y over classes.
double labelEntropy(const VectorI &y, int classes)
{
    std::vector<Index> counts(size_t(classes), 0);
    for (Index i = 0; i < y.size(); ++i)
        ++counts[size_t(y(i))];
    double h = 0;
    for (Index n : counts) {
        if (n > 0) {
            const double p = double(n) / double(y.size());
            h -= p * std::log(p);
        }
    }
    return h;
}

/// Positions into probe.columns of the selected columns of X (empty = all).
std::vector<int> probePositions(const GaussianProbe &probe, const NeuronList &selected,
                                const char *function)
{
    const size_t n = selected.empty() ? probe.columns.size() : selected.size();
    std::vector<int> pos(n, 0);
    for (size_t i = 0; i < n; ++i) {
        if (selected.empty()) {
            pos[i] = int(i);
            continue;
        }
        const auto it = std::find(probe.columns.begin(), probe.columns.end(), selected[i]);
        if (it == probe.columns.end())
            throw Error(QStringLiteral("%1: column %2 is not modelled by the Gaussian probe")
                            .arg(QLatin1String(function))
                            .arg(selected[i]));
        pos[i] = int(it - probe.columns.begin());
    }
    return pos;
}

void checkProbeInput(const GaussianProbe &probe, const Eigen::Ref<const RowMatrixF> &X,
                     const char *function)
{
    if (probe.classes < 1 || probe.mean.size() != size_t(probe.classes))
        throw Error(
            QStringLiteral("%1: the Gaussian probe is not trained").arg(QLatin1String(function)));
    for (int c : probe.columns) {
        if (c >= X.cols())
            throw Error(QStringLiteral("%1: the probe models column %2 but X has %3 columns")
                            .arg(QLatin1String(function))
                            .arg(c)
                            .arg(X.cols()));
    }
}

/// Turns rows × classes log joint scores into log posteriors (log-sum-exp per row).
void normaliseRows(Eigen::MatrixXd &logp)
{
    for (Index i = 0; i < logp.rows(); ++i) {
        const double m = logp.row(i).maxCoeff();
        if (!std::isfinite(m))
            continue;
        const double s = (logp.row(i).array() - m).exp().sum();
        logp.row(i).array() -= m + std::log(s);
    }
}

int resolveThreads(int threads)
{
    return threads > 0 ? threads : std::max(1, QThread::idealThreadCount());
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Gaussian probe
// ---------------------------------------------------------------------------------------------

double fixCovariance(Eigen::MatrixXd &sigma)
{
    const Index d = sigma.rows();
    if (d == 0)
        return 0.0;
    if (sigma.cols() != d || !sigma.allFinite())
        throw Error(QStringLiteral("Gaussian probe: covariance must be square and finite"));
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(sigma, Eigen::EigenvaluesOnly);
    if (es.info() != Eigen::Success)
        throw Error(QStringLiteral("Gaussian probe: eigenvalue computation failed"));
    double lmin = es.eigenvalues()(0);
    double added = 0;
    if (lmin < 0) { // NeuroX: sigma -= 10·λ_min·I
        sigma.diagonal().array() -= 10.0 * lmin;
        added -= 10.0 * lmin;
        lmin -= 10.0 * lmin;
    }
    const double floor = 1e-8 * std::max(sigma.trace() / double(d), 1e-12);
    if (lmin < floor) { // Salient: keep every principal sub-block positive definite
        sigma.diagonal().array() += floor - lmin;
        added += floor - lmin;
    }
    return added;
}

double gaussianProbeMemoryBytes(int classes, Index neurons)
{
    const double d = double(neurons);
    return 8.0 * double(std::max(classes, 1)) * d * d + 8.0 * d * d;
}

GaussianProbe trainGaussianProbe(const Eigen::Ref<const RowMatrixF> &X, const VectorI &y,
                                 int classes, const NeuronList &columns, double memoryBudgetBytes)
{
    const char *fn = "Gaussian probe";
    if (classes < 2)
        throw Error(QStringLiteral("%1: needs at least 2 classes, found %2")
                        .arg(QLatin1String(fn))
                        .arg(classes));
    checkLabels(y, X.rows(), classes, fn);
    GaussianProbe p;
    p.classes = classes;
    p.columns = resolveColumns(X.cols(), columns, fn);
    const Index D = Index(p.columns.size());
    if (D < 1)
        throw Error(QStringLiteral("%1: no columns to model").arg(QLatin1String(fn)));
    const double bytes = gaussianProbeMemoryBytes(classes, D);
    if (bytes > memoryBudgetBytes)
        throw Error(QStringLiteral("%1 over %2 neurons and %3 classes needs about %4 MB of "
                                   "covariances, more than the budget of %5 MB; pre-filter the "
                                   "neurons (e.g. correlation clustering)")
                        .arg(QLatin1String(fn))
                        .arg(D)
                        .arg(classes)
                        .arg(bytes / 1e6, 0, 'f', 1)
                        .arg(memoryBudgetBytes / 1e6, 0, 'f', 1));
    p.counts.assign(size_t(classes), 0);
    for (Index i = 0; i < y.size(); ++i)
        ++p.counts[size_t(y(i))];
    const int present =
        int(std::count_if(p.counts.begin(), p.counts.end(), [](Index n) { return n > 0; }));
    if (present < 2)
        throw Error(QStringLiteral("%1: needs training rows of at least 2 classes, found %2")
                        .arg(QLatin1String(fn))
                        .arg(present));
    for (Index i = 0; i < X.rows(); ++i) {
        for (Index k = 0; k < D; ++k) {
            if (!std::isfinite(X(i, p.columns[size_t(k)])))
                throw Error(QStringLiteral("%1: value at row %2, column %3 is not finite")
                                .arg(QLatin1String(fn))
                                .arg(i)
                                .arg(p.columns[size_t(k)]));
        }
    }
    if (D > kGaussianNeuronWarning)
        p.warnings << QStringLiteral("The Gaussian probe models %1 neurons; NeuroX advises fewer "
                                     "than %2. Pre-filter the neurons (e.g. correlation "
                                     "clustering) to keep time and memory manageable.")
                          .arg(D)
                          .arg(kGaussianNeuronWarning);

    const double N = double(X.rows());
    p.logPrior = Eigen::VectorXd::Constant(classes, -std::numeric_limits<double>::infinity());
    p.mean.assign(size_t(classes), Eigen::VectorXd());
    p.covariance.assign(size_t(classes), Eigen::MatrixXd());
    p.eigenShift.assign(size_t(classes), 0.0);
    const double kappa0 = 0.01, nu0 = double(D) + 2.0;
    for (int c = 0; c < classes; ++c) {
        const Index nc = p.counts[size_t(c)];
        if (nc == 0)
            continue;
        p.logPrior(c) = std::log(double(nc) / N);
        std::vector<Index> rows;
        rows.reserve(size_t(nc));
        for (Index i = 0; i < y.size(); ++i)
            if (y(i) == c)
                rows.push_back(i);
        Eigen::VectorXd muHat = Eigen::VectorXd::Zero(D);
        for (Index r : rows)
            for (Index k = 0; k < D; ++k)
                muHat(k) += double(X(r, p.columns[size_t(k)]));
        muHat /= double(nc);
        // Scatter S = Σ (x − μ̂)(x − μ̂)ᵀ, accumulated over row chunks.
        Eigen::MatrixXd S = Eigen::MatrixXd::Zero(D, D);
        Eigen::MatrixXd M;
        for (size_t r0 = 0; r0 < rows.size(); r0 += size_t(kRowChunk)) {
            const Index n = Index(std::min(rows.size() - r0, size_t(kRowChunk)));
            M.resize(D, n);
            for (Index j = 0; j < n; ++j)
                for (Index k = 0; k < D; ++k)
                    M(k, j) = double(X(rows[r0 + size_t(j)], p.columns[size_t(k)])) - muHat(k);
            S.selfadjointView<Eigen::Lower>().rankUpdate(M);
        }
        S.triangularView<Eigen::StrictlyUpper>() = S.transpose();
        if (nc < 2)
            p.warnings << QStringLiteral("Class %1 has a single training row: its variances are "
                                         "taken as 0 (NeuroX's np.cov gives NaN).")
                              .arg(c);
        // Λ0 = diag(unbiased variances) (np.cov, ddof = 1); μ0 = μ̂ so μ* = μ̂ and S has no
        // prior-mean term.
        const Eigen::VectorXd lambda0 = nc > 1 ? Eigen::VectorXd(S.diagonal() / double(nc - 1))
                                               : Eigen::VectorXd(Eigen::VectorXd::Zero(D));
        p.mean[size_t(c)] = (kappa0 * muHat + double(nc) * muHat) / (kappa0 + double(nc));
        Eigen::MatrixXd sigma = S;
        sigma.diagonal() += lambda0;
        sigma /= nu0 + double(nc) + double(D) + 2.0;
        p.eigenShift[size_t(c)] = fixCovariance(sigma);
        p.covariance[size_t(c)] = std::move(sigma);
    }
    return p;
}

Eigen::MatrixXd gaussianLogPosterior(const GaussianProbe &probe,
                                     const Eigen::Ref<const RowMatrixF> &X,
                                     const NeuronList &selected)
{
    const char *fn = "Gaussian probe";
    checkProbeInput(probe, X, fn);
    const std::vector<int> pos = probePositions(probe, selected, fn);
    const Index s = Index(pos.size());
    Eigen::MatrixXd logp(X.rows(), probe.classes);
    for (int c = 0; c < probe.classes; ++c) {
        if (!probe.present(c)) {
            logp.col(c).setConstant(-std::numeric_limits<double>::infinity());
            continue;
        }
        Eigen::MatrixXd sub(s, s);
        Eigen::VectorXd mu(s);
        for (Index a = 0; a < s; ++a) {
            mu(a) = probe.mean[size_t(c)](pos[size_t(a)]);
            for (Index b = 0; b < s; ++b)
                sub(a, b) = probe.covariance[size_t(c)](pos[size_t(a)], pos[size_t(b)]);
        }
        const Eigen::LLT<Eigen::MatrixXd> llt(sub);
        if (llt.info() != Eigen::Success)
            throw Error(QStringLiteral("%1: covariance of class %2 is not positive definite")
                            .arg(QLatin1String(fn))
                            .arg(c));
        const double logdet = 2.0 * llt.matrixL().toDenseMatrix().diagonal().array().log().sum();
        const double constant = -0.5 * (double(s) * kLog2Pi + logdet) + probe.logPrior(c);
        Eigen::MatrixXd Dm;
        for (Index r0 = 0; r0 < X.rows(); r0 += kRowChunk) {
            const Index n = std::min(kRowChunk, X.rows() - r0);
            Dm.resize(s, n);
            for (Index j = 0; j < n; ++j)
                for (Index a = 0; a < s; ++a)
                    Dm(a, j) = double(X(r0 + j, probe.columns[size_t(pos[size_t(a)])])) - mu(a);
            llt.matrixL().solveInPlace(Dm);
            logp.col(c).segment(r0, n) =
                (constant - 0.5 * Dm.colwise().squaredNorm().array()).transpose().matrix();
        }
    }
    normaliseRows(logp);
    return logp;
}

VectorI gaussianPredict(const GaussianProbe &probe, const Eigen::Ref<const RowMatrixF> &X,
                        const NeuronList &selected)
{
    const Eigen::MatrixXd logp = gaussianLogPosterior(probe, X, selected);
    VectorI pred(logp.rows());
    for (Index i = 0; i < logp.rows(); ++i) {
        Index best = 0;
        logp.row(i).maxCoeff(&best); // first maximum = lowest class
        pred(i) = int(best);
    }
    return pred;
}

double gaussianAccuracy(const GaussianProbe &probe, const Eigen::Ref<const RowMatrixF> &X,
                        const VectorI &y, const NeuronList &selected)
{
    checkLabels(y, X.rows(), probe.classes, "Gaussian probe");
    if (y.size() == 0)
        return 0.0;
    const VectorI pred = gaussianPredict(probe, X, selected);
    return double((pred.array() == y.array()).count()) / double(y.size());
}

double gaussianMutualInformation(const GaussianProbe &probe, const Eigen::Ref<const RowMatrixF> &X,
                                 const VectorI &y, const NeuronList &selected)
{
    checkLabels(y, X.rows(), probe.classes, "Gaussian probe");
    if (y.size() == 0)
        return 0.0;
    const Eigen::MatrixXd logp = gaussianLogPosterior(probe, X, selected);
    double ce = 0;
    for (Index i = 0; i < y.size(); ++i)
        ce -= logp(i, y(i));
    ce /= double(y.size());
    return (labelEntropy(y, probe.classes) - ce) / std::log(2.0);
}

GaussianSelection gaussianGreedySelection(const GaussianProbe &probe,
                                          const Eigen::Ref<const RowMatrixF> &X, const VectorI &y,
                                          int k, const ExperimentProgress &progress, int threads)
{
    const char *fn = "Gaussian probe";
    checkProbeInput(probe, X, fn);
    checkLabels(y, X.rows(), probe.classes, fn);
    const int D = probe.dims();
    if (k < 1 || k > D)
        throw Error(QStringLiteral("%1: cannot select %2 neurons out of %3 modelled")
                        .arg(QLatin1String(fn))
                        .arg(k)
                        .arg(D));
    const Index N = X.rows();
    if (N < 1)
        throw Error(QStringLiteral("%1: no training rows").arg(QLatin1String(fn)));
    GaussianSelection out;
    if (D > kGaussianNeuronWarning || k > kGaussianNeuronWarning) {
        out.manyNeurons = true;
        out.warnings << QStringLiteral("Greedy Gaussian selection of %1 of %2 neurons: NeuroX "
                                       "advises fewer than %3; expect O(k·D) Gaussian fits.")
                            .arg(k)
                            .arg(D)
                            .arg(kGaussianNeuronWarning);
    }
    std::vector<int> cls;
    for (int c = 0; c < probe.classes; ++c)
        if (probe.present(c))
            cls.push_back(c);
    const size_t C = cls.size();
    const double entropy = labelEntropy(y, probe.classes);

    // Per present class: growing Cholesky factor L of Σ*[S,S], whitened residuals Z (N × k),
    // running squared norms q (N) and log-determinant.
    std::vector<Eigen::MatrixXd> L(C, Eigen::MatrixXd::Zero(k, k));
    std::vector<Eigen::MatrixXd> Z(C);
    std::vector<Eigen::VectorXd> q(C, Eigen::VectorXd::Zero(N));
    std::vector<double> logdet(C, 0.0);
    for (size_t ci = 0; ci < C; ++ci)
        Z[ci].resize(N, k);
    std::vector<int> selected; // positions into probe.columns
    std::vector<char> taken(size_t(D), 0);

    // Extends class ci's factor by candidate position j: l, d and the whitened column z.
    auto extend = [&](size_t ci, int j, Index s, const Eigen::VectorXd &x, Eigen::VectorXd &l,
                      double &d, Eigen::VectorXd &z) {
        const int c = cls[ci];
        const Eigen::MatrixXd &cov = probe.covariance[size_t(c)];
        l.resize(s);
        for (Index a = 0; a < s; ++a)
            l(a) = cov(selected[size_t(a)], j);
        if (s > 0)
            L[ci].topLeftCorner(s, s).triangularView<Eigen::Lower>().solveInPlace(l);
        const double cjj = cov(j, j);
        const double d2 = std::max(cjj - l.squaredNorm(), 1e-12 * cjj);
        d = std::sqrt(d2);
        z = x.array() - probe.mean[size_t(c)](j);
        if (s > 0)
            z.noalias() -= Z[ci].leftCols(s) * l;
        z /= d;
    };

    auto columnOf = [&](int j) {
        Eigen::VectorXd x(N);
        const int col = probe.columns[size_t(j)];
        for (Index i = 0; i < N; ++i)
            x(i) = double(X(i, col));
        return x;
    };

    int totalSteps = 0;
    for (int s = 0; s < k; ++s)
        totalSteps += D - s;
    ProgressRelay relay(progress, totalSteps);
    std::vector<double> mi(static_cast<size_t>(D)), acc(static_cast<size_t>(D));
    for (int s = 0; s < k; ++s) {
        std::vector<int> candidates;
        for (int j = 0; j < D; ++j)
            if (!taken[size_t(j)])
                candidates.push_back(j);
        parallelFor(
            int(candidates.size()),
            [&](int t) {
                const int j = candidates[size_t(t)];
                const Eigen::VectorXd x = columnOf(j);
                Eigen::MatrixXd logp(N, Index(C));
                Eigen::VectorXd l, z;
                double d = 0;
                for (size_t ci = 0; ci < C; ++ci) {
                    extend(ci, j, s, x, l, d, z);
                    const double constant =
                        -0.5 * (double(s + 1) * kLog2Pi + logdet[ci] + 2.0 * std::log(d))
                        + probe.logPrior(cls[ci]);
                    logp.col(Index(ci)) =
                        (constant - 0.5 * (q[ci].array() + z.array().square())).matrix();
                }
                normaliseRows(logp);
                double ce = 0;
                Index correct = 0;
                for (Index i = 0; i < N; ++i) {
                    const int yc = y(i);
                    const auto it = std::find(cls.begin(), cls.end(), yc);
                    Index best = 0;
                    logp.row(i).maxCoeff(&best);
                    if (it == cls.end()) { // cannot happen on training rows
                        ce = std::numeric_limits<double>::infinity();
                        continue;
                    }
                    const Index col = Index(it - cls.begin());
                    ce -= logp(i, col);
                    correct += best == col ? 1 : 0;
                }
                mi[size_t(j)] = (entropy - ce / double(N)) / std::log(2.0);
                acc[size_t(j)] = double(correct) / double(N);
                relay.step(QStringLiteral("neuron %1 of %2").arg(s + 1).arg(k));
            },
            &relay, threads);
        if (relay.cancelled()) {
            out.status = Status::Cancelled;
            break;
        }
        int best = -1;
        for (int j : candidates) { // strict '>' as NeuroX: ties go to the first candidate
            if (best < 0 || mi[size_t(j)] > mi[size_t(best)])
                best = j;
        }
        const Eigen::VectorXd x = columnOf(best);
        for (size_t ci = 0; ci < C; ++ci) {
            Eigen::VectorXd l, z;
            double d = 0;
            extend(ci, best, s, x, l, d, z);
            L[ci].row(s).head(s) = l.transpose();
            L[ci](s, s) = d;
            Z[ci].col(s) = z;
            q[ci].array() += z.array().square();
            logdet[ci] += 2.0 * std::log(d);
        }
        selected.push_back(best);
        taken[size_t(best)] = 1;
        out.order.push_back(probe.columns[size_t(best)]);
        out.mutualInformation.push_back(mi[size_t(best)]);
        out.trainAccuracy.push_back(acc[size_t(best)]);
    }
    return out;
}

GaussianRanking gaussianRanking(const ExperimentData &data, int k, const NeuronList &columns,
                                const ExperimentProgress &progress)
{
    if (!data.train)
        throw Error(QStringLiteral("Gaussian probe: no training split"));
    if (data.labels.size() < 2)
        throw Error(QStringLiteral("Gaussian probe: classification needs at least 2 labels"));
    const Dataset &train = *data.train;
    const RowMatrixF &trainX = train.denseX("the Gaussian ranking");
    const GaussianProbe probe =
        trainGaussianProbe(trainX, train.y, int(data.labels.size()), columns);
    GaussianRanking out;
    out.warnings = probe.warnings;
    out.selection = gaussianGreedySelection(probe, trainX, train.y, k, progress, resolveThreads(0));
    out.warnings << out.selection.warnings;
    out.testAccuracy = std::numeric_limits<double>::quiet_NaN();
    if (out.selection.status != Status::Ok || out.selection.order.empty())
        return out;
    const Dataset &sel = data.selection();
    if (!data.dev)
        out.warnings << QStringLiteral("No dev split: the selection accuracy is on train.");
    out.selectionAccuracy =
        gaussianAccuracy(probe, sel.denseX("the Gaussian ranking"), sel.y, out.selection.order);
    if (data.test)
        out.testAccuracy = gaussianAccuracy(probe, data.test->denseX("the Gaussian ranking"),
                                            data.test->y, out.selection.order);
    return out;
}

} // namespace salient
