#include "salient/model/modelconfig.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QJsonValue>
#include <cmath>

namespace salient::model {

namespace {

// Upper bounds that keep every derived product (weights, activations) far from overflow.
constexpr int kMaxHidden = 1 << 16;
constexpr int kMaxLayers = 1024;
constexpr int kMaxVocab = 1 << 22;
constexpr int kMaxIntermediate = 1 << 20;
constexpr int kMaxPositions = 1 << 24;

class Keys {
public:
    Keys(const QJsonObject &o, const QString &file) : o_(o), file_(file) {}

    bool has(const char *key) const
    {
        const QJsonValue v = o_.value(QLatin1String(key));
        return !v.isUndefined() && !v.isNull();
    }
    int integer(const char *key, int def, int lo, int hi) const
    {
        const QJsonValue v = o_.value(QLatin1String(key));
        if (v.isUndefined() || v.isNull())
            return def;
        const double d = v.toDouble(std::nan(""));
        if (!v.isDouble() || d != std::floor(d) || d < lo || d > hi)
            throw Error(QStringLiteral("%1: key '%2' must be an integer in [%3, %4], found %5")
                            .arg(file_, QLatin1String(key))
                            .arg(lo)
                            .arg(hi)
                            .arg(show(v)));
        return int(d);
    }
    double number(const char *key, double def, double lo, double hi) const
    {
        const QJsonValue v = o_.value(QLatin1String(key));
        if (v.isUndefined() || v.isNull())
            return def;
        const double d = v.toDouble(std::nan(""));
        if (!v.isDouble() || !(d >= lo && d <= hi))
            throw Error(QStringLiteral("%1: key '%2' must be a number in [%3, %4], found %5")
                            .arg(file_, QLatin1String(key))
                            .arg(lo)
                            .arg(hi)
                            .arg(show(v)));
        return d;
    }
    bool boolean(const char *key, bool def) const
    {
        const QJsonValue v = o_.value(QLatin1String(key));
        if (v.isUndefined() || v.isNull())
            return def;
        if (!v.isBool())
            throw Error(QStringLiteral("%1: key '%2' must be true or false, found %3")
                            .arg(file_, QLatin1String(key), show(v)));
        return v.toBool();
    }
    QString string(const char *key, const QString &def) const
    {
        const QJsonValue v = o_.value(QLatin1String(key));
        if (v.isUndefined() || v.isNull())
            return def;
        if (!v.isString())
            throw Error(QStringLiteral("%1: key '%2' must be a string, found %3")
                            .arg(file_, QLatin1String(key), show(v)));
        return v.toString();
    }
    static QString show(const QJsonValue &v)
    {
        if (v.isString())
            return QLatin1Char('"') + v.toString().left(80) + QLatin1Char('"');
        if (v.isDouble())
            return QString::number(v.toDouble(), 'g', 17);
        if (v.isBool())
            return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
        if (v.isArray())
            return QStringLiteral("an array");
        if (v.isObject())
            return QStringLiteral("an object");
        return QStringLiteral("null");
    }

private:
    const QJsonObject &o_;
    const QString &file_;
};

QString activation(const QString &file, const char *key, const QString &act)
{
    if (act == QLatin1String("gelu"))
        return QStringLiteral("gelu");
    if (act == QLatin1String("gelu_new") || act == QLatin1String("gelu_pytorch_tanh")
        || act == QLatin1String("gelu_fast"))
        return QStringLiteral("gelu_new");
    if (act == QLatin1String("relu"))
        return QStringLiteral("relu");
    if (act == QLatin1String("silu") || act == QLatin1String("swish"))
        return QStringLiteral("silu");
    if (act == QLatin1String("quick_gelu"))
        return QStringLiteral("quick_gelu");
    throw Error(QStringLiteral("%1: key '%2' = \"%3\" is not supported (supported: gelu, gelu_new, "
                               "gelu_pytorch_tanh, gelu_fast, quick_gelu, relu, silu, swish)")
                    .arg(file, QLatin1String(key), act));
}

void checkDivisible(const QString &file, const char *a, int av, const char *b, int bv)
{
    if (bv <= 0 || av % bv != 0)
        throw Error(QStringLiteral("%1: key '%2' (%3) must be a multiple of '%4' (%5)")
                        .arg(file, QLatin1String(a))
                        .arg(av)
                        .arg(QLatin1String(b))
                        .arg(bv));
}

} // namespace

ModelConfig parseModelConfig(const QByteArray &json, const QString &file)
{
    QJsonParseError perr{};
    const QJsonDocument doc = QJsonDocument::fromJson(json, &perr);
    if (perr.error != QJsonParseError::NoError || !doc.isObject())
        throw Error(QStringLiteral("%1: not a JSON object (%2 at byte %3)")
                        .arg(file, perr.error != QJsonParseError::NoError
                                       ? perr.errorString()
                                       : QStringLiteral("not an object"))
                        .arg(perr.offset));
    const QJsonObject o = doc.object();
    const Keys k(o, file);
    ModelConfig c;
    c.modelType = k.string("model_type", QString());
    const QString &t = c.modelType;
    if (t == QLatin1String("bert"))
        c.family = Family::Bert;
    else if (t == QLatin1String("roberta") || t == QLatin1String("xlm-roberta")
             || t == QLatin1String("camembert"))
        c.family = Family::Roberta;
    else if (t == QLatin1String("electra"))
        c.family = Family::Electra;
    else if (t == QLatin1String("gpt2"))
        c.family = Family::Gpt2;
    else if (t == QLatin1String("llama") || t == QLatin1String("mistral"))
        c.family = Family::Llama;
    else
        throw Error(
            QStringLiteral("%1: key 'model_type' = \"%2\" is not supported (supported: bert, "
                           "roberta, xlm-roberta, camembert, electra, gpt2, llama, mistral)")
                .arg(file, t.isEmpty() ? QStringLiteral("(missing)") : t));

    switch (c.family) {
    case Family::Bert:
    case Family::Roberta:
    case Family::Electra: {
        const bool roberta = c.family == Family::Roberta;
        c.vocabSize = k.integer("vocab_size", roberta ? 50265 : 30522, 1, kMaxVocab);
        c.hidden = k.integer("hidden_size", c.family == Family::Electra ? 256 : 768, 1, kMaxHidden);
        c.layers = k.integer("num_hidden_layers", 12, 1, kMaxLayers);
        c.heads =
            k.integer("num_attention_heads", c.family == Family::Electra ? 4 : 12, 1, kMaxHidden);
        c.intermediate = k.integer("intermediate_size", c.family == Family::Electra ? 1024 : 3072,
                                   1, kMaxIntermediate);
        c.activation =
            activation(file, "hidden_act", k.string("hidden_act", QStringLiteral("gelu")));
        c.maxPositionEmbeddings = k.integer("max_position_embeddings", 512, 1, kMaxPositions);
        c.typeVocabSize = k.integer("type_vocab_size", 2, 1, kMaxVocab);
        c.normEps = k.number("layer_norm_eps", 1e-12, 0.0, 1.0);
        c.padTokenId = k.integer("pad_token_id", roberta ? 1 : 0, 0, kMaxVocab);
        c.embeddingSize = c.family == Family::Electra
                              ? k.integer("embedding_size", 128, 1, kMaxHidden)
                              : c.hidden;
        const QString pos = k.string("position_embedding_type", QStringLiteral("absolute"));
        if (pos != QLatin1String("absolute"))
            throw Error(
                QStringLiteral("%1: key 'position_embedding_type' = \"%2\" is not supported "
                               "(only \"absolute\"; relative position embeddings are not)")
                    .arg(file, pos));
        checkDivisible(file, "hidden_size", c.hidden, "num_attention_heads", c.heads);
        c.kvHeads = c.heads;
        c.headDim = c.hidden / c.heads;
        if (roberta && c.maxPositionEmbeddings <= c.padTokenId + 1)
            throw Error(QStringLiteral("%1: key 'max_position_embeddings' (%2) leaves no positions "
                                       "after pad_token_id + 1 (%3)")
                            .arg(file)
                            .arg(c.maxPositionEmbeddings)
                            .arg(c.padTokenId + 1));
        break;
    }
    case Family::Gpt2:
        c.vocabSize = k.integer("vocab_size", 50257, 1, kMaxVocab);
        c.maxPositionEmbeddings = k.integer("n_positions", 1024, 1, kMaxPositions);
        c.hidden = k.integer("n_embd", 768, 1, kMaxHidden);
        c.layers = k.integer("n_layer", 12, 1, kMaxLayers);
        c.heads = k.integer("n_head", 12, 1, kMaxHidden);
        c.intermediate = k.integer("n_inner", 4 * c.hidden, 1, kMaxIntermediate);
        c.activation = activation(file, "activation_function",
                                  k.string("activation_function", QStringLiteral("gelu_new")));
        c.normEps = k.number("layer_norm_epsilon", 1e-5, 0.0, 1.0);
        c.scaleAttnWeights = k.boolean("scale_attn_weights", true);
        c.scaleAttnByInverseLayerIdx = k.boolean("scale_attn_by_inverse_layer_idx", false);
        (void)k.boolean("reorder_and_upcast_attn", false); // rounding only
        checkDivisible(file, "n_embd", c.hidden, "n_head", c.heads);
        c.kvHeads = c.heads;
        c.headDim = c.hidden / c.heads;
        c.embeddingSize = c.hidden;
        break;
    case Family::Llama: {
        const bool mistral = t == QLatin1String("mistral");
        c.vocabSize = k.integer("vocab_size", 32000, 1, kMaxVocab);
        c.hidden = k.integer("hidden_size", 4096, 1, kMaxHidden);
        c.intermediate =
            k.integer("intermediate_size", mistral ? 14336 : 11008, 1, kMaxIntermediate);
        c.layers = k.integer("num_hidden_layers", 32, 1, kMaxLayers);
        c.heads = k.integer("num_attention_heads", 32, 1, kMaxHidden);
        c.kvHeads = k.integer("num_key_value_heads", mistral ? 8 : c.heads, 1, kMaxHidden);
        c.activation =
            activation(file, "hidden_act", k.string("hidden_act", QStringLiteral("silu")));
        c.maxPositionEmbeddings =
            k.integer("max_position_embeddings", mistral ? 4096 * 32 : 2048, 1, kMaxPositions * 64);
        c.normEps = k.number("rms_norm_eps", 1e-6, 0.0, 1.0);
        c.ropeTheta = k.number("rope_theta", 10000.0, 1.0, 1e12);
        c.attentionBias = k.boolean("attention_bias", false);
        c.mlpBias = k.boolean("mlp_bias", false);
        c.tieWordEmbeddings = k.boolean("tie_word_embeddings", false);
        if (k.has("rope_scaling"))
            throw Error(QStringLiteral("%1: key 'rope_scaling' is set; only null (default RoPE "
                                       "frequencies) is supported")
                            .arg(file));
        // Mistral: an absent sliding_window means the class default 4096, null means none.
        if (mistral
            && !(o.contains(QLatin1String("sliding_window"))
                 && o.value(QLatin1String("sliding_window")).isNull()))
            c.slidingWindow = k.integer("sliding_window", 4096, 1, kMaxPositions * 64);
        if (!k.has("head_dim"))
            checkDivisible(file, "hidden_size", c.hidden, "num_attention_heads", c.heads);
        c.headDim = k.integer("head_dim", c.hidden / c.heads, 2, kMaxHidden);
        if (c.headDim % 2 != 0)
            throw Error(QStringLiteral("%1: key 'head_dim' must be even for RoPE, found %2")
                            .arg(file)
                            .arg(c.headDim));
        if (std::int64_t(c.headDim) * c.heads > kMaxHidden * 4)
            throw Error(QStringLiteral("%1: head_dim × num_attention_heads = %2 is too large")
                            .arg(file)
                            .arg(std::int64_t(c.headDim) * c.heads));
        checkDivisible(file, "num_attention_heads", c.heads, "num_key_value_heads", c.kvHeads);
        c.embeddingSize = c.hidden;
        break;
    }
    }
    return c;
}

} // namespace salient::model
