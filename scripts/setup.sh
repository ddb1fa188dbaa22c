#!/usr/bin/env bash
# One-command set-up on a fresh machine: exact dependency versions from the lock file.
# @tensorflow/tfjs-node is an optional dependency: where its native library cannot be downloaded
# (offline machines) npm leaves it out and the pipeline uses the wasm backend instead.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund
echo "set-up done: try 'npm run classify -- skimage-chelsea' or 'npm test'"
