/**
 * `npm run schemas`: writes schemas/<command>.schema.json for each entry of CommandResults and
 * schemas/error.schema.json for ErrorDocument, both from src/cli/contract.ts (JSON Schema
 * draft-07, through ts-json-schema-generator). test/unit/contract/schemas.test.ts calls
 * generateSchemas() and fails when the committed files differ, so they cannot drift from the code.
 *
 * Deterministic: definitions and properties are sorted, and the output depends on the types only.
 */
import {readdirSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import type {Schema} from 'ts-json-schema-generator'

const PROJECT = join(fileURLToPath(import.meta.url), '../..')
export const SCHEMA_DIR = join(PROJECT, 'schemas')
const CONTRACT = 'src/cli/contract.ts'
const DRAFT = 'http://json-schema.org/draft-07/schema#'

/** The command's schema file: `remote:ca:create` -> remote-ca-create.schema.json. */
export function schemaFileOf(commandId: string): string {
  return `${commandId.replaceAll(':', '-')}.schema.json`
}

/** File name -> text of every schema, from the types as they are now. */
export async function generateSchemas(project = PROJECT): Promise<Map<string, string>> {
  const {createGenerator} = await import('ts-json-schema-generator')
  const generator = createGenerator({
    path: join(project, CONTRACT),
    tsconfig: join(project, 'tsconfig.json'),
    // tsc (npm run typecheck) checks the types; the generator only reads them, which is 5x faster.
    skipTypeCheck: true,
    expose: 'export',
    topRef: false,
    // A field the type does not name is drift between the code and its contract: refused.
    additionalProperties: false,
    sortProps: true,
  })
  const commands = withoutSymbolKeys(generator.createSchema('CommandResults'))
  const errors = withoutSymbolKeys(generator.createSchema('ErrorDocument'))
  const files = new Map<string, string>()
  for (const [id, schema] of Object.entries(commands.properties ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const words = id.replaceAll(':', ' ')
    files.set(
      schemaFileOf(id),
      document(`dockcfg ${words} --json`, `What \`dockcfg ${words} --json\` prints on stdout when it succeeds.`, schema as Schema, commands.definitions ?? {}),
    )
  }
  const {$schema: _, definitions, ...root} = errors
  files.set(
    'error.schema.json',
    document('dockcfg --json error', 'What every dockcfg command prints on stdout with --json when it fails; the exit code is error.exitCode.', root, definitions ?? {}),
  )
  return files
}

/**
 * The schema without the members a type keys by a symbol (Finding's COUNTED): JSON output never
 * has them, and the generator names each after TypeScript's internal symbol id (`__@COUNTED@1048`),
 * which changes with unrelated edits and would make the committed schemas drift by themselves.
 */
function withoutSymbolKeys(schema: Schema): Schema {
  const pending: unknown[] = [schema]
  while (pending.length > 0) {
    const node = pending.pop()
    if (node === null || typeof node !== 'object') continue
    const {properties, required} = node as Schema
    if (properties !== undefined) {
      for (const name of Object.keys(properties)) if (name.startsWith('__@')) delete properties[name]
      if (Array.isArray(required)) (node as Schema).required = required.filter((name) => !name.startsWith('__@'))
    }
    pending.push(...Object.values(node))
  }
  return schema
}

/** One self-contained schema: `root` and the definitions it reaches, nothing else. */
function document(title: string, description: string, root: Schema, definitions: Record<string, Schema | boolean>): string {
  const reached = new Map<string, Schema | boolean | undefined>()
  const pending: unknown[] = [root]
  while (pending.length > 0) {
    const node = pending.pop()
    if (node === null || typeof node !== 'object') continue
    const ref = (node as Schema).$ref
    if (typeof ref === 'string') {
      const name = decodeURIComponent(ref.replace('#/definitions/', ''))
      if (!reached.has(name)) {
        reached.set(name, definitions[name])
        pending.push(definitions[name])
      }
    }
    for (const value of Object.values(node)) pending.push(value)
  }
  const sorted = Object.fromEntries([...reached].sort(([a], [b]) => (a < b ? -1 : 1)))
  const {description: own, ...schema} = root
  return `${JSON.stringify({$schema: DRAFT, title, description: own ?? description, ...schema, definitions: sorted}, null, 2)}\n`
}

/** Writes the schemas and removes those of commands that no longer exist. */
async function main(): Promise<void> {
  const files = await generateSchemas()
  for (const name of readdirSync(SCHEMA_DIR)) if (name.endsWith('.schema.json') && !files.has(name)) rmSync(join(SCHEMA_DIR, name))
  for (const [name, text] of files) writeFileSync(join(SCHEMA_DIR, name), text)
  process.stderr.write(`${files.size} schemas in schemas/\n`)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main()
