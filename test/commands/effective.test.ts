import * as fsp from 'node:fs/promises'
import * as path from 'node:path'

import {describe, expect, it} from 'vitest'

import {runCli, useRoots} from '../support/cli.js'

// show / validate / fix / set on --root trees assembled from corpus fixtures: the Debian vendor
// unit under /lib, drop-ins in /usr/lib, /run and /etc (two of them shadowing a same-name file),
// an environment file and daemon.json. --root is not /, so no service is ever touched.
const FIXTURES = path.join(import.meta.dirname, '../fixtures')
const V = ['--dockerd-version', '20.10.24']
const DAEMON_JSON = '/etc/docker/daemon.json'
const VENDOR = '/lib/systemd/system/docker.service'
const ETC_D = '/etc/systemd/system/docker.service.d'
const RUN_D = '/run/systemd/system/docker.service.d'
const USR_D = '/usr/lib/systemd/system/docker.service.d'
const OURS = `${ETC_D}/50-dockcfg.conf`

const {root} = useRoots()

const fixture = (rel: string) => fsp.readFile(path.join(FIXTURES, rel), 'utf8')

async function stockTree(extra: Record<string, string> = {}) {
  return root({[VENDOR]: await fixture('vendor/debian-12-docker.io-docker.service'), ...extra})
}

/** The layered tree with the hosts conflict. */
async function layeredTree() {
  return stockTree({
    // Same name in /usr/lib and /run: /run wins.
    [`${USR_D}/http-proxy.conf`]: await fixture('dropins/http-proxy-indented-keys-devwatt.conf'),
    [`${RUN_D}/http-proxy.conf`]: await fixture('dropins/http-proxy-placeholder-values-swarm-test.conf'),
    // Same name in /usr/lib and /etc: /etc wins (the /usr/lib one would have set DOCKER_OPTS).
    [`${USR_D}/10-wait.conf`]: '[Service]\nEnvironment="DOCKER_OPTS=--mtu=1300"\n',
    [`${ETC_D}/10-wait.conf`]: await fixture('dropins/10-wait-docker-unit-requires-xingjiudong.conf'),
    // DOCKER_OPTS="--storage-driver=overlay" at line 2.
    '/etc/default/docker': await fixture('envfiles/etc-default-docker-overlay-geekgit'),
    [DAEMON_JSON]: '{\n  "log-level": "info",\n  "hosts": ["tcp://127.0.0.1:2375"]\n}\n',
  })
}

/** Every file under the given tree directories, path -> text. */
async function snapshot(root: string, under: string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  async function walk(dir: string): Promise<void> {
    for (const entry of await fsp.readdir(path.join(root, dir), {withFileTypes: true}).catch(() => [])) {
      const rel = path.posix.join(dir, entry.name)
      if (entry.isDirectory()) await walk(rel)
      else out[rel] = await fsp.readFile(path.join(root, rel), 'utf8')
    }
  }
  for (const u of under) await walk(u)
  return out
}

interface ShowJson {
  configFile: string
  unit: string
  dropIns: string[]
  environmentFiles: string[]
  execStart: string[]
  settings: Array<{key: string; value: unknown; origin: Record<string, unknown>; alsoSetBy?: Array<Record<string, unknown>>}>
  conflicts: Array<{key: string; message: string; flag: Array<Record<string, unknown>>; file: Record<string, unknown>}>
}

describe('effective configuration commands on a layered --root tree', () => {
  it('validate exits 3 and names both origins, file and line on each side', async () => {
    const r = await layeredTree()
    const result = await runCli(['validate', '--root', r.root, ...V])
    expect(result.exitCode).toBe(3)
    expect(result.stdout).toContain(
      '/etc/docker/daemon.json:3: error[flag-file-conflict] dockerd refuses to start: unable to configure the Docker daemon with file /etc/docker/daemon.json: the following directives are specified both as a flag and in the configuration file: hosts: (from flag: [fd://], from file: [tcp://127.0.0.1:2375]) (hosts: --host in ExecStart (/lib/systemd/system/docker.service line 14) and /etc/docker/daemon.json line 3)',
    )
    expect(result.stdout).toContain('hint: give each directive one owner: dockcfg fix')
    expect(result.stderr).toContain(
      `command line: /usr/sbin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock --storage-driver=overlay (${VENDOR}, ${ETC_D}/10-wait.conf, ${RUN_D}/http-proxy.conf)`,
    )

    const json = await runCli(['validate', '--root', r.root, '--json', ...V])
    expect(json.exitCode).toBe(3)
    expect(json.json<{valid: boolean; findings: Array<{code: string; file?: string; line?: number}>}>()).toMatchObject({valid: false})
  })

  it('show --json: settings with origins, conflicts, the ExecStart argv and the files behind it', async () => {
    const r = await layeredTree()
    const result = await runCli(['show', '--json', '--root', r.root, ...V])
    expect(result.exitCode).toBe(0)
    const show = result.json<ShowJson>()
    expect(show.unit).toBe(VENDOR)
    // Same-name precedence: /etc beats /usr/lib, /run beats /usr/lib; applied in name order.
    expect(show.dropIns).toEqual([`${ETC_D}/10-wait.conf`, `${RUN_D}/http-proxy.conf`])
    expect(show.environmentFiles).toEqual(['/etc/default/docker'])
    expect(show.execStart).toEqual(['/usr/sbin/dockerd', '-H', 'fd://', '--containerd=/run/containerd/containerd.sock', '--storage-driver=overlay'])
    const byKey = Object.fromEntries(show.settings.map((s) => [s.key, s]))
    expect(byKey['storage-driver']).toEqual({
      key: 'storage-driver',
      value: 'overlay',
      origin: {kind: 'flag', flag: '--storage-driver', file: VENDOR, line: 14, viaVariable: 'DOCKER_OPTS', variableFile: '/etc/default/docker', variableLine: 2},
    })
    expect(byKey['log-level']).toEqual({key: 'log-level', value: 'info', origin: {kind: 'file', file: DAEMON_JSON, line: 2}})
    expect(byKey.hosts?.alsoSetBy).toEqual([{kind: 'flag', flag: '--host', file: VENDOR, line: 14}])
    // The shadowed /usr/lib drop-in's --mtu=1300 never reaches dockerd.
    expect(byKey.mtu).toEqual({key: 'mtu', value: 1500, origin: {kind: 'default'}})
    expect(show.conflicts).toEqual([
      {
        key: 'hosts',
        message: 'the following directives are specified both as a flag and in the configuration file: hosts: (from flag: [fd://], from file: [tcp://127.0.0.1:2375])',
        flag: [{kind: 'flag', flag: '--host', file: VENDOR, line: 14}],
        file: {kind: 'file', file: DAEMON_JSON, line: 3},
      },
    ])
  })

  it('show (text) marks the conflicting setting', async () => {
    const r = await layeredTree()
    const result = await runCli(['show', '--root', r.root, ...V])
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toMatch(
      /hosts\s+\["tcp:\/\/127\.0\.0\.1:2375"\]\s+\/etc\/docker\/daemon\.json line 3 {2}CONFLICT with --host in ExecStart \(\/lib\/systemd\/system\/docker\.service line 14\)/,
    )
  })

  it('show (text) hides URL passwords from daemon.json and from the command line, even in a cut cell', async () => {
    const long = 'p'.repeat(80)
    const r = await stockTree({
      [DAEMON_JSON]: JSON.stringify({'registry-mirrors': [`https://alice:${long}@mirror.example`]}),
      [`${ETC_D}/mirror.conf`]:
        '[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock --insecure-registry=https://bob:flagsecret@m2.example\n',
    })
    const result = await runCli(['show', '--root', r.root, ...V])
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toContain('https://alice:xxxxx@mirror')
    expect(result.stdout).toContain('https://bob:xxxxx@m2.example')
    for (const secret of ['ppppp', 'flagsecret']) expect(result.stdout + result.stderr).not.toContain(secret)
  })

  it('fix --dry-run prints the unified diff of every file and writes nothing', async () => {
    const r = await layeredTree()
    const before = await snapshot(r.root, ['/etc', '/lib', '/usr', '/run', '/var'])
    const result = await runCli(['fix', '--dry-run', '--root', r.root, ...V])
    expect(result.exitCode, result.stderr).toBe(0)
    expect(result.stdout).toContain('--- a/etc/docker/daemon.json\n+++ b/etc/docker/daemon.json\n')
    expect(result.stdout).toContain('-  "hosts": ["tcp://127.0.0.1:2375"]\n+  "hosts": [\n+    "fd://",\n+    "tcp://127.0.0.1:2375"\n+  ]\n')
    expect(result.stdout).toContain(`--- /dev/null\n+++ b/${OURS.slice(1)}\n`)
    expect(result.stdout).toContain('+ExecStart=\n+ExecStart=/usr/sbin/dockerd --containerd=/run/containerd/containerd.sock $DOCKER_OPTS\n')
    expect(result.stderr).toContain('dry run: nothing written')
    expect(await snapshot(r.root, ['/etc', '/lib', '/usr', '/run', '/var'])).toEqual(before)
  })

  it('fix writes daemon.json and an /etc drop-in, reports the pending restart; then validate passes and a second fix is a no-op', async () => {
    const r = await layeredTree()
    const untouched = await snapshot(r.root, ['/lib', '/usr', '/run', '/etc/default'])
    const fix = await runCli(['fix', '--root', r.root, ...V])
    expect(fix.exitCode, fix.stderr).toBe(0)
    // The files it replaced are a conflict dockerd refuses: a rollback to them is not offered as an undo.
    expect(fix.stderr).toMatch(
      /wrote \/etc\/docker\/daemon\.json, \/etc\/systemd\/system\/docker\.service\.d\/50-dockcfg\.conf \(backup \S+; no undo: dockerd refused the configuration it replaced\)/,
    )
    expect(fix.stderr).toMatch(/not applied \(--root is not \/.*\): dockerd needs a restart/)
    expect(JSON.parse(await r.read(DAEMON_JSON))).toEqual({'log-level': 'info', hosts: ['fd://', 'tcp://127.0.0.1:2375']})
    expect(await r.read(OURS)).toMatch(/\[Service\]\nExecStart=\nExecStart=\/usr\/sbin\/dockerd --containerd=\/run\/containerd\/containerd\.sock \$DOCKER_OPTS\n$/)
    // Never /lib, /usr/lib or /run; the environment file is left alone too.
    expect(await snapshot(r.root, ['/lib', '/usr', '/run', '/etc/default'])).toEqual(untouched)

    const validate = await runCli(['validate', '--root', r.root, ...V])
    expect(validate.exitCode, validate.stdout).toBe(0)
    expect(validate.stderr).toContain('command line: /usr/sbin/dockerd --containerd=/run/containerd/containerd.sock --storage-driver=overlay')

    const after = await snapshot(r.root, ['/etc', '/lib', '/usr', '/run'])
    const again = await runCli(['fix', '--root', r.root, ...V])
    expect(again.exitCode).toBe(0)
    expect(again.stderr).toContain('no flag/file conflicts: nothing to fix')
    expect(await snapshot(r.root, ['/etc', '/lib', '/usr', '/run'])).toEqual(after)
  })

  it('fix --prefer flags: hosts leaves daemon.json, the extra listener joins the command line', async () => {
    const r = await layeredTree()
    const fix = await runCli(['fix', '--prefer', 'flags', '--root', r.root, ...V])
    expect(fix.exitCode, fix.stderr).toBe(0)
    expect(JSON.parse(await r.read(DAEMON_JSON))).toEqual({'log-level': 'info'})
    expect(await r.read(OURS)).toMatch(
      /\nExecStart=\/usr\/sbin\/dockerd -H fd:\/\/ --containerd=\/run\/containerd\/containerd\.sock \$DOCKER_OPTS --host=tcp:\/\/127\.0\.0\.1:2375\n$/,
    )
    const show = (await runCli(['show', '--json', '--root', r.root, ...V])).json<ShowJson>()
    expect(show.conflicts).toEqual([])
    // $DOCKER_OPTS still expands where it stood, before the appended flag.
    expect(show.execStart).toEqual(['/usr/sbin/dockerd', '-H', 'fd://', '--containerd=/run/containerd/containerd.sock', '--storage-driver=overlay', '--host=tcp://127.0.0.1:2375'])
  })

  it('a conflict through $DOCKER_OPTS: the drop-in spells the variable out and says so', async () => {
    const r = await stockTree({'/etc/default/docker': 'DOCKER_OPTS="--dns 8.8.8.8 --mtu=1400"\n', [DAEMON_JSON]: '{"dns": ["1.1.1.1"]}\n'})
    const validate = await runCli(['validate', '--root', r.root, ...V])
    expect(validate.exitCode).toBe(3)
    expect(validate.stdout).toContain(
      '(dns: --dns in ExecStart (/lib/systemd/system/docker.service line 14) via $DOCKER_OPTS (/etc/default/docker line 1) and /etc/docker/daemon.json line 1)',
    )
    const fix = await runCli(['fix', '--root', r.root, ...V])
    expect(fix.exitCode, fix.stderr).toBe(0)
    const dropin = await r.read(OURS)
    expect(dropin).toContain('# $DOCKER_OPTS (set in /etc/default/docker line 1) is spelled out below without the moved flags, so later changes to it no longer reach dockerd.\n')
    expect(dropin).toMatch(/\nExecStart=\/usr\/sbin\/dockerd -H fd:\/\/ --containerd=\/run\/containerd\/containerd\.sock --mtu=1400\n$/)
    expect((await runCli(['validate', '--root', r.root, ...V])).exitCode).toBe(0)
  })
})

describe('set hosts on the stock tree', () => {
  it('plans the same resolution as fix: no conflict is left behind', async () => {
    const r = await stockTree()
    const set = await runCli(['set', 'hosts', 'unix:///var/run/docker.sock', 'tcp://127.0.0.1:2375', '--root', r.root, ...V])
    expect(set.exitCode, set.stderr).toBe(0)
    expect(JSON.parse(await r.read(DAEMON_JSON))).toEqual({hosts: ['fd://', 'unix:///var/run/docker.sock', 'tcp://127.0.0.1:2375']})
    expect(await r.read(OURS)).toMatch(/\nExecStart=\/usr\/sbin\/dockerd --containerd=\/run\/containerd\/containerd\.sock \$DOCKER_OPTS\n$/)
    const validate = await runCli(['validate', '--root', r.root, ...V])
    expect(validate.exitCode, validate.stdout).toBe(0)
    const show = (await runCli(['show', '--json', '--root', r.root, ...V])).json<ShowJson>()
    expect(show.conflicts).toEqual([])
    expect(show.execStart).toEqual(['/usr/sbin/dockerd', '--containerd=/run/containerd/containerd.sock'])
    // The vendor unit is never edited.
    expect(await r.read(VENDOR)).toBe(await fixture('vendor/debian-12-docker.io-docker.service'))
  })

  it('--dry-run shows both files before anything is written', async () => {
    const r = await stockTree()
    const set = await runCli(['set', 'hosts', 'tcp://127.0.0.1:2375', '--dry-run', '--root', r.root, ...V])
    expect(set.exitCode, set.stderr).toBe(0)
    expect(set.stdout).toContain('+++ b/etc/docker/daemon.json')
    expect(set.stdout).toContain(`+++ b/${OURS.slice(1)}`)
    await expect(fsp.stat(path.join(r.root, DAEMON_JSON))).rejects.toThrow()
    await expect(fsp.stat(path.join(r.root, OURS))).rejects.toThrow()
  })
})
