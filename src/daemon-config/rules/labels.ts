import {RESERVED_LABEL_NAMESPACES} from '../../registry/dockerd-facts.js'
import type {RuleContext} from './context.js'

/** labels as daemon.ValidateLabels reads them: key=value, no reserved namespace, no name given twice with different values. */
export function labelRules(ctx: RuleContext): void {
  const seen = new Map<string, string>()
  for (const {text, at} of ctx.listItems('labels')) {
    if (!text.includes('=')) {
      ctx.report({
        code: 'label-format',
        severity: 'error',
        key: 'labels',
        at,
        message: `label ${JSON.stringify(text)} is not key=value: dockerd refuses the configuration ("bad attribute format: ${text}")`,
        checkedAt: 'config',
        hint: `write "${text}=value"`,
      })
      continue
    }
    const lowered = text.toLowerCase()
    if (RESERVED_LABEL_NAMESPACES.some((p) => lowered.startsWith(p))) {
      ctx.report({
        code: 'label-reserved',
        severity: 'error',
        key: 'labels',
        at,
        message: `label ${text} uses a reserved namespace: dockerd refuses it ("the namespaces com.docker.*, io.docker.*, and org.dockerproject.* are reserved for internal use")`,
        checkedAt: 'config',
        hint: 'use your own reverse-DNS prefix, e.g. com.example.',
      })
      continue
    }
    const name = text.slice(0, text.indexOf('='))
    const earlier = seen.get(name)
    if (earlier !== undefined && earlier !== text) {
      ctx.report({
        code: 'label-duplicate',
        severity: 'error',
        key: 'labels',
        at,
        message: `label "${name}" is given twice with different values: dockerd refuses the configuration ("conflict labels for ${text} and ${earlier}")`,
        checkedAt: 'config',
        hint: 'keep one of them',
      })
    }
    seen.set(name, text)
  }
}
