#include "salient/data/corpus.h"

#include "salient/util/error.h"
#include "salient/util/float16.h"
#include "salient/util/runtime.h"

#include <QFile>
#include <QFileInfo>
#include <QStringDecoder>
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <exception>
#include <mutex>
#include <omp.h>
#include <random>

namespace salient {

namespace {

// Python's str.isspace(): Unicode White_Space plus the ASCII separators 0x1c-0x1f.
bool isPythonSpace(char32_t c)
{
    switch (c) {
    case 0x09:
    case 0x0a:
    case 0x0b:
    case 0x0c:
    case 0x0d:
    case 0x1c:
    case 0x1d:
    case 0x1e:
    case 0x1f:
    case 0x20:
    case 0x85:
    case 0xa0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202f:
    case 0x205f:
    case 0x3000:
        return true;
    default:
        return c >= 0x2000 && c <= 0x200a;
    }
}

QString fileLine(const QString &path, Index line) // 1-based line numbers for people
{
    return QStringLiteral("%1:%2").arg(path).arg(line + 1);
}

} // namespace

QStringList splitWhitespace(const QString &line)
{
    QStringList out;
    const QList<uint> cps = line.toUcs4();
    QList<uint> current;
    for (uint c : cps) {
        if (isPythonSpace(char32_t(c))) {
            if (!current.isEmpty()) {
                out.push_back(QString::fromUcs4(
                    reinterpret_cast<const char32_t *>(current.constData()), current.size()));
                current.clear();
            }
        } else {
            current.push_back(c);
        }
    }
    if (!current.isEmpty())
        out.push_back(QString::fromUcs4(reinterpret_cast<const char32_t *>(current.constData()),
                                        current.size()));
    return out;
}

TextColumns readTextColumns(const QString &path)
{
    QFileInfo fi(path);
    if (!fi.exists())
        throw Error(QStringLiteral("%1: file not found").arg(path));
    if (!fi.isFile())
        throw Error(QStringLiteral("%1: not a regular file").arg(path));
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        throw Error(QStringLiteral("%1: cannot open: %2").arg(path, f.errorString()));
    const QByteArray bytes = f.readAll();
    TextColumns out;
    out.path = path;
    Index lineNo = 0;
    qsizetype start = 0;
    while (start < bytes.size()) {
        qsizetype end = bytes.indexOf('\n', start);
        if (end < 0)
            end = bytes.size();
        const QByteArray raw = bytes.mid(start, end - start);
        QStringDecoder dec(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
        const QString text = dec.decode(raw);
        if (dec.hasError())
            throw Error(
                QStringLiteral("%1: invalid UTF-8 (expected UTF-8 text, one sentence per line)")
                    .arg(fileLine(path, lineNo)));
        out.lines.push_back(splitWhitespace(text));
        start = end + 1;
        ++lineNo;
    }
    return out;
}

int LabelVocabulary::indexOf(const QString &name) const
{
    const auto it = std::find(names.begin(), names.end(), name);
    return it == names.end() ? -1 : int(it - names.begin());
}

LabelVocabulary LabelVocabulary::fromRowLabels(const std::vector<QString> &rowLabels)
{
    std::map<QString, Index> counts;
    for (const QString &l : rowLabels)
        ++counts[l];
    LabelVocabulary v;
    for (const auto &[l, c] : counts)
        v.names << l;
    std::sort(v.names.begin(), v.names.end(),
              [](const QString &a, const QString &b) { return a.toUtf8() < b.toUtf8(); });
    for (const QString &l : v.names)
        v.trainCounts.push_back(counts[l]);
    return v;
}

QString LabelVocabulary::majority() const
{
    if (trainCounts.empty())
        return {};
    const auto it = std::max_element(trainCounts.begin(), trainCounts.end());
    return names[it - trainCounts.begin()];
}

QString taskTypeName(TaskType t)
{
    return t == TaskType::Regression ? QStringLiteral("regression")
                                     : QStringLiteral("classification");
}

namespace {

// Why record @p record (0-based) was dropped; the raw counts of the three files.
QString mismatchReason(Index record, int rows, int words, int labels, bool sentenceClassification)
{
    if (sentenceClassification)
        return QStringLiteral("sentence %1 has %2 rows in the activations and the line %3 labels; "
                              "sentence classification needs 1 and 1")
            .arg(record)
            .arg(rows)
            .arg(labels);
    if (words != labels) {
        QString r = QStringLiteral("%1 words, %2 labels").arg(words).arg(labels);
        if (rows != words && rows != labels)
            r += QStringLiteral(", %1 rows in the activations").arg(rows);
        return r;
    }
    return QStringLiteral("sentence %1 has %2 rows in the activations, %3 words in the words file")
        .arg(record)
        .arg(rows)
        .arg(words);
}

} // namespace

QString AlignmentReport::mismatchSummary(const QString &split) const
{
    if (mismatches.empty())
        return {};
    QStringList listed;
    for (size_t k = 0; k < std::min<size_t>(kListedMismatches, mismatches.size()); ++k)
        listed << QStringLiteral("%1 (%2)").arg(mismatches[k].line + 1).arg(mismatches[k].reason);
    QString s = QStringLiteral("%1: dropped %2 of %3 lines whose words, labels and activations "
                               "disagree (words %4, labels %5, activations %6): %7 %8")
                    .arg(split)
                    .arg(mismatches.size())
                    .arg(lines)
                    .arg(wordsFile, labelsFile, activationsFile)
                    .arg(mismatches.size() == 1 ? QStringLiteral("line") : QStringLiteral("lines"))
                    .arg(listed.join(QStringLiteral(", ")));
    if (mismatches.size() > size_t(kListedMismatches))
        s += QStringLiteral(" and %1 more").arg(mismatches.size() - size_t(kListedMismatches));
    return s;
}

std::vector<double> layerScales(const Dataset &ds)
{
    const Index cols = ds.neurons();
    const Index n = ds.rows();
    std::vector<double> out(size_t(std::max(0, ds.layers)), 0.0);
    if (n == 0 || cols == 0 || ds.dims <= 0)
        return out;
    // One pass: sums of (x − shift) and its square per neuron, shifted by the first finite value
    // seen (keeps the variance accurate when a neuron's mean is large against its spread).
    Eigen::VectorXd shift = Eigen::VectorXd::Zero(cols), sum = Eigen::VectorXd::Zero(cols),
                    sq = Eigen::VectorXd::Zero(cols);
    Eigen::VectorXd count = Eigen::VectorXd::Zero(cols);
    std::vector<char> shifted(size_t(cols), 0);
    std::vector<Index> order(static_cast<size_t>(n));
    for (Index i = 0; i < n; ++i)
        order[size_t(i)] = i;
    const std::unique_ptr<FeatureSource> source = ds.features(); // outlives its reader
    auto reader = source->read(std::move(order), 4096, {});
    RowMatrixF chunk;
    for (Index got; (got = reader->next(chunk)) > 0;) {
        for (Index r = 0; r < got; ++r) {
            const float *row = chunk.row(r).data();
            for (Index j = 0; j < cols; ++j) {
                const double v = row[j];
                if (!std::isfinite(v))
                    continue;
                if (!shifted[size_t(j)]) {
                    shift[j] = v;
                    shifted[size_t(j)] = 1;
                }
                const double d = v - shift[j];
                sum[j] += d;
                sq[j] += d * d;
                count[j] += 1;
            }
        }
    }
    for (int l = 0; l < ds.layers; ++l) {
        double meanVar = 0;
        int neurons = 0;
        for (int d = 0; d < ds.dims; ++d) {
            const Index j = Index(l) * ds.dims + d;
            if (count[j] <= 0)
                continue;
            const double m = sum[j] / count[j];
            meanVar += std::max(0.0, sq[j] / count[j] - m * m);
            ++neurons;
        }
        out[size_t(l)] = neurons > 0 ? std::sqrt(meanVar / neurons) : 0.0;
    }
    return out;
}

namespace {

Dataset buildDatasetImpl(const QString &name, const ActivationStore &store,
                         std::shared_ptr<const ActivationStore> owner, const TextColumns &tokens,
                         const TextColumns &labels, const DatasetOptions &options,
                         LabelVocabulary &vocab, const LoadProgress &progress)
{
    const StoreInfo &info = store.info();
    const StorageMode mode = options.storage;
    if (mode == StorageMode::Auto)
        throw Error(QStringLiteral("%1: storage mode 'auto' must be resolved before building the "
                                   "%2 split (see planStorage)")
                        .arg(info.path, name));
    if (mode == StorageMode::Streamed && !owner)
        throw Error(QStringLiteral("%1: streamed storage needs the activation store by shared "
                                   "ownership")
                        .arg(info.path));
    const bool classification = options.task == TaskType::Classification;
    const bool isTrain = vocab.names.isEmpty();

    // Line counts must agree before anything else (NeuroX asserts the same, and counts a
    // trailing empty line as a sentence too, so it is not tolerated here either: it is named).
    const auto lastLineNote = [](const TextColumns &t, Index expected) {
        if (Index(t.lines.size()) == expected + 1 && t.lines.back().isEmpty())
            return QStringLiteral("; the last line (%1) is empty: remove it").arg(t.lines.size());
        return QString();
    };
    if (Index(tokens.lines.size()) != info.sentences)
        throw Error(QStringLiteral("%1: %2 lines, but the activation file %3 has %4 sentences "
                                   "(expected one line per sentence)%5")
                        .arg(tokens.path)
                        .arg(tokens.lines.size())
                        .arg(info.path)
                        .arg(info.sentences)
                        .arg(lastLineNote(tokens, info.sentences)));
    if (labels.lines.size() != tokens.lines.size())
        throw Error(QStringLiteral("%1: %2 lines, but the token file %3 has %4 lines%5")
                        .arg(labels.path)
                        .arg(labels.lines.size())
                        .arg(tokens.path)
                        .arg(tokens.lines.size())
                        .arg(lastLineNote(labels, Index(tokens.lines.size()))));

    std::vector<int> layerIds = options.layers;
    if (layerIds.empty())
        for (int l = 0; l < info.layers; ++l)
            layerIds.push_back(l);
    for (int l : layerIds)
        if (l < 0 || l >= info.layers)
            throw Error(QStringLiteral("%1: layer %2 requested, but the file has layers 0..%3")
                            .arg(info.path)
                            .arg(l)
                            .arg(info.layers - 1));

    Dataset ds;
    ds.name = name;
    ds.layers = int(layerIds.size());
    ds.dims = info.dims;
    ds.layerIds = layerIds;
    AlignmentReport &report = ds.report;
    report.wordsFile = tokens.path;
    report.labelsFile = labels.path;
    report.activationsFile = info.path;
    report.lines = info.sentences;

    // Pass 1: per-line checks (spec §3.2) on counts only.
    const int skip = options.ignoreStartToken ? 1 : 0;
    std::vector<Index> kept;
    Index keptRows = 0;
    for (Index i = 0; i < info.sentences; ++i) {
        const int rows = std::max(0, info.wordsPerSentence[size_t(i)] - skip);
        const int nTok = std::max(0, int(tokens.lines[size_t(i)].size()) - skip);
        const int nLab = std::max(0, int(labels.lines[size_t(i)].size()) - skip);
        bool ok;
        if (options.sentenceClassification)
            ok = info.wordsPerSentence[size_t(i)] == 1 && labels.lines[size_t(i)].size() == 1;
        else
            ok = rows == nTok && nLab == rows;
        if (!ok) {
            const int fileRows = info.wordsPerSentence[size_t(i)];
            const int words = int(tokens.lines[size_t(i)].size());
            const int labs = int(labels.lines[size_t(i)].size());
            report.mismatches.push_back(
                {i, fileRows, words, labs,
                 mismatchReason(i, fileRows, words, labs, options.sentenceClassification)});
            continue;
        }
        kept.push_back(i);
        keptRows += options.sentenceClassification ? 1 : rows;
    }
    if (options.maxMismatches > 0 && Index(report.mismatches.size()) >= options.maxMismatches) {
        QStringList first;
        for (size_t k = 0; k < std::min<size_t>(5, report.mismatches.size()); ++k) {
            const auto &m = report.mismatches[k];
            first << QStringLiteral("line %1 (%2)").arg(m.line + 1).arg(m.reason);
        }
        throw Error(
            QStringLiteral("%1 / %2 / %3: too many mismatched lines (%4, limit %5); first: %6")
                .arg(info.path, tokens.path, labels.path)
                .arg(report.mismatches.size())
                .arg(options.maxMismatches)
                .arg(first.join(QStringLiteral("; "))));
    }
    if (kept.empty())
        throw Error(QStringLiteral("%1: no usable sentences (%2 sentences, %3 mismatched lines)")
                        .arg(info.path)
                        .arg(info.sentences)
                        .arg(report.mismatches.size()));

    // Labels → indices or values, before X is allocated (cheap errors first).
    std::vector<QString> rowLabels;
    rowLabels.reserve(size_t(keptRows));
    // Sentence classification: the line's one label is kept even with ignoreStartToken (which
    // drops the first token row only); skipping it left fewer labels than rows (out of bounds).
    const qsizetype firstLabel = options.sentenceClassification ? 0 : skip;
    for (Index i : kept) {
        const QStringList &lab = labels.lines[size_t(i)];
        for (qsizetype w = firstLabel; w < lab.size(); ++w) {
            QString l = lab[w];
            if (classification && !options.binarizedTag.isEmpty())
                l = (l == options.binarizedTag) ? options.binarizedTag : QStringLiteral("OTHER");
            rowLabels.push_back(l);
        }
    }
    VectorF values;
    VectorI classes;
    if (classification) {
        if (isTrain) {
            vocab = LabelVocabulary::fromRowLabels(rowLabels);
            if (!options.binarizedTag.isEmpty()) { // NeuroX: tag → 1, OTHER → 0
                const int tag = vocab.indexOf(options.binarizedTag);
                const int other = vocab.indexOf(QStringLiteral("OTHER"));
                vocab.names = {QStringLiteral("OTHER"), options.binarizedTag};
                vocab.trainCounts = {other >= 0 ? vocab.trainCounts[size_t(other)] : 0,
                                     tag >= 0 ? vocab.trainCounts[size_t(tag)] : 0};
            }
        }
        QString fallback =
            options.unseenLabelFallback.isEmpty() ? vocab.majority() : options.unseenLabelFallback;
        const int fallbackIndex = vocab.indexOf(fallback);
        classes.resize(Index(rowLabels.size()));
        for (size_t r = 0; r < rowLabels.size(); ++r) {
            int k = vocab.indexOf(rowLabels[r]);
            if (k < 0) {
                if (fallbackIndex < 0)
                    throw Error(
                        QStringLiteral(
                            "%1: fallback label '%2' for unseen labels is not a train label")
                            .arg(labels.path, fallback));
                ++report.unseenLabels[rowLabels[r]];
                k = fallbackIndex;
            }
            classes[Index(r)] = k;
        }
        if (!report.unseenLabels.empty()) {
            report.unseenFallback = fallback;
            Index n = 0;
            for (const auto &[l, c] : report.unseenLabels)
                n += c;
            report.warnings << QStringLiteral(
                                   "%1: %2 tokens with %3 labels unseen in train mapped to '%4'")
                                   .arg(labels.path)
                                   .arg(n)
                                   .arg(report.unseenLabels.size())
                                   .arg(fallback);
        }
    } else {
        values.resize(Index(rowLabels.size()));
        size_t r = 0;
        for (Index i : kept) {
            const QStringList &lab = labels.lines[size_t(i)];
            for (qsizetype w = firstLabel; w < lab.size(); ++w, ++r) {
                bool ok = false;
                const double v = lab[w].toDouble(&ok);
                if (!ok || !std::isfinite(v))
                    throw Error(QStringLiteral("%1: token %2 '%3' is not a finite number "
                                               "(regression labels must be numbers)")
                                    .arg(fileLine(labels.path, i))
                                    .arg(w + 1)
                                    .arg(lab[w]));
                values[Index(r)] = float(v);
            }
        }
    }

    // Pass 2: read activations straight into X (float32), or sentence by sentence into a
    // scratch block converted to binary16 (float16) or only checked (streamed: rows are read
    // again per mini-batch), compacting over excluded sentences.
    const Index cols = Index(layerIds.size()) * info.dims;
    ds.storage = mode;
    if (mode == StorageMode::Float32) {
        ds.X.resize(keptRows, cols);
        adviseHugePages(ds.X.data(), size_t(ds.X.size()) * sizeof(float));
    } else if (mode == StorageMode::Float16) {
        ds.X16.rows = keptRows;
        ds.X16.cols = cols;
        ds.X16.data.resize(size_t(keptRows) * size_t(cols));
    } else {
        ds.X.resize(0, cols);
        ds.store = std::move(owner);
    }
    Index halfOverflow = 0;
    // Float32 rows land in X directly. Read all kept records in parallel first (the page faults
    // of a fresh matrix and the copies then use every core), each at its provisional row; the
    // checking pass below compacts over excluded records. Stores are safe to read from several
    // threads (the HDF5 store serialises library calls and reads raw data with preadv).
    const bool parallelDirect =
        mode == StorageMode::Float32 && (skip == 0 || options.sentenceClassification);
    std::vector<Index> provisional(kept.size() + 1, 0);
    if (parallelDirect) {
        for (size_t k = 0; k < kept.size(); ++k) {
            const int fileRows = info.wordsPerSentence[size_t(kept[k])];
            provisional[k + 1] =
                provisional[k]
                + (options.sentenceClassification ? 1 : std::max(0, fileRows - skip));
        }
        std::atomic<Index> done{0};
        std::atomic<bool> stop{false};
        std::exception_ptr error;
        std::mutex errorMutex;
        const int n = int(kept.size());
#pragma omp parallel for schedule(dynamic, 8) num_threads(std::max(1, computeThreads()))
        for (int k = 0; k < n; ++k) {
            if (stop.load(std::memory_order_relaxed))
                continue;
            try {
                if (provisional[size_t(k) + 1] > provisional[size_t(k)])
                    store.readSentence(kept[size_t(k)], ds.X.row(provisional[size_t(k)]).data(),
                                       cols, layerIds);
                const Index d = done.fetch_add(1) + 1;
                if (progress && omp_get_thread_num() == 0 && (d % 64 == 0)
                    && !progress(0.9 * double(d) / double(n))) {
                    std::lock_guard<std::mutex> lock(errorMutex);
                    if (!error)
                        error = std::make_exception_ptr(
                            Error(QStringLiteral("%1: loading cancelled").arg(info.path)));
                    stop.store(true);
                }
            } catch (...) {
                std::lock_guard<std::mutex> lock(errorMutex);
                if (!error)
                    error = std::current_exception();
                stop.store(true);
            }
        }
        if (error)
            std::rethrow_exception(error);
    }
    std::vector<Index> keepRow; // source row (in label arrays) of each X row
    keepRow.reserve(size_t(keptRows));
    RowMatrixF scratch;
    Index cursor = 0, labelRow = 0;
    for (size_t k = 0; k < kept.size(); ++k) {
        const Index s = kept[k];
        const int fileRows = info.wordsPerSentence[size_t(s)];
        const int rows = options.sentenceClassification ? 1 : std::max(0, fileRows - skip);
        if (rows == 0) { // empty line: nothing to read, nothing to label
            ds.sentences.push_back(s);
            continue;
        }
        if (parallelDirect) {
            // Already read at its provisional rows; move up over excluded records (dest < src).
            if (cursor != provisional[k])
                for (Index r = 0; r < rows; ++r)
                    ds.X.row(cursor + r) = ds.X.row(provisional[k] + r);
        } else {
            // The first row is not kept, or X is not float32: read into a scratch block.
            scratch.resize(fileRows, cols);
            store.readSentence(s, scratch.data(), cols, layerIds);
            if (mode == StorageMode::Float32)
                ds.X.middleRows(cursor, rows) = scratch.bottomRows(rows);
        }
        Eigen::Ref<const RowMatrixF> block =
            mode == StorageMode::Float32
                ? Eigen::Ref<const RowMatrixF>(ds.X.middleRows(cursor, rows))
                : Eigen::Ref<const RowMatrixF>(scratch.bottomRows(rows));
        const bool finite = block.allFinite();
        if (!finite) {
            report.nonFiniteSentences.push_back(s);
            for (Index r = 0; r < rows; ++r)
                if (!block.row(r).allFinite())
                    ++report.nonFiniteRows;
        }
        if (finite || options.keepNonFinite) {
            if (mode == StorageMode::Float16) {
                for (Index r = 0; r < rows; ++r) {
                    std::uint16_t *dst = ds.X16.row(cursor + r);
                    floatsToHalf(block.row(r).data(), dst, cols);
                    for (Index j = 0; j < cols; ++j) // finite float32 that became ±inf
                        if ((dst[j] & 0x7fffu) == 0x7c00u && std::isfinite(block(r, j)))
                            ++halfOverflow;
                }
            }
            for (Index r = 0; r < rows; ++r) {
                if ((block.row(r).array() == 0.0f).all())
                    ++report.zeroRows;
                keepRow.push_back(labelRow + r);
                ds.rowSentence.push_back(s);
                ds.rowWord.push_back(int(r) + (options.sentenceClassification ? 0 : skip));
                ds.rowToken.push_back(options.sentenceClassification
                                          ? tokens.lines[size_t(s)].join(QLatin1Char(' '))
                                          : tokens.lines[size_t(s)][r + skip]);
            }
            ds.sentences.push_back(s);
            cursor += rows;
        }
        labelRow += rows;
        if (progress && (k % 64 == 0)
            && !progress((parallelDirect ? 0.9 : 0.0)
                         + (parallelDirect ? 0.1 : 1.0) * double(k + 1) / double(kept.size())))
            throw Error(QStringLiteral("%1: loading cancelled").arg(info.path));
    }
    if (halfOverflow > 0)
        throw Error(QStringLiteral("%1: %2 activation values exceed the float16 range (±65504); "
                                   "use float32 or streamed storage for this file")
                        .arg(info.path)
                        .arg(halfOverflow));
    if (!report.nonFiniteSentences.empty())
        report.warnings << QStringLiteral("%1: %2 sentences (%3 rows) contain NaN/Inf values%4")
                               .arg(info.path)
                               .arg(report.nonFiniteSentences.size())
                               .arg(report.nonFiniteRows)
                               .arg(options.keepNonFinite ? QStringLiteral(" (kept)")
                                                          : QStringLiteral(" and were excluded"));
    if (!report.mismatches.empty())
        report.warnings << report.mismatchSummary(name);

    // Seeded balancing (undersample every class to the smallest present class).
    if (classification && options.balance) {
        std::vector<std::vector<Index>> byClass(size_t(vocab.size()));
        for (size_t r = 0; r < keepRow.size(); ++r)
            byClass[size_t(classes[keepRow[r]])].push_back(Index(r));
        size_t smallest = SIZE_MAX;
        for (const auto &v : byClass)
            if (!v.empty())
                smallest = std::min(smallest, v.size());
        std::mt19937_64 rng(options.seed);
        std::vector<char> keepFlag(keepRow.size(), 0);
        for (auto &v : byClass) {
            for (size_t i = 0; i + 1 < v.size(); ++i) { // Fisher-Yates prefix draw
                const size_t j = i + size_t(rng() % (v.size() - i));
                std::swap(v[i], v[j]);
                if (i + 1 >= smallest)
                    break;
            }
            for (size_t i = 0; i < std::min(smallest, v.size()); ++i)
                keepFlag[size_t(v[i])] = 1;
        }
        Index out = 0;
        for (size_t r = 0; r < keepRow.size(); ++r) {
            if (!keepFlag[r])
                continue;
            if (Index(r) != out) {
                if (mode == StorageMode::Float32)
                    ds.X.row(out) = ds.X.row(Index(r));
                else if (mode == StorageMode::Float16)
                    std::memcpy(ds.X16.row(out), ds.X16.row(Index(r)),
                                size_t(cols) * sizeof(std::uint16_t));
                keepRow[size_t(out)] = keepRow[r];
                ds.rowSentence[size_t(out)] = ds.rowSentence[r];
                ds.rowWord[size_t(out)] = ds.rowWord[r];
                ds.rowToken[size_t(out)] = ds.rowToken[r];
            }
            ++out;
        }
        report.balancedAway = Index(keepRow.size()) - out;
        keepRow.resize(size_t(out));
        cursor = out;
        ds.rowSentence.resize(size_t(out));
        ds.rowWord.resize(size_t(out));
        ds.rowToken.resize(size_t(out));
    }
    if (mode == StorageMode::Float32 && cursor != ds.X.rows())
        ds.X.conservativeResize(cursor, cols);
    if (mode == StorageMode::Float16 && cursor != ds.X16.rows) {
        ds.X16.rows = cursor;
        ds.X16.data.resize(size_t(cursor) * size_t(cols));
        ds.X16.data.shrink_to_fit();
    }
    if (cursor == 0)
        throw Error(QStringLiteral("%1: no usable tokens after excluding non-finite sentences")
                        .arg(info.path));

    if (classification) {
        ds.y.resize(cursor);
        for (Index r = 0; r < cursor; ++r)
            ds.y[r] = classes[keepRow[size_t(r)]];
    } else {
        ds.yValue.resize(cursor);
        for (Index r = 0; r < cursor; ++r)
            ds.yValue[r] = values[keepRow[size_t(r)]];
    }
    return ds;
}

} // namespace

Dataset buildDataset(const QString &name, const ActivationStore &store, const TextColumns &tokens,
                     const TextColumns &labels, const DatasetOptions &options,
                     LabelVocabulary &vocab, const LoadProgress &progress)
{
    return buildDatasetImpl(name, store, nullptr, tokens, labels, options, vocab, progress);
}

Dataset buildDataset(const QString &name, std::shared_ptr<const ActivationStore> store,
                     const TextColumns &tokens, const TextColumns &labels,
                     const DatasetOptions &options, LabelVocabulary &vocab,
                     const LoadProgress &progress)
{
    if (!store)
        throw Error(QStringLiteral("buildDataset: no activation store"));
    const ActivationStore &ref = *store;
    return buildDatasetImpl(name, ref, std::move(store), tokens, labels, options, vocab, progress);
}

std::unique_ptr<FeatureSource> Dataset::features() const
{
    switch (storage) {
    case StorageMode::Float16:
        return std::make_unique<HalfSource>(X16);
    case StorageMode::Streamed:
        return std::make_unique<StreamedSource>(store, rowSentence, rowWord, layerIds);
    default:
        return std::make_unique<DenseSource>(X);
    }
}

const RowMatrixF &Dataset::denseX(const char *analysis) const
{
    if (storage != StorageMode::Float32)
        throw Error(QStringLiteral("%1 needs the %2 activations in memory as float32, but they are "
                                   "held as %3; load with --storage float32 (or a larger memory "
                                   "budget)")
                        .arg(QLatin1String(analysis), name, storageModeName(storage)));
    return X;
}

} // namespace salient
