import * as path from 'node:path'

import {DockcfgError, UsageError} from '../core/errors.js'
import {ExitCode} from '../core/exit-codes.js'
import {inspectEffective} from '../effective/effective.js'
import type {FileSystem} from '../system/fs.js'
import type {System} from '../system/index.js'
import {DEFAULT_CONTEXT, dockerConfigDir, loadContextEndpoint, validateContextName} from './docker-context.js'
import type {CheckResult} from './endpoint-verdict.js'
import {type ClientTls, type ClientTlsSettings, clientTlsFromEnv, loadClientTls, parseEndpoint} from './endpoint.js'
import {clientBundlePaths, parseTcpListener, reachableLocally, tcpHost} from './layout.js'
import {TLS_PATHS} from '../core/managed-files.js'

export interface RemoteCheckRequest {
  /** The ENDPOINT arguments. */
  endpoints: string[]
  /** --context, in the order given. */
  contexts: string[]
  certDir?: string | undefined
  tlscacert?: string | undefined
  tlscert?: string | undefined
  tlskey?: string | undefined
  timeoutMs: number
  configFile: string
  dockerdVersion: string | undefined
  /** Reads a client file of this machine (undefined when missing). */
  readFile: (hostPath: string) => Promise<string | undefined>
  /** This machine's files, where the docker CLI's config.json and context store are (also under --root). */
  clientFs: FileSystem
}

/** How one endpoint came to be checked. */
export type EndpointSource = 'argument' | 'context' | 'DOCKER_HOST' | 'DOCKER_CONTEXT' | 'currentContext' | 'configuration'

/** The client material an endpoint was checked with, as paths (never contents). */
export interface ClientSummary {
  tls: boolean
  verify: boolean
  ca?: string
  cert?: string
  key?: string
}

/** One endpoint's check (a row of the table): the probe's verdict, and where the endpoint and its client material came from. */
export interface EndpointCheck extends CheckResult {
  source: EndpointSource
  /** The docker context the endpoint and its TLS files came from. */
  context?: string
  client: ClientSummary
}

/** The typed result of `remote check` (also its --json output). */
export interface RemoteCheckReport {
  /** Every endpoint passed. */
  ok: boolean
  /** How the endpoints were chosen: named on the command line (`argument`, ENDPOINT or --context), else as the docker CLI would. */
  source: EndpointSource
  /** The client material from flags and environment (endpoints of a context use the context's own). */
  client: ClientSummary
  /** One per endpoint, in the order named. */
  results: EndpointCheck[]
  notes: string[]
}

interface Target {
  endpoint: string
  source: EndpointSource
  context?: string
  tls: ClientTls | undefined
  client: ClientSummary
}

/**
 * `dockcfg remote check`: every ENDPOINT and --context named, else what the docker CLI would talk
 * to (docker/cli cli/command/cli.go resolveContextName: DOCKER_HOST wins over DOCKER_CONTEXT, which
 * wins over config.json's currentContext), else every TCP listener of the effective configuration
 * tried at an address this machine reaches. Client TLS for ENDPOINT and DOCKER_HOST follows the
 * docker CLI (DOCKER_TLS_VERIFY, DOCKER_CERT_PATH, flags; naming a TLS file turns verification
 * on); a context brings its own TLS files. Checking this host's own listeners without client
 * settings uses the bundle `remote enable` wrote. The endpoints are checked side by side.
 */
export async function runRemoteCheck(system: Pick<System, 'fs' | 'network' | 'clock' | 'env'>, request: RemoteCheckRequest): Promise<RemoteCheckReport> {
  const notes: string[] = []
  const env = system.env.variables
  const homeDir = system.env.homeDir()
  const configDir = dockerConfigDir(env, homeDir)
  const explicit = [request.certDir, request.tlscacert, request.tlscert, request.tlskey].some((v) => v !== undefined)
  const settings: ClientTlsSettings = clientTlsFromEnv({
    env,
    homeDir,
    ...(request.certDir !== undefined ? {certDir: request.certDir} : {}),
    ...(request.tlscacert !== undefined ? {tlscacert: request.tlscacert} : {}),
    ...(request.tlscert !== undefined ? {tlscert: request.tlscert} : {}),
    ...(request.tlskey !== undefined ? {tlskey: request.tlskey} : {}),
    // Naming a certificate file means "use it": the docker CLI would also need --tlsverify for that.
    ...(explicit ? {tlsverify: true} : {}),
  })
  let flagTls: {tls: ClientTls | undefined; client: ClientSummary} | undefined
  const fromFlags = async () => (flagTls ??= await clientMaterial(settings, request.readFile))

  const contextTarget = async (name: string, source: EndpointSource): Promise<Target[]> => {
    if (name === DEFAULT_CONTEXT) return defaultTargets(system, request, notes, fromFlags, {skipContexts: true})
    const ctx = await loadContextEndpoint(request.clientFs, configDir, validateContextName(name, source === 'context' ? '--context' : source))
    let endpoint: string
    try {
      endpoint = parseEndpoint(ctx.host).url
    } catch (error) {
      throw error instanceof UsageError ? new UsageError(`docker context ${name}: ${error.message}`, {remedy: `docker context inspect ${name}`}) : error
    }
    const tlsDir = ctx.tlsDir
    const files = clientBundlePaths(tlsDir)
    const hasTls = ctx.tls.ca !== undefined || ctx.tls.cert !== undefined || ctx.tls.key !== undefined
    // As the CLI's context endpoint: TLS when it has TLS files or skips verification, verified unless SkipTLSVerify.
    const tls = hasTls || ctx.skipTlsVerify ? {...ctx.tls, verify: !ctx.skipTlsVerify} : undefined
    if ((ctx.tls.cert === undefined) !== (ctx.tls.key === undefined)) throw new UsageError(`docker context ${name}: a client certificate needs its key (${tlsDir})`)
    return [
      {
        endpoint,
        source,
        context: name,
        tls,
        client: {
          tls: tls !== undefined,
          verify: tls?.verify ?? false,
          ...(ctx.tls.ca !== undefined ? {ca: files.ca} : {}),
          ...(ctx.tls.cert !== undefined ? {cert: files.cert} : {}),
          ...(ctx.tls.key !== undefined ? {key: files.key} : {}),
        },
      },
    ]
  }

  let source: EndpointSource
  const targets: Target[] = []
  if (request.endpoints.length > 0 || request.contexts.length > 0) {
    source = 'argument'
    for (const e of request.endpoints) targets.push({endpoint: parseEndpoint(e).url, source: 'argument', ...(await fromFlags())})
    for (const name of request.contexts) targets.push(...(await contextTarget(name, 'context')))
  } else {
    const chosen = await defaultTargets(system, request, notes, fromFlags, {skipContexts: false, configDir, contextTarget})
    targets.push(...chosen)
    source = chosen[0]?.source ?? 'configuration'
  }
  const unique = targets.filter((t, i) => targets.findIndex((u) => u.endpoint === t.endpoint && u.context === t.context) === i)
  if (unique.some((t) => t.source !== 'context' && t.source !== 'DOCKER_CONTEXT' && t.source !== 'currentContext' && t.tls === undefined)) {
    notes.push('no client TLS settings (DOCKER_TLS_VERIFY, DOCKER_CERT_PATH, --cert-dir, --tlscacert/--tlscert/--tlskey): TLS is probed without a CA or client certificate')
  }

  const {checkEndpoint} = await import('./endpoint-probe.js')
  const results = await Promise.all(
    unique.map(async (t): Promise<EndpointCheck> => {
      const result = await checkEndpoint(system, {endpoint: t.endpoint, ...(t.tls ? {tls: t.tls} : {}), timeoutMs: request.timeoutMs})
      return {...result, source: t.source, ...(t.context !== undefined ? {context: t.context} : {}), client: t.client}
    }),
  )
  const client = unique.find((t) => t.context === undefined)?.client ?? summary(settings, undefined)
  return {ok: results.every((r) => r.ok), source, client, results, notes}
}

/**
 * What `docker` without -H or --context talks to: DOCKER_HOST, else DOCKER_CONTEXT, else
 * config.json's currentContext; dockcfg then falls back to this host's own TCP listeners where
 * the CLI would use the local socket.
 */
async function defaultTargets(
  system: Pick<System, 'fs' | 'env'>,
  request: RemoteCheckRequest,
  notes: string[],
  fromFlags: () => Promise<{tls: ClientTls | undefined; client: ClientSummary}>,
  options: {skipContexts: boolean; configDir?: string; contextTarget?: (name: string, source: EndpointSource) => Promise<Target[]>},
): Promise<Target[]> {
  const env = system.env.variables
  const dockerHost = env.DOCKER_HOST ?? ''
  if (/^tcp:\/\//i.test(dockerHost)) return [{endpoint: parseEndpoint(dockerHost).url, source: 'DOCKER_HOST', ...(await fromFlags())}]
  if (dockerHost !== '') notes.push(`DOCKER_HOST=${dockerHost} is not a tcp:// endpoint; checking the TCP listeners of this host's configuration instead`)
  else if (!options.skipContexts && options.contextTarget !== undefined && options.configDir !== undefined) {
    const fromEnv = env.DOCKER_CONTEXT ?? ''
    if (fromEnv !== '') return options.contextTarget(fromEnv, 'DOCKER_CONTEXT')
    const current = await currentContext(request.clientFs, options.configDir, notes)
    if (current !== undefined && current !== DEFAULT_CONTEXT) return options.contextTarget(current, 'currentContext')
  }

  const effective = await inspectEffective(system.fs, {configFile: request.configFile, dockerdVersion: request.dockerdVersion})
  const endpoints = [
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
  let material = await fromFlags()
  if (!material.client.tls && (await request.readFile(system.fs.hostPath(clientBundlePaths(TLS_PATHS.clientDir).cert))) !== undefined) {
    const dir = system.fs.hostPath(TLS_PATHS.clientDir)
    material = await clientMaterial(clientTlsFromEnv({env: {}, homeDir: system.env.homeDir(), certDir: dir, tlsverify: true}), request.readFile)
    notes.push(`using this host's client bundle ${dir} (written by remote enable)`)
  }
  return endpoints.map((endpoint) => ({endpoint, source: 'configuration' as const, ...material}))
}

/** config.json's currentContext, as the CLI reads it; a file it cannot parse is noted and ignored, as the CLI warns and goes on. */
async function currentContext(fs: FileSystem, configDir: string, notes: string[]): Promise<string | undefined> {
  const file = path.join(configDir, 'config.json')
  let text: string | undefined
  try {
    text = await fs.readText(file)
  } catch (error) {
    notes.push(`${file} cannot be read (${(error as Error).message}); its currentContext is ignored`)
    return undefined
  }
  if (text === undefined || text.trim() === '') return undefined
  try {
    const value = JSON.parse(text) as {currentContext?: unknown}
    return typeof value?.currentContext === 'string' && value.currentContext !== '' ? value.currentContext : undefined
  } catch {
    notes.push(`${file} is not valid JSON; its currentContext is ignored (the docker CLI warns and goes on too)`)
    return undefined
  }
}

async function clientMaterial(settings: ClientTlsSettings, readFile: (p: string) => Promise<string | undefined>): Promise<{tls: ClientTls | undefined; client: ClientSummary}> {
  const tls = await loadClientTls(settings, readFile)
  return {tls, client: summary(settings, tls)}
}

function summary(settings: ClientTlsSettings, tls: ClientTls | undefined): ClientSummary {
  return {
    tls: settings.tls,
    verify: settings.verify,
    ...(tls?.ca !== undefined ? {ca: settings.caFile} : {}),
    ...(tls?.cert !== undefined ? {cert: settings.certFile} : {}),
    ...(tls?.key !== undefined ? {key: settings.keyFile} : {}),
  }
}
