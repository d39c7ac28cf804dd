#!/bin/sh
# The official Node.js image's entrypoint contract: arguments that are node flags or a script
# rather than a command run under node; anything else is exec'd as given, so the command
# becomes PID 1 and receives signals directly.
set -e
if [ "${1#-}" != "$1" ] || ! command -v -- "$1" >/dev/null 2>&1; then
  set -- node "$@"
fi
exec "$@"
