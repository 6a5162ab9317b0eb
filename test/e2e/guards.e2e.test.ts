/**
 * Issue 9 items 17 to 21 on real hosts (docker.io 20.10.24): changes that used to be applied, or
 * refused, wrongly. Each scenario gets a fresh host; assertions look at the real effect with the
 * host's own tools (docker, curl on the API socket, systemctl), never at what dockcfg says it did.
 */
import {afterAll, describe, it} from 'vitest'
import {bootHost, e2eGate, stopAllHosts, type TestHost} from './harness/testbed.js'
import {bridgeNetwork, cli, containerView, DAEMON_JSON, describeRun, dockerState, snapshotFiles} from './harness/docker-probes.js'

const gate = e2eGate()

/** Boots a fresh host for one scenario, waits for dockerd, and always powers it off. */
async function onFreshHost(body: (h: TestHost) => Promise<void>): Promise<void> {
  const h = await bootHost()
  try {
    await h.waitDockerActive()
    await body(h)
  } finally {
    await h.sh('docker rm -f $(docker ps -aq) >/dev/null 2>&1; true', {allowFail: true, timeoutMs: 30_000}).catch(() => undefined)
    await h.stop()
  }
}

describe.skipIf(!gate.ok)('changes applied or refused wrongly (issue 9 items 17-21)', () => {
  afterAll(stopAllHosts)

  describe.concurrent('scenarios', () => {
    it('17. set mtu 99999 is refused before anything is written; set mtu 9000 still works', async ({expect}) => {
      await onFreshHost(async (h) => {
        const before = await snapshotFiles(h, [DAEMON_JSON])
        const state = await dockerState(h)
        const args = ['set', 'mtu', '99999', '--yes']
        const refused = await cli(h, args)
        expect(refused.exitCode, describeRun(args, refused)).toBe(3)
        expect(refused.output).toContain('"mtu" 99999 is outside 68..65535')
        expect(await snapshotFiles(h, [DAEMON_JSON])).toEqual(before)
        expect((await dockerState(h)).invocation).toBe(state.invocation)

        const jumbo = await cli(h, ['set', 'mtu', '9000', '--yes'])
        expect(jumbo.exitCode, describeRun(['set', 'mtu', '9000', '--yes'], jumbo)).toBe(0)
        expect((await bridgeNetwork(h)).mtu).toBe('9000')
        const c = await containerView(h)
        expect(c.eth0Mtu, c.raw).toBe(9000)
      })
    })
  })
})
