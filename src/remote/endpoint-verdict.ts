import {X509Certificate} from 'node:crypto'
import type {IncomingHttpHeaders} from 'node:http'
import {isIP} from '../network/cidr.js'
import type {HttpResponse, TlsSession} from '../system/network.js'
import {type CertificateInfo, EXPIRY_WARNING_DAYS, describeCertificate} from './certificate-info.js'
import type {ClientTls, Endpoint} from './endpoint.js'

/**
 * The verdict of a remote check, from what the probe saw (endpoint-probe.ts): the certificate
 * chain, the SANs, expiry and EKU, whether a client certificate is demanded, what the API answered.
 * Pure: no socket, no clock (the reference time is given), so every verdict is tested from facts.
 */

export type CheckSeverity = 'CRITICAL' | 'error' | 'warning' | 'info'
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
  severity: CheckSeverity
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

/** An HTTP exchange as the probe saw it. */
export interface HttpOutcome {
  ms: number
  response?: HttpResponse
  error?: StepFailure
}

/** The TLS handshake with the client's own material. */
export interface HandshakeOutcome {
  ms: number
  session?: TlsSession
  error?: StepFailure
}

/**
 * What the probe saw, step by step. A step is absent when the probe stopped before it; which steps
 * follow a failed handshake is decided by the predicates below, so probe and verdict agree.
 */
export interface EndpointProbe {
  endpoint: Endpoint
  /** The bound each step ran with. */
  timeoutMs: number
  resolve: ResolveStep
  connect?: ConnectStep
  handshake?: HandshakeOutcome
  /** After a failed handshake: GET /_ping in plain HTTP, and GET /version when that looked like dockerd. */
  plainPing?: HttpOutcome
  plainVersion?: HttpOutcome
  /** GET /_ping over TLS without a client certificate: does the server demand one? */
  withoutClientCert?: HttpOutcome
  /** GET /_ping and /version as the configured client; without a client certificate, the ping is `withoutClientCert`. */
  ping?: HttpOutcome
  version?: HttpOutcome
  totalMs: number
}

/**
 * The verdict on one endpoint. CRITICAL when the API answers without a client certificate
 * (plaintext HTTP, or TLS without client verification); error for unreachable, untrusted chain
 * (when verifying), SAN mismatch (when verifying) or failed ping; warning when a certificate
 * expires within 30 days.
 * @param tls the client material the probe used
 * @param now reference time for expiry
 */
export function judgeEndpoint(probe: EndpointProbe, tls: ClientTls | undefined, now: Date): CheckResult {
  const endpoint = probe.endpoint
  const findings: CheckFinding[] = []
  const result: CheckResult = {
    endpoint: endpoint.url,
    host: endpoint.host,
    port: endpoint.port,
    ok: false,
    verdict: 'ok',
    transport: 'unknown',
    resolve: probe.resolve,
    totalMs: 0,
    findings,
  }
  const finish = (): CheckResult => {
    result.verdict = verdictOf(findings)
    result.ok = result.verdict === 'ok' || result.verdict === 'warning'
    result.totalMs = probe.totalMs
    return result
  }

  // 1. Name resolution.
  if (!probe.resolve.ok) {
    findings.push({code: 'unresolvable', severity: 'error', message: `cannot resolve ${endpoint.host}: ${probe.resolve.error?.message ?? 'no addresses'}`})
    return finish()
  }

  // 2. TCP connect.
  const connect = probe.connect ?? {ok: false, ms: 0}
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
  const verify = tls?.verify ?? false
  const hasClientCert = hasClientCertificate(tls)

  // 3. TLS handshake with the client's own material.
  const tlsStep = tlsStepFrom(probe.handshake ?? {ms: 0}, endpoint.host, now)
  result.tls = tlsStep
  if (!tlsStep.ok) {
    const error = tlsStep.error
    if (error?.kind === 'timeout') {
      findings.push({
        code: 'tls-timeout',
        severity: 'error',
        message: `${endpoint.url} accepted the TCP connection but did not complete a TLS handshake within ${probe.timeoutMs} ms`,
        fix: 'check that dockerd (and not another service) listens on this port and is not hung',
      })
      return finish()
    }
    if (error !== undefined && isClientCertificateAlert(error)) {
      result.transport = 'tls'
      result.clientCertificate = {required: true, detail: `handshake refused: ${error.message}`}
      findings.push(hasClientCert ? clientCertRejected(`the server rejected the client certificate: ${error.message}`) : noClientCertFinding())
      return finish()
    }
    const plain = probe.plainPing
    if (plain !== undefined && speaksDockerApi(plain)) {
      result.transport = 'plaintext'
      result.ping = pingFrom('http', plain)
      result.latencyMs = plain.ms
      result.version = versionFrom(probe.plainVersion ?? {ms: 0})
      findings.push({
        code: 'plaintext-api',
        severity: 'CRITICAL',
        message: `the Docker API answers plain HTTP on ${endpoint.url}: anyone who can reach this port has root on the host`,
        fix: 'enable mutual TLS (dockcfg remote enable) or remove the tcp:// host; block the port in the firewall meanwhile',
      })
      return finish()
    }
    if (hasClientCert && probe.withoutClientCert !== undefined) {
      // Some TLS stacks (Node's among them) drop a connection whose client certificate fails
      // verification instead of sending an alert. If the server alerts on a handshake *without*
      // a certificate, it is a TLS server demanding one, and it refused ours.
      const bare = clientCertFrom(probe.withoutClientCert)
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
  const severityOfTrust: CheckSeverity = verify ? 'error' : 'warning'
  const cert = tlsStep.certificate
  if (tlsStep.chainVerified === false) {
    findings.push({
      code: 'untrusted-chain',
      severity: severityOfTrust,
      message: `the server certificate does not chain to ${tls?.ca === undefined ? 'a trusted root (no CA given)' : 'the given CA'}: ${tlsStep.chainError ?? 'unknown reason'}`,
      fix: tls?.ca === undefined ? 'pass the CA (--tlscacert or ca.pem in DOCKER_CERT_PATH)' : 'use the ca.pem of the CA that issued the server certificate',
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
  if (tls?.ca !== undefined) {
    try {
      findings.push(...expiryFindings(describeCertificate(tls.ca, now), 'CA certificate', 'ca'))
    } catch {
      // An unreadable CA already shows as chainVerified false with OpenSSL's reason.
    }
  }

  // 5. Does the server demand a client certificate? Asked without one.
  const probeWithout = probe.withoutClientCert ?? {ms: 0}
  result.clientCertificate = clientCertFrom(probeWithout)
  if (result.clientCertificate.required === false) {
    const answered = probeWithout.response !== undefined && probeWithout.response.status === 200
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
            message: `the server completed a request without a client certificate (HTTP ${probeWithout.response?.status ?? '?'}); dockerd with tlsverify would refuse the handshake`,
            fix: 'turn on client verification ("tlsverify": true with "tlscacert"): dockcfg remote enable',
          },
    )
  }

  // 6. The API itself, as the configured client.
  const ping = (hasClientCert ? probe.ping : probeWithout) ?? {ms: 0}
  result.ping = pingFrom('https', ping)
  if (result.ping.ok) {
    result.latencyMs = ping.ms
    const version = probe.version ?? {ms: 0}
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
// What decides the probe's next step (endpoint-probe.ts asks these, so both read facts alike)

export function hasClientCertificate(tls: ClientTls | undefined): boolean {
  return tls?.cert !== undefined && tls.key !== undefined
}

/**
 * A handshake alert about certificates is the client-certificate check at work; others (protocol
 * version, cipher mismatch) are a handshake failure of their own.
 */
export function isClientCertificateAlert(error: StepFailure | undefined): boolean {
  return error?.kind === 'tls-alert' && /certificate|unknown ca|handshake failure|decrypt error|access denied/i.test(error.message)
}

/** A Docker API over plain HTTP: Go's dockerd sets Api-Version on every answer, even errors. */
export function speaksDockerApi(outcome: HttpOutcome): boolean {
  const r = outcome.response
  return r !== undefined && (r.status === 200 || header(r.headers, 'api-version') !== undefined)
}

/** GET /_ping answered OK. */
export function answersPing(outcome: HttpOutcome): boolean {
  const r = outcome.response
  return r !== undefined && r.status === 200 && r.body.trim() === 'OK'
}

// ---------------------------------------------------------------------------------------------
// Interpretation

function tlsStepFrom(handshake: HandshakeOutcome, host: string, now: Date): TlsStep {
  const session = handshake.session
  if (session === undefined) return {ok: false, ms: handshake.ms, error: handshake.error}
  const step: TlsStep = {ok: true, ms: handshake.ms, protocol: session.protocol, cipher: session.cipher}
  step.chainVerified = session.authorized
  if (!session.authorized) step.chainError = session.authorizationError ?? 'unknown'
  if (session.peerCertificate !== undefined) {
    step.certificate = describeCertificate(session.peerCertificate, now)
    step.nameMatches = certificateCoversName(new X509Certificate(session.peerCertificate), host)
  }
  return step
}

/** Go (since 1.15) matches the dialled name against SANs only; Node's checkHost does the same with subject 'never'. */
export function certificateCoversName(cert: X509Certificate, name: string): boolean {
  if (isIP(name) !== 0) return cert.checkIP(name) !== undefined
  return cert.checkHost(name, {subject: 'never', wildcards: true, partialWildcards: false, multiLabelWildcards: false}) !== undefined
}

function pingFrom(transport: PingStep['transport'], outcome: HttpOutcome): PingStep {
  const r = outcome.response
  if (r === undefined) return {transport, ok: false, ms: outcome.ms, error: outcome.error}
  return {
    transport,
    ok: answersPing(outcome),
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
export const SEVERITY_RANK: Readonly<Record<CheckSeverity, number>> = {info: 0, warning: 1, error: 2, CRITICAL: 3}

function verdictOf(findings: readonly CheckFinding[]): Verdict {
  const worst = findings.reduce((max, f) => Math.max(max, SEVERITY_RANK[f.severity]), 0)
  return worst >= 3 ? 'CRITICAL' : worst === 2 ? 'error' : worst === 1 ? 'warning' : 'ok'
}

// ---------------------------------------------------------------------------------------------
// Small helpers

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name]
  return Array.isArray(value) ? value.join(', ') : value
}

/** What a failed network step was, from the error Node raised (errno code or OpenSSL text). */
export function stepFailure(error: unknown): StepFailure {
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
