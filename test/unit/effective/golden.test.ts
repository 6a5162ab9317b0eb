import * as path from 'node:path'

import {describe, expect, it} from 'vitest'

import {expectGolden} from '../../support/golden.js'

import {inspectEffective} from '../../../src/effective/effective.js'
import {fixtureNames, truthCaseFiles} from '../systemd/helpers.js'
import {DAEMON_JSON, FIXTURES, fixture, tree} from './helpers.js'

// Golden records of the effective configuration (settings with origins, conflicts, findings) for
// every corpus unit, drop-in, environment file and OpenRC file. Trees are composed like the
// systemd truth cases (stock Debian 12 vendor unit + the fixture; env files under a unit that
// loads /etc/default/docker and /etc/sysconfig/docker); OpenRC files go to /etc/conf.d/docker or
// /etc/init.d/docker. Every tree gets the same daemon.json: the classic "hosts" (which meets any
// -H on the command line) and one plain key. Regenerate deliberately with UPDATE_GOLDEN=1 and
// review the diff: these are expectations, not echoes.
const GOLDEN = path.join(FIXTURES, 'effective-golden')
const VERSION = '20.10.24'
const PROBE_DAEMON_JSON = '{\n  "hosts": ["unix:///var/run/docker.sock"],\n  "log-level": "warn"\n}\n'

async function openrcFiles(name: string): Promise<Record<string, string>> {
  const bytes = await fixture(`openrc/${name}`)
  // An init script alone, or a conf.d under Alpine's stock init script.
  if (name.endsWith('.initd')) return {'/etc/init.d/docker': bytes}
  return {'/etc/init.d/docker': await fixture('openrc/alpine-aports-docker.initd'), '/etc/conf.d/docker': bytes}
}

async function caseFiles(name: string): Promise<Record<string, string>> {
  if (name.startsWith('openrc--')) return openrcFiles(name.slice('openrc--'.length))
  const files = await truthCaseFiles(name)
  return Object.fromEntries(Object.entries(files).map(([p, b]) => [p, b.toString()]))
}

const cases = [
  ...(await fixtureNames('units')).filter((n) => !n.endsWith('.socket')).map((n) => `unit--${n}`),
  ...(await fixtureNames('dropins')).map((n) => `dropin--${n}`),
  ...(await fixtureNames('envfiles')).map((n) => `env--${n}`),
  ...(await fixtureNames('openrc')).map((n) => `openrc--${n}`),
]

describe('golden effective configurations of corpus units, drop-ins, env files and OpenRC files', () => {
  it('covers the whole corpus', () => {
    // 38 service units (the 9 socket units have no ExecStart), 27 drop-ins, 33 env files, 11 OpenRC files.
    expect(cases.length).toBe(38 + 27 + 33 + 11)
  })

  for (const name of cases) {
    it(name, async () => {
      const fs = await tree({...(await caseFiles(name)), [DAEMON_JSON]: PROBE_DAEMON_JSON})
      const e = await inspectEffective(fs, {dockerdVersion: VERSION})
      const record = {
        case: name,
        dockerdVersion: VERSION,
        source: e.openrc ? e.openrc.path : (e.service.unitPath ?? null),
        dropIns: e.service.dropInPaths,
        argv: e.argv,
        form: e.commandLine?.form ?? null,
        // Defaults are the registry's, the same for every case: only what the tree sets.
        settings: e.settings.filter((s) => s.origin.kind !== 'default'),
        conflicts: e.conflicts.map((c) => ({key: c.key, message: c.message, flagOrigins: c.flagOrigins, fileOrigin: c.fileOrigin})),
        findings: e.findings.map((f) => ({code: f.code, severity: f.severity, message: f.message, ...(f.file ? {file: f.file} : {}), ...(f.line ? {line: f.line} : {})})),
      }
      await expectGolden(GOLDEN, name, record)
    })
  }
})

describe('the corpus CONFLICT pair (1021ky/self_dockermachine)', () => {
  const dropin = '/etc/systemd/system/docker.service.d/self-dockermachine-CONFLICT-hosts-flag-and-json.conf'

  async function pairTree(daemonJson: string) {
    return tree({...(await caseFiles('dropin--self-dockermachine-CONFLICT-hosts-flag-and-json.conf')), [DAEMON_JSON]: daemonJson})
  }

  it("with the JSON of its daemon.json: hosts and tls conflict, in dockerd's words and flag order", async () => {
    const paste = await fixture('daemon-json/self-dockermachine-BROKEN-terminal-paste-hosts.json')
    // The committed file is a terminal paste; the JSON in it is what the author meant dockerd to read.
    const json = paste.slice(paste.indexOf('{'), paste.lastIndexOf('}') + 1)
    const e = await inspectEffective(await pairTree(json), {dockerdVersion: VERSION})
    expect(e.conflicts.map((c) => [c.key, c.flagOrigins.map((o) => [o.kind === 'flag' ? o.file : '', o.kind === 'flag' ? o.line : 0]), c.fileOrigin])).toEqual([
      ['hosts', [[dropin, 3]], {kind: 'file', file: DAEMON_JSON, line: 3}],
      ['tls', [[dropin, 3]], {kind: 'file', file: DAEMON_JSON, line: 4}],
    ])
    const finding = e.findings.find((f) => f.code === 'flag-file-conflict')
    expect(finding?.message).toContain(
      'unable to configure the Docker daemon with file /etc/docker/daemon.json: the following directives are specified both as a flag and in the configuration file: hosts: (from flag: [tcp://0.0.0.0:2375], from file: [tcp://0.0.0.0:2375 tcp://0.0.0.0:2376]), tls: (from flag: false, from file: false)',
    )
  })

  it('with the committed (broken) daemon.json: the parse error is what stops dockerd; no conflict is guessed', async () => {
    const e = await inspectEffective(await pairTree(await fixture('daemon-json/self-dockermachine-BROKEN-terminal-paste-hosts.json')), {dockerdVersion: VERSION})
    expect(e.conflicts).toEqual([])
    const errors = e.findings.filter((f) => f.severity === 'error')
    expect(errors.length).toBeGreaterThan(0)
    expect(errors.every((f) => f.code === 'json-syntax' && f.file === DAEMON_JSON && f.line === 1)).toBe(true)
    expect(errors[0]?.message).toMatch(/"vagrant@ubuntu-focal": this is not JSON/)
  })

  it('with a hosts daemon.json: detected', async () => {
    const e = await inspectEffective(await pairTree(PROBE_DAEMON_JSON), {dockerdVersion: VERSION})
    expect(e.conflicts.map((c) => c.message)).toEqual([
      'the following directives are specified both as a flag and in the configuration file: hosts: (from flag: [tcp://0.0.0.0:2375], from file: [unix:///var/run/docker.sock])',
    ])
  })

  it('the basanet pair (a drop-in with a bare dockerd, the documented fix) has none', async () => {
    const fs = await tree({
      ...(await caseFiles('dropin--basanet-override-plain-dockerd.conf')),
      [DAEMON_JSON]: await fixture('daemon-json/basanet-hosts-tcp2375-tls-pair.json'),
    })
    const e = await inspectEffective(fs, {dockerdVersion: VERSION})
    expect(e.argv).toEqual(['/usr/bin/dockerd'])
    expect(e.conflicts).toEqual([])
    expect(e.hosts).toEqual(['tcp://0.0.0.0:2375', 'unix:///var/run/docker.sock'])
  })
})
