#!/usr/bin/env bash
# MPI measurements of docs/performance.md ("Past one machine: MPI"): on this machine, 2 ranks × 1
# thread against 1 process × 2 threads for a grid search and for one feature-distributed probe,
# and the communication of the distributed probe per epoch (from its distributed.json).
# Usage: docs/mpi-bench.sh [BUILD_DIR] [DATA_DIR]   (defaults: build, ../shared/data)
# Prints one line per run: wall seconds, and for --distribute runs the communication share and
# bytes received per rank per epoch. Timing is wall clock of the whole command (load included).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
DATA=${2:-../shared/data}
CLI="$BUILD/app/salient-cli"
MPI="$BUILD/app/salient-cli-mpi"
MPIRUN=(mpirun --oversubscribe --allow-run-as-root)
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
DATAARGS=()
for s in train dev; do
  DATAARGS+=(--$s-activations "$DATA/stories260K.ptb.$s.hdf5" --$s-tokens "$DATA/ptb_pos.$s.words.txt"
             --$s-labels "$DATA/ptb_pos.$s.labels.txt")
done
EPOCHS=${EPOCHS:-3}

run() { # NAME COMMAND...
  local name=$1; shift
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >"$OUT/$name.log" 2>&1 || { echo "$name FAILED"; tail -5 "$OUT/$name.log"; exit 1; }
  t1=$(date +%s.%N)
  printf '%-34s %7.2f s' "$name" "$(echo "$t1 - $t0" | bc)"
  if [ -f "$OUT/$name/distributed.json" ]; then
    jq -r '"   comm share \(.timing.train_comm_share*100|floor) %, \(.timing.bytes_per_epoch_per_rank/1e6) MB/epoch/rank, \(.timing.train_reductions) reductions, comm \(.timing.train_comm_s) s of train \(.timing.train_s) s, dev \(.dev_accuracy)"' \
      "$OUT/$name/distributed.json" | tr -d '\n'
  fi
  echo
}

echo "== grid search (6×6 λ grid, $EPOCHS epochs), PTB POS on stories260K, $(date -u)"
run grid-1proc-1thread   "$CLI" grid-search "${DATAARGS[@]}" --epochs "$EPOCHS" --threads 1 --out "$OUT/g11"
run grid-1proc-2threads  "$CLI" grid-search "${DATAARGS[@]}" --epochs "$EPOCHS" --threads 2 --out "$OUT/g12"
run grid-np2x1thread     "${MPIRUN[@]}" -np 2 "$MPI" grid-search "${DATAARGS[@]}" --epochs "$EPOCHS" --out "$OUT/g21"
run grid-np3x1thread     "${MPIRUN[@]}" -np 3 "$MPI" grid-search "${DATAARGS[@]}" --epochs "$EPOCHS" --out "$OUT/g31"

for B in 32 512; do
  echo "== one probe, batch $B, $EPOCHS epochs, $(date -u)"
  run "probe-b$B-1proc-1thread"  "$CLI" probe "${DATAARGS[@]}" --epochs "$EPOCHS" --batch-size $B --threads 1 --out "$OUT/p11-$B"
  run "probe-b$B-1proc-2threads" "$CLI" probe "${DATAARGS[@]}" --epochs "$EPOCHS" --batch-size $B --threads 2 --out "$OUT/p12-$B"
  for n in 1 2 3; do
    run "probe-b$B-distributed-np$n" "${MPIRUN[@]}" -np $n "$MPI" probe --distribute features "${DATAARGS[@]}" \
      --epochs "$EPOCHS" --batch-size $B --threads 1 --out "$OUT/probe-b$B-distributed-np$n"
  done
done
