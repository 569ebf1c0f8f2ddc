#!/usr/bin/env bash
# Soak test of the real-time engine on a real-time-paced device: jackd's dummy backend at 48 kHz, 64-frame
# periods, an 8-stem session with every chain stage on, played for MINUTES minutes (default 10) while the
# source switches every 2 s. Prints xruns and callback time as % of the period. Not run in CI.
#   [SONG_SECONDS=120] tests/bench/engine-soak.sh BUILD_DIR [MINUTES]   (the song loops to the end of the run)
set -euo pipefail
build=${1:?usage: engine-soak.sh BUILD_DIR [MINUTES]}
minutes=${2:-10}
cli="$build/app/lathe-cli"
work=$(mktemp -d)
trap 'kill "$jack_pid" 2>/dev/null || true; rm -rf "$work"' EXIT

"$cli" demo "$work/song" --seconds "${SONG_SECONDS:-120}" >/dev/null
# Eight stems: the demo's six plus two more copies of its busiest stems.
cp "$work/song/01_Drums.wav" "$work/song/07_Drums_Room.wav"
cp "$work/song/03_Music.wav" "$work/song/08_Music_Keys.wav"
sets=()
for i in 0 1 2 3 4 5 6 7; do
  sets+=(--set "stems.$i.compressor.enabled=true" --set "stems.$i.width=1.1")
done
sets+=(--set master.compressor.enabled=true --set master.multiband.enabled=true
       --set master.saturation.enabled=true --set master.saturation.drive_db=3)

export JACK_NO_AUDIO_RESERVATION=1
# Real-time scheduling when this user may use SCHED_FIFO (root, or an audio group with rtprio): jackd then runs
# its clients' process threads, and so Lathe's callback, at real-time priority, as on a studio machine.
realtime=(--no-realtime)
if chrt -f 1 true 2>/dev/null; then realtime=(-R -P 70); fi
jackd "${realtime[@]}" -d dummy -r 48000 -p 64 >"$work/jackd.log" 2>&1 &
jack_pid=$!
sleep 2
input="$work/song"
device=$("$cli" devices --json 2>/dev/null | python3 -c 'import json,sys
d=[x["name"] for x in json.load(sys.stdin) if x["host_api"].startswith("JACK")]
print(d[0] if d else "")')
[ -n "$device" ] || { echo "no JACK output device (is jackd running?)"; cat "$work/jackd.log"; exit 1; }
echo "device: $device (jackd ${realtime[*]}); $minutes min, 64-frame buffer, 8 stems, full chains, switching every 2 s"
"$cli" play "$input" --device "$device" --buffer 64 --source stem --switch-every 2 --loop \
  --seconds $((minutes * 60)) --stats "${sets[@]}" 2>&1 | grep -v '^ALSA\|^Cannot\|^jack\|^Jack'
