#!/usr/bin/env bash
# Fails when a local port that `skaffold dev --port-forward` forwards is already taken, and names
# the process that holds it. Skaffold itself does not fail then: it forwards a random port
# instead and says so in one line of its log, so localhost:9090 quietly reaches someone else's
# server (skaffold#5839, skaffold#9757). `make dev` runs this first.
#   scripts/check-ports.sh [PORT...]    default: every localPort of skaffold.yaml
# @see https://github.com/GoogleContainerTools/skaffold/issues/5839
# @see https://github.com/GoogleContainerTools/skaffold/issues/9757
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
ports=("$@")
if ((${#ports[@]} == 0)); then
  mapfile -t ports < <(sed -n 's/^ *localPort: *\([0-9][0-9]*\).*/\1/p' "$root/skaffold.yaml")
fi

# Skaffold binds 127.0.0.1: any server that answers there (on 127.0.0.1, 0.0.0.0 or ::) is in its way.
taken() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# "pid N: command line" of each listener on the port, as far as this user may see them (the
# command line, because a program may rename its process: Node.js shows up as MainThread).
holders() {
  local pids
  if command -v lsof >/dev/null; then
    pids="$(lsof -nP -t -iTCP:"$1" -sTCP:LISTEN 2>/dev/null || true)"
  elif command -v ss >/dev/null; then
    pids="$(ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' | cut -d= -f2 || true)"
  fi
  for pid in $(echo "${pids:-}" | sort -u); do
    echo "pid $pid: $(ps -o args= -p "$pid" | cut -c1-100)"
  done
}

busy=0
for port in "${ports[@]}"; do
  if taken "$port"; then
    who="$(holders "$port" | paste -sd';' - | sed 's/;/; /g')"
    echo "check-ports.sh: localhost:$port is taken by ${who:-a process this user cannot see (try: sudo lsof -i :$port)}." >&2
    busy=1
  fi
done
if ((busy)); then
  echo "check-ports.sh: free the port first: skaffold dev would forward a random local port instead, without failing." >&2
  exit 1
fi
echo "check-ports.sh: ports ${ports[*]} are free." >&2
