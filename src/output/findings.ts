import {type Finding, locationOf} from '../core/findings.js'

/** One finding per line, compiler style: FILE:LINE:COL: severity[code] message (hint). */
export function renderFinding(f: Finding): string {
  const where = f.file ? `${locationOf(f)}: ` : ''
  const when = f.severity === 'error' && f.checkedAt === 'start' ? ' (only noticed when dockerd starts: dockerd --validate misses it)' : ''
  const hint = f.hint ? `\n    hint: ${f.hint}` : ''
  return `${where}${f.severity}[${f.code}] ${f.message}${when}${hint}`
}
