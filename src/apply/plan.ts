import type {FileChange} from '../core/file-change.js'
import type {Finding} from '../core/findings.js'
import type {Activation} from '../daemon-config/plan-edit.js'
import type {FileSystem} from '../system/index.js'
import type {VerifyItem} from './verify.js'

/*
 * The engine's contract: what it is given (a tree's view, a plan, the options of the run) and
 * what it gives back. Kept apart from the engine so the guards and checks it runs can share these
 * types without importing the engine itself.
 */

/**
 * What the apply engine needs to know about a tree (live or planned): the daemon.json in force,
 * the resolved ExecStart, the listeners, and every finding that would stop dockerd (flag/file
 * conflicts included). Provided by the effective-configuration model.
 */
export interface TreeView {
  configFile: string
  /** daemon.json's own keys. */
  config: Record<string, unknown>
  /**
   * Every setting dockerd starts with that daemon.json or the command line gives (flag values as
   * daemon.json would hold them; dockerd's defaults left out): what verification compares against,
   * since a key that leaves daemon.json may stay in force as a flag.
   */
  merged: Record<string, unknown>
  configText: string
  execArgv: string[] | null
  /** Effective listeners (daemon.json hosts and -H flags), for health and verification. */
  hosts: string[]
  /** The unix socket dockcfg talks to (tree path). */
  socket: string
  /** Errors that make dockerd refuse to start (validation and conflicts). */
  errors: Finding[]
  dockerdVersion: string | undefined
}

/** Inspects a tree (live, planned, --root); V may carry more than the engine needs (the effective configuration). */
export type Inspector<V extends TreeView = TreeView> = (fs: FileSystem) => Promise<V>

export interface ApplyOptions {
  dryRun: boolean
  /** Write the files, report what is pending, touch no service. */
  noRestart: boolean
  yes: boolean
  keepContainers: boolean
  timeoutMs: number
  /** Asks the user on a TTY; undefined when there is no TTY (scripts must pass --yes). */
  confirm?: (question: string) => Promise<boolean>
  /** Each event as it happens (a warning, the preflight's verdict, a write, a restart), one line each. */
  progress?: (message: string) => void
  /** What the change will do (ApplyPlan.notes), told once it is accepted and before anything happens. */
  plan?: (plan: PlanNotes) => void
  /** A wait begins (preflight, dockerd coming back); the returned function ends it. A TTY shows the time it takes. */
  waiting?: (label: string) => () => void
}

/** What a command decided in planning: findings its change brings, and one sentence per decision. */
export interface PlanNotes {
  findings: readonly Finding[]
  actions: readonly string[]
}

/** A change as planned, for the engine to apply (src/operations/pipeline.ts builds it). */
export interface ApplyPlan {
  command: string
  changes: FileChange[]
  /** daemon.json keys whose value changes (reload-or-restart verdict and verification). */
  changedKeys: string[]
  activation: Activation
  /** The tree as it is, inspected once under the lock, and as it will be with `changes` written. */
  current: TreeView
  planned: TreeView
  /** Told through ApplyOptions.plan before anything happens. */
  notes: PlanNotes
  /** Already told (an earlier apply that died half-way); kept in the result. */
  warnings: readonly string[]
  /**
   * Set by `dockcfg rollback ID` when ID is the backup of an apply that died half-way: this run
   * finishes that apply's job, so the refusal to build on an unfinished apply does not apply.
   */
  resolvesPending?: string
  /** Directories the caller created for this change before calling (recorded in the backup, so a rollback removes them). */
  createdDirs?: readonly string[]
  /** Client bundle directories the change writes outside /etc/docker/tls, recorded in the backup. */
  clientDirs?: readonly string[]
  /**
   * Directories an earlier change created that this one empties (a rollback of it): removed once
   * this change is settled, when nothing else is in them. Not before: if this change is rolled
   * back, its files go back into them as they were.
   */
  emptiedDirs?: readonly string[]
}

/** The typed result of every command that changes configuration. */
export interface ApplyResult {
  changed: boolean
  dryRun: boolean
  diff: string
  files: string[]
  /** Those of `files` that the change deletes. */
  removed: string[]
  backupId?: string
  /**
   * The command that undoes this change. Absent when dockerd refused the configuration the change
   * replaced: restoring it could only be refused, so no undo is offered.
   */
  undo?: string
  /** What was done to the running daemon. */
  action: 'none' | 'written' | 'reloaded' | 'restarted'
  /** When written but not applied: what dockerd still needs. */
  pending?: 'reload' | 'restart'
  pendingReason?: string
  preflight?: PreflightOutcome
  verification: VerifyItem[]
  containers?: {running: number; names: string[]; liveRestore: boolean}
  warnings: string[]
}

/**
 * Asks dockerd itself whether it would start with the candidate configuration, before anything is
 * written. dockerd 23.0+ has `--validate`, fed the same flags as ExecStart so flag/file conflicts
 * show. Older dockerd gets a trial start: a throw-away daemon in its own network namespace with
 * scratch data-root, exec-root, pidfile and socket, bounded in time, never touching the running one.
 */
export interface PreflightOutcome {
  method: 'validate' | 'trial-start' | 'skipped'
  ok: boolean
  /** dockerd's own words (the error line on failure). */
  detail: string
}
