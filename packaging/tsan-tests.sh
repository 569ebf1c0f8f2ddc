#!/usr/bin/env bash
# Builds the real-time engine's tests with ThreadSanitizer (the "tsan" preset) and runs them. Any data race
# fails the run (halt_on_error). Only the engine tests, with an audio thread, a meter thread and a control
# thread sharing state, and dsp_MeterValueTest, which reads every dsp meter while another thread processes;
# the rest of the suite is single-threaded or covered by asan-tests.sh.
#   packaging/tsan-tests.sh [extra ctest args...]
# LATHE_TSAN_BUILD_DIR overrides build-tsan; LATHE_JOBS overrides the core count.
set -euo pipefail
src="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${LATHE_TSAN_BUILD_DIR:-$src/build-tsan}"
jobs="${LATHE_JOBS:-$(nproc)}"
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
cmake --preset tsan -S "$src" -B "$build" -DLATHE_BUILD_GUI=OFF "${launcher[@]}" >/dev/null
mapfile -t targets < <(cd "$src/tests/core/engine" && ls AudioEngine*Test.cpp | sed 's/^/core_/; s/\.cpp$//')
targets+=(dsp_MeterValueTest)
cmake --build "$build" -j"$jobs" --target lathe-cli "${targets[@]}"
# The suppressions file lists only reports inside system libraries (libjack), each with the reason; one at a
# time (-j1): the device-loss test starts its own JACK server and the ALSA tests time real playback.
export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:suppressions=$src/tests/core/engine/tsan.supp}"
cd "$build"
ctest --output-on-failure -j1 -R 'AudioEngine|MonitorSource|MeterValue' "$@"
