import type {OptionSpec} from '../../registry/types.js'
import type {RuleContext} from './context.js'
import type {Value} from './value.js'

type Wrong = (value: Value, what: string, extra?: string) => boolean

/** dockerd decodes with Go's encoding/json into typed fields: a wrong JSON type fails the whole file. */
export function checkType(ctx: RuleContext, entry: Value, spec: OptionSpec): boolean {
  const {key} = entry
  const wrong: Wrong = (value, what, extra = '') => {
    ctx.report({
      code: 'wrong-type',
      severity: 'error',
      key,
      at: value.at,
      message: `${what} must be ${extra || describeKind(spec)}, not ${describeJson(value)}: ${ctx.dockerd()} cannot decode the file`,
      checkedAt: 'config',
      hint: kindHint(spec),
    })
    return false
  }
  const label = `"${key}"`
  switch (spec.kind) {
    case 'string':
      return entry.type === 'string' || wrong(entry, label)
    case 'boolean':
    case 'nullable-boolean':
      return entry.type === 'boolean' || wrong(entry, label)
    case 'integer':
      return entry.integer || wrong(entry, label)
    case 'string-list': {
      if (entry.type !== 'array') return wrong(entry, label)
      let ok = true
      for (const item of entry.items()) {
        if (item.type !== 'string' && item.type !== 'null') ok = wrong(item, `every entry of ${label}`, 'a string')
      }
      return ok
    }
    case 'string-map':
    case 'bool-map': {
      if (entry.type !== 'object') return wrong(entry, label)
      const want = spec.kind === 'string-map' ? 'string' : 'boolean'
      let ok = true
      for (const member of entry.members()) {
        if (member.type !== want && member.type !== 'null') {
          ok = wrong(member, `"${key}.${member.key}"`, want === 'string' ? 'a string (write "10" rather than 10)' : 'true or false')
        }
      }
      return ok
    }
    case 'nested-map': {
      if (entry.type !== 'object') return wrong(entry, label)
      let ok = true
      for (const driver of entry.members()) {
        if (driver.type !== 'object') {
          ok = wrong(driver, `"${key}.${driver.key}"`, 'an object of string options')
          continue
        }
        for (const opt of driver.members()) {
          if (opt.type !== 'string') ok = wrong(opt, `"${key}.${driver.key}.${opt.key}"`, 'a string')
        }
      }
      return ok
    }
    case 'address-pools':
      return typeAddressPools(ctx, entry, wrong)
    case 'ulimits':
      return typeUlimits(entry, wrong)
    case 'runtimes':
      return typeRuntimes(entry, wrong)
    case 'object':
      return entry.type === 'object' || wrong(entry, label)
  }
}

function typeAddressPools(ctx: RuleContext, entry: Value, wrong: Wrong): boolean {
  const {key} = entry
  if (entry.type !== 'array') return wrong(entry, `"${key}"`, 'an array of {"base": "CIDR", "size": N} objects')
  let ok = true
  for (const [i, pool] of entry.items().entries()) {
    if (pool.type !== 'object') {
      ok = wrong(pool, `entry ${i} of "${key}"`, 'an object {"base": "CIDR", "size": N}')
      continue
    }
    for (const field of pool.members()) {
      const name = field.key.toLowerCase()
      if (name === 'base' && field.type !== 'string') ok = wrong(field, `"base" of pool ${i}`, 'a CIDR string')
      else if (name === 'size' && !field.integer) ok = wrong(field, `"size" of pool ${i}`, 'an integer prefix length')
      else if (name !== 'base' && name !== 'size') {
        ctx.report({
          code: 'address-pool-unknown-field',
          severity: 'warning',
          key,
          at: field.keyAt,
          message: `"${field.key}" in pool ${i} is not a pool field; dockerd ignores it (a pool has only "base" and "size")`,
          hint: 'delete it',
        })
      }
    }
  }
  return ok
}

function typeUlimits(entry: Value, wrong: Wrong): boolean {
  const {key} = entry
  if (entry.type !== 'object') return wrong(entry, `"${key}"`, 'an object {name: {"Name", "Soft", "Hard"}}')
  let ok = true
  for (const limit of entry.members()) {
    if (limit.type !== 'object') {
      ok = wrong(limit, `"${key}.${limit.key}"`, 'an object {"Name", "Soft", "Hard"}')
      continue
    }
    for (const field of limit.members()) {
      // Go matches struct field names case-insensitively.
      const name = field.key.toLowerCase()
      if (name === 'name' && field.type !== 'string') ok = wrong(field, `"${key}.${limit.key}.Name"`, 'a string')
      else if ((name === 'soft' || name === 'hard') && !field.integer) ok = wrong(field, `"${key}.${limit.key}.${field.key}"`, 'an integer')
    }
  }
  return ok
}

function typeRuntimes(entry: Value, wrong: Wrong): boolean {
  const {key} = entry
  if (entry.type !== 'object') return wrong(entry, `"${key}"`, 'an object {name: {"path": ..., "runtimeArgs": [...]}}')
  let ok = true
  for (const runtime of entry.members()) {
    if (runtime.type !== 'object') {
      ok = wrong(runtime, `runtime "${runtime.key}"`, 'an object such as {"path": "/usr/bin/crun"}')
      continue
    }
    for (const field of runtime.members()) {
      const name = field.key.toLowerCase()
      if ((name === 'path' || name === 'runtimetype') && field.type !== 'string') ok = wrong(field, `"${field.key}" of runtime "${runtime.key}"`, 'a string')
      else if (name === 'runtimeargs' && (field.type !== 'array' || field.items().some((c) => c.type !== 'string'))) {
        ok = wrong(field, `"runtimeArgs" of runtime "${runtime.key}"`, 'an array of strings')
      } else if (name === 'options' && field.type !== 'object') ok = wrong(field, `"options" of runtime "${runtime.key}"`, 'an object')
    }
  }
  return ok
}

/** A value as messages name it: "the string \"x\"", "the number 3", "an array", ... */
export function describeJson(value: Value): string {
  switch (value.type) {
    case 'string':
      return `the string ${JSON.stringify(value.value)}`
    case 'number':
      return `the number ${String(value.value)}`
    case 'boolean':
      return String(value.value)
    case 'null':
      return 'null'
    case 'array':
      return 'an array'
    default:
      return 'an object'
  }
}

export function describeKind(spec: OptionSpec): string {
  switch (spec.kind) {
    case 'string':
      return 'a string'
    case 'boolean':
    case 'nullable-boolean':
      return 'true or false'
    case 'integer':
      return 'a whole number'
    case 'string-list':
      return 'an array of strings'
    case 'string-map':
      return 'an object of string values'
    case 'bool-map':
      return 'an object of true/false values'
    case 'address-pools':
      return 'an array of {"base": "CIDR", "size": N} objects'
    case 'ulimits':
      return 'an object of {"Name", "Soft", "Hard"} objects'
    case 'runtimes':
      return 'an object of runtime objects'
    case 'nested-map':
      return 'an object of per-driver option objects'
    case 'object':
      return 'an object'
  }
}

export function kindHint(spec: OptionSpec): string | undefined {
  switch (spec.kind) {
    case 'string-list':
      return `write ["…"] even for a single entry, e.g. "${spec.key}": ["value"]`
    case 'integer':
      return `write a bare number, e.g. "${spec.key}": ${typeof spec.defaultValue === 'number' ? spec.defaultValue : 1}`
    case 'boolean':
    case 'nullable-boolean':
      return 'write true or false without quotes'
    case 'string-map':
      return 'quote every value, e.g. "max-file": "3"'
    case 'address-pools':
      return 'e.g. "default-address-pools": [{"base": "10.10.0.0/16", "size": 24}]'
    default:
      return spec.key === 'default-shm-size' ? 'write a size string such as "64M"' : undefined
  }
}
