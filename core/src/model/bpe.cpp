// BPE (MODELS.md §4.3/4.4): characters → vocabulary ids (byte fallback, fused unknowns), then
// the merge loop of tokenizers' models/bpe/word.rs with a priority queue.
#include "tokenizer_p.h"

#include <queue>

namespace salient::model::detail {

void MergeTable::insert(int left, int right, int rank, int id)
{
    const quint64 k = key(left, right);
    if (!m_map.contains(k))
        m_map.insert(k, Entry{rank, id});
}

void applyMerges(std::vector<int> &ids, const MergeTable &merges)
{
    const int n = int(ids.size());
    if (n < 2)
        return;
    struct Sym {
        int id, prev, next;
        bool alive;
    };
    std::vector<Sym> sym(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i)
        sym[size_t(i)] = {ids[size_t(i)], i - 1, i + 1 < n ? i + 1 : -1, true};
    struct Cand {
        int rank, pos, id;
        bool operator>(const Cand &o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
    };
    std::priority_queue<Cand, std::vector<Cand>, std::greater<Cand>> queue;
    auto consider = [&](int pos) {
        if (pos < 0)
            return;
        const int next = sym[size_t(pos)].next;
        if (next < 0)
            return;
        if (const MergeTable::Entry *e = merges.find(sym[size_t(pos)].id, sym[size_t(next)].id))
            queue.push({e->rank, pos, e->id});
    };
    for (int i = 0; i + 1 < n; ++i)
        consider(i);
    while (!queue.empty()) {
        const Cand top = queue.top();
        queue.pop();
        Sym &s = sym[size_t(top.pos)];
        if (!s.alive || s.next < 0)
            continue;
        const MergeTable::Entry *e = merges.find(s.id, sym[size_t(s.next)].id);
        if (!e || e->id != top.id || e->rank != top.rank)
            continue; // stale: a neighbour changed since this candidate was queued
        Sym &right = sym[size_t(s.next)];
        right.alive = false;
        s.id = top.id;
        s.next = right.next;
        if (s.next >= 0)
            sym[size_t(s.next)].prev = top.pos;
        consider(s.prev);
        consider(top.pos);
    }
    ids.clear();
    for (int i = 0; i >= 0; i = sym[size_t(i)].next)
        ids.push_back(sym[size_t(i)].id);
}

namespace {

class Bpe : public Model {
public:
    explicit Bpe(BpeConfig c) : m_c(std::move(c))
    {
        for (int b = 0; b < 256; ++b)
            m_byteIds[size_t(b)] =
                m_c.vocab.value(byteTokenName(static_cast<unsigned char>(b)), -1);
    }

    void tokenize(const U32 &piece, std::vector<int> &out) const override
    {
        if (piece.empty())
            return;
        const bool cacheable = piece.size() <= kMaxCachedChars;
        QString key;
        if (cacheable) {
            key = fromU32(piece);
            std::lock_guard<std::mutex> lock(m_cacheMutex);
            const auto it = m_cache.constFind(key);
            if (it != m_cache.cend()) {
                out.insert(out.end(), it->begin(), it->end());
                return;
            }
        }
        std::vector<int> ids = encodePiece(piece);
        out.insert(out.end(), ids.begin(), ids.end());
        if (cacheable) {
            std::lock_guard<std::mutex> lock(m_cacheMutex);
            if (m_cache.size() < kCacheCapacity)
                m_cache.insert(key, std::move(ids));
        }
    }

private:
    static constexpr size_t kMaxCachedChars = 256;
    static constexpr qsizetype kCacheCapacity = 10000;

    std::vector<int> encodePiece(const U32 &piece) const
    {
        std::vector<int> ids;
        if (m_c.ignoreMerges) {
            const int whole = m_c.vocab.value(fromU32(piece), -1);
            if (whole >= 0)
                return {whole};
        }
        ids.reserve(piece.size());
        int pendingUnk = -1; // a fused run of unknown characters not yet emitted
        QString s;
        for (size_t i = 0; i < piece.size(); ++i) {
            s.clear();
            if (i > 0)
                s += m_c.prefix;
            s += fromU32(piece.data() + i, piece.data() + i + 1);
            if (i + 1 == piece.size())
                s += m_c.suffix;
            const auto it = m_c.vocab.constFind(s);
            if (it != m_c.vocab.cend()) {
                if (pendingUnk >= 0) {
                    ids.push_back(pendingUnk);
                    pendingUnk = -1;
                }
                ids.push_back(it.value());
                continue;
            }
            if (m_c.byteFallback) {
                // tokenizers: the bytes of the symbol as looked up (prefix/suffix included).
                const QByteArray bytes = s.toUtf8();
                bool all = true;
                for (char b : bytes)
                    all = all && m_byteIds[static_cast<unsigned char>(b)] >= 0;
                if (all) {
                    // As in tokenizers, a pending fused unknown is not flushed first.
                    for (char b : bytes)
                        ids.push_back(m_byteIds[static_cast<unsigned char>(b)]);
                    continue;
                }
            }
            if (m_c.unkId < 0)
                continue; // no unk_token: the character is dropped
            if (pendingUnk >= 0 && !m_c.fuseUnk)
                ids.push_back(pendingUnk);
            pendingUnk = m_c.unkId;
        }
        if (pendingUnk >= 0)
            ids.push_back(pendingUnk);
        applyMerges(ids, m_c.merges);
        return ids;
    }

    BpeConfig m_c;
    std::array<int, 256> m_byteIds{};
    mutable std::mutex m_cacheMutex;
    mutable QHash<QString, std::vector<int>> m_cache;
};

} // namespace

std::unique_ptr<Model> makeBpe(BpeConfig c)
{
    return std::make_unique<Bpe>(std::move(c));
}

} // namespace salient::model::detail
