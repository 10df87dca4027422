#pragma once
// Private to core/src/probe: the seeded draws of probe training (probe.cpp, blockprobe.cpp) and of
// the block-shuffled batch order (batchorder.cpp). std::mt19937_64's output sequence is fixed by
// the standard; the distributions and std::shuffle are not, so the draws are written out
// explicitly and give the same numbers on every platform. Not installed; core only.
#include "salient/util/matrix.h"

#include "util/random_p.h"

#include <QtGlobal>
#include <limits>
#include <numeric>
#include <random>
#include <utility>
#include <vector>

namespace salient::probe_detail {

/// Engine for initialisation (stream 0) or for the permutation of epoch e (stream e + 1).
inline std::mt19937_64 engineFor(quint64 seed, quint64 stream)
{
    return std::mt19937_64(detail::mixSeed(
        detail::mixSeed(seed) ^ detail::mixSeed(0xD1B54A32D192ED03ULL * (stream + 1))));
}

/// Uniform integer in [0, n), n >= 1, by rejection (no modulo bias, platform independent).
inline quint64 boundedDraw(std::mt19937_64 &rng, quint64 n)
{
    const quint64 limit =
        std::numeric_limits<quint64>::max() - (std::numeric_limits<quint64>::max() % n + 1) % n;
    // limit + 1 is the largest multiple of n that fits (or 2^64 when n divides it).
    quint64 r = rng();
    while (r > limit)
        r = rng();
    return r % n;
}

/// Uniform float in [-k, k): 24 random bits mapped to [0, 1), then scaled.
inline float symmetricDraw(std::mt19937_64 &rng, float k)
{
    const float u = float(rng() >> 40) * (1.0f / 16777216.0f);
    return (2.0f * u - 1.0f) * k;
}

/// Fisher–Yates shuffle of first[0..n) in place.
template <typename T> void fisherYates(T *first, std::size_t n, std::mt19937_64 &rng)
{
    for (std::size_t i = n; i > 1; --i)
        std::swap(first[i - 1], first[std::size_t(boundedDraw(rng, quint64(i)))]);
}

/// Fisher–Yates permutation of 0..n-1 (n = perm.size()).
inline void permutation(std::vector<Index> &perm, std::mt19937_64 &rng)
{
    std::iota(perm.begin(), perm.end(), Index(0));
    fisherYates(perm.data(), perm.size(), rng);
}

/// Row order of epoch @p epoch of a shuffled training (ProbeOptions::shuffle): a full permutation
/// from engineFor(seed, epoch + 1) when @p blockRows is 0, else blockShuffledPermutation
/// (ProbeOptions::shuffleBlockRows). Shared by trainProbe(s) and trainProbeBlock so that both
/// visit the rows in the same order.
void epochOrder(std::vector<Index> &perm, quint64 seed, int epoch, int blockRows);

} // namespace salient::probe_detail
