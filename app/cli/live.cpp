// salient-cli top-contexts and attach: the model in the loop (docs/live.md). top-contexts streams
// a raw text file through a model and keeps each neuron's top-N contexts
// (core/include/salient/model/topcontexts.h); attach records a model in a session
// (core/include/salient/model/attach.h).
#include "salient/model/attach.h"
#include "salient/model/topcontexts.h"
#include "salient/util/atomicfile.h"
#include "salient/util/runtime.h"

#include "cli_p.h"

#include <QCommandLineParser>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <cstdio>

using namespace salient;
using namespace salient::model;

namespace cli {

int cmdTopContexts(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Top activating contexts of neurons in raw text (no labels): the text is streamed\n"
        "through the model (each non-blank line a sentence, split on spaces; lines longer than\n"
        "--max-words are cut into chunks), with extraction's conventions (docs/extraction.md),\n"
        "and for each neuron the --top chunks with the highest activation are kept in bounded\n"
        "memory. Order: activation descending, then line, then position. Prints (or writes with\n"
        "--out) JSON: per neuron its contexts with the words and the neuron's activation per\n"
        "word. Details: docs/live.md."));
    addModelOptions(p);
    p.addOption(
        {QStringLiteral("text"), QStringLiteral("UTF-8 text file"), QStringLiteral("FILE")});
    p.addOption({QStringLiteral("neurons"),
                 QStringLiteral("layer:unit pairs (layer 0 = embeddings) or NeuroX flat indices "
                                "layer*dims+unit, comma-separated, e.g. 5:3,2:17,131"),
                 QStringLiteral("LIST")});
    p.addOption({QStringLiteral("top"), QStringLiteral("contexts per neuron (default 10)"),
                 QStringLiteral("N")});
    p.addOption({QStringLiteral("max-words"),
                 QStringLiteral("words per chunk; longer lines are cut (default 64)"),
                 QStringLiteral("N")});
    p.addOption({QStringLiteral("batch"), QStringLiteral("chunks per forward pass (default 16)"),
                 QStringLiteral("N")});
    p.addOption({QStringLiteral("threads"), QStringLiteral("cores to use (default all)"),
                 QStringLiteral("N")});
    p.addOption({QStringLiteral("out"),
                 QStringLiteral("write the JSON here (atomically) instead of stdout"),
                 QStringLiteral("FILE.json")});
    parseCommandLine(p, args, QStringLiteral("top-contexts"));
    requirePositionals(p, QStringLiteral("top-contexts"), 0, 0, {});
    for (const char *required : {"model", "text", "neurons"})
        if (!p.isSet(QLatin1String(required)))
            throw Error(
                QStringLiteral("top-contexts: --%1 is required (salient-cli top-contexts --help)")
                    .arg(QLatin1String(required)));
    applyThreadsOption(p);
    TopContextsOptions o;
    o.top = int(parseInt(p, QStringLiteral("top"), 10, 1, 100000));
    o.maxWords = int(parseInt(p, QStringLiteral("max-words"), 64, 1, 100000));
    o.batchSentences = int(parseInt(p, QStringLiteral("batch"), 16, 1, 4096));
    o.threads = computeThreads();
    const QString out = p.value(QStringLiteral("out"));
    if (!out.isEmpty())
        requireOutputFolder(QFileInfo(out).absolutePath());

    const AttachedModel m = attachModel(p.value(QStringLiteral("model")),
                                        p.value(QStringLiteral("tokenizer")), nullptr);
    const std::vector<NeuronId> neurons =
        parseNeuronList(p.value(QStringLiteral("neurons")), m.record.layers, m.record.dims);
    err(QStringLiteral("top-contexts: %1, %2 neurons, top %3")
            .arg(describeSessionModel(m.record))
            .arg(neurons.size())
            .arg(o.top));
    ProgressThrottle throttle;
    const TopContextsResult r = topActivatingContexts(
        m, p.value(QStringLiteral("text")), neurons, o, [&](Index done, Index total) {
            if (throttle.due(done, total))
                std::fprintf(stderr, "top-contexts: %.0f %% of the text, %.0f s\n",
                             total > 0 ? 100.0 * double(done) / double(total) : 100.0,
                             throttle.seconds());
            return true;
        });
    for (const QString &w : r.warnings)
        err(QStringLiteral("warning: %1: %2").arg(p.value(QStringLiteral("text")), w));
    const QByteArray json = QJsonDocument(toJson(r, m.record)).toJson(QJsonDocument::Indented);
    if (out.isEmpty()) {
        std::fputs(json.constData(), stdout);
        std::fflush(stdout);
    } else {
        writeFileAtomic(out, json);
        err(QStringLiteral("top-contexts: wrote %1").arg(out));
    }
    return 0;
}

int cmdAttach(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Attach a model to a session: loads the checkpoint and its tokenizer, fingerprints them\n"
        "(SHA-256), checks that the session's train activation file has the model's layers x\n"
        "dims (and its model_sha256 attribute, when present), and records the model in the\n"
        "session (key \"model\"). Prints the recorded object. Details: docs/live.md."));
    addModelOptions(p);
    parseCommandLine(p, args, QStringLiteral("attach"));
    requirePositionals(p, QStringLiteral("attach"), 1, 1, QStringLiteral("SESSION file"));
    if (!p.isSet(QStringLiteral("model")))
        throw Error(QStringLiteral("attach: --model is required (salient-cli attach --help)"));
    const QString path = p.positionalArguments().front();
    SessionCheck check;
    Session s = loadSession(path, &check);
    for (const QString &c : check.changedInputs)
        err(QStringLiteral("warning: %1").arg(c));
    std::unique_ptr<ActivationStore> store;
    if (!s.demo) {
        const auto it = s.splits.find(QStringLiteral("train"));
        if (it == s.splits.end())
            throw Error(QStringLiteral("attach: %1 has no train split to check the model "
                                       "against.")
                            .arg(path));
        store = ActivationStore::open(it->second[0].path);
    }
    const AttachedModel m =
        attachModel(p.value(QStringLiteral("model")), p.value(QStringLiteral("tokenizer")),
                    store ? &store->info() : nullptr);
    for (const QString &w : m.warnings)
        err(QStringLiteral("warning: %1").arg(w));
    s.model = m.record;
    saveSession(path, s);
    printJson(toJson(m.record));
    return 0;
}

} // namespace cli
