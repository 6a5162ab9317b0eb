import {InvalidConfigError} from '../core/errors.js'
import {DEFAULT_TCP_PORT, parseDockerdHost} from '../dockerd/host-address.js'
import {formatIp, type IpAddress, isIPv4Mapped, parseIp} from '../network/cidr.js'
import type {System} from '../system/index.js'
import {unitState} from './health.js'

/**
 * Finds, before anything is written, a `tcp://` listener dockerd would fail to open because
 * another process already listens there. The trial start cannot see it (its own network namespace,
 * and it replaces `hosts` with a scratch socket), `dockerd --validate` does not bind, so before
 * this the clash showed only after the restart: `failed to load listeners: listen tcp
 * 127.0.0.1:2376: bind: address already in use`, a rollback and exit 4 (issue 9 item 21).
 *
 * The kernel's own socket tables (/proc/net/tcp and tcp6, read through the fs seam) say what
 * listens: no side effect, unlike a trial bind (which would hold the port for a moment and, with
 * SO_REUSEADDR semantics differing between Node and Go, could answer differently than dockerd's
 * bind will). A port the running dockerd holds itself is not a clash: it lets go of it when it
 * stops. Which process holds a socket comes from `ss -p` (the socket's inode); without it dockerd's
 * own sockets cannot be told apart, and the check leaves the verdict to the start and its rollback.
 */

/** A TCP socket in LISTEN state. */
export interface TcpListener {
  ip: IpAddress
  port: number
  inode: number
}

/** An address:port dockerd will listen on, from one `hosts` entry. */
export interface TcpEndpoint {
  host: string
  ip: IpAddress
  port: number
}

/** The process(es) holding a socket, by inode (from `ss -ltnpe`). */
export type SocketHolders = Map<number, Array<{name: string; pid: number}>>

const LISTEN = '0A'
/** This CPU's byte order (what os.endianness() says), read from memory rather than asked of the OS. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1
/** opts/hosts.go DefaultHTTPHost = "localhost" on Unix (hosts_unix.go). */
const DEFAULT_HOST = 'localhost'

/**
 * The LISTEN rows of /proc/net/tcp (family 4) or /proc/net/tcp6 (family 6). The kernel prints each
 * 32-bit word of the address in host byte order (`%08X` of a __be32), so on little-endian machines
 * the bytes of each word come reversed; the port is printed as a plain number.
 */
export function parseProcNetTcp(text: string, family: 4 | 6, littleEndian = LITTLE_ENDIAN): TcpListener[] {
  const out: TcpListener[] = []
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/)
    const [local, state, inode] = [fields[1], fields[3], fields[9]]
    if (state !== LISTEN || local === undefined || inode === undefined || !/^[0-9]+$/.test(inode)) continue
    const [addressHex, portHex] = local.split(':')
    if (addressHex === undefined || portHex === undefined || !/^[0-9A-Fa-f]{4}$/.test(portHex)) continue
    if (addressHex.length !== (family === 4 ? 8 : 32) || !/^[0-9A-Fa-f]+$/.test(addressHex)) continue
    let value = 0n
    for (let word = 0; word < addressHex.length; word += 8) {
      const bytes = addressHex.slice(word, word + 8).match(/../g) as string[]
      value = (value << 32n) | BigInt(`0x${(littleEndian ? bytes.reverse() : bytes).join('')}`)
    }
    out.push({ip: {family, value}, port: Number.parseInt(portHex, 16), inode: Number(inode)})
  }
  return out
}

/**
 * The TCP endpoints of dockerd's `hosts`, read as dockerd reads them (src/dockerd/host-address.ts: `tcp://` or no
 * scheme; no host means localhost, no port 2375). A host name other than localhost is left out:
 * what it resolves to is the resolver's business at start, not something to guess here.
 */
export function tcpEndpoints(hosts: readonly string[]): TcpEndpoint[] {
  const out: TcpEndpoint[] = []
  for (const entry of hosts) {
    const parsed = parseDockerdHost(entry)
    // A bare tcp:// names no address to look at.
    if (parsed.kind !== 'tcp' || (parsed.host === '' && parsed.port === undefined)) continue
    const port = parsed.port === undefined || parsed.port === '' ? DEFAULT_TCP_PORT : Number(parsed.port)
    // Go's net.Listen("tcp", "localhost:N") listens on the first address localhost resolves to,
    // IPv4 first: 127.0.0.1.
    const ip = parsed.host === '' || parsed.host === DEFAULT_HOST ? parseIp('127.0.0.1') : parseIp(parsed.host)
    if (ip !== undefined) out.push({host: entry, ip, port})
  }
  return out
}

function isUnspecified(ip: IpAddress): boolean {
  return ip.value === 0n
}

/** An IPv4-mapped IPv6 address (::ffff:a.b.c.d) as the IPv4 address it is. */
function unmapped(ip: IpAddress): IpAddress {
  return ip.family === 6 && isIPv4Mapped(ip) ? {family: 4, value: ip.value & 0xffffffffn} : ip
}

/**
 * Whether binding `endpoint` fails because of `listener` (Linux, SO_REUSEADDR as Go sets it: a
 * socket in LISTEN state blocks every overlapping address on its port). Go listens on a wildcard
 * address, 0.0.0.0 included, with one dual-stack IPv6 socket (net/ipsock_posix.go
 * favoriteAddrFamily), so such an endpoint overlaps every listener on the port. A listener on
 * `::` is taken as dual-stack too (net.ipv6.bindv6only defaults to 0).
 */
export function clashes(endpoint: TcpEndpoint, listener: TcpListener): boolean {
  if (endpoint.port !== listener.port) return false
  const wanted = unmapped(endpoint.ip)
  const held = unmapped(listener.ip)
  if (isUnspecified(wanted)) return true
  if (isUnspecified(held)) return held.family === 6 || wanted.family === 4
  return held.family === wanted.family && held.value === wanted.value
}

/** `ss -ltnpe` lines: `LISTEN 0 8 127.0.0.1:2376 0.0.0.0:* users:(("python3",pid=351,fd=3)) ino:87616 ...`. */
export function parseSsHolders(output: string): SocketHolders {
  const holders: SocketHolders = new Map()
  for (const line of output.split('\n')) {
    const inode = /\bino:([0-9]+)/.exec(line)?.[1]
    if (inode === undefined) continue
    const users = [...line.matchAll(/\("((?:[^"\\]|\\.)*)",pid=([0-9]+),fd=[0-9]+\)/g)].map((m) => ({name: m[1] as string, pid: Number(m[2])}))
    holders.set(Number(inode), [...(holders.get(Number(inode)) ?? []), ...users])
  }
  return holders
}

/** Every LISTEN socket of this network namespace; empty when /proc has no socket tables (not Linux, a test tree). */
async function listeners(system: System): Promise<TcpListener[]> {
  const v4 = (await system.fs.readText('/proc/net/tcp')) ?? ''
  const v6 = (await system.fs.readText('/proc/net/tcp6')) ?? ''
  return [...parseProcNetTcp(v4, 4), ...parseProcNetTcp(v6, 6)]
}

async function socketHolders(system: System): Promise<SocketHolders | undefined> {
  const result = await system.processes.run('ss', ['-ltnpe'], {timeoutMs: 10_000})
  return result.exitCode === 0 ? parseSsHolders(result.stdout) : undefined
}

function describeHolder(holders: SocketHolders | undefined, listener: TcpListener): string {
  const users = holders?.get(listener.inode) ?? []
  if (users.length === 0) return 'a process dockcfg cannot see'
  // A process names itself (prctl, argv[0]): its control characters must not reach the terminal.
  const safe = (name: string) => (/\p{Cc}/u.test(name) ? JSON.stringify(name).replace(/\p{Cc}/gu, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : name)
  return [...new Map(users.map((u) => [u.pid, `${safe(u.name)} (pid ${u.pid})`])).values()].join(', ')
}

function formatEndpoint(ip: IpAddress, port: number): string {
  return ip.family === 6 ? `[${formatIp(ip)}]:${port}` : `${formatIp(ip)}:${port}`
}

/** The running dockerd's PID, 0 when it is not running. */
async function dockerdPid(system: System): Promise<number> {
  const pid = Number((await unitState(await system.services())).MainPID)
  return Number.isInteger(pid) && pid > 0 ? pid : 0
}

/**
 * Refuses (exit 3, nothing written) a configuration whose `tcp://` listener another process
 * already holds; what the running dockerd holds it gives up when it stops. Returns a note when
 * the check could not judge.
 */
export async function checkListeners(system: System, hosts: readonly string[]): Promise<string | undefined> {
  const endpoints = tcpEndpoints(hosts)
  if (endpoints.length === 0) return undefined
  const table = await listeners(system)
  const clashing = endpoints.flatMap((endpoint) => table.filter((l) => clashes(endpoint, l)).map((listener) => ({endpoint, listener})))
  if (clashing.length === 0) return undefined
  const holders = await socketHolders(system)
  const pid = await dockerdPid(system)
  if (holders === undefined && pid !== 0) {
    return `port ${[...new Set(clashing.map((c) => c.listener.port))].join(', ')} is in use and ss could not say whether dockerd itself holds it: the restart will tell`
  }
  const foreign = clashing.filter(({listener}) => !(holders?.get(listener.inode) ?? []).some((u) => u.pid === pid && pid !== 0))
  if (foreign.length === 0) return undefined
  const lines = foreign.map(
    ({endpoint, listener}) =>
      `${endpoint.host}: port ${listener.port} is already in use on ${formatEndpoint(unmapped(listener.ip), listener.port)} by ${describeHolder(holders, listener)}`,
  )
  throw new InvalidConfigError(`dockerd would fail to start: another process listens where "hosts" wants it to; nothing was changed:\n${lines.map((l) => `  ${l}`).join('\n')}`, {
    remedy: 'stop what listens there, or choose another port (dockcfg remote enable --port N, or dockcfg set hosts ...)',
    details: foreign.map(({endpoint, listener}) => ({host: endpoint.host, port: listener.port, holders: holders?.get(listener.inode) ?? []})),
  })
}
