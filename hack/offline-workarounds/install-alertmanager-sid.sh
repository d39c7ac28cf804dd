#!/usr/bin/env bash
# Puts Alertmanager and amtool into $ALERTMANAGER_DIR/bin/{alertmanager,amtool} (default
# .tools/alertmanager), the paths the tests use. The cluster runs the 0.35 image; Debian's
# development suite (sid) packages 0.33, the line nearest it, and sid-unpack.sh fetches it without
# changing the machine. A second run with the binaries in place only checks that they run.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
dest=${ALERTMANAGER_DIR:-$root/.tools/alertmanager}

fail () { echo "install-alertmanager-sid.sh: $*" >&2; exit 1; }
# The version a binary reports ("alertmanager, version 0.33.1+ds (branch: ...)"), or nothing.
version () { "$1" --version 2>/dev/null | sed -n '1s/^[a-z-]*, version \([0-9.]*\).*/\1/p'; }

if [[ -n $(version "$dest/bin/alertmanager") && -n $(version "$dest/bin/amtool") ]]; then
  exit 0
fi
"$here/sid-unpack.sh" "$dest" prometheus-alertmanager \
  || fail "elsewhere, put alertmanager and amtool from https://prometheus.io/download/#alertmanager into $dest/bin/"
mkdir -p "$dest/bin"
# Debian renames the binary; the tests call it by its upstream name.
ln -sf ../usr/bin/prometheus-alertmanager "$dest/bin/alertmanager"
ln -sf ../usr/bin/amtool "$dest/bin/amtool"
for tool in alertmanager amtool; do
  [[ -n $(version "$dest/bin/$tool") ]] || fail "Debian sid's $tool does not run: $("$dest/bin/$tool" --version 2>&1 | head -1)"
done
"$dest/bin/alertmanager" --version 2>&1 | head -1 >&2
