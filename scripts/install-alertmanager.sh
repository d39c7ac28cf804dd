#!/usr/bin/env bash
# Alertmanager for the local run and for the tests, two ways, like Prometheus:
#
#   scripts/install-alertmanager.sh          `make run`: makes sure Debian's package is installed
#                                            (binary `prometheus-alertmanager`, plus `amtool`;
#                                            bookworm: 0.25). Where there is no apt-get it says
#                                            how to get Alertmanager and exits 1, never silently.
#   scripts/install-alertmanager.sh --tests  the tests: Alertmanager from Debian sid (0.33, the
#                                            line nearest the cluster's image) unpacked into
#                                            $ALERTMANAGER_DIR/bin/{alertmanager,amtool}
#                                            (default .tools/alertmanager). Nothing on the
#                                            machine changes: apt reads the project's sid source
#                                            list with a private state, and dpkg -x unpacks.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

fail () { echo "install-alertmanager.sh: $*" >&2; exit 1; }

install_system () {
  if command -v prometheus-alertmanager >/dev/null || command -v alertmanager >/dev/null; then
    return 0
  fi
  if ! command -v apt-get >/dev/null; then
    fail "no alertmanager on PATH and no apt-get. Install Alertmanager from
https://prometheus.io/download/#alertmanager (or your package manager) and put it on PATH;
make run goes on without it meanwhile."
  fi
  local sudo=""
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || fail "installing Alertmanager needs root (apt-get install prometheus-alertmanager)"
    sudo="sudo"
  fi
  echo "Installing Alertmanager from the distribution's packages (apt-get install prometheus-alertmanager)" >&2
  $sudo apt-get update -qq >&2
  # The package's service is not started: this machine runs no init system for it, and the
  # local run starts its own Alertmanager with the stack's config.
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus-alertmanager >&2
  prometheus-alertmanager --version 2>&1 | head -1 >&2
}

# The version a binary reports ("alertmanager, version 0.33.1+ds (branch: ...)"), or nothing.
version () { "$1" --version 2>/dev/null | sed -n '1s/^[a-z-]*, version \([0-9.]*\).*/\1/p'; }

install_for_tests () {
  local dest=${ALERTMANAGER_DIR:-$root/.tools/alertmanager}
  if [[ -n $(version "$dest/bin/alertmanager") && -n $(version "$dest/bin/amtool") ]]; then
    return 0
  fi
  for tool in apt-get dpkg; do
    command -v "$tool" >/dev/null || fail "needs $tool (Debian or Ubuntu) to fetch Debian sid's Alertmanager.
Elsewhere, put alertmanager and amtool from https://prometheus.io/download/#alertmanager into $dest/bin/."
  done
  # Its own apt state: scripts/install-prometheus3.sh may be updating its own at the same time.
  local state=$(dirname "$dest")/apt-sid-alertmanager staging=$dest.tmp
  rm -rf "$staging"
  # Expanded now: the function's locals are gone when the trap runs.
  trap "rm -rf '$staging'" EXIT
  mkdir -p "$state/lists/partial" "$state/cache/archives/partial" "$state/sources.list.d" "$staging"
  cp "$root/scripts/apt/sid.sources" "$state/sources.list.d/"
  : > "$state/status"
  local apt_opts=(
    -o "Dir::State::Lists=$state/lists" -o "Dir::State::status=$state/status"
    -o "Dir::Cache=$state/cache" -o "Dir::Cache::archives=$state/cache/archives"
    -o "Dir::Etc::sourcelist=/dev/null" -o "Dir::Etc::sourceparts=$state/sources.list.d"
    -o "APT::Sandbox::User=$(id -un)"
  )
  echo "Fetching Alertmanager from Debian sid into $dest (the machine's packages stay as they are)" >&2
  apt-get "${apt_opts[@]}" -qq update >&2 || fail "apt-get update of Debian sid failed"
  (cd "$staging" && apt-get "${apt_opts[@]}" -qq download prometheus-alertmanager >&2) \
    || fail "apt-get download prometheus-alertmanager from Debian sid failed"
  dpkg -x "$staging"/prometheus-alertmanager_*.deb "$staging"
  rm -f "$staging"/*.deb
  mkdir -p "$staging/bin"
  # Debian renames the binary; the tests call it by its upstream name.
  ln -s ../usr/bin/prometheus-alertmanager "$staging/bin/alertmanager"
  ln -s ../usr/bin/amtool "$staging/bin/amtool"
  for tool in alertmanager amtool; do
    [[ -n $(version "$staging/bin/$tool") ]] || fail "Debian sid's $tool does not run: $("$staging/bin/$tool" --version 2>&1 | head -1)"
  done
  rm -rf "$dest"
  mv "$staging" "$dest"
  "$dest/bin/alertmanager" --version 2>&1 | head -1 >&2
}

case ${1:-} in
  '') install_system ;;
  --tests) install_for_tests ;;
  *) fail "unknown argument $1 (none: the system's package for make run; --tests: Debian sid's into .tools/alertmanager)" ;;
esac
