#!/usr/bin/env bash
# The press PDF's CMYK output profile (its PDF/X-4 output intent): "ISO Coated v2 300% (basICColor)",
# ISOcoated_v2_300_bas.icc, copyright basICColor GmbH under the zlib licence (redistribution allowed,
# the notice kept beside it), for ISO 12647-2 coated paper (FOGRA39). Debian ships it in scribus-data;
# it is not in the repository (1 MB). Taken from the installed package if there, else the package is
# fetched with `apt-get download` (nothing is installed) and unpacked in a temporary folder. The
# checksum pins the bytes: the press PDF embeds the profile, so other bytes would make another PDF.
# Writes templates/icc/. Idempotent. `make press-profile` runs this.
set -euo pipefail
cd "$(dirname "$0")/.."
name=ISOcoated_v2_300_bas
sha256=b424c77f40c3423c925536f8ae08634985ccd0fe80eb253d5d229197ded7e886
out=templates/icc
from=/usr/share/scribus/profiles
if [ ! -f "$from/$name.icc" ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  if ! (cd "$tmp" && apt-get download -qq scribus-data 2>/dev/null); then
    echo "updating the package lists to fetch Debian package: scribus-data"
    sudo_cmd=()
    [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    # `make tools` may run this beside the CJK fonts' script (make -j2), whose apt-get update holds the
    # lists' lock for a while: wait for it rather than fail.
    for attempt in 1 2 3 4 5 6 7 8 9 10 11 12; do
      "${sudo_cmd[@]}" apt-get update -qq && break
      [ "$attempt" -lt 12 ] || exit 1
      sleep 10
    done
    (cd "$tmp" && apt-get download -qq scribus-data 2>/dev/null)
  fi
  dpkg-deb -x "$tmp"/scribus-data_*.deb "$tmp/unpacked"
  from="$tmp/unpacked/usr/share/scribus/profiles"
fi
echo "$sha256  $from/$name.icc" | sha256sum --check --quiet
mkdir -p "$out"
cp "$from/$name.txt" "$out/LICENSE-$name.txt"
cp "$from/$name.icc" "$out/$name.icc.tmp"
mv "$out/$name.icc.tmp" "$out/$name.icc"  # whole or not at all
echo "$out/$name.icc  $(($(stat -c %s "$out/$name.icc") / 1024)) KB"
