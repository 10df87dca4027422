#!/usr/bin/env bash
# Formatting check: every tracked C++ file is as clang-format 14 (Debian 12) with the root
# .clang-format writes it. Fix with: clang-format -i $(git ls-files '*.cpp' '*.h')
set -euo pipefail
cd "$(dirname "$0")/.."
command -v clang-format >/dev/null || { echo "format-check: clang-format not installed" >&2; exit 1; }
mapfile -t files < <(git ls-files '*.cpp' '*.h')
if ! clang-format --dry-run --Werror "${files[@]}"; then
  echo "format-check: run clang-format -i on the files above" >&2
  exit 1
fi
echo "format-check: ${#files[@]} files formatted"
