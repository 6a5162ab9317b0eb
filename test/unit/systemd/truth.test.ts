import {afterAll, describe, expect, it} from 'vitest'

import {resolveDockerService} from '../../../src/systemd/service.js'
import {loadTruthCases, makeTree, truthCaseFiles} from './helpers.js'

// Every case captured from real systemd 252 must match; none is skipped. Top-level await keeps the
// case list visible to vitest so each case is its own test.
const cases = await loadTruthCases()
const cleanups: Array<() => Promise<void>> = []
afterAll(async () => {
  await Promise.all(cleanups.map((c) => c()))
})

describe('systemd 252 ground truth: resolved ExecStart argv', () => {
  it('has all 93 captured cases', () => {
    expect(cases).toHaveLength(93)
  })

  for (const truth of cases) {
    it(truth.case, async () => {
      const tree = await makeTree(await truthCaseFiles(truth.case))
      cleanups.push(tree.cleanup)
      const resolved = await resolveDockerService(tree.fs)
      expect(resolved.argv).toEqual(truth.argv)
      if (truth.argv === null) {
        expect(resolved.errors.length).toBeGreaterThan(0)
        const journal = resolved.errors.flatMap((e) => e.journal ?? [])
        // systemd's own journal lines for the refusal must be among what we predict.
        for (const line of truth.systemd ?? []) expect(journal).toContain(line)
      } else {
        expect(resolved.errors).toEqual([])
        expect(resolved.argvOrigins?.map((o) => o.value)).toEqual(truth.argv)
      }
    })
  }
})
