#!/usr/bin/env bash
# Screenshots of the real `lathe` GUI with the synthesized demo folder, under a virtual X server:
#   packaging/screenshot.sh [BUILD_DIR] [OUT_DIR]
# writes OUT_DIR/main-window.png, OUT_DIR/render-dialog.png and OUT_DIR/batch-queue.png (a finished batch of
# two demo songs), the window with eight stems at 800x600, 1600x1000 and 3000x1800
# (OUT_DIR/main-window-WxH.png), at 1600x1000 on a scale-2 screen (main-window-1600x1000@2x.png) and at
# 1600x1000 with matching to the reference on (main-window-match-1600x1000.png); defaults:
# build, screenshots. Needs xvfb-run
# (Debian: xvfb). Settings and recovery files go to a throw-away home, so the user's Lathe setup is untouched.
set -euo pipefail

build_dir=${1:-build}
out_dir=${2:-screenshots}
lathe="$build_dir/app/lathe"
cli="$build_dir/app/lathe-cli"
for exe in "$lathe" "$cli"; do
  [[ -x $exe ]] || { echo "screenshot.sh: $exe: not built (cmake --build $build_dir)" >&2; exit 1; }
done
command -v xvfb-run >/dev/null || { echo "screenshot.sh: xvfb-run not found (apt-get install xvfb)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out_dir"
out_dir=$(cd "$out_dir" && pwd)

"$cli" demo "$work/songs/Demo Song" --seconds 30 >/dev/null
# A second, shorter song beside it, for the batch queue picture.
"$cli" demo "$work/songs/Second Song" --seconds 8 --seed 2 >/dev/null

# --no-audio: a virtual display has no sound card, and probing one only slows the start. The screen is large
# enough for the biggest window and for the high-DPI picture (1600x1000 at scale 2).
run_lathe() {
  XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data" QT_QPA_PLATFORM=xcb \
    xvfb-run -a -s "-screen 0 3200x2048x24 -dpi 96" "$lathe" --no-audio "$@"
}
run_lathe --screenshot "$out_dir/main-window.png" --render-screenshot "$out_dir/render-dialog.png" \
  --batch-screenshot "$out_dir/batch-queue.png" "$work/songs/Demo Song"
echo "$out_dir/main-window.png"
echo "$out_dir/render-dialog.png"
echo "$out_dir/batch-queue.png"
# The window at the sizes engineers use: a small laptop, a common desk screen, a 4K-class screen. Eight stems,
# so the pictures show whether every strip is in view.
cp "$work/songs/Demo Song/01_Drums.wav" "$work/songs/Demo Song/07_Percussion.wav"
cp "$work/songs/Demo Song/03_Music.wav" "$work/songs/Demo Song/08_Keys.wav"
for size in 800x600 1600x1000 3000x1800; do
  run_lathe --size "$size" --screenshot "$out_dir/main-window-$size.png" "$work/songs/Demo Song"
  echo "$out_dir/main-window-$size.png"
done
# High DPI: the same 1600x1000 window at scale 2 (a 3200x2000 picture).
QT_SCALE_FACTOR=2 run_lathe --size 1600x1000 --screenshot "$out_dir/main-window-1600x1000@2x.png" \
  "$work/songs/Demo Song"
echo "$out_dir/main-window-1600x1000@2x.png"
# Matching on (issue 18): the correction over the master EQ, the reference's overview with a chorus picked, and
# the source, reference and matched spectra under the analyzer.
"$cli" session new "$work/songs/Demo Song" -o "$work/demo-match.lathe" --set master.match.enabled=true \
  --set master.match.range_start_s=8 --set master.match.range_end_s=22 >/dev/null
run_lathe --size 1600x1000 --screenshot "$out_dir/main-window-match-1600x1000.png" "$work/demo-match.lathe"
echo "$out_dir/main-window-match-1600x1000.png"
