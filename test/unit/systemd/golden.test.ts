import * as path from 'node:path'

import {afterAll, describe, it} from 'vitest'

import {expectGolden} from '../../support/golden.js'

import {resolveDockerService} from '../../../src/systemd/service.js'
import {FIXTURES, fixtureNames, makeTree, truthCaseFiles} from './helpers.js'

// Golden records of the full resolution (argv with origins, environment, warnings, errors) for
// every corpus docker unit and drop-in, composed like the truth cases. Regenerate deliberately
// with UPDATE_GOLDEN=1 and review the diff: these pin the explanations the CLI will print.
const GOLDEN = path.join(FIXTURES, 'systemd-golden')

const cases = [
  // docker.socket and the other socket units are not service units: nothing to resolve.
  ...(await fixtureNames('units')).filter((n) => !n.endsWith('.socket')).map((n) => `unit--${n}`),
  ...(await fixtureNames('dropins')).map((n) => `dropin--${n}`),
]
const cleanups: Array<() => Promise<void>> = []
afterAll(async () => {
  await Promise.all(cleanups.map((c) => c()))
})

describe('golden resolutions of corpus units and drop-ins', () => {
  for (const name of cases) {
    it(name, async () => {
      const tree = await makeTree(await truthCaseFiles(name))
      cleanups.push(tree.cleanup)
      const r = await resolveDockerService(tree.fs)
      const record = {
        case: name,
        unitPath: r.unitPath ?? null,
        dropInPaths: r.dropInPaths,
        type: r.type,
        execStartPrefixes: r.execStartPrefixes,
        argv: r.argv,
        processArgv: r.processArgv,
        argvOrigins: r.argvOrigins,
        wrapper: r.wrapper ?? null,
        environment: r.environment,
        warnings: r.warnings,
        errors: r.errors,
      }
      await expectGolden(GOLDEN, name, record)
    })
  }
})
