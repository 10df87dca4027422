#pragma once
// Tokenizers of the model families Salient extracts from (spec/MODELS.md §4): WordPiece (BERT),
// byte-level BPE (GPT-2, RoBERTa), SentencePiece-style BPE with byte fallback (Llama, llama2.c).
// Thread-safety: a loaded Tokenizer is immutable; encode() may be called from several threads.
// Errors: salient::Error naming the file (and the JSON key or byte offset) and what was expected.
#include "salient/util/error.h"

#include <QByteArray>
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
    /// The vocabulary string of @p id (with its `##`, `Ġ`, `▁`, `<0xNN>` artefacts); empty for
    /// ids outside [0, vocabSize()). llama2.c tokens are shown SentencePiece-style like Llama's
    /// tokenizer.json: a space as `▁` (" P" → "▁P"), ids 1/2 as `<s>`/`</s>`.
    virtual QString idToToken(int id) const = 0;
    /**
     * The text of @p ids without cleanup: special (added) tokens skipped; byte-level and
     * `<0xNN>` bytes reassembled as UTF-8; `▁` shown as a space (SentencePiece's dummy-prefix
     * space is kept); WordPiece pieces joined with spaces, `##` continuations glued.
     * Throws salient::Error for ids outside [0, vocabSize()).
     */
    virtual QString decode(const std::vector<int> &ids) const = 0;
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
 * loadHfTokenizer() on bytes: @p tokenizerJson is tokenizer.json, @p tokenizerConfig and
 * @p specialTokensMap the other two files (empty when absent). Errors name @p fileForErrors
 * (the tokenizer.json path) or its sibling config files. Used by the fuzzer and tests.
 */
std::unique_ptr<Tokenizer> parseHfTokenizerJson(const QByteArray &tokenizerJson,
                                                const QByteArray &tokenizerConfig,
                                                const QByteArray &specialTokensMap,
                                                const QString &modelType,
                                                const QString &fileForErrors);

/**
 * llama2.c's tokenizer.bin (int32 max_token_length, then per token: float32 score, int32 length,
 * bytes). Encodes like the SentencePiece BPE of MODELS.md §4.4 (dummy-prefix space, byte
 * fallback, highest-score merges) and adds BOS (id 1); drops ids 1 and 2. @p maxLength is the
 * model's seq_len (its model_max_length).
 */
std::unique_ptr<Tokenizer> loadLlama2cTokenizer(const QString &path, int maxLength);

/// loadLlama2cTokenizer() on the bytes of a tokenizer.bin; errors name @p fileForErrors.
std::unique_ptr<Tokenizer> parseLlama2cTokenizer(const QByteArray &bytes, int maxLength,
                                                 const QString &fileForErrors);

} // namespace salient::model
