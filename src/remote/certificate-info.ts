import {X509Certificate} from 'node:crypto'
import {isIP} from '../network/cidr.js'

/**
 * Reading certificates needs nothing but node:crypto, so it lives apart from certs.ts: the remote
 * check describes peer certificates without paying for @peculiar/x509 and its Reflect polyfill.
 */

/** Extended key usage OIDs dockerd and the docker CLI care about, by their usual names. */
export const EKU_NAMES: Readonly<Record<string, string>> = {
  '1.3.6.1.5.5.7.3.1': 'serverAuth',
  '1.3.6.1.5.5.7.3.2': 'clientAuth',
  '1.3.6.1.5.5.7.3.3': 'codeSigning',
  '1.3.6.1.5.5.7.3.4': 'emailProtection',
  '1.3.6.1.5.5.7.3.8': 'timeStamping',
  '1.3.6.1.5.5.7.3.9': 'OCSPSigning',
  '2.5.29.37.0': 'anyExtendedKeyUsage',
}

/** Below this many days left a certificate earns a warning: enough time to re-issue on a fleet. */
export const EXPIRY_WARNING_DAYS = 30

/** What dockcfg shows and checks about one certificate. Never contains key material. */
export interface CertificateInfo {
  subject: string
  issuer: string
  /** Hex, upper case, as openssl prints it. */
  serialNumber: string
  /** DNS names from the subjectAltName extension. */
  dnsNames: string[]
  /** IP addresses from the subjectAltName extension (IPv6 in compressed form). */
  ipAddresses: string[]
  notBefore: string
  notAfter: string
  /** Whole days until notAfter, rounded down; negative once expired. */
  daysUntilExpiry: number
  expired: boolean
  /** Extended key usages by name (OID when unknown); empty when the extension is absent, which means "any". */
  extendedKeyUsages: string[]
  isCa: boolean
  /** e.g. `ec prime256v1`, `rsa 2048`. */
  publicKey: string
  /** SHA-256 fingerprint, colon-separated hex (the format `openssl x509 -fingerprint -sha256` prints). */
  fingerprintSha256: string
}

/**
 * Describes a certificate for output and checks.
 * @param cert PEM text or DER bytes of one certificate (the first one when PEM holds a chain).
 * @param now Reference time for the expiry arithmetic; injected so tests and reports are stable.
 */
export function describeCertificate(cert: string | Buffer, now: Date): CertificateInfo {
  const x = new X509Certificate(cert)
  const notBefore = new Date(x.validFrom)
  const notAfter = new Date(x.validTo)
  const {dnsNames, ipAddresses} = parseSubjectAltName(x.subjectAltName)
  // Node names the EKU list `keyUsage`; undefined means the extension is absent.
  const ekus = (x.keyUsage ?? []).map((oid) => EKU_NAMES[oid] ?? oid)
  return {
    subject: oneLineName(x.subject),
    issuer: oneLineName(x.issuer),
    serialNumber: x.serialNumber.toUpperCase(),
    dnsNames,
    ipAddresses,
    notBefore: notBefore.toISOString(),
    notAfter: notAfter.toISOString(),
    daysUntilExpiry: Math.floor((notAfter.getTime() - now.getTime()) / 86_400_000),
    expired: notAfter.getTime() <= now.getTime(),
    extendedKeyUsages: ekus,
    isCa: x.ca,
    publicKey: describePublicKey(x),
    fingerprintSha256: x.fingerprint256,
  }
}

/** Node prints one RDN per line; one line reads better in tables and JSON. */
function oneLineName(name: string): string {
  return name.split('\n').filter(Boolean).join(', ')
}

function describePublicKey(x: X509Certificate): string {
  const key = x.publicKey
  const details = key.asymmetricKeyDetails
  if (key.asymmetricKeyType === 'ec') return `ec ${details?.namedCurve ?? 'unknown-curve'}`
  if (key.asymmetricKeyType === 'rsa') return `rsa ${details?.modulusLength ?? '?'}`
  return key.asymmetricKeyType ?? 'unknown'
}

/**
 * Parses Node's `subjectAltName` text (`DNS:a, IP Address:1.2.3.4`). Since the CVE-2021-44532 fix
 * Node JSON-quotes values that contain separators, so a plain split on ", " would be wrong.
 */
export function parseSubjectAltName(text: string | undefined): {dnsNames: string[]; ipAddresses: string[]} {
  const dnsNames: string[] = []
  const ipAddresses: string[] = []
  if (text === undefined || text === '') return {dnsNames, ipAddresses}
  let i = 0
  while (i < text.length) {
    const colon = text.indexOf(':', i)
    if (colon < 0) break
    const kind = text.slice(i, colon).trim()
    let value: string
    let next: number
    if (text[colon + 1] === '"') {
      // JSON string literal: find its closing quote, honouring escapes.
      let j = colon + 2
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1
      value = JSON.parse(text.slice(colon + 1, j + 1)) as string
      next = text.indexOf(',', j + 1)
    } else {
      next = text.indexOf(',', colon + 1)
      value = text.slice(colon + 1, next < 0 ? undefined : next).trim()
    }
    if (kind === 'DNS') dnsNames.push(value)
    else if (kind === 'IP Address') ipAddresses.push(normalizeIp(value))
    if (next < 0) break
    i = next + 1
  }
  return {dnsNames, ipAddresses}
}

/** Canonical text of an IP address (IPv6 compressed, lower case) so comparisons and dedup work. */
export function normalizeIp(address: string): string {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address
  if (isIP(bare) === 6) {
    // URL cannot parse a zone; normalise the address part and keep the zone as written.
    const [address = bare, zone] = bare.split('%')
    const normal = new URL(`http://[${address}]/`).hostname.slice(1, -1)
    return zone === undefined ? normal : `${normal}%${zone}`
  }
  return bare
}
