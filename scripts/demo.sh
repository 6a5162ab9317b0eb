#!/usr/bin/env bash
# The README's "main job" on a fresh Debian/Ubuntu machine, as root: install what is needed, build,
# then boot one systemd + docker.io test host and play the classic story on it (scripts/demo.ts):
# a daemon.json "hosts" key breaks dockerd under the stock -H fd:// unit; dockcfg validate explains
# it, dockcfg fix resolves it, dockcfg set bip/mtu/dns are applied and verified. The test host is
# always torn down, also on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" != 0 ]; then
  echo "demo: must run as root (it boots a systemd-nspawn test host): sudo bash scripts/demo.sh" >&2
  exit 1
fi

echo "== setup (npm ci + test-host packages, skipped when present)"
bash scripts/setup.sh
echo "== build"
npm run build --silent
echo "== demo"
# exec: Ctrl-C goes straight to the demo, whose harness powers the test host off before exiting.
exec npx --no-install tsx scripts/demo.ts
