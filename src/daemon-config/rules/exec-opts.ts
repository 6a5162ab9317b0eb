import {CGROUP_DRIVERS} from '../../registry/dockerd-facts.js'
import type {RuleContext} from './context.js'

/** exec-opts: on Linux the only option is native.cgroupdriver (28.0 refuses the rest, older versions ignore them). */
export function execOptsRules(ctx: RuleContext): void {
  const execChecked = ctx.atLeast('28.0.0')
  for (const {text, at} of ctx.listItems('exec-opts')) {
    const eq = text.indexOf('=')
    const name = (eq < 0 ? text : text.slice(0, eq)).trim().toLowerCase()
    const value = eq < 0 ? '' : text.slice(eq + 1).trim()
    let problem: string | undefined
    if (eq < 0 || name === '' || value === '') problem = `must be formatted 'opt=value'`
    else if (name !== 'native.cgroupdriver') problem = name === 'isolation' ? `option '${name}' is only supported on windows` : `unknown option: '${name}'`
    if (problem !== undefined) {
      ctx.report({
        code: 'exec-opt-invalid',
        severity: execChecked ? 'error' : 'warning',
        key: 'exec-opts',
        at,
        message: execChecked
          ? `"exec-opts" entry ${JSON.stringify(text)}: dockerd refuses the configuration ("invalid exec-opt (${text}): ${problem}")`
          : `"exec-opts" entry ${JSON.stringify(text)} (${problem}) is silently ignored by ${ctx.dockerd()}; dockerd 28.0 and later refuse it`,
        checkedAt: 'config',
        hint: 'on Linux the only exec-opt is native.cgroupdriver=systemd or =cgroupfs',
      })
    } else if (!CGROUP_DRIVERS.includes(value.toLowerCase())) {
      ctx.report({
        code: 'exec-opt-invalid',
        severity: 'error',
        key: 'exec-opts',
        at,
        message: `cgroup driver ${JSON.stringify(value)} is neither systemd nor cgroupfs: dockerd fails at start`,
        checkedAt: 'start',
        hint: 'use native.cgroupdriver=systemd or native.cgroupdriver=cgroupfs',
      })
    }
  }
}

/**
 * verifyDaemonSettings (daemon/daemon_unix.go, same in v20.10.24 and docker-v29.7.2), run by
 * NewDaemon at start: `if conf.CgroupParent != "" && UsingSystemd(conf) { if len(…) <= 6 ||
 * !strings.HasSuffix(…, ".slice") { … } }`. UsingSystemd is also true when no driver is set on a
 * cgroup v2 host booted with systemd (the usual case today); this code cannot see the host, so it
 * only reports when exec-opts names the systemd driver explicitly.
 */
export function cgroupParentRule(ctx: RuleContext): void {
  const entry = ctx.get('cgroup-parent')
  const parent = ctx.str('cgroup-parent')
  if (entry === undefined || parent === undefined || parent === '' || cgroupDriver(ctx) !== 'systemd') return
  if (parent.length > 6 && parent.endsWith('.slice')) return
  const base = parent.replace(/^\/+|\/+$/g, '').replace(/[^a-zA-Z0-9:_.-]+/g, '-')
  ctx.report({
    code: 'cgroup-parent-not-slice',
    involves: ['exec-opts'],
    severity: 'error',
    key: 'cgroup-parent',
    at: entry.at,
    message: `"cgroup-parent" ${JSON.stringify(parent)} is not a systemd slice while exec-opts selects the systemd cgroup driver: dockerd fails at start ('cgroup-parent for systemd cgroup should be a valid slice named as "xxx.slice"')`,
    checkedAt: 'start',
    hint: `name a slice, e.g. "${base === '' || base === '.slice' ? 'docker' : base}.slice", or use native.cgroupdriver=cgroupfs`,
  })
}

/**
 * The cgroup driver exec-opts selects, as UsingSystemd reads it: before 28.0 getCD takes the first
 * native.cgroupdriver entry (key case-insensitive, value trimmed); from 28.0 parseExecOptions keeps the last.
 */
function cgroupDriver(ctx: RuleContext): string | undefined {
  let driver: string | undefined
  for (const {text} of ctx.listItems('exec-opts')) {
    const eq = text.indexOf('=')
    if (eq < 0 || text.slice(0, eq).trim().toLowerCase() !== 'native.cgroupdriver') continue
    driver = text.slice(eq + 1).trim()
    if (!ctx.atLeast('28.0.0')) return driver
  }
  return driver
}
