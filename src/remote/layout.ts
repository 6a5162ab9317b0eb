import {CLIENT_FILES} from '../core/managed-files.js'
import {isIP, isLoopback, parseIp} from '../network/cidr.js'
import {groupKeys} from '../registry/index.js'

/** The files of a client bundle in `dir`, key first: the order they are written in. */
export function clientBundlePaths(dir: string): {key: string; cert: string; ca: string} {
  return {key: `${dir}/${CLIENT_FILES.key}`, cert: `${dir}/${CLIENT_FILES.cert}`, ca: `${dir}/${CLIENT_FILES.ca}`}
}

/** Certificates are public; keys, and the directories created to hold them, are for their owner only. */
export const CERT_MODE = 0o644
export const KEY_MODE = 0o600
export const KEY_DIR_MODE = 0o700

/** daemon.json keys `remote enable` owns: the registry's tls group. */
export const TLS_KEYS: readonly string[] = groupKeys('tls')

/** True for an address that only this machine can reach. */
export function isLoopbackAddress(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase()
  if (h === 'localhost' || h.endsWith('.localhost')) return true
  const ip = parseIp(h)
  return ip !== undefined && isLoopback(ip)
}

/** True for a wildcard bind address (every interface). */
export function isWildcardAddress(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '')
  return h === '' || h === '0.0.0.0' || h === '::'
}

/** `tcp://ADDR:PORT` as dockerd writes it (IPv6 bracketed). */
export function tcpHost(address: string, port: number): string {
  const bare = address.replace(/^\[|\]$/g, '')
  return `tcp://${isIP(bare) === 6 ? `[${bare}]` : bare}:${port}`
}

/** The host and port of a `tcp://` listener; undefined for any other kind. Port defaults as dockerd does (2375). */
export function parseTcpListener(host: string): {address: string; port: number} | undefined {
  if (!/^tcp:\/\//i.test(host)) return undefined
  const rest = host.slice('tcp://'.length).replace(/\/.*$/, '')
  const m = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(rest)
  if (!m) return undefined
  const address = (m[1] ?? '').replace(/^\[|\]$/g, '') || 'localhost'
  const port = m[2] ? Number(m[2]) : 2375
  return {address, port}
}

/**
 * Where this machine can reach a listener: a wildcard bind is tried on loopback (it is covered
 * there, and loopback is in every certificate dockcfg issues).
 */
export function reachableLocally(listener: {address: string; port: number}): {address: string; port: number} {
  const a = listener.address
  if (a === '' || a === '0.0.0.0') return {address: '127.0.0.1', port: listener.port}
  if (a === '::') return {address: '::1', port: listener.port}
  return listener
}

/** The key algorithms dockcfg issues. Here, not in certs.ts, so commands parse --key-type without loading the generator. */
export const KEY_TYPES = ['ecdsa-p256', 'rsa-2048', 'rsa-4096'] as const
export type KeyType = (typeof KEY_TYPES)[number]
