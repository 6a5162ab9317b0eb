import {stockRuntimes} from '../../registry/dockerd-facts.js'
import type {RuleContext, Where} from './context.js'

/** runtimes and default-runtime (25.0 moved their checks from loading the file to the start). */
export function runtimeRules(ctx: RuleContext): void {
  const runtimesChecked: Where = ctx.atLeast('25.0.0') ? 'start' : 'config'
  const runtimesEntry = ctx.get('runtimes')
  const names = new Set<string>()
  if (runtimesEntry !== undefined) {
    for (const runtime of runtimesEntry.members()) {
      names.add(runtime.key)
      if (runtime.key === 'runc') {
        ctx.report({
          code: 'runtime-reserved',
          severity: 'error',
          key: 'runtimes',
          at: runtime.keyAt,
          message: `the runtime name "runc" is reserved: dockerd refuses it ("runtime name 'runc' is reserved")`,
          checkedAt: runtimesChecked,
          hint: 'pick another name, e.g. "runc-custom"',
        })
        continue
      }
      const fields = new Map(runtime.members().map((f) => [f.key.toLowerCase(), f]))
      for (const field of runtime.members()) {
        const known = ['path', 'runtimeargs', ...(ctx.atLeast('24.0.0') ? ['runtimetype', 'options'] : [])]
        if (!known.includes(field.key.toLowerCase())) {
          ctx.report({
            code: 'runtime-unknown-field',
            severity: 'warning',
            key: 'runtimes',
            at: field.keyAt,
            message: `"${field.key}" in runtime "${runtime.key}" is not a runtime field; dockerd silently ignores it`,
            hint:
              field.key.toLowerCase() === 'args'
                ? 'the arguments field is "runtimeArgs"'
                : `a runtime has ${known.length > 2 ? '"path", "runtimeArgs", "runtimeType" and "options"' : '"path" and "runtimeArgs"'}`,
          })
        }
      }
      const has = (name: string) => fields.has(name) && String(fields.get(name)?.value ?? '') !== ''
      const problem =
        has('path') && has('runtimetype')
          ? 'cannot configure both path and runtimeType for the same runtime'
          : !has('path') && !has('runtimetype')
            ? 'either a runtimeType or a path must be configured'
            : has('path') && fields.has('options')
              ? 'options cannot be used with a path runtime'
              : has('runtimetype') && (fields.get('runtimeargs')?.items().length ?? 0) > 0
                ? 'args cannot be used with a runtimeType runtime'
                : undefined
      if (problem !== undefined) {
        ctx.report({
          code: 'runtime-invalid',
          severity: 'error',
          key: 'runtimes',
          at: runtime.keyAt,
          message: `runtime "${runtime.key}": ${problem}; dockerd fails at start`,
          checkedAt: 'start',
        })
      }
    }
  }
  const defaultEntry = ctx.get('default-runtime')
  const name = ctx.str('default-runtime')
  if (defaultEntry === undefined || name === undefined || name === '') return
  const stock = stockRuntimes(ctx.version)
  const containerdName = ctx.atLeast('25.0.0') && /^io\.containerd\.[^.]+\.v[0-9]+$/.test(name)
  if (stock.includes(name) || names.has(name) || containerdName) return
  ctx.report({
    code: 'default-runtime-unknown',
    involves: ['runtimes'],
    severity: 'error',
    key: 'default-runtime',
    at: defaultEntry.at,
    message: `"default-runtime" ${JSON.stringify(name)} is not runc and not defined in "runtimes": dockerd refuses it ("specified default runtime '${name}' does not exist")${runtimesChecked === 'start' ? ' at start' : ''}`,
    checkedAt: runtimesChecked,
    hint: `define it under "runtimes" (or with --add-runtime), or use "runc"`,
  })
}
