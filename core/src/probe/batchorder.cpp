#include "salient/probe/batchorder.h"

#include "draws_p.h"

#include <algorithm>
#include <numeric>

namespace salient {

using probe_detail::fisherYates;

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

void probe_detail::epochOrder(std::vector<Index> &perm, quint64 seed, int epoch, int blockRows)
{
    if (blockRows > 0) {
        blockShuffledPermutation(perm, seed, quint64(epoch), blockRows);
        return;
    }
    std::mt19937_64 rng = engineFor(seed, quint64(epoch) + 1);
    permutation(perm, rng);
}

} // namespace salient
