#pragma once
// Tokenizers of the model families Salient extracts from (spec/MODELS.md §4): WordPiece (BERT),
// byte-level BPE (GPT-2, RoBERTa), SentencePiece-style BPE with byte fallback (Llama, llama2.c).
// Thread-safety: a loaded Tokenizer is immutable; encode() may be called from several threads.
// Errors: salient::Error naming the file (and the JSON key or byte offset) and what was expected.
#include "salient/util/error.h"

#include <QString>
#include <QStringList>
#include <memory>
#include <vector>

namespace salient::model {

class Tokenizer {
public:
    virtual ~Tokenizer() = default;

    /**
     * The token ids of @p text as `PreTrainedTokenizerFast.encode(text, truncation=truncate)`
     * gives them (MODELS.md §4): added tokens cut out, normalizer, pre-tokenizer, model,
     * truncation to modelMaxLength() (only when @p truncate), post-processor special tokens.
     */
    virtual std::vector<int> encode(const QString &text, bool truncate) const = 0;
    /// The vocabulary string of @p id (with its `##`, `Ġ`, `▁`, `<0xNN>` artefacts).
    virtual QString idToToken(int id) const = 0;
    virtual int vocabSize() const = 0;
    /// `model_max_length` (MODELS.md §4.1); values > 1e20 (no limit) are returned as INT_MAX.
    virtual int modelMaxLength() const = 0;
    /**
     * Ids NeuroX drops from a sentence's encoding: the ids of all_special_tokens minus the unk
     * token (MODELS.md §5 step 2), ascending, without duplicates.
     */
    virtual std::vector<int> droppedSpecialIds() const = 0;
    /// One line for summaries and errors: "WordPiece (uncased), 400 tokens, tokenizer.json".
    virtual QString describe() const = 0;
};

/**
 * The tokenizer of a Hugging Face checkpoint folder: tokenizer.json when present (the source of
 * truth), else the classic files (vocab.txt; vocab.json + merges.txt), with special tokens and
 * model_max_length from special_tokens_map.json / tokenizer_config.json. @p modelType is
 * config.json's `model_type` (decides Llama's rebuilt post-processor, §4.1). Unsupported models
 * (Unigram, WordLevel, ...) are refused naming the supported ones.
 */
std::unique_ptr<Tokenizer> loadHfTokenizer(const QString &folder, const QString &modelType);

/**
 * llama2.c's tokenizer.bin (int32 max_token_length, then per token: float32 score, int32 length,
 * bytes). Encodes like the SentencePiece BPE of MODELS.md §4.4 (dummy-prefix space, byte
 * fallback, highest-score merges) and adds BOS (id 1); drops ids 1 and 2. @p maxLength is the
 * model's seq_len (its model_max_length).
 */
std::unique_ptr<Tokenizer> loadLlama2cTokenizer(const QString &path, int maxLength);

} // namespace salient::model
