// Tests of the alternative rankers (spec/NEUROX.md §12.2, §12.3): average precision (NeuroX
// 'IoU') with scikit-learn's definition worked out by hand in the comments, and the Gaussian
// probe (conjugate-prior fit, eigenvalue fix, greedy mutual-information selection).
#include <QtTest>

#include "salient/probe/rankers.h"
#include "salient/util/error.h"

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>
#include <cmath>
#include <random>

using namespace salient;

namespace {

double uniform(std::mt19937_64 &rng)
{
    return double(rng() >> 11) * 0x1.0p-53;
}

/// Standard normal by Box–Muller (own conversion, no std distributions).
double normal(std::mt19937_64 &rng)
{
    const double u1 = 1.0 - uniform(rng), u2 = uniform(rng);
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

/// Two classes (1 when i % period == 0); every neuron N(0, 1) except neuron 3 = ±2 + 0.3·noise.
void plantedData(Index rows, Index cols, int period, quint64 seed, RowMatrixF &X, VectorI &y)
{
    std::mt19937_64 rng(seed);
    X.resize(rows, cols);
    y.resize(rows);
    for (Index i = 0; i < rows; ++i) {
        y(i) = i % period == 0 ? 1 : 0;
        for (Index j = 0; j < cols; ++j)
            X(i, j) = float(normal(rng));
        X(i, 3) = float((y(i) == 1 ? 2.0 : -2.0) + 0.3 * normal(rng));
    }
}

} // namespace

class TestRankers : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void averagePrecisionByHand();
    void averagePrecisionRankingOrderAndThreshold();
    void averagePrecisionValidationAndCancel();
    void gaussianPosteriorByHand();
    void eigenvalueFix();
    void gaussianPlanted();
    void gaussianMutualInformationOfSeparatingNeuron();
    void gaussianConstantColumn();
    void gaussianWarningAndCancel();
    void gaussianValidation();
};

void TestRankers::averagePrecisionByHand()
{
    // AP = Σ over distinct thresholds (descending) of (R_k − R_{k−1}) · P_k.
    // (a) scores .9 .8 .7 .6, positives 1 0 1 0:
    //     .9: P 1/1, R 1/2 → .5;  .8: R unchanged;  .7: P 2/3, R 1 → .5·2/3;  AP = 5/6.
    QVERIFY(std::abs(averagePrecision({0.9f, 0.8f, 0.7f, 0.6f}, {1, 0, 1, 0}) - 5.0 / 6.0) < 1e-12);
    // (b) scikit-learn's documentation example: y = 0 0 1 1, scores .1 .4 .35 .8 → 0.8333.
    QVERIFY(std::abs(averagePrecision({0.1f, 0.4f, 0.35f, 0.8f}, {0, 0, 1, 1}) - 5.0 / 6.0)
            < 1e-12);
    // (c) ties enter together: scores .5 .5 .5 .1, positives 1 0 0 1:
    //     .5: TP 1, FP 2 → P 1/3, R 1/2 → 1/6;  .1: P 2/4, R 1 → 1/2 · 1/2 = 1/4;  AP = 5/12.
    //     (Breaking the tie with the positive first would give 0.75.)
    QVERIFY(std::abs(averagePrecision({0.5f, 0.5f, 0.5f, 0.1f}, {1, 0, 0, 1}) - 5.0 / 12.0)
            < 1e-12);
    QVERIFY(std::abs(averagePrecision({0.5f, 0.5f, 0.5f, 0.1f}, {0, 0, 1, 1}) - 5.0 / 12.0)
            < 1e-12);
    // (d) all scores equal: one threshold, AP = prevalence = 2/5.
    QVERIFY(std::abs(averagePrecision({1, 1, 1, 1, 1}, {0, 1, 0, 1, 0}) - 0.4) < 1e-12);
    // (e) no positives: scikit-learn returns 0.
    QCOMPARE(averagePrecision({0.3f, 0.2f}, {0, 0}), 0.0);
}

void TestRankers::averagePrecisionRankingOrderAndThreshold()
{
    // y = 1 1 0 0 0 1 (positive class 1).
    // col 0: .04 −.03 .02 .01 .6 .5. With |x| < .05 → 0: 0 0 0 0 .6 .5:
    //   .6 (neg): R 0;  .5 (pos): P 1/2, R 1/3 → 1/6;  0 (p p n n): P 3/6, R 1 → 2/3·1/2 = 1/3;
    //   AP = 1/2. Without the threshold: .6 n, .5 p (1/6), .04 p (P 2/3, R 2/3 → 2/9),
    //   .02 n, .01 n, −.03 p (P 3/6, R 1 → 1/6): AP = 10/18.
    // col 1 and col 2: perfect separation, AP = 1 (tie → ascending column).
    // col 3: .9 .2 .8 .3 .1 .7: .9 p (1/3), .8 n, .7 p (P 2/3 → 2/9), .3 n, .2 p (P 3/5 → 1/5),
    //   AP = 34/45.
    RowMatrixF X(6, 4);
    X << 0.04f, 0.9f, 0.9f, 0.9f, //
        -0.03f, 0.8f, 0.8f, 0.2f, //
        0.02f, 0.1f, 0.1f, 0.8f,  //
        0.01f, 0.2f, 0.2f, 0.3f,  //
        0.6f, 0.3f, 0.3f, 0.1f,   //
        0.5f, 0.7f, 0.7f, 0.7f;
    VectorI y(6);
    y << 1, 1, 0, 0, 0, 1;
    const RowMatrixF before = X;
    const AveragePrecisionRanking r = averagePrecisionRanking(X, y, 1);
    QCOMPARE(r.status, Status::Ok);
    QVERIFY(X == before); // the caller's X is not thresholded in place
    QCOMPARE(r.order, (NeuronList{1, 2, 3, 0}));
    QVERIFY(std::abs(r.score[0] - 0.5) < 1e-12);
    QVERIFY(std::abs(r.score[1] - 1.0) < 1e-12);
    QVERIFY(std::abs(r.score[2] - 1.0) < 1e-12);
    QVERIFY(std::abs(r.score[3] - 34.0 / 45.0) < 1e-12);
    const AveragePrecisionRanking noThreshold = averagePrecisionRanking(X, y, 1, 0.0);
    QVERIFY(std::abs(noThreshold.score[0] - 10.0 / 18.0) < 1e-12);
    // Column subset: scores follow the given columns, order is in columns of X.
    const AveragePrecisionRanking sub = averagePrecisionRanking(X, y, 1, 0.05, {0, 3});
    QCOMPARE(sub.columns, (NeuronList{0, 3}));
    QCOMPARE(sub.order, (NeuronList{3, 0}));
    // The other label as positive class: col 0 after thresholding ranks negatives first.
    const AveragePrecisionRanking neg = averagePrecisionRanking(X, y, 0, 0.05, {0});
    // y0 = 0 0 1 1 1 0; scores 0 0 0 0 .6 .5: .6 p (P 1, R 1/3 → 1/3), .5 n,
    //   0 (n n p p): P 3/6, R 1 → 2/3 · 1/2 = 1/3; AP = 2/3.
    QVERIFY(std::abs(neg.score[0] - 2.0 / 3.0) < 1e-12);
}

void TestRankers::averagePrecisionValidationAndCancel()
{
    RowMatrixF X = RowMatrixF::Ones(4, 3);
    VectorI y(4);
    y << 0, 0, 0, 0;
    QVERIFY_THROWS_EXCEPTION(Error, averagePrecisionRanking(X, y, 1)); // no positives
    QVERIFY_THROWS_EXCEPTION(Error, averagePrecisionRanking(X, y, 0)); // no negatives
    y << 0, 1, 0, 1;
    QVERIFY_THROWS_EXCEPTION(Error, averagePrecisionRanking(X, y, 1, -1.0));
    QVERIFY_THROWS_EXCEPTION(Error, averagePrecisionRanking(X, y, 1, 0.05, {3}));
    QVERIFY_THROWS_EXCEPTION(Error, averagePrecisionRanking(X, VectorI::Zero(3), 1));
    X(2, 1) = std::numeric_limits<float>::infinity();
    QVERIFY_THROWS_EXCEPTION(Error, averagePrecisionRanking(X, y, 1, 0.05, {}, {}, 1));
    X(2, 1) = 1.0f;
    const AveragePrecisionRanking c =
        averagePrecisionRanking(X, y, 1, 0.05, {}, [](double, const QString &) { return false; });
    QCOMPARE(c.status, Status::Cancelled);
    QVERIFY(c.order.empty());
}

void TestRankers::gaussianPosteriorByHand()
{
    // One neuron (D = 1, ν0 = 3). Class 0: 1, 3 (N 2, μ̂ 2, S 2, unbiased var 2):
    //   Σ* = (2 + 2) / (3 + 2 + 1 + 2) = 0.5.
    // Class 1: 0, 0, 2, 2 (N 4, μ̂ 1, S 4, var 4/3): Σ* = (4/3 + 4) / (3 + 4 + 1 + 2) = 8/15.
    // Priors 2/6 and 4/6.
    RowMatrixF X(6, 1);
    X << 1, 3, 0, 0, 2, 2;
    VectorI y(6);
    y << 0, 0, 1, 1, 1, 1;
    const GaussianProbe p = trainGaussianProbe(X, y, 2);
    QVERIFY(std::abs(p.mean[0](0) - 2.0) < 1e-12);
    QVERIFY(std::abs(p.mean[1](0) - 1.0) < 1e-12);
    QVERIFY(std::abs(p.covariance[0](0, 0) - 0.5) < 1e-12);
    QVERIFY(std::abs(p.covariance[1](0, 0) - 8.0 / 15.0) < 1e-12);
    QVERIFY(std::abs(p.logPrior(0) - std::log(2.0 / 6.0)) < 1e-12);
    QCOMPARE(p.eigenShift[0], 0.0);
    // Log posterior at x = 1 (row 0), by hand: log N(1; 2, .5) + log 1/3 vs log N(1; 1, 8/15)
    // + log 2/3, normalised.
    auto logN = [](double x, double m, double v) {
        return -0.5 * (std::log(2 * M_PI * v) + (x - m) * (x - m) / v);
    };
    const double a = logN(1, 2, 0.5) + std::log(1.0 / 3.0),
                 b = logN(1, 1, 8.0 / 15.0) + std::log(2.0 / 3.0);
    const double norm =
        std::max(a, b) + std::log(std::exp(a - std::max(a, b)) + std::exp(b - std::max(a, b)));
    const Eigen::MatrixXd lp = gaussianLogPosterior(p, X);
    QVERIFY(std::abs(lp(0, 0) - (a - norm)) < 1e-12);
    QVERIFY(std::abs(lp(0, 1) - (b - norm)) < 1e-12);
}

void TestRankers::eigenvalueFix()
{
    // [[1, 2], [2, 1]] has eigenvalues −1 and 3: NeuroX subtracts 10·(−1)·I → eigenvalues 9, 13.
    Eigen::MatrixXd s(2, 2);
    s << 1, 2, 2, 1;
    QCOMPARE(fixCovariance(s), 10.0);
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(s);
    QVERIFY(std::abs(es.eigenvalues()(0) - 9.0) < 1e-12);
    QCOMPARE(Eigen::LLT<Eigen::MatrixXd>(s).info(), Eigen::Success);
    // Positive definite: unchanged.
    Eigen::MatrixXd pd(2, 2);
    pd << 2, 1, 1, 2;
    const Eigen::MatrixXd copy = pd;
    QCOMPARE(fixCovariance(pd), 0.0);
    QVERIFY(pd == copy);
    // Singular (a constant neuron): Salient's floor 1e-8 · trace/D makes it positive definite.
    Eigen::MatrixXd sing = Eigen::MatrixXd::Zero(2, 2);
    sing(0, 0) = 4;
    const double added = fixCovariance(sing);
    QVERIFY(std::abs(added - 2e-8) < 1e-20);
    QCOMPARE(Eigen::LLT<Eigen::MatrixXd>(sing).info(), Eigen::Success);
}

void TestRankers::gaussianPlanted()
{
    RowMatrixF X, Xtest;
    VectorI y, ytest;
    plantedData(400, 8, 2, 21, X, y);
    plantedData(200, 8, 2, 22, Xtest, ytest);
    const GaussianProbe p = trainGaussianProbe(X, y, 2);
    QVERIFY(p.warnings.isEmpty());
    const GaussianSelection s = gaussianGreedySelection(p, X, y, 3);
    QCOMPARE(s.status, Status::Ok);
    QCOMPARE(s.order.size(), size_t(3));
    QCOMPARE(s.order[0], 3);
    QVERIFY(s.trainAccuracy[0] > 0.99);
    QVERIFY(s.mutualInformation[0] > 0.95);
    QVERIFY(!s.manyNeurons);
    QVERIFY(gaussianAccuracy(p, Xtest, ytest, {3}) > 0.99);
    QVERIFY(gaussianAccuracy(p, Xtest, ytest, {0}) < 0.7); // a noise neuron
    // The incremental Cholesky agrees with a full LLT evaluation of the selected set.
    for (size_t i = 0; i < s.order.size(); ++i) {
        const NeuronList prefix(s.order.begin(), s.order.begin() + std::ptrdiff_t(i + 1));
        QVERIFY(std::abs(s.mutualInformation[i] - gaussianMutualInformation(p, X, y, prefix))
                < 1e-9);
        QVERIFY(std::abs(s.trainAccuracy[i] - gaussianAccuracy(p, X, y, prefix)) < 1e-12);
    }
    // On a column subset (pre-filter) the order is in columns of X.
    const GaussianProbe sub = trainGaussianProbe(X, y, 2, {1, 3, 6});
    const GaussianSelection ss = gaussianGreedySelection(sub, X, y, 1, {}, 1);
    QCOMPARE(ss.order, (NeuronList{3}));
    QVERIFY_THROWS_EXCEPTION(Error, gaussianAccuracy(sub, X, y, {0})); // not modelled
}

void TestRankers::gaussianMutualInformationOfSeparatingNeuron()
{
    // Imbalanced 1:3 prior: H = −(¼·log2 ¼ + ¾·log2 ¾) = 0.811278 bits. A perfectly separating
    // neuron leaves no conditional entropy, so MI ≈ H.
    RowMatrixF X;
    VectorI y;
    plantedData(400, 4, 4, 23, X, y);
    const double h = -(0.25 * std::log2(0.25) + 0.75 * std::log2(0.75));
    const GaussianProbe p = trainGaussianProbe(X, y, 2);
    const double mi = gaussianMutualInformation(p, X, y, {3});
    QVERIFY2(std::abs(mi - h) < 1e-3, qPrintable(QString::number(mi)));
    QVERIFY(mi <= h + 1e-12);
    // A noise neuron carries almost nothing.
    QVERIFY(gaussianMutualInformation(p, X, y, {0}) < 0.05);
}

void TestRankers::gaussianConstantColumn()
{
    RowMatrixF X;
    VectorI y;
    plantedData(100, 5, 2, 24, X, y);
    X.col(1).setConstant(0.25f);
    const GaussianProbe p = trainGaussianProbe(X, y, 2);
    for (int c = 0; c < 2; ++c) {
        QCOMPARE(Eigen::LLT<Eigen::MatrixXd>(p.covariance[size_t(c)]).info(), Eigen::Success);
        QVERIFY(p.eigenShift[size_t(c)] > 0);
    }
    const GaussianSelection s = gaussianGreedySelection(p, X, y, 2);
    QCOMPARE(s.order[0], 3);
    QVERIFY(std::isfinite(s.mutualInformation[1]));
}

void TestRankers::gaussianWarningAndCancel()
{
    RowMatrixF X;
    VectorI y;
    plantedData(12, kGaussianNeuronWarning + 1, 2, 25, X, y);
    const GaussianProbe p = trainGaussianProbe(X, y, 2);
    QCOMPARE(p.warnings.size(), 1);
    const GaussianSelection s = gaussianGreedySelection(p, X, y, 1);
    QVERIFY(s.manyNeurons);
    QVERIFY(!s.warnings.isEmpty());
    int calls = 0;
    const GaussianSelection c = gaussianGreedySelection(
        p, X, y, 3, [&](double, const QString &) { return ++calls < 5; }, 1);
    QCOMPARE(c.status, Status::Cancelled);
    QVERIFY(c.order.empty());
}

void TestRankers::gaussianValidation()
{
    RowMatrixF X;
    VectorI y;
    plantedData(20, 4, 2, 26, X, y);
    const GaussianProbe p = trainGaussianProbe(X, y, 2);
    QVERIFY_THROWS_EXCEPTION(Error, gaussianGreedySelection(p, X, y, 5)); // k > D
    QVERIFY_THROWS_EXCEPTION(Error, gaussianGreedySelection(p, X, y, 0));
    QVERIFY_THROWS_EXCEPTION(Error, trainGaussianProbe(X, VectorI::Zero(20), 2)); // one class
    QVERIFY_THROWS_EXCEPTION(Error, trainGaussianProbe(X, y, 1));
    VectorI bad = y;
    bad(3) = 7;
    QVERIFY_THROWS_EXCEPTION(Error, trainGaussianProbe(X, bad, 2));
    QVERIFY_THROWS_EXCEPTION(Error, trainGaussianProbe(X, y, 2, {}, 10.0)); // budget
    QVERIFY_THROWS_EXCEPTION(Error, trainGaussianProbe(X, y, 2, {9}));
}

QTEST_GUILESS_MAIN(TestRankers)
#include "tst_rankers.moc"
