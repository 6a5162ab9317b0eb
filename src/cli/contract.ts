import type {AutoRollbackResult, HistoryResult} from '../apply/rollback.js'
import type {RestartResult} from '../apply/restart.js'
import type {CompletionResult} from '../completion/script.js'
import type {ApplyFailedExitCode, ApplyFailure, PlainExitCode} from '../core/errors.js'
import type {GetResult} from '../daemon-config/get-key.js'
import type {JsonValue} from '../json/value.js'
import type {ApplyStateResult} from '../operations/apply-state.js'
import type {FixResult} from '../operations/fix.js'
import type {RollbackResult} from '../operations/rollback.js'
import type {ChangeKeysResult} from '../operations/set.js'
import type {ShowResult} from '../operations/show.js'
import type {ValidateResult} from '../operations/validate.js'
import type {KeysResult} from '../registry/describe.js'
import type {RemoteCheckReport} from '../remote/check-endpoints.js'
import type {BundleResult} from '../remote/client.js'
import type {DisableResult} from '../remote/disable.js'
import type {EnableResult} from '../remote/enable.js'
import type {CsrResult, SignResult} from '../remote/server-request.js'

/*
 * The machine contract: what each command prints with --json. `npm run schemas`
 * (scripts/schemas.js) turns these types into schemas/<command>.schema.json and
 * schemas/error.schema.json; a unit test regenerates them and fails when the committed files
 * differ, and every --json output of the command and e2e tiers is checked against them.
 */

/**
 * One entry per command that has --json, keyed by its oclif id (`remote:enable`), valued by what
 * its run() returns (each command declares `Promise<CommandResults['id']>`). A new command is one
 * entry here, then `npm run schemas`.
 */
export interface CommandResults {
  apply: ApplyStateResult
  completion: CompletionResult
  fix: FixResult
  get: GetResult
  history: HistoryResult
  keys: KeysResult
  'remote:ca:create': BundleResult
  'remote:check': RemoteCheckReport
  'remote:client-cert': BundleResult
  'remote:csr': CsrResult
  'remote:disable': DisableResult
  'remote:enable': EnableResult
  'remote:sign': SignResult
  restart: RestartResult
  /** `rollback --auto` (the rollback timer's run) gives the second form. */
  rollback: RollbackResult | AutoRollbackResult
  set: ChangeKeysResult
  show: ShowResult
  unset: ChangeKeysResult
  validate: ValidateResult
}

/** What every failure prints on stdout with --json; the process exits with `error.exitCode`. */
export type ErrorDocument = PlainErrorDocument | ApplyFailedDocument

/** What every error document says about the failure. */
export interface ErrorFields {
  /**
   * The kind of failure: UsageError (exit 2: unknown command or flag, missing or unexpected
   * argument, bad value), InvalidConfigError (3), RefusedError (7), ApplyFailedError (4, 5),
   * DockcfgError (any other), Error (unexpected, exit 1).
   */
  name: string
  message: string
  /** What to try next. */
  remedy?: string
  /** Machine-readable facts of the failure (findings, refused addresses, containers): informative, their shape is not part of the contract. */
  details?: JsonValue
}

export interface ErrorBody extends ErrorFields {
  exitCode: PlainExitCode
}

export interface ApplyFailedErrorBody extends ErrorFields {
  exitCode: ApplyFailedExitCode
}

export interface PlainErrorDocument {
  error: ErrorBody
}

/** An apply that failed after writing (exit 4, 5): the result's fields say where the host stands. */
export interface ApplyFailedDocument extends ApplyFailure {
  error: ApplyFailedErrorBody
}
