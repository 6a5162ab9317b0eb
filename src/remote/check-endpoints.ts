import {DockcfgError} from '../core/errors.js'
import {ExitCode} from '../core/exit-codes.js'
import {inspectEffective} from '../effective/effective.js'
import type {System} from '../system/index.js'
import type {CheckResult} from './endpoint-verdict.js'
import {type ClientTls, type ClientTlsSettings, clientTlsFromEnv, loadClientTls, parseEndpoint} from './endpoint.js'
import {clientBundlePaths, parseTcpListener, reachableLocally, tcpHost} from './layout.js'
import {TLS_PATHS} from '../core/managed-files.js'

export interface RemoteCheckRequest {
  /** The ENDPOINT argument. */
  endpoint: string | undefined
  certDir?: string | undefined
  tlscacert?: string | undefined
  tlscert?: string | undefined
  tlskey?: string | undefined
  timeoutMs: number
  configFile: string
  dockerdVersion: string | undefined
  /** Reads a client file of this machine (undefined when missing). */
  readFile: (hostPath: string) => Promise<string | undefined>
}

/** The typed result of `remote check` (also its --json output). */
export interface RemoteCheckReport {
  ok: boolean
  /** Where the endpoints came from. */
  source: 'argument' | 'DOCKER_HOST' | 'configuration'
  /** The client material used, as paths (never contents). */
  client: {tls: boolean; verify: boolean; ca?: string; cert?: string; key?: string}
  results: CheckResult[]
  notes: string[]
}

/**
 * `dockcfg remote check`: the endpoint given, else DOCKER_HOST (when tcp://), else every TCP
 * listener of the effective configuration tried at an address this machine reaches. Client TLS
 * follows the docker CLI (DOCKER_TLS_VERIFY, DOCKER_CERT_PATH, flags); naming any TLS file turns
 * verification on. Checking this host's own listeners without client settings uses the bundle
 * `remote enable` wrote, so the check works from this end out of the box.
 */
export async function runRemoteCheck(system: Pick<System, 'fs' | 'network' | 'clock' | 'env'>, request: RemoteCheckRequest): Promise<RemoteCheckReport> {
  const notes: string[] = []
  let source: RemoteCheckReport['source']
  let endpoints: string[]
  const env = system.env.variables
  const dockerHost = env.DOCKER_HOST ?? ''
  if (request.endpoint !== undefined) {
    source = 'argument'
    endpoints = [parseEndpoint(request.endpoint).url]
  } else if (/^tcp:\/\//i.test(dockerHost)) {
    source = 'DOCKER_HOST'
    endpoints = [parseEndpoint(dockerHost).url]
  } else {
    if (dockerHost !== '') notes.push(`DOCKER_HOST=${dockerHost} is not a tcp:// endpoint; checking the TCP listeners of this host's configuration instead`)
    source = 'configuration'
    const effective = await inspectEffective(system.fs, {configFile: request.configFile, dockerdVersion: request.dockerdVersion})
    endpoints = [
      ...new Set(
        effective.hosts
          .map((h) => parseTcpListener(h))
          .filter((l): l is {address: string; port: number} => l !== undefined)
          .map((l) => {
            const local = reachableLocally(l)
            return tcpHost(local.address, local.port)
          }),
      ),
    ]
    if (endpoints.length === 0) {
      throw new DockcfgError('no tcp:// listener in the effective configuration: the API is not reachable remotely', {
        exitCode: ExitCode.Unreachable,
        remedy: 'dockcfg remote enable sets one up; or name an endpoint: dockcfg remote check tcp://HOST:2376',
      })
    }
  }

  const explicit = [request.certDir, request.tlscacert, request.tlscert, request.tlskey].some((v) => v !== undefined)
  const homeDir = system.env.homeDir()
  let settings: ClientTlsSettings = clientTlsFromEnv({
    env,
    homeDir,
    ...(request.certDir !== undefined ? {certDir: request.certDir} : {}),
    ...(request.tlscacert !== undefined ? {tlscacert: request.tlscacert} : {}),
    ...(request.tlscert !== undefined ? {tlscert: request.tlscert} : {}),
    ...(request.tlskey !== undefined ? {tlskey: request.tlskey} : {}),
    // Naming a certificate file means "use it": the docker CLI would also need --tlsverify for that.
    ...(explicit ? {tlsverify: true} : {}),
  })
  if (!settings.tls && source === 'configuration' && (await request.readFile(system.fs.hostPath(clientBundlePaths(TLS_PATHS.clientDir).cert))) !== undefined) {
    const dir = system.fs.hostPath(TLS_PATHS.clientDir)
    settings = clientTlsFromEnv({env: {}, homeDir, certDir: dir, tlsverify: true})
    notes.push(`using this host's client bundle ${dir} (written by remote enable)`)
  }
  const tls: ClientTls | undefined = await loadClientTls(settings, request.readFile)
  if (tls === undefined)
    notes.push('no client TLS settings (DOCKER_TLS_VERIFY, DOCKER_CERT_PATH, --cert-dir, --tlscacert/--tlscert/--tlskey): TLS is probed without a CA or client certificate')

  const {checkEndpoint} = await import('./endpoint-probe.js')
  const results = await Promise.all(endpoints.map((endpoint) => checkEndpoint(system, {endpoint, ...(tls ? {tls} : {}), timeoutMs: request.timeoutMs})))
  return {
    ok: results.every((r) => r.ok),
    source,
    client: {
      tls: settings.tls,
      verify: settings.verify,
      ...(tls?.ca !== undefined ? {ca: settings.caFile} : {}),
      ...(tls?.cert !== undefined ? {cert: settings.certFile} : {}),
      ...(tls?.key !== undefined ? {key: settings.keyFile} : {}),
    },
    results,
    notes,
  }
}
