#!/usr/bin/env bash
# Whole-program benchmark against the peer every engineer has: ffmpeg. Times Lathe and ffmpeg on the same files
# in the same run (RUNS runs each, alternating, median of each), wall and CPU (user + sys), and prints the ratios
# (peer / Lathe: above 1 means Lathe is faster) with the load average, so figures from a busy machine show it.
#
#   [RUNS=5] [CACHE=DIR] [LONG=1] [GUI_ONLY=1] tests/bench/vs-peers.sh [BUILD_DIR]   (default build)
#
# 1. render: issue 22's equal-work session, 6 stems x 240 s at 48 kHz, each stem through an EQ band and a
#    compressor, summed, master EQ + compressor + limiter, 24-bit WAV, no MP3. ffmpeg:
#    [i]equalizer=f=100:t=q:w=1:g=2,acompressor per stem, amix=inputs=6:normalize=0,
#    equalizer=f=8000:t=q:w=1:g=1,acompressor,alimiter=limit=0.89:level=false, pcm_s24le. Lathe does more than
#    the graph (true-peak limiting verified at 8x, loudness targeting, TPDF dither, a loudness report).
# 2. analyze: `lathe-cli analyze` against `ffmpeg -af ebur128=peak=true` on the 240 s mix, with both tools'
#    integrated loudness, LRA and true peak side by side (the 4x BS.1770 reading is the one to compare).
# 3. GUI: `lathe --timing FOLDER --no-audio` on 8 stems x 4 min, the same with the mix and a reference (every
#    compare source; the codec preview, made in the background, timed on its own), and 8 stems x 30 min with
#    LONG=1: ms until playable, until every source is measured and (with a mix) until the codec preview is
#    ready, and the peak RSS (GNU time's). Skipped when the build's lathe has no --timing.
# The inputs are synthesized once into CACHE (default $XDG_CACHE_HOME/lathe-bench or ~/.cache/lathe-bench) and
# reused by later runs.
set -euo pipefail
build=${1:-build}
runs=${RUNS:-5}
cli="$build/app/lathe-cli"
gui="$build/app/lathe"
[ -x "$cli" ] || { echo "build lathe-cli first ($cli not found)" >&2; exit 2; }
command -v ffmpeg >/dev/null || { echo "ffmpeg not found (apt-get install ffmpeg)" >&2; exit 2; }
cache=${CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lathe-bench}
mkdir -p "$cache"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# --- inputs (once) -----------------------------------------------------------------------------------------
song="$cache/Bench Song 240"
if [ ! -f "$song/.complete" ]; then
  rm -rf "$song"
  "$cli" demo "$song" --seconds 240 >/dev/null
  touch "$song/.complete"
fi
stems=("$song"/0[1-6]_*.wav)
mix=$(ls "$song"/*Mix*.wav 2>/dev/null | head -1)
[ -n "$mix" ] || mix=${stems[0]}

# Eight stems: the demo's six and two more copies of its busiest stems (as engine-soak.sh).
eight() { # $1: folder, $2: minutes (the 240 s stems repeated to length)
  local dir=$1 minutes=$2
  [ -f "$dir/.complete" ] && return
  rm -rf "$dir"
  mkdir -p "$dir"
  local names=(01_Drums 02_Bass_808 03_Music 04_Lead_Vocal 05_BGV_Adlibs 06_FX_Returns)
  local i=0
  for f in "${stems[@]}" "${stems[0]}" "${stems[2]}"; do
    local name=${names[$i]:-0$((i + 1))_Extra}
    [ $i -eq 6 ] && name=07_Drums_Room
    [ $i -eq 7 ] && name=08_Music_Keys
    if [ "$minutes" = 4 ]; then
      cp "$f" "$dir/$name.wav"
    else
      ffmpeg -nostdin -hide_banner -loglevel error -stream_loop -1 -i "$f" -t $((minutes * 60)) -c:a pcm_s24le \
        "$dir/$name.wav"
    fi
    i=$((i + 1))
  done
  touch "$dir/.complete"
}

# --- timing helpers ----------------------------------------------------------------------------------------
# measure OUT CMD...: appends "wall cpu maxrss_kb" to OUT (GNU time; the command's own output is dropped).
measure() {
  local out=$1
  shift
  /usr/bin/time -f '%e %U %S %M' -o "$work/time" "$@" >/dev/null 2>"$work/stderr" ||
    { cat "$work/stderr" >&2; echo "failed: $*" >&2; exit 1; }
  awk '{ printf "%s %.3f %s\n", $1, $2 + $3, $4 }' "$work/time" >>"$out"
}
median() { # $1: file, $2: column
  sort -g -k"$2","$2" "$1" | awk -v c="$2" '{ v[NR] = $c } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
mb() { awk -v k="$1" 'BEGIN { printf "%d", k / 1024 }'; }

printf 'vs-peers: %s, %s cores (%s), %s, %d runs each, median\n' "$(date -u +%Y-%m-%dT%H:%MZ)" "$(nproc)" \
  "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')" \
  "$(ffmpeg -version | head -1 | cut -d' ' -f1-3)" "$runs"
printf 'load average at start: %s\n\n' "$(cut -d' ' -f1-3 /proc/loadavg)"

if [ "${GUI_ONLY:-0}" != 1 ]; then
# --- 1. render ---------------------------------------------------------------------------------------------
"$cli" session new "$song" -o "$work/bench.lathe" >/dev/null
python3 - "$work/bench.lathe" <<'PY'
import json, sys
path = sys.argv[1]
s = json.load(open(path))
# ffmpeg's acompressor defaults: threshold 0.125 (-18 dB), ratio 2, attack 20 ms, release 250 ms, knee 2.83.
comp = {"enabled": True, "threshold_db": -18, "ratio": 2, "knee_db": 9, "attack_ms": 20, "release_ms": 250}
for st in s["stems"]:
    st["eq"] = [{"enabled": True, "type": "bell", "frequency_hz": 100, "q": 1.0, "gain_db": 2.0}]
    st["compressor"].update(comp)
s["master"]["eq"] = [{"enabled": True, "type": "bell", "frequency_hz": 8000, "q": 1.0, "gain_db": 1.0}]
s["master"]["compressor"].update(comp)
s["output"]["mp3"] = False
json.dump(s, open(path, "w"), indent=2)
PY
inputs=()
chains=""
labels=""
for i in "${!stems[@]}"; do
  inputs+=(-i "${stems[$i]}")
  chains+="[$i:a]equalizer=f=100:t=q:w=1:g=2,acompressor[s$i];"
  labels+="[s$i]"
done
graph="${chains}${labels}amix=inputs=${#stems[@]}:normalize=0,equalizer=f=8000:t=q:w=1:g=1,acompressor,alimiter=limit=0.89:level=false"
for ((r = 0; r < runs; r++)); do
  measure "$work/render.ffmpeg" ffmpeg -nostdin -hide_banner -loglevel error -y "${inputs[@]}" \
    -filter_complex "$graph" -c:a pcm_s24le "$work/ffmpeg.wav"
  rm -rf "$work/lathe"
  measure "$work/render.lathe" "$cli" render "$work/bench.lathe" --out "$work/lathe" --mode stem --quiet
done
fw=$(median "$work/render.ffmpeg" 1); fc=$(median "$work/render.ffmpeg" 2)
lw=$(median "$work/render.lathe" 1); lc=$(median "$work/render.lathe" 2); lm=$(median "$work/render.lathe" 3)
echo "render (6 stems x 240 s, stem EQ + compressor, master EQ + compressor + limiter, 24-bit):"
printf '  ffmpeg  %6.2f s wall %6.2f s cpu\n  lathe   %6.2f s wall %6.2f s cpu   peak RSS %d MB\n' \
  "$fw" "$fc" "$lw" "$lc" "$(mb "$lm")"
printf '  ratio   wall %sx   cpu %sx   (targets: 10x, 5x)\n\n' "$(ratio "$fw" "$lw")" "$(ratio "$fc" "$lc")"

# --- 2. analyze --------------------------------------------------------------------------------------------
for ((r = 0; r < runs; r++)); do
  measure "$work/analyze.ffmpeg" ffmpeg -nostdin -hide_banner -nostats -i "$mix" -af ebur128=peak=true -f null -
  measure "$work/analyze.lathe" "$cli" analyze "$mix"
done
ffmpeg -nostdin -hide_banner -nostats -i "$mix" -af ebur128=peak=true -f null - 2>"$work/ebur128.txt" || true
"$cli" analyze --json "$mix" >"$work/analyze.json"
fw=$(median "$work/analyze.ffmpeg" 1); fc=$(median "$work/analyze.ffmpeg" 2)
lw=$(median "$work/analyze.lathe" 1); lc=$(median "$work/analyze.lathe" 2)
echo "analyze ($(basename "$mix"), 240 s stereo 24-bit):"
printf '  ffmpeg ebur128=peak=true  %5.2f s wall %5.2f s cpu   I %s LUFS  LRA %s LU  true peak (4x) %s dBTP\n' \
  "$fw" "$fc" "$(awk '/^ +I:/ { v = $2 } END { print v }' "$work/ebur128.txt")" \
  "$(awk '/^ +LRA:/ { v = $2 } END { print v }' "$work/ebur128.txt")" \
  "$(awk '/^ +Peak:/ { v = $2 } END { print v }' "$work/ebur128.txt")"
python3 - "$work/analyze.json" "$fw" "$fc" "$lw" "$lc" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))[0]
fw, fc, lw, lc = map(float, sys.argv[2:])
print(f"  lathe analyze             {lw:5.2f} s wall {lc:5.2f} s cpu   I {a['integrated_lufs']:.2f} LUFS  "
      f"LRA {a['loudness_range_lu']:.2f} LU  true peak (4x) {a['true_peak_bs1770_dbtp']:.2f} dBTP "
      f"(8x {a['true_peak_dbtp']:.2f})")
print(f"  ratio   wall {fw / lw:.2f}x   cpu {fc / lc:.2f}x   (target: 3x)")
PY
echo

fi

# --- 3. GUI ------------------------------------------------------------------------------------------------
if [ -x "$gui" ] && QT_QPA_PLATFORM=offscreen "$gui" --help 2>/dev/null | grep -q -- --timing; then
  gui_timing() { # $1: folder, $2: label
    : >"$work/gui"
    for ((r = 0; r < runs; r++)); do
      if ! QT_QPA_PLATFORM=offscreen /usr/bin/time -f '%M' -o "$work/rss" "$gui" --timing "$1" --no-audio \
        >"$work/timing" 2>"$work/gui-error"; then
        printf '  %-18s failed: %s\n' "$2" "$(grep -v '^Command exited' "$work/gui-error" | tail -1)"
        return
      fi
      # codec_preview_ms: only with a mix (the codec preview is the stereo master's); -1 without.
      echo "$(awk '/^playable_ms/ { print $2 }' "$work/timing") $(awk '/^measured_ms/ { print $2 }' \
        "$work/timing") $(tail -1 "$work/rss") $(awk '/^codec_preview_ms/ { v = $2 } END { print v ? v : -1 }' \
        "$work/timing")" >>"$work/gui"
    done
    local codec=""
    [ "$(median "$work/gui" 4)" != -1 ] && codec="   codec preview $(median "$work/gui" 4) ms"
    printf '  %-18s playable %5s ms   measured %5s ms   peak RSS %4d MB%s   (targets: 1000 ms, 5000 ms, 300 MB)   load %s\n' \
      "$2" "$(median "$work/gui" 1)" "$(median "$work/gui" 2)" "$(mb "$(median "$work/gui" 3)")" "$codec" \
      "$(cut -d' ' -f1 /proc/loadavg)"
  }
  echo "GUI (lathe --timing FOLDER --no-audio):"
  eight "$cache/Eight x 4 min" 4
  gui_timing "$cache/Eight x 4 min" "8 stems x 4 min"
  full="$cache/Eight x 4 min + mix"
  if [ ! -f "$full/.complete" ]; then
    rm -rf "$full"
    mkdir -p "$full"
    cp "$cache/Eight x 4 min"/*.wav "$full/"
    cp "$mix" "$full/"
    ref=$(ls "$song"/*REF*.wav 2>/dev/null | head -1)
    [ -n "$ref" ] && cp "$ref" "$full/"
    touch "$full/.complete"
  fi
  gui_timing "$full" "8 stems + mix + ref"
  if [ "${LONG:-0}" = 1 ]; then
    eight "$cache/Eight x 30 min" 30
    gui_timing "$cache/Eight x 30 min" "8 stems x 30 min"
  fi
else
  echo "GUI: skipped ($gui has no --timing)"
fi
printf '\nload average at end: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
