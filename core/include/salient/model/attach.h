#pragma once
// A model attached to a session (docs/live.md): the checkpoint the session's activation files came
// from, loaded with its tokenizer, fingerprinted (SHA-256 of its files) and checked against the
// files' layers × dims. The session records it as SessionModel (key "model", session.h).
//
// Threads: every function here reads files and may take seconds (hashing, loading): call them on
// a worker, never on the GUI thread. A loaded AttachedModel is immutable and may be used from
// several threads at once (transformer.h, tokenizer.h).
#include "salient/io/activationstore.h"
#include "salient/model/extract.h"
#include "salient/session/session.h"

#include <memory>

namespace salient::model {

/**
 * The files that make up checkpoint @p modelPath, sorted: a llama2.c .bin itself; for a Hugging
 * Face folder (or a .safetensors file in one) config.json, every *.safetensors and
 * *.safetensors.index.json of the folder. Throws salient::Error when @p modelPath does not exist.
 */
QStringList checkpointFiles(const QString &modelPath);

/**
 * SHA-256 (hex) identifying @p files: the file's own SHA-256 for a single file (so it equals the
 * `model_sha256` attribute NeuroX-style files may carry), otherwise the SHA-256 of the lines
 * "<file name> <sha256>\n" in the given order. Empty when @p progress cancelled. Throws
 * salient::Error naming an unreadable file.
 */
QString filesFingerprint(const QStringList &files, const LoadProgress &progress = {});

/// The tokenizer files a model uses: llama2.c: @p tokenizerPath (default tokenizer.bin beside
/// the model); HF: the tokenizer files present in the folder (tokenizer.json, vocab.txt, ...).
QStringList tokenizerFiles(const QString &modelPath, const QString &tokenizerPath);

/// A model ready to run for a session: what is recorded, and the loaded weights and tokenizer.
struct AttachedModel {
    SessionModel record;
    std::shared_ptr<const Transformer> model;
    std::shared_ptr<const Tokenizer> tokenizer;
    QStringList warnings; ///< e.g. the activation files' model_sha256 attribute is absent
    /// The forward options of the record's last-layer convention (threads: all).
    ForwardOptions forwardOptions() const;
    Aggregation aggregation() const;
};

/**
 * Loads @p modelPath (+ @p tokenizerPath, as loadModelAndTokenizer) and fills the record: absolute
 * paths, fingerprints, kind, layers = blocks + 1, dims = hidden size, the last-layer convention
 * (extract.h: raw for llama2.c, norm for HF) and the aggregation (the activation file's
 * `aggregation` attribute when @p activations has one, else last). Throws salient::Error for a
 * missing or unreadable model, and (modelMismatch) when @p activations (the session's train
 * activation file, may be null) do not fit the model.
 */
AttachedModel attachModel(const QString &modelPath, const QString &tokenizerPath,
                          const StoreInfo *activations);

/**
 * Why activation files described by @p info cannot come from the model @p m (empty = they fit):
 * different dims, a different layer count (files must hold all blocks + 1 layers, e.g. not a
 * --layers subset), or a `model_sha256` attribute that differs from @p m.fingerprint. The text
 * names the file, both shapes and what to do.
 */
QString modelMismatch(const SessionModel &m, const StoreInfo &info);

/**
 * Loads the model a session records and checks that its files are still the ones fingerprinted
 * (throws salient::Error naming the changed file otherwise, or when it is missing).
 */
AttachedModel loadSessionModel(const SessionModel &record);

/// "llama2.c stories260K.bin · 6 layers × 64 · SHA-256 1a2b3c4d…" for reports and status bars.
QString describeSessionModel(const SessionModel &m);

} // namespace salient::model
