#!/usr/bin/env bash
# Fuzz smoke test (docs/robustness.md, "Fuzzing"): builds the libFuzzer targets with clang into
# BUILD_DIR (default build-fuzz), generates the seed corpora, and runs every target for
# FUZZ_SECONDS (default 30) on a scratch copy of its seeds. Exits non-zero when any target finds
# a crash, a hang (-timeout=10), a leak or an out-of-memory; the reproducers are left in
# BUILD_DIR/fuzz/findings/<target>/ (replay one: BUILD_DIR/fuzz/<target> FILE).
# Usage: .ci/fuzz-smoke.sh [BUILD_DIR]      (run from anywhere; needs clang-14 and
#        libclang-rt-14-dev, see packaging/install-deps.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build-fuzz}
SECS=${FUZZ_SECONDS:-30}
JOBS=${FUZZ_BUILD_JOBS:-$(nproc)}

pick() { for c in "$@"; do if command -v "$c" >/dev/null 2>&1; then echo "$c"; return; fi; done; }
CC=${CC:-$(pick clang clang-14)}
CXX=${CXX:-$(pick clang++ clang++-14)}
if [ -z "$CC" ] || [ -z "$CXX" ]; then
  echo "fuzz-smoke: clang not found (packaging/install-deps.sh installs clang-14)" >&2
  exit 1
fi
SYMBOLIZER=$(pick llvm-symbolizer llvm-symbolizer-14)
[ -n "$SYMBOLIZER" ] && export ASAN_SYMBOLIZER_PATH="$(command -v "$SYMBOLIZER")"

echo "== fuzz-smoke: configure + build $BUILD ($CXX, -j$JOBS), $(date -u)"
CC=$CC CXX=$CXX cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSALIENT_FUZZ=ON -DSALIENT_BUILD_GUI=OFF -DSALIENT_BUILD_TESTS=OFF -DSALIENT_MPI=OFF >/dev/null
cmake --build "$BUILD" -j"$JOBS" --target fuzz_seeds

# Hangs and leaks are findings; OOM at 2 GiB; inputs bounded per format.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export OMP_NUM_THREADS=1
declare -A MAXLEN=([fuzz_hdf5_activations]=16384 [fuzz_jsonl_activations]=8192
                   [fuzz_text_corpus]=4096 [fuzz_session]=16384
                   [fuzz_safetensors]=4096 [fuzz_model_config]=4096 [fuzz_tokenizer_json]=16384)
declare -A SEEDS=([fuzz_hdf5_activations]=hdf5_activations [fuzz_jsonl_activations]=jsonl_activations
                  [fuzz_text_corpus]=text_corpus [fuzz_session]=session
                  [fuzz_safetensors]=safetensors [fuzz_model_config]=model_config
                  [fuzz_tokenizer_json]=tokenizer_json)
declare -A DICT=([fuzz_hdf5_activations]=hdf5.dict [fuzz_jsonl_activations]=json.dict
                 [fuzz_text_corpus]=json.dict [fuzz_session]=json.dict
                 [fuzz_safetensors]=safetensors.dict [fuzz_model_config]=model_config.dict
                 [fuzz_tokenizer_json]=tokenizer.dict)
# A finding whose innermost Salient-independent frame is inside libhdf5 (a crash, hang or huge
# allocation in the HDF5 library itself, see docs/robustness.md) is reported and set aside in
# findings/<target>/hdf5-internal/, and the run continues; FUZZ_STRICT_HDF5=1 fails on it too.
# Any other finding fails the script.
hdf5_internal() { # log file → 0 when the first frame outside libFuzzer/sanitizers/libc is libhdf5
  grep -E '^ +#[0-9]+ 0x' "$1" \
    | grep -vE 'fuzzer::|__sanitizer|__asan|__ubsan|__interceptor| in (malloc|calloc|realloc|memset|memcpy|memmove)\b|libc\.so|sysdeps/|asan_|sanitizer_common' \
    | head -n 1 | grep -q 'libhdf5'
}
failed=()
hdf5_findings=0
for t in fuzz_hdf5_activations fuzz_jsonl_activations fuzz_text_corpus fuzz_session \
         fuzz_safetensors fuzz_model_config fuzz_tokenizer_json; do
  work="$BUILD/fuzz/smoke/$t"
  findings="$BUILD/fuzz/findings/$t"
  rm -rf "$work" "$findings"
  mkdir -p "$work" "$findings/hdf5-internal"
  cp -r "$BUILD/fuzz/seeds/${SEEDS[$t]}/." "$work/"
  echo "== fuzz-smoke: $t for ${SECS}s"
  deadline=$(( $(date +%s) + SECS ))
  round=0
  while :; do
    left=$(( deadline - $(date +%s) ))
    [ "$left" -ge 1 ] || break
    round=$((round + 1))
    log="$work.$round.log"
    if "$BUILD/fuzz/$t" -max_total_time="$left" -timeout=10 -rss_limit_mb=2048 \
          -max_len="${MAXLEN[$t]}" -dict="fuzz/${DICT[$t]}" -print_final_stats=1 \
          -artifact_prefix="$findings/" "$work" >"$log" 2>&1; then
      grep -E "stat::number_of_executed_units|stat::average_exec_per_sec" "$log" | sed "s/^/   /"
      break
    fi
    if hdf5_internal "$log" && [ "${FUZZ_STRICT_HDF5:-0}" != 1 ] && [ "$round" -lt 20 ]; then
      hdf5_findings=$((hdf5_findings + 1))
      echo "   (finding inside libhdf5, not Salient; set aside — log $log)"
      grep -E "ERROR|SUMMARY" "$log" | head -2 | sed "s/^/   /"
      find "$findings" -maxdepth 1 -type f -exec mv {} "$findings/hdf5-internal/" \;
      continue
    fi
    failed+=("$t")
    echo "!! $t found a problem; log $log, reproducer(s) in $findings/:" >&2
    ls -l "$findings" >&2
    grep -E "ERROR|SUMMARY|runtime error|==[0-9]+==" "$log" | head -20 >&2 || true
    break
  done
done
[ "$hdf5_findings" -eq 0 ] || echo "fuzz-smoke: $hdf5_findings finding(s) inside libhdf5 set aside (docs/robustness.md)"
if [ ${#failed[@]} -ne 0 ]; then
  echo "fuzz-smoke: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz-smoke: all targets clean ($(date -u))"
