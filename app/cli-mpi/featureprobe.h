#pragma once
// salient-cli-mpi probe --distribute features (docs/cluster.md): one probe whose neurons are split
// across the ranks by layer blocks (salient/probe/blockprobe.h). Rank r loads only its layers of
// every sentence (--layers is set per rank) and holds only its block of X and W; per mini-batch
// the partial logits (batch × classes) and two penalty sums are gathered to all ranks and added
// in rank order, so every rank gets bit-identical sums. Rank 0 writes DIR/probe.hdf5 (the whole
// W, gathered once at the end) and DIR/distributed.json (accuracies, per-rank layers, measured
// communication volume and time). Threads per rank: --threads (default all cores).
#include <QStringList>

namespace salient::mpi {

/// True when @p args ask for `probe --distribute ...`.
bool wantsDistributedProbe(const QStringList &args);

/// Runs it on this rank; returns the exit code (0 ok). Throws salient::Error on bad input.
int runDistributedProbe(const QStringList &args, int rank, int size);

} // namespace salient::mpi
