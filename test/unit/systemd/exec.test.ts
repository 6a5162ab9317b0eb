import {describe, expect, it} from 'vitest'

import {expandArgv, parseExecValue, type VariableSource} from '../../../src/systemd/exec.js'
import {splitWords} from '../../../src/systemd/extract-word.js'
import {expandSpecifiers} from '../../../src/systemd/specifiers.js'

const ctx = {unitName: 'docker.service'}

function words(rvalue: string): string[] {
  const r = parseExecValue(rvalue, ctx)
  if (r.kind !== 'commands') throw new Error(`${r.kind}: ${'message' in r ? r.message : ''}`)
  return r.commands[0]?.argv ?? []
}

function env(vars: Record<string, string>): Map<string, VariableSource> {
  return new Map(Object.entries(vars).map(([k, v]) => [k, {value: v}]))
}

function run(rvalue: string, vars: Record<string, string> = {}): string[] {
  return expandArgv(words(rvalue), env(vars)).argv.map((w) => w.value)
}

describe('ExecStart tokenisation (config_parse_exec + extract_first_word)', () => {
  it.each([
    ['/usr/bin/dockerd -H fd://', ['/usr/bin/dockerd', '-H', 'fd://']],
    ['/bin/echo "a b" \'c d\'', ['/bin/echo', 'a b', 'c d']],
    ['/bin/echo --opt="a b"', ['/bin/echo', '--opt=a b']],
    ['/bin/echo \'a "b" c\'', ['/bin/echo', 'a "b" c']],
    ['/bin/echo "it\'s"', ['/bin/echo', "it's"]],
    // `\ ` is no C escape: systemd warns and keeps the backslash.
    ['/bin/echo a\\ b', ['/bin/echo', 'a\\ b']],
    ['/bin/echo "\\x41\\101\\u00e9\\s\\t"', ['/bin/echo', 'AAé \t']],
    ["/bin/echo '\\n'", ['/bin/echo', '\n']],
    ['/bin/echo ""', ['/bin/echo', '']],
    ['/bin/echo \\d', ['/bin/echo', '\\d']],
    ['/bin/echo a \\; b', ['/bin/echo', 'a', ';', 'b']],
    ['/bin/echo "%%" %n %N %p %i %t %%t', ['/bin/echo', '%', 'docker.service', 'docker', 'docker', '', '/run', '%t']],
    ['/bin/echo 100%', ['/bin/echo', '100%']],
    ['/usr/bin/dockerd    --trailing   ', ['/usr/bin/dockerd', '--trailing']],
  ])('%s', (rvalue, expected) => {
    expect(words(rvalue)).toEqual(expected)
  })

  it('reads prefixes and keeps them off the path', () => {
    const r = parseExecValue('-@:/usr/bin/dockerd dockerd-argv0 -D', ctx)
    expect(r.kind).toBe('commands')
    if (r.kind !== 'commands') return
    expect(r.commands[0]).toMatchObject({path: '/usr/bin/dockerd', argv: ['dockerd-argv0', '-D'], prefixes: '-@:'})
    expect(r.commands[0]?.flags).toMatchObject({ignoreFailure: true, separateArgv0: true, noEnvExpand: true})
    const bang = parseExecValue('!!/usr/bin/dockerd', ctx)
    expect(bang.kind === 'commands' && bang.commands[0]?.flags.ambientMagic).toBe(true)
    const plus = parseExecValue('+/usr/bin/dockerd', ctx)
    expect(plus.kind === 'commands' && plus.commands[0]?.flags.fullyPrivileged).toBe(true)
  })

  it('splits commands at a lone ;', () => {
    const r = parseExecValue('/bin/a 1 ; /bin/b 2', ctx)
    expect(r.kind === 'commands' && r.commands.map((c) => c.argv)).toEqual([
      ['/bin/a', '1'],
      ['/bin/b', '2'],
    ])
  })

  it('treats an empty value as a reset', () => {
    expect(parseExecValue('', ctx).kind).toBe('reset')
  })

  it('refuses unbalanced quoting, unknown specifiers and empty paths (bad setting)', () => {
    expect(parseExecValue('/bin/echo "open', ctx).kind).toBe('error')
    expect(parseExecValue('/bin/echo %z', ctx).kind).toBe('error')
    expect(parseExecValue('@/bin/echo', ctx).kind).toBe('error')
    expect(parseExecValue('-', ctx).kind).toBe('ignored')
    expect(parseExecValue('/usr/bin/', ctx).kind).toBe('error')
  })

  it('accepts a relative executable name (looked up in PATH by systemd)', () => {
    expect(words('iptables -I FORWARD')).toEqual(['iptables', '-I', 'FORWARD'])
  })
})

describe('exec-time variable expansion (replace_env_argv)', () => {
  it.each([
    ['$OPTS splits on whitespace', '/d $OPTS', {OPTS: '--a  --b\t--c'}, ['/d', '--a', '--b', '--c']],
    ['$OPTS removes quotes inside the value', '/d $OPTS', {OPTS: '--insecure-registry="0.0.0.0/0" \'x y\''}, ['/d', '--insecure-registry=0.0.0.0/0', 'x y']],
    ['unset $OPTS drops the word', '/d $OPTS --x', {}, ['/d', '--x']],
    ['empty $OPTS drops the word', '/d $OPTS', {OPTS: ''}, ['/d']],
    ['${VAR} substitutes inside a word without splitting', '/d --bip=${BIP} ${A}', {BIP: '10.0.0.1/24', A: 'x y'}, ['/d', '--bip=10.0.0.1/24', 'x y']],
    ['unset ${VAR} leaves an empty string', '/d --mtu=${MTU} ${MTU}', {}, ['/d', '--mtu=', '']],
    ['$VAR inside a word stays literal', '/d --x=$A', {A: '1'}, ['/d', '--x=$A']],
    ['$$ escapes a dollar', '/d $$A $${A} a$$b', {A: '1'}, ['/d', '$A', '${A}', 'a$b']],
    ['quoted "$VAR" is still a whole word and still splits', '/d "$A"', {A: '1 2'}, ['/d', '1', '2']],
    ['${VAR:-default} is not supported in ExecStart', '/d ${A:-x}', {}, ['/d', '${A:-x}']],
    ['a word like $A/b is looked up as one name', '/d $A/b', {A: '1'}, ['/d']],
  ])('%s', (_title, rvalue, vars, expected) => {
    expect(run(rvalue, vars)).toEqual(expected)
  })

  it('records which variable produced each element', () => {
    const r = expandArgv(['/d', '$OPTS', '--bip=${BIP}'], env({OPTS: '-H tcp://x', BIP: '1'}))
    expect(r.argv).toEqual([
      {value: '/d', wordIndex: 0},
      {value: '-H', wordIndex: 1, viaVariable: 'OPTS'},
      {value: 'tcp://x', wordIndex: 1, viaVariable: 'OPTS'},
      {value: '--bip=1', wordIndex: 2, viaVariable: 'BIP', braced: true},
    ])
  })
})

describe('helpers', () => {
  it('splitWords relaxes unbalanced quotes like EXTRACT_RELAX', () => {
    expect(splitWords('a "b c', {unquote: true, relax: true})).toEqual({ok: true, words: ['a', 'b c']})
  })

  it('expandSpecifiers reports host-dependent specifiers instead of guessing', () => {
    const r = expandSpecifiers('%H-%m', {unitName: 'docker.service', hostname: 'h1'})
    expect(r).toEqual({ok: true, value: 'h1-%m', unresolved: ['%m (machine id)']})
  })
})
