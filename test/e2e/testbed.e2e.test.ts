import {readFileSync} from 'node:fs'
import {connect} from 'node:net'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {assertDistBuilt, BUSYBOX_IMAGE, bootHosts, e2eGate, ensureBusyboxImage, stopAllHosts, type TestHost} from './harness/testbed.js'

const gate = e2eGate()

/** Minimal HTTP GET over a raw socket: proves the veth path from this machine, no client magic. */
function httpGet(host: string, port: number, path: string, timeoutMs = 5_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    const s = connect({host, port, timeout: timeoutMs}, () => s.end(`GET ${path} HTTP/1.0\r\nHost: ${host}\r\n\r\n`))
    s.on('data', (b: Buffer) => chunks.push(b))
    s.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    s.on('timeout', () => s.destroy(new Error(`no answer from ${host}:${port} within ${timeoutMs} ms`)))
    s.on('error', reject)
  })
}

async function retry<T>(what: string, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      return await fn()
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`${what}: still failing after ${timeoutMs} ms: ${(e as Error).message}`)
      await new Promise((r) => setTimeout(r, 200))
    }
  }
}

describe.skipIf(!gate.ok)('test hosts (systemd-nspawn + docker.io)', () => {
  let hosts: TestHost[] = []

  beforeAll(async () => {
    const t0 = Date.now()
    hosts = await bootHosts(2)
    console.log(`[e2e] booted ${hosts.map((h) => `${h.name}@${h.address} in ${h.bootMs} ms`).join(', ')} (both: ${Date.now() - t0} ms)`)
  })

  afterAll(async () => {
    const t0 = Date.now()
    await stopAllHosts()
    console.log(`[e2e] stopped all hosts in ${Date.now() - t0} ms`)
  })

  it('boots two isolated hosts running systemd, dockerd, containers and the CLI', async () => {
    const [a, b] = hosts
    if (!a || !b) throw new Error('two hosts expected')
    expect(a.name).not.toBe(b.name)
    expect(a.address).not.toBe(b.address)

    await Promise.all(
      hosts.map(async (h) => {
        const state = (await h.exec(['systemctl', 'is-system-running'], {allowFail: true})).stdout.trim()
        expect(['running', 'degraded']).toContain(state)
        const t0 = Date.now()
        await h.waitDockerActive()
        expect((await h.exec(['systemctl', 'is-active', 'docker'])).stdout.trim()).toBe('active')
        expect((await h.exec(['hostname'])).stdout.trim()).toBe(h.name)

        await ensureBusyboxImage(h)
        const resolv = await h.exec(['docker', 'run', '--rm', BUSYBOX_IMAGE, 'cat', '/etc/resolv.conf'])
        expect(resolv.stdout).toMatch(/nameserver /)
        console.log(`[e2e] ${h.name}: docker active + image + first container in ${Date.now() - t0} ms`)

        // Each host has its own cgroup subtree (seen from this side); with a shared tree both hosts'
        // docker.service units would be one and the same cgroup.
        expect(readFileSync(`/proc/${h.leader}/cgroup`, 'utf8')).toContain(`/${h.name}/init.scope`)
      }),
    )

    // The two dockerds are different processes in different namespaces.
    const ids = await Promise.all(hosts.map(async (h) => (await h.exec(['docker', 'info', '--format', '{{.ID}}'])).stdout.trim()))
    expect(ids[0]).not.toBe(ids[1])

    // Host A's veth address answers from this machine, through docker's published port (DNAT).
    await a.writeFile('/srv/www/index.html', `hello from ${a.name}\n`)
    await a.exec(['docker', 'run', '-d', '--name', 'web', '-p', '8080:80', '-v', '/srv/www:/www:ro', BUSYBOX_IMAGE, 'httpd', '-f', '-p', '80', '-h', '/www'])
    const reply = await retry(`GET http://${a.address}:8080/`, 10_000, () => httpGet(a.address, 8080, '/index.html'))
    expect(reply).toMatch(/^HTTP\/1\.[01] 200/)
    expect(reply).toContain(`hello from ${a.name}`)
    // httpd as PID 1 ignores SIGTERM; remove it now so poweroff does not wait out docker's stop timeout.
    await a.exec(['docker', 'rm', '-f', 'web'])

    // The project's CLI runs inside from the read-only bound checkout.
    assertDistBuilt()
    const v = await a.dockcfg(['--version'])
    expect(v.stdout).toMatch(/dockcfg\/\d+\.\d+\.\d+/)

    // Files round-trip over stdin/stdout.
    await b.writeFile('/etc/docker/daemon.json', '{"debug": true}\n', 0o600)
    expect(await b.readFile('/etc/docker/daemon.json')).toBe('{"debug": true}\n')
    expect((await b.exec(['stat', '-c', '%a', '/etc/docker/daemon.json'])).stdout.trim()).toBe('600')
    // Host A is untouched by B's write (separate /etc overlays).
    expect(await a.exists('/etc/docker/daemon.json')).toBe(false)

    const j = await a.journal('docker')
    expect(j.text).toContain('API listen on /run/docker.sock')
    expect(j.cursor).toBeTruthy()
  })

  it('a transient systemd timer fires after the process that armed it was killed', async () => {
    const h = hosts[1]
    if (!h) throw new Error('host expected')
    expect(await h.exists('/run/fired')).toBe(false)
    const armedAt = Date.now()
    // The arming shell SIGKILLs itself right after systemd-run returns: nothing of it survives.
    const arm = await h.sh('systemd-run --quiet --unit=dcfg-e2e-fire --on-active=2 --timer-property=AccuracySec=100ms /usr/bin/touch /run/fired && kill -9 $$', {allowFail: true})
    expect(arm.exitCode).toBe(137)
    expect(await h.exists('/run/fired')).toBe(false)
    expect((await h.exec(['systemctl', 'is-active', 'dcfg-e2e-fire.timer'])).stdout.trim()).toBe('active')

    await retry('/run/fired to appear', 8_000, async () => {
      if (!(await h.exists('/run/fired'))) throw new Error('not yet')
    })
    const elapsed = Date.now() - armedAt
    console.log(`[e2e] timer fired ${elapsed} ms after arming`)
    expect(elapsed).toBeGreaterThanOrEqual(1_800)
    expect(elapsed).toBeLessThan(6_000)
    const res = await h.exec(['systemctl', 'show', '-p', 'Result', '--value', 'dcfg-e2e-fire.service'])
    expect(res.stdout.trim()).toBe('success')
  })
})
