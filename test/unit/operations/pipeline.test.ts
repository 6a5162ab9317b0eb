import {afterEach, describe, expect, it} from 'vitest'

import type {ApplyOptions, Inspector, TreeView} from '../../../src/apply/plan.js'
import {acquireLock} from '../../../src/backup/lock.js'
import {type ChangePlan, type PipelineRequest, runChange} from '../../../src/operations/pipeline.js'
import {CONFIG, type FakeHost, inspector, type Rig, rig, seedConfig} from '../apply/fakes.js'

const hosts: FakeHost[] = []
afterEach(() => {
  for (const h of hosts.splice(0)) h.cleanup()
})

function newRig(): Rig {
  const r = rig({services: [], servicesAllowed: []})
  hosts.push(r.host)
  return r
}

const options = (o: Partial<ApplyOptions> = {}): ApplyOptions => ({dryRun: false, noRestart: true, yes: false, keepContainers: false, timeoutMs: 30_000, ...o})

/** The rig's inspector, counting the trees it is asked about. */
function counting(): {inspect: Inspector; seen: string[]} {
  const seen: string[] = []
  return {
    seen,
    inspect: async (fs) => {
      const view = await inspector(fs)
      seen.push(view.configText)
      return view
    },
  }
}

function request(inspect: Inspector, apply: ApplyOptions): PipelineRequest<TreeView> {
  return {command: 'dockcfg test', dockerdVersion: '24.0.7', inspector: () => inspect, apply}
}

async function run(r: Rig, inspect: Inspector, apply: ApplyOptions, plan: (current: TreeView) => ChangePlan) {
  return runChange(r.system, request(inspect, apply), {plan: async ({current}) => plan(current), result: (applied) => applied})
}

describe('the pipeline', () => {
  it('inspects the tree as it is once, and as it will be once; not at all again when the planner already did', async () => {
    const r = newRig()
    await seedConfig(r, '{}\n')
    const {inspect, seen} = counting()
    const change = (current: TreeView): ChangePlan => ({
      changes: [{path: CONFIG, before: current.configText, after: '{"mtu": 1400}\n'}],
      changedKeys: ['mtu'],
      activation: 'restart',
    })
    expect(await run(r, inspect, options(), change)).toMatchObject({action: 'written'})
    expect(seen).toEqual(['{}\n', '{"mtu": 1400}\n'])

    seen.length = 0
    const planned = {...(await inspector(r.system.fs)), configText: '{"mtu": 1500}\n'}
    await run(r, inspect, options(), (current) => ({
      changes: [{path: CONFIG, before: current.configText, after: '{"mtu": 1500}\n'}],
      changedKeys: ['mtu'],
      activation: 'restart',
      planned,
    }))
    expect(seen).toEqual(['{"mtu": 1400}\n'])
  })

  it('a change that changes nothing is not inspected as planned', async () => {
    const r = newRig()
    await seedConfig(r, '{}\n')
    const {inspect, seen} = counting()
    const result = await run(r, inspect, options(), (current) => ({
      changes: [{path: CONFIG, before: current.configText, after: current.configText}],
      changedKeys: [],
      activation: 'none',
    }))
    expect(result).toMatchObject({changed: false, action: 'none'})
    expect(seen).toEqual(['{}\n'])
  })

  it('refuses an error the change brings (exit 3, nothing written) and releases the lock', async () => {
    const r = newRig()
    await seedConfig(r, '{}\n')
    const judging: Inspector = async (fs) => {
      const view = await inspector(fs)
      return {...view, errors: /"mtu": -5/.test(view.configText) ? [{code: 'mtu-out-of-range', severity: 'error' as const, message: '"mtu" -5 is negative', file: CONFIG}] : []}
    }
    const error = await run(r, judging, options(), (current) => ({
      changes: [{path: CONFIG, before: current.configText, after: '{"mtu": -5}\n'}],
      changedKeys: ['mtu'],
      activation: 'restart',
    })).catch((e: unknown) => e)
    expect(error).toMatchObject({exitCode: 3, message: `dockerd would refuse the result; nothing was written:\n  ${CONFIG}: "mtu" -5 is negative`})
    expect(await r.host.fs.readText(CONFIG)).toBe('{}\n')
    await (await acquireLock(r.system, 'next', {timeoutMs: 300})).release()
  })

  it('a dry run takes no lock: it plans while another run holds it', async () => {
    const r = newRig()
    await seedConfig(r, '{}\n')
    const other = await acquireLock(r.system, 'another run')
    try {
      const result = await run(r, inspector, options({dryRun: true}), (current) => ({
        changes: [{path: CONFIG, before: current.configText, after: '{"debug": true}\n'}],
        changedKeys: ['debug'],
        activation: 'reload',
      }))
      expect(result).toMatchObject({dryRun: true, changed: true, action: 'none'})
      expect(await r.host.fs.readText(CONFIG)).toBe('{}\n')
    } finally {
      await other.release()
    }
  })
})
