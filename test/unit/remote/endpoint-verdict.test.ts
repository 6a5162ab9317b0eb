import {X509Certificate} from 'node:crypto'
import {beforeAll, describe, expect, it} from 'vitest'
import {type CertificateAuthority, type KeyedCertificate, createCa, issueClientCert, issueServerCert} from '../../../src/remote/certs.js'
import {type ClientTls, parseEndpoint} from '../../../src/remote/endpoint.js'
import {type CheckResult, type EndpointProbe, type HttpOutcome, judgeEndpoint, speaksDockerApi, stepFailure} from '../../../src/remote/endpoint-verdict.js'
import {expectContract} from '../../support/contract.js'

// The verdict from facts alone: no socket, no clock. Each probe below is what endpoint-probe.ts
// would have recorded for the situation the test names.

const DAY = 86_400_000
const NOW = new Date('2026-06-01T12:00:00Z')
const DOCKER_HEADERS = {'api-version': '1.41', 'docker-experimental': 'false', server: 'Docker/24.0.7 (linux)'}

let ca: CertificateAuthority
let serverCert: KeyedCertificate
let client: KeyedCertificate
let mtls: ClientTls

beforeAll(async () => {
  ca = await createCa({commonName: 'verdict CA', now: NOW})
  serverCert = await issueServerCert(ca, {hostnames: ['docker.test'], ips: ['10.0.0.5'], now: NOW})
  client = await issueClientCert(ca, {commonName: 'client', now: NOW})
  mtls = {ca: ca.certPem, cert: client.certPem, key: client.key.toPem(), verify: true}
})

/**
 * Every verdict built here is checked against the contract: as the row of schemas/remote-check.schema.json
 * it becomes (an EndpointCheck: the verdict with where the endpoint came from).
 */
function judge(...args: Parameters<typeof judgeEndpoint>): CheckResult {
  const result = judgeEndpoint(...args)
  expectContract('remote-check.schema.json', {...result, source: 'argument', client: {tls: true, verify: true}}, 'EndpointCheck')
  return result
}

const der = (pem: string): Buffer => new X509Certificate(pem).raw
const ok = (status: number, body: string, headers: Record<string, string> = DOCKER_HEADERS): HttpOutcome => ({ms: 3, response: {status, headers, body}})
const refused = (kind: 'tls-alert' | 'reset', message: string): HttpOutcome => ({ms: 2, error: {kind, message}})
const VERSION = JSON.stringify({Version: '24.0.7', ApiVersion: '1.43', MinAPIVersion: '1.12', Os: 'linux', Arch: 'amd64'})

/** A secure dockerd (--tlsverify) dialled as `endpoint`, answering a client with a valid certificate. */
function secure(endpoint = 'tcp://docker.test:2376', overrides: Partial<EndpointProbe> = {}): EndpointProbe {
  return {
    endpoint: parseEndpoint(endpoint),
    timeoutMs: 2000,
    resolve: {ok: true, addresses: ['10.0.0.5'], ms: 1},
    connect: {ok: true, address: '10.0.0.5', ms: 1},
    handshake: {ms: 4, session: {protocol: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', authorized: true, peerCertificate: der(serverCert.certPem)}},
    withoutClientCert: refused('tls-alert', 'tlsv13 alert certificate required'),
    ping: ok(200, 'OK'),
    version: ok(200, VERSION),
    totalMs: 20,
    ...overrides,
  }
}

const codes = (r: CheckResult): string[] => r.findings.map((f) => f.code)
const severities = (r: CheckResult): Array<[string, string]> => r.findings.map((f) => [f.code, f.severity])

describe('judgeEndpoint: a secure endpoint', () => {
  it('is ok, with every step in the result, in the order --json has always printed them', () => {
    const r = judge(secure(), mtls, NOW)
    expect(r).toMatchObject({ok: true, verdict: 'ok', transport: 'tls', endpoint: 'tcp://docker.test:2376', host: 'docker.test', port: 2376, latencyMs: 3, totalMs: 20})
    expect(r.findings).toEqual([])
    expect(Object.keys(r)).toEqual([
      'endpoint',
      'host',
      'port',
      'ok',
      'verdict',
      'transport',
      'resolve',
      'totalMs',
      'findings',
      'connect',
      'tls',
      'clientCertificate',
      'ping',
      'latencyMs',
      'version',
    ])
    expect(r.tls).toMatchObject({ok: true, protocol: 'TLSv1.3', chainVerified: true, nameMatches: true})
    expect(r.tls?.certificate?.fingerprintSha256).toBe(serverCert.info.fingerprintSha256)
    expect(r.clientCertificate).toEqual({required: true, detail: 'refused without a client certificate: tlsv13 alert certificate required'})
    expect(r.ping).toMatchObject({transport: 'https', ok: true, status: 200, apiVersion: '1.41', server: 'Docker/24.0.7 (linux)'})
    expect(r.version).toMatchObject({ok: true, version: '24.0.7', apiVersion: '1.43', minApiVersion: '1.12'})
  })

  it('is ok dialled by an IP address the certificate names', () => {
    expect(judge(secure('tcp://10.0.0.5:2376'), mtls, NOW).tls?.nameMatches).toBe(true)
  })

  it('a connection closed without a certificate (TLS 1.3 stacks that do not alert) also counts as demanding one', () => {
    const r = judge(secure(undefined, {withoutClientCert: refused('reset', 'socket hang up')}), mtls, NOW)
    expect(r.clientCertificate?.required).toBe(true)
    expect(r.verdict).toBe('ok')
  })
})

describe('judgeEndpoint: certificate verdicts', () => {
  it('SAN mismatch: an error naming what the certificate has and the exact --san fix', () => {
    const r = judge(secure('tcp://docker1.example.org:2376'), mtls, NOW)
    expect(r.tls?.nameMatches).toBe(false)
    expect(severities(r)).toEqual([['san-mismatch', 'error']])
    expect(r.findings[0]?.message).toBe(
      'the server certificate does not cover "docker1.example.org" (it has DNS:docker.test, DNS:localhost, IP:10.0.0.5, IP:127.0.0.1); clients dialling this name will refuse it',
    )
    expect(r.findings[0]?.fix).toBe('add --san docker1.example.org: dockcfg remote enable --san docker1.example.org')
  })

  it('SAN mismatch and an untrusted chain are warnings for a client that does not verify', () => {
    const probe = secure('tcp://other.test:2376')
    probe.handshake = {ms: 4, session: {cipher: 'x', authorized: false, authorizationError: 'SELF_SIGNED_CERT_IN_CHAIN', peerCertificate: der(serverCert.certPem)}}
    const r = judge(probe, {...mtls, verify: false}, NOW)
    expect(severities(r)).toEqual([
      ['untrusted-chain', 'warning'],
      ['san-mismatch', 'warning'],
    ])
    expect(r.ok).toBe(true)
  })

  it('untrusted chain: OpenSSL’s reason, and a fix that depends on whether a CA was given', () => {
    const probe = secure(undefined, {
      handshake: {ms: 4, session: {cipher: 'x', authorized: false, authorizationError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', peerCertificate: der(serverCert.certPem)}},
    })
    const withCa = judge(probe, mtls, NOW)
    expect(withCa.tls?.chainError).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE')
    expect(withCa.findings[0]).toMatchObject({code: 'untrusted-chain', severity: 'error', fix: 'use the ca.pem of the CA that issued the server certificate'})
    expect(withCa.findings[0]?.message).toContain('does not chain to the given CA: UNABLE_TO_VERIFY_LEAF_SIGNATURE')
    const noCa = judge(probe, {cert: client.certPem, key: client.key.toPem(), verify: true}, NOW)
    expect(noCa.findings[0]?.message).toContain('a trusted root (no CA given)')
    expect(noCa.findings[0]?.fix).toBe('pass the CA (--tlscacert or ca.pem in DOCKER_CERT_PATH)')
  })

  it('expiry is judged at the time given: 10 days left is a warning, past notAfter an error', () => {
    const notAfter = Date.parse(serverCert.info.notAfter)
    const soon = judge(secure(), mtls, new Date(notAfter - 10 * DAY))
    expect(soon.tls?.certificate?.daysUntilExpiry).toBe(10)
    expect(severities(soon)).toEqual([['cert-expiring', 'warning']])
    expect(soon.verdict).toBe('warning')
    expect(soon.ok).toBe(true)
    const late = judge(secure(), mtls, new Date(notAfter + DAY))
    expect(codes(late)).toContain('cert-expired')
    expect(late.verdict).toBe('error')
  })

  it('a CA close to its end is a warning of its own', async () => {
    const shortCa = await createCa({commonName: 'short CA', validityDays: 20, now: NOW})
    const leaf = await issueServerCert(shortCa, {hostnames: ['docker.test'], ips: [], now: NOW})
    const r = judge(secure(undefined, {handshake: {ms: 1, session: {cipher: 'x', authorized: true, peerCertificate: der(leaf.certPem)}}}), {...mtls, ca: shortCa.certPem}, NOW)
    expect(codes(r)).toEqual(['cert-expiring', 'ca-expiring'])
  })

  it('a server certificate without serverAuth (a client certificate in its place) is an error', () => {
    const r = judge(secure('tcp://10.0.0.5:2376', {handshake: {ms: 1, session: {cipher: 'x', authorized: true, peerCertificate: der(client.certPem)}}}), mtls, NOW)
    expect(codes(r)).toEqual(['san-mismatch', 'server-eku'])
    expect(r.findings[0]?.message).toContain('(it has no SANs)')
    expect(r.findings[1]?.message).toBe("the server certificate's EKU (clientAuth) lacks serverAuth; Go clients refuse it")
  })
})

describe('judgeEndpoint: who may talk to the API', () => {
  it('TLS that answers without a client certificate is CRITICAL', () => {
    const r = judge(secure(undefined, {withoutClientCert: ok(200, 'OK')}), mtls, NOW)
    expect(r.clientCertificate?.required).toBe(false)
    expect(severities(r)).toEqual([['no-client-auth', 'CRITICAL']])
    expect(r).toMatchObject({ok: false, verdict: 'CRITICAL'})
  })

  it('a request completed without a certificate but refused (HTTP 403) is a warning', () => {
    const r = judge(secure(undefined, {withoutClientCert: ok(403, 'no')}), mtls, NOW)
    expect(severities(r)).toEqual([['client-auth-not-required', 'warning']])
    expect(r.findings[0]?.message).toContain('(HTTP 403)')
  })

  it('plain HTTP after a failed handshake is CRITICAL plaintext, with the ping and version it answered', () => {
    const probe = secure(undefined, {
      handshake: {ms: 2, error: {kind: 'protocol', message: 'wrong version number', code: 'ERR_SSL_WRONG_VERSION_NUMBER'}},
      plainPing: ok(200, 'OK'),
      plainVersion: ok(200, VERSION),
      withoutClientCert: undefined,
      ping: undefined,
      version: undefined,
    })
    const r = judge(probe, mtls, NOW)
    expect(r).toMatchObject({verdict: 'CRITICAL', transport: 'plaintext', latencyMs: 3})
    expect(Object.keys(r).slice(9)).toEqual(['connect', 'tls', 'ping', 'latencyMs', 'version'])
    expect(r.ping).toMatchObject({transport: 'http', ok: true})
    expect(r.version?.version).toBe('24.0.7')
    expect(codes(r)).toEqual(['plaintext-api'])
  })

  it('a plain HTTP answer that is not dockerd’s (no Api-Version, not 200) is a failed handshake', () => {
    const probe = secure(undefined, {
      handshake: {ms: 2, error: {kind: 'protocol', message: 'wrong version number'}},
      plainPing: ok(400, 'Bad Request', {}),
      withoutClientCert: undefined,
    })
    const r = judge(probe, undefined, NOW)
    expect(codes(r)).toEqual(['tls-failed'])
    expect(r.findings[0]?.message).toBe('TLS handshake with tcp://docker.test:2376 failed: wrong version number')
    expect(r.transport).toBe('unknown')
  })

  it('a certificate alert in the handshake: our certificate rejected, or none given', () => {
    const alert = secure(undefined, {handshake: {ms: 2, error: {kind: 'tls-alert', message: 'tlsv1 alert unknown ca'}}})
    const withCert = judge(alert, mtls, NOW)
    expect(codes(withCert)).toEqual(['tls-rejected'])
    expect(withCert.findings[0]?.message).toBe('the server rejected the client certificate: tlsv1 alert unknown ca')
    expect(withCert.clientCertificate).toEqual({required: true, detail: 'handshake refused: tlsv1 alert unknown ca'})
    expect(codes(judge(alert, {ca: ca.certPem, verify: true}, NOW))).toEqual(['no-client-cert'])
  })

  it('a handshake dropped without an alert, by a server that demands a certificate: ours was refused', () => {
    const probe = secure(undefined, {handshake: {ms: 2, error: {kind: 'reset', message: 'socket hang up'}}, plainPing: {ms: 1, error: {kind: 'reset', message: 'socket hang up'}}})
    const r = judge(probe, mtls, NOW)
    expect(codes(r)).toEqual(['tls-rejected'])
    expect(r.findings[0]?.message).toBe('the server closed the handshake with our client certificate (socket hang up) and demands one: it does not accept this certificate')
  })

  it('TLS 1.3: the refusal of our certificate shows on the first request', () => {
    const r = judge(secure(undefined, {ping: refused('tls-alert', 'tlsv13 alert certificate required'), version: undefined}), mtls, NOW)
    expect(codes(r)).toEqual(['tls-rejected'])
    expect(r.latencyMs).toBeUndefined()
  })

  it('no client certificate given to a server that demands one: the API could not be asked', () => {
    const r = judge(secure(undefined, {ping: undefined, version: undefined}), {ca: ca.certPem, verify: true}, NOW)
    expect(codes(r)).toEqual(['no-client-cert'])
    expect(r.ping).toMatchObject({transport: 'https', ok: false})
  })

  it('a ping that is not OK, and a /version that fails', () => {
    expect(judge(secure(undefined, {ping: ok(500, 'boom'), version: undefined}), mtls, NOW).findings).toEqual([
      {code: 'ping-failed', severity: 'error', message: 'GET /_ping did not return OK: HTTP 500 "boom"'},
    ])
    expect(severities(judge(secure(undefined, {version: ok(200, 'not json')}), mtls, NOW))).toEqual([['version-failed', 'warning']])
  })
})

describe('judgeEndpoint: reachability', () => {
  it('a name that does not resolve stops there', () => {
    const r = judge({...secure(), resolve: {ok: false, addresses: [], ms: 5, error: {kind: 'not-found', message: 'getaddrinfo ENOTFOUND nope.test'}}}, mtls, NOW)
    expect(r.findings).toEqual([{code: 'unresolvable', severity: 'error', message: 'cannot resolve docker.test: getaddrinfo ENOTFOUND nope.test'}])
    expect(r.connect).toBeUndefined()
  })

  it.each([
    ['refused', /^nothing listens there/],
    ['timeout', /^a firewall or routing drops the traffic/],
    ['unreachable', /^a firewall or routing drops the traffic/],
  ] as const)('unreachable (%s) with its fix, and no later step', (kind, fix) => {
    const r = judge(secure(undefined, {connect: {ok: false, address: '10.0.0.5', ms: 1, error: {kind, message: 'x'}}}), mtls, NOW)
    expect(codes(r)).toEqual(['unreachable'])
    expect(r.findings[0]?.fix).toMatch(fix)
    expect(r.tls).toBeUndefined()
  })

  it('a TLS handshake that never completes names the bound', () => {
    const r = judge(secure(undefined, {handshake: {ms: 2000, error: {kind: 'timeout', message: 'no TLS handshake within 2000 ms'}}}), mtls, NOW)
    expect(r.findings[0]?.message).toBe('tcp://docker.test:2376 accepted the TCP connection but did not complete a TLS handshake within 2000 ms')
  })
})

describe('stepFailure and speaksDockerApi', () => {
  const err = (message: string, code?: string): Error => Object.assign(new Error(message), code === undefined ? {} : {code})
  it.each([
    [err('connect ECONNREFUSED 127.0.0.1:1', 'ECONNREFUSED'), 'refused'],
    [err('getaddrinfo ENOTFOUND x', 'ENOTFOUND'), 'not-found'],
    [err('connect EHOSTUNREACH', 'EHOSTUNREACH'), 'unreachable'],
    [err('read ECONNRESET', 'ECONNRESET'), 'reset'],
    [err('x', 'ERR_SSL_WRONG_VERSION_NUMBER'), 'protocol'],
    [err('no answer', 'ETIMEDOUT'), 'timeout'],
    [err('something else'), 'error'],
  ])('%s is %s', (error, kind) => expect(stepFailure(error).kind).toBe(kind))

  it('an OpenSSL alert keeps only its reason', () => {
    const e = err(
      'C0F7A2B1:error:0A000418:SSL routines:ssl3_read_bytes:tlsv1 alert unknown ca:../deps/openssl/ssl/record/rec_layer_s3.c:1605:SSL alert number 48',
      'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
    )
    expect(stepFailure(e)).toEqual({kind: 'tls-alert', message: 'tlsv1 alert unknown ca', code: 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA'})
  })

  it('dockerd over plain HTTP: any 200, or any answer with Api-Version', () => {
    expect(speaksDockerApi(ok(400, 'Client sent an HTTP request to an HTTPS server.', {'api-version': '1.41'}))).toBe(true)
    expect(speaksDockerApi(ok(400, 'Bad Request', {}))).toBe(false)
    expect(speaksDockerApi({ms: 1, error: {kind: 'reset', message: 'x'}})).toBe(false)
  })
})
