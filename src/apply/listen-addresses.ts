import {InvalidConfigError} from '../core/errors.js'
import {type IpAddress, isIPv4Mapped, isLoopback, parseIp} from '../network/cidr.js'
import type {System} from '../system/index.js'
import {tcpEndpoints} from './listeners.js'

/**
 * Finds, before anything is written, a `tcp://` listener on an address no interface of this host
 * has. Neither the trial start (its own network namespace, `hosts` replaced) nor `dockerd
 * --validate` (does not bind) sees it, so it showed only when the real start failed with `listen
 * tcp 192.0.2.1:2375: bind: cannot assign requested address`, a rollback and exit 4.
 *
 * Wildcard addresses (0.0.0.0, ::) bind everywhere, and every 127.0.0.0/8 address binds through
 * the loopback's local route. With net.ipv{4,6}.ip_nonlocal_bind set the kernel binds any address,
 * so there is nothing to refuse. A host name is resolved by dockerd at start, not guessed here
 * (tcpEndpoints leaves names other than localhost out).
 */

/** Whether binding `ip` needs an interface to have it. */
function needsInterface(ip: IpAddress): boolean {
  return ip.value !== 0n && !isLoopback(ip)
}

/** An IPv4-mapped IPv6 address (::ffff:a.b.c.d) as the IPv4 address it is. */
function unmapped(ip: IpAddress): IpAddress {
  return ip.family === 6 && isIPv4Mapped(ip) ? {family: 4, value: ip.value & 0xffffffffn} : ip
}

async function nonlocalBind(system: System, family: 4 | 6): Promise<boolean> {
  return ((await system.fs.readText(`/proc/sys/net/ipv${family}/ip_nonlocal_bind`)) ?? '').trim() === '1'
}

/** Where a `hosts` entry comes from: daemon.json's key, or the command line's -H flag. */
function origin(entry: string, configText: string): string {
  try {
    const config = JSON.parse(configText.replace(/^\ufeff/, '')) as Record<string, unknown>
    if (Array.isArray(config['hosts']) && config['hosts'].includes(entry)) return '"hosts" in daemon.json'
  } catch {
    // A daemon.json dockerd cannot parse never gets this far; the flag is the only other source.
  }
  return "-H/--host on dockerd's command line"
}

/**
 * Refuses (exit 3, nothing written) a configuration with a `tcp://` listener on an address that
 * no interface of this host has, naming the entry and whether daemon.json or the -H flag sets it.
 */
export async function checkListenAddresses(system: System, candidate: {hosts: readonly string[]; configText: string}): Promise<void> {
  const wanted = tcpEndpoints(candidate.hosts).filter((e) => needsInterface(unmapped(e.ip)))
  if (wanted.length === 0) return
  const own = system.network
    .interfaceAddresses()
    .map((i) => parseIp(i.address.replace(/%.*$/, '')))
    .filter((ip): ip is IpAddress => ip !== undefined)
    .map(unmapped)
  const missing: typeof wanted = []
  for (const endpoint of wanted) {
    const ip = unmapped(endpoint.ip)
    if (own.some((o) => o.family === ip.family && o.value === ip.value)) continue
    if (await nonlocalBind(system, ip.family)) continue
    missing.push(endpoint)
  }
  if (missing.length === 0) return
  const lines = missing.map((e) => `${e.host} (${origin(e.host, candidate.configText)}): no interface of this host has the address`)
  throw new InvalidConfigError(
    `dockerd would fail to start: it cannot listen on an address this host does not have; nothing was changed:\n${lines.map((l) => `  ${l}`).join('\n')}`,
    {
      remedy: "listen on an address of one of this host's interfaces (ip -brief address), or on 0.0.0.0 for every one",
      details: missing.map((e) => ({host: e.host, origin: origin(e.host, candidate.configText)})),
    },
  )
}
