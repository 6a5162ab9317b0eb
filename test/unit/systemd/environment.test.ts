import * as fsp from 'node:fs/promises'
import * as path from 'node:path'

import {describe, expect, it} from 'vitest'

import {parseEnvFile, parseEnvironmentValue} from '../../../src/systemd/environment.js'
import {FIXTURES} from './helpers.js'

const envfile = (name: string): Promise<string> => fsp.readFile(path.join(FIXTURES, 'envfiles', name), 'utf8')

describe('Environment= values', () => {
  it('takes several quoted assignments from one line', async () => {
    const text = await fsp.readFile(path.join(FIXTURES, 'dropins/http-proxy-two-assignments-one-line-petrusz.conf'), 'utf8')
    const value = /Environment=(.*)/.exec(text)?.[1] ?? ''
    expect(parseEnvironmentValue(value).assignments).toEqual([
      {name: 'HTTPS_PROXY', value: 'http://127.0.0.1:8118/'},
      {name: 'NO_PROXY', value: 'localhost,127.0.0.1,registry.docker-cn.com,hub-mirror.c.163.com'},
    ])
  })

  it('unquotes the outer quotes only, keeps inner ones, resets on empty, ignores invalid names', () => {
    expect(parseEnvironmentValue(`DOCKER_OPTS='--insecure-registry="0.0.0.0/0"'`).assignments).toEqual([{name: 'DOCKER_OPTS', value: '--insecure-registry="0.0.0.0/0"'}])
    expect(parseEnvironmentValue('').reset).toBe(true)
    const bad = parseEnvironmentValue('1BAD=x GOOD=y novalue')
    expect(bad.assignments).toEqual([{name: 'GOOD', value: 'y'}])
    expect(bad.warnings).toHaveLength(2)
  })
})

describe('EnvironmentFile= syntax (parse_env_file, systemd 252)', () => {
  it('drops `export NAME=` lines and says so', async () => {
    const r = parseEnvFile(await envfile('photon-os-docker.default'))
    expect(r.assignments).toEqual([])
    expect(r.warnings[0]?.message).toMatch(/export DOCKER_OPTS.*NOT set/)
  })

  it('reads single-quoted multi-line values and keeps line numbers', async () => {
    const r = parseEnvFile(await envfile('boot2docker-profile-multiline-extra-args'))
    const extra = r.assignments.find((a) => a.name === 'EXTRA_ARGS')
    expect(extra).toEqual({name: 'EXTRA_ARGS', value: '\n--label provider=virtualbox\n--insecure-registry forge.mydemo.net:5000\n\n', line: 2})
    expect(r.assignments.find((a) => a.name === 'DOCKER_HOST')).toMatchObject({value: '-H tcp://0.0.0.0:2376', line: 8})
  })

  it('ignores shell if-blocks but keeps the assignment inside, with a warning', async () => {
    const r = parseEnvFile(await envfile('centos-virt7-docker-1.13.1-sysconfig-docker'))
    expect(r.assignments.map((a) => a.name)).toEqual(['OPTIONS', 'DOCKER_CERT_PATH', 'ADD_REGISTRY'])
    expect(r.warnings.some((w) => /if \[ -z/.test(w.message))).toBe(true)
  })

  it('keeps ${VAR} literally and warns', async () => {
    const r = parseEnvFile(await envfile('sysconfig-docker-flannel-bip-mtu-knepharyus1'))
    expect(r.assignments[0]?.value).toContain('--bip=${FLANNEL_RANGE}')
    expect(r.warnings.some((w) => /not evaluate/.test(w.message))).toBe(true)
  })

  it('skips whitespace after = and warns on unquoted values with spaces', async () => {
    expect(parseEnvFile(await envfile('centos-sysconfig-docker-storage-leading-space-sotolito')).assignments).toEqual([
      {name: 'DOCKER_STORAGE_OPTIONS', value: '-s overlay', line: 14},
    ])
    const r = parseEnvFile(await envfile('openmandriva-sysconfig-docker-network'))
    expect(r.assignments.find((a) => a.name === 'DOCKER_NETWORK_OPTIONS')?.value).toBe('-H unix:///var/run/docker.sock')
    expect(r.warnings.some((w) => /unquoted value with spaces/.test(w.message))).toBe(true)
  })

  it.each([
    ['A="x\\"y\\$z\\q"', 'x"y$z\\q'],
    ["A='a\\nb'", 'a\\nb'],
    ['A=a\\\nb', 'ab'],
    ['A="x"y', 'xy'],
    ['A="x" # not a comment', 'x# not a comment'],
    ['A=trailing   ', 'trailing'],
    ['A=', ''],
  ])('%s', (text, value) => {
    expect(parseEnvFile(text).assignments[0]?.value).toBe(value)
  })

  it('lets a comment ending in a backslash swallow the next line (systemd 252)', () => {
    const r = parseEnvFile('# note \\\nA=1\nB=2\n')
    expect(r.assignments).toEqual([{name: 'B', value: '2', line: 3}])
    expect(r.warnings[0]?.line).toBe(2)
  })

  it('keeps the last of repeated assignments', () => {
    expect(parseEnvFile('A=1\nA=2\n').assignments).toEqual([{name: 'A', value: '2', line: 2}])
  })
})
