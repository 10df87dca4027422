// Tests of correlation clustering (spec/NEUROX.md §12.4, §12.6): blockwise Pearson correlation,
// average linkage by nearest-neighbour chain, SciPy fcluster(criterion="distance") semantics,
// the memory estimate and budget, seeded representatives, and cancellation.
#include <QtTest>

#include "salient/analyses/clustering.h"
#include "salient/util/error.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <set>

using namespace salient;

namespace {

/// Uniform [0, 1) from the generator's top 53 bits (own conversion, no std distributions).
double uniform(std::mt19937_64 &rng)
{
    return double(rng() >> 11) * 0x1.0p-53;
}

RowMatrixF randomMatrix(Index rows, Index cols, quint64 seed)
{
    std::mt19937_64 rng(seed);
    RowMatrixF X(rows, cols);
    for (Index i = 0; i < rows; ++i)
        for (Index j = 0; j < cols; ++j)
            X(i, j) = float(2.0 * uniform(rng) - 1.0);
    return X;
}

/// Pearson correlation of two columns over the given rows, in double, directly.
double pearson(const RowMatrixF &X, int a, int b, const std::vector<Index> &rows)
{
    double ma = 0, mb = 0;
    for (Index r : rows) {
        ma += X(r, a);
        mb += X(r, b);
    }
    ma /= double(rows.size());
    mb /= double(rows.size());
    double sab = 0, saa = 0, sbb = 0;
    for (Index r : rows) {
        const double da = X(r, a) - ma, db = X(r, b) - mb;
        sab += da * db;
        saa += da * da;
        sbb += db * db;
    }
    return sab / std::sqrt(saa * sbb);
}

/// Naive O(n³) average linkage: merge heights in merge order (ties: lowest pair).
std::vector<double> naiveAverageHeights(const std::vector<float> &d, Index n)
{
    std::vector<std::vector<int>> clusters;
    for (int i = 0; i < int(n); ++i)
        clusters.push_back({i});
    std::vector<double> heights;
    while (clusters.size() > 1) {
        double best = 1e300;
        size_t bi = 0, bj = 1;
        for (size_t i = 0; i < clusters.size(); ++i) {
            for (size_t j = i + 1; j < clusters.size(); ++j) {
                double s = 0;
                for (int a : clusters[i])
                    for (int b : clusters[j])
                        s += d[condensedIndex(n, a, b)];
                s /= double(clusters[i].size() * clusters[j].size());
                if (s < best) {
                    best = s;
                    bi = i;
                    bj = j;
                }
            }
        }
        heights.push_back(best);
        clusters[bi].insert(clusters[bi].end(), clusters[bj].begin(), clusters[bj].end());
        clusters.erase(clusters.begin() + std::ptrdiff_t(bj));
    }
    return heights;
}

/// Condensed distances of points on a line.
std::vector<float> lineDistances(const std::vector<double> &x)
{
    const Index n = Index(x.size());
    std::vector<float> d(size_t(n * (n - 1) / 2));
    for (Index i = 0; i < n; ++i)
        for (Index j = i + 1; j < n; ++j)
            d[condensedIndex(n, i, j)] = float(std::abs(x[size_t(i)] - x[size_t(j)]));
    return d;
}

} // namespace

class TestClustering : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void duplicatesAndNegatedCopy();
    void signedCorrelationSeparatesNegatedCopy();
    void independentColumnsStaySeparate();
    void correlationMatchesDirectComputation();
    void handComputedDendrogram();
    void labelsByFirstAppearance();
    void nnChainMatchesNaiveLinkage();
    void thresholdBoundary();
    void constantAndNaNColumns();
    void memoryEstimate();
    void budgetRefusal();
    void representatives();
    void independentNeuronsPreFilter();
    void cancel();
    void validation();
};

void TestClustering::duplicatesAndNegatedCopy()
{
    // Columns 0, 3 (exact copy) and 5 (−2·x0 + 1: |r| = 1) must form one cluster; the random
    // columns 1, 2, 4 (|r| ≈ 0 over 400 rows, distance ≈ 1) stay alone.
    RowMatrixF X = randomMatrix(400, 6, 11);
    X.col(3) = X.col(0);
    X.col(5) = (-2.0f * X.col(0).array() + 1.0f).matrix();
    const ClusteringResult r = correlationClusters(X);
    QCOMPARE(r.status, Status::Ok);
    QCOMPARE(r.labels, (std::vector<int>{1, 2, 3, 1, 4, 1}));
    QCOMPARE(r.clusterCount, 4);
    QCOMPARE(r.linkage.size(), size_t(5));
    QVERIFY(r.linkage.front().height < 1e-5);
}

void TestClustering::signedCorrelationSeparatesNegatedCopy()
{
    // With 1 − r the negated copy is at distance 2 from column 0.
    RowMatrixF X = randomMatrix(400, 4, 12);
    X.col(1) = X.col(0);
    X.col(2) = -X.col(0);
    ClusteringOptions o;
    o.absoluteCorrelation = false;
    const ClusteringResult r = correlationClusters(X, o);
    QCOMPARE(r.labels, (std::vector<int>{1, 1, 2, 3}));
    const CondensedDistances d = correlationDissimilarity(X, false);
    QVERIFY(std::abs(d.values[condensedIndex(4, 0, 2)] - 2.0f) < 1e-5f);
}

void TestClustering::independentColumnsStaySeparate()
{
    // 20 independent uniform columns over 1000 rows: |r| < 0.15, distances > 0.85 > 0.5.
    const RowMatrixF X = randomMatrix(1000, 20, 13);
    const ClusteringResult r = correlationClusters(X);
    QCOMPARE(r.clusterCount, 20);
    for (int i = 0; i < 20; ++i)
        QCOMPARE(r.labels[size_t(i)], i + 1);
}

void TestClustering::correlationMatchesDirectComputation()
{
    // 2,100 rows (2,080 used: more than one 2,048-row chunk) × 300 columns (280 used, reversed:
    // two 256-column blocks), compared with a direct float64 Pearson correlation.
    RowMatrixF X = randomMatrix(2100, 300, 14);
    for (Index i = 0; i < X.rows(); ++i) // some correlation structure and offsets
        for (Index j = 1; j < X.cols(); ++j)
            X(i, j) = 0.6f * X(i, j - 1) + X(i, j) + float(j % 7);
    std::vector<Index> rows;
    for (Index i = 20; i < X.rows(); ++i)
        rows.push_back(i);
    NeuronList cols;
    for (int j = 290; j >= 11; --j)
        cols.push_back(j);
    const CondensedDistances d = correlationDissimilarity(X, true, cols, rows);
    QCOMPARE(d.n, Index(280));
    QCOMPARE(d.values.size(), size_t(280 * 279 / 2));
    double worst = 0;
    for (Index a = 0; a < 280; a += 3) {
        for (Index b = a + 1; b < 280; b += 2) {
            const double expected =
                1.0 - std::abs(pearson(X, cols[size_t(a)], cols[size_t(b)], rows));
            worst =
                std::max(worst, std::abs(expected - double(d.values[condensedIndex(280, a, b)])));
        }
    }
    QVERIFY2(worst < 2e-5, qPrintable(QStringLiteral("max error %1").arg(worst)));
}

void TestClustering::handComputedDendrogram()
{
    // Points A=0, B=1, C=4, D=6, E=13 on a line, average linkage by hand:
    //   AB at 1;  d(AB,C) = (4+3)/2 = 3.5, d(AB,D) = (6+5)/2 = 5.5, d(AB,E) = 12.5
    //   CD at 2;  d(AB,CD) = (4+6+3+5)/4 = 4.5, d(CD,E) = (9+7)/2 = 8
    //   AB∪CD at 4.5; d(ABCD,E) = (13+12+9+7)/4 = 10.25
    // SciPy Z: [0,1,1,2], [2,3,2,2], [5,6,4.5,4], [4,7,10.25,5].
    std::vector<float> d = lineDistances({0, 1, 4, 6, 13});
    Status st = Status::Failed;
    const std::vector<LinkageMerge> z = averageLinkage(d, 5, {}, &st);
    QCOMPARE(st, Status::Ok);
    QCOMPARE(z.size(), size_t(4));
    const int expected[4][4] = {{0, 1, 1, 2}, {2, 3, 2, 2}, {5, 6, 0, 4}, {4, 7, 0, 5}};
    const double heights[4] = {1.0, 2.0, 4.5, 10.25};
    for (int i = 0; i < 4; ++i) {
        QCOMPARE(z[size_t(i)].a, expected[i][0]);
        QCOMPARE(z[size_t(i)].b, expected[i][1]);
        QCOMPARE(z[size_t(i)].size, expected[i][3]);
        QVERIFY(std::abs(z[size_t(i)].height - heights[i]) < 1e-6);
    }
    QCOMPARE(cutTree(z, 5, 4.5), (std::vector<int>{1, 1, 1, 1, 2}));
    QCOMPARE(cutTree(z, 5, 3.0), (std::vector<int>{1, 1, 2, 2, 3}));
    QCOMPARE(cutTree(z, 5, 0.5), (std::vector<int>{1, 2, 3, 4, 5}));
    QCOMPARE(cutTree(z, 5, 10.25), (std::vector<int>{1, 1, 1, 1, 1}));
}

void TestClustering::labelsByFirstAppearance()
{
    // The same points in the order E, C, A, D, B: labels follow first appearance.
    std::vector<float> d = lineDistances({13, 4, 0, 6, 1});
    const std::vector<LinkageMerge> z = averageLinkage(d, 5);
    QCOMPARE(cutTree(z, 5, 4.5), (std::vector<int>{1, 2, 2, 2, 2}));
    QCOMPARE(cutTree(z, 5, 2.0), (std::vector<int>{1, 2, 3, 2, 3}));
}

void TestClustering::nnChainMatchesNaiveLinkage()
{
    const Index n = 40;
    std::mt19937_64 rng(15);
    std::vector<float> d(size_t(n * (n - 1) / 2));
    for (float &v : d)
        v = float(uniform(rng));
    const std::vector<double> naive = naiveAverageHeights(d, n);
    std::vector<float> work = d;
    const std::vector<LinkageMerge> z = averageLinkage(work, n);
    QCOMPARE(z.size(), naive.size());
    std::vector<double> sorted = naive;
    std::sort(sorted.begin(), sorted.end());
    for (size_t i = 0; i < z.size(); ++i)
        QVERIFY2(std::abs(z[i].height - sorted[i]) < 1e-5,
                 qPrintable(
                     QStringLiteral("merge %1: %2 vs %3").arg(i).arg(z[i].height).arg(sorted[i])));
    QCOMPARE(z.back().size, int(n));
}

void TestClustering::thresholdBoundary()
{
    // Two points at distance exactly 0.5 (representable): fcluster(t = 0.5) merges (<=),
    // t just below does not.
    std::vector<float> d{0.5f, 0.9f, 0.9f};
    const std::vector<LinkageMerge> z = averageLinkage(d, 3);
    QCOMPARE(cutTree(z, 3, 0.5), (std::vector<int>{1, 1, 2}));
    QCOMPARE(cutTree(z, 3, std::nextafter(0.5, 0.0)), (std::vector<int>{1, 2, 3}));
    QCOMPARE(cutTree(z, 3, 0.9), (std::vector<int>{1, 1, 1}));
}

void TestClustering::constantAndNaNColumns()
{
    // Columns 0, 1, 3 are copies; 2 is constant; 4 has a NaN. The degenerate columns have
    // distance exactly 1 to everything: alone at t = 0.99, merged at t = 1 (1 <= 1).
    RowMatrixF X = randomMatrix(100, 5, 16);
    X.col(1) = X.col(0);
    X.col(3) = X.col(0) * 3.0f;
    X.col(2).setConstant(0.7f);
    X(10, 4) = std::numeric_limits<float>::quiet_NaN();
    ClusteringOptions o;
    o.threshold = 0.99;
    const ClusteringResult r = correlationClusters(X, o);
    QCOMPARE(r.degenerateColumns, (NeuronList{2, 4}));
    QCOMPARE(r.labels, (std::vector<int>{1, 1, 2, 1, 3}));
    const CondensedDistances d = correlationDissimilarity(X);
    QCOMPARE(d.values[condensedIndex(5, 0, 2)], 1.0f);
    QCOMPARE(d.values[condensedIndex(5, 2, 4)], 1.0f);
    o.threshold = 1.0;
    QCOMPARE(correlationClusters(X, o).clusterCount, 1);
}

void TestClustering::memoryEstimate()
{
    const double perThread = 2.0 * 4.0 * 2048 * 256 + 8.0 * 256 * 256;
    QCOMPARE(condensedMatrixBytes(9984), 4.0 * 9984.0 * 9983.0 / 2.0);
    QCOMPARE(clusteringMemoryBytes(9984, 1), 4.0 * 9984.0 * 9983.0 / 2.0 + 96.0 * 9984 + perThread);
    QCOMPARE(clusteringMemoryBytes(9984, 2) - clusteringMemoryBytes(9984, 1), perThread);
    // ≈ 200 MB for BERT-base's 13 × 768 neurons.
    QVERIFY(condensedMatrixBytes(9984) > 199e6 && condensedMatrixBytes(9984) < 200e6);
    const ClusteringResult r = correlationClusters(randomMatrix(10, 3, 1));
    QCOMPARE(r.memoryBytes, clusteringMemoryBytes(3, 0));
}

void TestClustering::budgetRefusal()
{
    ClusteringOptions o;
    o.memoryBudgetBytes = 1e6;
    try {
        correlationClusters(randomMatrix(10, 50, 2), o);
        QFAIL("expected a budget error");
    } catch (const Error &e) {
        const QString m = e.message();
        QVERIFY2(m.contains(QStringLiteral("50 neurons")) && m.contains(QStringLiteral("budget"))
                     && m.contains(QStringLiteral("1.0 MB")),
                 qPrintable(m));
    }
    o.memoryBudgetBytes = 1e9;
    QCOMPARE(correlationClusters(randomMatrix(10, 50, 2), o).status, Status::Ok);
}

void TestClustering::representatives()
{
    // Clusters: {0..9} (copies), {10, 11} (copies), 12, 13 (independent).
    RowMatrixF X = randomMatrix(300, 14, 17);
    for (int j = 1; j < 10; ++j)
        X.col(j) = X.col(0) * float(j);
    X.col(11) = X.col(10);
    const ClusteringResult r = correlationClusters(X);
    QCOMPARE(r.clusterCount, 4);
    std::set<int> picksOfBigCluster;
    for (quint64 seed = 1; seed <= 20; ++seed) {
        const NeuronList reps = clusterRepresentatives(r, seed);
        QCOMPARE(reps, clusterRepresentatives(r, seed)); // deterministic
        QCOMPARE(reps.size(), size_t(4));
        QVERIFY(std::is_sorted(reps.begin(), reps.end()));
        std::set<int> labels;
        for (int c : reps)
            labels.insert(r.labels[size_t(c)]);
        QCOMPARE(labels.size(), size_t(4)); // one per cluster
        QVERIFY(reps[0] <= 9 && reps[1] >= 10 && reps[1] <= 11 && reps[2] == 12 && reps[3] == 13);
        picksOfBigCluster.insert(reps[0]);
    }
    QVERIFY(picksOfBigCluster.size() >= 4); // the seed matters
}

void TestClustering::independentNeuronsPreFilter()
{
    // On a column subset the representatives are columns of X, not positions.
    RowMatrixF X = randomMatrix(300, 8, 18);
    X.col(6) = X.col(4);
    ClusteringOptions o;
    o.threshold = kPreFilterThreshold;
    const IndependentNeurons ind = independentNeurons(X, o, 5, {2, 4, 6, 7});
    QCOMPARE(ind.status, Status::Ok);
    QCOMPARE(ind.clustering.labels, (std::vector<int>{1, 2, 2, 3}));
    QCOMPARE(ind.columns.size(), size_t(3));
    QCOMPARE(ind.columns.front(), 2);
    QCOMPARE(ind.columns.back(), 7);
    QVERIFY(ind.columns[1] == 4 || ind.columns[1] == 6);
}

void TestClustering::cancel()
{
    const RowMatrixF X = randomMatrix(50, 600, 19);
    int calls = 0;
    const ClusteringResult a = correlationClusters(X, {}, {}, {}, [&](double, const QString &) {
        ++calls;
        return false;
    });
    QCOMPARE(a.status, Status::Cancelled);
    QVERIFY(a.labels.empty());
    QVERIFY(calls >= 1);
    // Cancel in the linkage phase (fractions above 0.7).
    double last = 0;
    const ClusteringResult b = correlationClusters(X, {}, {}, {}, [&](double f, const QString &) {
        last = f;
        return f < 0.8;
    });
    QCOMPARE(b.status, Status::Cancelled);
    QVERIFY(last >= 0.8 && last < 1.0);
    QVERIFY(b.linkage.empty());
}

void TestClustering::validation()
{
    const RowMatrixF X = randomMatrix(10, 4, 20);
    QVERIFY_THROWS_EXCEPTION(Error, correlationClusters(X, {}, {0, 4}));
    QVERIFY_THROWS_EXCEPTION(Error, correlationClusters(X, {}, {0}));
    QVERIFY_THROWS_EXCEPTION(Error, correlationClusters(X, {}, {}, {3}));
    QVERIFY_THROWS_EXCEPTION(Error, correlationClusters(X, {}, {}, {0, 10}));
    ClusteringOptions o;
    o.threshold = -0.1;
    QVERIFY_THROWS_EXCEPTION(Error, correlationClusters(X, o));
    std::vector<float> d{1.0f, 2.0f};
    QVERIFY_THROWS_EXCEPTION(Error, averageLinkage(d, 3));
    QVERIFY_THROWS_EXCEPTION(Error, cutTree({}, 3, 0.5));
}

QTEST_GUILESS_MAIN(TestClustering)
#include "tst_clustering.moc"
