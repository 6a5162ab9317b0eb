/**
 * Finding a unit's fragment and drop-ins the way systemd 252's system manager does
 * (src/basic/path-lookup.c, src/shared/unit-file.c, src/shared/dropin.c, src/basic/conf-files.c):
 *
 * - the fragment is the first `<dir>/<name>` along the search path; a symlink to /dev/null (or an
 *   empty file) there masks the unit and everything below it;
 * - drop-ins are `*.conf` in `<dir>/<name>.d/` for every search directory, then in the
 *   `<dir>/<prefix>-.service.d/` directories of dashed names, then in the type-wide
 *   `<dir>/service.d/`; all are merged by file name in lexical order and for one name the first
 *   directory in that list wins (so /etc beats /run beats /usr/local/lib beats /usr/lib), which is
 *   also how a /dev/null symlink suppresses a vendor drop-in of the same name;
 * - two search directories that are the same directory (merged /usr: /lib -> /usr/lib) count once.
 */

import * as path from 'node:path'

import type {FileSystem} from '../system/fs.js'
import {byCodeUnits} from '../core/order.js'

/**
 * The system unit search path of systemd 252, highest priority first. /usr/lib and /lib are both
 * listed because Debian 12 still looks in /lib; on merged-/usr hosts they are one directory.
 */
export const SYSTEM_UNIT_PATH: readonly string[] = [
  '/etc/systemd/system.control',
  '/run/systemd/system.control',
  '/run/systemd/transient',
  '/run/systemd/generator.early',
  '/etc/systemd/system',
  '/etc/systemd/system.attached',
  '/run/systemd/system',
  '/run/systemd/system.attached',
  '/run/systemd/generator',
  '/usr/local/lib/systemd/system',
  '/usr/lib/systemd/system',
  '/lib/systemd/system',
  '/run/systemd/generator.late',
]

export interface UnitCandidate {
  /** Tree path where the unit file was found. */
  path: string
  /** Where it really lives after following symlinks (tree path). */
  realPath: string
  masked: boolean
}

export interface DropInFile {
  /** Tree path of the effective drop-in. */
  path: string
  /** File name: the merge key. */
  name: string
  /** A /dev/null symlink or an empty file: it contributes nothing but hides same-named files. */
  masked: boolean
  /** Same-named drop-ins in lower-priority directories that this one hides. */
  overrides: string[]
}

export interface ResolvedUnitFiles {
  unitName: string
  /** The fragment systemd loads, undefined when there is none (or it is masked). */
  fragment: UnitCandidate | undefined
  masked: boolean
  /** Lower-priority copies of the unit hidden by the fragment (e.g. the vendor unit under /lib). */
  shadowed: UnitCandidate[]
  /** Effective drop-ins in the order systemd applies them. */
  dropIns: DropInFile[]
  /** Search directories after merging those that are one directory. */
  searchPath: string[]
  warnings: string[]
}

async function dedupeDirs(fs: FileSystem, dirs: readonly string[]): Promise<string[]> {
  const seen = new Set<string>()
  const out: string[] = []
  for (const dir of dirs) {
    const real = await fs.realpath(dir)
    if (seen.has(real)) continue
    seen.add(real)
    out.push(dir)
  }
  return out
}

async function inspect(fs: FileSystem, treePath: string): Promise<UnitCandidate | 'dangling' | undefined> {
  const l = await fs.lstat(treePath)
  if (!l) return undefined
  const realPath = await fs.realpath(treePath)
  if (realPath === '/dev/null') return {path: treePath, realPath, masked: true}
  const st = await fs.stat(treePath)
  if (!st) return 'dangling'
  if (st.isDirectory()) return undefined
  // systemd treats an empty unit file like a /dev/null link: masked.
  return {path: treePath, realPath, masked: st.isFile() && st.size === 0}
}

/** Drop-in directory names for `name`: the name itself, then dashed prefixes (`foo-bar-.service`). */
function dropInNames(unitName: string): string[] {
  const dot = unitName.lastIndexOf('.')
  const base = dot >= 0 ? unitName.slice(0, dot) : unitName
  const suffix = dot >= 0 ? unitName.slice(dot) : ''
  const names = [unitName]
  const at = base.indexOf('@')
  if (at >= 0 && at < base.length - 1) names.push(`${base.slice(0, at + 1)}${suffix}`)
  const prefixBase = at >= 0 ? base.slice(0, at) : base
  for (let i = prefixBase.length - 1; i > 0; i--) {
    if (prefixBase[i] === '-' && i < prefixBase.length - 1) names.push(`${prefixBase.slice(0, i + 1)}${suffix}`)
  }
  return names
}

function isHiddenOrBackup(name: string): boolean {
  return (
    name.startsWith('.') ||
    name.endsWith('~') ||
    /\.(rpmnew|rpmsave|rpmorig|dpkg-old|dpkg-new|dpkg-tmp|dpkg-dist|dpkg-bak|dpkg-backup|dpkg-remove|ucf-new|ucf-old|ucf-dist|swp|bak|old|new)$/.test(name)
  )
}

/**
 * Locates the fragment and the effective drop-ins of `unitName` under the tree of `fs`.
 */
export async function resolveUnitFiles(fs: FileSystem, unitName: string, options: {searchPath?: readonly string[]} = {}): Promise<ResolvedUnitFiles> {
  const searchPath = await dedupeDirs(fs, options.searchPath ?? SYSTEM_UNIT_PATH)
  const warnings: string[] = []
  let fragment: UnitCandidate | undefined
  let masked = false
  const shadowed: UnitCandidate[] = []

  for (const dir of searchPath) {
    const found = await inspect(fs, path.posix.join(dir, unitName))
    if (found === undefined) continue
    if (found === 'dangling') {
      warnings.push(`${path.posix.join(dir, unitName)} is a dangling symlink; systemd skips it`)
      continue
    }
    if (fragment || masked) {
      shadowed.push(found)
      continue
    }
    if (found.masked) {
      masked = true
      shadowed.push(found)
      continue
    }
    fragment = found
  }

  const dirs: string[] = []
  for (const dir of searchPath) for (const name of dropInNames(unitName)) dirs.push(path.posix.join(dir, `${name}.d`))
  const dot = unitName.lastIndexOf('.')
  const type = dot >= 0 ? unitName.slice(dot + 1) : ''
  if (type) for (const dir of searchPath) dirs.push(path.posix.join(dir, `${type}.d`))

  const byName = new Map<string, DropInFile>()
  for (const dir of dirs) {
    for (const entry of await fs.list(dir)) {
      if (!entry.endsWith('.conf') || isHiddenOrBackup(entry)) continue
      const file = path.posix.join(dir, entry)
      const found = await inspect(fs, file)
      if (found === undefined) continue
      if (found === 'dangling') {
        warnings.push(`${file} is a dangling symlink`)
        continue
      }
      const existing = byName.get(entry)
      if (existing) {
        if (!existing.overrides.includes(file)) existing.overrides.push(file)
        continue
      }
      byName.set(entry, {path: file, name: entry, masked: found.masked, overrides: []})
    }
  }
  // conf_files_list() orders by file name with strcmp(): plain code-unit order, not locale order.
  const dropIns = [...byName.values()].sort((a, b) => byCodeUnits(a.name, b.name))
  return {unitName, fragment, masked, shadowed, dropIns: masked ? [] : dropIns, searchPath, warnings}
}
