#!/usr/bin/env bash
# Builds a stand-in for the official Debian image NAME (e.g. docker.io/library/debian:bookworm-slim)
# where no registry is reachable: debootstrap's minbase variant of the same release (what the
# official -slim images are made from too), from the machine's own Debian mirror, imported as
# a one-layer image under the official name.
# Usage: debian.sh NAME SUITE LABEL...   (each LABEL is key=value)
set -euo pipefail
name=${1:?usage: debian.sh NAME SUITE LABEL...}
suite=${2:?usage: debian.sh NAME SUITE LABEL...}
shift 2

# The mirror the machine's apt already uses: the only Debian source we know is reachable.
mirror=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
mirror=${mirror:-http://deb.debian.org/debian}

rootfs=$(mktemp -d)
trap 'rm -rf "$rootfs"' EXIT
echo "debian.sh: debootstrap --variant=minbase $suite from $mirror" >&2
debootstrap --variant=minbase "$suite" "$rootfs" "$mirror" >/dev/null
# Slim it as the official image is slimmed: no package caches, no package lists.
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/*

changes=(--change 'CMD ["bash"]')
for label in "$@"; do changes+=(--change "LABEL $label"); done
tar --numeric-owner -C "$rootfs" -c . | podman import --quiet "${changes[@]}" - "$name" >/dev/null
