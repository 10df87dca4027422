#pragma once
// The analyses a session can list, run by name with JSON options and producing typed results
// (session/results.h), converted once into their JSON, CSV tables and arrays
// (session/resultsjson.h). One code path for salient-cli (subcommands and `run`) and the GUI, so
// that what one does the other can replay.
#include "salient/analyses/experiment.h"
#include "salient/session/results.h"
#include "salient/session/session.h"
#include "salient/util/csv.h"

#include <QJsonObject>
#include <memory>

namespace salient {

/// Every analysis name, in the order `salient-cli run` would sensibly run them.
QStringList analysisNames();
/// The paper's pipeline: grid-search, probe, minimal-subset, ablation, selectivity, layerwise.
QStringList paperPipeline();

struct AnalysisContext {
    const LoadedTask *task = nullptr; ///< the data, loaded once for all analyses of a run
    ProbeOptions probe;               ///< settings of every probe (incl. seed); never changed
    Session *session = nullptr;       ///< receives large arrays (e.g. "probe/W"); may be null
    ExperimentProgress progress;      ///< may cancel
    /// Called after every mini-batch of the "probe" analysis's training (loss, accuracy), from
    /// the thread running the analysis; returning false cancels. May be empty.
    TrainCallback onBatch;
};

struct AnalysisOutput {
    Status status = Status::Ok;
    /// The typed result (set when status is Ok, else null). Immutable and shareable.
    std::shared_ptr<const AnalysisResult> result;
    QJsonObject json; ///< toJson(*result) (documented in docs/cli.md); empty unless Ok
    std::vector<std::pair<QString, QByteArray>> csv; ///< csvTables(*result)
};

/**
 * Runs analysis @p name with @p options (missing keys take their documented defaults) on the
 * context's data. Never changes the context (a grid search does not apply its winner: that is
 * the caller's explicit step, withGridWinner). Throws salient::Error for unknown names, invalid
 * options (e.g. grid-search's removed "apply_best") or data problems. Deterministic for the
 * probe seed and the options' seeds. "probe" also stores resultArrays() into context.session.
 */
AnalysisOutput runAnalysis(const QString &name, const QJsonObject &options,
                           AnalysisContext &context);

/// @p po with λ1, λ2 of the grid's winner (Algorithm 2 chooses λ for what follows). Throws
/// salient::Error when the grid has no winner.
ProbeOptions withGridWinner(const ProbeOptions &po, const GridSearchReport &r);

} // namespace salient
