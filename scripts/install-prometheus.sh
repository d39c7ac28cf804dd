#!/usr/bin/env bash
# Makes sure `prometheus` and `promtool` are on PATH, for `make run`: Debian's package (2.42 on
# bookworm, with the classic UI a person browses) where apt-get is there; elsewhere it stops with
# a message saying how to get Prometheus, never silently. The tests use Prometheus 3.x from
# hack/offline-workarounds/install-prometheus3.sh instead.
set -euo pipefail

if command -v prometheus >/dev/null && command -v promtool >/dev/null; then
  exit 0
fi
"$(dirname "$0")/apt-install.sh" prometheus || {
  echo "install-prometheus.sh: install Prometheus 2.42 or later (3.x LTS recommended) from https://prometheus.io/download/
(or with your package manager, e.g. brew install prometheus) and put prometheus and promtool on PATH." >&2
  exit 1
}
prometheus --version 2>&1 | head -1 >&2
