// @peculiar/x509 resolves its services through tsyringe, which throws at load time unless a
// Reflect metadata polyfill is already installed; this import must stay first.
import 'reflect-metadata'

/**
 * In-process certificate authority for dockerd's mutual TLS (no openssl, no temp files holding keys).
 *
 * Loading this module pulls in @peculiar/x509, its ASN.1 stack and the Reflect polyfill (tens of
 * milliseconds). Commands must therefore load it with `await import('../remote/certs.js')` inside
 * the code path that issues certificates, never with a top-level import, so `dockcfg --help` and
 * every other command keep starting fast.
 */
import {
  AuthorityKeyIdentifierExtension,
  BasicConstraintsExtension,
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  type Extension,
  KeyUsageFlags,
  KeyUsagesExtension,
  SubjectAlternativeNameExtension,
  SubjectKeyIdentifierExtension,
  X509Certificate as PeculiarCertificate,
  X509CertificateGenerator,
  cryptoProvider,
} from '@peculiar/x509'
import {X509Certificate, createPrivateKey, createPublicKey, randomBytes, webcrypto} from 'node:crypto'

type CryptoKey = webcrypto.CryptoKey
type CryptoKeyPair = webcrypto.CryptoKeyPair
import * as path from 'node:path'
import {inspect} from 'node:util'
import {RefusedError, UsageError} from '../core/errors.js'
import type {FileSystem} from '../system/fs.js'
import {type CertificateInfo, describeCertificate} from './certificate-info.js'
import {CERT_MODE, KEY_DIR_MODE, KEY_MODE, KEY_TYPES, type KeyType} from './layout.js'
import {CA_FILES, CLIENT_FILES} from '../core/managed-files.js'
import {classifyName} from './sans.js'

export {describeCertificate, type CertificateInfo} from './certificate-info.js'

// The library types its provider as the DOM `Crypto`; Node's webcrypto is that object at run time.
cryptoProvider.set(webcrypto as unknown as NonNullable<Parameters<typeof X509CertificateGenerator.create>[1]>)

export {KEY_TYPES, type KeyType} from './layout.js'
/** P-256: ~17 ms for a whole CA+server+client set versus 0.5–3 s for RSA, and every Go/OpenSSL client speaks it. */
export const DEFAULT_KEY_TYPE: KeyType = 'ecdsa-p256'

/**
 * Ten years: the CA is copied to every client and every host of a fleet, so rotating it is the
 * expensive event; its key stays on the admin side and is not used for TLS sessions.
 */
export const CA_VALIDITY_DAYS = 3650
/**
 * 825 days is the longest TLS server certificate Apple platforms accept (HT210176, applies to private
 * CAs too), and the docker CLI on macOS verifies through the system verifier. Using the same limit
 * for client certs keeps one renewal rhythm for both.
 */
export const LEAF_VALIDITY_DAYS = 825
/** Backdating absorbs clock skew between the issuing host and dockerd/clients right after issue. */
const BACKDATE_MS = 60 * 60 * 1000
const DAY_MS = 86_400_000

/**
 * A private key that cannot leak by accident: JSON.stringify, String() and util.inspect all print a
 * placeholder. Only `toPem()` yields the key, and only bundle writers should call it.
 */
export class PrivateKey {
  readonly type: KeyType
  readonly #pem: string
  readonly #cryptoKey: CryptoKey

  /** @internal use generate/import helpers in this module. */
  constructor(type: KeyType, pem: string, cryptoKey: CryptoKey) {
    this.type = type
    this.#pem = pem
    this.#cryptoKey = cryptoKey
  }

  /** Unencrypted PKCS#8 PEM: dockerd ≥ 23 refuses encrypted keys, and Go reads PKCS#8 for every key type. */
  toPem(): string {
    return this.#pem
  }

  /** @internal the WebCrypto handle used for signing. */
  cryptoKey(): CryptoKey {
    return this.#cryptoKey
  }

  toJSON(): string {
    return '[private key]'
  }

  toString(): string {
    return '[private key]'
  }

  [inspect.custom](): string {
    return `PrivateKey(${this.type}, redacted)`
  }
}

/** A certificate with its private key. */
export interface KeyedCertificate {
  certPem: string
  key: PrivateKey
  info: CertificateInfo
}

/** A CA able to issue. Created by createCa or loaded by loadCa. */
export type CertificateAuthority = KeyedCertificate

export interface CreateCaOptions {
  commonName: string
  keyType?: KeyType
  validityDays?: number
  /** The issuing time (the clock seam's), from which validity runs. */
  now: Date
}

export interface IssueServerOptions {
  /** DNS names clients dial; `localhost` is added for the local self-test. */
  hostnames: string[]
  /** IP addresses clients dial; `127.0.0.1` is added for the local self-test. */
  ips: string[]
  keyType?: KeyType
  validityDays?: number
  /** The issuing time (the clock seam's), from which validity runs. */
  now: Date
}

export interface IssueClientOptions {
  commonName: string
  keyType?: KeyType
  validityDays?: number
  /** The issuing time (the clock seam's), from which validity runs. */
  now: Date
}

/**
 * Creates a self-signed CA: basicConstraints CA:TRUE critical with pathLen 0 (it signs leafs only),
 * keyUsage keyCertSign+cRLSign, SKI.
 */
export async function createCa(options: CreateCaOptions): Promise<CertificateAuthority> {
  const keyType = options.keyType ?? DEFAULT_KEY_TYPE
  const now = options.now
  const keys = await generateKeyPair(keyType)
  const name = subjectName(options.commonName)
  const cert = await X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: name,
    issuer: name,
    ...validity(now, options.validityDays ?? CA_VALIDITY_DAYS),
    publicKey: keys.publicKey,
    signingKey: keys.privateKey,
    signingAlgorithm: signingAlgorithm(keyType),
    extensions: [
      new BasicConstraintsExtension(true, 0, true),
      new KeyUsagesExtension(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign, true),
      await SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  })
  const key = await exportKey(keyType, keys.privateKey)
  return keyed(cert.toString('pem'), key, now)
}

/**
 * Issues dockerd's server certificate. Go ignores the CN since 1.15, so the SAN list is what
 * clients are checked against: every name and address they dial must be in it.
 */
export async function issueServerCert(ca: CertificateAuthority, options: IssueServerOptions): Promise<KeyedCertificate> {
  const keyType = options.keyType ?? DEFAULT_KEY_TYPE
  const sans = serverSans(options.hostnames, options.ips)
  return issueLeaf(ca, {
    commonName: sans.commonName,
    keyType,
    validityDays: options.validityDays,
    now: options.now,
    eku: ExtendedKeyUsage.serverAuth,
    extra: [sans.extension],
  })
}

/**
 * A server's SAN extension: the names and addresses given, plus `localhost` and `127.0.0.1` for
 * the local self-test, deduplicated and canonical; the common name is the first name given.
 * @throws UsageError for a name that is not a DNS name or an address that is not an IP.
 */
export function serverSans(
  hostnames: readonly string[],
  ipList: readonly string[],
): {commonName: string; dnsNames: string[]; ips: string[]; extension: SubjectAlternativeNameExtension} {
  const dns: string[] = []
  const ips: string[] = []
  for (const name of [...hostnames, 'localhost']) {
    const c = classifyName(name)
    if (c.kind !== 'dns') throw new UsageError(`not a DNS name: ${name}`, {remedy: 'pass IP addresses as ips, not hostnames'})
    if (!dns.includes(c.value)) dns.push(c.value)
  }
  for (const ip of [...ipList, '127.0.0.1']) {
    const c = classifyName(ip)
    if (c.kind !== 'ip') throw new UsageError(`not an IP address: ${ip}`)
    if (!ips.includes(c.value)) ips.push(c.value)
  }
  const extension = new SubjectAlternativeNameExtension([...dns.map((value) => ({type: 'dns' as const, value})), ...ips.map((value) => ({type: 'ip' as const, value}))])
  return {commonName: hostnames[0] ?? ipList[0] ?? 'localhost', dnsNames: dns, ips, extension}
}

/** Issues a client certificate (EKU clientAuth: dockerd's Go verifier rejects one that says serverAuth only). */
export async function issueClientCert(ca: CertificateAuthority, options: IssueClientOptions): Promise<KeyedCertificate> {
  return issueLeaf(ca, {
    commonName: options.commonName,
    keyType: options.keyType ?? DEFAULT_KEY_TYPE,
    validityDays: options.validityDays,
    now: options.now,
    eku: ExtendedKeyUsage.clientAuth,
    extra: [],
  })
}

/**
 * Loads an existing CA (certificate + key PEM) so one CA can issue for many hosts. Accepts PKCS#8,
 * SEC1 (`EC PRIVATE KEY`) and PKCS#1 (`RSA PRIVATE KEY`) keys as openssl writes them.
 * @throws UsageError when the files are not a CA, the key is encrypted or does not match.
 */
export async function loadCa(pemCert: string, pemKey: string, now: Date): Promise<CertificateAuthority> {
  let cert: X509Certificate
  try {
    cert = new X509Certificate(pemCert)
  } catch (error) {
    throw new UsageError('the CA certificate is not a readable PEM certificate', {details: String(error)})
  }
  if (!cert.ca) throw new UsageError(`not a CA certificate (basicConstraints CA:TRUE missing): ${cert.subject}`)
  let nodeKey
  try {
    nodeKey = createPrivateKey({key: pemKey, format: 'pem'})
  } catch (error) {
    const encrypted = /ENCRYPTED|passphrase/i.test(pemKey) || /passphrase/i.test(String(error))
    throw new UsageError(encrypted ? 'the CA key is encrypted' : 'the CA key is not a readable PEM private key', {
      remedy: encrypted ? 'decrypt it first: openssl pkey -in ca-key.pem -out ca-key.plain.pem' : undefined,
    })
  }
  const spki = (k: ReturnType<typeof createPublicKey>) => k.export({type: 'spki', format: 'der'})
  if (!spki(createPublicKey(nodeKey)).equals(spki(cert.publicKey))) {
    throw new UsageError('the CA key does not belong to the CA certificate')
  }
  const keyType = keyTypeOf(nodeKey.asymmetricKeyType, nodeKey.asymmetricKeyDetails)
  const pkcs8 = nodeKey.export({type: 'pkcs8', format: 'pem'}).toString()
  const cryptoKey = await webcrypto.subtle.importKey('pkcs8', nodeKey.export({type: 'pkcs8', format: 'der'}), importAlgorithm(keyType), true, ['sign'])
  return keyed(cert.toString(), new PrivateKey(keyType, pkcs8, cryptoKey), now)
}

// ---------------------------------------------------------------------------------------------
// Bundles on disk

/** One file a bundle writer wrote; paths are tree paths. Deliberately no content. */
export interface WrittenFile {
  path: string
  mode: number
  kind: 'certificate' | 'private-key'
}

/** What a bundle writer did, safe to print or put in --json output. */
export interface WrittenBundle {
  dir: string
  files: WrittenFile[]
  /** SHA-256 fingerprint of the certificate the bundle is about. */
  fingerprintSha256: string
  /** e.g. a pre-existing key directory readable by group/others (left as is, not chmod-ed). */
  warnings: string[]
}

export interface WriteOptions {
  /** Replace existing files. CA and client bundles refuse by default; server bundles are re-issued routinely. */
  overwrite?: boolean
  /** Owner for a client bundle written into a user's home by root. */
  owner?: {uid: number; gid: number}
}

/**
 * Writes `ca.pem` (0644) and `ca-key.pem` (0600) into `dir` (created 0700).
 * @throws RefusedError when a CA already exists there and `overwrite` is not set: replacing it
 * would orphan every certificate it issued.
 */
export async function writeCaDir(fs: FileSystem, dir: string, ca: CertificateAuthority, options: WriteOptions = {}): Promise<WrittenBundle> {
  return writeBundle(
    fs,
    dir,
    ca.info.fingerprintSha256,
    options.overwrite ?? false,
    options,
    [
      {name: CA_FILES.key, data: ca.key.toPem(), kind: 'private-key'},
      {name: CA_FILES.cert, data: ca.certPem, kind: 'certificate'},
    ],
    (existing) =>
      new RefusedError(`a CA already exists in ${dir} (${existing.join(', ')})`, {
        remedy: 'reuse it (issue from the existing CA) or pass the explicit overwrite option; replacing it invalidates every certificate it issued',
        details: {dir, existing},
      }),
  )
}

/**
 * Writes a client bundle under the names the docker CLI expects in DOCKER_CERT_PATH: `ca.pem`,
 * `cert.pem`, `key.pem` (0600). Refuses by default to replace existing files: `~/.docker` may
 * already hold the credentials for another daemon.
 */
export async function writeClientBundle(fs: FileSystem, dir: string, bundle: {caPem: string; client: KeyedCertificate}, options: WriteOptions = {}): Promise<WrittenBundle> {
  return writeBundle(
    fs,
    dir,
    bundle.client.info.fingerprintSha256,
    options.overwrite ?? false,
    options,
    leafFiles(CLIENT_FILES, bundle.client, bundle.caPem),
    (existing) =>
      new RefusedError(`client certificates already exist in ${dir} (${existing.join(', ')})`, {
        remedy: 'choose another directory (and point DOCKER_CERT_PATH at it) or pass the explicit overwrite option',
        details: {dir, existing},
      }),
  )
}

interface PendingFile {
  name: string
  data: string
  kind: WrittenFile['kind']
}

/** A leaf's key, certificate and CA under the bundle's names, key first (see writeBundle). */
function leafFiles(names: {key: string; cert: string; ca: string}, leaf: KeyedCertificate, caPem: string): PendingFile[] {
  return [
    {name: names.key, data: leaf.key.toPem(), kind: 'private-key'},
    {name: names.cert, data: leaf.certPem, kind: 'certificate'},
    {name: names.ca, data: caPem, kind: 'certificate'},
  ]
}

async function writeBundle(
  fs: FileSystem,
  dir: string,
  fingerprintSha256: string,
  overwrite: boolean,
  options: WriteOptions,
  files: PendingFile[],
  refusal: (existing: string[]) => Error,
): Promise<WrittenBundle> {
  const warnings: string[] = []
  const existingDir = await fs.stat(dir)
  if (existingDir === undefined) {
    await fs.mkdirp(dir, KEY_DIR_MODE)
  } else if (!existingDir.isDirectory()) {
    throw new UsageError(`not a directory: ${dir}`)
  } else if ((existingDir.mode & 0o077) !== 0) {
    // Not chmod-ed: the directory may be shared (/etc/docker) and the keys are 0600 anyway.
    warnings.push(`${dir} is mode ${(existingDir.mode & 0o777).toString(8)}; 700 is recommended for a directory holding private keys`)
  }
  const existing: string[] = []
  for (const file of files) {
    const target = path.posix.join(dir, file.name)
    const st = await fs.lstat(target)
    if (st === undefined) continue
    // The atomic writer follows symlinks; as root, a planted link in a user's directory would
    // redirect a key write anywhere on the host.
    if (st.isSymbolicLink()) {
      throw new RefusedError(`refusing to write through a symbolic link: ${target}`, {remedy: 'remove the link and run again'})
    }
    existing.push(file.name)
  }
  if (existing.length > 0 && !overwrite) throw refusal(existing)
  const written: WrittenFile[] = []
  // Keys first: a half-written bundle then lacks a certificate (obvious) rather than holding a
  // new certificate next to an old key (a confusing "key mismatch" at dockerd start).
  for (const file of files) {
    const target = path.posix.join(dir, file.name)
    const mode = file.kind === 'private-key' ? KEY_MODE : CERT_MODE
    await fs.writeAtomic(target, file.data, {mode, uid: options.owner?.uid, gid: options.owner?.gid})
    written.push({path: target, mode, kind: file.kind})
  }
  return {dir, files: written, fingerprintSha256, warnings}
}

// ---------------------------------------------------------------------------------------------
// Internals

async function issueLeaf(
  ca: CertificateAuthority,
  leaf: {commonName: string; keyType: KeyType; validityDays: number | undefined; now: Date; eku: ExtendedKeyUsage; extra: Extension[]},
): Promise<KeyedCertificate> {
  const keys = await generateKeyPair(leaf.keyType)
  const certPem = await signLeaf(ca, {...leaf, publicKey: keys.publicKey, rsa: leaf.keyType !== 'ecdsa-p256'})
  return keyed(certPem, await exportKey(leaf.keyType, keys.privateKey), leaf.now)
}

/**
 * Signs a leaf certificate for `publicKey` (a key generated here, or the one a CSR carries):
 * CA:FALSE, digitalSignature (plus keyEncipherment for RSA), one EKU, SKI/AKI, the extras given.
 */
export async function signLeaf(
  ca: CertificateAuthority,
  leaf: {commonName: string; publicKey: CryptoKey; rsa: boolean; validityDays: number | undefined; now: Date; eku: ExtendedKeyUsage; extra: Extension[]},
): Promise<string> {
  const now = leaf.now
  const caCert = new PeculiarCertificate(ca.certPem)
  let usage = KeyUsageFlags.digitalSignature
  // RSA key exchange (TLS 1.2 without ECDHE) encrypts the premaster secret to the leaf key; EC keys never do that.
  if (leaf.rsa) usage |= KeyUsageFlags.keyEncipherment
  const span = validity(now, leaf.validityDays ?? LEAF_VALIDITY_DAYS)
  // A leaf outliving its CA would only hide the real expiry date from `remote check`.
  if (span.notAfter > caCert.notAfter) span.notAfter = caCert.notAfter
  const cert = await X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: subjectName(leaf.commonName),
    issuer: caCert.subjectName,
    ...span,
    publicKey: leaf.publicKey,
    signingKey: ca.key.cryptoKey(),
    signingAlgorithm: signingAlgorithm(ca.key.type),
    extensions: [
      new BasicConstraintsExtension(false, undefined, true),
      new KeyUsagesExtension(usage, true),
      new ExtendedKeyUsageExtension([leaf.eku]),
      await SubjectKeyIdentifierExtension.create(leaf.publicKey),
      await AuthorityKeyIdentifierExtension.create(caCert.publicKey),
      ...leaf.extra,
    ],
  })
  const pem = cert.toString('pem')
  return pem.endsWith('\n') ? pem : `${pem}\n`
}

function keyed(certPem: string, key: PrivateKey, now: Date): KeyedCertificate {
  return {certPem: certPem.endsWith('\n') ? certPem : `${certPem}\n`, key, info: describeCertificate(certPem, now)}
}

export function subjectName(commonName: string): Array<Record<string, string[]>> {
  if (commonName.trim() === '') throw new UsageError('a certificate common name must not be empty')
  // JSON form, not "CN=..." text, so commas or equals signs in a name cannot inject RDNs.
  return [{CN: [commonName]}]
}

function validity(now: Date, days: number): {notBefore: Date; notAfter: Date} {
  if (!Number.isFinite(days) || days <= 0) throw new UsageError(`validity must be a positive number of days, got ${days}`)
  return {notBefore: new Date(now.getTime() - BACKDATE_MS), notAfter: new Date(now.getTime() + days * DAY_MS)}
}

/** 128 random bits, first byte in 0x40–0x7f: positive and minimally DER-encoded without a leading zero. */
function randomSerial(): string {
  const bytes = randomBytes(16)
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x40
  return bytes.toString('hex')
}

function generationAlgorithm(keyType: KeyType): webcrypto.EcKeyGenParams | webcrypto.RsaHashedKeyGenParams {
  switch (keyType) {
    case 'ecdsa-p256':
      return {name: 'ECDSA', namedCurve: 'P-256'}
    case 'rsa-2048':
    case 'rsa-4096':
      return {
        name: 'RSASSA-PKCS1-v1_5',
        modulusLength: keyType === 'rsa-2048' ? 2048 : 4096,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: 'SHA-256',
      }
  }
}

function importAlgorithm(keyType: KeyType): webcrypto.EcKeyImportParams | webcrypto.RsaHashedImportParams {
  return keyType === 'ecdsa-p256' ? {name: 'ECDSA', namedCurve: 'P-256'} : {name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256'}
}

export function signingAlgorithm(keyType: KeyType): webcrypto.EcdsaParams | webcrypto.Algorithm {
  return keyType === 'ecdsa-p256' ? {name: 'ECDSA', hash: 'SHA-256'} : {name: 'RSASSA-PKCS1-v1_5'}
}

export async function generateKeyPair(keyType: KeyType): Promise<CryptoKeyPair> {
  if (!KEY_TYPES.includes(keyType)) throw new UsageError(`unsupported key type: ${String(keyType)}`, {remedy: `use one of ${KEY_TYPES.join(', ')}`})
  return (await webcrypto.subtle.generateKey(generationAlgorithm(keyType), true, ['sign', 'verify'])) as CryptoKeyPair
}

export async function exportKey(keyType: KeyType, key: CryptoKey): Promise<PrivateKey> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key))
  const body = der
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '')
  return new PrivateKey(keyType, `-----BEGIN PRIVATE KEY-----\n${body}\n-----END PRIVATE KEY-----\n`, key)
}

function keyTypeOf(type: string | undefined, details: {modulusLength?: number; namedCurve?: string} | undefined): KeyType {
  if (type === 'ec' && details?.namedCurve === 'prime256v1') return 'ecdsa-p256'
  if (type === 'rsa' && details?.modulusLength === 2048) return 'rsa-2048'
  if (type === 'rsa' && details?.modulusLength === 4096) return 'rsa-4096'
  const what = type === 'rsa' ? `rsa ${details?.modulusLength}` : type === 'ec' ? `ec ${details?.namedCurve}` : String(type)
  throw new UsageError(`unsupported CA key type: ${what}`, {remedy: `dockcfg issues from ${KEY_TYPES.join(', ')} CA keys`})
}
