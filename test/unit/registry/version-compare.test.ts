import semver from 'semver'
import {describe, expect, it} from 'vitest'

import {FLAG_ONLY, IGNORED_FLAG_NAME_KEYS, NEWEST_KNOWN_VERSION, OPTIONS, REJECTED_STRUCT_KEYS, versionAtLeast} from '../../../src/registry/index.js'

const VERSION_FIELDS = new Set(['since', 'until', 'namedSince', 'added', 'removed', 'deprecated', 'ignoredSince'])

/** Every string the registry holds under a version field, wherever it is nested. */
function versions(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) versions(item, out)
  else if (typeof value === 'object' && value !== null) {
    for (const [key, child] of Object.entries(value)) {
      if (VERSION_FIELDS.has(key) && typeof child === 'string') out.push(child)
      else versions(child, out)
    }
  }
  return out
}

describe('the registry compares versions as three numbers', () => {
  const all = versions([OPTIONS, FLAG_ONLY, REJECTED_STRUCT_KEYS, IGNORED_FLAG_NAME_KEYS])

  it('holds only plain x.y.z versions, the only form it compares', () => {
    expect(all.length).toBeGreaterThan(50)
    for (const v of all) expect(v, v).toMatch(/^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/)
  })

  it('orders them as semver does, numerically rather than as text', () => {
    const sample = [...new Set([...all, NEWEST_KNOWN_VERSION, '9.0.0', '10.0.0', '29.10.0', '29.9.1', '100.0.0'])]
    for (const a of sample) for (const b of sample) expect(versionAtLeast(a, b), `${a} >= ${b}`).toBe(semver.gte(a, b))
  })

  it('normalises what dockerd prints before comparing', () => {
    expect(versionAtLeast('Docker version 23.0.6, build ef23cbc', '23.0.0')).toBe(true)
    expect(versionAtLeast('20.10.24+dfsg1', '23.0.0')).toBe(false)
  })
})
