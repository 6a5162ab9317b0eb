import {parseGoBool, parseGoInt} from '../dockerd/strconv.js'
import type {OptionSpec} from '../registry/types.js'
import type {JsonValue} from '../json/value.js'

/** Flag values converted to the JSON shape daemon.json would hold for the same setting. */
export function flagValueAsJson(option: OptionSpec, values: readonly string[]): JsonValue {
  const last = values.at(-1) ?? ''
  switch (option.kind) {
    // Values dockerd would refuse are reported by src/dockerd/argv.ts; here they are kept as typed.
    case 'boolean':
    case 'nullable-boolean':
      return parseGoBool(last) ?? last
    case 'integer':
      return parseGoInt(last) ?? last
    case 'string':
      return last
    case 'string-list':
      // One entry per flag, as dockerd's ListOpts/IPListOpts take them: `--dns 1.1.1.1,8.8.8.8` is
      // not two servers but one invalid address (dockerd refuses it), so nothing is split here.
      return [...values]
    case 'string-map':
    case 'object':
      return Object.fromEntries(values.map((v) => [v.slice(0, v.indexOf('=')), v.slice(v.indexOf('=') + 1)]))
    case 'bool-map':
      return Object.fromEntries(values.map((v) => (v.includes('=') ? [v.slice(0, v.indexOf('=')), !/^false$/i.test(v.slice(v.indexOf('=') + 1))] : [v, true])))
    case 'address-pools':
      return values.map((v) => {
        const fields = Object.fromEntries(v.split(',').map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]))
        return {...(fields.base === undefined ? {} : {base: fields.base}), size: Number(fields.size)}
      })
    case 'runtimes':
      return Object.fromEntries(values.map((v) => [v.slice(0, v.indexOf('=')), {path: v.slice(v.indexOf('=') + 1)}]))
    case 'ulimits':
      return Object.fromEntries(
        values.map((v) => {
          const [name, limits] = [v.slice(0, v.indexOf('=')), v.slice(v.indexOf('=') + 1)]
          const [soft, hard] = limits.split(':')
          return [name, {Name: name, Soft: Number(soft), Hard: Number(hard ?? soft)}]
        }),
      )
    case 'nested-map': {
      const out: Record<string, Record<string, string>> = {}
      for (const v of values) {
        const [driver, rest] = [v.slice(0, v.indexOf('=')), v.slice(v.indexOf('=') + 1)]
        out[driver] = {...out[driver], [rest.slice(0, rest.indexOf('='))]: rest.slice(rest.indexOf('=') + 1)}
      }
      return out
    }
  }
}
