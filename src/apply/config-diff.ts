import type {FileChange} from '../core/file-change.js'
import {deepEqual} from '../daemon-config/edit.js'

/** Top-level daemon.json keys set before the change and absent after it. */
export function removedKeys(change: FileChange | undefined): string[] {
  if (change === undefined) return []
  const before = jsonObject(change.before) ?? {}
  const after = jsonObject(change.after) ?? {}
  return Object.keys(before).filter((k) => !Object.prototype.hasOwnProperty.call(after, k))
}

/**
 * daemon.json text as a plain object (a byte-order mark skipped; no text or blank text is `{}`);
 * undefined when it is not JSON or not an object, e.g. a hand-broken file being replaced.
 */
export function jsonObject(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined || text.trim() === '') return {}
  try {
    const value = JSON.parse(text.replace(/^\ufeff/, '')) as unknown
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

/** Top-level daemon.json keys whose value differs between before and after (added, removed, changed). */
export function changedConfigKeys(change: FileChange | undefined): string[] {
  if (change === undefined) return []
  const before = jsonObject(change.before) ?? {}
  const after = jsonObject(change.after) ?? {}
  return [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => !deepEqual(before[k], after[k]))
}
