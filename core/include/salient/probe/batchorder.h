#pragma once
// Block-shuffled batch order for streamed training (files larger than RAM): a full permutation
// makes every mini-batch read rows scattered over the whole file (random I/O); a block-shuffled
// order visits blocks of consecutive rows in a random order and shuffles rows only inside each
// block, so an epoch reads the file in block-sized sequential runs (the read-ahead reader gets
// near the disk's sequential rate once a block spans a few MB).
#include "salient/util/matrix.h"

#include <QtGlobal>
#include <vector>

namespace salient {

/**
 * Fills @p perm (its size is the number of rows n) with a permutation of 0..n-1 for epoch
 * @p epoch: the blocks [0,b), [b,2b), ... (b = @p blockRows ≥ 1; the last may be shorter) in a
 * seeded random order, the rows of each block shuffled among themselves. Deterministic in
 * (seed, epoch, n, b) on every platform (std::mt19937_64 and explicit draws). blockRows = 1 is
 * a permutation of single rows; blockRows ≥ n shuffles the rows within one block.
 */
void blockShuffledPermutation(std::vector<Index> &perm, quint64 seed, quint64 epoch,
                              Index blockRows);

} // namespace salient
