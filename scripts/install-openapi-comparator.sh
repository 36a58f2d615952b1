#!/usr/bin/env bash
# Installs PactFlow's openapi-pact-comparator (npm), the reference the OpenAPI cross-check is
# compared with (tests/openapi.rs, benches/openapi.rs), into a cache folder (default:
# .cache/openapi-comparator). Its package bundles its dependencies; nothing is downloaded at
# run time. Safe to run again: it skips what is there.
set -euo pipefail
dir="${1:-$(cd "$(dirname "$0")/.." && pwd)/.cache/openapi-comparator}"
version="2.3.1"
mkdir -p "$dir"
cd "$dir"
dir="$PWD" # absolute, for node's require below
marker="installed-openapi-pact-comparator-$version"
if [ -f "$marker" ] && [ -f node_modules/@pactflow/openapi-pact-comparator/package.json ]; then
  echo "openapi-pact-comparator already installed in $dir"
  exit 0
fi
[ -f package.json ] || npm init -y >/dev/null
npm install --no-audit --no-fund --ignore-scripts --save-exact --loglevel=error \
  "@pactflow/openapi-pact-comparator@$version"
node -e "require('$dir/node_modules/@pactflow/openapi-pact-comparator')"
touch "$marker"
echo "openapi-pact-comparator installed in $dir"
