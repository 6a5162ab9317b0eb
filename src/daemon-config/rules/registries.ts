import type {Severity} from '../../core/findings.js'
import {parseCidr, parseIp} from '../../network/cidr.js'
import type {RuleContext, Where} from './context.js'

/** registry-mirrors and insecure-registries, as the registry service reads them. */
export function registryRules(ctx: RuleContext): void {
  const mirrorsChecked: Where = ctx.atLeast('28.3.0') ? 'config' : 'start'
  for (const {text, at} of ctx.listItems('registry-mirrors')) {
    const problem = mirrorProblem(text)
    if (problem === undefined) continue
    ctx.report({
      code: 'mirror-invalid',
      severity: 'error',
      key: 'registry-mirrors',
      at,
      message: `registry mirror ${JSON.stringify(text)}: ${problem}; dockerd refuses it ("invalid mirror: …")${mirrorsChecked === 'start' ? ` when it starts (${ctx.dockerd()}'s --validate does not check mirrors)` : ''}`,
      checkedAt: mirrorsChecked,
      hint: /^[^:/]+(:\d+)?(\/|$)/.test(text) && !text.includes('://') ? `write "https://${text}"` : 'use an http:// or https:// URL without credentials, query or fragment',
    })
  }
  for (const {text, at} of ctx.listItems('insecure-registries')) {
    const problem = insecureRegistryProblem(text)
    if (problem === undefined) continue
    ctx.report({
      code: 'insecure-registry-invalid',
      severity: problem.severity,
      key: 'insecure-registries',
      at,
      message: `insecure registry ${JSON.stringify(text)}: ${problem.message}`,
      checkedAt: 'start',
      hint: 'write host[:port] or a CIDR, e.g. "registry.local:5000" or "10.0.0.0/8"',
    })
  }
}

/** registry.ValidateMirror. */
function mirrorProblem(text: string): string | undefined {
  const sep = text.indexOf('://')
  if (sep <= 0) return "no scheme: must use either 'https://' or 'http://'"
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return 'not a valid URI'
  }
  const scheme = text.slice(0, sep).toLowerCase()
  if (scheme !== 'http' && scheme !== 'https') return `unsupported scheme "${scheme}": must use either 'https://' or 'http://'`
  if (url.search !== '' || url.hash !== '' || text.includes('?') || text.includes('#')) return 'query or fragment at the end of the URI'
  if (url.username !== '' || url.password !== '') return 'username/password not allowed in the URI'
  return undefined
}

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])'
const HOST_PORT = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`)

/** loadInsecureRegistries + ValidateIndexName (checked when the registry service starts). */
function insecureRegistryProblem(raw: string): {severity: Severity; message: string} | undefined {
  if (raw.startsWith('-') || raw.endsWith('-')) return {severity: 'error', message: 'cannot begin or end with a hyphen; dockerd refuses it'}
  let text = raw
  const sep = text.indexOf('://')
  if (sep >= 0) {
    const scheme = text.slice(0, sep).toLowerCase()
    if (scheme !== 'http' && scheme !== 'https') return {severity: 'error', message: "should not contain '://'; dockerd refuses it"}
    text = text.slice(sep + 3)
    if (validHostPort(text)) return {severity: 'warning', message: `the "${scheme}://" prefix does not belong here; dockerd strips it with a warning`}
  }
  if (parseCidr(text) !== undefined || validHostPort(text)) return undefined
  return {severity: 'error', message: 'not a host[:port] or CIDR; dockerd fails at start ("insecure registry … is not valid")'}
}

function validHostPort(text: string): boolean {
  const m = /^(.*?)(?::([0-9]+))?$/.exec(text)
  const port = m?.[2]
  if (port !== undefined && Number(port) > 65535) return false
  return HOST_PORT.test(text) || (m?.[1] !== undefined && parseIp(m[1].replace(/^\[|\]$/g, '')) !== undefined) || parseIp(text) !== undefined
}
