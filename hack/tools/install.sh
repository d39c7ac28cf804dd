#!/usr/bin/env bash
# Puts the pinned version of each named tool at BIN/NAME (default: every tool below) and prints
# its version. The versions live in the Go modules beside this file (one per family whose pins
# conflict); for each tool, in order:
#   1. BIN/NAME already at the pinned version is kept;
#   2. a NAME on the PATH, or in $KUBEBUILDER_ASSETS (where controller-runtime's setup-envtest
#      leaves kube-apiserver, etcd and kubectl), at the pinned version is linked;
#   3. else it is built from the Go module proxy (go build, reusing Go's module and build caches).
# Usage: hack/tools/install.sh BIN [NAME...]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:?usage: install.sh BIN [NAME...]}
shift
mkdir -p "$bin"
bin=$(cd "$bin" && pwd)

fail () { echo "install.sh: $*" >&2; exit 1; }
# Go: $GO, else the PATH's, else where the official installer puts it.
go=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
# The version that FAMILY/go.mod requires of MODULE.
pinned () { awk -v m="$2" '$1 == m && $2 ~ /^v/ { print $2; exit } $1 == "require" && $2 == m { print $3; exit }' "$here/$1/go.mod"; }

# NAME -> family (its folder here), main package, the module whose version it reports.
declare -A family package module
family[skaffold]=skaffold package[skaffold]=github.com/GoogleContainerTools/skaffold/v2/cmd/skaffold module[skaffold]=github.com/GoogleContainerTools/skaffold/v2
for name in kube-apiserver kubectl kube-controller-manager kube-scheduler; do
  family[$name]=kubernetes package[$name]=k8s.io/kubernetes/cmd/$name module[$name]=k8s.io/kubernetes
done
family[etcd]=etcd package[etcd]=go.etcd.io/etcd/server/v3 module[etcd]=go.etcd.io/etcd/server/v3
family[jaeger]=jaeger package[jaeger]=github.com/jaegertracing/jaeger/cmd/jaeger module[jaeger]=github.com/jaegertracing/jaeger
family[kwok]=kwok package[kwok]=sigs.k8s.io/kwok/cmd/kwok module[kwok]=sigs.k8s.io/kwok
family[sloth]=sloth package[sloth]=github.com/slok/sloth/cmd/sloth module[sloth]=github.com/slok/sloth
ALL=(skaffold kube-apiserver kubectl kube-controller-manager kube-scheduler etcd kwok jaeger sloth)

# The version a binary reports, as the pin writes it (v1.2.3), or nothing.
reported () {
  local out
  case $1 in
    skaffold|sloth) out=$("$2" version 2>/dev/null) ;;
    kubectl) out=$("$2" version --client 2>/dev/null) ;;
    etcd) out=$("$2" --version 2>/dev/null | sed -n 's/^etcd Version: /v/p') ;;
    # Jaeger v2 reports its own release line (module v1.75.0 is Jaeger 2.12.0): see jaeger_release.
    jaeger) out=$("$2" version 2>/dev/null | sed -n 's/.*"gitVersion":"\([^"]*\)".*/\1/p') ;;
    *) out=$("$2" --version 2>/dev/null) ;;
  esac
  grep -oE '[0-9]+\.[0-9]+\.[0-9]+' <<<"$out" | head -1 | sed 's/^/v/'
}

# Jaeger tags each commit twice: module v1.N.0 (the v1 line) is release v2.(N-63).0.
jaeger_release () { local minor=${1#v1.}; minor=${minor%%.*}; echo "v2.$((minor - 63)).${1##*.}"; }

# What NAME must report at its pin.
wanted () {
  local version
  version=$(pinned "${family[$1]}" "${module[$1]}")
  [[ -n $version ]] || fail "${family[$1]}/go.mod pins no ${module[$1]}"
  if [[ $1 == jaeger ]]; then jaeger_release "$version"; else echo "$version"; fi
}

# The -X flags that stamp the version into NAME, as each project's own release build does.
ldflags () {
  local version=$2
  case $1 in
    skaffold) echo "-X github.com/GoogleContainerTools/skaffold/v2/pkg/skaffold/version.version=$version" ;;
    kube-*|kubectl)
      local minor=${version#v*.}; minor=${minor%%.*}
      local flags="-X k8s.io/component-base/version.gitVersion=$version -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/component-base/version.gitTreeState=clean"
      echo "$flags ${flags//component-base\/version/client-go/pkg/version}" ;;
    jaeger) echo "-X github.com/jaegertracing/jaeger/internal/version.latestVersion=$version" ;;
    # Sloth also writes it into the rules it generates.
    sloth) echo "-X github.com/slok/sloth/internal/info.Version=$version" ;;
  esac
}

install_one () {
  local name=$1 want found candidate
  [[ -n ${family[$name]:-} ]] || fail "no tool named $name (known: ${ALL[*]})"
  want=$(wanted "$name")
  if [[ $(reported "$name" "$bin/$name") == "$want" ]]; then
    echo "$name $want at $bin/$name"
    return
  fi
  rm -f "$bin/$name"
  for candidate in "$(command -v "$name" || true)" "${KUBEBUILDER_ASSETS:+$KUBEBUILDER_ASSETS/$name}"; do
    if [[ -n $candidate && -x $candidate && $(reported "$name" "$candidate") == "$want" ]]; then
      ln -s "$candidate" "$bin/$name"
      echo "$name $want at $bin/$name -> $candidate"
      return
    fi
  done
  [[ -x $go ]] || fail "building $name $want needs Go (https://go.dev/dl/), or put $name $want on the PATH"
  echo "$name $want: building from the Go module proxy (${family[$name]}/go.mod) ..." >&2
  # -pgo=off: a main package's default.pgo would rebuild every dependency for this one binary.
  (cd "$here/${family[$name]}" && CGO_ENABLED=0 "$go" build -trimpath -pgo=off -ldflags "-s -w $(ldflags "$name" "$want")" -o "$bin/$name.tmp" "${package[$name]}")
  mv "$bin/$name.tmp" "$bin/$name"
  found=$(reported "$name" "$bin/$name")
  [[ $found == "$want" ]] || fail "$bin/$name reports ${found:-no version}, not $want"
  echo "$name $want at $bin/$name"
}

(( $# > 0 )) || set -- "${ALL[@]}"
for name in "$@"; do install_one "$name"; done
