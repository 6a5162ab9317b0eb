import {maxApiVersion} from '../../registry/dockerd-facts.js'
import type {RuleContext} from './context.js'

/** Single-key checks of no family: graph with data-root, default-shm-size, seccomp "builtin", cpu-rt on cgroup v2, min-api-version. */
export function miscRules(ctx: RuleContext): void {
  const graph = ctx.get('graph')
  const dataRoot = ctx.get('data-root')
  if (graph !== undefined && dataRoot !== undefined) {
    ctx.report({
      code: 'graph-with-data-root',
      involves: ['data-root'],
      severity: 'error',
      key: 'graph',
      at: graph.keyAt,
      message: '"graph" and "data-root" are both set: dockerd refuses the configuration',
      checkedAt: 'config',
      hint: 'delete "graph"',
    })
  }

  const shm = ctx.get('default-shm-size')
  if (shm !== undefined && !/^\d+(\.\d+)* ?([kKmMgGtTpP])?[iI]?[bB]?$/.test(String(shm.value))) {
    ctx.report({
      code: 'shm-size-invalid',
      severity: 'error',
      key: 'default-shm-size',
      at: shm.at,
      message: `"default-shm-size" ${JSON.stringify(shm.value)} is not a size: dockerd cannot decode the file ("invalid size")`,
      checkedAt: 'config',
      hint: 'write e.g. "64M" or "1G"',
    })
  }

  const seccomp = ctx.get('seccomp-profile')
  if (seccomp !== undefined && seccomp.value === 'builtin' && !ctx.atLeast('23.0.0')) {
    ctx.report({
      code: 'seccomp-builtin-unsupported',
      severity: 'error',
      key: 'seccomp-profile',
      at: seccomp.at,
      message: `"seccomp-profile": "builtin" is understood from dockerd 23.0; ${ctx.dockerd()} reads it as a file path and fails at start`,
      checkedAt: 'start',
      hint: 'delete the key (the built-in profile is the default)',
    })
  }

  for (const key of ['cpu-rt-period', 'cpu-rt-runtime']) {
    const entry = ctx.get(key)
    if (entry !== undefined && ctx.num(key) !== 0 && ctx.atLeast('23.0.0')) {
      ctx.report({
        code: 'cpu-rt-cgroup-v2',
        severity: 'warning',
        key,
        at: entry.keyAt,
        message: `"${key}" is refused on cgroup v2 hosts ("daemon-scoped cpu-rt-period and cpu-rt-runtime are not implemented for cgroup v2"), which most current distributions use`,
        checkedAt: 'config',
        hint: 'delete it unless the host still boots with cgroup v1',
      })
    }
  }

  const minApi = ctx.get('min-api-version')
  if (minApi !== undefined) {
    const text = String(minApi.value)
    const max = maxApiVersion(ctx.version)
    const m = /^1\.(\d+)$/.exec(text)
    if (m === null || Number(m[1]) < 24 || Number(m[1]) > max) {
      ctx.report({
        code: 'min-api-version-invalid',
        severity: 'error',
        key: 'min-api-version',
        at: minApi.at,
        message: `"min-api-version" ${JSON.stringify(text)} must be between 1.24 and 1.${max}: dockerd fails at start ("invalid minimum API version")`,
        checkedAt: 'start',
      })
    }
  }
}
