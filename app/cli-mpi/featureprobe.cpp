#include "featureprobe.h"

#include "cli_p.h"

#include "salient/data/demo.h"
#include "salient/data/task.h"
#include "salient/io/activationstore.h"
#include "salient/io/probeio.h"
#include "salient/probe/blockprobe.h"
#include "salient/util/atomicfile.h"
#include "salient/util/error.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <mpi.h>

namespace salient::mpi {

namespace {

/// Allgather of every rank's array, then the sum in rank order: the same bits on every rank.
/// Counts what it moves (bytes received per rank) and the time spent in MPI.
class MpiBlockReducer : public BlockReducer {
public:
    explicit MpiBlockReducer(int size) : m_size(size) {}
    void sum(float *values, Index count) override
    {
        QElapsedTimer t;
        t.start();
        m_all.resize(std::size_t(count) * std::size_t(m_size));
        MPI_Allgather(values, int(count), MPI_FLOAT, m_all.data(), int(count), MPI_FLOAT,
                      MPI_COMM_WORLD);
        m_seconds += double(t.nsecsElapsed()) * 1e-9;
        for (Index i = 0; i < count; ++i) {
            float s = m_all[std::size_t(i)];
            for (int r = 1; r < m_size; ++r)
                s += m_all[std::size_t(r) * std::size_t(count) + std::size_t(i)];
            values[i] = s;
        }
        m_bytes += double(count) * sizeof(float) * double(m_size - 1);
        ++m_calls;
    }
    double bytes() const { return m_bytes; }
    double seconds() const { return m_seconds; }
    qint64 calls() const { return m_calls; }

private:
    int m_size;
    std::vector<float> m_all;
    double m_bytes = 0, m_seconds = 0;
    qint64 m_calls = 0;
};

QString listText(const std::vector<int> &v)
{
    QStringList s;
    for (int x : v)
        s << QString::number(x);
    return s.join(QLatin1Char(','));
}

/// @p args with every --NAME VALUE / --NAME=VALUE removed.
QStringList without(QStringList args, const QString &name)
{
    for (int i = 0; i < args.size();) {
        if (args[i] == QLatin1String("--") + name && i + 1 < args.size())
            args.remove(i, 2);
        else if (args[i].startsWith(QLatin1String("--") + name + QLatin1Char('=')))
            args.remove(i);
        else
            ++i;
    }
    return args;
}

} // namespace

bool wantsDistributedProbe(const QStringList &args)
{
    if (args.size() < 2 || args[1] != QLatin1String("probe"))
        return false;
    for (const QString &a : args)
        if (a == QLatin1String("--distribute") || a.startsWith(QLatin1String("--distribute=")))
            return true;
    return false;
}

int runDistributedProbe(const QStringList &argsIn, int rank, int size)
{
    // argsIn: salient-cli-mpi probe [options]; the parser sees "salient-cli probe [options]".
    QStringList args = argsIn;
    args.removeAt(1);
    args[0] = QStringLiteral("salient-cli probe");
    auto makeParser = [](QCommandLineParser &p) {
        p.setApplicationDescription(QStringLiteral(
            "Train ONE probe whose neurons are split across the MPI ranks by layer blocks "
            "(docs/cluster.md). Writes DIR/probe.hdf5 and DIR/distributed.json."));
        cli::addDataOptions(p);
        cli::addProbeOptions(p);
        p.addOption({QStringLiteral("distribute"),
                     QStringLiteral("features: split the neurons across the ranks by layers"),
                     QStringLiteral("HOW")});
        p.addOption(
            {QStringLiteral("out"), QStringLiteral("output folder"), QStringLiteral("DIR")});
    };
    QCommandLineParser first;
    makeParser(first);
    cli::parseCommandLine(first, args, QStringLiteral("probe"));
    if (first.value(QStringLiteral("distribute")) != QLatin1String("features"))
        throw Error(QStringLiteral("probe: --distribute takes 'features' (got '%1')")
                        .arg(first.value(QStringLiteral("distribute"))));
    if (!first.isSet(QStringLiteral("out")))
        throw Error(QStringLiteral("probe: --out DIR is required"));
    const QString outDir = first.value(QStringLiteral("out"));

    // The layers to split: --layers, else all layers of the train file (header only) or demo.
    std::vector<int> layers =
        cli::parseList(first.value(QStringLiteral("layers")), QStringLiteral("layers"));
    if (layers.empty()) {
        int count = DemoOptions{}.layers;
        if (!first.isSet(QStringLiteral("demo"))) {
            const QString train = first.value(QStringLiteral("train-activations"));
            if (train.isEmpty())
                throw Error(
                    QStringLiteral("probe: --train-activations FILE or --demo is required"));
            count = ActivationStore::open(train)->info().layers;
        }
        for (int l = 0; l < count; ++l)
            layers.push_back(l);
    }
    if (int(layers.size()) < size)
        throw Error(QStringLiteral("probe --distribute features: %1 ranks but only %2 layers to "
                                   "split (use at most %2 ranks)")
                        .arg(size)
                        .arg(layers.size()));
    // Rank r: layers [r·L/size, (r+1)·L/size) of the list, contiguous, in order.
    const std::size_t L = layers.size();
    const std::size_t from = L * std::size_t(rank) / std::size_t(size);
    const std::size_t to = L * std::size_t(rank + 1) / std::size_t(size);
    const std::vector<int> mine(layers.begin() + long(from), layers.begin() + long(to));

    QCommandLineParser p;
    makeParser(p);
    cli::parseCommandLine(
        p, without(args, QStringLiteral("layers")) << QStringLiteral("--layers") << listText(mine),
        QStringLiteral("probe"));
    // Unlike farming, the threads of a rank may differ: they change only the bits of its partial
    // logits, which every rank then receives and adds in the same order. One rank per node with
    // all its cores (--threads, default all) keeps the (R−1)·B·C gather volume small.
    cli::forcedThreads() = 0;
    cli::applyThreadsOption(p);
    ProbeOptions po = cli::probeOptionsFromParser(p);
    if (rank == 0)
        cli::requireOutputFolder(outDir);
    QElapsedTimer total;
    total.start();
    DatasetOptions dopt;
    const LoadedTask task = cli::loadFromOptions(p, dopt);
    const double loadSeconds = double(total.nsecsElapsed()) * 1e-9;
    if (dopt.task == TaskType::Regression)
        throw Error(QStringLiteral("probe --distribute features: classification tasks only"));
    const Dataset &train = *task.train;
    const RowMatrixF &X = train.denseX("probe --distribute features");

    // Column offsets of the blocks.
    const int Kr = int(X.cols());
    std::vector<int> widths(std::size_t(size), 0);
    MPI_Allgather(&Kr, 1, MPI_INT, widths.data(), 1, MPI_INT, MPI_COMM_WORLD);
    Index offset = 0, K = 0;
    for (int r = 0; r < size; ++r) {
        if (r < rank)
            offset += widths[std::size_t(r)];
        K += widths[std::size_t(r)];
    }

    MpiBlockReducer reducer(size);
    QElapsedTimer trainTimer;
    trainTimer.start();
    const BlockTrainResult trained =
        trainProbeBlock(X, train.y, int(task.vocab.names.size()), po, offset, K, reducer);
    const double trainSeconds = double(trainTimer.nsecsElapsed()) * 1e-9;
    const double trainBytes = reducer.bytes(), trainComm = reducer.seconds();
    const qint64 trainCalls = reducer.calls();
    if (trained.status != Status::Ok)
        throw Error(QStringLiteral("probe --distribute features: training diverged"));
    const double trainAccuracy = blockAccuracy(X, train.y, trained.W, trained.b, reducer);
    const double devAccuracy = task.dev
                                   ? blockAccuracy(task.dev->denseX("probe --distribute features"),
                                                   task.dev->y, trained.W, trained.b, reducer)
                                   : std::nan("");

    // W to rank 0: column-major blocks of consecutive columns concatenate to the whole W.
    const int C = int(trained.W.rows());
    std::vector<int> counts(static_cast<std::size_t>(size)), displs(counts);
    for (int r = 0, d = 0; r < size; ++r) {
        counts[std::size_t(r)] = widths[std::size_t(r)] * C;
        displs[std::size_t(r)] = d;
        d += counts[std::size_t(r)];
    }
    MatrixF W(C, rank == 0 ? K : 0);
    MPI_Gatherv(trained.W.data(), int(trained.W.size()), MPI_FLOAT, W.data(), counts.data(),
                displs.data(), MPI_FLOAT, 0, MPI_COMM_WORLD);
    // Every rank's flat neuron indices (layer·dims + d) to rank 0, in rank order.
    std::vector<int> flats;
    for (int c = 0; c < Kr; ++c)
        flats.push_back(flatNeuron(train, c));
    std::vector<int> allFlats(std::size_t(rank == 0 ? K : 0));
    std::vector<int> flatCounts(widths), flatDispls(std::size_t(size), 0);
    for (int r = 1; r < size; ++r)
        flatDispls[std::size_t(r)] = flatDispls[std::size_t(r - 1)] + widths[std::size_t(r - 1)];
    MPI_Gatherv(flats.data(), Kr, MPI_INT, allFlats.data(), flatCounts.data(), flatDispls.data(),
                MPI_INT, 0, MPI_COMM_WORLD);
    if (rank != 0)
        return 0;

    Probe probe;
    probe.W = std::move(W);
    probe.b = trained.b;
    probe.labels = task.vocab.names;
    probe.columns = allFlats;
    saveProbe(outDir + QStringLiteral("/probe.hdf5"), probe,
              QJsonDocument(toJson(po)).toJson(QJsonDocument::Compact));
    QJsonObject o;
    o[QStringLiteral("distribute")] = QStringLiteral("features");
    o[QStringLiteral("ranks")] = size;
    QJsonArray blocks;
    for (int r = 0; r < size; ++r) {
        const std::size_t a = L * std::size_t(r) / std::size_t(size);
        const std::size_t b = L * std::size_t(r + 1) / std::size_t(size);
        QJsonArray ls;
        for (std::size_t i = a; i < b; ++i)
            ls.append(layers[i]);
        blocks.append(QJsonObject{{QStringLiteral("rank"), r},
                                  {QStringLiteral("layers"), ls},
                                  {QStringLiteral("neurons"), widths[std::size_t(r)]}});
    }
    o[QStringLiteral("blocks")] = blocks;
    o[QStringLiteral("neurons")] = double(K);
    o[QStringLiteral("classes")] = C;
    o[QStringLiteral("train_tokens")] = double(X.rows());
    o[QStringLiteral("train_accuracy")] = trainAccuracy;
    o[QStringLiteral("dev_accuracy")] = devAccuracy;
    QJsonArray losses;
    for (double l : trained.epochLoss)
        losses.append(l);
    o[QStringLiteral("epoch_loss")] = losses;
    // Rank 0's view of the training's communication (every rank moves the same volume).
    o[QStringLiteral("timing")] = QJsonObject{
        {QStringLiteral("load_s"), loadSeconds},
        {QStringLiteral("train_s"), trainSeconds},
        {QStringLiteral("train_comm_s"), trainComm},
        {QStringLiteral("train_comm_share"), trainSeconds > 0 ? trainComm / trainSeconds : 0.0},
        {QStringLiteral("train_reductions"), double(trainCalls)},
        {QStringLiteral("train_bytes_received_per_rank"), trainBytes},
        {QStringLiteral("bytes_per_epoch_per_rank"), trainBytes / double(po.epochs)}};
    writeFileAtomic(outDir + QStringLiteral("/distributed.json"), QJsonDocument(o).toJson());
    std::fprintf(stderr,
                 "probe --distribute features: %d ranks, %lld neurons, train accuracy %.4f, dev "
                 "accuracy %.4f; communication %.1f%% of training (%.3g MB received per rank per "
                 "epoch)\nwrote probe.hdf5, distributed.json to %s\n",
                 size, static_cast<long long>(K), trainAccuracy, devAccuracy,
                 trainSeconds > 0 ? 100.0 * trainComm / trainSeconds : 0.0,
                 trainBytes / double(po.epochs) / 1e6, qPrintable(outDir));
    return 0;
}

} // namespace salient::mpi
