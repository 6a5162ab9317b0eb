import type {ValidateResult} from '../operations/validate.js'
import {renderFinding} from './findings.js'
import type {Out} from './out.js'

/** `dockcfg validate` for a person: every finding on stdout, then what was checked against what on stderr. */
export function renderValidate(result: ValidateResult, out: Out): void {
  for (const finding of result.findings) out.log(renderFinding(finding))
  const against = result.dockerdVersion
    ? `dockerd ${result.dockerdVersion} (${result.versionSource})`
    : `the newest dockerd dockcfg knows (${result.assumedBecause === 'tree' ? "a tree's dockerd is not run" : 'no dockerd found'}; say which with --dockerd-version)`
  // A --config-file on the command line that is missing is an error finding of its own.
  if (!result.exists && !result.findings.some((f) => f.code === 'config-file-missing' || f.code === 'config-file-empty'))
    out.say(`${result.file} does not exist: dockerd runs with its defaults`)
  if (result.unit) out.say(`command line: ${result.execStart ? result.execStart.join(' ') : '(systemd would not run ExecStart)'} (${[result.unit, ...result.dropIns].join(', ')})`)
  out.say(`${result.file}: ${result.errors} error(s), ${result.warnings} warning(s), checked against ${against}`)
}
