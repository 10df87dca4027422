#include "salient/probe/batchorder.h"

#include "util/random_p.h"

#include <algorithm>
#include <limits>
#include <numeric>
#include <random>

namespace salient {

namespace {

/// Uniform integer in [0, n), n >= 1, by rejection (no modulo bias, platform independent).
quint64 draw(std::mt19937_64 &rng, quint64 n)
{
    const quint64 limit =
        std::numeric_limits<quint64>::max() - (std::numeric_limits<quint64>::max() % n + 1) % n;
    quint64 r = rng();
    while (r > limit)
        r = rng();
    return r % n;
}

template <typename T> void fisherYates(T *first, std::size_t n, std::mt19937_64 &rng)
{
    for (std::size_t i = n; i > 1; --i)
        std::swap(first[i - 1], first[std::size_t(draw(rng, quint64(i)))]);
}

} // namespace

void blockShuffledPermutation(std::vector<Index> &perm, quint64 seed, quint64 epoch,
                              Index blockRows)
{
    const Index n = Index(perm.size());
    const Index b = std::max<Index>(1, blockRows);
    const Index blocks = (n + b - 1) / b;
    // Its own stream, distinct from the full permutation's engines in probe.cpp.
    std::mt19937_64 rng(detail::mixSeed(detail::mixSeed(seed ^ 0xB10C5B10C5ULL)
                                        ^ detail::mixSeed(0x9E3779B97F4A7C15ULL * (epoch + 1))));
    std::vector<Index> blockOrder(std::size_t(blocks), 0);
    std::iota(blockOrder.begin(), blockOrder.end(), Index(0));
    fisherYates(blockOrder.data(), blockOrder.size(), rng);
    std::size_t at = 0;
    for (const Index block : blockOrder) {
        const Index first = block * b, count = std::min(b, n - first);
        for (Index r = 0; r < count; ++r)
            perm[at + std::size_t(r)] = first + r;
        fisherYates(perm.data() + at, std::size_t(count), rng);
        at += std::size_t(count);
    }
}

} // namespace salient
