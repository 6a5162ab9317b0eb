import {X509Certificate, createPrivateKey} from 'node:crypto'

import {InvalidConfigError} from '../core/errors.js'
import {isIP} from '../network/cidr.js'
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

/**
 * Checks a server certificate the user brings (`remote enable --cert-dir`/`--cert --key --cacert`)
 * before anything is written: it parses, chains to the CA given (itself a CA), belongs to the key,
 * may serve (serverAuth or no EKU), is valid now, covers every name clients must dial (`required`:
 * --san and a specific --address), and names this host at all (`host`: its hostname or an
 * interface address). Each failure is exit 3, naming what is wrong.
 */
export function checkProvidedServer(
  material: {certPem: string; keyPem: string; caPem: string},
  names: {required: {dnsNames: readonly string[]; ips: readonly string[]}; host: {dnsNames: readonly string[]; ips: readonly string[]}},
  now: Date,
): {info: CertificateInfo; warnings: string[]} {
  let cert: X509Certificate
  let ca: X509Certificate
  try {
    cert = new X509Certificate(material.certPem)
  } catch {
    throw new InvalidConfigError('the server certificate given is not a readable PEM certificate; nothing was written')
  }
  try {
    ca = new X509Certificate(material.caPem)
  } catch {
    throw new InvalidConfigError('the CA certificate given is not a readable PEM certificate; nothing was written')
  }
  if (!ca.ca) throw new InvalidConfigError(`the CA certificate given is not a CA (basicConstraints CA:TRUE missing): ${ca.subject}; nothing was written`)
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) {
    throw new InvalidConfigError(`the server certificate (${cert.subject}) was not issued by the CA given (${ca.subject}); nothing was written`, {
      remedy: 'give the CA that signed it (remote sign writes both cert.pem and ca.pem)',
    })
  }
  let key
  try {
    key = createPrivateKey(material.keyPem)
  } catch {
    throw new InvalidConfigError('the server key given is not a readable, unencrypted PEM private key (dockerd 23+ refuses encrypted keys); nothing was written')
  }
  if (!cert.checkPrivateKey(key)) throw new InvalidConfigError('the server key given does not belong to the server certificate; nothing was written')
  const info = describeCertificate(material.certPem, now)
  if (info.extendedKeyUsages.length > 0 && !info.extendedKeyUsages.includes('serverAuth')) {
    throw new InvalidConfigError(`the server certificate is not for TLS servers (extended key usage: ${info.extendedKeyUsages.join(', ')}); nothing was written`)
  }
  if (new Date(info.notBefore).getTime() > now.getTime()) throw new InvalidConfigError(`the server certificate is not valid before ${info.notBefore}; nothing was written`)
  if (info.expired) throw new InvalidConfigError(`the server certificate expired on ${info.notAfter}; nothing was written`)
  const caInfo = describeCertificate(material.caPem, now)
  if (caInfo.expired) throw new InvalidConfigError(`the CA certificate expired on ${caInfo.notAfter}; nothing was written`)
  const missing = missingSans(info, names.required)
  if (missing.length > 0) {
    throw new InvalidConfigError(`the server certificate does not cover ${missing.join(', ')}, which clients will dial; nothing was written`, {
      remedy: `have it issued with ${missing.map((m) => `--san ${m}`).join(' ')} (remote csr --san ..., then remote sign)`,
      details: {dnsNames: info.dnsNames, ipAddresses: info.ipAddresses},
    })
  }
  const hostNames = [...names.host.dnsNames.filter((d) => d !== 'localhost'), ...names.host.ips.filter((ip) => ip !== '127.0.0.1')]
  const covers = (n: string) => missingSans(info, isIP(n) === 0 ? {dnsNames: [n], ips: []} : {dnsNames: [], ips: [n]}).length === 0
  const asked = names.required.dnsNames.length + names.required.ips.length
  if (asked === 0 && hostNames.length > 0 && !hostNames.some(covers)) {
    throw new InvalidConfigError(
      `the server certificate names none of this host's names or addresses (${hostNames.join(', ')}); its SANs: ${[...info.dnsNames, ...info.ipAddresses].join(', ') || 'none'}; nothing was written`,
      {remedy: 'make the request on this host (remote csr), or pass --san NAME for the name clients use'},
    )
  }
  const warnings: string[] = []
  if (info.daysUntilExpiry <= EXPIRY_WARNING_DAYS) warnings.push(`the server certificate expires in ${info.daysUntilExpiry} days (${info.notAfter})`)
  if (missingSans(info, {dnsNames: [], ips: ['127.0.0.1']}).length > 0)
    warnings.push('the server certificate does not name 127.0.0.1: a check from this host at 127.0.0.1 will fail the name check')
  return {info, warnings}
}
