// Reading result files back into typed results (resultsjson.h). The writing side is
// resultsjson.cpp; both follow the keys documented in docs/cli.md. Slightly over 600 lines on
// purpose: one reader per report type, kept together so every key is read in one place.
#include "salient/session/resultsjson.h"

#include "salient/session/session.h"
#include "salient/util/error.h"

#include <QJsonArray>
#include <cmath>

namespace salient {

namespace {

QStringList rowNames(const ProbeReport &r)
{
    return r.options.regression ? QStringList{QStringLiteral("value")} : r.labels;
}

// ------------------------------------------------------------------------------------------------
// Reading: every accessor names the analysis and the key when it is missing or malformed.

class Reader {
public:
    Reader(const QJsonObject &o, QString where) : m_o(o), m_where(std::move(where)) {}

    [[noreturn]] void fail(const QString &key, const QString &expected) const
    {
        throw Error(
            QStringLiteral("%1: key '%2' is missing or not %3").arg(m_where, key, expected));
    }
    QJsonValue value(const QString &key) const { return m_o.value(key); }
    bool has(const QString &key) const { return m_o.contains(key); }
    /// A number; null → NaN.
    double number(const QString &key) const
    {
        const QJsonValue v = m_o.value(key);
        if (v.isNull())
            return kNotAvailable;
        if (!v.isDouble())
            fail(key, QStringLiteral("a number"));
        return v.toDouble();
    }
    int integer(const QString &key) const
    {
        const QJsonValue v = m_o.value(key);
        if (!v.isDouble() || v.toDouble() != std::floor(v.toDouble()))
            fail(key, QStringLiteral("an integer"));
        return v.toInt();
    }
    bool boolean(const QString &key) const
    {
        const QJsonValue v = m_o.value(key);
        if (!v.isBool())
            fail(key, QStringLiteral("true or false"));
        return v.toBool();
    }
    QString string(const QString &key) const
    {
        const QJsonValue v = m_o.value(key);
        if (!v.isString())
            fail(key, QStringLiteral("a string"));
        return v.toString();
    }
    quint64 seed(const QString &key) const
    {
        bool ok = false;
        const quint64 s = string(key).toULongLong(&ok);
        if (!ok)
            fail(key, QStringLiteral("an unsigned integer as text"));
        return s;
    }
    QJsonArray array(const QString &key) const
    {
        const QJsonValue v = m_o.value(key);
        if (!v.isArray())
            fail(key, QStringLiteral("a list"));
        return v.toArray();
    }
    Reader object(const QString &key) const
    {
        const QJsonValue v = m_o.value(key);
        if (!v.isObject())
            fail(key, QStringLiteral("an object"));
        return Reader(v.toObject(), m_where + QLatin1Char('.') + key);
    }
    Reader element(const QString &key, qsizetype i) const
    {
        const QJsonValue v = array(key).at(i);
        if (!v.isObject())
            fail(QStringLiteral("%1[%2]").arg(key).arg(i), QStringLiteral("an object"));
        return Reader(v.toObject(), QStringLiteral("%1.%2[%3]").arg(m_where, key).arg(i));
    }
    std::vector<double> numbers(const QString &key) const
    {
        std::vector<double> out;
        for (const QJsonValue v : array(key)) {
            if (!v.isDouble() && !v.isNull())
                fail(key, QStringLiteral("a list of numbers"));
            out.push_back(v.isNull() ? kNotAvailable : v.toDouble());
        }
        return out;
    }
    std::vector<int> integers(const QString &key) const
    {
        std::vector<int> out;
        for (const QJsonValue v : array(key)) {
            if (!v.isDouble() || v.toDouble() != std::floor(v.toDouble()))
                fail(key, QStringLiteral("a list of integers"));
            out.push_back(v.toInt());
        }
        return out;
    }
    QStringList strings(const QString &key) const
    {
        QStringList out;
        for (const QJsonValue v : array(key)) {
            if (!v.isString())
                fail(key, QStringLiteral("a list of strings"));
            out << v.toString();
        }
        return out;
    }
    /// Flat indices → columns of @p layout.
    NeuronList columns(const QString &key, const NeuronLayout &layout) const
    {
        NeuronList out;
        for (int flat : integers(key)) {
            const int c = layout.columnOfFlatIndex(flat);
            if (c < 0)
                fail(key,
                     QStringLiteral("a list of loaded neurons (flat index %1 is not)").arg(flat));
            out.push_back(c);
        }
        return out;
    }
    const QJsonObject &json() const { return m_o; }
    const QString &where() const { return m_where; }

private:
    QJsonObject m_o;
    QString m_where;
};

LayerDistribution distributionFrom(const Reader &r, const std::vector<int> &layerIds)
{
    LayerDistribution d;
    d.layerIds = layerIds;
    const Reader counts = r.object(QStringLiteral("counts"));
    for (int id : layerIds)
        d.counts.push_back(counts.integer(QString::number(id)));
    d.meanLayer = r.number(QStringLiteral("mean_layer"));
    d.total = r.integer(QStringLiteral("k"));
    return d;
}

/// The ranker object of a minimal-subset or ablation result: key "ranker". Results written before
/// it was renamed carry the same object as "ranking" (which now only means a neuron list).
Reader rankerObject(const Reader &j)
{
    const QString old = QStringLiteral("ranking");
    if (!j.has(QStringLiteral("ranker")) && j.value(old).isObject())
        return j.object(old);
    return j.object(QStringLiteral("ranker"));
}

RankerInfo rankerFrom(const Reader &r)
{
    RankerInfo info;
    info.ranker = r.string(QStringLiteral("ranker"));
    if (r.has(QStringLiteral("positive_label")))
        info.positiveLabel = r.string(QStringLiteral("positive_label"));
    if (r.has(QStringLiteral("gaussian_k")))
        info.gaussianK = r.integer(QStringLiteral("gaussian_k"));
    if (r.has(QStringLiteral("warnings")))
        info.warnings = r.strings(QStringLiteral("warnings"));
    if (r.has(QStringLiteral("prefilter_threshold"))) {
        info.prefilterThreshold = r.number(QStringLiteral("prefilter_threshold"));
        info.prefilterRepresentatives = r.integer(QStringLiteral("prefilter_representatives"));
    }
    return info;
}

/// [[numbers], ...] under @p key.
std::vector<std::vector<double>> nestedNumbers(const Reader &r, const QString &key)
{
    std::vector<std::vector<double>> out;
    const QJsonArray rows = r.array(key);
    for (qsizetype i = 0; i < rows.size(); ++i) {
        QJsonObject wrap{{QStringLiteral("v"), rows[i]}};
        out.push_back(Reader(wrap, r.where() + QStringLiteral(".%1[%2]").arg(key).arg(i))
                          .numbers(QStringLiteral("v")));
    }
    return out;
}

/// A majority baseline object; absent (files before baselines) → NaN numbers, label "".
MajorityBaseline majorityBaselineFrom(const Reader &j, const QString &key)
{
    MajorityBaseline b;
    b.accuracy = b.macroF1 = kNotAvailable;
    if (!j.has(key))
        return b;
    const Reader o = j.object(key);
    b.label = o.string(QStringLiteral("label"));
    b.accuracy = o.number(QStringLiteral("accuracy"));
    b.macroF1 = o.number(QStringLiteral("macro_f1"));
    b.tokens = Index(o.number(QStringLiteral("tokens")));
    return b;
}

/// "majority_baseline" → "selection" and "test" (absent in older files: every number NaN,
/// label "").
void baselinesFrom(const Reader &j, MajorityBaseline &selection, MajorityBaseline &test)
{
    if (!j.has(QStringLiteral("majority_baseline"))) {
        selection = test = majorityBaselineFrom(j, QStringLiteral("majority_baseline"));
        return;
    }
    const Reader o = j.object(QStringLiteral("majority_baseline"));
    selection = majorityBaselineFrom(o, QStringLiteral("selection"));
    test = majorityBaselineFrom(o, QStringLiteral("test"));
}

AblationCurve curveFrom(const Reader &r, const QString &mode)
{
    AblationCurve c;
    c.mode = mode;
    c.top = r.numbers(QStringLiteral("top"));
    c.randomMean = r.numbers(QStringLiteral("random"));
    c.randomStd = r.numbers(QStringLiteral("random_std"));
    c.bottom = r.numbers(QStringLiteral("bottom"));
    const QJsonArray perSeed = r.array(QStringLiteral("random_per_seed"));
    for (qsizetype i = 0; i < perSeed.size(); ++i) {
        QJsonObject wrap{{QStringLiteral("v"), perSeed[i]}};
        c.random.push_back(Reader(wrap, r.where() + QStringLiteral(".random_per_seed[%1]").arg(i))
                               .numbers(QStringLiteral("v")));
    }
    // Seeds aggregates and macro-F1: absent in older files (left empty).
    const std::pair<const char *, std::vector<double> *> arrays[] = {
        {"top_mean", &c.topMean},        {"top_sd", &c.topSd},
        {"bottom_mean", &c.bottomMean},  {"bottom_sd", &c.bottomSd},
        {"top_macro_f1", &c.topF1},      {"random_macro_f1", &c.randomF1},
        {"bottom_macro_f1", &c.bottomF1}};
    for (const auto &[key, values] : arrays)
        if (r.has(QLatin1String(key)))
            *values = r.numbers(QLatin1String(key));
    if (r.has(QStringLiteral("top_per_seed")))
        c.topPerSeed = nestedNumbers(r, QStringLiteral("top_per_seed"));
    if (r.has(QStringLiteral("bottom_per_seed")))
        c.bottomPerSeed = nestedNumbers(r, QStringLiteral("bottom_per_seed"));
    return c;
}

ProbeOptions probeFrom(const Reader &r, const QString &key = QStringLiteral("probe_options"))
{
    return probeOptionsFromJson(r.object(key).json());
}

/// One repetition of a "probe" run (seedRunJson); scores of the splits in @p splits order.
ProbeSeedRun seedRunFrom(const Reader &r, const std::vector<SplitEvaluation> &splits,
                         const NeuronLayout &layout, bool regression)
{
    ProbeSeedRun run;
    run.seed = r.seed(QStringLiteral("seed"));
    run.standardize = r.boolean(QStringLiteral("standardize"));
    const Reader scores = r.object(QStringLiteral("scores"));
    for (const SplitEvaluation &e : splits) {
        SeedSplitScores sc;
        sc.split = e.split;
        if (scores.has(e.split)) {
            const Reader o = scores.object(e.split);
            if (regression) {
                sc.mse = o.number(QStringLiteral("mse"));
            } else {
                sc.accuracy = o.number(QStringLiteral("accuracy"));
                sc.macroF1 = o.number(QStringLiteral("macro_f1"));
            }
        }
        run.splits.push_back(sc);
    }
    run.top = r.columns(QStringLiteral("top"), layout);
    return run;
}

// ------------------------------------------------------------------------------------------------
// Per report

ProbeReport probeFrom(const Reader &j, const std::map<QString, RowMatrixF> &arrays)
{
    ProbeReport r;
    const Reader opts = j.object(QStringLiteral("options"));
    r.options = probeOptionsFromJson(opts.json());
    r.searchStride = opts.integer(QStringLiteral("search_stride"));
    r.fileLayers = j.integer(QStringLiteral("layers"));
    if (j.has(QStringLiteral("layout"))) {
        r.layout = neuronLayoutFromJson(j.object(QStringLiteral("layout")).json(),
                                        j.where() + QStringLiteral(".layout"));
    } else { // results written before "layout" existed
        r.layout.layerIds = j.integers(QStringLiteral("layers_used"));
        r.layout.dims = j.integer(QStringLiteral("dims"));
    }
    r.labels = j.strings(QStringLiteral("labels"));
    const bool regression = r.options.regression;
    const int N = r.layout.columns();

    auto array = [&](const char *name) -> const RowMatrixF * {
        const auto it = arrays.find(QLatin1String(name));
        return it == arrays.end() ? nullptr : &it->second;
    };
    const RowMatrixF *W = array("probe/W"), *b = array("probe/b");
    if (!W || !b)
        throw Error(QStringLiteral("%1: array '%2' is missing")
                        .arg(j.where(), QLatin1String(W ? "probe/b" : "probe/W")));
    const int classes = regression ? 1 : int(r.labels.size());
    if (W->rows() != classes || W->cols() != N)
        throw Error(QStringLiteral("%1: array 'probe/W' is %2 × %3, expected %4 × %5")
                        .arg(j.where())
                        .arg(W->rows())
                        .arg(W->cols())
                        .arg(classes)
                        .arg(N));
    if (b->rows() != 1 || b->cols() != classes)
        throw Error(QStringLiteral("%1: array 'probe/b' is %2 × %3, expected 1 × %4")
                        .arg(j.where())
                        .arg(b->rows())
                        .arg(b->cols())
                        .arg(classes));
    r.probe.regression = regression;
    r.probe.W = *W;
    r.probe.b = b->row(0).transpose();
    r.probe.labels = r.labels;
    r.probe.columns.resize(size_t(N));
    for (int c = 0; c < N; ++c)
        r.probe.columns[size_t(c)] = c;
    const RowMatrixF *mean = array("probe/mean"), *scale = array("probe/scale");
    if (mean || scale) {
        if (!mean || !scale || mean->rows() != 1 || mean->cols() != N || scale->rows() != 1
            || scale->cols() != N)
            throw Error(
                QStringLiteral("%1: arrays 'probe/mean' and 'probe/scale' must both be 1 × %2")
                    .arg(j.where())
                    .arg(N));
        r.probe.mean = mean->row(0).transpose();
        r.probe.scale = scale->row(0).transpose();
    }

    for (const QString &name :
         {QStringLiteral("train"), QStringLiteral("dev"), QStringLiteral("test")}) {
        if (!j.has(name))
            continue;
        const Reader s = j.object(name);
        SplitEvaluation e;
        e.split = name;
        Evaluation &ev = e.evaluation;
        ev.count = Index(s.number(QStringLiteral("count")));
        if (!regression) {
            ev.accuracy = s.number(QStringLiteral("accuracy"));
            ev.macroF1 = s.number(QStringLiteral("macro_f1"));
            ev.mse = kNotAvailable;
            const Reader pc = s.object(QStringLiteral("per_class"));
            const Reader counts = s.object(QStringLiteral("per_class_count"));
            for (const QString &l : r.labels) {
                ev.perClass.push_back(pc.number(l));
                ev.perClassCount.push_back(Index(counts.number(l)));
            }
        } else {
            ev.accuracy = kNotAvailable;
            ev.macroF1 = kNotAvailable;
            ev.mse = s.number(QStringLiteral("mse"));
        }
        const Reader scores = s.object(QStringLiteral("scores"));
        for (auto it = scores.json().begin(); it != scores.json().end(); ++it)
            ev.scores[it.key()] = scores.number(it.key());
        e.tokens = Index(s.number(QStringLiteral("tokens")));
        e.sentences = Index(s.number(QStringLiteral("sentences")));
        e.mismatchedLines = s.integer(QStringLiteral("mismatched_lines"));
        e.warnings = s.strings(QStringLiteral("warnings"));
        if (s.has(QStringLiteral("words_file"))) { // absent in older results
            e.wordsFile = s.string(QStringLiteral("words_file"));
            e.labelsFile = s.string(QStringLiteral("labels_file"));
            e.activationsFile = s.string(QStringLiteral("activations_file"));
        }
        if (s.has(QStringLiteral("mismatches"))) { // absent in older results
            const QJsonArray dropped = s.array(QStringLiteral("mismatches"));
            for (qsizetype k = 0; k < dropped.size(); ++k) {
                const Reader d = s.element(QStringLiteral("mismatches"), k);
                e.droppedLines.push_back(
                    {Index(d.integer(QStringLiteral("line"))), d.string(QStringLiteral("reason"))});
            }
        }
        if (s.has(QStringLiteral("majority_accuracy"))) { // absent in older results
            e.majorityAccuracy = s.number(QStringLiteral("majority_accuracy"));
            e.majorityLabel = s.string(QStringLiteral("majority_label"));
        }
        r.splits.push_back(std::move(e));
    }

    if (j.has(QStringLiteral("data"))) { // absent in older results
        const Reader data = j.object(QStringLiteral("data"));
        r.data.layerScale = data.numbers(QStringLiteral("layer_scale"));
        r.data.warnings = data.strings(QStringLiteral("warnings"));
    }
    r.ordering = j.columns(QStringLiteral("ranking"), r.layout);
    {
        // Results written before the ranking was complete: append the unranked columns.
        std::vector<char> seen(size_t(N), 0);
        for (int c : r.ordering) {
            if (seen[size_t(c)])
                j.fail(QStringLiteral("ranking"), QStringLiteral("a list without repeats"));
            seen[size_t(c)] = 1;
        }
        for (int c = 0; c < N; ++c)
            if (!seen[size_t(c)])
                r.ordering.push_back(c);
    }
    r.cutoffs = j.integers(QStringLiteral("ranking_cutoffs"));
    const Reader perLabel = j.object(QStringLiteral("ranking_per_label"));
    for (const QString &name : rowNames(r))
        r.perLabel.push_back(perLabel.columns(name, r.layout));
    const Reader where = j.object(QStringLiteral("layer_distribution"));
    r.layers = distributionFrom(where, r.layout.layerIds);
    // Older results have neither key: the 5 % default and the distribution's k.
    r.topFraction =
        j.has(QStringLiteral("top_fraction")) ? j.number(QStringLiteral("top_fraction")) : 0.05;
    r.topK = j.has(QStringLiteral("top_k")) ? j.integer(QStringLiteral("top_k")) : r.layers.total;
    if (!regression) {
        const Reader per = where.object(QStringLiteral("per_label"));
        for (const QString &name : r.labels)
            r.layersPerLabel.push_back(distributionFrom(per.object(name), r.layout.layerIds));
    }
    r.epochLoss = j.numbers(QStringLiteral("epoch_loss"));
    r.neuroxEpochLoss = j.numbers(QStringLiteral("neurox_epoch_loss"));
    const Reader timing = j.object(QStringLiteral("timing"));
    r.loadSeconds = timing.number(QStringLiteral("load_s"));
    r.trainSeconds = timing.number(QStringLiteral("train_s"));

    // Repetitions (absent in older results and single runs). The summaries and stability are
    // derived from the runs' scores and top-k lists, exactly as runProbe computed them.
    if (j.has(QStringLiteral("seeds")))
        r.seeds = j.integer(QStringLiteral("seeds"));
    if (j.has(QStringLiteral("seed_runs"))) {
        const qsizetype n = j.array(QStringLiteral("seed_runs")).size();
        for (qsizetype i = 0; i < n; ++i)
            r.seedRuns.push_back(seedRunFrom(j.element(QStringLiteral("seed_runs"), i), r.splits,
                                             r.layout, regression));
        if (int(r.seedRuns.size()) != r.seeds)
            j.fail(QStringLiteral("seed_runs"),
                   QStringLiteral("a list of %1 runs (key 'seeds')").arg(r.seeds));
    }
    if (j.has(QStringLiteral("standardize_comparison"))) {
        StandardizeComparison c;
        c.flipped = seedRunFrom(j.object(QStringLiteral("standardize_comparison")), r.splits,
                                r.layout, regression);
        r.standardizeComparison = std::move(c);
    }
    deriveSeedStatistics(r);
    return r;
}

GridSearchReport gridFrom(const Reader &j)
{
    GridSearchReport r;
    r.probe = probeFrom(j);
    GridSearchOptions &o = r.options;
    o.l1Values = j.numbers(QStringLiteral("l1_values"));
    o.l2Values = j.numbers(QStringLiteral("l2_values"));
    o.keepFraction = j.number(QStringLiteral("keep_fraction"));
    o.alpha = j.number(QStringLiteral("alpha"));
    o.beta = j.number(QStringLiteral("beta"));
    try {
        o.score = gridScoreFromName(j.string(QStringLiteral("score")));
    } catch (const Error &) {
        j.fail(QStringLiteral("score"), QStringLiteral("top-random, top-bottom or both"));
    }
    o.searchStride = j.integer(QStringLiteral("search_stride"));
    o.randomSeed = j.seed(QStringLiteral("random_seed"));
    r.split = j.string(QStringLiteral("split"));
    GridSearchResult &g = r.result;
    g.rows = int(o.l1Values.size());
    g.cols = int(o.l2Values.size());
    g.kept = j.integer(QStringLiteral("kept_neurons"));
    g.score = o.score;
    g.alpha = o.alpha;
    g.beta = o.beta;
    g.formula = j.string(QStringLiteral("formula"));
    const QJsonArray cells = j.array(QStringLiteral("cells"));
    for (qsizetype i = 0; i < cells.size(); ++i) {
        const Reader c = j.element(QStringLiteral("cells"), i);
        GridCell cell;
        cell.l1 = c.number(QStringLiteral("l1"));
        cell.l2 = c.number(QStringLiteral("l2"));
        cell.done = true;
        cell.full = c.number(QStringLiteral("full"));
        cell.top = c.number(QStringLiteral("top"));
        cell.random = c.number(QStringLiteral("random"));
        cell.bottom = c.number(QStringLiteral("bottom"));
        cell.score = c.number(QStringLiteral("score"));
        cell.test = c.number(QStringLiteral("test"));
        cell.macroF1 = c.has(QStringLiteral("macro_f1")) ? c.number(QStringLiteral("macro_f1"))
                                                         : kNotAvailable;
        g.cells.push_back(cell);
    }
    g.best = j.integer(QStringLiteral("best"));
    if (g.best >= int(g.cells.size()) || g.best < -1)
        j.fail(QStringLiteral("best"), QStringLiteral("a cell index or −1"));
    // Files written before the guarded rule existed were chosen by the paper's rule.
    g.selection = GridSelection::Paper;
    if (j.has(QStringLiteral("selection"))) {
        try {
            g.selection = gridSelectionFromName(j.string(QStringLiteral("selection")));
        } catch (const Error &) {
            j.fail(QStringLiteral("selection"), QStringLiteral("paper or guarded"));
        }
        g.accuracyTolerance = j.number(QStringLiteral("accuracy_tolerance"));
    }
    o.selection = g.selection;
    o.accuracyTolerance = g.accuracyTolerance;
    const int recordedBest = g.best;
    if (j.has(QStringLiteral("zero_reference"))) {
        const Reader zero = j.object(QStringLiteral("zero_reference"));
        g.zeroCell = zero.integer(QStringLiteral("cell"));
        if (g.zeroCell >= int(g.cells.size()) || g.zeroCell < -1)
            zero.fail(QStringLiteral("cell"), QStringLiteral("a cell index or −1"));
        g.zeroFull = zero.number(QStringLiteral("full"));
    }
    g.baseline = majorityBaselineFrom(j, QStringLiteral("majority_baseline"));
    // Eligibility, the most accurate cell and the warnings follow from the cells and the rule.
    applyGridSelection(g, r.split);
    g.best = recordedBest; // the file's winner stays authoritative
    g.warnings = j.has(QStringLiteral("warnings")) ? j.strings(QStringLiteral("warnings"))
                                                   : gridWarnings(g, r.split);
    return r;
}

MinimalSubsetReport subsetFrom(const Reader &j)
{
    MinimalSubsetReport r;
    r.probe = probeFrom(j);
    r.layout = neuronLayoutFromJson(j.object(QStringLiteral("layout")).json(),
                                    j.where() + QStringLiteral(".layout"));
    r.ranker = rankerFrom(rankerObject(j));
    r.preset = j.string(QStringLiteral("preset"));
    r.split = j.string(QStringLiteral("selection_split"));
    MinimalSubsetOptions &o = r.options;
    o.deltaPercent = j.number(QStringLiteral("delta_percent"));
    o.searchStride = j.integer(QStringLiteral("search_stride"));
    o.fractions = j.numbers(QStringLiteral("fractions"));
    o.preset = r.preset == QLatin1String("pipeline_all") ? SubsetSizePreset::PipelineAll
                                                         : SubsetSizePreset::MaxFeatures;
    MinimalSubsetResult &m = r.result;
    m.size = j.integer(QStringLiteral("size"));
    m.neurons = j.columns(QStringLiteral("neurons"), r.layout);
    m.allNeurons = j.boolean(QStringLiteral("all_neurons"));
    m.dev = j.number(QStringLiteral("dev_accuracy"));
    m.test = j.number(QStringLiteral("test_accuracy"));
    m.oracleDev = j.number(QStringLiteral("oracle_dev_accuracy"));
    m.oracleTest = j.number(QStringLiteral("oracle_test_accuracy"));
    m.target = j.number(QStringLiteral("target"));
    m.ordering = j.columns(QStringLiteral("ordering"), r.layout);
    m.notes = j.strings(QStringLiteral("notes"));
    const QJsonArray curve = j.array(QStringLiteral("curve"));
    for (qsizetype i = 0; i < curve.size(); ++i) {
        const Reader p = j.element(QStringLiteral("curve"), i);
        m.curve.push_back(
            {p.integer(QStringLiteral("size")), p.number(QStringLiteral("dev_accuracy")),
             p.number(QStringLiteral("test_accuracy")),
             p.has(QStringLiteral("dev_macro_f1")) ? p.number(QStringLiteral("dev_macro_f1"))
                                                   : kNotAvailable,
             p.has(QStringLiteral("test_macro_f1")) ? p.number(QStringLiteral("test_macro_f1"))
                                                    : kNotAvailable});
    }
    // Seeds (absent in older files: one repetition, the primary result).
    o.seeds = j.has(QStringLiteral("seeds")) ? j.integer(QStringLiteral("seeds")) : 1;
    if (j.has(QStringLiteral("sizes_per_seed"))) {
        m.seedSizes = j.integers(QStringLiteral("sizes_per_seed"));
        m.seedOracleDev = j.numbers(QStringLiteral("oracle_dev_accuracy_per_seed"));
        m.seedOracleTest = j.numbers(QStringLiteral("oracle_test_accuracy_per_seed"));
    } else {
        m.seedSizes = {m.size};
        m.seedOracleDev = {m.oracleDev};
        m.seedOracleTest = {m.oracleTest};
    }
    baselinesFrom(j, m.baselineSelection, m.baselineTest);
    const Reader counts = j.object(QStringLiteral("layer_counts"));
    r.layers.layerIds = r.layout.layerIds;
    for (int id : r.layout.layerIds) {
        r.layers.counts.push_back(counts.integer(QString::number(id)));
        r.layers.total += r.layers.counts.back();
    }
    r.layers.meanLayer = j.number(QStringLiteral("mean_layer"));
    return r;
}

AblationReport ablationFrom(const Reader &j)
{
    AblationReport r;
    r.probe = probeFrom(j);
    r.layout = neuronLayoutFromJson(j.object(QStringLiteral("layout")).json(),
                                    j.where() + QStringLiteral(".layout"));
    r.ranker = rankerFrom(rankerObject(j));
    r.mode = j.string(QStringLiteral("mode"));
    r.split = j.string(QStringLiteral("split"));
    AblationOptions &o = r.options;
    o.sizes = j.numbers(QStringLiteral("requested_sizes"));
    o.seeds = j.integer(QStringLiteral("seeds"));
    o.searchStride = j.integer(QStringLiteral("search_stride"));
    o.masking = r.mode != QLatin1String("retraining");
    o.retraining = r.mode != QLatin1String("masking");
    AblationResult &a = r.result;
    a.sizes = j.integers(QStringLiteral("sizes"));
    a.oracleSelection = j.number(QStringLiteral("oracle_accuracy"));
    a.oracleTest = j.number(QStringLiteral("oracle_test_accuracy"));
    a.ordering = j.columns(QStringLiteral("ordering"), r.layout);
    if (j.has(QStringLiteral("orderings_per_seed"))) {
        const QJsonArray all = j.array(QStringLiteral("orderings_per_seed"));
        for (qsizetype i = 0; i < all.size(); ++i) {
            QJsonObject wrap{{QStringLiteral("v"), all[i]}};
            a.orderings.push_back(
                Reader(wrap, j.where() + QStringLiteral(".orderings_per_seed[%1]").arg(i))
                    .columns(QStringLiteral("v"), r.layout));
        }
    } else {
        a.orderings = {a.ordering};
    }
    baselinesFrom(j, a.baselineSelection, a.baselineTest);
    const Reader curves = j.object(QStringLiteral("curves"));
    if (o.masking)
        a.masking = curveFrom(curves.object(QStringLiteral("masking")), QStringLiteral("masking"));
    if (o.retraining)
        a.retraining =
            curveFrom(curves.object(QStringLiteral("retraining")), QStringLiteral("retraining"));
    return r;
}

/// "<key>_seeds" (seedSummaryJson); absent (files before seeds) → the one primary value.
SeedSummary seedSummaryFrom(const Reader &j, const QString &key, double primary)
{
    if (!j.has(key))
        return summarizeSeeds({primary});
    const Reader o = j.object(key);
    SeedSummary s;
    s.n = o.integer(QStringLiteral("n"));
    s.mean = o.number(QStringLiteral("mean"));
    s.sd = o.number(QStringLiteral("sd"));
    s.median = o.number(QStringLiteral("median"));
    s.min = o.number(QStringLiteral("min"));
    s.max = o.number(QStringLiteral("max"));
    return s;
}

/// An optional number (absent in older files) → NaN.
double optionalNumber(const Reader &j, const QString &key)
{
    return j.has(key) ? j.number(key) : kNotAvailable;
}

SelectivityReport selectivityFrom(const Reader &j)
{
    SelectivityReport r;
    r.probe = probeFrom(j);
    r.sampleFrom = j.string(QStringLiteral("sample_from"));
    r.caseSensitive = j.boolean(QStringLiteral("case_sensitive"));
    SelectivityResult &s = r.result;
    s.split = j.string(QStringLiteral("split"));
    s.seed = j.seed(QStringLiteral("control_seed"));
    s.probeSeed = j.seed(QStringLiteral("probe_seed"));
    s.controlClasses = j.integer(QStringLiteral("control_classes"));
    s.controlTypes = Index(j.number(QStringLiteral("control_types")));
    const QJsonArray sets = j.array(QStringLiteral("sets"));
    for (qsizetype i = 0; i < sets.size(); ++i) {
        const Reader e = j.element(QStringLiteral("sets"), i);
        SelectivityEntry en;
        en.name = e.string(QStringLiteral("set"));
        en.neurons = e.integer(QStringLiteral("neurons"));
        en.taskAccuracy = e.number(QStringLiteral("task_accuracy"));
        en.controlAccuracy = e.number(QStringLiteral("control_accuracy"));
        en.selectivity = e.number(QStringLiteral("selectivity"));
        en.taskMacroF1 = optionalNumber(e, QStringLiteral("task_macro_f1"));
        en.controlMacroF1 = optionalNumber(e, QStringLiteral("control_macro_f1"));
        en.taskSeeds = seedSummaryFrom(e, QStringLiteral("task_accuracy_seeds"), en.taskAccuracy);
        en.controlSeeds =
            seedSummaryFrom(e, QStringLiteral("control_accuracy_seeds"), en.controlAccuracy);
        en.selectivitySeeds =
            seedSummaryFrom(e, QStringLiteral("selectivity_seeds"), en.selectivity);
        s.sets.push_back(en);
    }
    if (s.sets.empty())
        j.fail(QStringLiteral("sets"), QStringLiteral("a non-empty list"));
    s.seeds = j.has(QStringLiteral("seeds")) ? j.integer(QStringLiteral("seeds")) : 1;
    s.splitBaseline = majorityBaselineFrom(j, QStringLiteral("majority_baseline"));
    s.testBaseline = majorityBaselineFrom(j, QStringLiteral("test_majority_baseline"));
    s.controlBaseline = majorityBaselineFrom(j, QStringLiteral("control_majority_baseline"));
    s.controlBaselineSeeds = seedSummaryFrom(j, QStringLiteral("control_majority_baseline_seeds"),
                                             s.controlBaseline.accuracy);
    return r;
}

LayerwiseReport layerwiseFrom(const Reader &j)
{
    LayerwiseReport r;
    r.probe = probeFrom(j);
    r.split = j.string(QStringLiteral("split"));
    r.options.deltaPercent = j.number(QStringLiteral("delta_percent"));
    r.options.independent = j.boolean(QStringLiteral("independent_probes"));
    r.options.seeds = j.has(QStringLiteral("seeds")) ? j.integer(QStringLiteral("seeds")) : 1;
    LayerwiseResult &l = r.result;
    auto scores = [&](const QString &key) {
        std::vector<LayerScore> out;
        const QJsonArray a = j.array(key);
        for (qsizetype i = 0; i < a.size(); ++i) {
            const Reader s = j.element(key, i);
            LayerScore ls;
            ls.layer = s.integer(QStringLiteral("layer"));
            ls.dev = s.number(QStringLiteral("dev_accuracy"));
            ls.test = s.number(QStringLiteral("test_accuracy"));
            ls.devMacroF1 = optionalNumber(s, QStringLiteral("dev_macro_f1"));
            ls.testMacroF1 = optionalNumber(s, QStringLiteral("test_macro_f1"));
            ls.devSeeds = seedSummaryFrom(s, QStringLiteral("dev_accuracy_seeds"), ls.dev);
            ls.testSeeds = seedSummaryFrom(s, QStringLiteral("test_accuracy_seeds"), ls.test);
            out.push_back(ls);
        }
        return out;
    };
    l.independent = scores(QStringLiteral("independent"));
    l.incremental = scores(QStringLiteral("incremental"));
    l.fullDev = j.number(QStringLiteral("full_dev_accuracy"));
    l.threshold = j.number(QStringLiteral("threshold"));
    l.selectedIndex = j.integer(QStringLiteral("selected_index"));
    l.selectedLayer = j.integer(QStringLiteral("selected_layer"));
    l.bestIndependent = j.integer(QStringLiteral("best_independent_index"));
    l.seeds = r.options.seeds;
    l.selectionBaseline = majorityBaselineFrom(j, QStringLiteral("majority_baseline"));
    l.testBaseline = majorityBaselineFrom(j, QStringLiteral("test_majority_baseline"));
    return r;
}

CompareReport compareFrom(const Reader &j)
{
    // Results written before mode "sessions" lack mode, top_k, same_labels, warning and the
    // per-model labels, accuracy_split and ordering: they read as mode "activations" with
    // top_k = A's layer-distribution k and empty labels/ordering.
    CompareReport r;
    r.probe = probeFrom(j);
    r.mode = j.has(QStringLiteral("mode")) ? j.string(QStringLiteral("mode"))
                                           : QStringLiteral("activations");
    const bool sessions = r.mode == QLatin1String("sessions");
    if (!sessions && r.mode != QLatin1String("activations"))
        j.fail(QStringLiteral("mode"), QStringLiteral("\"activations\" or \"sessions\""));
    r.topFraction = j.number(QStringLiteral("top_fraction"));
    r.seeds = j.integer(QStringLiteral("seeds"));
    r.sameLayout = j.boolean(QStringLiteral("same_layout"));
    if (j.has(QStringLiteral("same_labels")))
        r.sameLabels = j.boolean(QStringLiteral("same_labels"));
    if (j.has(QStringLiteral("warning")))
        r.warning = j.string(QStringLiteral("warning"));
    r.meanLayerShift = j.number(QStringLiteral("mean_layer_shift"));
    const QJsonArray models = j.array(QStringLiteral("models"));
    if (models.size() != 2)
        j.fail(QStringLiteral("models"), QStringLiteral("a list of two models"));
    for (qsizetype i = 0; i < models.size(); ++i) {
        const Reader m = j.element(QStringLiteral("models"), i);
        CompareModel model;
        model.name = m.string(QStringLiteral("name"));
        if (sessions)
            model.source = m.string(QStringLiteral("source"));
        model.layout = neuronLayoutFromJson(m.object(QStringLiteral("layout")).json(),
                                            m.where() + QStringLiteral(".layout"));
        if (m.integer(QStringLiteral("neurons")) != model.layout.columns())
            m.fail(QStringLiteral("neurons"), QStringLiteral("the layout's neuron count"));
        if (m.has(QStringLiteral("labels")))
            model.labels = m.strings(QStringLiteral("labels"));
        model.accuracy = m.number(QStringLiteral("accuracy"));
        if (m.has(QStringLiteral("accuracy_split")))
            model.accuracySplit = m.string(QStringLiteral("accuracy_split"));
        model.testAccuracy = m.number(QStringLiteral("test_accuracy"));
        model.layers =
            distributionFrom(m.object(QStringLiteral("layer_distribution")), model.layout.layerIds);
        if (sessions) {
            if (m.has(QStringLiteral("ablation")))
                model.ablation = ablationFrom(m.object(QStringLiteral("ablation")));
            if (m.has(QStringLiteral("minimal_subset")))
                model.minimalSubset = subsetFrom(m.object(QStringLiteral("minimal_subset")));
        } else {
            const Reader curve = m.object(QStringLiteral("curve"));
            model.sizes = curve.integers(QStringLiteral("sizes"));
            model.curve = curveFrom(curve, QStringLiteral("retraining"));
        }
        if (m.has(QStringLiteral("ordering")))
            model.ordering = m.columns(QStringLiteral("ordering"), model.layout);
        model.topNeurons = m.columns(QStringLiteral("top_neurons"), model.layout);
        r.models.push_back(std::move(model));
    }
    r.topK = j.has(QStringLiteral("top_k")) ? j.integer(QStringLiteral("top_k"))
                                            : r.models[0].layers.total;
    if (r.sameLayout) {
        const QJsonArray ov = j.array(QStringLiteral("overlap"));
        for (qsizetype i = 0; i < ov.size(); ++i) {
            const Reader o = j.element(QStringLiteral("overlap"), i);
            TopKOverlap t;
            t.k = o.integer(QStringLiteral("k"));
            t.kA = o.integer(QStringLiteral("k_a"));
            t.kB = o.integer(QStringLiteral("k_b"));
            t.intersection = Index(o.number(QStringLiteral("intersection")));
            t.fraction = o.number(QStringLiteral("fraction"));
            t.jaccard = o.number(QStringLiteral("jaccard"));
            r.overlap.push_back(t);
        }
    }
    return r;
}

} // namespace

NeuronLayout neuronLayoutFromJson(const QJsonObject &o, const QString &what)
{
    const Reader r(o, what);
    NeuronLayout l;
    l.layerIds = r.integers(QStringLiteral("layer_ids"));
    l.dims = r.integer(QStringLiteral("dims"));
    if (l.dims < 1)
        r.fail(QStringLiteral("dims"), QStringLiteral("a positive integer"));
    for (int id : l.layerIds)
        if (id < 0)
            r.fail(QStringLiteral("layer_ids"), QStringLiteral("a list of layer ids ≥ 0"));
    return l;
}

AnalysisResult resultFromJson(const QString &name, const QJsonObject &json,
                              const std::map<QString, RowMatrixF> &arrays)
{
    const Reader j(json, name);
    if (name == QLatin1String("probe"))
        return probeFrom(j, arrays);
    if (name == QLatin1String("grid-search"))
        return gridFrom(j);
    if (name == QLatin1String("minimal-subset"))
        return subsetFrom(j);
    if (name == QLatin1String("ablation"))
        return ablationFrom(j);
    if (name == QLatin1String("selectivity"))
        return selectivityFrom(j);
    if (name == QLatin1String("layerwise"))
        return layerwiseFrom(j);
    if (name == QLatin1String("compare"))
        return compareFrom(j);
    if (name == QLatin1String("clusters") || name == QLatin1String("neuron")
        || name == QLatin1String("properties") || name == QLatin1String("intervention"))
        return JsonReport{json, {}};
    throw Error(QStringLiteral("results: unknown analysis '%1'").arg(name));
}

} // namespace salient
