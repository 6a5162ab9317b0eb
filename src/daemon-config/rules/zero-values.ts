import {findOption} from '../../registry/index.js'
import type {RuleContext} from './context.js'

/** Section 2.6: a zero number or empty string in the file is replaced by the flag default. */
export function zeroValueRule(ctx: RuleContext): void {
  for (const [key, entry] of ctx.typed) {
    const spec = findOption(key)
    if (spec === undefined) continue
    const zero = (spec.kind === 'integer' && entry.value === 0) || (spec.kind === 'string' && entry.value === '')
    const meaningful = spec.defaultValue !== undefined && spec.defaultValue !== 0 && spec.defaultValue !== ''
    if (!zero || !meaningful) continue
    // 29.7 keeps an explicit 0 stop timeout; 20.10's counters are pointers, so 0 stays 0 there.
    if (key === 'default-stop-timeout') continue
    if (key.startsWith('max-') && !ctx.atLeast('23.0.0')) continue
    if (ctx.hasError(key)) continue
    ctx.report({
      code: 'zero-means-default',
      severity: 'info',
      key,
      at: entry.at,
      message: `"${key}": ${JSON.stringify(entry.value)} is replaced by dockerd's default ${JSON.stringify(spec.defaultValue)}: zero values in daemon.json do not override defaults`,
      hint: `delete the key, or write the value you want`,
    })
  }
}
