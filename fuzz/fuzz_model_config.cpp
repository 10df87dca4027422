// libFuzzer target: config.json parsing (core/src/model/modelconfig.cpp parseModelConfig).
// Input: the bytes of a config.json. An accepted config must have the invariants the forward
// passes rely on (positive sizes, heads dividing the attention width, even RoPE head size, GQA
// groups); anything else aborts (a validation bug).
#include "fuzz_common.h"
#include "salient/model/modelconfig.h"
#include "salient/util/error.h"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    using namespace salient;
    using namespace salient::model;
    (void)fuzz::scratchDir(); // quiet Qt messages
    try {
        const ModelConfig c =
            parseModelConfig(QByteArray(reinterpret_cast<const char *>(data), qsizetype(size)),
                             QStringLiteral("config.json"));
        if (c.vocabSize < 1 || c.hidden < 1 || c.layers < 1 || c.heads < 1 || c.kvHeads < 1
            || c.headDim < 1 || c.intermediate < 1 || c.embeddingSize < 1
            || c.maxPositionEmbeddings < 1)
            std::abort();
        if (c.heads % c.kvHeads != 0)
            std::abort();
        if (c.family == Family::Llama ? c.headDim % 2 != 0 : c.headDim * c.heads != c.hidden)
            std::abort();
        if (c.family == Family::Roberta && c.maxPositionEmbeddings <= c.padTokenId + 1)
            std::abort();
        if (!(c.normEps >= 0.0))
            std::abort();
    } catch (const Error &) {
    }
    return 0;
}
