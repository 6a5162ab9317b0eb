#!/usr/bin/env node
// Start-up benchmark: the median wall time of dockcfg's read commands and of a write that touches
// no service, next to a bare `node -e` that reads daemon.json and prints bip, measured in one run
// on one machine, as ratios. Fleet scripts call dockcfg many times, so start-up is the cost that
// matters. Not a test: it reports, it does not fail. Targets (issue 10): every read command at most
// 1.5x the bare script, on a --root tree and on the live host; `set --no-restart` at most 2x.
//
// The live-host rows only read: they run `get` and `validate` against this machine's own
// /etc/docker (whatever is there, or nothing) and dockerd binary, which is the path where dockcfg
// asks the installed dockerd for its version. Nothing is ever written outside a temporary tree.
import {spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const project = join(dirname(fileURLToPath(import.meta.url)), '..')
const runs = Number(process.env.BENCH_RUNS ?? 21)
const root = mkdtempSync(join(tmpdir(), 'dockcfg-bench-'))
mkdirSync(join(root, 'etc/docker'), {recursive: true})
const daemonJson = join(root, 'etc/docker/daemon.json')
writeFileSync(daemonJson, '{\n  "bip": "192.168.42.1/24",\n  "mtu": 1400,\n  "dns": ["8.8.8.8"]\n}\n')

const bareScript = "console.log(JSON.parse(require('node:fs').readFileSync(process.argv[1], 'utf8')).bip)"
const run = join(project, 'bin/run.js')
const live = process.platform === 'linux' && process.getuid?.() === 0
let round = 0
const rows = [
  ['bare node -e', () => ['-e', bareScript, daemonJson]],
  ['get bip --root', () => [run, 'get', 'bip', '--root', root]],
  ['validate --root', () => [run, 'validate', '--root', root, '--dockerd-version', '29.7.2']],
  // Two values in turn, so every run really writes (and backs up) rather than finding nothing to do.
  ['set --no-restart --root', () => [run, 'set', 'mtu', String(1400 + (round % 2)), '--no-restart', '--root', root, '--dockerd-version', '29.7.2']],
  ...(live
    ? [
        ['get bip (live host)', () => [run, 'get', 'bip']],
        ['validate (live host)', () => [run, 'validate']],
      ]
    : []),
]

/**
 * Runs the commands in turn, round after round, so that a slow patch of the machine (this is a
 * shared 2-core VM) hits every row alike, and returns each one's median wall time in ms.
 */
function medians() {
  const times = rows.map(() => [])
  for (round = 0; round < runs; round++) {
    rows.forEach(([name, argv], j) => {
      const start = process.hrtime.bigint()
      const result = spawnSync(process.execPath, argv(), {encoding: 'utf8'})
      times[j].push(Number(process.hrtime.bigint() - start) / 1e6)
      // get exits 1 when the key is not set (the live host may have no bip); validate 3 on a bad file.
      if (result.status === null || result.status === 2 || (result.status !== 0 && !name.includes('live'))) {
        throw new Error(`${name} exited ${result.status}: ${result.stderr}`)
      }
    })
  }
  return times.map((t) => t.sort((a, b) => a - b)[Math.floor(t.length / 2)])
}

const results = medians()
const base = results[0]
console.log(`median of ${runs} runs, node ${process.version}${live ? '' : ' (live-host rows need root on Linux: not run)'}`)
rows.forEach(([name], i) => console.log(`${name.padEnd(24)} ${results[i].toFixed(1).padStart(7)} ms  ${(results[i] / base).toFixed(2)}x`))
rmSync(root, {recursive: true, force: true})
