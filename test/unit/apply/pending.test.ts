import {describe, expect, it} from 'vitest'

import {isAbandoned, type PendingApply} from '../../../src/apply/pending.js'
import {createSystem, type System} from '../../../src/system/index.js'

const record: PendingApply = {backupId: 'B1', command: 'dockcfg set mtu 1400', pid: 4242, startedAt: 'then', timerUnit: 'dockcfg-rollback-b1', timerSeconds: 75}

/** A system whose host seam says which pids are alive and which one this run has. */
function withHost(pid: number, alive: readonly number[]): System {
  const base = createSystem({root: '/nonexistent'})
  return {...base, host: {...base.host, pid, isAlive: (p) => alive.includes(p)}}
}

describe('an apply that died half-way (the pending record)', () => {
  it('is abandoned when the host seam says its process is gone, not while it lives', () => {
    expect(isAbandoned(withHost(1, []), record)).toBe(true)
    expect(isAbandoned(withHost(1, [4242]), record)).toBe(false)
  })

  it('is abandoned when its pid is this run: a dead run whose pid was reused, since this run has written no record', () => {
    expect(isAbandoned(withHost(4242, [4242]), record)).toBe(true)
  })
})
