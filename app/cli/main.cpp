// salient-cli: the headless twin of the GUI. Runs core/ on files (or the built-in demo) and writes
// JSON/HDF5 results. Exit codes: 0 ok, 1 internal failure, 2 bad input or usage, 3 cancelled.
// Dispatch and usage are here; options.cpp and commands.cpp hold the rest (cli_p.h).
#include "salient/analyses/pipeline.h"
#include "salient/util/error.h"

#include "cli_p.h"

#include <QCoreApplication>
#include <cstdio>
#include <new>

using namespace salient;
using namespace cli;

namespace {

void usage()
{
    err(QStringLiteral(
        "salient-cli " SALIENT_VERSION " — Linguistic Correlation Analysis, headless\n\n"
        "usage: salient-cli COMMAND [options]     (salient-cli COMMAND --help for details)\n\n"
        "commands:\n"
        "  inspect FILE   print an activation file's metadata as JSON\n"
        "  probe          train a probe, evaluate, rank neurons; write results.json + probe.hdf5\n"
        "  grid-search    lambda1 x lambda2 grid scored by ablation (Algorithm 2)\n"
        "  minimal-subset smallest top-n neuron set within delta of the oracle (Algorithm 4)\n"
        "  ablation       keep top/random/bottom neurons: masking and retraining curves\n"
        "  layerwise      one probe per layer, incremental probes, LayerSelector\n"
        "  selectivity    control task (Hewitt & Liang) and selectivity of the full probe (and "
        "minimal set)\n"
        "  clusters       correlation clustering of neurons (redundancy), one representative each\n"
        "  neuron         a neuron's profile: top words (z-score), per-label means, top sentences\n"
        "  properties     several properties of the same sentences: overlap of their top neurons\n"
        "  compare        two models (activation sets) on one task: overlap, layer shift, curves\n"
        "  pipeline       the paper's whole analysis (grid search ... layerwise) in one run\n"
        "  run SESSION    run every analysis a session lists (salient-cli run DIR/session.json)\n"
        "  notes SESSION  print a session's neuron notes (table, or --json)\n"
        "  demo           write the built-in synthetic demo dataset as NeuroX files\n"
        "  extract        activations from a model checkpoint (HF folder or llama2.c), as "
        "NeuroX\n"
        "  attach SESSION record the model the activations came from (fingerprint, shape check)\n"
        "  top-contexts   top activating contexts of neurons in raw text, through a model\n"
        "  intervene SESSION  set neurons to zero/mean/value in the model: probe accuracy and\n"
        "                 next-token loss, top-k vs random-k (docs/intervention.md)\n"
        "  generate       continue a prompt with a decoder model (greedy), optionally "
        "intervened\n\n"
        "global: --version, --help. Exit codes: 0 ok, 2 bad input, 1 failure, 3 cancelled."));
}

} // namespace

// salient-cli-mpi (app/cli-mpi) compiles this file with SALIENT_CLI_ENTRY=cliMain and calls it
// from its own main() between MPI_Init and MPI_Finalize.
#ifndef SALIENT_CLI_ENTRY
#define SALIENT_CLI_ENTRY main
#endif

int SALIENT_CLI_ENTRY(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("salient-cli"));
    QCoreApplication::setApplicationVersion(QStringLiteral(SALIENT_VERSION));
    QStringList args = app.arguments();
    if (args.size() < 2 || args[1] == QLatin1String("--help") || args[1] == QLatin1String("-h")) {
        usage();
        return args.size() < 2 ? 2 : 0;
    }
    if (args[1] == QLatin1String("--version") || args[1] == QLatin1String("-v")) {
        std::printf("salient-cli %s\n", SALIENT_VERSION);
        return 0;
    }
    const QString cmd = args[1];
    args.removeAt(1); // QCommandLineParser sees "salient-cli [options]"
    args[0] = QStringLiteral("salient-cli ") + cmd;
    try {
        if (cmd == QLatin1String("inspect"))
            return cmdInspect(args);
        if (cmd == QLatin1String("run"))
            return cmdRun(args);
        if (cmd == QLatin1String("pipeline"))
            return cmdPipeline(args);
        if (analysisNames().contains(cmd))
            return cmdAnalysis(cmd, args);
        if (cmd == QLatin1String("demo"))
            return cmdDemo(args);
        if (cmd == QLatin1String("extract"))
            return cmdExtract(args);
        if (cmd == QLatin1String("top-contexts"))
            return cmdTopContexts(args);
        if (cmd == QLatin1String("attach"))
            return cmdAttach(args);
        if (cmd == QLatin1String("notes"))
            return cmdNotes(args);
        if (cmd == QLatin1String("intervene"))
            return cmdIntervene(args);
        if (cmd == QLatin1String("generate"))
            return cmdGenerate(args);
        err(QStringLiteral("salient-cli: unknown command '%1'").arg(cmd));
        usage();
        return 2;
    } catch (const Error &e) {
        err(QStringLiteral("error: ") + e.message());
        return 2;
    } catch (const std::bad_alloc &) {
        err(QStringLiteral("error: out of memory"));
        return 1;
    } catch (const std::exception &e) {
        err(QStringLiteral("internal error: ") + QString::fromLocal8Bit(e.what()));
        return 1;
    }
}
