// salient-cli extract: activations from a model checkpoint, as NeuroX's transformers_extractor
// writes them (core/include/salient/model/extract.h). Progress on stderr, JSON summary on stdout.
#include "salient/model/extract.h"
#include "salient/util/runtime.h"

#include "cli_p.h"

#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonObject>
#include <cstdio>

using namespace salient;
using namespace salient::model;

namespace cli {

namespace {

QJsonArray lineArray(const std::vector<Index> &v)
{
    QJsonArray a;
    for (Index x : v)
        a.append(qint64(x) + 1); // 1-based, like every line number the CLI prints
    return a;
}

} // namespace

int cmdExtract(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Extract per-word activations of a model, exactly as NeuroX's transformers_extractor\n"
        "does (layer 0 = embeddings, special tokens dropped, words aligned through context\n"
        "strings, long sentences truncated with a warning naming the line), into a NeuroX HDF5\n"
        "file. Models: a Hugging Face folder (config.json + model.safetensors + tokenizer.json;\n"
        "BERT, RoBERTa/XLM-R/CamemBERT, ELECTRA, GPT-2, Llama/Mistral-style) or a llama2.c .bin\n"
        "checkpoint with its tokenizer.bin. The output is written streamed and appears only when\n"
        "complete; an interrupted run leaves OUT.partial + OUT.partial.journal and the same\n"
        "command resumes it. Prints a JSON summary on stdout. Details: docs/extraction.md."));
    addModelOptions(p);
    p.addOption({QStringLiteral("sentences"),
                 QStringLiteral("UTF-8 text, one sentence per line, words separated by spaces"),
                 QStringLiteral("FILE")});
    p.addOption(
        {QStringLiteral("out"), QStringLiteral("output .hdf5 file"), QStringLiteral("FILE")});
    p.addOption({QStringLiteral("aggregation"),
                 QStringLiteral("subwords → word: first, last (default, NeuroX's) or average"),
                 QStringLiteral("first|last|average")});
    p.addOption({QStringLiteral("dtype"),
                 QStringLiteral("stored type: float32 (default) or float16 (rounds every token "
                                "before averaging, like NeuroX)"),
                 QStringLiteral("T")});
    p.addOption({QStringLiteral("layers"),
                 QStringLiteral("stack indices to keep, in this order (0 = embeddings), e.g. "
                                "12,0 or 0-3 (default: all)"),
                 QStringLiteral("LIST")});
    p.addOption({QStringLiteral("decompose"),
                 QStringLiteral("one file OUT-layer<k>.hdf5 per kept layer (NeuroX's "
                                "--decompose_layers)")});
    p.addOption({QStringLiteral("last-layer"),
                 QStringLiteral("the last stack entry: norm (Hugging Face's hidden_states: after "
                                "the final norm; default for HF checkpoints) or raw (the residual "
                                "stream; default for llama2.c, as ../shared/data was extracted)"),
                 QStringLiteral("norm|raw")});
    p.addOption({QStringLiteral("keys"),
                 QStringLiteral("sentence_to_index keys: tokens (NeuroX: the words' subword "
                                "tokens, default) or text (the input line)"),
                 QStringLiteral("tokens|text")});
    p.addOption({QStringLiteral("batch"), QStringLiteral("sentences per forward pass (default 16)"),
                 QStringLiteral("N")});
    p.addOption({QStringLiteral("threads"), QStringLiteral("cores to use (default all)"),
                 QStringLiteral("N")});
    p.addOption({QStringLiteral("restart"),
                 QStringLiteral("discard a partial extraction at OUT instead of resuming it")});
    parseCommandLine(p, args, QStringLiteral("extract"));
    requirePositionals(p, QStringLiteral("extract"), 0, 0, {});
    for (const char *required : {"model", "sentences", "out"})
        if (!p.isSet(QLatin1String(required)))
            throw Error(QStringLiteral("extract: --%1 is required (salient-cli extract --help)")
                            .arg(QLatin1String(required)));
    applyThreadsOption(p);

    ExtractOptions o;
    if (p.isSet(QStringLiteral("aggregation")))
        o.aggregation = parseAggregation(p.value(QStringLiteral("aggregation")));
    const QString dtype = p.value(QStringLiteral("dtype"));
    if (dtype == QLatin1String("float16"))
        o.dtype = DType::Float16;
    else if (!dtype.isEmpty() && dtype != QLatin1String("float32"))
        throw Error(QStringLiteral("extract: --dtype %1: expected float32 or float16").arg(dtype));
    if (p.isSet(QStringLiteral("layers")))
        o.layers = parseList(p.value(QStringLiteral("layers")), QStringLiteral("layers"));
    o.decompose = p.isSet(QStringLiteral("decompose"));
    const QString last = p.value(QStringLiteral("last-layer"));
    if (last == QLatin1String("norm"))
        o.lastLayer = LastLayer::FinalNorm;
    else if (last == QLatin1String("raw"))
        o.lastLayer = LastLayer::Raw;
    else if (!last.isEmpty())
        throw Error(QStringLiteral("extract: --last-layer %1: expected norm or raw").arg(last));
    const QString keys = p.value(QStringLiteral("keys"));
    if (keys == QLatin1String("text"))
        o.keys = KeyStyle::Text;
    else if (!keys.isEmpty() && keys != QLatin1String("tokens"))
        throw Error(QStringLiteral("extract: --keys %1: expected tokens or text").arg(keys));
    o.batchSentences = int(parseInt(p, QStringLiteral("batch"), 16, 1, 4096));
    o.threads = computeThreads();
    o.restart = p.isSet(QStringLiteral("restart"));

    QElapsedTimer loadClock;
    loadClock.start();
    const LoadedModel m = loadModelAndTokenizer(p.value(QStringLiteral("model")),
                                                p.value(QStringLiteral("tokenizer")));
    const double loadSeconds = loadClock.nsecsElapsed() / 1e9;
    const ModelInfo &info = m.model->info();
    err(QStringLiteral("extract: %1 (%2, %3 blocks × %4, %5 weights) with %6")
            .arg(info.source, familyName(info.family))
            .arg(info.layers)
            .arg(info.hidden)
            .arg(info.weightDtype, m.tokenizer->describe()));

    ProgressThrottle throttle;
    const ExtractSummary s = extractActivations(
        *m.model, *m.tokenizer, p.value(QStringLiteral("sentences")),
        p.value(QStringLiteral("out")), o, [&](Index done, Index total) {
            if (throttle.due(done, total)) {
                const double secs = throttle.seconds();
                const double eta = done > 0 ? secs * double(total - done) / double(done) : 0.0;
                std::fprintf(stderr, "extract: %lld / %lld sentences, %.0f s, ETA %.0f s\n",
                             static_cast<long long>(done), static_cast<long long>(total), secs,
                             eta);
            }
            return true;
        });
    for (const QString &w : s.warnings)
        err(QStringLiteral("warning: %1: %2").arg(p.value(QStringLiteral("sentences")), w));

    QJsonObject j;
    j[QStringLiteral("model")] = s.model;
    j[QStringLiteral("family")] = s.family;
    j[QStringLiteral("model_type")] = info.modelType;
    j[QStringLiteral("tokenizer")] = s.tokenizer;
    j[QStringLiteral("weights")] = info.weightDtype;
    j[QStringLiteral("model_layers")] = s.modelLayers;
    j[QStringLiteral("layers")] = intArray(s.layers);
    j[QStringLiteral("dims")] = s.hidden;
    j[QStringLiteral("aggregation")] = aggregationName(o.aggregation);
    j[QStringLiteral("dtype")] = dtypeName(o.dtype);
    j[QStringLiteral("sentences")] = qint64(s.sentences);
    j[QStringLiteral("words")] = qint64(s.words);
    j[QStringLiteral("tokens")] = qint64(s.tokens);
    j[QStringLiteral("truncated_lines")] = lineArray(s.truncatedLines);
    j[QStringLiteral("zero_vector_lines")] = lineArray(s.zeroWords);
    j[QStringLiteral("resumed_from")] = qint64(s.resumedFrom);
    j[QStringLiteral("tokens_per_second")] = s.tokensPerSecond;
    j[QStringLiteral("seconds")] = s.seconds;
    j[QStringLiteral("load_seconds")] = loadSeconds;
    j[QStringLiteral("threads")] = o.threads;
    j[QStringLiteral("outputs")] = QJsonArray::fromStringList(s.outputs);
    printJson(j);
    return s.cancelled ? 3 : 0;
}

} // namespace cli
