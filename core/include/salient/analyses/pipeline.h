#pragma once
// The analyses a session can list, run by name with JSON options and producing JSON results
// (plus CSV tables and large arrays). One code path for salient-cli (subcommands and `run`) and
// the GUI, so that what one does the other can replay.
#include "salient/analyses/experiment.h"
#include "salient/session/session.h"

#include <QJsonObject>

namespace salient {

/// Every analysis name, in the order `salient-cli run` would sensibly run them.
QStringList analysisNames();
/// The paper's pipeline: grid-search, probe, minimal-subset, ablation, selectivity, layerwise.
QStringList paperPipeline();

struct AnalysisContext {
    const LoadedTask *task = nullptr; ///< the data, loaded once for all analyses of a run
    ProbeOptions probe;               ///< settings of every probe (incl. seed)
    Session *session = nullptr;       ///< receives large arrays (e.g. "probe/W"); may be null
    ExperimentProgress progress;      ///< may cancel
    /// Called after every mini-batch of the "probe" analysis's training (loss, accuracy), from
    /// the thread running the analysis; returning false cancels. May be empty.
    TrainCallback onBatch;
};

struct AnalysisOutput {
    Status status = Status::Ok;
    QJsonObject json; ///< the result object (documented in docs/cli.md)
    std::vector<std::pair<QString, QByteArray>> csv; ///< file name → CSV text (curves, tables)
};

/**
 * Runs analysis @p name with @p options (missing keys take their documented defaults) on the
 * context's data. "grid-search" sets context.probe's λ1, λ2 to the winner for the analyses run
 * after it (option apply_best, default true), as Algorithm 2 intends. Throws salient::Error for
 * unknown names, invalid options or data problems. Deterministic for the probe seed and the
 * options' seeds.
 */
AnalysisOutput runAnalysis(const QString &name, const QJsonObject &options,
                           AnalysisContext &context);

/// CSV helpers (RFC 4180 quoting).
QByteArray csvLine(const QStringList &cells);

} // namespace salient
