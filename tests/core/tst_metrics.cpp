// Tests for the evaluation metrics and evaluateProbe (spec/NEUROX.md §6). Expected values are
// computed by hand (shown in the comments) and agree with scikit-learn / SciPy.
#include "salient/probe/metrics.h"
#include "testutil.h"

#include <QtTest>
#include <cmath>

using namespace salient;

namespace {

VectorF vec(std::initializer_list<float> v)
{
    VectorF out(Index(v.size()));
    Index i = 0;
    for (float x : v)
        out[i++] = x;
    return out;
}

bool near(double a, double b, double tol = 1e-9)
{
    return std::abs(a - b) <= tol;
}

} // namespace

class TestMetrics : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void names();
    void accuracy();
    void binaryF1();
    void f1RejectsMulticlass();
    void matthewsBinary();
    void matthewsMulticlass();
    void matthewsDegenerate();
    void macroF1();
    void pearson();
    void spearmanWithTies();
    void combined();
    void mse();
    void emptyAndMismatch();
    void evaluateClassification();
    void evaluateTiesAndAbsentClass();
    void evaluateRegression();
};

void TestMetrics::names()
{
    const Metric all[] = {Metric::Accuracy, Metric::F1,       Metric::AccuracyAndF1,
                          Metric::Pearson,  Metric::Spearman, Metric::PearsonAndSpearman,
                          Metric::Matthews, Metric::MacroF1,  Metric::Mse};
    for (Metric m : all)
        QCOMPARE(metricFromName(metricName(m)), m);
    QCOMPARE(metricName(Metric::Matthews), QStringLiteral("matthews_corrcoef"));
    QCOMPARE(metricName(Metric::AccuracyAndF1), QStringLiteral("accuracy_and_f1"));
    QCOMPARE(metricFromName(QStringLiteral("pearson_and_spearman")), Metric::PearsonAndSpearman);
    try {
        metricFromName(QStringLiteral("recall"));
        QFAIL("expected an error");
    } catch (const Error &e) {
        QVERIFY(e.message().contains(QStringLiteral("recall")));
        QVERIFY(e.message().contains(QStringLiteral("matthews_corrcoef")));
    }
}

void TestMetrics::accuracy()
{
    QCOMPARE(computeScore(Metric::Accuracy, vec({0, 1, 2, 2}), vec({0, 1, 1, 2})), 0.75);
    QCOMPARE(computeScore(Metric::Accuracy, vec({1}), vec({0})), 0.0);
}

void TestMetrics::binaryF1()
{
    // pred 1 1 0 1 0 / gold 1 0 0 1 1: TP 2, FP 1, FN 1 → F1 = 4 / 6.
    const VectorF p = vec({1, 1, 0, 1, 0}), g = vec({1, 0, 0, 1, 1});
    QVERIFY(near(computeScore(Metric::F1, p, g), 2.0 / 3.0));
    // accuracy 3/5 → (0.6 + 2/3) / 2
    QVERIFY(near(computeScore(Metric::AccuracyAndF1, p, g), (0.6 + 2.0 / 3.0) / 2));
    // No positives anywhere: scikit-learn's zero_division default gives 0.
    QCOMPARE(computeScore(Metric::F1, vec({0, 0}), vec({0, 0})), 0.0);
}

void TestMetrics::f1RejectsMulticlass()
{
    bool thrown = false;
    try {
        computeScore(Metric::F1, vec({0, 1, 2}), vec({0, 1, 1}));
    } catch (const Error &e) {
        thrown = true;
        QVERIFY(e.message().contains(QStringLiteral("3 classes")));
        QVERIFY(e.message().contains(QStringLiteral("macro_f1")));
    }
    QVERIFY(thrown);
    QVERIFY_THROWS_EXCEPTION(Error,
                             computeScore(Metric::AccuracyAndF1, vec({0, 1, 2}), vec({0, 1, 1})));
    // two classes but without the positive label 1 (scikit-learn raises too)
    QVERIFY_THROWS_EXCEPTION(Error, computeScore(Metric::F1, vec({0, 2}), vec({2, 0})));
}

void TestMetrics::matthewsBinary()
{
    // TP 2, TN 1, FP 1, FN 1: (2·1 − 1·1) / sqrt(3·3·2·2) = 1/6.
    QVERIFY(near(computeScore(Metric::Matthews, vec({1, 1, 0, 1, 0}), vec({1, 0, 0, 1, 1})),
                 1.0 / 6.0));
}

void TestMetrics::matthewsMulticlass()
{
    // gold 0 0 1 1 2 2, pred 0 1 1 1 2 0: c = 4, s = 6, t = (2,2,2), p = (2,3,1)
    // cov(yt,yp) = 4·6 − (4+6+2) = 12; cov(yp,yp) = 36 − 14 = 22; cov(yt,yt) = 36 − 12 = 24
    // MCC = 12 / sqrt(22·24)
    const double expected = 12.0 / std::sqrt(22.0 * 24.0);
    QVERIFY(near(computeScore(Metric::Matthews, vec({0, 1, 1, 1, 2, 0}), vec({0, 0, 1, 1, 2, 2})),
                 expected));
    QVERIFY(near(computeScore(Metric::Matthews, vec({2, 0, 1}), vec({2, 0, 1})), 1.0));
}

void TestMetrics::matthewsDegenerate()
{
    // Constant prediction: a zero marginal variance → 0 (scikit-learn), not NaN.
    QCOMPARE(computeScore(Metric::Matthews, vec({1, 1, 1}), vec({0, 1, 2})), 0.0);
}

void TestMetrics::macroF1()
{
    // gold 0 0 1 1 2 2, pred 0 1 1 1 2 0
    // class 0: TP1 FP1 FN1 → 0.5; class 1: TP2 FP1 FN0 → 0.8; class 2: TP1 FP0 FN1 → 2/3
    const double expected = (0.5 + 0.8 + 2.0 / 3.0) / 3.0;
    QVERIFY(near(computeScore(Metric::MacroF1, vec({0, 1, 1, 1, 2, 0}), vec({0, 0, 1, 1, 2, 2})),
                 expected));
    // A class only predicted (3) counts with F1 0: classes {0, 3}: class 0 → 2/3, class 3 → 0.
    QVERIFY(near(computeScore(Metric::MacroF1, vec({0, 3}), vec({0, 0})), (2.0 / 3.0) / 2.0));
}

void TestMetrics::pearson()
{
    // x 1 2 3 4, y 2 4 5 9: means 2.5, 5; Σdxdy = 11, Σdx² = 5, Σdy² = 26 → 11/sqrt(130)
    QVERIFY(near(computeScore(Metric::Pearson, vec({1, 2, 3, 4}), vec({2, 4, 5, 9})),
                 11.0 / std::sqrt(130.0), 1e-7));
    QVERIFY(near(computeScore(Metric::Pearson, vec({1, 2, 3}), vec({3, 2, 1})), -1.0));
    QVERIFY(std::isnan(computeScore(Metric::Pearson, vec({1, 1, 1}), vec({1, 2, 3}))));
    QVERIFY(std::isnan(computeScore(Metric::Pearson, vec({1}), vec({2}))));
}

void TestMetrics::spearmanWithTies()
{
    // a = 1 2 2 3 → ranks 1 2.5 2.5 4; b = 10 20 30 30 → ranks 1 2 3.5 3.5
    // centred: a (−1.5, 0, 0, 1.5), b (−1.5, −0.5, 1, 1); Σab = 3.75, Σa² = 4.5, Σb² = 4.5
    // ρ = 3.75 / 4.5 = 0.8333…
    QVERIFY(near(computeScore(Metric::Spearman, vec({1, 2, 2, 3}), vec({10, 20, 30, 30})),
                 3.75 / 4.5, 1e-12));
    // Monotone but non-linear → 1.
    QVERIFY(near(computeScore(Metric::Spearman, vec({1, 2, 3, 4}), vec({1, 8, 27, 1000})), 1.0));
}

void TestMetrics::combined()
{
    const VectorF a = vec({1, 2, 2, 3}), b = vec({10, 20, 30, 30});
    const double pr = computeScore(Metric::Pearson, a, b);
    const double sr = computeScore(Metric::Spearman, a, b);
    QVERIFY(near(computeScore(Metric::PearsonAndSpearman, a, b), (pr + sr) / 2));
    QVERIFY(!near(pr, sr, 1e-3));
}

void TestMetrics::mse()
{
    // (0.5² + 1² + 0²) / 3
    QVERIFY(near(computeScore(Metric::Mse, vec({1.5f, 2, 3}), vec({1, 3, 3})), 1.25 / 3.0));
}

void TestMetrics::emptyAndMismatch()
{
    QVERIFY(std::isnan(computeScore(Metric::Accuracy, VectorF(), VectorF())));
    QVERIFY(std::isnan(computeScore(Metric::Spearman, VectorF(), VectorF())));
    QVERIFY_THROWS_EXCEPTION(Error, computeScore(Metric::Accuracy, vec({1, 0}), vec({1})));
}

void TestMetrics::evaluateClassification()
{
    // Probe with identity weights on 3 inputs: prediction = argmax of the row.
    Probe probe;
    probe.W = MatrixF::Identity(3, 3);
    probe.b = VectorF::Zero(3);
    probe.columns = {0, 1, 2};
    probe.labels = {QStringLiteral("A"), QStringLiteral("B"), QStringLiteral("C")};
    RowMatrixF X(5, 3);
    X << 1, 0, 0, //
        0, 1, 0,  //
        0, 0, 1,  //
        1, 0, 0,  //
        0, 1, 0;
    const VectorI y = (VectorI(5) << 0, 1, 2, 1, 1).finished();
    const Evaluation ev = evaluateProbe(probe, X, y, {});
    QCOMPARE(ev.count, Index(5));
    QCOMPARE(ev.predicted, (VectorI(5) << 0, 1, 2, 0, 1).finished());
    QVERIFY(near(ev.accuracy, 0.8));
    QCOMPARE(ev.perClassCount, std::vector<Index>({1, 3, 1}));
    QVERIFY(near(ev.perClass[0], 1.0));
    QVERIFY(near(ev.perClass[1], 2.0 / 3.0));
    QVERIFY(near(ev.perClass[2], 1.0));
    QVERIFY(ev.scores.count(QStringLiteral("accuracy")) == 1);
    QVERIFY(ev.scores.count(QStringLiteral("matthews_corrcoef")) == 1);
    QVERIFY(ev.scores.count(QStringLiteral("macro_f1")) == 1);
    QVERIFY(ev.scores.count(QStringLiteral("f1")) == 0); // 3 classes: binary F1 not applicable
    // class 0: TP1 FP1 FN0 → 2/3; class 1: TP2 FP0 FN1 → 0.8; class 2 → 1
    QVERIFY(near(ev.macroF1, (2.0 / 3.0 + 0.8 + 1.0) / 3.0));
    QVERIFY(std::isnan(ev.mse));

    // Binary probe gets f1 and accuracy_and_f1.
    Probe bin;
    bin.W = MatrixF::Identity(2, 2);
    bin.b = VectorF::Zero(2);
    const VectorI yb = (VectorI(5) << 0, 1, 1, 0, 1).finished();
    const Evaluation eb = evaluateProbe(bin, X.leftCols(2), yb, {});
    // predictions 0 1 0 0 1 (row 2 is a tie 0,0 → class 0): TP 2, FN 1 → F1 0.8
    QVERIFY(near(eb.scores.at(QStringLiteral("f1")), 0.8));
    QVERIFY(near(eb.scores.at(QStringLiteral("accuracy_and_f1")), (0.8 + 0.8) / 2));
}

void TestMetrics::evaluateTiesAndAbsentClass()
{
    Probe probe;
    probe.W = MatrixF::Zero(4, 2);
    probe.b = (VectorF(4) << 0.0f, 2.0f, 2.0f, 1.0f).finished(); // tie between 1 and 2 → 1
    RowMatrixF X = RowMatrixF::Zero(3, 2);
    const VectorI y = (VectorI(3) << 1, 1, 0).finished();
    const Evaluation ev = evaluateProbe(probe, X, y, {});
    QCOMPARE(ev.predicted, (VectorI(3) << 1, 1, 1).finished());
    QVERIFY(near(ev.perClass[0], 0.0));
    QVERIFY(near(ev.perClass[1], 1.0));
    QVERIFY(std::isnan(ev.perClass[2])); // no gold instances → NaN, never 0
    QVERIFY(std::isnan(ev.perClass[3]));
    QCOMPARE(ev.perClassCount[2], Index(0));
    QVERIFY(near(ev.accuracy, 2.0 / 3.0));

    // Empty input: NaN scores, no crash.
    const Evaluation empty = evaluateProbe(probe, RowMatrixF(0, 2), VectorI(0), {});
    QCOMPARE(empty.count, Index(0));
    QVERIFY(std::isnan(empty.accuracy));
    QVERIFY(std::isnan(empty.perClass[0]));
}

void TestMetrics::evaluateRegression()
{
    Probe probe;
    probe.regression = true;
    probe.W = (MatrixF(1, 2) << 1.0f, -1.0f).finished();
    probe.b = (VectorF(1) << 0.5f).finished();
    RowMatrixF X(4, 2);
    X << 1, 0, //
        2, 0,  //
        0, 1,  //
        3, 1;
    // outputs 1.5, 2.5, −0.5, 2.5
    const VectorF t = vec({1.5f, 2.0f, 0.0f, 3.0f});
    const Evaluation ev = evaluateProbe(probe, X, {}, t);
    QCOMPARE(ev.predictedValue.size(), Index(4));
    QVERIFY(near(ev.predictedValue[2], -0.5));
    QVERIFY(near(ev.mse, (0 + 0.25 + 0.25 + 0.25) / 4.0));
    QVERIFY(near(ev.scores.at(QStringLiteral("mse")), ev.mse));
    QVERIFY(near(ev.scores.at(QStringLiteral("pearson")),
                 computeScore(Metric::Pearson, ev.predictedValue, t)));
    // ranks: out (2, 3.5, 1, 3.5), t (2, 3, 1, 4) → ρ = 4.5/sqrt(4.5·5) = 0.9486833
    QVERIFY(near(ev.scores.at(QStringLiteral("spearman")), 4.5 / std::sqrt(4.5 * 5.0), 1e-9));
    QVERIFY(ev.scores.count(QStringLiteral("pearson_and_spearman")) == 1);
    QVERIFY(std::isnan(ev.accuracy));
    QVERIFY(ev.predicted.size() == 0);
}

QTEST_GUILESS_MAIN(TestMetrics)
#include "tst_metrics.moc"
