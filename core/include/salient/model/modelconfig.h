#pragma once
// config.json of a Hugging Face checkpoint (spec/MODELS.md §2), with each class's defaults for
// absent keys. Supported model_type: bert, roberta, xlm-roberta, camembert, electra, gpt2,
// llama, mistral (a Llama with a sliding attention window: inputs longer than the window are
// refused rather than computed differently). Refused: non-null rope_scaling, relative position
// embeddings, unknown activations, other model types.
#include "salient/model/transformer.h"

#include <QByteArray>
#include <QString>

namespace salient::model {

struct ModelConfig {
    Family family = Family::Bert;
    QString modelType;
    int vocabSize = 0;
    int hidden = 0;
    int layers = 0;
    int heads = 0;
    int kvHeads = 0; ///< = heads except Llama GQA
    int headDim = 0; ///< hidden / heads except Llama's explicit head_dim
    int intermediate = 0;
    int maxPositionEmbeddings = 0; ///< BERT family: rows of the position table; GPT-2: n_positions
    int typeVocabSize = 0;
    int padTokenId = 0;
    int embeddingSize = 0; ///< ELECTRA (= hidden for the others)
    QString activation;    ///< "gelu", "gelu_new", "relu", "silu"
    double normEps = 0;
    double ropeTheta = 10000.0;
    bool attentionBias = false;
    bool mlpBias = false;
    bool scaleAttnWeights = true;
    bool scaleAttnByInverseLayerIdx = false;
    bool tieWordEmbeddings = false;
    int slidingWindow = 0; ///< Mistral; 0 = none
};

/**
 * Parses config.json bytes; @p file names it in messages (every message names the key and the
 * expected vs found value). Entry point of the fuzz target fuzz_model_config.
 */
ModelConfig parseModelConfig(const QByteArray &json, const QString &file);

} // namespace salient::model
