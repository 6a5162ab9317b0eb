import {readdirSync, readFileSync} from 'node:fs'
import * as path from 'node:path'

import {Ajv, type ValidateFunction} from 'ajv'

/**
 * The machine contract, checked: every --json output a test produces (runCli and spawnCli in
 * test/support/cli.ts, host.dockcfg() in the e2e harness) is validated against the committed schema
 * of its command (schemas/, generated from src/cli/contract.ts), or against the error document's
 * when it is one. A wrong output fails the test that produced it.
 */

const SCHEMAS = path.join(import.meta.dirname, '../../schemas')
const ajv = new Ajv({allErrors: true, strict: true})
const compiled = new Map<string, ValidateFunction>()

/** Schema file names present in schemas/ (e.g. remote-enable.schema.json). */
export function schemaFiles(): string[] {
  return readdirSync(SCHEMAS).filter((f) => f.endsWith('.schema.json'))
}

function validator(file: string, definition?: string): ValidateFunction {
  const id = definition === undefined ? file : `${file}#${definition}`
  let validate = compiled.get(id)
  if (validate === undefined) {
    const whole = JSON.parse(readFileSync(path.join(SCHEMAS, file), 'utf8')) as {definitions?: Record<string, unknown>}
    if (definition !== undefined && whole.definitions?.[definition] === undefined) throw new Error(`schemas/${file} has no definition ${definition}`)
    // A part of a result (one endpoint's check) is checked against its definition in the command's schema.
    const schema = definition === undefined ? whole : {definitions: whole.definitions, $ref: `#/definitions/${definition}`}
    // What is checked is parsed JSON (or a result as --json would print it), a JSON value at every
    // depth by construction; ajv's recursive walk of JsonValue overflows the stack on the 10,000
    // levels of nesting daemon.json may hold (test/commands/hostile-input.test.ts).
    if (schema.definitions?.JsonValue !== undefined) schema.definitions.JsonValue = true
    validate = ajv.compile(schema)
    compiled.set(id, validate)
  }
  return validate
}

/** What is wrong with `value` under schemas/`file` (or one of its definitions), one line per problem; empty when it conforms. */
export function contractViolations(file: string, value: unknown, definition?: string): string[] {
  const validate = validator(file, definition)
  if (validate(value)) return []
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`)
}

/**
 * Fails (throws) when `value`, as --json would print it (undefined fields left out), does not
 * conform to schemas/`file`, or to its `definition`: for the unit tier's result builders.
 */
export function expectContract(file: string, value: unknown, definition?: string): void {
  expectParsed(file, JSON.parse(JSON.stringify(value)) as unknown, definition)
}

function expectParsed(file: string, value: unknown, definition?: string): void {
  const problems = contractViolations(file, value, definition)
  if (problems.length > 0) {
    const what = definition === undefined ? `schemas/${file}` : `${definition} in schemas/${file}`
    throw new Error(`output breaks the contract of ${what}:\n  ${problems.join('\n  ')}\n${JSON.stringify(value, null, 2).slice(0, 4000)}`)
  }
}

/** Whether the arguments ask for JSON: `--json` before any `--` (oclif's rule, and src/main.ts's). */
export function jsonRequested(args: readonly string[]): boolean {
  const json = args.indexOf('--json')
  const dashdash = args.indexOf('--')
  return json !== -1 && (dashdash === -1 || json < dashdash)
}

/** The schema of the command `args` run: the longest run of leading words naming one. */
export function commandSchemaOf(args: readonly string[]): string | undefined {
  const firstFlag = args.findIndex((a) => a.startsWith('-'))
  const words = (firstFlag === -1 ? args : args.slice(0, firstFlag)).flatMap((w) => w.split(':'))
  const files = new Set(schemaFiles())
  for (let n = words.length; n > 0; n--) {
    const file = `${words.slice(0, n).join('-')}.schema.json`
    if (file !== 'error.schema.json' && files.has(file)) return file
  }
  return undefined
}

/**
 * Checks one run's stdout against the contract when it asked for JSON: a document on stdout, the
 * error document (with the exit code it names) when it failed, else the command's own result.
 * A run killed by a signal (exit code below 0) finished no output and is not checked.
 */
export function checkJsonOutput(args: readonly string[], run: {exitCode: number; stdout: string}): void {
  if (!jsonRequested(args) || run.exitCode < 0) return
  let doc: unknown
  try {
    doc = JSON.parse(run.stdout)
  } catch {
    throw new Error(`dockcfg ${args.join(' ')} (exit ${run.exitCode}) asked for --json but stdout is not one JSON document:\n${run.stdout.slice(0, 2000)}`)
  }
  if (doc !== null && typeof doc === 'object' && 'error' in doc) {
    expectParsed('error.schema.json', doc)
    const named = (doc as {error: {exitCode: number}}).error.exitCode
    if (named !== run.exitCode) throw new Error(`dockcfg ${args.join(' ')} exited ${run.exitCode} but its error document says exitCode ${named}`)
    return
  }
  const file = commandSchemaOf(args)
  if (file === undefined) throw new Error(`dockcfg ${args.join(' ')} printed a result for no command that has a schema in schemas/`)
  expectParsed(file, doc)
}
