// salient-cli intervene / generate: neuron interventions in the model's forward pass
// (core/include/salient/model/intervention.h, the "intervention" analysis; docs/intervention.md).
#include "salient/analyses/pipeline.h"
#include "salient/model/intervention.h"
#include "salient/util/atomicfile.h"

#include "cli_p.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <cstdio>

using namespace salient;
using namespace salient::model;

namespace cli {

int cmdIntervene(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Set neurons of the model to zero, their mean or a value at their layer during the\n"
        "forward pass and measure the session's probe on activations re-extracted with the\n"
        "intervention (dev split, else train) and, for decoders with --text, the model's mean\n"
        "next-token loss: clean, the probe's top-k salient neurons and random-k controls\n"
        "(--draws seeded draws) for each k of --sizes, or a hand-picked list. Writes\n"
        "DIR/intervention.json (keys clean, top, random[, list]), DIR/intervention.curve.csv and\n"
        "DIR/session.json (the input session plus this analysis, which `salient-cli run`\n"
        "replays). Details: docs/intervention.md."));
    p.addPositionalArgument(QStringLiteral("SESSION"),
                            QStringLiteral("session file with a probe result (.json)"));
    addModelOptions(
        p, QStringLiteral("the model the activations came from (HF folder or llama2.c .bin)"));
    p.addOption({QStringLiteral("neurons"),
                 QStringLiteral("top:K (top-k and random-k up to K), random:K (random only) or a "
                                "list of flat indices / layer:unit pairs (default: top:64)"),
                 QStringLiteral("SPEC")});
    p.addOption({QStringLiteral("sizes"),
                 QStringLiteral("the k values, e.g. 1,2,4,8 (default: powers of two up to K)"),
                 QStringLiteral("LIST")});
    p.addOption({QStringLiteral("mode"),
                 QStringLiteral("zero (default), mean (train mean of the neuron) or value:X"),
                 QStringLiteral("MODE")});
    p.addOption({QStringLiteral("text"),
                 QStringLiteral("text file (one passage per line) for the next-token loss "
                                "(decoders)"),
                 QStringLiteral("FILE")});
    p.addOption({QStringLiteral("text-lines"),
                 QStringLiteral("use at most N lines of --text (default 200)"),
                 QStringLiteral("N")});
    p.addOption({QStringLiteral("max-sentences"),
                 QStringLiteral("re-extract at most N sentences of the split (default: all)"),
                 QStringLiteral("N")});
    p.addOption({QStringLiteral("split"),
                 QStringLiteral("split the probe is measured on (default dev, else train)"),
                 QStringLiteral("NAME")});
    p.addOption({QStringLiteral("draws"), QStringLiteral("random draws per k (default 3)"),
                 QStringLiteral("N")});
    p.addOption({QStringLiteral("seed"), QStringLiteral("seed of the random draws (default 1)"),
                 QStringLiteral("S")});
    p.addOption({QStringLiteral("aggregation"),
                 QStringLiteral("subwords → word as the activation file: first, last (default) "
                                "or average"),
                 QStringLiteral("A")});
    p.addOption({QStringLiteral("out"), QStringLiteral("output folder"), QStringLiteral("DIR")});
    p.addOption({QStringLiteral("threads"), QStringLiteral("compute threads (default: all cores)"),
                 QStringLiteral("N")});
    parseCommandLine(p, args, QStringLiteral("intervene"));
    requirePositionals(p, QStringLiteral("intervene"), 1, 1, QStringLiteral("SESSION file"));
    applyThreadsOption(p);
    if (!p.isSet(QStringLiteral("model")))
        throw Error(QStringLiteral("intervene: --model is required"));
    if (!p.isSet(QStringLiteral("out")))
        throw Error(QStringLiteral("intervene: --out DIR is required"));
    const QString outDir = p.value(QStringLiteral("out"));

    QJsonObject o;
    o[QStringLiteral("model")] = QFileInfo(p.value(QStringLiteral("model"))).absoluteFilePath();
    if (p.isSet(QStringLiteral("tokenizer")))
        o[QStringLiteral("tokenizer")] =
            QFileInfo(p.value(QStringLiteral("tokenizer"))).absoluteFilePath();
    // Validated here (before any data is loaded) and again by the analysis.
    const QString mode = p.value(QStringLiteral("mode"));
    if (!mode.isEmpty()) {
        (void)parseInterventionMode(mode, nullptr);
        o[QStringLiteral("mode")] = mode;
    }
    int maxK = 64;
    const QString spec = p.value(QStringLiteral("neurons"));
    if (spec.startsWith(QLatin1String("top:")) || spec.startsWith(QLatin1String("random:"))) {
        const bool top = spec.startsWith(QLatin1String("top:"));
        bool ok = false;
        maxK = spec.mid(top ? 4 : 7).toInt(&ok);
        if (!ok || maxK < 1)
            throw Error(QStringLiteral("--neurons '%1': K must be a positive integer").arg(spec));
        o[QStringLiteral("neurons")] = top ? QStringLiteral("both") : QStringLiteral("random");
    } else if (!spec.isEmpty()) {
        o[QStringLiteral("neurons_text")] = spec; // parsed once the model's hidden size is known
    }
    if (p.isSet(QStringLiteral("sizes"))) {
        QJsonArray s;
        for (int k : parseList(p.value(QStringLiteral("sizes")), QStringLiteral("--sizes")))
            s.append(k);
        o[QStringLiteral("sizes")] = s;
    }
    if (p.isSet(QStringLiteral("text")))
        o[QStringLiteral("text")] = QFileInfo(p.value(QStringLiteral("text"))).absoluteFilePath();
    o[QStringLiteral("text_lines")] =
        int(parseInt(p, QStringLiteral("text-lines"), 200, 1, kMaxIntOption));
    if (p.isSet(QStringLiteral("max-sentences")))
        o[QStringLiteral("max_sentences")] =
            int(parseInt(p, QStringLiteral("max-sentences"), 0, 0, kMaxIntOption));
    if (p.isSet(QStringLiteral("split")))
        o[QStringLiteral("split")] = p.value(QStringLiteral("split"));
    o[QStringLiteral("draws")] = int(parseInt(p, QStringLiteral("draws"), 3, 1, 1000));
    o[QStringLiteral("seed")] = QString::number(parseSeed(p, QStringLiteral("seed"), 1));
    if (p.isSet(QStringLiteral("aggregation")))
        o[QStringLiteral("aggregation")] =
            aggregationName(parseAggregation(p.value(QStringLiteral("aggregation"))));
    requireOutputFolder(outDir);

    const QString path = p.positionalArguments().first();
    SessionCheck check;
    Session session = loadSession(path, &check);
    for (const QString &c : check.changedInputs)
        err(QStringLiteral("input changed: ") + c);
    if (!check.ok())
        throw Error(
            QStringLiteral("%1: inputs changed since the session was saved (see above)").arg(path));
    if (o.contains(QStringLiteral("neurons_text"))) {
        // Flat indices need the activations' units per layer: the probe's layout.
        const QJsonObject layout = session.results.value(QStringLiteral("probe"))
                                       .toObject()
                                       .value(QStringLiteral("layout"))
                                       .toObject();
        const int dims = layout.value(QStringLiteral("dims")).toInt(0);
        if (dims <= 0)
            throw Error(QStringLiteral("%1: the session has no probe result; run `salient-cli "
                                       "probe` first")
                            .arg(path));
        o[QStringLiteral("neurons")] =
            intArray(parseNeuronList(o.take(QStringLiteral("neurons_text")).toString(), dims));
    }
    if (!o.contains(QStringLiteral("sizes")) && !o.value(QStringLiteral("neurons")).isArray()) {
        QJsonArray s;
        for (int k = 1; k <= maxK; k *= 2)
            s.append(k);
        if (s.last().toInt() != maxK)
            s.append(maxK);
        o[QStringLiteral("sizes")] = s;
    }
    const LoadedTask task = loadSessionData(session);
    const QString name = QStringLiteral("intervention");
    if (!session.analyses.contains(name))
        session.analyses << name;
    session.analysisOptions[name] = o;
    ProbeOptions po = session.probeOptionsFor(name);
    po.regression = session.dataOptions.task == TaskType::Regression;
    session.analysisProbeOptions[name] = po;
    AnalysisContext ctx;
    ctx.task = &task;
    ctx.probe = po;
    ctx.session = &session;
    ctx.progress = stderrProgress(name);
    const AnalysisOutput out = runAnalysis(name, o, ctx);
    if (out.status == Status::Cancelled)
        return 3;
    QStringList written{name + QStringLiteral(".json")};
    writeFileAtomic(outDir + QStringLiteral("/") + written.back(),
                    QJsonDocument(out.json).toJson());
    for (const auto &[file, csv] : out.csv) {
        written << name + QStringLiteral(".") + file;
        writeFileAtomic(outDir + QStringLiteral("/") + written.back(), csv);
    }
    session.results[name] = out.json;
    saveSession(outDir + QStringLiteral("/session.json"), session);
    written << QStringLiteral("session.json");
    if (!session.arraysFile.isEmpty())
        written << session.arraysFile;
    const QJsonObject clean = out.json.value(QStringLiteral("clean")).toObject();
    err(QStringLiteral("clean: probe accuracy %1 (file activations %2)%3")
            .arg(clean.value(QStringLiteral("accuracy")).toDouble(), 0, 'f', 4)
            .arg(out.json.value(QStringLiteral("file_accuracy")).toDouble(), 0, 'f', 4)
            .arg(clean.value(QStringLiteral("loss")).isDouble()
                     ? QStringLiteral(", next-token loss %1")
                           .arg(clean.value(QStringLiteral("loss")).toDouble(), 0, 'f', 4)
                     : QString()));
    err(QStringLiteral("wrote %1 files to %2: %3")
            .arg(written.size())
            .arg(outDir, written.join(QStringLiteral(", "))));
    return 0;
}

int cmdGenerate(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Continue a prompt with a decoder model (GPT-2, Llama, llama2.c): greedy unless a\n"
        "temperature is given; an empty prompt starts from BOS. --intervene NEURONS:MODE sets\n"
        "neurons (flat indices or layer:unit pairs, comma-separated) to zero or value=X at every\n"
        "step. Prints the text on stdout; --json prints {prompt_ids, generated, text}."));
    addModelOptions(p);
    p.addOption({QStringLiteral("prompt"), QStringLiteral("the prompt (default: empty = BOS)"),
                 QStringLiteral("TEXT")});
    p.addOption({QStringLiteral("tokens"),
                 QStringLiteral("tokens to generate at most (default 256)"), QStringLiteral("N")});
    p.addOption({QStringLiteral("temperature"),
                 QStringLiteral("sampling temperature (default 0 = greedy)"), QStringLiteral("T")});
    p.addOption({QStringLiteral("seed"), QStringLiteral("sampling seed (default 42)"),
                 QStringLiteral("S")});
    p.addOption({QStringLiteral("intervene"),
                 QStringLiteral("NEURONS:MODE, e.g. 70,129:zero or 1:6,2:1:value=3 (MODE zero or "
                                "value=X)"),
                 QStringLiteral("SPEC")});
    p.addOption(
        {QStringLiteral("json"), QStringLiteral("print a JSON object instead of the text")});
    p.addOption({QStringLiteral("threads"), QStringLiteral("compute threads (default: all cores)"),
                 QStringLiteral("N")});
    parseCommandLine(p, args, QStringLiteral("generate"));
    requirePositionals(p, QStringLiteral("generate"), 0, 0, {});
    applyThreadsOption(p);
    if (!p.isSet(QStringLiteral("model")))
        throw Error(QStringLiteral("generate: --model is required"));
    GenerateOptions go;
    go.tokens = int(parseInt(p, QStringLiteral("tokens"), 256, 0, 1000000));
    go.temperature = parseDouble(p, QStringLiteral("temperature"), 0.0, Bounds{0.0, 1e6});
    go.seed = parseSeed(p, QStringLiteral("seed"), 42);
    const LoadedModel lm = loadModelAndTokenizer(p.value(QStringLiteral("model")),
                                                 p.value(QStringLiteral("tokenizer")));
    Intervention iv;
    QString ivText;
    if (p.isSet(QStringLiteral("intervene"))) {
        // NEURONS:MODE — the mode is after the last ':' (neurons may hold layer:unit pairs).
        const QString spec = p.value(QStringLiteral("intervene"));
        const qsizetype colon = spec.lastIndexOf(QLatin1Char(':'));
        if (colon <= 0)
            throw Error(QStringLiteral("--intervene '%1': expected NEURONS:MODE, e.g. 70,129:zero "
                                       "or 1:6:value=2.5")
                            .arg(spec));
        QString modeText = spec.mid(colon + 1);
        if (modeText.startsWith(QLatin1String("value=")))
            modeText = QStringLiteral("value:") + modeText.mid(6);
        double value = 0;
        const InterventionMode mode = parseInterventionMode(modeText, &value);
        if (mode == InterventionMode::Mean)
            throw Error(QStringLiteral("--intervene: mode mean needs activations to average; "
                                       "use zero or value=X here (salient-cli intervene has "
                                       "mean)"));
        const std::vector<int> flat = parseNeuronList(spec.left(colon), lm.model->info().hidden);
        iv = makeIntervention(lm.model->info(), flat, mode, value);
        ivText = spec;
    }
    const Generation g =
        generate(*lm.model, *lm.tokenizer, p.value(QStringLiteral("prompt")), go, iv);
    if (p.isSet(QStringLiteral("json"))) {
        QJsonObject j{{QStringLiteral("prompt_ids"), intArray(g.promptIds)},
                      {QStringLiteral("generated"), intArray(g.generated)},
                      {QStringLiteral("text"), g.text},
                      {QStringLiteral("stopped"), g.stopped}};
        if (!ivText.isEmpty())
            j[QStringLiteral("intervene")] = ivText;
        std::printf("%s", QJsonDocument(j).toJson().constData());
    } else {
        std::printf("%s\n", g.text.toUtf8().constData());
    }
    return 0;
}

} // namespace cli
