#!/usr/bin/env node
// Start-up benchmark: the median wall time of `dockcfg get bip` and `dockcfg validate` next to a
// bare node script that reads the same key, measured in one run on one machine, as a ratio.
// Fleet scripts call dockcfg many times, so start-up is the cost that matters. Not a test: it
// reports, it does not fail (target: at most 1.5x the bare script).
import {spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const project = join(dirname(fileURLToPath(import.meta.url)), '..')
const runs = Number(process.env.BENCH_RUNS ?? 21)
const root = mkdtempSync(join(tmpdir(), 'dockcfg-bench-'))
mkdirSync(join(root, 'etc/docker'), {recursive: true})
writeFileSync(join(root, 'etc/docker/daemon.json'), '{\n  "bip": "192.168.42.1/24",\n  "mtu": 1400,\n  "dns": ["8.8.8.8"]\n}\n')
const bare = join(root, 'bare.mjs')
writeFileSync(bare, `import {readFileSync} from 'node:fs'\nconsole.log(JSON.parse(readFileSync(process.argv[2], 'utf8')).bip)\n`)

/**
 * Runs the commands in turn, round after round, so that a slow patch of the machine (this is a
 * shared 2-core VM) hits every row alike, and returns each one's median wall time in ms.
 */
function medians(commands) {
  const times = commands.map(() => [])
  for (let i = 0; i < runs; i++) {
    commands.forEach((argv, j) => {
      const start = process.hrtime.bigint()
      const result = spawnSync(process.execPath, argv, {encoding: 'utf8'})
      times[j].push(Number(process.hrtime.bigint() - start) / 1e6)
      if (result.status !== 0) throw new Error(`${argv.join(' ')} exited ${result.status}: ${result.stderr}`)
    })
  }
  return times.map((t) => t.sort((a, b) => a - b)[Math.floor(t.length / 2)])
}

const run = join(project, 'bin/run.js')
const names = ['bare node script', 'dockcfg get bip', 'dockcfg validate']
const results = medians([
  [bare, join(root, 'etc/docker/daemon.json')],
  [run, 'get', 'bip', '--root', root],
  [run, 'validate', '--root', root, '--dockerd-version', '29.7.2'],
])
const base = results[0]
const rows = names.map((name, i) => [name, results[i]])
console.log(`median of ${runs} runs, node ${process.version}`)
for (const [name, ms] of rows) console.log(`${name.padEnd(18)} ${ms.toFixed(1).padStart(7)} ms  ${(ms / base).toFixed(2)}x`)
rmSync(root, {recursive: true, force: true})
