/**
 * What the apply scenarios (and the demo) look at inside a test host, always through the host's
 * own tools (systemctl, ip, curl, docker), never through dockcfg: the point is to see the real
 * effect, not what dockcfg believes it did.
 */
import {createHash} from 'node:crypto'

import {bootHost, BUSYBOX_IMAGE, ensureBusyboxImage, type ExecResult, type TestHost} from './testbed.js'
import {sleep} from './proc.js'

export const DAEMON_JSON = '/etc/docker/daemon.json'
export const DROPIN_DIR = '/etc/systemd/system/docker.service.d'

/** A dockcfg run with its exit code and both streams in one string, for `toContain`. */
export interface CliRun extends ExecResult {
  output: string
  ms: number
}

/** Runs dockcfg inside the host; never throws on a non-zero exit (tests assert the exact code). */
export async function cli(h: TestHost, args: readonly string[], timeoutMs = 180_000): Promise<CliRun> {
  const t0 = Date.now()
  const r = await h.dockcfg(args, {allowFail: true, timeoutMs})
  return {...r, output: `${r.stdout}\n${r.stderr}`, ms: Date.now() - t0}
}

export function describeRun(args: readonly string[], r: CliRun): string {
  return `dockcfg ${args.join(' ')} -> exit ${r.exitCode} in ${r.ms} ms\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`
}

export async function dockerState(h: TestHost): Promise<{active: string; mainPid: number; invocation: string; execStart: string}> {
  const r = await h.exec(['systemctl', 'show', 'docker', '-p', 'ActiveState', '-p', 'MainPID', '-p', 'InvocationID', '-p', 'ExecStart'])
  const p = Object.fromEntries(
    r.stdout
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  )
  return {active: p['ActiveState'] ?? '', mainPid: Number(p['MainPID'] ?? 0), invocation: p['InvocationID'] ?? '', execStart: p['ExecStart'] ?? ''}
}

/** GET on the Engine API through the unix socket, with curl inside the host. */
export async function apiGet<T>(h: TestHost, path: string, socket = '/run/docker.sock'): Promise<T> {
  const r = await h.exec(['curl', '-sS', '--fail', '--max-time', '10', '--unix-socket', socket, `http://docker${path}`])
  return JSON.parse(r.stdout) as T
}

/** `/_ping` on a unix socket or a TCP address; true when dockerd answered OK. */
export async function pingOk(h: TestHost, target: {socket: string} | {url: string}): Promise<boolean> {
  const argv =
    'socket' in target ? ['curl', '-sS', '--max-time', '5', '--unix-socket', target.socket, 'http://docker/_ping'] : ['curl', '-sS', '--max-time', '5', `${target.url}/_ping`]
  const r = await h.exec(argv, {allowFail: true})
  return r.exitCode === 0 && r.stdout.trim() === 'OK'
}

interface BridgeNetwork {
  IPAM: {Config: Array<{Subnet?: string; Gateway?: string}>}
  Options: Record<string, string>
}

export async function bridgeNetwork(h: TestHost): Promise<{subnets: string[]; gateways: string[]; mtu: string | undefined}> {
  const n = await apiGet<BridgeNetwork>(h, '/networks/bridge')
  return {
    subnets: n.IPAM.Config.map((c) => c.Subnet ?? ''),
    gateways: n.IPAM.Config.map((c) => c.Gateway ?? ''),
    mtu: n.Options['com.docker.network.driver.mtu'],
  }
}

/** IPv4 addresses (CIDR) of docker0 as the kernel has them. */
export async function docker0Addresses(h: TestHost): Promise<string[]> {
  const r = await h.exec(['ip', '-j', '-4', 'addr', 'show', 'dev', 'docker0'])
  const links = JSON.parse(r.stdout) as Array<{addr_info: Array<{local: string; prefixlen: number}>}>
  return links.flatMap((l) => l.addr_info.map((a) => `${a.local}/${a.prefixlen}`))
}

/** What a container started now sees: its nameservers and eth0's MTU (`ip link`, from busybox). */
export async function containerView(h: TestHost): Promise<{nameservers: string[]; eth0Mtu: number; raw: string}> {
  await ensureBusyboxImage(h)
  const r = await h.exec(['docker', 'run', '--rm', BUSYBOX_IMAGE, 'sh', '-c', 'cat /etc/resolv.conf; echo ---; ip link show eth0'])
  const [resolv = '', link = ''] = r.stdout.split('---\n')
  const mtu = /\bmtu (\d+)/.exec(link)?.[1]
  return {nameservers: [...resolv.matchAll(/^nameserver\s+(\S+)/gm)].map((m) => m[1] as string), eth0Mtu: Number(mtu), raw: r.stdout}
}

/**
 * Starts a long-running container; returns its PID on the host (to prove it survived, not restarted).
 * Its shell exits on SIGTERM: a bare `sleep` as PID 1 ignores it and every daemon stop would wait
 * docker's 10 s stop timeout.
 */
export async function startSleeper(h: TestHost, name: string): Promise<number> {
  await ensureBusyboxImage(h)
  await h.exec(['docker', 'run', '-d', '--name', name, BUSYBOX_IMAGE, 'sh', '-c', 'trap "exit 0" TERM; sleep 100000 & wait'])
  return containerPid(h, name)
}

export async function containerPid(h: TestHost, name: string): Promise<number> {
  const r = await h.exec(['docker', 'inspect', '-f', '{{if .State.Running}}{{.State.Pid}}{{else}}0{{end}}', name], {allowFail: true})
  return r.exitCode === 0 ? Number(r.stdout.trim()) : 0
}

/** Exact bytes (as sha256 and text), mode and owner of files; `null` for a file that does not exist. */
export type FileSnapshot = Record<string, {sha256: string; text: string; mode: string} | null>

/**
 * One exec for all files, and a file that vanishes half-way (the rollback timer replacing it while
 * a test polls) reads as "changing", never as an error.
 */
export async function snapshotFiles(h: TestHost, paths: readonly string[]): Promise<FileSnapshot> {
  const script = 'for f; do if [ -e "$f" ]; then echo "$(stat -c "%a %U:%G" "$f") $(base64 -w0 < "$f")" || echo CHANGING; else echo MISSING; fi; done'
  const r = await h.exec(['sh', '-c', script, 'sh', ...paths])
  const lines = r.stdout.split('\n')
  const out: FileSnapshot = {}
  for (const [i, p] of paths.entries()) {
    const line = lines[i] ?? 'CHANGING'
    if (line === 'MISSING') {
      out[p] = null
      continue
    }
    const [mode = '', owner = '', b64 = ''] = line.split(' ')
    const bytes = Buffer.from(b64, 'base64')
    out[p] =
      line === 'CHANGING'
        ? {mode: 'CHANGING', sha256: '', text: ''}
        : {mode: `${mode} ${owner}`, sha256: createHash('sha256').update(bytes).digest('hex'), text: bytes.toString('utf8')}
  }
  return out
}

/** Polls `probe` until it returns true; throws with `detail()` after `timeoutMs`. */
export async function waitFor(what: string, timeoutMs: number, probe: () => Promise<boolean>, detail: () => Promise<string> | string = () => ''): Promise<number> {
  const t0 = Date.now()
  for (;;) {
    if (await probe()) return Date.now() - t0
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}: ${await detail()}`)
    await sleep(250)
  }
}

/**
 * A process inside the host that listens on 127.0.0.1:PORT, as a transient unit (so it outlives
 * the exec and poweroff stops it). dockerd started by systemd in the same namespace cannot bind it.
 */
export async function occupyPort(h: TestHost, port: number): Promise<void> {
  await h.exec([
    'systemd-run',
    '--quiet',
    `--unit=port-squatter-${port}`,
    'python3',
    '-c',
    `import socket,time\ns=socket.socket()\ns.bind(("127.0.0.1",${port}))\ns.listen(8)\nwhile True: time.sleep(3600)`,
  ])
  await waitFor(`127.0.0.1:${port} to be taken`, 10_000, async () => (await h.exec(['ss', '-Hltn', `sport = :${port}`])).stdout.includes(`127.0.0.1:${port}`))
}

/** Boots a fresh host for one scenario, waits for dockerd, and always powers it off. */
export async function onFreshHost(body: (h: TestHost) => Promise<void>): Promise<void> {
  const h = await bootHost()
  try {
    await h.waitDockerActive()
    await body(h)
  } finally {
    // A `sleep` container ignores SIGTERM as PID 1: remove containers so poweroff does not wait for them.
    await h.sh('docker rm -f $(docker ps -aq) >/dev/null 2>&1; true', {allowFail: true, timeoutMs: 30_000}).catch(() => undefined)
    await h.stop()
  }
}

/** Writes daemon.json and (re)starts dockerd on it, the way an admin would, outside dockcfg. */
export async function startWith(h: TestHost, daemonJson: string): Promise<void> {
  await h.writeFile(DAEMON_JSON, daemonJson, 0o644)
  await h.exec(['systemctl', 'restart', 'docker'])
  await h.waitDockerActive()
}
