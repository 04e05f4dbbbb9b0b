#!/usr/bin/env bash
# Make sure JupyterHub's proxy (the npm package configurable-http-proxy) is present for `make hub` and the hub test.
# Installs Debian's nodejs and npm with apt-get when they are missing, then the proxy from the npm registry,
# when we may (root, or passwordless sudo); otherwise says plainly what to install and exits non-zero.
set -euo pipefail
if command -v configurable-http-proxy >/dev/null 2>&1; then
  exit 0
fi
echo "JupyterHub's proxy (configurable-http-proxy) is not installed; 'make hub' and the hub test need it."
if [[ $(id -u) -eq 0 ]]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO="sudo -n"
else
  echo "Please ask an administrator to run:" >&2
  echo "  apt-get update && apt-get install -y nodejs npm && npm install -g configurable-http-proxy" >&2
  echo "then run the make command again." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "Installing Debian's nodejs and npm with apt-get (a minute or two)..."
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq nodejs npm > /dev/null
fi
echo "Installing configurable-http-proxy from the npm registry..."
$SUDO npm install -g --no-audit --no-fund --loglevel=error configurable-http-proxy > /dev/null
command -v configurable-http-proxy >/dev/null 2>&1 || {
  echo "npm finished but configurable-http-proxy is not on PATH (npm's global bin: $(npm prefix -g)/bin)." >&2
  exit 1
}
echo "configurable-http-proxy installed: $(configurable-http-proxy --version)"
