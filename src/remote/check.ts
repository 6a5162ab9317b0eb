import {X509Certificate} from 'node:crypto'
import type {IncomingHttpHeaders} from 'node:http'
import {isIP} from 'node:net'
import {type CertificateInfo, EXPIRY_WARNING_DAYS, describeCertificate} from './describe.js'
import {type ClientTls, type Endpoint, parseEndpoint} from './endpoint.js'

export {parseEndpoint, clientTlsFromEnv, loadClientTls, type ClientTls, type ClientTlsSettings, type ClientTlsInput, type Endpoint} from './endpoint.js'

/**
 * Reachability and security check of a Docker API endpoint over TCP. Every network step is bounded
 * by `timeoutMs`, and the result is plain data: rendering and exit codes belong to the caller.
 */

export type Severity = 'CRITICAL' | 'error' | 'warning' | 'info'
export type Verdict = 'ok' | 'warning' | 'error' | 'CRITICAL'

export interface CheckFinding {
  /** Stable identifier scripts may match on. */
  code:
    | 'unresolvable'
    | 'unreachable'
    | 'tls-timeout'
    | 'tls-failed'
    | 'tls-rejected'
    | 'plaintext-api'
    | 'no-client-auth'
    | 'client-auth-not-required'
    | 'untrusted-chain'
    | 'san-mismatch'
    | 'server-eku'
    | 'cert-expired'
    | 'cert-expiring'
    | 'ca-expiring'
    | 'no-client-cert'
    | 'ping-failed'
    | 'version-failed'
  severity: Severity
  message: string
  /** What to do, as a command where there is one. */
  fix?: string
}

/** Why a network step failed. */
export interface StepFailure {
  kind: 'not-found' | 'refused' | 'timeout' | 'unreachable' | 'reset' | 'tls-alert' | 'protocol' | 'error'
  message: string
  code?: string
}

export interface ResolveStep {
  ok: boolean
  addresses: string[]
  ms: number
  error?: StepFailure
}

export interface ConnectStep {
  ok: boolean
  /** The address that answered (or the last one tried). */
  address?: string
  ms: number
  error?: StepFailure
}

export interface TlsStep {
  ok: boolean
  ms: number
  protocol?: string
  cipher?: string
  /** Chain verified against the given CA (or Node's root store when none was given). */
  chainVerified?: boolean
  /** OpenSSL's reason when not verified, e.g. UNABLE_TO_VERIFY_LEAF_SIGNATURE. */
  chainError?: string
  /** The server certificate covers the name or address dialled (SAN only, CN ignored, as Go does). */
  nameMatches?: boolean
  certificate?: CertificateInfo
  error?: StepFailure
}

export interface ClientCertStep {
  /** true: refused without a client certificate; false: answered without one; undefined: could not tell. */
  required: boolean | undefined
  detail: string
}

export interface PingStep {
  transport: 'https' | 'http'
  ok: boolean
  ms: number
  status?: number
  body?: string
  apiVersion?: string
  experimental?: string
  server?: string
  error?: StepFailure
}

export interface VersionStep {
  ok: boolean
  ms: number
  version?: string
  apiVersion?: string
  minApiVersion?: string
  os?: string
  arch?: string
  error?: StepFailure
}

export interface CheckResult {
  endpoint: string
  host: string
  port: number
  ok: boolean
  verdict: Verdict
  /** `tls`, `plaintext` (HTTP answered), or `unknown` when nothing got that far. */
  transport: 'tls' | 'plaintext' | 'unknown'
  resolve: ResolveStep
  connect?: ConnectStep
  tls?: TlsStep
  clientCertificate?: ClientCertStep
  ping?: PingStep
  version?: VersionStep
  /** Round trip of the authenticated /_ping. */
  latencyMs?: number
  totalMs: number
  findings: CheckFinding[]
}

export type Resolver = (host: string) => Promise<Array<{address: string; family: number}>>

export interface CheckOptions {
  /** `tcp://host:port` or an already parsed endpoint. */
  endpoint: string | Endpoint
  /** Client TLS material. Absent: TLS is still probed, but with no CA and no client certificate. */
  tls?: ClientTls
  /** Bound for each step (resolve, connect, handshake, each request). */
  timeoutMs: number
  /** Injected for tests; defaults to dns.lookup with all addresses. */
  resolver?: Resolver
  /** Reference time for expiry arithmetic. */
  now?: Date
}

const BODY_LIMIT = 64 * 1024

/**
 * Checks a Docker TCP endpoint: name resolution, TCP connect, TLS handshake (chain, SAN, expiry,
 * EKU), whether the server demands a client certificate, `GET /_ping` and `GET /version`.
 * Verdict CRITICAL when the API answers without a client certificate (plaintext HTTP, or TLS
 * without client verification); error for unreachable, untrusted chain, SAN mismatch or failed
 * ping; warning when a certificate expires within 30 days.
 */
export async function checkEndpoint(options: CheckOptions): Promise<CheckResult> {
  const started = performance.now()
  const endpoint = typeof options.endpoint === 'string' ? parseEndpoint(options.endpoint) : options.endpoint
  const now = options.now ?? new Date()
  const timeoutMs = options.timeoutMs
  const findings: CheckFinding[] = []
  const result: CheckResult = {
    endpoint: endpoint.url,
    host: endpoint.host,
    port: endpoint.port,
    ok: false,
    verdict: 'ok',
    transport: 'unknown',
    resolve: {ok: false, addresses: [], ms: 0},
    totalMs: 0,
    findings,
  }
  const finish = (): CheckResult => {
    result.verdict = verdictOf(findings)
    result.ok = result.verdict === 'ok' || result.verdict === 'warning'
    result.totalMs = Math.round(performance.now() - started)
    return result
  }

  // 1. Name resolution.
  result.resolve = await resolveStep(endpoint.host, options.resolver, timeoutMs)
  if (!result.resolve.ok) {
    findings.push({code: 'unresolvable', severity: 'error', message: `cannot resolve ${endpoint.host}: ${result.resolve.error?.message ?? 'no addresses'}`})
    return finish()
  }

  // 2. TCP connect, address by address like Go's dialer, all within one timeout.
  const connect = await connectStep(result.resolve.addresses, endpoint.port, timeoutMs)
  result.connect = connect
  if (!connect.ok || connect.address === undefined) {
    findings.push({
      code: 'unreachable',
      severity: 'error',
      message: `cannot connect to ${endpoint.url}: ${connect.error?.message ?? 'no address answered'}`,
      fix: connectFix(connect.error),
    })
    return finish()
  }
  const target: Target = {address: connect.address, port: endpoint.port, host: endpoint.host, timeoutMs}
  const creds = options.tls
  const verify = creds?.verify ?? false
  const hasClientCert = creds?.cert !== undefined && creds.key !== undefined

  // 3. TLS handshake with the client's own material.
  const tlsStep = await handshakeStep(target, creds, now)
  result.tls = tlsStep
  if (!tlsStep.ok) {
    const error = tlsStep.error
    if (error?.kind === 'timeout') {
      findings.push({
        code: 'tls-timeout',
        severity: 'error',
        message: `${endpoint.url} accepted the TCP connection but did not complete a TLS handshake within ${timeoutMs} ms`,
        fix: 'check that dockerd (and not another service) listens on this port and is not hung',
      })
      return finish()
    }
    // Alerts about certificates are the client-certificate check at work; others (protocol
    // version, cipher mismatch) fall through to the generic handshake failure below.
    if (error?.kind === 'tls-alert' && /certificate|unknown ca|handshake failure|decrypt error|access denied/i.test(error.message)) {
      result.transport = 'tls'
      result.clientCertificate = {required: true, detail: `handshake refused: ${error.message}`}
      findings.push(hasClientCert ? clientCertRejected(`the server rejected the client certificate: ${error.message}`) : noClientCertFinding())
      return finish()
    }
    // Not TLS at all? A plaintext dockerd answers our ClientHello with an HTTP 400 and closes.
    const plain = await httpGet(target, {tls: false}, '/_ping')
    if (plain.response !== undefined && looksLikeDockerApi(plain.response.status, plain.response.headers)) {
      result.transport = 'plaintext'
      result.ping = pingFrom('http', plain)
      result.latencyMs = plain.ms
      const version = await httpGet(target, {tls: false}, '/version')
      result.version = versionFrom(version)
      findings.push({
        code: 'plaintext-api',
        severity: 'CRITICAL',
        message: `the Docker API answers plain HTTP on ${endpoint.url}: anyone who can reach this port has root on the host`,
        fix: 'enable mutual TLS (dockcfg remote enable) or remove the tcp:// host; block the port in the firewall meanwhile',
      })
      return finish()
    }
    if (hasClientCert) {
      // Some TLS stacks (Node's among them) drop a connection whose client certificate fails
      // verification instead of sending an alert. If the server alerts on a handshake *without*
      // a certificate, it is a TLS server demanding one, and it refused ours.
      const bare = clientCertFrom(await httpGet(target, {tls: true, ca: creds?.ca}, '/_ping'))
      if (bare.required === true) {
        result.transport = 'tls'
        result.clientCertificate = bare
        findings.push(
          clientCertRejected(
            `the server closed the handshake with our client certificate (${error?.message ?? 'no reason given'}) and demands one: it does not accept this certificate`,
          ),
        )
        return finish()
      }
    }
    findings.push({
      code: 'tls-failed',
      severity: 'error',
      message: `TLS handshake with ${endpoint.url} failed: ${error?.message ?? 'unknown error'}`,
      fix: "check that this port is dockerd's TLS listener (tlscert/tlskey set in daemon.json)",
    })
    return finish()
  }
  result.transport = 'tls'

  // 4. What the certificate says.
  const severityOfTrust: Severity = verify ? 'error' : 'warning'
  const cert = tlsStep.certificate
  if (tlsStep.chainVerified === false) {
    findings.push({
      code: 'untrusted-chain',
      severity: severityOfTrust,
      message: `the server certificate does not chain to ${creds?.ca === undefined ? 'a trusted root (no CA given)' : 'the given CA'}: ${tlsStep.chainError ?? 'unknown reason'}`,
      fix: creds?.ca === undefined ? 'pass the CA (--tlscacert or ca.pem in DOCKER_CERT_PATH)' : 'use the ca.pem of the CA that issued the server certificate',
    })
  }
  if (tlsStep.nameMatches === false && cert !== undefined) {
    const has = [...cert.dnsNames.map((n) => `DNS:${n}`), ...cert.ipAddresses.map((a) => `IP:${a}`)].join(', ') || 'no SANs'
    findings.push({
      code: 'san-mismatch',
      severity: severityOfTrust,
      message: `the server certificate does not cover ${JSON.stringify(endpoint.host)} (it has ${has}); clients dialling this name will refuse it`,
      fix: `add --san ${endpoint.host}: dockcfg remote enable --san ${endpoint.host}`,
    })
  }
  if (cert !== undefined) {
    if (cert.extendedKeyUsages.length > 0 && !cert.extendedKeyUsages.some((u) => u === 'serverAuth' || u === 'anyExtendedKeyUsage')) {
      findings.push({
        code: 'server-eku',
        severity: 'error',
        message: `the server certificate's EKU (${cert.extendedKeyUsages.join(', ')}) lacks serverAuth; Go clients refuse it`,
        fix: 'dockcfg remote enable (re-issues the server certificate)',
      })
    }
    findings.push(...expiryFindings(cert, 'server certificate', 'cert'))
  }
  if (creds?.ca !== undefined) {
    try {
      findings.push(...expiryFindings(describeCertificate(creds.ca, now), 'CA certificate', 'ca'))
    } catch {
      // An unreadable CA already shows as chainVerified false with OpenSSL's reason.
    }
  }

  // 5. Does the server demand a client certificate? Ask without one.
  const probe = await httpGet(target, {tls: true, ca: creds?.ca}, '/_ping')
  result.clientCertificate = clientCertFrom(probe)
  if (result.clientCertificate.required === false) {
    const answered = probe.response !== undefined && probe.response.status === 200
    findings.push(
      answered
        ? {
            code: 'no-client-auth',
            severity: 'CRITICAL',
            message: `the Docker API answers over TLS without a client certificate on ${endpoint.url}: TLS encrypts but authenticates nobody, so anyone who can reach the port has root on the host`,
            fix: 'turn on client verification ("tlsverify": true with "tlscacert"): dockcfg remote enable',
          }
        : {
            code: 'client-auth-not-required',
            severity: 'warning',
            message: `the server completed a request without a client certificate (HTTP ${probe.response?.status ?? '?'}); dockerd with tlsverify would refuse the handshake`,
            fix: 'turn on client verification ("tlsverify": true with "tlscacert"): dockcfg remote enable',
          },
    )
  }

  // 6. The API itself, as the configured client.
  const ping = hasClientCert ? await httpGet(target, {tls: true, ca: creds?.ca, cert: creds?.cert, key: creds?.key}, '/_ping') : probe
  result.ping = pingFrom('https', ping)
  if (result.ping.ok) {
    result.latencyMs = ping.ms
    const version = await httpGet(target, {tls: true, ca: creds?.ca, cert: creds?.cert, key: creds?.key}, '/version')
    result.version = versionFrom(version)
    if (!result.version.ok) {
      findings.push({code: 'version-failed', severity: 'warning', message: `GET /version failed: ${result.version.error?.message ?? `HTTP ${version.response?.status ?? '?'}`}`})
    }
  } else if (!hasClientCert && result.clientCertificate.required === true) {
    findings.push(noClientCertFinding())
  } else {
    const what = ping.response !== undefined ? `HTTP ${ping.response.status} ${JSON.stringify(ping.response.body.slice(0, 80))}` : (ping.error?.message ?? 'no answer')
    // With TLS 1.3 the server judges the client certificate after the client's side of the
    // handshake is done, so a refusal surfaces on the first request, as an alert or a reset.
    const refused = result.clientCertificate.required === true && (ping.error?.kind === 'tls-alert' || ping.error?.kind === 'reset')
    findings.push(
      refused
        ? clientCertRejected(`the server refused the connection with our client certificate (${what}): it does not accept this certificate`)
        : {code: 'ping-failed', severity: 'error', message: `GET /_ping did not return OK: ${what}`},
    )
  }
  return finish()
}

// ---------------------------------------------------------------------------------------------
// Steps

interface Target {
  address: string
  port: number
  /** The name the user dialled: SNI and certificate name checks use it, not the resolved address. */
  host: string
  timeoutMs: number
}

async function resolveStep(host: string, resolver: Resolver | undefined, timeoutMs: number): Promise<ResolveStep> {
  if (isIP(host) !== 0) return {ok: true, addresses: [host], ms: 0}
  const t0 = performance.now()
  const lookup: Resolver =
    resolver ??
    (async (name) => {
      const dns = await import('node:dns')
      return dns.promises.lookup(name, {all: true, verbatim: true})
    })
  try {
    const answers = await withTimeout(lookup(host), timeoutMs)
    const addresses = [...new Set(answers.map((a) => a.address))]
    const ms = elapsed(t0)
    return addresses.length > 0 ? {ok: true, addresses, ms} : {ok: false, addresses, ms, error: {kind: 'not-found', message: 'no addresses'}}
  } catch (error) {
    return {ok: false, addresses: [], ms: elapsed(t0), error: failure(error)}
  }
}

async function connectStep(addresses: string[], port: number, timeoutMs: number): Promise<ConnectStep> {
  const net = await import('node:net')
  const t0 = performance.now()
  let last: ConnectStep = {ok: false, ms: 0}
  for (const address of addresses) {
    const remaining = timeoutMs - (performance.now() - t0)
    if (remaining <= 0) break
    const attempt = await new Promise<StepFailure | undefined>((resolve) => {
      const socket = net.connect({host: address, port})
      const timer = setTimeout(() => settle({kind: 'timeout', message: `no answer within ${timeoutMs} ms`}), remaining)
      function settle(outcome: StepFailure | undefined): void {
        clearTimeout(timer)
        socket.removeAllListeners()
        socket.on('error', () => undefined)
        socket.destroy()
        resolve(outcome)
      }
      socket.once('connect', () => settle(undefined))
      socket.once('error', (error) => settle(failure(error)))
    })
    last = attempt === undefined ? {ok: true, address, ms: elapsed(t0)} : {ok: false, address, ms: elapsed(t0), error: attempt}
    if (last.ok) return last
  }
  if (last.error === undefined) last = {...last, error: {kind: 'timeout', message: `no answer within ${timeoutMs} ms`}}
  return last
}

async function handshakeStep(target: Target, creds: ClientTls | undefined, now: Date): Promise<TlsStep> {
  const tls = await import('node:tls')
  const t0 = performance.now()
  return new Promise<TlsStep>((resolve) => {
    const socket = tls.connect({
      host: target.address,
      port: target.port,
      ...sni(target.host),
      ca: creds?.ca,
      cert: creds?.cert,
      key: creds?.key,
      minVersion: 'TLSv1.2',
      // Judged below, separately, so the report can say *which* of chain or name is wrong.
      rejectUnauthorized: false,
      checkServerIdentity: () => undefined,
    })
    const timer = setTimeout(() => settle({ok: false, ms: elapsed(t0), error: {kind: 'timeout', message: `no TLS handshake within ${target.timeoutMs} ms`}}), target.timeoutMs)
    function settle(step: TlsStep): void {
      clearTimeout(timer)
      socket.removeAllListeners()
      socket.on('error', () => undefined)
      socket.destroy()
      resolve(step)
    }
    socket.once('secureConnect', () => {
      const step: TlsStep = {ok: true, ms: elapsed(t0), protocol: socket.getProtocol() ?? undefined, cipher: socket.getCipher().standardName}
      step.chainVerified = socket.authorized
      if (!socket.authorized) step.chainError = String(socket.authorizationError ?? 'unknown')
      const raw = socket.getPeerCertificate(false).raw as Buffer | undefined
      if (raw !== undefined) {
        step.certificate = describeCertificate(raw, now)
        step.nameMatches = certificateCoversName(new X509Certificate(raw), target.host)
      }
      settle(step)
    })
    socket.once('error', (error) => settle({ok: false, ms: elapsed(t0), error: failure(error)}))
  })
}

/** Go (since 1.15) matches the dialled name against SANs only; Node's checkHost does the same with subject 'never'. */
export function certificateCoversName(cert: X509Certificate, name: string): boolean {
  if (isIP(name) !== 0) return cert.checkIP(name) !== undefined
  return cert.checkHost(name, {subject: 'never', wildcards: true, partialWildcards: false, multiLabelWildcards: false}) !== undefined
}

interface HttpOutcome {
  ms: number
  response?: {status: number; headers: IncomingHttpHeaders; body: string}
  error?: StepFailure
}

interface HttpVia {
  tls: boolean
  ca?: string | undefined
  cert?: string | undefined
  key?: string | undefined
}

async function httpGet(target: Target, via: HttpVia, requestPath: string): Promise<HttpOutcome> {
  const lib = via.tls ? await import('node:https') : await import('node:http')
  const t0 = performance.now()
  return new Promise<HttpOutcome>((resolve) => {
    let done = false
    const hostHeader = `${isIP(target.host) === 6 ? `[${target.host}]` : target.host}:${target.port}`
    const req = lib.request({
      host: target.address,
      port: target.port,
      path: requestPath,
      method: 'GET',
      headers: {Host: hostHeader, 'User-Agent': 'dockcfg-remote-check'},
      agent: false,
      ...(via.tls
        ? {...sni(target.host), ca: via.ca, cert: via.cert, key: via.key, minVersion: 'TLSv1.2' as const, rejectUnauthorized: false, checkServerIdentity: () => undefined}
        : {}),
    })
    const timer = setTimeout(() => finish({ms: elapsed(t0), error: {kind: 'timeout', message: `no answer within ${target.timeoutMs} ms`}}), target.timeoutMs)
    function finish(outcome: HttpOutcome): void {
      if (done) return
      done = true
      clearTimeout(timer)
      req.destroy()
      resolve(outcome)
    }
    req.on('response', (res) => {
      const chunks: Buffer[] = []
      let size = 0
      res.on('data', (chunk: Buffer) => {
        size += chunk.length
        // A hostile or confused endpoint may stream forever; /_ping and /version are tiny.
        if (size <= BODY_LIMIT) chunks.push(chunk)
        else res.destroy()
      })
      const complete = (): void => finish({ms: elapsed(t0), response: {status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8')}})
      res.on('end', complete)
      res.on('close', complete)
      res.on('error', complete)
    })
    req.on('error', (error) => finish({ms: elapsed(t0), error: failure(error)}))
    req.end()
  })
}

// ---------------------------------------------------------------------------------------------
// Interpretation

function pingFrom(transport: PingStep['transport'], outcome: HttpOutcome): PingStep {
  const r = outcome.response
  if (r === undefined) return {transport, ok: false, ms: outcome.ms, error: outcome.error}
  return {
    transport,
    ok: r.status === 200 && r.body.trim() === 'OK',
    ms: outcome.ms,
    status: r.status,
    body: r.body.slice(0, 200),
    apiVersion: header(r.headers, 'api-version'),
    experimental: header(r.headers, 'docker-experimental'),
    server: header(r.headers, 'server'),
  }
}

function versionFrom(outcome: HttpOutcome): VersionStep {
  const r = outcome.response
  if (r === undefined) return {ok: false, ms: outcome.ms, error: outcome.error}
  if (r.status !== 200) return {ok: false, ms: outcome.ms, error: {kind: 'protocol', message: `HTTP ${r.status}`}}
  let parsed: unknown
  try {
    parsed = JSON.parse(r.body)
  } catch {
    return {ok: false, ms: outcome.ms, error: {kind: 'protocol', message: 'response is not JSON'}}
  }
  if (typeof parsed !== 'object' || parsed === null) return {ok: false, ms: outcome.ms, error: {kind: 'protocol', message: 'response is not a JSON object'}}
  const field = (name: string): string | undefined => {
    const value = (parsed as Record<string, unknown>)[name]
    return typeof value === 'string' ? value : undefined
  }
  return {ok: true, ms: outcome.ms, version: field('Version'), apiVersion: field('ApiVersion'), minApiVersion: field('MinAPIVersion'), os: field('Os'), arch: field('Arch')}
}

function clientCertFrom(probe: HttpOutcome): ClientCertStep {
  if (probe.response !== undefined) return {required: false, detail: `answered HTTP ${probe.response.status} without a client certificate`}
  const error = probe.error
  if (error?.kind === 'tls-alert') return {required: true, detail: `refused without a client certificate: ${error.message}`}
  // TLS 1.3 servers send their refusal after the client's Finished; some stacks just close instead of alerting.
  if (error?.kind === 'reset') return {required: true, detail: `connection closed without a client certificate: ${error.message}`}
  return {required: undefined, detail: `could not tell: ${error?.message ?? 'no answer'}`}
}

/** A Docker API over plain HTTP: Go's dockerd sets Api-Version on every answer, even errors. */
function looksLikeDockerApi(status: number, headers: IncomingHttpHeaders): boolean {
  return status === 200 || header(headers, 'api-version') !== undefined
}

function expiryFindings(cert: CertificateInfo, what: string, prefix: 'cert' | 'ca'): CheckFinding[] {
  if (cert.expired) {
    return [
      {
        code: 'cert-expired',
        severity: 'error',
        message: `the ${what} expired on ${cert.notAfter}`,
        fix: prefix === 'cert' ? 'dockcfg remote enable (re-issues it)' : 'create a new CA and re-issue every certificate',
      },
    ]
  }
  if (cert.daysUntilExpiry < EXPIRY_WARNING_DAYS) {
    return [
      {
        code: prefix === 'cert' ? 'cert-expiring' : 'ca-expiring',
        severity: 'warning',
        message: `the ${what} expires in ${cert.daysUntilExpiry} days (${cert.notAfter})`,
        fix: prefix === 'cert' ? 'dockcfg remote enable (re-issues it)' : 'create a new CA and re-issue every certificate before it expires',
      },
    ]
  }
  return []
}

/** The server refuses the client certificate given; the three places that tell differ only in how it showed. */
function clientCertRejected(message: string): CheckFinding {
  return {
    code: 'tls-rejected',
    severity: 'error',
    message,
    fix: "use a client certificate issued by the CA in the server's tlscacert (dockcfg remote enable writes a matching client bundle)",
  }
}

function noClientCertFinding(): CheckFinding {
  return {
    code: 'no-client-cert',
    severity: 'error',
    message: 'the server demands a client certificate (good) but none was given, so the API could not be queried',
    fix: 'pass --tlscert/--tlskey or put cert.pem and key.pem in DOCKER_CERT_PATH (default ~/.docker)',
  }
}

function connectFix(error: StepFailure | undefined): string | undefined {
  switch (error?.kind) {
    case 'refused':
      return 'nothing listens there: check the hosts in daemon.json / the unit, and that dockerd runs (dockcfg remote enable sets up tcp://0.0.0.0:2376)'
    case 'timeout':
    case 'unreachable':
      return 'a firewall or routing drops the traffic: open the port (ufw allow 2376/tcp, firewall-cmd --add-port=2376/tcp)'
    default:
      return undefined
  }
}

/** How bad a severity is, for ordering findings and computing the verdict. */
export const SEVERITY_RANK: Readonly<Record<Severity, number>> = {info: 0, warning: 1, error: 2, CRITICAL: 3}

function verdictOf(findings: readonly CheckFinding[]): Verdict {
  const worst = findings.reduce((max, f) => Math.max(max, SEVERITY_RANK[f.severity]), 0)
  return worst >= 3 ? 'CRITICAL' : worst === 2 ? 'error' : worst === 1 ? 'warning' : 'ok'
}

// ---------------------------------------------------------------------------------------------
// Small helpers

function sni(host: string): {servername?: string} {
  // RFC 6066 forbids IP literals in SNI (Node warns about it); names get SNI like Go sends.
  return isIP(host) === 0 ? {servername: host} : {}
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name]
  return Array.isArray(value) ? value.join(', ') : value
}

function elapsed(t0: number): number {
  return Math.round(performance.now() - t0)
}

class TimeoutError extends Error {
  readonly code = 'ETIMEDOUT'
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new TimeoutError(`no answer within ${ms} ms`)), ms)
      }),
    ])
  } finally {
    clearTimeout(timer)
  }
}

function failure(error: unknown): StepFailure {
  const e = error as NodeJS.ErrnoException & {library?: string; reason?: string}
  const code = typeof e?.code === 'string' ? e.code : undefined
  const raw = (e instanceof Error ? e.message : String(error)).trim()
  // OpenSSL texts carry an address, a library path and a source line; keep the reason only.
  const message = /SSL routines:[^:]*:([^:]+)/.exec(raw)?.[1] ?? raw
  // OpenSSL reports a received alert as EPROTO / ERR_SSL_* with the alert's name in the text only.
  const alert = /\balert\b/i.test(message) || (code?.includes('ALERT') ?? false)
  const kind: StepFailure['kind'] = alert
    ? 'tls-alert'
    : code === undefined
      ? 'error'
      : code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME' || code === 'ENODATA'
        ? 'not-found'
        : code === 'ECONNREFUSED'
          ? 'refused'
          : code === 'ETIMEDOUT'
            ? 'timeout'
            : code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'EADDRNOTAVAIL' || code === 'EHOSTDOWN'
              ? 'unreachable'
              : code === 'ECONNRESET' || code === 'EPIPE'
                ? 'reset'
                : code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || code === 'EPROTO' || code.startsWith('HPE_')
                  ? 'protocol'
                  : 'error'
  return code === undefined ? {kind, message} : {kind, message, code}
}
