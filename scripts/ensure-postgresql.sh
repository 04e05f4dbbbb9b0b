#!/usr/bin/env bash
# Make sure Debian's PostgreSQL server programs (initdb, pg_ctl) are present for the store's tests.
# The tests start their own throwaway server in a temporary folder; nothing is configured system-wide.
# Installs the 'postgresql' package with apt-get when it is missing and we may (root, or passwordless sudo);
# otherwise says plainly what to install and exits non-zero.
set -euo pipefail
if [[ -n "${SV_PG_BIN:-}" && -x "${SV_PG_BIN}/initdb" ]]; then
  exit 0
fi
for bin in /usr/lib/postgresql/*/bin; do
  if [[ -x "$bin/initdb" && -x "$bin/pg_ctl" ]]; then
    exit 0
  fi
done
echo "PostgreSQL is not installed; the scenario store's tests need Debian's 'postgresql' package."
if [[ $(id -u) -eq 0 ]]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO="sudo -n"
else
  echo "Please ask an administrator to run:  apt-get update && apt-get install -y postgresql" >&2
  echo "(or set SV_PG_BIN to a folder holding initdb and pg_ctl), then run 'make test' again." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
echo "Installing it with apt-get (this takes a minute or two)..."
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq postgresql > /dev/null
# Debian starts a cluster of its own on install; the tests do not use it.
found=""
for bin in /usr/lib/postgresql/*/bin; do
  [[ -x "$bin/initdb" ]] && found="$bin"
done
[[ -n "$found" ]] || { echo "apt-get finished but initdb is still missing." >&2; exit 1; }
echo "PostgreSQL installed: $("$found/initdb" --version)"
