import {readFileSync} from 'node:fs'

import {afterEach, describe, expect, it} from 'vitest'

import type {ApplyOptions} from '../../../src/apply/plan.js'
import {listBackups} from '../../../src/backup/backups.js'
import {DockcfgError} from '../../../src/core/errors.js'
import {parseDesiredState} from '../../../src/desired-state/document.js'
import {type ApplyStateResult, runApplyState} from '../../../src/operations/apply-state.js'
import {CONFIG, DROPIN, type FakeHost, type Rig, rig, seedConfig} from '../apply/fakes.js'
import {VENDOR_UNIT} from '../systemd/helpers.js'

const hosts: FakeHost[] = []
afterEach(() => {
  for (const h of hosts.splice(0)) h.cleanup()
})

const UNIT = '/lib/systemd/system/docker.service'
/** Debian's unit, running the dockerd the fakes answer for. */
const DEBIAN_UNIT = readFileSync(VENDOR_UNIT, 'utf8').replaceAll('/usr/sbin/dockerd', '/usr/bin/dockerd')

/** A Debian 12 tree (dockerd -H fd:// $DOCKER_OPTS) with daemon.json `config`; services only as `services` allows. */
async function newRig(config: string, options: {services?: Parameters<typeof rig>[0]['services']; liveHost?: boolean; unit?: string} = {}): Promise<Rig> {
  const r = rig({services: options.services ?? [], liveHost: options.liveHost ?? false})
  hosts.push(r.host)
  await r.host.fs.mkdirp('/lib/systemd/system')
  await r.host.fs.writeAtomic(UNIT, options.unit ?? DEBIAN_UNIT, {mode: 0o644})
  await seedConfig(r, config)
  return r
}

const apply = (o: Partial<ApplyOptions> = {}): ApplyOptions => ({dryRun: false, noRestart: false, yes: false, keepContainers: false, timeoutMs: 30_000, ...o})

function run(r: Rig, text: string, o: {replace?: boolean; apply?: Partial<ApplyOptions>} = {}): Promise<ApplyStateResult> {
  return runApplyState(r.system, {
    document: parseDesiredState(text, 'state.json'),
    replace: o.replace ?? false,
    configFile: CONFIG,
    dockerdVersion: '24.0.7',
    command: 'dockcfg apply -f state.json',
    apply: apply(o.apply),
    readLocalFile: async () => undefined,
    identity: {dnsNames: ['docker1.example.com'], ips: ['10.0.0.5'], skipped: []},
  })
}

async function refusal(promise: Promise<unknown>): Promise<DockcfgError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!(error instanceof DockcfgError)) throw new Error(`expected a DockcfgError, got ${String(error)}`)
  return error
}

const STATE = '{"daemon": {"bip": "192.168.42.1/24", "mtu": 1400, "dns": ["10.0.0.2"], "debug": null}}'

describe('apply a desired state', () => {
  it('writes every setting as one change with one backup; the same document again changes nothing', async () => {
    const r = await newRig('{\n  "debug": true,\n  "log-level": "warn"\n}\n')
    const first = await run(r, STATE)
    expect(first).toMatchObject({changed: true, action: 'written', pending: 'restart', activation: 'restart', document: 'state.json', file: CONFIG})
    expect(first.changedKeys.sort()).toEqual(['bip', 'debug', 'dns', 'mtu'])
    expect(JSON.parse((await r.host.fs.readText(CONFIG)) as string)).toEqual({'log-level': 'warn', bip: '192.168.42.1/24', mtu: 1400, dns: ['10.0.0.2']})
    expect(await listBackups(r.system)).toHaveLength(1)

    const again = await run(r, STATE)
    expect(again).toMatchObject({changed: false, action: 'none', changedKeys: [], diff: ''})
    expect(again.backupId).toBeUndefined()
    expect(await listBackups(r.system)).toHaveLength(1)
  })

  it('on the live host: one restart for three keys, verified live', async () => {
    const r = await newRig('{}\n', {services: ['resetFailed', 'stop', 'start', 'armTimer', 'disarmTimer'], liveHost: true})
    const result = await run(r, STATE)
    expect(result).toMatchObject({changed: true, action: 'restarted'})
    expect(r.host.restartCount).toBe(1)
    expect(result.verification.map((v) => [v.key, v.status]).sort()).toEqual([
      ['bip', 'verified'],
      // The fake API does not show dns; the e2e test checks it in a container.
      ['dns', 'not-observable'],
      ['mtu', 'verified'],
    ])
    expect(r.problems()).toEqual([])
  })

  it('reloads when every changed key allows it', async () => {
    const r = await newRig('{"debug": false}\n', {services: ['reload', 'armTimer', 'disarmTimer'], liveHost: true})
    const result = await run(r, '{"daemon": {"debug": true}}')
    expect(result).toMatchObject({action: 'reloaded', activation: 'reload'})
    expect(r.host.restartCount).toBe(0)
    expect(r.problems()).toEqual([])
  })

  it('--dry-run shows the diff and touches nothing', async () => {
    const r = await newRig('{\n  "debug": true\n}\n')
    const result = await run(r, STATE, {apply: {dryRun: true}})
    expect(result).toMatchObject({changed: true, dryRun: true, action: 'none', pending: 'restart'})
    expect(result.diff).toContain('+  "bip": "192.168.42.1/24"')
    expect(result.diff).toContain('-  "debug": true')
    expect(await r.host.fs.readText(CONFIG)).toBe('{\n  "debug": true\n}\n')
    expect(await listBackups(r.system)).toEqual([])
  })

  it('a dry run on the live host names the containers a restart would stop and the flags that allow it; one that reloads names none', async () => {
    const r = await newRig('{}\n', {liveHost: true, services: []})
    r.host.containers = [
      {id: 'a1', name: 'web'},
      {id: 'b2', name: 'db'},
    ]
    const said: string[] = []
    const result = await run(r, STATE, {apply: {dryRun: true, progress: (line) => said.push(line)}})
    expect(result.containers).toEqual({running: 2, names: ['web', 'db'], liveRestore: false})
    const warning = 'the restart would stop 2 running container(s): web, db; the change needs --yes, or --keep-containers to keep them'
    expect(result.warnings).toContain(warning)
    expect(said.join('\n')).toContain(warning)
    expect(r.host.containers).toHaveLength(2)
    expect(r.host.restartCount).toBe(0)

    const reload = await run(r, '{"daemon": {"debug": true}}', {apply: {dryRun: true}})
    expect(reload).toMatchObject({pending: 'reload'})
    expect(reload.containers).toBeUndefined()
  })

  it('--replace makes daemon.json exactly the document', async () => {
    const r = await newRig('{"debug": true, "log-level": "warn", "mtu": 1400}\n')
    const result = await run(r, '{"daemon": {"mtu": 1400, "dns": ["10.0.0.2"]}}', {replace: true})
    expect(result.changedKeys.sort()).toEqual(['debug', 'dns', 'log-level'])
    expect(JSON.parse((await r.host.fs.readText(CONFIG)) as string)).toEqual({mtu: 1400, dns: ['10.0.0.2']})
    expect(await run(r, '{"daemon": {"mtu": 1400, "dns": ["10.0.0.2"]}}', {replace: true})).toMatchObject({changed: false})
  })

  it('a bad value is refused at its line and column in the document, nothing written', async () => {
    const r = await newRig('{"debug": true}\n')
    const error = await refusal(run(r, '{"daemon": {\n  "mtu": 1400,\n  "bip": "192.168.42.1"\n}}'))
    expect(error.exitCode).toBe(3)
    expect(error.message).toContain('dockerd would refuse the result; nothing was written')
    expect(error.message).toContain('state.json:3:10:')
    expect(await r.host.fs.readText(CONFIG)).toBe('{"debug": true}\n')
    expect(await listBackups(r.system)).toEqual([])

    const typed = await refusal(run(r, '{"daemon": {"mtu": "1400"}}'))
    expect(typed).toMatchObject({exitCode: 3, message: expect.stringContaining('state.json:1:20:')})
  })

  it('removing a key neither dockerd nor the file knows is a typo (exit 2); removing one the file holds repairs it', async () => {
    const r = await newRig('{"mut": 1400}\n')
    expect(await refusal(run(r, '{"daemon": {"mtuu": null}}'))).toMatchObject({exitCode: 2, message: expect.stringContaining('state.json:1:21: unknown daemon.json key "mtuu"')})
    expect(await run(r, '{"daemon": {"mut": null}}')).toMatchObject({changed: true, changedKeys: ['mut']})
  })

  it('owners: the side named keeps a directive both set, the other gives it up, in the same change', async () => {
    const unit = DEBIAN_UNIT.replace('-H fd://', '-H fd:// --mtu 1400')
    const r = await newRig('{"mtu": 1500, "debug": true}\n', {unit})
    const flags = await run(r, '{"daemon": {"debug": false}, "owners": {"mtu": "flags"}}')
    expect(flags.changedKeys.sort()).toEqual(['debug', 'mtu'])
    expect(JSON.parse((await r.host.fs.readText(CONFIG)) as string)).toEqual({debug: false})
    expect(await r.host.fs.readText(DROPIN)).toBeUndefined()
    expect(await listBackups(r.system)).toHaveLength(1)

    const r2 = await newRig('{"mtu": 1500}\n', {unit})
    await run(r2, '{"owners": {"mtu": "file"}}')
    expect(await r2.host.fs.readText(DROPIN)).not.toContain('--mtu')
    expect(JSON.parse((await r2.host.fs.readText(CONFIG)) as string)).toEqual({mtu: 1500})
    expect(await run(r2, '{"owners": {"mtu": "file"}}')).toMatchObject({changed: false})
  })

  it('a document that says two things about one directive is a usage error', async () => {
    const r = await newRig('{}\n')
    expect(await refusal(run(r, '{"daemon": {"mtu": 1400}, "owners": {"mtu": "flags"}}'))).toMatchObject({exitCode: 2, message: expect.stringContaining('owners.mtu is "flags"')})
    expect(await refusal(run(r, '{"daemon": {"hosts": ["fd://"]}, "remote": {"enabled": false}}'))).toMatchObject({
      exitCode: 2,
      message: expect.stringContaining('daemon.hosts: the document\'s "remote" decides this key'),
    })
  })

  it('remote: enabled with a host-local CA in the same change as the settings; again: nothing; disabled: the listener goes', async () => {
    const r = await newRig('{}\n')
    const doc = '{"daemon": {"mtu": 1400}, "remote": {"enabled": true, "port": 2376}}'
    const first = await run(r, doc)
    expect(first).toMatchObject({changed: true, action: 'written', remote: {enabled: true, listener: 'tcp://0.0.0.0:2376', hosts: ['fd://', 'tcp://0.0.0.0:2376'], removed: []}})
    expect(first.files).toEqual(expect.arrayContaining([CONFIG, DROPIN, '/etc/docker/tls/ca.pem', '/etc/docker/tls/server-key.pem']))
    expect(await listBackups(r.system)).toHaveLength(1)
    expect(JSON.parse((await r.host.fs.readText(CONFIG)) as string)).toMatchObject({mtu: 1400, hosts: ['fd://', 'tcp://0.0.0.0:2376'], tlsverify: true})

    expect(await run(r, doc)).toMatchObject({changed: false, remote: {certificates: {ca: {reused: true}, server: {reused: true}}}})

    const moved = await run(r, '{"remote": {"enabled": true, "port": 2377}}')
    expect(moved.remote).toMatchObject({listener: 'tcp://0.0.0.0:2377', removed: ['tcp://0.0.0.0:2376'], hosts: ['fd://', 'tcp://0.0.0.0:2377']})

    const off = await run(r, '{"remote": {"enabled": false}}')
    expect(off.remote).toMatchObject({enabled: false, removed: ['tcp://0.0.0.0:2377'], hosts: ['fd://']})
    expect(await run(r, '{"remote": {"enabled": false}}')).toMatchObject({changed: false})
  })
})
