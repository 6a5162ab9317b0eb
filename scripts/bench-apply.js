#!/usr/bin/env node
// Speed of a safe apply (issue 11): dockcfg against the raw way on the same test host, as ratios
// of medians. Not a test: it reports, it does not fail. Run it with `npm run bench:apply` (builds
// first, then `node --import tsx`, because the e2e harness that boots the host is TypeScript).
//
// One test host (test/e2e/harness/testbed.ts: systemd-nspawn, real systemd, Debian's dockerd) is
// booted and every row alternates dockcfg and the raw way round by round, so both see the same
// load. Each timing is taken inside the host (`date +%s%N` around the command), so the cost of
// entering the host with nsenter is in neither. Rows:
//   (a) one key needing a restart: `dockcfg set bip A|B --yes` against writing daemon.json,
//       `systemctl restart docker` and polling /_ping until it answers;
//   (b) a reload-only key: `dockcfg set debug true|false` against writing daemon.json,
//       `systemctl reload docker` and polling /info until Debug shows the new value;
//   (c) three keys in one apply: `dockcfg set bip=.. mtu=.. dns=.. --yes` against one raw
//       write + restart + /_ping. A dockcfg without the multi-pair form of `set` prints "n/a".
// Environment: BENCH_RUNS rounds per row (default 7); BENCH_PROFILE=1 also prints, for one dockcfg
// run of each row, its stderr lines with the milliseconds since it started (the engine's steps).
import {execFileSync} from 'node:child_process'
import {existsSync, readFileSync} from 'node:fs'
import {loadavg} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {bootHost, e2eAvailability, GUEST_CLI, stopAllHosts} from '../test/e2e/harness/testbed.ts'

const project = join(dirname(fileURLToPath(import.meta.url)), '..')
const runs = Number(process.env.BENCH_RUNS ?? 7)
const profile = process.env.BENCH_PROFILE === '1'
const DAEMON_JSON = '/etc/docker/daemon.json'

const available = e2eAvailability()
if (!available.ok) {
  process.stderr.write(`bench:apply needs a test host: ${available.reason}\n`)
  process.exit(1)
}

/** Milliseconds a shell script takes inside the host, measured inside it. */
async function timed(host, script, input) {
  const r = await host.exec(['/bin/sh', '-c', `t0=$(date +%s%N); ( ${script} ) >/tmp/bench.out 2>&1; rc=$?; t1=$(date +%s%N); echo "$rc $(( (t1 - t0) / 1000 ))"`], {
    timeoutMs: 120_000,
    ...(input === undefined ? {} : {input}),
  })
  const [rc, us] = r.stdout.trim().split(' ').map(Number)
  if (rc !== 0) {
    const out = await host.readFile('/tmp/bench.out')
    throw Object.assign(new Error(`exit ${rc}: ${script}\n${out}`), {rc, out})
  }
  return us / 1000
}

const dockcfg = (args) => `node ${GUEST_CLI} ${args.map((a) => `'${a}'`).join(' ')}`
// The raw way as a careful script would do it: write the file, restart, wait until the API answers.
const pingLoop = `until curl -sf --max-time 2 --unix-socket /run/docker.sock http://docker/_ping >/dev/null; do sleep 0.01; done`
const rawRestart = `cat > ${DAEMON_JSON} && systemctl restart docker && ${pingLoop}`
const rawReload = (debug) =>
  `cat > ${DAEMON_JSON} && systemctl reload docker && until curl -sf --max-time 2 --unix-socket /run/docker.sock http://docker/info | grep -q '"Debug":${debug}'; do sleep 0.01; done`

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2
}

/**
 * One row: dockcfg sets value A, the raw way writes value B back, round after round (one warm-up
 * round first); the host starts each row from B. Manual starts count toward docker.service's
 * start limit (3 in 60 s), so the failed-state counters are reset before each timed command,
 * outside the timing, for both.
 */
async function measure(host, row) {
  await host.writeFile(DAEMON_JSON, row.rawConfig)
  await host.exec(['systemctl', 'reset-failed', 'docker.service', 'docker.socket'], {allowFail: true})
  await host.exec(['systemctl', 'restart', 'docker'])
  const ours = []
  const raw = []
  for (let i = -1; i < runs; i++) {
    await host.exec(['systemctl', 'reset-failed', 'docker.service', 'docker.socket'], {allowFail: true})
    const a = await timed(host, dockcfg(row.dockcfg))
    await host.exec(['systemctl', 'reset-failed', 'docker.service', 'docker.socket'], {allowFail: true})
    const b = await timed(host, row.raw, row.rawConfig)
    if (i >= 0) {
      ours.push(a)
      raw.push(b)
    }
  }
  return {ours: median(ours), raw: median(raw)}
}

async function profileRun(host, label, args) {
  const r = await host.exec(
    [
      '/bin/sh',
      '-c',
      `t0=$(date +%s%N); ${dockcfg(args)} 2>&1 >/dev/null | while IFS= read -r l; do echo "$(( ($(date +%s%N) - t0) / 1000000 )) ms  $l"; done; echo "$(( ($(date +%s%N) - t0) / 1000000 )) ms  (exit)"`,
    ],
    {timeoutMs: 120_000},
  )
  process.stdout.write(`\nprofile ${label}: dockcfg ${args.join(' ')}\n${r.stdout}`)
}

const json = (o) => `${JSON.stringify(o, null, 2)}\n`

const rows = [
  {
    id: '(a)',
    name: 'one key, restart: set bip',
    target: 1.5,
    dockcfg: ['set', 'bip', '192.168.42.1/24', '--yes'],
    rawConfig: json({bip: '192.168.43.1/24'}),
    raw: rawRestart,
  },
  {
    id: '(b)',
    name: 'reload-only: set debug',
    target: 3,
    dockcfg: ['set', 'debug', 'true'],
    rawConfig: json({debug: false}),
    raw: rawReload(false),
  },
  {
    id: '(c)',
    name: 'three keys, one apply: set bip= mtu= dns=',
    target: 1.6,
    dockcfg: ['set', 'bip=192.168.42.1/24', 'mtu=1400', 'dns=10.0.0.2', '--yes'],
    rawConfig: json({bip: '192.168.43.1/24', mtu: 1450, dns: ['10.0.0.3']}),
    raw: rawRestart,
  },
  // More rows go here: {id, name, target, dockcfg, rawConfig, raw} on the same host, or
  // {id, name, target, run: async () => ({ours, raw})} for one that measures itself (the 3-host
  // Ansible apply of issue 11 boots its own hosts).
]

/**
 * The 3-host Ansible apply (issue 11): measured by the fleet e2e test, which boots its own three
 * hosts and writes its times to .e2e-work/bench/ansible-fleet.json (test/e2e/ansible.e2e.test.ts).
 */
function fleetLines() {
  const file = join(project, '.e2e-work/bench/ansible-fleet.json')
  if (!existsSync(file)) return ['3-host Ansible apply: not measured yet (npx vitest run --project e2e test/e2e/ansible.e2e.test.ts writes it)']
  const f = JSON.parse(readFileSync(file, 'utf8'))
  const s = (key) => `${(f.ms[key] / 1000).toFixed(1)} s`
  return [
    `3-host Ansible apply (the fleet e2e run of ${f.at}, load ${f.loadavg.map((x) => x.toFixed(1)).join(' ')} on ${f.cpus} cores):`,
    `  ${f.what}`,
    `  apply ${s('apply')}, second run (no change) ${s('second-run')}, --check ${s('check')}; install ${s('install')}; ansible ping of the 3 hosts ${s('ansible-ping')}`,
  ]
}

/** The checkout's commit, or BENCH_LABEL for a tree that is not one (an exported older commit). */
function commitOf() {
  if (process.env.BENCH_LABEL) return process.env.BENCH_LABEL
  try {
    return execFileSync('git', ['-C', project, 'rev-parse', '--short', 'HEAD'], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']}).trim()
  } catch {
    return 'unknown commit'
  }
}
const commit = commitOf()
const loadBefore = loadavg()
let host
const results = []
try {
  host = await bootHost()
  await host.waitDockerActive()
  const version = (await host.exec(['dockerd', '--version'])).stdout.trim()
  for (const row of rows) {
    try {
      if (row.run) {
        results.push({row, ...(await row.run())})
        continue
      }
      results.push({row, ...(await measure(host, row))})
      if (profile) {
        await host.writeFile(DAEMON_JSON, row.rawConfig)
        await host.exec(['systemctl', 'reset-failed', 'docker.service', 'docker.socket'], {allowFail: true})
        await host.exec(['systemctl', 'restart', 'docker'])
        await profileRun(host, row.id, row.dockcfg)
      }
    } catch (error) {
      // A usage error (exit 2) from `set K=V...` means this dockcfg has no multi-pair form yet.
      const na = error.rc === 2 ? 'n/a: needs set K=V...' : `failed: ${String(error.message).split('\n').slice(0, 3).join(' | ')}`
      results.push({row, na})
    }
  }
  const loadAfter = loadavg()
  const fmt = (l) => l.map((x) => x.toFixed(2)).join(' ')
  const lines = [
    `dockcfg bench:apply @ ${commit}: ${runs} rounds per row (BENCH_RUNS), medians, on one test host (${version})`,
    `load average before ${fmt(loadBefore)}, after ${fmt(loadAfter)} (${process.env.BENCH_NOTE ?? 'shared machine'})`,
    '',
    `${'row'.padEnd(48)}${'dockcfg'.padStart(10)}${'raw'.padStart(10)}${'ratio'.padStart(8)}${'target'.padStart(9)}`,
  ]
  for (const r of results) {
    const label = `${r.row.id} ${r.row.name}`.padEnd(48)
    if (r.na !== undefined) lines.push(`${label}${r.na}`)
    else {
      const ratio = r.ours / r.raw
      lines.push(
        `${label}${`${r.ours.toFixed(0)} ms`.padStart(10)}${`${r.raw.toFixed(0)} ms`.padStart(10)}${`${ratio.toFixed(2)}x`.padStart(8)}${`<= ${r.row.target}x`.padStart(9)}${ratio <= r.row.target ? '' : '  (over)'}`,
      )
    }
  }
  lines.push('', ...fleetLines())
  process.stdout.write(`${lines.join('\n')}\n`)
} finally {
  await stopAllHosts()
}
