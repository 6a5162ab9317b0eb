import {createHash} from 'node:crypto'
import * as path from 'node:path'

import {secretFileKeys} from '../registry/index.js'
import {CLIENT_FILES, TLS_PATHS} from '../core/managed-files.js'

/**
 * The one redaction rule for what dockcfg prints as data: every diff (renderDiff, so human and
 * --json alike) and every --json document (DockcfgCommand.logJson). It hides
 *
 * - private keys: any `-----BEGIN ... PRIVATE KEY-----` block, wherever it appears;
 * - files dockcfg knows hold secrets: the TLS keys `remote` writes (server and CA key, any client
 *   bundle's key.pem) and any file a daemon.json key of the registry marks as holding a secret
 *   (`tlskey`) names; their content is replaced by its size and a short digest, so a diff still
 *   shows *that* a key changes;
 * - passwords in URLs (`http://user:password@proxy:3128`, proxies and mirrors alike).
 */

const REDACTED_PASSWORD = 'xxxxx'

const PEM_PRIVATE_KEY = /-----BEGIN ([A-Z0-9 ]*PRIVATE KEY[A-Z0-9 ]*)-----[\s\S]*?(?:-----END \1-----|$)/g
const HAS_PEM_PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY[A-Z0-9 ]*-----/
/**
 * scheme://user:password@ — the password runs to the last `@` of the authority (an unescaped `@`
 * in a password is common), never past whitespace, `/?#` or an unescaped `"` (the end of a JSON
 * string in a diff); a backslash escape (`\"` in JSON) belongs to the password. The scheme is
 * bounded so that long dotted text costs linear time.
 */
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]{0,31}:\/\/[^\s/?#:@"\\]*):(?:\\.|[^\s/?#"\\])*@/gi

/** Hides private key blocks and URL passwords in any text (a diff, a value, a message). */
export function redactText(text: string): string {
  return text
    .replace(PEM_PRIVATE_KEY, (_block, label: string) => `-----BEGIN ${label}-----[private key redacted]-----END ${label}-----`)
    .replace(URL_PASSWORD, (_match, userPart: string) => `${userPart}:${REDACTED_PASSWORD}@`)
}

/** A --json document with redactText applied to every string in it (keys and structure kept). */
export function redactJson(value: unknown): unknown {
  // A loop, not recursion: daemon.json values may nest 10,000 levels deep (dockerd's limit), and
  // every --json document passes here.
  const result: {value?: unknown} = {}
  const work: Array<{source: unknown; assign: (redacted: unknown) => void}> = [{source: value, assign: (r) => (result.value = r)}]
  for (let item = work.pop(); item !== undefined; item = work.pop()) {
    const {source, assign} = item
    if (typeof source === 'string') {
      assign(redactText(source))
    } else if (Array.isArray(source)) {
      const out: unknown[] = new Array(source.length)
      assign(out)
      source.forEach((v, i) => work.push({source: v, assign: (r) => (out[i] = r)}))
    } else if (source !== null && typeof source === 'object') {
      // Errors keep their message and name, which are not enumerable.
      const from = source instanceof Error ? {...source, name: source.name, message: source.message} : source
      const entries = Object.entries(from)
      // Keys are created in their order now; their values arrive later, in any order.
      const out: Record<string, unknown> = Object.fromEntries(entries.map(([k]) => [k, undefined]))
      assign(out)
      for (const [k, v] of entries) work.push({source: v, assign: (r) => (out[k] = r)})
    } else {
      assign(source)
    }
  }
  return result.value
}

const SECRET_FILE_KEYS = secretFileKeys()

/**
 * The files among `contents` (path -> text, any version) whose content is never shown: dockcfg's
 * own key paths, client bundle keys, files a daemon.json among them names through a secret-file
 * key, and any file that holds a private key block.
 */
export function secretFiles(contents: ReadonlyArray<{path: string; texts: ReadonlyArray<string | undefined>}>): Set<string> {
  const secret = new Set<string>([TLS_PATHS.key, TLS_PATHS.caKey])
  for (const {path: file, texts} of contents) {
    if (path.posix.basename(file) === CLIENT_FILES.key) secret.add(file)
    for (const text of texts) {
      if (text === undefined) continue
      if (HAS_PEM_PRIVATE_KEY.test(text)) secret.add(file)
      for (const named of secretFilesNamedBy(text)) secret.add(named)
    }
  }
  return secret
}

function secretFilesNamedBy(text: string): string[] {
  if (!text.trimStart().startsWith('{')) return []
  let config: unknown
  try {
    config = JSON.parse(text)
  } catch {
    return []
  }
  if (config === null || typeof config !== 'object' || Array.isArray(config)) return []
  const record = config as Record<string, unknown>
  return SECRET_FILE_KEYS.map((k) => record[k]).filter((v): v is string => typeof v === 'string')
}

/** What a diff shows in place of a secret file's content: its size and a digest, never a byte of it. */
export function secretPlaceholder(text: string): string {
  const digest = createHash('sha256').update(text).digest('hex').slice(0, 12)
  return `[private key redacted: ${Buffer.byteLength(text)} bytes, sha256 ${digest}]\n`
}
