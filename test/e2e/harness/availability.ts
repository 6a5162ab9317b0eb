import {accessSync, constants, readFileSync} from 'node:fs'
import {BASE_PATH} from './proc.js'

export interface Availability {
  ok: boolean
  reason: string
}

/** CI=true (as .ci/run sets it) means the e2e suite is mandatory; "false"/"0" count as unset. */
export function isCI(): boolean {
  const v = process.env.CI
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false'
}

function findExecutable(name: string): string | undefined {
  for (const dir of BASE_PATH.split(':')) {
    try {
      accessSync(`${dir}/${name}`, constants.X_OK)
      return `${dir}/${name}`
    } catch {
      // next
    }
  }
  return undefined
}

/**
 * Cheap static checks only; the real proof is a boot, which the tests do. Every missing piece is
 * listed so one run tells the whole story.
 */
export function e2eAvailability(): Availability {
  const problems: string[] = []
  if (process.platform !== 'linux') problems.push(`platform is ${process.platform}, not linux`)
  if (process.getuid?.() !== 0) problems.push('not running as root')
  for (const bin of ['systemd-nspawn', 'nsenter', 'ip', 'dockerd', 'docker', 'busybox']) {
    if (findExecutable(bin) === undefined) problems.push(`${bin} not found (run scripts/e2e-prereqs.sh)`)
  }
  // The host's root is a tmpfs with only this machine's /usr mounted, so node must live under /usr.
  if (!['/usr/bin/node', '/usr/local/bin/node'].some((p) => findExecutableAt(p))) {
    problems.push('no node under /usr/bin or /usr/local/bin (test hosts only see /usr)')
  }
  let mountinfo = ''
  try {
    mountinfo = readFileSync('/proc/self/mountinfo', 'utf8')
  } catch {
    problems.push('cannot read /proc/self/mountinfo')
  }
  if (mountinfo !== '' && cgroupLayout(mountinfo) === undefined) {
    problems.push('no usable cgroup hierarchy (need cgroup2 at /sys/fs/cgroup, or a hybrid layout with name=systemd)')
  }
  try {
    if (!/\toverlay\n/.test(readFileSync('/proc/filesystems', 'utf8'))) problems.push('kernel has no overlayfs')
  } catch {
    problems.push('cannot read /proc/filesystems')
  }
  return problems.length === 0 ? {ok: true, reason: ''} : {ok: false, reason: problems.join('; ')}
}

function findExecutableAt(path: string): boolean {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

export type CgroupLayout = {kind: 'unified'; roots: string[]} | {kind: 'hybrid'; roots: string[]}

/**
 * Which hierarchies a test host's systemd writes to. These are the ones we give each host its
 * own subtree of, see testbed.ts.
 */
export function cgroupLayout(mountinfo = readFileSync('/proc/self/mountinfo', 'utf8')): CgroupLayout | undefined {
  const mounts = mountinfo.split('\n').map((line) => {
    const [pre, post] = line.split(' - ')
    const f = (pre ?? '').split(' ')
    const g = (post ?? '').split(' ')
    return {point: f[4] ?? '', fstype: g[0] ?? '', options: g[2] ?? ''}
  })
  if (mounts.some((m) => m.point === '/sys/fs/cgroup' && m.fstype === 'cgroup2')) {
    return {kind: 'unified', roots: ['/sys/fs/cgroup']}
  }
  const named = mounts.find((m) => m.fstype === 'cgroup' && m.options.split(',').includes('name=systemd'))
  if (named === undefined) return undefined
  const roots = [named.point]
  const unified = mounts.find((m) => m.fstype === 'cgroup2' && m.point.startsWith('/sys/fs/cgroup/'))
  if (unified !== undefined) roots.push(unified.point)
  return {kind: 'hybrid', roots}
}

/**
 * The suite's policy in one place: in CI an unavailable testbed is a failure (throws); elsewhere a
 * loud banner goes to stderr and the caller skips, so a skipped suite never looks like a pass.
 */
export function e2eGate(): Availability {
  const a = e2eAvailability()
  if (a.ok) return a
  if (isCI()) throw new Error(`E2E SUITE REQUIRED IN CI BUT CANNOT RUN: ${a.reason}`)
  const line = '#'.repeat(78)
  process.stderr.write(`\n${line}\n##  E2E SUITE NOT RUN: ${a.reason}\n##  (tests are reported as skipped; with CI set this is a failure)\n${line}\n\n`)
  return a
}
