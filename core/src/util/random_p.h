#pragma once
// Private: deterministic seed mixing shared by core's random draws. std::mt19937_64's sequence is
// fixed by the standard; seeds from nearby user seeds are decorrelated with SplitMix64.
#include <QtGlobal>

namespace salient::detail {

/// SplitMix64 finaliser.
inline quint64 mixSeed(quint64 x)
{
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

} // namespace salient::detail
