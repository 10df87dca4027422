// salient-cli-mpi: salient-cli under MPI (docs/cluster.md). Every rank runs the same command on
// the same files; the farmed loops of the analyses (salient/analyses/farm.h) are spread over the
// ranks by MpiFarm (mpifarm.h); rank 0 writes the output. Worker ranks write into a private
// temporary folder (discarded) and keep their stderr to themselves unless they fail.
//
// Exit: as salient-cli on success; a failure on any rank ends the whole job (MPI_Abort) after
// its message was printed.
#include "cli_p.h"
#include "featureprobe.h"
#include "mpifarm.h"

#include "salient/util/error.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QTemporaryDir>
#include <cstdio>
#include <mpi.h>
#include <string>
#include <unistd.h>
#include <vector>

int cliMain(int argc, char **argv); // app/cli/main.cpp compiled with SALIENT_CLI_ENTRY=cliMain

namespace {

/// Index of the value of --out in @p args (−1 when absent); "--out=DIR" counts as its own index.
int outIndex(const std::vector<std::string> &args, bool *joined)
{
    for (std::size_t i = 1; i < args.size(); ++i) {
        if (args[i] == "--out" && i + 1 < args.size()) {
            *joined = false;
            return int(i + 1);
        }
        if (args[i].rfind("--out=", 0) == 0) {
            *joined = true;
            return int(i);
        }
    }
    return -1;
}

} // namespace

int main(int argc, char **argv)
{
    int provided = 0;
    MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
    int rank = 0, size = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (provided < MPI_THREAD_FUNNELED) {
        if (rank == 0)
            std::fprintf(stderr, "salient-cli-mpi: the MPI library does not provide "
                                 "MPI_THREAD_FUNNELED\n");
        MPI_Abort(MPI_COMM_WORLD, 1);
    }

    std::vector<std::string> args(argv, argv + argc);
    bool joined = false;
    const int out = outIndex(args, &joined);
    const bool wantsHelp = argc < 2 || args[1].rfind('-', 0) == 0;
    if (out < 0 && size > 1 && !wantsHelp) {
        if (rank == 0)
            std::fprintf(stderr,
                         "salient-cli-mpi: under mpirun with %d ranks only the commands "
                         "that write into --out DIR (the analyses and pipeline) are "
                         "supported\n",
                         size);
        MPI_Finalize();
        return 2;
    }
    const std::string outDir =
        out < 0 ? std::string()
                : (joined ? args[std::size_t(out)].substr(6) : args[std::size_t(out)]);

    // Worker ranks: output into a private folder, stderr into a file shown only on failure.
    QTemporaryDir scratch(QDir::tempPath() + QStringLiteral("/salient-mpi-rank-XXXXXX"));
    std::FILE *savedErr = nullptr;
    QString errLog;
    if (rank != 0) {
        const std::string dir = scratch.path().toStdString();
        args[std::size_t(out)] = joined ? "--out=" + dir : dir;
        errLog = scratch.filePath(QStringLiteral("stderr.txt"));
        std::fflush(stderr);
        savedErr = fdopen(dup(fileno(stderr)), "w");
        if (!std::freopen(qPrintable(errLog), "w", stderr))
            std::fprintf(savedErr, "salient-cli-mpi: rank %d cannot redirect stderr\n", rank);
    }

    QStringList command;
    for (std::size_t i = 1; i < args.size(); ++i)
        command << QString::fromStdString(args[i]);
    const QString journal = outDir.empty()
                                ? QString()
                                : QDir(QFileInfo(QString::fromStdString(outDir)).absoluteFilePath())
                                      .filePath(QStringLiteral(".salient-mpi-journal"));
    int rc = 0;
    try {
        salient::mpi::MpiFarm farm(rank, size, rank == 0 ? journal : QString(), command);
        salient::setUnitScheduler(&farm);
        // Equality across rank counts: every rank computes with one thread (mpifarm.h).
        cli::forcedThreads() = 1;
        std::vector<char *> argp;
        for (std::string &a : args)
            argp.push_back(a.data());
        int n = int(argp.size());
        QStringList all;
        for (const std::string &a : args)
            all << QString::fromStdString(a);
        if (salient::mpi::wantsDistributedProbe(all)) {
            QCoreApplication app(n, argp.data());
            rc = salient::mpi::runDistributedProbe(all, rank, size);
        } else {
            rc = cliMain(n, argp.data());
        }
        salient::setUnitScheduler(nullptr);
        if (rc == 0 && rank == 0 && farm.resumedUnits() > 0)
            std::fprintf(stderr, "salient-cli-mpi: resumed %d units from the journal\n",
                         farm.resumedUnits());
        if (rc == 0)
            farm.clearJournal();
    } catch (const salient::Error &e) {
        std::fprintf(stderr, "error: %s\n", qPrintable(e.message()));
        rc = 2;
    }
    if (rank != 0) {
        std::fflush(stderr);
        if (rc != 0 && savedErr) {
            // A worker that failed shows what it printed, prefixed with its rank.
            QFile f(errLog);
            if (f.open(QIODevice::ReadOnly))
                for (const QByteArray &line : f.readAll().split('\n'))
                    if (!line.isEmpty())
                        std::fprintf(savedErr, "rank %d: %s\n", rank, line.constData());
            std::fflush(savedErr);
        }
    }
    if (rc != 0 && size > 1) {
        // The other ranks may be waiting in a farmed loop: end the whole job.
        std::fflush(stderr);
        MPI_Abort(MPI_COMM_WORLD, rc);
    }
    MPI_Finalize();
    return rc;
}
