#!/usr/bin/env bash
# Screenshots of the real `lathe` GUI with the synthesized demo folder, under a virtual X server:
#   packaging/screenshot.sh [BUILD_DIR] [OUT_DIR]
# writes OUT_DIR/main-window.png, OUT_DIR/render-dialog.png and OUT_DIR/batch-queue.png (a finished batch of
# two demo songs; defaults: build, screenshots). Needs xvfb-run
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

# --no-audio: a virtual display has no sound card, and probing one only slows the start.
XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data" QT_QPA_PLATFORM=xcb \
  xvfb-run -a -s "-screen 0 1920x1200x24 -dpi 96" \
  "$lathe" --no-audio --screenshot "$out_dir/main-window.png" --render-screenshot "$out_dir/render-dialog.png" \
  --batch-screenshot "$out_dir/batch-queue.png" "$work/songs/Demo Song"

echo "$out_dir/main-window.png"
echo "$out_dir/render-dialog.png"
echo "$out_dir/batch-queue.png"
