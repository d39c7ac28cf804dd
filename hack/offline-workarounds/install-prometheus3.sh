#!/usr/bin/env bash
# Puts Prometheus 3.x into .tools/prometheus-3/bin/{prometheus,promtool}, the paths the tests
# use. The cluster runs the 3.x image; the machine's own Prometheus (Debian bookworm: 2.42, for
# `make run`) is too old to verify what the cluster runs (no scrape_config_files, 2.x PromQL).
# Debian's development suite (sid) packages the 3.x LTS line, built to need only libc6 >= 2.34,
# so it runs on bookworm; sid-unpack.sh fetches `prometheus` and `promtool` (packaged
# apart in sid) without changing the machine. A second run with the binaries in place only
# checks their version. Environment: PROMETHEUS3_DIR (default .tools/prometheus-3).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
dest=${PROMETHEUS3_DIR:-$root/.tools/prometheus-3}

fail () { echo "install-prometheus3.sh: $*" >&2; exit 1; }
# The major version a binary reports ("prometheus, version 3.5.3+ds (branch: ...)"), or nothing.
major () { "$1" --version 2>/dev/null | sed -n '1s/^[a-z]*, version \([0-9]*\)\..*/\1/p'; }

if [[ $(major "$dest/bin/prometheus") == 3 && $(major "$dest/bin/promtool") == 3 ]]; then
  exit 0
fi
"$here/sid-unpack.sh" "$dest" prometheus promtool \
  || fail "elsewhere, put prometheus and promtool 3.x from https://prometheus.io/download/ into $dest/bin/"
mkdir -p "$dest/bin"
for tool in prometheus promtool; do
  ln -sf "../usr/bin/$tool" "$dest/bin/$tool"
  [[ $(major "$dest/bin/$tool") == 3 ]] || fail "Debian sid's $tool is not 3.x: $("$dest/bin/$tool" --version 2>&1 | head -1)"
done
"$dest/bin/prometheus" --version 2>&1 | head -1 >&2
