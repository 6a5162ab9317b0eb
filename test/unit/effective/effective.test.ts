import {describe, expect, it} from 'vitest'

import {describeOrigin, inspectEffective, type Setting} from '../../../src/effective/effective.js'
import {DAEMON_JSON, DROPIN_DIR, VENDOR_PATH, debianTree, fixture, tree} from './helpers.js'

const V = '20.10.24'

function setting(settings: readonly Setting[], key: string): Setting {
  const s = settings.find((x) => x.key === key)
  if (s === undefined) throw new Error(`no setting ${key}`)
  return s
}

describe('inspectEffective: settings and their origins', () => {
  it('EnvironmentFile= variables: each flag names the unit line, the variable and the env-file line', async () => {
    // /etc/default/docker line 7: DOCKER_OPTS="--iptables=false --bip=192.168.112.1/24 --dns=... --exec-opt native.cgroupdriver=cgroupfs"
    const fs = await debianTree({'/etc/default/docker': await fixture('envfiles/etc-default-docker-bip-dns-search-memes'), [DAEMON_JSON]: '{\n  "log-level": "warn"\n}\n'})
    const e = await inspectEffective(fs, {dockerdVersion: V})
    const viaEnv = {kind: 'flag', file: VENDOR_PATH, line: 14, viaVariable: 'DOCKER_OPTS', variableFile: '/etc/default/docker', variableLine: 7}
    expect(setting(e.settings, 'iptables')).toEqual({key: 'iptables', value: false, origin: {...viaEnv, flag: '--iptables'}})
    expect(setting(e.settings, 'bip')).toEqual({key: 'bip', value: '192.168.112.1/24', origin: {...viaEnv, flag: '--bip'}})
    expect(setting(e.settings, 'dns')).toEqual({key: 'dns', value: ['192.168.112.1'], origin: {...viaEnv, flag: '--dns'}})
    expect(setting(e.settings, 'exec-opts')).toEqual({key: 'exec-opts', value: ['native.cgroupdriver=cgroupfs'], origin: {...viaEnv, flag: '--exec-opt'}})
    // Words written in the unit itself carry no variable.
    expect(setting(e.settings, 'hosts')).toEqual({key: 'hosts', value: ['fd://'], origin: {kind: 'flag', flag: '--host', file: VENDOR_PATH, line: 14}})
    expect(setting(e.settings, 'log-level')).toEqual({key: 'log-level', value: 'warn', origin: {kind: 'file', file: DAEMON_JSON, line: 2}})
    expect(setting(e.settings, 'mtu')).toEqual({key: 'mtu', value: 1500, origin: {kind: 'default'}})
    expect(e.conflicts).toEqual([])
    expect(e.findings.filter((f) => f.severity === 'error')).toEqual([])
    expect(describeOrigin(setting(e.settings, 'bip').origin)).toBe('--bip in ExecStart (/lib/systemd/system/docker.service line 14) via $DOCKER_OPTS (/etc/default/docker line 7)')
    expect(e.hosts).toEqual(['fd://'])
    expect(e.socket).toBe('/var/run/docker.sock')
  })

  it('Environment= in a drop-in: the variable file is the drop-in; a list built in two places names both', async () => {
    const dropin = `${DROPIN_DIR}/20-docker-env-docker-opts-hosts-xingjiudong.conf`
    const fs = await debianTree({[dropin]: await fixture('dropins/20-docker-env-docker-opts-hosts-xingjiudong.conf')})
    const e = await inspectEffective(fs, {dockerdVersion: V})
    const viaEnv = {kind: 'flag', file: VENDOR_PATH, line: 14, viaVariable: 'DOCKER_OPTS', variableFile: dropin, variableLine: 3}
    expect(setting(e.settings, 'labels')).toEqual({key: 'labels', value: ['volume.driver=rbd'], origin: {...viaEnv, flag: '--label'}})
    expect(setting(e.settings, 'registry-mirrors').value).toEqual(['https://registry.docker-cn.com'])
    expect(setting(e.settings, 'hosts')).toEqual({
      key: 'hosts',
      value: ['fd://', 'tcp://0.0.0.0:2375'],
      origin: {kind: 'flag', flag: '--host', file: VENDOR_PATH, line: 14},
      moreOrigins: [{...viaEnv, flag: '--host'}],
    })
    expect(e.hosts).toEqual(['fd://', 'tcp://0.0.0.0:2375'])
  })

  it('flag values become daemon.json-shaped values without inventing splits (--dns a,b is one entry)', async () => {
    const fs = await debianTree({
      '/etc/default/docker': 'DOCKER_OPTS="--dns 1.1.1.1,8.8.8.8 --log-opt max-size=10m --log-opt max-file=3 --default-ulimit nofile=1024 --mtu=0x5aa --iptables=0"\n',
    })
    const e = await inspectEffective(fs, {dockerdVersion: V})
    expect(setting(e.settings, 'dns').value).toEqual(['1.1.1.1,8.8.8.8'])
    expect(setting(e.settings, 'log-opts').value).toEqual({'max-size': '10m', 'max-file': '3'})
    expect(setting(e.settings, 'default-ulimits').value).toEqual({nofile: {Name: 'nofile', Soft: 1024, Hard: 1024}})
    expect(setting(e.settings, 'mtu').value).toBe(1450)
    expect(setting(e.settings, 'iptables').value).toBe(false)
  })

  it('a conflict names both origins, file and line on each side', async () => {
    const fs = await debianTree({[DAEMON_JSON]: '{\n  "debug": true,\n  "hosts": ["tcp://127.0.0.1:2375"]\n}\n'})
    const e = await inspectEffective(fs, {dockerdVersion: V})
    expect(e.conflicts).toEqual([
      {
        key: 'hosts',
        flag: '-H/--host',
        flagValues: ['fd://'],
        fileValue: ['tcp://127.0.0.1:2375'],
        flagIndexes: [1],
        message: 'the following directives are specified both as a flag and in the configuration file: hosts: (from flag: [fd://], from file: [tcp://127.0.0.1:2375])',
        flagOrigins: [{kind: 'flag', flag: '--host', file: VENDOR_PATH, line: 14}],
        fileOrigin: {kind: 'file', file: DAEMON_JSON, line: 3},
      },
    ])
    expect(setting(e.settings, 'hosts')).toEqual({
      key: 'hosts',
      value: ['tcp://127.0.0.1:2375'],
      origin: {kind: 'file', file: DAEMON_JSON, line: 3},
      alsoSetBy: [{kind: 'flag', flag: '--host', file: VENDOR_PATH, line: 14}],
    })
    const finding = e.findings.find((f) => f.code === 'flag-file-conflict')
    expect(finding).toMatchObject({severity: 'error', key: 'hosts', file: DAEMON_JSON, line: 3})
    expect(finding?.message).toBe(
      'dockerd refuses to start: unable to configure the Docker daemon with file /etc/docker/daemon.json: the following directives are specified both as a flag and in the configuration file: hosts: (from flag: [fd://], from file: [tcp://127.0.0.1:2375]) (hosts: --host in ExecStart (/lib/systemd/system/docker.service line 14) and /etc/docker/daemon.json line 3)',
    )
  })

  it('an undecodable daemon.json reports its parse error, and no conflicts are guessed', async () => {
    const fs = await tree({
      [`${DROPIN_DIR}/override.conf`]: await fixture('dropins/self-dockermachine-CONFLICT-hosts-flag-and-json.conf'),
      [VENDOR_PATH]: await fixture('vendor/debian-12-docker.io-docker.service'),
      [DAEMON_JSON]: await fixture('daemon-json/self-dockermachine-BROKEN-terminal-paste-hosts.json'),
    })
    const e = await inspectEffective(fs, {dockerdVersion: V})
    expect(e.daemonJson.parsed.decodable).toBe(false)
    expect(e.conflicts).toEqual([])
    expect(e.findings.some((f) => f.severity === 'error' && f.file === DAEMON_JSON)).toBe(true)
  })
})

describe('inspectEffective: start-fatal combinations across daemon.json and the command line', () => {
  it('bip in daemon.json with -b on the command line', async () => {
    const fs = await debianTree({
      [`${DROPIN_DIR}/bridge.conf`]: '[Service]\nEnvironment=DOCKER_OPTS=-b=br0\n',
      [DAEMON_JSON]: '{"bip": "10.20.0.1/24"}\n',
    })
    const e = await inspectEffective(fs, {dockerdVersion: V})
    const f = e.findings.filter((x) => x.code === 'bip-with-bridge')
    expect(f).toHaveLength(1)
    expect(f[0]).toMatchObject({severity: 'error', checkedAt: 'start'})
    expect(f[0]?.message).toBe(
      'bip (/etc/docker/daemon.json line 1) and bridge (--bridge in ExecStart (/lib/systemd/system/docker.service line 14) via $DOCKER_OPTS (/etc/systemd/system/docker.service.d/bridge.conf line 2)) together: dockerd refuses to start ("You specified -b & --bip, mutually exclusive options")',
    )
  })

  it('"icc": false with --iptables=false', async () => {
    const fs = await debianTree({'/etc/default/docker': 'DOCKER_OPTS="--iptables=false"\n', [DAEMON_JSON]: '{\n  "icc": false\n}\n'})
    const e = await inspectEffective(fs, {dockerdVersion: V})
    expect(e.findings.filter((x) => x.code === 'icc-without-iptables').map((x) => x.message)).toEqual([
      'icc=false (/etc/docker/daemon.json line 2) needs iptables, which is off (--iptables in ExecStart (/lib/systemd/system/docker.service line 14) via $DOCKER_OPTS (/etc/default/docker line 1)): dockerd refuses to start',
    ])
  })

  it('--iptables=false alone, or icc=true, is fine', async () => {
    const a = await inspectEffective(await debianTree({'/etc/default/docker': 'DOCKER_OPTS="--iptables=false"\n'}), {dockerdVersion: V})
    const b = await inspectEffective(await debianTree({'/etc/default/docker': 'DOCKER_OPTS="--iptables=false"\n', [DAEMON_JSON]: '{"icc": true}'}), {dockerdVersion: V})
    for (const e of [a, b]) expect(e.findings.filter((f) => f.severity === 'error')).toEqual([])
  })
})

describe('inspectEffective: command-line problems', () => {
  it('an invalid flag value (unset ${FLANNEL_MTU}) is an error at its unit line', async () => {
    const fs = await debianTree({[`${DROPIN_DIR}/mtu.conf`]: '[Service]\nExecStart=\nExecStart=/usr/bin/dockerd --mtu=${FLANNEL_MTU}\n'})
    const e = await inspectEffective(fs, {dockerdVersion: V})
    expect(e.findings.filter((f) => f.code === 'invalid-flag-value')).toEqual([
      {
        code: 'invalid-flag-value',
        severity: 'error',
        message: 'invalid argument "" for --mtu: not an integer (strconv.ParseInt), so dockerd refuses to start',
        file: `${DROPIN_DIR}/mtu.conf`,
        line: 3,
      },
    ])
  })

  it('an sh -c wrapper the systemd model can read is seen through; an opaque program is a warning, not a guess', async () => {
    const json = {[DAEMON_JSON]: '{"hosts": ["unix:///x.sock"]}'}
    const sh = await debianTree({...json, [`${DROPIN_DIR}/sh.conf`]: "[Service]\nExecStart=\nExecStart=/bin/sh -c 'exec /usr/bin/dockerd -H fd:// 2>&1 | logger'\n"})
    const seen = await inspectEffective(sh, {dockerdVersion: V})
    expect(seen.service.wrapper?.kind).toBe('shell')
    expect(seen.argv).toEqual(['/usr/bin/dockerd', '-H', 'fd://'])
    expect(seen.conflicts.map((c) => c.key)).toEqual(['hosts'])

    const opaque = await debianTree({...json, [`${DROPIN_DIR}/w.conf`]: '[Service]\nExecStart=\nExecStart=/usr/local/bin/start-docker --fast\n'})
    const e = await inspectEffective(opaque, {dockerdVersion: V})
    expect(e.commandLine?.form).toBe('unrecognised')
    expect(e.conflicts).toEqual([])
    expect(e.findings.filter((f) => f.code === 'command-line')).toEqual([
      {
        code: 'command-line',
        severity: 'warning',
        message: 'ExecStart runs "/usr/local/bin/start-docker", not dockerd: dockcfg cannot see which options it passes to dockerd, so flag conflicts there go undetected',
        file: `${DROPIN_DIR}/w.conf`,
      },
    ])
  })

  it('--config-file on the command line wins, and a missing one is fatal', async () => {
    const dropin = {[`${DROPIN_DIR}/cfg.conf`]: '[Service]\nExecStart=\nExecStart=/usr/sbin/dockerd --config-file=/etc/docker/custom.json\n'}
    const missing = await inspectEffective(await debianTree(dropin), {configFile: DAEMON_JSON, dockerdVersion: V})
    expect(missing.configFile).toBe('/etc/docker/custom.json')
    expect(missing.configFileFromFlag).toBe(true)
    expect(missing.findings.filter((f) => f.code === 'config-file-missing').map((f) => [f.file, f.line])).toEqual([[`${DROPIN_DIR}/cfg.conf`, 3]])
    const present = await inspectEffective(await debianTree({...dropin, '/etc/docker/custom.json': '{"debug": true}'}), {dockerdVersion: V})
    expect(setting(present.settings, 'debug').origin).toEqual({kind: 'file', file: '/etc/docker/custom.json', line: 1})
  })

  it('hosts and the local socket: the first unix:// listener, else the standard socket', async () => {
    const custom = await debianTree({
      [DAEMON_JSON]: '{}',
      [`${DROPIN_DIR}/h.conf`]: '[Service]\nExecStart=\nExecStart=/usr/sbin/dockerd -H tcp://0.0.0.0:2375 -H unix:///run/custom.sock\n',
    })
    const e = await inspectEffective(custom, {dockerdVersion: V})
    expect(e.hosts).toEqual(['tcp://0.0.0.0:2375', 'unix:///run/custom.sock'])
    expect(e.socket).toBe('/run/custom.sock')
    const none = await inspectEffective(await debianTree({[`${DROPIN_DIR}/h.conf`]: '[Service]\nExecStart=\nExecStart=/usr/sbin/dockerd\n'}), {dockerdVersion: V})
    expect(none.hosts).toEqual(['unix:///var/run/docker.sock'])
  })
})

describe('inspectEffective: command-line values meet the same rules as daemon.json', () => {
  const dropIn = (args: string) => ({[`${DROPIN_DIR}/flags.conf`]: `[Service]\nExecStart=\nExecStart=/usr/sbin/dockerd ${args}\n`})
  const errors = async (files: Record<string, string>) =>
    (await inspectEffective(await debianTree(files), {dockerdVersion: V})).findings
      .filter((f) => f.severity === 'error')
      .map((f) => ({code: f.code, file: f.file, line: f.line, message: f.message}))

  it('a network address as --bip is refused at its drop-in line, naming the flag', async () => {
    expect(await errors(dropIn('-H fd:// --bip=10.0.0.0/24'))).toEqual([
      expect.objectContaining({
        code: 'bip-not-host-address',
        file: `${DROPIN_DIR}/flags.conf`,
        line: 3,
        message: expect.stringMatching(/on the command line: --bip in ExecStart/) as unknown,
      }),
    ])
  })

  it('one --dns with two addresses is one invalid entry, as dockerd reads it', async () => {
    expect((await errors(dropIn('--dns 1.1.1.1,8.8.8.8'))).map((f) => f.code)).toEqual(['dns-invalid'])
  })

  it('a daemon.json key that a flag makes wrong is reported in the file, naming the flag', async () => {
    const found = await errors({...dropIn('--bip 10.0.0.1/24'), [DAEMON_JSON]: '{\n  "fixed-cidr": "192.168.0.0/24"\n}\n'})
    expect(found).toEqual([
      expect.objectContaining({code: 'fixed-cidr-outside-bip', file: DAEMON_JSON, line: 2, message: expect.stringMatching(/together with the command line: --bip/) as unknown}),
    ])
  })

  it('an empty --bip= is "not set" to dockerd, not an invalid value', async () => {
    expect(await errors(dropIn('--bip= --fixed-cidr='))).toEqual([])
  })

  it('one problem across the file and the command line is reported once', async () => {
    const found = await errors({...dropIn('-H fd:// --iptables=false --log-level warn'), [DAEMON_JSON]: '{"icc": false}\n'})
    expect(found.map((f) => f.code)).toEqual(['icc-without-iptables'])
  })

  it('a repeated flag given in several places names every place', async () => {
    const found = await errors({
      ...dropIn('--dns 1.1.1.1 $DOCKER_OPTS'),
      [`${DROPIN_DIR}/env.conf`]: '[Service]\nEnvironmentFile=-/etc/default/docker\n',
      '/etc/default/docker': 'DOCKER_OPTS="--dns bogus"\n',
    })
    expect(found).toEqual([
      expect.objectContaining({
        code: 'dns-invalid',
        message: expect.stringMatching(/--dns in ExecStart \([^)]*\); --dns in ExecStart \([^)]*\) via \$DOCKER_OPTS \(\/etc\/default\/docker line 1\)/) as unknown,
      }),
    ])
  })

  it('stays quiet on sound command lines, including runtimes defined by flags', async () => {
    expect(await errors({})).toEqual([])
    expect(await errors(dropIn('-H fd:// --containerd=/run/containerd/containerd.sock --mtu 1400 --dns 8.8.8.8 --log-opt max-size=10m'))).toEqual([])
    expect(await errors(dropIn('--add-runtime crun=/usr/bin/crun --default-runtime crun'))).toEqual([])
  })
})

describe('inspectEffective: OpenRC hosts', () => {
  it('reads DOCKER_OPTS from /etc/conf.d/docker when there is no docker.service', async () => {
    const fs = await tree({
      '/etc/init.d/docker': await fixture('openrc/alpine-aports-docker.initd'),
      '/etc/conf.d/docker': '# conf\nDOCKER_OPTS="-H tcp://0.0.0.0:2375 --debug"\n',
      [DAEMON_JSON]: '{"hosts": ["unix:///var/run/docker.sock"]}\n',
    })
    const e = await inspectEffective(fs, {dockerdVersion: V})
    expect(e.openrc?.path).toBe('/etc/conf.d/docker')
    expect(e.argv).toEqual(['/usr/bin/dockerd', '-H', 'tcp://0.0.0.0:2375', '--debug'])
    const inOpts = {kind: 'flag', file: '/etc/conf.d/docker', line: 2, viaVariable: 'DOCKER_OPTS', variableFile: '/etc/conf.d/docker', variableLine: 2}
    expect(e.conflicts.map((c) => [c.key, c.flagOrigins])).toEqual([['hosts', [{...inOpts, flag: '--host'}]]])
    expect(setting(e.settings, 'debug').origin).toEqual({...inOpts, flag: '--debug'})
    expect(describeOrigin(setting(e.settings, 'debug').origin)).toBe('--debug in $DOCKER_OPTS (/etc/conf.d/docker line 2)')
    expect(e.findings.map((f) => f.code)).toContain('openrc')
    expect(e.findings.map((f) => f.code)).not.toContain('no-systemd-unit')
  })

  it('a tree with neither init system checks daemon.json alone', async () => {
    const e = await inspectEffective(await tree({[DAEMON_JSON]: '{"debug": true}'}), {dockerdVersion: V})
    expect(e.argv).toBeNull()
    expect(e.openrc).toBeUndefined()
    expect(e.findings.map((f) => f.code)).toEqual(['no-systemd-unit'])
  })
})
