import {describe, expect, it} from 'vitest'

import type {FileSystem} from '../../../src/system/fs.js'
import {type EffectiveConfig, inspectEffective} from '../../../src/effective/effective.js'
import {InvalidConfigError, UsageError} from '../../../src/core/errors.js'
import {DROPIN_PATH, type FixPlan, type Owner, planFix} from '../../../src/effective/fix.js'
import {OverlayFileSystem} from '../../../src/system/overlay-fs.js'
import {parseUnitFile} from '../../../src/systemd/unit-file.js'
import {DAEMON_JSON, DROPIN_DIR, VENDOR_PATH, debianTree, fixture, tree} from './helpers.js'

const V = '20.10.24'
const CONTAINERD = '--containerd=/run/containerd/containerd.sock'

/** Plans the fix, then recomputes the effective configuration on the planned files. */
async function planAndReinspect(fs: FileSystem, owner: Owner = 'file'): Promise<{before: EffectiveConfig; plan: FixPlan; after: EffectiveConfig}> {
  const before = await inspectEffective(fs, {dockerdVersion: V})
  const plan = await planFix(fs, before, owner, `dockcfg fix --prefer ${owner}`)
  const after = await inspectEffective(new OverlayFileSystem(fs, plan.changes), {dockerdVersion: V})
  return {before, plan, after}
}

/** Every section header and assignment systemd would see in a unit file's text. */
function directives(text: string): string[] {
  return parseUnitFile(text).entries.flatMap((e) =>
    e.kind === 'section' ? [`[${e.name}]`] : e.kind === 'assignment' ? [`${e.key}=${e.value}`] : e.kind === 'invalid' ? [`invalid: ${e.text}`] : [],
  )
}

function change(plan: FixPlan, path: string): {before: string | undefined; after: string | undefined} {
  const c = plan.changes.find((x) => x.path === path)
  if (c === undefined) throw new Error(`no change to ${path}; changed: ${plan.changes.map((x) => x.path).join(', ')}`)
  return {before: c.before, after: c.after}
}

describe('planFix --prefer file (default)', () => {
  it('stock Debian unit + "hosts" in daemon.json: fd:// merged in, drop-in without -H, $DOCKER_OPTS kept', async () => {
    const fs = await debianTree({
      '/etc/default/docker': 'DOCKER_OPTS="--dns 9.9.9.9"\n',
      [DAEMON_JSON]: '{\n    "hosts": ["tcp://127.0.0.1:2375"],\n    "debug": true\n}\n',
    })
    const {before, plan, after} = await planAndReinspect(fs)
    expect(before.conflicts.map((c) => c.key)).toEqual(['hosts'])
    expect(plan.changes.map((c) => c.path)).toEqual([DAEMON_JSON, DROPIN_PATH])
    expect(JSON.parse(change(plan, DAEMON_JSON).after ?? '')).toEqual({hosts: ['fd://', 'tcp://127.0.0.1:2375'], debug: true})
    // The user's 4-space indentation survives the edit.
    expect(change(plan, DAEMON_JSON).after).toMatch(/^\{\n {4}"hosts": \[/)
    const dropin = change(plan, DROPIN_PATH)
    expect(dropin.before).toBeUndefined()
    expect(dropin.after).toMatch(/^# Written by dockcfg: dockcfg fix --prefer file\n# Replaces the ExecStart of \/lib\/systemd\/system\/docker.service line 14\.\n/)
    expect(dropin.after).toMatch(/\n\[Service\]\nExecStart=\nExecStart=\/usr\/sbin\/dockerd --containerd=\/run\/containerd\/containerd\.sock \$DOCKER_OPTS\n$/)
    expect(dropin.after).not.toMatch(/spelled out/)
    expect(plan.newArgv).toEqual(['/usr/sbin/dockerd', CONTAINERD, '--dns', '9.9.9.9'])
    expect(plan.changedKeys).toEqual(['hosts'])
    expect(plan.actions).toEqual([
      'hosts: moved -H/--host fd:// (--host in ExecStart (/lib/systemd/system/docker.service line 14)) into /etc/docker/daemon.json, now ["fd://","tcp://127.0.0.1:2375"]',
      `command line: added drop-in ${DROPIN_PATH} replacing ExecStart (/lib/systemd/system/docker.service line 14)`,
    ])

    // Recomputed on the planned files: no conflict, the intended command line, local access kept.
    expect(after.conflicts).toEqual([])
    expect(after.findings.filter((f) => f.severity === 'error')).toEqual([])
    expect(after.argv).toEqual(plan.newArgv)
    expect(after.service.dropInPaths).toEqual([DROPIN_PATH])
    expect(after.hosts).toEqual(['fd://', 'tcp://127.0.0.1:2375'])
    // $DOCKER_OPTS still reaches dockerd through the variable.
    expect(after.settings.find((s) => s.key === 'dns')?.origin).toMatchObject({viaVariable: 'DOCKER_OPTS', variableFile: '/etc/default/docker', file: DROPIN_PATH})
  })

  it('a conflict that comes through $DOCKER_OPTS (/etc/default/docker): the rest of the variable is spelled out, with a note', async () => {
    const fs = await debianTree({
      '/etc/default/docker': '# comment\nDOCKER_OPTS="--dns 8.8.8.8 --mtu=1400 --label \'team=a b\'"\n',
      [DAEMON_JSON]: '{"dns": ["1.1.1.1"]}\n',
    })
    const {before, plan, after} = await planAndReinspect(fs)
    expect(before.conflicts.map((c) => [c.key, c.flagOrigins[0]])).toEqual([
      ['dns', {kind: 'flag', flag: '--dns', file: VENDOR_PATH, line: 14, viaVariable: 'DOCKER_OPTS', variableFile: '/etc/default/docker', variableLine: 2}],
    ])
    expect(JSON.parse(change(plan, DAEMON_JSON).after ?? '')).toEqual({dns: ['8.8.8.8', '1.1.1.1']})
    const dropin = change(plan, DROPIN_PATH).after ?? ''
    expect(dropin).toContain('# $DOCKER_OPTS (set in /etc/default/docker line 2) is spelled out below without the moved flags, so later changes to it no longer reach dockerd.\n')
    expect(dropin).toMatch(/\nExecStart=\/usr\/sbin\/dockerd -H fd:\/\/ --containerd=\/run\/containerd\/containerd\.sock --mtu=1400 --label "team=a b"\n$/)
    expect(plan.actions).toContain(
      'note: $DOCKER_OPTS (set in /etc/default/docker line 2) is spelled out below without the moved flags, so later changes to it no longer reach dockerd.',
    )

    expect(after.conflicts).toEqual([])
    expect(after.argv).toEqual(['/usr/sbin/dockerd', '-H', 'fd://', CONTAINERD, '--mtu=1400', '--label', 'team=a b'])
    expect(after.argv).toEqual(plan.newArgv)
  })

  it('an /etc drop-in that already sets ExecStart is edited in place: no second layer', async () => {
    const path = `${DROPIN_DIR}/override.conf`
    const original = await fixture('dropins/override-fd-plus-tcp-equals-form-3x3cut0r.conf')
    const fs = await debianTree({[path]: original, [DAEMON_JSON]: '{\n  "hosts": ["unix:///var/run/docker.sock"]\n}\n'})
    const {before, plan, after} = await planAndReinspect(fs)
    expect(before.conflicts[0]?.flagValues).toEqual(['fd://', 'tcp://0.0.0.0:2375'])
    expect(plan.changes.map((c) => c.path)).toEqual([DAEMON_JSON, path])
    const edited = change(plan, path)
    expect(edited.before).toBe(original)
    // Only the ExecStart line changes; the file keeps its missing final newline.
    expect(edited.after).toBe(
      original.replace('ExecStart=/usr/bin/dockerd -H fd:// -H=tcp://0.0.0.0:2375 --containerd=/run/containerd/containerd.sock', `ExecStart=/usr/bin/dockerd ${CONTAINERD}`),
    )
    expect(plan.actions).toContain(`command line: edited ExecStart in ${path} line 3`)
    expect(JSON.parse(change(plan, DAEMON_JSON).after ?? '')).toEqual({hosts: ['fd://', 'tcp://0.0.0.0:2375', 'unix:///var/run/docker.sock']})

    expect(after.conflicts).toEqual([])
    expect(after.service.dropInPaths).toEqual([path])
    expect(after.argv).toEqual(['/usr/bin/dockerd', CONTAINERD])
  })

  it('a later-sorting vendor drop-in that sets ExecStart (/usr/lib) is never edited, and the new drop-in is not dead', async () => {
    const vendorDropin = '/usr/lib/systemd/system/docker.service.d/override.conf'
    const fs = await debianTree({
      [vendorDropin]: '[Service]\nEnvironment=FOO=1\nExecStart=\nExecStart=/usr/sbin/dockerd -H fd:// --log-level=info\n',
      [DAEMON_JSON]: '{"hosts": ["unix:///var/run/docker.sock"]}',
    })
    const {plan, after} = await planAndReinspect(fs)
    // 50-dockcfg.conf would sort before override.conf and be dead: a same-name /etc copy masks it.
    expect(plan.changes.map((c) => c.path)).toEqual([DAEMON_JSON, `${DROPIN_DIR}/override.conf`])
    expect(change(plan, `${DROPIN_DIR}/override.conf`).after).toBe(
      '# Written by dockcfg: dockcfg fix --prefer file\n' +
        '# A copy of /usr/lib/systemd/system/docker.service.d/override.conf, which it masks (same name, /etc wins), with ExecStart (line 4) changed so\n' +
        '# each directive has one owner between the command line and /etc/docker/daemon.json.\n' +
        '[Service]\nEnvironment=FOO=1\nExecStart=\nExecStart=/usr/sbin/dockerd --log-level=info\n',
    )
    expect(after.service.dropInPaths).toEqual([`${DROPIN_DIR}/override.conf`])
    expect(after.conflicts).toEqual([])
    expect(after.argv).toEqual(['/usr/sbin/dockerd', '--log-level=info'])
    expect(after.argv).toEqual(plan.newArgv)
    // What the vendor drop-in set besides ExecStart still applies.
    expect(after.service.environment.FOO?.value).toBe('1')
  })

  it.each<[string, string, string[]]>([
    // Moving -H out of `-DH fd://` must keep -D.
    ['-DH fd://', '{"hosts": ["unix:///var/run/docker.sock"]}', ['/usr/sbin/dockerd', '--debug=true']],
    // Moving -D out of `-Dl warn` must not strand "warn" as a stray word.
    ['-Dl warn -H fd://', '{"debug": false, "hosts": ["fd://"]}', ['/usr/sbin/dockerd', '--log-level=warn']],
  ])('a shorthand cluster (%s) is re-spelled, not half-dropped', async (flags, json, argv) => {
    const fs = await debianTree({[`${DROPIN_DIR}/cluster.conf`]: `[Service]\nExecStart=\nExecStart=/usr/sbin/dockerd ${flags}\n`, [DAEMON_JSON]: json})
    const {before, plan, after} = await planAndReinspect(fs)
    expect(before.conflicts.length).toBeGreaterThan(0)
    expect(after.conflicts).toEqual([])
    expect(after.findings.filter((f) => f.severity === 'error')).toEqual([])
    expect(after.argv).toEqual(argv)
    expect(plan.newArgv).toEqual(argv)
  })

  it("an ExecStart word that expands from the service manager's environment ($PATH) keeps every index in place", async () => {
    const fs = await tree({
      [VENDOR_PATH]: '[Service]\nType=notify\nExecStart=/usr/sbin/dockerd --exec-root $PATH -H fd://\n',
      [DAEMON_JSON]: '{"hosts": ["unix:///run/docker.sock"]}',
    })
    const {before, plan, after} = await planAndReinspect(fs)
    expect(before.argv?.[2]).toBe('/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin')
    expect(change(plan, DROPIN_PATH).after).toMatch(/\nExecStart=\/usr\/sbin\/dockerd --exec-root \$PATH\n$/)
    expect(plan.newArgv).toEqual(['/usr/sbin/dockerd', '--exec-root', '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'])
    expect(after.argv).toEqual(plan.newArgv)
    expect(after.conflicts).toEqual([])
  })

  it('nothing to do without a conflict', async () => {
    const fs = await debianTree({[DAEMON_JSON]: '{"debug": true}'})
    const {plan} = await planAndReinspect(fs)
    expect(plan).toEqual({changes: [], changedKeys: [], actions: []})
  })

  it('refuses an OpenRC command line, naming the file to edit', async () => {
    const fs = await tree({'/etc/conf.d/docker': 'DOCKER_OPTS="-H tcp://0.0.0.0:2375"\n', [DAEMON_JSON]: '{"hosts": []}'})
    const e = await inspectEffective(fs, {dockerdVersion: V})
    await expect(planFix(fs, e, 'file', 'dockcfg fix')).rejects.toThrow(/DOCKER_OPTS in \/etc\/conf\.d\/docker \(OpenRC\)/)
  })
})

describe('planFix --prefer flags', () => {
  it('the key leaves daemon.json; its extra list entries join ExecStart as flags', async () => {
    const fs = await debianTree({[DAEMON_JSON]: '{\n  "hosts": ["tcp://127.0.0.1:2375"],\n  "debug": true\n}\n'})
    const {plan, after} = await planAndReinspect(fs, 'flags')
    expect(JSON.parse(change(plan, DAEMON_JSON).after ?? '')).toEqual({debug: true})
    expect(change(plan, DROPIN_PATH).after).toMatch(
      /\nExecStart=\/usr\/sbin\/dockerd -H fd:\/\/ --containerd=\/run\/containerd\/containerd\.sock \$DOCKER_OPTS --host=tcp:\/\/127\.0\.0\.1:2375\n$/,
    )
    expect(plan.actions[0]).toBe('hosts: removed from /etc/docker/daemon.json; ExecStart keeps -H/--host fd:// and gains --host=tcp://127.0.0.1:2375')
    expect(after.conflicts).toEqual([])
    expect(after.argv).toEqual(['/usr/sbin/dockerd', '-H', 'fd://', CONTAINERD, '--host=tcp://127.0.0.1:2375'])
    expect(after.hosts).toEqual(['fd://', 'tcp://127.0.0.1:2375'])
  })

  it('a scalar: the file value goes, the flag stays, the command line is untouched', async () => {
    const fs = await debianTree({'/etc/default/docker': 'DOCKER_OPTS="--debug=false"\n', [DAEMON_JSON]: '{"debug": true, "mtu": 1400}'})
    const {plan, after} = await planAndReinspect(fs, 'flags')
    expect(plan.changes.map((c) => c.path)).toEqual([DAEMON_JSON])
    expect(JSON.parse(change(plan, DAEMON_JSON).after ?? '')).toEqual({mtu: 1400})
    expect(plan.newArgv).toBeUndefined()
    expect(after.conflicts).toEqual([])
    expect(after.settings.find((s) => s.key === 'debug')).toMatchObject({value: false, origin: {kind: 'flag', viaVariable: 'DOCKER_OPTS'}})
  })
})

describe('what reaches the drop-in is never re-read as a template or a directive', () => {
  // User text that String.replace() would rewrite ($$, $&, $1, $') or that looks like a placeholder.
  const tricky = ['b=$$x', 'c=$&', 'd=$1', "e=$'", 'f={{execStart}}', 'g={{command}}$`']

  it("the recorded command keeps {{execStart}}, $$, $&, $1 and $' as typed, and ExecStart is filled once", async () => {
    const fs = await debianTree({'/etc/default/docker': 'DOCKER_OPTS="--label x=y"\n', [DAEMON_JSON]: `${JSON.stringify({labels: tricky})}\n`})
    const before = await inspectEffective(fs, {dockerdVersion: V})
    const command = `dockcfg set labels ${tricky.join(' ')}`
    const plan = await planFix(fs, before, 'file', command)
    const dropin = change(plan, DROPIN_PATH).after ?? ''
    expect(dropin.split('\n')[0]).toBe(`# Written by dockcfg: ${command}`)
    expect(directives(dropin)).toEqual(['[Service]', 'ExecStart=', `ExecStart=/usr/sbin/dockerd -H fd:// ${CONTAINERD}`])
  })

  it("values with $$, $&, $1, $' and {{execStart}} reach dockerd exactly (--prefer flags)", async () => {
    const fs = await debianTree({'/etc/default/docker': 'DOCKER_OPTS="--label x=y"\n', [DAEMON_JSON]: `${JSON.stringify({labels: tricky})}\n`})
    const {plan, after} = await planAndReinspect(fs, 'flags')
    const added = tricky.map((t) => `--label=${t}`)
    expect(plan.newArgv).toEqual(['/usr/sbin/dockerd', '-H', 'fd://', CONTAINERD, '--label', 'x=y', ...added])
    expect(after.argv).toEqual(plan.newArgv)
    expect(change(plan, DROPIN_PATH).after).toContain('ExecStart=/usr/sbin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock $DOCKER_OPTS --label=b=$$$$x')
  })

  it.each([
    ['a new drop-in', {}],
    ['an /etc copy masking a /run drop-in', {'/run/systemd/system/docker.service.d/60-x.conf': '[Service]\nExecStart=\nExecStart=/usr/sbin/dockerd -H fd:// $DOCKER_OPTS\n'}],
  ])('refuses a typed control character that the drop-in header would record, in %s: exit 2 (the reported injection)', async (_name, files) => {
    const fs = await debianTree({'/etc/default/docker': 'DOCKER_OPTS="--label x=y"\n', [DAEMON_JSON]: '{}\n', ...files})
    const command = 'dockcfg set labels a=b\r[Service]\rExecStartPre=/bin/touch /tmp/x'
    const plannedFs = new OverlayFileSystem(fs, [{path: DAEMON_JSON, after: '{"labels": ["a=b\\r[Service]\\rExecStartPre=/bin/touch /tmp/x"]}\n'}])
    const before = await inspectEffective(plannedFs, {dockerdVersion: V})
    const error = await planFix(plannedFs, before, 'file', command).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(UsageError)
    expect((error as UsageError).exitCode).toBe(2)
    expect((error as Error).message).toContain('"dockcfg set labels a=b\\r[Service]\\rExecStartPre=/bin/touch /tmp/x" contains a carriage return (U+000D) at character 23')
  })

  it('text that is not typed (the --config-file path, file names) is shown escaped in the comments', async () => {
    const configFile = '/etc/docker/a\rExecStartPre=/x.json'
    const fs = await debianTree({[configFile]: '{"hosts": ["unix:///var/run/docker.sock"]}\n'})
    const before = await inspectEffective(fs, {configFile, dockerdVersion: V})
    const plan = await planFix(fs, before, 'file', 'dockcfg fix')
    const dropin = change(plan, DROPIN_PATH).after ?? ''
    expect(dropin).toContain('\n# /etc/docker/a\\x0dExecStartPre=/x.json; this drop-in replaces')
    expect(directives(dropin)).toEqual(['[Service]', 'ExecStart=', `ExecStart=/usr/sbin/dockerd ${CONTAINERD} $DOCKER_OPTS`])
  })

  it('refuses an ExecStart line systemd would refuse as too long (1 MiB or more): exit 3', async () => {
    const prefix = `ExecStart=/usr/sbin/dockerd -H fd:// ${CONTAINERD} $DOCKER_OPTS --label=k=`
    const planWith = async (line: number) => {
      const fs = await debianTree({'/etc/default/docker': 'DOCKER_OPTS="--label x=y"\n', [DAEMON_JSON]: `${JSON.stringify({labels: [`k=${'x'.repeat(line - prefix.length)}`]})}\n`})
      return planFix(fs, await inspectEffective(fs, {dockerdVersion: V}), 'flags', 'dockcfg fix --prefer flags')
    }
    const longest = change(await planWith(1024 * 1024 - 1), DROPIN_PATH).after ?? ''
    expect(longest.split('\n').find((l) => l.startsWith('ExecStart=/'))).toHaveLength(1024 * 1024 - 1)
    await expect(planWith(1024 * 1024)).rejects.toThrow(/the new ExecStart line would be 1048576 bytes long; systemd refuses a unit file with a line of 1048576 bytes or more/)
  })

  it.each<[string, Owner, Record<string, string>, RegExp]>([
    [
      'a daemon.json value moving onto the command line',
      'flags',
      {'/etc/default/docker': 'DOCKER_OPTS="--label x=y"\n', [DAEMON_JSON]: '{"labels": ["a=b\\r[Service]\\rExecStartPre=/bin/touch /tmp/x"]}\n'},
      /"--label=a=b\\r\[Service\]\\rExecStartPre=\/bin\/touch \/tmp\/x" from "labels" in \/etc\/docker\/daemon\.json line 1 contains a carriage return \(U\+000D\) at character 12/,
    ],
    [
      'a word of $DOCKER_OPTS that is spelled out',
      'file',
      {'/etc/default/docker': 'DOCKER_OPTS="--label x=y --default-runtime \'a\x01\'"\n', [DAEMON_JSON]: '{"labels": ["x=y"]}\n'},
      /"a\\u0001" from ExecStart in \/lib\/systemd\/system\/docker\.service line 14 via \$DOCKER_OPTS \(\/etc\/default\/docker line 1\) contains a control character \(U\+0001\)/,
    ],
    [
      'a configured ExecStart word that is kept',
      'file',
      {[`${DROPIN_DIR}/x.conf`]: '[Service]\nExecStart=\nExecStart=/usr/sbin/dockerd -H fd:// --label "a=\\x1b[2J"\n', [DAEMON_JSON]: '{"hosts": ["fd://"]}\n'},
      /"a=\\u001b\[2J" from ExecStart in \/etc\/systemd\/system\/docker\.service\.d\/x\.conf line 3 contains an escape \(U\+001B\)/,
    ],
  ])('refuses a control character in %s: exit 3, naming where it is', async (_name, owner, files, message) => {
    const fs = await debianTree(files)
    const before = await inspectEffective(fs, {dockerdVersion: V})
    expect(before.conflicts.length).toBeGreaterThan(0)
    const error = await planFix(fs, before, owner, `dockcfg fix --prefer ${owner}`).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(InvalidConfigError)
    expect((error as InvalidConfigError).exitCode).toBe(3)
    expect((error as Error).message).toMatch(message)
  })
})
