#!/usr/bin/env bash
# Everything a fresh Debian/Ubuntu machine needs before dockcfg can be built and tested:
# the npm dependencies and, when running as root, the packages the end-to-end test hosts use.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
if [ "$(id -u)" = 0 ]; then
  bash scripts/e2e-prereqs.sh
else
  echo "setup: not root, skipping the test-host packages (the end-to-end suite will say it cannot run)" >&2
fi
