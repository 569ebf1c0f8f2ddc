#!/usr/bin/env bash
# Installs Lathe's build and test dependencies from Debian 12 packages. Idempotent: packages already present are
# skipped, and apt-get is only called when something is missing.
set -euo pipefail
packages=(
  build-essential cmake pkg-config
  qt6-base-dev qt6-base-dev-tools libgl-dev
  portaudio19-dev libsndfile1-dev libebur128-dev libfftw3-dev libsoxr-dev
  nlohmann-json3-dev libcli11-dev
  # Deliverables: tags (TagLib) and the AAC / Opus / Vorbis encoders (FFmpeg's libraries).
  libtag1-dev libavcodec-dev libavformat-dev libavutil-dev
  libgtest-dev libbenchmark-dev
  # Tools the tests use as independent references and as headless devices.
  ffmpeg sox xvfb xauth libasound2-plugins alsa-utils
  # jackd2: a real-time-paced device without a sound card (engine soak, device-loss test). Its debconf
  # question (real-time limits) takes the default under DEBIAN_FRONTEND=noninteractive.
  jackd2
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
