// Neuron interventions through the forward hook, generation, next-token loss and in-memory
// re-extraction (intervention.h).
#include "salient/model/intervention.h"

#include "extract_p.h"

#include <QDir>
#include <QFile>
#include <QStringDecoder>
#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <numeric>
#include <random>
#include <set>

namespace salient::model {

QString interventionModeText(InterventionMode mode, double value)
{
    switch (mode) {
    case InterventionMode::Zero:
        return QStringLiteral("zero");
    case InterventionMode::Mean:
        return QStringLiteral("mean");
    case InterventionMode::Value:
        return QStringLiteral("value:%1").arg(value);
    }
    return {};
}

InterventionMode parseInterventionMode(const QString &text, double *value)
{
    const QString t = text.trimmed();
    if (t == QLatin1String("zero"))
        return InterventionMode::Zero;
    if (t == QLatin1String("mean"))
        return InterventionMode::Mean;
    if (t.startsWith(QLatin1String("value:"))) {
        bool ok = false;
        const double v = t.mid(6).toDouble(&ok);
        if (ok && std::isfinite(v)) {
            if (value)
                *value = v;
            return InterventionMode::Value;
        }
    }
    throw Error(QStringLiteral("Unknown intervention mode '%1': expected zero, mean or value:X "
                               "(X a finite number, e.g. value:2.5).")
                    .arg(text));
}

std::vector<int> parseNeuronList(const QString &text, int hidden)
{
    std::vector<int> out;
    const QStringList parts = text.split(QLatin1Char(','), Qt::SkipEmptyParts);
    if (parts.isEmpty())
        throw Error(QStringLiteral("Neuron list '%1' is empty; expected flat indices "
                                   "(layer·%2 + unit) or layer:unit pairs, e.g. 70,129 or 1:6,2:1.")
                        .arg(text)
                        .arg(hidden));
    for (const QString &raw : parts) {
        const QString p = raw.trimmed();
        bool ok = false;
        if (p.contains(QLatin1Char(':'))) {
            const QStringList lu = p.split(QLatin1Char(':'));
            bool ok1 = false, ok2 = false;
            const int l = lu.size() == 2 ? lu[0].toInt(&ok1) : -1;
            const int u = lu.size() == 2 ? lu[1].toInt(&ok2) : -1;
            if (!ok1 || !ok2 || l < 0 || u < 0)
                throw Error(QStringLiteral("Neuron '%1' in '%2' is not a layer:unit pair of "
                                           "non-negative integers.")
                                .arg(p, text));
            if (u >= hidden)
                throw Error(QStringLiteral("Neuron '%1': unit %2 does not exist; the model's "
                                           "layers have units 0..%3.")
                                .arg(p)
                                .arg(u)
                                .arg(hidden - 1));
            out.push_back(l * hidden + u);
            continue;
        }
        const int flat = p.toInt(&ok);
        if (!ok || flat < 0)
            throw Error(QStringLiteral("Neuron '%1' in '%2' is not a flat index (a non-negative "
                                       "integer layer·%3 + unit) or a layer:unit pair.")
                            .arg(p, text)
                            .arg(hidden));
        out.push_back(flat);
    }
    return out;
}

std::function<void(int, int, RowMatrixF &)> Intervention::hook() const
{
    if (neurons.empty())
        return {};
    // Grouped by layer once; the hook only reads this copy (forward() may run it on any thread).
    std::map<int, std::vector<std::pair<int, float>>> byLayer;
    for (const NeuronIntervention &n : neurons)
        byLayer[n.layer].emplace_back(n.unit, n.value);
    return [byLayer = std::move(byLayer)](int, int l, RowMatrixF &states) {
        const auto it = byLayer.find(l);
        if (it == byLayer.end())
            return;
        for (const auto &[unit, value] : it->second)
            states.col(unit).setConstant(value);
    };
}

Intervention makeIntervention(const ModelInfo &model, const std::vector<int> &flat,
                              InterventionMode mode, double value, const std::vector<double> &means)
{
    Intervention iv;
    const int H = model.hidden;
    const int stack = model.layers + 1;
    std::set<int> seen;
    for (int f : flat) {
        if (f < 0 || f >= stack * H)
            throw Error(QStringLiteral("Neuron %1 (layer %2, unit %3) does not exist: the model %4 "
                                       "has layers 0 (embeddings) to %5 of %6 units, flat indices "
                                       "0..%7.")
                            .arg(f)
                            .arg(f < 0 ? -1 : f / H)
                            .arg(f < 0 ? -1 : f % H)
                            .arg(QDir::toNativeSeparators(model.source))
                            .arg(model.layers)
                            .arg(H)
                            .arg(stack * H - 1));
        if (!seen.insert(f).second)
            throw Error(QStringLiteral("Neuron %1 is listed twice.").arg(f));
        NeuronIntervention n{f / H, f % H, 0.0f};
        if (mode == InterventionMode::Value)
            n.value = float(value);
        else if (mode == InterventionMode::Mean) {
            if (size_t(f) >= means.size() || !std::isfinite(means[size_t(f)]))
                throw Error(QStringLiteral("Neuron %1: no mean activation for it (mode mean takes "
                                           "the means from the activations of the probed "
                                           "layers; is layer %2 loaded?).")
                                .arg(f)
                                .arg(f / H));
            n.value = float(means[size_t(f)]);
        }
        iv.neurons.push_back(n);
    }
    return iv;
}

namespace {

bool isStopId(const std::vector<int> &stops, int id)
{
    return std::binary_search(stops.begin(), stops.end(), id);
}

} // namespace

Generation generate(const Transformer &model, const Tokenizer &tokenizer, const QString &prompt,
                    const GenerateOptions &options, const Intervention &intervention)
{
    if (options.tokens < 0)
        throw Error(
            QStringLiteral("Expected 0 or more tokens to generate, got %1.").arg(options.tokens));
    if (!(options.temperature >= 0) || !std::isfinite(options.temperature))
        throw Error(
            QStringLiteral("Expected a temperature >= 0, got %1.").arg(options.temperature));
    std::vector<int> stops = tokenizer.droppedSpecialIds();
    std::sort(stops.begin(), stops.end());
    Generation g;
    g.promptIds = tokenizer.encode(prompt, true);
    if (g.promptIds.empty()) {
        if (stops.empty())
            throw Error(QStringLiteral("An empty prompt starts from BOS, but the tokenizer (%1) "
                                       "has no special token to start from; give a prompt.")
                            .arg(tokenizer.describe()));
        // llama2.c: BOS = 1 is the lowest special id after <unk> (0, kept); GPT-2's only special
        // token is <|endoftext|>, which is its BOS.
        g.promptIds.push_back(stops.front());
    }
    ForwardOptions fwd;
    fwd.threads = options.threads;
    fwd.lastLayer = options.lastLayer;
    fwd.hook = intervention.hook();
    std::mt19937_64 rng(options.seed);
    std::vector<int> ids = g.promptIds;
    const int maxLen = model.info().maxPositions;
    for (int step = 0; step < options.tokens && int(ids.size()) < maxLen; ++step) {
        const RowMatrixF logits = model.logits(ids, fwd);
        const auto row = logits.row(logits.rows() - 1);
        int next = 0;
        if (options.temperature <= 0) {
            for (Index v = 1; v < row.size(); ++v)
                if (row[v] > row[next])
                    next = int(v);
        } else {
            const double mx = double(row.maxCoeff());
            std::vector<double> p(size_t(row.size()));
            for (Index v = 0; v < row.size(); ++v)
                p[size_t(v)] = std::exp((double(row[v]) - mx) / options.temperature);
            std::discrete_distribution<int> dist(p.begin(), p.end());
            next = dist(rng);
        }
        if (isStopId(stops, next)) {
            g.stopped = true;
            break;
        }
        g.generated.push_back(next);
        ids.push_back(next);
    }
    g.text = tokenizer.decode(ids);
    if (g.text.startsWith(QLatin1Char(' ')) && !prompt.startsWith(QLatin1Char(' ')))
        g.text.remove(0, 1); // SentencePiece's dummy-prefix space
    return g;
}

LossResult nextTokenLoss(const Transformer &model, const Tokenizer &tokenizer,
                         const QStringList &lines, const Intervention &intervention, int threads,
                         LastLayer lastLayer)
{
    ForwardOptions fwd;
    fwd.threads = threads;
    fwd.lastLayer = lastLayer;
    fwd.hook = intervention.hook();
    LossResult r;
    double sum = 0;
    for (const QString &line : lines) {
        const std::vector<int> ids = tokenizer.encode(line, true);
        if (ids.size() < 2)
            continue;
        const RowMatrixF logits = model.logits(ids, fwd);
        for (size_t t = 0; t + 1 < ids.size(); ++t) {
            const auto row = logits.row(Index(t));
            const double mx = double(row.maxCoeff());
            double z = 0;
            for (Index v = 0; v < row.size(); ++v)
                z += std::exp(double(row[v]) - mx);
            sum += (mx + std::log(z)) - double(row[ids[t + 1]]);
            ++r.tokens;
        }
        ++r.lines;
    }
    if (r.tokens == 0)
        throw Error(QStringLiteral("No line of the text set has 2 or more tokens: nothing to "
                                   "predict."));
    r.meanLoss = sum / double(r.tokens);
    return r;
}

QStringList readTextLines(const QString &path, int maxLines)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        throw Error(QStringLiteral("Cannot read the text file '%1': %2.")
                        .arg(QDir::toNativeSeparators(path), f.errorString()));
    QStringList lines;
    int lineNo = 0;
    while (!f.atEnd() && (maxLines <= 0 || lines.size() < maxLines)) {
        QByteArray raw = f.readLine();
        ++lineNo;
        QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
        const QString line = QString(decoder(raw)).trimmed();
        if (decoder.hasError())
            throw Error(QStringLiteral("Text file '%1', line %2: invalid UTF-8; expected UTF-8 "
                                       "text.")
                            .arg(QDir::toNativeSeparators(path))
                            .arg(lineNo));
        if (!line.isEmpty())
            lines << line;
    }
    if (lines.isEmpty())
        throw Error(
            QStringLiteral("Text file '%1' has no text.").arg(QDir::toNativeSeparators(path)));
    return lines;
}

std::vector<RowMatrixF> extractWordsInMemory(const Transformer &model, const Tokenizer &tokenizer,
                                             const QStringList &lines,
                                             const ExtractOptions &options,
                                             const Intervention &intervention)
{
    const ModelInfo &info = model.info();
    const std::vector<int> layers = detail::resolveLayers(options.layers, info);
    WordAligner aligner(tokenizer);
    std::vector<SentenceAlignment> aligned;
    aligned.reserve(size_t(lines.size()));
    for (qsizetype i = 0; i < lines.size(); ++i) {
        aligned.push_back(aligner.align(lines[i]));
        if (int(aligned.back().ids.size()) > info.maxPositions)
            throw Error(QStringLiteral("Line %1: %2 tokens, but the model accepts at most %3.")
                            .arg(i + 1)
                            .arg(aligned.back().ids.size())
                            .arg(info.maxPositions));
    }
    ForwardOptions fwd;
    fwd.lastLayer = options.lastLayer;
    fwd.threads = options.threads;
    fwd.hook = intervention.hook();
    // Same grouping as extractActivations: sorted by length, batches of batchSentences.
    std::vector<size_t> order(aligned.size());
    std::iota(order.begin(), order.end(), size_t(0));
    std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) {
        return aligned[x].ids.size() < aligned[y].ids.size();
    });
    const size_t batch = size_t(std::max(1, options.batchSentences));
    std::vector<RowMatrixF> out(aligned.size());
    for (size_t b0 = 0; b0 < order.size(); b0 += batch) {
        const size_t b1 = std::min(order.size(), b0 + batch);
        std::vector<std::vector<int>> ids;
        for (size_t j = b0; j < b1; ++j)
            ids.push_back(aligned[order[j]].ids);
        const auto states = model.forward(ids, fwd);
        for (size_t j = b0; j < b1; ++j)
            out[order[j]] = aggregateWords(aligned[order[j]], states[j - b0], layers,
                                           options.aggregation, options.dtype == DType::Float16);
    }
    return out;
}

} // namespace salient::model
