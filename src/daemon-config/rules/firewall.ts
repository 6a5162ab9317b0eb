import {isGoUint32} from '../../dockerd/strconv.js'
import {parseIp} from '../../network/cidr.js'
import type {RuleContext} from './context.js'

/** iptables, icc and ip6tables together; userland-proxy-path, bridge-accept-fwmark and the host-gateway addresses. */
export function firewallRules(ctx: RuleContext): void {
  const icc = ctx.bool('icc')
  const iptables = ctx.bool('iptables')
  const ipv6 = ctx.bool('ipv6')
  const ip6tables = ctx.bool('ip6tables')
  const experimental = ctx.bool('experimental')
  const iccEntry = ctx.get('icc')
  if (icc === false && iptables === false && iccEntry !== undefined) {
    ctx.report({
      code: 'icc-needs-iptables',
      involves: ['iptables'],
      severity: 'error',
      key: 'icc',
      at: iccEntry.keyAt,
      message:
        '"icc": false needs iptables, but "iptables" is false: dockerd fails at start ("You specified --iptables=false with --icc=false. ICC=false uses iptables to function.")',
      checkedAt: 'start',
      hint: 'set "iptables": true or drop "icc": false',
    })
  }
  const ip6Entry = ctx.get('ip6tables')
  if (!ctx.atLeast('27.0.0')) {
    if (ip6tables === true && experimental !== true && ip6Entry !== undefined) {
      ctx.report({
        code: 'ip6tables-needs-experimental',
        involves: ['experimental'],
        severity: 'error',
        key: 'ip6tables',
        at: ip6Entry.keyAt,
        message: `"ip6tables": true needs "experimental": true in ${ctx.dockerd()}: dockerd fails at start ("ip6tables rules are only available if experimental features are enabled")`,
        checkedAt: 'start',
        hint: 'add "experimental": true, or upgrade to dockerd 27+ where ip6tables is on by default',
      })
    }
  } else if (icc === false && ipv6 === true && ip6tables === false && iccEntry !== undefined) {
    ctx.report({
      code: 'icc-needs-iptables',
      involves: ['ipv6', 'ip6tables'],
      severity: 'error',
      key: 'icc',
      at: iccEntry.keyAt,
      message: '"icc": false with "ipv6": true needs ip6tables, but "ip6tables" is false: dockerd fails at start',
      checkedAt: 'start',
      hint: 'set "ip6tables": true or drop "icc": false',
    })
  }

  const proxyPathEntry = ctx.get('userland-proxy-path')
  const proxyPath = ctx.str('userland-proxy-path')
  if (proxyPathEntry !== undefined && proxyPath !== undefined && proxyPath !== '' && !proxyPath.startsWith('/') && ctx.bool('userland-proxy') !== false) {
    const config = ctx.atLeast('25.0.0')
    ctx.report({
      code: 'userland-proxy-path-relative',
      involves: ['userland-proxy'],
      severity: 'error',
      key: 'userland-proxy-path',
      at: proxyPathEntry.at,
      message: config
        ? `"userland-proxy-path" must be absolute: dockerd refuses the configuration ("invalid userland-proxy-path: must be an absolute path: ${proxyPath}")`
        : `"userland-proxy-path" must be an absolute path; ${ctx.dockerd()} only fails when a port is published`,
      checkedAt: config ? 'config' : 'start',
      hint: 'e.g. "/usr/libexec/docker/docker-proxy"',
    })
  }

  const markEntry = ctx.get('bridge-accept-fwmark')
  const mark = ctx.str('bridge-accept-fwmark')
  if (markEntry !== undefined && mark !== undefined && mark !== '') {
    const [value = '', mask] = mark.split('/', 2)
    if (!isGoUint32(value) || (mark.includes('/') && !isGoUint32(mask ?? ''))) {
      ctx.report({
        code: 'fwmark-invalid',
        severity: 'error',
        key: 'bridge-accept-fwmark',
        at: markEntry.at,
        message: `"bridge-accept-fwmark" ${JSON.stringify(mark)} is not mark[/mask] with 32-bit unsigned numbers: dockerd refuses the configuration`,
        checkedAt: 'config',
        hint: 'e.g. "0x1/0xff"',
      })
    }
  }

  const hgEntry = ctx.get('host-gateway-ip')
  const hgsEntry = ctx.get('host-gateway-ips')
  if (hgEntry !== undefined) {
    const ip = parseIp(String(hgEntry.value))
    if (ip === undefined) {
      ctx.report({
        code: 'host-gateway-ip-invalid',
        severity: 'error',
        key: 'host-gateway-ip',
        at: hgEntry.at,
        message: `"host-gateway-ip" ${JSON.stringify(hgEntry.value)} is not an IP address: dockerd cannot decode the file`,
        checkedAt: 'config',
      })
    }
  }
  if (hgEntry !== undefined && hgsEntry !== undefined && ctx.atLeast('28.0.0')) {
    ctx.report({
      code: 'host-gateway-ip-conflict',
      involves: ['host-gateway-ips'],
      severity: 'error',
      key: 'host-gateway-ip',
      at: hgEntry.keyAt,
      message: 'dockerd refuses "host-gateway-ip" and "host-gateway-ips" together ("host-gateway-ip and host-gateway-ips must not both be specified in the config file")',
      checkedAt: 'config',
      hint: 'move the address into "host-gateway-ips" and delete "host-gateway-ip"',
    })
  }
  if (hgsEntry !== undefined) {
    const families = new Map<number, string>()
    for (const {text, at} of ctx.listItems('host-gateway-ips')) {
      const ip = parseIp(text)
      if (ip === undefined) {
        ctx.report({
          code: 'host-gateway-ip-invalid',
          severity: 'error',
          key: 'host-gateway-ips',
          at,
          message: `"host-gateway-ips" entry ${JSON.stringify(text)} is not an IP address: dockerd cannot decode the file`,
          checkedAt: 'config',
        })
        continue
      }
      if (families.has(ip.family)) {
        ctx.report({
          code: 'host-gateway-ip-invalid',
          severity: 'error',
          key: 'host-gateway-ips',
          at,
          message: `"host-gateway-ips" holds a second IPv${ip.family} address: dockerd refuses it ("only one IPv${ip.family} host gateway IP address can be specified")`,
          checkedAt: 'config',
        })
      }
      families.set(ip.family, text)
    }
  }
}
