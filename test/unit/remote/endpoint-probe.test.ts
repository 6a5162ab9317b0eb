import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {type CertificateAuthority, type KeyedCertificate, createCa, issueClientCert, issueServerCert} from '../../../src/remote/certs.js'
import {renderCheckTable} from '../../../src/output/remote-check.js'
import {checkEndpoint, probeEndpoint} from '../../../src/remote/endpoint-probe.js'
import type {CheckResult} from '../../../src/remote/endpoint-verdict.js'
import {systemClock} from '../../../src/system/clock.js'
import {type Attempt, type HttpRequest, type HttpResponse, type Network, type TlsClient, type TlsSession, hostNetwork} from '../../../src/system/network.js'
import {DOCKER_VERSION, type TestServer, closedPort, startPlainDocker, startSilentListener, startTlsDocker} from './helpers.js'

const DAY = 86_400_000
const TIMEOUT = 2000
const loopback = async (): Promise<Array<{address: string; family: number}>> => [{address: '127.0.0.1', family: 4}]
const real: {network: Network; clock: typeof systemClock} = {network: hostNetwork, clock: systemClock}
const at = (now: Date): typeof real => ({network: hostNetwork, clock: {...systemClock, now: () => now}})
const resolving = (lookup: Network['lookup']): typeof real => ({network: {...hostNetwork, lookup}, clock: systemClock})

let ca: CertificateAuthority
let serverCert: KeyedCertificate
let client: KeyedCertificate
const servers: TestServer[] = []

async function track(s: Promise<TestServer>): Promise<TestServer> {
  const server = await s
  servers.push(server)
  return server
}

beforeAll(async () => {
  ca = await createCa({now: new Date(), commonName: 'check CA'})
  serverCert = await issueServerCert(ca, {now: new Date(), hostnames: ['docker.test'], ips: []})
  client = await issueClientCert(ca, {now: new Date(), commonName: 'client'})
})

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()))
})

const codes = (r: CheckResult): string[] => r.findings.map((f) => f.code)

describe.each([['TLSv1.3' as const], ['TLSv1.2' as const]])('secure dockerd (--tlsverify) over %s', (maxVersion) => {
  let server: TestServer
  beforeAll(async () => {
    server = await track(startTlsDocker({cert: serverCert.certPem, key: serverCert.key.toPem(), ca: ca.certPem, requestCert: true, maxVersion}))
  })

  it('is ok: verified chain, name covered, client certificate demanded, ping and version answered', async () => {
    const r = await checkEndpoint(real, {
      endpoint: `tcp://127.0.0.1:${server.port}`,
      tls: {ca: ca.certPem, cert: client.certPem, key: client.key.toPem(), verify: true},
      timeoutMs: TIMEOUT,
    })
    expect(r.findings).toEqual([])
    expect(r).toMatchObject({ok: true, verdict: 'ok', transport: 'tls', host: '127.0.0.1', port: server.port})
    expect(r.resolve).toMatchObject({ok: true, addresses: ['127.0.0.1']})
    expect(r.connect).toMatchObject({ok: true, address: '127.0.0.1'})
    expect(r.tls).toMatchObject({ok: true, protocol: maxVersion, chainVerified: true, nameMatches: true})
    expect(r.tls?.cipher).toBeTruthy()
    expect(r.tls?.certificate?.fingerprintSha256).toBe(serverCert.info.fingerprintSha256)
    expect(r.clientCertificate?.required).toBe(true)
    expect(r.ping).toMatchObject({transport: 'https', ok: true, status: 200, body: 'OK', apiVersion: '1.41', experimental: 'false', server: 'Docker/20.10.24+dfsg1 (linux)'})
    expect(r.version).toMatchObject({ok: true, version: DOCKER_VERSION.Version, apiVersion: '1.41', minApiVersion: '1.12', os: 'linux', arch: 'amd64'})
    expect(r.latencyMs).toBeGreaterThanOrEqual(0)
  })

  it('dialled by DNS name (SNI) through an injected resolver', async () => {
    const r = await checkEndpoint(resolving(loopback), {
      endpoint: `tcp://docker.test:${server.port}`,
      tls: {ca: ca.certPem, cert: client.certPem, key: client.key.toPem(), verify: true},
      timeoutMs: TIMEOUT,
    })
    expect(r.verdict).toBe('ok')
    expect(r.tls?.nameMatches).toBe(true)
  })

  it('SAN mismatch: error with the exact --san fix', async () => {
    const r = await checkEndpoint(resolving(loopback), {
      endpoint: `tcp://docker1.example.org:${server.port}`,
      tls: {ca: ca.certPem, cert: client.certPem, key: client.key.toPem(), verify: true},
      timeoutMs: TIMEOUT,
    })
    expect(r.ok).toBe(false)
    expect(r.verdict).toBe('error')
    expect(r.tls?.nameMatches).toBe(false)
    const finding = r.findings.find((f) => f.code === 'san-mismatch')
    expect(finding?.message).toContain('"docker1.example.org"')
    expect(finding?.message).toContain('DNS:docker.test, DNS:localhost, IP:127.0.0.1')
    expect(finding?.fix).toBe('add --san docker1.example.org: dockcfg remote enable --san docker1.example.org')
    // The API itself still answered: the mismatch is what a real client would trip over.
    expect(r.ping?.ok).toBe(true)
  })

  it('SAN mismatch without --tlsverify (encrypt-only client) is a warning', async () => {
    const r = await checkEndpoint(resolving(loopback), {
      endpoint: `tcp://docker1.example.org:${server.port}`,
      tls: {ca: ca.certPem, cert: client.certPem, key: client.key.toPem(), verify: false},
      timeoutMs: TIMEOUT,
    })
    expect(r.findings).toEqual([expect.objectContaining({code: 'san-mismatch', severity: 'warning'})])
    expect(r.ok).toBe(true)
  })

  it('untrusted chain when the client trusts another CA', async () => {
    const other = await createCa({now: new Date(), commonName: 'unrelated CA'})
    const r = await checkEndpoint(real, {
      endpoint: `tcp://127.0.0.1:${server.port}`,
      tls: {ca: other.certPem, cert: client.certPem, key: client.key.toPem(), verify: true},
      timeoutMs: TIMEOUT,
    })
    expect(r.verdict).toBe('error')
    expect(r.tls?.chainVerified).toBe(false)
    expect(r.tls?.chainError).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN/)
    expect(codes(r)).toContain('untrusted-chain')
  })

  it('no client certificate given: the server demands one (good) but the API cannot be queried', async () => {
    const r = await checkEndpoint(real, {endpoint: `tcp://127.0.0.1:${server.port}`, tls: {ca: ca.certPem, verify: true}, timeoutMs: TIMEOUT})
    expect(r.clientCertificate?.required).toBe(true)
    expect(codes(r)).toEqual(['no-client-cert'])
    expect(r.verdict).toBe('error')
  })

  it('no TLS material at all: chain unverifiable (warning, not verifying), client cert demanded, API not queried', async () => {
    const r = await checkEndpoint(real, {endpoint: `tcp://127.0.0.1:${server.port}`, timeoutMs: TIMEOUT})
    expect(r.transport).toBe('tls')
    expect(r.clientCertificate?.required).toBe(true)
    expect(r.clientCertificate?.detail).not.toMatch(/deps\/openssl|\n/)
    // Under TLS 1.2 the refusal comes inside the handshake, before the server certificate can be judged.
    expect(r.findings.map((f) => [f.code, f.severity])).toEqual([...(maxVersion === 'TLSv1.3' ? [['untrusted-chain', 'warning']] : []), ['no-client-cert', 'error']])
  })

  it('client certificate from another CA is rejected', async () => {
    const other = await createCa({now: new Date(), commonName: 'rogue CA'})
    const rogue = await issueClientCert(other, {now: new Date(), commonName: 'mallory'})
    const r = await checkEndpoint(real, {
      endpoint: `tcp://127.0.0.1:${server.port}`,
      tls: {ca: ca.certPem, cert: rogue.certPem, key: rogue.key.toPem(), verify: true},
      timeoutMs: TIMEOUT,
    })
    expect(r.verdict).toBe('error')
    expect(r.clientCertificate?.required).toBe(true)
    expect(codes(r)).toContain('tls-rejected')
  })
})

describe('insecure endpoints', () => {
  it('TLS without client verification (--tls only) is CRITICAL', async () => {
    const server = await track(startTlsDocker({cert: serverCert.certPem, key: serverCert.key.toPem(), ca: ca.certPem, requestCert: false}))
    const r = await checkEndpoint(real, {
      endpoint: `tcp://127.0.0.1:${server.port}`,
      tls: {ca: ca.certPem, cert: client.certPem, key: client.key.toPem(), verify: true},
      timeoutMs: TIMEOUT,
    })
    expect(r.verdict).toBe('CRITICAL')
    expect(r.ok).toBe(false)
    expect(r.clientCertificate?.required).toBe(false)
    const f = r.findings.find((x) => x.code === 'no-client-auth')
    expect(f?.severity).toBe('CRITICAL')
    expect(f?.fix).toMatch(/tlsverify.*dockcfg remote enable/)
  })

  it('plain HTTP on the port is CRITICAL plaintext, detected after the failed TLS handshake', async () => {
    const server = await track(startPlainDocker())
    const r = await checkEndpoint(real, {
      endpoint: `tcp://127.0.0.1:${server.port}`,
      tls: {ca: ca.certPem, cert: client.certPem, key: client.key.toPem(), verify: true},
      timeoutMs: TIMEOUT,
    })
    expect(r.verdict).toBe('CRITICAL')
    expect(r.transport).toBe('plaintext')
    expect(r.tls?.ok).toBe(false)
    expect(r.ping).toMatchObject({transport: 'http', ok: true, apiVersion: '1.41'})
    expect(r.version?.version).toBe(DOCKER_VERSION.Version)
    expect(codes(r)).toEqual(['plaintext-api'])
  })

  it('plain HTTP is CRITICAL also when the caller gave no TLS material at all', async () => {
    const server = await track(startPlainDocker())
    const r = await checkEndpoint(real, {endpoint: `127.0.0.1:${server.port}`, timeoutMs: TIMEOUT})
    expect(r.verdict).toBe('CRITICAL')
    expect(r.transport).toBe('plaintext')
  })
})

describe('expiry', () => {
  it('a server certificate expiring in 10 days is a warning, still ok', async () => {
    // Half a second past a whole second: certificates keep whole seconds, so notAfter lands just
    // under 10 days ahead (9 whole days) every time, not only when the clock's milliseconds aren't 0.
    const now = new Date(Math.floor(Date.now() / 1000) * 1000 + 500)
    const soon = await issueServerCert(ca, {hostnames: [], ips: [], now: new Date(now.getTime() - 815 * DAY)})
    const server = await track(startTlsDocker({cert: soon.certPem, key: soon.key.toPem(), ca: ca.certPem, requestCert: true}))
    const r = await checkEndpoint(at(now), {
      endpoint: `tcp://127.0.0.1:${server.port}`,
      tls: {ca: ca.certPem, cert: client.certPem, key: client.key.toPem(), verify: true},
      timeoutMs: TIMEOUT,
    })
    expect(r.tls?.certificate?.daysUntilExpiry).toBe(9)
    expect(r.findings).toEqual([expect.objectContaining({code: 'cert-expiring', severity: 'warning'})])
    expect(r.verdict).toBe('warning')
    expect(r.ok).toBe(true)
  })

  it('an injected future now makes it an error once expired', async () => {
    const server = await track(startTlsDocker({cert: serverCert.certPem, key: serverCert.key.toPem(), ca: ca.certPem, requestCert: true}))
    const future = new Date(Date.parse(serverCert.info.notAfter) + DAY)
    const r = await checkEndpoint(at(future), {
      endpoint: `tcp://127.0.0.1:${server.port}`,
      tls: {ca: ca.certPem, cert: client.certPem, key: client.key.toPem(), verify: true},
      timeoutMs: TIMEOUT,
    })
    expect(codes(r)).toContain('cert-expired')
    expect(r.verdict).toBe('error')
  })
})

describe('certificate properties', () => {
  it('a server certificate without serverAuth EKU (a client cert put in its place) is an error', async () => {
    const wrong = await issueClientCert(ca, {now: new Date(), commonName: 'not-a-server'})
    const server = await track(startTlsDocker({cert: wrong.certPem, key: wrong.key.toPem(), ca: ca.certPem, requestCert: true}))
    const r = await checkEndpoint(real, {
      endpoint: `tcp://127.0.0.1:${server.port}`,
      tls: {ca: ca.certPem, cert: client.certPem, key: client.key.toPem(), verify: true},
      timeoutMs: TIMEOUT,
    })
    expect(codes(r)).toEqual(expect.arrayContaining(['server-eku', 'san-mismatch']))
    expect(r.findings.find((f) => f.code === 'san-mismatch')?.message).toContain('no SANs')
    expect(r.verdict).toBe('error')
  })

  it('a CA close to expiry is a warning of its own', async () => {
    const shortCa = await createCa({now: new Date(), commonName: 'short-lived CA', validityDays: 20})
    const leaf = await issueServerCert(shortCa, {now: new Date(), hostnames: [], ips: []})
    const c = await issueClientCert(shortCa, {now: new Date(), commonName: 'c'})
    const server = await track(startTlsDocker({cert: leaf.certPem, key: leaf.key.toPem(), ca: shortCa.certPem, requestCert: true}))
    const r = await checkEndpoint(real, {
      endpoint: `tcp://127.0.0.1:${server.port}`,
      tls: {ca: shortCa.certPem, cert: c.certPem, key: c.key.toPem(), verify: true},
      timeoutMs: TIMEOUT,
    })
    expect(codes(r)).toEqual(['cert-expiring', 'ca-expiring'])
    expect(r.verdict).toBe('warning')
  })
})

describe('unreachable and hung endpoints stay within the timeout', () => {
  it('closed port: refused, quickly', async () => {
    const port = await closedPort()
    const r = await checkEndpoint(real, {endpoint: `tcp://127.0.0.1:${port}`, timeoutMs: 1000})
    expect(r.connect).toMatchObject({ok: false, error: {kind: 'refused'}})
    expect(codes(r)).toEqual(['unreachable'])
    expect(r.findings[0]?.fix).toMatch(/nothing listens/)
    expect(r.totalMs).toBeLessThan(1000)
  })

  it('a listener that accepts TCP but never speaks: TLS timeout within the bound', async () => {
    const server = await track(startSilentListener())
    const t0 = Date.now()
    const r = await checkEndpoint(real, {
      endpoint: `tcp://127.0.0.1:${server.port}`,
      tls: {ca: ca.certPem, cert: client.certPem, key: client.key.toPem(), verify: true},
      timeoutMs: 500,
    })
    const wall = Date.now() - t0
    expect(r.connect?.ok).toBe(true)
    expect(r.tls?.error?.kind).toBe('timeout')
    expect(codes(r)).toEqual(['tls-timeout'])
    expect(wall).toBeGreaterThanOrEqual(450)
    expect(wall).toBeLessThan(1500)
  })

  it('a resolver that never answers is cut off at the timeout', async () => {
    const t0 = Date.now()
    const r = await checkEndpoint(
      resolving(() => new Promise(() => undefined)),
      {endpoint: 'tcp://hang.test:2376', timeoutMs: 300},
    )
    expect(Date.now() - t0).toBeLessThan(1000)
    expect(r.resolve.error?.kind).toBe('timeout')
    expect(codes(r)).toEqual(['unresolvable'])
  })

  it('a name that does not resolve', async () => {
    const notFound = Object.assign(new Error('getaddrinfo ENOTFOUND nope.test'), {code: 'ENOTFOUND'})
    const r = await checkEndpoint(
      resolving(() => Promise.reject(notFound)),
      {endpoint: 'tcp://nope.test:2376', timeoutMs: 300},
    )
    expect(r.resolve.error?.kind).toBe('not-found')
    expect(r.verdict).toBe('error')
  })

  it("tries the next address when the first refuses (like Go's dialer)", async () => {
    const server = await track(startTlsDocker({cert: serverCert.certPem, key: serverCert.key.toPem(), ca: ca.certPem, requestCert: true}))
    const dead = await closedPort()
    expect(dead).not.toBe(server.port)
    // ::1 is not listened on by the test server: refused, then 127.0.0.1 answers.
    const r = await checkEndpoint(
      {
        network: {
          ...hostNetwork,
          lookup: async () => [
            {address: '::1', family: 6},
            {address: '127.0.0.1', family: 4},
          ],
        },
        clock: systemClock,
      },
      {
        endpoint: `tcp://docker.test:${server.port}`,
        tls: {ca: ca.certPem, cert: client.certPem, key: client.key.toPem(), verify: true},
        timeoutMs: TIMEOUT,
      },
    )
    expect(r.resolve.addresses).toEqual(['::1', '127.0.0.1'])
    expect(r.connect?.address).toBe('127.0.0.1')
    expect(r.verdict).toBe('ok')
  })
})

describe('renderCheckTable', () => {
  it('renders steps and findings with fixes for a SAN mismatch', async () => {
    const server = await track(startTlsDocker({cert: serverCert.certPem, key: serverCert.key.toPem(), ca: ca.certPem, requestCert: true}))
    const r = await checkEndpoint(resolving(loopback), {
      endpoint: `tcp://wrong.test:${server.port}`,
      tls: {ca: ca.certPem, cert: client.certPem, key: client.key.toPem(), verify: true},
      timeoutMs: TIMEOUT,
    })
    const text = renderCheckTable(r)
    expect(text).toMatch(new RegExp(`^tcp://wrong.test:${server.port}: FAILED\n`))
    expect(text).toMatch(/^STEP +RESULT +DETAIL$/m)
    expect(text).toMatch(/^name in certificate +FAIL +wrong.test NOT covered; SANs: docker.test, localhost, 127.0.0.1$/m)
    expect(text).toMatch(/^client cert demanded +ok/m)
    expect(text).toMatch(/^GET \/_ping +ok +HTTP 200 "OK" over https, Api-Version 1.41/m)
    expect(text).toMatch(/^GET \/version +ok +Docker 20.10.24\+dfsg1, API 1.41 \(min 1.12\), linux\/amd64$/m)
    expect(text).toContain('ERROR    the server certificate does not cover "wrong.test"')
    expect(text).toContain('         fix: add --san wrong.test: dockcfg remote enable --san wrong.test')
    expect(text).not.toMatch(/PRIVATE/)
  })

  it('renders CRITICAL plaintext with its verdict line', async () => {
    const server = await track(startPlainDocker())
    const text = renderCheckTable(await checkEndpoint(real, {endpoint: `tcp://127.0.0.1:${server.port}`, timeoutMs: TIMEOUT}))
    expect(text.split('\n')[0]).toBe(`tcp://127.0.0.1:${server.port}: CRITICAL — the Docker API is open without client authentication`)
    expect(text).toMatch(/^tls handshake +NONE +port speaks plain HTTP$/m)
    expect(text).toMatch(/^GET \/_ping +ok +HTTP 200 "OK" over http/m)
    expect(text).toContain('CRITICAL the Docker API answers plain HTTP')
  })

  it('renders an unreachable endpoint without later steps', async () => {
    const port = await closedPort()
    const text = renderCheckTable(await checkEndpoint(real, {endpoint: `tcp://127.0.0.1:${port}`, timeoutMs: 500}))
    expect(text).toMatch(/^tcp connect +FAIL +refused: /m)
    expect(text).not.toMatch(/tls handshake/)
  })
})

describe('probeEndpoint: which step follows which (a scripted network, no sockets)', () => {
  type Script = {handshake: Attempt<TlsSession>; http: (request: HttpRequest) => Attempt<HttpResponse>}
  const DOCKER = {'api-version': '1.41'}
  const answer = (status: number, body: string, headers: Record<string, string> = DOCKER): Attempt<HttpResponse> => ({ok: true, value: {status, headers, body}})
  const error = (message: string, code: string): Attempt<never> => ({ok: false, timedOut: false, error: Object.assign(new Error(message), {code})})
  const SESSION: Attempt<TlsSession> = {ok: true, value: {protocol: 'TLSv1.3', cipher: 'x', authorized: true}}
  const MTLS = {ca: 'CA', cert: 'CERT', key: 'KEY', verify: true}

  function scripted(script: Script): {network: Network; calls: string[]} {
    const calls: string[] = []
    const describeTls = (tls: TlsClient | undefined): string => (tls === undefined ? 'plain' : `tls sni=${tls.servername ?? '-'}${tls.ca ? ' ca' : ''}${tls.cert ? ' cert' : ''}`)
    const network: Network = {
      lookup: async (name) => (calls.push(`lookup ${name}`), [{address: '10.0.0.5', family: 4}]),
      connect: async (to) => (calls.push(`connect ${JSON.stringify(to)}`), {ok: true, value: undefined}),
      tlsHandshake: async (to, tls) => (calls.push(`handshake ${to.host}:${to.port} ${describeTls(tls)}`), script.handshake),
      httpGet: async (request) => (calls.push(`GET ${request.path} ${describeTls(request.tls)} Host=${request.headers.Host}`), script.http(request)),
      hostname: () => 'unused',
      interfaceAddresses: () => [],
    }
    return {network, calls}
  }

  it('a secure endpoint: without a certificate, then as the client, then /version', async () => {
    const {network, calls} = scripted({
      handshake: SESSION,
      http: (r) => (r.tls?.cert === undefined ? error('alert', 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED') : answer(200, 'OK')),
    })
    await probeEndpoint(network, {endpoint: 'tcp://docker.test:2376', tls: MTLS, timeoutMs: 1000})
    expect(calls).toEqual([
      'lookup docker.test',
      'connect {"host":"10.0.0.5","port":2376}',
      'handshake 10.0.0.5:2376 tls sni=docker.test ca cert',
      'GET /_ping tls sni=docker.test ca Host=docker.test:2376',
      'GET /_ping tls sni=docker.test ca cert Host=docker.test:2376',
      'GET /version tls sni=docker.test ca cert Host=docker.test:2376',
    ])
  })

  it('no SNI for an address, brackets in Host for IPv6, no lookup; no /version when the ping is not OK', async () => {
    const {network, calls} = scripted({handshake: SESSION, http: () => answer(500, 'no')})
    await probeEndpoint(network, {endpoint: 'tcp://[fd00::5]:2376', timeoutMs: 1000})
    expect(calls).toEqual(['connect {"host":"fd00::5","port":2376}', 'handshake fd00::5:2376 tls sni=-', 'GET /_ping tls sni=- Host=[fd00::5]:2376'])
  })

  it.each([
    ['a handshake that times out', {ok: false, timedOut: true} as const, 'timeout'],
    ['a certificate alert in the handshake', error('SSL routines::tlsv1 alert unknown ca', 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA'), 'tls-alert'],
  ])('%s: nothing more is asked', async (_, handshake, kind) => {
    const {network, calls} = scripted({handshake, http: () => answer(200, 'OK')})
    const probe = await probeEndpoint(network, {endpoint: 'tcp://10.0.0.5:2376', tls: MTLS, timeoutMs: 1000})
    expect(calls.filter((c) => c.startsWith('GET'))).toEqual([])
    expect(probe.handshake?.error?.kind).toBe(kind)
  })

  it('another handshake failure: plain HTTP is tried, and /version asked when dockerd answered', async () => {
    const {network, calls} = scripted({handshake: error('wrong version number', 'ERR_SSL_WRONG_VERSION_NUMBER'), http: () => answer(200, 'OK')})
    await probeEndpoint(network, {endpoint: 'tcp://10.0.0.5:2375', tls: MTLS, timeoutMs: 1000})
    expect(calls.slice(2)).toEqual(['GET /_ping plain Host=10.0.0.5:2375', 'GET /version plain Host=10.0.0.5:2375'])
  })

  it('no dockerd over plain HTTP either: with a client certificate, asks once more without it', async () => {
    const {network, calls} = scripted({handshake: error('socket hang up', 'ECONNRESET'), http: () => answer(400, 'Bad Request', {})})
    await probeEndpoint(network, {endpoint: 'tcp://10.0.0.5:2376', tls: MTLS, timeoutMs: 1000})
    expect(calls.slice(2)).toEqual(['GET /_ping plain Host=10.0.0.5:2376', 'GET /_ping tls sni=- ca Host=10.0.0.5:2376'])
    const bare = scripted({handshake: error('socket hang up', 'ECONNRESET'), http: () => answer(400, 'Bad Request', {})})
    await probeEndpoint(bare.network, {endpoint: 'tcp://10.0.0.5:2376', timeoutMs: 1000})
    expect(bare.calls.slice(2)).toEqual(['GET /_ping plain Host=10.0.0.5:2376'])
  })
})
