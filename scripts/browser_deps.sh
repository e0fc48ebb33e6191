#!/usr/bin/env bash
# What the browser and PDF tests need before any test runs: Debian's Chromium (or CHROMIUM_PATH), CJK fonts, Pango
# (WeasyPrint renders the PDF reports with it) and poppler-utils (pdftotext reads the PDFs back in the tests).
# Installs them with apt-get when run as root; otherwise says what to install and stops with a non-zero exit,
# so a missing browser is reported here rather than as failing browser tests. BROWSER_DEPS_INSTALL=0 never installs.
set -euo pipefail

chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
missing=()
[ -x "$chromium" ] || missing+=(chromium)
fc-list 2>/dev/null | grep -i "Noto Sans CJK" >/dev/null || missing+=(fonts-noto-cjk)
ldconfig -p 2>/dev/null | grep -q "libpangoft2-1.0.so.0" || missing+=(libpangoft2-1.0-0)
command -v pdftotext >/dev/null || missing+=(poppler-utils)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "${BROWSER_DEPS_INSTALL:-1}" != 0 ] && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "browser tests: installing ${missing[*]} with apt-get"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  # Re-check what was asked for: an install that did not provide it must not go on to the tests.
  [ -x "$chromium" ] || { echo "browser tests: $chromium still missing after apt-get install chromium" >&2; exit 1; }
  exit 0
fi

cat >&2 <<MSG
The browser and PDF tests need: ${missing[*]} (Debian packages; Chromium at $chromium).
Install them first, as root:
    apt-get update && apt-get install -y ${missing[*]}
(or set CHROMIUM_PATH to another Chromium). No test was run.
MSG
exit 1
