#!/usr/bin/env bash
# Soak test of the real-time engine on a real-time-paced device: jackd's dummy backend at 48 kHz, 64-frame
# periods, an 8-stem session with every chain stage on, played for MINUTES minutes (default 10) while the
# source switches every 2 s. Prints Lathe's xruns and callback time as % of the period, then tells the xruns
# apart from jackd's own log:
#   - "driver late": the dummy driver's timer thread woke after its period had already ended (the VM or the
#     kernel did not run a SCHED_FIFO thread in time); no client could have prevented it;
#   - "client late": a cycle where a client (Lathe) had not finished when the period ended.
# and measures a peer in the same way straight after: jack_cpu (JACK's own test client, which burns a fixed
# share of each period) on the same server for the same time at Lathe's mean callback load. The peer's xruns
# are the floor this machine sets. Not run in CI.
#   [SONG_SECONDS=120] [PEER=0] tests/bench/engine-soak.sh BUILD_DIR [MINUTES]   (the song loops to the end)
set -euo pipefail
build=${1:?usage: engine-soak.sh BUILD_DIR [MINUTES]}
minutes=${2:-10}
cli="$build/app/lathe-cli"
work=$(mktemp -d)
jack_pid=
trap '[ -n "$jack_pid" ] && kill "$jack_pid" 2>/dev/null; rm -rf "$work"' EXIT

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
start_jackd() { # $1: log file. -v makes jackd log every xrun with its kind.
  jackd "${realtime[@]}" -v -d dummy -r 48000 -p 64 >"$1" 2>&1 &
  jack_pid=$!
  sleep 2
}
stop_jackd() {
  kill "$jack_pid" 2>/dev/null || true
  wait "$jack_pid" 2>/dev/null || true
  jack_pid=
}
steal() { awk '/^cpu /{print $9}' /proc/stat; } # jiffies the hypervisor ran something else
xrun_kinds() { # $1: jackd log
  echo "  jackd's log: driver late $(grep -c 'TimedDriver::Process XRun' "$1" || true)," \
       "client late (not finished) $(grep -c 'was not finished, state = Running' "$1" || true)," \
       "client not started $(grep -c 'was not finished, state = Triggered' "$1" || true)"
}

start_jackd "$work/jackd.log"
device=$("$cli" devices --json 2>/dev/null | python3 -c 'import json,sys
d=[x["name"] for x in json.load(sys.stdin) if x["host_api"].startswith("JACK")]
print(d[0] if d else "")')
[ -n "$device" ] || { echo "no JACK output device (is jackd running?)"; cat "$work/jackd.log"; exit 1; }
echo "device: $device (jackd ${realtime[*]}); $minutes min, 64-frame buffer, 8 stems, full chains, switching every 2 s"
s0=$(steal)
"$cli" play "$work/song" --device "$device" --buffer 64 --source stem --switch-every 2 --loop \
  --seconds $((minutes * 60)) --stats "${sets[@]}" 2>&1 | grep -v '^ALSA\|^Cannot\|^jack\|^Jack\|^Expression\|^$' |
  tee "$work/stats.txt"
echo "  hypervisor steal during the run: $(( ($(steal) - s0) / 100 )) CPU-seconds"
stop_jackd
xrun_kinds "$work/jackd.log"

[ "${PEER:-1}" = 1 ] || exit 0
load=$(awk '/^callback_percent/{printf "%d", $3 + 0.5}' "$work/stats.txt")
[ "$load" -ge 1 ] || load=1
echo "peer: jack_cpu at ${load} % of each period, same server settings, $minutes min"
start_jackd "$work/jackd-peer.log"
s0=$(steal)
jack_cpu -c "$load" -t $((minutes * 60)) >/dev/null 2>&1 || true
echo "  hypervisor steal during the run: $(( ($(steal) - s0) / 100 )) CPU-seconds"
stop_jackd
xrun_kinds "$work/jackd-peer.log"
