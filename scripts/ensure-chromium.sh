#!/usr/bin/env bash
# Make sure Debian's Chromium is present for the browser tests.
# Installs it with apt-get when it is missing and we may (root, or passwordless sudo);
# otherwise says plainly what to install and exits non-zero.
set -euo pipefail
CHROMIUM="${SV_CHROMIUM:-/usr/bin/chromium}"
if [[ -x "$CHROMIUM" ]]; then
  exit 0
fi
echo "Chromium is not installed; the browser tests need Debian's 'chromium' package."
if [[ $(id -u) -eq 0 ]]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO="sudo -n"
else
  echo "Please ask an administrator to run:  apt-get update && apt-get install -y chromium" >&2
  echo "(or set SV_CHROMIUM to the path of a Chromium or Chrome binary), then run 'make test' again." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
echo "Installing it with apt-get (this takes a minute or two)..."
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq chromium > /dev/null
[[ -x "$CHROMIUM" ]] || { echo "apt-get finished but $CHROMIUM is still missing." >&2; exit 1; }
echo "Chromium installed: $($CHROMIUM --version 2>/dev/null || echo "$CHROMIUM")"
