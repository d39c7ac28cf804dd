#!/usr/bin/env bash
# Unpacks Debian sid packages into a folder of the project, for the tests that need a newer
# Prometheus or Alertmanager than the machine's release has. Usage:
#   hack/offline-workarounds/sid-unpack.sh DEST PACKAGE...
# Nothing on the machine changes: apt reads the project's own source list (sid.sources beside it)
# with a private state beside DEST, downloads the packages and `dpkg -x` unpacks them into DEST
# (its usr/bin/...); nothing is installed or configured. DEST is replaced only once all are unpacked.
set -euo pipefail
(( $# > 1 )) || { echo "usage: hack/offline-workarounds/sid-unpack.sh DEST PACKAGE..." >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
dest=$1
shift
sources=$here/sid.sources
fail () { echo "sid-unpack.sh: $*" >&2; exit 1; }

for tool in apt-get dpkg; do
  command -v "$tool" >/dev/null || fail "needs $tool (Debian or Ubuntu) to fetch $* from Debian sid"
done

# One state per destination: two installs may run at the same time.
state=$dest.apt-state
staging=$dest.tmp
rm -rf "$staging"
trap 'rm -rf "$staging"' EXIT
mkdir -p "$state/lists/partial" "$state/cache/archives/partial" "$state/sources.list.d" "$staging"
cp "$sources" "$state/sources.list.d/"
: > "$state/status"
# Every path apt writes or reads package state from is private; only the machine's apt.conf
# (proxies, for one) still applies.
apt_opts=(
  -o "Dir::State::Lists=$state/lists" -o "Dir::State::status=$state/status"
  -o "Dir::Cache=$state/cache" -o "Dir::Cache::archives=$state/cache/archives"
  -o "Dir::Etc::sourcelist=/dev/null" -o "Dir::Etc::sourceparts=$state/sources.list.d"
  -o "APT::Sandbox::User=$(id -un)"
)
echo "Fetching $* from Debian sid into $dest (the machine's packages stay as they are)" >&2
apt-get "${apt_opts[@]}" -qq update >&2 || fail "apt-get update of Debian sid failed (is $(sed -n 's/^URIs: *//p' "$sources") reachable?)"
(cd "$staging" && apt-get "${apt_opts[@]}" -qq download "$@" >&2) || fail "apt-get download $* from Debian sid failed"
for deb in "$staging"/*.deb; do dpkg -x "$deb" "$staging"; done
rm -f "$staging"/*.deb
rm -rf "$dest"
mv "$staging" "$dest"
