#!/usr/bin/env bash
# Makes sure `kubectl` with kustomize v5 is on PATH: the manifest tests render offline with
# `kubectl kustomize`. Neither Debian (kubernetes-client is 1.20, kustomize v2) nor npm ships a
# recent one, so when it is missing this stops with a message instead of skipping the tests.
set -euo pipefail

if ! command -v kubectl >/dev/null; then
  echo "require-kubectl.sh: kubectl is not on PATH. Install kubectl 1.27 or later (kustomize v5):" >&2
  echo "  https://kubernetes.io/docs/tasks/tools/ (or: brew install kubectl, gcloud components install kubectl)" >&2
  exit 1
fi
version="$(kubectl version --client 2>/dev/null | sed -n 's/^Kustomize Version: v\([0-9]*\).*/\1/p')"
if [[ -z "$version" || "$version" -lt 5 ]]; then
  echo "require-kubectl.sh: $(command -v kubectl) has kustomize '${version:-unknown}'; kustomize v5 is needed (kubectl 1.27 or later)." >&2
  exit 1
fi
