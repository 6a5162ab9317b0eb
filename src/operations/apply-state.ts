import {removeEmptyDirs} from '../changes/change-set.js'
import {InvalidConfigError, UsageError} from '../core/errors.js'
import type {FileChange} from '../core/file-change.js'
import {type Finding, introducedFindings} from '../core/findings.js'
import type {KeyChange} from '../daemon-config/edit.js'
import {unknownKey} from '../daemon-config/refusals.js'
import {stringEntries} from '../daemon-config/values.js'
import type {DesiredRemote, DesiredState, Place} from '../desired-state/document.js'
import {planRemoteShutdown, type RemoteShutdownPlan} from '../remote/disable.js'
import {
  type ConnectInstructions,
  connectInstructions,
  type EnableCertificates,
  type EnableRequest,
  type EnableResult,
  planRemoteAccess,
  type RemoteAccessPlan,
} from '../remote/enable.js'
import {parseTcpListener} from '../remote/layout.js'
import type {HostIdentity} from '../remote/sans.js'
import {findOption} from '../registry/index.js'
import type {System} from '../system/index.js'
import {OverlayFileSystem} from '../system/overlay-fs.js'
import {combineKeyRequests, type KeyRequest, planKeyChanges, reportedWarnings} from './key-changes.js'
import {onEffectiveTree, type OperationRequest, refuseIntroducedErrors, runChange} from './pipeline.js'
import {type ChangeKeysResult, changeKeysResult} from './set.js'
import {checkListener, enableKeyRequest, enablePrivateDirs} from './remote-enable.js'
import {disableKeyRequest, removingNote} from './remote-disable.js'
import type {EffectiveView} from './tree-view.js'

/** `dockcfg apply -f FILE|-`: a desired state, parsed (src/desired-state/), applied as one change. */
export interface ApplyStateRequest extends OperationRequest {
  document: DesiredState
  /** daemon.json becomes exactly the document's `daemon` (remote's keys added when it has `remote`). */
  replace: boolean
  /** Reads a file of this machine: the CA directory `remote.ca` names lives with the admin, not in --root. */
  readLocalFile: (hostPath: string) => Promise<string | undefined>
  /** Overrides this machine's hostname and interface addresses (tests, --root trees). */
  identity?: HostIdentity
}

/** What the change did to remote access (present when the document has `remote`). */
export interface RemoteStateResult {
  enabled: boolean
  /** The listener the document declares (enabled only). */
  listener?: string
  /** Every listener dockerd has afterwards. */
  hosts: string[]
  /** TCP listeners the change removes. */
  removed: string[]
  certificates?: EnableCertificates
  connect?: ConnectInstructions
  /** The listener checked over mutual TLS after the restart (live host only). */
  selfCheck?: EnableResult['selfCheck']
}

/** The typed result of `dockcfg apply` (also its --json output): set's, for the document and remote access. */
export interface ApplyStateResult extends ChangeKeysResult {
  /** The document as named in messages: its path, or `<stdin>`. */
  document: string
  remote?: RemoteStateResult
}

/** Remote access as planned: what the engine's result is completed with. */
type RemotePlan = {enabled: true; access: RemoteAccessPlan; removed: string[]} | {enabled: false; shutdown: RemoteShutdownPlan}

/**
 * Plans the whole desired state on the tree as it is, as ONE change: the settings (with
 * `--replace`, every other key of daemon.json removed), the owners of directives given on both
 * sides, and remote access (its keys and certificate files). The result is validated as a whole,
 * conflicts included, and its errors are placed at the document's line and column where the key
 * they are about is given there. Applying the same document again changes nothing.
 */
export async function runApplyState(system: System, request: ApplyStateRequest): Promise<ApplyStateResult> {
  const doc = request.document
  const pipeline = onEffectiveTree(request)
  return runChange(system, pipeline, {
    plan: async (tree) => {
      const {current} = tree
      refuseContradictions(doc)
      for (const s of doc.daemon) {
        // Removing a key dockerd does not know repairs a file; one the file does not hold either is a typo.
        if (s.value === undefined && !Object.hasOwn(current.config, s.key) && findOption(s.key) === undefined) throw at(doc, s, unknownKey(s.key))
      }
      const remote = await planRemote(system, current.effective, request)
      const remoteRequest: KeyRequest = remote === undefined ? {changes: []} : remote.enabled ? enableKeyRequest(remote.access) : disableKeyRequest(remote.shutdown)
      for (const s of doc.daemon) {
        if (remoteRequest.changes.some((c) => c.key === s.key)) {
          throw at(doc, s, new UsageError(`daemon.${s.key}: the document's "remote" decides this key; give it in one place, nothing was written`))
        }
      }
      const settings: KeyChange[] = doc.daemon.map((s) => ({key: s.key, value: s.value}))
      const held = new Set([...settings, ...remoteRequest.changes].map((c) => c.key))
      const replaced: KeyChange[] = request.replace ? Object.keys(current.config).flatMap((key) => (held.has(key) ? [] : [{key, value: undefined}])) : []
      const owners = Object.fromEntries(doc.owners.map((o) => [o.key, o.owner]))
      const combined = combineKeyRequests({changes: [...replaced, ...settings], touched: Object.keys(owners)}, remoteRequest)
      const keys = await planKeyChanges(system, tree, {
        ...combined,
        command: request.command,
        owners,
        refuse: (introduced, file) => refuseAt(doc, introduced, file),
      })
      const extraFiles: FileChange[] = remote === undefined ? [] : remote.enabled ? remote.access.certChanges : remote.shutdown.purgeChanges
      const changes = [...keys.changes, ...extraFiles]
      const changed = changes.some((c) => c.before !== c.after)
      // The whole result, conflicts with the command line included, checked here so that its
      // errors name the document; the pipeline then reuses this view (and this, the key planner's
      // view when nothing was added to its changes).
      const reusable = keys.planned !== undefined && extraFiles.every((c) => c.before === c.after)
      const planned = !changed ? current : reusable ? (keys.planned as EffectiveView) : await tree.inspect(new OverlayFileSystem(system.fs, changes))
      if (changed) refuseAt(doc, introducedFindings(current.errors, planned.errors), current.configFile)
      const createdDirs = remote?.enabled === true ? await enablePrivateDirs(system, remote.access, changes, request.apply.dryRun) : []
      const findings = reportedWarnings(keys.introduced)
      const remoteActions = remote === undefined ? [] : remote.enabled ? remote.access.actions : remote.shutdown.actions
      const actions = [...keys.actions, ...remoteActions]
      const told = [
        ...(remote?.enabled === false ? removingNote(remote.shutdown) : []),
        ...(remote?.enabled === true ? removedNote(remote.removed, remote.access) : []),
        ...actions,
      ]
      return {changes, changedKeys: keys.changedKeys, activation: keys.activation, planned, createdDirs, notes: {findings, actions: told}, findings, actions, remote}
    },
    // The engine put every file back (new ones deleted); the directories made for them go too.
    abandon: (plan) => removeEmptyDirs(system, plan.createdDirs),
    result: async (applied, plan, tree) => {
      const result: ApplyStateResult = {...changeKeysResult(applied, plan, tree), document: doc.source}
      const remote = plan.remote
      if (remote === undefined) return result
      if (!remote.enabled) {
        result.remote = {enabled: false, hosts: remote.shutdown.removed.length > 0 ? stringEntries(remote.shutdown.hosts) : tree.current.hosts, removed: remote.shutdown.removed}
        return result
      }
      const {access} = remote
      result.remote = {
        enabled: true,
        listener: access.listener,
        hosts: access.hosts,
        removed: remote.removed,
        ...(access.certificates ? {certificates: access.certificates} : {}),
        connect: connectInstructions(access.listener, access.insecure, access.certificates, request.identity?.dnsNames[0] ?? system.network.hostname()),
      }
      const checked = await checkListener(system, {tree, pipeline, applied, access, request})
      if (checked !== undefined) result.remote.selfCheck = checked
      return result
    },
  })
}

/** The document's remote access, planned on the tree as it is (undefined: the document leaves it alone). */
async function planRemote(system: System, current: EffectiveView['effective'], request: ApplyStateRequest): Promise<RemotePlan | undefined> {
  const remote = request.document.remote
  if (remote === undefined) return undefined
  if (!remote.enabled) return {enabled: false, shutdown: await planRemoteShutdown(system, current, false)}
  const access = await planRemoteAccess(system, current, enableRequest(request, remote)).catch((error: unknown) => {
    // Its words name remote enable's flags; the document's place says which part they mean.
    throw error instanceof UsageError ? at(request.document, remote, error) : error
  })
  // A state names THE listener: another TCP listener left from an earlier state goes (remote enable adds instead).
  const removed = access.hosts.filter((h) => parseTcpListener(h) !== undefined && h !== access.listener)
  const kept = access.hosts.filter((h) => !removed.includes(h))
  return {enabled: true, access: {...access, hosts: kept, actions: access.actions.filter((a) => !removed.some((r) => a.includes(r)))}, removed}
}

function enableRequest(request: ApplyStateRequest, remote: Extract<DesiredRemote, {enabled: true}>): EnableRequest {
  return {
    configFile: request.configFile,
    dockerdVersion: request.dockerdVersion,
    address: remote.address,
    port: remote.port,
    sans: remote.san,
    caDir: remote.ca,
    keyType: undefined,
    clientOut: undefined,
    insecure: remote.insecure,
    command: request.command,
    apply: request.apply,
    readLocalFile: request.readLocalFile,
    ...(request.identity ? {identity: request.identity} : {}),
  }
}

function removedNote(removed: readonly string[], access: RemoteAccessPlan): string[] {
  return removed.length > 0 ? [`removing ${removed.join(', ')}: the document declares ${access.listener} as the TCP listener`] : []
}

/** Parts of the document that ask for two different things (exit 2: the document is the user's to fix). */
function refuseContradictions(doc: DesiredState): void {
  for (const o of doc.owners) {
    const setting = doc.daemon.find((s) => s.key === o.key && s.value !== undefined)
    if (o.owner === 'flags' && setting !== undefined) {
      throw at(doc, o, new UsageError(`owners.${o.key} is "flags" but daemon.${o.key} sets it in daemon.json; give one of them, nothing was written`))
    }
    if (o.owner === 'flags' && o.key === 'hosts' && doc.remote !== undefined) {
      throw at(doc, o, new UsageError('owners.hosts is "flags" but "remote" keeps the listeners in daemon.json; give one of them, nothing was written'))
    }
  }
}

/**
 * Refuses errors the change brings (exit 3, nothing written). A finding about a key the document
 * gives is placed at that key's value in the document: that is where the user fixes it.
 */
function refuseAt(doc: DesiredState, introduced: readonly Finding[], file: string): void {
  refuseIntroducedErrors(
    introduced.map((f) => placed(doc, f)),
    file,
  )
}

function placed(doc: DesiredState, f: Finding): Finding {
  const given = f.key === undefined ? undefined : (doc.daemon.find((s) => s.key === f.key) ?? doc.owners.find((o) => o.key === f.key))
  return given === undefined ? f : {...f, file: doc.source, line: given.line, column: given.column}
}

/** The same error, its message prefixed with the document's line and column. */
function at<E extends UsageError | InvalidConfigError>(doc: DesiredState, place: Place, error: E): E {
  error.message = `${doc.source}:${place.line}:${place.column}: ${error.message}`
  return error
}
