#!/usr/bin/env bash
# Sanitizer run (docs/robustness.md, "Sanitizers"): configures BUILD_DIR (default build-asan)
# with GCC AddressSanitizer + UndefinedBehaviorSanitizer (-DSALIENT_SANITIZE=ON, RelWithDebInfo
# at -g1, warnings as errors), builds everything and runs the whole ctest suite. ctest passes the
# ASAN/LSAN/UBSAN options and the third-party suppressions (tests/sanitizers/) to every test
# (tests/CMakeLists.txt, SALIENT_TEST_ENV). Any sanitizer report fails the test that caused it.
# Usage: .ci/sanitize.sh [BUILD_DIR]   (extra ctest arguments via CTEST_ARGS, e.g. "-E tst_cli")
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build-asan}
JOBS=${SANITIZE_BUILD_JOBS:-$(nproc)}
start=$(date +%s)
for s in llvm-symbolizer llvm-symbolizer-14; do
  if command -v "$s" >/dev/null 2>&1; then export ASAN_SYMBOLIZER_PATH="$(command -v "$s")"; break; fi
done
echo "== sanitize: configure + build $BUILD (-j$JOBS), $(date -u)"
# -DSALIENT_MPI=OFF: Open MPI is not ASan-clean; salient-cli-mpi is tested in the main build.
# -g1 (line tables only): reports keep function, file and line; compiles faster than -g.
cmake -S . -B "$BUILD" -G Ninja -DSALIENT_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" \
  -DSALIENT_WARNINGS_AS_ERRORS=ON -DSALIENT_MPI=OFF
cmake --build "$BUILD" -j"$JOBS"
echo "== sanitize: ctest, $(date -u)"
# shellcheck disable=SC2086
ctest --test-dir "$BUILD" --output-on-failure ${CTEST_ARGS:-}
echo "== sanitize: passed in $(( $(date +%s) - start )) s"
