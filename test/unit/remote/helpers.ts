import * as http from 'node:http'
import * as https from 'node:https'
import * as net from 'node:net'
import type {AddressInfo} from 'node:net'

/** A loopback server that answers like dockerd's API for the two endpoints the check uses. */
export interface TestServer {
  port: number
  close(): Promise<void>
}

export const DOCKER_VERSION = {
  Version: '20.10.24+dfsg1',
  ApiVersion: '1.41',
  MinAPIVersion: '1.12',
  Os: 'linux',
  Arch: 'amd64',
  GitCommit: '5d6db84',
}

function dockerHandler(req: http.IncomingMessage, res: http.ServerResponse): void {
  const headers = {'Api-Version': '1.41', 'Docker-Experimental': 'false', Server: 'Docker/20.10.24+dfsg1 (linux)', Ostype: 'linux'}
  if (req.url === '/_ping') {
    res.writeHead(200, {...headers, 'Content-Type': 'text/plain; charset=utf-8'})
    res.end('OK')
  } else if (req.url === '/version') {
    res.writeHead(200, {...headers, 'Content-Type': 'application/json'})
    res.end(JSON.stringify(DOCKER_VERSION))
  } else {
    res.writeHead(404, {...headers, 'Content-Type': 'application/json'})
    res.end('{"message":"page not found"}')
  }
}

async function listen(server: net.Server, sockets: Set<net.Socket>): Promise<TestServer> {
  server.on('connection', (s: net.Socket) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}

/** dockerd with TLS: `requestCert: true` is `--tlsverify`, false is `--tls` (encrypt only). */
export async function startTlsDocker(options: {cert: string; key: string; ca: string; requestCert: boolean; maxVersion?: 'TLSv1.2' | 'TLSv1.3'}): Promise<TestServer> {
  const server = https.createServer(
    {
      cert: options.cert,
      key: options.key,
      ca: options.ca,
      requestCert: options.requestCert,
      rejectUnauthorized: options.requestCert,
      maxVersion: options.maxVersion,
    },
    dockerHandler,
  )
  // Rejected handshakes are the point of several tests; keep them out of the output.
  server.on('tlsClientError', () => undefined)
  return listen(server, new Set())
}

/** dockerd bound to tcp:// without TLS. */
export async function startPlainDocker(): Promise<TestServer> {
  return listen(http.createServer(dockerHandler), new Set())
}

/** Accepts TCP and never says a word (a hung daemon, or a tarpit). */
export async function startSilentListener(): Promise<TestServer> {
  return listen(
    net.createServer(() => undefined),
    new Set(),
  )
}

/** A loopback port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** GET over https with an optional client certificate; resolves status+body or rejects with the TLS error. */
export function httpsGet(options: {port: number; path: string; ca: string; cert?: string; key?: string; servername?: string}): Promise<{status: number; body: string}> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port: options.port,
        path: options.path,
        ca: options.ca,
        cert: options.cert,
        key: options.key,
        servername: options.servername,
        agent: false,
        rejectUnauthorized: true,
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => resolve({status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8')}))
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.setTimeout(5000, () => req.destroy(new Error('timeout')))
    req.end()
  })
}
