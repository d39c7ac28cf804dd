#!/usr/bin/env bash
# Puts Prometheus 3.x into .tools/prometheus-3/bin/{prometheus,promtool}, the paths the tests
# use. The cluster runs the 3.x image; the machine's own Prometheus (Debian bookworm: 2.42, for
# `make run`) is too old to verify what the cluster runs (no scrape_config_files, 2.x PromQL).
#
# Debian's development suite (sid) packages the 3.x LTS line, built to need only libc6 >= 2.34,
# so it runs on bookworm. Nothing on the machine changes: apt reads the project's own source
# list (scripts/apt/sid.sources) with a private state under .tools/, downloads the two packages
# (`prometheus`, and `promtool`, which sid packages apart) and dpkg -x unpacks them; nothing is
# installed or configured. A second run with the binaries in place only checks their version.
#
# Environment: PROMETHEUS3_DIR (default .tools/prometheus-3).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dest=${PROMETHEUS3_DIR:-$root/.tools/prometheus-3}
sources=$root/scripts/apt/sid.sources

fail () { echo "install-prometheus3.sh: $*" >&2; exit 1; }

# The major version a binary reports ("prometheus, version 3.5.3+ds (branch: ...)"), or nothing.
major () { "$1" --version 2>/dev/null | sed -n '1s/^[a-z]*, version \([0-9]*\)\..*/\1/p'; }

if [[ $(major "$dest/bin/prometheus") == 3 && $(major "$dest/bin/promtool") == 3 ]]; then
  exit 0
fi

for tool in apt-get dpkg; do
  command -v "$tool" >/dev/null || fail "needs $tool (Debian or Ubuntu) to fetch Debian sid's Prometheus 3.x.
Elsewhere, put prometheus and promtool 3.x from https://prometheus.io/download/ into $dest/bin/."
done

state=$(dirname "$dest")/apt-sid
staging=$dest.tmp
rm -rf "$staging"
trap 'rm -rf "$staging"' EXIT
mkdir -p "$state/lists/partial" "$state/cache/archives/partial" "$state/sources.list.d" "$staging"
cp "$sources" "$state/sources.list.d/"
: > "$state/status"
# Every path apt writes or reads package state from is private; only the machine's apt.conf
# (proxies, for one) still applies. The sandbox user is ours: the state lives in our folder.
apt_opts=(
  -o "Dir::State::Lists=$state/lists" -o "Dir::State::status=$state/status"
  -o "Dir::Cache=$state/cache" -o "Dir::Cache::archives=$state/cache/archives"
  -o "Dir::Etc::sourcelist=/dev/null" -o "Dir::Etc::sourceparts=$state/sources.list.d"
  -o "APT::Sandbox::User=$(id -un)"
)

echo "Fetching Prometheus 3.x from Debian sid into $dest (the machine's packages stay as they are)" >&2
apt-get "${apt_opts[@]}" -qq update >&2 || fail "apt-get update of Debian sid failed (is $(sed -n 's/^URIs: *//p' "$sources") reachable?)"
(cd "$staging" && apt-get "${apt_opts[@]}" -qq download prometheus promtool >&2) \
  || fail "apt-get download prometheus promtool from Debian sid failed"
for deb in "$staging"/*.deb; do dpkg -x "$deb" "$staging"; done
rm -f "$staging"/*.deb
mkdir -p "$staging/bin"
ln -s ../usr/bin/prometheus "$staging/bin/prometheus"
ln -s ../usr/bin/promtool "$staging/bin/promtool"

for tool in prometheus promtool; do
  [[ $(major "$staging/bin/$tool") == 3 ]] \
    || fail "Debian sid's $tool is not 3.x: $("$staging/bin/$tool" --version 2>&1 | head -1)"
done
rm -rf "$dest"
mv "$staging" "$dest"
"$dest/bin/prometheus" --version 2>&1 | head -1 >&2
