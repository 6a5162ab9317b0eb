import {UsageError} from '../core/errors.js'
import {isIP} from '../network/cidr.js'
import type {InterfaceAddress, Network} from '../system/network.js'
import {normalizeIp} from './certificate-info.js'
import {isLoopbackAddress} from './layout.js'

/**
 * Which names go into dockerd's server certificate. hostIdentity is pure: the caller injects
 * hostname and interface addresses; localHostIdentity is the thin wrapper that reads them from
 * the network seam. Neither needs the certificate generator, so `remote enable` can plan without it.
 */

export interface HostIdentityInput {
  hostname: string
  fqdn?: string | undefined
  /** Interface addresses, e.g. flattened os.networkInterfaces(); a bare string is an address. */
  interfaces: ReadonlyArray<InterfaceAddress | string>
  /** `--san` values: names or addresses, classified here. */
  extraSans?: readonly string[]
}

export interface HostIdentity {
  /** DNS SANs, in order: hostname, FQDN, extras, `localhost`. */
  dnsNames: string[]
  /** IP SANs, canonical text: interface addresses, extras, `127.0.0.1`. */
  ips: string[]
  /** Addresses seen but left out, with the reason (shown so a user knows why a name is missing). */
  skipped: Array<{value: string; reason: string}>
}

/**
 * Computes the SAN set for this host: hostname, FQDN when given, every non-loopback interface
 * address, the extras, plus `localhost`/`127.0.0.1` for the local self-test; deduplicated with IPs
 * and DNS names told apart (IPv6 included).
 * @throws UsageError for an extra that is neither an IP address nor a valid DNS name.
 */
export function hostIdentity(input: HostIdentityInput): HostIdentity {
  const dnsNames: string[] = []
  const ips: string[] = []
  const skipped: HostIdentity['skipped'] = []
  const add = (raw: string, origin: string): void => {
    const c = classifyName(raw, origin)
    const list = c.kind === 'ip' ? ips : dnsNames
    if (!list.includes(c.value)) list.push(c.value)
  }
  // The machine's own names come from the OS and may be anything (underscores, "localhost.localdomain"
  // leftovers); a bad one is reported and skipped rather than blocking the whole setup. --san values
  // are the user's words, so those throw.
  for (const [value, origin] of [
    [input.hostname, 'hostname'],
    [input.fqdn, 'FQDN'],
  ] as const) {
    if (value === undefined || value.trim() === '') continue
    try {
      add(value, origin)
    } catch {
      skipped.push({value, reason: `${origin} is not a valid DNS name`})
    }
  }
  for (const entry of input.interfaces) {
    const address = typeof entry === 'string' ? entry : entry.address
    const internal = typeof entry === 'string' ? false : entry.internal === true
    const bare = address.split('%')[0] ?? address
    if (isIP(bare) === 0) {
      skipped.push({value: address, reason: 'not an IP address'})
      continue
    }
    const ip = normalizeIp(bare)
    if (internal || isLoopbackAddress(ip)) {
      // Loopback is covered by 127.0.0.1; interface aliases on lo would only bloat the SAN list.
      if (ip !== '127.0.0.1') skipped.push({value: ip, reason: 'loopback'})
      continue
    }
    if (isLinkLocalV6(ip)) {
      // fe80:: addresses are only dialable with a zone (%eth0) and change with the MAC; clients cannot use them as a stable name.
      skipped.push({value: ip, reason: 'IPv6 link-local'})
      continue
    }
    if (!ips.includes(ip)) ips.push(ip)
  }
  for (const extra of input.extraSans ?? []) add(extra, '--san')
  add('localhost', 'self-test')
  add('127.0.0.1', 'self-test')
  return {dnsNames, ips, skipped}
}

/**
 * SANs for this machine: its hostname and every non-loopback interface address, plus extras.
 * @throws UsageError for an extra that is neither an IP address nor a valid DNS name.
 */
export function localHostIdentity(network: Pick<Network, 'hostname' | 'interfaceAddresses'>, options: {fqdn?: string; extraSans?: readonly string[]} = {}): HostIdentity {
  return hostIdentity({hostname: network.hostname(), fqdn: options.fqdn, interfaces: network.interfaceAddresses(), extraSans: options.extraSans ?? []})
}

/**
 * Tells an IP address from a DNS name and returns its canonical form: IPv6 compressed (brackets
 * allowed), DNS names lower case without a trailing dot.
 * @throws UsageError when the value is neither.
 */
export function classifyName(raw: string, origin = 'name'): {kind: 'ip' | 'dns'; value: string} {
  const value = raw.trim()
  const unbracketed = value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value
  if (isIP(unbracketed) !== 0) {
    // A zone ("fe80::1%eth0") names an interface of one machine; a certificate cannot carry it.
    if (unbracketed.includes('%'))
      throw new UsageError(`${origin} ${JSON.stringify(raw)} has an IPv6 zone (%…), which a certificate cannot name`, {
        remedy: `use the address without the zone: ${unbracketed.split('%')[0]}`,
      })
    return {kind: 'ip', value: normalizeIp(unbracketed)}
  }
  const dns = value.toLowerCase().replace(/\.$/, '')
  if (!isDnsName(dns)) {
    throw new UsageError(`${origin} ${JSON.stringify(raw)} is neither an IP address nor a valid DNS name`, {
      remedy: 'use letters, digits, hyphens and dots (a leading "*." wildcard is allowed), or an IPv4/IPv6 address',
    })
  }
  return {kind: 'dns', value: dns}
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/

function isDnsName(name: string): boolean {
  if (name.length === 0 || name.length > 253) return false
  const labels = name.split('.')
  // Go's verifier honours a wildcard only as the whole leftmost label.
  if (labels[0] === '*' && labels.length > 2) labels.shift()
  // An all-numeric dotted name that failed isIP (e.g. 010.0.0.1, 1.2.3) would be read as an address by some resolvers.
  if (labels.every((l) => /^\d+$/.test(l))) return false
  return labels.every((l) => LABEL.test(l))
}

function isLinkLocalV6(ip: string): boolean {
  return isIP(ip) === 6 && /^fe[89ab][0-9a-f]:/i.test(ip)
}
