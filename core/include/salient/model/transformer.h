#pragma once
// Transformer checkpoints and their forward passes on the CPU (spec/MODELS.md §1–3): BERT,
// RoBERTa / XLM-R / CamemBERT position ids, ELECTRA discriminator, GPT-2, Llama (GQA, RoPE,
// SwiGLU; TinyLlama/Mistral-style configs) from a Hugging Face folder (config.json +
// model.safetensors, sharded or not), and llama2.c legacy `.bin` checkpoints.
//
// Contracts: computation is float32 (Eigen). Weights stay where they are stored: safetensors and
// llama2.c files are memory-mapped read-only; F32 matrices are used in place (zero copy); F16/BF16
// matrices stay in their stored precision and are converted to float32 in chunks (≤ 16 MiB of
// scratch) right before each product, so a half-precision checkpoint costs half the memory of a
// float32 one; the conversion costs ~0.04 s per BERT-base forward (85 M weights), a few per cent
// of a 512-token batch. Norm weights and biases are converted once at load. A loaded Transformer
// is immutable: forward() may be called from several threads at once, and uses up to `threads`
// cores itself. Errors: salient::Error naming the file, tensor or config key and what was
// expected (missing/misshapen tensors, unsupported families or config values), raised by
// loadTransformer() (and by forward() for ids outside the vocabulary or too long inputs).
#include "salient/util/error.h"
#include "salient/util/matrix.h"

#include <QString>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

namespace salient::model {

enum class Family { Bert, Roberta, Electra, Gpt2, Llama };
QString familyName(Family f); // "bert", "roberta", "electra", "gpt2", "llama"

/// What the last entry of the hidden-state stack is (MODELS.md §3.2/3.3, data README §3).
enum class LastLayer {
    Default,   ///< FinalNorm for Hugging Face checkpoints, Raw for llama2.c ones
    FinalNorm, ///< HF's hidden_states: the final norm (ln_f / norm) replaces the last block's
               ///< output
    Raw        ///< every entry is the raw residual stream (llama2.c convention of ../shared/data)
};

struct ModelInfo {
    Family family = Family::Bert;
    QString modelType; ///< config.json model_type, or "llama2.c"
    QString source;    ///< the folder or .bin file it was loaded from
    int layers = 0;    ///< transformer blocks; the hidden-state stack has layers + 1 entries
    int hidden = 0;
    int vocabSize = 0;
    int maxPositions = 0;         ///< longest input the model accepts (INT_MAX for RoPE)
    std::int64_t parameters = 0;  ///< number of weights used for hidden states
    std::int64_t weightBytes = 0; ///< their size as stored (F32/F16/BF16)
    QString weightDtype;          ///< "F32", "F16", "BF16" (the dominant stored dtype)
};

struct ForwardOptions {
    LastLayer lastLayer = LastLayer::Default;
    int threads = 0; ///< 0 = computeThreads()
    /**
     * Called after each entry l (0 = embeddings, 1..layers) of the stack is computed, on the
     * forward's thread, with that entry (T × hidden) of sentence @p b, before the next block
     * reads it: a hook may change it (neuron interventions). Empty: no call.
     */
    std::function<void(int b, int l, RowMatrixF &states)> hook;
};

class Transformer {
public:
    virtual ~Transformer() = default;
    virtual const ModelInfo &info() const = 0;
    /**
     * Hidden states of a batch of token-id sequences. The sequences' tokens are packed into one
     * matrix for the dense layers and attention runs per sequence (no padding is computed, which
     * equals padding to the longest with masks), so each result equals the unbatched run up to
     * float rounding. Result [b][l] is T_b × hidden, l = 0..layers; empty sequences give 0 rows.
     * Ids out of the vocabulary or sequences longer than info().maxPositions throw salient::Error.
     */
    virtual std::vector<std::vector<RowMatrixF>>
    forward(const std::vector<std::vector<int>> &batch,
            const ForwardOptions &options = {}) const = 0;
    /**
     * Next-token logits (T × vocab) of one sequence for decoder families (GPT-2, Llama,
     * llama2.c; the LM head or the tied embedding); throws for encoder families or when the
     * checkpoint has no head. @p options.hook applies as in forward().
     */
    virtual RowMatrixF logits(const std::vector<int> &ids,
                              const ForwardOptions &options = {}) const = 0;
};

/**
 * Loads @p path: a Hugging Face checkpoint folder (config.json + model.safetensors or
 * model.safetensors.index.json + shards; a specific `.safetensors` file inside such a folder
 * also works) or a llama2.c legacy checkpoint (`.bin`). Refuses anything else with a message
 * naming the supported layouts and families.
 */
std::unique_ptr<Transformer> loadTransformer(const QString &path);

/**
 * A model of @p family with random weights held in memory (benchmarks, tests): N(0, 0.02)-like
 * uniform matrices and embeddings, unit norm weights, zero biases; deterministic in @p seed.
 * @p kvHeads applies to Llama (GQA) and must divide @p heads; other families use @p heads.
 * BERT-base shape (12 × 768, 12 heads, 3072, vocab 30,522, 512 positions) takes ~440 MB.
 */
std::unique_ptr<Transformer> makeRandomTransformer(Family family, int layers, int hidden, int heads,
                                                   int kvHeads, int intermediate, int vocab,
                                                   int maxPositions, std::uint64_t seed);

} // namespace salient::model
