import {Flags} from '@oclif/core'

import type {ApplyOptions} from '../apply/plan.js'
import type {Reporter} from '../output/progress.js'

/** The flags of every command that changes the running daemon, and how they become options. */
export const applyFlags = {
  'dry-run': Flags.boolean({description: 'print the plan and the diff of every file; change nothing', default: false}),
  'no-restart': Flags.boolean({description: 'write the files but do not reload or restart dockerd; report what is pending', default: false}),
  yes: Flags.boolean({char: 'y', description: 'accept a restart that stops running containers (scripts must pass it; a TTY asks)', default: false}),
  'keep-containers': Flags.boolean({description: 'switch live-restore on by reload before restarting, so running containers survive', default: false}),
  timeout: Flags.integer({description: 'seconds to wait for dockerd to come back healthy before rolling back', default: 60, min: 5}),
}

export function applyOptions(flags: {'dry-run': boolean; 'no-restart': boolean; yes: boolean; 'keep-containers': boolean; timeout: number}, ui: {report: Reporter}): ApplyOptions {
  return {
    dryRun: flags['dry-run'],
    noRestart: flags['no-restart'],
    yes: flags.yes,
    keepContainers: flags['keep-containers'],
    timeoutMs: flags.timeout * 1000,
    progress: (line) => ui.report.event(line),
    plan: (plan) => ui.report.plan(plan),
    waiting: (label) => ui.report.waiting(label),
    confirm: askOnTty,
  }
}

/**
 * Prompts only make sense when a person is at both ends of the terminal; anywhere else the answer
 * is no, and the engine refuses with the flag that would allow it. Asked only when a question
 * comes up: looking at process.stdin opens it as a stream, which costs every run a few ms.
 */
function canPrompt(): boolean {
  return process.stderr.isTTY === true && process.stdin.isTTY === true
}

async function askOnTty(question: string): Promise<boolean> {
  if (!canPrompt()) return false
  const {createInterface} = await import('node:readline/promises')
  const rl = createInterface({input: process.stdin, output: process.stderr})
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim())
  } finally {
    rl.close()
  }
}
