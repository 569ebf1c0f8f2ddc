#!/usr/bin/env bash
# Whole-program benchmark: Lathe's stem master against ffmpeg running an equivalent filter graph on the same files,
# in the same run, on the same machine. Prints both wall times and the ratio.
#
#   tests/bench/render-vs-ffmpeg.sh [BUILD_DIR] [SECONDS]      (defaults: build, 240)
#
# Workload (the issue's): 6 stems x SECONDS at 48 kHz, each stem through a parametric EQ band and a compressor,
# summed, then master EQ, compressor and a limiter, written as 24-bit WAV. ffmpeg: per-stem equalizer +
# acompressor, amix (no normalisation), equalizer, acompressor, alimiter, pcm_s24le. Lathe does more than the
# ffmpeg graph: true-peak (not sample-peak) limiting with 8x verification, loudness targeting passes, TPDF dither,
# and a loudness report. It is timed doing all of that (MP3 off, as ffmpeg writes none).
set -euo pipefail
build=${1:-build}
seconds=${2:-240}
cli="$build/app/lathe-cli"
[ -x "$cli" ] || { echo "build lathe-cli first ($cli not found)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
song="$work/Bench Song"
"$cli" demo "$song" --seconds "$seconds" >/dev/null
stems=("$song"/0[1-6]_*.wav)

# A session with a chain on every stem and on the master, equivalent to the ffmpeg graph below.
"$cli" session new "$song" -o "$work/bench.lathe" >/dev/null
python3 - "$work/bench.lathe" <<'PY'
import json, sys
path = sys.argv[1]
s = json.load(open(path))
for st in s["stems"]:
    st["eq"] = [{"enabled": True, "type": "bell", "frequency_hz": 2500, "q": 1.0, "gain_db": 2.0}]
    st["compressor"].update({"enabled": True, "threshold_db": -24, "ratio": 3, "knee_db": 0, "attack_ms": 10,
                             "release_ms": 100})
s["master"]["eq"] = [{"enabled": True, "type": "bell", "frequency_hz": 100, "q": 0.7, "gain_db": 1.5}]
s["master"]["compressor"].update({"enabled": True, "threshold_db": -18, "ratio": 2, "knee_db": 0, "attack_ms": 20,
                                  "release_ms": 200})
s["output"]["mp3"] = False
json.dump(s, open(path, "w"), indent=2)
PY

now() { date +%s.%N; }

inputs=()
chains=""
labels=""
for i in "${!stems[@]}"; do
  inputs+=(-i "${stems[$i]}")
  chains+="[$i:a]equalizer=f=2500:t=q:w=1:g=2,acompressor=threshold=0.063:ratio=3:attack=10:release=100[s$i];"
  labels+="[s$i]"
done
graph="${chains}${labels}amix=inputs=${#stems[@]}:normalize=0,equalizer=f=100:t=q:w=0.7:g=1.5,acompressor=threshold=0.126:ratio=2:attack=20:release=200,alimiter=limit=0.891:level=false"

# CPU seconds (user + sys) as well as wall time: on a shared machine the wall times of both sides stretch
# with the load, while CPU time shows the work each side did (Lathe spreads its work over the cores, so its
# wall time on an idle machine is below its CPU time).
TIMEFORMAT='%U %S'
t0=$(now)
# (fd 3 keeps each command's own error messages on stderr; only `time`'s report goes to the file.)
{ time ffmpeg -nostdin -hide_banner -loglevel error -y "${inputs[@]}" -filter_complex "$graph" -c:a pcm_s24le \
  "$work/ffmpeg.wav" 2>&3; } 3>&2 2>"$work/ffmpeg.cpu"
t1=$(now)
{ time "$cli" render "$work/bench.lathe" --out "$work/lathe" --mode stem --quiet >/dev/null 2>&3; } 3>&2 \
  2>"$work/lathe.cpu"
t2=$(now)
cpu() { awk '{ print $1 + $2 }' "$1"; }

ffmpeg_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
lathe_s=$(awk -v a="$t1" -v b="$t2" 'BEGIN { print b - a }')
printf 'workload: %d stems x %s s at 48 kHz (%s)\n' "${#stems[@]}" "$seconds" "$(nproc) cores"
printf 'ffmpeg: %.2f s   lathe: %.2f s   ffmpeg/lathe: %.2fx (above 1 means Lathe is faster)\n' \
  "$ffmpeg_s" "$lathe_s" "$(awk -v f="$ffmpeg_s" -v l="$lathe_s" 'BEGIN { print f / l }')"
printf 'cpu: ffmpeg %.2f s   lathe %.2f s   load average %s\n' "$(cpu "$work/ffmpeg.cpu")" "$(cpu "$work/lathe.cpu")" \
  "$(cut -d' ' -f1-3 /proc/loadavg)"
