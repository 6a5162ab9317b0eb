import {isIP} from '../network/cidr.js'
import type {Attempt, HttpResponse, Network, TlsClient} from '../system/network.js'
import type {System} from '../system/index.js'
import {type ClientTls, type Endpoint, parseEndpoint} from './endpoint.js'
import {
  type CheckResult,
  type ConnectStep,
  type EndpointProbe,
  type HandshakeOutcome,
  type HttpOutcome,
  type ResolveStep,
  type StepFailure,
  answersPing,
  hasClientCertificate,
  isClientCertificateAlert,
  judgeEndpoint,
  speaksDockerApi,
  stepFailure,
} from './endpoint-verdict.js'

/**
 * The I/O half of a remote check: asks the endpoint, through the network seam, what the verdict
 * (endpoint-verdict.ts) needs to know, each step bounded by `timeoutMs`. Which step follows a
 * failed one is read from the facts with the verdict's own predicates.
 */

export interface CheckOptions {
  /** `tcp://host:port` or an already parsed endpoint. */
  endpoint: string | Endpoint
  /** Client TLS material. Absent: TLS is still probed, but with no CA and no client certificate. */
  tls?: ClientTls
  /** Bound for each step (resolve, connect, handshake, each request). */
  timeoutMs: number
}

/**
 * Checks a Docker TCP endpoint: name resolution, TCP connect, TLS handshake (chain, SAN, expiry,
 * EKU), whether the server demands a client certificate, `GET /_ping` and `GET /version`; then
 * the verdict on what was seen, at the clock's time.
 */
export async function checkEndpoint(system: Pick<System, 'network' | 'clock'>, options: CheckOptions): Promise<CheckResult> {
  const now = system.clock.now()
  return judgeEndpoint(await probeEndpoint(system.network, options), options.tls, now)
}

export async function probeEndpoint(network: Network, options: CheckOptions): Promise<EndpointProbe> {
  const started = performance.now()
  const endpoint = typeof options.endpoint === 'string' ? parseEndpoint(options.endpoint) : options.endpoint
  const timeoutMs = options.timeoutMs
  const probe: EndpointProbe = {endpoint, timeoutMs, resolve: {ok: false, addresses: [], ms: 0}, totalMs: 0}
  const finish = (): EndpointProbe => {
    probe.totalMs = Math.round(performance.now() - started)
    return probe
  }

  probe.resolve = await resolveStep(network, endpoint.host, timeoutMs)
  if (!probe.resolve.ok) return finish()

  // Address by address like Go's dialer, all within one timeout.
  probe.connect = await connectStep(network, probe.resolve.addresses, endpoint.port, timeoutMs)
  if (!probe.connect.ok || probe.connect.address === undefined) return finish()

  const target: Target = {address: probe.connect.address, port: endpoint.port, host: endpoint.host, timeoutMs}
  const creds = options.tls
  const withCa: TlsClient = {...sni(target.host), ca: creds?.ca}
  const asClient: TlsClient = {...withCa, cert: creds?.cert, key: creds?.key}
  probe.handshake = await handshakeStep(network, target, asClient)
  if (probe.handshake.session === undefined) {
    const error = probe.handshake.error
    if (error?.kind === 'timeout' || isClientCertificateAlert(error)) return finish()
    // Not TLS at all? A plaintext dockerd answers our ClientHello with an HTTP 400 and closes.
    probe.plainPing = await httpGet(network, target, undefined, '/_ping')
    if (speaksDockerApi(probe.plainPing)) {
      probe.plainVersion = await httpGet(network, target, undefined, '/version')
      return finish()
    }
    // Is it a TLS server that demands a client certificate and dropped ours without an alert?
    if (hasClientCertificate(creds)) probe.withoutClientCert = await httpGet(network, target, withCa, '/_ping')
    return finish()
  }

  probe.withoutClientCert = await httpGet(network, target, withCa, '/_ping')
  const ping = hasClientCertificate(creds) ? (probe.ping = await httpGet(network, target, asClient, '/_ping')) : probe.withoutClientCert
  if (answersPing(ping)) probe.version = await httpGet(network, target, asClient, '/version')
  return finish()
}

interface Target {
  address: string
  port: number
  /** The name the user dialled: SNI and certificate name checks use it, not the resolved address. */
  host: string
  timeoutMs: number
}

async function resolveStep(network: Network, host: string, timeoutMs: number): Promise<ResolveStep> {
  if (isIP(host) !== 0) return {ok: true, addresses: [host], ms: 0}
  const t0 = performance.now()
  try {
    const answers = await withTimeout(network.lookup(host), timeoutMs)
    const addresses = [...new Set(answers.map((a) => a.address))]
    const ms = elapsed(t0)
    return addresses.length > 0 ? {ok: true, addresses, ms} : {ok: false, addresses, ms, error: {kind: 'not-found', message: 'no addresses'}}
  } catch (error) {
    return {ok: false, addresses: [], ms: elapsed(t0), error: stepFailure(error)}
  }
}

async function connectStep(network: Network, addresses: string[], port: number, timeoutMs: number): Promise<ConnectStep> {
  const t0 = performance.now()
  const noAnswer: StepFailure = {kind: 'timeout', message: `no answer within ${timeoutMs} ms`}
  let last: ConnectStep = {ok: false, ms: 0}
  for (const address of addresses) {
    const remaining = timeoutMs - (performance.now() - t0)
    if (remaining <= 0) break
    const attempt = await network.connect({host: address, port}, remaining)
    last = attempt.ok ? {ok: true, address, ms: elapsed(t0)} : {ok: false, address, ms: elapsed(t0), error: failureOf(attempt, noAnswer)}
    if (last.ok) return last
  }
  if (last.error === undefined) last = {...last, error: noAnswer}
  return last
}

async function handshakeStep(network: Network, target: Target, client: TlsClient): Promise<HandshakeOutcome> {
  const t0 = performance.now()
  const attempt = await network.tlsHandshake({host: target.address, port: target.port}, client, target.timeoutMs)
  if (attempt.ok) return {ms: elapsed(t0), session: attempt.value}
  return {ms: elapsed(t0), error: failureOf(attempt, {kind: 'timeout', message: `no TLS handshake within ${target.timeoutMs} ms`})}
}

/** GET over HTTPS with `tls`, or plain HTTP without it. */
async function httpGet(network: Network, target: Target, tls: TlsClient | undefined, requestPath: string): Promise<HttpOutcome> {
  const t0 = performance.now()
  const hostHeader = `${isIP(target.host) === 6 ? `[${target.host}]` : target.host}:${target.port}`
  const attempt: Attempt<HttpResponse> = await network.httpGet(
    {
      host: target.address,
      port: target.port,
      path: requestPath,
      headers: {Host: hostHeader, 'User-Agent': 'dockcfg-remote-check'},
      ...(tls !== undefined ? {tls} : {}),
    },
    target.timeoutMs,
  )
  if (attempt.ok) return {ms: elapsed(t0), response: attempt.value}
  return {ms: elapsed(t0), error: failureOf(attempt, {kind: 'timeout', message: `no answer within ${target.timeoutMs} ms`})}
}

function failureOf(attempt: Exclude<Attempt<unknown>, {ok: true}>, timeout: StepFailure): StepFailure {
  return attempt.timedOut ? timeout : stepFailure(attempt.error)
}

function sni(host: string): {servername?: string} {
  // RFC 6066 forbids IP literals in SNI (Node warns about it); names get SNI like Go sends.
  return isIP(host) === 0 ? {servername: host} : {}
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
