#pragma once
// Reads every sentence of an opened store (bounded), all layers and a layer subset, the way
// buildDataset does (rows landing inside a wider matrix through the stride).
#include "fuzz_common.h"
#include "salient/io/activationstore.h"
#include "salient/util/error.h"

#include <algorithm>

#include <vector>

namespace salient::fuzz {

inline void readAll(const ActivationStore &store)
{
    const StoreInfo &info = store.info();
    const long long neurons = (long long)info.layers * info.dims;
    if (info.layers <= 0 || info.dims <= 0)
        return;
    std::vector<float> buf;
    const long long n = std::min<long long>(info.sentences, kMaxSentencesRead);
    for (long long i = 0; i < n; ++i) {
        const long long words =
            i < (long long)info.wordsPerSentence.size() ? info.wordsPerSentence[size_t(i)] : 0;
        if (words < 0 || neurons > kMaxFloatsPerRead || words * (neurons + 1) > kMaxFloatsPerRead)
            continue;
        try {
            buf.assign(size_t(words * (neurons + 1)) + 1, 0.f);
            store.readSentence(Index(i), buf.data(), Index(neurons + 1));
            std::vector<int> subset{info.layers - 1};
            if (info.layers > 1)
                subset.push_back(0);
            const long long sub = (long long)subset.size() * info.dims;
            store.readSentence(Index(i), buf.data(), Index(sub));
        } catch (const Error &) {
            // A clean, named error for a damaged record: what we want.
        }
    }
    // Out-of-range record: must be a clean error too.
    try {
        float dummy[1];
        store.readSentence(Index(info.sentences), dummy, 1);
    } catch (const Error &) {
    }
}

} // namespace salient::fuzz
