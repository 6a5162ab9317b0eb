/**
 * The classic story, played on a real test host (systemd + Debian's docker.io in systemd-nspawn):
 * a daemon.json that sets "hosts" breaks dockerd under the stock `-H fd://` unit; dockcfg explains
 * why, fixes it, then applies bip, mtu and dns safely and shows that they are live. Run through
 * `bash scripts/demo.sh` (root; it installs and builds first). The host is always torn down, also
 * on Ctrl-C (the harness stops its hosts on SIGINT/SIGTERM/SIGHUP).
 */
import {bootHost, e2eAvailability, ensureBusyboxImage, stopAllHosts, type TestHost} from '../test/e2e/harness/testbed.js'
import {cli, type CliRun, containerView, DAEMON_JSON, docker0Addresses, dockerState, pingOk, waitFor} from '../test/e2e/harness/docker-probes.js'

const color = process.stdout.isTTY === true
const bold = (s: string): string => (color ? `\x1b[1m${s}\x1b[0m` : s)
const green = (s: string): string => (color ? `\x1b[32m${s}\x1b[0m` : s)
const red = (s: string): string => (color ? `\x1b[31m${s}\x1b[0m` : s)
const dim = (s: string): string => (color ? `\x1b[2m${s}\x1b[0m` : s)

const t0 = Date.now()
let step = 0

function heading(text: string): void {
  step++
  console.log(`\n${bold(`[${step}] ${text}`)} ${dim(`(+${((Date.now() - t0) / 1000).toFixed(1)} s)`)}`)
}

function show(text: string): void {
  for (const line of text.trimEnd().split('\n')) if (line.trim() !== '') console.log(`    ${line}`)
}

function ok(text: string): void {
  console.log(`  ${green('ok')} ${text}`)
}

class DemoFailure extends Error {}

function check(condition: boolean, what: string, detail = ''): void {
  if (!condition) throw new DemoFailure(`${what}${detail ? `\n${detail}` : ''}`)
  ok(what)
}

async function dockcfg(h: TestHost, args: string[]): Promise<CliRun> {
  console.log(`  $ dockcfg ${args.join(' ')}`)
  const r = await cli(h, args)
  show(r.output)
  console.log(dim(`    (exit ${r.exitCode}, ${(r.ms / 1000).toFixed(1)} s)`))
  return r
}

async function main(): Promise<void> {
  const avail = e2eAvailability()
  if (!avail.ok) throw new DemoFailure(`cannot boot a test host here: ${avail.reason}`)

  heading("Boot a test host: this machine's OS with systemd as PID 1 and Debian's docker.io")
  const h = await bootHost()
  await h.waitDockerActive()
  const stock = await dockerState(h)
  console.log(`  host ${h.name} at ${h.address}, booted in ${((h.bootMs ?? 0) / 1000).toFixed(1)} s`)
  show(`docker.service ExecStart: ${/argv\[\]=([^;]*)/.exec(stock.execStart)?.[1]?.trim() ?? stock.execStart}`)
  check(stock.active === 'active' && stock.execStart.includes('-H fd://'), 'dockerd runs under the stock unit, which passes -H fd://')

  heading('Write a daemon.json that sets "hosts" (a common way to open the API on TCP)')
  const daemonJson = '{"hosts": ["unix:///var/run/docker.sock", "tcp://127.0.0.1:2375"]}\n'
  await h.writeFile(DAEMON_JSON, daemonJson, 0o644)
  show(`${DAEMON_JSON}: ${daemonJson}`)

  heading('systemctl restart docker: dockerd refuses to start')
  const cursor = await h.journalCursor()
  const restart = await h.exec(['systemctl', 'restart', 'docker'], {allowFail: true})
  show(restart.stderr)
  const reason = (await h.journal('docker', cursor)).text.split('\n').find((l) => l.includes('unable to configure the Docker daemon'))
  show(`journal: ${reason ?? '(no line found)'}`)
  check(restart.exitCode !== 0 && reason !== undefined, 'docker.service failed: "hosts" is both a flag (-H fd://) and in daemon.json')

  heading('dockcfg validate: explains why, and what to do')
  const validate = await dockcfg(h, ['validate'])
  check(validate.exitCode === 3, 'validate exits 3 (dockerd would refuse this configuration)')

  heading('dockcfg fix --yes: one owner per directive (a drop-in drops -H; daemon.json keeps the listeners)')
  const fix = await dockcfg(h, ['fix', '--yes'])
  check(fix.exitCode === 0, 'fix applied, dockerd restarted and verified')
  show((await h.sh('cat /etc/systemd/system/docker.service.d/50-dockcfg.conf | grep -v "^#"; echo; cat /etc/docker/daemon.json')).stdout)
  check((await dockerState(h)).active === 'active', 'docker.service is active')
  check(await pingOk(h, {socket: '/var/run/docker.sock'}), 'the unix socket answers /_ping')
  check(await pingOk(h, {url: 'http://127.0.0.1:2375'}), 'tcp://127.0.0.1:2375 answers /_ping')

  heading('dockcfg set bip 192.168.42.1/24 --yes')
  const bip = await dockcfg(h, ['set', 'bip', '192.168.42.1/24', '--yes'])
  check(bip.exitCode === 0, 'bip applied')
  const addrs = await docker0Addresses(h)
  check(addrs.includes('192.168.42.1/24'), `docker0 carries ${addrs.join(', ')}`)

  heading('dockcfg set mtu 1400 --yes')
  const mtu = await dockcfg(h, ['set', 'mtu', '1400', '--yes'])
  check(mtu.exitCode === 0, 'mtu applied')

  heading('dockcfg set dns 114.114.114.114 8.8.8.8 --yes')
  const dns = await dockcfg(h, ['set', 'dns', '114.114.114.114', '8.8.8.8', '--yes'])
  check(dns.exitCode === 0, 'dns applied')

  heading('A container started now sees all three')
  await ensureBusyboxImage(h)
  console.log("  $ docker run --rm bb:1 sh -c 'cat /etc/resolv.conf; ip link show eth0'")
  const view = await containerView(h)
  show(view.raw.replace('---\n', ''))
  check(view.nameservers.join(' ') === '114.114.114.114 8.8.8.8', `resolv.conf: nameserver ${view.nameservers.join(', ')}`)
  check(view.eth0Mtu === 1400, `eth0 mtu ${view.eth0Mtu}`)
  await waitFor('docker0 to keep its address', 5_000, async () => (await docker0Addresses(h)).includes('192.168.42.1/24'))
  ok('docker0 still 192.168.42.1/24')

  heading('dockcfg history: every change was backed up and can be rolled back')
  const history = await dockcfg(h, ['history'])
  check(history.exitCode === 0, 'history lists the backups')
}

let failed = false
try {
  await main()
} catch (error) {
  failed = true
  console.error(`\n${red('DEMO FAILED:')} ${error instanceof DemoFailure ? error.message : ((error as Error).stack ?? String(error))}`)
} finally {
  heading('Tear down the test host')
  await stopAllHosts()
  ok('stopped')
}
console.log(failed ? red('\ndemo failed') : green(`\ndemo done in ${((Date.now() - t0) / 1000).toFixed(1)} s`))
process.exitCode = failed ? 1 : 0
