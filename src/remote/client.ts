import * as path from 'node:path'

import {UsageError} from '../core/errors.js'
import type {Clock} from '../system/clock.js'
import type {FileSystem} from '../system/fs.js'
import type {WrittenFile} from './certs.js'
import {type KeyType, clientBundlePaths} from './layout.js'
import {CA_FILES} from '../core/managed-files.js'
import {type ContextResult, validateContextName, writeDockerContext} from './docker-context.js'
import {parseEndpoint} from './endpoint.js'

/** What `remote ca create` and `remote client-cert` report: paths, modes, fingerprints; never a key. */
export interface BundleResult {
  dir: string
  files: WrittenFile[]
  subject: string
  fingerprintSha256: string
  notAfter: string
  warnings: string[]
  /** The docker context created or updated with this bundle (client-cert --context). */
  context?: ContextResult
}

/** A docker context to store a client bundle in: the CLI's configuration directory, the name, the endpoint it reaches. */
export interface BundleContextRequest {
  configDir: string
  name: string
  endpoint: string
}

/**
 * `dockcfg remote ca create --out DIR`: a CA for a fleet, made once on the control machine.
 * Refuses (exit 7) to replace an existing CA: that would orphan every certificate it issued.
 */
export async function createCaDirectory(fs: FileSystem, clock: Clock, request: {dir: string; keyType: KeyType | undefined; commonName: string | undefined}): Promise<BundleResult> {
  const certs = await import('./certs.js')
  const ca = await certs.createCa({commonName: request.commonName ?? 'dockcfg fleet CA', now: clock.now(), ...(request.keyType ? {keyType: request.keyType} : {})})
  const written = await certs.writeCaDir(fs, request.dir, ca)
  return {dir: written.dir, files: written.files, subject: ca.info.subject, fingerprintSha256: ca.info.fingerprintSha256, notAfter: ca.info.notAfter, warnings: written.warnings}
}

/**
 * `dockcfg remote client-cert --ca DIR --out DIR`: a client bundle under the names the docker CLI
 * reads from DOCKER_CERT_PATH (ca.pem, cert.pem, key.pem 0600). Refuses to replace existing files.
 */
export async function issueClientBundle(
  fs: FileSystem,
  clock: Clock,
  request: {caDir: string; outDir: string; name: string | undefined; keyType: KeyType | undefined; owner?: {uid: number; gid: number}; context?: BundleContextRequest},
): Promise<BundleResult> {
  // Checked before anything is written: a bad name must not leave a bundle without its context.
  const context = request.context && {...request.context, name: validateContextName(request.context.name), endpoint: parseEndpoint(request.context.endpoint).url}
  const {certPem, keyPem} = await readCaDirectory(
    (p) => fs.readText(p),
    request.caDir,
    'dockcfg remote ca create --out DIR makes one; on a host enabled without --ca the CA is /etc/docker/tls',
  )
  const certs = await import('./certs.js')
  const now = clock.now()
  const ca = await certs.loadCa(certPem, keyPem, now)
  const client = await certs.issueClientCert(ca, {commonName: request.name ?? 'dockcfg client', now, ...(request.keyType ? {keyType: request.keyType} : {})})
  const written = await certs.writeClientBundle(fs, request.outDir, {caPem: ca.certPem, client}, request.owner ? {owner: request.owner} : {})
  const stored =
    context &&
    (await writeDockerContext(
      fs,
      context.configDir,
      {name: context.name, host: context.endpoint, tls: {caPem: ca.certPem, certPem: client.certPem, keyPem: client.key.toPem()}, description: `${context.endpoint} (dockcfg)`},
      {dryRun: false},
    ))
  return {
    ...(stored ? {context: stored} : {}),
    dir: written.dir,
    files: written.files,
    subject: client.info.subject,
    fingerprintSha256: client.info.fingerprintSha256,
    notAfter: client.info.notAfter,
    warnings: written.warnings,
  }
}

/**
 * Reads the certificate and key of a CA directory (ca.pem, ca-key.pem), without parsing them.
 * @param read returns undefined for a missing file (the caller decides which filesystem).
 * @param remedy where the user gets a CA directory, for the error.
 * @throws UsageError naming the file that is missing.
 */
export async function readCaDirectory(read: (file: string) => Promise<string | undefined>, dir: string, remedy: string): Promise<{certPem: string; keyPem: string}> {
  const [certPem, keyPem] = await Promise.all([read(path.join(dir, CA_FILES.cert)), read(path.join(dir, CA_FILES.key))])
  if (certPem === undefined || keyPem === undefined) {
    throw new UsageError(`${dir} is not a CA directory: ${certPem === undefined ? CA_FILES.cert : CA_FILES.key} is missing`, {remedy})
  }
  return {certPem, keyPem}
}

/** `docker context create` for an endpoint and a client bundle directory. */
export function dockerContextCommand(name: string, endpoint: string, dir: string): string {
  const files = clientBundlePaths(dir)
  return `docker context create ${name} --docker "host=${endpoint},ca=${files.ca},cert=${files.cert},key=${files.key}"`
}
