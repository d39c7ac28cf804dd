#!/usr/bin/env bash
# Installs Debian packages on the machine with apt-get (as root, or through sudo), for the tools
# `make run` takes from the system. Usage: scripts/apt-install.sh PACKAGE...
# Fails with a message naming the packages where there is no apt-get or no way to become root.
set -euo pipefail
(( $# > 0 )) || { echo "usage: scripts/apt-install.sh PACKAGE..." >&2; exit 2; }
fail () { echo "apt-install.sh: $*" >&2; exit 1; }

command -v apt-get >/dev/null || fail "no apt-get here: install $* with your package manager"
sudo=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || fail "installing $* needs root (apt-get install $*); run it as root or install sudo"
  sudo="sudo"
fi
echo "Installing $* from the distribution's packages (apt-get install)" >&2
# The package lists may be missing or stale on a fresh machine. The packages start no service
# this project relies on: make run starts its own processes with the stack's config.
$sudo apt-get update -qq >&2
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
