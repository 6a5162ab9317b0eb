import {X509Certificate, createPrivateKey} from 'node:crypto'

import {type CertificateInfo, EXPIRY_WARNING_DAYS, describeCertificate, normalizeIp} from './certificate-info.js'

/**
 * Checks on certificate material already on disk, so a repeated `remote enable` reuses what is
 * still good instead of re-issuing (which would change files and restart dockerd for nothing).
 * node:crypto only: the idempotent path never loads the certificate generator.
 */

export interface ReuseVerdict {
  ok: boolean
  /** Why not, for the user ("server certificate does not cover 10.0.0.5"). */
  reason?: string
  info?: CertificateInfo
}

/**
 * A leaf is reusable when it parses, was signed by `caPem`, belongs to `keyPem`, has the usage
 * asked for (or no EKU at all, which Go accepts), and is more than 30 days from expiry.
 */
export function reusableLeaf(leaf: {certPem: string | undefined; keyPem: string | undefined}, caPem: string, usage: 'serverAuth' | 'clientAuth', now: Date): ReuseVerdict {
  if (leaf.certPem === undefined || leaf.keyPem === undefined) return {ok: false, reason: 'not there yet'}
  let cert: X509Certificate
  let ca: X509Certificate
  try {
    cert = new X509Certificate(leaf.certPem)
    ca = new X509Certificate(caPem)
  } catch {
    return {ok: false, reason: 'not a readable certificate'}
  }
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return {ok: false, reason: 'issued by another CA'}
  try {
    if (!cert.checkPrivateKey(createPrivateKey(leaf.keyPem))) return {ok: false, reason: 'the key does not belong to the certificate'}
  } catch {
    return {ok: false, reason: 'the key is not readable'}
  }
  const info = describeCertificate(leaf.certPem, now)
  if (info.extendedKeyUsages.length > 0 && !info.extendedKeyUsages.includes(usage)) return {ok: false, reason: `not usable for ${usage}`, info}
  if (info.daysUntilExpiry <= EXPIRY_WARNING_DAYS) return {ok: false, reason: `expires in ${info.daysUntilExpiry} days`, info}
  return {ok: true, info}
}

/** The SANs `wanted` lacks in `info`, as text (empty when every name and address is covered). */
export function missingSans(info: CertificateInfo, wanted: {dnsNames: readonly string[]; ips: readonly string[]}): string[] {
  const dns = new Set(info.dnsNames.map((d) => d.toLowerCase()))
  const ips = new Set(info.ipAddresses.map((ip) => normalizeIp(ip)))
  return [...wanted.dnsNames.filter((d) => !dns.has(d.toLowerCase())), ...wanted.ips.filter((ip) => !ips.has(normalizeIp(ip)))]
}

/** True when `pem` is a CA certificate (readable, basicConstraints CA:TRUE). */
export function isCaCertificate(pem: string | undefined): boolean {
  if (pem === undefined) return false
  try {
    return new X509Certificate(pem).ca
  } catch {
    return false
  }
}

/** Same certificate, whatever the PEM whitespace. */
export function sameCertificate(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return false
  try {
    return new X509Certificate(a).fingerprint256 === new X509Certificate(b).fingerprint256
  } catch {
    return false
  }
}
