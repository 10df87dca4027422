// Top activating contexts: streamed batches, a bounded min-heap per neuron.
#include "salient/model/topcontexts.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QStringDecoder>
#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace salient::model {

namespace {

QString quoted(const QString &path)
{
    return QLatin1Char('\'') + QDir::toNativeSeparators(path) + QLatin1Char('\'');
}

/// The ranking order: higher activation first, then earlier line, then earlier chunk.
bool better(const ContextHit &a, const ContextHit &b)
{
    if (a.activation != b.activation)
        return a.activation > b.activation;
    if (a.line != b.line)
        return a.line < b.line;
    return a.firstWord < b.firstWord;
}

struct Chunk {
    Index line = 0;
    int firstWord = 0;
    QStringList words;
};

} // namespace

std::vector<NeuronId> parseNeuronList(const QString &text, int layers, int dims)
{
    std::vector<NeuronId> out;
    std::set<NeuronId> seen;
    const QStringList parts = text.split(QLatin1Char(','), Qt::SkipEmptyParts);
    auto bad = [&](const QString &part, const QString &why) {
        return Error(QStringLiteral("Neuron '%1': %2 (expected layer:unit with layer 0–%3 and unit "
                                    "0–%4, or a flat index 0–%5).")
                         .arg(part, why)
                         .arg(layers - 1)
                         .arg(dims - 1)
                         .arg(qint64(layers) * dims - 1));
    };
    for (const QString &raw : parts) {
        const QString part = raw.trimmed();
        if (part.isEmpty())
            continue;
        NeuronId id;
        bool ok1 = false, ok2 = true;
        if (part.contains(QLatin1Char(':'))) {
            const QStringList lu = part.split(QLatin1Char(':'));
            if (lu.size() != 2)
                throw bad(part, QStringLiteral("not a neuron"));
            id.layer = lu[0].trimmed().toInt(&ok1);
            id.unit = lu[1].trimmed().toInt(&ok2);
        } else {
            const qint64 flat = part.toLongLong(&ok1);
            if (ok1 && flat >= 0 && dims > 0) {
                id.layer = int(flat / dims);
                id.unit = int(flat % dims);
            } else {
                ok1 = false;
            }
        }
        if (!ok1 || !ok2)
            throw bad(part, QStringLiteral("not a neuron"));
        if (id.layer < 0 || id.layer >= layers || id.unit < 0 || id.unit >= dims)
            throw bad(part, QStringLiteral("outside the model"));
        if (seen.insert(id).second)
            out.push_back(id);
    }
    if (out.empty())
        throw Error(QStringLiteral("No neuron given: expected a list like 3:17,5:2 (layer:unit) or "
                                   "flat indices."));
    return out;
}

TopContextsResult topActivatingContexts(const AttachedModel &m, const QString &textPath,
                                        const std::vector<NeuronId> &neurons,
                                        const TopContextsOptions &options,
                                        const ExtractProgress &progress)
{
    QElapsedTimer clock;
    clock.start();
    const ModelInfo &info = m.model->info();
    if (options.top < 1 || options.maxWords < 1 || options.batchSentences < 1)
        throw Error(QStringLiteral("Top contexts: expected top, max words and batch >= 1 (got %1, "
                                   "%2, %3).")
                        .arg(options.top)
                        .arg(options.maxWords)
                        .arg(options.batchSentences));
    if (neurons.empty())
        throw Error(QStringLiteral("Top contexts: no neuron selected."));
    // The stack layers needed, and each neuron's column in the aggregated [layers × hidden] row.
    std::vector<int> layers;
    for (const NeuronId &n : neurons) {
        if (n.layer < 0 || n.layer > info.layers || n.unit < 0 || n.unit >= info.hidden)
            throw Error(QStringLiteral("Neuron %1 does not exist in %2 (layers 0–%3, units 0–%4).")
                            .arg(neuronName(n), quoted(info.source))
                            .arg(info.layers)
                            .arg(info.hidden - 1));
        if (std::find(layers.begin(), layers.end(), n.layer) == layers.end())
            layers.push_back(n.layer);
    }
    std::vector<Index> column;
    for (const NeuronId &n : neurons)
        column.push_back(Index(std::find(layers.begin(), layers.end(), n.layer) - layers.begin())
                             * info.hidden
                         + n.unit);

    QFile f(textPath);
    if (!QFileInfo(textPath).isFile() || !f.open(QIODevice::ReadOnly))
        throw Error(QStringLiteral("Cannot read the text file %1%2.")
                        .arg(quoted(textPath), QFileInfo::exists(textPath)
                                                   ? QStringLiteral(": ") + f.errorString()
                                                   : QStringLiteral(": it does not exist")));
    const Index totalBytes = f.size();

    TopContextsResult r;
    r.text = QFileInfo(textPath).absoluteFilePath();
    r.top = options.top;
    r.maxWords = options.maxWords;
    r.neurons.resize(neurons.size());
    for (size_t i = 0; i < neurons.size(); ++i)
        r.neurons[i].neuron = neurons[i];
    std::vector<std::vector<ContextHit>> heaps(neurons.size());

    WordAligner aligner(*m.tokenizer);
    ForwardOptions fwd = m.forwardOptions();
    fwd.threads = options.threads;
    const Aggregation aggregation = m.aggregation();

    auto runBatch = [&](const std::vector<Chunk> &batch) {
        std::vector<SentenceAlignment> aligned;
        std::vector<std::vector<int>> ids;
        for (const Chunk &c : batch) {
            aligned.push_back(aligner.align(c.words.join(QLatin1Char(' '))));
            if (int(aligned.back().ids.size()) > info.maxPositions)
                throw Error(QStringLiteral("Text file %1, line %2: %3 tokens in a chunk of %4 "
                                           "words, but the model accepts at most %5; use fewer "
                                           "words per chunk.")
                                .arg(quoted(textPath))
                                .arg(c.line)
                                .arg(aligned.back().ids.size())
                                .arg(c.words.size())
                                .arg(info.maxPositions));
            ids.push_back(aligned.back().ids);
        }
        const auto states = m.model->forward(ids, fwd);
        for (size_t b = 0; b < batch.size(); ++b) {
            const SentenceAlignment &a = aligned[b];
            if (a.truncated)
                r.warnings << QStringLiteral("line %1: %2 of %3 words fit the model's length "
                                             "limit; the rest were not run")
                                  .arg(batch[b].line)
                                  .arg(a.keptWords)
                                  .arg(a.words.size());
            const RowMatrixF X = aggregateWords(a, states[b], layers, aggregation, false);
            r.words += X.rows();
            if (X.rows() == 0)
                continue;
            for (size_t n = 0; n < neurons.size(); ++n) {
                const auto col = X.col(column[n]);
                int best = -1;
                for (Index w = 0; w < X.rows(); ++w)
                    if (!std::isnan(col(w)) && (best < 0 || col(w) > col(best)))
                        best = int(w);
                if (best < 0)
                    continue;
                ContextHit hit;
                hit.activation = double(col(best));
                hit.line = batch[b].line;
                hit.firstWord = batch[b].firstWord;
                std::vector<ContextHit> &heap = heaps[n];
                const bool full = int(heap.size()) >= options.top;
                if (full && !better(hit, heap.front()))
                    continue; // the heap's front is its worst kept context
                hit.word = best;
                hit.words = a.words.mid(0, a.keptWords);
                hit.activations.resize(X.rows());
                for (Index w = 0; w < X.rows(); ++w)
                    hit.activations[w] = col(w);
                if (full) {
                    std::pop_heap(heap.begin(), heap.end(), better);
                    heap.back() = std::move(hit);
                } else {
                    heap.push_back(std::move(hit));
                }
                std::push_heap(heap.begin(), heap.end(), better);
            }
        }
    };

    std::vector<Chunk> batch;
    Index lineNo = 0, readBytes = 0;
    while (!f.atEnd()) {
        QByteArray raw = f.readLine();
        readBytes += raw.size();
        ++lineNo;
        QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
        const QString line = decoder(raw);
        if (decoder.hasError())
            throw Error(QStringLiteral("Text file %1, line %2: invalid UTF-8; expected UTF-8 "
                                       "text.")
                            .arg(quoted(textPath))
                            .arg(lineNo));
        const QStringList words = line.simplified().split(QLatin1Char(' '), Qt::SkipEmptyParts);
        if (words.isEmpty())
            continue;
        ++r.lines;
        for (int start = 0; start < int(words.size()); start += options.maxWords) {
            batch.push_back(Chunk{lineNo, start, words.mid(start, options.maxWords)});
            ++r.chunks;
            if (int(batch.size()) == options.batchSentences) {
                runBatch(batch);
                batch.clear();
            }
        }
        if (progress && !progress(readBytes, totalBytes)) {
            r.cancelled = true;
            break;
        }
    }
    if (f.error() != QFile::NoError)
        throw Error(QStringLiteral("Cannot read the text file %1: %2.")
                        .arg(quoted(textPath), f.errorString()));
    if (!r.cancelled && !batch.empty())
        runBatch(batch);
    if (r.chunks == 0)
        throw Error(QStringLiteral("The text file %1 has no words; expected UTF-8 text (one or "
                                   "more lines).")
                        .arg(quoted(textPath)));
    for (size_t n = 0; n < neurons.size(); ++n) {
        std::sort_heap(heaps[n].begin(), heaps[n].end(), better);
        r.neurons[n].hits = std::move(heaps[n]);
    }
    r.seconds = clock.nsecsElapsed() / 1e9;
    return r;
}

QJsonObject toJson(const TopContextsResult &r, const SessionModel &model)
{
    QJsonObject j;
    j[QStringLiteral("text")] = r.text;
    j[QStringLiteral("model")] = toJson(model);
    j[QStringLiteral("top")] = r.top;
    j[QStringLiteral("max_words")] = r.maxWords;
    j[QStringLiteral("lines")] = qint64(r.lines);
    j[QStringLiteral("chunks")] = qint64(r.chunks);
    j[QStringLiteral("words")] = qint64(r.words);
    j[QStringLiteral("seconds")] = r.seconds;
    j[QStringLiteral("cancelled")] = r.cancelled;
    j[QStringLiteral("warnings")] = QJsonArray::fromStringList(r.warnings);
    QJsonArray neurons;
    for (const NeuronContexts &n : r.neurons) {
        QJsonObject nj;
        nj[QStringLiteral("layer")] = n.neuron.layer;
        nj[QStringLiteral("unit")] = n.neuron.unit;
        nj[QStringLiteral("flat")] = qint64(n.neuron.layer) * model.dims + n.neuron.unit;
        QJsonArray hits;
        for (const ContextHit &h : n.hits) {
            QJsonObject hj;
            hj[QStringLiteral("activation")] = h.activation;
            hj[QStringLiteral("line")] = qint64(h.line);
            hj[QStringLiteral("first_word")] = h.firstWord;
            hj[QStringLiteral("word")] = h.word;
            hj[QStringLiteral("token")] = h.words.value(h.word);
            hj[QStringLiteral("words")] = QJsonArray::fromStringList(h.words);
            QJsonArray acts;
            for (float a : h.activations)
                acts.append(std::isfinite(a) ? QJsonValue(double(a)) : QJsonValue());
            hj[QStringLiteral("activations")] = acts;
            hits.append(hj);
        }
        nj[QStringLiteral("contexts")] = hits;
        neurons.append(nj);
    }
    j[QStringLiteral("neurons")] = neurons;
    return j;
}

} // namespace salient::model
