import {describe, expect, it} from 'vitest'

import {conflictKeyOf, parseDockerdArgv} from '../../../src/dockerd/argv.js'

/** [name, value, index, span] of every parsed flag: compact enough for table rows. */
function flags(argv: string[], version = '29.7.2'): Array<[string, string, number, number]> {
  return parseDockerdArgv(argv, version).flags.map((f) => [f.name, f.value, f.index, f.span])
}

const D = '/usr/bin/dockerd'

describe('parseDockerdArgv: pflag value forms', () => {
  it.each<[string, string[], Array<[string, string, number, number]>]>([
    ['--flag=value', [D, '--bip=10.1.0.1/24'], [['bip', '10.1.0.1/24', 1, 1]]],
    ['--flag value', [D, '--bip', '10.1.0.1/24'], [['bip', '10.1.0.1/24', 1, 2]]],
    ['--flag= (empty value is a value)', [D, '--bip='], [['bip', '', 1, 1]]],
    ['-H value', [D, '-H', 'fd://'], [['host', 'fd://', 1, 2]]],
    ['-H=value', [D, '-H=fd://'], [['host', 'fd://', 1, 1]]],
    ['-Hvalue', [D, '-Hunix:///run/d.sock'], [['host', 'unix:///run/d.sock', 1, 1]]],
    ['--host=value (long name of -H)', [D, '--host=fd://'], [['host', 'fd://', 1, 1]]],
    [
      'repeatable flags keep every occurrence in order',
      [D, '-H', 'fd://', '--host=tcp://0.0.0.0:2375', '-Hunix:///x'],
      [
        ['host', 'fd://', 1, 2],
        ['host', 'tcp://0.0.0.0:2375', 3, 1],
        ['host', 'unix:///x', 4, 1],
      ],
    ],
    ['a value flag swallows the next word even when it looks like a flag (pflag)', [D, '--log-level', '--debug'], [['log-level', '--debug', 1, 2]]],
    ['--label k=v keeps the = inside the value', [D, '--label=env=prod=1'], [['label', 'env=prod=1', 1, 1]]],
  ])('%s', (_name, argv, expected) => {
    const parsed = parseDockerdArgv(argv, '29.7.2')
    expect(parsed.form).toBe('dockerd')
    expect(parsed.unknown).toEqual([])
    expect(parsed.invalid).toEqual([])
    expect(flags(argv)).toEqual(expected)
  })
})

describe('parseDockerdArgv: booleans', () => {
  it.each<[string[], string]>([
    [[D, '--iptables=false'], 'false'],
    [[D, '--iptables=true'], 'true'],
    [[D, '--iptables'], 'true'],
    // strconv.ParseBool spellings are normalised to what dockerd holds (and prints in conflicts).
    [[D, '--iptables=0'], 'false'],
    [[D, '--iptables=F'], 'false'],
    [[D, '--iptables=FALSE'], 'false'],
    [[D, '--iptables=1'], 'true'],
    [[D, '--iptables=True'], 'true'],
  ])('%j -> iptables %s', (argv, value) => {
    expect(flags(argv)).toEqual([['iptables', value, 1, 1]])
  })

  it('-D, -D=false and --debug=false', () => {
    expect(flags([D, '-D'])).toEqual([['debug', 'true', 1, 1]])
    expect(flags([D, '-D=false'])).toEqual([['debug', 'false', 1, 1]])
    expect(flags([D, '--debug=false'])).toEqual([['debug', 'false', 1, 1]])
  })

  it('a boolean never takes the next word: `--debug false` leaves "false" as a rejected positional word', () => {
    const parsed = parseDockerdArgv([D, '--debug', 'false'], '29.7.2')
    expect(flags([D, '--debug', 'false'])).toEqual([['debug', 'true', 1, 1]])
    expect(parsed.unknown).toEqual([{word: 'false', index: 2}])
  })

  it('a value Go cannot parse as a boolean is invalid, not silently true', () => {
    const parsed = parseDockerdArgv([D, '--debug=maybe', '--tls=yes'], '29.7.2')
    expect(parsed.flags).toEqual([])
    expect(parsed.invalid.map((i) => [i.word, i.index])).toEqual([
      ['--debug=maybe', 1],
      ['--tls=yes', 2],
    ])
    expect(parsed.invalid[0]?.message).toMatch(/invalid argument "maybe" for --debug: not a boolean/)
  })

  it('integers are checked the way strconv.ParseInt(s, 0, 64) reads them', () => {
    expect(parseDockerdArgv([D, '--mtu=1450'], '29.7.2').invalid).toEqual([])
    expect(parseDockerdArgv([D, '--mtu=0x5aa'], '29.7.2').invalid).toEqual([])
    // The flannel unit's `--mtu=${FLANNEL_MTU}` with the variable unset.
    const empty = parseDockerdArgv([D, '--mtu='], '29.7.2')
    expect(empty.flags).toEqual([])
    expect(empty.invalid).toEqual([{word: '--mtu=', index: 1, message: expect.stringMatching(/invalid argument "" for --mtu: not an integer/) as unknown}])
    expect(parseDockerdArgv([D, '--mtu', '15OO'], '29.7.2').invalid.map((i) => i.word)).toEqual(['--mtu'])
    // Go's literal syntax allows digit separators; a bare base prefix is no number.
    expect(parseDockerdArgv([D, '--mtu=1_450'], '29.7.2').invalid).toEqual([])
    expect(parseDockerdArgv([D, '--mtu=0o'], '29.7.2').invalid.map((i) => i.word)).toEqual(['--mtu=0o'])
    expect(parseDockerdArgv([D, '--mtu=08'], '29.7.2').invalid.map((i) => i.word)).toEqual(['--mtu=08'])
  })
})

describe('parseDockerdArgv: shorthand clusters', () => {
  it.each<[string, string[], Array<[string, string, number, number]>]>([
    [
      '-Dl debug: boolean D, then l takes the next word',
      [D, '-Dl', 'debug'],
      [
        ['debug', 'true', 1, 1],
        ['log-level', 'debug', 1, 2],
      ],
    ],
    [
      '-DH fd://',
      [D, '-DH', 'fd://'],
      [
        ['debug', 'true', 1, 1],
        ['host', 'fd://', 1, 2],
      ],
    ],
    [
      '-DHfd:// (value glued after the cluster)',
      [D, '-DHfd://'],
      [
        ['debug', 'true', 1, 1],
        ['host', 'fd://', 1, 1],
      ],
    ],
    [
      '-Dlinfo',
      [D, '-Dlinfo'],
      [
        ['debug', 'true', 1, 1],
        ['log-level', 'info', 1, 1],
      ],
    ],
    ['-Gdocker (group)', [D, '-Gdocker'], [['group', 'docker', 1, 1]]],
    ['-b none (bridge)', [D, '-b', 'none'], [['bridge', 'none', 1, 2]]],
    ['-s overlay2 (storage-driver)', [D, '-s', 'overlay2'], [['storage-driver', 'overlay2', 1, 2]]],
    ['-p /run/d.pid (pidfile)', [D, '-p', '/run/d.pid'], [['pidfile', '/run/d.pid', 1, 2]]],
  ])('%s', (_name, argv, expected) => {
    const parsed = parseDockerdArgv(argv, '29.7.2')
    expect(parsed.unknown).toEqual([])
    expect(flags(argv)).toEqual(expected)
  })

  it('an unknown letter in a cluster rejects the word (pflag: unknown shorthand flag)', () => {
    const parsed = parseDockerdArgv([D, '-Dx'], '29.7.2')
    expect(parsed.unknown).toEqual([{word: '-Dx', index: 1}])
  })

  it('single-dash long names are shorthand clusters, so -debug is unknown', () => {
    expect(parseDockerdArgv([D, '-debug'], '29.7.2').unknown).toEqual([{word: '-debug', index: 1}])
  })
})

describe('parseDockerdArgv: unknown flags, stray words, missing values', () => {
  it('unknown long flags, wrong case, and positional words are all rejected words', () => {
    const parsed = parseDockerdArgv([D, '--bogus', '--Debug', 'stray', '-'], '29.7.2')
    expect(parsed.unknown).toEqual([
      {word: '--bogus', index: 1},
      {word: '--Debug', index: 2},
      {word: 'stray', index: 3},
      {word: '-', index: 4},
    ])
    expect(parsed.flags).toEqual([])
  })

  it('--- and --=x are bad flag syntax', () => {
    expect(parseDockerdArgv([D, '---x', '--=x'], '29.7.2').unknown.map((u) => u.word)).toEqual(['---x', '--=x'])
  })

  it('everything after -- is a positional word', () => {
    const parsed = parseDockerdArgv([D, '-D', '--', '-H', 'fd://'], '29.7.2')
    expect(flags([D, '-D', '--', '-H', 'fd://'])).toEqual([['debug', 'true', 1, 1]])
    expect(parsed.unknown).toEqual([
      {word: '-H', index: 3},
      {word: 'fd://', index: 4},
    ])
  })

  it.each([[[D, '--bip']], [[D, '-H']], [[D, '-DH']]])('%j: a value flag at the end has no value', (argv) => {
    const parsed = parseDockerdArgv(argv, '29.7.2')
    expect(parsed.unknown).toEqual([{word: argv[1], index: 1}])
    expect(parsed.warnings).toEqual([`${argv[1]} at the end of the command line has no value: dockerd refuses to start ("flag needs an argument")`])
  })

  it('flags outside the dockerd version are unknown to it, with a reason', () => {
    const new29 = parseDockerdArgv([D, '--graph=/x', '-g', '/y'], '29.7.2')
    expect(new29.flags).toEqual([])
    expect(new29.unknown.map((u) => u.word)).toEqual(['--graph=/x', '-g', '/y'])
    expect(new29.warnings).toContain('dockerd 29.7.2 has no --graph (removed in 24.0.0)')
    expect(flags([D, '--graph=/x'], '20.10.24')).toEqual([['graph', '/x', 1, 1]])

    expect(parseDockerdArgv([D, '--validate'], '20.10.24').unknown).toEqual([{word: '--validate', index: 1}])
    expect(flags([D, '--validate'], '23.0.0')).toEqual([['validate', 'true', 1, 1]])
  })

  it('without a dockerd version nothing is gated (old units are not called fatal on a guess)', () => {
    const parsed = parseDockerdArgv([D, '--graph=/x'])
    expect(parsed.unknown).toEqual([])
    expect(parsed.flags.map((f) => f.name)).toEqual(['graph'])
  })
})

describe('parseDockerdArgv: registry rows and conflict names', () => {
  it('ties flags to their daemon.json key and dockerd conflict name', () => {
    const parsed = parseDockerdArgv(
      [D, '-H', 'fd://', '--label=a=b', '--log-opt', 'max-size=1m', '--dns=1.1.1.1', '-D', '--config-file=/etc/d.json', '--add-runtime', 'crun=/usr/bin/crun'],
      '29.7.2',
    )
    expect(parsed.flags.map((f) => [f.name, f.option?.key, conflictKeyOf(f, '29.7.2')])).toEqual([
      ['host', 'hosts', 'hosts'],
      ['label', 'labels', 'labels'],
      ['log-opt', 'log-opts', 'log-opts'],
      ['dns', 'dns', 'dns'],
      ['debug', 'debug', 'debug'],
      // Flag-only switches have no key but still a name dockerd compares.
      ['config-file', undefined, 'config-file'],
      ['add-runtime', 'runtimes', 'runtimes'],
    ])
  })
})

describe('parseDockerdArgv: program forms', () => {
  it('dockerd at any path, and dockerd-current (RHEL), is plain dockerd', () => {
    for (const program of ['/usr/bin/dockerd', '/usr/sbin/dockerd', 'dockerd', '/usr/bin/dockerd-current']) {
      const parsed = parseDockerdArgv([program, '-H', 'fd://'], '20.10.24')
      expect(parsed).toMatchObject({form: 'dockerd', argsStart: 1, warnings: []})
      expect(parsed.flags.map((f) => f.value)).toEqual(['fd://'])
    }
  })

  it('docker daemon (1.8 - 17.09) and docker-current daemon (RHEL)', () => {
    for (const program of ['/usr/bin/docker', '/usr/bin/docker-current']) {
      const parsed = parseDockerdArgv([program, 'daemon', '-H', 'fd://', '--exec-opt', 'native.cgroupdriver=systemd'], '20.10.24')
      expect(parsed.form).toBe('docker daemon')
      expect(parsed.argsStart).toBe(2)
      expect(parsed.unknown).toEqual([])
      expect(parsed.flags.map((f) => [f.name, f.value, f.index])).toEqual([
        ['host', 'fd://', 2],
        ['exec-opt', 'native.cgroupdriver=systemd', 4],
      ])
      expect(parsed.warnings[0]).toMatch(/daemon is the pre-dockerd form \(removed in Docker 17\.12\)/)
    }
  })

  it('docker -d / docker --daemon (before 1.8), the switch anywhere', () => {
    const a = parseDockerdArgv(['/usr/bin/docker', '-d', '-H', 'fd://'], '20.10.24')
    expect(a.form).toBe('docker -d')
    expect(a.flags.map((f) => [f.name, f.value, f.index])).toEqual([['host', 'fd://', 2]])
    expect(a.unknown).toEqual([])
    const b = parseDockerdArgv(['/usr/bin/docker', '-H', 'fd://', '--daemon'], '20.10.24')
    expect(b.form).toBe('docker -d')
    expect(b.unknown).toEqual([])
    expect(b.flags.map((f) => f.name)).toEqual(['host'])
  })

  it("CoreOS's /usr/lib/coreos/dockerd wrapper given --daemon is the old form, not an unknown flag", () => {
    const parsed = parseDockerdArgv(['/usr/lib/coreos/dockerd', '--daemon', '--host=fd://', '--insecure-registry=0.0.0.0/0'], '20.10.24')
    expect(parsed.form).toBe('docker -d')
    expect(parsed.unknown).toEqual([])
    expect(parsed.flags.map((f) => f.name)).toEqual(['host', 'insecure-registry'])
    expect(parsed.warnings[0]).toMatch(/wrapper script given the old --daemon switch/)
  })

  it('real dockerd given --daemon rejects it', () => {
    expect(parseDockerdArgv(['/usr/bin/dockerd', '--daemon'], '20.10.24').unknown).toEqual([{word: '--daemon', index: 1}])
  })

  it('the docker client without daemon/-d (the corpus `docker deamon` typo) starts no daemon', () => {
    const parsed = parseDockerdArgv(['/usr/bin/docker', 'deamon', '-H', 'fd://'], '20.10.24')
    expect(parsed.form).toBe('unrecognised')
    expect(parsed.flags).toEqual([])
    expect(parsed.warnings).toEqual(['ExecStart runs the docker client "/usr/bin/docker" with "deamon", which is neither `docker daemon` nor `docker -d`: no daemon is started'])
  })

  it('an uninterpretable wrapper gets a clear warning, not a guess', () => {
    const parsed = parseDockerdArgv(['/bin/sh', '-c', 'exec dockerd -H fd:// 2>&1 | logger'], '29.7.2')
    expect(parsed).toEqual({
      form: 'unrecognised',
      argsStart: 1,
      flags: [],
      unknown: [],
      invalid: [],
      warnings: ['ExecStart runs "/bin/sh", not dockerd: dockcfg cannot see which options it passes to dockerd, so flag conflicts there go undetected'],
    })
  })

  it('an empty argv is unrecognised, not a crash', () => {
    expect(parseDockerdArgv([], '29.7.2').form).toBe('unrecognised')
  })
})
