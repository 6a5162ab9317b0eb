import type {FileChange} from '../changes/change-set.js'
import {deepEqual} from '../daemon-config/edit.js'

/** Top-level daemon.json keys set before the change and absent after it. */
export function removedKeys(change: FileChange | undefined): string[] {
  if (change === undefined) return []
  const before = parseObject(change.before)
  const after = parseObject(change.after)
  return Object.keys(before).filter((k) => !Object.prototype.hasOwnProperty.call(after, k))
}

function parseObject(text: string | undefined): Record<string, unknown> {
  if (text === undefined || text.trim() === '') return {}
  try {
    const value = JSON.parse(text.replace(/^\ufeff/, '')) as unknown
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
  } catch {
    // Not JSON (a hand-broken file being replaced): no key can be "removed" from it by a reload.
    return {}
  }
}

/** Top-level daemon.json keys whose value differs between before and after (added, removed, changed). */
export function changedConfigKeys(change: FileChange | undefined): string[] {
  if (change === undefined) return []
  const before = parseObject(change.before)
  const after = parseObject(change.after)
  return [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => !deepEqual(before[k], after[k]))
}
