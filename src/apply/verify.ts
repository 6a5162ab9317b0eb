import type {DockerApi, DockerInfo} from '../system/docker-api.js'
import type {JsonValue} from '../json/value.js'
import {formatCidr, parseCidr} from '../network/cidr.js'
import {stringEntries} from '../daemon-config/values.js'
import {DEFAULT_TCP_PORT} from '../dockerd/host-address.js'
import {BRIDGE_MTU_OPTION, INFO_FIELDS} from '../registry/dockerd-facts.js'
import {findOption} from '../registry/index.js'
import type {Network, SocketAddress} from '../system/network.js'

/** The outcome of checking one changed key against the running daemon. */
export interface VerifyItem {
  key: string
  status: 'verified' | 'mismatch' | 'not-observable'
  expected?: JsonValue
  actual?: JsonValue
  detail?: string
}

/**
 * Reads the live value of every changed key the API exposes (dockerd-options.md section 5) and
 * compares it with what the new configuration asks for. A key that was removed is compared with
 * dockerd's default only where the default is certain; everything else is "applied, not observable".
 */
export async function verifyLive(api: DockerApi, changedKeys: readonly string[], config: Record<string, unknown>, context: VerifyContext): Promise<VerifyItem[]> {
  let info: DockerInfo | undefined
  let bridge: Record<string, unknown> | undefined | null = null
  const getInfo = async () => (info ??= await api.info())
  const getBridge = async () => (bridge === null ? (bridge = await api.network('bridge')) : bridge)
  const items: VerifyItem[] = []
  for (const key of changedKeys) {
    const present = Object.prototype.hasOwnProperty.call(config, key)
    const value = present ? config[key] : findOption(key)?.defaultValue
    items.push(await verifyKey(key, present, value, {getInfo, getBridge, context}))
  }
  return items
}

export interface VerifyContext {
  hosts: readonly string[]
  socketHostPath: (treePath: string) => string
  /** Dials each listener of `hosts`. */
  network: Pick<Network, 'connect'>
  /**
   * The IPv4 addresses (CIDR) on a network interface of the host, when dockcfg can see them. The
   * API only reports what dockerd *recorded* for the bridge network; the kernel's docker0 is what
   * containers actually get, so bip is checked on both.
   */
  interfaceAddresses?: (name: string) => Promise<string[] | undefined>
}

interface Readers {
  getInfo(): Promise<DockerInfo>
  getBridge(): Promise<Record<string, unknown> | undefined>
  context: VerifyContext
}

async function verifyKey(key: string, present: boolean, expectedValue: unknown, r: Readers): Promise<VerifyItem> {
  // The configuration's value and the API's answer both come out of JSON.parse; the listener probes
  // are plain records of strings and booleans: JSON values, which is what the result promises.
  const expected = expectedValue as JsonValue | undefined
  const compare = (actual: unknown, ok: boolean, detail?: string): VerifyItem => ({
    key,
    status: ok ? 'verified' : 'mismatch',
    expected,
    actual: actual as JsonValue | undefined,
    ...(detail ? {detail} : {}),
  })
  const info = (field: string) => async () => (await r.getInfo())[field]
  switch (key) {
    case 'bip': {
      if (!present) break
      const ipam = ipamOf(await r.getBridge())
      const address = String(expected).split('/')[0]
      const cidr = parseCidr(String(expected))
      const subnet = cidr === undefined ? undefined : formatCidr(cidr)
      const docker0 = await r.context.interfaceAddresses?.('docker0')
      const ipamOk = ipam?.Subnet === subnet && ipam?.Gateway === address
      if (docker0 === undefined) return compare({Subnet: ipam?.Subnet, Gateway: ipam?.Gateway}, ipamOk, 'bridge network IPAM subnet and gateway')
      return compare(
        {Subnet: ipam?.Subnet, Gateway: ipam?.Gateway, docker0},
        ipamOk && docker0.includes(String(expected)),
        'bridge network IPAM subnet and gateway, docker0 address',
      )
    }
    case 'fixed-cidr': {
      if (!present) break
      const ipam = ipamOf(await r.getBridge())
      return compare(ipam?.IPRange, ipam?.IPRange === expected, 'bridge network IPAM IPRange')
    }
    case 'mtu': {
      const options = (await r.getBridge())?.Options as Record<string, string> | undefined
      const actual = options?.[BRIDGE_MTU_OPTION]
      return compare(actual, actual === String(expected ?? findOption('mtu')?.defaultValue), `bridge network option ${BRIDGE_MTU_OPTION}`)
    }
    case 'debug':
    case 'live-restore': {
      const field = INFO_FIELDS[key] as string
      const actual = await info(field)()
      return compare(actual, actual === (expected ?? false), `/info ${field}`)
    }
    case 'labels': {
      const actual = ((await r.getInfo()).Labels ?? []) as string[]
      const wanted = present ? stringEntries(expected) : []
      return compare(actual, wanted.every((l) => actual.includes(l)) && (present || actual.length === 0), '/info Labels')
    }
    case 'registry-mirrors': {
      const actual = (await r.getInfo()).RegistryConfig?.Mirrors ?? []
      const wanted = (present ? stringEntries(expected) : []).map((m) => (m.endsWith('/') ? m : `${m}/`))
      return compare(actual, wanted.length === actual.length && wanted.every((m) => actual.includes(m)), '/info RegistryConfig.Mirrors')
    }
    case 'insecure-registries': {
      if (!present) break
      const cfg = (await r.getInfo()).RegistryConfig
      const known = [
        ...(cfg?.InsecureRegistryCIDRs ?? []),
        ...Object.entries(cfg?.IndexConfigs ?? {})
          .filter(([, c]) => c.Secure === false)
          .map(([n]) => n),
      ]
      return compare(
        known,
        stringEntries(expected).every((e) => known.includes(e)),
        '/info RegistryConfig',
      )
    }
    case 'log-driver':
    case 'storage-driver':
    case 'data-root': {
      if (!present) break
      const field = INFO_FIELDS[key] as string
      const actual = await info(field)()
      return compare(actual, actual === expected, `/info ${field}`)
    }
    case 'hosts': {
      const results = await Promise.all(r.context.hosts.map((h) => probeListener(h, r.context)))
      const failed = results.filter((x) => !x.ok)
      return compare(results, failed.length === 0, failed.length ? `not answering: ${failed.map((f) => `${f.host} (${f.error})`).join(', ')}` : 'every listener answers')
    }
    default:
      break
  }
  return {key, status: 'not-observable', expected, detail: 'applied, not observable through the API'}
}

function ipamOf(network: Record<string, unknown> | undefined): {Subnet?: string; Gateway?: string; IPRange?: string} | undefined {
  const ipam = network?.IPAM as {Config?: Array<{Subnet?: string; Gateway?: string; IPRange?: string}>} | undefined
  return ipam?.Config?.find((c) => c.Subnet !== undefined && !c.Subnet.includes(':'))
}

/** A listener answers when its socket accepts a connection. */
async function probeListener(host: string, context: VerifyContext): Promise<{host: string; ok: boolean; error?: string}> {
  const timeoutMs = 3000
  let target: SocketAddress
  if (host.startsWith('unix://')) target = {path: context.socketHostPath(host.slice('unix://'.length))}
  else if (host.startsWith('fd://')) target = {path: context.socketHostPath('/run/docker.sock')}
  else {
    const url = new URL(host.startsWith('tcp://') ? host : `tcp://${host}`)
    const hostname = url.hostname === '' || url.hostname === '0.0.0.0' ? '127.0.0.1' : url.hostname === '[::]' ? '::1' : url.hostname.replace(/^\[|\]$/g, '')
    target = {host: hostname, port: Number(url.port || DEFAULT_TCP_PORT)}
  }
  const attempt = await context.network.connect(target, timeoutMs)
  if (attempt.ok) return {host, ok: true}
  if (attempt.timedOut) return {host, ok: false, error: 'timeout'}
  const e = attempt.error as NodeJS.ErrnoException
  return {host, ok: false, error: e.code ?? e.message}
}
