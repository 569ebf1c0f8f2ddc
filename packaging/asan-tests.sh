#!/usr/bin/env bash
# Builds the whole test suite with AddressSanitizer + UndefinedBehaviorSanitizer (the "asan" preset) and runs it.
# Any sanitizer report fails its test (halt_on_error / abort_on_error).
#   packaging/asan-tests.sh [extra ctest args...]     e.g. -R core_   or   -L dsp
# LATHE_ASAN_BUILD_DIR overrides build-asan; LATHE_JOBS overrides the core count.
set -euo pipefail
src="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${LATHE_ASAN_BUILD_DIR:-$src/build-asan}"
jobs="${LATHE_JOBS:-$(nproc)}"
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
cmake --preset asan -S "$src" -B "$build" "${launcher[@]}" >/dev/null
cmake --build "$build" -j"$jobs"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$src/tests/fuzz/lsan.supp}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
cd "$build"
ctest --output-on-failure -j"$jobs" "$@"
