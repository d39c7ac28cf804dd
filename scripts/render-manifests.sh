#!/usr/bin/env bash
# Renders a kustomize root of the stack into one YAML file to apply to a real cluster, with
# service-a's bare image name replaced by a pushed image.
#   scripts/render-manifests.sh DIR IMAGE OUT     e.g. k8s ghcr.io/acme/service-a:0.1.0 dist/metrics-stack.yaml
# The kustomization files stay untouched: a temporary overlay sets the image.
set -euo pipefail

dir="$(cd "$1" && pwd)"
image="$2"
out="$3"
root="$(cd "$(dirname "$0")/.." && pwd)"

# A tag follows the last colon after the last slash; a digest follows '@'.
name="$image" tag="" digest=""
if [[ "$image" == *@* ]]; then
  name="${image%@*}" digest="${image#*@}"
elif [[ "${image##*/}" == *:* ]]; then
  name="${image%:*}" tag="${image##*:}"
fi
if [[ -z "$tag" && -z "$digest" ]]; then
  echo "render-manifests.sh: IMAGE must carry a tag or a digest (got $image)" >&2
  exit 1
fi

bash "$root/scripts/grafana-admin-secret.sh"
overlay="$(mktemp -d)"
trap 'rm -rf "$overlay"' EXIT
{
  echo "apiVersion: kustomize.config.k8s.io/v1beta1"
  echo "kind: Kustomization"
  # kustomize accepts only a relative path to a base.
  echo "resources: [\"$(realpath --relative-to="$overlay" "$dir")\"]"
  echo "images:"
  echo "  - name: service-a"
  echo "    newName: \"$name\""
  [[ -n "$tag" ]] && echo "    newTag: \"$tag\""
  [[ -n "$digest" ]] && echo "    digest: \"$digest\""
} >"$overlay/kustomization.yaml"

mkdir -p "$(dirname "$out")"
kubectl kustomize "$overlay" >"$out"
echo "Wrote $out (image $image; it holds the Grafana admin Secret: do not commit it)." >&2
