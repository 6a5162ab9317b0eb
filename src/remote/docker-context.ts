import {createHash} from 'node:crypto'
import * as path from 'node:path'

import {InvalidConfigError, RefusedError, UsageError} from '../core/errors.js'
import {CLIENT_FILES} from '../core/managed-files.js'
import {stringifyJson} from '../json/stringify.js'
import type {FileSystem} from '../system/fs.js'
import {KEY_DIR_MODE, KEY_MODE} from './layout.js'

/**
 * The docker CLI's context store, written directly (the CLI may not be installed where dockcfg
 * runs). Layout and rules from docker/cli cli/context/store: `<config>/contexts/meta/<id>/meta.json`
 * and `<config>/contexts/tls/<id>/docker/{ca,cert,key}.pem`, where `<id>` is the hex SHA-256 of
 * the context name (so a hostile name never becomes a path) and `<config>` is DOCKER_CONFIG, else
 * ~/.docker. The CLI writes meta.json 0644 and the TLS files 0600 in 0700 directories.
 */

/** The endpoint name the docker CLI keeps the Engine API under. */
export const DOCKER_ENDPOINT = 'docker'
/** The name the CLI reserves for "DOCKER_HOST or the local socket". */
export const DEFAULT_CONTEXT = 'default'
/** meta.json is a few hundred bytes; a larger one is not the CLI's and is not read. */
const MAX_META_BYTES = 1024 * 1024
const META_MODE = 0o644

/** docker/cli store.ValidateContextName: `^[a-zA-Z0-9][a-zA-Z0-9_.+-]+$`, and not `default`. */
const VALID_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.+-]+$/

/**
 * @throws UsageError for a name the docker CLI would refuse (empty, `default`, `/`, `..`, a
 * newline...); names are otherwise unbounded, as in the CLI, since only their digest is a path.
 */
export function validateContextName(name: string, flag = '--context'): string {
  if (name === DEFAULT_CONTEXT) {
    throw new UsageError(`${flag} default: "default" is the docker CLI's reserved name for DOCKER_HOST or the local socket`, {remedy: 'choose another name'})
  }
  if (!VALID_NAME.test(name)) {
    throw new UsageError(`${flag} ${JSON.stringify(name)} is not a valid docker context name`, {
      remedy: 'start with a letter or digit, then letters, digits, "_", ".", "+" or "-" (at least 2 characters), as the docker CLI requires',
    })
  }
  return name
}

/** The CLI's configuration directory: DOCKER_CONFIG, else ~/.docker (HOME, else the user database). */
export function dockerConfigDir(env: Readonly<Record<string, string | undefined>>, homeDir: string): string {
  const configured = env.DOCKER_CONFIG ?? ''
  if (configured !== '') return path.resolve(configured)
  const home = (env.HOME ?? '') !== '' ? (env.HOME as string) : homeDir
  return path.join(home, '.docker')
}

/** Where one context lives in the store: the digest of its name under meta/ and tls/. */
export function contextPaths(configDir: string, name: string): {id: string; metaDir: string; metaFile: string; tlsDir: string; endpointTlsDir: string} {
  const id = createHash('sha256').update(name, 'utf8').digest('hex')
  const metaDir = path.join(configDir, 'contexts', 'meta', id)
  const tlsDir = path.join(configDir, 'contexts', 'tls', id)
  return {id, metaDir, metaFile: path.join(metaDir, 'meta.json'), tlsDir, endpointTlsDir: path.join(tlsDir, DOCKER_ENDPOINT)}
}

/** A context's stored form (meta.json), as the CLI reads it: untyped apart from the docker endpoint. */
export interface ContextMeta {
  Name: string
  Metadata?: Record<string, unknown>
  Endpoints?: Record<string, unknown>
}

/** The docker endpoint of a context, with its TLS material (PEM; the key never leaves this module's callers' memory). */
export interface ContextEndpoint {
  name: string
  host: string
  skipTlsVerify: boolean
  tls: {ca?: string; cert?: string; key?: string}
  /** Where it was read (the meta.json path). */
  metaFile: string
  /** The directory of the docker endpoint's TLS files. */
  tlsDir: string
}

/**
 * Reads a context's meta.json, undefined when it does not exist.
 * @throws InvalidConfigError when it is there but not the CLI's JSON (the CLI would refuse it too).
 */
export async function readContextMeta(fs: FileSystem, configDir: string, name: string): Promise<ContextMeta | undefined> {
  const {metaFile} = contextPaths(configDir, name)
  const st = await fs.stat(metaFile)
  if (st === undefined) return undefined
  if (st.isFile() && st.size > MAX_META_BYTES) throw new InvalidConfigError(`${metaFile} (context ${JSON.stringify(name)}) is ${st.size} bytes: not a docker context`)
  const text = (await fs.readText(metaFile)) ?? ''
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new InvalidConfigError(`${metaFile} (context ${JSON.stringify(name)}) is not valid JSON: ${(error as Error).message}`, {
      remedy: `remove the context (docker context rm ${name}) and create it again`,
    })
  }
  if (!isObject(value) || (value.Metadata !== undefined && value.Metadata !== null && !isObject(value.Metadata)) || (value.Endpoints !== undefined && !isObject(value.Endpoints))) {
    throw new InvalidConfigError(`${metaFile} (context ${JSON.stringify(name)}) is not a docker context's metadata`)
  }
  return {
    Name: typeof value.Name === 'string' ? value.Name : name,
    ...(isObject(value.Metadata) ? {Metadata: value.Metadata} : {}),
    ...(isObject(value.Endpoints) ? {Endpoints: value.Endpoints} : {}),
  }
}

/**
 * The docker endpoint of context `name` with its TLS files, as `docker --context NAME` would use it.
 * @throws UsageError when the context does not exist or has no docker endpoint.
 */
export async function loadContextEndpoint(fs: FileSystem, configDir: string, name: string): Promise<ContextEndpoint> {
  const meta = await readContextMeta(fs, configDir, name)
  const paths = contextPaths(configDir, name)
  if (meta === undefined) {
    throw new UsageError(`docker context ${JSON.stringify(name)} does not exist in ${path.join(configDir, 'contexts')}`, {
      remedy: 'docker context ls shows the contexts; DOCKER_CONFIG chooses the configuration directory',
    })
  }
  const endpoint = meta.Endpoints?.[DOCKER_ENDPOINT]
  if (!isObject(endpoint) || typeof endpoint.Host !== 'string' || endpoint.Host === '') {
    throw new UsageError(`docker context ${JSON.stringify(name)} has no docker endpoint host`, {remedy: `docker context inspect ${name}`})
  }
  const [ca, cert, key] = await Promise.all([CLIENT_FILES.ca, CLIENT_FILES.cert, CLIENT_FILES.key].map((file) => fs.readText(path.join(paths.endpointTlsDir, file))))
  return {
    name,
    host: endpoint.Host,
    skipTlsVerify: endpoint.SkipTLSVerify === true,
    tls: {...(ca !== undefined ? {ca} : {}), ...(cert !== undefined ? {cert} : {}), ...(key !== undefined ? {key} : {})},
    metaFile: paths.metaFile,
    tlsDir: paths.endpointTlsDir,
  }
}

/** What to store: the docker endpoint and its client material (PEM). */
export interface ContextRequest {
  name: string
  host: string
  tls?: {caPem: string; certPem: string; keyPem: string}
  skipTlsVerify?: boolean
  /** Set only when the context is new: an existing one keeps its description. */
  description: string
}

/** What `--context` did to the docker CLI's store (also in --json). Paths only, never content. */
export interface ContextResult {
  name: string
  host: string
  /** The context did not exist before. */
  created: boolean
  /** Something in the store was (or, on a dry run, would be) written. */
  changed: boolean
  /** False on a dry run. */
  written: boolean
  metaFile: string
  /** The TLS files of the docker endpoint (0600). */
  tlsFiles: string[]
  /** Endpoints of an existing context other than docker, kept as they were. */
  keptEndpoints: string[]
}

/**
 * Creates or updates context `request.name`, as `docker context create` (new) or `docker context
 * update --docker ...` (existing) would: the docker endpoint and its TLS material are replaced,
 * every other endpoint and the metadata stay. Each file is replaced atomically, the key first and
 * meta.json last (a run killed half-way leaves the old context, or the new one missing only its
 * metadata, never a new certificate with an old key). Refuses to write through a symlink.
 */
export async function writeDockerContext(fs: FileSystem, configDir: string, request: ContextRequest, options: {dryRun: boolean}): Promise<ContextResult> {
  const name = validateContextName(request.name)
  const paths = contextPaths(configDir, name)
  const existing = await readContextMeta(fs, configDir, name)
  const endpoints: Record<string, unknown> = {...(existing?.Endpoints ?? {})}
  endpoints[DOCKER_ENDPOINT] = {Host: request.host, SkipTLSVerify: request.skipTlsVerify === true}
  const meta = {
    Name: name,
    Metadata: existing?.Metadata ?? (request.description === '' ? {} : {Description: request.description}),
    Endpoints: endpoints,
  }
  const metaText = goJson(meta)
  const tlsFiles = request.tls
    ? [
        {name: CLIENT_FILES.key, data: request.tls.keyPem},
        {name: CLIENT_FILES.cert, data: request.tls.certPem},
        {name: CLIENT_FILES.ca, data: request.tls.caPem},
      ]
    : []
  const writes = [...tlsFiles.map((f) => ({file: path.join(paths.endpointTlsDir, f.name), data: f.data, mode: KEY_MODE})), {file: paths.metaFile, data: metaText, mode: META_MODE}]
  const stale = [CLIENT_FILES.key, CLIENT_FILES.cert, CLIENT_FILES.ca].filter((f) => !tlsFiles.some((t) => t.name === f)).map((f) => path.join(paths.endpointTlsDir, f))

  let changed = false
  for (const w of writes) {
    await refuseLink(fs, w.file)
    if ((await fs.readText(w.file)) !== w.data) changed = true
  }
  for (const file of stale) if ((await fs.lstat(file)) !== undefined) changed = true
  const result: ContextResult = {
    name,
    host: request.host,
    created: existing === undefined,
    changed,
    written: false,
    metaFile: paths.metaFile,
    tlsFiles: tlsFiles.map((f) => path.join(paths.endpointTlsDir, f.name)),
    keptEndpoints: Object.keys(endpoints).filter((e) => e !== DOCKER_ENDPOINT),
  }
  if (options.dryRun || !changed) return result

  await ensureDir(fs, configDir, {linkAllowed: true})
  for (const dir of [path.join(configDir, 'contexts'), path.dirname(paths.metaDir), paths.metaDir, path.dirname(paths.tlsDir), paths.tlsDir, paths.endpointTlsDir]) {
    await ensureDir(fs, dir, {linkAllowed: false})
  }
  for (const file of stale) await fs.remove(file)
  for (const w of writes) await fs.writeAtomic(w.file, w.data, {mode: w.mode})
  return {...result, written: true}
}

/** A directory this module creates is 0700; an existing one is left as its owner made it. */
async function ensureDir(fs: FileSystem, dir: string, options: {linkAllowed: boolean}): Promise<void> {
  const st = await fs.lstat(dir)
  if (st === undefined) return fs.mkdirp(dir, KEY_DIR_MODE)
  if (st.isSymbolicLink()) {
    // ~/.docker as a link (dotfiles managers do that) is the user's choice; a link inside the store is not the CLI's.
    if (!options.linkAllowed) throw new RefusedError(`refusing to write through a symbolic link: ${dir}`, {remedy: 'remove the link and run again'})
    return
  }
  if (!st.isDirectory()) throw new UsageError(`not a directory: ${dir}`)
}

async function refuseLink(fs: FileSystem, file: string): Promise<void> {
  // The atomic writer follows links; a planted one would redirect a key write.
  const st = await fs.lstat(file)
  if (st?.isSymbolicLink()) throw new RefusedError(`refusing to write through a symbolic link: ${file}`, {remedy: 'remove the link and run again'})
  if (st !== undefined && !st.isFile()) throw new UsageError(`not a regular file: ${file}`)
}

/**
 * JSON as Go's encoding/json writes it (the CLI's own meta.json): one line, `<`, `>`, `&`, U+2028
 * and U+2029 escaped. Those characters can only occur inside strings, so replacing them in the
 * text is exact.
 */
export function goJson(value: unknown): string {
  return stringifyJson(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
