import {describe, expect, it} from 'vitest'
import {verifyLive} from '../../../src/apply/verify.js'
import type {DockerApi} from '../../../src/system/docker-api.js'
import type {Attempt, SocketAddress} from '../../../src/system/network.js'

const api: DockerApi = {
  ping: async () => true,
  info: async () => ({}),
  version: async () => ({}),
  network: async () => undefined,
  runningContainers: async () => [],
  stopContainer: async () => undefined,
  startContainer: async () => undefined,
  daemonEvents: async () => [],
}

describe('verifyLive: hosts', () => {
  it('dials every listener where a client would (wildcards on loopback, sockets under the tree) and names those that do not answer', async () => {
    const dialled: string[] = []
    const answers: Record<string, Attempt<void>> = {
      '/tree/var/run/docker.sock': {ok: true, value: undefined},
      '/tree/run/docker.sock': {ok: true, value: undefined},
      '127.0.0.1:2376': {ok: false, timedOut: false, error: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:2376'), {code: 'ECONNREFUSED'})},
      '::1:2375': {ok: false, timedOut: true},
      '10.0.0.5:2376': {ok: true, value: undefined},
    }
    const connect = async (to: SocketAddress, timeoutMs: number): Promise<Attempt<void>> => {
      const key = 'path' in to ? to.path : `${to.host}:${to.port}`
      dialled.push(`${key} within ${timeoutMs} ms`)
      return answers[key] ?? {ok: false, timedOut: false, error: new Error(`unexpected dial ${key}`)}
    }
    const hosts = ['unix:///var/run/docker.sock', 'fd://', 'tcp://0.0.0.0:2376', '[::]:2375', 'tcp://10.0.0.5:2376']
    const [item] = await verifyLive(api, ['hosts'], {hosts}, {hosts, socketHostPath: (p) => `/tree${p}`, network: {connect}})
    expect(dialled.sort()).toEqual(['/tree/var/run/docker.sock', '/tree/run/docker.sock', '127.0.0.1:2376', '::1:2375', '10.0.0.5:2376'].map((k) => `${k} within 3000 ms`).sort())
    expect(item).toMatchObject({key: 'hosts', status: 'mismatch', detail: 'not answering: tcp://0.0.0.0:2376 (ECONNREFUSED), [::]:2375 (timeout)'})
  })

  it('verified when every listener answers', async () => {
    const hosts = ['unix:///var/run/docker.sock']
    const [item] = await verifyLive(api, ['hosts'], {hosts}, {hosts, socketHostPath: (p) => p, network: {connect: async () => ({ok: true, value: undefined})}})
    expect(item).toMatchObject({status: 'verified', detail: 'every listener answers'})
  })
})
