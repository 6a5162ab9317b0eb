import type {IncomingHttpHeaders} from 'node:http'
import * as os from 'node:os'

/**
 * The network seam: name resolution, TCP and TLS connections, one HTTP GET, and this machine's own
 * names and addresses. It reports what happened (an answer, the OS's or OpenSSL's error, or a
 * timeout) and judges nothing: which certificate is trusted, which error means what, is decided by
 * the callers from these facts, so their verdicts are tested without sockets. node:net, node:tls,
 * node:http(s) and node:dns are imported on first use: commands that never dial do not load them.
 */

/** A unix socket (host path) or a TCP address. */
export type SocketAddress = {path: string} | {host: string; port: number}

/** How an attempt ended: with a value, with the error Node raised, or with no answer in time. */
export type Attempt<T> = {ok: true; value: T} | {ok: false; timedOut: true} | {ok: false; timedOut: false; error: unknown}

/** Client side of a TLS connection. The server's chain and name are reported, never enforced. */
export interface TlsClient {
  /** SNI; absent for an IP literal (RFC 6066). */
  servername?: string | undefined
  ca?: string | undefined
  cert?: string | undefined
  key?: string | undefined
}

export interface TlsSession {
  protocol?: string | undefined
  cipher?: string | undefined
  /** The chain verifies against `ca` (or Node's root store when none was given). */
  authorized: boolean
  /** OpenSSL's reason when not authorized, e.g. UNABLE_TO_VERIFY_LEAF_SIGNATURE. */
  authorizationError?: string
  /** DER of the server certificate, when it sent one. */
  peerCertificate?: Buffer
}

export interface HttpRequest {
  host: string
  port: number
  path: string
  headers: Record<string, string>
  /** HTTPS with this client side; absent: plain HTTP. */
  tls?: TlsClient
}

export interface HttpResponse {
  status: number
  headers: IncomingHttpHeaders
  /** At most BODY_LIMIT bytes of it. */
  body: string
}

export interface InterfaceAddress {
  address: string
  internal?: boolean
}

export interface Network {
  /** Every address of a name, in the order the system resolver (getaddrinfo) gives them. */
  lookup(name: string): Promise<Array<{address: string; family: number}>>
  /** Opens a connection and closes it at once. */
  connect(to: SocketAddress, timeoutMs: number): Promise<Attempt<void>>
  /** A TLS handshake (TLS 1.2 or newer), closed once done. */
  tlsHandshake(to: {host: string; port: number}, client: TlsClient, timeoutMs: number): Promise<Attempt<TlsSession>>
  /** One GET on a connection of its own; `timeoutMs` bounds the whole exchange. */
  httpGet(request: HttpRequest, timeoutMs: number): Promise<Attempt<HttpResponse>>
  hostname(): string
  /** The addresses of every network interface. */
  interfaceAddresses(): InterfaceAddress[]
}

/** A hostile or confused endpoint may stream forever; /_ping and /version are tiny. */
const BODY_LIMIT = 64 * 1024

const TIMED_OUT = {ok: false, timedOut: true} as const

function failed(error: unknown): Attempt<never> {
  return {ok: false, timedOut: false, error}
}

export const hostNetwork: Network = {
  async lookup(name) {
    const dns = await import('node:dns')
    return dns.promises.lookup(name, {all: true, verbatim: true})
  },

  async connect(to, timeoutMs) {
    const net = await import('node:net')
    return new Promise((resolve) => {
      const socket = net.connect(to)
      const timer = setTimeout(() => settle(TIMED_OUT), timeoutMs)
      function settle(outcome: Attempt<void>): void {
        clearTimeout(timer)
        socket.removeAllListeners()
        socket.on('error', () => undefined)
        socket.destroy()
        resolve(outcome)
      }
      socket.once('connect', () => settle({ok: true, value: undefined}))
      socket.once('error', (error) => settle(failed(error)))
    })
  },

  async tlsHandshake(to, client, timeoutMs) {
    const tls = await import('node:tls')
    return new Promise((resolve) => {
      const socket = tls.connect({
        host: to.host,
        port: to.port,
        ...(client.servername !== undefined ? {servername: client.servername} : {}),
        ca: client.ca,
        cert: client.cert,
        key: client.key,
        minVersion: 'TLSv1.2',
        rejectUnauthorized: false,
        checkServerIdentity: () => undefined,
      })
      const timer = setTimeout(() => settle(TIMED_OUT), timeoutMs)
      function settle(outcome: Attempt<TlsSession>): void {
        clearTimeout(timer)
        socket.removeAllListeners()
        socket.on('error', () => undefined)
        socket.destroy()
        resolve(outcome)
      }
      socket.once('secureConnect', () => {
        const session: TlsSession = {protocol: socket.getProtocol() ?? undefined, cipher: socket.getCipher().standardName, authorized: socket.authorized}
        if (!socket.authorized) session.authorizationError = String(socket.authorizationError ?? 'unknown')
        const raw = socket.getPeerCertificate(false).raw as Buffer | undefined
        if (raw !== undefined) session.peerCertificate = raw
        settle({ok: true, value: session})
      })
      socket.once('error', (error) => settle(failed(error)))
    })
  },

  async httpGet(request, timeoutMs) {
    const via = request.tls
    const lib = via !== undefined ? await import('node:https') : await import('node:http')
    return new Promise((resolve) => {
      let done = false
      const req = lib.request({
        host: request.host,
        port: request.port,
        path: request.path,
        method: 'GET',
        headers: request.headers,
        agent: false,
        ...(via !== undefined
          ? {
              ...(via.servername !== undefined ? {servername: via.servername} : {}),
              ca: via.ca,
              cert: via.cert,
              key: via.key,
              minVersion: 'TLSv1.2' as const,
              rejectUnauthorized: false,
              checkServerIdentity: () => undefined,
            }
          : {}),
      })
      const timer = setTimeout(() => finish(TIMED_OUT), timeoutMs)
      function finish(outcome: Attempt<HttpResponse>): void {
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
          if (size <= BODY_LIMIT) chunks.push(chunk)
          else res.destroy()
        })
        const complete = (): void => finish({ok: true, value: {status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8')}})
        res.on('end', complete)
        res.on('close', complete)
        res.on('error', complete)
      })
      req.on('error', (error) => finish(failed(error)))
      req.end()
    })
  },

  hostname: () => os.hostname(),

  interfaceAddresses: () =>
    Object.values(os.networkInterfaces())
      .flatMap((list) => list ?? [])
      .map((i) => ({address: i.address, internal: i.internal})),
}
