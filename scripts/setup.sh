#!/usr/bin/env bash
# One-command set-up on a fresh machine: dependency versions from the lock file.
# `npm install` rather than `npm ci`: the registry reachable here leaves other platforms' optional
# binaries (pagefind, rollup, esbuild for macOS/Windows) out of the lock file, and `npm ci` refuses
# such a lock as "out of sync"; `npm install` honours the locked versions and leaves the lock as is.
# @tensorflow/tfjs-node is an optional dependency: where its native library cannot be downloaded
# (offline machines) npm leaves it out and the pipeline uses the wasm backend instead.
set -euo pipefail
cd "$(dirname "$0")/.."
npm install --no-audit --no-fund
echo "set-up done: try 'npm run classify -- skimage-chelsea' or 'npm test'"
