// @peculiar/x509 needs the Reflect metadata polyfill before it loads (see certs.ts).
import 'reflect-metadata'

/**
 * Certificate signing requests, so the fleet CA's key never travels: a host makes its own key and
 * a CSR (`remote csr`), the control machine signs it (`remote sign`). Loaded lazily like certs.ts.
 */
import {
  BasicConstraintsExtension,
  ExtendedKeyUsage,
  KeyUsageFlags,
  KeyUsagesExtension,
  Pkcs10CertificateRequest,
  Pkcs10CertificateRequestGenerator,
  SubjectAlternativeNameExtension,
} from '@peculiar/x509'
import {createPublicKey} from 'node:crypto'

import {RefusedError, UsageError} from '../core/errors.js'
import {
  type CertificateAuthority,
  DEFAULT_KEY_TYPE,
  type KeyType,
  type PrivateKey,
  exportKey,
  generateKeyPair,
  serverSans,
  signLeaf,
  signingAlgorithm,
  subjectName,
} from './certs.js'
import {type CertificateInfo, describeCertificate} from './certificate-info.js'
import {isLoopbackAddress} from './layout.js'
import {classifyName} from './sans.js'

/** A CSR is about a kilobyte; anything near this is not one. */
export const MAX_CSR_BYTES = 64 * 1024
/** More names than any one dockerd is dialled by: a list this long is a wildcard by other means. */
export const MAX_CSR_SANS = 100

/** A new server key (stays on the host) and the CSR for it (goes to the signer). */
export async function createServerCsr(options: {
  hostnames: string[]
  ips: string[]
  keyType?: KeyType
}): Promise<{csrPem: string; key: PrivateKey; dnsNames: string[]; ips: string[]}> {
  const keyType = options.keyType ?? DEFAULT_KEY_TYPE
  const sans = serverSans(options.hostnames, options.ips)
  const keys = await generateKeyPair(keyType)
  const csr = await Pkcs10CertificateRequestGenerator.create({
    name: subjectName(sans.commonName),
    keys,
    signingAlgorithm: signingAlgorithm(keyType),
    extensions: [sans.extension],
  })
  const pem = csr.toString('pem')
  return {csrPem: pem.endsWith('\n') ? pem : `${pem}\n`, key: await exportKey(keyType, keys.privateKey), dnsNames: sans.dnsNames, ips: sans.ips}
}

/** What a CSR asks for, read and its self-signature checked. */
export interface CsrFacts {
  subject: string
  dnsNames: string[]
  ips: string[]
  /** SAN entries of other kinds (email, URI, ...), as `type:value`. */
  otherNames: string[]
  /** basicConstraints CA:TRUE, or keyCertSign/cRLSign asked for. */
  asksForCa: boolean
  /** `ec P-256`, `rsa 2048`, ... */
  key: string
  rsa: boolean
}

/**
 * Parses one PEM CSR and checks its signature (the requester holds the key).
 * @throws UsageError for anything else: too large, not PEM, several blocks, a bad signature, a weak key.
 */
export async function readCsr(pem: string, shown: string): Promise<{facts: CsrFacts; request: Pkcs10CertificateRequest}> {
  if (Buffer.byteLength(pem) > MAX_CSR_BYTES) throw new UsageError(`${shown} is ${Buffer.byteLength(pem)} bytes: not a certificate signing request`)
  const blocks = pem.match(/-----BEGIN (NEW )?CERTIFICATE REQUEST-----/g) ?? []
  if (blocks.length !== 1) {
    throw new UsageError(`${shown} holds ${blocks.length === 0 ? 'no' : blocks.length} PEM certificate request${blocks.length === 0 ? '' : 's'}; one is expected`, {
      remedy: 'dockcfg remote csr --out DIR writes DIR/csr.pem on the host',
    })
  }
  let request: Pkcs10CertificateRequest
  try {
    request = new Pkcs10CertificateRequest(pem.replace(/NEW CERTIFICATE REQUEST/g, 'CERTIFICATE REQUEST'))
  } catch (error) {
    throw new UsageError(`${shown} is not a readable certificate signing request: ${oneLine((error as Error).message)}`)
  }
  if (!(await request.verify().catch(() => false))) throw new UsageError(`${shown}: the request's signature does not verify (altered, or not made with its key)`)
  const spki = createPublicKey({key: Buffer.from(request.publicKey.rawData), format: 'der', type: 'spki'})
  const details = spki.asymmetricKeyDetails ?? {}
  let key: string
  if (spki.asymmetricKeyType === 'ec' && (details.namedCurve === 'prime256v1' || details.namedCurve === 'secp384r1'))
    key = `ec ${details.namedCurve === 'prime256v1' ? 'P-256' : 'P-384'}`
  else if (spki.asymmetricKeyType === 'rsa' && (details.modulusLength ?? 0) >= 2048 && (details.modulusLength ?? 0) <= 8192) key = `rsa ${details.modulusLength}`
  else
    throw new UsageError(`${shown}: the key (${spki.asymmetricKeyType} ${details.namedCurve ?? details.modulusLength ?? ''}) is not one dockerd's clients accept safely`, {
      remedy: 'use ECDSA P-256/P-384 or RSA 2048-8192',
    })

  const dnsNames: string[] = []
  const ips: string[] = []
  const otherNames: string[] = []
  let asksForCa = false
  for (const ext of request.extensions) {
    if (ext instanceof SubjectAlternativeNameExtension) {
      for (const item of ext.names.items) {
        if (item.type === 'dns') dnsNames.push(item.value)
        else if (item.type === 'ip') ips.push(item.value)
        else otherNames.push(`${item.type}:${item.value}`)
      }
    } else if (ext instanceof BasicConstraintsExtension) {
      asksForCa ||= ext.ca
    } else if (ext instanceof KeyUsagesExtension) {
      asksForCa ||= (ext.usages & (KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign)) !== 0
    }
  }
  return {facts: {subject: request.subject, dnsNames, ips, otherNames, asksForCa, key, rsa: spki.asymmetricKeyType === 'rsa'}, request}
}

/** The SANs a signer accepts, with what it was told to vouch for. */
export interface SanJudgement {
  dnsNames: string[]
  ips: string[]
  /** --san names the CSR does not ask for (signed without them). */
  notRequested: string[]
}

/**
 * Which SANs may be signed (pure). A CSR names what its host wants to be; a signer that takes any
 * list lets one compromised host get a certificate for another's name. So every name must be one
 * the signer vouches for (`vouched`, the --san list) unless `acceptAll` (--accept-csr-sans) says the
 * list shown is fine; loopback names are always accepted (every host's own self-check dials them).
 * Never: CA:TRUE or keyCertSign, wildcards, email/URI names, unspecified addresses, an empty or huge list.
 * @throws RefusedError (exit 7) naming what is refused and the flag that would allow it.
 */
export function judgeCsrSans(facts: CsrFacts, options: {vouched: readonly string[]; acceptAll: boolean}): SanJudgement {
  if (facts.asksForCa) throw new RefusedError('the request asks for a CA certificate (CA:TRUE or keyCertSign): a host never needs one, and it could issue for any name; not signed')
  if (facts.otherNames.length > 0) throw new RefusedError(`the request asks for names dockerd's clients never check (${facts.otherNames.map(oneLine).join(', ')}); not signed`)
  const all = [...facts.dnsNames, ...facts.ips]
  if (all.length === 0) throw new RefusedError('the request names no DNS name or IP address: clients would match nothing; not signed', {remedy: 'dockcfg remote csr --san NAME'})
  if (all.length > MAX_CSR_SANS) throw new RefusedError(`the request names ${all.length} hosts (more than ${MAX_CSR_SANS}); not signed`)
  const dnsNames: string[] = []
  const ips: string[] = []
  for (const raw of all) {
    let c: {kind: 'ip' | 'dns'; value: string}
    try {
      c = classifyName(raw, 'SAN')
    } catch {
      throw new RefusedError(`the request names ${JSON.stringify(raw)}, which is neither a DNS name nor an IP address; not signed`)
    }
    if (c.kind === 'dns' && c.value.startsWith('*')) throw new RefusedError(`the request asks for the wildcard ${c.value}: it would speak for every host under it; not signed`)
    if (c.kind === 'ip' && (c.value === '0.0.0.0' || c.value === '::')) throw new RefusedError(`the request names the unspecified address ${c.value}; not signed`)
    const list = c.kind === 'ip' ? ips : dnsNames
    if (!list.includes(c.value)) list.push(c.value)
  }
  const vouched = new Set(options.vouched.map((v) => classifyName(v, '--san').value))
  const unvouched = [...dnsNames, ...ips].filter((n) => !vouched.has(n) && !isLoopbackAddress(n))
  if (unvouched.length > 0 && !options.acceptAll) {
    throw new RefusedError(`the request asks for ${unvouched.join(', ')}, which you did not vouch for; not signed`, {
      remedy: `pass --san for each name this host may answer to (--san ${unvouched[0]} ...), or --accept-csr-sans to sign the list shown as it is`,
      details: {dnsNames, ips},
    })
  }
  const asked = new Set([...dnsNames, ...ips])
  return {dnsNames, ips, notRequested: [...vouched].filter((v) => !asked.has(v))}
}

/** Signs a judged CSR as a server certificate (serverAuth) with the CA: the CSR's key, the SANs judged, nothing else of the request. */
export async function signServerCsr(
  ca: CertificateAuthority,
  request: Pkcs10CertificateRequest,
  facts: CsrFacts,
  sans: SanJudgement,
  options: {now: Date; validityDays?: number},
): Promise<{certPem: string; info: CertificateInfo}> {
  const publicKey = await request.publicKey.export()
  const commonName = sans.dnsNames.find((d) => d !== 'localhost') ?? sans.ips.find((ip) => !isLoopbackAddress(ip)) ?? sans.dnsNames[0] ?? sans.ips[0] ?? 'localhost'
  const extension = new SubjectAlternativeNameExtension([
    ...sans.dnsNames.map((value) => ({type: 'dns' as const, value})),
    ...sans.ips.map((value) => ({type: 'ip' as const, value})),
  ])
  const certPem = await signLeaf(ca, {
    commonName,
    publicKey,
    rsa: facts.rsa,
    validityDays: options.validityDays,
    now: options.now,
    eku: ExtendedKeyUsage.serverAuth,
    extra: [extension],
  })
  return {certPem, info: describeCertificate(certPem, options.now)}
}

function oneLine(text: string): string {
  return JSON.stringify(text).slice(1, -1)
}
