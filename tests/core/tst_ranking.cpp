// Long on purpose: one test class for every neuron ranking, with its hand-worked expected values.
// Tests of the neuron rankings (spec/NEUROX.md §7 and §12.1). Expected values are the §7.3 table
// and small examples worked out by hand in the comments; class selections use Salient's tie rule
// (ties by ascending index), orderings its block rule (descending max_c A_cj, then index).
#include <QElapsedTimer>
#include <QtTest>

#include "salient/probe/ranking.h"
#include "salient/util/error.h"

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <random>
#include <set>

using namespace salient;

Q_DECLARE_METATYPE(salient::MatrixF)

namespace {

using Rows = std::initializer_list<std::initializer_list<float>>;
using PerClass = std::vector<NeuronList>;

MatrixF mat(Rows rows)
{
    const auto r = Index(rows.size());
    const auto c = r > 0 ? Index(rows.begin()->size()) : Index(0);
    MatrixF m(r, c);
    Index i = 0;
    for (const auto &row : rows) {
        Index j = 0;
        for (float v : row)
            m(i, j++) = v;
        ++i;
    }
    return m;
}

/// Deterministic test weights in [0, scale) (own conversion, no std distributions).
MatrixF randomWeights(Index classes, Index neurons, quint64 seed, float scale = 1.0f)
{
    std::mt19937_64 rng(seed);
    MatrixF m(classes, neurons);
    for (Index j = 0; j < neurons; ++j) {
        for (Index c = 0; c < classes; ++c)
            m(c, j) = scale * float(double(rng() >> 11) * 0x1.0p-53);
    }
    return m;
}

std::vector<float> columnMaxOf(const MatrixF &A)
{
    std::vector<float> key(std::size_t(A.cols()), 0.0f);
    for (Index j = 0; j < A.cols() && A.rows() > 0; ++j)
        key[std::size_t(j)] = A.col(j).maxCoeff();
    return key;
}

/// The documented order inside a block: descending max_c A_cj, ties by ascending index.
NeuronList sortedByKey(std::set<int> s, const std::vector<float> &key)
{
    NeuronList out(s.begin(), s.end());
    std::stable_sort(out.begin(), out.end(),
                     [&key](int x, int y) { return key[std::size_t(x)] > key[std::size_t(y)]; });
    return out;
}

/// T_k of §7.1, literally: the overall top set at mass k / S.
std::vector<std::set<int>> naiveTopSets(const MatrixF &A, int S)
{
    std::vector<std::set<int>> sets;
    for (int k = 0; k <= S; ++k) {
        const NeuronList overall = topNeurons(A, double(k) / double(S)).overall;
        sets.emplace_back(overall.begin(), overall.end());
    }
    return sets;
}

std::set<int> minus(const std::set<int> &a, const std::set<int> &b)
{
    std::set<int> out;
    std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::inserter(out, out.end()));
    return out;
}

} // namespace

class TstRanking : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void topNeurons_data();
    void topNeurons();
    void bottomNeurons_data();
    void bottomNeurons();
    void hardThreshold_data();
    void hardThreshold();
    void neuroxNumerics_data();
    void neuroxNumerics();
    void ordering_data();
    void ordering();
    void orderingShorterThanD();
    void orderingMatchesDefinition();
    void plantedOrdering();
    void granular_data();
    void granular();
    void granularMatchesDefinition();
    void fixedNumberOfBottom_data();
    void fixedNumberOfBottom();
    void classRanking();
    void randomBernoulli();
    void randomCount();
    void probeless();
    void invalidInput();
    void largeOrderingTiming();
};

// ---- get_top_neurons ------------------------------------------------------------------------

void TstRanking::topNeurons_data()
{
    QTest::addColumn<MatrixF>("A");
    QTest::addColumn<double>("percentage");
    QTest::addColumn<bool>("neurox");
    QTest::addColumn<NeuronList>("overall");
    QTest::addColumn<PerClass>("perClass");

    for (bool neurox : {true, false}) {
        const char *mode = neurox ? "neurox" : "double";
        // §7.3 table.
        QTest::addRow("spec p=0.5 %s", mode) << mat({{5, 1, 1}, {1, 10, 1}}) << 0.5 << neurox
                                             << NeuronList{0, 1} << PerClass{{0}, {1}};
        QTest::addRow("spec p=1.1 %s", mode)
            << mat({{10, 9, 8}, {10, 2, 1}}) << 1.1 << neurox << NeuronList{0, 1, 2}
            << PerClass{{0, 1, 2}, {0, 1, 2}};
        // p = 0 still selects the top neuron of each class (§7.1).
        QTest::addRow("p=0 top per class %s", mode)
            << mat({{1, 7, 3, 2}, {4, 1, 2, 9}, {0, 6, 6, 0}}) << 0.0 << neurox << NeuronList{1, 3}
            << PerClass{{1}, {3}, {1}};
        // Negative p behaves like 0 (cumsum[0] >= negative threshold).
        QTest::addRow("p<0 %s", mode)
            << mat({{1, 7, 3}}) << -0.5 << neurox << NeuronList{1} << PerClass{{1}};
        // p > 1: no prefix reaches the threshold, all neurons in sorted order.
        QTest::addRow("p>1 all %s", mode)
            << mat({{1, 7, 3, 0}, {0, 0, 0, 2}}) << 1.5 << neurox << NeuronList{0, 1, 2, 3}
            << PerClass{{1, 2, 0, 3}, {3, 0, 1, 2}};
        // Regression probe: one row. Sorted [0(4),1(3),2(2),3(1)], cumsum [4,7,9,10].
        QTest::addRow("regression p=0.5 %s", mode)
            << mat({{4, 3, 2, 1}}) << 0.5 << neurox << NeuronList{0, 1} << PerClass{{0, 1}};
        QTest::addRow("regression p=0.7 %s", mode)
            << mat({{4, 3, 2, 1}}) << 0.7 << neurox << NeuronList{0, 1} << PerClass{{0, 1}};
        QTest::addRow("regression p=0.71 %s", mode)
            << mat({{4, 3, 2, 1}}) << 0.71 << neurox << NeuronList{0, 1, 2} << PerClass{{0, 1, 2}};
        // p = 1 with exact sums stops at the last non-zero neuron: zero weights are left out.
        QTest::addRow("p=1 zero weights left out %s", mode)
            << mat({{3, 0, 1}, {2, 0, 0}}) << 1.0 << neurox << NeuronList{0, 2}
            << PerClass{{0, 2}, {0}};
        // Ties: the lower index first; the boundary neuron of a tie is the lower index.
        QTest::addRow("ties %s", mode)
            << mat({{2, 5, 5, 2}}) << 0.3 << neurox << NeuronList{1} << PerClass{{1}};
        QTest::addRow("ties crossing %s", mode)
            << mat({{2, 5, 5, 2}}) << 0.75 << neurox << NeuronList{0, 1, 2} << PerClass{{1, 2, 0}};
        // No classes / no neurons.
        QTest::addRow("no neurons %s", mode)
            << MatrixF(2, 0) << 0.5 << neurox << NeuronList{} << PerClass{{}, {}};
    }
}

void TstRanking::topNeurons()
{
    QFETCH(MatrixF, A);
    QFETCH(double, percentage);
    QFETCH(bool, neurox);
    QFETCH(NeuronList, overall);
    QFETCH(PerClass, perClass);
    const NeuronSelection s = salient::topNeurons(A, percentage, neurox);
    QCOMPARE(s.overall, overall);
    QCOMPARE(s.perClass, perClass);
}

// ---- get_bottom_neurons ---------------------------------------------------------------------

void TstRanking::bottomNeurons_data()
{
    QTest::addColumn<MatrixF>("A");
    QTest::addColumn<double>("percentage");
    QTest::addColumn<NeuronList>("overall");
    QTest::addColumn<PerClass>("perClass");

    // §7.3: class 0 ascending [2(1),1(4),0(5)], threshold 1 → [2]; class 1 ascending
    // [1(1),2(1),0(10)], cumsum [1,2,12], threshold 1.2 → [1,2].
    QTest::newRow("spec p=0.1") << mat({{5, 4, 1}, {10, 1, 1}}) << 0.1 << NeuronList{1, 2}
                                << PerClass{{2}, {1, 2}};
    QTest::newRow("p=0 smallest") << mat({{5, 4, 1}, {10, 1, 1}}) << 0.0 << NeuronList{1, 2}
                                  << PerClass{{2}, {1}};
    // Zero weights are first and a zero threshold is reached by the first of them.
    QTest::newRow("zeros") << mat({{0, 3, 0, 1}}) << 0.2 << NeuronList{0, 2, 3}
                           << PerClass{{0, 2, 3}};
    QTest::newRow("p>1 all") << mat({{3, 1, 2}}) << 1.01 << NeuronList{0, 1, 2}
                             << PerClass{{1, 2, 0}};
}

void TstRanking::bottomNeurons()
{
    QFETCH(MatrixF, A);
    QFETCH(double, percentage);
    QFETCH(NeuronList, overall);
    QFETCH(PerClass, perClass);
    for (bool neurox : {true, false}) {
        const NeuronSelection s = salient::bottomNeurons(A, percentage, neurox);
        QCOMPARE(s.overall, overall);
        QCOMPARE(s.perClass, perClass);
    }
}

// ---- get_top_neurons_hard_threshold ---------------------------------------------------------

void TstRanking::hardThreshold_data()
{
    QTest::addColumn<MatrixF>("A");
    QTest::addColumn<double>("fraction");
    QTest::addColumn<NeuronList>("overall");
    QTest::addColumn<PerClass>("perClass");

    // §7.3: "more than max / 2".
    QTest::newRow("spec fraction=2") << mat({{5, 1, 2, 1}, {1, 10, 1, 6}}) << 2.0
                                     << NeuronList{0, 1, 3} << PerClass{{0}, {1, 3}};
    // Strict: A > max / 1 selects nothing.
    QTest::newRow("fraction=1 strict")
        << mat({{5, 1, 2, 1}, {1, 10, 1, 6}}) << 1.0 << NeuronList{} << PerClass{{}, {}};
    // Division, not multiplication: fraction 4 keeps A > 1.25 in class 0 and A > 2.5 in class 1.
    QTest::newRow("fraction=4") << mat({{5, 1, 2, 1}, {1, 10, 1, 6}}) << 4.0
                                << NeuronList{0, 1, 2, 3} << PerClass{{0, 2}, {1, 3}};
    // The float64 quotient 1/3 is cast to float32 (0.33333334f) before the comparison, so a
    // weight equal to 1.0f/3.0f is not strictly above it (in double it would be).
    QTest::newRow("quotient cast to float")
        << mat({{1.0f, 1.0f / 3.0f, 0.34f}}) << 3.0 << NeuronList{0, 2} << PerClass{{0, 2}};
    QTest::newRow("fraction=0 nothing") << mat({{5, 1}}) << 0.0 << NeuronList{} << PerClass{{}};
    QTest::newRow("all zero row") << mat({{0, 0}, {0, 3}}) << 2.0 << NeuronList{1}
                                  << PerClass{{}, {1}};
}

void TstRanking::hardThreshold()
{
    QFETCH(MatrixF, A);
    QFETCH(double, fraction);
    QFETCH(NeuronList, overall);
    QFETCH(PerClass, perClass);
    const NeuronSelection s = salient::topNeuronsHardThreshold(A, fraction);
    QCOMPARE(s.overall, overall);
    QCOMPARE(s.perClass, perClass);
}

// ---- numerics of §7.2 -----------------------------------------------------------------------

void TstRanking::neuroxNumerics_data()
{
    QTest::addColumn<MatrixF>("A");
    QTest::addColumn<double>("percentage");
    QTest::addColumn<int>("neuroxLength");
    QTest::addColumn<int>("doubleLength");

    const float e = 0x1.0p-24f; // half an ulp of 1.0f: 1.0f + e rounds back to 1.0f
    {
        // float32 cumsum absorbs the small weights: sorted [1, q, q] with q = 2^-25 has cumsum
        // [1, 1, 1] in float32; the index-order total 0+q+1+q is 1 too, so p = 1 stops at the
        // first neuron. In double, cumsum reaches 1 + 2^-24 only at the last neuron.
        const float q = 0x1.0p-25f;
        QTest::newRow("float32 cumsum absorbs") << mat({{q, 1.0f, q}}) << 1.0 << 1 << 3;
    }
    // Threshold cast: 10 · 0.70000001 = 7.0000001 in double becomes 7.0f, which the cumsum
    // [4, 7, 10] reaches at the second neuron; compared in double it is reached at the third.
    QTest::newRow("threshold cast to float32") << mat({{3, 3, 4}}) << 0.70000001 << 2 << 3;
    {
        // n = 9: the pairwise kernel (8 accumulators, then the 9th element) gives 1 + 2^-21,
        // a plain float32 loop would give 1. The float32 cumsum stays 1, so no prefix reaches
        // 0.9999999 · (1 + 2^-21) ≈ 1 + 3.8e-7 (rounded to float: 1 + 3·2^-23) → all 9 neurons.
        // In double: cumsum 1 + k·2^-24 first reaches 1 + 3.77e-7 at k = 7 → 8 neurons.
        MatrixF A(1, 9);
        A.setConstant(e);
        A(0, 0) = 1.0f;
        QTest::newRow("pairwise n=9") << A << 0.9999999 << 9 << 8;
        // At p = 0.9999998 the float threshold is float(1 + 2^-21 - 2.0e-7) = 1 + 2·2^-23 > 1:
        // still all. A plain-loop total (1) would have given a single neuron at both p.
        QTest::newRow("pairwise n=9 p2") << A << 0.9999998 << 9 << 6;
    }
    {
        // n = 256: split into two 128-blocks. Block 1 = [1, 127·e] → r0 stays 1, r1..r7 = 16e,
        // total 1 + 112e; block 2 = 128e. Pairwise total 1 + 240e. (One 8-way pass over all 256
        // would give 1 + 224e, a plain loop 1, double 1 + 255e.)
        // p = 1 / (1 + 232e): threshold (1+240e)·p ≈ 1 + 8e → float 1 + 8e > 1 = every float
        // cumsum → all 256. With total 1 + 224e the threshold would be < 1 → 1 neuron.
        // Double: threshold (1+255e)/(1+232e) ≈ 1 + 23e, reached at the 24th neuron.
        MatrixF A(1, 256);
        A.setConstant(e);
        A(0, 0) = 1.0f;
        const double p = 1.0 / (1.0 + 232.0 * double(e));
        QTest::newRow("pairwise recursion n=256") << A << p << 256 << 24;
        // p = 1 / (1 + 248e): threshold ≈ 1 - 8e → float < 1 → the first neuron alone.
        const double p2 = 1.0 / (1.0 + 248.0 * double(e));
        QTest::newRow("pairwise recursion n=256 below") << A << p2 << 1 << 8;
    }
}

void TstRanking::neuroxNumerics()
{
    QFETCH(MatrixF, A);
    QFETCH(double, percentage);
    QFETCH(int, neuroxLength);
    QFETCH(int, doubleLength);
    QCOMPARE(int(salient::topNeurons(A, percentage, true).perClass.at(0).size()), neuroxLength);
    QCOMPARE(int(salient::topNeurons(A, percentage, false).perClass.at(0).size()), doubleLength);
}

// ---- get_neuron_ordering --------------------------------------------------------------------

void TstRanking::ordering_data()
{
    QTest::addColumn<MatrixF>("A");
    QTest::addColumn<int>("stride");
    QTest::addColumn<NeuronList>("order");
    QTest::addColumn<std::vector<int>>("cutoffs");

    // §7.3 [[4,1,5],[1,1,10]]: class 0 sorted [2,0,1], cumsum [5,9,10]; class 1 sorted [2,0,1],
    // cumsum [10,11,12]. Neuron 0 enters when 10p > 5 (k = 51), neuron 1 when 10p > 9 (k = 91).
    std::vector<int> spec(101);
    for (int k = 0; k <= 100; ++k)
        spec[std::size_t(k)] = k <= 50 ? 1 : (k <= 90 ? 2 : 3);
    QTest::newRow("spec") << mat({{4, 1, 5}, {1, 1, 10}}) << 100 << NeuronList{2, 0, 1} << spec;
    // S = 10: thresholds 10p = k, class 0 prefix 1 for k <= 5, 2 for k <= 9, 3 at k = 10;
    // class 1 (12p) never adds a new neuron first.
    QTest::newRow("spec S=10") << mat({{4, 1, 5}, {1, 1, 10}}) << 10 << NeuronList{2, 0, 1}
                               << std::vector<int>{1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 3};
    // All three enter at k = 0 (one per class): one block, sorted by column max 5, 3, 1.
    QTest::newRow("block by max") << mat({{1, 0, 0}, {0, 5, 0}, {0, 0, 3}}) << 4
                                  << NeuronList{1, 2, 0} << std::vector<int>{3, 3, 3, 3, 3};
    // Block 0 = {0, 2}, both with max 2: ascending index. Neuron 1 joins when 4p > 2.
    QTest::newRow("block tie by index") << mat({{2, 2, 0}, {0, 0, 2}}) << 4 << NeuronList{0, 2, 1}
                                        << std::vector<int>{2, 2, 2, 3, 3};
    // Blocks [2,0 | 3 | 1]: see granular_data "chunk spans blocks".
    {
        std::vector<int> cut(101);
        for (int k = 0; k <= 100; ++k)
            cut[std::size_t(k)] = k <= 66 ? 2 : (k <= 75 ? 3 : 4);
        QTest::newRow("late blocks")
            << mat({{2, 0, 0, 1}, {0, 10, 30, 0}}) << 100 << NeuronList{2, 0, 3, 1} << cut;
    }
    // Regression row [4,3,2,1] (cumsum [4,7,9,10]) with S = 10.
    QTest::newRow("regression") << mat({{4, 3, 2, 1}}) << 10 << NeuronList{0, 1, 2, 3}
                                << std::vector<int>{1, 1, 1, 1, 1, 2, 2, 2, 3, 3, 4};
    // S = 1: only p = 0 and p = 1.
    QTest::newRow("S=1") << mat({{4, 3, 2, 1}}) << 1 << NeuronList{0, 1, 2, 3}
                         << std::vector<int>{1, 4};
    QTest::newRow("no neurons") << MatrixF(3, 0) << 2 << NeuronList{} << std::vector<int>{0, 0, 0};
    QTest::newRow("no classes") << MatrixF(0, 3) << 2 << NeuronList{} << std::vector<int>{0, 0, 0};
}

void TstRanking::ordering()
{
    QFETCH(MatrixF, A);
    QFETCH(int, stride);
    QFETCH(NeuronList, order);
    QFETCH(std::vector<int>, cutoffs);
    const NeuronOrdering o = salient::neuronOrdering(A, stride);
    QCOMPARE(o.order, order);
    QCOMPARE(o.cutoffs, cutoffs);
    if (stride == 100)
        QCOMPARE(salient::neuronOrdering(A).order, order); // default S = 100
}

void TstRanking::orderingShorterThanD()
{
    // Column 1 is zero in every class. Class 0 sorted [0(3),2(1),1(0)], cumsum [3,4,4]: at p = 1
    // the threshold 4 is reached by the second neuron, so the zero neuron never enters. Class 1
    // [0(2),1(0),2(0)] reaches every threshold at its first neuron. S = 4: class 0 thresholds
    // 0,1,2,3,4 → prefix 1,1,1,1,2. Salient keeps NeuroX's semantics: the ordering is shorter
    // than D and the caller lists the missing neurons as "never selected" (§7.4).
    const MatrixF A = mat({{3, 0, 1}, {2, 0, 0}});
    const NeuronOrdering o = salient::neuronOrdering(A, 4);
    QCOMPARE(o.order, (NeuronList{0, 2}));
    QCOMPARE(o.cutoffs, (std::vector<int>{1, 1, 1, 1, 2}));

    // All weights zero: every threshold is 0 and reached by each class's first neuron, which by
    // the tie rule is neuron 0. The ordering holds that one neuron.
    const NeuronOrdering z = salient::neuronOrdering(MatrixF::Zero(2, 4), 100);
    QCOMPARE(z.order, (NeuronList{0}));
    QCOMPARE(z.cutoffs, std::vector<int>(101, 1));
}

void TstRanking::orderingMatchesDefinition()
{
    // The incremental implementation against §7.1 literally (T_k from topNeurons at k / S), on
    // random matrices with ties (quantised weights) and zero columns.
    for (quint64 seed : {1ULL, 2ULL, 3ULL}) {
        MatrixF A = randomWeights(7, 300, seed);
        A = (A * 20.0f).array().floor().matrix() / 4.0f; // many ties
        A.col(13).setZero();
        A.col(250).setZero();
        for (int S : {1, 7, 100}) {
            const NeuronOrdering o = salient::neuronOrdering(A, S);
            const std::vector<std::set<int>> T = naiveTopSets(A, S);
            const std::vector<float> key = columnMaxOf(A);
            QCOMPARE(int(o.cutoffs.size()), S + 1);
            std::set<int> previous;
            int start = 0;
            for (int k = 0; k <= S; ++k) {
                const int end = o.cutoffs[std::size_t(k)];
                QCOMPARE(end, int(T[std::size_t(k)].size()));
                const NeuronList block(o.order.begin() + start, o.order.begin() + end);
                QCOMPARE(block, sortedByKey(minus(T[std::size_t(k)], previous), key));
                previous = T[std::size_t(k)];
                start = end;
            }
            QCOMPARE(int(o.order.size()), o.cutoffs.back());
            QVERIFY(std::find(o.order.begin(), o.order.end(), 13) == o.order.end());
        }
    }
}

void TstRanking::plantedOrdering()
{
    // Small noise (< 0.01 per weight, ≈ 1 per class in total) plus four planted columns with
    // weights 5, 4, 3, 2 in every class: they hold ≈ 14/15 of each class's mass and come first,
    // in the order of their weights; every noise neuron follows them.
    MatrixF A = randomWeights(5, 200, 42, 0.01f);
    const NeuronList planted{123, 17, 199, 42};
    for (std::size_t i = 0; i < planted.size(); ++i)
        A.col(planted[i]).setConstant(5.0f - float(i));
    for (int S : {100, 1000}) {
        const NeuronOrdering o = salient::neuronOrdering(A, S);
        QVERIFY(o.order.size() >= 4);
        QCOMPARE(NeuronList(o.order.begin(), o.order.begin() + 4), planted);
    }
    // A single strong class-specific column is first for that class too.
    QCOMPARE(salient::classRanking(A, 2).front(), 123);
    QCOMPARE(salient::topNeurons(A, 0.5).overall, (NeuronList{17, 123}));
}

// ---- get_neuron_ordering_granular -----------------------------------------------------------

void TstRanking::granular_data()
{
    QTest::addColumn<MatrixF>("A");
    QTest::addColumn<int>("granularity");
    QTest::addColumn<int>("stride");
    QTest::addColumn<NeuronList>("order");

    QTest::newRow("spec g=1") << mat({{4, 1, 5}, {1, 1, 10}}) << 1 << 100 << NeuronList{2, 0, 1};
    // NeuroX walks i = 0, 2 only (range(0, D + 1, g) with D = 3): neuron 1 is never appended.
    QTest::newRow("spec g=2") << mat({{4, 1, 5}, {1, 1, 10}}) << 2 << 100 << NeuronList{2, 0};
    QTest::newRow("spec g=3") << mat({{4, 1, 5}, {1, 1, 10}}) << 3 << 100 << NeuronList{2, 0, 1};
    QTest::newRow("g > D") << mat({{4, 1, 5}, {1, 1, 10}}) << 10 << 100 << NeuronList{2};
    // A chunk spanning two blocks is sorted as one. Class 0 [2,0,0,1] (cumsum [2,3,3,3]), class 1
    // [0,10,30,0] (cumsum [30,40,40,40]); T_0 = {0,2}, neuron 3 joins at k = 67 (3p > 2),
    // neuron 1 at k = 76 (40p > 30). The ordering is [2,0 | 3 | 1]; with g = 4, i = 4 reaches
    // T_76 and the chunk {3,1} is sorted by column max (1: 10, 3: 1).
    QTest::newRow("chunk spans blocks")
        << mat({{2, 0, 0, 1}, {0, 10, 30, 0}}) << 4 << 100 << NeuronList{2, 0, 1, 3};
    QTest::newRow("chunk g=1") << mat({{2, 0, 0, 1}, {0, 10, 30, 0}}) << 1 << 100
                               << NeuronList{2, 0, 3, 1};
    // Graceful stop (§7.4): |T_S| = 2 < D = 3. g = 1: i = 3 cannot be reached → stop after
    // [0, 2]. g = 3: i = 3 unreachable → the rest of T_S ({2}) is appended, then stop.
    QTest::newRow("graceful g=1") << mat({{3, 0, 1}, {2, 0, 0}}) << 1 << 4 << NeuronList{0, 2};
    QTest::newRow("graceful g=3") << mat({{3, 0, 1}, {2, 0, 0}}) << 3 << 4 << NeuronList{0, 2};
    QTest::newRow("all zero") << MatrixF(MatrixF::Zero(1, 5)) << 1 << 100 << NeuronList{0};
}

void TstRanking::granular()
{
    QFETCH(MatrixF, A);
    QFETCH(int, granularity);
    QFETCH(int, stride);
    QFETCH(NeuronList, order);
    QCOMPARE(salient::neuronOrderingGranular(A, granularity, stride), order);
}

void TstRanking::granularMatchesDefinition()
{
    // NeuroX's loop, literally, with the graceful stop; chunks sorted by the block rule.
    for (quint64 seed : {5ULL, 6ULL}) {
        MatrixF A = randomWeights(4, 150, seed);
        A = (A * 10.0f).array().floor().matrix();
        A.col(7).setZero();
        A.col(8).setZero();
        const std::vector<float> key = columnMaxOf(A);
        for (int g : {1, 7, 50}) {
            const int S = 100;
            const std::vector<std::set<int>> T = naiveTopSets(A, S);
            NeuronList expected;
            std::set<int> considered;
            std::size_t k = 0;
            for (int i = 0; i <= A.cols(); i += g) {
                while (k <= std::size_t(S) && int(T[k].size()) < i)
                    ++k;
                const bool exhausted = k > std::size_t(S);
                const std::set<int> &t = T[std::min(k, std::size_t(S))];
                const NeuronList chunk = sortedByKey(minus(t, considered), key);
                expected.insert(expected.end(), chunk.begin(), chunk.end());
                considered.insert(t.begin(), t.end());
                if (exhausted)
                    break;
            }
            QCOMPARE(salient::neuronOrderingGranular(A, g, S), expected);
        }
    }
}

// ---- get_fixed_number_of_bottom_neurons -----------------------------------------------------

void TstRanking::fixedNumberOfBottom_data()
{
    QTest::addColumn<int>("n");
    QTest::addColumn<NeuronList>("expected");
    QTest::newRow("spec n=1") << 1 << NeuronList{1};
    QTest::newRow("n=2") << 2 << NeuronList{0, 1};
    QTest::newRow("n=D") << 3 << NeuronList{2, 0, 1};
    QTest::newRow("n>D") << 10 << NeuronList{2, 0, 1};
    QTest::newRow("n=0 (deviation: NeuroX's [-0:] gives all)") << 0 << NeuronList{};
}

void TstRanking::fixedNumberOfBottom()
{
    QFETCH(int, n);
    QFETCH(NeuronList, expected);
    QCOMPARE(salient::fixedNumberOfBottomNeurons(mat({{4, 1, 5}, {1, 1, 10}}), n), expected);
}

// ---- per-class ranking ----------------------------------------------------------------------

void TstRanking::classRanking()
{
    const MatrixF A = mat({{4, 1, 5, 1}, {1, 1, 10, 0}});
    QCOMPARE(salient::classRanking(A, 0), (NeuronList{2, 0, 1, 3}));
    QCOMPARE(salient::classRanking(A, 1), (NeuronList{2, 0, 1, 3}));
    QCOMPARE(salient::classRanking(mat({{0, 2, 2, 3}}), 0), (NeuronList{3, 1, 2, 0}));
    QVERIFY_THROWS_EXCEPTION(salient::Error, salient::classRanking(A, 2));
    QVERIFY_THROWS_EXCEPTION(salient::Error, salient::classRanking(A, -1));
}

// ---- random neurons -------------------------------------------------------------------------

void TstRanking::randomBernoulli()
{
    const NeuronList a = salient::randomNeurons(10000, 0.3, 7);
    QCOMPARE(salient::randomNeurons(10000, 0.3, 7), a);  // same seed, same set
    QVERIFY(salient::randomNeurons(10000, 0.3, 8) != a); // another seed, another set
    QVERIFY(std::is_sorted(a.begin(), a.end()));
    QVERIFY(std::adjacent_find(a.begin(), a.end()) == a.end());
    QVERIFY(a.front() >= 0 && a.back() < 10000);
    // Binomial(10000, 0.3): mean 3000, sd ≈ 46; ±10 sd.
    QVERIFY2(std::abs(int(a.size()) - 3000) < 460, qPrintable(QString::number(a.size())));
    QCOMPARE(int(salient::randomNeurons(500, 1.0, 3).size()), 500);
    QCOMPARE(int(salient::randomNeurons(500, 1.5, 3).size()), 500);
    QVERIFY(salient::randomNeurons(500, -0.1, 3).empty());
    QVERIFY(salient::randomNeurons(0, 0.5, 3).empty());
    // A prefix property of the per-neuron draw: neurons < 100 get the same draws.
    NeuronList head;
    for (int j : a) {
        if (j < 100)
            head.push_back(j);
    }
    QCOMPARE(salient::randomNeurons(100, 0.3, 7), head);
    // Pinned output (std::mt19937_64 is fully specified, so this holds on every platform).
    QCOMPARE(salient::randomNeurons(20, 0.5, 1),
             (NeuronList{0, 1, 2, 3, 4, 6, 7, 10, 13, 14, 15, 16, 18, 19}));
}

void TstRanking::randomCount()
{
    for (int count : {0, 1, 17, 500, 999, 1000}) {
        const NeuronList a = salient::randomNeuronsCount(1000, count, 11);
        QCOMPARE(int(a.size()), count);
        QVERIFY(std::is_sorted(a.begin(), a.end()));
        QVERIFY(std::adjacent_find(a.begin(), a.end()) == a.end());
        QVERIFY(a.empty() || (a.front() >= 0 && a.back() < 1000));
        QCOMPARE(salient::randomNeuronsCount(1000, count, 11), a);
    }
    QVERIFY(salient::randomNeuronsCount(1000, 50, 11) != salient::randomNeuronsCount(1000, 50, 12));
    // Every neuron is reachable and roughly uniform: 2000 draws of 1 out of 10.
    std::vector<int> hits(10, 0);
    for (quint64 seed = 0; seed < 2000; ++seed)
        ++hits[std::size_t(salient::randomNeuronsCount(10, 1, seed).front())];
    for (int h : hits)
        QVERIFY2(h > 120 && h < 280, qPrintable(QString::number(h)));
    // Pinned output: std::mt19937_64 plus our own bounded draw, identical on every platform.
    QCOMPARE(salient::randomNeuronsCount(20, 5, 1), (NeuronList{2, 4, 8, 12, 18}));
    QVERIFY_THROWS_EXCEPTION(salient::Error, salient::randomNeuronsCount(10, 11, 1));
    QVERIFY_THROWS_EXCEPTION(salient::Error, salient::randomNeuronsCount(10, -1, 1));
}

// ---- probeless ------------------------------------------------------------------------------

void TstRanking::probeless()
{
    // Labels 0, 1, 3 present, 2 absent. Means: q0 = [2,0,2,2], q1 = [0,4,2,0], q3 = [5,2,2,5].
    // |q0-q1| = [2,4,0,2], |q0-q3| = [3,2,0,3], |q1-q3| = [5,2,0,5].
    // Overall = [10,8,0,10] → [0,3,1,2] (0 and 3 tie: ascending index).
    // Tag 0 = [5,6,0,5] → [1,0,3,2]; tag 1 = [7,6,0,7] → [0,3,1,2]; tag 3 = [8,4,0,8] → [0,3,1,2].
    RowMatrixF X(4, 4);
    X << 1, 0, 2, 1, //
        3, 0, 2, 3,  //
        0, 4, 2, 0,  //
        5, 2, 2, 5;
    VectorI y(4);
    y << 0, 0, 1, 3;
    const ProbelessRanking r = salient::probelessRanking(X, y, 4);
    QCOMPARE(r.overall, (NeuronList{0, 3, 1, 2}));
    QCOMPARE(r.overallScore.size(), Index(4));
    const float expectedScore[4] = {10, 8, 0, 10};
    for (int j = 0; j < 4; ++j)
        QCOMPARE(r.overallScore[j], expectedScore[j]);
    QCOMPARE(int(r.perClass.size()), 4);
    QCOMPARE(r.perClass[0], (NeuronList{1, 0, 3, 2}));
    QCOMPARE(r.perClass[1], (NeuronList{0, 3, 1, 2}));
    QVERIFY(r.perClass[2].empty());
    QCOMPARE(r.perClass[3], (NeuronList{0, 3, 1, 2}));

    // One class present: every score is 0, the ranking is the index order.
    VectorI one(4);
    one << 2, 2, 2, 2;
    const ProbelessRanking single = salient::probelessRanking(X, one, 3);
    QCOMPARE(single.overall, (NeuronList{0, 1, 2, 3}));
    QCOMPARE(single.perClass[2], (NeuronList{0, 1, 2, 3}));
    QVERIFY(single.perClass[0].empty());
    QVERIFY(single.overallScore.isZero());

    VectorI bad(4);
    bad << 0, 1, 4, 0;
    QVERIFY_THROWS_EXCEPTION(salient::Error, salient::probelessRanking(X, bad, 4));
    QVERIFY_THROWS_EXCEPTION(salient::Error, salient::probelessRanking(X, VectorI(3), 4));
}

// ---- input validation -----------------------------------------------------------------------

void TstRanking::invalidInput()
{
    const MatrixF negative = mat({{1, -2, 3}});
    QVERIFY_THROWS_EXCEPTION(salient::Error, salient::topNeurons(negative, 0.5));
    QVERIFY_THROWS_EXCEPTION(salient::Error, salient::bottomNeurons(negative, 0.5));
    QVERIFY_THROWS_EXCEPTION(salient::Error, salient::neuronOrdering(negative));
    MatrixF nan = mat({{1, 2, 3}});
    nan(0, 1) = std::nanf("");
    QVERIFY_THROWS_EXCEPTION(salient::Error, salient::topNeuronsHardThreshold(nan, 2.0));
    const MatrixF ok = mat({{1, 2, 3}});
    QVERIFY_THROWS_EXCEPTION(salient::Error, salient::neuronOrdering(ok, 0));
    QVERIFY_THROWS_EXCEPTION(salient::Error, salient::neuronOrderingGranular(ok, 0, 100));
}

// ---- size of the redundancy experiments -----------------------------------------------------

void TstRanking::largeOrderingTiming()
{
    // 44 classes × 9,984 inputs with S = 1000 (§7.1, redundancy code). Reports the time, asserts
    // only the invariants.
    const MatrixF A = randomWeights(44, 9984, 2024);
    QElapsedTimer timer;
    timer.start();
    const NeuronOrdering o = salient::neuronOrdering(A, 1000);
    const qint64 ms = timer.elapsed();
    qInfo("neuronOrdering 44 x 9984, S = 1000: %lld ms", static_cast<long long>(ms));
    QCOMPARE(int(o.cutoffs.size()), 1001);
    QVERIFY(std::is_sorted(o.cutoffs.begin(), o.cutoffs.end()));
    QCOMPARE(int(o.order.size()), o.cutoffs.back());
    std::vector<char> seen(9984, 0);
    for (int j : o.order) {
        QVERIFY(!seen[std::size_t(j)]);
        seen[std::size_t(j)] = 1;
    }
    timer.restart();
    const NeuronList g = salient::neuronOrderingGranular(A, 50, 1000);
    qInfo("neuronOrderingGranular 44 x 9984, g = 50, S = 1000: %lld ms",
          static_cast<long long>(timer.elapsed()));
    QVERIFY(!g.empty());
}

QTEST_GUILESS_MAIN(TstRanking)
#include "tst_ranking.moc"
