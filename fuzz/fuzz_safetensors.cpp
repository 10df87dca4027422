// libFuzzer target: safetensors header validation (core/src/model/safetensors.cpp
// parseSafetensorsHeader). Input: the bytes of a whole safetensors file. A header that passes must
// describe tensors that lie inside the data section, tile it exactly and have byte sizes equal to
// their element counts times the dtype size; anything else aborts (a validation bug).
#include "fuzz_common.h"
#include "salient/model/safetensors.h"
#include "salient/util/error.h"

#include <algorithm>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    using namespace salient;
    using namespace salient::model;
    (void)fuzz::scratchDir(); // quiet Qt messages
    try {
        const SafetensorsHeader h = parseSafetensorsHeader(
            reinterpret_cast<const char *>(data), size, size, QStringLiteral("fuzz.safetensors"));
        const std::uint64_t dataSize = size - h.dataStart;
        std::uint64_t covered = 0;
        for (const TensorInfo &t : h.tensors) {
            if (t.begin > t.end || t.end > dataSize)
                std::abort();
            if (std::uint64_t(t.elements()) * std::uint64_t(dtypeSize(t.dtype)) != t.end - t.begin)
                std::abort();
            covered += t.end - t.begin;
        }
        if (covered != dataSize)
            std::abort();
    } catch (const Error &) {
    }
    return 0;
}
