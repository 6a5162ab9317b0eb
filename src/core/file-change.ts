/**
 * One planned change to one file: what planners produce (daemon.json edits, drop-ins, TLS
 * material) and what the change set commits. A plain value, so planning needs nothing of the
 * code that writes.
 */
export interface FileChange {
  /** Tree path as the user knows it (a symlink is written through to its target). */
  path: string
  /** Content when the plan was made; undefined: the file did not exist. */
  before: string | undefined
  /** Desired content; undefined: delete the file. */
  after: string | undefined
  /** Mode for a file that does not exist yet (an existing file keeps its own mode and owner). */
  newFileMode?: number
}
