/**
 * The entry point of the bundle (dist/dockcfg.cjs, built by scripts/build.js) and the command list
 * oclif reads through its "explicit" discovery strategy (package.json oclif.commands).
 *
 * Why a bundle and getters: fleet scripts call dockcfg many times, and on Node 20 resolving and
 * compiling oclif's ~160 files plus ours cost more than the whole start-up budget. One file loaded
 * with a V8 code cache (bin/run.js) removes that; the getters keep each command's module graph
 * uninitialised until oclif asks for that command, so `get` never runs the validator's or the
 * apply engine's top-level code. `require` here is esbuild's: it inlines the module and runs its
 * initialiser on first access. This file only works bundled; bin/dev.js builds before running.
 * test/unit/main.test.ts keeps this list equal to src/commands/.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import type {Command} from '@oclif/core'
import {Errors, handle, run, settings} from '@oclif/core'

import {UsageError} from './core/errors.js'

type CommandClass = Command.Class

export const COMMANDS: Record<string, CommandClass> = {
  get apply() {
    return require('./commands/apply.js').default
  },
  get completion() {
    return require('./commands/completion.js').default
  },
  get fix() {
    return require('./commands/fix.js').default
  },
  get get() {
    return require('./commands/get.js').default
  },
  get help() {
    return require('./commands/help.js').default
  },
  get history() {
    return require('./commands/history.js').default
  },
  get keys() {
    return require('./commands/keys.js').default
  },
  get 'remote:ca:create'() {
    return require('./commands/remote/ca/create.js').default
  },
  get 'remote:check'() {
    return require('./commands/remote/check.js').default
  },
  get 'remote:client-cert'() {
    return require('./commands/remote/client-cert.js').default
  },
  get 'remote:csr'() {
    return require('./commands/remote/csr.js').default
  },
  get 'remote:disable'() {
    return require('./commands/remote/disable.js').default
  },
  get 'remote:enable'() {
    return require('./commands/remote/enable.js').default
  },
  get 'remote:sign'() {
    return require('./commands/remote/sign.js').default
  },
  get restart() {
    return require('./commands/restart.js').default
  },
  get rollback() {
    return require('./commands/rollback.js').default
  },
  get set() {
    return require('./commands/set.js').default
  },
  get show() {
    return require('./commands/show.js').default
  },
  get unset() {
    return require('./commands/unset.js').default
  },
  get validate() {
    return require('./commands/validate.js').default
  },
}

/** oclif's helpClass location (package.json) points here; help is loaded only when shown. */
export const HelpClass = {
  get default() {
    return require('./cli/help.js').default
  },
}

/**
 * Runs one dockcfg invocation; `dir` is any path inside the package (oclif finds package.json).
 * What oclif's execute() does, except that under --json an error no command caught (an unknown
 * command, `help`'s own flags, a topic given without its command) is still a JSON error object on
 * stdout, as every command's errors are.
 */
export async function main(dir: string, options: {development?: boolean} = {}): Promise<void> {
  const argv = process.argv.slice(2)
  // bin/dev.js has set NODE_ENV=development too, before oclif was loaded.
  if (options.development) settings.debug = true
  const json = jsonRequested(argv)
  try {
    if (json) refuseWithoutJson(argv)
    // No flush(): oclif's waits for a drain that never lags here (stdout to a pipe or a file is
    // written synchronously on Linux) and costs every run a timer, and exit waits for the loop anyway.
    await run(argv, dir)
  } catch (error) {
    if (!json || error instanceof Errors.ExitError) return handle(error as Error)
    const {errorDocument, exitCodeOf} = require('./cli/base-command.js') as typeof import('./cli/base-command.js')
    const {redactJson} = require('./changes/redact.js') as typeof import('./changes/redact.js')
    process.stdout.write(`${JSON.stringify(redactJson(errorDocument(error as Error)), null, 2)}\n`)
    process.exitCode = exitCodeOf(error as Error)
  }
}

/** oclif's own rule (Command.jsonEnabled): `--json` before any `--`. */
function jsonRequested(argv: readonly string[]): boolean {
  const json = argv.indexOf('--json')
  const dashdash = argv.indexOf('--')
  return json !== -1 && (dashdash === -1 || json < dashdash)
}

/**
 * What oclif would answer with text for people, or a confusing "command --json not found", under
 * --json: a usage error (a JSON document, exit 2) instead. Help and the version are for people:
 * they have no JSON form. A topic alone (`dockcfg remote --json`) would print the topic's help: say
 * which commands it has.
 */
function refuseWithoutJson(argv: readonly string[]): void {
  const options = argv.includes('--') ? argv.slice(0, argv.indexOf('--')) : argv
  if (options.includes('--help') || options[0] === '--version' || options[0] === 'help') {
    const asked = options[0] === 'help' ? 'help' : options.includes('--help') ? '--help' : '--version'
    throw new UsageError(`${asked} prints text for people and has no --json form`, {remedy: `run it without --json`})
  }
  const firstFlag = argv.findIndex((a) => a.startsWith('-'))
  if (firstFlag === 0) {
    throw new UsageError(argv.length === 1 ? 'no command given' : `the command comes first, flags after it (got ${argv[0]} before any command)`, {
      remedy: 'dockcfg COMMAND [ARGUMENTS] --json; dockcfg --help lists the commands',
    })
  }
  const words = firstFlag === -1 ? argv : argv.slice(0, firstFlag)
  const id = words.join(':')
  if (id === '' || id in COMMANDS) return
  const commands = Object.keys(COMMANDS).filter((c) => c.startsWith(`${id}:`))
  if (commands.length === 0) return
  throw new UsageError(`${words.join(' ')} is a group of commands: ${commands.map((c) => c.replaceAll(':', ' ')).join(', ')}`, {
    remedy: `dockcfg ${words.join(' ')} --help`,
  })
}
