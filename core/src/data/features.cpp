#include "salient/data/features.h"

#include "salient/util/error.h"
#include "salient/util/float16.h"
#include "salient/util/runtime.h"

#include <QFile>
#include <QRegularExpression>
#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <mutex>
#include <numeric>
#include <thread>
#include <utility>

namespace salient {

QString storageModeName(StorageMode m)
{
    switch (m) {
    case StorageMode::Auto:
        return QStringLiteral("auto");
    case StorageMode::Float32:
        return QStringLiteral("float32");
    case StorageMode::Float16:
        return QStringLiteral("float16");
    case StorageMode::Streamed:
        return QStringLiteral("stream");
    }
    return QStringLiteral("auto");
}

StorageMode parseStorageMode(const QString &name)
{
    const QString n = name.trimmed().toLower();
    if (n == QLatin1String("auto"))
        return StorageMode::Auto;
    if (n == QLatin1String("float32") || n == QLatin1String("f32"))
        return StorageMode::Float32;
    if (n == QLatin1String("float16") || n == QLatin1String("f16") || n == QLatin1String("half"))
        return StorageMode::Float16;
    if (n == QLatin1String("stream") || n == QLatin1String("streamed"))
        return StorageMode::Streamed;
    throw Error(
        QStringLiteral("unknown storage mode '%1' (expected auto, float32, float16 or stream)")
            .arg(name));
}

quint64 defaultMemoryBudget()
{
    const quint64 avail = quint64(std::max<std::int64_t>(0, availableMemoryBytes()));
    const quint64 floor = quint64(256) << 20;
    return avail == 0 ? quint64(4) << 30 : std::max(floor, quint64(double(avail) * 0.7));
}

quint64 parseByteSize(const QString &text)
{
    static const QRegularExpression re(
        QStringLiteral("^\\s*([0-9]+(?:\\.[0-9]+)?)\\s*([kKmMgGtT]?)(i?)[bB]?\\s*$"));
    const QRegularExpressionMatch m = re.match(text);
    if (!m.hasMatch())
        throw Error(QStringLiteral("'%1' is not a size (expected e.g. 512M, 8G, 1.5GiB or bytes)")
                        .arg(text));
    const double value = m.captured(1).toDouble();
    const QString unit = m.captured(2).toUpper();
    const double base = m.captured(3).isEmpty() && !unit.isEmpty() ? 1000.0 : 1024.0;
    int power = 0;
    if (unit == QLatin1String("K"))
        power = 1;
    else if (unit == QLatin1String("M"))
        power = 2;
    else if (unit == QLatin1String("G"))
        power = 3;
    else if (unit == QLatin1String("T"))
        power = 4;
    const double bytes = value * std::pow(base, power);
    if (!(bytes >= 1) || bytes > 1e18)
        throw Error(QStringLiteral("size '%1' is out of range").arg(text));
    return quint64(bytes);
}

QString formatBytes(double bytes)
{
    const char *units[] = {"B", "kB", "MB", "GB", "TB"};
    int u = 0;
    while (bytes >= 1000.0 && u < 4) {
        bytes /= 1000.0;
        ++u;
    }
    return QStringLiteral("%1 %2").arg(bytes, 0, 'f', u == 0 ? 0 : 1).arg(QLatin1String(units[u]));
}

QString StoragePlan::summary() const
{
    QString how;
    switch (mode) {
    case StorageMode::Float16:
        how = QStringLiteral("in memory (float16)");
        break;
    case StorageMode::Streamed:
        how = QStringLiteral("streamed from disk");
        break;
    default:
        how = QStringLiteral("in memory (float32)");
        break;
    }
    return QStringLiteral("%1: %2 resident of %3 float32 data, budget %4")
        .arg(how, formatBytes(residentBytes), formatBytes(float32Bytes),
             formatBytes(double(budgetBytes)));
}

StoragePlan planStorage(StorageMode requested, double values, quint64 budgetBytes)
{
    StoragePlan plan;
    plan.float32Bytes = values * 4.0;
    plan.budgetBytes = budgetBytes;
    plan.mode = requested;
    if (requested == StorageMode::Auto)
        plan.mode =
            plan.float32Bytes <= double(budgetBytes) ? StorageMode::Float32 : StorageMode::Streamed;
    plan.residentBytes = plan.mode == StorageMode::Float32   ? plan.float32Bytes
                         : plan.mode == StorageMode::Float16 ? plan.float32Bytes / 2.0
                                                             : 0.0;
    return plan;
}

void gatherDenseRows(const Eigen::Ref<const RowMatrixF> &X, const Index *order, Index n,
                     const NeuronList &columns, RowMatrixF &out)
{
    if (columns.empty()) {
        for (Index i = 0; i < n; ++i)
            out.row(i) = X.row(order[i]);
        return;
    }
    const Index k = Index(columns.size());
    const int *cols = columns.data();
    for (Index i = 0; i < n; ++i) {
        const float *src = X.row(order[i]).data();
        float *dst = out.row(i).data();
        for (Index j = 0; j < k; ++j)
            dst[j] = src[cols[j]];
    }
}

namespace {

/// Batches of an in-memory source, gathered synchronously by @p fill(order, n, out).
template <typename Fill> class SyncReader final : public BatchReader {
public:
    SyncReader(std::vector<Index> order, Index batch, Index width, Fill fill)
        : m_order(std::move(order)), m_batch(std::max<Index>(1, batch)), m_width(width),
          m_fill(std::move(fill))
    {
    }
    Index next(RowMatrixF &out) override
    {
        const Index total = Index(m_order.size());
        if (m_pos >= total)
            return 0;
        const Index n = std::min(m_batch, total - m_pos);
        if (out.rows() < m_batch || out.cols() != m_width)
            out.resize(m_batch, m_width);
        m_fill(m_order.data() + m_pos, n, out);
        m_pos += n;
        return n;
    }

private:
    std::vector<Index> m_order;
    Index m_batch, m_width;
    Fill m_fill;
    Index m_pos = 0;
};

template <typename Fill>
std::unique_ptr<BatchReader> makeSyncReader(std::vector<Index> order, Index batch, Index width,
                                            Fill fill)
{
    return std::make_unique<SyncReader<Fill>>(std::move(order), batch, width, std::move(fill));
}

void checkOrder(const std::vector<Index> &order, Index rows, Index cols, const NeuronList &columns)
{
    for (Index r : order)
        if (r < 0 || r >= rows)
            throw Error(QStringLiteral("row %1 is outside the %2 rows of the activation matrix")
                            .arg(r)
                            .arg(rows));
    for (int c : columns)
        if (c < 0 || c >= cols)
            throw Error(QStringLiteral("column %1 is outside the %2 neurons").arg(c).arg(cols));
}

} // namespace

std::unique_ptr<BatchReader> DenseSource::read(std::vector<Index> order, Index batch,
                                               NeuronList columns) const
{
    checkOrder(order, rows(), cols(), columns);
    const Index width = columns.empty() ? cols() : Index(columns.size());
    const Eigen::Ref<const RowMatrixF> &X = m_X;
    return makeSyncReader(
        std::move(order), batch, width,
        [&X, columns = std::move(columns)](const Index *idx, Index n, RowMatrixF &out) {
            gatherDenseRows(X, idx, n, columns, out);
        });
}

std::unique_ptr<BatchReader> HalfSource::read(std::vector<Index> order, Index batch,
                                              NeuronList columns) const
{
    checkOrder(order, rows(), cols(), columns);
    const Index width = columns.empty() ? cols() : Index(columns.size());
    const HalfMatrix &X = m_X;
    return makeSyncReader(
        std::move(order), batch, width,
        [&X, columns = std::move(columns)](const Index *idx, Index n, RowMatrixF &out) {
            if (columns.empty()) {
                for (Index i = 0; i < n; ++i)
                    halfsToFloat(X.row(idx[i]), out.row(i).data(), X.cols);
                return;
            }
            thread_local std::vector<float> row;
            row.resize(std::size_t(X.cols));
            const Index k = Index(columns.size());
            for (Index i = 0; i < n; ++i) {
                halfsToFloat(X.row(idx[i]), row.data(), X.cols);
                float *dst = out.row(i).data();
                for (Index j = 0; j < k; ++j)
                    dst[j] = row[std::size_t(columns[std::size_t(j)])];
            }
        });
}

// ---- streamed rows

namespace {

/**
 * Read-ahead reader: a producer thread reads batches into a pool of @p depth buffers; next()
 * swaps the ready buffer with the caller's (no copy) and returns the caller's old buffer to the
 * pool. Memory: (depth + 1) × batch × width floats, plus one full-width scratch batch when a
 * column subset is read.
 */
class StreamReader final : public BatchReader {
public:
    StreamReader(std::shared_ptr<const ActivationStore> store,
                 const std::vector<Index> &rowSentence, const std::vector<int> &rowWord,
                 std::vector<int> layers, Index fullWidth, std::vector<Index> order, Index batch,
                 NeuronList columns, int depth, std::shared_ptr<std::atomic<quint64>> bytesRead)
        : m_store(std::move(store)), m_rowSentence(rowSentence), m_rowWord(rowWord),
          m_layers(std::move(layers)), m_fullWidth(fullWidth), m_order(std::move(order)),
          m_batch(std::max<Index>(1, batch)), m_columns(std::move(columns)),
          m_width(m_columns.empty() ? fullWidth : Index(m_columns.size())),
          m_bytesRead(std::move(bytesRead))
    {
        for (int i = 0; i < std::max(1, depth); ++i)
            m_free.emplace_back();
        m_thread = std::thread([this] { produce(); });
    }

    ~StreamReader() override
    {
        {
            const std::lock_guard<std::mutex> lock(m_mutex);
            m_stop = true;
        }
        m_cv.notify_all();
        m_thread.join();
    }

    Index next(RowMatrixF &out) override
    {
        std::unique_lock<std::mutex> lock(m_mutex);
        m_cv.wait(lock, [this] { return !m_ready.empty() || m_error || m_finished; });
        if (m_error)
            std::rethrow_exception(m_error);
        if (m_ready.empty())
            return 0;
        Ready r = std::move(m_ready.front());
        m_ready.pop_front();
        out.swap(r.buffer);
        m_free.push_back(std::move(r.buffer)); // the caller's previous buffer (any size)
        lock.unlock();
        m_cv.notify_all();
        return r.rows;
    }

private:
    struct Ready {
        RowMatrixF buffer;
        Index rows = 0;
    };

    void produce()
    {
        try {
            const Index total = Index(m_order.size());
            RowMatrixF full; // full-width rows when a column subset is read
            for (Index start = 0; start < total; start += m_batch) {
                RowMatrixF buffer;
                {
                    std::unique_lock<std::mutex> lock(m_mutex);
                    m_cv.wait(lock, [this] { return m_stop || !m_free.empty(); });
                    if (m_stop)
                        return;
                    buffer = std::move(m_free.front());
                    m_free.pop_front();
                }
                const Index n = std::min(m_batch, total - start);
                if (buffer.rows() < m_batch || buffer.cols() != m_width)
                    buffer.resize(m_batch, m_width);
                RowMatrixF *target = &buffer;
                if (!m_columns.empty()) {
                    if (full.rows() < m_batch || full.cols() != m_fullWidth)
                        full.resize(m_batch, m_fullWidth);
                    target = &full;
                }
                readRows(m_order.data() + start, n, *target);
                if (!m_columns.empty()) {
                    const Index k = Index(m_columns.size());
                    for (Index i = 0; i < n; ++i) {
                        const float *src = full.row(i).data();
                        float *dst = buffer.row(i).data();
                        for (Index j = 0; j < k; ++j)
                            dst[j] = src[m_columns[std::size_t(j)]];
                    }
                }
                {
                    const std::lock_guard<std::mutex> lock(m_mutex);
                    m_ready.push_back({std::move(buffer), n});
                }
                m_cv.notify_all();
            }
        } catch (...) {
            const std::lock_guard<std::mutex> lock(m_mutex);
            m_error = std::current_exception();
        }
        {
            const std::lock_guard<std::mutex> lock(m_mutex);
            m_finished = true;
        }
        m_cv.notify_all();
    }

    /// Rows order[0..n) into out rows 0..n. The rows are read in file order (sorted by record
    /// and word), so that runs of consecutive words of one record are one read whatever their
    /// order in the batch (a block-shuffled batch holds whole blocks, shuffled within), into
    /// m_sorted, then placed in their batch rows.
    void readRows(const Index *order, Index n, RowMatrixF &out)
    {
        m_rank.resize(std::size_t(n));
        std::iota(m_rank.begin(), m_rank.end(), Index(0));
        const auto key = [&](Index i) {
            const Index r = order[i];
            return std::pair(m_rowSentence[std::size_t(r)], m_rowWord[std::size_t(r)]);
        };
        const bool sorted = std::is_sorted(m_rank.begin(), m_rank.end(),
                                           [&](Index a, Index b) { return key(a) < key(b); });
        if (!sorted)
            std::stable_sort(m_rank.begin(), m_rank.end(),
                             [&](Index a, Index b) { return key(a) < key(b); });
        RowMatrixF &dst = sorted ? out : m_sorted;
        if (!sorted && (m_sorted.rows() < n || m_sorted.cols() != out.cols()))
            m_sorted.resize(std::max(n, out.rows()), out.cols());
        Index i = 0;
        while (i < n) {
            const auto [s, w] = key(m_rank[std::size_t(i)]);
            Index run = 1;
            while (i + run < n && key(m_rank[std::size_t(i + run)]) == std::pair(s, w + int(run)))
                ++run;
            m_store->readWords(s, w, int(run), dst.row(i).data(), dst.cols(), m_layers);
            i += run;
        }
        if (!sorted)
            for (Index j = 0; j < n; ++j)
                std::memcpy(out.row(m_rank[std::size_t(j)]).data(), m_sorted.row(j).data(),
                            std::size_t(out.cols()) * sizeof(float));
        if (m_bytesRead)
            m_bytesRead->fetch_add(quint64(n) * quint64(m_fullWidth) * sizeof(float));
    }

    std::shared_ptr<const ActivationStore> m_store;
    const std::vector<Index> &m_rowSentence;
    const std::vector<int> &m_rowWord;
    std::vector<int> m_layers;
    Index m_fullWidth;
    std::vector<Index> m_order;
    Index m_batch;
    NeuronList m_columns;
    Index m_width;
    std::shared_ptr<std::atomic<quint64>> m_bytesRead;
    std::vector<Index> m_rank; // producer thread only: batch positions in file order
    RowMatrixF m_sorted;       // producer thread only: the batch's rows in file order

    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::deque<RowMatrixF> m_free;
    std::deque<Ready> m_ready;
    std::exception_ptr m_error;
    bool m_stop = false;
    bool m_finished = false;
    std::thread m_thread; // last: starts after every member above is constructed
};

} // namespace

StreamedSource::StreamedSource(std::shared_ptr<const ActivationStore> store,
                               const std::vector<Index> &rowSentence,
                               const std::vector<int> &rowWord, std::vector<int> layers, int depth)
    : m_store(std::move(store)), m_rowSentence(rowSentence), m_rowWord(rowWord),
      m_layers(std::move(layers)), m_depth(depth),
      m_bytesRead(std::make_shared<std::atomic<quint64>>(0))
{
    if (!m_store)
        throw Error(QStringLiteral("streamed rows need an open activation store"));
    if (rowSentence.size() != rowWord.size())
        throw Error(QStringLiteral("streamed rows: %1 sentence indices but %2 word positions")
                        .arg(rowSentence.size())
                        .arg(rowWord.size()));
    if (m_layers.empty())
        for (int l = 0; l < m_store->info().layers; ++l)
            m_layers.push_back(l);
    m_cols = Index(m_layers.size()) * m_store->info().dims;
}

std::unique_ptr<BatchReader> StreamedSource::read(std::vector<Index> order, Index batch,
                                                  NeuronList columns) const
{
    checkOrder(order, rows(), cols(), columns);
    return std::make_unique<StreamReader>(m_store, m_rowSentence, m_rowWord, m_layers, m_cols,
                                          std::move(order), batch, std::move(columns), m_depth,
                                          m_bytesRead);
}

quint64 StreamedSource::bytesRead() const
{
    return m_bytesRead->load();
}

} // namespace salient
