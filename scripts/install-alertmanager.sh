#!/usr/bin/env bash
# Makes sure Alertmanager is on PATH, for `make run`: Debian's package (binary
# `prometheus-alertmanager`, plus `amtool`; bookworm: 0.25) where apt-get is there; elsewhere it
# says how to get Alertmanager and exits 1, never silently. The tests use a newer Alertmanager
# (hack/offline-workarounds/install-alertmanager-sid.sh).
set -euo pipefail

if command -v prometheus-alertmanager >/dev/null || command -v alertmanager >/dev/null; then
  exit 0
fi
"$(dirname "$0")/apt-install.sh" prometheus-alertmanager || {
  echo "install-alertmanager.sh: install Alertmanager from
https://prometheus.io/download/#alertmanager (or your package manager) and put it on PATH;
make run goes on without it meanwhile." >&2
  exit 1
}
prometheus-alertmanager --version 2>&1 | head -1 >&2
