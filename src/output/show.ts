import type {ShowResult} from '../operations/show.js'
import {describeOrigin, type Setting} from '../effective/effective.js'
import {stringifyJson} from '../json/stringify.js'
import {redactJson} from '../changes/redact.js'
import {renderFinding} from './findings.js'
import {renderTable, truncate} from './table.js'
import type {Out} from './out.js'

/**
 * Widths at which `show` cuts a cell (with an ellipsis; --json has every value in full): every row
 * is padded to the widest cell of a column, so one long value (a hundred thousand labels, a key
 * of 100 KB) would otherwise multiply into every line. The longest key dockerd knows has 32 characters.
 */
export const SETTING_WIDTH = 40
export const VALUE_WIDTH = 60

/** The SETTING / VALUE / FROM table of `dockcfg show`; defaults only with `verbose`. */
export function renderSettings(settings: readonly Setting[], verbose: boolean): string {
  const rows = settings
    .filter((s) => s.origin.kind !== 'default' || verbose)
    .map((s) => [
      truncate(s.key, SETTING_WIDTH),
      // Serialised only as far as the cell shows: a value of 10 MB costs 60 characters here. Redacted
      // before it is cut: a cut URL loses the `@` that marks its password.
      stringifyJson(redactJson(s.value), {maxLength: VALUE_WIDTH}),
      [s.origin, ...(s.moreOrigins ?? [])].map(describeOrigin).join('; ') + (s.alsoSetBy ? `  CONFLICT with ${s.alsoSetBy.map(describeOrigin).join(', ')}` : ''),
    ])
  return renderTable(['SETTING', 'VALUE', 'FROM'], rows)
}

/** `dockcfg show` for a person: the files behind the configuration, the table, then notes and findings on stderr. */
export function renderShow(result: ShowResult, view: {daemonJsonExists: boolean; verbose: boolean}, out: Out): void {
  out.log(`unit:        ${result.unit ?? '(no docker.service found)'}`)
  for (const d of result.dropIns) out.log(`drop-in:     ${d}`)
  for (const f of result.environmentFiles) out.log(`environment: ${f}`)
  out.log(`daemon.json: ${result.configFile}${view.daemonJsonExists ? '' : ' (missing)'}`)
  out.log(`ExecStart:   ${result.execStart ? result.execStart.join(' ') : '(none)'}`)
  out.log('')
  out.log(renderSettings(result.settings, view.verbose))
  if (!view.verbose) out.say('(defaults hidden; --verbose shows them)')
  for (const f of result.findings.filter((x) => x.severity !== 'info')) out.say(renderFinding(f))
}
