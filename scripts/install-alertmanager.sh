#!/usr/bin/env bash
# Alertmanager for the local run and for the tests, two ways, like Prometheus:
#
#   scripts/install-alertmanager.sh          `make run`: makes sure Debian's package is installed
#                                            (binary `prometheus-alertmanager`, plus `amtool`;
#                                            bookworm: 0.25). Where there is no apt-get it says
#                                            how to get Alertmanager and exits 1, never silently.
#   scripts/install-alertmanager.sh --tests  the tests: Alertmanager from Debian sid (0.33, the
#                                            line nearest the cluster's image) unpacked by
#                                            scripts/sid-unpack.sh into
#                                            $ALERTMANAGER_DIR/bin/{alertmanager,amtool}
#                                            (default .tools/alertmanager), the machine unchanged.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

fail () { echo "install-alertmanager.sh: $*" >&2; exit 1; }

install_system () {
  if command -v prometheus-alertmanager >/dev/null || command -v alertmanager >/dev/null; then
    return 0
  fi
  "$root/scripts/apt-install.sh" prometheus-alertmanager || fail "install Alertmanager from
https://prometheus.io/download/#alertmanager (or your package manager) and put it on PATH;
make run goes on without it meanwhile."
  prometheus-alertmanager --version 2>&1 | head -1 >&2
}

# The version a binary reports ("alertmanager, version 0.33.1+ds (branch: ...)"), or nothing.
version () { "$1" --version 2>/dev/null | sed -n '1s/^[a-z-]*, version \([0-9.]*\).*/\1/p'; }

install_for_tests () {
  local dest=${ALERTMANAGER_DIR:-$root/.tools/alertmanager}
  if [[ -n $(version "$dest/bin/alertmanager") && -n $(version "$dest/bin/amtool") ]]; then
    return 0
  fi
  "$root/scripts/sid-unpack.sh" "$dest" prometheus-alertmanager \
    || fail "elsewhere, put alertmanager and amtool from https://prometheus.io/download/#alertmanager into $dest/bin/"
  mkdir -p "$dest/bin"
  # Debian renames the binary; the tests call it by its upstream name.
  ln -sf ../usr/bin/prometheus-alertmanager "$dest/bin/alertmanager"
  ln -sf ../usr/bin/amtool "$dest/bin/amtool"
  for tool in alertmanager amtool; do
    [[ -n $(version "$dest/bin/$tool") ]] || fail "Debian sid's $tool does not run: $("$dest/bin/$tool" --version 2>&1 | head -1)"
  done
  "$dest/bin/alertmanager" --version 2>&1 | head -1 >&2
}

case ${1:-} in
  '') install_system ;;
  --tests) install_for_tests ;;
  *) fail "unknown argument $1 (none: the system's package for make run; --tests: Debian sid's into .tools/alertmanager)" ;;
esac
