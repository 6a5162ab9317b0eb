import {findOption, valueVerdict} from '../../registry/index.js'
import type {RuleContext} from './context.js'

/**
 * The registry's value rules for every key: closed value sets and retired values of string keys
 * (OptionSpec.values), bounds of integer keys (OptionSpec.range). Code, severity, message and hint
 * come from the row's refusal.
 */
export function registryValueRules(ctx: RuleContext): void {
  for (const [key, entry] of ctx.typed) {
    const spec = findOption(key)
    if (spec === undefined) continue
    const verdict = valueVerdict(spec, entry.value, ctx.version)
    if (verdict === undefined) continue
    const {refusal, hint, retired, range} = verdict
    const fields: Record<string, string | undefined> = {
      key: `"${key}"`,
      value: typeof entry.value === 'string' ? JSON.stringify(entry.value) : String(entry.value),
      raw: String(entry.value),
      dockerd: ctx.dockerd(),
      removed: retired?.removed,
      min: range?.min === undefined ? undefined : String(range.min),
      max: range?.max === undefined ? undefined : String(range.max),
    }
    ctx.report({
      code: refusal.code,
      severity: refusal.severity ?? 'error',
      key,
      at: entry.at,
      message: fillTemplate(refusal.message, fields),
      checkedAt: refusal.checkedAt,
      hint: hint === undefined ? undefined : fillTemplate(hint, fields),
    })
  }
}

/** A refusal's message or hint with its {placeholders} filled; an unknown or empty one stays as written. */
function fillTemplate(template: string, fields: Readonly<Record<string, string | undefined>>): string {
  return template.replace(/\{([a-z]+)\}/g, (whole, name: string) => fields[name] ?? whole)
}
