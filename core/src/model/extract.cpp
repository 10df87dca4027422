// NeuroX-compatible extraction (spec/MODELS.md §5): alignment, aggregation, streamed and
// resumable HDF5 output. The journal format is private to this file:
//   line 1: {"salient-extract": 1, "fingerprint": "<hex>"}
//   then one line per sentence whose datasets are durable in every partial file: the JSON string
//   of the key the writer received. A line without its terminating '\n' was not completed.
#include "salient/model/extract.h"

#include "salient/util/float16.h"
#include "salient/util/runtime.h"

#include "extract_p.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStringDecoder>
#include <algorithm>
#include <climits>
#include <numeric>
#include <unistd.h>

namespace salient::model {

QString aggregationName(Aggregation a)
{
    switch (a) {
    case Aggregation::First:
        return QStringLiteral("first");
    case Aggregation::Last:
        return QStringLiteral("last");
    case Aggregation::Average:
        return QStringLiteral("average");
    }
    return {};
}

Aggregation parseAggregation(const QString &s)
{
    if (s == QLatin1String("first"))
        return Aggregation::First;
    if (s == QLatin1String("last"))
        return Aggregation::Last;
    if (s == QLatin1String("average"))
        return Aggregation::Average;
    throw Error(
        QStringLiteral("Unknown aggregation '%1': expected first, last or average.").arg(s));
}

// ---------------------------------------------------------------------------------------------
// Alignment

WordAligner::WordAligner(const Tokenizer &tokenizer)
    : m_tok(tokenizer), m_dropped(tokenizer.droppedSpecialIds())
{
    std::sort(m_dropped.begin(), m_dropped.end());
}

int WordAligner::count(const QString &context, int extra)
{
    const auto it = m_cache.find(context);
    if (it != m_cache.end())
        return it->second;
    const std::vector<int> ids = m_tok.encode(context, false);
    int n = 0;
    for (int id : ids)
        if (!std::binary_search(m_dropped.begin(), m_dropped.end(), id))
            ++n;
    // NeuroX assumes the context letter "a" is exactly one token; a tokenizer that merges it away
    // would give a negative count there, which cannot address any position.
    const int c = std::max(0, n - extra);
    m_cache.emplace(context, c);
    return c;
}

SentenceAlignment WordAligner::align(const QString &line)
{
    SentenceAlignment a;
    const QString text = line.trimmed();
    a.words = text.split(QLatin1Char(' '));
    const qsizetype n = a.words.size();
    a.counts.reserve(size_t(n));
    const QString letter = QStringLiteral("a");
    for (qsizetype i = 0; i < n; ++i) {
        const QString &w = a.words[i];
        if (n == 1 || i == 0)
            a.counts.push_back(count(w + QLatin1Char(' ') + letter, 1));
        else if (i == n - 1)
            a.counts.push_back(count(letter + QLatin1Char(' ') + w, 1));
        else
            a.counts.push_back(count(letter + QLatin1Char(' ') + w + QLatin1Char(' ') + letter, 2));
    }
    a.ids = m_tok.encode(text, true);
    for (int p = 0; p < int(a.ids.size()); ++p)
        if (!std::binary_search(m_dropped.begin(), m_dropped.end(), a.ids[size_t(p)]))
            a.positions.push_back(p);
    const int total = int(a.positions.size());
    int start = 0;
    for (qsizetype k = 0; k < n; ++k) {
        const int c = a.counts[size_t(k)];
        if ((c > 0 && start >= total) || start + c > total)
            break;
        a.starts.push_back(start);
        QString key;
        for (int j = 0; j < c; ++j)
            key += m_tok.idToToken(a.ids[size_t(a.positions[size_t(start + j)])]);
        a.wordKeys << key;
        start += c;
        ++a.keptWords;
    }
    a.truncated = a.keptWords < n;
    return a;
}

// ---------------------------------------------------------------------------------------------
// Aggregation

RowMatrixF aggregateWords(const SentenceAlignment &a, const std::vector<RowMatrixF> &states,
                          const std::vector<int> &layers, Aggregation aggregation, bool roundToHalf)
{
    if (states.empty())
        throw Error(QStringLiteral("aggregateWords: the model returned no hidden states."));
    const Index H = states.front().cols();
    const Index width = Index(layers.size()) * H;
    RowMatrixF out = RowMatrixF::Zero(a.keptWords, width);
    std::vector<float> acc(static_cast<size_t>(H));
    for (int k = 0; k < a.keptWords; ++k) {
        const int c = a.counts[size_t(k)];
        if (c == 0)
            continue; // NeuroX: a word without subwords is a zero vector
        const int first = a.positions[size_t(a.starts[size_t(k)])];
        const int last = a.positions[size_t(a.starts[size_t(k)] + c - 1)];
        for (size_t li = 0; li < layers.size(); ++li) {
            const RowMatrixF &S = states[size_t(layers[li])];
            float *dst = out.row(k).data() + Index(li) * H;
            if (aggregation == Aggregation::First || aggregation == Aggregation::Last) {
                const int p = aggregation == Aggregation::First ? first : last;
                std::copy_n(S.row(p).data(), H, dst);
                continue;
            }
            // numpy's mean: float32 accumulation (float16 input: rounded tokens, float32
            // intermediates), divided by the count.
            std::fill(acc.begin(), acc.end(), 0.0f);
            for (int j = 0; j < c; ++j) {
                const float *src = S.row(a.positions[size_t(a.starts[size_t(k)] + j)]).data();
                for (Index h = 0; h < H; ++h)
                    acc[size_t(h)] += roundToHalf ? halfToFloat(floatToHalf(src[h])) : src[h];
            }
            for (Index h = 0; h < H; ++h)
                dst[h] = acc[size_t(h)] / float(c);
        }
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// Extraction

namespace {

QString quoted(const QString &path)
{
    return QLatin1Char('\'') + QDir::toNativeSeparators(path) + QLatin1Char('\'');
}

/// The sentences file as lines (without line terminators), validated: UTF-8, no empty line.
QStringList readSentences(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        throw Error(QStringLiteral("Cannot read the sentences file %1: %2.")
                        .arg(quoted(path), f.errorString()));
    QStringList lines;
    Index lineNo = 0;
    while (!f.atEnd()) {
        QByteArray raw = f.readLine();
        ++lineNo;
        if (raw.endsWith('\n'))
            raw.chop(1);
        if (raw.endsWith('\r'))
            raw.chop(1);
        QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
        QString line = decoder(raw);
        if (decoder.hasError()) {
            // Locate the first invalid byte for the message.
            qsizetype bad = 0;
            for (qsizetype cut = 1; cut <= raw.size(); ++cut) {
                QStringDecoder probe(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
                (void)probe(raw.left(cut));
                if (probe.hasError()) {
                    bad = cut;
                    break;
                }
            }
            throw Error(QStringLiteral("Sentences file %1, line %2: invalid UTF-8 near byte %3 of "
                                       "the line; expected UTF-8 text.")
                            .arg(quoted(path))
                            .arg(lineNo)
                            .arg(bad));
        }
        if (line.trimmed().isEmpty())
            throw Error(QStringLiteral("Sentences file %1, line %2 is empty; expected one "
                                       "sentence per line (words separated by single spaces). "
                                       "Remove the line here and in the labels file.")
                            .arg(quoted(path))
                            .arg(lineNo));
        lines << line;
    }
    if (lines.isEmpty())
        throw Error(QStringLiteral("Sentences file %1 has no sentence.").arg(quoted(path)));
    return lines;
}

QString layerFilePath(const QString &outPath, int layer)
{
    // NeuroX: <base>-layer<k>.<ext>, base = the name minus its last 5 characters (".hdf5").
    const QString base = outPath.endsWith(QLatin1String(".hdf5"), Qt::CaseInsensitive)
                             ? outPath.left(outPath.size() - 5)
                             : outPath;
    return base + QStringLiteral("-layer%1.hdf5").arg(layer);
}

QByteArray fingerprint(const Transformer &model, const Tokenizer &tok, const QStringList &lines,
                       const ExtractOptions &o, const std::vector<int> &layers)
{
    QCryptographicHash h(QCryptographicHash::Sha256);
    const ModelInfo &info = model.info();
    const QFileInfo src(info.source);
    h.addData(QStringLiteral("model %1 %2 %3 %4 %5 %6 %7")
                  .arg(src.absoluteFilePath(), info.modelType)
                  .arg(info.layers)
                  .arg(info.hidden)
                  .arg(info.parameters)
                  .arg(info.weightBytes)
                  .arg(src.lastModified().toMSecsSinceEpoch())
                  .toUtf8());
    h.addData(tok.describe().toUtf8());
    QString opts = QStringLiteral("agg %1 dtype %2 decompose %3 last %4 keys %5 layers")
                       .arg(aggregationName(o.aggregation), dtypeName(o.dtype))
                       .arg(int(o.decompose))
                       .arg(int(o.lastLayer))
                       .arg(int(o.keys));
    for (int l : layers)
        opts += QStringLiteral(" %1").arg(l);
    h.addData(opts.toUtf8());
    for (const QString &line : lines) {
        h.addData(line.toUtf8());
        h.addData(QByteArrayView("\n"));
    }
    return h.result().toHex();
}

struct Journal {
    QString path;
    QByteArray fp;
    QStringList done; ///< keys of the sentences recorded as complete
    bool present = false;
    bool matches = false;
};

Journal readJournal(const QString &path, const QByteArray &fp)
{
    Journal j;
    j.path = path;
    j.fp = fp;
    QFile f(path);
    if (!f.exists() || !f.open(QIODevice::ReadOnly))
        return j;
    j.present = true;
    const QByteArray all = f.readAll();
    const qsizetype nl = all.indexOf('\n');
    if (nl < 0)
        return j;
    const QJsonObject head = QJsonDocument::fromJson(all.left(nl)).object();
    if (head.value(QLatin1String("salient-extract")).toInt() != 1
        || head.value(QLatin1String("fingerprint")).toString().toLatin1() != fp)
        return j;
    j.matches = true;
    qsizetype pos = nl + 1;
    while (pos < all.size()) {
        const qsizetype end = all.indexOf('\n', pos);
        if (end < 0)
            break; // an unfinished line: that sentence was not completed
        const QByteArray wrapped = "[" + all.mid(pos, end - pos) + "]";
        const QJsonDocument doc = QJsonDocument::fromJson(wrapped);
        if (!doc.isArray() || doc.array().size() != 1 || !doc.array().at(0).isString())
            break;
        j.done << doc.array().at(0).toString();
        pos = end + 1;
    }
    return j;
}

class JournalWriter {
public:
    JournalWriter(const QString &path, const QByteArray &fp, bool fresh) : m_file(path)
    {
        const auto mode = fresh ? QIODevice::WriteOnly | QIODevice::Truncate
                                : QIODevice::WriteOnly | QIODevice::Append;
        if (!m_file.open(mode))
            throw Error(QStringLiteral("Cannot write the extraction journal %1: %2.")
                            .arg(quoted(path), m_file.errorString()));
        if (fresh)
            write(QByteArray(R"({"salient-extract": 1, "fingerprint": ")") + fp + "\"}\n");
    }
    void record(const QStringList &keys)
    {
        QByteArray bytes;
        for (const QString &k : keys) {
            QJsonArray a{k};
            QByteArray line = QJsonDocument(a).toJson(QJsonDocument::Compact);
            bytes += line.mid(1, line.size() - 2) + '\n';
        }
        write(bytes);
    }

private:
    void write(const QByteArray &bytes)
    {
        if (m_file.write(bytes) != bytes.size() || !m_file.flush())
            throw Error(QStringLiteral("Cannot write the extraction journal %1: %2.")
                            .arg(quoted(m_file.fileName()), m_file.errorString()));
        ::fsync(m_file.handle());
    }
    QFile m_file;
};

} // namespace

std::vector<int> detail::resolveLayers(const std::vector<int> &requested, const ModelInfo &info)
{
    std::vector<int> layers = requested;
    if (layers.empty()) {
        layers.resize(size_t(info.layers + 1));
        std::iota(layers.begin(), layers.end(), 0);
    }
    for (int l : layers)
        if (l < 0 || l > info.layers)
            throw Error(QStringLiteral("Layer %1 does not exist: %2 has layers 0 (embeddings) to "
                                       "%3.")
                            .arg(l)
                            .arg(quoted(info.source))
                            .arg(info.layers));
    return layers;
}

ExtractSummary extractActivations(const Transformer &model, const Tokenizer &tokenizer,
                                  const QString &sentencesPath, const QString &outPath,
                                  const ExtractOptions &options, const ExtractProgress &progress)
{
    QElapsedTimer clock;
    clock.start();
    const ModelInfo &info = model.info();
    ExtractSummary s;
    s.model = info.source;
    s.family = familyName(info.family);
    s.tokenizer = tokenizer.describe();
    s.modelLayers = info.layers + 1;
    s.hidden = info.hidden;

    const std::vector<int> layers = detail::resolveLayers(options.layers, info);
    s.layers = layers;
    if (options.batchSentences < 1)
        throw Error(QStringLiteral("Expected at least 1 sentence per batch, found %1.")
                        .arg(options.batchSentences));

    const QStringList lines = readSentences(sentencesPath);
    const Index total = lines.size();

    // Outputs and their partial files.
    QStringList finals;
    if (options.decompose)
        for (int l : layers)
            finals << layerFilePath(outPath, l);
    else
        finals << outPath;
    const QString journalPath = outPath + QStringLiteral(".partial.journal");
    const QByteArray fp = fingerprint(model, tokenizer, lines, options, layers);
    auto partialOf = [](const QString &p) { return p + QStringLiteral(".partial"); };

    Journal journal = readJournal(journalPath, fp);
    bool anyPartial = journal.present;
    for (const QString &f : finals)
        anyPartial = anyPartial || QFileInfo::exists(partialOf(f));
    if (anyPartial && !options.restart && !journal.matches)
        throw Error(QStringLiteral("%1 has a partial extraction from a different model, sentences "
                                   "file or options (journal %2). Resume it with the same "
                                   "command, or start over with --restart.")
                        .arg(quoted(outPath), quoted(journalPath)));
    QStringList resumeKeys;
    if (!options.restart && journal.matches) {
        resumeKeys = journal.done;
        if (resumeKeys.size() > total)
            resumeKeys = resumeKeys.mid(0, total);
    }
    if (options.restart || !journal.matches) {
        for (const QString &f : finals)
            QFile::remove(partialOf(f));
        QFile::remove(journalPath);
    }

    const int width = int(layers.size());
    std::vector<std::unique_ptr<NeuroxHdf5Writer>> writers;
    for (const QString &f : finals)
        writers.push_back(
            std::make_unique<NeuroxHdf5Writer>(f, partialOf(f), options.decompose ? 1 : width,
                                               info.hidden, options.dtype, resumeKeys));
    JournalWriter journalOut(journalPath, fp, resumeKeys.isEmpty());
    s.resumedFrom = resumeKeys.size();

    WordAligner aligner(tokenizer);
    ForwardOptions fwd;
    fwd.lastLayer = options.lastLayer;
    fwd.threads = options.threads;
    const bool roundToHalf = options.dtype == DType::Float16;
    const int batch = options.batchSentences;
    // A window of several batches is aligned, grouped by length (less padding), run, then written
    // in line order.
    const Index window = Index(batch) * 4;
    Index forwardTokens = 0;
    QElapsedTimer forwardClock;
    forwardClock.start();

    Index next = s.resumedFrom;
    // Words and warnings of resumed lines are recounted cheaply (alignment only) for the summary.
    for (Index i = 0; i < s.resumedFrom; ++i) {
        const SentenceAlignment a = aligner.align(lines[i]);
        s.words += a.keptWords;
    }
    if (progress && !progress(next, total)) {
        s.cancelled = true;
        return s;
    }
    while (next < total) {
        const Index end = std::min(total, next + window);
        std::vector<SentenceAlignment> aligned;
        aligned.reserve(size_t(end - next));
        for (Index i = next; i < end; ++i) {
            aligned.push_back(aligner.align(lines[i]));
            const SentenceAlignment &a = aligned.back();
            if (int(a.ids.size()) > info.maxPositions)
                throw Error(QStringLiteral("Sentences file %1, line %2: %3 tokens, but the model "
                                           "accepts at most %4 and the tokenizer sets no "
                                           "model_max_length to truncate to.")
                                .arg(quoted(sentencesPath))
                                .arg(i + 1)
                                .arg(a.ids.size())
                                .arg(info.maxPositions));
        }
        std::vector<size_t> order(aligned.size());
        std::iota(order.begin(), order.end(), size_t(0));
        std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) {
            return aligned[x].ids.size() < aligned[y].ids.size();
        });
        std::vector<RowMatrixF> vectors(aligned.size());
        for (size_t b0 = 0; b0 < order.size(); b0 += size_t(batch)) {
            const size_t b1 = std::min(order.size(), b0 + size_t(batch));
            std::vector<std::vector<int>> ids;
            for (size_t j = b0; j < b1; ++j) {
                ids.push_back(aligned[order[j]].ids);
                forwardTokens += Index(aligned[order[j]].ids.size());
            }
            const auto states = model.forward(ids, fwd);
            for (size_t j = b0; j < b1; ++j)
                vectors[order[j]] = aggregateWords(aligned[order[j]], states[j - b0], layers,
                                                   options.aggregation, roundToHalf);
        }
        QStringList keys;
        for (size_t j = 0; j < aligned.size(); ++j) {
            const SentenceAlignment &a = aligned[j];
            const Index lineIndex = next + Index(j);
            const QString key =
                options.keys == KeyStyle::Text ? lines[lineIndex].trimmed() : a.key();
            keys << key;
            if (options.decompose) {
                for (size_t li = 0; li < layers.size(); ++li)
                    writers[li]->append(vectors[j].middleCols(Index(li) * info.hidden, info.hidden),
                                        key);
            } else {
                writers[0]->append(vectors[j], key);
            }
            s.words += a.keptWords;
            if (a.truncated) {
                s.truncatedLines.push_back(lineIndex);
                s.warnings << QStringLiteral("line %1: truncated to the first %2 of %3 words "
                                             "(the model's limit is %4 tokens)")
                                  .arg(lineIndex + 1)
                                  .arg(a.keptWords)
                                  .arg(a.words.size())
                                  .arg(tokenizer.modelMaxLength());
            }
            for (int k = 0; k < a.keptWords; ++k)
                if (a.counts[size_t(k)] == 0) {
                    s.zeroWords.push_back(lineIndex);
                    s.warnings << QStringLiteral("line %1: word %2 ('%3') has no subword in this "
                                                 "tokenizer; its vector is zero (NeuroX's "
                                                 "behaviour)")
                                      .arg(lineIndex + 1)
                                      .arg(k + 1)
                                      .arg(a.words[k]);
                    break;
                }
        }
        for (auto &w : writers)
            w->flush();
        journalOut.record(keys);
        next = end;
        if (progress && !progress(next, total)) {
            s.cancelled = true;
            break;
        }
    }
    s.tokens = forwardTokens;
    const double forwardSeconds = forwardClock.nsecsElapsed() / 1e9;
    s.tokensPerSecond = forwardSeconds > 0 ? double(forwardTokens) / forwardSeconds : 0.0;
    s.sentences = next;
    if (s.cancelled) {
        s.seconds = clock.nsecsElapsed() / 1e9;
        return s; // partial files and journal stay for resuming
    }
    for (auto &w : writers)
        w->finish();
    QFile::remove(journalPath);
    s.outputs = finals;
    s.seconds = clock.nsecsElapsed() / 1e9;
    return s;
}

LoadedModel loadModelAndTokenizer(const QString &modelPath, const QString &tokenizerPath)
{
    LoadedModel m;
    const QFileInfo fi(modelPath);
    if (!fi.exists())
        throw Error(QStringLiteral("Model %1 does not exist; expected a Hugging Face checkpoint "
                                   "folder or a llama2.c .bin file.")
                        .arg(quoted(modelPath)));
    m.model = loadTransformer(modelPath);
    if (m.model->info().modelType == QLatin1String("llama2.c")) {
        QString tok = tokenizerPath;
        if (tok.isEmpty())
            tok = fi.absoluteDir().filePath(QStringLiteral("tokenizer.bin"));
        if (!QFileInfo::exists(tok))
            throw Error(QStringLiteral("llama2.c model %1 needs its tokenizer: %2 does not exist; "
                                       "give the tokenizer file (e.g. tok512.bin) with "
                                       "--tokenizer.")
                            .arg(quoted(modelPath), quoted(tok)));
        m.tokenizer = loadLlama2cTokenizer(tok, m.model->info().maxPositions);
    } else {
        const QString folder = fi.isDir() ? fi.absoluteFilePath() : fi.absolutePath();
        m.tokenizer = tokenizerPath.isEmpty()
                          ? loadHfTokenizer(folder, m.model->info().modelType)
                          : loadHfTokenizer(tokenizerPath, m.model->info().modelType);
    }
    if (m.tokenizer->vocabSize() > m.model->info().vocabSize)
        throw Error(QStringLiteral("The tokenizer (%1) has %2 tokens but the model %3 only %4 "
                                   "embeddings: they do not belong together.")
                        .arg(m.tokenizer->describe())
                        .arg(m.tokenizer->vocabSize())
                        .arg(quoted(modelPath))
                        .arg(m.model->info().vocabSize));
    return m;
}

} // namespace salient::model
