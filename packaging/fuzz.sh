#!/usr/bin/env bash
# Builds the libFuzzer targets (clang-14, ASan + UBSan, the "fuzz" preset) and runs each for MINUTES minutes, all
# in parallel at low priority. Inputs that crash, leak or time out are written to tests/fuzz/regressions/<target>/,
# where tests/fuzz/FuzzRegressionTest.cpp replays them in CI; commit them with the fix.
#   packaging/fuzz.sh [MINUTES] [TARGET...]     (default 10 minutes, all targets)
# Needs clang-14 and libclang-rt-14-dev (Debian packages). LATHE_FUZZ_BUILD_DIR overrides build-fuzz.
set -euo pipefail
src="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${LATHE_FUZZ_BUILD_DIR:-$src/build-fuzz}"
minutes="${1:-10}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then targets=(AudioLoaderFuzz SessionJsonFuzz FolderScanFuzz); fi

command -v clang++-14 >/dev/null || { echo "fuzz: clang++-14 not found (apt-get install clang-14 libclang-rt-14-dev)" >&2; exit 2; }
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
cmake --preset fuzz -S "$src" -B "$build" "${launcher[@]}" >/dev/null
cmake --build "$build" -j"$(nproc)" --target "${targets[@]/#/fuzz_}"

# Inputs up to these sizes: an audio header plus a few blocks, a hand-edited session, a small folder tree.
declare -A maxLen=([AudioLoaderFuzz]=65536 [SessionJsonFuzz]=16384 [FolderScanFuzz]=32768)
# Leaks inside third-party decoders we cannot fix are listed there, each with the input that shows it.
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$src/tests/fuzz/lsan.supp}"
pids=()
for target in "${targets[@]}"; do
  work="$build/fuzz-corpus/$target"
  regressions="$src/tests/fuzz/regressions/$target"
  mkdir -p "$work" "$regressions"
  echo "fuzz: $target for $minutes min (log: $build/fuzz-$target.log)"
  # The committed corpus seeds the run; new coverage goes to the scratch corpus so the tree stays small.
  nice -n 10 "$build/tests/fuzz/fuzz_$target" "$work" "$src/tests/fuzz/corpus/$target" \
    -max_total_time=$((minutes * 60)) -max_len="${maxLen[$target]:-16384}" -timeout=20 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$regressions/" >"$build/fuzz-$target.log" 2>&1 &
  pids+=($!)
done
status=0
for i in "${!pids[@]}"; do
  if wait "${pids[$i]}"; then
    echo "fuzz: ${targets[$i]}: no crash ($(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$build/fuzz-${targets[$i]}.log" | grep -o '[0-9]*$') runs)"
  else
    echo "fuzz: ${targets[$i]}: FOUND A PROBLEM, see $build/fuzz-${targets[$i]}.log and tests/fuzz/regressions/${targets[$i]}/" >&2
    status=1
  fi
done
exit $status
