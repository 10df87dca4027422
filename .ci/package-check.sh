#!/usr/bin/env bash
# Builds and checks Salient's Debian package (cmake/Packaging.cmake).
# Usage: .ci/package-check.sh BUILD_DIR        (BUILD_DIR configured and built)
#  1. cmake --build BUILD_DIR --target package
#  2. dpkg-deb -I: Package, Version (= project(VERSION)), Section, Depends (Qt 6, QCustomPlot,
#     HDF5, libgomp from dpkg-shlibdeps)
#  3. dpkg-deb -c: both binaries, .desktop, SVG + PNG icons, AppStream metainfo, man pages;
#     desktop-file-validate / appstreamcli validate on the packaged files when installed
#  4. as root only: apt-get install the .deb, run the installed salient-cli (--version, demo,
#     inspect) and salient (--version, --demo --screenshot under xvfb-run), then remove it.
# Prints one PASS/FAIL/SKIP line per check; exits 1 when any check failed.
set -euo pipefail

if [ $# -ne 1 ] || [ ! -f "$1/CMakeCache.txt" ]; then
  echo "usage: $0 BUILD_DIR   (a configured and built CMake build directory)" >&2
  exit 2
fi
BUILD=$(cd "$1" && pwd)
APP_ID=io.github.salient.Salient
failures=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
skip() { echo "SKIP: $*"; }
check() { # check DESCRIPTION COMMAND...: PASS when the command succeeds
  local what=$1; shift
  if "$@"; then pass "$what"; else fail "$what"; fi
}

WORK=$(mktemp -d /tmp/salient-package-check.XXXXXX)
installed_by_us=0
cleanup() {
  if [ "$installed_by_us" = 1 ]; then
    echo "== removing the package (cleanup)"
    apt-get remove -y -qq salient >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

VERSION=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$BUILD/CMakeCache.txt")
if [ -z "$VERSION" ]; then
  echo "FAIL: no CMAKE_PROJECT_VERSION in $BUILD/CMakeCache.txt"; exit 1
fi
echo "== package-check: $BUILD, project version $VERSION"

# --- 1. build the package --------------------------------------------------------------------
rm -f "$BUILD"/salient_*.deb
if cmake --build "$BUILD" --target package >"$WORK/package.log" 2>&1; then
  pass "cmake --build --target package"
else
  tail -n 40 "$WORK/package.log"
  echo "FAIL: cmake --build --target package (log above)"; exit 1
fi
shopt -s nullglob
debs=("$BUILD"/salient_*.deb)
shopt -u nullglob
if [ ${#debs[@]} -ne 1 ]; then
  echo "FAIL: expected one $BUILD/salient_*.deb, found ${#debs[@]}"; exit 1
fi
DEB=${debs[0]}
pass "package file $(basename "$DEB") ($(du -h "$DEB" | cut -f1))"

# --- 2. control fields -----------------------------------------------------------------------
dpkg-deb -I "$DEB" >"$WORK/info.txt"
field() { dpkg-deb -f "$DEB" "$1"; }
check "Package: salient" test "$(field Package)" = salient
check "Version: $VERSION (= project(VERSION))" test "$(field Version)" = "$VERSION"
check "Section: science" test "$(field Section)" = science
check "Maintainer set ($(field Maintainer))" test -n "$(field Maintainer)"
check "Homepage set ($(field Homepage))" test -n "$(field Homepage)"
check "Description set" test -n "$(field Description)"
DEPENDS=$(field Depends)
echo "     Depends: $DEPENDS"
# (Qt PrintSupport comes through libqcustomplot2.1-qt6: dpkg-shlibdeps lists direct links only.)
for lib in libqt6core6 libqt6gui6 libqt6widgets6 libqt6svg6 libqcustomplot2.1-qt6 \
           libhdf5-103 libgomp1 libstdc++6 libc6; do
  # package names start with $lib (libhdf5-103 matches libhdf5-103-1 and its MPI flavours)
  if tr ',|' '\n' <<<"$DEPENDS" | sed 's/(.*//; s/ //g' | awk -v p="$lib" 'index($0, p) == 1 { f = 1 } END { exit !f }'; then
    pass "Depends lists $lib"
  else
    fail "Depends lists $lib"
  fi
done

# --- 3. contents -----------------------------------------------------------------------------
dpkg-deb -c "$DEB" | awk '{print $6}' | sed 's|^\./|/|' >"$WORK/files.txt"
expected=(
  /usr/bin/salient /usr/bin/salient-cli
  "/usr/share/applications/$APP_ID.desktop"
  "/usr/share/icons/hicolor/scalable/apps/$APP_ID.svg"
  "/usr/share/metainfo/$APP_ID.metainfo.xml"
  /usr/share/man/man1/salient-cli.1.gz /usr/share/man/man1/salient.1.gz
)
for s in 16 22 24 32 48 64 128 256; do expected+=("/usr/share/icons/hicolor/${s}x${s}/apps/$APP_ID.png"); done
for f in "${expected[@]}"; do
  check "contains $f" grep -qxF "$f" "$WORK/files.txt"
done

# Validate the packaged data files (tools from packaging/install-deps.sh; skipped when absent).
mkdir -p "$WORK/root"
dpkg-deb -x "$DEB" "$WORK/root"
if command -v desktop-file-validate >/dev/null; then
  check "desktop-file-validate $APP_ID.desktop" desktop-file-validate "$WORK/root/usr/share/applications/$APP_ID.desktop"
else
  skip "desktop-file-validate not installed"
fi
if command -v appstreamcli >/dev/null; then
  check "appstreamcli validate $APP_ID.metainfo.xml" \
    appstreamcli validate --no-net "$WORK/root/usr/share/metainfo/$APP_ID.metainfo.xml"
else
  skip "appstreamcli not installed"
fi
check "metainfo names version $VERSION" grep -q "release version=\"$VERSION\"" \
  "$WORK/root/usr/share/metainfo/$APP_ID.metainfo.xml"
check "salient-cli.1.gz is a gzip man page" bash -c "gzip -dc '$WORK/root/usr/share/man/man1/salient-cli.1.gz' | grep -q '^\.TH SALIENT-CLI 1'"
for s in 16 256; do
  check "${s}x${s} icon is a ${s} x ${s} PNG" bash -c \
    "file '$WORK/root/usr/share/icons/hicolor/${s}x${s}/apps/$APP_ID.png' | grep -q 'PNG image data, $s x $s'"
done

# --- 4. install, run, remove (root only) ------------------------------------------------------
if [ "$(id -u)" -ne 0 ]; then
  skip "install/run/remove: not root"
else
  export DEBIAN_FRONTEND=noninteractive
  if apt-get install -y -qq --no-install-recommends "$DEB" >"$WORK/install.log" 2>&1; then
    installed_by_us=1
    pass "apt-get install $(basename "$DEB")"
  else
    tail -n 20 "$WORK/install.log"
    fail "apt-get install $(basename "$DEB")"
  fi
  if [ "$installed_by_us" = 1 ]; then
    out=$(/usr/bin/salient-cli --version 2>&1 || true)
    check "salient-cli --version prints $VERSION ('$out')" grep -qF "$VERSION" <<<"$out"
    if /usr/bin/salient-cli demo --out "$WORK/demo" >"$WORK/demo.log" 2>&1; then
      pass "salient-cli demo --out DIR"
    else
      cat "$WORK/demo.log"; fail "salient-cli demo --out DIR"
    fi
    if /usr/bin/salient-cli inspect "$WORK/demo/demo.dev.hdf5" >"$WORK/inspect.json" 2>"$WORK/inspect.err" &&
       grep -q '"format": "hdf5"' "$WORK/inspect.json"; then
      pass "salient-cli inspect demo.dev.hdf5"
    else
      cat "$WORK/inspect.err"; fail "salient-cli inspect demo.dev.hdf5"
    fi
    check "man page installed" test -s /usr/share/man/man1/salient-cli.1.gz
    out=$(QT_QPA_PLATFORM=offscreen /usr/bin/salient --version 2>/dev/null || true)
    check "salient --version prints $VERSION ('$out')" grep -qF "$VERSION" <<<"$out"
    if command -v xvfb-run >/dev/null; then
      shot="$WORK/x.png"
      if timeout 600 xvfb-run -a /usr/bin/salient --demo --screenshot "$shot" >"$WORK/gui.log" 2>&1 &&
         file "$shot" | grep -q "PNG image data"; then
        pass "salient --demo --screenshot under xvfb-run ($(file -b "$shot" | cut -d, -f2 | xargs))"
      else
        tail -n 20 "$WORK/gui.log"; fail "salient --demo --screenshot under xvfb-run"
      fi
    else
      fail "xvfb-run not installed (packaging/install-deps.sh installs xvfb)"
    fi
    if apt-get remove -y -qq salient >"$WORK/remove.log" 2>&1 && [ ! -e /usr/bin/salient-cli ]; then
      installed_by_us=0
      pass "apt-get remove salient"
    else
      tail -n 20 "$WORK/remove.log"; fail "apt-get remove salient"
    fi
  fi
fi

if [ "$failures" -ne 0 ]; then
  echo "package-check: FAIL ($failures checks failed)"
  exit 1
fi
echo "package-check: PASS ($(basename "$DEB"))"
