import * as path from 'node:path'

import {RefusedError, UsageError} from '../core/errors.js'
import type {Clock} from '../system/clock.js'
import type {FileSystem} from '../system/fs.js'
import type {WrittenFile} from './certs.js'
import {readCaDirectory} from './client.js'
import {CERT_MODE, KEY_DIR_MODE, KEY_MODE, type KeyType} from './layout.js'
import type {HostIdentity} from './sans.js'

/** The files of a host's request directory: its key (stays), the CSR (travels), then the signed certificate and CA (come back). */
export const REQUEST_FILES = {key: 'key.pem', csr: 'csr.pem', cert: 'cert.pem', ca: 'ca.pem'} as const

/** What `remote csr` reports: paths and the names asked for; never the key. */
export interface CsrResult {
  dir: string
  files: WrittenFile[]
  csr: string
  dnsNames: string[]
  ips: string[]
  keyType: KeyType
}

/** What `remote sign` reports: the certificate's identity and the SANs it carries. */
export interface SignResult {
  dir: string
  files: WrittenFile[]
  subject: string
  dnsNames: string[]
  ipAddresses: string[]
  notAfter: string
  fingerprintSha256: string
  /** The CSR's requested key (`ec P-256`, `rsa 2048`). */
  key: string
  warnings: string[]
}

/**
 * `dockcfg remote csr --out DIR`: a server key (0600, stays here) and a CSR naming this host
 * (hostname, interface addresses, --san, loopback), in DIR (created 0700). Refuses to replace a
 * key already there: its CSR may be out for signing.
 */
export async function writeServerCsr(fs: FileSystem, identity: HostIdentity, request: {dir: string; keyType: KeyType | undefined}): Promise<CsrResult> {
  const keyFile = path.join(request.dir, REQUEST_FILES.key)
  const csrFile = path.join(request.dir, REQUEST_FILES.csr)
  await prepareDir(fs, request.dir, KEY_DIR_MODE)
  for (const file of [keyFile, csrFile]) {
    const st = await fs.lstat(file)
    if (st?.isSymbolicLink()) throw new RefusedError(`refusing to write through a symbolic link: ${file}`, {remedy: 'remove the link and run again'})
    if (st !== undefined) {
      throw new RefusedError(`${file} already exists: a request made earlier may be out for signing; nothing was written`, {
        remedy: 'choose another --out directory, or remove the old request',
      })
    }
  }
  const {createServerCsr} = await import('./csr.js')
  const made = await createServerCsr({
    hostnames: identity.dnsNames.filter((d) => d !== 'localhost'),
    ips: identity.ips.filter((ip) => ip !== '127.0.0.1'),
    ...(request.keyType ? {keyType: request.keyType} : {}),
  })
  // The key first: a CSR without its key would be signed for nothing.
  await fs.writeAtomic(keyFile, made.key.toPem(), {mode: KEY_MODE})
  await fs.writeAtomic(csrFile, made.csrPem, {mode: CERT_MODE})
  return {
    dir: request.dir,
    files: [
      {path: keyFile, mode: KEY_MODE, kind: 'private-key'},
      {path: csrFile, mode: CERT_MODE, kind: 'certificate'},
    ],
    csr: csrFile,
    dnsNames: made.dnsNames,
    ips: made.ips,
    keyType: made.key.type,
  }
}

/**
 * `dockcfg remote sign --ca DIR --csr FILE --out DIR`: the CSR checked (signature, key, no CA, SANs
 * vouched for) and signed as a server certificate; cert.pem and the CA's ca.pem written to DIR, which
 * the host's request directory gets back for `remote enable --cert-dir`.
 */
export async function signServerRequest(
  fs: FileSystem,
  clock: Clock,
  request: {caDir: string; csrFile: string; outDir: string; vouched: string[]; acceptCsrSans: boolean; validityDays: number | undefined},
): Promise<SignResult> {
  const csrStat = await fs.stat(request.csrFile)
  if (csrStat === undefined) throw new UsageError(`${request.csrFile} does not exist`, {remedy: 'dockcfg remote csr --out DIR writes DIR/csr.pem on the host'})
  const {MAX_CSR_BYTES, readCsr, judgeCsrSans, signServerCsr} = await import('./csr.js')
  if (csrStat.isFile() && csrStat.size > MAX_CSR_BYTES) throw new UsageError(`${request.csrFile} is ${csrStat.size} bytes: not a certificate signing request`)
  const pem = (await fs.readText(request.csrFile)) ?? ''
  const {facts, request: csr} = await readCsr(pem, request.csrFile)
  const sans = judgeCsrSans(facts, {vouched: request.vouched, acceptAll: request.acceptCsrSans})
  const {certPem, keyPem} = await readCaDirectory((p) => fs.readText(p), request.caDir, 'dockcfg remote ca create --out DIR makes one')
  const certs = await import('./certs.js')
  const now = clock.now()
  const ca = await certs.loadCa(certPem, keyPem, now)
  if (request.validityDays !== undefined && request.validityDays > certs.LEAF_VALIDITY_DAYS) {
    throw new UsageError(`--days ${request.validityDays}: at most ${certs.LEAF_VALIDITY_DAYS} (the longest server certificate Apple clients accept)`)
  }
  const signed = await signServerCsr(ca, csr, facts, sans, {now, ...(request.validityDays !== undefined ? {validityDays: request.validityDays} : {})})

  const certFile = path.join(request.outDir, REQUEST_FILES.cert)
  const caFile = path.join(request.outDir, REQUEST_FILES.ca)
  await prepareDir(fs, request.outDir, 0o755)
  for (const file of [certFile, caFile]) {
    const st = await fs.lstat(file)
    if (st?.isSymbolicLink()) throw new RefusedError(`refusing to write through a symbolic link: ${file}`, {remedy: 'remove the link and run again'})
  }
  if ((await fs.lstat(certFile)) !== undefined) throw new RefusedError(`${certFile} already exists; nothing was written`, {remedy: 'choose another --out directory'})
  await fs.writeAtomic(certFile, signed.certPem, {mode: CERT_MODE})
  await fs.writeAtomic(caFile, ca.certPem, {mode: CERT_MODE})
  const warnings = sans.notRequested.length > 0 ? [`not in the request, so not in the certificate: ${sans.notRequested.join(', ')}`] : []
  return {
    dir: request.outDir,
    files: [
      {path: certFile, mode: CERT_MODE, kind: 'certificate'},
      {path: caFile, mode: CERT_MODE, kind: 'certificate'},
    ],
    subject: signed.info.subject,
    dnsNames: signed.info.dnsNames,
    ipAddresses: signed.info.ipAddresses,
    notAfter: signed.info.notAfter,
    fingerprintSha256: signed.info.fingerprintSha256,
    key: facts.key,
    warnings,
  }
}

async function prepareDir(fs: FileSystem, dir: string, mode: number): Promise<void> {
  const st = await fs.stat(dir)
  if (st === undefined) await fs.mkdirp(dir, mode)
  else if (!st.isDirectory()) throw new UsageError(`not a directory: ${dir}`)
}
