#!/usr/bin/env bash
# Installs Debian's fonts-noto-cjk (the Noto Serif/Sans CJK collections) if it is missing; scripts/cjk_fonts.py
# then takes the Simplified Chinese faces out of it. Idempotent.
set -euo pipefail
if [ ! -f /usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc ]; then
  echo "installing Debian package: fonts-noto-cjk"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends fonts-noto-cjk >/dev/null
fi
