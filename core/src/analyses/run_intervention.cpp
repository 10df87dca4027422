// The "intervention" analysis (issue 14, docs/intervention.md): the session's probe on activations
// re-extracted from the model with neurons set to zero / their mean / a value at their layer,
// and for decoders the model's mean next-token loss on a text set, for the top-k salient neurons
// of the probe, random-k controls (several seeded draws) and an optional hand-picked list.
// JSON-native (a JsonReport, like clusters/neuron/properties); keys in docs/intervention.md.
#include "pipeline_p.h"
#include "salient/model/intervention.h"
#include "salient/probe/metrics.h"
#include "salient/util/csv.h"
#include "salient/util/error.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace salient::detail {

namespace {

using namespace salient::model;

QJsonValue num(double v)
{
    return std::isfinite(v) ? QJsonValue(v) : QJsonValue(QJsonValue::Null);
}

QJsonArray flatJson(const std::vector<int> &flat)
{
    QJsonArray a;
    for (int f : flat)
        a.append(f);
    return a;
}

/// Every line of a words file, in record order (no line skipped, so line i = record i).
QStringList wordsFileLines(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        throw Error(QStringLiteral("intervention: cannot read the words file '%1': %2")
                        .arg(QDir::toNativeSeparators(path), f.errorString()));
    QStringList lines = QString::fromUtf8(f.readAll()).split(QLatin1Char('\n'));
    if (!lines.isEmpty() && lines.back().isEmpty())
        lines.removeLast();
    for (QString &l : lines)
        if (l.endsWith(QLatin1Char('\r')))
            l.chop(1);
    return lines;
}

ProbeReport sessionProbe(const Session &session)
{
    if (!session.results.contains(QStringLiteral("probe")))
        throw Error(QStringLiteral("intervention: the session has no probe result; run the "
                                   "'probe' analysis first (its ranking gives the top-k neurons)"));
    AnalysisResult r =
        resultFromJson(QStringLiteral("probe"),
                       session.results.value(QStringLiteral("probe")).toObject(), session.arrays);
    if (!std::holds_alternative<ProbeReport>(r))
        throw Error(QStringLiteral("intervention: the session's probe result has an unexpected "
                                   "form"));
    return std::get<ProbeReport>(std::move(r));
}

LastLayer lastLayerOption(const QString &s)
{
    if (s.isEmpty() || s == QLatin1String("default"))
        return LastLayer::Default;
    if (s == QLatin1String("raw"))
        return LastLayer::Raw;
    if (s == QLatin1String("final_norm"))
        return LastLayer::FinalNorm;
    throw Error(QStringLiteral("intervention: last_layer '%1': expected default, raw or "
                               "final_norm")
                    .arg(s));
}

struct Point {
    double accuracy = kNotAvailable;
    double loss = kNotAvailable;
};

} // namespace

AnalysisOutput runIntervention(const QJsonObject &options, AnalysisContext &ctx)
{
    if (!ctx.session)
        throw Error(QStringLiteral("intervention: needs a session (its probe and input files)"));
    const Session &session = *ctx.session;
    const QString modelPath = options.value(QStringLiteral("model")).toString();
    if (modelPath.isEmpty())
        throw Error(QStringLiteral("intervention: option 'model' (checkpoint folder or llama2.c "
                                   ".bin) is required"));
    const ProbeReport probe = sessionProbe(session);
    if (probe.options.regression)
        throw Error(QStringLiteral("intervention: classification probes only"));

    // The evaluation split and its sentences.
    const QString split = options.value(QStringLiteral("split")).toString(selectionSplit(ctx));
    const Dataset *ds = split == QLatin1String("train")                    ? &*ctx.task->train
                        : split == QLatin1String("dev") && ctx.task->dev   ? &*ctx.task->dev
                        : split == QLatin1String("test") && ctx.task->test ? &*ctx.task->test
                                                                           : nullptr;
    if (!ds)
        throw Error(QStringLiteral("intervention: split '%1' is not loaded").arg(split));
    if (session.demo || !session.splits.count(split))
        throw Error(QStringLiteral("intervention: needs the words file of split '%1' (the "
                                   "built-in demo has no model)")
                        .arg(split));
    const NeuronLayout layout = NeuronLayout::of(*ds);
    if (!(layout == probe.layout))
        throw Error(QStringLiteral("intervention: the probe's neurons (%1 layers × %2) are not "
                                   "the loaded ones (%3 layers × %4)")
                        .arg(probe.layout.layerIds.size())
                        .arg(probe.layout.dims)
                        .arg(layout.layerIds.size())
                        .arg(layout.dims));

    // The model, checked against the activation files.
    LoadedModel lm =
        loadModelAndTokenizer(modelPath, options.value(QStringLiteral("tokenizer")).toString());
    const ModelInfo &info = lm.model->info();
    const int maxLayer = *std::max_element(layout.layerIds.begin(), layout.layerIds.end());
    if (layout.dims != info.hidden || maxLayer > info.layers)
        throw Error(QStringLiteral("intervention: the activations (layers %1, %2 units each; %3 "
                                   "layers in the file) do not come from the model '%4' (%5 "
                                   "layers incl. embeddings × %6 units)")
                        .arg(maxLayer + 1)
                        .arg(layout.dims)
                        .arg(ctx.task->trainInfo.layers)
                        .arg(QDir::toNativeSeparators(modelPath))
                        .arg(info.layers + 1)
                        .arg(info.hidden));
    if (ctx.task->trainInfo.layers > 0 && ctx.task->trainInfo.layers != info.layers + 1)
        throw Error(QStringLiteral("intervention: the activation file has %1 layers but the "
                                   "model '%2' has %3 (embeddings + %4 blocks)")
                        .arg(ctx.task->trainInfo.layers)
                        .arg(QDir::toNativeSeparators(modelPath))
                        .arg(info.layers + 1)
                        .arg(info.layers));

    const QString wordsPath = session.splits.at(split)[1].path;
    const QStringList allLines = wordsFileLines(wordsPath);
    const int maxSentences = options.value(QStringLiteral("max_sentences")).toInt(0);
    if (maxSentences < 0)
        throw Error(QStringLiteral("intervention: max_sentences must be >= 0"));
    std::vector<Index> records = ds->sentences;
    if (maxSentences > 0 && Index(records.size()) > maxSentences)
        records.resize(size_t(maxSentences));
    std::map<Index, size_t> recordSlot;
    QStringList lines;
    for (Index rec : records) {
        if (rec >= allLines.size())
            throw Error(QStringLiteral("intervention: %1 has %2 lines; record %3 is missing")
                            .arg(QDir::toNativeSeparators(wordsPath))
                            .arg(allLines.size())
                            .arg(rec + 1));
        recordSlot[rec] = size_t(lines.size());
        lines << allLines[rec];
    }
    std::vector<Index> rows;
    for (Index r = 0; r < ds->rows(); ++r)
        if (recordSlot.count(ds->rowSentence[size_t(r)]))
            rows.push_back(r);
    VectorI y(Index(rows.size()));
    for (size_t i = 0; i < rows.size(); ++i)
        y[Index(i)] = ds->y[rows[i]];

    ExtractOptions eo;
    eo.aggregation = parseAggregation(
        options.value(QStringLiteral("aggregation")).toString(QStringLiteral("last")));
    eo.layers = layout.layerIds;
    eo.lastLayer = lastLayerOption(options.value(QStringLiteral("last_layer")).toString());

    // Mode and means (from the train split's activations of every loaded neuron).
    double value = 0;
    const InterventionMode mode = parseInterventionMode(
        options.value(QStringLiteral("mode")).toString(QStringLiteral("zero")), &value);
    std::vector<double> means;
    if (mode == InterventionMode::Mean) {
        const Dataset &train = trainOf(ctx);
        const RowMatrixF &X = train.denseX("the intervention's mean mode");
        means.assign(size_t((info.layers + 1) * info.hidden),
                     std::numeric_limits<double>::quiet_NaN());
        for (int c = 0; c < layout.columns(); ++c)
            means[size_t(layout.flatIndex(c))] = X.col(c).cast<double>().mean();
    }

    // The text set for the loss (decoders).
    const bool decoder = info.family == Family::Gpt2 || info.family == Family::Llama;
    const QString textPath = options.value(QStringLiteral("text")).toString();
    const int textLinesMax = options.value(QStringLiteral("text_lines")).toInt(200);
    QStringList textLines;
    if (!textPath.isEmpty()) {
        if (!decoder)
            throw Error(QStringLiteral("intervention: option 'text' (next-token loss) needs a "
                                       "decoder model (gpt2, llama); '%1' is %2")
                            .arg(QDir::toNativeSeparators(modelPath), info.modelType));
        textLines = readTextLines(textPath, textLinesMax);
    }

    // Sizes and neuron sets.
    const QJsonValue neuronsOpt = options.value(QStringLiteral("neurons"));
    const QString which = neuronsOpt.isString() ? neuronsOpt.toString() : QStringLiteral("both");
    std::vector<int> handPicked;
    if (neuronsOpt.isArray()) {
        for (const QJsonValue v : neuronsOpt.toArray())
            handPicked.push_back(v.toInt(-1));
        if (handPicked.empty())
            throw Error(QStringLiteral("intervention: the neuron list is empty"));
    } else if (which != QLatin1String("both") && which != QLatin1String("top")
               && which != QLatin1String("random"))
        throw Error(QStringLiteral("intervention: neurons '%1': expected top, random, both or a "
                                   "list of flat indices")
                        .arg(which));
    std::vector<int> sizes;
    if (options.contains(QStringLiteral("sizes"))) {
        for (double s : doubleList(options, "sizes", {})) {
            if (s < 0 || s != std::floor(s) || s > layout.columns())
                throw Error(QStringLiteral("intervention: size %1 must be an integer in 0..%2 "
                                           "(the probed neurons)")
                                .arg(s)
                                .arg(layout.columns()));
            sizes.push_back(int(s));
        }
    } else if (!handPicked.empty()) {
        sizes = {int(handPicked.size())};
    } else {
        for (int k = 1; k <= std::min(64, layout.columns()); k *= 2)
            sizes.push_back(k);
    }
    const int draws = options.value(QStringLiteral("draws")).toInt(3);
    if (draws < 1 || draws > 1000)
        throw Error(QStringLiteral("intervention: draws must be in 1..1000"));
    const quint64 seed = seedOption(options, "seed", 1);
    const bool doTop = handPicked.empty() && which != QLatin1String("random");
    const bool doRandom = which != QLatin1String("top");

    const Probe &P = probe.probe;
    Index done = 0;
    const Index totalSteps = 1 + Index(sizes.size()) * ((doTop ? 1 : 0) + (doRandom ? draws : 0))
                             + (handPicked.empty() ? 0 : 1);
    auto measure = [&](const std::vector<int> &flat, bool *cancelled) -> Point {
        Point p;
        const Index step = done++;
        if (ctx.progress
            && !ctx.progress(
                double(step) / double(totalSteps),
                QStringLiteral("intervention run %1 of %2").arg(step + 1).arg(totalSteps))) {
            *cancelled = true;
            return p;
        }
        const Intervention iv = makeIntervention(info, flat, mode, value, means);
        const std::vector<RowMatrixF> words =
            extractWordsInMemory(*lm.model, *lm.tokenizer, lines, eo, iv);
        RowMatrixF X(Index(rows.size()), layout.columns());
        for (size_t i = 0; i < rows.size(); ++i) {
            const Index r = rows[i];
            const RowMatrixF &w = words[recordSlot.at(ds->rowSentence[size_t(r)])];
            const int word = ds->rowWord[size_t(r)];
            if (word >= w.rows())
                throw Error(QStringLiteral("intervention: %1, line %2: the model gives %3 words, "
                                           "the activation file at least %4 (was the file "
                                           "extracted from this model and tokenizer?)")
                                .arg(QDir::toNativeSeparators(wordsPath))
                                .arg(ds->rowSentence[size_t(r)] + 1)
                                .arg(w.rows())
                                .arg(word + 1));
            X.row(Index(i)) = w.row(word);
        }
        p.accuracy = evaluateProbe(P, X, y, VectorF()).accuracy;
        if (!textLines.isEmpty())
            p.loss =
                nextTokenLoss(*lm.model, *lm.tokenizer, textLines, iv, 0, eo.lastLayer).meanLoss;
        return p;
    };

    QJsonObject j;
    j[QStringLiteral("model")] = QFileInfo(modelPath).absoluteFilePath();
    j[QStringLiteral("model_type")] = info.modelType;
    j[QStringLiteral("model_layers")] = info.layers + 1;
    j[QStringLiteral("model_hidden")] = info.hidden;
    j[QStringLiteral("mode")] = interventionModeText(mode, value);
    j[QStringLiteral("split")] = split;
    j[QStringLiteral("sentences")] = int(lines.size());
    j[QStringLiteral("words")] = int(rows.size());
    j[QStringLiteral("aggregation")] = aggregationName(eo.aggregation);
    j[QStringLiteral("draws")] = draws;
    j[QStringLiteral("seed")] = QString::number(seed);
    QJsonArray sizesJson;
    for (int k : sizes)
        sizesJson.append(k);
    j[QStringLiteral("sizes")] = sizesJson;
    if (!textLines.isEmpty()) {
        j[QStringLiteral("text")] = QFileInfo(textPath).absoluteFilePath();
        j[QStringLiteral("text_lines")] = int(textLines.size());
    }
    {
        RowMatrixF Xf(Index(rows.size()), layout.columns());
        const RowMatrixF &src = ds->denseX("the intervention analysis");
        for (size_t i = 0; i < rows.size(); ++i)
            Xf.row(Index(i)) = src.row(rows[i]);
        j[QStringLiteral("file_accuracy")] = num(evaluateProbe(P, Xf, y, VectorF()).accuracy);
    }

    bool cancelled = false;
    QByteArray csv = csvLine({QStringLiteral("set"), QStringLiteral("k"), QStringLiteral("draw"),
                              QStringLiteral("accuracy"), QStringLiteral("loss")});
    auto csvRow = [&](const QString &set, int k, int draw, const Point &p) {
        csv +=
            csvLine({set, QString::number(k), QString::number(draw),
                     std::isfinite(p.accuracy) ? QString::number(p.accuracy, 'g', 10) : QString(),
                     std::isfinite(p.loss) ? QString::number(p.loss, 'g', 10) : QString()});
    };
    const Point clean = measure({}, &cancelled);
    if (cancelled)
        return statusOnly(Status::Cancelled);
    j[QStringLiteral("clean")] = QJsonObject{{QStringLiteral("accuracy"), num(clean.accuracy)},
                                             {QStringLiteral("loss"), num(clean.loss)}};
    csvRow(QStringLiteral("clean"), 0, 0, clean);

    QJsonArray top;
    if (doTop)
        for (int k : sizes) {
            std::vector<int> flat;
            for (int i = 0; i < k; ++i)
                flat.push_back(layout.flatIndex(probe.ordering[size_t(i)]));
            const Point p = measure(flat, &cancelled);
            if (cancelled)
                return statusOnly(Status::Cancelled);
            top.append(QJsonObject{{QStringLiteral("k"), k},
                                   {QStringLiteral("neurons"), flatJson(flat)},
                                   {QStringLiteral("accuracy"), num(p.accuracy)},
                                   {QStringLiteral("loss"), num(p.loss)}});
            csvRow(QStringLiteral("top"), k, 0, p);
        }
    j[QStringLiteral("top")] = top;

    QJsonArray random;
    if (doRandom) {
        // One permutation of the columns per draw; size k takes its first k (nested sets).
        std::vector<std::vector<int>> perms;
        perms.resize(size_t(draws));
        for (int d = 0; d < draws; ++d) {
            std::vector<int> cols(size_t(layout.columns()));
            std::iota(cols.begin(), cols.end(), 0);
            std::mt19937_64 rng(seed + quint64(d));
            std::shuffle(cols.begin(), cols.end(), rng);
            perms[size_t(d)] = std::move(cols);
        }
        for (int k : sizes) {
            QJsonArray accs, losses, sets;
            std::vector<double> a, l;
            for (int d = 0; d < draws; ++d) {
                std::vector<int> flat;
                for (int i = 0; i < k; ++i)
                    flat.push_back(layout.flatIndex(perms[size_t(d)][size_t(i)]));
                const Point p = measure(flat, &cancelled);
                if (cancelled)
                    return statusOnly(Status::Cancelled);
                accs.append(num(p.accuracy));
                losses.append(num(p.loss));
                sets.append(flatJson(flat));
                a.push_back(p.accuracy);
                l.push_back(p.loss);
                csvRow(QStringLiteral("random"), k, d, p);
            }
            auto mean = [](const std::vector<double> &v) {
                return std::accumulate(v.begin(), v.end(), 0.0) / double(v.size());
            };
            auto sd = [&](const std::vector<double> &v) {
                if (v.size() < 2)
                    return 0.0;
                const double m = mean(v);
                double s = 0;
                for (double x : v)
                    s += (x - m) * (x - m);
                return std::sqrt(s / double(v.size() - 1));
            };
            random.append(QJsonObject{{QStringLiteral("k"), k},
                                      {QStringLiteral("accuracy"), num(mean(a))},
                                      {QStringLiteral("accuracy_sd"), num(sd(a))},
                                      {QStringLiteral("loss"), num(mean(l))},
                                      {QStringLiteral("loss_sd"), num(sd(l))},
                                      {QStringLiteral("accuracies"), accs},
                                      {QStringLiteral("losses"), losses},
                                      {QStringLiteral("neurons"), sets}});
        }
    }
    j[QStringLiteral("random")] = random;

    if (!handPicked.empty()) {
        const Point p = measure(handPicked, &cancelled);
        if (cancelled)
            return statusOnly(Status::Cancelled);
        j[QStringLiteral("list")] = QJsonObject{{QStringLiteral("neurons"), flatJson(handPicked)},
                                                {QStringLiteral("accuracy"), num(p.accuracy)},
                                                {QStringLiteral("loss"), num(p.loss)}};
        csvRow(QStringLiteral("list"), int(handPicked.size()), 0, p);
    }
    if (ctx.progress)
        (void)ctx.progress(1.0, QStringLiteral("intervention done"));
    return outputOf(JsonReport{j, {{QStringLiteral("curve.csv"), csv}}});
}

} // namespace salient::detail
