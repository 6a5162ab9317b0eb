import {parseIp} from '../../network/cidr.js'
import type {RuleContext} from './context.js'

/** dns and dns-search, checked while dockerd loads the configuration. */
export function dnsRules(ctx: RuleContext): void {
  for (const {text, at} of ctx.listItems('dns')) {
    if (parseIp(text) !== undefined) continue
    const wording = ctx.atLeast('29.0.0') ? `ParseAddr(${JSON.stringify(text)}): …` : ctx.atLeast('25.0.0') ? `invalid IP address: ${text}` : `${text} is not an ip address`
    ctx.report({
      code: 'dns-invalid',
      severity: 'error',
      key: 'dns',
      at,
      message: `"dns" entry ${JSON.stringify(text)} is not an IP address: ${ctx.dockerd()} refuses the configuration ("${wording}")`,
      checkedAt: 'config',
      hint: 'list resolver IP addresses, e.g. ["1.1.1.1", "8.8.8.8"]; put domains in "dns-search"',
    })
  }
  for (const {text, at} of ctx.listItems('dns-search')) {
    if (isValidSearchDomain(text)) continue
    ctx.report({
      code: 'dns-search-invalid',
      severity: 'error',
      key: 'dns-search',
      at,
      message: `"dns-search" entry ${JSON.stringify(text)} is not a domain: dockerd refuses the configuration ("${text} is not a valid domain")`,
      checkedAt: 'config',
    })
  }
}

/** opts.ValidateDNSSearch: "." or a domain name containing at least one letter. */
function isValidSearchDomain(raw: string): boolean {
  const value = raw.replace(/^ +| +$/g, '')
  if (value === '.') return true
  if (!/[a-zA-Z]/.test(value)) return false
  const m = /^((?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*)\.?\s*$/.exec(value)
  return m !== null && (m[1] ?? '').length < 255
}
