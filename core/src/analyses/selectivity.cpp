#include "salient/analyses/selectivity.h"
#include "salient/analyses/farm.h"

#include "farm_p.h"

#include "util/random_p.h"

#include "salient/probe/metrics.h"
#include "salient/util/error.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <unordered_map>

namespace salient {

namespace {

/// Uniform double in [0, 1) from the top 53 bits of one engine output.
double unitDraw(std::mt19937_64 &rng)
{
    return double(rng() >> 11) * 0x1.0p-53;
}

/// Inverse CDF: the first class whose cumulative probability exceeds @p u (last class when
/// rounding leaves the total just below 1).
int drawClass(const std::vector<double> &cdf, double u)
{
    const auto it = std::upper_bound(cdf.begin(), cdf.end(), u);
    return it == cdf.end() ? int(cdf.size()) - 1 : int(it - cdf.begin());
}

void checkTokens(const Dataset &ds, const char *role)
{
    if (Index(ds.rowToken.size()) != ds.rows())
        throw Error(QStringLiteral("control task: the %1 split (%2) has %3 tokens for %4 rows; "
                                   "word types are needed for every row")
                        .arg(QString::fromLatin1(role), ds.name)
                        .arg(ds.rowToken.size())
                        .arg(ds.rows()));
}

void checkColumns(const NamedNeuronSet &set, int neurons)
{
    std::vector<char> seen(std::size_t(neurons), 0);
    for (int c : set.columns) {
        if (c < 0 || c >= neurons)
            throw Error(QStringLiteral("selectivity: neuron set \"%1\" has column %2; the data has "
                                       "columns 0..%3")
                            .arg(set.name)
                            .arg(c)
                            .arg(neurons - 1));
        if (seen[std::size_t(c)])
            throw Error(QStringLiteral("selectivity: neuron set \"%1\" lists column %2 twice")
                            .arg(set.name)
                            .arg(c));
        seen[std::size_t(c)] = 1;
    }
}

/// Sorted distinct copy.
NeuronList distinct(const NeuronList &v)
{
    NeuronList s = v;
    std::sort(s.begin(), s.end());
    s.erase(std::unique(s.begin(), s.end()), s.end());
    return s;
}

double ratio(Index num, Index den)
{
    return den > 0 ? double(num) / double(den) : std::numeric_limits<double>::quiet_NaN();
}

} // namespace

ControlTask makeControlTask(const Dataset &train, const Dataset *dev, const Dataset *test,
                            const ControlTaskOptions &options)
{
    if (train.rows() == 0)
        throw Error(QStringLiteral("control task: the train split has no rows"));
    if (train.y.size() != train.rows())
        throw Error(QStringLiteral("control task: the train split has %1 labels for %2 rows "
                                   "(control tasks need a classification task)")
                        .arg(train.y.size())
                        .arg(train.rows()));
    checkTokens(train, "train");
    if (dev)
        checkTokens(*dev, "dev");
    if (test)
        checkTokens(*test, "test");

    // Train label frequencies in first-appearance order (NeuroX builds p from a Counter).
    std::vector<int> order;
    std::unordered_map<int, Index> counts;
    for (Index i = 0; i < train.rows(); ++i) {
        const int label = train.y[i];
        if (label < 0)
            throw Error(QStringLiteral("control task: train row %1 has the invalid class %2")
                            .arg(i)
                            .arg(label));
        if (counts[label]++ == 0)
            order.push_back(label);
    }
    const int K = int(order.size());
    if (K < 2)
        throw Error(QStringLiteral("control task: the train split has %1 distinct label(s); at "
                                   "least 2 are needed")
                        .arg(K));

    ControlTask ct;
    ct.options = options;
    ct.seed = options.seed;
    ct.classes = K;
    ct.distribution.resize(std::size_t(K));
    ct.sourceLabel.resize(std::size_t(K));
    for (int k = 0; k < K; ++k) {
        const bool uniform = options.sampleFrom == ControlSampling::Uniform;
        ct.distribution[std::size_t(k)] =
            uniform ? 1.0 / double(K)
                    : double(counts[order[std::size_t(k)]]) / double(train.rows());
        ct.sourceLabel[std::size_t(k)] = uniform ? -1 : order[std::size_t(k)];
        ct.labels.push_back(QStringLiteral("c%1").arg(k));
    }
    std::vector<double> cdf(static_cast<std::size_t>(K));
    double acc = 0;
    for (int k = 0; k < K; ++k) {
        acc += ct.distribution[std::size_t(k)];
        cdf[std::size_t(k)] = acc;
    }

    std::mt19937_64 rng(detail::mixSeed(options.seed));
    std::unordered_map<QString, int> typeLabel;
    const auto assign = [&](const Dataset &ds, VectorI &out) {
        out.resize(ds.rows());
        for (Index i = 0; i < ds.rows(); ++i) {
            const QString &tok = ds.rowToken[std::size_t(i)];
            const QString type = options.caseSensitive ? tok : tok.toLower();
            auto it = typeLabel.find(type);
            if (it == typeLabel.end())
                it = typeLabel.emplace(type, drawClass(cdf, unitDraw(rng))).first;
            out[i] = it->second;
        }
    };
    assign(train, ct.train);
    if (dev)
        assign(*dev, ct.dev);
    if (test)
        assign(*test, ct.test);
    ct.types = Index(typeLabel.size());
    return ct;
}

SelectivityResult computeSelectivity(const ExperimentData &data,
                                     const std::vector<NamedNeuronSet> &sets,
                                     const SelectivityOptions &options,
                                     const ExperimentProgress &progress)
{
    data.validate();
    if (data.probe.regression)
        throw Error(QStringLiteral("selectivity: control tasks need a classification task, not "
                                   "regression"));
    const ControlTask control = makeControlTask(*data.train, data.dev, data.test, options.control);
    return computeSelectivity(data, sets, control, options, progress);
}

SelectivityResult computeSelectivity(const ExperimentData &data,
                                     const std::vector<NamedNeuronSet> &sets,
                                     const ControlTask &control, const SelectivityOptions &options,
                                     const ExperimentProgress &progress)
{
    // ---- Validate everything before any work.
    data.validate();
    if (data.probe.regression)
        throw Error(QStringLiteral("selectivity: control tasks need a classification task, not "
                                   "regression"));
    if (sets.empty())
        throw Error(QStringLiteral("selectivity: no neuron sets given"));
    if (options.threads < 0)
        throw Error(QStringLiteral("selectivity: threads must be >= 0 (0 = all cores), got %1")
                        .arg(options.threads));
    if (options.seeds < 1 || options.seeds > 1000)
        throw Error(
            QStringLiteral("selectivity: seeds must be in 1..1000, got %1").arg(options.seeds));
    const int neurons = data.train->neurons();
    for (const NamedNeuronSet &s : sets)
        checkColumns(s, neurons);

    const Dataset *eval = nullptr;
    const VectorI *evalControl = nullptr;
    QString splitName;
    switch (options.split) {
    case SelectivitySplit::Auto:
        if (data.dev) {
            eval = data.dev;
            evalControl = &control.dev;
            splitName = QStringLiteral("dev");
        } else if (data.test) {
            eval = data.test;
            evalControl = &control.test;
            splitName = QStringLiteral("test");
        } else {
            throw Error(QStringLiteral("selectivity needs held-out data: give a dev or test split "
                                       "(or ask for the train split explicitly)"));
        }
        break;
    case SelectivitySplit::Dev:
        if (!data.dev)
            throw Error(QStringLiteral("selectivity: the dev split was requested but is absent"));
        eval = data.dev;
        evalControl = &control.dev;
        splitName = QStringLiteral("dev");
        break;
    case SelectivitySplit::Test:
        if (!data.test)
            throw Error(QStringLiteral("selectivity: the test split was requested but is absent"));
        eval = data.test;
        evalControl = &control.test;
        splitName = QStringLiteral("test");
        break;
    case SelectivitySplit::Train:
        eval = data.train;
        evalControl = &control.train;
        splitName = QStringLiteral("train");
        break;
    }
    if (control.train.size() != data.train->rows() || evalControl->size() != eval->rows())
        throw Error(QStringLiteral("selectivity: the control task does not match the data (%1 "
                                   "control labels for %2 train rows, %3 for %4 %5 rows)")
                        .arg(control.train.size())
                        .arg(data.train->rows())
                        .arg(evalControl->size())
                        .arg(eval->rows())
                        .arg(splitName));
    if (eval->y.size() != eval->rows())
        throw Error(QStringLiteral("selectivity: the %1 split has %2 labels for %3 rows")
                        .arg(splitName)
                        .arg(eval->y.size())
                        .arg(eval->rows()));
    if (control.labels.size() < 2 || control.classes != int(control.labels.size()))
        throw Error(QStringLiteral("selectivity: the control task has %1 classes; 2 or more are "
                                   "needed")
                        .arg(control.labels.size()));

    // ---- Control tasks: repetition 0 is the given one, repetition r draws with seed + r.
    const int N = options.seeds;
    std::vector<ControlTask> extra; // repetitions 1..N−1
    for (int r = 1; r < N; ++r) {
        ControlTaskOptions co = control.options;
        co.seed = control.seed + quint64(r);
        extra.push_back(makeControlTask(*data.train, data.dev, data.test, co));
    }
    const auto controlOf = [&](int r) -> const ControlTask & {
        return r == 0 ? control : extra[std::size_t(r - 1)];
    };
    const auto evalLabels = [&](const ControlTask &c) -> const VectorI & {
        if (eval == data.train)
            return c.train;
        return eval == data.dev ? c.dev : c.test;
    };

    // ---- Probes: job (r·sets + s)·2 = task probe of set s in repetition r, + 1 = its control.
    SelectivityResult result;
    result.split = splitName;
    result.seed = control.seed;
    result.probeSeed = data.probe.seed;
    result.controlClasses = control.classes;
    result.controlTypes = control.types;
    result.seeds = N;
    result.sets.resize(sets.size());

    const int perRep = int(sets.size()) * 2;
    const int jobs = perRep * N;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    std::vector<double> accuracy(std::size_t(jobs), nan), macroF1(std::size_t(jobs), nan);
    std::vector<Status> status(std::size_t(jobs), Status::Ok);
    ProgressRelay relay(progress, jobs);
    const TrainCallback keepGoing = [&relay](const TrainProgress &) { return !relay.cancelled(); };

    // Task and control probes of one neuron set share X, the columns and (same seed) the batch
    // order, so they train in one fused pass (trainProbes, bit-identical to separate trainings).
    // Without shuffling the seed changes only the initialisation: all repetitions of a set fuse.
    // Each fused group is one farmed unit (farm.h): per probe its status, accuracy and macro-F1.
    const bool shuffled = data.probe.shuffle && !data.probe.neuroxCompatible;
    const int repsPerGroup = shuffled ? 1 : N;
    const int groupsPerSet = N / repsPerGroup;
    const int groups = int(sets.size()) * groupsPerSet;
    const auto jobsOfGroup = [&](int group) {
        const int setIndex = group / groupsPerSet;
        const int rep0 = (group % groupsPerSet) * repsPerGroup;
        std::vector<int> jobOf;
        for (int rep = rep0; rep < rep0 + repsPerGroup; ++rep)
            for (int isControl = 0; isControl < 2; ++isControl)
                jobOf.push_back(rep * perRep + setIndex * 2 + isControl);
        return jobOf;
    };
    FarmLoop loop;
    loop.tag = QStringLiteral("selectivity probes");
    loop.n = groups;
    loop.relay = &relay;
    loop.threads = options.threads;
    loop.cost = [&](int group) {
        return double(sets[std::size_t(group / groupsPerSet)].columns.size());
    };
    loop.compute = [&](int group) -> QByteArray {
        const NamedNeuronSet &set = sets[std::size_t(group / groupsPerSet)];
        const std::vector<int> jobOf = jobsOfGroup(group);
        std::vector<ProbeJob> probeJobs;
        for (const int job : jobOf) {
            const int rep = job / perRep;
            const bool isControl = (job % 2) == 1;
            const ControlTask &ct = controlOf(rep);
            ProbeJob pj;
            pj.options = data.probe;
            pj.options.seed = data.probe.seed + quint64(rep);
            pj.y = isControl ? &ct.train : &data.train->y;
            pj.labels = isControl ? ct.labels : data.labels;
            probeJobs.push_back(pj);
        }
        const std::vector<TrainResult> trained =
            trainProbes(*data.train->features(), data.train->y, data.train->yValue, data.labels,
                        probeJobs, set.columns, {}, keepGoing);
        QByteArray out;
        QDataStream o(&out, QIODevice::WriteOnly);
        for (std::size_t k = 0; k < trained.size(); ++k) {
            const TrainResult &r = trained[k];
            o << qint32(r.status);
            if (r.status != Status::Ok)
                continue;
            const int rep = jobOf[k] / perRep;
            const bool isControl = (jobOf[k] % 2) == 1;
            const VectorI &yEval = isControl ? evalLabels(controlOf(rep)) : eval->y;
            const Evaluation e = evaluateProbe(r.probe, *eval->features(), yEval, eval->yValue);
            farmio::putDouble(o, e.accuracy);
            farmio::putDouble(o, e.macroF1);
        }
        return out;
    };
    loop.store = [&](int group, const QByteArray &bytes) {
        const NamedNeuronSet &set = sets[std::size_t(group / groupsPerSet)];
        const std::vector<int> jobOf = jobsOfGroup(group);
        if (bytes.isEmpty()) {
            for (const int job : jobOf)
                status[std::size_t(job)] = Status::Cancelled;
            return;
        }
        QDataStream in(bytes);
        for (const int job : jobOf) {
            qint32 st = 0;
            in >> st;
            status[std::size_t(job)] = Status(st);
            if (status[std::size_t(job)] != Status::Ok)
                continue;
            accuracy[std::size_t(job)] = farmio::getDouble(in);
            macroF1[std::size_t(job)] = farmio::getDouble(in);
            const int rep = job / perRep;
            const bool isControl = (job % 2) == 1;
            const QString stage =
                QStringLiteral("%1: %2 probe")
                    .arg(set.name, isControl ? QStringLiteral("control") : QStringLiteral("task"));
            relay.step(N > 1 ? QStringLiteral("%1 (seed %2)").arg(stage).arg(rep) : stage);
        }
    };
    farmFor(loop);

    const bool incomplete =
        relay.cancelled()
        || std::any_of(status.begin(), status.end(), [](Status s) { return s != Status::Ok; })
        || std::any_of(accuracy.begin(), accuracy.end(), [](double a) { return std::isnan(a); });
    if (incomplete) {
        result.status = Status::Cancelled;
        return result;
    }
    for (std::size_t s = 0; s < sets.size(); ++s) {
        SelectivityEntry &e = result.sets[s];
        e.name = sets[s].name;
        e.neurons = sets[s].columns.empty() ? neurons : int(sets[s].columns.size());
        e.taskAccuracy = accuracy[2 * s];
        e.controlAccuracy = accuracy[2 * s + 1];
        e.selectivity = e.taskAccuracy - e.controlAccuracy;
        e.taskMacroF1 = macroF1[2 * s];
        e.controlMacroF1 = macroF1[2 * s + 1];
        std::vector<double> task, ctrl, sel;
        for (int r = 0; r < N; ++r) {
            const std::size_t j = std::size_t(r) * std::size_t(perRep) + 2 * s;
            task.push_back(accuracy[j]);
            ctrl.push_back(accuracy[j + 1]);
            sel.push_back(accuracy[j] - accuracy[j + 1]);
        }
        e.taskSeeds = summarizeSeeds(task);
        e.controlSeeds = summarizeSeeds(ctrl);
        e.selectivitySeeds = summarizeSeeds(sel);
    }

    // ---- Baselines: the real task's (train majority) and each control task's own.
    result.splitBaseline = majorityBaseline(data, eval);
    result.testBaseline = majorityBaseline(data, data.test);
    std::vector<double> controlMajority;
    for (int r = 0; r < N; ++r) {
        const ControlTask &ct = controlOf(r);
        Dataset controlTrain, controlEval; // labels only: majorityBaseline reads y
        controlTrain.y = ct.train;
        controlEval.y = evalLabels(ct);
        ExperimentData controlData;
        controlData.train = &controlTrain;
        controlData.labels = ct.labels;
        controlData.probe = data.probe;
        const MajorityBaseline b = majorityBaseline(controlData, &controlEval);
        if (r == 0)
            result.controlBaseline = b;
        controlMajority.push_back(b.accuracy);
    }
    result.controlBaselineSeeds = summarizeSeeds(controlMajority);
    return result;
}

// ---- Overlap -----------------------------------------------------------------------------------

SetOverlap neuronOverlap(const NeuronList &a, const NeuronList &b)
{
    const NeuronList sa = distinct(a);
    const NeuronList sb = distinct(b);
    SetOverlap o;
    o.sizeA = Index(sa.size());
    o.sizeB = Index(sb.size());
    std::set_intersection(sa.begin(), sa.end(), sb.begin(), sb.end(), std::back_inserter(o.shared));
    o.intersection = Index(o.shared.size());
    o.unionSize = o.sizeA + o.sizeB - o.intersection;
    o.jaccard = ratio(o.intersection, o.unionSize);
    o.overlapCoefficient = ratio(o.intersection, std::min(o.sizeA, o.sizeB));
    return o;
}

std::vector<TopKOverlap> topKOverlap(const NeuronList &orderA, const NeuronList &orderB,
                                     const std::vector<int> &ks)
{
    for (const NeuronList *o : {&orderA, &orderB}) {
        if (distinct(*o).size() != o->size())
            throw Error(QStringLiteral("top-k overlap: ordering %1 lists a neuron more than once")
                            .arg(o == &orderA ? QStringLiteral("A") : QStringLiteral("B")));
    }
    for (int k : ks)
        if (k < 1)
            throw Error(QStringLiteral("top-k overlap: k must be >= 1, got %1").arg(k));

    std::vector<TopKOverlap> out;
    out.reserve(ks.size());
    for (int k : ks) {
        TopKOverlap t;
        t.k = k;
        t.kA = std::min(k, int(orderA.size()));
        t.kB = std::min(k, int(orderB.size()));
        const NeuronList pa(orderA.begin(), orderA.begin() + t.kA);
        const NeuronList pb(orderB.begin(), orderB.begin() + t.kB);
        const SetOverlap o = neuronOverlap(pa, pb);
        t.intersection = o.intersection;
        t.fraction = o.overlapCoefficient;
        t.jaccard = o.jaccard;
        out.push_back(t);
    }
    return out;
}

OverlapMatrix overlapMatrix(const std::vector<NamedNeuronSet> &sets)
{
    const Index n = Index(sets.size());
    OverlapMatrix m;
    m.intersection.resize(n, n);
    m.jaccard.resize(n, n);
    m.overlapCoefficient.resize(n, n);
    for (Index i = 0; i < n; ++i) {
        m.names.push_back(sets[std::size_t(i)].name);
        for (Index j = i; j < n; ++j) {
            const SetOverlap o =
                neuronOverlap(sets[std::size_t(i)].columns, sets[std::size_t(j)].columns);
            m.intersection(i, j) = m.intersection(j, i) = double(o.intersection);
            m.jaccard(i, j) = m.jaccard(j, i) = o.jaccard;
            m.overlapCoefficient(i, j) = m.overlapCoefficient(j, i) = o.overlapCoefficient;
        }
    }
    return m;
}

} // namespace salient
