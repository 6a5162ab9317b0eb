import type {Stats} from 'node:fs'
import * as path from 'node:path'

import type {WriteOptions} from './atomic-write.js'
import type {FileSystem} from './fs.js'

/**
 * A read-only view of the tree as it would be after a plan is written: planned contents shadow
 * the real files. Preflight runs the very same unit and daemon.json model on this view, so "what
 * would dockerd see after the change" is computed by the code that reads the live host.
 */
export class OverlayFileSystem implements FileSystem {
  readonly root: string
  private readonly planned: Map<string, string | undefined>

  constructor(
    private readonly base: FileSystem,
    changes: ReadonlyArray<{path: string; after: string | undefined}>,
  ) {
    this.root = base.root
    this.planned = new Map(changes.map((c) => [path.posix.resolve('/', c.path), c.after]))
  }

  hostPath(treePath: string): string {
    return this.base.hostPath(treePath)
  }

  hostPathForWrite(treePath: string): string {
    return this.base.hostPathForWrite(treePath)
  }

  private plannedFor(treePath: string): {hit: boolean; content: string | undefined} {
    const key = path.posix.resolve('/', treePath)
    return this.planned.has(key) ? {hit: true, content: this.planned.get(key)} : {hit: false, content: undefined}
  }

  async readText(treePath: string): Promise<string | undefined> {
    const p = this.plannedFor(treePath)
    return p.hit ? p.content : this.base.readText(treePath)
  }

  async readBytes(treePath: string): Promise<Buffer | undefined> {
    const p = this.plannedFor(treePath)
    if (!p.hit) return this.base.readBytes(treePath)
    return p.content === undefined ? undefined : Buffer.from(p.content)
  }

  async list(treePath: string): Promise<string[]> {
    const dir = path.posix.resolve('/', treePath)
    const names = new Set(await this.base.list(treePath))
    for (const [file, content] of this.planned) {
      if (path.posix.dirname(file) !== dir) continue
      if (content === undefined) names.delete(path.posix.basename(file))
      else names.add(path.posix.basename(file))
    }
    return [...names].sort()
  }

  async stat(treePath: string): Promise<Stats | undefined> {
    const p = this.plannedFor(treePath)
    if (!p.hit) return this.base.stat(treePath)
    return p.content === undefined ? undefined : fileStats(p.content)
  }

  async lstat(treePath: string): Promise<Stats | undefined> {
    const p = this.plannedFor(treePath)
    if (!p.hit) return this.base.lstat(treePath)
    return p.content === undefined ? undefined : fileStats(p.content)
  }

  realpath(treePath: string): Promise<string> {
    return this.base.realpath(treePath)
  }

  async writeAtomic(treePath: string, _data: string | Buffer, _options: WriteOptions): Promise<void> {
    throw new Error(`internal error: the planned view is read-only (write to ${treePath})`)
  }

  async mkdirp(treePath: string): Promise<void> {
    throw new Error(`internal error: the planned view is read-only (mkdir ${treePath})`)
  }

  async remove(treePath: string): Promise<void> {
    throw new Error(`internal error: the planned view is read-only (remove ${treePath})`)
  }

  async removeEmptyDir(treePath: string): Promise<boolean> {
    throw new Error(`internal error: the planned view is read-only (rmdir ${treePath})`)
  }
}

function fileStats(content: string): Stats {
  const size = Buffer.byteLength(content)
  // Only the questions the models ask (is it a file, how big) need answers for a planned file.
  return {
    isFile: () => true,
    isDirectory: () => false,
    isSymbolicLink: () => false,
    mode: 0o100644,
    size,
    uid: 0,
    gid: 0,
  } as unknown as Stats
}
