import {dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')
/** Scratch space on this side (gitignored): console logs, the cached busybox tar. */
export const WORK_DIR = join(REPO_ROOT, '.e2e-work')
