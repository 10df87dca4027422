#!/usr/bin/env bash
# Installs every Debian 12 package that Salient's build, tests and packaging need.
# Idempotent: installs only what is missing, with at most one `apt-get update`.
# Usage: sudo packaging/install-deps.sh   (runs as root; uses sudo when not root and available)
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build pkg-config git
  # Qt 6: Widgets, Concurrent, PrintSupport, Svg, Test (qt6-base-dev holds all but Svg)
  qt6-base-dev qt6-svg-dev libgl-dev
  # plotting: QCustomPlot's Qt 6 build (the -dev package also pulls the Qt 5 build; we use the Qt 6 one)
  libqcustomplot-dev libqcustomplot2.1-qt6
  # numerics and I/O
  libeigen3-dev libopenblas-dev libhdf5-dev
  # salient-cli-mpi (docs/cluster.md) and its tests under mpirun
  libopenmpi-dev openmpi-bin
  # SHA-256 of input files at the CPU's SHA-instruction speed (libcrypto)
  libssl-dev
  # offscreen/Xvfb test runs, screenshots
  xvfb xauth fonts-dejavu-core
  # packaging: dpkg-shlibdeps (dpkg-dev) and `file` for CPack's Depends; validators used by
  # .ci/package-check.sh (desktop-file-utils, appstream)
  dpkg-dev file desktop-file-utils appstream
  # fuzzing (clang + libFuzzer runtime; libomp for OpenMP under clang; llvm-symbolizer for
  # sanitizer stack traces) — .ci/fuzz-smoke.sh, .ci/sanitize.sh
  clang-14 libclang-rt-14-dev libomp-14-dev llvm-14
  # formatting check (.ci/format-check.sh)
  clang-format
  # docs/findings.sh (reads the pipeline's JSON; its --quick run is a test)
  jq
  # figure tests (tests/ui/tst_figures): pdfinfo, pdffonts, pdfimages check page size, embedded
  # fonts and that no image is JPEG
  poppler-utils
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
    echo "install-deps: need root to install: ${missing[*]}" >&2; exit 1
  fi
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
