#!/usr/bin/env bash
# One-command set-up on a fresh machine: dependency versions from the lock file, plus the Chromium
# the browser tests drive (playwright-core cannot download browsers here; Debian's package works).
# The lock lists every platform's optional binaries (pagefind, rollup, esbuild for macOS/Windows/...)
# that the registry resolves: a lock without them made `npm install` rewrite it (~381 lines) on every
# fresh clone. `npm install` honours the locked versions; CI checks that it leaves the checkout clean.
# @tensorflow/tfjs-node is an optional dependency: where its native library cannot be downloaded
# (offline machines) npm leaves it out and the pipeline uses the wasm backend instead.
set -euo pipefail
cd "$(dirname "$0")/.."
npm install --no-audit --no-fund

have_chromium() {
  [ -n "${CHROMIUM_PATH:-}" ] && [ -x "$CHROMIUM_PATH" ] && return 0
  command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1
}
if ! have_chromium; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing chromium for the browser tests (apt-get)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
  else
    echo "warning: no chromium found; the browser tests (tests/site) need it:" >&2
    echo "         install Debian/Ubuntu's chromium, or point CHROMIUM_PATH at a Chrome/Chromium binary" >&2
  fi
fi
# Debian's redis-server: the queue tests (tests/queue-atlas.test.ts) start one on a free loopback
# port; `npm run atlas -- --queue` and `npm run worker` use any Redis (see the README).
if ! command -v redis-server >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing redis-server for the queue tests (apt-get)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server
  else
    echo "warning: no redis-server found; the queue tests skip without it (install Debian/Ubuntu's redis-server)" >&2
  fi
fi
echo "set-up done: try 'npm run build' (then 'npm run preview') or 'npm test'"
