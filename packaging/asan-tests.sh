#!/usr/bin/env bash
# Builds the whole test suite with AddressSanitizer + UndefinedBehaviorSanitizer (the "asan" preset: UB is
# compiled fatal, -fno-sanitize-recover=undefined) and runs it. Any sanitizer report fails its test: ASan and UBSan
# halt, LSan fails the process at exit. Leaks inside system libraries are suppressed by packaging/lsan.supp (each
# entry says why); nothing of Lathe's is. Ends with one line: "asan-tests: PASS|FAIL: N passed, M failed ...".
#   packaging/asan-tests.sh [extra ctest args...]     e.g. -R core_   or   -L dsp
# LATHE_ASAN_BUILD_DIR overrides build-asan; LATHE_JOBS overrides the core count.
set -uo pipefail
src="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${LATHE_ASAN_BUILD_DIR:-$src/build-asan}"
jobs="${LATHE_JOBS:-$(nproc)}"
start=$(date +%s)
minutes() { echo "$((($(date +%s) - start + 59) / 60)) min"; }

launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
if ! cmake --preset asan -S "$src" -B "$build" "${launcher[@]}" >/dev/null ||
    ! cmake --build "$build" -j"$jobs"; then
  echo "asan-tests: FAIL: the sanitizer build did not build ($(minutes))"
  exit 1
fi

# Child processes (the lathe-cli and lathe binaries the tests run) inherit these, so they are checked too.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:abort_on_error=1:strict_string_checks=1:check_initialization_order=1}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$src/packaging/lsan.supp:print_suppressions=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
log="$build/asan-ctest.log"
(cd "$build" && ctest --output-on-failure -j"$jobs" "$@") 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# ctest's closing line: "100% tests passed, 0 tests failed out of 325".
summary="$(grep -E '[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -1)"
if [ -z "$summary" ]; then
  echo "asan-tests: FAIL: ctest ran no test ($(minutes))"
  exit 1
fi
total="$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$summary")"
failed="$(sed -E 's/.* ([0-9]+) tests? failed.*/\1/' <<<"$summary")"
if [ "$status" -eq 0 ] && [ "$failed" -eq 0 ]; then verdict=PASS; else verdict=FAIL; fi
echo "asan-tests: $verdict: $((total - failed)) passed, $failed failed of $total tests ($(minutes), build + run)"
[ "$verdict" = PASS ]
