#!/usr/bin/env bash
# Finds the browser the end-to-end tests drive (test/e2e/browser, through playwright-core, which downloads none).
# Usage: scripts/chromium.sh [install|find]. Both print the browser's path. `find` only looks: B24BI_CHROMIUM when
# set, else chromium, chromium-browser, google-chrome-stable or google-chrome on the PATH. `install` (the default,
# what `npm run test:e2e`, `npm test` and .ci/run use) installs Debian's chromium when none is found and this runs
# as root; otherwise it fails, printing the one command that installs it.
set -euo pipefail

INSTALL_COMMAND="sudo apt-get install -y chromium"

find_browser() {
  if [ -n "${B24BI_CHROMIUM:-}" ]; then
    if [ -x "$B24BI_CHROMIUM" ]; then echo "$B24BI_CHROMIUM"; return 0; fi
    echo "chromium: B24BI_CHROMIUM=$B24BI_CHROMIUM is not an executable file" >&2
    return 2
  fi
  local name
  for name in chromium chromium-browser google-chrome-stable google-chrome; do
    if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return 0; fi
  done
  return 1
}

missing() {
  echo "chromium: no browser found; install it with: $INSTALL_COMMAND (or set B24BI_CHROMIUM to a Chromium or Chrome binary)" >&2
  exit 1
}

install() {
  local found code=0
  found=$(find_browser) || code=$?
  if [ "$code" -eq 0 ]; then echo "$found"; return 0; fi
  if [ "$code" -eq 2 ]; then exit 1; fi
  if [ "$EUID" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then missing; fi
  echo "chromium: installing Debian's chromium" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq chromium >&2
  find_browser || missing
}

case "${1:-install}" in
  install) install ;;
  find) find_browser || { [ $? -eq 2 ] && exit 1; missing; } ;;
  *) echo "usage: $0 [install|find]" >&2; exit 2 ;;
esac
