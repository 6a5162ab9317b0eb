import {DROPIN_DIR} from '../core/managed-files.js'
import * as path from 'node:path'

import {DockcfgError, InvalidConfigError, UsageError} from '../core/errors.js'
import type {FileChange} from '../core/file-change.js'
import {deepEqual, planDaemonJsonEdit} from '../daemon-config/edit.js'
import type {ParsedFlag} from '../dockerd/argv.js'
import {stringifyJson} from '../json/stringify.js'
import {findOption} from '../registry/index.js'
import type {FileSystem} from '../system/fs.js'
import {readTemplate} from '../system/templates.js'
import {commentText, LONG_LINE_MAX, quoteExecArg, unitValueProblem} from '../systemd/dropin.js'
import type {ArgvOrigin} from '../systemd/service.js'
import {escapeSpecifiers} from '../systemd/specifiers.js'
import {findAssignments, parseUnitFile, renderUnitFile, replaceAssignment} from '../systemd/unit-file.js'
import {flagsOfConflict} from './conflicts.js'
import {describeOrigin, type EffectiveConfig, flagValueAsJson} from './effective.js'

/** Which side keeps a directive that both sides set. */
export type Owner = 'file' | 'flags'

export interface FixPlan {
  changes: FileChange[]
  /** daemon.json keys whose value changes. */
  changedKeys: string[]
  /** One sentence per decision, for the user. */
  actions: string[]
  /** ExecStart argv after the fix (undefined when the command line is untouched). */
  newArgv?: string[]
}

export const DROPIN_PATH = `${DROPIN_DIR}/50-dockcfg.conf`

/**
 * Plans the resolution of every flag/file conflict: each directive gets one owner. With `file`
 * (the default) daemon.json keeps the setting (list values from both sides are merged, so
 * `-H fd://` plus `"hosts": ["tcp://…"]` becomes `"hosts": ["fd://", "tcp://…"]` and local access
 * keeps working) and the flag leaves ExecStart; with `flags` the key leaves daemon.json and list
 * values move onto the command line. The command line is only ever changed through a drop-in in
 * /etc/systemd/system/docker.service.d (an existing one that sets ExecStart is edited in place).
 * `owner` may name the side per directive (a desired-state document's `owners`).
 * Pure apart from reading the drop-in template.
 */
export async function planFix(fs: FileSystem, effective: EffectiveConfig, owner: Owner | ((key: string) => Owner), command: string): Promise<FixPlan> {
  const ownerOf = typeof owner === 'function' ? owner : () => owner
  const actions: string[] = []
  if (effective.conflicts.length === 0) return {changes: [], changedKeys: [], actions}
  const argv = effective.argv
  const entry = effective.service.execStart[0]
  if (effective.openrc !== undefined) {
    // conf.d is a shell fragment dockcfg reads but does not rewrite (it may hold any shell code).
    throw new DockcfgError(`cannot fix automatically: dockerd's flags come from DOCKER_OPTS in ${effective.openrc.path} (OpenRC), which dockcfg does not rewrite`, {
      remedy: `remove ${effective.conflicts.map((c) => c.flag).join(', ')} from DOCKER_OPTS in ${effective.openrc.path} by hand, or remove the keys from ${effective.configFile} (dockcfg unset KEY)`,
    })
  }
  if (argv === null || entry === undefined || effective.commandLine === undefined) {
    throw new DockcfgError('cannot fix: systemd would not run ExecStart at all, so there is no command line to change', {remedy: 'dockcfg validate shows why'})
  }
  if (effective.service.wrapper !== undefined) {
    throw new DockcfgError(`cannot fix automatically: ExecStart runs dockerd through ${effective.service.wrapper.program}, which dockcfg will not rewrite`, {
      remedy: `remove the conflicting flags from ${entry.file} line ${entry.line} by hand, or remove the keys from ${effective.configFile} (dockcfg unset KEY)`,
    })
  }

  const removed = new Set<number>()
  /** Flags that leave the command line (their words go; other flags in those words do not). */
  const moved = new Set<ParsedFlag>()
  const appended: Appended[] = []
  const jsonChanges: Array<{key: string; value: unknown}> = []
  for (const c of effective.conflicts) {
    const option = findOption(c.key)
    const flags = flagsOfConflict(c, effective.commandLine.flags, effective.dockerdVersion)
    const flagJson = option
      ? flagValueAsJson(
          option,
          flags.map((f) => f.value),
        )
      : c.flagValues.at(-1)
    const fileValue = effective.daemonJson.parsed.value[c.key]
    const merged = merge(flagJson, fileValue)
    const given = `${c.flag} ${c.flagValues.join(' ')}`
    if (ownerOf(c.key) === 'file') {
      for (const f of flags) {
        moved.add(f)
        for (let i = 0; i < f.span; i++) removed.add(f.index + i)
      }
      const where = describeOrigin(c.flagOrigins[0] ?? {kind: 'default'})
      if (deepEqual(merged, fileValue)) {
        actions.push(`${c.key}: kept in ${effective.configFile}; removed ${given} (${where})`)
      } else {
        jsonChanges.push({key: c.key, value: merged})
        actions.push(`${c.key}: moved ${given} (${where}) into ${effective.configFile}, now ${stringifyJson(merged)}`)
      }
    } else {
      // The flags stay as they are; the file's extra list entries are added as further flags.
      const extra = option && Array.isArray(merged) ? (merged as unknown[]).slice(Array.isArray(flagJson) ? flagJson.length : 1) : []
      const longFlag = `--${flags[0]?.name ?? c.key}`
      const added = extra.map((value) => `${longFlag}=${typeof value === 'string' ? value : stringifyJson(value)}`)
      appended.push(...added.map((arg) => ({arg, source: `"${c.key}" in ${describeOrigin(c.fileOrigin)}`})))
      jsonChanges.push({key: c.key, value: undefined})
      actions.push(`${c.key}: removed from ${effective.configFile}; ExecStart keeps ${given}${added.length ? ` and gains ${added.join(' ')}` : ''}`)
    }
  }
  // A shorthand cluster carries several flags in one word (`-DH fd://`, `-Dl debug`): dropping the
  // word for one of them would silently drop the others, or strand a value as a stray argument
  // dockerd refuses. Those flags are re-spelled in long form instead.
  for (const f of effective.commandLine.flags) {
    const elements = Array.from({length: f.span}, (_, i) => f.index + i)
    if (moved.has(f) || !elements.some((i) => removed.has(i))) continue
    for (const i of elements) removed.add(i)
    appended.push({arg: `--${f.name}=${f.value}`, source: elementSource(effective.service.argvOrigins?.[f.index])})
  }

  const changes: FileChange[] = []
  const edit = planDaemonJsonEdit(effective.daemonJson.exists ? effective.daemonJson.text : undefined, jsonChanges, effective.configFile)
  if (edit.changed) changes.push({path: effective.configFile, before: effective.daemonJson.exists ? effective.daemonJson.text : undefined, after: edit.after, newFileMode: 0o644})

  let newArgv: string[] | undefined
  if (removed.size > 0 || appended.length > 0) {
    const rendered = renderExecStart(effective, removed, appended)
    newArgv = rendered.argv
    const dropIn = await dropInChange(fs, effective, rendered.value, rendered.notes, command)
    changes.push(dropIn.change)
    actions.push(dropIn.action, ...rendered.notes.map((n) => `note: ${n}`))
  }
  return {changes, changedKeys: edit.changedKeys, actions, ...(newArgv ? {newArgv} : {})}
}

/** Lists concatenate (flags first, no duplicates), maps merge (file wins per key), scalars: file. */
function merge(flagValue: unknown, fileValue: unknown): unknown {
  if (Array.isArray(flagValue) && Array.isArray(fileValue)) {
    const out = [...flagValue]
    for (const v of fileValue) if (!out.some((o) => deepEqual(o, v))) out.push(v)
    return out
  }
  if (isObject(flagValue) && isObject(fileValue)) return {...flagValue, ...fileValue}
  return fileValue
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

/** An argument added to ExecStart, and where its value comes from (named if it is refused). */
interface Appended {
  arg: string
  source: string
}

/** Where one element of the resolved argv was written: its unit file line, and the variable it came through. */
function elementSource(origin: ArgvOrigin | undefined): string {
  if (origin === undefined) return 'the command line'
  const via = origin.viaVariable
    ? ` via $${origin.viaVariable}${origin.variableFile ? ` (${origin.variableFile}${origin.variableLine ? ` line ${origin.variableLine}` : ''})` : ''}`
    : ''
  return `ExecStart in ${origin.file} line ${origin.line}${via}`
}

/**
 * Refuses (exit 3, nothing written) a value that would carry a control character into the unit
 * file: systemd ends lines at \r and NUL as well as \n, so such a value could add directives, and
 * dockerd has no use for one anyway.
 */
function refuseUnwritable(value: string, source: string): void {
  const problem = unitValueProblem(value)
  if (problem === undefined) return
  throw new InvalidConfigError(`${JSON.stringify(value)} from ${source} contains ${problem}; dockcfg does not write that into a systemd unit, nothing was written`, {
    remedy: `remove the character from ${source}`,
  })
}

/**
 * The new ExecStart value: configured words are kept as written (so `$DOCKER_OPTS` keeps working)
 * unless an element to remove came out of them; such a word is spelled out without that element,
 * and a note explains that the variable no longer reaches dockerd.
 */
function renderExecStart(effective: EffectiveConfig, removed: ReadonlySet<number>, appended: readonly Appended[]): {value: string; argv: string[]; notes: string[]} {
  const entry = effective.service.execStart[0]!
  const words = entry.command.argv
  // The elements exactly as resolved (manager environment included), each tied to its word:
  // `removed` indexes this very list.
  const expanded = effective.service.argvOrigins ?? []
  if (expanded.some((e) => e.wordIndex === undefined)) throw new Error('renderExecStart: the argv does not come from the configured ExecStart words')
  const parts: string[] = []
  const argv: string[] = []
  const notes: string[] = []
  words.forEach((word, wordIndex) => {
    const elements = expanded.map((e, i) => ({...e, i})).filter((e) => e.wordIndex === wordIndex)
    const keep = elements.filter((e) => !removed.has(e.i))
    argv.push(...keep.map((e) => e.value))
    if (keep.length === elements.length) {
      refuseUnwritable(word, `ExecStart in ${entry.file} line ${entry.line}`)
      parts.push(rawWord(word))
      return
    }
    const variable = elements.find((e) => e.viaVariable !== undefined)
    if (variable?.viaVariable) {
      const source = effective.service.environment[variable.viaVariable]
      notes.push(
        `$${variable.viaVariable}${source ? ` (set in ${source.file} line ${source.line})` : ''} is spelled out below without the moved flags, ` +
          `so later changes to it no longer reach dockerd.`,
      )
    }
    for (const e of keep) refuseUnwritable(e.value, elementSource(e))
    parts.push(...keep.map((e) => quoteExecArg(e.value)))
  })
  for (const a of appended) {
    refuseUnwritable(a.arg, a.source)
    parts.push(quoteExecArg(a.arg))
    argv.push(a.arg)
  }
  const value = `${entry.command.prefixes}${parts.join(' ')}`
  const bytes = Buffer.byteLength(`ExecStart=${value}`)
  if (bytes >= LONG_LINE_MAX) {
    throw new InvalidConfigError(
      `the new ExecStart line would be ${bytes} bytes long; systemd refuses a unit file with a line of ${LONG_LINE_MAX} bytes or more, nothing was written`,
      {
        remedy: `shorten the values on dockerd's command line (${entry.file} line ${entry.line}) or in ${effective.configFile}`,
      },
    )
  }
  return {value, argv, notes}
}

/** A configured word written back as configured: specifiers escaped, variables left to systemd. */
function rawWord(word: string): string {
  const escaped = escapeSpecifiers(word)
  if (/^[A-Za-z0-9_@+=:,./${}-]+$/.test(escaped) && escaped !== '') return escaped
  return `"${escaped.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`
}

/**
 * Fills `{{name}}` placeholders in one pass with a function replacer: a value is inserted exactly as
 * given (String.replace would turn `$$` into `$` and `$&` into the placeholder) and is never read
 * again as a template, so a `{{execStart}}` typed by the user stays text.
 */
function renderTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (_placeholder, name: string) => {
    const value = values[name]
    if (value === undefined) throw new Error(`template placeholder {{${name}}} has no value`)
    return value
  })
}

/**
 * The drop-in that gives dockerd the new ExecStart `value`, and the sentence saying what it did.
 * Notes about spelled-out variables go into the file as comments; the caller reports them too.
 */
async function dropInChange(fs: FileSystem, effective: EffectiveConfig, value: string, notes: readonly string[], command: string): Promise<{change: FileChange; action: string}> {
  const entry = effective.service.execStart[0]!
  const dir = path.posix.dirname(entry.file)
  const name = path.posix.basename(entry.file)
  if (dir === DROPIN_DIR) {
    // An /etc drop-in already owns ExecStart: edit it rather than stacking another layer on top.
    const edited = await withExecStartReplaced(fs, entry.file, value)
    if (edited !== undefined) {
      return {
        change: {path: entry.file, before: edited.before, after: edited.after, newFileMode: 0o644},
        action: `command line: edited ExecStart in ${entry.file} line ${edited.line}`,
      }
    }
  }
  if (dir.endsWith(`/${effective.service.unitName}.d`) && name > path.posix.basename(DROPIN_PATH)) {
    // The ExecStart comes from a drop-in in /run or /usr/lib that sorts after 50-dockcfg.conf:
    // systemd applies drop-ins by name, so ours would be overridden and dead. A same-name copy in
    // /etc masks that one (an /etc drop-in beats /run and /usr/lib of the same name) and keeps
    // whatever else it sets; the vendor file itself is never edited.
    const edited = await withExecStartReplaced(fs, entry.file, value)
    if (edited !== undefined) {
      const copy = `${DROPIN_DIR}/${name}`
      const header = [
        `# Written by dockcfg: ${recordedCommand(command, copy)}`,
        `# A copy of ${commentText(entry.file)}, which it masks (same name, /etc wins), with ExecStart (line ${edited.line}) changed so`,
        `# each directive has one owner between the command line and ${commentText(effective.configFile)}.`,
        ...notes.map((n) => `# ${commentText(n)}`),
        '',
      ].join('\n')
      const previous = await fs.readText(copy)
      return {
        change: {path: copy, before: previous, after: header + edited.after, newFileMode: 0o644},
        action: `command line: ${previous !== undefined ? 'rewrote' : 'added'} ${copy}, a copy of ${entry.file} (masking it) with ExecStart changed`,
      }
    }
  }
  const template = await readTemplate('systemd/dockcfg-execstart.conf')
  const after = renderTemplate(template, {
    command: recordedCommand(command, DROPIN_PATH),
    reason: commentText(`Replaces the ExecStart of ${entry.file} line ${entry.line}.`),
    configFile: commentText(effective.configFile),
    notes: notes.map((n) => `# ${commentText(n)}\n`).join(''),
    execStart: value,
  })
  const previous = await fs.readText(DROPIN_PATH)
  return {
    change: {path: DROPIN_PATH, before: previous, after, newFileMode: 0o644},
    action: `command line: ${previous !== undefined ? 'rewrote' : 'added'} drop-in ${DROPIN_PATH} replacing ExecStart (${entry.file} line ${entry.line})`,
  }
}

/**
 * The command line as the header comment of `file` records it. What the user typed is refused
 * (exit 2) rather than escaped when it holds a control character: it is text on its way into a
 * unit file, and no legitimate value needs one.
 */
function recordedCommand(command: string, file: string): string {
  const problem = unitValueProblem(command)
  if (problem !== undefined) {
    throw new UsageError(
      `the command line ${JSON.stringify(command)} contains ${problem}; it would be recorded in ${file}, and dockcfg writes no control character into a systemd unit. Nothing was written`,
      {
        remedy: 'type the value without control characters',
      },
    )
  }
  return commentText(command)
}

/**
 * The unit file at `file` with its last non-empty [Service] ExecStart= (the one systemd runs)
 * set to `value`, every other byte kept; undefined when the file is unreadable or has none.
 */
async function withExecStartReplaced(fs: FileSystem, file: string, value: string): Promise<{before: string; after: string; line: number} | undefined> {
  const text = await fs.readText(file)
  if (text === undefined) return undefined
  const unit = parseUnitFile(text, file)
  const target = findAssignments(unit, 'Service', 'ExecStart')
    .filter((a) => a.value !== '')
    .at(-1)
  if (target === undefined) return undefined
  return {before: text, after: renderUnitFile(replaceAssignment(unit, target, value)), line: target.line}
}
