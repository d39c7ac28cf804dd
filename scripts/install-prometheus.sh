#!/usr/bin/env bash
# Makes sure `prometheus` and `promtool` are on PATH, for `make run` and the monitoring tests.
# Installs Debian's package (2.42 on bookworm; it starts no service) where apt-get is there;
# elsewhere it stops with a message saying how to get Prometheus, never silently.
set -euo pipefail

if command -v prometheus >/dev/null && command -v promtool >/dev/null; then
  exit 0
fi

if command -v apt-get >/dev/null; then
  sudo=""
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "install-prometheus.sh: installing Prometheus needs root (apt-get install prometheus); run it as root or install sudo" >&2; exit 1; }
    sudo="sudo"
  fi
  echo "Installing Prometheus from the distribution's packages (apt-get install prometheus)" >&2
  # The package lists may be missing or stale on a fresh machine.
  $sudo apt-get update -qq >&2
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >&2
  prometheus --version 2>&1 | head -1 >&2
  exit 0
fi

cat >&2 <<'MSG'
install-prometheus.sh: prometheus and promtool are not on PATH and apt-get is not available.
Install Prometheus 2.42 or later (3.x LTS recommended) from https://prometheus.io/download/
(or with your package manager, e.g. brew install prometheus) and
put both `prometheus` and `promtool` on PATH.
MSG
exit 1
