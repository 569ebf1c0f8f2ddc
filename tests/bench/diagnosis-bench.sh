#!/usr/bin/env bash
# The diagnosis benchmark (issue 17): writes every labelled folder (tests/support/LabelledFolders: one known
# defect each, or none) and prints the confusion table of `lathe-cli advise` against the labels. Exit 1 if any
# case is wrong.
#
#   tests/bench/diagnosis-bench.sh [BUILD_DIR] [OUT_DIR]     (defaults: build, a temporary folder)
set -euo pipefail
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
[ -x "$build/app/lathe-cli" ] && [ -x "$build/tests/lathe-bench-folders" ] ||
    { echo "build lathe-cli and lathe-bench-folders first (in $build)" >&2; exit 2; }
if [ -n "${2:-}" ]; then
    out=$2
else
    out=$(mktemp -d)
    trap 'rm -rf "$out"' EXIT
fi
"$build/tests/lathe-bench-folders" "$out" 2>/dev/null
python3 "$here/diagnosis-table.py" "$out/labels.tsv" --cli "$build/app/lathe-cli"
