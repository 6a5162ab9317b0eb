import * as path from 'node:path'
import {UsageError} from '../core/errors.js'
import {isIP} from '../network/cidr.js'
import {normalizeIp} from './certificate-info.js'

/** The TLS convention from Docker's documentation: 2376 with TLS, 2375 without. */
export const DOCKER_TLS_PORT = 2376
export const DOCKER_PLAIN_PORT = 2375

/** A TCP Docker endpoint. `host` is unbracketed (IPv6 canonical); `url` is the DOCKER_HOST form. */
export interface Endpoint {
  host: string
  port: number
  url: string
}

/**
 * Parses `tcp://host:port`, `host:port`, `host`, `[v6]:port` or a bare IPv6 address.
 * Without a port, `defaultPort` (2376, the TLS port) is used; note the docker CLI itself would
 * pick 2375 for `tcp://host`, but dockcfg only ever sets up TLS on 2376.
 * @throws UsageError for other schemes (unix://, ssh://, fd://), paths, or a bad port.
 */
export function parseEndpoint(value: string, defaultPort: number = DOCKER_TLS_PORT): Endpoint {
  const raw = value.trim()
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(raw)
  if (scheme && scheme[1]?.toLowerCase() !== 'tcp') {
    throw new UsageError(`only tcp:// endpoints can be checked remotely, got ${JSON.stringify(value)}`, {
      remedy: "use tcp://HOST:2376 (unix and ssh endpoints do not go through dockerd's TCP listener)",
    })
  }
  const rest = scheme ? raw.slice(scheme[0].length) : raw
  if (rest === '') throw new UsageError('empty endpoint', {remedy: 'use tcp://HOST:2376'})
  if (/[/?#@]/.test(rest.replace(/\/$/, ''))) {
    throw new UsageError(`unexpected path, query or user in endpoint ${JSON.stringify(value)}`, {remedy: 'use tcp://HOST:PORT'})
  }
  const hostPort = rest.replace(/\/$/, '')
  let host: string
  let portText: string | undefined
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']')
    if (close < 0) throw new UsageError(`unterminated IPv6 address in ${JSON.stringify(value)}`)
    host = hostPort.slice(1, close)
    const after = hostPort.slice(close + 1)
    if (after !== '' && !after.startsWith(':')) throw new UsageError(`malformed endpoint ${JSON.stringify(value)}`)
    portText = after === '' ? undefined : after.slice(1)
    if (isIP(host) !== 6) throw new UsageError(`not an IPv6 address: ${host}`)
  } else if (isIP(hostPort) === 6) {
    host = hostPort
  } else {
    const colon = hostPort.lastIndexOf(':')
    host = colon < 0 ? hostPort : hostPort.slice(0, colon)
    portText = colon < 0 ? undefined : hostPort.slice(colon + 1)
    if (host.includes(':')) throw new UsageError(`IPv6 addresses with a port need brackets: ${JSON.stringify(value)}`, {remedy: 'use tcp://[ADDR]:PORT'})
  }
  if (host === '') throw new UsageError(`missing host in ${JSON.stringify(value)}`)
  const port = portText === undefined || portText === '' ? defaultPort : Number(portText)
  if (!/^\d*$/.test(portText ?? '') || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UsageError(`invalid port in ${JSON.stringify(value)}`)
  }
  host = isIP(host) !== 0 ? normalizeIp(host) : host.toLowerCase()
  return {host, port, url: `tcp://${isIP(host) === 6 ? `[${host}]` : host}:${port}`}
}

/** How the docker CLI would talk TLS, resolved from flags and environment (paths only, nothing read). */
export interface ClientTlsSettings {
  /** DOCKER_HOST when set and non-empty. */
  host: string | undefined
  /** TLS on at all (DOCKER_TLS, DOCKER_TLS_VERIFY or the flags). */
  tls: boolean
  /** Verify the server against the CA. */
  verify: boolean
  /** The directory defaults come from: DOCKER_CERT_PATH, else DOCKER_CONFIG, else ~/.docker. */
  certDir: string
  caFile: string
  certFile: string
  keyFile: string
  /** Which files were named explicitly; the CLI silently drops missing *default* cert/key files. */
  explicit: {ca: boolean; cert: boolean; key: boolean}
}

export interface ClientTlsInput {
  env: Readonly<Record<string, string | undefined>>
  /** Overrides DOCKER_CERT_PATH. */
  certDir?: string
  tlscacert?: string
  tlscert?: string
  tlskey?: string
  /** `--tls` when given on the command line. */
  tls?: boolean
  /** `--tlsverify` when given on the command line (even `false` turns TLS on, as in the CLI). */
  tlsverify?: boolean
  /** Where `~` is when HOME is empty: the user database's entry (the environment seam's homeDir()). */
  homeDir: string
}

/**
 * Applies the docker CLI's rules (docker/cli cli/flags/options.go): DOCKER_TLS_VERIFY set to any
 * non-empty value (even "0") means TLS with verification; DOCKER_TLS non-empty means TLS without;
 * giving --tlsverify at all, true or false, turns TLS on; files default to DOCKER_CERT_PATH, else
 * the config dir (DOCKER_CONFIG or ~/.docker), as ca.pem / cert.pem / key.pem.
 */
export function clientTlsFromEnv(input: ClientTlsInput): ClientTlsSettings {
  const env = input.env
  const nonEmpty = (name: string): boolean => (env[name] ?? '') !== ''
  const verify = input.tlsverify ?? nonEmpty('DOCKER_TLS_VERIFY')
  const tls = input.tlsverify !== undefined || verify || (input.tls ?? nonEmpty('DOCKER_TLS'))
  const home = nonEmpty('HOME') ? (env.HOME as string) : input.homeDir
  const certDir =
    input.certDir ?? (nonEmpty('DOCKER_CERT_PATH') ? (env.DOCKER_CERT_PATH as string) : nonEmpty('DOCKER_CONFIG') ? (env.DOCKER_CONFIG as string) : path.join(home, '.docker'))
  return {
    host: nonEmpty('DOCKER_HOST') ? env.DOCKER_HOST : undefined,
    tls,
    verify,
    certDir,
    caFile: input.tlscacert ?? path.join(certDir, 'ca.pem'),
    certFile: input.tlscert ?? path.join(certDir, 'cert.pem'),
    keyFile: input.tlskey ?? path.join(certDir, 'key.pem'),
    explicit: {ca: input.tlscacert !== undefined, cert: input.tlscert !== undefined, key: input.tlskey !== undefined},
  }
}

/** PEM material for checkEndpoint. `verify: false` is `--tls` without `--tlsverify`. */
export interface ClientTls {
  ca?: string | undefined
  cert?: string | undefined
  key?: string | undefined
  verify: boolean
}

/**
 * Reads the files named by `settings` the way the CLI does: missing default cert/key files are
 * dropped, explicit ones must exist, the CA is read only when verifying, cert and key go together.
 * @param readFile returns undefined for a missing file (the caller decides which filesystem).
 * @returns undefined when TLS is off.
 * @throws UsageError for a missing required file or a cert without its key.
 */
export async function loadClientTls(settings: ClientTlsSettings, readFile: (hostPath: string) => Promise<string | undefined>): Promise<ClientTls | undefined> {
  if (!settings.tls) return undefined
  const optional = async (file: string, explicit: boolean, what: string): Promise<string | undefined> => {
    const text = await readFile(file)
    if (text === undefined && explicit) throw new UsageError(`could not read ${what} ${file}`)
    return text
  }
  let ca: string | undefined
  if (settings.verify) {
    ca = await readFile(settings.caFile)
    // Unlike cert/key, a missing CA is an error in the CLI too (go-connections loads it unconditionally when verifying).
    if (ca === undefined) {
      throw new UsageError(`could not read CA certificate ${settings.caFile}`, {remedy: 'copy the CA as ca.pem into DOCKER_CERT_PATH or pass --tlscacert'})
    }
  }
  const cert = await optional(settings.certFile, settings.explicit.cert, 'client certificate')
  const key = await optional(settings.keyFile, settings.explicit.key, 'client key')
  if ((cert === undefined) !== (key === undefined)) {
    throw new UsageError(`a client certificate needs its key: found ${cert === undefined ? settings.keyFile : settings.certFile} only`, {
      remedy: `put both cert.pem and key.pem in ${settings.certDir}`,
    })
  }
  return {ca, cert, key, verify: settings.verify}
}
