import {Args} from '@oclif/core'

import {DockcfgCommand} from '../cli/base-command.js'
import {describeOption, flagText, listOptions, type OptionSummary, rangeText, valuesText, versionsText} from '../registry/describe.js'
import {renderTable} from '../output/table.js'

export type KeysResult = {keys: OptionSummary[]}

export default class Keys extends DockcfgCommand {
  static override summary = 'List every daemon.json key dockerd knows, or show one in detail.'
  static override description = 'Type, command-line flag, whether a reload applies it, the dockerd versions that know it, and what it does.'
  static override examples = ['<%= config.bin %> keys', '<%= config.bin %> keys bip', '<%= config.bin %> keys --json']
  static override args = {key: Args.string({description: 'one key to describe', required: false})}

  async run(): Promise<KeysResult> {
    const {args} = await this.parse(Keys)
    if (args.key !== undefined) {
      const one = describeOption(args.key)
      if (!this.jsonEnabled()) this.log(renderDetail(one))
      return {keys: [one]}
    }
    const keys = listOptions()
    if (!this.jsonEnabled()) {
      this.log(
        renderTable(
          ['KEY', 'TYPE', 'FLAG', 'RELOAD', 'VERSIONS'],
          keys.map((k) => [k.key, k.kind, k.flags.map((f) => flagText(f)).join(' ') || '-', k.reload, versionsText(k)]),
        ),
      )
    }
    return {keys}
  }
}

function renderDetail(k: OptionSummary): string {
  const rows: Array<[string, string]> = [
    ['key', k.key],
    ['type', k.kind],
    ['flags', k.flags.map((f) => flagText(f)).join(', ') || '(none: daemon.json only)'],
    ['reload', k.reload + (k.reloadNote ? ` (${k.reloadNote})` : '')],
    ['versions', versionsText(k) + (k.replacement ? `; instead: ${k.replacement}` : '')],
    [
      'checked',
      k.checkedAt === 'start'
        ? 'when dockerd starts (dockerd --validate does not see bad values)'
        : k.checkedAt === 'config'
          ? 'when dockerd loads its configuration'
          : 'not checked by dockerd',
    ],
    ['default', k.default === undefined ? '-' : JSON.stringify(k.default)],
    ...optionalRow('values', valuesText(k)),
    ...optionalRow('range', rangeText(k)),
    ...optionalRow('reads file', k.readsFile ? 'dockerd reads the named file while loading its configuration' : undefined),
    ...optionalRow('bridge', k.defaultBridge ? 'applied when dockerd builds the default bridge: not while live-restored containers run' : undefined),
    ...optionalRow(
      'moves data',
      k.movesState ? `${k.movesState.entry ? `${k.movesState.entry}: ` : ''}a change needs confirmation (--yes); what is in the old place is not visible after it` : undefined,
    ),
    ...optionalRow('trial start', k.trialCannotJudge ? `not judged by the trial dockerd (preflight before 23.0): ${k.trialCannotJudge}` : undefined),
    ['live value', k.observable ?? 'not observable through the API'],
    ['description', k.description],
  ]
  return rows.map(([name, value]) => `${name.padEnd(12)} ${value}`).join('\n')
}

/** A detail row only for keys that have the fact. */
function optionalRow(name: string, value: string | undefined): Array<[string, string]> {
  return value === undefined ? [] : [[name, value]]
}
