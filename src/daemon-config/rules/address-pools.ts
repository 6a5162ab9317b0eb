import {formatCidr, isCanonical, parseCidr} from '../../network/cidr.js'
import type {RuleContext} from './context.js'

/** default-address-pools as the IPAM pool setup reads them at start (27.0 decodes each base while loading the file). */
export function addressPoolRules(ctx: RuleContext): void {
  const entry = ctx.get('default-address-pools')
  if (entry === undefined) return
  const strict = ctx.atLeast('27.0.0')
  for (const [i, pool] of entry.items().entries()) {
    const fields = new Map(pool.members().map((f) => [f.key.toLowerCase(), f]))
    const baseField = fields.get('base')
    const sizeField = fields.get('size')
    if (baseField === undefined) {
      ctx.report({
        code: 'address-pool-invalid',
        severity: 'error',
        key: 'default-address-pools',
        at: pool.at,
        message: `pool ${i} has no "base": dockerd fails at start (invalid base pool)`,
        checkedAt: 'start',
      })
      continue
    }
    const baseText = String(baseField.value)
    const base = parseCidr(baseText)
    if (base === undefined) {
      ctx.report({
        code: 'address-pool-invalid',
        severity: 'error',
        key: 'default-address-pools',
        at: baseField.at,
        message: strict
          ? `pool ${i} "base" ${JSON.stringify(baseText)} is not a CIDR: ${ctx.dockerd()} cannot decode the file`
          : `pool ${i} "base" ${JSON.stringify(baseText)} is not a CIDR: dockerd fails at start ("invalid base pool")`,
        checkedAt: strict ? 'config' : 'start',
        hint: 'write a subnet such as "10.10.0.0/16"',
      })
      continue
    }
    if (!isCanonical(base)) {
      ctx.report({
        code: 'address-pool-not-canonical',
        severity: strict ? 'error' : 'warning',
        key: 'default-address-pools',
        at: baseField.at,
        message: strict
          ? `pool ${i} "base" ${baseText} has host bits set: dockerd fails at start ("network at index ${i} (${baseText}) is not in canonical form")`
          : `pool ${i} "base" ${baseText} has host bits set; ${ctx.dockerd()} accepts it, dockerd 27.0 and later refuse to start`,
        checkedAt: 'start',
        hint: `write "${formatCidr(base)}"`,
      })
    }
    const size = sizeField === undefined ? 0 : Number(sizeField.value)
    const max = base.family === 4 ? 32 : 128
    if (size <= 0 || size < base.prefix || size > max) {
      ctx.report({
        code: 'address-pool-size',
        severity: 'error',
        key: 'default-address-pools',
        at: sizeField?.at ?? pool.at,
        message:
          size > max
            ? `pool ${i} "size" ${size} is longer than an IPv${base.family} prefix can be (${max})`
            : size <= 0
              ? `pool ${i} needs a positive "size" (the prefix length of each network): dockerd fails at start ("invalid pools size: ${size}")`
              : `pool ${i} "size" /${size} is shorter than its base /${base.prefix}: dockerd fails at start (each network must fit inside the base)`,
        checkedAt: 'start',
        hint: `use a size between ${base.prefix} and ${base.family === 4 ? 30 : 64}`,
      })
    }
  }
}
