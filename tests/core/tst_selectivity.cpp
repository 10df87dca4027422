// Tests of control tasks, selectivity (spec/NEUROX.md §11) and neuron-set overlaps. Planted data
// is built by hand: a LABEL code (neurons fire on the gold label, many word types per label) must
// be selective; a WORD-IDENTITY code (each type its own random vector) lets the control probe
// memorise the types too, so it must not be.
#include "salient/analyses/selectivity.h"
#include "salient/data/demo.h"
#include "salient/data/task.h"
#include "salient/probe/metrics.h"
#include "salient/util/error.h"
#include "testutil.h"

#include <QtTest>

#include <cmath>
#include <map>
#include <numeric>
#include <random>
#include <set>

using namespace salient;

namespace {

/// Own uniform / normal draws (no std distributions: their output is implementation-defined).
struct Rng {
    std::mt19937_64 eng;
    explicit Rng(quint64 seed) : eng(seed) {}
    double uniform() { return double(eng() >> 11) * 0x1.0p-53; }
    int below(int n) { return int(uniform() * n); }
    double normal()
    {
        const double u1 = 1.0 - uniform(), u2 = uniform();
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
    }
};

/// A hand-made split: rowToken filled, 10 tokens per "sentence".
Dataset makeSplit(const QString &name, RowMatrixF X, VectorI y, std::vector<QString> tokens)
{
    Dataset ds;
    ds.name = name;
    ds.layers = 1;
    ds.dims = int(X.cols());
    ds.layerIds = {0};
    ds.X = std::move(X);
    ds.y = std::move(y);
    ds.rowToken = std::move(tokens);
    for (Index i = 0; i < ds.X.rows(); ++i) {
        ds.rowSentence.push_back(i / 10);
        ds.rowWord.push_back(int(i % 10));
    }
    for (Index s = 0; s * 10 < ds.X.rows(); ++s)
        ds.sentences.push_back(s);
    return ds;
}

/// Tokens-only split (X is one zero column) for control task tests.
Dataset tokensOnly(const QString &name, const std::vector<QString> &tokens, const VectorI &y)
{
    return makeSplit(name, RowMatrixF::Zero(Index(tokens.size()), 1), y, tokens);
}

QString word(int t)
{
    return QStringLiteral("w%1").arg(t);
}

enum class Code { Label, WordIdentity };

/// Planted data with @p types word types, 4 labels, 64 neurons.
/// Label code: the label is random per token (context), neurons 0..3 are a noisy one-hot of the
/// gold label, the rest noise. Word-identity code: label = type % 4, every neuron carries the
/// type's own random vector (+ small noise).
struct Planted {
    Dataset train, dev;
    QStringList labels{QStringLiteral("A"), QStringLiteral("B"), QStringLiteral("C"),
                       QStringLiteral("D")};
};

Planted makePlanted(Code code, quint64 seed, int types = 40, int trainRows = 4000,
                    int devRows = 1000)
{
    constexpr int D = 64, C = 4;
    Rng rng(seed);
    std::vector<VectorF> typeVector(static_cast<std::size_t>(types), VectorF::Zero(D));
    for (VectorF &v : typeVector)
        for (int d = 0; d < D; ++d)
            v[d] = float(rng.normal());
    const auto split = [&](const QString &name, int rows) {
        RowMatrixF X(rows, D);
        VectorI y(rows);
        std::vector<QString> tokens;
        for (int i = 0; i < rows; ++i) {
            const int t = rng.below(types);
            tokens.push_back(word(t));
            if (code == Code::Label) {
                y[i] = rng.below(C);
                for (int d = 0; d < D; ++d)
                    X(i, d) = float(rng.normal());
                for (int c = 0; c < C; ++c)
                    X(i, c) = float((c == y[i] ? 2.0 : 0.0) + 0.3 * rng.normal());
            } else {
                y[i] = t % C;
                for (int d = 0; d < D; ++d)
                    X(i, d) = typeVector[std::size_t(t)][d] + float(0.1 * rng.normal());
            }
        }
        return makeSplit(name, std::move(X), std::move(y), std::move(tokens));
    };
    Planted p;
    p.train = split(QStringLiteral("train"), trainRows);
    p.dev = split(QStringLiteral("dev"), devRows);
    return p;
}

ProbeOptions quickProbe()
{
    ProbeOptions po;
    po.epochs = 10;
    po.batchSize = 32;
    po.learningRate = 1e-2;
    po.seed = 3;
    return po;
}

ExperimentData dataOf(const Planted &p, const ProbeOptions &po)
{
    ExperimentData d;
    d.train = &p.train;
    d.dev = &p.dev;
    d.labels = p.labels;
    d.probe = po;
    return d;
}

} // namespace

class TestSelectivity : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // ---- Control task ----------------------------------------------------------------------

    void controlTaskIsDeterministicPerSeed()
    {
        const Planted p = makePlanted(Code::Label, 11, 200, 2000, 500);
        ControlTaskOptions o;
        o.seed = 5;
        const ControlTask a = makeControlTask(p.train, &p.dev, nullptr, o);
        const ControlTask b = makeControlTask(p.train, &p.dev, nullptr, o);
        QCOMPARE(a.train, b.train);
        QCOMPARE(a.dev, b.dev);
        QCOMPARE(a.seed, quint64(5));
        QVERIFY(a.test.size() == 0);
        QCOMPARE(a.classes, 4);
        QCOMPARE(a.labels, QStringList({QStringLiteral("c0"), QStringLiteral("c1"),
                                        QStringLiteral("c2"), QStringLiteral("c3")}));
        QCOMPARE(a.types, Index(200));
        o.seed = 6;
        const ControlTask c = makeControlTask(p.train, &p.dev, nullptr, o);
        QVERIFY(a.train != c.train);
        QVERIFY(a.train.minCoeff() >= 0 && a.train.maxCoeff() < 4);
    }

    void everyTokenOfATypeHasOneLabel()
    {
        // Dev has types unseen in train: they get draws too, and keep them across splits.
        std::vector<QString> train, dev;
        VectorI y(300), yd(100);
        for (int i = 0; i < 300; ++i) {
            train.push_back(word(i % 50));
            y[i] = i % 3;
        }
        for (int i = 0; i < 100; ++i) {
            dev.push_back(word(25 + i % 60)); // w25..w84: w50..w84 unseen in train
            yd[i] = 0;
        }
        const Dataset tr = tokensOnly(QStringLiteral("train"), train, y);
        const Dataset dv = tokensOnly(QStringLiteral("dev"), dev, yd);
        const ControlTask ct = makeControlTask(tr, &dv, nullptr);
        std::map<QString, int> seen;
        const auto check = [&](const std::vector<QString> &tokens, const VectorI &labels) {
            for (std::size_t i = 0; i < tokens.size(); ++i) {
                const auto [it, fresh] = seen.emplace(tokens[i], labels[Index(i)]);
                QCOMPARE(labels[Index(i)], it->second);
                Q_UNUSED(fresh);
            }
        };
        check(train, ct.train);
        check(dev, ct.dev);
        QCOMPARE(ct.types, Index(85));
        QCOMPARE(ct.classes, 3);
        // The tokens' real labels vary within a type (i % 3 vs i % 50): control ignores them.
    }

    void caseInsensitiveMergesTypes()
    {
        std::vector<QString> tokens;
        VectorI y(400);
        for (int i = 0; i < 200; ++i) {
            tokens.push_back(QStringLiteral("Word%1").arg(i));
            tokens.push_back(QStringLiteral("word%1").arg(i));
            y[2 * i] = 0;
            y[2 * i + 1] = 1;
        }
        const Dataset tr = tokensOnly(QStringLiteral("train"), tokens, y);
        ControlTaskOptions o;
        const ControlTask sensitive = makeControlTask(tr, nullptr, nullptr, o);
        o.caseSensitive = false;
        const ControlTask insensitive = makeControlTask(tr, nullptr, nullptr, o);
        QCOMPARE(sensitive.types, Index(400));
        QCOMPARE(insensitive.types, Index(200));
        int differ = 0;
        for (int i = 0; i < 200; ++i) {
            QCOMPARE(insensitive.train[2 * i], insensitive.train[2 * i + 1]);
            differ += sensitive.train[2 * i] != sensitive.train[2 * i + 1];
        }
        QVERIFY2(differ > 50, qPrintable(QString::number(differ))); // ~half differ by chance

        // "The" / "the" explicitly.
        const std::vector<QString> the{QStringLiteral("The"), QStringLiteral("the"),
                                       QStringLiteral("a")};
        VectorI y3(3);
        y3 << 0, 1, 1;
        const ControlTask t =
            makeControlTask(tokensOnly(QStringLiteral("train"), the, y3), nullptr, nullptr, o);
        QCOMPARE(t.types, Index(2));
        QCOMPARE(t.train[0], t.train[1]);
    }

    void typeLabelsFollowTheTrainDistribution_data()
    {
        QTest::addColumn<bool>("uniform");
        QTest::newRow("same") << false;
        QTest::newRow("uniform") << true;
    }
    void typeLabelsFollowTheTrainDistribution()
    {
        QFETCH(bool, uniform);
        // 6000 types, one token each; real labels 2 (60%), 0 (30%), 1 (10%), 2 appearing first.
        constexpr int N = 6000;
        std::vector<QString> tokens;
        VectorI y(N);
        for (int i = 0; i < N; ++i) {
            tokens.push_back(word(i));
            const int r = i % 10;
            y[i] = r < 6 ? 2 : (r < 9 ? 0 : 1);
        }
        ControlTaskOptions o;
        o.seed = 42;
        o.sampleFrom = uniform ? ControlSampling::Uniform : ControlSampling::Same;
        const ControlTask ct =
            makeControlTask(tokensOnly(QStringLiteral("train"), tokens, y), nullptr, nullptr, o);
        QCOMPARE(ct.classes, 3);
        const std::vector<double> expected = uniform
                                                 ? std::vector<double>{1.0 / 3, 1.0 / 3, 1.0 / 3}
                                                 : std::vector<double>{0.6, 0.3, 0.1};
        const std::vector<int> source =
            uniform ? std::vector<int>{-1, -1, -1} : std::vector<int>{2, 0, 1};
        QCOMPARE(ct.sourceLabel, source);
        for (int k = 0; k < 3; ++k) {
            QVERIFY(std::abs(ct.distribution[std::size_t(k)] - expected[std::size_t(k)]) < 1e-12);
            const double share = double((ct.train.array() == k).count()) / N;
            // Binomial std ≤ sqrt(0.25/6000) ≈ 0.0065; allow ~4 std.
            QVERIFY2(std::abs(share - expected[std::size_t(k)]) < 0.025,
                     qPrintable(QStringLiteral("class %1: %2 vs %3")
                                    .arg(k)
                                    .arg(share)
                                    .arg(expected[std::size_t(k)])));
        }
    }

    void controlTaskValidates()
    {
        const std::vector<QString> tokens{QStringLiteral("a"), QStringLiteral("b")};
        VectorI one(2);
        one << 1, 1;
        QVERIFY_THROWS_EXCEPTION(
            Error,
            makeControlTask(tokensOnly(QStringLiteral("train"), tokens, one), nullptr, nullptr));
        Dataset noTokens = tokensOnly(QStringLiteral("train"), tokens, VectorI::LinSpaced(2, 0, 1));
        noTokens.rowToken.clear();
        QVERIFY_THROWS_EXCEPTION(Error, makeControlTask(noTokens, nullptr, nullptr));
    }

    // ---- Selectivity -----------------------------------------------------------------------

    void plantedLabelCodeIsSelectiveWordCodeIsNot()
    {
        const Planted label = makePlanted(Code::Label, 1);
        const Planted identity = makePlanted(Code::WordIdentity, 2);
        const ProbeOptions po = quickProbe();
        SelectivityOptions so;
        so.control.seed = 9;
        const std::vector<NamedNeuronSet> sets{{QStringLiteral("all"), {}},
                                               {QStringLiteral("label"), {0, 1, 2, 3}}};
        const SelectivityResult a = computeSelectivity(dataOf(label, po), sets, so);
        const SelectivityResult b = computeSelectivity(dataOf(identity, po), {sets[0]}, so);
        QCOMPARE(a.status, Status::Ok);
        QCOMPARE(b.status, Status::Ok);
        QCOMPARE(a.split, QStringLiteral("dev"));
        QCOMPARE(a.seed, quint64(9));
        QCOMPARE(a.probeSeed, quint64(3));
        QCOMPARE(a.controlClasses, 4);
        QCOMPARE(a.controlTypes, Index(40));
        QCOMPARE(int(a.sets.size()), 2);
        QCOMPARE(a.sets[0].name, QStringLiteral("all"));
        QCOMPARE(a.sets[0].neurons, 64);
        QCOMPARE(a.sets[1].neurons, 4);
        for (const SelectivityResult *r : {&a, &b})
            for (const SelectivityEntry &e : r->sets)
                qInfo("%s: task %.3f control %.3f selectivity %.3f", qPrintable(e.name),
                      e.taskAccuracy, e.controlAccuracy, e.selectivity);
        const SelectivityEntry &sa = a.sets[0];
        const SelectivityEntry &sb = b.sets[0];
        QCOMPARE(sa.selectivity, sa.taskAccuracy - sa.controlAccuracy);
        QVERIFY2(sa.taskAccuracy > 0.95, qPrintable(QString::number(sa.taskAccuracy)));
        QVERIFY2(sb.taskAccuracy > 0.95, qPrintable(QString::number(sb.taskAccuracy)));
        QVERIFY2(sb.controlAccuracy > 0.9, qPrintable(QString::number(sb.controlAccuracy)));
        QVERIFY2(sa.selectivity > 0.4, qPrintable(QString::number(sa.selectivity)));
        QVERIFY2(sa.selectivity - sb.selectivity > 0.3,
                 qPrintable(QStringLiteral("%1 vs %2").arg(sa.selectivity).arg(sb.selectivity)));
        // The 4 label neurons alone: the control probe has nothing to memorise the types with.
        QVERIFY2(a.sets[1].selectivity > 0.4, qPrintable(QString::number(a.sets[1].selectivity)));
    }

    // Task and control probes (and, unshuffled, all repetitions) train in one fused pass; each
    // accuracy must equal that of the probe trained alone.
    void fusedControlProbesEqualSeparate_data()
    {
        QTest::addColumn<bool>("shuffle");
        QTest::newRow("shuffled") << true;
        QTest::newRow("unshuffled") << false;
    }
    void fusedControlProbesEqualSeparate()
    {
        QFETCH(bool, shuffle);
        Planted p = makePlanted(Code::Label, 5, 40, 800, 200);
        ProbeOptions po = quickProbe();
        po.shuffle = shuffle;
        const ExperimentData d = dataOf(p, po);
        const std::vector<NamedNeuronSet> sets{{QStringLiteral("few"), {0, 2, 7}},
                                               {QStringLiteral("all"), {}}};
        SelectivityOptions so;
        so.seeds = 2;
        so.control.seed = 4;
        const SelectivityResult r = computeSelectivity(d, sets, so);
        QCOMPARE(r.status, Status::Ok);
        const ControlTask ct0 = makeControlTask(*d.train, d.dev, d.test, so.control);
        for (std::size_t s = 0; s < sets.size(); ++s) {
            for (int rep = 0; rep < 2; ++rep) {
                ControlTaskOptions co = so.control;
                co.seed += quint64(rep);
                const ControlTask ct =
                    rep == 0 ? ct0 : makeControlTask(*d.train, d.dev, d.test, co);
                ProbeOptions o = po;
                o.seed = po.seed + quint64(rep);
                const TrainResult task =
                    trainProbe(*d.train->features(), d.train->y, {}, d.labels, o, sets[s].columns);
                const TrainResult control =
                    trainProbe(*d.train->features(), ct.train, {}, ct.labels, o, sets[s].columns);
                const double taskAcc =
                    evaluateProbe(task.probe, *d.dev->features(), d.dev->y, {}).accuracy;
                const double controlAcc =
                    evaluateProbe(control.probe, *d.dev->features(), ct.dev, {}).accuracy;
                const SelectivityEntry &e = r.sets[s];
                if (rep == 0) {
                    QCOMPARE(e.taskAccuracy, taskAcc);
                    QCOMPARE(e.controlAccuracy, controlAcc);
                } else { // two repetitions: the other one is the min or the max
                    QVERIFY(taskAcc == e.taskSeeds.min || taskAcc == e.taskSeeds.max);
                    QVERIFY(controlAcc == e.controlSeeds.min || controlAcc == e.controlSeeds.max);
                    QCOMPARE(e.taskSeeds.min + e.taskSeeds.max, e.taskAccuracy + taskAcc);
                }
            }
        }
    }

    void selectivityIsDeterministicAndUsesTestWithoutDev()
    {
        Planted p = makePlanted(Code::Label, 4, 40, 1000, 300);
        ProbeOptions po = quickProbe();
        po.epochs = 3;
        ExperimentData d = dataOf(p, po);
        const std::vector<NamedNeuronSet> sets{{QStringLiteral("a"), {0, 1, 5}},
                                               {QStringLiteral("b"), {}}};
        const SelectivityResult r1 = computeSelectivity(d, sets);
        const SelectivityResult r2 = computeSelectivity(d, sets);
        for (std::size_t s = 0; s < sets.size(); ++s) {
            QCOMPARE(r1.sets[s].taskAccuracy, r2.sets[s].taskAccuracy);
            QCOMPARE(r1.sets[s].controlAccuracy, r2.sets[s].controlAccuracy);
        }
        // Without dev, Auto falls back to test.
        d.test = d.dev;
        d.dev = nullptr;
        const SelectivityResult r3 = computeSelectivity(d, {sets[0]});
        QCOMPARE(r3.split, QStringLiteral("test"));
        QCOMPARE(r3.sets[0].taskAccuracy, r1.sets[0].taskAccuracy); // same rows, same probe
        SelectivityOptions dev;
        dev.split = SelectivitySplit::Dev;
        QVERIFY_THROWS_EXCEPTION(Error, computeSelectivity(d, {sets[0]}, dev));
        SelectivityOptions train;
        train.split = SelectivitySplit::Train;
        QCOMPARE(computeSelectivity(d, {sets[0]}, train).split, QStringLiteral("train"));
    }

    void selectivityValidatesAndCancels()
    {
        const Planted p = makePlanted(Code::Label, 5, 40, 500, 100);
        ProbeOptions po = quickProbe();
        po.epochs = 2;
        const ExperimentData d = dataOf(p, po);
        QVERIFY_THROWS_EXCEPTION(Error, computeSelectivity(d, {}));
        QVERIFY_THROWS_EXCEPTION(Error, computeSelectivity(d, {{QStringLiteral("x"), {64}}}));
        QVERIFY_THROWS_EXCEPTION(Error, computeSelectivity(d, {{QStringLiteral("x"), {1, 1}}}));
        ExperimentData noDev = d;
        noDev.dev = nullptr;
        QVERIFY_THROWS_EXCEPTION(Error, computeSelectivity(noDev, {{QStringLiteral("all"), {}}}));

        int calls = 0;
        const ExperimentProgress cancel = [&calls](double, const QString &) {
            ++calls;
            return false;
        };
        SelectivityOptions one;
        one.threads = 1;
        const SelectivityResult r = computeSelectivity(
            d, {{QStringLiteral("a"), {}}, {QStringLiteral("b"), {0}}, {QStringLiteral("c"), {1}}},
            one, cancel);
        QCOMPARE(r.status, Status::Cancelled);
        QCOMPARE(calls, 1); // latched after the first finished probe

        double last = 0;
        const ExperimentProgress record = [&last](double f, const QString &) {
            last = f;
            return true;
        };
        QCOMPARE(computeSelectivity(d, {{QStringLiteral("a"), {}}}, {}, record).status, Status::Ok);
        QCOMPARE(last, 1.0);
    }

    // Seeds: repetition s = control seed + s and probe seed + s; repetition 0 is the seeds-1 run.
    void seedsRepeatControlTasksOnDemo()
    {
        DemoOptions dopt;
        dopt.trainSentences = 200;
        dopt.devSentences = 60;
        dopt.testSentences = 40;
        const DemoDataset demo = makeDemoDataset(dopt);
        const LoadedTask task = loadDemoTask(demo, QStringLiteral("pos"), DatasetOptions{});
        ExperimentData d{&*task.train, &*task.dev, &*task.test, task.vocab.names, {}};
        d.probe.epochs = 4;
        d.probe.learningRate = 1e-2;
        d.probe.seed = 5;
        const int dims = task.train->dims;
        NeuronList layer4(static_cast<std::size_t>(dims), 0);
        std::iota(layer4.begin(), layer4.end(), 4 * dims); // the demo's POS layer
        const std::vector<NamedNeuronSet> sets{{QStringLiteral("all"), {}},
                                               {QStringLiteral("layer 4"), layer4}};
        SelectivityOptions one;
        one.control.seed = 11;
        SelectivityOptions three = one;
        three.seeds = 3;
        const SelectivityResult r3 = computeSelectivity(d, sets, three);
        const SelectivityResult r1 = computeSelectivity(d, sets, one);
        QCOMPARE(r3.status, Status::Ok);
        QCOMPARE(r3.seeds, 3);
        QCOMPARE(r1.seeds, 1);
        QCOMPARE(r3.seed, quint64(11));
        QCOMPARE(r3.probeSeed, quint64(5));

        // Repetitions 1 and 2 as seeds-1 runs with control seed + s and probe seed + s.
        std::vector<SelectivityResult> reps{r1};
        for (quint64 s = 1; s < 3; ++s) {
            ExperimentData ds = d;
            ds.probe.seed = d.probe.seed + s;
            SelectivityOptions os = one;
            os.control.seed = one.control.seed + s;
            reps.push_back(computeSelectivity(ds, sets, os));
        }
        for (std::size_t k = 0; k < sets.size(); ++k) {
            const SelectivityEntry &e3 = r3.sets[k], &e1 = r1.sets[k];
            // Repetition 0 = the seeds-1 run, exactly.
            QCOMPARE(e3.taskAccuracy, e1.taskAccuracy);
            QCOMPARE(e3.controlAccuracy, e1.controlAccuracy);
            QCOMPARE(e3.selectivity, e1.selectivity);
            QCOMPARE(e3.taskMacroF1, e1.taskMacroF1);
            QCOMPARE(e3.controlMacroF1, e1.controlMacroF1);
            QVERIFY(e3.taskMacroF1 > 0 && e3.taskMacroF1 <= 1);
            // The summaries are over exactly these three repetitions.
            std::vector<double> taskAcc, control, sel;
            for (const SelectivityResult &r : reps) {
                taskAcc.push_back(r.sets[k].taskAccuracy);
                control.push_back(r.sets[k].controlAccuracy);
                sel.push_back(r.sets[k].selectivity);
            }
            for (const auto &[got, values] :
                 {std::pair{&e3.taskSeeds, &taskAcc}, std::pair{&e3.controlSeeds, &control},
                  std::pair{&e3.selectivitySeeds, &sel}}) {
                const SeedSummary want = summarizeSeeds(*values);
                QCOMPARE(got->n, 3);
                QCOMPARE(got->mean, want.mean);
                QCOMPARE(got->sd, want.sd);
                QCOMPARE(got->median, want.median);
                QCOMPARE(got->min, want.min);
                QCOMPARE(got->max, want.max);
                QVERIFY(std::isfinite(got->sd));
            }
            // One seed: no spread.
            QCOMPARE(e1.selectivitySeeds.n, 1);
            QVERIFY(std::isnan(e1.selectivitySeeds.sd));
            QCOMPARE(e1.selectivitySeeds.mean, e1.selectivity);
            qInfo("%s: selectivity %s over 3 control tasks (task %s, control %s)",
                  qPrintable(e3.name), qPrintable(e3.selectivitySeeds.text()),
                  qPrintable(e3.taskSeeds.text()), qPrintable(e3.controlSeeds.text()));
        }
        // The planted POS information is selective in every repetition.
        QVERIFY2(r3.sets[0].selectivitySeeds.min > 0,
                 qPrintable(QString::number(r3.sets[0].selectivitySeeds.min)));
        QVERIFY2(r3.sets[1].selectivitySeeds.min > 0,
                 qPrintable(QString::number(r3.sets[1].selectivitySeeds.min)));

        // Three different control tasks (different control labels).
        std::vector<ControlTask> tasks;
        for (quint64 s = 0; s < 3; ++s) {
            ControlTaskOptions co = one.control;
            co.seed += s;
            tasks.push_back(makeControlTask(*d.train, d.dev, d.test, co));
        }
        QVERIFY(tasks[0].train != tasks[1].train);
        QVERIFY(tasks[0].train != tasks[2].train);
        QVERIFY(tasks[1].train != tasks[2].train);
        // ...and their own majority baselines summarised over the three.
        QCOMPARE(r3.controlBaselineSeeds.n, 3);
        QCOMPARE(r3.controlBaseline.accuracy, r1.controlBaseline.accuracy);
        QCOMPARE(r3.controlBaselineSeeds.mean,
                 summarizeSeeds({reps[0].controlBaseline.accuracy, reps[1].controlBaseline.accuracy,
                                 reps[2].controlBaseline.accuracy})
                     .mean);
        // The real task's baselines are the shared majorityBaseline's.
        QCOMPARE(r3.splitBaseline.accuracy, majorityBaseline(d, d.dev).accuracy);
        QCOMPARE(r3.testBaseline.macroF1, majorityBaseline(d, d.test).macroF1);
        QVERIFY(r3.sets[0].taskSeeds.mean > r3.splitBaseline.accuracy);

        SelectivityOptions bad = one;
        bad.seeds = 0;
        QVERIFY_THROWS_EXCEPTION(Error, computeSelectivity(d, sets, bad));
        bad.seeds = 1001;
        QVERIFY_THROWS_EXCEPTION(Error, computeSelectivity(d, sets, bad));
    }

    // The majority baselines, checked by hand on a tiny dataset.
    void baselinesByHand()
    {
        // train: A A A B B C A B (majority A, 4 of 8); dev: A B B C A; test: C C A.
        const std::vector<QString> trainTokens{word(0), word(1), word(2), word(3),
                                               word(4), word(5), word(0), word(3)};
        VectorI ytrain(8), ydev(5), ytest(3);
        ytrain << 0, 0, 0, 1, 1, 2, 0, 1;
        ydev << 0, 1, 1, 2, 0;
        ytest << 2, 2, 0;
        Rng rng(3);
        const auto noise = [&rng](int rows) {
            RowMatrixF X(rows, 2);
            for (Index i = 0; i < X.size(); ++i)
                X.data()[i] = float(rng.normal());
            return X;
        };
        const Dataset train = makeSplit(QStringLiteral("train"), noise(8), ytrain, trainTokens);
        const Dataset dev = makeSplit(QStringLiteral("dev"), noise(5), ydev,
                                      {word(0), word(1), word(6), word(3), word(7)});
        const Dataset test =
            makeSplit(QStringLiteral("test"), noise(3), ytest, {word(5), word(8), word(2)});
        ExperimentData d{&train,
                         &dev,
                         &test,
                         {QStringLiteral("A"), QStringLiteral("B"), QStringLiteral("C")},
                         {}};
        d.probe.epochs = 2;
        SelectivityOptions so;
        so.control.seed = 4;
        const SelectivityResult r = computeSelectivity(d, {{QStringLiteral("all"), {}}}, so);
        QCOMPARE(r.status, Status::Ok);
        QCOMPARE(r.split, QStringLiteral("dev"));
        QCOMPARE(r.splitBaseline.label, QStringLiteral("A"));
        QCOMPARE(r.splitBaseline.accuracy, 0.4); // 2 of 5
        // macro-F1 over A, B, C: F1(A) = 2·0.4·1/1.4 = 4/7, F1(B) = F1(C) = 0.
        QVERIFY(std::abs(r.splitBaseline.macroF1 - (4.0 / 7.0) / 3.0) < 1e-6);
        QCOMPARE(r.splitBaseline.tokens, Index(5));
        QVERIFY(std::abs(r.testBaseline.accuracy - 1.0 / 3.0) < 1e-12);
        // macro-F1 over A, C: F1(A) = 2·(1/3)·1/(4/3) = 0.5, F1(C) = 0.
        QVERIFY(std::abs(r.testBaseline.macroF1 - 0.25) < 1e-6);

        // The control task's own baseline: its train-majority control label on the dev controls.
        const ControlTask ct = makeControlTask(train, &dev, &test, so.control);
        std::vector<int> counts(std::size_t(ct.classes), 0);
        for (Index i = 0; i < ct.train.size(); ++i)
            ++counts[std::size_t(ct.train[i])];
        const int majority = int(std::max_element(counts.begin(), counts.end()) - counts.begin());
        int hits = 0;
        for (Index i = 0; i < ct.dev.size(); ++i)
            hits += ct.dev[i] == majority;
        QCOMPARE(r.controlBaseline.label, ct.labels[majority]);
        QCOMPARE(r.controlBaseline.accuracy, double(hits) / 5.0);
        QCOMPARE(r.controlBaselineSeeds.n, 1);
        QCOMPARE(r.controlBaselineSeeds.mean, r.controlBaseline.accuracy);
    }

    void ptbPosFullProbeIsSelective()
    {
        SALIENT_REQUIRE_SHARED(trainActs, "data/stories260K.ptb.train.hdf5");
        const QString d = salient::test::sharedDir() + QStringLiteral("/data/");
        TaskInputs in;
        in.train = {trainActs, d + QStringLiteral("ptb_pos.train.words.txt"),
                    d + QStringLiteral("ptb_pos.train.labels.txt")};
        in.dev = {d + QStringLiteral("stories260K.ptb.dev.hdf5"),
                  d + QStringLiteral("ptb_pos.dev.words.txt"),
                  d + QStringLiteral("ptb_pos.dev.labels.txt")};
        const LoadedTask task = loadTask(in);
        ExperimentData data;
        data.train = &*task.train;
        data.dev = &*task.dev;
        data.labels = task.vocab.names;
        data.probe.epochs = 5;
        data.probe.batchSize = 128;
        data.probe.seed = 1;
        SelectivityOptions so;
        so.control.seed = 1;
        const SelectivityResult r = computeSelectivity(data, {{QStringLiteral("all"), {}}}, so);
        QCOMPARE(r.status, Status::Ok);
        QCOMPARE(r.split, QStringLiteral("dev"));
        const SelectivityEntry &e = r.sets[0];
        qInfo("ptb_pos (stories260K, 384 neurons, 5 epochs, batch 128): task %.4f control %.4f "
              "selectivity %.4f; %d control classes, %lld types",
              e.taskAccuracy, e.controlAccuracy, e.selectivity, r.controlClasses,
              static_cast<long long>(r.controlTypes));
        QCOMPARE(r.controlClasses, 43);
        QVERIFY2(e.selectivity > 0, qPrintable(QString::number(e.selectivity)));
    }

    // ---- Overlap ---------------------------------------------------------------------------

    void overlapOfTwoSets()
    {
        // A = 0..19, B = 10..39 (+ duplicates): |A∩B| = 10, |A∪B| = 40.
        NeuronList a, b;
        for (int i = 0; i < 20; ++i)
            a.push_back(19 - i);
        for (int i = 10; i < 40; ++i)
            b.push_back(i);
        b.push_back(15);
        const SetOverlap o = neuronOverlap(a, b);
        QCOMPARE(o.sizeA, Index(20));
        QCOMPARE(o.sizeB, Index(30));
        QCOMPARE(o.intersection, Index(10));
        QCOMPARE(o.unionSize, Index(40));
        QCOMPARE(o.jaccard, 0.25);
        QCOMPARE(o.overlapCoefficient, 0.5);
        NeuronList shared;
        for (int i = 10; i < 20; ++i)
            shared.push_back(i);
        QCOMPARE(o.shared, shared);
        const SetOverlap none = neuronOverlap({}, {});
        QVERIFY(std::isnan(none.jaccard));
        QCOMPARE(neuronOverlap({1, 2}, {3}).jaccard, 0.0);
    }

    void topKOverlapOfOrderings()
    {
        const NeuronList a{5, 3, 9, 1, 7, 2};
        const NeuronList b{3, 5, 2, 8, 1, 0};
        const std::vector<TopKOverlap> t = topKOverlap(a, b, {1, 2, 3, 5, 10});
        QCOMPARE(int(t.size()), 5);
        QCOMPARE(t[0].intersection, Index(0)); // {5} vs {3}
        QCOMPARE(t[1].intersection, Index(2)); // {5,3} vs {3,5}
        QCOMPARE(t[1].fraction, 1.0);
        QCOMPARE(t[2].intersection, Index(2)); // {5,3,9} vs {3,5,2}
        QCOMPARE(t[2].jaccard, 0.5);
        QCOMPARE(t[3].intersection, Index(3)); // {5,3,9,1,7} vs {3,5,2,8,1}
        QCOMPARE(t[4].kA, 6);                  // clipped
        QCOMPARE(t[4].intersection, Index(4));
        QCOMPARE(t[4].fraction, 4.0 / 6.0);
        QVERIFY_THROWS_EXCEPTION(Error, topKOverlap(a, b, {0}));
        QVERIFY_THROWS_EXCEPTION(Error, topKOverlap({1, 1}, b, {1}));
    }

    void overlapMatrixIsSymmetric()
    {
        const std::vector<NamedNeuronSet> sets{{QStringLiteral("pos"), {0, 1, 2, 3}},
                                               {QStringLiteral("sem"), {2, 3, 4, 5, 6, 7}},
                                               {QStringLiteral("chunk"), {7, 8}}};
        const OverlapMatrix m = overlapMatrix(sets);
        QCOMPARE(m.names, QStringList({QStringLiteral("pos"), QStringLiteral("sem"),
                                       QStringLiteral("chunk")}));
        QVERIFY(m.intersection.isApprox(m.intersection.transpose()));
        QVERIFY(m.jaccard.isApprox(m.jaccard.transpose()));
        QVERIFY(m.overlapCoefficient.isApprox(m.overlapCoefficient.transpose()));
        QCOMPARE(m.intersection(0, 0), 4.0);
        QCOMPARE(m.intersection(0, 1), 2.0);
        QCOMPARE(m.jaccard(0, 1), 2.0 / 8.0);
        QCOMPARE(m.jaccard(0, 2), 0.0);
        QCOMPARE(m.overlapCoefficient(1, 2), 0.5);
        QCOMPARE(m.jaccard(2, 2), 1.0);
    }
};

QTEST_GUILESS_MAIN(TestSelectivity)
#include "tst_selectivity.moc"
