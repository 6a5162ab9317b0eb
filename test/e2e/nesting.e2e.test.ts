/**
 * Issue 9 item 12 against the real thing: dockcfg refuses a daemon.json for nesting exactly where
 * the host's dockerd (docker.io 20.10.24, Go's encoding/json) does. dockerd is run on each file
 * with --config-file: it reads the file before anything else and exits on the error, so the
 * running docker.service is not touched. The deep value sits under an unknown key, so that a file
 * dockerd does decode is still refused ("directives don't match"): each file fails, and the
 * message says how far dockerd got.
 */
import {afterAll, describe, expect, it} from 'vitest'

import {bootHost, e2eGate, stopAllHosts, type TestHost} from './harness/testbed.js'
import {cli, describeRun} from './harness/docker-probes.js'

const gate = e2eGate()

describe.skipIf(!gate.ok)('nesting: dockcfg refuses where dockerd does (issue 9 item 12)', () => {
  afterAll(stopAllHosts)

  it('10,000 levels of arrays and objects decode, 10,001 are "exceeded max depth", for both', async () => {
    const h: TestHost = await bootHost()
    try {
      for (const [open, close, empty] of [
        ['[', ']', '[]'],
        ['{"k": ', '}', '{}'],
      ] as const) {
        for (const depth of [10_000, 10_001]) {
          const file = `/etc/docker/depth-${depth}-${empty === '[]' ? 'arrays' : 'objects'}.json`
          await h.writeFile(file, `{"zz": ${open.repeat(depth - 2)}${empty}${close.repeat(depth - 2)}}\n`)
          const dockerd = await h.exec(['timeout', '60', 'dockerd', '--config-file', file], {allowFail: true, timeoutMs: 90_000})
          expect(dockerd.exitCode, dockerd.stderr).not.toBe(0)
          const dockerdTooDeep = dockerd.stderr.includes('exceeded max depth')
          expect(dockerdTooDeep, dockerd.stderr).toBe(depth > 10_000)
          const validate = await cli(h, ['validate', '--file', file, '--json'])
          expect(validate.exitCode, describeRun(['validate', '--file', file], validate)).toBe(3)
          const codes = (JSON.parse(validate.stdout) as {findings: Array<{code: string}>}).findings.map((f) => f.code)
          expect(codes.includes('json-too-deep'), describeRun(['validate', '--file', file], validate)).toBe(dockerdTooDeep)
          if (!dockerdTooDeep) expect(codes).toContain('unknown-key')
        }
      }
    } finally {
      await h.stop()
    }
  })
})
