import * as path from 'node:path'

import type {ApplyOptions, ApplyResult} from '../apply/plan.js'
import type {FileChange} from '../core/file-change.js'
import {RefusedError, UsageError} from '../core/errors.js'
import type {Finding} from '../core/findings.js'
import type {KeyChange} from '../daemon-config/edit.js'
import type {EffectiveConfig} from '../effective/effective.js'
import type {FileSystem} from '../system/fs.js'
import type {System} from '../system/index.js'
import {type ContextResult, validateContextName} from './docker-context.js'
import type {CertificateAuthority} from './certs.js'
import {type CertificateInfo, describeCertificate} from './certificate-info.js'
import type {CheckResult} from './endpoint-verdict.js'
import {DOCKER_PLAIN_PORT, DOCKER_TLS_PORT} from './endpoint.js'
import {CERT_MODE, KEY_MODE, type KeyType, clientBundlePaths, isLoopbackAddress, isWildcardAddress, parseTcpListener, reachableLocally, tcpHost} from './layout.js'
import {TLS_DIR, TLS_PATHS} from '../core/managed-files.js'
import {checkProvidedServer, isCaCertificate, missingSans, reusableLeaf, sameCertificate} from './material.js'
import {dockerContextCommand, readCaDirectory} from './client.js'
import {classifyName, type HostIdentity, hostIdentity, localHostIdentity} from './sans.js'

export interface EnableRequest {
  configFile: string
  dockerdVersion: string | undefined
  /** Bind address; default 0.0.0.0 with TLS, 127.0.0.1 with --insecure. */
  address: string | undefined
  /** Default 2376 with TLS, 2375 with --insecure (Docker's convention). */
  port: number | undefined
  sans: string[]
  /** A CA directory on this machine (ca.pem + ca-key.pem) shared by a fleet. */
  caDir: string | undefined
  /** A server certificate, its key and its CA brought by the user (files of this machine), instead of issuing one. */
  provided?: {cert: string; key: string; ca: string}
  keyType: KeyType | undefined
  /** Extra client bundle directory (tree path). */
  clientOut: string | undefined
  insecure: boolean
  command: string
  apply: ApplyOptions
  /** Reads a file of this machine (the --ca directory lives with the admin, not in --root). */
  readLocalFile: (hostPath: string) => Promise<string | undefined>
  /** Overrides this machine's hostname and interface addresses (tests, --root trees). */
  identity?: HostIdentity
  /**
   * A docker context to create or update with the client bundle, in this machine's docker CLI
   * store (`store` is this machine's filesystem, also under --root).
   */
  context?: {name: string; configDir: string; store: FileSystem}
}

export interface EnableCertificates {
  ca: {source: 'shared' | 'host-local' | 'provided'; path: string; reused: boolean; subject: string; fingerprintSha256: string; notAfter: string}
  server: {path: string; keyPath: string; reused: boolean; reason?: string; dnsNames: string[]; ipAddresses: string[]; notAfter: string; fingerprintSha256: string}
  client?: {dir: string; reused: boolean; fingerprintSha256: string; notAfter: string}
}

export interface ConnectInstructions {
  endpoint: string
  env: Record<string, string>
  context: string
}

/** The typed result of `remote enable` (also its --json output). Never holds key material. */
export interface EnableResult extends ApplyResult {
  mode: 'tls' | 'insecure'
  listener: string
  hosts: string[]
  actions: string[]
  findings: Finding[]
  certificates?: EnableCertificates
  /** --insecure: what the plaintext listener exposes. */
  exposure?: string
  connect: ConnectInstructions
  /** The docker context --context created or updated (or, on a dry run, would). */
  context?: ContextResult
  /** The listener checked over mutual TLS after the restart (live host only). */
  selfCheck?: {endpoint: string; ok: boolean; verdict: CheckResult['verdict']; findings: CheckResult['findings']}
  dockerdVersion: string | undefined
}

/** What `remote enable` decides before daemon.json's keys are planned: the listener, the TLS keys, the certificate files. */
export interface RemoteAccessPlan {
  insecure: boolean
  address: string
  port: number
  listener: string
  /** The complete listener list daemon.json's `hosts` gets. */
  hosts: string[]
  keys: KeyChange[]
  certChanges: FileChange[]
  certificates?: EnableCertificates
  /** A client certificate the self-check can present (from the bundle, or issued in memory). */
  selfTestClient?: {certPem: string; keyPem: string; caPem: string}
  actions: string[]
}

/**
 * Plans `dockcfg remote enable` on the tree as it is (`current`): issues (or reuses) this host's
 * certificates, adds the TCP listener next to the local ones and switches on client verification.
 * @throws RefusedError (7, nothing changed) for --insecure on a non-loopback address without --yes.
 */
export async function planRemoteAccess(system: System, current: EffectiveConfig, request: EnableRequest): Promise<RemoteAccessPlan> {
  const insecure = request.insecure
  const address = normalizeAddress(request.address ?? (insecure ? '127.0.0.1' : '0.0.0.0'))
  const port = request.port ?? (insecure ? DOCKER_PLAIN_PORT : DOCKER_TLS_PORT)
  const listener = tcpHost(address, port)
  if (request.context !== undefined) validateContextName(request.context.name)
  if (insecure) refuseUnsafeInsecure(address, port, request.apply.yes)
  if (insecure && (request.caDir !== undefined || request.clientOut !== undefined || request.sans.length > 0 || request.keyType !== undefined)) {
    throw new UsageError('--insecure sets up a plaintext listener: --ca, --client-out, --san and --key-type do not apply')
  }

  const config = current.daemonJson.parsed.value
  const otherTcp = current.hosts.filter((h) => parseTcpListener(h) !== undefined && h !== listener)
  // Duplicates go, the first occurrence stays (dockerd would de-duplicate anyway).
  const hosts = [...new Set([...current.hosts, listener])]

  let keys: KeyChange[]
  let certChanges: FileChange[] = []
  let certificates: EnableCertificates | undefined
  let selfTestClient: {certPem: string; keyPem: string; caPem: string} | undefined
  const actions: string[] = []
  if (insecure) {
    if (config.tlsverify === true && otherTcp.length > 0) {
      throw new RefusedError(`--insecure would also switch TLS off for ${otherTcp.join(', ')}, which serve the API with client verification now; nothing was changed`, {
        remedy: 'run dockcfg remote disable first if you really want a plaintext listener',
      })
    }
    // "tls": false explicitly: without it dockerd 20.10+ sleeps 15 s at every start for a
    // non-loopback plaintext listener (dockerd-options.md 4.3).
    keys = [
      {key: 'tls', value: false},
      {key: 'tlsverify', value: undefined},
      {key: 'tlscacert', value: undefined},
      {key: 'tlscert', value: undefined},
      {key: 'tlskey', value: undefined},
    ]
  } else {
    const identity = withAddress(request.identity ?? localHostIdentity(system.network, {extraSans: request.sans}), address)
    const material = request.provided !== undefined ? await planProvided(system, request, request.provided, identity, address) : await planCertificates(system, request, identity)
    certChanges = material.changes
    certificates = material.certificates
    selfTestClient = material.selfTestClient
    actions.push(...material.actions)
    keys = [
      {key: 'tlsverify', value: true},
      {key: 'tlscacert', value: TLS_PATHS.ca},
      {key: 'tlscert', value: TLS_PATHS.cert},
      {key: 'tlskey', value: TLS_PATHS.key},
      // A "tls": false left by an earlier --insecure would read as "TLS off" to people, even though tlsverify wins.
      ...(config.tls === false ? [{key: 'tls', value: undefined}] : []),
    ]
    if (otherTcp.length > 0) actions.push(`note: ${otherTcp.join(', ')} will require client certificates too (tlsverify applies to every TCP listener)`)
  }
  return {
    insecure,
    address,
    port,
    listener,
    hosts,
    keys,
    certChanges,
    ...(certificates ? {certificates} : {}),
    ...(selfTestClient ? {selfTestClient} : {}),
    actions,
  }
}

function refuseUnsafeInsecure(address: string, port: number, yes: boolean): void {
  if (isLoopbackAddress(address) || yes) return
  throw new RefusedError(`refusing to serve the Docker API in plaintext on ${tcpHost(address, port)}: ${exposureText(address, port)}. Nothing was changed`, {
    remedy: 'use TLS (dockcfg remote enable without --insecure), bind to 127.0.0.1, or pass --yes if this network is truly private',
    details: {address, port},
  })
}

/** What a plaintext listener hands out, in plain words. */
export function exposureText(address: string, port: number): string {
  const who = isLoopbackAddress(address)
    ? 'every local user and process on this host, including web pages open in a local browser (DNS rebinding)'
    : `anyone who can reach ${isWildcardAddress(address) ? 'any address of this host' : address} on port ${port}; exposed Docker APIs are found and taken over within the hour`
  return `the Docker API without encryption or authentication gives ${who} full root access to this host`
}

function normalizeAddress(raw: string): string {
  const a = raw.trim().replace(/^\[|\]$/g, '')
  const remedy = 'use an IP address of this host, 0.0.0.0 for all, or 127.0.0.1'
  if (a === '' || /[\s/]/.test(a)) throw new UsageError(`--address ${JSON.stringify(raw)} is not an address to listen on`, {remedy})
  if (isWildcardAddress(a)) return a
  // The same rule as --san (the address goes into the certificate), but the error names --address.
  if (a.startsWith('*')) throw new UsageError(`--address ${JSON.stringify(raw)} is a wildcard name, not an address to listen on`, {remedy})
  try {
    classifyName(a, '--address')
  } catch (error) {
    throw error instanceof UsageError ? new UsageError(error.message, {remedy}) : error
  }
  return a
}

/** A specific bind address is what clients dial: it must be in the certificate even if no interface shows it yet. */
function withAddress(identity: HostIdentity, address: string): HostIdentity {
  if (isWildcardAddress(address) || isLoopbackAddress(address)) return identity
  const extra = hostIdentity({hostname: '', interfaces: [], extraSans: [address]})
  return {
    dnsNames: [...new Set([...identity.dnsNames, ...extra.dnsNames])],
    ips: [...new Set([...identity.ips, ...extra.ips])],
    skipped: identity.skipped,
  }
}

interface CertificatePlan {
  changes: FileChange[]
  certificates: EnableCertificates
  actions: string[]
  /** A client certificate the self-check can present (from the bundle, or issued in memory). */
  selfTestClient?: {certPem: string; keyPem: string; caPem: string}
}

/**
 * Decides, file by file, what to keep and what to issue. The CA: --ca's, else the host-local one
 * already in /etc/docker/tls, else a new host-local CA. The server certificate is kept when it
 * chains to that CA, matches its key, covers every SAN and is not near expiry.
 */
async function planCertificates(system: System, request: EnableRequest, identity: HostIdentity): Promise<CertificatePlan> {
  const read = (p: string) => system.fs.readText(p)
  const [caOnHost, caKeyOnHost, certOnHost, keyOnHost] = await Promise.all([read(TLS_PATHS.ca), read(TLS_PATHS.caKey), read(TLS_PATHS.cert), read(TLS_PATHS.key)])
  const changes: FileChange[] = []
  const actions: string[] = []
  const keyType = request.keyType
  const now = system.clock.now()
  let certs: typeof import('./certs.js') | undefined
  const lib = async () => (certs ??= await import('./certs.js'))

  // 1. The CA.
  let caPem: string
  let caKeyPem: string | undefined
  let source: 'shared' | 'host-local'
  let caReused = true
  let ca: CertificateAuthority | undefined
  if (request.caDir !== undefined) {
    source = 'shared'
    const dir = request.caDir
    const shared = await readCaDirectory(request.readLocalFile, dir, 'create one with: dockcfg remote ca create --out DIR')
    ca = await (await lib()).loadCa(shared.certPem, shared.keyPem, now)
    caPem = ca.certPem
    caReused = sameCertificate(caOnHost, caPem)
    if (!caReused && caOnHost !== undefined) actions.push(`tlscacert: ${TLS_PATHS.ca} now holds the shared CA from ${dir}; client certificates of the previous CA stop working`)
    // A host-local CA key next to a shared CA certificate would make the directory lie about which CA it is.
    if (caKeyOnHost !== undefined) changes.push({path: TLS_PATHS.caKey, before: caKeyOnHost, after: undefined})
  } else if (caOnHost !== undefined && caKeyOnHost !== undefined && isCaCertificate(caOnHost)) {
    source = 'host-local'
    caPem = caOnHost
    caKeyPem = caKeyOnHost
  } else if (caOnHost !== undefined && caKeyOnHost === undefined && isCaCertificate(caOnHost)) {
    // Enabled earlier from a shared CA: the host cannot issue from it.
    source = 'shared'
    caPem = caOnHost
  } else {
    source = 'host-local'
    ca = await (await lib()).createCa({commonName: `dockcfg host CA ${identity.dnsNames[0] ?? 'docker'}`, now, ...(keyType ? {keyType} : {})})
    caPem = ca.certPem
    caKeyPem = ca.key.toPem()
    caReused = false
    actions.push(`created a host-local CA in ${TLS_DIR} (ca.pem, ca-key.pem)`)
  }
  changes.push({path: TLS_PATHS.ca, before: caOnHost, after: caReused && caOnHost !== undefined ? caOnHost : caPem, newFileMode: CERT_MODE})
  if (source === 'host-local' && caKeyPem !== undefined) changes.push({path: TLS_PATHS.caKey, before: caKeyOnHost, after: caKeyPem, newFileMode: KEY_MODE})
  const issuer = async (): Promise<CertificateAuthority> => {
    if (ca !== undefined) return ca
    if (caKeyPem === undefined) {
      throw new UsageError(`this host's certificates come from a shared CA (${TLS_PATHS.ca} without its key) and need re-issuing`, {
        remedy: 'pass the CA directory: dockcfg remote enable --ca DIR',
      })
    }
    ca = await (await lib()).loadCa(caPem, caKeyPem, now)
    return ca
  }

  // 2. The server certificate.
  const server = reusableLeaf({certPem: certOnHost, keyPem: keyOnHost}, caPem, 'serverAuth', now)
  const missing = server.ok && server.info ? missingSans(server.info, identity) : []
  let serverCert: string
  let serverReason: string | undefined
  if (server.ok && missing.length === 0 && certOnHost !== undefined && keyOnHost !== undefined) {
    serverCert = certOnHost
    changes.push(
      {path: TLS_PATHS.key, before: keyOnHost, after: keyOnHost, newFileMode: KEY_MODE},
      {path: TLS_PATHS.cert, before: certOnHost, after: certOnHost, newFileMode: CERT_MODE},
    )
  } else {
    serverReason = certOnHost === undefined ? undefined : missing.length > 0 ? `it does not cover ${missing.join(', ')}` : server.reason
    const issued = await (
      await lib()
    ).issueServerCert(await issuer(), {
      hostnames: identity.dnsNames.filter((d) => d !== 'localhost'),
      ips: identity.ips.filter((ip) => ip !== '127.0.0.1'),
      now,
      ...(keyType ? {keyType} : {}),
    })
    serverCert = issued.certPem
    // Key first in the list: the writes happen in this order (a half-written pair lacks a cert rather than mismatching).
    changes.push(
      {path: TLS_PATHS.key, before: keyOnHost, after: issued.key.toPem(), newFileMode: KEY_MODE},
      {path: TLS_PATHS.cert, before: certOnHost, after: issued.certPem, newFileMode: CERT_MODE},
    )
    actions.push(`issued the server certificate ${TLS_PATHS.cert}${serverReason ? ` (the previous one: ${serverReason})` : ''}`)
  }
  const serverInfo = describeCertificate(serverCert, now)
  for (const s of identity.skipped) if (s.reason !== 'loopback') actions.push(`note: ${s.value} is not in the server certificate (${s.reason})`)

  // 3. Client bundles: the host-local CA's own, and --client-out.
  let client: EnableCertificates['client']
  let selfTestClient: CertificatePlan['selfTestClient']
  const bundleDirs = [...(source === 'host-local' ? [TLS_PATHS.clientDir] : []), ...(request.clientOut !== undefined ? [path.posix.resolve('/', request.clientOut)] : [])]
  if (source === 'shared' && request.caDir !== undefined) {
    // The previous host-local CA's client bundle stops working with the shared CA.
    for (const p of Object.values(clientBundlePaths(TLS_PATHS.clientDir))) {
      const before = await read(p)
      if (before !== undefined && !bundleDirs.includes(TLS_PATHS.clientDir)) changes.push({path: p, before, after: undefined})
    }
  }
  for (const dir of [...new Set(bundleDirs)]) {
    const planned = await planClientBundle(system, dir, caPem, issuer, keyType, dir !== TLS_PATHS.clientDir, identity)
    changes.push(...planned.changes)
    if (!planned.reused) actions.push(`wrote a client bundle to ${dir} (ca.pem, cert.pem, key.pem): copy it to the machines that manage this host`)
    if (dir === bundleDirs[0]) {
      client = {dir, reused: planned.reused, fingerprintSha256: planned.info.fingerprintSha256, notAfter: planned.info.notAfter}
      selfTestClient = {certPem: planned.certPem, keyPem: planned.keyPem, caPem}
    }
  }
  if (selfTestClient === undefined && (ca !== undefined || caKeyPem !== undefined)) {
    // A shared CA without --client-out: a throw-away client certificate for the self-check only.
    const c = await (await lib()).issueClientCert(await issuer(), {commonName: 'dockcfg self-check', validityDays: 1, now})
    selfTestClient = {certPem: c.certPem, keyPem: c.key.toPem(), caPem}
  }

  const caInfo = describeCertificate(caPem, now)
  for (const change of changes) await refuseSymlink(system, change.path)
  return {
    changes,
    actions,
    ...(selfTestClient ? {selfTestClient} : {}),
    certificates: {
      ca: {source, path: TLS_PATHS.ca, reused: caReused, subject: caInfo.subject, fingerprintSha256: caInfo.fingerprintSha256, notAfter: caInfo.notAfter},
      server: {
        path: TLS_PATHS.cert,
        keyPath: TLS_PATHS.key,
        reused: serverCert === certOnHost,
        ...(serverReason ? {reason: serverReason} : {}),
        dnsNames: serverInfo.dnsNames,
        ipAddresses: serverInfo.ipAddresses,
        notAfter: serverInfo.notAfter,
        fingerprintSha256: serverInfo.fingerprintSha256,
      },
      ...(client ? {client} : {}),
    },
  }
}

/**
 * Bring-your-own certificates: the files are checked as a set (chain, key, usage, validity, names)
 * before anything is planned, then go through the same change as issued ones. There is no CA key,
 * so no client bundle and no self-check with a client certificate.
 */
async function planProvided(
  system: System,
  request: EnableRequest,
  files: {cert: string; key: string; ca: string},
  identity: HostIdentity,
  address: string,
): Promise<CertificatePlan> {
  const read = async (file: string, what: string): Promise<string> => {
    const text = await request.readLocalFile(file)
    if (text === undefined)
      throw new UsageError(`cannot read the ${what} ${file}`, {remedy: 'remote csr and remote sign make key.pem, cert.pem and ca.pem in one directory: --cert-dir DIR'})
    return text
  }
  const material = {certPem: await read(files.cert, 'server certificate'), keyPem: await read(files.key, 'server key'), caPem: await read(files.ca, 'CA certificate')}
  const now = system.clock.now()
  const wanted = [...request.sans, ...(isWildcardAddress(address) || isLoopbackAddress(address) ? [] : [address])]
  const required = hostIdentity({hostname: '', interfaces: [], extraSans: wanted})
  const {info, warnings} = checkProvidedServer(
    material,
    {
      required: {dnsNames: required.dnsNames.filter((d) => d !== 'localhost'), ips: required.ips.filter((ip) => ip !== '127.0.0.1')},
      host: identity,
    },
    now,
  )
  const fsRead = (p: string) => system.fs.readText(p)
  const [caOnHost, caKeyOnHost, certOnHost, keyOnHost] = await Promise.all([fsRead(TLS_PATHS.ca), fsRead(TLS_PATHS.caKey), fsRead(TLS_PATHS.cert), fsRead(TLS_PATHS.key)])
  const changes: FileChange[] = [
    {path: TLS_PATHS.ca, before: caOnHost, after: material.caPem, newFileMode: CERT_MODE},
    // Key before certificate, as for issued ones: a half-written pair lacks a certificate rather than mismatching.
    {path: TLS_PATHS.key, before: keyOnHost, after: material.keyPem, newFileMode: KEY_MODE},
    {path: TLS_PATHS.cert, before: certOnHost, after: material.certPem, newFileMode: CERT_MODE},
  ]
  // The host-local CA's key and its client bundle belong to a CA this host no longer serves with.
  if (caKeyOnHost !== undefined) changes.push({path: TLS_PATHS.caKey, before: caKeyOnHost, after: undefined})
  if (!sameCertificate(caOnHost, material.caPem)) {
    for (const p of Object.values(clientBundlePaths(TLS_PATHS.clientDir))) {
      const before = await fsRead(p)
      if (before !== undefined) changes.push({path: p, before, after: undefined})
    }
  }
  for (const change of changes) await refuseSymlink(system, change.path)
  const caInfo = describeCertificate(material.caPem, now)
  const reused = certOnHost === material.certPem && keyOnHost === material.keyPem
  return {
    changes,
    actions: [
      ...(reused ? [] : [`installed the server certificate given (${files.cert}) as ${TLS_PATHS.cert}, its key as ${TLS_PATHS.key} (0600)`]),
      ...warnings.map((w) => `note: ${w}`),
      'note: no CA key here, so no client certificate to check the listener with: run remote check from a machine with a client bundle',
    ],
    certificates: {
      ca: {
        source: 'provided',
        path: TLS_PATHS.ca,
        reused: sameCertificate(caOnHost, material.caPem),
        subject: caInfo.subject,
        fingerprintSha256: caInfo.fingerprintSha256,
        notAfter: caInfo.notAfter,
      },
      server: {
        path: TLS_PATHS.cert,
        keyPath: TLS_PATHS.key,
        reused,
        dnsNames: info.dnsNames,
        ipAddresses: info.ipAddresses,
        notAfter: info.notAfter,
        fingerprintSha256: info.fingerprintSha256,
      },
    },
  }
}

async function planClientBundle(
  system: System,
  dir: string,
  caPem: string,
  issuer: () => Promise<CertificateAuthority>,
  keyType: KeyType | undefined,
  userDir: boolean,
  identity: HostIdentity,
): Promise<{changes: FileChange[]; reused: boolean; info: CertificateInfo; certPem: string; keyPem: string}> {
  const files = clientBundlePaths(dir)
  const now = system.clock.now()
  const [ca, cert, key] = await Promise.all([system.fs.readText(files.ca), system.fs.readText(files.cert), system.fs.readText(files.key)])
  const verdict = reusableLeaf({certPem: cert, keyPem: key}, caPem, 'clientAuth', now)
  if (verdict.ok && verdict.info && cert !== undefined && key !== undefined && sameCertificate(ca, caPem)) {
    return {changes: [], reused: true, info: verdict.info, certPem: cert, keyPem: key}
  }
  if (userDir && (ca !== undefined || cert !== undefined || key !== undefined)) {
    // The directory may hold the credentials for another daemon (~/.docker): never clobber them.
    throw new RefusedError(`${dir} already holds client certificates that do not belong to this CA; nothing was changed`, {
      remedy: 'choose another --client-out directory, or remove those files first',
    })
  }
  const lib = await import('./certs.js')
  const issued = await lib.issueClientCert(await issuer(), {commonName: `dockcfg client for ${identity.dnsNames[0] ?? 'docker'}`, now, ...(keyType ? {keyType} : {})})
  const keyPem = issued.key.toPem()
  return {
    changes: [
      {path: files.key, before: key, after: keyPem, newFileMode: KEY_MODE},
      {path: files.cert, before: cert, after: issued.certPem, newFileMode: CERT_MODE},
      {path: files.ca, before: ca, after: caPem, newFileMode: CERT_MODE},
    ],
    reused: false,
    info: issued.info,
    certPem: issued.certPem,
    keyPem,
  }
}

/** The atomic writer follows symlinks: as root, a planted link would redirect a key write anywhere. */
async function refuseSymlink(system: System, treePath: string): Promise<void> {
  const st = await system.fs.lstat(treePath)
  if (st?.isSymbolicLink()) throw new RefusedError(`refusing to write through a symbolic link: ${treePath}; nothing was changed`, {remedy: 'remove the link and run again'})
}

/** Directories that will hold private keys are created root-only before the engine writes into them. */
export async function ensurePrivateDirs(system: System, changes: readonly FileChange[]): Promise<string[]> {
  const dirs = new Set(changes.filter((c) => c.after !== undefined && c.before === undefined).map((c) => path.posix.dirname(c.path)))
  const created: string[] = []
  for (const dir of [...dirs].sort()) {
    if ((await system.fs.stat(dir)) !== undefined) continue
    // Record every level mkdirp creates, so a rollback can take them all away again.
    for (let d = dir; d !== '/' && (await system.fs.stat(d)) === undefined; d = path.posix.dirname(d)) created.push(d)
    // Only the key directory itself is private; parents such as /etc/docker keep the usual 0755.
    await system.fs.mkdirp(path.posix.dirname(dir), 0o755)
    await system.fs.mkdirp(dir, 0o700)
  }
  return created
}

export function connectInstructions(listener: string, insecure: boolean, certificates: EnableCertificates | undefined, name: string): ConnectInstructions {
  const parsed = parseTcpListener(listener) ?? {address: '127.0.0.1', port: DOCKER_TLS_PORT}
  let dial = parsed.address
  if (isWildcardAddress(dial)) {
    // A wildcard is not dialable: name the first address in the certificate other than loopback.
    dial = certificates?.server.ipAddresses.find((ip) => !isLoopbackAddress(ip)) ?? certificates?.server.dnsNames.find((d) => d !== 'localhost') ?? '127.0.0.1'
  }
  const endpoint = tcpHost(dial, parsed.port)
  const contextName = `dockcfg-${name.replace(/[^A-Za-z0-9_.-]/g, '-')}`
  if (insecure) {
    return {endpoint, env: {DOCKER_HOST: endpoint}, context: `docker context create ${contextName} --docker "host=${endpoint}"`}
  }
  const dir = certificates?.client?.dir ?? '<directory with ca.pem, cert.pem, key.pem from: dockcfg remote client-cert --ca DIR --out DIR>'
  return {
    endpoint,
    env: {DOCKER_HOST: endpoint, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: dir},
    context: dockerContextCommand(contextName, endpoint, dir),
  }
}

export async function selfCheck(system: System, listener: string, client: {certPem: string; keyPem: string; caPem: string}): Promise<NonNullable<EnableResult['selfCheck']>> {
  const {checkEndpoint} = await import('./endpoint-probe.js')
  const local = reachableLocally(parseTcpListener(listener) as {address: string; port: number})
  const endpoint = tcpHost(local.address, local.port)
  // dockerd has just answered its health check on the local socket; the TCP listener comes up in the same start.
  let result: CheckResult | undefined
  for (let attempt = 0; attempt < 3; attempt++) {
    result = await checkEndpoint(system, {endpoint, tls: {ca: client.caPem, cert: client.certPem, key: client.keyPem, verify: true}, timeoutMs: 5_000})
    if (result.ok) break
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
  const r = result as CheckResult
  return {endpoint, ok: r.ok, verdict: r.verdict, findings: r.findings}
}
