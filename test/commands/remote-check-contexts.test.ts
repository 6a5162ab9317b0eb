import * as fsp from 'node:fs/promises'
import {tmpdir} from 'node:os'
import * as path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {type CertificateAuthority, createCa, issueServerCert} from '../../src/remote/certs.js'
import {contextPaths} from '../../src/remote/docker-context.js'
import type {RemoteCheckReport} from '../../src/remote/check-endpoints.js'
import {type TestServer, closedPort, startTlsDocker} from '../unit/remote/helpers.js'
import {runCli} from '../support/cli.js'

// Two loopback "dockerds" with --tlsverify, reached through docker contexts that remote
// client-cert --context stored: the whole client side of a fleet check, in one process.
let base: string
let ca: CertificateAuthority
let caDir: string
let one: TestServer
let two: TestServer
/** Nothing but the variables each test sets: no DOCKER_* of the machine running the tests. */
let env: Record<string, string>

beforeAll(async () => {
  base = await fsp.mkdtemp(path.join(tmpdir(), 'dockcfg-checkctx-'))
  ca = await createCa({commonName: 'check CA', now: new Date()})
  caDir = path.join(base, 'ca')
  await fsp.mkdir(caDir, {mode: 0o700})
  await fsp.writeFile(path.join(caDir, 'ca.pem'), ca.certPem)
  await fsp.writeFile(path.join(caDir, 'ca-key.pem'), ca.key.toPem(), {mode: 0o600})
  const server = await issueServerCert(ca, {hostnames: ['docker.test'], ips: [], now: new Date()})
  one = await startTlsDocker({cert: server.certPem, key: server.key.toPem(), ca: ca.certPem, requestCert: true})
  two = await startTlsDocker({cert: server.certPem, key: server.key.toPem(), ca: ca.certPem, requestCert: true})
  env = {DOCKER_CONFIG: path.join(base, 'cfg'), DOCKER_HOST: '', DOCKER_CONTEXT: '', DOCKER_TLS_VERIFY: '', DOCKER_CERT_PATH: '', DOCKER_TLS: ''}
  for (const [name, port] of [
    ['one', one.port],
    ['two', two.port],
  ] as const) {
    const res = await runCli(['remote', 'client-cert', '--ca', caDir, '--out', path.join(base, name), '--context', name, '--endpoint', `tcp://127.0.0.1:${port}`], {env})
    expect(res.exitCode, res.stderr).toBe(0)
  }
})

afterAll(async () => {
  await one?.close()
  await two?.close()
  await fsp.rm(base, {recursive: true, force: true})
})

describe('remote check with docker contexts and several endpoints', () => {
  it('--context a --context b: one row each, both ok, exit 0; --json has one result each with its context and TLS paths', async () => {
    const res = await runCli(['remote', 'check', '--context', 'one', '--context', 'two', '--timeout', '3'], {env})
    expect(res.exitCode, res.stderr).toBe(0)
    const lines = res.stdout.split('\n')
    expect(lines[0]).toMatch(/^ENDPOINT\s+CONTEXT\s+RESULT\s+DETAIL$/)
    expect(lines[1]).toMatch(new RegExp(`^tcp://127\\.0\\.0\\.1:${one.port}\\s+one\\s+ok\\s+Docker 20\\.10\\.24`))
    expect(lines[2]).toMatch(new RegExp(`^tcp://127\\.0\\.0\\.1:${two.port}\\s+two\\s+ok\\s+`))
    expect(res.stdout).toMatch(/2 of 2 endpoints passed/)

    const json = await runCli(['remote', 'check', '--context', 'one', '--context', 'two', '--timeout', '3', '--json'], {env})
    expect(json.exitCode).toBe(0)
    const report = json.json<RemoteCheckReport>()
    expect(report).toMatchObject({ok: true, source: 'argument'})
    expect(report.results.map((r) => [r.context, r.source, r.ok, r.client.verify])).toEqual([
      ['one', 'context', true, true],
      ['two', 'context', true, true],
    ])
    expect(report.results[0]?.client.key).toMatch(/contexts\/tls\/[0-9a-f]{64}\/docker\/key\.pem$/)
    expect(json.stdout).not.toMatch(/PRIVATE KEY/)
  })

  it('one endpoint down: its row fails, the other stays ok, exit 6, its steps shown below the table', async () => {
    const dead = await closedPort()
    const res = await runCli(['remote', 'check', '--context', 'one', `tcp://127.0.0.1:${dead}`, '--cert-dir', path.join(base, 'one'), '--timeout', '3'], {env})
    expect(res.exitCode).toBe(6)
    expect(res.stdout).toMatch(new RegExp(`^tcp://127\\.0\\.0\\.1:${dead}\\s+-\\s+FAIL\\s+`, 'm'))
    expect(res.stdout).toMatch(new RegExp(`^tcp://127\\.0\\.0\\.1:${one.port}\\s+one\\s+ok`, 'm'))
    expect(res.stdout).toMatch(/1 of 2 endpoints passed/)
    expect(res.stdout).toMatch(new RegExp(`tcp://127\\.0\\.0\\.1:${dead}: FAILED`))
    const json = await runCli(['remote', 'check', '--context', 'one', `tcp://127.0.0.1:${dead}`, '--cert-dir', path.join(base, 'one'), '--timeout', '3', '--json'], {env})
    expect(json.exitCode).toBe(6)
    const report = json.json<RemoteCheckReport>()
    expect(report.ok).toBe(false)
    expect(report.results.map((r) => [r.source, r.ok])).toEqual([
      ['argument', false],
      ['context', true],
    ])
  })

  it('follows the docker CLI without names: DOCKER_HOST over DOCKER_CONTEXT over config.json currentContext', async () => {
    await fsp.writeFile(path.join(env.DOCKER_CONFIG as string, 'config.json'), JSON.stringify({currentContext: 'two'}))
    try {
      const current = await runCli(['remote', 'check', '--json', '--timeout', '3'], {env})
      expect(current.exitCode, current.stderr).toBe(0)
      expect(current.json<RemoteCheckReport>()).toMatchObject({source: 'currentContext', results: [{context: 'two', ok: true}]})

      const fromEnv = await runCli(['remote', 'check', '--json', '--timeout', '3'], {env: {...env, DOCKER_CONTEXT: 'one'}})
      expect(fromEnv.json<RemoteCheckReport>()).toMatchObject({source: 'DOCKER_CONTEXT', results: [{context: 'one', ok: true}]})

      const dead = await closedPort()
      const host = await runCli(['remote', 'check', '--json', '--timeout', '3'], {env: {...env, DOCKER_CONTEXT: 'one', DOCKER_HOST: `tcp://127.0.0.1:${dead}`}})
      expect(host.exitCode).toBe(6)
      expect(host.json<RemoteCheckReport>()).toMatchObject({source: 'DOCKER_HOST', results: [{endpoint: `tcp://127.0.0.1:${dead}`}]})
      expect(host.json<RemoteCheckReport>().results[0]).not.toHaveProperty('context')
    } finally {
      await fsp.rm(path.join(env.DOCKER_CONFIG as string, 'config.json'))
    }
  })

  it('an unknown or hostile context name is exit 2, nothing probed', async () => {
    for (const name of ['nope', '../one', 'a\nb']) {
      const res = await runCli(['remote', 'check', '--context', name, '--context', 'one'], {env})
      expect(res.exitCode, name).toBe(2)
      expect(res.stdout).toBe('')
    }
    const fromEnv = await runCli(['remote', 'check'], {env: {...env, DOCKER_CONTEXT: 'nope'}})
    expect(fromEnv.exitCode).toBe(2)
  })

  it('a context whose host is not tcp:// (the local socket, ssh) is exit 2 naming the context; SkipTLSVerify checks without a CA', async () => {
    const config = env.DOCKER_CONFIG as string
    const unix = contextPaths(config, 'local-sock')
    await fsp.mkdir(unix.metaDir, {recursive: true})
    await fsp.writeFile(unix.metaFile, '{"Name":"local-sock","Metadata":{},"Endpoints":{"docker":{"Host":"unix:///var/run/docker.sock","SkipTLSVerify":false}}}')
    const res = await runCli(['remote', 'check', '--context', 'local-sock'], {env})
    expect(res.exitCode).toBe(2)
    expect(res.stderr).toMatch(/docker context local-sock: only tcp:\/\/ endpoints/)

    const skip = contextPaths(config, 'skip')
    await fsp.mkdir(skip.metaDir, {recursive: true})
    await fsp.writeFile(skip.metaFile, `{"Name":"skip","Metadata":{},"Endpoints":{"docker":{"Host":"tcp://127.0.0.1:${one.port}","SkipTLSVerify":true}}}`)
    const json = await runCli(['remote', 'check', '--context', 'skip', '--json', '--timeout', '3'], {env})
    // No client certificate in that context: the server demands one, so the check fails, over TLS without verification.
    expect(json.exitCode).toBe(6)
    const result = json.json<RemoteCheckReport>().results[0]
    expect(result).toMatchObject({context: 'skip', client: {tls: true, verify: false}, clientCertificate: {required: true}})
  })
})
