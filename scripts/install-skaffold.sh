#!/usr/bin/env bash
# Puts Skaffold (2.24 or newer) at DIR/skaffold (default .tools/skaffold/skaffold), the path the
# tests use, and prints its version. In order:
#   1. a `skaffold` on the PATH whose version is 2.24 or newer is linked;
#   2. else ../shared/tools/skaffold/skaffold beside the checkout (a build of the v2.24.0 release
#      tag, kept for machines that reach no download site) is copied, checked against its sha256;
#   3. else the official v2.24.0 release binary for this OS and architecture is downloaded and
#      checked against the sha256 that Skaffold publishes beside it.
# Our own machines reach no download site, so branch 3 has not run on them.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$root/.tools/skaffold}
VERSION=v2.24.0
MINIMUM=2.24

fail () { echo "install-skaffold.sh: $*" >&2; exit 1; }
# "v2.24.0" -> 0 when it is at least $MINIMUM
new_enough () { printf '%s\n%s\n' "$MINIMUM" "${1#v}" | sort -V -C; }
version_of () { "$1" version 2>/dev/null || true; }

if [[ -x $dir/skaffold ]] && new_enough "$(version_of "$dir/skaffold")"; then
  echo "skaffold $(version_of "$dir/skaffold") at $dir/skaffold" >&2
  exit 0
fi
mkdir -p "$dir"
rm -f "$dir/skaffold"

on_path=$(command -v skaffold || true)
shared=$root/../shared/tools/skaffold
if [[ -n $on_path ]] && new_enough "$(version_of "$on_path")"; then
  ln -s "$on_path" "$dir/skaffold"
elif [[ -x $shared/skaffold ]]; then
  (cd "$shared" && sha256sum --check --quiet skaffold.sha256) || fail "$shared/skaffold does not match skaffold.sha256"
  cp "$shared/skaffold" "$dir/skaffold.tmp"
  mv "$dir/skaffold.tmp" "$dir/skaffold"
else
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) asset=skaffold-linux-amd64 ;;
    Linux-aarch64) asset=skaffold-linux-arm64 ;;
    Darwin-x86_64) asset=skaffold-darwin-amd64 ;;
    Darwin-arm64) asset=skaffold-darwin-arm64 ;;
    *) fail "no Skaffold release for $(uname -s)-$(uname -m): see https://skaffold.dev/docs/install/" ;;
  esac
  url=https://storage.googleapis.com/skaffold/releases/$VERSION/$asset
  staging=$(mktemp -d)
  trap 'rm -rf "$staging"' EXIT
  curl -fsSL -o "$staging/skaffold" "$url" && curl -fsSL -o "$staging/skaffold.sha256" "$url.sha256" \
    || fail "cannot download $url: install Skaffold $MINIMUM+ (https://skaffold.dev/docs/install/) and put it on the PATH"
  echo "$(cut -d' ' -f1 "$staging/skaffold.sha256")  $staging/skaffold" | sha256sum --check --quiet \
    || fail "$url does not match its published sha256"
  install -m 0755 "$staging/skaffold" "$dir/skaffold"
fi

new_enough "$(version_of "$dir/skaffold")" || fail "$dir/skaffold is $(version_of "$dir/skaffold"), not $MINIMUM or newer"
echo "skaffold $(version_of "$dir/skaffold") at $dir/skaffold" >&2
