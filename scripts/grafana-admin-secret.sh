#!/usr/bin/env bash
# Creates grafana/grafana-admin.secret.env, the source of the Grafana admin Secret
# (grafana/kustomization.yaml's secretGenerator), with a random password when it is missing.
# Idempotent: an existing file is kept, since Grafana stores the admin password in its
# database on first start and ignores a changed one later.
# Called by skaffold's render hook, the make targets that render (dev, deploy, manifests, grafana-password) and the manifest tests.
set -euo pipefail

file="${1:-$(dirname "$0")/../grafana/grafana-admin.secret.env}"
[[ -s "$file" ]] && exit 0

# 24 random bytes, base64 without characters that need quoting in env files or URLs.
password="$(head -c 24 /dev/urandom | base64 | tr -d '/+=\n')"
umask 077
cat >"$file.tmp" <<ENV
admin-user=admin
admin-password=$password
ENV
mv "$file.tmp" "$file"
echo "Created $file with a random Grafana admin password (make grafana-password prints it)." >&2
