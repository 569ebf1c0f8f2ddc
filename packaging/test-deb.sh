#!/usr/bin/env bash
# Builds the .deb with CPack, installs it on this Debian machine with apt-get, exercises the INSTALLED binaries
# (lathe-cli --version, demo + render, lathe --version offscreen, man page, desktop/metainfo files), then removes
# the package. Needs root (or sudo). Not run in CI: it changes the system's package set.
#   packaging/test-deb.sh                     # builds in build-release
#   LATHE_DEB_BUILD_DIR=/tmp/b packaging/test-deb.sh
set -euo pipefail
src="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${LATHE_DEB_BUILD_DIR:-$src/build-release}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi

fail() { echo "test-deb: FAIL: $*" >&2; exit 1; }
step() { echo "test-deb: $*"; }

if dpkg-query -W -f='${Status}' lathe 2>/dev/null | grep -q "install ok installed"; then
  fail "a lathe package is already installed; remove it first (this script will not replace it)"
fi

step "building in $build"
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DLATHE_BUILD_TESTS=OFF -DLATHE_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null
rm -f "$build"/lathe_*.deb
(cd "$build" && cpack -G DEB >/dev/null)
deb="$(ls "$build"/lathe_*.deb)"
step "built $(basename "$deb")"

contents="$(dpkg-deb -c "$deb")"
for path in ./usr/bin/lathe ./usr/bin/lathe-cli ./usr/share/applications/lathe.desktop \
    ./usr/share/metainfo/audio.lathe.Lathe.metainfo.xml ./usr/share/icons/hicolor/scalable/apps/lathe.svg \
    ./usr/share/icons/hicolor/16x16/apps/lathe.png ./usr/share/icons/hicolor/512x512/apps/lathe.png \
    ./usr/share/man/man1/lathe-cli.1.gz ./usr/share/doc/lathe/copyright; do
  grep -q " $path\$" <<<"$contents" || fail "$path missing from the package"
done
depends="$(dpkg-deb -f "$deb" Depends)"
step "Depends: $depends"
for lib in libsndfile1 libebur128 libfftw3 libsoxr libportaudio2 libqt6widgets6; do
  grep -q "$lib" <<<"$depends" || fail "Depends lacks $lib"
done
[ "$(dpkg-deb -f "$deb" Section)" = "sound" ] || fail "section is not sound"
# The same maintainer and homepage as the AppStream metainfo and the copyright file.
[ "$(dpkg-deb -f "$deb" Maintainer)" = "Lathe developers <dev@lathe.audio>" ] || fail "Maintainer is '$(dpkg-deb -f "$deb" Maintainer)'"
[ "$(dpkg-deb -f "$deb" Homepage)" = "https://lathe.audio" ] || fail "Homepage is '$(dpkg-deb -f "$deb" Homepage)'"
if dpkg-deb -f "$deb" Description | grep -q ';'; then fail "Description has list separators: $(dpkg-deb -f "$deb" Description)"; fi

work="$(mktemp -d)"
cleanup() {
  rm -rf "$work"
  if dpkg-query -W -f='${Status}' lathe 2>/dev/null | grep -q "install ok installed"; then
    step "removing the package"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get remove -y -qq lathe >/dev/null
  fi
}
trap cleanup EXIT

step "installing"
cp "$deb" "$work/"
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$work/$(basename "$deb")" >/dev/null

# Run the installed copies by absolute path so a build tree on PATH cannot stand in for them.
cli=/usr/bin/lathe-cli
gui=/usr/bin/lathe
version="$("$cli" --version)"
step "installed: $version"
grep -Eq "^lathe-cli [0-9]+\.[0-9]+\.[0-9]+" <<<"$version" || fail "lathe-cli --version printed '$version'"

"$cli" demo --seconds 8 --seed 7 "$work/song" >/dev/null
"$cli" render "$work/song" --out "$work/out" --mode both --quiet >/dev/null
for f in song_stereo_master.wav song_stem_master.wav report.json; do
  [ -s "$work/out/$f" ] || fail "render from the installed lathe-cli did not write $f (got: $(ls "$work/out"))"
done
"$cli" analyze "$work/out/song_stereo_master.wav"

gui_version="$(QT_QPA_PLATFORM=offscreen "$gui" --version)"
step "installed GUI: $gui_version"
grep -Eq "[0-9]+\.[0-9]+\.[0-9]+" <<<"$gui_version" || fail "lathe --version printed '$gui_version'"

man -w lathe-cli | grep -q "^/usr/share/man/man1/lathe-cli.1.gz$" || fail "man lathe-cli does not find the page"
if command -v desktop-file-validate >/dev/null; then desktop-file-validate /usr/share/applications/lathe.desktop; fi
if command -v appstreamcli >/dev/null; then
  appstreamcli validate --no-net /usr/share/metainfo/audio.lathe.Lathe.metainfo.xml >/dev/null
fi

cleanup
trap - EXIT
[ ! -e "$cli" ] || fail "$cli still present after removal"
step "PASS"
