import {
  type Cidr,
  containsAddress,
  containsCidr,
  formatCidr,
  formatIp,
  type IpAddress,
  isIPv4Mapped,
  isMulticast,
  lastAddress,
  networkAddress,
  overlaps,
  parseCidr,
  parseIp,
} from '../../network/cidr.js'
import {findOption, valueVerdict} from '../../registry/index.js'
import type {RuleContext} from './context.js'

// Spelled out rather than parsed at load: parsing would compile Node's IPv6 pattern on every start,
// for a rule that only IPv6 configurations reach.
const LINK_LOCAL_V6: Cidr = {family: 6, address: 0xfe80n << 112n, prefix: 64}

/** The default bridge's IPv4 addresses (bip, fixed-cidr, default-gateway): dockerd checks them when it sets the bridge up at start. */
export function bridgeRules(ctx: RuleContext): void {
  const bipEntry = ctx.get('bip')
  const bridge = ctx.str('bridge')
  let bip: Cidr | undefined
  if (bipEntry !== undefined) {
    const text = String(bipEntry.value)
    bip = parseCidr(text)
    const prefix = ctx.atLeast('28.0.0') ? 'parse bip failed: ' : 'Error initializing network controller: '
    if (bip === undefined || bip.family !== 4) {
      bip = undefined
      const bare = parseIp(text) !== undefined
      ctx.report({
        code: 'bip-invalid',
        severity: 'error',
        key: 'bip',
        at: bipEntry.at,
        message: `"bip" ${JSON.stringify(text)} is not an IPv4 address/prefix: dockerd fails at start (${prefix}invalid CIDR address: ${text})`,
        checkedAt: 'start',
        hint: bare ? `add the prefix length, e.g. "${text}/24"` : 'write the bridge address with its prefix, e.g. "192.168.200.1/24"',
      })
    } else if (bip.prefix < 31 && (bip.address === networkAddress(bip) || bip.address === lastAddress(bip))) {
      const which = bip.address === networkAddress(bip) ? 'network' : 'broadcast'
      ctx.report({
        code: 'bip-not-host-address',
        severity: 'error',
        key: 'bip',
        at: bipEntry.at,
        message: `"bip" ${text} uses the subnet's ${which} address; bip is the bridge's own address and must be a usable host address, so the default bridge cannot be set up at start`,
        checkedAt: 'start',
        hint: `use e.g. "${formatIp({family: 4, value: networkAddress(bip) + 1n})}/${bip.prefix}"`,
      })
    }
    if (bridge !== undefined && bridge !== '') {
      ctx.report({
        code: 'bip-with-bridge',
        involves: ['bridge'],
        severity: 'error',
        key: 'bip',
        at: bipEntry.keyAt,
        message: `"bip" and "bridge" cannot be combined: dockerd fails at start ("You specified -b & --bip, mutually exclusive options. Please specify only one")`,
        checkedAt: 'start',
        hint: 'give the user-managed bridge its address yourself and drop "bip", or drop "bridge"',
      })
    }
  }

  const fixedEntry = ctx.get('fixed-cidr')
  if (fixedEntry !== undefined) {
    const text = String(fixedEntry.value)
    const fixed = parseCidr(text)
    if (fixed === undefined || fixed.family !== 4) {
      ctx.report({
        code: 'fixed-cidr-invalid',
        severity: 'error',
        key: 'fixed-cidr',
        at: fixedEntry.at,
        message: `"fixed-cidr" ${JSON.stringify(text)} is not an IPv4 subnet: dockerd fails at start (parse fixed-cidr failed)`,
        checkedAt: 'start',
        hint: 'write a subnet inside the bridge network, e.g. "192.168.200.128/25"',
      })
    } else if (bip !== undefined && !containsCidr(bip, fixed)) {
      const bigger = overlaps(bip, fixed)
      ctx.report({
        code: 'fixed-cidr-outside-bip',
        involves: ['bip', 'bridge'],
        severity: bigger ? 'warning' : 'error',
        key: 'fixed-cidr',
        at: fixedEntry.at,
        message: bigger
          ? `"fixed-cidr" ${text} is larger than the bridge subnet ${formatCidr(bip)}: dockerd allocates from the whole bridge subnet instead`
          : `"fixed-cidr" ${text} is not inside the bridge subnet ${formatCidr(bip)} given by "bip": the default bridge cannot be set up at start`,
        checkedAt: 'start',
        hint: `choose a range inside ${formatCidr(bip)}`,
      })
    }
  }

  const gwEntry = ctx.get('default-gateway')
  if (gwEntry !== undefined) {
    const text = String(gwEntry.value)
    const gw = parseIp(text)
    if (gw === undefined || gw.family !== 4) {
      ctx.report({
        code: 'default-gateway-invalid',
        severity: 'error',
        key: 'default-gateway',
        at: gwEntry.at,
        message: `"default-gateway" ${JSON.stringify(text)} is not an IPv4 address: dockerd cannot decode the file`,
        checkedAt: 'config',
      })
    } else if (bip !== undefined && !containsAddress(bip, gw)) {
      ctx.report({
        code: 'default-gateway-outside-subnet',
        involves: ['bridge'],
        severity: 'error',
        key: 'default-gateway',
        at: gwEntry.at,
        message: `"default-gateway" ${text} is outside the bridge subnet ${formatCidr(bip)}: dockerd fails at start ("default gateway ip must be part of the network")`,
        checkedAt: 'start',
      })
    }
  }
}

/** The default bridge's IPv6 addresses (bip6, fixed-cidr-v6, default-gateway-v6) and ipv6 without a subnet. */
export function bridgeV6Rules(ctx: RuleContext): void {
  const bridge = ctx.str('bridge')
  const bip6Entry = ctx.get('bip6')
  let bip6: Cidr | undefined
  if (bip6Entry !== undefined) {
    const text = String(bip6Entry.value)
    bip6 = parseCidr(text)
    const problem = bip6 === undefined ? 'is not an IPv6 address/prefix' : ipv6SubnetProblem(bip6)
    if (problem !== undefined) {
      bip6 = undefined
      ctx.report({
        code: 'bip6-invalid',
        severity: 'error',
        key: 'bip6',
        at: bip6Entry.at,
        message: `"bip6" ${JSON.stringify(text)} ${problem}: dockerd fails at start (parse bip6 failed)`,
        checkedAt: 'start',
        hint: 'write the bridge address with its prefix, e.g. "fd00:1::1/64"',
      })
    } else if (bip6 !== undefined && bip6.address === networkAddress(bip6)) {
      ctx.report({
        code: 'bip-not-host-address',
        severity: 'error',
        key: 'bip6',
        at: bip6Entry.at,
        message: `"bip6" ${text} is the subnet-router anycast address; bip6 is the bridge's own address and must be a host address`,
        checkedAt: 'start',
        hint: `use e.g. "${formatIp({family: 6, value: networkAddress(bip6) + 1n})}/${bip6.prefix}"`,
      })
    }
    if (bridge !== undefined && bridge !== '') {
      ctx.report({
        code: 'bip-with-bridge',
        involves: ['bridge'],
        severity: 'error',
        key: 'bip6',
        at: bip6Entry.keyAt,
        message: '"bip6" and "bridge" cannot be combined: dockerd fails at start ("You specified -b & --bip6, mutually exclusive options")',
        checkedAt: 'start',
      })
    }
  }

  const fixedEntry = ctx.get('fixed-cidr-v6')
  let fixed6: Cidr | undefined
  if (fixedEntry !== undefined) {
    const text = String(fixedEntry.value)
    fixed6 = parseCidr(text)
    const config = ctx.atLeast('25.0.0')
    const problem = fixed6 === undefined ? 'is not an IPv6 subnet' : ipv6SubnetProblem(fixed6)
    if (problem !== undefined) {
      const unparsable = fixed6 === undefined || fixed6.family !== 6
      fixed6 = undefined
      ctx.report({
        code: 'fixed-cidr-v6-invalid',
        severity: config || unparsable ? 'error' : 'warning',
        key: 'fixed-cidr-v6',
        at: fixedEntry.at,
        message: config
          ? `"fixed-cidr-v6" ${JSON.stringify(text)} ${problem}: ${ctx.dockerd()} refuses the configuration ("invalid fixed-cidr-v6: …")`
          : unparsable
            ? `"fixed-cidr-v6" ${JSON.stringify(text)} ${problem}: dockerd fails at start`
            : `"fixed-cidr-v6" ${JSON.stringify(text)} ${problem}; ${ctx.dockerd()} accepts it, dockerd 25.0 and later refuse it`,
        checkedAt: config ? 'config' : 'start',
        hint: 'use a unicast prefix such as a ULA (fdxx:…::/64)',
      })
    } else if (fixed6 !== undefined && bip6 !== undefined && !overlaps(bip6, fixed6)) {
      ctx.report({
        code: 'fixed-cidr-outside-bip',
        involves: ['bip6', 'fixed-cidr', 'bridge'],
        severity: 'error',
        key: 'fixed-cidr-v6',
        at: fixedEntry.at,
        message: `"fixed-cidr-v6" ${text} is not inside the bridge subnet ${formatCidr(bip6)} given by "bip6"`,
        checkedAt: 'start',
      })
    }
  }

  const ipv6 = ctx.bool('ipv6')
  const ipv6Entry = ctx.get('ipv6')
  if (ipv6 === true && ipv6Entry !== undefined && fixedEntry === undefined && !ctx.atLeast('28.0.0')) {
    ctx.report({
      code: 'ipv6-needs-fixed-cidr-v6',
      involves: ['fixed-cidr-v6', 'fixed-cidr', 'bridge'],
      severity: 'error',
      key: 'ipv6',
      at: ipv6Entry.keyAt,
      message: `"ipv6": true needs "fixed-cidr-v6" before dockerd 28.0: ${ctx.dockerd()} fails at start ("IPv6 is enabled for the default bridge, but no subnet is configured")`,
      checkedAt: 'start',
      hint: 'add "fixed-cidr-v6", e.g. "fd00:dead:beef::/64"',
    })
  }

  const gwEntry = ctx.get('default-gateway-v6')
  if (gwEntry !== undefined) {
    const text = String(gwEntry.value)
    const gw = parseIp(text)
    const subnet = bip6 ?? fixed6
    if (gw === undefined || gw.family !== 6) {
      ctx.report({
        code: 'default-gateway-invalid',
        severity: 'error',
        key: 'default-gateway-v6',
        at: gwEntry.at,
        message: `"default-gateway-v6" ${JSON.stringify(text)} is not an IPv6 address: dockerd cannot decode the file`,
        checkedAt: 'config',
      })
    } else if (subnet !== undefined && !containsAddress(subnet, gw)) {
      ctx.report({
        code: 'default-gateway-outside-subnet',
        involves: ['default-gateway', 'bridge'],
        severity: 'error',
        key: 'default-gateway-v6',
        at: gwEntry.at,
        message: `"default-gateway-v6" ${text} is outside the bridge's IPv6 subnet ${formatCidr(subnet)}: dockerd fails at start`,
        checkedAt: 'start',
      })
    }
  }
}

/** The bounds themselves are registry rows (OptionSpec.range); this is the IPv6 minimum while ipv6 is on. */
export function mtuRule(ctx: RuleContext): void {
  const entry = ctx.get('mtu')
  const mtu = ctx.num('mtu')
  const spec = findOption('mtu')
  if (entry === undefined || mtu === undefined || spec === undefined) return
  if (mtu > 0 && mtu < 1280 && ctx.bool('ipv6') === true && valueVerdict(spec, mtu, ctx.version) === undefined) {
    ctx.report({
      code: 'mtu-out-of-range',
      involves: ['ipv6', 'bridge'],
      severity: 'warning',
      key: 'mtu',
      at: entry.at,
      message: `"mtu" ${mtu} is below 1280, the IPv6 minimum, while "ipv6" is on: IPv6 on the default bridge will not work`,
      checkedAt: 'start',
    })
  }
}

/** validateIPv6Subnet from the bridge driver (v25+ for fixed-cidr-v6, v28+ for bip6). */
function ipv6SubnetProblem(cidr: Cidr): string | undefined {
  const ip: IpAddress = {family: cidr.family, value: cidr.address}
  if (cidr.family !== 6 || isIPv4Mapped(ip)) return 'is not an IPv6 subnet'
  if (isMulticast(ip)) return 'is a multicast prefix (ff00::/8)'
  if (!(cidr.prefix === 64 && networkAddress(cidr) === LINK_LOCAL_V6.address) && overlaps(cidr, LINK_LOCAL_V6)) return "clashes with the link-local prefix 'fe80::/64'"
  return undefined
}
