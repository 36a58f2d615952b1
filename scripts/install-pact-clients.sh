#!/usr/bin/env bash
# Installs the official Pact clients used by the interoperability tests into a cache folder
# (default: .cache/pact-clients). Everything comes from the npm registry as prebuilt
# packages; nothing is downloaded at run time. Safe to run again: it skips what is there.
#
#   @pact-foundation/pact-cli 18.1.2  -> the Rust `pact` binary (stub, verifier, mock, broker)
#   @pact-foundation/pact 17.1.4      -> pact-js, to write contracts the way JS consumers do
#   @pact-foundation/pact-cli 16.1.7  -> (in ruby-cli/) the Ruby `pact-broker` client, the
#                                        reference client of the Pact Broker API
set -euo pipefail
dir="${1:-$(cd "$(dirname "$0")/.." && pwd)/.cache/pact-clients}"
mkdir -p "$dir"
cd "$dir"
export SCARF_ANALYTICS=false PACT_DO_NOT_TRACK=true
marker="installed-pact-cli-18.1.2-pact-js-17.1.4"
if [ -f "$marker" ] && [ -x node_modules/@pact-foundation/pact-cli-linux-x64/standalone/pact ]; then
  echo "pact clients already installed in $dir"
else
  [ -f package.json ] || npm init -y >/dev/null
  npm install --no-audit --no-fund --ignore-scripts --save-exact --loglevel=error \
    @pact-foundation/pact-cli@18.1.2 @pact-foundation/pact@17.1.4 @pact-foundation/pact-core@20.2.0
  ./node_modules/@pact-foundation/pact-cli-linux-x64/standalone/pact verifier --version >/dev/null
  touch "$marker"
  echo "pact clients installed in $dir"
fi

# The Ruby client lives in its own folder: same package name, other major version.
ruby_marker="ruby-cli/installed-pact-cli-16.1.7"
if [ -f "$ruby_marker" ] && [ -x ruby-cli/node_modules/.bin/pact-broker ]; then
  echo "Ruby pact-broker already installed in $dir/ruby-cli"
else
  mkdir -p ruby-cli
  (cd ruby-cli && { [ -f package.json ] || npm init -y >/dev/null; } &&
    npm install --no-audit --no-fund --ignore-scripts --save-exact --loglevel=error \
      @pact-foundation/pact-cli@16.1.7)
  ruby-cli/node_modules/.bin/pact-broker version >/dev/null
  touch "$ruby_marker"
  echo "Ruby pact-broker installed in $dir/ruby-cli"
fi
