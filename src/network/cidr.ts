/**
 * Small, pure IP/CIDR arithmetic for validating daemon.json network settings. Addresses are
 * bigints so IPv4 and IPv6 share one code path. Parsing follows Go's net.ParseIP/ParseCIDR,
 * which is what dockerd uses: no leading zeros in IPv4 octets, decimal prefix length only.
 */

export type Family = 4 | 6

export interface IpAddress {
  family: Family
  value: bigint
}

export interface Cidr {
  family: Family
  /** The address as written (host bits may be set: "192.168.1.5/24"). */
  address: bigint
  prefix: number
}

/** Address width in bits for the family. */
export function bitsOf(family: Family): number {
  return family === 4 ? 32 : 128
}

function parseIPv4Value(text: string): bigint {
  return text.split('.').reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n)
}

function parseIPv6Value(text: string): bigint {
  // An embedded dotted quad ("::ffff:1.2.3.4") stands for the last two 16-bit groups.
  let body = text
  const lastColon = body.lastIndexOf(':')
  const tail = body.slice(lastColon + 1)
  if (tail.includes('.')) {
    const v4 = parseIPv4Value(tail)
    body = `${body.slice(0, lastColon + 1)}${((v4 >> 16n) & 0xffffn).toString(16)}:${(v4 & 0xffffn).toString(16)}`
  }
  const [head = '', rest] = body.split('::') as [string, string | undefined]
  const headGroups = head === '' ? [] : head.split(':')
  const restGroups = rest === undefined || rest === '' ? [] : rest.split(':')
  const missing = 8 - headGroups.length - restGroups.length
  const groups = rest === undefined ? headGroups : [...headGroups, ...Array<string>(missing).fill('0'), ...restGroups]
  return groups.reduce((acc, group) => (acc << 16n) | BigInt(parseInt(group, 16)), 0n)
}

/**
 * Dotted-quad IPv4 exactly as Node's isIPv4 and Go's ParseIP (>= 1.17) accept it: four decimal
 * parts of 0-255 without leading zeros. Spelled out because the first isIPv4 call compiles Node's
 * pattern, about 3 ms on every `validate` (issue 2); test/unit/network/cidr.test.ts checks that
 * both agree.
 */
export function isDottedQuad(text: string): boolean {
  const parts = text.split('.')
  if (parts.length !== 4) return false
  return parts.every((part) => {
    if (part.length === 0 || part.length > 3 || (part.length > 1 && part[0] === '0')) return false
    for (let i = 0; i < part.length; i++) {
      const code = part.charCodeAt(i)
      if (code < 48 || code > 57) return false
    }
    return Number(part) <= 255
  })
}

const V4_PART = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])'
const V4 = `(?:${V4_PART}\\.){3}${V4_PART}`
const V6_PART = '(?:[0-9a-fA-F]{1,4})'
let ipv6Pattern: RegExp | undefined

/**
 * IPv6 text exactly as Node's net.isIPv6 accepts it (its own pattern, zone suffix included), so
 * domain code needs no node:net; compiled on first use, like Node's. test/unit/network/cidr.test.ts
 * checks that both agree.
 */
export function isIPv6(text: string): boolean {
  if (!text.includes(':')) return false
  ipv6Pattern ??= new RegExp(
    '^(?:' +
      `(?:${V6_PART}:){7}(?:${V6_PART}|:)|` +
      `(?:${V6_PART}:){6}(?:${V4}|:${V6_PART}|:)|` +
      `(?:${V6_PART}:){5}(?::${V4}|(?::${V6_PART}){1,2}|:)|` +
      `(?:${V6_PART}:){4}(?:(?::${V6_PART}){0,1}:${V4}|(?::${V6_PART}){1,3}|:)|` +
      `(?:${V6_PART}:){3}(?:(?::${V6_PART}){0,2}:${V4}|(?::${V6_PART}){1,4}|:)|` +
      `(?:${V6_PART}:){2}(?:(?::${V6_PART}){0,3}:${V4}|(?::${V6_PART}){1,5}|:)|` +
      `(?:${V6_PART}:){1}(?:(?::${V6_PART}){0,4}:${V4}|(?::${V6_PART}){1,6}|:)|` +
      `(?::(?:(?::${V6_PART}){0,5}:${V4}|(?::${V6_PART}){1,7}|:))` +
      ')(?:%[0-9a-zA-Z-.:]{1,})?$',
  )
  return ipv6Pattern.test(text)
}

/** 4 or 6 for an address Node's net.isIP accepts, else 0. */
export function isIP(text: string): 0 | 4 | 6 {
  return isDottedQuad(text) ? 4 : isIPv6(text) ? 6 : 0
}

/** Parses an IPv4 or IPv6 address as Go's net.ParseIP would; undefined when it is not one. */
export function parseIp(text: string): IpAddress | undefined {
  if (isDottedQuad(text)) return {family: 4, value: parseIPv4Value(text)}
  // Zone suffixes ("fe80::1%eth0") are not IP addresses to Go's ParseIP.
  if (isIPv6(text) && !text.includes('%')) return {family: 6, value: parseIPv6Value(text)}
  return undefined
}

/** Parses "addr/len" as Go's net.ParseCIDR would (a bare address is not a CIDR). */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/')
  if (slash < 0) return undefined
  const ip = parseIp(text.slice(0, slash))
  const lengthText = text.slice(slash + 1)
  if (ip === undefined || !/^[0-9]{1,3}$/.test(lengthText)) return undefined
  const prefix = Number(lengthText)
  if (prefix > bitsOf(ip.family)) return undefined
  return {family: ip.family, address: ip.value, prefix}
}

function hostMask(family: Family, prefix: number): bigint {
  return (1n << BigInt(bitsOf(family) - prefix)) - 1n
}

/** The network address (host bits cleared). */
export function networkAddress(cidr: Cidr): bigint {
  return cidr.address & ~hostMask(cidr.family, cidr.prefix)
}

/** The last address of the subnet (the IPv4 broadcast address). */
export function lastAddress(cidr: Cidr): bigint {
  return networkAddress(cidr) | hostMask(cidr.family, cidr.prefix)
}

/** True when no host bits are set, i.e. the text is the canonical form of its subnet. */
export function isCanonical(cidr: Cidr): boolean {
  return networkAddress(cidr) === cidr.address
}

/** Whether the subnet of `cidr` contains the address (same family only). */
export function containsAddress(cidr: Cidr, ip: IpAddress): boolean {
  if (cidr.family !== ip.family) return false
  return (ip.value & ~hostMask(cidr.family, cidr.prefix)) === networkAddress(cidr)
}

/** Whether `inner`'s whole subnet lies inside `outer`'s subnet. */
export function containsCidr(outer: Cidr, inner: Cidr): boolean {
  if (outer.family !== inner.family || inner.prefix < outer.prefix) return false
  return containsAddress(outer, {family: inner.family, value: inner.address})
}

/** Whether the two subnets share at least one address. */
export function overlaps(a: Cidr, b: Cidr): boolean {
  return containsCidr(a, b) || containsCidr(b, a)
}

/** Multicast: 224.0.0.0/4 for IPv4, ff00::/8 for IPv6. */
export function isMulticast(ip: IpAddress): boolean {
  return ip.family === 4 ? ip.value >> 28n === 0xen : ip.value >> 120n === 0xffn
}

/** An IPv4-mapped IPv6 address (::ffff:a.b.c.d), which Go's netip treats as IPv4 for subnets. */
export function isIPv4Mapped(ip: IpAddress): boolean {
  return ip.family === 6 && ip.value >> 32n === 0xffffn
}

/** Go's net.IP.IsLoopback: 127.0.0.0/8, ::1, and 127.x written as an IPv4-mapped IPv6 address. */
export function isLoopback(ip: IpAddress): boolean {
  if (ip.family === 4) return ip.value >> 24n === 127n
  if (isIPv4Mapped(ip)) return (ip.value & 0xffffffffn) >> 24n === 127n
  return ip.value === 1n
}

/** Formats an address the way Go prints it (IPv6 compressed, lower case). */
export function formatIp(ip: IpAddress): string {
  if (ip.family === 4) {
    return [24n, 16n, 8n, 0n].map((shift) => String((ip.value >> shift) & 0xffn)).join('.')
  }
  const groups = Array.from({length: 8}, (_, i) => Number((ip.value >> BigInt(112 - i * 16)) & 0xffffn))
  // RFC 5952: compress the longest run (length >= 2) of zero groups, the first one on a tie.
  let bestStart = -1
  let bestLength = 0
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && groups[j] === 0) j++
    if (j - i > bestLength && j - i >= 2) {
      bestStart = i
      bestLength = j - i
    }
    i = j
  }
  const hex = groups.map((g) => g.toString(16))
  if (bestStart < 0) return hex.join(':')
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`
}

/** Formats a subnet in canonical form (network address / prefix). */
export function formatCidr(cidr: Cidr): string {
  return `${formatIp({family: cidr.family, value: networkAddress(cidr)})}/${cidr.prefix}`
}
